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

Read here, but for the parts with rules of their own: cues: and its Cue (cuesheet.py), midi: and osc: (midimap.py
and oscmap.py; the presets a MIDI map names are checked against the show in midirefs.py) and the files a show names
(showpaths.py). `vcam check` lists the presets through presetlines.py.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vcam.bias import check_bias
from vcam.control.commands import (DRAWN_SEEDS, MAX_BPM, MAX_QUANTIZE_BEATS, MAX_SEED, MAX_TRANSITION, MIN_BPM,
                                   MIN_QUANTIZE_BEATS, NAME_FOLDS, NO_DRAWN_SEED, QUANTIZE_FORMS, SHOWN_CHARS,
                                   blank_prompt, blank_said, folded, keyed_names, name_key, parse_quantize,
                                   preset_index)
from vcam.control.cuesheet import CUE_AT_KEYS, CUE_KEYS, Cue, idle_without_cues, read_cues
from vcam.control.numberreadings import blocks_meant
from vcam.control.presethints import PresetNames, preset_hint
from vcam.control.replies import Hint, Missing
from vcam.control.quotes import CURLY_APOSTROPHES, DOUBLE_QUOTES, TYPOGRAPHIC_PAIR, YAML_CURLY_PAIRS
from vcam.inspec import INPUT_FITS
from vcam.outspec import FITS, MAX_FPS, MIN_FPS, check_recording_name, fraction_fps, parse_spec
from vcam.outspec import KINDS as OUTPUT_KINDS
from vcam.sizes import check_size, checked_size, meant_size, no_size, not_a_size, width_height
from vcam.control.mapfiles import map_kind
from vcam.control.midimap import MidiMap, find_map_file, read_map
from vcam.control.midirefs import check_cue_refs, check_preset_refs
from vcam.control import oscmap
from vcam.control.showpaths import read_image, read_input
from vcam.control.yamlcheck import INVALID, Reader, constructed, key_nodes, written_as
from vcam.control.yamlfiles import read_file
from vcam.control.yamlflows import item_loads
from vcam.control.yamlnumbers import as_written, number_written_as
from vcam.control.yamlkeys import KeysRunTogether
from vcam.control.yamlproblems import in_line_order
from vcam.control.yamllines import COLON_SLIPS
from vcam.control.yamlwrite import NULL_TAG, STR_TAG, flow_yaml
from vcam.errors import VcamError, one_line
from vcam.words import as_typed, clipped, nearest, plain, quoted, shell_word


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
    # a whole number the file writes in hex or binary, by key, as vcam check says it (`0x10 (16)`): said as 16
    # alone, the list named a number written nowhere in the file
    written: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


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
    written: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  # as Preset's


@dataclass(frozen=True)
class OutputSettings:
    size: tuple[int, int] | None = None
    fps: float | None = None
    fit: str | None = None
    out: tuple[str, ...] | None = None


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
    # 'file:line: …' of what plays but does nothing as written (a go button with no cues): vcam check and the run's
    # start say them, where a refusal stopped a show that had played
    notes: tuple[str, ...] = field(default=(), compare=False)
    # preset index by name_key: checking a map's references looks up every control's presets
    _by_name: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_by_name", keyed_names(p.name for p in self.presets))

    def find(self, ref: str | int) -> int:
        """Index of a preset by 1-based number or by name (case-insensitive); KeyError saying what exists (a
        Missing, whose hint is the line it offers)."""
        if (index := preset_index(len(self.presets), self._by_name, ref)) is not None:
            return index
        if isinstance(ref, int):
            # as a cue's number is said: "presets 1 to 1" where there is one
            has = f"presets 1 to {len(self.presets)}" if len(self.presets) > 1 else "preset 1"
            raise KeyError(Missing(f"no preset {ref}: this show has {has}"))
        names = ", ".join(p.name for p in self.presets[:8]) + (", …" if len(self.presets) > 8 else "")
        # a name sent over the network may run to thousands of characters: said back cut, as a typed word is
        hint = self._meant(ref)
        named = quoted(clipped(ref, SHOWN_CHARS + 1))
        listed = f"; presets: {names}"
        raise KeyError(Missing(f"no preset named {named}{hint}{listed}", hint, listed))

    def blend_meant(self, ref: str) -> str | None:
        """`preset city ocean`, `preset city & ocean`: the blend line of the two presets the words name, as the
        refusal of `preset REF` offers it (PresetNames.blend_meant); None where they name no two."""
        return self._names().blend_meant(ref)

    def named(self, name: str) -> int | None:
        """Index of the preset named `name` (case-insensitive), None where none is: a plain look-up, for a check
        that wants no message (find's suggests the name meant). `name` is read as the show's names are
        (_preset_name): a map's `between`, which no command line carries, names a preset written with a no-break
        space as the show file writes it."""
        return self._by_name.get(name_key(name))

    def _meant(self, ref: str) -> Hint:
        """What the refusal of `ref`, a name no preset has, offers in its place (presethints.preset_hint)."""
        return preset_hint(ref, self._names())

    def _names(self) -> PresetNames:
        """The presets by name, as a refusal reads them."""
        return PresetNames([p.name for p in self.presets], self._by_name)

    def prompts(self) -> list[str]:
        """Every prompt text of the show, for encoding ahead."""
        return list(dict.fromkeys(text for p in self.presets for text in p.prompts))


# YAML 1.1's hex integers unsigned: 0x480 unquoted is the number 1152, read as the WIDTHxHEIGHT written. One with a
# sign (-0x10) is no size either way, said back as written
HEX = re.compile(r"0x[0-9a-fA-F_]+")
SHOW_KEYS = ("name", "defaults", "output", "presets", "midi", "osc", "cues")
OUTPUT_KEYS = ("size", "fps", "fit", "out")
PRESET_KEYS = ("name", "prompt", "prompts", "seed", "transition", "fallback", "input", "strength", "bias")
# what a preset offered for a slip shows where the author's own name and prompt are not known
_PRESET_BLANKS = MappingProxyType({"name": "NAME", "prompt": "TEXT"})
# a preset's keys run together on one line (`- name:neon, prompt:x`), offered as an entry: the keys a number is
# written for, a name and a prompt to fill in where missing, and a prompts: list never offered on one line
_PRESET_RUN = KeysRunTogether(PRESET_KEYS, ("seed", "transition", "strength", "bias"), _PRESET_BLANKS,
                              refused=("prompts",))
