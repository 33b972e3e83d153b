"""Edges of the link of `vcam cam`, its upload, and `vcam serve`'s side of the connection that no test pinned: each
test fails where the code is changed in the way its docstring says."""

from fake_capture import WEBCAM, FakeDevice
from vcam.inspec import parse_input
from vcam.remote import protocol as proto
from vcam.remote import uploader as uploader_module
from vcam.remote.server import _what_cameras_do
from vcam.remote.uploader import CvCapture


def _camera(monkeypatch, device: FakeDevice) -> CvCapture:
    """--send camera:0, opened on `device`, settling in a mode for a few reads at most."""
    monkeypatch.setattr(uploader_module, "open_device", lambda target, flag: device.open(target))
    return CvCapture(parse_input("camera:0"), settle_s=0.05)


# --- the upload's camera ----------------------------------------------------------------------------------------


def test_a_camera_of_one_size_asked_for_another_mode_says_what_it_gives_once(monkeypatch):
    """A loopback device gives its one size at any mode asked: the second ask has nothing new to say. Where the line
    was not compared with the one said (or not kept), each server size said the same line again."""
    device = FakeDevice(size=(1920, 1080))
    cap = _camera(monkeypatch, device)
    try:
        assert cap.fit_mode(832, 480) == "camera:0 gives 1920×1080"
        assert cap.fit_mode(416, 240) is None
        assert len(device.opened) == 1 and not device.opened[0].released
    finally:
        cap.close()


def test_a_camera_that_gives_nothing_in_any_mode_is_let_go_as_the_mode_is_asked(monkeypatch):
    """A camera that stops giving frames as the server's mode is asked (and in its own mode again) is closed: the
    next read fails, and it is reopened as one unplugged. Where it was kept, the device stayed held by a capture
    that gives nothing."""
    device = FakeDevice(modes=WEBCAM)
    cap = _camera(monkeypatch, device)
    try:
        device.gives_frames = False
        assert cap.fit_mode(832, 480) is None
        assert device.open_captures() == 0
        assert cap.read() is None
    finally:
        cap.close()


# --- vcam serve ---------------------------------------------------------------------------------------------------


def test_a_state_one_byte_past_what_a_camera_takes_is_said_to_disconnect_the_cameras():
    """Past the bytes vcam cam's connection takes, every camera is disconnected by the state; at the limit, the
    cameras only drop it. Where the limit was moved, a state past it was said as one the cameras merely drop."""
    assert _what_cameras_do("x" * proto.MAX_RECEIVED) == "cameras drop it and miss the show's changes"
    assert _what_cameras_do("x" * (proto.MAX_RECEIVED + 1)).startswith("cameras cannot take it")


def test_a_camera_that_does_not_open_again_is_opened_once_and_not_asked_for_a_mode(monkeypatch):
    """Unplugged after the server's size was known: each reopen try opens the device once and asks it nothing.
    Where a capture that did not open was asked for the mode anyway, each try opened the device a second time; where
    it was not released, OpenCV's handle was left to the garbage collector."""
    device = FakeDevice(modes=WEBCAM)
    cap = _camera(monkeypatch, device)
    try:
        assert cap.fit_mode(832, 480)
        device.plugged = False
        before = len(device.opened)
        assert not cap.reopen()
        assert len(device.opened) == before + 1 and device.opened[-1].asked == []
        assert device.opened[-1].released
    finally:
        cap.close()


def test_a_camera_back_but_giving_nothing_in_any_mode_is_not_left_held(monkeypatch):
    """Reopened after the server's size was known, the camera opens but gives no frame in the mode asked nor in its
    own: the try fails and the device is let go, where it stayed held by a capture no one would read or release."""
    device = FakeDevice(modes=WEBCAM)
    cap = _camera(monkeypatch, device)
    try:
        assert cap.fit_mode(832, 480)
        device.gives_frames = False
        assert not cap.reopen()
        assert device.open_captures() == 0
    finally:
        cap.close()
