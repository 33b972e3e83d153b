"""Slips in a show or map file said with the line that mends them: each line offered loads when written in place,
and means what the file meant."""
from __future__ import annotations

import pytest

from vcam.control import yamlloaders
from vcam.control.midimap import load_map
from vcam.control.show import load_show
from vcam.control.yamlproblems import ConfigError


@pytest.fixture(params=["default", "pure-python"])
def loader(request, monkeypatch):
    """Both ways of parsing: libyaml's (where PyYAML has it) and PyYAML's own scanner."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlloaders, "Loader", yamlloaders.PyLoader)
    return request.param


def refused(load, path) -> str:
    """The one problem `load` refuses the file at `path` for."""
    with pytest.raises(ConfigError) as err:
        load(path)
    assert len(err.value.problems) == 1, err.value.problems
    return err.value.problems[0]


def test_an_apostrophe_in_a_controls_text_leaves_its_brace_said_left_open(tmp_path, loader):
    """`-{cc: 32, command: prompt rock 'n roll` was told of its dash alone: the ' of rock 'n roll was read as a quote
    opening, which left the } unseen; written as offered, the map loads with the prompt as meant."""
    path = tmp_path / "mine.yaml"
    path.write_text("name: my nano\ncontrols:\n  - {cc: 0, param: blend}\n  -{cc: 32, command: prompt rock 'n roll\n")
    entry = "{cc: 32, command: prompt rock 'n roll}"
    assert refused(load_map, path) == (f"{path}:4: not valid YAML: line 4 starts -{{ with no space after its '-', and "
                                       f"no }} closes what it opens; a list item is a '-' and a space: write - {entry}")
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: blend}}\n  - {entry}\n")
    assert "rock 'n roll" in repr(load_map(path))


@pytest.mark.parametrize("header", ["|", ">-"])
def test_a_block_headers_colon_left_out_is_said_at_its_own_line(tmp_path, loader, header):
    """`prompt |` over the indented lines of its text was said at the line after them, where YAML stopped, three
    lines past the slip; it is said at the header's line, and written as offered the show loads with its text."""
    path = tmp_path / "show.yaml"
    text = (f"presets:\n  - name: a\n    prompt {header}\n      neon city\n\n      at night\n"
            "  - name: b\n    prompt: y\n")
    path.write_text(text)
    said = refused(load_show, path)
    head = f"{path}:3: not valid YAML: line 3 has no ':' after prompt, and YAML read it as a text where a key goes; "
    assert said == f"{head}write prompt: {header}"
    path.write_text(text.replace(f"prompt {header}", said[len(head) + len("write "):]))
    assert "neon city" in next(iter(load_show(path).presets[0].prompts))


CUE_SHOW = "presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\ncues:\n  - {name: start, do: preset a}\n"


@pytest.mark.parametrize("line, entry", [("  - name: drop, do: next", "{name: drop, do: next}"),
                                         ("  - name: drop, do: preset b  # the chorus",
                                          "{name: drop, do: preset b}  # the chorus")])
def test_a_cue_with_its_keys_on_one_line_is_offered_them_in_braces(tmp_path, loader, line, entry):
    """`- name: drop, do: next` was told of a ': ' inside a value, to quote a prompt or line up a key, as a preset
    written so was offered its braces; written as offered, the show loads with the cue meant."""
    path = tmp_path / "show.yaml"
    path.write_text(f"{CUE_SHOW}{line}\n")
    assert refused(load_show, path) == (f"{path}:6: not valid YAML: a cue's keys on one line go in braces, or YAML "
                                        f"reads the ', ' as part of the first key's value: write - {entry}")
    path.write_text(f"{CUE_SHOW}  - {entry}\n")
    written = load_show(path)
    path.write_text(f"{CUE_SHOW}  - {{{line.split('- ', 1)[1].split('  #')[0]}}}\n")
    assert written == load_show(path)


def test_a_cue_on_one_line_refused_in_braces_is_still_offered_no_line(tmp_path, loader):
    """A guard, not a change: a cue whose keys braced are refused (a preset it names missing) is offered no line
    that is refused next, as before cues were offered their braces."""
    path = tmp_path / "show.yaml"
    path.write_text(f"{CUE_SHOW}  - name: drop, do: preset zz\n")
    assert "write - {" not in refused(load_show, path)


@pytest.mark.parametrize("value, offered", [
    ("[neon, city", "indent it 6 spaces, and put the whole text in quotes (prompt: takes a text, not a list): "
                    "'[neon, city'"),
    ("neon, city", "indent it 6 spaces: neon, city")])
