"""Spaces and dashes that YAML does not take for its own, at a line's start or after a key's colon: what a web page,
a chat or a word processor pastes (a no-break space, an en dash), said before YAML reads them as part of a key."""
from __future__ import annotations

import math
import re
import unicodedata

import yaml

from vcam.control.yamllines import KEY_HEAD, KEY_LINE
from vcam.control.yamlloaders import Scanning


# What a web page, a chat or a word processor puts where a show writes a space or a hyphen, at a line's start: read
# as part of the key ("show: unknown key '\xa0\xa0 prompt'") or as a ': ' inside a value, said as neither
_SPACES = "\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff"
_ODD_SPACE = re.compile(rf"^ *([{_SPACES}])[ {_SPACES}]*(- |-$|[^\s:#]+:( |$))")
_ODD_DASH = re.compile(r"^ *([\u2013\u2014]) +([^\s:#]+:( |$)|\{)")


# such a space after a key's colon (`name:\xa0neon`, macOS's Option+Space): the line read as a text, not a key
_ODD_COLON = re.compile(rf"^ *(- +)?({KEY_HEAD}[^\s:#]*):([{_SPACES}])")


def _odd_colon(line: str, keys: tuple[str, ...], lines: list[str], number: int) -> re.Match | None:
    """_ODD_COLON's match of `line` (line `number` of `lines`); in a list item only where its word is one of `keys`
    and the list is no cue's do: list: `- file:\xa0out.mp4` is a value with its own colon, and `- seed:\xa05` a
    command, and retyped with a plain space each became a key the list refuses."""
    found = _ODD_COLON.match(line)
    if found is None or found[1] is None:
        return found
    return found if found[2] in keys and _list_key(lines, number, found.start(1)) != "do" else None


def _list_key(lines: list[str], number: int, dash: int) -> str | None:
    """The key whose list holds the item of line `number` with its '- ' at column `dash`: the nearest key above
    at or left of the column (a list may start at its key's column); None where there is none."""
    for line in reversed(lines[:number - 1]):
        if (key := KEY_LINE.match(line)) is None:
            continue
        if len(key[1]) <= dash:
            return key[2].strip()
    return None


def odd_line_start(lines: list[str], text: str, keys: tuple[str, ...] = ()) -> str | None:
    """'line: what and the fix' for the first line whose indentation holds a space YAML does not take for one, or
    whose list item starts with a typographic dash, or whose key (of `keys`, in a list item) has such a space after
    its colon; None where there is none. Only before a key or a list item, and
    not inside a value of many lines: such a character in a prompt's own text is the prompt's."""
    odd = [number for number, line in enumerate(lines, 1)
           if _ODD_SPACE.match(line) or _ODD_DASH.match(line) or _odd_colon(line, keys, lines, number)]
    if not odd:  # the file scanned again only where a line may be one: a long show's reading stays as fast
        return None
    inside, read_to = _scalar_lines(text)
    for number in odd:
        line = lines[number - 1]
        if number in inside:
            continue
        if number > read_to:  # past what YAML could read, a line may be a prompt's: YAML's own complaint is said
            return None
        if (space := _ODD_SPACE.match(line)) is not None:
            char = space[1]
            return (f"{number}: {_article(char)} (U+{ord(char):04X}, column {space.start(1) + 1}) in the indentation, "
                    "which YAML does not take for a space; retype the indentation with plain spaces (a web page or a "
                    "chat pastes such spaces)")
        if (dash := _ODD_DASH.match(line)) is not None:
            return (f"{number}: a dash ({dash[1]}, U+{ord(dash[1]):04X}) where a list item starts with a hyphen (-); "
                    "type a plain - (a word processor's autocorrect makes such dashes)")
        if (colon := _odd_colon(line, keys, lines, number)) is not None:
            char = colon[3]
            return (f"{number}: {_article(char)} (U+{ord(char):04X}, column {colon.start(3) + 1}) after {colon[2]}:, "
                    f"which YAML does not take for the space a key needs (it read {colon[2]}: and what follows as one "
                    "text); retype it as a plain space")
    return None


def _scalar_lines(text: str) -> tuple[set[int], float]:
    """The numbers of the lines a value of many lines (a block, a quoted or a plain one) takes after its first, and
    the last line YAML read tokens up to (the line of its complaint, or all of them)."""
    inside: set[int] = set()
    scanner = Scanning(text)
    try:
        while scanner.check_token():
            token = scanner.get_token()
            if isinstance(token, yaml.ScalarToken):
                end = token.end_mark.line + (1 if token.end_mark.column else 0)  # a block ends where the next starts
                inside.update(range(token.start_mark.line + 2, end + 1))
    except yaml.MarkedYAMLError as e:
        # the earlier mark: a quote never closed is complained of at the file's end, and the lines after it opened
        # are its own, not the show's
        marks = [m.line + 1 for m in (e.context_mark, e.problem_mark) if m is not None]
        return inside, min(marks, default=0)
    except yaml.YAMLError:  # a character YAML does not read: said as such
        return inside, 0
    finally:
        scanner.dispose()
    return inside, math.inf


def _article(char: str) -> str:
    """A character's Unicode name in words, with its article: "a no-break space", "an em space"."""
    name = unicodedata.name(char, "space").lower()
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"
