"""The virtual camera output through an in-memory pyvirtualcam backend, and the no-device path."""
import glob
import os
import re
import subprocess
import sys

import numpy as np
import pytest

from helpers import Capture, wait_for
from vcam.live.devicehandles import Holder
from vcam.live.outputs.camera import VirtualCamera
from vcam.live.outputs.v4l2loopback import loopback_devices, no_device_help
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


def test_linux_help_names_serve_and_cam_for_a_container_with_no_camera_device():
    """Many run vcam on a rented GPU whose container can have no camera device: the way to OBS on their own machine
    is vcam serve there and vcam cam at home."""
    assert "vcam serve" in no_device_help("Linux") and "vcam cam" in no_device_help("Linux")


def test_help_for_windows_and_macos():
    assert "OBS" in no_device_help("Windows") and "Virtual Camera" in no_device_help("Darwin")


# pyvirtualcam 0.14's own words, by backend, where OBS's camera does not open (native_windows_obs,
# native_macos_obs_cmioextension, native_windows_unity_capture)
OBS_MISSING = "OBS Virtual Camera device not found! Did you install OBS?"
OBS_BUSY = "virtual camera output could not be started"
OBS_ONE_NAME = "This backend supports only the 'OBS Virtual Camera' device."
MAC_MISSING = ("OBS Virtual Camera is not installed in your system. Use the Virtual Camera function in OBS 30.0 or "
               "later to trigger the installation and activate the System Extension in System Settings. You may "
               "need to restart your machine after that. [Device not found]")
UNITY_NONE = "No camera registered. Did you install any camera?"
UNITY_NO_NAME = "No camera registered with this name."


def refusing(message):
    class Backend:
        def __init__(self, **kw):
            raise RuntimeError(message)

    return Backend


def laptop(monkeypatch, system, obs, unity=None):
    """pyvirtualcam as on a Windows or macOS laptop: its OBS backend (and on Windows Unity Capture's after it),
    each refusing as given."""
    import platform

    import pyvirtualcam.camera

    backends = {"obs": refusing(obs)} | ({"unitycapture": refusing(unity)} if unity else {})
    monkeypatch.setattr(pyvirtualcam.camera, "BACKENDS", backends)
    monkeypatch.setattr(platform, "system", lambda: system)


def test_obs_not_installed_on_windows_is_said_in_obs_words_not_unity_captures(monkeypatch):
    laptop(monkeypatch, "Windows", OBS_MISSING, UNITY_NONE)
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30)
    assert "Did you install OBS?" in err.value.message and "unitycapture" not in err.value.message
    assert "install OBS Studio" in err.value.fix


def test_obs_own_virtual_camera_running_on_windows_says_to_stop_it(monkeypatch):
    """The camera's shared memory is there already (OBS's own Virtual Camera, or another vcam): it was said as no
    camera at all, with how to install OBS, which the user has."""
    laptop(monkeypatch, "Windows", OBS_BUSY, UNITY_NONE)
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30)
    assert "busy" in err.value.message
    assert "Stop Virtual Camera" in err.value.fix and "install" not in err.value.fix


@pytest.mark.parametrize("system", ["Windows", "Darwin"])
def test_a_linux_device_named_on_windows_or_macos_says_to_use_plain_vcam(monkeypatch, system):
    """A show file written on the GPU machine (out: [vcam:/dev/video10]) played by vcam cam on a laptop."""
    laptop(monkeypatch, system, OBS_ONE_NAME, UNITY_NO_NAME if system == "Windows" else None)
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device="/dev/video10")
    assert "vcam:/dev/video10" in err.value.message
    assert "--out vcam " in err.value.fix and "install" not in err.value.fix


def test_obs_camera_missing_on_macos_names_obs_30_and_the_system_extension(monkeypatch):
    laptop(monkeypatch, "Darwin", MAC_MISSING)
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30)
    assert "not installed" in err.value.message
    assert "OBS Studio (30 or newer)" in err.value.fix and "System Settings" in err.value.fix


def test_a_second_vcam_output_on_macos_is_said_as_one_camera_not_an_old_obs(monkeypatch):
    """pyvirtualcam's "Multiple cameras are not supported by this backend." (OBS's one camera is this show's
    already) was said as an OBS too old for vcam, with how to install OBS 30."""
    laptop(monkeypatch, "Darwin", "Multiple cameras are not supported by this backend.")
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30)
    assert "too old" not in err.value.message and "already vcam's camera output" in err.value.message
    assert "keep one vcam output" in err.value.fix and "install" not in err.value.fix


def test_obs_27s_camera_on_an_older_macos_is_said_as_too_old(monkeypatch):
    laptop(monkeypatch, "Darwin", "Your OBS Virtual Camera version is not supported. Upgrade to OBS 28 or higher. "
                                  "After upgrading, use the Virtual Camera function once in OBS to trigger "
                                  "installation of the virtual camera.")
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30)
    assert "too old" in err.value.message and "install OBS Studio" in err.value.fix


@pytest.mark.skipif(loopback_devices() != [], reason="this machine has a v4l2loopback device")
def test_vcam_run_without_a_device_exits_before_loading_the_model(capsys):
    from vcam.cli import main

    assert main(["run", "--model", "tiny", "--out", "vcam"]) == 2
    err = capsys.readouterr().err
    assert "no virtual camera" in err and "modprobe v4l2loopback" in err
    assert "building tiny" not in err  # the model was never loaded


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_programs_holding_a_device_open_are_found(tmp_path):
    from vcam.live.outputs.v4l2loopback import holders

    device = tmp_path / "video10"
    device.write_bytes(b"")
    assert holders(str(device)) == []
    child = subprocess.Popen([sys.executable, "-c", "import sys, time; f = open(sys.argv[1], 'rb'); time.sleep(600)",
                              str(device)])
    try:
        found = []

        def opened():  # the child has started and opened it, however busy the machine
            found[:] = holders(str(device))
            return bool(found)

        wait_for(opened, 120)
        assert len(found) == 1 and found[0].endswith(f" (pid {child.pid})"), found
    finally:
        child.kill()
        child.wait()
    assert holders(str(device)) == []


@pytest.mark.skipif(sys.platform != "linux", reason="v4l2loopback is Linux's")
def test_only_free_loopback_devices_are_reset_when_none_is_named(camera, monkeypatch):
    """A device another program has open (OBS writing its own virtual camera) is left alone when vcam picks one;
    a named device is reset even while a program reads it, so a restarted show gets it back."""
    import vcam.live.outputs.v4l2loopback as v4l2loopback

    released = []
    monkeypatch.setattr(v4l2loopback, "loopback_devices", lambda: ["/dev/video0", "/dev/video10"])
    obs = Holder("obs", 4242, writes=False)
    monkeypatch.setattr(v4l2loopback, "device_holders",
                        lambda device, proc="/proc": [obs] if device == "/dev/video0" else [])
    takes = v4l2loopback.Output.TAKES
    monkeypatch.setattr(v4l2loopback, "release_exclusive_caps",
                        lambda device, calls=None: released.append(device) or takes)
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


# v4l2loopback itself, modelled (tests/loopback_model.py): the reset, pyvirtualcam's backend, the device list and the
# programs holding a device all talk to one machine.
linux_only = pytest.mark.skipif(sys.platform != "linux", reason="v4l2loopback is Linux's")
VERSIONS = ["0.12.7", "0.13.2"]


def model(version):
    from loopback_model import Loopback013, Loopback0127

    return {"0.12.7": Loopback0127, "0.13.2": Loopback013}[version]()


@pytest.fixture
def loopback(monkeypatch, tmp_path):
    """Makes a machine with the given device nodes and wires it into the device module, v4l2loopback.py (system
    calls, module version, a /proc and a /sys of its own), and pyvirtualcam (backend "v4l2loopback-model")."""
    import loopback_model
    import vcam.live.outputs.v4l2loopback as v4l2loopback
    from vcam.live import devicehandles

    def make(devices):
        machine = loopback_model.Machine(devices, proc=str(tmp_path / "proc"), sysfs=str(tmp_path / "sys"))
        monkeypatch.setattr(v4l2loopback, "system_calls", lambda: machine.calls)
        monkeypatch.setattr(devicehandles, "PROC", machine.calls.proc)  # where a camera input looks for its output
        monkeypatch.setattr(v4l2loopback, "loopback_devices",
                            lambda: sorted(p for p, d in devices.items() if d.driver == b"v4l2 loopback"))
        loopback_model.install(machine)
        return machine

    yield make
    loopback_model.uninstall()


def one_run(device=None):
    """What one vcam run does to the camera: open, a frame, close."""
    cam = VirtualCamera(64, 48, 30, device=device, backend="v4l2loopback-model")
    cam.send(gradient(64, 48), 0)
    cam.close()
    return cam


