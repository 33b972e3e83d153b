"""What a command changes, as plain data: logged, replayed and applied between blocks by one `apply`.

A command (`prompt a city`, `preset 2`, a knob) becomes one or more actions. The stream's actions are applied by
the generator thread at a block boundary; the screen's (freeze, blackout, live) are read by the outputs' side;
quit ends the show. Each action has a dict form, the `apply` field of a control log line, which stays the one
logs have always had (`{"op": "prompt", "prompts": ..., "transition": ...}` and so on).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Union

from vcam.control.commands import (MAX_CLOCK_BPM, MAX_SEED, MAX_TRANSITION, MIN_CLOCK_BPM, blank_prompt,
                                   blank_said)
from vcam.bias import check_bias
from vcam.inspec import check_strength, parse_input
from vcam.words import clipped, quoted

SCREEN_MODES = ("live", "freeze", "blackout")


@dataclass(frozen=True)
class SetPrompts:
    """Condition the stream on weighted prompts, blending in over `transition` blocks."""

    prompts: dict[str, float]
    transition: int
    op: ClassVar[str] = "prompt"

    def to_dict(self) -> dict:
        return {"op": self.op, "prompts": dict(self.prompts), "transition": self.transition}


@dataclass(frozen=True)
class SetSeed:
    seed: int
    op: ClassVar[str] = "seed"

    def to_dict(self) -> dict:
        return {"op": self.op, "seed": self.seed}


@dataclass(frozen=True)
class SetSteps:
    steps: int
    op: ClassVar[str] = "steps"

    def to_dict(self) -> dict:
        return {"op": self.op, "steps": self.steps}


@dataclass(frozen=True)
class SetStrength:
    """How much of the input survives, 0 (all of it) to 1 (text only), from the next block."""

    value: float
    op: ClassVar[str] = "strength"

    def to_dict(self) -> dict:
        return {"op": self.op, "strength": self.value}


@dataclass(frozen=True)
class SetBias:
    """Krea's attention bias on the context's past latents, above 0 to 1 (off), from the next block."""

    value: float
    op: ClassVar[str] = "bias"

    def to_dict(self) -> dict:
        return {"op": self.op, "bias": self.value}


@dataclass(frozen=True)
class SetInput:
    """Restyle another input from the next block: `spec` in vcam.inspec's canonical form (`none`, `camera:0`,
    `file:/path/clip.mp4` …), opened by whoever applies it."""

    spec: str
    op: ClassVar[str] = "input"

    def to_dict(self) -> dict:
        return {"op": self.op, "spec": self.spec}


@dataclass(frozen=True)
class SetTransition:
    """The number of blocks later prompt changes blend in over."""

    blocks: int
    op: ClassVar[str] = "transition"

    def to_dict(self) -> dict:
        return {"op": self.op, "blocks": self.blocks}


@dataclass(frozen=True)
class Reset:
    """Start the stream over from a fresh first block."""

    op: ClassVar[str] = "reset"

    def to_dict(self) -> dict:
        return {"op": self.op}


@dataclass(frozen=True)
class SetScreen:
    """freeze, blackout or live: the outputs' side shows it; the stream goes on as it was."""

    mode: str
    op: ClassVar[str] = "screen"

    def to_dict(self) -> dict:
        return {"op": self.op, "mode": self.mode}


@dataclass(frozen=True)
class SetTempo:
    """The show's beat grid as it moved (bpm, tap, OSC, a MIDI clock, Link), in beats a minute, and the beat it
    was at when the frame logged with it came on screen (its phase; None in logs written before vcam kept it);
    `running` False: a stopped transport, the beat stands still. Logged so that a replay has the grid; the stream
    leaves it alone, the replay hands it to the show's tempo."""

    bpm: float
    beat: float | None = None
    running: bool = True
    op: ClassVar[str] = "tempo"

    def to_dict(self) -> dict:
        d: dict = {"op": self.op, "bpm": self.bpm}
        if self.beat is not None:
            d["beat"] = self.beat
        if not self.running:
            d["running"] = False
        return d


@dataclass(frozen=True)
class Quit:
    """Stop the show (logged; a replay ends where its log ends instead)."""

    op: ClassVar[str] = "quit"

    def to_dict(self) -> dict:
        return {"op": self.op}


