"""What a knob or fader drives, whichever way it comes in (a MIDI CC, an OSC fader): a parameter over a range,
through a curve, picked up with soft takeover. MIDI maps (midimap.py) and OSC maps (oscmap.py) share it."""
from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol

from yaml.nodes import SequenceNode

from vcam.control.commands import name_key
from vcam.control.yamlcheck import INVALID, Reader
from vcam.words import plain, quoted

# Continuous parameters a knob can drive, with their full range and whether they are whole numbers.
PARAMS: dict[str, tuple[float, float, bool]] = {
    "blend": (0.0, 1.0, False),
    "transition": (0.0, 32.0, True),
    "steps": (1.0, 8.0, True),
    "seed": (0.0, 1_000_000.0, True),
    "strength": (0.0, 1.0, False),  # how much of the input survives (1 = text only)
    "bias": (0.05, 1.0, False),  # Krea's attention bias on the past frames (1 = off); 0 itself is no value
}
CURVES = ("linear", "exp", "log")
PICKS = ("preset", "presets", "prompt", "prompts")  # what a knob is written to pick, which it cannot
FADER_KEYS = ("param", "range", "curve", "between")  # the keys of a map entry that describe the parameter

TAKEOVER_WINDOW = 0.04  # a knob within 4 % of its range of the parameter's value picks it up
IN_FLIGHT = 256  # values a knob may have sent before the first comes back (two full sweeps of a fader)


def scaled(param: str, lo: float, hi: float, curve: str, x: float) -> float:
    """The value of `param` for a control at position x (0 to 1, clamped) through the curve: from lo at 0 to hi
    at 1, a whole number where the parameter is one."""
    x = min(max(x, 0.0), 1.0)
    if curve == "exp":
        x = (math.exp(3 * x) - 1) / (math.exp(3) - 1)
    elif curve == "log":
        x = math.log1p((math.exp(3) - 1) * x) / 3
    v = lo + (hi - lo) * x
    return float(round(v)) if PARAMS[param][2] else v


def read_fader(r: Reader, e: dict, what: str,
               own: str | None = None) -> tuple[str, float, float, str, tuple | None] | None:
    """(param, low, high, curve, between) from a map entry's keys; None (with the problems recorded in `r`) when
    the parameter cannot be read. `own`: the entry's keys that name its control (`cc: 16, channel: 2`), for a
    button offered in its place; None where no button can be on that control."""
    written = str(getattr(e["param"], "value", "")).strip().lower()
    if written in PICKS:
        # a knob to go through the presets, told only the parameters it can drive: which of them does that was
        # left to guess
        program = "" if "address" in e else ", and program change N picks preset N+1 (program: presets)"  # OSC's
        r.error(e["param"], f"{what} param: a knob or fader does not pick a {written.rstrip('s')}: it blends the one "
                            "on air into the next (param: blend, or between: [A, B] for two of them); a button picks "
                            f"one (command: preset 2, or next){program}")
        return None
    param = r.choice(e["param"], f"{what} param", tuple(PARAMS))
    if param is None:
        return None
    lo, hi, _ = PARAMS[param]
    if "range" in e:
        items = e["range"].value if isinstance(e["range"], SequenceNode) else None
        if items is not None and len(items) == 2:
            # each end within the parameter's own; a fraction for a whole-number parameter is said by
            # _whole_range, which offers a range for both ends
            a = r.number(items[0], f"{what} range start", lo, hi)
            b = r.number(items[1], f"{what} range end", lo, hi)
            ok = a is not None and b is not None and _whole_range(r, e["range"], what, param, a, b)  # or said
            if ok and a == b:
                # every position gave that one value: a knob that moved nothing, unsaid
                # with the entry's own control: a command alone named no control, and was refused when pasted
                button = "" if param == "blend" or own is None else \
                    f", or a button for the one value: {{{own}, command: {param} {plain(a)}}}"
                r.error(e["range"], f"{what} range [{plain(a)}, {plain(b)}] gives {param} {plain(a)} wherever the "
                                    f"control is; give two different ends{button}")
            elif ok:
                lo, hi = a, b
        else:
            r.error(e["range"], f"{what} range must be [low, high], e.g. [{plain(lo)}, {plain(hi)}]")
    curve = r.choice(e["curve"], f"{what} curve", CURVES) if "curve" in e else "linear"
    between = None
    if "between" in e:
        if param != "blend":
            r.error(e["between"], f"{what}: between is only for param: blend")
        items = e["between"].value if isinstance(e["between"], SequenceNode) else None
        if items is not None and len(items) == 2:
            between = _between(r, e["between"], tuple(r.value(n, f"{what} between") for n in items), what)
        else:
            r.error(e["between"], f"{what} between must list two presets, e.g. [neon city, forest]")
        if param != "blend":
            between = None  # said above: no preset check should speak of it again
    return param, lo, hi, curve or "linear", between


