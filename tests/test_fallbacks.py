"""Fallback images decoded once: a preset press found its image decoded again, under the controller's lock."""
import io
import os
import time
import traceback

import cv2
import numpy as np
import pytest

from vcam.live import fallbacks as fallbacks_module
from vcam.live.fallbacks import FallbackImages
from vcam.live.frames import ImageError


@pytest.fixture
def counted(monkeypatch):
    """The paths decoded, in order."""
    decoded = []
    real = fallbacks_module.load_image

    def load(path, width, height, show=True):
        decoded.append(os.path.basename(path))
        return real(path, width, height, show)

    monkeypatch.setattr(fallbacks_module, "load_image", load)
    return decoded


def image(path, value: int) -> str:
    cv2.imwrite(str(path), np.full((40, 60, 3), value, np.uint8))
    return str(path)


def test_an_image_is_decoded_once_fitted_and_again_once_it_is_edited(tmp_path, counted):
    images = FallbackImages(32, 24)
    path = image(tmp_path / "stall.png", 50)
    first = images.get(path)
    assert first.shape == (24, 32, 3) and images.get(path) is first and counted == ["stall.png"]
    image(tmp_path / "stall.png", 200)
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))  # a second later
    assert int(images.get(path).max()) == 200 and counted == ["stall.png"] * 2


def test_an_image_deleted_after_it_was_decoded_is_still_shown_and_one_never_decoded_is_said_missing(tmp_path,
                                                                                                   counted):
    """The show's folder cleaned up mid-show: every preset press said 'fallback image not used: … not found' (on two
    lines), where the image had been decoded all along."""
    import shutil

    folder = tmp_path / "show"
    folder.mkdir()
    path = image(folder / "stall.png", 60)
    images = FallbackImages(32, 24)
    images.warm([path])
    shutil.rmtree(folder)
    assert int(images.get(path).max()) == 60 and counted == ["stall.png"]
    with pytest.raises(ImageError, match="other.png not found"):
        images.get(str(folder / "other.png"))


def test_the_least_recently_used_images_are_let_go(tmp_path, counted):
    images = FallbackImages(16, 16, keep=2)
    a, b, c = (image(tmp_path / f"{n}.png", 10) for n in "abc")
    images.warm([a, b, a])  # a twice: decoded once
    images.get(a)  # b is now the oldest
    images.get(c)
    images.get(a)
    images.get(b)
    assert counted == ["a.png", "b.png", "c.png", "b.png"]


def test_warming_passes_over_what_cannot_be_read_and_a_press_says_it(tmp_path, counted):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    images = FallbackImages(16, 16)
    images.warm([str(broken), str(tmp_path / "gone.png"), image(tmp_path / "ok.png", 90)])
    assert counted == ["broken.png", "gone.png", "ok.png"]
    with pytest.raises(ImageError, match="gone.png not found"):
        images.get(str(tmp_path / "gone.png"))


def test_a_reloads_fallbacks_are_decoded_before_it_applies_not_under_the_controllers_lock(tmp_path, counted):
    """The watcher's thread decodes the edited show's images; the press that follows finds them decoded."""
    from types import SimpleNamespace

    from helpers import TINY_SHOW
    from vcam.control.show import parse_show
    from vcam.live.showwatch import show_watcher
    from vcam.live.settings import RunOptions

    image(tmp_path / "stall.png", 70)
    (tmp_path / "show.yaml").write_text(TINY_SHOW)
    edited = parse_show(TINY_SHOW.replace("seed: 3,", "seed: 3, fallback: stall.png,"), str(tmp_path / "show.yaml"))
    held = []

    def replace_show(show):
        held.append(list(counted))  # decoded by now, and not while the controller held its lock
        return []

    controller = SimpleNamespace(replace_show=replace_show)
    prompter = SimpleNamespace(preload=lambda prompts: None)
    images = FallbackImages(32, 24)
    watcher = show_watcher(RunOptions(show=str(tmp_path / "show.yaml")), "tiny", edited, controller, prompter, None,
                            images, lambda s: None)
    watcher.on_show(edited, {})
    assert held == [["stall.png"]]
    images.get(str(tmp_path / "stall.png"))  # the press that selects it
    assert counted == ["stall.png"]


