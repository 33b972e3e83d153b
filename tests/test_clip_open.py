"""The exact pixels of a clip with alpha over black."""
import av
import numpy as np
import pytest

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


def _rgba_clip(path, frames: list[np.ndarray]) -> str:
    """PNG in a MOV, lossless: each frame's pixels come back as written."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("png", rate=10)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "rgba"
        for i, rgba in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgba, format="rgba")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return str(path)


def test_a_clip_with_alpha_plays_each_pixel_over_black_exactly(tmp_path):
    rng = np.random.default_rng(5)
    frames = [rng.integers(0, 256, (H, W, 4), dtype=np.uint8) for _ in range(3)]
    clip = ClipSource(_rgba_clip(tmp_path / "logo.mov", frames), W, H, "stretch", fps=10)
    try:
        block = clip.frames(0, 4)
        for shown, rgba in zip(block, frames + frames[:1]):
            assert np.array_equal(shown, over_black(rgba))
    finally:
        clip.close()
