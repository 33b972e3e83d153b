"""A line's width on a terminal: the terminal's columns, the cells a character takes, a line cut to fit a row.
Shared by the live status line and the progress lines of a render, a download or a checkpoint read."""
from __future__ import annotations

import functools
import os
import re
import sys
import threading
import unicodedata
import weakref
from collections.abc import Callable
from typing import TextIO

from vcam.words import starts_a_character, terminal_safe

ERASE_TO_END = "\x1b[K"
PINNED_MIN_ROWS = 3  # a status line pinned to the last row leaves a region of the rows above it to scroll


class _RowsDrawn:
    """Each stream's columns that a line rewritten in place (the status line, a download's or a load's progress
    line) takes on the cursor's row now, and the streams a show's status line is pinned on now: a line written
    straight to the stream (`row_cleared`) wipes as many where the terminal says no width, and leaves the row typed
    on as it is under a pinned line. Written by the thread that draws a line and read by another that writes beside
    it (a camera tick, a load's step), hence the lock."""

    def __init__(self) -> None:
        self._widths: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._pinned: weakref.WeakSet = weakref.WeakSet()
        self._lock = threading.Lock()

    def set(self, out: TextIO, width: int) -> None:
        with self._lock:
            try:
                self._widths[out] = width
            except TypeError:  # a stream no weak reference is taken to: its lines are never written beside it
                pass

    def get(self, out: TextIO) -> int:
        with self._lock:
            try:
                return self._widths.get(out, 0)
            except TypeError:
                return 0

    def pin(self, out: TextIO, pinned: bool) -> None:
        with self._lock:
            try:
                if pinned:
                    self._pinned.add(out)
                else:
                    self._pinned.discard(out)
            except TypeError:
                pass

    def pinned(self, out: TextIO) -> bool:
        with self._lock:
            try:
                return out in self._pinned
            except TypeError:
                return False


# one for the process, as the streams it tells of are (stderr is drawn on by the live loop and the engine alike);
# read and written through `drawn`, `drawn_width`, `pinned_on` and `row_cleared` alone
_ROWS_DRAWN = _RowsDrawn()


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


# the start of an escape `quoted` writes (`\\t`, `\\xa0`, `\\u3000`) left unfinished at the end of a cut
_PARTIAL_ESCAPE = re.compile(r"(\\+)(?:x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})?$")


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
    # never inside a name's escape (`\\u3000` cut to `\\u30…` read as some other character): before it
    partial = _PARTIAL_ESCAPE.search(text, 0, cut)
    if partial and len(partial.group(1)) % 2:
        cut = partial.start() + len(partial.group(1)) - 1
    # a name shortened before (`file:clip….mp4`, a blend's `'neon cit…'`) and cut again just past its own ellipsis
    # read `……`, or `… …` or `… |…` past the blank or the separator after it: the cut goes back over it, one
    # ellipsis saying the text goes on
    if text[:cut].rstrip(" |").endswith("…"):
        cut = len(text[:cut].rstrip(" |"))
    while cut > 0 and text[cut - 1] == "…":
        cut -= 1
    if text[:cut].endswith("  "):  # one blank before the ellipsis says the field before it ends whole
        cut = len(text[:cut].rstrip(" ")) + 1
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


def pins_last_row(typed: bool, rows: int | None) -> bool:
    """Whether a show's status line is pinned to the terminal's last row: where commands are typed on the terminal
    (`typed_on`) and it says it has rows enough (one that gives its width alone has no last row to pin to)."""
    return typed and rows is not None and rows >= PINNED_MIN_ROWS


def drawn(out: TextIO, width: int) -> None:
    """A line rewritten in place now takes `width` columns of the cursor's row of `out` (0: none, wiped or ended)."""
    _ROWS_DRAWN.set(out, width)


def drawn_width(out: TextIO) -> int:
    """The columns a line rewritten in place takes on the cursor's row of `out` now (0: none)."""
    return _ROWS_DRAWN.get(out)


def pinned_on(out: TextIO, pinned: bool) -> None:
    """A show's status line is pinned to the last row of the terminal `out` writes to now (False: no longer)."""
    _ROWS_DRAWN.pin(out, pinned)


def row_cleared(out: TextIO | None) -> str:
    """What goes before a line written straight to `out` (a load's step, a download's note, a camera tick that
    failed) to put it at the start of a wiped row: on a terminal a line rewritten in place with no line end (a
    show's status line, a download's progress bar) may stand there, and a line written after it ran on from its end
    ("… | preset -vcam: loading VAE from …"). Blanks on a terminal that takes no escape (TERM=dumb, Emacs' shell,
    which printed it as `^[[K`): over the row's columns, or where the terminal says no width (size 0 0: a serial
    console, some containers') over the line's text. Nothing where `out` is no terminal (a log), nor where a show's
    status line is pinned to its last row now (`pinned_on`) or is to be (`pins_last_row`): the cursor's row is then
    the one commands are typed on, whose echo a wipe erased (the console still read the keys), and no line runs on
    from the status line there."""
    try:
        if out is None or not out.isatty():
            return ""
    except (AttributeError, OSError, ValueError):  # no isatty (a stand-in stream), or a closed one
        return ""
    size = terminal_size(out)
    # a typed-on terminal's row may hold what the operator is typing, before the status line pins as after
    if _ROWS_DRAWN.pinned(out) or pins_last_row(typed_on(out), size[1] if size else None):
        return ""
    if os.environ.get("TERM", "dumb") != "dumb":
        return "\r" + ERASE_TO_END
    blanks = size[0] - 1 if size else _ROWS_DRAWN.get(out)
    return "\r" + " " * blanks + "\r" if blanks else ""


def in_foreground(out: TextIO) -> bool:
    """Whether the process is the foreground job of the terminal `out` is on (True where that cannot be told: no
    terminal, or one that is not the process's own). Put in the background (Ctrl-Z, then `bg`), a row drawn on the
    shell's terminal set a scroll region under its prompt."""
    try:
        return os.tcgetpgrp(out.fileno()) == os.getpgrp()
    except (AttributeError, OSError, ValueError):  # no job control (Windows), no file, or not its terminal
        return True


def stopped_line_start(out: TextIO, others_drew: Callable[[], bool]) -> str:
    """What goes before a line said as the process is stopped (Ctrl-C, a signal; a download's `download stopped`):
    on a terminal, a fresh row. Where a line stands on the
    cursor's row with no line end (vcam's progress line or a show's status line, as drawn; `others_drew`: another
    library's, such as huggingface_hub's own bars, which a terminal shows unless they are off) it is wiped, or ended
    where the row is left as it is (typed on); where nothing was drawn, a line end all the same: the terminal's echo
    of Ctrl-C (`^C`) stands there, and the line ran on from it. Nothing where `out` is no terminal: a bare line end
    left an empty line in a log."""
    try:
        if not out.isatty():
            return ""
        drew = bool(drawn_width(out)) or others_drew()
    except (AttributeError, OSError, ValueError):  # no isatty (a stand-in stream), or a closed one
        return ""
    return (row_cleared(out) or "\n") if drew else "\n"