PROMPT_KEYS = ("text", "weight")  # an entry of a preset's prompts: list
MAX_WEIGHT = 100  # a prompt's weight, from 0
DEFAULT_KEYS = ("seed", "steps", "transition", "fallback", "input", "strength", "bias", "input_fit", "quantize",
                "bpm")
# every key a show's mappings take: a list item's word is read as a key (`- name:`) only among them
_KEY_GROUPS = (SHOW_KEYS, OUTPUT_KEYS, PRESET_KEYS, PROMPT_KEYS, DEFAULT_KEYS, CUE_KEYS, CUE_AT_KEYS)
_ALL_KEYS = tuple(key for group in _KEY_GROUPS for key in group)
# Keys of a section written at the show's top, said with the section that takes them
MISPLACED_TOP_KEYS = {**{k: "output:" for k in OUTPUT_KEYS},
                      **{k: "defaults: (or a preset)" if k in PRESET_KEYS else "defaults:" for k in DEFAULT_KEYS},
                      "prompt": "a preset (presets: - {name: ..., prompt: ...})",
                      "prompts": "a preset (presets: - {name: ..., prompts: [...]})"}


def parse_show(text: str, path: str) -> Show:
    """A Show from YAML text; ConfigError listing every problem as file:line: message."""
    r = Reader(path)
    base = Path(path).resolve().parent
    _refuse_a_control_log(r, text, path)
    root = r.compose(text, SHOW_KEYS, _ALL_KEYS, _KEY_GROUPS)
    if root is None:
        if not r.problems:
            r.error(None, "the show file is empty; it needs at least a presets: list")
        r.raise_if_any()
    _refuse_no_show(r, root)
    top = r.mapping(root, "show", SHOW_KEYS, required=("presets",), elsewhere=MISPLACED_TOP_KEYS)
    name = (r.string(top["name"], "show name", 200) if "name" in top else None) or Path(path).stem

    defaults = _defaults(r, top["defaults"], base) if "defaults" in top else Defaults()

    output = OutputSettings()
    if "output" in top:
        o = r.mapping(top["output"], "output", OUTPUT_KEYS)
        output = OutputSettings(
            size=_size(r, o["size"]) if "size" in o else None,
            fps=_fps(r, o["fps"]) if "fps" in o else None,
            fit=r.choice(o["fit"], "output fit", FITS) if "fit" in o else None,
            out=_outs(r, o["out"], base) if "out" in o else None,
        )

    presets: list[Preset] = []
    # by name as names are compared: its number, its name as written and its line
    seen: dict[str, tuple[int, str, int]] = {}
    before_presets = len(r.problems)
    listed = "presets" in top and not _presets_by_name(r, top["presets"])
    for i, node in enumerate(r.sequence(top["presets"], "presets") if listed else []):
        if _a_prompt_alone(r, node, i):
            continue
        p = r.mapping(_without_a_prompt_key(r, node, i), f"preset {i + 1}", PRESET_KEYS, required=("name",))
        pname = _preset_name(r, p["name"], i) if "name" in p else None
        what = f"preset {quoted(pname)}" if pname else f"preset {i + 1}"
        if pname:
            if name_key(pname) in seen:
                r.error(p["name"], _name_taken(what, pname, *seen[name_key(pname)]))
            else:
                seen[name_key(pname)] = (i + 1, pname, p["name"].start_mark.line + 1)
        prompts = _prompts(r, node, p, what)
        preset = Preset(
            name=pname or f"preset {i + 1}",
            prompts=prompts or {},
            seed=_seed(r, p["seed"], f"{what} seed", "keep the seed on air") if "seed" in p else None,
            transition=_transition(r, p["transition"], f"{what} transition") if "transition" in p else None,
            fallback=read_image(r, p["fallback"], f"{what} fallback", base) if "fallback" in p else None,
            input=read_input(r, p["input"], f"{what} input", base) if "input" in p else None,
            strength=r.number(p["strength"], f"{what} strength", 0, 1) if "strength" in p else None,
            bias=_bias(r, p["bias"], f"{what} bias") if "bias" in p else None,
        )
        presets.append(replace(preset, written=_written(p, preset)))
    if "presets" in top and not presets and len(r.problems) == before_presets:
        r.error(top["presets"], "presets is empty; add at least one preset with a name and a prompt")

    # without presets (missing, empty, or not a list: said already), the names used elsewhere are not checked, or
    # each would be said missing from an empty list
    presets_read = len(r.problems) == before_presets and bool(presets)

    r.cue_names.update(_cue_names_written(top.get("cues")))
    midi, port, cues, cues_read = _midi_and_cues(r, top, Show(path, name, tuple(presets)), presets_read, base)
    osc = _read_osc(r, top["osc"], base, Show(path, name, tuple(presets), cues=cues_read or ()) if presets_read
                    else None, cues_read is not None) if "osc" in top else None
    # found in passes (the midi: section's entries, then the presets and cues they name; the cues; the osc:
    # section): said in the order found, line 135 came before line 120, and top down they were met out of turn
    r.problems[:] = in_line_order(r.problems, first=r.path)
    r.raise_if_any()
    return Show(path, name, tuple(presets), defaults, output, midi, port, cues=cues, osc=osc,
                map_files=_map_files(top, base), notes=tuple(in_line_order(r.notes, first=r.path)))


def _cue_names_written(node) -> set[str]:
    """The name_key of each cue name written in the cues: list `node`, read before the midi: section, whose controls
    may be offered a cue of their own (Reader.cue_names), and before the cues are."""
    entries = node.value if isinstance(node, SequenceNode) else []
    return {name_key(str(v.value)) for e in entries if isinstance(e, MappingNode)
            for k, v in e.value if isinstance(k, ScalarNode) and k.value == "name" and isinstance(v, ScalarNode)}


def _midi_and_cues(r: Reader, top: dict, show: Show, presets_read: bool, base: Path) -> tuple:
    """The midi: section's map and port, the show's cues and the same where they read (_cue_list)."""
    midi, port = None, None
    if "midi" in top:
        midi, port = read_map(r, top["midi"], "midi", base)
        # with a broken preset its name would look missing. The controls read are checked even where others (or
        # the map file under them) are broken, so that a reload does not hold back the next problem
        if presets_read:
            check_preset_refs(r, show, midi, top["midi"], base)
    # with a broken preset its name would look missing: the cues' commands are then checked without the presets
    cues, cues_read = _cue_list(r, top, show if presets_read else None, base)
    if midi is not None and cues_read is not None:
        check_cue_refs(r, cues_read, midi, top["midi"], base)
    return midi, port, cues, cues_read


