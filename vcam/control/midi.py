"""MIDI controllers (mido + python-rtmidi): ports found by name, and the router that turns their messages into
commands, knobs to parameters with soft takeover and buttons to commands. A port is named by part of its name, the
whole name winning over a part. The input that watches and reads the port is midiinput.py's.
"""
from __future__ import annotations

import difflib
import os
import re
import sys
import threading
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from vcam.errors import VcamError, install_fix
from vcam.control.commands import Command
from vcam.control.faders import Takeovers
from vcam.control.midifine import RPN_NUMBER, Halves, Moved, Stepped, Unmapped
from vcam.control.midimap import MAPS_DIR, NO_MIDI, NRPN_CCS, PRESSED, Button, Knob, MidiMap, file_line
from vcam.words import counted, nearest

if TYPE_CHECKING:
    from mido import Message  # mido is optional: a machine that only shows frames has none

NO_MIDI = NO_MIDI  # --midi none, read from here by what opens an input: midimap's, as a map's port is read
CLOCK_MESSAGES = ("clock", "start", "stop", "continue", "songpos")  # the tempo's, not the map's


def heeded(msg: Message) -> bool:
    """Whether a map (or `vcam midi learn`) can act on `msg`: a control change, a program change or a key pressed.
    Pitch bend, aftertouch, SysEx, active sensing and key releases act on nothing, and stream while a knob is
    turned (a held key's aftertouch, a wheel): let into the controls' queue, each parted one of the knob's values
    from the next, and a busy show went through every step of the sweep, behind."""
    return msg.type in ("control_change", "program_change") or (msg.type == "note_on" and msg.velocity > 0)


def _entry_for(msg: Message, mapping: MidiMap) -> Knob | Button | None:
    """The entry of `mapping` on the CC or key `msg` is on (a key's press and release alike), on its channel; None
    for another message, or one no entry is on. The one place a message meets its entry: the messages kept while
    vcam starts, the router, and a tap kept then are told apart alike."""
    channel = getattr(msg, "channel", None)
    if msg.type == "control_change":
        return mapping.control(channel, cc=msg.control)
    if msg.type in ("note_on", "note_off"):
        return mapping.control(channel, note=msg.note)
    return None


def acted_on(msg: Message, mapping: MidiMap) -> bool:
    """Whether `mapping` has a control `msg` moves or presses on its channel: a knob (either half of a 14-bit one,
    an NRPN's number and data where an NRPN knob listens), a button, a key, or a program change it reads."""
    channel = getattr(msg, "channel", None)
    if msg.type == "control_change":
        return (_entry_for(msg, mapping) is not None
                or msg.control in NRPN_CCS + RPN_NUMBER and mapping.reads_nrpn(channel))
    if msg.type == "note_on":
        return msg.velocity > 0 and _entry_for(msg, mapping) is not None
    return msg.type == "program_change" and mapping.program_listens(channel)


def message_text(msg: Message) -> str:
    """A MIDI message as vcam shows it: mido's words, its channel counted from 1 as a map's `channel:` and the
    controller's own settings count it (mido's 0 is channel 1: a user copying it set the map a channel off), and
    without mido's time, which is always 0 here."""
    text = re.sub(r"\bchannel=(\d+)", lambda m: f"channel={int(m.group(1)) + 1}", str(msg))
    return re.sub(r" time=\S+$", "", text)


def load_mido() -> ModuleType:
    """The mido module; a VcamError with the install command where MIDI support is not installed (the light
    install for a machine that only shows frames has none)."""
    try:
        import mido
    except ImportError:
        raise VcamError("MIDI support is not installed", install_fix("midi", "mido and python-rtmidi")) from None
    return mido


NO_MIDI_FIX = ("on Linux MIDI needs the ALSA sequencer, /dev/snd/seq: load it (sudo modprobe snd-seq), or in a "
               "container pass the sound devices in (docker run --device /dev/snd); for JACK set "
               "MIDO_BACKEND=mido.backends.rtmidi/UNIX_JACK")


def _alsa_missing(mido, sequencer: str = "/dev/snd/seq") -> bool:
    """Whether rtmidi would go to ALSA on a machine without its sequencer: it fails, and ALSA's C library first
    prints a raw "ALSA lib ... failed" line on the terminal, which vcam cannot catch."""
    return (sys.platform.startswith("linux") and mido.backend.name == "mido.backends.rtmidi"
            and mido.backend.api in (None, "LINUX_ALSA") and not os.path.exists(sequencer))


