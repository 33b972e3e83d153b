"""Show files: an ordered list of presets, defaults, output settings, the MIDI and OSC mappings and a cue list,
read with line numbers.

    name: My show
    defaults: {seed: 42, steps: 4, transition: 4, fallback: fallback.png, input: camera, strength: 0.6,
               input_fit: crop, quantize: bar, bias: 1, bpm: 124}
    output: {size: 832x480, fps: 30, fit: letterbox, out: [vcam]}  # a file:PATH is relative to the show file
    presets:
      - name: neon city
        prompt: a slow drift through a neon city at night
      - name: dusk forest
        prompts: [{text: a forest at dusk, weight: 0.7}, {text: fireflies, weight: 0.3}]
        seed: 7
        transition: 8
        input: file:clips/walk.mp4   # file: and image: paths are relative to the show file
        strength: 0.4
        bias: 0.3                    # Krea's attention bias: leans less on the frames just made (1 = off)
    midi: {port: nanoKONTROL2, map: nanokontrol2}
    osc: {map: touchosc-simple, controls: [{address: /1/fader5, param: blend, between: [neon city, dusk forest]}]}
    cues:
      - {name: open, do: preset 1}
      - {name: walk, do: ["preset dusk forest", "strength 0.4 @bar"]}
      - {name: drop, do: next, at: {bar: 17}}   # fires by itself on bar 17 of the tempo
      - {name: fade, do: blackout, wait: 8}     # fires by itself 8 s after the cue before it
      - {name: end, do: live, at: "4:30"}       # fires by itself 4 min 30 s after the show goes on air

A preset without input:, strength: or bias: keeps what is on air when it is selected; the first preset's, else the
defaults', are those the show starts with. `quantize:` (beat, bar, a number of beats, or off, the default) puts
every command's change on the tempo's next boundary unless the command says otherwise (`next @off`); a knob's
moves act at once. `bpm:` is the tempo the show starts at, as `bpm N` sets it: a tap, a MIDI clock or Link takes
over from it as from the command's. `go` fires the next cue, `back` steps back and fires the one before
(vcam.control.cues); `loop: true` on the last cue starts the list over after it, in a list without `at:` cues.
presets/example.yaml names every key with what it does and its range; a key added here fails a test until it does.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vcam.bias import check_bias
from vcam.control.commands import (MAX_BPM, MAX_SEED, MIN_BPM, Command, blend_twice, parse_quantize,
                                   read_command)
from vcam.inspec import INPUT_FITS, InputSpec, parse_input
from vcam.outspec import FITS, check_recording_name, parse_spec
from vcam.sizes import check_size
from vcam.control.mapfiles import between_twice
from vcam.control.midimap import MidiMap, find_map_file, read_map
from vcam.control import oscmap
from vcam.control.yamlcheck import INVALID, ConfigError, Reader, read_file, read_text, top_keys, written_as
from vcam.errors import IMAGE_FIX, READ_FIX, VcamError, one_line


@dataclass(frozen=True)
class Preset:
    name: str
    prompts: dict[str, float]  # text -> weight
    seed: int | None = None
    transition: int | None = None
    fallback: str | None = None  # image path, resolved against the show file's folder
    input: str | None = None  # vcam.inspec's canonical form; a file or image as an absolute path
    strength: float | None = None
    bias: float | None = None


@dataclass(frozen=True)
class Defaults:
    seed: int = 0
    steps: int = 4
    transition: int = 4
    fallback: str | None = None
    # None: not given (vcam.live.settings.resolve falls back to none, crop and DEFAULT_STRENGTH)
    input: str | None = None
    strength: float | None = None
    bias: float | None = None  # None: not given (vcam.live.settings.resolve falls back to DEFAULT_BIAS)
    input_fit: str | None = None
    quantize: str = "off"  # when a command's change lands: commands.parse_quantize's forms
    bpm: float | None = None  # the tempo the show starts at, as `bpm N` sets it; None: none until one is given


@dataclass(frozen=True)
class OutputSettings:
    size: tuple[int, int] | None = None
    fps: float | None = None
    fit: str | None = None
    out: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Cue:
    """One step of a show's cue list: the commands GO (or the cue's time) runs, in order."""

    name: str  # as the show names it, else its first command as the show file writes it
    do: tuple[str, ...]  # command lines in their plain form (paths made whole), each parsed by commands.parse
    at_s: float | None = None  # fires by itself this many seconds after the show goes on air
    at_bar: int | None = None  # fires by itself when the tempo reaches this bar (1: the first)
    wait: float | None = None  # fires by itself this many seconds after the cue before it fired
    loop: bool = False  # the last cue only: after it the list starts over from cue 1 (vcam.control.cues)

    def timing(self) -> str:
        """When it fires by itself, in the words of a show file: "at 1:30", "at bar 17", "wait 8s"; "" for GO."""
        if self.at_s is not None:
            return f"at {clock_text(self.at_s)}"
        if self.at_bar is not None:
            return f"at bar {self.at_bar}"
        return f"wait {self.wait:g}s" if self.wait is not None else ""


def clock_text(seconds: float) -> str:
    """90 → "1:30", 90.5 → "1:30.5", 3725 → "1:02:05": a cue's time as a show file writes it."""
    whole = int(seconds)
    fraction = f"{seconds - whole:.3f}".rstrip("0").rstrip(".")[1:]  # ".5", or "" for whole seconds
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return (f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}") + fraction


