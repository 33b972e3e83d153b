"""Show files and MIDI maps far past what anyone writes by hand (too big, too deep, too many values, aliases that
repeat a list thousands of times) get one file:line error from `vcam check` and from a hot reload, without
recursing or reading them whole."""
import os
import re
import threading
from pathlib import Path

import pytest
import yaml

from vcam.control import yamlloaders
from vcam.control.midimap import load_map
from vcam.control.show import Preset, Show, load_show, parse_show
from vcam.control.yamlfiles import MAX_BYTES
from vcam.control.yamlloaders import MAX_DEPTH, MAX_NODES
from vcam.control.yamlproblems import MAX_PROBLEMS, ConfigError
from vcam.control.yamlwrite import flow_yaml
from vcam.words import counted

DEEP = "presets: " + "[" * 5000 + "]" * 5000 + "\n"  # 10 kB
BLOCK_DEEP = "".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 10)) + " " * (MAX_DEPTH + 10) + "x\n"
PRESET = "  - {name: p%d, prompt: a slow drift through a neon city at night with rain on the asphalt}\n"


def big_show(size: int) -> str:
    """A valid show of `size` bytes or a little more: presets, one a line."""
    lines = ["presets:\n"]
    total, i = 0, 0
    while total < size:
        lines.append(PRESET % i)
        total += len(lines[-1])
        i += 1
    return "".join(lines)


@pytest.fixture(params=["default", "pure-python"])
def loader(request, monkeypatch):
    """Both ways of parsing: libyaml's (where PyYAML has it) and PyYAML's own scanner."""
    if request.param == "pure-python":
        monkeypatch.setattr(yamlloaders, "Loader", yamlloaders.PyLoader)
    return request.param


def only_problem(err) -> str:
    assert len(err.value.problems) == 1, err.value.problems
    return err.value.problems[0]


def show_problems(path) -> list[str]:
    """What loading the show file at `path` refuses it for."""
    with pytest.raises(ConfigError) as err:
        load_show(path)
    return err.value.problems


def utf16_unmarked(path, encoding: str) -> str:
    """The line for a show saved as UTF-16 without its byte order mark."""
    return (f"{path}:1: the file is UTF-16 text, not UTF-8 (every other byte is 0); save it as UTF-8 (in the "
            f"editor's Save As, or: iconv -f {encoding} -t utf-8 FILE > NEW.yaml)")


def control_character(path, line: int, column: int) -> str:
    """The line for an ESC pasted into a show."""
    return (f"{path}:{line}: a control character (U+001B, column {column}) that YAML does not allow; delete it (a "
            "paste from a terminal or a word processor can bring one)")


@pytest.mark.parametrize("text,line", [(DEEP, 1), (BLOCK_DEEP, MAX_DEPTH + 1), ("- " * 5000 + "x\n", 1)])
def test_a_show_nested_too_deep_is_one_error_at_its_line(loader, text, line):
    with pytest.raises(ConfigError) as err:  # it was a RecursionError, with no line, after seconds
        parse_show(text, "shows/deep.yaml")
    problem = only_problem(err)
    assert problem.startswith(f"shows/deep.yaml:{line}: nested more than {MAX_DEPTH} levels deep"), problem


def test_nesting_a_show_needs_is_read():
    inside = "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1)
    with pytest.raises(ConfigError) as err:  # within the limit: read, and refused for what it is
        parse_show(f"presets: {inside}\n", "s.yaml")
    assert "must be a mapping" in err.value.problems[0]


def test_a_show_file_past_the_size_limit_is_refused_at_the_line_that_passes_it(tmp_path, loader):
    text = big_show(3 * MAX_BYTES)  # a valid show of 3 MB: 43 s to check, 30 MB never finished
    path = tmp_path / "big.yaml"
    path.write_text(text)
    line = text.encode()[:MAX_BYTES].count(b"\n") + 1
    with pytest.raises(ConfigError) as err:
        load_show(path)
    assert only_problem(err).startswith(f"{path}:{line}: the file passes 1 MB here"), err.value.problems
    with pytest.raises(ConfigError) as err:  # the text itself, not read from a file
        parse_show(text, "shows/big.yaml")
    assert only_problem(err).startswith(f"shows/big.yaml:{line}: the file passes 1 MB here")


