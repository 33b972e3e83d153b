"""Changes on the beat: the block a quantised change lands on, measured against the camera under a fake clock; the
controller's @beat/@bar/@N/@off and the show's quantize; screen changes at the boundary; the log and its replay."""
from __future__ import annotations

import contextlib
import io
import json
import random
import threading
import time
from collections import Counter

import numpy as np
import pytest
import torch

from helpers import RecordingProducer, script_module, wait_for
from vcam.control.actions import SetPrompts, SetScreen, SetSeed, SetSteps
from vcam.control.controller import NO_TEMPO, Controller, ShowState
from vcam.control.cues import CueList
from vcam.control.prompter import Prompter
from vcam.control.protocol import Shown
from vcam.control.log import ControlLog, read_replay
from vcam.control.show import parse_show
from vcam.control.tempo import Tempo
from vcam.control.yamlproblems import ConfigError
from vcam.live.pacer import Pacer, PacerSettings, PacerStats
from vcam.live.producer import Generator
from vcam.live.quantize import Ahead, Quantizer, Running

bench = script_module("quantize_bench")

SHOW = """\
defaults: {quantize: bar}
presets:
  - {name: city, prompt: a neon city at night}
  - {name: ocean, prompt: ocean waves, seed: 7}
"""


def tempo_at(bpm: float | None = 120.0, clock=time.monotonic) -> Tempo:
    """The show's tempo on `clock`, beat 0 at clock time 0 (no tempo yet with bpm None)."""
    tempo = Tempo(clock=clock)
    if bpm is not None:
        tempo.set_bpm(bpm, "bpm", anchor=(0.0, 0.0))
    return tempo


def handed(ctl) -> list[tuple]:
    """What the controller handed its producer, each as (action, the block asked for, the command it came from)."""
    return [(action, at, origin.command if origin else None) for action, at, origin in ctl.generator.given]


def controller(show_text=SHOW, tempo="default", land=None, stop=None, clock=time.monotonic, log=None):
    show = parse_show(show_text, "show.yaml") if show_text else None
    tempo = tempo_at(clock=clock) if tempo == "default" else tempo
    said: list[str] = []
    landed: list[str] = []

    def fake_land(spec):
        landed.append(spec)
        return 40

    state = ShowState(prompts={"a": 1.0}, preset=0)
    ctl = Controller(show, state, RecordingProducer(blocks=10), stop or threading.Event(), said.append, log,
                     land=land or fake_land, tempo=tempo, clock=clock)
    return ctl, said, landed


# --- the quantizer under the fake clock (scripts/quantize_bench.py's core) ------------------------------------

@pytest.mark.parametrize("block_s, bpm, spec", [(0.6, 128.0, "bar"), (1.3, 128.0, "bar"), (1.3, 174.0, "beat"),
                                                (0.3, 90.0, "beat")])
def test_a_quantised_change_reaches_the_camera_within_a_block_and_on_the_beat_where_a_block_allows(block_s, bpm,
                                                                                                   spec):
    """The real pacer at 30 fps, a producer taking a known time per 12-frame block (0.3 s: faster than the camera,
    held back; 0.6 s and 1.3 s: slower), changes asked at random moments."""
    result = bench.run_case(bench.Case(block_s, bpm, spec), changes=30, seed=3)
    frame = 1.0 / result.case.fps
    assert len(result.offsets) == 30 and result.skipped == 0
    # one block's worth at worst (the finest a change can be placed is a block); handed over when the boundary
    # came, every change would have been later than that
    assert max(abs(o) for o in result.offsets) <= result.period < min(result.naive)
    # where some block's first frame could reach the camera within 2 frames of the boundary, the chosen one does
    could = bench.on_beat(result)
    assert could, "no change could have been on the beat: the case tests nothing"
    assert all(ours <= 2 * frame + 1e-9 for _, ours in could), could
    # and the camera's moment was predicted within 3 frames
    assert max(abs(e) for e in result.errors) <= 3 * frame


def test_the_status_line_reports_the_offset_the_camera_saw():
    """The pacer's report of a block's first frame on screen gives the same offset as the frames the camera was
    handed."""
    ft = bench.FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, producer_waits=True), clock=ft.clock)
    quantizer = Quantizer(pacer, bench.steady_tempo(128.0, ft.clock, phase=0.3), clock=ft.clock)
    producer = bench.Producer(ft, pacer, 0.6)
    quantizer.attach(producer)
    assert quantizer.status() is None
    plans = []
    ft.at(9.1, lambda: plans.append(quantizer.plan("bar")))
    shown: dict[int, float] = {}

    def emit(frame, tick):
        shown.setdefault(int(frame[0, 0, 0]), ft.now)

    producer.start()
    pacer.run(emit, bench._Until(ft, 16.0), sleep=ft.sleep)
    (plan,) = plans
    assert plan.block >= plan.first and plan.block in shown
    assert quantizer.last is plan
    assert plan.offset == pytest.approx(shown[plan.block] - plan.boundary)
    # 150 ms (4.5 camera frames) off the bar, the nearest a block came: how far apart blocks come is said with it
    assert quantizer.status() == f"on beat {plan.offset * 1000:+.0f} ms (blocks 0.6 s apart)"


def one_change_shown(block_s: float, bpm: float, spec: str, ask_at: float) -> tuple[Quantizer, object, dict]:
    """The real pacer at 30 fps, a producer taking `block_s` a 12-frame block, one change quantised to `spec` asked
    at `ask_at`: the quantizer, the change's plan and when each block's first frame was handed to the camera."""
    ft = bench.FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, producer_waits=True), clock=ft.clock)
    quantizer = Quantizer(pacer, bench.steady_tempo(bpm, ft.clock, phase=0.3), clock=ft.clock)
    producer = bench.Producer(ft, pacer, block_s, jitter=0.0)
    quantizer.attach(producer)
    plans = []
    ft.at(ask_at, lambda: plans.append(quantizer.plan(spec)))
    shown: dict[int, float] = {}

    def emit(frame, tick):
        shown.setdefault(int(frame[0, 0, 0]), ft.now)

    producer.start()
    pacer.run(emit, bench._Until(ft, ask_at + 8 * block_s + 8 * 60.0 / bpm), sleep=ft.sleep)
    (plan,) = plans
    assert quantizer.last is plan
    return quantizer, plan, shown


def test_a_slow_machines_block_nearest_the_bar_far_off_it_has_the_blocks_spacing_said():
    """3 s blocks against a 124 bpm bar (1.9 s): the nearest block's first frame is most of a beat off the bar,
    which "on beat -428 ms" alone read as the timing gone wrong; the status says how far apart blocks come."""
    quantizer, plan, shown = one_change_shown(3.0, 124.0, "bar", ask_at=20.0)
    best = min(abs(t - plan.boundary) for b, t in shown.items() if b >= plan.first)
    assert abs(plan.offset) == pytest.approx(best) and abs(plan.offset) > 0.2  # no block came nearer
    assert quantizer.status() == f"on beat {plan.offset * 1000:+.0f} ms (blocks 3.0 s apart)"


def test_a_change_within_two_camera_frames_of_the_beat_says_its_offset_alone():
    quantizer, plan, _ = one_change_shown(0.3, 90.0, "beat", ask_at=9.0)
    assert abs(plan.offset) <= 2 / 30.0
    assert quantizer.status() == f"on beat {plan.offset * 1000:+.0f} ms"


def test_quantize_off_takes_the_on_beat_offset_off_the_status_line_until_a_change_given_its_own_at_lands():
    """After `quantize off` the status line still said "on beat +12 ms" of the last change on the beat, as if
    changes still came on it; typed or reloaded, off takes it away, and another grid leaves it."""
    quantizer, plan, _ = one_change_shown(0.3, 90.0, "beat", ask_at=9.0)
    said = quantizer.status()
    assert said is not None and said.startswith("on beat")
    ctl = Controller(parse_show(CLUB, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0),
                     RecordingProducer(blocks=10), threading.Event(), lambda line: None, tempo=tempo_at(),
                     land=lambda spec: 40, unquantized=quantizer.unquantized)
    ctl.handle_line("quantize beat", "stdin")
    assert quantizer.status() == said
    assert ctl.handle_line("quantize off", "stdin").startswith("changes land at once")
    assert quantizer.status() is None and quantizer.last is None
    quantizer.last = plan  # a change given its own @bar reached the camera: said again
    assert quantizer.status() == said
    said_reload = ctl.replace_show(parse_show(CLUB.replace("quantize: bar", "quantize: off"), "show.yaml"))
    assert "quantize off" in said_reload and quantizer.status() is None, said_reload


def test_a_change_planned_on_the_beat_shown_after_quantize_off_puts_no_on_beat_offset_on_the_status_line():
    """A change was aimed at a beat, then `quantize off` came before its block reached the camera: once shown it
    said "on beat +12 ms" again, with changes landing at once."""
    ft = bench.FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, producer_waits=True), clock=ft.clock)
    quantizer = Quantizer(pacer, bench.steady_tempo(90.0, ft.clock, phase=0.3), clock=ft.clock)
    producer = bench.Producer(ft, pacer, 0.3, jitter=0.0)
    quantizer.attach(producer)
    plans = []
    ft.at(9.0, lambda: plans.append(quantizer.plan("beat")))
    ft.at(9.001, quantizer.unquantized)
    shown: dict[int, float] = {}
    producer.start()
    pacer.run(lambda frame, tick: shown.setdefault(int(frame[0, 0, 0]), ft.now), bench._Until(ft, 20.0),
              sleep=ft.sleep)
    (plan,) = plans
    assert plan.block in shown  # its block did reach the camera
    assert quantizer.last is None and quantizer.status() is None
    assert plan.offset is None


def test_nothing_is_quantised_before_blocks_are_measured_or_without_a_tempo():
    ft = bench.FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0), clock=ft.clock)
    quantizer = Quantizer(pacer, bench.steady_tempo(120.0, ft.clock), clock=ft.clock)
    assert quantizer.land("bar") is None and quantizer.lead() == 0.0  # nothing made yet
    producer = bench.Producer(ft, pacer, 0.5)
    quantizer.attach(producer)
    producer.start()
    pacer.run(lambda frame, tick: None, bench._Until(ft, 5.0), sleep=ft.sleep)
    assert quantizer.land("bar") is not None and quantizer.land("off") is None
    # how early a bar cue fires: until the next block that can change shows, at least a block's making
    assert quantizer.lead() == pytest.approx(quantizer.ahead().shown_at - ft.clock()) and quantizer.lead() >= 0.5
    assert Quantizer(pacer, Tempo(clock=ft.clock), clock=ft.clock).land("bar") is None  # no tempo yet
    assert Quantizer(pacer, None, clock=ft.clock).land("beat") is None


def test_a_boundary_nearer_than_the_show_works_ahead_gives_way_to_one_it_can_reach():
    """Frames are made a couple of seconds ahead: @beat asked just before a beat lands on a later beat, on a
    block, rather than a second and a half late."""
    result = bench.run_case(bench.Case(1.3, 128.0, "beat"), changes=10, seed=5)
    assert result.moved == 10
    assert max(abs(o) for o in result.offsets) <= 60.0 / 128.0 / 2 + 3 / 30.0  # half a beat, a little error


def flat(value):
    return np.full((2, 2, 3), value, np.uint8)


def test_the_pacer_reports_a_blocks_first_frame_once_and_when_it_was_skipped_its_next_one():
    now = [0.0]
    pacer = Pacer(PacerSettings(fps=30.0, max_latency=1.0), clock=lambda: now[0])
    seen = []
    pacer.on_block_shown(lambda block, t: seen.append((block, t)))
    pacer.push([flat(0), flat(1)], 0)
    shown = [int(pacer.tick()[0, 0, 0])]
    assert seen == [(0, 0.0)]
    pacer.push([flat(10), flat(11), flat(12), flat(13)], 1)
    for t in (0.95, 0.96):  # near the latency cap: played at a frame and a half a tick
        now[0] = t
        shown.append(int(pacer.tick()[0, 0, 0]))
    assert 10 not in shown and shown[-1] == 11  # block 1's first frame was skipped...
    assert seen == [(0, 0.0), (1, 0.96)]  # ...and its next frame stands for it
    now[0] = 1.0
    pacer.tick()
    assert len(seen) == 2