def test_the_fallback_given_at_the_start_is_decoded_once_and_kept_for_the_presets_that_go_back_to_it(
        tmp_path, counted):
    from vcam.live.run import _prepare
    from vcam.live.settings import RunOptions

    path = image(tmp_path / "stall.png", 120)
    prep = _prepare(RunOptions(model="tiny", fallback=path, size=(64, 32), status_out=io.StringIO()))
    assert prep.fallback.shape == (32, 64, 3)
    assert prep.fallbacks.get(path) is prep.fallback  # a preset without a fallback of its own, pressed
    assert counted == ["stall.png"]


def test_a_folder_named_as_the_fallback_is_called_a_folder_not_missing(tmp_path):
    from vcam.live.frames import load_image

    with pytest.raises(ImageError) as err:
        load_image(str(tmp_path), 16, 16)
    assert "is a folder" in err.value.message and "not found" not in err.value.message
    assert "name an image file in it" in err.value.fix


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_named_as_the_fallback_is_not_a_file_not_missing():
    from vcam.live.frames import load_image

    with pytest.raises(ImageError) as err:
        load_image("/dev/null", 16, 16)
    assert err.value.message == "image /dev/null is not a file"


def test_an_image_this_user_cannot_read_says_so_not_that_it_does_not_decode(tmp_path, monkeypatch):
    from vcam.live.frames import load_image

    path = image(tmp_path / "locked.png", 80)
    monkeypatch.setattr(os, "access", lambda p, mode: not (p == path and mode == os.R_OK))  # as chmod 000 for a user
    with pytest.raises(ImageError) as err:
        load_image(path, 16, 16)
    assert "cannot be read (permission denied)" in err.value.message and "chmod a+r" in err.value.fix


@pytest.mark.parametrize("depth", [np.uint8, np.uint16])
def test_a_transparent_fallback_shows_over_black_as_an_image_input_does(tmp_path, depth):
    """A red logo on transparent white, as an editor exports it: the stall shows the logo over black, not a white
    picture with the logo in it."""
    top = np.iinfo(depth).max
    logo = np.full((24, 32, 4), top, dtype=depth)
    logo[:, :, 3] = 0
    logo[6:18, 8:24] = (0, 0, top, top)  # the opaque square, red (BGRA)
    path = str(tmp_path / "logo.png")
    cv2.imwrite(path, logo)
    frame = FallbackImages(32, 24).get(path)
    assert tuple(frame[12, 16]) == (255, 0, 0) and tuple(frame[1, 1]) == (0, 0, 0)


def test_an_image_whose_alpha_is_all_transparent_shows_its_colours_not_black(tmp_path):
    """A screenshot saved with an alpha channel its tool never filled (all 0): it showed its picture as a fallback
    before transparent parts were shown black; taken as transparent, the whole of it was a black frame."""
    shot = np.zeros((24, 32, 4), np.uint8)
    shot[:, :, 2] = 200  # red, every pixel's alpha 0
    path = str(tmp_path / "shot.png")
    cv2.imwrite(path, shot)
    assert tuple(FallbackImages(32, 24).get(path)[12, 16]) == (200, 0, 0)


def test_a_jpeg_is_decoded_once(tmp_path, monkeypatch):
    """A JPEG has no alpha: its second decode, to look for one, cost a large photo ~60 % more to load."""
    from vcam.live import frames as frames_module

    path = str(tmp_path / "photo.jpg")
    cv2.imwrite(path, np.full((24, 32, 3), 90, np.uint8))
    reads = []
    real = frames_module.imread_quiet
    monkeypatch.setattr(frames_module, "imread_quiet", lambda p, flags: reads.append(flags) or real(p, flags))
    assert int(FallbackImages(32, 24).get(path)[12, 16, 0]) in range(85, 96) and reads == [cv2.IMREAD_COLOR]


