"""A capture device a test controls, in place of OpenCV's: what it shows, unplugging it and plugging it back."""
from __future__ import annotations

import threading
import time

import numpy as np


class FakeDevice:
    """`open` is the CameraSource's open_capture. Frames are BGR, `size` (w, h), every pixel `bgr`; a read takes
    `period` seconds, as a camera's frame rate does. `channels` 1 gives grey frames [h, w] (the mean of `bgr`, as
    an infrared camera's Y8), 4 BGRA ones."""

    def __init__(self, size=(64, 48), bgr=(10, 20, 30), period=0.005, channels=3):
        self.size, self.bgr, self.period, self.channels = size, bgr, period, channels
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

    def frame(self) -> np.ndarray:
        w, h = self.size
        if self.channels == 1:
            return np.full((h, w), round(sum(self.bgr) / 3), dtype=np.uint8)
        pixel = (*self.bgr, 255) if self.channels == 4 else self.bgr
        return np.broadcast_to(np.array(pixel, dtype=np.uint8), (h, w, len(pixel))).copy()

    def open_captures(self) -> int:
        with self.lock:
            return sum(1 for cap in self.opened if cap.opened and not cap.released)


class FakeCapture:
    def __init__(self, device: FakeDevice, opened: bool):
        self.device, self.opened, self.released = device, opened, False

    def isOpened(self) -> bool:
        return self.opened and not self.released

    def read(self):
        time.sleep(self.device.period)  # the camera's frame interval
        if self.released or not self.device.plugged or not self.device.gives_frames:
            return False, None
        return True, self.device.frame()

    def release(self) -> None:
        self.released = True
