"""YAML's complaint about a show or map, said in words with the line to write: the finders of each kind of slip are
asked in turn (the first that knows it says it), else YAML's own words with where to look."""
from __future__ import annotations

import re

import yaml

from vcam.control.yamlbrackets import CLOSING, closed_head, quote_closed
from vcam.control.yamlflows import (braces_left_out, flow_gap, flow_item_offered, flow_mended, left_open, line_loads,
                                    mend_loads, wrong_closer)
from vcam.control.yamlindents import (dash_misaligned, deeper_key, first_item_moved, item_misaligned, key_like,
                                      list_after_flow, misaligned, value_at_key_column)
from vcam.control.yamllines import (COLON_SLIPS, KEY_LINE, MAPPING_VALUES, OPENED, TEXT_KEYS, AtLine, code_end,
                                    indent_of, top_key, written_below)
from vcam.control.yamloffers import offer_loads, reads_past
from vcam.control.yamlwrite import built_or_none, flow_yaml


# PyYAML's names for what it was reading, in the words a show's author uses
PLAIN_WORDS = {"quoted scalar": "quoted text (is its closing quote missing?)", "plain scalar": "value",
               "simple key": "key", "block scalar": "block of text (| or >)"}


# a line of `vcam midi learn` copied whole: the message it saw, then the map line to paste (the part meant)
LEARNT = re.compile(r"\s*(?:-\s+)?((?:control_change|note_on|program_change) channel=\d+[^-{]*)(- \{[^}]*\})")


def syntax_error(e: yaml.MarkedYAMLError, line: int, text: str, top: tuple[str, ...] = (),
                 keys: tuple[str, ...] = (), groups: tuple[tuple[str, ...], ...] = (), path: str = "show.yaml") -> str:
    """PyYAML's complaint at `line`, in words, with the fix for the slips a show written by hand makes most: a tab
    (YAML indents with spaces only), a ': ' inside a prompt, a value that starts with @ or `."""
    mark = e.problem_mark
    lines = text.splitlines()
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""

    def moved_loads(moved: str, rows: range) -> bool:
        return mend_loads(moved, rows, path)

    said = (_slip_said(e, here) or _closed_early(e, lines, keys) or _colon_left_out(e, lines, keys)
            or value_at_key_column(e, lines, lambda row, line: line_loads(lines, row, line, keys, path), keys,
                                   lambda row, line: line_loads(lines, row, line, keys, path, checked=False))
            or _dash_unspaced(e, lines, keys, path) or misaligned(e, lines, top, groups) or list_after_flow(e, lines)
            or first_item_moved(e, lines, moved_loads, at_its_key=True) or item_misaligned(e, lines)
            or first_item_moved(e, lines, moved_loads) or dash_misaligned(e, lines)
            or left_open(e, lines, here, keys) or flow_gap(e, lines, keys, path)
            or flow_mended(e, lines, keys) or deeper_key(e, lines, keys)
            or braces_left_out(e, lines, path) or wrong_closer(e, lines) or _value_alone(e, lines, keys)
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


def _problem_said(e: yaml.MarkedYAMLError) -> str | None:
    """YAML's complaint in words with its fix, for those its own words leave the fix of unsaid; None for others."""
    if e.problem in MAPPING_VALUES:
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


def _closed_early(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...] = ()) -> str | None:
    """What to write for a value that opens with a quote or a bracket and goes on after it closes (`prompt: "neon"
    city`, `prompt: [glitch] city`): YAML reads the quoted text or the list alone, then finds more where a key
    should be, said as "did not find expected key"; None for any other complaint, or where the line offered would
    not load (offer_loads)."""
    mark = e.problem_mark
    here = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if e.problem not in ("did not find expected key", "expected <block end>, but found '<scalar>'",
                         "expected <block end>, but found '}'", "expected <block end>, but found ']'"):
        return None
    if (opened := OPENED.match(here)) is None or e.problem_mark is None or e.problem_mark.column <= opened.end(1):
        return None
    key, value = opened[1], opened[2] + opened[3]
    if (head := closed_head(value)) is None:
        return _escaped_head(key, value)
    # ' #' on, after the value's close, is a comment YAML drops: kept in the text offered, it became the prompt's
    extra = re.split(r"[ \t]#", value[len(head):], maxsplit=1)[0].rstrip()
    closing = CLOSING[opened[2]]
    if key not in TEXT_KEYS:
        # a mapping's, a list's or a command's value quoted whole is text it refuses (`defaults: '{seed: 4}}'`,
        # `do: '"preset" a'`); only a stray close after brackets is sure to be a slip
        if opened[2] in "'\"" or re.fullmatch(r"[]}]+", extra) is None \
                or not offer_loads(lines, mark.line, here[:opened.start(2)] + head, mark.line, keys):
            return None
        return (f"not valid YAML: {key}'s value {head} ends at its closing {closing}, and {extra!r} after it is "
                f"one too many; remove it: {key}: {head}")
    if (offered := flow_yaml(head + extra)) is None \
            or not offer_loads(lines, mark.line, here[:opened.start(2)] + offered, mark.line, keys):
        return None
    said = (f"not valid YAML: {key}'s value opens with {opened[2]} and goes on after its closing {closing}, which YAML "
            "reads as the whole value")
    # `"neon" city "rain"`: the quotes inside, `neon" city "rain`, pair round no words: no text held in outer
    # quotes (an apostrophe, `it's`, is no quote)
    q = opened[2]
    paired = q in "'\"" and extra.endswith(q) and q not in re.sub(
        rf"(?<!\S){q}[^{q}]*{q}(?!\w)", "", re.sub(r"(?<=\w)'(?=\w)", "", (head + extra)[1:-1]))
    inner = flow_yaml((head + extra)[1:-1]) if paired else None
    if inner is not None and offer_loads(lines, mark.line, here[:opened.start(2)] + inner, mark.line, keys):
        # `prompt: "a "city" at night"`: quotes round the whole text as well as in it, the outer ones likely YAML's
        # (offered kept, they went on air)
        return (f"{said}; where the outer quotes were YAML's, write {key}: {inner}; where they are the {key}'s own, "
                f"write {key}: {offered}")
    return f"{said}; put the whole text in quotes: {key}: {offered}"


