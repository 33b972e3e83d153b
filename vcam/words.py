"""Words as an operator reads them: counts ("1 preset", "2 presets"), and the known word a mistyped one was meant
to be."""
from __future__ import annotations

import difflib
from collections.abc import Iterable


def counted(n: int, noun: str) -> str:
    """`n` and the noun, plural unless there is exactly one (nouns here take a plain -s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def nearest(word: str, known: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one of `known` that `word` was likely meant to be (`prst` → `preset`), or None where none is near: a typo
    answered with the word meant, not only with the whole list."""
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None