def test_a_show_just_under_the_size_limit_loads():
    text = big_show(MAX_BYTES // 8)
    assert len(parse_show(text, "s.yaml").presets) == text.count("\n") - 1


def test_the_size_limit_is_in_bytes_of_utf8():
    text = "presets:\n  - {name: a, prompt: x}\n# " + "é" * (MAX_BYTES // 2) + "\n"  # under in characters
    with pytest.raises(ConfigError) as err:
        parse_show(text, "s.yaml")
    assert only_problem(err).startswith("s.yaml:3: the file passes 1 MB here")


def test_values_past_the_limit_are_refused_at_the_line_that_passes_it(loader):
    text = "presets:\n" + "  - x\n" * (MAX_NODES + 10)  # 360 kB: under the size limit
    with pytest.raises(ConfigError) as err:
        parse_show(text, "s.yaml")
    # the root mapping, its key and the list are 3 values; the list's items start on line 2
    assert only_problem(err).startswith(f"s.yaml:{MAX_NODES - 3 + 2}: more than {MAX_NODES} values")


def test_aliases_count_each_time_they_repeat_a_list(loader):
    prompts = ", ".join(f"{{text: prompt {i}}}" for i in range(100))
    text = (f"presets:\n  - &a {{name: a, prompts: &p [{prompts}]}}\n"
            + "  - *a\n" * 1000)  # the 100 prompts read a thousand times over (and a cascade of 'already used')
    with pytest.raises(ConfigError) as err:
        parse_show(text, "s.yaml")
    problem = only_problem(err)
    size = 5 + 100 * 3  # the preset: its mapping, name: a, the prompts key, the list of 100 {text: …}
    assert problem.startswith(f"s.yaml:{2 + (MAX_NODES - 3 - size) // size + 1}: more than {MAX_NODES} values"), \
        problem


def test_an_alias_inside_its_own_anchor_is_no_loop():
    with pytest.raises(ConfigError) as err:
        parse_show("presets: &a [*a]\n", "s.yaml")
    assert "must be a mapping" in err.value.problems[0]


def test_a_few_aliases_are_fine():
    show = parse_show("presets:\n  - {name: a, prompts: &p [{text: x}, {text: y}]}\n  - {name: b, prompts: *p}\n",
                      "s.yaml")
    assert show.presets[1].prompts == {"x": 1.0, "y": 1.0}


def test_reading_stops_after_so_many_problems():
    text = "presets:\n" + "  - {name: a, promt: x}\n" * 1000
    with pytest.raises(ConfigError) as err:
        parse_show(text, "s.yaml")
    problems = err.value.problems
    assert len(problems) == MAX_PROBLEMS + 1, problems[-3:]
    assert f"stopped reading after {MAX_PROBLEMS} problems" in problems[-1]


def test_finding_a_preset_by_name_does_not_go_through_them_all():
    """Checking a map's references looked every control's presets up one by one: 12,000 buttons and presets in
    0.8 MB took 35 s."""
    calls = [0]

    class Name(str):
        def lower(self):
            calls[0] += 1
            return super().lower()

    n = 2000
    show = Show("s.yaml", "s", tuple(Preset(Name(f"P{i}"), {"x": 1.0}) for i in range(n)))
    assert [show.find(f"p{i}") for i in range(n)] == list(range(n))
    assert calls[0] <= n  # once each, not once per look-up


# --- MIDI maps ----------------------------------------------------------------------------------------------------

def test_a_midi_map_too_big_or_too_deep_is_one_error_at_its_line(tmp_path, loader):
    huge = tmp_path / "huge.yaml"
    text = "controls:\n" + "  - {cc: 1, param: blend}\n" * (3 * MAX_BYTES // 26)
    huge.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_map(huge)
    line = text.encode()[:MAX_BYTES].count(b"\n") + 1
    assert only_problem(err).startswith(f"{huge}:{line}: the file passes 1 MB here")
    deep = tmp_path / "deep.yaml"
    deep.write_text("controls: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError) as err:
        load_map(deep)
    assert only_problem(err).startswith(f"{deep}:1: nested more than {MAX_DEPTH} levels deep")


@pytest.mark.parametrize("map_text,fragment", [
    ("controls: " + "[" * 5000 + "]" * 5000 + "\n", "1: nested more than"),
    ("controls:\n" + "  - {cc: 1, param: blend}\n" * (MAX_BYTES // 20), "the file passes 1 MB here"),
])
def test_vcam_check_names_the_map_file_and_line(tmp_path, capsys, map_text, fragment):
    from vcam.cli import main

    (tmp_path / "mine.yaml").write_text(map_text)
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: b}\nmidi:\n  map: mine.yaml\n")
    assert main(["check", str(show)]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'mine.yaml'}:" in err and fragment in err
    assert "Traceback" not in err and "RecursionError" not in err


@pytest.mark.parametrize("text,fragment", [
    (DEEP, "1: nested more than"),
    (big_show(3 * MAX_BYTES), "the file passes 1 MB here"),
])
def test_vcam_check_says_one_line_for_a_hostile_show(tmp_path, capsys, text, fragment):
    from vcam.cli import main

    path = tmp_path / "show.yaml"
    path.write_text(text)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.strip().startswith(str(path))] == \
        [line for line in err.splitlines() if fragment in line]
    assert "RecursionError" not in err and "VCAM_DEBUG" not in err


# --- hot reload ---------------------------------------------------------------------------------------------------

def test_a_hostile_edit_is_said_once_and_the_running_show_stays(tmp_path):
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: one}\n")
    loaded, said = [], []
    watcher = ShowWatcher(str(path), lambda show, maps: loaded.append(len(show.presets)), said.append)
    for text, fragment in [(DEEP, f"{path}:1: nested more than {MAX_DEPTH} levels deep"),
                           (big_show(3 * MAX_BYTES), "the file passes 1 MB here")]:
        said.clear()
        path.write_text(text)
        for _ in range(4):  # a change is taken once it held from one look to the next; later looks say nothing
            watcher.poll()
        assert loaded == [], said
        assert len(said) == 1 and "the last good show stays live" in said[0] and fragment in said[0], said
        assert len(said[0].splitlines()) == 2, said[0]  # the headline and the one problem
    path.write_text("presets:\n  - {name: a, prompt: one}\n  - {name: b, prompt: two}\n")
    watcher.poll(), watcher.poll()
    assert loaded == [2]


def test_a_show_file_made_a_named_pipe_on_air_is_said_and_not_waited_on(tmp_path):
    """Reading a named pipe waits for a writer: the watcher stopped there, and no later save reached the show."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: one}\n")
    loaded, said = [], []
    watcher = ShowWatcher(str(path), lambda show, maps: loaded.append(len(show.presets)), said.append)
    path.unlink()
    os.mkfifo(path)
    for _ in range(4):
        watcher.poll()
    assert said == [f"{path} is now a named pipe or a device, not a file: the last good show stays live; save the "
                    "file there again to reload it"] and loaded == []
    path.unlink()
    path.write_text("presets:\n  - {name: a, prompt: one}\n  - {name: b, prompt: two}\n")
    watcher.poll(), watcher.poll()
    assert loaded == [2]


def _looks(watcher, looks: int = 2) -> bool:
    """Whether `looks` of the watcher came back, on a thread: a look that opens a named pipe waits for good."""
    thread = threading.Thread(target=lambda: [watcher.poll() for _ in range(looks)], daemon=True)
    thread.start()
    thread.join(10)
    return not thread.is_alive()


def test_a_map_saved_while_the_show_file_is_a_named_pipe_is_said_and_read_once_the_file_is_back(tmp_path):
    """A reload reads the show file whatever was saved: a map's save waited on the pipe, and the watcher with it."""
    from vcam.control.reload import ShowWatcher

    (tmp_path / "m.yaml").write_text("controls:\n  - {cc: 16, command: next}\n")
    path = tmp_path / "show.yaml"
    text = "midi: {map: m.yaml}\npresets:\n  - {name: a, prompt: one}\n"
    path.write_text(text)
    loaded, said = [], []
    watcher = ShowWatcher(str(path), lambda show, maps: loaded.append(len(show.midi.buttons)), said.append,
                          show=load_show(str(path)))
    path.unlink()
    os.mkfifo(path)
    assert _looks(watcher)
    (tmp_path / "m.yaml").write_text("controls:\n  - {cc: 16, command: next}\n  - {cc: 17, command: go}\n")
    assert _looks(watcher) and loaded == []
    assert said[1] == (f"map file {tmp_path / 'm.yaml'} not reloaded: {path} is a named pipe or a device, not a file; "
                       "save the show file there again to reload both")
    path.unlink()
    path.write_text(text)
    assert _looks(watcher) and loaded == [2]


def test_a_map_file_made_a_named_pipe_is_said_as_one_not_as_not_found(tmp_path):
    """The file is right there: 'not found; give a path relative to the show file' sent the operator looking."""
    os.mkfifo(tmp_path / "m.yaml")
    path = tmp_path / "show.yaml"
    path.write_text("midi: {map: m.yaml}\npresets:\n  - {name: a, prompt: one}\n")
    with pytest.raises(ConfigError) as err:
        load_show(str(path))
    assert only_problem(err) == (f"{path}:1: MIDI map 'm.yaml' is a named pipe or a device, not a file; save the "
                                 "map there as a file")


def test_a_show_file_made_a_named_pipe_while_the_model_loads_is_said_as_the_watcher_starts(tmp_path):
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: one}\n")
    said = []
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(str(path)))
    path.unlink()
    os.mkfifo(path)
    thread = threading.Thread(target=watcher.saved_since_load, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive() and said == [f"{path} is now a named pipe or a device, not a file: the last good "
                                              "show stays live; save the file there again to reload it"]


TYPOS = [
    ("name: x\npresets:\n\t- {name: a, prompt: b}\n", 3, "a tab character (column 1) where YAML allows only spaces"),
    ("presets:\n  - name: a\n  \tprompt: b\n", 3, "a tab character (column 3)"),
    ("presets:\n  - name: a\n    prompt: b\n\t\n", 4, "a tab character (column 1)"),
    ("presets:\n  - name: a\n    prompt: Style: neon rain\n", 3, "a prompt with a colon: put it in quotes"),
    ("presets:\n  - name: a\n    prompt: @artist at night\n", 3,
     "a value cannot start with @; put the value in quotes"),
    ("presets:\n  - name: &a x\n    prompt: &a y\n", 3, "the anchor &a is set twice (first on line 2)"),
    ("presets:\n  - name: 'abc\n    prompt: b\n", 4,
     "the quoted text (is its closing quote missing?) started on line 2"),
    ("presets:\n  - name: a\n    prompt: b\n  foo\n", 5, "the key started on line 4"),
    ("name: x\n---\npresets:\n  - {name: a, prompt: b}\n", 2, "a second document starts here (a '---' line)"),
    ('presets:\n  - {name: a, prompt: b, input: "file:My\\ Clips/loop\\ \\(2\\).mp4"}\n', 2,
     "a backslash in \"double quotes\" starts one of YAML's own escapes (\\n, \\t, ...); write a path with "
     "backslashes in 'single quotes' or without quotes"),
    # a Windows path whose escapes are all YAML's own (\t, \a): no syntax error, and the clip was C:<tab>emp<bell>.mp4
    ('presets:\n  - {name: a, prompt: b, input: "file:C:\\temp\\a.mp4"}\n', 2,
     "input: \\a in \"double quotes\" is one of YAML's own escapes, not a backslash and a letter; write a path "
     "with backslashes in 'single quotes' or without quotes"),
    ('presets:\n  - {name: a, prompt: "D:\\new\\best of"}\n', 2, "\\b in \"double quotes\" is one of YAML's own"),
    # `#` after a space starts a comment: the prompt on air was "red", the show said nothing
    ("presets:\n  - name: a\n    prompt: red #1 light\n", 3, "preset 'a' prompt reads as 'red': '#1 light' after it "
     "is a YAML comment; put the whole text in quotes to keep it, or write a space after # if it is a comment"),
    ("midi:\n  port: nanoKONTROL2 #2\npresets:\n  - {name: a, prompt: b}\n", 2,
     "port reads as 'nanoKONTROL2': '#2' after it is a YAML comment"),
    # the first line of a file saved with a byte order mark (Windows Notepad), whose columns YAML counts without it
    ("\ufeffname: live #2\npresets:\n  - {name: a, prompt: b}\n", 1, "name reads as 'live': '#2' after it is a YAML"),
    # where the command typed reads the number as written (`seed 010` is seed 10), that is said too: the fix is the
    # line to write
    ("presets:\n  - name: a\n    prompt: b\n    seed: 010\n", 4,
     "preset 'a' seed 010 reads as 8 (YAML takes a number with a leading 0 as octal, where the typed command seed 010 "
     "is 10); write seed: 10"),
    ("defaults: {bpm: 0120}\npresets:\n  - {name: a, prompt: b}\n", 1,
     "defaults bpm 0120 reads as 80 (YAML takes a number with a leading 0 as octal, where the typed command bpm 0120 "
     "is 120); write bpm: 120"),
    # a value on a line of its own has no key before it to name
    ("presets:\n  - name: a\n    prompt: b\n    seed:\n      010\n", 5,
     "preset 'a' seed 010 reads as 8 (YAML takes a number with a leading 0 as octal); write 10 without the leading 0"),
    # grouped by _ (read as octal all the same), and below 0: said with its sign, out of range
    ("presets:\n  - {name: a, prompt: b, seed: 0_10}\n", 2, "seed 0_10 reads as 8 (YAML takes a number with a "
     "leading 0 as octal, where the typed command seed 0_10 is 10); write seed: 10"),
    ("presets:\n  - {name: a, prompt: b}\ncues:\n  - {do: next, wait: -010}\n", 4, "-010 reads as -8 (YAML takes a "
     "number with a leading 0 as octal); without it, -10 is out of range (0 to 86400)"),
    # a transition in seconds or bars, as `transition 2s` typed is said to count blocks: offered 2, it blended over
    # 2 blocks
    ("presets:\n  - {name: a, prompt: b, transition: 2s}\n", 2, "preset 'a' transition must be a whole number from 0 "
     "to 1000 (it counts blocks, not seconds: a change blends in over N blocks, each a dozen frames or so)"),
    ("defaults: {transition: 1 bar}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults transition must be a whole "
     "number from 0 to 1000 (it counts blocks, not bars:"),
    ("defaults: {quantize: none}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults quantize takes beat, bar, a "
     "number of beats or off, not 'none' (did you mean off?)"),
    # a share written as a percentage, as the typed `strength 60%` is offered 0.6: a show's was offered nothing
    ("presets:\n  - {name: a, prompt: b, strength: 60%}\n", 2, "preset 'a' strength must be a number from 0 to 1; "
     "write it as 0.6"),
    ("presets:\n  - {name: a, prompt: b, bias: 30%}\n", 2, "preset 'a' bias must be a number above 0 and at most 1 "
     "(1 = off); write it as 0.3"),
    # a prompt's *emphasis*: read as an alias, said as a character expected or an alias missing, with no word of quotes
    ("presets:\n  - name: a\n    prompt: *glitch* city\n", 3, "not valid YAML: a value that starts with * repeats an "
     "&anchor; for a text that starts with *, put the value in quotes: \"*…\""),
    ("presets:\n  - name: a\n    prompt: *glitch city\n", 3, "not valid YAML: a value that starts with * repeats an "
     "&anchor (no value above sets &glitch); for a text that starts with *, put the value in quotes"),
    # the start of a hex or binary number with no digits of it: read as a 0 with a unit after it, it was offered as 0
    ("presets:\n  - {name: a, prompt: b, seed: 0x}\n", 2, "preset 'a' seed must be a whole number from 0 to "
     f"{2**63 - 1}; 0x starts a hexadecimal number, but no digits follow: write the number in decimal digits"),
    ("presets:\n  - {name: a, prompt: b, seed: 0xZZ}\n", 2, "; 0xZZ is no hexadecimal number (its digits are 0 to 9 "
     "and a to f): write the number in decimal digits"),
    # a hex number YAML reads as text (quoted, or with a capital X): offered as the number it writes
    ("presets:\n  - {name: a, prompt: b, seed: '0x10'}\n", 2, "preset 'a' seed must be a whole number from 0 to "
     f"{2**63 - 1}; write it in decimal digits: 16"),
    ("presets:\n  - {name: a, prompt: b, seed: 0X1F}\n", 2, "; write it in decimal digits: 31"),
    ("presets:\n  - {name: a, prompt: b, strength: 0b}\n", 2, "preset 'a' strength must be a number from 0 to 1; 0b "
     "starts a binary number, but no digits follow: write the number in decimal digits"),
    # digits with a colon: YAML 1.1 read them as base 60, seed 90 where a time or a ratio was meant
    ("presets:\n  - {name: a, prompt: b, seed: 1:30}\n", 2, "preset 'a' seed 1:30 reads as 90 (YAML takes digits "
     "with ':' as base 60, like minutes:seconds); write the number itself in digits"),
    ("defaults: {bpm: 2:00}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults bpm 2:00 reads as 120 (YAML takes "
     "digits with ':' as base 60"),
    # an aspect ratio for a size: said as written, where it was said as the 969 YAML reads it as
    ("output: {size: 16:9}\npresets:\n  - {name: a, prompt: b}\n", 1, "output size must be WIDTHxHEIGHT, like "
     "832x480 (got 16:9)"),
    # a quantize's number of beats too: 1:00 was taken as 60 beats and 010 as 8, with no word
    ("defaults: {quantize: 1:00}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults quantize 1:00 reads as 60 "
     "(YAML takes digits with ':' as base 60"),
    ("defaults: {quantize: 010}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults quantize 010 reads as 8 (YAML "
     "takes a number with a leading 0 as octal); write quantize: 10"),
    # and a number meant out of quantize's range is said so: write quantize: 100 was offered, and refused on paste
    ("defaults: {quantize: 0100}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults quantize 0100 reads as 64 "
     "(YAML takes a number with a leading 0 as octal); without it, 100 is out of range (0.0625 to 64)"),
    ("defaults: {quantize: -010}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults quantize -010 reads as -8 "
     "(YAML takes a number with a leading 0 as octal); without it, -10 is out of range (0.0625 to 64)"),
    ("defaults: {quantize: 0_100}\npresets:\n  - {name: a, prompt: b}\n", 1, "; without it, 100 is out of range"),
    # a number in quotes is text: said with the number to write, as the unquoted forms are
    ("presets:\n  - {name: a, prompt: b, seed: '010'}\n", 2, "preset 'a' seed must be a whole number from 0 to "
     f"{2**63 - 1}; write it without quotes: 10"),
    ('defaults: {bpm: "120"}\npresets:\n  - {name: a, prompt: b}\n', 1, "defaults bpm must be a number from 20 to "
     "300; write it without quotes: 120"),
    # a key in capitals or with a space: no near-name hint caught PROMPT, and 'name' was said missing as well
    ("PRESETS:\n  - {name: a, prompt: b}\n", 1, "show: key 'PRESETS' is not read as 'presets'; write it presets: "
     "(lower case, no spaces)"),
    ("presets:\n  - {name: a, PROMPT: b}\n", 2, "preset 1: key 'PROMPT' is not read as 'prompt'; write it prompt:"),
    ("presets:\n  - {'name ': a, prompt: b}\n", 2, "preset 1: key 'name ' is not read as 'name'; write it name:"),
    ("presets:\n  - &p {name: a, prompt: b}\n  - <<: *p\n    name: c\n", 3,
     "preset 2: merge keys (<<: *name) are not read here; write the keys out (an alias repeats one value: "
     "seed: *name)"),
    # the name it was to bring is not said missing as well
    ("presets:\n  - &p {name: a, prompt: b}\n  - <<: *p\n    prompt: c\n", 3, "preset 2: merge keys (<<: *name) are "
     "not read here"),
]


@pytest.mark.parametrize("steps, hint", [("'4.5'", ""), ("'4.0'", "; write it without quotes: 4")])
def test_a_whole_number_in_quotes_is_told_to_lose_them_only_where_it_would_then_be_taken(steps, hint):
    """steps: '4.5' was told "write it without quotes: 4.5", which is refused again as no whole number."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"defaults: {{steps: {steps}}}\npresets:\n  - {{name: a, prompt: b}}\n", "typo.yaml")
    assert err.value.problems == [f"typo.yaml:1: defaults steps must be a whole number from 1 to 50{hint}"]


@pytest.mark.parametrize("key, written, value, fits", [
    ("strength", '"0x10"', 16, False), ("strength", '"0x1"', 1, True), ("strength", "0B0", 0, True),
    ("steps", "0X40", 64, False), ("steps", "0X4", 4, True),
    ("bias", "0X2", 2, False), ("bias", "'0x1'", 1, True),
    ("seed", '"-0x10"', -16, False), ("seed", '"0x10"', 16, True), ("transition", "0XFFF", 4095, False),
])
def test_a_hex_or_binary_number_read_as_text_is_offered_in_decimal_only_where_it_fits(key, written, value, fits):
    """strength: "0x10" was offered strength: 16, which pasted is refused as out of range: a number that fits is
    offered and loads as that number; one that does not is said in decimal digits, with no line to write."""
    show = ("defaults: {%s: %s}\npresets:\n  - {name: a, prompt: b}\n" if key == "steps" else
            "presets:\n  - {name: a, prompt: b, %s: %s}\n")
    with pytest.raises(ConfigError) as err:
        parse_show(show % (key, written), "hex.yaml")
    [problem] = err.value.problems
    if not fits:
        assert problem.endswith(f"; {written.strip(chr(34) + chr(39))} is {value} in decimal digits, out of range")
        assert "write" not in problem, problem
        return
    offered = problem.split("; write it in decimal digits: ", 1)[1]
    pasted = parse_show(show % (key, offered), "hex.yaml")
    assert getattr(pasted.defaults if key == "steps" else pasted.presets[0], key) == value, offered


@pytest.mark.parametrize("section, written, fits", [
    ("defaults: {steps: %s}\n", "0115", False), ("defaults: {steps: %s}\n", "010", True),
    ("cues:\n  - {do: next}\n  - {do: next, wait: %s}\n", "-010", False),
    ("cues:\n  - {do: next}\n  - {do: next, wait: %s}\n", "010", True),
    ("defaults: {strength: %s}\n", "010", False), ("defaults: {transition: %s}\n", "01001", False),
])
def test_a_number_with_a_leading_0_is_offered_as_written_only_where_it_fits(section, written, fits):
    """wait: -010 was told to write wait: -10 and steps: 0115 steps: 115, each refused when pasted: the line is
    offered where it loads as the number written, else the range is said."""
    with pytest.raises(ConfigError) as err:
        parse_show(section % written + "presets:\n  - {name: a, prompt: b}\n", "octal.yaml")
    [problem] = err.value.problems
    meant = written.replace("0", "", 1) if written.startswith("0") else "-" + written[2:]
    if not fits:
        assert f"; without it, {meant} is out of range (" in problem and "write" not in problem, problem
        return
    key, _, number = problem.rpartition("; write ")[2].partition(": ")
    show = parse_show(section % number + "presets:\n  - {name: a, prompt: b}\n", "octal.yaml")
    read = show.cues[1].wait if key == "wait" else getattr(show.defaults, key)
    assert read == int(meant) and number == meant, problem


@pytest.mark.parametrize("written", ["null", "~", ""])
def test_a_quantize_of_null_is_offered_off_as_the_typed_command_is(written):
    """`quantize null` typed is asked "did you mean off?"; a show's quantize: null, ~ or nothing was said as no
    timing with nothing to write, where off is what the operator meant."""
    text = "defaults: {quantize: %s}\npresets:\n  - {name: a, prompt: b}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text % written, "q.yaml")
    [problem] = err.value.problems
    assert problem.endswith(f"not {written or 'an empty value'} (did you mean off?)"), problem
    assert parse_show(text % "off", "q.yaml").defaults.quantize == "off"


def test_a_prompt_with_yamls_newline_or_tab_escape_in_double_quotes_is_read_as_written():
    show = parse_show('presets:\n  - {name: a, prompt: "neon\\nrain\\tat night"}\n', "ok.yaml")
    assert list(show.presets[0].prompts) == ["neon\nrain\tat night"]


@pytest.mark.parametrize("text,line,fragment", TYPOS)
def test_the_common_typos_in_a_show_are_named_with_their_fix(text, line, fragment):
    with pytest.raises(ConfigError) as err:
        parse_show(text, "typo.yaml")
    (problem,) = err.value.problems
    assert problem.startswith(f"typo.yaml:{line}: ") and fragment in problem, problem
    assert "the while" not in problem and "the found" not in problem and "the expected" not in problem
    assert "scalar" not in problem


@pytest.mark.parametrize("value", ['"neon" city at night', "[glitch] city", "{x} city", "'80s' disco"])
def test_a_value_that_goes_on_after_its_quotes_or_brackets_close_is_offered_quoted_whole(loader, value):
    """`prompt: "neon" city` was told "did not find expected key" and to check indentation, quotes and brackets;
    the line offered loads as the text written."""
    text = f"presets:\n  - name: a\n    prompt: {value}\n    seed: 3\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    opens = f"show.yaml:3: not valid YAML: prompt's value opens with {value[0]} and goes on "
    assert problem.startswith(opens), problem
    offered = re.search(r"; put the whole text in quotes: (prompt: .+)$", problem)[1]
    show = parse_show(text.replace(f"prompt: {value}", offered), "show.yaml")
    assert show.presets[0].prompts == {value: 1.0}


@pytest.mark.parametrize("text, line, key, spaces", [
    ("presets:\n  - name: a\n    prompt: x\n  - name: b\n   prompt: y\n", 5, "prompt", 4),
    ("defaults:\n  seed: 3\n steps: 4\npresets:\n  - {name: a, prompt: b}\n", 3, "steps", 2),
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n        weight: 1\n\n   # ours\n   seed: 3\n", 8, "seed",
     4),
    # a preset's key between its prompts: and the list of texts under it: offered the text's column, 8, it was then
    # refused as a key of the text's
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n     transition: 4\n", 5, "transition", 4),
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n      transition: 4\n", 5, "transition", 4)])
def test_a_key_indented_less_than_the_keys_above_it_is_told_how_far_to_indent_it(loader, text, line, key, spaces):
    """A key one space short of its mapping was told "did not find expected '-' indicator" (or key) and to check
    indentation, quotes and brackets; indented as said, the show loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    assert problem.startswith(f"show.yaml:{line}: not valid YAML: {key}: is indented ") and problem.endswith(
        f"keys of one mapping line up; indent {key}: {spaces} spaces as well"), problem
    lines = text.split("\n")
    lines[line - 1] = " " * spaces + lines[line - 1].lstrip()
    parse_show("\n".join(lines), "show.yaml")


@pytest.mark.parametrize("list_indent", [2, 4])
def test_a_top_key_one_space_in_after_a_list_is_offered_the_start_of_the_line_first(loader, list_indent):
    """` cues:` one space in after a presets: list was told only to indent it as the preset's keys, which made it a
    key of the preset; put where it is offered first, the show loads with its cue."""
    item = " " * list_indent
    text = f"presets:\n{item}- name: a\n{item}  prompt: x\n cues:\n  - do: preset a\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    spaces = re.search(r"; indent cues: (\d+) spaces, beside presets: \(line 1\), or ", only_problem(err))[1]
    show = parse_show(text.replace(" cues:", " " * int(spaces) + "cues:"), "show.yaml")
    assert len(show.cues) == 1


@pytest.mark.parametrize("text, count", [
    ("presets:\n  - name: a\n    prompt: x\n  name: b\n    prompt: y\n", lambda show: len(show.presets)),
    ("presets:\n  - {name: a, prompt: x}\ncues:\n  - name: a\n    do: next\n  name: b\n    do: next\n",
     lambda show: len(show.cues)),
])
def test_an_entry_missing_its_dash_whose_first_key_is_a_top_key_is_offered_the_dash_first(loader, text, count):
    """`  name: b` at a preset's '- ' column lost the hint to begin it with '- ' (name: is a top key too, so only
    the line's start and the keys' column were offered, neither of which loads); begun so, both entries load."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    said = only_problem(err)
    row = int(re.search(r"; where it starts an entry of its own, begin it with '- ' as line (\d+) does; or indent",
                        said)[1])
    dash = text.split("\n")[row - 1].index("-")
    show = parse_show(text.replace("\n" + " " * dash + "name: b", "\n" + " " * dash + "- name: b"), "show.yaml")
    assert count(show) == 2


@pytest.mark.parametrize("entry, cut, meant", [
    ("{name: a, prompt: neon city, rain, fog}", "prompt: neon city, rain, fog", {"neon city, rain, fog": 1.0}),
    ("{name: a, prompt: neon,rain, seed: 4}", "prompt: neon,rain", {"neon,rain": 1.0}),
    ("{name: a, prompts: [{text: neon, rain, weight: 2}, {text: fog}]}", "text: neon, rain",
     {"neon, rain": 2.0, "fog": 1.0})])
def test_a_prompt_cut_by_commas_in_braces_is_offered_quoted_whole_once(loader, entry, cut, meant):
    """`{name: a, prompt: neon city, rain, fog}` was told of unknown keys 'rain' and 'fog', each with the known keys,
    and not that the commas cut the prompt; the text offered loads whole."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {entry}\n", "show.yaml")
    problem = only_problem(err)
    offered = re.search(r"of (?:their|its) own: put the whole text in quotes: (.+)$", problem)[1]
    show = parse_show(f"presets:\n  - {entry.replace(cut, offered)}\n", "show.yaml")
    assert show.presets[0].prompts == meant


def test_a_key_at_the_column_of_its_lists_dash_is_offered_the_dash_too(loader):
    """`  do: preset b` under `  - do: preset a` (a second cue whose '- ' was left out) was told only to indent it
    under the first cue, where it would be that cue's do: twice; begun with '- ', it is the second cue."""
    text = "presets:\n  - {name: a, prompt: x}\ncues:\n  - do: preset a\n  do: next\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err).endswith("indent do: 4 spaces as well; or, where it starts an entry of its own, begin "
                                      "it with '- ' as line 4 does"), only_problem(err)
    show = parse_show(text.replace("\n  do: next", "\n  - do: next"), "show.yaml")
    assert [c.do for c in show.cues] == [("preset a",), ("next",)]


