"""Reading YAML with line numbers, so that every error in a show or MIDI map names the file, the line and the fix.

Show files and MIDI maps are written by hand, so anything far past that is refused early, with its line: a file
over MAX_BYTES is not read further, and composing stops at the first node nested past MAX_DEPTH (nothing recursive
runs deeper) or past MAX_NODES in all (aliases counted each time they repeat a node). Past MAX_PROBLEMS problems
the reading stops. Parsing uses libyaml where PyYAML has it: the pure-Python scanner takes seconds per megabyte.
"""
from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader as _StreamReader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from vcam.control.commands import (COMMENT_FULL_WIDTH, COMMENT_FULL_WIDTH_IN_BLOCK, COMMENT_IN_BLOCK, COMMENT_IN_QUOTES,
                                   DECIMAL, commands_cut, is_command, parse)
from vcam.control.numberreadings import number_meant, whole_meant
from vcam.control.shipped import maps_dir, shipped_map_meant
from vcam.control.wholenumbers import BASED
from vcam.control.yamlwrite import STR_TAG, built_or_none, flow_yaml
from vcam.errors import READ_FIX
from vcam.words import counted, name_listed, nearest, plain, shell_word

# typed where a key's colon goes: an '=', or an input method's full-width colon or equals sign (regex class text)
COLON_SLIPS = "=\uff1a\uff1d"
MAX_BYTES = 1_000_000  # the example show is 2 kB; 200 presets with long prompts, 60 kB
MAX_DEPTH = 32  # lists and mappings inside each other; a show needs 5
# values (scalars, lists and mappings), each counted as often as an alias (*name) repeats it: a show of 1,000
# presets with three weighted prompts each has 20,000; a few lines of anchors can stand for billions
MAX_NODES = 50_000
MAX_PROBLEMS = 50  # one mistake repeated all through a file says nothing more the 51st time
TOO_DEEP = (f"nested more than {MAX_DEPTH} levels deep (lists and mappings inside each other); a show needs a few: "
            "check the brackets and indentation here")
TOO_MANY = (f"more than {MAX_NODES} values up to here (aliases count each time they are used); a show written by hand "
            "has far fewer: cut it down, or check that this is the file you meant")


# What Reader.value returns for a scalar that could not be constructed; the problem is already recorded, so the
# typed readers return None without adding a second message about the same value.
INVALID = object()


# keys read as words or paths, where digits and commas are no number: a comma cutting one is told to quote it
TEXT_KEYS = {"name", "prompt", "text", "fallback", "input", "map", "command", "do", "release", "port", "address"}

class ConfigError(ValueError):
    """One or more problems in a YAML file, each as 'file:line: message'; `what` names the kind of file."""

    def __init__(self, problems: list[str], what: str = "the show file"):
        self.problems = problems
        self.what = what
        super().__init__("\n".join(problems))


@dataclass
class Reader:
    """Collects problems while reading a composed YAML document."""

    path: str
    problems: list[str] = field(default_factory=list)
    # what reads and plays, but does nothing as written: said at its line, and the file is not refused for it
    notes: list[str] = field(default_factory=list)
    # the name_key of the file's cue names and of those offered to write so far: a cue offered (a control's
    # commands run together) takes none of them, as go fires the first of cues of one name, not the one offered
    cue_names: set[str] = field(default_factory=set)
    # one for the whole file: a loader made for each value was a sixth of the time a long show took to read
    _constructor: SafeConstructor = field(default_factory=SafeConstructor, init=False, repr=False)
    _lines: list[str] = field(default_factory=list, init=False, repr=False)  # the text composed, for _comment_cut

    def error(self, node: Node | None, message: str) -> None:
        self.add(self.path, node.start_mark.line + 1 if node is not None else 1, as_written_in(node, message))

    def add(self, path: str, line: int, message: str) -> None:
        """Records a problem; the MAX_PROBLEMS-th stops the reading (ConfigError with those so far)."""
        self.problems.append(f"{path}:{line}: {message}")
        if len(self.problems) >= MAX_PROBLEMS:
            raise ConfigError(self.problems + [f"{path}:{line}: stopped reading after {MAX_PROBLEMS} problems; "
                                               "fix these first"])

    def scratch(self) -> "Reader":
        """A reader of the same text with problems of its own: for a check whose problems are not to be said."""
        other = Reader(self.path)
        other._lines = self._lines
        return other

    def note(self, path: str, line: int, message: str) -> None:
        """Records what is said of the file at its line without refusing it."""
        self.notes.append(f"{path}:{line}: {message}")

    def compose(self, text: str, top: tuple[str, ...] = (), keys: tuple[str, ...] = (),
                groups: tuple[tuple[str, ...], ...] = ()) -> Node | None:
        """The node of `text`, or None after recording why there is none; `top`: the keys its top mapping takes (a
        key of them one space in, ` cues:`, is offered its place there); `keys`: all the keys it takes (a list
        item's word is taken for one only among them); `groups`: the keys of each kind of mapping in it (a key
        indented between two mappings is offered the column of the one that takes it)."""
        too_big = _too_big(text)
        if too_big:
            self.problems.append(f"{self.path}:{too_big}")
            return None
        self._lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))  # the marks' columns leave a BOM out
        odd = _odd_line_start(self._lines, text, keys)
        if odd:
            self.problems.append(f"{self.path}:{odd}")
            return None
        try:
            loader = _Loader(text)
        except yaml.reader.ReaderError as e:  # PyYAML's own reader checks the whole text as it starts, libyaml later
            self._record_unreadable(e, text)
            return None
        try:
            node = loader.get_single_node()
            self._note_lone_anchors(loader)
            return node
        except Refused as e:
            self.problems.append(f"{self.path}:{e.mark.line + 1}: {e}")
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            line = mark.line + 1 if mark else 1
            if e.problem == "exceeded maximum nesting depth":  # libyaml's own limit, met while reading ahead
                self.problems.append(f"{self.path}:{line}: {TOO_DEEP}")
                return None
            said = _syntax_error(e, line, text, top, keys, groups)
            self.problems.append(f"{self.path}:{getattr(said, 'line', line)}: {said}")
        except yaml.reader.ReaderError as e:
            self._record_unreadable(e, text)
        except yaml.YAMLError as e:
            self.problems.append(f"{self.path}:1: not valid YAML ({e})")
        finally:
            loader.dispose()
        return None

    def _record_unreadable(self, e: yaml.reader.ReaderError, text: str) -> None:
        at = _unreadable_at(e, text)
        line = text.count("\n", 0, at) + 1
        self.problems.append(f"{self.path}:{line}: {_unreadable_character(e, text, at)}")

    def _note_lone_anchors(self, loader: _LimitedComposer) -> None:
        """Notes each unquoted text set as an anchor (`prompt: &glitch city`) that no alias repeats: YAML reads the
        &word before a text as the anchor's name, and the prompt went on air without it, unsaid."""
        for name, node in loader.anchored.items():
            if name in loader.aliased or not isinstance(node, ScalarNode) or node.style or node.tag != STR_TAG:
                continue
            written = self.written(node, node) or f"&{name} {node.value}"
            self.note(self.path, node.start_mark.line + 1,
                      f"{written} reads as {_quoted(node.value)}: &{name} is a YAML anchor (a name for the value, "
                      f"which nothing repeats with *{name}); to keep the &, put the whole text in quotes")

    def mapping(self, node: Node, what: str, known: tuple[str, ...], required: tuple[str, ...] = (),
                elsewhere: dict[str, str] | None = None, meant: dict[str, str] | None = None) -> dict[str, Node]:
        """The keys of a mapping `node` among `known`, each other one said (with where it goes, if `elsewhere` names
        the section that takes it: `size:` at a show's top goes under `output:`; with the key meant, if `meant` has
        the key's other word for it, lower case: a cue's `delay:` is its wait:)."""
        if not isinstance(node, MappingNode):
            hint = ""
            given = node.value.strip() if isinstance(node, ScalarNode) else ""
            if given and "map" in known:
                named = _map_named(what, given)
                if "port" in known and named is None and (port := flow_yaml({"port": given})):
                    # `midi: nano` names the controller: told to write it as a map, it was then not found
                    hint = f"; for the controller's port write {what}: {port} (a map: beside it maps its knobs)"
                elif meant := flow_yaml({"map": named or given}):
                    # `midi: nanokontrol2`, the likely slip for a shipped map: offered quoted where YAML needs it
                    hint = f"; for a map by name write {what}: {meant}"
            elif isinstance(node, SequenceNode) and "controls" in known:
                # a map's controls listed straight under `midi:` (or as a whole map file), with no word of where
                hint = "; its list of knobs, faders and buttons goes under a controls: key, indented beneath it"
            self.error(node, f"{what} must be a mapping of key: value lines{hint}")
            return {}
        out: dict[str, Node] = {}
        # the known keys given in another case or with spaces, or that a merge key was to bring: not said missing too
        recased: set[str] = set()
        for i, (key_node, value) in enumerate(node.value):
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            written = key.strip().lower() if isinstance(key, str) else None
            if key not in known and written in known and written not in out:
                # `PROMPT:` or `prompt :`: YAML keys match only as written, and a near-name hint missed all capitals
                self.error(key_node, f"{what}: key {key!r} is not read as {written!r}; write it {written}: (lower "
                                     "case, no spaces)")
                recased.add(written)
            elif key in out:
                self.error(key_node, f"{what}: key {key!r} is given twice; keep one")
            elif key == "<<" and key_node.tag == MERGE_TAG:
                # YAML's merge key copies an anchored mapping's keys in; read as an unknown key '<<' it said nothing
                # of what to write instead
                self.error(key_node, f"{what}: merge keys (<<: *name) are not read here; write the keys out (an "
                                     "alias repeats one value: seed: *name)")
                recased.update(required)  # what it would have brought in: writing the keys out gives them
            elif key not in known:
                near = nearest(str(key), known, cutoff=0.75) if isinstance(key, str) else None
                if isinstance(key, str) and key.strip().casefold() in (meant or {}):
                    near = meant[key.strip().casefold()]
                hint = f"; did you mean {near}?" if near else ""
                if isinstance(key, str) and key in (elsewhere or {}):
                    hint = f"; it goes under {elsewhere[key]}"
                comma = _decimal_comma(node, i, known)
                if comma is not None or (comma := self._text_cut(node, i, known)) is not None:
                    if comma:  # else a later group of the number (or words of the text) that the first one's told
                        self.error(key_node, f"{what}: unknown key {key!r}{comma}")
                    continue
                self.error(key_node, f"{what}: unknown key {key!r}; known keys: {', '.join(known)}{hint}")
                # `at: {bars: 17}`: the key meant, named here, is not said missing as well
                if near in required and hint.startswith("; did you mean"):
                    recased.add(near)
            else:
                out[key] = value
        for key in required:
            if key not in out and key not in recased:
                self.error(node, f"{what}: {key!r} is missing")
        return out

    def sequence(self, node: Node, what: str) -> list[Node]:
        if not isinstance(node, SequenceNode):
            self.error(node, f"{what} must be a list (lines starting with '- ')")
            return []
        return list(node.value)

    def value(self, node: Node, what: str = "value"):
        """The Python value of a scalar (a collection node is returned as is); INVALID after recording why."""
        if not isinstance(node, ScalarNode):
            return node
        try:
            return self._constructor.construct_object(node, deep=True)
        except Exception as e:  # a tag forces a type the text is not (!!int abc) or that safe loading refuses
            self._constructor = SafeConstructor()  # a failed construction leaves its state behind
            tag = _shown_tag(node.tag)
            if isinstance(e, yaml.constructor.ConstructorError) and "could not determine" in (e.problem or ""):
                self.error(node, f"{what}: unknown tag {tag}; remove it (show files hold plain text, numbers "
                                 "and lists)")
            elif not node.style and Resolver().resolve(ScalarNode, node.value, (True, False)) == node.tag:
                # no tag written: YAML took the form for one of its own (`0x_` for hex, `2024-02-30` for a date),
                # and "remove the tag" named one the file does not have
                kind, why = _IMPLIED_KINDS.get(node.tag, (tag, ""))
                self.error(node, f"{what}: YAML reads {node.value} as a {kind}, and it is no valid one{why}; write "
                                 "the value meant, or put it in quotes where text is meant")
            else:
                # the constructors' own exceptions (int(), a failed regex match) say nothing to a show writer
                reason = f" ({e.problem})" if isinstance(e, yaml.MarkedYAMLError) and e.problem else ""
                self.error(node, f"{what}: {node.value!r} is not a valid {tag}{reason}; remove the tag or fix "
                                 "the value")
            return INVALID

    def string(self, node: Node, what: str, max_len: int = 2000,
               refused: Callable[[str], str | None] | None = None) -> str | None:
        """A text value; None after recording why it is none. `refused`: why the value, were it text, would be
        refused in turn (None where taken), for an unquoted off or 5 that is not offered quoted where quoted it is
        no value either (`out: [off]`: 'off' pasted was refused as no output)."""
        v = self.value(node, what)
        if v is INVALID:
            return None
        if not isinstance(v, str) or not v.strip():
            read_as = _read_as(v)
            why = refused(node.value.strip()) if refused and isinstance(node, ScalarNode) else None
            if read_as and isinstance(node, ScalarNode) and node.value.strip() and why:
                self.error(node, f"{what} must be non-empty text, but {node.value} is read as {read_as}, and "
                                 f"as text it is refused too: {why}")
            elif read_as and isinstance(node, ScalarNode) and node.value.strip():
                # YAML turns unquoted off/yes/null and digits into other types; the fix is quoting
                self.error(node, f"{what} must be non-empty text, but {node.value} is read as {read_as}; "
                                 f"quote it: {_quoted(node.value)}")
            else:
                self.error(node, f"{what} must be non-empty text")
            return None
        if (cut := self._comment_cut(node)) is not None:
            # `prompt: red #1 light` reads as "red": YAML takes ' #' to the end of the line as a comment
            self.error(node, f"{what} reads as {_quoted(v.strip())}: '{cut}' after it is a YAML comment; put the "
                             f"whole text in quotes to keep it, or write a space after # if it is a comment")
            return None
        if len(v) > max_len:
            self.error(node, f"{what} is too long ({len(v)} characters, at most {max_len})")
            return None
        if isinstance(node, ScalarNode) and node.style == '"' and (made := _escaped_control(v)):
            # a Windows path in "double quotes": "C:\temp\a.mp4" reads as C:<tab>emp<bell>.mp4 without an error
            self.error(node, f"{what}: \\{made} in \"double quotes\" is one of YAML's own escapes, not a "
                             "backslash and a letter; write a path with backslashes in 'single quotes' or without "
                             "quotes")
            return None
        return v.strip()

    def _text_cut(self, node: MappingNode, i: int, known: tuple[str, ...]) -> str | None:
        """'; ...' where the unknown key `i` is words of a prompt, a text or a name cut off by a comma in a mapping in
        braces (`{name: a, prompt: neon, rain, fog}` reads as prompt 'neon' and keys rain and fog), with the whole
        text quoted to write; '' for a later key of a text so cut (the first one's line says it); None otherwise."""
        if not node.flow_style:
            return None

        def cut(j: int) -> bool:
            # a key among `known` (`port`, `seed` with no value), or near one (`sed`, a slip for seed), is no word of
            # the text: taken for one, it went unsaid
            word = node.value[j][0].value
            return (word not in known and not (isinstance(word, str) and nearest(word, known, cutoff=0.75))
                    and self._comma_cut(node.value[j - 1], node.value[j]))

        start = i
        while start > 0 and cut(start):
            start -= 1
        key_before, text = node.value[start]
        if start == i or not isinstance(key_before, ScalarNode) or \
                key_before.value not in ("prompt", "text", "name", "command"):
            return None
        if not isinstance(text, ScalarNode) or text.style or text.tag != STR_TAG:
            return None
        if start + 1 < i:
            return ""
        end = start + 1
        while end < len(node.value) and cut(end):
            end += 1
        whole = self.written(text, node.value[end - 1][0])
        # offered as the braces take it: quoted, where a line of its own would read it plain
        if whole is None or (offered := flow_yaml({key_before.value: whole})) is None:
            return None
        keys = ", ".join(k.value for k, _ in node.value[start + 1:end])
        them = "as keys of their own" if end - start > 2 else "as a key of its own"
        if key_before.value == "command":
            pieces = [text.value] + [k.value for k, _ in node.value[start + 1:end]]
            if (several := commands_cut(pieces, self.cue_names)) is not None:
                # offered in quotes, it was told next that a control sends one command: said at once instead
                if parse(text.value).name == "prompt" and is_command(whole):
                    # `prompt neon, blackout` is as likely one prompt with a comma as a prompt and a blackout
                    several += f"; if it is one prompt, put the whole text in quotes: {offered[1:-1]}"
                return f"; in {{...}} a comma separates keys, and {several}"
            if not is_command(whole):
                return None  # quoted, it would be refused for a reason of its own: the known keys stand
        return (f"; in {{...}} a comma separates keys, so {key_before.value} reads as {text.value!r} and {keys} "
                f"{them}: put the whole text in quotes: {offered[1:-1]}")

    def _comma_cut(self, pair: tuple, after: tuple) -> bool:
        """Whether `after` is a plain word key with no value that follows `pair` (its value, or its own key where it
        is such a word too) with only a comma between, on one line: `neon, rain` read as `neon` and a key `rain`."""
        key_node, value = after
        if not (isinstance(key_node, ScalarNode) and not key_node.style and key_node.tag == STR_TAG
                and key_node.value and _plain_null(value)):
            return False
        end = pair[0] if _plain_null(pair[1]) else pair[1]
        if not isinstance(end, ScalarNode) or end.end_mark.line != key_node.start_mark.line:
            return False
        line = self._lines[end.end_mark.line] if end.end_mark.line < len(self._lines) else ""
        return re.fullmatch(r"\s*,\s*", line[end.end_mark.column:key_node.start_mark.column]) is not None

    def written(self, start: Node, end: Node) -> str | None:
        """The text from `start` to `end` as the file has it (`range: [0, 12]`, a key to its value), for a line
        that says what to delete; None where it runs over more than one line, or is no text composed here."""
        first, last = start.start_mark, end.end_mark
        if first is None or last is None or first.line != last.line or first.line >= len(self._lines):
            return None
        return self._lines[first.line][first.column:last.column] or None

    def _comment_cut(self, node: Node) -> str | None:
        """The comment right after an unquoted text value where it starts with '#' and a word (`#1 light`), which
        reads as the value's own end, not a comment; None where there is none, or it is written `# like this`."""
        if not isinstance(node, ScalarNode) or node.style or node.end_mark is None:
            return None
        end = node.end_mark
        line = self._lines[end.line] if end.line < len(self._lines) else ""
        # from the mark on, not a slice: a slice copied the line's start for each value, and a show written on one
        # long line (a flow list) took seconds
        if not node.value or not line.endswith(node.value[-1], 0, end.column):  # a node of a text not composed here
            return None
        found = _CUT.match(line, end.column)
        return found.group(1).rstrip() if found else None

    def _octal(self, node: Node, v, what: str, span: tuple[float, float] | None = None) -> bool:
        """Whether `v` was written with a leading 0, which YAML 1.1 reads as octal (said): `cc: 010` is CC 8, a knob
        other than the one the manual lists, `bpm: 0120` is 80 bpm. `span`: the value's range (lo, hi), where the
        number meant is offered only if it is in it."""
        unquoted = isinstance(node, ScalarNode) and not node.style
        found = _OCTAL.fullmatch(node.value) if unquoted and isinstance(v, int) and not isinstance(v, bool) else None
        if found is None:
            return False
        sign, digits = found.groups()
        meant = int(digits.replace("_", "") or "0")
        if meant == abs(v):  # 00 to 07 (a manual's channel 01): octal and decimal agree, the file is right
            return False
        written = f"{'-' if sign == '-' and meant else ''}{meant}"
        key = self._key_before(node)
        # `seed 010` typed is seed 10: the show's `seed: 010` is told why it differs, with the line to write
        typed = f", where the typed command {key} {node.value} is {written}"
        fix = f"write {key}: {written}" if key else f"write {written} without the leading 0"
        if span is not None and not span[0] <= int(written) <= span[1]:  # `steps: 0115`: steps: 115 is refused too
            fix = f"without it, {written} is out of range ({plain(span[0])} to {plain(span[1])})"
        self.error(node, f"{what} {node.value} reads as {v} (YAML takes a number with a leading 0 as octal"
                         f"{typed if _typed_as(key, node.value, meant) else ''}); {fix}")
        return True

    def _key_before(self, node: Node) -> str | None:
        """The key written right before a value on its line (`seed` for `seed: 010`, in a block or in braces), for a
        fix that names the line to write; None where there is none (a list's entry, a value on a line of its own)."""
        mark = node.start_mark
        if mark is None or mark.line >= len(self._lines):
            return None
        found = _KEY_BEFORE.search(self._lines[mark.line], 0, mark.column)
        return found[1] if found else None

    def _base60(self, node: Node, v, what: str) -> bool:
        """Whether `v` was written with a colon, which YAML 1.1 reads as base 60 (said): `seed: 1:30` is 90, `bpm:
        2:00` is 120, where a time or a ratio may have been meant."""
        plain = isinstance(node, ScalarNode) and not node.style
        if not plain or ":" not in node.value or isinstance(v, bool) or not isinstance(v, (int, float)):
            return False
        self.error(node, f"{what} {node.value} reads as {v} (YAML takes digits with ':' as base 60, like "
                         "minutes:seconds); write the number itself in digits")
        return True

    def misread(self, node: Node, v, what: str, span: tuple[float, float] | None = None) -> bool:
        """Whether a plain number was written in one of YAML 1.1's forms that read as another number (said); `span`
        as _octal's."""
        return self._octal(node, v, what, span) or self._base60(node, v, what)

    def integer(self, node: Node, what: str, lo: int, hi: int) -> int | None:
        v = self.value(node, what)
        if v is INVALID:
            return None
        if self.misread(node, v, what, (lo, hi)):
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            hint = (_in_digits(self.numeric(node), lo, hi, node, what) or _unquoted(node, v, lo, hi, whole=True)
                    or _space_grouped(v, lo, hi, what)
                    or _written_as(v, whole_meant(v.strip(), lo, hi) if isinstance(v, str) else "",
                                   lambda n: lo <= n <= hi))
            self.error(node, f"{what} must be a whole number from {lo} to {hi}{hint}")
            return None
        if not lo <= v <= hi:
            self.error(node, f"{what} {as_written(node, str(v))} is out of range ({lo} to {hi})")
            return None
        return v

    def numeric(self, node: Node, what: str = "value"):
        """As `value`, with a plain 1e-9 or 5E3 read as the number it means: YAML 1.1 reads an exponent without a
        dot (1.0e-9) as text, and a show writer who wrote a number should not be told to write one."""
        v = self.value(node, what)
        plain = isinstance(node, ScalarNode) and not node.style  # libyaml gives "" for plain, PyYAML None
        if isinstance(v, str) and plain:
            try:
                return float(v)
            except ValueError:
                pass
        return v

    def number(self, node: Node, what: str, lo: float, hi: float, clock: bool = False) -> float | None:
        """A number from `lo` to `hi`; `clock`: seconds, where 1:30 means the 90 YAML reads it as."""
        v = self.numeric(node, what)
        if v is INVALID or self._octal(node, v, what, (lo, hi)) or (not clock and self._base60(node, v, what)):
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v != v:
            # `strength: 60%`, a share, as `strength 60%` typed is offered 0.6
            hint = _unquoted(node, v, lo, hi) or number_written_as(v, lambda n: lo <= n <= hi, share=hi == 1)
            self.error(node, f"{what} must be a number from {plain(lo)} to {plain(hi)}{hint}")
            return None
        if not lo <= v <= hi:
            # `.inf`, `1e309`: said as written, not as the inf YAML and float read them as, written nowhere
            shown = node.value.strip() if math.isinf(v) and isinstance(node, ScalarNode) else as_written(node, plain(v))
            self.error(node, f"{what} {shown} is out of range ({plain(lo)} to {plain(hi)})")
            return None
        return float(v)

    def choice(self, node: Node, what: str, choices: tuple[str, ...]) -> str | None:
        v = self.value(node, what)
        if v is INVALID:
            return None
        if v not in choices:
            self.error(node, f"{what} must be one of {', '.join(choices)} (got {v!r}){_choice_meant(v, choices)}")
            return None
        return v

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


