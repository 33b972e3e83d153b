"""The files a show reads, found before anything opens: the show file and its images, clips and maps, a replayed
log and its clips, the input and the fallback, and the maps the command line gives (with their buttons' clips), so
that nothing the show writes goes over one of them (live/showwrites.py, and `vcam check`)."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from vcam.control.actions import SetInput
from vcam.control.commands import Command, CommandError, parse
from vcam.control.cuesheet import cue_said
from vcam.control.linesource import read_again
from vcam.control.log import Replay
from vcam.control.show import Show
from vcam.errors import VcamError
from vcam.inspec import parse_input
from vcam.live.settings import RunOptions, ShowSettings

if TYPE_CHECKING:
    from vcam.control.oscmap import OscMap


def read_files(opts: RunOptions, cfg: ShowSettings, show: Show | None, replay: Replay | None,
               given: Sequence = ()) -> list[tuple[str, str]]:
    """(what, path) of every file the show reads: the show file and its images and clips, the replayed log and
    its clips, the input, the fallback, the MIDI and OSC maps (the show's and those given on the command line) and
    the clips and images their buttons switch to (`given`: the GivenMaps of the command line's, given_maps)."""
    inputs = [("the input", cfg.input)]
    reads = show_reads(opts.show, show, inputs) if show is not None and opts.show else _input_files(inputs)
    reads += [("the replayed log", opts.replay)] if opts.replay else []
    if replay is not None:
        reads += _input_files([(f"an input of {opts.replay}", a.spec) for _, a in replay.actions
                               if isinstance(a, SetInput)])
    reads += [("the fallback image", cfg.fallback)] if cfg.fallback else []
    for g in given:
        reads.append((f"the map {g.flag} {g.ref}", g.path))
        reads += _input_files(_button_inputs(f"a button of {g.flag} {g.ref}", g.mapping))
    return reads


def given_maps(opts: RunOptions, midi_map: tuple[Path, object] | None,
               osc_map: tuple[Path, OscMap] | None) -> tuple[list, list]:
    """The GivenMaps of the maps the command line gives: those in force, and every one. In force: `midi_map` and
    `osc_map`, (file, map) as the MIDI and OSC inputs read them, where they have an input (read twice, an edit
    between could pass unchecked). One unused is read here, its buttons' files made whole: a recording over one is
    refused all the same (`mapping` None where it cannot be read: unused, it is no error)."""
    from vcam.control import midimap, oscmap
    from vcam.control.reload import GivenMap

    in_force, every = [], []
    for flag, ref, kind, used in (("--midi-map", opts.midi_map, midimap, midi_map),
                                  ("--osc-map", opts.osc_map, oscmap, osc_map)):
        if used is not None:
            in_force.append(GivenMap(flag, ref, str(used[0]), kind.load_map, used[1]))
            every.append(in_force[-1])
        elif ref and (path := kind.find_map_file(ref, None)) is not None:
            every.append(GivenMap(flag, ref, str(path), kind.load_map, _unused_map(kind, path)))
    return in_force, every


def _unused_map(kind, path: Path):
    """The map file `path` of `kind` (midimap, oscmap), None where it cannot be read."""
    try:
        return kind.load_map(path)
    except ValueError:  # ConfigError included
        return None


def show_reads(path: str, show: Show, given: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """(what, path) of every file a show file makes its show read: itself, its fallbacks and maps, and the clips and
    images of the inputs `given` ((what, spec), named first), of its presets, of its cues and of its maps' buttons
    (`vcam check` refuses an output of the show's writing over one, as `vcam run` does)."""
    reads = [("the show file", path)]
    reads += [(f"the fallback of {path}", fallback) for fallback in fallbacks_of(show)]
    reads += [(f"a map {path} names", map_file) for map_file in show.map_files]
    inputs = list(given) + [(f"an input of {path}", p.input) for p in (show.defaults, *show.presets) if p.input]
    inputs += [(f"a cue's input in {path}", cmd.args[0]) for _, cmd in cue_commands(path, show) if cmd.name == "input"]
    inputs += _button_inputs(f"a MIDI button's input in {path}", show.midi)
    inputs += _button_inputs(f"an OSC button's input in {path}", show.osc)
    return reads + _input_files(inputs)


def cue_commands(path: str, show: Show) -> list[tuple[str, Command]]:
    """(who, command) of each line of the show's cues, `who` naming its cue as the list does (cue 2 'drop'), read
    again as its cue reads it when it fires. VcamError naming the show file and the cue where a line is refused: the
    show loaded it, so the bare refusal names no line to find, nor a file."""
    commands = []
    with read_again():
        for i, cue in enumerate(show.cues, 1):
            who = f"cue {i} {cue_said(cue)}"
            for line in cue.do:
                try:
                    cmd = parse(line, console=False)
                except CommandError as e:
                    raise VcamError(f"{path}: {who}: {e}") from None
                if cmd is not None:
                    commands.append((who, cmd))
    return commands


def _button_inputs(what: str, mapping) -> list[tuple[str, str]]:
    """(what, input spec) of each `input` a MIDI or OSC map's button (or an OSC button's release) runs: made whole
    as the map was read, against the folder of the file each is written in."""
    buttons = mapping.buttons if mapping is not None else ()
    commands = [c for b in buttons for c in (b.command, getattr(b, "release", None)) if c is not None]
    return [(what, cmd.args[0]) for cmd in commands if cmd.name == "input"]


def _input_files(inputs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(what, path) of the clips and images among (what, input spec)."""
    return [(f"{what} ({spec})", spec.target) for what, spec in
            ((what, parse_input(text)) for what, text in inputs) if spec.kind in ("file", "image")]


def fallbacks_of(show: Show) -> list[str]:
    return [p.fallback for p in (show.defaults, *show.presets) if p.fallback]
