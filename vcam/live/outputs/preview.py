"""A preview window (OpenCV), where a display exists."""
from __future__ import annotations

import atexit
import os
import platform
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np

from vcam.errors import NoDisplayError, VcamError
from vcam.live.frames import Repeated

TITLE = "vcam preview"


# Where the display named cannot be drawn on (nothing there, a user not let in, Qt's libraries for it missing),
# OpenCV's Qt aborts the process it runs in, with no exception: what its window starts is tried first in a process
# of its own (displayprobe.py, whose text that process runs), which draws no window where the display answers
PROBE = Path(__file__).with_name("displayprobe.py")
PROBE_OPEN_WAIT = 3.0  # seconds the show's start waits for the probe (it takes a third of one): the rest is waited
# for on the window's own thread, before it draws, so a display that hangs does not hold up the camera's start
PROBE_TIMEOUT = 20.0  # seconds in all; a display that has not answered by then is said not to answer
STOPPED = "the window was closed first"  # why no window is drawn, where the probe was stopped while waited for

# Probes still running, each stopped as vcam ends: one waited for on a window's thread, left behind by a second
# Ctrl-C, would otherwise wait on a display that hangs for as long as it hangs, vcam long gone
_running: set[_Probe] = set()
_running_lock = threading.Lock()


class _Probe:
    """The probe, running: `why(timeout)` is why no window can be drawn (the probe's own words), or None where one
    can, or where that cannot be told; subprocess.TimeoutExpired while it has not answered. Stopped on any other
    way out of the wait (Ctrl-C in it), by `stop` from any thread, and as vcam ends."""

    def __init__(self, source: str):
        # its words go to a file, not a pipe: it is waited for, not read, while it runs, and a pipe left unread
        # stops a process that fills it (Qt's warnings), which would then be said as a display that does not answer
        self._said = tempfile.TemporaryFile(mode="w+", errors="replace")
        self._lock = threading.Lock()
        try:
            self._process = subprocess.Popen([sys.executable, "-c", source], stdin=subprocess.DEVNULL,
                                             stdout=subprocess.DEVNULL, stderr=self._said)
        except BaseException:
            self._said.close()
            raise
        with _running_lock:
            _running.add(self)

    def why(self, timeout: float) -> str | None:
        try:
            code = self._process.wait(max(0.0, timeout))
        except subprocess.TimeoutExpired:
            raise
        except BaseException:  # Ctrl-C in the wait: the probe is not left waiting on the display
            self.stop()
            raise
        with self._lock:
            if self._said.closed:
                return STOPPED
            self._said.seek(0)
            lines = [line.strip() for line in self._said.read().splitlines() if line.strip()]
        self.stop()
        if code == 0:
            return None
        said = next((line for line in lines if "connect to display" in line), lines[-1] if lines else "")
        return said or f"it ended with code {code}"

    def stop(self) -> None:
        with self._lock:
            if self._process.poll() is None:
                self._process.kill()
                self._process.wait()
            self._said.close()
        with _running_lock:
            _running.discard(self)


@atexit.register
def _stop_running() -> None:
    with _running_lock:
        running = list(_running)
    for probe in running:
        probe.stop()


def _start_probe() -> _Probe | None:
    """The probe, started; None where none can run: a bundled vcam, whose executable runs no `-c`, or no room for
    its file (the window opens, as it did before the probe)."""
    if getattr(sys, "frozen", False):
        return None
    try:
        return _Probe(PROBE.read_text(encoding="utf-8"))
    except OSError:
        return None


def _cannot_draw(why: str) -> NoDisplayError:
    shown = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    return NoDisplayError(f"the preview window cannot be drawn on display {shown} ({why})",
                          "run where that desktop is on and this user may draw on it (ssh -X, or DISPLAY=:0 on the "
                          "machine's own desktop), or drop --out window")


def _has_gui(cv2) -> bool:
    info = cv2.getBuildInformation()
    gui = info.split("GUI:", 1)[1].splitlines()[0] if "GUI:" in info else "NONE"
    return "NONE" not in gui.upper()


