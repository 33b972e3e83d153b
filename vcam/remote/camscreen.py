"""The screen of `vcam cam`: the server's freeze, blackout and live, each made when the frame it names comes on this
camera.

The server says its screen mode with the generated frame that was on its own camera when the mode changed
(`screen_at`, vcam.remote.protocol). The frames that were already on their way, or waiting in this machine's
pacer, then play on unchanged up to that frame: the camera freezes on the picture the operator saw frozen, and
blacks out after the same frame, whatever the network's delay and this side's buffer. A state without a frame (a
server from before) is made on arrival, as it always was. A change whose frame never comes here (lost on the way,
or shown before this client came) is made on the first tick that shows a later frame, before its picture is made.

A restarted server numbers its frames from 0 again, while this camera may still hold a frame of the old numbering:
a state whose server has made fewer blocks than that frame's (its "block"), or a change at a frame before the
last change heard, says so. The old frame is then forgotten, so that a change the new server makes waits for its
own frame to come here, rather than being made at once as already past. The old server's frames still waiting in
the pacer then play on, but as the old server's: their numbers say nothing of the new server's, so they make none
of its changes (a blackout would land early, a freeze hold an old picture) and a later state of its blocks is not
read against them as yet another restart. The first frame shown here of those pushed after the restart was heard
is the new server's whatever its number: the first ones of the new numbering may never come here (passed over,
dropped past the latency cap, lost on the way).
"""
from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from vcam.control.actions import SCREEN_MODES
from vcam.control.protocol import Shown

Frame = tuple[int, int]  # (block, index in the block)
BEFORE_ANY: Frame = (-1, -1)  # before every frame a server numbers: a change made as its first frame comes on