def test_a_block_dropped_whole_is_never_reported():
    now = [0.0]
    pacer = Pacer(PacerSettings(fps=30.0, max_latency=1.0), clock=lambda: now[0])
    seen = []
    pacer.on_block_shown(lambda block, t: seen.append((block, t)))
    pacer.push([flat(0)] * 4, 0)
    pacer.tick()
    now[0] = 0.5
    pacer.push([flat(1)] * 4, 1)
    pacer.push([flat(2)] * 4, 2)
    now[0] = 3.0  # past the latency cap: blocks 0 and 1 are dropped, block 2's first frame shows
    assert int(pacer.tick()[0, 0, 0]) == 2
    assert seen == [(0, 0.0), (2, 3.0)]


# --- the controller: @beat, @bar, @N, @off, the show's quantize, the screen ------------------------------------

def test_at_and_the_shows_quantize_put_every_action_of_a_change_on_the_landing_block():
    ctl, said, landed = controller()
    reply = ctl.handle_line("preset ocean", "stdin")  # the show's quantize: bar
    assert landed == ["bar"] and "on the bar, block 40" in reply
    given = ctl.generator.given
    assert {type(a) for a, _, _ in given} == {SetPrompts, SetSeed} and {b for _, b, _ in given} == {40}
    for line, spec in (("next @beat", "beat"), ("seed 3 @2", "2"), ("prev @0.5", "0.5")):
        given.clear()
        ctl.handle_line(line, "stdin")
        assert landed[-1] == spec and given and all(b == 40 for _, b, _ in given)
    given.clear()
    n = len(landed)
    assert ctl.handle_line("seed 4 @off", "stdin") == (
        "seed 4; it waits for block 40, where an earlier change of the same kind lands")
    # not placed itself; but the seed 3 waiting for block 40 would undo it there: it goes with it, after it
    assert len(landed) == n and handed(ctl) == [(SetSeed(4), 40, "seed 4 @off")]
    given.clear()
    ctl.handle_line("steps 2 @off", "stdin")  # nothing of its kind waits
    assert handed(ctl) == [(SetSteps(2), None, "steps 2 @off")]
    assert not said


def test_quantize_changes_the_default_live_and_status_shows_it():
    ctl, _, landed = controller()
    assert "quantize bar" in ctl.describe()
    assert ctl.handle_line("quantize off", "stdin") == "changes land at once"
    assert "quantize" not in ctl.describe()
    ctl.handle_line("next", "stdin")
    assert landed == [] and handed(ctl)[-1][1] is None
    assert ctl.handle_line("quantize 2 beats", "stdin") == "changes land on the 2-beat grid"
    assert "quantize 2 |" in ctl.describe()
    ctl.handle_line("next", "stdin")
    assert landed == ["2"]
    assert ctl.handle_line("quantize beat @bar", "stdin").startswith("error: quantize acts at once")


def test_a_knob_acts_at_once_whatever_the_quantize():
    ctl, _, landed = controller()
    ctl.set_param("blend", 0.5, "midi")
    assert landed == [] and handed(ctl)[-1][1:] == (None, "blend 1 2 0.5")


def test_a_cues_changes_land_on_the_beat_as_typed_ones_do():
    from vcam.control.cues import CueList

    ctl, _, landed = controller(SHOW + "cues:\n  - {name: open, do: preset ocean}\n  - {name: two, do: next}\n")
    ctl.cues = CueList(ctl.show.cues, ctl.handle_line, lambda m: None)
    ctl.handle_line("go", "stdin")  # the show's quantize: bar
    ctl.handle_line("go @beat", "stdin")
    assert landed == ["bar", "beat"]
    assert {b for _, b, _ in ctl.generator.given} == {40}


def test_a_reloaded_show_brings_its_quantize_and_keeps_a_live_one_otherwise():
    ctl, _, _ = controller()
    ctl.handle_line("quantize beat", "stdin")
    ctl.replace_show(parse_show(SHOW.replace("city", "town"), "show.yaml"))  # quantize unchanged in the file
    assert ctl.quantize == "beat"
    ctl.replace_show(parse_show(SHOW.replace("bar", "'4'"), "show.yaml"))
    assert ctl.quantize == "4"


def test_without_a_tempo_changes_land_at_once_and_say_why_once():
    ctl, said, landed = controller(tempo=tempo_at(None))
    assert ctl.handle_line("seed 5", "stdin") == "seed 5 from the next block"
    assert ctl.handle_line("quantize beat", "stdin") == f"changes land on the beat ({NO_TEMPO})"
    ctl.handle_line("next", "stdin")  # on the beat by the show's quantize: its reply says nothing of the tempo
    ctl.handle_line("seed 6", "stdin")
    assert landed == [] and all(b is None for _, b, _ in ctl.generator.given)
    assert said == [f"{NO_TEMPO} (until then, changes asked on the beat land at once)"]
    ctl2, said2, _ = controller(tempo=None)  # no tempo at all (the show runs without one)
    ctl2.handle_line("freeze @bar", "net cam")  # a client's reply goes back to it alone: the console is told too
    assert ctl2.state.screen == "freeze" and said2 == [said[0]]


def test_a_change_after_one_waiting_for_its_block_keeps_the_order_they_were_typed_in():
    """`seed 42 @bar` then `seed 7` at once: the stream ends on 7, as the state says, not on 42 once the bar
    comes; a change of another kind is not held back."""
    ctl, _, _ = controller()
    ctl.generator.submitted = 30  # the generator's block count: the bar's block (40) is ahead
    ctl.handle_line("seed 42 @bar", "stdin")
    ctl.handle_line("seed 7 @off", "stdin")
    ctl.handle_line("steps 2 @off", "stdin")
    assert handed(ctl) == [(SetSeed(42), 40, "seed 42 @bar"), (SetSeed(7), 40, "seed 7 @off"),
                           (SetSteps(2), None, "steps 2 @off")]
    assert ctl.state.seed == 7
    ctl.generator.submitted = 41  # the bar's block was made: nothing waits any more
    ctl.handle_line("seed 8 @off", "stdin")
    assert handed(ctl)[-1] == (SetSeed(8), None, "seed 8 @off")


CLUB = """\
defaults: {quantize: bar}
presets:
  - {name: city, prompt: a neon city at night}
  - {name: strobe storm, prompt: strobes in the haze, transition: 0}
cues:
  - {name: drop, do: [bias 0.4, preset strobe storm]}
"""


def test_a_change_on_the_beat_says_only_when_it_lands():
    """Its reply said "from the next block" and then its bar's block, in one line."""
    ctl, _, _ = controller(CLUB)
    assert ctl.handle_line("bias 0.4", "stdin") == "bias 0.4; on the bar, block 40"
    assert ctl.handle_line("bias 1", "stdin") == "bias 1 (off); on the bar, block 40"
    assert ctl.handle_line("strength 0.3 @beat", "stdin") == ("strength 0.3, kept for an input: none is on air now "
                                                             "(put one on with input SRC); on the beat, block 40")
    assert ctl.handle_line("input none @2", "stdin") == "text only; on the 2-beat grid, block 40"
    assert ctl.handle_line("steps 3", "stdin") == "steps 3; on the bar, block 40"  # said it only this way before
    ctl, _, _ = controller(CLUB)
    ctl.cues = CueList(ctl.show.cues, ctl.handle_line, lambda line: None)
    assert ctl.handle_line("go", "stdin") == "cue 1/1 'drop' on the bar, block 40: bias 0.4; preset 2 'strobe storm'"


DUSK = """\
presets:
  - {name: city, prompt: a neon city at night}
  - {name: ocean, prompt: ocean waves}
cues:
  - {name: dusk, do: [preset ocean, seed 4]}
  - {name: drop, do: [preset city, seed 5 @off, steps 2]}
"""


def test_a_cue_whose_changes_land_on_one_block_says_it_once_and_one_of_mixed_timings_says_each():
    """`go dusk @bar` said "on the bar, block N" after each of the cue's lines, twice in a line for one landing."""
    for cue, said in (("dusk @bar", "cue 1/2 'dusk' on the bar, block 40: preset 2 'ocean' (over 4 blocks); seed 4"),
                      ("drop @2", "cue 2/2 'drop' (cue 1 skipped): preset 1 'city' (over 4 blocks); on the 2-beat "
                                  "grid, block 40; seed 5 from the next block; steps 2; on the 2-beat grid, "
                                  "block 40")):
        ctl, _, _ = controller(DUSK)
        ctl.cues = CueList(ctl.show.cues, ctl.handle_line, lambda line: None)
        assert ctl.handle_line(f"go {cue}", "stdin") == said


TEXT_ONLY = """\
defaults: {quantize: bar}
presets:
  - {name: city, prompt: a neon city at night}
  - {name: ocean, prompt: ocean waves}
cues:
  - {name: dusk, do: [preset ocean, seed 4, steps 2]}
  - {name: bring in, do: [input camera, strength 0.5]}
  - {name: cam, do: [input camera, preset city]}
"""


@pytest.mark.parametrize("cue, said", [
    ("dusk", "cue 1/3 'dusk' on the bar, block 40: preset 2 'ocean' (over 4 blocks); seed 4; steps 2"),
    ("bring in", "cue 2/3 'bring in' (cue 1 skipped) on the bar, block 40: input camera; strength 0.5"),
    ("cam", "cue 3/3 'cam' (cues 1-2 skipped) on the bar, block 40: input camera; strength 1 is text only: lower it "
            "(strength 0.6) to restyle the input; preset 1 'city' (over 4 blocks)")])
def test_a_cue_whose_lines_land_on_one_block_says_it_once_after_its_name_and_its_notes_with_their_line(cue, said):
    """Three lines on one bar say the bar once; a cue that lowers the strength itself is not told to lower it, and
    one that leaves it at 1 hears so after its input, not after the landing."""
    ctl, _, _ = controller(TEXT_ONLY)
    ctl.state.strength = 1.0
    ctl.cues = CueList(ctl.show.cues, ctl.handle_line, lambda line: None)
    assert ctl.handle_line(f"go {cue}", "stdin") == said


def test_an_input_put_on_on_the_beat_at_strength_1_says_the_note_and_the_landing_as_parts_of_its_reply():
    """The cue list joins its lines' replies by these parts; the text is what the console and OSC say."""
    from vcam.inspec import HIDDEN_BY_STRENGTH

    ctl, _, _ = controller(TEXT_ONLY)
    ctl.state.strength = 1.0
    reply = ctl.handle_line("input camera", "stdin")
    assert reply == ("input camera; strength 1 is text only: lower it (strength 0.6) to restyle the input; on the bar, "
                     "block 40")
    assert (reply.done, reply.notes, reply.lands) == ("input camera", (HIDDEN_BY_STRENGTH,), "on the bar, block 40")