@pytest.mark.parametrize("entry, said, fixed", [
    ("{name: a prompt: neon}", "in {...} a key follows a comma: write a comma before prompt: where it is a key",
     "{name: a, prompt: neon}"),
    ('{name: a, prompt: "neon" city}', "in {...} a value that opens with a quote ends at its closing quote, and "
     "'city' follows it; put the whole text in quotes", """{name: a, prompt: '"neon" city'}""")])
def test_a_slip_inside_braces_is_said_with_its_fix(loader, entry, said, fixed):
    """`{name: a prompt: neon}` (a comma left out) and `{prompt: "neon" city}` were told "did not find expected ','
    or '}'" and to check indentation, quotes and brackets."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {entry}\n", "show.yaml")
    assert only_problem(err).startswith(f"show.yaml:2: not valid YAML: {said}"), only_problem(err)
    assert parse_show(f"presets:\n  - {fixed}\n", "show.yaml").presets[0].name == "a"


@pytest.mark.parametrize("text, said", [
    ("presets: [{name: a, prompt: x}]\nmidi: {name: my desk, port, rain, map: nanokontrol2}\n",
     "show.yaml:2: midi: unknown key 'rain'; known keys: "),
    ("presets:\n  - {name: a, prompt: neon, seed, rain}\n", "show.yaml:2: preset 1: unknown key 'rain'; known keys: ")])
def test_an_unknown_key_after_a_known_one_in_braces_is_said_not_taken_for_cut_text(loader, text, said):
    """A known key with no value (port, seed) between a text and an unknown key was read as words of the text, and
    the unknown key went unsaid: the show loaded where it was refused before."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert any(problem.startswith(said) for problem in err.value.problems), err.value.problems


def test_a_key_misspelt_after_a_text_in_braces_is_asked_after_not_taken_for_cut_text(loader):
    """`{name: a, prompt: neon, sed}` was offered prompt: 'neon, sed', where before it was asked: did you mean seed?
    A word after it is said too, not taken for the text's."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: neon, sed}\n", "show.yaml")
    assert only_problem(err).startswith("show.yaml:2: preset 1: unknown key 'sed'; known keys: ")
    assert only_problem(err).endswith("; did you mean seed?")
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: neon, sed, fog}\n", "show.yaml")
    assert [p.split(";")[0] for p in err.value.problems] == ["show.yaml:2: preset 1: unknown key 'sed'",
                                                             "show.yaml:2: preset 1: unknown key 'fog'"]


@pytest.mark.parametrize("entry", ['{name: "a" prompt: x}', "{name: 'a' prompt: x, seed: 2}"])
def test_a_key_after_a_quoted_value_in_braces_is_told_of_the_missing_comma_with_the_braces_mended(loader, entry):
    """`{name: "a" prompt: x}` was told to quote the whole text, which made the name `"a" prompt: x`."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {entry}\n", "show.yaml")
    offered = re.search(r"a comma separates keys: write a comma before prompt:, as in (.+)$", only_problem(err))[1]
    preset = parse_show(f"presets:\n  - {offered}\n", "show.yaml").presets[0]
    assert (preset.name, preset.prompts) == ("a", {"x": 1.0})


@pytest.mark.parametrize("entry", ['{name: a, prompt: "neon" city}  # x', '[{name: a, prompt: "neon" city}]'])
def test_a_word_after_a_quoted_value_in_braces_is_quoted_without_the_close_or_a_comment(loader, entry):
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {entry}\n", "show.yaml")
    assert "closing quote, and 'city' follows it; put" in only_problem(err), only_problem(err)


def test_a_word_with_a_colon_after_a_quoted_value_in_braces_that_is_no_key_is_told_to_quote_the_text(loader):
    """`{name: a, prompt: "neon" city: x}` was told to write a comma before city:, and then refused as an unknown key
    'city': a word that is no key, nor near one, is the text's own."""
    with pytest.raises(ConfigError) as err:
        parse_show('presets:\n  - {name: a, prompt: "neon" city: x}\n', "show.yaml")
    problem = only_problem(err)
    assert "closing quote, and 'city: x' follows it; put the whole text in quotes" in problem, problem
    assert "comma" not in problem


@pytest.mark.parametrize("char", ["%", "@"])
def test_a_value_that_starts_with_a_percent_or_at_sign_is_told_to_be_quoted(loader, char):
    """`prompt: %70 grain` was told only that a character cannot start any token (`@` too, under PyYAML's own
    scanner, whose words name the character)."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: a\n    prompt: {char}70 grain\n", "show.yaml")
    said = f'show.yaml:3: not valid YAML: a value cannot start with {char}; put the value in quotes: "{char}…"'
    assert only_problem(err) == said


@pytest.mark.parametrize("value, meant", [('"neon" city  # our opener', '"neon" city'),
                                         ("[glitch] city #2 take", "[glitch] city")])
def test_a_value_going_on_after_its_close_is_offered_without_the_comment_after_it(loader, value, meant):
    """`prompt: "neon" city  # our opener` was offered with the comment inside the prompt."""
    text = f"presets:\n  - name: a\n    prompt: {value}\n    seed: 3\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    offered = re.search(r"; put the whole text in quotes: (prompt: .+)$", only_problem(err))[1]
    show = parse_show(text.replace(f"prompt: {value}", offered), "show.yaml")
    assert show.presets[0].prompts == {meant: 1.0}


@pytest.mark.parametrize("value, yamls, own", [("'it''s' neon", "it's neon", "'it's' neon"),
                                               ('"a \\"b\\" c" d', 'a "b" c d', '"a "b" c" d')])
def test_a_value_with_escapes_going_on_after_its_quotes_is_offered_both_readings(loader, value, yamls, own):
    """`prompt: 'it''s' neon` was offered no line: whether its quotes are YAML's (the escape says so) or the
    text's is the writer's to say, and each line offered loads as that reading, escapes read, not copied raw."""
    text = f"presets:\n  - name: a\n    prompt: {value}\n    seed: 3\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    offered = re.fullmatch(r"show\.yaml:3: not valid YAML: prompt's value opens with . and goes on after its closing "
                           r".*, which YAML reads as the whole value; where those quotes were YAML's, write "
                           r"(prompt: .+); where they are the prompt's own, write (prompt: .+)", only_problem(err))
    assert offered, only_problem(err)
    for line, meant in zip(offered.groups(), (yamls, own)):
        assert parse_show(text.replace(f"prompt: {value}", line), "show.yaml").presets[0].prompts == {meant: 1.0}


@pytest.mark.parametrize("text, line, written", [
    ("defaults: {seed: 4}}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults: {seed: 4}}"),
    ("presets: [{name: a, prompt: b}]]\n", 1, "presets: [{name: a, prompt: b}]]"),
    ("output:\n  out: [window]]  # on screen\npresets:\n  - {name: a, prompt: b}\n", 2, "out: [window]]"),
    ("presets:\n  - {name: a, prompt: b}\ncues: [{do: next}]]\n", 3, "cues: [{do: next}]]"),
])
def test_a_stray_close_after_a_mapping_or_list_is_offered_the_line_without_it(loader, text, line, written):
    """`defaults: {seed: 4}}` was offered `defaults: '{seed: 4}}'`, a text where a mapping goes; the line offered
    drops the extra close and loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    assert problem.startswith(f"show.yaml:{line}: not valid YAML: "), problem
    offered = re.search(r"one too many; remove it: (.+)$", problem)[1]
    parse_show(text.replace(written, offered), "show.yaml")


@pytest.mark.parametrize("value", ['"preset" a  # c', "'preset' a"])
def test_a_command_that_goes_on_after_its_quotes_is_not_offered_quoted_whole(loader, value):
    """`do: "preset" a` was offered `do: '"preset" a'`, a command no one can type; what was meant is unclear, so
    YAML's complaint is said as it was, with no line offered."""
    text = f"presets:\n  - {{name: a, prompt: b}}\ncues:\n  - do: {value}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    assert problem.startswith("show.yaml:4: not valid YAML ("), problem
    assert problem.endswith("); check indentation, quotes and brackets"), problem


def test_a_long_prompt_that_goes_on_after_its_quotes_is_offered_no_placeholder(loader):
    """Too long to offer on one line, the prompt was offered `prompt: '…', each ' in it written twice`, a line that
    loads as the text '…'; YAML's complaint is said as it was instead."""
    text = f"presets:\n  - name: a\n    prompt: \"neon\" {'city ' * 40}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    assert problem.startswith("show.yaml:3: not valid YAML ("), problem
    assert "…" not in problem


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_comment_after_a_prompt_is_still_a_comment_and_a_quoted_hash_is_kept(loader, newline):
    text = ("presets:\n  - name: a  # the opener\n    prompt: red light#1  #--- part 2 ---\n"
            "  - name: b\n    prompt: 'red #1 light'\n    seed: 0\n  - {name: c, prompt: \"#2\"}  #c\n")
    show = parse_show(text.replace("\n", newline), "ok.yaml")
    assert [(p.name, list(p.prompts)) for p in show.presets] == [("a", ["red light#1"]), ("b", ["red #1 light"]),
                                                                  ("c", ["#2"])]
    assert show.presets[1].seed == 0


def test_a_number_with_a_leading_0_that_reads_the_same_either_way_is_taken(loader):
    """00 to 07 are the same in octal: a manual's `seed: 07` or `channel: 01` was refused, told to write what it
    already read as."""
    text = ("defaults: {seed: 07}\npresets:\n  - {name: a, prompt: b, seed: 00}\n"
            "midi:\n  controls:\n    - {cc: 16, %s}\n")
    show = parse_show(text % "channel: 01, command: next", "ok.yaml")
    assert show.defaults.seed == 7 and show.presets[0].seed == 0
    assert show.midi == parse_show(text % "channel: 1, command: next", "ok.yaml").midi
    assert show.midi != parse_show(text % "channel: 2, command: next", "ok.yaml").midi


def test_a_number_written_in_hex_or_binary_is_said_as_written_beside_what_it_reads_as(loader):
    """`seed: -0x10` was refused as "seed -16 is out of range": a number the line nowhere holds. Taken in range
    (0x10 is 16), it is the number written."""
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {bpm: 0x10, steps: 0b111111}\npresets:\n  - {name: a, prompt: b, seed: -0x10}\n",
                   "hex.yaml")
    assert err.value.problems == ["hex.yaml:1: defaults steps 0b111111 (63) is out of range (1 to 50)",
                                  "hex.yaml:1: defaults bpm 0x10 (16) is out of range (20 to 300)",
                                  f"hex.yaml:3: preset 'a' seed -0x10 (-16) is out of range (0 to {2**63 - 1})"]
    assert parse_show("presets:\n  - {name: a, prompt: b, seed: 0x10}\n", "ok.yaml").presets[0].seed == 16


def test_a_number_just_past_its_bound_is_not_said_as_the_bound():
    """`bpm: 300.0000001` was refused as "bpm 300 is out of range (20 to 300)", a contradiction to read; as the typed
    `bpm` says it."""
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {bpm: 300.0000001}\npresets:\n  - {name: a, prompt: b, strength: 1.0000001}\n",
                   "past.yaml")
    assert err.value.problems == ["past.yaml:1: defaults bpm 300.0000001 is out of range (20 to 300)",
                                  "past.yaml:3: preset 'a' strength 1.0000001 is out of range (0 to 1)"]


def test_a_comment_cut_is_found_on_its_line_past_accented_text_and_lone_cr_breaks(loader):
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\r  - name: caf\u00e9\r    prompt: cr\u00e8me #br\u00fbl\u00e9e\r", "cr.yaml")
    assert only_problem(err).startswith("cr.yaml:3: preset 'café' prompt reads as 'crème': '#brûlée' after it")


def test_a_show_file_that_cannot_be_read_says_why_and_what_to_do(tmp_path):
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: x\npresets:\n  - {name: caf\xe9, prompt: b}\n")
    with pytest.raises(ConfigError) as err:
        load_show(latin)
    assert err.value.problems == [f"{latin}:3: the show file is not UTF-8 text (byte 0xe9); save it as UTF-8 (in "
                                  "the editor's Save As, or: iconv -f latin1 -t utf-8 FILE > NEW.yaml)"]
    with pytest.raises(ConfigError) as err:
        load_show(tmp_path)
    assert err.value.problems == [f"{tmp_path}: the show file is a folder; name the YAML file in it (it holds "
                                  "latin.yaml)"]
    with pytest.raises(ConfigError) as err:
        load_show(tmp_path / "gone.yaml")
    assert err.value.problems == [f"{tmp_path / 'gone.yaml'}: the show file does not exist; check the path"]
    shows = tmp_path / "shows"
    shows.mkdir()
    (shows / "club.yaml").write_text("presets: []\n")
    for typed, why in (("Club.yaml", " (file names are case-sensitive)"), ("clbu.yaml", "")):
        with pytest.raises(ConfigError) as err:
            load_show(shows / typed)
        assert err.value.problems == [f"{shows / typed}: the show file does not exist; did you mean "
                                      f"{shows / 'club.yaml'}?{why}"]


