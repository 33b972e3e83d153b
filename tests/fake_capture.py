"""A capture device a test controls, in place of OpenCV's: what it shows, unplugging it and plugging it back, and
the modes it has, which it chooses among as a real device does."""
from __future__ import annotations

import queue
import threading
import time

import cv2
import numpy as np

# What OpenCV's V4L2 backend asks a device for as it opens it, before anyone asks for more
OPEN_SIZE = (640, 480)
# A USB 2 webcam: raw YUYV only up to 640×480 (at 30 fps), HD as MJPG
WEBCAM = {"YUYV": ((160, 120), (320, 240), (640, 480)), "MJPG": ((640, 480), (1280, 720), (1920, 1080))}


def nearest(modes, width: int, height: int) -> tuple[int, int]:
    """The mode a UVC driver picks for a width×height request (uvc_v4l2_try_format): the least area that one of
    the two has and the other not. It never gives a size it does not have."""
    def off(mode):
        w, h = mode
        return w * h + width * height - 2 * min(w, width) * min(h, height)

    return min(modes, key=off)


class FakeDevice:
    """`open` is the CameraSource's open_capture. Frames are BGR, every pixel `bgr`; a read takes `period`
    seconds, as a camera's frame rate does. `channels` 1 gives grey frames [h, w] (the mean of `bgr`, as an
    infrared camera's Y8; of `dtype` uint16 a Y16 one, the mean times 257), 4 BGRA ones. `settle_reads`: reads
    that fail after each mode it is set to, as some UVC cameras' do while they switch. `dead_modes`: (fourcc, size)
    modes whose reads all fail (no USB bandwidth for them beside another camera).

    Without `modes` the device has one size, `size` (w, h), and refuses to be set (a v4l2loopback device that OBS
    writes to). With `modes` ({fourcc: sizes}, the first fourcc its own) it opens at the size nearest OPEN_SIZE, as
    OpenCV asks, and each request of a size or a format gives the nearest mode it has in the format set."""

    def __init__(self, size=(64, 48), bgr=(10, 20, 30), period=0.005, channels=3, modes=None,
                 dtype=np.uint8, settle_reads=0, dead_modes=()):
        self.size, self.bgr, self.period, self.channels = size, bgr, period, channels
        self.dtype, self.settle_reads, self.dead_modes = dtype, settle_reads, set(dead_modes)
        self.modes = modes
        self.plugged = True
        self.gives_frames = True  # False: opens, but every read fails (a loopback device nobody writes to)
        self.opened: list[FakeCapture] = []
        self.targets: list[str] = []
        self.lock = threading.Lock()

    def open(self, target: str) -> FakeCapture:
        with self.lock:
            self.targets.append(target)
            cap = FakeCapture(self, self.plugged)
            self.opened.append(cap)
            return cap

    def frame(self, size=None) -> np.ndarray:
        w, h = size or self.size
        if self.channels == 1:
            scale = 257 if self.dtype == np.uint16 else 1
            return np.full((h, w), round(sum(self.bgr) / 3) * scale, dtype=self.dtype)
        pixel = (*self.bgr, 255) if self.channels == 4 else self.bgr
        return np.broadcast_to(np.array(pixel, dtype=np.uint8), (h, w, len(pixel))).copy()

    def open_captures(self) -> int:
        with self.lock:
            return sum(1 for cap in self.opened if cap.opened and not cap.released)


class FakeCapture:
    def __init__(self, device: FakeDevice, opened: bool):
        self.device, self.opened, self.released = device, opened, False
        self.asked: list[tuple[int, float]] = []  # every set(prop, value), in order
        modes = device.modes
        self.fourcc = next(iter(modes)) if modes else None
        self.size = nearest(modes[self.fourcc], *OPEN_SIZE) if modes else device.size
        self._width = self._height = 0  # a size asked for: V4L2 takes it once both are set
        self._unsettled = 0  # reads that fail still, after the last mode set

    def isOpened(self) -> bool:
        return self.opened and not self.released

    def set(self, prop: int, value: float) -> bool:
        self.asked.append((prop, value))
        modes = self.device.modes
        if not modes:
            return False
        if prop == cv2.CAP_PROP_FOURCC:
            fourcc = int(value).to_bytes(4, "little").decode("ascii", "replace")
            if fourcc not in modes:
                return False
            self.fourcc, self.size = fourcc, nearest(modes[fourcc], *self.size)
            self._unsettled = self.device.settle_reads
            return True
        if prop in (cv2.CAP_PROP_FRAME_WIDTH, cv2.CAP_PROP_FRAME_HEIGHT):
            if prop == cv2.CAP_PROP_FRAME_WIDTH:
                self._width = int(value)
            else:
                self._height = int(value)
            if self._width and self._height:
                self.size = nearest(modes[self.fourcc], self._width, self._height)
                self._width = self._height = 0
                self._unsettled = self.device.settle_reads
            return True
        return False

    def get(self, prop: int) -> float:
        fourcc = int.from_bytes(self.fourcc.encode(), "little") if self.fourcc else 0
        return float({cv2.CAP_PROP_FRAME_WIDTH: self.size[0], cv2.CAP_PROP_FRAME_HEIGHT: self.size[1],
                      cv2.CAP_PROP_FOURCC: fourcc}.get(prop, 0))

    def read(self):
        time.sleep(self.device.period)  # the camera's frame interval
        if self.released or not self.device.plugged or not self.device.gives_frames:
            return False, None
        if (self.fourcc, self.size) in self.device.dead_modes:
            return False, None
        if self._unsettled:
            self._unsettled -= 1
            return False, None
        return True, self.device.frame(self.size)

    def release(self) -> None:
        self.released = True


class HandedFrames:
    """A capture of the uploader's (vcam.remote.uploader.Capture) whose frames the test hands in through `frames`
    (None: the source failed); each read waits up to `wait_s` for one. A clip's: it is never reopened."""

    name, live = "test:frames", False

    def __init__(self, wait_s: float = 60.0):
        self.frames: queue.Queue = queue.Queue()
        self.wait_s = wait_s

    def read(self):
        return self.frames.get(timeout=self.wait_s)

    def reopen(self) -> bool:
        return False

    def fit_mode(self, width: int, height: int) -> None:
        return None

    def interrupt(self) -> None:
        pass

    def close(self) -> None:
        pass
