"""Slips in braces and brackets (YAML's flow style), each said with the line to write: a close left out, one too
many or of the other kind, a comma left out, a map's control written without its braces, `-{` with no space."""
from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

import yaml

from vcam.control.yamlbrackets import CLOSING, braces_around, left_unclosed, open_brackets, quote_closed
from vcam.control.yamllines import (KEY_LINE, MAPPING_VALUES, OPENED, TEXT_KEYS, AtLine, code_end, indent_of,
                                    written_above, written_below)
from vcam.control.yamlloaders import SafeLoader
from vcam.control.yamloffers import flow_closes, offer_loads, reads_past
from vcam.control.yamlproblems import PROBLEM_AT, ConfigError
from vcam.control.yamlwrite import built_or_none, flow_yaml
from vcam.words import nearest


def left_open(e: yaml.MarkedYAMLError, lines: list[str], here: str, keys: tuple[str, ...] = ()) -> str | None:
    """What to write for a key on a line below the one a flow opened on (`prompt: [dusk forest` over `  - name: b`):
    the flow left open is what to mend, not a comma before the key; None for any other."""
    mark = e.problem_mark
    if e.context_mark is not None and mark is not None and e.context_mark.line < mark.line and KEY_LINE.match(here):
        return flow_mended(e, lines, keys)
    return None


# the keys a MIDI map's control opens with, one of them naming what it hears
CONTROL_KINDS = ("cc", "note", "nrpn", "program")
# a map's control, a show's preset or cue, written with its keys on one line but without its braces: `- cc: 60,
# command: tap`, `- name: neon, prompt: city`, `- name: drop, do: next`
_ITEM_FIRST_KEYS = MappingProxyType({"presets": ("name", "prompt"), "cues": ("name", "do")})
_FIRST_KEYS = "|".join(dict.fromkeys((*CONTROL_KINDS, *(key for keys in _ITEM_FIRST_KEYS.values() for key in keys))))
_UNBRACED = re.compile(rf"( *- +)(({_FIRST_KEYS}): *[^{{}}\[\],#]+(?:, *\w+: *[^{{}}\[\],#]+)+?)( *#.*)?")


def braces_left_out(e: yaml.MarkedYAMLError, lines: list[str], path: str) -> str | None:
    """What to write for a MIDI map's control or a show's preset or cue whose keys are on one line without the braces
    around them, said by YAML as a ': ' where no key goes; None for any other complaint, and where the item has lines
    under it (braced, they are refused). `path`: the file's, which a preset's paths are read against."""
    if e.problem not in MAPPING_VALUES or e.problem_mark is None or e.problem_mark.line >= len(lines):
        return None
    row = e.problem_mark.line
    found = _UNBRACED.fullmatch(lines[row].rstrip())
    if found is None or _lines_under(lines, row, len(found[1])):
        return None
    keys = found[2].rstrip()
    entry = f"{{{keys.strip()}}}" + (f"{found[2][len(keys):]}{found[4]}" if found[4] else "")  # its comment kept
    if found[3] in CONTROL_KINDS:
        what = "control"
    else:
        # `cues:` over `- name: c, prompt: x`: a cue, not a preset, and a cue's keys braced are refused
        listed = _list_key(lines, row, len(found[1]) - len(found[1].lstrip(" ")))
        what = {"presets": "preset", "cues": "cue"}.get(listed or "")
        if what is None or found[3] not in _ITEM_FIRST_KEYS[listed]:
            return None
    mended = [*lines[:row], f"{found[1]}{entry}", *lines[row + 1:]]
    # a cue loads only beside the presets it names: the whole show is what says so
    alone = what == "cue" or item_loads(entry, "preset" if what == "preset" else "midi", path)
    # a slip on another line (`promt:` in the next preset) is its own, said at the next load
    if not reads_past([*lines, ""], row, f"{found[1]}{entry}", row) or not alone \
            or not mend_loads("\n".join(mended), range(row, row + 1), path):
        # `- note: 36, command: prompt city at night, light: red`: braced, the prompt's ', light: red' is a key
        # refused (or keys a control takes, but not together): the quotes _problem_said offers are the fix
        return None
    return (f"not valid YAML: a {what}'s keys on one line go in braces, or YAML reads the ', ' as part of the first "
            f"key's value: write - {entry}")


