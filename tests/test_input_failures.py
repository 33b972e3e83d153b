"""Inputs that go wrong the way they do at a show: a clip cut short or with a frame that does not decode, a
capture device this user may not open, OpenCV raising where it usually returns False (a camera pulled out)."""
import os
import platform

import cv2
import numpy as np
import pytest

from fake_capture import WEBCAM, FakeCapture, FakeDevice
from helpers import alpha_clip, pyav_clip, wait_for, write_clip
from vcam.live.inputs import CameraSource, ClipSource, ImageSource, InputError, check_input, open_device
from vcam.inspec import parse_input
from vcam.live.inputs import camera as camera_module
from vcam.live.inputs import clip as clip_module

W, H = 32, 24


def levels(block: np.ndarray) -> list[int]:
    """Which frames of write_clip's clip a block holds (frame i is a flat 10·i)."""
    return [round(float(f.mean()) / 10) for f in block]


# --- clips --------------------------------------------------------------------------------------------------------

def test_a_clip_cut_short_plays_the_frames_it_has_and_loops_over_them(tmp_path):
    """A copy or download stopped halfway: the header still says 20 frames."""
    path = write_clip(tmp_path / "cut.avi", count=20)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size * 6 // 10)
    clip = ClipSource(path, W, H, fps=10)  # in a show at the clip's rate: one frame each, as filmed
    try:
        assert 0 < clip.length < 20
        played = levels(clip.frames(0, clip.length * 2))
        assert played == list(range(clip.length)) * 2  # every frame that decodes, in order, and again from the top
        assert clip.status() == f"in cut.avi {clip.length}/{clip.length}"
    finally:
        clip.close()


class _DamagedAt:
    """A real capture of the clip whose read of frame `bad` fails, once (a damaged frame in the file)."""

    def __init__(self, cap, bad: int, state: dict):
        self._cap, self._bad, self._state = cap, bad, state
        self._at = 0

    def read(self):
        at, self._at = self._at, self._at + 1
        if at == self._bad and not self._state.get("failed"):
            self._state["failed"] = True
            return False, None
        return self._cap.read()

    def grab(self):
        self._at += 1
        return self._cap.grab()

    def __getattr__(self, name):
        return getattr(self._cap, name)


def test_a_frame_that_does_not_decode_shows_the_last_good_one_and_the_clip_plays_on(tmp_path, monkeypatch):
    path = write_clip(tmp_path / "clip.avi", count=20)
    clip = ClipSource(path, W, H, fps=10)
    real, state = clip_module._capture, {}
    monkeypatch.setattr(clip_module, "_capture", lambda p: _DamagedAt(real(p), 5, state))
    try:
        clip._reopen()  # reads from the top through the damaged capture
        assert levels(clip.frames(0, 8)) == [0, 1, 2, 3, 4, 4, 6, 7]  # frame 5 held at 4; 6 read anew
        assert state["failed"] and levels(clip.frames(8, 4)) == [8, 9, 10, 11]
    finally:
        clip.close()


class _EndsAt:
    """A real capture of the clip that gives no frame from `end` on, every time it is opened (a clip counted
    longer than it decodes, read in order); `opened` counts the captures."""

    def __init__(self, cap, end: int, opened: list):
        self._cap, self._end, self._at = cap, end, 0
        opened.append(self)

    def read(self):
        self._at += 1
        return self._cap.read() if self._at <= self._end else (False, None)

    def grab(self):
        self._at += 1
        return self._cap.grab() if self._at <= self._end else False

    def __getattr__(self, name):
        return getattr(self._cap, name)


def test_frames_that_never_decode_hold_the_last_good_one_without_decoding_the_clip_for_each(tmp_path, monkeypatch):
    path = write_clip(tmp_path / "clip.avi", count=20)
    clip = ClipSource(path, W, H, fps=10)
    real, opened = clip_module._capture, []
    monkeypatch.setattr(clip_module, "_capture", lambda p: _EndsAt(real(p), 12, opened))
    try:
        clip._reopen()
        played = [level for start in range(0, 20, 4) for level in levels(clip.frames(start, 4))]
        assert played == list(range(12)) + [11] * 8
        assert len(opened) <= 3  # tried again once from the top, not once for each of the 8 frames
        assert levels(clip.frames(20, 2)) == [0, 1]  # and it loops on
    finally:
        clip.close()


class _ReadFailsAt(_EndsAt):
    """A real capture of the clip whose read of frame `bad` fails every time, while a grab passes it."""

    def read(self):
        at, self._at = self._at, self._at + 1
        ok, frame = self._cap.read()
        return (False, None) if at == self._end else (ok, frame)

    def grab(self):
        self._at += 1
        return self._cap.grab()


@pytest.mark.parametrize("count", [20, 40])  # a loop from the frames kept, and one longer, decoded again
def test_a_frame_that_never_reads_holds_the_last_good_one_on_every_loop_and_the_clip_plays_on(tmp_path, monkeypatch,
                                                                                               count):
    path = write_clip(tmp_path / "clip.avi", count=count, levels=[6 * i for i in range(count)])  # frame i: 6·i
    clip = ClipSource(path, W, H, fps=10)
    real = clip_module._capture
    monkeypatch.setattr(clip_module, "_capture", lambda p: _ReadFailsAt(real(p), 5, []))
    try:
        clip._reopen()
        played = [round(float(f.mean()) / 6) for start in range(0, 3 * count, 6) for f in clip.frames(start, 6)]
        assert played == (list(range(5)) + [4] + list(range(6, count))) * 3
    finally:
        clip.close()


def _sound_file(path, cover: bool = False) -> str:
    """An MP3 of a few silent audio frames: a file FFmpeg opens that holds no picture; with `cover`, its cover art
    (an ID3 APIC), which FFmpeg shows as a video stream of one attached picture."""
    import av

    with av.open(str(path), "w") as out:
        stream = out.add_stream("libmp3lame", rate=8000)
        if cover:
            art = out.add_stream("png")
            art.width, art.height, art.pix_fmt = 16, 16, "rgb24"
            art.disposition = av.stream.Disposition.attached_pic
            picture = av.VideoFrame.from_ndarray(np.full((16, 16, 3), 90, np.uint8), format="rgb24")
            for packet in [*art.encode(picture), *art.encode()]:
                out.mux(packet)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1152), np.int16), format="s16", layout="mono")
        frame.rate = 8000
        for i in range(4):
            frame.pts = i * 1152
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return str(path)


def test_a_sound_file_is_said_to_have_no_picture_not_to_be_converted(tmp_path):
    path = _sound_file(tmp_path / "song.mp3")
    with pytest.raises(InputError, match=r"cannot decode .*song.mp3 as a video: it has no video stream") as raised:
        ClipSource(path, W, H)
    assert "ffmpeg" not in raised.value.fix  # converting a song to H.264 makes no video of it


def test_a_sound_file_given_as_an_image_is_said_to_have_no_picture(tmp_path):
    """A song given as image: was answered "a video is file:PATH", which has no picture to play from it either."""
    path = _sound_file(tmp_path / "song.mp3")
    with pytest.raises(InputError) as raised:
        ImageSource(path, W, H)
    assert raised.value.message == f"cannot read {path} as an image: it is a sound file, with no picture in it"
    assert raised.value.fix == "give a picture (image:PATH) or a video (file:PATH)"


def test_a_song_with_cover_art_is_said_to_be_a_sound_file_as_a_clip_an_image_or_a_fallback(tmp_path):
    """An MP3 with cover art played as file: its cover, still, for the song's length; as image: or a fallback it
    was said to be a video."""
    from vcam.live.fallbacks import FallbackImages
    from vcam.live.frames import ImageError

    path = _sound_file(tmp_path / "song.mp3", cover=True)
    with pytest.raises(InputError) as raised:
        ClipSource(path, W, H)
    assert raised.value.message == f"cannot play {path} as a video: it is a sound file, with no picture to play " \
        "but its cover art"
    assert raised.value.fix == "give a video file; a still picture is image:PATH"
    with pytest.raises(InputError) as raised:
        ImageSource(path, W, H)
    assert raised.value.message == f"cannot read {path} as an image: it is a sound file, with no picture in it"
    with pytest.raises(ImageError) as refused:
        FallbackImages(W, H).get(path)
    assert refused.value.message == f"cannot read image {path}: it is a sound file, with no picture in it"


