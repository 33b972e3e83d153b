"""The virtual camera output through an in-memory pyvirtualcam backend, and the no-device path."""
import subprocess
import sys

import numpy as np
import pytest

from vcam.live.outputs.camera import VirtualCamera, loopback_devices, no_device_help
from vcam.errors import VcamError


def gradient(w, h):
    f = np.zeros((h, w, 3), np.uint8)
    f[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None]
    f[..., 1] = np.linspace(0, 255, h, dtype=np.uint8)[:, None]
    f[..., 2] = 90
    return f


def test_rgb_frames_reach_the_camera(camera):
    cam = VirtualCamera(64, 48, 30, backend="memory")
    frame = gradient(64, 48)
    cam.send(frame, 0)
    cam.close()
    dev = camera.opened[-1]
    assert dev.fourcc == "raw " and (dev.width, dev.height) == (64, 48)
    assert np.array_equal(dev.frames[0].reshape(48, 64, 3), frame)
    assert dev.closed


@pytest.mark.parametrize("native,size", [("I420", 64 * 48 * 3 // 2), ("NV12", 64 * 48 * 3 // 2),
                                         ("YUY2", 64 * 48 * 2), ("UYVY", 64 * 48 * 2), ("24BG", 64 * 48 * 3)])
def test_the_backends_native_format_is_used(camera, native, size):
    camera.native = native
    cam = VirtualCamera(64, 48, 30, backend="memory")
    frame = gradient(64, 48)
    cam.send(frame, 0)
    dev = camera.opened[-1]
    assert dev.fourcc == native and dev.frames[0].size == size
    assert cam.pixel_format != "RGB"
    if native == "I420":  # luma of the converted frame matches the picture's
        import cv2

        y = dev.frames[0][: 64 * 48].reshape(48, 64).astype(int)
        expected = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY).astype(int)
        assert np.abs(y - expected).max() <= 20
    if native == "24BG":
        assert np.array_equal(dev.frames[0].reshape(48, 64, 3), frame[..., ::-1])


@pytest.mark.parametrize("native", [None, "I420", "NV12", "YUY2", "UYVY"])
def test_an_odd_size_is_refused_before_the_camera_opens(camera, native):
    camera.native = native
    with pytest.raises(VcamError) as err:
        VirtualCamera(161, 97, 30, backend="memory")
    assert "161x97" in str(err.value) and "vcam@160x96" in err.value.fix
    assert camera.opened == []  # refused up front, not on the first frame


def test_missing_device_says_how_to_make_one(camera):
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device="/dev/video77")
    assert "no virtual camera /dev/video77" in str(err.value)
    assert "modprobe v4l2loopback" in err.value.fix


def test_help_for_windows_and_macos():
    assert "OBS" in no_device_help("Windows") and "Virtual Camera" in no_device_help("Darwin")


@pytest.mark.skipif(loopback_devices() != [], reason="this machine has a v4l2loopback device")
def test_vcam_run_without_a_device_exits_before_loading_the_model(capsys):
    from vcam.cli import main

    assert main(["run", "--model", "tiny", "--out", "vcam"]) == 2
    err = capsys.readouterr().err
    assert "no virtual camera" in err and "modprobe v4l2loopback" in err
    assert "building tiny" not in err  # the model was never loaded


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_programs_holding_a_device_open_are_found(tmp_path):
    from vcam.live.outputs.camera import holders

    device = tmp_path / "video10"
    device.write_bytes(b"")
    assert holders(str(device)) == []
    child = subprocess.Popen([sys.executable, "-c", "import sys, time; f = open(sys.argv[1], 'rb'); time.sleep(30)",
                              str(device)])
    try:
        for _ in range(100):  # until the child has opened it
            found = holders(str(device))
            if found:
                break
            __import__("time").sleep(0.05)
        assert len(found) == 1 and found[0].endswith(f" (pid {child.pid})"), found
    finally:
        child.kill()
        child.wait()
    assert holders(str(device)) == []


@pytest.mark.skipif(sys.platform != "linux", reason="v4l2loopback is Linux's")
def test_only_free_loopback_devices_are_reset_when_none_is_named(camera, monkeypatch):
    """A device another program has open (OBS writing its own virtual camera) is left alone when vcam picks one;
    a named device is reset even while a program reads it, so a restarted show gets it back."""
    import vcam.live.outputs.camera

    released = []
    monkeypatch.setattr(vcam.live.outputs.camera, "loopback_devices", lambda: ["/dev/video0", "/dev/video10"])
    monkeypatch.setattr(vcam.live.outputs.camera, "holders", lambda device: ["obs (pid 4242)"] if device == "/dev/video0" else [])
    monkeypatch.setattr(vcam.live.outputs.camera, "release_exclusive_caps", released.append)
    VirtualCamera(64, 48, 30, backend="memory").close()
    assert released == ["/dev/video10"]
    def no_free_device(self, **kw):
        raise RuntimeError("no v4l2loopback device found")

    monkeypatch.setattr(camera, "__init__", no_free_device)  # the fix names the device left alone
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, backend="memory")
    assert "--out vcam:/dev/video0" in err.value.fix
    released.clear()
    with pytest.raises(VcamError):  # the memory backend has no such device; the reset came first
        VirtualCamera(64, 48, 30, device="/dev/video0", backend="memory")
    assert released == ["/dev/video0"]
