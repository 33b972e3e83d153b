"""MIDI mappings: which knob moves which parameter, which button sends which command.

Written in a show's `midi:` section or in a map file (`presets/midi/*.yaml`) with the same keys (but `port:` and
`map:`, a show's alone):

    controls:
      - {cc: 16, param: transition, range: [0, 12]}     # a knob or fader
      - {cc: 0, param: blend, between: [neon city, forest], curve: linear}
      - {cc: 19, param: strength}                       # how much of the video in survives, 0 to 1
      - {cc: 1, bits: 14, param: blend}                 # a 14-bit fader: coarse on CC 1, fine on CC 33
      - {nrpn: 1234, param: transition, range: [0, 12]} # a 14-bit NRPN knob (CC 99/98 its number, CC 6/38 its value)
      - {cc: 41, command: next}                         # a button that sends CC 127 then 0
      - {cc: 42, command: next, toggle: true}           # a button set to toggle: 127 one press, 0 the next
      - {note: 36, command: "preset 1"}                 # a pad or key
      - {program: presets}                              # program change N -> preset N+1
      - {note: 112, command: freeze, light: {velocity: 1, channel: 1}}  # its LED: note-on 1 on channel 1
    channel: 1  (per entry or for the whole map; 1-16 as in every MIDI UI; default: any channel)
    light: {velocity: 127}  (per button, or at the top for the buttons written here without one (a show's, not those
           of the map file it builds on): how the controller lights a button's LED, a note-on (a cc for a button on a
           cc) of that velocity, on `channel` or the button's own (channel 1 for one on any); none: no light)

A button with a light is lit on the controller (midileds.py) while what it does is on air: its preset, its screen
mode (freeze, blackout, live); every other is dark.

A 14-bit knob moves over 16384 steps, not 128: a CC pair (`bits: 14` on cc 0-31, whose fine half is cc + 32, as
MIDI 1.0 pairs them) or an NRPN (`nrpn: 0-16383`; `bits: 7` for one whose value comes on CC 6 alone). How their
halves are put together is midifine.py's.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from vcam.control.commands import Command, read_command
from vcam.control.faders import read_fader, scaled
from vcam.control.linesource import found_beside
from vcam.control.mapfiles import SHOW_WORDS, CommandWords, MapFiles, map_named_in
from vcam.control.showpaths import whole_command
from vcam.control.yamlcheck import INVALID, Reader
from vcam.control.yamlproblems import ConfigError, in_line_order
from vcam.control.yamlwrite import flow_yaml
from vcam.words import counted, listed, shell_word


NO_MIDI = "none"  # --midi none: no input, not even a show's own (a controller missing at the venue)
FINE = 32  # a 14-bit CC's fine half is its coarse CC + 32 (coarse on CC 0-31), as MIDI 1.0 pairs them
TOP = {7: 127, 14: 16383}  # a control's highest value by its bits
PRESSED = 64  # a CC value at or above which a button counts as pressed
UNLIT = ("off", "false", "no", "0", "none", "null")  # a light: written to mean none
# an NRPN's number (99 coarse, 98 fine), then its value (data entry: 6 coarse, 38 fine) or its steps (96 up, 97 down)
NRPN_CCS = (99, 98, 6, 38, 96, 97)


@dataclass(frozen=True)
class Knob:
    cc: int | None  # the CC it moves on (a 14-bit pair's coarse half); None for an NRPN
    param: str
    lo: float
    hi: float
    curve: str = "linear"
    channel: int | None = None  # 0-based, None = any
    between: tuple[str | int, str | int] | None = None  # blend: the two presets
    where: tuple[str, int] = field(default=("", 0), compare=False)  # the file and line it is written on
    bits: int = 7  # 14: its value comes in two halves (a CC pair, an NRPN's data entry), 0..16383
    nrpn: int | None = None  # the NRPN it moves on, where it is one

    def value(self, midi_value: int) -> float:
        """The parameter value for a control value (0..127, or 0..16383 for a 14-bit knob), through the curve."""
        top = TOP[self.bits]
        return scaled(self.param, self.lo, self.hi, self.curve, max(0, min(top, midi_value)) / top)

    @property
    def fine_cc(self) -> int | None:
        """The CC of a 14-bit pair's fine half."""
        return self.cc + FINE if self.cc is not None and self.bits == 14 else None

    @property
    def named(self) -> str:
        """How messages name it: `cc 16`, `cc 1 (14-bit)`, `nrpn 1234`."""
        if self.nrpn is not None:
            return f"nrpn {self.nrpn}"
        return f"cc {self.cc}" + (" (14-bit)" if self.bits == 14 else "")


@dataclass(frozen=True)
class Light:
    """How a button's LED is lit: a note-on (a control change, for a button on a cc) of `velocity` on `channel`
    (0-based; None: the button's own), and darkened with 0."""

    velocity: int
    channel: int | None = None


@dataclass(frozen=True)
class Button:
    command: Command
    cc: int | None = None
    note: int | None = None
    channel: int | None = None
    where: tuple[str, int] = field(default=("", 0), compare=False)  # the file and line it is written on
    # a button the controller toggles (`toggle: true`): 127 on one press, 0 on the next, so every message is a press
    toggle: bool = False
    light: Light | None = None  # how its LED is lit; None: it has none vcam lights


