"""Where controller maps live and how one is named, for every kind (MIDI and OSC): the shipped maps in
presets/<kind>/ (vcam's own: control/shipped.py), a map file by path, and reading one whole file with its problems by
line."""
from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Generic, TypeVar

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from vcam.control.commands import Command, joined_commands, joined_hint, preset_twice, presets_found
from vcam.control.linesource import in_a_file
from vcam.control.shipped import backup_refused, maps_dir, shipped_map_meant, shipped_maps
from vcam.control.yamlcheck import Reader, key_nodes, top_keys, written_as
from vcam.control.yamlfiles import read_file, yaml_files_in
from vcam.control.yamlproblems import ConfigError
from vcam.homefolder import home_expanded
from vcam.words import quoted, shell_word

if TYPE_CHECKING:
    from vcam.control.show import Show

Map = TypeVar("Map")


@dataclass(frozen=True, eq=False)  # told apart as themselves: a mapping in a field would make hash() raise
class CommandWords:
    """How the commands of a map (and of OSC) are read where they run: `whole_paths`, a button's `input file:` /
    `image:` made whole against its map's folder (False: kept as written, for a server to find in its shared
    folders); `typed_only`, as typed_only's words, what a command only the console gives is told where the show's
    own would mislead; `goes_on`, what such a refusal leaves running. vcam cam's differ (remote/camquit.py)."""

    whole_paths: bool = True
    typed_only: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    goes_on: str = "the show goes on"


SHOW_WORDS = CommandWords()
# each kind of map: how it is named, the option that gives it, and the keys its controls are told by
KINDS = {"midi": ("a MIDI map", "--midi-map", "cc:, note:, nrpn: or program:"),
         "osc": ("an OSC map", "--osc-map", "address:")}
MIDI_KEYS = {"cc", "note", "nrpn", "program"}


def not_a_preset(ref: object, written: str | None = None) -> str | None:
    """Why a preset a map names (a knob's or fader's `between`, a button's command) is no preset at all, else None:
    YAML reads an unquoted yes/off/1.5/null as such, where a preset named so was meant. `written`: the entry as the
    map has it (yes), where known; else the value read (True). One wording for MIDI and OSC maps alike."""
    if isinstance(ref, str) or (isinstance(ref, int) and not isinstance(ref, bool)):
        return None
    return f"{written if written is not None else repr(ref)} is not a preset name or number; quote a name"


def find_as_written(show: Show, ref: str | int) -> int:
    """show.find(ref) for a preset a map file names: read as written in a file (in_a_file), so that `preset 2 ＃ x`
    is told YAML's comment is a plain #, as in a cue. KeyError saying what exists, as show.find's."""
    with in_a_file():
        return show.find(ref)


def between_twice(show, between: tuple) -> str | None:
    """What is wrong with a blend knob's or fader's `between` whose two ends are one preset of `show`, by number and
    by name (`[1, neon city]`), else None (also where an end is no preset: that is said as missing). The controller
    would move that one preset on every move of the knob, which is no blend."""
    i = preset_twice(show, *between) if len(between) == 2 else None
    if i is None:
        return None
    others = [p.name for j, p in enumerate(show.presets) if j != i]
    fix = (f"name another at one end, e.g. [{show.presets[i].name}, {others[0]}]" if others else
           "this show has one preset: add a second to blend to")
    as_named = " and ".join(quoted(end) if isinstance(end, str) else str(end) for end in between)
    return (f"names preset {i + 1} ({quoted(show.presets[i].name)}) twice, as {as_named}; a blend moves between two "
            f"different presets: {fix}")


def run_together(show: Show, cmd: Command, taken: set[str] | None = None) -> str | None:
    """How to give the commands a control's `cmd` runs together (`preset ocean, seed 5`, read as one preset's name),
    where `show` would take each (joined_hint); None where it would not, or they are one command. `taken`: the cue
    names a cue offered is not (in_a_cue)."""
    return joined_hint(joined_commands(str(cmd), console=False), lambda one: presets_found(show, one), "control",
                       taken=taken)


