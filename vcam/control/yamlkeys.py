"""Keys run together on one line: where a mapping's next key starts after a comma, and the entry meant by a list
item whose keys and values YAML read as one text (`- name:neon, prompt:city`, each colon without its space)."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from vcam.control.yamllines import COLON_SLIPS
from vcam.control.yamlwrite import built_or_none, flow_yaml


def _next_key(keys: str = r"[A-Za-z_][\w-]*", colons: str = ":") -> re.Pattern[str]:
    """A comma and the key after it (`, channel: 2`), one of `keys` (a pattern) before one of `colons`, where a
    mapping's next key starts on its line."""
    return re.compile(rf",[ \t]*(?=(?:{keys})[ \t]*[{colons}])")


NEXT_KEY = _next_key()


class KeysRunTogether:
    """A list item's keys and values written as one text (`name:neon, prompt:x`, each colon without its space), read
    for one kind of entry: `keys` its keys, `numbers` those taking a number, `blanks` the keys it cannot go without
    and what to write for them where they are missing, `refused` those not offered on one line. Its patterns are
    built once, here; nothing changes after."""

    __slots__ = ("_keys", "_numbers", "_blanks", "_refused", "_split", "_pair", "_inside")

    def __init__(self, keys: Sequence[str], numbers: Sequence[str], blanks: Mapping[str, str],
                 refused: Sequence[str] = ()) -> None:
        self._keys, self._numbers = tuple(keys), tuple(numbers)
        self._blanks, self._refused = MappingProxyType(dict(blanks)), tuple(refused)
        names = "|".join(self._keys)
        self._split = _next_key(names, ":" + COLON_SLIPS)
        self._pair = re.compile(rf"({names})[ \t]*[:{COLON_SLIPS}][ \t]*(\S.*)")
        # a key with its colon inside a value: a key the split into keys left there
        self._inside = re.compile(rf"(?<![\w-])(?:{names})[ \t]*[:{COLON_SLIPS}]")

    def pairs(self, text: str, key: str, value: str) -> dict[str, str]:
        """The keys and values of `text`: each key after a comma starts one of its own; {key: value} where no
        other does."""
        parts = self._split.split(text)
        pairs = [self._pair.fullmatch(part.strip()) for part in parts]
        if len(parts) < 2 or None in pairs or len({p[1] for p in pairs}) < len(pairs):
            return {key: value}
        return {p[1]: p[2].strip() for p in pairs}

    def entry(self, pairs: Mapping[str, str], loads: Callable[[str], bool]) -> str | None:
        """The entry to write for `pairs` (`- seed:3`, `- name:a, prompt:b`): each key and its value, a number
        where the key takes one, with the blanks to fill in where it lacks them; None where `loads` (the entry
        checked alone) refuses it (`- input:off`, `- name:7`), as the item offered alone was."""
        entry: dict[str, object] = dict(self._blanks)
        if any(self._inside.search(value) for value in pairs.values()):
            # `name:neon prompt:x`, `name：neon，prompt：x`: a key still inside a value, its split not known here
            return None
        for key, value in pairs.items():
            read = built_or_none(f"{key}: {value}")
            number = read.get(key) if isinstance(read, dict) and key in self._numbers else None
            # `- prompt:"neon city"`: quotes round the whole value are YAML's, as after a colon and a space
            quoted = read.get(key) if isinstance(read, dict) and value[:1] in "'\"" else None
            entry[key] = number if type(number) in (int, float) else quoted if isinstance(quoted, str) else value
        if any(key in pairs for key in self._refused) or (line := flow_yaml(entry)) is None:
            return None
        return line if loads(line) else None
