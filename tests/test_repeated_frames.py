"""A frame the camera's ticks repeat (between generated frames, through a stall, a freeze or a blackout) is fitted,
converted for the camera and converted for the recording once, then sent again as it is: the same picture to the
bit as when each tick's frame was worked anew, at a fraction of the laptop's CPU."""
import numpy as np
import pytest

from vcam.live.outputs import OutputWorker
from vcam.live.outputs.camera import VirtualCamera
from vcam.live.outputs.recording import Recording


def picture(w: int, h: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def ticks() -> list[np.ndarray]:
    """Two frames, each held for several ticks, then the first again as a new array of the same picture."""
    a, b = picture(64, 48, 1), picture(64, 48, 2)
    return [a, a, a, b, b, a.copy(), b, b]


def recorded(path) -> list[np.ndarray]:
    import av

    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]


def test_a_repeated_frame_is_converted_once_for_a_recording_and_recorded_the_same(tmp_path):
    frames = ticks()
    reused, fresh = (Recording(str(tmp_path / name), 64, 48, 30.0) for name in ("reused.mp4", "fresh.mp4"))
    for tick, frame in enumerate(frames):
        reused.send(frame, tick)
        fresh.send(frame.copy(), tick)  # a new array each tick: worked anew, as before repeats were kept
    reused.close(), fresh.close()
    assert reused.conversions == 4 and fresh.conversions == len(frames)
    got, expected = recorded(tmp_path / "reused.mp4"), recorded(tmp_path / "fresh.mp4")
    assert len(got) == len(frames) and all(np.array_equal(g, e) for g, e in zip(got, expected))


@pytest.mark.parametrize("size,fps", [((64, 48), 30.0), ((66, 50), 29.97)])
def test_a_recording_converted_before_its_encoder_is_the_same_to_the_bit_as_one_it_converts(tmp_path, size, fps):
    """Each frame converted to the encoder's pixel format here, or (as before) by the encoder itself: the same file,
    a size off the codec's 16-pixel blocks and an NTSC rate included."""
    w, h = size
    a, b = picture(w, h, 1), picture(w, h, 2)
    frames = [a, a, b, a.copy(), b, b]
    ours, its = Recording(str(tmp_path / "ours.mp4"), w, h, fps), Recording(str(tmp_path / "its.mp4"), w, h, fps)
    its._converted = lambda vf: vf  # the encoder converts the frame, and a repeat again
    for tick, frame in enumerate(frames):
        ours.send(frame, tick)
        its.send(frame, tick)
    ours.close(), its.close()
    assert ours.conversions == 4
    assert (tmp_path / "ours.mp4").read_bytes() == (tmp_path / "its.mp4").read_bytes()


@pytest.mark.parametrize("native", ["I420", "NV12", "YUY2", "24BG"])
def test_a_repeated_frame_is_converted_once_for_the_camera_and_sent_the_same(camera, native):
    camera.native = native
    reused, fresh = VirtualCamera(64, 48, 30, backend="memory"), VirtualCamera(64, 48, 30, backend="memory")
    frames = ticks()
    for tick, frame in enumerate(frames):
        reused.send(frame, tick)
        fresh.send(frame.copy(), tick)
    got, expected = (device.frames for device in camera.opened if not device.closed)  # reopened in its format
    assert reused.conversions == 4 and fresh.conversions == len(frames)
    assert len(got) == len(frames) and all(np.array_equal(g, e) for g, e in zip(got, expected))


class Kept:
    name = "kept"

    def __init__(self):
        self.frames: list[np.ndarray] = []

    def send(self, frame: np.ndarray, tick: int) -> None:
        self.frames.append(frame.copy())

    def close(self) -> None:
        pass


@pytest.mark.parametrize("mode", ["letterbox", "crop", "stretch"])
def test_a_repeated_frame_is_fitted_to_another_size_once_and_sent_the_same(mode):
    from vcam.live.frames import fit

    out = Kept()
    worker = OutputWorker(out, 96, 96, mode, queue=len(ticks()) + 1, every_frame=True)
    frames = ticks()
    for tick, frame in enumerate(frames):
        worker.offer(frame, tick)
    worker.close(60)
    assert worker.fits == 4
    assert len(out.frames) == len(frames)
    assert all(np.array_equal(got, fit(frame, 96, 96, mode)) for got, frame in zip(out.frames, frames))