def test_a_value_at_its_keys_own_column_is_said_with_its_indent(tmp_path, loader, value, offered):
    """`    [neon, city` under `    prompt:`, at its column, was told YAML's words (could not find expected ':') and
    to check indentation, quotes and brackets; it is told the value goes deeper, and written as offered the show
    loads with the prompt as written."""
    path = tmp_path / "show.yaml"
    text = f"presets:\n  - name: a\n    prompt:\n    {value}\n  - name: b\n    prompt: y\n"
    path.write_text(text)
    said = refused(load_show, path)
    assert said == (f"{path}:4: not valid YAML: line 4, prompt:'s value, is at prompt:'s own column, where YAML reads "
                    f"a new key and finds no ':'; a value on the lines under its key is indented deeper than the key: "
                    f"{offered}")
    path.write_text(text.replace(f"    {value}\n", f"      {said.rsplit(': ', 1)[1]}\n"))
    assert load_show(path).presets[0].prompts == {value: 1.0}


# (each stays as YAML says it: the line no value a user meant, nothing written deeper loads, or a tab)
@pytest.mark.parametrize("text, said", [
    # a key misspelt with its colon left out: indented, it loads as output:'s value, or a prompt no one meant
    ("name: show\ndefaults:\n  seed: 3\noutput:\nfsp 30\npresets:\n  - {name: a, prompt: x}\n",
     "6: not valid YAML (could not find expected ':'; the key started on line 5)"),
    ("presets:\n  - name: a\n    prompt:\n    sed 3\n  - name: b\n    prompt: y\n",
     "5: not valid YAML (could not find expected ':'; the key started on line 4)"),
    # nothing indented loads: the line is no value of fallback:
    ("presets:\n  - name: a\n    prompt: x\n    fallback:\n    sed 3\n",
     "6: not valid YAML (could not find expected ':'; the key started on line 5)"),
    # a comment after a tab: libyaml says the key, PyYAML's own scanner the tab
    ("presets:\n  - name: a\n    prompt:\n    [neon, city\t# warm\n  - name: b\n    prompt: y\n",
     ("5: not valid YAML (could not find expected ':'; the key started on line 4)",
      "4: a tab character (column 16) where YAML allows only spaces; indent with spaces (set the editor to insert "
      "spaces for the Tab key)")),
])
def test_a_line_at_a_keys_column_not_known_as_its_value_stays_told_in_yamls_words(tmp_path, loader, text, said):
    """A guard: a line under a key at its column that, indented, loads only as something no one meant (a list for a
    text, a key misspelt read as a text) or not at all is told as YAML says it, with no line to write."""
    path = tmp_path / "show.yaml"
    path.write_text(text)
    said = said[loader == "pure-python"] if isinstance(said, tuple) else said
    assert refused(load_show, path) == f"{path}:{said}" + ("" if "tab" in said else
                                                           "; check indentation, quotes and brackets")


def test_a_dash_at_the_keys_column_under_a_list_stays_told_to_line_up_with_the_dash_above(tmp_path, loader):
    """A guard: items after the first indented as its keys are told to line up with the first item's '- ', the
    lines under each with them."""
    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - name: a\n    prompt: x\n    - name: b\n      prompt: y\n    - name: c\n"
                    "      prompt: z\n")
    assert refused(load_show, path) == (
        f"{path}:4: not valid YAML: this '- ' is indented 4 spaces, as the keys of the entry above it are, and YAML "
        "read it inside that entry; a new entry's '- ' lines up with the '- ' of line 2: indent it 2 spaces, and "
        "line 5, under it, with it: 2 spaces less")


_OCEAN = "presets:\n  - {name: ocean, prompt: x}\n"


