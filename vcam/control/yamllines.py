"""A show's lines by their look, for the slip finders: a key, a value opening with a quote or a bracket, the key at
a block's left edge, where a line's YAML ends before its comment; and the words of YAML's complaints they share."""
from __future__ import annotations

import re


# a key's first character: not one that starts YAML's other kinds of node (a quote, a flow, an anchor, a tag, a
# block text, a list item) or a comment
KEY_HEAD = r"[^\s:#'\"{\[&*!|>-]"


# typed where a key's colon goes: an '=', or an input method's full-width colon or equals sign (regex class text)
COLON_SLIPS = "=\uff1a\uff1d"


# YAML's complaint at a ': ' where no key goes, as libyaml says it and as PyYAML does
MAPPING_VALUES = ("mapping values are not allowed in this context", "mapping values are not allowed here")


# a key and a value that opens with a quote or a bracket (`prompt: "neon" city`, `prompt: [glitch] city`)
OPENED = re.compile(r"^ *(?:- +)?(" + KEY_HEAD + r"[^\s:#]*): +([\"'\[{])(.*?) *$")


# the keys whose value is a text, where a value that goes on after its quotes or brackets is the text's own
TEXT_KEYS = ("prompt", "text", "name", "map")


def top_key(lines: list[str], row: int) -> str | None:
    """The key at the file's left edge whose block holds line `row` (0-based): presets, cues, midi."""
    return next((found[1] for line in reversed(lines[:row + 1])
                 if (found := re.match(r"([A-Za-z_]+)[ \t]*:", line)) is not None), None)


def written(line: str) -> bool:
    """Whether `line` holds YAML: neither blank nor a comment alone."""
    return bool(line.strip()) and not line.lstrip().startswith("#")


def written_below(lines: list[str], row: int) -> str:
    """The first line after line `row` that holds YAML (written's); "" where none does."""
    return next((line for line in lines[row + 1:] if written(line)), "")


def written_above(lines: list[str], row: int) -> int | None:
    """The row of the nearest line before line `row` that holds YAML (written's); None where none does."""
    return next((i for i in range(row - 1, -1, -1) if written(lines[i])), None)


def indent_of(line: str) -> int:
    """How many spaces `line` starts with: YAML indents with spaces alone."""
    return len(line) - len(line.lstrip(" "))


def code_end(line: str) -> int:
    """Where `line`'s YAML ends: before a comment (` # ...`) and the spaces before it."""
    found = re.search(r"(?:^|[ \t])#", line)
    return len((line[:found.start()] if found else line).rstrip())


# YAML's complaint at a '- ' item where the mapping around it goes on, as libyaml says it and as PyYAML does
ITEM_NOT_FOUND = ("did not find expected key", "expected <block end>, but found '<block sequence start>'",
                  "expected <block end>, but found '-'")


# a line's key, after its indentation and a list item's `- `: (indentation, key)
KEY_LINE = re.compile(r"^( *(?:- +)?)(" + KEY_HEAD + r"[^:#]*?):(?: |$)")


class AtLine(str):
    """A message of a slip on another line than the one YAML complained at: filed at the line to mend."""

    line: int

    def __new__(cls, line: int, message: str) -> "AtLine":
        said = super().__new__(cls, message)
        said.line = line
        return said
