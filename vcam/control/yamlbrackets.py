"""The braces and brackets of a line or a value, scanned outside quotes and comments: what is left open, what
holds a column, where a value that opens with one closes."""
from __future__ import annotations

import re
from collections.abc import Iterator

from vcam.control.yamlkeys import NEXT_KEY


CLOSING = {'"': '"', "'": "'", "[": "]", "{": "}"}


def closed_head(value: str) -> str | None:
    """The quoted text or the brackets `value` opens with, to their close; None where that holds one of YAML's
    escapes (`'it''s'`, `"a \\"b\\""`): whether its quotes are the text's or YAML's, and so what was meant, is
    unclear, and copied raw the escapes became the text's."""
    if value[0] in "'\"":
        found = re.match(r"'(?:[^']|'')*'" if value[0] == "'" else r'"(?:[^"\\]|\\.)*"', value)
        if found is None or "''" in found[0][1:-1] or "\\" in found[0]:
            return None
        return found[0]
    depth = 0
    for i, char in enumerate(value):
        depth += (char == value[0]) - (char == CLOSING[value[0]])
        if depth == 0:
            return value[:i + 1]
    return None


def opens_quote(text: str, i: int) -> bool:
    """Whether the quote at `i` of `text` opens a quoted text: YAML reads one only where a value or an entry may
    start (after a key's colon, a '{', '[' or ',', a list item's '-', each with the spaces after it); after a word
    (`rock 'n roll`), even with a space between, it is the text's own."""
    before = text[:i].rstrip(" \t")
    if not before or before[-1] in "{[,:":
        return True
    # `- 'neon'`: a list item's dash, at the line's start, not one inside a text (`a - 'b'`)
    return before[-1] == "-" and len(before) < i and not before[:-1].strip(" \t")


def open_brackets(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> list[tuple[str, int, int]]:
    """The brackets and braces opened and not closed from (line, column) `start` to `end` (each 0-based), outside
    quotes and comments, each as (character, line, column); a close of the other kind ends the scan."""
    opened: list[tuple[str, int, int]] = []
    for row in range(start[0], end[0] + 1):
        line = lines[row]
        quote = None
        for column in range(start[1] if row == start[0] else 0, end[1] if row == end[0] else len(line)):
            char = line[column]
            if quote:
                quote = None if char == quote and not (quote == '"' and line[column - 1] == "\\") else quote
            elif char in "'\"" and opens_quote(line, column):
                quote = char
            elif char == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            elif char in "[{":
                opened.append((char, row, column))
            elif char in "]}":
                if not opened or CLOSING[opened[-1][0]] != char:
                    return opened
                opened.pop()
    return opened


def _outside_quotes(text: str) -> Iterator[tuple[int, str]]:
    """Each character of `text` outside its quoted texts, with its index, quotes among them: one that opens a
    quoted text (the text in it and its close left out) and one that opens none, inside a word (`it's`,
    opens_quote); a comment's '#' as ' #', the scan ending there; and where a quote is left open at the end, that
    quote again at len(text)."""
    quote, i = None, 0
    while i < len(text):
        char = text[i]
        if quote == "'" and text.startswith("''", i):
            i += 1  # a single-quoted text's own apostrophe
        elif quote == '"' and char == "\\":
            i += 1  # an escape: the character after it is the text's
        elif quote is not None:
            quote = None if char == quote else quote
        elif char == "#" and i > 0 and text[i - 1] in " \t":
            yield i, " #"  # a comment's brackets and quotes are its own
            return
        else:
            if char in "'\"" and opens_quote(text, i):
                quote = char
            yield i, char
        i += 1
    if quote is not None:
        yield len(text), quote


def left_unclosed(text: str) -> tuple[str, int] | None:
    """The closers of the braces and brackets `text` leaves open, innermost first ('' where it closes all it opens),
    and where what it holds ends (before its comment, if any); None where it closes one of the other kind or one it
    never opened, or leaves a quote open. A bracket inside quotes is the text's own."""
    opened: list[str] = []
    end = len(text)
    for i, char in _outside_quotes(text):
        if i == len(text):
            return None  # a quote left open
        if char == " #":
            end = len(text[:i].rstrip(" \t"))
            break
        if char in "{[":
            opened.append(CLOSING[char])
        elif char in "}]" and (not opened or opened.pop() != char):
            return None
    return "".join(reversed(opened)), end


def braces_around(line: str, column: int) -> str | None:
    """The braces or brackets of `line` that hold `column`, from their opening to their close; None where they do
    not both lie on the line. A bracket in a quoted text is the text's own, and a quote inside a word (`it's`) no
    quote: read as one, the ', ' and ': ' after it were taken as the text's."""
    opened: list[int] = []
    for i, char in _outside_quotes(line):
        if char == " #":
            break
        if char in "{[":
            opened.append(i)
        elif char in "}]" and opened and (start := opened.pop()) < column <= i:
            return line[start:i + 1]
    return None


def quote_closed(text: str) -> tuple[str, str] | None:
    """`text` with the quote it leaves open closed where the text the user meant ends, and that quote: before the
    braces that end the line and a comment after them (`{param: "blend}  # x` is `{param: "blend"}  # x`). None
    where no quote is left open, and wherever that end is a guess: the quote opens no value, or what it takes in
    holds another quote, a # before the braces (`"prompt a # b}`: a comment, or the text's own), a bracket, or the
    next key (`"preset 1, channel: 2}`)."""
    quote, at = None, -1
    for i, char in _outside_quotes(text):
        if char == " #":
            return None
        if i == len(text):
            quote = char
        elif char in "'\"":
            at = i  # where one is left open, the last quote yielded before the end is the one that opened it
    if quote is None or _STARTS_VALUE.search(text[:at]) is None:
        return None
    rest = text[at + 1:]
    ends = _TEXT_THEN_CLOSE.fullmatch(rest)
    if ends is None or NEXT_KEY.search(rest) or not ends["text"].strip() or ends["comment"] and not ends["close"]:
        return None
    end = at + 1 + len(ends["text"].rstrip(" \t"))
    return text[:end] + quote + text[end:], quote


# where a quote opens a value: after a key's ':', a '{' or an entry's ','
_STARTS_VALUE = re.compile(r"(?:^|[{,:])[ \t]*$")
# what an open quote takes in to the line's end: its text, the braces that close the line, a comment after them
_TEXT_THEN_CLOSE = re.compile(r"(?P<text>[^'\"#{}\[\]]*)(?P<close>\}[ \t}]*?)?(?P<comment>[ \t]#[^'\"{}\[\]]*)?[ \t]*")