def test_a_change_on_the_beat_asked_before_the_show_is_on_air_says_it_lands_as_the_show_goes_on_air():
    """While the model loads no block is made and none measured: `next @bar` went into the first block, and its
    reply said nothing of when it would land."""
    quantizer = Quantizer(Pacer(PacerSettings(fps=30.0)), tempo_at())
    ctl = Controller(parse_show(CLUB, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), RecordingProducer(),
                     threading.Event(), lambda line: None, land=quantizer.land, tempo=tempo_at())
    assert ctl.handle_line("next @bar", "stdin") == (
        "preset 2 'strobe storm'; not on air yet: it lands as the show goes on air, not on the bar")
    assert ctl.handle_line("seed 3 @4", "stdin") == (
        "seed 3; not on air yet: it lands as the show goes on air, not on the 4-beat grid")
    assert ctl.handle_line("seed 4 @off", "stdin") == "seed 4 from the next block"
    assert [at for _, at, _ in ctl.generator.given] == [None] * 3  # into the first block made
    ctl.generator.blocks = 1  # on air, blocks not measured yet: it lands at once, and the reply says why
    assert ctl.handle_line("seed 5 @bar", "stdin") == (
        "seed 5; the first blocks on air are still being timed: it lands from the next block, not on the bar")
    assert ctl.handle_line("next", "stdin") == (  # the show's quantize too
        "preset 1 'city' (over 4 blocks); the first blocks on air are still being timed: it lands from the next "
        "block, not on the bar")
    assert [at for _, at, _ in ctl.generator.given[3:]] == [None] * 2


def test_a_change_on_the_beat_while_the_tempo_is_stopped_says_it_lands_at_once_and_why():
    """A stopped MIDI clock (a DAW's transport) brings no boundary: `preset 2 @bar` went on air at once, said as if
    it had been asked at once."""
    tempo = Tempo(clock=lambda: 5.0)
    tempo.set_bpm(120.0, "midi clock", anchor=(5.0, 6.0), running=False)
    quantizer = Quantizer(Pacer(PacerSettings(fps=30.0)), tempo, clock=lambda: 5.0)
    ctl = Controller(parse_show(CLUB, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0),
                     RecordingProducer(blocks=12), threading.Event(), lambda line: None, land=quantizer.land,
                     tempo=tempo, clock=lambda: 5.0)
    stopped = "the tempo is stopped (midi clock)"
    assert ctl.handle_line("preset 2 @bar", "stdin") == (
        f"preset 2 'strobe storm'; {stopped}: it lands from the next block, not on the bar")
    assert ctl.handle_line("seed 5 @2", "stdin") == (
        f"seed 5; {stopped}: it lands from the next block, not on the 2-beat grid")
    assert ctl.handle_line("seed 6 @off", "stdin") == "seed 6 from the next block"
    assert [at for _, at, _ in ctl.generator.given] == [None] * 3
    assert ctl.handle_line("freeze @bar", "stdin") == f"screen: freeze; {stopped}: it is set at once, not on the bar"
    assert ctl.state.screen == "freeze" and ctl.screen_waits.waits == []
    assert ctl.handle_line("quantize beat", "stdin") == (
        f"changes land on the beat ({stopped}: until it runs, they land at once)")


def test_a_change_at_once_still_says_the_next_block():
    ctl, _, _ = controller(CLUB)
    assert ctl.handle_line("quantize off", "stdin").startswith("changes land at once")
    assert ctl.handle_line("bias 0.4", "stdin") == "bias 0.4 from the next block"
    assert ctl.handle_line("input none", "stdin") == "text only from the next block"


def test_a_change_held_for_an_earlier_ones_block_says_the_block_it_waits_for():
    """Its reply said the next block, or the beat's block before the bar, while the change went in at the bar."""
    blocks = iter([40, 36])
    ctl, _, _ = controller(land=lambda spec: next(blocks))
    ctl.generator.submitted = 30
    assert ctl.handle_line("seed 42 @bar", "stdin").endswith("; on the bar, block 40")
    assert ctl.handle_line("seed 7 @beat", "stdin") == (
        "seed 7; on the beat: it waits for block 40, where an earlier change of the same kind "
        "lands")
    assert ctl.handle_line("seed 8 @off", "stdin") == (
        "seed 8; it waits for block 40, where an earlier change of the same kind lands")
    assert ctl.handle_line("steps 2 @off", "stdin") == "steps 2"  # another kind goes at once
    assert [b for _, b, _ in handed(ctl)] == [40, 40, 40, None]


class BlockStarts(RecordingProducer):
    """A producer that tells `starting` of each block as it starts it, before the block's controls apply, as the
    generator does: a change on the beat is held until its block is the next one."""

    def __init__(self, submitted: int = 30):
        super().__init__(blocks=10)
        self.submitted = submitted
        self.starting: list = []

    def start(self, block: int) -> None:
        self.submitted = block
        for listener in self.starting:
            listener(block)


def held_controller(where: list, prompter=None):
    """The controller on a BlockStarts producer; a change on the beat lands on block `where[0]`, wherever the test
    moves it (a tempo changed, a generator fallen behind) before the block comes."""
    show = parse_show(SHOW, "show.yaml")
    producer = BlockStarts()
    ctl = Controller(show, ShowState(prompts={"a": 1.0}, preset=0), producer, threading.Event(), lambda m: None,
                     land=lambda spec: where[0], tempo=tempo_at(), prompter=prompter)
    return ctl, producer


def test_a_preset_on_the_beat_whose_block_starts_as_it_is_typed_says_the_block_it_lands_on():
    """The generator started the block chosen for `preset ocean` while the preset was being made: the change went
    into the next block, where the control log has it, and the reply named the one before."""
    show = parse_show(SHOW, "show.yaml")
    producer = BlockStarts(submitted=30)

    def land(spec):  # block 31 is chosen, then the generator starts it before the change is handed over
        producer.start(31)
        return 31

    ctl = Controller(show, ShowState(prompts={"a": 1.0}, preset=0), producer, threading.Event(), lambda m: None,
                     land=land, tempo=tempo_at())
    reply = ctl.handle_line("preset ocean", "stdin")
    assert producer.given == []  # block 31 has taken its controls
    producer.start(32)  # the change goes into this block, as the log says
    assert [at for _, at, _ in producer.given] == [32, 32]
    assert reply.endswith("; on the bar, block 32")


def test_a_change_waiting_for_its_bar_when_the_tempo_stops_lands_at_once_and_says_so():
    """A DAW's transport stopped while `preset ocean @bar` waited: it went on air at the next block, unsaid."""
    where: list = [40]
    show = parse_show(SHOW, "show.yaml")
    producer, said = BlockStarts(), []
    ctl = Controller(show, ShowState(prompts={"a": 1.0}, preset=0), producer, threading.Event(), said.append,
                     land=lambda spec: where[0], tempo=tempo_at())
    ctl.handle_line("preset ocean", "stdin")
    ctl.handle_line("steps 3 @4", "stdin")
    producer.start(31)
    assert producer.given == [] and said == []
    where[0] = None  # no boundary is coming
    producer.start(32)
    assert [at for _, at, _ in producer.given] == [None] * 3
    assert said == ["the tempo stopped: preset lands from the next block, not on the bar",
                    "the tempo stopped: steps lands from the next block, not on the 4-beat grid"]


def test_a_change_on_the_beat_is_handed_over_once_its_block_is_next_and_follows_where_the_boundary_moves():
    """The block chosen when it was typed was kept: a tempo changed (a tap, a MIDI clock, Link) or a generator
    fallen behind before it came put it off the beat."""
    where = [40]
    ctl, producer = held_controller(where)
    assert ctl.handle_line("preset ocean", "stdin").endswith("; on the bar, block 40")  # the show's quantize
    for block in range(31, 38):
        producer.start(block)
    assert producer.given == []  # held: its block may still move
    where[0] = 44  # a slower tempo: the bar comes later
    for block in range(38, 43):
        producer.start(block)
    assert producer.given == []
    producer.start(43)
    assert handed(ctl) == [(SetPrompts({"ocean waves": 1.0}, 4), 44, "preset ocean"), (SetSeed(7), 44, "preset ocean")]
    where[0] = 48
    ctl.handle_line("next", "stdin")
    producer.start(44)
    assert len(producer.given) == 2
    where[0] = 46  # a generator fallen behind: an earlier block meets the bar now
    producer.start(45)
    assert handed(ctl)[2:] == [(SetPrompts({"a neon city at night": 1.0}, 4), 46, "next")]


def test_a_change_on_the_beat_lands_at_once_when_the_tempo_goes_and_at_once_with_a_producer_that_tells_no_start():
    where = [40]
    ctl, producer = held_controller(where)
    ctl.handle_line("seed 3 @bar", "stdin")
    where[0] = None  # the clock stopped: no boundary is coming
    producer.start(31)
    assert handed(ctl) == [(SetSeed(3), None, "seed 3 @bar")]
    plain, _, _ = controller()  # a stand-in producer: the block chosen as it is typed
    plain.handle_line("seed 3 @bar", "stdin")
    assert handed(plain) == [(SetSeed(3), 40, "seed 3 @bar")]


def test_a_change_on_the_beat_that_cannot_be_placed_again_is_said_and_lands_on_the_block_it_had():
    """Placed again on the producer's thread as a block starts: a failure there must not end the show."""
    said, where = [], [40]

    def land(spec):
        if where[0] is None:
            raise RuntimeError("no pacer")
        return where[0]

    producer = BlockStarts()
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), producer,
                     threading.Event(), said.append, land=land, tempo=tempo_at())
    ctl.handle_line("seed 3 @bar", "stdin")
    where[0] = None
    producer.start(31)
    assert handed(ctl) == [(SetSeed(3), 40, "seed 3 @bar")]
    assert said == ["a change on the beat could not be placed again (RuntimeError: no pacer); it lands on block 40, "
                    "chosen before"]


def test_a_change_after_a_held_one_of_its_kind_lands_with_it_and_one_of_another_kind_goes_at_once():
    where = [40]
    ctl, producer = held_controller(where)
    ctl.handle_line("seed 42 @bar", "stdin")
    assert ctl.handle_line("seed 7 @off", "stdin") == (
        "seed 7; it waits for block 40, where an earlier change of the same kind lands")
    assert ctl.handle_line("steps 2 @off", "stdin") == "steps 2"
    assert handed(ctl) == [(SetSteps(2), None, "steps 2 @off")]
    where[0] = 36  # a faster tempo: the bar comes sooner; the seed typed after it still goes with it, after it
    producer.start(35)
    assert handed(ctl)[1:] == [(SetSeed(42), 36, "seed 42 @bar"), (SetSeed(7), 36, "seed 7 @off")]
    assert ctl.state.seed == 7
    ctl.handle_line("seed 8 @off", "stdin")  # block 36 is next: a seed at once goes into it, after them
    producer.start(36)
    ctl.handle_line("seed 9 @off", "stdin")  # block 36 is being made: nothing waits any more
    assert handed(ctl)[3:] == [(SetSeed(8), 36, "seed 8 @off"), (SetSeed(9), None, "seed 9 @off")]


def test_a_held_change_on_the_beat_later_than_one_of_its_kind_waits_for_it():
    """`seed 1 @bar` then `seed 2 @beat`, whose beat comes first: the second lands with the first (the stream ends
    on 2), and a change on the beat behind an earlier one of a kind it shares is handed over only with or after it."""
    where = [40]
    ctl, producer = held_controller(where)
    ctl.handle_line("seed 1 @bar", "stdin")
    where[0] = 36
    assert ctl.handle_line("seed 2 @beat", "stdin") == (
        "seed 2; on the beat: it waits for block 40, where an earlier change of the same kind "
        "lands")
    where[0] = 44
    ctl.handle_line("preset ocean @4", "stdin")  # prompts and a seed: behind the seeds
    where[0] = 40
    producer.start(39)  # the seeds' block is next; the preset's boundary is that bar too now: after them
    assert [(a, b) for a, b, _ in handed(ctl)] == [(SetSeed(1), 40), (SetSeed(2), 40),
                                                   (SetPrompts({"ocean waves": 1.0}, 4), 40), (SetSeed(7), 40)]