def _cue_list(r: Reader, top: dict, show: Show | None, base: Path) -> tuple[tuple, tuple | None]:
    """The show's cues, and the same where the cues: section was read without a problem (else None: a cue broken and
    left out, or its name not read, would look missing to a button's `go`; the buttons are checked once it reads)."""
    before = len(r.problems)
    cues = read_cues(r, top["cues"], show, base) if "cues" in top else ()
    return cues, cues if len(r.problems) == before else None


def _map_files(top: dict, base: Path) -> tuple[str, ...]:
    """The map files the show's midi: and osc: sections build on."""
    return tuple(str(f) for key, find in (("midi", find_map_file), ("osc", oscmap.find_map_file))
                 if key in top and (f := _map_file(top[key], base, find)) is not None)


def _map_file(node, base: Path, find) -> Path | None:
    """The map file a midi: or osc: section names (`map:`), found as read_map found it."""
    ref = key_nodes(node).get("map")
    return find(ref.value.strip(), base) if isinstance(ref, ScalarNode) and ref.value.strip() else None


def _read_osc(r: Reader, node, base: Path, show: Show | None, cues_read: bool) -> oscmap.OscMap:
    """The osc: section; the presets and cues it names are checked against `show` (None: its presets could not be
    read, and a name would look missing; `cues_read` false: nor its cues). The entries read are checked even where
    others, or the map file under them, are broken: each entry knows its own line, and one left out for its problem
    names no preset here."""
    osc = oscmap.read_map(r, node, "osc", base)
    if show is not None:
        for file, line, problem in oscmap.missing_presets(show, osc, inline=show.path, cues=cues_read):
            r.add(file, line, f"osc: {problem}")
        for b in osc.buttons if cues_read else ():
            for key, cmd in (("command", b.command), ("release", b.release)):
                if cmd is not None and (idle := idle_without_cues(show.cues, cmd, b.where[0] == show.path)):
                    r.note(*b.where, f"osc: {b.address} {key} {quoted(str(cmd))} {idle}")
    return osc


def _refuse_no_show(r: Reader, root) -> None:
    """A file that is no show (a map, a list of presets or cues alone) said as what it is."""
    _refuse_a_map(r, root)
    _refuse_presets_alone(r, root)


def _refuse_presets_alone(r: Reader, root) -> None:
    """A file that is a list whose entries are presets (a name or a prompt in each) or cues (a do: in one), written
    without the presets: or cues: above them, is said as such: as "show must be a mapping", the list itself was
    right."""
    if not (isinstance(root, SequenceNode) and root.value and all(
            isinstance(e, MappingNode) and set(key_nodes(e)) & {"name", "prompt", "prompts", "do"}
            for e in root.value)):
        return
    # a name alone is in presets and cues alike; a do: is a cue's, which a presets: line above would misfile
    if any("do" in key_nodes(e) for e in root.value):
        r.error(root, "this file is a list of cues alone; a show holds them under cues: add a line cues: above the "
                      "list, and the presets they use under presets:")
    else:
        r.error(root, "this file is a list of presets alone; a show holds them under presets: add a line presets: "
                      "above the list")
    r.raise_if_any()


def _presets_by_name(r: Reader, node) -> bool:
    """Whether the presets are written as a mapping of names (`neon: {prompt: …}`, `neon: a neon city`), said with
    the list entry each is written as: "must be a list" left the writer to guess where the name goes; or as
    nothing (`presets:` and no line under it), said empty as `presets: []` is."""
    if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
        r.error(node, "presets is empty; add at least one preset with a name and a prompt, indented under it: "
                      "- {name: NAME, prompt: TEXT}")
        return True
    if not isinstance(node, MappingNode) or not node.value:
        return False
    key, value = node.value[0]
    if not isinstance(key, ScalarNode):
        return False
    if set(key_nodes(node)) & set(PRESET_KEYS):  # one preset without the '- ' before it: no name to move
        entry = flow_yaml(_preset_meant(node))
        r.error(node, "presets must be a list, one preset a line starting with '- ': " +
                (f"write - {entry}" if entry else "write '- ' before its first key and indent its other keys two "
                                                 "spaces more, under the first"))
        return True
    entry = flow_yaml(_preset_meant(value, key.value))
    r.error(node, f"presets must be a list, one preset a line starting with '- ', its name inside it: write "
                  f"{key.value}: as " + (f"- {entry}" if entry else "- {name: NAME, prompt: TEXT}"))
    return True


def _preset_meant(node, name: str | None = None) -> dict | None:
    """The preset `node` was meant as, with `name` (a preset written as `name: prompt`, or as `name:` over its
    keys); None where that is unclear. Its name and prompt as the texts written: `prompt: yes` was meant as the
    word, not as YAML's true."""
    if isinstance(node, ScalarNode):
        return {"name": name, "prompt": node.value} if name is not None and node.value.strip() else None
    texts = _texts_alone(node)
    if texts:  # `neon: [a, b]`: the texts of one preset's prompts
        return {"name": name, "prompts": [{"text": text, "weight": 1} for text in texts]}
    keys = key_nodes(node)
    preset = constructed(node)
    if not isinstance(preset, dict) or len(keys) != len(node.value):
        return None
    for key in ("name", "prompt"):
        if isinstance(keys.get(key), ScalarNode):
            preset[key] = keys[key].value
    return preset if name is None else {"name": name, **{k: v for k, v in preset.items() if k != "name"}}