@pytest.mark.parametrize("text, row, key, meant", [
    ("presets:\n  - name: a\n    prompt:\n    neon city at night\n", 4, "prompt",
     "presets:\n  - name: a\n    prompt: neon city at night\n"),
    ("presets:\n  - name:\n    neon city\n    prompt: x\n", 3, "name",
     "presets:\n  - name: neon city\n    prompt: x\n"),
    ("presets:\n  - name: a\n    prompts:\n      - text:\n        neon city\n        weight: 2\n", 5, "text",
     "presets:\n  - name: a\n    prompts:\n      - text: neon city\n        weight: 2\n"),
    (_OCEAN + "cues:\n  - name: a\n    do:\n    preset ocean\n", 6, "do",
     _OCEAN + "cues:\n  - name: a\n    do: preset ocean\n"),
    # a word as near a key as `dog` is to do: is a value
    (_OCEAN + "cues:\n  - name: a\n    do:\n    next\n", 6, "do", _OCEAN + "cues:\n  - name: a\n    do: next\n"),
])
def test_a_value_of_words_at_its_keys_column_is_offered_indented(tmp_path, loader, text, row, key, meant):
    """A value of words (a name, a prompt, a cue's command) on the line under its key at the key's column was told
    in YAML's words, read as a key with its colon left out; it is offered indented, and pasted in, the show is the
    one meant."""
    path = tmp_path / "show.yaml"
    path.write_text(meant)
    wanted = load_show(path)
    path.write_text(text)
    lines = text.splitlines()
    column = len(lines[row - 1]) - len(lines[row - 1].lstrip(" "))
    value = lines[row - 1].strip()
    assert refused(load_show, path) == (
        f"{path}:{row}: not valid YAML: line {row}, {key}:'s value, is at {key}:'s own column, where YAML reads a new "
        f"key and finds no ':'; a value on the lines under its key is indented deeper than the key: indent it "
        f"{column + 2} spaces: {value}")
    lines[row - 1] = " " * (column + 2) + value
    path.write_text("\n".join(lines) + "\n")
    assert load_show(path) == wanted


def test_a_lists_first_item_moved_left_names_no_blank_line_under_it(tmp_path, loader):
    """A blank line among those under the first item was named as one to move ("lines 3 and 4", line 3 blank); the
    lines with YAML on them are named."""
    path = tmp_path / "show.yaml"
    path.write_text("presets:\n - name: a\n\n   prompt: x\n  - name: b\n    prompt: y\n  - name: c\n"
                    "    prompt: z\n")
    assert refused(load_show, path).endswith("indent line 2 2 spaces, and line 4, under it, with it: 1 space further "
                                             "in")


# (a first '- ' at its key's own column, the items after it indented as its keys, was told as those items moved,
# one per load)
@pytest.mark.parametrize("first, indent", [(" - name: a\n   prompt: x\n", 1), ("- name: a\n  prompt: x\n", 0)])
def test_a_lists_first_item_moved_left_is_told_its_own_move_once(tmp_path, loader, first, indent):
    """The first preset's '- ' left of the others' was offered the second one moved to it, then at the next load the
    third, one per load; it is told the first item's move, and made as told, the show loads."""
    path = tmp_path / "show.yaml"
    rest = "  - name: b\n    prompt: y\n  - name: c\n    prompt: z\n"
    path.write_text(f"presets:\n{first}{rest}")
    shift = 2 - indent
    assert refused(load_show, path) == (
        f"{path}:2: not valid YAML: the first '- ' of this list is indented {indent} space{'s' * (indent != 1)} and "
        f"the 2 items after it 2 (from line 4): the items of one list line up; indent line 2 2 spaces, and line 3, "
        f"under it, with it: {shift} space{'s' * (shift != 1)} further in")
    moved = "".join(" " * shift + line + "\n" for line in first.splitlines())
    path.write_text(f"presets:\n{moved}{rest}")
    assert [p.name for p in load_show(path).presets] == ["a", "b", "c"]


@pytest.mark.parametrize("first", ["  - name: a\n    prompt: x\n", "   - name: a\n     prompt: x\n"])
def test_a_lists_first_item_deeper_than_the_items_at_its_keys_column_is_told_its_own_move_once(tmp_path, loader,
                                                                                             first):
    """The first preset indented, the others at presets:'s own column, was offered the second moved to it, then at
    the next load the third, one per load; it is told the first item's move, and made as told, the show loads."""
    path = tmp_path / "show.yaml"
    rest = "- name: b\n  prompt: y\n- name: c\n  prompt: z\ncues: []\n"
    path.write_text(f"presets:\n{first}{rest}")
    indent = len(first) - len(first.lstrip(" "))
    assert refused(load_show, path) == (
        f"{path}:2: not valid YAML: the first '- ' of this list is indented {indent} spaces and the 2 items after it "
        f"0 (from line 4): the items of one list line up; indent line 2 0 spaces, and line 3, under it, with it: "
        f"{indent} spaces less")
    moved = "".join(line[indent:] + "\n" for line in first.splitlines())
    path.write_text(f"presets:\n{moved}{rest}")
    assert [p.name for p in load_show(path).presets] == ["a", "b", "c"]


