"""The live status line on stderr: rewritten in place on a terminal, a periodic log line otherwise.

Where the operator types commands on the same terminal, the line is pinned to the terminal's last row, under a
scroll region that holds everything else: rewritten in place on the row being typed on, it wiped the echo of each
key at the next update, so a command could not be seen as it was typed."""
from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from vcam.blendname import blend_on_air
from vcam.terminal import (ERASE_TO_END, drawn, fit_line, in_foreground, one_row, pinned_on, pins_last_row,
                           still_on_row, terminal_size, text_cells, typed_on)
from vcam.words import quoted, quoted_parts, starts_a_character

SAVE, RESTORE = "\x1b7", "\x1b8"


class StatusLine:
    def __init__(self, out: TextIO = sys.stderr, log_every: float = 10.0, clock=time.monotonic,
                 columns: Callable[[], int | None] | None = None, pinned: bool | None = None,
                 size: Callable[[], tuple[int | None, int | None] | None] | None = None,
                 suspend: Callable[[], None] | None = None) -> None:
        """`size`: the terminal's (columns, rows) now, `columns` its width alone (default: asked of `out` at each
        update, so a resized terminal is followed). `pinned`: keep the line on the terminal's last row (default:
        where commands are typed on this terminal, `typed_on`). `suspend`: stops the process as Ctrl-Z does, until
        `fg` (default: SIGTSTP's own action)."""
        self.out = out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.log_every = log_every
        self.clock = clock
        if size is None:
            size = (lambda: (columns(), None)) if columns is not None else (lambda: terminal_size(out))
        self._size = size
        self.pinned = self.tty and (typed_on(out) if pinned is None else pinned)
        self._rows: int | None = None  # the terminal's height the scroll region is set for; None: not set
        self._last = ""
        self._last_log = -1e9
        self._width = 0
        self._lock = threading.Lock()
        self._suspend = suspend or _suspend_process
        # Ctrl-Z while pinned: the handler only sets this flag (a handler that took the lock deadlocked where the
        # main thread held it); the next update, on the thread that draws, gives the terminal back and stops
        self._suspend_asked = False
        self._took_tstp = False
        self._before_tstp: object = None  # SIGTSTP's handler before the line's own
        if self.pinned:
            atexit.register(self._end_at_exit)  # a show that ends on an error must not leave the region set

    @property
    def _width(self) -> int:
        """The columns the line's text takes on the cursor's row now (0: none, wiped or never drawn)."""
        return self._drawn

    @_width.setter
    def _width(self, width: int) -> None:
        self._drawn = width
        drawn(self.out, width)  # for a line written straight to the stream (vcam.terminal.row_cleared)

    def columns(self) -> int | None:
        """The width of the terminal the line is drawn on; None in a log, whose line is never cut."""
        return (self._size() or (None, None))[0] if self.tty else None

    def due(self) -> bool:
        """Whether an update now would be shown: on a terminal always, in a log only every `log_every` seconds.
        The show's loop builds the line (the card's memory read from the driver, each part's text) only then."""
        return self.tty or self.clock() - self._last_log >= self.log_every

    def update(self, text: str) -> None:
        if self._suspend_asked:
            self._give_back_and_suspend()
        with self._lock:
            if self.tty and not in_foreground(self.out):
                return  # in the background after `bg`: the terminal is the shell's until `fg`
            if self.tty:
                columns, rows = self._size() or (None, None)
                text = fit_line(text, columns, getattr(self.out, "encoding", None))
                if pins_last_row(self.pinned, rows):
                    self._pin(text, rows)
                    return
                pinned_on(self.out, False)  # too few rows now: drawn on the cursor's row, as a line beside it is
                # what is left of the last line past the new one
                width = text_cells(text)
                pad = max(0, still_on_row(self._width, columns) - width)
                self.out.write("\r" + text + " " * pad)
                self._width = width
                self.out.flush()
            elif self.clock() - self._last_log >= self.log_every:
                self._last_log = self.clock()
                self.out.write(one_row(text) + "\n")  # an input named with an escape: escaped, as on a terminal
                self.out.flush()

    def _pin(self, text: str, rows: int) -> None:
        """`text` on the last row; the rows above scroll as a region of their own (set again where the terminal's
        height changed), so the row typed on is never written over. The cursor is saved and put back around each
        write, so typing goes on where it was."""
        if rows != self._rows:
            if self._rows is None:  # room for the pinned row: where the cursor was on the last row, it scrolls up
                self.out.write("\n\x1b[1A")
                self._take_ctrl_z()
            else:  # the old pinned row is a row of the region now
                self.out.write(f"{SAVE}\x1b[{min(self._rows, rows)};1H{ERASE_TO_END}{RESTORE}")
            self.out.write(f"{SAVE}\x1b[1;{rows - 1}r{RESTORE}")  # setting the region moves the cursor home
            self._rows = rows
        # set on every draw, not only when the rows change: back from a height too small to pin at, the rows are
        # the same and the flag was cleared; a line written beside it leaves the row typed on as it is
        pinned_on(self.out, True)
        self.out.write(f"{SAVE}\x1b[{rows};1H{text}{ERASE_TO_END}{RESTORE}")
        self._last = text
        self.out.flush()

    def _take_ctrl_z(self) -> None:
        """Ctrl-Z then `fg` left the scroll region set under the shell (its prompt could not reach the last row) and
        the pinned row stale: while the line is pinned, Ctrl-Z gives the terminal back first (see `update`). Taken as
        the line first takes the last row (not before: a load before it is stopped by Ctrl-Z at once), and kept until
        `end`."""
        sigtstp = getattr(signal, "SIGTSTP", None)  # none on Windows
        if sigtstp is None or self._took_tstp or threading.current_thread() is not threading.main_thread():
            return
        self._before_tstp = signal.signal(sigtstp, self._ask_suspend)
        self._took_tstp = True

    def _ask_suspend(self, _sig: int, _frame) -> None:
        self._suspend_asked = True

    def _give_back_and_suspend(self) -> None:
        """The whole terminal given back, the process stopped until `fg`; then the next draw pins the line again,
        the region set for the terminal as it is then."""
        self._suspend_asked = False
        with self._lock:
            if self._rows is not None:
                self.out.write(f"{SAVE}\x1b[r\x1b[{self._rows};1H{ERASE_TO_END}{RESTORE}")
                self.out.flush()
                self._rows = None
                pinned_on(self.out, False)
        self._suspend()

    def message(self, text: str) -> None:
        """A line of its own (a warning, an event), above the status line."""
        with self._lock:
            if self.tty and self._width:
                # no more blanks than the row holds now: more wrapped, and the message came a row lower
                columns = (self._size() or (None, None))[0]
                self.out.write("\r" + " " * still_on_row(self._width, columns) + "\r")
                self._width = 0
            self.out.write(f"vcam: {text}\n")
            self.out.flush()

    def _end_at_exit(self) -> None:
        try:
            self.end()
        except (OSError, ValueError):  # the terminal is gone, or stderr closed: nothing to give back
            pass

    def end(self) -> None:
        """The status line stops: on a terminal its last text stays, as a line of its own, and a pinned line's
        region is given back to the whole terminal."""
        if self._took_tstp and threading.current_thread() is threading.main_thread():
            # Ctrl-Z's own action again: nothing pinned to give back
            signal.signal(signal.SIGTSTP, self._before_tstp if self._before_tstp is not None else signal.SIG_DFL)
            self._took_tstp = False
        with self._lock:
            if self._rows is not None:
                # at the start of the row typed on: what was typed there (a ^C) is of no use once the show ends
                self.out.write(f"{SAVE}\x1b[r\x1b[{self._rows};1H{ERASE_TO_END}{RESTORE}\r{self._last}"
                               f"{ERASE_TO_END}\n")
                self.out.flush()
                self._rows = None
                pinned_on(self.out, False)
            elif self.tty and self._width:
                self.out.write("\n")
                self.out.flush()
                self._width = 0


