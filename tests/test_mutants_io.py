"""Edges of vcam's inputs and outputs (recording, camera, clips, the input switch) that mutation testing found no
test for: each test fails where the code is changed in the way its docstring says."""
import os

import numpy as np
import pytest

from helpers import wait_for
from vcam.live.outputs import OutputWorker


@pytest.mark.skipif(os.name != "posix", reason="a file deleted while open stays readable on POSIX systems")
def test_a_deleted_take_that_cannot_be_written_back_is_said_lost_with_no_frames(tmp_path, monkeypatch):
    """Deleted on air and refused its writing back (no room anywhere), the take is gone: the end says so and counts
    no frame, where `frames = 0` changed to 1 (or dropped) claimed frames recorded into a file that is not there."""
    from vcam.live.outputs import recording

    def refuse(fd, path):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(recording, "write_back", refuse)
    path = tmp_path / "take.mp4"
    w = OutputWorker(recording.Recording(str(path), 64, 48, 30.0), 64, 48, queue=64, every_frame=True,
                     say=lambda text: None)
    try:
        w.offer(np.zeros((48, 64, 3), np.uint8), 0)
        assert wait_for(lambda: w.sent == 1)  # the file is made at the first frame
        path.unlink()
        for tick in range(1, 10):
            w.offer(np.full((48, 64, 3), tick * 5, np.uint8), tick)
    finally:
        w.close(60)  # past close's default 5 s a loaded machine drops frames, and the line below says so
    assert not path.exists()
    assert w.summary() == (f"nothing recorded to {path}; its file was deleted while recording and could not be "
                           "written back ([Errno 28] No space left on device): the take is lost")



def test_after_a_command_checks_the_camera_on_air_the_stream_can_still_switch_it_off():
    """A command checking the camera on air (`input camera:0` typed again) takes the switch's camera lock; where
    the check kept it (`self._camera.release()` dropped), every later switch of the stream's thread was refused as
    busy: the camera could no longer be taken off air or changed."""
    from fake_capture import FakeDevice
    from vcam.live.inputs import InputSwitch

    device = FakeDevice()
    switch = InputSwitch(64, 48, open_capture=device.open)
    try:
        switch.open("camera:0")
        assert switch.check("camera:0").kind == "camera"
        assert switch.open_now("none") is None
        assert device.open_captures() == 0  # taken off air: the device is free for another program
    finally:
        switch.close()


@pytest.mark.parametrize("native,decode,shape", [
    ("I420", "COLOR_YUV2RGB_I420", (72, 64)), ("NV12", "COLOR_YUV2RGB_NV12", (72, 64)),
    ("YUYV", "COLOR_YUV2RGB_YUYV", (48, 64, 2)), ("UYVY", "COLOR_YUV2RGB_UYVY", (48, 64, 2)),
    ("BGR", "COLOR_BGR2RGB", (48, 64, 3))])
def test_a_camera_that_takes_yuv_shows_the_colours_sent(native, decode, shape):
    """What a backend's native format holds, read back as a reader of that format reads it (OpenCV's decoder), is
    the picture sent: a swapped byte in UYVY's packing (Y where V goes) gave a viewer of the camera green and
    purple stripes, and a test that counted only the bytes sent passed."""
    import cv2
    from pyvirtualcam import PixelFormat

    from vcam.live.outputs.camera import _converter

    frame = np.zeros((48, 64, 3), np.uint8)
    for i, colour in enumerate([(220, 30, 30), (30, 200, 40), (40, 50, 210), (240, 220, 60)]):
        frame[:, i * 16:(i + 1) * 16] = colour  # blocks of a colour, even-aligned: no chroma is shared between two
    sent = _converter(getattr(PixelFormat, native))(frame)
    seen = cv2.cvtColor(np.ascontiguousarray(sent).reshape(shape), getattr(cv2, decode))
    assert np.abs(seen.astype(int) - frame).max() <= 6


@pytest.mark.parametrize("shape,dtype", [((48, 64, 2), np.uint8), ((48, 64, 3), np.float32), ((48, 64, 3), np.int8)])
def test_a_camera_frame_that_is_no_picture_opencv_converts_is_taken_as_none(shape, dtype):
    """A driver that hands OpenCV raw two-channel YUYV (CAP_PROP_CONVERT_RGB off) or float frames gives no RGB
    picture: it is None, a frame the device failed to give, where with the dtype and channel check gone a
    two-channel frame raised a KeyError (said as a bug in vcam, the camera input stopped) and a float one went on
    into the show as a float picture."""
    from vcam.live.inputs.camera import device_rgb

    assert device_rgb(np.zeros(shape, dtype)) is None
    assert device_rgb(np.zeros((48, 64, 3), np.uint8)).shape == (48, 64, 3)  # a BGR frame is a picture


def test_a_tick_offered_twice_is_recorded_once_and_the_take_plays_whole(tmp_path):
    """The same tick sent again (a frame offered twice at one camera tick) is dropped: where `pts <= last` became
    `<`, it was encoded at the same time stamp as the frame before, and the take broke there."""
    import av

    from vcam.live.outputs.recording import Recording

    path = tmp_path / "take.mp4"
    rec = Recording(str(path), 64, 48, 30.0)
    for tick, value in [(0, 0), (1, 60), (1, 120), (2, 180)]:
        rec.send(np.full((48, 64, 3), value, np.uint8), tick)
    rec.close()
    with av.open(str(path)) as container:
        shown = [int(f.to_ndarray(format="rgb24")[0, 0, 0]) for f in container.decode(video=0)]
    assert rec.frames == 3 and len(shown) == 3
    assert abs(shown[1] - 60) <= 8  # the tick's first frame is the one kept