def _whole_range(r: Reader, node, what: str, param: str, a: float, b: float) -> bool:
    """Whether a range's ends are whole numbers where its parameter takes only those; a fraction is refused (said)
    with the range rounded outwards beside it: the knob's values are rounded, so [1.5, 4] for steps never gave 1
    and gave 2 from its bottom, unsaid. Outwards, as the nearest whole numbers to each end could meet ([1, 1.5]
    offered [1, 1], refused in turn for its equal ends)."""
    if not PARAMS[param][2] or (a.is_integer() and b.is_integer()):
        return True
    low, high = (math.floor, math.ceil) if a <= b else (math.ceil, math.floor)
    r.error(node, f"{what} range [{plain(a)}, {plain(b)}]: {param} takes whole numbers only; write "
                  f"[{plain(low(a))}, {plain(high(b))}]")
    return False


def _between(r: Reader, node, ends: tuple, what: str) -> tuple | None:
    """A blend's two presets as written, or None where one could not be read (said already) or both name the
    same preset alike (said here): a blend of a preset with itself is no blend, and the controller refuses it on
    every move. A number and a name of the same preset take the show's presets to tell (midirefs.py and
    oscmap.py check them)."""
    if any(end is INVALID for end in ends):
        return None
    a, b = ends
    same = (isinstance(a, str) and isinstance(b, str) and name_key(a) == name_key(b)) or \
        (_number(a) and _number(b) and a == b)
    if not same:
        return ends
    shown = f"preset {a}" if _number(a) else quoted(a)
    aside = f" (as {quoted(a)} and {quoted(b)})" if a != b else ""
    r.error(node, f"{what} between names {shown} twice{aside}; a blend moves between two different presets: name "
                  "another at one end")
    return None


def _number(ref) -> bool:
    """Whether a preset reference is a preset's number (YAML reads yes as a bool, which is an int too)."""
    return isinstance(ref, int) and not isinstance(ref, bool)


def param_value(state, param: str) -> float:
    """A parameter's value in a show's state (a Controller's, or the one vcam cam mirrors): the blend's position,
    0 where no blend is on."""
    if param == "blend":
        return state.blend[2] if state.blend else 0.0
    return float(getattr(state, param))


class StateTrail:
    """Every value each knob parameter took in a state that arrives late (vcam cam's mirror of the server's), in
    order, numbered: soft takeover weighs each one, not only the newest. A knob's quick move followed by another
    change (a preset chosen: the blend back at 0, where the move began) was otherwise taken for the move's own
    first value coming back. Thread-safe: the link's thread adds, the controls' threads read."""

    def __init__(self, keep: int = 2 * 256):
        self._lock = threading.Lock()
        self._heard = 0
        self._values: dict[str, deque[tuple[int, float]]] = {p: deque(maxlen=keep) for p in PARAMS}

    def heard(self, state) -> None:
        """A state arrived: each parameter that changed is added."""
        with self._lock:
            self._heard += 1
            for param, values in self._values.items():
                try:
                    value = param_value(state, param)
                except (TypeError, ValueError, IndexError):  # a state the server garbled: nothing to weigh
                    continue
                if not values or values[-1][1] != value:
                    values.append((self._heard, value))

    def since(self, param: str, mark: int | None) -> tuple[list[float], int]:
        """The values `param` took in the states heard after `mark` (None: the newest only), oldest first, and the
        mark to ask from next time."""
        with self._lock:
            values = self._values[param]
            if mark is None:
                return [v for _, v in values][-1:], self._heard
            return [v for n, v in values if n > mark], self._heard


class Fader(Protocol):
    """A MIDI knob or an OSC fader, as soft takeover sees it."""

    param: str
    lo: float
    hi: float
    curve: str
    between: tuple | None


class Takeovers:
    """One soft takeover per physical control (a knob's channel and cc, a fader's address and argument) as mapped,
    made at its first move: two controls on one parameter are picked up each by itself and let go in turn."""

    def __init__(self, controller, source: str):
        self.controller = controller
        self.source = source
        self._of: dict[tuple, tuple[tuple, Takeover]] = {}  # a control → what it drove last, and its takeover

    def of(self, control: tuple, fader: Fader) -> Takeover:
        """The takeover of `control` driving `fader` (a map binds a control to one fader at a time), made anew when
        a reloaded map gives the control another range, parameter, curve or blend: the old pick-up let its first
        move jump the parameter to where the new mapping puts the control. Replaced, not kept beside: a map
        reloaded back to the first mapping finds the control moved elsewhere under the second."""
        mapped = (fader.param, fader.lo, fader.hi, fader.curve, repr(fader.between))  # hashable whatever
        held = self._of.get(control)
        if held is None or held[0] != mapped:
            held = self._of[control] = (mapped, Takeover(self.controller, self.source))
        return held[1]

    def forget(self, which: Callable[[tuple], bool]) -> None:
        """The takeovers of the controls `which` picks dropped: a message of one that drives no fader now (a
        reloaded map took it out or made it a button) says it moved, and a map that gives it back its fader as
        it was must have it picked up anew, where its first move jumped the parameter to wherever it was left."""
        for control in [c for c in self._of if which(c)]:
            del self._of[control]