def test_an_items_lines_moved_with_it_are_named_as_those_with_yaml_on_them(tmp_path, loader):
    """A '- ' item moved with the lines under it named a blank line among them, and two lines as a range ("lines 5
    to 6"); the lines with YAML on them are named, two as two."""
    path = tmp_path / "show.yaml"
    head = "presets:\n  - name: a\n    prompt: x\n - name: b\n"
    path.write_text(f"{head}   prompt: y\n   seed: 3\n  - name: c\n    prompt: z\n")
    assert refused(load_show, path).endswith("indent it 2 spaces as well, and lines 5 and 6, under it, with it: each "
                                             "1 space further in")
    path.write_text("presets:\n  - name: a\n    prompt: x\n  - name: b\n    prompt: y\n    seed: 3\n"
                    "  - name: c\n    prompt: z\n")
    assert [(p.name, p.seed) for p in load_show(path).presets][:2] == [("a", None), ("b", 3)]
    path.write_text(f"{head}\n   prompt: y\n  - name: c\n    prompt: z\n")
    assert refused(load_show, path).endswith("indent it 2 spaces as well, and line 6, under it, with it: 1 space "
                                             "further in")
    path.write_text(f"{head}   prompt: y\n\n   seed: 3\n")
    assert refused(load_show, path).endswith("indent it 2 spaces as well, and lines 5 and 7, under it, with it: each "
                                             "1 space further in")
    path.write_text("presets:\n  - name: a\n    prompt: x\n  - name: b\n    prompt: y\n\n    seed: 3\n")
    assert [(p.name, p.seed) for p in load_show(path).presets] == [("a", None), ("b", 3)]


def test_a_lists_first_entry_in_braces_moved_left_is_told_to_move_that_line_alone(tmp_path, loader):
    """The first of presets in braces moved left was offered the second moved to it, then the third; it is told to
    move its own line, and no lines under it (the next entries' own)."""
    path = tmp_path / "show.yaml"
    rest = "  - {name: b, prompt: y}\n  - {name: c, prompt: z}\n"
    path.write_text(f"presets:\n - {{name: a, prompt: x}}\n{rest}")
    assert refused(load_show, path) == (
        f"{path}:2: not valid YAML: the first '- ' of this list is indented 1 space and the 2 items after it 2 (from "
        "line 3): the items of one list line up; indent line 2 2 spaces")
    path.write_text(f"presets:\n  - {{name: a, prompt: x}}\n{rest}")
    assert [p.name for p in load_show(path).presets] == ["a", "b", "c"]


def test_a_lists_first_item_moved_left_with_two_lines_under_it_names_both(tmp_path, loader):
    """Two lines under the first item were told as a range, "lines 3 to 4"; they are named as two."""
    path = tmp_path / "show.yaml"
    path.write_text("presets:\n - name: a\n   prompt: x\n   seed: 3\n  - name: b\n    prompt: y\n  - name: c\n"
                    "    prompt: z\n")
    assert refused(load_show, path).endswith("indent line 2 2 spaces, and lines 3 and 4, under it, with it: each "
                                             "1 space further in")


@pytest.mark.parametrize("written, offered", [
    # an apostrophe in a word read as a quote opening: the braces offered ran on into the next entry's
    ("presets: [{name: it's, prompt: \"x\" seed: 3}, {name: b's, prompt: y}]\n",
     "{name: it's, prompt: \"x\", seed: 3}"),
    ("presets:\n  - {name: a, prompts: [{text: it's, weight: 2}, {text: \"b\" weight: 1}, {text: c'd}]}\n",
     "{text: \"b\", weight: 1}"),
    ("presets:\n  - {name: it's, prompt: \"neon\" seed: 3}\n", "{name: it's, prompt: \"neon\", seed: 3}"),
    # refused with its comma (`prompt: neon: city`): the slip said, no braces offered
    ("presets:\n  - {name: \"a\" prompt: neon: city}\n", None),
])
def test_a_comma_left_out_after_a_quoted_value_offers_the_braces_that_hold_it_only(tmp_path, loader, written,
                                                                                  offered):
    """The braces offered for a comma left out after a quoted value paired an apostrophe (`it's`) with the next
    one, offering two entries as one, or none; and a line refused as written was offered. The braces offered are
    those that hold the comma, and pasted in place of the ones written, the show loads."""
    path = tmp_path / "show.yaml"
    path.write_text(written)
    problem = refused(load_show, path)
    assert "a comma separates keys: write a comma before" in problem, problem
    if offered is None:
        assert ", as in" not in problem, problem
        return
    assert problem.endswith(f", as in {offered}"), problem
    written_braces = offered.replace(", seed", " seed").replace(", weight", " weight")
    assert written_braces in written
    path.write_text(written.replace(written_braces, offered))
    load_show(path)


