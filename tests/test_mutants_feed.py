"""What the operator reads of a local show's feed (the status line's numbers and words), and how a picture given as an
input or a fallback is read: the right way up, at the right size, its header's size as OpenCV decodes it."""
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from vcam.live.pacer import PacerStats


class _Clock:
    def __init__(self, t: float = 0.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def _feed(clock, producer=None, **kw):
    from vcam.live.model_feed import ModelFeed

    said: list[str] = []
    feed = ModelFeed(producer or SimpleNamespace(state="running", stream=None), said.append, "on air",
                     kw.pop("preset_name", lambda: None), lambda: "live", clock=clock, **kw)
    return feed, said


# --- the status line of a local show ----------------------------------------------------------------------------


def test_the_status_line_puts_each_number_of_the_show_in_its_own_field():
    """The generation rate, the camera's rate, the frames waiting, the latency, the preset and the outputs that
    failed, each where the operator looks for it."""
    feed, _ = _feed(_Clock(), preset_name=lambda: "storm")
    stats = PacerStats(pushed=24, production_fps=8.0, buffered=14, latency=1.2)
    text = feed.status(stats, 30.0, ["window"])
    assert text == ("LIVE | FAILED window | gen   8.0 fps | out  30.0 fps | preset 'storm' | buffer   14 | "
                    "latency  1.2 s | VRAM -"), text


def test_a_stall_within_a_minute_of_the_last_ones_end_is_said_as_slowness_not_as_news():
    """Blocks each a little slower than the stall limit: a stall 59 s after the last one ended is the same slowness,
    said once; a stall a minute after it is news."""
    clock = _Clock()
    feed, said = _feed(clock)
    for t, stalled in ((0, True), (1, False), (60, True), (61, False), (121, True)):
        clock.t = t
        feed.poll(PacerStats(pushed=4, stalled=stalled))
    assert [line.split(":")[0] for line in said[1:]] == [
        "generation stalled", "generation resumed", "generation keeps stalling", "generation stalled"], said


def test_a_pause_of_the_process_itself_is_said_as_such_not_as_generation_that_keeps_stalling():
    """SIGSTOP then SIGCONT: every thread stopped, the loop's polls with them. The stalls the pause left (the frames
    waiting too old, the rate measured across it) were said as "generation keeps stalling (0.1 frames/s)", with a
    smaller --size to give."""
    from vcam.live.model_feed import PAUSED_S

    clock = _Clock()
    feed, said = _feed(clock, paused_after=PAUSED_S)
    polls = [(t * 0.25, False) for t in range(8)]  # on air, its loop polling 4 times a second
    polls += [(60.0, True), (60.25, True), (61.0, False), (63.0, True), (64.0, False)]  # paused at 2 s for 58 s
    polls += [(64.0 + t * 0.25, False) for t in range(1, 8)]
    for t, stalled in polls:
        clock.t = t
        ticks = round(30 * min(t, 2.0) + 30 * max(0.0, t - 60.0))  # the camera's 30 a second, none while paused
        feed.poll(PacerStats(pushed=4, production_fps=0.1 if t >= 60 else 8.0, stalled=stalled, ticks=ticks))
    assert said[1] == ("vcam did not run for 58 s (the process was stopped, suspended or starved): the stall it "
                       "leaves is not the generator's")
    assert not [line for line in said if "keeps stalling" in line], said
    # polls that come when they should say no pause, and a stall that keeps coming back later is slowness again
    for tick in range(66 * 4, 103 * 4):
        clock.t = tick * 0.25
        feed.poll(PacerStats(pushed=4, production_fps=0.8, stalled=100 <= clock.t < 101 or clock.t >= 102,
                             ticks=round(30 * (clock.t - 58.0))))
    assert "keeps stalling" in said[-1] and len([line for line in said if "did not run" in line]) == 1, said


def test_a_slowness_said_before_a_pause_keeps_its_stalls_quiet_after_it():
    """A CPU show already told it keeps stalling, then paused: each stall after the pause was said again, with its
    end, for half a minute (22 lines), and then the advice again."""
    from vcam.live.model_feed import PAUSED_S

    clock = _Clock()
    feed, said = _feed(clock, paused_after=PAUSED_S)
    for tick in range(0, 20 * 4):  # stalls 1 s in every 3: slow, said once
        clock.t = tick * 0.25
        feed.poll(PacerStats(pushed=4, production_fps=0.8, stalled=clock.t % 3 >= 2, ticks=round(30 * clock.t)))
    assert sum("keeps stalling" in line for line in said) == 1, said
    before = len(said)
    for tick in range(60 * 4, 110 * 4):  # paused from 20 s to 60 s, then as slow as before
        clock.t = tick * 0.25
        feed.poll(PacerStats(pushed=4, production_fps=0.8, stalled=clock.t % 3 >= 2,
                             ticks=round(30 * (clock.t - 40.0))))
    after = said[before:]
    assert len(after) == 1 and "did not run for 40 s" in after[0], after


def test_a_show_whose_loop_alone_was_held_up_while_its_camera_ticked_on_says_no_pause():
    """A status line written to a stalled terminal holds the loop's polls, not the camera: no pause of the process
    is said, and stalls that keep coming back are said as slowness."""
    from vcam.live.model_feed import PAUSED_S

    clock = _Clock()
    feed, said = _feed(clock, paused_after=PAUSED_S)
    for t, stalled in ((0.0, False), (1.0, True), (30.0, False), (30.25, True)):
        clock.t = t
        feed.poll(PacerStats(pushed=4, production_fps=0.8, stalled=stalled, ticks=round(30 * t)))
    assert "keeps stalling" in said[-1] and not [line for line in said if "did not run" in line], said


def test_a_stall_that_lasts_many_polls_is_said_once():
    """The camera's loop polls the feed 4 times a second through a stall: it is said as it begins, and its end
    once, not a line at each poll."""
    clock = _Clock()
    feed, said = _feed(clock)
    for poll in range(12):
        clock.t = poll * 0.25
        feed.poll(PacerStats(pushed=4, stalled=poll < 8))
    assert said == ["on air", "generation stalled: holding the last frame", "generation resumed"], said


def test_with_a_duration_not_yet_begun_is_said_a_duration_after_the_feed_starts_not_after_it_was_made():
    """The feed is made before the show starts it (outputs opened, the show read): the line saying the duration has
    not begun comes --duration after the start."""
    clock = _Clock()
    feed, said = _feed(clock, SimpleNamespace(state="loading", stream=None, start=lambda: None), duration=10.0)
    clock.t = 100.0
    feed.start()
    for t, lines in ((105.0, 0), (109.9, 0), (110.0, 1)):
        clock.t = t
        feed.poll(PacerStats())
        assert len(said) == lines, (t, said)
    assert said == ["--duration 10 s counts from the first frame on air: not on air yet"]


# --- a picture read at the right size ----------------------------------------------------------------------------


def _picture(height: int, width: int) -> np.ndarray:
    """A picture with detail everywhere, so a read at the wrong size shows."""
    tile = np.random.default_rng(5).integers(0, 255, (height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    return cv2.resize(tile, (width, height), interpolation=cv2.INTER_CUBIC)


def _reads(monkeypatch) -> list[tuple[int, tuple[int, ...]]]:
    """The reads of images from here on: the flags each was read with and the shape it decoded to."""
    from vcam.live import frames

    reads, real = [], frames.imread_quiet

    def read(path, flags):
        image = real(path, flags)
        reads.append((flags, image.shape))
        return image

    monkeypatch.setattr(frames, "imread_quiet", read)
    return reads


def test_a_jpeg_of_exactly_the_huge_size_decodes_whole_and_a_reduced_read_may_equal_the_output(tmp_path, monkeypatch):
    """HUGE_PIXELS itself is not huge; past it the most reduced read whose shorter side is still as large as the
    output's larger side is taken, that side equal to it too (400 / 4 = 100 for a 100 wide output)."""
    from vcam.live import frames

    path = str(tmp_path / "photo.jpg")
    cv2.imwrite(path, _picture(400, 640))
    reads = _reads(monkeypatch)
    monkeypatch.setattr(frames, "HUGE_PIXELS", 400 * 640)
    assert frames.read_shown(path, (100, 48, "crop")).shape == (48, 100, 3)
    monkeypatch.setattr(frames, "HUGE_PIXELS", 400 * 640 - 1)
    assert frames.read_shown(path, (100, 48, "crop")).shape == (48, 100, 3)
    assert reads == [(cv2.IMREAD_COLOR, (400, 640, 3)), (cv2.IMREAD_REDUCED_COLOR_4, (100, 160, 3))], reads


@pytest.mark.parametrize("limit, decoded", [(21 * 801, (21, 801, 3)), (21 * 801 - 1, (11, 401, 3))])
def test_a_long_jpeg_is_read_reduced_to_the_largest_size_within_the_limit_its_odd_sides_rounded_up(
        tmp_path, monkeypatch, limit, decoded):
    """A 1601x41 panorama read at half its size decodes to 801x21 (libjpeg rounds up): that read fits a limit of
    exactly as many pixels, and not one of a pixel fewer, where a quarter's read is taken."""
    from vcam.live import frames

    path = str(tmp_path / "panorama.jpg")
    cv2.imwrite(path, _picture(41, 1601))
    monkeypatch.setattr(frames, "HUGE_PIXELS", 41 * 1601 - 1)
    monkeypatch.setattr(frames, "MAX_DECODED_PIXELS", limit)
    reads = _reads(monkeypatch)
    assert frames.read_shown(path, (64, 48, "crop")).shape == (48, 64, 3)
    assert [shape for _, shape in reads] == [decoded]
    assert decoded[0] * decoded[1] <= limit


def test_an_image_of_exactly_the_decoded_limit_is_read_and_one_pixel_more_is_refused(tmp_path, monkeypatch):
    from vcam.live import frames

    path = str(tmp_path / "poster.png")
    cv2.imwrite(path, _picture(30, 70))
    monkeypatch.setattr(frames, "MAX_DECODED_PIXELS", 70 * 30)
    assert frames.too_large(path) is None and frames.read_shown(path).shape == (30, 70, 3)
    monkeypatch.setattr(frames, "MAX_DECODED_PIXELS", 70 * 30 - 1)
    assert "70x30" in frames.too_large(path)


# --- WebP sizes from their headers --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape, params", [
    ((1, 9000, 3), [cv2.IMWRITE_WEBP_QUALITY, 101]),  # lossless (VP8L): 14 bits a side
    ((9000, 1, 3), [cv2.IMWRITE_WEBP_QUALITY, 101]),
    ((30, 70, 4), [cv2.IMWRITE_WEBP_QUALITY, 80]),  # lossy with alpha: extended (VP8X)
    ((2, 9000, 3), [cv2.IMWRITE_WEBP_QUALITY, 80]),  # lossy (VP8)
])
def test_a_webps_size_is_read_from_its_header_as_opencv_decodes_it(tmp_path, shape, params):
    from vcam.live.frames import image_size

    path = str(tmp_path / "a.webp")
    assert cv2.imwrite(path, np.random.default_rng(2).integers(0, 255, shape, dtype=np.uint8), params)
    assert image_size(path) == (shape[1], shape[0]) == cv2.imread(path).shape[1::-1]


def test_a_lossy_webps_size_leaves_out_its_scaling_bits(tmp_path):
    """The two bits above each 14-bit side of a lossy WebP ask for upscaling, which decoders ignore: read as part
    of the side, a 70x30 picture would be tens of thousands of pixels a side, and refused as too large."""
    from vcam.live.frames import image_size

    path = tmp_path / "scaled.webp"
    assert cv2.imwrite(str(path), _picture(30, 70), [cv2.IMWRITE_WEBP_QUALITY, 80])
    data = bytearray(path.read_bytes())
    assert data[12:16] == b"VP8 "
    data[27] |= 0x40  # width scaled 2x
    data[29] |= 0xC0  # height scaled 4x
    path.write_bytes(bytes(data))
    assert image_size(str(path)) == (70, 30) == cv2.imread(str(path)).shape[1::-1]


def test_an_extended_webps_canvas_is_read_as_24_bits_a_side(tmp_path):
    """An extended WebP's header gives each side less one in 24 bits: a claimed 20000x70000 canvas (a
    decompression bomb's) is read as it claims, and refused unread."""
    from vcam.live.frames import image_size, too_large

    chunk = b"VP8X" + (10).to_bytes(4, "little") + bytes(4) + (19999).to_bytes(3, "little") + \
        (69999).to_bytes(3, "little")
    path = tmp_path / "bomb.webp"
    path.write_bytes(b"RIFF" + (4 + len(chunk)).to_bytes(4, "little") + b"WEBP" + chunk)
    assert image_size(str(path)) == (20000, 70000)
    assert "20000x70000" in too_large(str(path))


# --- a transparent picture the right way up -----------------------------------------------------------------------


def _exif_png(path, image: np.ndarray, orientation: int) -> str:
    """A PNG whose EXIF says how to show it (1-8), as an editor keeps a phone photo's; OpenCV's colour read
    applies it, its read with alpha does not."""
    import struct
    import zlib

    entry = struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)  # Orientation, SHORT, 1 value
    exif = b"MM\x00\x2a" + struct.pack(">IH", 8, 1) + entry + struct.pack(">I", 0)
    chunk = struct.pack(">I", len(exif)) + b"eXIf" + exif + struct.pack(">I", zlib.crc32(b"eXIf" + exif))
    png = cv2.imencode(".png", image)[1].tobytes()
    with open(path, "wb") as f:
        f.write(png[:33] + chunk + png[33:])  # after the signature and IHDR
    return str(path)