@dataclass(frozen=True)
class MidiMap:
    name: str = ""
    knobs: tuple[Knob, ...] = ()
    buttons: tuple[Button, ...] = ()
    program_channels: tuple[int | None, ...] = ()  # one per `program: presets` entry (0-based, None = any)
    # how many of the knobs and of the buttons come from the map file a show's section names: the show's own come
    # after them and win on a control both bind, else a show's entry on a control its map file uses would be dead
    inherited: tuple[int, int] = (0, 0)
    light: Light | None = None  # the map's `light:`, which its buttons without their own take
    # what a map file reads and plays but does nothing as written, at its line: the show that builds on it, or the run
    # given it by --midi-map, says it (a show's own section's notes are the show's)
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def program_to_preset(self) -> bool:
        return bool(self.program_channels)

    def program_listens(self, channel: int | None) -> bool:
        """Whether a program change on `channel` selects a preset."""
        return any(c is None or c == channel for c in self.program_channels)

    def merged(self, other: "MidiMap") -> "MidiMap":
        """This map (a map file) with `other`'s entries (a show's own) added: on a control both bind, `other`'s. The
        show's own `name:` names it where it gives one, as an osc: section's does (`vcam check` says it)."""
        return MidiMap(other.name or self.name, self.knobs + other.knobs, self.buttons + other.buttons,
                       self.program_channels + other.program_channels, (len(self.knobs), len(self.buttons)),
                       other.light or self.light)

    def acting(self) -> tuple[tuple[Knob, ...], tuple[Button, ...]]:
        """The knobs and buttons that can drive something: a map file's entry that one of the show's own takes on
        every channel it listens on is left out, so a summary counts what a controller has, not what was written."""
        k, b = self.inherited
        own = self.knobs[k:] + self.buttons[b:]

        def shadowed(e: Knob | Button) -> bool:
            return any(_same_control(o, e) and (o.channel is None or o.channel == e.channel) for o in own)

        return (self.knobs[k:] + tuple(e for e in self.knobs[:k] if not shadowed(e)),
                self.buttons[b:] + tuple(e for e in self.buttons[:b] if not shadowed(e)))

    def maps_something(self) -> bool:
        """Whether the map binds a control: a show's midi: section with only a port:, a channel: or a name: binds
        none (a MIDI clock's tempo is all its input gives)."""
        knobs, buttons = self.acting()
        return bool(knobs or buttons or self.program_channels)

    @property
    def knobs_counted(self) -> str:
        """The knobs that can drive something, counted, and how many of them move in 14 bits (`vcam check`)."""
        knobs = self.acting()[0]
        fine = sum(k.bits == 14 for k in knobs)
        return counted(len(knobs), "knob") + (f" ({fine} of them 14-bit)" if fine else "")

    def control(self, channel: int | None, cc: int | None = None, note: int | None = None) -> Knob | Button | None:
        """The entry a control change (`cc`, either half of a 14-bit pair) or a note on `channel` drives: the show's
        own entries before those of the map file they build on, and within each the one written first."""
        return self._first(channel, lambda e: (cc is not None and cc in _ccs(e)) or
                           (note is not None and getattr(e, "note", None) == note))

    def nrpn_knob(self, channel: int | None, number: int) -> Knob | None:
        """The knob NRPN `number` on `channel` moves."""
        found = self._first(channel, lambda e: getattr(e, "nrpn", None) == number)
        return found if isinstance(found, Knob) else None

    def entries_on(self, cc: int | None = None, note: int | None = None) -> list[Knob | Button]:
        """The entries on `cc` (either half of a 14-bit pair, or one an NRPN knob takes) or `note`, whatever their
        channel."""
        nrpn = cc in NRPN_CCS
        return [e for e in self.knobs + self.buttons
                if (cc is not None and cc in _ccs(e)) or (note is not None and getattr(e, "note", None) == note)
                or (nrpn and getattr(e, "nrpn", None) is not None)]

    def reads_nrpn(self, channel: int | None) -> bool:
        """Whether an NRPN knob listens on `channel`: its CC 99/98/6/38/96/97 are then the NRPN's, not controls'
        own."""
        return self._first(channel, lambda e: getattr(e, "nrpn", None) is not None) is not None

    def _first(self, channel: int | None, matches: Callable[[Knob | Button], bool]) -> Knob | Button | None:
        k, b = self.inherited
        for entries in (self.knobs[k:] + self.buttons[b:], self.knobs[:k] + self.buttons[:b]):
            found = [e for e in entries if (e.channel is None or e.channel == channel) and matches(e)]
            # Two entries of one list match a message only where one on its channel was written before one on any
            # channel (read_map refuses the rest): the first written acts there, as that check promises, knob or
            # button. Taking knobs before buttons left a button on channel 2 above a knob on any channel dead.
            if found:
                return next((e for e in found if e.channel is not None), found[0])
        return None