def _suspend_process() -> None:
    """Stops the process as Ctrl-Z does (SIGTSTP's default action), until `fg`; the status line's handler is put
    back after."""
    handler = signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    try:
        os.kill(os.getpid(), signal.SIGTSTP)
    finally:
        signal.signal(signal.SIGTSTP, handler)


def with_screen(state: str, mode: str) -> str:
    """`state` with the screen mode held over the picture, unless it is live: "LIVE (freeze)", the same words on
    vcam serve's status line and on vcam cam's, whose camera shows the server's freeze or blackout."""
    return state if mode == "live" else f"{state} ({mode})"


def format_status(gen_fps: float | None, out_fps: float, buffered: float, latency: float,
                  vram_gb: tuple[float, float] | None, preset: str | tuple[str, str, float] | None, state: str,
                  failed: Sequence[str] = (), lost: int = 0, columns: int | None = None) -> str:
    """`gen_fps`: None until blocks have come far enough apart to be timed (the first one alone says no rate: "gen 0.0"
    beside frames on screen read as a generator that makes nothing). `vram_gb`: (used, total) of the card, every
    process counted: what an operator needs to see coming.
    `failed`: outputs that stopped while the show goes on, kept in view until the end. `lost`: generated frames
    that never came on screen (dropped past the latency cap, or passed over), shown once there is one. `preset`:
    the name of the preset on air, or the two of a blend and its position, said as the blend's reply says it.
    What is on air comes straight after the rates: last, a terminal 80 columns wide cut it off. `columns`: the
    terminal's width, where a blend's names are shortened to keep its position on the row (cut first, it was the
    one number a fader moves)."""
    vram = f"{vram_gb[0]:.1f}/{vram_gb[1]:.0f} GiB" if vram_gb is not None else "-"
    head = " | ".join([
        f"{state}",
        *([f"FAILED {', '.join(failed)}"] if failed else []),
        f"gen {gen_fps:5.1f} fps" if gen_fps is not None else f"gen {'-':>5} fps",
        f"out {out_fps:5.1f} fps",
    ]) + " | "
    # the row's last column is left free, and the next one holds the ellipsis of the cut that follows the field
    room = columns - 2 - text_cells(one_row(head)) if columns else None
    return head + " | ".join([
        on_air_said(preset, room),
        f"buffer {buffered:4.0f}",
        f"latency {latency:4.1f} s",
        *([f"lost {lost}"] if lost else []),
        f"VRAM {vram}",
    ])


