"""How a clip opens and reads: what it costs (the file opened and its first frame decoded once each) and the
exact pixels of a clip with alpha over black."""
import os

import av
import numpy as np
import pytest

from helpers import alpha_clip, pyav_clip, rgba_clip, with_junk
from vcam.live.inputs import ClipSource
from vcam.live import frames as frames_module
from vcam.live.inputs import clip as clip_module

W, H = 32, 24


def over_black(rgba: np.ndarray) -> np.ndarray:
    """Each colour times alpha / 255, rounded half up, in whole numbers: [H, W, 3] RGB."""
    colour, alpha = rgba[:, :, :3].astype(np.int64), rgba[:, :, 3:].astype(np.int64)
    return ((2 * colour * alpha + 255) // 510).astype(np.uint8)


def test_every_colour_and_alpha_pair_shows_over_black_as_the_formula_says():
    colour, alpha = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8))
    rgba = np.dstack([colour, colour, colour, alpha])
    bgr = frames_module.over_black_bgr(np.ascontiguousarray(rgba[:, :, 2::-1]), rgba[:, :, 3:])
    assert np.array_equal(bgr[:, :, ::-1], over_black(rgba))


@pytest.mark.parametrize("height, width", [(1080, 1920), (7, 13), (1, 1)])
def test_a_random_frame_shows_over_black_as_the_formula_says(height, width):
    """Random pixels at sizes whose rows do and do not fill whole vector registers, alpha 0, 255 and between."""
    rng = np.random.default_rng(height)
    rgba = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    rgba[::3, :, 3] = 0
    rgba[1::3, :, 3] = 255
    bgr = frames_module.over_black_bgr(rgba[:, :, 2::-1], rgba[:, :, 3:])  # a view, as a decoded frame gives
    assert bgr.dtype == np.uint8 and np.array_equal(bgr[:, :, ::-1], over_black(rgba))


def test_a_clip_with_alpha_plays_each_pixel_over_black_exactly(tmp_path):
    rng = np.random.default_rng(5)
    frames = [rng.integers(0, 256, (H, W, 4), dtype=np.uint8) for _ in range(3)]
    clip = ClipSource(rgba_clip(tmp_path / "logo.mov", frames), W, H, "stretch", fps=10)
    try:
        block = clip.frames(0, 4)
        for shown, rgba in zip(block, frames + frames[:1]):
            assert np.array_equal(shown, over_black(rgba))
    finally:
        clip.close()


def _count_opens(monkeypatch) -> list:
    """Every file PyAV opens from now on, in a list that fills as they open."""
    opened: list = []
    real = av.open

    def counting(*args, **kwargs):
        opened.append(args[0] if args else kwargs.get("file"))
        return real(*args, **kwargs)

    monkeypatch.setattr(av, "open", counting)
    return opened


@pytest.mark.parametrize("make, opens", [
    (lambda tmp: pyav_clip(tmp / "plain.mp4", 10, count=6), 1),
    # a variable rate: its header count fails the check and its packets are counted, from the same opening
    (lambda tmp: pyav_clip(tmp / "screen.mkv", 30, count=20, times_ms=lambda i: i * 60 - (i % 2) * 50), 1),
    # with alpha: learnt about once, and opened again to play through PyAV
    (lambda tmp: alpha_clip(tmp / "prores.mov", "prores_ks", "yuva444p10le"), 2),
], ids=["plain", "counted", "alpha"])
def test_a_clip_is_probed_by_pyav_once_as_it_opens(tmp_path, monkeypatch, make, opens):
    path = make(tmp_path)
    opened = _count_opens(monkeypatch)
    clip = ClipSource(path, W, H, fps=10)
    try:
        assert len(opened) == opens
        assert clip.frames(0, 1).shape == (1, H, W, 3)
    finally:
        clip.close()


class _CountingReads:
    """An OpenCV capture whose reads (each a frame decoded and converted) are counted in `counts`."""

    def __init__(self, cap, counts: list):
        self._cap, self._counts = cap, counts

    def read(self):
        self._counts.append(1)
        return self._cap.read()

    def __getattr__(self, name):
        return getattr(self._cap, name)


def test_the_first_frame_of_a_clip_with_alpha_is_decoded_once(tmp_path, monkeypatch):
    """By PyAV, which gives its alpha: OpenCV decoding it first, to throw it away, doubled the opening's cost
    for a large ProRes 4444 frame."""
    path = alpha_clip(tmp_path / "prores.mov", "prores_ks", "yuva444p10le")
    opencv_reads: list = []
    real = clip_module._capture
    monkeypatch.setattr(clip_module, "_capture", lambda p: _CountingReads(real(p), opencv_reads))
    alpha_reads: list = []
    real_read = clip_module.AlphaCapture.read
    monkeypatch.setattr(clip_module.AlphaCapture, "read", lambda self: alpha_reads.append(1) or real_read(self))
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        assert (len(opencv_reads), len(alpha_reads)) == (0, 1)
        frame = clip.frames(0, 1)[0]
        assert tuple(frame[1, 1]) == (0, 0, 0) and min(frame[12, 16]) > 245
    finally:
        clip.close()


def test_a_clip_with_alpha_pyav_cannot_decode_plays_as_opencv_reads_it(tmp_path, monkeypatch):
    path = alpha_clip(tmp_path / "prores.mov", "prores_ks", "yuva444p10le")
    monkeypatch.setattr(clip_module.AlphaCapture, "read", lambda self: (False, None))
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        assert min(clip.frames(0, 1)[0][1, 1]) > 245  # the hidden white, as before
    finally:
        clip.close()


