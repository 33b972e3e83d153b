"""Error lines held back per control, so that a flood of failing messages does not flood the terminal."""
from __future__ import annotations

import threading


class ErrorThrottle:
    """One error line per control every `every` seconds: a fader that fails on each of the hundred messages of
    one sweep would otherwise scroll everything else off the operator's terminal."""

    def __init__(self, every: float = 2.0):
        self.every = every
        self._last: dict[tuple, float] = {}
        self._held: dict[tuple, int] = {}
        self._lines: dict[tuple, str] = {}
        self._lock = threading.Lock()  # an input's thread admits, its watcher reads the counts

    def admit(self, control: tuple, line: str, now: float) -> str | None:
        """`line` to say now (with a count of the lines held back since the last one), or None to hold it."""
        with self._lock:
            if now - self._last.get(control, -1e9) < self.every:
                self._held[control] = self._held.get(control, 0) + 1
                return None
            self._last[control] = now
            self._lines[control] = line
            held = self._held.pop(control, 0)
        return f"{line} (and {held} more like it)" if held else line

    def held_back(self, now: float | None = None) -> list[str]:
        """Counts of the lines held back whose window has passed (all of them, without `now`): a sweep shorter
        than the window still gets its count said once the knob rests."""
        with self._lock:
            due = [c for c in self._held if now is None or now - self._last[c] >= self.every]
            return [f"{self._held.pop(c)} more like it: {self._lines[c]}" for c in due]