def _list_key(lines: list[str], row: int, column: int) -> str | None:
    """The key whose list holds the item at `column` of line `row`: the nearest line above it less indented, where
    that is a key alone on its line; None otherwise."""
    for above in range(row - 1, -1, -1):
        line = lines[above]
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip() or line.lstrip().startswith("#") or indent > column \
                or indent == column and line.lstrip().startswith("-"):
            continue  # the items before it, and their lines
        found = _KEY_ALONE.fullmatch(line)
        return found[2] if found is not None else None
    return None


def _lines_under(lines: list[str], row: int, column: int) -> bool:
    """Whether the item at line `row`, its keys from `column`, has lines under it at or past that column."""
    below = written_below(lines, row)
    return indent_of(below) >= column > 0 and bool(below.strip())


def item_loads(entry: str, kind: str, path: str = "show.yaml") -> bool:
    """Whether `entry` ({note: 36, command: next}, {address: /b, param: blend}, {name: neon, prompt: city}), the only
    item of a MIDI map's or OSC map's controls or a show's presets (`kind`: midi, osc or preset), loads as one."""
    if kind == "preset":
        return not _show_problems(f"presets:\n  - {entry}\n", path)
    return not _map_problems(f"controls:\n  - {entry}\n", kind, None)


def _show_problems(text: str, path: str) -> list[str]:
    """The problems the check of `text`, a show file (its paths read against `path`'s), finds: none where it loads."""
    # here, not at the top: show imports this module through yamlcheck
    from vcam.control.show import parse_show

    try:
        parse_show(text, path)
    except ConfigError as e:
        return e.problems
    return []


def _map_problems(text: str, kind: str | None, base: Path | None) -> list[str]:
    """The problems of `text`, a MIDI or OSC map file (`kind`: midi or osc; told by its controls where None), as
    its check finds them; one with no line for one that is neither. `base`: where its paths are found, None to leave
    them unchecked."""
    # here, not at the top: midimap and oscmap import this module through yamlcheck
    from vcam.control import midimap, oscmap
    from vcam.control.mapfiles import map_kind
    from vcam.control.yamlcheck import Reader

    r = Reader("")
    try:
        node = r.compose(text)
        kind = map_kind(node) if kind is None and node is not None else kind
        if node is not None and kind == "midi":
            midimap.read_map(r, node, "MIDI map", base, in_map_file=True, whole_paths=False)
        elif node is not None and kind == "osc":
            oscmap.read_map(r, node, "OSC map", base, file=True, whole_paths=False)
        elif node is not None:
            return ["neither a MIDI nor an OSC map"]
    except ConfigError as e:  # problems enough to stop the reading
        return e.problems
    return r.problems if node is not None else r.problems or ["no map"]