def on_air_said(preset: str | tuple[str, str, float] | None, room: int | None = None) -> str:
    """What the status line says is on air: `preset NAME`, or a blend as its reply says it, `blend 'a' / 'b' at
    0.50`, a name in quotes either way (named as one of its presets alone, a blend looked like that preset on air),
    each name shown as a reply shows it (`quoted`). `room`: the columns left for it on a terminal's row (None: a
    log's line, never cut). What does not fit there is said in short, its names bare: `preset NAME…`, and a blend
    `blend a 40% b`, its position as a share of the way to `b` (cut at the row's end instead, its position went
    first: the one number a fader moves). The name whose cut leaves the other whole is cut, else both, one ellipsis
    each, `b` to the row's end, whose cut goes back over its ellipsis (`blend neon c… 40% ocea…`, where a row's own
    cut after it read `… …`). Where no name keeps a whole character so, or a name would not read as one bare (empty
    or blank, or holding ` | `, `%` or a quote), it is cut at the row's end as any other field."""
    if not isinstance(preset, tuple):
        said = f"preset {quoted(preset)}" if preset else "preset -"
        fits = room is None or not preset or text_cells(said) <= room
        if fits or not _reads_bare(preset) or room - text_cells("preset ") < _least_cut(preset):
            return said
        # a name cut at the row's end inside its quotes lost two columns to them and read as a quote left open
        return _to_row_end(f"preset {_name_cut(preset, room - text_cells('preset '))}", room)
    a, b, x = preset
    said = f"{blend_on_air(a, b)} at {x:.2f}"
    if room is None or text_cells(said) <= room or not (_reads_bare(a) and _reads_bare(b)):
        return said
    share = f" {x * 100:.0f}% "
    wa, wb = text_cells(_bare(a)), text_cells(_bare(b))
    left = room - text_cells("blend " + share)
    if wa + wb < left:  # both whole, a blank before the row's ellipsis that follows (`b…` read as b cut)
        return f"blend {_bare(a)}{share}{_bare(b)}"
    need_a, need_b = _least_cut(a), _least_cut(b)
    if wa + need_b <= left and (wb >= wa or need_a + wb >= left):
        return _to_row_end(f"blend {_bare(a)}{share}{_name_cut(b, left - wa)}", room)
    if need_a + wb < left:
        # `a` cut leaves the blank before the row's ellipsis; a column short of that (a wide character or an escape
        # not kept), the row read `b |…`: blanks fill it, said as one (`fit_line`)
        cut_a = _name_cut(a, left - 1 - wb)
        return f"blend {cut_a}{share}{_bare(b)}" + " " * (left - 1 - wb - text_cells(cut_a))
    if need_a + need_b <= left:  # both cut, `b` to the row's end, whose cut goes back over its ellipsis
        cut_a = _name_cut(a, min(wa, max(need_a, left // 2), left - need_b))
        return _to_row_end(f"blend {cut_a}{share}{_name_cut(b, left - text_cells(cut_a))}", room)
    return said


def _to_row_end(said: str, room: int) -> str:
    """`said`, ending in a cut name, filled with blanks to the row's end: the row's cut falls past it and goes back
    over the name's ellipsis (`fit_line`); a name cut a column or two short (a wide character or an escape not
    kept) let the next field in, `preset 東京… | b…`."""
    return said + " " * (room - text_cells(said)) if said.endswith("…") else said


def _reads_bare(name: str) -> bool:
    """Whether `name` without quotes still reads as one name on the row: something to see in it, and none of the
    row's separators, the blend's `%` or a quote (`blend a | b 40% x` read as two fields)."""
    seen = any(ch.isprintable() and not ch.isspace() for ch in name)
    return seen and not any(mark in f" {name} " for mark in (" | ", "%", "'", '"'))


def _bare(name: str) -> str:
    """`name` without its quotes, as a reply shows it (`quoted`): a tab `\\t`, an ideographic space `\\u3000` (a
    blank on the row, `\\u3000` in the reply beside it, read as two names), each escape counted as the columns it
    takes."""
    return quoted(name)[1:-1]


def _least_cut(name: str) -> int:
    """The fewest columns `name` is shown in by `_name_cut` with a whole character of its own: its first
    character (two columns where it is wide, an accent with it) and the ellipsis, or the whole name."""
    whole = text_cells(_bare(name))
    for kept in _kept_prefixes(name):
        if kept.strip():
            return min(whole, text_cells(kept) + 1)
    return whole


def _name_cut(name: str, width: int) -> str:
    """`name` bare (`_bare`) in at most `width` columns, cut where a character starts and never inside an escape
    (`\\t` cut to `\\…`), the cut said with an ellipsis right after a letter (`at …` read as the name's last
    word, the row cut after it)."""
    shown = _bare(name)
    if text_cells(shown) <= width:
        return shown
    kept = ""
    for part in _kept_prefixes(name):
        if text_cells(part) + 1 > width:
            break
        kept = part
    return kept.rstrip() + "…"


def _kept_prefixes(name: str) -> Iterator[str]:
    """Each prefix of `name` a cut may keep (up to where a character starts), shown as the whole name is shown
    (`quoted`, the name quoted once); never one ending in a backslash, which would read the ellipsis after it as
    an escape (`show\\…`, and `show\\\\u2026` where the terminal cannot print `…`)."""
    parts = quoted_parts(name)[1]
    shown = ""
    for at in range(1, len(name) + 1):
        shown += parts[at - 1]
        if at == len(name) or starts_a_character(name, at) and not shown.endswith("\\"):
            yield shown


class TickCounter:
    """Counts the frames emitted and measures the output frame rate over the last 60 of them (the pacer numbers
    the ticks themselves)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.count = 0
        self._window: list[float] = []

    def next(self) -> int:
        self._window.append(self.clock())
        if len(self._window) > 60:
            self._window.pop(0)
        self.count += 1
        return self.count - 1

    def fps(self) -> float:
        w = self._window
        return (len(w) - 1) / (w[-1] - w[0]) if len(w) > 1 and w[-1] > w[0] else 0.0
