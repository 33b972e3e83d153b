"""A blend of two presets as it is said wherever it is on air: a command's reply, the status line, a reload's line
(apart from the commands, so the status line names it without importing the control side)."""
from __future__ import annotations

from vcam.words import quoted


def blend_on_air(a: str, b: str) -> str:
    """The blend of the presets named `a` and `b` as a reply and the status say it: `blend 'neon city' / 'ocean'`,
    each name in quotes as a preset's is there (bare, a name in typographic quotes of its own read as quoted by vcam
    beside one that was not, and one with a ` / ` ran into the other)."""
    return f"blend {quoted(a)} / {quoted(b)}"
