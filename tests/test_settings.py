"""A local show's settings are resolved once, before anything opens: command line over a replayed log's start
over the show file over the defaults."""
import cv2
import numpy as np
import pytest

from vcam.control.show import parse_show
from vcam.inspec import DEFAULT_STRENGTH
from vcam.live.settings import DEFAULT_PROMPT, RunOptions, resolve

SHOW = """\
name: test
defaults: {seed: 42, steps: 3, transition: 6}
output: {size: 224x128, fps: 24, fit: crop, out: [null, "file:show.mp4"]}
presets:
  - name: one
    prompt: a red fox
  - name: two
    prompt: a blue whale
    seed: 9
"""
MODEL_SIZE = (832, 480)


@pytest.fixture
def show(tmp_path):
    return parse_show(SHOW, str(tmp_path / "show.yaml"))


def test_without_a_show_the_defaults_apply():
    s = resolve(RunOptions(), None, {}, MODEL_SIZE)
    assert (s.width, s.height, s.fps, s.fit, s.seed, s.steps, s.transition) == (832, 480, 30.0, "letterbox", 0, 4, 4)
    assert [str(o) for o in s.outs] == ["vcam"] and s.prompts == {DEFAULT_PROMPT: 1.0} and s.preset is None
    assert s.adapt  # nobody asked for a size or a precision


def test_the_show_fills_what_the_command_line_leaves(show, tmp_path):
    s = resolve(RunOptions(), show, {}, MODEL_SIZE)
    assert (s.width, s.height, s.fps, s.fit, s.seed, s.steps, s.transition) == (224, 128, 24, "crop", 42, 3, 6)
    assert [str(o) for o in s.outs] == ["null", f"file:{tmp_path / 'show.mp4'}"]  # next to the show file
    assert s.prompts == {"a red fox": 1.0} and s.preset == 0
    assert not s.adapt  # the show asked for a size


def test_the_command_line_wins_over_the_show(show):
    s = resolve(RunOptions(prompt="a green owl", seed=5, steps=2, transition=0, size=(112, 64), outs=["window"],
                      fps=60, fit="stretch"), show, {}, MODEL_SIZE)
    assert (s.width, s.height, s.fps, s.fit, s.seed, s.steps, s.transition) == (112, 64, 60, "stretch", 5, 2, 0)
    assert [str(o) for o in s.outs] == ["window"] and s.prompts == {"a green owl": 1.0} and s.preset is None


def test_a_replayed_start_wins_over_the_show_but_not_over_the_command_line(show):
    start = {"seed": 7, "steps": 2, "transition": 1, "size": [160, 96], "prompts": {"a logged prompt": 1.0},
             "pin_first_latent": True}
    s = resolve(RunOptions(steps=1), show, start, MODEL_SIZE)
    assert (s.width, s.height, s.seed, s.steps, s.transition) == (160, 96, 7, 1, 1)
    assert s.prompts == {"a logged prompt": 1.0} and s.pin_first_latent and not s.adapt


def test_a_served_show_has_no_local_output_unless_asked():
    assert resolve(RunOptions(serve=True), None, {}, MODEL_SIZE).outs == ()
    assert [str(o) for o in resolve(RunOptions(outs=["null"], serve=True), None, {}, MODEL_SIZE).outs] == ["null"]


def test_a_size_off_the_16_pixel_grid_is_refused_before_anything_opens():
    with pytest.raises(ValueError, match="multiples of 16"):
        resolve(RunOptions(), None, {"size": [100, 64]}, MODEL_SIZE)


def test_the_log_header_holds_what_a_replay_starts_from(show):
    s = resolve(RunOptions(), show, {}, MODEL_SIZE)
    again = resolve(RunOptions(), None, s.log_header("tiny", "show.yaml"), MODEL_SIZE)
    assert (again.width, again.height, again.seed, again.steps, again.transition, again.prompts) == \
        (s.width, s.height, s.seed, s.steps, s.transition, s.prompts)


def test_the_tiny_model_plays_at_its_own_size_unless_the_command_line_asks(tmp_path):
    # presets/example.yaml asks for 832x480: the tiny model on a CPU would stall on it and record one still frame
    show = parse_show(SHOW.replace("224x128", "832x480"), str(tmp_path / "show.yaml"))
    s = resolve(RunOptions(), show, {}, (112, 64), own_size_only=True)
    assert (s.width, s.height) == (112, 64) and "832x480" in s.note and "--size" in s.note
    s = resolve(RunOptions(size=(224, 128)), show, {}, (112, 64), own_size_only=True)
    assert (s.width, s.height) == (224, 128) and s.note is None
    s = resolve(RunOptions(), show, {"size": [160, 96]}, (112, 64), own_size_only=True)
    assert (s.width, s.height) == (160, 96) and s.note is None  # a replay keeps the size its show ran at
    s = resolve(RunOptions(), show, {}, (832, 480))
    assert (s.width, s.height) == (832, 480) and s.note is None


# --- video in: the input, its fit and the strength ------------------------------------------------------------------