@dataclass(frozen=True)
class Show:
    path: str
    name: str
    presets: tuple[Preset, ...]
    defaults: Defaults = field(default_factory=Defaults)
    output: OutputSettings = field(default_factory=OutputSettings)
    midi: MidiMap | None = None
    midi_port: str | None = None
    cues: tuple[Cue, ...] = ()
    osc: oscmap.OscMap | None = None  # what an OSC input (--osc) listens for beyond /vcam/<command>
    map_files: tuple[str, ...] = ()  # the map files its midi: and osc: sections build on (`map:`)
    # preset index by lower-case name: checking a map's references looks up every control's presets
    _by_name: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        by_name: dict[str, int] = {}
        for i, p in enumerate(self.presets):
            by_name.setdefault(p.name.lower(), i)
        object.__setattr__(self, "_by_name", by_name)

    def find(self, ref: str | int) -> int:
        """Index of a preset by 1-based number or by name (case-insensitive); KeyError saying what exists."""
        if isinstance(ref, int):
            if 1 <= ref <= len(self.presets):
                return ref - 1
            raise KeyError(f"no preset {ref}: this show has presets 1 to {len(self.presets)}")
        if ref.lower() in self._by_name:
            return self._by_name[ref.lower()]
        names = ", ".join(p.name for p in self.presets[:8]) + (", …" if len(self.presets) > 8 else "")
        raise KeyError(f"no preset named {ref!r}; presets: {names}")

    def prompts(self) -> list[str]:
        """Every prompt text of the show, for encoding ahead."""
        return list(dict.fromkeys(text for p in self.presets for text in p.prompts))


NULL_TAG = "tag:yaml.org,2002:null"
SHOW_KEYS = ("name", "defaults", "output", "presets", "midi", "osc", "cues")
OUTPUT_KEYS = ("size", "fps", "fit", "out")
PRESET_KEYS = ("name", "prompt", "prompts", "seed", "transition", "fallback", "input", "strength", "bias")
PROMPT_KEYS = ("text", "weight")  # an entry of a preset's prompts: list
DEFAULT_KEYS = ("seed", "steps", "transition", "fallback", "input", "strength", "bias", "input_fit", "quantize",
                "bpm")


def parse_show(text: str, path: str) -> Show:
    """A Show from YAML text; ConfigError listing every problem as file:line: message."""
    r = Reader(path)
    base = Path(path).resolve().parent
    root = r.compose(text)
    if root is None:
        if not r.problems:
            r.error(None, "the show file is empty; it needs at least a presets: list")
        r.raise_if_any()
    _refuse_a_map(r, root)
    top = r.mapping(root, "show", SHOW_KEYS, required=("presets",))
    name = (r.string(top["name"], "show name", 200) if "name" in top else None) or Path(path).stem

    defaults = _defaults(r, top["defaults"], base) if "defaults" in top else Defaults()

    output = OutputSettings()
    if "output" in top:
        o = r.mapping(top["output"], "output", OUTPUT_KEYS)
        output = OutputSettings(
            size=_size(r, o["size"]) if "size" in o else None,
            fps=r.number(o["fps"], "output fps", 1, 240) if "fps" in o else None,
            fit=r.choice(o["fit"], "output fit", FITS) if "fit" in o else None,
            out=_outs(r, o["out"], base) if "out" in o else None,
        )

    presets: list[Preset] = []
    seen: dict[str, tuple[int, str]] = {}  # by name in lower case: its number and its name as written
    before_presets = len(r.problems)
    for i, node in enumerate(r.sequence(top["presets"], "presets") if "presets" in top else []):
        p = r.mapping(node, f"preset {i + 1}", PRESET_KEYS, required=("name",))
        pname = _preset_name(r, p["name"], i) if "name" in p else None
        what = f"preset {pname!r}" if pname else f"preset {i + 1}"
        if pname:
            if pname.lower() in seen:
                r.error(p["name"], _name_taken(what, pname, *seen[pname.lower()]))
            else:
                seen[pname.lower()] = (i + 1, pname)
        prompts = _prompts(r, node, p, what)
        preset = Preset(
            name=pname or f"preset {i + 1}",
            prompts=prompts or {},
            seed=r.integer(p["seed"], f"{what} seed", 0, MAX_SEED) if "seed" in p else None,
            transition=r.integer(p["transition"], f"{what} transition", 0, 1000) if "transition" in p else None,
            fallback=_image(r, p["fallback"], f"{what} fallback", base) if "fallback" in p else None,
            input=_input(r, p["input"], f"{what} input", base) if "input" in p else None,
            strength=r.number(p["strength"], f"{what} strength", 0, 1) if "strength" in p else None,
            bias=_bias(r, p["bias"], f"{what} bias") if "bias" in p else None,
        )
        presets.append(preset)
    if "presets" in top and not presets and len(r.problems) == before_presets:
        r.error(top["presets"], "presets is empty; add at least one preset with a name and a prompt")

    # without presets (missing, empty, or not a list: said already), the names used elsewhere are not checked, or
    # each would be said missing from an empty list
    presets_read = len(r.problems) == before_presets and bool(presets)

    midi, port = None, None
    if "midi" in top:
        midi, port = read_map(r, top["midi"], "midi", base)
        # with a broken preset its name would look missing. The controls read are checked even where others (or
        # the map file under them) are broken, so that a reload does not hold back the next problem
        if presets_read:
            _check_preset_refs(r, Show(path, name, tuple(presets)), midi, top["midi"], base)
    # with a broken preset its name would look missing: the cues' commands are then checked without the presets
    cues = _cues(r, top["cues"], Show(path, name, tuple(presets)) if presets_read else None, base) \
        if "cues" in top else ()
    osc = _read_osc(r, top["osc"], base, Show(path, name, tuple(presets)) if presets_read else None) \
        if "osc" in top else None
    r.raise_if_any()
    maps = tuple(str(f) for key, find in (("midi", find_map_file), ("osc", oscmap.find_map_file))
                 if key in top and (f := _map_file(top[key], base, find)) is not None)
    return Show(path, name, tuple(presets), defaults, output, midi, port, cues=cues, osc=osc, map_files=maps)


