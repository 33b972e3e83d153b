"""The screen of `vcam cam`: the server's freeze, blackout and live, each made when the frame it names comes on this
camera.

The server says its screen mode with the generated frame that was on its own camera when the mode changed
(`screen_at`, vcam.remote.protocol). The frames that were already on their way, or waiting in this machine's
pacer, then play on unchanged up to that frame: the camera freezes on the picture the operator saw frozen, and
blacks out after the same frame, whatever the network's delay and this side's buffer. A state without a frame (a
server from before) is made on arrival, as it always was. A change whose frame never comes here (lost on the way,
or shown before this client came) is made on the first tick that shows a later frame, before its picture is made.
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

    A change whose frame never comes on this camera is made on the first tick that shows a later one (`showing`,
    the pacer's frame on screen now, read before the tick's picture is made): a frame lost on the way, or one
    named by a client that came after it (joining a blacked-out show: black from its first frame), never lets the
    next frame out live for a tick. One whose frame never comes at all (lost with a connection) is made once the
    stream stalls (`stalled`): the camera never stays live through a blackout for lack of a frame."""

    def __init__(self, stalled: Callable[[], bool] = lambda: False,
                 showing: Callable[[], Shown | None] = lambda: None):
        self._stalled = stalled
        self._showing = showing
        self._lock = threading.Lock()
        self._mode = "live"
        self._waiting: deque[tuple[str, Frame]] = deque()  # (mode, its frame), in the order the server made them
        self._heard: tuple[str, Frame] | None = None  # the last change heard with its frame: each state repeats it
        self._shown: Frame | None = None  # the last numbered frame on this camera

    @property
    def screen(self) -> str:
        on = self._showing()  # before our lock: the pacer's lock is never taken under it
        with self._lock:
            if self._waiting and self._stalled():
                self._mode = self._waiting[-1][0]
                self._waiting.clear()
            elif on is not None:
                # the frame named is past without having come (`shown` makes the one at the very frame after its
                # tick, as the server did)
                self._make_up_to((on.block, on.index), strictly=True)
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
        """A numbered frame came on the camera (its tick emitted): the changes made at it are made now, to act from
        the next tick (those at one before it, never shown here, were made as it came on: `screen`)."""
        at = (shown.block, shown.index)
        with self._lock:
            self._shown = at
            self._make_up_to(at)

    def _make_up_to(self, at: Frame, strictly: bool = False) -> None:
        """Makes the waiting changes at frames up to `at` (before it, `strictly`), in order; called locked."""
        while self._waiting and (self._waiting[0][1] < at or not strictly and self._waiting[0][1] == at):
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
