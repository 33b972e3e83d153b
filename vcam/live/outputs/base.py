"""What an output is, and the registry that opens one by its kind (as pyvirtualcam's backends are registered)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from vcam.errors import VcamError
from vcam.outspec import OutputSpec
from vcam.targets import said_name


class Output(Protocol):
    """Receives RGB uint8 frames [height, width, 3] of the size it was opened with, with the camera tick.

    An output may say `never_behind = True` (null): frames it skips are then not reported as its slowness. One
    that may wait long before its first frame (a window waiting for its display) may have `end_wait()`, called
    from another thread as the show closes: the wait ends at once, and nothing more is shown. One that has
    something to look at once the show is on air may have `went_on_air()`, called on its worker's thread before
    the first frame of the show (after the loading card's); what it raises fails the output as `send` would."""

    name: str

    def send(self, frame: np.ndarray, tick: int) -> None: ...

    def close(self) -> None: ...


def said_by(output: Output) -> str:
    """An output as a line names it: a file by its path (/dev/stdout by the file the shell sent it to, as the start
    named it), anything else by its name."""
    path = getattr(output, "path", None)
    return said_name(path) if path else output.name


# An opener makes the output of a spec at width x height and fps; it raises VcamError with the fix when it cannot.
Opener = Callable[[OutputSpec, int, int, float], Output]


def _camera(spec: OutputSpec, width: int, height: int, fps: float) -> Output:
    from vcam.live.outputs.camera import VirtualCamera, keep_size

    try:
        return VirtualCamera(width, height, fps, device=spec.target, sized=spec.width is not None)
    except VcamError as e:
        if spec.width is None:
            raise
        raise keep_size(e, width, height) from None


def _recording(spec: OutputSpec, width: int, height: int, fps: float) -> Output:
    from vcam.live.outputs.recording import Recording

    return Recording(spec.target, width, height, fps)


def _window(spec: OutputSpec, width: int, height: int, fps: float) -> Output:
    from vcam.live.outputs.preview import PreviewWindow

    return PreviewWindow(width, height)


def _null(spec: OutputSpec, width: int, height: int, fps: float) -> Output:
    from vcam.live.outputs.null import NullOutput

    return NullOutput()


# Each opener imports its module only when used: the camera and window pull in optional packages.
OPENERS: dict[str, Opener] = {"vcam": _camera, "file": _recording, "window": _window, "null": _null}


def open_output(spec: OutputSpec, width: int, height: int, fps: float) -> Output:
    """Opens the output of `spec` at width x height (raises VcamError with the fix when it cannot)."""
    return OPENERS[spec.kind](spec, width, height, fps)