def map_named_in(r: Reader, node, what: str) -> str | None:
    """The map file a show's section names by its `map:` (`what`: "midi map"), else None after saying why: one
    written as a list (`[nanokontrol2, midimix]`) is told the section builds on one, where it was told only that it
    "must be non-empty text"."""
    if isinstance(node, SequenceNode) and node.value and all(isinstance(n, ScalarNode) for n in node.value):
        names = [str(n.value) for n in node.value]
        if len(names) == 1:
            r.error(node, f"{what} is written without brackets: map: {names[0]}")
        else:
            r.error(node, f"{what} names one map file, which the section's own controls: add to: write map: "
                          f"{names[0]}, and copy the entries wanted from {' and '.join(names[1:])} into controls:")
        return None
    return r.string(node, what)


def map_kind(node) -> str | None:
    """"osc" for a map whose controls name addresses (or that ignores some), "midi" for one whose controls name a
    cc, a note, an nrpn or program changes, else None (neither, or both: an entry written wrong is said as such): a
    map given where the other kind goes is said as one line, not as every entry's unknown keys."""
    controls = key_nodes(node).get("controls")
    entries = controls.value if isinstance(controls, SequenceNode) else []
    keys = {k.value for e in entries if isinstance(e, MappingNode) for k, _ in e.value if isinstance(k, ScalarNode)}
    osc, midi = "ignore" in top_keys(node) or "address" in keys, bool(keys & MIDI_KEYS)
    return "osc" if osc and not midi else "midi" if midi and not osc else None