class _CountingSeeks:
    """An OpenCV capture whose seeks (each decoding up to a dozen frames to land) are counted in `seeks`."""

    def __init__(self, cap, seeks: list):
        self._cap, self._seeks = cap, seeks

    def set(self, prop, value):
        self._seeks.append((prop, value))
        return self._cap.set(prop, value)

    def __getattr__(self, name):
        return getattr(self._cap, name)


@pytest.mark.parametrize("make, length", [
    (lambda tmp: pyav_clip(tmp / "plain.mp4", 10, count=6), 6),
    (lambda tmp: pyav_clip(tmp / "screen.mp4", 30, count=20, times_ms=lambda i: i * 60 - (i % 2) * 50), 20),
    (lambda tmp: alpha_clip(tmp / "prores.mov", "prores_ks", "yuva444p10le", count=5), 5),
], ids=["plain", "variable rate", "prores 4444"])
def test_an_mp4_or_mov_is_counted_by_its_sample_table_without_a_seek(tmp_path, monkeypatch, make, length):
    """OpenCV's check of the header's count seeks to the last frame and past it, each seek decoding frames to land:
    a second or more to open a 1080p ProRes 4444 clip."""
    path = make(tmp_path)
    seeks: list = []
    real = clip_module._capture
    monkeypatch.setattr(clip_module, "_capture", lambda p: _CountingSeeks(real(p), seeks))
    clip = ClipSource(path, W, H, fps=10)
    try:
        assert clip.length == length and seeks == []
    finally:
        clip.close()


@pytest.mark.parametrize("movflags, hidden", [
    ("frag_keyframe+global_sidx+default_base_moof", 0),
    ("frag_keyframe+empty_moov", 0),
    ("frag_keyframe", 0),
    (None, 3),
], ids=["fragmented with a sidx", "fragmented", "fragmented, first fragment in the moov", "edit list"])
def test_an_mp4_plays_every_frame_a_full_decode_gives(tmp_path, movflags, hidden):
    """A fragmented MP4 with a sidx lists its first fragment in the moov's sample table, and FFmpeg reads the rest
    as they are reached: counted by that table, a 30-frame clip played as a 5-frame loop. An edit list hides the
    frames before its start (here 3, the clip's time starting at -0.3 s)."""
    path = pyav_clip(tmp_path / "clip.mp4", 10, count=30, times_ms=lambda i: (i - hidden) * 100,
                     options={"g": "5", "bf": "0"}, movflags=movflags)
    with av.open(path) as container:
        decoded = [round(float(f.to_ndarray(format="gray").mean()) / 10) for f in container.decode(video=0)]
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        assert clip.length == len(decoded) == 30 - hidden
        shown = [round(float(f.mean()) / 10) for f in clip.frames(0, 2 * clip.length)]
        assert shown == decoded * 2 == [i % 25 for i in range(hidden, 30)] * 2
    finally:
        clip.close()


def test_an_mp4_whose_boxes_have_64_bit_sizes_is_counted_by_its_table(tmp_path, monkeypatch):
    """A file past 4 GiB gives its mdat a 64-bit size: read as 32 bits, the moov after it was not found."""
    path = pyav_clip(tmp_path / "plain.mp4", 10, count=6)
    data = open(path, "rb").read()
    moov = data.index(b"moov") - 4  # PyAV writes it last: a box put before it moves no frame
    free = (1).to_bytes(4, "big") + b"free" + (16 + 8).to_bytes(8, "big") + bytes(8)
    with open(path, "wb") as f:
        f.write(data[:moov] + free + data[moov:])
    seeks: list = []
    real = clip_module._capture
    monkeypatch.setattr(clip_module, "_capture", lambda p: _CountingSeeks(real(p), seeks))
    clip = ClipSource(path, W, H, fps=10)
    try:
        assert clip.length == 6 and seeks == []
    finally:
        clip.close()


def test_an_mp4_cut_short_after_its_sample_table_counts_the_frames_it_has(tmp_path):
    """An MP4 whose table comes first (a web export's faststart) lists every frame even where the file stops
    halfway: counted by the table, the clip would hold its last frame for the missing half each time round."""
    path = str(tmp_path / "web.mp4")
    with av.open(path, "w", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=10, options={"g": "4", "bf": "0", "crf": "0"})
        stream.width, stream.height, stream.pix_fmt = W, H, "yuv420p"
        noise = np.random.default_rng(1).integers(-3, 4, (20, H, W, 3))  # frames of some size: the table is small
        for i in range(20):
            frame = av.VideoFrame.from_ndarray((20 + 10 * i + noise[i]).astype(np.uint8), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with av.open(path) as whole:
        assert whole.streams.video[0].frames == 20
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) * 7 // 10)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        assert 0 < clip.length < 20
        played = [round(float(f.mean()) / 10) - 2 for f in clip.frames(0, clip.length)]
        assert played[:-1] == list(range(clip.length - 1))  # the last may be the one cut in half, held
    finally:
        clip.close()


def _prores_with_junk_between(path, frames: list) -> str:
    """A ProRes 4444 clip of `frames` (RGBA) whose odd frames are junk bytes: a frame that does not decode."""
    whole = rgba_clip(str(path) + ".whole.mov", frames, "prores_ks", "yuva444p10le")
    return with_junk(whole, str(path), lambda n: n % 2 == 1)