# 0xF0FF a channel in 16 bits shows as 0xF0 in 8 (its high byte), as 240 does: its low byte alone is 0xFF
@pytest.mark.parametrize("dtype, full, red", [(np.uint8, 255, 240), (np.uint16, 65535, 0xF0FF)])
@pytest.mark.parametrize("orientation, red_at", [(2, "top right"), (6, "top right"), (7, "bottom right")])
def test_a_transparent_logo_mirrored_or_turned_by_its_exif_shows_over_black_where_its_picture_is(
        tmp_path, dtype, full, red, orientation, red_at):
    """A red square opaque at the stored top left of a transparent white 32x24 logo: mirrored (2), turned a quarter
    (6) or mirrored and turned (7) by its EXIF, its alpha is turned with it, in 8 bits a channel or 16."""
    from vcam.live.frames import load_image

    logo = np.full((24, 32, 4), full, dtype)
    logo[:, :, 3] = 0
    logo[:8, :8] = (0, 0, red, full)
    path = _exif_png(tmp_path / "logo.png", logo, orientation)
    height, width = (24, 32) if orientation == 2 else (32, 24)
    frame = load_image(path, width, height)
    assert frame.shape == (height, width, 3)
    where = (2, width - 3) if red_at == "top right" else (height - 3, width - 3)
    assert tuple(frame[where]) == (240, 0, 0), red_at
    for corner in ((2, 2), (height - 3, 2)):
        assert tuple(frame[corner]) == (0, 0, 0), corner



