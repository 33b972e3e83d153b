"""Lines typed in an input method's full-width mode (`ｉｎｐｕｔ ｆｉｌｅ：ｌｏｇｏ．ｐｎｇ ＠ｂａｒ`), read as their ASCII
fold where that is what was meant: a number's point and plus, an input's kind and quotes, a path that names a file
only folded, a timing at the end; and a refusal quoting the part as it was typed."""
from __future__ import annotations

import os
import re
from collections.abc import Callable

from vcam.control.linesource import found_here, names_file_here
from vcam.inspec import INPUT_KINDS, split_kind, unquoted
from vcam.words import MINUS_SIGNS, clipped, width_folded

# a timing typed in full width at a path's end (`ｌｏｇｏ．ｐｎｇ ＠ｂａｒ`), read as a timing where it is one
FULL_WIDTH_TIMING = re.compile(r"\s＠(\S+)\s*$")


# a pair of quotes opened curled and closed straight (`‘x.png'`): a phone curls the one a word starts with
_CURLED_OPEN = (("‘", "'"), ("“", '"'))

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


def input_read_as(typed: str, spec: str) -> str:
    """How an `input` line's path `typed` in full width was read where only its ASCII fold names a file (`ｌｏｇｏ．ｐｎｇ
    read as logo.png`), for the reply; "" where it was read as typed."""
    kind, _, path = split_kind(spec)
    if kind not in ("file", "image") or not path or path in typed:  # `ｃａｍｅｒａ：１` is a camera's index, no path
        return ""
    at = width_folded(typed).find(path)  # not found: the path was read otherwise (its shell escapes taken out)
    return f"{typed[at:at + len(path)]} read as {path}" if at >= 0 else ""


def path_in_quotes(path: str) -> str:
    """A path before a full-width timing without the quotes round it, as the commands' reader reads them: straight,
    or one of the pair curled by a phone's keyboard (`'x.png’`, `‘x.png'`)."""
    path = path.strip()
    curled = path[:1] in "'\"" and path[-1:] in "’”" or (path[:1], path[-1:]) in _CURLED_OPEN
    return path[1:-1] if curled and len(path) > 1 else unquoted(path)


def a_file_here(path: str) -> bool:
    """Whether `path` names a file here (names_file_here), followed through a link as the input opens it: a folder
    (`‘.' ＠ｂａｒ`) is no input's file, and its line is read as typed."""
    # under a Mac's name for it (NFD), as the plain form finds it: read alike, so every form gets one answer
    return (found := found_here(path)) is not None and os.path.isfile(found)


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
        return bool(path := path_in_quotes(path)) and a_file_here(path)

    path, whole = text[start:end.start()], text[start:]
    full_width_kind = kind.lower() in INPUT_KINDS and text[lead:lead + len(kind)] != kind
    if names_file(whole) or not (full_width_kind or names_file(path) or names_file(width_folded(path))):
        return text
    return text[:end.start()] + " @" + width_folded(text[end.start() + 2:])