def _a_prompt_alone(r: Reader, node, i: int) -> bool:
    """Whether preset `i` is written as a text alone (`- a neon city`: a list of prompts, as a newcomer writes
    presets first) or is empty (a `-` alone), said once with how a preset is written rather than as two problems
    without it."""
    if not isinstance(node, ScalarNode):
        return False
    if not str(node.value).strip():  # a `-` with nothing after it (a preset's lines deleted under it)
        r.error(node, f"preset {i + 1} is empty; give it a name and a prompt ({{name: NAME, prompt: TEXT}}), or "
                      "delete its line")
        return True
    # a run of marks (`prompt == x`, `prompt = = x`) is one slip, none of it the text's; with nothing after it
    # (`prompt =`) the value is still to write
    unmarked = re.fullmatch(rf"([a-z]+)(:|[ \t]*[{COLON_SLIPS}])([:{COLON_SLIPS} \t]*)([^:{COLON_SLIPS} \t].*)?",
                            node.value) if not node.style else None
    if unmarked and unmarked[1] in PRESET_KEYS:
        # `- name:neon`, `- name：neon`: the space after the colon left out, or the colon an input method's full-width
        # one (or an '='), which YAML reads as one text, not as a key and a value
        mark = unmarked[2].strip()
        marks = mark + re.sub(r"[ \t]", "", unmarked[3])
        read = f"YAML reads {unmarked[1]}{marks} as part of the text"
        why = f"with no space after its colon {read}" if mark == ":" else \
            f"{read} (an {mark} is no colon)" if mark == "=" else f"{read} (a full-width {mark} is no colon)"
        blank = _PRESET_BLANKS.get(unmarked[1])
        pairs = _PRESET_RUN.pairs(node.value, unmarked[1], unmarked[4]) if unmarked[4] else \
            {unmarked[1]: blank} if blank else None
        line = _PRESET_RUN.entry(pairs, lambda entry: item_loads(entry, "preset", r.path)) if pairs else None
        r.error(node, f"preset {i + 1} is the text {node.value} alone: {why}; " +
                      (f"a preset has a name and a prompt: write - {line}" if line else
                       "write each key with a space after its colon, in a preset with a name and a prompt: "
                       "- {name: NAME, prompt: TEXT}"))
        return True
    # the text offered whole and quoted where YAML needs it: cut, or with its comma bare, the entry read otherwise
    entry = flow_yaml({**_PRESET_BLANKS, "prompt": node.value})
    r.error(node, f"preset {i + 1} is a text alone; a preset has a name and a prompt: " +
                  (f"- {entry}" if entry else "- {name: NAME, prompt: TEXT}, the text as written, quoted where "
                                              "YAML needs it"))
    return True


def _refuse_a_control_log(r: Reader, text: str, path: str) -> None:
    if _a_control_log(text):
        said = shell_word(path)
        r.add(path, 1, "this is a control log (vcam run --log-controls), not a show; play it again with vcam run "
                       f"--replay {said}, or make a video of it with vcam render {said} --out file:OUT.mp4")
        r.raise_if_any()


def _a_control_log(text: str) -> bool:
    """Whether `text` opens as a control log does (a JSON line {"vcam": …}): YAML reads that first line, and said
    of the second "did not find expected <document start>", a fix with no bearing on a log."""
    import json

    first = text.lstrip().partition("\n")[0]
    if not first.startswith("{"):
        return False
    try:
        return "vcam" in json.loads(first)
    except (ValueError, TypeError):
        return False


def _refuse_a_map(r: Reader, root) -> None:
    """A MIDI or OSC map given where a show goes (`vcam check presets/midi/nanokontrol2.yaml`) is said as such, not
    as a show with unknown keys and no presets."""
    if written_as(root) != "map":
        return
    addresses = map_kind(root) == "osc"
    kind, flag = ("an OSC map", "--osc-map") if addresses else ("a MIDI map", "--midi-map")
    section = "osc" if addresses else "midi"
    r.error(root, f"this is {kind} (controls:, no presets:), not a show; give it to vcam run {flag} FILE, or name "
                  f"it in a show's {section}: section (map: FILE) and check the show")
    r.raise_if_any()


def load_show(path: str | os.PathLike) -> Show:
    p = Path(path)
    return parse_show(read_file(p, "the show file"), str(p))


# the ways name_key reads two names alike beyond their quotes and apostrophes (NAME_FOLDS), each as a reply says it
_READ_ALIKE = {
    "joiners": "a zero-width joiner or non-joiner, which prints nothing, is not read",
    "form": "letters encoded differently are one (é as one character or as e and an accent)",
    "case": "a name is the same whatever its case",
    "spaces": "a run of spaces or tabs is read as one space",  # a tab was told of spaces alone
}


def _name_taken(what: str, name: str, number: int, first: str, line: int) -> str:
    """A preset named as one before it (preset `number`, named `first` on `line`): `Neon` after `neon` too, since
    `preset neon` picks either case, which is said where the two are written differently, with the line of the
    first (else the line reads as two names that differ), and each way they differ that is read alike."""
    if first == name:
        return f"{what}: the name is already used by preset {number}; names must differ"
    pairs = [TYPOGRAPHIC_PAIR.fullmatch(n) for n in (first, name)]
    inner = [(m[1] or m[2]) if m else n for m, n in zip(pairs, (first, name))]
    alike = []
    # `“Dancers”` after `Dancers`: the quotes typed round a name are read as quotes, so `preset “Dancers”` picks either
    if len({n[:1] + n[-1:] if m else "" for m, n in zip(pairs, (first, name))}) > 1:
        alike.append("typographic quotes round a name are read as quotes")
    # `bob’s` after `bob's`: a terminal types the one apostrophe
    if len({"".join(c for c in n if c in "'" + CURLY_APOSTROPHES) for n in inner}) > 1:
        alike.append("’ and ' are read as one apostrophe")
    straight = [NAME_FOLDS["apostrophes"](n).strip() for n in inner]
    # each other way name_key reads two names alike, said where the two differ in it (read alike in every other):
    # `café` typed after the `café` a macOS file name gives differs in its accent's encoding, not in its case
    for way, said in _READ_ALIKE.items():
        if folded(straight[0], but=way) != folded(straight[1], but=way):
            alike.append(said)
    why = ", and ".join(alike) or "a name is read as it is typed"
    return (f"{what}: the name is already used by preset {number} {quoted(first)} on line {line} ({why}); names must "
            "differ")


