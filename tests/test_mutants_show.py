"""Edges of vcam's show files (reading, checking, cues, edits written back, reloads) that mutation testing found no
test for: each test fails where the code is changed in the way its docstring says."""
import pytest

from vcam.control.presetlines import LEFT_OUT, clipped, opening_to_skip, preset_lines
from vcam.control.show import load_show, parse_show
from vcam.control.yamlproblems import ConfigError


def _problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    return err.value.problems


def test_a_prompt_weight_of_100_loads_and_one_above_it_is_refused_at_its_line():
    """The weight's top (100) was taken as 101: `weight: 100.5` loaded, where the range said is 0 to 100."""
    show = parse_show("presets:\n  - name: a\n    prompts:\n      - {text: x, weight: 100}\n", "show.yaml")
    assert show.presets[0].prompts == {"x": 100.0}
    problems = _problems("presets:\n  - name: a\n    prompts:\n      - {text: x, weight: 100.5}\n")
    assert problems == ["show.yaml:4: preset 'a' prompt 1 weight 100.5 is out of range (0 to 100)"]


def test_a_preset_name_of_100_characters_loads_and_one_of_101_is_refused():
    """The longest name was taken as 99 characters: a name of 100, which the line says is allowed, was refused."""
    show = parse_show(f"presets:\n  - {{name: {'n' * 100}, prompt: x}}\n", "show.yaml")
    assert show.presets[0].name == "n" * 100
    problems = _problems(f"presets:\n  - {{name: {'n' * 101}, prompt: x}}\n")
    assert problems == ["show.yaml:2: preset 1 name is too long (101 characters, at most 100)"]


def test_a_show_with_no_defaults_starts_at_seed_0():
    """A show that gives no seed starts at seed 0, as `vcam run` without a show does; it was seed 1."""
    assert parse_show("presets:\n  - {name: a, prompt: x}\n", "show.yaml").defaults.seed == 0


def _looping_cues(first: str, second: str) -> str:
    return (f"presets:\n  - {{name: a, prompt: x}}\n  - {{name: b, prompt: y}}\ncues:\n"
            f"  - {{do: preset a, wait: {first}}}\n  - {{do: preset b, wait: {second}, loop: true}}\n")


def test_a_cue_list_whose_waits_go_round_in_exactly_one_second_loads():
    """A looping list's waits may add up to the 1 s the line asks for: one that did was refused as too quick."""
    show = parse_show(_looping_cues("0.5", "0.5"), "show.yaml")
    assert [c.wait for c in show.cues] == [0.5, 0.5] and show.cues[-1].loop
    problems = _problems(_looping_cues("0.5", "0.4"))
    assert len(problems) == 1 and problems[0].startswith("show.yaml:6: ") and "add up to 0.9 s" in problems[0]


def test_a_default_strength_above_1_is_refused_at_its_line():
    """Strength is 0 to 1 in defaults as in a preset: `strength: 1.5` in defaults loaded."""
    show = parse_show("defaults: {strength: 1}\npresets:\n  - {name: a, prompt: x}\n", "show.yaml")
    assert show.defaults.strength == 1.0
    assert _problems("defaults: {strength: 1.5}\npresets:\n  - {name: a, prompt: x}\n") == [
        "show.yaml:1: defaults strength 1.5 is out of range (0 to 1)"]


def test_an_avi_given_as_the_show_is_said_to_be_a_video_to_give_to_run_in(tmp_path):
    """`vcam run clip.avi`: an AVI's bytes were said to be no UTF-8 text, with an iconv line to convert a video."""
    path = tmp_path / "clip.avi"
    path.write_bytes(b"RIFF\x24\x10\x00\x00AVI LIST\xc0\x11\x00\x00hdrlavih\x38\x00\x00\x00" + bytes(range(256)))
    with pytest.raises(ConfigError) as err:
        load_show(path)
    assert err.value.problems == [f"{path}:1: the show file is a video, not a YAML text file; to restyle it give it "
                                  f"to vcam run --in file:{path}"]