def test_a_recording_still_being_written_is_said_as_such(tmp_path):
    """An MP4 being recorded (OBS, a phone) has no index until it stops: FFmpeg cannot open it at all."""
    path = str(tmp_path / "recording.mp4")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"mp4v"), 10, (32, 24))
    for i in range(10):
        writer.write(np.full((24, 32, 3), 10 * i, np.uint8))
    writer.release()
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[:len(data) // 2])  # as far as the recorder got: the index, written last, is not there yet
    with pytest.raises(InputError, match=r"cannot decode .*recording.mp4 as a video: .*still being recorded") as raised:
        ClipSource(path, W, H)
    assert "stop it" in raised.value.fix and "ffmpeg -i" in raised.value.fix


def test_a_portrait_phone_clip_comes_in_upright(tmp_path):
    """A phone films portrait into a landscape picture and says so in the display matrix: the clip is turned."""
    import av

    path = str(tmp_path / "phone.mp4")
    with av.open(path, "w") as out:
        stream = out.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 32, "yuv420p"
        stream.set_display_rotation(90)
        picture = np.zeros((32, 64, 3), np.uint8)
        picture[:, :32] = (250, 0, 0)  # red left half, as stored
        for _ in range(3):
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    clip = ClipSource(path, 32, 64, "stretch")  # a portrait stream
    try:
        frame = clip.frames(0, 1)[0]
        # turned a quarter counter-clockwise, the stored left half is the bottom
        assert frame[-4, 16, 0] > 200 and frame[4, 16, 0] < 50
    finally:
        clip.close()


@pytest.mark.parametrize("kind, what", [("file", "video file"), ("image", "image")])
def test_an_empty_clip_or_image_is_said_empty(tmp_path, kind, what):
    """A copy or download that did not finish: said damaged (with an ffmpeg line that cannot help) or no image."""
    empty = tmp_path / "clip.mp4"
    empty.write_bytes(b"")
    with pytest.raises(InputError) as raised:
        check_input(parse_input(f"{kind}:{empty}"))
    assert raised.value.message == f"{what} {empty} is empty (0 bytes)"
    assert "did not finish" in raised.value.fix and "ffmpeg" not in raised.value.fix


@pytest.mark.skipif(os.name != "posix", reason="symbolic links as POSIX makes them")
@pytest.mark.parametrize("kind, what", [("file", "video file"), ("image", "image")])
def test_a_link_to_a_clip_or_image_that_is_not_there_says_so(tmp_path, kind, what):
    """A media folder of links to a drive that is not mounted: `ls` lists the link, "no such file" sent the
    operator to check a path that was right."""
    link = tmp_path / "clip.mp4"
    link.symlink_to("/media/usb/clip.mp4")
    with pytest.raises(InputError) as raised:
        check_input(parse_input(f"{kind}:{link}"))
    assert raised.value.message == f"{what} {link} is a link to /media/usb/clip.mp4, which is not there"
    assert raised.value.fix == "mount the drive it is on, or link to where the file now is"


@pytest.mark.parametrize("spec", ["file:clip.mp4", "image:still.png"])
def test_a_clip_or_image_this_user_may_not_read_says_so(tmp_path, monkeypatch, spec):
    """A file of another user's, mode 600: said as unreadable, where a clip was said damaged or cut short (its fix
    an ffmpeg line that could not read it either) and an image as no image."""
    cv2.imwrite(str(tmp_path / "still.png"), np.zeros((8, 8, 3), np.uint8))
    write_clip(tmp_path / "clip.mp4", count=2)
    kind, _, name = spec.partition(":")
    path = str(tmp_path / name)
    monkeypatch.setattr(os, "access", lambda p, mode: p != path)  # EACCES, even as root
    with pytest.raises(InputError, match=f"{path} cannot be read \\(permission denied\\)") as raised:
        check_input(parse_input(f"{kind}:{path}"))
    assert "chmod a+r" in raised.value.fix


@pytest.mark.parametrize("depth", [np.uint8, np.uint16])
def test_a_transparent_image_shows_over_black(tmp_path, depth):
    """A white logo on a transparent background whose hidden pixels are white too: the logo, not a white frame."""
    top = np.iinfo(depth).max
    logo = np.full((24, 32, 4), top, dtype=depth)
    logo[:, :, 3] = 0
    logo[6:18, 8:24, 3] = top  # the opaque square
    path = str(tmp_path / "logo.png")
    cv2.imwrite(path, logo)
    frame = ImageSource(path, W, H, "stretch").frames(0, 1)[0]
    assert tuple(frame[12, 16]) == (255, 255, 255) and tuple(frame[1, 1]) == (0, 0, 0)


def turned_png(path, bgra: np.ndarray) -> str:
    """A PNG whose EXIF says to show it turned a quarter clockwise (orientation 6), as an editor keeps a phone
    photo's; OpenCV's colour read turns it, its read with alpha does not."""
    import struct
    import zlib

    entry = struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0)  # Orientation, SHORT, 1 value: 6
    exif = b"MM\x00\x2a" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif + struct.pack(">I", zlib.crc32(b"eXIf" + exif))
    png = cv2.imencode(".png", bgra)[1].tobytes()
    with open(path, "wb") as f:
        f.write(png[:33] + chunk + png[33:])  # after the signature and IHDR
    return str(path)


@pytest.mark.parametrize("size", [(24, 32), (32, 32)])
def test_a_transparent_image_turned_by_its_exif_shows_over_black_turned_as_its_picture(tmp_path, size):
    """Its alpha was left unturned: beside a turned picture it was not used at all (the hidden white shown), or, on
    a square one, it cut the picture where the logo was not."""
    logo = np.full((*size, 4), 255, np.uint8)
    logo[:, :, 3] = 0
    logo[:8, :8] = (0, 0, 255, 255)  # a red square, opaque, at its stored top left
    path = turned_png(tmp_path / "logo.png", logo)
    height, width = size[1], size[0]  # shown turned
    frame = ImageSource(path, width, height, "stretch").frames(0, 1)[0]
    assert frame.shape == (height, width, 3)
    assert tuple(frame[2, width - 3]) == (255, 0, 0)  # turned clockwise: at the top right
    assert tuple(frame[2, 2]) == (0, 0, 0) and tuple(frame[height - 3, 2]) == (0, 0, 0)


@pytest.mark.parametrize("name, codec, pix_fmt", [
    ("prores4444.mov", "prores_ks", "yuva444p10le"),
    ("animation.mov", "qtrle", "argb"),
    ("png.mov", "png", "rgba"),
    ("alpha.webm", "libvpx-vp9", "yuva420p"),  # the alpha beside the picture, which FFmpeg's own VP9 decoder drops
])
def test_a_transparent_video_shows_over_black_as_an_image_does(tmp_path, name, codec, pix_fmt):
    clip = ClipSource(alpha_clip(tmp_path / name, codec, pix_fmt), W, H, "stretch", fps=10)
    try:
        block = clip.frames(2, 6)  # past the end and round again: the file reopened keeps its alpha
        for frame in block:
            assert tuple(frame[1, 1]) == (0, 0, 0) and min(frame[12, 16]) > 245
    finally:
        clip.close()



@pytest.mark.parametrize("name, codec, pix_fmt", [("plain.mkv", "libx264", "yuv420p"), ("png.mov", "png", "rgba")])
def test_a_clip_whose_file_goes_away_on_air_holds_its_last_frame(tmp_path, monkeypatch, name, codec, pix_fmt):
    """Exported again over itself while it plays, or moved away: the clip, with alpha or without, holds its last
    frame; reopening it for the loop must not fail the block, which would stop the show's picture."""
    monkeypatch.setattr(clip_module, "KEEP", 2)  # the loop reopens the file rather than finding its frames kept
    clip = ClipSource(alpha_clip(tmp_path / name, codec, pix_fmt), W, H, "stretch", fps=10)
    try:
        last = clip.frames(0, 4)[-1]
        os.remove(clip.path)
        for block in (clip.frames(4, 4), clip.frames(8, 4)):
            assert all(np.array_equal(frame, last) for frame in block)
    finally:
        clip.close()


class _CountingGrabs:
    """An OpenCV capture whose grabs (each a frame decoded) are counted in `counts`."""

    def __init__(self, cap, counts: list):
        self._cap, self._counts = cap, counts

    def grab(self):
        self._counts.append(1)
        return self._cap.grab()

    def __getattr__(self, name):
        return getattr(self._cap, name)


def _count_grabs(monkeypatch) -> list:
    """The grabs of every capture a clip opens from now on, in a list that fills as it reads."""
    grabs: list = []
    real = clip_module._capture
    monkeypatch.setattr(clip_module, "_capture", lambda p: _CountingGrabs(real(p), grabs))
    return grabs


