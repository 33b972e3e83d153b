"""Show files and MIDI maps: valid ones load; each broken one names the file, the line and the fix."""
import os
import re
from pathlib import Path

import cv2
import numpy as np
import pytest

from vcam.control.commands import parse
from vcam.control.midimap import load_map, shipped_maps
from vcam.control.show import load_show, parse_show
from vcam.control.yamlproblems import ConfigError
from vcam.words import quoted

ROOT = Path(__file__).resolve().parent.parent


def test_example_show_loads():
    show = load_show(ROOT / "presets" / "example.yaml")
    assert len(show.presets) >= 4
    assert show.find(2) == 1 and show.find("OCEAN") == 1
    assert show.presets[2].prompts and abs(sum(show.presets[2].prompts.values()) - 1.0) < 1e-9
    assert show.midi is not None and show.midi.program_to_preset
    assert len(show.prompts()) == sum(len(p.prompts) for p in show.presets)


@pytest.mark.parametrize("ref,meant", [
    ("lazer tunnel", " (did you mean 'Laser Tunnel'?)"), ("lazer  tunnel", " (did you mean 'Laser Tunnel'?)"),
    ("strobe", " (did you mean 'strobe storm'?)"),  # the start of one name only
    # the start of two: neither is guessed at, both are named with the number that picks each (they were not)
    ("neon", " (2 presets start with 'neon': 3 'neon bloom', 4 'neon geometry'; give more of the name, or the number)"),
    # a number as a list writes it (they were answered with names only)
    ("#2", " (did you mean 2? a preset's number is written alone)"),
    ("3,", " (did you mean 3? a preset's number is written alone)"),
    ("9,", " (a preset's number is a whole number from 1 to 4)"),
    ("2.", " (did you mean 2? a preset's number is written alone)"),  # it was said to be no whole number
    ("moon", ""), ("-1", " (a preset's number is a whole number from 1 to 4)"),
    ("three", " (did you mean 3?)"), ("Four", " (did you mean 4?)"), ("five", ""),  # a number in words
    ("1.5", " (a preset's number is a whole number from 1 to 4)"),
])
def test_a_mistyped_preset_name_is_answered_with_the_preset_meant(ref, meant):
    """`preset lazer tunnel` or `preset laser  tunnel` (a space too many) was answered with the whole list only."""
    show = parse_show("presets:\n  - {name: Laser Tunnel, prompt: a}\n  - {name: strobe storm, prompt: b}\n"
                      "  - {name: neon bloom, prompt: c}\n  - {name: neon geometry, prompt: d}\n", "show.yaml")
    with pytest.raises(KeyError) as err:
        show.find(ref)
    assert err.value.args[0] == (f"no preset named {ref!r}{meant}; presets: Laser Tunnel, strobe storm, neon bloom, "
                                 "neon geometry")


@pytest.mark.parametrize("ref, meant", [("one", " (did you mean 'one love'?)"),
                                       ("three", " (did you mean 'three cheers'?)"), ("two", " (did you mean 2?)")])
def test_a_preset_name_near_a_number_in_words_is_offered_before_the_number(ref, meant):
    """With a preset `one love`, `preset one` was answered "did you mean 1?", the name near it not offered."""
    show = parse_show("presets:\n" + "".join(f"  - {{name: {name}, prompt: x}}\n"
                                             for name in ("ocean", "forest", "one love", "three cheers")), "show.yaml")
    with pytest.raises(KeyError) as err:
        show.find(ref)
    assert f"no preset named {ref!r}{meant}; presets: ocean" in str(err.value)


@pytest.mark.parametrize("ref", ["laser  tunnel", "  Laser\t tunnel ", "“laser   tunnel”"])
def test_a_preset_name_typed_with_a_space_twice_finds_the_preset(ref):
    """`preset laser  tunnel` (a space typed twice) was answered "did you mean 'Laser Tunnel'?", the name typed
    again as it was offered."""
    show = parse_show("presets:\n  - {name: strobe, prompt: b}\n  - {name: Laser Tunnel, prompt: a}\n", "show.yaml")
    assert show.find(parse(f"preset {ref}").args[0]) == 1


def test_two_preset_names_that_differ_in_a_run_of_spaces_are_refused_as_one_name():
    """With `neon city` and `neon  city`, `preset neon  city` could pick only the first: the second is refused as
    a name taken, saying why."""
    with pytest.raises(ConfigError) as err:
        parse_show('presets:\n  - {name: neon city, prompt: a}\n  - {name: "neon  city", prompt: b}\n', "s.yaml")
    assert err.value.problems == ["s.yaml:3: preset 'neon  city': the name is already used by preset 1 'neon city' on "
                                  "line 2 (a run of spaces or tabs is read as one space); names must differ"]


def test_two_preset_names_that_differ_in_a_tab_for_a_space_are_refused_as_one_name_saying_so():
    """`neon\tcity` beside `neon city` was refused with "(a run of spaces is read as one)", the tab not named."""
    with pytest.raises(ConfigError) as err:
        parse_show('presets:\n  - {name: neon city, prompt: a}\n  - {name: "neon\\tcity", prompt: b}\n', "s.yaml")
    assert err.value.problems == ["s.yaml:3: preset 'neon\\tcity': the name is already used by preset 1 'neon city' "
                                  "on line 2 (a run of spaces or tabs is read as one space); names must differ"]


@pytest.mark.parametrize("ref", ["cafe", "Cafe", "CAFE", "nino"])
def test_a_preset_name_typed_without_its_accents_is_answered_with_the_preset_meant(ref):
    """`preset cafe` for café, typed on a keyboard without the accent, was said no preset, with no name offered:
    a short name a letter off is no near match."""
    show = parse_show("presets:\n  - {name: café, prompt: a}\n  - {name: niño, prompt: b}\n"
                      "  - {name: cave, prompt: c}\n", "show.yaml")
    meant = "niño" if ref == "nino" else "café"
    with pytest.raises(KeyError) as err:
        show.find(ref)
    assert err.value.args[0] == f"no preset named {ref!r} (did you mean {meant!r}?); presets: café, niño, cave"


def test_a_long_name_that_is_no_presets_is_said_back_cut_not_whole():
    """A name of thousands of characters (sent over OSC or the network) was said back whole on the terminal."""
    show = parse_show("presets:\n  - {name: city, prompt: a}\n", "show.yaml")
    with pytest.raises(KeyError) as err:
        show.find("x" * 4000)
    said = err.value.args[0]
    assert said.startswith("no preset named 'xxxx") and "x…'" in said and len(said) < 120
    assert said.endswith("; presets: city")


@pytest.mark.parametrize("name", ["nanokontrol2", "midimix", "apc-mini-mk2"])
def test_shipped_maps_load(name):
    assert name in shipped_maps()
    m = load_map(ROOT / "presets" / "midi" / f"{name}.yaml")
    assert m.knobs and m.buttons and m.name
    assert all(k.channel == 0 for k in m.knobs)


GOOD = """\
presets:
  - name: a
    prompt: a cat
"""

BROKEN = [
    ("presets:\n  - name: a\n    prompt: [unclosed\n", 3, "the [ that opens on line 3 (column 13) is never closed"),
    ("presets:\n  - name: a\n    prompt: a cat\n  - name: b\n    promt: a dog\n", 5, "unknown key 'promt'"),
    ("presets:\n  - name: a\n    prompt: a cat\n  - name: b\n", 4, "either prompt"),
    ("presets:\n  - name: a\n    prompt: a cat\n  - name: A\n    prompt: x\n", 4, "already used"),
    ("presets:\n  - name: a\n    prompt: 5\n", 3, "non-empty text"),
    ("presets:\n  - name: a\n    prompt: '&nbsp;'\n", 3, "preset 'a' prompt '&nbsp;' is blank"),
    ("presets:\n  - name: a\n    prompts: [{text: a cat}, {text: \"\\u200b\"}]\n", 3, "prompt 2 text"),
    ("presets:\n  - name: a\n    prompt: a\n    seed: many\n", 4, "whole number"),
    ("presets:\n  - name: a\n    prompt: a\n    transition: -2\n", 4, "out of range"),
    ("presets:\n  - name: '3'\n    prompt: a\n", 2, "plain number"),
    ("presets: {a: 1}\n", 1, "must be a list"),
    ("name: x\n", 1, "'presets' is missing"),
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n        weight: 0\n", 4, "add up to 0"),
    ("presets:\n  - name: a\n    prompts:\n      - text: x\n        weight: heavy\n", 5, "must be a number"),
    ("output:\n  size: 830x480\npresets:\n  - {name: a, prompt: b}\n", 2, "multiples of 16"),
    ("presets:\n  - {name: a, prompt: b}\nmidi: nanokontrol2\n", 3,
     "midi must be a mapping of key: value lines; for a map by name write midi: {map: nanokontrol2}"),
    ("presets:\n  - {name: a, prompt: b}\nosc: touchosc-simple\n", 3, "write osc: {map: touchosc-simple}"),
    # a controller's name, told to be written as a map's, was then not found as a map
    ("presets:\n  - {name: a, prompt: b}\nmidi: nano\n", 3,
     "midi must be a mapping of key: value lines; for the controller's port write midi: {port: nano} (a map: beside "
     "it maps its knobs)"),
    ("output:\n  size: [832, 480]\npresets:\n  - {name: a, prompt: b}\n", 2,
     "output size must be WIDTHxHEIGHT, like 832x480 (got a list)"),
    ("output:\n  size: {w: 832}\npresets:\n  - {name: a, prompt: b}\n", 2, "like 832x480 (got a mapping)"),
    # a scalar YAML reads as no text nor number, said as written: it was said as a mapping
    ("output:\n  size: null\npresets:\n  - {name: a, prompt: b}\n", 2, "like 832x480 (got null)"),
    ("output:\n  size: 2024-01-01\npresets:\n  - {name: a, prompt: b}\n", 2, "like 832x480 (got 2024-01-01)"),
    # unquoted, 0x0 and 0x480 are YAML's hex numbers: said "(got 0x0)", a WxH, with nothing of what is wrong
    ("output:\n  size: 0x0\npresets:\n  - {name: a, prompt: b}\n", 2, "output size 0x0 is no size; leave size: "
     "out for vcam run to pick one for the card, or give one, as in size: 832x480"),
    ("output:\n  size: \"0x0\"\npresets:\n  - {name: a, prompt: b}\n", 2, "output size 0x0 is no size;"),
    # 0x0 written as a size is read otherwise (a plus, spaces, another mark between): no size all the same, where
    # "the nearest is 16x16" offered a size no show runs at
    *[(f"output:\n  size: '{size}'\npresets:\n  - {{name: a, prompt: b}}\n", 2, "output size 0x0 is no size; leave "
       "size: out") for size in ("+0x0", "0 x 0", "0 X +00", "0×0", "0*0")],
    ("output:\n  size: 0x480\npresets:\n  - {name: a, prompt: b}\n", 2,
     "output size 0x480: both must be positive multiples of 16 (e.g. 832x480, 576x320, 480x832; the nearest is "
     "16x480)"),
    # said back as written, no quotes the user never typed nor a sign lost; -0x0 is not the 0x0 of "any size"
    ("output:\n  size: 0x1A0\npresets:\n  - {name: a, prompt: b}\n", 2, "like 832x480 (got 0x1A0)"),
    ("output:\n  size: -0x10\npresets:\n  - {name: a, prompt: b}\n", 2, "like 832x480 (got -0x10)"),
    ("output:\n  size: -0x0\npresets:\n  - {name: a, prompt: b}\n", 2, "like 832x480 (got -0x0)"),
    ("output:\n  out: [hdmi]\npresets:\n  - {name: a, prompt: b}\n", 2, "unknown output"),
    ("output:\n  out:\n    - null\n    - file:take.mkv\npresets:\n  - {name: a, prompt: b}\n", 4,
     "output file:take.mkv: cannot record to take.mkv: vcam records MP4 video (.mp4), not .mkv; use file:take.mp4"),
    ("output:\n  fit: squash\npresets:\n  - {name: a, prompt: b}\n", 2, "letterbox"),
    ("defaults:\n  steps: 0\npresets:\n  - {name: a, prompt: b}\n", 2, "out of range"),
    ("defaults:\n  fallback: nope.png\npresets:\n  - {name: a, prompt: b}\n", 2, "not found"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  controls:\n    - {cc: 200, param: blend}\n", 5, "out of range"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  controls:\n    - {cc: 1, param: volume}\n", 5, "one of blend"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  controls:\n    - {note: 1, command: jump}\n", 5,
     "unknown command"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  controls:\n    - {note: 1, command: '# next'}\n", 5,
     "is a comment, not a command"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  channel: 17\n  controls: []\n", 4, "out of range"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  controls:\n    - {cc: 1, note: 2, command: next}\n", 5,
     "exactly one of"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  map: no-such-map\n", 4, "not found"),
    ("presets:\n  - {name: a, prompt: b}\nmidi:\n  controls:\n    - {note: 3, param: blend}\n", 5, "cc"),
    ("presets:\n  - {name: a, prompt: b}\n  - {name: a, prompt: b}\nname: x\nname: y\n", 5, "given twice"),
    ("", 1, "empty"),
    ("presets:\n  - name: a\n    prompt: b\n    input: dvd\n", 4, "preset 'a' input: unknown input 'dvd'"),
    ("presets:\n  - name: a\n    prompt: b\n    input: 'file:'\n", 4, "input 'file:' needs a path"),
    ("presets:\n  - name: a\n    prompt: b\n    input: clip.mp4\n", 4,
     "preset 'a' input: a path needs its kind first: did you mean file:clip.mp4?"),
    ("presets:\n  - {name: a, prompt: b}\ncues:\n  - {do: 'input /a/photo.png'}\n", 4,
     "cue 1 do: a path needs its kind first: did you mean input image:/a/photo.png?"),
    ("presets:\n  - name: a\n    prompt: b\n    input: camera:front\n", 4, "neither an index"),
    ("presets:\n  - name: a\n    prompt: b\n    input: off\n", 4,
     "input: off reads as false in YAML, which names no input; for no input write input: none"),
    ("presets:\n  - name: a\n    prompt: b\n    input: file:nope.mp4\n", 4, "file nope.mp4 not found (looked at"),
    ("presets:\n  - name: a\n    prompt: b\n    strength: 1.2\n", 4, "preset 'a' strength 1.2 is out of range"),
    ("presets:\n  - name: a\n    prompt: b\n    strength: high\n", 4, "strength must be a number from 0 to 1"),
    ("defaults:\n  input: image:nope.png\npresets:\n  - {name: a, prompt: b}\n", 2,
     "defaults input: image nope.png not found"),
    ("defaults:\n  strength: -0.5\npresets:\n  - {name: a, prompt: b}\n", 2, "defaults strength -0.5 is out"),
    ("defaults:\n  input_fit: zoom\npresets:\n  - {name: a, prompt: b}\n", 2,
     "defaults input_fit must be one of crop, letterbox, stretch"),
    ("defaults:\n  fit: crop\npresets:\n  - {name: a, prompt: b}\n", 2, "unknown key 'fit'"),
    ("defaults:\n  bpm: 400\npresets:\n  - {name: a, prompt: b}\n", 2, "defaults bpm 400 is out of range (20 to 300)"),
    ("defaults:\n  bpm: fast\npresets:\n  - {name: a, prompt: b}\n", 2, "defaults bpm must be a number from 20 to 300"),
    ("defaults:\n  bpm: .nan\npresets:\n  - {name: a, prompt: b}\n", 2, "defaults bpm must be a number"),
]


@pytest.mark.parametrize("text,line,fragment", BROKEN)
def test_broken_shows_name_file_line_and_fix(text, line, fragment):
    with pytest.raises(ConfigError) as err:
        parse_show(text, "shows/broken.yaml")
    matching = [p for p in err.value.problems if fragment in p]
    assert matching, err.value.problems
    assert matching[0].startswith(f"shows/broken.yaml:{line}: "), matching[0]


def test_a_misspelt_key_is_answered_with_the_key_meant():
    with pytest.raises(ConfigError) as err:
        parse_show("default: {seed: 3}\npresets:\n  - {name: a, promt: b}\n  - {name: c, prompt: d, zoom: 2}\n",
                   "s.yaml")
    problems = err.value.problems
    assert problems[0].startswith("s.yaml:1: show: unknown key 'default'; known keys: name, defaults")
    assert problems[0].endswith("; did you mean defaults?")
    assert problems[1].startswith("s.yaml:3: preset 1: unknown key 'promt'; known keys: name, prompt")
    assert problems[1].endswith("strength, bias; did you mean prompt?")
    assert [p for p in problems if "'zoom'" in p][0].endswith("strength, bias")  # nothing near it


def test_a_sections_key_written_at_the_top_is_said_with_the_section_that_takes_it():
    with pytest.raises(ConfigError) as err:
        parse_show("size: 832x480\nout: [null]\nsteps: 3\nseed: 4\nprompt: a cat\nzoom: 2\n"
                   "presets:\n  - {name: a, prompt: b}\n", "s.yaml")
    ends = [p.split("cues")[-1] for p in err.value.problems]
    assert ends == ["; it goes under output:", "; it goes under output:", "; it goes under defaults:",
                    "; it goes under defaults: (or a preset)",
                    "; it goes under a preset (presets: - {name: ..., prompt: ...})", ""], err.value.problems


def test_a_misspelt_prompt_is_said_once_by_its_did_you_mean():
    """`promt:` was said twice: its "did you mean prompt?" and a second line, "give either prompt (one text) or
    prompts (a weighted list)"."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, promt: b}\n  - {name: c, zoom: d}\n", "s.yaml")
    problems = err.value.problems
    assert len(problems) == 3 and problems[0].endswith("; did you mean prompt?")
    assert problems[2] == "s.yaml:3: preset 'c': give either prompt (one text) or prompts (a weighted list)"


def test_presets_written_as_a_list_of_prompts_say_the_form_once_each():
    """`- a neon city` said two problems a line ("must be a mapping of key: value lines", "give either prompt or
    prompts"), neither showing how a preset is written."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - a neon city at night\n  - {name: b, prompt: c}\n  - a forest\n", "s.yaml")
    assert err.value.problems == [
        "s.yaml:2: preset 1 is a text alone; a preset has a name and a prompt: - {name: NAME, prompt: a neon city at "
        "night}",
        "s.yaml:4: preset 3 is a text alone; a preset has a name and a prompt: - {name: NAME, prompt: a forest}"]


def test_a_name_taken_in_another_case_says_the_first_as_written():
    """`Neon` after `neon` read "the name is already used by preset 1", beside a preset 1 that reads as another."""
    text = "presets:\n  - {name: neon, prompt: a}\n  - {name: Neon, prompt: b}\n  - {name: neon, prompt: c}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert err.value.problems == [
        "show.yaml:3: preset 'Neon': the name is already used by preset 1 'neon' on line 2 (a name is the same "
        "whatever its case); names must differ",
        "show.yaml:4: preset 'neon': the name is already used by preset 1; names must differ"]


def test_good_show_loads():
    show = parse_show(GOOD, "good.yaml")
    assert show.presets[0].prompts == {"a cat": 1.0} and show.defaults.bpm is None  # no tempo until one is given
    assert (show.presets[0].input, show.presets[0].strength) == (None, None)  # not given: what is on air stays
    assert (show.defaults.input, show.defaults.strength, show.defaults.input_fit) == (None, None, None)


INPUT_SHOW = """defaults:
  input: camera
  strength: 0.6
  input_fit: letterbox
presets:
  - {name: walk, prompt: a, input: "file:clips/walk.mp4", strength: 0.4}
  - {name: still, prompt: b, input: "image:../photo.png"}
  - {name: webcam, prompt: c, input: "camera:/dev/video2", strength: 1}
  - {name: text, prompt: d, input: none, strength: 0}
  - {name: upload, prompt: e, input: NET}
  - {name: same, prompt: f}
"""


def test_inputs_and_strengths_load_with_paths_relative_to_the_show_file(tmp_path):
    folder = tmp_path / "shows"
    (folder / "clips").mkdir(parents=True)
    (folder / "clips" / "walk.mp4").write_bytes(b"")
    cv2.imwrite(str(tmp_path / "photo.png"), np.zeros((8, 8, 3), np.uint8))
    show = parse_show(INPUT_SHOW, str(folder / "show.yaml"))
    assert (show.defaults.input, show.defaults.strength, show.defaults.input_fit) == ("camera", 0.6, "letterbox")
    assert [(p.input, p.strength) for p in show.presets] == [
        (f"file:{folder / 'clips' / 'walk.mp4'}", 0.4), (f"image:{tmp_path / 'photo.png'}", None),
        ("camera:/dev/video2", 1.0), ("none", 0.0), ("net", None), (None, None)]


def test_an_absolute_input_path_is_kept_and_a_relative_one_is_not_read_from_the_working_folder(tmp_path,
                                                                                              monkeypatch):
    (tmp_path / "clip.mp4").write_bytes(b"")
    show = parse_show(f"presets:\n  - {{name: a, prompt: b, input: 'file:{tmp_path / 'clip.mp4'}'}}\n",
                      str(tmp_path / "elsewhere" / "show.yaml"))
    assert show.presets[0].input == f"file:{tmp_path / 'clip.mp4'}"
    monkeypatch.chdir(tmp_path)  # clip.mp4 is in the working folder, not beside the show
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b, input: 'file:clip.mp4'}\n", str(tmp_path / "s" / "show.yaml"))
    assert err.value.problems[0].startswith(f"{tmp_path / 's' / 'show.yaml'}:2: preset 'a' input: file clip.mp4 "
                                            f"not found (looked at {tmp_path / 's' / 'clip.mp4'})")