def test_quantize_off_lands_what_waits_for_the_beat_now_in_the_order_given_and_says_what():
    """`quantize off` changed only later changes: a preset, a seed and a freeze waiting for their bar (or a bar an
    hour away, on a tempo gone wrong) still waited for it, and the reply said nothing of them."""
    now, where = [100.0], [40]
    producer = BlockStarts()
    out = io.StringIO()
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), producer,
                     threading.Event(), lambda m: None, ControlLog(out, {}), land=lambda spec: where[0],
                     tempo=tempo_at(clock=lambda: now[0]), clock=lambda: now[0])
    ctl.handle_line("preset ocean", "stdin")  # the show's quantize: bar
    assert ctl.handle_line("seed 3 @4", "stdin").endswith("block 40, where an earlier change of the same kind lands")
    ctl.handle_line("steps 2 @off", "stdin")  # nothing of its kind waits: at once
    ctl.handle_line("freeze @bar", "stdin")
    assert wait_for(lambda: screen_waiting(ctl), 60)
    producer.start(31)
    assert handed(ctl) == [(SetSteps(2), None, "steps 2 @off")]
    assert ctl.handle_line("quantize off", "stdin") == (
        "changes land at once, and so does what waited for the beat: preset, seed, freeze")
    assert ctl.state.screen == "freeze" and json.loads(out.getvalue().splitlines()[-1])["command"] == "freeze @bar"
    assert wait_for(lambda: not ctl.screen_waits.thread.is_alive(), 60)  # nothing waits for a boundary any more
    producer.start(32)  # the next block takes them, the seeds in the order given
    assert handed(ctl)[1:] == [(SetPrompts({"ocean waves": 1.0}, 4), None, "preset ocean"),
                               (SetSeed(7), None, "preset ocean"), (SetSeed(3), None, "seed 3 @4")]
    assert ctl.state.seed == 3 and ctl.handle_line("quantize off", "stdin") == "changes land at once"
    # a show file edited to quantize off does the same, and its reload's line says so
    ctl.handle_line("quantize bar", "stdin")
    ctl.handle_line("seed 5", "stdin")
    ctl.replace_show(parse_show(SHOW.replace("bar", "bar, transition: 4"), "show.yaml"))
    assert handed(ctl)[4:] == []  # an edit elsewhere: it still waits
    assert ctl.replace_show(parse_show(SHOW.replace("quantize: bar", "quantize: 'off'"), "show.yaml")) == [
        "quantize off, and what waited for the beat lands now: seed"]
    producer.start(33)
    assert handed(ctl)[4:] == [(SetSeed(5), None, "seed 5")]


def test_quantize_to_another_grid_says_what_still_waits_on_the_boundary_it_was_asked_for_and_when():
    """`quantize beat` governs later changes only: a preset, a seed and a freeze waiting for their bar still waited
    for it, and the reply said nothing of them, where `quantize off` names what it lands."""
    now, where = [100.1], [40]  # beat 200.2 of the tempo: the next bar is beat 1 of bar 52
    producer = BlockStarts()
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), producer,
                     threading.Event(), lambda m: None, land=lambda spec: where[0],
                     tempo=tempo_at(clock=lambda: now[0]), clock=lambda: now[0])
    try:
        assert ctl.handle_line("quantize beat", "stdin") == "changes land on the beat"  # nothing waits
        ctl.handle_line("preset ocean @bar", "stdin")
        ctl.handle_line("seed 3 @4", "stdin")  # with the preset's seed, on its block
        ctl.handle_line("freeze @bar", "stdin")
        assert wait_for(lambda: screen_waiting(ctl), 60)
        assert ctl.handle_line("quantize 2", "stdin") == (
            "changes land on the 2-beat grid, and what waits for the beat keeps its boundary: preset on block 40, "
            "seed on block 40, freeze on beat 1 bar 52")
        assert handed(ctl) == [] and ctl.state.screen == "live" and screen_waiting(ctl)  # it still waits
        where[0] = 44  # the generator fell behind: the bar's block is chosen again as the next block starts
        producer.start(31)
        assert handed(ctl) == []
        # a show file edited to another grid says it on the reload's line
        assert ctl.replace_show(parse_show(SHOW.replace("quantize: bar", "quantize: beat"), "show.yaml")) == [
            "quantize beat, and what waits for the beat keeps its boundary: preset on block 44, seed on block 44, "
            "freeze on beat 1 bar 52"]
        producer.start(43)  # its block is next: handed over, nothing waits for a boundary of the stream's
        assert [(a, b) for a, b, _ in handed(ctl)] == [(SetPrompts({"ocean waves": 1.0}, 4), 44), (SetSeed(7), 44),
                                                       (SetSeed(3), 44)]
        assert ctl.handle_line("quantize bar", "stdin") == (
            "changes land on the bar, and what waits for the beat keeps its boundary: freeze on beat 1 bar 52")
    finally:  # its thread (the freeze waiting for its bar) ends, whatever failed
        ctl.close()


def test_a_held_changes_prompts_are_encoded_as_it_is_typed_and_it_goes_on_its_block_once_encoded():

    encoded, gate = [], threading.Event()

    class Encoder:
        def encode(self, text):
            encoded.append(text)
            gate.wait(60)

    where = [40]
    producer = BlockStarts()
    prompter = Prompter(producer, lambda: Encoder(), lambda m: None)
    try:
        show = parse_show(SHOW, "show.yaml")
        ctl = Controller(show, ShowState(prompts={"a": 1.0}, preset=0), producer, threading.Event(),
                         lambda m: None, land=lambda spec: where[0], tempo=tempo_at(), prompter=prompter)
        ctl.handle_line("prompt a red balloon", "stdin")
        assert wait_for(lambda: encoded == ["a red balloon"], 60)  # encoded ahead, long before its block
        producer.start(39)  # its block is next, its encode not done: it goes as a block starts once it is
        assert producer.given == []
        gate.set()
        assert wait_for(lambda: all_encoded(ctl), 60)
        producer.start(40)
        assert handed(ctl) == [(SetPrompts({"a red balloon": 1.0}, 4), 40, "prompt a red balloon")]
    finally:
        gate.set()
        prompter.stop()


def all_encoded(ctl) -> bool:
    """Whether every change held on the beat has its prompts encoded: it goes as soon as a block start hands it
    over."""
    return all(held.ready == len(held.actions) for held in ctl._beat._held)


def screen_waiting(ctl) -> bool:
    """Whether a screen change waits for its boundary (its thread is asleep until then)."""
    thread = ctl.screen_waits.thread
    return thread is not None and thread.is_alive() and not ctl.screen_waits.wake.is_set()


def boundary(ctl) -> float:
    """The clock time of the beat the waiting screen change falls on, on the tempo as it is now."""
    return ctl.tempo.time_of(ctl.screen_waits.waits[0].beat)


def test_a_screen_change_on_the_beat_is_set_at_the_boundarys_time_and_logged_then():
    now = [10.0]
    out = io.StringIO()
    ctl, _, _ = controller(clock=lambda: now[0], log=ControlLog(out, {}))
    told = []
    ctl.listeners.append(lambda: told.append(ctl.state.screen))
    now[0] = 10.0 - 100.0  # the boundary (10.5 s at 120 bpm) is 100 s of this clock away while the test looks
    assert ctl.handle_line("freeze @beat", "stdin") == "screen: freeze on the beat"
    assert wait_for(lambda: screen_waiting(ctl), 60)
    assert ctl.screen_waits.waits[0].beat == -179  # the next beat after -90 s (beat -180): 120 bpm from the grid
    assert ctl.tempo.time_of(ctl.screen_waits.waits[0].beat) == pytest.approx(-89.5)
    assert ctl.state.screen == "live" and wait_for(lambda: told == ["live"], 60)  # the command's own reply
    ctl.generator.blocks = 12
    now[0] = -89.5  # the boundary comes
    ctl.screen_waits.wake.set()
    assert wait_for(lambda: ctl.state.screen == "freeze", 60)
    assert wait_for(lambda: told == ["live", "freeze"], 60)  # network clients are told when it changes
    entry = json.loads(out.getvalue().splitlines()[-1])
    assert (entry["block"], entry["command"]) == (12, "freeze @beat")
    assert entry["apply"] == SetScreen("freeze").to_dict()
    assert wait_for(lambda: not ctl.screen_waits.thread.is_alive(), 60)  # none waits: its thread is gone


def test_screen_changes_wait_in_one_thread_a_later_one_replaces_it_and_the_end_of_the_show_drops_it():
    now = [0.0]
    ctl, _, _ = controller(clock=lambda: now[0])
    for i in range(200):  # a flood of timed changes (an OSC surface): one thread, one change waiting
        ctl.handle_line("blackout @bar" if i % 2 else "freeze @bar", "osc")
    assert len([t for t in threading.enumerate() if t.name == "screen on the beat"]) == 1
    assert ctl.screen_waits.waits[0].mode == "blackout"
    # at once, and nothing waits any more: the change that waited is said as never played
    assert ctl.handle_line("live @off", "stdin") == "screen: live (in place of blackout, which waited for beat 1 bar 2)"
    assert wait_for(lambda: not ctl.screen_waits.thread.is_alive(), 60)
    assert ctl.state.screen == "live"
    ctl2, _, _ = controller(clock=lambda: now[0])
    try:
        ctl2.handle_line("blackout @bar", "stdin")
        assert wait_for(lambda: screen_waiting(ctl2), 60)
    finally:
        ctl2.close()  # the show ends; whatever failed, its waiting thread too
    assert wait_for(lambda: not ctl2.screen_waits.thread.is_alive(), 60)
    assert ctl2.state.screen == "live"



class _HeldOnItsWayOut:
    """The controller's lock, which holds the screen thread just after it let go of the lock on its way out (no
    change waiting), until `go` is set: a thread that has decided to end but is still alive."""

    def __init__(self, ctl):
        self.ctl, self.lock = ctl, ctl._lock
        self.leaving, self.go = threading.Event(), threading.Event()

    def __enter__(self):
        self.lock.acquire()

    def __exit__(self, *exc):
        self.lock.release()
        if threading.current_thread().name == "screen on the beat" and self.ctl.screen_waits.waits == [] \
                and not self.leaving.is_set():
            self.leaving.set()
            self.go.wait(60)


def test_a_screen_change_on_the_beat_asked_as_the_last_ones_thread_ends_still_waits_for_its_boundary():
    """`live` at once ends the wait of a `freeze @bar`; a `blackout @bar` asked while that thread is still on its
    way out (alive, done looking) is not left to it: a thread waits for it, and it is made at its boundary."""
    now = [0.0]
    ctl, _, _ = controller(clock=lambda: now[0])
    gate = ctl._lock = ctl.screen_waits.lock = _HeldOnItsWayOut(ctl)
    ctl.handle_line("freeze @bar", "stdin")
    assert wait_for(lambda: screen_waiting(ctl), 60)
    first = ctl.screen_waits.thread
    ctl.handle_line("live @off", "stdin")
    assert gate.leaving.wait(60)  # the first thread saw nothing waiting, and is ending
    assert ctl.handle_line("blackout @bar", "stdin") == "screen: blackout on the bar"
    gate.go.set()
    first.join(60)
    assert wait_for(lambda: screen_waiting(ctl), 60)
    now[0] = boundary(ctl)  # the boundary comes
    ctl.screen_waits.wake.set()
    assert wait_for(lambda: ctl.state.screen == "blackout", 60)


def test_a_screen_change_on_the_beat_that_fails_is_said_and_the_next_one_still_waits_for_its_boundary():
    """A change that raised ended the thread with the waiter flag set: no later change on the beat was made."""
    now = [0.0]
    ctl, said, _ = controller(clock=lambda: now[0])
    failing = [True]

    class Screen:  # the camera's: fails once, on the thread that makes the change at its boundary
        def set(self, mode):
            if threading.current_thread().name == "screen on the beat" and failing and failing.pop():
                raise RuntimeError("the camera is gone")
            ctl.state.screen = mode

    ctl.screen = Screen()
    for mode in ("freeze", "blackout"):
        ctl.handle_line(f"{mode} @bar", "stdin")
        assert wait_for(lambda: screen_waiting(ctl), 60)
        thread = ctl.screen_waits.thread
        now[0] = boundary(ctl)  # the boundary comes
        ctl.screen_waits.wake.set()
        thread.join(60)
    assert ctl.state.screen == "blackout"
    assert said.count("a screen change on the beat failed: RuntimeError: the camera is gone") == 1


