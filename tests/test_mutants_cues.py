"""Edges of vcam's control core (the cue list, the typed commands and their replies, the controller's state) that
mutation testing found no test for: each test fails where the code is changed in the way its docstring says."""
import re
import threading
from types import SimpleNamespace

import pytest

from helpers import RecordingProducer, wait_for
from test_cues import PRESETS, FakeTempo, Rig
from vcam.control.actions import SetBias
from vcam.control.commands import MAX_LINE, MAX_PROMPT, MAX_SEED, Command, CommandError, blend_twice, parse
from vcam.control.controller import NO_TEMPO, Controller, ShowState
from vcam.control.show import parse_show
from vcam.control.tempo import TAPS_NEEDED, Tempo


# --- the cue list -----------------------------------------------------------------------------------------------


def test_go_past_the_end_of_a_list_of_two_cues_says_back_steps_back():
    """Any list of more than one cue has a cue to step back to: `len(cues) > 1` turned `> 2` left '; back steps
    back' out of the reply to GO past the end of a list of two."""
    with Rig("  - {name: one, do: preset 1}\n  - {name: two, do: preset 2}\n") as rig:
        rig.cues.go()
        rig.cues.go()
        assert rig.cues.go() == "error: the cue list is done (cue 2/2 'two' was the last); back steps back"
        assert rig.cues.back() == "cue 1/2 'one': did preset 1"


def test_a_timed_cue_that_fired_on_its_moment_is_not_said_lost_when_the_list_is_removed():
    """A cue fired at its own `at:` second has had its moment: stepped back before it and the list then removed,
    it is no cue that 'does not fire' (`seen < at` turned `<=` said the cue that had fired as one still to come)."""
    with Rig("  - {name: a, do: preset 1}\n  - {name: b, do: preset 2, at: 10}\n  - {name: c, do: preset 3}\n") as rig:
        rig.cues.go()
        rig.cues.begin()  # on air at 100
        rig.look_at(110.0)
        assert rig.cues.position == 2 and ("cue 2", "preset 2") in rig.ran
        assert rig.cues.back() == "cue 1/3 'a': did preset 1"
        assert rig.cues.replace(()) == "cue list removed at cue 1/3 'a'"


def test_a_reload_that_changes_the_next_cues_wait_counts_the_new_wait_from_the_reload():
    """An edit of the wait: of the next cue (8 s to 4 s) counts it from the save, as an edit that puts a wait cue
    next does: `old wait != new wait` turned `old wait is None` counted 4 s from the cue before, long past, and
    fired it the moment the file was saved."""
    waits = "  - {name: a, do: preset 1}\n  - {name: b, do: preset 2, wait: 8}\n"
    with Rig(waits) as rig:
        rig.cues.begin()
        rig.look_at(110.0)
        rig.cues.go()
        rig.clock.t = 115.0
        edited = parse_show(PRESETS + "cues:\n" + waits.replace("wait: 8", "wait: 4"), "show.yaml")
        assert rig.cues.replace(edited.cues) == "cue list changed: at cue 1/2 'a'; next 'b' (wait 4s from now)"
        rig.look_at(118.9)
        assert rig.ran == [("cue 1", "preset 1")]
        rig.look_at(119.0)
        assert wait_for(lambda: len(rig.ran) == 2, 60)


def test_a_tempo_first_seen_a_whole_beat_in_was_joined_mid_song_and_bar_1_does_not_fire():
    """RESTART_BEATS is where a tempo first seen stops counting as the song's start: at beat 1.0 exactly, bar 1
    (beat 0) has passed and its cue waits for GO (`beat >= RESTART_BEATS` turned `>` fired it a beat late); the bars
    after it still fire."""
    tempo = FakeTempo()
    with Rig("  - {name: open, do: preset 1, at: {bar: 1}}\n  - {name: two, do: preset 2, at: {bar: 2}}\n",
             tempo=tempo) as rig:
        rig.cues.begin()
        tempo.now = 1.0
        rig.look_at(101.0)
        assert rig.ran == []
        tempo.now = 4.0  # bar 2
        rig.look_at(102.0)
        assert rig.ran == [("cue 2", "preset 2")]


# --- typed commands: the ends of each range are taken ---------------------------------------------------------


@pytest.mark.parametrize("line, args", [
    ("steps 1", (1,)), ("steps 50", (50,)), ("transition 0", (0,)), ("transition 1000", (1000,)),
    ("seed 0", (0,)), (f"seed {MAX_SEED}", (MAX_SEED,)), ("bpm 20", (20.0,)), ("bpm 300", (300.0,)),
    ("strength 0", (0.0,)), ("strength 1", (1.0,)), ("quantize 64", ("64",)), ("quantize 0.0625", ("0.0625",)),
    ("blend 1 2 0", (1, 2, 0.0)), ("blend 1 2 1", (1, 2, 1.0)),
])
def test_a_value_at_either_end_of_its_range_is_taken(line, args):
    """Each range's ends are in it (the help says steps 1-50, and so on): `lo <= value` or `value <= hi` turned
    strict refused `steps 50`, `seed 9223372036854775807`, `bpm 300` or `blend 1 2 0` as out of range, and a
    range cut short by one (`steps 1, 49`) refused its top."""
    assert parse(line) == Command(line.split()[0], args)


