"""`vcam midi learn`: tells knobs from buttons by what they send, and says the mapping line to paste for each.

A button sends one value when pressed and 0 when released (127 then 0 on most controllers); a knob or fader
sends a run of neighbouring values. A control is said once its kind is clear, and again if more of it changes
the verdict; one that went quiet undecided (a single message) gets a guess. A 14-bit knob is one line, not one per
CC it sends: a pair (its coarse CC 0-31 straight before its fine CC + 32), or an NRPN (CC 99/98, then 6/38).
"""
from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vcam.control.midi import (NO_MIDI, PRESSED, input_names, is_loopback, message_text, name_meant, readable,
                               stable_name)
from vcam.control.midiinput import MidiInput
from vcam.control.midimap import FINE, midi_flag
from vcam.errors import VcamError

if TYPE_CHECKING:
    import mido

QUIET = 1.0  # seconds without a message after which an undecided control gets its guess said
# CCs that MIDI reserves for (N)RPN: a parameter picked by number (99/98, 101/100), its value sent on data entry
# (6/38) or stepped (96/97). An NRPN is one knob spread over four CCs, each of which would look like a knob or a
# button of its own, and data entry is every such control's: it is said as the nrpn it is. An RPN is a setting of an
# instrument (its pitch bend range), which no map reads.
SELECTS = {99: "NRPN", 98: "NRPN", 101: "RPN", 100: "RPN"}
DATA = (6, 38, 96, 97)
# what a wheel, a touch strip or a key's pressure sends, which no map reads
UNMAPPABLE = {"pitchwheel": "pitch bend", "aftertouch": "channel pressure (aftertouch)",
              "polytouch": "key pressure (polyphonic aftertouch)"}
MAP_READS = "CCs, NRPNs, notes and program changes"  # what a map's controls are, said where a control is none
PAIRED = 2  # times a coarse CC (0-31) came straight before its fine half (+32) for the two to be one 14-bit control


def learn_line(msg, kind: str | None = None) -> str | None:
    """The mapping line to paste for a message seen in `vcam midi learn`; for a CC, `kind` says whether the control
    showed itself a "knob" or a "button" (None: a guess from one value, which could be either)."""
    ch = f", channel: {msg.channel + 1}" if hasattr(msg, "channel") else ""
    if msg.type == "control_change":
        if kind == "button":
            # a button set to toggle shows itself the same way, a press and the next: it acts on every other
            return (f"- {{cc: {msg.control}, command: next{ch}}}    # a button (a value when pressed, 0 when "
                    "released; one set to toggle on the controller takes toggle: true)")
        if kind == "knob":
            return f"{_knob_entry(msg)}    # a knob or fader"
        if msg.value == 127:
            return (f"- {{cc: {msg.control}, command: next{ch}}}    # a button? one value (127) so far; "
                    f"a knob or fader takes param: blend")
        return (f"{_knob_entry(msg)}    # a knob? one value ({msg.value}) so far; "
                f"a button (127 then 0) takes command: next")
    if msg.type == "note_on" and msg.velocity > 0:
        return f"- {{note: {msg.note}, command: next{ch}}}    # a pad or key"
    if msg.type == "program_change":
        # the number as sent, from 0 (as the message beside it shows it), said with the preset it selects: beside a
        # channel counted from 1 it read as counted from 1 too, a preset off
        return (f"- {{program: presets{ch}}}    # program change: program={msg.program} selects preset "
                f"{msg.program + 1} (program N, counted from 0 as MIDI sends it, selects preset N+1)")
    return None


def _knob_entry(msg) -> str:
    """The mapping entry for control change `msg` as a knob's: it sets the blend."""
    ch = f", channel: {msg.channel + 1}" if hasattr(msg, "channel") else ""
    return f"- {{cc: {msg.control}, param: blend{ch}}}"


@dataclass
class _Control:
    values: set[int] = field(default_factory=set)
    last: int | None = None
    before: int | None = None  # the value before `last`
    soft: int | None = None  # a press under PRESSED that a button's shape followed (then 0, or itself again)
    at: float = 0.0
    kind: str | None = None  # "knob", "button" or None while undecided
    said: str | None = None  # the kind said last ("guess" for a guess)
    # a press straight after a 0 as its first shape: a button's, or a fader's pushed fast from 0, which its next value
    # tells apart; its button line waits for that, but never past another line, so the lines keep their order
    kept: bool = False