def _map_file(node, base: Path, find) -> Path | None:
    """The map file a midi: or osc: section names (`map:`), found as read_map found it."""
    ref = _keys(node).get("map")
    return find(ref.value.strip(), base) if isinstance(ref, ScalarNode) and ref.value.strip() else None


def _read_osc(r: Reader, node, base: Path, show: Show | None) -> oscmap.OscMap:
    """The osc: section; the presets it names are checked against `show` (None: its presets could not be read,
    and a name would look missing). The entries read are checked even where others, or the map file under them,
    are broken: each entry knows its own line, and one left out for its problem names no preset here."""
    osc = oscmap.read_map(r, node, "osc", base)
    if show is not None:
        for file, line, problem in oscmap.missing_presets(show, osc, inline=show.path):
            r.add(file, line, f"osc: {problem}")
    return osc


def _refuse_a_map(r: Reader, root) -> None:
    """A MIDI or OSC map given where a show goes (`vcam check presets/midi/nanokontrol2.yaml`) is said as such, not
    as a show with unknown keys and no presets."""
    if written_as(root) != "map":
        return
    addresses = "ignore" in top_keys(root) or _any_address(root)
    kind, flag = ("an OSC map", "--osc-map") if addresses else ("a MIDI map", "--midi-map")
    section = "osc" if addresses else "midi"
    r.error(root, f"this is {kind} (controls:, no presets:), not a show; give it to vcam run {flag} FILE, or name "
                  f"it in a show's {section}: section (map: FILE) and check the show")
    r.raise_if_any()


def _any_address(root) -> bool:
    """Whether a map's controls: name OSC addresses."""
    for key, value in root.value:
        if getattr(key, "value", None) == "controls" and isinstance(value, SequenceNode):
            return any(isinstance(e, MappingNode) and any(getattr(k, "value", None) == "address" for k, _ in e.value)
                       for e in value.value)
    return False


def load_show(path: str | os.PathLike) -> Show:
    p = Path(path)
    return parse_show(read_file(p, "the show file"), str(p))


CUE_KEYS = ("name", "do", "at", "wait", "loop")
CUE_AT_KEYS = ("bar",)  # at: as a mapping, {bar: N}
# A list that loops by itself (a wait: on every cue) takes at least this long to go round: waits that add up to 0
# would fire cue after cue without end
MIN_LOOP_S = 1.0
MAX_CUE_SECONDS = 24 * 3600.0
MAX_BAR = 100_000
# Commands a cue cannot run: they are the operator's, not the show's (quit, which no file may give, is refused by
# read_command)
NOT_IN_CUES = {
    "go": "a cue cannot fire cues; give the next cue a wait: to follow this one by itself",
    "back": "a cue cannot step the cue list back",
    "status": "status only answers the operator; a cue changes the show",
    "help": "help only answers the operator; a cue changes the show",
}
CUE_AT = 'at: takes a time ("1:30", minutes:seconds after the show goes on air, or seconds) or {bar: N}'