def test_a_shows_input_a_mac_stored_decomposed_is_found_as_typed(tmp_path):
    """clé.mp4 copied from a Mac is stored as cle and an accent (NFD): the show's `file:clé.mp4`, typed as one
    character (NFC), was not found, and the show refused."""
    import unicodedata

    (tmp_path / unicodedata.normalize("NFD", "clé.mp4")).write_bytes(b"")
    typed = unicodedata.normalize("NFC", "clé.mp4")
    show = parse_show(f"presets:\n  - {{name: a, prompt: b, input: 'file:{typed}'}}\n", str(tmp_path / "show.yaml"))
    assert show.presets[0].input == f"file:{tmp_path / unicodedata.normalize('NFD', 'clé.mp4')}"


def test_a_fallback_image_a_mac_stored_decomposed_is_found_as_typed(tmp_path):
    """été.png copied from a Mac is stored decomposed (NFD): a preset's or the defaults' `fallback: été.png`, typed
    as one character (NFC), was "not found", though an input's image of that name was found."""
    import unicodedata

    import cv2
    import numpy as np

    stored = tmp_path / unicodedata.normalize("NFD", "été.png")
    cv2.imwrite(str(stored), np.zeros((8, 8, 3), np.uint8))
    typed = unicodedata.normalize("NFC", "été.png")
    show = parse_show(f"defaults: {{fallback: '{typed}'}}\npresets:\n  - {{name: a, prompt: b, fallback: '{typed}'}}\n",
                      str(tmp_path / "show.yaml"))
    assert show.presets[0].fallback == show.defaults.fallback == str(stored)


@pytest.mark.skipif(os.name == "nt", reason="a POSIX link")
def test_a_shows_input_and_fallback_found_under_a_stored_name_are_resolved_as_typed_ones_are(tmp_path):
    """A show's input or fallback found under the name a Mac stored it under (NFD), a link, was kept as the link,
    where one named as typed was resolved to the file it leads to."""
    import unicodedata

    real = tmp_path / "media"
    real.mkdir()
    cv2.imwrite(str(real / "pic.png"), np.zeros((8, 8, 3), np.uint8))
    (real / "clip.mp4").write_bytes(b"")
    (tmp_path / unicodedata.normalize("NFD", "été.png")).symlink_to(real / "pic.png")
    (tmp_path / unicodedata.normalize("NFD", "clé.mp4")).symlink_to(real / "clip.mp4")
    image, clip = unicodedata.normalize("NFC", "été.png"), unicodedata.normalize("NFC", "clé.mp4")
    text = f"defaults: {{fallback: '{image}'}}\npresets:\n  - {{name: a, prompt: b, input: 'file:{clip}'}}\n"
    show = parse_show(text, str(tmp_path / "show.yaml"))
    assert show.defaults.fallback == str(real / "pic.png")
    assert show.presets[0].input == f"file:{real / 'clip.mp4'}"


@pytest.mark.parametrize("named, written, there", [("pic.jpg,", "input image:pic.jpg,", "pic.jpg"),
                                                    ('"', "input file:\\\"", "clip.mp4")])
def test_a_cues_input_is_read_as_the_file_beside_the_show_whatever_the_working_folder_holds(tmp_path, monkeypatch,
                                                                                           named, written, there):
    """A cue's `input image:pic.jpg,`, `pic.jpg,` beside the show and pic.jpg in the folder vcam was started in, was
    offered input image:pic.jpg (refused), and `input file:"` was told its quote holds no path: looked for in the
    working folder, where the show finds its files beside it."""
    folder = tmp_path / "show"
    folder.mkdir()
    jpeg = cv2.imencode(".jpg", np.zeros((8, 8, 3), np.uint8))[1].tobytes()
    (folder / named).write_bytes(jpeg)
    (tmp_path / there).write_bytes(jpeg)
    monkeypatch.chdir(tmp_path)
    show = parse_show(f'presets:\n  - {{name: a, prompt: b}}\ncues:\n  - {{do: "{written}"}}\n',
                      str(folder / "show.yaml"))
    assert show.cues[0].do == (f"{written.split()[0]} {written.split()[1].split(':')[0]}:{folder / named}",)


@pytest.mark.parametrize("written", ["input ‘file:\\\"odd.mp4'", "input file:\\\"odd.mp4"])
def test_a_cues_input_with_a_quote_not_closed_reads_the_same_whatever_the_working_folder_holds(tmp_path, monkeypatch,
                                                                                              written):
    """A cue's `input file:"odd.mp4`, `"odd.mp4` beside the show, loaded where vcam was started beside the show
    and was refused from any other folder: the quote's file was looked for in the working folder."""
    folder, empty = tmp_path / "show", tmp_path / "empty"
    folder.mkdir()
    empty.mkdir()
    (folder / '"odd.mp4').write_bytes(b"")
    text = f'presets:\n  - {{name: a, prompt: b}}\ncues:\n  - {{do: "{written}"}}\n'
    said = []
    for working in (folder, empty):
        monkeypatch.chdir(working)
        with pytest.raises(ConfigError) as err:
            parse_show(text, str(folder / "show.yaml"))
        said.append(str(err.value))
    assert said[0] == said[1] and "not closed" in said[0]


def test_a_cues_input_named_in_curled_quotes_loads_the_file_so_named_beside_the_show(tmp_path, monkeypatch):
    """A cue's `input file:’pic.jpg’`, `’pic.jpg’` beside the show, loaded pic.jpg beside it (refused where none is):
    its quotes were made straight and taken off, the name read otherwise than written."""
    monkeypatch.chdir(tmp_path)
    for name in ("’pic.jpg’", "pic.jpg"):
        (tmp_path / name).write_bytes(b"")
    show = parse_show('presets:\n  - {name: a, prompt: b}\ncues:\n  - {do: "input file:’pic.jpg’"}\n',
                      str(tmp_path / "show.yaml"))
    assert show.cues[0].do == (f"input file:{tmp_path / '’pic.jpg’'}",)


def test_several_problems_are_all_reported():
    text = "presets:\n  - name: a\n    promt: x\n  - name: b\n    prompt: y\n    seed: z\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "s.yaml")
    assert [p.split(": ")[0] for p in err.value.problems] == ["s.yaml:3", "s.yaml:6"]  # each preset's own


def test_map_file_errors_name_the_map_file(tmp_path):
    (tmp_path / "mine.yaml").write_text("controls:\n  - {cc: 1, param: blend}\n  - {cc: 999, command: next}\n")
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: b}\nmidi:\n  map: mine.yaml\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert any(p.startswith(f"{tmp_path / 'mine.yaml'}:3: ") for p in err.value.problems)