def test_a_show_named_by_its_folder_is_said_with_the_show_files_in_it_and_no_line(tmp_path):
    """A folder has no line 1; the operator meant one of the files in it."""
    for name in ("club.yaml", "ambient.yml", "notes.txt"):
        (tmp_path / name).write_text("name: x\n")
    (tmp_path / "old.yaml").mkdir()
    assert show_problems(tmp_path) == [f"{tmp_path}: the show file is a folder; name the YAML file in it (it holds "
                                       "ambient.yml, club.yaml)"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert show_problems(empty) == [f"{empty}: the show file is a folder; name the YAML file in it"]


def test_a_show_saved_as_utf16_is_said_to_be_and_converted_from_utf16(tmp_path):
    """Windows Notepad's "Unicode": the fix converted it from latin1, which turns it into garbage."""
    path = tmp_path / "notepad.yaml"
    path.write_bytes("name: x\npresets:\n  - {name: a, prompt: b}\n".encode("utf-16"))
    assert show_problems(path) == [f"{path}:1: the show file is UTF-16 text, not UTF-8; save it as UTF-8 (in the "
                                   "editor's Save As, or: iconv -f utf-16 -t utf-8 FILE > NEW.yaml)"]


@pytest.mark.parametrize("encoding", ["utf-16le", "utf-16be"])
def test_a_show_saved_as_utf16_without_its_byte_order_mark_is_said_to_be(tmp_path, encoding):
    """PyYAML's "unacceptable character #x0000: control characters are not allowed" ran over two lines and named
    no fix."""
    path = tmp_path / "powershell.yaml"
    path.write_bytes("name: x\npresets:\n  - {name: a, prompt: b}\n".encode(encoding))
    assert show_problems(path) == [utf16_unmarked(path, encoding)]


def test_a_control_character_pasted_into_a_show_names_its_line_and_column(tmp_path, loader):
    """Without libyaml, PyYAML's own reader raised its "unacceptable character" uncaught, ending vcam."""
    path = tmp_path / "pasted.yaml"
    path.write_text("name: x\npresets:\n  - {name: a, prompt: neon\x1b[0m city}\n")
    assert show_problems(path) == [control_character(path, 3, 27)]


def test_a_control_character_after_accented_text_names_its_own_line_and_column(tmp_path, loader):
    """libyaml counts UTF-8 bytes: after an é or an emoji the line and column said were further on than the
    character (line 5 of a 4-line show)."""
    path = tmp_path / "pasted.yaml"
    path.write_text("name: café ☕ 🎉🎉🎉\npresets:\n  - {name: a, prompt: b}\n  - {name: c, prompt: neon\x1b city}\n",
                    encoding="utf-8")
    assert show_problems(path) == [control_character(path, 4, 27)]


@pytest.mark.parametrize("encoding", ["utf-16le", "utf-16be"])
def test_a_show_in_utf16_without_its_mark_and_with_an_accent_is_said_to_be_utf16(tmp_path, encoding):
    """An é (or an emoji) in it is no UTF-8: the show was told to convert it from latin1, which garbles it."""
    path = tmp_path / "powershell.yaml"
    path.write_bytes("name: café\npresets:\n  - {name: a, prompt: neon ☕}\n".encode(encoding))
    assert show_problems(path) == [utf16_unmarked(path, encoding)]


@pytest.mark.parametrize("name, data, said", [
    ("clip.mp4", b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41\x00\x00\x00\x08free\xde\xad",
     "is a video, not a YAML text file; to restyle it give it to vcam run --in file:"),
    ("clip.webm", b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01", "is a video, not a YAML text file"),
    ("still.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is an image, not a YAML text file; to restyle it give "
                                                             "it to vcam run --in image:"),
    ("still.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "is an image, not a YAML text file"),
])
def test_a_video_or_an_image_given_as_the_show_says_how_to_restyle_it(tmp_path, name, data, said):
    """`vcam run clip.mp4` was told the show file is not UTF-8 text and to convert it from latin1 with iconv."""
    path = tmp_path / name
    path.write_bytes(data)
    (problem,) = show_problems(path)
    assert problem.startswith(f"{path}:1: the show file {said}") and "iconv" not in problem


def test_a_control_log_given_as_the_show_says_to_replay_or_render_it(tmp_path):
    """`vcam run show.jsonl` was told "not valid YAML (did not find expected <document start>); check indentation,
    quotes and brackets"."""
    path = tmp_path / "show.jsonl"
    path.write_text('{"vcam": {"model": "tiny", "seed": 0}}\n{"block": 0, "cmd": "preset 2"}\n')
    assert show_problems(path) == [f"{path}:1: this is a control log (vcam run --log-controls), not a show; play it "
                                   f"again with vcam run --replay {path}, or make a video of it with vcam render "
                                   f"{path} --out file:OUT.mp4"]
    assert parse_show('{"presets": [{"name": "a", "prompt": "b"}]}\n', "flow.yaml").presets[0].name == "a"


def test_a_map_file_that_is_not_utf8_names_its_line(tmp_path):
    path = tmp_path / "pads.yaml"
    path.write_bytes(b"controls:\n  - {note: 36, command: prompt caf\xe9}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert err.value.problems[0].startswith(f"{path}:2: the file is not UTF-8 text (byte 0xe9); save it as UTF-8")


def test_a_show_given_as_a_map_is_said_to_be_a_show():
    """--midi-map show.yaml listed the show's keys as unknown to a map."""
    show = Path(__file__).resolve().parent.parent / "presets" / "example.yaml"
    with pytest.raises(ConfigError) as err:
        load_map(show)
    (problem,) = err.value.problems
    assert "this is a show file (presets:, no controls:), not a MIDI map; run it as vcam run" in problem


def test_a_show_given_as_an_osc_map_is_said_with_its_article():
    """It said "not a OSC map"."""
    from vcam.control.oscmap import load_map as load_osc_map

    show = Path(__file__).resolve().parent.parent / "presets" / "example.yaml"
    with pytest.raises(ConfigError) as err:
        load_osc_map(show)
    (problem,) = err.value.problems
    assert "this is a show file (presets:, no controls:), not an OSC map; run it as vcam run" in problem


def test_a_number_written_with_an_exponent_is_read_as_that_number(loader):
    # YAML 1.1 reads 1e-9 (no dot) as text: the show writer wrote a number and was told to write one
    show = parse_show("defaults: {bias: 1e-9, strength: 5E-1}\npresets:\n  - {name: a, prompt: 1e5, bias: 3e-1}\n",
                      "show.yaml")
    assert (show.defaults.bias, show.defaults.strength) == (1e-9, 0.5)
    assert show.presets[0].bias == 0.3
    assert show.presets[0].prompts == {"1e5": 1.0}  # text where text is asked for


def test_a_quoted_exponent_stays_text_and_is_refused_as_a_bias(loader):
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b, bias: '1e-9'}\n", "show.yaml")
    assert "bias must be a number above 0" in only_problem(err)


@pytest.mark.parametrize("line, said", [
    ("defaults:\n  bias: 0,3", "defaults bias must be a number above 0 and at most 1 (1 = off); write it as 0.3"),
    ("output:\n  fps: 29,97", "output fps must be a number from 1 to 240; write it as 29.97"),
    ("defaults:\n  bpm: 124bpm", "defaults bpm must be a number from 20 to 300; write it as 124"),
    ("defaults:\n  steps: 4 steps", "defaults steps must be a whole number from 1 to 50; write it as 4"),
    ("defaults:\n  strength: 0,5", "defaults strength must be a number from 0 to 1; write it as 0.5"),
    ("defaults:\n  strength: 5,5", "defaults strength must be a number from 0 to 1"),
])
def test_a_number_with_a_decimal_comma_or_a_unit_is_told_the_number_to_write(line, said):
    """`bias: 0,3` (a decimal comma, read by YAML as text) was told only that it must be a number, where the flag
    and the typed command offer 0.3; one that is no number in range (5,5) is told the range alone."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"{line}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert err.value.problems == [f"show.yaml:2: {said}"]


def test_a_decimal_comma_in_braces_is_told_apart_from_an_unknown_key():
    """`{seed: 42, bias: 0,3}` reads as bias 0 and a key '3', which was said only as an unknown key with the list of
    known ones; a key of digits with a space before it is an unknown key as before."""
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {seed: 42, bias: 0,3}\noutput: {fps: 29, 97}\npresets:\n  - {name: a, prompt: b}\n",
                   "show.yaml")
    assert err.value.problems[0] == ("show.yaml:1: defaults: unknown key '3'; in {...} a comma separates keys: for "
                                     "0,3 write bias: 0.3")
    assert "show.yaml:2: output: unknown key '97'; known keys: size, fps, fit, out" in err.value.problems


def test_a_comma_in_braces_before_three_digits_is_offered_as_thousands_too():
    """`{seed: 12,345}` was told to write seed: 12.345, which a seed (a whole number) then refused: both readings are
    offered. A key before that is no known key (`{0: 1,2}`, `{[a]: 1,2}`) is named by no hint at all, where the
    hint printed YAML's own node for a key in brackets."""
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {seed: 12,345, bias: 0,300}\npresets:\n  - {name: a, prompt: b}\n", "show.yaml")
    assert err.value.problems[:2] == [
        "show.yaml:1: defaults: unknown key '345'; in {...} a comma separates keys: for 12,345 write seed: 12345 (a "
        "thousands comma) or seed: 12.345 (a decimal one)",
        "show.yaml:1: defaults: unknown key '300'; in {...} a comma separates keys: for 0,300 write bias: 0.300"]
    for braces in ("{0: 1,2}", "{[a]: 1,2}"):
        with pytest.raises(ConfigError) as err:
            parse_show(f"defaults: {braces}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
        assert not any("comma separates" in p or "Node" in p for p in err.value.problems), err.value.problems


def test_digits_cut_by_a_comma_in_braces_are_offered_in_plain_digits_and_a_superscript_as_none():
    """`{seed: ²,3}` was told to write seed: ².3, and `{bias: ０,３}` (full-width digits) bias: ０.３: neither is a
    number YAML reads."""
    with pytest.raises(ConfigError) as err:
        parse_show("defaults: {seed: ²,3, bias: ０,３}\npresets:\n  - {name: a, prompt: b}\n", "show.yaml")
    assert not any("².3" in p for p in err.value.problems), err.value.problems
    assert ("show.yaml:1: defaults: unknown key '３'; in {...} a comma separates keys: for ０,３ write bias: 0.3"
            in err.value.problems), err.value.problems


@pytest.mark.parametrize("value", ["1,2,3", "0,3,5", "1,000,00"])
def test_groups_that_make_no_one_number_get_no_reading(value):
    """`{seed: 1,2,3}` was told to write seed: 123, `{bias: 0,3,5}` bias: 035."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {{name: a, prompt: b, seed: {value}}}\n", "show.yaml")
    assert not any("comma separates" in p for p in err.value.problems), err.value.problems


@pytest.mark.parametrize("preset, said", [
    ("{name: a, prompt: b, seed: 1,000,000}", ["unknown key '000'; in {...} a comma separates keys: for 1,000,000 "
                                               "write seed: 1000000"]),
    ("{name: a, prompt: b, seed: 1,23,456}", ["unknown key '23'; in {...} a comma separates keys: for 1,23,456 write "
                                              "seed: 123456"]),
    ("{name: a, prompt: b, Seed: 1,234}", ["key 'Seed' is not read as 'seed'; write it seed: (lower case, no spaces)",
                                           "unknown key '234'; in {...} a comma separates keys: for 1,234 write seed: "
                                           "1234 (a thousands comma) or seed: 1.234 (a decimal one)"]),
    ("{name: a, prompt: b, seed: 12,34,567}", ["unknown key '34'; in {...} a comma separates keys: for 12,34,567 "
                                               "write seed: 1234567"]),
    ("{name: a, prompt: b, fallback: 1,000}", ["unknown key '000'; in {...} a comma separates keys: for 1,000 write "
                                               "fallback: '1,000' (quoted)"]),
    ("{name: 1,234, prompt: b}", ["unknown key '234'; in {...} a comma separates keys: for 1,234 write name: '1,234' "
                                  "(quoted)"])])
def test_a_number_cut_by_commas_in_braces_is_told_whole_once(preset, said):
    """`{seed: 1,000,000}` was told to write seed: 1000, then the second group again as an unknown key with the list
    of known ones; a recased key had no hint; a name, which is no number, was told to write one."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {preset}\n", "show.yaml")
    assert err.value.problems[:len(said)] == [f"show.yaml:2: preset 1: {line}" for line in said]
    assert sum("unknown key" in p for p in err.value.problems) == 1, err.value.problems


@pytest.mark.parametrize("written, said", [("1e3", "; write it in digits: 1000"), ("4.0", "; write seed: 4"),
                                           ("12 345", "; write seed: 12345 (no space or mark between its digits)"),
                                           ("12'345", "; write seed: 12345 (no space or mark between its digits)"),
                                           ("1 234 567", "; write seed: 1234567 (no space or mark between its digits)"),
                                           ("1.5", ""), ("1e40", ""), ("1e-9", ""), ("abc", ""), ("1 23", "")])
def test_a_whole_number_written_otherwise_is_told_in_digits(loader, written, said):
    """seed: 1e3 was told only that it must be a whole number, which it is; 4.0, in digits already, was told to
    write it in digits; 12 345 (a space between thousands) had no hint; a fraction or a number past the range is
    told the range alone. The line offered loads as the number meant."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: a\n    prompt: b\n    seed: {written}\n", "show.yaml")
    problem = only_problem(err)
    assert problem.endswith(f"preset 'a' seed must be a whole number from 0 to {2**63 - 1}{said}"), problem
    if offered := re.search(r"; write (seed: \d+)", said):
        meant = int(float(re.sub("[ ']", "", written)))
        assert parse_show(f"presets:\n  - name: a\n    prompt: b\n    {offered[1]}\n", "x").presets[0].seed == meant


def test_a_text_after_an_anchor_no_alias_repeats_is_noted_with_what_it_reads_as():
    """`prompt: &glitch city lights` went on air as 'city lights' without a word: YAML reads the &word as an
    anchor's name. An anchor an alias repeats is the file's own doing, and is left alone."""
    show = parse_show("presets:\n  - name: neon\n    prompt: &glitch city lights\n"
                      "  - {name: b, prompt: &p x, seed: 4}\n  - {name: c, prompt: *p}\n  - {name: d, prompt: '&e'}\n",
                      "amp.yaml")
    assert show.presets[0].prompts == {"city lights": 1.0}
    assert show.notes == ("amp.yaml:3: &glitch city lights reads as 'city lights': &glitch is a YAML anchor (a name "
                          "for the value, which nothing repeats with *glitch); to keep the &, put the whole text in "
                          "quotes",)


@pytest.mark.parametrize("text, line, first", [
    ("presets: [{name: a, prompt: city}]\n  - name: b\n    prompt: x\n", 2, 1),
    ("presets: [{name: a, prompt: city},\n  {name: b, prompt: x}]\n- {name: c, prompt: y}\n", 3, 1),
])
def test_a_list_item_after_a_list_in_brackets_is_told_to_write_the_list_one_way(loader, text, line, first):
    """`presets: [{...}]` and then `  - name: b` below it was told "did not find expected key" and to check
    indentation, quotes and brackets; written as said, the show loads with every preset."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    head = (f"show.yaml:{line}: not valid YAML: presets: on line {first} is a list in [...] that ends at its ], and "
            "this '- ' item starts a second list after it; write the list one way, each entry on a '- ' line under "
            "presets: (those in brackets: ")
    assert problem.startswith(head), problem
    entries = problem[len(head):-1].split(", - ")
    rest = text.split("\n")[line - 1:]
    dash = rest[0][:rest[0].index("-")]
    mended = "presets:\n" + "".join(f"{dash}- {entry.removeprefix('- ')}\n" for entry in entries) + "\n".join(rest)
    assert len(parse_show(mended, "show.yaml").presets) == len(entries) + 1


@pytest.mark.parametrize("brackets", [
    *(f"[{{name: a, prompt: {value}}}]"
      for value in ("2020-13-45", "2020-02-30", "!!int x", "!!float x", "!!bool maybe", "!!timestamp x")),
    "[&a [*a], {name: b, prompt: c}]", "[&a {k: *a}]"])
def test_a_list_item_after_a_list_in_brackets_that_no_line_can_write_is_told_without_its_entries(brackets):
    """A date with no such day or a tag its text does not fit, in the brackets, ended vcam with "ValueError: month
    must be in 1..12"; an alias inside its own anchor (`[&a [*a]]`) with a RecursionError, its line sought for a list
    in itself. The list written both ways is told, without the entries it could not read or no line can write."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets: {brackets}\n  - name: c\n", "show.yaml")
    assert only_problem(err) == (
        "show.yaml:2: not valid YAML: presets: on line 1 is a list in [...] that ends at its ], and this '- ' item "
        "starts a second list after it; write the list one way, each entry on a '- ' line under presets:")


@pytest.mark.parametrize("value", ["2020-13-45", "2020-02-30"])
def test_a_text_that_reads_as_a_date_with_no_such_day_is_offered_quoted(value):
    """flow_yaml, which every offered line is written by, raised ValueError on a text YAML reads as a date that
    is none; it offers the text quoted, as it loads back."""
    offered = flow_yaml({"prompt": value})
    assert offered is not None and yaml.safe_load(offered) == {"prompt": value}


def test_a_text_too_long_for_a_line_offered_is_not_read_as_yaml(monkeypatch):
    """A show of 1,320 long prompts in typographic quotes took four times as long to load as without them: each
    note's line was read as YAML thrice over before it was found too long to offer. None is offered, unread."""
    reads = []
    real = yaml.safe_load
    monkeypatch.setattr(yaml, "safe_load", lambda text: reads.append(text) or real(text))
    assert flow_yaml({"prompt": "neon " * 30 + "city"}) is None
    assert flow_yaml({"prompt": "n" * 90}) == "{prompt: " + "n" * 90 + "}"  # 100 characters, the most offered
    assert flow_yaml({"prompt": "n" * 91}) is None
    assert reads and not any("neon " * 30 in text for text in reads)


@pytest.mark.parametrize("text, line, said", [
    ("presets: [{name: a, prompt: city}\ncues: []\n", 1,
     "the [ that opens on line 1 (column 10) is never closed; close it at the end of line 1"),
    ("presets:\n  - {name: a, prompt: city\n  - {name: b, prompt: x}\n", 2,
     "the { that opens on line 2 (column 5) is never closed; close it at the end of line 2"),
    ("presets: [\n  {name: a, prompt: b},\n  {name: c, prompt: d}  # the last\ncues: []\n", 3,
     "the [ that opens on line 1 (column 10) is never closed; close it at the end of line 3"),
    ("presets: [{name: a, prompt: city]\n", 1,
     "the { that opens on line 1 (column 11) is still open at the ] of column 33; close it first"),
    ("output: {out: [vcam, window}\npresets:\n  - {name: a, prompt: b}\n", 1,
     "the [ that opens on line 1 (column 15) is still open at the } of column 28; close it first"),
    ("presets:\n  - name: a\n    prompts: [{text: a, weight: 0.5} {text: b, weight: 0.5}]\n", 3,
     "in [...] a comma separates entries; write one here"),
    ("presets:\n  - {name: a, prompt: b}\noutput: {out: [vcam] fps: 30}\n", 3,
     "in {...} a comma separates entries; write one here"),
])
def test_a_bracket_or_comma_left_out_is_told_where_with_the_line_mended(loader, text, line, said):
    """A flow list or mapping missing its close, closed by the other kind, or missing a comma between entries was
    told "did not find expected ',' or ']'" and to check indentation, quotes and brackets; the line offered loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    head = f"show.yaml:{line}: not valid YAML: {said}: "
    assert problem.startswith(head), problem
    offered = problem[len(head):]
    lines = text.split("\n")
    mended = next(i for i, old in enumerate(lines) if old.strip() and offered.startswith(old.strip()[:8]) and
                  old.split("#")[0].strip() != offered)
    lines[mended] = lines[mended][:len(lines[mended]) - len(lines[mended].lstrip())] + offered
    assert parse_show("\n".join(lines), "show.yaml").presets


@pytest.mark.parametrize("text, line, row, key, value", [
    ("presets:\n  - name: a\n    prompt neon city\n    seed: 3\n", 3, 3, "prompt", "neon city"),
    ("presets:\n  - name: a\n    prompt: x\n    seed 4\ncues: []\n", 4, 4, "seed", "4"),
    ("presets:\n  - name a\n    prompt: x\n", 2, 2, "name", "a"),
])
def test_a_key_without_its_colon_is_told_with_the_line_to_write(loader, text, line, row, key, value):
    """`prompt neon city` was told "could not find expected ':'" (or that mapping values are not allowed) and to
    check indentation, quotes and brackets; written as offered, the show loads. It is said at its own line, not at
    the line after it, where YAML stopped."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == (f"show.yaml:{line}: not valid YAML: line {row} has no ':' after {key}, and YAML read "
                                 f"it as a text where a key goes; write {key}: {value}")
    parse_show(text.replace(f"{key} {value}", f"{key}: {value}"), "show.yaml")