StreamAction = Union[SetPrompts, SetSeed, SetSteps, SetTransition, Reset, SetStrength, SetBias, SetInput]
Action = Union[StreamAction, SetScreen, SetTempo, Quit]
STREAM_ACTIONS = (SetPrompts, SetSeed, SetSteps, SetTransition, Reset, SetStrength, SetBias, SetInput)
# Opens an input by its spec for the stream: a frame source, or None for `none` (vcam.live.inputs.InputSwitch.open)
InputOpener = Callable[[str], Any]


class InputBusy(Exception):
    """An InputOpener that cannot open the input now without waiting (a command is checking a camera): the input
    on air stays, and the change is tried again before the next block. The stream's thread never waits for it: a
    camera that takes seconds to answer a check would freeze the show."""


@dataclass(frozen=True)
class Origin:
    """Where an action came from: the command's text and its source (stdin, midi, net …, reload), for the log."""

    command: str
    source: str


def apply(stream: Any, action: Action, open_input: InputOpener | None = None) -> None:
    """Applies `action` to a stream (anything with `set_prompt`, `set_seed`, `steps`, `settings.transition`,
    `reset`, `strength`, `bias` and `set_input`). An input is opened by `open_input`; without one only `none` (text
    only) can be set. The screen's, the tempo's and quit's actions leave the stream alone: others act on them."""
    if isinstance(action, SetPrompts):
        stream.set_prompt(dict(action.prompts), transition=action.transition)
    elif isinstance(action, SetSeed):
        stream.set_seed(action.seed)
    elif isinstance(action, SetSteps):
        stream.steps = action.steps
    elif isinstance(action, SetTransition):
        stream.settings.transition = action.blocks
    elif isinstance(action, Reset):
        stream.reset()
    elif isinstance(action, SetStrength):
        stream.strength = action.value
    elif isinstance(action, SetBias):
        stream.bias = action.value
    elif isinstance(action, SetInput):
        if open_input is not None:
            stream.set_input(open_input(action.spec))
        elif action.spec == "none":
            stream.set_input(None)
        else:
            raise ValueError(f"input {action.spec}: nothing here opens inputs (no input opener was given)")
    elif not isinstance(action, (SetScreen, SetTempo, Quit)):
        raise TypeError(f"not an action: {action!r}")


def prompts_of(action: Action) -> list[str]:
    """The prompt texts an action puts on air (to encode ahead); none for most actions."""
    return list(action.prompts) if isinstance(action, SetPrompts) else []


# --- the dict form --------------------------------------------------------------------------------------------

def _whole(d: dict, key: str, lo: int, hi: int) -> int:
    value = d.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{d.get('op')}: {key} must be a whole number, not {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{d.get('op')}: {key} {value} is out of range ({lo} to {hi})")
    return value


def _finite(number: int | float) -> bool:
    try:
        return math.isfinite(number)
    except OverflowError:  # an integer past any float (json reads 400 digits as one), which float() refuses too
        return False


def _prompts(d: dict) -> SetPrompts:
    prompts = d.get("prompts")
    if not isinstance(prompts, dict) or not prompts:
        raise ValueError(f"prompt: prompts must be a non-empty mapping of text to weight, not {prompts!r}")
    for text, weight in prompts.items():
        if not text.strip():  # the stream refuses it at its block, after a render has begun
            raise ValueError("prompt: a prompt's text must not be empty")
        if blank_prompt(text):  # `&nbsp;`: no words to the text encoder, as `prompt &nbsp;` typed is refused
            raise ValueError(f"prompt: {blank_said(text)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)):
            raise ValueError(f"prompt: the weight of {quoted(clipped(text, 41))} must be a number, not {weight!r}")
        if not weight >= 0:  # NaN too: the stream refuses it at the block, after a render has begun
            raise ValueError(f"prompt: the weight of {quoted(clipped(text, 41))} must be 0 or more, not {weight!r}")
        if not _finite(weight):  # json reads 1e999 as infinity, which the stream's blend makes NaN
            raise ValueError(f"prompt: the weight of {quoted(clipped(text, 41))} must be a finite number, not "
                             f"{clipped(repr(weight), 21)}")
    if sum(prompts.values()) <= 0:
        raise ValueError("prompt: the weights add up to 0; one of them must be above 0")
    return SetPrompts({text: float(w) for text, w in prompts.items()}, _whole(d, "transition", 0, MAX_TRANSITION))


def _screen(d: dict) -> SetScreen:
    if d.get("mode") not in SCREEN_MODES:
        raise ValueError(f"screen: mode must be one of {', '.join(SCREEN_MODES)}, not {d.get('mode')!r}")
    return SetScreen(d["mode"])


def _strength(d: dict) -> SetStrength:
    value = d.get("strength")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"strength: strength must be a number from 0 to 1, not {value!r}")
    try:
        return SetStrength(check_strength(value))
    except ValueError as e:
        raise ValueError(f"strength: {e}") from None


def _bias(d: dict) -> SetBias:
    value = d.get("bias")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"bias: bias must be a number above 0 and at most 1, not {value!r}")
    try:
        return SetBias(check_bias(value))
    except ValueError as e:
        raise ValueError(f"bias: {e}") from None