def _variants(tmp_path) -> dict[str, str]:
    """PNGs and WebPs with and without alpha, in the ways tools write them: colour types, a palette's or a
    colour's tRNS, 16 bits, lossless and lossy WebP, with metadata chunks before the image data."""
    from PIL import Image, PngImagePlugin

    picture = np.zeros((24, 32, 4), np.uint8)
    picture[:, :16] = (200, 40, 10, 255)
    picture[:, 16:] = (10, 90, 220, 0)  # a transparent half, coloured as a logo's background often is
    rgba = Image.fromarray(picture)
    text = PngImagePlugin.PngInfo()
    text.add_text("Software", "a tool that writes text chunks first")
    paths = {}

    def save(name: str, img, **options) -> None:
        paths[name] = str(tmp_path / name)
        img.save(paths[name], **options)

    save("rgb.png", rgba.convert("RGB"), pnginfo=text)
    save("rgba.png", rgba)
    save("gray.png", rgba.convert("L"))
    save("gray-alpha.png", rgba.convert("LA"))
    save("palette.png", rgba.convert("RGB").convert("P"))
    paletted = rgba.convert("RGB").convert("P")
    save("palette-trns.png", paletted, transparency=paletted.getpixel((20, 5)), pnginfo=text)
    save("rgb-trns.png", rgba.convert("RGB"), transparency=(10, 90, 220))
    save("rgb16.png", Image.fromarray((picture[:, :, 0].astype(np.uint16) * 257)))
    save("lossless.webp", rgba.convert("RGB"), lossless=True)
    save("lossless-alpha.webp", rgba, lossless=True)
    save("lossy.webp", rgba.convert("RGB"), quality=90)
    save("lossy-alpha.webp", rgba, quality=90)
    save("exif.webp", rgba.convert("RGB"), quality=90, exif=Image.Exif().tobytes())
    return paths


def test_an_opaque_png_or_webp_is_decoded_once_and_shows_as_before(tmp_path, monkeypatch):
    """A PNG or WebP was decoded twice, the second time to look for an alpha channel its header says it has not:
    an opaque 12 MP one cost about twice as long to load. One with alpha (or a tRNS chunk) is read with it, once."""
    from vcam.live import frames as frames_module

    real = frames_module.imread_quiet
    for name, path in _variants(tmp_path).items():
        reads = []
        monkeypatch.setattr(frames_module, "imread_quiet", lambda p, flags: reads.append(flags) or real(p, flags))
        shown = frames_module.read_shown(path)
        assert len(reads) == 1, name
        monkeypatch.setattr(frames_module, "_may_have_alpha", lambda p: True)  # as before: always looked
        assert np.array_equal(shown, frames_module.read_shown(path)), name
        monkeypatch.undo()


def test_a_png_or_webp_with_alpha_is_decoded_once_and_shows_as_its_two_reads_did(tmp_path, monkeypatch):
    """A logo with alpha was decoded twice, in colour and then with its alpha: a 4K one took most of a second more
    to load, on air. Read once with its alpha, every layout shows as the colour read over black showed it: 8 and 16
    bits, grey with alpha, a palette's or a colour's tRNS, lossless and lossy WebP, fitted or not."""
    from PIL import Image

    from vcam.live import frames as frames_module

    paths = _variants(tmp_path)
    deep = np.zeros((24, 32, 4), np.uint16)
    deep[:, :, :3] = np.arange(24 * 32 * 3, dtype=np.uint16).reshape(24, 32, 3) * 71
    deep[:, :, 3] = np.arange(32, dtype=np.uint16) * 2113  # half-transparent steps across, none all 0
    paths["rgba16.png"] = str(tmp_path / "rgba16.png")
    cv2.imwrite(paths["rgba16.png"], deep)
    paths["gray16-trns.png"] = str(tmp_path / "gray16-trns.png")
    Image.fromarray(deep[:, :, 0]).save(paths["gray16-trns.png"], transparency=int(deep[3, 5, 0]))
    real = frames_module.imread_quiet
    cvt = frames_module.quiet_cv2().cvtColor
    for name, path in paths.items():
        has_alpha = real(path, cv2.IMREAD_UNCHANGED).shape[2:] == (4,)
        for fitted in (None, (20, 20, "letterbox")):
            colour = frames_module._over_black(path, real(path, cv2.IMREAD_COLOR))  # the two reads, as before
            before = cvt(colour if fitted is None else frames_module.fit(colour, *fitted), cv2.COLOR_BGR2RGB)
            reads = []
            monkeypatch.setattr(frames_module, "imread_quiet", lambda p, flags: reads.append(flags) or real(p, flags))
            assert np.array_equal(frames_module.read_shown(path, fitted), before), (name, fitted)
            assert len(reads) == 1 and (reads == [cv2.IMREAD_UNCHANGED] or not has_alpha), (name, reads)
            monkeypatch.undo()


