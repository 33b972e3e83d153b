"""The controller applies every command in one place; MIDI through a mido backend module of ours."""
import io
import json
import os
import re
import threading

import mido
import pytest
import torch

import fake_midi
from helpers import RecordingProducer, wait_for
from vcam.control.commands import Command, parse, usage
from vcam.control.actions import SetPrompts, SetSeed, apply
from vcam.control.controller import Controller, ShowState
from vcam.control.log import ControlLog
from vcam.control.midi import UNHEARD, MidiRouter, Unheard
from vcam.control.midiinput import MidiInput
from vcam.control.midilearn import learn_line
from vcam.control.midimap import Knob, MidiMap
from vcam.control.prompter import Prompter
from vcam.control.show import Show, parse_show
from vcam.control.showedit import Playing, ShowEdit, in_words
from vcam.control.tempo import Tempo

SHOW = """\
presets:
  - {name: city, prompt: a neon city at night}
  - {name: ocean, prompt: ocean waves, seed: 7, transition: 2}
  - {name: forest, prompt: a misty forest}
midi:
  controls:
    - {cc: 0, param: blend}
    - {cc: 16, param: transition, range: [0, 16]}
    - {cc: 17, param: steps, range: [1, 8]}
    - {cc: 41, command: next}
    - {note: 36, command: preset 3}
    - {program: presets}
"""


class FakeGenerator(RecordingProducer):
    """Applies actions at once to a real tiny stream, counting blocks by hand."""

    def __init__(self, stream):
        super().__init__(tell_at_once=True)
        self.stream = stream

    def submit(self, action, at_block=None, origin=None):
        apply(self.stream, action)
        super().submit(action, at_block, origin)


@pytest.fixture
def rig(tiny_engine):
    show = parse_show(SHOW, "show.yaml")
    stream = tiny_engine.stream(show.presets[0].prompts, seed=1)
    log_out = io.StringIO()
    state = ShowState(prompts=show.presets[0].prompts, preset=0, seed=1)
    stop = threading.Event()
    said = []
    ctl = Controller(show, state, FakeGenerator(stream), stop, said.append, ControlLog(log_out, {"seed": 1}))
    return ctl, stream, stop, log_out, tiny_engine


def embedding_of(engine, prompt):
    return engine.text.encode(prompt)


def test_preset_by_number_and_name_changes_the_stream(rig):
    ctl, stream, _, _, engine = rig
    assert "ocean" in ctl.handle_line("preset 2", "stdin")
    assert torch.allclose(stream._target, embedding_of(engine, "ocean waves"))
    assert stream.settings.seed == 7 and stream._span == 2  # the preset's own seed and transition
    ctl.handle_line("preset forest", "stdin")
    assert ctl.state.preset == 2


def test_next_prev_wrap_around(rig):
    ctl, *_ = rig
    ctl.handle_line("prev", "stdin")
    assert ctl.state.preset == 2
    ctl.handle_line("next", "stdin")
    assert ctl.state.preset == 0


def test_blend_mixes_two_presets(rig):
    ctl, stream, _, _, engine = rig
    ctl.handle_line("blend city ocean 0.25", "stdin")
    expected = 0.75 * embedding_of(engine, "a neon city at night") + 0.25 * embedding_of(engine, "ocean waves")
    assert torch.allclose(stream._target, expected, atol=1e-6)


def test_other_commands(rig):
    ctl, stream, stop, _, _ = rig
    ctl.handle_line("steps 2", "stdin")
    ctl.handle_line("transition 9", "stdin")
    ctl.handle_line("seed 99", "stdin")
    assert stream.steps == 2 and stream.settings.transition == 9 and stream.settings.seed == 99
    ctl.handle_line("prompt a red balloon", "stdin")
    assert ctl.state.preset is None and ctl.state.prompts == {"a red balloon": 1.0}
    for mode in ("freeze", "blackout", "live"):
        ctl.handle_line(mode, "stdin")
        assert ctl.state.screen == mode
    stream.next_block()
    ctl.handle_line("reset", "stdin")
    assert stream.block_index == 0
    assert "seed 99" in ctl.handle_line("status", "stdin")
    assert "blend A B X" in ctl.handle_line("help", "stdin")
    assert ctl.handle_line("help seed", "stdin") == "seed N - noise seed, from the next block; it may end in @beat, " \
        "@bar, @N (beats) or @off to land on the beat"
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True)  # vcam cam answers help itself, as the console does
    for line in ("help", "help seed", "HELP Blend"):
        assert remote.handle_line(line, "stdin") == ctl.handle_line(line, "stdin")
    ctl.handle_line("quit", "stdin")
    assert stop.is_set()


@pytest.mark.parametrize("line,fragment", [("preset 9", "no preset 9"), ("preset moon", "no preset named"),
                                           ("blend city moon 0.5", "no preset named"), ("fly", "unknown command"),
                                           # it was accepted as "blend neon city / neon city"
                                           ("blend 1 1 0.5", "blend mixes two different presets, not '1' with "
                                                             "itself"),
                                           ("blend 1 City 0.5", "blend mixes two different presets: 'city' is "
                                                                "preset 1, named twice")])
def test_errors_change_nothing(rig, line, fragment):
    ctl, stream, *_ = rig
    before = (dict(ctl.state.prompts), ctl.state.preset, stream._target)
    reply = ctl.handle_line(line, "stdin")
    assert reply.startswith("error:") and fragment in reply
    assert (ctl.state.prompts, ctl.state.preset, stream._target) == before


def test_log_records_command_block_and_effect(rig):
    ctl, _, _, log_out, _ = rig
    ctl.generator.blocks = 5
    ctl.handle_line("preset 2", "stdin")
    lines = [json.loads(x) for x in log_out.getvalue().splitlines()]
    assert lines[0] == {"vcam": {"seed": 1}}
    assert lines[1]["command"] == "preset 2" and lines[1]["block"] == 5 and lines[1]["source"] == "stdin"
    assert lines[1]["apply"] == {"op": "prompt", "prompts": {"ocean waves": 1.0}, "transition": 2}


def test_prompts_without_a_show(tiny_engine):
    stream = tiny_engine.stream("x")
    ctl = Controller(None, ShowState(prompts={"x": 1.0}), FakeGenerator(stream), threading.Event(), print)
    assert "no show loaded" in ctl.handle_line("next", "stdin")
    ctl.handle_line("prompt y", "stdin")
    assert torch.allclose(stream._target, tiny_engine.text.encode("y"))