def _escaped_head(key: str, value: str) -> str | None:
    """What to write for a text value whose quotes hold one of YAML's escapes and that goes on after them (`prompt:
    'it''s' neon`): the quotes are YAML's (the escape says so) or the text's, each offered as read; None where the
    value is no such text."""
    found = re.match(r"'(?:[^']|'')*'" if value[0] == "'" else r'"(?:[^"\\]|\\.)*"', value)
    if key not in TEXT_KEYS or value[0] not in "'\"" or found is None:
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


def _dash_unspaced(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...], path: str) -> str | None:
    """What to write for a list item's dash with no space after it (`-name: b`), read as a key '-name' where a list
    item goes, at the complaint's line or the one above it; None where neither is one."""
    row = e.problem_mark.line if e.problem_mark is not None else len(lines)
    for i in (row, row - 1):
        flow = re.fullmatch(r"( *)-([{\[].*)", lines[i]) if 0 <= i < len(lines) else None
        offered = flow_item_offered(lines, i, flow[1], flow[2]) if flow is not None else None
        if flow is None or not reads_past([*lines, ""], i, f"{flow[1]}- {flow[2]}", i) \
                and not offered and quote_closed(flow[2]) is None:
            flow = offered = None  # a '-{' or '-[' that the space after its '-' does not mend: not the slip YAML met
        said = f"not valid YAML: line {i + 1} starts -{flow[2][0]} with no space after its '-'" if flow else ""
        if flow is not None and flow[2][0] == "[":
            # `-[cc, 16]`: with its space, a list, no list of a show or map takes as its item; what the item was
            # meant to be (a control's keys, a cue's `- preset 1`) is not known here
            return AtLine(i + 1, f"{said}; a list item is a '-' and a space, and no list in a show or map takes a "
                                  "list in [...] as its item")
        if offered is not None and not mend_loads("\n".join([*lines[:i], f"{flow[1]}- {offered[0]}", *lines[i + 1:]]),
                                                  range(i, i + 1), path):
            # loads alone, refused beside the others: a name or a cc taken, a file missing (a slip on another line
            # is its own, said at the next load)
            offered = None
        if offered is not None:
            # `-{cc: 16, param: steps}`, a map's entry: read as a text that starts with '-'
            entry, closers = offered
            unclosed = f", and no {closers} closes what it opens" if closers else ""
            if closers[:1] in ("'", '"'):
                unclosed = f", and no {closers[0]} closes the text it opens" + (f" (nor {closers[1:]} what the line "
                                                                                  "opens)" if closers[1:] else "")
            # filed at the line to mend: YAML complains at the line after one whose flow goes on there
            return AtLine(i + 1, f"{said}{unclosed}; a list item is a '-' and a space: write - {entry}")
        if flow is not None:
            # no line that loads to offer (`-{cc: 1, param: blnd}`, a key the next reading names): the slip still said
            return AtLine(i + 1, f"{said}; a list item is a '-' and a space: write a space after the '-'")
        found = re.fullmatch(r"( *)-([A-Za-z_]+):( .*)?", lines[i]) if 0 <= i < len(lines) else None
        if found is None or found[2] not in keys:
            continue
        said = f"not valid YAML: line {i + 1} starts -{found[2]}: with no space after its '-', which YAML reads as a " \
               f"key '-{found[2]}'"
        # `    -prompts:` at the column of the entry's keys, where no '- ' item fits: the key, its '-' a slip
        item, key = f"- {found[2]}:{found[3] or ''}", f"{found[2]}:{found[3] or ''}"
        ended = [*lines, ""]  # the file's end, where a flow left open is said: past the line
        if reads_past(ended, i, found[1] + item, i):
            return f"{said}; a list item is a '-' and a space: write {item}"
        if reads_past(ended, i, found[1] + key, i):
            return f"{said}; no list item goes at its column: write {key}"
        return None
    return None


