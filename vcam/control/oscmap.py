"""OSC mappings: which address moves which parameter, which address sends which command.

Written in a show's `osc:` section or in a map file (`presets/osc/*.yaml`) with the same keys:

    map: touchosc-simple                               # a shipped map or a file, under the entries below
    controls:
      - {address: /1/fader1, param: blend}             # a fader: values 0 to 1 (TouchOSC, Resolume)
      - {address: /1/fader3, param: transition, range: [0, 16], curve: exp}
      - {address: /3/xy, arg: 1, param: strength}      # the second value of an XY pad
      - {address: /2/push1, command: preset 1}         # a push sends 1 then 0: fires on the 1
      - {address: /1/toggle1, command: freeze, release: live}   # a toggle: on, then off
    ignore: [/1, /2, "/4/multitoggle/*"]               # said nothing about (TouchOSC's page changes)

Parameters are those of MIDI knobs (faders.PARAMS), with the same range, curve, `between` and soft takeover.
The built-in addresses /vcam/<command> need no map; an entry of a show overrides a map file's at its address.
"""
from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from yaml.nodes import MappingNode, ScalarNode

from vcam.control.commands import USAGE, Command, blend_twice, name_key, presets_named, read_command
from vcam.control.cuesheet import missing_cue
from vcam.control.faders import FADER_KEYS, read_fader, scaled
from vcam.control.linesource import found_beside
from vcam.control.mapfiles import (SHOW_WORDS, CommandWords, MapFiles, between_twice, find_as_written,
                                   map_named_in, not_a_preset, run_together)
from vcam.control.oscports import parse_address, parse_reply
from vcam.control.showpaths import whole_command
from vcam.control.yamlcheck import Reader, in_a_block, written_in_a_block
from vcam.control.yamlproblems import ConfigError
from vcam.words import counted, quoted, shell_word

FILE_KEYS = ("name", "controls", "ignore")  # a map file's own; a show's osc: names a map: too
ENTRY_KEYS = ("address", "arg", "command", "release") + FADER_KEYS
MAX_ARG = 15  # an OSC message with more values than this is no control surface's
# characters an address sent by a client cannot hold (OSC reserves them for patterns), space included
NOT_IN_ADDRESS = set(" #*,?[]{}")
BUILTIN = "/vcam/"  # vcam's own addresses, /vcam/<command> (oscrouter), which a map may not take over
CMD = "cmd"  # /vcam/cmd "preset 3 @bar": a whole typed line, as a cue program (QLab) sends one


@dataclass(frozen=True)
class OscFader:
    """An address whose value (0 to 1) moves a parameter."""

    address: str
    param: str
    lo: float
    hi: float
    curve: str = "linear"
    between: tuple | None = None  # blend: the two presets
    arg: int = 0  # which of the message's values (an XY pad sends two)
    where: tuple[str, int] = field(default=("", 0), compare=False)  # the file and line it is written on

    def value(self, x: float) -> float:
        return scaled(self.param, self.lo, self.hi, self.curve, x)

    def position(self, value: float) -> float:
        """Where the fader stands (0 to 1) for the parameter at `value`: `value`'s inverse, at the nearer end for
        a value past the fader's range. Sent back to a tablet, whose fader then shows where the show is."""
        if self.hi == self.lo:
            return 0.0
        x = min(max((value - self.lo) / (self.hi - self.lo), 0.0), 1.0)
        if self.curve == "exp":
            return math.log1p((math.exp(3) - 1) * x) / 3
        if self.curve == "log":
            return (math.exp(3 * x) - 1) / (math.exp(3) - 1)
        return x


@dataclass(frozen=True)
class OscButton:
    """An address that sends a command when its value turns on (1), and `release` when it turns off (0)."""

    address: str
    command: Command
    release: Command | None = None
    where: tuple[str, int] = field(default=("", 0), compare=False)
    # the keys (command, release) written as a | or > block, where a plain # is the command's text, as in quotes:
    # what is said of one is worded for where it is written
    blocks: frozenset[str] = field(default=frozenset(), compare=False)


