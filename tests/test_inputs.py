"""The video a stream restyles, on the light side: the input spec, live frames spread over a block, a clip by
position, a still image, a camera through a test double (lost and found again) and the switch between them."""
import os
import random
import platform
import threading

import cv2
import numpy as np
import pytest

from fake_capture import WEBCAM, FakeDevice, nearest
from helpers import pyav_clip, wait_for, write_clip
from vcam.errors import VcamError
from vcam.inspec import InputSpec, parse_input
from vcam.live.inputs import (CameraSource, ClipSource, ImageSource, InputError, InputSwitch, LiveFrames,
                              check_input, open_device, spread)
from vcam.live.inputs import clip as clip_module
from vcam.live.inputs.camera import capture_mode

W, H = 32, 24  # the stream's size in these tests


class Clock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def numbered(i: int, size=(W, H)) -> np.ndarray:
    """A frame whose every pixel is `i`: what a take gives back tells which frames it chose."""
    return np.full((size[1], size[0], 3), i, dtype=np.uint8)


def taken(block: np.ndarray) -> list[int]:
    return [int(v) for v in block[:, 0, 0, 0]]


def live(**kw) -> LiveFrames:
    return LiveFrames(W, H, "crop", name="camera:0", first_wait_s=0, **kw)


# --- the input spec ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, kind, target", [
    ("none", "none", ""), ("camera", "camera", ""), ("camera:2", "camera", "2"),
    ("camera:/dev/video10", "camera", "/dev/video10"), ("file:clip.mp4", "file", "clip.mp4"),
    ("file:/abs/with:colon.mp4", "file", "/abs/with:colon.mp4"), ("image:photo.png", "image", "photo.png"),
    ("net", "net", ""), ("  Camera:1 ", "camera", "1"),
])
def test_parse_input_reads_every_form(text, kind, target):
    spec = parse_input(text)
    assert spec == InputSpec(kind, target)
    assert parse_input(str(spec)) == spec


@pytest.mark.parametrize("text, kind, target", [
    ("image: /tmp/x.png", "image", "/tmp/x.png"), ("file: a.mp4", "file", "a.mp4"), ("camera: 0", "camera", "0"),
    ("FILE:\t my clip.mp4", "file", "my clip.mp4"), ("camera:  /dev/video2", "camera", "/dev/video2"),
])
def test_a_space_after_an_inputs_kind_is_no_part_of_its_target(text, kind, target):
    """`image: /tmp/x.png`, typed as one writes a key and its value, was read as the relative path ' /tmp/x.png'
    and `camera: 0` refused as neither an index nor a device."""
    assert parse_input(text) == InputSpec(kind, target)


def test_an_input_whose_name_starts_with_a_space_is_written_so_that_it_reads_back_as_that_file():
    """Written as `file: a.png`, read back (a command's line goes through twice) as a.png: another file, played
    without a word where both are there."""
    written = str(InputSpec("file", " a.png"))
    assert os.path.normpath(parse_input(written).target) == " a.png", written


@pytest.mark.parametrize("text, says", [("none: ", "takes nothing after 'none'"), ("camera: ", "needs a device"),
                                        ("image:  ", "needs a path"), ("clip: a.mp4", "did you mean file:a.mp4[?]")])
def test_a_space_after_an_inputs_kind_leaves_a_form_refused_as_it_was(text, says):
    with pytest.raises(ValueError, match=says):
        parse_input(text)


@pytest.mark.parametrize("text, says", [
    ("dvd", "unknown input"), ("", "unknown input"), ("rtsp://cam.local/live", "is an address"),
    ("file:rtsp://cam.local/live", "'rtsp://cam.local/live' is an address: .* download the clip .* as file:PATH"),
    ("image:https://example.com/a.png", "is an address: .* download the image and show it as image:PATH"),
    ("cam:front", "unknown input"),
    ("none:x", "takes nothing"), ("net:5", "takes nothing"),
    ("file:", "needs a path"), ("image:", "needs a path"), ("camera:", "needs a device"),
    ("camera:front", "neither an index"), ("camera:²", "neither an index"),
])
def test_parse_input_refuses_bad_forms_saying_why(text, says):
    with pytest.raises(ValueError, match=says):
        parse_input(text)


def test_an_unknown_input_of_thousands_of_characters_is_said_back_cut():
    """A word of thousands of characters (sent over OSC or the network) was said back whole on the terminal."""
    with pytest.raises(ValueError) as e:
        parse_input("x" * 4000)
    assert str(e.value).startswith("unknown input 'xxxx") and "x…':" in str(e.value)
    assert len(str(e.value)) < 300


@pytest.mark.parametrize("kind", ["file", "image"])
def test_a_local_files_address_is_answered_with_its_path(kind):
    """A file:// address (a browser's bar, a file manager's copy): it is no download, and the fix said to get
    one; its path is what to give."""
    with pytest.raises(ValueError) as raised:
        parse_input(f"{kind}:file:///home/me/My%20Clips/a.mp4")
    assert str(raised.value) == ("'file:///home/me/My%20Clips/a.mp4' is a file's address: give its path, as "
                                 f"'{kind}:/home/me/My Clips/a.mp4'")


def test_a_local_files_address_pasted_whole_is_answered_with_its_path():
    """`input file:///home/me/My%20Clips/a.mp4` (a file manager's or a browser's address, pasted after `input `)
    was looked for as the path /home/me/My%20Clips/a.mp4 and said as no such file."""
    with pytest.raises(ValueError) as raised:
        parse_input("file:///home/me/My%20Clips/a.mp4")
    assert str(raised.value) == ("'file:///home/me/My%20Clips/a.mp4' is a file's address: give its path, as "
                                 "'file:/home/me/My Clips/a.mp4'")


def test_a_pictures_address_pasted_whole_is_answered_with_its_path_as_an_image():
    """`input file:///pics/my%20logo.png` was offered file:/pics/my logo.png, refused in turn as no video."""
    with pytest.raises(ValueError) as raised:
        parse_input("file:///pics/my%20logo.png")
    assert str(raised.value).endswith("give its path, as 'image:/pics/my logo.png'")


def test_a_file_given_with_slashes_doubled_that_is_there_plays(tmp_path):
    clip = tmp_path / "a.mp4"
    clip.write_bytes(b"x")
    assert os.path.samefile(parse_input(f"file://{clip}").target, clip)


def test_a_path_into_a_folder_named_like_an_address_is_a_path_where_it_is_there(tmp_path, monkeypatch):
    """A folder named `http:`, its clip written with a doubled slash: the file is there, so it is played, not
    refused as an address to download."""
    (tmp_path / "http:").mkdir()
    (tmp_path / "http:" / "clip.mp4").write_bytes(b"x")
    monkeypatch.chdir(tmp_path)
    assert parse_input("file:http://clip.mp4") == InputSpec("file", "http://clip.mp4")
    with pytest.raises(ValueError, match="is an address"):
        parse_input("file:http://other.mp4")


@pytest.mark.parametrize("text, target", [
    (r"file:/Users/me/My\ Clips/loop\ \(2\).mp4", "/Users/me/My Clips/loop (2).mp4"),  # macOS Terminal, iTerm
    (r"file:~/clips/my\ loop.mp4", "~/clips/my loop.mp4"),  # a shell's tab completion
    (r"file:a\'b\"c\&d\[e\]f\!g\$h\;i\#j\,k.mp4", "a'b\"c&d[e]f!g$h;i#j,k.mp4"),
    (r"file:C:\clips\a.mp4", r"C:\clips\a.mp4"),  # Windows: a backslash before a letter or digit stays
    (r"file:C:\clips\(old)\[2024]\a.mp4", r"C:\clips\(old)\[2024]\a.mp4"),  # a drive's path keeps them all
    (r"file:\\server\share\(old)\a.mp4", r"\\server\share\(old)\a.mp4"),  # as does a share's
    (r"file:clips\0\a.mp4", r"clips\0\a.mp4"), (r"file:a\\\ b.mp4", r"a\\ b.mp4"),
])
def test_a_paths_shell_escapes_are_taken_out_and_a_windows_paths_backslashes_kept(text, target):
    """A clip dropped on a Mac's terminal was looked for with its backslashes in its name: not found."""
    spec = parse_input(text)
    assert spec == InputSpec("file", target) and parse_input(str(spec)) == spec


@pytest.mark.parametrize("written, path", [
    (r"back\\slash.mp4", "back\\slash.mp4"), (r"back\slash.mp4", "back\\slash.mp4"), ("end\\\\", "end\\"),
    # kept doubled, so that it reads back the same (`\(` would be `(`): a name with a backslash before a space or a
    # bracket of its own is one no line names
    (r"odd\\\(1\).mp4", r"odd\\(1).mp4"),
])
def test_a_backslash_in_a_name_as_a_shell_writes_it_is_one(written, path):
    r"""A Mac drops a clip named `back\slash.mp4` as `back\\slash.mp4`: both backslashes were kept, no such file."""
    from vcam.inspec import unescaped

    assert unescaped(written, windows=False) == path
    assert unescaped(path, windows=False) == path


def test_on_windows_no_backslash_is_an_escape():
    from vcam.inspec import unescaped

    assert unescaped(r"clips\(old)\a.mp4", windows=True) == r"clips\(old)\a.mp4"
    assert unescaped(r"clips\(old)\a.mp4", windows=False) == "clips(old)\\a.mp4"


@pytest.mark.parametrize("text, meant", [
    ("/home/me/clip.mp4", "file:/home/me/clip.mp4"), ("clip.mp4", "file:clip.mp4"),
    ("~/Pictures/Photo.JPG", "image:~/Pictures/Photo.JPG"), ("./camera", "file:./camera"),
    (r"/Users/me/My\ Clips/loop\ \(2\).mp4", "file:/Users/me/My Clips/loop (2).mp4"),
    (r"C:\clips\a.mp4", r"file:C:\clips\a.mp4"), ("/dev/video2", "camera:/dev/video2"),
    ("/home/me/a:b.mp4", "file:/home/me/a:b.mp4"),
    # an iPhone's photo is a picture: offered as a clip, it was told damaged or still being recorded
    ("~/Pictures/IMG_0001.HEIC", "image:~/Pictures/IMG_0001.HEIC"), ("photo.heif", "image:photo.heif"),
])
def test_a_path_without_its_kind_is_refused_with_the_input_it_most_likely_is(text, meant):
    """`/home/me/clip.mp4` was an "unknown input" with the list of forms: the fix is one word, so it is said."""
    from vcam.inspec import BarePathError

    with pytest.raises(BarePathError) as err:
        parse_input(text)
    assert str(err.value) == f"a path needs its kind first: did you mean {meant}?"
    assert parse_input(meant) == err.value.meant  # what it says reads back as that input


def test_an_iphone_photo_named_with_another_word_for_a_clip_is_offered_as_an_image():
    """`clip:IMG_0001.heic` was offered file:IMG_0001.heic, which told the photo damaged or a HEIC only once played."""
    from vcam.inspec import MeantError

    with pytest.raises(MeantError) as err:
        parse_input("clip:IMG_0001.heic")
    assert str(err.value) == "'clip' is no kind of input: did you mean image:IMG_0001.heic?"


@pytest.mark.parametrize("text, why, meant", [
    ("fil:a.mp4", "'fil' is no kind of input", "file:a.mp4"),
    ("imgae:/pics/b.png", "'imgae' is no kind of input", "image:/pics/b.png"),
    ("clip:My\\ Clips/a.mp4", "'clip' is no kind of input", "file:My Clips/a.mp4"),
    ("cam:0", "'cam' is no kind of input", "camera:0"), ("Cam:/dev/video2", "'Cam' is no kind of input",
                                                           "camera:/dev/video2"),
    ("camera1", "'camera1' is no input", "camera:1"), ("video0", "'video0' is no input", "camera:0"),
    ("0", "'0' is no input", "camera:0"), ("webcam", "'webcam' is no input", "camera"),
])
def test_a_kind_mistyped_or_a_camera_named_otherwise_is_answered_with_the_input_meant(text, why, meant):
    """`fil:a.mp4` was taken for a path without its kind: "did you mean file:fil:a.mp4?" kept the typo in the name;
    `camera1` or `cam:0` was an unknown input with the list of forms."""
    from vcam.inspec import MeantError

    with pytest.raises(MeantError) as err:
        parse_input(text)
    assert str(err.value) == f"{why}: did you mean {meant}?"
    assert parse_input(meant) == err.value.meant


@pytest.mark.parametrize("text, kind, target", [
    ('file:"my clip.mp4"', "file", "my clip.mp4"), ("image:'/pics/a b.png'", "image", "/pics/a b.png"),
    ("image: '/pics/a b.png'", "image", "/pics/a b.png"), ("file:'/clips/Bob'\\''s loop.mp4'", "file",
                                                           "/clips/Bob's loop.mp4"),
])
def test_a_path_in_quotes_after_its_kind_is_read_without_them(text, kind, target):
    """A show's `input: file:"my clip.mp4"` or `--in "image:'a b.png'"` kept the quotes in the name: refused at
    the start as not found (looked at /shows/"my clip.mp4"), where the typed `input` command plays the file."""
    spec = parse_input(text)
    assert spec == InputSpec(kind, target)
    assert parse_input(str(spec)) == spec


