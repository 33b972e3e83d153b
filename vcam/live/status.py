"""The live status line on stderr: rewritten in place on a terminal, a periodic log line otherwise.

Where the operator types commands on the same terminal, the line is pinned to the terminal's last row, under a
scroll region that holds everything else: rewritten in place on the row being typed on, it wiped the echo of each
key at the next update, so a command could not be seen as it was typed."""
from __future__ import annotations

import atexit
import functools
import os
import sys
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Sequence
from typing import TextIO

from vcam.control.commands import blend_on_air
from vcam.words import starts_a_character, terminal_safe

SAVE, RESTORE, ERASE_TO_END = "\x1b7", "\x1b8", "\x1b[K"
# A stream -> the columns a status line's text takes on the cursor's row of it now: a line written straight to the
# stream (`line_start`) wipes as many where the terminal does not say its width.
_DRAWN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def terminal_size(out: TextIO) -> tuple[int, int | None] | None:
    """(columns, rows) of the terminal `out` writes to, rows None where it gives its width alone; None where it
    cannot say its width."""
    try:
        size = os.get_terminal_size(out.fileno())
    except (AttributeError, OSError, ValueError):  # no descriptor (a StringIO), or not a terminal after all
        return None
    # a terminal sent no size but its width (rows 0: `script`, a container's console) still wraps a longer line
    return (size.columns, size.lines or None) if size.columns else None


def terminal_columns(out: TextIO) -> int | None:
    """The width of the terminal `out` writes to; None where it cannot say."""
    size = terminal_size(out)
    return size[0] if size else None


@functools.lru_cache(maxsize=4096)  # the status line redraws several times a second, with the same few characters
def cells(ch: str) -> int:
    """The columns a terminal draws `ch` in: two for a wide one (CJK, most emoji), none for an accent typed after
    its letter, a joiner or a tag character; a variation selector counts one, as the emoji it makes of a
    character drawn narrow otherwise (❤ and U+FE0F) takes two on today's terminals. An emoji built of several
    (a family joined by zero-width joiners, a skin tone) counts each part: drawn as one on some terminals and as its
    parts on others, the line is cut a little early on the first rather than wrapped on the second. A character
    both narrow and wide (East Asian ambiguous, `…`) counts one, as terminals draw it outside CJK settings."""
    if "\ufe00" <= ch <= "\ufe0f":
        return 1 if ch == "\ufe0f" else 0
    if ch == "\u00ad":  # a soft hyphen, drawn as a hyphen by terminals though Unicode calls it a format character
        return 1
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Me", "Mn", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def text_cells(text: str) -> int:
    """The columns `text` takes on a terminal (see `cells`)."""
    return len(text) if text.isascii() else sum(map(cells, text))


def still_on_row(width: int, columns: int | None) -> int:
    """The columns a line `width` wide, written leaving a row's last column free, still takes on its row of a
    terminal now `columns` wide: as many blanks wipe it, where more, on a terminal made narrower, wrapped onto the
    next row."""
    return min(width, columns - 1) if columns else width


def one_row(text: str) -> str:
    """`text` as one row that takes the columns counted: a tab as a blank (a terminal draws it up to 8 columns
    wide), a line break, an escape that steers the terminal (a preset named with one in its show) or a lone
    surrogate (an undecodable file name) escaped as `terminal_safe` says a line's text."""
    return terminal_safe(text.replace("\t", " "), lines=False)


def fit_line(text: str, columns: int | None, encoding: str | None = None) -> str:
    """`text` cut to fit a terminal row of `columns`, leaving its last column free: a line that wraps puts the
    carriage return of the next update on the second row, so the first stays on screen and the terminal fills with
    copies of the status line, one per update. Counted in the terminal's columns (a preset named in Japanese takes
    two a character), and cut where a character starts (not between a letter and its accent). `encoding`: the
    terminal's, where it is not UTF-8 the text is measured as it prints there, each character it lacks escaped,
    and cut where a character the text holds starts, never inside its escape (`\\u59…`). Control characters (see
    `one_row`) are escaped."""
    text = one_row(text)
    printed = as_printed(text, encoding)
    if columns is None or text_cells(printed) < columns:
        return printed
    ellipsis = as_printed("…", encoding, instead="...")
    room = columns - 1 - text_cells(ellipsis)
    if room < 1:  # a pane 1 or 2 columns wide: a letter and the ellipsis wrapped, a new row at each update
        return ellipsis if text_cells(ellipsis) < columns else ""
    cut, used = 0, 0
    while cut < len(text) and used + printed_cells(text[cut], encoding) <= room:
        used += printed_cells(text[cut], encoding)
        cut += 1
    while cut > 0 and not starts_a_character(text, cut):
        cut -= 1
    return as_printed(text[:cut], encoding) + ellipsis


@functools.lru_cache(maxsize=4096)
def printed_cells(ch: str, encoding: str | None) -> int:
    """The columns `ch` takes as a stream in `encoding` prints it (see `as_printed`)."""
    return cells(ch) if ch.isascii() else text_cells(as_printed(ch, encoding))


def as_printed(text: str, encoding: str | None, instead: str | None = None) -> str:
    """`text` as a stream in `encoding` prints it (a character it lacks as an escape, `\\u591c`, six columns for
    the two counted), or `instead` where given."""
    if not encoding or text.isascii():  # ASCII prints as itself in every terminal's encoding
        return text
    try:
        return text.encode(encoding).decode(encoding)
    except UnicodeEncodeError:
        return instead if instead is not None else text.encode(encoding, "backslashreplace").decode(encoding)
    except LookupError:  # an encoding Python does not know: measured as it is
        return text