def test_a_header_vcam_does_not_know_is_decoded_for_its_alpha(tmp_path):
    from vcam.live.frames import _may_have_alpha

    for name, data in (("cut.png", b"\x89PNG\r\n\x1a\n"), ("cut.webp", b"RIFF\0\0\0\0WEBPVP8L"),
                       ("image.tiff", b"II*\0" + bytes(40))):
        (tmp_path / name).write_bytes(data)
        assert _may_have_alpha(str(tmp_path / name)), name
    assert _may_have_alpha(str(tmp_path / "gone.png"))


def test_an_image_whose_alpha_is_read_as_floats_shows_its_colours(tmp_path, monkeypatch):
    """An EXR (where OpenCV reads them) gives its alpha as floats, whose range is no integer type's: it was a
    traceback."""
    from vcam.live import frames as frames_module

    path = str(tmp_path / "float.png")
    cv2.imwrite(path, np.full((40, 60, 4), 120, np.uint8))  # one with alpha: an opaque one is read once, in colour
    real = frames_module.imread_quiet
    floats = np.full((40, 60, 4), 0.5, np.float32)
    monkeypatch.setattr(frames_module, "imread_quiet",
                        lambda p, flags: floats if flags == cv2.IMREAD_UNCHANGED else real(p, flags))
    assert int(FallbackImages(32, 24).get(path)[12, 16, 0]) == 120


