"""Opens the input a spec names (`--in`, a show's `input:`, the `input` command) and keeps one open at a time.

A bad input fails before anything changes: the new source is opened first and the old one closed only after,
so `input file:typo.mp4` in the middle of a show leaves the current input playing. Naming the camera that is
already open keeps it (a device opened twice is refused by V4L2) and hands the same source back.

Before the model loads, the run checks its inputs so a bad `--in` fails in a second, not after minutes of
loading: `check_input(spec)` for each input a show names (it opens and closes), or opening the first input
through the switch right away (which keeps it open, so a camera is checked and started at once).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable
from typing import Callable

from vcam.control.actions import InputBusy
from vcam.errors import FileNamingError, VcamError
from vcam.inspec import InputSpec, parse_input
from vcam.live.inputs.camera import CameraSource, OpenCapture, device_path
from vcam.live.inputs.clip import SHOW_FPS, ClipSource, ImageSource
from vcam.live.inputs.live_frames import STALL_AFTER_S, LiveFrames
from vcam.live.inputs.source import FrameSource, InputError, Say
from vcam.words import terminal_safe

# How long a command's check of a camera waits for the stream's thread to finish opening or closing one (a normal
# camera takes a second or two, a read stuck in the driver JOIN_S): past it, the operator is told to send it again
# rather than every command (the controller's lock is held meanwhile) waiting on a device that hangs.
CHECK_WAIT_S = 5.0
# The most inputs checked and not yet put on air that are kept open for the stream (a command typed, a preset's
# input): one is taken within a block, so a few are only ever waiting where commands come faster than blocks
READY_KEPT = 4
# Inputs pushed out of those kept whose opening is remembered as said: the latest only, each a few hundred bytes
# (a folder of stills typed through one by one would otherwise grow it for the whole run)
SAID_KEPT = 64


def _net_only() -> InputError:
    return InputError("input net is the frames a laptop uploads, only in vcam serve",
                      "here use camera, file:PATH or image:PATH; or run vcam serve and send from the laptop with "
                      "vcam cam ws://HOST:PORT --send camera")


def _spec(spec: InputSpec | str) -> InputSpec:
    return spec if isinstance(spec, InputSpec) else parse_input(spec)


def _device(spec: InputSpec) -> str:
    """What tells two camera specs apart: the device node where there is one (camera, camera:0 and
    camera:/dev/video0 are one device), the index otherwise."""
    path = device_path(spec.target)
    return os.path.realpath(path) if path else (spec.target or "0")


def open_source(spec: InputSpec | str, width: int, height: int, fit: str = "crop", say: Say = lambda text: None,
                uploads: LiveFrames | None = None, open_capture: OpenCapture | None = None,
                clock: Callable[[], float] = time.monotonic, stall_after_s: float = STALL_AFTER_S,
                fps: float = SHOW_FPS, offline: bool = False, stop: threading.Event | None = None):
    """The source of `spec` at width×height, or None for `none`; InputError with the fix when it cannot open.
    `fps`: the show's frame rate, at which a clip plays at its own speed. `offline`: a render, `stop` its stop
    request (ClipSource's)."""
    spec = _spec(spec)
    if spec.kind == "none":
        return None
    if spec.kind == "file":
        return ClipSource(spec.target, width, height, fit, fps, say, offline, stop)
    if spec.kind == "image":
        return ImageSource(spec.target, width, height, fit, say, follow=not offline)
    if spec.kind == "camera":
        return CameraSource(spec.target, width, height, fit, say, open_capture=open_capture, clock=clock,
                            stall_after_s=stall_after_s)
    if uploads is None:
        raise _net_only()
    uploads.restart()  # what waited there while another input was on is no part of the next block
    return uploads


def check_input(spec: InputSpec | str, net: bool = False, open_capture: OpenCapture | None = None) -> InputSpec:
    """The spec, once its file, image or device opened and gave a frame (closed again); InputError otherwise.
    `net`: whether uploads are taken here (vcam serve). Run before the model loads."""
    spec = _spec(spec)
    if spec.kind == "net" and not net:
        raise _net_only()
    if spec.kind in ("none", "net"):
        return spec
    source = open_source(spec, 64, 64, open_capture=open_capture)
    source.close()
    return spec


def check_logged_inputs(log: str, named: Iterable[tuple[str, str]]) -> None:
    """The clips and images a control log restyles ((what, spec) each) open now, before the model loads; VcamError
    naming the log otherwise. A log names them by their whole path, so the fix is the file at that path, not the
    show file's folder that an input's own error points to."""
    for what, text in named:
        if parse_input(text).kind not in ("file", "image"):
            continue
        try:
            check_input(text)
        except VcamError as e:
            raise FileNamingError(f"{what} of {log} ({text}): {e.message}",
                                  f"put the file back at that path, or change the path in {log} (a control log "
                                  "names the clips and images its show restyled by their whole path; a path written "
                                  "relative is read from the log's folder)") from None


class _SaidOnceOpen:
    """A source's `say` that drops what it says as it opens (a check's copy of it said that already) and passes on
    what it says once `opened` (a save of its file on air)."""

    def __init__(self, say: Say):
        self._say, self.opened = say, False

    def __call__(self, text: str) -> None:
        if self.opened:
            self._say(text)


class InputSwitch:
    """The one open input of a run. `uploads`: the LiveFrames a `vcam serve` fills from `vcam cam --send`
    (fitted to width×height from here on); None where there is none, and `net` is then refused. `fps`: the show's
    frame rate (a clip plays at its own speed in it). `offline`: a render, whose clips take a file replaced at a
    block that does not depend on how fast it opens, waiting for it there until `stop` (the render's stop request)
    is set (ClipSource's)."""

    def __init__(self, width: int, height: int, fit: str = "crop", say: Say = lambda text: None,
                 uploads: LiveFrames | None = None, open_capture: OpenCapture | None = None,
                 clock: Callable[[], float] = time.monotonic, stall_after_s: float = STALL_AFTER_S,
                 fps: float = SHOW_FPS, offline: bool = False, stop: threading.Event | None = None,
                 check_wait_s: float = CHECK_WAIT_S):
        self.width, self.height, self.fit, self.fps = width, height, fit, fps
        self.say: Say = lambda text: say(terminal_safe(text, lines=False))  # a file named with a terminal's escape
        self.check_wait_s = check_wait_s
        self.offline, self.stop = offline, stop
        self.uploads = uploads
        self.open_capture, self.clock, self.stall_after_s = open_capture, clock, stall_after_s
        if uploads is not None:
            uploads.fit_to(width, height, fit)
        self.spec = InputSpec("none")
        self.source = None
        # A camera is opened (or closed) by the stream's thread and checked (opened and closed) by a command's
        # thread: at once, the device is busy for one of them (V4L2 streams to one reader, Windows' cameras are
        # exclusive). One at a time: a check waits for the open and then finds the camera on air; the stream's
        # thread, between two blocks, does not wait for a check (`wait` False): it keeps its input a block longer.
        self._camera = threading.Lock()
        # Clips and images a command's check opened at this switch's size, by spec, for the stream's thread to put
        # on air as they are: opened again there, a 24 MP photo was decoded a second time (and counted a third)
        # on the stream's thread, the show's frames held for seconds between two blocks
        # in the order checked: one typed twice before a block is taken twice
        self._ready: list[tuple[InputSpec, tuple, ClipSource | ImageSource]] = []
        self._ready_lock = threading.Lock()
        # A clip or image pushed out of those kept (more checked than a block takes), with what it was opened for
        # and whether its file is still the one opened: opened again for its block, what its opening says (an
        # animated GIF's first frame only) was said twice. Not the source itself, closed: a still held its picture.
        self._pushed_out: dict[InputSpec, tuple[tuple, Callable[[], bool]]] = {}
        self._closed = False  # the run is over: a check still under way keeps nothing for a stream that is gone

    def open(self, spec: InputSpec | str, wait: bool = True) -> FrameSource | None:
        """The source for `Stream.set_input` (None for `none`); the previous one is closed once this one opened.
        `wait` False (the stream's thread between blocks): InputBusy, nothing changed, while a command checks a
        camera that this open would open or close."""
        spec = _spec(spec)
        if spec.kind != "camera" and self.spec.kind != "camera":
            return self._open(spec)  # no camera comes or goes: a check has nothing to wait for
        if not self._camera.acquire(blocking=wait):
            raise InputBusy(f"input {spec}: a command is checking a camera")
        try:
            return self._open(spec)
        finally:
            self._camera.release()

    def open_now(self, spec: str) -> FrameSource | None:
        """open() without waiting for a command's check (InputBusy instead): the producer's InputOpener."""
        return self.open(spec, wait=False)

    def _open(self, spec: InputSpec) -> FrameSource | None:
        if spec.kind == "camera" and self.spec.kind == "camera" and _device(spec) == _device(self.spec):
            self.spec = spec
            return self.source
        said = self._said_before(spec)
        source = self._take_ready(spec) or self._opened(spec, quiet=said)
        previous, self.source, self.spec = self.source, source, spec
        if previous is not source:
            self._close(previous)
        return source

    def _opened(self, spec: InputSpec, fitting: tuple | None = None, quiet: bool = False) -> FrameSource | None:
        """`quiet`: what opening it says was said already; what it says later (a save on air) is said."""
        width, height, fit = fitting or self._fitting()
        say = _SaidOnceOpen(self.say) if quiet else self.say
        source = open_source(spec, width, height, fit, say, self.uploads, self.open_capture, self.clock,
                             self.stall_after_s, self.fps, self.offline, self.stop)
        if isinstance(say, _SaidOnceOpen):
            say.opened = True
        return source

    def _said_before(self, spec: InputSpec) -> bool:
        """Whether a check's copy of `spec` said its opening and was pushed out of those kept since, the file as it
        opened it and the size the same."""
        with self._ready_lock:
            pushed = self._pushed_out.pop(spec, None)
        return pushed is not None and pushed[0] == self._fitting() and pushed[1]()

    def _fitting(self) -> tuple:
        """What a source opened ahead must have been opened for to be put on air as it is."""
        return self.width, self.height, self.fit

    def _take_ready(self, spec: InputSpec) -> FrameSource | None:
        """The newest source a check opened for `spec` at this size from its file as it still is, taken (None where
        there is none). Those opened at another size, or from the file before it was saved again, replaced or
        deleted, are closed: put on air, they showed the old picture (a file deleted played on), where opening it
        now shows the new one or says it is gone. Those left are as good as the one taken: typed twice, each is
        taken in turn."""
        fitting = self._fitting()
        with self._ready_lock:
            kept, stale, taken = [], [], None
            for entry in reversed(self._ready):
                ready, opened_for, source = entry
                if ready != spec:
                    kept.append(entry)
                elif opened_for != fitting or not source.unchanged():
                    stale.append(source)
                elif taken is None:
                    taken = source
                else:
                    kept.append(entry)
            self._ready = kept[::-1]
        for source in stale:
            source.close()
        return taken

    def discard(self, spec: InputSpec | str) -> None:
        """The copy of `spec` checked last, closed and no longer kept: what it was checked for will not be put on
        air (a reload's input, a command meanwhile changing the preset), and it held its file and picture open."""
        spec = _spec(spec)
        with self._ready_lock:
            found = next((i for i in range(len(self._ready) - 1, -1, -1) if self._ready[i][0] == spec), None)
            dropped = self._ready.pop(found)[2] if found is not None else None
        if dropped is not None:
            dropped.close()

    def _keep_ready(self, spec: InputSpec, fitting: tuple, source: ClipSource | ImageSource) -> None:
        with self._ready_lock:
            self._ready.append((spec, fitting, source))
            keep = 0 if self._closed else READY_KEPT
            cut = max(0, len(self._ready) - keep)  # fewer than kept: none pushed out (a negative cut took from the end)
            stale, self._ready = self._ready[:cut], self._ready[cut:]
            if not self._closed:
                for old_spec, old_fitting, old in stale:
                    self._pushed_out.pop(old_spec, None)  # the latest last, the first to stay
                    self._pushed_out[old_spec] = (old_fitting, old.unchanged_later())
                for old_spec in list(self._pushed_out)[:-SAID_KEPT]:
                    del self._pushed_out[old_spec]
        for _, _, old in stale:
            old.close()

    def resize(self, width: int, height: int):
        """The stream's size changed (the model loaded at a smaller size to fit the card): the open input is
        fitted to the new size from now on; the source to hand to the stream again."""
        if (width, height) == (self.width, self.height):
            return self.source
        self.width, self.height = width, height
        if self.uploads is not None:
            self.uploads.fit_to(width, height, self.fit)
        live = getattr(self.source, "live", None)  # a camera's frames: refitted as they are taken
        if isinstance(live, LiveFrames):
            live.fit_to(width, height, self.fit)
            return self.source
        spec, self.spec = self.spec, InputSpec("none")  # a clip or an image: opened again at the new size
        if spec.kind == "image":  # without a word: what opening it said (an animated image) was said already
            say = _SaidOnceOpen(self.say)
            self.source = ImageSource(spec.target, width, height, self.fit, say, follow=not self.offline)
            self.spec, say.opened = spec, True  # a save of it on air is said from now on
            return self.source
        return self.open(spec)

    def check(self, spec: InputSpec | str) -> InputSpec:
        """check_input with this switch's uploads and capture; the camera already open counts as checked."""
        spec = _spec(spec)
        if spec.kind in ("file", "image"):  # opened once, here, off the stream's thread, and kept for it to take
            # the size read once, before opening: a resize meanwhile finds the source kept for the size it has
            fitting = self._fitting()
            source = self._opened(spec, fitting)
            # open_source's for these kinds, which a kept source is: taken, it is asked whether its file is unchanged
            assert isinstance(source, (ClipSource, ImageSource))
            self._keep_ready(spec, fitting, source)
            return spec
        if spec.kind != "camera":
            return check_input(spec, self.uploads is not None, self.open_capture)
        # not while the stream's thread opens or closes a camera: the device would be busy
        if not self._camera.acquire(timeout=self.check_wait_s):
            raise InputError(f"input {spec}: not checked, the stream is still opening or closing a camera "
                             f"({self.check_wait_s:g} s so far)", "send the command again in a moment")
        try:
            if self.spec.kind == "camera" and _device(spec) == _device(self.spec):
                return spec
            return check_input(spec, self.uploads is not None, self.open_capture)
        finally:
            self._camera.release()

    def _close(self, source) -> None:
        # the uploads outlive any switch to another input: the server keeps filling them
        if source is not None and source is not self.uploads and hasattr(source, "close"):
            source.close()

    def status(self) -> str | None:
        status = getattr(self.source, "status", None)
        return status() if status is not None else None

    def close(self) -> None:
        with self._ready_lock:
            ready, self._ready, self._closed = self._ready, [], True
            self._pushed_out.clear()
        for _, _, source in ready:
            source.close()
        self._close(self.source)
        self.source, self.spec = None, InputSpec("none")