@pytest.mark.parametrize("entry, row, written, meant", [
    ("  - name: a\n    prompt:neon city\n", 3, "prompt:neon city", "prompt: neon city"),
    ("  - name:a\n    prompt: x\n", 2, "name:a", "name: a"),
    ("  - name: a\n    prompt: x\n    seed:3\n", 4, "seed:3", "seed: 3"),
    ("  - name: a\n    prompt:*star\n", 3, "prompt:*star", "prompt: '*star'"),
])
def test_a_key_without_the_space_after_its_colon_is_offered_the_line_with_it(loader, entry, row, written, meant):
    """`prompt:neon city`, the space after the colon left out, was told only "could not find expected ':'" (or
    "mapping values are not allowed"), to check indentation, quotes and brackets: YAML reads it as one text. It is
    told the line with the space, which loads as written."""
    text = f"presets:\n{entry}  - name: c\n    prompt: z\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    key, _, value = written.partition(":")
    assert problem.endswith(f"line {row} has no space after {key}:, and YAML read {written} as one text where a key "
                            f"goes; write {meant}"), problem
    preset = parse_show(text.replace(written, meant), "show.yaml").presets[0]
    assert value in (preset.name, str(preset.seed), *preset.prompts)


@pytest.mark.parametrize("written, mark", [("prompt = neon city", "'='"), ("prompt=neon city", "'='"),
                                           ("prompt\uff1aneon city", "a full-width \uff1a (an input method's)"),
                                           ("prompt\uff1a neon city", "a full-width \uff1a (an input method's)")])
def test_a_key_with_another_mark_for_its_colon_is_offered_the_line_with_the_colon(loader, written, mark):
    """`prompt = neon city` was offered `prompt: = neon city`, the '=' put on air as a word of the prompt;
    `prompt：neon city`, typed with an input method's full-width colon, was told only "could not find expected ':'".
    Each is told the mark, with the line to write, which loads with the prompt as meant."""
    text = f"presets:\n  - name: a\n    {written}\n  - name: b\n    prompt: y\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == (f"show.yaml:3: not valid YAML: line 3 has {mark} after prompt where a key takes a "
                                 "colon, and YAML read it as a text where a key goes; write prompt: neon city")
    assert parse_show(text.replace(written, "prompt: neon city"), "show.yaml").presets[0].prompts == {
        "neon city": 1.0}


@pytest.mark.parametrize("written, inner", [('"a "city" at night"', 'a "city" at night'),
                                            ("'it's a neon city'", "it's a neon city")])
def test_a_text_in_quotes_with_the_same_quote_inside_is_offered_both_readings(loader, written, inner):
    """`prompt: "a "city" at night"` was offered `prompt: '"a "city" at night"'`, its outer quotes (most likely YAML's)
    kept to go on air; both readings are offered, each loading as said."""
    text = f"presets:\n  - name: a\n    prompt: {written}\n  - name: b\n    prompt: y\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    found = re.search(r"; where the outer quotes were YAML's, write (.+); where they are the prompt's own, write (.+)$",
                      only_problem(err))
    assert found is not None, only_problem(err)
    for line, meant in zip(found.groups(), (inner, written)):
        assert list(parse_show(text.replace(f"prompt: {written}", line), "show.yaml").presets[0].prompts) == [meant]


@pytest.mark.parametrize("written", ['"neon" city "rain"', '"neon" city "rain" at "night"', "'neon' city 'rain'"])
def test_a_text_in_quotes_whose_inner_quotes_pair_no_words_is_offered_one_reading(loader, written):
    """`prompt: "neon" city "rain"` was offered, as well, `prompt: neon" city "rain`, read as held in outer quotes
    whose inner ones pair round no words: only the whole text in quotes is offered, which loads as written."""
    text = f"presets:\n  - name: a\n    prompt: {written}\n  - name: b\n    prompt: y\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    found = re.search(r"; put the whole text in quotes: (prompt: .+)$", only_problem(err))
    assert found is not None and "outer quotes" not in only_problem(err), only_problem(err)
    assert list(parse_show(text.replace(f"prompt: {written}", found[1]), "show.yaml").presets[0].prompts) == [written]


@pytest.mark.parametrize("written, meant", [
    ('prompt:"neon city"', 'prompt: "neon city"'), ("prompt = 'neon city'", "prompt: 'neon city'"),
    ("prompt\uff1a'neon city'", "prompt: 'neon city'"), ('prompt "neon city"', 'prompt: "neon city"'),
])
def test_a_key_s_quoted_value_written_without_its_colon_and_space_keeps_the_quotes_yaml_s(loader, written, meant):
    """`prompt:"neon city"` was offered prompt: '"neon city"', which loads with the quotes on air: quotes round the
    whole value are YAML's, as they are after a colon and a space. The line offered loads as the text inside them."""
    text = f"presets:\n  - name: a\n    {written}\n  - name: c\n    prompt: z\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err).endswith(f"; write {meant}"), err.value.problems
    assert parse_show(text.replace(written, meant), "show.yaml").presets[0].prompts == {"neon city": 1.0}


@pytest.mark.parametrize("written, mark, meant", [
    ("prompt == neon city", "'='", "prompt: neon city"),
    ("prompt \uff1d neon city", "a full-width \uff1d (an input method's)", "prompt: neon city"),
    ("prompt\uff1dneon city", "a full-width \uff1d (an input method's)", "prompt: neon city"),
    ("prompt = = neon city", "'='", "prompt: neon city"),
    ("prompt \uff1d\uff1d neon city", "a full-width \uff1d (an input method's)", "prompt: neon city"),
    ("prompt =", "'='", None),
])
def test_a_key_written_with_another_mark_for_its_colon_puts_no_mark_on_air(loader, written, mark, meant):
    """`prompt == neon city` was offered prompt: = neon city, `prompt ＝ neon city` (a full-width equals sign)
    prompt: ＝ neon city, and `prompt =` prompt: '=': the mark went on air. The mark is told, and the line offered
    loads as the text alone; with nothing after the mark, the value is still to write."""
    text = f"presets:\n  - name: a\n    {written}\n  - name: c\n    prompt: z\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    # with nothing to write, the line offered is a template: a sentence copied with it would go on air
    assert only_problem(err) == (f"show.yaml:3: not valid YAML: line 3 has {mark} after prompt where a key takes a "
                                 "colon, and YAML read it as a text where a key goes; " +
                                 (f"write {meant}" if meant else
                                  "its text is still to write, after a colon and a space: prompt: TEXT")), \
        err.value.problems
    if meant:
        assert parse_show(text.replace(written, meant), "show.yaml").presets[0].prompts == {"neon city": 1.0}


@pytest.mark.parametrize("written", ["prompt:a", "prompt a", "prompt = a", "prompt\uff1aa"])
def test_a_key_s_value_with_a_long_run_of_spaces_inside_is_told_at_once(written):
    """`prompt:a`, 300,000 spaces and `b` (a paste gone wrong) kept the check, start or reload for minutes: the
    line was matched with `(.*?)[ \t]*`, which tried every split of the run of spaces. It is told at once; the
    minute allowed is many times what it takes."""
    import signal

    def too_long(*_):
        raise TimeoutError("the line was still being read after a minute")

    text = f"presets:\n  - name: a\n    {written}{' ' * 300_000}b\n  - name: c\n    prompt: z\n"
    before = signal.signal(signal.SIGALRM, too_long)
    signal.alarm(60)
    try:
        with pytest.raises(ConfigError) as err:
            parse_show(text, "show.yaml")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, before)
    assert only_problem(err).startswith("show.yaml:3: not valid YAML: line 3 has "), err.value.problems


@pytest.mark.parametrize("value", ["[dusk forest", "*star", "- a", "'it's", "%x", "@x", "`x", "? x", "{a",
                                   "!x", "&x y", "null", "2020-13-45", "7", "-1", "3.5", "0"])
def test_a_prompt_without_its_colon_is_offered_a_line_that_loads_as_the_text_written(loader, value):
    """`prompt *star` was offered `prompt: *star`, refused again (or `prompt &x y`, `prompt: &x y`, loaded as 'y');
    the line offered loads, with the prompt as written."""
    text = f"presets:\n  - name: a\n    prompt {value}\n    seed: 3\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    head = ("show.yaml:3: not valid YAML: line 3 has no ':' after prompt, and YAML read it as a text where a key "
            "goes; write ")
    problem = only_problem(err)
    assert problem.startswith(head), problem
    show = parse_show(text.replace(f"prompt {value}", problem[len(head):]), "show.yaml")
    assert show.presets[0].prompts == {value: 1.0}


@pytest.mark.parametrize("text, row, key, value", [
    ("presets:\n  - name: a\n    prompt !!timestamp nope\n", 3, "prompt", "!!timestamp nope"),
    ("presets:\n  - name !!bool maybe\n    prompt: x\n", 2, "name", "!!bool maybe"),
    ("presets:\n  - name: a\n    prompt: x\n    seed !!bool maybe\n", 4, "seed", None),
])
def test_a_key_without_its_colon_whose_value_is_a_tag_yaml_cannot_build_is_refused(loader, text, row, key, value):
    """`prompt !!timestamp nope` or `seed !!bool maybe`, the line tried with its colon, ended vcam with an
    AttributeError or "KeyError: 'maybe'"; it is refused, a text's key offered its line quoted, which loads as
    written."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    if value is None:
        assert "check indentation, quotes and brackets" in problem, problem
        return
    said = f"line {row} has no ':' after {key}, and YAML read it as a text where a key goes; write "
    assert said in problem, problem
    show = parse_show(text.replace(f"{key} {value}", problem.split(said)[1]), "show.yaml")
    assert value in (show.presets[0].name, *show.presets[0].prompts)


@pytest.mark.parametrize("text, line, written, offered", [
    ("presets:\n  - name: a\n    prompts:\n      - text 5\n        weight: 1\n", 4, "text 5", "text: '5'"),
    ("presets:\n  - {name: a, prompt: x}\ncues:\n  - name 1\n    do: next\n", 4, "name 1", "name: '1'"),
])
def test_a_text_key_without_its_colon_before_a_number_is_offered_the_number_quoted(text, line, written, offered):
    """`text 5` was offered `text: 5`, refused again as a number where a text goes; the line offered holds the
    number as a text."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err).endswith(f"line {line} has no ':' after {written.split()[0]}, and YAML read it as a "
                                      f"text where a key goes; write {offered}")


@pytest.mark.parametrize("header, prompt", [(">-", "neon rain"), ("|", "neon\nrain"), (">", "neon rain")])
def test_a_prompt_without_its_colon_before_lines_indented_under_it_is_offered_its_block_header(loader, header,
                                                                                              prompt):
    """`prompt >-` over the lines of its text was offered `prompt: '>-'`, refused again at the lines below it; the
    header is offered unquoted, and the show loads with the text of those lines. It is said at the header's line,
    not at the line after the text, where YAML stopped."""
    text = f"presets:\n  - name: a\n    prompt {header}\n      neon\n      rain\n    seed: 3\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    head = ("show.yaml:3: not valid YAML: line 3 has no ':' after prompt, and YAML read it as a text where a key "
            "goes; write ")
    problem = only_problem(err)
    assert problem == head + f"prompt: {header}", problem
    assert parse_show(text.replace(f"prompt {header}", problem[len(head):]), "show.yaml").presets[0].prompts == {
        prompt: 1.0}