def test_a_prores_frame_passed_on_the_way_is_not_decoded(tmp_path):
    """A 20 fps ProRes 4444 clip in a 10 fps show shows every other frame: those between were decoded whole to be
    thrown away, a good part of each 1080p frame's time. Here they are junk, which stopped the clip where decoded."""
    rng = np.random.default_rng(7)
    frames = [rng.integers(0, 256, (H, W, 4), dtype=np.uint8) for _ in range(8)]
    for rgba in frames:
        rgba[:, :, 3] = 255  # opaque: what shows is the colour, within ProRes's loss
    path = _prores_with_junk_between(tmp_path / "fast.mov", frames)
    clip = ClipSource(path, W, H, "stretch", fps=5)  # the clip says 10 fps: every other frame
    try:
        assert clip.step == 2 and clip.length == 8
        shown = clip.frames(0, 4)
        for k, frame in enumerate(shown):
            assert np.abs(frame.astype(int) - frames[2 * k][:, :, :3]).mean() < 4, k
    finally:
        clip.close()


def test_a_clip_with_alpha_is_shown_over_black_before_it_is_scaled_so_no_hidden_colour_bleeds(tmp_path):
    """A ProRes 4444 frame is converted to RGBA at its own size, shown over black, then scaled to the show's size.
    Letting FFmpeg scale and convert in one pass, to the show's size, costs less, but it scales the colour the
    transparent pixels hide with the rest, and that colour shows along every edge (a white fringe round a red
    logo): the order kept here, shown against the one-pass result."""
    logo = np.zeros((48, 64, 4), np.uint8)
    logo[:, :, :3] = 255  # transparent white around it: what an export keeps under the alpha
    logo[7:41, 9:57] = (255, 0, 0, 255)  # a red square, its edges through the middle of the pixels scaled down
    path = rgba_clip(tmp_path / "logo.mov", [logo] * 2, "prores_ks", "yuva444p10le")
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        shown = clip.frames(0, 1)[0].astype(int)
    finally:
        clip.close()
    with av.open(path) as container:
        frame = next(container.decode(video=0))
        one_pass = frame.reformat(width=W, height=H, format="rgba").to_ndarray()
    scaled_first = over_black(one_pass).astype(int)
    assert shown[:, :, 1:].max() <= 8  # red over black, half red on the edges: never green or blue
    assert shown[12, 16, 0] > 245 and shown[[1, 22], 1, 0].max() <= 8  # the square red, the background black
    assert scaled_first[:, :, 1:].max() > 40  # the hidden white along the edges


def _retimed(src: str, dst: str, ms) -> str:
    """`src`'s packets muxed into `dst` with packet i at ms(i) milliseconds: timestamps no encoder writes (a
    recording paused for hours, frames that share a time)."""
    from fractions import Fraction

    with av.open(src) as clip, av.open(dst, "w") as out:
        stream = out.add_stream_from_template(clip.streams.video[0])
        for i, packet in enumerate(p for p in clip.demux(clip.streams.video[0]) if p.size):
            packet.stream, packet.time_base = stream, Fraction(1, 1000)
            packet.pts = packet.dts = ms(i)
            out.mux(packet)
    return dst


def _grey(source: ClipSource, position: int) -> int:
    return int(source.frames(position, 1)[0, 0, 0, 0])