def as_written_in(node: Node | None, message: str) -> str:
    """`message`, said of the value `node`, in the words true where it is written: in a | or > block a plain # is
    text too, where the words for quotes, brackets and braces were untrue."""
    return in_a_block(message) if written_in_a_block(node) else message


def written_in_a_block(node: Node | None) -> bool:
    """Whether the value `node` is written as a | or > block."""
    return isinstance(node, ScalarNode) and node.style in ("|", ">")


def in_a_block(message: str) -> str:
    """`message`, said of a value written as a | or > block, in the words true there (as_written_in)."""
    return message.replace(COMMENT_FULL_WIDTH, COMMENT_FULL_WIDTH_IN_BLOCK).replace(COMMENT_IN_QUOTES, COMMENT_IN_BLOCK)


PROBLEM_AT = re.compile(r"(.*?):(\d+): ")  # a problem's file and line, as Reader.add writes them


def in_line_order(problems: list[str], first: str | None = None) -> list[str]:
    """`problems` by line within each file, the files in the order of their first problem: a section read in passes
    (each entry, then what entries share, then the presets they name) said line 10 before line 7, and an operator
    fixing them top down met them out of turn. `first`: the file whose problems come before any other's (the show
    checked, before the map files it names, whose problems are found as its midi: section is read)."""
    files: dict[str, int] = {first: 0} if first is not None else {}
    keys = []
    for problem in problems:
        found = PROBLEM_AT.match(problem)
        file, line = (found[1], int(found[2])) if found else ("", 0)  # Reader.add writes none without its line
        keys.append((files.setdefault(file, len(files)), line))
    return [problem for _, problem in sorted(zip(keys, problems), key=lambda kp: kp[0])]


def _map_named(kind: str, name: str) -> str | None:
    """The map meant by `name`, written where a `kind` (midi, osc) section goes: a shipped map's own name for one
    mistyped, cut short, capitalised or given another ending (nanokontrol, NanoKontrol2, nanokontrol2.yml), `name`
    itself for a shipped map, a path or a YAML file's name; None for a controller's name (nano), which a port: takes
    (offered a port:, a map's name read as a controller's and was never opened)."""
    if _shipped_map(kind, name):
        return name
    if meant := shipped_map_meant(kind, name):
        return meant
    return name if "/" in name or name.lower().endswith((".yaml", ".yml")) else None


def _shipped_map(kind: str, name: str) -> bool:
    """Whether `name` is a map shipped with vcam for a `kind` (midi, osc) section, as its `map:` finds one."""
    folder = maps_dir(kind)
    return any((folder / n).is_file() for n in (name, f"{name}.yaml")) if "/" not in name else False


# a fit by the words other tools give it (CSS's object-fit, a VJ mixer's fill): no letter near vcam's, they were said
# no more than the choices. `fill` is crop in a mixer and stretch in CSS: both are said with what they do
_FITS_MEANT = {"crop": "crop fills the frame and cuts its edges", "stretch": "stretch fills it out of shape",
               "letterbox": "letterbox shows the whole picture, with bars"}
_FIT_WORDS = {"fill": f"{_FITS_MEANT['crop']}, {_FITS_MEANT['stretch']}: write the one meant",
              "cover": f"did you mean crop? ({_FITS_MEANT['crop']})",
              "zoom": f"did you mean crop? ({_FITS_MEANT['crop']})",
              "contain": f"did you mean letterbox? ({_FITS_MEANT['letterbox']})",
              "fit": f"did you mean letterbox? ({_FITS_MEANT['letterbox']})"}