def write_only_program(machine, path):
    """A program that writes the way pyvirtualcam does (S_FMT, write(), close; never STREAMON)."""
    from loopback_model import VIDIOC_S_FMT, format_buffer

    fd = machine.open(path, os.O_WRONLY, "writer (pid 77)")
    machine.ioctl(fd, VIDIOC_S_FMT, format_buffer(64, 48, b"YU12"))
    machine.write(fd, bytes(64 * 48 * 3 // 2))
    machine.close(fd)


def test_the_ioctl_numbers_are_linuxs():
    """Against linux/videodev2.h: _IOR('V', 0, struct v4l2_capability), _IOW('V', 18, int), _IOWR('V', 4, struct
    v4l2_format), with the 104- and (64-bit) 208-byte structs."""
    import struct

    from vcam.live.outputs import v4l2loopback as c

    assert (c.VIDIOC_QUERYCAP, c.VIDIOC_STREAMON, c.V4L2_CAPABILITY.size) == (0x80685600, 0x40045612, 104)
    assert c.VIDIOC_G_FMT == (0xC0D05604 if struct.calcsize("P") == 8 else 0xC0CC5604)


def test_the_0127_model_keeps_the_drivers_rule():
    """What a real 0.12.7 device did: after a program that only writes, output stays refused; G_FMT and STREAMOFF do
    not give it back; a handle that called STREAMON on the output does when it closes, though STREAMON failed."""
    import errno
    import struct

    from loopback_model import (OUTPUT, VIDIOC_G_FMT, VIDIOC_STREAMOFF, VIDIOC_STREAMON, Loopback0127, Machine,
                                format_buffer)

    machine = Machine({"/dev/video10": Loopback0127()})
    assert machine.advertises_output("/dev/video10")
    write_only_program(machine, "/dev/video10")
    assert not machine.advertises_output("/dev/video10")
    fd = machine.open("/dev/video10")
    machine.ioctl(fd, VIDIOC_G_FMT, format_buffer(0, 0, b"YU12"))
    machine.ioctl(fd, VIDIOC_STREAMOFF, bytearray(struct.pack("i", OUTPUT)))
    machine.close(fd)
    assert not machine.advertises_output("/dev/video10")  # the reset vcam used to make
    fd = machine.open("/dev/video10")
    with pytest.raises(OSError) as err:
        machine.ioctl(fd, VIDIOC_STREAMON, bytearray(struct.pack("i", OUTPUT)))
    assert err.value.errno == errno.EINVAL
    assert not machine.advertises_output("/dev/video10")
    machine.close(fd)
    assert machine.advertises_output("/dev/video10")


def test_the_models_refuse_format_calls_while_the_device_names_no_video_caps():
    """The V4L2 core's check_fmt reads the caps v4l2loopback stored at the latest QUERYCAP: on a stuck 0.12.7 device
    G_FMT fails with EINVAL, and STREAMON, which the core does not check, still marks its handle."""
    import errno
    import struct

    from loopback_model import OUTPUT, VIDIOC_G_FMT, VIDIOC_QUERYCAP, VIDIOC_STREAMON, Loopback0127, Machine, \
        format_buffer
    from vcam.live.outputs.v4l2loopback import device_format

    machine = Machine({"/dev/video10": Loopback0127()})
    write_only_program(machine, "/dev/video10")
    fd = machine.open("/dev/video10")
    machine.ioctl(fd, VIDIOC_QUERYCAP, bytearray(104))
    with pytest.raises(OSError) as err:
        machine.ioctl(fd, VIDIOC_G_FMT, format_buffer(0, 0, b"YU12"))
    assert err.value.errno == errno.EINVAL
    assert device_format("/dev/video10", machine.calls) is None
    with pytest.raises(OSError):
        machine.ioctl(fd, VIDIOC_STREAMON, bytearray(struct.pack("i", OUTPUT)))
    machine.close(fd)
    assert machine.advertises_output("/dev/video10")


def test_the_013_model_gives_output_back_after_a_program_that_only_writes():
    from loopback_model import Loopback013, Machine

    machine = Machine({"/dev/video10": Loopback013()})
    write_only_program(machine, "/dev/video10")
    assert machine.advertises_output("/dev/video10")


@linux_only
def test_the_reset_is_tried_only_while_the_device_refuses_and_says_what_it_found():
    from loopback_model import Loopback013, Loopback0127, Machine, NeverGivesBack, Webcam
    from vcam.live.outputs.v4l2loopback import Output, release_exclusive_caps

    machine = Machine({"/dev/video10": Loopback0127(), "/dev/video11": Loopback013(), "/dev/video12": NeverGivesBack(),
                       "/dev/video0": Webcam()})
    for path in ("/dev/video10", "/dev/video11", "/dev/video12"):
        write_only_program(machine, path)
    assert release_exclusive_caps("/dev/video10", machine.calls) is Output.TAKES
    assert machine.sent("vcam", "/dev/video10") == ["QUERYCAP", "STREAMON", "QUERYCAP"]
    assert release_exclusive_caps("/dev/video11", machine.calls) is Output.TAKES
    assert machine.sent("vcam", "/dev/video11") == ["QUERYCAP"]  # free already: not touched
    assert release_exclusive_caps("/dev/video12", machine.calls) is Output.REFUSES
    assert machine.sent("vcam", "/dev/video12") == ["QUERYCAP", "STREAMON", "QUERYCAP", "G_FMT", "QUERYCAP"]
    assert release_exclusive_caps("/dev/video0", machine.calls) is Output.NOT_LOOPBACK
    assert machine.sent("vcam", "/dev/video0") == ["QUERYCAP"]  # a real camera is only asked
    assert release_exclusive_caps("/dev/video99", machine.calls) is Output.UNKNOWN
    assert machine.handles == {}  # every handle the reset opened is closed


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("named", [True, False], ids=["named", "any"])
def test_the_camera_opens_again_after_a_run_ended(loopback, version, named):
    """v4l2loopback 0.12.7 with exclusive_caps=1 refused every run after the first until the module was reloaded."""
    machine = loopback({"/dev/video10": model(version)})
    for _ in range(3):
        cam = one_run("/dev/video10" if named else None)
        assert cam.name == "vcam:/dev/video10" and cam.pixel_format == "I420"
    assert len(machine.devices["/dev/video10"].frames) == 3
    if version == "0.13.2":  # gives output back by itself: asked, never reset
        assert "STREAMON" not in machine.sent("vcam", "/dev/video10")


# Readers as they open a device: OBS's video source read-write and non-blocking, ffmpeg read-write and blocking.
READERS = {"obs-source": ("obs (pid 4242)", os.O_RDWR | os.O_NONBLOCK), "ffmpeg": ("ffmpeg (pid 555)", os.O_RDWR)}


@linux_only
@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("version", VERSIONS)
def test_a_reader_that_stays_open_across_a_restart_gets_the_next_run(loopback, version, reader):
    machine = loopback({"/dev/video10": model(version)})
    cam = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    cam.send(gradient(64, 48), 0)
    obs = machine.reader("/dev/video10", *READERS[reader])  # starts reading, and keeps it open through the restart
    cam.close()
    one_run("/dev/video10")
    assert len(machine.devices["/dev/video10"].frames) == 2
    assert obs in machine.handles  # the reader was not disturbed


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_device_held_open_is_left_alone_when_none_is_named_and_the_message_says_so(loopback, version):
    machine = loopback({"/dev/video10": model(version)})
    cam = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    cam.send(gradient(64, 48), 0)
    machine.reader("/dev/video10")
    cam.close()
    if version == "0.13.2":  # gives output back by itself: found, even while held
        assert one_run().name == "vcam:/dev/video10"
        return
    with pytest.raises(VcamError) as err:
        one_run()
    assert "/dev/video10 is open in obs (pid 4242), left alone" in err.value.message
    assert "--out vcam:/dev/video10" in err.value.fix
    assert "Did you run" not in err.value.message and "apt install" not in err.value.fix  # it is installed
    assert "STREAMON" not in machine.sent("vcam", "/dev/video10")
    assert one_run("/dev/video10").name == "vcam:/dev/video10"  # the fix works


@linux_only
def test_a_device_a_reader_holds_to_another_size_is_offered_with_that_size_when_none_is_named(loopback):
    """The fix named the device alone: the run that named it, at the show's own size, was refused next for the size
    the reader holds, one more start away from air."""
    machine = loopback({"/dev/video10": model("0.12.7")})
    machine.reader("/dev/video10")
    one_run("/dev/video10")  # 64x48, held while the reader reads on
    with pytest.raises(VcamError) as err:
        VirtualCamera(32, 24, 30, backend="v4l2loopback-model")
    assert "/dev/video10 is open in obs (pid 4242), left alone; it holds 64x48 YU12" in err.value.message
    assert "--out vcam:/dev/video10@64x48" in err.value.fix, err.value.fix
    assert one_run("/dev/video10").name == "vcam:/dev/video10"  # the fix works: 64x48 is what the reader holds


@linux_only
def test_a_device_a_reader_holds_to_another_pixel_format_is_not_offered_when_none_is_named(loopback):
    """Named alone, or at any size, a device its reader holds to YUYV takes none of vcam's frames: the fix is to close
    the reader, not to name the device."""
    machine = loopback({"/dev/video10": model("0.12.7")})
    ffmpeg = write_another_pixel_format(machine, "/dev/video10")
    machine.reader("/dev/video10")  # opened while YUYV was written: held to it once ffmpeg ends
    machine.close(ffmpeg)
    with pytest.raises(VcamError) as err:
        VirtualCamera(32, 24, 30, backend="v4l2loopback-model")
    assert "it holds 64x48 YUYV" in err.value.message, err.value.message
    assert "--out vcam:/dev/video10" not in err.value.fix and "close obs (pid 4242), then start vcam" in err.value.fix


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_obs_writing_its_own_camera_keeps_it_when_none_is_named(loopback, version):
    machine = loopback({"/dev/video0": model(version), "/dev/video10": model(version)})
    machine.streaming_writer("/dev/video0")  # OBS's own virtual camera took the first free device
    write_only_program(machine, "/dev/video10")  # an earlier run
    assert one_run().name == "vcam:/dev/video10"
    assert set(machine.sent("vcam", "/dev/video0")) == {"QUERYCAP"}  # pyvirtualcam's looks while scanning, no more
    assert not machine.advertises_output("/dev/video0")  # still OBS's alone
    assert machine.devices["/dev/video0"].ready_for_capture == 1  # its readers still see a writer


@linux_only
def test_a_real_webcam_named_is_called_one(loopback):
    from loopback_model import Loopback0127, Webcam

    machine = loopback({"/dev/video0": Webcam(), "/dev/video10": Loopback0127()})
    with pytest.raises(VcamError) as err:
        one_run("/dev/video0")
    assert "/dev/video0 is not a v4l2loopback device" in err.value.message
    assert "real camera" in err.value.fix and "--out vcam:/dev/video10" in err.value.fix
    assert machine.sent("vcam", "/dev/video0") == ["QUERYCAP", "QUERYCAP"]  # asked by the reset, then by pyvirtualcam


@linux_only
@pytest.mark.parametrize("held", [True, False], ids=["held", "not-held"])
def test_a_named_device_that_still_refuses_says_what_was_tried(loopback, held):
    from loopback_model import NeverGivesBack
    from vcam.live.outputs.v4l2loopback import RELOAD

    machine = loopback({"/dev/video10": NeverGivesBack()})
    write_only_program(machine, "/dev/video10")
    if held:
        machine.reader("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "/dev/video10 still refuses vcam's frames after a reset" in err.value.message
    assert RELOAD in err.value.fix and "modprobe -r v4l2loopback" in RELOAD
    assert ("obs (pid 4242) has it open" in err.value.fix) == held
    assert ("no program of yours has it open" in err.value.fix) == (not held)


@linux_only
def test_no_device_named_and_none_takes_output_names_them_and_does_not_say_install(loopback):
    from loopback_model import NeverGivesBack
    from vcam.live.outputs.v4l2loopback import RELOAD

    machine = loopback({"/dev/video10": NeverGivesBack()})
    write_only_program(machine, "/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run()
    assert err.value.message == "no v4l2loopback device takes vcam's frames (/dev/video10 refuses output after a reset)"
    # no device named, so none is vcam's own: the one there keeps the label the module gave it
    kept = RELOAD.replace('"vcam"', '"Dummy video device (0x0000)"')
    assert kept in err.value.fix and "apt install" not in err.value.fix


@linux_only
@pytest.mark.skipif(loopback_devices() != [] or glob.glob("/dev/video*") != [], reason="this machine has cameras")
def test_vcam_run_with_a_stuck_device_does_not_say_install(loopback, capsys):
    """The command line's own words, with the device stuck (pyvirtualcam's real backend finds nothing here)."""
    from loopback_model import NeverGivesBack
    from vcam.cli import main

    machine = loopback({"/dev/video10": NeverGivesBack()})
    write_only_program(machine, "/dev/video10")
    assert main(["run", "--model", "tiny", "--out", "vcam"]) == 2
    err = capsys.readouterr().err
    assert "no v4l2loopback device takes vcam's frames" in err and "/dev/video10" in err
    assert "apt install" not in err and "Did you run" not in err


def test_the_module_version_says_whether_a_refusal_means_a_live_writer(tmp_path):
    """v4l2loopback exports its version only since 0.13 (MODULE_VERSION), and from 0.13 on a writer's close gives
    output back by itself: none is 0.12 (what Debian 12 and Ubuntu 24.04 ship), one that does not parse is newer."""
    from vcam.live.outputs.v4l2loopback import gives_output_back, module_version

    assert module_version(str(tmp_path)) is None
    (tmp_path / "version").write_text("0.13.2\n")
    assert module_version(str(tmp_path)) == "0.13.2"
    assert [gives_output_back(v) for v in (None, "0.12.7", "0.10.0", "0.13.0", "0.13.2", "0.14.1", "1.0.0",
                                           "0.13.2-14-gdeadbee", "snapshot")] == [
        False, False, False, True, True, True, True, True, True]


def test_writers_are_told_from_readers_by_their_open_flags():
    """pyvirtualcam (so another vcam) opens write-only; readers read-write. OBS's own virtual camera opens read-write
    and blocking (v4l2-output.c), its video source always non-blocking (v4l2-input.c)."""
    from vcam.live.devicehandles import _writes

    assert _writes("vcam", os.O_WRONLY | os.O_SYNC) and _writes("python3", os.O_WRONLY)
    assert not _writes("ffmpeg", os.O_RDWR) and not _writes("chrome", os.O_RDWR | os.O_NONBLOCK)
    assert not _writes("v4l2-ctl", os.O_RDONLY)
    assert _writes("obs", os.O_RDWR) and not _writes("obs", os.O_RDWR | os.O_NONBLOCK)


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("flags,writes", [(os.O_WRONLY | os.O_SYNC, True), (os.O_RDWR | os.O_NONBLOCK, False)],
                         ids=["write-only", "read-write"])
def test_the_open_flags_of_another_program_are_read_from_proc(tmp_path, flags, writes):
    from vcam.live.devicehandles import device_holders

    device = tmp_path / "video10"
    device.write_bytes(b"")
    child = subprocess.Popen([sys.executable, "-c", "import os, sys; fd = os.open(sys.argv[1], int(sys.argv[2])); "
                              "print('open', flush=True); sys.stdin.read()", str(device), str(flags)],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "open\n"
        found = device_holders(str(device))
    finally:
        child.stdin.close()
        child.wait(timeout=60)
    assert [(h.pid, h.writes) for h in found] == [(child.pid, writes)]


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_second_vcam_while_the_first_runs_is_refused_and_named(loopback, version):
    """The reset handed a device another vcam still wrote to to a second writer: both wrote into one camera."""
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    machine.program = "vcam (pid 5151)"  # the first run, another process
    first = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    first.send(gradient(64, 48), 0)
    machine.program = "vcam"  # this one
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "/dev/video10 is taken: vcam (pid 5151) writes to it" in err.value.message
    assert "stop vcam (pid 5151)" in err.value.fix and "--out vcam:/dev/video11" in err.value.fix
    assert machine.sent("vcam", "/dev/video10") == ["QUERYCAP"]  # asked, never reset
    assert {opener.program for _, opener in machine.handles.values()} == {"vcam (pid 5151)"}  # nothing left open
    assert not machine.advertises_output("/dev/video10")
    assert machine.devices["/dev/video10"].ready_for_capture == 1
    first.send(gradient(64, 48), 1)
    assert len(machine.devices["/dev/video10"].frames) == 2  # the first run's frames only, and it goes on
    first.close()
    assert one_run("/dev/video10").name == "vcam:/dev/video10"  # once it has ended, the device is vcam's again


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_device_another_vcam_writes_to_is_named_as_such_when_none_is_named(loopback, version):
    machine = loopback({"/dev/video10": model(version)})
    machine.program = "vcam (pid 5151)"
    first = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    first.send(gradient(64, 48), 0)
    machine.program = "vcam"
    with pytest.raises(VcamError) as err:
        one_run()
    assert "/dev/video10 is written to by vcam (pid 5151), left alone" in err.value.message
    assert "stop the program that writes to /dev/video10" in err.value.fix
    assert "--out vcam:/dev/video10" not in err.value.fix  # naming it would not help
    first.close()


@linux_only
def test_on_013_a_device_that_refuses_has_a_writer_even_one_this_user_cannot_see(loopback):
    """On 0.13 a writer's close gives output back, so a refusal is a live writer: the reset could only hand the
    device to a second one (and raise ready_for_capture with nothing to lower it)."""
    from loopback_model import Loopback013

    machine = loopback({"/dev/video10": Loopback013()})
    machine.hidden.add("vcam (pid 6000)")  # another user's
    machine.program = "vcam (pid 6000)"
    first = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    first.send(gradient(64, 48), 0)
    machine.program = "vcam"
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "another program (not one this user can see) writes to it" in err.value.message
    assert "fuser -v /dev/video10" in err.value.fix
    assert machine.sent("vcam", "/dev/video10") == ["QUERYCAP"]
    assert machine.devices["/dev/video10"].ready_for_capture == 1
    first.close()


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_obs_virtual_camera_writing_to_the_named_device_is_refused(loopback, version):
    """OBS's own virtual camera opens the device read-write and blocking (its video source adds O_NONBLOCK)."""
    machine = loopback({"/dev/video10": model(version)})
    obs = machine.streaming_writer("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "obs (pid 4242) (OBS's own Virtual Camera) writes to it" in err.value.message
    assert "Stop Virtual Camera" in err.value.fix
    assert machine.sent("vcam", "/dev/video10") == ["QUERYCAP"]
    assert not machine.advertises_output("/dev/video10")  # still OBS's alone
    assert machine.devices["/dev/video10"].ready_for_capture == 1
    assert list(machine.handles) == [obs]


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("named", [True, False], ids=["named", "any"])
def test_obs_writing_a_device_without_exclusive_caps_is_refused_before_a_frame(loopback, version, named):
    """With exclusive_caps=0 the device advertises output while OBS's virtual camera writes to it, and pyvirtualcam
    opens it: 0.12.7 mixed both programs' frames, 0.13.2 dropped each of vcam's with a line on stderr only."""
    from loopback_model import Loopback013, Loopback0127

    device = {"0.12.7": Loopback0127, "0.13.2": Loopback013}[version](exclusive_caps=False)
    machine = loopback({"/dev/video10": device})
    machine.streaming_writer("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10" if named else None)
    assert "/dev/video10 is taken: obs (pid 4242) (OBS's own Virtual Camera) writes to it" in err.value.message
    assert "Stop Virtual Camera" in err.value.fix
    assert device.frames == [bytes(64 * 48 * 3 // 2)]  # OBS's one frame, none of vcam's
    assert not [h for h in machine.handles.values() if h[1].program == "vcam"]


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("size", [(64, 48), (128, 96)], ids=["obs-size", "other-size"])
def test_with_no_device_named_a_free_device_after_the_one_obs_writes_to_is_used(loopback, version, size):
    """exclusive_caps=0: OBS's virtual camera took the first device and pyvirtualcam's scan would open it too; the
    next one is free. Before, vcam was refused (OBS's size), or 0.13.2 refused its format and vcam said to send OBS's
    size (another size)."""
    from loopback_model import Loopback013, Loopback0127

    kind = {"0.12.7": Loopback0127, "0.13.2": Loopback013}[version]
    obs_device, free = kind(exclusive_caps=False), kind(exclusive_caps=False)
    machine = loopback({"/dev/video10": obs_device, "/dev/video11": free})
    machine.streaming_writer("/dev/video10")
    cam = VirtualCamera(*size, 30, backend="v4l2loopback-model")
    cam.send(gradient(*size), 0)
    cam.close()
    assert cam.name == "vcam:/dev/video11"
    assert obs_device.frames == [bytes(64 * 48 * 3 // 2)]  # OBS's one frame, none of vcam's
    assert len(free.frames) == 1
    assert machine.sent("vcam", "/dev/video10") == ["QUERYCAP"]  # asked, never configured


@linux_only
def test_on_013_obs_writing_another_size_to_the_only_device_is_said_as_taken_not_as_a_size_to_send(loopback):
    from loopback_model import Loopback013

    machine = loopback({"/dev/video10": Loopback013(exclusive_caps=False)})
    machine.streaming_writer("/dev/video10")  # 64x48
    with pytest.raises(VcamError) as err:
        VirtualCamera(128, 96, 30, backend="v4l2loopback-model")
    assert "/dev/video10 is taken: obs (pid 4242) (OBS's own Virtual Camera) writes to it" in err.value.message
    assert "vcam's frames would mix with its own or be lost" in err.value.message  # 0.13.2 drops them
    assert "@64x48" not in err.value.fix
    assert machine.sent("vcam", "/dev/video10") == ["QUERYCAP"]


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("named", [True, False], ids=["named", "any"])
@pytest.mark.parametrize("who,flags", [("obs (pid 4242)", os.O_RDWR | os.O_NONBLOCK), ("chrome (pid 300)", os.O_RDWR)],
                         ids=["obs-source", "chrome"])
def test_a_reader_of_a_device_without_exclusive_caps_is_no_reason_to_refuse_it(loopback, version, named, who, flags):
    """OBS's video source or a browser reading the camera is the show's audience, not a second writer."""
    from loopback_model import Loopback013, Loopback0127

    device = {"0.12.7": Loopback0127, "0.13.2": Loopback013}[version](exclusive_caps=False)
    machine = loopback({"/dev/video10": device})
    machine.reader("/dev/video10", program=who, flags=flags)
    assert one_run("/dev/video10" if named else None).name == "vcam:/dev/video10"
    assert len(device.frames) == 1


@linux_only
@pytest.mark.parametrize("named,guess", [("/dev/video77", "/dev/video10"), ("vcam", "/dev/video10"),
                                         ("11", "/dev/video11"), ("video11", "/dev/video11")])
def test_a_named_device_that_is_not_there_lists_the_loopback_devices_and_does_not_say_install(loopback, named,
                                                                                             guess):
    from loopback_model import Loopback0127

    loopback({"/dev/video10": Loopback0127(), "/dev/video11": Loopback0127()})
    with pytest.raises(VcamError) as err:
        one_run(named)
    assert f"there is no device {named}" in err.value.message
    assert "the v4l2loopback devices here are /dev/video10, /dev/video11" in err.value.message
    assert f"--out vcam:{guess}" in err.value.fix and "apt install" not in err.value.fix


def test_the_models_keep_the_format_a_writer_set_as_each_version_does():
    """0.12.7: while a handle keeps the device open, S_FMT succeeds and leaves the format as it was, and a size over
    max_width x max_height is cut down, both without an error. 0.13.2: the same S_FMT fails with EBUSY."""
    from loopback_model import VIDIOC_G_FMT, VIDIOC_S_FMT, Loopback0127, Loopback013, Machine, format_buffer

    machine = Machine({"/dev/video10": Loopback0127(), "/dev/video11": Loopback013(),
                       "/dev/video12": Loopback0127(max_width=1920, max_height=1080)})
    for path in ("/dev/video10", "/dev/video11"):
        machine.reader(path)  # open before the writer and after it
        write_only_program(machine, path)  # 64x48
        fd = machine.open(path, os.O_WRONLY)
        fmt = format_buffer(128, 96, b"YU12")
        if path == "/dev/video11":
            with pytest.raises(OSError, match="busy"):
                machine.ioctl(fd, VIDIOC_S_FMT, fmt)
        else:
            machine.ioctl(fd, VIDIOC_S_FMT, fmt)
            assert fmt[8:16] == format_buffer(64, 48, b"YU12")[8:16]  # handed back the format it keeps
        machine.close(fd)
    fd = machine.open("/dev/video12", os.O_WRONLY)
    machine.ioctl(fd, VIDIOC_S_FMT, format_buffer(3840, 2160, b"YU12"))
    fmt = format_buffer(0, 0, b"YU12")
    machine.ioctl(fd, VIDIOC_G_FMT, fmt)
    assert fmt[8:16] == format_buffer(1920, 1080, b"YU12")[8:16]


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_reader_holding_the_last_runs_size_is_named_when_the_next_run_sends_another(loopback, version):
    machine = loopback({"/dev/video10": model(version)})
    cam = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    cam.send(gradient(64, 48), 0)
    machine.reader("/dev/video10")  # OBS keeps reading through the restart
    cam.close()
    with pytest.raises(VcamError) as err:
        VirtualCamera(128, 96, 30, device="/dev/video10", backend="v4l2loopback-model")
    assert "/dev/video10 holds the format 64x48 YU12, not the 128x96 YU12 vcam sends" in err.value.message
    assert "obs (pid 4242) has it open" in err.value.fix and "--out vcam:/dev/video10@64x48" in err.value.fix
    assert "apt install" not in err.value.fix
    assert not [h for h in machine.handles.values() if h[1].program == "vcam"]  # nothing of vcam's left open
    assert one_run("/dev/video10").name == "vcam:/dev/video10"  # the size it names is taken


def test_on_013_a_streaming_reader_alone_keeps_the_format_without_an_error():
    """0.13.2's inner_try_setfmt: EBUSY only while a writer is counted. Once OBS's virtual camera stopped (STREAMOFF,
    close) with OBS's source still streaming, another size's S_FMT succeeds and the reader's format stays."""
    import struct

    from loopback_model import OUTPUT, VIDIOC_G_FMT, VIDIOC_S_FMT, VIDIOC_STREAMOFF, Loopback013, Machine, format_buffer

    machine = Machine({"/dev/video10": Loopback013()})
    writer = machine.streaming_writer("/dev/video10", program="obs (pid 4243)")  # 64x48
    machine.reader("/dev/video10")
    machine.ioctl(writer, VIDIOC_STREAMOFF, bytearray(struct.pack("i", OUTPUT)))
    machine.close(writer)
    fd = machine.open("/dev/video10", os.O_WRONLY)
    machine.ioctl(fd, VIDIOC_S_FMT, format_buffer(128, 96, b"YU12"))
    fmt = format_buffer(0, 0, b"YU12")
    machine.ioctl(fd, VIDIOC_G_FMT, fmt)
    assert fmt[8:16] == format_buffer(64, 48, b"YU12")[8:16]


@linux_only
def test_on_013_a_size_the_reader_alone_holds_is_named_though_the_driver_took_vcams_format(loopback):
    """No error from pyvirtualcam here: vcam's own look at the format after opening is what says it."""
    import struct

    from loopback_model import OUTPUT, VIDIOC_STREAMOFF, Loopback013

    machine = loopback({"/dev/video10": Loopback013()})
    writer = machine.streaming_writer("/dev/video10", program="obs (pid 4243)")
    machine.reader("/dev/video10")
    machine.ioctl(writer, VIDIOC_STREAMOFF, bytearray(struct.pack("i", OUTPUT)))
    machine.close(writer)
    with pytest.raises(VcamError) as err:
        VirtualCamera(128, 96, 30, device="/dev/video10", backend="v4l2loopback-model")
    assert "/dev/video10 holds the format 64x48 YU12, not the 128x96 YU12 vcam sends" in err.value.message
    assert "obs (pid 4242) has it open" in err.value.fix
    assert machine.devices["/dev/video10"].frames == [bytes(64 * 48 * 3 // 2)]  # OBS's frame, none of vcam's


@linux_only
def test_a_size_over_the_modules_limit_is_named_with_the_limit_to_load(loopback):
    from loopback_model import Loopback0127

    machine = loopback({"/dev/video10": Loopback0127(max_width=48, max_height=32)})
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    assert "holds the format 48x32 YU12, not the 64x48 YU12" in err.value.message
    assert "max_width=64 max_height=48" in err.value.fix and "@48x32" in err.value.fix
    assert machine.devices["/dev/video10"].frames == []


@linux_only
def test_an_odd_module_limit_is_named_with_the_limit_to_load_and_the_even_size_below_it(loopback):
    """max_width=1279 at 1280x720: the limit went unsaid, and the reload offered loaded the module with its limit
    again ("reload the module so that it forgets the format"). Offered: the even size below it, which vcam sends."""
    from loopback_model import Loopback0127

    loopback({"/dev/video10": Loopback0127(max_width=1279, max_height=720)})
    with pytest.raises(VcamError) as err:
        VirtualCamera(1280, 720, 30, device="/dev/video10", backend="v4l2loopback-model")
    assert "holds the format 1279x720 YU12, not the 1280x720 YU12" in err.value.message
    fix = err.value.fix
    assert "max_width x max_height is below 1280x720" in fix and "--out vcam:/dev/video10@1278x720" in fix, fix
    assert _reload_made(fix)["max_width"] == ["1280"] and "@1279x720" not in fix and "forgets" not in fix


@linux_only
def test_the_reload_for_a_larger_size_keeps_the_room_the_module_already_gives(loopback):
    """At 2048x1024 on a module loaded for 1920x1080, the reload offered max_height=1024: pasted, another device's
    1080p was cut down to 1024 lines. Each limit is the larger of the module's and vcam's size."""
    from loopback_model import Loopback0127

    loopback({"/dev/video10": Loopback0127(max_width=1920, max_height=1080)})
    with pytest.raises(VcamError) as err:
        VirtualCamera(2048, 1024, 30, device="/dev/video10", backend="v4l2loopback-model")
    assert "holds the format 1920x1024 YU12, not the 2048x1024 YU12" in err.value.message
    made = _reload_made(err.value.fix)
    assert (made["max_width"], made["max_height"]) == (["2048"], ["1080"]), err.value.fix


def _reload_made(fix: str) -> dict[str, list[str]]:
    """The module parameters the reload line in `fix` loads v4l2loopback with, each as its list of values, after
    checking it is the reload: the module removed, then loaded again."""
    import re
    import shlex

    line = re.search(r"sudo modprobe -r v4l2loopback && sudo modprobe v4l2loopback [^\n]*", fix)
    assert line, fix
    params = dict(word.split("=", 1) for word in shlex.split(line[0].split(" && ")[1])[3:])
    return {name: value.split(",") for name, value in params.items()}


def _remakes(fix: str, numbers: list[str]) -> None:
    """The reload makes every device by its number again, one value of each per-device parameter each, as
    v4l2loopback's modprobe takes them (devices=N, then N comma-separated video_nr, card_label, exclusive_caps)."""
    made = _reload_made(fix)
    assert sorted(made["video_nr"], key=int) == numbers and made["devices"] == [str(len(numbers))], fix
    assert len(made["card_label"]) == len(made["exclusive_caps"]) == len(numbers), fix


@linux_only
def test_a_size_over_the_limit_on_another_device_number_reloads_the_devices_there_are(loopback):
    """The reload line made /dev/video10 alone: removing the module took /dev/video7, the one vcam was given."""
    from loopback_model import Loopback0127

    loopback({"/dev/video7": Loopback0127(max_width=48, max_height=32), "/dev/video11": Loopback0127()})
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device="/dev/video7", backend="v4l2loopback-model")
    _remakes(err.value.fix, ["7", "11"])
    assert _reload_made(err.value.fix)["max_width"] == ["64"]


@linux_only
def test_the_reload_labels_vcams_device_vcam_and_keeps_every_other_devices_label(loopback):
    """The reload labelled every device vcam, so OBS's own device lost its label (OBS looks its device up by it)
    once the user pasted the line. A label the shell would read into (a quote, a $) comes through as it is."""
    from loopback_model import Loopback0127

    loopback({"/dev/video7": labelled(Loopback0127(max_width=48, max_height=32), "Dummy video device (0x0000)"),
              "/dev/video11": labelled(Loopback0127(), "OBS Virtual Camera"),
              "/dev/video12": labelled(Loopback0127(), "Bob's $HOME cam")})
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device="/dev/video7", backend="v4l2loopback-model")
    made = _reload_made(err.value.fix)
    assert dict(zip(made["video_nr"], made["card_label"])) == {
        "7": "vcam", "11": "OBS Virtual Camera", "12": "Bob's $HOME cam"}, err.value.fix


def _labels_the_module_gets(line: str) -> dict[str, str]:
    """Each device's label as v4l2loopback 0.12.7 gets it from the reload `line` pasted into bash: bash's words
    (shlex), kmod's modprobe joining them (a value with a space in double quotes, unless it opens with a quote),
    the kernel's next_arg (a space outside double quotes ends a parameter; a value's outer double quotes go) and
    param_array (card_label split at every comma), by device number."""
    import shlex

    args = shlex.split(line.split(" && ")[1])[3:]
    joined = " ".join(f'{a.split("=", 1)[0]}="{a.split("=", 1)[1]}"' if " " in a and a.split("=", 1)[1][:1] not in "\"'"
                      else a for a in args)
    params, i = {}, 0
    while i < len(joined):
        start, equals, quoted = i, None, False
        while i < len(joined) and (quoted or not joined[i].isspace()):
            equals = i if equals is None and joined[i] == "=" else equals
            quoted ^= joined[i] == '"'
            i += 1
        name, value = joined[start:equals], joined[equals + 1:i]
        params[name] = value[1:].removesuffix('"') if value.startswith('"') else value
        i += 1
    return dict(zip(params["video_nr"].split(","), params["card_label"].split(",")))


@linux_only
def test_each_devices_label_reaches_the_module_in_its_place_whatever_it_holds(loopback):
    """A label is given back as the module can take it: a comma would have shifted every later label, a double
    quote ended the parameter at the next space, a label opening with a quote (the first device's) kept modprobe
    from quoting it; one sysfs does not show is the module's own, not a second vcam, and the piece of a character
    the module's 31-byte cut left is dropped."""
    from loopback_model import Loopback0127

    from vcam.live.outputs.v4l2loopback import reload_line

    machine = loopback({"/dev/video1": labelled(Loopback0127(), '"Quoted" cam'),
                        "/dev/video3": labelled(Loopback0127()),
                        "/dev/video5": labelled(Loopback0127(), 'say "hi", now'),
                        "/dev/video6": labelled(Loopback0127(), "gone"), "/dev/video8": labelled(Loopback0127()),
                        "/dev/video9": labelled(Loopback0127(), "Bob's $HOME cam!")})
    node = os.path.join(machine.sysfs, "devices", "virtual", "video4linux")
    os.remove(os.path.join(node, "video6", "name"))
    with open(os.path.join(node, "video8", "name"), "wb") as f:
        f.write("Caméra de démonstration ".encode() + "é".encode()[:1] + b"\n")
    line = reload_line(own="/dev/video3", sysfs=machine.sysfs)
    assert "\n" not in line and _labels_the_module_gets(line) == {
        "1": "Quoted' cam", "3": "vcam", "5": "say 'hi'  now", "6": "Dummy video device (0x0003)",
        "8": "Caméra de démonstration", "9": "Bob's $HOME cam!"}, line


@linux_only
def test_a_stuck_device_at_another_number_is_reloaded_as_itself(loopback):
    from loopback_model import NeverGivesBack

    machine = loopback({"/dev/video3": NeverGivesBack()})
    write_only_program(machine, "/dev/video3")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video3")
    _remakes(err.value.fix, ["3"])


@linux_only
def test_a_device_this_user_may_not_open_ends_the_scan_and_says_video_group(loopback):
    from loopback_model import Loopback0127, Webcam

    machine = loopback({"/dev/video0": Webcam(), "/dev/video10": Loopback0127()})
    machine.denied.add("/dev/video0")
    with pytest.raises(VcamError) as err:
        one_run()
    assert "this user may not open /dev/video0" in err.value.message
    assert "usermod -aG video" in err.value.fix and "--out vcam:/dev/video10" in err.value.fix
    assert "apt install" not in err.value.fix
    assert one_run("/dev/video10").name == "vcam:/dev/video10"


@linux_only
def test_another_drivers_output_device_is_called_one(loopback):
    from loopback_model import Akvcam, Loopback0127

    machine = loopback({"/dev/video5": Akvcam(), "/dev/video10": Loopback0127()})
    with pytest.raises(VcamError) as err:
        one_run("/dev/video5")
    assert "/dev/video5 is not a v4l2loopback device" in err.value.message
    assert "another driver's" in err.value.fix and "--out vcam:/dev/video10" in err.value.fix
    assert one_run().name == "vcam:/dev/video10"  # a scan passes it by
    assert "/dev/video5" not in [path for path, _ in machine.handles.values()]  # closed again, as pyvirtualcam does


@linux_only
@pytest.mark.parametrize("node", ["/dev/v4l2loopback", "/dev/null"])
def test_a_named_node_that_is_no_video_device_names_the_cameras_and_does_not_say_install(loopback, node):
    """v4l2loopback's control device (or /dev/null, a sound card) named for its camera: pyvirtualcam cannot ask it
    what it is, and vcam said no camera could be opened, then how to install v4l2loopback, already loaded."""
    from loopback_model import ControlDevice, Loopback0127

    machine = loopback({node: ControlDevice(), "/dev/video10": Loopback0127()})
    with pytest.raises(VcamError) as err:
        one_run(node)
    assert err.value.message.startswith(f"{node} is ") and "not " in err.value.message, err.value.message
    assert "could not be queried" in err.value.message  # pyvirtualcam's own words, for a search
    assert "--out vcam:/dev/video10" in err.value.fix and "apt install" not in err.value.fix, err.value.fix
    assert node not in [path for path, _ in machine.handles.values()]  # nothing left open


@linux_only
def test_the_control_device_with_no_camera_made_says_reload(loopback):
    from loopback_model import ControlDevice

    loopback({"/dev/v4l2loopback": ControlDevice()})
    with pytest.raises(VcamError) as err:
        one_run("/dev/v4l2loopback")
    assert "control device" in err.value.message
    assert "modprobe -r v4l2loopback" in err.value.fix and "apt install" not in err.value.fix, err.value.fix


@linux_only
def test_the_control_device_this_user_may_not_open_is_said_to_be_no_camera_not_a_group_to_join(loopback):
    """Only root may open v4l2loopback's control device where its udev rule is not installed: the user was told to
    join the video group, then refused again once in it, as the node is no camera at all."""
    from loopback_model import ControlDevice, Loopback0127

    machine = loopback({"/dev/v4l2loopback": ControlDevice(), "/dev/video10": Loopback0127()})
    machine.denied.add("/dev/v4l2loopback")
    with pytest.raises(VcamError) as err:
        one_run("/dev/v4l2loopback")
    assert err.value.message == ("/dev/v4l2loopback is v4l2loopback's control device, not one of its cameras, so it "
                                 "cannot take vcam's frames (this user may not open it)")
    assert "--out vcam:/dev/video10" in err.value.fix and "usermod" not in err.value.fix, err.value.fix


@linux_only
def test_one_device_named_by_two_outputs_of_one_show_is_said_so(loopback):
    loopback({"/dev/video10": model("0.12.7")})
    first = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    assert "/dev/video10 is already vcam's camera output" in err.value.message and "apt install" not in err.value.fix
    first.close()


def vcam_devices(monkeypatch, capsys) -> list[str]:
    """What `vcam devices` prints about virtual cameras, with no MIDI input to list first."""
    from vcam.cli import main

    monkeypatch.setattr("vcam.control.midi.input_names", lambda: [])
    assert main(["devices"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "MIDI inputs: none (is a controller plugged in?)"
    assert out[1].startswith("  fix: plug the controller")
    return out[2:]


def labelled(device, label="vcam"):
    device.card_label = label
    return device


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_vcam_devices_says_whose_each_node_is_who_has_it_open_and_the_format_held(loopback, version, monkeypatch,
                                                                                 capsys):
    from loopback_model import Akvcam, Webcam

    machine = loopback({"/dev/video0": Webcam(), "/dev/video2": Akvcam(), "/dev/video10": labelled(model(version)),
                        "/dev/video11": labelled(model(version), "OBS Cam"), "/dev/video12": labelled(model(version)),
                        "/dev/video13": labelled(model(version))})
    obs = machine.streaming_writer("/dev/video11", 1280, 720)
    browser = machine.reader("/dev/video12", "chrome (pid 99)")
    one_run("/dev/video12")  # the browser keeps reading: the run's size holds
    machine.denied.add("/dev/video13")
    output = {path: machine.advertises_output(path) for path in machine.devices}
    assert vcam_devices(monkeypatch, capsys) == [
        "virtual cameras (name one with --out vcam:PATH; v4l2loopback's max_width x max_height: 8192x8192):",
        '  /dev/video2 "AkVCam Output": not v4l2loopback (another driver\'s device), so vcam cannot write to it',
        '  /dev/video10 "vcam": free',
        '  /dev/video11 "OBS Cam": written to by obs (pid 4242); holds 1280x720 YU12',
        '  /dev/video12 "vcam": open in chrome (pid 99); holds 64x48 YU12: send that size, --out '
        'vcam:/dev/video12@64x48',
        '  /dev/video13 "vcam": this user may not open it; add yourself to the video group: sudo usermod -aG video '
        '$USER, then log out and in again',
    ]
    assert {path: machine.advertises_output(path) for path in machine.devices} == output  # asking changed nothing
    assert sorted(machine.handles) == sorted([obs, browser])  # and left nothing open
    assert "STREAMON" not in machine.sent("vcam", "/dev/video11")


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_vcam_devices_says_no_format_is_held_where_only_the_last_runs_is_remembered(loopback, version, monkeypatch,
                                                                                   capsys):
    """After the last program closed, G_FMT still answers with the last run's format; a reader that opens later holds
    none, and the next run sets its own."""
    from vcam.live.outputs.v4l2loopback import device_format

    machine = loopback({"/dev/video10": labelled(model(version))})
    one_run("/dev/video10")
    machine.reader("/dev/video10")
    assert str(device_format("/dev/video10", machine.calls)) == "64x48 YU12"
    assert vcam_devices(monkeypatch, capsys)[1:] == ['  /dev/video10 "vcam": open in obs (pid 4242)']


@linux_only
def test_vcam_devices_on_013_names_a_writer_this_user_cannot_see(loopback, monkeypatch, capsys):
    from loopback_model import Loopback013

    machine = loopback({"/dev/video10": labelled(Loopback013())})
    machine.hidden.add("vcam (pid 6000)")  # another user's
    machine.program = "vcam (pid 6000)"
    first = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    first.send(gradient(64, 48), 0)  # 0.13 counts a writer from its first frame
    machine.program = "vcam"
    assert vcam_devices(monkeypatch, capsys)[1:] == [
        '  /dev/video10 "vcam": written to by a program this user cannot see; holds 64x48 YU12']
    first.close()


@linux_only
def test_vcam_devices_without_a_loopback_device_says_how_to_make_one(loopback, tmp_path, monkeypatch, capsys):
    from loopback_model import Akvcam

    from vcam.live.outputs.v4l2loopback import MODPROBE, RELOAD

    loopback({})
    out = vcam_devices(monkeypatch, capsys)
    assert out[0] == "virtual cameras: no v4l2loopback device"
    assert out[1].startswith("  fix: create a v4l2loopback device: install it") and MODPROBE in "\n".join(out)
    loopback({"/dev/video2": Akvcam()})
    out = vcam_devices(monkeypatch, capsys)
    assert out[:2] == ["virtual cameras: no v4l2loopback device, only other drivers':",
                       '  /dev/video2 "AkVCam Output": not v4l2loopback (another driver\'s device), so vcam cannot '
                       'write to it']
    assert MODPROBE in "\n".join(out)
    os.makedirs(tmp_path / "sys" / "module" / "v4l2loopback")  # loaded with devices=0: modprobe alone does nothing
    out = "\n".join(vcam_devices(monkeypatch, capsys))
    assert "v4l2loopback is loaded but made no device" in out and RELOAD in out and "apt install" not in out


@linux_only
def test_only_v4l2loopbacks_nodes_are_offered_as_loopback_devices(tmp_path):
    """Another virtual driver's node sits beside v4l2loopback's in sysfs; a fix that names a device to use must not
    name it. Nodes come by number, video9 before video10."""
    from loopback_model import Akvcam, Loopback0127, Machine, Webcam

    from vcam.live.outputs.v4l2loopback import loopback_devices, video_nodes

    sys_root = str(tmp_path / "sys")
    Machine({"/dev/video0": Webcam(), "/dev/video2": Akvcam(), "/dev/video9": Loopback0127(),
             "/dev/video10": Loopback0127()}, sysfs=sys_root)
    assert video_nodes(sys_root) == ["/dev/video2", "/dev/video9", "/dev/video10"]
    assert loopback_devices(sys_root) == ["/dev/video9", "/dev/video10"]
    assert loopback_devices(str(tmp_path / "none")) == []


@pytest.mark.parametrize("system,version", [("Windows", "28"), ("Darwin", "30")])
def test_vcam_devices_on_windows_and_macos_gives_that_systems_obs_setup(monkeypatch, capsys, system, version):
    """macOS's camera needs OBS 30 and its system extension allowed; `vcam devices` said OBS 28+ everywhere."""
    import platform

    from vcam.cli import main

    monkeypatch.setitem(sys.modules, "mido", None)  # the laptop's plain install
    monkeypatch.setattr(platform, "system", lambda: system)
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert "OBS Virtual Camera" in out and f"OBS Studio ({version} or newer)" in out
    assert "v4l2loopback" not in out


@linux_only
@pytest.mark.skipif(loopback_devices() != [] or glob.glob("/dev/video*") != [], reason="this machine has cameras")
@pytest.mark.parametrize("out", ["vcam:/dev/video0@160x96", "vcam@160x96"], ids=["webcam-named", "none-named"])
def test_a_fix_that_names_another_device_keeps_the_size_given(loopback, capsys, out):
    """`--out vcam:/dev/video0@160x96` (a webcam) was told `--out vcam:/dev/video10`: typed as said, the camera came up
    at the show's size, not the one asked for."""
    from loopback_model import Loopback0127, Webcam
    from vcam.cli import main

    machine = loopback({"/dev/video0": Webcam(), "/dev/video10": Loopback0127()})
    one_run("/dev/video10")  # a run before this one, with OBS reading since: the device is stuck and held
    machine.reader("/dev/video10")
    assert main(["run", "--model", "tiny", "--out", out]) == 2
    err = capsys.readouterr().err
    assert "--out vcam:/dev/video10@160x96" in err and "--out vcam:/dev/video10 " not in err + " "


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_reload_names_the_programs_on_the_other_devices_that_keep_the_module_from_being_removed(loopback, version):
    """The kernel refuses to remove v4l2loopback while any of its devices is open ("modprobe: FATAL: Module
    v4l2loopback is in use"): with OBS's virtual camera on /dev/video11, the reload said for /dev/video10 failed as
    typed."""
    from loopback_model import Loopback013, Loopback0127

    kind = {"0.12.7": Loopback0127, "0.13.2": Loopback013}[version]
    machine = loopback({"/dev/video10": kind(max_width=1920, max_height=1080),
                        "/dev/video11": kind(max_width=1920, max_height=1080)})
    machine.streaming_writer("/dev/video11")  # OBS's own virtual camera
    with pytest.raises(VcamError) as err:
        VirtualCamera(3840, 2160, 30, device="/dev/video10", backend="v4l2loopback-model")
    reload, note = err.value.fix.splitlines()[-2:]
    assert reload.strip().startswith("sudo modprobe -r v4l2loopback && ") and "max_width=3840" in reload
    assert note.strip() == ("(first close obs (pid 4242) on /dev/video11: the module is not removed while a program "
                            "has one of its devices open)")


def write_another_pixel_format(machine, path, program="ffmpeg (pid 88)"):
    """A program that wrote YUYV frames the way ffmpeg's v4l2 output does (read-write, S_FMT, write()), then ended."""
    from loopback_model import VIDIOC_S_FMT, format_buffer

    fd = machine.open(path, os.O_RDWR, program)
    machine.ioctl(fd, VIDIOC_S_FMT, format_buffer(64, 48, b"YUYV"))
    machine.write(fd, bytes(64 * 48 * 2))
    return fd


@linux_only
def test_a_device_held_to_another_pixel_format_at_vcams_size_is_not_answered_with_that_size(loopback, monkeypatch,
                                                                                            capsys):
    """vcam sends YU12 alone: `send that size` named the size it had just sent, and the same refusal came back."""
    from loopback_model import Loopback0127

    machine = loopback({"/dev/video10": Loopback0127()})
    ffmpeg = write_another_pixel_format(machine, "/dev/video10")
    obs = machine.reader("/dev/video10")  # opened while ffmpeg wrote, and reading on: its YUYV holds
    machine.close(ffmpeg)
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "/dev/video10 holds the format 64x48 YUYV, not the 64x48 YU12 vcam sends" in err.value.message
    assert "@64x48" not in err.value.fix and "close obs (pid 4242) and start vcam again" in err.value.fix
    said = vcam_devices(monkeypatch, capsys)[1]
    assert said == ('  /dev/video10 "Dummy video device (0x0000)": open in obs (pid 4242); holds 64x48 YUYV, which '
                    'vcam does not send (it sends YU12): close obs (pid 4242), then start vcam')
    machine.close(obs)
    assert one_run("/dev/video10").name == "vcam:/dev/video10"  # the fix works


@linux_only
def test_a_smaller_size_in_another_pixel_format_held_by_a_program_not_seen_is_not_said_as_the_modules_limit(loopback):
    """Skype (another user's, not in /proc) holds YUYV 32x24: vcam said the module's max_width was below its size and
    to send 32x24, both untrue: the module takes 8192, and YU12 at 32x24 is refused as well."""
    from loopback_model import VIDIOC_S_FMT, Loopback0127, format_buffer

    machine = loopback({"/dev/video10": Loopback0127()})
    machine.hidden.add("skype (pid 9)")
    fd = machine.open("/dev/video10", os.O_RDWR, "skype (pid 9)")
    machine.ioctl(fd, VIDIOC_S_FMT, format_buffer(32, 24, b"YUYV"))
    machine.write(fd, bytes(32 * 24 * 2))
    machine.reader("/dev/video10", program="skype (pid 9)")
    machine.close(fd)
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "holds the format 32x24 YUYV" in err.value.message
    assert "max_width" not in err.value.fix and "@32x24" not in err.value.fix, err.value.fix


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("sent", [False, True], ids=["opened", "sending"])
def test_a_second_camera_output_with_none_named_leaves_the_shows_own_device_alone_and_says_it_is_taken(loopback,
                                                                                                        version, sent):
    """`--out vcam:/dev/video10 --out vcam` with one device: the second was told to name /dev/video10 (the first's,
    which the show then refuses), or to stop the program that writes to it (vcam itself), after a reset of the device
    the first output was writing to."""
    machine = loopback({"/dev/video10": model(version)})
    first = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    try:
        if sent:
            first.send(gradient(64, 48), 0)
        before = len(machine.log)
        with pytest.raises(VcamError) as err:
            VirtualCamera(64, 48, 30, backend="v4l2loopback-model")
        assert "/dev/video10 is this show's camera output already" in err.value.message
        assert err.value.fix.startswith("give each vcam output a device of its own")
        assert "--out vcam:/dev/video10" not in err.value.fix and "stop" not in err.value.fix
        assert [entry for entry in machine.log[before:] if entry[1] == "/dev/video10"] == []  # not even asked
        first.send(gradient(64, 48), 1)
        assert len(machine.devices["/dev/video10"].frames) == 1 + sent  # the first output goes on
    finally:
        first.close()
    assert one_run().name == "vcam:/dev/video10"  # once it closed, the device is free again


@linux_only
def test_a_device_the_kernel_has_but_this_dev_lacks_says_to_pass_it_into_the_container(loopback, monkeypatch,
                                                                                         capsys):
    """In a container started without --device, /sys shows the host's v4l2loopback devices and /dev has none of
    them: vcam was told to name /dev/video10, then that there is no /dev/video10 while the devices here are
    /dev/video10."""
    import vcam.live.outputs.v4l2loopback as v4l2loopback
    from loopback_model import Loopback0127

    machine = loopback({"/dev/video10": Loopback0127()})
    machine.devices.pop("/dev/video10")  # its node in /sys stays: the host's
    monkeypatch.setattr(v4l2loopback, "loopback_devices", lambda: ["/dev/video10"])
    for named in (None, "/dev/video10"):
        with pytest.raises(VcamError) as err:
            one_run(named)
        assert "there is no /dev/video10 here" in err.value.message and "the devices here are" not in err.value.message
        assert "docker run --device /dev/video10" in err.value.fix and "name one" not in err.value.fix
    assert vcam_devices(monkeypatch, capsys)[1] == ('  /dev/video10 "Dummy video device (0x0000)": there is no '
                                                    '/dev/video10 here; in a container, pass it in: docker run '
                                                    '--device /dev/video10')


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("exclusive", [True, False])
def test_the_device_the_shows_input_camera_reads_is_never_its_camera_output(loopback, version, exclusive):
    """--in camera:/dev/video10 (README's OBS round trip) with --out vcam took /dev/video10, the first device that
    takes output, and named --out vcam:/dev/video10 was opened too: the show read its own frames back as input."""
    from loopback_model import OUTPUT, Loopback013, Loopback0127

    kind = {"0.12.7": Loopback0127, "0.13.2": Loopback013}[version]
    machine = loopback({"/dev/video10": kind(exclusive_caps=exclusive), "/dev/video11": kind(exclusive_caps=exclusive)})
    machine.reader("/dev/video10", program="vcam", flags=os.O_RDWR | os.O_NONBLOCK)  # OpenCV's open, in this process
    assert one_run().name == "vcam:/dev/video11"
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "/dev/video10 is this show's input camera" in err.value.message
    assert "--out vcam:/dev/video11" in err.value.fix
    # not reset: its reader is the show's own input
    assert not [c for c in machine.log if c[1] == "/dev/video10" and c[2] == "STREAMON" and c[3] == OUTPUT]
    del machine.devices["/dev/video11"]
    with pytest.raises(VcamError) as err:
        one_run()
    assert "/dev/video10 is this show's input camera" in err.value.message and "devices=2" in err.value.fix


@linux_only
@pytest.mark.parametrize("named", ["vcam", "VCAM"])
def test_a_device_named_by_its_label_is_answered_with_that_devices_path(loopback, named):
    """vcam:vcam, the label vcam's modprobe line gives, was answered with the first device, OBS's own camera where
    OBS made /dev/video10 before vcam's /dev/video11."""
    from loopback_model import Loopback0127

    obs, ours = Loopback0127(), Loopback0127()
    obs.card_label, ours.card_label = "OBS Cam", "vcam"
    loopback({"/dev/video10": obs, "/dev/video11": ours})
    with pytest.raises(VcamError) as err:
        one_run(named)
    assert f"there is no device {named}" in err.value.message
    assert "--out vcam:/dev/video11, labelled vcam " in err.value.fix and "video10" not in err.value.fix


@linux_only
@pytest.mark.parametrize("target", ["/dev/video10", "10"])
def test_the_shows_own_camera_output_is_refused_as_its_input(loopback, monkeypatch, target):
    """input camera:/dev/video10 typed mid-show for 11 opened the device the show writes to: each frame it made came
    back to be restyled again."""
    from loopback_model import Loopback0127
    from vcam.live.inputs import camera as camera_input
    from vcam.live.inputs.source import InputError

    monkeypatch.setattr(camera_input, "_check_node", lambda path, flag: None)  # a video node, as the machine's are
    loopback({"/dev/video10": Loopback0127(), "/dev/video11": Loopback0127()})
    cam = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    try:
        cam.send(gradient(64, 48), 0)
        with pytest.raises(InputError) as err:
            camera_input.open_device(target)
        assert "camera:/dev/video10 is this show's camera output" in err.value.message
        assert "--in another camera" in err.value.fix
    finally:
        cam.close()


@linux_only
def test_dev_null_held_as_the_shows_standard_input_is_said_as_no_video_device(loopback):
    """A show started with its standard input from /dev/null (a service, nohup) and given vcam:/dev/null was told
    that /dev/null is its input camera."""
    from loopback_model import ControlDevice, Loopback0127

    machine = loopback({"/dev/null": ControlDevice(), "/dev/video10": Loopback0127()})
    machine.open("/dev/null", os.O_RDONLY, "vcam")  # this process's standard input
    with pytest.raises(VcamError) as err:
        one_run("/dev/null")
    assert "/dev/null is not a video device" in err.value.message and "input camera" not in err.value.message


@linux_only
def test_the_input_camera_named_by_a_link_is_not_offered_as_the_other_device(loopback, tmp_path):
    """--out vcam:/dev/v4l/by-id/... (a link to the input's /dev/video10) was refused, but told to name
    --out vcam:/dev/video10, the same device."""
    from loopback_model import Loopback0127

    machine = loopback({"/dev/video10": Loopback0127(), "/dev/video11": Loopback0127()})
    machine.reader("/dev/video10", program="vcam", flags=os.O_RDWR | os.O_NONBLOCK)  # the show's input camera
    link = tmp_path / "by-id" / "usb-vcam-video-index0"
    link.parent.mkdir()
    link.symlink_to("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run(str(link))
    assert f"{link} is this show's input camera" in err.value.message
    assert "--out vcam:/dev/video11" in err.value.fix and "/dev/video10" not in err.value.fix


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_the_device_offered_in_place_of_the_input_camera_is_one_that_would_be_taken(loopback, version):
    """With the input on /dev/video10, --out vcam was told to name /dev/video11 though OBS's own Virtual Camera
    writes to it, and a second --out vcam was told to name the device the show's first output writes."""
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    machine.reader("/dev/video10", program="vcam", flags=os.O_RDWR | os.O_NONBLOCK)  # the show's input camera
    obs = machine.streaming_writer("/dev/video11")
    with pytest.raises(VcamError) as err:
        one_run()
    assert "/dev/video10 is this show's input camera" in err.value.message
    assert "--out vcam:" not in err.value.fix and "devices=2" in err.value.fix
    machine.close(obs)
    first = VirtualCamera(64, 48, 30, backend="v4l2loopback-model")
    try:
        first.send(gradient(64, 48), 0)
        assert first.name == "vcam:/dev/video11"
        with pytest.raises(VcamError) as err:
            one_run()
        assert "/dev/video10 is this show's input camera" in err.value.message
        assert "--out vcam:" not in err.value.fix and "devices=2" in err.value.fix
        machine.devices["/dev/video12"] = model(version)
        with pytest.raises(VcamError) as err:
            one_run("/dev/video10")
        assert "--out vcam:/dev/video12" in err.value.fix
    finally:
        first.close()


@linux_only
@pytest.mark.parametrize("named", ["vcam", "/dev/video7"])
def test_a_device_that_is_not_there_is_not_answered_with_one_the_show_uses(loopback, named):
    """With the input camera on /dev/video10, labelled vcam as MODPROBE's line labels it, --out vcam:vcam was told to
    name /dev/video10, labelled vcam, the input itself; a typo (/dev/video7) was told the same, the first device."""
    from loopback_model import Loopback0127

    machine = loopback({"/dev/video10": labelled(Loopback0127()), "/dev/video11": labelled(Loopback0127(), "OBS Cam")})
    machine.reader("/dev/video10", program="vcam", flags=os.O_RDWR | os.O_NONBLOCK)  # the show's input camera
    with pytest.raises(VcamError) as err:
        one_run(named)
    assert f"there is no device {named}" in err.value.message
    assert "--out vcam:/dev/video11 (vcam devices" in err.value.fix and "video10" not in err.value.fix
    first = VirtualCamera(64, 48, 30, device="/dev/video11", backend="v4l2loopback-model")
    try:
        first.send(gradient(64, 48), 0)
        with pytest.raises(VcamError) as err:
            one_run(named)
        assert "this show uses each of them already" in err.value.message
        assert "--out vcam:" not in err.value.fix and "devices=2" in err.value.fix
    finally:
        first.close()


def _the_shows_input_and_obs_on_the_first_devices(machine):
    """/dev/video10 is read by this show's input camera and OBS's own Virtual Camera writes to /dev/video11: neither
    takes the show's frames, and /dev/video12 is free."""
    machine.reader("/dev/video10", program="vcam", flags=os.O_RDWR | os.O_NONBLOCK)
    machine.streaming_writer("/dev/video11")


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("case", ["written", "webcam", "not-video", "denied"])
def test_each_refusal_offers_a_device_that_the_show_does_not_use_and_no_program_writes_to(loopback, version, case):
    """A device another program writes to, a real webcam, /dev/null named, and the first device this user may not
    open (ending pyvirtualcam's scan) were each answered with the first other v4l2loopback device: the show's own
    input camera or camera output, or OBS's, refused next."""
    from loopback_model import ControlDevice, Webcam

    devices = {"/dev/video10": model(version), "/dev/video11": model(version), "/dev/video12": model(version),
               "/dev/video13": model(version)}
    devices["/dev/video0"] = ControlDevice() if case == "not-video" else Webcam()
    machine = loopback(devices)
    if case == "denied":  # pyvirtualcam's scan is left to pick only where the first device that takes output is free
        machine.denied.add("/dev/video0")
        first = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    else:
        _the_shows_input_and_obs_on_the_first_devices(machine)
        first = VirtualCamera(64, 48, 30, device="/dev/video12", backend="v4l2loopback-model")
    try:
        named = {"written": "/dev/video13", "webcam": "/dev/video0", "not-video": "/dev/video0", "denied": None}[case]
        if case == "written":  # ffmpeg writing, as pyvirtualcam does, and still open
            from loopback_model import VIDIOC_S_FMT, format_buffer

            fd = machine.open("/dev/video13", os.O_WRONLY, "ffmpeg (pid 77)")
            machine.ioctl(fd, VIDIOC_S_FMT, format_buffer(64, 48, b"YU12"))
            machine.write(fd, bytes(64 * 48 * 3 // 2))
            machine.devices["/dev/video14"] = model(version)
        with pytest.raises(VcamError) as err:
            one_run(named)
    finally:
        first.close()
    free = {"written": "/dev/video14", "denied": "/dev/video11"}.get(case, "/dev/video13")
    assert f"--out vcam:{free}" in err.value.fix, err.value.fix
    assert len(re.findall(r"vcam:/dev/video\d+", err.value.fix)) == 1, err.value.fix


@linux_only
@pytest.mark.parametrize("case", ["webcam", "not-video"])
def test_a_refusal_with_every_loopback_device_in_use_says_to_make_one_not_to_install_it(loopback, case):
    from loopback_model import ControlDevice, Webcam

    machine = loopback({"/dev/video0": ControlDevice() if case == "not-video" else Webcam(),
                        "/dev/video10": model("0.12.7"), "/dev/video11": model("0.12.7")})
    _the_shows_input_and_obs_on_the_first_devices(machine)
    with pytest.raises(VcamError) as err:
        one_run("/dev/video0")
    assert "--out vcam:" not in err.value.fix and "devices=2" in err.value.fix and "apt install" not in err.value.fix


@linux_only
def test_the_input_camera_passed_into_a_container_under_another_name_is_never_its_camera_output(loopback, monkeypatch):
    """docker run --device /dev/video10:/dev/cam0, then --in camera:/dev/cam0 --out vcam:/dev/cam0: the check for
    the show's own input knew a video node by its name alone (videoN), so the output was opened on the input camera
    and the show fed on its own frames."""
    import stat

    from loopback_model import Loopback0127

    real_stat = os.stat

    def node_stat(path, *args, **kwargs):  # /dev/cam0 as docker makes it: video4linux's character device 81
        if os.fspath(path) == "/dev/cam0":
            return os.stat_result((stat.S_IFCHR | 0o660, 0, 0, 1, 0, 44, 0, 0, 0, 0), {"st_rdev": os.makedev(81, 10)})
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", node_stat)
    machine = loopback({"/dev/cam0": Loopback0127(), "/dev/video11": Loopback0127()})
    machine.reader("/dev/cam0", program="vcam", flags=os.O_RDWR | os.O_NONBLOCK)  # the show's input camera
    with pytest.raises(VcamError) as err:
        one_run("/dev/cam0")
    assert "/dev/cam0 is this show's input camera" in err.value.message
    assert "--out vcam:/dev/video11" in err.value.fix
    assert one_run().name == "vcam:/dev/video11"


@linux_only
@pytest.mark.parametrize("keeps_it_open", [True, False], ids=["kept-open", "closed"])
def test_a_format_another_program_set_before_the_show_went_on_air_stops_the_camera_with_a_message(loopback, capfd,
                                                                                                  keeps_it_open):
    """v4l2loopback 0.12.7: between vcam's S_FMT (at open, before the model loads) and its first write, OBS's Virtual
    Camera, started meanwhile, set its own size; its S_FMT failed but left the device's size changed. Every frame of
    vcam's then failed (pyvirtualcam printed "error writing frame" with no line end, and each frame counted as
    sent), or, once OBS had closed, went into buffers of OBS's size, garbled, with nothing said."""
    from loopback_model import VIDIOC_S_FMT, Loopback0127, format_buffer

    machine = loopback({"/dev/video10": Loopback0127()})
    cam = VirtualCamera(64, 48, 30, device="/dev/video10", backend="v4l2loopback-model")
    try:
        obs = machine.open("/dev/video10", os.O_RDWR, "obs (pid 4242)")
        with pytest.raises(OSError):
            machine.ioctl(obs, VIDIOC_S_FMT, format_buffer(1280, 720, b"YU12"))
        if not keeps_it_open:
            machine.close(obs)
        with pytest.raises(VcamError) as err:
            cam.went_on_air()
    finally:
        cam.close()
    if keeps_it_open:  # a writer: sent at its size, the next run was refused as the device was taken
        assert "/dev/video10 is taken: obs (pid 4242) (OBS's own Virtual Camera) writes to it" in err.value.message
        assert "Stop Virtual Camera" in err.value.fix and "1280x720" not in err.value.fix
    else:
        assert "/dev/video10 holds the format 1280x720 YU12, not the 64x48 YU12 vcam sends" in err.value.message
        assert "--out vcam:/dev/video10@1280x720" in err.value.fix
    assert "error writing frame" not in capfd.readouterr().err


def show_on_model_cameras(monkeypatch, out, after_the_card, width=64, height=48, beside=()):
    """A show (the on-air loop, the camera's opener and its worker) on `out`, pyvirtualcam writing to the model's
    devices: the loading card goes out from the open on, `after_the_card` runs on the camera's thread once the card
    has been written to it (OBS's Virtual Camera started while the model loads), then two blocks of the show come.
    `beside`: the show's other outputs (a window is one that keeps its frames). Returns the exit code (or the error
    the show raised) and what the show said."""
    import io
    import threading
    from types import SimpleNamespace

    from vcam.live import outputs
    from vcam.live.outputs import camera
    from vcam.live.onair import AirSettings, OnAir
    from vcam.live.status import StatusLine

    card_sent = threading.Event()

    class ModelCamera(VirtualCamera):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, backend="v4l2loopback-model", **kwargs)

        def send(self, frame, tick):
            super().send(frame, tick)
            if not card_sent.is_set():
                after_the_card()
                card_sent.set()

    monkeypatch.setattr(camera, "VirtualCamera", ModelCamera)
    monkeypatch.setitem(outputs.OPENERS, "window", lambda spec, w, h, fps: Capture(str(spec)))
    said = io.StringIO()
    outs = [outputs.parse_spec(o) for o in (out, *beside)]
    air = OnAir(AirSettings(outs=outs, width=width, height=height, fps=60, stdin=False), StatusLine(said))

    class Feed:
        pushed = 0

        def start(self):
            pass

        def poll(self, stats):
            if card_sent.is_set():
                air.pacer.push(np.full((4, height, width, 3), 200, np.uint8))
                self.pushed += 1
            return self.pushed > 2

        def status(self, stats, out_fps, failed):
            return ""

        def stop(self):
            pass

    try:
        code = air.run(Feed(), lambda line, source: None, SimpleNamespace(screen="live"))
    except VcamError as e:
        code = e
    return code, said.getvalue()


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_writer_that_started_on_the_device_while_the_model_loaded_stops_the_camera_as_the_show_goes_on_air(
        loopback, monkeypatch, version):
    """OBS's Virtual Camera started at vcam's size while the model loaded, the loading card on the camera: both
    programs' frames then alternated in the camera, with nothing said (looked at as the card's first frame went
    out, before OBS had started, the device had no other writer)."""
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    code, said = show_on_model_cameras(monkeypatch, "vcam:/dev/video10",
                                       lambda: machine.streaming_writer("/dev/video10"), beside=["window"])
    assert "/dev/video10 is taken: obs (pid 4242) (OBS's own Virtual Camera) writes to it" in said
    assert "Stop Virtual Camera" in said and "--out vcam:/dev/video11" in said
    assert code == 1
    import cv2

    show = cv2.cvtColor(np.full((48, 64, 3), 200, np.uint8), cv2.COLOR_RGB2YUV_I420).tobytes()
    assert show not in machine.devices["/dev/video10"].frames  # the loading card's alone mixed with OBS's


@linux_only
def test_a_camera_taken_as_the_show_goes_on_air_offers_another_device_at_the_size_given(loopback, monkeypatch):
    """--out vcam:/dev/video10@64x48 on a show of another size: the device offered once OBS took it while the model
    loaded came without the size, and typed as said brought the camera up at the show's size."""
    machine = loopback({"/dev/video10": model("0.13.2"), "/dev/video11": model("0.13.2")})
    code, said = show_on_model_cameras(monkeypatch, "vcam:/dev/video10@64x48",
                                       lambda: machine.streaming_writer("/dev/video10"), width=32, height=16)
    assert isinstance(code, VcamError) and said.count("is taken") == 0  # said once, by the command line
    assert "/dev/video10 is taken" in code.message and "--out vcam:/dev/video11@64x48" in code.fix


@linux_only
@pytest.mark.parametrize("beside", [[], ["null"]], ids=["alone", "beside-null"])
def test_a_camera_alone_taken_as_the_show_goes_on_air_ends_the_show_as_one_taken_at_the_start(loopback, monkeypatch,
                                                                                           beside):
    """OBS's Virtual Camera took the show's only camera while the model loaded: the camera was said stopped, "the
    show goes on", and the show ran on with nothing to show on (the same writer found at the open refuses the show
    with its message and fix): it ends on the error, raised for the command line to say once (exit code 2)."""
    machine = loopback({"/dev/video10": model("0.12.7"), "/dev/video11": model("0.12.7")})
    ended, said = show_on_model_cameras(monkeypatch, "vcam:/dev/video10",
                                        lambda: machine.streaming_writer("/dev/video10"), beside=beside)
    assert isinstance(ended, VcamError), said
    assert "/dev/video10 is taken: obs (pid 4242) (OBS's own Virtual Camera) writes to it" in ended.message
    assert "Stop Virtual Camera" in ended.fix and "--out vcam:/dev/video11" in ended.fix
    assert "the show goes on" not in said and "is taken" not in said and "FAILED" not in said


def taken_after_the_card(monkeypatch, machine, device="/dev/video10"):
    """OBS's Virtual Camera starts on `device` once vcam's loading card has been written to it (pyvirtualcam writing
    to the model's devices). Returns the handles OBS opens."""
    from vcam.live.outputs import camera

    opened = []

    class ModelCamera(VirtualCamera):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, backend="v4l2loopback-model", **kwargs)
            self.card = True

        def send(self, frame, tick):
            super().send(frame, tick)
            if self.card:
                self.card = False
                opened.append(machine.streaming_writer(device))

    monkeypatch.setattr(camera, "VirtualCamera", ModelCamera)
    return opened


@linux_only
def test_a_camera_alone_taken_as_a_shows_model_goes_on_air_ends_it_once_the_model_is_left(loopback, monkeypatch,
                                                                                         capsys):
    """The error came out of the show with the generator still inside its block: the inputs were closed under it and
    the process aborted ('terminate called without an active exception', exit code 134). It ends as a show that
    never went on air does: exit code 2, the error said once, the generator out of the model first."""
    import io
    import threading

    from vcam.cli import main
    from vcam.live.run import RunOptions, play

    machine = loopback({"/dev/video10": model("0.12.7"), "/dev/video11": model("0.12.7")})
    obs = taken_after_the_card(monkeypatch, machine)
    before = set(threading.enumerate())
    ended = play(RunOptions(model="tiny", outs=["vcam:/dev/video10"], duration=4, stdin=False,
                            status_out=io.StringIO()))
    ended.settle()
    assert ended.code == 2 and "/dev/video10 is taken: obs (pid 4242)" in ended.error.message
    assert "--out vcam:/dev/video11" in ended.error.fix
    assert not [t for t in threading.enumerate() if t not in before and t.name == "generator"]

    machine.close(obs.pop())  # OBS stopped its camera; then started it again as the next show loaded
    assert main(["run", "--model", "tiny", "--out", "vcam:/dev/video10", "--no-stdin", "--duration", "4"]) == 2
    err = capsys.readouterr().err
    assert err.count("/dev/video10 is taken") == 1 and "Stop Virtual Camera" in err, err
    assert not [t for t in threading.enumerate() if t not in before and t.name == "generator"]


@linux_only
def test_a_served_shows_camera_taken_as_it_goes_on_air_stops_and_the_show_goes_on_for_its_clients(loopback,
                                                                                                monkeypatch, capsys):
    """vcam serve with its one camera: the server is an output too, yet the camera counted as all the show had, so
    a camera taken as the show went on air ended the show for every client. Only the camera stops (exit code 1)."""
    from helpers import free_port
    from vcam.cli import main

    machine = loopback({"/dev/video10": model("0.12.7"), "/dev/video11": model("0.12.7")})
    taken_after_the_card(monkeypatch, machine)
    assert main(["serve", "--model", "tiny", "--port", str(free_port()), "--out", "vcam:/dev/video10",
                 "--no-stdin", "--duration", "1"]) == 1
    err = capsys.readouterr().err
    assert "failed and is stopped: /dev/video10 is taken: obs (pid 4242)" in err and "vcam: error" not in err, err


@linux_only
def test_a_missing_device_named_by_its_path_is_made_as_that_device_by_the_fix(loopback):
    """`--out vcam:/dev/video9` on a machine with no v4l2loopback device: the fix made /dev/video10 and said to start
    vcam with it, where the show (its script, OBS's source) names /dev/video9."""
    loopback({})
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device="/dev/video9", backend="v4l2loopback-model")
    assert "video_nr=9 " in err.value.fix and "start vcam with --out vcam:/dev/video9." in err.value.fix
    assert "video10" not in err.value.fix
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, backend="v4l2loopback-model")
    assert "video_nr=10 " in err.value.fix and "--out vcam:/dev/video10." in err.value.fix
    with pytest.raises(VcamError) as err:  # made as /dev/video9: vcam was told to start with /dev/video09, not there
        VirtualCamera(64, 48, 30, device="/dev/video09", backend="v4l2loopback-model")
    assert "video_nr=9 " in err.value.fix and "start vcam with --out vcam:/dev/video9." in err.value.fix


@linux_only
def test_the_device_offered_for_a_taken_one_is_found_in_one_walk_through_the_programs(loopback, monkeypatch):
    """The free device offered in place of a taken one walked every program's handles (/proc/PID/fd) once per
    device: about a second for eight devices on a desktop of 500 programs, on each refusal. The device offered is
    the same: the first one that no program writes to."""
    from vcam.live import devicehandles
    from vcam.live.outputs import v4l2loopback

    machine = loopback({f"/dev/video{n}": model("0.12.7") for n in range(10, 18)})
    for n in range(10, 16):
        machine.streaming_writer(f"/dev/video{n}", program=f"obs (pid {4000 + n})")
    machine.reader("/dev/video16", program="chrome (pid 99)")
    walks = []
    real_glob = devicehandles.glob.glob

    def counted(pattern, *args, **kwargs):
        walks.append(pattern)
        return real_glob(pattern, *args, **kwargs)

    monkeypatch.setattr(devicehandles.glob, "glob", counted)
    checked = v4l2loopback.Checked(machine.calls)
    assert v4l2loopback._free_device("/dev/video10", checked) == "/dev/video16"
    assert len(walks) == 1, walks


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_device_a_reader_holds_to_a_size_vcam_cannot_send_is_not_offered_at_that_size(loopback, version,
                                                                                       monkeypatch, capsys):
    """A browser still open after an earlier writer (ffmpeg at 33x25) holds /dev/video11 to 33x25: the fix for the
    taken /dev/video10 offered --out vcam:/dev/video11@33x25, and `vcam devices` "send that size", which vcam
    refuses as odd before it opens the camera."""
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    machine.reader("/dev/video11", program="chrome (pid 99)")
    machine.close(machine.streaming_writer("/dev/video11", 33, 25, program="ffmpeg (pid 77)"))
    machine.streaming_writer("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "33x25" not in err.value.fix and "--out vcam:/dev/video11" not in err.value.fix, err.value.fix
    assert "give vcam a device of its own" in err.value.fix
    held = next(line for line in vcam_devices(monkeypatch, capsys) if line.startswith("  /dev/video11"))
    assert "send that size" not in held and "@33x25" not in held
    assert held.endswith("holds 33x25 YU12, which vcam does not send (it sends even sizes, from 16x16 to 7680x4320): "
                         "close chrome (pid 99), then start vcam"), held
    with pytest.raises(VcamError) as err:  # named, at another size: the browser keeps its format
        one_run("/dev/video11")
    assert "holds the format 33x25 YU12" in err.value.message
    assert "33x25" not in err.value.fix and "close chrome (pid 99)" in err.value.fix, err.value.fix


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("free", [False, True], ids=["only-a-held-one", "a-free-one-too"])
def test_a_device_a_reader_holds_to_another_size_is_offered_last_and_with_that_size(loopback, version, free):
    """/dev/video10 taken by OBS, /dev/video11 held at 32x24 by a browser still open after an earlier writer: the
    fix offered --out vcam:/dev/video11, which the next run refused as holding 32x24, not the 64x48 vcam sends."""
    devices = {"/dev/video10": model(version), "/dev/video11": model(version)}
    if free:
        devices["/dev/video12"] = model(version)
    machine = loopback(devices)
    machine.reader("/dev/video11", program="chrome (pid 99)")
    earlier = VirtualCamera(32, 24, 30, device="/dev/video11", backend="v4l2loopback-model")
    earlier.send(gradient(32, 24), 0)
    earlier.close()
    machine.streaming_writer("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    offered = re.search(r"--out vcam:(/dev/video\d+)(?:@(\d+)x(\d+))?", err.value.fix)
    assert offered[0] == ("--out vcam:/dev/video12" if free else "--out vcam:/dev/video11@32x24"), err.value.fix
    width, height = (int(offered[2]), int(offered[3])) if offered[2] else (64, 48)
    cam = VirtualCamera(width, height, 30, device=offered[1], backend="v4l2loopback-model")  # the offer is taken
    cam.send(gradient(width, height), 0)
    cam.close()


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_device_a_reader_holds_to_another_pixel_format_is_not_offered_for_a_refused_one(loopback, version):
    """No size makes a device held to YUYV take vcam's frames: it is no device to offer."""
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    ffmpeg = write_another_pixel_format(machine, "/dev/video11")
    machine.reader("/dev/video11")
    machine.close(ffmpeg)
    machine.streaming_writer("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video10")
    assert "/dev/video11" not in err.value.fix and "devices=2" in err.value.fix


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_device_that_is_not_there_is_not_answered_with_one_obs_writes_to(loopback, version):
    """--out vcam:/dev/video12 with OBS's Virtual Camera on /dev/video10 was told "e.g. --out vcam:/dev/video10",
    which the next run refused as taken."""
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    machine.streaming_writer("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video12")
    assert "there is no device /dev/video12" in err.value.message
    assert "e.g. --out vcam:/dev/video11 (vcam devices" in err.value.fix and "video10" not in err.value.fix
    machine.streaming_writer("/dev/video11", program="obs (pid 4243)")
    with pytest.raises(VcamError) as err:
        one_run("/dev/video12")
    assert "each one this show does not use is held by another program" in err.value.message
    assert "--out vcam:" not in err.value.fix and "devices=2" in err.value.fix


@linux_only
@pytest.mark.parametrize("named", ["/dev/video12", "vcam"])
@pytest.mark.parametrize("held", [False, True], ids=["both-shut", "one-held"])
def test_a_device_that_is_not_there_with_devices_this_user_may_not_open_says_so_with_the_video_group(loopback, named,
                                                                                                    held):
    """Not in the video group, --out vcam:/dev/video12 was told each device "is held by another program", with the
    modprobe line for two devices: the two there would take vcam's frames once the user may open them."""
    machine = loopback({"/dev/video10": model("0.12.7"), "/dev/video11": model("0.12.7")})
    machine.denied.add("/dev/video11")
    if held:
        machine.streaming_writer("/dev/video10")
    else:
        machine.denied.add("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run(named)
    assert f"there is no device {named}" in err.value.message and "each one this show" not in err.value.message
    shut = "/dev/video11" if held else "/dev/video10, /dev/video11"
    assert f"this user may not open {shut}" in err.value.message
    assert err.value.fix.startswith("add yourself to the video group") and "devices=2" not in err.value.fix
    offered = re.search(r"--out vcam:(\S+)", err.value.fix)[1]
    machine.denied.clear()  # in the video group
    assert one_run(offered).name == f"vcam:{shut.split(', ')[0]}"


def take_the_offer(fix):
    """Runs the device a fix offers as the user would type it back (with its size where it names one)."""
    offered = re.search(r"--out vcam:(/dev/video\d+)(?:@(\d+)x(\d+))?(?=[\s,)]|$)", fix)
    assert offered, fix
    width, height = (int(offered[2]), int(offered[3])) if offered[2] else (64, 48)
    cam = VirtualCamera(width, height, 30, device=offered[1], backend="v4l2loopback-model")
    cam.send(gradient(width, height), 0)
    cam.close()
    return cam.name


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("typed", ["10", "video10", "OBS Cam"])
def test_a_device_named_by_the_number_or_label_of_one_obs_writes_to_says_it_is_taken(loopback, version, typed):
    """OBS's Virtual Camera on /dev/video10: --out vcam:10 was told "e.g. --out vcam:/dev/video10", which the next run
    refused as taken by OBS."""
    machine = loopback({"/dev/video10": labelled(model(version), "OBS Cam"), "/dev/video11": model(version)})
    machine.streaming_writer("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run(typed)
    assert f"there is no device {typed}" in err.value.message
    assert "the one it names is /dev/video10" in err.value.message
    assert "it is taken: obs (pid 4242)" in err.value.message
    assert err.value.fix.startswith("stop OBS's Virtual Camera") and "--out vcam:/dev/video10" not in err.value.fix
    assert take_the_offer(err.value.fix) == "vcam:/dev/video11"


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("typed", ["11", "video11"])
def test_a_device_named_by_the_number_of_one_a_reader_holds_to_another_size_is_offered_with_that_size(loopback,
                                                                                                     version, typed):
    """A browser holds /dev/video11 at 32x24: --out vcam:11 was told "e.g. --out vcam:/dev/video11", which the next
    run refused as holding 32x24, not the 64x48 vcam sends."""
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    machine.reader("/dev/video11", program="chrome (pid 99)")
    earlier = VirtualCamera(32, 24, 30, device="/dev/video11", backend="v4l2loopback-model")
    earlier.send(gradient(32, 24), 0)
    earlier.close()
    with pytest.raises(VcamError) as err:
        one_run(typed)
    assert "e.g. --out vcam:/dev/video11@32x24 (vcam devices" in err.value.fix
    assert take_the_offer(err.value.fix) == "vcam:/dev/video11"


@linux_only
@pytest.mark.parametrize("version", VERSIONS)
def test_a_device_named_by_the_number_of_one_held_to_another_pixel_format_offers_another(loopback, version):
    machine = loopback({"/dev/video10": model(version), "/dev/video11": model(version)})
    ffmpeg = write_another_pixel_format(machine, "/dev/video11")
    machine.reader("/dev/video11", program="chrome (pid 99)")
    machine.close(ffmpeg)
    with pytest.raises(VcamError) as err:
        one_run("11")
    assert "the one it names is /dev/video11, which holds 64x48 YUYV" in err.value.message
    assert err.value.fix.startswith("close chrome (pid 99), then name it by its path (/dev/video11)")
    assert take_the_offer(err.value.fix) == "vcam:/dev/video10"


@linux_only
def test_a_device_named_by_the_number_of_one_this_user_may_not_open_gives_the_video_group(loopback):
    machine = loopback({"/dev/video10": model("0.12.7"), "/dev/video11": model("0.12.7")})
    machine.denied.add("/dev/video10")
    with pytest.raises(VcamError) as err:
        one_run("10")
    assert "the one it names is /dev/video10, which this user may not open" in err.value.message
    assert err.value.fix.startswith("add yourself to the video group")
    machine.denied.clear()  # in the video group
    assert take_the_offer(err.value.fix) == "vcam:/dev/video10"


@linux_only
@pytest.mark.parametrize("size", [(64, 48), (1920, 1080)])
@pytest.mark.parametrize("reader", [False, True], ids=["none-open", "a-reader-open"])
def test_a_format_another_program_set_while_vcam_started_says_so_and_to_start_again(loopback, size, reader):
    """0.12.7: OBS's Virtual Camera set 1280x720 between vcam's open and the show's first frame, then closed. At
    1920x1080 vcam said the module's max_width x max_height was below 1920x1080 and to reload it with room (its limit
    is 8192), and at 64x48 to reload it so that it forgets the format: a plain rerun sets vcam's own."""
    from loopback_model import VIDIOC_S_FMT, Loopback0127, format_buffer

    machine = loopback({"/dev/video10": Loopback0127(), "/dev/video11": Loopback0127()})
    cam = VirtualCamera(*size, 30, device="/dev/video10", backend="v4l2loopback-model")
    if reader:
        machine.reader("/dev/video10", program="chrome (pid 99)")
    obs = machine.open("/dev/video10", os.O_RDWR, "obs (pid 4242)")
    with pytest.raises(OSError):
        machine.ioctl(obs, VIDIOC_S_FMT, format_buffer(1280, 720, b"YU12"))
    machine.close(obs)
    cam.send(gradient(*size), 0)  # the loading card
    with pytest.raises(VcamError) as err:
        cam.went_on_air()
    cam.close()
    assert "another program set it while vcam started" in err.value.message
    assert "max_width" not in err.value.fix and "modprobe" not in err.value.fix
    if reader:
        assert "close chrome (pid 99) and start vcam again" in err.value.fix
        return
    assert err.value.fix.startswith("start vcam again")
    again = VirtualCamera(*size, 30, device="/dev/video10", backend="v4l2loopback-model")
    again.send(gradient(*size), 0)
    again.went_on_air()
    again.close()
    assert len(machine.devices["/dev/video10"].frames[-1]) == size[0] * size[1] * 3 // 2