def _tempo(d: dict) -> SetTempo:
    value = d.get("bpm")
    # a clock's tempo is not the bpm command's: MIDI clock and Link go wider, as vcam.control.midiclock takes them
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not MIN_CLOCK_BPM <= value <= MAX_CLOCK_BPM:
        raise ValueError(f"tempo: bpm must be a number from {MIN_CLOCK_BPM:g} to {MAX_CLOCK_BPM:g}, not {value!r}")
    beat, running = d.get("beat"), d.get("running", True)
    if "beat" in d and (isinstance(beat, bool) or not isinstance(beat, (int, float)) or not math.isfinite(beat)):
        raise ValueError(f"tempo: beat must be a number (the beat the grid was at), not {beat!r}")
    if not isinstance(running, bool):
        raise ValueError(f"tempo: running must be true or false, not {running!r}")
    return SetTempo(float(value), float(beat) if beat is not None else None, running)


def _input(d: dict) -> SetInput:
    spec = d.get("spec")
    if not isinstance(spec, str):
        raise ValueError(f"input: spec must be text such as 'camera' or 'file:clip.mp4', not {spec!r}")
    try:
        return SetInput(str(parse_input(spec)))
    except ValueError as e:
        raise ValueError(f"input: {e}") from None


# op → (the fields it has, how its dict becomes the action); the bounds are those the command parser allows
_FROM_DICT: dict[str, tuple[tuple[str, ...], Callable[[dict], Action]]] = {
    "prompt": (("prompts", "transition"), _prompts),
    "seed": (("seed",), lambda d: SetSeed(_whole(d, "seed", 0, MAX_SEED))),
    "steps": (("steps",), lambda d: SetSteps(_whole(d, "steps", 1, 50))),
    "transition": (("blocks",), lambda d: SetTransition(_whole(d, "blocks", 0, MAX_TRANSITION))),
    "reset": ((), lambda d: Reset()),
    "strength": (("strength",), _strength),
    "bias": (("bias",), _bias),
    "input": (("spec",), _input),
    "screen": (("mode",), _screen),
    "tempo": (("bpm",), _tempo),
    "quit": ((), lambda d: Quit()),
}
_OPTIONAL = {"tempo": ("beat", "running")}  # fields a newer log has and an older one lacks


def from_dict(d: object) -> Action:
    """The action a logged `apply` dict stands for; ValueError saying what is wrong with it otherwise."""
    if not isinstance(d, dict):
        raise ValueError(f"an action is a mapping with an 'op', not {type(d).__name__}")
    op = d.get("op")
    if not isinstance(op, str):  # a list there was a TypeError (unhashable), a traceback; none read as a newer action
        raise ValueError(f"an action's op must be its name (one of {', '.join(_FROM_DICT)}), not {op!r}")
    if op not in _FROM_DICT:
        raise ValueError(f"unknown action {op!r}; known: {', '.join(_FROM_DICT)}")
    fields, make = _FROM_DICT[op]
    missing = [f for f in fields if f not in d]
    if missing:
        raise ValueError(f"{op}: missing {', '.join(missing)}")
    extra = sorted(set(d) - set(fields) - set(_OPTIONAL.get(op, ())) - {"op"})
    if extra:
        raise ValueError(f"{op}: unknown field {', '.join(map(str, extra))}")
    return make(d)