INPUT_SHOW = """\
defaults: {input: camera:1, strength: 0.5, input_fit: letterbox}
presets:
  - {name: one, prompt: a red fox, input: "image:still.png", strength: 0.3}
  - {name: two, prompt: a blue whale}
"""


@pytest.fixture
def input_show(tmp_path):
    cv2.imwrite(str(tmp_path / "still.png"), np.zeros((8, 8, 3), np.uint8))  # the show checks it is an image
    return parse_show(INPUT_SHOW, str(tmp_path / "show.yaml"))


def test_without_an_input_the_show_is_text_only_at_the_default_strength():
    s = resolve(RunOptions(), None, {}, MODEL_SIZE)
    assert (s.input, s.input_fit, s.strength) == ("none", "crop", DEFAULT_STRENGTH)


def test_the_first_preset_gives_the_starting_input_over_the_defaults(input_show, tmp_path):
    s = resolve(RunOptions(), input_show, {}, MODEL_SIZE)
    assert (s.input, s.input_fit, s.strength) == (f"image:{tmp_path / 'still.png'}", "letterbox", 0.3)


def test_the_defaults_give_the_input_when_the_first_preset_is_not_on_air(input_show):
    s = resolve(RunOptions(prompt="a green owl"), input_show, {}, MODEL_SIZE)
    assert (s.input, s.input_fit, s.strength) == ("camera:1", "letterbox", 0.5)


def test_the_command_line_wins_over_the_show_for_the_input(input_show):
    s = resolve(RunOptions(input="File:clip.mp4", input_fit="stretch", strength=0.9), input_show, {}, MODEL_SIZE)
    assert (s.input, s.input_fit, s.strength) == ("file:clip.mp4", "stretch", 0.9)
    s = resolve(RunOptions(strength=0.0), input_show, {}, MODEL_SIZE)  # 0 is a value, not "not given"
    assert s.strength == 0.0


def test_a_replayed_start_wins_over_the_show_for_the_input_but_not_over_the_command_line(input_show):
    start = {"prompts": {"a logged prompt": 1.0}, "input": "file:/clips/walk.mp4", "input_fit": "crop",
             "strength": 0.7}
    s = resolve(RunOptions(), input_show, start, MODEL_SIZE)
    assert (s.input, s.input_fit, s.strength) == ("file:/clips/walk.mp4", "crop", 0.7)
    s = resolve(RunOptions(input="none", strength=1.0), input_show, start, MODEL_SIZE)
    assert (s.input, s.input_fit, s.strength) == ("none", "crop", 1.0)


def test_a_log_from_before_video_in_replays_text_only_whatever_the_show_says_now(input_show):
    s = resolve(RunOptions(), input_show, {"seed": 1, "prompts": {"x": 1.0}}, MODEL_SIZE)
    assert s.input == "none"


@pytest.mark.parametrize("given,fragment", [
    (RunOptions(input="dvd"), "unknown input 'dvd'"),
    (RunOptions(strength=1.5), "strength must be from 0"),
    (RunOptions(input_fit="zoom"), "input fit 'zoom' is not one of crop, letterbox, stretch"),
])
def test_a_bad_input_setting_is_refused_before_anything_opens(given, fragment):
    with pytest.raises(ValueError, match=fragment):
        resolve(given, None, {}, MODEL_SIZE)


def test_the_log_header_keeps_the_input_and_a_replay_starts_from_it(input_show, tmp_path):
    import json

    from vcam.control.log import ControlLog, read_replay

    s = resolve(RunOptions(input_fit="stretch"), input_show, {}, MODEL_SIZE)
    header = s.log_header("tiny", "show.yaml")
    assert (header["input"], header["input_fit"], header["strength"]) == (s.input, "stretch", 0.3)
    path = tmp_path / "c.jsonl"
    ControlLog(open(path, "w"), json.loads(json.dumps(header))).end(0)
    again = resolve(RunOptions(), None, read_replay(str(path)).header, MODEL_SIZE)
    assert (again.input, again.input_fit, again.strength) == (s.input, s.input_fit, s.strength)


def test_a_replay_plays_at_the_frame_rate_its_log_keeps_unless_told():
    assert resolve(RunOptions(), None, {"fps": 24.0}, MODEL_SIZE).fps == 24.0
    assert resolve(RunOptions(fps=60.0), None, {"fps": 24.0}, MODEL_SIZE).fps == 60.0
    assert resolve(RunOptions(), None, {}, MODEL_SIZE).fps == 30.0  # a log from before the rate was kept


def test_a_long_prompt_named_in_a_note_is_cut_where_a_character_starts():
    """Cut at 39 characters, a prompt whose 40th was the accent typed after its e lost the accent, and an emoji
    built with a joiner was cut in two."""
    from vcam.live.settings import _prompts_text

    accented = "x" * 38 + "e\u0301te\u0301 at night"
    assert _prompts_text({accented: 1.0}) == "'" + "x" * 38 + "…'"
    singer = "y" * 37 + "👩\u200d🎤 on stage"
    assert _prompts_text({singer: 1.0}) == "'" + "y" * 37 + "…'"