def test_a_screen_change_waiting_for_its_boundary_comes_on_the_boundary_of_a_tempo_set_meanwhile():
    """`freeze @64`, then a faster tempo (a tap, `bpm`, a MIDI clock) before beat 64: the change kept the clock time
    worked out when it was typed, off the new grid; it comes when the new tempo reaches the boundary's beat."""
    now = [0.5]
    ctl, _, _ = controller(clock=lambda: now[0])  # 120 bpm, beat 0 at 0 s: beat 1 now, beat 64 at 32 s
    ctl.handle_line("freeze @64", "stdin")
    assert wait_for(lambda: screen_waiting(ctl), 60)
    assert ctl.handle_line("bpm 240", "stdin") == "tempo 240 bpm"  # the count goes on: beat 64 at 0.5 + 63 × 0.25 s
    now[0] = 16.25  # beat 64 of the new tempo comes (at 32 s on the old one: 15.75 s of waiting away)
    ctl.screen_waits.wake.set()
    assert wait_for(lambda: ctl.state.screen == "freeze", 60)


def test_a_screen_change_waiting_for_its_bar_waits_for_a_slower_tempo_and_a_count_started_over():
    now = [0.5]
    ctl, said, _ = controller(clock=lambda: now[0])
    tempo = ctl.tempo
    ctl.handle_line("blackout @bar", "stdin")
    pending = ctl.screen_waits.waits[0]
    tempo.set_bpm(60.0, "bpm")  # beat 1 at 0.5 s: the bar (beat 4) at 3.5 s, not 2 s
    now[0] = 2.0
    assert ctl.screen_waits.until(pending) == pytest.approx(1.5)
    tempo.set_bpm(120.0, "midi clock", anchor=(now[0], 0.0))  # a MIDI start: the count starts over at beat 0
    assert ctl.screen_waits.until(pending) == pytest.approx(2.0) and pending.beat == 4  # the next bar of the new count
    tempo.set_bpm(120.0, "midi clock", anchor=(now[0], 0.0), running=False)  # the transport stops: no bar comes
    assert ctl.screen_waits.until(pending) == 0.0  # at once, as a change asked now is
    now[0] = 2.1
    ctl.screen_waits.wake.set()
    assert wait_for(lambda: ctl.state.screen == "blackout", 60)
    # set at once, and said: it was set unannounced
    assert wait_for(lambda: "the tempo stopped: blackout on beat 1 bar 2 is set now, as no boundary is coming"
                    in said, 60)


class RecordedScreen:
    """The camera's screen: each change set, with the fake clock's time then."""

    def __init__(self, ctl, now: list[float]):
        self.ctl, self.now = ctl, now
        self.set_at: list[tuple[str, float]] = []

    def set(self, mode: str) -> None:
        self.ctl.state.screen = mode
        self.set_at.append((mode, self.now[0]))


class TickScreen(RecordedScreen):
    """The camera's screen on a fake clock: 30 ticks a second, frame n of the show on screen at tick n (12 frames a
    block); a change is set after the frame on screen at its moment, as vcam.live.screen.Screen does."""

    def frame(self, t: float) -> Shown:
        tick = int(t * 30)
        return Shown(tick // 12, tick % 12, tick / 30)

    def set(self, mode: str) -> Shown:
        super().set(mode)
        return self.frame(self.now[0])


BAR_CUE = SHOW + "cues:\n  - {name: drop, do: [freeze, preset ocean], at: {bar: 4}}\n"


@contextlib.contextmanager
def fast_bar_cue(show: str = BAR_CUE):
    """A bar cue at 174 bpm (a bar is 1.38 s) in a show working 1.63 s ahead of the camera (36 frames waiting, a
    block in progress): the cue fires 4.7 beats ahead of bar 4, before bar 3 has come. The controller's `land` is
    the quantizer's, each landing it planned kept in `planned`; the cue list runs on its own thread, begun, on the
    clock `now`, looked at when a test moves it (look); it is stopped and the controller closed at the end."""
    now = [0.0]
    quantizer = measured([(0, 0.0, 0.5), (1, 1.0, 1.5), (2, 2.0, None)], now, StandInPacer(waiting=36.0))
    tempo = quantizer.tempo
    tempo.set_bpm(174.0, "bpm", anchor=(0.0, 0.0))
    planned = []

    def land(spec):
        planned.append(quantizer.plan(spec, keep=False))
        return quantizer.land(spec)

    out = io.StringIO()
    ctl, _, _ = controller(show, tempo=tempo, land=land, clock=lambda: now[0], log=ControlLog(out, {"seed": 1}))
    ctl.screen = TickScreen(ctl, now)
    ctl.cues = CueList(ctl.show.cues, ctl.handle_line, lambda line: None, clock=lambda: now[0], tempo=tempo,
                       lead=quantizer.lead, lands_at=quantizer.lands_at, quantize=lambda: ctl.quantize)

    def look(t: float) -> None:
        now[0] = t
        ctl.cues.wake()
        assert wait_for(lambda: ctl.cues.looked_at == t, 60), "the cue list did not look"

    ctl.cues.start()
    try:
        ctl.cues.begin()
        yield ctl, tempo, quantizer, planned, out, look
    finally:
        ctl.cues.stop()
        ctl.close()


def test_a_bar_cue_more_than_a_bar_ahead_sets_its_screen_change_on_its_own_bar_and_logs_it_there(tmp_path):
    """The cue fired before bar 3 came: its freeze (@bar) was set on bar 3, the first bar to come, a bar before the
    bar the operator put it on, where its picture lands. It is set on bar 4, and logged with the frame on screen
    then, where a replay makes it (the frame it came after, whatever the replay's speed)."""
    with fast_bar_cue() as (ctl, tempo, quantizer, _, out, look):
        look(2.2)
        assert ctl.cues.position == 0  # bar 4 (beat 12) is 5.6 beats away: more than the show works ahead
        look(2.55)  # beat 7.4: bar 4 is 4.6 beats away, within the 4.7 the show works ahead
        assert ctl.cues.position == 1 and tempo.beat() < 8.0  # fired before bar 3
        assert wait_for(lambda: screen_waiting(ctl), 60)
        assert ctl.screen_waits.waiting() == "freeze on beat 1 bar 4"
        ctl.generator.blocks = 3
        now_bar_3 = tempo.time_of(8.0)
        look(now_bar_3 + 0.01)  # bar 3 comes and goes: the freeze still waits
        ctl.screen_waits.wake.set()
        assert wait_for(lambda: screen_waiting(ctl), 60) and ctl.state.screen == "live"
        bar_4 = tempo.time_of(12.0)
        ctl.generator.blocks = 4
        look(bar_4)
        ctl.screen_waits.wake.set()
        assert wait_for(lambda: ctl.state.screen == "freeze", 60)
        assert ctl.screen.set_at == [("freeze", bar_4)]
        entry = json.loads(out.getvalue().splitlines()[-1])
        assert (entry["command"], entry["source"]) == ("freeze @bar", "cue 1")
        assert (entry["block"], entry["shown"]) == (4, list(ctl.screen.frame(bar_4)[:2]))
        (tmp_path / "controls.jsonl").write_text(out.getvalue())
        replay = read_replay(str(tmp_path / "controls.jsonl"))
        assert [(f.frame, f.action) for f in replay.at_frames] == [(tuple(entry["shown"]), SetScreen("freeze"))]


def test_a_bar_cue_more_than_a_bar_ahead_lands_its_picture_on_its_bar_as_before():
    """Pinned: the picture change of the same cue goes on bar 4, the first bar the show can still reach, as the
    quantizer chose it before screen changes were aimed at the cue's bar (not a bar later)."""
    with fast_bar_cue() as (ctl, tempo, quantizer, planned, _, look):
        look(2.2)
        look(2.55)
        assert ctl.cues.position == 1
        assert planned and all(landing.boundary == pytest.approx(tempo.time_of(12.0)) for landing in planned)
        assert planned[0].block == quantizer.ahead(2.55).first  # the first block free: none later is nearer
        assert {at for action, at, origin in ctl.generator.given} == {planned[0].block}


TYPED_CUES = SHOW + ("cues:\n  - {name: one, do: [live]}\n  - {name: drop, do: [freeze, preset ocean]}\n"
                     "  - {name: three, do: [live]}\n")


def freeze_waits_for(ctl) -> str:
    return next(w for w in ctl.screen_waits.waiting().split(", ") if w.startswith("freeze"))


@pytest.mark.parametrize("typed, before", [("go @bar", ["go"]), ("back @bar", ["go", "go", "go"]),
                                           ("go", ["go"]), ("back", ["go", "go", "go"])])
def test_a_typed_go_at_bar_more_than_a_bar_ahead_sets_its_screen_change_with_its_picture(typed, before):
    """`go @bar` typed at 174 bpm with the show working more than a bar ahead: its freeze waited for the next bar
    (bar 3), a bar before its picture (bar 4). Both land on the bar the picture can reach; so do those of a plain
    `go` under the show's `quantize: bar`, which lands the cue's lines as `go @bar` does."""
    with fast_bar_cue(TYPED_CUES) as (ctl, tempo, _, planned, _, look):
        look(2.55)  # beat 7.4: bar 3 (beat 8) is next, the picture reaches no bar before bar 4 (beat 12)
        for line in before:
            ctl.handle_line(line, "typed")
        assert "'drop'" in ctl.handle_line(typed, "typed") and tempo.beat() < 8.0
        assert planned and planned[-1].boundary == pytest.approx(tempo.time_of(12.0))
        assert freeze_waits_for(ctl) == "freeze on beat 1 bar 4"


def test_a_timed_cue_under_the_shows_quantize_sets_its_screen_change_with_its_picture():
    """A cue at 0:00.5 fires at 174 bpm with the show working more than a bar ahead: its lines land on the show's
    `quantize: bar`, its picture on bar 4; its freeze went on bar 3, the next to come, a bar early."""
    timed = SHOW + "cues:\n  - {name: drop, do: [freeze, preset ocean], at: '0:00.5'}\n"
    with fast_bar_cue(timed) as (ctl, tempo, _, planned, _, look):
        look(2.55)  # beat 7.4, 0.55 s after going on air (at 2.0)
        assert ctl.cues.position == 1 and tempo.beat() < 8.0
        assert wait_for(lambda: screen_waiting(ctl), 60)
        assert planned and planned[-1].boundary == pytest.approx(tempo.time_of(12.0))
        assert freeze_waits_for(ctl) == "freeze on beat 1 bar 4"


def test_a_typed_go_at_bar_whose_picture_reaches_the_next_bar_sets_its_screen_change_there():
    """Pinned: at 60 bpm the show works 1.6 beats ahead, and the picture lands on the next bar, a little after the
    moment it could first show (within half a block): the screen change keeps that bar, not the one after."""
    with fast_bar_cue(TYPED_CUES) as (ctl, tempo, _, planned, _, look):
        tempo.set_bpm(60.0, "bpm", anchor=(0.0, 0.0))
        look(2.55)  # beat 2.55: bar 2 (beat 4) is 1.45 beats away, 0.18 beats short of where the show works
        ctl.handle_line("go", "typed")
        assert "'drop'" in ctl.handle_line("go @bar", "typed")
        assert planned[-1].boundary == pytest.approx(tempo.time_of(4.0))
        assert freeze_waits_for(ctl) == "freeze on beat 1 bar 2"


def test_a_screen_change_aimed_at_a_later_bar_keeps_it_and_one_aimed_at_a_bar_past_takes_the_next():
    now = [2.55]  # 120 bpm: beat 5.1
    ctl, _, _ = controller(clock=lambda: now[0])
    ctl.handle_line("freeze @bar", "cue 1", aim=12.0)
    assert ctl.screen_waits.waits[0].beat == 12.0
    assert ctl.screen_waits.until(ctl.screen_waits.waits[0]) == pytest.approx(6.0 - 2.55)  # not re-aimed
    ctl.handle_line("blackout @bar", "cue 2", aim=4.0)  # its bar has passed: the next one, as typed
    assert ctl.screen_waits.waits[0].beat == 8.0
    ctl.handle_line("live @beat", "cue 3", aim=9.5)  # its own grid's first boundary at or after the aim
    assert ctl.screen_waits.waits[-1].beat == 10.0  # after the blackout, which lands before it
    ctl.close()


def test_a_bar_cue_fired_more_than_a_bar_ahead_leaves_the_cue_before_it_to_land_on_its_own_bar():
    """At a fast tempo the cue at bar 4 fires before bar 3, where the freeze of the cue at bar 3 still waits: it
    replaced that freeze, which was never set. Each is set on its own bar, in order."""
    now = [1.3]  # 120 bpm: beat 2.6
    ctl, _, _ = controller(clock=lambda: now[0])
    ctl.screen = screen = RecordedScreen(ctl, now)
    ctl.handle_line("freeze @bar", "cue 1", aim=8.0)
    now[0] = 3.3  # beat 6.6: the cue at bar 4 fires, bar 3 still to come
    assert ctl.handle_line("live @bar", "cue 2", aim=12.0) == "screen: live on the bar"
    assert ctl.screen_waits.waiting() == "freeze on beat 1 bar 3, live on beat 1 bar 4"
    assert wait_for(lambda: screen_waiting(ctl), 60)
    now[0] = 4.0  # bar 3
    ctl.screen_waits.wake.set()
    assert wait_for(lambda: ctl.screen_waits.waiting() == "live on beat 1 bar 4" and screen_waiting(ctl), 60)
    now[0] = 6.0  # bar 4
    ctl.screen_waits.wake.set()
    assert wait_for(lambda: len(screen.set_at) == 2, 60)
    assert screen.set_at == [("freeze", 4.0), ("live", 6.0)]
    assert wait_for(lambda: not ctl.screen_waits.thread.is_alive(), 60)  # none waits: its thread is gone
    ctl.close()


def test_a_change_typed_or_aimed_at_no_later_bar_replaces_every_screen_change_waiting_and_quantize_off_sets_them():
    now = [1.3]  # beat 2.6
    ctl, _, _ = controller(clock=lambda: now[0])
    ctl.screen = screen = RecordedScreen(ctl, now)
    ctl.handle_line("freeze @bar", "cue 1", aim=8.0)
    ctl.handle_line("blackout @bar", "cue 2", aim=12.0)
    # typed: on the next bar, as one typed always did; the cues' changes it replaced are said as never played
    assert ctl.handle_line("live @bar", "stdin") == ("screen: live on the bar (in place of freeze, which waited for "
                                                      "beat 1 bar 3, and of blackout, which waited for beat 1 bar 4)")
    assert ctl.screen_waits.waiting() == "live on beat 1 bar 2"
    ctl.handle_line("freeze @bar", "cue 1", aim=8.0)
    ctl.handle_line("blackout @bar", "cue 2", aim=8.0)  # the same bar: the later one stands, the typed one before
    assert ctl.screen_waits.waiting() == "live on beat 1 bar 2, blackout on beat 1 bar 3"
    ctl.handle_line("freeze @bar", "cue 3", aim=12.0)
    assert ctl.handle_line("quantize off", "stdin") == ("changes land at once, and so does what waited for the beat: "
                                                        "live, blackout, freeze")
    assert screen.set_at == [("live", 1.3), ("blackout", 1.3), ("freeze", 1.3)]  # in the order they would land
    assert ctl.screen_waits.waiting() is None
    ctl.close()


# --- the show's quantize: --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [("bar", "bar"), ("beat", "beat"), ("off", "off"), ("2", "2"),
                                            ("0.5", "0.5"), ("'8 beats'", "8")])
