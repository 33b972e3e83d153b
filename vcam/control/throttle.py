"""Lines held back per control, so that a flood of messages (a failing fader's sweep) does not flood the terminal."""
from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

OTHERS = ("others",)  # the control that stands for all controls past `most`
MAX_LUMPED = 64  # controls OTHERS's window names; past these, a line about any control says its count first
_NUMBERS = re.compile(r"0x[0-9a-fA-F]+|\d+")


def words_of(line: str) -> str:
    """A line without its numbers, to key a throttle by where the line itself is all there is to key by: a fader's
    sweep refused or answered with an error says one line per value ("'strength 0.41' during a replay", "… 0.42"),
    and keyed by each whole line every one was a window of its own, said at once and kept, for as long as the knob
    was turned."""
    return _NUMBERS.sub("#", line)


@dataclass
class _Said:
    """One control's window: the line said at its start, and the lines held back since."""

    at: float
    line: str
    held: int = 0
    last: str = ""  # the newest line held back: the one a count names, as it is the latest outcome
    last_at: float = 0.0
    bounded: bool = True  # counted towards the throttle's `most`
    # OTHERS's: the controls whose lines it holds back (None: more than MAX_LUMPED, any control's)
    lumped: set[tuple] | None = field(default_factory=set)


class ErrorThrottle:
    """One line per control every `every` seconds: a fader that fails on each of the hundred messages of one sweep
    would otherwise scroll everything else off the operator's terminal. The lines held back are counted, and the
    count names the newest of them (a sweep's last value, not its first).

    With `most`, at most that many controls (those admitted `bounded`) are watched at once: a line from any other
    control, while that many have a window open, is said under OTHERS, whose count speaks of `others` (a sender
    spraying random addresses must not grow the watch without end). A window that has passed with nothing held
    back is forgotten, so the controls of a while ago leave room for new ones."""

    def __init__(self, every: float = 2.0, most: int | None = None, others: str = "other controls"):
        self.every = every
        self.most = most
        self.others = others
        self._said: dict[tuple, _Said] = {}
        self._lock = threading.Lock()  # an input's thread admits, its watcher reads the counts

    def admit(self, control: tuple, line: str, now: float, bounded: bool = True) -> str | None:
        """`line` to say now (with a count of the lines held back since the last one), or None to hold it.
        `bounded`: whether the control counts towards `most` (not one of a known few, which is never lumped)."""
        with self._lock:
            own = control
            if bounded:
                control = self._watched(control, now)
            said = self._said.get(control)
            if said is not None and now - said.at < self.every:
                said.held, said.last, said.last_at = said.held + 1, line, now
                if control != own and said.lumped is not None:
                    said.lumped.add(own)
                    if len(said.lumped) > MAX_LUMPED:
                        said.lumped = None
                return None
            self._said[control] = _Said(now, line, bounded=bounded)
        if said is not None and said.held:
            return f"{line} (and {self._more(control, said.held)})"
        return line

    def watching(self) -> int:
        """The controls watched now (a window open, or lines held back): what the throttle keeps."""
        with self._lock:
            return len(self._said)

    def forget(self, gone: Callable[[tuple], bool]) -> None:
        """Forgets the windows of the controls `gone` names, their lines held back unsaid: a control that is no more
        (a machine the state no longer goes to) would otherwise keep its window for the rest of the show, as only
        `most` or a `held_back(now)` forgets one."""
        with self._lock:
            for control in [c for c in self._said if gone(c)]:
                del self._said[control]

    def flush(self, control: tuple) -> str | None:
        """The count of the lines held back for `control`, to be said now (before a line about the same thing that
        came after them); None when none are held. Its window goes on: later lines are held back as before."""
        with self._lock:
            said = self._said.get(control)
            return self._count(control, said) if said is not None and said.held else None

    def flush_with_others(self, control: tuple) -> list[str]:
        """As flush, with the count under OTHERS where lines about `control` are among it (a control past `most`),
        in the order their newest lines came: a line about `control` said after them came after them, and an
        error's count said after its control's next good line read as the latest word on it."""
        with self._lock:
            held = [(c, s) for c in dict.fromkeys((control, OTHERS)) if (s := self._said.get(c)) is not None
                    and s.held and (c == control or s.lumped is None or control in s.lumped)]
            return [self._count(c, s) for c, s in sorted(held, key=lambda cs: cs[1].last_at)]

    def held_back(self, now: float | None = None) -> list[str]:
        """Counts of the lines held back whose window has passed (all of them, without `now`): a sweep shorter than
        the window still gets its count said once the knob rests. With each count come the others held back whose
        newest line came before its own, all in the order their newest lines came, so what is said last about
        anything is the latest word on it."""
        with self._lock:
            held = {c: s for c, s in self._said.items() if s.held}
            due = [s.last_at for s in held.values() if now is None or now - s.at >= self.every]
            upto = max(due, default=None)
            lines = [self._count(c, s) for c, s in sorted(held.items(), key=lambda cs: cs[1].last_at)
                     if upto is not None and s.last_at <= upto]
            if now is not None:
                self._forget(now)
            return lines

    def _watched(self, control: tuple, now: float) -> tuple:
        """The control a line is counted under: its own, or OTHERS when `most` others have a window open."""
        if self.most is None or control in self._said:
            return control
        self._forget(now)
        watched = sum(s.bounded for c, s in self._said.items() if c != OTHERS)
        return control if watched < self.most else OTHERS

    def _forget(self, now: float) -> None:
        # a passed window with nothing held back is as good as none: its next line is said at once either way
        for control in [c for c, s in self._said.items() if not s.held and now - s.at >= self.every]:
            del self._said[control]

    def _count(self, control: tuple, said: _Said) -> str:
        """The count of the lines held back, naming the newest (said once; the window goes on)."""
        held, said.held = said.held, 0
        if said.lumped is None or said.lumped:
            said.lumped = set()
        if control != OTHERS and said.last == said.line:
            return f"{self._more(control, held)}: {said.line}"
        return f"{self._more(control, held)}, the last: {said.last}"

    def _more(self, control: tuple, held: int) -> str:
        return f"{held} more from {self.others}" if control == OTHERS else f"{held} more like it"
