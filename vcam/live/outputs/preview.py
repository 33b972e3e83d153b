"""A preview window (OpenCV), where a display exists."""
from __future__ import annotations

import os
import platform

import numpy as np

from vcam.errors import VcamError

TITLE = "vcam preview"


def _has_gui(cv2) -> bool:
    info = cv2.getBuildInformation()
    gui = info.split("GUI:", 1)[1].splitlines()[0] if "GUI:" in info else "NONE"
    return "NONE" not in gui.upper()


class PreviewWindow:
    def __init__(self, width: int, height: int):
        import cv2

        if platform.system() == "Darwin":
            # Cocoa windows belong to the main thread, and each output runs on its own: OpenCV's window would
            # abort the whole process, camera and recording with it, on its first frame.
            raise VcamError("the preview window does not run on macOS (its windows must be drawn from the main "
                            "thread)", "watch the virtual camera in OBS or Photo Booth instead, or record with "
                            "file:PATH.mp4; drop --out window")
        if platform.system() == "Linux" and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
            raise VcamError("no display for the preview window (DISPLAY is not set)",
                            "drop --out window here (use file:PATH.mp4 or vcam), or run where a desktop is available")
        if not _has_gui(cv2):
            raise VcamError("this OpenCV has no window support (opencv-python-headless is installed)",
                            "pip install opencv-python  (it replaces the headless build), or drop --out window")
        self._cv2 = cv2
        self.name = "window"
        self.size = (width, height)
        self._open = False

    def send(self, frame: np.ndarray, tick: int) -> None:
        cv2 = self._cv2
        if not self._open:  # made on the thread that draws into it
            cv2.namedWindow(TITLE, cv2.WINDOW_NORMAL)
            cv2.resizeWindow(TITLE, *self.size)
            self._open = True
        cv2.imshow(TITLE, cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
        cv2.waitKey(1)

    def close(self) -> None:
        if self._open:
            self._cv2.destroyWindow(TITLE)