def test_a_decoder_whose_colour_read_differs_from_its_read_with_alpha_still_shows_the_alpha(tmp_path, monkeypatch):
    """Where no turn makes the two reads' colours the same (a decoder that rounds its colour read its own way), an
    alpha of the picture's size is used as it is: the transparent part still shows black."""
    from vcam.live import frames

    logo = np.full((24, 32, 4), 255, np.uint8)
    logo[:, :, 3] = 0
    logo[:8, :8] = (1, 1, 241, 255)  # none at 0: one less is still a colour
    path = str(tmp_path / "logo.tiff")  # a PNG's colours come from its one read with alpha
    cv2.imwrite(path, logo)
    real = frames.imread_quiet

    def rounded_its_own_way(p, flags):
        image = real(p, flags)
        return image if flags == cv2.IMREAD_UNCHANGED else image - 1

    monkeypatch.setattr(frames, "imread_quiet", rounded_its_own_way)
    frame = frames.load_image(path, 32, 24)
    assert tuple(frame[2, 2]) == (240, 0, 0) and tuple(frame[20, 28]) == (0, 0, 0)


def test_a_16_bit_half_transparent_pixel_is_rounded_half_up_over_black(tmp_path):
    """255 at alpha 0x8000 of 0xFFFF is 127.502: shown 128, as the 8-bit path rounds."""
    from vcam.live.frames import load_image

    image = np.zeros((24, 32, 4), np.uint16)
    image[:, :, :3] = 0xFFFF
    image[:, :, 3] = 0x8000
    path = str(tmp_path / "half.png")
    cv2.imwrite(path, image)
    assert load_image(path, 32, 24)[12, 16].tolist() == [128, 128, 128]