@pytest.mark.parametrize("first, offered, prompt", [
    ("neon city", "neon city", "neon city"),
    ("[neon, city", "'[neon, city'", "[neon, city"),
])
def test_two_values_at_their_keys_column_are_told_one_per_load_each_with_a_line_that_loads(tmp_path, loader, first,
                                                                                           offered, prompt):
    """Two prompts each on the line under prompt: at its column were told in YAML's words, no line offered: the line
    offered for the first was refused for the second slip. The first is told with its line, the second at the next
    load, and mended as told, the show is the one meant."""
    path = tmp_path / "show.yaml"
    lines = ["presets:", "  - name: a", "    prompt:", f"    {first}", "  - name: b", "    prompt:", "    dusk forest"]
    path.write_text("\n".join(lines) + "\n")
    said = refused(load_show, path)
    assert said.startswith(f"{path}:4: not valid YAML: line 4, prompt:'s value, is at prompt:'s own column"), said
    assert said.endswith(f": {offered}"), said
    lines[3] = f"      {offered}"
    path.write_text("\n".join(lines) + "\n")
    assert refused(load_show, path).endswith("indent it 6 spaces: dusk forest")
    lines[6] = "      dusk forest"
    path.write_text("\n".join(lines) + "\n")
    assert [p.prompts for p in load_show(path).presets] == [{prompt: 1.0}, {"dusk forest": 1.0}]


def test_a_first_item_at_its_keys_column_with_a_list_under_it_is_told_its_own_move(tmp_path, loader):
    """The first preset at presets:'s own column, its prompts: list under it, and the presets after it indented: the
    first item's move is told (lines under it with it), not the prompts' list moved to line up with the presets,
    which read the presets as texts."""
    path = tmp_path / "show.yaml"
    rest = "  - name: b\n    prompt: y\n  - name: c\n    prompt: z\n"
    path.write_text(f"presets:\n- name: a\n  prompts:\n    - text: x\n{rest}")
    assert refused(load_show, path) == (
        f"{path}:2: not valid YAML: the first '- ' of this list is indented 0 spaces and the 2 items after it 2 (from "
        "line 5): the items of one list line up; indent line 2 2 spaces, and lines 3 and 4, under it, with it: each "
        "2 spaces further in")
    path.write_text(f"presets:\n  - name: a\n    prompts:\n      - text: x\n{rest}")
    assert [p.name for p in load_show(path).presets] == ["a", "b", "c"]


@pytest.mark.parametrize("head, rest, mended, said", [
    # the braces for a comma left out were offered so before any check of the mended file: guards, kept offered
    pytest.param('presets:\n  - {name: "a" prompt: neon}\n', '  - {name: "a", prompt: x}\n',
                 'presets:\n  - {name: "a", prompt: neon}\n',
                 '2: not valid YAML: in {...} a comma separates keys: write a comma before prompt:, as in '
                 '{name: "a", prompt: neon}', id="braces-as-ever-name-taken-below"),
    pytest.param('presets:\n  - name: a\n    prompt: x\n  - {name: b, prompt: "y" seed: 3}\n',
                 '  - name: c\n    promt: z\n',
                 'presets:\n  - name: a\n    prompt: x\n  - {name: b, prompt: "y", seed: 3}\n',
                 '4: not valid YAML: in {...} a comma separates keys: write a comma before seed:, as in '
                 '{name: b, prompt: "y", seed: 3}', id="braces-as-ever-key-misspelt-below"),
    ('presets:\n  - name: a\n    prompt:\n    neon city\n', '  - name: b\n    promt: y\n',
     'presets:\n  - name: a\n    prompt:\n      neon city\n',
     "4: not valid YAML: line 4, prompt:'s value, is at prompt:'s own column, where YAML reads a new key and finds no "
     "':'; a value on the lines under its key is indented deeper than the key: indent it 6 spaces: neon city"),
])
def test_a_line_offered_is_kept_where_a_slip_on_another_line_is_its_own(tmp_path, loader, head, rest, mended, said):
    """A line that mends its slip was left unsaid, or YAML's words said a line late, where the file mended still had
    a slip of its own further on (a name taken twice, a key misspelt); written as offered, the file is refused for
    that slip alone, at its own line."""
    path = tmp_path / "show.yaml"
    path.write_text(head + rest)
    assert refused(load_show, path) == f"{path}:{said}"
    path.write_text(mended + rest)
    # the slip left, the file's last line (a name taken again, a key misspelt), is said there alone
    assert refused(load_show, path).startswith(f"{path}:{len((mended + rest).splitlines())}: ")