def test_a_variable_rate_mkv_is_counted_without_decoding_it_through(tmp_path, monkeypatch):
    """An MKV's header count is its duration times a guessed rate: off for a variable rate. Decoding a long one
    through to count it stalled the show for as long as an `input file:` took to open."""
    import fractions

    import av

    path = str(tmp_path / "screen.mkv")
    with av.open(path, "w") as out:
        stream = out.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = 32, 24, "yuv420p"
        for i in range(20):
            frame = av.VideoFrame.from_ndarray(np.full((24, 32, 3), 10 * i, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i * 60 - (i % 2) * 50, fractions.Fraction(1, 1000)  # 10 ms, 110 ms, …
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    assert int(cv2.VideoCapture(path).get(cv2.CAP_PROP_FRAME_COUNT)) != 20  # the header's guess is off
    grabs = _count_grabs(monkeypatch)
    clip = ClipSource(path, W, H, fps=17.4)  # a show at the clip's average rate: one frame each
    try:
        assert clip.length == 20 and len(grabs) < 10
        assert 17 < clip.rate < 18  # 19 intervals of 60 ms on average, not the 30 fps the header guesses
        assert levels(clip.frames(18, 4)) == [18, 19, 0, 1]
    finally:
        clip.close()


def test_a_long_variable_rate_webm_opens_without_decoding_it_through_and_plays_at_its_rate(tmp_path, monkeypatch):
    """A VP9 WebM whose frames come 10 ms and 90 ms apart in turn: long enough that OpenCV's check of the packet
    count, which seeks by the header's guessed 30 fps, lands short of the end. Decoding it through to count took
    as long as the clip (9.5 s for 150 s at 640x360), and the guessed rate played it half as fast again."""
    path = pyav_clip(tmp_path / "screen.webm", 30, count=300, times_ms=lambda i: i * 50 - (i % 2) * 40,
                     codec="libvpx-vp9", size=(32, 24))
    grabs = _count_grabs(monkeypatch)
    clip = ClipSource(path, W, H, fps=20)  # a show at the clip's average rate: one frame each
    try:
        assert clip.length == 300 and len(grabs) < 10
        assert 19.9 < clip.rate < 20.1 and clip.step == 1
        assert [level % 25 for level in levels(clip.frames(298, 4))] == [298 % 25, 299 % 25, 0, 1]
    finally:
        clip.close()



def _copied(source: str, target, skip: int = 0, ahead: int = 0) -> str:
    """The clip's packets copied into `target` without decoding, as `ffmpeg -ss … -c copy` cuts one: the first
    `skip` left out, or the first `ahead` frames' times made negative (an MP4 then hides them by its edit list)."""
    import av

    with av.open(source) as reading, av.open(str(target), "w") as out:
        stream = reading.streams.video[0]
        copy = out.add_stream_from_template(stream)
        shift = round(ahead / stream.average_rate / stream.time_base)
        for n, packet in enumerate(reading.demux(stream)):
            if packet.dts is None or n < skip:
                continue
            packet.pts, packet.dts, packet.stream = packet.pts - shift, packet.dts - shift, copy
            out.mux(packet)
    return str(target)


def test_a_trimmed_mp4_loops_where_its_edit_list_cuts_it(tmp_path):
    """A phone's trim, or a cut copied without decoding, keeps the frames from the keyframe before the cut and an
    edit list that hides them. Counted with its packets, the hidden frames made the clip hold its last frame for
    as long again each time round."""
    whole = pyav_clip(tmp_path / "whole.mkv", 30, count=24, options={"bf": "0", "g": "8"})
    clip = ClipSource(_copied(whole, tmp_path / "trim.mp4", ahead=6), W, H, fps=30)  # its first keyframe hidden
    try:
        assert clip.length == 18
        assert levels(clip.frames(16, 4)) == [22, 23, 6, 7]
    finally:
        clip.close()


def test_a_clip_cut_between_keyframes_loops_from_its_first_keyframe(tmp_path):
    """A cut copied without decoding that starts between keyframes: the frames before the first keyframe do not
    decode, and counted with its packets they made the clip hold its last frame for as long again each time
    round."""
    whole = pyav_clip(tmp_path / "whole.mkv", 30, count=24, options={"bf": "0", "g": "8"})
    clip = ClipSource(_copied(whole, tmp_path / "cut.mkv", skip=3), W, H, fps=30)
    try:
        assert clip.length == 16
        assert levels(clip.frames(14, 4)) == [22, 23, 8, 9]
    finally:
        clip.close()


# --- capture devices ------------------------------------------------------------------------------------------

@pytest.mark.skipif(platform.system() != "Linux", reason="device nodes are Linux's")
def test_a_clip_folder_or_other_device_named_as_a_camera_is_said_as_no_capture_device(tmp_path):
    """camera:PATH at a clip, a folder or /dev/null: said as what it is, where V4L2's refusal was said as a webcam
    another program holds (and OpenCV's warning line printed above it)."""
    clip = tmp_path / "my clip.mp4"
    clip.write_bytes(b"")
    with pytest.raises(InputError, match=f"camera:{clip} is a file, not a capture device") as raised:
        check_input(parse_input(f"camera:{clip}"))
    assert raised.value.fix == f"give a clip as --in 'file:{clip}'; a picture as 'image:{clip}'"
    with pytest.raises(InputError, match="is a file") as sent:
        open_device(str(clip), "--send")
    assert sent.value.fix == f"give a clip as --send 'file:{clip}'"  # vcam cam sends no picture
    for path, says in ((tmp_path, "is a folder, not a capture device"), ("/dev/null", "is no video device")):
        with pytest.raises(InputError, match=says) as raised:
            open_device(str(path))
        assert "one program at a time" not in raised.value.fix and "v4l2-ctl --list-devices" in raised.value.fix


@pytest.mark.skipif(platform.system() != "Linux", reason="device nodes are Linux's")
def test_a_device_this_user_may_not_open_says_to_join_the_video_group(tmp_path, monkeypatch):
    node = tmp_path / "video3"
    node.write_bytes(b"")
    monkeypatch.setattr(camera_module, "_check_node", lambda path, flag: None)  # a capture device, as V4L2's are
    monkeypatch.setattr(camera_module.os, "access", lambda path, mode: path != str(node))  # EACCES, even as root
    with pytest.raises(InputError, match=f"no permission to open {node}") as raised:
        open_device(str(node))
    assert raised.value.fix.startswith("add yourself to the video group: sudo usermod -aG video $USER")
    with pytest.raises(InputError, match="no permission"):  # said before the model loads
        check_input(parse_input(f"camera:{node}"))


@pytest.mark.skipif(platform.system() != "Linux", reason="device nodes are Linux's")
def test_a_clip_this_user_may_not_write_named_as_a_camera_is_said_as_a_file(tmp_path, monkeypatch):
    """A clip on a card mounted read-only, named as camera:PATH: the fix said to join the video group."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x")
    monkeypatch.setattr(camera_module.os, "access", lambda path, mode: not mode & os.W_OK)
    with pytest.raises(InputError, match=f"camera:{clip} is a file, not a capture device") as raised:
        open_device(str(clip))
    assert raised.value.fix.startswith(f"give a clip as --in file:{clip}")


@pytest.mark.skipif(platform.system() != "Linux", reason="device nodes are Linux's")
def test_a_node_that_is_no_capture_device_is_a_clear_error(tmp_path):
    node = tmp_path / "video4"
    node.write_bytes(b"not a device")
    with pytest.raises(InputError, match=f"camera:{node} is a file, not a capture device") as raised:
        CameraSource(str(node), W, H)
    assert raised.value.fix.startswith("give a clip as --in file:")


def test_opencv_raising_as_the_device_opens_is_said_as_the_device_with_the_fix():
    def broken(target):
        raise OSError(16, "Device or resource busy")

    with pytest.raises(InputError) as raised:
        CameraSource("2", W, H, open_capture=broken)
    assert raised.value.message == "cannot open camera:2 ([Errno 16] Device or resource busy)"
    assert raised.value.fix


def test_opencv_text_over_several_lines_as_the_device_opens_is_said_on_one_line():
    """cv2.error's text runs over lines: escaped in the error's one line, it read "\\n >" between its parts."""
    def broken(target):
        raise cv2.error("OpenCV(4.10.0) cap.cpp:99: error: (-2:Unspecified error) in function 'open'\n"
                        "> backend is busy:\n>     'device'\n")

    with pytest.raises(InputError) as raised:
        CameraSource("2", W, H, open_capture=broken)
    assert raised.value.message == ("cannot open camera:2 (OpenCV(4.10.0) cap.cpp:99: error: (-2:Unspecified error) "
                                    "in function 'open' > backend is busy: > 'device')")


class _Raising(FakeCapture):
    """A capture whose reads raise once its device is unplugged, as OpenCV's may."""

    def read(self):
        ok, frame = super().read()
        if not ok and not self.device.plugged:
            raise RuntimeError("VIDIOC_DQBUF: No such device")
        return ok, frame


class _RaisingDevice(FakeDevice):
    def open(self, target):
        with self.lock:
            self.targets.append(target)
            if not self.plugged and len(self.opened) > 1:
                raise OSError(19, "No such device")  # reopening raises too while it is gone
            cap = _Raising(self, True)
            self.opened.append(cap)
            return cap


def test_a_camera_whose_reads_and_reopens_raise_while_unplugged_is_lost_once_and_comes_back():
    device, said = _RaisingDevice(bgr=(10, 20, 30)), []
    cam = CameraSource("0", W, H, say=said.append, open_capture=device.open, retry_s=0.01)
    try:
        device.plugged = False
        assert wait_for(lambda: len(device.targets) >= 4, 60)  # the thread lived through the raises, trying again
        assert said == ["camera:0 gives 64×48",
                        "camera:0 lost: the show goes on with the last frames; waiting for it to come back"]
        assert tuple(cam.frames(0, 4)[-1, 0, 0]) == (30, 20, 10)  # the show goes on with the last frame
        device.bgr, device.plugged = (5, 6, 7), True
        assert wait_for(lambda: "camera:0 is back" in said, 60)
        assert wait_for(lambda: tuple(cam.frames(0, 4)[-1, 0, 0]) == (7, 6, 5), 60)
        assert said.count("camera:0 lost: the show goes on with the last frames; waiting for it to come back") == 1
    finally:
        cam.close()


@pytest.mark.parametrize("channels", [1, 4])
def test_a_grey_or_bgra_camera_is_taken_as_rgb(channels):
    """An infrared camera (Y8) gives one channel, some drivers four: a picture all the same, not a lost camera."""
    device, said = FakeDevice(bgr=(30, 60, 90), channels=channels), []
    cam = CameraSource("0", W, H, say=said.append, open_capture=device.open)
    try:
        assert wait_for(lambda: cam.live.pushed >= 3, 60)
        frame = cam.frames(0, 2)[-1]
        assert frame.shape == (H, W, 3)
        assert tuple(frame[0, 0]) == ((60, 60, 60) if channels == 1 else (90, 60, 30))
        assert said == ["camera:0 gives 64×48"] and not cam.lost
    finally:
        cam.close()


def test_a_16_bit_grey_camera_is_taken_as_rgb_from_its_top_bits():
    """A Y16 camera read without OpenCV's conversion gives uint16 [h, w]: a picture, not a camera without frames."""
    device, said = FakeDevice(bgr=(30, 60, 90), channels=1, dtype=np.uint16), []
    cam = CameraSource("0", W, H, say=said.append, open_capture=device.open)
    try:
        frame = cam.frames(0, 1)[-1]
        assert frame.dtype == np.uint8 and tuple(frame[0, 0]) == (60, 60, 60)
        assert said == ["camera:0 gives 64×48"]
    finally:
        cam.close()


def test_a_webcam_that_fails_its_first_reads_after_a_mode_change_opens():
    """Some UVC cameras fail a few reads while they switch to the mode asked for: not a camera without frames."""
    device, said = FakeDevice(modes=WEBCAM, settle_reads=3), []
    cam = CameraSource("0", 832, 480, say=said.append, open_capture=device.open)
    try:
        assert said == ["camera:0 gives 1280×720"] and len(device.opened) == 1
        assert cam.frames(0, 1).shape == (1, 480, 832, 3)
    finally:
        cam.close()
    dead = FakeDevice()
    dead.gives_frames = False
    with pytest.raises(InputError, match="opened but gives no frames"):  # tried a while, not for ever
        CameraSource("0", W, H, open_capture=dead.open, settle_s=0.05)
    assert len(dead.opened) == 1 and dead.open_captures() == 0


def test_a_webcam_whose_hd_mode_gives_nothing_opens_in_its_own_mode():
    """Beside another camera on the same USB bus, HD may get no bandwidth: every read in it fails. The device's own
    640×480 still works: taken, and said to be scaled up, where the camera was an error."""
    device, said = FakeDevice(modes=WEBCAM, dead_modes={("MJPG", (1280, 720))}), []
    cam = CameraSource("0", 832, 480, say=said.append, open_capture=device.open, settle_s=0.05)
    try:
        assert len(device.opened) == 2 and device.opened[0].released and not device.opened[1].asked
        assert said[0].startswith("camera:0 gives 640×480 (asked for 1280×720): scaled up")
        assert cam.frames(0, 1).shape == (1, 480, 832, 3) and not cam.lost
    finally:
        cam.close()


def test_a_webcam_another_program_holds_says_to_close_that_program(monkeypatch):
    """OBS, a browser or a call has the webcam: V4L2 refuses a second opener, and the fix says so."""
    monkeypatch.setattr(camera_module.platform, "system", lambda: "Linux")
    device = FakeDevice()
    device.plugged = False  # opens as not opened, as a busy device does
    with pytest.raises(InputError, match="cannot open camera:0") as raised:
        CameraSource("0", W, H, open_capture=device.open)
    assert "one program at a time" in raised.value.fix and "v4l2-ctl --list-devices" in raised.value.fix
    with pytest.raises(InputError, match="no capture device") as missing:  # not there at all: not held either
        open_device(f"/dev/video{os.getpid() + 100}")
    assert "one program at a time" not in missing.value.fix


# --- what a typed `input` is told, and what --in is ---------------------------------------------------------------

def _typing(check=check_input):
    """A controller whose `input` command is checked as a show checks it, and its reply to a typed line."""
    import threading

    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState

    ctl = Controller(None, ShowState(prompts={"a": 1.0}), RecordingProducer(), threading.Event(), lambda line: None,
                     check_input=check)
    return lambda line: ctl.handle_line(line, "stdin")


@pytest.mark.skipif(platform.system() != "Linux", reason="device nodes are Linux's")
def test_a_typed_camera_that_is_not_there_names_the_typed_command_and_start_up_the_flag(tmp_path, monkeypatch):
    """The fix named `--in camera:N`, an option of the command line, at a console where `input camera:1` is typed."""
    (tmp_path / "video0").write_bytes(b"")
    monkeypatch.setattr("vcam.live.inputs.camera.DEVICES", str(tmp_path))  # a machine with a video device to pick
    reply = _typing()("input camera:97")
    assert reply.startswith("error: no capture device /dev/video97 (") and "pick one: input camera:N" in reply
    assert "--in" not in reply
    with pytest.raises(InputError) as raised:  # at start-up the fix is the flag
        check_input(parse_input("camera:97"))
    assert "pick one: --in camera:N" in raised.value.fix


def test_a_typed_path_not_found_says_it_is_read_from_the_folder_vcam_started_in(tmp_path, monkeypatch):
    """The hint said a path is relative to the show file, where the controller makes a typed one whole against the
    folder vcam was started in."""
    monkeypatch.chdir(tmp_path)
    typed = _typing()
    reply = typed("input file:clips/walk.mp4")
    assert reply == (f"error: video file {tmp_path / 'clips' / 'walk.mp4'}: no such file (check the path; a typed "
                     "file: path is relative to the folder vcam was started in, not to the show file)")
    assert "relative to the folder vcam was started in" in typed("input image:still.png")
    assert typed(f"input file:{tmp_path / 'gone.mp4'}").endswith("no such file (check the path)")  # whole already
    with pytest.raises(InputError) as raised:  # --in's (and a show's) own wording stays
        check_input(parse_input(f"file:{tmp_path / 'gone.mp4'}"))
    assert raised.value.fix == ("check the path; a --in file: path is relative to the folder vcam was started in, "
                                "one in a show file to the show file's folder")


def test_a_clip_given_with_in_not_found_says_it_is_read_from_the_folder_vcam_started_in(tmp_path, monkeypatch):
    """`vcam run --in file:clip.mp4` (no show file) was told that file: paths in a show file are relative to the
    show file."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as raised:
        check_input(parse_input("image:still.png"))
    assert raised.value.message.endswith("still.png: no such file")
    assert "--in image: path is relative to the folder vcam was started in" in raised.value.fix


class _Closed:
    """A capture that did not open: OpenCV's, where the OS refused the camera to this program."""

    def isOpened(self):
        return False

    def read(self):
        return False, None

    def release(self):
        pass


@pytest.mark.parametrize("system,where", [("Darwin", "Privacy & Security > Camera"),
                                          ("Windows", "Privacy & security > Camera")])
def test_a_camera_that_does_not_open_on_a_laptop_names_the_cameras_privacy_setting(monkeypatch, system, where):
    """macOS and Windows refuse the camera to a terminal not allowed it, and OpenCV then only fails to open it: the
    fix spoke only of another program holding it."""
    monkeypatch.setattr(platform, "system", lambda: system)
    with pytest.raises(InputError) as raised:
        CameraSource("0", W, H, open_capture=lambda target: _Closed())
    assert raised.value.message == "cannot open camera:0" and where in raised.value.fix


def test_a_camera_that_does_not_open_on_another_system_names_no_windows_setting(monkeypatch):
    """Only Windows has Settings > Privacy & security > Camera: a BSD was sent there too."""
    monkeypatch.setattr(platform, "system", lambda: "FreeBSD")
    with pytest.raises(InputError) as raised:
        CameraSource("0", W, H, open_capture=lambda target: _Closed())
    assert "Privacy" not in raised.value.fix and "no other program holds the camera" in raised.value.fix


def test_a_bug_taking_in_a_cameras_frame_is_said_once_not_as_the_camera_unplugged(monkeypatch):
    """vcam's own code breaking on a camera's frame (here its colour conversion) was taken for a camera pulled out:
    "camera:0 lost: … waiting for it to come back", and then every reopen failed the same way in silence, for the
    rest of the show. Said once now, with what broke and where; the show goes on with the camera's last frames."""
    said = []
    device = FakeDevice()
    cam = CameraSource("0", 32, 24, "crop", said.append, open_capture=device.open, retry_s=0.01)
    try:
        def broken(frame):
            raise TypeError("cvtColor() got an unexpected keyword argument 'code'")

        monkeypatch.setattr(camera_module, "device_rgb", broken)
        assert wait_for(lambda: not cam._thread.is_alive(), 60), said  # the reading ends, cleanly
        assert not any("lost" in line for line in said), said
        stopped = [line for line in said if "stopped" in line]
        assert len(stopped) == 1 and stopped[0].startswith("camera:0 stopped: its frames could not be taken in "
                                                           "(TypeError: cvtColor() got an unexpected keyword") \
            and "(at vcam/live/inputs/camera.py:" in stopped[0], said
        assert cam.frames(0, 2).shape == (2, 24, 32, 3)  # its last frames stay on
    finally:
        cam.close()


def test_a_frame_opencv_cannot_convert_is_a_lost_camera_waited_on_not_the_end_of_its_reading(monkeypatch):
    """The conversion of a read frame was taken out of the guard that waits on a lost camera, so that a bug in it is
    said: an OpenCV error converting a frame a failing device gave (no bug in vcam) then ended the camera's reading
    for the rest of the show. It is a lost camera again, waited on and taken back."""
    import cv2

    said = []
    device = FakeDevice()
    real, failed = camera_module.device_rgb, []

    def once_broken(frame):
        if not failed:
            failed.append(1)
            raise cv2.error("OpenCV(4.10.0) color.cpp:199: error: (-215:Assertion failed) !_src.empty()")
        return real(frame)

    cam = CameraSource("0", 32, 24, "crop", said.append, open_capture=device.open, retry_s=0.01)
    try:
        monkeypatch.setattr(camera_module, "device_rgb", once_broken)
        assert wait_for(lambda: any("is back" in line for line in said), 60), said
        assert cam._thread.is_alive() and not any("stopped" in line for line in said), said
        assert any("lost" in line for line in said), said
    finally:
        cam.close()


def _zip_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("set.txt", "intro, drop, outro\n" * 50)
    return buffer.getvalue()


@pytest.mark.parametrize("name, data", [
    ("setlist.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"),
    ("clips.zip", _zip_bytes()),
    ("lyrics.srt", b"1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nAgain\n"),
    ("download.mp4", b"<html><head><title>403 Forbidden</title></head><body>Forbidden</body></html>\n"),
])
def test_a_file_that_is_no_video_is_not_said_to_be_a_recording_cut_short(tmp_path, name, data):
    """A document, an archive, subtitles or an error page saved under a clip's name were said damaged, cut short or
    still being recorded, with a fix about stopping a recording."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match="does not start as a video file does") as raised:
        ClipSource(str(path), W, H)
    assert "recorded" not in raised.value.message and "recording" not in raised.value.fix
    assert raised.value.fix.startswith("give a video file (file:PATH) or a picture (image:PATH)")


@pytest.mark.parametrize("head", [
    b"\x00\x00\x00\x20ftypisom", b"\x00\x00\x00\x08wide\x00\x00", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81",
    b"RIFF\x00\x00\x00\x00AVI LIST", b"G" + bytes(187) + b"G" + bytes(10), b"\x00\x00\x00\x00G" + bytes(191) + b"G",
    b"\x00\x00\x01\xba\x44\x00", b"OggS\x00\x02", bytes(16), b"YUV4MPEG2 W64 H48", b"DKIF\x00\x00\x20\x00VP80",
    b"nut/multimedia container\x00", b".RMF\x00\x00\x00\x12", b"\x1f\x07\x00\x3f"])
def test_a_damaged_file_that_starts_as_a_video_is_still_said_damaged(tmp_path, head):
    path = tmp_path / "clip.bin"
    path.write_bytes(head + bytes(64))
    assert clip_module._video_header(clip_module._header(str(path)))
    (tmp_path / "other.bin").write_bytes(b"G" + bytes(187) + b"x" + bytes(20))  # a G, but no packet after it
    assert not clip_module._video_header(clip_module._header(str(tmp_path / "other.bin")))


@pytest.mark.parametrize("name", ["gone\x1b[2J.png", "two\nlines.png", "bell\x07.mp4"])
def test_a_file_named_with_control_characters_is_said_with_them_escaped(tmp_path, name):
    """A name holding a terminal's escape ("\\x1b[2J" clears the screen) or a line break was printed raw in the
    error: it is said escaped, as repr() writes it."""
    path = tmp_path / name
    for kind in (ClipSource, ImageSource):
        with pytest.raises(InputError) as err:
            kind(str(path), W, H)
        assert repr(name)[1:-1] in err.value.message
        assert all(ch.isprintable() for ch in err.value.message + err.value.fix + str(err.value)), str(err.value)


def test_a_line_an_input_says_escapes_a_name_holding_a_terminals_escape(tmp_path):
    from PIL import Image

    from vcam.live.inputs import InputSwitch

    path = str(tmp_path / "x\x1b[31mred.gif")
    frames = [Image.fromarray(np.full((H, W, 3), level, np.uint8)) for level in (0, 200)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    said: list[str] = []
    switch = InputSwitch(W, H, say=said.append)
    switch.open(f"image:{path}")
    switch.close()
    assert len(said) == 1 and said[0].startswith("image x\\x1b[31mred.gif is animated") and "\x1b" not in said[0]


def test_text_for_one_line_has_its_line_breaks_and_tabs_escaped_too():
    from vcam.words import terminal_safe

    assert terminal_safe("a\r\nb\tc\x1b") == "a\nb\tc\\x1b"  # a reply's lines kept
    assert terminal_safe("a\r\nb\tc\x1b", lines=False) == "a\\r\\nb\\tc\\x1b"
    assert terminal_safe("caf\u00e9 \u00a0\U0001f600", lines=False) == "caf\u00e9 \u00a0\U0001f600"


@pytest.mark.parametrize("name", ["gone\x1b[2J.png", "two\nlines.png"])
def test_a_name_with_a_control_character_is_escaped_once_wherever_its_error_is_said(tmp_path, capsys, name):
    """Escaped as the error is made, and said as it is: `\\x1b` once, never `\\\\x1b` (escaped again), in the
    CLI's error lines, in the one line a running show says, and in the fix that lists a folder's files."""
    from vcam.cmdline.errorlines import say_error

    escaped = repr(name)[1:-1]
    with pytest.raises(InputError) as missing:
        check_input(parse_input(f"image:{tmp_path / name}"))
    say_error(missing.value)
    printed = capsys.readouterr().err
    assert printed.count(escaped) == 1 and "\\\\" not in printed, printed
    assert printed.count("\n") == 2 and "\x1b" not in printed  # the error line and its fix's, nothing more
    assert str(missing.value).count(escaped) == 1 and "\\\\" not in str(missing.value)
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / name).write_bytes(b"x")
    with pytest.raises(InputError) as folder:
        check_input(parse_input(f"file:{tmp_path / 'clips'}"))
    # quoted as well, where bare a line break reads as spaces or the list's end
    assert f"(it holds '{escaped}')" in folder.value.fix and "\\\\" not in folder.value.fix


def test_a_fallback_image_named_with_control_characters_is_said_with_them_escaped(tmp_path):
    """A --fallback image, or a preset's fallback:, whose name held a terminal's escape printed it raw in its
    error (its start-up error line, a press's reply, the line said where a save stops decoding)."""
    from vcam.live.fallbacks import FallbackImages
    from vcam.live.frames import ImageError

    images = FallbackImages(W, H)
    with pytest.raises(ImageError) as missing:
        images.get(str(tmp_path / "gone\x1b[2J.png"))
    assert "gone\\x1b[2J.png" in missing.value.message and "\x1b" not in str(missing.value)
    (tmp_path / "text\x07.png").write_text("no picture")
    with pytest.raises(ImageError) as undecodable:
        images.get(str(tmp_path / "text\x07.png"))
    assert "text\\x07.png" in undecodable.value.message and "\x07" not in str(undecodable.value)


def test_the_reply_to_an_input_put_on_air_says_a_tab_in_its_name_escaped(tmp_path, monkeypatch):
    """`input image:a<tab>b.png` (a name with a tab, dropped on the terminal) was answered with the tab raw, read
    as spaces, where an error naming it says it escaped."""
    monkeypatch.chdir(tmp_path)
    assert cv2.imwrite(str(tmp_path / "a.png"), np.zeros((H, W, 3), np.uint8))
    os.replace(tmp_path / "a.png", tmp_path / "a\tb.png")
    typed = _typing()
    assert typed("input image:a\tb.png") == f"input image:{tmp_path}/a\\tb.png from the next block"
    assert f"| input image:{tmp_path}/a\\tb.png |" in typed("status")
    assert typed("input image:gone\tb.png").startswith(f"error: image {tmp_path}/gone\\tb.png: no such file")


def test_a_logged_input_named_with_a_terminals_escape_is_refused_with_it_escaped(tmp_path):
    """A replay or a render whose log names a file gone since, named with "\\x1b[2J", printed it raw as it refused
    the log: the input as the log names it, and the log's own path."""
    from vcam.errors import VcamError
    from vcam.live.inputs import check_logged_inputs

    log = str(tmp_path / "take\x07.jsonl")
    with pytest.raises(VcamError) as refused:
        check_logged_inputs(log, [("the input at block 1", f"image:{tmp_path}/gone\x1b[2J.png")])
    said = refused.value.message + refused.value.fix
    assert said.count("gone\\x1b[2J.png") == 2 and said.count("take\\x07.jsonl") == 2, said
    assert all(ch.isprintable() for ch in said) and "\\\\" not in said


# --- a space in a typed path --------------------------------------------------------------------------------------

def _art_logo(tmp_path, monkeypatch) -> None:
    """art/logo.png and logo.png's absence in the folder vcam was started in."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "art").mkdir()
    assert cv2.imwrite(str(tmp_path / "art" / "logo.png"), np.zeros((H, W, 3), np.uint8))


def test_a_space_further_in_a_path_given_with_in_is_no_space_after_the_colon(tmp_path, monkeypatch):
    """`--in "image:art/ logo.png"`, with art/logo.png there: it was offered as `image:logo.png`, a file not there,
    said to be a space after the colon; the path is checked as any other not found."""
    from vcam.argtypes import input_source

    _art_logo(tmp_path, monkeypatch)
    with pytest.raises(InputError) as raised:
        check_input(parse_input(input_source("image:art/ logo.png")))
    assert raised.value.message == f"image {tmp_path / 'art' / ' logo.png'}: no such file"
    assert raised.value.fix == ("check the path; a --in image: path is relative to the folder vcam was started in, "
                                "one in a show file to the show file's folder")


def test_a_space_after_the_colon_of_a_path_given_with_in_is_answered_with_the_path_meant(tmp_path, monkeypatch):
    """`--in 'image:\\ art/logo.png'`: the space begins the path as given, and the path without it is there."""
    from vcam.argtypes import input_source

    _art_logo(tmp_path, monkeypatch)
    with pytest.raises(InputError) as raised:
        check_input(parse_input(input_source("image:\\ art/logo.png")))
    assert raised.value.fix == "did you mean image:art/logo.png? a space after the colon is read as part of the name"


def test_a_space_further_in_a_typed_input_path_is_no_space_after_the_colon(tmp_path, monkeypatch):
    """`input image:art/ logo.png`, with art/logo.png there: answered `did you mean image:logo.png?`, a file not
    there; now with the fix for a typed path not found."""
    _art_logo(tmp_path, monkeypatch)
    typed = _typing()
    assert typed("input image:art/ logo.png") == (
        f"error: image {tmp_path / 'art' / ' logo.png'}: no such file (check the path; a typed image: path is "
        "relative to the folder vcam was started in, not to the show file)")
    assert typed("input image:\\ art/logo.png") == (
        f"error: image {tmp_path / ' art' / 'logo.png'}: no such file (did you mean image:art/logo.png? a space "
        "after the colon is read as part of the name)")


def test_an_input_gone_before_its_block_is_said_as_gone_not_as_the_class_and_the_fix_of_in(tmp_path):
    """A typed `input file:clip.mp4` checked as it was given, its file deleted before its block (a show still
    loading its model, a change waiting for the bar): the line said `control not applied (InputError: … (fix:
    check the path; a --in file: path is relative to the folder vcam was started in …))`, a class name and the fix
    of an option the operator never gave."""
    from test_mutants_runloop import _inputs_generator
    from vcam.control.actions import SetInput

    log: list[str] = []
    gen, stream = _inputs_generator([], log)
    gone = tmp_path / "clip.mp4"

    def opener(spec: str):
        return check_input(spec)

    gen._open_input = opener
    gen.submit(SetInput(f"file:{gone}"))
    gen.start()
    try:
        assert wait_for(lambda: gen.blocks >= 1, 60)
    finally:
        assert gen.stop(timeout=60)
    assert log == [f"control not applied (video file {gone}: no such file; it was there when the input was given: "
                   "put it back, or give another input; the input on air stays)"]
    assert stream.inputs == []


def _cut_png(path) -> str:
    cv2.imwrite(str(path), np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:200])  # an export or a copy that did not finish
    return str(path)


def test_a_damaged_picture_is_said_damaged_as_an_input_a_fallback_and_in_a_show(tmp_path):
    """A PNG cut short was answered `convert it to PNG or JPEG`: it is one, and converting what does not decode is
    no fix. A file that is no picture keeps that fix."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError
    from vcam.live.frames import ImageError, load_image

    damaged = "it is damaged or cut short (a copy or an export that did not finish): copy or export it again"

    cut = _cut_png(tmp_path / "logo.png")
    with pytest.raises(InputError) as raised:
        ImageSource(cut, 64, 48)
    assert raised.value.fix == damaged
    with pytest.raises(ImageError) as raised:
        load_image(cut, 64, 48)
    assert raised.value.fix == damaged
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {fallback: logo.png}\npresets:\n  - {name: a, prompt: b}\n", str(tmp_path / "s.yaml"))
    assert err.value.problems[0].endswith(f"(looked at {cut}); {damaged}"), err.value.problems
    (tmp_path / "notes.png").write_text("no image")
    with pytest.raises(ImageError) as raised:
        load_image(str(tmp_path / "notes.png"), 64, 48)
    assert raised.value.fix == "convert it to PNG or JPEG"


def test_a_damaged_picture_played_as_a_clip_is_said_damaged_not_sent_to_image(tmp_path):
    """`input file:logo.png` with the PNG cut short was told to show it with image:logo.png, which then said it is
    damaged: the operator went back and forth between the two."""
    cut = _cut_png(tmp_path / "logo.png")
    with pytest.raises(InputError) as raised:
        ClipSource(cut, 64, 48)
    assert raised.value.message == (f"cannot decode {cut}: it is a still picture, damaged or cut short (a copy or an "
                                    "export that did not finish)")
    assert raised.value.fix == f"copy or export it again, then show it with image:{cut}"


def test_a_whole_picture_with_bytes_after_its_end_refused_by_ffmpeg_is_sent_to_image(tmp_path, monkeypatch):
    """A phone's photo (a Motion Photo's trailer after the JPEG's end marker) too large for FFmpeg, given as file:,
    was said damaged, to be copied again: it is whole, and image: shows it."""
    path = tmp_path / "pano.jpg"
    cv2.imwrite(str(path), np.full((48, 64, 3), 90, np.uint8))
    path.write_bytes(path.read_bytes() + b"SEFH" + b"\0\1" * 100)
    monkeypatch.setattr(clip_module, "_first", lambda path, alpha: (None, None, None))  # as FFmpeg refuses it
    with pytest.raises(InputError) as raised:
        ClipSource(str(path), 64, 48)
    assert raised.value.message == f"cannot decode {path} as a video: it is a still picture"
    assert raised.value.fix == f"show it with image:{path}"
    ImageSource(str(path), 64, 48).close()


def test_an_input_that_did_not_open_at_its_block_is_not_named_on_air_after(tmp_path):
    """The state kept the input refused at its block: `status` named it on air, and a preset naming that file again,
    once it was back, did not send it (it differed from nothing), so it never played."""
    import threading

    from test_mutants_runloop import _inputs_generator
    from vcam.control.controller import Controller, ShowState

    log: list[str] = []
    gen, stream = _inputs_generator([], log)
    gen._open_input = check_input
    clip = write_clip(str(tmp_path / "a.mp4"), 4)
    ctl = Controller(None, ShowState(prompts={"x": 1.0}), gen, threading.Event(), log.append)
    ctl.handle_line(f"input file:{clip}", "stdin")
    os.remove(clip)  # before its block
    gen.start()
    try:
        assert wait_for(lambda: gen.blocks >= 1, 60)
    finally:
        assert gen.stop(timeout=60)
    assert stream.inputs == [] and any("no such file" in line for line in log), log
    assert ctl.state.input == "none"


def _refusing_controller(log: list[str]):
    """A controller on a generator whose opener refuses the files named `bad*`, and what its listeners were told
    (the input of each snapshot)."""
    import threading

    from test_mutants_runloop import _inputs_generator
    from vcam.control.controller import Controller, ShowState

    gen, stream = _inputs_generator([], log)
    gen._open_input = lambda spec: (_ for _ in ()).throw(OSError("gone")) if "/bad" in spec else spec
    ctl = Controller(None, ShowState(prompts={"x": 1.0}), gen, threading.Event(), log.append)
    told: list[str] = []
    ctl.listeners.append(lambda: told.append(ctl.snapshot()["input"]))
    return ctl, gen, stream, told


def test_network_clients_are_told_when_an_input_refused_at_its_block_goes_back():
    """The state went back to the input on air, and no client heard of it: a tablet kept naming the refused one."""
    log: list[str] = []
    ctl, gen, stream, told = _refusing_controller(log)
    ctl.handle_line("input file:/good1.mp4", "stdin")
    gen.start()
    try:
        assert wait_for(lambda: stream.inputs == ["file:/good1.mp4"], 60)
        ctl.handle_line("input file:/bad.mp4", "stdin")
        assert wait_for(lambda: any("gone" in line for line in log), 60), log
        assert wait_for(lambda: told and told[-1] == "file:good1.mp4", 10), told  # as the network names it
    finally:
        assert gen.stop(timeout=60)
    assert ctl.state.input == "file:/good1.mp4"


def test_the_same_input_typed_again_stands_when_the_first_did_not_open():
    """Two `input file:/clips/a.mp4` in flight, the first refused and the second played: the state went back by
    the name they share, and status said none with a.mp4 on air."""
    log: list[str] = []
    ctl, gen, stream, told = _refusing_controller(log)
    tries: list[str] = []

    def opener(spec: str) -> str:
        tries.append(spec)
        if len(tries) == 1:
            raise OSError("not there yet")
        return spec

    gen._open_input = opener
    ctl.handle_line("input file:/clips/a.mp4", "stdin")
    ctl.handle_line("input file:/clips/a.mp4", "midi")
    gen.start()
    try:
        assert wait_for(lambda: stream.inputs == ["file:/clips/a.mp4"], 60), log
    finally:
        assert gen.stop(timeout=60)
    assert ctl.state.input == "file:/clips/a.mp4"


def test_an_input_typed_while_the_generator_takes_a_refused_one_back_stands():
    """A command putting good2.mp4 on air between the generator's look at the state and its write back: the state
    was set back to good1.mp4 with good2.mp4 on air."""
    import threading

    from vcam.control.controller import Controller

    log: list[str] = []
    ctl, gen, stream, told = _refusing_controller(log)
    typed = threading.Event()  # the command ran, or waits to write the input
    lock = getattr(ctl, "_input_lock", None)
    if lock is not None:
        class Noted:  # the input lock, noting that the command has come to it
            def __enter__(self):
                if threading.current_thread().name == "typed":
                    typed.set()
                return lock.__enter__()

            def __exit__(self, *exc):
                return lock.__exit__(*exc)

        ctl._input_lock = Noted()
    on_air = {"value": "none"}
    commands: list[threading.Thread] = []

    def read_on_air(self):  # read between the look and the write: the command comes in there
        if threading.current_thread() is not threading.main_thread() and not commands and "bad" in self.state.input:
            commands.append(threading.Thread(target=lambda: (self.handle_line("input file:/good2.mp4", "stdin"),
                                                             typed.set()), name="typed"))
            commands[0].start()
            assert typed.wait(60)
        return on_air["value"]

    def write_on_air(self, value):
        on_air["value"] = value

    class Racing(Controller):
        _input_on_air = property(read_on_air, write_on_air)

    ctl.__class__ = Racing
    ctl.handle_line("input file:/good1.mp4", "stdin")
    gen.start()
    try:
        assert wait_for(lambda: stream.inputs == ["file:/good1.mp4"], 60)
        ctl.handle_line("input file:/bad.mp4", "stdin")
        assert wait_for(lambda: stream.inputs[-1] == "file:/good2.mp4", 60), log
    finally:
        assert gen.stop(timeout=60)
        for command in commands:
            command.join(60)
    assert ctl.state.input == "file:/good2.mp4"
    assert wait_for(lambda: told[-1] == "file:good2.mp4", 10), told


def test_an_input_given_with_two_slashes_is_still_told_once_its_file_is_gone(tmp_path):
    """`input file://tmp/x/z.mp4` (a file that was there) kept its `//`: once the file went, the status and the
    state sent to every client each round raised "is an address", and so did the line saying it failed at its
    block."""
    import threading

    from test_mutants_runloop import _inputs_generator
    from vcam.control.actions import SetInput
    from vcam.control.controller import Controller, ShowState
    from vcam.control.media import MediaFolders
    from vcam.live.producer import _input_failure

    log: list[str] = []
    gen, _ = _inputs_generator([], log)
    clip = write_clip(str(tmp_path / "z.mp4"), 4)
    ctl = Controller(None, ShowState(prompts={"x": 1.0}), gen, threading.Event(), log.append, check_input=check_input,
                     media=MediaFolders((str(tmp_path),)))
    assert "error" not in ctl.handle_line(f"input file:/{clip}", "stdin")
    assert ctl.state.input == f"file:{clip}"
    os.remove(clip)
    assert "z.mp4" in ctl.describe(network=True) and ctl.snapshot()["input"] == "file:z.mp4"
    failed = _input_failure(SetInput(f"file:/{clip}"), InputError(f"video file {clip}: no such file", "check it"))
    assert failed is not None and "no such file" in failed[1]


def test_a_whole_picture_of_a_kind_opencv_does_not_read_keeps_the_convert_fix(tmp_path):
    """A whole 32-bit float TIFF was said damaged or cut short: copying it again is no fix, converting it is. A
    JPEG and a GIF cut before their end marker are said damaged."""
    from vcam.live.frames import ImageError, load_image

    tif = str(tmp_path / "float.tif")
    assert cv2.imwrite(tif, np.random.default_rng(0).random((16, 16, 3), dtype=np.float32))
    with pytest.raises(ImageError) as raised:
        load_image(tif, 64, 48)
    assert raised.value.fix == "convert it to PNG or JPEG"
    jpg = str(tmp_path / "whole.jpg")
    assert cv2.imwrite(jpg, np.zeros((64, 64, 3), np.uint8))
    with open(jpg, "rb") as f:
        data = f.read()
    for name, cut in (("cut.jpg", data[:200]), ("cut.gif", b"GIF89a" + b"\0" * 40)):
        (tmp_path / name).write_bytes(cut)
        with pytest.raises(ImageError) as raised:
            load_image(str(tmp_path / name), 64, 48)
        assert raised.value.fix.startswith("it is damaged or cut short"), name


def test_an_input_that_did_not_open_with_none_on_air_says_text_only_stays(tmp_path):
    """With nothing on air, a clip gone before its block said `the input on air stays`: there was none."""
    log: list[str] = []
    ctl, gen, stream, _ = _refusing_controller(log)
    gen._open_input = check_input
    stream.has_input = False  # the stream's own word for it: text only
    clip = write_clip(str(tmp_path / "a.mp4"), 4)
    ctl.handle_line(f"input file:{clip}", "stdin")
    os.remove(clip)
    gen.start()
    try:
        assert wait_for(lambda: any("no such file" in line for line in log), 60), log
    finally:
        assert gen.stop(timeout=60)
    said = next(line for line in log if "no such file" in line)
    assert said.endswith("; text only stays)") and "input on air" not in said, said


def test_a_file_not_there_whose_folder_holds_one_named_alike_names_it(tmp_path):
    """`input file:Clip.mp4` or `input image:logo` (clip.mp4 and logo.png there) was told only to check the path,
    which looked right: the name's case, or its ending, was what differed."""
    write_clip(str(tmp_path / "clip.mp4"), 2)
    cv2.imwrite(str(tmp_path / "logo.png"), np.full((24, 32, 3), 80, np.uint8))
    alike = "named alike: check the name's case and its ending"
    for source, name, holds in ((ClipSource, "Clip.mp4", "clip.mp4"), (ClipSource, "clip", "clip.mp4"),
                                (ClipSource, "clip.mov", "clip.mp4"), (ImageSource, "LOGO.PNG", "logo.png"),
                                (ImageSource, "logo", "logo.png")):
        with pytest.raises(InputError) as raised:
            source(str(tmp_path / name), W, H)
        assert raised.value.message.endswith(f"{tmp_path / name}: no such file"), name
        assert raised.value.fix == f"its folder holds {holds}, {alike}", name
    with pytest.raises(InputError) as raised:
        ClipSource(str(tmp_path / "other.mp4"), W, H)
    assert raised.value.fix.startswith("check the path")


def test_an_image_not_there_beside_an_iphone_photo_of_its_name_offers_it_with_the_fix_for_heic(tmp_path):
    """`input image:IMG_1.jpg` with only IMG_1.HEIC (an iPhone's photo) beside it was told to check the path: the
    photo is there, in a format that does not show until converted (to the very name typed)."""
    from vcam.live.frames import ImageError, load_image
    (tmp_path / "IMG_1.HEIC").write_bytes(b"x")
    (tmp_path / "IMG_2.heif").write_bytes(b"x")
    for name, holds in (("IMG_1.jpg", "IMG_1.HEIC"), ("img_2.png", "IMG_2.heif")):
        # the commands name the photo, not placeholders (IN.heic, OUT.jpg) to fill in on a show night
        heic = (f"convert it to JPEG or PNG: sips -s format jpeg {holds} --out {holds[:5]}.jpg on a Mac, "
                f"heif-convert {holds} {holds[:5]}.jpg on Linux")
        with pytest.raises(InputError) as raised:
            ImageSource(str(tmp_path / name), W, H)
        assert raised.value.fix == f"its folder holds {holds}, named alike: check the name's case and its ending; " \
                                   f"a HEIC photo does not show: {heic}", name
        with pytest.raises(ImageError) as raised:  # a fallback
            load_image(str(tmp_path / name), W, H)
        assert raised.value.fix.startswith(f"its folder holds {holds}, named alike") and heic in raised.value.fix
    with pytest.raises(InputError) as raised:  # a clip is never offered one
        ClipSource(str(tmp_path / "IMG_1.mp4"), W, H)
    assert raised.value.fix.startswith("check the path"), raised.value.fix


def test_a_file_not_there_is_offered_only_names_of_its_kind_or_in_another_case_alone(tmp_path):
    """`take.2` was offered take.mp4, `scene.2` scene.1, `show.mp4` show.yaml, `intro.mp4` intro.srt and intro.wav,
    and `image:Take.mp4` the video take.mp4: another take, or a file the input refuses as another kind."""
    for name in ("take.mp4", "scene.1", "show.yaml", "intro.srt", "intro.wav"):
        (tmp_path / name).write_bytes(b"x")
    for source, name in ((ClipSource, "take.2"), (ClipSource, "scene.2"), (ClipSource, "show.mp4"),
                         (ClipSource, "intro.mp4"), (ImageSource, "Take.mp4"), (ImageSource, "take")):
        with pytest.raises(InputError) as raised:
            source(str(tmp_path / name), W, H)
        assert raised.value.fix.startswith("check the path"), (name, raised.value.fix)
    with pytest.raises(InputError) as raised:
        ClipSource(str(tmp_path / "SCENE.1"), W, H)
    assert raised.value.fix == "its folder holds scene.1, named alike: check the name's case and its ending"


@pytest.mark.parametrize("name", ["loop.mp4", "my loop.mp4"])
def test_a_video_given_as_an_image_is_said_to_be_one_with_the_line_that_plays_it(tmp_path, name):
    """A clip given as image: was told to be converted to a picture ("use a PNG, JPEG or WebP image"), in a show
    "convert it to PNG or JPEG": it is a video, played as file:."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    path = write_clip(tmp_path / name, count=4)
    with pytest.raises(InputError) as raised:
        ImageSource(path, W, H)
    assert raised.value.message == f"cannot read {path} as an image: it is a video"
    assert parse_input(raised.value.fix.removeprefix("play it as a clip: ").strip("'")) == parse_input(f"file:{path}")
    ClipSource(parse_input(f"file:{path}").target, W, H).close()  # the line offered plays it
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {{name: a, prompt: b, input: 'image:{name}'}}\n", str(tmp_path / "show.yaml"))
    said = "'file:my loop.mp4'" if " " in name else f"file:{name}"
    assert err.value.problems == [f"{tmp_path / 'show.yaml'}:2: preset 'a' input: image {name} is a video, not a "
                                  f"still picture (looked at {path}); play it as a clip: {said}"]


@pytest.mark.parametrize("name", ["still.mp4", "still.mov"])
def test_a_clip_of_one_frame_given_as_an_image_is_said_to_be_a_video(tmp_path, name):
    """An MP4 or MOV cut to one frame, given as image:, was told "cannot read … as an image" with the fix to use a
    PNG: its one frame made it no video, though it plays as file: as any clip does."""
    path = pyav_clip(tmp_path / name, 24, count=1)
    with pytest.raises(InputError) as raised:
        ImageSource(path, W, H)
    assert raised.value.message == f"cannot read {path} as an image: it is a video"
    assert parse_input(raised.value.fix.removeprefix("play it as a clip: ")) == parse_input(f"file:{path}")
    ClipSource(path, W, H).close()



@pytest.mark.parametrize("brand,major", [(b, True) for b in ("avci", "hevm", "hevs", "jpeg", "j2ki", "vvic", "mif2")]
                         + [(b, False) for b in ("mif1", "avif", "msf1")])
def test_a_heif_or_avif_still_of_one_frame_given_as_an_image_is_not_said_to_be_a_video(tmp_path, brand, major):
    """A HEIF or AVIF still whose major brand is one that was not known (an AVC or JPEG one), or that an ISO file's
    compatible brands name, was told "it is a video" with the file: line to play it: it is a picture OpenCV does
    not decode."""
    from vcam.live.frames import fallback_refusal

    path = pyav_clip(tmp_path / "still.mp4", 24, count=1)
    data = bytearray(open(path, "rb").read())
    assert data[4:8] == b"ftyp" and data[8:12] == data[16:20] == b"isom" and data[20:24] == b"iso2", data[:32]
    if major:  # the major brand, and the first compatible one FFmpeg writes as it
        data[8:12] = data[16:20] = brand.encode()
    else:  # under an MP4's major brand
        data[20:24] = brand.encode()
    with open(path, "wb") as f:
        f.write(data)
    with pytest.raises(InputError) as raised:
        ImageSource(path, W, H)
    assert raised.value.message == f"cannot read {path} as an image", raised.value.message
    assert fallback_refusal(path).kind == ""  # no video, nor a sound file

@pytest.mark.parametrize("replayed", [True, False])
def test_a_camera_that_fails_on_air_is_not_told_to_be_given_with_in(tmp_path, monkeypatch, replayed):
    """A camera that does not open at its block (a replay's, on a machine without it) was told to "restyle a clip
    or a picture instead (--in file:CLIP.mp4 …)": --in is given at the start, and a replay's inputs are its log's.
    A replay is told to run where the camera is or to change the log; a show on air names the command."""
    from test_mutants_runloop import _inputs_generator, _three_blocks
    from vcam.control.actions import Origin, SetInput

    monkeypatch.setattr(camera_module, "DEVICES", str(tmp_path))  # a machine without any video device
    log: list[str] = []
    gen, stream = _inputs_generator([], log)

    def opener(spec):
        open_device("0").release()

    gen._open_input = opener
    gen.submit(SetInput("camera"), origin=None if replayed else Origin("preset 2", "stdin"))
    _three_blocks(gen)
    said = [line for line in log if line.startswith("control not applied")]
    assert len(said) == 1 and "no capture device /dev/video0" in said[0], log
    assert "--in" not in said[0].replace("restart it as vcam serve --in net", "")  # the one --in: a restart's
    if replayed:
        assert "change that input in the log" in said[0] and "input file:" not in said[0]
    else:
        assert "(input file:CLIP.mp4, input image:PICTURE)" in said[0]
        # vcam run refuses input net: the step there is to restart as a serve, the flag given at the start
        assert "vcam serve with input net" not in said[0] and "restart it as vcam serve --in net" in said[0]


def test_a_typed_camera_on_a_machine_without_any_is_told_to_restart_as_a_serve_for_the_net(tmp_path, monkeypatch):
    """`input camera` typed in vcam run on a machine without a video device was told "here vcam serve with input
    net", a command vcam run refuses: a serve is started with --in net, and in one input net takes the sent camera."""
    import threading

    from test_mutants_runloop import _inputs_generator
    from vcam.control.controller import Controller, ShowState

    monkeypatch.setattr(camera_module, "DEVICES", str(tmp_path))
    log: list[str] = []
    gen, _ = _inputs_generator([], log)
    ctl = Controller(None, ShowState(prompts={"x": 1.0}), gen, threading.Event(), log.append, check_input=check_input)
    reply = ctl.handle_line("input camera", "stdin")
    assert "no capture device /dev/video0" in reply and "(input file:CLIP.mp4, input image:PICTURE)" in reply
    assert "vcam serve with input net" not in reply and "restart it as vcam serve --in net" in reply
    assert ctl.state.input == "none"


def test_a_folder_given_as_a_clip_lists_a_name_with_a_quote_or_comma_in_quotes(tmp_path):
    """A folder holding `"odd.mp4` listed it bare, (it holds "odd.mp4, b.mp4), read as a quote opened round the
    rest of the list; a name with a comma read as two."""
    for name in ('"odd.mp4', "a, b.mp4", "c.mp4"):
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(InputError) as raised:
        ClipSource(str(tmp_path), W, H)
    assert raised.value.fix.endswith("""(it holds '"odd.mp4', 'a, b.mp4', c.mp4)"""), raised.value.fix


def test_a_folder_given_as_a_clip_lists_a_name_with_a_bracket_tab_or_line_break_in_quotes(tmp_path):
    """A name holding `)` was listed bare, read as the list's end, and one holding a tab or a line break showed
    it as spaces or a line of its own: each is quoted, the tab and line break escaped."""
    for name in ("a\nb.mp4", "c\td.mp4", "e).mp4"):
        (tmp_path / name).write_bytes(b"x")
    with pytest.raises(InputError) as raised:
        ClipSource(str(tmp_path), W, H)
    assert raised.value.fix.endswith("(it holds 'a\\nb.mp4', 'c\\td.mp4', 'e).mp4')"), raised.value.fix


@pytest.mark.parametrize("typed, there", [("my clips/take1.mp4", "my clips/take 1.mp4"),
                                          ("my clips/take 1.mp4", "my clips/take_1.mp4"),
                                          ("my clips/Take_1.mp4", "my clips/take 1.mp4"),
                                          ("My_Clips/take 1.mp4", "my clips/take 1.mp4"),
                                          ("myclips/take1.mp4", "my clips/take 1.mp4")])
def test_a_clip_named_but_for_its_spaces_is_offered_at_the_console_and_on_the_command_line(tmp_path, monkeypatch,
                                                                                          capsys, typed, there):
    """`--in "file:my clips/take1.mp4"` with `my clips/take 1.mp4` there was told only to check the path (files
    named alike were found by their case and ending alone, and in the folder given only): the one meant is offered,
    as each place gives it, and taken as offered."""
    import shlex

    from vcam.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "my clips").mkdir()
    write_clip(tmp_path / there)
    typing = _typing()
    reply = typing(f"input file:{typed}")
    offer = f"input 'file:{there}'"
    assert reply.endswith(f"({there} is there, named alike but for spaces, underscores or case: did you mean "
                          f"{offer}?)"), reply
    assert typing(offer) == f"input file:{tmp_path / there} from the next block"
    assert main(["run", "--model", "tiny", "--in", f"file:{typed}", "--out", "null", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    given = f"--in {shlex.quote(f'file:{tmp_path}/{there}')}"
    assert f"did you mean {given}?" in err, err
    assert check_input(parse_input(shlex.split(given)[1])).target == str(tmp_path / there)


def test_a_clip_under_a_thousand_folders_not_there_is_said_not_found_at_the_console_and_on_the_command_line(
        tmp_path, monkeypatch, capsys):
    """Each folder not there was looked up alike with a call of its own: 1,200 of them were a RecursionError (an
    internal error at the console, "RecursionError" for --in file:…, a traceback for a path without its kind). Said
    as any path not found; a slip in a few folders is still offered."""
    from vcam.cli import main

    monkeypatch.chdir(tmp_path)
    deep = "a/" * 1200 + "take.mp4"
    assert _typing()(f"input file:{deep}").endswith("(check the path; a typed file: path is relative to the folder "
                                                    "vcam was started in, not to the show file)")
    assert main(["run", "--model", "tiny", "--in", f"file:{deep}", "--out", "null", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err and "check the path" in err and "Recursion" not in err, err[-300:]
    with pytest.raises(SystemExit):  # argparse's usage error
        main(["run", "--model", "tiny", "--in", deep, "--out", "null", "--no-stdin"])
    err = capsys.readouterr().err
    assert "no such file (a --in path is relative to the folder vcam was started in): check the path, then give it " \
           "with its kind: --in file:PATH" in err, err[-300:]
    from vcam.inspec import RESPACED_FOLDERS

    there = "my clips/" * RESPACED_FOLDERS + "take 1.mp4"
    (tmp_path / there).parent.mkdir(parents=True)
    write_clip(tmp_path / there)
    typed = "my_clips/" * RESPACED_FOLDERS + "take1.mp4"
    assert f"did you mean input 'file:{there}'?" in _typing()(f"input file:{typed}")


def test_two_clips_named_alike_but_for_spaces_are_not_offered_one_for_the_other(tmp_path, monkeypatch):
    """`take 1.mp4` and `take_1.mp4` both there for `take1.mp4`: `take 1.mp4` was offered, the other never named.
    Neither is offered: the path is said not found."""
    monkeypatch.chdir(tmp_path)
    write_clip(tmp_path / "take 1.mp4")
    write_clip(tmp_path / "take_1.mp4")
    reply = _typing()("input file:take1.mp4")
    assert "no such file (check the path" in reply and "did you mean" not in reply, reply
    (tmp_path / "take_1.mp4").unlink()
    assert "did you mean input 'file:take 1.mp4'?" in _typing()("input file:take1.mp4")


def test_a_clip_in_the_second_of_two_folders_named_alike_is_offered(tmp_path, monkeypatch):
    """`my clips/` (empty) and `my_clips/take 1.mp4` for `myclips/take1.mp4`: only the first folder was looked into,
    and nothing offered."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my clips").mkdir()
    (tmp_path / "my_clips").mkdir()
    write_clip(tmp_path / "my_clips" / "take 1.mp4")
    assert "did you mean input 'file:my_clips/take 1.mp4'?" in _typing()("input file:myclips/take1.mp4")


def test_a_clip_named_alike_with_a_line_break_in_its_name_is_not_offered(tmp_path, monkeypatch):
    """`take\\n1.mp4` there for `take1.mp4` was offered as it is: the line broke in the middle of the command to
    type."""
    monkeypatch.chdir(tmp_path)
    write_clip(tmp_path / "take\n1.mp4")
    reply = _typing()("input file:take1.mp4")
    assert "no such file (check the path" in reply and "did you mean" not in reply, reply


def test_the_names_of_a_folder_are_compared_before_their_files_are_looked_at(tmp_path, monkeypatch):
    """Each of a folder's files was asked whether it is a file, named alike or not: on a big folder over a network
    share, a call to the system for each."""
    import vcam.inspec
    from vcam.inspec import alike_fix, missing_fix, respaced_fix

    for i in range(20):
        (tmp_path / f"other {i}.mp4").write_bytes(b"x")
    write_clip(tmp_path / "take 1.mp4")
    looked = []
    scandir = os.scandir

    class Entry:
        def __init__(self, entry):
            self.name, self._entry = entry.name, entry

        def is_file(self):
            looked.append(self.name)
            return self._entry.is_file()

        def is_dir(self):
            looked.append(self.name)
            return self._entry.is_dir()

    monkeypatch.setattr(vcam.inspec.os, "scandir", lambda path: [Entry(e) for e in scandir(path)])
    assert "take 1.mp4 is there" in respaced_fix(missing_fix("file"), parse_input(f"file:{tmp_path}/take1.mp4"))
    assert alike_fix(str(tmp_path / "Take 1.mp4"), "file") is not None
    assert looked == ["take 1.mp4", "take 1.mp4"]
