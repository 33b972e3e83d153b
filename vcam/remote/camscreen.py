"""The screen of `vcam cam`: the server's freeze, blackout and live, each made when the frame it names comes on this
camera.

The server says its screen mode with the generated frame that was on its own camera when the mode changed
(`screen_at`, vcam.remote.protocol). The frames that were already on their way, or waiting in this machine's
pacer, then play on unchanged up to that frame: the camera freezes on the picture the operator saw frozen, and
blacks out after the same frame, whatever the network's delay and this side's buffer. A state without a frame (a
server from before) is made on arrival, as it always was.
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from vcam.control.actions import SCREEN_MODES
from vcam.control.protocol import Shown

Frame = tuple[int, int]  # (block, index in the block)


class CamScreen:
    """What the camera's Screen (vcam.live.screen) reads on every tick as `screen`. `heard` takes each state the
    server sends (on the link's thread), `shown` each numbered frame as it comes on this camera (the pacer's
    `on_frame_shown`, on the camera's thread: a change made there acts from the next tick, as on the server).

    A change whose frame never comes (lost with a connection) is made once the stream stalls (`stalled`): the
    camera never stays live through a blackout for lack of a frame."""

    def __init__(self, stalled: Callable[[], bool] = lambda: False):
        self._stalled = stalled
        self._lock = threading.Lock()
        self._mode = "live"
        self._waiting: deque[tuple[str, Frame]] = deque()  # (mode, its frame), in the order the server made them
        self._heard: tuple[str, Frame] | None = None  # the last change heard with its frame: each state repeats it
        self._shown: Frame | None = None  # the last numbered frame on this camera

    @property
    def screen(self) -> str:
        with self._lock:
            if self._waiting and self._stalled():
                self._mode = self._waiting[-1][0]
                self._waiting.clear()
            return self._mode

    def heard(self, state: dict) -> None:
        """A state from the server (or the state a reply carries); one without a screen leaves it as it is."""
        mode = state.get("screen")
        if mode not in SCREEN_MODES:
            return
        at = _frame(state.get("screen_at"))
        with self._lock:
            if at is None:  # a server that names no frame: at once, and it overrides any change still waiting
                self._waiting.clear()
                self._heard, self._mode = None, mode
                return
            if (mode, at) == self._heard:
                return
            self._heard = (mode, at)
            if self._waiting and at < self._waiting[-1][1]:
                self._waiting.clear()  # numbered from 0 again: a restarted server, whose frames those were not
            if self._shown is not None and at <= self._shown:  # that frame is on already (or was skipped)
                self._mode = mode
            else:
                self._waiting.append((mode, at))

    def shown(self, shown: Shown) -> None:
        """A numbered frame came on the camera: the changes made at it, or at one before it that was never shown
        here (dropped on the way, skipped by the pacer), are made now."""
        at = (shown.block, shown.index)
        with self._lock:
            self._shown = at
            while self._waiting and self._waiting[0][1] <= at:
                self._mode = self._waiting.popleft()[0]

    def waiting(self) -> int:
        """Changes heard whose frame has not come on this camera yet."""
        with self._lock:
            return len(self._waiting)


def _frame(value: object) -> Frame | None:
    """[block, index] as a state names a frame; None for anything else (no frame, or a malformed one)."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value):
        return value[0], value[1]
    return None