def test_a_show_naming_an_image_too_large_to_decode_is_refused_with_its_line_unread(tmp_path, monkeypatch):
    """The show's check decoded a 20000x20000 PNG whole (14 s and GBs of memory), on air on the watcher's thread as
    a save reloaded the show; refused from its header instead, with the show's line and the fix."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError
    from vcam.live import frames as frames_module

    cv2.imwrite(str(tmp_path / "poster.png"), np.zeros((40, 60, 3), np.uint8))
    monkeypatch.setattr(frames_module, "MAX_DECODED_PIXELS", 40 * 60 - 1)
    monkeypatch.setattr(frames_module, "imread_quiet", lambda path, flags: pytest.fail("decoded"))
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {fallback: poster.png}\npresets:\n  - {name: a, prompt: b}\n",
                   str(tmp_path / "show.yaml"))
    [problem] = err.value.problems
    assert problem.startswith(f"{tmp_path / 'show.yaml'}:1: ") and "60x40" in problem and "scale it down" in problem
    with pytest.raises(ImageError):  # a fallback changed on air: a ValueError, said when it is used
        FallbackImages(16, 16).get(str(tmp_path / "poster.png"))


def test_an_image_saved_over_with_what_does_not_decode_keeps_its_last_good_picture_said_once_per_save(tmp_path):
    """A fallback saved half-written while on air: each preset press said it unused, and left the previous preset's
    image on the stall."""
    path = image(tmp_path / "stall.png", 70)
    images = FallbackImages(32, 24)
    images.warm([path])
    said = []
    (tmp_path / "stall.png").write_bytes(b"half a png")
    assert int(images.get(path, said.append).max()) == 70
    assert int(images.get(path, said.append).max()) == 70
    assert len(said) == 1 and "stall.png" in said[0] and "before this save stays" in said[0]
    assert "convert" not in said[0]  # the file is a PNG: the fix is to save it whole, not to convert it
    image(tmp_path / "stall.png", 180)
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))
    assert int(images.get(path, said.append).max()) == 180 and len(said) == 1


def test_a_broken_save_a_reloads_warm_up_met_first_is_said_at_the_next_press(tmp_path):
    """The show file saved after the image broke: its reload decodes the show's images ahead, saying nothing, and
    the press after it said nothing either, the old picture on the stall without a word."""
    path = image(tmp_path / "stall.png", 70)
    images = FallbackImages(32, 24)
    images.warm([path])
    (tmp_path / "stall.png").write_bytes(b"half a png")
    images.warm([path])
    said = []
    assert int(images.get(path, said.append).max()) == 70
    assert len(said) == 1 and "saved again whole" in said[0]


def test_an_image_saved_over_too_large_keeps_its_picture_and_its_own_fix(tmp_path, monkeypatch):
    """Saved again whole would not help an image too large to decode: its fix (scale it down) is said."""
    from vcam.live import frames as frames_module

    path = image(tmp_path / "stall.png", 70)
    images = FallbackImages(32, 24)
    images.warm([path])
    cv2.imwrite(path, np.full((41, 60, 3), 90, np.uint8))
    monkeypatch.setattr(frames_module, "MAX_DECODED_PIXELS", 40 * 60)
    said = []
    assert int(images.get(path, said.append).max()) == 70
    assert len(said) == 1 and "before stays; scale it down" in said[0] and "saved again whole" not in said[0]


def test_an_image_that_never_decoded_is_still_refused_with_its_fix(tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"not an image")
    with pytest.raises(ImageError, match="broken.png"):
        FallbackImages(16, 16).get(str(broken), [].append)


def test_a_link_whose_image_is_gone_keeps_the_picture_and_is_said_once_per_target(tmp_path):
    """Every preset press said the dangling link again; linked to another missing file, it is said again."""
    path = tmp_path / "stall.png"
    os.symlink(image(tmp_path / "one.png", 70), path)
    images = FallbackImages(32, 24)
    images.warm([str(path)])
    os.remove(tmp_path / "one.png")
    said = []
    assert all(int(images.get(str(path), said.append).max()) == 70 for _ in range(3))
    assert len(said) == 1 and "stall.png not found: the fallback image as it was before stays" in said[0]
    path.unlink()
    os.symlink(tmp_path / "two.png", path)
    images.get(str(path), said.append)
    images.get(str(path), said.append)
    assert len(said) == 2


def test_a_broken_save_is_decoded_once_not_at_every_press_and_again_once_its_change_time_moves(tmp_path, counted):
    """Each preset press decoded the broken save again, on the controller's thread, to fail again."""
    path = image(tmp_path / "stall.png", 70)
    images = FallbackImages(32, 24)
    images.warm([path])
    (tmp_path / "stall.png").write_bytes(b"half a png")
    said = []
    assert all(int(images.get(path, said.append).max()) == 70 for _ in range(4))
    assert counted == ["stall.png"] * 2 and len(said) == 1
    never = tmp_path / "never.png"
    never.write_bytes(b"not an image")
    for _ in range(2):
        with pytest.raises(ImageError, match="never.png"):
            images.get(str(never), said.append)
    assert counted.count("never.png") == 1
    changed, deadline = os.stat(path).st_ctime_ns, time.monotonic() + 60
    while os.stat(path).st_ctime_ns == changed and time.monotonic() < deadline:  # a coarse clock's next tick
        os.chmod(path, 0o600)
    images.get(path, said.append)
    assert counted.count("stall.png") == 3


def test_a_broken_file_named_two_ways_is_said_by_the_name_each_gave_and_its_error_does_not_grow(tmp_path):
    (tmp_path / "img.png").write_bytes(b"not an image")
    os.symlink(tmp_path / "img.png", tmp_path / "a.png")
    os.symlink(tmp_path / "img.png", tmp_path / "b.png")
    images = FallbackImages(16, 16)
    with pytest.raises(ImageError, match="a.png"):
        images.get(str(tmp_path / "a.png"))
    with pytest.raises(ImageError, match="b.png"):
        images.get(str(tmp_path / "b.png"))
    depths = []
    for _ in range(3):  # the kept error raised again carried every press's frames before
        with pytest.raises(ImageError) as err:
            images.get(str(tmp_path / "b.png"))
        depths.append(len(traceback.extract_tb(err.value.__traceback__)))
    assert depths[0] == depths[-1], depths


