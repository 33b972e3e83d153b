"""The virtual camera output (pyvirtualcam): v4l2loopback on Linux, OBS Virtual Camera on Windows and macOS."""
from __future__ import annotations

import glob
import os
import platform
import struct

import numpy as np

from vcam.errors import VcamError

V4L2_BUF_TYPE_VIDEO_OUTPUT = 2
VIDIOC_G_FMT = 0xC0D05604  # _IOWR('V', 4, struct v4l2_format), 208 bytes
VIDIOC_STREAMOFF = 0x40045613  # _IOW('V', 19, int)

MODPROBE = 'sudo modprobe v4l2loopback devices=1 video_nr=10 card_label="vcam" exclusive_caps=1'


def no_device_help(system: str | None = None) -> str:
    """How to make a virtual camera on this OS."""
    system = system or platform.system()
    if system == "Linux":
        return (
            "create a v4l2loopback device: install it (Debian/Ubuntu: sudo apt install v4l2loopback-dkms), then run\n"
            f"    {MODPROBE}\n"
            "  and start vcam with --out vcam:/dev/video10. In a container with no camera device, record with "
            "--out file:show.mp4, or run without a camera with --out null"
        )
    return (
        "install OBS Studio (28 or newer), start its Virtual Camera once and stop it again, so the camera is "
        "registered; then run vcam while OBS's own virtual camera is off"
    )


def loopback_devices() -> list[str]:
    """/dev/videoN nodes that belong to v4l2loopback (Linux)."""
    found = []
    for name_file in sorted(glob.glob("/sys/devices/virtual/video4linux/video*/name")):
        found.append("/dev/" + os.path.basename(os.path.dirname(name_file)))
    return found


def release_exclusive_caps(device: str) -> None:
    """Makes a v4l2loopback device with exclusive_caps=1 accept a new writer after the last one closed.

    v4l2loopback 0.12 stops advertising output once its first writer closes; asking for the output format and
    turning streaming off on a read-write handle restores it. Best effort: any failure leaves the device as is.
    """
    import fcntl  # Linux only, like this function: a module-level import would break Windows and macOS

    try:
        fd = os.open(device, os.O_RDWR | os.O_NONBLOCK)
    except OSError:
        return
    try:
        fmt = bytearray(208)
        struct.pack_into("I", fmt, 0, V4L2_BUF_TYPE_VIDEO_OUTPUT)
        for request, arg in ((VIDIOC_G_FMT, fmt), (VIDIOC_STREAMOFF, struct.pack("I", V4L2_BUF_TYPE_VIDEO_OUTPUT))):
            try:
                fcntl.ioctl(fd, request, arg)
            except OSError:
                pass
    finally:
        os.close(fd)


def holders(device: str, proc: str = "/proc") -> list[str]:
    """The programs (name and pid) that have `device` open, among those this user may look into. Turning streaming
    off on a loopback device another program writes to (OBS's own virtual camera) would knock that writer off and
    let two programs write into one camera; readers and writers look the same from here."""
    try:
        target = os.path.realpath(device)
    except OSError:
        return []
    found = []
    for fd_dir in glob.glob(os.path.join(proc, "[0-9]*", "fd")):
        pid_dir = os.path.dirname(fd_dir)
        if int(os.path.basename(pid_dir)) == os.getpid():
            continue
        try:
            links = os.listdir(fd_dir)
        except OSError:  # another user's process, or gone
            continue
        for fd in links:
            try:
                if os.readlink(os.path.join(fd_dir, fd)) == target:
                    with open(os.path.join(pid_dir, "comm"), encoding="utf-8", errors="replace") as f:
                        found.append(f"{f.read().strip()} (pid {os.path.basename(pid_dir)})")
                    break
            except OSError:
                continue
    return found


def _converter(fmt):
    """RGB -> the camera's native pixel format, or None when RGB is what it takes."""
    import cv2
    from pyvirtualcam import PixelFormat

    table = {
        PixelFormat.BGR: lambda f: cv2.cvtColor(f, cv2.COLOR_RGB2BGR),
        PixelFormat.I420: lambda f: cv2.cvtColor(f, cv2.COLOR_RGB2YUV_I420),
        PixelFormat.GRAY: lambda f: cv2.cvtColor(f, cv2.COLOR_RGB2GRAY),
        PixelFormat.NV12: _rgb_to_nv12,
        PixelFormat.YUYV: lambda f: _rgb_to_packed(f, "YUYV"),
        PixelFormat.UYVY: lambda f: _rgb_to_packed(f, "UYVY"),
    }
    return table.get(fmt)