def _kind(seen: _Control, value: int) -> str | None:
    """The kind `seen` shows once `value` is added to it."""
    if seen.kind == "knob" or len((seen.values | {value}) - {0}) >= 2:
        return "knob"  # two different non-zero values: only a knob or fader sends those
    prev = seen.last
    if prev is not None and max(prev, value) >= PRESSED and (min(prev, value) == 0 or prev == value):
        return "button"  # pressed then released (or pressed again, the release lost): nothing between
    return seen.kind


def _waits(seen: _Control) -> bool:
    return seen.kept or (seen.kind is None and seen.said is None)


class Learner:
    """Messages in, lines to print out; `now` is the caller's clock."""

    def __init__(self) -> None:
        self._cc: dict[tuple, _Control] = {}
        self._msg: dict[tuple, object] = {}  # the last message of each control, for its line
        self._said: set[tuple] = set()  # notes and program changes said
        self._selected: dict[int, list] = {}  # channel -> ["NRPN" or "RPN", number's coarse, number's fine]
        self._nrpn: dict[tuple, _Control] = {}  # (channel, number) -> its data entry's coarse values seen
        self._last: dict[int, int] = {}  # channel -> the CC that came last on it
        self._paired: dict[tuple, int] = {}  # (channel, coarse CC) -> times its fine half came straight after it
        self._fine: dict[tuple, set[int]] = {}  # (channel, coarse CC) -> its fine half's values seen
        self._held: set[tuple] = set()  # (channel, note) of the keys and pads held down, whose pressure is their own

    def feed(self, msg, now: float) -> list[str]:
        if not hasattr(msg, "channel"):
            # MIDI clock (24 a beat), start/stop, song position, active sensing, sysex: no control's, and a fader's
            # values come between them, which said a fader pushed fast from 0 a button at the beat, then a knob
            return self._learn_one(msg, now)
        key = (msg.channel, msg.control) if msg.type == "control_change" else None
        kept = [self._say_kept(k) for k, seen in self._cc.items() if seen.kept and k != key]
        return kept + self._learn_one(msg, now)

    def waiting(self, msg: mido.Message | None = None) -> bool:
        """Whether a control waits on its next value to be said for what it is, not guessed: a press kept
        (_Control.kept), or a single value so far; any, or `msg`'s control."""
        if msg is None:
            return any(_waits(seen) for seen in self._cc.values())
        seen = self._cc.get((msg.channel, msg.control)) if msg.type == "control_change" else None
        return seen is not None and _waits(seen)

    def _say_kept(self, key: tuple) -> str:
        """The button line kept back for `key` (_Control.kept), said now."""
        seen = self._cc[key]
        seen.kept, seen.kind, seen.said = False, "button", "button"
        return _show(self._msg[key], learn_line(self._msg[key], "button"))

    def _learn_one(self, msg, now: float) -> list[str]:
        if msg.type in ("note_on", "note_off"):
            pressed = msg.type == "note_on" and msg.velocity > 0
            (self._held.add if pressed else self._held.discard)((msg.channel, msg.note))
        if msg.type in UNMAPPABLE:
            return self._unmappable(msg)
        if msg.type == "control_change" and (msg.control in SELECTS or
                                             (msg.control in DATA and msg.channel in self._selected)):
            return self._parameter_number(msg)
        if msg.type != "control_change":
            key = (msg.type, getattr(msg, "channel", None), getattr(msg, "note", None))
            line = learn_line(msg)
            if line is None or not self._first(key):
                return []
            return [_show(msg, line)]
        last, self._last[msg.channel] = self._last.get(msg.channel), msg.control
        if last is not None and last < FINE and msg.control != last + FINE:
            # a 14-bit pair's coarse half comes with its fine half straight after: a knob on CC n and one on
            # CC n + 32 (a MIDImix's) turned one after the other are two knobs
            self._paired.pop((msg.channel, last), None)
        if (paired := self._pair(msg, last)) is not None:
            return paired
        key = (msg.channel, msg.control)
        seen = self._cc.setdefault(key, _Control())
        kind = _kind(seen, msg.value)
        prev, before = seen.last, seen.before
        if prev and prev < PRESSED and msg.value in (0, prev):
            seen.soft = prev
        seen.values.add(msg.value)
        seen.kept = kind == "button" and seen.kind is None and seen.said is None and prev == 0
        if seen.kept:
            kind = None
        seen.last, seen.before, seen.at, seen.kind = msg.value, prev, now, kind
        self._msg[key] = msg
        if kind is None or kind == seen.said:
            return []
        seen.said = kind
        line = learn_line(msg, kind)
        if kind == "knob" and before and prev == 0 and msg.value:
            # a value, 0, another: a velocity-sensitive pad's hits look so, each its own strength, and as a knob
            # the pad would move the blend
            line += f" ({before}, 0, then {msg.value}: if those were a pad's hits, {_SOFT})"
        return [_show(msg, line)]

    def _pair(self, msg, last: int | None) -> list[str] | None:
        """A 14-bit knob's half: its coarse CC (0-31) followed straight by its fine one (CC + 32), which a 7-bit
        line would map as two knobs, the coarse one stepping and its fine one jumping through each step. None for
        a CC that is not (yet) seen as one."""
        coarse = msg.control - FINE if FINE <= msg.control < 2 * FINE else msg.control
        pair = (msg.channel, coarse)
        said = ("14-bit", pair) in self._said
        if msg.control == coarse or said:
            # the coarse half of one moved slowly repeats its value, which alone would read as a button's
            suspected = self._paired.get(pair, 0) and self._fine.get(pair, set()) - {0, 127}
            return [] if said or suspected else None
        if last == coarse:
            self._paired[pair] = self._paired.get(pair, 0) + 1
        values = self._fine.setdefault(pair, set())
        values.add(msg.value)
        # a button on CC + 32 pressed straight after the knob on CC (a nanoKONTROL2's S button under its fader)
        # sends 127 and 0 alone
        if self._paired.get(pair, 0) < PAIRED or not values - {0, 127}:
            return None
        self._said.add(("14-bit", pair))
        for half in (coarse, msg.control):  # no guess is said for either half
            self._cc.setdefault((msg.channel, half), _Control()).said = "14-bit"
        ch = f", channel: {msg.channel + 1}"
        return [_show(msg, f"- {{cc: {coarse}, bits: 14, param: blend{ch}}}    # a 14-bit knob or fader (coarse "
                           f"on CC {coarse}, fine on CC {msg.control}): in place of any line above for either")]

    def _parameter_number(self, msg) -> list[str]:
        """A control that sends (N)RPN: an NRPN said once its value came (bits: 7 where its value has come on CC 6
        alone, and again once a fine half shows it to have 14); an RPN said once per channel, with what to do."""
        picked = self._selected.setdefault(msg.channel, [SELECTS.get(msg.control, "NRPN"), None, None])
        if msg.control in SELECTS:
            kind = SELECTS[msg.control]
            if picked[0] != kind:
                picked[:] = [kind, None, None]
            picked[1 if msg.control in (99, 101) else 2] = msg.value
        if picked[0] == "RPN":
            return self._rpn(msg)
        if None in picked[1:]:
            return []
        number = picked[1] << 7 | picked[2]
        if msg.control in (96, 97):
            return self._stepped(msg, number)
        if msg.control not in (6, 38):
            return []
        seen = self._nrpn.setdefault((msg.channel, number), _Control())
        if msg.control == 38:
            kind = "14"
        else:
            seen.values.add(msg.value)
            kind = seen.kind or ("7" if len(seen.values) >= 2 else None)
        if kind is None or kind == seen.kind or seen.kind == "14":
            return []
        seen.kind = kind
        bits = ", bits: 7" if kind == "7" else ""
        return [_show(msg, f"- {{nrpn: {number}{bits}, param: blend, channel: {msg.channel + 1}}}    # an NRPN knob "
                           f"or fader (CC 99/98 its number, CC 6{'' if bits else '/38'} its value)")]

    def _first(self, key: tuple) -> bool:
        """Whether `key` is said for the first time (and is from now on said)."""
        if key in self._said:
            return False
        self._said.add(key)
        return True

    def _stepped(self, msg, number: int) -> list[str]:
        """An NRPN stepped with data increment/decrement, which a map does not read (midifine.Stepped): said once
        per NRPN, with what to set."""
        if not self._first(("stepped", msg.channel, number)):
            return []
        return [_show(msg, f"# NRPN {number} on channel {msg.channel + 1} steps with CC 96/97 (data increment/"
                           "decrement), which a map does not read; set this control to send its value (CC 6/38) in "
                           "the controller's editor and move it again")]

    def _unmappable(self, msg) -> list[str]:
        """A wheel, a touch strip or a key's pressure, which no map reads: said once per kind and channel, where
        nothing at all was printed and the control looked dead."""
        if msg.type != "pitchwheel" and (held := sorted(n for c, n in self._held if c == msg.channel and
                                                        getattr(msg, "note", n) == n)):
            # a pad pressed firmly: "set this control to send a CC" read as if the pad just learnt could not be mapped
            if not self._first((msg.type, msg.channel, "held")):
                return []
            return [_show(msg, f"# {UNMAPPABLE[msg.type]} on channel {msg.channel + 1} from note {held[0]} held down: "
                               f"note {held[0]}'s line above is what a map reads of that key or pad; its pressure is "
                               "not read, and needs nothing set")]
        if not self._first((msg.type, msg.channel)):
            return []
        return [_show(msg, f"# {UNMAPPABLE[msg.type]} on channel {msg.channel + 1}: a map reads {MAP_READS}, not "
                           "this; set this control to send a CC in the controller's editor, or map another")]

    def _rpn(self, msg) -> list[str]:
        if not self._first(("RPN", msg.channel)):
            return []
        return [_show(msg, "# RPN (CC 101/100 pick an instrument setting, CC 6/38 carry its value): a map reads "
                           f"{MAP_READS}; set this control to send one of those in the controller's editor and move "
                           "it again")]

    def due(self, now: float | None = None) -> list[str]:
        """Guesses for the controls left undecided and quiet since QUIET seconds (all of them, without `now`), after
        the kept lines (_Control.kept) of those quiet as long, or of any where a guess is due."""
        quiet = [key for key, seen in self._cc.items() if seen.kind is None and seen.said is None and not seen.kept
                 and (now is None or now - seen.at >= QUIET)]
        kept = [key for key, seen in self._cc.items() if seen.kept]
        if not quiet:
            kept = [key for key in kept if now is None or now - self._cc[key].at >= QUIET]
        # a kept press came after the guessed control's last value: its line goes first, as it did when said at once
        lines = [self._say_kept(key) for key in kept]
        for key in quiet:
            seen = self._cc[key]
            seen.said = "guess"
            msg = self._msg[key]
            if seen.soft is None:
                lines.append(_show(msg, learn_line(msg, None)))
                continue
            # a button's shape under 64: a pad hit softly, or a knob nudged near 0; which is not said, as either
            # sends it, but the pad's hits would not fire
            lines.append(_show(msg, f"{_knob_entry(msg)}    # a knob? it sent {seen.soft} then {msg.value} so "
                                    f"far; if it is a pad or button, {_SOFT}"))
        return lines


