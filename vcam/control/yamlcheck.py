"""Reading YAML with line numbers, so that every error in a show or MIDI map names the file, the line and the fix.

Show files and MIDI maps are written by hand, so anything far past that is refused early, with its line: a file
over MAX_BYTES is not read further (yamlfiles), and composing stops past MAX_DEPTH or MAX_NODES (yamlloaders). Past
MAX_PROBLEMS problems the reading stops. Here: the Reader that composes a text, says what YAML refused (yamlslips)
and reads each value by its kind, with what a value written otherwise was meant as (yamlnumbers).
"""
from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from vcam.control import yamlloaders
from vcam.control.commands import (COMMENT_FULL_WIDTH, COMMENT_FULL_WIDTH_IN_BLOCK, COMMENT_IN_BLOCK, COMMENT_IN_QUOTES,
                                   commands_cut, is_command, parse)
from vcam.control.numberreadings import whole_readings
from vcam.control.shipped import maps_dir, shipped_map_meant
from vcam.control.yamlfiles import too_big_at, unreadable_at, unreadable_character
from vcam.control.yamlloaders import TOO_DEEP, LimitedComposer, Refused
from vcam.control.yamlnumbers import (as_written, decimal_comma, in_digits, number_written_as, plain_null,
                                      space_grouped, typed_as, unquoted_hint, written_as_hint)
from vcam.control.yamlproblems import MAX_PROBLEMS, ConfigError
from vcam.control.yamlslips import syntax_error
from vcam.control.yamlspaces import odd_line_start
from vcam.control.yamlwrite import STR_TAG, flow_yaml
from vcam.words import nearest, plain

# the Reader and what reads with it; the limits and ConfigError are read from their homes: yamlfiles, yamlloaders
# and yamlproblems
__all__ = ["INVALID", "Reader", "as_written_in", "constructed", "in_a_block", "key_nodes", "top_keys", "written_as",
           "written_in_a_block"]


# What Reader.value returns for a scalar that could not be constructed; the problem is already recorded, so the
# typed readers return None without adding a second message about the same value.
INVALID = object()


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
    # what to do instead of a command only the console gives, where the show's words would mislead (typed_only's)
    typed_only_words: dict[str, str] = field(default_factory=dict)
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
        too_big = too_big_at(text)
        if too_big:
            self.problems.append(f"{self.path}:{too_big}")
            return None
        self._lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))  # the marks' columns leave a BOM out
        odd = odd_line_start(self._lines, text, keys)
        if odd:
            self.problems.append(f"{self.path}:{odd}")
            return None
        try:
            loader = yamlloaders.Loader(text)
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
            said = syntax_error(e, line, text, top, keys, groups, self.path)
            self.problems.append(f"{self.path}:{getattr(said, 'line', line)}: {said}")
        except yaml.reader.ReaderError as e:
            self._record_unreadable(e, text)
        except yaml.YAMLError as e:
            self.problems.append(f"{self.path}:1: not valid YAML ({e})")
        finally:
            loader.dispose()
        return None

    def _record_unreadable(self, e: yaml.reader.ReaderError, text: str) -> None:
        at = unreadable_at(e, text)
        line = text.count("\n", 0, at) + 1
        self.problems.append(f"{self.path}:{line}: {unreadable_character(e, text, at)}")

    def _note_lone_anchors(self, loader: LimitedComposer) -> None:
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
                comma = decimal_comma(node, i, known)
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
                and key_node.value and plain_null(value)):
            return False
        end = pair[0] if plain_null(pair[1]) else pair[1]
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
                         f"{typed if typed_as(key, node.value, meant) else ''}); {fix}")
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
            hint = (in_digits(self.numeric(node), lo, hi, node, what) or unquoted_hint(node, v, lo, hi, whole=True)
                    or space_grouped(v, lo, hi, what)
                    or written_as_hint(v, whole_readings(v.strip(), lo, hi) if isinstance(v, str) else (),
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
            hint = unquoted_hint(node, v, lo, hi) or number_written_as(v, lambda n: lo <= n <= hi, share=hi == 1)
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


# What YAML's escapes in "double quotes" make that no prompt, name or path holds: \0 \a \b \v \f \e, each by the
# letter that made it. \t and \n are left: a prompt may mean them.
_CONTROL_ESCAPES = {"\0": "0", "\a": "a", "\b": "b", "\v": "v", "\f": "f", "\x1b": "e"}


def _escaped_control(text: str) -> str | None:
    """The escape's letter (`a` for \\a) of one such character in `text`, else None."""
    return next((letter for char, letter in _CONTROL_ESCAPES.items() if char in text), None)


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