def _same_control(a: Knob | Button, b: Knob | Button) -> bool:
    """Whether two entries bind the same cc (either half of a 14-bit pair), the same note (a knob has none) or the
    same NRPN (a button has none)."""
    ccs_a, ccs_b = _ccs(a) - {None}, _ccs(b) - {None}
    note_a, note_b = getattr(a, "note", None), getattr(b, "note", None)
    nrpn_a, nrpn_b = getattr(a, "nrpn", None), getattr(b, "nrpn", None)
    return bool(ccs_a & ccs_b) or (note_a is not None and note_a == note_b) or (nrpn_a is not None and nrpn_a == nrpn_b)


def _ccs(e: Knob | Button) -> set[int | None]:
    return {e.cc, getattr(e, "fine_cc", None)}


FILE_KEYS = ("name", "port", "channel", "controls", "light")  # a map file's own; a show's midi: names a map: too
LIGHT_KEYS = ("velocity", "channel")
ENTRY_KEYS = ("cc", "note", "program", "param", "command", "range", "curve", "channel", "between", "nrpn", "bits",
              "toggle", "light")
KNOB_KEYS = ("range", "curve", "between")  # what shapes a knob's value, read on no button


def read_map(r: Reader, node, where: str, base: Path | None, in_map_file: bool = False,
             whole_paths: bool = True) -> tuple[MidiMap, str | None]:
    """A map from a `midi:` section or map file node; returns (map, port) and records problems in `r`. Only a
    show's section may build on a map file (`map:`): a map file naming one could name itself, without end.
    `base`: the folder of the file `node` is in, where a button's `input file:`/`image:` is found and made whole
    (`whole_paths`; else left as written, for commands run on another machine, which finds them there)."""
    # a show's midi: has a file's keys and map:, named after port: where an unknown key's line lists them
    keys = r.mapping(node, where, FILE_KEYS if in_map_file else FILE_KEYS[:2] + ("map",) + FILE_KEYS[2:])
    channel = _channel(r, keys.get("channel"), where)
    name = r.string(keys["name"], f"{where} name") if "name" in keys else ""
    port = _port(r, keys["port"], where, in_map_file) if "port" in keys else None
    result = _built_on(r, keys["map"], where, base) if "map" in keys else MidiMap(name or "")
    light = _light(r, keys["light"], where) if "light" in keys else result.light  # else as its map file's light
    knobs, buttons, programs = [], [], []
    taken = _Taken()
    cc_uses: list[tuple] = []  # (what, entry, its ccs, channel) of each control on a cc
    # (whose NRPN, said so, and its channel) of each NRPN knob: the map file's, whose CCs a show's own entry cannot
    # take (the router reads CC 6 as the NRPN's wherever one listens), and this list's
    nrpn_uses = [(f"the NRPN ({k.nrpn}) of {file_line(k)}, the map file this builds on", k.channel)
                 for k in result.knobs if k.nrpn is not None]
    entries = r.sequence(keys["controls"], f"{where} controls") if "controls" in keys else []
    for i, entry in enumerate(entries):
        what = f"{where} control {i + 1}"
        at = (r.path, entry.start_mark.line + 1)
        if not isinstance(entry, MappingNode):  # `- cc 16 blend`: said once, with the form, not again as keys missing
            r.error(entry, f"{what} must be a mapping of key: value lines: {{cc: 16, param: blend}} (a knob), "
                           "{cc: 41, command: next} (a button), {note: 36, command: preset 1} (a pad)")
            continue
        e = r.mapping(entry, what, ENTRY_KEYS)
        if len(e) < len(entry.value):  # a key misspelt or given twice, said as such: what it lacks follows from it
            continue
        ch = _channel(r, e.get("channel"), what, _left_out(channel)) if "channel" in e else channel
        kinds = [k for k in ("cc", "note", "nrpn", "program") if k in e]
        if len(kinds) != 1:
            r.error(entry, f"{what}: give exactly one of cc, note, nrpn or program")
            continue
        kind = kinds[0]
        if "program" in e:
            if _check_program(r, entry, e, what, taken, ch, i + 1):
                programs += [] if _program_built_on(r, entry, what, result, ch) else [ch]
            continue
        # the text as written, not r.value's: a tag it refuses (!!int abc) was said twice, once as a bare 'value:'
        if kind == "note" and (named := note_named(getattr(e["note"], "value", None))) is not None:
            r.error(e["note"], f"{what} note: {named}")
            continue
        number = r.integer(e[kind], f"{what} {kind}", 0, TOP[14] if kind == "nrpn" else 127)
        bits = _bits(r, e, what, kind, number)
        if bits is None:
            continue
        if number is not None and (clash := _clash(taken, kind, number, bits, ch, i + 1)) is not None:
            _clash_said(r, entry, entries[clash[0] - 1], what, clash, f"{kind} {number}", ch)
            continue
        found = _control(r, entry, e, what, kind, number, bits, ch, at, base if whole_paths else None, light)
        if isinstance(found, Knob):
            knobs.append(found)
            if found.nrpn is not None:
                nrpn_uses.append((f"control {i + 1}'s NRPN ({found.nrpn})", ch))
            else:
                cc_uses.append((what, entry, tuple(c for c in (found.cc, found.fine_cc) if c is not None), ch))
            _check_built_on_taken(r, entry, what, found, result)
        elif isinstance(found, Button):
            buttons.append(found)
            if found.cc is not None:
                cc_uses.append((what, entry, (found.cc,), ch))
    _check_nrpn_ccs(r, cc_uses, nrpn_uses)
    _channel_unused(r, keys, where, channel, result, bool(knobs or buttons or programs))
    return result.merged(MidiMap(name or "", tuple(knobs), tuple(buttons), tuple(programs),
                                 light=light if "light" in keys else None)), port


