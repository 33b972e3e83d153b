"""The virtual camera output (pyvirtualcam): v4l2loopback on Linux, OBS Virtual Camera on Windows and macOS. What vcam
knows of v4l2loopback devices (the reset before opening one, their formats, what a refusal means) is v4l2loopback.py."""
from __future__ import annotations

import os
import re
import stat

import numpy as np

from vcam.errors import VcamError
from vcam.live.frames import Repeated
from vcam.words import shell_word
from vcam.live.outputs import v4l2loopback


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


VIDEO_FILE_EXTENSIONS = (".mp4", ".mov", ".mkv", ".webm", ".avi", ".m4v")
DEVICE_FOLDER = "/dev"


def _in_device_folder(path: str) -> bool:
    return os.path.dirname(os.path.abspath(path)) == DEVICE_FOLDER


def refuse_a_file(device: str | None) -> None:
    """VcamError where `device` names a file or a folder, not a camera: `vcam:show.mp4` typed for `file:show.mp4`
    was said as a camera that could not be opened, with the paragraph that installs v4l2loopback."""
    video_name = os.path.splitext(device or "")[1].lower() in VIDEO_FILE_EXTENSIONS
    if not device or (os.sep not in device and not video_name):  # a bare name is a device's (its label, OBS's)
        return
    try:
        mode = os.stat(device).st_mode
    except OSError:  # not there: a device's name (OBS's), or a video file's, said below
        mode = None
    if mode is not None and (stat.S_ISCHR(mode) or not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))):
        return
    if mode is None and not video_name:
        return
    if mode is not None and stat.S_ISREG(mode) and _in_device_folder(device):
        # /dev/video10 as a plain file: written by a program (ffmpeg) while no such device was made; recording over
        # it, as said for any other file, left the camera missing still
        number = re.fullmatch(r"video(\d+)", os.path.basename(device))
        load = v4l2loopback.MODPROBE.replace("video_nr=10", f"video_nr={number[1]}") if number else \
            v4l2loopback.MODPROBE
        raise VcamError(f"vcam:{device} is a plain file, not a camera device (a program wrote it there while the "
                        "device was not made)", f"remove it (sudo rm {device}), then make the camera: {load}")
    what = "a folder" if mode is not None and stat.S_ISDIR(mode) else "a file"
    record = (f"to record into it, use --out {shell_word('file:' + os.path.join(device, 'show.mp4'))}"
              if what == "a folder" else f"to record to it, use --out {shell_word('file:' + device)}")
    raise VcamError(f"vcam:{device} names {what}, not a camera device", f"{record}; a camera is a device, like "
                    "--out vcam:/dev/video10 on Linux (vcam devices lists them), or --out vcam for the first free one")


def keep_size(error: VcamError, width: int, height: int) -> VcamError:
    """`error` with the size given (@WxH) kept in each device its fix names: typed as said, `--out vcam:/dev/video10`
    would bring the camera up at the show's size instead. A device named with a size of its own is left as it is."""
    fix = re.sub(r"(--out vcam:/dev/video\d+)(?![@\d])", rf"\g<1>@{width}x{height}", error.fix)
    return error if fix == error.fix else VcamError(error.message, fix)


class VirtualCamera:
    """A pyvirtualcam camera fed RGB frames, converted once to the pixel format its backend uses natively."""

    def __init__(self, width: int, height: int, fps: float, device: str | None = None, backend: str | None = None,
                 sized: bool = False):
        """`sized`: the size was given with the device (@WxH), which the devices the fixes of its errors on air name
        keep (keep_size; the opener keeps it in those of the open's)."""
        import pyvirtualcam
        from pyvirtualcam import PixelFormat

        if width % 2 or height % 2:
            # The formats most backends use natively (I420, NV12, YUYV) share colour between pixel pairs: an odd
            # size would open, then fail on every frame.
            spec = f"vcam:{device}" if device else "vcam"  # OBS's is `vcam:OBS Virtual Camera`: one shell word
            raise VcamError(f"camera size {width}x{height} must be even in both directions",
                            f"use {shell_word(f'{spec}@{width - width % 2}x{height - height % 2}')}")
        refuse_a_file(device)  # before the reset, which opens the device to write
        checked = v4l2loopback.prepare(device)
        device = device or v4l2loopback.past_written(checked)
        try:
            cam = pyvirtualcam.Camera(width, height, fps, fmt=PixelFormat.RGB, device=device, backend=backend)
            native = cam.native_fmt
            if native not in (None, PixelFormat.RGB) and _converter(native) is not None:
                opened = cam.device
                cam.close()
                if checked.calls and opened.startswith("/dev/"):
                    checked.states[opened] = v4l2loopback.release_exclusive_caps(opened, checked.calls)
                cam = pyvirtualcam.Camera(width, height, fps, fmt=native, device=device, backend=backend)
        except RuntimeError as e:
            raise v4l2loopback.open_error(e, device, checked, v4l2loopback.Format(width, height, "YU12")) from None
        opened = cam.device
        try:
            v4l2loopback.refuse_a_written_device(opened, checked)
        except VcamError:
            cam.close()
            raise
        self._cam = cam
        self._size = (width, height) if sized else None
        # (device, format, what was checked, its writers) to look at again as the show goes on air; None off Linux
        self._unsent: tuple[str, v4l2loopback.Format, v4l2loopback.Checked, set] | None = None
        if checked.calls and opened.startswith("/dev/"):
            asked = v4l2loopback.Format(width, height, v4l2loopback.V4L2_FOURCC.get(cam.fmt.name, "YU12"))
            self._unsent = (opened, asked, checked, v4l2loopback.writers(opened, checked))
            self._refuse_a_format_kept()
        convert = _converter(cam.fmt)
        self._convert = Repeated(convert) if convert else None
        self.name = f"vcam:{cam.device}"
        self.pixel_format = str(cam.fmt)

    @property
    def conversions(self) -> int:
        """Frames converted to the camera's pixel format (a repeated one is not)."""
        return self._convert.made if self._convert else 0

    def _refuse_a_format_kept(self, written: bool = False) -> None:
        """VcamError (the camera closed) where (`written`) another program began writing to the device since it was
        opened, or where its format is not the one vcam's frames have. The writer first: OBS's Virtual Camera set its
        size as it started, and "send that size" named a device it writes to, which the next run refused as taken."""
        device, asked, checked, before = self._unsent
        try:
            if written:
                v4l2loopback.refuse_a_new_writer(device, checked, before)
            kept = v4l2loopback.device_format(device, checked.calls)
            if kept is not None and kept != asked:
                raise v4l2loopback.format_kept(device, asked, kept, checked.calls, since_open=written)
        except VcamError:
            self._cam.close()
            raise

    def went_on_air(self) -> None:
        """Before the show's first frame (once; the loading card came before it from the open on): while the model
        loaded, another program (OBS's Virtual Camera) may have begun writing to the device, which mixes its frames
        with vcam's (0.12) or, where it came before vcam's first write, fails each of vcam's (0.13, where pyvirtualcam
        only prints it), or set its own size, which 0.12 lets even an S_FMT that fails do: the frames then go in
        garbled, or fail too. Looked at once, not at each frame: it reads /proc."""
        if self._unsent is not None:
            try:
                self._refuse_a_format_kept(written=True)
            except VcamError as e:
                if self._size is None:
                    raise
                raise keep_size(e, *self._size) from None
            self._unsent = None

    def send(self, frame: np.ndarray, tick: int) -> None:
        self._cam.send(self._convert(frame) if self._convert else frame)

    def close(self) -> None:
        self._cam.close()
