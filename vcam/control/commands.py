"""The command vocabulary shared by stdin, MIDI mappings, presets and control logs: one parser for all of them."""
from __future__ import annotations

import shlex
from dataclasses import dataclass

from vcam.inspec import check_strength, parse_input

MAX_LINE = 4096
MAX_PROMPT = 2000
MAX_SEED = 2**63 - 1

USAGE: dict[str, str] = {
    "prompt": "prompt TEXT            generate TEXT (blends in over the transition)",
    "preset": "preset NAME|NUMBER     switch to a preset of the show (numbers start at 1)",
    "next": "next                   the next preset",
    "prev": "prev                   the previous preset",
    "blend": "blend A B X            mix presets A and B, X from 0 (all A) to 1 (all B)",
    "seed": "seed N                 noise seed, from the next block",
    "transition": "transition N           blocks over which prompt changes blend in (0 = at once)",
    "steps": "steps N                denoising steps per block (1-50)",
    "strength": "strength X             how much of the input survives, 0 (all of it) to 1 (text only)",
    "input": "input SRC              restyle none, camera[:N], file:PATH, image:PATH or net (uploads)",
    "freeze": "freeze                 hold the picture (generation goes on)",
    "blackout": "blackout               show black",
    "live": "live                   undo freeze or blackout",
    "reset": "reset                  start the stream over from a fresh first block",
    "status": "status                 print the state of the show",
    "help": "help                   this list",
    "quit": "quit                   stop vcam",
}
NO_ARGS = ("next", "prev", "freeze", "blackout", "live", "reset", "status", "help", "quit")


class CommandError(ValueError):
    """A line that is not a command; the message says what is wrong and how the command is written."""


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple = ()

    def __str__(self) -> str:
        if self.name in ("prompt", "preset"):
            return f"{self.name} {self.args[0]}"
        if self.name == "blend":
            a, b, x = self.args
            return f"blend {shlex.quote(str(a))} {shlex.quote(str(b))} {x:g}"
        if self.name == "strength":
            return f"strength {self.args[0]:g}"
        return " ".join([self.name, *map(str, self.args)])


def help_text() -> str:
    return "commands:\n" + "\n".join("  " + line for line in USAGE.values())


def _int(text: str, name: str, lo: int, hi: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CommandError(f"{name} needs a whole number, not {text!r}; usage: {USAGE[name]}") from None
    if not lo <= value <= hi:
        raise CommandError(f"{name} {value} is out of range ({lo} to {hi}); usage: {USAGE[name]}")
    return value


def _strength(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise CommandError(f"strength needs a number from 0 to 1, not {text!r}; usage: {USAGE['strength']}") \
            from None
    try:
        return check_strength(value)
    except ValueError as e:
        raise CommandError(f"{e}; usage: {USAGE['strength']}") from None


def preset_ref(text: str) -> str | int:
    """A preset given by number (1-based, as int) or by name (str)."""
    return int(text) if text.isascii() and text.isdigit() else text


def parse(line: str) -> Command | None:
    """One line of text → Command; None for a blank line or a # comment; CommandError for anything else."""
    if len(line) > MAX_LINE:
        raise CommandError(f"line too long ({len(line)} characters, at most {MAX_LINE})")
    text = "".join(ch for ch in line if ch.isprintable() or ch in " \t").strip()
    if not text or text.startswith("#"):
        return None
    word, *more = text.split(None, 1)  # a tab after the command's name counts as a space
    name, rest = word.lower(), (more[0] if more else "").strip()
    if name not in USAGE:
        shown = word if len(word) <= 40 else word[:40] + "…"
        raise CommandError(f"unknown command {shown!r}; type 'help' for the list")
    if name in NO_ARGS:
        if rest:
            raise CommandError(f"{name} takes nothing after it; usage: {USAGE[name]}")
        return Command(name)
    if not rest:
        raise CommandError(f"{name} needs an argument; usage: {USAGE[name]}")
    if name == "prompt":
        if len(rest) > MAX_PROMPT:
            raise CommandError(f"prompt too long ({len(rest)} characters, at most {MAX_PROMPT})")
        return Command("prompt", (rest,))
    if name == "preset":
        return Command("preset", (preset_ref(rest),))
    if name == "seed":
        return Command("seed", (_int(rest, "seed", 0, MAX_SEED),))
    if name == "transition":
        return Command("transition", (_int(rest, "transition", 0, 1000),))
    if name == "steps":
        return Command("steps", (_int(rest, "steps", 1, 50),))
    if name == "strength":
        return Command("strength", (_strength(rest),))
    if name == "input":
        try:
            spec = parse_input(rest)
        except ValueError as e:
            raise CommandError(f"{e}; usage: {USAGE['input']}") from None
        return Command("input", (str(spec),))
    # blend A B X: preset names may be quoted when they hold spaces
    try:
        parts = shlex.split(rest)
    except ValueError as e:
        raise CommandError(f"blend: {e}; usage: {USAGE['blend']}") from None
    if len(parts) != 3:
        raise CommandError(f"blend needs two presets and a position; usage: {USAGE['blend']}")
    try:
        x = float(parts[2])
    except ValueError:
        raise CommandError(f"blend position must be a number from 0 to 1, not {parts[2]!r}") from None
    if not 0.0 <= x <= 1.0:
        raise CommandError(f"blend position {x:g} is outside 0 to 1; usage: {USAGE['blend']}")
    return Command("blend", (preset_ref(parts[0]), preset_ref(parts[1]), x))