def _choice_meant(v, choices: tuple[str, ...]) -> str:
    """'; write it as blend' for `Blend`, '; did you mean blend?' for `blnd`; '' where none is near: the choices
    are lowercase, and one written capitalised (as a UI names it) read as a word vcam did not know."""
    if not isinstance(v, str):
        return ""
    same = [c for c in choices if c.casefold() == v.strip().casefold()]
    if same:
        return f"; write it as {same[0]}"
    if set(choices) == set(_FITS_MEANT) and (fit := _FIT_WORDS.get(v.strip().casefold())):
        return f"; {fit}"
    meant = nearest(v.lower(), choices)
    return f"; did you mean {meant}?" if meant else ""


MERGE_TAG = "tag:yaml.org,2002:merge"
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # YAML's line breaks, as the marks count lines
# YAML 1.1's octal form, digits grouped by _ too (0_10 is 8); 0o17 is YAML 1.2's, read as text by PyYAML
_OCTAL = re.compile(r"([+-]?)0([0-7_]+)")
# a plain key and its colon, ending where its value starts
_KEY_BEFORE = re.compile(r"(?:^|[\s{,])([A-Za-z_][\w-]*)[ \t]*:[ \t]+$")
# a comment right after a value whose # a word follows (#1, #brûlée): `# note` and `#--- part 2 ---` are comments
_CUT = re.compile(r"[ \t]+(#\w.*)")


def as_written(node: Node, shown: str) -> str:
    """`shown`, a number read from `node`, with the form it was written in where YAML read it as hexadecimal or
    binary (`0x10 (16)`): said as 16 alone, the number was nowhere on the line the message names."""
    plain = isinstance(node, ScalarNode) and not node.style
    return f"{node.value} ({shown})" if plain and BASED.fullmatch(node.value) else shown


def _typed_as(key: str | None, written: str, meant: int) -> bool:
    """Whether the command `key` typed with `written` (seed 010) reads it as the whole number `meant`, as YAML's
    octal does not."""
    if key is None:
        return False
    try:
        typed = parse(f"{key} {written}", console=False)
    except ValueError:  # no such command, or none taking that number
        return False
    return typed is not None and typed.name == key and typed.args == (meant,)


def _in_digits(v, lo: int, hi: int, node: Node, what: str) -> str:
    """'; write it in digits: 1000' for a whole number in range written with an exponent (1e3, 1.0e3), '; write
    steps: 4' for one written with a point (4.0), which is in digits already: a number where a whole one is asked
    for, not a mistake to look for. '' for anything else."""
    if isinstance(v, float) and math.isfinite(v) and v.is_integer() and lo <= v <= hi:
        if isinstance(node, ScalarNode) and "e" not in node.value.lower():
            return f"; write {_key_line(what, int(v))}"
        return f"; write it in digits: {int(v)}"
    return ""


def _key_line(what: str, value: object) -> str:
    """`steps: 4` for what a message calls 'defaults steps' (its last word the key), `it as 4` where that is no
    key's name."""
    key = what.split()[-1] if what.split() else ""
    return f"{key}: {value}" if re.fullmatch(r"[a-z_]+", key) else f"it as {value}"


# what a hand or a locale puts between thousands: a space, a no-break or thin one, an apostrophe (Swiss 12'345)
_THOUSANDS = "[ \u00a0\u2009\u202f'\u2019]"


def _space_grouped(v, lo: int, hi: int, what: str) -> str:
    """'; write seed: 12345' for a whole number whose thousands are set apart by a space or an apostrophe (12 345),
    which YAML reads as text; '' for anything else."""
    if not isinstance(v, str) or not re.fullmatch(f"\\d{{1,3}}(?:{_THOUSANDS}\\d{{3}})+", text := v.strip()):
        return ""
    whole = int(re.sub(_THOUSANDS, "", text))
    return f"; write {_key_line(what, whole)} (no space or mark between its digits)" if lo <= whole <= hi else ""


def _unquoted(node: Node, v, lo: float, hi: float, whole: bool = False) -> str:
    """'; write it without quotes: 10' for a number in range written in quotes ('010', "120"), which YAML reads as
    text; '' for anything else, and where `whole` for one with a fraction ('4.5' for steps: unquoted, it is
    refused too)."""
    if not isinstance(node, ScalarNode) or not node.style or not isinstance(v, str):
        return ""
    text = v.strip()
    if not DECIMAL.fullmatch(text):
        return ""
    n = int(text) if text.lstrip("+-").isdigit() else float(text)  # int: a seed's 19 digits stay exact
    if not lo <= n <= hi or (whole and not float(n).is_integer()):
        return ""
    return f"; write it without quotes: {n if isinstance(n, int) else format(n, 'g')}"


def _decimal_comma(node: MappingNode, i: int, known) -> str | None:
    """'; ...' where the unknown key `i` of digits is the rest of the number before it, cut off by a comma in a
    mapping in braces (`{seed: 42, bias: 0,3}` reads as bias 0 and a key 3); '' for a later group of digits of a
    number so cut (`{seed: 1,000,000}`: the first group's line tells the whole number); None for anything else.
    Three digits after it may group thousands (`{seed: 12,345}`): both readings are offered, as a whole number's key
    takes only one; a name or prompt (TEXT_KEYS) is told to be quoted, as it is no number."""
    if not node.flow_style:
        return None
    start = i
    while start > 0 and _cut_group(node.value[start - 1], node.value[start]):
        start -= 1
    if start == i:
        return None
    key_before, number = node.value[start]
    written = key_before.value.strip().lower() if isinstance(key_before, ScalarNode) else None
    if not (_plain_digits(number) and written in known):  # `{0: 1,2}`: no key to name
        return None
    groups = [number.value] + [k.value for k, _ in node.value[start + 1:_run_end(node, start + 1)]]
    said = ",".join(groups)
    # a number offered in plain digits: YAML reads full-width ones (０.３, typed with an East Asian input method) as text
    groups = ["".join(str(unicodedata.decimal(c)) for c in g) for g in groups]
    if written in TEXT_KEYS:
        readings = f"{written}: '{said}' (quoted)"
    elif len(groups) > 2 and _grouped(groups):  # 1,000,000, or 1,23,456 grouped in lakhs: one whole number
        readings = f"{written}: {''.join(groups)}"
    elif len(groups) > 2:  # 0,3,5: no one number
        return None
    elif len(groups[1]) == 3 and not groups[0].startswith("0"):
        readings = f"{written}: {''.join(groups)} (a thousands comma) or {written}: {'.'.join(groups)} (a decimal one)"
    else:
        readings = f"{written}: {'.'.join(groups)}"
    if start + 1 < i:
        return ""
    return f"; in {{...}} a comma separates keys: for {said} write {readings}"


def _cut_group(pair: tuple, after: tuple) -> bool:
    """Whether `after` is a key of digits with no value that follows `pair`'s plain digits (its value's, or its own
    key's where it is a group too) with only a comma between: `1,000` read as `1` and a key `000`."""
    key_node, value = after
    if not (_plain_digits(key_node) and _plain_null(value)):
        return False
    end = pair[1] if _plain_digits(pair[1]) else pair[0] if _plain_null(pair[1]) else None
    return end is not None and _plain_digits(end) and end.end_mark.index + 1 == key_node.start_mark.index


def _grouped(groups: list[str]) -> bool:
    """Whether digit groups read as one whole number: thousands (1,000,000) or lakhs (12,34,567)."""
    *middle, last = groups[1:]
    return (not groups[0].startswith("0") and len(last) == 3
            and (all(len(g) == 3 for g in middle) or all(len(g) == 2 for g in middle)))


def _run_end(node: MappingNode, start: int) -> int:
    """The index past the last key of digits cut off the same number as the key at `start`."""
    end = start + 1
    while end < len(node.value) and _cut_group(node.value[end - 1], node.value[end]):
        end += 1
    return end


def _plain_digits(node: Node) -> bool:
    # isdecimal(): isdigit() takes "²", and `{seed: ²,3}` was told to write seed: ².3
    return isinstance(node, ScalarNode) and not node.style and node.value.isdecimal()


def _plain_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and not node.style and node.value == ""


def number_written_as(v, fits, share: bool = False) -> str:
    """'; write it as 0.3' for text `v` that means a number `fits` takes (0,3, 124bpm; 30% where it is a `share`,
    from 0 to 1, as the typed command reads it); '' for anything else."""
    if not isinstance(v, str):
        return ""
    return _written_as(v, number_meant(v.strip(), lambda n: math.isfinite(n) and fits(n), share=share), fits)


def _written_as(v, meant: str, fits: Callable[[int], bool]) -> str:
    """'; write it as 0.3' for text that means a number in range (a decimal comma, 0,3, which YAML reads as text; a
    unit after it, 124bpm; 2,000 for a whole one), from commands' " (did you mean 0.3?)" (`meant`); '' for none.
    `fits`: whether the value takes a number (a hex one's, _based_said)."""
    if isinstance(v, str) and (based := _based_said(v.strip(), fits)) is not None:
        return based
    offered = re.fullmatch(r" \(did you mean (.+)\?\)", meant)
    return f"; write it as {offered[1]}" if offered else ""


_BASE_PREFIX = re.compile(r"[+-]?0([xXbB])(.*)")


def _based_said(text: str, fits: Callable[[int], bool]) -> str | None:
    """'; 0x starts a hexadecimal number but …' for text that starts as a hex or binary number (0x, 0b) and is none:
    read as a 0 with a unit after it, `0x` was offered as 0, a number it was never meant as. A number so written
    whole that YAML reads as text (quoted, or 0X10: its x is lower case) is offered in decimal digits where it `fits`
    the value, and said in them where not: strength: 16, offered for 0x10, was refused in turn. None for other
    text."""
    found = _BASE_PREFIX.fullmatch(text)
    if found is None:
        return None
    try:
        n = int(text, 0)
    except ValueError:
        pass
    else:
        return f"; write it in decimal digits: {n}" if fits(n) else f"; {text} is {n} in decimal digits, out of range"
    kind, digits = ("hexadecimal", "0 to 9 and a to f") if found[1] in "xX" else ("binary", "0 and 1")
    said = (f"{text} starts a {kind} number, but no digits follow" if not found[2].replace("_", "") else
            f"{text} is no {kind} number (its digits are {digits})")
    return f"; {said}: write the number in decimal digits"


# What YAML's escapes in "double quotes" make that no prompt, name or path holds: \0 \a \b \v \f \e, each by the
# letter that made it. \t and \n are left: a prompt may mean them.
_CONTROL_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\v": "v", "\f": "f", "\x1b": "e"}


def _escaped_control(text: str) -> str | None:
    """The escape's letter (`a` for \\a) of one such character in `text`, else None."""
    return next((letter for char, letter in _CONTROL_ESCAPES.items() if char in text), None)


def _code(e: yaml.reader.ReaderError) -> int:
    return e.character if isinstance(e.character, int) else ord(e.character)  # PyYAML gives the code point


def _unreadable_at(e: yaml.reader.ReaderError, text: str) -> int:
    """Where in `text` the character YAML refused is: libyaml's position counts UTF-8 bytes, not characters, so
    after an é or an emoji it points further on (a line or a column too far); the first of that character is the
    one refused, as every character before it was taken. For a NUL, where the run of them (the part not written)
    starts, where there is one: a stray NUL before it is not where the file stops being text."""
    code = _code(e)
    if code == 0 and _utf32(text.encode("utf-8", "surrogatepass")):
        return 0  # the whole file is UTF-32, not its line with a character past U+00FF
    at = text.find(NUL_RUN) if code == 0 and NUL_RUN in text else text.find(chr(code))
    return at if at >= 0 else max(e.position, 0)


def _unreadable_character(e: yaml.reader.ReaderError, text: str, at: int) -> str:
    """A character YAML takes nowhere (at `at` in `text`), said with its fix where PyYAML's own message ran over
    two lines and named no fix: the NUL bytes of UTF-16 saved without its byte order mark (PowerShell, some
    Windows editors), or one control character (a paste from a terminal or a word processor)."""
    code = _code(e)
    column = at - text.rfind("\n", 0, at)
    if code == 0 and _utf32(text.encode("utf-8", "surrogatepass")):
        return _utf32_said(text.startswith("\0"))
    if code == 0 and NUL_RUN in text:
        length = len(text[at:]) - len(text[at:].lstrip("\0"))
        # zeros to the end: its end not written yet; a run with text after it: that many bytes not written
        run = f"NUL bytes (0) from column {column} on" if at + length == len(text) else \
            f"{length} NUL bytes (0) from column {column}"
        return f"{run}, where text should be: {NOT_WHOLE}"
    if code == 0 and _utf16_unmarked(text):
        return _utf16_said(text.startswith("\0"))
    return (f"a control character (U+{code:04X}, column {column}) that YAML does not allow; delete it (a paste from "
            "a terminal or a word processor can bring one)")


# UTF-16 text has no three NUL bytes in a row (but for U+0000, no text): a run of them is a file not written whole
# (zeros where a network share or a crash left its end unwritten), not UTF-16
NUL_RUN = "\0" * 4
NOT_WHOLE = ("the file is not written whole (a save still under way on a network share, or one a crash cut short); "
             "save it again from the editor")


def _utf16_unmarked(data: str | bytes) -> bool:
    """Whether `data` reads as UTF-16 saved without its byte order mark: at least a quarter NUL (a text file has
    none; UTF-16's ASCII is half NUL, its accents and emoji fewer), and no run of them."""
    nul, run = ("\0", NUL_RUN) if isinstance(data, str) else (b"\0", NUL_RUN.encode())
    return data.count(nul) * 4 >= len(data) and run not in data