def typed_on(out: TextIO) -> bool:
    """Whether commands are typed on the terminal `out` shows: stdin is a terminal too, on a system whose terminals
    take the VT100 sequences that pin a line (not Windows' console, nor a dumb terminal)."""
    if os.name != "posix" or os.environ.get("TERM", "dumb") == "dumb":
        return False
    try:
        return out.isatty() and sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):  # a closed stdin
        return False


def line_start(out: TextIO) -> str:
    """What goes before a line written straight to `out` (a load's step, a camera tick that failed) while the status
    line may be drawn on the cursor's row: on a terminal that row wiped and the cursor at its start, where the line
    ran on from the end of the status line's text; nothing elsewhere (a log), nor where the status line is pinned
    to the last row (StatusLine): the cursor's row is then the one commands are typed on, whose echo it would wipe."""
    try:
        if not out.isatty():
            return ""
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return ""
    if typed_on(out) and (size := terminal_size(out)) is not None and (size[1] or 0) >= 3:
        return ""
    if os.environ.get("TERM", "dumb") != "dumb":
        return "\r" + ERASE_TO_END
    # a terminal that takes no escape (Emacs' shell, a Windows console) printed it as `^[[K`: blanks wipe the row
    # a terminal that says no width (size 0 0: a serial console, some containers'): the status line's own text
    columns = terminal_columns(out)
    blanks = columns - 1 if columns else _DRAWN.get(out, 0)
    return "\r" + " " * blanks + "\r" if blanks else "\r"


class StatusLine:
    def __init__(self, out: TextIO = sys.stderr, log_every: float = 10.0, clock=time.monotonic,
                 columns: Callable[[], int | None] | None = None, pinned: bool | None = None,
                 size: Callable[[], tuple[int | None, int | None] | None] | None = None):
        """`size`: the terminal's (columns, rows) now, `columns` its width alone (default: asked of `out` at each
        update, so a resized terminal is followed). `pinned`: keep the line on the terminal's last row (default:
        where commands are typed on this terminal, `typed_on`)."""
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
        if self.pinned:
            atexit.register(self._end_at_exit)  # a show that ends on an error must not leave the region set

    @property
    def _width(self) -> int:
        """The columns the line's text takes on the cursor's row now (0: none, wiped or never drawn)."""
        return self._drawn

    @_width.setter
    def _width(self, width: int) -> None:
        self._drawn = width
        try:
            _DRAWN[self.out] = width
        except TypeError:  # a stream no weak reference is taken to: its lines are never written beside it
            pass

    def columns(self) -> int | None:
        """The width of the terminal the line is drawn on; None in a log, whose line is never cut."""
        return (self._size() or (None, None))[0] if self.tty else None

    def due(self) -> bool:
        """Whether an update now would be shown: on a terminal always, in a log only every `log_every` seconds.
        The show's loop builds the line (the card's memory read from the driver, each part's text) only then."""
        return self.tty or self.clock() - self._last_log >= self.log_every

    def update(self, text: str) -> None:
        with self._lock:
            if self.tty:
                columns, rows = self._size() or (None, None)
                text = fit_line(text, columns, getattr(self.out, "encoding", None))
                if self.pinned and rows is not None and rows >= 3:
                    self._pin(text, rows)
                    return
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
            else:  # the old pinned row is a row of the region now
                self.out.write(f"{SAVE}\x1b[{min(self._rows, rows)};1H{ERASE_TO_END}{RESTORE}")
            self.out.write(f"{SAVE}\x1b[1;{rows - 1}r{RESTORE}")  # setting the region moves the cursor home
            self._rows = rows
        self.out.write(f"{SAVE}\x1b[{rows};1H{text}{ERASE_TO_END}{RESTORE}")
        self._last = text
        self.out.flush()

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
        with self._lock:
            if self._rows is not None:
                # at the start of the row typed on: what was typed there (a ^C) is of no use once the show ends
                self.out.write(f"{SAVE}\x1b[r\x1b[{self._rows};1H{ERASE_TO_END}{RESTORE}\r{self._last}"
                               f"{ERASE_TO_END}\n")
                self.out.flush()
                self._rows = None
            elif self.tty and self._width:
                self.out.write("\n")
                self.out.flush()
                self._width = 0


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
    0.50` (named as one of its presets alone, a blend looked like that preset on air). `room`: the columns left
    for it on the row, where a blend's names are shortened (each by as little as it can) to keep its position."""
    if not isinstance(preset, tuple):
        return f"preset {preset or '-'}"
    a, b, x = preset
    said = f"{blend_on_air(a, b)} at {x:.2f}"
    over = text_cells(one_row(said)) - room if room is not None else 0
    if over <= 0:
        return said
    # the longer name gives up columns first, down to the other's width, then both alike
    wa, wb = text_cells(one_row(a)), text_cells(one_row(b))
    left = wa + wb - over
    if left < 2:  # no room for a letter of each: cut at the row's end as any other line
        return said
    short = min(wa, wb, left // 2)
    wa, wb = (left - short, short) if wa >= wb else (short, left - short)
    return f"{blend_on_air(fit_line(a, wa + 1), fit_line(b, wb + 1))} at {x:.2f}"


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