@pytest.mark.parametrize("name, ms", [
    # 60 frames, then a pause of 5 h, then 60 more: counted by its duration, 540,000 frames, the last one held for
    # 5 h and the clip never looping
    ("paused.mkv", lambda i: i * 33 + (5 * 3_600_000 if i >= 60 else 0)),
    # 30 frames at each second: counted 91, the last 29 never shown
    ("zero-length.mkv", lambda i: i // 30 * 1000),
], ids=["paused", "zero-length"])
def test_a_clip_whose_timestamps_pause_or_repeat_plays_every_frame_and_loops(tmp_path, name, ms):
    plain = pyav_clip(tmp_path / "plain.mkv", 30, count=120, options={"bf": "0", "g": "10"})
    source = ClipSource(_retimed(plain, str(tmp_path / name), ms), 64, 48, fps=30)
    assert source.length == 120
    shown = [source.index(position) for position in range(200)]
    assert shown[-1] < shown[-2] or 0 in shown[1:]  # looped, where it held its 120th frame (for 5 h)
    for position, frame in enumerate(shown):  # frame i is a flat grey 10·i (mod 250), give or take the codec
        assert abs(_grey(source, position) - 10 * frame % 250) <= 3, (position, frame)


def test_clips_joined_end_to_end_play_both_parts(tmp_path):
    """Two transport streams joined with cat (a recorder's segments): the timestamps go back at the join, and the
    clip was counted by its duration as the first part alone."""
    first = pyav_clip(tmp_path / "a.ts", 30, count=60)
    second = pyav_clip(tmp_path / "b.ts", 30, count=60)
    joined = tmp_path / "joined.ts"
    joined.write_bytes(open(first, "rb").read() + open(second, "rb").read())
    source = ClipSource(str(joined), 64, 48, fps=30)
    assert source.length == 120
    assert abs(_grey(source, 90) - 10 * 30 % 250) <= 3 and abs(_grey(source, 10) - 100) <= 3


def test_a_clip_too_large_to_read_through_is_counted_by_its_duration(tmp_path, monkeypatch):
    monkeypatch.setattr(clip_module, "COUNT_PACKETS_BYTES", 1000)
    plain = pyav_clip(tmp_path / "plain.mkv", 30, count=120, options={"bf": "0", "g": "10"})
    paused = _retimed(plain, str(tmp_path / "paused.mkv"), lambda i: i * 33 + (60_000 if i >= 60 else 0))
    assert ClipSource(paused, 64, 48, fps=30).length > 1000  # as before: a minute's pause counted as frames


def test_a_picture_ffmpeg_does_not_decode_as_a_clip_is_told_to_be_an_image(tmp_path, monkeypatch):
    """A 20000x20000 JPEG as file: was said as a video to convert with ffmpeg (which fails on it the same way)."""
    import cv2

    from vcam.live.inputs import InputError

    path = str(tmp_path / "huge photo.jpg")
    cv2.imwrite(path, np.full((48, 64, 3), 90, np.uint8))
    monkeypatch.setattr(clip_module, "_first", lambda path, alpha: (None, None, None))  # as FFmpeg refuses it
    with pytest.raises(InputError) as err:
        ClipSource(path, 64, 48)
    assert err.value.message.endswith("it is a still picture") and err.value.fix == f"show it with 'image:{path}'"
    text = tmp_path / "notes.mp4"
    text.write_bytes(b"\x00" * 64)  # no picture's header: the usual fix
    with pytest.raises(InputError) as err:
        ClipSource(str(text), 64, 48)
    assert "ffmpeg -i" in err.value.fix


@pytest.mark.parametrize("interlaced, length", [(True, 50), (False, 100)], ids=["interlaced", "progressive"])
def test_an_interlaced_clip_is_not_counted_by_its_packets(tmp_path, monkeypatch, interlaced, length):
    """H.264 coded as fields (a 1080i broadcast's TS) can give a packet per field: counted by them, a clip whose
    header's count checked out was twice as long, its last frame held for as long as it had played. x264 codes
    fields only as MBAFF (a packet per frame), so the field packets are given here as FFmpeg's parser gives them."""
    options = {"bf": "0", "g": "10", **({"x264-params": "interlaced=1:tff=1"} if interlaced else {})}
    path = pyav_clip(tmp_path / "broadcast.ts", 25, count=50, options=options)  # its header's count checks out
    monkeypatch.setattr(clip_module, "_packets", lambda container: (100, None))  # one per field
    assert ClipSource(path, 64, 48, fps=25).length == length


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_a_photo_given_as_a_clip_comes_in_upright_as_an_image_does(tmp_path, orientation):
    """A phone's photo stores its pixels one way and says in EXIF how to turn them: given as file:, it shows as
    image: shows it, not on its side."""
    from PIL import Image

    from vcam.live.inputs import ImageSource

    stored = np.zeros((40, 80, 3), np.uint8)
    stored[:, :40] = 255  # left half white, as stored
    photo = Image.fromarray(stored)
    exif = photo.getexif()
    exif[0x0112] = orientation
    path = str(tmp_path / "photo.jpg")
    photo.save(path, exif=exif, quality=95)
    as_image = ImageSource(path, 64, 64, "stretch").frames(0, 1)
    clip = ClipSource(path, 64, 64, "stretch")
    try:
        as_clip = clip.frames(0, 2)
    finally:
        clip.close()
    assert np.array_equal(as_clip[0], as_image[0]) and np.array_equal(as_clip[1], as_image[0])


@pytest.mark.parametrize("orientation", [None, 1])
def test_a_photo_that_says_no_turn_given_as_a_clip_is_not_decoded_twice(tmp_path, monkeypatch, orientation):
    """A 24 MP photo given as file: was decoded again, to turn it as image: does, though it says no turn: up to half
    a second more as the input went on air, on the stream's thread, between blocks."""
    from PIL import Image

    import vcam.live.inputs.clip as clip_module

    photo = Image.fromarray(np.full((40, 80, 3), 120, np.uint8))
    exif = photo.getexif()
    if orientation is not None:
        exif[0x0112] = orientation
    path = str(tmp_path / "photo.jpg")
    photo.save(path, exif=exif)
    monkeypatch.setattr(clip_module, "read_shown", lambda *a: pytest.fail("decoded a second time"))
    ClipSource(path, 64, 64).close()


def test_a_jpegs_orientation_is_read_from_its_exif_in_either_byte_order(tmp_path):
    from PIL import Image

    from vcam.live.frames import _tiff_orientation, jpeg_header

    for orientation in range(1, 9):
        photo = Image.fromarray(np.zeros((8, 8, 3), np.uint8))
        exif = photo.getexif()
        exif[0x0110] = "phone"  # another tag before it
        exif[0x0112] = orientation
        photo.save(tmp_path / "p.jpg", exif=exif)
        assert jpeg_header(str(tmp_path / "p.jpg"))[1] == orientation
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "plain.jpg")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "p.png")
    assert jpeg_header(str(tmp_path / "plain.jpg"))[1] is None and jpeg_header(str(tmp_path / "p.png"))[1] is None
    entry = bytes.fromhex("0112 0003 00000001 0006 0000")  # orientation, a short, one of it: 6
    big_endian = b"MM\0*" + (8).to_bytes(4, "big") + (1).to_bytes(2, "big") + entry
    assert _tiff_orientation(big_endian) == 6


def test_an_exif_block_cut_short_is_read_as_far_as_opencv_reads_it():
    """OpenCV reads an orientation entry's first 10 bytes: a block that ends at its value turns the picture (taken
    for one of no turn, file: showed it unturned); one cut short before it leaves the turn in doubt, not "none"."""
    from vcam.live.frames import UNSURE, _tiff_orientation

    entry = bytes.fromhex("0112 0003 00000001 0006 0000")  # orientation, a short, one of it: 6
    big_endian = b"MM\0*" + (8).to_bytes(4, "big") + (1).to_bytes(2, "big") + entry
    assert _tiff_orientation(big_endian[:20]) == 6
    for cut in (4, 9, 14, 19):
        assert _tiff_orientation(big_endian[:cut]) == UNSURE, cut
    assert _tiff_orientation(b"Exif\0\0" + big_endian) is None  # no TIFF block at all