@pytest.mark.parametrize("line", ["next", "preset 2", "blend 1 2 0.5", "go", "back"])
def test_a_command_that_needs_a_show_file_names_vcam_serve_as_well_as_vcam_run(line):
    """A served show without a show file answers its camera clients too: sending them to vcam run alone would
    have them start a show on the laptop instead of giving the server one."""
    ctl = Controller(None, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    reply = ctl.handle_line(line, "stdin")
    assert reply.startswith("error: ") and "(vcam run SHOW.yaml, or vcam serve SHOW.yaml" in reply


def test_reload_without_a_show_file_says_there_is_none_and_how_to_play_one():
    """`reload` with no show file playing was told the show file is read again each time it is saved."""
    ctl = Controller(None, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    for word in ("reload", "Reload", "refresh"):
        assert ctl.handle_line(word, "stdin") == ("error: no show file is playing, so there is none to reload: start "
                                                  "vcam with one (vcam run SHOW.yaml, or vcam serve SHOW.yaml), "
                                                  "and each save of it is read again on air")
    assert ctl.handle_line("fly", "stdin") == "error: unknown command 'fly'; type 'help' for the list"
    with_show = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
                           threading.Event(), print)
    assert "read again by itself each time it is saved" in with_show.handle_line("reload", "stdin")


def test_a_preset_named_with_a_shells_escapes_or_full_width_digits_is_picked(rig):
    """`preset neon\\ city` said "no preset named 'neon\\\\ city'" and `preset ２` "no preset named '２'"."""
    ctl, *_ = rig
    ctl.replace_show(parse_show(SHOW.replace("name: forest", "name: misty forest (2)"), "show.yaml"))
    assert ctl.handle_line("preset misty\\ forest\\ \\(2\\)", "stdin").startswith("preset 3 'misty forest (2)'")
    assert ctl.handle_line("preset ２", "stdin").startswith("preset 2 'ocean'")


WIDE_SHOW = """\
presets:
  - {name: city, prompt: a neon city at night}
  - {name: "２．０", prompt: two point oh}
  - {name: "room ４０４ night", prompt: a hotel room}
cues:
  - {name: open, do: preset city}
  - {name: "１．５", do: preset room ４０４ night}
"""


def test_a_name_in_full_width_digits_is_found_as_typed():
    """`preset ２．０` and `go １．５` were read as 2.0 and 1.5 (no preset or cue numbered so), and `blend "room ４０４
    night" city 0.5` looked for `room 404 night`: a name of the show, typed as it is written, was refused."""
    from vcam.control.cues import CueList

    show = parse_show(WIDE_SHOW, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(tell_at_once=True),
                     threading.Event(), lambda s: None)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    assert ctl.handle_line("preset ２．０", "stdin").startswith("preset 2 '２．０'")
    assert ctl.handle_line('blend "room ４０４ night" city 0.5', "stdin").startswith("blend 'room ４０４ night' / 'city'")
    assert ctl.handle_line("go １．５", "stdin").startswith("cue 2/2 '１．５'")
    # a number no preset or cue is named, typed in full width, is answered as typed in ASCII: how numbers go
    assert "no preset named '２．５' (a preset's number is a whole number from 1 to 3)" in \
        ctl.handle_line("preset ２．５", "stdin")
    assert "no cue named '－１' (a cue's number is a whole number from 1 to 2)" in ctl.handle_line("go －１", "stdin")


def test_a_preset_named_with_a_joiner_is_said_as_it_was_written(rig):
    """`preset 3` of a preset named 👩‍🎤 said "preset 3 '👩\\u200d🎤 singer'": the zero-width joiner that draws the
    woman and the microphone as one singer, escaped. A character that prints nothing and joins nothing still is."""
    from vcam.words import quoted

    ctl, *_ = rig
    ctl.replace_show(parse_show(SHOW.replace("name: forest", 'name: "\\U0001F469\\u200d\\U0001F3A4 singer"'),
                                "show.yaml"))
    assert ctl.handle_line("preset 3", "stdin").startswith("preset 3 '👩\u200d🎤 singer' ")
    assert "(did you mean '👩\u200d🎤 singer'?)" in ctl.handle_line("preset 👩\u200d🎤 singr", "stdin")
    assert quoted("a\\b\x1b[2J\n") == "'a\\b\\x1b[2J\\n'"  # a backslash as typed; a terminal's escape not obeyed
    # a joiner that joins nothing (alone, at an end, by a space) prints nothing: a name of one read as '' or 'a'
    assert quoted("\u200d") == "'\\u200d'" and quoted("a\u200c") == "'a\\u200c'"
    assert quoted("a \u200db") == "'a \\u200db'"


# --- MIDI ----------------------------------------------------------------------------------------------------

def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


def test_buttons_notes_and_program_change(rig):
    ctl, *_ = rig
    router = MidiRouter(ctl.show.midi, ctl)
    router.handle(cc(41, 127))
    router.handle(cc(41, 0))  # the release of a button does nothing
    assert ctl.state.preset == 1
    router.handle(mido.Message("note_on", note=36, velocity=100))
    router.handle(mido.Message("note_on", note=36, velocity=0))
    assert ctl.state.preset == 2
    router.handle(mido.Message("program_change", program=0))
    assert ctl.state.preset == 0
    assert router.handle(cc(99, 10)) is UNHEARD  # unmapped


def test_knobs_with_soft_takeover(rig):
    ctl, stream, *_ = rig
    router = MidiRouter(ctl.show.midi, ctl)
    ctl.handle_line("transition 4", "stdin")
    # the knob sits far from 4 (at 127 -> 16): it does not jump the parameter
    router.handle(cc(16, 127))
    assert ctl.state.transition == 4
    router.handle(cc(16, 100))
    assert ctl.state.transition == 4
    # moving it through the current value picks the parameter up; from then on it follows
    router.handle(cc(16, 20))
    assert ctl.state.transition == round(20 / 127 * 16)
    router.handle(cc(16, 64))
    assert ctl.state.transition == round(64 / 127 * 16) and stream.settings.transition == ctl.state.transition
    # something else changes it: the knob must pick it up again
    ctl.handle_line("transition 12", "stdin")
    router.handle(cc(16, 70))
    assert ctl.state.transition == 12


def test_two_knobs_on_one_parameter_are_each_picked_up_by_themselves(rig):
    """A knob and a fader on the transition (or two blend faders): the one the parameter was not picked up by must
    meet it first, as on an OSC surface; they shared one pick-up, so the second knob touched jumped the parameter
    to wherever it stood."""
    ctl, *_ = rig
    router = MidiRouter(MidiMap(knobs=(Knob(16, "transition", 0, 16), Knob(20, "transition", 0, 32))), ctl)
    ctl.handle_line("transition 4", "stdin")
    router.handle(cc(16, 32))  # 4: picked up
    router.handle(cc(16, 64))
    assert ctl.state.transition == 8
    router.handle(cc(20, 120))  # the other knob, left at 30: not picked up yet
    router.handle(cc(20, 110))
    assert ctl.state.transition == 8
    router.handle(cc(20, 30))  # crossing 8 (about 7.5 on its range) picks it up
    router.handle(cc(20, 40))
    assert ctl.state.transition == 10
    router.handle(cc(16, 0))  # and the first one now has to meet the parameter again
    assert ctl.state.transition == 10


def test_a_knob_given_another_range_by_a_reload_is_picked_up_anew(rig):
    """A saved map that gives a picked-up knob another range: the knob's place means another value now, and its
    first move must not jump the parameter there (as it did, still counted as picked up)."""
    ctl, *_ = rig
    router = MidiRouter(MidiMap(knobs=(Knob(16, "transition", 0, 16),)), ctl)
    ctl.handle_line("transition 4", "stdin")
    router.handle(cc(16, 32))  # 4: picked up
    router.handle(cc(16, 64))
    assert ctl.state.transition == 8
    router.mapping = MidiMap(knobs=(Knob(16, "transition", 0, 32),))  # as a reload puts the saved map in force
    router.handle(cc(16, 70))  # about 18 on the new range
    assert ctl.state.transition == 8
    router.handle(cc(16, 32))  # crossing 8 picks it up
    assert ctl.state.transition == 8
    router.handle(cc(16, 40))
    assert ctl.state.transition == 10
    picked = router.mapping
    router.mapping = MidiMap(knobs=(Knob(16, "steps", 1, 8),))  # another parameter: not picked up there
    router.handle(cc(16, 127))
    assert ctl.state.steps == 4
    router.mapping = picked  # back to the mapping it was picked up with: the knob stands elsewhere now
    router.handle(cc(16, 120))
    assert ctl.state.transition == 10


def test_blend_knob_blends_current_into_next(rig):
    ctl, stream, _, _, engine = rig
    router = MidiRouter(ctl.show.midi, ctl)
    router.handle(cc(0, 0))  # at 0, where the blend position starts: picked up at once
    router.handle(cc(0, 127))
    assert ctl.state.blend == (0, 1, 1.0)
    assert torch.allclose(stream._target, embedding_of(engine, "ocean waves"), atol=1e-6)


def test_knob_curves_and_channels():
    lin = Knob(1, "blend", 0.0, 1.0)
    assert lin.value(0) == 0.0 and lin.value(127) == 1.0
    exp, log = Knob(1, "blend", 0, 1, "exp"), Knob(1, "blend", 0, 1, "log")
    assert exp.value(64) < lin.value(64) < log.value(64)
    assert Knob(1, "steps", 1, 8).value(127) == 8.0


def test_channel_filter(rig):
    ctl, *_ = rig
    knob = Knob(5, "steps", 1, 8, channel=3)
    router = MidiRouter(MidiMap(knobs=(knob,)), ctl)
    said = router.handle(cc(5, 127, channel=0))  # the knob listens on another channel: said once, acts on nothing
    assert isinstance(said, Unheard) and "cc 5 came on channel 1, but the map listens for it on channel 4" in said
    assert router.handle(cc(5, 127, channel=0)) is UNHEARD
    ctl.handle_line("steps 8", "stdin")
    router.handle(cc(5, 127, channel=3))
    assert ctl.state.steps == 8


def test_midi_input_through_a_backend_and_reconnect(rig, fake_midi_backend):
    ctl, *_ = rig
    said = []
    router = MidiRouter(ctl.show.midi, ctl)
    midi = MidiInput("nanokontrol", router.handle, said.append, poll=0.05, on_reconnect=router.forget_buttons)
    midi.start()
    try:
        assert midi.port_name == "Fake nanoKONTROL2 MIDI 1"
        fake_midi.send(midi.port_name, cc(41, 127))
        assert wait_for(lambda: ctl.state.preset == 1)
        fake_midi.unplug(midi.port_name)
        assert wait_for(lambda: any("unplugged" in s for s in said))
        fake_midi.send("Fake nanoKONTROL2 MIDI 1", cc(41, 0))
        fake_midi.plug("Fake nanoKONTROL2 MIDI 1")
        assert wait_for(lambda: any("is back" in s for s in said))
        fake_midi.send("Fake nanoKONTROL2 MIDI 1", cc(41, 127))
        assert wait_for(lambda: ctl.state.preset == 2)
    finally:
        midi.stop()


def test_learn_lines():
    assert "cc: 16" in learn_line(cc(16, 3)) and "channel: 1" in learn_line(cc(16, 3))
    assert "note: 36" in learn_line(mido.Message("note_on", note=36, velocity=9))
    assert learn_line(mido.Message("note_off", note=36)) is None
    assert parse("next") is not None


def test_new_prompts_are_encoded_before_the_generator_gets_them(tiny_engine):
    gen = RecordingProducer()
    stream = tiny_engine.stream("x", seed=1)
    show = parse_show(SHOW, "show.yaml")
    prompter = Prompter(gen, lambda: tiny_engine.text, print)
    ctl = Controller(show, ShowState(prompts={"x": 1.0}), gen, threading.Event(), print, prompter=prompter)
    text = "a prompt never seen before, encoded off the generator's thread"
    assert not tiny_engine.text.cached(text)
    ctl.handle_line(f"prompt {text}", "stdin")
    ctl.handle_line("seed 5", "stdin")
    assert wait_for(lambda: len(gen.given) == 2, 60)
    assert tiny_engine.text.cached(text)  # encoded before the change was handed over
    for action in gen.actions:  # in the order given
        apply(stream, action)
    prompter.stop()
    assert stream.settings.seed == 5 and torch.allclose(stream._target, tiny_engine.text.encode(text))


# --- show reloads ----------------------------------------------------------------------------------------------

def sent(log_out):
    """The stream operations the controller has handed over, from its control log."""
    return [json.loads(x)["apply"] for x in log_out.getvalue().splitlines()[1:]]


def test_reload_that_edits_the_live_preset_puts_the_edit_on_air(rig):
    ctl, stream, _, log_out, engine = rig
    ctl.handle_line("preset ocean", "stdin")
    before = len(sent(log_out))
    ctl.replace_show(parse_show(SHOW.replace("ocean waves, seed: 7", "a stormy sea, seed: 8"), "show.yaml"))
    assert torch.allclose(stream._target, embedding_of(engine, "a stormy sea"))
    assert stream.settings.seed == 8 and ctl.state.seed == 8
    assert sent(log_out)[before:] == [{"op": "prompt", "prompts": {"a stormy sea": 1.0}, "transition": 2},
                                      {"op": "seed", "seed": 8}]
    assert ctl.state.preset == 1 and ctl.state.prompts == {"a stormy sea": 1.0}
    assert "preset 2 'ocean'" in ctl.describe()


def test_reload_that_leaves_the_live_preset_alone_sends_nothing(rig):
    ctl, stream, _, log_out, engine = rig
    ctl.handle_line("preset ocean", "stdin")
    target, before = stream._target, len(sent(log_out))
    # other presets edited, one added before it (its number changes, its content does not)
    edited = SHOW.replace("a misty forest", "a dark forest").replace(
        "presets:\n", "presets:\n  - {name: desert, prompt: sand dunes}\n")
    ctl.replace_show(parse_show(edited, "show.yaml"))
    assert len(sent(log_out)) == before and stream._target is target
    assert ctl.state.preset == 2 and ctl.preset_name() == "ocean"


def city_on_air() -> tuple[Controller, RecordingProducer]:
    """A controller on SHOW with its first preset, city, on air, and its producer (which tells at once)."""
    show = parse_show(SHOW, "show.yaml")
    producer = RecordingProducer(tell_at_once=True)
    state = ShowState(prompts=show.presets[0].prompts, preset=0)
    return Controller(show, state, producer, threading.Event(), lambda s: None), producer


def test_a_number_and_a_timing_typed_in_full_width_are_answered_with_the_line_meant():
    """`ｐｒｅｓｅｔ　２　＠ｂａｒ`, a line typed in an input method's full-width mode, is a name (a show may have one so):
    where none is, it was told only no preset named '２ ＠ｂａｒ', and `go ３ ＠ｂａｒ` no cue named so."""
    from vcam.control.cues import CueList

    show = parse_show(SHOW + "cues:\n  - {name: drop, do: preset 2}\n", "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    assert ctl.handle_line("ｐｒｅｓｅｔ　２　＠ｂａｒ", "stdin").startswith(
        "error: no preset named '２ ＠ｂａｒ' (did you mean preset 2 @bar?); presets: ")
    assert ctl.handle_line("go １ ＠ｂｅａｔ", "stdin").startswith(
        "error: no cue named '１ ＠ｂｅａｔ' (did you mean go 1 @beat?); the cues: ")
    for line in ("preset ９ ＠ｂａｒ", "go ２ ＠ｂａｒ", "preset ２ ＠ｈｏｍｅ"):  # no such preset or cue, or no timing
        assert "did you mean" not in ctl.handle_line(line, "stdin"), line
    assert ctl.state.preset == 0


def test_a_name_and_a_timing_typed_in_full_width_are_answered_with_the_line_meant():
    """`preset misty forest ＠ｂａｒ`, its timing typed in full-width mode, was offered preset 'misty forest' alone,
    which lands at once, where `preset ２ ＠ｂａｒ` is offered preset 2 @bar; `go the drop ＠ｂａｒ` likewise."""
    from vcam.control.cues import CueList

    cues = "cues:\n  - {name: the drop, do: preset 2}\n"
    show = parse_show(SHOW.replace("name: forest", "name: misty forest") + cues, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    for line in ("preset misty forest ＠ｂａｒ", "ｐｒｅｓｅｔ　ｍｉｓｔｙ　ｆｏｒｅｓｔ　＠ｂａｒ"):
        assert "(did you mean preset misty forest @bar?)" in ctl.handle_line(line, "stdin"), line
    assert "(did you mean go the drop @bar?)" in ctl.handle_line("go the drop ＠ｂａｒ", "stdin")
    assert "@" not in ctl.handle_line("preset misty forest ＠ｈｏｍｅ", "stdin").split("did you mean")[-1]
    assert ctl.state.preset == 0


def test_reload_that_renames_the_live_preset_keeps_it_on_air_by_its_new_name():
    """Renaming the preset on air lost it: the status showed its prompt, and next went to preset 1, not the one
    after it; a side of the live blend renamed ended the blend."""
    ctl, producer = city_on_air()
    ctl.handle_line("preset ocean", "stdin")
    sent_before = len(producer.actions)
    ctl.replace_show(parse_show(SHOW.replace("name: ocean", "name: sea water"), "show.yaml"))
    assert len(producer.actions) == sent_before  # the picture stays as it is
    assert ctl.state.preset == 1 and ctl.preset_name() == "sea water"
    assert ctl.handle_line("next", "stdin").startswith("preset 3 'forest'")
    # renamed and moved in one edit: found by what it puts on air, and said so
    ctl.handle_line("preset sea water", "stdin")
    sent_before = len(producer.actions)
    reordered = SHOW.replace("  - {name: ocean, prompt: ocean waves, seed: 7, transition: 2}\n", "").replace(
        "presets:\n", "presets:\n  - {name: the sea, prompt: ocean waves, seed: 7, transition: 2}\n")
    assert ctl.replace_show(parse_show(reordered, "show.yaml")) == [
        "preset 'sea water' on air was renamed: preset 1 'the sea'"]
    assert ctl.state.preset == 0 and ctl.preset_name() == "the sea" and len(producer.actions) == sent_before
    assert ctl.handle_line("next", "stdin").startswith("preset 2 'city'")
    ctl.replace_show(parse_show(SHOW.replace("name: ocean", "name: sea water"), "show.yaml"))
    sent_before = len(producer.actions)
    ctl.handle_line("blend city forest 0.25", "stdin")
    ctl.replace_show(parse_show(SHOW.replace("name: forest", "name: woods"), "show.yaml"))
    assert ctl.state.blend == (0, 2, 0.25) and len(producer.actions) == sent_before + 1
    # a preset at that place that puts something else on air is no rename: it is gone
    ctl.handle_line("preset ocean", "stdin")
    ctl.replace_show(parse_show(SHOW.replace("name: ocean, prompt: ocean waves", "name: lake, prompt: a lake"),
                                "show.yaml"))
    assert ctl.state.preset is None


def test_reload_that_edits_a_side_of_the_live_blend_blends_the_new_text(rig):
    ctl, stream, _, log_out, engine = rig
    ctl.handle_line("blend city ocean 0.25", "stdin")
    ctl.replace_show(parse_show(SHOW.replace("ocean waves", "a stormy sea"), "show.yaml"))
    expected = 0.75 * embedding_of(engine, "a neon city at night") + 0.25 * embedding_of(engine, "a stormy sea")
    assert torch.allclose(stream._target, expected, atol=1e-6)
    assert ctl.state.blend == (0, 1, 0.25)
    before = len(sent(log_out))
    ctl.replace_show(parse_show(SHOW.replace("ocean waves", "a stormy sea").replace("misty", "dark"), "show.yaml"))
    assert len(sent(log_out)) == before and ctl.state.blend == (0, 1, 0.25)


def edit_of(text: str, on_air: Playing, old: str = SHOW) -> ShowEdit:
    """What a reload from `old` to `text` changes with `on_air` on air."""
    return ShowEdit.of(parse_show(old, "show.yaml"), parse_show(text, "show.yaml"), on_air)


def test_the_preset_on_air_is_followed_by_name_where_it_moved_and_by_what_it_puts_on_air_where_it_was_renamed():
    """A preset on air renamed and moved in one edit was said to be no longer in the show, its content there under
    its new name."""
    moved = SHOW.replace("presets:\n", "presets:\n  - {name: desert, prompt: sand dunes}\n")
    assert edit_of(moved, Playing(preset=1, seed=7)) == ShowEdit(preset=2)  # nothing of it sent
    renamed = "preset 'ocean' on air was renamed: preset {} 'sea water'"
    assert edit_of(SHOW.replace("name: ocean", "name: sea water"), Playing(preset=1, seed=7)) == ShowEdit(
        preset=1, said=(renamed.format(2),))
    # renamed and moved too: the one preset of a new name that puts the same on air
    renamed_moved = moved.replace("name: ocean", "name: sea water")
    assert edit_of(renamed_moved, Playing(preset=1)) == ShowEdit(preset=2, said=(renamed.format(3),))
    # two such: which it became cannot be told, and it is dropped
    twice = renamed_moved.replace("name: desert, prompt: sand dunes", "name: sea, prompt: ocean waves, seed: 7, "
                                                                      "transition: 2")
    assert edit_of(twice, Playing(preset=1)).dropped.preset.name == "ocean"
    # a preset of another name the show had already is not it renamed
    taken = SHOW.replace("name: ocean, prompt: ocean waves", "name: lake, prompt: a lake").replace(
        "name: forest, prompt: a misty forest", "name: forest, prompt: ocean waves, seed: 7, transition: 2")
    assert edit_of(taken, Playing(preset=1)).dropped is not None


def test_telling_a_rename_looks_names_up_without_working_out_a_suggestion(monkeypatch):
    """Each preset of a new name was looked up with find, whose KeyError worked out the name meant (a fuzzy match
    over every name), only to be caught: a reload of a show of many presets did that for each."""
    from vcam.control.show import Show

    def suggested(self, ref):
        raise AssertionError(f"a suggestion worked out for {ref!r}")

    monkeypatch.setattr(Show, "_meant", suggested)
    renamed = SHOW.replace("name: ocean", "name: sea water")
    assert edit_of(renamed, Playing(preset=1, seed=7)) == ShowEdit(
        preset=1, said=("preset 'ocean' on air was renamed: preset 2 'sea water'",))


def test_a_preset_on_air_given_a_joiner_or_a_new_case_is_not_said_to_be_renamed():
    """A name that only gained or lost a zero-width joiner is the same name to every lookup of the show, but a
    reload said it was renamed, naming it twice as what reads as one name."""
    for was, now in (("ocean", "Ocean"), ("\U0001f469\U0001f3a4 ocean", "\U0001f469\u200d\U0001f3a4 ocean"),
                     ("\U0001f469\u200d\U0001f3a4 ocean", "\U0001f469\U0001f3a4 ocean")):
        old, new = SHOW.replace("name: ocean", f"name: {was}"), SHOW.replace("name: ocean", f"name: {now}")
        assert parse_show(new, "show.yaml").presets[1].name == now
        assert edit_of(new, Playing(preset=1, seed=7), old=old) == ShowEdit(preset=1)


def test_a_preset_renamed_and_moved_is_not_taken_for_one_the_show_had_that_puts_the_same_on_air():
    """Ocean renamed and moved past forest, which puts the same on air: forest, now at ocean's place, was said to
    be ocean renamed, and the preset on air became forest, where `sea water` is ocean renamed."""
    same = SHOW.replace("name: forest, prompt: a misty forest", "name: forest, prompt: ocean waves, seed: 7, "
                                                                 "transition: 2")
    moved = same.replace("  - {name: ocean, prompt: ocean waves, seed: 7, transition: 2}\n", "").replace(
        "transition: 2}\nmidi:", "transition: 2}\n  - {name: sea water, prompt: ocean waves, seed: 7, transition: 2}"
        "\nmidi:")
    assert [p.name for p in parse_show(moved, "show.yaml").presets] == ["city", "forest", "sea water"]
    assert edit_of(moved, Playing(preset=1, seed=7), old=same) == ShowEdit(
        preset=2, said=("preset 'ocean' on air was renamed: preset 3 'sea water'",))


def test_the_preset_on_air_removed_is_dropped_and_next_and_prev_go_to_its_neighbours():
    edit = edit_of(without("ocean"), Playing(preset=1))
    new = parse_show(without("ocean"), "show.yaml")
    assert (edit.preset, edit.blend, edit.edits) == (None, None, ())
    assert edit.said == ("preset 'ocean' on air is no longer in the show: it stays on air until you pick another",)
    assert (edit.dropped.neighbour(new, 1), edit.dropped.neighbour(new, -1)) == (1, 0)  # forest, city
    # the next reload that brings it back picks it, sending what differs from it as it was
    back = ShowEdit.of(new, parse_show(SHOW.replace("seed: 7", "seed: 8"), "show.yaml"),
                       Playing(preset=None, dropped=edit.dropped, seed=7))
    assert (back.preset, back.dropped, back.edits) == (1, None, (SetSeed(8),))
    assert back.said == ("preset 2 'ocean' on air is in the show again",)


def test_an_edited_prompt_of_the_preset_on_air_is_one_prompt_change_and_a_value_set_live_stays():
    edit = edit_of(SHOW.replace("ocean waves", "a stormy sea"), Playing(preset=1, seed=7))
    assert edit.edits == (SetPrompts({"a stormy sea": 1.0}, 2),) and edit.preset == 1
    assert in_words(edit.edits[0]) == "prompt (over 2 blocks)"
    # the file's new seed is the one set live already: not sent again
    assert edit_of(SHOW.replace("seed: 7", "seed: 8"), Playing(preset=1, seed=8)).edits == ()
    assert edit_of(SHOW.replace("misty", "dark"), Playing(preset=1, seed=7)) == ShowEdit(preset=1)  # edited elsewhere


def test_changed_defaults_are_the_commands_that_set_them_and_an_edit_blends_over_the_new_transition():
    edited = SHOW.replace("ocean waves, seed: 7, transition: 2", "a stormy sea, seed: 7").replace(
        "midi:", "defaults: {transition: 0, quantize: bar, bpm: 120}\nmidi:")
    edit = edit_of(edited, Playing(preset=1, seed=7, transition=6))
    assert edit.later == (Command("quantize", ("bar",)), Command("transition", (0,)), Command("bpm", (120,)))
    assert edit.edits == (SetPrompts({"a stormy sea": 1.0}, 0),)


def test_a_blend_on_air_is_blended_again_only_where_a_sides_text_changed():
    blend = Playing(preset=0, blend=(0, 1, 0.25))
    assert edit_of(SHOW.replace("seed: 7", "seed: 8"), blend) == ShowEdit(preset=0, blend=(0, 1, 0.25))
    moved = SHOW.replace("ocean waves", "a stormy sea").replace("presets:\n", "presets:\n  - {name: a, prompt: a}\n")
    edit = edit_of(moved, blend)
    assert (edit.preset, edit.blend, edit.reblend) == (1, (1, 2, 0.25), Command("blend", (2, 3, 0.25)))
    assert edit_of(without("ocean"), blend).said == (
        "blend 'city' / 'ocean' on air: 'ocean' is no longer in the show: the mix stays on air until you pick another",)


def test_a_listener_that_fails_is_said_and_the_others_and_later_changes_are_still_told():
    producer, said, told = RecordingProducer(), [], []
    ctl = Controller(None, ShowState(prompts={"a": 1.0}), producer, threading.Event(), said.append,
                     clock=lambda: 0.0)  # the two failures fall in one window of the lines held back

    def failing() -> None:
        raise OSError("the tablet is gone")

    ctl.listeners += [failing, lambda: told.append(ctl.state.seed)]
    for seed in (5, 6):
        ctl.handle_line(f"seed {seed}", "stdin")
        assert wait_for(lambda: told[-1:] == [seed])
    assert said == ["the show's state could not be passed on (OSError: the tablet is gone); it is passed on again at "
                    "the next change"]  # said once however often it fails
    ctl.close()


def test_a_listener_that_never_returns_holds_up_no_command_and_not_the_end_of_the_show():
    """A client's state that could not be handed on (a send stuck for good): commands go on being applied, later
    changes wait for it, and the end of the show does not wait for it either."""
    producer, stuck, entered = RecordingProducer(), threading.Event(), threading.Event()
    ctl = Controller(None, ShowState(prompts={"a": 1.0}), producer, threading.Event(), lambda text: None)
    told: list[int] = []

    def never_returns() -> None:
        entered.set()
        stuck.wait()

    ctl.listeners += [lambda: told.append(ctl.state.seed), never_returns]
    try:
        assert ctl.handle_line("seed 5", "stdin") == "seed 5 from the next block"
        assert entered.wait(60) and told == [5]
        for seed in range(6, 50):
            assert ctl.handle_line(f"seed {seed}", "stdin") == f"seed {seed} from the next block"
        assert [action.seed for action in producer.actions] == list(range(5, 50))
        assert told == [5]  # the next round waits behind the stuck one
        ctl.close()  # returns: the stuck listener's thread does not keep the process alive
        assert ctl._teller._thread.daemon
        stuck.set()
        assert wait_for(lambda: not ctl._teller._thread.is_alive(), 60)
        assert told == [5]  # closed: no round after it
    finally:
        stuck.set()


def test_an_action_is_only_ever_handed_over_with_the_rest_of_its_command():
    """An action given outside a command went to the producer alone, at once: no caller does that, and one that did
    would split a command's changes (a preset's prompts and seed) over two blocks."""
    from vcam.control.actions import Origin, SetSeed

    producer = RecordingProducer()
    ctl = Controller(None, ShowState(prompts={"a": 1.0}), producer, threading.Event(), lambda text: None)
    with pytest.raises(RuntimeError, match="outside a command"):
        ctl._submit(SetSeed(3), Origin("seed 3", "stdin"))
    assert producer.actions == []
    assert ctl.handle_line("seed 4", "stdin") == "seed 4 from the next block"  # a command still gathers its own
    assert [action.seed for action in producer.actions] == [4]


KNOBS_SHOW = """\
presets:
  - {name: city, prompt: a neon city, seed: 3, input: camera, strength: 0.5, bias: 0.6}
  - {name: walk, prompt: a walk}
"""


def knobs_moved(tmp_path):
    """The city preset on air, its seed, strength and bias moved live (knobs); the show file `tmp_path/show.yaml`
    watched, its reloads going to the controller, what is said kept."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text(KNOBS_SHOW)
    show = parse_show(KNOBS_SHOW, str(path))
    producer, said = RecordingProducer(tell_at_once=True), []
    state = ShowState(prompts=show.presets[0].prompts, preset=0, seed=3, input="camera", strength=0.5, bias=0.6)
    ctl = Controller(show, state, producer, threading.Event(), said.append)
    for line in ("strength 0.8", "bias 0.9", "seed 11"):
        ctl.handle_line(line, "midi")
    producer.given.clear()
    watcher = ShowWatcher(str(path), lambda show, maps: ctl.replace_show(show), said.append, show=show)

    saves = []

    def edit(text: str) -> None:
        path.write_text(text)
        saves.append(text)
        # a save of the same size within the clock's grain (1 s on some filesystems) is seen too
        os.utime(path, ns=(10**18 + len(saves) * 10**9,) * 2)
        watcher.poll()  # seen changed
        watcher.poll()  # held from one look to the next: loaded

    return ctl, producer, said, edit


def test_a_reload_that_edits_the_live_presets_text_leaves_the_knobs_the_operator_moved(tmp_path):
    """The edit of the preset on air put the whole preset on air again: the seed, the strength and the bias moved
    live went back to the preset's (its seed's noise started over), and the picture jumped."""
    from vcam.control.actions import SetPrompts

    ctl, producer, said, edit = knobs_moved(tmp_path)
    edit(KNOBS_SHOW.replace("a neon city", "a neon city at night"))
    assert producer.actions == [SetPrompts({"a neon city at night": 1.0}, 4)]  # the edit, and nothing else
    assert (ctl.state.seed, ctl.state.strength, ctl.state.bias) == (11, 0.8, 0.9)
    assert ctl.state.prompts == {"a neon city at night": 1.0}
    assert said == [f"reloaded {tmp_path / 'show.yaml'}: 2 presets; preset 1 'city' on air: prompt (over 4 blocks)"]


def test_a_reload_that_edits_a_field_of_the_live_preset_puts_that_field_on_air_and_says_so(tmp_path):
    from vcam.control.actions import SetBias, SetStrength

    ctl, producer, said, edit = knobs_moved(tmp_path)
    edit(KNOBS_SHOW.replace("strength: 0.5", "strength: 0.3"))
    assert producer.actions == [SetStrength(0.3)]  # the seed and the bias stay where the knobs put them
    assert (ctl.state.seed, ctl.state.strength, ctl.state.bias) == (11, 0.3, 0.9)
    assert said[-1].endswith("; preset 1 'city' on air: strength 0.3")
    producer.given.clear()
    edit(KNOBS_SHOW.replace("strength: 0.5", "strength: 0.3").replace("bias: 0.6", "bias: 0.9"))
    assert producer.actions == [] and said[-1].endswith(": 2 presets")  # the knob is there already
    edit(KNOBS_SHOW.replace("strength: 0.5, bias: 0.6", "strength: 0.3, bias: 0.7").replace("a walk", "a run"))
    assert producer.actions == [SetBias(0.7)]  # another preset's edit sends nothing
    assert said[-1].endswith("; preset 1 'city' on air: bias 0.7")


def test_a_reload_that_puts_another_input_on_air_at_strength_1_says_it_shows_nothing_until_lowered(tmp_path):
    """At strength 1 a block is text only: a save that changed the preset on air's input was said on air with no
    word that nothing of it shows, where a typed `input` says so."""
    ctl, producer, said, edit = knobs_moved(tmp_path)
    ctl.handle_line("strength 1", "midi")
    edit(KNOBS_SHOW.replace("input: camera", "input: camera:2"))
    assert said[-1] == (f"reloaded {tmp_path / 'show.yaml'}: 2 presets; preset 1 'city' on air: input camera:2; "
                        "strength 1 is text only: lower it (strength 0.6) to restyle the input")
    edit(KNOBS_SHOW.replace("input: camera", "input: none"))
    assert said[-1].endswith("on air: text only")  # no input to lower it for
    ctl.handle_line("strength 0.7", "midi")
    edit(KNOBS_SHOW.replace("input: camera", "input: camera:3"))
    assert said[-1].endswith("on air: input camera:3")
    ctl.handle_line("strength 1", "midi")
    edit(KNOBS_SHOW.replace("input: camera, strength: 0.5", "input: camera:4, strength: 1"))
    assert said[-1].endswith("on air: input camera:4")  # strength 1 the preset's own: the clip under the text

    def refused(spec: str) -> None:
        raise InputError(f"camera {spec} is unplugged", "plug it in")

    from vcam.live.inputs import InputError

    edit(KNOBS_SHOW.replace("input: camera", "input: camera:4"))  # the preset's strength 0.5 again
    ctl.handle_line("strength 1", "midi")
    ctl.check_input = refused
    edit(KNOBS_SHOW.replace("input: camera", "input: camera:5"))
    assert "lower it" not in said[-1] and "its input is not used: camera camera:5 is unplugged" in said[-1]


def test_a_reload_that_edits_a_side_of_the_live_blend_besides_its_text_leaves_the_blend_alone():
    """A blend puts only its sides' prompts on air: a side's new seed was blended again, the same mix sent anew."""
    ctl, producer = city_on_air()
    ctl.handle_line("blend city ocean 0.25", "stdin")
    sent_before = len(producer.actions)
    assert ctl.replace_show(parse_show(SHOW.replace("seed: 7", "seed: 8"), "show.yaml")) == []
    assert len(producer.actions) == sent_before and ctl.state.blend == (0, 1, 0.25)
    assert ctl.replace_show(parse_show(SHOW.replace("ocean waves", "a stormy sea"), "show.yaml")) == [
        "blend 'city' / 'ocean' at 0.25 (over 4 blocks) with the new text"]


def test_reload_that_drops_a_side_of_the_live_blend_tells_the_mix_on_air_as_prompts():
    """The blend's mix stays on air (nothing is sent), as a dropped preset's prompts do: the status said the side
    that is left as the preset on air, and `next` went on from it, while the picture was still the mix."""
    ctl, producer = city_on_air()
    ctl.handle_line("blend city ocean 0.25", "stdin")
    sent_before = len(producer.actions)
    dropped = SHOW.replace("  - {name: ocean, prompt: ocean waves, seed: 7, transition: 2}\n", "")
    assert ctl.replace_show(parse_show(dropped.replace("command: preset 3", "command: preset 2"), "show.yaml")) == [
        "blend 'city' / 'ocean' on air: 'ocean' is no longer in the show: the mix stays on air until you pick another"]
    assert len(producer.actions) == sent_before
    assert ctl.state.blend is None and ctl.state.preset is None
    assert ctl.describe().startswith("prompt a neon city at night + ocean waves |")
    assert ctl.snapshot()["preset"] is None


def test_a_mix_left_on_air_by_a_reload_shows_each_of_its_long_texts_in_the_status():
    """Cut whole to 80 characters, the mix of two long prompts read as the first prompt alone on air."""
    city, ocean = "a slow drift through a neon city at night " * 3, "aerial view of turquoise ocean waves " * 3
    long = SHOW.replace("prompt: a neon city at night", f"prompt: {city.strip()}").replace(
        "prompt: ocean waves", f"prompt: {ocean.strip()}")
    show = parse_show(long, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(tell_at_once=True),
                     threading.Event(), lambda s: None)
    ctl.handle_line("blend city ocean 0.5", "stdin")
    ctl.replace_show(parse_show(long.replace("  - {name: ocean, prompt: " + ocean.strip()
                                             + ", seed: 7, transition: 2}\n", "").replace(
        "command: preset 3", "command: preset 2"), "show.yaml"))
    where = ctl.describe().split(" | ")[0]
    assert ctl.state.blend is None and where.startswith("prompt a slow drift") and " + aerial view" in where
    assert len(where) <= len("prompt ") + 80 + 3


def test_a_mix_shown_in_the_status_is_whole_where_it_fits_and_counts_texts_past_three():
    """Each text cut to an equal share cut a mix that fitted whole, and left a short text's room unused; a mix of
    many prompts ran past the line's width."""
    from vcam.control.controller import _mix_shown
    from vcam.words import clipped

    fits = ["a neon city at night", "aerial view of turquoise ocean waves at golden hour"]
    assert _mix_shown(fits, 80) == " + ".join(fits)
    short, long = _mix_shown(["a cat", "x" * 100], 80).split(" + ")
    assert short == "a cat" and len(long) == 80 - len(" + a cat")
    many = _mix_shown([f"prompt number {k} of a long blend of texts" for k in range(6)], 80)
    assert many.endswith(" + 3 more") and many.count(" + ") == 3 and len(many) <= 90
    assert _mix_shown(["one " * 30], 80) == clipped("one " * 30, 80)
    assert _mix_shown(["a", "b", "c", "d"], 80) == "a + b + c + d"


def test_a_reload_that_removes_the_preset_on_air_keeps_its_picture_and_goes_on_from_where_it_stood(tmp_path):
    """The preset on air taken out of the file: the status told its prompt as if typed, the reload's line said
    nothing of it, and `next` went to preset 1 rather than the one that followed it."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text(SHOW)
    show = parse_show(SHOW, str(path))
    producer, said = RecordingProducer(tell_at_once=True), []
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), producer, threading.Event(),
                     said.append)
    watcher = ShowWatcher(str(path), lambda show, maps: ctl.replace_show(show), said.append, show=show)

    def edit(text: str) -> None:
        path.write_text(text)
        watcher.poll(), watcher.poll()  # seen changed, then held: loaded

    ctl.handle_line("preset ocean", "stdin")
    sent_before = len(producer.actions)
    without_ocean = SHOW.replace("  - {name: ocean, prompt: ocean waves, seed: 7, transition: 2}\n", "")
    edit(without_ocean.replace("command: preset 3", "command: preset 2"))
    assert said[-1] == (f"reloaded {path}: 2 presets; preset 'ocean' on air is no longer in the show: it stays on air "
                        "until you pick another")
    assert len(producer.actions) == sent_before and ctl.state.prompts == {"ocean waves": 1.0}  # the picture stays
    assert ctl.describe().startswith("preset (removed) 'ocean' | seed 7 |")
    assert ctl.preset_name() is None  # no preset of the file is on air
    # the network and a tablet hear what the status says: that preset, out of the show
    assert (ctl.snapshot()["preset"], ctl.snapshot()["preset_removed"]) == ("ocean", True)
    # an edit elsewhere while it is on air (forest renamed, its text as it was): still out, next finds forest
    edit(without_ocean.replace("command: preset 3", "command: preset 2").replace("name: forest", "name: woods"))
    assert said[-1] == f"reloaded {path}: 2 presets" and ctl.describe().startswith("preset (removed) 'ocean' |")
    assert ctl.handle_line("next", "stdin").startswith("preset 2 'woods'")  # what followed it, not preset 1
    assert not ctl.describe().startswith("preset (removed)")
    assert (ctl.snapshot()["preset"], ctl.snapshot()["preset_removed"]) == ("woods", False)
    # an edit that brings it back (an undo) picks it again, sending nothing that is on air already
    edit(SHOW)
    ctl.handle_line("preset ocean", "stdin")
    edit(without_ocean.replace("command: preset 3", "command: preset 2"))
    sent_before = len(producer.actions)
    edit(SHOW)
    assert said[-1] == f"reloaded {path}: 3 presets; preset 2 'ocean' on air is in the show again"
    assert len(producer.actions) == sent_before and ctl.state.preset == 1
    # prev goes to the one before it in the file's order
    ctl.handle_line("preset forest", "stdin")
    edit(SHOW.replace("  - {name: forest, prompt: a misty forest}\n", "").replace("command: preset 3", "command: next"))
    assert ctl.handle_line("prev", "stdin").startswith("preset 2 'ocean'")


def test_a_removed_preset_on_air_reaches_vcam_cam_and_its_tablet_and_an_older_cam_takes_it_for_no_preset():
    """The state sent to vcam cam said `preset: None` while the status said `preset (removed) 'ocean'`."""
    from vcam.control.oscreply import state_messages
    from vcam.remote import protocol as proto
    from vcam.remote.controller import RemoteController


    show = parse_show(SHOW, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[1].prompts, preset=1), RecordingProducer(),
                     threading.Event(), lambda text: None)
    ctl.replace_show(parse_show(SHOW.replace("  - {name: ocean, prompt: ocean waves, seed: 7, transition: 2}\n", "")
                                .replace("command: preset 3", "command: preset 2"), "show.yaml"))
    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    remote.update(proto.parse_text(proto.text("state", **ctl.snapshot())))  # as the wire carries it
    assert (remote.state.preset, remote.state.preset_removed, remote.state.presets) == ("ocean", True,
                                                                                       ["city", "forest"])
    sent_out = dict(state_messages(remote.snapshot()))
    assert sent_out["/vcam/preset"] == [0, "ocean"]  # the tablet's label names it; no number of the show's
    assert remote.set_param("blend", 0.0, "midi") is None  # across its place: city before it, forest after it
    assert sent == ["blend city forest 0 @off"]
    # an older vcam cam knows no flag: it looks the name up in the presets (its blend knob, its tablet's number),
    # where it is not, as for no preset
    assert ctl.snapshot()["preset"] not in ctl.snapshot()["presets"]
    # a server from before sends the preset alone: none of its presets is removed
    remote.update({"preset": "city", "presets": ["city", "forest"]})
    assert (remote.state.preset, remote.state.preset_removed, remote.snapshot()["preset_removed"]) == ("city", False,
                                                                                                       False)
    remote.update({"preset_removed": True, "preset": 3})  # a garbled preset: its flag alone names none
    assert (remote.state.preset, remote.state.preset_removed) == ("city", False)
    assert remote.snapshot()["preset_removed"] is False
    remote.update({"preset": "forest", "preset_removed": "yes"})  # a flag of another kind: not removed
    assert (remote.state.preset, remote.state.preset_removed) == ("forest", False)


def without(name: str, text: str = SHOW) -> str:
    """The show text with preset `name` taken out (the pad that named preset 3 names preset 2)."""
    kept = [line for line in text.splitlines(keepends=True) if f"{{name: {name}," not in line]
    return "".join(kept).replace("command: preset 3", "command: preset 2")


def test_the_blend_knob_with_a_preset_on_air_that_a_reload_took_out_goes_across_its_place():
    """The knob started from preset 1, whatever preset the reload took out: with forest gone it blended city into
    ocean, where `prev` and `next` go to ocean and city, the presets either side of where forest stood."""
    show = parse_show(SHOW, "show.yaml")
    producer = RecordingProducer()
    ctl = Controller(show, ShowState(prompts=show.presets[2].prompts, preset=2), producer, threading.Event(),
                     lambda text: None)
    ctl.replace_show(parse_show(without("forest"), "show.yaml"))
    assert ctl.set_param("blend", 0.25, "midi").startswith("blend 'ocean' / 'city' at 0.25")
    assert ctl.state.blend == (1, 0, 0.25) and ctl.state.preset == 1
    assert producer.actions[-1].prompts == {"ocean waves": 0.75, "a neon city at night": 0.25}
    assert ctl.set_param("blend", 0.75, "midi").startswith("blend 'ocean' / 'city' at 0.75")  # the pair it blends now
    # in the order the file had before the reload: the presets either side of it there, wherever they are now
    ctl = Controller(show, ShowState(prompts=show.presets[1].prompts, preset=1), producer, threading.Event(),
                     lambda text: None)
    ctl.replace_show(parse_show(without("ocean").replace("  - {name: city", "  - {name: dusk, prompt: dusk}\n"
                                                         "  - {name: city"), "show.yaml"))
    assert ctl.set_param("blend", 0.5, "midi").startswith("blend 'city' / 'forest' at 0.50")
    # the only other preset the file had is on either side of it: from it to the one after it now
    two = "presets:\n  - {name: city, prompt: a neon city at night}\n  - {name: ocean, prompt: ocean waves}\n"
    ctl = Controller(parse_show(two, "show.yaml"), ShowState(prompts={"ocean waves": 1.0}, preset=1), producer,
                     threading.Event(), lambda text: None)
    ctl.replace_show(parse_show(without("ocean", two) + "  - {name: dusk, prompt: dusk}\n", "show.yaml"))
    assert ctl.set_param("blend", 0.5, "midi").startswith("blend 'city' / 'dusk' at 0.50")


def test_vcam_cams_blend_knob_beside_a_removed_preset_goes_where_the_servers_goes():
    """With forest on air and taken out, the server's knob went across its place, ocean into city, while vcam cam's
    started from the first preset, city into ocean: the same knob blended the other way round from the laptop."""
    from vcam.remote import protocol as proto
    from vcam.remote.controller import RemoteController
    from vcam.remote.attach import attachment
    from vcam.remote.server import ServeSettings

    def on_air_then_taken_out() -> Controller:
        show = parse_show(SHOW, "show.yaml")
        ctl = Controller(show, ShowState(prompts=show.presets[2].prompts, preset=2), RecordingProducer(),
                         threading.Event(), lambda text: None)
        ctl.replace_show(parse_show(without("forest"), "show.yaml"))
        return ctl

    here, there = on_air_then_taken_out(), on_air_then_taken_out()
    served = attachment(ServeSettings(port=0))(there, lambda text: None, None, "crop")  # not started: its state
    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    remote.update(proto.parse_text(proto.text("state", **served.state())))  # as the wire carries it
    assert remote.state.blend_knob == ("ocean", "city") and remote.state.presets == ["city", "ocean"]
    assert remote.set_param("blend", 0.25, "midi") is None
    assert sent == ["blend ocean city 0.25 @off"]
    # the laptop's line on the server blends what the server's own knob blends
    assert there.handle_line(sent[-1], "net").startswith("blend 'ocean' / 'city' at 0.25")
    assert here.set_param("blend", 0.25, "midi").startswith("blend 'ocean' / 'city' at 0.25")
    assert there.state.blend == here.state.blend == (1, 0, 0.25)
    # with a blend on air, its pair, which the state names by index, as before
    remote.update(proto.parse_text(proto.text("state", **there.snapshot())))
    remote.set_param("blend", 0.75, "midi")
    assert sent[-1] == "blend ocean city 0.75 @off"
    # a fader that names its pair still blends those
    remote.set_param("blend", 0.5, "midi", between=("city", "ocean"))
    assert sent[-1] == "blend city ocean 0.5 @off"
    # a preset on air in the show: the server's pair is the preset and the next, as the old rule had it
    there.handle_line("preset ocean", "stdin")
    assert there.snapshot()["blend_knob"] == ["ocean", "city"]


def test_vcam_cams_blend_knob_with_a_server_from_before_or_a_garbled_pair_starts_from_the_first_preset():
    """A state without `blend_knob` (a server from before) keeps the old rule: from the preset on air, else from
    the first; a reconnect to such a server leaves no pair of the newer one behind."""
    from vcam.remote.controller import RemoteController

    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    removed = {"preset": "forest", "preset_removed": True, "presets": ["city", "ocean"], "blend": None}
    remote.update({**removed, "blend_knob": ["ocean", "city"]})
    remote.update(removed)  # a server from before, after a reconnect
    assert remote.state.blend_knob is None
    remote.set_param("blend", 0.0, "midi")
    assert sent[-1] == "blend city ocean 0 @off"
    for garbled in (["ocean"], ["ocean", 3], "ocean city", ["ocean", "dusk"]):  # dusk: not in the presets heard
        remote.update({**removed, "blend_knob": garbled})
        remote.set_param("blend", 0.0, "midi")
        assert sent[-1] == "blend city ocean 0 @off", garbled
    remote.update({"preset": "ocean", "presets": ["city", "ocean"], "blend_knob": None})  # no pair: the old rule
    remote.set_param("blend", 0.0, "midi")
    assert sent[-1] == "blend ocean city 0 @off"


def test_the_snapshot_names_the_preset_its_status_names_while_a_reload_takes_it_out():
    """It read the preset on air twice, for `preset` and for `status`: a reload that took ocean out in between had
    one round say preset 'ocean', in the show, and a status of 'ocean' removed."""
    show = parse_show(SHOW, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[1].prompts, preset=1), RecordingProducer(),
                     threading.Event(), lambda text: None)
    read, reloads = ctl._picked, [parse_show(without("ocean"), "show.yaml")]

    def picked_then_reloaded():  # the reload comes as the first read is done
        picked = read()
        if reloads:
            ctl.replace_show(reloads.pop())
        return picked

    ctl._picked = picked_then_reloaded
    snapshot = ctl.snapshot()
    assert not reloads  # the reload came
    assert (snapshot["preset"], snapshot["preset_removed"]) == ("ocean", False)
    assert snapshot["presets"] == ["city", "ocean", "forest"]
    assert snapshot["status"].startswith("preset 2 'ocean' |"), snapshot["status"]
    snapshot = ctl.snapshot()  # the next round: the reload's
    assert (snapshot["preset"], snapshot["preset_removed"]) == ("ocean", True)
    assert snapshot["status"].startswith("preset (removed) 'ocean' |")


class _ReloadFirst:
    """The controller's lock, which makes a reload the first time the knob's thread comes to take it: the reload
    then falls between whatever the knob read before taking the lock and what it does under it."""

    def __init__(self, ctl, show):
        self.ctl, self.lock, self.show = ctl, ctl._lock, show
        self.knob = threading.current_thread()

    def __enter__(self):
        show, self.show = self.show, None
        if show is not None and threading.current_thread() is self.knob:
            self.ctl.replace_show(show)
        self.lock.acquire()

    def __exit__(self, *exc):
        self.lock.release()


def test_a_blend_knob_moved_as_a_reload_reorders_the_presets_blends_the_pair_it_names():
    """The knob read the show and its blend outside the lock: a reload that swapped city and ocean in between had it
    blend the presets at the old places, ocean into city, the wrong way round."""
    ctl, producer = city_on_air()
    show = ctl.show
    assert ctl.handle_line("blend city ocean 0.1", "stdin").startswith("blend 'city' / 'ocean' at 0.10")
    lines = SHOW.splitlines(keepends=True)
    swapped = "".join([lines[0], lines[2], lines[1], *lines[3:]])  # ocean first, then city
    for between in (None, ("city", "ocean")):  # the pair blended now; the pair a fader names
        ctl._lock = _ReloadFirst(ctl, parse_show(swapped if ctl.show is show else SHOW, "show.yaml"))
        city, ocean = (1, 0) if ctl._lock.show.presets[0].name == "ocean" else (0, 1)
        assert ctl.set_param("blend", 0.25, "midi", between=between).startswith("blend 'city' / 'ocean' at 0.25")
        assert ctl.state.blend == (city, ocean, 0.25)
        assert producer.actions[-1].prompts == {"a neon city at night": 0.75, "ocean waves": 0.25}
        assert ctl.describe().startswith("blend 'city' / 'ocean' at 0.25")
        assert ctl.snapshot()["blend"] == [city, ocean, 0.25]
        ctl._lock = ctl._lock.lock


@pytest.mark.parametrize("nth", [1, 2])
@pytest.mark.parametrize("read", ["describe", "snapshot"])
def test_the_status_and_the_snapshot_name_the_blend_on_air_while_a_reload_reorders_the_presets(read, nth):
    """They read the blend and the show one after the other outside any lock: a reload in between (ocean and city
    swapped, here as the blend is read for the nth time) had them name the old blend's indices in the new show, or
    the new ones in the old, "blend 'ocean' / 'city'". They never wait for a command (a log on a slow disk), only for
    the instant a reload swaps the show."""
    show = parse_show(SHOW, "show.yaml")
    lines = SHOW.splitlines(keepends=True)
    swapped = parse_show("".join([lines[0], lines[2], lines[1], *lines[3:]]), "show.yaml")
    reader = threading.current_thread()
    reads, reloaded = [], threading.Event()

    def reload() -> None:
        ctl.replace_show(swapped)
        reloaded.set()

    class ReloadAsTheBlendIsRead(ShowState):
        def __getattribute__(self, name):
            value = object.__getattribute__(self, name)
            if name == "blend" and reads and threading.current_thread() is reader:
                reads.append(value)
                if len(reads) == nth + 1:
                    threading.Thread(target=reload).start()  # done before the read goes on, unless it must wait
                    assert wait_for(lambda: reloaded.is_set() or picks.waiting.is_set(), 60)
            return value

    class Waited:
        """The lock the reload swaps the show under: says when the reload waits for it."""

        def __init__(self, lock):
            self.lock, self.waiting = lock, threading.Event()

        def __enter__(self):
            if not self.lock.acquire(blocking=False):
                self.waiting.set()
                self.lock.acquire()

        def __exit__(self, *exc):
            self.lock.release()

    ctl = Controller(show, ReloadAsTheBlendIsRead(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    ctl.handle_line("blend city ocean 0.25", "stdin")
    picks = ctl._picks = Waited(getattr(ctl, "_picks", threading.Lock()))
    reads.append("armed")
    if read == "describe":
        told = ctl.describe()
    else:
        snapshot = ctl.snapshot()
        a, b, _ = snapshot["blend"]
        assert (snapshot["presets"][a], snapshot["presets"][b]) == ("city", "ocean"), snapshot
        told = snapshot["status"]
    fired = len(reads) > nth
    reads.clear()
    assert told.startswith("blend 'city' / 'ocean' at 0.25"), told
    if not fired:  # read fewer times: the reload comes after
        reload()
    assert reloaded.wait(60) and ctl.show is swapped and ctl.snapshot()["blend"] == [1, 0, 0.25]
    assert ctl.handle_line("status", "stdin").startswith("blend 'city' / 'ocean' at 0.25")


def test_without_midi_installed_devices_still_lists_cameras_and_midi_says_how_to_install(monkeypatch, capsys):
    import sys

    from vcam.cli import main

    monkeypatch.setitem(sys.modules, "mido", None)  # the light install
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert 'pip install -e ".[midi]"' in out and "virtual camera" in out
    assert main(["midi", "learn"]) == 2
    assert 'fix: pip install -e ".[midi]"' in capsys.readouterr().err


class _ListerOfADeadServer:
    """A kept port-listing client whose MIDI server restarted: it lists nothing until it is made again."""

    def __init__(self, real):
        self.real, self.dead, self.api = real, False, None

    def names(self):
        return [] if self.dead else self.real.names()

    def close(self):
        self.dead = False
        self.real.close()


def test_a_controller_comes_back_after_the_midi_server_restarted(rig, fake_midi_backend):
    ctl, *_ = rig
    said = []
    midi = MidiInput("nanokontrol", MidiRouter(ctl.show.midi, ctl).handle, said.append, poll=0.05)
    midi._lister = lister = _ListerOfADeadServer(midi._lister)
    midi.start()
    try:
        fake_midi.unplug(midi.port_name)
        assert wait_for(lambda: any("unplugged" in s for s in said))
        lister.dead = True  # the server went down with the controller and its client lists nothing any more
        fake_midi.plug("Fake nanoKONTROL2 MIDI 1")
        assert wait_for(lambda: any("is back" in s for s in said))
    finally:
        midi.stop()


# --- video in: the input and the strength --------------------------------------------------------------------------

INPUT_SHOW = """\
presets:
  - {name: city, prompt: a neon city, input: camera, strength: 0.5}
  - {name: walk, prompt: a walk, input: "file:walk.mp4", strength: 0.4}
  - {name: same, prompt: the same input, input: camera, strength: 0.5}
  - {name: plain, prompt: nothing said}
"""


@pytest.fixture
def on_air(tmp_path):
    (tmp_path / "walk.mp4").write_bytes(b"")
    show = parse_show(INPUT_SHOW, str(tmp_path / "show.yaml"))
    producer, log = RecordingProducer(blocks=4, tell_at_once=True), io.StringIO()
    state = ShowState(prompts=show.presets[0].prompts, preset=0, input="camera", strength=0.5)
    ctl = Controller(show, state, producer, threading.Event(), lambda s: None, ControlLog(log, {}))
    return ctl, producer, log, tmp_path


def test_the_commands_go_to_the_stream_as_actions_and_are_logged(on_air):
    from vcam.control.actions import SetInput, SetStrength

    ctl, producer, log, _ = on_air
    assert ctl.handle_line("strength 0.3", "stdin") == "strength 0.3 from the next block"
    assert ctl.handle_line("input camera:2", "midi") == "input camera:2 from the next block"
    assert ctl.handle_line("input none", "stdin") == "text only from the next block"
    assert producer.actions == [SetStrength(0.3), SetInput("camera:2"), SetInput("none")]
    assert (ctl.state.input, ctl.state.strength) == ("none", 0.3)
    entries = [json.loads(x) for x in log.getvalue().splitlines()[1:]]
    assert [(e["command"], e["source"], e["block"], e["apply"]) for e in entries] == [
        ("strength 0.3", "stdin", 4, {"op": "strength", "strength": 0.3}),
        ("input camera:2", "midi", 4, {"op": "input", "spec": "camera:2"}),
        ("input none", "stdin", 4, {"op": "input", "spec": "none"})]


def test_a_strength_with_no_input_on_air_is_kept_and_said_to_wait_for_one(on_air):
    """`strength 0.4` with no input answered "strength 0.4 from the next block", though it changed nothing then."""
    from vcam.control.actions import SetStrength

    ctl, producer, _, _ = on_air
    ctl.handle_line("input none", "stdin")
    reply = ctl.handle_line("strength 0.4", "stdin")
    assert reply == "strength 0.4, kept for an input: none is on air now (put one on with input SRC)"
    assert producer.actions[-1] == SetStrength(0.4) and ctl.state.strength == 0.4  # kept for the next input
    ctl.handle_line("input camera", "stdin")
    assert ctl.handle_line("strength 0.5", "stdin") == "strength 0.5 from the next block"


def test_a_typed_clip_is_the_working_folders_and_logged_whole(on_air, monkeypatch):
    from vcam.control.actions import SetInput

    ctl, producer, log, tmp_path = on_air
    monkeypatch.chdir(tmp_path)
    ctl.handle_line("input file:walk.mp4", "stdin")
    assert producer.actions == [SetInput(f"file:{tmp_path / 'walk.mp4'}")]
    entry = json.loads(log.getvalue().splitlines()[1])
    assert entry["command"] == "input file:walk.mp4" and entry["apply"]["spec"] == f"file:{tmp_path / 'walk.mp4'}"


@pytest.mark.parametrize("typed", [r"input file:My\ Clips/loop\ \(2\).mp4", "input file:'My Clips/loop (2).mp4' ",
                                   r"input file:{tmp}/My\ Clips/loop\ \(2\).mp4 @off"])
def test_a_clip_dropped_on_the_terminal_goes_on_air(on_air, monkeypatch, typed):
    """A clip dragged onto a Mac's terminal came with backslashes, kept in its name: "no such file"."""
    from helpers import write_clip
    from vcam.control.actions import SetInput
    from vcam.live.inputs.switch import check_input

    ctl, producer, _, tmp_path = on_air
    (tmp_path / "My Clips").mkdir()
    clip = write_clip(tmp_path / "My Clips" / "loop (2).mp4")
    monkeypatch.chdir(tmp_path)
    ctl.check_input = check_input
    reply = ctl.handle_line(typed.format(tmp=tmp_path), "stdin")
    assert not reply.startswith("error") and producer.actions == [SetInput(f"file:{clip}")]


@pytest.mark.parametrize("name, typed", [
    ("back\\slash.mp4", r"input file:back\\slash.mp4"),  # dropped: the shell doubles a backslash in a name
    ("back\\slash.mp4", r"input file:back\slash.mp4"),  # typed as the name is
    ("My Clips @home.mp4", r"input file:My\ Clips\ @home.mp4"),
    ("Bob's (2).mp4", "input file:'Bob'\\''s (2).mp4' "),
])
def test_a_dropped_clip_goes_on_air_and_its_logged_line_replays_the_same_clip(on_air, monkeypatch, name, typed):
    """The log keeps the input made whole; its replay reads it through the same parser, so it must name the same
    file again (a name with a backslash of its own, an @, a quote)."""
    from helpers import write_clip
    from vcam.control.actions import SetInput, from_dict
    from vcam.live.inputs.switch import check_input

    ctl, producer, log, tmp_path = on_air
    clip = write_clip(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    ctl.check_input = check_input
    reply = ctl.handle_line(typed, "stdin")
    assert not reply.startswith("error"), reply
    assert producer.actions == [SetInput(f"file:{clip}")]
    entry = json.loads(log.getvalue().splitlines()[1])
    assert from_dict(entry["apply"]) == SetInput(f"file:{clip}")


def test_a_clip_dropped_without_its_kind_is_answered_with_the_line_to_type(on_air):
    ctl, producer, _, tmp_path = on_air
    clip = tmp_path / "My Clips" / "loop (2).mp4"
    reply = ctl.handle_line(f"input '{clip}' ", "stdin")
    assert reply == f"error: a path needs its kind first: did you mean input file:{clip}?"
    assert producer.actions == [] and ctl.state.input == "camera"


def test_an_input_the_check_refuses_is_an_error_reply_and_changes_nothing(on_air):
    from vcam.errors import VcamError

    ctl, producer, _, _ = on_air

    def check(spec):
        raise VcamError(f"no camera at {spec}", "plug it in or pick another (vcam devices lists them)")

    ctl.check_input = check
    reply = ctl.handle_line("input camera:7", "stdin")
    assert reply == "error: no camera at camera:7 (plug it in or pick another (vcam devices lists them))"
    assert producer.actions == [] and ctl.state.input == "camera"
    ctl.check_input = lambda spec: None
    ctl.handle_line("input camera:7", "stdin")
    assert ctl.state.input == "camera:7"


def test_a_preset_switch_sends_its_input_and_strength_when_they_change_what_is_on_air(on_air):
    from vcam.control.actions import SetInput, SetPrompts, SetStrength

    ctl, producer, _, tmp_path = on_air
    ctl.handle_line("preset walk", "stdin")
    walk = f"file:{tmp_path / 'walk.mp4'}"
    assert producer.actions == [SetPrompts({"a walk": 1.0}, 4), SetInput(walk), SetStrength(0.4)]
    assert (ctl.state.input, ctl.state.strength) == (walk, 0.4)
    producer.given.clear()
    ctl.handle_line("preset plain", "stdin")  # says neither: the walk stays on air
    assert producer.actions == [SetPrompts({"nothing said": 1.0}, 4)] and ctl.state.input == walk
    producer.given.clear()
    ctl.handle_line("preset city", "stdin")
    ctl.handle_line("strength 0.9", "stdin")
    producer.given.clear()
    ctl.handle_line("preset same", "stdin")  # the camera is on air already; the strength was moved by hand
    assert producer.actions == [SetPrompts({"the same input": 1.0}, 4), SetStrength(0.5)]


def test_a_preset_switch_names_what_else_of_it_differs_from_what_was_on_air(on_air):
    """Its reply named the prompts only, while the status then showed another strength."""
    ctl, _, _, tmp_path = on_air
    reply = ctl.handle_line("preset walk", "stdin")
    assert reply == f"preset 2 'walk' (over 4 blocks), input file:{tmp_path / 'walk.mp4'}, strength 0.4"
    assert "strength 0.40" in ctl.describe()
    assert ctl.handle_line("preset plain", "stdin") == "preset 4 'plain' (over 4 blocks)"  # it sets nothing else
    assert ctl.handle_line("preset city", "stdin") == "preset 1 'city' (over 4 blocks), input camera, strength 0.5"
    assert ctl.handle_line("preset same", "stdin") == "preset 3 'same' (over 4 blocks)"  # as on air already
    ctl.handle_line("strength 0.9", "stdin")
    assert ctl.handle_line("preset same", "stdin") == "preset 3 'same' (over 4 blocks), strength 0.5"


def test_a_preset_switch_names_its_seed_and_bias_where_they_differ():
    show = parse_show("""\
presets:
  - {name: a, prompt: one, seed: 7, bias: 0.4}
  - {name: b, prompt: two, seed: 7}
""", "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}, seed=7), RecordingProducer(), threading.Event(),
                     lambda s: None)
    assert ctl.handle_line("preset a", "stdin") == "preset 1 'a' (over 4 blocks), bias 0.4"
    assert ctl.handle_line("seed 3", "stdin") == "seed 3 from the next block"
    assert ctl.handle_line("preset b", "stdin") == "preset 2 'b' (over 4 blocks), seed 7"


def test_a_preset_whose_input_cannot_open_goes_on_air_without_it_and_says_why(on_air):
    from vcam.control.actions import SetPrompts, SetStrength
    from vcam.errors import VcamError

    ctl, producer, _, tmp_path = on_air

    def check(spec):
        raise VcamError(f"no such clip {spec}", "put it back")

    ctl.check_input = check
    reply = ctl.handle_line("preset walk", "stdin")
    assert reply.startswith("preset 2 'walk'") and "its input is not used: no such clip file:" in reply
    assert producer.actions == [SetPrompts({"a walk": 1.0}, 4), SetStrength(0.4)]
    assert ctl.state.input == "camera" and "input camera |" in ctl.describe()  # what is on air, truly


def test_a_reloaded_show_that_changes_the_current_presets_input_sends_it(on_air):
    from vcam.control.actions import SetInput

    ctl, producer, _, tmp_path = on_air
    ctl.replace_show(parse_show(INPUT_SHOW, str(tmp_path / "show.yaml")))
    assert producer.actions == []  # nothing on air changed
    ctl.replace_show(parse_show(INPUT_SHOW.replace("input: camera, strength: 0.5}", "input: camera:1, strength: 0.5}",
                                                   1), str(tmp_path / "show.yaml")))
    assert SetInput("camera:1") in producer.actions and ctl.state.input == "camera:1"


DEFAULTS_SHOW = """\
defaults: {seed: 0, steps: 4, transition: 4}
presets:
  - {name: a, prompt: a neon city, seed: 5}
  - {name: b, prompt: ocean waves}
"""


def defaults_rig(tmp_path):
    show = parse_show(DEFAULTS_SHOW, str(tmp_path / "show.yaml"))
    producer, log, fallbacks = RecordingProducer(blocks=2, tell_at_once=True), io.StringIO(), []
    state = ShowState(prompts=show.presets[0].prompts, preset=0, seed=5)
    ctl = Controller(show, state, producer, threading.Event(), lambda s: None, ControlLog(log, {}),
                     on_fallback=fallbacks.append)
    return ctl, producer, log, fallbacks


def test_preset_typed_alone_is_answered_with_the_list_not_an_error(tmp_path):
    """`preset` alone asks which presets there are: answered "error: preset needs an argument", the list came framed
    as a mistake. Sent from afar or by a control, a `preset` with no value is still the sender's mistake."""
    ctl, _, _, _ = defaults_rig(tmp_path)
    reply = ctl.handle_line("preset", "stdin")
    assert reply == ("the show's presets: 1 'a', 2 'b'; usage: preset NAME|NUMBER - switch to a preset of the show "
                     "(numbers start at 1)"), reply
    assert ctl.handle_line("preset", "osc").startswith("error: preset needs an argument")


def test_preset_or_blend_typed_alone_names_the_shows_presets(tmp_path):
    """Nothing on air listed the presets: `preset` alone answered only its usage, and the names had to be guessed
    at, or looked up in the file, mid-show."""
    ctl, producer, _, _ = defaults_rig(tmp_path)
    assert ctl.handle_line("preset", "stdin").startswith("the show's presets: 1 'a', 2 'b'; usage: preset ")
    assert ctl.handle_line("blend @bar", "stdin").endswith("; the show's presets: 1 'a', 2 'b'")
    assert ctl.handle_line("blend", "stdin").startswith("the show's presets: 1 'a', 2 'b'; usage: blend ")
    assert "presets" not in ctl.handle_line("seed", "stdin") and producer.actions == []
    many = "presets:\n" + "".join(f"  - {{name: scene {i}, prompt: p{i}}}\n" for i in range(1, 21))
    ctl.show = parse_show(many, str(tmp_path / "show.yaml"))
    assert ", 12 'scene 12', … (20 in all); usage: preset " in ctl.handle_line("preset", "stdin")
    assert Controller(None, ShowState(prompts={"a": 1.0}), producer, threading.Event(), print).handle_line(
        "preset", "stdin").endswith("(numbers start at 1)")  # no show: nothing to name


def test_a_transition_of_one_block_is_said_in_the_singular(tmp_path):
    """A show with `transition: 1` answered every change "(over 1 blocks)"."""
    ctl, _, _, _ = defaults_rig(tmp_path)
    assert ctl.handle_line("transition 1", "stdin") == "transition 1 block"
    assert ctl.handle_line("preset b", "stdin") == "preset 2 'b' (over 1 block)"
    assert ctl.handle_line("prompt rain", "stdin") == "prompt set (over 1 block)"
    assert ctl.handle_line("transition 2", "stdin") == "transition 2 blocks"
    ctl.handle_line("preset b", "stdin")
    ctl.handle_line("transition 1", "stdin")
    assert ctl.replace_show(parse_show(DEFAULTS_SHOW.replace("ocean", "sea"), str(tmp_path / "show.yaml"))) == [
        "preset 2 'b' on air: prompt (over 1 block)"]


def test_a_reload_brings_the_defaults_transition_to_later_preset_changes_and_leaves_the_start_ones(tmp_path):
    from vcam.control.actions import SetPrompts, SetTransition

    ctl, producer, log, _ = defaults_rig(tmp_path)
    edited = DEFAULTS_SHOW.replace("{seed: 0, steps: 4, transition: 4}",
                                   "{steps: 2, seed: 9, transition: 0, bias: 0.5}")
    assert ctl.replace_show(parse_show(edited, str(tmp_path / "show.yaml"))) == ["transition 0 for later changes"]
    assert producer.actions == [SetTransition(0)]  # what is on air stays: no prompt, seed or steps sent
    assert (ctl.state.transition, ctl.state.seed, ctl.state.steps, ctl.state.bias) == (0, 5, 4, 1.0)
    assert json.loads(log.getvalue().splitlines()[-1])["source"] == "reload"  # a replay makes it too
    assert ctl.handle_line("preset b", "stdin") == "preset 2 'b'"  # no "(over 4 blocks)"
    assert producer.actions[-1] == SetPrompts({"ocean waves": 1.0}, 0)
    # the same defaults again leave a transition set live alone
    ctl.handle_line("transition 6", "stdin")
    assert ctl.replace_show(parse_show(edited.replace("ocean", "sea"), str(tmp_path / "show.yaml"))) == [
        "preset 2 'b' on air: prompt (over 6 blocks)"]
    assert ctl.state.transition == 6


def test_a_reload_that_changes_the_fallback_or_the_live_presets_transition_leaves_the_picture(tmp_path):
    import cv2
    import numpy as np

    cv2.imwrite(str(tmp_path / "stall.png"), np.zeros((8, 8, 3), np.uint8))
    ctl, producer, _, fallbacks = defaults_rig(tmp_path)
    edited = DEFAULTS_SHOW.replace("seed: 5}", "seed: 5, transition: 9, fallback: stall.png}")
    assert ctl.replace_show(parse_show(edited, str(tmp_path / "show.yaml"))) == ["fallback stall.png"]
    assert producer.actions == []  # its seed is not sent again, which would start its noise over
    assert fallbacks == [str(tmp_path / "stall.png")]
    assert ctl.handle_line("preset b", "stdin") == "preset 2 'b' (over 4 blocks)"
    assert ctl.handle_line("preset a", "stdin") == "preset 1 'a' (over 9 blocks)"  # read as it is selected


def test_a_strength_knob_moves_the_strength(on_air):
    from vcam.control.actions import SetStrength
    from vcam.control.midimap import find_map_file, load_map

    ctl, producer, _, _ = on_air
    assert ctl.set_param("strength", 0.25, "midi") == "strength 0.25 from the next block"
    assert producer.actions == [SetStrength(0.25)] and ctl.state.strength == 0.25
    router = MidiRouter(load_map(find_map_file("nanokontrol2", None)), ctl)  # knob 4 is the strength
    router.handle(mido.Message("control_change", control=19, value=32))  # picked up where the state is
    router.handle(mido.Message("control_change", control=19, value=127))
    assert producer.actions[-1] == SetStrength(1.0) and ctl.state.strength == 1.0


def test_the_status_and_the_snapshot_say_the_input_and_the_strength(on_air):
    ctl, *_ = on_air
    assert "input camera | strength 0.50" in ctl.describe()
    snap = ctl.snapshot()
    assert (snap["input"], snap["strength"]) == ("camera", 0.5)
    ctl.handle_line("input none", "stdin")
    assert "strength" not in ctl.describe() and "input" not in ctl.describe()  # text only: nothing to say


# --- the show's tempo -----------------------------------------------------------------------------------------------

def tempo_show(bpm: float | None) -> str:
    return (f"defaults: {{bpm: {bpm:g}}}\n" if bpm is not None else "") + "presets:\n  - {name: a, prompt: x}\n"


def test_the_shows_bpm_is_the_tempo_it_starts_at_and_a_clock_or_a_tap_takes_over():
    """A show file set no tempo: the club show set its own from a cue at 0:00."""
    now = [100.0]
    tempo = Tempo(clock=lambda: now[0])
    log = io.StringIO()
    Controller(parse_show(tempo_show(124), "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
               threading.Event(), lambda s: None, ControlLog(log, {}), tempo=tempo)
    assert (tempo.source, tempo.bpm) == ("bpm", 124.0)
    (entry,) = [json.loads(line) for line in log.getvalue().splitlines()[1:]]
    assert (entry["command"], entry["source"], entry["apply"]["bpm"]) == ("bpm 124", "show", 124.0)  # replayable
    tempo.set_bpm(128, "link", (now[0], 0.0))  # a clock leads while it runs, as over `bpm N`
    assert (tempo.source, tempo.bpm) == ("link", 128.0)
    now[0] += 10.0  # gone quiet: the show's tempo again
    assert (tempo.source, tempo.bpm) == ("bpm", 124.0)
    for _ in range(4):
        tempo.tap()
        now[0] += 0.5
    assert (tempo.source, tempo.bpm) == ("tap", 120.0)  # the operator's latest


def test_a_replayed_show_leaves_the_tempo_to_its_log():
    """The show file's bpm is not the replay's: the log's tempo entries are (none logged: no tempo)."""
    tempo, log = Tempo(), io.StringIO()
    Controller(parse_show(tempo_show(124), "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
               threading.Event(), lambda s: None, ControlLog(log, {}), tempo=tempo, replaying=True)
    assert tempo.bpm is None and log.getvalue().splitlines()[1:] == []


def test_a_show_without_a_bpm_starts_without_a_tempo():
    tempo = Tempo()
    Controller(parse_show(tempo_show(None), "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
               threading.Event(), lambda s: None, tempo=tempo)
    assert tempo.bpm is None


def test_an_edit_of_the_shows_bpm_sets_the_tempo_as_the_command_would():
    now = [100.0]
    tempo = Tempo(clock=lambda: now[0])
    ctl = Controller(parse_show(tempo_show(124), "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
                     threading.Event(), lambda s: None, tempo=tempo)
    ctl.handle_line("bpm 90", "stdin")
    assert ctl.replace_show(parse_show(tempo_show(124), "show.yaml")) == []  # not edited: the operator's stays
    assert tempo.bpm == 90.0
    assert ctl.replace_show(parse_show(tempo_show(128), "show.yaml")) == ["tempo 128 bpm"]
    assert (tempo.source, tempo.bpm) == ("bpm", 128.0)
    tempo.set_bpm(140, "midi clock", (now[0], 0.0))
    assert ctl.replace_show(parse_show(tempo_show(100), "show.yaml")) == [
        "tempo 100 bpm (the midi clock leads while it runs)"]
    assert ctl.replace_show(parse_show(tempo_show(None), "show.yaml")) == []  # taken out: the tempo stays


def test_the_status_cuts_a_long_prompt_with_an_ellipsis(tmp_path):
    """A prompt past 80 characters was cut there without a mark, as if it ended mid-word ("…on the asph |")."""
    ctl, _, _, _ = defaults_rig(tmp_path)
    ctl.handle_line("prompt " + "rain on the asphalt " * 6, "stdin")
    where = ctl.describe().split(" | ")[0]
    assert where.endswith("…") and len(where) == len("prompt ") + 80, where
    ctl.handle_line("prompt a red cat", "stdin")
    assert ctl.describe().startswith("prompt a red cat |")
    # an accent typed as a mark after its letter (as macOS writes é in file names) is not cut off its letter, nor
    # an emoji's variation selector off the emoji: the status read cafe, and a black heart for a red one
    for held in ("e\u0301", "\u2764\ufe0f"):
        ctl.handle_line(f"prompt {'x' * 78}{held} over the moon", "stdin")
        assert ctl.describe().split(" | ")[0] == f"prompt {'x' * 78}…"


def test_the_blend_knob_in_a_show_of_one_preset_says_it_needs_two_and_changes_nothing():
    one = "presets:\n  - {name: city, prompt: a neon city at night}\n"
    producer = RecordingProducer()
    ctl = Controller(parse_show(one, "show.yaml"), ShowState(prompts={"a neon city at night": 1.0}, preset=0),
                     producer, threading.Event(), lambda text: None)
    assert ctl.set_param("blend", 0.5, "midi") == "error: blend needs a show with at least two presets"
    assert producer.actions == [] and ctl.state.blend is None


# --- found unchecked by mutating controller.py: each test fails where the behaviour it names is changed ---------

def _bare(show_text: str = SHOW, **state) -> tuple[Controller, RecordingProducer]:
    show = parse_show(show_text, "show.yaml")
    producer = RecordingProducer()
    ctl = Controller(show, ShowState(**{"prompts": {"x": 1.0}, **state}), producer, threading.Event(), lambda s: None)
    return ctl, producer


def test_next_and_prev_after_a_typed_prompt_both_start_the_presets_from_the_first():
    ctl, _ = _bare()
    for command in ("next", "prev"):
        ctl.handle_line("prompt a red door", "stdin")
        assert ctl.handle_line(command, "stdin").startswith("preset 1 'city'")


def test_a_blend_half_way_counts_as_its_second_preset_for_next():
    ctl, _ = _bare()
    ctl.handle_line("blend 1 2 0.5", "stdin")
    assert ctl.state.preset == 1
    assert ctl.handle_line("next", "stdin").startswith("preset 3 'forest'")


def test_a_blend_mixes_a_presets_weighted_prompts_by_their_share_of_its_half():
    weighted = ("presets:\n  - name: a\n    prompts: [{text: sun, weight: 3}, {text: rain, weight: 1}]\n"
                "  - {name: b, prompt: snow}\n")
    ctl, producer = _bare(weighted)
    ctl.handle_line("blend a b 0.5", "stdin")
    assert producer.actions[-1].prompts == pytest.approx({"sun": 0.375, "rain": 0.125, "snow": 0.5})


def test_a_preset_switch_leaves_out_a_bias_already_on_air_and_bias_1_is_said_off():
    ctl, _ = _bare("presets:\n  - {name: a, prompt: one, bias: 0.4}\n  - {name: b, prompt: two}\n", bias=0.4)
    assert ctl.handle_line("preset a", "stdin") == "preset 1 'a' (over 4 blocks)"
    assert ctl.handle_line("bias 1", "stdin").endswith(" (off)")


def test_a_first_tempo_set_under_a_bar_quantize_is_no_change_asked_on_the_beat():
    """`bpm` and `tap` act at once whatever the show's quantize: the first `bpm 120` of a show quantised to the bar
    must not be answered as a change on the beat with no tempo to land on."""
    said = []
    show = parse_show("presets:\n  - {name: a, prompt: one}\ndefaults: {quantize: bar}\n", "show.yaml")
    ctl = Controller(show, ShowState(prompts={"one": 1.0}, preset=0), RecordingProducer(), threading.Event(),
                     said.append, tempo=Tempo())
    assert ctl.handle_line("bpm 120", "stdin") == "tempo 120 bpm"
    assert said == []


def test_a_preset_without_a_fallback_of_its_own_puts_the_shows_default_one_in_place(tmp_path):
    import cv2
    import numpy as np

    for name in ("stall.png", "waves.png"):
        cv2.imwrite(str(tmp_path / name), np.zeros((8, 8, 3), np.uint8))
    show = parse_show(DEFAULTS_SHOW.replace("transition: 4}", "transition: 4, fallback: stall.png}")
                      .replace("prompt: ocean waves}", "prompt: ocean waves, fallback: waves.png}"),
                      str(tmp_path / "show.yaml"))
    fallbacks = []
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None, on_fallback=fallbacks.append)
    ctl.handle_line("preset b", "stdin")
    ctl.handle_line("preset a", "stdin")
    assert fallbacks == [str(tmp_path / "waves.png"), str(tmp_path / "stall.png")]


def test_a_presets_input_gone_since_the_show_was_read_says_to_put_it_back(on_air):
    """A preset's clip deleted on air was said with the fix for a path given wrong: "a --in file: path is relative
    to the folder vcam was started in", naming a flag that was not given, for a path the show file had right."""
    from vcam.live.inputs import check_input

    ctl, _, _, tmp_path = on_air
    ctl.check_input = check_input
    (tmp_path / "walk.mp4").unlink()
    reply = ctl.handle_line("preset walk", "stdin")
    assert f"its input is not used: video file {tmp_path / 'walk.mp4'}: no such file (it was there as the show file " \
           "was read: put it back, or name another file: in the show file)" in reply
    assert "--in" not in reply
    # a typed input keeps its own fix: the path as typed
    assert "check the path" in ctl.handle_line(f"input file:{tmp_path / 'walk.mp4'}", "stdin")


def test_an_input_put_on_at_strength_1_is_said_to_show_nothing_until_the_strength_is_lowered(on_air):
    """At strength 1 a block is text only: an input put on then was said on air and left the picture as it was."""
    ctl, _, _, _ = on_air
    ctl.handle_line("strength 1", "stdin")
    reply = ctl.handle_line("input camera:2", "stdin")
    assert reply == ("input camera:2 from the next block; strength 1 is text only: lower it (strength 0.6) to "
                     "restyle the input")
    assert ctl.handle_line("strength 0.5", "stdin") == "strength 0.5 from the next block"
    assert ctl.handle_line("input camera:3", "stdin") == "input camera:3 from the next block"


def test_a_cue_that_puts_an_input_on_and_lowers_the_strength_itself_is_not_told_to_lower_it():
    """`do: [input camera, strength 0.5]` at strength 1 was answered "lower it (strength 0.6)" beside its own
    "strength 0.5"; a cue that leaves the strength at 1 still hears it."""
    from vcam.control.cues import CueList

    show = parse_show("""\
presets:
  - {name: loud, prompt: text only, strength: 1}
  - {name: cam, prompt: the camera, input: camera}
cues:
  - {name: bring in, do: ["input camera", "strength 0.5"]}
  - {name: two, do: ["preset cam", "strength 0.5"]}
  - {name: three, do: ["input camera"]}
""", "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}, input="none", strength=1.0),
                     RecordingProducer(blocks=4, tell_at_once=True), threading.Event(), lambda s: None)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    for cue in range(2):
        reply = ctl.handle_line("go", "stdin")
        assert "lower it" not in reply and "strength 0.5" in reply, reply
        ctl.handle_line("input none", "stdin"), ctl.handle_line("strength 1", "stdin")
    assert "strength 1 is text only: lower it (strength 0.6)" in ctl.handle_line("go", "stdin")


def test_a_preset_that_puts_an_input_on_at_strength_1_says_it_shows_nothing_until_lowered(tmp_path):
    (tmp_path / "walk.mp4").write_bytes(b"")
    show = parse_show("""\
presets:
  - {name: loud, prompt: text only, input: none, strength: 1}
  - {name: cam, prompt: the camera, input: camera}
  - {name: soft, prompt: the camera softly, input: camera, strength: 0.5}
  - {name: under, prompt: the clip under the text, input: "file:walk.mp4", strength: 1}
""", str(tmp_path / "show.yaml"))
    state = ShowState(prompts=show.presets[0].prompts, preset=0, input="none", strength=1.0)
    ctl = Controller(show, state, RecordingProducer(blocks=4, tell_at_once=True), threading.Event(),
                     lambda s: None, ControlLog(io.StringIO(), {}))
    assert ctl.handle_line("preset cam", "stdin") == ("preset 2 'cam' (over 4 blocks), input camera; strength 1 is "
                                                      "text only: lower it (strength 0.6) to restyle the input")
    assert ctl.handle_line("preset loud", "stdin") == "preset 1 'loud' (over 4 blocks), text only"
    assert ctl.handle_line("preset soft", "stdin") == "preset 3 'soft' (over 4 blocks), input camera, strength 0.5"
    walk = tmp_path / "walk.mp4"
    reply = ctl.handle_line("preset under", "stdin")
    assert reply == f"preset 4 'under' (over 4 blocks), input file:{walk}, strength 1"


@pytest.mark.parametrize("line, now", [
    ("seed", "seed 5 now"), ("steps", "steps 4 now"), ("quantize", "quantize off now"),
    ("bpm", "tempo now 90.0 bpm beat 1 bar 1 (bpm)")])
def test_a_setting_typed_alone_says_its_value_now(tmp_path, line, now):
    """`seed` or `bpm` alone, asked as "what is it now?", was answered with the usage only (the status line says
    neither the seed nor the steps), then as an error with the value last: a question, answered value first."""
    show = parse_show(DEFAULTS_SHOW, str(tmp_path / "show.yaml"))
    tempo = Tempo(clock=lambda: 0.0)
    tempo.set_bpm(90.0, "bpm")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0, seed=5), RecordingProducer(),
                     threading.Event(), lambda s: None, tempo=tempo)
    assert ctl.handle_line(line, "stdin") == f"{now}; usage: {usage(line)}"
    # an OSC control that sends no value is set up wrong: its sender's error, as before
    assert ctl.handle_line(line, "osc", network=True) == f"error: {line} needs an argument; usage: {usage(line)}"


def test_a_blend_names_its_presets_in_quotes_as_the_status_names_a_preset():
    """`blend “Dancers” / neon city at 0.50`: a name in typographic quotes of its own read as one vcam quoted, beside
    one it had not, and a name holding ` / ` ran into the other; a preset and a cue are said in quotes."""
    show = parse_show('presets:\n  - {name: "“Dancers”", prompt: a}\n  - {name: "neon / city", prompt: b}\n',
                      "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    said = ctl.handle_line("blend 1 2 0.5", "stdin")
    assert said.startswith("blend '“Dancers”' / 'neon / city' at 0.50"), said
    assert ctl.describe().startswith("blend '“Dancers”' / 'neon / city' at 0.50 | ")


def test_a_preset_or_cue_run_together_with_another_command_is_answered_with_how_to_give_them():
    """`preset 2, seed 5` was told there is no preset named '2, seed 5'; a line offered names a preset and a cue of
    the show. A line starting with go is a cue's name to its end: `go next` was offered as go, then next (a cue
    fired and a move), `go drop back` as go drop, then back."""
    show = parse_show(SHOW + "cues:\n  - {name: drop, do: preset 2}\n  - {name: 'hold, freeze', do: preset 1}\n",
                      "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    from vcam.control.cues import CueList

    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    assert ctl.handle_line("preset 2, seed 5", "stdin") == \
        "error: one command a line: type preset 2, then seed 5, each on a line of its own"
    assert ctl.handle_line("seed 5, go drop", "stdin") == \
        "error: one command a line: type seed 5, then go drop, each on a line of its own"
    assert ctl.state.preset == 0 and ctl.state.seed != 5
    for line in ("preset 9, next", "preset sunset next", "go sunset; next", "seed 5, preset sunset", "seed 5, go",
                 "seed 5, input clip.mp4"):  # offered, one would be refused, or may be
        assert "one command" not in ctl.handle_line(line, "stdin"), line
    for line in ("go next", "go back", "go drop back", "go drop; next"):
        assert ctl.handle_line(line, "stdin") == (
            f"error: no cue named {line[3:]!r}; the cues: 1 'drop', 2 'hold, freeze'; go alone fires the next (cue 1)")
    assert not ctl.handle_line("go hold, freeze", "stdin").startswith("error")  # a cue whose name holds it


def test_commands_run_together_are_offered_apart_only_where_the_show_takes_each():
    """With no show, `seed 5, next` was offered as seed 5, then next (next alone: no show loaded), and `seed 5, go`
    with no cue list; a line of many commands was said back whole (6,000 characters for `help help …`)."""
    ctl = Controller(None, ShowState(prompts={"a": 1.0}), RecordingProducer(), threading.Event(), lambda s: None)
    assert ctl.handle_line("next", "stdin").startswith("error: no show loaded")
    for line in ("seed 5, next", "seed 5, go", "seed 5, preset 1", "seed 5 prev", "seed 5, tap"):
        assert "one command" not in ctl.handle_line(line, "stdin"), line
    assert ctl.handle_line("seed 5, steps 3", "stdin") == \
        "error: one command a line: type seed 5, then steps 3, each on a line of its own"
    for line in ("help " * 800, "freeze " * 800, "seed 5, " * 500):
        said = ctl.handle_line(line, "stdin")
        assert "one command" not in said and len(said) < 400, said[:200]


@pytest.mark.parametrize("source", ["stdin", "net 10.0.0.2:5000"])
def test_preset_and_a_preset_named_as_a_command_is_offered_the_blend_of_the_two(source):
    """`preset city & next`, of a show with a preset named next, was told to type preset city, then next: both
    words are presets, so the blend the refusal offers is meant. A command that is no preset stays two lines."""
    show = parse_show("presets:\n  - {name: city, prompt: a}\n  - {name: next, prompt: b}\n", "show.yaml")
    ctl = Controller(show, ShowState(prompts={"a": 1.0}), RecordingProducer(), threading.Event(), lambda s: None)
    said = ctl.handle_line("preset city & next", source, network=source != "stdin")
    assert "did you mean blend city next 0.5?" in said and "one command" not in said, said
    assert ctl.handle_line("blend city next 0.5", source, network=source != "stdin").startswith("blend"), said
    assert "one command" in ctl.handle_line("preset city & freeze", source, network=source != "stdin")


@pytest.mark.parametrize("line", ["next; freeze", "next;freeze", "ｎｅｘｔ； ｆｒｅｅｚｅ"])
def test_commands_joined_by_a_mark_after_the_first_ones_name_are_said_as_two_where_not_offered(line):
    """With no show to step through, `next; freeze` was an unknown command 'next;' (did you mean next?), as if the
    semicolon were a typo, where no mark joins two commands."""
    ctl = Controller(None, ShowState(prompts={"a": 1.0}), RecordingProducer(), threading.Event(), lambda s: None)
    assert ctl.handle_line(line, "stdin") == \
        "error: one command at a time: next and freeze are 2 commands, each typed on its own"
    assert ctl.handle_line("nxt; freeze", "stdin").startswith("error: unknown command 'nxt;'")  # not both commands


@pytest.mark.parametrize("at_vcam_cam", [False, True])
def test_a_midi_control_s_line_is_answered_as_a_control_s_not_as_a_typed_one(at_vcam_cam):
    """At vcam cam, a line from a MIDI control was read as typed at its console: `seed 5, steps 3` was told "type
    seed 5, then steps 3", and `seed` alone answered as a question ("seed 124 now")."""
    from vcam.remote.controller import RemoteController

    if at_vcam_cam:
        ctl = RemoteController(lambda line: True)
        ctl.update({"seed": 124, "presets": ["city", "ocean"]})
    else:
        ctl, _ = city_on_air()
    assert ctl.handle_line("seed 5, steps 3", "midi") == (
        "error: a control sends one command: seed 5 and steps 3 are 2 commands; for several, add a cue to the show's "
        "cues:, {name: seed 5 and steps 3, do: [seed 5, steps 3]}, and write command: go seed 5 and steps 3 (GO goes "
        "on from it)")
    assert ctl.handle_line("seed", "midi").startswith("error: seed needs an argument")
    assert ctl.handle_line("seed", "stdin").startswith("seed ") and "now" in ctl.handle_line("seed", "stdin")
    assert ctl.handle_line("seed 5, steps 3", "stdin") == \
        "error: one command a line: type seed 5, then steps 3, each on a line of its own"


def test_commands_run_together_from_afar_are_answered_as_their_sender_gives_them():
    """A line typed at vcam cam reaches the server from the network: it was told of a show file's do:, as an OSC
    sender's was, where a person typed it; neither is told of a file."""
    from vcam.remote.answers import command_source

    ctl, _ = city_on_air()
    assert ctl.handle_line("preset 2, seed 5", command_source("cam", typed=True), network=True) == \
        "error: one command a line: type preset 2, then seed 5, each on a line of its own"
    for source in ("osc", command_source("cam", typed=False)):
        for line in ("preset 2, seed 5", "seed 5, steps 3"):
            said = ctl.handle_line(line, source, network=True)
            both = line.replace(", ", " and ")
            assert said == f"error: one command each: {both} are 2 commands, each sent on its own"
    assert "one command" not in ctl.handle_line("seed 5, quit", "net cam stdin", network=True)


@pytest.mark.parametrize("files, named, example", [
    (["b.png", "a.mp4"], None, "input file:a.mp4 (in the folder vcam was started in)"),
    (["my logo.png", "notes.txt"], None, "input 'image:my logo.png' (in the folder vcam was started in)"),
    (["notes.txt"], None, "input camera"),
    (["a.mp4", "art/logo.png"], "image:art/logo.png", "input image:art/logo.png")])
def test_input_typed_alone_says_what_an_input_is_with_one_to_type(tmp_path, monkeypatch, files, named, example):
    """`input` alone was answered with its forms only: what it is for, and a line to type with a file the show
    names (the operator's own), else one in the folder typed paths are read from."""
    import cv2
    import numpy as np

    for name in files:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
        if name.endswith(".png"):
            assert cv2.imwrite(str(tmp_path / name), np.zeros((8, 8, 3), np.uint8))
    monkeypatch.chdir(tmp_path)
    text = "presets:\n  - {name: city, prompt: a city" + (f", input: '{named}'" if named else "") + "}\n"
    show = parse_show(text, str(tmp_path / "show.yaml")) if named else None
    ctl = Controller(show, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(),
                     lambda s: None)
    assert ctl.handle_line("input", "stdin") == (
        f"error: input needs an argument; usage: {usage('input')}; an input is the video the prompt restyles (a "
        f"camera, a clip, a picture; input none: text only), e.g. {example}")
    # to the network no file of this machine is named
    assert ctl.handle_line("input", "osc", network=True) == f"error: input needs an argument; usage: {usage('input')}"


def test_input_typed_alone_offers_no_empty_file_of_the_working_folder(tmp_path, monkeypatch):
    """`input` alone offered `input image:empty.png`, a 0-byte file (a download not finished) that the line offered,
    typed, is refused as empty: the next picture is offered."""
    import cv2
    import numpy as np

    (tmp_path / "a.png").write_bytes(b"")
    assert cv2.imwrite(str(tmp_path / "b.png"), np.zeros((8, 8, 3), np.uint8))
    monkeypatch.chdir(tmp_path)
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None)
    assert ctl.handle_line("input", "stdin").endswith("e.g. input image:b.png (in the folder vcam was started in)")


def test_input_typed_alone_offers_no_empty_file_the_show_names(tmp_path, monkeypatch):
    """A show's own input, a picture emptied since the show was read (an export under way writes it anew), was
    offered as the line to type, which typed is refused as empty: the working folder's picture is offered."""
    import cv2
    import numpy as np

    (tmp_path / "art").mkdir()
    for path in (tmp_path / "art" / "logo.png", tmp_path / "b.png"):
        assert cv2.imwrite(str(path), np.zeros((8, 8, 3), np.uint8))
    monkeypatch.chdir(tmp_path)
    show = parse_show("presets:\n  - {name: city, prompt: a city, input: 'image:art/logo.png'}\n",
                      str(tmp_path / "show.yaml"))
    (tmp_path / "art" / "logo.png").write_bytes(b"")
    ctl = Controller(show, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None)
    assert ctl.handle_line("input", "stdin").endswith("e.g. input image:b.png (in the folder vcam was started in)")


def test_a_camera_refused_to_a_vcam_cam_is_told_as_read_on_its_machine():
    """On a machine with no video device, `input camera` from a vcam cam was answered "the camera of the machine you
    watch from: here input net in vcam serve (vcam run takes none: …), and there vcam cam ws://… --send camera",
    read on the laptop with here and there the wrong way round, and a restart of the server offered."""
    from vcam.errors import VcamError
    from vcam.live.inputs.camera import NONE_HERE

    def check_input(spec):
        raise VcamError("no capture device /dev/video0", NONE_HERE)

    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     check_input=check_input)
    sent = ctl.handle_line("input camera", "net bob", network=True)
    assert sent.endswith("or the camera of the machine you watch from: restart vcam cam with --send camera)"), sent
    assert "vcam serve" not in sent and "there" not in sent, sent
    typed = ctl.handle_line("input camera", "stdin")  # at the server's own console: here is the server
    assert "here input net in vcam serve" in typed and "and there vcam cam ws://… --send camera" in typed, typed


@pytest.mark.parametrize("network", [False, True])
def test_an_input_with_its_timing_run_into_the_path_says_to_set_it_apart(tmp_path, monkeypatch, network):
    """`input file:loop.mp4@bar` was said to name no file, with "check the path": the path was right, the timing
    read as part of it. The fix names no folder: a network sender hears none of this machine's."""
    from helpers import write_clip
    from vcam.control.media import MediaFolders
    from vcam.live.inputs import check_input

    write_clip(tmp_path / "loop.mp4", count=2)
    monkeypatch.chdir(tmp_path)
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     check_input=check_input, media=MediaFolders((str(tmp_path),)))
    reply = ctl.handle_line("input file:loop.mp4@bar", "stdin", network=network)
    assert reply.endswith("no such file (the file is there without '@bar': a timing is set apart by a space, as in "
                          "input file:PATH @bar)"), reply
    assert network is (str(tmp_path) not in reply)
    assert ctl.handle_line("input file:loop.mp4 @bar", "stdin", network=network).startswith("input file:")
    assert "check the path" in ctl.handle_line("input file:loop.mp4@barr", "stdin", network=network)


@pytest.mark.parametrize("network", [False, True])
@pytest.mark.parametrize("path", ["'loop.mp4'", '"loop.mp4"', "'don't.mp4’"])
def test_an_input_in_quotes_with_its_timing_run_into_them_says_to_set_it_apart(tmp_path, monkeypatch, network, path):
    """`input file:'don't.mp4’@bar` (one quote curled by a phone's keyboard) and `input file:'loop.mp4'@bar` were
    said to name no file, with "check the path", where `input file:loop.mp4@bar` is told to set its timing apart."""
    from helpers import write_clip
    from vcam.control.media import MediaFolders
    from vcam.live.inputs import check_input

    write_clip(tmp_path / path.strip("'\"’"), count=2)
    monkeypatch.chdir(tmp_path)
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     check_input=check_input, media=MediaFolders((str(tmp_path),)))
    reply = ctl.handle_line(f"input file:{path}@bar", "stdin", network=network)
    assert reply.endswith("no such file (the file is there without '@bar': a timing is set apart by a space, as in "
                          "input file:PATH @bar)"), reply
    assert "check the path" in ctl.handle_line(f"input file:{path}@barr", "stdin", network=network)


@pytest.mark.parametrize("line", ["input file:loop.mp4", 'input file:"loop.mp4"', "input image:pic.png @bar",
                                  "input file:loop.mp4@bar", "input file:'loop.mp4'@bar", "input loop.mp4"])
def test_a_network_line_looks_for_no_file_outside_the_shared_folders(tmp_path, monkeypatch, line):
    """An input line from the network had its path looked for in the folder vcam was started in, outside the
    folders the show shares, as it was read (each line's path, whatever the folder)."""
    from vcam.control.media import MediaFolders

    shared, work = tmp_path / "shared", tmp_path / "work"
    shared.mkdir(), work.mkdir()
    monkeypatch.chdir(work)
    looked: list[str] = []
    lexists = os.path.lexists
    monkeypatch.setattr(os.path, "lexists", lambda path: looked.append(os.path.abspath(path)) or lexists(path))
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     media=MediaFolders((str(shared),)))
    ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
    assert all(path.startswith(str(shared)) for path in looked), looked