def test_a_link_read_again_then_gone_again_is_said_again(tmp_path):
    path = tmp_path / "stall.png"
    os.symlink(image(tmp_path / "one.png", 70), path)
    images = FallbackImages(32, 24)
    images.warm([str(path)])
    said = []
    os.remove(tmp_path / "one.png")
    images.get(str(path), said.append)
    again = image(tmp_path / "one.png", 90)  # as large as the one before: its times tell it apart
    os.utime(again, ns=(os.stat(again).st_atime_ns, os.stat(again).st_mtime_ns + 10**9))  # a second later
    assert int(images.get(str(path), said.append).max()) == 90
    os.remove(tmp_path / "one.png")
    assert int(images.get(str(path), said.append).max()) == 90
    assert len(said) == 2, said


def test_the_line_said_for_a_broken_save_escapes_a_terminals_escape_in_the_images_name(tmp_path):
    """`… stays until stall<ESC>[2J.png is saved again whole` cleared the operator's terminal as it was said."""
    path = str(tmp_path / "stall\x1b[2J.png")
    os.replace(image(tmp_path / "s.png", 70), path)
    images = FallbackImages(32, 24)
    images.get(path)
    with open(path, "wb") as f:
        f.write(b"half a png")
    os.utime(path, ns=(os.stat(path).st_atime_ns, os.stat(path).st_mtime_ns + 10**9))
    said = []
    assert int(images.get(path, said.append).max()) == 70
    assert len(said) == 1 and "\x1b" not in said[0]
    assert said[0].count("stall\\x1b[2J.png") == 2 and "\\\\" not in said[0]  # the error's path, and the name


def test_an_animated_fallback_is_said_to_show_its_first_frame_once_per_file(tmp_path):
    """A GIF given as the fallback showed its first frame still, without a word, where `input image:` says so."""
    from PIL import Image

    path = str(tmp_path / "loop.gif")
    frames = [Image.new("RGB", (32, 24), (40 * i, 0, 0)) for i in range(1, 6)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    images, said = FallbackImages(32, 24), []
    images.warm([path])  # decoded ahead, as the show's are: said when it is used
    assert said == []
    assert int(images.get(path, said.append)[12, 16, 0]) in range(30, 51)
    images.get(path, said.append)
    assert said == ["fallback loop.gif is animated (5 frames): a fallback is one still picture, so only its first "
                    "frame shows while the stream stalls"]
    images.get(image(tmp_path / "still.png", 70), said.append)
    assert len(said) == 1


def test_an_empty_fallback_is_said_empty_not_to_be_converted(tmp_path):
    """A fallback of 0 bytes (a copy that did not finish) was told to be converted to PNG or JPEG, a PNG already;
    a show naming it (or an empty image: input) likewise."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "stall.png").write_bytes(b"")
    with pytest.raises(ImageError) as err:
        FallbackImages(32, 24).get(str(tmp_path / "stall.png"))
    assert err.value.message == f"image {tmp_path / 'stall.png'} is empty (0 bytes)"
    assert err.value.fix.startswith("its copy, download or export did not finish")
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {fallback: stall.png, input: 'image:stall.png'}\npresets:\n  - {name: a, prompt: b}\n",
                   str(tmp_path / "show.yaml"))
    empty = f"stall.png is empty (0 bytes, looked at {tmp_path / 'stall.png'}); its copy, download or export did not " \
        "finish, or it is still being written: give it once it is whole"
    assert [p.split(": ", 1)[1] for p in err.value.problems] == [f"defaults fallback: image {empty}",
                                                                  f"defaults input: image {empty}"]


def test_a_video_or_a_sound_file_given_as_the_fallback_is_said_as_one(tmp_path):
    """A loop given as --fallback (a clip meant to play through a stall) was told to be converted to PNG or JPEG,
    with no word that a fallback is one still picture, nor how to take one from it; a song likewise."""
    import av

    clip = str(tmp_path / "my loop.mp4")
    writer = cv2.VideoWriter(clip, cv2.VideoWriter_fourcc(*"mp4v"), 10, (32, 24))
    for i in range(3):
        writer.write(np.full((24, 32, 3), 40 * i, np.uint8))
    writer.release()
    with pytest.raises(ImageError) as err:
        FallbackImages(32, 24).get(clip)
    assert err.value.message == f"cannot read image {clip}: it is a video, and a fallback is one still picture"
    assert err.value.fix == f"export a frame of it as a picture: ffmpeg -i '{clip}' -frames:v 1 " \
        f"'{tmp_path / 'my loop-frame.png'}', and give that"
    named = str(tmp_path / "clip named.png")  # a video saved with a picture's ending: its frame is written apart
    os.rename(clip, named)
    with pytest.raises(ImageError) as err:
        FallbackImages(32, 24).get(named)
    assert err.value.fix == f"export a frame of it as a picture: ffmpeg -i '{named}' -frames:v 1 " \
        f"'{tmp_path / 'clip named-frame.png'}', and give that"
    song = str(tmp_path / "song.wav")
    with av.open(song, "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.rate = 8000
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    with pytest.raises(ImageError) as err:
        FallbackImages(32, 24).get(song)
    assert err.value.message == f"cannot read image {song}: it is a sound file, with no picture in it"


def test_an_icon_given_as_the_fallback_is_not_said_to_be_a_video(tmp_path):
    """FFmpeg reads an .ico as a video stream per size it holds, one picture each: it was said to be a video, with
    an ffmpeg line taking a frame of it."""
    from PIL import Image

    icon = str(tmp_path / "fav.ico")
    Image.new("RGB", (48, 48), (200, 10, 10)).save(icon, sizes=[(16, 16), (32, 32), (48, 48)])
    with pytest.raises(ImageError) as err:
        FallbackImages(32, 24).get(icon)
    assert err.value.message == f"cannot read image {icon}: it is not an image OpenCV decodes"
    assert err.value.fix == "convert it to PNG or JPEG"


def test_a_show_naming_a_sound_file_as_an_image_or_a_fallback_named_alike_says_so(tmp_path):
    """The show's check told a song named as image: to be converted to PNG or JPEG (a video is file:PATH), and a
    fallback (the show's, or --fallback) not found whose folder held it in another case only to check the path."""
    import av

    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    song = tmp_path / "song.wav"
    with av.open(str(song), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 800), np.int16), format="s16", layout="mono")
        frame.rate = 8000
        for packet in [*stream.encode(frame), *stream.encode()]:
            out.mux(packet)
    image(tmp_path / "Logo.png", 90)
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {fallback: logo.png, input: image:song.wav}\npresets:\n  - {name: a, prompt: b}\n",
                   str(tmp_path / "show.yaml"))
    alike = "its folder holds Logo.png, named alike: check the name's case and its ending"
    assert err.value.problems == [
        f"{tmp_path / 'show.yaml'}:1: defaults fallback: image logo.png not found (looked at {tmp_path / 'logo.png'}); "
        f"{alike}",
        f"{tmp_path / 'show.yaml'}:1: defaults input: image song.wav is a sound file, with no picture in it (looked "
        f"at {song}); give a picture (image:PATH) or a video (file:PATH)"]
    with pytest.raises(ImageError) as refused:
        FallbackImages(32, 24).get(str(tmp_path / "logo.png"))
    assert refused.value.fix == alike