class Takeover:
    """Soft takeover: a knob moves its parameter only once it has met the parameter's value (come within
    TAKEOVER_WINDOW of it, or crossed it), so a knob left elsewhere does not make the picture jump. Something else
    moving the parameter (a typed command, another control, another operator) lets go of the knob again.

    `controller` is the show's Controller, or vcam cam's RemoteController whose state arrives late from the server.
    Not thread-safe by itself: its router calls it under a lock of its own."""

    def __init__(self, controller, source: str):
        self.controller = controller
        self.source = source
        self._picked: dict[str, bool] = {}
        self._sent: dict[str, deque[float]] = {}  # values this knob set and may still see reported back
        self._base: dict[str, float] = {}  # the value each knob was picked up against, until the state moves on
        self._prev: dict[str, float] = {}
        self._marks: dict[str, int] = {}  # where in the controller's `trail` each parameter was last read

    def current(self, param: str) -> float:
        return param_value(self.controller.state, param)

    def _heard(self, param: str) -> list[float]:
        """The values the parameter took since the last turn, oldest first, the current one last: a state that
        arrives late (vcam cam's) keeps them all (`trail`); a local one is only ever the current one."""
        current = self.current(param)
        trail: StateTrail | None = getattr(self.controller, "trail", None)
        if trail is None:
            return [current]
        values, self._marks[param] = trail.since(param, self._marks.get(param))
        return values if values and values[-1] == current else [*values, current]

    def turn(self, fader: Fader, value: float) -> str | None:
        """The controller's reply to the knob moved to `value` (the parameter's), or None when it is not picked up
        yet or changes nothing."""
        if not self.weigh(fader, value):
            return None
        return self.controller.set_param(fader.param, value, self.source, between=fader.between)

    def weigh(self, fader: Fader, value: float) -> bool:
        """Whether the knob moved to `value` sets its parameter, the takeover's state moved on as if it did. Apart
        from the change itself, which may wait long (sent over a network): a MIDI router weighs under its lock and
        sets after letting it go, so that a replug resetting the takeovers never waits behind a slow change."""
        param = fader.param
        heard = self._heard(param)
        current = heard[-1]
        sent = self._sent.setdefault(param, deque(maxlen=IN_FLIGHT))
        whole = PARAMS[param][2]
        for seen in heard if sent else ():
            if _own_echo(seen, sent, whole):
                self._base.pop(param, None)  # the state has caught up: the value picked against is gone for good
            elif not _same(seen, self._base.get(param), whole):
                self._picked[param] = False  # something else moved the parameter: pick it up again
        prev = self._prev.get(param)
        self._prev[param] = value
        if not self._picked.get(param, False):
            lo, hi = sorted((fader.lo, fader.hi))
            target = min(max(current, lo), hi)  # a value the knob cannot reach is met at the knob's nearest end
            near = abs(value - target) <= TAKEOVER_WINDOW * (hi - lo)
            crossed = prev is not None and (prev - target) * (value - target) <= 0
            if not (near or crossed):
                return False
            self._picked[param] = True
            # Until the first answer comes back, a remote state still shows the value picked against: not a change.
            self._base[param] = current
            sent.clear()
        elif value == sent[-1]:
            return False  # a whole-number knob gives the same value over several positions
        sent.append(value)
        return True


def _same(a: float, b: float | None, whole: bool) -> bool:
    # blend positions travel as text with 6 significant digits
    return b is not None and (a == b or (not whole and math.isclose(a, b, rel_tol=1e-5, abs_tol=1e-9)))


def _own_echo(current: float, sent: deque[float], whole: bool) -> bool:
    """Whether `current` is a value the knob set, reported back late (a `vcam cam` client mirrors the server's
    state, which arrives after the knob has moved on). The server answers in order, so the values sent before
    the one seen will not come back and are forgotten."""
    for i, v in enumerate(sent):
        if _same(current, v, whole):
            for _ in range(i):
                sent.popleft()
            return True
    return False