def test_vcam_check_prints_a_summary_or_the_errors(tmp_path, capsys):
    from vcam.cli import main

    assert main(["check", str(ROOT / "presets" / "example.yaml")]) == 0
    out = capsys.readouterr().out
    assert "5 presets" in out and "ok" in out
    # the example leaves the size to vcam run, which picks the largest that keeps --target-fps on the card
    assert load_show(ROOT / "presets" / "example.yaml").output.size is None
    assert "output: size picked for the card, 30 fps" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("presets:\n  - name: a\n    prompt: x\n    sed: 3\n")
    assert main(["check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: " in err and "unknown key 'sed'" in err
    assert main(["check", str(tmp_path / "none.yaml")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_vcam_check_lists_a_whole_number_written_in_hex_or_binary_as_written(tmp_path, capsys):
    """An accepted `seed: 0x10` was listed as `seed 16`, a number written nowhere in the file; said as written
    with what it reads as, as a hex number out of range is."""
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text("defaults: {seed: 0x10, steps: 0b11, transition: 4}\npresets:\n"
                    "  - {name: a, prompt: b, seed: 0x1F, transition: 0x_8}\n  - {name: c, prompt: d, seed: 7}\n")
    assert main(["check", str(show)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1:4] == ["   1. a: b, seed 0x1F (31), transition 0x_8 (8)", "   2. c: d, seed 7",
                        "  defaults: seed 0x10 (16), steps 0b11 (3), transition 4"]


@pytest.mark.parametrize("written", ["none", "off", "'off'", "null", "~", "last frame"])
def test_a_fallback_of_none_is_told_to_be_left_out(written, tmp_path):
    """`fallback: none`, meant as no image, was looked for as a file named none, and `off` or `null` unquoted was
    told to be quoted, to be looked for as a file next."""
    show = tmp_path / "show.yaml"
    show.write_text(f"defaults: {{fallback: {written}}}\npresets:\n  - {{name: a, prompt: b, fallback: {written}}}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    said = written.strip("'")
    assert err.value.problems == [
        f"{show}:1: defaults fallback: {said} is no image; leave fallback: out for a stall to hold the last frame",
        f"{show}:3: preset 'a' fallback: {said} is no image; leave fallback: out for a stall to hold the defaults' "
        "fallback, else the last frame"]


@pytest.mark.parametrize("written, beside", [("none", "none.png"), ("hold", "hold.jpg"), ("Hold", "hold.jpg"),
                                             ("'off'", "off.png"), ("last frame", "Last Frame.PNG")])
def test_a_fallback_word_for_none_named_alike_an_image_beside_the_show_is_said_with_that_image(written, beside,
                                                                                             tmp_path):
    """`fallback: hold` beside hold.jpg was told to be left out, where the image beside it was likely meant: said
    as not found, with the image named alike."""
    (tmp_path / beside).write_bytes(b"")
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {{name: a, prompt: b, fallback: {written}}}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    [said] = err.value.problems
    assert f"its folder holds {beside}, named alike" in said and "leave fallback: out" not in said, said


@pytest.mark.parametrize("prompts, meant", [
    ("[a forest: 0.7, fireflies: 0.3]", {"a forest": 0.7, "fireflies": 0.3}),
    ("{a forest: 0.7, 'fireflies, soft': 0.3}", {"a forest": 0.7, "fireflies, soft": 0.3}),
    ("\n      a forest: 0.7\n      yes: 3", {"a forest": 0.7, "yes": 3}),
    ("{a forest: 100, fireflies: 0}", {"a forest": 100, "fireflies": 0})])
def test_prompts_written_as_texts_and_their_weights_are_offered_as_a_list(prompts, meant):
    """`prompts: {a forest: 0.7, fireflies: 0.3}`, each text a key and its weight the value, was said as "must be a
    list", or as unknown keys 'a forest' and 'fireflies' with their texts missing; offered as the list, which reads
    back as those texts and weights."""
    from helpers import offered_yaml

    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: neon\n    prompts: {prompts}\n", "w.yaml")
    (problem,) = err.value.problems
    line = 4 if prompts.startswith("\n") else 3
    assert problem.startswith(f"w.yaml:{line}: preset 'neon': prompts gives each text with its weight"), problem
    offered = offered_yaml(problem, "prompts: ")
    assert parse_show(f"presets:\n  - name: neon\n    prompts: {offered}\n", "ok.yaml").presets[0].prompts == meant


@pytest.mark.parametrize("prompts, misread", [("{a forest: 010, fireflies: 1}", "010 reads as 8"),
                                              ("\n      a forest: 0.5\n      fireflies: 1:30", "1:30 reads as 90"),
                                              ("[a forest: -010, fireflies: 1]", "-010 reads as -8")])
def test_prompts_written_as_texts_with_weights_yaml_reads_as_other_numbers_are_told_so_with_no_list(prompts, misread):
    """`prompts: {a forest: 010, fireflies: 1}` was offered a list with weight: 8 (YAML 1.1's octal), and 1:30 one
    with weight: 90 (base 60): a list that loads, but not with the weights written; said in words instead."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: neon\n    prompts: {prompts}\n", "w.yaml")
    (problem,) = err.value.problems
    assert "prompts: [{text: TEXT, weight: N}, …]" in problem and "weight: 8" not in problem, problem
    assert problem.endswith(f"each weight in plain decimal digits ({misread} in YAML)"), problem


@pytest.mark.parametrize("prompts, weights", [("{a forest: 0.7, fireflies: 300}", "0.7, 300"),
                                              ("[a forest: 0.7, fireflies: -1]", "0.7, -1"),
                                              ("{a forest: 0, fireflies: 0}", "0, 0"),
                                              ("{a forest: .nan}", "nan")])
def test_prompts_written_as_texts_with_weights_out_of_range_are_told_the_range_with_no_list(prompts, weights):
    """`prompts: {a forest: 0.7, fireflies: 300}` was offered a list with weight: 300, which pasted is refused: a
    list is offered only where its weights load, and the range said where not."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: neon\n    prompts: {prompts}\n", "w.yaml")
    (problem,) = err.value.problems
    assert problem.endswith("prompts: [{text: TEXT, weight: N}, …], each weight a number from 0 to 100, at least "
                            f"one above 0 (these are {weights})"), problem


@pytest.mark.parametrize("out, entry", [("[file: show.mp4]", "file:show.mp4"),
                                        ("[window, vcam: /dev/video10]", "vcam:/dev/video10"),
                                        ("\n    - file: my show.mp4", "file:my show.mp4")])
def test_an_output_with_a_space_after_its_colon_is_offered_without_it(out, entry, tmp_path):
    """`out: [file: show.mp4]` is YAML's mapping {file: show.mp4}, said as "output out entry must be non-empty text";
    offered without the space, as an entry that reads back as the output."""
    import yaml

    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {{name: a, prompt: b}}\noutput:\n  out: {out}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    (problem,) = err.value.problems
    offered = problem.rpartition("write it without the space: ")[2]
    assert "reads as a key and its value (the space after the colon)" in problem and yaml.safe_load(offered) == entry
    show.write_text(f"presets:\n  - {{name: a, prompt: b}}\noutput:\n  out: [{offered}]\n")
    assert load_show(show).output.out[-1].replace(f"{tmp_path}/", "") == entry


@pytest.mark.parametrize("out, refused", [
    ("[window: 2]", "output 'window:2' takes no target"), ("[vcam, window: main]", "output 'window:main' takes no"),
    ("[file: show.txt]", "output file:show.txt: ")])
def test_an_output_with_a_space_after_its_colon_refused_without_it_too_is_said_so_with_no_line(out, refused):
    """`out: [window: 2]` was offered window:2, which pasted is refused as taking no target: an entry is offered
    only where the output parser takes it, and said with that refusal where not."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {{name: a, prompt: b}}\noutput:\n  out: {out}\n", "s.yaml")
    (problem,) = err.value.problems
    assert "without the space it is refused too: " + refused in problem and "write it without" not in problem, problem


def test_null_in_the_output_list_is_the_null_output():
    show = parse_show("output: {out: [null, vcam]}\npresets:\n  - {name: a, prompt: x}\n", "s.yaml")
    assert show.output.out == ("null", "vcam")
    with pytest.raises(ConfigError) as err:  # an empty entry is still a mistake, not the null output
        parse_show("output:\n  out:\n    -\npresets:\n  - {name: a, prompt: x}\n", "s.yaml")
    assert err.value.problems[0].startswith("s.yaml:3: ") and "non-empty text" in err.value.problems[0]


@pytest.mark.parametrize("text,line,fragment", [
    ("presets:\n  - name: off\n    prompt: x\n", 2, "off is read as false; quote it: 'off'"),
    ("presets:\n  - name: a\n    prompt: 1984\n", 3, "1984 is read as a number; quote it: '1984'"),
    ("presets:\n  - name: yes\n    prompt: x\n", 2, "yes is read as true; quote it: 'yes'"),
    ("presets:\n  - name: a\n    prompt: null\n", 3, "null is read as null; quote it: 'null'"),
    ("name: 2024-05-01\npresets:\n  - {name: a, prompt: x}\n", 1, "read as a date; quote it: '2024-05-01'"),
])
def test_values_yaml_reads_as_other_types_say_to_quote_them(text, line, fragment):
    with pytest.raises(ConfigError) as err:
        parse_show(text, "shows/q.yaml")
    assert len(err.value.problems) == 1, err.value.problems
    assert err.value.problems[0].startswith(f"shows/q.yaml:{line}: ") and fragment in err.value.problems[0]


@pytest.mark.parametrize("text,line,fragment", [
    ("presets:\n  - name: a\n    prompt: x\n    seed: !!int abc\n", 4, "'abc' is not a valid !!int"),
    ("presets:\n  - name: a\n    prompt: !!timestamp x\n", 3, "'x' is not a valid !!timestamp"),
    ("presets:\n  - name: a\n    prompt: !!python/name:os.system\n", 3, "unknown tag !!python/name:os.system"),
    ("output:\n  size: !!float big\npresets:\n  - {name: a, prompt: x}\n", 2, "not a valid !!float"),
    ("presets:\n  - {name: a, prompt: x}\nmidi:\n  controls:\n    - {cc: !!int x, command: next}\n", 5,
     "not a valid !!int"),
])
def test_values_that_cannot_be_constructed_name_file_and_line(text, line, fragment):
    with pytest.raises(ConfigError) as err:
        parse_show(text, "shows/t.yaml")
    assert len(err.value.problems) == 1, err.value.problems  # one message per bad value, not a cascade
    assert err.value.problems[0].startswith(f"shows/t.yaml:{line}: ") and fragment in err.value.problems[0]


MIDI_SHOW = """\
presets:
  - {name: city, prompt: a}
  - {name: ocean, prompt: b}
  - {name: forest, prompt: c}
midi:
  controls:
    - {cc: 0, param: blend, between: [city, ocean]}
    - {cc: 1, param: blend, between: [1, 3]}
    - {cc: 41, command: preset 3}
    - {cc: 42, command: preset Forest}
    - {note: 36, command: blend city 'forest' 0.5}
    - {program: presets}
"""


def test_midi_preset_references_that_exist_load():
    show = parse_show(MIDI_SHOW, "show.yaml")
    assert [k.between for k in show.midi.knobs] == [("city", "ocean"), (1, 3)]
    assert len(show.midi.buttons) == 3


@pytest.mark.parametrize("old,new,line,fragment", [
    ("between: [city, ocean]", "between: [city, oceann]", 7, "between: no preset named 'oceann'"),
    ("between: [1, 3]", "between: [1, 4]", 8, "between: no preset 4: this show has presets 1 to 3"),
    ("between: [1, 3]", "between: [yes, 3]", 8, "yes is not a preset name or number"),
    ("command: preset 3", "command: preset 9", 9, "no preset 9"),
    ("command: preset Forest", "command: preset moon", 10, "no preset named 'moon'"),
    ("blend city 'forest' 0.5", "blend city 'forst' 0.5", 11, "no preset named 'forst'"),
])
def test_midi_map_naming_a_missing_preset_is_a_show_error(old, new, line, fragment):
    assert old in MIDI_SHOW
    with pytest.raises(ConfigError) as err:
        parse_show(MIDI_SHOW.replace(old, new), "shows/m.yaml")
    assert len(err.value.problems) == 1, err.value.problems
    assert err.value.problems[0].startswith(f"shows/m.yaml:{line}: midi control ") and fragment in err.value.problems[0]


def test_map_files_may_have_more_preset_buttons_than_the_show_but_no_unknown_names(tmp_path):
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\nmidi:\n  map: mine.yaml\n")
    # a map file serves shows of any length: a button for preset 9 is a generic layout, not a mistake
    (tmp_path / "mine.yaml").write_text("controls:\n  - {cc: 1, param: blend, between: [a, b]}\n"
                                       "  - {cc: 2, command: preset 9}\n")
    assert len(load_show(show).midi.buttons) == 1
    (tmp_path / "mine.yaml").write_text("controls:\n  - {cc: 2, command: preset 9}\n"
                                       "  - {cc: 1, param: blend, between: [a, bb]}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    expected = f"{tmp_path / 'mine.yaml'}:3: MIDI map control 2 between: no preset named 'bb'; presets: a, b"
    assert err.value.problems == [expected]


@pytest.mark.parametrize("old,new,line,fragment", [
    ("between: [city, ocean]", "between: [city, City]", 7, "midi control 1 between names 'city' twice (as 'city' and "
                                                           "'City'); a blend moves between two different presets: "
                                                           "name another at one end"),
    ("between: [1, 3]", "between: [3, 3]", 8, "midi control 2 between names preset 3 twice"),
    # one preset by number and by name: the controller refused the blend on every move of the knob
    ("between: [1, 3]", "between: [1, CITY]", 8, "midi control 2 between names preset 1 ('city') twice, as 1 and "
                                                 "'CITY'; a blend moves between two different presets: name another "
                                                 "at one end, e.g. [city, ocean]"),
    ("between: [city, ocean]", "between: [forest, 3]", 7, "midi control 1 between names preset 3 ('forest') twice"),
])
def test_a_knob_between_one_preset_twice_is_refused_with_its_line_and_the_fix(old, new, line, fragment):
    with pytest.raises(ConfigError) as err:
        parse_show(MIDI_SHOW.replace(old, new), "shows/m.yaml")
    assert len(err.value.problems) == 1, err.value.problems
    assert err.value.problems[0].startswith(f"shows/m.yaml:{line}: {fragment}"), err.value.problems[0]


def test_a_map_file_knob_between_one_preset_twice_in_this_show_is_refused_at_the_map_files_line(tmp_path):
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\nmidi:\n  map: mine.yaml\n")
    (tmp_path / "mine.yaml").write_text("controls:\n  - {cc: 2, command: preset 9}\n"
                                       "  - {cc: 1, param: blend, between: [2, B]}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert err.value.problems == [f"{tmp_path / 'mine.yaml'}:3: MIDI map control 2 between names preset 2 ('b') "
                                  "twice, as 2 and 'B'; a blend moves between two different presets: name another "
                                  "at one end, e.g. [b, a]"]


def test_a_broken_map_file_leaves_the_shows_own_controls_checked_against_its_presets(tmp_path, capsys):
    """The map file's problems alone were said: the show's own misspelt preset came up only at the next reload."""
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\nmidi:\n  map: mine.yaml\n"
                    "  controls:\n    - {cc: 3, param: blend, between: [a, bb]}\n"
                    "    - {cc: 4, param: blend, between: [1, A]}\n    - {cc: 41, command: preset 9}\n")
    (tmp_path / "mine.yaml").write_text("controls:\n  - {cc: 999, param: blend}\n")
    assert main(["check", str(show)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "vcam: error in the show file:",
        f"  {show}:7: midi control 1 between: no preset named 'bb'; presets: a, b",
        f"  {show}:8: midi control 2 between names preset 1 ('a') twice, as 1 and 'A'; a blend moves between two "
        "different presets: name another at one end, e.g. [a, b]",
        f"  {show}:9: midi control 3 command 'preset 9': no preset 9: this show has presets 1 to 2",
        f"  {tmp_path / 'mine.yaml'}:2: MIDI map control 1 cc 999 is out of range (0 to 127)"]


def test_a_broken_control_leaves_the_others_checked_at_their_own_lines_and_each_problem_said_once():
    """A control left out for its problem held back the check of every other one's presets; a `between` already
    refused (a bad value, on a knob that is no blend) is not said again as presets missing."""
    text = MIDI_SHOW.replace("{cc: 0, param: blend, between: [city, ocean]}", "{cc: 0, param: blend, betwen: [a, b]}")
    text = text.replace("preset Forest", "preset moon").replace("between: [1, 3]", "between: [1, !!int x]")
    with pytest.raises(ConfigError) as err:
        parse_show(text + "    - {cc: 5, param: strength, between: [city, nope]}\n", "shows/m.yaml")
    said = [(7, "midi control 1: unknown key 'betwen'"), (8, "midi control 2 between: 'x' is not a valid !!int"),
            (10, "midi control 4 command 'preset moon': no preset named 'moon'"),
            (13, "midi control 7: between is only for param: blend")]  # in line order
    assert len(err.value.problems) == len(said), err.value.problems
    for problem, (line, start) in zip(err.value.problems, said):
        assert problem.startswith(f"shows/m.yaml:{line}: {start}"), problem


def test_a_show_file_written_in_two_goes_is_loaded_once_whole(tmp_path):
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    whole = "presets:\n  - {name: a, prompt: one}\n  - {name: b, prompt: two}\n  - {name: c, prompt: three}\n"
    path.write_text("presets:\n  - {name: a, prompt: one}\n")
    loaded, said = [], []
    watcher = ShowWatcher(str(path), lambda show, maps: loaded.append(len(show.presets)), said.append)
    cut = whole.index("  - {name: c")
    with open(path, "w") as f:  # an editor saving in place, in two writes; the first half is valid YAML
        f.write(whole[:cut])
        f.flush()
        watcher.poll()  # a look between the two writes sees half a show
        f.write(whole[cut:])
    watcher.poll()
    assert loaded == []  # not yet: it changed since the last look
    watcher.poll()
    assert loaded == [3], said
    watcher.poll()
    assert loaded == [3]  # once
    path.write_text(whole[:cut])  # a real edit down to two presets
    watcher.poll(), watcher.poll()
    assert loaded == [3, 2]


def _watching_a_save_of_three(tmp_path):
    """A show of one preset, watched, then saved with three, a save that holds still: the file, the four presets'
    lines, the watcher, and the preset counts it loaded and the lines it said."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    presets = [f"  - {{name: p{i}, prompt: scene {i}}}\n" for i in range(4)]
    path.write_text("presets:\n" + presets[0])
    loaded, said = [], []
    watcher = ShowWatcher(str(path), lambda show, maps: loaded.append(len(show.presets)), said.append,
                          show=load_show(path))
    path.write_text("presets:\n" + "".join(presets[:3]))
    return path, presets, watcher, loaded, said


def test_a_save_begun_as_the_watcher_reads_the_last_one_is_not_put_on_air_half_written(tmp_path, monkeypatch):
    """A save that held still from one look to the next was read; an editor that began its next save (truncate,
    then write in pieces) between that look and the read put the first half of it on air, valid YAML."""
    from vcam.control import reload as reload_module

    path, presets, watcher, loaded, said = _watching_a_save_of_three(tmp_path)
    real = reload_module.load_show

    def next_save_begins(file):  # the editor's next save of four, its first half written as the read comes
        path.write_text("presets:\n" + "".join(presets[:2]))
        return real(file)

    monkeypatch.setattr(reload_module, "load_show", next_save_begins)
    watcher.poll(), watcher.poll()
    assert loaded == [], said  # the half read is not applied
    monkeypatch.setattr(reload_module, "load_show", real)
    path.write_text("presets:\n" + "".join(presets))  # the save ends
    watcher.poll(), watcher.poll()
    assert loaded == [4], said
    watcher.poll(), watcher.poll()
    assert loaded == [4]


def test_a_save_begun_as_the_watcher_reads_the_last_one_is_not_said_broken_for_its_half(tmp_path, monkeypatch):
    """A save begun again as the last one was read, cut where its first half does not load, was said broken (the
    last good show stays live) and "fixed" a second later, when nothing was wrong with it; it is read once it holds
    still, and said once, as it loads."""
    from vcam.control import reload as reload_module

    path, presets, watcher, loaded, said = _watching_a_save_of_three(tmp_path)
    real = reload_module.load_show

    def next_save_begins(file):  # the editor's next save, cut mid-line as the read comes
        path.write_text("presets:\n" + presets[0] + "  - {name: p1, pro")
        return real(file)

    monkeypatch.setattr(reload_module, "load_show", next_save_begins)
    watcher.poll(), watcher.poll()
    assert loaded == [] and said == []
    monkeypatch.setattr(reload_module, "load_show", real)
    path.write_text("presets:\n" + "".join(presets))  # the save ends
    watcher.poll(), watcher.poll()
    assert loaded == [4] and len(said) == 1 and not said[0].startswith("fixed"), said


def test_a_map_name_longer_than_a_file_name_may_be_is_said_not_found_on_air_and_saves_are_read_on(tmp_path):
    """A part of a path over 255 bytes made Path.is_file raise OSError: out of `vcam check` as an error vcam did not
    expect, and on air out of the watcher's thread, which then read no later save."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    good = "presets:\n  - {name: a, prompt: one}\n"
    path.write_text(good)
    loaded, said = [], []
    watcher = ShowWatcher(str(path), lambda show, maps: loaded.append(len(show.presets)), said.append,
                          show=load_show(path))
    long_name = "x" * 300
    path.write_text(good + f"midi:\n  map: {long_name}\n")
    watcher.poll(), watcher.poll()
    assert len(said) == 1 and f"MIDI map '{long_name[:20]}" in said[0] and "not found" in said[0], said
    path.write_text(good + "  - {name: b, prompt: two}\n")
    watcher.poll(), watcher.poll()
    assert loaded == [2] and said[1].startswith("fixed: reloaded"), said


@pytest.mark.parametrize("text, line, what", [
    ("defaults: {fallback: NAME.png}\npresets:\n  - {name: a, prompt: b}\n", 1, "defaults fallback: image NAME.png"),
    ("presets:\n  - {name: a, prompt: b, input: 'file:NAME.mp4'}\n", 2, "preset 'a' input: file NAME.mp4"),
])
def test_a_file_name_longer_than_the_system_allows_is_said_not_found_with_its_line(tmp_path, text, line, what):
    """Path.is_dir raised OSError (File name too long): said without the show's line, and as a reload's error
    vcam did not expect."""
    name = "f" * 300
    with pytest.raises(ConfigError) as err:
        parse_show(text.replace("NAME", name), str(tmp_path / "show.yaml"))
    [problem] = err.value.problems
    assert problem.startswith(f"{tmp_path / 'show.yaml'}:{line}: {what.replace('NAME', name)} not found"), problem


def test_a_look_that_raises_is_said_once_and_the_watcher_looks_on(tmp_path):
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: one}\n")
    said = []
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(path))

    def broken() -> None:
        raise OSError(36, "File name too long")

    watcher._guarded(broken)
    watcher._guarded(broken)  # every half second while it lasts: said once
    assert said == ["show file watcher: OSError: [Errno 36] File name too long; the last good show stays live, and "
                    "saves are still read"]
    watcher._guarded(watcher.poll)
    watcher._guarded(broken)  # once a look went through, a new failure is news again
    assert len(said) == 2


def test_a_look_that_breaks_on_a_bug_says_its_type_once_with_the_place_to_report(tmp_path):
    """A bug in a look (a KeyError of vcam's own code) was said as "KeyError: 'presets'", with nowhere to start a
    report from; the watcher goes on, and the line is said once while it repeats."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: one}\n")
    said = []
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(path))

    def broken() -> None:
        raise KeyError("presets")

    watcher._guarded(broken)
    watcher._guarded(broken)
    assert len(said) == 1 and said[0].startswith("show file watcher: KeyError: 'presets' (at vcam/control/reload.py:")
    assert said[0].endswith("a bug in vcam, please report this line); the last good show stays live, and saves are "
                            "still read"), said


def test_a_look_that_raises_a_vcam_error_is_said_on_one_line_with_its_fix(tmp_path):
    """A VcamError's text puts its fix on a line of its own: it broke the status lines of a show on air."""
    from vcam.control.reload import ShowWatcher
    from vcam.errors import VcamError

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: one}\n")
    said = []
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(path))

    def broken() -> None:
        raise VcamError("cannot read image stall.png", "convert it to PNG or JPEG")

    watcher._guarded(broken)
    assert said == ["show file watcher: VcamError: cannot read image stall.png; convert it to PNG or JPEG; the last "
                    "good show stays live, and saves are still read"], said


def _watched(path, text: str):
    """The show file `text` written at `path` and watched: what the watcher says, and a save of new text, each
    seen as one save within the clock's grain too."""
    from vcam.control.reload import ShowWatcher

    path.write_text(text)
    said: list[str] = []
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(path))

    def save(new: str) -> None:
        path.write_text(new)
        os.utime(path, ns=(10**18 + len(said),) * 2)
        watcher.poll(), watcher.poll()

    return said, save


def test_a_save_that_fails_as_the_last_one_did_is_said_in_one_line_and_the_fix_is_said(tmp_path):
    """Every save of a show file still broken repeated the same reload error, its lines each time."""
    path = tmp_path / "show.yaml"
    good = "presets:\n  - {name: a, prompt: one}\n"
    said, save = _watched(path, good)
    save("presets:\n  - {name: a, prompt: one, seed: x}\n")
    assert len(said) == 1 and said[0].startswith("show file not reloaded, the last good show stays live:\n  ")
    save("presets:\n  - {name: a, prompt: one, seed: x}\n# saved again\n")
    assert said[1] == "show file still not reloaded: the same problem as at the last save; the last good show " \
                      "stays live"
    save("presets:\n  - {name: a, prompt: one, seed: -5}\n")  # another problem: said whole
    assert said[2].startswith("show file not reloaded, the last good show stays live:\n  ") and "-5" in said[2]
    save(good + "  - {name: b, prompt: two}\n")
    assert said[3] == f"fixed: reloaded {path}: 2 presets"
    save(good)
    assert said[4] == f"reloaded {path}: 1 preset"


def test_a_save_that_fails_as_it_is_applied_is_said_and_the_file_is_watched_on(tmp_path):
    """An error raised as a save was applied (decoding its images ahead, the controller taking it) ended the
    watcher's thread with a traceback: no later save was ever loaded."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    good = "presets:\n  - {name: a, prompt: one}\n"
    path.write_text(good)
    said, applied = [], []

    def on_show(show, maps):
        if len(show.presets) == 2:
            raise OSError(28, "No space left on device")
        applied.append(len(show.presets))

    watcher = ShowWatcher(str(path), on_show, said.append, show=load_show(path))

    def save(text):
        path.write_text(text)
        os.utime(path, ns=(10**18 + len(said),) * 2)
        watcher.poll(), watcher.poll()

    save(good + "  - {name: b, prompt: two}\n")
    assert said == ["show file not reloaded (OSError: [Errno 28] No space left on device); the last good show "
                    "stays live"]
    assert watcher.show.presets[0].name == "a" and len(watcher.show.presets) == 1
    save(good + "  - {name: b, prompt: two}\n  - {name: c, prompt: three}\n")
    assert applied == [3] and said[1] == f"fixed: reloaded {path}: 3 presets"


# --- what `vcam check` passes, `vcam run` starts with ------------------------------------------------------------

NOT_IMAGES = [
    ("defaults:\n  fallback: x.mp4\npresets:\n  - {name: a, prompt: b}\n", 2, "defaults fallback: x.mp4"),
    ("presets:\n  - {name: a, prompt: b, fallback: x.mp4}\n", 2, "preset 'a' fallback: x.mp4"),
    ("presets:\n  - {name: a, prompt: b, input: 'image:x.mp4'}\n", 2, "preset 'a' input: image x.mp4"),
    ("defaults:\n  input: image:x.mp4\npresets:\n  - {name: a, prompt: b}\n", 2, "defaults input: image x.mp4"),
    ("presets:\n  - {name: a, prompt: b}\ncues:\n  - {do: 'input image:x.mp4'}\n", 4, "cue 1 do: image x.mp4"),
]


@pytest.mark.parametrize("text, line, what", NOT_IMAGES)
def test_a_file_named_as_an_image_that_is_none_is_refused_with_its_line_and_the_fix(tmp_path, text, line, what):
    (tmp_path / "x.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(200))  # a clip, not a still
    with pytest.raises(ConfigError) as err:
        parse_show(text, str(tmp_path / "show.yaml"))
    [problem] = err.value.problems
    assert problem.startswith(f"{tmp_path / 'show.yaml'}:{line}: {what} is not an image vcam can read "
                              f"(looked at {tmp_path / 'x.mp4'}); convert it to PNG or JPEG"), problem


def test_an_image_that_decodes_is_taken_as_fallback_and_input(tmp_path):
    cv2.imwrite(str(tmp_path / "still.jpg"), np.full((64, 64, 3), 200, np.uint8))
    show = parse_show("defaults: {fallback: still.jpg}\n"
                      "presets:\n  - {name: a, prompt: b, input: 'image:still.jpg'}\n", str(tmp_path / "show.yaml"))
    assert show.defaults.fallback == str(tmp_path / "still.jpg")
    assert show.presets[0].input == f"image:{tmp_path / 'still.jpg'}"


def test_a_fallback_under_the_home_folder_is_found_as_an_input_there_is(tmp_path, monkeypatch):
    """`fallback: ~/pics/hold.png` names the image in the home folder, as `input: image:~/...` and --fallback do,
    not a folder called ~ beside the show."""
    home = tmp_path / "home"
    (home / "pics").mkdir(parents=True)
    cv2.imwrite(str(home / "pics" / "hold.png"), np.full((16, 16, 3), 90, np.uint8))
    monkeypatch.setenv("HOME", str(home))
    show = parse_show("defaults: {fallback: ~/pics/hold.png}\n"
                      "presets:\n  - {name: a, prompt: b, fallback: ~/pics/hold.png}\n",
                      str(tmp_path / "shows" / "show.yaml"))
    assert show.defaults.fallback == str(home / "pics" / "hold.png")
    assert show.presets[0].fallback == str(home / "pics" / "hold.png")


def test_a_show_read_again_does_not_decode_its_images_again_unless_they_changed(tmp_path, monkeypatch):
    """A show is read twice as it starts (checked, then loaded): each read decoded its images, and a PNG's reduced
    read decodes it whole (14 s for a 20000x20000 one). An image written again is decoded again."""
    from vcam.live import frames as frames_module

    still = tmp_path / "still.png"
    cv2.imwrite(str(still), np.full((64, 64, 3), 200, np.uint8))
    reads, real = [], frames_module.imread_quiet
    monkeypatch.setattr(frames_module, "imread_quiet", lambda p, flags: reads.append(p) or real(p, flags))
    text = "defaults: {fallback: still.png}\npresets:\n  - {name: a, prompt: b, input: 'image:still.png'}\n"
    parse_show(text, str(tmp_path / "show.yaml"))
    parse_show(text, str(tmp_path / "show.yaml"))
    assert reads == [str(still)]
    still.write_bytes(b"not a picture any more")
    with pytest.raises(ConfigError):
        parse_show(text, str(tmp_path / "show.yaml"))


@pytest.mark.parametrize("name, side", [("dot.png", 1), ("small.bmp", 4), ("edge.png", 7), ("gray.webp", 3)])
def test_an_image_too_small_to_decode_reduced_is_still_taken(tmp_path, name, side):
    """A 1x1 PNG is a common plain-colour fallback; OpenCV refuses to read one at an eighth of its size."""
    assert cv2.imwrite(str(tmp_path / name), np.full((side, side, 3), 40, np.uint8))
    show = parse_show(f"defaults: {{fallback: {name}}}\n"
                      f"presets:\n  - {{name: a, prompt: b, input: 'image:{name}'}}\n", str(tmp_path / "show.yaml"))
    assert show.defaults.fallback == str(tmp_path / name)


def test_vcam_check_refuses_a_fallback_that_is_no_image_as_vcam_run_would(tmp_path, capsys):
    from vcam.cli import main

    (tmp_path / "x.mp4").write_bytes(b"not a picture")
    show = tmp_path / "show.yaml"
    show.write_text("defaults: {fallback: x.mp4}\npresets:\n  - {name: a, prompt: b}\n")
    assert main(["check", str(show)]) == 2
    captured = capsys.readouterr()
    assert "ok" not in captured.out.split()
    assert f"{show}:1: defaults fallback: x.mp4 is not an image vcam can read" in captured.err
    assert "convert it to PNG or JPEG" in captured.err


def test_a_damaged_image_in_a_show_is_said_in_vcams_line_alone_not_opencvs(tmp_path):
    """A PNG cut short or overwritten, named by a show (checked, or saved on air): OpenCV's warning and libpng's
    error came on the terminal above vcam's line, between the status lines of a show on air."""
    import subprocess
    import sys

    (tmp_path / "bad.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    show = tmp_path / "show.yaml"
    show.write_text("defaults: {fallback: bad.png}\npresets:\n  - {name: a, prompt: b}\n")
    # a level chosen in the environment is kept: the check runs without one, as a user's would
    env = {k: v for k, v in os.environ.items() if k not in ("OPENCV_FFMPEG_LOGLEVEL", "OPENCV_LOG_LEVEL")}
    done = subprocess.run([sys.executable, "-m", "vcam", "check", str(show)], capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 2 and "defaults fallback: bad.png is not an image vcam can read" in done.stderr
    assert "WARN" not in done.stderr and "[ERROR" not in done.stderr and "grfmt" not in done.stderr, done.stderr


def test_vcam_check_refuses_a_recording_into_a_missing_folder_as_vcam_run_would(tmp_path, capsys):
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text(f"output: {{out: ['file:{tmp_path}/nope/x.mp4']}}\npresets:\n  - {{name: a, prompt: b}}\n")
    assert main(["check", str(show)]) == 2
    err = capsys.readouterr().err
    assert f"output file:{tmp_path}/nope/x.mp4: cannot record to {tmp_path}/nope/x.mp4: folder {tmp_path}/nope " \
           "does not exist" in err and f"fix: create it (mkdir -p {tmp_path}/nope) or pick another path" in err
    (tmp_path / "nope").mkdir()
    assert main(["check", str(show)]) == 0
    assert not (tmp_path / "nope" / "x.mp4").exists()  # checked, not written


@pytest.mark.parametrize("out, said", [
    ("[file:show.yaml]", "would write over the show file"),
    ("[file:clip.mp4]", "would write over an input of"),
    ("[file:take.mp4, file:take.mp4]", "would write the same file"),
])
def test_vcam_check_refuses_a_recording_over_what_the_show_reads_as_vcam_run_does(tmp_path, capsys, out, said):
    from vcam.cli import main

    (tmp_path / "clip.mp4").write_bytes(b"a clip")
    show = tmp_path / "show.yaml"
    text = f"defaults: {{input: file:clip.mp4}}\noutput: {{out: {out}}}\npresets:\n  - {{name: a, prompt: b}}\n"
    show.write_text(text)
    assert main(["check", str(show)]) == 2
    err = capsys.readouterr().err
    assert said in err and f"fix: change the output's out: path in {show}" in err
    assert show.read_text() == text and (tmp_path / "clip.mp4").read_bytes() == b"a clip"


def test_vcam_check_refuses_a_recording_over_a_clip_a_map_button_switches_to(tmp_path, capsys):
    from vcam.cli import main

    (tmp_path / "clip.mp4").write_bytes(b"a clip")
    show = tmp_path / "show.yaml"
    show.write_text("output: {out: [file:clip.mp4]}\npresets:\n  - {name: a, prompt: b}\n"
                    "midi: {controls: [{note: 36, command: 'input file:clip.mp4'}]}\n")
    assert main(["check", str(show)]) == 2
    err = capsys.readouterr().err
    assert f"would write over a MIDI button's input in {show}" in err, err
    assert (tmp_path / "clip.mp4").read_bytes() == b"a clip"


def test_vcam_check_refuses_two_outputs_on_one_camera_as_vcam_run_does(tmp_path, capsys):
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text("output: {out: [vcam:/dev/video10, vcam:/dev/video10@640x360]}\n"
                    "presets:\n  - {name: a, prompt: b}\n")
    assert main(["check", str(show)]) == 2
    err = capsys.readouterr().err
    # named as the show file gives them: no --out was given
    assert (f"the output vcam:/dev/video10 of {show} and the output vcam:/dev/video10@640x360 of {show} would both "
            "write to the camera") in err
    assert f"fix: change the output's out: path in {show}" in err and "--out vcam:" not in err


def test_a_reload_names_what_it_changed_and_what_waits_for_the_next_start(tmp_path):
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("defaults: {seed: 0, steps: 4, transition: 4}\noutput: {size: 832x480}\n"
                    "presets:\n  - {name: a, prompt: x}\n")
    said = []
    watcher = ShowWatcher(str(path), lambda show, maps: ["transition 0 for later changes"], said.append,
                          show=load_show(path))
    path.write_text("defaults: {steps: 2, seed: 9, transition: 0, bias: 0.5}\n"
                    f"output: {{size: 576x320, fps: 24, out: ['file:{tmp_path}/x.mp4']}}\n"
                    "presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n")
    watcher.poll(), watcher.poll()
    assert said == [f"reloaded {path}: 2 presets; transition 0 for later changes; at the next start: "
                    "output size/fps/out, defaults seed/steps/bias"]
    path.write_text(path.read_text().replace("prompt: y", "prompt: yz"))  # the presets only: the rest still waits
    watcher.on_show = lambda show, maps: None
    watcher.poll(), watcher.poll()
    assert said[-1] == (f"reloaded {path}: 2 presets; at the next start: output size/fps/out, defaults "
                        "seed/steps/bias")
    path.write_text("presets:\n  - {name: a, prompt: x}\n")
    watcher.poll(), watcher.poll()
    assert said[-1].startswith(f"reloaded {path}: 1 preset;")  # not '1 presets'


def test_a_save_made_while_the_model_loaded_is_reloaded_as_the_watcher_starts(tmp_path):
    """The show read, then saved while the model loaded (before the watcher took its first look): the save was in
    the stamps the watcher started from, and the edit never went on air until the file was saved again."""
    from helpers import wait_for
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: x}\n")
    show = load_show(path)
    path.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n")
    said, loaded = [], []
    watcher = ShowWatcher(str(path), lambda new, maps: loaded.append(len(new.presets)), said.append, show=show)
    watcher.start()
    try:
        assert wait_for(lambda: said) and said == [f"reloaded {path}: 2 presets"] and loaded == [2]
    finally:
        watcher.stop()
    # the file as the show read it: nothing said
    quiet = ShowWatcher(str(path), lambda new, maps: loaded.append(len(new.presets)), said.append, show=load_show(path))
    quiet.saved_since_load()
    assert said == [f"reloaded {path}: 2 presets"] and loaded == [2]
    # broken since: said as a save that does not load
    path.write_text("presets: [\n")
    ShowWatcher(str(path), lambda new, maps: None, said.append, show=show).saved_since_load()
    assert said[-1].startswith("show file not reloaded, the last good show stays live:")


def test_a_save_the_watcher_reloads_as_it_starts_is_not_reloaded_again_at_its_next_looks(tmp_path):
    """A save made after the watcher took its stamps and before it started was reloaded as it started, then seen
    by its looks as a save and said again: "saved with no change to the show: nothing applied"."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: x}\n")
    said, loaded = [], []
    watcher = ShowWatcher(str(path), lambda new, maps: loaded.append(len(new.presets)), said.append,
                          show=load_show(path))
    path.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n")
    os.utime(path, ns=(10**18,) * 2)
    watcher.saved_since_load()
    watcher.poll(), watcher.poll(), watcher.poll()
    assert said == [f"reloaded {path}: 2 presets"] and loaded == [2]


def test_what_waits_for_the_next_start_is_what_differs_from_the_show_as_it_started(tmp_path):
    """An edit undone to what the show started with still said "at the next start: defaults seed" (the save before
    it was compared with), and a later save of a preset said nothing of the seed still waiting."""
    path = tmp_path / "show.yaml"
    start = "defaults: {seed: 0}\npresets:\n  - {name: a, prompt: x}\n"
    said, save = _watched(path, start)
    save(start.replace("seed: 0", "seed: 9"))
    assert said[-1] == f"reloaded {path}: 1 preset; at the next start: defaults seed"
    save(start.replace("seed: 0", "seed: 9").replace("prompt: x", "prompt: xy"))
    assert said[-1] == f"reloaded {path}: 1 preset; at the next start: defaults seed"  # waits still
    save(start.replace("prompt: x", "prompt: xy"))
    assert said[-1] == f"reloaded {path}: 1 preset"  # the seed the show runs with: nothing waits


def test_a_save_that_changes_nothing_in_the_show_says_so_and_applies_nothing(tmp_path):
    """A save of a comment only was said "reloaded: 2 presets", as if the show had changed."""
    import threading

    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    text = "presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n"
    path.write_text(text)
    show = load_show(path)
    said, taken = [], []
    ctl = Controller(show, ShowState(prompts={"x": 1.0}, preset=0), RecordingProducer(), threading.Event(),
                     said.append)

    def on_show(new, maps):
        taken.append(new)
        return ctl.replace_show(new)

    watcher = ShowWatcher(str(path), on_show, said.append, show=show)

    def save(content):
        path.write_text(content)
        os.utime(path, ns=(10**18 + len(said),) * 2)
        watcher.poll(), watcher.poll()

    save("# the opening set\n" + text)
    assert said == [f"{path} saved with no change to the show: nothing applied"] and taken == []
    assert ctl.generator.given == []
    save(text.replace("prompt: y", "prompt: yz"))
    assert said[-1] == f"reloaded {path}: 2 presets" and len(taken) == 1
    save(text.replace("prompt: y", "prompt: [y"))  # broken, then saved back as it runs: the fix is said
    save(text.replace("prompt: y", "prompt: yz") + "\n")
    assert said[-1] == f"fixed: {path} saved with no change to the show: nothing applied" and len(taken) == 1


def test_a_recording_named_in_a_show_is_found_next_to_the_show_file(tmp_path):
    show = parse_show("output: {out: ['file:takes/rec.mp4@160x96', vcam, 'file:/abs/rec.mp4', null]}\n"
                      "presets:\n  - {name: a, prompt: x}\n", str(tmp_path / "s.yaml"))
    assert show.output.out == (f"file:{tmp_path / 'takes' / 'rec.mp4'}@160x96", "vcam", "file:/abs/rec.mp4", "null")


def test_vcam_check_counts_the_controls_that_act_where_the_show_rebinds_its_maps(tmp_path, capsys):
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n"
                    "midi:\n  map: nanokontrol2\n  controls:\n"
                    "    - {cc: 16, param: transition, range: [0, 8]}\n"   # the map's knob 1, rebound
                    "    - {cc: 41, command: next}\n"                       # the map's play button, rebound
                    "    - {note: 36, command: preset 2}\n"                 # a pad the map leaves free
                    "    - {cc: 17, channel: 2, param: seed}\n")            # knob 2 on one channel: both act
    base = load_map(ROOT / "presets" / "midi" / "nanokontrol2.yaml")
    assert main(["check", str(show)]) == 0
    out = capsys.readouterr().out
    assert f"{len(base.knobs) + 1} knobs, {len(base.buttons) + 1} buttons" in out, out


def test_a_folder_named_as_a_fallback_or_input_is_called_a_folder_not_missing(tmp_path):
    (tmp_path / "images").mkdir()
    text = ("defaults: {fallback: images}\npresets:\n  - {name: a, prompt: b, input: 'image:images'}\n")
    with pytest.raises(ConfigError) as err:
        parse_show(text, str(tmp_path / "show.yaml"))
    problems = err.value.problems
    assert any(":1: defaults fallback: image images is a folder" in p and "name a file in it" in p for p in problems)
    assert any(":3: " in p and "images is a folder" in p for p in problems), problems
    assert not any("not found" in p for p in problems)


@pytest.mark.parametrize("name,kind,flag", [("midi/nanokontrol2.yaml", "a MIDI map", "--midi-map"),
                                            ("osc/touchosc-simple.yaml", "an OSC map", "--osc-map")])
def test_a_map_checked_as_a_show_is_said_to_be_a_map(name, kind, flag):
    """vcam check presets/midi/nanokontrol2.yaml said the map's keys were unknown and its presets missing."""
    path = Path(__file__).resolve().parent.parent / "presets" / name
    with pytest.raises(ConfigError) as err:
        load_show(path)
    (problem,) = err.value.problems
    assert f"this is {kind} (controls:, no presets:), not a show; give it to vcam run {flag} FILE" in problem


def test_check_counts_a_single_preset_in_the_singular(tmp_path, capsys):
    from vcam.cli import main

    path = tmp_path / "solo.yaml"
    path.write_text("presets:\n  - {name: a, prompt: x}\n")
    assert main(["check", str(path)]) == 0
    assert f"{path}: show 'solo', 1 preset\n" in capsys.readouterr().out


def test_check_names_the_show_as_it_was_written(tmp_path, capsys):
    """vcam check said a show named 👩‍🎤 night as repr() writes it: '👩\\u200d🎤 night', its joiner escaped."""
    from vcam.cli import main

    path = tmp_path / "s.yaml"
    path.write_text('name: "\\U0001F469\\u200d\\U0001F3A4 night"\npresets:\n  - {name: a, prompt: x}\n', "utf-8")
    assert main(["check", str(path)]) == 0
    assert f"{path}: show '\U0001F469\u200d\U0001F3A4 night', 1 preset\n" in capsys.readouterr().out


def test_check_counts_one_knob_button_and_fader_in_the_singular(tmp_path, capsys):
    from vcam.cli import main

    path = tmp_path / "solo.yaml"
    path.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n"
                    "midi:\n  controls:\n    - {cc: 16, param: seed}\n    - {note: 36, command: next}\n"
                    "osc:\n  controls:\n    - {address: /f, param: strength}\n    - {address: /b, command: next}\n")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "2 presets\n" in out and "1 knob, 1 button" in out and "1 fader, 1 button" in out, out


@pytest.mark.parametrize("name", ["1", "'1'", '"07"', '"\\u200b2"', '"2\\u2060"'])
def test_a_preset_named_by_digits_is_told_to_add_a_word_not_to_quote_them(name):
    # quoting is the fix for other values YAML reads as numbers, but a quoted number is refused all the same; and
    # digits with an invisible character, which a name read as typed drops, are digits that `preset 2` cannot pick
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: {name}\n    prompt: x\n", "shows/n.yaml")
    assert len(err.value.problems) == 1, err.value.problems
    problem = err.value.problems[0]
    assert problem.startswith("shows/n.yaml:2: ") and "plain number" in problem and "add a word" in problem
    assert "quote it" not in problem


@pytest.mark.parametrize("written,typed", [
    ('" neon city "', "preset neon city"),
    ('"neon\\u00a0city"', "preset neon city"),  # a no-break space copied from a page: a space, as typed
    ('"neon\\u200bcity"', "preset neoncity"),  # a zero-width space: nothing, as typed
    ("|\n      neon\n      city", "preset neon city"),  # a block scalar's line break
])
def test_a_preset_name_is_read_as_it_is_typed_so_a_line_can_pick_it(written, typed):
    """A name with a no-break space, a zero-width one or a line break in it could be picked by no typed line, cue
    or map (the console reads those as a space, or drops them): the cue below was refused as naming no preset."""
    from vcam.control.commands import parse

    show = parse_show(f"presets:\n  - name: {written}\n    prompt: x\n  - {{name: b, prompt: y}}\n"
                      f"cues:\n  - {{name: open, do: {typed}}}\n", "shows/n.yaml")
    assert show.find(parse(typed).args[0]) == 0 and show.presets[0].name == typed.removeprefix("preset ")
    assert show.find(parse(f'preset " {show.presets[0].name} "').args[0]) == 0  # quoted with spaces round it


def test_a_preset_name_of_nothing_that_prints_is_refused_at_its_line():
    with pytest.raises(ConfigError) as err:
        parse_show('presets:\n  - {name: "\\u200b", prompt: x}\n', "shows/n.yaml")
    assert err.value.problems == ["shows/n.yaml:2: preset 1 name must be text that prints, not '\\u200b'"]


def test_the_defaults_give_the_tempo_the_show_starts_at_and_vcam_check_says_it(tmp_path, capsys):
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text("defaults: {bpm: 124, quantize: bar}\npresets:\n  - {name: a, prompt: b}\n")
    assert load_show(show).defaults.bpm == 124.0
    assert main(["check", str(show)]) == 0
    assert "defaults: seed 0, steps 4, transition 4, 124 bpm, changes land on the bar" in capsys.readouterr().out


# --- the summary vcam check prints ------------------------------------------------------------------------------

WEBCAM = "A person sitting at a desk facing the camera, head and shoulders, in a room, "
LOOKS = {
    "oil painting": "painted as a classical oil portrait, thick visible brush strokes, warm ochre and umber tones",
    "watercolour": "painted in loose watercolour on rough white paper, soft bleeding washes of blue and rose",
    "comic ink": "drawn as a comic book panel, bold black ink outlines, flat bright colours, halftone dots",
    "hologram": "rendered as a translucent cyan and magenta hologram, glowing edges, thin scan lines",
}


def checked(tmp_path, capsys, presets: str) -> list[str]:
    """The preset lines (and the line naming a shared opening) of `vcam check` on a show of these presets."""
    from vcam.cli import main

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n" + presets, encoding="utf-8")
    assert main(["check", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    return lines[1:lines.index(next(line for line in lines if line.startswith("  defaults:")))]


def test_vcam_check_shows_where_prompts_that_open_alike_differ(tmp_path, capsys):
    """restyle-camera.yaml's six prompts open with the same description of a webcam picture: cut at 50 characters
    all six read 'A person sitting at a desk facing the camera, head…'."""
    lines = checked(tmp_path, capsys, "".join(f"  - name: {name}\n    prompt: {WEBCAM}{look}\n    strength: 0.45\n"
                                              for name, look in LOOKS.items()))
    assert lines[0] == "  shared opening (…): " + WEBCAM.rstrip()
    shown = lines[1:]
    assert len(shown) == len(LOOKS) and all(len(line) <= 100 for line in lines), lines
    for line, (name, look) in zip(shown, LOOKS.items()):
        assert line.startswith(f"  {shown.index(line) + 1:2d}. {name}: …{look[:25]}") and "A person" not in line
        assert line.endswith(", strength 0.45")


def test_vcam_check_leaves_out_only_what_hides_the_difference(tmp_path, capsys):
    # the two share up to "in a ": the clause that starts there stays; without a clause to cut at in the shared
    # part, the cut falls after its last word; prompts that differ early show from their start
    long_tail = ", with a lot more description after it to fill the line"
    cat = "a ginger cat asleep on the soft old red velvet cushion in the evening sun by the tall window on "
    lines = checked(tmp_path, capsys, (
        f"  - {{name: oil, prompt: '{WEBCAM}{LOOKS['oil painting']}'}}\n"
        f"  - {{name: film, prompt: '{WEBCAM.replace('in a room', 'in a softly lit room')}shot on 35mm film'}}\n"
        f"  - {{name: cat red, prompt: '{cat}an armchair{long_tail}'}}\n"
        f"  - {{name: cat blue, prompt: '{cat}a blue sofa{long_tail}'}}\n"
        f"  - {{name: ocean, prompt: 'Aerial view of turquoise ocean waves on a white sand beach{long_tail}'}}\n"
        f"  - {{name: forest, prompt: 'Aerial view of a misty pine forest at dusk{long_tail}'}}\n"))
    assert lines[0] == "  shared opening (…): " + WEBCAM[:WEBCAM.index(" in a room")]
    assert lines[1].startswith("  shared opening (…): " + cat[:60]) and lines[1].endswith("…")  # cut to the line
    assert lines[2].startswith("   1. oil: …in a room, painted as a classical oil portrait")
    assert lines[3].startswith("   2. film: …in a softly lit room, shot on 35mm film")
    assert lines[4].startswith("   3. cat red: …an armchair, with a lot")
    assert lines[5].startswith("   4. cat blue: …a blue sofa, with a lot")
    assert lines[6].startswith("   5. ocean: Aerial view of turquoise") and lines[7].startswith("   6. forest: Aerial")
    assert len(lines) == 8 and all(len(line) <= 100 for line in lines), lines


def test_vcam_check_shows_a_prompt_whole_where_what_it_shares_is_a_word_or_two(tmp_path, capsys):
    """The README's own show: two prompts open with "A ", and the blend's line is narrow; it read
    `shared opening (…): A` and `…misty pine forest at…`."""
    lines = checked(tmp_path, capsys, (
        "  - {name: neon city, prompt: 'A slow drift through a neon city at night, rain on the streets'}\n"
        "  - name: dusk forest\n    seed: 7\n    transition: 8\n    prompts:\n"
        "      - {text: A misty pine forest at dusk, weight: 0.7}\n"
        "      - {text: Fireflies glowing in the dark, weight: 0.3}\n"))
    assert not any("shared opening" in line for line in lines), lines
    assert lines[1].startswith("   2. dusk forest: A misty pine forest") and "…" not in lines[1][:40], lines


def test_vcam_check_fits_a_weighted_blend_in_the_line(tmp_path, capsys):
    lines = checked(tmp_path, capsys, (
        "  - name: forest dusk\n    transition: 8\n    prompts:\n"
        "      - {text: 'A misty pine forest at dusk, golden light through the trees, slow dolly', weight: 0.7}\n"
        "      - {text: 'Fireflies, soft bokeh', weight: 0.3}\n"))
    (line,) = lines
    assert len(line) <= 100 and line.endswith(", transition 8"), line
    # the short text shows whole, the long one takes the rest of the room, more than half of it
    assert "A misty pine forest at dusk" in line and "… ×0.7 + Fireflies, soft bokeh ×0.3" in line


@pytest.mark.parametrize("name", ["neon\\u00a0city", "neon\\u200bcity", " neon city"])
def test_a_knob_between_names_a_preset_as_the_show_writes_its_name(name):
    """A knob's `between` is read as written, not as a typed line: the same name as the preset's own, a no-break
    space or a zero-width one in it, was refused as naming no preset once the show read its names as typed."""
    show = parse_show(f'presets:\n  - {{name: "{name}", prompt: x}}\n  - {{name: ocean, prompt: y}}\n'
                      f'midi:\n  controls:\n    - {{cc: 0, param: blend, between: ["{name}", ocean]}}\n',
                      "shows/n.yaml")
    assert show.find(show.midi.knobs[0].between[0]) == 0


@pytest.mark.parametrize("typed", ["preset 👩\u200d🎤 singer", "preset 👩🎤 Singer", "preset 👩\u200d🎤 singer\u200d"])
def test_a_preset_named_with_a_joiner_keeps_it_and_is_picked_with_it_or_without(typed):
    """A name is compared without its joiners, as before (a name copied with one, typed without it): the show's
    own name keeps the joiner, so the status draws the one emoji it was written as."""
    from vcam.control.commands import parse

    show = parse_show('presets:\n  - {name: "\U0001F469\\u200d\U0001F3A4 singer", prompt: x}\n'
                      '  - {name: b, prompt: y}\n', "shows/n.yaml")
    assert show.presets[0].name == "👩\u200d🎤 singer"
    assert show.find(parse(typed).args[0]) == 0


def test_two_names_that_differ_only_by_a_joiner_are_one_name():
    with pytest.raises(ConfigError) as err:
        parse_show('presets:\n  - {name: "neon\\u200dcity", prompt: x}\n  - {name: neoncity, prompt: y}\n',
                   "shows/n.yaml")
    assert len(err.value.problems) == 1 and "the name is already used by preset 1" in err.value.problems[0]


def test_digits_with_a_joiner_between_them_are_still_a_number():
    with pytest.raises(ConfigError) as err:
        parse_show('presets:\n  - {name: "1\\u200d2", prompt: x}\n', "shows/n.yaml")
    assert len(err.value.problems) == 1 and "the name '12' cannot be a plain number" in err.value.problems[0]


@pytest.mark.parametrize("name", ["²", "x²"])
def test_a_name_of_a_superscript_is_no_number_and_is_picked_by_its_name(name):
    """A preset named ² was refused as "a plain number (numbers select presets by position)", while `preset ²` is
    read as a name (no number int() reads); a full-width ２ is one, as `preset ２` picks preset 2."""
    from vcam.control.commands import parse

    show = parse_show(f"presets:\n  - {{name: a, prompt: x}}\n  - {{name: '{name}', prompt: y}}\n", "shows/n.yaml")
    assert show.find(parse(f"preset {name}").args[0]) == 1
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: ２, prompt: x}\n", "shows/n.yaml")
    assert "the name '２' cannot be a plain number" in err.value.problems[0]


def test_an_output_fps_written_as_ffmpeg_writes_ntsc_is_read_as_it_is_from_the_command_line():
    """`fps: 30000/1001` (ffmpeg's 29.97) was refused as "must be a number", while --fps takes it."""
    show = parse_show("output: {fps: 30000/1001}\npresets:\n  - {name: a, prompt: b}\n", "s.yaml")
    assert show.output.fps == 30000 / 1001
    with pytest.raises(ConfigError) as err:
        parse_show("output: {fps: 1/2}\npresets:\n  - {name: a, prompt: b}\n", "s.yaml")
    assert err.value.problems == ["s.yaml:1: output fps 1/2 is 0.5 frames/s: it must be at least 1 and at most 240"]


def test_vcam_check_says_an_ntsc_output_rate_as_it_is_known(tmp_path, capsys):
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text("output: {fps: 60000/1001}\npresets:\n  - {name: a, prompt: b}\n")
    assert main(["check", str(show)]) == 0
    assert ", 59.94 fps," in capsys.readouterr().out  # not 59.9401


def test_an_empty_prompts_list_is_said_even_after_an_earlier_presets_error():
    """vcam check lists every error: `prompts: []` went unsaid wherever a preset before it had one, and came up only
    once that was fixed."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: ''}\n  - {name: b, prompts: []}\n", "show.yaml")
    assert err.value.problems == ["show.yaml:2: preset 'a' prompt must be non-empty text",
                                  "show.yaml:3: preset 'b': prompts is empty"]


def test_an_empty_preset_is_said_once_with_what_to_write():
    """A `-` left alone (a preset's lines deleted under it) was said as two problems, "must be a mapping" and "give
    either prompt or prompts", neither naming the empty line as the thing to fill in or delete."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  -\n  - {name: a, prompt: b}\n", "show.yaml")
    assert err.value.problems == ["show.yaml:2: preset 1 is empty; give it a name and a prompt ({name: NAME, "
                                  "prompt: TEXT}), or delete its line"]


def _same_tick(path, text: str, tick: int) -> None:
    """`text` written over `path` in place, its mtime set to `tick`: a file time that ticks in whole seconds."""
    path.write_text(text)
    os.utime(path, ns=(tick, tick))


def _watched_on_a_share(tmp_path):
    """A show file whose time ticks in whole seconds, watched on a clock a test moves; its reloads say the
    transition."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    start = "defaults: {transition: 2}\npresets:\n  - {name: a, prompt: x}\n"
    _same_tick(path, start, 10**18)
    said: list[str] = []
    now = [0.0]
    watcher = ShowWatcher(str(path), lambda show, maps: [f"transition {show.defaults.transition}"], said.append,
                          show=load_show(path), clock=lambda: now[0])
    return path, start, said, now, watcher


def test_a_second_save_within_the_file_times_tick_is_reloaded(tmp_path):
    """On a share whose file times tick in seconds, a second save of the same size within the tick of the first
    left the file's stamp as the first left it: the show ran the first save's text, silently, for the rest of it."""
    path, start, said, now, watcher = _watched_on_a_share(tmp_path)
    _same_tick(path, start.replace("transition: 2", "transition: 3"), 10**18 + 10**9)
    watcher.poll(), watcher.poll()
    assert said == [f"reloaded {path}: 1 preset; transition 3"]
    now[0] = 1.0
    _same_tick(path, start.replace("transition: 2", "transition: 5"), 10**18 + 10**9)  # the same tick and size
    watcher.poll(), watcher.poll()
    assert said[1:] == [f"reloaded {path}: 1 preset; transition 5"]


def test_a_content_change_seen_at_the_end_of_its_window_is_loaded_only_once_it_holds_still(tmp_path):
    """A change in the content alone, first seen at the window's last look: the next look, past the window, kept the
    digest of that read and took the file for still, and loaded what no two looks had seen (a file half-rewritten
    in place, on air)."""
    from vcam.control.reload import FRESH_S

    path, start, said, now, watcher = _watched_on_a_share(tmp_path)
    watcher.poll()
    now[0] = FRESH_S
    _same_tick(path, start.replace("transition: 2", "transition: 3"), 10**18)  # seen at the window's last look
    watcher.poll()
    now[0] = FRESH_S + 0.5
    _same_tick(path, start.replace("transition: 2", "transition: 4"), 10**18)  # written on before the next look
    watcher.poll()
    assert said == [], said  # no look saw 4 twice
    watcher.poll()
    assert said == [f"reloaded {path}: 1 preset; transition 4"], said


def test_a_file_whose_stamp_holds_still_is_neither_read_again_nor_said_saved(tmp_path, monkeypatch):
    """Once its file time's tick is long past, a watched file is not read at each look, and its content's digest
    kept as last read does not show as a save."""
    from vcam.control import reload
    from vcam.control.reload import FRESH_S, ShowWatcher

    path = tmp_path / "show.yaml"
    _same_tick(path, "presets:\n  - {name: a, prompt: x}\n", 10**18)
    said: list[str] = []
    now = [0.0]
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(path), clock=lambda: now[0])
    reads: list[str] = []
    digest = reload._digest
    monkeypatch.setattr(reload, "_digest", lambda p: reads.append(p) or digest(p))
    watcher.poll(), watcher.poll()
    assert len(reads) == 2
    now[0] = FRESH_S + 1
    watcher.poll(), watcher.poll(), watcher.poll()
    assert len(reads) == 2 and said == []
    _same_tick(path, "presets:\n  - {name: a, prompt: xy}\n", 10**18 + 10**9)
    watcher.poll(), watcher.poll()
    assert said == [f"reloaded {path}: 1 preset"] and len(reads) > 2  # read again once the stamp changed


def test_a_side_of_the_blend_on_air_renamed_is_said_on_the_reload_line():
    """A preset of the blend on air renamed went by unannounced (only the status showed the new name), where the
    preset on air renamed is said."""
    import threading

    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState

    text = ("presets:\n  - {name: city, prompt: a city}\n  - {name: ocean, prompt: waves}\n"
            "  - {name: forest, prompt: trees}\n")
    show = parse_show(text, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    ctl.handle_line("blend city forest 0.25", "stdin")
    applied = ctl.replace_show(parse_show(text.replace("name: forest", "name: woods"), "show.yaml"))
    assert applied == ["preset 'forest' of the blend on air was renamed: preset 3 'woods'"]
    assert ctl.state.blend == (0, 2, 0.25)
    assert ctl.replace_show(parse_show(text.replace("name: forest", "name: Woods"), "show.yaml")) == []  # recased


NOT_WHOLE = ("the file is not written whole (a save still under way on a network share, or one a crash cut short); "
             "save it again from the editor")


def _problems_of(path, data: bytes) -> list[str]:
    """What loading a show file holding `data` refuses it with."""
    path.write_bytes(data)
    with pytest.raises(ConfigError) as e:
        load_show(path)
    return e.value.problems


@pytest.mark.parametrize("data, line", [(bytes(64), 1), (b"presets:\n  - {name: a, prompt: x}\n" + bytes(64), 3)],
                         ids=["zeros only", "text then zeros"])
def test_a_show_file_with_its_end_not_written_yet_is_said_so_not_utf16(tmp_path, data, line):
    """A file a network share had sized but not filled yet (zeros where its text goes) was said to be UTF-16,
    with an iconv to run on it."""
    path = tmp_path / "show.yaml"
    said = f"{path}:{line}: NUL bytes (0) from column 1 on, where text should be: {NOT_WHOLE}"
    assert _problems_of(path, data) == [said]


@pytest.mark.parametrize("data, line", [
    ("presets:\n  - {name: café, prompt: x}\n".encode("utf-16-le")[:60] + bytes(64), 2),
    ("presets:\n  - {name: café".encode()[:-1] + bytes(64), 2)], ids=["utf-16 cut", "utf-8 cut in a character"])
def test_a_show_file_cut_short_that_is_no_utf8_is_said_not_written_whole_not_given_an_iconv(tmp_path, data, line):
    """A UTF-16 file with an accent, or a UTF-8 one cut inside a character, zeros after: told to convert it from
    Latin-1, which garbles it."""
    path = tmp_path / "show.yaml"
    assert _problems_of(path, data) == [f"{path}:{line}: NUL bytes where text should be: {NOT_WHOLE}"]


def test_a_watched_file_that_became_a_named_pipe_is_read_without_waiting_for_a_writer(tmp_path):
    """The content of a watched file is read to tell a save within its file time's tick: a named pipe made there
    since its stat held the watcher until something wrote to it."""
    import threading

    from vcam.control import reload

    pipe = tmp_path / "show.yaml"
    os.mkfifo(pipe)
    got: list = []
    reader = threading.Thread(target=lambda: got.append(reload._digest(str(pipe))), daemon=True)
    reader.start()
    reader.join(30)
    waited = reader.is_alive()
    if waited:  # let it go: a writer opening the pipe ends its wait
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(30)
    assert not waited and got == [None]
    assert reload._digest(str(tmp_path)) is None and reload._digest(str(tmp_path / "gone.yaml")) is None


def test_vcam_check_says_a_prompt_the_text_encoder_reads_only_in_part(tmp_path, capsys):
    """A prompt of 380 short words fits the 2000 characters a preset takes, but not the encoder's 512 tokens: `vcam
    check` said "ok" alone, and only the run said the model reads part of it. A blend's text is said alike."""
    from vcam.cli import main

    long = " ".join(["fog,"] * 380)
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {{name: a, prompt: '{long}'}}\n  - {{name: b, prompt: short}}\n"
                    f"  - name: c\n    prompts:\n      - {{text: calm, weight: 1}}\n      - {{text: '{long}'}}\n")
    assert main(["check", str(show)]) == 0
    lines = capsys.readouterr().out.splitlines()
    cut = [line for line in lines if "is longer than the text encoder's 512 tokens" in line]
    assert [line.split(":")[0] for line in cut] == ["  preset 1 'a'", "  preset 3 'c'"], lines
    # Krea's tokenizer cuts it where its tokens reach 512, which the check cannot count: at this word or before
    assert cut[0].endswith(": the model reads it at most up to '…fog, fog, fog, fog, fog, fog' (at most 256 of its "
                           "380 words); shorten it to keep the rest") and lines[-1] == "ok", lines


def test_vcam_check_says_nothing_of_a_long_prompt_that_the_encoder_reads_whole(tmp_path, capsys):
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {{name: a, prompt: '{' '.join(['nightfall'] * 190)}'}}\n")
    assert main(["check", str(show)]) == 0
    assert "text encoder" not in capsys.readouterr().out


@pytest.mark.parametrize("written, typed", [("cafe\u0301 noir", "caf\u00e9 noir"),
                                            ("caf\u00e9 noir", "CAFE\u0301 NOIR")],
                         ids=["decomposed in the file", "decomposed as typed"])
def test_a_preset_name_with_an_accent_is_found_however_the_accent_is_encoded(written, typed, tmp_path):
    """é as one character or as e and a combining accent (a name copied from a macOS file name): `preset café noir`
    was told there is no preset 'café noir', and the list of presets showed a name that looks the same."""
    show = parse_show(f"presets:\n  - {{name: '{written}', prompt: x}}\n  - {{name: b, prompt: y}}\n",
                      str(tmp_path / "show.yaml"))
    assert show.named(typed) == 0


QUOTED_NAMES = """presets:
  - {name: intro, prompt: a}
  - {name: "“Dancers”", prompt: d}
  - {name: "‘90s rave’", prompt: e}
cues:
  - {name: start, do: preset intro}
  - {name: "“finale”", do: preset “Dancers”}
midi:
  controls:
    - {note: 36, command: preset “Dancers”}
    - {note: 37, command: go “finale”}
"""


def test_names_written_with_typographic_quotes_are_found_typed_with_or_without_them():
    """A show's preset `“Dancers”`, quotes and all: `do: preset “Dancers”` was refused at load (the quotes typed were
    taken as quoting Dancers, no preset's name), and on the console `preset “Dancers”` answered did you mean
    '“Dancers”'?, which said the same again; `go “finale”` for the cue `“finale”` had no hint."""
    import threading

    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState

    show = parse_show(QUOTED_NAMES, "show.yaml")
    assert [show.named(ref) for ref in ("“Dancers”", "Dancers", "‘90s rave’", "90s rave")] == [1, 1, 2, 2]
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    for line, preset in [("preset “Dancers”", 1), ("preset ‘90s rave’", 2), ('preset "“Dancers”"', 1)]:
        said = ctl.handle_line(line, "stdin")
        assert not said.startswith("error") and ctl.state.preset == preset, said
    from vcam.control.commands import parse
    from vcam.control.cuesheet import cue_index
    assert cue_index(show.cues, parse("go “finale”").args[0]) == 1



APOSTROPHE_NAMES = """presets:
  - {name: "rock 'n' roll", prompt: a}
  - {name: "bob’s dream", prompt: b}
cues:
  - {name: start, do: preset 1}
  - {name: "rock ’n’ roll", do: preset 2}
"""


def test_a_name_with_an_apostrophe_is_found_typed_with_a_straight_or_a_typographic_one():
    """`preset ‘rock ’n’ roll’` from a phone (or a Mac's smart punctuation) was told there is no preset 'rock ’n’
    roll', and `preset bob's dream` typed at a terminal found no preset the show wrote `bob’s dream`."""
    import threading

    from helpers import RecordingProducer
    from vcam.control.commands import parse
    from vcam.control.controller import Controller, ShowState
    from vcam.control.cuesheet import cue_index

    show = parse_show(APOSTROPHE_NAMES, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[1].prompts, preset=1), RecordingProducer(),
                     threading.Event(), lambda s: None)
    for line, preset in [("preset ‘rock ’n’ roll’", 0), ("preset bob's dream", 1), ("preset rock ʼnʼ roll", 0),
                         ("preset “bob's dream”", 1)]:
        said = ctl.handle_line(line, "stdin")
        assert not said.startswith("error") and ctl.state.preset == preset, (line, said)
    assert cue_index(show.cues, parse("go rock 'n' roll").args[0]) == 1


@pytest.mark.parametrize("first, name, cased, why", [
    ("bob's dream", "bob’s dream", "Bob’s dream", "’ and ' are read as one apostrophe"),
    ("Dancers", "“Dancers”", "“dancers”", "typographic quotes round a name are read as quotes"),
])
def test_a_name_taken_but_for_an_apostrophe_or_quotes_says_they_are_typed_alike(first, name, cased, why):
    """`bob’s dream` after `bob's dream` (typed alike: either apostrophe finds either) was refused without the line of
    the first, and `Bob’s dream` after it was said to differ by its apostrophe only, not by its case too; `“Dancers”`
    after `Dancers` is the same name, typed `preset “Dancers”`: refused as taken, the reason said was its case, in
    which the two do not differ."""
    for second, reason in [(name, why), (cased, f"{why}, and a name is the same whatever its case")]:
        text = f'presets:\n  - {{name: "{first}", prompt: a}}\n  - {{name: "{second}", prompt: b}}\n'
        with pytest.raises(ConfigError) as err:
            parse_show(text, "show.yaml")
        assert err.value.problems == [
            f"show.yaml:3: preset {quoted(second)}: the name is already used by preset 1 {quoted(first)} on line 2 "
            f"({reason}); names must differ"]


@pytest.mark.parametrize("first, name, why", [
    ("caf\u00e9", "cafe\u0301", "letters encoded differently are one (é as one character or as e and an accent)"),
    ("Caf\u00e9", "cafe\u0301", "letters encoded differently are one (é as one character or as e and an accent), "
                               "and a name is the same whatever its case"),
    ("a\u200db", "ab", "a zero-width joiner or non-joiner, which prints nothing, is not read"),
    ("a\u200cb", "AB", "a zero-width joiner or non-joiner, which prints nothing, is not read, and a name is the same "
                      "whatever its case"),
])
def test_a_name_taken_but_for_its_encoding_or_a_joiner_says_so_not_its_case(first, name, why):
    """`café` written with e and a combining accent after `café` in one character, and `a‍b` (a zero-width joiner
    inside) after `ab`, were said to be the same name whatever its case, in which they do not differ."""
    text = f'presets:\n  - {{name: "{first}", prompt: a}}\n  - {{name: "{name}", prompt: b}}\n'
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert err.value.problems == [
        f"show.yaml:3: preset {quoted(name)}: the name is already used by preset 1 {quoted(first)} on line 2 ({why}); "
        "names must differ"]


HASHED_NAMES = """presets:
  - {name: intro, prompt: a}
  - {name: "scene #1", prompt: b}
  - {name: "scene #2", prompt: c}
cues:
  - {name: start, do: preset intro}
  - {name: "drop #1", do: preset 2}
  - {name: "drop #2", do: preset 3}
"""


@pytest.mark.parametrize("ref, preset_hint, cue_hint", [
    ("#2", "(did you mean 'scene #2'?)", "(did you mean go 'drop #2'?)"),
    ("# 1", "(did you mean 'scene #1'?)", "(did you mean go 'drop #1'?)"),
    ("#3", None, None), ("2.", None, None)])
def test_a_number_written_as_a_list_is_no_number_hint_where_names_hold_a_hash(ref, preset_hint, cue_hint):
    """Presets intro, scene #1, scene #2: `preset #2` said did you mean 2?, which is 'scene #1', and `go #2` did you
    mean go 2?, which fires 'drop #1': the # there is a name's, so the name ending in it is meant, or no number."""
    from vcam.control.commands import parse
    from vcam.control.cuesheet import cue_index

    show = parse_show(HASHED_NAMES, "show.yaml")
    with pytest.raises(KeyError) as err:
        show.find(ref)
    said = str(err.value)
    cued = cue_index(show.cues, ref)
    assert "did you mean 2" not in said and "did you mean go 2" not in cued and "did you mean 1" not in said
    if preset_hint is None:
        assert "did you mean" not in said and "did you mean" not in cued
    else:
        assert preset_hint in said and cue_hint in cued
        meant = parse(cue_hint.removeprefix("(did you mean ").removesuffix("?)"))
        assert show.cues[cue_index(show.cues, meant.args[0])].name == meant.args[0]


def test_a_preset_number_past_a_one_preset_show_says_its_one_preset():
    """`preset 3` in a cue of a show with one preset was refused as "this show has presets 1 to 1"."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b}\ncues:\n  - {do: preset 3}\n", "one.yaml")
    assert err.value.problems == ["one.yaml:4: cue 1 do: preset 3: no preset 3: this show has preset 1"]
    two = parse_show("presets:\n  - {name: a, prompt: b}\n  - {name: c, prompt: d}\n", "two.yaml")
    with pytest.raises(KeyError, match="no preset 3: this show has presets 1 to 2"):
        two.find(3)


@pytest.mark.parametrize("written, entry", [("neon: a neon city", "- {name: neon, prompt: a neon city}"),
                                            ("neon: {prompt: b, seed: 7}", "- {name: neon, prompt: b, seed: 7}")])
def test_presets_written_as_a_mapping_of_names_are_told_the_list_entry_each_is(written, entry):
    """`presets: {neon: …}`, each preset under its name, was refused as "presets must be a list (lines starting with
    '- ')", leaving the writer to guess where the name goes."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  {written}\ncues: [{{do: preset neon}}]\n", "named.yaml")
    assert err.value.problems == ["named.yaml:2: presets must be a list, one preset a line starting with '- ', its "
                                  f"name inside it: write neon: as {entry}"]


def test_vcam_check_lists_a_prompt_written_as_a_block_on_its_presets_line(tmp_path, capsys):
    """`prompt: |` keeps its line breaks, which broke the preset's line in two, the second line starting at the
    margin as if it were no preset's."""
    from vcam.cli import main

    show = tmp_path / "block.yaml"
    show.write_text("presets:\n  - name: a\n    prompt: |\n      neon city\n      at night\n  - {name: b, prompt: c}\n")
    assert main(["check", str(show)]) == 0
    assert "   1. a: neon city at night\n   2. b: c\n" in capsys.readouterr().out


def test_a_lone_output_not_in_a_list_is_told_the_list_to_write():
    """`out: file:show.mp4` was refused as "must be a list (lines starting with '- ')", a form no one writes for one
    output; the list written in brackets is the fix."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b}\noutput: {out: file:rec.mp4}\n", "one.yaml")
    assert err.value.problems == ["one.yaml:3: output out must be a list, even of one output: write out: "
                                  "[file:rec.mp4]"]


@pytest.mark.parametrize("key", ["prompts", "prompt"])
def test_prompts_listed_as_texts_alone_are_told_the_weighted_list(key):
    """`prompts: [neon, forest]` was refused entry by entry ("prompt 1 must be a mapping of key: value lines"), and
    `prompt: [neon, forest]` as "must be non-empty text": neither said how several prompts are written. The list
    offered reads back as YAML (a comma in a text quoted)."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: a\n    {key}: ['neon, rain', forest]\n", "texts.yaml")
    listed = "[{text: 'neon, rain', weight: 1}, {text: forest, weight: 1}]"
    assert err.value.problems == [f"texts.yaml:3: preset 'a': {key} lists texts alone; several prompts are each a "
                                  f"text with its weight: prompts: {listed} (or one text: prompt: TEXT)"]
    fixed = parse_show(f"presets:\n  - name: a\n    prompts: {listed}\n", "fixed.yaml")
    assert fixed.presets[0].prompts == {"neon, rain": 1.0, "forest": 1.0}


