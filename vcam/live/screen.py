"""freeze / blackout / live: what the camera shows on each tick, whatever the stream does."""
from __future__ import annotations

import numpy as np


class Screen:
    """Reads `state.screen` ("live", "freeze" or "blackout") on every tick. A freeze holds the picture that was on
    screen when it came (the last tick's), so that a log which keeps the frame on screen then (vcam.control.log)
    replays and renders the very picture the audience saw held."""

    def __init__(self, state):
        self.state = state
        self._frozen: np.ndarray | None = None
        self._black: np.ndarray | None = None
        self._last: np.ndarray | None = None  # the frame of the last tick, under any freeze or blackout

    def apply(self, frame: np.ndarray) -> np.ndarray:
        last, self._last = self._last, frame
        mode = self.state.screen
        if mode == "blackout":
            if self._black is None or self._black.shape != frame.shape:
                self._black = np.zeros_like(frame)
            return self._black
        if mode == "freeze":
            if self._frozen is None:
                self._frozen = last if last is not None and last.shape == frame.shape else frame
            return self._frozen
        self._frozen = None
        return frame
