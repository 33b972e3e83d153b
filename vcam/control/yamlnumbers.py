"""The numbers a value that YAML did not read as the one asked for was meant as, each offered as the line to write:
quoted (`'010'`), a decimal comma (`0,3`, or `{bias: 0,3}` cut by the braces' comma), thousands set apart
(`12 345`), an exponent or a point where a whole number goes, hex and binary forms."""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Collection, Sequence

from yaml.nodes import MappingNode, Node, ScalarNode

from vcam.control.commands import DECIMAL, parse
from vcam.control.numberreadings import number_readings
from vcam.control.wholenumbers import BASED, in_decimal_digits


# keys read as words or paths, where digits and commas are no number: a comma cutting one is told to quote it
_WORD_KEYS = {"name", "prompt", "text", "fallback", "input", "map", "command", "do", "release", "port", "address"}


def as_written(node: Node, shown: str) -> str:
    """`shown`, a number read from `node`, with the form it was written in where YAML read it as hexadecimal or
    binary (`0x10 (16)`): said as 16 alone, the number was nowhere on the line the message names."""
    plain = isinstance(node, ScalarNode) and not node.style
    return f"{node.value} ({shown})" if plain and BASED.fullmatch(node.value) else shown


def typed_as(key: str | None, written: str, meant: int) -> bool:
    """Whether the command `key` typed with `written` (seed 010) reads it as the whole number `meant`, as YAML's
    octal does not."""
    if key is None:
        return False
    try:
        typed = parse(f"{key} {written}", console=False)
    except ValueError:  # no such command, or none taking that number
        return False
    return typed is not None and typed.name == key and typed.args == (meant,)


def in_digits(v: object, lo: int, hi: int, node: Node, what: str) -> str:
    """'; write it in digits: 1000' for a whole number in range written with an exponent (1e3, 1.0e3), '; write
    steps: 4' for one written with a point (4.0), which is in digits already: a number where a whole one is asked
    for, not a mistake to look for. '' for anything else."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and lo <= v <= hi:
        if isinstance(node, ScalarNode) and "e" not in node.value.lower():
            return f"; write {_key_line(what, int(v))}"
        return f"; write it in digits: {int(v)}"
    return ""


def _key_line(what: str, value: object) -> str:
    """`steps: 4` for what a message calls 'defaults steps' (its last word the key), `it as 4` where that is no
    key's name."""
    key = what.split()[-1] if what.split() else ""
    return f"{key}: {value}" if re.fullmatch(r"[a-z_]+", key) else f"it as {value}"


# what a hand or a locale puts between thousands: a space, a no-break or thin one, an apostrophe (Swiss 12'345)
_THOUSANDS = "[ \u00a0\u2009\u202f'\u2019]"


def space_grouped(v: object, lo: int, hi: int, what: str) -> str:
    """'; write seed: 12345' for a whole number whose thousands are set apart by a space or an apostrophe (12 345),
    which YAML reads as text; '' for anything else."""
    if not isinstance(v, str) or not re.fullmatch(f"\\d{{1,3}}(?:{_THOUSANDS}\\d{{3}})+", text := v.strip()):
        return ""
    whole = int(re.sub(_THOUSANDS, "", text))
    return f"; write {_key_line(what, whole)} (no space or mark between its digits)" if lo <= whole <= hi else ""


def unquoted_hint(node: Node, v: object, lo: float, hi: float, whole: bool = False) -> str:
    """'; write it without quotes: 10' for a number in range written in quotes ('010', "120"), which YAML reads as
    text; '' for anything else, and where `whole` for one with a fraction ('4.5' for steps: unquoted, it is
    refused too)."""
    if not isinstance(node, ScalarNode) or not node.style or not isinstance(v, str):
        return ""
    text = v.strip()
    if not DECIMAL.fullmatch(text):
        return ""
    n = int(text) if text.lstrip("+-").isdigit() else float(text)  # int: a seed's 19 digits stay exact
    if not lo <= n <= hi or (whole and not float(n).is_integer()):
        return ""
    return f"; write it without quotes: {n if isinstance(n, int) else format(n, 'g')}"