# what a show's `port:` is written as where no input is meant, as `--midi none` says it: each waited for an input of
# that name all show (none, 'off'), or was told to quote the word (off, no, null), which did the same
NO_PORT = ("none", "no", "off", "false", "null", "~", "")


def _port(r: Reader, node, where: str, in_map_file: bool) -> str | None:
    """A section's `port:`; None where it is refused (said), as a map file's is, or names no input (noted): refused,
    it stopped a show whose every run gives --midi PORT, which opens its input over the show's port."""
    if not in_map_file and isinstance(node, ScalarNode) and node.value.strip().lower() in NO_PORT:
        written = f"port: {node.value.strip()} names no MIDI input" if node.value.strip() else "port is empty"
        r.note(r.path, node.start_mark.line + 1,
               f"{where} {written}, so it opens none; to open no input, take port: out of the section, else give "
               "the controller's name (vcam devices lists the inputs)")
        return None
    port = r.string(node, f"{where} port")
    if in_map_file and port:  # read, it was dropped unsaid, and the show played on with no controller open
        # a show's section reads `port: none` (off, no) as no input: only the flag opens an input named so
        section = ("" if port.strip().lower() in NO_PORT else
                   f"in the show's midi: section (port: {flow_yaml(port) or json.dumps(port)}) or ")
        r.error(node, f"{where} port: a map file opens no input (it maps any controller of its make); give the port "
                      f"{section}with {midi_flag(port)}")
    return port


def midi_flag(port: str, word: str | None = None) -> str:
    """--midi with `port` (a name, or the part of one that opens it) written as `word`, else as this system's shell
    takes it as one word ("it's mine", not 'it'"'"'s mine'); joined by = where `port` starts with a dash, which
    argparse would take for an option. An input named `none` is written NONE: --midi none is no input at all."""
    if port == NO_MIDI and word in (None, port):  # --midi none opens no input; the name in capitals opens this one
        word = port.upper()
    word = shell_word(port) if word is None else word
    return f"--midi={word}" if port.startswith("-") else f"--midi {word}"


def _channel_unused(r: Reader, keys: dict, where: str, channel: int | None, built_on: MidiMap, own: bool) -> None:
    """Notes a section's `channel:` beside a `map:` and no controls of its `own`, which moves nothing: set to fit a
    controller sending on another channel, every knob stayed dead, unsaid."""
    entries = (*built_on.knobs, *built_on.buttons)
    if channel is None or "map" not in keys or own or not entries:
        return
    if all(e.channel in (None, channel) for e in entries):  # they hear it already (None: every channel)
        return
    node = keys["channel"]
    file = Path(entries[0].where[0])
    if file.resolve().parent == Path(MAPS_DIR).resolve():  # vcam's own: an update rewrites it
        move = f"copy {file.name} beside the show, give it channel: {channel + 1}, and name the copy in map:"
    else:
        move = f"give {file.name} channel: {channel + 1}"
    r.note(r.path, node.start_mark.line + 1,
           f"{where} channel: {channel + 1} applies to the section's own controls, and it has none: those of "
           f"{file.name} keep the channels it gives them; to move them, {move}")


def _light(r: Reader, node, what: str) -> Light | None:
    """A `light:` ({velocity: 1-127, channel: 1-16}); None where it cannot be read (said)."""
    if isinstance(node, ScalarNode):  # `light: 127`, `light: true`: told it must be a mapping, with no form to write
        given = str(node.value).strip()
        if given.lower() in UNLIT:
            # told to write light: {velocity: 127}, which lights the LED `off` meant dark
            r.error(node, f"{what} light: {given} is no light: a button is unlit unless a light: is given for it or at "
                          "the top of its map, so leave light: out")
            return None
        velocity = given if given.isdigit() and 1 <= int(given) <= 127 else 127
        r.error(node, f"{what} light takes the velocity that lights the button's LED, 1-127, as light: {{velocity: "
                      f"{velocity}}} (the controller's manual says which; channel: 1-16 beside it where the LED is lit "
                      "on another channel than the button's)")
        return None
    keys = r.mapping(node, f"{what} light", LIGHT_KEYS)
    if not isinstance(node, MappingNode) or (node.value and not keys):
        return None  # said: not a mapping, or keys it does not know alone (`light: {}` is asked for its velocity)
    if "velocity" not in keys:
        r.error(node, f"{what} light: give the velocity (1-127) that lights the button's LED: "
                      "light: {velocity: 127} (the controller's manual says which)")
        return None
    velocity = r.integer(keys["velocity"], f"{what} light velocity", 1, 127)
    channel = _channel(r, keys.get("channel"), f"{what} light", LIGHT_LEFT_OUT)
    return Light(velocity, channel) if velocity is not None else None