def test_the_shows_quantize(text, expected):
    show = parse_show(f"defaults:\n  quantize: {text}\npresets:\n  - {{name: a, prompt: b}}\n", "s.yaml")
    assert show.defaults.quantize == expected
    assert parse_show("presets:\n  - {name: a, prompt: b}\n", "s.yaml").defaults.quantize == "off"


@pytest.mark.parametrize("text, says", [("bar", "changes land on the bar"), ("1", "changes land on the beat\n"),
                                        ("2", "changes land on the 2-beat grid\n"),
                                        ("0.5", "changes land on the 0.5-beat grid\n"), ("off", None)])
def test_vcam_check_says_when_changes_land(tmp_path, capsys, text, says):
    from vcam.cli import main

    path = tmp_path / "show.yaml"
    path.write_text(f"defaults:\n  quantize: {text}\npresets:\n  - {{name: a, prompt: b}}\n")
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert (says in out) if says else ("changes land" not in out)


@pytest.mark.parametrize("text, message", [("sometimes", "not 'sometimes'"), ("yes", "not yes"),
                                           ("0", "out of range"), ("[1]", "not a list or mapping")])
def test_a_wrong_quantize_in_a_show_is_named_with_its_line(text, message):
    with pytest.raises(ConfigError) as e:
        parse_show(f"name: x\ndefaults:\n  seed: 1\n  quantize: {text}\npresets:\n  - {{name: a, prompt: b}}\n",
                   "s.yaml")
    assert "s.yaml:4: defaults quantize" in str(e.value) and message in str(e.value)


# --- the control log: a quantised change at the block it landed on, and its replay ----------------------------

class SeedStream:
    """Frames that carry the seed they were made with; remembers each block's seed."""

    device = torch.device("cpu")

    def __init__(self):
        self.seed = 1
        self.seeds: list[int] = []

    def next_block(self):
        self.seeds.append(self.seed)
        time.sleep(0.02)
        return np.full((4, 2, 2, 3), self.seed, np.uint8)

    def set_seed(self, seed):
        self.seed = seed

    def set_prompt(self, prompts, transition=0):
        pass

    def fall_back_to_eager(self, e):
        return None


def made_by(stream, limit=None):
    """A generator on `stream` (not started) with a fast camera, and what the camera saw: ("frame", seed) and the
    pacer's ("shown", block) reports, in order."""
    pacer = Pacer(PacerSettings(fps=1000.0))  # a fast camera: the generator is never held back
    stop = threading.Event()
    events: list[tuple] = []
    pacer.on_block_shown(lambda block, t: events.append(("shown", block)))
    threading.Thread(target=pacer.run, args=(lambda f, tick: events.append(("frame", int(f[0, 0, 0]))), stop),
                     daemon=True).start()
    gen = Generator(lambda report: stream, pacer, lambda m: None)
    gen.limit = limit
    return gen, stop, events


def test_a_quantised_change_is_logged_at_the_block_it_landed_on_and_replays_exactly(tmp_path):
    stream = SeedStream()
    gen, stop, events = made_by(stream)
    gen.start()
    path = tmp_path / "controls.jsonl"
    log = ControlLog(open(path, "w"), {"seed": 1})
    landing = []

    def land(spec):  # a boundary 6 blocks on from where it is asked, which stays there as blocks are made
        if not landing:
            landing.append(gen.submitted + 6)
        return landing[0]

    ctl = Controller(None, ShowState(prompts={"a": 1.0}), gen, stop, lambda m: None, log, land=land,
                     tempo=tempo_at())
    try:
        assert wait_for(lambda: gen.blocks >= 3, 60)
        reply = ctl.handle_line("seed 42 @bar", "stdin")
        (k,) = landing
        assert reply == f"seed 42; on the bar, block {k}"
        assert wait_for(lambda: gen.blocks >= k + 3, 60)
    finally:
        gen.stop()
        stop.set()
    log.end(gen.blocks)
    assert stream.seeds[k - 1] == 1 and stream.seeds[k] == 42  # block k is the first made with it
    # the pacer's report of block k's first frame came just before the first frame with the new seed
    at = events.index(("shown", k))
    assert events[at + 1] == ("frame", 42) and ("frame", 42) not in events[:at]
    entries = [json.loads(line) for line in path.read_text().splitlines()]
    assert [(e["block"], e["command"]) for e in entries if "apply" in e and e["apply"]["op"] != "tempo"] == [
        (k, "seed 42 @bar")]

    replay = read_replay(str(path))
    again = SeedStream()
    gen2, stop2, _ = made_by(again, limit=replay.end_block)
    replay.schedule(gen2, ShowState(prompts={"a": 1.0}))
    gen2.start()
    try:
        assert wait_for(lambda: gen2.state == "stopped", 60)
    finally:
        gen2.stop()
        stop2.set()
    assert again.seeds == stream.seeds[:len(again.seeds)] and len(again.seeds) == replay.end_block


def test_a_refused_change_lands_nowhere():
    ctl, _, landed = controller()
    assert ctl.handle_line("preset moon @bar", "stdin").startswith("error: no preset named 'moon'")
    assert landed == [] and ctl.generator.given == []
    ctl.handle_line("next @beat", "stdin")
    assert landed == ["beat"]



class Jobs:
    """Stands in for the prompter: keeps each hand-over for the test to finish (its prompts encoded) when it says."""

    def __init__(self):
        self.jobs: list[tuple] = []

    def hand_over(self, action, at_block=None, origin=None, to=None) -> None:
        self.jobs.append((action, at_block, origin, to))

    def done(self) -> None:
        """The next hand-over encoded: given on, as the prompter's thread does."""
        action, at_block, origin, to = self.jobs.pop(0)
        (to or self.generator).submit(action, at_block=at_block, origin=origin)


class Applied:
    """A stream that keeps which change the generator applied before which block."""

    device = torch.device("cpu")

    def __init__(self):
        self.gen: Generator | None = None
        self.set: list[tuple] = []

    def set_prompt(self, prompts, transition=0):
        self.set.append(("prompts", self.gen.submitted))

    def set_seed(self, seed):
        self.set.append(("seed", self.gen.submitted))


def block_starts(gen: Generator, block: int) -> None:
    """The generator's turn at `block`: told as it starts, then its controls taken (what _loop does)."""
    gen.submitted = block
    for listener in gen.starting:
        listener(block)
    gen._apply_controls()


def _stepped(state: ShowState | None = None) -> tuple[Applied, Generator, Jobs, Controller]:
    """A controller over a generator stepped by hand (block 39 made, 40 next) and a prompter whose encodes the test
    finishes one by one; the show's first preset on air unless `state` says otherwise."""
    stream, jobs = Applied(), Jobs()
    gen = Generator(lambda report: stream, Pacer(PacerSettings(fps=30.0)), lambda m: None)
    gen.stream, gen.submitted, stream.gen, jobs.generator = stream, 40, gen, gen
    ctl = Controller(parse_show(SHOW, "show.yaml"), state or ShowState(prompts={"a": 1.0}, preset=0), gen,
                     threading.Event(), lambda m: None, land=lambda spec: 40, tempo=tempo_at(), prompter=jobs)
    return stream, gen, jobs, ctl


@pytest.mark.parametrize("line, reply_ends", [("preset ocean", "on the bar, block 40"), ("preset ocean @off", "")])
def test_a_commands_actions_encoded_one_by_one_still_go_into_one_block(line, reply_ends):
    """`preset ocean` on the bar whose block is the next one already, or at once: the prompter gave on its prompts
    and its seed one by one, and a generator that took its controls in between made the prompts in one block and
    the seed in the next. A command's actions go to the generator together, once all are encoded, as a block
    starts (a block late where its encode was)."""
    stream, gen, jobs, ctl = _stepped()
    reply = ctl.handle_line(line, "stdin")
    assert reply.startswith("preset 2 'ocean'") and reply.endswith(reply_ends)
    jobs.done()  # its prompts encoded
    block_starts(gen, 40)
    jobs.done()  # its seed
    block_starts(gen, 41)
    assert stream.set == [("prompts", 41), ("seed", 41)]