def test_a_tall_fallback_image_is_shown_whole_and_centred_between_black_bars(tmp_path):
    """A 20x40 picture in a 64x48 frame: scaled to 24x48, 20 columns of black on each side, none of it cut."""
    from vcam.live.frames import load_image

    path = str(tmp_path / "tall.png")
    cv2.imwrite(path, np.full((40, 20, 3), 200, np.uint8))
    frame = load_image(path, 64, 48)
    lit = np.flatnonzero(frame.max(axis=(0, 2)))
    assert (lit[0], lit[-1]) == (20, 43), lit
    assert (frame[:, 20:44] == 200).all()


def test_a_bigtiffs_size_is_read_from_its_header_and_one_too_large_is_refused(tmp_path):
    """A BigTIFF gives its first page's place and its tags' counts and values in 8 bytes: read as a classic TIFF's,
    a 20000x70000 one (a decompression bomb's claim) was not refused."""
    import struct

    from vcam.live.frames import image_size, too_large

    tags = [struct.pack("<HHQQ", 256, 4, 1, 20000), struct.pack("<HHQQ", 257, 16, 1, 70000)]
    ifd = struct.pack("<Q", len(tags)) + b"".join(tags) + struct.pack("<Q", 0)
    path = tmp_path / "bomb.tif"
    path.write_bytes(b"II+\0" + struct.pack("<HHQ", 8, 0, 16) + ifd)
    assert image_size(str(path)) == (20000, 70000)
    assert "20000x70000" in too_large(str(path))


