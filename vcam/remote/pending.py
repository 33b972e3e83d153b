"""The commands `vcam cam` holds for the server: those given while the link is down (Waiting), sent once it is back,
and those written whose answer has not come (Unanswered), which a link that drops may have lost.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from vcam.control.faders import PARAMS


class Waiting:
    """Commands given while not connected, sent once the server is reached. A knob's value replaces its value
    still waiting (only the last one matters, and a fader sweep would fill the list) and lands however long the
    wait was: it sets where the show stands. A press (a preset, a freeze, any other command) is an act of its
    moment: one given more than STALE_S before the server was back is not sent, as a cue fired minutes late would
    break the show. Past MOST waiting, the oldest is dropped. What is not sent is said in one line."""

    MOST = 20
    STALE_S = 10.0

    def __init__(self, say: Callable[[str], None], clock: Callable[[], float] = time.monotonic):
        self.say = say
        self._clock = clock
        # in the order given; a parameter's own key, else one per command; each with when it was given
        self._lines: dict[object, tuple[str, float]] = {}
        self._typed: set[object] = set()  # the keys of the lines typed by hand at this console
        self._lock = threading.Lock()
        self._n = 0
        self._overflowed = False  # one was dropped past MOST since the last take: that first one is named
        self._pushed_out = 0  # dropped past MOST after that one, counted in take's line

    def add(self, line: str, typed: bool = False) -> None:
        """`typed`: by hand at this console; it goes with that mark once the server is back (take)."""
        with self._lock:
            self._n += 1
            key = _knob(line) or self._n
            self._lines.pop(key, None)
            self._typed.discard(key)
            if typed:
                self._typed.add(key)
            dropped = self._keep(key, line, self._clock())
        self._say_dropped(dropped)

    def put_back(self, line: str, at: float, typed: bool = False) -> None:
        """A knob's value sent at `at` on a connection that died before the server answered it: it waits again
        (typed by hand still marked so), unless a newer value of that knob waits already."""
        key = _knob(line)
        with self._lock:
            if not key or key in self._lines:
                return
            if typed:
                self._typed.add(key)
            dropped = self._keep(key, line, at)
        self._say_dropped(dropped)

    def _keep(self, key: object, line: str, at: float) -> str | None:
        """Keeps a command, last in order; the one pushed out past MOST where it is the first of this wait (to be
        named), else None; called locked."""
        self._lines[key] = (line, at)
        if len(self._lines) <= self.MOST:
            return None
        oldest = next(iter(self._lines))
        self._typed.discard(oldest)  # else kept for the whole wait: a pad held down on a dead link adds hundreds
        dropped = self._lines.pop(oldest)[0]
        if self._overflowed:
            self._pushed_out += 1
            return None
        self._overflowed = True
        return dropped

    def _say_dropped(self, dropped: str | None) -> None:
        if dropped is not None:  # once for a wait: a button held down would say a line for every repeat
            self.say(f"not connected, and {self.MOST} commands wait to be sent already: the oldest, {dropped}, "
                     "will not be (nor the oldest of any given after it; they are counted when the server is back)")

    def take(self, marked: bool = False) -> list:
        """The commands to send now, in order; none wait after. The presses given too long ago, and those pushed
        out, are said (one line) and left out. `marked`: each as (line, typed by hand at this console)."""
        now = self._clock()
        with self._lock:
            waiting, self._lines = list(self._lines.items()), {}
            typed, self._typed = self._typed, set()
            pushed_out, self._pushed_out, self._overflowed = self._pushed_out, 0, False
        late = [line for key, (line, at) in waiting if not isinstance(key, str) and now - at > self.STALE_S]
        sent = [(line, key in typed) for key, (line, at) in waiting if isinstance(key, str) or now - at <= self.STALE_S]
        if late or pushed_out:
            knobs = any(isinstance(key, str) for key, _ in waiting)
            self.say(_not_sent(late, self.STALE_S, pushed_out, knobs))
        return sent if marked else [line for line, _ in sent]


class Unanswered:
    """The commands written on a connection whose answer has not come. The server answers each command, in order, so
    the n-th answer is the n-th command's: answers are counted, not matched. A knob keeps only its last value not
    answered: a fader's sweep over a link that dropped unnoticed is hundreds of them, and pushed out of a list of
    every command a press given before it, which was then never named. Past MOST presses, the oldest are counted."""

    MOST = 64

    def __init__(self):
        self._lock = threading.Lock()  # sent under the link's send lock, answered on its own thread
        self._sent = self._answered = 0
        self._knobs: dict[str, tuple[int, str, float]] = {}  # by parameter: (its number, the line, when sent)
        self._presses: deque[tuple[int, str, float]] = deque()
        self._pushed_out = 0
        self._pushed_last = -1  # the number of the last press pushed out: all of them are answered past it
        self._typed: set[int] = set()  # the numbers of the lines typed by hand not answered yet

    def sent(self, line: str, at: float, typed: bool = False) -> int:
        """Counts a command written (or about to be); its number. `typed`: by hand at this console, whose answer is
        always said (answered tells)."""
        with self._lock:
            number, self._sent = self._sent, self._sent + 1
            if typed:
                self._typed.add(number)
            if key := _knob(line):
                self._knobs.pop(key, None)
                self._knobs[key] = (number, line, at)
                return number
            self._presses.append((number, line, at))
            if len(self._presses) > self.MOST:
                self._pushed_last = self._presses.popleft()[0]
                self._pushed_out += 1
            return number

    def withdraw(self, number: int) -> None:
        """The command of that number was not written after all (its write failed: it waits for the next
        connection, where it is sent): not named or sent again as one in flight."""
        with self._lock:
            self._typed.discard(number)
            self._presses = deque(entry for entry in self._presses if entry[0] != number)
            for key in [key for key, (n, _, _) in self._knobs.items() if n == number]:
                del self._knobs[key]

    def answered(self) -> bool:
        """The oldest command not answered is; an answer past the commands sent (one to no command) counts none.
        Whether that command was typed by hand at this console."""
        with self._lock:
            typed = self._answered < self._sent and self._answered in self._typed
            self._typed.discard(self._answered)
            self._answered = min(self._answered + 1, self._sent)
            while self._presses and self._presses[0][0] < self._answered:
                self._presses.popleft()
            if self._answered > self._pushed_last:
                self._pushed_out = 0
            for key in [key for key, (number, _, _) in self._knobs.items() if number < self._answered]:
                del self._knobs[key]
        return typed

    def take(self) -> tuple[list[tuple[str, float, bool]], list[str], int]:
        """The knobs' values not answered (with when each was sent, and whether typed by hand), the presses not
        answered, and how many more presses were pushed out; none are kept after."""
        with self._lock:
            knobs = [(line, at, number in self._typed) for number, line, at in sorted(self._knobs.values())]
            presses, more = [line for _, line, _ in self._presses], self._pushed_out
            self._sent = self._answered = self._pushed_out = 0
            self._pushed_last = -1
            self._knobs, self._presses, self._typed = {}, deque(), set()
        return knobs, presses, more


def _knob(line: str) -> str | None:
    """The parameter a command sets, where it is a knob's (only its last value matters); None for a press."""
    name = line.split(maxsplit=1)[0].lower() if line.strip() else ""
    return name if name in PARAMS else None


def _not_sent(late: list[str], stale_s: float, pushed_out: int, knobs: bool) -> str:
    """The one line for the commands a reconnect does not send."""
    parts = []
    if late:
        named = ", ".join(late[:4]) + (f" and {len(late) - 4} more" if len(late) > 4 else "")
        parts.append(f"{named}: given more than {stale_s:g} s before the server was back")
    if pushed_out:
        parts.append(f"{pushed_out} more pushed out by later ones while the link was down")
    knobs_sent = " (the last value of each knob turned meanwhile is sent)" if knobs else ""
    return f"not sent, {'; '.join(parts)}{knobs_sent}"
