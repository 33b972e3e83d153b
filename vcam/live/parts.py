"""The parts a show runs besides the model, each made from the command line and the show file: the MIDI input's
port and map (checked before anything opens), OSC in and out, the tempo (and Ableton Link), the quantizer that puts
changes on the beat, and the cue list."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from vcam.control.controller import Controller
from vcam.control.cues import CueList
from vcam.control.midi import ALWAYS_THERE, NO_MIDI, matching
from vcam.control.midimap import maps_offered, midi_flag
from vcam.control.midirefs import missing_presets
from vcam.control.show import Show
from vcam.control.tempo import Tempo
from vcam.errors import VcamError
from vcam.live.onair import OnAir
from vcam.live.producer import Generator
from vcam.live.quantize import Quantizer
from vcam.live.settings import RunOptions
from vcam.words import NOT_ANYWHERE, anywhere_part, anywhere_word

if TYPE_CHECKING:
    from vcam.control.midimap import MidiMap
    from vcam.control.oscmap import OscMap


def _port_anywhere(port: str) -> tuple[str, str]:
    """--midi with `port` in a line typed on the camera's machine, whose shell (sh, cmd.exe, PowerShell) the
    server does not know, and what to say of it: the whole name where all three take one form of it, else the
    longest part of it they do (--midi takes part of a name) that names no input every machine has (MIDI of
    'MIDI %1' opened Midi Through), else the name as this system's shell takes it. Joined by = where the value
    starts with a dash (midi_flag): `--midi -pads-` was refused, -pads- taken for an option."""
    whole = anywhere_word(port)
    if whole is not None:
        return midi_flag(port, whole), ""
    read = " ".join(dict.fromkeys(c for c in port if c in NOT_ANYWHERE)) or "control characters"
    part = anywhere_part(port, fits=lambda p: not matching(p, list(ALWAYS_THERE)))
    if part is not None:
        value = part[1:-1] if part.startswith('"') else part  # as anywhere_word writes it: bare, or in double quotes
        return (midi_flag(value, part),
                f"; the port is given by part of its name, as sh, cmd.exe or PowerShell would read its {read}")
    return midi_flag(port), f"; the port's name is quoted as this system's shell takes it: another reads its {read}"


def _mapped(midi: MidiMap) -> tuple:
    """What a MIDI map makes the controller do: its knobs and buttons that act, and the channels whose program
    changes select presets."""
    return midi.acting(), midi.program_channels


def _no_input(opts: RunOptions, show: Show | None, replaying: bool, say: Callable[[str], None]) -> None:
    """Says why no MIDI input opens where a map was asked for (--midi-map, the show's port or its controls)."""
    if opts.midi_map:
        say("--midi-map is not used: no MIDI input is opened without --midi PORT (or a show's midi: port)")
    elif opts.midi == NO_MIDI and show is not None and show.midi_port:
        say(f"--midi none: the show's MIDI port {show.midi_port!r} is not opened")
    elif (opts.midi is None and not (opts.serve or replaying) and show is not None and not show.midi_port
          and show.midi is not None and show.midi.maps_something()):
        # knobs and buttons written for the show, and no input for them: dead on air, where silence read as a
        # controller that does not work (the reference show leaves its port: as a comment)
        mapped = f"MIDI map ({show.midi.name}) is" if show.midi.name else "own MIDI controls are"
        say(f"the show's {mapped} not used: no MIDI input is opened without --midi PORT or a port: in the show's "
            "midi: section (vcam devices lists the inputs)")


def midi_port_wanted(opts: RunOptions, show: Show | None, replaying: bool) -> str | None:
    """The MIDI input a show opens (as midi_setup has it, without a word): --midi's, else the show's port where
    vcam serve does not leave it to vcam cam; None in a replay, with --midi none, or where none is named."""
    if replaying or opts.midi == NO_MIDI:
        return None
    if opts.midi is not None:  # as midi_setup: "" (a library's RunOptions) opens none, not the show's port
        return opts.midi or None
    return show.midi_port if show is not None and show.midi_port and not opts.serve else None


class MapRead:
    """The MIDI input's map as read once as vcam starts: --midi-map's file and map, else no file and the show's map
    (None where the show maps no control); or why the file could not be read, raised where the show is checked.
    Read twice (for the port opened early, then for the show), a map saved in between made the messages kept and
    the show's controls two different maps. Read when first asked for: a show that opens no input reads no
    --midi-map (midi_setup says it is not used)."""

    def __init__(self, opts: RunOptions, show: Show | None) -> None:
        self._opts, self._show = opts, show
        self._read: tuple[Path | None, MidiMap | None] | None = None
        self._error: Exception | None = None

    def get(self) -> tuple[Path | None, MidiMap | None]:
        if not self.readable():
            raise self._error
        return self._read

    def readable(self) -> bool:
        if self._read is None and self._error is None:
            try:
                self._read = _map_read(self._opts, self._show)
            except Exception as e:  # noqa: BLE001 - said by midi_setup, after the checks that come before it
                self._error = e
        return self._error is None


def early_midi(opts: RunOptions, show: Show | None, replaying: bool, read: MapRead) -> tuple[str, MidiMap] | None:
    """The MIDI input opened as vcam starts and the map its messages are kept for, as midi_setup has them (from
    `read`, the map read once as vcam starts), without a word; None where it opens none, or where --midi-map's map
    cannot be read (midi_setup says why, refusing the show)."""
    port = midi_port_wanted(opts, show, replaying)
    if port is None:
        return None
    if not read.readable():
        return None
    return port, read.get()[1] or clock_only()


def _map_read(opts: RunOptions, show: Show | None) -> tuple[Path | None, MidiMap | None]:
    """--midi-map's file and map, else no file and the show's map: None where the show maps no control."""
    if not opts.midi_map:
        return None, _shows_map(show)
    from vcam.control.midimap import map_named

    return map_named(opts.midi_map)


def _shows_map(show: Show | None) -> MidiMap | None:
    """The show's midi: section as a map, where it maps a control (one with a port alone maps none)."""
    return show.midi if show is not None and show.midi is not None and show.midi.maps_something() else None


def midi_setup(opts: RunOptions, show: Show | None, replaying: bool, say: Callable[[str], None],
               read: MapRead) -> tuple[str, MidiMap, Path | None] | None:
    """The MIDI input to open, its map and --midi-map's file where it gave the map (from `read`, the map read once),
    or None; VcamError before anything opens when the port or map is wrong."""
    given = None if opts.midi == NO_MIDI else opts.midi
    if replaying and (given or opts.midi_map):  # as --osc: a knob turned in a replay would make another show
        said = f"--midi {given}" if given else f"--midi-map {opts.midi_map}"
        say(f"{said} is not used while a control log is replayed (the log's commands are the show's)")
        return None
    port = midi_port_wanted(opts, show, replaying)
    if opts.midi is None and show is not None and show.midi_port and opts.serve and not replaying:
        # a server is usually a machine without the controller: it belongs to the camera's end
        flag, note = _port_anywhere(show.midi_port)
        say(f"the show's MIDI port {show.midi_port!r} is not opened by vcam serve: on the camera's "
            f"machine, run vcam cam … {flag} --midi-map MAP (the map the show names; controls written "
            f"in the show itself need to be in a map file there{note}), or pass --midi to open it on this "
            "machine")
    if port is None:
        _no_input(opts, show, replaying, say)
        return None
    from vcam.control.lateplug import require_midi_for

    require_midi_for(None if opts.midi else opts.show)  # the port itself may come later (MidiInput waits for it)
    path, mapping = read.get()
    if path is not None:
        for note in mapping.notes:
            say(note)
        if show is not None and (problems := missing_presets(show, mapping)):
            # said now: on air, each fader message would fail
            raise VcamError(f"MIDI map {path} does not fit this show: {'; '.join(problems)}",
                            f"name the show's presets and cues in {path} as the show does "
                            "(a preset may be named by its number there)")
        if (show is not None and show.midi is not None and show.midi.maps_something()
                and _mapped(show.midi) != _mapped(mapping)):
            # a section's own controls add to its map: file, and could be read as added to --midi-map's too
            say(f"--midi-map {opts.midi_map} is used over the show's midi: section "
                f"({show.midi.name or 'its own controls'}), whose controls do nothing in this run")
    if mapping is None:  # a DAW's port that carries MIDI clock: the tempo, and no knob or button
        where = ("controls: or map: in the show's midi: section map" if show is not None and show.midi is not None
                 else "a show's midi: section maps")
        say(f"MIDI input {port!r} has no map: it gives the tempo (MIDI clock) only; --midi-map {maps_offered()} or "
            f"{where} its knobs and buttons")
        mapping = clock_only()
    return port, mapping, path


def clock_only() -> MidiMap:
    """The map of a MIDI input that gives the tempo (MIDI clock) only: no knob or button."""
    from vcam.control.midimap import MidiMap

    return MidiMap("clock only")


def read_osc_map(opts: RunOptions, show: Show | None,
                 say: Callable[[str], None] | None = None) -> tuple[Path, OscMap] | None:
    """The map --osc-map gives the OSC input, which a reload of the show keeps, read and checked against the show
    before anything opens, its notes said; None where there is none, or no input."""
    if not opts.osc_map or opts.osc is None or opts.replay:
        return None
    from vcam.control.osc import read_map_file

    return read_map_file(opts.osc_map, show, say=say)


def make_osc_parts(opts: RunOptions, show: Show | None, controller: Controller, air: OnAir, given,
                   say: Callable[[str], None]) -> list:
    """OSC in (--osc, with --osc-map's map: `given`, its GivenMap, whose map in force the input reads) and the state
    out (--osc-reply), as parts of the show."""
    from vcam.control.osc import osc_parts

    return osc_parts(opts.osc, opts.osc_reply, opts.osc_map, show, controller, say,
                     tempo=controller.tempo, fps=lambda: air.pacer.stats.production_fps,
                     replaying=opts.replay is not None, osc_map=(lambda: given.mapping) if given else None)


def make_tempo(opts: RunOptions, say: Callable[[str], None]) -> tuple[Tempo, list]:
    """The show's tempo (bpm, tap, OSC and MIDI clock set it), and with --link the Ableton Link session that feeds
    it too (a missing aalink is said here, before anything opens)."""
    tempo = Tempo()
    if not opts.link:
        return tempo, []
    from vcam.control.abletonlink import LinkSession

    return tempo, [LinkSession(tempo, say)]


def make_quantizer(air: OnAir, producer: Generator, tempo: Tempo | None) -> Quantizer:
    """Changes on the beat: measures how far ahead of the camera the show works (the producer's blocks, the
    pacer's buffer); its `land` places the controller's quantised changes, its `status` the last one's offset."""
    quantizer = Quantizer(air.pacer, tempo)
    quantizer.attach(producer)
    return quantizer


def cue_list(show: Show | None, controller: Controller, producer: Generator, replaying: bool,
             say: Callable[[str], None], tempo: Tempo | None = None,
             lead: Callable[[], float] | None = None, duration: float | None = None,
             lands_at: Callable[[str], float | None] | None = None) -> CueList | None:
    """The show's cue list, handed to the controller (go, back) and started with the show; its `at` times count
    from the first block on air, as --duration (`duration`) does. None in a replay, which replays what the cues
    did and fires none itself."""
    if show is None or replaying:
        return None
    cues = CueList(show.cues, controller.handle_line, say, tempo=tempo, lead=lead, duration=duration,
                   lands_at=lands_at, quantize=lambda: controller.quantize)
    controller.cues = cues
    producer.listeners.append(lambda frames: cues.begin())
    return cues