def unavailable(e: Exception) -> VcamError:
    """MIDI not available at all: why, and how to make it so."""
    return VcamError(f"MIDI is not available on this machine ({e.__class__.__name__}: {e})", NO_MIDI_FIX)


def _rtmidi_errors() -> tuple[type[Exception], ...]:
    """rtmidi's base error, to catch beside OSError and RuntimeError: raised as itself (a system's, a driver's
    error), it is neither, and went by every guard that named those two. None where rtmidi is not installed."""
    try:
        from rtmidi import RtMidiError
    except ImportError:
        return ()
    return (RtMidiError,)


def port_errors() -> tuple[type[Exception], ...]:
    """What a MIDI system's call (a listing, a port's open) raises where the system or the port fails, rather than
    vcam: mido's "unknown port" (an OSError) for a port gone since it was listed, a driver's error, rtmidi's
    InvalidPortError (a ValueError) for a port gone as it was listed, a backend's module missing, rtmidi's base
    error."""
    return (OSError, RuntimeError, ImportError, ValueError, *_rtmidi_errors())


def input_names() -> list[str]:
    """MIDI input port names; VcamError saying why when MIDI is not available at all."""
    mido = load_mido()
    if _alsa_missing(mido):
        raise VcamError("MIDI is not available on this machine (it has no ALSA sequencer: /dev/snd/seq)",
                        NO_MIDI_FIX)
    try:
        return list(mido.get_input_names())
    except (OSError, RuntimeError, ImportError, *_rtmidi_errors()) as e:  # not ValueError: a MIDO_BACKEND mistyped
        raise unavailable(e) from None  # (mido's "unknown API") is no machine's fault, and says so itself


def readable(name: str) -> str:
    """A port's name as its maker wrote it. python-rtmidi decodes CoreMIDI's UTF-8 names as Mac Roman and Windows'
    as Latin-1 ('IACdriver „Éê„Çπ1' for 'IACdriver バス1'): nobody could type that after --midi. A name that
    reads as UTF-8 once encoded back is that; any other is left as it is."""
    for codec in ("mac_roman", "latin-1"):
        try:
            fixed = name.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
        if fixed != name:
            return fixed
    return name


ALSA_NUMBERS = r" (\d+):(\d+)$"  # the client and port numbers ALSA lists after a port's name: '... 20:1'


def _alsa_numbers(name: str) -> tuple[str, str] | None:
    """The ALSA client and port numbers of a listed port ('20', '1' of '... 20:1'); None where it has none."""
    found = re.search(ALSA_NUMBERS, name)
    return (found.group(1), found.group(2)) if found else None


def stable_name(name: str) -> str:
    """A port's name without the client number ALSA gives a controller anew each time it is plugged in
    ('nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0' comes back as '... 24:0'; a2jmidid writes 'a2j:nanoKONTROL2 [20] ...')."""
    return re.sub(rf" \[\d+\]|{ALSA_NUMBERS}", "", name)


def placeless(name: str) -> str:
    """A listed port's name without the place among the inputs that rtmidi puts after every name on Windows
    ('nanoKONTROL2 1' is 'nanoKONTROL2 0' once an input listed before it has gone). Only a listed name has it: a
    typed one ending in a number means that number ('loopMIDI Port 2'), as does a number at the end elsewhere ('IAC
    Driver Bus 2')."""
    return re.sub(r" \d+$", "", name) if sys.platform == "win32" else name


def _port_number(name: str) -> str | None:
    """The port's number within its ALSA client ('1' of '... 20:1'): kept when ALSA numbers the client anew, and
    what tells apart two ports of one controller that share a name."""
    numbers = _alsa_numbers(name)
    return numbers[1] if numbers else None


def renumbered(lost: str, names: list[str]) -> list[str]:
    """The ports of `names` that are `lost` under a client number ALSA gave anew, those with its port number first."""
    alike = [n for n in names if same_port(n) == same_port(lost)]
    return sorted(alike, key=lambda n: _port_number(n) != _port_number(lost))


def same_port(listed: str) -> str:
    """A listed port's name without the numbers that change while it stays the same port: ALSA's client number,
    Windows' place among the inputs."""
    return stable_name(placeless(listed))