def test_a_picture_thinner_than_a_pixel_once_fitted_still_shows_as_one_row(tmp_path):
    """A 2000x4 banner letterboxed into 64x48 is 0.128 of a pixel tall: kept one row tall, not a resize to
    nothing."""
    from vcam.live.frames import load_image

    path = str(tmp_path / "banner.png")
    cv2.imwrite(path, np.full((4, 2000, 3), 200, np.uint8))
    frame = load_image(path, 64, 48)
    assert frame.shape == (48, 64, 3) and np.flatnonzero(frame.max(axis=(1, 2))).tolist() == [23]  # (48 - 1) // 2
    assert (frame[23] == 200).all()


def test_a_jpegs_size_is_read_past_huffman_tables_written_before_its_frame(tmp_path):
    """Some encoders write the Huffman tables (marker C4, in the range of the frame markers) before the frame's
    header: their bytes are not the picture's size."""
    from vcam.live.frames import jpeg_size

    data = cv2.imencode(".jpg", _picture(30, 70))[1].tobytes()
    segments, at = [], 2
    while data[at + 1] != 0xDA:  # up to the scan
        length = int.from_bytes(data[at + 2:at + 4], "big")
        segments.append(data[at:at + 2 + length])
        at += 2 + length
    tables = [s for s in segments if s[1] == 0xC4]
    assert tables
    path = tmp_path / "tables-first.jpg"
    path.write_bytes(data[:2] + b"".join(tables + [s for s in segments if s[1] != 0xC4]) + data[at:])
    assert jpeg_size(str(path)) == (70, 30) == cv2.imread(str(path)).shape[1::-1]