@pytest.mark.parametrize("under", ["      # c\n", "\n      # c\n\n"])
def test_a_prompt_without_its_colon_over_only_a_comment_is_not_offered_its_block_header(loader, under):
    """`prompt >-` over an indented `# c` alone was offered `prompt: >-`, which loads '# c' as the prompt, on air:
    a comment is no line of the text, and the header is not offered."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: a\n    prompt >-\n{under}    seed: 3\n", "show.yaml")
    problem = only_problem(err)
    assert "has no ':' after prompt" in problem and not problem.endswith("write prompt: >-"), problem


@pytest.mark.parametrize("header, under", [(">-", ""), (">-", "    # c\n"), ("|2", ""), ("|-", "      # c\n"),
                                           (">-", "    neon rain\n"), ("|", ""), (">", ""), ("|", "    # c\n")])
def test_a_prompt_without_its_colon_over_no_text_is_told_the_block_s_shape_not_offered_its_header_quoted(
        loader, header, under):
    """`prompt >-` over no lines of its text (nothing, a comment, the text not indented under it) was offered
    `prompt: '>-'`, which loads and puts '>-' on air, and a bare `prompt |` `prompt: '|'`: a header is a block whose
    text is still to write. It is told the shape, which loads with the text written under it."""
    text = f"presets:\n  - name: a\n    prompt {header}\n{under}  - name: b\n    prompt: x\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    assert problem.endswith(f"line 3 has no ':' after prompt, and YAML read it as a text where a key goes; a text "
                            f"written across lines is prompt: {header} with its lines under it, indented deeper than "
                            "prompt:"), problem
    written = text.replace(f"prompt {header}\n{under}", f"prompt: {header}\n      neon rain\n")
    assert parse_show(written, "show.yaml").presets[0].prompts == {"neon rain": 1.0}


@pytest.mark.parametrize("written, said, offered", [
    ("presets:\n  - name: a\n    proompt: [unclosed\n",
     "show.yaml:3: not valid YAML: the [ that opens on line 3 (column 14) is never closed",
     "presets:\n  - name: a\n    proompt: [unclosed]\n"),
    ("defaults: {{seed: 3}\n", "show.yaml:1: not valid YAML: the { that opens on line 1 (column 11) is never closed",
     "defaults: {{seed: 3}}\n"),
    ("defaults: {{seed: 3}}}\n",
     "show.yaml:1: not valid YAML (", "defaults: {{seed: 3}}\n"),  # YAML's own words: libyaml's or PyYAML's
])
def test_a_bracket_mended_into_a_line_that_would_be_refused_is_said_without_that_line(loader, written, said, offered):
    """`proompt: [unclosed` was offered `proompt: [unclosed]`, refused next as an unknown key (and as prompt:, as a
    list where a text goes); `defaults: {{seed: 3}` and `{{seed: 3}}}` were offered `defaults: {{seed: 3}}`, a
    mapping keyed by a mapping, refused. What is open is said without the line."""
    rest = "  - name: b\n    prompt: x\n" if written.startswith("presets") else "presets:\n  - name: a\n    prompt: x\n"
    with pytest.raises(ConfigError) as err:
        parse_show(written + rest, "show.yaml")
    problem = only_problem(err)
    assert (problem == said or said.endswith("(") and problem.startswith(said)) and offered.split("\n")[-2].strip() \
        not in problem, problem
    with pytest.raises(ConfigError):  # the line it was offered, refused
        parse_show(offered + rest, "show.yaml")


@pytest.mark.parametrize("tail, offered", [
    ("  - {name: open, prompt: b\n  - name: z\n    prompt: q\n", "- {name: open, prompt: b}"),
    ("defaults: {seed: 3\n", "defaults: {seed: 3}"),
    ("  - name: open\n    proompt: [b\n  - name: z\n    prompt: q\n", None),
    ("defaults: {{seed: 3}\n", None),
])
def test_a_bracket_left_open_in_a_long_show_is_offered_from_its_own_lines(loader, monkeypatch, tail, offered):
    """A bracket left open in a long show (600 KB) took seconds more at each check, start and reload: each line
    offered was checked by building the whole show again in pure Python. Only the lines of the value mended are
    built, and what is offered, or said without a line, is as in a short show."""
    body = "presets:\n" + "".join(f"  - name: p{i}\n    prompt: a neon city at night {i}\n" for i in range(2500))
    built = []
    load = yaml.load
    monkeypatch.setattr(yaml, "load", lambda text, Loader: built.append(len(text)) or load(text, Loader=Loader))
    with pytest.raises(ConfigError) as err:
        parse_show(body + tail, "show.yaml")
    problem = only_problem(err)
    assert len(body) > 100_000 and all(size < 1000 for size in built), built
    with pytest.raises(ConfigError) as short:  # as said of the same lines in a short show
        parse_show("presets:\n" + tail, "show.yaml")
    assert problem.partition("YAML: ")[2].split(" on line")[0] == only_problem(short).partition("YAML: ")[2].split(
        " on line")[0]
    assert problem.endswith(f": {offered}") if offered else problem.endswith("is never closed"), problem
    if offered:
        written = body + tail.replace(tail.split("\n")[0].strip(), offered)
        assert parse_show(written, "show.yaml").presets[2500:] in ((), (Preset("open", {"b": 1.0}),
                                                                         Preset("z", {"q": 1.0})))


@pytest.mark.parametrize("tail", [
    "  - name: a\n    prompt: !!str\n      [neon, city\n  - name: z\n    prompt: q\n",
    "  - name: a\n    prompt: b\n    seed: !!int\n      [3\n  - name: z\n    prompt: q\n",
    "  - name: a\n    prompts: !!map\n      [{text: neon, weight: 1}\n  - name: z\n    prompt: q\n",
    "  - name: a\n    prompts: !!seq\n      [{text: neon, weight: 1}\n  - name: z\n    prompt: q\n",
    "  - !!map\n    {name: a, prompt: b\n  - name: z\n    prompt: q\n",
    # an anchor inside the bracket, merged below by an alias: built alone, the lines never meet the merge
    "  - name: a\n    prompts:\n      [{text: neon, weight: 1},\n       &p city\n"
    "  - <<: *p\n    name: z\n    prompt: q\n",
])
def test_a_bracket_left_open_under_a_tagged_key_in_a_long_show_is_answered_as_in_a_short_one(loader, tail):
    """`prompt: !!str` over `[neon, city` left open in a show past 64,000 characters was offered `[neon, city]`,
    refused when written (a text tagged on a list): the lines offered were built without the key's line and its
    tag, where a short show is offered no line (as with an anchor merged by an alias further on). The long show is
    answered as the short one, and a line offered loads in the whole show."""
    body = "presets:\n" + "".join(f"  - name: p{i}\n    prompt: a neon city at night {i}\n" for i in range(2500))
    with pytest.raises(ConfigError) as err:
        parse_show(body + tail, "show.yaml")
    with pytest.raises(ConfigError) as short:
        parse_show("presets:\n" + tail, "show.yaml")
    problem, said = only_problem(err), only_problem(short)
    told = [re.sub(r"line \d+", "line N", one.partition("is never closed")[2]) for one in (problem, said)]
    assert len(body) > 64_000 and told[0] == told[1], (problem, said)
    if offered := problem.partition("close it at the end of line ")[2].partition(": ")[2]:
        opened = next(line for line in tail.split("\n") if line.strip()[:1] in "[{")
        written = body + tail.replace(opened, opened[:len(opened) - len(opened.lstrip())] + offered)
        assert parse_show(written, "show.yaml").presets[2500].name == "a"


@pytest.mark.parametrize("entry", ["  - name 7\n    prompt: x\n", "  - prompt: x\n    name 12\n"])
def test_a_preset_name_of_digits_without_its_colon_is_told_to_add_a_word(loader, entry):
    """`- name 7` under presets was offered `name: '7'`, refused again: a preset's name cannot be a plain number,
    quoted or not, as numbers select presets by position; it is told so, and to add a word, as written it loads."""
    text = "presets:\n  - {name: a, prompt: y}\n" + entry
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    number = entry.split("name ")[1].split()[0]
    assert problem.endswith(f"has no ':' after name, and YAML read it as a text where a key goes; a preset's name "
                            "cannot be a plain number (numbers select presets by position): write name: and a word "
                            f"with it, like name: scene {number}"), problem
    mended = parse_show(text.replace(f"name {number}", f"name: scene {number}"), "show.yaml")
    assert mended.presets[1].name == f"scene {number}"


@pytest.mark.parametrize("written", ['name:"7"', "name = '7'", "name:'12'", 'name \uff1a "7"'])
def test_a_quoted_preset_name_of_digits_without_its_colon_is_told_to_add_a_word(loader, written):
    """`name:"7"` and `name = '7'` in a preset were offered `name: "7"` and `name: '7'`, refused when written (a
    preset's name cannot be a plain number, quoted or not): the digits are told as YAML reads the value, with a
    word to add, and the name written as offered loads."""
    text = f"presets:\n  - {{name: a, prompt: y}}\n  - prompt: x\n    {written}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    number = re.sub(r"\D", "", written)
    assert problem.endswith("; a preset's name cannot be a plain number (numbers select presets by position): write "
                            f"name: and a word with it, like name: scene {number}"), problem
    assert parse_show(text.replace(written, f"name: scene {number}"), "show.yaml").presets[1].name == f"scene {number}"


@pytest.mark.parametrize("line", ["seed 3 4", "seed 010", "input off"])
def test_a_key_without_its_colon_whose_value_reads_otherwise_with_one_is_offered_no_line(loader, line):
    """`seed 010` was offered `seed: 010`, which loads as seed 8; `input off` was offered `input: off`, read as
    false; `seed 3 4` was offered `seed: 3 4`, refused again: where no line reads as written, none is offered."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: a\n    {line}\n    prompt: x\n", "show.yaml")
    assert "write" not in only_problem(err).split("has no ':'")[-1], only_problem(err)


@pytest.mark.parametrize("text, line, row, column, key, opener, value", [
    ("presets:\r\n  - name: neon\r\n    prompt: x\r\n  - name: dusk\r\n    prompt: [dusk forest\r\n", 6, 5, 13,
     "prompt", "[", "[dusk forest"),
    ("presets:\n  - name: neon\n    prompt: [dusk forest\n  - name: b\n    prompt: x\n", 4, 3, 13, "prompt", "[",
     "[dusk forest"),
    ("presets:\n  - name: neon\n    prompt: {dusk forest\n  - name: b\n    prompt: x\n", 4, 3, 13, "prompt", "{",
     "{dusk forest"),
    ("presets:\n  - name: [c\n    prompt: x\n  - name: b\n    prompt: x\n", 3, 2, 11, "name", "[", "[c"),
    ("presets:\n  - name: neon\n    prompt: [dusk forest # moody\n  - name: b\n    prompt: x\n", 4, 3, 13,
     "prompt", "[", "[dusk forest"),
    ("presets:\n  - name: neon\n    prompt: [[a\n", 4, 3, 13, "prompt", "[", "[[a"),
    ("presets:\n  - name: neon\n    prompt: [a, [b\n", 4, 3, 13, "prompt", "[", "[a, [b"),
    ("presets:\n  - name: neon\n    prompt: {a: [b\n", 4, 3, 13, "prompt", "{", "{a: [b"),
    ("presets:\n  - name: neon\n    prompt: [{a\n", 4, 3, 13, "prompt", "[", "[{a"),
    ("presets:\n  - name: [[b\n    prompt: x\n", 3, 2, 11, "name", "[", "[[b"),
    ("presets:\n  - name: a\n    prompts:\n      - text: [[a\n  - name: b\n    prompt: x\n", 5, 4, 15, "text", "[",
     "[[a"),
])
def test_a_text_opening_a_bracket_never_closed_is_offered_it_in_quotes(loader, text, line, row, column, key, opener,
                                                                      value):
    """`prompt: [dusk forest`, saved mid-edit, was told "did not find expected ',' or ']'" (at the file's end) or
    that a comma goes before the next preset's name:, then offered it closed, `prompt: [dusk forest]`, refused as a
    list where a text goes, and the text quoted with the comment after it inside; the text quoted alone loads. It
    is told at the bracket's own line, not at the next key's (`line`), where YAML found it open."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    what = "list" if opener == "[" else "mapping"
    head = (f"show.yaml:{row}: not valid YAML: the {opener} that opens on line {row} (column {column}) is never "
            f"closed, and {key}: takes a text, not a {what}: put the whole text in quotes: ")
    problem = only_problem(err)
    assert problem.startswith(head), problem
    lines = text.split("\n")
    lines[row - 1] = lines[row - 1][:lines[row - 1].index(key)] + problem[len(head):].removeprefix("- ")
    show = parse_show("\n".join(lines), "show.yaml")
    assert value in {show.presets[0].name, *show.presets[0].prompts, *show.presets[-1].prompts}


@pytest.mark.parametrize("text, offered", [
    ("presets:\n  - name: neon\n    prompt:\n      [neon, city\n", "'[neon, city'"),
    ("presets:\n  - name: neon\n    prompt:   # moody\n      [neon, city\n  - name: b\n    prompt: x\n",
     "'[neon, city'"),
    ("presets:\n  - name: neon\n    prompt:\n      {neon city\n  - name: b\n    prompt: x\n",
     "'{neon city'"),
])
def test_a_text_on_the_line_under_its_key_opening_a_bracket_never_closed_is_offered_it_in_quotes(loader, text,
                                                                                                offered):
    """`prompt:` over `  [neon, city` was offered `[neon, city]`, refused next as a list where the prompt's text
    goes; the text quoted, as on the key's own line, loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    opener = offered[1]
    problem = only_problem(err)
    assert problem == (f"show.yaml:4: not valid YAML: the {opener} that opens on line 4 (column 7) is never closed, "
                       f"and prompt: takes a text, not a {'list' if opener == '[' else 'mapping'}: put the whole text "
                       f"in quotes: {offered}"), problem
    lines = text.split("\n")
    lines[3] = "      " + offered
    assert parse_show("\n".join(lines), "show.yaml").presets[0].prompts == {offered[1:-1]: 1.0}


@pytest.mark.parametrize("text, line, row", [
    ("presets:\n  -name: a\n    prompt: x\n", 3, 2),
    ("presets:\n  - name: a\n    prompt: x\n  -name: b\n    prompt: y\n", 4, 4),
])
def test_a_list_dash_without_its_space_is_told_with_the_line_to_write(loader, text, line, row):
    """`-name: b` was told "did not find expected '-' indicator" (or that mapping values are not allowed) and to
    check indentation, quotes and brackets; written as offered, the show loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    name = "a" if row == 2 else "b"
    assert only_problem(err) == (f"show.yaml:{line}: not valid YAML: line {row} starts -name: with no space after its "
                                 f"'-', which YAML reads as a key '-name'; a list item is a '-' and a space: write "
                                 f"- name: {name}")
    assert len(parse_show(text.replace("-name:", "- name:"), "show.yaml").presets) == row // 2


@pytest.mark.parametrize("text, row", [
    ("name: my nano\ncontrols:\n  - {cc: 0, param: blend}\n  -{cc: 16, param: steps}\n", 4),
    ("name: my nano\ncontrols:\n  -{cc: 0, param: blend}\n  - {cc: 16, param: steps}\n", 3),
])
def test_a_map_entrys_dash_without_its_space_is_told_with_the_line_to_write(tmp_path, loader, text, row):
    """`-{cc: 16, param: steps}` in a MIDI map was told "did not find expected '-' indicator" and to check indentation,
    quotes and brackets; written as offered, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_map(path)
    entry = text.split("\n")[row - 1].strip().removeprefix("-")
    assert only_problem(err) == (f"{path}:{row}: not valid YAML: line {row} starts -{{ with no space after its '-'; a "
                                 f"list item is a '-' and a space: write - {entry}")
    path.write_text(text.replace("-{", "- {"))
    assert len(load_map(path).knobs) == 2


@pytest.mark.parametrize("first, second, fix", [
    ("  ", "    ", "indent it 2 spaces"), ("  ", " ", "indent it 2 spaces"),
    ("", "  ", "start it at the start of the line")])
