"""The output that keeps nothing (benchmarks, and a server whose camera is elsewhere)."""
from __future__ import annotations

import numpy as np


class NullOutput:
    """Discards frames (for benchmarks and tests); counts them."""

    def __init__(self):
        self.name = "null"
        self.frames = 0

    def send(self, frame: np.ndarray, tick: int) -> None:
        self.frames += 1

    def close(self) -> None:
        pass