def _on_the_bar_at_40():
    """A controller whose changes on the bar land at block 40, its prompts encoded by `jobs` as a test says."""
    stream, jobs, said = Applied(), Jobs(), []
    gen = Generator(lambda report: stream, Pacer(PacerSettings(fps=30.0)), lambda m: None)
    gen.stream, gen.submitted, stream.gen, jobs.generator = stream, 40, gen, gen
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), gen,
                     threading.Event(), said.append, land=lambda spec: 40, tempo=tempo_at(), prompter=jobs)
    return stream, jobs, said, gen, ctl


def test_a_preset_on_the_beat_encoded_after_its_block_started_says_the_block_it_lands_on():
    """Its reply named block 40, its text was still being encoded as block 40 started, and it went into block 41
    (where the control log has it) without a word: the operator's line and the log named different blocks."""
    stream, jobs, said, gen, ctl = _on_the_bar_at_40()
    assert ctl.handle_line("preset ocean", "stdin").endswith("on the bar, block 40")
    block_starts(gen, 40)  # its prompts are not encoded yet
    jobs.done()
    jobs.done()
    block_starts(gen, 41)
    block_starts(gen, 42)
    assert stream.set == [("prompts", 41), ("seed", 41)]
    assert said == ["preset lands on block 41, not block 40 as said: its text was still being encoded as block 40 "
                    "started"]
    said.clear()
    assert ctl.handle_line("preset city", "stdin").endswith("on the bar, block 43")  # the next block to start
    jobs.done()
    block_starts(gen, 43)  # encoded in time for the block it went into
    assert said == [] and stream.set[-1] == ("prompts", 43)


def test_one_change_at_once_goes_on_as_it_is_encoded():
    stream, gen, jobs, ctl = _stepped()
    ctl.handle_line("seed 9 @off", "stdin")  # one change alone goes on as it is encoded, as before
    jobs.done()
    block_starts(gen, 40)
    assert stream.set[-1] == ("seed", 40) and not ctl._beat._held


def test_a_reloads_edit_of_the_preset_on_air_goes_into_one_block():
    """An edit of the preset on air that changes its prompt and its seed puts both on air in one block, as a
    command's changes go: handed over one by one through the prompter, the generator could make the new prompt in
    one block and the new seed in the next."""
    stream, gen, jobs, ctl = _stepped(ShowState(prompts={"ocean waves": 1.0}, preset=1, seed=7))
    said = ctl.replace_show(parse_show(SHOW.replace("ocean waves, seed: 7", "deep ocean waves, seed: 9"),
                                       "show.yaml"))
    assert said == ["preset 2 'ocean' on air: prompt (over 4 blocks), seed 9"]
    jobs.done()  # its prompt encoded
    block_starts(gen, 40)
    jobs.done()  # its seed
    block_starts(gen, 41)
    assert stream.set == [("prompts", 41), ("seed", 41)] and not ctl._beat._held


# --- under load: commands from several threads, the prompter and the generator on theirs -------------------------

class SettingsStream:
    device = torch.device("cpu")

    def __init__(self):
        self.seed, self.prompts = 0, {}

    def next_block(self):
        time.sleep(0.0005)
        return np.zeros((2, 2, 2, 3), np.uint8)

    def set_seed(self, seed):
        self.seed = seed

    def set_prompt(self, prompts, transition=0):
        self.prompts = dict(prompts)

    def fall_back_to_eager(self, e):
        return None


class SlowEncoder:
    def __init__(self, rng):
        self.rng = rng

    def encode(self, text):
        time.sleep(self.rng.random() * 0.003)


def test_changes_on_the_beat_from_many_threads_each_land_once_together_and_in_order():
    """Four operators type on and off the beat as fast as they can, the prompter encodes, the generator makes
    blocks: no command waits for ever, no change is made twice, a command's changes go into one block,
    and the stream ends where the state says (the order of each kind of change kept)."""
    stream = SettingsStream()
    pacer = Pacer(PacerSettings(fps=2000.0))
    stop = threading.Event()
    threading.Thread(target=pacer.run, args=(lambda f, tick: None, stop), daemon=True).start()
    gen = Generator(lambda report: stream, pacer, lambda m: None)
    applied: list[tuple] = []
    gen.on_applied(lambda action, block, origin: applied.append((action, block, origin)))
    prompter = Prompter(gen, lambda: SlowEncoder(random.Random(1)), lambda m: None)
    grid = {"beat": 2, "bar": 5}

    def land(spec):  # the next multiple of the grid after the block in progress
        step = grid.get(spec, 3)
        return (gen.submitted // step + 1) * step

    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), gen, stop,
                     lambda m: None, land=land, tempo=tempo_at(), prompter=prompter)
    gen.start()

    waited: set[str] = set()  # commands with a change that waits behind an earlier one of its kind (said so)

    def typist(n: int) -> None:
        rng = random.Random(n)
        for i in range(150):
            line = rng.choice([f"seed {n * 1000 + i}", "next", "preset ocean", f"prompt p{n}-{i}"])
            line += rng.choice(["", " @beat", " @bar", " @off", " @3"])
            if "it waits for block" in ctl.handle_line(line, f"typist {n}.{i}"):
                waited.add(f"typist {n}.{i}: {line}")
            time.sleep(rng.random() * 0.004)

    try:
        typists = [threading.Thread(target=typist, args=(n,), daemon=True) for n in range(4)]
        for t in typists:
            t.start()
        for t in typists:
            t.join(60)
            assert not t.is_alive(), "a command never returned"
        held = ctl._beat._held

        def landed() -> bool:  # nothing held, the stream where the state says (a change at once applied too)
            return not held and (stream.seed, stream.prompts) == (ctl.state.seed, ctl.state.prompts)

        assert wait_for(landed, 60), held
        made = gen.submitted
        assert wait_for(lambda: gen.submitted > made + 12, 60)  # every block a change was handed over for is made
    finally:
        gen.stop(10)
        prompter.stop()
        stop.set()
    by_command: dict[str, set[int]] = {}
    for action, block, origin in applied:
        by_command.setdefault(f"{origin.source}: {origin.command}", set()).add(block)
    # a command's actions in one block, on the beat or at once, but for those of a kind an earlier change on the
    # beat still waited with, which land with it (the order of each kind kept), as the command's reply says
    split = {c: b for c, b in by_command.items() if len(b) > 1 and c not in waited}
    twice = [k for k, n in Counter((type(a), o) for a, _, o in applied).items() if n > 1]
    assert not twice, twice
    assert not split, split
    assert stream.seed == ctl.state.seed and stream.prompts == ctl.state.prompts


# --- the quantizer's figures, one by one, under a stand-in pacer ---------------------------------------------------

class StandInPacer:
    """What the quantizer reads of the pacer: the frames waiting, the production rate and the camera's fps."""

    def __init__(self, waiting: float = 0.0, production_fps: float = 60.0, fps: float = 30.0):
        self.settings = PacerSettings(fps=fps)
        self.stats = PacerStats(production_fps=production_fps)
        self._waiting = waiting

    def waiting(self) -> float:
        return self._waiting

    def on_block_shown(self, listener) -> None:
        pass


def test_a_running_figure_averages_steady_measures_and_takes_a_new_one_only_when_it_holds():
    figure = Running()
    figure.add(1.0)
    figure.add(1.2)
    assert figure.value == pytest.approx(1.06)  # 30 % of a new measure
    figure.add(2.0)  # a hiccup: left out
    assert figure.value == pytest.approx(1.06)
    figure.add(1.1)  # steady again: the hiccup is forgotten
    figure.add(2.0)
    assert figure.value == pytest.approx(0.7 * 1.06 + 0.3 * 1.1)
    figure.add(2.0)  # twice the same way: a new figure, at once
    assert figure.value == 2.0


def measured(starts_made: list[tuple[int, float, float | None]], now: list[float], pacer=None) -> Quantizer:
    """A quantizer told of blocks (number, started at, made at or None: still in progress) of 12 frames."""
    quantizer = Quantizer(pacer or StandInPacer(), tempo_at(120.0, clock=lambda: now[0]), clock=lambda: now[0])
    for block, start, made in starts_made:
        now[0] = start
        quantizer.block_started(block)
        if made is not None:
            now[0] = made
            quantizer.block_made([None] * 12)
    return quantizer


def test_the_period_of_blocks_is_per_block_and_a_retried_block_is_no_new_start():
    now = [0.0]
    quantizer = measured([(0, 0.0, 0.5), (2, 2.0, 2.5), (2, 2.4, 2.9), (3, 3.0, 3.5)], now)
    # 0 to 2 in 2 s: 1 s a block (a number skipped); block 2 again is a retry, not a block 0.4 s long
    assert quantizer.ahead(3.6).period == pytest.approx(1.0)


def test_the_first_block_free_shows_after_the_frames_ahead_of_it_and_not_before_it_is_made():
    """Blocks start every second and take 0.5 s to make; the camera plays 30 fps (the pacer measured 60: faster
    than the camera, which sets the pace)."""
    now = [0.0]
    quantizer = measured([(0, 0.0, 0.5), (1, 1.0, 1.5), (2, 2.0, None)], now)
    frame = 1 / 30
    # block 2 in progress: block 3 starts at 3.0 at the earliest, is made by 3.5, its first frame a tick later
    assert quantizer.ahead(2.2) == Ahead(3, pytest.approx(3.5 + frame), 1.0)
    # block 2 late (still making at 3.4): block 3 cannot start before now
    assert quantizer.ahead(3.4).shown_at == pytest.approx(3.4 + 0.5 + frame)
    # with a block and more waiting in the pacer, those frames are what it waits for
    quantizer.pacer._waiting = 30.0
    assert quantizer.ahead(2.2).shown_at == pytest.approx(2.2 + (30 + 12 + 1) * frame)


def test_between_blocks_the_next_one_starts_a_period_after_the_last_start():
    """The generator waits (the pacer full) after block 2 made at 2.5: block 3 starts at 3.0, not now."""
    now = [0.0]
    quantizer = measured([(0, 0.0, 0.5), (1, 1.0, 1.5), (2, 2.0, 2.5)], now)
    assert quantizer.ahead(2.7) == Ahead(3, pytest.approx(3.0 + 0.5 + 1 / 30), 1.0)


def test_a_later_beat_is_aimed_at_only_where_a_block_meets_it_clearly_better():
    """Beats every 0.5 s, blocks every second: the next free block's first frame (3.533 s) falls 0.26 s after one
    beat and 0.24 s before the next; less than a camera frame better, the later beat is not worth the wait."""
    now = [0.0]
    quantizer = measured([(0, 0.0, 0.5), (1, 1.0, 1.5), (2, 2.0, None)], now)
    now[0] = 2.2
    shown_at = quantizer.ahead().shown_at
    quantizer.tempo.set_bpm(120.0, "bpm", anchor=(shown_at - 0.26, 0.0))
    landing = quantizer.plan("beat", keep=False)
    assert landing.boundary == pytest.approx(shown_at - 0.26) and landing.block == 3


def test_a_change_whose_block_is_the_next_one_goes_there_whatever_is_planned_after():
    """Typed when its block is the next to be made, a change is handed over at once: nothing later can come nearer
    its boundary, and a plan that moves meanwhile does not move it."""
    where = [31]
    ctl, producer = held_controller(where)  # block 30 is being made
    ctl.handle_line("preset ocean", "stdin")
    where[0] = 35
    producer.start(31)
    assert [at for _, at, _ in handed(ctl)] == [31, 31]