def test_a_file_named_with_quotes_that_is_there_is_that_file(tmp_path, monkeypatch):
    """`--in 'file:"x.mp4"'` opened x.mp4 where a file really named `"x.mp4"` is there; quotes round a name that
    is not there still go."""
    monkeypatch.chdir(tmp_path)
    write_clip(str(tmp_path / "x.mp4"), 2)
    os.link(tmp_path / "x.mp4", tmp_path / '"x.mp4"')  # OpenCV writes no file whose name holds quotes
    assert parse_input('file:"x.mp4"') == InputSpec("file", '"x.mp4"')
    assert parse_input('file:"y.mp4"') == InputSpec("file", "y.mp4")


def test_a_shows_input_in_quotes_after_its_kind_is_the_file_they_name(tmp_path):
    from vcam.control.show import load_show

    write_clip(str(tmp_path / "my clip.mp4"), 2)
    cv2.imwrite(str(tmp_path / "my photo.png"), np.zeros((H, W, 3), np.uint8))
    (tmp_path / "show.yaml").write_text("""defaults: {input: file:"my clip.mp4"}
presets:
  - name: a
    prompt: a cat
    input: image:'my photo.png'
""")
    show = load_show(tmp_path / "show.yaml")
    assert show.defaults.input == f"file:{tmp_path / 'my clip.mp4'}"
    assert show.presets[0].input == f"image:{tmp_path / 'my photo.png'}"


def test_a_name_that_has_its_own_quotes_is_written_so_that_it_reads_back_as_that_file():
    for spec in (InputSpec("file", "'take 2'.mp4'"), InputSpec("image", '"a.png"')):
        assert os.path.normpath(parse_input(str(spec)).target) == spec.target, str(spec)


def test_a_kind_named_otherwise_before_a_path_in_quotes_is_answered_without_them():
    """`--in "clip: '/x.mp4'"` was answered `did you mean --in 'file:'"'"'/x.mp4'"'"''`: a fix that names no file."""
    from vcam.inspec import MeantError

    with pytest.raises(MeantError) as err:
        parse_input("clip: '/clips/my loop.mp4'")
    assert err.value.meant == InputSpec("file", "/clips/my loop.mp4")


@pytest.mark.parametrize("text, meant", [
    ("clip: photo.png", "image:photo.png"), ("video:/pics/Logo.JPG", "image:/pics/Logo.JPG"),
    ("photo:/clips/loop.mp4", "file:/clips/loop.mp4"), ("picture:intro.MOV", "file:intro.MOV"),
    ("img:logo", "image:logo"), ("movie:a", "file:a"),
])
def test_a_kind_named_by_another_word_is_answered_with_the_kind_its_files_ending_names(text, meant):
    """`photo:/clips/loop.mp4` was answered `did you mean image:/clips/loop.mp4?`, itself refused as no image (a
    video is file:PATH); `clip: photo.png` was offered file:, where a still is image: (reloaded when saved again)."""
    from vcam.inspec import MeantError

    with pytest.raises(MeantError) as err:
        parse_input(text)
    assert err.value.meant == parse_input(meant)


@pytest.mark.parametrize("text, meant", [
    ("clip /clips/loop.mp4", "file:/clips/loop.mp4"), ("video  /clips/a:b.mov", "file:/clips/a:b.mov"),
    ("photo ./logo.png", "image:./logo.png"), ("picture '/pics/my photo.png'", "image:/pics/my photo.png"),
    ("file a.mp4", "file:a.mp4"), ("image still.png", "image:still.png"), ("video 0", "camera:0"),
    ('still "my logo.png"', "image:my logo.png"), ("clip ~/loop.mp4", "file:~/loop.mp4"),
])
def test_another_word_for_a_kind_then_a_space_before_the_path_is_answered_with_the_input_meant(text, meant):
    """`input clip /clips/loop.mp4` was answered `did you mean input file:clip /clips/loop.mp4?`: a file no one
    has, its word for the kind kept in the name."""
    from vcam.control.commands import CommandError, parse
    from vcam.inspec import MeantError

    with pytest.raises(MeantError) as err:
        parse_input(text)
    assert err.value.meant == parse_input(meant)
    with pytest.raises(CommandError) as typed:
        parse(f"input {text}")
    said = str(typed.value).partition("did you mean input ")[2].removesuffix("?")
    assert parse(f"input {said}").args[0] == str(parse_input(meant))  # the line offered plays it


def test_a_file_whose_name_starts_with_a_word_for_a_kind_is_offered_as_that_file(tmp_path, monkeypatch):
    from vcam.inspec import BarePathError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "clip 2.mp4").write_bytes(b"x")
    with pytest.raises(BarePathError) as err:
        parse_input("clip 2.mp4")
    assert err.value.meant == InputSpec("file", "clip 2.mp4")


@pytest.mark.parametrize("text, meant", [("Photo 1.png", "image:Photo 1.png"), ("Video 1.mp4", "file:Video 1.mp4"),
                                         ("clip 2.mp4", "file:clip 2.mp4")])
def test_a_file_named_with_a_word_for_a_kind_first_is_offered_whole_whatever_folder_vcam_runs_in(
        text, meant, tmp_path, monkeypatch):
    """A show's `input: Photo 1.png` (the file beside the show, not in the folder vcam runs in) was answered did
    you mean image:1.png?, a file no one has."""
    from vcam.inspec import BarePathError

    monkeypatch.chdir(tmp_path)  # the show's folder is elsewhere
    with pytest.raises(BarePathError) as err:
        parse_input(text)
    assert err.value.meant == parse_input(meant)


def test_taking_a_paths_escapes_out_twice_changes_nothing_more():
    from vcam.inspec import unescaped

    rng = random.Random(3)
    for _ in range(2000):
        path = "".join(rng.choice("\\\\ (a1.:/'@") for _ in range(rng.randrange(12)))
        once = unescaped(path, windows=False)
        assert unescaped(once, windows=False) == once


def test_a_show_files_paths_are_relative_to_the_show():
    assert parse_input("file:clips/a.mp4").relative_to("/shows") == InputSpec("file", "/shows/clips/a.mp4")
    assert parse_input("image:/abs/b.png").relative_to("/shows") == InputSpec("image", "/abs/b.png")
    assert parse_input("camera:0").relative_to("/shows") == InputSpec("camera", "0")
    assert parse_input("camera").live and parse_input("net").live and not parse_input("file:a.mp4").live


# --- live frames ------------------------------------------------------------------------------------------------

def test_spread_is_even_ends_at_the_newest_and_repeats_when_short():
    assert spread(30, 12) == [2, 4, 7, 9, 12, 14, 17, 19, 22, 24, 27, 29]
    assert spread(12, 12) == list(range(12))
    short = spread(5, 12)
    assert short[-1] == 4 and sorted(short) == short and set(short) == {0, 1, 2, 3, 4}
    assert max(short.count(i) for i in range(5)) - min(short.count(i) for i in range(5)) <= 1
    assert spread(1, 9) == [0] * 9


def test_a_block_is_spread_over_the_frames_that_arrived_since_the_last():
    frames = live()
    for i in range(30):
        frames.push(numbered(i))
    first = frames.frames(0, 12)
    assert first.shape == (12, H, W, 3) and first.dtype == np.uint8
    assert taken(first) == [2, 4, 7, 9, 12, 14, 17, 19, 22, 24, 27, 29]
    for i in range(30, 39):
        frames.push(numbered(i))
    assert taken(frames.frames(12, 9)) == list(range(30, 39))  # only what came since: none of the first 30


def test_fewer_frames_than_asked_repeat_evenly_newest_last():
    frames = live()
    for i in range(4):
        frames.push(numbered(i))
    assert taken(frames.frames(0, 12)) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]


def test_a_stall_reuses_the_newest_frame_and_the_status_says_so():
    clock = Clock()
    frames = live(clock=clock, stall_after_s=1.0)
    frames.push(numbered(7))
    frames.push(numbered(8))
    clock.now += 0.08
    assert frames.status() == "in camera:0 0.08 s old"
    assert frames.age() == pytest.approx(0.08)
    assert taken(frames.frames(0, 12))[-1] == 8
    clock.now += 3.12
    again = frames.frames(12, 12)
    assert taken(again) == [8] * 12  # nothing new: held still, never a jump back in time
    assert frames.reused == 1 and frames.stalled
    assert frames.status() == "in camera:0 stalled 3.2 s: reusing the last frames"
    frames.push(numbered(9))
    assert frames.status() == "in camera:0 0.00 s old" and not frames.stalled
    assert taken(frames.frames(24, 12)) == [9] * 12 and frames.reused == 1


def test_push_at_a_given_time_sets_the_age():
    clock = Clock(50.0)
    frames = live(clock=clock)
    frames.push(numbered(1), at=49.5)
    assert frames.age() == pytest.approx(0.5)


def test_memory_stays_bounded_and_the_spread_covers_the_whole_wait():
    frames = live(cap=48)
    for i in range(1000):
        frames.push(numbered(i % 256))
        assert len(frames._pending) <= 49
    block = frames.frames(0, 12)
    # the even sample is every 32nd arrival (0, 32, …, 992) and the newest: the block spans the whole wait
    arrivals = list(range(0, 1000, 32)) + [999]
    assert taken(block) == [arrivals[i] % 256 for i in spread(len(arrivals), 12)]
    assert taken(block)[0] < 100 and taken(block)[-1] == 999 % 256


