"""The output that keeps nothing (benchmarks, and a server whose camera is elsewhere)."""
from __future__ import annotations

import numpy as np


class NullOutput:
    """Discards frames (for benchmarks and tests); counts them."""

    never_behind = True  # sending costs nothing: a frame it skips was never its fault (see OutputWorker.worth_saying)

    def __init__(self):
        self.name = "null"
        self.frames = 0

    def send(self, frame: np.ndarray, tick: int) -> None:
        self.frames += 1

    def close(self) -> None:
        pass