@dataclass
class _Taken:
    """What the controls of one list bind, noted as each is read: `controls`, (cc|note|nrpn|program, number) → the
    (channel, control) of each that binds it; `fine_halves`, a cc → the 14-bit controls whose fine half it is."""
    controls: dict[tuple[str, int], list[tuple[int | None, int]]] = field(default_factory=dict)
    fine_halves: dict[int, list[int]] = field(default_factory=dict)


def _check_program(r: Reader, entry, e: dict, what: str, taken: _Taken, channel: int | None, control: int) -> bool:
    """Whether a program entry selects presets on a channel no program entry before it in `taken` does. A second
    one on every channel the first listens on is refused: one meant for another channel, which it did not get. The
    same entry again is noted, not refused (harmless, and a show with one went on air before)."""
    valid = r.value(e["program"]) == "presets"
    if not valid:
        r.error(e["program"], f"{what}: program takes the value 'presets' (program N selects preset N+1)")
    if "toggle" in e:  # read nowhere: a program change is a press already
        r.error(e["toggle"], f"{what}: toggle is for a button (command:) on a cc; remove it here")
    # read nowhere either, and dropped unsaid: `{program: presets, command: next}` never sent next
    dropped = [key for key in e if key not in ("program", "channel", "toggle")]
    if dropped:
        keys = listed(dropped)
        are, them = ("is", "it") if len(dropped) == 1 else ("are", "them")
        r.error(e[dropped[0]], f"{what}: {keys} {are} not read on a program entry, which takes only channel beside "
                               f"program: presets (program N selects preset N+1): remove {them} here, and give a "
                               "button (cc or note) or a knob (cc or nrpn) an entry of its own")
    if not valid:  # said as such, not as a second program entry too
        return False
    same = next((other for ch, other in taken.controls.get(("program", 0), []) if ch == channel), None)
    if same is not None:
        on = f" on channel {channel + 1}" if channel is not None else ""
        r.note(r.path, entry.start_mark.line + 1,
               f"{what} is control {same} again (program: presets{on}); it adds nothing: remove one")
        return False
    if (other := _taken_by(taken, "program", 0, channel, control)) is not None:
        r.error(entry, f"{what}: control {other} selects presets by program change already, on every channel this "
                       "one listens on; remove one, or give them different channels")
        return False
    return True


def _program_built_on(r: Reader, entry, what: str, built_on: MidiMap, channel: int | None) -> bool:
    """Whether the map file a show's section builds on selects presets by program change on every channel the
    section's own program entry does (noted: it adds nothing, as a second in one list is noted)."""
    if not built_on.program_listens(channel) or (channel is None and None not in built_on.program_channels):
        return False
    on = f" on channel {channel + 1}" if channel is not None else ""
    r.note(r.path, entry.start_mark.line + 1,
           f"{what} (program: presets{on}) adds nothing: {built_on.name or 'the map file'}, the map file this builds "
           "on, selects presets by program change there already; remove it")
    return True


NOTE_NAME = re.compile(r"([A-Ga-g])([#♯b♭]?)(-?\d{1,2})?")  # the octave may be left off (C#) or past MIDI (C10)
PITCH_CLASS = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}
ACCIDENTAL = {"#": 1, "♯": 1, "b": -1, "♭": -1}  # sharp, flat: a semitone up, down


def note_named(value) -> str | None:
    """What to write for a note given by its name (C4, F#2, Bb-1), which the map takes as a number only: the number
    in both ways of counting octaves, as controllers and DAWs disagree on which C is middle C. None for anything
    else (said by the number's own check)."""
    name = value.strip() if isinstance(value, str) else ""
    found = NOTE_NAME.fullmatch(name)
    if found is None:
        return None
    letter, accidental, octave = found.groups()
    step = PITCH_CLASS[letter.lower()] + ACCIDENTAL.get(accidental, 0)
    if octave is None:  # which one of eleven is meant is the operator's to say: the 4th's numbers show the way
        return (f"{name} is a note's name without its octave; write the number of the one meant: "
                f"{name}4 is {60 + step} (where middle C is C4) or {72 + step} (where middle C is C3), "
                "12 apart for each octave")
    ways = ((12 * (int(octave) + 1) + step, "middle C is C4"),
            (12 * (int(octave) + 2) + step, "middle C is C3, as Ableton and Yamaha name it"))
    said = [f"{n} (where {how})" for n, how in ways if 0 <= n <= 127]
    if not said:
        return f"{name} is past MIDI's notes; write the note's number, from 0 to 127"
    return f"{name} is a note's name; write its number: {' or '.join(said)}"