def _cues(r: Reader, node, show: Show | None, base: Path) -> tuple[Cue, ...]:
    """The show's cue list; every command parsed, and checked against `show`'s presets when it is given."""
    cues: list[Cue] = []
    latest: dict = {"s": None, "bar": None}  # the latest at: of the cues read so far, and its cue
    entries = r.sequence(node, "cues")
    timed: list[tuple[str, Node]] = []  # the cues with an at:, and its node
    waits: list[float | None] = []  # each cue's wait:
    loop: Node | None = None  # the last cue's loop: true
    for i, item in enumerate(entries):
        c = r.mapping(item, f"cue {i + 1}", CUE_KEYS, required=("do",))
        cname = r.string(c["name"], f"cue {i + 1} name", 100) if "name" in c else None
        what = f"cue {i + 1} {cname!r}" if cname else f"cue {i + 1}"
        items = r.value(c["do"], f"{what} do") if "do" in c else None
        if isinstance(items, SequenceNode):
            lines = r.sequence(c["do"], f"{what} do")
            if not lines:
                r.error(c["do"], f"{what} do: the list is empty; give at least one command")
        else:
            lines = [c["do"]] if "do" in c else []
        read = [both for j, line in enumerate(lines)
                if (both := _cue_command(r, line, f"{what} do" + (f" {j + 1}" if len(lines) > 1 else ""), show,
                                         base)) is not None]  # (as written, as it runs)
        do = [plain for _, plain in read]
        if "at" in c and "wait" in c:
            r.error(c["wait"], f"{what}: give at: or wait:, not both (at: counts from the show's start, wait: "
                               "from the cue before)")
        at_s, at_bar = _cue_at(r, c["at"], what) if "at" in c else (None, None)
        wait = r.number(c["wait"], f"{what} wait", 0, MAX_CUE_SECONDS) if "wait" in c else None
        _refuse_a_moment_gone(r, c.get("at"), what, at_s, at_bar, latest)
        if at_s is not None and (latest["s"] is None or at_s > latest["s"][0]):
            latest["s"] = (at_s, what)
        if at_bar is not None and (latest["bar"] is None or at_bar > latest["bar"][0]):
            latest["bar"] = (at_bar, what)
        looped = _cue_loop(r, c["loop"], what, last=i == len(entries) - 1) if "loop" in c else False
        if looped:
            loop = c["loop"]
        if "at" in c:
            timed.append((what, c["at"]))
        waits.append(wait)
        if len(do) == len(lines) and lines:
            # unnamed: named by its first line as the show file writes it (a clip relative to the show), not
            # as it runs, whose path is whole: the name is shown wherever the cue list is, a client's state too
            cues.append(Cue(cname or read[0][0], tuple(do), at_s, at_bar, wait, looped))
    if loop is not None:
        _check_the_loop(r, loop, timed, waits)
    return tuple(cues)


def _cue_loop(r: Reader, node, what: str, last: bool) -> bool:
    """A cue's loop: true or false; true only on the last cue (after it the list starts over)."""
    v = r.value(node, f"{what} loop")
    if v is INVALID:
        return False
    if not isinstance(v, bool):
        r.error(node, f"{what} loop must be true or false")
        return False
    if v and not last:
        r.error(node, f"{what}: loop: true goes on the last cue: after it the list starts over from cue 1")
        return False
    return v


def _check_the_loop(r: Reader, node, timed: list[tuple[str, Node]], waits: list[float | None]) -> None:
    """A list that starts over: no cue in it has an at: (its moment comes once, so the second round would stop
    there for GO), and one that goes round by itself (every cue waits) takes a while to."""
    for what, at in timed:
        r.error(at, f"{what}: at: in a cue list that loops (loop: true): its moment comes once, so the second "
                    "round would stop here until GO; time it with wait: (from the cue before) or leave it to GO")
    if waits and all(w is not None for w in waits) and sum(waits) < MIN_LOOP_S:
        r.error(node, f"the cue list loops by itself (every cue has a wait:) and its waits add up to "
                      f"{sum(waits):g} s; give them {MIN_LOOP_S:g} s or more, or it fires cue after cue without a "
                      "pause")


def _refuse_a_moment_gone(r: Reader, node, what: str, at_s: float | None, at_bar: int | None,
                          latest: dict) -> None:
    """An at: before one of a cue above it: firing at its moment, it skips that cue, whose own moment then comes
    when the list has passed it, so it never fires by itself (a list ended minutes early). `latest`: the latest
    time and bar of the cues above, with the cue that has it."""
    for mine, key, shown in ((at_s, "s", clock_text), (at_bar, "bar", lambda bar: f"bar {bar}")):
        before = latest[key]
        if mine is not None and before is not None and mine < before[0]:
            r.error(node, f"{what} at {shown(mine)} comes before {before[1]} above it, at {shown(before[0])}, which "
                          "it would skip (a cue whose moment has passed never fires by itself); put the cues in "
                          "the order of their times")