def _value_alone(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...]) -> str | None:
    """What to say of a value alone on its line where a key goes (`neon city` at column 0 under `output:` or `fps:
    30`, a preset's prompt slid out of it), which YAML reads as a key and finds no ':' after: said at its own line,
    with no line to write, whose key it was meant for not being known here; None for any other complaint, and for a
    line that reads as a key with its colon left out (`fsp 30`)."""
    if e.problem != "could not find expected ':'" or e.context_mark is None or e.context_mark.line >= len(lines):
        return None
    row = e.context_mark.line
    value = lines[row][:code_end(lines[row])].strip()
    word = re.match(r"[A-Za-z_]+", value)
    if indent_of(lines[row]) > 0 or not value or value[0] in "-#{[\"'&*!|>%@" \
            or KEY_LINE.match(lines[row]) is not None or key_like(value, keys) \
            or word is not None and key_like(word[0], keys) \
            or re.match(rf"[A-Za-z_][\w-]*[ \t]*[:{COLON_SLIPS}]", value):
        # a key with its colon's space left out or mistyped (`bias:0.8  # gentle`), or glued to its value
        # (`size640x480`), or a flow or quoted text (`{cc: 2, param: steps}` with its '- ' left out, `"fps" 30`): what
        # it was meant as is not known here, and YAML's words stay; an indented line may be an item with its '- '
        # left out or a prompt running on, and an anchor, alias or tag is YAML's own
        return None
    value = value.replace("\t", "\\t")  # as a text's repr shows it
    shown = value if len(value) <= 40 else f"{value[:37]}..."
    return AtLine(row + 1, f"not valid YAML: line {row + 1} ({shown}) is a value alone on its line, at column "
                           f"{indent_of(lines[row]) + 1}, where YAML reads a key and finds no ':' after it; a value "
                           "goes after its key's ': ' on the key's line, or on the lines under its key, indented "
                           "deeper than the key")


def _colon_left_out(e: yaml.MarkedYAMLError, lines: list[str], keys: tuple[str, ...]) -> str | None:
    """What to write for a key of `keys` written without its colon (`prompt neon city`), said by YAML at the line
    after it as a ':' not found; None for any other complaint."""
    if e.problem == "could not find expected ':'" and e.context_mark is not None:
        row = e.context_mark.line
    elif e.problem in MAPPING_VALUES and e.problem_mark is not None and 0 < e.problem_mark.line < len(lines) \
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
        what, blank = ("text", "TEXT") if key in TEXT_KEYS else ("value", "VALUE")
        return AtLine(row + 1, f"{said}; its {what} is still to write, after a colon and a space: {key}: {blank}")
    # as YAML reads the value: quoted, `name:"7"`, `name = '7'`, it is refused too (`preset 7` selects by position)
    read = built_or_none(f"{key}: {value}") if key == "name" else None
    digits = read["name"].strip() if isinstance(read, dict) and isinstance(read.get("name"), str) else value
    if key == "name" and digits.isdecimal() and top_key(lines, row) == "presets":
        return AtLine(row + 1, f"{said}; a preset's name cannot be a plain number (numbers select presets by "
                                f"position): write name: and a word with it, like name: scene {digits}")
    if (offered := _colon_offered(lines, row, head, key, value)) is None:
        if key in TEXT_KEYS and _BLOCK_HEADER.fullmatch(value):
            # `prompt >-` over no lines of text: a block's header whose text is still to write, not the text '>-'
            return AtLine(row + 1, f"{said}; a text written across lines is {key}: {value} with its lines under "
                                    f"it, indented deeper than {key}:")
        return None
    # filed at the line to mend: YAML complains at the line after it, or after a block's text under it
    return AtLine(row + 1, f"{said}; write {offered}")


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
    written = isinstance(meant, str) and meant == value or type(meant) in (int, float) and key not in TEXT_KEYS \
        and re.fullmatch(r"-?(?:0|[1-9]\d*)(?:\.\d+)?", value) is not None
    # `seed 3 4`: a number and more, a text only where the key takes one
    number_and_more = re.match(r"-?\d", value) is not None and type(meant) not in (int, float)
    tries = [f"{key}: {value}"] if written and not (number_and_more and key not in TEXT_KEYS) else []
    if key in TEXT_KEYS and isinstance(meant, str) and value[:1] in "'\"":
        # `prompt:"neon city"`: quotes round the whole value are YAML's, as they are after a colon and a space
        # (quoted again, '"neon city"', they went on air)
        tries.append(f"{key}: {value}")
    # a comment is no text of the block: under `prompt >-` it would be read as the text, `# c` going on air
    below = written_below(lines, row)
    header = key in TEXT_KEYS and _BLOCK_HEADER.fullmatch(value) is not None
    if header and indent_of(below) > len(head):
        # `prompt >-` over lines indented under it: the header of a text written across them, not a text '>-'
        tries.append(f"{key}: {value}")
    # a header (`|`, `>-`, `|2`) over no lines of text is one whose text is still to write: offered quoted, '|' or
    # '>-' went on air, where no prompt is a lone mark
    if key in TEXT_KEYS and not header and (quoted := flow_yaml({key: value})) is not None:
        tries.append(quoted[1:-1])
    return next((line for line in tries if reads_past(lines, row, head + line, row)), None)