@dataclass(frozen=True)
class OscMap:
    name: str = ""
    faders: tuple[OscFader, ...] = ()
    buttons: tuple[OscButton, ...] = ()
    ignore: tuple[str, ...] = ()  # address patterns (OSC's, _globs) received and dropped without a word
    # what a map file reads and plays but does nothing as written, at its line (an &anchor before a command): the show
    # that builds on it says it, as a MIDI map file's (it was said for the show file and a MIDI map's alone)
    notes: tuple[str, ...] = field(default=(), compare=False)

    def merged(self, other: "OscMap") -> "OscMap":
        """This map (a map file) with `other`'s entries (a show's own) on top: at an address `other` binds, only
        its entries count."""
        taken = {e.address for e in other.faders + other.buttons}
        return OscMap(other.name or self.name, tuple(f for f in self.faders if f.address not in taken) + other.faders,
                      tuple(b for b in self.buttons if b.address not in taken) + other.buttons,
                      tuple(dict.fromkeys(self.ignore + other.ignore)))

    def bound(self, address: str) -> tuple[list[OscFader], list[OscButton]]:
        return ([f for f in self.faders if f.address == address],
                [b for b in self.buttons if b.address == address])

    def ignores(self, address: str) -> bool:
        return any(fnmatch.fnmatchcase(address, glob) for pattern in self.ignore for glob in _globs(pattern))

    def describe(self) -> str:
        return (f"{self.name or 'inline map'}: {counted(len(self.faders), 'fader')}, "
                f"{counted(len(self.buttons), 'button')}"
                + (f", {len(self.ignore)} ignored" if self.ignore else ""))


# what an OSC map or section may be written with that the command line gives, each key with its flag and what it
# gives: said as an unknown key, it left the operator without the flag
_RUN_FLAGS = {"port": ("osc", "port OSC is heard on"), "reply": ("osc-reply", "address replies are sent to")}


def _run_flags_said(node: MappingNode, run_keys: list) -> str:
    """The port: and reply: written in `node` said as vcam run's flags, each with the value written where the flag
    takes it as written (port: 8000 is --osc 8000, not an example's 9000), else its form: one message for both."""
    values = {k.value: v for k, v in node.value if k in run_keys}
    keys = [f"{k}:" for k in values]  # port: written twice is named once: its second line is said on its own
    flags = []
    for key, v in values.items():
        flag = _RUN_FLAGS[key][0]
        try:
            if not isinstance(v, ScalarNode) or [k.value for k in run_keys].count(key) > 1:  # which one was meant?
                raise ValueError(v)
            (parse_reply if key == "reply" else parse_address)(v.value)  # as the flag reads it
            word = shell_word(v.value)
            # `--osc-reply -x:9` is read as a switch of its own: joined by '=', the value is the flag's
            flags.append(f"--{flag}={word}" if word.startswith("-") else f"--{flag} {word}")
        except ValueError:  # no address the flag takes (port: lots): its form, not a value refused
            flags.append(f"--{flag} [HOST:]PORT")
    whats = [_RUN_FLAGS[key][1] for key in values]
    return (f"{' and '.join(keys)} {'is' if len(keys) == 1 else 'are'} not read here: the {' and the '.join(whats)} "
            f"{'is' if len(keys) == 1 else 'are'} vcam run's: vcam run SHOW {' '.join(flags)}")