def test_a_map_entry_indented_otherwise_than_the_one_above_is_told_how_far_to_indent_it(tmp_path, loader, first,
                                                                                         second, fix):
    """A line of vcam midi learn pasted at another indentation than the entry above was told "did not find expected
    '-' indicator" (or key) and to check indentation, quotes and brackets; indented as offered, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n{first}- {{cc: 0, param: blend}}\n\n"
                    f"{second}- {{cc: 32, command: next}}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == (f"{path}:5: not valid YAML: this '- ' is indented {len(second)} "
                                 f"{'space' if len(second) == 1 else 'spaces'} and the '- ' of line 3 above it "
                                 f"{len(first)}: the entries of one list line up; {fix}")
    path.write_text(path.read_text().replace(f"\n{second}- {{cc: 32", f"\n{first}- {{cc: 32"))
    assert len(load_map(path).buttons) == 1


@pytest.mark.parametrize("line, entry", [("  - cc: 0, param: blend   # fader 1", "{cc: 0, param: blend}   # fader 1"),
                                         ("  - note: 36, command: preset 3", "{note: 36, command: preset 3}")])
def test_a_map_control_written_without_its_braces_is_told_to_put_them_around_its_keys(tmp_path, loader, line, entry):
    """`- cc: 0, param: blend` was told a ': ' inside a value reads as a new key, with a prompt's fix (quotes); written
    as offered, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 16, param: steps}}\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == (f"{path}:4: not valid YAML: a control's keys on one line go in braces, or YAML reads "
                                 f"the ', ' as part of the first key's value: write - {entry}")
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 16, param: steps}}\n  - {entry}\n")
    assert len(load_map(path).knobs + load_map(path).buttons) == 2


@pytest.mark.parametrize("line", ["  - note: 36, command: prompt city at night, style: noir",
                                  "  - note: 36, command: prompt city at night, light: red",
                                  "  - cc: 0, param: blend, command: next"])
def test_a_map_control_without_braces_whose_keys_a_control_has_not_is_not_offered_them(tmp_path, loader, line):
    """`- note: 36, command: prompt city at night, style: noir` was offered `- {note: 36, command: ..., style: noir}`,
    refused as written ("unknown key 'style'"), and with `light: red` (a button's key, but no light) too: the
    ', light: red' is the prompt's, and quotes are the fix."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 16, param: steps}}\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == (f"{path}:4: not valid YAML: a ': ' inside a value reads as a new key; a prompt with a "
                                 "colon: put it in quotes; a key indented deeper than the line before: line it up")


@pytest.mark.parametrize("line, said", [
    ("  - {cc: 60, command: next}}", "this } closes nothing opened before it on its line; remove it: "
                                     "- {cc: 60, command: next}"),
    ("  - {cc: 60, command: next]", "the { that opens at column 5 is closed by a ]; close it with }: "
                                    "- {cc: 60, command: next}")])
def test_a_map_control_closed_with_a_bracket_too_many_or_of_the_other_kind_is_told_the_line_to_write(tmp_path, loader,
                                                                                                    line, said):
    """`- {cc: 60, command: next}}` and `- {cc: 60, command: next]` were told YAML's "did not find expected '-'
    indicator" (or ',' or '}') and to check indentation, quotes and brackets; written as offered, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n{line}\n  - {{cc: 16, param: steps}}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == f"{path}:3: not valid YAML: {said}"
    path.write_text(f"name: my nano\ncontrols:\n  {said[said.index(': - ') + 2:]}\n  - {{cc: 16, param: steps}}\n")
    assert len(load_map(path).knobs + load_map(path).buttons) == 2


@pytest.mark.parametrize("line, closer, entry", [
    ("  -{cc: 16, param: steps", "}", "{cc: 16, param: steps}"),
    ("  -{cc: 16, param: steps   # fader 2", "}", "{cc: 16, param: steps}   # fader 2"),
    ("  -{cc: 16, param: blend, between: [city, ocean", "]}", "{cc: 16, param: blend, between: [city, ocean]}")])
def test_a_map_entrys_dash_without_its_space_and_its_close_is_offered_the_line_closed(tmp_path, loader, line, closer,
                                                                                      entry):
    """`-{cc: 16, param: steps` was offered `- {cc: 16, param: steps`, the } still left out; written as offered, the
    map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: blend}}\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == (f"{path}:4: not valid YAML: line 4 starts -{{ with no space after its '-', and no "
                                 f"{closer} closes what it opens; a list item is a '-' and a space: write - {entry}")
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: blend}}\n  - {entry}\n")
    assert len(load_map(path).knobs) == 2


@pytest.mark.parametrize("lines, row, entry", [
    (["  -{cc: 16, param: blend,", "    between: [neon city, forest]}"], 4, "{cc: 16, param: blend,"),
    (["  -{cc: 16,", "    param: steps}"], 4, "{cc: 16,"),
    (["  -{cc: 16, param: steps,   # fader 2", "    range: [1, 8]}"], 4, "{cc: 16, param: steps,   # fader 2")])
def test_a_map_entrys_dash_without_its_space_over_lines_is_offered_the_space_alone(tmp_path, loader, lines, row,
                                                                                   entry):
    """`-{cc: 16, param: blend,` continued on the next line was offered `- {cc: 16, param: blend,}`, closed early and
    refused again, and `-{cc: 16,` over `param: steps}` was said at the line after the one it named; written as
    offered, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text("name: my nano\ncontrols:\n  - {cc: 0, param: blend}\n" + "\n".join(lines) + "\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == (f"{path}:{row}: not valid YAML: line {row} starts -{{ with no space after its '-'; "
                                 f"a list item is a '-' and a space: write - {entry}")
    path.write_text("name: my nano\ncontrols:\n  - {cc: 0, param: blend}\n" + "\n".join([f"  - {entry}", *lines[1:]])
                    + "\n")
    assert len(load_map(path).knobs) == 2


@pytest.mark.parametrize("line, closer, entry", [
    ("  -{cc: 16, param: steps, range: [1, 8], curve: 'log'", "}",
     "{cc: 16, param: steps, range: [1, 8], curve: 'log'}"),
    ("  -{cc: 16, param: steps, curve: \"log\"  # fader 2", "}", "{cc: 16, param: steps, curve: \"log\"}  # fader 2"),
    ("  -{note: 36, command: 'prompt city [night]'", "}", "{note: 36, command: 'prompt city [night]'}")])
def test_a_map_entrys_dash_without_its_space_and_its_close_with_a_quote_is_offered_the_line_closed(tmp_path, loader,
                                                                                                  line, closer, entry):
    """`-{cc: 16, param: steps, range: [1, 8], curve: 'log'` was offered the line with its } still left out (a quote
    on the line kept it from being closed); written as offered, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: blend}}\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == (f"{path}:4: not valid YAML: line 4 starts -{{ with no space after its '-', and no "
                                 f"{closer} closes what it opens; a list item is a '-' and a space: write - {entry}")
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: blend}}\n  - {entry}\n")
    loaded = load_map(path)
    assert len(loaded.knobs + loaded.buttons) == 2


@pytest.mark.parametrize("line", ["  -[cc, 16]", "  -[cc, 16]  # fader 2"])
def test_a_map_entrys_dash_without_its_space_before_a_list_is_not_offered_the_list(tmp_path, loader, line):
    """`-[cc, 16]` was offered `- [cc, 16]`, refused next as a control that is no mapping: no list of a show or map
    takes a list as its item, and what to write is said without a line that is refused."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: blend}}\n{line}\n  - {{cc: 17, param: steps}}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert only_problem(err) == (f"{path}:4: not valid YAML: line 4 starts -[ with no space after its '-'; a list "
                                 "item is a '-' and a space, and no list in a show or map takes a list in [...] as "
                                 "its item")


@pytest.mark.parametrize("line, entry", [
    ('  -{cc: 16, param: "blend}', '{cc: 16, param: "blend"}'),
    ("  -{note: 36, command: 'preset 1}", "{note: 36, command: 'preset 1'}"),
    ('  -{cc: 16, param: "blend', '{cc: 16, param: "blend"}')])
def test_a_map_entrys_dash_without_its_space_and_a_quote_left_open_is_offered_the_quote_closed(tmp_path, loader,
                                                                                              line, entry):
    """`-{cc: 16, param: "blend}` was offered `- {cc: 16, param: "blend}`, its quote still open and refused again;
    written as offered, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: strength}}\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    problem = only_problem(err)
    assert problem.startswith(f"{path}:4: not valid YAML: line 4 starts -{{ with no space after its '-', and no "
                              f"{entry[-2]} closes the text it opens"), problem
    assert problem.endswith(f"; a list item is a '-' and a space: write - {entry}"), problem
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: strength}}\n  - {entry}\n")
    loaded = load_map(path)
    assert len(loaded.knobs + loaded.buttons) == 2


@pytest.mark.parametrize("line", ["  }", "]", "  }  # controls end"])
def test_a_lone_closer_on_its_own_line_is_told_to_go_with_its_line(tmp_path, loader, line):
    """A } or ] alone on a line was told "remove it: " with nothing after the colon; deleted, the map loads."""
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: my nano\ncontrols:\n  - {{cc: 0, param: blend}}\n{line}\n  - {{cc: 16, param: steps}}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    closer = line.strip()[0]
    assert only_problem(err) == (f"{path}:4: not valid YAML: line 4 holds a lone {closer}, which closes nothing "
                                 "opened before it; delete the line")
    path.write_text("name: my nano\ncontrols:\n  - {cc: 0, param: blend}\n  - {cc: 16, param: steps}\n")
    assert len(load_map(path).knobs) == 2


def test_a_dash_without_its_space_where_no_list_item_fits_is_offered_the_key_alone(loader):
    """`    -prompts: [...` at the column of the entry's keys was offered `- prompts:`, which YAML then refused as a
    '- ' inside that entry; the key without its '-' is offered, and written so, the slip left is the [ never closed."""
    text = "presets:\n  - name: a\n    -prompts: [{text: x, weight: 1}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == ("show.yaml:4: not valid YAML: line 3 starts -prompts: with no space after its '-', "
                                 "which YAML reads as a key '-prompts'; no list item goes at its column: write "
                                 "prompts: [{text: x, weight: 1}")
    with pytest.raises(ConfigError) as err:
        parse_show(text.replace("-prompts:", "prompts:"), "show.yaml")
    assert "the [ that opens on line 3 (column 14) is never closed" in only_problem(err)


def test_a_key_the_entry_above_has_already_is_offered_an_entry_of_its_own(loader):
    """`     name: b` one space past a preset's keys, under its prompts, was offered column 4, where it is the
    preset's second name: and refused again; it is offered as a new preset's '- name: b', which loads."""
    text = "presets:\n  - name: a\n    prompts:\n      - text: x\n     name: b\n    prompt: y\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == (
        "show.yaml:5: not valid YAML: name: is indented 5 spaces, and lined up with prompts: above it (line 3) it "
        "would be a second name: of that entry (line 2); where it starts an entry of its own, begin it with '- ' as "
        "line 2 does: write - name: b")
    show = parse_show(text.replace("     name: b", "  - name: b"), "show.yaml")
    assert [preset.name for preset in show.presets] == ["a", "b"]


@pytest.mark.parametrize("text, line, above, entry, key, value", [
    ("presets:\n  - name: a\n    prompt: x\n     name: b\n    prompt: y\n", 4, "prompt", 2, "name", "b"),
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n        weight: 1\n         text: y\n        weight: 2\n",
     6, "weight", 4, "text", "y"),
])
def test_a_key_deeper_than_a_value_that_the_entry_has_already_is_offered_an_entry_of_its_own(loader, text, line, above,
                                                                                             entry, key, value):
    """`     name: b` one space past a preset's `prompt: x` was offered column 4, where it is the preset's second
    name: and refused again; it is offered as a new entry's '- name: b', which loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    written = next(row for row in text.split("\n") if row.strip() == f"{key}: {value}" and row.startswith(" " * 5))
    deeper = len(written) - len(written.lstrip())
    assert only_problem(err) == (
        f"show.yaml:{line}: not valid YAML: {key}: is indented {deeper} spaces, deeper than {above}: and its value on "
        f"the line above (line {line - 1}), and YAML read it as more of that value; lined up with {above}: it would "
        f"be a second {key}: of that entry (line {entry}); where it starts an entry of its own, begin it with '- ' as "
        f"line {entry} does: write - {key}: {value}")
    dash = text.split("\n")[entry - 1].index("-")
    show = parse_show(text.replace(written, " " * dash + f"- {key}: {value}"), "show.yaml")
    assert value in {show.presets[-1].name, *show.presets[0].prompts}


@pytest.mark.parametrize("value, offered", [("yes", "- name: 'yes'"), ("null # x", "- name: 'null'"),
                                            ("2024-01-05", "- name: '2024-01-05'"),
                                            ("7", "- name: and a word with it, like - name: scene 7 (a preset's name "
                                                  "is no plain number: numbers select presets by position)")])
def test_a_key_deeper_than_a_value_that_starts_an_entry_is_offered_a_name_that_reads_as_text(loader, value, offered):
    """`     name: yes` one space past a preset's `prompt: x` was offered `- name: yes`, which YAML reads as a boolean,
    refused again as no text; its name is offered quoted, and a number (refused quoted too) is told to take a
    word."""
    text = f"presets:\n  - name: a\n    prompt: x\n     name: {value}\n    prompt: y\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    problem = only_problem(err)
    assert problem.endswith(f"begin it with '- ' as line 2 does: write {offered}"), problem
    if offered.startswith("- name: '"):
        show = parse_show(text.replace(f"     name: {value}", f"  {offered}"), "show.yaml")
        assert show.presets[1].name == value.split(" #")[0]


@pytest.mark.parametrize("text, line, written, start, column", [
    ("presets:\n  - name: a\n    prompt: x\n   - name: b\n    prompt: y\n", 4, "   - name: b", 2, 2),
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n     - text: y\n", 5, "     - text: y", 4, 6),
])
def test_a_list_item_off_its_list_is_told_to_line_up(loader, text, line, written, start, column):
    """`   - name: b` a space past the '- ' of the preset above (or at the left edge, or a space short of its prompts'
    list) was told only "did not find expected '-' indicator" (or "expected <block end>", "did not find expected
    key"), to check indentation, quotes and brackets; it is told the column of the nearest list's '- ', where it
    loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    spaces = len(written) - len(written.lstrip())
    assert only_problem(err) == (f"show.yaml:{line}: not valid YAML: this '- ' is indented {counted(spaces, 'space')} "
                                 f"and the '- ' of its list (line {start}) {column}: the items of one list line up; "
                                 f"indent it {column} spaces as well")
    lines = text.split("\n")
    lines[line - 1] = " " * column + written.lstrip()
    parse_show("\n".join(lines), "show.yaml")


@pytest.mark.parametrize("text, line, said", [
    ("presets:\n  - name: a\n    prompt: x\n   - name: b\n     prompt: y\n", 4,
     "this '- ' is indented 3 spaces and the '- ' of its list (line 2) 2: the items of one list line up; indent it 2 "
     "spaces as well, and line 5, under it, with it: 1 space less"),
    ("presets:\n  - name: a\n    prompt: x\n - name: b\n   prompt: y\n   seed: 3\n", 4,
     "this '- ' is indented 1 space and the '- ' of its list (line 2) 2: the items of one list line up; indent it 2 "
     "spaces as well, and lines 5 and 6, under it, with it: each 1 space further in"),
    ("presets:\n  - name: a\n    prompt: x\n - name: b\n   prompt: y\n  - name: c\n    prompt: z\n", 4,
     "this '- ' is indented 1 space and the '- ' of its list (line 2) 2: the items of one list line up; indent it 2 "
     "spaces as well, and line 5, under it, with it: 1 space further in"),
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n- name: b\n  prompt: y\n", 5,
     "this '- ' is indented 0 spaces and the '- ' of its list (line 2) 2: the items of one list line up; indent it 2 "
     "spaces as well, and line 6, under it, with it: 2 spaces further in"),
    ("presets:\n  - name: a\n    prompt: x\n    - name: b\n\n      prompt: y\n", 4,
     "this '- ' is indented 4 spaces, as the keys of the entry above it are, and YAML read it inside that entry; a new "
     "entry's '- ' lines up with the '- ' of line 2: indent it 2 spaces, and line 6, under it, with it: 2 "
     "spaces less"),
])
def test_a_list_item_off_its_list_is_told_to_move_its_lines_under_it_with_it(loader, text, line, said):
    """`   - name: b` over `     prompt: y` was told to indent the '- ' 2 spaces, and that alone moved, the prompt
    under it was refused next: the item's lines under it are told to move with it, and moved so, the show loads with
    both presets. The lines named are those with YAML on them, two as two (told "lines 5 to 6", line 5 blank)."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == f"show.yaml:{line}: not valid YAML: {said}"
    found = re.search(r"indent it (\d+) spaces.*?(\d+) spaces? (less|further in)", said)
    lines = text.split("\n")
    shift = int(found[2]) * (1 if found[3] == "further in" else -1)
    lines[line - 1] = " " * int(found[1]) + lines[line - 1].lstrip()
    last = re.search(r"lines? (\d+)(?: (?:to|and) (\d+))?, under it", said)
    for i in range(line, int(last[2] or last[1])):
        lines[i] = " " * (len(lines[i]) - len(lines[i].lstrip()) + shift) + lines[i].lstrip() if lines[i].strip() \
            else lines[i]
    assert [p.name for p in parse_show("\n".join(lines), "show.yaml").presets][:2] == ["a", "b"]


def test_a_show_entry_in_braces_off_the_one_above_is_told_how_far_to_indent_it(loader):
    """A cue in braces a space past the cue in braces above it was told "did not find expected '-' indicator"; it is
    told the indentation of the entry above it (as in a MIDI map), where it loads."""
    text = "presets:\n  - {name: a, prompt: x}\ncues:\n  - {name: c, do: next}\n   - {name: d, do: next}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == ("show.yaml:5: not valid YAML: this '- ' is indented 3 spaces and the '- ' of line 4 "
                                 "above it 2: the entries of one list line up; indent it 2 spaces")
    mended = text.replace("\n   - {name: d", "\n  - {name: d")
    assert [c.name for c in parse_show(mended, "show.yaml").cues] == ["c", "d"]