def _utf32(data: bytes) -> bool:
    """Whether `data` reads as UTF-32, with its byte order mark or without: in whole units of four bytes, none of
    them 0 (a unit of zeros is a file not written whole), each a code point (at most 0x10FFFF), little- or
    big-endian; a last unit cut short aside. Told before UTF-16 (whose mark starts its little-endian mark) and
    before the runs of NULs (an ASCII letter then an emoji or a CJK character makes one), which it is not."""
    data = data[:len(data) // 4 * 4]  # a save cut mid-character is still UTF-32: its whole units say so
    if not data or any(data[i:i + 4] == bytes(4) for i in range(0, len(data), 4)):
        return False
    return any(not data[high::4].strip(b"\0") and max(data[plane::4]) <= 0x10 for high, plane in ((3, 2), (0, 1)))


def _utf32_said(big_endian: bool) -> str:
    """UTF-32 text, said with the fix: UTF-16's iconv would garble it."""
    return (f"the file is UTF-32 text, not UTF-8 (three bytes of every four are 0); save it as UTF-8 (in the "
            f"editor's Save As, or: iconv -f utf-32{'be' if big_endian else 'le'} -t utf-8 FILE > NEW.yaml)")


def _utf16_said(big_endian: bool) -> str:
    """UTF-16 saved without its byte order mark, said with the fix: ASCII's high byte (0) first, or after it."""
    return (f"the file is UTF-16 text, not UTF-8 (every other byte is 0); save it as UTF-8 (in the editor's Save As, "
            f"or: iconv -f utf-16{'be' if big_endian else 'le'} -t utf-8 FILE > NEW.yaml)")


# PyYAML's names for what it was reading, in the words a show's author uses
PLAIN_WORDS = {"quoted scalar": "quoted text (is its closing quote missing?)", "plain scalar": "value",
               "simple key": "key", "block scalar": "block of text (| or >)"}


# What a web page, a chat or a word processor puts where a show writes a space or a hyphen, at a line's start: read
# as part of the key ("show: unknown key '\xa0\xa0 prompt'") or as a ': ' inside a value, said as neither
_SPACES = "\u00a0\u2000-\u200b\u202f\u205f\u3000\ufeff"
_ODD_SPACE = re.compile(rf"^ *([{_SPACES}])[ {_SPACES}]*(- |-$|[^\s:#]+:( |$))")
_ODD_DASH = re.compile(r"^ *([\u2013\u2014]) +([^\s:#]+:( |$)|\{)")
# a key's first character: not one that starts YAML's other kinds of node (a quote, a flow, an anchor, a tag, a
# block text, a list item) or a comment
_KEY_HEAD = r"[^\s:#'\"{\[&*!|>-]"
# such a space after a key's colon (`name:\xa0neon`, macOS's Option+Space): the line read as a text, not a key
_ODD_COLON = re.compile(rf"^ *(- +)?({_KEY_HEAD}[^\s:#]*):([{_SPACES}])")


def _odd_colon(line: str, keys: tuple[str, ...], lines: list[str], number: int) -> re.Match | None:
    """_ODD_COLON's match of `line` (line `number` of `lines`); in a list item only where its word is one of `keys`
    and the list is no cue's do: list: `- file:\xa0out.mp4` is a value with its own colon, and `- seed:\xa05` a
    command, and retyped with a plain space each became a key the list refuses."""
    found = _ODD_COLON.match(line)
    if found is None or found[1] is None:
        return found
    return found if found[2] in keys and _list_key(lines, number, found.start(1)) != "do" else None


def _list_key(lines: list[str], number: int, dash: int) -> str | None:
    """The key whose list holds the item of line `number` with its '- ' at column `dash`: the nearest key above
    at or left of the column (a list may start at its key's column); None where there is none."""
    for line in reversed(lines[:number - 1]):
        if (key := _KEY_LINE.match(line)) is None:
            continue
        if len(key[1]) <= dash:
            return key[2].strip()
    return None


def _odd_line_start(lines: list[str], text: str, keys: tuple[str, ...] = ()) -> str | None:
    """'line: what and the fix' for the first line whose indentation holds a space YAML does not take for one, or
    whose list item starts with a typographic dash, or whose key (of `keys`, in a list item) has such a space after
    its colon; None where there is none. Only before a key or a list item, and
    not inside a value of many lines: such a character in a prompt's own text is the prompt's."""
    odd = [number for number, line in enumerate(lines, 1)
           if _ODD_SPACE.match(line) or _ODD_DASH.match(line) or _odd_colon(line, keys, lines, number)]
    if not odd:  # the file scanned again only where a line may be one: a long show's reading stays as fast
        return None
    inside, read_to = _scalar_lines(text)
    for number in odd:
        line = lines[number - 1]
        if number in inside:
            continue
        if number > read_to:  # past what YAML could read, a line may be a prompt's: YAML's own complaint is said
            return None
        if (space := _ODD_SPACE.match(line)) is not None:
            char = space[1]
            return (f"{number}: {_article(char)} (U+{ord(char):04X}, column {space.start(1) + 1}) in the indentation, "
                    "which YAML does not take for a space; retype the indentation with plain spaces (a web page or a "
                    "chat pastes such spaces)")
        if (dash := _ODD_DASH.match(line)) is not None:
            return (f"{number}: a dash ({dash[1]}, U+{ord(dash[1]):04X}) where a list item starts with a hyphen (-); "
                    "type a plain - (a word processor's autocorrect makes such dashes)")
        if (colon := _odd_colon(line, keys, lines, number)) is not None:
            char = colon[3]
            return (f"{number}: {_article(char)} (U+{ord(char):04X}, column {colon.start(3) + 1}) after {colon[2]}:, "
                    f"which YAML does not take for the space a key needs (it read {colon[2]}: and what follows as one "
                    "text); retype it as a plain space")
    return None


def _scalar_lines(text: str) -> tuple[set[int], float]:
    """The numbers of the lines a value of many lines (a block, a quoted or a plain one) takes after its first, and
    the last line YAML read tokens up to (the line of its complaint, or all of them)."""
    inside: set[int] = set()
    scanner = _Scanning(text)
    try:
        while scanner.check_token():
            token = scanner.get_token()
            if isinstance(token, yaml.ScalarToken):
                end = token.end_mark.line + (1 if token.end_mark.column else 0)  # a block ends where the next starts
                inside.update(range(token.start_mark.line + 2, end + 1))
    except yaml.MarkedYAMLError as e:
        # the earlier mark: a quote never closed is complained of at the file's end, and the lines after it opened
        # are its own, not the show's
        marks = [m.line + 1 for m in (e.context_mark, e.problem_mark) if m is not None]
        return inside, min(marks, default=0)
    except yaml.YAMLError:  # a character YAML does not read: said as such
        return inside, 0
    finally:
        scanner.dispose()
    return inside, math.inf


def _article(char: str) -> str:
    """A character's Unicode name in words, with its article: "a no-break space", "an em space"."""
    name = unicodedata.name(char, "space").lower()
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


# a line of `vcam midi learn` copied whole: the message it saw, then the map line to paste (the part meant)
LEARNT = re.compile(r"\s*(?:-\s+)?((?:control_change|note_on|program_change) channel=\d+[^-{]*)(- \{[^}]*\})")


class _AtLine(str):
    """A message of a slip on another line than the one YAML complained at: filed at the line to mend."""

    line: int

    def __new__(cls, line: int, message: str) -> "_AtLine":
        said = super().__new__(cls, message)
        said.line = line
        return said


def _syntax_error(e: yaml.MarkedYAMLError, line: int, text: str, top: tuple[str, ...] = (),
                  keys: tuple[str, ...] = (), groups: tuple[tuple[str, ...], ...] = ()) -> str:
    """PyYAML's complaint at `line`, in words, with the fix for the slips a show written by hand makes most: a tab
    (YAML indents with spaces only), a ': ' inside a prompt, a value that starts with @ or `."""
    mark = e.problem_mark
    lines = text.splitlines()
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    said = (_slip_said(e, here) or _closed_early(e, lines, keys) or _colon_left_out(e, lines, keys)
            or _dash_unspaced(e, lines, keys) or _misaligned(e, lines, top, groups) or _list_after_flow(e, lines)
            or _item_misaligned(e, lines) or _entry_misaligned(e, lines) or _dash_misaligned(e, lines)
            or _left_open(e, lines, here, keys) or _flow_gap(e, here, keys)
            or _flow_mended(e, lines, keys) or _deeper_key(e, lines, keys)
            or _braces_left_out(e, lines) or _wrong_closer(e, lines)
            or _problem_said(e))  # each a message, or None: the first that knows the slip says it
    if said is not None:
        return said
    started = ""
    if e.context and e.context_mark is not None and e.context_mark.line + 1 != line:
        what = e.context.removeprefix("while parsing ").removeprefix("while scanning ")
        what = what.removeprefix("a ").removeprefix("an ")
        started = f"; the {PLAIN_WORDS.get(what, what)} started on line {e.context_mark.line + 1}"
    return f"not valid YAML ({e.problem}{started}); check indentation, quotes and brackets"


def _slip_said(e: yaml.MarkedYAMLError, here: str) -> str | None:
    """What to write for a slip at the line `here` YAML stopped on that its complaint does not name: a line vcam midi
    learn printed, a tab, a value that starts with @, ` or %, or with * (read as an alias); None for any other."""
    mark = e.problem_mark
    char = here[mark.column] if mark is not None and mark.column < len(here) else ""
    if (learnt := LEARNT.match(here)) is not None:
        return (f"not valid YAML: this is a line as vcam midi learn prints it, the MIDI message "
                f"({learnt[1].strip()}) before the map line; keep the map line alone: {learnt[2]}")
    if char == "\t" or "tab character" in (e.problem or ""):
        return (f"a tab character (column {mark.column + 1}) where YAML allows only spaces; indent with spaces "
                "(set the editor to insert spaces for the Tab key)")
    # libyaml's words, and PyYAML's own scanner's (which names the character)
    if re.fullmatch(r"found character (?:'.' )?that cannot start any token", e.problem or "") \
            and char in ("@", "`", "%"):
        return f"not valid YAML: a value cannot start with {char}; put the value in quotes: \"{char}…\""
    if (e.problem or "").startswith("found undefined alias") or e.context == "while scanning an alias":
        # `prompt: *glitch* city`, a prompt's emphasis: said as an alias missing, or as a character expected
        alias = re.match(r"found undefined alias '(.*)'", e.problem or "")
        unset = f" (no value above sets &{alias[1]})" if alias else ""
        return (f"not valid YAML: a value that starts with * repeats an &anchor{unset}; for a text that starts "
                "with *, put the value in quotes: \"*…\"")
    return None


def _left_open(e: yaml.MarkedYAMLError, lines: list[str], here: str, keys: tuple[str, ...] = ()) -> str | None:
    """What to write for a key on a line below the one a flow opened on (`prompt: [dusk forest` over `  - name: b`):
    the flow left open is what to mend, not a comma before the key; None for any other."""
    mark = e.problem_mark
    if e.context_mark is not None and mark is not None and e.context_mark.line < mark.line and _KEY_LINE.match(here):
        return _flow_mended(e, lines, keys)
    return None


# YAML's complaint at a ': ' where no key goes, as libyaml says it and as PyYAML does
_MAPPING_VALUES = ("mapping values are not allowed in this context", "mapping values are not allowed here")


# a map's control written with its keys on one line but without its braces: `- cc: 60, command: tap`
_UNBRACED = re.compile(r"( *- +)((?:cc|note|nrpn|program): *[^{}\[\],#]+(?:, *\w+: *[^{}\[\],#]+)+?)( *#.*)?")


def _braces_left_out(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a MIDI map's control whose keys are on one line without the braces around them, said by
    YAML as a ': ' where no key goes; None for any other complaint."""
    if e.problem not in _MAPPING_VALUES or e.problem_mark is None or e.problem_mark.line >= len(lines):
        return None
    row = e.problem_mark.line
    found = _UNBRACED.fullmatch(lines[row].rstrip())
    if found is None:
        return None
    keys = found[2].rstrip()
    entry = f"{{{keys.strip()}}}" + (f"{found[2][len(keys):]}{found[3]}" if found[3] else "")  # its comment kept
    if not _reads_past([*lines, ""], row, f"{found[1]}{entry}", row) or not _control_loads(entry):
        # `- note: 36, command: prompt city at night, light: red`: braced, the prompt's ', light: red' is a key
        # refused (or keys a control takes, but not together): the quotes _problem_said offers are the fix
        return None
    return (f"not valid YAML: a control's keys on one line go in braces, or YAML reads the ', ' as part of the first "
            f"key's value: write - {entry}")


def _control_loads(entry: str) -> bool:
    """Whether `entry` ({note: 36, command: next}), a map's only control, loads as a map's control does."""
    from vcam.control.midimap import read_map  # here: midimap reads its files through this module

    r = Reader("")
    try:
        node = r.compose(f"controls:\n  - {entry}\n")
        if node is not None:
            read_map(r, node, "MIDI map", None, in_map_file=True, whole_paths=False)
    except ConfigError:  # problems enough to stop the reading
        return False
    return node is not None and not r.problems


def _wrong_closer(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a } or ] on one line that closes nothing opened there (`{cc: 60, command: tap}}`) or closes
    a bracket of the other kind (`{cc: 60, command: tap]`, `between: [a, b}`), where YAML stopped at it; None for any
    other complaint, and where the line holds quotes (a bracket in a text)."""
    mark = e.problem_mark
    if mark is None or mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return None
    line, column = lines[mark.line], mark.column
    closer = line[column]
    if closer not in "}]" or "'" in line[:column] or '"' in line[:column]:
        return None
    opened = []
    for i, char in enumerate(line[:column]):
        if char in "{[":
            opened.append(i)
        elif char in "}]":
            if not opened or _CLOSING[line[opened[-1]]] != char:  # a mix-up earlier on the line: not this one
                return None
            opened.pop()
    ended = [*lines, ""]  # offered must load, not only parse: `defaults: {{seed: 3}}` builds a mapping as a key
    if not opened:
        mended = line[:column] + line[column + 1:]
        if _offer_loads(ended, mark.line, mended, len(lines)):
            if not re.sub(r"(^| )#.*$", "", mended).strip():  # a lone }: nothing left to write in its place
                return (f"not valid YAML: line {mark.line + 1} holds a lone {closer}, which closes nothing opened "
                        "before it; delete the line")
            return (f"not valid YAML: this {closer} closes nothing opened before it on its line; remove it: "
                    f"{mended.strip()}")
        return None
    want = _CLOSING[line[opened[-1]]]
    if want == closer:
        return None
    for mended, how in ((line[:column] + want + line[column + 1:], f"close it with {want}"),
                        (line[:column] + want + line[column:], f"close it before this {closer}")):
        if _offer_loads(ended, mark.line, mended, len(lines)):
            return (f"not valid YAML: the {line[opened[-1]]} that opens at column {opened[-1] + 1} is closed by a "
                    f"{closer}; {how}: {mended.strip()}")
    return None


def _problem_said(e: yaml.MarkedYAMLError) -> str | None:
    """YAML's complaint in words with its fix, for those its own words leave the fix of unsaid; None for others."""
    if e.problem in _MAPPING_VALUES:
        return ("not valid YAML: a ': ' inside a value reads as a new key; a prompt with a colon: put it in quotes; "
                "a key indented deeper than the line before: line it up")
    if e.problem and e.problem.startswith("found unknown escape character"):
        # a path as a shell writes it (My\ Clips, loop\ \(2\)) in "double quotes", whose escapes are YAML's own
        return ("not valid YAML: a backslash in \"double quotes\" starts one of YAML's own escapes (\\n, \\t, ...); "
                "write a path with backslashes in 'single quotes' or without quotes")
    if e.problem == "but found another document":
        return ("a second document starts here (a '---' line); a show or map is one document: remove the '---' "
                "line, and merge what follows it into the rest")
    if e.context and e.context.startswith("found duplicate anchor") and e.context_mark is not None:
        anchor = e.context.removeprefix("found duplicate anchor ").split(";")[0]
        return (f"not valid YAML: the anchor &{anchor.strip(chr(39))} is set twice (first on line "
                f"{e.context_mark.line + 1}); give each anchor a name of its own")
    return None


# a key and a value that opens with a quote or a bracket (`prompt: "neon" city`, `prompt: [glitch] city`)
_OPENED = re.compile(r"^ *(?:- +)?(" + _KEY_HEAD + r"[^\s:#]*): +([\"'\[{])(.*?) *$")
_CLOSING = {'"': '"', "'": "'", "[": "]", "{": "}"}


def _closed_early(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...] = ()) -> str | None:
    """What to write for a value that opens with a quote or a bracket and goes on after it closes (`prompt: "neon"
    city`, `prompt: [glitch] city`): YAML reads the quoted text or the list alone, then finds more where a key
    should be, said as "did not find expected key"; None for any other complaint, or where the line offered would
    not load (_offer_loads)."""
    mark = e.problem_mark
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if e.problem not in ("did not find expected key", "expected <block end>, but found '<scalar>'",
                         "expected <block end>, but found '}'", "expected <block end>, but found ']'"):
        return None
    if (opened := _OPENED.match(here)) is None or e.problem_mark is None or e.problem_mark.column <= opened.end(1):
        return None
    key, value = opened[1], opened[2] + opened[3]
    if (head := _closed_head(value)) is None:
        return _escaped_head(key, value)
    # ' #' on, after the value's close, is a comment YAML drops: kept in the text offered, it became the prompt's
    extra = re.split(r"[ \t]#", value[len(head):], maxsplit=1)[0].rstrip()
    closing = _CLOSING[opened[2]]
    if key not in _TEXT_KEYS:
        # a mapping's, a list's or a command's value quoted whole is text it refuses (`defaults: '{seed: 4}}'`,
        # `do: '"preset" a'`); only a stray close after brackets is sure to be a slip
        if opened[2] in "'\"" or re.fullmatch(r"[]}]+", extra) is None \
                or not _offer_loads(lines, mark.line, here[:opened.start(2)] + head, mark.line, keys):
            return None
        return (f"not valid YAML: {key}'s value {head} ends at its closing {closing}, and {extra!r} after it is "
                f"one too many; remove it: {key}: {head}")
    if (offered := flow_yaml(head + extra)) is None \
            or not _offer_loads(lines, mark.line, here[:opened.start(2)] + offered, mark.line, keys):
        return None
    said = (f"not valid YAML: {key}'s value opens with {opened[2]} and goes on after its closing {closing}, which YAML "
            "reads as the whole value")
    # `"neon" city "rain"`: the quotes inside, `neon" city "rain`, pair round no words: no text held in outer
    # quotes (an apostrophe, `it's`, is no quote)
    q = opened[2]
    paired = q in "'\"" and extra.endswith(q) and q not in re.sub(
        rf"(?<!\S){q}[^{q}]*{q}(?!\w)", "", re.sub(r"(?<=\w)'(?=\w)", "", (head + extra)[1:-1]))
    inner = flow_yaml((head + extra)[1:-1]) if paired else None
    if inner is not None and _offer_loads(lines, mark.line, here[:opened.start(2)] + inner, mark.line, keys):
        # `prompt: "a "city" at night"`: quotes round the whole text as well as in it, the outer ones likely YAML's
        # (offered kept, they went on air)
        return (f"{said}; where the outer quotes were YAML's, write {key}: {inner}; where they are the {key}'s own, "
                f"write {key}: {offered}")
    return f"{said}; put the whole text in quotes: {key}: {offered}"


# the keys whose value is a text, where a value that goes on after its quotes or brackets is the text's own
_TEXT_KEYS = ("prompt", "text", "name", "map")


def _escaped_head(key: str, value: str) -> str | None:
    """What to write for a text value whose quotes hold one of YAML's escapes and that goes on after them (`prompt:
    'it''s' neon`): the quotes are YAML's (the escape says so) or the text's, each offered as read; None where the
    value is no such text."""
    found = re.match(r"'(?:[^']|'')*'" if value[0] == "'" else r'"(?:[^"\\]|\\.)*"', value)
    if key not in _TEXT_KEYS or value[0] not in "'\"" or found is None:
        return None
    extra = re.split(r"[ \t]#", value[found.end():], maxsplit=1)[0].rstrip()
    inner = built_or_none(found[0])
    if not isinstance(inner, str) or not extra:
        return None
    plain, kept = flow_yaml({key: inner + extra}), flow_yaml({key: value[0] + inner + value[0] + extra})
    if plain is None or kept is None:
        return None
    return (f"not valid YAML: {key}'s value opens with {value[0]} and goes on after its closing {value[0]}, which "
            f"YAML reads as the whole value; where those quotes were YAML's, write {plain[1:-1]}; where they are the "
            f"{key}'s own, write {kept[1:-1]}")


def _closed_head(value: str) -> str | None:
    """The quoted text or the brackets `value` opens with, to their close; None where that holds one of YAML's
    escapes (`'it''s'`, `"a \\"b\\""`): whether its quotes are the text's or YAML's, and so what was meant, is
    unclear, and copied raw the escapes became the text's."""
    if value[0] in "'\"":
        found = re.match(r"'(?:[^']|'')*'" if value[0] == "'" else r'"(?:[^"\\]|\\.)*"', value)
        if found is None or "''" in found[0][1:-1] or "\\" in found[0]:
            return None
        return found[0]
    depth = 0
    for i, char in enumerate(value):
        depth += (char == value[0]) - (char == _CLOSING[value[0]])
        if depth == 0:
            return value[:i + 1]
    return None


def _flow_gap(e: yaml.MarkedYAMLError, here: str, keys: tuple[str, ...] = ()) -> str | None:
    """What to write where braces or brackets find more after a value than a comma or their end: a key with no comma
    before it (`{name: a prompt: neon}`), or a word after a quoted text (`{prompt: "neon" city}`); None otherwise.
    `keys`: the keys the file takes, a word after a quoted text with a colon being a key left its comma only where
    it is one of them (or near one)."""
    found = re.fullmatch(r"(?:did not find expected|expected) ',' or '([]}])'(?:, but got .*)?", e.problem or "")
    if found is None or e.problem_mark is None or e.problem_mark.column > len(here):
        return None
    before, column = here[:e.problem_mark.column].rstrip(), e.problem_mark.column
    inside = "{...}" if found[1] == "}" else "[...]"
    if here[column:column + 1] == ":" and (word := re.search(r"[^\s,{}\[\]:]+$", before)) is not None:
        return (f"not valid YAML: in {inside} a key follows a comma: write a comma before {word[0]}: where it is a "
                f"key, or put the text in quotes where the ': ' is its own")
    key = re.match(r"[^\s,{}\[\]:#'\"]+(?=: |:$)", here[column:])
    if before[-1:] in ("'", '"') and key and (key[0] in keys or nearest(key[0], keys, cutoff=0.75)):
        # `{name: "a" prompt: x}`: a key after a quoted value, the comma between left out; quoting the whole text
        # made the name `"a" prompt: x`
        mended = here[:len(before)] + "," + here[len(before):]
        braces = _braces_around(mended, len(before) + 1)
        as_in = f", as in {braces}" if braces else ""
        return f"not valid YAML: in {inside} a comma separates keys: write a comma before {key[0]}:{as_in}"
    if before[-1:] in ("'", '"'):
        follows = re.split(r"[]}]| #", here[column:], maxsplit=1)[0].split(",")[0].rstrip()
        return (f"not valid YAML: in {inside} a value that opens with a quote ends at its closing quote, and "
                f"{follows!r} follows it; put the whole text in quotes (each ' in 'single quotes' written twice)")
    return None


def _deeper_key(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...]) -> str | None:
    """What to write for a key of `keys` indented deeper than the key and value on the line above it (`      seed: 3`
    under `    prompt: city`), read as more of that value, with a ': ' it cannot hold; None otherwise."""
    if e.problem not in _MAPPING_VALUES or e.problem_mark is None or not 0 < e.problem_mark.line < len(lines):
        return None
    row = e.problem_mark.line
    here, above = _KEY_LINE.match(lines[row]), _KEY_LINE.match(lines[row - 1])
    if here is None or above is None or "-" in here[1] or here[2] not in keys or above[2].strip() not in keys \
            or not lines[row - 1][above.end():].strip() or len(here[1]) <= (column := len(above[1])):
        return None
    deeper = len(here[1])
    said = (f"not valid YAML: {here[2]}: is indented {counted(deeper, 'space')}, deeper than "
            f"{above[2]}: and its value on the line above (line {row}), and YAML read it as more of that value")
    if (new := _new_entry(lines, row, column, here[2])) is not None:
        # `     name: b` after a preset's prompt: lined up, a second name: of that preset, refused again
        return (f"{said}; lined up with {above[2]}: it would be a second {here[2]}: of that entry (line {new[0] + 1}); "
                f"where it starts an entry of its own, begin it with '- ' as line {new[1] + 1} does: write {new[2]}")
    return f"{said}; keys of one mapping line up: indent {here[2]}: {counted(column, 'space')}"


