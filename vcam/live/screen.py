"""freeze / blackout / live: what the camera shows on each tick, whatever the stream does."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vcam.control.protocol import Shown

# Told on every tick the mode the screen read and the generated frame the tick before showed (None: none yet).
ScreenRead = Callable[[str, "Shown | None"], None]


class Screen:
    """Reads `state.screen` ("live", "freeze" or "blackout") on every tick. A freeze holds the picture that was on
    screen when it came (the last tick's), so that a log which keeps the frame on screen then (vcam.control.log)
    replays and renders the very picture the audience saw held.

    `on_read`, if given, is told on the camera's thread, each tick, the mode read and the generated frame of the tick
    before (its `shown` here): a change first read on a tick comes after that frame, the one a freeze holds. The
    control log logs the change with it (ControlLog.screen_read), so the log names the frame the camera really held,
    not the one on screen an instant later when the command's thread came to log it."""

    def __init__(self, state, on_read: ScreenRead | None = None):
        self.state = state
        self.on_read = on_read
        self._frozen: np.ndarray | None = None
        self._black: np.ndarray | None = None
        self._last: np.ndarray | None = None  # the frame of the last tick, under any freeze or blackout
        self._shown: Shown | None = None  # the generated frame the last tick showed

    def apply(self, frame: np.ndarray, shown: Shown | None = None) -> np.ndarray:
        """The picture for this tick; `shown`: the generated frame `frame` is (the pacer's `showing`)."""
        last, self._last = self._last, frame
        after, self._shown = self._shown, shown
        mode = self.state.screen
        if self.on_read is not None:
            self.on_read(mode, after)
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