def test_a_file_of_presets_without_presets_above_them_is_told_the_line_to_add():
    """A list of presets at the top of the file was refused as "show must be a mapping of key: value lines": the
    presets were right, the line above them missing. With it added, the show reads."""
    presets = "- {name: a, prompt: b}\n- name: c\n  prompt: d\n"
    with pytest.raises(ConfigError) as err:
        parse_show(presets, "list.yaml")
    assert err.value.problems == ["list.yaml:1: this file is a list of presets alone; a show holds them under "
                                  "presets: add a line presets: above the list"]
    assert [p.name for p in parse_show("presets:\n" + presets, "list.yaml").presets] == ["a", "c"]


def test_presets_with_nothing_under_them_are_said_empty_as_an_empty_list_is():
    """`presets:` with no line under it (the first preset not yet written, or not indented) was refused as "presets
    must be a list (lines starting with '- ')", where `presets: []` is said empty."""
    with pytest.raises(ConfigError) as err:
        parse_show("name: gig\npresets:\n", "none.yaml")
    assert err.value.problems == ["none.yaml:2: presets is empty; add at least one preset with a name and a prompt, "
                                  "indented under it: - {name: NAME, prompt: TEXT}"]


def test_one_preset_written_without_its_dash_is_told_the_list_entry_not_a_name_to_move():
    """`presets:` over one preset's keys, without the '- ' before it, was told to write `name:` as a preset named
    name: the keys were the preset's own. A text with a comma is quoted, so that the entry offered reads back."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  name: a\n  prompt: neon, rain\n", "dash.yaml")
    assert err.value.problems == ["dash.yaml:2: presets must be a list, one preset a line starting with '- ': write "
                                  "- {name: a, prompt: 'neon, rain'}"]
    assert parse_show("presets:\n  - {name: a, prompt: 'neon, rain'}\n", "ok.yaml").presets[0].name == "a"


LONG = "a slow drift through a neon city at night, rain on the asphalt, reflections, fog and a lone figure walking"


@pytest.mark.parametrize("written, meant", [
    ("  name: a\n  prompt: '*glitch*'\n  seed: 7\n", {"a": ({"*glitch*": 1.0}, 7)}),
    ("  name: a\n  prompt: |\n    neon city\n    rain\n", {"a": ({"neon city\nrain": 1.0}, None)}),
    ("  name: a\n  prompts:\n    - {text: neon, weight: 2}\n", {"a": ({"neon": 2.0}, None)}),
    ("  name: a\n  prompt: \"it's\"\n", {"a": ({"it's": 1.0}, None)}),
    ('  "neon, city": a neon city\n', {"neon, city": ({"a neon city": 1.0}, None)}),
    ("  neon: {prompt: 'a, b', seed: 7}\n", {"neon": ({"a, b": 1.0}, 7)}),
    ("  neon: [a, '- dash']\n", {"neon": ({"a": 1.0, "- dash": 1.0}, None)}),
    ("  neon: yes\n", {"neon": ({"yes": 1.0}, None)}),
    ("  'x: y': '> gt'\n", {"x: y": ({"> gt": 1.0}, None)}),
])
def test_the_preset_offered_for_presets_written_without_a_list_pasted_reads_as_meant(written, meant):
    """The entry offered for presets not written as a list was cut ("…", a quote left open), dropped keys (seed: 7,
    prompts:), held a block prompt's raw line breaks, or left unquoted what YAML reads otherwise (*glitch*, yes, a
    name with a comma). Pasted under presets:, the entry offered reads as the preset written."""
    from helpers import offered_yaml

    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n{written}", "named.yaml")
    offered = offered_yaml(err.value.problems[0], " as " if " as - " in err.value.problems[0] else "write ")
    show = parse_show(f"presets:\n  {offered}\n", "fixed.yaml")
    assert {p.name: (p.prompts, p.seed) for p in show.presets} == meant


@pytest.mark.parametrize("written", [f"  name: a\n  prompt: {LONG}\n", f"  neon: {LONG}\n"])
def test_a_preset_too_long_to_offer_whole_is_told_its_shape_not_offered_cut(written):
    """A long prompt was offered cut inside the entry (`prompt: 'a slow drift…`), a line that pasted was no YAML."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n{written}", "long.yaml")
    assert "…" not in err.value.problems[0] and LONG[:20] not in err.value.problems[0]