def _cue_command(r: Reader, node, what: str, show: Show | None, base: Path) -> tuple[str, str] | None:
    """One command of a cue as written (its paths as the show file spells them) and in its plain form (paths made
    whole), or None after recording why it is no command a cue can run."""
    cmd = read_command(r, node, what)
    if cmd is None:
        return None
    written = str(cmd)
    if cmd.name in NOT_IN_CUES:
        r.error(node, f"{what}: {cmd.name} is not allowed in a cue: {NOT_IN_CUES[cmd.name]}")
        return None
    if cmd.name == "input":  # a clip or still named in a show is found next to it, like a preset's
        spec = _found(r, node, what, parse_input(cmd.args[0]), base)
        if spec is None:
            return None
        cmd = Command("input", (str(spec),), cmd.at)
    for ref in (_presets_named(cmd) if show is not None else ()):
        try:
            show.find(ref)
        except KeyError as e:
            r.error(node, f"{what}: {cmd}: {e.args[0]}")
            return None
    if show is not None and (twice := blend_twice(show, cmd)):
        r.error(node, f"{what}: {twice}")
        return None
    return written, str(cmd)


def _cue_at(r: Reader, node, what: str) -> tuple[float | None, int | None]:
    """A cue's at: as (seconds after the show goes on air, None) or (None, bar)."""
    if isinstance(node, MappingNode):
        m = r.mapping(node, f"{what} at", CUE_AT_KEYS, required=("bar",))
        return None, (r.integer(m["bar"], f"{what} at bar", 1, MAX_BAR) if "bar" in m else None)
    v = r.value(node, f"{what} at")
    if v is INVALID:
        return None, None
    seconds = _clock_seconds(v)
    if seconds is None:
        r.error(node, f"{what}: {CUE_AT}, not {node.value if isinstance(node, ScalarNode) else 'a list'}")
    elif not 0 <= seconds <= MAX_CUE_SECONDS:
        r.error(node, f"{what} at {node.value} is out of range (0 to {clock_text(MAX_CUE_SECONDS)})")
        seconds = None
    return seconds, None


def _clock_seconds(v) -> float | None:
    """Seconds from a number or from "m:ss", "h:mm:ss" (YAML reads an unquoted 1:30 as 90 itself)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if v == v else None
    if not isinstance(v, str):
        return None
    parts = v.strip().split(":")
    if len(parts) > 3:
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    if any(n < 0 or n != n for n in numbers) or any(n >= 60 for n in numbers[1:]):
        return None
    total = 0.0
    for n in numbers:
        total = total * 60 + n
    return total


def missing_presets(show: Show, midi: MidiMap) -> list[str]:
    """What a MIDI map given apart from the show (`--midi-map FILE`) names that does not fit the show, each with its
    line, as the show's own check says it of a map file its midi: section names: the presets of its knobs'
    `between` and its buttons' commands by name (numbers on buttons are left alone, as in a show's map), and a
    knob's or a button's blend that names one preset twice (by number and by name)."""
    problems = []
    refs = [(k.where, f"knob cc {k.cc} between", ref) for k in midi.knobs if k.between for ref in k.between]
    for b in midi.buttons:
        refs += [(b.where, f"button {str(b.command)!r}", ref) for ref in _presets_named(b.command)
                 if isinstance(ref, str)]
    for where, what, ref in refs:
        try:
            show.find(ref)
        except KeyError as e:
            problems.append((where, f"{what}: {e.args[0]}"))
    problems += [(k.where, f"knob cc {k.cc} between {twice}") for k in midi.knobs
                 if k.between and (twice := between_twice(show, k.between))]
    problems += [(b.where, f"button {twice}") for b in midi.buttons if (twice := blend_twice(show, b.command))]
    return [f"line {line}: {problem}" if line else problem
            for (_, line), problem in sorted(problems, key=lambda p: p[0][1])]


def _check_preset_refs(r: Reader, show: Show, midi: MidiMap, node, base: Path) -> None:
    """Every preset a knob's `between` or a button's command names must be in this show, and a knob's two ends
    must be two presets.

    A misspelt `between` would otherwise fail on every fader message, many times a second, on air. Preset
    numbers on buttons of a map file are left alone: map files lay out fixed rows of preset buttons (the shipped
    ones 1 to 8 or 16) for shows of any length, and a button past the end answers once per press.
    """
    knob_at, button_at = _entries_of(r, midi, node, base)

    def missing(ref, entry: _Entry, line_node, what: str) -> None:
        if isinstance(ref, bool) or not isinstance(ref, (str, int)):  # YAML read yes/off/1.5/null as such
            shown = line_node.value if isinstance(line_node, ScalarNode) else repr(ref)
            reason = f"{shown} is not a preset name or number; quote a name"
        else:
            try:
                show.find(ref)
                return
            except KeyError as e:
                reason = e.args[0]
        line = (line_node if line_node is not None else node).start_mark.line + 1
        r.add(entry.path, line, f"{entry.what} {what}: {reason}")

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
        for ref in _presets_named(button.command):
            if isinstance(ref, str) or entry.inline:
                missing(ref, entry, entry.keys.get("command"), f"command {str(button.command)!r}")
        if twice := blend_twice(show, button.command):
            at = entry.keys.get("command")
            r.add(entry.path, (at if at is not None else node).start_mark.line + 1, f"{entry.what} command {twice}")


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
            knob_entries = [_written_at(r.path, knob_entries, inline, "knob", "cc", c.cc) for c in knobs]
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


def _presets_named(cmd) -> tuple:
    """The presets a button's command names: `preset A`, or both sides of `blend A B x`."""
    return cmd.args[:1] if cmd.name == "preset" else cmd.args[:2] if cmd.name == "blend" else ()


