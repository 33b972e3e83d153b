"""How a clip opens and reads: what it costs (the file opened and its first frame decoded once each) and the
exact pixels of a clip with alpha over black."""
import av
import numpy as np
import pytest

from helpers import alpha_clip, pyav_clip, rgba_clip
from vcam.live.inputs import ClipSource
from vcam.live.inputs import clip as clip_module

W, H = 32, 24


def over_black(rgba: np.ndarray) -> np.ndarray:
    """Each colour times alpha / 255, rounded half up, in whole numbers: [H, W, 3] RGB."""
    colour, alpha = rgba[:, :, :3].astype(np.int64), rgba[:, :, 3:].astype(np.int64)
    return ((2 * colour * alpha + 255) // 510).astype(np.uint8)


def test_every_colour_and_alpha_pair_shows_over_black_as_the_formula_says():
    colour, alpha = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8))
    rgba = np.dstack([colour, colour, colour, alpha])
    bgr = clip_module._over_black_bgr(np.ascontiguousarray(rgba[:, :, 2::-1]), rgba[:, :, 3:])
    assert np.array_equal(bgr[:, :, ::-1], over_black(rgba))


@pytest.mark.parametrize("height, width", [(1080, 1920), (7, 13), (1, 1)])
def test_a_random_frame_shows_over_black_as_the_formula_says(height, width):
    """Random pixels at sizes whose rows do and do not fill whole vector registers, alpha 0, 255 and between."""
    rng = np.random.default_rng(height)
    rgba = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    rgba[::3, :, 3] = 0
    rgba[1::3, :, 3] = 255
    bgr = clip_module._over_black_bgr(rgba[:, :, 2::-1], rgba[:, :, 3:])  # a view, as a decoded frame gives
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