@pytest.mark.parametrize("texts", ["['*glitch*', '- dash', '> gt']", "['yes', '1984', 'neon: rain']",
                                   "['a', \"b\\nc\", d, e]"])
def test_the_weighted_list_offered_for_texts_alone_pasted_reads_as_those_texts(texts):
    """`prompts: ["*glitch*", "yes"]` was offered [{text: *glitch*, …}], no YAML, and {text: yes, …}, which reads as
    true; past two texts the list offered ended in …. Pasted, the list offered reads as every text written."""
    import yaml

    from helpers import offered_yaml

    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - name: a\n    prompts: {texts}\n", "texts.yaml")
    offered = offered_yaml(err.value.problems[0], "weight: prompts: ")
    show = parse_show(f"presets:\n  - name: a\n    prompts: {offered}\n", "fixed.yaml")
    assert show.presets[0].prompts == {text: 1.0 for text in yaml.safe_load(texts)}


@pytest.mark.parametrize("written, meant", [('"file:a, b.mp4"', ["a, b.mp4"]), ('"file:take #2.mp4"', ["take #2.mp4"]),
                                            ("file:rec.mp4, window", ["rec.mp4", "window"]), ("null", ["null"])])
def test_the_list_offered_for_outputs_not_in_a_list_pasted_reads_as_those_outputs(written, meant):
    """`out: "file:a, b.mp4"` was offered out: [file:a, b.mp4], two outputs, and `out: "file:take #2.mp4"` a line
    whose # began a comment. Pasted, the list offered reads as the outputs written."""
    from helpers import offered_yaml

    with pytest.raises(ConfigError) as err:
        parse_show(f"presets: [{{name: a, prompt: b}}]\noutput:\n  out: {written}\n", "out.yaml")
    offered = offered_yaml(err.value.problems[0], "write out: ")
    show = parse_show(f"presets: [{{name: a, prompt: b}}]\noutput:\n  out: {offered}\n", "out.yaml")
    assert [os.path.basename(out.removeprefix("file:")) for out in show.output.out] == meant


