"""`vcam midi learn`: tells knobs from buttons by what they send, and says the mapping line to paste for each.

A button sends one value when pressed and 0 when released (127 then 0 on most controllers); a knob or fader
sends a run of neighbouring values. A control is said once its kind is clear, and again if more of it changes
the verdict; one that went quiet undecided (a single message) gets a guess.
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from vcam.control.midi import PRESSED, MidiInput, input_names, require_port, stable_name

QUIET = 1.0  # seconds without a message after which an undecided control gets its guess said
# CCs that MIDI reserves for (N)RPN: a parameter picked by number (99/98, 101/100), its value sent on data entry
# (6/38) or stepped (96/97). A control set to send these is one parameter spread over four CCs, which a map of plain
# CCs cannot read: each would look like a knob or a button of its own, and data entry is every such control's.
SELECTS = {99: "NRPN", 98: "NRPN", 101: "RPN", 100: "RPN"}
DATA = (6, 38, 96, 97)


def learn_line(msg, kind: str | None = None) -> str | None:
    """The mapping line to paste for a message seen in `vcam midi learn`; for a CC, `kind` says whether the control
    showed itself a "knob" or a "button" (None: a guess from one value, which could be either)."""
    ch = f", channel: {msg.channel + 1}" if hasattr(msg, "channel") else ""
    if msg.type == "control_change":
        if kind == "button":
            return f"- {{cc: {msg.control}, command: next{ch}}}    # a button (a value when pressed, 0 when released)"
        if kind == "knob":
            return f"- {{cc: {msg.control}, param: blend{ch}}}    # a knob or fader"
        if msg.value == 127:
            return (f"- {{cc: {msg.control}, command: next{ch}}}    # a button? one value (127) so far; "
                    f"a knob or fader takes param: blend")
        return (f"- {{cc: {msg.control}, param: blend{ch}}}    # a knob? one value ({msg.value}) so far; "
                f"a button (127 then 0) takes command: next")
    if msg.type == "note_on" and msg.velocity > 0:
        return f"- {{note: {msg.note}, command: next{ch}}}    # a pad or key"
    if msg.type == "program_change":
        return f"- {{program: presets{ch}}}    # program change selects a preset"
    return None


@dataclass
class _Control:
    values: set[int] = field(default_factory=set)
    last: int | None = None
    at: float = 0.0
    kind: str | None = None  # "knob", "button" or None while undecided
    said: str | None = None  # the kind said last ("guess" for a guess)


def _kind(seen: _Control, value: int) -> str | None:
    """The kind `seen` shows once `value` is added to it."""
    if seen.kind == "knob" or len((seen.values | {value}) - {0}) >= 2:
        return "knob"  # two different non-zero values: only a knob or fader sends those
    prev = seen.last
    if prev is not None and max(prev, value) >= PRESSED and (min(prev, value) == 0 or prev == value):
        return "button"  # pressed then released (or pressed again, the release lost): nothing between
    return seen.kind


class Learner:
    """Messages in, lines to print out; `now` is the caller's clock."""

    def __init__(self):
        self._cc: dict[tuple, _Control] = {}
        self._msg: dict[tuple, object] = {}  # the last message of each control, for its line
        self._said: set[tuple] = set()  # notes and program changes said
        self._selected: dict[int, str] = {}  # channel -> "NRPN" or "RPN", once a parameter was picked there

    def feed(self, msg, now: float) -> list[str]:
        if msg.type == "control_change" and (msg.control in SELECTS or
                                             (msg.control in DATA and msg.channel in self._selected)):
            return self._parameter_number(msg)
        if msg.type != "control_change":
            key = (msg.type, getattr(msg, "channel", None), getattr(msg, "note", None))
            line = learn_line(msg)
            if line is None or key in self._said:
                return []
            self._said.add(key)
            return [_show(msg, line)]
        key = (msg.channel, msg.control)
        seen = self._cc.setdefault(key, _Control())
        kind = _kind(seen, msg.value)
        seen.values.add(msg.value)
        seen.last, seen.at, seen.kind = msg.value, now, kind
        self._msg[key] = msg
        if kind is None or kind == seen.said:
            return []
        seen.said = kind
        return [_show(msg, learn_line(msg, kind))]

    def _parameter_number(self, msg) -> list[str]:
        """A control that sends (N)RPN: said once per channel, with what to do, and no line to paste."""
        kind = self._selected[msg.channel] = SELECTS.get(msg.control) or self._selected[msg.channel]
        key = (kind, msg.channel)
        if key in self._said:
            return []
        self._said.add(key)
        pick = "99/98" if kind == "NRPN" else "101/100"
        return [_show(msg, f"# {kind} (CC {pick} pick a parameter, CC 6/38 carry its value): a map reads plain CCs "
                           "and notes; set this control to send a CC or a note in the controller's editor and move "
                           "it again")]

    def due(self, now: float | None = None) -> list[str]:
        """Guesses for the controls left undecided and quiet since QUIET seconds (all of them, without `now`)."""
        lines = []
        for key, seen in self._cc.items():
            if seen.kind is None and seen.said is None and (now is None or now - seen.at >= QUIET):
                seen.said = "guess"
                lines.append(_show(self._msg[key], learn_line(self._msg[key], None)))
        return lines


def _show(msg, line: str) -> str:
    return f"{str(msg):45s} {line}"


def learnable(msg) -> bool:
    return learn_line(msg) is not None


THROUGH = ("midi through", "midi-through")  # ALSA's pass-through client, listed first on most Linux systems


def default_port() -> str:
    """The first input that is a controller (not ALSA's "Midi Through", client 14, listed before any controller),
    by a part of its name that survives a replug: ALSA numbers a controller's client anew each time it is plugged
    in ('nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0' comes back as '... 24:0')."""
    names = input_names()
    if not names:
        require_port("")  # raises, saying there is no input
    controllers = [n for n in names if not n.casefold().startswith(THROUGH)]
    return stable_name((controllers or names)[0])


def learn(wanted: str, out: Callable[[str], None], say: Callable[[str], None], count: int | None = None,
          stop: threading.Event | None = None, poll: float = 1.0) -> None:
    """Prints the mapping line of each control touched on the input matching `wanted`, until `count` messages
    or `stop`; a controller not plugged in yet is waited for (as a show waits for it), and an unplugged one
    listened to again when it comes back."""
    inbox: queue.Queue = queue.Queue()
    learner = Learner()
    midi = MidiInput(wanted, inbox.put, say, poll=poll)
    midi.start()
    say("move a knob or press a button: each control's line comes once it is clear which it is (Ctrl-C to stop)")
    seen = 0
    try:
        while not (stop is not None and stop.is_set()) and not (count and seen >= count):
            try:
                msg = inbox.get(timeout=0.2)
            except queue.Empty:
                for line in learner.due(time.monotonic()):
                    out(line)
                continue
            if learnable(msg):
                seen += 1
                for line in learner.feed(msg, time.monotonic()):
                    out(line)
    finally:
        midi.stop()
        for line in learner.due():
            out(line)