def _comes_in_as_an_image_does(path) -> None:
    """The picture at `path` given as file: comes in as image: shows it (turned as imread turns it)."""
    from vcam.live.inputs import ImageSource

    clip = ClipSource(str(path), 64, 64, "stretch")
    try:
        assert np.array_equal(clip.frames(0, 1)[0], ImageSource(str(path), 64, 64, "stretch").frames(0, 1)[0])
    finally:
        clip.close()


def test_a_jpeg_whose_exif_ends_at_its_orientation_given_as_a_clip_comes_in_turned(tmp_path):
    """A 20-byte Exif block, its orientation entry's padding left off: imread turns the photo, as file: now does."""
    from PIL import Image

    from vcam.live.frames import UNSURE, jpeg_header

    stored = np.zeros((40, 80, 3), np.uint8)
    stored[:10, :10] = 255
    plain = tmp_path / "plain.jpg"
    Image.fromarray(stored).save(plain, quality=95)
    body = b"Exif\0\0" + bytes.fromhex("49492a00 08000000 0100 1201 0300 01000000 0600")
    data = plain.read_bytes()
    path = tmp_path / "photo.jpg"
    path.write_bytes(data[:2] + b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body + data[2:])
    assert jpeg_header(str(path))[1] == 6
    _comes_in_as_an_image_does(path)
    cut = body[:-1]  # in doubt: decoded to be sure, not taken for no turn
    path.write_bytes(data[:2] + b"\xff\xe1" + (len(cut) + 2).to_bytes(2, "big") + cut + data[2:])
    assert jpeg_header(str(path))[1] == UNSURE


def _app1_exif(tags: dict[int, int]) -> bytes:
    """An APP1 Exif segment whose first image directory holds `tags` (SHORT values), little-endian."""
    entries = b"".join(tag.to_bytes(2, "little") + (3).to_bytes(2, "little") + (1).to_bytes(4, "little")
                       + value.to_bytes(2, "little") + bytes(2) for tag, value in sorted(tags.items()))
    tiff = b"II*\0" + (8).to_bytes(4, "little") + len(tags).to_bytes(2, "little") + entries + bytes(4)
    body = b"Exif\0\0" + tiff
    return b"\xff\xe1" + (len(body) + 2).to_bytes(2, "big") + body


@pytest.mark.parametrize("where", ["a second exif segment", "after the frame header"])
def test_a_turn_said_where_opencv_reads_it_is_found(tmp_path, where):
    """OpenCV reads every Exif segment up to the scan (one with no orientation, a tool's, beside the older one that
    has it; one after the frame header): the look that stopped at the first, or at the frame header, took such a
    photo for unturned, and file: showed it on its side."""
    from PIL import Image

    from vcam.live.frames import jpeg_header

    stored = np.zeros((40, 80, 3), np.uint8)
    stored[:, :40] = 255
    plain = tmp_path / "plain.jpg"
    Image.fromarray(stored).save(plain, quality=95)
    data = plain.read_bytes()
    if where == "a second exif segment":
        data = data[:2] + _app1_exif({0x010F: 1}) + _app1_exif({0x0112: 6}) + data[2:]
    else:
        sof = data.index(b"\xff\xc0")
        end = sof + 2 + int.from_bytes(data[sof + 2:sof + 4], "big")
        data = data[:end] + _app1_exif({0x0112: 6}) + data[end:]
    path = tmp_path / "photo.jpg"
    path.write_bytes(data)
    assert jpeg_header(str(path))[1] == 6
    _comes_in_as_an_image_does(path)


def test_a_turn_said_past_a_large_segment_is_found(tmp_path):
    """An Exif segment after an ICC profile of 200 KB (in APP2 segments of up to 64 KB, as a wide-gamut photo
    carries it) is read where it is: a look at a fixed first part of the file would miss it."""
    from PIL import Image

    from vcam.live.frames import jpeg_header

    plain = tmp_path / "plain.jpg"
    Image.fromarray(np.zeros((40, 80, 3), np.uint8)).save(plain)
    data = plain.read_bytes()
    profile = b"".join(b"\xff\xe2" + (65533 + 2).to_bytes(2, "big") + b"ICC_PROFILE\0" + bytes(65533 - 12)
                       for _ in range(3))
    path = tmp_path / "photo.jpg"
    path.write_bytes(data[:2] + profile + _app1_exif({0x0112: 6}) + data[2:])
    assert jpeg_header(str(path))[1] == 6
    head = path.read_bytes()[:clip_module.HEAD_BYTES]  # as a clip reads it as it opens
    assert jpeg_header(str(path)) == jpeg_header(str(path), head) == ((80, 40), 6)


def test_a_picture_files_size_is_read_past_fill_bytes_and_markers_with_no_length_as_libjpeg_reads_them(tmp_path):
    """Fill bytes (FF) before a marker and markers with no length (TEM, a restart) are passed over by libjpeg, as by
    the walk of an input frame on the wire; an end of image, or a second start, ends the picture for libjpeg."""
    import cv2

    from vcam.live.frames import jpeg_size

    data = cv2.imencode(".jpg", np.zeros((30, 70, 3), np.uint8))[1].tobytes()
    path = tmp_path / "photo.jpg"
    path.write_bytes(data[:2] + b"\xff\xff\xff\x01\xff\xd3" + data[2:])
    assert jpeg_size(str(path)) == (70, 30) == cv2.imread(str(path)).shape[1::-1]
    for ends in (b"\xff\xd9", b"\xff\xd8"):
        path.write_bytes(data[:2] + ends + data[2:])
        assert jpeg_size(str(path)) is None, ends