def test_a_show_naming_a_video_as_a_fallback_says_a_fallback_is_one_still_picture(tmp_path):
    """The show's check told a clip named as a fallback to be converted to PNG or JPEG."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    writer = cv2.VideoWriter(str(tmp_path / "loop.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 10, (32, 24))
    for i in range(3):
        writer.write(np.full((24, 32, 3), 40 * i, np.uint8))
    writer.release()
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {fallback: loop.mp4}\npresets:\n  - {name: a, prompt: b}\n",
                   str(tmp_path / "show.yaml"))
    [problem] = err.value.problems
    clip = tmp_path / "loop.mp4"
    assert problem == f"{tmp_path / 'show.yaml'}:1: defaults fallback: loop.mp4 is a video, and a fallback is one " \
        f"still picture (looked at {clip}); export a frame of it as a picture: ffmpeg -i {clip} -frames:v 1 " \
        f"{tmp_path / 'loop-frame.png'}, and give that"


# The start of a HEIC as libheif writes one (heic first), and as a camera may (mif1 first, heic among the others)
HEIC_HEADS = [b"\0\0\0\x1cftypheic\0\0\0\0mif1heicmiaf", b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"]


@pytest.mark.parametrize("head", HEIC_HEADS)
@pytest.mark.parametrize("name", ["photo.heic", "photo.jpg"])
def test_a_heic_is_said_to_be_one_with_how_to_convert_it(tmp_path, head, name):
    """An iPhone's photo, as a fallback, an image: input or in a show, was "not an image OpenCV decodes", told to
    be converted (with no word of the tool that reads a HEIC), or given as a video, file:."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError
    from vcam.live.inputs import ImageSource, InputError

    why = "a HEIC photo (an iPhone's), which OpenCV does not decode"
    fix = ("convert it to JPEG or PNG: sips -s format jpeg IN.heic --out OUT.jpg on a Mac, heif-convert IN.heic "
           "OUT.jpg on Linux")
    path = tmp_path / name
    path.write_bytes(head + b"\0\0\1\xadmeta" + bytes(range(256)) * 4)
    with pytest.raises(ImageError) as fallback:
        FallbackImages(16, 16).get(str(path))
    assert (fallback.value.message, fallback.value.fix) == (f"cannot read image {path}: it is {why}", fix)
    with pytest.raises(InputError) as image:
        ImageSource(str(path), 16, 16)
    assert (image.value.message, image.value.fix) == (f"cannot read {path} as an image: it is {why}", fix)
    with pytest.raises(ConfigError) as err:
        parse_show(f"defaults: {{fallback: {name}}}\npresets:\n  - {{name: a, prompt: b, input: 'image:{name}'}}\n",
                   str(tmp_path / "show.yaml"))
    assert [problem.split(": ", 1)[1] for problem in err.value.problems] == [
        f"defaults fallback: {name} is {why} (looked at {path}); {fix}",
        f"preset 'a' input: image {name} is {why} (looked at {path}); {fix}"]