@dataclass(frozen=True)
class _Entry:
    path: str  # the file the control is written in
    what: str  # how read_map names it in messages
    keys: dict  # key -> value node
    inline: bool  # written in the show itself rather than in a map file


def _control_entries(path: str, node, base: Path, where: str, inline: bool, seen: set) -> list[_Entry]:
    """The controls of a midi: section or map file in the order read_map puts them into the map: those of the
    map it names first, then its own."""
    keys = _keys(node)
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
        entries.append(_Entry(path, f"{where} control {i + 1}", _keys(entry), inline))
    return entries


def _keys(node) -> dict:
    """A mapping node's values by key, without reporting anything (read_map has checked the section)."""
    if not isinstance(node, MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}


def _name_taken(what: str, name: str, number: int, first: str) -> str:
    """A preset named as one before it: `Neon` after `neon` too, since `preset neon` picks either case, which is
    said where the two are written differently (else the line reads as two names that differ)."""
    case = f" {first!r} (a name is the same whatever its case)" if first != name else ""
    return f"{what}: the name is already used by preset {number}{case}; names must differ"


def _preset_name(r: Reader, node, i: int) -> str | None:
    """A preset's name, or None after saying why not. A name of digits alone, quoted or not, is refused in one
    message: `preset 3` selects by position, so quoting it (the usual fix for YAML's numbers) would not help."""
    if isinstance(node, ScalarNode) and node.value.strip().isdigit():
        digits = node.value.strip()
        r.error(node, f"preset {i + 1}: the name {digits!r} cannot be a plain number (numbers select presets by "
                      f"position); add a word, like 'scene {digits}'")
        return None
    return r.string(node, f"preset {i + 1} name", 100)


def _prompts(r: Reader, node, p: dict, what: str) -> dict[str, float] | None:
    if ("prompt" in p) == ("prompts" in p):
        r.error(node, f"{what}: give either prompt (one text) or prompts (a weighted list)")
        return None
    if "prompt" in p:
        text = r.string(p["prompt"], f"{what} prompt")
        return {text: 1.0} if text else None
    out: dict[str, float] = {}
    for j, item in enumerate(r.sequence(p["prompts"], f"{what} prompts")):
        e = r.mapping(item, f"{what} prompt {j + 1}", PROMPT_KEYS, required=("text",))
        text = r.string(e["text"], f"{what} prompt {j + 1} text") if "text" in e else None
        weight = r.number(e["weight"], f"{what} prompt {j + 1} weight", 0, 100) if "weight" in e else 1.0
        if text and weight is not None:
            out[text] = out.get(text, 0.0) + weight
    if out and sum(out.values()) <= 0:
        r.error(p["prompts"], f"{what}: the weights add up to 0; give at least one a weight above 0")
        return None
    if not out and not r.problems:
        r.error(p["prompts"], f"{what}: prompts is empty")
    return out or None


def _defaults(r: Reader, node, base: Path) -> Defaults:
    d = r.mapping(node, "defaults", DEFAULT_KEYS)
    return Defaults(
        seed=r.integer(d["seed"], "defaults seed", 0, MAX_SEED) if "seed" in d else 0,
        steps=r.integer(d["steps"], "defaults steps", 1, 50) if "steps" in d else 4,
        transition=r.integer(d["transition"], "defaults transition", 0, 1000) if "transition" in d else 4,
        fallback=_image(r, d["fallback"], "defaults fallback", base) if "fallback" in d else None,
        input=_input(r, d["input"], "defaults input", base) if "input" in d else None,
        strength=r.number(d["strength"], "defaults strength", 0, 1) if "strength" in d else None,
        bias=_bias(r, d["bias"], "defaults bias") if "bias" in d else None,
        input_fit=r.choice(d["input_fit"], "defaults input_fit", INPUT_FITS) if "input_fit" in d else None,
        quantize=_quantize(r, d["quantize"]) if "quantize" in d else "off",
        bpm=r.number(d["bpm"], "defaults bpm", MIN_BPM, MAX_BPM) if "bpm" in d else None,  # as the command takes
    )


def _bias(r: Reader, node, what: str) -> float | None:
    v = r.value(node, what)
    if v is INVALID:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        r.error(node, f"{what} must be a number above 0 and at most 1 (1 = off)")
        return None
    try:
        return check_bias(v)
    except ValueError as e:
        r.error(node, f"{what}: {e}")
        return None


