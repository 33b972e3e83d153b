"""Bytes per second for the status lines of vcam serve and vcam cam, over a window of a few seconds.

Frames come a block at a time (12 at once, about one block a second at 12 frames/s), so a rate measured over a
second, or between two status lines a quarter of a second apart, read 0 between blocks and several times the
link's rate on the one that held a block.
"""
from __future__ import annotations

from collections import deque


class ByteRate:
    """The rate of a growing byte count, over the last WINDOW_S seconds of samples (`add` on every status line)."""

    WINDOW_S = 5.0

    def __init__(self, window: float = WINDOW_S):
        self.window = window
        self._samples: deque[tuple[float, int]] = deque()

    def add(self, now: float, total: int) -> float:
        """The count's total at `now`; returns bytes per second over the window (0 until two samples are apart)."""
        self._samples.append((now, total))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window:
            self._samples.popleft()  # the oldest kept is the last one at least a window back
        return self.rate()

    def rate(self) -> float:
        if len(self._samples) < 2:
            return 0.0
        (t0, b0), (t1, b1) = self._samples[0], self._samples[-1]
        return (b1 - b0) / (t1 - t0) if t1 > t0 else 0.0