@pytest.mark.parametrize("line, said", [
    ("steps 51", "steps 51 is out of range (1 to 50)"), ("steps 0", "steps 0 is out of range (1 to 50)"),
    ("transition 1001", "transition 1001 is out of range (0 to 1000)"),
    (f"seed {MAX_SEED + 1}", f"seed {MAX_SEED + 1} is out of range (0 to {MAX_SEED})"),
    ("bpm 19.5", "bpm 19.5 is out of range (20 to 300)"), ("bpm 300.5", "bpm 300.5 is out of range (20 to 300)"),
    ("quantize 64.5", "quantize 64.5 beats is out of range (0.0625, a 64th note, to 64)"),
    ("quantize 0.05", "quantize 0.05 beats is out of range (0.0625, a 64th note, to 64)"),
])
def test_a_value_just_past_either_end_of_its_range_is_refused_naming_the_range(line, said):
    with pytest.raises(CommandError, match=re.escape(said)):
        parse(line)


def test_a_prompt_and_a_line_of_exactly_the_longest_length_are_taken():
    """MAX_PROMPT and MAX_LINE are the longest taken, not the first refused (`>` turned `>=`)."""
    prompt = "x" * MAX_PROMPT
    assert parse(f"prompt {prompt}") == Command("prompt", (prompt,))
    with pytest.raises(CommandError, match=f"prompt too long \\({MAX_PROMPT + 1} characters, at most {MAX_PROMPT}\\)"):
        parse(f"prompt {prompt}x")
    line = "steps 4" + " " * (MAX_LINE - len("steps 4"))  # a line padded out to the limit is read as any other
    assert len(line) == MAX_LINE and parse(line) == Command("steps", (4,))
    with pytest.raises(CommandError, match=f"line too long \\({MAX_LINE + 1} characters, at most {MAX_LINE}\\)"):
        parse(line + " ")


@pytest.mark.parametrize("line", ["#next", "#", "  #preset 2 @bar"])
def test_a_hash_with_no_space_after_it_starts_a_comment_too(line):
    """A line commented out as `#next` is a comment, as `# next` is (`startswith("#")` turned `"# "` refused it as
    an unknown command '#next')."""
    assert parse(line) is None


def test_a_word_that_begins_with_go_is_not_answered_with_go():
    """GO fires a cue on air: a word that only begins with it (`gofast`) is not pointed at it (`len(c) > 2` turned
    `> 1` answered it 'did you mean go?')."""
    with pytest.raises(CommandError) as raised:
        parse("gofast")
    assert str(raised.value) == "unknown command 'gofast'; type 'help' for the list"


def test_only_a_blend_of_one_preset_named_two_ways_is_refused_as_named_twice():
    """`blend 1 city 0.5` names preset 1 twice; `blend 1 ocean 0.5` names two (`i if i == j` turned `i` refused
    every blend of a map or a cue as one preset named twice)."""
    assert blend_twice(TWO, parse("blend 1 ocean 0.5")) is None
    assert blend_twice(TWO, parse("blend 1 city 0.5")) == (
        "blend 1 city 0.5: blend mixes two different presets: 'city' is preset 1, named twice; give two, as in "
        "blend 1 2 0.5 (or preset NAME for one)")


# --- the controller ---------------------------------------------------------------------------------------------

TWO = parse_show("presets:\n  - {name: city, prompt: a neon city}\n  - {name: ocean, prompt: ocean waves}\n",
                 "show.yaml")


def _controller(show=TWO, **state) -> tuple[Controller, RecordingProducer]:
    producer = RecordingProducer()
    state.setdefault("prompts", dict(show.presets[0].prompts))
    return Controller(show, ShowState(**state), producer, threading.Event(), lambda text: None), producer


def test_a_bias_knob_sets_the_bias_it_stands_at_not_a_whole_number():
    """A knob on bias gives a fraction like strength's (`param in ("strength", "bias")` without bias made it a
    whole number: 0.3 became 0, refused, and the knob did nothing)."""
    ctl, producer = _controller(preset=0)
    assert ctl.set_param("bias", 0.3, "midi") == "bias 0.3 from the next block"
    assert ctl.state.bias == 0.3 and producer.actions == [SetBias(0.3)]