def _quantize(r: Reader, node) -> str:
    """beat, bar, a number of beats or off (YAML reads an unquoted off as false and 2 as a number)."""
    v = r.value(node, "defaults quantize")
    if v is INVALID or v is False:
        return "off"
    try:
        if isinstance(v, bool) or not isinstance(v, (str, int, float)):
            shown = node.value if isinstance(node, ScalarNode) else "a list or mapping"
            raise ValueError(f"quantize takes beat, bar, a number of beats or off, not {shown}")
        return parse_quantize(str(v))
    except ValueError as e:
        r.error(node, f"defaults {e}")
        return "off"


def _size(r: Reader, node) -> tuple[int, int] | None:
    v = r.value(node, "output size")
    if v is INVALID:
        return None
    try:
        if not isinstance(v, (str, int)):  # a list or mapping ([832, 480]) is the node itself, not its text
            raise ValueError
        w, h = (int(x) for x in str(v).lower().split("x"))
    except ValueError:
        got = f"got {v!r}" if isinstance(v, (str, int, float)) else "got a list" if isinstance(v, SequenceNode) \
            else "got a mapping"
        r.error(node, f"output size must be WIDTHxHEIGHT, like 832x480 ({got})")
        return None
    try:
        check_size(w, h)
    except ValueError as e:
        r.error(node, f"output {e}")
        return None
    return w, h


def _outs(r: Reader, node, base: Path) -> tuple[str, ...] | None:
    """The outputs in their written form, a recording's path made whole: found relative to the show's folder, as
    its clips and images are, not to wherever the show was started from."""
    items = r.sequence(node, "output out")
    outs = []
    for item in items:
        if isinstance(item, ScalarNode) and item.tag == NULL_TAG and item.value.lower() == "null":
            # unquoted, null is YAML's null; the null output is what the writer means
            outs.append("null")
            continue
        text = r.string(item, "output out entry", 500)
        if text is None:
            continue
        try:
            spec = parse_spec(text)
            if spec.kind == "file" and not (base / os.path.expanduser(spec.target)).exists():
                # by its line, as the show writes it; a file there already may be one the show reads, which the
                # start's check of clashes names, saying more than its extension does
                check_recording_name(spec.target)
        except VcamError as e:
            r.error(item, f"output {text}: {one_line(e)}")
            continue
        except ValueError as e:
            r.error(item, str(e))
            continue
        if spec.kind == "file":
            text = str(replace(spec, target=str(base / os.path.expanduser(spec.target))))
        outs.append(text)
    return tuple(outs)


def _input(r: Reader, node, what: str, base: Path) -> str | None:
    """An input in its canonical form; a file or image must exist, found relative to the show's folder."""
    text = r.string(node, what, 1000)
    if text is None:
        return None
    try:
        spec = _found(r, node, what, parse_input(text), base)
    except ValueError as e:
        r.error(node, f"{what}: {e}")
        return None
    return str(spec) if spec is not None else None


def _found(r: Reader, node, what: str, written: InputSpec, base: Path) -> InputSpec | None:
    """An input with its file or image found relative to the show's folder and made whole; None after recording
    that the file is missing, or that an image: is no image vcam can read."""
    if written.kind not in ("file", "image"):
        return written
    path = Path(os.path.expanduser(written.relative_to(str(base)).target)).resolve()
    named = f"{written.kind} {written.target}"
    if not _usable(r, node, f"{what}: {named}", path, still=written.kind == "image",
                   not_still=f"{what}: {named}", hint=" (a video is file:PATH)"):
        return None
    return InputSpec(written.kind, str(path))


def _image(r: Reader, node, what: str, base: Path) -> str | None:
    text = r.string(node, what, 1000)
    if text is None:
        return None
    path = (base / text).resolve()
    if not _usable(r, node, f"{what}: image {text}", path, still=True, not_still=f"{what}: {text}"):
        return None
    return str(path)


def _usable(r: Reader, node, named: str, path: Path, still: bool, not_still: str, hint: str = "") -> bool:
    """Whether the file a show names is there, readable and, for a still, an image vcam can read; else records
    which, `named` (or `not_still`) saying where in the show it was named."""
    if path.is_dir():
        r.error(node, f"{named} is a folder (looked at {path}); name a file in it")
    elif not path.is_file():
        r.error(node, f"{named} not found (looked at {path})")
    elif not os.access(path, os.R_OK):
        r.error(node, f"{named} cannot be read (looked at {path}); {READ_FIX}")
    elif still and not _decodes(path):
        r.error(node, f"{not_still} is not an image vcam can read (looked at {path}); {IMAGE_FIX}{hint}")
    else:
        return True
    return False