class MapFiles(Generic[Map]):
    """The maps of one kind: `what` names them in messages ("MIDI map"), `article` goes before it ("an OSC map")."""

    def __init__(self, kind: str, what: str, read: Callable[[Reader, object, Path, bool], Map], empty: Map,
                 article: str = "a", top: tuple[str, ...] = (), keys: tuple[str, ...] = ()) -> None:
        """`read(reader, node, path, whole_paths)`: a map file's top node read as this kind's map; `empty`: the map
        of a file with nothing in it. `top`: the keys of a map file's top mapping; `keys`: all the keys a map file
        takes (as Reader.compose takes them: a slip of indentation is offered the place of the key meant)."""
        self.kind = kind
        self._reader, self._empty = read, empty
        self.top, self.keys = top, keys
        self.dir = maps_dir(kind)
        self.what = what
        self.one = f"{article} {what}"

    def shipped(self) -> list[str]:
        return shipped_maps(self.kind)

    def find(self, ref: str, base: Path | None) -> Path | None:
        """A map file by path (relative to `base`; `~` as the shell would, which `--midi-map=~/x.yaml` and a show's
        `map:` leave to vcam) or by the name of a shipped map."""
        given = home_expanded(ref)
        for candidate in ([base / given] if base else []) + [given, self.dir / ref, self.dir / f"{ref}.yaml"]:
            if os.path.isfile(candidate):  # not Path.is_file: a name too long is False, not OSError
                return candidate
        return None

    def not_found(self, ref: str, base: Path | None) -> str:
        """What a show's `map:` that names no map file is told: a folder is said as one (with the maps in it), where
        "not found" sent the operator looking for a folder that is right there."""
        given = home_expanded(ref)
        written = ([base / given] if base else []) + [given]
        folder = next((c for c in written if os.path.isdir(c)), None)
        if folder is not None:
            return f"{self.what} {ref!r} is a folder; name the map's YAML file in it{yaml_files_in(folder)}"
        if any(os.path.exists(c) for c in written):  # a named pipe (never opened: it waits for a writer), a device
            return f"{self.what} {ref!r} is a named pipe or a device, not a file; save the map there as a file"
        return self._other_kind(ref, in_show=True) or (
            f"{self.what} {ref!r} not found{self._meant(ref)}; give a path relative to the show file or one of: "
            f"{', '.join(self.shipped())}{self._own(ref)}")

    def in_show(self, ref: str, base: Path | None) -> tuple[Path | None, str | None]:
        """The map file a show's `map:` names, and what it is told where there is none or it is an older copy of one
        (`map: nano.yaml~`, refused as `--midi-map nano.yaml~` is): the problem and no path, or the path and None."""
        path = self.find(ref, base)
        if path is None:
            return None, self.not_found(ref, base)
        if (refusal := backup_refused(str(path), f"{self.what} file", "use", written=ref)) is not None:
            return None, refusal
        return path, None

    def named(self, ref: str, words: CommandWords = SHOW_WORDS) -> tuple[Path, Map]:
        """The map a command line names (`--midi-map`, `--osc-map`): a shipped map's name or a file's path,
        ValueError naming the shipped maps when there is no such map; read as `load` reads it."""
        path = self.find(ref, None)
        if path is None and os.path.isdir(home_expanded(ref)):  # else said not found, with the folder right there
            raise ValueError(f"{self.what} {ref!r} is a folder; name the map's YAML file in it"
                             f"{yaml_files_in(home_expanded(ref))}")
        if path is None:
            raise ValueError(self._other_kind(ref) or
                             f"{self.what} {ref!r} not found{self._meant(ref)}; shipped maps: "
                             f"{', '.join(self.shipped())}{self._own(ref)}")
        # `--midi-map nano.yaml~`, tab completion's other offer, as a show's backup is refused
        if (refusal := backup_refused(str(path), f"{self.what} file", "use")) is not None:
            raise ValueError(refusal)
        return path, self.load(path, words)

    def _meant(self, ref: str) -> str:
        """' (did you mean nanokontrol2?)' for a shipped map's name mistyped (shipped_map_meant); '' for a path, or a
        name near none."""
        meant = shipped_map_meant(self.kind, ref)
        return f" (did you mean {meant}?)" if meant else ""

    def _own(self, ref: str) -> str:
        """How to make a MIDI map of one's own, where `ref` is near no shipped map (`--midi-map launchpad`): the
        shipped maps alone listed left a controller vcam ships none for with nothing to give."""
        if self.kind != "midi" or shipped_map_meant(self.kind, ref) or re.search(r"[/\\]|\.ya?ml$", ref):
            return ""  # a file's path: it was meant to be there
        return ("; for another controller, vcam midi learn prints the line of each control touched, to save as a "
                "map file")

    def _other_kind(self, ref: str, in_show: bool = False) -> str | None:
        """What a shipped map of the other kind, named where this kind goes, is told (`--osc-map nanokontrol2`, or
        as a show's osc: map), where "not found" listed this kind's maps as if the name were mistyped."""
        for kind, (one, flag, _) in KINDS.items():
            if kind != self.kind and any(os.path.isfile(maps_dir(kind) / name) for name in (ref, f"{ref}.yaml")):
                where = f"as map: in the show's {kind}: section" if in_show else f"with {flag} {shell_word(ref)}"
                return (f"{ref!r} is {one} shipped with vcam, not {self.one}; give it {where} (shipped "
                        f"{self.what}s: {', '.join(self.shipped()) or 'none'})")
        return None

    def load(self, path: Path, words: CommandWords = SHOW_WORDS) -> Map:
        """One map file, with what it does nothing with as written in its `notes`; ConfigError with every problem
        by line, naming the map's kind (the problems of a map given on the command line are not the show file's).
        `words`: how its buttons' commands are read (CommandWords)."""
        try:
            return self._read(path, Reader(str(path), typed_only_words=dict(words.typed_only)), words.whole_paths)
        except ConfigError as e:
            raise ConfigError(e.problems, f"the {self.what} file") from None

    def _read(self, path: Path, r: Reader, whole_paths: bool) -> Map:
        node = r.compose(read_file(path), self.top, self.keys)
        if node is None and not r.problems:
            r.error(None, "the file is empty; it needs a controls: list")
        if written_as(node) == "show":  # `--osc-map show.yaml`: said as such, not as a map of unknown keys
            r.error(node, f"this is a show file (presets:, no controls:), not {self.one}; run it as vcam run "
                          f"{shell_word(str(path))}, and give its maps in its midi: or osc: section")
            r.raise_if_any()
        if (kind := map_kind(node)) not in (None, self.kind):  # said once, not as every entry's unknown keys
            one, flag, told_by = KINDS[kind]
            r.error(node, f"this is {one} (its controls name {told_by}), not {self.one}; give it with {flag} FILE, "
                          f"or as map: in a show's {kind}: section")
            r.raise_if_any()
        result = self._reader(r, node, path, whole_paths) if node is not None else self._empty
        r.raise_if_any()
        return result
