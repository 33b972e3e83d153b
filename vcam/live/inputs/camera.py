"""A capture device as the stream's input (`camera`, `camera:N`, `camera:/dev/videoN`) through OpenCV: on Linux
any v4l2 device, a v4l2loopback one that OBS's virtual camera writes included.

A thread reads the device as fast as it gives frames and pushes them into a LiveFrames, which hands each block
its frames. When a read fails (the camera unplugged, OBS stopped), that is said once, the show goes on with the
last frames, and the thread tries to open the device again every `retry_s` until it is back (said too).
"""
from __future__ import annotations

import os
import platform
import threading
import time
from typing import Any, Callable, Protocol

import numpy as np

from vcam.live.inputs.live_frames import FIRST_WAIT_S, STALL_AFTER_S, LiveFrames
from vcam.live.inputs.source import InputError, Say

RETRY_S = 1.0
JOIN_S = 5.0  # a read can block in the driver: close() gives the thread this long, then leaves it (a daemon)


class Capture(Protocol):
    """What the camera needs of a cv2.VideoCapture (and a test double gives)."""

    def isOpened(self) -> bool: ...

    def read(self) -> tuple[bool, Any]: ...

    def release(self) -> None: ...


OpenCapture = Callable[[str], Capture]


def device_path(target: str) -> str | None:
    """The /dev node a target names on Linux ("" and "N" are /dev/videoN); None elsewhere."""
    if platform.system() != "Linux":
        return None
    return target if target.startswith("/") else f"/dev/video{int(target or 0)}"


HELD = ("a webcam opens in one program at a time: close the one that holds it (OBS, a browser, a call), or add "
        "it to OBS as a source and take OBS's virtual camera here instead")


def _fix(system: str | None = None, flag: str = "--in") -> str:
    if (system or platform.system()) == "Linux":
        return ("list the capture devices with `ls /dev/video*` or `v4l2-ctl --list-devices` and pick one: "
                f"{flag} camera:N or camera:/dev/videoN; an OBS virtual camera or a v4l2loopback device is one "
                "too")
    return "check that no other program holds the camera, or pick another one: camera:1, camera:2, …"


def _open_fix() -> str:
    """The fix for a device that is there and does not open or read: on Linux another program may hold it (V4L2
    refuses a second opener of a webcam), which the list of devices alone would not say."""
    fix = _fix()
    return f"{HELD}; or {fix}" if platform.system() == "Linux" else fix


def open_device(target: str, flag: str = "--in") -> Capture:
    """Opens camera `target` ("" for the first, an index, or a device path) with OpenCV; V4L2 on Linux. `flag`
    is the option a missing device's fix names: vcam cam's camera goes up with --send, not --in."""
    import cv2

    path = device_path(target)
    if path is not None and not os.path.exists(path):
        raise InputError(f"no capture device {path}", _fix(flag=flag))
    if path is not None and not os.access(path, os.R_OK | os.W_OK):
        raise InputError(f"no permission to open {path}",
                         "add yourself to the video group: sudo usermod -aG video $USER, then log in again")
    if path is not None:
        return cv2.VideoCapture(path, cv2.CAP_V4L2)
    if target.startswith("/"):
        raise InputError(f"camera:{target}: device paths are for Linux", "name the camera by its index: camera:0")
    return cv2.VideoCapture(int(target or 0), cv2.CAP_ANY)


def camera_name(target: str) -> str:
    return f"camera:{target}" if target else "camera"


# OpenCV's conversion to RGB of what a device gives, by its channels: most give BGR, an infrared or depth camera
# (Y8/GREY) one channel, some drivers BGRA
_TO_RGB = {1: "COLOR_GRAY2RGB", 3: "COLOR_BGR2RGB", 4: "COLOR_BGRA2RGB"}