def read_map(r: Reader, node, where: str, base: Path | None, file: bool = False, whole_paths: bool = True) -> OscMap:
    """A map from an `osc:` section or (`file`) a map file's node; problems are recorded in `r`. `base`: the folder
    of the file `node` is in, where a button's `input file:`/`image:` is found and made whole (`whole_paths`; else
    left as written, for commands run on another machine, which finds them there)."""
    known = FILE_KEYS if file else FILE_KEYS[:1] + ("map",) + FILE_KEYS[1:]  # map: after name: in an unknown key's line
    if isinstance(node, MappingNode):  # a port: or reply:, as a midi: section names its port: (_RUN_FLAGS)
        run_keys = [k for k, _ in node.value if isinstance(k, ScalarNode) and k.value in _RUN_FLAGS]
        if run_keys:
            r.error(run_keys[0], f"{where}: {_run_flags_said(node, run_keys)}")
        for i, k in enumerate(run_keys):  # as the section's own keys are: r.mapping never sees these
            if k.value in [seen.value for seen in run_keys[:i]]:
                r.error(k, f"{where}: key {k.value!r} is given twice; keep one")
        node = MappingNode(node.tag, [(k, v) for k, v in node.value if k not in run_keys], node.start_mark,
                           node.end_mark, node.flow_style)
    keys = r.mapping(node, where, known)
    name = r.string(keys["name"], f"{where} name") if "name" in keys else ""
    result = OscMap()
    if "map" in keys and (ref := map_named_in(r, keys["map"], f"{where} map")):
        path, problem = MAPS.in_show(ref, base)
        if problem is not None:
            r.error(keys["map"], problem)
        if path is not None:
            try:
                result = load_map(path)
                r.notes.extend(result.notes)
                # a map file without a `name:` is named by its file: `vcam check` would call it an inline map
                result = result if result.name else replace(result, name=path.name)
            except ConfigError as e:
                r.problems.extend(e.problems)
    faders, buttons, lines = [], [], {}
    for i, entry in enumerate(r.sequence(keys["controls"], f"{where} controls") if "controls" in keys else []):
        what = f"{where} control {i + 1}"
        e = r.mapping(entry, what, ENTRY_KEYS, required=("address",))
        address = _address(r, e["address"], f"{what} address") if "address" in e else None
        bound = _entry(r, e, entry, what, address or "/", (r.path, entry.start_mark.line + 1),
                       base if whole_paths else None)
        if address is None or bound is None:
            continue
        key = (address, bound.arg if isinstance(bound, OscFader) else "button")
        if key in lines:
            r.error(entry, f"{what}: {address} is already bound on line {lines[key]}; keep one")
            continue
        lines[key] = bound.where[1]
        (faders if isinstance(bound, OscFader) else buttons).append(bound)
    ignore = []
    for item in r.sequence(keys["ignore"], f"{where} ignore") if "ignore" in keys else []:
        pattern = r.string(item, f"{where} ignore entry", 200)
        if pattern is not None and not pattern.startswith("/"):
            r.error(item, f"{where} ignore entry {pattern!r} must start with / (an OSC address or pattern)")
        elif pattern is not None:
            ignore.append(pattern)
    return result.merged(OscMap(name or "", tuple(faders), tuple(buttons), tuple(ignore)))


def _entry(r: Reader, e: dict, node, what: str, address: str, where: tuple[str, int], base: Path | None):
    """The fader or button one entry binds, or None (the problems recorded); a button's files found in `base`
    (None: left as written)."""
    if ("command" in e) == ("param" in e):
        r.error(node, f"{what}: give either param (a fader) or command (a button)")
        return None
    if "command" in e:
        for key in ("arg",) + FADER_KEYS[1:]:
            if key in e:
                r.error(e[key], f"{what}: {key} is for a fader (param:), not a button")
        command = _button_command(r, e["command"], f"{what} command", base)
        release = _button_command(r, e["release"], f"{what} release", base) if "release" in e else None
        if command is None or ("release" in e and release is None):
            return None
        blocks = frozenset(key for key in ("command", "release") if key in e and written_in_a_block(e[key]))
        return OscButton(address, command, release, where, blocks)
    if "release" in e:
        r.error(e["release"], f"{what}: release is for a button (command:), not a fader")
    arg = r.integer(e["arg"], f"{what} arg", 0, MAX_ARG) if "arg" in e else 0
    fader = read_fader(r, e, what, f"address: {address}")
    if fader is None or arg is None:
        return None
    param, lo, hi, curve, between = fader
    return OscFader(address, param, lo, hi, curve, between, arg, where)