# a pad or button whose presses come under PRESSED, which a button never fires on (a knob near 0 sends as much)
_SOFT = (f"it takes command: next, and fires only on a value of {PRESSED} or more: set it to send 127 (momentary "
         "or gate mode, a fixed velocity) in the controller's editor, or hit it harder")


def _show(msg, line: str) -> str:
    return f"{message_text(msg):45s} {line}"


def learnable(msg) -> bool:
    return learn_line(msg) is not None


class Presses:
    """The CC buttons' presses, to tell a button's release from a press of its own in --count. A pad's release
    (note off) counts for nothing: a button's 0 counted as a second control, and --count 2 ended on the first
    button. A 0 straight after that control's own 127 (nothing else from it between) is never counted, however long
    after: a momentary button's release, or a toggle's off-press, so a toggle counts once per on and off. Telling
    the two apart by timing or by what else moved meanwhile guessed wrong (a button held as a shift, a toggle
    flicked fast) and then counted a release, which ended --count before the user's next control; an uncounted
    off-press asks for one press more, the lesser harm."""

    def __init__(self) -> None:
        self._down: set[tuple] = set()  # (channel, control): the last thing it sent was a press

    def released(self, msg: mido.Message) -> bool:
        """Whether `msg` is a 0 straight after its own control's press."""
        if msg.type != "control_change":
            return False
        key = (msg.channel, msg.control)
        if msg.value >= PRESSED:
            self._down.add(key)
            return False
        was_down = key in self._down
        self._down.discard(key)
        return msg.value == 0 and was_down