def wrong_closer(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
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
            if not opened or CLOSING[line[opened[-1]]] != char:  # a mix-up earlier on the line: not this one
                return None
            opened.pop()
    ended = [*lines, ""]  # offered must load, not only parse: `defaults: {{seed: 3}}` builds a mapping as a key
    if not opened:
        mended = line[:column] + line[column + 1:]
        if offer_loads(ended, mark.line, mended, len(lines)):
            if not re.sub(r"(^| )#.*$", "", mended).strip():  # a lone }: nothing left to write in its place
                return (f"not valid YAML: line {mark.line + 1} holds a lone {closer}, which closes nothing opened "
                        "before it; delete the line")
            return (f"not valid YAML: this {closer} closes nothing opened before it on its line; remove it: "
                    f"{mended.strip()}")
        return None
    want = CLOSING[line[opened[-1]]]
    if want == closer:
        return None
    for mended, how in ((line[:column] + want + line[column + 1:], f"close it with {want}"),
                        (line[:column] + want + line[column:], f"close it before this {closer}")):
        if offer_loads(ended, mark.line, mended, len(lines)):
            return (f"not valid YAML: the {line[opened[-1]]} that opens at column {opened[-1] + 1} is closed by a "
                    f"{closer}; {how}: {mended.strip()}")
    return None


def flow_gap(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...] = (),
             path: str = "show.yaml") -> str | None:
    """What to write where braces or brackets find more after a value than a comma or their end: a key with no comma
    before it (`{name: a prompt: neon}`), or a word after a quoted text (`{prompt: "neon" city}`); None otherwise.
    `keys`: the keys the file takes, a word after a quoted text with a colon being a key left its comma only where
    it is one of them (or near one). `path`: the file's, which a show's paths are read against."""
    found = re.fullmatch(r"(?:did not find expected|expected) ',' or '([]}])'(?:, but got .*)?", e.problem or "")
    mark = e.problem_mark
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if found is None or mark is None or mark.column > len(here):
        return None
    before, column = here[:mark.column].rstrip(), mark.column
    inside = "{...}" if found[1] == "}" else "[...]"
    if here[column:column + 1] == ":" and (word := re.search(r"[^\s,{}\[\]:]+$", before)) is not None:
        return (f"not valid YAML: in {inside} a key follows a comma: write a comma before {word[0]}: where it is a "
                f"key, or put the text in quotes where the ': ' is its own")
    key = re.match(r"[^\s,{}\[\]:#'\"]+(?=: |:$)", here[column:])
    if before[-1:] in ("'", '"') and key and (key[0] in keys or nearest(key[0], keys, cutoff=0.75)):
        # `{name: "a" prompt: x}`: a key after a quoted value, the comma between left out; quoting the whole text
        # made the name `"a" prompt: x`
        mended = here[:len(before)] + "," + here[len(before):]
        braces = braces_around(mended, len(before) + 1)
        # the braces offered are the line mended, which must load as written: `prompt: neon: city` after the comma
        # is refused again
        offered = braces and line_loads(lines, mark.line, mended, keys, path, checked=False)
        as_in = f", as in {braces}" if offered else ""
        return f"not valid YAML: in {inside} a comma separates keys: write a comma before {key[0]}:{as_in}"
    if before[-1:] in ("'", '"'):
        follows = re.split(r"[]}]| #", here[column:], maxsplit=1)[0].split(",")[0].rstrip()
        return (f"not valid YAML: in {inside} a value that opens with a quote ends at its closing quote, and "
                f"{follows!r} follows it; put the whole text in quotes (each ' in 'single quotes' written twice)")
    return None


def flow_mended(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...] = ()) -> str | None:
    """What to write where braces or brackets find neither a comma nor their close: a close left out at a line's end
    (`presets: [{name: a, prompt: b}` and the next key below), a close of the other kind (`[{name: a]`) or a comma
    between two entries (`[{text: a} {text: b}]`), each offered only where the line mended reads on past it; None
    otherwise (offer_loads)."""
    found = re.fullmatch(r"(?:did not find expected|expected) ',' or '([]}])'(?:, but got .*)?", e.problem or "")
    mark = e.problem_mark
    if found is None or mark is None or mark.line > len(lines):
        return None
    lines = [*lines, ""]  # the file's end, where a flow never closed is said
    row, column = mark.line, mark.column
    start = (e.context_mark.line if e.context_mark is not None else row, 0)  # with the brackets around the flow's
    here = lines[row]
    before = next((i for i in range(row - 1, start[0] - 1, -1) if code_end(lines[i])), None)
    if here[column:column + 1] in ("]", "}"):
        tries = _other_close(lines, start, row, column)
    elif before is not None and (here[:column].strip() in ("", "-") or start[0] < row and KEY_LINE.match(here)):
        # the entry ends on a line above, and this line starts the next key or item
        tries = _never_closed(lines, start, before)
    else:
        tries = _comma_left_out(lines, row, column, "{...}" if found[1] == "}" else "[...]")
    unloaded = None
    # filed at the line to mend: YAML complains at the line after a bracket left open, where the next key starts
    for line, mended, said in tries:
        if not offer_loads(lines, line, mended, row, keys, first=start[0]):
            if unloaded is None and reads_past(lines, line, mended, row):
                # what is open stays said, true as it is, without the fix (after its '; ') refused next
                unloaded = AtLine(line + 1, f"not valid YAML: {said.split('; ')[0]}")
            continue
        shown = mended.strip()
        offer = f": {shown}" if len(shown) <= 100 else ""
        return AtLine(line + 1, f"not valid YAML: {said}{offer}")
    return unloaded