def _built_on(r: Reader, node, where: str, base: Path | None) -> MidiMap:
    """The map file a show's `map:` names, read; an empty map where it cannot be (said)."""
    ref = map_named_in(r, node, f"{where} map")
    path, problem = MAPS.in_show(ref, base) if ref else (None, None)
    if problem is not None:
        r.error(node, problem)
    if path is None:
        return MidiMap()
    try:
        found = load_map(path)
    except ConfigError as e:
        r.problems.extend(e.problems)
        return MidiMap()
    r.notes.extend(found.notes)
    # a map file without a `name:` is named by its file: `vcam check` would call it an inline map
    return found if found.name else replace(found, name=path.name)


def _control(r: Reader, entry, e: dict, what: str, kind: str, number: int | None, bits: int, ch: int | None,
             at: tuple[str, int], base: Path | None, light: Light | None = None) -> Knob | Button | None:
    """The knob or button an entry on a cc, a note or an nrpn writes; None where it cannot be read (said). `base`:
    where a button's files are found (None: left as written); `light`: the map's, for a button without its own."""
    if "command" in e and "param" in e or ("command" not in e and "param" not in e):
        r.error(entry, f"{what}: give either param (a knob) or command (a button)")
        return None
    if "command" in e:
        if kind == "nrpn" or "bits" in e:
            r.error(entry, f"{what}: {'an nrpn' if kind == 'nrpn' else 'bits'} is for a knob or fader (param), not a "
                           "button's command")
            return None
        shaped = _knob_keys(r, entry, what)
        with found_beside(base):  # its paths read by what is beside the file, as they are found
            cmd = read_command(r, e["command"], f"{what} command", control=True)
        if cmd is not None:
            cmd = whole_command(r, e["command"], f"{what} command", cmd, base)
        toggle = _toggle(r, e, what, kind) if "toggle" in e else False
        own = _light(r, e["light"], what) if "light" in e else light
        if not cmd or number is None or toggle is None or shaped or ("light" in e and own is None):
            return None
        return Button(cmd, cc=number if kind == "cc" else None, note=number if kind == "note" else None, channel=ch,
                      where=at, toggle=toggle, light=own)
    if "light" in e:
        r.error(e["light"], f"{what}: light is for a button (command:), whose LED it lights; a knob or fader has none")
        return None
    if "toggle" in e:
        r.error(e["toggle"], f"{what}: toggle is for a button (command:) on a cc, not a knob or fader")
        return None
    if kind == "note":
        r.error(entry, f"{what}: a param is driven by a cc or an nrpn (a knob or fader), not a note")
        return None
    # a button is on a plain cc only: an nrpn or a 14-bit pair takes none (refused above)
    own = None if kind == "nrpn" or "bits" in e else \
        f"{kind}: {number}" + (f", channel: {ch + 1}" if "channel" in e and ch is not None else "")
    fader = read_fader(r, e, what, own)
    if fader is None or number is None:
        return None
    param, lo, hi, curve, between = fader
    return Knob(number if kind == "cc" else None, param, lo, hi, curve, ch, between, at, bits,
                number if kind == "nrpn" else None)


def _knob_keys(r: Reader, entry: MappingNode, what: str) -> bool:
    """Whether a button's entry holds a knob's keys (range, curve, between): said, with each as written to delete.
    They were dropped unsaid, and the button taken to be shaped by them."""
    dropped = [(k, v) for k, v in entry.value if k.value in KNOB_KEYS]
    if not dropped:
        return False
    keys = listed([k.value for k, _ in dropped])
    texts = listed([r.written(k, v) or f"{k.value}: with the lines of its value" for k, v in dropped])
    r.error(dropped[0][0], f"{what}: {keys} {'is' if len(dropped) == 1 else 'are'} not read on a button "
                           f"(command:), which takes only cc or note, command, channel and toggle: delete {texts} "
                           "from this entry")
    return True


def _toggle(r: Reader, e: dict, what: str, kind: str) -> bool | None:
    """A button's `toggle`: true or false, on a cc only; None where it is refused (said)."""
    v = r.value(e["toggle"], f"{what} toggle")
    if v is INVALID:
        return None
    if not isinstance(v, bool):
        r.error(e["toggle"], f"{what} toggle must be true or false")
        return None
    if v and kind != "cc":
        r.error(e["toggle"], f"{what}: toggle is for a button on a cc; a pad set to toggle sends its note's release "
                             "on every other press, which no map reads: set the pad to momentary in the controller's "
                             "editor")
        return None
    return v


def _bits(r: Reader, e: dict, what: str, kind: str, number: int | None) -> int | None:
    """A control's bits: 7 or 14 as written, else 7 for a cc and 14 for an nrpn; None where they are wrong (said)."""
    if "bits" not in e:
        return 14 if kind == "nrpn" else 7
    bits = r.value(e["bits"], f"{what} bits")
    if bits is INVALID:
        return None
    if isinstance(bits, bool) or bits not in (7, 14):
        r.error(e["bits"], f"{what} bits must be 7 or 14 (14: the value comes in two halves, 0 to 16383)")
        return None
    if kind == "note":
        r.error(e["bits"], f"{what}: bits is for a knob's cc or nrpn, not a note")
        return None
    if kind == "cc" and bits == 14 and number is not None and number >= FINE:
        fix = f": cc {number} is the fine half of cc {number - FINE}, so write cc: {number - FINE}" \
            if number < 2 * FINE else ""
        r.error(e["cc"], f"{what}: cc {number} with bits: 14 has no fine half; a 14-bit pair is cc 0-31 (coarse) "
                         f"and cc + 32 (fine){fix}")
        return None
    return bits