def test_a_photo_too_large_for_image_given_as_a_clip_still_plays_as_the_capture_reads_it(tmp_path, monkeypatch):
    from PIL import Image

    path = str(tmp_path / "huge.png")
    Image.fromarray(np.full((H, W, 3), 90, np.uint8)).save(path)
    monkeypatch.setattr(frames_module, "too_large", lambda p: "too large to decode")
    clip = ClipSource(path, W, H)
    try:
        assert np.array_equal(clip.frames(0, 1)[0], np.full((H, W, 3), 90, np.uint8))
    finally:
        clip.close()


def test_an_animated_webp_plays_its_frames_though_ffmpeg_counts_one_packet(tmp_path):
    """FFmpeg's WebP demuxer gives a whole animation one packet: counted so, an animated WebP that OpenCV plays frame
    by frame played its first frame still."""
    from PIL import Image

    frames = [Image.fromarray(np.full((H, W, 3), 60 * i, np.uint8)) for i in range(4)]
    path = str(tmp_path / "loop.webp")
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0, lossless=True)
    said: list[str] = []
    clip = ClipSource(path, W, H, say=said.append)
    try:
        assert clip.length == 4 and said == []
        assert len({int(clip.frames(i, 1)[0].mean()) for i in range(0, 12, 3)}) > 1  # it moves
    finally:
        clip.close()


def test_an_animation_this_ffmpeg_decodes_one_frame_of_is_said_to_show_still(tmp_path, monkeypatch):
    """Where the capture too gives one frame of an animated WebP, it played still without a word; a GIF of one frame
    is no animation played still."""
    import vcam.live.inputs.clip as clip_module
    from PIL import Image

    frames = [Image.fromarray(np.full((H, W, 3), 50 * i, np.uint8)) for i in range(4)]
    path = str(tmp_path / "loop.webp")
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    monkeypatch.setattr(clip_module, "_frame_count", lambda path, declared, probe: (1, None))  # as such an FFmpeg
    said: list[str] = []
    ClipSource(path, W, H, say=said.append).close()
    assert said == ["clip loop.webp is animated, but this FFmpeg decodes only its first frame: it shows still; "
                    "convert it to a GIF to play it (convert IN.webp OUT.gif)"]
    single = str(tmp_path / "one.gif")
    frames[1].save(single)
    ClipSource(single, W, H, say=said.append).close()
    assert len(said) == 1
    data = open(path, "rb").read()  # a WebP flagged animated that holds one frame: nothing more to play
    second = data.index(b"ANMF", data.index(b"ANMF") + 4)
    open(path, "wb").write(data[:4] + (second - 8).to_bytes(4, "little") + data[8:second])
    ClipSource(path, W, H, say=said.append).close()
    assert len(said) == 1


# --- a PNG's or a WebP's EXIF turn, read from its chunks as OpenCV reads it ---------------------------------------


def _tiff_turn(orientation: int, order: str = "II") -> bytes:
    """EXIF's TIFF block, its first image directory holding the orientation alone."""
    byteorder = "little" if order == "II" else "big"

    def n(value: int, size: int) -> bytes:
        return value.to_bytes(size, byteorder)

    entry = n(0x0112, 2) + n(3, 2) + n(1, 4) + n(orientation, 2) + bytes(2)  # orientation, a short, one of it
    return order.encode() + n(42, 2) + n(8, 4) + n(1, 2) + entry + bytes(4)


def _png_chunk(kind: bytes, body: bytes, crc_ok: bool = True) -> bytes:
    import zlib

    crc = zlib.crc32(kind + body) ^ (0 if crc_ok else 1)
    return len(body).to_bytes(4, "big") + kind + body + crc.to_bytes(4, "big")


def _png(bgr: np.ndarray, before: bytes = b"", after: bytes = b"") -> bytes:
    """A PNG of `bgr` with chunks `before` its image data and `after` it (before its end)."""
    import cv2

    data = cv2.imencode(".png", bgr)[1].tobytes()
    idat, iend = data.index(b"IDAT") - 4, data.index(b"IEND") - 4
    return data[:idat] + before + data[idat:iend] + after + data[iend:]


def _webp_chunk(kind: bytes, body: bytes) -> bytes:
    return kind + len(body).to_bytes(4, "little") + body + b"\0" * (len(body) & 1)


