"""Lines typed in an input method's full-width mode (`ｉｎｐｕｔ ｆｉｌｅ：ｌｏｇｏ．ｐｎｇ ＠ｂａｒ`), read as their ASCII
fold where that is what was meant: a number's point and plus, an input's kind and quotes, a path that names a file
only folded, a timing at the end; and a refusal quoting the part as it was typed."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from vcam.inspec import INPUT_KINDS, split_kind, unquoted
from vcam.words import MINUS_SIGNS, clipped, width_folded

# a line from another machine: whether its path names a file here is not looked at while it is read (the reply
# would tell its sender which paths exist outside the shared folders); media.admit decides, in those folders
FROM_AFAR: ContextVar[bool] = ContextVar("FROM_AFAR", default=False)
# a line written in a file (a show's, a map's): its paths are found beside the show (showpaths), so whether one names
# a file is not looked at in the folder vcam was started from, which differs between runs: a show's line read one
# way started from one folder and another way from the next
IN_A_FILE: ContextVar[bool] = ContextVar("IN_A_FILE", default=False)
# the folder of the file a line is written in, where its paths are looked for (found_beside): a show's
# `input ｆｉｌｅ：ｌｏｇｏ．ｐｎｇ` is folded, and its timing read, by what is beside the show, as showpaths finds its files
BESIDE: ContextVar[str | None] = ContextVar("BESIDE", default=None)
# a line of a file whose commands run on another machine (found_beside(None)): its paths name files there, not here
ELSEWHERE: ContextVar[bool] = ContextVar("ELSEWHERE", default=False)
# a show's line kept with its paths made whole, read again (read_again): an absolute path names the same file from
# any folder, so it is looked for though the show's folder is not known then. Only there: any other line read as a
# file's with no folder (a watcher's, a hint's) may come from another machine, whose paths are not looked for here
READ_AGAIN: ContextVar[bool] = ContextVar("READ_AGAIN", default=False)
# a timing typed in full width at a path's end (`ｌｏｇｏ．ｐｎｇ ＠ｂａｒ`), read as a timing where it is one
FULL_WIDTH_TIMING = re.compile(r"\s＠(\S+)\s*$")


# An input method's full-width point and plus (`０．５`): int() and float() read its full-width digits, not these
_FULL_WIDTH = str.maketrans({"．": ".", "＋": "+"})


def signed(text: str) -> str:
    """`text` with a minus sign of another kind (MINUS_SIGNS: a word processor's, a phone's or macOS's smart dash,
    `−0.5`, `–1`, which int() and float() refuse, saying the number was none though it was only out of range) before
    its number made the one they read, and a full-width point or plus made the plain one."""
    text = text.translate(_FULL_WIDTH)
    return "-" + text[1:] if text[:1] in MINUS_SIGNS else text


def quoted_as_typed(message: str, given: str, folded: str, typed: str) -> str:
    """`message`, a refusal quoting `given` (a part of `folded`, the argument with its kind and quotes made ASCII),
    quoting it as `typed` instead: `input ＂ｎｏｎｅ` is told of '＂ｎｏｎｅ', not of '"none', not on the line.
    kind_in_ascii folds one character for one, so the part typed is where the folded one is."""
    at = folded.find(given)
    if folded == typed or at < 0:
        return message
    said = typed[at:at + len(given)]
    for ours, theirs in dict.fromkeys(((given, said), (clipped(given, 41), clipped(said, 41)))):
        message = message.replace(repr(ours), repr(theirs), 1)  # not the kind a refusal names after it
    return message


def kind_in_ascii(text: str) -> str:
    """`＂ｆｉｌｅ：ａ b.mp4＂` → `"file:ａ b.mp4"`: an input's kind, its colon and the quotes round the whole or the
    path, typed in an input method's full-width mode, made ASCII (the kind was unknown); a path as typed, as a file
    may be named in full-width letters. A kind with no path (`ｎｅｔ`, `ｃａｍｅｒａ：１`) is folded whole."""
    folded = width_folded(text)
    head = re.match(r"""\s*(["']?)\s*([A-Za-z]+)\s*(?::\s*(["']?))?""", folded)
    if folded == text or head is None or head[2].lower() not in INPUT_KINDS:
        return text
    if head[2].lower() not in ("file", "image"):
        return folded
    quote = head[1] or head[3]
    closed = quote and folded.endswith(quote) and len(folded) > head.end()
    end = len(text) - 1 if closed else None
    # `ｌｏｇｏ．ｐｎｇ`, typed in full-width mode with its command, names no file where logo.png is there: read as that
    path = folded if _folded_path(text[head.end():end], folded[head.end():end]) else text
    return folded[:head.end()] + path[head.end():end] + (quote if closed else "")


def _folded_path(typed: str, folded: str) -> bool:
    """Whether a path `typed` in full width names no file where its ASCII fold `folded` names one."""
    typed, folded = unquoted(typed.strip()), unquoted(folded.strip())
    return typed != folded and not names_file_here(typed) and names_file_here(folded)


@contextmanager
def in_a_file() -> Iterator[None]:
    """Within, lines are read as written in a file (IN_A_FILE), as parse(console=False) reads them: a map's preset
    names, checked against the show apart from the commands they were read in, are answered as the file's."""
    written = IN_A_FILE.set(True)
    try:
        yield
    finally:
        IN_A_FILE.reset(written)


@contextmanager
def found_beside(base: Path | str | None) -> Iterator[None]:
    """Within, lines are read as written in a file (IN_A_FILE: a full-width ＃ is told YAML's comment is a plain #),
    their paths looked for in `base`, the file's folder (None: nowhere, as for a map whose commands run on another
    machine)."""
    written = IN_A_FILE.set(True)
    was = BESIDE.set(str(base) if base is not None else None)
    away = ELSEWHERE.set(base is None)
    try:
        yield
    finally:
        ELSEWHERE.reset(away)
        BESIDE.reset(was)
        IN_A_FILE.reset(written)


@contextmanager
def read_again() -> Iterator[None]:
    """Within, the show's own lines, loaded with their paths made whole, are read again (as a cue fires, as the show
    is checked): an absolute path of theirs is looked for (READ_AGAIN)."""
    again = READ_AGAIN.set(True)
    try:
        yield
    finally:
        READ_AGAIN.reset(again)


def looks_here(path: str | None = None) -> bool:
    """Whether a path of the line being read (`path`, where known) is looked for on this machine: in the working
    folder for one typed here, beside the file for one written in a file whose folder is known (found_beside). For
    one written in a file whose folder is not known, only an absolute `path` of a show's line read again
    (read_again): it names the same file from any folder. Never for one from another machine (FROM_AFAR), nor for
    one of a file whose commands run on another machine."""
    if FROM_AFAR.get() or ELSEWHERE.get():
        return False
    if not IN_A_FILE.get() or BESIDE.get() is not None:
        return True
    return path is not None and READ_AGAIN.get() and os.path.isabs(os.path.expanduser(path))


def gone_since_read(path: str) -> bool:
    """Whether `path`, of a show's line read again (read_again), names no file now: the show loaded the line, so
    it named one then (a quote at its end is the name's, not a typo to offer the line without)."""
    return READ_AGAIN.get() and looks_here(path) and not names_file_here(path)


def names_file_here(path: str) -> bool:
    """Whether `path` names a file on this machine, looked for only where looks_here: a network line's reply must
    tell nothing of what is on the disk outside the shared folders (media.admit reads its paths), and a show's line
    must mean the same whatever folder vcam was started from (it is looked for beside the show)."""
    if not looks_here(path):
        return False
    path = os.path.expanduser(path)
    base = BESIDE.get() if IN_A_FILE.get() else None
    return os.path.lexists(os.path.join(base, path) if base is not None else path)


def input_read_as(typed: str, spec: str) -> str:
    """How an `input` line's path `typed` in full width was read where only its ASCII fold names a file (`ｌｏｇｏ．ｐｎｇ
    read as logo.png`), for the reply; "" where it was read as typed."""
    kind, _, path = split_kind(spec)
    if kind not in ("file", "image") or not path or path in typed:  # `ｃａｍｅｒａ：１` is a camera's index, no path
        return ""
    at = width_folded(typed).find(path)  # not found: the path was read otherwise (its shell escapes taken out)
    return f"{typed[at:at + len(path)]} read as {path}" if at >= 0 else ""


def timing_in_ascii(text: str, at_timing: Callable[[str], str | None]) -> str:
    """An input's argument with a timing typed in full width at its end (`ｉｍａｇｅ：ｌｏｇｏ．ｐｎｇ　＠ｂａｒ`) made
    ASCII, one character for one: read as its timing, where it was looked for as part of the path. Not where the
    path with it names a file, nor where neither the kind was typed in full width nor the path before it names one
    (`file:ａ ＠ｂａｒ` may be a file's name); a prompt's or a name's is their own text, as typed. From the network
    no file is looked for here: media.admit reads such a timing off, in the shared folders. `at_timing`: the timing a
    word read after @ is, or None (the commands' reader, which imports this module, so it is passed in)."""
    end = FULL_WIDTH_TIMING.search(text)
    if end is None or at_timing(width_folded(end[1])) is None:
        return text
    body = width_folded(text).lstrip(" \t\"'")  # `＂ｉｍａｇｅ：…＂ ＠４`: the kind within quotes round the whole
    lead = len(text) - len(body)
    kind = re.match(r"[A-Za-z]*", body)[0]  # `ｎｏｎｅ ＠２`: a kind with no colon after it
    start = lead + len(kind) + (body[len(kind):len(kind) + 1] == ":")

    def names_file(path: str) -> bool:
        path = path.strip()
        # `'x.png’`: one quote of the pair curled by a phone's keyboard, as the commands' reader pairs them
        path = path[1:-1] if path[:1] in "'\"" and path[-1:] in "’”" and len(path) > 1 else unquoted(path)
        return bool(path) and names_file_here(path)

    path, whole = text[start:end.start()], text[start:]
    full_width_kind = kind.lower() in INPUT_KINDS and text[lead:lead + len(kind)] != kind
    if names_file(whole) or not (full_width_kind or names_file(path) or names_file(width_folded(path))):
        return text
    return text[:end.start()] + " @" + width_folded(text[end.start() + 2:])