def test_frames_of_any_size_are_fitted_to_the_stream():
    frames = live()
    frames.push(numbered(5, size=(200, 100)))
    assert frames.frames(0, 9).shape == (9, H, W, 3)
    unsized = LiveFrames(first_wait_s=0)
    unsized.push(numbered(3, size=(60, 30)))
    unsized.fit_to(W, H, "letterbox")
    block = unsized.frames(0, 9)
    assert block.shape == (9, H, W, 3)
    assert block[0, 0, 0, 0] == 0 and block[0, H // 2, W // 2, 0] == 3  # letterboxed: black bars above/below


def test_the_pushed_frame_is_copied_so_the_pusher_may_reuse_its_buffer():
    frames = live()
    buffer = numbered(1)
    frames.push(buffer)
    buffer[:] = 200
    assert taken(frames.frames(0, 9)) == [1] * 9


def test_before_the_first_frame_a_take_gives_black_and_the_status_waits():
    frames = live()
    assert frames.age() is None
    assert frames.status() == "in camera:0: waiting for the first input frame"
    block = frames.frames(0, 9)
    assert block.shape == (9, H, W, 3) and not block.any()


def test_a_take_waits_a_moment_for_the_first_frame():
    frames = LiveFrames(W, H, first_wait_s=60)
    got = []
    taker = threading.Thread(target=lambda: got.append(frames.frames(0, 9)))
    taker.start()
    frames.push(numbered(42))
    taker.join(60)
    assert not taker.is_alive() and taken(got[0]) == [42] * 9


def test_push_refuses_what_is_no_rgb_frame():
    frames = live()
    for bad in (np.zeros((H, W), np.uint8), np.zeros((H, W, 3), np.float32), np.zeros((H, W, 4), np.uint8),
                np.zeros((0, W, 3), np.uint8), "frame"):
        with pytest.raises(ValueError, match="RGB uint8"):
            frames.push(bad)
    assert frames.pushed == 0


def test_pushes_from_threads_while_blocks_are_taken():
    frames = live(cap=8)

    def pusher(base):
        for i in range(300):
            frames.push(numbered(base + i % 100))

    threads = [threading.Thread(target=pusher, args=(b,)) for b in (0, 100)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        assert frames.frames(0, 12).shape == (12, H, W, 3)
    for t in threads:
        t.join()
    assert frames.pushed == 600 and frames.frames(0, 12).shape == (12, H, W, 3)


# --- a clip and an image ----------------------------------------------------------------------------------------

CLIP_FRAMES = 20


def clip_frames(block: np.ndarray) -> list[int]:
    return [round(float(f.mean()) / 10) for f in block]


@pytest.fixture
def clip_path(tmp_path):
    """A clip at the show's default rate (30 fps): one of its frames for each of the show's."""
    return write_clip(tmp_path / "clip.avi", fps=30)


def test_a_clip_plays_by_position_and_loops(clip_path):
    clip = ClipSource(clip_path, W, H)
    assert clip.length == CLIP_FRAMES
    first = clip.frames(0, 9)
    assert first.shape == (9, H, W, 3) and first.dtype == np.uint8
    assert clip_frames(first) == list(range(9))
    assert clip_frames(clip.frames(9, 12)) == [9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 0]
    assert clip_frames(clip.frames(45, 12)) == [(45 + i) % 20 for i in range(12)]
    assert clip.status() == "in clip.avi 17/20"
    clip.close()


def test_a_clip_gives_the_same_frames_for_the_same_start_in_any_order(clip_path, monkeypatch):
    monkeypatch.setattr(clip_module, "KEEP", 3)  # so going back reopens the file rather than reading what is kept
    played = ClipSource(clip_path, W, H)
    forward = [played.frames(start, 12) for start in (0, 12, 24, 36)]
    jumping = ClipSource(clip_path, W, H)
    for start in (36, 12, 24, 0, 12):
        assert np.array_equal(jumping.frames(start, 12), forward[start // 12])
    assert len(jumping._kept) <= 3  # decoded as it plays, never the whole clip
    played.close()
    jumping.close()


def test_a_clip_shorter_than_a_block_repeats_itself(tmp_path):
    clip = ClipSource(write_clip(tmp_path / "short.avi", count=5, fps=30), W, H)
    assert clip_frames(clip.frames(3, 12)) == [(3 + i) % 5 for i in range(12)]


@pytest.mark.parametrize("clip_fps, show_fps, played", [
    (60, 30, [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 0, 2]),  # every other frame: as filmed
    (10, 30, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]),  # each frame three times
    (25, 30, [0, 0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9]),
    (30, 60, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]),
    (60, 60, list(range(12))),
])
def test_a_clip_plays_at_its_own_speed_on_the_shows_frames(tmp_path, clip_fps, show_fps, played):
    clip = ClipSource(pyav_clip(tmp_path / "clip.mp4", clip_fps), W, H, fps=show_fps)
    try:
        assert clip.length == 20 and clip.rate == clip_fps
        assert clip_frames(clip.frames(0, 9)) + clip_frames(clip.frames(9, 3)) == played
    finally:
        clip.close()


def test_a_clip_loops_on_its_own_timeline(tmp_path):
    """21 frames at 60 fps in a 30 fps show: the second time round it shows the odd frames, 1/60 s later, as a
    clock running on over the loop would; no frame shown twice or skipped where the loop closes."""
    clip = ClipSource(pyav_clip(tmp_path / "odd.mp4", 60, count=21), W, H, fps=30)
    try:
        assert clip_frames(clip.frames(8, 6)) == [16, 18, 20, 1, 3, 5]
        assert clip.status() == "in odd.mp4 6/21"
        assert [clip.index(n) for n in (21, 10_000_000)] == [0, 10_000_000 * 2 % 21]  # no drift however long
    finally:
        clip.close()


def test_a_clip_at_nearly_the_shows_rate_plays_frame_for_frame(tmp_path):
    """29.97 fps (NTSC) in a 30 fps show: every frame once, as before clips played at their own speed, rather than
    one repeated every 33 s."""
    import fractions

    clip = ClipSource(pyav_clip(tmp_path / "ntsc.mp4", fractions.Fraction(30000, 1001)), W, H, fps=30)
    try:
        assert clip.step == 1 and clip_frames(clip.frames(12, 12)) == [(12 + i) % 20 for i in range(12)]
    finally:
        clip.close()


def test_a_variable_rate_phone_clip_plays_at_its_average_rate(tmp_path):
    """Frames 10 ms and 90 ms apart in turn (50 ms on average, a phone's rate as the light changes): in a 30 fps
    show it plays at about 20 frames a second, not at the 30 its stream was opened with."""
    phone = pyav_clip(tmp_path / "phone.mp4", 30, times_ms=lambda i: i * 50 - (i % 2) * 40)
    clip = ClipSource(phone, W, H, fps=30)
    try:
        assert 19 < clip.rate < 22 and clip.step < 0.75
        shown = [clip.index(n) for n in range(60)]
        first = shown[:shown.index(0, shown.index(19))]  # up to where it loops
        assert first == sorted(first) and set(first) == set(range(20))  # every frame in order, some twice
        assert abs(len(first) - 20 / clip.step) < 1  # the clip takes its own time, ~0.94 s of the show
    finally:
        clip.close()


def test_a_fast_clip_gives_the_same_frames_for_the_same_start_in_any_order(tmp_path, monkeypatch):
    monkeypatch.setattr(clip_module, "KEEP", 3)
    path = pyav_clip(tmp_path / "fast.mp4", 60)
    played = ClipSource(path, W, H, fps=30)
    forward = [played.frames(start, 12) for start in (0, 12, 24)]
    jumping = ClipSource(path, W, H, fps=30)
    try:
        for start in (24, 0, 12, 0):
            assert np.array_equal(jumping.frames(start, 12), forward[start // 12])
    finally:
        played.close()
        jumping.close()


def test_a_clip_needs_a_show_of_a_positive_rate(clip_path):
    with pytest.raises(ValueError, match="positive frame rate"):
        ClipSource(clip_path, W, H, fps=0)


def test_a_missing_clip_is_a_clear_error(tmp_path):
    missing = str(tmp_path / "nope.mp4")
    with pytest.raises(InputError, match="nope.mp4: no such file") as raised:
        ClipSource(missing, W, H)
    assert isinstance(raised.value, ValueError) and isinstance(raised.value, VcamError)
    assert "relative to the folder vcam was started in" in raised.value.fix
    with pytest.raises(InputError, match="not a file"):
        ClipSource(str(tmp_path), W, H)


@pytest.mark.parametrize("kind, source", [("file", ClipSource), ("image", ImageSource)])
def test_a_named_pipe_given_as_a_clip_or_an_image_is_said_to_be_one(tmp_path, kind, source):
    """`input image:/tmp/fifo` said `not a file (check the path; a typed image: path is relative …)`: the path was
    right, and checking it again no fix."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("named pipes are POSIX")
    pipe = tmp_path / "feed"
    os.mkfifo(pipe)
    with pytest.raises(InputError) as raised:
        source(str(pipe), W, H)
    assert raised.value.message.endswith(f"{pipe} is a named pipe or a device, not a file")
    assert raised.value.fix == f"give a file: {kind}:PATH"


@pytest.mark.parametrize("kind, source, what, holds", [("file", ClipSource, "clip", "a.mp4, d.gif, b.png, ..."),
                                                        ("image", ImageSource, "image", "b.png, c.jpg, d.gif, ...")])
def test_a_folder_given_as_a_clip_or_an_image_is_said_to_be_one_with_the_files_it_holds(tmp_path, kind, source, what,
                                                                                        holds):
    """`--in file:clips` was told to check the path, which was right: the folder is said, and a file in it asked,
    those of the kind first (a folder given as file: listed its first three by name, pictures among
    them; a folder of clips given as image:, its clips)."""
    for name in ("a.mp4", "b.png", "c.jpg", "d.gif", ".hidden"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "sub").mkdir()
    with pytest.raises(InputError) as raised:
        source(str(tmp_path), W, H)
    assert raised.value.message.endswith(f"{tmp_path} is a folder, not a file")
    assert raised.value.fix == f"name one {what} in it: {kind}:{tmp_path / 'NAME'} (it holds {holds})"


def test_a_folder_with_a_space_is_said_in_shell_words_and_an_empty_one_as_holding_none(tmp_path):
    """`--in "file:My Clips"`: the fix to type was said without its quotes; an empty folder was asked for a file in
    it, which it does not hold."""
    folder = tmp_path / "My Clips"
    folder.mkdir()
    with pytest.raises(InputError) as raised:
        ClipSource(str(folder), W, H)
    assert raised.value.fix == "the folder holds no file: name a clip file, file:PATH"
    with pytest.raises(InputError) as raised:
        ImageSource(str(folder), W, H)
    assert raised.value.fix == "the folder holds no file: name an image file, image:PATH"  # not "a image"
    (folder / "take 1.mp4").write_bytes(b"x")
    with pytest.raises(InputError) as raised:
        ClipSource(str(folder), W, H)
    assert raised.value.fix == f"name one clip in it: 'file:{folder / 'NAME'}' (it holds take 1.mp4)"


def test_a_folder_that_cannot_be_listed_is_still_said_as_a_folder(tmp_path, monkeypatch):
    """No permission to read it (a test run as root reads any): a file in it may be named, nothing listed."""
    import vcam.live.inputs.clip as clip

    def refused(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(clip.os, "scandir", refused)
    with pytest.raises(InputError) as raised:
        ImageSource(str(tmp_path), W, H)
    assert raised.value.fix == f"name one image in it: image:{tmp_path / 'NAME'}"


def test_a_file_that_does_not_decode_is_a_clear_error(tmp_path):
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"not a video at all" * 100)
    with pytest.raises(InputError, match="cannot decode .*junk.mp4 as a video") as raised:
        ClipSource(str(junk), W, H)
    assert "ffmpeg -i" in raised.value.fix and "\n" not in str(raised.value)


def test_the_command_that_converts_a_clip_quotes_a_path_with_a_space_as_a_shell_takes_it(tmp_path):
    """`ffmpeg -i /home/me/My Clips/take.mp4 …`, pasted, gave ffmpeg `/home/me/My` for its input."""
    import shlex

    (tmp_path / "My Clips").mkdir()
    junk = tmp_path / "My Clips" / "take.mp4"
    junk.write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(200))  # starts as an MP4, cut short
    with pytest.raises(InputError) as raised:
        ClipSource(str(junk), W, H)
    command = raised.value.fix[raised.value.fix.index("ffmpeg -i"):]
    assert shlex.split(command)[:3] == ["ffmpeg", "-i", str(junk)]


@pytest.mark.parametrize("name", ["take\t2.mp4", "take\x1b[2J.mp4"])
def test_the_fix_for_a_clip_named_with_a_control_character_offers_no_command_to_paste(tmp_path, name):
    """Said as every name is, a tab or an ESC escaped, the ffmpeg command would paste a backslash and a letter
    where the name holds the character: the fix says to convert it, and why no command is given."""
    junk = tmp_path / name
    junk.write_bytes(b"\x00\x00\x00\x20ftypisom" + bytes(200))  # starts as an MP4, cut short
    with pytest.raises(InputError) as raised:
        ClipSource(str(junk), W, H)
    fix = raised.value.fix
    assert "ffmpeg -i" not in fix and fix.endswith(
        "convert it to H.264 in an MP4 with ffmpeg's -c:v libx264 -pix_fmt yuv420p; no command for it is said to "
        "paste, as its name holds a control character that a pasted line would not keep"), fix


UNPASTED = ("no input line for it is said to paste, as its name holds a control character that a pasted line would "
            "not keep")


@pytest.mark.parametrize("name", ["clips\t2", "clips\x1b[2J"])
def test_a_folder_named_with_a_control_character_is_answered_with_no_line_to_paste(tmp_path, name):
    """Said escaped, as every name is, the `file:` line to name a clip in it pasted a backslash and a letter where
    the folder's name holds the character: the fix says to name one, and why no line is given."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "a.mp4").write_bytes(b"x")
    with pytest.raises(InputError) as raised:
        ClipSource(str(folder), W, H)
    assert raised.value.fix == f"name one clip in it, file:PATH (it holds a.mp4); {UNPASTED}"


def test_a_picture_named_with_a_control_character_as_a_clip_is_answered_with_no_line_to_paste(tmp_path, monkeypatch):
    """A picture FFmpeg refuses, given as file:, is told to be shown as an image: the `image:` line offered pasted a
    backslash and a letter where its name holds a tab."""
    path = str(tmp_path / "huge\tphoto.jpg")
    cv2.imwrite(path, np.full((48, 64, 3), 90, np.uint8))
    monkeypatch.setattr(clip_module, "_first", lambda path, alpha: (None, None, None))  # as FFmpeg refuses it
    with pytest.raises(InputError) as raised:
        ClipSource(path, 64, 48)
    assert raised.value.fix == f"show it as an image, image:PATH; {UNPASTED}"


def test_an_animated_image_named_with_a_control_character_is_said_with_no_line_to_paste(tmp_path):
    """The `file:` line said to play an animated image as a clip pasted a backslash and a letter where its name
    holds an ESC."""
    path = _animated_webp(tmp_path / "anim\x1b.webp", [0, 80, 160, 240])
    said = []
    ImageSource(path, W, H, say=said.append)
    assert said == [f"image anim\x1b.webp is animated: only its first frame is used; file:PATH plays it as a clip "
                    f"({UNPASTED})"]


@pytest.mark.parametrize("name", ["cues.txt", "readme.nfo"])
def test_a_text_file_named_as_a_clip_is_refused_not_played_as_a_black_picture(tmp_path, name):
    """FFmpeg reads a .txt or .nfo file as ANSI art: `input file:cues.txt` was taken, and restyled black frames."""
    text = tmp_path / name
    text.write_text("preset 2\nbias 0.5\n" * 40)
    with pytest.raises(InputError, match=f"{name} is a text file, not a video") as raised:
        ClipSource(str(text), W, H)
    assert "file:PATH" in raised.value.fix and "image:PATH" in raised.value.fix
    with pytest.raises(InputError, match="is a text file"):
        InputSwitch(W, H).check(f"file:{text}")


def test_an_image_is_the_input_of_every_frame(tmp_path):
    bgr = np.zeros((50, 100, 3), dtype=np.uint8)
    bgr[:, :, 2] = 255  # red, in OpenCV's order
    bgr[:, 45:55] = (0, 255, 0)  # a green band in the middle
    path = str(tmp_path / "photo.png")
    cv2.imwrite(path, bgr)
    image = ImageSource(path, W, H, "crop")
    block = image.frames(7, 9)
    assert block.shape == (9, H, W, 3) and all(np.array_equal(f, block[0]) for f in block)
    assert tuple(block[0, 0, 0]) == (255, 0, 0)  # RGB
    assert tuple(block[0, H // 2, W // 2]) == (0, 255, 0)  # crop kept the middle
    assert image.frames(0, 12).shape == (12, H, W, 3)
    assert image.status() == "in photo.png"


def _animated_gif(path, levels) -> str:
    import av

    with av.open(str(path), "w", format="gif") as container:
        stream = container.add_stream("gif", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "rgb8"
        for level in levels:
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), level, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return str(path)


def test_an_animated_image_says_only_its_first_frame_is_used_and_that_file_plays_it(tmp_path):
    """`input image:anim.gif` showed the GIF's first frame without a word."""
    path = _animated_gif(tmp_path / "anim.gif", [0, 80, 160, 240])
    said = []
    switch = InputSwitch(W, H, say=said.append)
    image = switch.open(f"image:{path}")
    assert np.array_equal(image.frames(0, 1)[0], image.frames(5, 1)[0])  # still: the first frame
    assert said == [f"image anim.gif is animated (4 frames): only its first frame is used; file:{path} plays it as "
                    "a clip"]
    clip = switch.open(f"file:{path}")  # what the line offers does play it
    levels = {int(frame.mean()) // 40 for frame in clip.frames(0, 30)}
    assert len(levels) > 1
    switch.close()
    still = str(tmp_path / "still.png")
    cv2.imwrite(still, np.zeros((48, 64, 3), np.uint8))
    said.clear()
    InputSwitch(W, H, say=said.append).open(f"image:{still}")
    assert said == []


def _animated_webp(path, levels) -> str:
    from PIL import Image

    frames = [Image.fromarray(np.full((48, 64, 3), level, np.uint8)) for level in levels]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True)
    return str(path)


def test_an_animated_webp_as_an_image_says_only_its_first_frame_is_used_and_that_file_plays_it(tmp_path):
    """`input image:anim.webp` showed its first frame without a word where PyAV's FFmpeg does not decode an
    animated WebP: OpenCV's, which file: plays it through, does."""
    path = _animated_webp(tmp_path / "anim.webp", [0, 80, 160, 240])
    said = []
    switch = InputSwitch(W, H, say=said.append)
    image = switch.open(f"image:{path}")
    assert np.array_equal(image.frames(0, 1)[0], image.frames(5, 1)[0])  # still: the first frame
    assert said == [f"image anim.webp is animated: only its first frame is used; file:{path} plays it as a clip"]
    clip = switch.open(f"file:{path}")  # what the line offers does play it
    assert len({int(frame.mean()) // 40 for frame in clip.frames(0, 30)}) > 1
    switch.close()


def test_an_animation_that_no_decoder_here_plays_is_said_to_show_still_as_an_image(tmp_path, monkeypatch):
    """Where neither FFmpeg gives a second frame, file: would show it still too: the line says to convert it."""
    path = _animated_webp(tmp_path / "anim.webp", [0, 120])
    monkeypatch.setattr(clip_module, "_captured_animation", lambda path: None)
    said = []
    InputSwitch(W, H, say=said.append).open(f"image:{path}")
    assert said == ["image anim.webp is animated, but this FFmpeg decodes only its first frame: it shows still; "
                    "convert it to a GIF to play it as a clip (convert IN.webp OUT.gif, then file:OUT.gif)"]
    single = str(tmp_path / "one.gif")
    cv2.imwrite(str(tmp_path / "one.png"), np.zeros((48, 64, 3), np.uint8))
    from PIL import Image

    Image.open(tmp_path / "one.png").save(single)  # a GIF of one frame is no animation
    said.clear()
    InputSwitch(W, H, say=said.append).open(f"image:{single}")
    assert said == []


def _one_frame_animation(path) -> str:
    """An animated WebP (its header's animation flag) holding a single frame: the first of a two-frame one."""
    data = open(_animated_webp(path, [0, 120]), "rb").read()
    second = data.index(b"ANMF", data.index(b"ANMF") + 4)
    data = data[:second]
    open(path, "wb").write(data[:4] + (len(data) - 8).to_bytes(4, "little") + data[8:])
    return str(path)


def test_an_animation_of_one_frame_is_shown_as_an_image_without_a_word(tmp_path, monkeypatch):
    """A WebP flagged animated that holds one frame has nothing more to play: told to convert it to a GIF to play
    it, the operator would get the same still picture."""
    path = _one_frame_animation(tmp_path / "one.webp")
    monkeypatch.setattr(clip_module, "_captured_animation", lambda path: None)
    said = []
    image = InputSwitch(W, H, say=said.append).open(f"image:{path}")
    assert said == [] and image.frames(0, 1)[0].shape == (H, W, 3)


def test_an_animated_png_that_no_decoder_here_plays_is_told_how_to_convert_a_png(tmp_path, monkeypatch):
    """ImageMagick reads an APNG's frames only as apng:, and the line spoke of a WebP for a PNG."""
    from PIL import Image

    path = str(tmp_path / "anim.png")
    frames = [Image.fromarray(np.full((48, 64, 3), level, np.uint8)) for level in (0, 120, 240)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    monkeypatch.setattr(clip_module, "animated_frames", lambda path: None)  # as where no FFmpeg here plays it
    said = []
    InputSwitch(W, H, say=said.append).open(f"image:{path}")
    assert said == ["image anim.png is animated, but this FFmpeg decodes only its first frame: it shows still; "
                    "convert it to a GIF to play it as a clip (convert apng:IN.png OUT.gif, then file:OUT.gif)"]
    data = open(path, "rb").read()
    count = data.index(b"acTL") + 4  # its frame count, said as 1: nothing more to play
    open(path, "wb").write(data[:count] + (1).to_bytes(4, "big") + data[count + 4:])
    said.clear()
    InputSwitch(W, H, say=said.append).open(f"image:{path}")
    assert said == []


def test_an_animated_image_is_said_once_where_the_stream_is_made_smaller_to_fit_the_card(tmp_path):
    """The model loaded at a smaller size reopened the image, which said it was animated a second time."""
    path = _animated_gif(tmp_path / "anim.gif", [0, 80, 160])
    said = []
    switch = InputSwitch(W, H, say=said.append)
    switch.open(f"image:{path}")
    smaller = switch.resize(W // 2, H // 2)
    assert smaller.frames(0, 1)[0].shape[:2] == (H // 2, W // 2)  # refitted all the same
    assert switch.status() == "in anim.gif"
    assert len(said) == 1 and said[0].startswith("image anim.gif is animated (3 frames)")


def test_a_still_photo_is_not_decoded_again_to_find_it_is_no_animation(tmp_path, monkeypatch):
    """Each `image:` photo was decoded by FFmpeg as well as OpenCV to count its frames: half a second more for a
    24-megapixel JPEG, switched to on air between blocks. Only a header that allows an animation is decoded."""
    import av

    from vcam.live.inputs.clip import animated_frames

    png = tmp_path / "still.png"
    cv2.imwrite(str(png), np.zeros((48, 64, 3), np.uint8))
    jpeg = tmp_path / "still.jpg"
    cv2.imwrite(str(jpeg), np.zeros((48, 64, 3), np.uint8))
    gif = _animated_gif(tmp_path / "anim.gif", [0, 80])
    opened, real_open = [], av.open
    monkeypatch.setattr(av, "open", lambda path, *a, **k: opened.append(os.path.basename(path)) or real_open(path,
                                                                                                          *a, **k))
    assert animated_frames(str(png)) is None and animated_frames(str(jpeg)) is None
    assert opened == []
    assert animated_frames(gif) == 2 and opened == ["anim.gif"]


def test_an_animated_png_is_told_by_its_animation_chunk(tmp_path):
    from vcam.live.inputs.clip import _header, _may_be_animated

    Image = pytest.importorskip("PIL.Image")  # writes the animated PNG and WebP; not one of vcam's packages

    frames = [Image.fromarray(np.full((48, 64, 3), level, np.uint8)) for level in (0, 120, 240)]
    frames[0].save(tmp_path / "anim.png", save_all=True, append_images=frames[1:], duration=100)
    frames[0].save(tmp_path / "still.png")
    frames[0].save(tmp_path / "anim.webp", save_all=True, append_images=frames[1:], duration=100)
    frames[0].save(tmp_path / "still.webp")
    names = ("anim.png", "still.png", "anim.webp", "still.webp")
    assert [_may_be_animated(_header(str(tmp_path / name))) for name in names] == [True, False, True, False]
    (tmp_path / "cut.png").write_bytes((tmp_path / "anim.png").read_bytes()[:20])  # a header cut short
    assert not _may_be_animated(_header(str(tmp_path / "cut.png")))


def test_a_missing_or_unreadable_image_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        ImageSource(str(tmp_path / "gone.png"), W, H)
    text = tmp_path / "notes.png"
    text.write_text("hello")
    with pytest.raises(InputError, match="cannot read .*notes.png as an image"):
        ImageSource(str(text), W, H)


def test_a_name_a_mac_stored_decomposed_opens_as_typed(tmp_path):
    """A Mac copies `Café/été.png` out with each é as e and an accent (NFD); a keyboard types é as one character
    (NFC). Typed, it was "no such file", and the name offered looked the same as the one typed."""
    import unicodedata

    folder = tmp_path / unicodedata.normalize("NFD", "Café")
    folder.mkdir()
    stored = folder / unicodedata.normalize("NFD", "été.png")
    cv2.imwrite(str(stored), np.full((H, W, 3), 90, np.uint8))
    image = ImageSource(str(tmp_path / unicodedata.normalize("NFC", "Café/été.png")), W, H)
    assert image.path == str(stored)
    clip = write_clip(tmp_path / unicodedata.normalize("NFD", "clé.avi"), 3)
    assert ClipSource(unicodedata.normalize("NFC", clip), W, H).path == clip
    with pytest.raises(InputError, match="no such file"):  # an accent of its own is another name
        ImageSource(str(tmp_path / "Cafe" / "ete.png"), W, H)


def damaged_clips(folder) -> tuple[str, str]:
    """An MP4 cut short (its index, at the end, gone) and one whole but with holes in its frames."""
    path = str(folder / "whole.mp4")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), 10, (64, 48))
    assert writer.isOpened()
    noise = np.random.default_rng(3)
    for _ in range(20):
        writer.write(noise.integers(0, 256, (48, 64, 3), dtype=np.uint8))
    writer.release()
    data = bytearray(open(path, "rb").read())
    cut, holed = folder / "cut.mp4", folder / "holed.mp4"
    cut.write_bytes(data[:len(data) // 2])
    for at in range(2000, len(data) // 2, 997):
        data[at:at + 40] = bytes(40)
    holed.write_bytes(bytes(data))
    return str(cut), str(holed)


PLAY_HOLED = ("import sys; from vcam.live.inputs import ClipSource\n"
              "clip = ClipSource(sys.argv[1], 32, 24); clip.frames(0, 3 * clip.length); print('played')")


@pytest.mark.parametrize("case", ["cut clip", "holed clip", "missing fallback image", "damaged fallback image"])
def test_a_damaged_file_prints_vcams_line_and_none_of_ffmpegs_or_opencvs(case, tmp_path):
    import subprocess
    import sys

    cut, holed = damaged_clips(tmp_path)
    run = "from vcam.cli import main; import sys; sys.exit(main(sys.argv[1:]))"
    code, args, said = {
        "cut clip": (run, ["run", "--model", "tiny", "--in", f"file:{cut}", "--out", "null", "--no-stdin"],
                     f"vcam: error: cannot decode {cut} as a video"),
        "holed clip": (PLAY_HOLED, [holed], "played"),
        "missing fallback image": (run, ["run", "--model", "tiny", "--fallback", str(tmp_path / "nope.png"),
                                         "--out", "null", "--no-stdin"], "nope.png"),
        "damaged fallback image": (run, ["run", "--model", "tiny", "--fallback", damaged_png(tmp_path), "--out",
                                         "null", "--no-stdin"], "bad.png: it is not an image OpenCV decodes"),
    }[case]
    # a level chosen in the environment is kept: the run starts without one, as a user's would
    env = {k: v for k, v in os.environ.items() if k not in ("OPENCV_FFMPEG_LOGLEVEL", "OPENCV_LOG_LEVEL")}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120, env=env)
    assert said in done.stdout + done.stderr
    assert " @ 0x" not in done.stderr and "WARN" not in done.stderr and "moov" not in done.stderr, done.stderr
    assert "[ERROR" not in done.stderr, done.stderr  # libpng's, on a damaged PNG


def damaged_png(folder) -> str:
    """A PNG whose signature is whole and whose first chunk is not its header: libpng's error, said by OpenCV."""
    path = folder / "bad.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    return str(path)


# an image silenced as vcam reads it, then OpenCV's own error on a later read, as a camera's error would come
SILENCED_FOR_THE_READ = ("import sys, cv2; from vcam.live.frames import load_image\n"
                         "try:\n    load_image(sys.argv[1], 32, 24)\nexcept ValueError as e:\n"
                         "    print('vcam:', e, file=sys.stderr, flush=True)\n"
                         "cv2.imread(sys.argv[1])")


def test_opencvs_lines_are_silenced_for_vcams_image_read_alone_and_its_errors_come_after(tmp_path):
    """Silenced for the rest of the process once a fallback image was read (at every start), OpenCV's errors were
    gone for the whole show: a camera's own (a device gone or busy) never reached the operator."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OPENCV_FFMPEG_LOGLEVEL", "OPENCV_LOG_LEVEL")}
    done = subprocess.run([sys.executable, "-c", SILENCED_FOR_THE_READ, damaged_png(tmp_path)], capture_output=True,
                          text=True, timeout=120, env=env)
    said, _, after = done.stderr.partition("it is not an image OpenCV decodes")
    assert said.startswith("vcam: cannot read image") and "[ERROR" not in said, done.stderr  # vcam's line alone
    assert after.count("[ERROR") == 1, done.stderr  # the later read's error, said as OpenCV says it


# --- a camera through a test double -----------------------------------------------------------------------------

class Said:
    def __init__(self):
        self.lines: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self.lock:
            self.lines.append(text)

    def count(self, part: str) -> int:
        with self.lock:
            return sum(part in line for line in self.lines)


def camera(device: FakeDevice, said=None, target="0", **kw) -> CameraSource:
    return CameraSource(target, W, H, "crop", said or Said(), open_capture=device.open, retry_s=0.01, **kw)


def test_a_camera_gives_its_frames_in_rgb_at_the_streams_size():
    device = FakeDevice(bgr=(10, 20, 30))
    cam = camera(device)
    try:
        block = cam.frames(0, 9)
        assert block.shape == (9, H, W, 3) and tuple(block[0, 0, 0]) == (30, 20, 10)
        device.bgr = (1, 2, 3)
        assert wait_for(lambda: tuple(cam.frames(0, 12)[-1, 0, 0]) == (3, 2, 1), 60)
        assert cam.status().startswith("in camera:0 ") and cam.status().endswith(" s old")
        assert device.targets == ["0"]
    finally:
        cam.close()


@pytest.mark.parametrize("stream, mode", [
    ((832, 480), (1280, 720)), ((416, 240), (640, 360)), ((112, 64), (640, 360)), ((1280, 720), (1280, 720)),
    ((1920, 1088), (2560, 1440)), ((4096, 2160), (3840, 2160)), ((512, 512), (800, 600)), ((640, 480), (640, 480)),
    ((480, 832), (1280, 960)),  # portrait: a landscape camera whose middle, cropped, is at least 832 high
])
def test_a_camera_is_asked_for_the_smallest_common_mode_that_holds_the_stream(stream, mode):
    assert capture_mode(*stream) == mode


def test_the_fake_webcam_gives_only_the_modes_it_has():
    assert nearest(WEBCAM["YUYV"], 1280, 720) == (640, 480) and nearest(WEBCAM["MJPG"], 1280, 720) == (1280, 720)
    assert nearest(WEBCAM["MJPG"], 832, 480) == (640, 480)  # an uncommon size asked for: less than a common one


def hd_camera(device: FakeDevice, said, size=(832, 480)) -> CameraSource:
    return CameraSource("0", *size, "crop", said, open_capture=device.open, retry_s=0.01)


def test_a_webcam_is_asked_for_hd_as_mjpg_for_a_16_9_stream_and_says_what_it_gives():
    """V4L2 opens a webcam at 640×480: cropped and scaled up to 832×480 that is soft. Asked for 1280×720 alone, a
    USB 2 webcam keeps 640×480 (no raw HD); as MJPG it gives it."""
    device, said = FakeDevice(modes=WEBCAM), Said()
    cam = hd_camera(device, said)
    try:
        assert device.opened[0].fourcc == "MJPG" and device.opened[0].size == (1280, 720)
        assert said.lines == ["camera:0 gives 1280×720"]
        assert cam.frames(0, 2).shape == (2, 480, 832, 3)
        device.plugged = False
        assert wait_for(lambda: said.count("lost") == 1, 60)
        device.plugged = True
        assert wait_for(lambda: said.count("is back") == 1, 60)
        assert device.opened[-1].size == (1280, 720)  # asked again as it came back
        assert said.count("gives") == 1
    finally:
        cam.close()


def test_a_camera_without_the_mode_gives_its_nearest_and_says_the_picture_is_scaled_up():
    device, said = FakeDevice(modes={"YUYV": ((320, 240), (640, 480))}), Said()
    cam = hd_camera(device, said)
    try:
        assert device.opened[0].size == (640, 480) and device.opened[0].fourcc == "YUYV"  # no MJPG: it keeps YUYV
        assert said.lines[0].startswith("camera:0 gives 640×480 (asked for 1280×720): scaled up to the stream's "
                                        "832×480, softer")
        assert cam.frames(0, 2).shape == (2, 480, 832, 3)
    finally:
        cam.close()


def test_a_loopback_device_keeps_its_own_size_and_a_small_stream_asks_for_no_mjpg():
    """OBS's virtual camera writes one size (here 1920×1080) and refuses any other: taken as it comes."""
    device, said = FakeDevice(size=(1920, 1080)), Said()
    cam = hd_camera(device, said)
    try:
        assert said.lines == ["camera:0 gives 1920×1080"] and device.opened[0].asked  # asked, refused
        assert cam.frames(0, 1).shape == (1, 480, 832, 3)
    finally:
        cam.close()
    webcam = FakeDevice(modes=WEBCAM)
    small = hd_camera(webcam, Said(), size=(416, 240))
    try:
        assert webcam.opened[0].fourcc == "YUYV" and webcam.opened[0].size == (640, 480)  # 640×360 is not there
        assert cv2.CAP_PROP_FOURCC not in [prop for prop, _ in webcam.opened[0].asked]
    finally:
        small.close()


def test_an_unplugged_camera_is_said_lost_once_and_reopened_when_it_returns():
    device, said = FakeDevice(bgr=(10, 20, 30)), Said()
    cam = camera(device, said)
    try:
        device.plugged = False
        assert wait_for(lambda: said.count("lost") == 1, 60)
        assert said.lines[:2] == ["camera:0 gives 64×48",
                                  "camera:0 lost: the show goes on with the last frames; waiting for it to come back"]
        assert cam.status().startswith("in camera:0 lost") and "reusing the last frames" in cam.status()
        assert wait_for(lambda: len(device.opened) >= 4, 60)  # it keeps trying
        block = cam.frames(0, 12)  # the show goes on: the last frame, held
        assert block.shape == (12, H, W, 3) and tuple(block[-1, 0, 0]) == (30, 20, 10)
        device.bgr = (5, 6, 7)
        device.plugged = True
        assert wait_for(lambda: said.count("camera:0 is back") == 1, 60)
        assert wait_for(lambda: tuple(cam.frames(0, 12)[-1, 0, 0]) == (7, 6, 5), 60)
        assert not cam.lost and not cam.status().startswith("in camera:0 lost")
        assert said.count("lost") == 1
    finally:
        cam.close()


def test_closing_a_camera_stops_its_thread_and_releases_the_device():
    device = FakeDevice()
    cam = camera(device)
    cam.close()
    assert not cam._thread.is_alive()
    assert device.open_captures() == 0


def test_a_camera_lost_while_closing_is_not_reported():
    device, said = FakeDevice(), Said()
    cam = camera(device, said)
    cam.close()
    device.plugged = False
    assert said.lines == ["camera:0 gives 64×48"]  # said as it opened, and nothing since


def test_a_missing_camera_is_a_clear_error_naming_the_device():
    device = FakeDevice()
    device.plugged = False
    with pytest.raises(InputError, match="cannot open camera:3") as raised:
        camera(device, target="3")
    if platform.system() == "Linux":
        assert "ls /dev/video*" in raised.value.fix and "v4l2-ctl --list-devices" in raised.value.fix
    assert device.open_captures() == 0


def test_a_camera_that_gives_no_frames_is_a_clear_error():
    device = FakeDevice()
    device.gives_frames = False
    with pytest.raises(InputError, match="camera:/dev/video10 opened but gives no frames") as raised:
        camera(device, target="/dev/video10", settle_s=0.05)
    assert "OBS" in raised.value.fix
    assert device.open_captures() == 0


@pytest.mark.skipif(platform.system() != "Linux", reason="device nodes are Linux's")
def test_opening_a_device_node_that_is_not_there_says_how_to_find_one(tmp_path, monkeypatch):
    (tmp_path / "video0").write_bytes(b"")
    monkeypatch.setattr("vcam.live.inputs.camera.DEVICES", str(tmp_path))  # a machine with a video device to pick
    with pytest.raises(InputError, match="no capture device /dev/video97") as raised:
        open_device("/dev/video97")
    assert "v4l2-ctl --list-devices" in raised.value.fix
    if not os.path.exists("/dev/video96"):
        with pytest.raises(InputError, match="no capture device /dev/video96"):
            open_device("96")


# --- the switch -------------------------------------------------------------------------------------------------

def test_the_switch_closes_the_old_source_once_the_new_one_opened(clip_path, tmp_path):
    device, said = FakeDevice(), Said()
    switch = InputSwitch(W, H, "crop", said, open_capture=device.open)
    cam = switch.open("camera:0")
    assert isinstance(cam, CameraSource) and switch.status().startswith("in camera:0")
    clip = switch.open(parse_input(f"file:{clip_path}"))
    assert isinstance(clip, ClipSource) and switch.spec == InputSpec("file", clip_path)
    assert not cam._thread.is_alive() and device.open_captures() == 0
    with pytest.raises(InputError, match="no such file"):
        switch.open(f"file:{tmp_path / 'typo.mp4'}")
    assert switch.source is clip and clip._cap is not None  # a bad input leaves the current one playing
    assert switch.open("none") is None and clip._cap is None and switch.status() is None
    switch.close()


def test_the_switch_plays_a_clip_at_the_shows_rate_and_keeps_it_on_a_resize(tmp_path):
    path = pyav_clip(tmp_path / "fast.mp4", 60)
    at_60, at_30 = InputSwitch(W, H, fps=60), InputSwitch(W, H, fps=30)
    try:
        assert clip_frames(at_60.open(f"file:{path}").frames(0, 4)) == [0, 1, 2, 3]
        assert clip_frames(at_30.open(f"file:{path}").frames(0, 4)) == [0, 2, 4, 6]
        assert clip_frames(at_30.resize(2 * W, 2 * H).frames(4, 2)) == [8, 10]  # opened again, at the same rate
    finally:
        at_60.close()
        at_30.close()


def test_naming_the_open_camera_again_keeps_it():
    device = FakeDevice()
    switch = InputSwitch(W, H, open_capture=device.open)
    try:
        first = switch.open("camera:0")
        assert switch.open("camera") is first and switch.open("camera:0") is first
        assert len(device.opened) == 1 and first._thread.is_alive()
        assert switch.check("camera:0") == InputSpec("camera", "0") and len(device.opened) == 1
    finally:
        switch.close()
    assert device.open_captures() == 0 and switch.source is None


def test_net_is_the_uploads_and_only_where_there_are_some():
    with pytest.raises(InputError, match="only in vcam serve") as raised:
        InputSwitch(W, H).open("net")
    assert "vcam cam" in raised.value.fix
    uploads = LiveFrames(first_wait_s=0)
    switch = InputSwitch(W, H, "crop", uploads=uploads)
    assert switch.open("net") is uploads
    uploads.push(numbered(4, size=(64, 48)))
    assert uploads.frames(0, 9).shape == (9, H, W, 3)  # fitted to the stream's size by the switch
    assert switch.open("none") is None
    for i in (5, 6):
        uploads.push(numbered(i))  # still taking uploads: switching away does not close them
    assert switch.open("net") is uploads
    assert taken(uploads.frames(0, 9)) == [6] * 9  # what waited while away is dropped: only the newest, held
    uploads.push(numbered(7))
    assert taken(uploads.frames(9, 9)) == [7] * 9


def test_check_input_opens_and_closes_before_the_model_loads(clip_path, tmp_path):
    assert check_input("none") == InputSpec("none")
    assert check_input(f"file:{clip_path}") == InputSpec("file", clip_path)
    with pytest.raises(InputError, match="no such file"):
        check_input(f"image:{tmp_path / 'gone.png'}")
    with pytest.raises(InputError, match="only in vcam serve"):
        check_input("net")
    assert check_input("net", net=True) == InputSpec("net")
    device = FakeDevice()
    assert check_input("camera:1", open_capture=device.open) == InputSpec("camera", "1")
    assert device.targets == ["1"] and device.open_captures() == 0
    device.plugged = False
    with pytest.raises(InputError, match="cannot open camera:1"):
        check_input("camera:1", open_capture=device.open)
    with pytest.raises(ValueError, match="unknown input"):
        check_input("dvd")


def test_opencv_log_levels_are_this_opencvs_own():
    """vcam's two log levels are OpenCV's numbers for silent and errors only, in whichever module this OpenCV keeps
    its level calls (cv2.utils.logging from 4.13; cv2 itself in 4.11 and 4.12, which an older install may have)."""
    import cv2
    from vcam.live import frames

    logging = frames.cv2_logging(cv2)
    before = logging.getLogLevel()
    try:
        for level in (frames.LOG_SILENT, frames.LOG_ERROR):
            logging.setLogLevel(level)
            assert logging.getLogLevel() == level
    finally:
        logging.setLogLevel(before)
    named = getattr(cv2.utils, "logging", None)
    if named is not None:
        assert (frames.LOG_SILENT, frames.LOG_ERROR) == (named.LOG_LEVEL_SILENT, named.LOG_LEVEL_ERROR)


def test_opencv_asked_for_meanwhile_does_not_unsilence_an_image_read_under_way(monkeypatch, tmp_path):
    """A clip opened on another thread while a fallback decodes set OpenCV's level back: libpng's error on the
    damaged image came out after all."""
    import cv2
    from vcam.live import frames

    monkeypatch.delenv("OPENCV_LOG_LEVEL", raising=False)
    levels, plain = [], cv2.imread

    def read_meanwhile(path, flags):
        frames.quiet_cv2()  # the other thread's clip, opening
        levels.append(frames.cv2_logging(cv2).getLogLevel())
        return plain(path, flags)

    monkeypatch.setattr(cv2, "imread", read_meanwhile)
    assert frames.imread_quiet(damaged_png(tmp_path), cv2.IMREAD_COLOR) is None
    assert levels == [frames.LOG_SILENT]
    assert frames.cv2_logging(cv2).getLogLevel() == frames.LOG_ERROR  # set back as the read ended


def _picture(height: int, width: int) -> np.ndarray:
    """A picture with detail everywhere, so a resize or a crop in the wrong place shows."""
    tile = np.random.default_rng(3).integers(0, 255, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    return cv2.resize(tile, (width, height), interpolation=cv2.INTER_CUBIC)


@pytest.mark.parametrize("fit_mode", ["crop", "letterbox", "stretch"])
def test_an_image_is_fitted_before_its_colours_are_swapped_and_shows_as_before(tmp_path, fit_mode):
    """The whole picture was copied to RGB before fitting (1.2 GB more for a 20000x20000 one); fitting first gives
    the same pixels, with or without alpha."""
    from vcam.live.frames import fit, read_shown

    for name, picture in (("photo.jpg", _picture(300, 500)), ("logo.png", np.dstack([_picture(300, 500),
                                                                                    _picture(300, 500)[:, :, 0]]))):
        path = str(tmp_path / name)
        cv2.imwrite(path, picture)
        before = fit(read_shown(path), 64, 48, fit_mode)  # fitted after the swap, as it was
        assert np.array_equal(ImageSource(path, 64, 48, fit_mode).frames(0, 1)[0], before), name


def test_a_huge_jpeg_is_decoded_reduced_not_whole(tmp_path, monkeypatch):
    """A 20000x20000 JPEG as `image:` with --fit crop was decoded whole (7 s, 2.3 GB) to show 832x480 of it: above
    HUGE_PIXELS libjpeg decodes it at the smallest eighth, quarter or half still larger than the frame."""
    from vcam.live import frames as frames_module

    path = str(tmp_path / "huge.jpg")
    cv2.imwrite(path, _picture(400, 640))
    whole = ImageSource(path, 64, 48, "crop").frames(0, 1)[0]
    monkeypatch.setattr(frames_module, "HUGE_PIXELS", 400 * 640 - 1)  # this one is now huge
    reads, real = [], frames_module.imread_quiet
    monkeypatch.setattr(frames_module, "imread_quiet", lambda p, flags: reads.append(flags) or real(p, flags))
    reduced = ImageSource(path, 64, 48, "crop").frames(0, 1)[0]
    assert reads == [cv2.IMREAD_REDUCED_COLOR_4]  # 400 / 8 = 50 is under 64; 400 / 4 = 100 is not
    assert reduced.shape == whole.shape and np.abs(reduced.astype(int) - whole).mean() < 4
    reads.clear()
    ImageSource(path, 320, 240, "crop")  # 400 / 2 is under 320: decoded whole
    assert reads == [cv2.IMREAD_COLOR]


def test_a_jpegs_size_is_read_from_its_header(tmp_path):
    from vcam.live.frames import jpeg_size

    jpeg, png = str(tmp_path / "a.jpg"), str(tmp_path / "a.png")
    cv2.imwrite(jpeg, _picture(30, 70), [cv2.IMWRITE_JPEG_PROGRESSIVE, 1])
    cv2.imwrite(png, _picture(30, 70))
    (tmp_path / "cut.jpg").write_bytes(open(jpeg, "rb").read()[:40])
    assert jpeg_size(jpeg) == (70, 30) and jpeg_size(png) is None and jpeg_size(str(tmp_path / "cut.jpg")) is None
    assert jpeg_size(str(tmp_path / "gone.jpg")) is None


def test_an_image_too_large_to_decode_is_refused_from_its_header_and_a_jpeg_is_not(tmp_path, monkeypatch):
    """A 20000x20000 PNG (1 MB on disk, a decompression bomb) as `image:` was decoded whole to show 832x480 of it:
    7.7 s and 2.4 GB of memory, mid-show. Above MAX_DECODED_PIXELS a format decoded whole is refused unread, in one
    line with its fix; a JPEG, read reduced, still shows."""
    from vcam.live import frames as frames_module

    png, jpeg = str(tmp_path / "poster.png"), str(tmp_path / "poster.jpg")
    cv2.imwrite(png, _picture(400, 640))
    cv2.imwrite(jpeg, _picture(400, 640))
    monkeypatch.setattr(frames_module, "MAX_DECODED_PIXELS", 400 * 640 - 1)  # these are now too large
    reads, real = [], frames_module.imread_quiet
    monkeypatch.setattr(frames_module, "imread_quiet", lambda p, flags: reads.append(p) or real(p, flags))
    with pytest.raises(InputError) as refused:
        ImageSource(png, 64, 48, "crop")
    assert reads == []  # not decoded at all
    assert "640x400" in refused.value.message and "scale it down" in refused.value.fix
    assert ImageSource(jpeg, 64, 48, "crop").frames(0, 1)[0].shape == (48, 64, 3)
    switch = InputSwitch(64, 48)  # on air: an input command's error, the input on before stays
    with pytest.raises(ValueError):
        switch.open(InputSpec("image", png))
    assert switch.spec.kind == "none"


@pytest.mark.parametrize("name, params", [("a.png", []), ("a.bmp", []), ("a.webp", [cv2.IMWRITE_WEBP_QUALITY, 80]),
                                          ("b.webp", [cv2.IMWRITE_WEBP_QUALITY, 101]), ("a.jpg", [])])
def test_an_images_size_is_read_from_its_header_as_opencv_decodes_it(tmp_path, name, params):
    from vcam.live.frames import image_size

    path = str(tmp_path / name)
    assert cv2.imwrite(path, _picture(30, 70), params)
    assert image_size(path) == (70, 30) == cv2.imread(path).shape[1::-1]


def test_a_gifs_size_and_a_files_without_one(tmp_path):
    from vcam.live.frames import image_size

    (tmp_path / "a.gif").write_bytes(b"GIF89a" + (70).to_bytes(2, "little") + (30).to_bytes(2, "little") + b"\0" * 8)
    (tmp_path / "a.txt").write_text("not an image at all, but long enough")
    assert image_size(str(tmp_path / "a.gif")) == (70, 30)
    assert image_size(str(tmp_path / "a.txt")) is None and image_size(str(tmp_path / "gone.png")) is None


def _bmp(width: int, height: int, core: bool) -> bytes:
    """A 24-bit BMP of one colour: an OS/2 one (its 12-byte info header, 16 bits a side) or a Windows one stored
    top-down (its height negative)."""
    import struct

    row = (width * 3 + 3) // 4 * 4
    pixels = (bytes([10, 20, 200]) * width + b"\0" * (row - width * 3)) * height
    info = struct.pack("<IHHHH", 12, width, height, 1, 24) if core else \
        struct.pack("<IiiHHIIiiII", 40, width, -height, 1, 24, 0, len(pixels), 0, 0, 0, 0)
    offset = 14 + len(info)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + info + pixels


def test_an_os2_bmp_is_shown_not_refused_as_too_large(tmp_path):
    """An OS/2 BMP gives its size in 16 bits a side: read as a Windows one's 32, a 64x48 one was 3145792x1572865
    pixels and refused as too large to decode, though OpenCV reads it. A top-down one (negative height) shows too."""
    from vcam.live.frames import image_size

    for name, core in (("os2.bmp", True), ("top-down.bmp", False)):
        path = str(tmp_path / name)
        (tmp_path / name).write_bytes(_bmp(64, 48, core))
        assert image_size(path) == (64, 48) == cv2.imread(path).shape[1::-1]
        assert ImageSource(path, 32, 24, "crop").frames(0, 1)[0][12, 16].tolist() == [200, 20, 10]


def test_a_jpeg_too_long_to_be_read_reduced_as_it_shows_is_read_reduced_within_the_limit(tmp_path, monkeypatch):
    """A JPEG over HUGE_PIXELS whose shorter side no reduced read keeps as large as the output (a 65000x1600
    panorama) was decoded whole, more pixels than a PNG refused as too large; it is read reduced within
    MAX_DECODED_PIXELS, and still shows."""
    from vcam.live import frames as frames_module

    jpeg = str(tmp_path / "panorama.jpg")
    cv2.imwrite(jpeg, _picture(40, 1600))
    monkeypatch.setattr(frames_module, "HUGE_PIXELS", 40 * 1600 - 1)
    monkeypatch.setattr(frames_module, "MAX_DECODED_PIXELS", 40 * 1600 // 3)  # a half-size read fits, not whole
    decoded, real = [], frames_module.imread_quiet

    def read(path, flags):
        image = real(path, flags)
        decoded.append(image.shape[0] * image.shape[1])
        return image

    monkeypatch.setattr(frames_module, "imread_quiet", read)
    assert ImageSource(jpeg, 64, 48, "crop").frames(0, 1)[0].shape == (48, 64, 3)
    assert decoded == [20 * 800]  # half its size, on both sides


def test_a_tiff_too_large_to_decode_is_refused_from_its_header(tmp_path, monkeypatch):
    """A TIFF, compressed as a PNG is (a 12000x10000 one 178 kB on disk), was decoded whole to show it: its size is
    read from its first page's tags, as OpenCV reads that page, and one too large is refused unread."""
    from vcam.live import frames as frames_module
    from vcam.live.frames import image_size

    path = str(tmp_path / "poster.tif")
    assert cv2.imwrite(path, _picture(30, 70))
    assert image_size(path) == (70, 30) == cv2.imread(path).shape[1::-1]
    assert ImageSource(path, 64, 48, "crop").frames(0, 1)[0].shape == (48, 64, 3)
    (tmp_path / "cut.tif").write_bytes(open(path, "rb").read()[:12])
    assert image_size(str(tmp_path / "cut.tif")) is None
    monkeypatch.setattr(frames_module, "MAX_DECODED_PIXELS", 70 * 30 - 1)
    monkeypatch.setattr(frames_module, "imread_quiet", lambda p, flags: pytest.fail("decoded"))
    with pytest.raises(InputError) as refused:
        ImageSource(path, 64, 48, "crop")
    assert "70x30" in refused.value.message and "scale it down" in refused.value.fix


def _solid_png(path, bgr, size=(40, 30)) -> None:
    """A one-colour PNG at `path`, its mtime moved on so that a save within the same tick is seen as one."""
    cv2.imwrite(str(path), np.full((size[1], size[0], 3), bgr, dtype=np.uint8))
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _decoded(image: ImageSource, start: int) -> np.ndarray:
    """The frames at `start` once a save seen there has been decoded (in its thread; the block before goes on with
    the picture as it was)."""
    first = image.frames(start, 1)
    if image._decoding is None:
        return first
    assert image._decoding.ready.wait(60)
    return image.frames(start, 1)


def test_an_image_saved_again_on_air_is_shown_once_it_has_held_still_for_a_block(tmp_path):
    """An `image:` input edited on disk (a logo saved again from an editor) stayed as it was read at the start,
    where a clip exported again over itself is taken on air."""
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))  # red
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append)
    assert tuple(image.frames(0, 1)[0, 0, 0]) == (255, 0, 0)
    _solid_png(path, (255, 0, 0), (50, 30))  # blue, saved over it
    assert tuple(image.frames(12, 1)[0, 0, 0]) == (255, 0, 0)  # still being written, for all it knows
    assert tuple(_decoded(image, 24)[0, 0, 0]) == (0, 0, 255)  # held still for a block: shown
    assert said == ["image logo.png reloaded"]
    image.frames(36, 1)
    assert said == ["image logo.png reloaded"]  # said once


def test_an_image_saved_again_is_decoded_beside_the_blocks_which_go_on_with_the_picture_as_it_was(tmp_path,
                                                                                                  monkeypatch):
    """Decoded on the stream's thread, a large picture saved again held a block up for seconds."""
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    image = ImageSource(str(path), W, H, "stretch")
    release, reading = threading.Event(), threading.Event()
    real = clip_module.read_shown

    def slow(*args):
        reading.set()
        assert release.wait(60)
        return real(*args)

    monkeypatch.setattr(clip_module, "read_shown", slow)
    _solid_png(path, (255, 0, 0))
    image.frames(12, 1)
    assert tuple(image.frames(24, 1)[0, 0, 0]) == (255, 0, 0)  # the decode started: this block does not wait
    assert reading.wait(60)
    assert tuple(image.frames(36, 1)[0, 0, 0]) == (255, 0, 0)
    release.set()
    assert wait_for(lambda: tuple(image.frames(48, 1)[0, 0, 0]) == (0, 0, 255), 60)
    image.close()


def test_an_image_saved_broken_or_deleted_on_air_keeps_its_picture_and_says_so_once(tmp_path):
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append)
    path.write_bytes(b"\x89PNG\r\n\x1a\n half of it")
    for start in (12, 24, 36):
        assert tuple(_decoded(image, start)[0, 0, 0]) == (255, 0, 0)
    assert len(said) == 1 and said[0].startswith("image logo.png was saved again but does not read as an image")
    assert "the picture stays as it was" in said[0] and "save it again" in said[0]
    path.unlink()
    for start in (48, 60, 72):
        assert tuple(image.frames(start, 1)[0, 0, 0]) == (255, 0, 0)
    assert len(said) == 2 and said[1].startswith(f"image logo.png is gone ({path} was deleted or moved")
    path.mkdir()
    image.frames(84, 1)
    assert tuple(image.frames(96, 1)[0, 0, 0]) == (255, 0, 0) and said[2].startswith("image logo.png is a folder now")
    path.rmdir()
    _solid_png(path, (0, 255, 0))
    image.frames(108, 1)
    assert tuple(_decoded(image, 120)[0, 0, 0]) == (0, 255, 0) and said[3:] == ["image logo.png reloaded"]


def test_an_image_resized_with_the_stream_still_says_its_reload(tmp_path):
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    switch = InputSwitch(W, H, "stretch", said.append)
    switch.open(f"image:{path}")
    image = switch.resize(W * 2, H * 2)
    _solid_png(path, (255, 0, 0))
    image.frames(0, 1)
    assert _decoded(image, 12).shape == (1, H * 2, W * 2, 3) and said == ["image logo.png reloaded"]
    switch.close()


def test_an_image_saved_again_too_large_to_decode_keeps_its_picture_and_says_the_fix(tmp_path):
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append)
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + header + chunk(b"IEND", b""))
    image.frames(0, 1)
    assert tuple(_decoded(image, 12)[0, 0, 0]) == (255, 0, 0)
    assert len(said) == 1 and said[0].startswith("image logo.png was saved again, but image ")
    assert "too large to decode" in said[0] and said[0].endswith("the picture stays as it was; scale it down (3840 "
                                                                 "pixels on its long side is plenty), or save it as a "
                                                                 "JPEG, which is read reduced")


@pytest.mark.parametrize("kind, source", [("image", ImageSource), ("file", ClipSource)])
def test_a_path_typed_with_a_space_after_its_kind_names_the_file_meant(tmp_path, monkeypatch, kind, source):
    """`input image:\\ logo.png` was refused as no such file ' logo.png', with a fix about folders."""
    monkeypatch.chdir(tmp_path)  # the folder a typed path is made whole against
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    with pytest.raises(InputError) as raised:
        source(str(tmp_path / " logo.png"), W, H)
    assert raised.value.fix.startswith(f"did you mean {kind}:logo.png? a space after the colon")
    with pytest.raises(InputError) as raised:
        source(str(tmp_path / " other.png"), W, H)
    assert "did you mean" not in raised.value.fix


@pytest.mark.parametrize("given, meant", [(" sub/logo.png", "sub/logo.png"), ("  sub/logo.png ", "sub/logo.png"),
                                          (" {tmp}/sub/logo.png", "{tmp}/sub/logo.png")])
def test_a_space_after_the_kind_is_offered_the_path_as_given_not_made_whole(tmp_path, monkeypatch, given, meant):
    """Only a bare name was offered, and as the whole path: a network sender was told the show's folder."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    _solid_png(tmp_path / "sub" / "logo.png", (0, 0, 255))
    given, meant = given.format(tmp=tmp_path), meant.format(tmp=tmp_path)
    with pytest.raises(InputError) as raised:
        ImageSource(os.path.join(str(tmp_path), given), W, H)  # made whole as the controller does
    assert raised.value.fix.startswith(f"did you mean image:{meant}? a space after the colon"), raised.value.fix
    assert meant.startswith(str(tmp_path)) or str(tmp_path) not in raised.value.fix


def test_a_show_file_input_with_a_space_after_its_kind_plays_the_file_meant(tmp_path):
    """`input: "image: logo.png"` was refused as no such file ' logo.png', where `--in` and the command take it."""
    from vcam.control.show import load_show

    _solid_png(tmp_path / "logo.png", (0, 0, 255))
    show = tmp_path / "show.yaml"
    show.write_text('defaults: {input: "image: logo.png"}\npresets:\n  - {name: a, prompt: x}\n')
    assert parse_input(load_show(str(show)).defaults.input) == InputSpec("image", str(tmp_path / "logo.png"))


@pytest.mark.parametrize("name", ["show.yaml", "log.jsonl"])
def test_a_show_file_or_a_log_named_as_a_clip_is_said_to_be_text(tmp_path, name):
    """`input file:show.yaml` was said as a video damaged or still being recorded, with an ffmpeg line to convert
    it."""
    text = tmp_path / name
    text.write_text("presets:\n  - {name: a, prompt: x}\n" * 20)
    with pytest.raises(InputError, match=f"{name} is a text file, not a video") as raised:
        ClipSource(str(text), W, H)
    assert "ffmpeg" not in raised.value.fix


class _CountedDecodes:
    """OpenCV's capture, each read or grab (a decode, even one that then gives no frame: a grab after a seek on a
    24 MP photo took as long as its first read) counted in `threads` by the thread that asked for it."""

    def __init__(self, cap, threads: list):
        self._cap, self._threads = cap, threads

    def read(self):
        self._threads.append(threading.current_thread().name)
        return self._cap.read()

    def grab(self):
        self._threads.append(threading.current_thread().name)
        return self._cap.grab()

    def __getattr__(self, name):
        return getattr(self._cap, name)


@pytest.mark.parametrize("typed", [1, 2])
@pytest.mark.parametrize("kind", ["file", "image"])
def test_a_photo_put_on_air_is_decoded_once_and_never_on_the_streams_thread(tmp_path, monkeypatch, kind, typed):
    """`input file:photo.jpg` was decoded four times, twice on the stream's thread (opened again there, and its
    one frame counted by decoding it again): 2 s for a 24 MP photo, the show's frames held meanwhile. The command's
    check opens it once; the stream's thread takes what the check opened."""
    from vcam.live import frames as frames_module

    path = str(tmp_path / "photo.jpg")
    # noise, as a photo's fine detail: OpenCV's capture counts a smooth small JPEG by another way than a photo
    assert cv2.imwrite(path, np.random.default_rng(5).integers(0, 256, (30, 70, 3), dtype=np.uint8))
    decoded: list[str] = []
    real_capture, real_imread = clip_module._capture, frames_module.imread_quiet
    monkeypatch.setattr(clip_module, "_capture", lambda p: _CountedDecodes(real_capture(p), decoded))
    monkeypatch.setattr(frames_module, "imread_quiet",
                        lambda p, flags: decoded.append(threading.current_thread().name) or real_imread(p, flags))
    switch = InputSwitch(W, H)
    opened = []
    # typed twice before a block: each check's own, taken in turn
    for _ in range(typed):
        assert switch.check(f"{kind}:{path}") == InputSpec(kind, path)
    stream = threading.Thread(target=lambda: opened.extend(switch.open(f"{kind}:{path}") for _ in range(typed)),
                              name="stream")
    stream.start()
    stream.join()
    try:
        assert decoded == ["MainThread"] * typed
        fresh = (ClipSource if kind == "file" else ImageSource)(path, W, H)
        assert np.array_equal(opened[0].frames(0, 2), fresh.frames(0, 2))  # the picture as an open of its own
        fresh.close()
    finally:
        switch.close()


@pytest.mark.parametrize("kind", ["file", "image"])
def test_a_photo_checked_as_the_stream_is_resized_goes_on_air_at_the_new_size(tmp_path, monkeypatch, kind):
    """A resize (the model loaded at a smaller size) while a command's check opened a photo kept it as opened for
    the new size: put on air at the old one, its frames refused by every block."""
    from vcam.live.inputs import switch as switch_module

    path = str(tmp_path / "photo.png")
    assert cv2.imwrite(path, np.full((30, 70, 3), 90, np.uint8))
    switch = InputSwitch(2 * W, 2 * H)
    real_open = switch_module.open_source

    def resized_meanwhile(*args, **kwargs):
        source = real_open(*args, **kwargs)
        if threading.current_thread().name == "command":
            switch.resize(W, H)
        return source

    monkeypatch.setattr(switch_module, "open_source", resized_meanwhile)
    command = threading.Thread(target=switch.check, args=(f"{kind}:{path}",), name="command")
    command.start()
    command.join()
    try:
        assert switch.open(f"{kind}:{path}").frames(0, 1).shape[1:3] == (H, W)
    finally:
        switch.close()


def test_an_image_saved_again_between_its_check_and_the_block_goes_on_air_as_it_now_is(tmp_path):
    """What the command's check read was put on air as it was: the old picture until the next save was followed."""
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    switch = InputSwitch(W, H)
    try:
        switch.check(f"image:{path}")
        _solid_png(tmp_path / "new.png", (255, 0, 0))
        os.replace(tmp_path / "new.png", path)
        fresh = ImageSource(str(path), W, H)
        assert np.array_equal(switch.open(f"image:{path}").frames(0, 1), fresh.frames(0, 1))
    finally:
        switch.close()


@pytest.mark.parametrize("kind", ["file", "image"])
def test_a_file_deleted_between_its_check_and_the_block_is_refused(tmp_path, kind):
    """What the command's check opened played on, the file gone, where the input was refused before it was kept."""
    path = tmp_path / "gone.png"
    _solid_png(path, (0, 0, 255))
    switch = InputSwitch(W, H)
    try:
        switch.check(f"{kind}:{path}")
        os.remove(path)
        with pytest.raises(InputError, match="no such file"):
            switch.open(f"{kind}:{path}")
    finally:
        switch.close()


def test_a_clip_typed_again_after_it_was_exported_again_plays_as_it_now_is(tmp_path):
    """A clip checked and never put on air (the stream held it, another input typed after it) was kept, and the
    oldest kept was the one taken: typed again once the file was exported again, the old clip played."""
    path = str(tmp_path / "loop.mp4")
    pyav_clip(path, 10, count=8)
    switch = InputSwitch(W, H)
    try:
        switch.check(f"file:{path}")
        pyav_clip(str(tmp_path / "new.mp4"), 10, count=3)
        os.replace(tmp_path / "new.mp4", path)
        switch.check(f"file:{path}")
        assert switch.open(f"file:{path}").length == 3
        assert switch.open("none") is None
        assert switch.open(f"file:{path}").length == 3  # the old clip closed, not kept to be taken next
    finally:
        switch.close()


@pytest.mark.parametrize("kind", ["file", "image"])
def test_a_check_after_the_switch_closed_keeps_nothing_open(tmp_path, monkeypatch, kind):
    """A command checked as the run ended kept its clip or image open for a stream that was gone, closed by nobody."""
    from vcam.live.inputs import switch as switch_module

    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    closed, real_open = [], switch_module.open_source

    def watched(*args, **kwargs):
        source = real_open(*args, **kwargs)
        real_close = source.close
        source.close = lambda: closed.append(source) or real_close()
        return source

    monkeypatch.setattr(switch_module, "open_source", watched)
    switch = InputSwitch(W, H)
    switch.close()
    assert switch.check(f"{kind}:{path}") == InputSpec(kind, str(path))
    assert len(closed) == 1


def test_a_replays_clips_and_images_are_opened_ahead_off_the_streams_thread(tmp_path, monkeypatch):
    """--replay put a logged image on air by opening it on the stream's thread, between two blocks (no command
    checked it first, as a typed one is): a large photo held the show's frames for seconds."""
    from types import SimpleNamespace

    from vcam.control.actions import SetInput, SetSeed
    from vcam.control.log import Replay
    from vcam.live.inputs import switch as switch_module
    from vcam.live.replaystart import InputsAhead

    stills = [str(tmp_path / name) for name in ("a.png", "b.png", "c.png")]
    for path in stills:
        cv2.imwrite(path, np.full((H, W, 3), 90, np.uint8))
    decoded_on = []
    real = switch_module.ImageSource

    class Counted(real):
        def __init__(self, *args, **kwargs):
            decoded_on.append(threading.current_thread().name)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(switch_module, "ImageSource", Counted)
    first, second, refused = (SetInput(f"image:{path}") for path in stills[:2] + stills[2:])
    replay = Replay({}, [(2, first), (3, SetSeed(1)), (4, refused), (5, SetInput("camera:7")), (6, second),
                         (9, SetInput("none"))], None)
    heard = []
    producer = SimpleNamespace(on_applied=heard.append, on_not_applied=heard.append)
    switch = InputSwitch(W, H)
    ahead = InputsAhead(replay, switch.check, producer)
    try:
        def kept(spec):  # its copy made and kept ready, not only begun: else the open below makes its own
            return lambda: any(str(ready[0]) == spec for ready in switch._ready)

        assert wait_for(kept(first.spec), 30)
        assert switch.open(first.spec) is not None  # its block
        heard[0](first, 2, None)
        assert wait_for(lambda: len(decoded_on) == 2, 30)
        heard[1](refused, None, "deleted since the start", ())  # refused at its block: the next one is opened
        assert wait_for(kept(second.spec), 30)
        switch.open(second.spec)
        assert decoded_on == ["vcam-replay-inputs"] * 3
    finally:
        ahead.stop()
        switch.close()


def test_a_replays_input_being_opened_as_the_show_ends_is_waited_for_and_closed(tmp_path, monkeypatch):
    """The thread opening a replay's inputs ahead was not waited for: a replay that ended while it decoded a photo
    aborted the process ("terminate called without an active exception"), and the copy it opened stayed open."""
    from types import SimpleNamespace

    from vcam.control.actions import SetInput
    from vcam.control.log import Replay
    from vcam.live.inputs import switch as switch_module
    from vcam.live.replaystart import InputsAhead

    still = str(tmp_path / "a.png")
    cv2.imwrite(still, np.full((H, W, 3), 90, np.uint8))
    opened, closed, ahead = [], [], None
    real = switch_module.ImageSource

    class Slow(real):  # still decoding as the show ends: done once the stop is asked
        def __init__(self, *args, **kwargs):
            opened.append(self)
            assert wait_for(lambda: ahead is not None and ahead._stopped, 30)
            super().__init__(*args, **kwargs)

        def close(self):
            closed.append(self)
            super().close()

    monkeypatch.setattr(switch_module, "ImageSource", Slow)
    producer = SimpleNamespace(on_applied=lambda hear: None, on_not_applied=lambda hear: None)
    switch = InputSwitch(W, H)
    ahead = InputsAhead(Replay({}, [(2, SetInput(f"image:{still}"))], None), switch.check, producer)
    assert wait_for(lambda: opened, 30)
    ahead.stop()
    left = ahead._thread.is_alive()
    switch.close()
    assert not left and closed == opened, (left, opened, closed)


def test_a_replays_input_still_being_opened_after_the_wait_is_said():
    from types import SimpleNamespace

    from vcam.control.actions import SetInput
    from vcam.control.log import Replay
    from vcam.live.replaystart import InputsAhead

    release, said, checked = threading.Event(), [], []

    def check(spec):
        checked.append(spec)
        release.wait(30)

    producer = SimpleNamespace(on_applied=lambda hear: None, on_not_applied=lambda hear: None)
    ahead = InputsAhead(Replay({}, [(2, SetInput("image:/x/a.png"))], None), check, producer, said.append)
    assert wait_for(lambda: checked, 30)
    ahead.stop(timeout=0.0)
    release.set()
    ahead.stop()
    assert said == ["the replay's next clip or image was still being opened after 0 s: the show ends without "
                    "waiting for it"]


def test_a_replays_inputs_after_one_the_stream_dropped_unheard_are_still_opened_ahead():
    """An input held while the camera was busy is dropped once a later one is due, with neither applied nor refused
    said of it: the thread waited for that one's word and opened no clip or image ahead from then on."""
    from types import SimpleNamespace

    from vcam.control.actions import SetInput
    from vcam.control.log import Replay
    from vcam.live.replaystart import InputsAhead

    a, dropped, c, d = (SetInput(f"image:/x/{name}.png") for name in "abcd")
    checked, changed = [], threading.Condition()

    def check(spec):
        with changed:
            checked.append(spec)
            changed.notify_all()

    def opened(count):
        with changed:
            return changed.wait_for(lambda: len(checked) >= count, 30)

    heard = []
    producer = SimpleNamespace(on_applied=heard.append, on_not_applied=heard.append)
    ahead = InputsAhead(Replay({}, [(2, a), (3, SetInput("camera:7")), (4, dropped), (5, c), (6, d)], None),
                        check, producer)
    try:
        assert opened(1)
        heard[0](a, 2, None)
        assert opened(2)
        heard[0](c, 5, None)  # `dropped` never heard: c replaced it on air
        assert opened(3), checked
        assert checked == [a.spec, dropped.spec, d.spec]
    finally:
        ahead.stop()


def test_the_stream_opens_an_input_itself_rather_than_wait_for_a_check_opening_it(monkeypatch):
    """The stream's thread waited for a check opening the same photo (a replay's ahead, a command's): as long as
    any check of it went on, and where that check failed it then opened the photo again, the show held twice as
    long as its own open took."""
    from vcam.live.inputs import switch as switch_module

    release, opening, got = threading.Event(), threading.Event(), []

    class Held:  # the check's copy, held on a drive that hangs; the stream's own opens at once
        def __init__(self, path, *args, **kwargs):
            if threading.current_thread().name == "check":
                opening.set()
                release.wait(30)

        def unchanged(self):
            return True

        def close(self):
            pass

    monkeypatch.setattr(switch_module, "ImageSource", Held)
    switch = InputSwitch(W, H)
    check = threading.Thread(target=switch.check, args=("image:/x/big.jpg",), name="check")
    check.start()
    try:
        assert opening.wait(30)
        stream = threading.Thread(target=lambda: got.append(switch.open("image:/x/big.jpg")), name="stream",
                                  daemon=True)
        stream.start()
        assert wait_for(lambda: got or not stream.is_alive(), 30) and isinstance(got[0], Held)
    finally:
        release.set()
        check.join(30)
        switch.close()


def test_an_animated_gif_pushed_out_of_the_kept_copies_is_said_once(tmp_path):
    """More inputs typed within one slow block than the switch keeps open pushed the first out: opened again for
    its block, a GIF said that only its first frame shows a second time."""
    from PIL import Image

    from vcam.live.inputs.switch import READY_KEPT

    gif = tmp_path / "loop.gif"
    frames = [Image.new("RGB", (40, 30), (60 * i, 0, 0)) for i in range(3)]
    frames[0].save(gif, save_all=True, append_images=frames[1:], duration=100, loop=0)
    stills = [tmp_path / f"{i}.png" for i in range(READY_KEPT)]
    for path in stills:
        _solid_png(path, (0, 90, 0))
    said: list[str] = []
    switch = InputSwitch(W, H, say=said.append)
    try:
        typed = [f"image:{gif}"] + [f"image:{path}" for path in stills]
        for spec in typed:
            switch.check(spec)
        for spec in typed:  # the block: each applied in turn
            assert switch.open(spec) is not None
    finally:
        switch.close()
    animated = [line for line in said if "animated" in line]
    assert len(animated) == 1, said


@pytest.mark.parametrize("kind", ["file", "image"])
def test_a_copy_pushed_out_of_those_kept_is_let_go_and_only_the_latest_are_remembered(tmp_path, monkeypatch, kind):
    """What remembered a copy's opening as said kept the closed copy itself, its picture and all, for every input
    ever pushed out: a folder of 60 stills typed through held 152 MiB."""
    import gc
    import weakref

    from vcam.live.inputs import switch as switch_module
    from vcam.live.inputs.switch import READY_KEPT, SAID_KEPT

    stills = [tmp_path / f"{i}.png" for i in range(SAID_KEPT + READY_KEPT + 2)]
    for path in stills:
        _solid_png(path, (0, 90, 0))
    opened, real_open = [], switch_module.open_source

    def watched(*args, **kwargs):
        source = real_open(*args, **kwargs)
        opened.append(weakref.ref(source))
        return source

    monkeypatch.setattr(switch_module, "open_source", watched)
    switch = InputSwitch(W, H)
    try:
        for path in stills:
            switch.check(f"{kind}:{path}")
        gc.collect()
        kept = [source for _, _, source in switch._ready]
        assert len(opened) == len(stills) and [ref() for ref in opened if ref() is not None] == kept
        assert len(switch._pushed_out) == SAID_KEPT
    finally:
        switch.close()


def test_as_many_inputs_as_are_kept_checked_within_a_block_are_each_taken_as_opened(tmp_path, monkeypatch):
    """Three inputs checked before a block kept only the last: the first two were closed and opened again on the
    stream's thread, a large photo holding the show's frames."""
    from vcam.live.inputs import switch as switch_module
    from vcam.live.inputs.switch import READY_KEPT

    stills = [tmp_path / f"{i}.png" for i in range(READY_KEPT)]
    for path in stills:
        _solid_png(path, (0, 90, 0))
    opened_on, real_open = [], switch_module.open_source

    def watched(*args, **kwargs):
        opened_on.append(threading.current_thread().name)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(switch_module, "open_source", watched)
    switch = InputSwitch(W, H)
    command = threading.Thread(target=lambda: [switch.check(f"image:{path}") for path in stills], name="command")
    command.start()
    command.join(30)
    try:
        for path in stills:
            assert switch.open(f"image:{path}") is not None
        assert opened_on == ["command"] * READY_KEPT
    finally:
        switch.close()


def test_a_replays_inputs_logged_within_one_block_are_not_opened_ahead_beside_the_stream(monkeypatch):
    """Several inputs logged at one block (typed as the model loaded) are put on air one after the other by the
    stream's thread: once the first was heard, the next was opened here too, beside the stream opening it itself,
    and that copy was never used."""
    from types import SimpleNamespace

    from vcam.control.actions import SetInput
    from vcam.control.log import Replay
    from vcam.live import replaystart
    from vcam.live.replaystart import InputsAhead

    waits = []

    class Watched(threading.Condition):
        def wait(self, timeout=None):
            waits.append(1)
            return super().wait(timeout)

    monkeypatch.setattr(replaystart, "threading", SimpleNamespace(Condition=Watched, Thread=threading.Thread))
    a, b, c = (SetInput(f"image:/x/{name}.png") for name in "abc")
    checked, heard = [], []
    producer = SimpleNamespace(on_applied=heard.append, on_not_applied=heard.append)
    ahead = InputsAhead(Replay({}, [(2, a), (2, b), (5, c)], None), checked.append, producer)
    try:
        assert wait_for(lambda: waits, 30)  # a opened, waiting for its block
        before = len(waits)
        heard[0](a, 2, None)
        assert wait_for(lambda: len(waits) > before, 30)  # b decided on
        assert checked == [a.spec]
        heard[0](b, 2, None)
        assert wait_for(lambda: len(checked) == 2, 30)
        assert checked == [a.spec, c.spec]
    finally:
        ahead.stop()


def test_a_name_with_no_other_form_is_not_looked_for_in_its_folder(tmp_path, monkeypatch):
    """`take1.mp4` not there has no decomposed (NFD) form to be stored under: its folder of 10,000 clips was read
    and each name normalised, for every clip not found."""
    import unicodedata

    from vcam import storednames

    (tmp_path / unicodedata.normalize("NFD", "été")).mkdir()
    listed = []
    real_scandir = os.scandir
    monkeypatch.setattr(storednames.os, "scandir", lambda path: listed.append(path) or real_scandir(path))
    assert storednames.as_stored(str(tmp_path / "take1.mp4")) is None
    assert storednames.as_stored(str(tmp_path / unicodedata.normalize("NFC", "été") / "take1.mp4")) is None
    assert listed == [str(tmp_path)]  # the accented folder's name alone


def test_a_folder_typed_with_a_trailing_slash_is_found_under_its_stored_name(tmp_path):
    """`Dossier-é/` typed as the keyboard writes it was not found where a Mac stored the folder (NFD), though
    `Dossier-é` was: the empty name after the slash ended the look-up."""
    import unicodedata

    from vcam.storednames import LeadsOut, as_stored

    stored = tmp_path / unicodedata.normalize("NFD", "Dossier-é")
    stored.mkdir()
    (stored / "x.mp4").write_bytes(b"clip")
    typed = str(tmp_path / unicodedata.normalize("NFC", "Dossier-é"))
    assert as_stored(typed) == str(stored)
    assert as_stored(typed + os.sep) == str(stored) + os.sep
    assert as_stored(typed + os.sep + "x.mp4") == str(stored / "x.mp4")
    # a file not there in it: no such file, and yet looked up in the folder as stored, which a shared one is held to
    assert as_stored(typed + os.sep + "y.mp4") is None
    with pytest.raises(LeadsOut) as out:
        as_stored(typed + os.sep + "y.mp4", within=(str(tmp_path / "elsewhere"),))
    assert out.value.real == os.path.realpath(stored / "y.mp4")