def _folded(text: str) -> str:
    """For comparing names: case and Unicode form aside (a name typed as NFC, listed as NFD)."""
    return unicodedata.normalize("NFC", text).casefold()


ALSA_CUT = 31  # ALSA keeps a port's own name to 31 characters: 'APC mini mk2 APC mini mk2 Contr' for '... Control'


def _cut_short(wanted: str, form: str) -> bool:
    """Whether `form` ('client:port N:M', folded) is the port `wanted` names as macOS lists it, its port
    part cut by ALSA: ALSA writes it as the client's name, a space and the name the maker gave the port."""
    client, _, port = form.partition(":")
    port = stable_name(port)
    return len(port) == ALSA_CUT and any(w.startswith(port) for w in (wanted, f"{client} {wanted}"))


def _squeezed(text: str) -> str:
    """A name without its spaces, hyphens and underscores: 'midimix' and 'apc-mini-mk2' (as vcam's maps are named)
    for the 'MIDI Mix' and the 'APC mini mk2' their makers list."""
    return re.sub(r"[\s_-]+", "", text)


def _parts(form: str) -> set[str]:
    """A name ('client:port', folded), its client and its port part, and what follows its first colon."""
    return {p.strip() for p in (form, *form.split(":"), form.partition(":")[2])}


def _rank(wanted: str, name: str) -> int | None:
    """How well `wanted` names the port `name`: 0 the whole name (on Windows without the place rtmidi puts after it),
    1 the name without ALSA's numbers or its client or port part ('Launch Control' for 'Launch Control:Launch Control
    MIDI 1 20:0', not for '... XL'), on Windows the name with its place, or the port's name as macOS lists it where
    ALSA cut it short, 2 the name or part with a client number ALSA has since given anew (copied from `vcam devices`
    before a replug or a reboot: '... 20:1' for '... 24:1'), 3 the same with another port number ('... 20:1' for
    '... 24:0': a renumbering keeps the port's number within the client), 4 the name or a part once spaces, hyphens
    and underscores are left out of both ('launchcontrol' for the 'Launch Control', not the XL), 5 a part of it, 6 a
    part of it once those are left out; None not at all."""
    w = _folded(wanted)
    listed = {name, readable(name)}
    whole = {_folded(placeless(n)) for n in listed}
    if w in whole:
        return 0
    forms = whole | {_folded(n) for n in listed}
    parts = {p for f in forms for p in _parts(f)}
    stable = {stable_name(p) for p in parts}
    # on Windows the whole name with its place ('MIDI Mix 1', to tell two of one make apart) comes after the name
    # without it: 'loopMIDI Port 1' is the port of that name ('loopMIDI Port 1 2'), not 'loopMIDI Port' listed second
    if w in stable or w in parts or any(_cut_short(w, f) for f in forms):
        return 1
    if stable_name(w) != w and stable_name(w).strip() in stable - {""}:
        return 2 if _port_number(w) == _port_number(name) else 3
    # squeezed without the numbers ALSA and Windows add, which would join the port's own ('midi 12' is not 'MIDI 1
    # 20:0')
    bare = {_folded(same_port(n)) for n in listed}
    squeezed = _squeezed(w)
    if squeezed and squeezed in {_squeezed(p) for f in bare for p in _parts(f)}:
        return 4
    if w and any(w in f for f in forms):
        return 5
    return 6 if squeezed and any(squeezed in _squeezed(f) for f in bare) else None


THROUGH = ("midi through", "midi-through")  # ALSA's pass-through client, listed first on most Linux systems


def is_through(name: str) -> bool:
    """Whether `name` is ALSA's Midi Through, which passes on what another program sends it: no controller. Any
    part of the name counts, as a2j lists it behind its own ("a2j:Midi Through [14] (capture): …")."""
    return any(part.strip().startswith(THROUGH) for part in _folded(name).split(":"))


# Ports that hand what is sent to them back to their input (ALSA's Midi Through, macOS's IAC Driver, Windows'
# loopMIDI and LoopBe): a light sent to one comes back in as a press of the button it lights.
LOOPBACKS = ("loopmidi", "loopbe")


class Untold(Exception):
    """Which of the outputs listed is a device's own cannot be told from their names (output_for)."""