@pytest.mark.parametrize("path", ["'logo.png'", '"logo.png"'])
def test_a_network_input_in_quotes_before_a_full_width_timing_is_taken_as_the_console_takes_it(tmp_path, monkeypatch,
                                                                                              path):
    """`input image:'logo.png' ＠ｂａｒ` from the network was refused as no such file, the quotes and the timing read
    as the path, where the console takes it on the bar. Looked for in the shared folder only, and told without
    the quotes, as the console tells it."""
    import cv2
    import numpy as np
    from vcam.control.media import MediaFolders
    from vcam.live.inputs import check_input

    shared, work = tmp_path / "shared", tmp_path / "work"
    shared.mkdir(), work.mkdir()
    assert cv2.imwrite(str(shared / "logo.png"), np.zeros((8, 8, 3), np.uint8))
    monkeypatch.chdir(work)
    looked: list[str] = []
    lexists = os.path.lexists
    monkeypatch.setattr(os.path, "lexists", lambda name: looked.append(os.path.abspath(name)) or lexists(name))
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     check_input=check_input, media=MediaFolders((str(shared),)))
    reply = ctl.handle_line(f"input image:{path} ＠ｂａｒ", "net 10.0.0.2:5000", network=True)
    assert reply.startswith("input image:logo.png;") and "not on the bar" in reply, reply
    assert all(name.startswith(str(shared)) for name in looked), looked