def test_a_comment_with_a_dash_on_a_lists_key_line_leaves_its_first_items_move_offered(tmp_path, loader):
    """`presets:  # my-list` over a first item deeper than the items after it at the key's column was told one item
    per load, the comment's '-' taken for an item's; the first item is told its move, and moved, the file loads."""
    path = tmp_path / "show.yaml"
    rest = "- name: b\n  prompt: y\n- name: c\n  prompt: z\n"
    path.write_text(f"presets:  # my-list\n  - name: a\n    prompt: x\n{rest}")
    assert refused(load_show, path) == (
        f"{path}:2: not valid YAML: the first '- ' of this list is indented 2 spaces and the 2 items after it 0 (from "
        "line 4): the items of one list line up; indent line 2 0 spaces, and line 3, under it, with it: 2 spaces less")
    path.write_text(f"presets:  # my-list\n- name: a\n  prompt: x\n{rest}")
    assert [p.name for p in load_show(path).presets] == ["a", "b", "c"]


def test_a_first_items_move_is_offered_where_a_later_item_of_its_list_holds_a_slip_of_its_own(tmp_path, loader):
    """An OSC map's first item at the key's column, the items after it indented, and a colon left out in the last:
    told one item per load, the last item's slip taken for the move's; the move is told, and made, the last item's
    slip is said alone, at its own line."""
    from vcam.control.oscmap import load_map as load_osc_map

    path = tmp_path / "osc.yaml"
    rest = "  - {address: /b, param: strength}\n  - {address: /c, param: seed}\n  - {address /d, param: blend}\n"
    path.write_text(f"controls:\n- {{address: /a, param: blend}}\n{rest}")
    assert refused(load_osc_map, path) == (
        f"{path}:2: not valid YAML: the first '- ' of this list is indented 0 spaces and the 3 items after it 2 (from "
        "line 3): the items of one list line up; indent line 2 2 spaces")
    path.write_text(f"controls:\n  - {{address: /a, param: blend}}\n{rest}")
    with pytest.raises(ConfigError) as err:
        load_osc_map(path)
    assert all(problem.startswith(f"{path}:5: ") for problem in err.value.problems), err.value.problems


def test_a_first_items_move_is_offered_where_a_map_the_show_names_has_a_slip_at_the_same_line(tmp_path, loader):
    """A problem at line 2 of the MIDI map a show names was taken for one at the show's line 2, the first preset's
    move left unsaid (one item per load); the move is told, and made, the map's slip is said alone."""
    (tmp_path / "m.yaml").write_text("controls:\n  - {cc: 1, command: nxt}\n")
    path = tmp_path / "show.yaml"
    rest = "  - {name: b, prompt: y}\n  - {name: c, prompt: z}\nmidi:\n  map: m.yaml\n"
    path.write_text(f"presets:\n - {{name: a, prompt: x}}\n{rest}")
    assert refused(load_show, path) == (
        f"{path}:2: not valid YAML: the first '- ' of this list is indented 1 space and the 2 items after it 2 (from "
        "line 3): the items of one list line up; indent line 2 2 spaces")
    path.write_text(f"presets:\n  - {{name: a, prompt: x}}\n{rest}")
    assert refused(load_show, path).startswith(f"{tmp_path / 'm.yaml'}:2: ")


