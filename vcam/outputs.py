"""Where frames go: `--out` specs, and a worker thread per output so that a slow one never holds up the rest.

Spec forms: `vcam`, `vcam:DEVICE`, `file:PATH.mp4`, `window`, `null`, each optionally ending in `@WIDTHxHEIGHT`.
"""
from __future__ import annotations

import re
import sys
import threading
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from vcam.errors import VcamError
from vcam.frames import FITS, fit
from vcam.mailbox import Mailbox

KINDS = ("vcam", "file", "window", "null")


class Output(Protocol):
    """Receives RGB uint8 frames [height, width, 3] of the size it was opened with, with the camera tick."""

    name: str

    def send(self, frame: np.ndarray, tick: int) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class OutputSpec:
    kind: str
    target: str | None = None
    width: int | None = None
    height: int | None = None

    def __str__(self) -> str:
        s = self.kind + (f":{self.target}" if self.target else "")
        return s + (f"@{self.width}x{self.height}" if self.width else "")


def parse_spec(text: str) -> OutputSpec:
    """`file:show.mp4@1280x720` → OutputSpec('file', 'show.mp4', 1280, 720); ValueError saying the forms."""
    usage = "use vcam, vcam:DEVICE, file:PATH.mp4, window or null, optionally followed by @WIDTHxHEIGHT"
    size = re.search(r"@(\d+)x(\d+)$", text)
    body = text[: size.start()] if size else text
    kind, _, target = body.partition(":")
    if kind not in KINDS:
        raise ValueError(f"unknown output {text!r}: {usage}")
    if kind == "file" and not target:
        raise ValueError(f"output {text!r} needs a path: file:PATH.mp4")
    if kind in ("window", "null") and target:
        raise ValueError(f"output {text!r} takes no target: {usage}")
    w, h = (int(size.group(1)), int(size.group(2))) if size else (None, None)
    if size and (w < 16 or h < 16 or w > 7680 or h > 4320):
        raise ValueError(f"output size {w}x{h} is out of range (16x16 to 7680x4320)")
    return OutputSpec(kind, target or None, w, h)


class NullOutput:
    """Discards frames (for benchmarks and tests); counts them."""

    def __init__(self):
        self.name = "null"
        self.frames = 0

    def send(self, frame: np.ndarray, tick: int) -> None:
        self.frames += 1

    def close(self) -> None:
        pass


def open_output(spec: OutputSpec, width: int, height: int, fps: float) -> Output:
    """Opens the output of `spec` at width×height (raises VcamError with the fix when it cannot)."""
    if spec.kind == "vcam":
        from vcam.camera import VirtualCamera

        return VirtualCamera(width, height, fps, device=spec.target)
    if spec.kind == "file":
        from vcam.recording import Recording

        return Recording(spec.target, width, height, fps)
    if spec.kind == "window":
        from vcam.preview import PreviewWindow

        return PreviewWindow(width, height)
    return NullOutput()


class OutputWorker:
    """Feeds one output from its own thread. `offer` never blocks: past `queue` waiting frames the oldest go.

    Cameras and windows want the newest frame (queue 1); a recording wants every frame (a longer queue).
    """

    def __init__(self, output: Output, width: int, height: int, fit_mode: str = "letterbox", queue: int = 2):
        if fit_mode not in FITS:
            raise ValueError(f"unknown fit {fit_mode!r}: choose {', '.join(FITS)}")
        self.output = output
        self.size = (width, height)
        self.fit_mode = fit_mode
        self._mailbox: Mailbox[tuple[np.ndarray, int]] = Mailbox(queue)
        self.sent = 0
        self.error: Exception | None = None
        self._thread = threading.Thread(target=self._run, name=f"output-{output.name}", daemon=True)
        self._thread.start()

    @property
    def dropped(self) -> int:
        return self._mailbox.dropped

    def offer(self, frame: np.ndarray, tick: int) -> None:
        self._mailbox.put((frame, tick))

    def _run(self) -> None:
        try:
            self._feed()
        finally:  # closed on the thread that used it (GUI toolkits and encoders want that)
            try:
                self.output.close()
            except Exception as e:
                print(f"vcam: closing output {self.output.name} failed: {e}", file=sys.stderr, flush=True)

    def _feed(self) -> None:
        while (item := self._mailbox.get()) is not None:
            frame, tick = item
            if self.error is not None:
                continue
            try:
                self.output.send(fit(frame, *self.size, self.fit_mode), tick)
                self.sent += 1
            except Exception as e:  # an output failing must not take the show down with it
                self.error = e
                print(f"vcam: output {self.output.name} failed and is stopped: {e}", file=sys.stderr, flush=True)

    def close(self, timeout: float = 5.0) -> None:
        """Sends what is queued, then the worker closes the output; waits up to `timeout` seconds for that."""
        self._mailbox.close(drain=True)
        self._thread.join(timeout)
        if self._thread.is_alive():
            print(f"vcam: output {self.output.name} is still busy after {timeout:g} s; leaving it to finish",
                  file=sys.stderr, flush=True)


def open_outputs(specs: list[OutputSpec], width: int, height: int, fps: float, fit_mode: str) -> list[OutputWorker]:
    """Opens every output (closing those already open if one fails) and starts a worker for each."""
    workers: list[OutputWorker] = []
    try:
        for spec in specs:
            w, h = spec.width or width, spec.height or height
            out = open_output(spec, w, h, fps)
            # recordings keep every frame; live outputs keep only a few, the newest, so they never lag behind
            queue = int(fps * 4) if spec.kind == "file" else 3
            workers.append(OutputWorker(out, w, h, fit_mode, queue=queue))
    except (VcamError, ValueError, OSError):
        for worker in workers:
            worker.close()
        raise
    return workers