@pytest.mark.parametrize("path", ["'{outside}/secret.png'", "'../work/secret.png'", "'{outside}/link.png'",
                                  "'../work/link.png'", "'it\\'s.png'"])
def test_a_network_input_in_quotes_before_a_full_width_timing_looks_at_nothing_outside_the_share(tmp_path, monkeypatch,
                                                                                                 path):
    """`input image:'/etc/passwd' ＠ｂａｒ` from the network resolved the path without its quotes wherever it lay,
    looking at the disk outside the shared folder, and took a link outside it pointing in. `'it\\'s.png'`, which the
    console reads with its backslash (no such file), was taken as it's.png: refused too, as the console refuses it."""
    import cv2
    import numpy as np
    from vcam.control.media import MediaFolders
    from vcam.live.inputs import check_input

    shared, work = tmp_path / "shared", tmp_path / "work"
    shared.mkdir(), work.mkdir()
    for name in ("logo.png", "it's.png"):
        assert cv2.imwrite(str(shared / name), np.zeros((8, 8, 3), np.uint8))
    assert cv2.imwrite(str(work / "secret.png"), np.zeros((8, 8, 3), np.uint8))
    (work / "link.png").symlink_to(shared / "logo.png")
    monkeypatch.chdir(work)
    looked: list[str] = []
    watching = [True]

    def watch(module, name):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda p, *a, **k: (watching[0] and looked.append(os.path.abspath(p)))
                            or real(p, *a, **k))

    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     check_input=check_input, media=MediaFolders((str(shared),)))
    for module, name in ((os.path, "lexists"), (os.path, "realpath"), (os, "lstat"), (os, "stat")):
        watch(module, name)
    reply = ctl.handle_line(f"input image:{path.format(outside=work)} ＠ｂａｒ", "net 10.0.0.2:5000", network=True)
    watching[0] = False
    assert "no such file" in reply or "names files only in the folders" in reply, reply
    # the folders above the share are walked to resolve any name within it: they are the operator's own
    assert all(name.startswith(str(shared)) or str(shared).startswith(name + os.sep) for name in looked), looked


