"""Slips of indentation, each said with the line to write: a key indented off the keys of its mapping, a '- ' item
off its list, a key read as more of the value above it, a '- ' list after a list in brackets."""
from __future__ import annotations

import re
from collections.abc import Callable

import yaml

from vcam.control.yamllines import (ITEM_NOT_FOUND, AtLine, KEY_HEAD, KEY_LINE, MAPPING_VALUES, TEXT_KEYS, indent_of,
                                    top_key, written, written_above)
from vcam.control.yamloffers import reads_past
from vcam.control.yamlwrite import built_or_none, flow_yaml
from vcam.words import counted, nearest


def deeper_key(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...]) -> str | None:
    """What to write for a key of `keys` indented deeper than the key and value on the line above it (`      seed: 3`
    under `    prompt: city`), read as more of that value, with a ': ' it cannot hold; None otherwise."""
    if e.problem not in MAPPING_VALUES or e.problem_mark is None or not 0 < e.problem_mark.line < len(lines):
        return None
    row = e.problem_mark.line
    here, above = KEY_LINE.match(lines[row]), KEY_LINE.match(lines[row - 1])
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


# a key whose value opens a list in brackets (`presets: [{name: a, prompt: b}]`): (indentation, key, the rest)
_FLOW_LIST = re.compile(r"^( *(?:- +)?)(" + KEY_HEAD + r"[^\s:#]*): +(\[.*)$")


def _dash_row(e: yaml.MarkedYAMLError, lines: list[str]) -> int | None:
    """The line of a '- ' item that YAML said a key was not found at; None for any other complaint."""
    if e.problem not in ITEM_NOT_FOUND or e.problem_mark is None:
        return None
    row = e.problem_mark.line
    return row if row < len(lines) and re.match(r" *- ", lines[row]) else None


def list_after_flow(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a '- ' item after a key's list in brackets (`presets: [{name: a, prompt: b}]` and then
    `  - name: c`), the list written both ways, said by YAML as a key not found; None for any other complaint."""
    if (row := _dash_row(e, lines)) is None:
        return None
    for i in range(row - 1, -1, -1):
        if (opened := _FLOW_LIST.match(lines[i])) is not None:
            break
        if re.match(r" *[^\s#]", lines[i]) and KEY_LINE.match(lines[i]):  # a key between: not the list's
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


def _dash_at(e: yaml.MarkedYAMLError, lines: list[str]) -> tuple[int, int] | None:
    """The row and column of the '- ' item YAML stopped at, said as a '-' or a key not found; None otherwise."""
    if e.problem not in (*ITEM_NOT_FOUND, "did not find expected '-' indicator") or e.problem_mark is None:
        return None
    row = e.problem_mark.line
    if row >= len(lines) or (item := re.match(r"( *)- ", lines[row])) is None:
        return None
    return row, len(item[1])


def dash_misaligned(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a '- ' item indented off the list it goes on, said by YAML as a '-' or a key not found: the
    column of the entry in braces on the line above it (a map's `  - {cc: 0, param: blend}` over `    - {cc: 32,
    command: next}`, a line of vcam midi learn pasted at another indentation), else of the list whose '- ' is
    nearest (`   - name: b` under `  - name: a`), where the line then reads on; None otherwise."""
    if (at := _dash_at(e, lines)) is None:
        return None
    row, column = at
    for lined_up in (_entry_above(lines, row), _nearest_list(e, lines, row, column)):
        if lined_up is None or lined_up[0] == column:
            continue
        meant, said = lined_up
        if (moved := _item_moved(lines, row, column, meant)) is not None:
            return f"not valid YAML: this '- ' is indented {counted(column, 'space')} and {said}{moved}"
    return None