def _button_command(r: Reader, node, what: str, base: Path | None) -> Command | None:
    """A button's command or release, its file made whole in `base` where there is one."""
    with found_beside(base):  # its paths read by what is beside the file, as they are found
        cmd = read_command(r, node, what, control=True)
    return whole_command(r, node, what, cmd, base) if cmd is not None else None


def _address(r: Reader, node, what: str) -> str | None:
    text = r.string(node, what, 200)
    if text is None:
        return None
    bare = text.rstrip("/") or text  # /vcam/next/ is vcam's own too: told to write /vcam/next, it was refused then
    if builtin_command(bare if bare.startswith("/") else "/" + bare) is not None:
        # a binding is looked up first: /vcam/next bound to a fader no longer went next
        r.error(node, f"{what} {text!r} is one of vcam's own addresses ({BUILTIN}<command>), which needs no map; "
                      "bind the control to an address of its own, e.g. /1/fader1")
        return None
    if not text.startswith("/") and not NOT_IN_ADDRESS & set(text):  # `1/fader5`, as some apps show addresses
        r.error(node, f"{what} {text!r} must start with /: write /{text}")
        return None
    if not text.startswith("/") or NOT_IN_ADDRESS & set(text):
        r.error(node, f"{what} {text!r} must start with / and hold no spaces or any of # * , ? [ ] {{ }}, "
                      "e.g. /1/fader1")
        return None
    if text.endswith("/") and (meant := text.rstrip("/")):  # no app sends one: the control stayed dead unsaid
        r.error(node, f"{what} {text!r} ends with /, which no app's address does: write {meant}")
        return None
    return text


# The words an ignore entry's {a,b} groups make at most: a map's typo (ten groups of ten) is not a million patterns
MAX_ALTERNATIVES = 64


@lru_cache(maxsize=1024)
def _globs(text: str) -> tuple[str, ...]:
    """An ignore entry as the fnmatch patterns it stands for: OSC 1.0's {fader,push} (read as themselves, {1,2}
    never matched TouchOSC's page /1) expanded into one pattern per word, the rest fnmatch's own, as OSC writes them
    too: ? one character, [0-9] and [!0-9] one of a range or not, * any run, a / included (`/4/multitoggle/*` drops
    the toggles' /4/multitoggle/3/2). fnmatch, not a regex of our own: it never backtracks without end on a long
    address, and a range written backwards matches nothing rather than raising. A brace left open is itself."""
    at = text.find("{")
    close = text.find("}", at + 1) if at >= 0 else -1
    if close < 0:
        return (text,)
    words, rest = text[at + 1:close].split(","), _globs(text[close + 1:])
    return tuple(text[:at] + word + after for word in words for after in rest)[:MAX_ALTERNATIVES]


def builtin_command(address: str) -> str | None:
    """The command `address` is vcam's own address of (/vcam/next, /vcam/Cmd: oscrouter reads the name in any case),
    lower case; None for any other, one under /vcam/ too (/vcam/fader1 of a layout made for vcam is a map's to bind,
    as it always was)."""
    name = address[len(BUILTIN):].lower() if address.startswith(BUILTIN) else None
    return name if name in USAGE or name == CMD else None


class PresetRef(NamedTuple):
    """One preset a map names, and where and how it is written."""
    what: str  # the entry as a problem names it
    preset: str | int
    where: tuple[str, int]  # (file, line)
    command: Command | None  # None for a fader's `between`
    in_block: bool  # the command written as a | or > block