def line_loads(lines: list[str], row: int, mended: str, keys: tuple[str, ...], path: str, checked: bool = True) -> bool:
    """Whether the text with line `row` written `mended` reads on past it and, where it then parses to its end,
    passes the file's check (a slip further on is said at the next load). `checked`: False where the mend only
    parts what was written (a comma between two keys), so a problem the check finds there was the user's own
    (a file missing, a name taken twice), said at the next load."""
    ended = [*lines, ""]
    # a bracket or quote it opens, read on to a later line, is no slip further on but the line's own
    if not offer_loads(ended, row, mended, row, keys) or not flow_closes(ended, row, mended):
        return False
    return not checked or mend_loads("\n".join([*lines[:row], mended, *lines[row + 1:]]), range(row, row + 1), path)


def _other_close(lines: list[str], start: tuple[int, int], row: int, column: int) -> list[tuple[int, str, str]]:
    """For a close of the other kind at `column` of line `row` (`[{name: a]`): the line with what is open before it
    closed first, and what to say of it; none where nothing open closes before it."""
    here = lines[row]
    opened = open_brackets(lines, start, (row, column))
    closes = "".join(CLOSING[char] for char, _, _ in reversed(opened))
    closes = closes[:closes.index(here[column])] if here[column] in closes else ""
    if not closes:
        return []
    opener, line_of, at = next(o for o in reversed(opened) if CLOSING[o[0]] == closes[0])
    return [(row, here[:column] + closes + here[column:],
             f"the {opener} that opens on line {line_of + 1} (column {at + 1}) is still open at the "
             f"{here[column]} of column {column + 1}; close it first")]


def _never_closed(lines: list[str], start: tuple[int, int], before: int) -> list[tuple[int, str, str]]:
    """For braces or brackets still open at the end of line `before`, the last of their entry: that line with them
    closed, or with a text's whole value quoted, and what to say of it; none where nothing is open there."""
    opened = open_brackets(lines, start, (before, code_end(lines[before])))
    if not opened:
        return []
    closes = "".join(CLOSING[char] for char, _, _ in reversed(opened))
    end = code_end(lines[before])
    opener, line_of, at = opened[0]
    # `prompt: [dusk forest`: a text that starts with a bracket, the text's own, a text's key taking no
    # list or mapping closed (`prompt: [dusk forest]` is refused); the comment after it is no part of it
    text = OPENED.match(lines[line_of])
    key = text[1] if text and text.start(2) == at else _key_above(lines, line_of, at)
    if key in TEXT_KEYS and line_of == before:
        own = flow_yaml(lines[before][at:end])
        if own is None:
            return []
        return [(before, lines[before][:at] + own + lines[before][end:],
                 f"the {opener} that opens on line {line_of + 1} (column {at + 1}) is never closed, "
                 f"and {key}: takes a text, not a {'list' if opener == '[' else 'mapping'}: put "
                 "the whole text in quotes")]
    return [(before, lines[before][:end] + closes + lines[before][end:],
             f"the {opener} that opens on line {line_of + 1} (column {at + 1}) is never closed; "
             f"close it at the end of line {before + 1}")]


def _key_above(lines: list[str], row: int, column: int) -> str | None:
    """The key whose value opens at `column`, the start of line `row`, where the line above it is that key alone
    (`prompt:` over `  [neon, city`); None otherwise."""
    if lines[row][:column].strip():
        return None
    above = written_above(lines, row)
    found = _KEY_ALONE.fullmatch(lines[above]) if above is not None else None
    return found[2] if found is not None and len(found[1]) < column else None


# a key with no value on its line (a comment after it), its value on the lines under it
_KEY_ALONE = re.compile(r"( *(?:- +)?)([A-Za-z_][\w-]*):[ \t]*(?:#.*)?")


def _comma_left_out(lines: list[str], row: int, column: int, inside: str) -> list[tuple[int, str, str]]:
    """For an entry that ends before `column` of line `row` and the next that starts at it, in `inside` ({...} or
    [...]): the line with a comma between them, and what to say of it; none where no entry ends or starts there."""
    here = lines[row]
    if not ((here[:column].rstrip()[-1:] in ("}", "]", "'", '"') or re.search(r"\w$", here[:column].rstrip()))
            and (here[column:column + 1] in ("{", "[", "'", '"') or re.match(r"[A-Za-z_][\w-]*:", here[column:]))):
        return []
    gap = len(here[:column].rstrip())
    return [(row, here[:gap] + "," + here[gap:], f"in {inside} a comma separates entries; write one here")]


