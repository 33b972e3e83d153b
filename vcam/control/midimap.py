"""MIDI mappings: which knob moves which parameter, which button sends which command.

Written in a show's `midi:` section or in a map file (`presets/midi/*.yaml`) with the same keys:

    controls:
      - {cc: 16, param: transition, range: [0, 12]}     # a knob or fader
      - {cc: 0, param: blend, between: [neon city, forest], curve: linear}
      - {cc: 19, param: strength}                       # how much of the video in survives, 0 to 1
      - {cc: 41, command: next}                         # a button that sends CC 127 then 0
      - {note: 36, command: "preset 1"}                 # a pad or key
      - {program: presets}                              # program change N -> preset N+1
    channel: 1  (per entry or for the whole map; 1-16 as in every MIDI UI; default: any channel)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from yaml.nodes import MappingNode

from vcam.control.commands import Command, read_command
from vcam.control.faders import read_fader, scaled
from vcam.control.mapfiles import MapFiles
from vcam.control.showpaths import whole_command
from vcam.control.yamlcheck import ConfigError, Reader


@dataclass(frozen=True)
class Knob:
    cc: int
    param: str
    lo: float
    hi: float
    curve: str = "linear"
    channel: int | None = None  # 0-based, None = any
    between: tuple[str | int, str | int] | None = None  # blend: the two presets
    where: tuple[str, int] = field(default=("", 0), compare=False)  # the file and line it is written on

    def value(self, midi_value: int) -> float:
        """The parameter value for a 0..127 control value, through the curve."""
        return scaled(self.param, self.lo, self.hi, self.curve, max(0, min(127, midi_value)) / 127.0)


@dataclass(frozen=True)
class Button:
    command: Command
    cc: int | None = None
    note: int | None = None
    channel: int | None = None
    where: tuple[str, int] = field(default=("", 0), compare=False)  # the file and line it is written on


@dataclass(frozen=True)
class MidiMap:
    name: str = ""
    knobs: tuple[Knob, ...] = ()
    buttons: tuple[Button, ...] = ()
    program_channels: tuple[int | None, ...] = ()  # one per `program: presets` entry (0-based, None = any)
    # how many of the knobs and of the buttons come from the map file a show's section names: the show's own come
    # after them and win on a control both bind, else a show's entry on a control its map file uses would be dead
    inherited: tuple[int, int] = (0, 0)

    @property
    def program_to_preset(self) -> bool:
        return bool(self.program_channels)

    def program_listens(self, channel: int | None) -> bool:
        """Whether a program change on `channel` selects a preset."""
        return any(c is None or c == channel for c in self.program_channels)

    def merged(self, other: "MidiMap") -> "MidiMap":
        """This map (a map file) with `other`'s entries (a show's own) added: on a control both bind, `other`'s."""
        return MidiMap(self.name or other.name, self.knobs + other.knobs, self.buttons + other.buttons,
                       self.program_channels + other.program_channels, (len(self.knobs), len(self.buttons)))

    def acting(self) -> tuple[tuple[Knob, ...], tuple[Button, ...]]:
        """The knobs and buttons that can drive something: a map file's entry that one of the show's own takes on
        every channel it listens on is left out, so a summary counts what a controller has, not what was written."""
        k, b = self.inherited
        own = self.knobs[k:] + self.buttons[b:]

        def shadowed(e: Knob | Button) -> bool:
            return any(_same_control(o, e) and (o.channel is None or o.channel == e.channel) for o in own)

        return (self.knobs[k:] + tuple(e for e in self.knobs[:k] if not shadowed(e)),
                self.buttons[b:] + tuple(e for e in self.buttons[:b] if not shadowed(e)))

    def control(self, channel: int | None, cc: int | None = None, note: int | None = None) -> Knob | Button | None:
        """The entry a control change (`cc`) or a note on `channel` drives: the show's own entries before those of
        the map file they build on, and within each a knob before a button."""
        k, b = self.inherited
        for entries in (self.knobs[k:], self.buttons[b:], self.knobs[:k], self.buttons[:b]):
            for e in entries:
                if e.channel is not None and e.channel != channel:
                    continue
                if (cc is not None and e.cc == cc) or (note is not None and getattr(e, "note", None) == note):
                    return e
        return None


def _same_control(a: Knob | Button, b: Knob | Button) -> bool:
    """Whether two entries bind the same cc, or the same note (a knob has no note)."""
    note_a, note_b = getattr(a, "note", None), getattr(b, "note", None)
    return (a.cc is not None and a.cc == b.cc) or (note_a is not None and note_a == note_b)


ENTRY_KEYS = ("cc", "note", "program", "param", "command", "range", "curve", "channel", "between")


