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


def send_copied(take: Recording, frame: np.ndarray, tick: int) -> None:
    """`take.send(frame, tick)` with each frame copied by PyAV's from_ndarray, as before a frame was wrapped."""
    from vcam.live.outputs import recording

    real = recording._wrapped
    recording._wrapped = lambda av, array: av.VideoFrame.from_ndarray(array, format="rgb24")
    try:
        take.send(frame, tick)
    finally:
        recording._wrapped = real


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


def test_a_recorded_frame_is_converted_from_the_array_itself_and_the_file_is_the_same_to_the_bit(tmp_path):
    """PyAV's from_ndarray copied each tick's frame holding the GIL before converting it: a contiguous array is
    wrapped now (no copy), a view that is not is still copied, and the file is the one the copies made."""
    import av

    from vcam.live.outputs import recording

    a, b = picture(64, 48, 1), picture(64, 48, 2)
    view = picture(128, 48, 3)[:, ::2]  # every other column: not contiguous
    assert np.shares_memory(np.asarray(recording._wrapped(av, a).planes[0]), a)
    assert not np.shares_memory(np.asarray(recording._wrapped(av, view).planes[0]), view)
    frames = [a, a, b, view, a.copy(), b]
    ours, copied = (Recording(str(tmp_path / name), 64, 48, 30.0) for name in ("ours.mp4", "copied.mp4"))
    for tick, frame in enumerate(frames):
        ours.send(frame, tick)
        send_copied(copied, frame, tick)
    ours.close(), copied.close()
    assert (tmp_path / "ours.mp4").read_bytes() == (tmp_path / "copied.mp4").read_bytes()


def test_the_longest_gap_a_recording_bridges_is_worked_out_once_per_take_not_per_frame(tmp_path, monkeypatch):
    """It is Fraction arithmetic on the muxer's time base, which is fixed once the header is written."""
    take = Recording(str(tmp_path / "take.mp4"), 64, 48, 30.0)
    worked = []
    longest = Recording._longest_gap
    monkeypatch.setattr(Recording, "_longest_gap", lambda self: worked.append(1) or longest(self))
    frames = ticks()
    for tick, frame in enumerate(frames):
        take.send(frame, tick)
    take.close()
    assert len(worked) == 1 and take.frames == len(frames)


@pytest.mark.parametrize("size", [(50, 36), (66, 38), (854, 480)])
def test_a_wrapped_frame_written_over_right_after_its_send_is_recorded_as_it_was_sent(tmp_path, size):
    """The recording wraps the caller's array rather than copying it: its rows (150, 198, 2562 bytes: not a multiple
    of 16 or 32) are read where they are, and an array the caller writes into again once `send` has returned (a
    pool of frames, a blend made in place) must not reach the file. The file is the one from_ndarray's copies made."""
    import av

    from vcam.live.outputs import recording

    w, h = size
    pictures = [picture(w, h, seed) for seed in range(4)]
    paths = {name: tmp_path / f"{name}.mp4" for name in ("wrapped", "copied")}
    for name, path in paths.items():
        take = Recording(str(path), w, h, 30.0)
        for tick, shown in enumerate(pictures):
            frame = shown.copy()
            if name == "copied":
                send_copied(take, frame, tick)
            else:
                take.send(frame, tick)
            frame[:] = 255 - frame  # written over at once
        take.close()
    assert np.shares_memory(np.asarray(recording._wrapped(av, pictures[0]).planes[0]), pictures[0])
    assert paths["wrapped"].read_bytes() == paths["copied"].read_bytes()
    got = recorded(paths["wrapped"])
    assert len(got) == len(pictures) and not np.array_equal(got[0], got[1])