def is_loopback(name: str) -> bool:
    """Whether the port `name` hands back what is sent to it (LOOPBACKS, the IAC Driver's buses)."""
    folded = readable(name).casefold()
    # IAC as a word: a localised macOS may put it after another word ("Gestionnaire IAC"), and a maker's name may
    # begin with those letters
    return is_through(name) or any(word in folded for word in LOOPBACKS) or "iac" in re.findall(r"[a-z]+", folded)


def output_for(input_name: str, inputs: list[str], outputs: list[str]) -> str | None:
    """The output port of the device whose input is `input_name`, None where it has none. ALSA and CoreMIDI list
    it under the input's name. Windows puts a port's place in its list after its name, counting inputs and outputs
    apart (inputs 'MIDI Mix 0', 'MIDI Mix 1'; outputs 'GS Wavetable Synth 0', 'MIDI Mix 1', 'MIDI Mix 2'): there the
    Nth input of a name is the Nth output of that name, and where their counts differ, Untold (any pick could light
    another unit of the make, whose pads would then show this show)."""
    bare = placeless(input_name)
    if bare == input_name:
        return input_name if input_name in outputs else None
    ins = [n for n in inputs if placeless(n) == bare]
    outs = [n for n in outputs if placeless(n) == bare]
    if not outs or input_name not in ins:  # no output of its name, or unplugged meanwhile (a replug opens anew)
        return None
    if len(ins) != len(outs):
        raise Untold(f"the inputs list {counted(len(ins), 'port')} and the outputs {counted(len(outs), 'port')} named "
                     f"{readable(bare)!r}, so which output is its own cannot be told; plug in one controller of that "
                     "name at a time for its lights")
    return outs[ins.index(input_name)]


def matching(wanted: str, names: list[str]) -> list[str]:
    """The ports whose name `wanted` names, best first (in listing order among equals). Midi Through is named by a
    part only where the part says "through": 'midi' names it and a controller alike, and the controller is what is
    meant, also when it is plugged in after the show starts (opened on Midi Through, the show would stay there)."""
    ranked = [(r, i, n) for i, n in enumerate(names) if (r := _rank(wanted, n)) is not None
              and not (r >= 4 and is_through(n) and "through" not in _folded(wanted))]
    return [n for *_, n in sorted(ranked)]


# Inputs a machine has with no controller plugged in: ALSA's Midi Through (Linux), the IAC Driver's bus (macOS, once
# enabled). A part of a port's name given to the camera's machine must name none of these: listed first there, the
# one it names would be the port opened.
ALWAYS_THERE = ("Midi Through:Midi Through Port-0 14:0", "IAC Driver Bus 1")


def find_port(wanted: str, names: list[str]) -> str | None:
    """The port `wanted` names best: the whole name before a part of it, case-insensitive; None when none."""
    found = matching(wanted, names)
    return found[0] if found else None


def waiting_line(wanted: str, names: list[str], where: str | None = None) -> str:
    """What is said while no input matches `wanted`: the inputs there are (a typo shows beside them), and where the
    name came from when it is a show file's (`where`)."""
    listed = ", ".join(map(readable, names)) or "none"
    source = f"the midi: port of {where}; " if where else ""
    meant = name_meant(wanted, names)
    # a typo waited for a controller that was there all along, the inputs alone left to read it in
    hint = f", or did you mean {meant!r}?" if meant else ""
    return f"waiting for MIDI input {wanted!r} ({source}inputs now: {listed}); plug it in{hint}"


def name_meant(wanted: str, names: list[str]) -> str | None:
    """The word or name part of a controller's name (not a loopback's) that `wanted` is a slip for (`nanokontrl` for
    nanoKONTROL2, `midimixx` for the 'MIDI Mix', whose words alone are too short to guess from), which names that
    controller; None where none is near. Case, spaces and ALSA's client and port numbers (which change between
    boots) are left out of both."""
    words = {w.casefold(): w for n in names if not is_loopback(n) for w in re.findall(r"[^\W_]+", readable(n))
             if len(w) > 3 and not w.isdigit() and w.casefold() not in ("midi", "port")}
    for n in names:
        if not is_loopback(n):
            bare = same_port(readable(n))
            for part in {bare, *bare.split(":")}:
                words.setdefault(_squeezed(_folded(part)), part.strip())
    typed = _squeezed(_folded(stable_name(wanted.strip())))
    near = nearest(typed, [w for w in words if w], cutoff=0.75)
    if not near or typed == near or _another_model(typed, near) or _another_model(typed, words[near]):
        return None
    return words[near] if find_port(words[near], names) else None


