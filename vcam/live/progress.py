"""A render's progress on stderr: blocks done of the total, frames a second, time left. On a terminal one line
rewritten in place; elsewhere (a file, a CI log) a line every few seconds, so that the log stays readable."""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

EVERY_S = 5.0  # between two lines where the output is not a terminal
REDRAW_S = 0.1  # the least time between two redraws of the line on a terminal


def clock_time(seconds: float) -> str:
    """1:05, 1:02:05."""
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class Progress:
    """`update(blocks, frames)` after each block; `say(text)` for a message, which keeps the line below it;
    `done()` once the render ends. `tty` None: asks `out`."""

    def __init__(self, total: int, out: TextIO, clock: Callable[[], float] = time.monotonic,
                 tty: bool | None = None, every_s: float = EVERY_S):
        self.total = total
        self.out = out
        self.clock = clock
        self.tty = out.isatty() if tty is None and hasattr(out, "isatty") else bool(tty)
        self.every_s = every_s if not self.tty else REDRAW_S
        self.started = clock()
        self._shown_at: float | None = None
        self._line = ""

    def text(self, blocks: int, frames: int) -> str:
        elapsed = self.clock() - self.started
        line = f"rendering: block {blocks}/{self.total} ({100 * blocks // max(1, self.total)}%), {frames} frames"
        if blocks and elapsed > 0:
            left = (self.total - blocks) * elapsed / blocks
            line += f", {frames / elapsed:.1f} frames/s, {clock_time(left)} left"
        return line

    def update(self, blocks: int, frames: int) -> None:
        now = self.clock()
        last = blocks >= self.total
        if not last and self._shown_at is not None and now - self._shown_at < self.every_s:
            return
        self._shown_at = now
        self._line = self.text(blocks, frames)
        self._write(self._line)

    def say(self, text: str) -> None:
        if self.tty and self._line:
            self.out.write("\r\033[K")
        self.out.write(f"vcam: {text}\n")
        if self.tty and self._line:
            self.out.write(self._line)
        self.out.flush()

    def done(self) -> None:
        """Ends the line on a terminal (the next output starts on a line of its own)."""
        if self.tty and self._line:
            self.out.write("\n")
            self.out.flush()
        self._line = ""

    def _write(self, line: str) -> None:
        self.out.write(f"\r\033[K{line}" if self.tty else f"vcam: {line}\n")
        self.out.flush()