def test_outputs_written_as_nothing_are_offered_no_list():
    """`out: ~` was offered out: [~], which reads as a list holding nothing."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets: [{name: a, prompt: b}]\noutput:\n  out: ~\n", "out.yaml")
    assert err.value.problems == ["out.yaml:3: output out must be a list (lines starting with '- ')"]


def test_a_file_of_cues_without_cues_above_them_is_told_it_is_cues():
    """`- {name: a, do: preset a}` alone in a file was said to be a list of presets alone, whose presets: line
    above it would make its cues presets."""
    with pytest.raises(ConfigError) as err:
        parse_show("- {name: intro, do: preset a}\n- {do: preset b}\n", "cues.yaml")
    assert err.value.problems == ["cues.yaml:1: this file is a list of cues alone; a show holds them under cues: add "
                                  "a line cues: above the list, and the presets they use under presets:"]


@pytest.mark.parametrize("text", ["a neon city, at night", "'neon: rain'", "'*glitch*'", "'yes'"])
def test_the_entry_offered_for_a_preset_written_as_a_text_alone_pasted_reads_as_that_prompt(text):
    """`- a neon city, at night` was offered - {name: NAME, prompt: a neon city, at night}, whose comma ends the
    prompt and starts a key; a long text was cut inside it. Pasted (NAME named), the entry reads as the text."""
    import yaml

    from helpers import offered_yaml

    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {text}\n", "alone.yaml")
    offered = offered_yaml(err.value.problems[0], "a name and a prompt: ").replace("NAME", "neon")
    assert parse_show(f"presets:\n  {offered}\n", "fixed.yaml").presets[0].prompts == {yaml.safe_load(text): 1.0}


def test_a_text_alone_too_long_to_offer_whole_is_told_the_shape_not_offered_cut():
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {LONG}\n", "alone.yaml")
    assert err.value.problems == ["alone.yaml:2: preset 1 is a text alone; a preset has a name and a prompt: - {name: "
                                  "NAME, prompt: TEXT}, the text as written, quoted where YAML needs it"]


@pytest.mark.parametrize("written, offered", [
    ("mymap.yaml", "{map: mymap.yaml}"), ("./mymap.yaml", "{map: ./mymap.yaml}"),
    ("maps/live.yml", "{map: maps/live.yml}"),
    ("nanokontrol", "{map: nanokontrol2}"), ("nanokontrol2.yml", "{map: nanokontrol2}"),
    ("NanoKontrol2", "{map: nanokontrol2}"), ("nano", "{port: nano}"), ("launchpad", "{port: launchpad}")])
def test_midi_written_as_a_file_or_near_a_shipped_map_is_offered_map_and_a_controller_port(written, offered):
    """`midi: mymap.yaml`, `midi: nanokontrol` were told to write midi: {port: …}, a controller named for a map."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets: [{{name: a, prompt: b}}]\nmidi: {written}\n", "show.yaml")
    assert f"write midi: {offered}" in err.value.problems[0], err.value.problems