def test_a_network_input_without_its_kind_naming_a_shared_file_with_the_timing_is_not_offered_it_apart(tmp_path,
                                                                                                       monkeypatch):
    """`input loop.mp4@bar` from the network, the shared folder holding a file named `loop.mp4@bar`, was offered
    input file:loop.mp4 @bar, a line opening another file on the bar. A file named so outside the shared folder
    changes nothing (the reply tells nothing of it), and the line offered is taken where none is shared."""
    from vcam.control.media import MediaFolders

    shared, work = tmp_path / "shared", tmp_path / "work"
    shared.mkdir(), work.mkdir()
    monkeypatch.chdir(work)
    (work / "loop.mp4@bar").write_bytes(b"")
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     media=MediaFolders((str(shared),)))
    offer = "did you mean input file:loop.mp4 @bar?"
    assert ctl.handle_line("input loop.mp4@bar", "net 10.0.0.2:5000", network=True).endswith(offer)
    assert not ctl.handle_line(offer[13:-1], "net 10.0.0.2:5000", network=True).startswith("error")
    # `file:loop.mp4＠ｂａｒ` opens the file `loop.mp4@bar` (its ASCII fold), as `file:loop.mp4@bar` does
    for name, lines in (("loop.mp4@bar", ("input loop.mp4@bar", "input loop.mp4＠ｂａｒ")),
                        ("loop.mp4＠ｂａｒ", ("input loop.mp4＠ｂａｒ",))):
        (shared / name).write_bytes(b"")
        for line in lines:
            assert "set apart" not in ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
        (shared / name).unlink()


