"""A line's width on a terminal: the terminal's columns, the cells a character takes, a line cut to fit a row.
Shared by the live status line and the progress lines of a render, a download or a checkpoint read."""
from __future__ import annotations

import functools
import os
import unicodedata
from typing import TextIO

from vcam.words import starts_a_character, terminal_safe


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