def decimal_comma(node: MappingNode, i: int, known: Collection[str]) -> str | None:
    """'; ...' where the unknown key `i` of digits is the rest of the number before it, cut off by a comma in a
    mapping in braces (`{seed: 42, bias: 0,3}` reads as bias 0 and a key 3); '' for a later group of digits of a
    number so cut (`{seed: 1,000,000}`: the first group's line tells the whole number); None for anything else.
    Three digits after it may group thousands (`{seed: 12,345}`): both readings are offered, as a whole number's key
    takes only one; a name or prompt (_WORD_KEYS) is told to be quoted, as it is no number."""
    if not node.flow_style:
        return None
    start = i
    while start > 0 and _cut_group(node.value[start - 1], node.value[start]):
        start -= 1
    if start == i:
        return None
    key_before, number = node.value[start]
    written = key_before.value.strip().lower() if isinstance(key_before, ScalarNode) else None
    if not (_plain_digits(number) and written in known):  # `{0: 1,2}`: no key to name
        return None
    groups = [number.value] + [k.value for k, _ in node.value[start + 1:_run_end(node, start + 1)]]
    said = ",".join(groups)
    # a number offered in plain digits: YAML reads full-width ones (０.３, typed with an East Asian input method) as text
    groups = ["".join(str(unicodedata.decimal(c)) for c in g) for g in groups]
    if written in _WORD_KEYS:
        readings = f"{written}: '{said}' (quoted)"
    elif len(groups) > 2 and _grouped(groups):  # 1,000,000, or 1,23,456 grouped in lakhs: one whole number
        readings = f"{written}: {''.join(groups)}"
    elif len(groups) > 2:  # 0,3,5: no one number
        return None
    elif len(groups[1]) == 3 and not groups[0].startswith("0"):
        readings = f"{written}: {''.join(groups)} (a thousands comma) or {written}: {'.'.join(groups)} (a decimal one)"
    else:
        readings = f"{written}: {'.'.join(groups)}"
    if start + 1 < i:
        return ""
    return f"; in {{...}} a comma separates keys: for {said} write {readings}"


def _cut_group(pair: tuple, after: tuple) -> bool:
    """Whether `after` is a key of digits with no value that follows `pair`'s plain digits (its value's, or its own
    key's where it is a group too) with only a comma between: `1,000` read as `1` and a key `000`."""
    key_node, value = after
    if not (_plain_digits(key_node) and plain_null(value)):
        return False
    end = pair[1] if _plain_digits(pair[1]) else pair[0] if plain_null(pair[1]) else None
    return end is not None and _plain_digits(end) and end.end_mark.index + 1 == key_node.start_mark.index


def _grouped(groups: list[str]) -> bool:
    """Whether digit groups read as one whole number: thousands (1,000,000) or lakhs (12,34,567)."""
    *middle, last = groups[1:]
    return (not groups[0].startswith("0") and len(last) == 3
            and (all(len(g) == 3 for g in middle) or all(len(g) == 2 for g in middle)))


def _run_end(node: MappingNode, start: int) -> int:
    """The index past the last key of digits cut off the same number as the key at `start`."""
    end = start + 1
    while end < len(node.value) and _cut_group(node.value[end - 1], node.value[end]):
        end += 1
    return end


def _plain_digits(node: Node) -> bool:
    # isdecimal(): isdigit() takes "²", and `{seed: ²,3}` was told to write seed: ².3
    return isinstance(node, ScalarNode) and not node.style and node.value.isdecimal()


def plain_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and not node.style and node.value == ""


def number_written_as(v: object, fits: Callable[[float], bool], share: bool = False) -> str:
    """'; write it as 0.3' for text `v` that means a number `fits` takes (0,3, 124bpm; 30% where it is a `share`,
    from 0 to 1, as the typed command reads it); '' for anything else."""
    if not isinstance(v, str):
        return ""
    return written_as_hint(v, number_readings(v.strip(), lambda n: math.isfinite(n) and fits(n), share=share), fits)


def written_as_hint(v: object, meant: Sequence[str], fits: Callable[[int], bool]) -> str:
    """'; write it as 0.3' for text that means a number in range (a decimal comma, 0,3, which YAML reads as text; a
    unit after it, 124bpm; 2,000 for a whole one), the numbers `meant` as the typed commands read it (their
    readings, numberreadings'); '' for none. `fits`: whether the value takes a number (a hex one's, _based_said)."""
    if isinstance(v, str) and (based := _based_said(v.strip(), fits)) is not None:
        return based
    return f"; write it as {' or '.join(meant)}" if meant else ""


_BASE_PREFIX = re.compile(r"[+-]?0([xXbB])(.*)")


def _based_said(text: str, fits: Callable[[int], bool]) -> str | None:
    """'; 0x starts a hexadecimal number but …' for text that starts as a hex or binary number (0x, 0b) and is none:
    read as a 0 with a unit after it, `0x` was offered as 0, a number it was never meant as. A number so written
    whole that YAML reads as text (quoted, or 0X10: its x is lower case) is offered in decimal digits where it `fits`
    the value, and said in them where not: strength: 16, offered for 0x10, was refused in turn. None for other
    text."""
    found = _BASE_PREFIX.fullmatch(text)
    if found is None:
        return None
    try:
        n = int(text, 0)
    except ValueError:
        pass
    else:
        return in_decimal_digits(text, n, fits(n))
    kind, digits = ("hexadecimal", "0 to 9 and a to f") if found[1] in "xX" else ("binary", "0 and 1")
    said = (f"{text} starts a {kind} number, but no digits follow" if not found[2].replace("_", "") else
            f"{text} is no {kind} number (its digits are {digits})")
    return f"; {said}: write the number in decimal digits"