def test_quit_from_the_network_is_refused_with_what_to_do_and_other_commands_are_taken():
    """Only the console ends the show: `cmd.name not in TYPED_ONLY` turned `in` let a client's quit stop it and
    refused every other command from the network (`next` said 'is not taken from the network')."""
    ctl, _ = _controller(preset=0)
    assert ctl.handle_line("quit", "net", network=True) == (
        "error: quit is not taken from the network: the show ends where vcam runs (quit typed there, or Ctrl-C); "
        "blackout hides the picture")
    assert not ctl.stop.is_set()
    assert ctl.handle_line("next", "net", network=True) == "preset 2 'ocean' (over 4 blocks)"
    assert ctl.handle_line("quit", "stdin") == "stopping" and ctl.stop.is_set()


def test_no_tempo_for_changes_on_the_beat_is_said_once_and_again_after_a_tempo_goes_away():
    """Changes asked on the beat with no tempo land at once, which is said once, not on every press (the `if not
    _said_no_tempo` dropped), and said again once a tempo has come and gone (its reset dropped: never again)."""
    said: list[str] = []
    tempo = SimpleNamespace(bpm=None, running=True, watch=lambda fn: None)  # a MIDI clock that comes and goes
    ctl = Controller(TWO, ShowState(prompts=dict(TWO.presets[0].prompts), preset=0), RecordingProducer(),
                     threading.Event(), said.append, tempo=tempo)
    ctl.quantize = "bar"
    no_tempo = f"{NO_TEMPO} (until then, changes asked on the beat land at once)"
    assert ctl.handle_line("next", "stdin") == "preset 2 'ocean' (over 4 blocks)"
    ctl.handle_line("next", "stdin")
    assert said == [no_tempo]
    tempo.bpm = 120.0
    ctl.handle_line("next", "stdin")
    tempo.bpm = None
    ctl.handle_line("next", "stdin")
    assert said == [no_tempo, no_tempo]


@pytest.mark.parametrize("blocks, why", [
    (0, "not on air yet: it lands as the show goes on air"),
    (1, "the first blocks on air are still being timed: it lands from the next block"),
])
def test_a_change_on_the_beat_with_no_boundary_to_aim_at_says_why_it_lands_at_once(blocks, why):
    """Before the first block the show is not on air; from the first block on it is, its blocks still being timed:
    `blocks == 0` turned `<= 1` said a show one block on air was not on air yet."""
    tempo = SimpleNamespace(bpm=120.0, running=True, watch=lambda fn: None)
    ctl = Controller(TWO, ShowState(prompts=dict(TWO.presets[0].prompts), preset=0), RecordingProducer(blocks=blocks),
                     threading.Event(), lambda text: None, tempo=tempo, land=lambda spec: None)
    assert ctl.handle_line("seed 5 @bar", "stdin") == f"seed 5; {why}, not on the bar"


@pytest.mark.parametrize("line, said", [
    ("bias 1", "bias 1 from the next block (off)"),
    ("bias 0.995", "bias 0.995 from the next block"),
    ("bias 0.3", "bias 0.3 from the next block"),
])
def test_the_bias_reply_says_off_only_at_1(line, said):
    """Only a bias of 1 is no bias at all: `bias == 1.0` turned `>= 0.99` said 0.995, still at work, was off."""
    ctl, _ = _controller(preset=0)
    assert ctl.handle_line(line, "stdin") == said


def test_each_tap_short_of_a_tempo_says_how_many_more_it_needs():
    """Four taps make a tempo: the first says 3 more (`TAPS_NEEDED - taps` less one said 2, and the operator
    stopped a tap short)."""
    clock = [10.0]
    tempo = Tempo(clock=lambda: clock[0])
    ctl = Controller(TWO, ShowState(prompts=dict(TWO.presets[0].prompts), preset=0), RecordingProducer(),
                     threading.Event(), lambda text: None, tempo=tempo)
    replies = []
    for _ in range(TAPS_NEEDED):
        replies.append(ctl.handle_line("tap", "stdin"))
        clock[0] += 0.5
    assert replies[:-1] == [f"tap {n}: {TAPS_NEEDED - n} more for a tempo" for n in range(1, TAPS_NEEDED)]
    assert replies[-1] == "tapped 120.0 bpm"


def test_the_status_names_a_quantize_and_a_bias_only_where_they_are_on():
    """The status line says ` | quantize bar` and ` | bias 0.30` only where they are set: the `quantize != "off"`
    test turned always on said ` | quantize off`, and the bias's turned off never said a bias at work."""
    ctl, _ = _controller(preset=0)
    plain = "preset 1 'city' | seed 0 | steps 4 | transition 4 | screen live | block 0"
    assert ctl.describe() == plain
    ctl.handle_line("quantize bar", "stdin")
    ctl.handle_line("bias 0.3", "stdin")
    assert ctl.describe() == ("preset 1 'city' | seed 0 | steps 4 | transition 4 | bias 0.30 | screen live | "
                              "quantize bar | block 0")


def test_a_preset_index_past_the_shows_presets_names_no_preset():
    """A state whose preset index is one past the show's last preset names none (`index >= len` turned `>` read
    past the list)."""
    ctl, _ = _controller(preset=len(TWO.presets))
    assert ctl.preset_name() is None
