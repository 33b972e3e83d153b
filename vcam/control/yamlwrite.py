"""YAML as a message writes it: the line it offers to paste (flow_yaml), and the line a key and its value were
written as (colon_read). Apart from yamlcheck: yamlcheck reads by the commands' rules, so the commands' parser, which
offers these lines too, could only import them from there inside its functions.
"""
from __future__ import annotations

import functools

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"


# the longest YAML a message offers to write: past it a pasted prompt filled the message, and cut, the offered
# line no longer loaded as the text it came from
OFFERED_CHARS = 100


def flow_yaml(value: object, limit: int = OFFERED_CHARS) -> str | None:
    """`value` (a mapping, list or text) written as YAML on one line ({name: neon, prompt: 'a, b'}), each text
    plain where it reads back as itself and quoted where not, for a message that offers it to paste; None where
    that line is longer than `limit`, or would not load back as `value`: a hint that offers a line to write must
    offer one that reads as meant."""
    if value is None:  # nothing meant: `null` is no line
        return None
    try:
        too_long = _texts_length(value) > limit
    except RecursionError:  # an alias inside its own anchor ([&a [*a]]): a list in itself has no line that ends
        return None
    if too_long:
        return None
    for text in (_flow(value), _emitted(value)):  # the emitter's own, which quotes more, where a plain one misreads
        if "\n" in text or len(text) > limit:
            continue
        if built_or_none(text) == value:
            return text
    return None


def _texts_length(value) -> int:
    """The characters of the texts in `value`, keys and values: the fewest any line writing it takes, each written
    as itself or, quoted or escaped, longer: a long pasted prompt has no line to offer, known before YAML reads it."""
    if isinstance(value, dict):
        return sum(_texts_length(k) + _texts_length(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_texts_length(v) for v in value)
    return len(value) if isinstance(value, str) else 0


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return value if isinstance(value, str) and _plain(value) else _emitted(value)


@functools.lru_cache(maxsize=4096)  # a key (prompt, name) is asked again for each line offered, three YAML reads each
def _plain(text: str) -> bool:
    """Whether `text` unquoted reads as itself in a flow list or mapping, as a key or a value: `file:rec.mp4` does;
    `a, b`, `neon: rain`, `*glitch*`, `yes` and `1984` do not."""
    if not text or text != text.strip() or "\n" in text:
        return False
    return (built_or_none(f"[{text}]") == [text] and built_or_none(f"{{k: {text}}}") == {"k": text} and
            built_or_none(f"{{{text}: k}}") == {text: "k"})


def built_or_none(text: str) -> object:
    """What a safe load of `text` builds; None where it builds nothing or fails to."""
    try:
        return yaml.safe_load(text)
    except Exception:  # what YAML cannot build (2020-13-45, !!bool maybe, !!timestamp x) raises the constructors' own
        return None


class _FlowDumper(yaml.SafeDumper):
    pass


def _flow_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # a line break in a text: in "double quotes" it is written \n, where the other styles span lines
    return dumper.represent_scalar(STR_TAG, text, style='"' if "\n" in text else None)


_FlowDumper.add_representer(str, _flow_str)


def _emitted(value) -> str:
    """`value` as PyYAML's emitter writes it in flow style, on one line."""
    return yaml.dump(value, Dumper=_FlowDumper, default_flow_style=True, width=10**6, sort_keys=False,
                     allow_unicode=True).removesuffix("\n").removesuffix("\n...")


def colon_read(node: Node) -> str | None:
    """The line a mapping of one key and its value was written as, where YAML took a line with ': ' in it for one
    (`- prompt neon: rain` is {prompt neon: rain}, not the command meant); None for any other node."""
    if not isinstance(node, MappingNode) or len(node.value) != 1:
        return None
    key, value = node.value[0]
    if not (isinstance(key, ScalarNode) and isinstance(value, ScalarNode)) or key.style or value.style:
        return None
    if key.tag != STR_TAG or not key.value.strip():
        return None
    return f"{key.value}: {value.value}".rstrip()