def default_port(say: Callable[[str], None]) -> str:
    """The first input that is a controller (not a loopback: ALSA's "Midi Through", client 14, listed before any
    controller, macOS's IAC Driver, loopMIDI), by a part of its name that survives a replug: ALSA numbers a
    controller's client anew each time it is plugged in ('nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0' comes back as
    '... 24:0'). Where there are loopbacks alone, the first, which `say` tells is no controller."""
    names = input_names()
    if not names:  # no name was given, so none is said unmatched ("no MIDI input matches ''")
        raise VcamError("no MIDI input here: is the controller plugged in?",
                         "plug it in and run vcam midi learn again, or run vcam midi learn --midi NAME (part of its "
                         "name) to wait for it")
    controllers = [n for n in names if not is_loopback(n)]
    if not controllers:  # listened to unsaid, it waits for knobs that never come
        say(f"no MIDI controller is plugged in: listening on {readable(names[0])}, which passes on only what "
            "another program sends it; plug the controller in and run vcam midi learn again, or run vcam midi "
            "learn --midi NAME (part of its name) to wait for it")
    if len(controllers) > 1:  # listened to unsaid, the other controller's knobs print nothing, with no word why
        # inputs, not controllers: one controller may list two (an APC mini mk2's Control and Notes ports, a
        # Launchpad X's DAW and MIDI ports), which are one controller
        listed = ", ".join(readable(n) for n in controllers)
        say(f"MIDI: {len(controllers)} MIDI inputs are plugged in ({listed}; one controller may have more than one): "
            f"learning from the first, {readable(controllers[0])}; vcam midi learn --midi NAME (part of its name) "
            "learns from another")
    return stable_name((controllers or names)[0])


