"""Counts as an operator reads them: "1 preset", "2 presets"."""


def counted(n: int, noun: str) -> str:
    """`n` and the noun, plural unless there is exactly one (nouns here take a plain -s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