def _clash(taken: _Taken, kind: str, number: int, bits: int, channel: int | None,
           control: int) -> tuple[int, str] | None:
    """The earlier control of the same list that binds what an entry binds on its channel, and what that is (said as
    such: both halves of a 14-bit pair count), else None, with what it binds noted."""
    halves = [(kind, number, f"{kind} {number}")]
    if kind == "cc" and bits == 14:
        halves.append(("cc", number + FINE, f"cc {number + FINE} (the fine half of cc {number})"))
    for half, n, named in halves:
        if (other := _taken_by(taken, half, n, channel, control)) is not None:
            # a plain cc on another's fine half: why that cc is taken is not in either line
            fine = (f", as the fine half of its cc {n - FINE} (bits: 14; a controller with a control of its own on cc "
                    f"{n} sends 7 bits on cc {n - FINE}: drop bits: 14 there)"
                    if half == "cc" and other in taken.fine_halves.get(n, ()) else "")
            return other, f"{named} is control {other}'s already{fine}: only one of them would act"
    if kind == "cc" and bits == 14:
        taken.fine_halves.setdefault(number + FINE, []).append(control)
    return None


def _clash_said(r: Reader, entry, first, what: str, clash: tuple[int, str], named: str, channel: int | None) -> None:
    """An entry on what an earlier one (`first`, control `clash[0]`) binds: refused, where the same entry again, which
    does what the first does, is noted, as a program entry again is."""
    other, said = clash
    if _as_written(first) != _as_written(entry):
        r.error(entry, f"{what}: {said}; remove one, or give them different channels")
        return
    on = f" on channel {channel + 1}" if channel is not None else ""
    r.note(r.path, entry.start_mark.line + 1, f"{what} is control {other} again ({named}{on}); it adds nothing: "
                                              "remove one")


def _as_written(node) -> tuple:
    """A YAML node's keys and values as written, whatever their order and the style (flow or block)."""
    if isinstance(node, MappingNode):
        return ("mapping", tuple(sorted((str(k.value), _as_written(v)) for k, v in node.value)))
    if isinstance(node, SequenceNode):
        return ("sequence", tuple(_as_written(v) for v in node.value))
    return (node.tag, node.value)


def file_line(e: Knob | Button) -> str:
    return f"{Path(e.where[0]).name} line {e.where[1]}"


def _check_built_on_taken(r: Reader, entry, what: str, knob: Knob, built_on: MidiMap) -> None:
    """Refuses a show's own knob that takes a control of the map file its section builds on, which would never act
    again: an NRPN knob by the CCs an NRPN takes on its channel, a 14-bit knob by its fine half (_fine_half_taken)."""
    if knob.nrpn is not None:
        ch = knob.channel
        on = next(((f"{file_line(e)}'s control, in the map file this builds on", c)
                   for e in (*built_on.knobs, *built_on.buttons) for c in sorted(_ccs(e) - {None})
                   if c in NRPN_CCS and (ch is None or e.channel is None or ch == e.channel)), None)
        if on is not None:
            r.error(entry, f"{what}: nrpn {knob.nrpn} takes cc {on[1]} on its channel, which is {on[0]}: an "
                           "NRPN takes CC 99 and 98 (its number), CC 6 and 38 (its value) and CC 96 and 97 "
                           "(its steps) on its channel; give this knob another channel")
    elif (dead := _fine_half_taken(built_on, knob)) is not None:
        r.error(entry, f"{what}: cc {knob.fine_cc} (the fine half of cc {knob.cc}) is {dead}'s control, "
                       "in the map file this builds on, which would never act again: give this knob "
                       f"another channel, or leave bits out if the controller sends cc {knob.cc} alone")


def _fine_half_taken(built_on: MidiMap, knob: Knob) -> str | None:
    """Where in the map file a show's section builds on the control is (file and line) that a show's own 14-bit knob
    takes by its fine half alone, on a channel both listen on: a button on cc + 32 (a nanoKONTROL2's S button over
    its fader) fired no more, and nudged the knob instead. None where there is none. A control the knob takes by its
    coarse cc is one the show's own entry replaces, as written."""
    if knob.fine_cc is None:
        return None
    for e in (*built_on.knobs, *built_on.buttons):
        ccs = _ccs(e)
        if knob.fine_cc in ccs and knob.cc not in ccs and (knob.channel is None or e.channel in (None, knob.channel)):
            return file_line(e)
    return None