def _decodes(path: Path) -> bool:
    """Whether OpenCV decodes the file as a still, as `vcam run` will: a clip or a text file named as an image
    would pass a check that only looks for the file, and stop the run (or the stall's picture) later. Decoded at an
    eighth of its size, which JPEG does without decoding the whole; in full where that cannot be (OpenCV refuses
    to reduce an image under 8 pixels a side, such as a 1x1 PNG for a plain colour, which `vcam run` reads)."""
    import cv2  # only for a show that names an image

    try:
        return cv2.imread(str(path), cv2.IMREAD_REDUCED_COLOR_8) is not None
    except cv2.error:
        return cv2.imread(str(path), cv2.IMREAD_COLOR) is not None


# `vcam check` lists a preset on one line of at most SUMMARY_COLUMNS where its name and settings leave the room; a
# prompt gets MIN_PROMPT_COLUMNS at least, and the line shows MIN_DIFFERING characters past the opening it shares
# with another prompt, else that opening is left out: cut at the room alone, prompts that open alike look the same
SUMMARY_COLUMNS = 100
MIN_PROMPT_COLUMNS = 24
MIN_DIFFERING = 24
LEFT_OUT = "…"
CLAUSE_END = re.compile(r"[,.;:!?]\s+")


def preset_lines(show: Show, columns: int = SUMMARY_COLUMNS) -> list[str]:
    """The presets as `vcam check` lists them, one line each (`   3. name: prompt, seed 7`). Where prompts share an
    opening too long for the line to reach what differs (restyle-camera.yaml's all describe the webcam's picture
    first), each shows from where it differs, marked with … at its start, and a line before them says the opening."""
    shared = shared_openings(text for p in show.presets for text in p.prompts)
    lines: list[str] = []
    openings: list[str] = []
    for i, p in enumerate(show.presets, 1):
        head = f"  {i:2d}. {p.name}: "
        extras = "".join(f", {k} {v}" for k, v in (("seed", p.seed), ("transition", p.transition),
                                                  ("input", p.input), ("strength", p.strength),
                                                  ("bias", p.bias)) if v is not None)
        weights = [f" ×{w:g}" if len(p.prompts) > 1 else "" for w in p.prompts.values()]
        room = columns - len(head) - len(extras) - sum(map(len, weights)) - len(" + ") * (len(p.prompts) - 1)
        shown = []
        for text, weight, width in zip(p.prompts, weights, _shares([len(t) for t in p.prompts], room)):
            cut = opening_to_skip(text, shared.get(text, 0), width)
            if cut:
                openings.append(text[:cut].rstrip())
            shown.append((LEFT_OUT + clipped(text[cut:], width - 1) if cut else clipped(text, width)) + weight)
        lines.append(head + " + ".join(shown) + extras)
    said = [clipped(f"  shared opening ({LEFT_OUT}): {o}", columns) for o in _shortest_openings(openings)]
    return said + lines


def _shares(lengths: list[int], room: int) -> list[int]:
    """The columns each of a preset's prompts gets of `room`: an even share, where a shorter one leaves the rest of
    its share to the others; MIN_PROMPT_COLUMNS at least."""
    widths = [0] * len(lengths)
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    for k, i in enumerate(order):
        share = max(MIN_PROMPT_COLUMNS, room // (len(lengths) - k))
        widths[i] = min(lengths[i], share)
        room -= widths[i]
    return widths


def shared_openings(texts: Iterable[str]) -> dict[str, int]:
    """Each text's longest opening, in characters, that another of the texts opens with too (0 for none)."""
    ordered = sorted(set(texts))
    # in sorted order the text sharing the longest opening with one is beside it
    return {text: max((len(os.path.commonprefix([text, other])) for other in ordered[max(i - 1, 0):i + 2]
                       if other is not text), default=0)
            for i, text in enumerate(ordered)}


def opening_to_skip(text: str, shared: int, width: int) -> int:
    """How many characters of `text` to leave out before showing it in `width` columns, so that what differs from
    the prompt it shares `shared` characters with shows: none where all of it shows or the difference does, else up
    to the end of the shared opening's last clause (", " and the like), or of its last word where that clause ends
    too early for the difference to show."""
    if len(text) <= width or shared <= width - 1 - MIN_DIFFERING:
        return 0
    keep = width - 1 - len(LEFT_OUT) - MIN_DIFFERING  # of the shared opening, what may still show after …
    clauses = [m.end() for m in CLAUSE_END.finditer(text, 0, shared)]
    if clauses and shared - clauses[-1] <= keep:
        return clauses[-1]
    space = text.rfind(" ", 0, shared)
    return space + 1 if space >= 0 else shared


def clipped(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut after a word where one ends late enough, … marking the cut."""
    if len(text) <= width:
        return text
    space = text.rfind(" ", 0, width)
    end = space if space >= width * 2 // 3 else width - len(LEFT_OUT)
    return text[:end].rstrip(" ,;:.") + LEFT_OUT


def _shortest_openings(openings: list[str]) -> list[str]:
    """The openings left out, in order, without those that go on from a shorter one: said once, it names them."""
    unique = list(dict.fromkeys(openings))
    return [o for o in unique if not any(o != other and o.startswith(other) for other in unique)]