@pytest.mark.parametrize("path", ["'../work/loop.mp4'", "\"../work/loop.mp4\""])
def test_a_network_input_in_quotes_glued_to_its_timing_looks_for_no_file_outside_the_shared_folder(tmp_path,
                                                                                                   monkeypatch, path):
    """`input file:'../work/loop.mp4'@bar` from the network, the quotes taken off, looked for the file beside the
    shared folder and answered "the file is there without '@bar'": its sender learned which files exist outside."""
    from helpers import write_clip
    from vcam.control.media import MediaFolders
    from vcam.live.inputs import check_input

    shared, work = tmp_path / "shared", tmp_path / "work"
    shared.mkdir()
    work.mkdir()
    monkeypatch.chdir(shared)
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(), lambda s: None,
                     check_input=check_input, media=MediaFolders((str(shared),)))
    line = f"input file:{path}@bar"
    unknown = ctl.handle_line(line, "net 10.0.0.2:5000", network=True)
    write_clip(work / "loop.mp4", count=2)
    assert ctl.handle_line(line, "net 10.0.0.2:5000", network=True) == unknown
    assert "without '@bar'" not in unknown
    assert "without '@bar'" in ctl.handle_line(line, "stdin")  # the console names any file


def test_input_typed_alone_gives_a_file_on_another_drive_by_its_whole_path(tmp_path, monkeypatch):
    """A show's clip on another drive than the working folder (Windows: D: from C:) has no path relative to it:
    `input` alone failed with the ValueError os.path.relpath raises there."""
    import cv2
    import numpy as np

    logo = tmp_path / "logo.png"
    assert cv2.imwrite(str(logo), np.zeros((8, 8, 3), np.uint8))
    text = f"presets:\n  - {{name: city, prompt: a city, input: 'image:{logo}'}}\n"
    show = parse_show(text, str(tmp_path / "s.yaml"))

    def across_drives(path, start=None):
        raise ValueError("path is on mount 'D:', start on mount 'C:'")

    monkeypatch.setattr(os.path, "relpath", across_drives)
    ctl = Controller(show, ShowState(prompts={"a city": 1.0}), RecordingProducer(), threading.Event(),
                     lambda s: None)
    assert ctl.handle_line("input", "stdin").endswith(f"e.g. input image:{logo}")


def test_a_preset_s_name_typed_without_preset_is_answered_with_the_line_that_sets_it():
    """`ocean`, a preset's name typed alone, was an unknown command with no hint, and `Forest @bar` offered
    nothing either: the operator is told the preset line, and nothing goes on air."""
    ctl, producer = city_on_air()
    before = len(producer.actions)
    assert ctl.handle_line("ocean", "stdin") == \
        "error: 'ocean' is a preset, not a command: did you mean preset ocean?"
    assert ctl.handle_line("Forest @bar", "stdin") == \
        "error: 'Forest' is a preset, not a command: did you mean preset Forest @bar?"
    assert "preset" not in ctl.handle_line("2", "stdin")  # a number alone may be anything
    assert "is a preset" not in ctl.handle_line("desert", "stdin")
    assert len(producer.actions) == before


def test_a_preset_s_name_typed_alone_at_vcam_cam_is_answered_with_the_line_that_sets_it():
    """At vcam cam, `ocean` typed alone was an unknown command, as it was at the server's console; nothing is sent."""
    from vcam.remote.controller import RemoteController

    sent: list[str] = []
    ctl = RemoteController(lambda line: sent.append(line) or True)
    assert "is a preset" not in ctl.handle_line("ocean", "stdin")  # no presets heard of yet
    ctl.update({"presets": ["city", "ocean"]})
    assert ctl.handle_line("Ocean @bar", "stdin") == \
        "error: 'Ocean' is a preset, not a command: did you mean preset Ocean @bar?"
    assert sent == []


def _on_its_first_preset(show_text: str) -> tuple[Controller, RecordingProducer]:
    """A controller of `show_text` on its first preset, its cue list loaded."""
    from vcam.control.cues import CueList

    show = parse_show(show_text, "show.yaml")
    producer = RecordingProducer()
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), producer, threading.Event(),
                     lambda s: None)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    return ctl, producer


def test_a_cue_s_name_typed_without_go_is_answered_with_the_line_that_fires_it():
    """`drop`, a cue's name typed alone, was offered prompt (its nearest command), and `walk` nothing; a name both
    a preset's and a cue's is offered both lines. Nothing goes on air."""
    ctl, producer = _on_its_first_preset(SHOW + "cues:\n  - {name: drop, do: preset 2}\n"
                                               "  - {name: ocean, do: preset 2}\n")
    before = len(producer.actions)
    assert ctl.handle_line("Drop @bar", "stdin") == \
        "error: 'Drop' is a cue, not a command: did you mean go Drop @bar?"
    assert ctl.handle_line("ocean", "stdin") == \
        "error: 'ocean' is a preset and a cue, not a command: did you mean preset ocean or go ocean?"
    assert "is a" not in ctl.handle_line("@ 1", "stdin")  # read as go @1, a go with no cue named
    assert len(producer.actions) == before and ctl.cues.position == 0


def test_a_cue_or_preset_named_by_a_command_doubled_is_offered_before_the_slip():
    """A cue named `next next` and a preset `tap tap` were never offered: the line was answered as the command typed
    twice. At vcam cam, from the presets the server said, the same."""
    from vcam.remote.controller import RemoteController

    ctl, producer = _on_its_first_preset(SHOW.replace("presets:\n", "presets:\n  - {name: tap tap, prompt: drums}\n", 1)
                                         + "cues:\n  - {name: next next, do: preset 2}\n")
    before = len(producer.actions)
    assert ctl.handle_line("next next", "stdin") == \
        "error: 'next next' is a cue, not a command: did you mean go next next?"
    assert ctl.handle_line("tap tap", "stdin") == \
        "error: 'tap tap' is a preset, not a command: did you mean preset tap tap?"
    assert ctl.handle_line("freeze freeze", "stdin") == "error: freeze typed twice: once does it, type freeze"
    assert len(producer.actions) == before and ctl.cues.position == 0
    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    remote.update({"presets": ["city", "tap tap"]})
    assert remote.handle_line("tap tap", "stdin") == \
        "error: 'tap tap' is a preset, not a command: did you mean preset tap tap?"
    assert "is a" not in remote.handle_line("next next", "stdin")  # its cues are not said
    assert sent == []


@pytest.mark.parametrize("line", ["ｏｃｅａｎ", "ocean.", "ocean?", "ocean。", "ocean!"])
def test_a_preset_s_name_typed_in_full_width_or_with_a_sentence_s_mark_is_offered(line):
    """`ｏｃｅａｎ` alone, or `ocean?`, was an unknown command with no hint, though `ocean` is offered its preset."""
    show = parse_show(SHOW, "show.yaml")
    producer = RecordingProducer()
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), producer, threading.Event(),
                     lambda s: None)
    before = len(producer.actions)
    said = "ｏｃｅａｎ" if line.startswith("ｏ") else "ocean"  # quoted as typed, a sentence's mark left off
    assert ctl.handle_line(line, "stdin") == f"error: '{said}' is a preset, not a command: did you mean preset ocean?"
    assert len(producer.actions) == before


@pytest.mark.parametrize("line, said, meant", [("‘ocean’", "'ocean'", "preset ocean"),
                                               ("'ocean'", "'ocean'", "preset ocean"),
                                               ('"ocean"', "'ocean'", "preset ocean"),
                                               ("‘ｏｃｅａｎ’", "'ｏｃｅａｎ'", "preset ocean"),
                                               ("“misty forest” ＠ｂａｒ", "'misty forest'", "preset misty forest @bar"),
                                               ("ｄｒｏｐ ＠ｂａｒ", "'ｄｒｏｐ'", "go drop @bar"),
                                               ("blend city ocean ‘x’", "'x'", None),
                                               ("blend city ocean 'x'", "'x'", None),
                                               ("blend city ocean ‘x y’", "'x y'", None),
                                               ("blend city ocean ‘ｘ’", "'ｘ'", None),
                                               ("blend city ocean “half”", "'half'", None)])
def test_a_refusal_quotes_the_line_as_typed_and_offers_the_line_to_type(line, said, meant):
    """`ｄｒｏｐ ＠ｂａｒ` was told "'drop' is a cue", `blend city ocean ‘ｘ’` "not 'x'": words the operator did not
    type and cannot find on the line; `'ocean'` "\"'ocean'\" is a preset", quotes within quotes. A refusal quotes a
    word a full-width fold changed as typed, the line's own quotes, straight or curled, off, from the console, the
    network and vcam cam alike; the line offered is still the one to type, which plays."""
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda sent: True)
    remote.state.presets = ["city", "ocean", "misty forest"]
    for source, network in _SOURCES:
        ctl = _cued()
        reply = ctl.handle_line(line, source, network=network)
        assert reply.startswith("error: ") and f" {said}" in reply, reply
        if meant is not None:
            assert f"did you mean {meant}?" in reply, reply
            assert not ctl.handle_line(meant, source, network=network).startswith("error"), meant
    if not line.startswith("ｄ"):  # vcam cam is not told the server's cues
        assert f" {said}" in remote.handle_line(line, "stdin")