def preset_refs(mapping: OscMap) -> list[PresetRef]:
    """Every preset the map names: faders' `between` (no command) and buttons' commands, each written as a | or >
    block or not."""
    refs = []
    for f in mapping.faders:
        refs += [PresetRef(f"{f.address} between", ref, f.where, None, False) for ref in f.between or ()]
    for b in mapping.buttons:
        for key, cmd in (("command", b.command), ("release", b.release)):
            named = () if cmd is None else presets_named(cmd)
            refs += [PresetRef(f"{b.address} {key} {quoted(str(cmd))}", ref, b.where, cmd, key in b.blocks)
                     for ref in named]
    return refs


def missing_presets(show, mapping: OscMap, inline: str | None = None,
                    cues: bool = True) -> list[tuple[str, int, str]]:
    """(file, line, problem) for each preset the map names that `show` lacks, for each blend of its faders or
    buttons that names one preset of `show` twice (by number and by name), which would be refused on every move or
    press, and (where `cues`: the show's cue list was read whole) for each button's `go CUE` to a cue it lacks.
    Preset and cue numbers are checked for being there only in entries written in the file `inline` (the show's
    own): a map file lays out a row of preset buttons for shows of any length, and a button past the end answers
    once per press."""
    problems = []
    taken = {name_key(cue.name) for cue in show.cues}  # a cue offered to a button is named apart from these
    for what, ref, (path, line), cmd, block in preset_refs(mapping):
        if reason := not_a_preset(ref):
            problems.append((path, line, f"{what}: {reason}"))
            continue
        if isinstance(ref, int) and path != inline:
            continue
        try:
            find_as_written(show, ref)
        except KeyError as e:  # `preset ocean, seed 5`: commands run together, said as a MIDI button's are
            said = f"{what}: {(cmd and run_together(show, cmd, taken)) or e.args[0]}"
            problems.append((path, line, in_a_block(said) if block else said))
    problems += [(*f.where, f"{f.address} between {twice}") for f in mapping.faders
                 if f.between and (twice := between_twice(show, f.between))]
    problems += [(*b.where, f"{b.address} {key} {twice}") for b in mapping.buttons
                 for key, cmd in (("command", b.command), ("release", b.release))
                 if cmd is not None and (twice := blend_twice(show, cmd))]
    problems += [(*b.where, (in_a_block if key in b.blocks else str)(f"{b.address} {key} {quoted(str(cmd))}: {why}"))
                 for b in mapping.buttons if cues
                 for key, cmd in (("command", b.command), ("release", b.release))
                 if cmd is not None and (why := missing_cue(show.cues, cmd, numbers=b.where[0] == inline))]
    return sorted(problems, key=lambda p: (p[0], p[1]))


def _read_file(r: Reader, node, path: Path, whole_paths: bool) -> OscMap:
    """An OSC map file's top node as a map, its buttons' `input file:`/`image:` found relative to its own folder
    (`whole_paths`), with what it does nothing with as written in its `notes`."""
    return replace(read_map(r, node, "OSC map", path.parent, file=True, whole_paths=whole_paths),
                   notes=tuple(r.notes))


MAPS = MapFiles("osc", "OSC map", _read_file, OscMap(), article="an", top=FILE_KEYS, keys=FILE_KEYS + ENTRY_KEYS)
MAPS_DIR = MAPS.dir
shipped_maps = MAPS.shipped
find_map_file = MAPS.find


def map_named(ref: str, words: CommandWords = SHOW_WORDS) -> tuple[Path, OscMap]:
    """The map --osc-map names (MapFiles.named), read as load_map reads: what the command line's readers import,
    typed with this module's OscMap where MAPS gives the generic Map."""
    return MAPS.named(ref, words)


def load_map(path: Path, words: CommandWords = SHOW_WORDS) -> OscMap:
    """One OSC map file (MapFiles.load)."""
    return MAPS.load(path, words)
