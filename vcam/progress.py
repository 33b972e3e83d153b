"""Progress lines on stderr: a render's blocks done of the total, and the bytes of a download or a checkpoint read,
each with its rate and time left. On a terminal one line rewritten in place; elsewhere (a file, a CI log) a line
every few seconds, so that the log stays readable. Shared by the engine and the live loop, importing neither."""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

from vcam.terminal import drawn, fit_line, still_on_row, terminal_columns, text_cells
from vcam.words import size_figure, size_in, size_text, size_unit

EVERY_S = 5.0  # between two lines where the output is not a terminal
REDRAW_S = 0.1  # the least time between two redraws of the line on a terminal


def clock_time(seconds: float) -> str:
    """1:05, 1:02:05."""
    seconds = max(0, round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class _Line:
    """One progress line on `out`: rewritten in place on a terminal (at most every `redraw_s`), a line of its own
    every `every_s` elsewhere (a file, a CI log, docker logs), so that a long log stays readable. `tty` None: asks
    `out`."""

    def __init__(self, out: TextIO, clock: Callable[[], float], tty: bool | None, every_s: float, redraw_s: float):
        self.out = out
        self.clock = clock
        self.tty = out.isatty() if tty is None and hasattr(out, "isatty") else bool(tty)
        self.every_s = every_s if not self.tty else redraw_s
        self.started = clock()
        self._shown_at: float | None = None
        self._line = ""
        self.gone = False  # `out` failed a write: a terminal hung up, a closed pipe; nothing more is written

    def _put(self, text: str) -> bool:
        """`text` written to `out` and flushed, or nothing once `out` has failed: the line is worth less than the
        download or load it tells of, which goes on (or stops, as a signal says) without it. Raised from a watching
        thread, the error came out as that thread's traceback; from a download's own threads, it ended the file's
        transfer. Whether it was written whole."""
        if self.gone:
            return False
        try:
            self.out.write(text)
            self.out.flush()
        except BlockingIOError:
            # a non-blocking stderr (a terminal or pipe another program set so) full for now: this update is
            # skipped, not every later one, which the next redraw of the row makes good
            return False
        except (OSError, ValueError):  # ValueError: `out` closed
            self.gone = True
            return False
        return True

    def _due(self, now: float, anyway: bool = False) -> bool:
        """Whether a line is shown at `now` (`anyway`: whatever the time since the last), marked shown if so."""
        if not anyway and self._shown_at is not None and now - self._shown_at < self.every_s:
            return False
        self._shown_at = now
        return True

    def _write(self, line: str) -> bool:
        """Whether `line` was written whole."""
        # a line that wraps is rewritten from its second row on: a terminal narrower than it (a split pane) filled
        # with copies of its first, one a redraw
        if self.tty:
            line = fit_line(line, terminal_columns(self.out), getattr(self.out, "encoding", None))
        whole = self._put(f"{self._back()}{line}" if self.tty else f"vcam: {line}\n")
        if self.tty and not whole:  # part of it may be on the row: the next redraw wipes the wider of the two
            line = max(self._line, line, key=text_cells)
        self._line = line
        if self.tty and not self.gone:  # a line written straight to `out` wipes as many where no width is known
            drawn(self.out, text_cells(line))
        return whole

    def _back(self) -> str:
        """To the start of the line, the line shown there wiped: by an escape, or with blanks on a terminal that
        takes none (TERM=dumb, as Emacs' shell sets it; a Windows console), which printed the escape as `^[[K`."""
        if os.environ.get("TERM", "dumb") != "dumb":
            return "\r\033[K"
        width = still_on_row(text_cells(self._line), terminal_columns(self.out))
        return "\r" + " " * width + "\r" if width else "\r"

    def done(self) -> None:
        """Ends the line on a terminal (the next output starts on a line of its own)."""
        if self.tty and self._line:
            self._put("\n")
            drawn(self.out, 0)
        self._line = ""


class Progress(_Line):
    """`update(blocks, frames)` after each block; `say(text)` for a message, which keeps the line below it;
    `done()` once the render ends. `tty` None: asks `out`."""

    def __init__(self, total: int, out: TextIO, clock: Callable[[], float] = time.monotonic,
                 tty: bool | None = None, every_s: float = EVERY_S):
        super().__init__(out, clock, tty, every_s, REDRAW_S)
        self.total = total

    def text(self, blocks: int, frames: int) -> str:
        elapsed = self.clock() - self.started
        line = f"rendering: block {blocks}/{self.total} ({100 * blocks // max(1, self.total)}%), {frames} frames"
        if blocks and elapsed > 0:
            left = (self.total - blocks) * elapsed / blocks
            line += f", {frames / elapsed:.1f} frames/s, {clock_time(left)} left"
        return line

    def update(self, blocks: int, frames: int) -> None:
        if self._due(self.clock(), anyway=blocks >= self.total):
            self._write(self.text(blocks, frames))

    def say(self, text: str) -> None:
        back = self._back() if self.tty and self._line else ""
        self._put(f"{back}vcam: {text}\n{self._line if back else ''}")


def _done_of(done: int, total: int) -> str:
    """"5.0 MB of 28.6 GB", "14.6 of 28.6 GB" (a figure in the total's unit drops its own); a total under a gigabyte
    with its bytes done in its own unit: "0.0 GB of 0.6 MB" began a small download, and a third of a 150 MB one read
    "50.0 MB of 0.1 GB"; none done yet is said in the total's unit."""
    unit = size_unit(total)
    own = size_unit(done) if unit[0] == "GB" and done else unit
    figure = size_figure(done, unit) if own == unit else size_in(done, own)
    return f"{figure} of {size_in(total, unit)}"


class ByteProgress(_Line):
    """Bytes done of a known total (a download, a checkpoint read) with percent, rate and time left: a line every
    `every_s` seconds where `out` is no terminal (docker logs, nohup), so a long log stays a few hundred lines;
    one line rewritten in place on a terminal. `update(done)` with the bytes done so far; `done()` at the end."""

    def __init__(self, what: str, total: int, out: TextIO, clock: Callable[[], float] = time.monotonic,
                 tty: bool | None = None, every_s: float = EVERY_S):
        super().__init__(out, clock, tty, every_s, 0.5)
        self.what = what
        self.total = max(0, total)
        self.first = 0  # bytes already there at the start (a resumed download): not counted in the rate
        self._begun = False
        self._final_total = 0  # the total the last line reached, said once
        self._pending: int | None = None  # the bytes of the line that reached the total, skipped (stderr full)

    def text(self, done: int) -> str:
        elapsed = self.clock() - self.started
        if self.total:
            line = f"{self.what}: {_done_of(done, self.total)} ({100 * min(done, self.total) // self.total}%)"
        else:
            line = f"{self.what}: {size_text(done)}"
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        if rate > 0:
            # under a megabyte a second in kB/s: a slow link read "0 MB/s", as if it had stalled
            line += f", {rate / 1e6:.0f} MB/s" if rate >= 1e6 else f", {rate / 1e3:.0f} kB/s"
            if self.total and done < self.total:
                line += f", {clock_time((self.total - done) / rate)} left"
        return line

    def wait(self) -> None:
        """The total and the time so far, no percentage: where how much is done cannot be told."""
        now = self.clock()
        if self._due(now):
            self._write(f"{self.what}: {size_text(self.total)}, {clock_time(now - self.started)} so far")

    def update(self, done: int) -> None:
        now = self.clock()
        if not self._begun:  # the first figure is where a resumed download starts, not what this run fetched
            self._begun, self.first, self.started = True, done, now
        # the line that reaches the total is shown at once, and only once: past it (a total unknown or short of
        # the bytes that come) each update would otherwise be a line of its own, a flood in a log
        final = 0 < self.total <= done and self._final_total != self.total
        if not self._due(now, anyway=final):
            return
        if self._write(self.text(done)):
            self._final_total = self.total if final else self._final_total
            self._pending = None
        elif final:  # skipped (stderr full for now): said at the next update, or at `done` where none comes
            self._pending = done

    def done(self) -> None:
        # the callers (a checkpoint read, a download) end with the update that reaches the total: a line that
        # reaches it skipped for a full stderr was never said, and the line stopped at the last one that was
        if self._pending is not None and self._write(self.text(self._pending)):
            self._final_total = self.total
        self._pending = None
        super().done()