def test_a_command_in_quotes_is_that_command_where_a_preset_is_so_named():
    """`'freeze'` with a preset named freeze was offered preset freeze; typed where none is, it is offered freeze."""
    show = parse_show(SHOW.replace("presets:\n", "presets:\n  - {name: freeze, prompt: ice}\n", 1), "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    for line in ("'freeze'", "freeze?", "ｆｒｅｅｚｅ。", "＇ｆｒｅｅｚｅ＇"):
        said = ctl.handle_line(line, "stdin")
        assert "(did you mean freeze?)" in said and "preset" not in said


def test_a_prompt_sent_during_a_slow_check_of_a_presets_photo_ends_on_air():
    """A preset's photo is checked (decoded) before the preset goes on air; a prompt sent meanwhile from another
    source (MIDI, OSC, a cue) was taken first and then replaced by the preset's: the last one sent was not on air."""
    show = parse_show("presets:\n  - {name: a, prompt: a city}\n  - {name: b, prompt: a sea, input: 'camera:3'}\n",
                      "show.yaml")
    release, checked = threading.Event(), []

    def check_input(spec):
        checked.append(spec)
        release.wait(30)

    class Watched:  # the controller's lock, telling who waits for it
        def __init__(self, lock):
            self.lock, self.waiting = lock, []

        def __enter__(self):
            self.waiting.append(threading.current_thread().name)
            self.lock.acquire()

        def __exit__(self, *exc):
            self.lock.release()

    ctl = Controller(show, ShowState(prompts={"a city": 1.0}, preset=0), RecordingProducer(), threading.Event(),
                     lambda s: None, check_input=check_input)
    ctl._lock = watched = Watched(ctl._lock)
    pressed = threading.Thread(target=ctl.handle_line, args=("preset b", "midi"), name="preset")
    pressed.start()
    assert wait_for(lambda: checked, 30)
    typed = threading.Thread(target=ctl.handle_line, args=("prompt a desert", "stdin"), name="prompt")
    typed.start()
    try:  # the prompt is sent: taken at once, or waiting its turn
        assert wait_for(lambda: "prompt" in watched.waiting or not typed.is_alive(), 30)
    finally:
        release.set()
        pressed.join(60)
        typed.join(60)
    assert ctl.state.prompts == {"a desert": 1.0} and ctl.state.input == "camera:3", ctl.state


def test_a_command_sent_while_a_reload_opens_its_input_is_not_held_up_by_it():
    """A save that changed the input of the preset on air opened that input with the controller's lock held: a
    large photo or a clip on a slow disk held every typed command, fader and cue for as long."""
    show = parse_show("presets:\n  - {name: a, prompt: a city, input: 'camera:3'}\n", "show.yaml")
    typed, checked, took = threading.Event(), [], []

    def check_input(spec):
        checked.append(spec)
        took.append(typed.wait(10))  # on the old code the command waits for this check to end

    ctl = Controller(show, ShowState(prompts={"a city": 1.0}, preset=0, input="camera:3"), RecordingProducer(),
                     threading.Event(), lambda s: None, check_input=check_input)
    edited = parse_show("presets:\n  - {name: a, prompt: a city, input: 'camera:4'}\n", "show.yaml")
    saved = threading.Thread(target=ctl.replace_show, args=(edited,), name="reload")
    saved.start()
    try:
        assert wait_for(lambda: checked, 30)
        assert ctl.handle_line("seed 5", "stdin").startswith("seed 5")
    finally:
        typed.set()
        saved.join(60)
    assert took == [True] and checked == ["camera:4"], (took, checked)
    assert ctl.state.seed == 5 and ctl.state.input == "camera:4", ctl.state


def test_a_reloads_input_made_moot_by_a_command_meanwhile_is_let_go(tmp_path):
    """A save gave the preset on air a photo, opened before the reload took the lock; a command meanwhile went to
    another preset, so the reload sent no input: the photo it opened stayed open, kept for an open that never came."""
    import cv2
    import numpy as np

    from vcam.live.inputs.switch import InputSwitch

    photo = tmp_path / "x.png"
    cv2.imwrite(str(photo), np.zeros((30, 40, 3), np.uint8))
    switch = InputSwitch(32, 24)
    presets = "presets:\n  - {{name: a, prompt: a city{}}}\n  - {{name: b, prompt: a sea}}\n"
    ctl = None

    def check_input(spec):
        switch.check(spec)
        if threading.current_thread().name == "reload":  # as the photo is opened, before the reload's lock
            assert ctl.handle_line("preset 2", "stdin").startswith("preset 2")

    ctl = Controller(parse_show(presets.format(""), str(tmp_path / "show.yaml")),
                     ShowState(prompts={"a city": 1.0}, preset=0), RecordingProducer(), threading.Event(),
                     lambda s: None, check_input=check_input)
    ctl.discard_input = switch.discard
    edited = parse_show(presets.format(f", input: 'image:{photo}'"), str(tmp_path / "show.yaml"))
    saved = threading.Thread(target=ctl.replace_show, args=(edited,), name="reload")
    saved.start()
    saved.join(60)
    try:
        assert ctl.state.preset == 1 and ctl.state.input == "none", ctl.state
        assert switch._ready == []
    finally:
        switch.close()


def test_a_reload_that_fails_after_opening_its_input_lets_it_go():
    """A save gave the preset on air a photo, opened before the reload took the lock; the reload then failed as
    it put the edit on air (here the producer refusing it): the photo it opened stayed open in the input switch."""
    class Refusing(RecordingProducer):
        def submit(self, action, at_block=None, origin=None) -> None:
            raise RuntimeError("the producer stopped")

    presets = "presets:\n  - {{name: a, prompt: a city{}}}\n"
    checked, discarded = [], []
    ctl = Controller(parse_show(presets.format(""), "show.yaml"), ShowState(prompts={"a city": 1.0}, preset=0),
                     Refusing(), threading.Event(), lambda s: None, check_input=checked.append)
    ctl.discard_input = discarded.append
    with pytest.raises(RuntimeError, match="the producer stopped"):
        ctl.replace_show(parse_show(presets.format(", input: 'camera:3'"), "show.yaml"))
    assert checked == ["camera:3"] and discarded == ["camera:3"], (checked, discarded)


@pytest.mark.parametrize("line", ["preset 'misty forest’", "preset ‘misty forest'", 'preset "misty forest”'])
def test_a_preset_named_in_quotes_opened_one_way_and_closed_the_other_is_picked(line):
    """`preset 'misty forest’`, its closing quote curled by a phone's keyboard, was told no preset named
    "'misty forest’" (did you mean 'misty forest'?), where a blend's names in such quotes were read as a pair."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    assert ctl.handle_line(line, "stdin").startswith("preset 3 'misty forest'")
    assert ctl.handle_line(line, "net 10.0.0.2:5000", network=True).startswith("preset 3 'misty forest'")


@pytest.mark.parametrize("line,meant", [("preset 2 ＃ the drop", "preset 2"), ("input none ＃ dark", "input none")])
def test_a_full_width_hash_after_a_name_or_an_input_is_told_as_a_hash_is(line, meant):
    """`preset 2 ＃ the drop`, typed in an input method's full-width mode, was told no preset named '2 ＃ the drop'
    with no word of the comment, where `preset 2 # the drop` is told a # starts a comment only at a line's start."""
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
                     threading.Event(), print)
    said = ctl.handle_line(line, "stdin")
    assert said.startswith("error: ") and f"a # starts a comment only at the start of a line: did you mean {meant}?" \
        in said
    assert said.replace("＃", "#") == ctl.handle_line(line.replace("＃", "#"), "stdin")


@pytest.mark.parametrize("line", ["preset 'sunset @ beach’", "preset “sunset @ beach”", "preset ‘sunset @ beach'",
                                  "preset 'sunset @ beach’ @bar"])
def test_a_name_holding_an_at_in_a_mixed_or_curled_pair_of_quotes_is_the_preset(line):
    """`preset 'sunset @ beach’`, its closing quote curled by a phone's keyboard, read the @ as its timing (after @
    comes beat, bar…), where `preset 'sunset @ beach'` picked the preset."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: sunset @ beach"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    assert ctl.handle_line(line, "stdin").startswith("preset 3 'sunset @ beach'")
    assert ctl.handle_line(line, "net 10.0.0.2:5000", network=True).startswith("preset 3 'sunset @ beach'")


@pytest.mark.parametrize("line, meant", [("blend misty forest ocean 0.3", "blend 'misty forest' ocean 0.3"),
                                         ("blend ocean misty forest 0.3 @bar", "blend ocean 'misty forest' 0.3 @bar")])
def test_a_blend_of_a_name_with_spaces_unquoted_is_offered_the_line_with_the_show_s_names(line, meant):
    """`blend misty forest ocean 0.3` was told to put a name with spaces in quotes "as in blend "neon city" ocean
    0.5", where the show's names tell the words apart one way only."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        said = ctl.handle_line(line, source, network=network)
        assert said == f"error: blend takes two presets and a position: a name with spaces goes in quotes: did you " \
            f"mean {meant}?"
    assert ctl.handle_line(meant, "stdin").startswith("blend ")
    assert "neon city" in ctl.handle_line("blend misty forest ocean 1.5", "stdin")  # the line offered refused too


@pytest.mark.parametrize("words", [600, 3000])
def test_a_long_refused_blend_line_costs_look_ups_as_long_as_the_line_only(monkeypatch, words):
    """A refused blend line was tried cut after each of its words, each cut looked up whole: a 16 KB network line
    cost the controller seconds, its look-ups growing as the square of its words. A line of more words than two
    names hold (600, under the line limit) or over the limit (3000) is no blend mistyped."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    looked_up = []
    named = Show.named
    monkeypatch.setattr(Show, "named", lambda show, name: looked_up.append(len(name)) or named(show, name))
    line = "blend " + "misty " * words + "0.3"
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        assert "did you mean blend" not in ctl.handle_line(line, source, network=network)
    assert sum(looked_up) <= 4 * len(line)


@pytest.mark.parametrize("mark", ["＃", "#"])
def test_a_hash_after_a_name_of_two_words_is_told_as_after_a_number(mark):
    """`preset misty forest ＃ x` was told only "did you mean 'misty forest'?", the name before the comment being
    near the whole, where `preset 2 ＃ the drop` is told a # starts a comment only at a line's start."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        said = ctl.handle_line(f"preset misty forest {mark} x", source, network=network)
        assert said.startswith("error: ") and "a # starts a comment only at the start of a line: did you mean " \
            "preset misty forest?" in said


@pytest.mark.parametrize("line, meant", [('preset "misty forest" # x', 'preset "misty forest"'),
                                         ("preset 'misty forest’ ＃ x", "preset 'misty forest’"),
                                         ("go 'the drop’ ＃ x", "go 'the drop’"),
                                         ("go 'the drop' # x", "go 'the drop'")])
