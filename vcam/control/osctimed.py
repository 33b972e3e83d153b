"""Bundles timed ahead, each message acted at its bundle's time tag, as OSC 1.0 has it: a cue program's timed
changes.

Apart from the input because a bundle's time is a schedule of its own: kept in order for up to MAX_AHEAD_S,
refused further ahead (a clock minutes off would have it act long after anyone remembers sending it), capped in
number, and a wait worth noticing said once for each sender.
"""
from __future__ import annotations

import heapq
import itertools
import time
from collections.abc import Callable

from vcam.control.oscrouter import MAX_SURFACES

# A bundle timed further ahead than this is refused, not kept: a sender whose clock is off by minutes (or a patch
# that sends a whole show's changes at once) would have them act long after anyone remembers sending them
MAX_AHEAD_S = 10.0
MAX_TIMED = 1024  # messages of bundles waiting for their time at once; past it, a bundle's are dropped (said)
# A bundle kept waiting longer than this is said, once for each sender: a cue program means it, but a tablet whose
# clock is ahead of this machine's stamps its own "now", and every control of it would land late by as much, unsaid
SAID_AHEAD_S = 1.0


class TimedBundles:
    """The messages of bundles timed ahead, until their time. `arrive(address, values, sender, now)` is handed
    each as its time comes (and those due at once); `complain(key, line, now)` says what is refused, as the
    input's other errors are; `wall` is the clock time tags are read against (seconds since 1970)."""

    def __init__(self, arrive: Callable[[str, list, str, float], None],
                 complain: Callable[[tuple, str, float], None], say: Callable[[str], None],
                 wall: Callable[[], float] = time.time) -> None:
        self._hand_on = arrive
        self._complain = complain
        self.say = say
        self.wall = wall
        # (when by the input's clock, order of arrival, address, values, sender), a heap
        self._timed: list[tuple[float, int, str, list, str]] = []
        self._arrivals = itertools.count()
        self._ahead_said: set[str] = set()  # hosts whose bundles were said to wait (up to MAX_SURFACES)

    def due_in(self, now: float) -> float | None:
        """How long until the first message waiting is due (None: none waits)."""
        return self._timed[0][0] - now if self._timed else None

    def arrive(self, messages: list[tuple[float | None, object]], sender: str, now: float) -> None:
        """A packet's messages, each at its bundle's time tag: at once (no tag, or one past), later (up to
        MAX_AHEAD_S ahead, in the order they came among those of the same time), or refused (further ahead)."""
        # what came before and is due by now acts first: a packet that comes as a bundle's time passes (the socket
        # handed it on before the loop released what was due) must not act before that bundle
        self.release(now)
        wall = self.wall()
        ahead = [tag - wall if tag is not None else 0.0 for tag, _ in messages]
        far = [a for a in ahead if a > MAX_AHEAD_S]
        if far:
            dropped = "1 message" if len(far) == 1 else f"{len(far)} messages"
            self._complain(("ahead",), f"OSC: a bundle from {sender} is timed {max(far):.0f} s ahead (over "
                                       f"{MAX_AHEAD_S:g} s): {dropped} dropped; sync the sender's and this "
                                       "machine's clocks (NTP), or send it nearer its time", now)
        waiting = [a for a in ahead if 0.0 < a <= MAX_AHEAD_S]
        room = len(self._timed) + len(waiting) <= MAX_TIMED
        if not room:  # a flood of timed bundles must not grow the heap without end
            # a key of its own: said at once, not held back behind a bundle too far ahead said just before
            self._complain(("crowded",), f"OSC: more than {MAX_TIMED} messages wait for their bundles' time; "
                                         f"dropped {len(waiting)} timed ahead from {sender}", now)
        elif waiting and max(waiting) > SAID_AHEAD_S:
            self._say_ahead(sender, max(waiting))
        for (_, msg), a in zip(messages, ahead):
            if a <= 0.0:
                self._hand_on(msg.address, list(msg.params), sender, now)
            elif a <= MAX_AHEAD_S and room:
                heapq.heappush(self._timed, (now + a, next(self._arrivals), msg.address, list(msg.params), sender))

    def _say_ahead(self, sender: str, ahead: float) -> None:
        """A bundle kept waiting `ahead` seconds: said once for each sender (by its host), the first time."""
        host = sender.rpartition(":")[0] or sender
        if host in self._ahead_said or len(self._ahead_said) >= MAX_SURFACES:
            return
        self._ahead_said.add(host)
        self.say(f"OSC: a bundle from {sender} is timed {ahead:.1f} s ahead: its controls act then, as OSC has it; "
                 "if not meant, a clock is off: sync the sender's and this machine's (NTP), or have it send bundles "
                 "timed immediately")

    def release(self, now: float) -> None:
        """The messages whose bundle's time has come arrive, the earliest first."""
        while self._timed and self._timed[0][0] <= now:
            _, _, address, values, sender = heapq.heappop(self._timed)
            self._hand_on(address, values, sender, now)