def _preset_name(r: Reader, node, i: int) -> str | None:
    """A preset's name as it is typed, or None after saying why not. A name of digits alone, quoted or not, is
    refused in one message: `preset 3` selects by position, so quoting it (the usual fix for YAML's numbers) would
    not help."""
    def digits(name: str) -> None:
        r.error(node, f"preset {i + 1}: the name {quoted(name)} cannot be a plain number (numbers select presets by "
                      f"position); add a word, like 'scene {name}'")

    if isinstance(node, ScalarNode) and node.value.strip().isdecimal():
        return digits(node.value.strip())
    name = r.string(node, f"preset {i + 1} name", 100)
    if name is None:
        return None
    # read as a typed line reaches the parser (the spaces round it gone, a no-break space or a line break a space,
    # what prints nothing dropped but for a joiner inside it), or `preset NAME` could never pick it, at the console
    # or in a cue or map of the show: the name the status and the errors list is the one to type. Not refused: an
    # invisible character copied from a page would stop a show loading (or a save of it reloading) over nothing the
    # operator can see
    typed = as_typed(name).strip()
    if not typed:
        r.error(node, f"preset {i + 1} name must be text that prints, not {name!r}")
        return None
    # `"\u200b2"`, `"1\u200d2"`: digits once what prints nothing is gone, which `preset 12` cannot pick
    if (key := name_key(typed)).isdecimal():
        return digits(key)
    return typed


def _prompts(r: Reader, node, p: dict, what: str) -> dict[str, float] | None:
    if ("prompt" in p) == ("prompts" in p):
        if "prompt" in p or not _prompt_misspelt(node):  # `promt:` has its "did you mean prompt?" already
            r.error(node, f"{what}: give either prompt (one text) or prompts (a weighted list)")
        return None
    texts = _texts_alone(p["prompt"] if "prompt" in p else p["prompts"])
    if texts:  # `prompts: [neon, forest]`, `prompt: [neon, forest]`: several texts, each without its weight
        key = "prompt" if "prompt" in p else "prompts"
        listed = flow_yaml([{"text": text, "weight": 1} for text in texts])
        r.error(p[key], f"{what}: {key} lists texts alone; several prompts are each a text with its weight: " +
                        (f"prompts: {listed}" if listed else "prompts: [{text: TEXT, weight: 1}, …], each text as "
                                                             "written") + " (or one text: prompt: TEXT)")
        return None
    if "prompt" in p:
        text = _prompt_text(r, p["prompt"], f"{what} prompt")
        return {text: 1.0} if text else None
    if (weighted := _weighted_by_text(p["prompts"])) is not None:
        # `prompts: {a forest: 0.7, fireflies: 0.3}`: each text with its weight, said as a list's entries wrong
        weights = [weight for _, weight, _ in weighted]
        # offered only where the list loads: a weight of 300 or -1 was offered, and refused when pasted
        fits = all(0 <= w <= MAX_WEIGHT for w in weights) and sum(weights) > 0
        # and where each weight means what was written: 010 (YAML's octal 8) and 1:30 (base 60, 90) were offered
        # as weight: 8 and weight: 90
        misread = [f"{written} reads as {plain(w)}" for _, w, written in weighted
                   if not _DECIMAL.fullmatch(written) and not _PERCENT.fullmatch(written.strip())
                   and abs(w) != float("inf") and w == w]  # .nan said as range
        # `{forest: 70, fireflies: 30%}`: 30% is the share 0.3, and offered beside 70 it weighed nothing; which of
        # the two ways every weight was meant in is the writer's to say
        shares = {bool(_PERCENT.fullmatch(written.strip())) for _, _, written in weighted}
        mixed = ", ".join(written for _, _, written in weighted) if len(shares) > 1 else ""
        listed = (flow_yaml([{"text": text, "weight": weight} for text, weight, _ in weighted])
                  if fits and not misread and not mixed else None)
        r.error(p["prompts"], f"{what}: prompts gives each text with its weight as a key and its value; a prompt is "
                              "written {text: TEXT, weight: N}: " + (f"prompts: {listed}" if listed else
                                                                      "prompts: [{text: TEXT, weight: N}, …]")
                + ("" if fits else f", each weight a number from 0 to {MAX_WEIGHT}, at least one above 0 "
                                   f"(these are {', '.join(plain(w) for w in weights)})")
                + (f", each weight in plain decimal digits ({', '.join(misread)} in YAML)" if misread else "")
                + (f", each weight written the same way, all percentages or all plain numbers (these are {mixed})"
                   if mixed else ""))
        return None
    out: dict[str, float] = {}
    said = len(r.problems)  # the problems of the presets before this one
    for j, item in enumerate(r.sequence(p["prompts"], f"{what} prompts")):
        e = r.mapping(item, f"{what} prompt {j + 1}", PROMPT_KEYS, required=("text",),
                      elsewhere=_PRESET_NOT_PROMPT, meant={"prompt": "text"})
        text = _prompt_text(r, e["text"], f"{what} prompt {j + 1} text", "text") if "text" in e else None
        weight = _weight(r, e["weight"], f"{what} prompt {j + 1} weight") if "weight" in e else 1.0
        if text and weight is not None:
            out[text] = out.get(text, 0.0) + weight
    if out and sum(out.values()) <= 0:
        r.error(p["prompts"], f"{what}: the weights add up to 0; give at least one a weight above 0")
        return None
    if not out and len(r.problems) == said:  # not where its entries were said wrong already
        r.error(p["prompts"], f"{what}: prompts is empty")
    return out or None


# a preset's own keys written in an entry of its prompts: list (lined up with text:), said with where they go
_PRESET_NOT_PROMPT = {key: "the preset, lined up with prompts:" for key in PRESET_KEYS
                      if key not in ("prompts", "prompt")}


_PERCENT = re.compile(r"((?:\d+(?:\.\d*)?|\.\d+))\s*%")


def _weight(r: Reader, node, what: str) -> float | None:
    """A prompt's weight; `70%` is offered as the share it writes, 0.7, as `strength 70%` typed is: it was told the
    range alone. A weight counts against the others' (and 1, that of a prompt written without one)."""
    found = _PERCENT.fullmatch(node.value.strip()) if isinstance(node, ScalarNode) and node.tag == STR_TAG else None
    if found is None or not 0 <= (share := float(found[1]) / 100) <= MAX_WEIGHT:
        return r.number(node, what, 0, MAX_WEIGHT)
    r.error(node, f"{what} must be a number from 0 to {MAX_WEIGHT}; write it as weight: {plain(share)} (a weight "
                  "counts against the others': 0.7 beside 0.3, where a prompt without one weighs 1)")
    return None


