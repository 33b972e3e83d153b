"""freeze / blackout / live: what the camera shows on each tick, whatever the stream does."""
from __future__ import annotations

import threading

import numpy as np

from vcam.control.protocol import Shown


class Screen:
    """Reads `state.screen` ("live", "freeze" or "blackout") on every tick. A freeze holds the picture that was on
    screen when it came (the last tick's; under a stall's fallback image or a --smooth blend of two generated frames,
    the generated frame beneath it: see below), so that a log which keeps the frame it came after
    (vcam.control.log) replays and renders the very picture held.

    `set` changes the mode between two ticks, never during one (a small lock around each tick's read), and says the
    generated frame of the last tick: the one a change comes after, which a freeze holds. The controller logs the
    change with it and tells network clients it, so the log, the clients and this camera agree on the frame, whenever
    a tick falls; nothing but the read and that frame are done under the lock, so a slow disk never holds the
    camera.

    A freeze during a stall holds the generated frame under the fallback image (`covered`), not the image: the log
    can only name a generated frame, a replay and `vcam render` have no stall (nor the show's fallback images), and a
    vcam cam client has its own fallback image or none, so the frame named is the one picture they can all hold.
    The fallback image stands in for frames that do not come; a frozen picture waits for none, so the show's own
    last picture comes back and stays, as it would under any freeze. Back to live, the fallback image returns while
    the stall lasts; a blackout covers it as it covers any frame. A blend of --smooth is no picture the log can name
    either: a freeze holds the generated frame it blends from, the one the log names."""

    def __init__(self, state):
        self.state = state
        self._lock = threading.Lock()  # a tick's read against a change set from a command's thread
        self._frozen: np.ndarray | None = None
        self._black: np.ndarray | None = None
        self._last: np.ndarray | None = None  # the generated picture of the last tick, under any freeze or blackout
        self._shown: Shown | None = None  # the generated frame the last tick showed

    def set(self, mode: str) -> Shown | None:
        """Sets `state.screen` to `mode` (from any thread); the generated frame of the last tick, after which the
        next tick makes the change (None: no generated frame on the camera yet)."""
        with self._lock:
            self.state.screen = mode
            return self._shown

    def apply(self, frame: np.ndarray, shown: Shown | None = None, covered: np.ndarray | None = None,
              on_air: bool = True) -> np.ndarray:
        """The picture for this tick; `shown`: the generated frame `frame` is (the pacer's `showing`); `covered`:
        where `frame` is the fallback image or a blend of two generated frames (--smooth), the generated frame it
        stands in for (the pacer's `last_tick`), which a freeze holds;
        `on_air` False: `frame` is the loading card.

        A freeze that comes before the show is on air holds its first generated frame: the card is no picture of the
        show, and held it went into the recordings (which hold the show, not the card) for as long as the freeze,
        where the log, its replay and `vcam render` hold the first frame."""
        picture = covered if covered is not None else frame
        with self._lock:
            mode = self.state.screen
            last, self._last = self._last, (picture if on_air else None)
            self._shown = shown
        if mode == "blackout":
            self._frozen = None  # a freeze after it holds the frame it comes after, not one from before
            if self._black is None or self._black.shape != frame.shape:
                self._black = np.zeros_like(frame)
            return self._black
        if mode == "freeze":
            if self._frozen is None:
                if not on_air:  # the card: the freeze takes hold on the first generated frame
                    return frame
                self._frozen = last if last is not None and last.shape == frame.shape else picture
            return self._frozen
        self._frozen = None
        return frame
