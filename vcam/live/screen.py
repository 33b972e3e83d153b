"""freeze / blackout / live: what the camera shows on each tick, whatever the stream does."""
from __future__ import annotations

import numpy as np


class Screen:
    """Reads `state.screen` ("live", "freeze" or "blackout") on every tick."""

    def __init__(self, state):
        self.state = state
        self._frozen: np.ndarray | None = None
        self._black: np.ndarray | None = None

    def apply(self, frame: np.ndarray) -> np.ndarray:
        mode = self.state.screen
        if mode == "blackout":
            if self._black is None or self._black.shape != frame.shape:
                self._black = np.zeros_like(frame)
            return self._black
        if mode == "freeze":
            if self._frozen is None:
                self._frozen = frame
            return self._frozen
        self._frozen = None
        return frame