@pytest.mark.parametrize("head, rest, slip", [
    ('presets:\n  - {name: "a" input: nothere.mp4}\n', "", "2: "),
    ('presets:\n  - name: a\n    prompt: x\n  - {name: "a" prompt: y}\n', "", "4: "),
    ('presets:\n  - {name: "a" prompt: neon}\n', "midi:\n  map: m.yaml\n", None),
])
def test_braces_for_a_comma_left_out_are_offered_where_the_line_holds_a_slip_of_its_own(tmp_path, loader, head,
                                                                                         rest, slip):
    """A comma left out between two keys, the line also naming a file not there or a name taken above (or the show
    naming a map with a slip at the same line number): the braces were left unsaid; they are offered, and written as
    offered, the slip left is said at its own line."""
    (tmp_path / "m.yaml").write_text("controls:\n  - {cc: 1, command: nxt}\n")
    path = tmp_path / "show.yaml"
    path.write_text(head + rest)
    key = "input" if "input" in head else "prompt"
    mended = head.replace('"a" ', '"a", ')
    braces = mended.splitlines()[-1].split("- ", 1)[1]
    assert refused(load_show, path) == (
        f"{path}:{len(head.splitlines())}: not valid YAML: in {{...}} a comma separates keys: write a comma before "
        f"{key}:, as in {braces}")
    path.write_text(mended + rest)
    with pytest.raises(ConfigError) as err:
        load_show(path)
    where = f"{path}:{slip}" if slip else f"{tmp_path / 'm.yaml'}:2: "
    assert all(problem.startswith(where) for problem in err.value.problems), err.value.problems


@pytest.mark.parametrize("text, entry", [
    ("presets:\n  - name: neon, prompt: city\n  - name: b\n    promt: y\n", "{name: neon, prompt: city}"),
    ("presets:\n  - {name: a, prompt: x}\ncues:\n  - name: drop, do: preset a\n  - {name: up, do: nxt}\n",
     "{name: drop, do: preset a}"),
])
def test_a_preset_or_cue_without_its_braces_is_offered_them_beside_a_slip_on_another_line(tmp_path, loader, text,
                                                                                        entry):
    """A preset's or a cue's keys on one line without their braces, a key misspelt or a command unknown in another
    entry: the braces were left unsaid (YAML's ': ' words instead); they are offered, and written as offered, the
    slip left is said at its own line."""
    path = tmp_path / "show.yaml"
    path.write_text(text)
    said = refused(load_show, path)
    assert said == (f"{path}:{text.splitlines().index(next(l for l in text.splitlines() if entry[1:-1] in l)) + 1}: "
                    f"not valid YAML: a {'cue' if 'do:' in entry else 'preset'}'s keys on one line go in braces, or "
                    f"YAML reads the ', ' as part of the first key's value: write - {entry}")
    path.write_text(text.replace(entry[1:-1], entry))
    slip = refused(load_show, path)
    assert slip.startswith(f"{path}:{len(text.splitlines())}: "), slip


def test_a_dash_without_its_space_is_offered_its_item_beside_a_slip_on_another_line(tmp_path, loader):
    """`-{cc: 16, param: blend}`, a param misspelt in the next control: the dash was told without a line to write;
    the item is offered, and written as offered, the misspelling is said at its own line."""
    path = tmp_path / "mine.yaml"
    text = "name: m\ncontrols:\n  -{cc: 16, param: blend}\n  - {cc: 17, param: blnd}\n"
    path.write_text(text)
    assert refused(load_map, path) == (f"{path}:3: not valid YAML: line 3 starts -{{ with no space after its '-'; a "
                                       "list item is a '-' and a space: write - {cc: 16, param: blend}")
    path.write_text(text.replace("-{", "- {"))
    assert refused(load_map, path).startswith(f"{path}:4: ")


def test_a_value_at_its_keys_column_in_a_map_is_offered_no_line_the_map_refuses(tmp_path, loader):
    """`command:` over `nxt` lined up with it: the map was offered `      nxt`, a command refused as soon as it was
    written; no line is offered that the map's check refuses at that line."""
    path = tmp_path / "mine.yaml"
    path.write_text("controls:\n  - cc: 1\n    command:\n    nxt\n")
    assert refused(load_map, path) == (f"{path}:4: not valid YAML: line 4, command:'s value, is at command:'s own "
                                       "column, where YAML reads a new key and finds no ':'; a value on the lines "
                                       "under its key is indented deeper than the key")


@pytest.mark.parametrize("key", ["output:", "fps: 30"])
def test_a_prompt_slid_out_to_column_0_under_a_key_is_said_at_its_own_line(tmp_path, loader, key):
    """`neon city`, a preset's prompt, at column 0 under `output:` or `fps: 30`: said in YAML's own words ("could
    not find expected ':'") at the line after it; it is said at its own line, with no line to write (indented under
    output: it is refused as no mapping)."""
    path = tmp_path / "show.yaml"
    path.write_text(f"presets:\n  - name: a\n    prompt:\n{key}\nneon city\n")
    assert refused(load_show, path) == (
        f"{path}:5: not valid YAML: line 5 (neon city) is a value alone on its line, at column 1, where YAML reads a "
        "key and finds no ':' after it; a value goes after its key's ': ' on the key's line, or on the lines under "
        "its key, indented deeper than the key")


