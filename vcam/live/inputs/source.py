"""What every input source is: an object the stream asks for a block's frames, and the error a user can act on."""
from __future__ import annotations

from typing import Callable, Protocol

import numpy as np

from vcam.errors import FileNamingError

Say = Callable[[str], None]


class FrameSource(Protocol):
    """`frames(start, count)`: `count` RGB uint8 frames [count, H, W, 3] at the stream's size for a block whose
    input begins at frame `start` of this source. A clip plays by `start`, an image repeats itself, a live source
    ignores `start` and spreads `count` over what arrived since its last call. `status()` and `close()` are
    optional (the stream and the switch look them up)."""

    def frames(self, start: int, count: int) -> np.ndarray: ...


class InputError(FileNamingError, ValueError):
    """An input that cannot be opened: the file, image or device named, and the fix. A ValueError too, so the
    places that report a bad command's ValueError (the controller, the show's checks) report this one as well."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message, fix)
        # one line where a running show reports it (a command's error on the console, a status message)
        self.args = (f"{self.message} (fix: {self.fix})" if self.fix else self.message,)

    def __str__(self) -> str:
        return self.args[0]


def repeat(frame: np.ndarray, count: int) -> np.ndarray:
    """One frame [H, W, 3] as a block of `count` [count, H, W, 3] (a writable array of its own)."""
    return np.repeat(frame[None], count, axis=0)