def _item_moved(lines: list[str], row: int, column: int, meant: int) -> str | None:
    """What more to say of the '- ' item at line `row` moved from `column` to `meant`: '' where the line moved alone
    reads past the item's lines under it, else those lines moved with it where that reads on (`    - name: b` over
    `      prompt: y`: the '- ' alone moved, its prompt was refused next); None where neither does."""
    end, nested = row, None
    for i in range(row + 1, len(lines)):
        if not lines[i].strip() or lines[i].lstrip().startswith("#"):
            continue
        indent = len(lines[i]) - len(lines[i].lstrip(" "))
        item = lines[i].lstrip(" ").startswith("- ")
        if nested is not None and (indent < nested or indent == nested and not item):
            nested = None
        if indent <= column or indent <= meant and item and indent != nested:  # the next item of a list
            break
        if re.fullmatch(r"[A-Za-z_][\w-]*:[ \t]*(?:#.*)?", lines[i].strip()):
            nested = indent  # `prompts:`, its list's '- ' at its own column: the item's, not the next item
        end = i
    ended = [*lines, ""]
    if reads_past(ended, row, " " * meant + lines[row].lstrip(" "), end):
        return ""
    shift = meant - column
    moved = [*lines[:row], *(_shifted(line, shift) for line in lines[row:end + 1]), *ended[end + 1:]]
    if end == row or not reads_past(moved, row, moved[row], end):
        return None
    # the lines named are those with YAML on them: a blank or a comment between is no line to move
    held = [i + 1 for i in range(row + 1, end + 1) if written(lines[i])]
    return (f", and {_lines_named(held)}, under it, with it: {'' if len(held) == 1 else 'each '}"
            f"{counted(abs(shift), 'space')} {'further in' if shift > 0 else 'less'}")


def _shifted(line: str, shift: int) -> str:
    """`line` indented `shift` spaces more (or less, where negative); a blank line as it is."""
    if not line.strip():
        return line
    return " " * (shift + len(line) - len(line.lstrip(" "))) + line.lstrip(" ")


def _entry_above(lines: list[str], row: int) -> tuple[int, str] | None:
    """The column of the '- ' of an entry in braces or brackets on the line above `row` (past blank lines and
    comments), and what to say of it; None where that line is no such entry."""
    above = written_above(lines, row)
    entry = re.match(r"( *)- +[{\[]", lines[above]) if above is not None else None
    if entry is None:
        return None
    meant = len(entry[1])
    return meant, (f"the '- ' of line {above + 1} above it {meant}: the entries of one list line up; "
                   f"{'indent it ' + counted(meant, 'space') if meant else 'start it at the start of the line'}")


def _nearest_list(e: yaml.MarkedYAMLError, lines: list[str], row: int, column: int) -> tuple[int, str] | None:
    """The column of the list above `row`, up to the key that holds them all, whose '- ' is nearest `column`, and
    what to say of it; None where YAML's complaint opened on no line above, or two lists are as near."""
    if e.context_mark is None or not e.context_mark.line < row:
        return None
    # the one meant is the one whose '- ' is nearest its own (`     - text: y` a space short of its prompts' list,
    # not the presets' list around it)
    dashes: dict[int, int] = {}
    for i in range(row - 1, -1, -1):
        if (key := KEY_LINE.match(lines[i])) is not None and "-" not in key[1] and len(key[1]) <= column:
            break
        if (dash := re.match(r"( *)- ", lines[i])) is not None:
            dashes.setdefault(len(dash[1]), i)
    near = sorted(dashes, key=lambda c: abs(c - column))
    if not near or len(near) > 1 and abs(near[0] - column) == abs(near[1] - column):
        return None  # as near one list as another
    meant = near[0]
    return meant, (f"the '- ' of its list (line {dashes[meant] + 1}) {meant}: the items of one list line up; indent "
                   f"it {counted(meant, 'space')} as well")


def first_item_moved(e: yaml.MarkedYAMLError, lines: list[str],
                     checks: Callable[[str, range], bool] = lambda text, rows: True,
                     at_its_key: bool = False) -> str | None:
    """What to write for a list whose first '- ' item is indented off the items after it, which all line up (`presets:`
    over ` - name: a` and `  - name: b`, `  - name: c`; or over `  - name: a` and `- name: b`, `- name: c` at the
    key's own column): that item moved to their column, with its lines under it, where the list then reads to its
    end and `checks` (the whole text moved, checked as the file is, and the list's lines) passes it. Said of each
    later item in turn, it took a load for each; None otherwise. `at_its_key`: only a first item at its key's own
    column (`presets:` over `- name: a`), which is the one off where the items after it are indented as its keys
    are; else only one off its key's column (those at it being asked first, before other slips)."""
    if (at := _dash_at(e, lines)) is None:
        return None
    # a key alone at the items' column may be the list's key or a key of the first item (`- name: a` over
    # `  prompts:`): each first item found is tried, the one whose move the check passes said
    for first, head in _first_items(lines, *at):
        if (indent_of(lines[first]) == indent_of(lines[head])) == at_its_key:
            if (said := _first_moved(lines, *at, first, head, checks)) is not None:
                return said
    return None