class CamScreen:
    """What the camera's Screen (vcam.live.screen) reads on every tick as `screen`. `heard` takes each state the
    server sends (on the link's thread), `shown` each numbered frame as it comes on this camera (the pacer's
    `on_frame_shown`, on the camera's thread: a change made there acts from the next tick, as on the server).

    A change whose frame never comes on this camera is made on the first tick that shows a later one (`showing`,
    the pacer's frame on screen now with the frames pushed before it, None where not known, read before the tick's
    picture is made): a frame lost on the way, or one named by a client that came after it (joining a blacked-out
    show: black from its first frame), never lets the next frame out live for a tick. One whose frame never comes at
    all (lost with a connection) is made once the stream stalls (`stalled`): the camera never stays live through a
    blackout for lack of a frame (but after a restart: below). Not live after a freeze or blackout: the stalled
    stream's frame is one the server never showed live (a blackout hid it); live waits for a later frame.

    After a restart of the server (see the module), the frames told by `shown` and named by `showing` are the old
    server's until one pushed to the pacer after the restart was heard comes on (`pushed`, the frames pushed by
    then, and `telling`, those pushed before the frame `shown` is told of), or, where the new server has made no
    more blocks than the frame held on screen then, one numbered at or below that frame: meanwhile they make none
    of the new server's changes, `showing` is not read (but for a frame pushed after the restart, or one below the
    held frame), and the stall (the old server's) makes no change: one of the new server's whose frames never come
    (it went again at once) waits for the next frame that does. Without `pushed` and `telling` (both or neither),
    only that held frame is the old server's (and only where the new server has made no more blocks than its):
    the frames told after it are read as the new one's."""

    def __init__(self, stalled: Callable[[], bool] = lambda: False,
                 showing: Callable[[], tuple[Shown | None, int | None]] = lambda: (None, None),
                 pushed: Callable[[], int] | None = None, telling: Callable[[], int | None] | None = None):
        self._stalled = stalled
        self._showing = showing
        self._pushed = pushed
        self._telling = telling
        self._lock = threading.Lock()
        self._mode = "live"
        self._waiting: deque[tuple[str, Frame]] = deque()  # (mode, its frame), in the order the server made them
        self._heard: tuple[str, Frame] | None = None  # the last change heard with its frame: each state repeats it
        self._shown: Frame | None = None  # the last numbered frame on this camera
        self._last_at: Frame | None = None  # the frame of the last change heard with one: the server's numbering
        # the frame on this camera when the server was heard restarted: the old numbering, until a new frame comes
        self._old: Frame | None = None
        # the frames pushed as the restart was heard (None: not known, or no restart pending): a frame told as pushed
        # before them is the old server's, one pushed after them the new server's and the end of the old numbering
        self._new_from: int | None = None

    @property
    def screen(self) -> str:
        on, after = self._showing()  # before our lock: the pacer's lock is never taken under it
        with self._lock:
            if self._waiting and self._stalled() and not self._renumbering() and not self._held_in_stall():
                self._mode = self._waiting[-1][0]
                self._waiting.clear()
            elif on is not None and self._reads((on.block, on.index), after):
                # the frame named is past without having come (`shown` makes the one at the very frame after its
                # tick, as the server did). The new server's first frame on, the tick before showed the old one's:
                # a freeze made now would hold that picture; it is left to `shown`, to hold this frame
                renumbering = self._renumbering()
                self._make_up_to((on.block, on.index), strictly=True, last_freeze=not renumbering)
            return self._mode

    @property
    def mode(self) -> str:
        """The mode the camera is in, as the status line says it; unlike `screen`, read without making a change."""
        with self._lock:
            return self._mode

    def heard(self, state: dict) -> None:
        """A state from the server (or the state a reply carries); one without a screen leaves it as it is."""
        mode = state.get("screen")
        at, blocks = _frame(state.get("screen_at")), _count(state.get("block"))
        # before our lock, as in `screen`; the old server's frames were all pushed as its connection ended, before
        # this state came on the same thread
        # with both or neither: pushed frames never told in order would leave the old numbering on for good
        pushed = self._pushed() if self._pushed is not None and self._telling is not None else None
        with self._lock:
            if self._renumbered(at, blocks):
                self._restarted(at, blocks, pushed)
            if mode not in SCREEN_MODES:
                return
            if at is None and self._renumbering() and _uncovers(self._mode, mode):
                # a restarted server that has shown no frame yet: live (or a freeze, which holds the last picture
                # made) at once would bring back the old server's last frame, the picture a blackout hid, for as
                # long as the new one loads its model. Made as its first frame comes on (the frame before any of its
                # own)
                if not self._waiting or self._waiting[-1] != (mode, BEFORE_ANY):
                    self._waiting.append((mode, BEFORE_ANY))
                return
            if at is None:  # a server that names no frame: at once, and it overrides any change still waiting
                self._waiting.clear()
                self._heard, self._mode = None, mode
                return
            if (mode, at) == self._heard:
                return
            self._heard, self._last_at = (mode, at), at
            if self._shown is not None and at <= self._shown:  # that frame is on already (or was skipped)
                self._mode = mode
            else:
                self._waiting.append((mode, at))

    def shown(self, shown: Shown) -> None:
        """A numbered frame came on the camera (its tick emitted): the changes made at it are made now, to act from
        the next tick (those at one before it, never shown here, were made as it came on: `screen`)."""
        at = (shown.block, shown.index)
        before = self._telling() if self._telling is not None else None  # the frames pushed before this one
        with self._lock:
            # the restarted server's numbering is on: `showing` names its frames. The held frame was told of already,
            # so one told at its very number is the new server's; so is any pushed after the restart was heard
            if self._old is not None and at <= self._old or _at_least(before, self._new_from):
                self._old = self._new_from = None
            elif self._new_from is not None and before is not None:
                # pushed before the restart was heard: the old server's, still in the pacer then. Its number is not
                # the new server's: it makes none of its changes, nor is a state of its blocks read against it
                return
            self._shown = at
            self._make_up_to(at)

    def _renumbering(self) -> bool:
        """Whether a restarted server has been heard whose frames have not come on this camera yet; called locked."""
        return self._old is not None or self._new_from is not None

    def _reads(self, on: Frame, after: int | None) -> bool:
        """Whether the frame `showing` names now (with `after` frames pushed before it) tells the changes before
        it made; called locked. Not while the old numbering is on, but for a frame pushed after the restart was
        heard (the new server's, on screen before it is told of: a change before it lost on the way is made before
        its picture), or one below the held frame where the new server has made no more blocks than its (the old
        server's frames after it are numbered past it)."""
        if _at_least(after, self._new_from):
            return True
        if self._old is not None:
            return on < self._old
        return self._new_from is None

    def _renumbered(self, at: Frame | None, blocks: int | None) -> bool:
        """Whether a state comes from a server that numbers its frames anew (restarted); called locked. A server
        has made every frame it sent, so its count of blocks is never below one of them; and each change it makes
        is at its camera's frame then, never before the change before."""
        return _below(blocks, self._shown) or at is not None and self._last_at is not None and at < self._last_at

    def _restarted(self, at: Frame | None, blocks: int | None, pushed: int | None) -> None:
        """Forgets the old server's numbering: its changes still waiting, its last change, the frame on this camera;
        called locked. `pushed`: the frames pushed by now (None: not known); until the first shown of those pushed
        after them, the frames shown are the old server's (`shown`), `showing` names one of theirs (but where it
        says the frame was pushed after them) and is not read, and the stream's stall (the old server's, whose
        frames stopped) makes no change of the new server's: its frames are on their way. Where the new numbering is
        below that frame, it is also kept as `_old`: one at or below it coming on ends the wait too (the new
        server's first frames, should they come before its first state; and without `pushed`, the only end), and
        one below it on screen is read. Where the new server has made more blocks than that frame's, not: its
        frames are numbered past it, as the old server's still to come are, so that without `pushed` none would end
        the wait (and the stall would never again make a change); its changes before that frame are long past."""
        self._waiting.clear()
        self._heard = self._last_at = None
        old, self._shown = self._shown, None
        # None: no frame of the new numbering came on since an earlier restart: the frame held then (`_old`) still is
        if old is not None:
            self._old = old if (blocks <= old[0] if blocks is not None else at is not None and at < old) else None
        # the first frames of the new numbering, at or below the held one, may never come here, and the old server's
        # still to come (a restart within the buffer's seconds, or one still being told, heard during the tick's emit)
        # are numbered as the new server's may be: the first one shown of those pushed from now on is the new
        # server's, whatever its number, and the ones before it are the old server's, whatever theirs
        self._new_from = pushed

    def _make_up_to(self, at: Frame, strictly: bool = False, last_freeze: bool = True) -> None:
        """Makes the waiting changes at frames up to `at` (before it, `strictly`), in order, but the last of them
        where it is a freeze and not `last_freeze`; called locked."""
        due = 0
        while due < len(self._waiting) and (self._waiting[due][1] < at or not strictly and self._waiting[due][1] == at):
            due += 1
        if due and not last_freeze and self._waiting[due - 1][0] == "freeze":
            due -= 1
        for _ in range(due):
            self._mode = self._waiting.popleft()[0]

    def _held_in_stall(self) -> bool:
        """Whether the last change waiting, made in a stall, would go live from a freeze or a blackout (lifted while
        the connection was down): live would show the last frame on this camera, a picture the server never showed,
        so it waits for a frame at or after its own; called locked. (A freeze is made: it holds that frame.)"""
        return bool(self._waiting) and self._waiting[-1][0] == "live" and self._mode != "live" and self._stalled()

    def lifted_unseen(self) -> bool:
        """Whether a freeze or blackout was lifted while the stream stalled: the camera keeps it until a frame comes."""
        with self._lock:
            return not self._renumbering() and self._held_in_stall()

    def ahead(self) -> str:
        """The mode the camera comes to with the frames it has been told of: the last change still waiting for its
        frame (which the frames in hand, or a stall, will make), else the one it is in. Where a restarted server's
        frames have not come, the one it is in: the changes wait for frames not yet made."""
        with self._lock:
            if self._waiting and not self._renumbering() and not self._held_in_stall():
                return self._waiting[-1][0]
            return self._mode

    def waiting(self) -> int:
        """Changes heard whose frame has not come on this camera yet."""
        with self._lock:
            return len(self._waiting)


