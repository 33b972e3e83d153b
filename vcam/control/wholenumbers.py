"""Whole numbers written in hex or binary (0x10, 0b11), read as a show file's YAML reads them, alike where typed
and given as a flag; and what to write for one YAML does not read as a number (0X10, 0x)."""
from __future__ import annotations

import re

from vcam.control.fullwidth import signed

# YAML 1.1's hex and binary whole numbers (0x10, 0b11), which a show's `seed: 0x10` reads as 16: typed, the same
# number was refused, and a seed copied from one into the other worked one way only. Read one way in both, as the
# show reads it (a seed copied as hex from another tool keeps its value); 0X10, text in YAML, is refused in both,
# with the number it writes in decimal digits to write instead
BASED = re.compile(r"([-+]?)0(?:x([0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*)|b([01_]*[01][01_]*))")
# a hex or binary number begun and not written whole (0x, 0xg, 0b2), not a 0 with a unit after it (0bars, 0beats)
_BASE_BEGUN = re.compile(r"[-+]?0(?:[xX]\w*|[bB][0-9_]*)")


def based_int(text: str) -> int:
    """The whole number `text` writes in decimal digits, or in hex or binary as a show file's YAML reads it."""
    if found := BASED.fullmatch(text):
        sign, hexa, binary = found.groups()
        value = int((hexa or binary).replace("_", ""), 16 if hexa else 2)
        return -value if sign == "-" else value
    return int(signed(text))


def _capital_based(text: str, lo: int, hi: int) -> str | None:
    """'; write it in decimal digits: 16' for 0X10 or 0B11 (a capital X or B, which a show's YAML reads as text, and
    says so), said out of range where the number is; None for other text."""
    if not re.fullmatch(r"[-+]?0[XB]\w+", text):
        return None
    try:
        n = int(text, 0)
    except ValueError:
        return None
    return in_decimal_digits(text, n, lo <= n <= hi)


def in_decimal_digits(text: str, n: int, fits: bool) -> str:
    """'; write it in decimal digits: 16' for `text` (0X10) that is the whole number `n`, said out of range where it
    does not fit the value (`fits` false): one wording for a typed command, a flag and a show's value."""
    return f"; write it in decimal digits: {n}" if fits else f"; {text} is {n} in decimal digits, out of range"


def based_meant(text: str, lo: int, hi: int) -> str | None:
    """What to write for a hex or binary whole number YAML does not read as one: `0X10` (its decimal digits), `0x`
    or `0xg` (how one is written, where its 0 was offered, read as 0 with a unit after it); None for other text.
    Alike for a typed command and a flag (`--seed 0x`)."""
    if (upper := _capital_based(text, lo, hi)) is not None:  # `seed 0X10`, as a show's `seed: 0X10` is told
        return upper
    if _BASE_BEGUN.fullmatch(text):
        return " (a hex number is 0x and its digits, as in 0x10; a binary one 0b and its digits, as in 0b11)"
    return None