def test_a_later_change_of_a_kind_waits_behind_an_earlier_one_even_where_its_own_boundary_comes_first():
    """`preset ocean @bar` (its seed 7) lands on block 44; `seed 5 @beat`, typed after it, planned for 46, then
    comes nearer (block 41) as a tempo moves: it waits for the preset, so that the stream ends on seed 5 as typed."""
    plans = {"bar": 44, "beat": 46}
    producer = BlockStarts()
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), producer,
                     threading.Event(), lambda m: None, land=lambda spec: plans[spec], tempo=tempo_at())
    ctl.handle_line("preset ocean @bar", "stdin")
    ctl.handle_line("seed 5 @beat", "stdin")
    plans["beat"] = 41
    for block in range(31, 44):
        producer.start(block)
    seeds = [(action.seed, at) for action, at, _ in handed(ctl) if isinstance(action, SetSeed)]
    assert seeds == [(7, 44), (5, 44)]


def test_a_change_joined_to_one_on_the_beat_that_is_late_names_only_the_commands_late():
    """A seed given while a preset on the bar waited joined it; the preset went into the block said, the seed's
    change a block later: the late line named both."""
    stream, jobs, said, gen, ctl = _on_the_bar_at_40()
    assert ctl.handle_line("preset ocean", "stdin").endswith("on the bar, block 40")
    ctl.handle_line("seed 7 @bar", "stdin")
    jobs.done()
    jobs.done()
    block_starts(gen, 40)  # the preset's prompts and seed encoded: in as said
    jobs.done()
    block_starts(gen, 41)
    block_starts(gen, 42)
    assert ("prompts", 40) in stream.set and ("seed", 41) in stream.set
    assert said == ["seed lands on block 41, not block 40 as said: its text was still being encoded as block 40 "
                    "started"], said


def test_a_reply_refuses_one_note_given_bare_which_it_would_join_letter_by_letter():
    from vcam.control.replies import Reply

    assert Reply("input a", ["note"]) == "input a; note"
    with pytest.raises(TypeError, match="sequence of notes"):
        Reply("input a", "note")


def test_a_change_given_its_own_timing_without_a_tempo_says_in_its_reply_that_it_lands_at_once():
    """`next @bar` with no tempo: the line saying changes land at once is said once, on the console; a second
    `@bar` (or one sent by a network client, who never sees that line) was answered as if on time. Each reply says
    when it lands instead, and why."""
    ctl, said, landed = controller(tempo=tempo_at(None))
    ctl.handle_line("seed 3 @beat", "stdin")
    assert ctl.handle_line("next @bar", "stdin") == ("preset 2 'ocean' (over 4 blocks), seed 7; it lands from the "
                                                     f"next block, not on the bar; {NO_TEMPO}")
    assert ctl.handle_line("seed 5 @4", "stdin") == f"seed 5; it lands from the next block, not on the 4-beat grid; " \
                                                    f"{NO_TEMPO}"
    assert ctl.handle_line("freeze @bar", "stdin") == f"screen: freeze; it is set at once, not on the bar; {NO_TEMPO}"
    assert ctl.state.screen == "freeze" and landed == []
    # the show's quantize alone, or @off, asked for nothing the reply must answer
    assert ctl.handle_line("seed 6", "stdin") == "seed 6 from the next block"
    assert ctl.handle_line("seed 8 @off", "stdin") == "seed 8 from the next block"


def test_a_change_given_its_own_timing_without_a_tempo_says_why_on_the_console_once_not_twice():
    """The first `next @bar` with no tempo had the console say the sources of a tempo twice, in two wordings (the
    reply's without --link): a reply said on the console says it alone, in the one wording; a network client's
    reply goes back to that client, and the console has the line."""
    ctl, said, _ = controller(tempo=tempo_at(None))
    for source in ("stdin", "midi", "osc", "cue 2"):
        assert ctl.handle_line("seed 3 @beat", source).endswith(f"; {NO_TEMPO}")
    assert said == []
    assert ctl.handle_line("seed 4 @beat", "net cam").endswith(f"; {NO_TEMPO}")
    assert said == [f"{NO_TEMPO} (until then, changes asked on the beat land at once)"]
    assert "--link" in NO_TEMPO


def test_no_tempo_names_a_link_peer_as_a_source_not_the_flag_alone():
    """--link with no other peer in the session gives no tempo: the line told the operator who had given --link to
    give it."""
    ctl, said, _ = controller(tempo=tempo_at(None))
    ctl.handle_line("next @bar", "net cam")
    assert said == ["no tempo yet: tap, bpm N, a MIDI clock or a peer in the Link session (--link) gives one (until "
                    "then, changes asked on the beat land at once)"]
    assert ctl.handle_line("quantize beat", "stdin") == ("changes land on the beat (no tempo yet: tap, bpm N, a MIDI "
                                                         "clock or a peer in the Link session (--link) gives one)")


def test_the_blocks_spacing_is_said_only_where_it_explains_the_miss():
    """A change off its boundary by more than half the blocks' spacing (and a frame) missed for another reason than
    the spacing: "(blocks 0.6 s apart)" after "on beat -450 ms" pointed at the spacing, which cannot explain it."""
    from vcam.live.quantize import Landing

    quantizer = Quantizer(Pacer(PacerSettings(fps=30.0)), tempo_at(120.0), clock=lambda: 0.0)
    frame = 1 / 30.0
    for offset, said in ((0.3 + frame - 1e-6, " (blocks 0.6 s apart)"), (-0.3 - frame + 1e-6, " (blocks 0.6 s apart)"),
                         (0.3 + frame + 1e-3, ""), (-0.45, ""), (2 * frame - 1e-6, "")):
        quantizer.last = Landing(40, 10.0, 10.0, 39, offset=offset, period=0.6)
        assert quantizer.status() == f"on beat {offset * 1000:+.0f} ms{said}", offset
    quantizer.last = Landing(40, 10.0, 10.0, 39, offset=0.2, period=0.0)  # no spacing known
    assert quantizer.status() == "on beat +200 ms"


def test_status_says_what_still_waits_for_the_beat():
    """`preset ocean @bar` then `status` printed "preset 2 'ocean'" as if the preset were on air, with nothing to say
    that the picture on air was still preset 1's until the bar; a freeze waiting for the bar read as "screen live"."""
    now, where = [100.1], [40]
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), BlockStarts(),
                     threading.Event(), lambda m: None, land=lambda spec: where[0],
                     tempo=tempo_at(clock=lambda: now[0]), clock=lambda: now[0])
    assert "waiting" not in ctl.handle_line("status", "stdin")
    ctl.handle_line("preset ocean @bar", "stdin")
    ctl.handle_line("freeze @bar", "stdin")
    assert wait_for(lambda: screen_waiting(ctl), 60)
    assert ctl.handle_line("status", "stdin").endswith(
        " | waiting for the beat: preset on block 40, freeze on beat 1 bar 52")
    ctl.handle_line("quantize off", "stdin")  # all of it lands now
    assert "waiting" not in ctl.handle_line("status", "stdin")


def test_a_change_on_the_beat_placed_again_once_the_show_stops_is_not_said():
    """`preset 2 @bar` then Ctrl-C: "preset lands on block 11, not block 8 as said: the generator's pace or the tempo
    moved" came after "stopping", of a change the show closed before."""
    now, where, said, stop = [100.1], [40], [], threading.Event()
    producer = BlockStarts()
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), producer, stop,
                     said.append, land=lambda spec: where[0], tempo=tempo_at(clock=lambda: now[0]),
                     clock=lambda: now[0])
    ctl.handle_line("preset ocean @bar", "stdin")
    where[0] = 44  # the blocks' pace moved: its bar's block is chosen again as the next block starts
    producer.start(43)
    assert [line for line in said if "not block 40 as said" in line]  # said while the show runs
    said.clear()
    ctl.handle_line("preset 1 @bar", "stdin")
    stop.set()
    where[0] = 48
    producer.start(47)
    assert said == []


def test_a_change_still_waiting_for_its_beat_as_the_show_stops_is_said_as_not_played():
    """A preset asked on the bar, a seed on a 4-beat grid and a freeze on the bar, none of which came before the show
    stopped: the end names each, with what it was waiting for, in one line, where they were dropped unsaid."""
    now, where = [100.1], [40]  # beat 200.2: the next bar is beat 1 of bar 52
    producer = BlockStarts()
    stop = threading.Event()
    said: list[str] = []
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), producer, stop,
                     said.append, land=lambda spec: where[0], tempo=tempo_at(clock=lambda: now[0]),
                     clock=lambda: now[0])
    try:
        ctl.handle_line("preset ocean @bar", "stdin")
        ctl.handle_line("steps 2 @4", "stdin")
        ctl.handle_line("freeze @bar", "stdin")
        assert wait_for(lambda: screen_waiting(ctl), 60)
        stop.set()  # the show stops first; its parts are closed after
        assert wait_for(lambda: not ctl.screen_waits.thread.is_alive(), 60)
    finally:
        stop.set()
        ctl.close()
    assert [line for line in said if line.startswith("not played")] == [
        "not played: preset ocean (was waiting for the bar), steps 2 (was waiting for the 4-beat grid), "
        "freeze (was waiting for beat 1 bar 52)"]
    assert handed(ctl) == [] and ctl.state.screen == "live"


def test_a_change_not_played_is_said_with_only_its_timing_taken_off():
    """A prompt's own @ words and its spaces are its text: `prompt a cat @night @bar` was said as "prompt a cat",
    `prompt meet @ dawn @bar` as "prompt meet dawn"; a change waiting for the show's quantize has no @ to take."""
    now, where = [100.1], [40]
    stop = threading.Event()
    said: list[str] = []
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), BlockStarts(), stop,
                     said.append, land=lambda spec: where[0], tempo=tempo_at(clock=lambda: now[0]),
                     clock=lambda: now[0])
    try:
        for line in ("prompt a cat @night @bar", "prompt meet @ dawn @bar", "prompt two  spaces @bar", "seed 5"):
            ctl.handle_line(line, "stdin")
    finally:
        stop.set()
        ctl.close()
    assert [line for line in said if line.startswith("not played")] == [
        "not played: prompt a cat @night (was waiting for the bar), prompt meet @ dawn (was waiting for the bar), "
        "prompt two  spaces (was waiting for the bar), seed 5 (was waiting for the bar)"]


def test_a_show_that_stops_with_nothing_waiting_for_its_beat_says_nothing_of_it():
    """Every change on the beat already handed over, or asked at once: no "not played" line at the end."""
    where = [31]
    producer = BlockStarts()
    said: list[str] = []
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"a": 1.0}, preset=0), producer,
                     threading.Event(), said.append, land=lambda spec: where[0], tempo=tempo_at())
    ctl.handle_line("preset ocean @bar", "stdin")  # its block is the next one: handed over at once
    ctl.handle_line("seed 4 @off", "stdin")
    producer.start(31)
    ctl.close()
    assert handed(ctl) and not [line for line in said if line.startswith("not played")]


@pytest.mark.parametrize("line, reply", [
    ("blackout @off", "screen: blackout (in place of freeze, which waited for beat 1 bar 2)"),
    # on the show's bar, the same one: the later change stands, and the one it replaced is said
    ("blackout", "screen: blackout on the bar (in place of freeze, which waited for beat 1 bar 2)"),
    ("freeze @off", "screen: freeze"),  # the same screen, at once: nothing is lost
])
def test_a_screen_change_that_replaces_a_freeze_waiting_for_the_bar_says_the_freeze_is_not_played(line, reply):
    """`freeze @bar`, then `blackout` at once: the freeze that waited was dropped, and nothing said so (the operator
    waited for a freeze after the blackout that never came)."""
    ctl, _, _ = controller(clock=lambda: 1.0)
    assert ctl.handle_line("freeze @bar", "stdin") == "screen: freeze on the bar"
    assert ctl.handle_line(line, "stdin") == reply
    assert ctl.screen_waits.waiting() in (None, "blackout on beat 1 bar 2")
    ctl.close()