def covering(screen: CamScreen | None) -> str | None:
    """What the camera shows whatever frames come, as a line says it: black, or its frozen frame; None while live
    (or without a screen)."""
    mode = screen.ahead() if screen is not None else "live"
    if mode != "live" and screen is not None and screen.lifted_unseen():
        kept = "stays black" if mode == "blackout" else "holds its frozen frame"
        return f"the camera {kept} until the server's next frame (the {mode} was lifted while its frames were lost)"
    return {"blackout": "the camera stays black (blackout)", "freeze": "the camera holds its frozen frame"}.get(mode)


def _uncovers(now: str, mode: str) -> bool:
    """Whether going from `now` to `mode` shows the last picture on this camera again: live from a freeze or
    blackout, a freeze from a blackout."""
    return mode == "live" and now != "live" or mode == "freeze" and now == "blackout"


def _frame(value: object) -> Frame | None:
    """[block, index] as a state names a frame; None for anything else (no frame, or a malformed one)."""
    if isinstance(value, (list, tuple)) and len(value) == 2 and all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value):
        return value[0], value[1]
    return None


def _count(value: object) -> int | None:
    """The blocks a server has made, as its state says ("block"); None where it says nothing usable."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _at_least(before: int | None, pushed: int | None) -> bool:
    """Whether a frame with `before` frames pushed before it was pushed after `pushed` frames (both known)."""
    return before is not None and pushed is not None and before >= pushed


def _below(blocks: int | None, frame: Frame | None) -> bool:
    """Whether a server that has made `blocks` blocks cannot have made `frame`: another server's."""
    return blocks is not None and frame is not None and blocks < frame[0]