def read_map(r: Reader, node, where: str, base: Path | None, in_map_file: bool = False,
             whole_paths: bool = True) -> tuple[MidiMap, str | None]:
    """A map from a `midi:` section or map file node; returns (map, port) and records problems in `r`. Only a
    show's section may build on a map file (`map:`): a map file naming one could name itself, without end.
    `base`: the folder of the file `node` is in, where a button's `input file:`/`image:` is found and made whole
    (`whole_paths`; else left as written, for commands run on another machine, which finds them there)."""
    keys = r.mapping(node, where, ("name", "port", "channel", "controls") if in_map_file
                     else ("name", "port", "map", "channel", "controls"))
    channel = _channel(r, keys.get("channel"), where)
    name = r.string(keys["name"], f"{where} name") if "name" in keys else ""
    port = r.string(keys["port"], f"{where} port") if "port" in keys else None
    result = MidiMap(name or "")
    if "map" in keys:
        ref = r.string(keys["map"], f"{where} map")
        if ref:
            path = find_map_file(ref, base)
            if path is None:
                r.error(keys["map"], f"MIDI map {ref!r} not found; give a path relative to the show file or one "
                                     f"of: {', '.join(shipped_maps())}")
            else:
                try:
                    result = load_map(path)
                except ConfigError as e:
                    r.problems.extend(e.problems)
    knobs, buttons, programs = [], [], []
    taken: dict[tuple[str, int], list[tuple[int | None, int]]] = {}  # (cc|note, number) -> [(channel, control)]
    for i, entry in enumerate(r.sequence(keys["controls"], f"{where} controls") if "controls" in keys else []):
        what = f"{where} control {i + 1}"
        at = (r.path, entry.start_mark.line + 1)
        if not isinstance(entry, MappingNode):  # `- cc 16 blend`: said once, with the form, not again as keys missing
            r.error(entry, f"{what} must be a mapping of key: value lines: {{cc: 16, param: blend}} (a knob), "
                           "{cc: 41, command: next} (a button), {note: 36, command: preset 1} (a pad)")
            continue
        e = r.mapping(entry, what, ENTRY_KEYS)
        if len(e) < len(entry.value):  # a key misspelt or given twice, said as such: what it lacks follows from it
            continue
        ch = _channel(r, e.get("channel"), what) if "channel" in e else channel
        kinds = [k for k in ("cc", "note", "program") if k in e]
        if len(kinds) != 1:
            r.error(entry, f"{what}: give exactly one of cc, note or program")
            continue
        if "program" in e:
            if r.value(e["program"]) != "presets":
                r.error(e["program"], f"{what}: program takes the value 'presets' (program N selects preset N+1)")
            programs.append(ch)
            continue
        number = r.integer(e[kinds[0]], f"{what} {kinds[0]}", 0, 127)
        if number is not None and (other := _taken_by(taken, kinds[0], number, ch, i + 1)) is not None:
            r.error(entry, f"{what}: {kinds[0]} {number} is control {other}'s already: only one of them would act; "
                           "remove one, or give them different channels")
            continue
        if "command" in e and "param" in e or ("command" not in e and "param" not in e):
            r.error(entry, f"{what}: give either param (a knob) or command (a button)")
            continue
        if "command" in e:
            cmd = read_command(r, e["command"], f"{what} command")
            if cmd is not None:
                cmd = whole_command(r, e["command"], f"{what} command", cmd, base if whole_paths else None)
            if cmd and number is not None:
                buttons.append(Button(cmd, cc=number if kinds[0] == "cc" else None,
                                      note=number if kinds[0] == "note" else None, channel=ch, where=at))
            continue
        if kinds[0] != "cc":
            r.error(entry, f"{what}: a param is driven by a cc (a knob or fader), not a note")
            continue
        fader = read_fader(r, e, what)
        if fader is None or number is None:
            continue
        param, lo, hi, curve, between = fader
        knobs.append(Knob(number, param, lo, hi, curve, ch, between, at))
    return result.merged(MidiMap(name or "", tuple(knobs), tuple(buttons), tuple(programs))), port


def _taken_by(taken: dict, kind: str, number: int, channel: int | None, control: int) -> int | None:
    """The earlier control of the same list that takes every message `channel` gives (the router acts on the first
    entry that matches), else None; `control` is noted as taking it. One on a channel before one on any channel
    leaves the other channels to the second: both act."""
    for other_channel, other in taken.get((kind, number), []):
        if other_channel is None or other_channel == channel:
            return other
    taken.setdefault((kind, number), []).append((channel, control))
    return None


def _channel(r: Reader, node, where: str) -> int | None:
    if node is None:
        return None
    v = r.integer(node, f"{where} channel", 1, 16)
    return v - 1 if v is not None else None


MAPS = MapFiles("midi", "MIDI map")
MAPS_DIR = MAPS.dir
shipped_maps = MAPS.shipped
find_map_file = MAPS.find


def map_named(ref: str, whole_paths: bool = True) -> tuple[Path, MidiMap]:
    """The map `--midi-map` names: a shipped map's name or a file's path (ValueError naming the shipped maps).
    `whole_paths`: its buttons' files found next to it (read_map); False for a map whose commands go to a server."""
    return MAPS.named(ref, partial(load_map, whole_paths=whole_paths))


def load_map(path: Path, whole_paths: bool = True) -> MidiMap:
    """A map file, its buttons' `input file:`/`image:` found relative to its own folder (`whole_paths`)."""
    return MAPS.load(path, lambda r, node: read_map(r, node, "MIDI map", path.parent, in_map_file=True,
                                                    whole_paths=whole_paths)[0], MidiMap())