def flow_item_offered(lines: list[str], row: int, indent: str, flow: str) -> tuple[str, str] | None:
    """What to write after '- ' for the flow `flow` written `-{...` at line `row` (after `indent`), and the closers
    added to it: as written where what it opens closes (on its line or on the lines after it), else closed on its
    line (`-{cc: 16, param: steps`); None where neither parses past the line, or it is a map's control refused, or a
    quote is closed in it that no check can say loads."""
    ended = [*lines, ""]
    if flow_closes(ended, row, f"{indent}- {flow}"):
        return (flow, "") if _item_loads(flow, checked_only=False) else None
    left = left_unclosed(flow)
    added = ""
    if left is None and (quoted := quote_closed(flow)) is not None:
        # `-{cc: 16, param: "blend}`: the quote's close left out, read on as the text to the line's end
        left = left_unclosed(quoted[0])
        if left is None:
            return None
        if _goes_on_below(lines, row, len(indent)):
            return None  # `-{note: 36, command: "prompt a long` over `    text at night}`: the text goes on there
        flow, added = quoted[0], quoted[1]
    elif left is None or not left[0]:
        return None
    closers, end = left
    entry = f"{flow[:end]}{closers}{flow[end:]}"  # its comment kept after the closers
    # where the quote closed is a guess, offered only where the item is one a check says loads
    if reads_past(ended, row, f"{indent}- {entry}", row) and _item_loads(entry, checked_only=bool(added)):
        return entry, added + closers
    return None


def _goes_on_below(lines: list[str], row: int, column: int) -> bool:
    """Whether the next line written under line `row`, an item at `column`, goes on with it: deeper than the item,
    or no new item or key."""
    below = written_below(lines, row)
    if not below:
        return False
    return indent_of(below) > column or _STARTS_ENTRY.match(below.lstrip(" ")) is None


# a line that starts a list's item or a mapping's key
_STARTS_ENTRY = re.compile(r"-(?:[ \t{\[]|$)|[A-Za-z_][\w-]*[ \t]*:(?:[ \t]|$)")


def mend_loads(text: str, rows: range, path: str) -> bool:
    """Whether `text`, a file with its lines `rows` (counted from 0) mended, holds a mend to offer: one that leaves a
    slip further on (said at the next load), or whose check finds no problem on those lines. A problem on another
    line is a slip of its own, there before the mend (`promt:` in the next preset), and said next."""
    # built once, with libyaml's parser where PyYAML has it: a mend is checked for each way a slip may be offered,
    # and a show of 1,500 presets took seconds for each pure-Python build
    if (top := _built(text)) is None:
        return True
    problems = _problems(text, path, top)
    if problems is None:
        return False
    at = [PROBLEM_AT.match(problem) for problem in problems]
    # a map file the show names counts its own lines: its line 2 is not the show's; a map file checked here is
    # read with no path of its own (_map_problems)
    return not any(found is None or found[1] in (path, "") and int(found[2]) - 1 in rows for found in at)


def _built(text: str) -> object:
    """What a safe load of `text` builds (as built_or_none, with libyaml's parser where PyYAML has it)."""
    try:
        return yaml.load(text, Loader=SafeLoader)
    except Exception:  # what YAML cannot build raises the constructors' own
        return None


def _problems(text: str, path: str, top: object = None) -> list[str] | None:
    """The problems the check of `text`, a whole show or map file, finds; None where it is no mapping. `top`: what
    `text` builds, where built already."""
    top = _built(text) if top is None else top
    if not isinstance(top, dict):
        return None  # a slip left elsewhere, or no mapping: nothing a check reads
    if "controls" in top and "presets" not in top:
        return _map_problems(text, None, Path(path).parent)
    return _show_problems(text, path)


def _item_loads(entry: str, checked_only: bool) -> bool:
    """Whether the flow `entry`, written after a list's '- ', is an item some list of a show or map takes: none takes
    a list (`[cc, 16]`), and a map's control on one line loads as one (item_loads); `checked_only`: an item no check
    here knows (a cue's, a preset's) is taken as not loading."""
    item = built_or_none(entry)
    if isinstance(item, list):
        return False
    if not isinstance(item, dict):
        return not checked_only  # the first line of a flow that goes on below it
    if any(key in CONTROL_KINDS for key in item):
        return item_loads(entry, "midi")
    if "address" in item:
        return item_loads(entry, "osc")
    return not checked_only