@pytest.mark.parametrize("line", ["  bias:0.8   # gentle", "  bias\uff1a0.8   # gentle"])
def test_a_key_with_its_colons_space_left_out_is_not_said_as_a_value_alone(loader, line):
    """A guard: `bias:0.8` with a comment after it, a key whose ': ' is mistyped, is no value alone on its line."""
    from vcam.control.show import parse_show

    with pytest.raises(ConfigError) as err:
        parse_show(f"defaults:\n  seed: 3\n{line}\npresets:\n  - {{name: a, prompt: x}}\n", "show.yaml")
    assert "value alone" not in err.value.problems[0]


@pytest.mark.parametrize("text, key", [
    ("controls:\n  - cc: 1\n    param:\n    stepz\n", "param"),
    ("presets:\n  - name: a\n    prompt:\n    [neon, city]\n", "prompt"),
])
def test_a_value_at_its_keys_column_refused_indented_is_said_at_its_keys_column_without_a_line(tmp_path, loader, text,
                                                                                            key):
    """`param:` over `stepz` lined up with it, a param the map refuses indented: said at param:'s own column, with
    no line to write (an indented line would be refused)."""
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    load = load_map if key == "param" else load_show
    assert refused(load, path) == (f"{path}:4: not valid YAML: line 4, {key}:'s value, is at {key}:'s own column, "
                                   "where YAML reads a new key and finds no ':'; a value on the lines under its key "
                                   "is indented deeper than the key")


@pytest.mark.parametrize("text", [
    # a list's item with its '- ' left out
    "controls:\n  - {cc: 1, param: blend}\n  {cc: 2, param: steps}\n",
    "presets:\n  - {name: a, prompt: x}\n  [1, 2]\n",
    "presets:\n  - {name: a, prompt: x}\n  {a: 1}\n",
    # a key quoted, or glued to its value, its colon left out
    "controls:\n  - cc: 1\n    param: blend\n    \"cc\" 2\n",
    "output:\n  fps: 30\n  size640x480\npresets:\n  - {name: a, prompt: x}\n",
    # an indented line: an item with its '- ' left out, or a prompt running on
    "cues:\n  - name: a\n    do: preset a\n  go now\npresets:\n  - {name: a, prompt: x}\n",
    "presets:\n  - name: a\n    prompt: x\n  neon city\n",
    # an anchor, alias or tag at column 0
    "output:\n  fps: 30\n&neon city\npresets:\n  - {name: a, prompt: x}\n",
    "output:\n  fps: 30\n*neon\npresets:\n  - {name: a, prompt: x}\n",
    "output:\n  fps: 30\n!neon city\npresets:\n  - {name: a, prompt: x}\n",
])
def test_a_flow_quoted_or_glued_key_is_not_said_as_a_value_alone(tmp_path, loader, text):
    """An item with its '- ' left out (`{cc: 2, param: steps}`, `  go now`), a key quoted or glued to its value
    (`"cc" 2`, `size640x480`), an anchor or tag at column 0 were told a value goes after its key's ': '; they stay in
    YAML's words."""
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    said = refused(load_map if text.startswith("controls") else load_show, path)
    assert "value alone" not in said and "could not find expected ':'" in said, said


@pytest.mark.parametrize("line, shown", [("neon city   # a comment", "neon city"), ("neon\tcity", "neon\\tcity")])
def test_a_value_alone_is_shown_without_its_comment_and_its_tab_as_written(tmp_path, loader, line, shown):
    """`neon city # a comment` slid out to column 0: the value was shown with its comment, and a tab raw."""
    path = tmp_path / "show.yaml"
    path.write_text(f"presets:\n  - name: a\n    prompt:\noutput:\n{line}\n")
    alone = (f"{path}:5: not valid YAML: line 5 ({shown}) is a value alone on its line, at column 1, where YAML "
             "reads a key and finds no ':' after it; a value goes after its key's ': ' on the key's line, or on the "
             "lines under its key, indented deeper than the key")
    tab = (f"{path}:5: a tab character (column 5) where YAML allows only spaces; indent with spaces (set the editor "
           "to insert spaces for the Tab key)")
    # PyYAML's own scanner says the tab
    assert refused(load_show, path) == (tab if "\t" in line and loader == "pure-python" else alone)