def _check_nrpn_ccs(r: Reader, cc_uses: list[tuple], nrpn_uses: list[tuple[str, int | None]]) -> None:
    """A control on CC 99, 98, 6, 38, 96 or 97 where an NRPN knob listens (`nrpn_uses`: whose NRPN, and its
    channel) would never act, as those CCs carry the NRPN's number, value and steps there: refused at its line."""
    for what, entry, ccs, ch in cc_uses:
        shared = [c for c in ccs if c in NRPN_CCS]
        nrpn = next((whose for whose, nrpn_ch in nrpn_uses if ch is None or nrpn_ch is None or ch == nrpn_ch), None)
        if shared and nrpn is not None:
            r.error(entry, f"{what}: cc {shared[0]} carries {nrpn}: an NRPN takes CC 99 and 98 (its number), CC 6 "
                           "and 38 (its value) and CC 96 and 97 (its steps) on its channel; give this control another "
                           "cc or channel")


def _taken_by(taken: _Taken, kind: str, number: int, channel: int | None, control: int) -> int | None:
    """The earlier control of the same list that takes every message `channel` gives (the router acts on the first
    entry that matches), else None; `control` is noted as taking it. One on a channel before one on any channel
    leaves the other channels to the second: both act."""
    for other_channel, other in taken.controls.get((kind, number), []):
        if other_channel is None or other_channel == channel:
            return other
    taken.controls.setdefault((kind, number), []).append((channel, control))
    return None


# how "every channel" is written by those who read "(default: any)" in a map's comments, or a range in the README
EVERY_CHANNEL = ("any", "all", "omni", "every", "1-16", "0-15", "*", "~", "null", "")


EVERY_CHANNEL_LEFT_OUT = "for every channel, leave channel out (it is the default)"
# a light is sent on one channel: none is every channel
LIGHT_LEFT_OUT = "leave it out: the button's channel (channel 1 for a button on any)"


def _left_out(map_channel: int | None) -> str:
    """What leaving a control's channel out means under the map's own `channel:` (0-based; None: none given)."""
    if map_channel is None:
        return EVERY_CHANNEL_LEFT_OUT
    # "leave channel out" alone would give it the map's channel, not every channel
    return (f"left out, it is the map's channel: {map_channel + 1}, which applies to controls without their own; "
            f"for every channel, take channel: {map_channel + 1} off the map")


def _channel(r: Reader, node, where: str, left_out: str = EVERY_CHANNEL_LEFT_OUT) -> int | None:
    """A channel (0-based); `left_out`: what leaving it out means, said to one written as every channel (any)."""
    if node is None:
        return None
    if isinstance(node, ScalarNode) and re.sub(r"\s+", "", str(node.value)).lower() in EVERY_CHANNEL:
        # told "must be a whole number from 1 to 16", the way to hear every channel was left to guess
        r.error(node, f"{where} channel must be a whole number from 1 to 16; {left_out}")
        return None
    if isinstance(node, ScalarNode) and not node.style and node.value == "0":
        # a MIDI monitor (and mido) counts from 0: its channel 0 is the first, which the 1 to 16 alone left to guess
        r.error(node, f"{where} channel 0 is out of range (1 to 16): a map counts channels from 1, as a controller's "
                      "settings do; the first, which a MIDI monitor counting from 0 calls 0, is channel: 1")
        return None
    v = r.integer(node, f"{where} channel", 1, 16)
    return v - 1 if v is not None else None


def _read_file(r: Reader, node, path: Path, whole_paths: bool) -> MidiMap:
    """A MIDI map file's top node as a map, its buttons' `input file:`/`image:` found relative to its own folder
    (`whole_paths`), with what it does nothing with as written in its `notes`."""
    found = read_map(r, node, "MIDI map", path.parent, in_map_file=True, whole_paths=whole_paths)[0]
    r.problems[:] = in_line_order(r.problems)  # found in passes: each entry, then what entries share
    return replace(found, notes=tuple(r.notes))


MAPS = MapFiles("midi", "MIDI map", _read_file, MidiMap(), top=FILE_KEYS, keys=FILE_KEYS + ENTRY_KEYS + LIGHT_KEYS)
MAPS_DIR = MAPS.dir
shipped_maps = MAPS.shipped
find_map_file = MAPS.find
# the shipped maps as a message offers them, the commonest controller first, as --midi-map's help names them
SAID_FIRST = ("nanokontrol2", "midimix", "apc-mini-mk2")


def maps_offered() -> str:
    """'nanokontrol2 (or midimix, apc-mini-mk2, a file)': the shipped maps in one order wherever a message offers
    them (vcam check listed them by name, vcam run as its help does); others shipped after them, by name."""
    names = sorted(shipped_maps(), key=lambda n: (SAID_FIRST.index(n) if n in SAID_FIRST else len(SAID_FIRST), n))
    first, *others = names or ["FILE"]
    return first + (f" (or {', '.join(others)}, a file)" if others else "")


def map_named(ref: str, words: CommandWords = SHOW_WORDS) -> tuple[Path, MidiMap]:
    """The map --midi-map names (MapFiles.named), read as load_map reads: what the command line's readers import,
    typed with this module's MidiMap where MAPS gives the generic Map."""
    return MAPS.named(ref, words)


def load_map(path: Path, words: CommandWords = SHOW_WORDS) -> MidiMap:
    """One MIDI map file (MapFiles.load)."""
    return MAPS.load(path, words)
