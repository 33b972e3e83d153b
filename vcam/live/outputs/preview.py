"""A preview window (OpenCV), where a display exists."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import numpy as np

from vcam.errors import VcamError

TITLE = "vcam preview"


# Opens and closes a window in a process of its own: where the display named cannot be drawn on (nothing there, a
# user not let in, Qt's libraries for it missing), OpenCV's Qt aborts the process it runs in, with no exception
PROBE = "import cv2; cv2.namedWindow('vcam'); cv2.waitKey(1); cv2.destroyAllWindows(); cv2.waitKey(1)"
PROBE_TIMEOUT = 20.0  # seconds; a probe slower than this (a loaded machine importing OpenCV) lets the window open


def _why_no_window() -> str | None:
    """Why a window cannot be drawn here (the probe's own words), or None where it can, or cannot be told."""
    if getattr(sys, "frozen", False):  # a bundled vcam's executable runs no `-c`
        return None
    try:
        done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=PROBE_TIMEOUT,
                              stdin=subprocess.DEVNULL)
    except (subprocess.TimeoutExpired, OSError):
        return None
    if done.returncode == 0:
        return None
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    said = next((line for line in lines if "connect to display" in line), lines[-1] if lines else "")
    return said or f"it ended with code {done.returncode}"


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
        if platform.system() == "Linux" and (why := _why_no_window()):
            # opened in the show, it took the whole process down at the first frame, camera and recording with it
            shown = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
            raise VcamError(f"the preview window cannot be drawn on display {shown} ({why})",
                            "run where that desktop is on and this user may draw on it (ssh -X, or DISPLAY=:0 on the "
                            "machine's own desktop), or drop --out window")
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