def _another_model(typed: str, word: str) -> bool:
    """Whether `typed` names another model of the make whose name has `word`: the word with a model's number or
    word after it (nanokontrol2 beside a nanoKONTROL Studio, keystep37 beside a KeyStep Pro, minilab3 beside a
    MiniLab mkII, launchpadx beside a Launchpad Mini), or a model number other than the word's (nanokontrl2 beside a
    nanoKONTROL Studio). Such a controller, not plugged in yet, was said to be a slip for the one plugged in. A
    letter typed twice (midimixx) is a slip."""
    parts = re.findall(r"[^\W_]+", _folded(word))
    for i in range(1, len(parts)):  # the make's word typed whole, then another model's word after it
        head, rest = "".join(parts[:i]), "".join(parts[i:])
        if typed.startswith(head) and typed != head + rest and \
                difflib.SequenceMatcher(None, typed[len(head):], rest).ratio() < 0.6:
            return True
    word = "".join(parts)
    stem = word.rstrip("0123456789")
    extra = typed[len(stem):]
    doubled = bool(stem) and extra == stem[-1] * len(extra)
    numbered = re.search(r"\d+$", typed)
    return (typed.startswith(stem) and len(typed) > len(stem) and typed != word and not doubled) or \
        (numbered is not None and not word.endswith(numbered.group()))


def others_named(wanted: str, port: str, names: list[str]) -> str | None:
    """What to say when `wanted` names other inputs as well as it names `port`, the one opened; None when it does
    not (a second controller of the same make, a nanoKONTROL2 and a nanoKONTROL Studio)."""
    best = _rank(wanted, port)
    alike = [n for n in matching(wanted, names) if n != port and _rank(wanted, n) == best]
    if not alike:
        return None
    others = ", ".join(repr(readable(n)) for n in alike)
    # ports that share the name but for their numbers (ALSA cut both to the same 31 characters, two controllers
    # of one make on Windows): no more of the name tells them apart
    twins = all(same_port(n) == same_port(port) for n in alike)
    how = ("give the whole name of the one you mean, its numbers too" if twins
           else "give more of the name of the one you mean")
    return (f"MIDI: {wanted!r} also names {others}; listening on {readable(port)!r} only ({how}; vcam devices "
            "lists them)")


APC_MK2 = "apc mini mk2"


def notes_port(port: str, names: list[str]) -> str | None:
    """The Notes port of the APC mini mk2 whose Control port is `port`, where it is listed: in Note or Drum mode the
    pads send there, not on the port opened. On ALSA its ports share the client number ('... Contr 20:0', '...
    Notes 20:1'); Windows names it 'MIDIIN2 (APC mini mk2)'."""
    def client(name: str) -> str | None:
        numbers = _alsa_numbers(name)
        return numbers[0] if numbers else None

    if APC_MK2 not in _folded(port) or _is_notes(port):
        return None
    return next((n for n in names if n != port and APC_MK2 in _folded(n) and _is_notes(n)
                 and client(n) == client(port)), None)


def _is_notes(name: str) -> bool:
    return any(word in _folded(name) for word in ("notes", "midiin2"))


def notes_line(notes: str) -> str:
    """What is said once where an APC mini mk2's Control port is opened beside its Notes port (notes_port)."""
    return (f"MIDI: the APC mini mk2's pads in Note or Drum mode send on its Notes port, {readable(notes)}, which vcam "
            "does not read (it reads the Control port, where the faders and the pads in Session mode send): keep the "
            "APC in Session mode, its default, for the map's pads")


class Turned(str):
    """The router's reply to a knob's move: MidiInput holds such lines back as a sweep goes on, and lets a newer value
    of a control that answered so take the place of one still waiting. `knob`: the physical control, where it sends
    its value in halves (a 14-bit knob's: one line for both, and its halves kept in their order); `part`: "whole",
    or the "coarse" or "fine" half it came as."""

    knob: tuple | None = None
    part: str = "whole"

    @classmethod
    def of(cls, reply: str, knob: tuple | None = None, part: str = "whole") -> "Turned":
        turned = cls(reply)
        turned.knob, turned.part = knob, part
        return turned


