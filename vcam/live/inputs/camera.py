"""A capture device as the stream's input (`camera`, `camera:N`, `camera:/dev/videoN`) through OpenCV: on Linux
any v4l2 device, a v4l2loopback one that OBS's virtual camera writes included.

It is asked for the smallest common mode that holds the stream's picture in the stream's shape (1280×720 for an
832×480 stream; V4L2 would otherwise give 640×480, cropped and scaled up, soft) and takes whatever it gives, said
once as it opens. A thread reads the device as fast as it gives frames and pushes them into a LiveFrames, which
hands each block its frames. When a read fails (the camera unplugged, OBS stopped), that is said once, the show
goes on with the last frames, and the thread tries to open the device again every `retry_s` until it is back (said
too).
"""
from __future__ import annotations

import math
import os
import platform
import stat
import threading
import time
from typing import Any, Callable, Protocol

import numpy as np

from vcam.errors import bug_place, described, one_line
from vcam.inspec import SERVE_NET
from vcam.live import devicehandles
from vcam.live.inputs.live_frames import FIRST_WAIT_S, STALL_AFTER_S, LiveFrames
from vcam.live.inputs.source import InputError, Say
from vcam.words import shell_word

RETRY_S = 1.0
JOIN_S = 5.0  # a read can block in the driver: close() gives the thread this long, then leaves it (a daemon)
# Modes nearly every camera has, by shape, smallest first: what a camera is asked for. A camera answers with the
# nearest it has, so asking for an uncommon size (832×480) could as well give less than a common one would.
MODES = {16 / 9: ((640, 360), (1280, 720), (1920, 1080), (2560, 1440), (3840, 2160)),
         4 / 3: ((320, 240), (640, 480), (800, 600), (1024, 768), (1280, 960), (1600, 1200))}
# Above this many pixels a USB 2 webcam gives raw YUYV at a few frames a second (or not at all): MJPG, which
# nearly all of them send at 30 fps in HD, is asked for too (a device without it keeps its own format).
RAW_PIXELS = 640 * 480
# A UVC camera can fail its first reads while it switches to the mode asked for: reads are tried again this long
# before it counts as giving no frames. A time, not a count: a device nobody writes to fails each read only after
# the driver's own timeout, which a count of tries would multiply.
SETTLE_S = 2.0


class Capture(Protocol):
    """What the camera needs of a cv2.VideoCapture (and a test double gives). `set`, to ask for a mode, is
    optional: a capture without one gives what it gives."""

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
    pick = "check that no other program holds the camera, or pick another one: camera:1, camera:2, …"
    # Both refuse a camera to a program not allowed it, and OpenCV then only fails to open it
    if (system or platform.system()) == "Darwin":
        return ("allow the terminal vcam runs in to use the camera (System Settings > Privacy & Security > Camera), "
                f"then start vcam again; or {pick}")
    if (system or platform.system()) == "Windows":
        return f"let desktop apps use the camera (Settings > Privacy & security > Camera); or {pick}"
    return pick  # another system (a BSD): it has no such setting


# A rented GPU's container has no /dev/video* at all: listing them finds nothing to pick, and the camera to
# restyle is the one at home
NONE_HERE = ("this machine has no video device at all (a rented GPU's container?): restyle a clip or a picture "
             "instead (--in file:CLIP.mp4, --in image:PICTURE), or the camera of the machine you watch from: "
             f"{SERVE_NET}, and there vcam cam ws://… --send camera")
DEVICES = "/dev"  # where Linux keeps the video device nodes, whatever path (a /dev/v4l/by-id/ name) was asked for


def _video_nodes() -> list[str]:
    """The video device nodes (videoN) this machine has."""
    try:
        return [name for name in os.listdir(DEVICES) if name.startswith("video")]
    except (OSError, ValueError):
        return []


def _open_fix() -> str:
    """The fix for a device that is there and does not open or read: on Linux another program may hold it (V4L2
    refuses a second opener of a webcam), which the list of devices alone would not say."""
    fix = _fix()
    return f"{HELD}; or {fix}" if platform.system() == "Linux" else fix