def test_a_key_deeper_than_the_line_before_is_told_alike_by_either_parser(loader):
    """PyYAML's own scanner (where it has no libyaml) says "mapping values are not allowed here", which was told
    as a generic YAML error to check indentation, quotes and brackets, where libyaml's words got the fix."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - name: a\n    prompt: city: night\n", "show.yaml")
    assert only_problem(err) == ("show.yaml:3: not valid YAML: a ': ' inside a value reads as a new key; a prompt "
                                 "with a colon: put it in quotes; a key indented deeper than the line before: line "
                                 "it up")


@pytest.mark.parametrize("text, line, key, deeper, spaces", [
    ("presets:\n  - name: a\n    prompt: city\n      transition: 4\n", 4, "transition", 6, 4),
    ("presets:\n- name: a\n  prompt: x\n- name: b\n   prompt: y\n", 5, "prompt", 3, 2),
    ("defaults:\n seed: 3\n  steps: 4\npresets:\n  - {name: a, prompt: b}\n", 3, "steps", 2, 1),
])
def test_a_key_deeper_than_a_key_and_value_above_is_told_its_column(loader, text, line, key, deeper, spaces):
    """`      transition: 4` under `    prompt: city` was told that a ': ' inside a value reads as a new key, with a
    word of prompts with colons; indented as offered, the show loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err).startswith(f"show.yaml:{line}: not valid YAML: {key}: is indented {deeper} spaces, "
                                        f"deeper than ")
    assert only_problem(err).endswith(f"keys of one mapping line up: indent {key}: {spaces} space"
                                      + ("s" if spaces != 1 else ""))
    lines = text.split("\n")
    lines[line - 1] = " " * spaces + lines[line - 1].lstrip()
    parse_show("\n".join(lines), "show.yaml")


def test_a_list_item_indented_as_the_keys_of_the_entry_above_is_told_its_column(loader):
    """`    - name: b` under a preset's `    prompt: x` was told "did not find expected key" and to check indentation,
    quotes and brackets; indented as offered, the show loads with both presets."""
    text = "presets:\n  - name: a\n    prompt: x\n    - name: b\n    prompt: y\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == ("show.yaml:4: not valid YAML: this '- ' is indented 4 spaces, as the keys of the "
                                 "entry above it are, and YAML read it inside that entry; a new entry's '- ' lines up "
                                 "with the '- ' of line 2: indent it 2 spaces")
    mended = text.replace("    - name: b\n    prompt: y", "  - name: b\n    prompt: y")
    assert [p.name for p in parse_show(mended, "show.yaml").presets] == ["a", "b"]


def test_a_top_key_one_space_in_under_a_section_is_still_offered_the_sections_key_column(loader):
    """` presets:` one space in under `output:`'s keys is offered column 0 or the column of fit: (line 2), the
    section's keys: telling which keys share a mapping must not take the top key's column for both offers."""
    with pytest.raises(ConfigError) as err:
        parse_show("output:\n  fit: crop\n presets:\n  - {name: a, prompt: b}\n", "show.yaml")
    assert only_problem(err).endswith("indent presets: 0 spaces, beside output: (line 1), or 2 spaces, beside fit: "
                                      "(line 2), where it is a key of that mapping")


def test_a_flow_with_no_entry_after_it_is_offered_no_comma(loader):
    """A comma is offered between two entries only where the next one starts (a brace, a bracket, a quote, a key):
    `[{...}-]` was offered `[{...},-]`, as if a second entry followed."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b}\nosc: {controls: [{address: /a, param: bias}-]}\n", "show.yaml")
    assert "a comma separates entries" not in only_problem(err)


def test_a_folder_given_as_a_show_lists_names_holding_commas_quotes_or_end_spaces_quoted(tmp_path):
    """`a, b.yaml`, `it's.yaml` and `end .yaml ` were listed bare: (it holds a, b.yaml, ...) read as two files, and
    a quote as one opened round the rest of the list."""
    for name in ("a, b.yaml", "it's.yaml", "plain.yaml", " lead.yaml"):
        (tmp_path / name).write_text("name: x\n")
    assert show_problems(tmp_path) == [f"{tmp_path}: the show file is a folder; name the YAML file in it (it holds "
                                       "' lead.yaml', 'a, b.yaml', \"it's.yaml\", plain.yaml)"]


@pytest.mark.parametrize("kind, line, entry, value", [
    ("midi", '  -{cc: 32, command: "preset 1}  # pad', '{cc: 32, command: "preset 1"}  # pad', "preset 1"),
    ("midi", "  -{cc: 32, command: 'preset 1}", "{cc: 32, command: 'preset 1'}", "preset 1"),
    ("midi", '  -{cc: 16, param: "blend}  # x', '{cc: 16, param: "blend"}  # x', None),
    ("osc", '  -{address: /p, command: "preset 1}  # push', '{address: /p, command: "preset 1"}  # push', "preset 1"),
])
def test_a_dash_without_its_space_and_a_quote_left_open_is_offered_it_closed_where_the_text_ends(
        tmp_path, loader, kind, line, entry, value):
    """`-{cc: 32, command: "preset 1}  # pad` was offered `- {cc: 32, command: "preset 1}  # pad"}`, which loads
    as the preset '1}  # pad': the quote is closed before the } and the comment the user wrote; pasted in, it loads
    as meant."""
    from vcam.control import midimap, oscmap

    first = "{cc: 0, param: blend}" if kind == "midi" else "{address: /a, param: blend}"
    load = midimap.load_map if kind == "midi" else oscmap.load_map
    path = tmp_path / "mine.yaml"
    path.write_text(f"name: mine\ncontrols:\n  - {first}\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load(path)
    problem = only_problem(err)
    assert problem == (f"{path}:4: not valid YAML: line 4 starts -{{ with no space after its '-', and no "
                       f"{_quote(line)} closes "
                       f"the text it opens; a list item is a '-' and a space: write - {entry}"), problem
    path.write_text(f"name: mine\ncontrols:\n  - {first}\n  - {entry}\n")
    loaded = load(path)
    if kind == "midi":
        control = [*loaded.knobs, *loaded.buttons][-1]
        assert control.channel == (1 if "channel: 2" in entry else None), control  # MIDI's channel 2, from 0
    if value is not None:  # 'preset 1', not '1}  # pad' nor '1, channel: 2'
        assert "args=(1,)" in repr(loaded) and "pad" not in repr(loaded) and "push" not in repr(loaded), loaded


def _quote(line: str) -> str:
    return '"' if '"' in line else "'"


@pytest.mark.parametrize("kind, text, line", [
    ("midi", "controls:\n  -{cc: 1, param: blnd}\n  - {cc: 2, param: steps}\n", 2),
    ("midi", "controls:\n  - {cc: 3, param: blend}\n  -{cc: 1, param: blnd}\n  - {cc: 2, param: steps}\n", 3),
    ("osc", "controls:\n  -{address: /b, param: blnd}\n", 2),
    ("midi", 'controls:\n  -{"cc: 16, command: preset 1}\n', 2),
    ("midi", 'controls:\n  -{cc: 32, command: "prompt city, light: red}\n', 2),
    ("midi", 'controls:\n  -{cc: 32, command: "prompt a # b}\n', 2),
    ("midi", 'controls:\n  -{cc: 32, command: "prompt city # night}  # pad\n', 2),
    ("midi", 'controls:\n  -{cc: 32, command: "prompt a, #b}\n', 2),
    ("midi", 'controls:\n  -{cc: 32, command: "preset 1}  # pad, channel: 2\n', 2),
    ("midi", 'controls:\n  -{cc: 32, command: "preset 1, channel: 2}\n', 2),
    ("midi", 'controls:\n  -{note: 36, command: "prompt a long\n      text at night}\n  - {cc: 3, command: next}\n',
     2),
    ("midi", 'controls:\n  -{cc: 32, command: "preset 1\', channel: 2}\n', 2),
    ("midi", 'controls:\n  - {cc: 0, param: blend}\n  -{cc: 0, param: "steps}\n', 3),
    ("osc", 'controls:\n  - {address: /a, param: blend}\n  -{address: /a, param: "steps}\n', 3),
])
def test_a_dash_without_its_space_over_an_item_refused_is_told_the_dash_without_a_line(tmp_path, loader, kind,
                                                                                       text, line):
    """`-{cc: 1, param: blnd}` was told of a ': ' in a prompt, or of YAML's '-' indicator, the dash's slip lost where
    the item braced was refused; an OSC map's `-{address: /b, param: blnd}` was offered the item, refused next. A
    quote left open was closed where the text's end was a guess: before a # that was the text's, after a comment or
    the next key, before the text's next line, or beside a cc taken. The slip is said, with no line that is refused
    or means other than meant."""
    from vcam.control import midimap, oscmap

    path = tmp_path / "mine.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        (midimap.load_map if kind == "midi" else oscmap.load_map)(path)
    assert only_problem(err) == (f"{path}:{line}: not valid YAML: line {line} starts -{{ with no space after its "
                                 "'-'; a list item is a '-' and a space: write a space after the '-'")


def test_a_cue_item_with_a_dash_without_its_space_and_a_quote_left_open_is_offered_no_line(loader):
    """`-{name: "rain, do: preset rain window, wait: 240}` in a cue was offered an item refused next (its do
    missing): no check says where the quote closes, and the slip is said with no line."""
    text = ("presets:\n  - {name: rain, prompt: x}\ncues:\n  - name: c\n    items:\n"
            '      -{name: "rain, do: preset rain window, wait: 240}\n')
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == ("show.yaml:6: not valid YAML: line 6 starts -{ with no space after its '-'; a list "
                                 "item is a '-' and a space: write a space after the '-'")


def test_a_dash_without_its_space_before_a_list_of_texts_is_not_told_to_write_keys(loader):
    """`-[seed 3]` in a cue's do: list of texts was told to write the item as key: value pairs in {...}, which no
    do: takes; the slip is said without it."""
    text = ("presets:\n  - {name: rain, prompt: x}\ncues:\n  - name: c\n    do:\n      - preset rain\n"
            "      -[seed 3]\n")
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == ("show.yaml:7: not valid YAML: line 7 starts -[ with no space after its '-'; a list "
                                 "item is a '-' and a space, and no list in a show or map takes a list in [...] as "
                                 "its item")


def test_a_preset_on_one_line_without_braces_over_keys_under_it_is_not_offered_braces(loader):
    """`- name: neon, prompt: x` over `seed: 3` was offered `- {name: neon, prompt: x}`, refused pasted in with the
    seed under it."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - name: neon, prompt: x\n    seed: 3\n", "show.yaml")
    assert "write - {name: neon, prompt: x}" not in only_problem(err)


def test_a_preset_on_one_line_without_braces_is_checked_against_its_own_folder(tmp_path, monkeypatch, loader):
    """`- name: a, prompt: b, fallback: x.png` was offered its braces or not by whether x.png was in the folder the
    show was run from, not the show's own."""
    show = tmp_path / "show"
    show.mkdir()
    from PIL import Image

    Image.new("RGB", (8, 8)).save(show / "x.png")
    monkeypatch.chdir(tmp_path)
    text = "presets:\n  - name: a, prompt: b, fallback: x.png\n"
    with pytest.raises(ConfigError) as here:
        parse_show(text, str(show / "show.yaml"))
    with pytest.raises(ConfigError) as elsewhere:
        parse_show(text, str(tmp_path / "other" / "show.yaml"))
    assert "write - {name: a, prompt: b, fallback: x.png}" in only_problem(here)
    assert "write - {name: a, prompt: b, fallback: x.png}" not in only_problem(elsewhere)


@pytest.mark.parametrize("text, line", [
    ("presets:\n  - name: rain\n    prompt: r\n  -{name: neon, prompt: x, sed: 3\n", 4),
    ("presets:\n  - name: rain\n    prompt: r\n  -{name: rain, prompt: x\n", 4),
    ('presets:\n  - name: rain\n    prompt: r\n  -{name: neon, prompt: "x\nfallback: missing.png\n', 4),
    ('presets:\n  - name: rain\n    prompt: r\n  -{name: rain, prompt: "x\n', 4),
])
def test_a_preset_with_a_dash_without_its_space_is_offered_no_line_the_show_refuses(loader, text, line):
    """`-{name: neon, prompt: x, sed: 3` was offered its } closed, refused pasted in (sed: no key; a name taken; a
    fallback missing): an item is offered only where the whole show then loads."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err) == (f"show.yaml:{line}: not valid YAML: line {line} starts -{{ with no space after its "
                                 "'-'; a list item is a '-' and a space: write a space after the '-'")


@pytest.mark.parametrize("text", [
    "presets:\n  - name: rain\n    prompt: r\n  - name: rain, prompt: x, seed: 3\n",
    "presets:\n  - name: a\n    prompt: x\ncues:\n  - name: c, prompt: x\n",
])
def test_keys_on_one_line_without_braces_are_offered_braces_only_where_the_show_loads(loader, text):
    """`- name: rain, prompt: x, seed: 3` with rain taken was offered its braces, refused pasted in as a name taken
    twice; a cue's `- name: c, prompt: x` was told it held a preset's keys."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert "write - {" not in only_problem(err) and "preset's keys" not in only_problem(err)


def test_an_item_off_its_list_with_a_nested_list_at_its_keys_column_moves_its_lines_with_it(loader):
    """`- name: b` over `  prompts:` and `  - text: y` (the prompts' list at their key's column) was told to move
    line 5 alone; lines 5 and 6 moved with it load."""
    text = "presets:\n  - name: a\n    prompt: x\n- name: b\n  prompts:\n  - text: y\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert only_problem(err).endswith(", and lines 5 and 6, under it, with it: each 2 spaces further in"), err.value
    lines = text.split("\n")
    parse_show("\n".join([*lines[:3], *("  " + line for line in lines[3:6]), ""]), "show.yaml")


@pytest.mark.parametrize("item", ["name：neon，prompt：x", "name:neon prompt:x"])
def test_a_preset_s_keys_run_together_not_split_are_offered_no_name_holding_a_key(loader, item):
    """`name：neon，prompt：x` (full-width) and `name:neon prompt:x` were offered a name holding the prompt's key
    (`{name: neon prompt:x, prompt: TEXT}`)."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {item}\n", "show.yaml")
    assert "prompt:x," not in only_problem(err) and "prompt：x," not in only_problem(err), err.value
    assert "name: neon" not in only_problem(err), err.value