def test_a_fallback_a_mac_stored_decomposed_is_found_as_typed_and_decoded_once(tmp_path, counted):
    """`--fallback café.png` typed as the keyboard writes it (NFC) was "not found" where a Mac stored the file as e
    and an accent (NFD), though `--in café.mp4` and a show's `fallback: café.png` beside it were found."""
    import unicodedata

    stored = image(tmp_path / unicodedata.normalize("NFD", "café.png"), 90)
    images = FallbackImages(32, 24)
    typed = str(tmp_path / unicodedata.normalize("NFC", "café.png"))
    first = images.get(typed)
    assert first.shape == (24, 32, 3) and first[12, 16].tolist() == [90, 90, 90]
    assert images.get(typed) is first and counted == [os.path.basename(stored)]


def test_a_link_a_mac_stored_decomposed_whose_image_is_gone_is_said_once_as_a_plain_named_one_is(tmp_path):
    """Typed `café.png` (NFC), its link stored as e and an accent (NFD): with its image deleted the picture stayed
    without a word, where a link named as typed said "not found" once."""
    import unicodedata

    path = tmp_path / unicodedata.normalize("NFD", "café.png")
    os.symlink(image(tmp_path / "one.png", 70), path)
    typed = str(tmp_path / unicodedata.normalize("NFC", "café.png"))
    images = FallbackImages(32, 24)
    images.warm([typed])
    os.remove(tmp_path / "one.png")
    said = []
    assert all(int(images.get(typed, said.append).max()) == 70 for _ in range(3))
    assert len(said) == 1 and "not found: the fallback image as it was before stays" in said[0]


@pytest.mark.parametrize("head", HEIC_HEADS)
def test_a_heic_photo_named_as_a_clip_is_refused_by_the_check_as_the_run_refuses_it(tmp_path, capsys, head):
    """`input: file:photo.heic`: vcam check said ok, and the run refused the preset on air (a HEIC is a still)."""
    from vcam.cli import main
    from vcam.live.inputs import ClipSource, InputError

    path = tmp_path / "photo.heic"
    path.write_bytes(head + b"\0\0\1\xadmeta" + bytes(range(256)) * 4)
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: b, input: 'file:photo.heic'}\n")
    with pytest.raises(InputError) as run:
        ClipSource(str(path), 16, 16)
    assert main(["check", str(show)]) == 2
    said = capsys.readouterr().err
    assert f"preset 'a' input: file photo.heic cannot play as a video: it is a HEIC photo (an iPhone's), a still " \
        f"picture (looked at {path}); {run.value.fix}" in said
    assert run.value.message.endswith("it is a HEIC photo (an iPhone's), a still picture")