# a weight as written that reads as the number it shows: not 010 (octal) nor 1:30 (base 60)
_DECIMAL = re.compile(r"[+-]?(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _weighted_by_text(node) -> list[tuple[str, float, str]] | None:
    """The texts and weights of prompts written as `{text: weight, …}` or `[text: weight, …]`, each text a key and its
    weight a number, with the weight as written; None for any other prompts: (their entries are said as they are)."""
    if isinstance(node, MappingNode):
        pairs = node.value
    elif isinstance(node, SequenceNode) and node.value and all(
            isinstance(e, MappingNode) and len(e.value) == 1 for e in node.value):
        pairs = [e.value[0] for e in node.value]
    else:
        return None
    weighted = []
    for key, value in pairs:
        weight = constructed(value) if isinstance(value, ScalarNode) else None
        if isinstance(weight, str) and not value.style and (share := _PERCENT.fullmatch(weight.strip())):
            weight = float(share[1]) / 100  # `{a forest: 70%, fireflies: 30%}`, as _weight offers a weight: 70%
        if not (isinstance(key, ScalarNode) and key.value.strip() and key.value not in PROMPT_KEYS) or \
                isinstance(weight, bool) or not isinstance(weight, (int, float)):
            return None
        weighted.append((key.value, weight, value.value))
    return weighted or None


def _texts_alone(node) -> list[str]:
    """The texts of a list of prompts written as texts alone, without their weights; [] for any other list."""
    if not isinstance(node, SequenceNode) or not node.value:
        return []
    texts = [item.value for item in node.value if isinstance(item, ScalarNode) and item.tag != NULL_TAG]
    return texts if len(texts) == len(node.value) and all(text.strip() for text in texts) else []


def _prompt_text(r: Reader, node, what: str, key: str = "prompt") -> str | None:
    """A prompt's text; None after recording why where it has none, or none the text encoder reads (`&nbsp;`, a
    zero-width space: a prompt of no words on air, where `prompt &nbsp;` typed is refused)."""
    text = r.string(node, what)
    if text and blank_prompt(text):
        r.error(node, f"{what} {blank_said(text)}")
        return None
    if text and (inner := _typographic_quoted(node, text)) is not None:
        # `prompt: “a city at night”`, quoted in a word processor: YAML takes only ' and " for quotes, and the curly
        # ones went on air as words of the prompt, unsaid
        mended = flow_yaml({key: inner})
        offer = f": to drop them write {mended[1:-1]}" if mended else ""
        r.note(r.path, node.start_mark.line + 1, f"{what} {quoted(text)} is in typographic quotes ({text[0]}{text[-1]}"
                                                 f"), which YAML does not read as quotes: they go on air as written"
                                                 f"{offer}")
    elif text and (stray := _stray_quote(node, text)) is not None:
        # `prompt: neon city"`, its opening quote lost in an edit: YAML reads the text plain, and the quote went on
        # air as a word of the prompt, unsaid. Noted, not refused: a show that loaded still loads
        mended = flow_yaml({key: stray})
        offer = f": to drop it write {mended[1:-1]}" if mended else ""
        mark = text[-1] if text[-1] in DOUBLE_QUOTES else text[0]
        r.note(r.path, node.start_mark.line + 1, f"{what} {quoted(text)} has a {mark} that no other quote pairs, "
                                                 f"which goes on air as written{offer}")
    return text


def _typographic_quoted(node, text: str) -> str | None:
    """The text inside the typographic quotes that wrap the whole of `text` (`“a city at night”`) where the value is
    written without YAML's quotes; None otherwise. Asked before a stray quote is looked for: `„a city”` pairs
    a „, which that does not count among quotes, with the ” it does."""
    if not isinstance(node, ScalarNode) or node.style or len(text) < 3 or text[0] + text[-1] not in YAML_CURLY_PAIRS:
        return None
    inner = text[1:-1].strip()
    return inner if inner and text[0] not in inner and text[-1] not in inner else None


def _stray_quote(node, text: str) -> str | None:
    """`text` without the double quote it starts or ends with and that no other one pairs (`neon city"`), where the
    value is written without quotes; None otherwise. A „ that opens the text with no quote after it is one too:
    German autocorrect's opening quote, never an apostrophe or an inch mark."""
    if not isinstance(node, ScalarNode) or node.style:
        return None
    if text[:1] == "\u201e" and not any(q in text[1:] for q in DOUBLE_QUOTES + "\u201e"):
        return text[1:].lstrip() or None
    if sum(text.count(q) for q in DOUBLE_QUOTES) % 2 == 0:
        return None
    if text[-1] in DOUBLE_QUOTES:
        # `a 7"`: an inch mark after a number, the prompt's own, not a quote whose opening was lost
        return None if text[-1] == '"' and text[-2:-1].isdigit() else text[:-1].rstrip() or None
    if text[0] in DOUBLE_QUOTES:
        return text[1:].lstrip() or None
    return None


def _without_a_prompt_key(r: Reader, node, i: int) -> Node:
    """`node` without a key of the prompt's first words (`prompt neon: rain`, the colon after the key left out and
    one in the text read as the key's), said with the prompt line meant: it was said as an unknown key 'prompt
    neon', with no word of the prompt."""
    if not isinstance(node, MappingNode) or "prompt" in key_nodes(node) or "prompts" in key_nodes(node):
        return node
    for key, value in node.value:
        words = key.value.split(None, 1) if isinstance(key, ScalarNode) and key.tag == STR_TAG else []
        if len(words) == 2 and words[0].lower() == "prompt" and isinstance(value, ScalarNode) and not key.style:
            # offered only for a value written plainly on the key's line: a line offered for `prompt neon: &r rain`
            # dropped the &r a later *r repeats, and a block value (`prompt neon: |`) was said across lines
            written = r.written(value, value) if value.value else ""
            on_line = written is not None and written[:1] not in ("&", "*", "!", "|", ">") and "\n" not in value.value
            # `prompt =: neon`, `prompt :: neon`: marks typed for the colon before it, none of them the text's
            rest = re.sub(rf"^[:{COLON_SLIPS}\s]+", "", words[1])
            text = f"{rest}: {value.value}" if rest and value.value else rest or value.value
            offered = flow_yaml({"prompt": text}) if on_line and text else None
            if not value.value:
                said = f"{key.value} reads as a key"
            elif on_line:
                said = f"{key.value}: {value.value} reads as a key {key.value!r} and its value"
            else:
                said = f"{key.value}: reads as a key {key.value!r} and its value"
            r.error(key, f"preset {i + 1}: {said} (the colon after prompt left out); a prompt is written prompt: TEXT"
                         + (f": write {offered[1:-1]}" if offered else ", the text in quotes where it has ': '"))
            return MappingNode(node.tag, [pair for pair in node.value if pair[0] is not key], node.start_mark,
                               node.end_mark, node.flow_style)
    return node


def _prompt_misspelt(node) -> bool:
    """Whether a preset has a key that is not one of its own but near prompt or prompts (`promt:`, `PROMPT:`), or a
    merge key (`<<: *base`), which would have brought its prompt in."""
    return any(isinstance(k, str) and k not in PRESET_KEYS
               and (nearest(k, PRESET_KEYS, cutoff=0.75) in ("prompt", "prompts") or k.lower().startswith("prompt ")
                    or k.strip().lower() in ("prompt", "prompts") or k == "<<") for k in key_nodes(node))


def _written(nodes: dict, read: Preset | Defaults) -> dict[str, str]:
    """The whole numbers of a preset or the defaults, read from `nodes`, that were written in hex or binary, as
    vcam check says them (Preset.written)."""
    # bpm too, a number read as a float: `bpm: 0x78` was listed as 120 bpm, written nowhere in the file
    shown = {key: _shown_number(getattr(read, key, None)) for key in ("seed", "steps", "transition", "bpm")}
    said = {key: as_written(nodes[key], text) for key, text in shown.items() if key in nodes and text is not None}
    return {key: text for key, text in said.items() if text != shown[key]}


def _shown_number(value: float | None) -> str | None:
    """A number as vcam check lists it (120 bpm, not 120.0)."""
    return None if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def _defaults(r: Reader, node, base: Path) -> Defaults:
    d = r.mapping(node, "defaults", DEFAULT_KEYS)
    defaults = Defaults(
        seed=_seed(r, d["seed"], "defaults seed", "start on seed 0") if "seed" in d else 0,
        steps=r.integer(d["steps"], "defaults steps", 1, 50) if "steps" in d else 4,
        transition=_transition(r, d["transition"], "defaults transition") if "transition" in d else 4,
        fallback=read_image(r, d["fallback"], "defaults fallback", base) if "fallback" in d else None,
        input=read_input(r, d["input"], "defaults input", base) if "input" in d else None,
        strength=r.number(d["strength"], "defaults strength", 0, 1) if "strength" in d else None,
        bias=_bias(r, d["bias"], "defaults bias") if "bias" in d else None,
        input_fit=r.choice(d["input_fit"], "defaults input_fit", INPUT_FITS) if "input_fit" in d else None,
        quantize=_quantize(r, d["quantize"]) if "quantize" in d else "off",
        bpm=r.number(d["bpm"], "defaults bpm", MIN_BPM, MAX_BPM) if "bpm" in d else None,  # as the command takes
    )
    return replace(defaults, written=_written(d, defaults))


def _seed(r: Reader, node, what: str, left_out: str) -> int | None:
    """A seed from 0 to MAX_SEED; `random` is told that vcam draws none, and what leaving it out does."""
    if isinstance(node, ScalarNode) and (written := node.value.strip()).lower() in DRAWN_SEEDS:
        said = f"{what} {written} is out of range (0 to {MAX_SEED})" if written == "-1" else \
            f"{what} must be a whole number from 0 to {MAX_SEED}"
        r.error(node, f"{said}; {NO_DRAWN_SEED}: write any number, as in seed: 1234, or leave seed: out to {left_out}")
        return None
    return r.integer(node, what, 0, MAX_SEED)


def _transition(r: Reader, node, what: str) -> int | None:
    """A transition's blocks; `2s` or `1 bar` is said to count blocks, as `transition 2s` typed is: offered as 2, it
    blended over 2 blocks, not the 2 seconds meant."""
    v = r.value(node, what)
    if v is INVALID:
        return None
    if isinstance(v, str) and (counted := blocks_meant(v.strip())) is not None:
        r.error(node, f"{what} must be a whole number from 0 to {MAX_TRANSITION}{counted}")
        return None
    return r.integer(node, what, 0, MAX_TRANSITION)


def _bias(r: Reader, node, what: str) -> float | None:
    v = r.numeric(node, what)
    if v is INVALID:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        hint = number_written_as(v, lambda n: 0 < n <= 1, share=True)  # `bias: 30%`, as `bias 30%` typed
        r.error(node, f"{what} must be a number above 0 and at most 1 (1 = off){hint}")
        return None
    try:
        return check_bias(v)
    except ValueError as e:
        r.error(node, f"{what} {str(e).removeprefix('bias ')}")  # `defaults bias must be ...`: the word once
        return None


def _quantize(r: Reader, node) -> str:
    """beat, bar, a number of beats or off (YAML reads an unquoted off as false and 2 as a number)."""
    v = r.value(node, "defaults quantize")
    beats = (MIN_QUANTIZE_BEATS, MAX_QUANTIZE_BEATS)  # 0100 is 100 beats, refused too: said so, not offered
    if v is INVALID or v is False or r.misread(node, v, "defaults quantize", beats):  # 010 read as 8 beats, 1:00 as 60
        return "off"
    if v is None:  # `quantize: null`, `~` or nothing: no timing, which off is, as `quantize null` typed is told
        shown = f"{node.value or 'an empty value'} (did you mean off?)"
    elif isinstance(v, bool) or not isinstance(v, (str, int, float)):
        shown = node.value if isinstance(node, ScalarNode) else "a list or mapping"
    else:
        try:
            return parse_quantize(str(v))
        except ValueError as e:
            r.error(node, f"defaults {e}")
            return "off"
    r.error(node, f"defaults quantize takes {QUANTIZE_FORMS}, not {shown}")
    return "off"


def _fps(r: Reader, node) -> float | None:
    """output fps: a number, or a fraction as --fps takes it (30000/1001, NTSC's 29.97)."""
    v = r.value(node, "output fps")
    if not (isinstance(v, str) and "/" in v):
        return None if v is INVALID else r.number(node, "output fps", MIN_FPS, MAX_FPS)
    try:
        return fraction_fps(v.strip())
    except ValueError as e:
        r.error(node, f"output fps {e}")
        return None


def _size(r: Reader, node) -> tuple[int, int] | None:
    v = r.value(node, "output size")
    if v is INVALID:
        return None
    # unquoted, 0x480 is YAML's hex number 1152, which was said back as a size not written; the value itself stays
    # for a message, said as written (got 0x1A0), not as a text quoted
    text = node.value if isinstance(v, int) and not node.style and HEX.fullmatch(node.value) else v
    if isinstance(v, (str, int)) and no_size(str(text)):  # as some tools write "any size": vcam's is no size: given
        r.error(node, "output size 0x0 is no size; leave size: out for vcam run to pick one for the card, or give "
                      "one, as in size: 832x480")
        return None
    try:
        if not isinstance(v, (str, int)):  # a list or mapping ([832, 480]) is the node itself, not its text
            raise ValueError
        width_height(str(text))
    except ValueError:
        # 832×480, as the README writes it: offered as --size offers it; 720p, as video names it, as its 1280x720
        # (an output's size, as --size's: it was told WIDTHxHEIGHT alone)
        if isinstance(v, str) and meant_size(v, video=True):
            r.error(node, f"output size {not_a_size(v, check_size, video=True)}")
        else:
            r.error(node, f"output size must be WIDTHxHEIGHT, like 832x480 (got {_given(node, v)})")
        return None
    try:
        return checked_size(str(text))
    except ValueError as e:
        r.error(node, f"output {e}")
        return None


def _given(node, v) -> str:
    """What a value was given as, for a message: a text quoted, anything else YAML reads as it was written (16:9, an
    aspect ratio, was said as the 969 YAML reads in base 60; null, ~ or a date as a mapping)."""
    if isinstance(node, SequenceNode):
        return "a list"
    if not isinstance(node, ScalarNode):
        return "a mapping"
    return repr(v) if isinstance(v, str) else node.value


def _outs_meant(node: ScalarNode) -> str | None:
    """The list `out:` written without one was meant as, in YAML (`out: file:show.mp4` as [file:show.mp4]); the
    shape for one too long to offer whole; None for a value that is no output (`out: ~`, `out: 5`)."""
    if node.tag == NULL_TAG:  # unquoted null in the list is the null output (_outs); `~` or nothing is none
        return "[null]" if node.value.lower() == "null" else None
    if node.tag != STR_TAG or not node.value.strip():
        return None
    # unquoted, `file:a.mp4, window` is two outputs written as a list's are; in quotes, one name with a comma
    outs = [node.value.strip()] if node.style else [out.strip() for out in node.value.split(",") if out.strip()]
    return flow_yaml(outs) or "[OUTPUT, …], each output as written, quoted where YAML needs it"


def _out_refused(text: str, base: Path) -> str | None:
    """Why a show's output `text` is refused, None where it is taken: one check for an entry and for one offered."""
    try:
        spec = parse_spec(text)
        if spec.kind == "file" and spec.target == "-":  # before the test of a file there: `-` is one a run made
            check_recording_name(spec.target)
        if spec.kind == "file" and not (base / os.path.expanduser(spec.target)).exists():
            # by its line, as the show writes it; a file there already may be one the show reads, which the
            # start's check of clashes names, saying more than its extension does
            check_recording_name(spec.target)
    except VcamError as e:
        return f"output {text}: {one_line(e)}"
    except ValueError as e:
        return str(e)
    return None


def _spaced_out(r: Reader, item) -> tuple[str, str] | None:
    """An output written with a space after its kind's colon, which YAML reads as a mapping of one key: the entry as
    the file writes it and the output meant (`file: 'a b.mp4'` → file:a b.mp4); None for any other entry. Its value
    quoted, or its kind YAML's own null (`null: x`), it was told to be non-empty text."""
    if not isinstance(item, MappingNode) or len(item.value) != 1:
        return None
    key, value = item.value[0]
    if not (isinstance(key, ScalarNode) and isinstance(value, ScalarNode)) or key.style:
        return None
    kind = key.value.strip()
    if kind not in OUTPUT_KINDS or (value.tag not in (STR_TAG, NULL_TAG) and value.style):
        return None
    said = r.written(key, value) or f"{key.value}: {value.value}"
    target = value.value.strip()
    return said.strip(), f"{kind}:{target}" if target else kind  # `null: ` is the null output, not `null:`


def _outs(r: Reader, node, base: Path) -> tuple[str, ...] | None:
    """The outputs in their written form, a recording's path made whole: found relative to the show's folder, as
    its clips and images are, not to wherever the show was started from."""
    if isinstance(node, ScalarNode) and (listed := _outs_meant(node)):  # `out: file:show.mp4`, not in a list
        r.error(node, f"output out must be a list, even of one output: write out: {listed}")
        return None
    items = r.sequence(node, "output out")
    outs = []
    for item in items:
        spaced = _spaced_out(r, item)
        if spaced is not None:
            # `[file: show.mp4]`: a space after the colon makes a mapping, said as no text
            spaced, written = spaced
            said = f"output {spaced} reads as a key and its value (the space after the colon)"
            if (refused := _out_refused(written, base)) is not None:  # `window: 2`: window:2 is refused in turn
                r.error(item, f"{said}, and without the space it is refused too: {refused}")
            else:
                # unquoted null is the null output here (below), as a list of outputs writes it; quoted for a list's
                # entry, where `file:a, b.mp4` is two and `file:[a].mp4` no YAML at all
                listed = flow_yaml([written])
                offered = written if written == "null" else listed[1:-1] if listed else None
                r.error(item, f"{said}; write it without the space: {offered}" if offered else
                        f"{said}; write it without the space, in 'single quotes', each ' in it written twice")
            continue
        if isinstance(item, ScalarNode) and item.tag == NULL_TAG and item.value.lower() == "null":
            # unquoted, null is YAML's null; the null output is what the writer means
            outs.append("null")
            continue
        if isinstance(item, (MappingNode, SequenceNode)):  # `[{file: a.mp4}]`: said as "no text", with no fix
            r.error(item, f"output out entry must be an output written as text (vcam, file:PATH.mp4, window or null), "
                          f"not a {'list' if isinstance(item, SequenceNode) else 'mapping'}")
            continue
        text = r.string(item, "output out entry", 500, refused=lambda written: _out_refused(written, base))
        if text is None:
            continue
        if (refused := _out_refused(text, base)) is not None:
            r.error(item, refused)
            continue
        spec = parse_spec(text)
        if spec.kind == "file":
            target = str(base / os.path.expanduser(spec.target))
            # a folder's slash kept (file:takes/): the join drops it, and the show recorded into a file named takes
            ends = tuple(sep for sep in (os.sep, os.altsep) if sep)
            target += os.sep if spec.target.endswith(ends) and not target.endswith(ends) else ""
            text = str(replace(spec, target=target))
        outs.append(text)
    return tuple(outs)