def test_a_preset_line_is_cut_after_a_word_ending_two_thirds_of_the_way_along():
    """`vcam check` cuts a long prompt after its last word where that word ends at two thirds of the width or later;
    one ending at exactly two thirds was cut mid-word."""
    text = "a" * 19 + " " + "b" * 20  # width 30: two thirds is 20, and this word ends before it
    assert clipped(text, 30) == text[:30 - len(LEFT_OUT)] + LEFT_OUT
    text = "a" * 20 + " " + "b" * 20  # the last word ends at exactly 20
    assert clipped(text, 30) == "a" * 20 + LEFT_OUT


def _output_of(length: str) -> str:
    entry = "file:" + "a/" * 245 + "x.mp4"  # 500 characters: a recording deep in folders
    entry = {"500": entry, "501": entry[:5] + "b" + entry[5:]}[length]
    return f'output: {{out: ["{entry}"]}}\npresets:\n  - {{name: a, prompt: x}}\n'


def test_an_output_of_500_characters_loads_and_one_of_501_is_refused(tmp_path):
    """An output entry may be 500 characters, as its error line says, and no more: one of 501 loaded."""
    show = parse_show(_output_of("500"), str(tmp_path / "show.yaml"))
    assert show.output.out == (f"file:{tmp_path}/{'a/' * 245}x.mp4",)
    assert _problems(_output_of("501")) == ["show.yaml:1: output out entry is too long (501 characters, at most 500)"]


def test_vcam_check_gives_weights_only_where_a_preset_blends_prompts():
    """A preset of one prompt is listed as its text alone; it was listed with ` ×1`, a weight it blends nothing by."""
    show = parse_show("presets:\n  - {name: a, prompt: a neon city}\n  - name: b\n    prompts:\n"
                      "      - {text: x, weight: 2}\n      - {text: y}\n", "show.yaml")
    assert preset_lines(show) == ["   1. a: a neon city", "   2. b: x ×2 + y ×1"]


def test_a_shared_opening_whose_last_clause_ends_too_early_is_left_out_to_its_last_word():
    """Where what follows the shared opening's last clause is too long to leave room (40 columns: 14 characters
    after the … at most), the opening is left out to its last word; a room taken as 2 characters more left out only
    the clause, and the line reached no difference."""
    text = "alpha beta, gamma delta eps" + "X" * 30  # shares its first 27 characters with another prompt
    assert opening_to_skip(text, 27, 40) == len("alpha beta, gamma delta ")
    assert opening_to_skip(text, 26, 40) == len("alpha beta, ")  # 14 after the clause: that much shows


def test_vcam_check_lists_a_long_prompt_to_the_hundredth_column():
    """The preset list fills 100 columns, the width it is written for; it stopped at 99."""
    show = parse_show(f"presets:\n  - {{name: a, prompt: {'x' * 200}}}\n", "show.yaml")
    [line] = preset_lines(show)
    assert len(line) == 100 and line.endswith("x" + LEFT_OUT)


def test_a_cue_name_of_100_characters_loads_and_one_of_101_is_refused():
    """A cue's name may be 100 characters, as its line says: one of 100 was refused."""
    cue = "presets:\n  - {{name: a, prompt: x}}\ncues:\n  - {{name: {}, do: preset a}}\n"
    assert parse_show(cue.format("c" * 100), "show.yaml").cues[0].name == "c" * 100
    assert _problems(cue.format("c" * 101)) == ["show.yaml:4: cue 1 name is too long (101 characters, at most 100)"]


def test_a_cue_time_of_four_parts_is_refused_not_read_as_hours():
    """`at: "0:01:30:00"` is no time (h:mm:ss at most): it was read as 5400 s, a cue that fired an hour and a half
    in, where the writer meant 1:30."""
    problems = _problems('presets:\n  - {name: a, prompt: x}\ncues:\n  - {do: preset a, at: "0:01:30:00"}\n')
    assert len(problems) == 1 and problems[0].startswith("show.yaml:4: cue 1: at: takes a time")