def test_a_hash_after_a_name_in_quotes_is_told_as_after_the_name_unquoted(line, meant):
    """`preset "misty forest" # x` and `go 'the drop’ ＃ x` were told only "did you mean 'misty forest'?" or nothing,
    the name in its quotes not looked up, where `preset misty forest ＃ x` is told a # starts a comment only at a
    line's start."""
    from vcam.control.cues import CueList

    cues = "cues:\n  - {name: the drop, do: [preset 1]}\n"
    show = parse_show(SHOW.replace("name: forest", "name: misty forest") + cues, "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        said = ctl.handle_line(line, source, network=network)
        assert said.startswith("error: ") and "a # starts a comment only at the start of a line: did you mean " \
            f"{meant}?" in said, said
        assert not ctl.handle_line(meant, source, network=network).startswith("error")


@pytest.mark.parametrize("line", ["preset 'quoted' # x", "preset 'quoted' ＃ x", "go 'quoted' # x", 'preset "dq" # x',
                                  "preset \"'quoted'\" # x", "go \"'quoted'\" ＃ x", "preset 'misty forest' # x"])
def test_a_hash_after_a_name_written_with_quotes_offers_only_lines_taken_when_typed_back(line):
    """A preset named `'quoted'`, its quotes its name's: `preset 'quoted' # x` was offered "did you mean preset
    'quoted'?", which `preset` reads as the name without them (no preset named 'quoted'): the name was looked up
    as written before as the command reads it. Every line offered now is taken when typed back."""
    import re

    from vcam.control.cues import CueList

    cues = "cues:\n  - {name: \"'quoted'\", do: [preset 1]}\n"
    extra = ("  - {name: \"'quoted'\", prompt: a}\n  - {name: '\"dq\"', prompt: b}\n"
             "  - {name: misty forest, prompt: c}\n")
    show = parse_show(SHOW.replace("presets:\n", "presets:\n" + extra) + cues, "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        said = ctl.handle_line(line, source, network=network)
        offers = re.findall(r"did you mean (.+?)\?(?:\)|;|$)", said)
        assert said.startswith("error: ") and (offers or '"dq"' in line), said  # `dq` is near no name: none offered
        for offer in offers:
            typed = offer if offer.startswith(line.split()[0]) else f"{line.split()[0]} {offer}"
            assert not ctl.handle_line(typed, source, network=network).startswith("error"), (said, typed)


@pytest.mark.parametrize("line, meant", [('preset "dq" # x', "preset '\"dq\"'"), ('preset "dq" ＃ x', "preset '\"dq\"'"),
                                         ('go "dq" # x', "go '\"dq\"'")])
def test_a_hash_after_a_name_holding_double_quotes_of_its_own_is_offered_the_line_that_picks_it(line, meant):
    """`preset "dq" # x`, of a preset named `"dq"` (its quotes its name's), was offered nothing: the name before the
    comment was only looked up as the command reads it, without its quotes."""
    from vcam.control.cues import CueList

    show = parse_show(SHOW.replace("presets:\n", "presets:\n  - {name: '\"dq\"', prompt: b}\n")
                      + "cues:\n  - {name: '\"dq\"', do: [preset 1]}\n", "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        said = ctl.handle_line(line, source, network=network)
        assert said.startswith("error: ") and f"did you mean {meant}?" in said, said
        assert not ctl.handle_line(meant, source, network=network).startswith("error")


@pytest.mark.parametrize("line, said", [
    ("preset drop", "no preset named 'drop': that is cue 2: did you mean go drop?"),
    ("preset Drop @bar", "no preset named 'Drop': that is cue 2: did you mean go drop @bar?"),
    ("go ocean", "no cue named 'ocean': that is preset 2: did you mean preset ocean?"),
    ("go 'Misty Forest' @off", "no cue named 'Misty Forest': that is preset 3: did you mean preset misty forest @off?"),
])
def test_a_cue_named_after_preset_or_a_preset_after_go_is_offered_the_line_that_plays_it(line, said):
    """`preset drop`, of a show whose cue is named drop, was told only that no preset is named so, and `go ocean`
    of its preset ocean that no cue is: each names the other kind, and the line that plays it is offered, taken when
    typed back from the console and the network alike, the list of what there is kept after it. A cue's own do: line
    is offered no go, which a cue cannot fire."""
    from vcam.control.cues import CueList

    show = parse_show(SHOW.replace("name: forest", "name: misty forest")
                      + "cues:\n  - {name: intro, do: [preset 1]}\n  - {name: drop, do: [preset 2]}\n", "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        listed = "; presets: city, ocean, misty forest" if line.startswith("preset") else \
            "; the cues: 1 'intro', 2 'drop'"
        assert ctl.handle_line(line, source, network=network).startswith(f"error: {said}{listed}")
        meant = said.rpartition("did you mean ")[2][:-1]
        assert not ctl.handle_line(meant, source, network=network).startswith("error"), meant
    if line.startswith("preset"):
        assert "did you mean" not in ctl.handle_line(line, "cue 1"), line
    assert "that is" not in ctl.handle_line("preset dorp", "stdin")  # a name near none of either: as before
    assert "that is" not in ctl.handle_line("go oceans", "stdin")


@pytest.mark.parametrize("line, meant", [("preset city, ocean", "blend city ocean 0.5"),
                                         ("preset 2 and 3", "blend 2 3 0.5"), ("preset city + 'misty forest'",
                                                                              "blend city 'misty forest' 0.5"),
                                         ("preset 2,3", "blend 2 3 0.5"), ("preset 2 or 3", None)])
def test_two_presets_typed_after_preset_with_a_word_between_are_offered_the_blend_of_them(line, meant):
    """`preset city, ocean` and `preset 2 and 3` were told only that no preset is named so, where `preset city
    ocean` is offered the blend of the two; `or` asks for one of them, and is offered none."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    said = ctl.handle_line(line, "stdin")
    assert said.startswith("error: no preset named"), said
    assert f"(preset picks one preset; to mix two: did you mean {meant}?)" in said if meant else "blend" not in said
    if meant:
        assert ctl.handle_line(meant, "stdin").startswith("blend"), meant


@pytest.mark.parametrize("line, meant", [("preset city ocean", "blend city ocean 0.5"),
                                         ("preset 2 3", "blend 2 3 0.5"),
                                         ("preset city 'misty forest'", "blend city 'misty forest' 0.5"),
                                         ("preset 2 2", None), ("preset city oceans", None), ("preset 1 9", None)])
def test_two_presets_typed_after_preset_are_offered_the_blend_of_them(line, meant):
    """`preset city ocean` and `preset 2 3` were told only that no preset is named so: preset picks one, and the
    line that mixes the two named is offered, taken when typed back, from the console and the network alike."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    for source, network in (("stdin", False), ("net 10.0.0.2:5000", True)):
        said = ctl.handle_line(line, source, network=network)
        assert said.startswith("error: no preset named"), said
        offer = f"(preset picks one preset; to mix two: did you mean {meant}?)"
        assert offer in said if meant else "blend" not in said, said
        if meant:
            assert ctl.handle_line(meant, source, network=network).startswith("blend"), meant


@pytest.mark.parametrize("line, meant", [("preset ocean@bar", "preset ocean @bar"),
                                         ("preset Ocean＠４", "preset Ocean @4"),
                                         ('preset "misty forest"@beat', "preset misty forest @beat"),
                                         ("preset ocean@home", None), ("preset oceans@bar", None)])
def test_a_preset_with_a_timing_glued_to_its_name_is_answered_with_the_line_meant(line, meant):
    """`preset ocean@bar`, typed in a hurry, was told no preset named 'ocean@bar' and the list: the timing was read
    as part of the name (a preset may be named with an @), where `preset 2@bar` is told to set its timing apart."""
    ctl = Controller(parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml"),
                     ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    said = ctl.handle_line(line, "stdin")
    assert said.startswith("error: no preset named")
    assert (f"(a timing is set apart by a space: did you mean {meant}?)" in said) if meant else "set apart" not in said
    if meant:
        assert ctl.handle_line(meant, "stdin").startswith("preset 2 'ocean'" if "cean" in meant else "preset 3")


def test_a_full_width_at_in_the_name_of_a_preset_so_named_is_answered_with_that_preset():
    """`preset ocean＠bar`, of a show with presets `ocean` and `ocean@bar`, was offered `preset ocean @bar`, another
    preset timed: the name typed in full-width mode names `ocean@bar`, which is offered as it was before."""
    text = SHOW.replace("  - {name: forest,", "  - {name: ocean@bar, prompt: ocean at night}\n  - {name: forest,")
    ctl = Controller(parse_show(text, "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
                     threading.Event(), print)
    said = ctl.handle_line("preset ocean＠bar", "stdin")
    assert "did you mean 'ocean@bar'?" in said and "set apart" not in said, said


def test_a_blend_on_air_is_named_on_the_status_line_with_both_presets_and_its_position(rig):
    """After `blend 1 2 0.5` the status line said "preset ocean": the blend looked like ocean alone on air."""
    from vcam.live.status import format_status

    ctl = rig[0]
    ctl.handle_line("blend 1 2 0.5", "stdin")
    assert " | blend 'city' / 'ocean' at 0.50 | " in format_status(None, 30.0, 0, 0.0, None, ctl.on_air_named(), "LIVE")
    ctl.handle_line("preset forest", "stdin")
    assert " | preset 'forest' | " in format_status(None, 30.0, 0, 0.0, None, ctl.on_air_named(), "LIVE")


def test_a_reload_between_reads_never_names_a_blend_that_was_not_on_air(rig):
    """The show and the blend were read apart, the blend outside the lock a reload sets both under: a reload that
    swapped city and ocean landed between the reads, and the status line named the blend 'ocean' / 'city'."""
    ctl = rig[0]
    ctl.handle_line("blend 1 2 0.5", "stdin")
    swapped = parse_show(SHOW.replace("  - {name: city, prompt: a neon city at night}\n", "").replace(
        "  - {name: forest", "  - {name: city, prompt: a neon city at night}\n  - {name: forest"), "show.yaml")
    assert [p.name for p in swapped.presets] == ["ocean", "city", "forest"]

    class ReloadOnRelease:
        """The controller's lock, with the reload done as it is first let go of: between any two reads apart."""

        def __init__(self, lock):
            self.lock, self.pending = lock, True

        def __enter__(self):
            self.lock.acquire()

        def __exit__(self, *exc):
            self.lock.release()
            if self.pending:
                self.pending = False
                ctl.replace_show(swapped)

    ctl._picks = ReloadOnRelease(ctl._picks)
    assert ctl.on_air_named() == ("city", "ocean", 0.5)  # as it was on air before the reload
    assert ctl.state.blend == (1, 0, 0.5) and ctl.on_air_named() == ("city", "ocean", 0.5)  # and after it


_CUED = SHOW.replace("name: forest", "name: misty forest") + (
    "cues:\n  - {name: intro, do: [preset 1]}\n  - {name: drop, do: [preset 2]}\n  - {name: verse, do: [preset 3]}\n"
    "  - {name: outro, do: [freeze]}\n  - {name: fifth, do: [live]}\n")


def _cued():
    from vcam.control.cues import CueList

    show = parse_show(_CUED, "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
    return ctl


_SOURCES = (("stdin", False), ("net 10.0.0.2:5000", True))


@pytest.mark.parametrize("line, meant, fires", [
    ("cue 5", "go 5", 5), ("cue 5 # x", "go 5", 5), ("cue 5 ＠ｂａｒ", "go 5 @bar", 5), ("cue drop", "go drop", 2),
    ("cue 2 @bar", "go 2 @bar", 2), ("fire drop", "go drop", 2), ("cue dorp", "go drop", 2), ("go cue 5", "go 5", 5),
    ("go cue 3 @bar", "go 3 @bar", 3), ("next cue", "go 1", 1),
    ("cue next", None, None), ("cue 99", None, None), ("go cue 99", None, None), ("fire at will", None, None),
])
def test_a_cue_asked_for_in_other_words_is_offered_the_go_that_fires_that_cue(line, meant, fires):
    """`cue 5` was offered go alone, which fires the NEXT cue, not cue 5, and `fire drop` freeze: the line offered now
    is the go of the cue named, only where the show has it, taken when typed back from the console and the network
    alike, and firing that cue; a cue no show has (`cue 99`, `cue next`) is offered no line. A cue's own do: line,
    which fires no cue, is offered none."""
    for source, network in _SOURCES:
        ctl = _cued()
        said = ctl.handle_line(line, source, network=network)
        assert said.startswith("error: ") and "did you mean go?" not in said, said
        if meant is None:
            assert "did you mean go" not in said, said
            continue
        assert f"did you mean {meant}?" in said, said
        assert ctl.handle_line(meant, source, network=network).startswith(f"cue {fires}/5"), meant
    assert "did you mean go" not in _cued().handle_line(line, "cue 1")


def test_a_cue_whose_name_ends_in_a_question_mark_is_offered_when_asked_for_in_other_words():
    """`cue redy?` of a cue named `ready?` was offered no line: the line was read back out of the refusal's words,
    which stopped at the name's own question mark. The refusal's offer is kept apart from its words."""
    from vcam.control.cues import CueList

    show = parse_show(_CUED.replace("name: drop,", 'name: "ready?",'), "show.yaml")
    for source, network in _SOURCES:
        ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
        ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
        said = ctl.handle_line("cue redy?", source, network=network)
        assert said.startswith("error: ") and "did you mean go ready??" in said, said
        assert ctl.handle_line("go ready?", source, network=network).startswith("cue 2/5 'ready?'")


def test_a_refusal_of_a_name_keeps_the_line_it_offers_apart_from_its_words():
    """The line a refusal offers was read back out of its words with a pattern: a name typed or offered with a
    question mark of its own was cut there."""
    from vcam.control.cuesheet import cue_index

    show = parse_show(_CUED, "show.yaml")
    with pytest.raises(KeyError) as err:
        show.find("misty forest ＠ｂａｒ")
    assert err.value.args[0].hint.meant == "preset misty forest @bar"
    assert cue_index(show.cues, "dorp").hint.meant == "go 'drop'"
    assert cue_index(show.cues, "did you mean 2?").hint.meant == ""


@pytest.mark.parametrize("line, meant, picks", [("scene 2", "preset 2", "preset 2 'ocean'"),
                                                ("scene city", "preset city", "preset 1 'city'"),
                                                ("next 2", "preset 2", "preset 2 'ocean'"),
                                                ("next preset", "next", "preset 1 'city'"),
                                                ("scene 99", None, None), ("next 9", None, None),
                                                ("scene of a neon city", None, None), ("scene drop", None, None)])
def test_a_preset_asked_for_in_other_words_is_offered_the_line_that_picks_it(line, meant, picks):
    """`scene 2` was offered seed (a spelling near scene) and `next 2` nothing: the line offered is the preset's, only
    where the show has it (`scene 99` none, `scene of a neon city` the prompt's line), taken typed back from the
    console, the network and a cue's own line, and picking that preset."""
    for source, network in (*_SOURCES, ("cue 1", False)):
        ctl = _cued()
        said = ctl.handle_line(line, source, network=network)
        assert said.startswith("error: ") and "seed" not in said, said
        if meant is None:
            assert "did you mean preset" not in said and "did you mean next" not in said, said
            continue
        assert f"(did you mean {meant}?)" in said, said
        assert ctl.handle_line(meant, source, network=network).startswith(picks), meant


@pytest.mark.parametrize("line", ["live", "live @bar", "ｌｉｖｅ"])
def test_live_with_nothing_frozen_says_the_screen_is_already_live(line):
    """`live` (undo freeze or blackout) with nothing frozen answered "screen: live on the bar", as if a freeze were
    lifted on the bar: it says plainly the screen is already live, and sets nothing; after a freeze it lifts it."""
    for source, network in _SOURCES:
        ctl = _cued()
        assert ctl.handle_line(line, source, network=network) == \
            "screen: already live (nothing is frozen or blacked out)"
        assert ctl.handle_line("freeze", source, network=network) == "screen: freeze"
        assert ctl.handle_line("live", source, network=network) == "screen: live"
        assert ctl.state.screen == "live"


@pytest.mark.parametrize("line, meant, fires", [
    ("cue dorp @bar", "go drop @bar", 2), ("fire dorp @bar", "go drop @bar", 2),
    ("go cue dorp @bar", "go drop @bar", 2),
    ("cue dorp ＠ｂａｒ", "go drop @bar", 2), ("go ｃｕｅ 3", "go 3", 3), ("go cue\t3", "go 3", 3),
])
def test_a_cue_offered_for_a_typo_keeps_the_timing_asked_for(line, meant, fires):
    """`cue dorp @bar` was offered `go drop`, which fires at once, not on the bar; `cue dorp ＠ｂａｒ`, `go ｃｕｅ 3` and
    `go cue<TAB>3` nothing. Each is offered the go at the timing typed, taken typed back from the console and the
    network, and firing that cue."""
    for source, network in _SOURCES:
        ctl = _cued()
        said = ctl.handle_line(line, source, network=network)
        assert f"did you mean {meant}?" in said, said
        assert ctl.handle_line(meant, source, network=network).startswith(f"cue {fires}/5"), meant


@pytest.mark.parametrize("line", ["scene ocaen", "fire drop", "scene scene 2", "scene preset 2", "scene ocaen @bar",
                                  "fire in the sky", "scene of a neon city"])
def test_a_word_for_go_or_preset_is_never_offered_the_prompt_line(line):
    """`scene ocaen` was offered `prompt scene ocaen`, `fire drop` (no cue drop, or from a cue's do: line) `prompt
    fire drop`: followed, the command's words went on air. They are told how go or preset is given instead."""
    bare = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
                      threading.Event(), print)
    for ctl, source, network in ((_cued(), "stdin", False), (_cued(), "net 10.0.0.2:5000", True),
                                 (_cued(), "cue 1", False), (bare, "stdin", False)):
        said = ctl.handle_line(line, source, network=network)
        told = said.replace("a prompt is given as prompt TEXT", "")  # how one is given; no prompt line offered
        assert said.startswith("error: unknown command") and "prompt" not in told, (source, said)
        assert " is fired by go " in said or " is put on air by preset " in said or "this show has no cues" in said \
            or "did you mean go" in said, (source, said)


@pytest.mark.parametrize("line", ["cue 5", "fire drop", "cue 1 @bar"])
def test_a_cue_asked_for_where_the_show_has_none_is_told_so(line):
    """`cue 5` in a show with no cues was told a cue is fired by go and its number; `go 5` was then told there is no
    cue list."""
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"x": 1.0}), RecordingProducer(),
                     threading.Event(), print)
    for source, network in _SOURCES:
        said = ctl.handle_line(line, source, network=network)
        assert said.startswith("error: unknown command") and "(this show has no cues to fire)" in said, said
        assert "go followed" not in said and "prompt" not in said, said


def test_live_with_nothing_frozen_sets_nothing():
    """`live` with nothing frozen is answered already live: nothing is sent, logged, or left waiting for the beat."""
    for source, network in _SOURCES:
        ctl = _cued()
        logged: list = []
        ctl._record = lambda action, origin: logged.append(action)
        given = list(ctl.generator.given)
        assert ctl.handle_line("live @bar", source, network=network).startswith("screen: already live")
        assert ctl.generator.given == given and logged == [] and ctl.screen_waits.waiting() is None
        assert ctl.state.screen == "live"


@pytest.mark.parametrize("line, meant", [("scene 2", "preset 2"), ("scene ocean @bar", "preset ocean @bar"),
                                         ("ｓｃｅｎｅ ２", "preset 2"), ("scene 9", None), ("scene ocaen", None),
                                         ("fire drop", None), ("cue 5", None), ("fire in the sky", None)])
def test_vcam_cam_offers_a_preset_its_server_has_and_never_a_prompt_line(line, meant):
    """At vcam cam, `scene 2` was answered unknown command and nothing more, `scene ocean` offered `prompt scene
    ocean`: a preset the server's show has is offered; its cues are not known there, so no go is."""
    from vcam.remote.controller import RemoteController

    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    remote.state.presets = ["city", "ocean"]
    for source, network in (("stdin", False), ("osc", True)):
        said = remote.handle_line(line, source, network=network)
        told = said.replace("a prompt is given as prompt TEXT", "")  # how one is given; no prompt line offered
        assert said.startswith("error: unknown command") and "prompt" not in told, said
        if meant is None:
            assert "did you mean" not in said, said
        else:
            assert f"(did you mean {meant}?)" in said, said
            sent.clear()
            assert not (remote.handle_line(meant, source, network=network) or "").startswith("error"), meant
            assert parse(sent[-1]) == parse(meant), sent


@pytest.mark.parametrize("line, meant, picks", [("next cue @bar", "go 1 @bar", "cue 1/5"),
                                                ("next cue ＠ｂａｒ", "go 1 @bar", "cue 1/5"),
                                                ("next 2 @bar", "preset 2 @bar", "preset 2 'ocean'"),
                                                ("prev 2 @beat", "preset 2 @beat", "preset 2 'ocean'"),
                                                ("next preset @bar", "next @bar", "preset 1 'city'")])
def test_next_with_a_timing_is_offered_the_line_meant_at_that_timing(line, meant, picks):
    """`next cue` and `next 2` were offered go 1 and preset 2, but `next cue @bar` and `next 2 @bar` nothing: each is
    offered the line at the timing typed, taken typed back from the console and the network, and picking that."""
    for source, network in _SOURCES:
        ctl = _cued()
        said = ctl.handle_line(line, source, network=network)
        assert f"(did you mean {meant}?)" in said, said
        assert ctl.handle_line(meant, source, network=network).startswith(picks), meant


@pytest.mark.parametrize("line, meant, picks", [("next cue @bar # x", "go 1 @bar", "cue 1/5"),
                                                ("next cue ＠ｂａｒ ＃ x", "go 1 @bar", "cue 1/5"),
                                                ("next cue # x", "go 1", "cue 1/5"),
                                                ("next 2 @bar # x", "preset 2 @bar", "preset 2 'ocean'"),
                                                ("next preset @bar # x", "next @bar", "preset 1 'city'"),
                                                ("cue 2 @bar # x", "go 2 @bar", "cue 2/5"),
                                                ("scene 2 @bar # c", "preset 2 @bar", "preset 2 'ocean'")])
def test_a_comment_after_a_timing_is_read_as_a_command_reads_it(line, meant, picks):
    """`go 5 @bar # x` is offered go 5 @bar, but `next cue @bar # x` was refused as "not 'bar # x'" and `cue 2 @bar
    # x` offered nothing: a comment after the words is left out of the line offered, whose timing is kept, and that
    line is taken typed back from the console and the network."""
    for source, network in _SOURCES:
        ctl = _cued()
        said = ctl.handle_line(line, source, network=network)
        assert f"(did you mean {meant}?)" in said, said
        assert ctl.handle_line(meant, source, network=network).startswith(picks), meant


@pytest.mark.parametrize("line", ["preset", "blend", "scene 2 # c", "scene 2 @bar # c", "next 2", "next 2 @bar",
                                  "next 2 # x", "next preset", "next cue", "next 9", "scene 2,3", "scene ocean,city",
                                  "scene 2 & 3", "scene 2,2", "scene misty forest, city"])
def test_vcam_cam_answers_a_line_as_the_console_does_where_it_knows_the_servers_presets(line):
    """At vcam cam, `preset` alone was an error where the console lists the presets, and `scene 2 # c` and `next 2`
    were offered no line where the console offers preset 2, `scene 2,3` none where it offers blend 2 3 0.5 (and
    `scene misty forest, city` no blend where it offers 'misty forest'): each is
    answered as the console answers it, of a show with the server's presets and no cues (which vcam cam is not told
    of: no go is offered, nor go alone)."""
    from vcam.remote.controller import RemoteController

    show = parse_show(SHOW.replace("name: forest", "name: misty forest"), "show.yaml")
    console = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
    remote = RemoteController(lambda sent: True)
    remote.state.presets = [p.name for p in show.presets]
    for source, network in (("stdin", False), ("osc", True)):
        said = remote.handle_line(line, source, network=network)
        assert said == console.handle_line(line, source, network=network), said
        assert "did you mean go" not in said and "did you mean go" not in remote.handle_line("cue 2", source), said


@pytest.mark.parametrize("line", ["fire", "scene", "ＦＩＲＥ", "Scene"])
def test_fire_or_scene_alone_is_told_how_a_cue_or_preset_is_given(line):
    """`fire` and `scene` alone were answered with the command list only: each is told, as `fire drop` is, how a cue
    is fired or a preset put on air."""
    for source, network in (*_SOURCES, ("cue 1", False)):
        said = _cued().handle_line(line, source, network=network)
        assert " is fired by go followed by" in said or " is put on air by preset followed by" in said, said


def test_cue_alone_in_a_cue_is_not_offered_go():
    """`do: [cue]` was asked "did you mean go?", though a cue's line fires no cue: it is told how a cue is fired."""
    said = _cued().handle_line("cue", "cue 1")
    assert "did you mean go" not in said and "a cue is fired by go followed by" in said, said
    assert "(did you mean go?)" in _cued().handle_line("cue", "stdin")


def test_fire_with_words_is_told_how_a_prompt_is_given():
    """`fire in the sky` was told only how a cue is fired: it is told too that a prompt is given as prompt TEXT, and
    offered no line (the command's word would go on air)."""
    for source, network in (*_SOURCES, ("cue 1", False)):
        said = _cued().handle_line("fire in the sky", source, network=network)
        assert "a prompt is given as prompt TEXT" in said and "did you mean" not in said, said


_HASHED = _CUED.replace("presets:\n", 'presets:\n  - {name: "#2", prompt: a hash}\n', 1) + (
    '  - {name: "drop #2", do: [preset 2]}\n  - {name: "intro #2", do: [preset 3]}\n  - {name: "#9", do: [freeze]}\n')


@pytest.mark.parametrize("line, meant, picks", [
    ("cue drop #2 @bar # x", "go 'drop #2' @bar", "cue 6/8 'drop #2'"),
    ("fire drop #2 ＠ｂａｒ ＃ x", "go 'drop #2' @bar", "cue 6/8 'drop #2'"),
    ("cue intro #2 @bar # x", "go 'intro #2' @bar", "cue 7/8 'intro #2'"),
    ("cue drop #2 # x", "go 'drop #2'", "cue 6/8 'drop #2'"),
    ("cue #9 # x", "go #9", "cue 8/8 '#9'"),
    ("scene #2 # c", "preset #2", "preset 1 '#2'"),
    ("scene #2 @bar # c", "preset #2 @bar", "preset 1 '#2'"),
    ("scene city #2 @bar # x", None, None),
])
def test_a_name_holding_a_hash_is_offered_the_cue_or_preset_it_names_at_its_timing(line, meant, picks):
    """`cue drop #2 @bar # x` was offered go drop, which fires cue 2 at once, not cue 6 on the bar, and `scene #2 # c`
    no line: the comment is cut at a # after a blank from the last back, and a line offered names what the words name
    at the timing typed; where the show has nothing so named (`city #2`), none is offered."""
    from vcam.control.cues import CueList

    for source, network in _SOURCES:
        show = parse_show(_HASHED, "show.yaml")
        ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
        ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
        said = ctl.handle_line(line, source, network=network)
        if meant is None:
            assert "did you mean" not in said, said
            continue
        offered = re.search(r"did you mean (.+?)\?", said)
        assert offered is not None, said
        assert offered[1].replace("'", "") == meant.replace("'", ""), said
        assert ctl.handle_line(offered[1], source, network=network).startswith(picks), offered[1]


_OTHER_WORDS_PRESETS = ["city", "ocean", "city ocean dream", "café", "cafe noir"]


def _said_at_console_and_cam(line: str) -> tuple[str, str]:
    from vcam.remote.controller import RemoteController

    names = _OTHER_WORDS_PRESETS
    show = parse_show("presets:\n" + "".join(f"  - {{name: {n}, prompt: x}}\n" for n in names), "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), lambda s: None)
    remote = RemoteController(lambda sent: True)
    remote.update({"presets": names})
    return ctl.handle_line(line, "stdin"), remote.handle_line(line, "stdin")


@pytest.mark.parametrize("line", ["scene city ocean", "scene ｃｉｔｙ ocean"])
def test_vcam_cam_offers_what_the_server_s_console_offers_for_a_preset_asked_for_in_other_words(line):
    """`scene city ocean` of a show with a preset `city ocean dream` was offered blend city ocean 0.5 at vcam cam,
    and nothing at the server's console, which reads those words as the start of that one preset's name: vcam cam
    kept a copy of part of the console's order of offers. Both follow the one rule now."""
    said, said_at_cam = _said_at_console_and_cam(line)
    assert said.startswith("error: ") and said_at_cam == said, (said, said_at_cam)


@pytest.mark.parametrize("line", ["scene cafe noir", "scene city, ocean"])
def test_vcam_cam_and_the_console_agree_on_a_preset_named_whole_or_two_named_apart(line):
    """A name that is a preset's whole, and two presets named apart by a comma, were offered alike at vcam cam and
    the console before their order was made one rule: kept so."""
    said, said_at_cam = _said_at_console_and_cam(line)
    assert said.startswith("error: ") and said_at_cam == said, (said, said_at_cam)



@pytest.mark.parametrize("line, said", [
    ("go did you mean it", "error: no cue named 'did you mean it': that is preset 2: did you mean preset did you mean "
                           "it?; the cues: 1 'drop', 2 'did you say'"),
    ("preset did you say", "error: no preset named 'did you say': that is cue 2: did you mean go did you say?; "
                           "presets: ocean, did you mean it"),
])
def test_a_name_holding_did_you_mean_is_offered_the_preset_or_cue_it_names(line, said):
    """`go did you mean it` of a show with a preset so named was refused with no offer: the refusal's words were
    searched for "did you mean" to tell whether it offered a line, and the name held those words. What it offers is
    read from the refusal's hint now."""
    from vcam.control.cues import CueList

    show = parse_show("presets:\n  - {name: ocean, prompt: x}\n  - {name: did you mean it, prompt: x}\n"
                      "cues:\n  - {name: drop, do: [preset 1]}\n  - {name: did you say, do: [preset 2]}\n", "show.yaml")
    for source, network in _SOURCES:
        ctl = Controller(show, ShowState(prompts={"x": 1.0}), RecordingProducer(), threading.Event(), print)
        ctl.cues = CueList(show.cues, ctl.handle_line, lambda s: None)
        assert ctl.handle_line(line, source, network=network) == said