def _dash_unspaced(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...]) -> str | None:
    """What to write for a list item's dash with no space after it (`-name: b`), read as a key '-name' where a list
    item goes, at the complaint's line or the one above it; None where neither is one."""
    row = e.problem_mark.line if e.problem_mark is not None else len(lines)
    for i in (row, row - 1):
        flow = re.fullmatch(r"( *)-([{\[].*)", lines[i]) if 0 <= i < len(lines) else None
        offered = _flow_item_offered(lines, i, flow[1], flow[2]) if flow is not None else None
        if offered is not None:
            # `-{cc: 16, param: steps}`, a map's entry: read as a text that starts with '-'
            entry, closers = offered
            unclosed = f", and no {closers} closes what it opens" if closers else ""
            # filed at the line to mend: YAML complains at the line after one whose flow goes on there
            return _AtLine(i + 1, f"not valid YAML: line {i + 1} starts -{flow[2][0]} with no space after its "
                                  f"'-'{unclosed}; a list item is a '-' and a space: write - {entry}")
        found = re.fullmatch(r"( *)-([A-Za-z_]+):( .*)?", lines[i]) if 0 <= i < len(lines) else None
        if found is None or found[2] not in keys:
            continue
        said = f"not valid YAML: line {i + 1} starts -{found[2]}: with no space after its '-', which YAML reads as a " \
               f"key '-{found[2]}'"
        # `    -prompts:` at the column of the entry's keys, where no '- ' item fits: the key, its '-' a slip
        item, key = f"- {found[2]}:{found[3] or ''}", f"{found[2]}:{found[3] or ''}"
        ended = [*lines, ""]  # the file's end, where a flow left open is said: past the line
        if _reads_past(ended, i, found[1] + item, i):
            return f"{said}; a list item is a '-' and a space: write {item}"
        if _reads_past(ended, i, found[1] + key, i):
            return f"{said}; no list item goes at its column: write {key}"
        return None
    return None


def _colon_left_out(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...]) -> str | None:
    """What to write for a key of `keys` written without its colon (`prompt neon city`), said by YAML at the line
    after it as a ':' not found; None for any other complaint."""
    if e.problem == "could not find expected ':'" and e.context_mark is not None:
        row = e.context_mark.line
    elif e.problem in _MAPPING_VALUES and e.problem_mark is not None and 0 < e.problem_mark.line < len(lines) \
            and re.match(r" *- +\w", lines[e.problem_mark.line - 1]):
        row = e.problem_mark.line - 1  # `- name a` over `  prompt: x`: the two read as one text, 'name a prompt'
    else:
        return None
    if (written := _key_unmarked(lines[row] if row < len(lines) else "")) is None:
        return None
    head, key, value, said = written
    if key not in keys or ": " in value or " #" in value:
        return None
    said = f"not valid YAML: line {row + 1} {said}"
    if not value:  # `prompt =`: the value still to write, not a text '='
        # the line offered is a template: a sentence after `write` is copied onto the line and goes on air
        what, blank = ("text", "TEXT") if key in _TEXT_KEYS else ("value", "VALUE")
        return f"{said}; its {what} is still to write, after a colon and a space: {key}: {blank}"
    # as YAML reads the value: quoted, `name:"7"`, `name = '7'`, it is refused too (`preset 7` selects by position)
    read = built_or_none(f"{key}: {value}") if key == "name" else None
    digits = read["name"].strip() if isinstance(read, dict) and isinstance(read.get("name"), str) else value
    if key == "name" and digits.isdecimal() and _top_key(lines, row) == "presets":
        return (f"{said}; a preset's name cannot be a plain number (numbers select presets by position): write "
                f"name: and a word with it, like name: scene {digits}")
    if (offered := _colon_offered(lines, row, head, key, value)) is None:
        if key in _TEXT_KEYS and _BLOCK_HEADER.fullmatch(value):
            # `prompt >-` over no lines of text: a block's header whose text is still to write, not the text '>-'
            return (f"{said}; a text written across lines is {key}: {value} with its lines under it, indented "
                    f"deeper than {key}:")
        return None
    return f"{said}; write {offered}"