@pytest.mark.parametrize("name", ["'my map, live.yaml'", "'#2.yaml'"])
def test_the_map_offered_for_a_map_named_without_map_pasted_reads_as_that_name(name):
    """`midi: 'my map, live.yaml'` was offered midi: {map: my map, live.yaml}, whose comma made two keys."""
    import yaml

    from helpers import offered_yaml

    with pytest.raises(ConfigError) as err:
        parse_show(f"presets: [{{name: a, prompt: b}}]\nmidi: {name}\n", "map.yaml")
    assert yaml.safe_load(offered_yaml(err.value.problems[0], "write midi: ")) == {"map": yaml.safe_load(name)}


def _refusal(show: Path, text: str) -> str:
    """The message `text`, written as the show file `show`, is refused with."""
    show.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_show(show)
    return str(err.value)


@pytest.mark.parametrize("value, said", [
    ("0x_", "seed: YAML reads 0x_ as a whole number, and it is no valid one (0x starts a hex number"),
    ("2024-02-30", "seed: YAML reads 2024-02-30 as a date, and it is no valid one (no such day or time)")])
def test_a_value_yaml_takes_for_a_number_or_date_it_is_not_is_told_so_with_no_tag_to_remove(value, said, tmp_path):
    """`seed: 0x_` and `seed: 2024-02-30` were told to "remove the tag", where the file writes none."""
    show = tmp_path / "show.yaml"
    refused = _refusal(show, f"presets:\n  - {{name: a, prompt: b, seed: {value}}}\n")
    assert refused.count(said) == 1 and "remove the tag" not in refused
    tagged = _refusal(show, "presets:\n  - {name: a, prompt: b, seed: !!int abc}\n")
    assert "'abc' is not a valid !!int; remove the tag" in tagged  # a tag written is still named


def test_vcam_check_lists_a_bpm_written_in_hex_as_written(tmp_path, capsys):
    """`bpm: 0x78` was listed as 120 bpm, a number written nowhere in the file, where a seed so written is said as
    written; a bpm in decimal digits is listed as before."""
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    for bpm, said in (("0x78", "0x78 (120) bpm"), ("120.5", "120.5 bpm"), ("'0x78'", None)):
        show.write_text(f"defaults: {{bpm: {bpm}}}\npresets:\n  - {{name: a, prompt: b}}\n")
        assert main(["check", str(show)]) == (0 if said else 2)
        out = capsys.readouterr().out.splitlines()
        assert not said or out[2] == f"  defaults: seed 0, steps 4, transition 4, {said}"


@pytest.mark.parametrize("word, said", [
    ("fill", "(got 'fill'); crop fills the frame and cuts its edges, stretch fills it out of shape: write the one "
             "meant"),
    ("cover", "(got 'cover'); did you mean crop? (crop fills the frame and cuts its edges)"),
    ("contain", "(got 'contain'); did you mean letterbox? (letterbox shows the whole picture, with bars)")])
def test_a_fit_named_as_other_tools_name_it_is_said_with_the_fit_meant(word, said, tmp_path):
    """`fit: fill` (a mixer's word) was told the choices alone, with nothing of which one fills the frame."""
    show = tmp_path / "show.yaml"
    assert _refusal(show, f"output: {{fit: {word}}}\ndefaults: {{input_fit: {word}}}\npresets:\n"
                          "  - {name: a, prompt: b}\n").count(said) == 2
    for fit in ("crop", "stretch", "letterbox"):  # each fit named loads as written
        show.write_text(f"output: {{fit: {fit}}}\ndefaults: {{input_fit: {fit}}}\npresets:\n"
                        "  - {name: a, prompt: b}\n")
        loaded = load_show(show)
        assert (loaded.output.fit, loaded.defaults.input_fit) == (fit, fit)


@pytest.mark.parametrize("written, share", [("70%", 0.7), ("'30 %'", 0.3), ("0.5%", 0.005)])
def test_a_prompt_weight_written_as_a_percentage_is_offered_as_the_share_it_writes(written, share, tmp_path):
    """`weight: 70%` was told the range alone, where `strength 70%` typed is offered 0.7; the line offered loads."""
    import re
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - name: a\n    prompts: [{{text: x, weight: {written}}}, {{text: y, weight: 1}}]\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    offered = re.search(r"write it as (weight: \S+) \(", str(err.value))
    assert offered and offered[1] == f"weight: {share:g}"
    show.write_text(f"presets:\n  - name: a\n    prompts: [{{text: x, {offered[1]}}}, {{text: y, weight: 1}}]\n")
    assert load_show(show).presets[0].prompts == {"x": share, "y": 1.0}


@pytest.mark.parametrize("written", ["random", "Random", "'auto'", "-1"])
def test_a_seed_written_as_random_is_told_vcam_draws_none_with_a_line_that_loads(written, tmp_path):
    """`seed: random` (and -1, many generators' random seed) was told the range alone."""
    import re
    show = tmp_path / "show.yaml"
    show.write_text(f"defaults: {{seed: {written}}}\npresets:\n  - {{name: a, prompt: b, seed: {written}}}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    said = str(err.value)
    told = "seed -1 is out of range (0 to 9223372036854775807)" if written == "-1" else \
        "seed must be a whole number from 0 to 9223372036854775807"
    assert f"defaults {told}; vcam draws no random seed" in said
    assert "or leave seed: out to start on seed 0" in said and "or leave seed: out to keep the seed on air" in said
    offered = re.search(r"as in (seed: \d+)", said)[1]
    show.write_text(f"defaults: {{{offered}}}\npresets:\n  - {{name: a, prompt: b, {offered}}}\n")
    loaded = load_show(show)
    assert loaded.defaults.seed == loaded.presets[0].seed == int(offered.split()[1])


@pytest.mark.parametrize("out, said, meant", [
    ("[file: 'a b.mp4']", "output file: 'a b.mp4' reads as a key and its value (the space after the colon); write it "
                          "without the space: ", "a b.mp4"),
    ('[file: "a b.mp4"]', "output file: \"a b.mp4\" reads as a key and its value", "a b.mp4"),
    ("[null: ]", "output null: reads as a key and its value (the space after the colon); write it without the space: "
                 "null", None),
    ("[null: x]", "output null: x reads as a key and its value (the space after the colon), and without the space it "
                  "is refused too: output 'null:x' takes no target", None)])
def test_an_output_with_a_space_after_its_colon_is_told_so_where_its_value_is_quoted_or_its_kind_null(
        out, said, meant, tmp_path):
    """`out: [file: 'a b.mp4']` and `out: [null: x]` were told "must be non-empty text", which they look to be."""
    import re
    show = tmp_path / "show.yaml"
    show.write_text(f"output: {{out: {out}}}\npresets:\n  - {{name: a, prompt: b}}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert said in str(err.value) and "non-empty text" not in str(err.value)
    offered = re.search(r"write it without the space: (.+)$", str(err.value))
    if offered:  # the line offered, pasted, loads as the output meant
        show.write_text(f"output: {{out: [{offered[1]}]}}\npresets:\n  - {{name: a, prompt: b}}\n")
        assert load_show(show).output.out == ((f"file:{tmp_path / meant}",) if meant else ("null",))


def test_an_output_written_as_a_mapping_or_a_list_is_told_to_be_written_as_text(tmp_path):
    show = tmp_path / "show.yaml"
    show.write_text("output: {out: [{file: a.mp4, fps: 30}, [window]]}\npresets:\n  - {name: a, prompt: b}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert ":1: output out entry must be an output written as text (vcam, file:PATH.mp4, window or null), not a " \
           "mapping" in str(err.value) and "window or null), not a list" in str(err.value)


def test_an_anchor_nothing_repeats_in_an_osc_map_file_is_noted_as_in_a_midi_map_file(tmp_path):
    """`command: &x prompt city` in the OSC map file a show's osc: names went on air as `prompt city`, unsaid: the
    note of an anchor nothing repeats covered the show file and a MIDI map file only."""
    (tmp_path / "o.yaml").write_text("controls:\n  - {address: /a, command: &x prompt city}\n")
    (tmp_path / "m.yaml").write_text("controls:\n  - {note: 36, command: &y prompt town}\n")
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: b}\nmidi: {map: m.yaml}\nosc: {map: o.yaml}\n")
    notes = load_show(show).notes
    assert f"{tmp_path / 'o.yaml'}:2: &x prompt city reads as 'prompt city': &x is a YAML anchor" in "\n".join(notes)
    assert f"{tmp_path / 'm.yaml'}:2: &y prompt town reads as 'prompt town'" in "\n".join(notes)


@pytest.mark.parametrize("written, read", [("off", "false"), ("no", "false"), ("null", "null"), ("~", "null")])
def test_an_input_of_off_is_offered_input_none_which_loads_not_quotes_which_are_refused(written, read, tmp_path):
    """`input: off`, meant as no input, was told to be quoted: `input: 'off'` pasted was refused as an unknown
    input. Offered `input: none`, which loads as no input."""
    import re
    show = tmp_path / "show.yaml"
    show.write_text(f"defaults: {{input: {written}}}\npresets:\n  - {{name: a, prompt: b, input: {written}}}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    said = str(err.value)
    assert said.count(f"input: {written} reads as {read} in YAML, which names no input; for no input write "
                      "input: none") == 2 and "quote" not in said
    offered = re.search(r"write (input: \S+)$", said)[1]
    show.write_text(f"defaults: {{{offered}}}\npresets:\n  - {{name: a, prompt: b, {offered}}}\n")
    loaded = load_show(show)
    assert loaded.defaults.input == loaded.presets[0].input == "none"


@pytest.mark.parametrize("section, said", [
    ("output: {out: [off]}\n", "output out entry must be non-empty text, but off is read as false, and as text it is "
                               "refused too: unknown output 'off'"),
    ("cues:\n  - {name: c, do: off}\n", "cue 1 'c' do must be non-empty text, but off is read as false, and as text "
                                        "it is refused too: unknown command 'off'"),
    ("midi:\n  controls:\n    - {note: 36, command: 5}\n", "midi control 1 command must be non-empty text, but 5 is "
                                                            "read as a number, and as text it is refused too")])
def test_an_unquoted_value_refused_as_text_too_is_not_offered_quoted(section, said, tmp_path):
    """`out: [off]` and a cue's `do: off` were told to quote it, and the line pasted was refused in turn; a value
    that quoted is taken is still offered so (a preset's name: yes)."""
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: b}\n" + section)
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert said in str(err.value) and "quote it" not in str(err.value)
    show.write_text("presets:\n  - {name: yes, prompt: b}\n")
    with pytest.raises(ConfigError, match="but yes is read as true; quote it: 'yes'"):
        load_show(show)


@pytest.mark.parametrize("prompts", ["{a forest: 70%, fireflies: 30%}", "[a forest: 70%, fireflies: 30%]"])
def test_prompts_written_as_texts_and_percentages_are_offered_as_a_list_that_loads(prompts, tmp_path):
    """`prompts: {a forest: 70%, fireflies: 30%}` was told "must be a list" alone, where with 0.7 and 0.3 it is
    offered the list meant: offered so, the percentages as the shares they write, as a weight: 70% is."""
    import re
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - name: a\n    prompts: {prompts}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    offered = re.search(r": (prompts: \[.+\])$", str(err.value))
    assert offered, str(err.value)
    show.write_text(f"presets:\n  - name: a\n    {offered[1]}\n")
    assert load_show(show).presets[0].prompts == {"a forest": 0.7, "fireflies": 0.3}


@pytest.mark.parametrize("out, path", [("[file: 'a, b.mp4']", "a, b.mp4"), ("[file: '[a].mp4']", "[a].mp4"),
                                       ("\n    - file: '[a].mp4'", "[a].mp4"), ("[file: 'a #1.mp4']", "a #1.mp4")])
def test_an_output_with_a_space_after_its_colon_is_offered_a_line_that_loads_in_its_list(out, path, tmp_path):
    """`out: [file: 'a, b.mp4']` was offered file:a, b.mp4 unquoted, two entries in the list, and `[file: '[a].mp4']`
    file:[a].mp4, which is no YAML there: pasted in its place, the line offered loads as the recording meant."""
    import re
    show = tmp_path / "show.yaml"
    text = "output:\n  out: {}\npresets:\n  - {{name: a, prompt: b}}\n"
    show.write_text(text.format(out))
    with pytest.raises(ConfigError) as err:
        load_show(show)
    [said] = err.value.problems
    offered = re.search(r"write it without the space: (.+)$", said)[1]
    show.write_text(text.format(out.replace(out.strip("[]\n -"), offered)))
    assert load_show(show).output.out == (f"file:{tmp_path / path}",)


@pytest.mark.parametrize("prompts", ["{forest: 70, fireflies: 30%}", "[forest: 70, fireflies: 30%]",
                                     "{forest: 0.7, fireflies: 30%}"])
def test_prompts_with_percentages_beside_plain_weights_are_offered_no_list(prompts, tmp_path):
    """`prompts: {forest: 70, fireflies: 30%}` was offered weight 0.3 beside weight 70: pasted, fireflies all but
    left the mix. Which way each weight was meant is said, and no list is offered."""
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - name: a\n    prompts: {prompts}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    [said] = err.value.problems
    assert "prompts: [{text: TEXT, weight: N}, …]" in said and "weight: 0.3" not in said, said
    assert "each weight written the same way" in said, said


def test_an_output_size_named_as_video_names_it_is_offered_its_size_which_loads(tmp_path):
    """`size: 720p` was told "must be WIDTHxHEIGHT" alone, where --size is offered 1280x720; one of video's sizes
    that is refused is said so, with why."""
    import re
    show = tmp_path / "show.yaml"
    show.write_text("output: {size: 720p}\npresets:\n  - {name: a, prompt: b}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    offered = re.search(r"output size '720p' is not WIDTHxHEIGHT; did you mean (\S+)\?$", str(err.value))[1]
    show.write_text(f"output: {{size: {offered}}}\npresets:\n  - {{name: a, prompt: b}}\n")
    assert load_show(show).output.size == (1280, 720)
    show.write_text("output: {size: 1080p}\npresets:\n  - {name: a, prompt: b}\n")
    with pytest.raises(ConfigError, match="'1080p' is not WIDTHxHEIGHT, and as 1920x1080 it is refused: .*1920x1088"):
        load_show(show)


@pytest.mark.parametrize("preset", ["\n    name: a\n    prompt neon: &r rain\n  - {name: b, prompt: *r}",
                                    "\n    name: a\n    prompt neon: |\n      rain\n      on glass",
                                    "\n    name: a\n    prompt neon: >\n      rain"])
def test_a_prompt_without_its_colon_whose_value_has_an_anchor_or_spans_lines_is_offered_no_line(preset, tmp_path):
    """`prompt neon: &r rain` was offered prompt: 'neon: rain', which dropped the &r a later *r repeats, and
    `prompt neon: |` said its value across lines: said in words, one line, with nothing to paste."""
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {preset}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    said = next(p for p in err.value.problems if "colon after prompt left out" in p)
    assert "\n" not in said and "write prompt:" not in said and "rain" not in said, said
    assert said.endswith("the text in quotes where it has ': '"), said


@pytest.mark.parametrize("preset, prompt", [("{name: a, prompt neon: rain}", "neon: rain"),
                                            ("{name: a, prompt neon city at night}", "neon city at night"),
                                            ("\n    name: a\n    prompt neon: 'rain, wet'", "neon: rain, wet"),
                                            ("{name: a, prompt =: neon city}", "neon city"),
                                            ("\n    name: a\n    prompt :: neon city", "neon city"),
                                            ("\n    name: a\n    prompt \uff1d: neon city", "neon city")])
def test_a_prompt_written_without_its_colon_is_offered_the_prompt_line_which_loads(preset, prompt, tmp_path):
    """`prompt neon: rain` in a preset was said as an unknown key 'prompt neon' and a preset with no prompt;
    `prompt =: neon city` was offered prompt: '=: neon city', the marks typed for the colon on air."""
    import re
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {preset}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    [said] = err.value.problems
    assert "(the colon after prompt left out); a prompt is written prompt: TEXT: write prompt: " in said, said
    offered = re.search(r"write (prompt: .+)$", said)[1]
    show.write_text(f"presets:\n  - {{name: a, {offered}}}\n")
    assert load_show(show).presets[0].prompts == {prompt: 1.0}


@pytest.mark.parametrize("written, meant, why", [('file:"loop.mp4', "file:loop.mp4", "is not closed"),
                                                 ("image:'art/logo.png", "image:art/logo.png", "is not closed"),
                                                 ('"file:loop.mp4\\""', "file:loop.mp4", "opens nowhere")])
def test_an_input_whose_quote_is_left_open_is_told_the_line_without_it(tmp_path, written, meant, why):
    """`input: file:"loop.mp4` (the end quote forgotten) was said not found, "put it there", where loop.mp4 is."""
    import cv2
    import numpy as np

    (tmp_path / "art").mkdir()
    (tmp_path / "loop.mp4").write_bytes(b"x")  # a clip's bytes are read as the run opens it
    cv2.imwrite(str(tmp_path / "art" / "logo.png"), np.full((8, 8, 3), 90, np.uint8))
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - name: a\n    prompt: b\n    input: {written}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    [said] = err.value.problems
    assert said.endswith(f"{why}: write {meant}"), said  # a quote at the end alone: said "not found, put it there"
    show.write_text(f"presets:\n  - name: a\n    prompt: b\n    input: {meant}\n")
    kind, path = meant.split(":")
    assert load_show(show).presets[0].input == f"{kind}:{tmp_path / path}"  # the line offered is read


def test_an_input_on_another_drive_ending_in_a_quote_is_told_the_line_without_it(tmp_path, monkeypatch):
    """On Windows a path on another drive than the show file's has no relative path (os.path.relpath raises
    ValueError): a show naming such a clip with a quote after it was refused with that error ("path is on mount
    'D:', start on mount 'C:'"), not told the line without the quote."""
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "loop.mp4").write_bytes(b"x")
    show = tmp_path / "shows" / "show.yaml"
    show.parent.mkdir()
    show.write_text(f"presets:\n  - name: a\n    prompt: b\n    input: 'file:{clips / 'loop.mp4'}\"'\n")

    def other_drive(path, start=None):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(os.path, "relpath", other_drive)
    with pytest.raises(ConfigError) as err:
        load_show(show)
    [said] = err.value.problems
    assert said.endswith(f"opens nowhere: write file:{clips / 'loop.mp4'}"), said


@pytest.mark.parametrize("line, at, said", [
    ('    prompt: neon city"\n', 3, "preset 'a' prompt 'neon city\"' has a \" that no other quote pairs, which goes on "
                                 "air as written: to drop it write prompt: neon city"),
    ("    prompts:\n      - text: \u201cdusk forest\n", 4,
     "preset 'a' prompt 1 text '\u201cdusk forest' has a \u201c that no other quote pairs, which goes on air as "
     "written: to drop it write text: dusk forest"),
    # German autocorrect's opening quote, its close never typed: it went on air unsaid where the others were noted
    ("    prompt: \u201eneon city\n", 3, "preset 'a' prompt '\u201eneon city' has a \u201e that no other quote "
                                       "pairs, which goes on air as written: to drop it write prompt: neon city"),
])
def test_a_prompt_with_a_stray_quote_is_noted_with_the_line_without_it(tmp_path, line, at, said):
    """`prompt: neon city"`, its opening quote lost in an edit, went on air with the quote, unsaid; it still loads."""
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - name: a\n" + line + "  - name: b\n    prompt: a sign saying \"open\"\n")
    loaded = load_show(show)
    assert loaded.notes == (f"{show}:{at}: {said}",)
    assert list(loaded.presets[1].prompts) == ['a sign saying "open"']