class Unheard(str):
    """The router's answer to a message that no control of its map is on (a CC, key or program change mapped to
    nothing): empty, so nothing is said (but once, where the map has that control on another channel), and MidiInput
    lets that control's messages wait without parting a knob's flood, as acting on them in any order does nothing."""


UNHEARD = Unheard()


def _unheard() -> Unheard:
    return UNHEARD


def off_channel_line(what: str, channel: int, listens: set[int | None], entry: Knob | Button | None = None) -> str:
    """What is said of a control that came on `channel` (0-based) where the map has it on `listens` only: the knob
    or button did nothing, and the controller's channel setting is the usual cause (one set to send on channel 2,
    a map written for channel 1); but a controller may send one control on two channels on purpose (a push of an
    encoder), hence the if. `entry`: the map's entry on it, whose file and line are where the channel is changed:
    in a show built on a shipped map, the show's own `channel:` moves only the show's controls."""
    mapped = sorted(c + 1 for c in listens if c is not None)
    on = " or ".join(map(str, mapped))
    known = entry is not None and bool(entry.where[0])
    at = f" ({file_line(entry)})" if known else ""
    if known and Path(entry.where[0]).resolve().parent == Path(MAPS_DIR).resolve():  # vcam's own: an update rewrites
        change = (f"copy {Path(entry.where[0]).name} beside the show, give it channel: {channel + 1}, and name the "
                  "copy in the show's map:")
    else:
        change = (f"give it channel: {channel + 1} {'there' if known else 'in the map'} (or no channel, to hear every "
                  "one)")
    return (f"MIDI: {what} came on channel {channel + 1}, but the map listens for it on channel {on} only{at}, so it "
            f"does nothing; if it is meant to act, set the controller to send on channel {mapped[0]}, or {change}")


def program_line(program: int, mapping: MidiMap) -> str:
    """What is said of the first program change on `mapping`, which reads none: where to add the entry that would
    read it. A shipped map is vcam's own, which an update rewrites: the line goes in the show's own section."""
    shipped = sorted({Path(e.where[0]).name for e in mapping.knobs + mapping.buttons
                      if e.where[0] and Path(e.where[0]).resolve().parent == Path(MAPS_DIR).resolve()})
    if shipped:
        where = (f"the show's midi: controls: beside its map: {Path(shipped[0]).stem}, not to {shipped[0]}, vcam's "
                 "own, which an update rewrites")
    else:
        where = "the map's controls"
    return (f"MIDI: a program change came (program={program}), which the map does nothing with: to select the show's "
            f"presets with it, add - {{program: presets}} to {where} (program N selects preset N+1)")