def _key_unmarked(line: str) -> tuple[str, str, str, str] | None:
    """(indentation, key, value, what is amiss) for a line of a key and a value without the ': ' between them: the
    colon left out (`prompt neon city`), the space after it left out (`prompt:neon city`, which YAML reads as one
    text), or written as another mark (`prompt = neon city`, `prompt：neon city`: an input method's full-width
    colon); None for any other line."""
    # the spaces at the end cut first: `(.*?)[ \t]*` tried every split of a long run of them, quadratic
    line = line.rstrip(" \t")
    # `prompt == x`, `prompt = = x`, `prompt = `: a run of marks (spaces between them or not) is one slip, and one
    # with nothing after it is no text '='
    if (found := re.fullmatch(rf"( *(?:- +)?)([A-Za-z_]+)[ \t]*([{COLON_SLIPS}])[:{COLON_SLIPS} \t]*"
                              rf"([^\s:#{COLON_SLIPS}].*)?", line)):
        mark = f"a full-width {found[3]} (an input method's)" if found[3] != "=" else "'='"
        return (found[1], found[2], found[4] or "", f"has {mark} after {found[2]} where a key takes a colon, and YAML "
                                                    "read it as a text where a key goes")
    if (found := re.fullmatch(rf"( *(?:- +)?)([A-Za-z_]+)[ \t]+([^\s:#{COLON_SLIPS}].*)", line)):
        return found[1], found[2], found[3], f"has no ':' after {found[2]}, and YAML read it as a text where a key goes"
    if (found := re.fullmatch(r"( *(?:- +)?)([A-Za-z_]+):([^\s:#].*)", line)):
        return (found[1], found[2], found[3], f"has no space after {found[2]}:, and YAML read {found[2]}:{found[3]} "
                                              "as one text where a key goes")
    return None


# a block text's header: | or >, then its chomping (-, +) and indentation (1-9) indicators in either order
_BLOCK_HEADER = re.compile(r"[|>](?:[1-9]?[-+]?|[-+][1-9])")


def _colon_offered(lines: list[str], row: int, head: str, key: str, value: str) -> str | None:
    """`key: value` as a line to write at `row` (after `head`, its indentation) that reads as `value` was written
    and parses past the line: plain where it does so, quoted where a text's does not (`prompt *star`, `prompt
    null`); None where neither does (`seed 3 4`, `seed 010`, read as 8, `input off`, read as false)."""
    read = built_or_none(f"{key}: {value}")
    meant = read[key] if isinstance(read, dict) and key in read else None
    # a number is written plain only where the key takes one: `prompt: 7` is refused, a prompt being a text
    written = isinstance(meant, str) and meant == value or type(meant) in (int, float) and key not in _TEXT_KEYS \
        and re.fullmatch(r"-?(?:0|[1-9]\d*)(?:\.\d+)?", value) is not None
    # `seed 3 4`: a number and more, a text only where the key takes one
    number_and_more = re.match(r"-?\d", value) is not None and type(meant) not in (int, float)
    tries = [f"{key}: {value}"] if written and not (number_and_more and key not in _TEXT_KEYS) else []
    if key in _TEXT_KEYS and isinstance(meant, str) and value[:1] in "'\"":
        # `prompt:"neon city"`: quotes round the whole value are YAML's, as they are after a colon and a space
        # (quoted again, '"neon city"', they went on air)
        tries.append(f"{key}: {value}")
    # a comment is no text of the block: under `prompt >-` it would be read as the text, `# c` going on air
    below = next((line for line in lines[row + 1:] if line.strip() and not line.lstrip().startswith("#")), "")
    header = key in _TEXT_KEYS and _BLOCK_HEADER.fullmatch(value) is not None
    if header and len(below) - len(below.lstrip(" ")) > len(head):
        # `prompt >-` over lines indented under it: the header of a text written across them, not a text '>-'
        tries.append(f"{key}: {value}")
    # a header with its indicators (`>-`, `|2`) over no lines of text is one whose text is still to write: offered
    # quoted, '>-' went on air; a bare | or > may be the text itself
    if key in _TEXT_KEYS and not (header and len(value) > 1) and (quoted := flow_yaml({key: value})) is not None:
        tries.append(quoted[1:-1])
    return next((line for line in tries if _reads_past(lines, row, head + line, row)), None)


def _top_key(lines: list[str], row: int) -> str | None:
    """The key at the file's left edge whose block holds line `row` (0-based): presets, cues, midi."""
    return next((found[1] for line in reversed(lines[:row + 1])
                 if (found := re.match(r"([A-Za-z_]+)[ \t]*:", line)) is not None), None)


def _open_brackets(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> list[tuple[str, int, int]]:
    """The brackets and braces opened and not closed from (line, column) `start` to `end` (each 0-based), outside
    quotes and comments, each as (character, line, column); a close of the other kind ends the scan."""
    opened: list[tuple[str, int, int]] = []
    for row in range(start[0], end[0] + 1):
        line = lines[row]
        quote = None
        for column in range(start[1] if row == start[0] else 0, end[1] if row == end[0] else len(line)):
            char = line[column]
            if quote:
                quote = None if char == quote and not (quote == '"' and line[column - 1] == "\\") else quote
            elif char in "'\"" and (column == 0 or line[column - 1] in " \t[{,:"):
                quote = char
            elif char == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            elif char in "[{":
                opened.append((char, row, column))
            elif char in "]}":
                if not opened or _CLOSING[opened[-1][0]] != char:
                    return opened
                opened.pop()
    return opened


def _code_end(line: str) -> int:
    """Where `line`'s YAML ends: before a comment (` # ...`) and the spaces before it."""
    found = re.search(r"(?:^|[ \t])#", line)
    return len((line[:found.start()] if found else line).rstrip())


def _flow_mended(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...] = ()) -> str | None:
    """What to write where braces or brackets find neither a comma nor their close: a close left out at a line's end
    (`presets: [{name: a, prompt: b}` and the next key below), a close of the other kind (`[{name: a]`) or a comma
    between two entries (`[{text: a} {text: b}]`), each offered only where the line mended reads on past it; None
    otherwise (_offer_loads)."""
    found = re.fullmatch(r"(?:did not find expected|expected) ',' or '([]}])'(?:, but got .*)?", e.problem or "")
    mark = e.problem_mark
    if found is None or mark is None or mark.line > len(lines):
        return None
    lines = [*lines, ""]  # the file's end, where a flow never closed is said
    row, column = mark.line, mark.column
    start = (e.context_mark.line if e.context_mark is not None else row, 0)  # with the brackets around the flow's
    here = lines[row]
    before = next((i for i in range(row - 1, start[0] - 1, -1) if _code_end(lines[i])), None)
    if here[column:column + 1] in ("]", "}"):
        tries = _other_close(lines, start, row, column)
    elif before is not None and (here[:column].strip() in ("", "-") or start[0] < row and _KEY_LINE.match(here)):
        # the entry ends on a line above, and this line starts the next key or item
        tries = _never_closed(lines, start, before)
    else:
        tries = _comma_left_out(lines, row, column, "{...}" if found[1] == "}" else "[...]")
    unloaded = None
    for line, mended, said in tries:
        if not _offer_loads(lines, line, mended, row, keys, first=start[0]):
            if unloaded is None and _reads_past(lines, line, mended, row):
                # what is open stays said, true as it is, without the fix (after its '; ') refused next
                unloaded = said.split("; ")[0]
            continue
        shown = mended.strip()
        offer = f": {shown}" if len(shown) <= 100 else ""
        return f"not valid YAML: {said}{offer}"
    return f"not valid YAML: {unloaded}" if unloaded else None


def _other_close(lines: list[str], start: tuple[int, int], row: int, column: int) -> list[tuple[int, str, str]]:
    """For a close of the other kind at `column` of line `row` (`[{name: a]`): the line with what is open before it
    closed first, and what to say of it; none where nothing open closes before it."""
    here = lines[row]
    opened = _open_brackets(lines, start, (row, column))
    closes = "".join(_CLOSING[char] for char, _, _ in reversed(opened))
    closes = closes[:closes.index(here[column])] if here[column] in closes else ""
    if not closes:
        return []
    opener, line_of, at = next(o for o in reversed(opened) if _CLOSING[o[0]] == closes[0])
    return [(row, here[:column] + closes + here[column:],
             f"the {opener} that opens on line {line_of + 1} (column {at + 1}) is still open at the "
             f"{here[column]} of column {column + 1}; close it first")]


def _never_closed(lines: list[str], start: tuple[int, int], before: int) -> list[tuple[int, str, str]]:
    """For braces or brackets still open at the end of line `before`, the last of their entry: that line with them
    closed, or with a text's whole value quoted, and what to say of it; none where nothing is open there."""
    opened = _open_brackets(lines, start, (before, _code_end(lines[before])))
    if not opened:
        return []
    closes = "".join(_CLOSING[char] for char, _, _ in reversed(opened))
    end = _code_end(lines[before])
    opener, line_of, at = opened[0]
    # `prompt: [dusk forest`: a text that starts with a bracket, the text's own, a text's key taking no
    # list or mapping closed (`prompt: [dusk forest]` is refused); the comment after it is no part of it
    text = _OPENED.match(lines[line_of])
    if text and text[1] in _TEXT_KEYS and line_of == before and text.start(2) == at:
        own = flow_yaml({text[1]: lines[before][at:end]})
        if own is None:
            return []
        return [(before, lines[before][:text.start(1)] + own[1:-1] + lines[before][end:],
                 f"the {opener} that opens on line {line_of + 1} (column {at + 1}) is never closed, "
                 f"and {text[1]}: takes a text, not a {'list' if opener == '[' else 'mapping'}: put "
                 "the whole text in quotes")]
    return [(before, lines[before][:end] + closes + lines[before][end:],
             f"the {opener} that opens on line {line_of + 1} (column {at + 1}) is never closed; "
             f"close it at the end of line {before + 1}")]


def _comma_left_out(lines: list[str], row: int, column: int, inside: str) -> list[tuple[int, str, str]]:
    """For an entry that ends before `column` of line `row` and the next that starts at it, in `inside` ({...} or
    [...]): the line with a comma between them, and what to say of it; none where no entry ends or starts there."""
    here = lines[row]
    if not ((here[:column].rstrip()[-1:] in ("}", "]", "'", '"') or re.search(r"\w$", here[:column].rstrip()))
            and (here[column:column + 1] in ("{", "[", "'", '"') or re.match(r"[A-Za-z_][\w-]*:", here[column:]))):
        return []
    gap = len(here[:column].rstrip())
    return [(row, here[:gap] + "," + here[gap:], f"in {inside} a comma separates entries; write one here")]


# above this many characters an offer is built from its own lines alone, not with the whole text: built whole, a
# 600 KB show with a bracket left open took seconds more at each check, start and reload
_WHOLE_BUILD_CHARS = 64_000
# the safe load that builds an offer, with libyaml's parser where PyYAML has it
_SafeLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _offer_loads(lines: list[str], line: int, mended: str, row: int, keys: tuple[str, ...] = (),
                 first: int | None = None) -> bool:
    """Whether the text with line `line` written `mended` reads past line `row` (_reads_past), its key no misspelling
    of a text's key among `keys`, and, where it then parses to its end, builds as a safe load does: a bracket closed
    after `proompt: [a` was refused next as an unknown key, and as prompt: as a list where a text goes; `defaults:
    {{seed: 3}}` as a mapping keyed by a mapping. In a long text what is built is the lines from `first` (where
    the value mended opens; `line` where None) to `line`, where they read alone."""
    if (key := _KEY_LINE.match(mended)) is not None and (word := key[2].strip()) not in keys \
            and nearest(word, keys, cutoff=0.75) in _TEXT_KEYS:
        return False
    text = "\n".join([*lines[:line], mended, *lines[line + 1:]])
    if len(text) <= _WHOLE_BUILD_CHARS:
        ended = _parsed_to_end(text, row)
        return ended is not None and (not ended or _builds(text))
    # from the line of the key the value belongs to: `prompt: !!str` over `[neon, city` is refused as a text tagged
    # on a list, where the list alone builds
    start = _value_key_line(lines, min(line, row if first is None else first))
    opening = lines[start:min(line, row if first is None else first) + 1]
    if any("!" in w or "&" in w for w in opening) or _ALIAS.search(text):
        # a tag or an anchor on the lines that open it (an alias elsewhere may merge or repeat what it anchors):
        # what the value builds to is the whole text's to say
        ended = _parsed_to_end(text, row)
        return ended is not None and (not ended or _builds(text))
    if _parsed_to_end(text, row, stop=max(line, row)) is None:
        return False
    # the lines alone, indented as they are relative to each other
    window = [*lines[start:line], mended]
    indent = min((len(w) - len(w.lstrip(" ")) for w in window if w.strip()), default=0)
    try:
        return yaml.load("\n".join(w[indent:] for w in window), Loader=_SafeLoader) is not None
    except yaml.constructor.ConstructorError:
        return False
    except yaml.YAMLError:  # lines that do not read alone (an alias to an anchor above them): the whole text
        return _builds(text)
    except Exception:  # what YAML cannot build (2020-13-45) raises the constructors' own
        return False


# an alias (`*name`) where a value starts
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s,\[\]{}]")
# a line that opens a value written on the lines under it: `prompt:`, `- `, each with its tags and anchors
_OPENS_BELOW = re.compile(r"(?:-[ \t]++)*+-?(?:[^#:\s-][^#:]*+:)?(?:[ \t]*+[!&]\S*+)*+[ \t]*+(?:#.*)?")