def window_flags(cv2) -> int:
    """The preview's window: resizable, the picture kept whole in its shape, and none of OpenCV's Qt toolbar and
    status bar (pip's opencv-python on Linux is its Qt build), which took the window's own size from the picture:
    at 640x360 it was drawn a fifth smaller, and at a small size (the tiny model's 112x64) not at all. A build without
    Qt has none to leave out."""
    return cv2.WINDOW_NORMAL | cv2.WINDOW_KEEPRATIO | cv2.WINDOW_GUI_NORMAL


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
            raise NoDisplayError("no display for the preview window (DISPLAY is not set)",
                                 "drop --out window here (use file:PATH.mp4 or vcam), or run where a desktop is "
                                 "available")
        if not _has_gui(cv2):
            raise VcamError("this OpenCV has no window support (opencv-python-headless is installed)",
                            # both builds write the same cv2 folder: installed beside it, opencv-python is not
                            # the one imported, and removing the headless one after breaks the other
                            "pip uninstall -y opencv-python-headless opencv-python && pip install opencv-python, "
                            "or drop --out window")
        # opened in the show, a window that cannot be drawn took the whole process down at the first frame, camera
        # and recording with it
        self._probe = _start_probe() if platform.system() == "Linux" else None
        if self._probe is not None:
            try:
                why = self._probe.why(PROBE_OPEN_WAIT)
            except subprocess.TimeoutExpired:  # told before the window draws (send)
                pass
            else:
                self._probe = None
                if why:
                    raise _cannot_draw(why)
        self._cv2 = cv2
        self.name = "window"
        self.size = (width, height)
        self._open = False
        # a frame the ticks repeat is converted and drawn once: the window keeps showing it, events still pumped
        self._bgr = Repeated(lambda frame: self._cv2.cvtColor(frame, self._cv2.COLOR_RGB2BGR))
        self._drawn: np.ndarray | None = None
        self._closed = False
        self._seen = False  # the window was on screen once: not being so since means its user closed it
        self.frames = 0  # the frames it drew: one closed by its user draws none after, which the end says
        self.note: str | None = None  # said at the end after the count

    def send(self, frame: np.ndarray, tick: int) -> None:
        cv2 = self._cv2
        # a display slow to answer, waited for here (PROBE_TIMEOUT in all); the probe stays the window's, so that
        # closing it stops the probe too
        if (probe := self._probe) is not None:
            try:
                why = probe.why(PROBE_TIMEOUT - PROBE_OPEN_WAIT)
            except subprocess.TimeoutExpired:
                probe.stop()
                why = f"nothing answered there in {PROBE_TIMEOUT:g} s"
            self._probe = None
            if why == STOPPED:
                return
            if why:
                raise _cannot_draw(why)
        if self._closed:
            return
        if not self._open:  # made on the thread that draws into it
            cv2.namedWindow(TITLE, window_flags(cv2))
            cv2.resizeWindow(TITLE, *self.size)
            self._open = True
        if (bgr := self._bgr(frame)) is not self._drawn:
            cv2.imshow(TITLE, bgr)
            self._drawn = bgr
        cv2.waitKey(1)
        if self._closed_by_user():
            # its title bar's close: drawn again, it came back at the next new frame, and could not be closed at all
            # while the show ran; the show goes on without it
            self._closed, self._open = True, False
            self.note = "closed on air by its user: not drawn again this show (--out window opens it at the next run)"
            return
        self.frames += 1

    def _closed_by_user(self) -> bool:
        """Whether the window, seen on screen before, is no longer: its user closed it. A window never seen (one
        still being mapped, or an OpenCV whose windows do not say: -1, or NaN as GTK's builds answer while it is
        there) is not taken for closed: on those the window comes back at the next frame, as it always did."""
        try:
            visible = self._cv2.getWindowProperty(TITLE, self._cv2.WND_PROP_VISIBLE) >= 1
        except self._cv2.error:  # a window gone, where this build raises for one it does not know
            visible = False
        if visible:
            self._seen = True
            return False
        return self._seen

    @property
    def awaits_display(self) -> bool:
        """Whether the next frame waits for the display's answer first (a display slow to answer): the frames
        skipped meanwhile are no slowness of the window (OutputWorker)."""
        return self._probe is not None

    def end_wait(self) -> None:
        """The show closing, from another thread: a wait for a display that has not answered ends, the probe
        stopped, and no window is drawn (the window's thread closes it once its send returns)."""
        if (probe := self._probe) is not None:
            self._closed = True
            probe.stop()

    def close(self) -> None:
        self._closed = True
        if (probe := self._probe) is not None:  # closed before its first frame, or while it waits for the display
            probe.stop()
        if self._open:
            self._cv2.destroyWindow(TITLE)
