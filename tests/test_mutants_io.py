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
    w.offer(np.zeros((48, 64, 3), np.uint8), 0)
    assert wait_for(lambda: w.sent == 1)  # the file is made at the first frame
    path.unlink()
    for tick in range(1, 10):
        w.offer(np.full((48, 64, 3), tick * 5, np.uint8), tick)
    w.close()
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