MOVE = "move a knob or press a button: each control's line comes once it is clear which it is (Ctrl-C to stop)"


def learn_waiting_line(wanted: str, names: list[str]) -> str:
    """What learn says where no input `wanted` names is there: the name typed may be a slip for one that is (said
    with the command that learns from it), or the controller is not plugged in yet (it is waited for)."""
    listed = ", ".join(map(readable, names)) or "none"
    meant = name_meant(wanted, names)
    missing = f"waiting for MIDI input {wanted!r}, which is not plugged in (inputs now: {listed})"
    if meant is not None:
        return (f"{missing}: did you mean {meant!r}? run vcam midi learn {midi_flag(meant)}; else plug it "
                "in, and learning starts when it comes (Ctrl-C to stop)")
    if wanted.strip().lower() == NO_MIDI:  # the show's word for no input: here it waited for an input named so
        return (f"{missing}: --midi none opens no input for vcam run, vcam serve or vcam cam, but vcam midi learn "
                "listens on one: leave --midi out to learn from the first controller, or name one (Ctrl-C to stop)")
    other = ", or run vcam midi learn --midi NAME with part of one of those names" if names else ""
    return f"{missing}: plug it in, and learning starts when it comes (Ctrl-C to stop){other}"


def learn(wanted: str, out: Callable[[str], None], say: Callable[[str], None], count: int | None = None,
          stop: threading.Event | None = None, poll: float = 1.0) -> None:
    """Prints the mapping line of each control touched on the input matching `wanted`, until `count` messages
    or `stop`; a controller not plugged in yet is waited for (as a show waits for it), and an unplugged one
    listened to again when it comes back."""
    inbox: queue.Queue = queue.Queue()
    learner = Learner()
    # no show runs here: "the show goes on" of an unplug read as if something were on air
    midi = MidiInput(wanted, inbox.put, say, poll=poll, unheeded=inbox.put,
                     meanwhile="plug it back in to go on learning; what was learnt stays",
                     # no show file here to name as the input's place
                     waiting=lambda typed, names, _where: learn_waiting_line(typed, names))
    opened = threading.Event()

    def first_open(port: str) -> None:
        # said before an input was there, "move a knob" read as if one were being listened to
        if not opened.is_set():
            opened.set()
            say(MOVE)

    midi.on_opened = first_open
    midi.start()
    seen = 0
    presses = Presses()
    counted: float | None = None  # when --count ran out
    try:
        while not (stop is not None and stop.is_set()):
            if count and seen >= count:
                # the last control counted is said once its next value shows what it is (a knob's next step, a
                # button's release, a fader pushed fast from 0 past its 0 and 127): ended at once, it was guessed
                # from one value, a fader said a button; waited for at most as long as a guess is
                counted = time.monotonic() if counted is None else counted
                if not learner.waiting() or time.monotonic() - counted >= QUIET:
                    break
            try:
                msg = inbox.get(timeout=0.2)
            except queue.Empty:
                for line in learner.due(time.monotonic()):
                    out(line)
                continue
            now = time.monotonic()
            if counted is not None and not learner.waiting(msg):
                continue  # past --count: only what shows a counted control for what it is
            seen += learnable(msg) and not presses.released(msg)  # a wheel is said, not counted (--count)
            # MIDI clock running never leaves the inbox empty for long: what is due is said between its messages
            for line in learner.feed(msg, now) + learner.due(now):
                out(line)
    finally:
        midi.stop()
        for line in learner.due():
            out(line)
