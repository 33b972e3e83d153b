"""Keys run together on one line: where a mapping's next key starts after a comma, and the entry meant by a list
item whose keys and values YAML read as one text (`- name:neon, prompt:city`, each colon without its space)."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from vcam.control.yamllines import COLON_SLIPS
from vcam.control.yamlwrite import built_or_none, flow_yaml


def next_key(keys: str = r"[A-Za-z_][\w-]*", colons: str = ":") -> re.Pattern[str]:
    """A comma and the key after it (`, channel: 2`), one of `keys` (a pattern) before one of `colons`, where a
    mapping's next key starts on its line."""
    return re.compile(rf",[ \t]*(?=(?:{keys})[ \t]*[{colons}])")


NEXT_KEY = next_key()


def keys_run_together(text: str, key: str, value: str, keys: Sequence[str]) -> dict[str, str]:
    """The keys and values of a list item written as one text (`name:neon, prompt:x`, each colon without its
    space): each of `keys` after a comma starts one of its own; {key: value} where no other does."""
    parts = next_key("|".join(keys), ":" + COLON_SLIPS).split(text)
    pairs = [re.fullmatch(rf"({'|'.join(keys)})[ \t]*[:{COLON_SLIPS}][ \t]*(\S.*)", part.strip()) for part in parts]
    if len(parts) < 2 or None in pairs or len({p[1] for p in pairs}) < len(pairs):
        return {key: value}
    return {p[1]: p[2].strip() for p in pairs}


def keyed_entry(pairs: dict[str, str], keys: Sequence[str], numbers: Sequence[str],
                loads: Callable[[str], bool]) -> str | None:
    """The entry to write for a list item that is keys and values run together as one text (`- seed:3`, `- name:a,
    prompt:b`): each key and its value, a number where the key is one of `numbers`, with a name and a prompt to
    fill in where it lacks them (NAME, TEXT); None where `loads` (the entry checked as a show's only preset)
    refuses it (`- input:off`, `- name:7`), as the item offered alone was (its name missing, its seed quoted)."""
    entry: dict[str, object] = {"name": "NAME", "prompt": "TEXT"}
    inside = re.compile(rf"(?<![\w-])(?:{'|'.join(keys)})[ \t]*[:{COLON_SLIPS}]")
    if any(inside.search(value) for value in pairs.values()):
        # `name:neon prompt:x`, `name：neon，prompt：x`: a key still inside a value, its split not known here
        return None
    for key, value in pairs.items():
        read = built_or_none(f"{key}: {value}")
        number = read.get(key) if isinstance(read, dict) and key in numbers else None
        # `- prompt:"neon city"`: quotes round the whole value are YAML's, as after a colon and a space
        quoted = read.get(key) if isinstance(read, dict) and value[:1] in "'\"" else None
        entry[key] = number if type(number) in (int, float) else quoted if isinstance(quoted, str) else value
    if "prompts" in pairs or (line := flow_yaml(entry)) is None:
        return None
    return line if loads(line) else None