def test_frames_lost_as_the_take_closed_are_counted_as_those_encoded_less_those_the_file_holds(tmp_path, monkeypatch):
    """The end says how many frames the last fragment lost (a disk that filled as the file closed): 10 encoded, 7
    in the file, 3 lost, where `encoded - held` turned to `+` said 17."""
    from vcam.errors import VcamError
    from vcam.live.outputs import recording

    path = tmp_path / "take.mp4"
    rec = recording.Recording(str(path), 64, 48, 30.0)
    for tick in range(10):
        rec.send(np.full((48, 64, 3), tick * 20, np.uint8), tick)
    monkeypatch.setattr(recording, "frames_held", lambda path: 7)
    with pytest.raises(VcamError) as raised:
        rec.close()
    assert raised.value.message.startswith(f"its last 3 frames could not be written to {path} as it was closed")
    assert "the 7 frames before play" in raised.value.message and rec.frames == 7


def test_a_clip_reload_cancelled_mid_decoding_stops_after_the_frame_in_hand_and_closes_its_clip():
    """Switched away from (or the show ending) while the re-exported clip decodes toward the show's frame, the
    reload stops after the frame it decodes and closes the file; where the first stop check returned no more, it
    decoded on to the show's frame (seconds of a long 1080p clip) or, short of it, never ended."""
    import threading

    from vcam.live.inputs.clip_reload import Reload

    class Far:
        """A clip whose show frame is never reached, one step at a time."""

        def __init__(self):
            self.stepping, self.closed = threading.Event(), threading.Event()

        def step_toward(self, position):
            self.stepping.set()
            return False

        def close(self):
            self.closed.set()

    clip = Far()
    reload = Reload(lambda: clip, 1000)
    try:
        assert clip.stepping.wait(30)
    finally:  # cancelled whatever happens: a clip never reached steps on in a busy loop, a core spent till the end
        reload.cancel()
    assert clip.closed.wait(30)
    assert wait_for(lambda: not reload._thread.is_alive())


def test_a_clip_exported_again_lets_go_of_the_old_files_decoder_once_the_new_one_plays(tmp_path):
    """Taking up the clip opened again closes the one it played: where `_adopt`'s `self.close()` was dropped, each
    export of the clip on air left the old file's decoder open (its memory and the file held to the show's end)."""
    from helpers import pyav_clip
    from vcam.live.inputs import ClipSource

    path = pyav_clip(tmp_path / "loop.mp4", 10, count=30)
    clip = ClipSource(path, 32, 24, "stretch", fps=10)
    try:
        clip.frames(0, 5)
        old = clip._cap
        assert old is not None and old.isOpened()  # the clip is read on from it
        os.replace(pyav_clip(tmp_path / "new.mp4", 10, count=9), path)
        clip.frames(5, 4)  # the block it is seen changed in
        clip.frames(9, 9)  # held still: opened beside the show
        assert clip.reload.ready.wait(30)
        clip.frames(18, 9)  # taken up
        assert clip.length == 9 and clip._cap is not old and not old.isOpened()
    finally:
        clip.close()


def test_no_free_camera_keeps_pyvirtualcams_own_reason_in_the_line():
    """No device named and none opened: the line lists what each device said and keeps pyvirtualcam's own reason
    (here a device that vanished between the scan and the open), where with `found.append(detail)` dropped the one
    clue to a cause vcam does not know was gone."""
    from vcam.live.outputs import v4l2loopback
    from vcam.live.outputs.v4l2loopback import Checked, Format, Output

    checked = Checked(states={"/dev/video10": Output.TAKES})
    said = "'v4l2loopback' backend: could not open /dev/video10: No such device"
    error = v4l2loopback.open_error(RuntimeError(said), None, checked, Format(64, 48, "YU12"))
    assert error.message == f"no v4l2loopback device takes vcam's frames (/dev/video10 takes output; {said})"
    assert error.fix == "name one: --out vcam:/dev/video10"


def test_a_clip_on_air_when_the_model_loads_smaller_gives_frames_at_the_new_size(tmp_path):
    """The model loaded at a smaller size to fit the card: the clip on air is opened again at the stream's new size,
    where with the switch's size not updated it gave frames at the old one, which the stream could not take."""
    from helpers import pyav_clip
    from vcam.live.inputs import InputSwitch

    switch = InputSwitch(64, 48)
    try:
        switch.open(f"file:{pyav_clip(tmp_path / 'loop.mp4', 10, count=5)}")
        assert switch.resize(32, 24).frames(0, 2).shape == (2, 24, 32, 3)
        assert switch.resize(32, 24) is switch.source  # the same size again: nothing is opened anew
    finally:
        switch.close()


@pytest.mark.parametrize("system", ["Windows", "Darwin"])
def test_off_linux_the_camera_is_opened_with_no_v4l2loopback_reset_tried(system, monkeypatch):
    """On Windows and macOS (OBS's camera) nothing of v4l2loopback is looked at: where the Linux check was dropped,
    the reset's `import fcntl` failed on Windows and no camera opened."""
    from vcam.live.outputs import v4l2loopback

    def no_fcntl():
        raise ModuleNotFoundError("No module named 'fcntl'")

    monkeypatch.setattr(v4l2loopback.platform, "system", lambda: system)
    monkeypatch.setattr(v4l2loopback, "system_calls", no_fcntl)
    checked = v4l2loopback.prepare(None)
    assert checked.calls is None and checked.states == {} and v4l2loopback.past_written(checked) is None