def _webp(bgr: np.ndarray, flags: int = 0x08, before: bytes = b"", after: bytes = b"", lossless: bool = True) -> bytes:
    """An extended WebP of `bgr` (VP8X, with `flags`: 0x08 says it has EXIF) with chunks `before` and `after` its
    image; a simple one where flags is None."""
    import cv2

    image = cv2.imencode(".webp", bgr, [cv2.IMWRITE_WEBP_QUALITY, 101 if lossless else 90])[1].tobytes()[12:]
    if flags is None:
        body = image + after
    else:
        h, w = bgr.shape[:2]
        header = bytes([flags, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little")
        body = _webp_chunk(b"VP8X", header) + before + image + after
    return b"RIFF" + (4 + len(body)).to_bytes(4, "little") + b"WEBP" + body


def _stored() -> np.ndarray:
    """A picture whose eight turns all differ: a red corner at its top left, a blue one at its bottom right."""
    bgr = np.zeros((H, W, 3), np.uint8)
    bgr[:6, :8] = (0, 0, 255)
    bgr[-4:, -10:] = (255, 0, 0)
    return bgr


def _as_exif_turns(bgr: np.ndarray, orientation: int) -> np.ndarray:
    """`bgr` shown as EXIF's orientation says: 2, 4, 5 and 7 mirrored, then turned."""
    mirrored = bgr[:, ::-1] if orientation in (2, 4, 5, 7) else bgr
    quarters = {1: 0, 2: 0, 3: 2, 4: 2, 5: 1, 6: 3, 7: 3, 8: 1}[orientation]  # counter-clockwise
    return np.ascontiguousarray(np.rot90(mirrored, quarters))


def _eXIf(orientation: int, order: str = "II", crc_ok: bool = True) -> bytes:
    return _png_chunk(b"eXIf", _tiff_turn(orientation, order), crc_ok)


def _EXIF(orientation: int) -> bytes:
    return _webp_chunk(b"EXIF", _tiff_turn(orientation))


# Files whose EXIF OpenCV reads (orientation, as imread turns it), or leaves in doubt (None: decoded to be sure): a
# WebP's EXIF chunk that imread leaves out (not flagged, or in a simple WebP), which FFmpeg reads, among them
STILLS = {
    "png, no exif": (lambda b: _png(b), 1),
    "png, exif before its image data": (lambda b: _png(b, before=_eXIf(6)), 6),
    "png, exif after its image data": (lambda b: _png(b, after=_eXIf(8)), 8),
    "png, big-endian exif": (lambda b: _png(b, before=_eXIf(3, "MM")), 3),
    "png, two exif chunks": (lambda b: _png(b, before=_eXIf(5) + _eXIf(1)), 5),
    "png, exif that says no turn": (lambda b: _png(b, before=_eXIf(1)), 1),
    "png, exif of no orientation": (lambda b: _png(b, after=_eXIf(9)), 1),
    "png, exif past its end": (lambda b: _png(b) + _eXIf(6), 1),
    "png, exif ending at its orientation": (lambda b: _png(b, before=_png_chunk(b"eXIf", _tiff_turn(6)[:20])), 6),
    "png, exif damaged": (lambda b: _png(b, before=_eXIf(6, crc_ok=False)), None),
    "png, exif with a jpeg's header": (lambda b: _png(b, before=_png_chunk(b"eXIf", b"Exif\0\0" + _tiff_turn(6))),
                                       None),
    "webp, simple": (lambda b: _webp(b, flags=None), 1),
    "webp, simple with exif after it": (lambda b: _webp(b, flags=None, after=_EXIF(6)), None),
    "webp, exif unflagged": (lambda b: _webp(b, flags=0, after=_EXIF(6)), None),
    "webp, lossy, exif unflagged": (lambda b: _webp(b, flags=0, after=_EXIF(6), lossless=False), None),
    "webp, exif ending at its orientation": (lambda b: _webp(b, after=_webp_chunk(b"EXIF", _tiff_turn(6)[:20])), 6),
    "webp, exif cut short before its orientation": (lambda b: _webp(b, after=_webp_chunk(b"EXIF", _tiff_turn(6)[:19])),
                                                    None),
    "webp, exif after its image": (lambda b: _webp(b, after=_EXIF(6)), 6),
    "webp, exif before its image": (lambda b: _webp(b, before=_EXIF(7)), 7),
    "webp, two exif chunks": (lambda b: _webp(b, after=_EXIF(2) + _EXIF(1)), 2),
    "webp, exif flagged, none there": (lambda b: _webp(b), None),
    "webp, lossy, exif that says no turn": (lambda b: _webp(b, after=_EXIF(1), lossless=False), 1),
}


@pytest.mark.parametrize("name", STILLS)
def test_a_png_or_webp_turn_is_read_as_imread_turns_it(tmp_path, name):
    """Read from its chunks, the turn is the one OpenCV's imread gives the picture (checked on each file here), and
    where the chunks leave it in doubt none is claimed."""
    import cv2

    from vcam.live.frames import still_orientation

    make, orientation = STILLS[name]
    stored = _stored()
    path = tmp_path / ("still.png" if name.startswith("png") else "still.webp")
    path.write_bytes(make(stored))
    assert still_orientation(str(path)) == orientation
    read = cv2.imread(str(path))
    if orientation is not None and "lossy" not in name:
        assert np.array_equal(read, _as_exif_turns(stored, orientation))
    if name in ("webp, simple with exif after it", "webp, exif unflagged",
                "webp, exif cut short before its orientation"):
        assert np.array_equal(read, stored)  # imread leaves it unturned, where FFmpeg may not


@pytest.mark.parametrize("name", [name for name, (_, turn) in STILLS.items() if turn == 1])
def test_a_png_or_webp_that_says_no_turn_given_as_a_clip_is_not_decoded_twice(tmp_path, monkeypatch, name):
    """A 48 MP PNG given as file: was decoded a second time to be turned as image: turns it, though it says no
    turn: twice its time to open (3 s), and 300 MB more."""
    path = tmp_path / ("still.png" if name.startswith("png") else "still.webp")
    path.write_bytes(STILLS[name][0](_stored()))
    monkeypatch.setattr(clip_module, "read_shown", lambda *a: pytest.fail("decoded a second time"))
    ClipSource(str(path), W, H).close()


# FFmpeg decodes no frame of a PNG whose EXIF has a JPEG's header, or is cut short: said a still picture, to show
# as image:
NOT_A_CLIP = ("png, exif with a jpeg's header", "png, exif ending at its orientation")


@pytest.mark.parametrize("name", [name for name, (_, turn) in STILLS.items() if turn != 1 and name not in NOT_A_CLIP])
def test_a_png_or_webp_given_as_a_clip_comes_in_as_imread_turns_it(tmp_path, name):
    """Turned, or in doubt, it is read as image: reads it, turned as imread turns it."""
    import cv2

    from vcam.live.frames import fit

    path = tmp_path / ("still.png" if name.startswith("png") else "still.webp")
    path.write_bytes(STILLS[name][0](_stored()))
    expected = fit(cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB), 40, 40, "stretch")
    clip = ClipSource(str(path), 40, 40, "stretch")
    try:
        assert np.array_equal(clip.frames(0, 1)[0], expected)
    finally:
        clip.close()


def test_a_transparent_png_that_says_no_turn_given_as_a_clip_still_shows_over_black(tmp_path):
    """A logo kept as a palette with one colour transparent (a tRNS chunk: no alpha channel in its colour type)
    shows over black as file:, as image: shows it, where its transparent white would show."""
    from PIL import Image

    from vcam.live.inputs import ImageSource

    logo = np.full((H, W, 3), 255, np.uint8)
    logo[:8, :8] = (200, 0, 0)
    path = str(tmp_path / "logo.png")
    Image.fromarray(logo).convert("P", palette=Image.Palette.ADAPTIVE, colors=4).save(path, transparency=0)
    with open(path, "rb") as f:
        assert b"tRNS" in f.read()
    clip = ClipSource(path, W, H, "stretch")
    try:
        assert np.array_equal(clip.frames(0, 1)[0], ImageSource(path, W, H, "stretch").frames(0, 1)[0])
    finally:
        clip.close()


def test_a_raw_mjpeg_streams_first_frame_is_read_once_and_not_turned(tmp_path, monkeypatch):
    """A stream of JPEGs whose EXIF says to turn them had its first frame read again as a still photo is (taken for
    one by its first bytes): decoded twice, and shown turned where every other frame is not."""
    import io

    from PIL import Image

    gradient = np.tile(np.linspace(0, 255, 64).astype(np.uint8)[None, :, None], (48, 1, 3))
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter, as a phone's portrait photo says
    path = tmp_path / "cam.mjpeg"
    with open(path, "wb") as f:
        for _ in range(4):
            jpeg = io.BytesIO()
            Image.fromarray(gradient).save(jpeg, "JPEG", exif=exif.tobytes(), quality=95)
            f.write(jpeg.getvalue())
    read_again, real = [], clip_module.read_shown
    monkeypatch.setattr(clip_module, "read_shown", lambda *a, **k: read_again.append(a) or real(*a, **k))
    clip = ClipSource(str(path), 64, 48)
    try:
        assert clip.length == 4 and read_again == []
        first, second = clip.frames(0, 1)[0].astype(int), clip.frames(clip.step, 1)[0].astype(int)
        assert np.abs(first - second).max() <= 8  # the first frame as the others are
    finally:
        clip.close()


@pytest.mark.parametrize("name", ["cam.mjpeg", "cam.mjpg"])
def test_a_raw_mjpeg_stream_plays_every_frame_though_it_starts_as_a_jpeg_does(tmp_path, name):
    """An IP camera's .mjpeg recording starts with a JPEG's bytes: taken for a still picture by them, it played its
    first frame only."""
    path = str(tmp_path / name)
    with av.open(path, "w", format="mjpeg") as container:
        stream = container.add_stream("mjpeg", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuvj420p"
        for i in range(12):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 20, np.uint8), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    with open(path, "rb") as f:
        assert f.read(3) == b"\xff\xd8\xff"
    clip = ClipSource(path, 64, 48)
    try:
        assert clip.length == 12
        # at its own speed (the show's rate differs): every frame of the stream shows within two loops
        greys = [round(clip.frames(i, 1).mean() / 20) for i in range(round(24 / clip.step))]
        assert set(greys) == set(range(12)), greys
    finally:
        clip.close()


@pytest.mark.parametrize("head", [b"\0\0\0\x1cftypheic\0\0\0\0mif1heicmiaf", b"\0\0\0\x18ftypmif1\0\0\0\0mif1heic"])
def test_an_iphone_photo_given_as_a_clip_is_said_to_be_one_with_the_fix_for_it(tmp_path, head):
    """A HEIC photo given as file: was told damaged, cut short or still being recorded, with the fix for a
    recording (stop it, record to MKV): it is a still picture, to convert before image: shows it."""
    from vcam.live.inputs.source import InputError

    photo = tmp_path / "IMG_0001.heic"
    photo.write_bytes(head + b"\0" * 200)
    with pytest.raises(InputError) as raised:
        ClipSource(str(photo), 64, 64)
    said = f"cannot decode {photo} as a video: it is a HEIC photo (an iPhone's), a still picture"
    assert raised.value.message == said
    assert raised.value.fix.startswith("convert it to JPEG or PNG: sips -s format jpeg ")
    assert raised.value.fix.endswith("; then show the JPEG with image:PATH") and "recording" not in raised.value.fix


def test_an_mp4_naming_an_hevc_sequence_among_its_brands_is_no_heic_photo():
    """An MP4 whose file type names hevc among its compatible brands (an HEVC image sequence's) was told a HEIC
    photo, a still, where it was a video that did not decode."""
    from vcam.inspec import is_heic

    assert not is_heic(b"\0\0\0\x1cftypisom\0\0\0\0isomhevcmp41" + b"\0" * 64)
    assert not is_heic(b"\0\0\0\x18ftyphevc\0\0\0\0mif1hevc" + b"\0" * 64)
    assert is_heic(b"\0\0\0\x1cftypheic\0\0\0\0mif1heicmiaf" + b"\0" * 64)