def _rgb(frame: Any) -> np.ndarray | None:
    """A read frame as RGB uint8 [h, w, 3], or None where it is no picture."""
    import cv2

    if not isinstance(frame, np.ndarray) or frame.dtype != np.uint8 or frame.ndim not in (2, 3) or 0 in frame.shape:
        return None
    channels = 1 if frame.ndim == 2 else frame.shape[2]
    if channels not in _TO_RGB:
        return None
    return cv2.cvtColor(frame, getattr(cv2, _TO_RGB[channels]))


def _first_frame(open_capture: OpenCapture, target: str) -> tuple[Capture | None, np.ndarray | None]:
    """Opens the device and reads one frame: (capture, frame), or what failed as (capture or None, None)."""
    cap = open_capture(target)
    if not cap.isOpened():
        cap.release()
        return None, None
    try:
        ok, frame = cap.read()
    except BaseException:
        cap.release()
        raise
    return cap, _rgb(frame) if ok else None


class CameraSource:
    """`frames`, `status`, `close` of a live source. Raises InputError when the device does not open or gives no
    first frame; `open_capture` replaces OpenCV (a test double)."""

    def __init__(self, target: str, width: int, height: int, fit: str = "crop", say: Say = lambda text: None,
                 open_capture: OpenCapture | None = None, clock: Callable[[], float] = time.monotonic,
                 stall_after_s: float = STALL_AFTER_S, retry_s: float = RETRY_S):
        self.target, self.name, self.say = target, camera_name(target), say
        self.retry_s = retry_s
        self._open = open_capture or open_device
        self.live = LiveFrames(width, height, fit, name=self.name, clock=clock, stall_after_s=stall_after_s,
                               first_wait_s=FIRST_WAIT_S)
        cap, first = self._first()
        self.live.push(first)
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(cap,), name=f"vcam {self.name}", daemon=True)
        self._thread.start()

    def _first(self) -> tuple[Capture, np.ndarray]:
        try:
            cap, first = _first_frame(self._open, self.target)
        except InputError:
            raise
        except Exception as e:  # OpenCV's own error, an OSError: the device, not vcam
            raise InputError(f"cannot open {self.name} ({e})", _open_fix()) from e
        if cap is None:
            raise InputError(f"cannot open {self.name}", _open_fix())
        if first is None:
            cap.release()
            raise InputError(f"{self.name} opened but gives no frames",
                             "start what feeds it (OBS: Start Virtual Camera); " + _open_fix())
        return cap, first

    def _run(self, cap: Capture | None) -> None:
        try:
            while not self._stop.is_set():
                if cap is None:
                    cap = self._reopen()
                    continue
                try:
                    ok, bgr = cap.read()
                    frame = _rgb(bgr) if ok else None
                except Exception:  # an unplugged device can make OpenCV raise as well as return False
                    frame = None
                if frame is not None:
                    self.live.push(frame)
                    continue
                cap.release()
                cap = None
                if not self._stop.is_set():
                    self.lost = True
                    self.say(f"{self.name} lost: the show goes on with the last frames; waiting for it to come back")
        finally:
            if cap is not None:
                cap.release()

    def _reopen(self) -> Capture | None:
        """One try, after `retry_s`, to open the device again; the capture when it is back (its frame pushed)."""
        if self._stop.wait(self.retry_s):
            return None
        try:
            cap, frame = _first_frame(self._open, self.target)
        except Exception:  # still gone
            return None
        if frame is None:
            if cap is not None:
                cap.release()
            return None
        self.live.push(frame)
        self.lost = False
        self.say(f"{self.name} is back")
        return cap

    def restart(self) -> None:
        """The next block's frames are those captured from now on (LiveFrames.restart)."""
        self.live.restart()

    def frames(self, start: int, count: int) -> np.ndarray:
        return self.live.frames(start, count)

    def age(self) -> float | None:
        return self.live.age()

    def status(self) -> str:
        if self.lost:
            age = self.live.age() or 0.0
            return f"in {self.name} lost {age:.1f} s: reusing the last frames, reopening"
        return self.live.status()

    def close(self) -> None:
        """Stops the capture thread and releases the device (the thread does, once its read returns)."""
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(JOIN_S)