def _value_key_line(lines: list[str], start: int) -> int:
    """The line of the key (or list item) whose value opens on line `start` where it opens on a line of its own
    (`prompt: !!str` over `[neon, city`), else `start`."""
    indent = len(lines[start]) - len(lines[start].lstrip(" "))
    for above in range(start - 1, -1, -1):
        here = lines[above]
        if not here.strip() or here.lstrip().startswith("#"):
            continue
        opens = len(here) - len(here.lstrip(" ")) < indent and _OPENS_BELOW.fullmatch(here.strip(" \t")) is not None
        return above if opens else start
    return start


def _parsed_to_end(text: str, row: int, stop: int | None = None) -> bool | None:
    """Whether `text` parses to its end (True), or to a problem past line `row` (False); None where a problem
    comes at or before it. `stop`: the parse ends, as True, at the first event past that line."""
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if stop is not None and event.start_mark.line > stop:
                break
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        return False if mark is not None and mark.line > row else None
    except yaml.YAMLError:
        return None
    return True


def _builds(text: str) -> bool:
    """Whether `text` builds something as a safe load does."""
    try:
        return yaml.load(text, Loader=_SafeLoader) is not None
    except Exception:  # what YAML cannot build (2020-13-45, !!bool maybe) raises the constructors' own
        return False


def _reads_past(lines: list[str], line: int, mended: str, row: int) -> bool:
    """Whether the text with line `line` written `mended` parses past line `row` (to its end, or to a problem of
    some later line)."""
    text = "\n".join([*lines[:line], mended, *lines[line + 1:]])
    try:
        for _ in yaml.parse(text, Loader=_Loader):
            pass
    except yaml.MarkedYAMLError as e:
        return (e.problem_mark or e.context_mark) is not None and (e.problem_mark or e.context_mark).line > row
    except yaml.YAMLError:
        return False
    return True


def _flow_item_offered(lines: list[str], row: int, indent: str, flow: str) -> tuple[str, str] | None:
    """What to write after '- ' for the flow `flow` written `-{...` at line `row` (after `indent`), and the closers
    added to it: as written where what it opens closes (on its line or on the lines after it), else closed on its
    line (`-{cc: 16, param: steps`); None where neither parses past the line."""
    ended = [*lines, ""]
    if _flow_closes(ended, row, f"{indent}- {flow}"):
        return flow, ""
    left = _left_unclosed(flow)
    if left is None or not left[0]:
        return None
    closers, end = left
    entry = f"{flow[:end]}{closers}{flow[end:]}"  # its comment kept after the closers
    if _reads_past(ended, row, f"{indent}- {entry}", row):
        return entry, closers
    return None


def _flow_closes(lines: list[str], line: int, mended: str) -> bool:
    """Whether the text with line `line` written `mended` parses past it, what that line opens closed (a complaint
    while parsing a flow that opens on the line: left open, and read on to the file's end or the next entry)."""
    text = "\n".join([*lines[:line], mended, *lines[line + 1:]])
    try:
        for _ in yaml.parse(text, Loader=_Loader):
            pass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        opened_here = e.context_mark is not None and e.context_mark.line == line and "flow" in (e.context or "")
        return mark is not None and mark.line > line and not opened_here
    except yaml.YAMLError:
        return False
    return True


def _left_unclosed(text: str) -> tuple[str, int] | None:
    """The closers of the braces and brackets `text` leaves open, innermost first ('' where it closes all it opens),
    and where what it holds ends (before its comment, if any); None where it closes one of the other kind or one it
    never opened, or leaves a quote open. A bracket inside quotes is the text's own."""
    opened: list[str] = []
    quote = None
    i = 0
    while i < len(text):
        char = text[i]
        if quote == "'" and text.startswith("''", i):
            i += 1  # a single-quoted text's own apostrophe
        elif quote == '"' and char == "\\":
            i += 1  # an escape: the character after it is the text's
        elif quote is not None:
            quote = None if char == quote else quote
        elif char in "'\"" and (i == 0 or text[i - 1] in " {[,:"):
            quote = char
        elif char == "#" and i > 0 and text[i - 1] in " \t":
            break
        elif char in "{[":
            opened.append(_CLOSING[char])
        elif char in "}]" and (not opened or opened.pop() != char):
            return None
        i += 1
    if quote is not None:
        return None
    end = len(text[:i].rstrip(" \t")) if i < len(text) else len(text)
    return "".join(reversed(opened)), end


def _braces_around(line: str, column: int) -> str | None:
    """The braces or brackets of `line` that hold `column`, from their opening to their close; None where they do
    not both lie on the line."""
    opened: list[int] = []
    quote, escaped = None, False
    for i, char in enumerate(line):
        if escaped:
            escaped = False
        elif quote:
            escaped = quote == '"' and char == "\\"
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "{[":
            opened.append(i)
        elif char in "}]" and opened and (start := opened.pop()) < column <= i:
            return line[start:i + 1]
    return None


# a key whose value opens a list in brackets (`presets: [{name: a, prompt: b}]`): (indentation, key, the rest)
_FLOW_LIST = re.compile(r"^( *(?:- +)?)(" + _KEY_HEAD + r"[^\s:#]*): +(\[.*)$")


# YAML's complaint at a '- ' item where the mapping around it goes on, as libyaml says it and as PyYAML does
_ITEM_NOT_FOUND = ("did not find expected key", "expected <block end>, but found '<block sequence start>'",
                   "expected <block end>, but found '-'")


def _dash_row(e: yaml.MarkedYAMLError, lines: list[str]) -> int | None:
    """The line of a '- ' item that YAML said a key was not found at; None for any other complaint."""
    if e.problem not in _ITEM_NOT_FOUND or e.problem_mark is None:
        return None
    row = e.problem_mark.line
    return row if row < len(lines) and re.match(r" *- ", lines[row]) else None


def _list_after_flow(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a '- ' item after a key's list in brackets (`presets: [{name: a, prompt: b}]` and then
    `  - name: c`), the list written both ways, said by YAML as a key not found; None for any other complaint."""
    if (row := _dash_row(e, lines)) is None:
        return None
    for i in range(row - 1, -1, -1):
        if (opened := _FLOW_LIST.match(lines[i])) is not None:
            break
        if re.match(r" *[^\s#]", lines[i]) and _KEY_LINE.match(lines[i]):  # a key between: not the list's
            return None
    else:
        return None
    flow = built_or_none("\n".join([opened[3], *lines[i + 1:row]]))
    offered = [flow_yaml(item) for item in flow[:3]] if isinstance(flow, list) and flow else []
    as_lines = (" (those in brackets: " + ", ".join(f"- {item}" for item in offered)
                + (", …" if len(flow) > 3 else "") + ")") if offered and None not in offered else ""
    return (f"not valid YAML: {opened[2]}: on line {i + 1} is a list in [...] that ends at its ], and this '- ' "
            f"item starts a second list after it; write the list one way, each entry on a '- ' line under "
            f"{opened[2]}:{as_lines}")


def _dash_misaligned(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a '- ' item indented off the '- ' of the list it goes on (`   - name: b` under `  - name:
    a`), said by YAML as a '-' not found: the column of the list whose '- ' is nearest, where the line then reads on;
    None otherwise."""
    if e.problem not in ("did not find expected '-' indicator", *_ITEM_NOT_FOUND) or e.context_mark is None \
            or e.problem_mark is None or not e.context_mark.line < e.problem_mark.line < len(lines):
        return None
    row = e.problem_mark.line
    if (here := re.match(r"( *)- ", lines[row])) is None:
        return None
    # the lists above it, up to the key that holds them all: the one meant is the one whose '- ' is nearest its own
    # (`     - text: y` a space short of its prompts' list, not the presets' list around it)
    dashes: dict[int, int] = {}
    for i in range(row - 1, -1, -1):
        if (key := _KEY_LINE.match(lines[i])) is not None and "-" not in key[1] and len(key[1]) <= len(here[1]):
            break
        if (dash := re.match(r"( *)- ", lines[i])) is not None:
            dashes.setdefault(len(dash[1]), i)
    near = sorted(dashes, key=lambda column: abs(column - len(here[1])))
    if not near or near[0] == len(here[1]) or len(near) > 1 and abs(near[0] - len(here[1])) == abs(
            near[1] - len(here[1])):
        return None  # lined up already, or as near one list as another
    column = near[0]
    first = dashes[column]
    mended = " " * column + lines[row].lstrip(" ")
    if not _reads_past([*lines, ""], row, mended, row):
        return None
    return (f"not valid YAML: this '- ' is indented {counted(len(here[1]), 'space')} and the '- ' of its list (line "
            f"{first + 1}) {column}: the items of one list line up; indent it {counted(column, 'space')} as well")