@pytest.mark.parametrize("written, what, span", [
    ("defaults: {bpm: .inf}", "defaults bpm .inf", "(20 to 300)"),
    ("output: {fps: 1e309}", "output fps 1e309", "(1 to 240)"),
    ("defaults: {strength: -.inf}", "defaults strength -.inf", "(0 to 1)"),
])
def test_an_infinite_number_is_said_as_written_with_its_range(tmp_path, written, what, span):
    """`bpm: .inf` and `fps: 1e309` were told `bpm inf is out of range`: an inf written nowhere in the file."""
    show = tmp_path / "show.yaml"
    show.write_text(written + "\npresets:\n  - {name: a, prompt: b}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert err.value.problems == [f"{show}:1: {what} is out of range {span}"]


@pytest.mark.parametrize("opening, closing", [("\u201e", "\u201d"), ("\u201e", "\u201c")])
def test_a_prompt_in_low_opening_quotes_is_noted_with_the_line_without_both(tmp_path, opening, closing):
    """`prompt: „a city”`, quoted as German writes it, was noted for a stray ” and offered the line without it alone,
    the „ left to go on air; it is noted as in typographic quotes, with the line without both."""
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - name: a\n    prompt: {opening}a city{closing}\n", encoding="utf-8")
    assert load_show(show).notes == (f"{show}:3: preset 'a' prompt '{opening}a city{closing}' is in typographic "
                                     f"quotes ({opening}{closing}), which YAML does not read as quotes: they go on "
                                     "air as written: to drop them write prompt: a city",)


def test_a_prompt_ending_in_an_inch_mark_is_not_noted_for_a_stray_quote(tmp_path):
    """`prompt: a 7" record` loads unnoted; `prompt: a 7"` was noted for a quote no other pairs, and offered the
    prompt without its inch mark."""
    show = tmp_path / "show.yaml"
    show.write_text('presets:\n  - name: a\n    prompt: a 7"\n  - name: b\n    prompt: a 7" record\n')
    loaded = load_show(show)
    assert loaded.notes == ()
    assert list(loaded.presets[0].prompts) == ['a 7"']


def test_a_prompt_in_a_word_processors_quotes_is_noted_with_the_line_without_them(tmp_path):
    """`prompt: “a city at night”`, pasted from a word processor, went on air with its curly quotes, unsaid: YAML
    takes only ' and " for quotes. It still loads as before; quotes inside a prompt are its own."""
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - name: a\n    prompt: \u201ca city at night\u201d\n"
                    "  - name: b\n    prompt: \u2018neon\u2019 and \u2018rain\u2019\n", encoding="utf-8")
    loaded = load_show(show)
    assert loaded.notes == (f"{show}:3: preset 'a' prompt '\u201ca city at night\u201d' is in typographic quotes "
                            "(\u201c\u201d), which YAML does not read as quotes: they go on air as written: to drop "
                            "them write prompt: a city at night",)
    assert list(loaded.presets[0].prompts) == ["\u201ca city at night\u201d"]


@pytest.mark.parametrize("written, inner", [
    ("\u201c!!bool maybe\u201d", "!!bool maybe"), ("\u201d!!bool maybe", "!!bool maybe"),
    ("\u2018!!timestamp nope\u2019", "!!timestamp nope"), ("\u201e!!bool maybe\u201d", "!!bool maybe"),
])
def test_a_quoted_prompt_whose_text_reads_as_a_tag_yaml_cannot_build_still_loads_with_its_note(tmp_path, written,
                                                                                               inner):
    """`prompt: “!!bool maybe”` loaded before its quotes were noted; the note's line, tried as YAML, ended vcam with
    "KeyError: 'maybe'" (or an AttributeError for !!timestamp). It loads, noted with the text quoted."""
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - name: a\n    prompt: {written}\n", encoding="utf-8")
    loaded = load_show(show)
    assert list(loaded.presets[0].prompts) == [written]
    assert len(loaded.notes) == 1 and loaded.notes[0].endswith(f"write prompt: '{inner}'"), loaded.notes


@pytest.mark.parametrize("line, said", [
    ("        transition: 4\n", "unknown key 'transition'; known keys: text, weight; it goes under the preset, lined "
                                "up with prompts:"),
    ("        prompt: rain\n", "unknown key 'prompt'; known keys: text, weight; did you mean text?"),
])
def test_a_preset_key_in_an_entry_of_its_prompts_is_told_where_it_goes(tmp_path, line, said):
    """`transition: 4` lined up with a prompt's text: was told of an unknown key with text and weight listed, and
    no word of the preset it belongs to; `prompt:` there is the entry's text:."""
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - name: a\n    prompts:\n      - text: city\n" + line)
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert err.value.problems == [f"{show}:5: preset 'a' prompt 1: {said}"]


def test_a_map_button_s_full_width_input_is_read_by_what_is_beside_the_show(tmp_path, monkeypatch):
    """A MIDI or OSC button's `input file:logo.png ＠ｂａｒ` or `input ｆｉｌｅ：ｌｏｇｏ．ｐｎｇ`, logo.png beside the show, was
    refused from every folder vcam was started in, as a cue's was: read by what is beside the show, it loads."""
    here, elsewhere = tmp_path / "show", tmp_path / "elsewhere"
    here.mkdir(), elsewhere.mkdir()
    (here / "logo.png").write_bytes(b"x")
    show = here / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\nmidi:\n  controls:\n"
                    "    - {note: 36, command: input file:logo.png ＠ｂａｒ}\n"
                    "osc:\n  controls:\n    - {address: /a, command: input ｆｉｌｅ：ｌｏｇｏ．ｐｎｇ}\n", encoding="utf-8")
    for folder in (elsewhere, here):
        monkeypatch.chdir(folder)
        loaded = load_show(show)
        assert [str(b.command) for b in loaded.midi.buttons] == [f"input file:{here / 'logo.png'} @bar"]
        assert [str(b.command) for b in loaded.osc.buttons] == [f"input file:{here / 'logo.png'}"]


@pytest.mark.parametrize("written, meant, why", [
    ("name:neon", "{name: neon, prompt: TEXT}", "with no space after its colon YAML reads name: as part of the text"),
    ("name:yes", "{name: 'yes', prompt: TEXT}", "with no space after its colon YAML reads name: as part of the text"),
    ("prompt:a city", "{name: NAME, prompt: a city}",
     "with no space after its colon YAML reads prompt: as part of the text"),
    ("name\uff1aneon", "{name: neon, prompt: TEXT}",
     "YAML reads name\uff1a as part of the text (a full-width \uff1a is no colon)"),
    ("name = neon", "{name: neon, prompt: TEXT}", "YAML reads name= as part of the text (an = is no colon)"),
    ("name \uff1d neon", "{name: neon, prompt: TEXT}",
     "YAML reads name\uff1d as part of the text (a full-width \uff1d is no colon)"),
    ("seed:3", "{name: NAME, prompt: TEXT, seed: 3}",
     "with no space after its colon YAML reads seed: as part of the text"),
    ("strength:0.5", "{name: NAME, prompt: TEXT, strength: 0.5}",
     "with no space after its colon YAML reads strength: as part of the text"),
    ("bias = 0.2", "{name: NAME, prompt: TEXT, bias: 0.2}", "YAML reads bias= as part of the text (an = is no colon)"),
    ('prompt:"neon city"', "{name: NAME, prompt: neon city}",
     "with no space after its colon YAML reads prompt: as part of the text"),
])
def test_a_preset_written_as_a_key_without_its_colon_and_space_is_told_the_key(written, meant, why):
    """`- name:neon`, the space after the colon left out (or `- name：neon`, an input method's colon), was told it
    is a text alone and offered as a prompt, `- {name: NAME, prompt: name:neon}`; then offered `- name: neon`,
    `- seed: '3'`, refused when written (no prompt, no name, the number quoted). It is told the key it is, with a
    preset to write, which loads."""
    text = f"presets:\n  - {written}\n  - {{name: b, prompt: c}}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert err.value.problems == [f"show.yaml:2: preset 1 is the text {written} alone: {why}; a preset has a name "
                                  f"and a prompt: write - {meant}"]
    preset = parse_show(text.replace(f"- {written}", f"- {meant}"), "show.yaml").presets[0]
    key = re.split(r"[:=\uff1a\uff1d ]", written)[0]
    assert str(getattr(preset, key) if key not in ("name", "prompt") else preset.name if key == "name" else
               next(iter(preset.prompts))) == re.split(r"[:=\uff1a\uff1d] *", written, maxsplit=1)[1].strip('"')


@pytest.mark.parametrize("written, meant", [
    ("name:neon, prompt:x", "{name: neon, prompt: x}"),
    ("name:neon, prompt:city at night, seed:3", "{name: neon, prompt: city at night, seed: 3}"),
    ("prompt:x, name:neon", "{name: neon, prompt: x}"),
    ("name:neon,prompt:x", "{name: neon, prompt: x}"),
])
def test_a_preset_of_keys_run_together_on_one_line_is_offered_each_key(written, meant):
    """`- name:neon, prompt:x` was offered `- {name: 'neon, prompt:x', prompt: TEXT}`, the prompt's key and text in
    the name and no prompt written: each key after a comma is one of its own, and the preset offered loads with the
    name and the prompt written."""
    text = f"presets:\n  - {written}\n  - {{name: b, prompt: c}}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    [said] = err.value.problems
    assert said.startswith(f"show.yaml:2: preset 1 is the text {written} alone: with no space after its colon YAML "
                           "reads ") and said.endswith(f"; a preset has a name and a prompt: write - {meant}"), said
    preset = parse_show(text.replace(f"- {written}", f"- {meant}"), "show.yaml").presets[0]
    assert (preset.name, preset.prompts) == ("neon", {"city at night" if "city" in written else "x": 1.0})


@pytest.mark.parametrize("written, meant", [
    ("name: neon, prompt: x", "{name: neon, prompt: x}"),
    ("name: neon, prompt: city at night, seed: 3   # slow", "{name: neon, prompt: city at night, seed: 3}   # slow"),
])
def test_a_preset_of_keys_on_one_line_without_braces_is_offered_them(written, meant):
    """`- name: neon, prompt: x` was told to put a value with ': ' in quotes, which made the name 'neon, prompt: x'
    and left the preset no prompt: the keys on one line go in braces, and written as offered, the show loads."""
    text = f"presets:\n  - {written}\n  - {{name: b, prompt: c}}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    assert err.value.problems == ["show.yaml:2: not valid YAML: a preset's keys on one line go in braces, or YAML "
                                  f"reads the ', ' as part of the first key's value: write - {meant}"]
    preset = parse_show(text.replace(f"- {written}", f"- {meant}"), "show.yaml").presets[0]
    assert (preset.name, preset.prompts) == ("neon", {"city at night" if "city" in written else "x": 1.0})


@pytest.mark.parametrize("written, marks, meant", [
    ("prompt == neon city", "==", "{name: NAME, prompt: neon city}"),
    ("prompt = = neon city", "==", "{name: NAME, prompt: neon city}"),
    ("prompt \uff1d\uff1d neon city", "\uff1d\uff1d", "{name: NAME, prompt: neon city}"),
    ("prompt =", "=", "{name: NAME, prompt: TEXT}"),
])
def test_a_preset_of_a_key_with_a_run_of_marks_puts_no_mark_on_air(written, marks, meant):
    """`- prompt == neon city` was offered `- {name: NAME, prompt: = neon city}`, `- prompt = = neon` prompt: = neon
    (the second mark on air), and `- prompt =` `- {name: NAME, prompt: prompt =}`: a run of marks is one slip, none
    of it the text's, and with nothing after it the text is still to write. The preset offered loads without a
    mark on air."""
    text = f"presets:\n  - {written}\n  - {{name: b, prompt: c}}\n"
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    first = marks[0]
    why = f"(an {first} is no colon)" if first == "=" else f"(a full-width {first} is no colon)"
    assert err.value.problems == [f"show.yaml:2: preset 1 is the text {written} alone: YAML reads prompt{marks} as "
                                  f"part of the text {why}; a preset has a name and a prompt: write - {meant}"]
    preset = parse_show(text.replace(f"- {written}", f"- {meant}"), "show.yaml").presets[0]
    assert not set(next(iter(preset.prompts))) & set("=\uff1d")


@pytest.mark.parametrize("written", ["bias = 2", "input:off", "name:7", "prompts:a", "seed:3 4"])
def test_a_preset_of_a_key_run_together_that_would_be_refused_is_offered_no_line(written):
    """`- bias = 2` was offered `- bias: '2'`, refused when written (a quoted number, out of range, and no name or
    prompt): where the preset with that key would be refused, it is told how a preset is written, without a line."""
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {written}\n  - {{name: b, prompt: c}}\n", "show.yaml")
    [said] = err.value.problems
    assert said.startswith(f"show.yaml:2: preset 1 is the text {written} alone: ") and said.endswith(
        "; write each key with a space after its colon, in a preset with a name and a prompt: "
        "- {name: NAME, prompt: TEXT}"), said