def _check_node(path: str, flag: str) -> None:
    """InputError where `path` is not there or is no V4L2 device: a clip, a folder or another device (/dev/null)
    given as a camera. V4L2 said only that it could not open it (OpenCV's warning line above it), and the fix then
    spoke of a webcam another program holds."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # as os.path.exists takes them: a NUL in the path is no file either
        # with no device to list and pick, the way to restyle a camera from a rented machine instead
        fix = NONE_HERE if flag == "--in" and not _video_nodes() else _fix(flag=flag)
        raise InputError(f"no capture device {path}", fix) from None
    if stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == devicehandles.V4L2_MAJOR:
        return
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"camera:{path} is a folder, not a capture device", _fix(flag=flag))
    if stat.S_ISREG(st.st_mode):
        picture = "" if flag == "--send" else f"; a picture as {shell_word(f'image:{path}')}"  # none is sent
        raise InputError(f"camera:{path} is a file, not a capture device",
                         f"give a clip as {flag} {shell_word(f'file:{path}')}{picture}")
    raise InputError(f"camera:{path} is no video device", _fix(flag=flag))


def open_device(target: str, flag: str = "--in") -> Capture:
    """Opens camera `target` ("" for the first, an index, or a device path) with OpenCV; V4L2 on Linux. `flag`
    is the option a missing device's fix names: vcam cam's camera goes up with --send, not --in."""
    import cv2

    path = device_path(target)
    if path is not None:
        _check_node(path, flag)  # first: a clip on a card mounted read-only was told to join the video group
        _refuse_own_output(path, flag)  # a video node: this process writes to /dev/null too
        if not os.access(path, os.R_OK | os.W_OK):
            raise InputError(f"no permission to open {path}",
                             "add yourself to the video group: sudo usermod -aG video $USER, then log in again")
        return cv2.VideoCapture(path, cv2.CAP_V4L2)
    if target.startswith("/"):
        raise InputError(f"camera:{target}: device paths are for Linux", "name the camera by its index: camera:0")
    return cv2.VideoCapture(int(target or 0), cv2.CAP_ANY)


def _refuse_own_output(path: str, flag: str) -> None:
    """InputError where this process writes to `path`, a camera output of the show: read back as input, each frame
    the show makes would be restyled again in the next (`input camera:/dev/video10` typed for 11 mid-show)."""
    if devicehandles.writes_here(path, devicehandles.PROC):
        raise InputError(f"camera:{path} is this show's camera output (vcam:{path}), so the show would take its own "
                         "frames back as input", f"give {flag} another camera (vcam devices lists the virtual ones)")


def camera_name(target: str) -> str:
    return f"camera:{target}" if target else "camera"


def capture_mode(width: int, height: int) -> tuple[int, int]:
    """The mode to ask a camera for, for a width×height stream: of the shape (16:9 or 4:3) nearest the stream's,
    the smallest at least as wide and as high (its crop to the stream's shape then needs no scaling up), else the
    largest. 832×480 → 1280×720; a portrait 480×832 → 1280×960 (a camera is landscape: the crop is its middle)."""
    shape = min(MODES, key=lambda aspect: abs(math.log(aspect * height / width)))
    return next(((w, h) for w, h in MODES[shape] if w >= width and h >= height), MODES[shape][-1])


def ask_mode(cap: Capture, width: int, height: int) -> tuple[int, int]:
    """Asks an open capture for capture_mode(width, height) (MJPG too, above RAW_PIXELS); the mode asked for. A
    device that has not got it picks its nearest, or keeps its own (a v4l2loopback device): taken as it comes."""
    import cv2

    mode = capture_mode(width, height)
    set_property = getattr(cap, "set", None)
    if set_property is None:
        return mode
    asks = [(cv2.CAP_PROP_FOURCC, cv2.VideoWriter_fourcc(*"MJPG"))] if mode[0] * mode[1] > RAW_PIXELS else []
    # the format before the size: V4L2 sets both at once, with the sizes the format has
    for prop, value in asks + [(cv2.CAP_PROP_FRAME_WIDTH, mode[0]), (cv2.CAP_PROP_FRAME_HEIGHT, mode[1])]:
        try:
            set_property(prop, value)
        except Exception:  # a backend that refuses by raising: the mode it has is the one it gives
            pass
    return mode


# OpenCV's conversion to RGB of what a device gives, by its channels: most give BGR, an infrared or depth camera
# (Y8/GREY) one channel, some drivers BGRA
_TO_RGB = {1: "COLOR_GRAY2RGB", 3: "COLOR_BGR2RGB", 4: "COLOR_BGRA2RGB"}


def device_rgb(frame: Any) -> np.ndarray | None:
    """A read frame as RGB uint8 [h, w, 3], or None where it is no picture."""
    import cv2

    if not isinstance(frame, np.ndarray) or frame.ndim not in (2, 3) or 0 in frame.shape:
        return None
    if frame.dtype == np.uint16:  # a 16-bit grey (Y16) or depth camera: its top 8 bits, as OpenCV's own convert
        frame = (frame >> 8).astype(np.uint8)
    channels = 1 if frame.ndim == 2 else frame.shape[2]
    if frame.dtype != np.uint8 or channels not in _TO_RGB:
        return None
    return cv2.cvtColor(frame, getattr(cv2, _TO_RGB[channels]))


def _taken_in(bgr: Any) -> np.ndarray | None:
    """A read frame as RGB (device_rgb), or None where OpenCV cannot convert it, as a frame the device failed to
    give: a bug in vcam's own code is raised instead, for _run to say once, not waited on as an unplugged camera."""
    try:
        return device_rgb(bgr)
    except Exception as e:
        if bug_place(e):
            raise
        return None


def _settled_frame(cap: Capture, clock: Callable[[], float], settle_s: float,
                   stopped: Callable[[], bool] = lambda: False) -> np.ndarray | None:
    """The first frame that reads as a picture, tried for `settle_s` (at least once) or until `stopped()`; None
    where none came."""
    deadline = clock() + settle_s
    while True:
        ok, frame = cap.read()
        rgb = device_rgb(frame) if ok else None
        if rgb is not None or clock() >= deadline or stopped():
            return rgb


def _mode_of(cap: Capture) -> tuple[float, ...] | None:
    """The capture's format and size as it says them (0s once the backend has closed it); None where it cannot."""
    import cv2

    get = getattr(cap, "get", None)
    try:
        return tuple(get(prop) for prop in (cv2.CAP_PROP_FOURCC, cv2.CAP_PROP_FRAME_WIDTH,
                                            cv2.CAP_PROP_FRAME_HEIGHT)) if get else None
    except Exception:
        return None


def _opened(open_capture: OpenCapture, target: str) -> Capture | None:
    cap = open_capture(target)
    if not cap.isOpened():
        cap.release()
        return None
    return cap


def _first_frame(open_capture: OpenCapture, target: str, size: tuple[int, int],
                 clock: Callable[[], float] = time.monotonic,
                 settle_s: float = SETTLE_S) -> tuple[Capture | None, np.ndarray | None]:
    """Opens the device, asks it for the mode for a stream of `size` and reads one frame (settle_mode): (capture,
    frame), or what failed as (capture or None, None)."""
    cap = _opened(open_capture, target)
    if cap is None:
        return None, None
    return settle_mode(cap, open_capture, target, size, clock, settle_s)


def settle_mode(cap: Capture, open_capture: OpenCapture, target: str, size: tuple[int, int],
                clock: Callable[[], float] = time.monotonic, settle_s: float = SETTLE_S,
                stopped: Callable[[], bool] = lambda: False) -> tuple[Capture | None, np.ndarray | None]:
    """Asks the open capture `cap` of device `target` for the mode for a stream of `size` and reads one frame
    (reads failed while it settles in that mode tried again): (capture, frame), or what failed as (capture or None,
    None); `cap` is released where it is not the capture returned. Where the mode asked for gives nothing (no USB
    bandwidth for it beside another camera, a backend that closed the device as it failed to switch), the device is
    opened again in its own mode. A capture that already gave frames may be asked (V4L2's backend stops the stream,
    sets the mode and starts it again): its mode before the ask is what counts as its own. `stopped()` true ends
    the wait at the next read, and opens nothing more: the program is ending (vcam cam's Ctrl-C)."""
    try:
        own = _mode_of(cap)
        ask_mode(cap, *size)
        frame = _settled_frame(cap, clock, settle_s, stopped) if cap.isOpened() else None
    except BaseException:
        cap.release()
        raise
    if frame is not None or stopped() or _mode_of(cap) == own:  # a picture, an end, or its own mode kept
        return cap, frame
    cap.release()
    cap = _opened(open_capture, target)
    if cap is None:
        return None, None
    try:
        return cap, _settled_frame(cap, clock, settle_s, stopped)
    except BaseException:
        cap.release()
        raise


def mode_line(name: str, size: tuple[int, int], frame: np.ndarray) -> str:
    """What camera `name` gives (`frame`, one it read) for a stream of `size`, said once as it opens: where it is
    less than the stream, that the picture is scaled up (softer)."""
    (width, height), (asked_w, asked_h) = size, capture_mode(*size)
    got_h, got_w = frame.shape[:2]
    text = f"{name} gives {got_w}×{got_h}"
    if got_w < width or got_h < height:
        text += (f" (asked for {asked_w}×{asked_h}): scaled up to the stream's {width}×{height}, softer; a camera "
                 "with an HD mode is sharper")
    return text


class CameraSource:
    """`frames`, `status`, `close` of a live source. Raises InputError when the device does not open or gives no
    first frame; `open_capture` replaces OpenCV (a test double)."""

    def __init__(self, target: str, width: int, height: int, fit: str = "crop", say: Say = lambda text: None,
                 open_capture: OpenCapture | None = None, clock: Callable[[], float] = time.monotonic,
                 stall_after_s: float = STALL_AFTER_S, retry_s: float = RETRY_S, settle_s: float = SETTLE_S):
        self.target, self.name, self.say = target, camera_name(target), say
        self.retry_s, self.settle_s = retry_s, settle_s
        self.size = (width, height)  # the stream's, for which a mode is asked (again where the camera reopens)
        self._open = open_capture or open_device
        self.live = LiveFrames(width, height, fit, name=self.name, clock=clock, stall_after_s=stall_after_s,
                               first_wait_s=FIRST_WAIT_S)
        cap, first = self._first()
        self.say(mode_line(self.name, self.size, first))
        self.live.push(first)
        self.lost = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(cap,), name=f"vcam {self.name}", daemon=True)
        self._thread.start()

    def _first(self) -> tuple[Capture, np.ndarray]:
        try:
            cap, first = _first_frame(self._open, self.target, self.size, settle_s=self.settle_s)
        except InputError:
            raise
        except Exception as e:  # OpenCV's own error, an OSError: the device, not vcam
            raise InputError(f"cannot open {self.name} ({one_line(e)})", _open_fix()) from e
        if cap is None:
            raise InputError(f"cannot open {self.name}", _open_fix())
        if first is None:
            cap.release()
            raise InputError(f"{self.name} opened but gives no frames",
                             "start what feeds it (OBS: Start Virtual Camera); " + _open_fix())
        return cap, first

    def _run(self, cap: Capture | None) -> None:
        try:
            self._read_on(cap)
        except Exception as e:  # noqa: BLE001 - vcam's side of a frame broke, not the device: it would again
            self.say(f"{self.name} stopped: its frames could not be taken in ({described(e)}); the show goes on "
                     "with its last frames")

    def _read_on(self, cap: Capture | None) -> None:
        try:
            while not self._stop.is_set():
                if cap is None:
                    cap = self._reopen()
                    continue
                try:
                    ok, bgr = cap.read()
                except Exception:  # an unplugged device can make OpenCV raise as well as return False
                    ok = False
                frame = _taken_in(bgr) if ok else None
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
            cap, frame = _first_frame(self._open, self.target, self.size, settle_s=self.settle_s)
        except Exception as e:  # still gone; but vcam's own code broken on the device's frame is said by _run
            if bug_place(e):
                raise
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