def _first_moved(lines: list[str], row: int, column: int, first: int, head: int,
                 checks: Callable[[str, range], bool]) -> str | None:
    """What to write for the first item at line `first` of the list under the key at line `head`, its later items
    from line `row` at `column` (first_item_moved); None where the move does not read on, or `checks` refuses it."""
    # the items after it, up to the list's end: the first line left of their column, or a key at it where they
    # line up with the list's key
    later, last = [], row
    for i in range(row, len(lines)):
        if not written(lines[i]) or indent_of(lines[i]) > column:
            last = i if written(lines[i]) else last
            continue
        if indent_of(lines[i]) < column:
            break
        if not lines[i].lstrip(" ").startswith("- "):
            if column == indent_of(lines[head]):
                break  # the key after the list, at its key's column
            return None  # a key at the items' column: not a list lined up
        later.append(i)
        last = i
    if len(later) < 2:
        return None  # one item after it: moving either is one edit, said as before
    shift = column - indent_of(lines[first])
    said = (f"not valid YAML: the first '- ' of this list is indented {counted(indent_of(lines[first]), 'space')} "
            f"and the {len(later)} items after it {column} (from line {row + 1}): the items of one list line up; "
            f"indent line {first + 1} {counted(column, 'space')}")
    ended = [*lines, ""]
    alone = [*lines[:first], _shifted(lines[first], shift), *ended[first + 1:]]
    # the lines the move changes: a problem on another, even in the same list, is a slip of its own
    if reads_past(ended, first, alone[first], last) and checks("\n".join(alone), range(first, first + 1)):
        return AtLine(first + 1, said)  # its '- ' alone moved: the keys under it are where they go
    moved = [*lines[:first], *(_shifted(line, shift) for line in lines[first:row]), *ended[row:]]
    # `  prompts:` over `    - text: x` and then `  - name: b`: lined up, the presets read as texts, refused
    if row - first == 1 or not reads_past(moved, first, moved[first], last) \
            or not checks("\n".join(moved), range(first, row)):
        return None
    # the lines named are those with YAML on them: a blank or a comment between is no line to move
    held = [i + 1 for i in range(first + 1, row) if written(lines[i])]
    if not held:
        return None
    return AtLine(first + 1, f"{said}, and {_lines_named(held)}, under it, with it: {'' if len(held) == 1 else 'each '}"
                             f"{counted(abs(shift), 'space')} {'further in' if shift > 0 else 'less'}")


def _first_items(lines: list[str], row: int, column: int) -> list[tuple[int, int]]:
    """The lines of the first '- ' item of the list whose later item at line `row` is at `column`, where that first
    item alone is at another column, under a key alone on its line, each with the line of that key: right of
    `column`, the later items at the key's own column, and left of `column` (YAML stopped at the second item)."""
    found = []
    key = next((i for i in range(row - 1, -1, -1) if written(lines[i]) and indent_of(lines[i]) <= column), None)
    alone = _KEY_ALONE.fullmatch(lines[key]) if key is not None else None
    if key is not None and indent_of(lines[key]) == column and alone is not None and "-" not in alone[1]:
        # the items at the key's column: the item under that key is the list's first, the only one at its column
        first = next((i for i in range(key + 1, row) if written(lines[i])), None)
        if first is not None and indent_of(lines[first]) > column and re.match(r" *- ", lines[first]) \
                and all(indent_of(lines[i]) > indent_of(lines[first]) for i in range(first + 1, row)
                        if written(lines[i])):
            found.append((first, key))
    first = next((i for i in range(row - 1, -1, -1) if written(lines[i]) and indent_of(lines[i]) < column), None)
    head = written_above(lines, first) if first is not None else None
    if first is not None and head is not None and re.match(r" *- ", lines[first]) \
            and indent_of(lines[head]) <= indent_of(lines[first]) and _KEY_ALONE.fullmatch(lines[head]):
        found.append((first, head))
    return found


def _lines_named(rows: list[int]) -> str:
    """Line numbers `rows` (in order) as said: one line, a run of them first to last, or else each of them."""
    if len(rows) == 1:
        return f"line {rows[0]}"
    if len(rows) > 2 and rows == list(range(rows[0], rows[-1] + 1)):
        return f"lines {rows[0]} to {rows[-1]}"
    return f"lines {', '.join(map(str, rows[:-1]))} and {rows[-1]}"