class MidiRouter:
    """Turns MIDI messages into commands and parameter changes through a MidiMap, with soft takeover; MIDI clock
    (clock, start, stop, continue, song position) goes to `clock` (a vcam.control.midiclock.MidiClock), if any.
    A 14-bit knob's halves are put together as they come (midifine.py)."""

    def __init__(self, mapping: MidiMap, controller, say: Callable[[str], None] = lambda s: None, clock=None) -> None:
        self.on_remap: Callable[[], None] = lambda: None  # told when a map that differs replaces the one in force
        self._mapping = mapping
        self.controller = controller
        self.say = say
        self.clock = clock
        self._takeovers = self._fresh_takeovers()
        self._halves = Halves()
        self._button_prev: dict[tuple, int] = {}
        self._stepped: set[tuple] = set()  # the NRPN knobs said to be stepped (CC 96/97), by channel and number
        self._off_channel: set[tuple] = set()  # (a channel, the channels the map has a control on) said to differ
        self._program_said = False  # a program change said to do nothing, where the map reads none
        # The router's own state (the takeovers, the buttons) is weighed and changed under `_lock` alone, never held
        # while a command runs: a command may wait long (vcam cam's send behind a stalled upload, a preset behind
        # the controller's lock), and a replug's reset (forget_buttons, on the port watch, which a stop waits for)
        # must not wait for it. `_order` takes one message at a time through both, so commands run one at a time
        # in the order their messages came, each weighed against the state its predecessors left.
        self._lock = threading.Lock()
        self._order = threading.Lock()

    @property
    def mapping(self) -> MidiMap:
        return self._mapping

    @mapping.setter
    def mapping(self, mapping: MidiMap) -> None:
        """A reloaded map put in force (a show or map file saved on air). Told after it is in force: a message
        taken out of an input's inbox after the word is weighed by the new map, so what it answers is learnt."""
        changed = mapping != self._mapping  # a save that changed no control keeps what the inbox learnt
        self._mapping = mapping
        with self._lock:
            self._halves.interrupted()  # a fine half heard before the reload may be of a knob it moved
        if changed:
            self._program_said = False
            self.on_remap()

    def _fresh_takeovers(self) -> Takeovers:
        return Takeovers(self.controller, "midi")  # each knob by its cc on its channel, as mapped

    def handle(self, msg) -> str | None:
        """Returns the controller's reply (or None when the message changes nothing); a knob's is a Turned, and
        UNHEARD where no control of the map is on the message's."""
        if msg.type in CLOCK_MESSAGES:  # up to 120 a second: no reply, and not behind a knob's command
            if self.clock is not None:
                self.clock.handle(msg)
            return None
        with self._order:
            with self._lock:
                command = self._weigh(msg)
            return command() if command is not None else None

    def _weigh(self, msg) -> Callable[[], str | None] | None:
        """The command `msg` gives, to run once the lock is let go (None: none), with the router's state moved on
        as `msg` moves it."""
        channel = getattr(msg, "channel", None)
        mapping = self.mapping  # read once: a reload on the show watcher's thread may replace it meanwhile
        if msg.type != "control_change":
            self._halves.interrupted()  # a fine half waits for the coarse half straight after it alone
        if msg.type == "control_change":
            moved = self._halves.feed(mapping, channel, msg.control, msg.value)
            if isinstance(moved, Unmapped):  # moved, driving no fader: picked up anew if a map gives it back
                self._takeovers.forget(lambda control: control == moved.control)
                moved = moved if moved.read else None
            if isinstance(moved, Stepped):
                return self._step_said(moved)
            if moved is not None:
                return self._fine(moved) if isinstance(moved, Moved) else None
            entry = _entry_for(msg, mapping)
            if isinstance(entry, Knob):
                value = entry.value(msg.value)
                if not self._takeovers.of((channel, msg.control), entry).weigh(entry, value):
                    return None
                return partial(self._turned, entry, value)
            self._takeovers.forget(lambda control: control == (channel, msg.control))  # moved, driving no fader
            if entry is not None:
                pressed = self._cc_pressed(entry, channel, msg.control, msg.value)
                return partial(self._pressed, entry, f"cc {msg.control}") if pressed else None
            if msg.control in NRPN_CCS and self._halves.picks_rpn(channel):
                return _unheard  # an RPN's value (a keyboard's pitch-bend range at power-up), for no NRPN knob
            what = f"cc {msg.control}" + (" (an NRPN's number or value)" if msg.control in NRPN_CCS else "")
            return self._said_unheard_on(what, channel, mapping.entries_on(cc=msg.control))
        elif msg.type == "note_on" and msg.velocity > 0:
            entry = _entry_for(msg, mapping)
            if entry is not None:
                return partial(self._pressed, entry, f"note {msg.note}")
            return self._said_unheard_on(f"note {msg.note}", channel, mapping.entries_on(note=msg.note))
        elif msg.type == "program_change":
            if not mapping.program_channels and not self._program_said:
                # a foot controller's or a pad's program changes did nothing without a word, the map reading none
                self._program_said = True
                line = Unheard(program_line(msg.program, mapping))
                return lambda: line
            if not mapping.program_listens(channel):
                return self._said_unheard("a program change", channel, set(mapping.program_channels))
            return partial(self._program, msg.program)
        return None

    def _pressed(self, entry: Button, what: str) -> str | None:
        """A button's command carried out; one the show refuses said with the control that sent it and its map line:
        a map file's row of preset buttons may run past the show's presets, and "no preset 5" alone names no button."""
        reply = self.controller.apply(entry.command, "midi")
        if not (reply or "").startswith("error: "):  # vcam cam's: None where it has nothing to say
            return reply
        at = f", {file_line(entry)}" if entry.where[0] else ""
        return f"error: MIDI {what} ({entry.command}{at}): {reply.removeprefix('error: ')}"

    def _program(self, program: int) -> str | None:
        """A program change's preset selected; one past the show's presets said with the program it came as: a DAW
        counting programs from 1 sent 7 for its seventh, and "no preset 8" did not say why 8."""
        reply = self.controller.apply(Command("preset", (program + 1,)), "midi")
        if not (reply or "").startswith("error: "):  # vcam cam's: None where it has nothing to say
            return reply
        return (f"error: MIDI program change {program} selects preset {program + 1} (program N, counted from 0 as "
                f"MIDI sends it, selects preset N+1): {reply.removeprefix('error: ')}")

    def _said_unheard(self, what: str, channel: int | None, listens: set[int | None],
                      entry: Knob | Button | None = None) -> Callable[[], Unheard]:
        """The answer to a message no control of the map is on: UNHEARD, said where the map has that control on other
        channels only (`listens`; `entry`: the map's entry on it), once for each channel it came on and
        channels it is mapped on (a map saved on air that moves them says it again): a controller set to the wrong
        channel is said once, not for every knob and button."""
        key = (channel, frozenset(listens))
        if channel is None or not listens or None in listens or key in self._off_channel:
            return _unheard
        self._off_channel.add(key)
        line = Unheard(off_channel_line(what, channel, listens, entry))
        return lambda: line

    def _said_unheard_on(self, what: str, channel: int | None, entries: list) -> Callable[[], Unheard]:
        """_said_unheard for a control the map has `entries` on."""
        return self._said_unheard(what, channel, {e.channel for e in entries}, entries[0] if entries else None)

    def _fine(self, moved: Moved) -> Callable[[], str | None] | None:
        """A 14-bit knob's move, weighed by the takeover of the physical control (both its halves, or its NRPN)."""
        knob, value = moved.knob, moved.knob.value(moved.value)
        if not self._takeovers.of(moved.control, knob).weigh(knob, value):
            return None
        return partial(self._turned, knob, value, moved.control, "coarse" if moved.coarse else "fine")

    def _step_said(self, stepped: Stepped) -> Callable[[], str] | None:
        """What is said, once, of an NRPN knob stepped with CC 96/97 (midifine.Stepped)."""
        key = (stepped.channel, stepped.knob.nrpn)
        if key in self._stepped:
            return None
        self._stepped.add(key)
        channel = f" on channel {stepped.channel + 1}" if stepped.channel is not None else ""
        line = (f"MIDI: {stepped.knob.named} ({stepped.knob.param}){channel} is stepped with CC 96/97 (data increment/"
                "decrement), which vcam does not read; set the controller to send this knob's value on CC 6/38 "
                "(data entry)")
        return lambda: line

    def _cc_pressed(self, entry: Button, channel: int | None, cc: int, value: int) -> bool:
        """Whether CC `cc` at `value` presses `entry`, the button's state moved on (under `_lock`)."""
        key = ("cc", channel, cc)
        prev = self._button_prev.get(key, 0)
        # A button sends the same value on every press: seen again, it was pressed again and its release was lost.
        # A knob used as a button fires once as it passes the middle. A button the controller toggles sends one
        # message a press, 127 then 0: each is a press.
        pressed = entry.toggle or value >= PRESSED and (prev < PRESSED or value == prev)
        self._button_prev[key] = value
        return pressed

    def tap_press(self, msg: Message) -> bool | None:
        """Whether `msg` presses (True) a button the map makes `tap`, counted as acting on it counts a press (a
        fader swept on its CC presses it once), or does not (False); None where it is on no such button. A tap's
        meaning is its timing: one kept while vcam started is not acted on later (EarlyInput)."""
        entry = _entry_for(msg, self.mapping)
        if not isinstance(entry, Button) or entry.command.name != "tap":
            return None
        if msg.type == "control_change":
            with self._lock:
                return self._cc_pressed(entry, getattr(msg, "channel", None), msg.control, msg.value)
        return entry.toggle or msg.type == "note_on" and msg.velocity > 0

    def forget_buttons(self) -> None:
        """After a reconnect: what the controller did while unplugged was lost. No button counts as held (its
        release was lost), and every knob is picked up again (soft takeover): it may have been moved meanwhile,
        or it is a spare unit, and its first move must not make the picture jump. A command in hand meanwhile
        runs on: its message came before the unplug."""
        with self._lock:
            self._button_prev.clear()
            self._takeovers = self._fresh_takeovers()
            self._halves.forget()

    def _turned(self, knob: Knob, value: float, control: tuple | None = None, part: str = "whole") -> Turned | None:
        reply = self.controller.set_param(knob.param, value, "midi", between=knob.between)
        return Turned.of(reply, control, part) if reply is not None else None