def _rgb_to_nv12(frame: np.ndarray) -> np.ndarray:
    import cv2

    h, w = frame.shape[:2]
    i420 = cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).reshape(-1)
    y, u, v = i420[: h * w], i420[h * w : h * w * 5 // 4], i420[h * w * 5 // 4 :]
    uv = np.empty(u.size * 2, dtype=np.uint8)
    uv[0::2], uv[1::2] = u, v
    return np.concatenate([y, uv])


def _rgb_to_packed(frame: np.ndarray, order: str) -> np.ndarray:
    """4:2:2 packed YUV in the same limited-range BT.601 as I420 (chroma rows of I420 repeated)."""
    import cv2

    h, w = frame.shape[:2]
    i420 = cv2.cvtColor(frame, cv2.COLOR_RGB2YUV_I420).reshape(-1)
    y = i420[: h * w].reshape(h, w)
    u = np.repeat(i420[h * w : h * w * 5 // 4].reshape(h // 2, w // 2), 2, axis=0)
    v = np.repeat(i420[h * w * 5 // 4 :].reshape(h // 2, w // 2), 2, axis=0)
    out = np.empty((frame.shape[0], frame.shape[1] // 2, 4), dtype=np.uint8)
    if order == "YUYV":
        out[..., 0], out[..., 1], out[..., 2], out[..., 3] = y[:, 0::2], u, y[:, 1::2], v
    else:
        out[..., 0], out[..., 1], out[..., 2], out[..., 3] = u, y[:, 0::2], v, y[:, 1::2]
    return out.reshape(-1)


class VirtualCamera:
    """A pyvirtualcam camera fed RGB frames, converted once to the pixel format its backend uses natively."""

    def __init__(self, width: int, height: int, fps: float, device: str | None = None, backend: str | None = None):
        import pyvirtualcam
        from pyvirtualcam import PixelFormat

        if width % 2 or height % 2:
            # The formats most backends use natively (I420, NV12, YUYV) share colour between pixel pairs: an odd
            # size would open, then fail on every frame.
            spec = f"vcam:{device}" if device else "vcam"
            raise VcamError(f"camera size {width}x{height} must be even in both directions",
                            f"use {spec}@{width - width % 2}x{height - height % 2}")
        held: list[str] = []  # loopback devices left alone because other programs have them open
        if platform.system() == "Linux":
            if device:  # named: reset even while OBS or a browser reads it (a restarted show must get it back)
                release_exclusive_caps(device)
            else:  # any free one: devices other programs have open (OBS writing to its own camera) are left alone
                for dev in loopback_devices():
                    if holders(dev):
                        held.append(dev)
                    else:
                        release_exclusive_caps(dev)
        try:
            cam = pyvirtualcam.Camera(width, height, fps, fmt=PixelFormat.RGB, device=device, backend=backend)
            native = cam.native_fmt
            if native not in (None, PixelFormat.RGB) and _converter(native) is not None:
                opened = cam.device
                cam.close()
                if platform.system() == "Linux" and opened.startswith("/dev/"):
                    release_exclusive_caps(opened)
                cam = pyvirtualcam.Camera(width, height, fps, fmt=native, device=device, backend=backend)
        except RuntimeError as e:
            detail = str(e).strip().splitlines()[-1] if str(e).strip() else "no backend"
            if "shared_queue_check" in str(e):
                raise VcamError(f"the OBS virtual camera is busy ({detail})",
                                "stop OBS's own Virtual Camera (in OBS: Stop Virtual Camera), then run vcam again"
                                ) from None
            where = f" {device}" if device else ""
            if "not a video output device" in str(e):
                raise VcamError(f"{device or 'the camera device'} cannot take vcam's frames ({detail})",
                                "it is a real webcam, or another program is writing to it: pick a v4l2loopback "
                                "device that is free (vcam devices lists them)") from None
            fix = no_device_help()
            if held:
                fix = (f"{', '.join(held)} {'is' if len(held) == 1 else 'are'} open in another program (OBS, a "
                       f"browser) and left alone when no device is named; to use one anyway, name it: "
                       f"--out vcam:{held[0]}")
            raise VcamError(f"no virtual camera{where} could be opened ({detail})", fix) from None
        self._cam = cam
        self._convert = _converter(cam.fmt) if cam.fmt != PixelFormat.RGB else None
        self.name = f"vcam:{cam.device}"
        self.pixel_format = str(cam.fmt)

    def send(self, frame: np.ndarray, tick: int) -> None:
        self._cam.send(self._convert(frame) if self._convert else frame)

    def close(self) -> None:
        self._cam.close()