def item_misaligned(e: yaml.MarkedYAMLError, lines: list[str]) -> str | None:
    """What to write for a '- ' item indented as the keys of the entry above it (`    - name: b` under `  - name:
    a` and its `    prompt:`), said by YAML as a key not found; None for any other complaint."""
    if (row := _dash_row(e, lines)) is None:
        return None
    column = len(lines[row]) - len(lines[row].lstrip(" "))
    for i in range(row - 1, -1, -1):
        if (item := re.match(r"( *)(- +)(\S)", lines[i])) is not None and len(item[1]) < column:
            if len(item[1]) + len(item[2]) != column or item[3] in "{[":  # an entry in braces has no keys below
                return None
            if (moved := _item_moved(lines, row, column, len(item[1]))) is None:
                return None
            return (f"not valid YAML: this '- ' is indented {column} spaces, as the keys of the entry above it are, "
                    f"and YAML read it inside that entry; a new entry's '- ' lines up with the '- ' of line {i + 1}: "
                    f"indent it {counted(len(item[1]), 'space')}{moved}")
        if (key := KEY_LINE.match(lines[i])) is not None and len(key[1]) < column:
            return None
    return None


def misaligned(e: yaml.MarkedYAMLError, lines: list[str], top: tuple[str, ...] = (),
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
    if row >= len(lines) or (here := KEY_LINE.match(lines[row])) is None or "-" in here[1]:
        return None
    column = len(here[1])
    stop, meant, at, item = _keys_above(lines, row, column)
    if meant is None:
        return None
    if stop is not None and _group_meant(lines, row, stop, here[2], meant, top, groups):
        # `  transition:` one space past a preset's `prompts:`, under the list of its texts: a preset's key, not one
        # of the text's, which was offered and then refused as such
        meant, at, item = KEY_LINE.match(lines[stop]), stop, None
    spaces = len(meant[1])
    # `  do: preset b` under `  - do: preset a`: a list item whose '- ' was left out, as likely as a key
    entry = "" if item is None else f"; or, where it starts an entry of its own, begin it with '- ' as line " \
                                    f"{item + 1} does"
    if stop is not None and here[2] in top and (left := KEY_LINE.match(lines[stop])) and not left[1]:
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
        if (found := KEY_LINE.match(lines[i])) is None or len(found[1]) > column:
            continue
        if len(found[1]) < column:
            return None
        repeated = i if found[2] == key and repeated is None else repeated
        if "-" in found[1]:
            entry = lines[row].strip()
            read = built_or_none(entry)
            value = re.split(r"[ \t]#", entry[len(key) + 1:], maxsplit=1)[0].strip()
            if key in TEXT_KEYS and isinstance(read, dict) and not isinstance(read.get(key), str) and value:
                if key == "name" and value.isdecimal() and top_key(lines, row) == "presets":
                    # quoted, `- name: '7'` is refused too: `preset 7` selects by position
                    return (None if repeated != i else
                            (repeated, i, f"- name: and a word with it, like - name: scene {value} (a preset's name "
                                          "is no plain number: numbers select presets by position)"))
                entry = quoted[1:-1] if (quoted := flow_yaml({key: value})) is not None else entry
            written = " " * found[1].index("-") + "- " + entry
            # an entry begins with the key its '- ' line has: `- weight: 2` would be a prompt without its text
            if repeated != i or not reads_past([*lines, ""], row, written, row):
                return None
            return repeated, i, written.strip()
    return None


def _group_meant(lines: list[str], row: int, stop: int, key: str, meant: re.Match, top: tuple[str, ...],
                 groups: tuple[tuple[str, ...], ...]) -> bool:
    """Whether `key` at line `row` is meant for the mapping of the key at line `stop`, where the search above it
    stopped, rather than for `meant`'s: the two share a group of `groups`, `key` is no key of `top` beside one at
    the line's start, and no key lined up with `meant` between them shares a group with it."""
    if (left := KEY_LINE.match(lines[stop])) is None or not _one_group(key, left[2], groups) \
            or key in top and not left[1]:
        return False
    return not any(_one_group(key, found[2], groups) for line in lines[stop + 1:row]
                   if (found := KEY_LINE.match(line)) and len(found[1]) == len(meant[1]))


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
        if (key := KEY_LINE.match(lines[i])) is None:
            continue
        if len(key[1]) <= column:
            stop = i
            break
        if meant is None or len(key[1]) < len(meant[1]):
            meant, at, item = key, i, None
        if len(key[1]) == len(meant[1]) and item is None and key[1].find("-") == column:
            item = i
    return stop, meant, at, item


# a key with no value on its line (a comment after it): (indentation and a list item's '- ', key)
_KEY_ALONE = re.compile(r"( *(?:- +)?)(" + KEY_HEAD + r"[^\s:#]*):[ \t]*(?:#.*)?")


def value_at_key_column(e: yaml.MarkedYAMLError, lines: list[str], loads: Callable[[int, str], bool],
                        keys: tuple[str, ...] = (), parses: Callable[[int, str], bool] | None = None) -> str | None:
    """What to write for a key's value on the line under it at the key's own column (`prompt:` over `[neon, city`
    lined up with it), which YAML reads as a new key and finds no ':' after; None otherwise. The line offered is
    the value indented under its key, quoted where it is a text opening with a bracket never closed; None where
    `loads` (line `row` written as given, the text checked as the file is; a slip further on left to the next
    load) refuses both, or where the line reads as a key with its colon left out (one of `keys`, misspelt), what it
    meant not known. `parses`: whether line `row` written as given parses, the file's check aside: where it does
    and `loads` refuses it, the slip is said without a line to write."""
    if e.problem != "could not find expected ':'" or e.context_mark is None or e.context_mark.line >= len(lines):
        return None
    row = e.context_mark.line
    above = written_above(lines, row)
    key = _KEY_ALONE.fullmatch(lines[above]) if above is not None else None
    column = indent_of(lines[row])
    if key is None or len(key[1]) != column or KEY_LINE.match(lines[row]) is not None:
        return None
    value = lines[row].strip()
    indent = " " * (column + 2)
    said = (f"not valid YAML: line {row + 1}, {key[2]}:'s value, is at {key[2]}:'s own column, where YAML reads a "
            f"new key and finds no ':'; a value on the lines under its key is indented deeper than the key")

    if key_like(value, keys):
        # `fsp 30` under `output:`, `sed 3` under `prompt:`: a key misspelt, its colon left out, not a value; indented
        # it may load, as a text no one meant
        return None
    if loads(row, indent + value):
        return AtLine(row + 1, f"{said}: indent it {counted(column + 2, 'space')}: {value}")
    # `[neon, city` under prompt:: a text that opens with a bracket, as _never_closed quotes one a line up
    # (a comment after it, after a space or a tab, stays one: quoted, it went on air)
    bare = key[2] in TEXT_KEYS and value[:1] in "[{" and re.search(r"[ \t]#", value) is None \
        and built_or_none(value) is None
    quoted = flow_yaml(value) if bare else None
    if quoted is not None and loads(row, indent + quoted):
        return AtLine(row + 1, f"{said}: indent it {counted(column + 2, 'space')}, and put the whole text in quotes "
                                f"({key[2]}: takes a text, not a {'list' if value[0] == '[' else 'mapping'}): {quoted}")
    if column > 0 and parses is not None and parses(row, indent + value):
        # `param:` over `stepz`: indented, the map's check refuses it; the indent is still what was left out (a key
        # at column 0, `output:` over a prompt slid out of its preset, takes no such value: not said so)
        return AtLine(row + 1, said)
    return None  # nothing written deeper loads: what the line was meant as is not known here


def key_like(value: str, keys: tuple[str, ...]) -> bool:
    """Whether a line reads as a key with its colon left out: its first word one of `keys` or a misspelling of one
    (`seed 3`, `sed 3`, `fsp 30`), a word alone only where it is one of `keys` or a misspelling 4 letters or more
    long. Any other word followed by text is a value (`neon city at night`, `preset ocean`)."""
    word = re.fullmatch(r"([A-Za-z_][\w-]*)(.*)", value)
    if word is None:
        return False
    alone = re.fullmatch(r"[ \t]*(?:#.*)?", word[2]) is not None
    if not alone and re.match(r"[ \t]+[^\s#]", word[2]) is None:
        return False  # `neon,` or `a:b`: no key written with a space for its colon
    if word[1] in keys:
        return True
    if alone and len(word[1]) < 4:
        return False  # `dog`, `cat`: a word that short is as near a key as any value
    # as near as a key's misspelling is told elsewhere; a two-letter key (do, at) is too short to be misspelt, and a
    # section's name less its s names one of its items (`preset ocean`, a cue's do:), no key
    meant = nearest(word[1], keys, cutoff=0.8)
    return meant is not None and len(meant) > 2 and meant != f"{word[1]}s"
