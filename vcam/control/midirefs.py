"""The presets a MIDI map names, checked against a show's: its knobs' `between` and its buttons' commands, in a
show's own midi: section (each problem at its line, in the show or in the map file under it) and in a map given
apart from the show (`--midi-map FILE`). A misspelt name would otherwise fail on every fader message, on air.

Apart from midimap.py, which reads a map without any show, and from show.py, which reads the rest of the show:
lining each control read up with the YAML entry it was written in is most of the work here. OSC maps check theirs
in oscmap.py (each OSC entry keeps its own line).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from yaml.nodes import ScalarNode, SequenceNode

from vcam.control.commands import Command, blend_twice, presets_named
from vcam.control.cuesheet import idle_without_cues, missing_cue
from vcam.control.mapfiles import between_twice, find_as_written, not_a_preset, run_together
from vcam.control.midimap import MidiMap, find_map_file
from vcam.control.yamlcheck import Reader, as_written_in, key_nodes
from vcam.control.yamlfiles import read_text
from vcam.control.yamlproblems import ConfigError
from vcam.words import quoted

if TYPE_CHECKING:
    from vcam.control.show import Show


def missing_presets(show: Show, midi: MidiMap) -> list[str]:
    """What a MIDI map given apart from the show (`--midi-map FILE`) names that does not fit the show, each with its
    line, as the show's own check says it of a map file its midi: section names: the presets of its knobs'
    `between` and its buttons' commands by name (numbers on buttons are left alone, as in a show's map), and a
    knob's or a button's blend that names one preset twice (by number and by name)."""
    problems = []
    refs = [(k.where, f"knob {k.named} between", ref) for k in midi.knobs if k.between for ref in k.between]
    for b in midi.buttons:
        refs += [(b.where, f"button {quoted(str(b.command))}", ref) for ref in presets_named(b.command)
                 if isinstance(ref, str)]
    for where, what, ref in refs:
        # YAML read yes/off/1.5 as such: the show's look-up took true and false as presets 1 and 0, so a knob between
        # a preset named on and another passed here and blended preset 1, where the show's own map check refused it
        if reason := not_a_preset(ref):
            problems.append((where, f"{what}: {reason}"))
            continue
        try:
            find_as_written(show, ref)
        except KeyError as e:
            problems.append((where, f"{what}: {e.args[0]}"))
    problems += [(k.where, f"knob {k.named} between {twice}") for k in midi.knobs
                 if k.between and (twice := between_twice(show, k.between))]
    problems += [(b.where, f"button {twice}") for b in midi.buttons if (twice := blend_twice(show, b.command))]
    problems += [(b.where, f"button {quoted(str(b.command))}: {why}") for b in midi.buttons
                 if (why := missing_cue(show.cues, b.command, numbers=False))]
    return [f"line {line}: {problem}" if line else problem
            for (_, line), problem in sorted(problems, key=lambda p: p[0][1])]


def check_preset_refs(r: Reader, show: Show, midi: MidiMap, node, base: Path) -> None:
    """Every preset a knob's `between` or a button's command names must be in this show, and a knob's two ends
    must be two presets.

    A misspelt `between` would otherwise fail on every fader message, many times a second, on air. Preset
    numbers on buttons of a map file are left alone: map files lay out fixed rows of preset buttons (the shipped
    ones 1 to 8 or 16) for shows of any length, and a button past the end answers once per press.
    """
    knob_at, button_at = _entries_of(r, midi, node, base)

    def missing(ref, entry: _Entry, line_node, what: str, command: Command | None = None) -> None:
        reason = not_a_preset(ref, line_node.value if isinstance(line_node, ScalarNode) else None)
        if reason is None:
            try:
                find_as_written(show, ref)
                return
            except KeyError as e:
                # `preset ocean, seed 5`: no preset of that name, but commands run together, as a cue's are answered
                reason = (command and run_together(show, command, r.cue_names)) or e.args[0]
        line = (line_node if line_node is not None else node).start_mark.line + 1
        r.add(entry.path, line, as_written_in(line_node, f"{entry.what} {what}: {reason}"))

    for knob, entry in zip(midi.knobs, knob_at):
        if knob.between is None:
            continue
        between = entry.keys.get("between")
        items = between.value if isinstance(between, SequenceNode) else [None, None]
        for ref, item in zip(knob.between, items):
            missing(ref, entry, item, "between")
        if twice := between_twice(show, knob.between):
            r.add(entry.path, (between if between is not None else node).start_mark.line + 1,
                  f"{entry.what} between {twice}")
    for button, entry in zip(midi.buttons, button_at):
        for ref in presets_named(button.command):
            if isinstance(ref, str) or entry.inline:
                missing(ref, entry, entry.keys.get("command"), f"command {quoted(str(button.command))}",
                        button.command)
        if twice := blend_twice(show, button.command):
            at = entry.keys.get("command")
            r.add(entry.path, (at if at is not None else node).start_mark.line + 1, f"{entry.what} command {twice}")


def check_cue_refs(r: Reader, cues: tuple, midi: MidiMap, node, base: Path) -> None:
    """Every cue a button's `go CUE` names must be in the show's `cues`, as a press would find it; cue numbers on
    buttons of a map file are left alone, as preset numbers are (check_preset_refs). The show's own go or back
    button in a show without cues is noted at its line (Reader.note)."""
    for button, entry in zip(midi.buttons, _entries_of(r, midi, node, base)[1]):
        at = entry.keys.get("command")
        line = (at if at is not None else node).start_mark.line + 1
        if why := missing_cue(cues, button.command, numbers=entry.inline):
            r.add(entry.path, line, as_written_in(at, f"{entry.what} command {quoted(str(button.command))}: {why}"))
        elif idle := idle_without_cues(cues, button.command, numbers=entry.inline):
            r.note(entry.path, line, f"{entry.what} command {quoted(str(button.command))} {idle}")


def _entries_of(r: Reader, midi: MidiMap, node, base: Path) -> tuple[list[_Entry], list[_Entry]]:
    """The entry each of the map's knobs and buttons is written in, the map file's and the show's own lined up
    apart: a map file that could not be read adds nothing to the map, and the show's own are then still found.
    Where a part's entries do not line up with what it added (a control of it was broken, and left out), each
    control is found by its cc or note (_written_at)."""
    entries = _control_entries(r.path, node, base, "midi", inline=True, seen=set())
    k, b = midi.inherited
    knob_at: list[_Entry] = []
    button_at: list[_Entry] = []
    parts = ((False, midi.knobs[:k], midi.buttons[:b]), (True, midi.knobs[k:], midi.buttons[b:]))
    for inline, knobs, buttons in parts:
        part = [e for e in entries if e.inline == inline and "program" not in e.keys]
        knob_entries = [e for e in part if "param" in e.keys]
        button_entries = [e for e in part if "command" in e.keys]
        if len(knob_entries) != len(knobs) or len(button_entries) != len(buttons):
            knob_entries = [_written_at(r.path, knob_entries, inline, "knob", *(
                ("cc", c.cc) if c.cc is not None else ("nrpn", c.nrpn))) for c in knobs]
            button_entries = [_written_at(r.path, button_entries, inline, "button", *(
                ("cc", c.cc) if c.cc is not None else ("note", c.note))) for c in buttons]
        knob_at += knob_entries
        button_at += button_entries
    return knob_at, button_at


def _written_at(path: str, entries: list[_Entry], inline: bool, kind: str, key: str, number: int) -> _Entry:
    """The one entry that binds `key` `number` (two on different channels cannot be told apart here), else one that
    names the control and points at the midi: section."""
    scratch = Reader(path)  # the entries' problems are said already
    found = [e for e in entries if key in e.keys and scratch.value(e.keys[key]) == number]
    return found[0] if len(found) == 1 else _Entry(path, f"midi {kind} {key} {number}", {}, inline)


@dataclass(frozen=True)
class _Entry:
    path: str  # the file the control is written in
    what: str  # how read_map names it in messages
    keys: dict  # key -> value node
    inline: bool  # written in the show itself rather than in a map file


def _control_entries(path: str, node, base: Path, where: str, inline: bool, seen: set) -> list[_Entry]:
    """The controls of a midi: section or map file in the order read_map puts them into the map: those of the
    map it names first, then its own."""
    keys = key_nodes(node)
    entries: list[_Entry] = []
    ref = keys.get("map")
    if isinstance(ref, ScalarNode):
        file = find_map_file(ref.value.strip(), base)
        if file is not None and file.resolve() not in seen:
            seen.add(file.resolve())
            try:
                text = read_text(file)
            except (OSError, UnicodeDecodeError, ConfigError):  # read_map has reported it
                text = ""
            entries += _control_entries(str(file), Reader(str(file)).compose(text), file.parent, "MIDI map",
                                        inline=False, seen=seen)
    controls = keys.get("controls")
    for i, entry in enumerate(controls.value if isinstance(controls, SequenceNode) else []):
        entries.append(_Entry(path, f"{where} control {i + 1}", key_nodes(entry), inline))
    return entries