def _item_misaligned(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a '- ' item indented as the keys of the entry above it (`    - name: b` under `  - name:
    a` and its `    prompt:`), said by YAML as a key not found; None for any other complaint."""
    if (row := _dash_row(e, lines)) is None:
        return None
    column = len(lines[row]) - len(lines[row].lstrip(" "))
    for i in range(row - 1, -1, -1):
        if (item := re.match(r"( *)(- +)(\S)", lines[i])) is not None and len(item[1]) < column:
            if len(item[1]) + len(item[2]) != column or item[3] in "{[":  # an entry in braces has no keys below
                return None
            return (f"not valid YAML: this '- ' is indented {column} spaces, as the keys of the entry above it are, "
                    f"and YAML read it inside that entry; a new entry's '- ' lines up with the '- ' of line {i + 1}: "
                    f"indent it {counted(len(item[1]), 'space')}")
        if (key := _KEY_LINE.match(lines[i])) is not None and len(key[1]) < column:
            return None
    return None


def _entry_misaligned(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a '- ' item indented otherwise than the entry in braces on the line above it (a map's
    `  - {cc: 0, param: blend}` over `    - {cc: 32, command: next}`, a line of vcam midi learn pasted at another
    indentation), said by YAML as a '-' or a key not found; None for any other complaint."""
    if e.problem_mark is None or e.problem not in (*_ITEM_NOT_FOUND, "did not find expected '-' indicator"):
        return None
    row = e.problem_mark.line
    item = re.match(r"( *)- ", lines[row]) if row < len(lines) else None
    above = next((i for i in range(row - 1, -1, -1) if lines[i].strip() and not lines[i].lstrip().startswith("#")),
                 None)
    entry = re.match(r"( *)- +[{\[]", lines[above]) if item is not None and above is not None else None
    if entry is None or len(entry[1]) == len(item[1]):
        return None
    if not _reads_past([*lines, ""], row, entry[1] + lines[row].lstrip(" "), row):
        return None
    return (f"not valid YAML: this '- ' is indented {counted(len(item[1]), 'space')} and the '- ' of line {above + 1} "
            f"above it {len(entry[1])}: the entries of one list line up; "
            f"{'indent it ' + counted(len(entry[1]), 'space') if entry[1] else 'start it at the start of the line'}")


# a line's key, after its indentation and a list item's `- `: (indentation, key)
_KEY_LINE = re.compile(r"^( *(?:- +)?)(" + _KEY_HEAD + r"[^:#]*?):(?: |$)")


def _misaligned(e: yaml.MarkedYAMLError, lines: list[str], top: tuple[str, ...] = (),
                groups: tuple[tuple[str, ...], ...] = ()) -> str | None:
    """What to write for a key indented less than the key above it in its mapping (`   prompt:` under `    name:`),
    said by YAML as an expected '-' or key not found; None for any other complaint. A key of `top` (the keys the
    file's top mapping takes) whose search stops at a key at the line's start is offered that column first; one
    that no key of the mapping above shares a group of `groups` with, but the key where the search stops does, is
    offered that key's column."""
    if e.problem not in ("did not find expected '-' indicator", "did not find expected key",  # libyaml's, PyYAML's
                         "expected <block end>, but found '<block mapping start>'",
                         "expected <block end>, but found '?'") or e.problem_mark is None:
        return None
    row = e.problem_mark.line
    if row >= len(lines) or (here := _KEY_LINE.match(lines[row])) is None or "-" in here[1]:
        return None
    column = len(here[1])
    stop, meant, at, item = _keys_above(lines, row, column)
    if meant is None:
        return None
    if stop is not None and _group_meant(lines, row, stop, here[2], meant, top, groups):
        # `  transition:` one space past a preset's `prompts:`, under the list of its texts: a preset's key, not one
        # of the text's, which was offered and then refused as such
        meant, at, item = _KEY_LINE.match(lines[stop]), stop, None
    spaces = len(meant[1])
    # `  do: preset b` under `  - do: preset a`: a list item whose '- ' was left out, as likely as a key
    entry = "" if item is None else f"; or, where it starts an entry of its own, begin it with '- ' as line " \
                                    f"{item + 1} does"
    if stop is not None and here[2] in top and (left := _KEY_LINE.match(lines[stop])) and not left[1]:
        # ` cues:` one space in after a presets: list: indented as the preset's keys are, it became a preset's key.
        # `  name: b` under a preset's keys, at its '- ' column, is as likely the next preset's '- ' left out
        first = "" if item is None else f"where it starts an entry of its own, begin it with '- ' as line " \
                                        f"{item + 1} does; or "
        return (f"not valid YAML: {here[2]}: is indented {counted(column, 'space')}, and keys of "
                f"one mapping line up; {first}indent {here[2]}: 0 spaces, beside {left[2]}: (line {stop + 1}), or "
                f"{spaces} spaces, beside {meant[2]}: (line {at + 1}), where it is a key of that mapping")
    if item is None and (new := _new_entry(lines, row, spaces, here[2])) is not None:
        return (f"not valid YAML: {here[2]}: is indented {counted(column, 'space')}, and lined up "
                f"with {meant[2]}: above it (line {at + 1}) it would be a second {here[2]}: of that entry (line "
                f"{new[0] + 1}); where it starts an entry of its own, begin it with '- ' as line {new[1] + 1} does: "
                f"write {new[2]}")
    return (f"not valid YAML: {here[2]}: is indented {counted(column, 'space')} and {meant[2]}: "
            f"above it (line {at + 1}) {spaces}: keys of one mapping line up; indent {here[2]}: {spaces} spaces as "
            f"well{entry}")


def _new_entry(lines: list[str], row: int, column: int, key: str) -> tuple[int, int, str] | None:
    """For a key at line `row` meant for the list entry above whose keys are at `column` and whose '- ' line has
    that key already (`     name: b` under a preset's `- name: a` and its prompts): the line of the key it would
    repeat, the line of the entry's '- ' (the same), and line `row` written as a new entry that parses past it, a
    text's value quoted where YAML reads it as no text (`name: yes`, a boolean); None otherwise."""
    repeated = None
    for i in range(row - 1, -1, -1):
        if (found := _KEY_LINE.match(lines[i])) is None or len(found[1]) > column:
            continue
        if len(found[1]) < column:
            return None
        repeated = i if found[2] == key and repeated is None else repeated
        if "-" in found[1]:
            entry = lines[row].strip()
            read = built_or_none(entry)
            value = re.split(r"[ \t]#", entry[len(key) + 1:], maxsplit=1)[0].strip()
            if key in _TEXT_KEYS and isinstance(read, dict) and not isinstance(read.get(key), str) and value:
                if key == "name" and value.isdecimal() and _top_key(lines, row) == "presets":
                    # quoted, `- name: '7'` is refused too: `preset 7` selects by position
                    return (None if repeated != i else
                            (repeated, i, f"- name: and a word with it, like - name: scene {value} (a preset's name "
                                          "is no plain number: numbers select presets by position)"))
                entry = quoted[1:-1] if (quoted := flow_yaml({key: value})) is not None else entry
            written = " " * found[1].index("-") + "- " + entry
            # an entry begins with the key its '- ' line has: `- weight: 2` would be a prompt without its text
            if repeated != i or not _reads_past([*lines, ""], row, written, row):
                return None
            return repeated, i, written.strip()
    return None


def _group_meant(lines: list[str], row: int, stop: int, key: str, meant: re.Match, top: tuple[str, ...],
                 groups: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `key` at line `row` is meant for the mapping of the key at line `stop`, where the search above it
    stopped, rather than for `meant`'s: the two share a group of `groups`, `key` is no key of `top` beside one at
    the line's start, and no key lined up with `meant` between them shares a group with it."""
    if (left := _KEY_LINE.match(lines[stop])) is None or not _one_group(key, left[2], groups) \
            or key in top and not left[1]:
        return False
    return not any(_one_group(key, found[2], groups) for line in lines[stop + 1:row]
                   if (found := _KEY_LINE.match(line)) and len(found[1]) == len(meant[1]))


def _one_group(key: str, other: str, groups: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `key` and `other` are keys of one kind of mapping among `groups`."""
    return any(key in group and other.strip() in group for group in groups)


def _keys_above(lines: list[str], row: int, column: int) -> tuple[int | None, re.Match | None, int, int | None]:
    """The keys above line `row` that a key at `column` may be meant to line up with: the line of the first at or
    left of `column`, where the search stops; of the mappings between, the key whose column is the nearest past
    `column`, and its line; and that mapping's '- ' line, where it is a list item whose '- ' is at `column`."""
    stop = meant = item = None
    at = -1
    for i in range(row - 1, -1, -1):
        if (key := _KEY_LINE.match(lines[i])) is None:
            continue
        if len(key[1]) <= column:
            stop = i
            break
        if meant is None or len(key[1]) < len(meant[1]):
            meant, at, item = key, i, None
        if len(key[1]) == len(meant[1]) and item is None and key[1].find("-") == column:
            item = i
    return stop, meant, at, item


def read_text(path: Path) -> str:
    """A show's or MIDI map's text, read no further than MAX_BYTES: ConfigError past it; OSError and
    UnicodeDecodeError as reading raises them."""
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ConfigError([f"{path}:{_too_big_message(data)}"])
    if data.startswith(VIM_SWAP):  # its NULs said it was a file not written whole, to save again: no save does
        raise ConfigError([f"{path}:1: this is vim's swap file (what vim keeps of an edit under way), not the file "
                           f"itself: give {_swapped_file(path)}"])
    if _media_kind(data) is not None:  # a video's or an image's bytes may well decode, as far as they are read
        raise UnicodeDecodeError("utf-8", data, 0, 1, "a video or an image, not text")
    return data.decode("utf-8")


VIM_SWAP = b"b0VIM "  # how a vim swap file starts


def _swapped_file(path: Path) -> str:
    """The file whose swap file `path` is (vim names .show.yaml.swp, then .swo, ... beside show.yaml)."""
    name = Path(path).name
    if name.startswith(".") and len(name) > 5 and name[-4:-2] in (".s", ".S"):
        return str(Path(path).with_name(name[1:-4]))
    return "the file vim has open"


def read_file(path: Path, what: str = "the file") -> str:
    """A show's or map's text (read_text); ConfigError saying why where it cannot be read, naming it as `what`."""
    try:
        return read_text(path)
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([_unreadable(path, e, what)]) from None


def _unreadable(path: Path, e: OSError | UnicodeDecodeError, what: str) -> str:
    """'file:line: message' with the fix, for a show or map file that read_text could not read."""
    if isinstance(e, UnicodeDecodeError):
        media = _media_kind(e.object)
        if media is not None:  # `vcam run clip.mp4`: no text to convert, whatever its bytes are
            kind, src = media
            return (f"{path}:1: {what} is {kind}, not a YAML text file; to restyle it give it to vcam run --in "
                    f"{shell_word(f'{src}:{path}')}")
        if _utf32(e.object):
            return f"{path}:1: {_utf32_said(e.object[:1] == bytes(1))}"
        if e.object[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Windows Notepad's "Unicode": latin1 would garble it
            return (f"{path}:1: {what} is UTF-16 text, not UTF-8; save it as UTF-8 (in the editor's Save As, or: "
                    "iconv -f utf-16 -t utf-8 FILE > NEW.yaml)")
        if (run := e.object.find(NUL_RUN.encode())) >= 0:  # UTF-16 or UTF-8 cut short: iconv would garble it
            line = e.object[:run].count(b"\n") + 1
            return f"{path}:{line}: NUL bytes where text should be: {NOT_WHOLE}"
        if _utf16_unmarked(e.object):  # an é or emoji in it: no UTF-8, where ASCII alone decodes (and YAML refuses)
            return f"{path}:1: {_utf16_said(e.object[:1] == bytes(1))}"
        line = e.object[:e.start].count(b"\n") + 1
        return (f"{path}:{line}: {what} is not UTF-8 text (byte 0x{e.object[e.start]:02x}); save it as UTF-8 (in "
                "the editor's Save As, or: iconv -f latin1 -t utf-8 FILE > NEW.yaml)")
    if isinstance(e, FileNotFoundError):
        return f"{path}: {what} does not exist; {near_name(path) or 'check the path'}"
    if isinstance(e, IsADirectoryError):  # no line: a folder has none
        return f"{path}: {what} is a folder; name the YAML file in it{yaml_files_in(path)}"
    if isinstance(e, PermissionError):
        return f"{path}:1: {what} cannot be read (permission denied); {READ_FIX}"
    return f"{path}:1: cannot read {what} ({e.strerror or e})"


def yaml_files_in(folder: Path) -> str:
    """` (it holds a.yaml, b.yaml)`, the first few, where it holds any: the names the operator meant to give."""
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError:
        return ""
    return f" (it holds {', '.join(map(name_listed, names[:5]))}{', ...' if len(names) > 5 else ''})" if names else ""


def _media_kind(data: bytes) -> tuple[str, str] | None:
    """("a video", "file") or ("an image", "image") for a file whose first bytes say it is one (MP4 and MOV, Matroska
    and WebM, AVI, PNG, JPEG, GIF, WebP), else None."""
    # an MP4's first box is small: its size's high byte is 0, which no text file starts with
    if (data[:1] == b"\0" and data[4:8] == b"ftyp") or data[:4] == b"\x1a\x45\xdf\xa3" or (
            data[:4] == b"RIFF" and data[8:12] == b"AVI "):
        return "a video", "file"
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:6] in (b"GIF87a", b"GIF89a") or (
            data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "an image", "image"
    return None


def near_name(path: Path) -> str | None:
    """The fix for a file name mistyped: the file of its folder it was likely meant to be (another case: names are
    case-sensitive on Linux and on a show copied there from a Mac or Windows), or None."""
    try:
        names = [p.name for p in path.parent.iterdir() if p.suffix.lower() in (".yaml", ".yml")]
    except OSError:
        return None
    same = next((n for n in names if n.lower() == path.name.lower()), None)
    # `set` for set.yaml: a name that short is no near match to its file's
    bare = next((n for n in sorted(names) if Path(n).stem.lower() == path.name.lower()), None)
    near = same or bare or nearest(path.name, names, cutoff=0.75)
    if near is None:
        return None
    why = " (file names are case-sensitive)" if same or (bare and Path(bare).stem != path.name) else ""
    return f"did you mean {path.parent / near}?{why}"


def written_as(node) -> str | None:
    """"show" for a show's top level (presets:, no controls:), "map" for a MIDI or OSC map's (controls:, no
    presets:), else None: one given where the other goes is said as such, not as one with unknown keys."""
    keys = top_keys(node)
    if "presets" in keys and "controls" not in keys:
        return "show"
    if "controls" in keys and "presets" not in keys:
        return "map"
    return None


def top_keys(node) -> set[str]:
    """The keys of a YAML mapping (none for anything else); keys that are themselves lists or mappings are left
    out."""
    if not isinstance(node, MappingNode):
        return set()
    return {k.value for k, _ in node.value if isinstance(k, ScalarNode)}


def constructed(node: Node) -> object:
    """The Python value of a composed node as a safe load reads it, without reporting anything; None where it has
    none (a tag safe loading refuses)."""
    try:
        return SafeConstructor().construct_document(node)
    except Exception:  # the constructors raise their own exceptions (int(), a failed regex match), not YAML's alone
        return None


def key_nodes(node) -> dict:
    """A mapping node's values by key, without reporting anything (for a section read and checked already); {} for
    anything but a mapping."""
    if not isinstance(node, MappingNode):
        return {}
    return {k.value: v for k, v in node.value if isinstance(k, ScalarNode)}


def _too_big(text: str) -> str | None:
    """'line: message' for text over MAX_BYTES in UTF-8, None for text within it."""
    if len(text) <= MAX_BYTES // 4:  # a character is at most 4 bytes: short enough without encoding it
        return None
    data = text.encode("utf-8", errors="surrogatepass")
    return _too_big_message(data) if len(data) > MAX_BYTES else None


def _too_big_message(data: bytes) -> str:
    line = data.count(b"\n", 0, MAX_BYTES) + 1
    return (f"{line}: the file passes {MAX_BYTES / 1e6:g} MB here; a show or MIDI map is written by hand and stays "
            "far smaller: cut it down, or check that this is the file you meant")


class Refused(yaml.YAMLError):
    """The file is past one of the limits, at `mark`."""

    def __init__(self, message: str, mark):
        super().__init__(message)
        self.mark = mark


class _LimitedComposer(Composer):
    """PyYAML's composer, stopped at the first node past MAX_DEPTH or MAX_NODES: its recursion is at most MAX_DEPTH
    levels deep, and its work (and the reading's after it) at most MAX_NODES nodes."""

    def __init__(self):
        super().__init__()
        self._depth = 0  # collections open around the node being composed
        self._nodes = 0  # nodes composed so far, each counted as often as aliases repeat it
        self._sizes: dict[int, int] = {}  # nodes in each anchored node, by id(node)
        self.anchored: dict[str, Node] = {}  # each anchor's node, by its name (the last of a name set twice)
        self.aliased: set[str] = set()  # the anchors an alias repeats

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            self.aliased.add(event.anchor)
            node = super().compose_node(parent, index)
            self._count(self._sizes.get(id(node), 1), event)  # 1: inside its own anchor, it repeats nothing
            return node
        collection = isinstance(event, (SequenceStartEvent, MappingStartEvent))
        if collection:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise Refused(TOO_DEEP, event.start_mark)
        before = self._nodes
        self._count(1, event)
        node = super().compose_node(parent, index)
        if collection:
            self._depth -= 1
        if event.anchor is not None:
            self._sizes[id(node)] = self._nodes - before
            self.anchored[event.anchor] = node
        return node

    def _count(self, nodes: int, event) -> None:
        self._nodes += nodes
        if self._nodes > MAX_NODES:
            raise Refused(TOO_MANY, event.start_mark)


class _PyLoader(_StreamReader, Scanner, Parser, _LimitedComposer, Resolver):
    """PyYAML's own scanner and parser: for a PyYAML built without libyaml."""

    def __init__(self, text: str):
        _StreamReader.__init__(self, text)
        Scanner.__init__(self)
        Parser.__init__(self)
        _LimitedComposer.__init__(self)
        Resolver.__init__(self)


_Loader: type = _PyLoader
if getattr(yaml, "__with_libyaml__", False):
    from yaml.cyaml import CParser

    class _CLoader(_LimitedComposer, CParser, Resolver):
        """libyaml's events (ten times faster than PyYAML's scanner), composed here."""

        def __init__(self, text: str):
            CParser.__init__(self, text)
            _LimitedComposer.__init__(self)
            Resolver.__init__(self)

    _Loader = _CLoader


class _PyScanning(_StreamReader, Scanner):
    """PyYAML's own scanner, for the tokens alone."""

    def __init__(self, text: str):
        _StreamReader.__init__(self, text)
        Scanner.__init__(self)

    def dispose(self) -> None:
        pass


_Scanning: type = _PyScanning
if getattr(yaml, "__with_libyaml__", False):
    _Scanning = CParser


def _read_as(v) -> str | None:
    """How YAML read an unquoted value where text was expected, in the words of the message; None otherwise."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, (datetime.date, datetime.datetime)):
        return "a date"
    return None


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"  # YAML's single-quoted form: a quote is doubled


# the forms YAML 1.1 reads untagged text as, by tag, as a show writer names them
_IMPLIED_KINDS = {"tag:yaml.org,2002:int": ("whole number", " (0x starts a hex number, 0b a binary one: digits "
                                                               "follow them)"),
                  "tag:yaml.org,2002:float": ("number", ""),
                  "tag:yaml.org,2002:timestamp": ("date", " (no such day or time)")}


def _shown_tag(tag: str) -> str:
    """A tag as it is written in the file: tag:yaml.org,2002:int is !!int."""
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag
