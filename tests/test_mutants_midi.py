"""Edges of vcam's MIDI and beat logic that mutation testing found no test for: each test fails where the code is
changed in the way its docstring says."""
from types import SimpleNamespace

import mido
import pytest

from test_midi_14bit import rig
from test_quantize import measured
from test_tempo import _clock_for, fake_tempo
from vcam.control.actions import Origin, SetPrompts, SetSeed
from vcam.control.commands import MAX_CLOCK_BPM, MIN_CLOCK_BPM
from vcam.control.faders import PARAMS, StateTrail, scaled
from vcam.control.midiclock import FLAP_CHANGES, MidiClock
from vcam.control.midi import Turned
from vcam.control.midifine import HALF, Halves, Moved
from vcam.control.midiinput import MidiInput
from vcam.control.midilearn import Learner, learn_line
from vcam.control.onbeat import OnTheBeat
from vcam.control.show import parse_show
from vcam.control.tempo import QUIET_S
from vcam.control.throttle import ErrorThrottle
from vcam.live.quantize import Running

SHOW = """\
presets:
  - {name: city, prompt: a neon city}
midi:
  controls:
    - {nrpn: 300, param: strength}
    - {cc: 1, bits: 14, param: blend, channel: 2}
"""


def cc(control: int, value: int, channel: int = 0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


def _map():
    return parse_show(SHOW, "show.yaml").midi


def _pick_nrpn(halves, mapping, number, channel=0):
    assert halves.feed(mapping, channel, 99, number >> 7) == HALF
    assert halves.feed(mapping, channel, 98, number & 127) == HALF


def test_an_rpn_picked_after_an_nrpn_takes_data_entry_away_from_the_nrpn_knob():
    """CC 101/100 pick an RPN (pitch bend range): the data entry that follows is the instrument's setting, and moved
    the NRPN knob picked before where the RPN's pick was not kept."""
    mapping, halves = _map(), Halves()
    _pick_nrpn(halves, mapping, 300)
    moved = halves.feed(mapping, 0, 6, 64)
    assert isinstance(moved, Moved) and moved.value == 64 << 7
    assert halves.feed(mapping, 0, 101, 0) is None and halves.feed(mapping, 0, 100, 0) is None
    assert halves.feed(mapping, 0, 6, 12) == HALF
    assert halves.feed(mapping, 0, 38, 0) == HALF


def test_after_a_reconnect_data_entry_moves_no_nrpn_knob_until_its_number_is_sent_again():
    """The NRPN picked before an unplug is stale (the controller may be another): data entry alone moved its knob."""
    mapping, halves = _map(), Halves()
    _pick_nrpn(halves, mapping, 300)
    assert isinstance(halves.feed(mapping, 0, 6, 10), Moved)
    halves.forget()
    assert halves.feed(mapping, 0, 6, 11) == HALF
    _pick_nrpn(halves, mapping, 300)
    assert halves.feed(mapping, 0, 6, 11).value == 11 << 7


def test_after_a_reconnect_the_same_coarse_half_moves_the_knob_again():
    """The coarse half heard before an unplug is forgotten: the same step again moves the knob at once, where it
    was taken as a repeat of the old one and moved nothing."""
    mapping, halves = _map(), Halves()
    assert halves.feed(mapping, 2, 1, 64) is None  # `channel: 2` is mido's channel 1 (0-15)
    assert halves.feed(mapping, 1, 1, 64).value == 64 << 7
    assert halves.feed(mapping, 1, 1, 64) == HALF  # the same step, before the unplug: its fine half says where
    halves.forget()
    moved = halves.feed(mapping, 1, 1, 64)
    assert isinstance(moved, Moved) and moved.value == 64 << 7 and moved.coarse
    assert halves.feed(mapping, 1, 33, 5).value == 64 << 7 | 5


def test_a_line_after_a_quiet_window_is_said_without_a_count_of_none():
    """A window that passed with nothing held back: the next line is said as it is, not with "(and 0 more ...)"."""
    throttle = ErrorThrottle(every=2.0)
    assert throttle.admit(("cc", 1), "strength 0.4 refused", 0.0) == "strength 0.4 refused"
    assert throttle.admit(("cc", 1), "strength 0.5 refused", 3.0) == "strength 0.5 refused"


def test_the_others_window_leaves_room_for_a_control_of_its_own():
    """OTHERS stands for the controls past `most` and is none of them: once the watched ones' windows pass, a new
    control is said in its own words, where OTHERS' open window held it back unsaid."""
    throttle = ErrorThrottle(every=2.0, most=1)
    assert throttle.admit(("a",), "a failed", 0.0) == "a failed"
    assert throttle.admit(("b",), "b failed", 0.5) == "b failed"  # said under OTHERS
    assert throttle.watching() == 2  # a's window and OTHERS'
    assert throttle.admit(("c",), "c failed", 2.1) == "c failed"


def _ticked(bpm: float, count: int, start: bool = True):
    """A MidiClock on a tempo of the fake clock, given a start and then `count` ticks at `bpm`."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    if start:
        midi_clock.handle(mido.Message("start"), clock.now)
    _ticks(midi_clock, clock, bpm, count)
    return tempo, clock, midi_clock


def _ticks(midi_clock, clock, bpm: float, count: int) -> None:
    for _ in range(count):
        clock.now += 60 / bpm / 24
        midi_clock.handle(mido.Message("clock"), clock.now)


def test_a_stop_with_no_clock_after_it_freezes_the_beat_at_once():
    """A DAW that sends no clock while stopped: the stop itself halts the beat where it was, where the beat ran on
    at the last tempo until a tick came."""
    tempo, clock, midi_clock = _ticked(120, 24 * 4 + 1)
    assert tempo.running and tempo.beat() == pytest.approx(4)
    midi_clock.handle(mido.Message("stop"), clock.now)
    clock.now += 1.0
    assert not tempo.running and tempo.beat() == pytest.approx(4)


def test_a_song_position_while_playing_moves_the_beat_on_the_tick_it_names():
    """While playing, a song position pointer names the next tick: the grid moves there on that tick's fit, not a
    tick early (to a beat the next tick would then contradict)."""
    tempo, clock, midi_clock = _ticked(120, 24 * 4 + 1)
    midi_clock.handle(mido.Message("songpos", pos=32), clock.now)  # 32 sixteenths: beat 8
    assert tempo.beat() == pytest.approx(4)
    _ticks(midi_clock, clock, 120, 6)  # the grid is fitted again on one of them (every FIT_EVERY-th)
    assert tempo.running and tempo.beat() == pytest.approx(8 + 5 / 24)


@pytest.mark.parametrize("bpm", [MIN_CLOCK_BPM / 2, MAX_CLOCK_BPM * 1.5])
def test_a_clock_outside_the_tempos_vcam_takes_sets_no_tempo(bpm):
    """Ticks steady at a tempo no music has (slower than MIN_CLOCK_BPM, or faster than MAX_CLOCK_BPM and yet no
    flood): no estimate is taken, and the beat keeps the tempo it had (none here)."""
    tempo, _, midi_clock = _ticked(bpm, 24 * 3)
    assert midi_clock.bpm is None and tempo.bpm is None


def test_four_changes_of_the_clock_are_each_said_and_the_fifth_says_it_comes_and_goes():
    """FLAP_CHANGES changes within FLAP_S are each said; only the one past them says the clock comes and goes."""
    tempo, clock = fake_tempo()
    said = []
    midi_clock = MidiClock(tempo, say=said.append)
    tempo.set_bpm(124, "bpm")
    for _ in range(2):  # taken over, then silent: two changes a round
        _clock_for(midi_clock, clock, 1.0)
        clock.now += QUIET_S + 0.5
        tempo.describe()  # the status line notices the silence
    assert len(said) == FLAP_CHANGES and not any("came and went" in line for line in said)
    _clock_for(midi_clock, clock, 1.0)
    assert len(said) == FLAP_CHANGES + 1 and "came and went 5 times" in said[-1]


def test_a_clock_paused_without_a_stop_is_read_afresh_when_it_comes_back():
    """Ticks that stop for over GAP_S (a clock paused, no stop sent) and come back: the tempo after the pause is
    read from its own ticks, not fitted with the ticks before as if they had been held up."""
    tempo, clock, midi_clock = _ticked(120, 24 * 4)
    assert midi_clock.fit.ticks
    clock.now += 1.2
    _ticks(midi_clock, clock, 120, 1)
    assert len(midi_clock.fit.ticks) == 1
    _ticks(midi_clock, clock, 120, 24 * 2)
    assert midi_clock.bpm == pytest.approx(120, rel=1e-3)


class _Producer:
    """A producer that tells its block starts (as the generator does) and keeps what it is handed, with its block."""

    def __init__(self):
        self.starting: list = []
        self.submitted = 0
        self.got: list[tuple[int, int | None]] = []

    def submit(self, action, at_block=None, origin=None) -> None:
        self.got.append((action.seed, at_block))


def _seed(seed: int, spec: str = "@bar") -> list:
    return [(SetSeed(seed), Origin(f"seed {seed} {spec}", "stdin"))]


def test_a_change_whose_boundary_comes_between_two_waiting_ones_of_its_kind_says_it_waits_for_the_later():
    """Seeds on blocks 10 and 12 wait; a seed for block 11 would land before the one on 12, so it lands with it,
    after it, and its reply says so (block 12), where it was weighed against the first and said nothing."""
    beat = OnTheBeat(_Producer(), land=None)
    assert beat.take(_seed(1), "bar", 10) is None
    assert beat.take(_seed(2), "bar", 12) is None
    assert beat.take(_seed(3), "bar", 11) == 12


def test_quantize_off_hands_a_waiting_change_over_with_the_one_of_its_kind_already_handed_over():
    """A seed handed over for the next block, then one waiting for a later bar, then quantize off: the waiting one
    goes into the same block, after it, where it went into whatever block came next, with no order kept."""
    producer = _Producer()
    beat = OnTheBeat(producer, land=None)
    assert beat.take(_seed(1), "beat", 1) is None  # the next block: handed over at once
    assert beat.take(_seed(2), "bar", 5) is None
    beat.release()
    beat.block_starts(0)
    assert producer.got == [(1, 1), (2, 1)]


def test_a_command_at_once_says_it_waits_for_the_latest_of_the_changes_it_lands_behind():
    """`preset` at once (its prompts and seed) behind a seed waiting for block 12 and prompts waiting for block 10:
    it lands after both, and its reply names block 12, where the last action weighed named block 10."""
    beat = OnTheBeat(_Producer(), land=None)
    assert beat.take(_seed(1), "bar", 12) is None
    assert beat.take([(SetPrompts({"ocean waves": 1.0}, 0), Origin("ocean @beat", "stdin"))], "beat", 10) is None
    both = [(SetSeed(7), Origin("preset ocean", "stdin")),
            (SetPrompts({"a neon city": 1.0}, 0), Origin("preset ocean", "stdin"))]
    assert beat.take(both, None, None) == 12


def test_a_start_on_the_first_beat_of_ticks_sets_the_tempo_on_that_tick():
    """The tick a start restarts the beat on is also the first with a beat's worth of ticks: the tempo is told there,
    with beat 0 on it, where it waited for the next fit, a quarter of a beat later."""
    tempo, clock, midi_clock = _ticked(120, 23, start=False)
    assert tempo.bpm is None
    midi_clock.handle(mido.Message("start"), clock.now)
    _ticks(midi_clock, clock, 120, 1)
    assert tempo.bpm == pytest.approx(120) and tempo.beat() == pytest.approx(0)


def test_a_clock_that_stalls_and_then_pauses_is_read_again_when_it_comes_back():
    """A tick held up (a stall), then the clock paused without a stop: the ticks after the pause are read afresh,
    where the stall's hold outlived the pause and no tick was ever fitted again (the tempo stuck at its last)."""
    tempo, clock, midi_clock = _ticked(120, 24 * 2)
    clock.now += 0.2  # a stall: this tick is counted, not timed
    midi_clock.handle(mido.Message("clock"), clock.now)
    clock.now += 1.5
    _ticks(midi_clock, clock, 140, 24 * 2)
    assert midi_clock.bpm == pytest.approx(140, rel=1e-3) and tempo.bpm == pytest.approx(140, rel=1e-3)


def test_a_change_handed_over_reaches_the_producer_only_as_a_block_starts():
    """From a control's thread a change is handed over, and goes to the producer as the next block starts, on the
    producer's thread: handed to it at once, a command's actions could be split over two blocks."""
    producer = _Producer()
    beat = OnTheBeat(producer, land=None)
    assert beat.take(_seed(1), "beat", 1) is None
    assert producer.got == []
    beat.block_starts(0)
    assert producer.got == [(1, 1)]


def test_a_change_after_quantize_off_waits_for_its_own_boundary_not_the_block_the_released_one_had():
    """A seed released by quantize off goes into the next block; a seed on the beat given before that block starts
    waits for its own boundary, where it joined the released one (landing early, its reply naming the block the
    released seed had been aimed at)."""
    producer = _Producer()
    beat = OnTheBeat(producer, land=None)
    assert beat.take(_seed(1), "bar", 5) is None
    beat.release()
    assert beat.take(_seed(2, "@beat"), "beat", 3) is None
    assert [(origin.command, block) for origin, block in beat.waiting()] == [("seed 2 @beat", 3)]


def test_learn_guesses_a_knob_from_any_first_value_but_the_full_press_of_a_button():
    """One value so far: 127 is a button's press; any other (100 here) is a knob's position, not a button."""
    assert "a knob? one value (100)" in learn_line(cc(7, 100))
    assert "a button? one value (127)" in learn_line(cc(7, 127))


def test_learn_offers_no_line_for_a_key_released_as_a_note_on_of_velocity_0():
    """Running status sends a key's release as note on with velocity 0: no pad is offered for a release alone."""
    assert learn_line(mido.Message("note_on", note=36, velocity=0)) is None
    assert Learner().feed(mido.Message("note_on", note=36, velocity=0), 0.0) == []


def test_learn_takes_cc_64_as_a_control_of_its_own_not_a_fine_half_of_cc_32():
    """Fine halves are CC 32-63: CC 64 (a sustain pedal) sent straight after CC 32, again and again, is no 14-bit
    knob of CC 32's."""
    learner, lines = Learner(), []
    for value in (10, 20, 30, 40):
        lines += learner.feed(cc(32, value), 0.0) + learner.feed(cc(64, value + 1), 0.0)
    assert not any("bits: 14" in line for line in lines)
    assert any("cc: 64, param: blend" in line for line in lines)


def test_a_block_far_shorter_than_the_running_figure_is_a_hiccup_until_the_next_one_is_too():
    """A measurement far below the figure (a block made fast once) is left out, as one far above is; two in a
    row are a new figure, taken at once."""
    figure = Running()
    figure.add(1.0)
    figure.add(0.5)
    assert figure.value == 1.0
    figure.add(0.5)
    assert figure.value == 0.5


def test_after_a_new_figure_one_far_off_the_same_way_is_a_hiccup_again():
    """Two far above make a new figure; the next one far above that is a hiccup of its own, not a third in a row."""
    figure = Running()
    for x in (1.0, 2.0, 2.0, 4.0):
        figure.add(x)
    assert figure.value == 2.0


def test_between_blocks_a_full_pacer_holds_the_next_block_back_by_the_frames_waiting_and_its_own_first():
    """The generator waits after block 2 (the pacer full, 90 frames): block 3's first frame comes after all 90, one
    camera frame on, not on the last of them."""
    quantizer = measured([(0, 0.0, 0.5), (1, 1.0, 1.5), (2, 2.0, 2.5)], [0.0])
    quantizer.pacer._waiting = 90.0
    assert quantizer.ahead(2.7).shown_at == pytest.approx(2.7 + (90 + 1) / 30)


@pytest.mark.parametrize("curve", ["linear", "exp", "log"])
def test_every_curve_runs_from_its_low_end_to_its_high_end_and_the_log_one_is_the_exp_ones_inverse(curve):
    """A fader at its ends gives its range's ends whatever its curve, and the log curve undoes the exp one: a log
    curve that overshot its range (the top of a fader past `hi`) or bent another way than exp would fail here."""
    assert scaled("strength", 0.2, 0.8, curve, 0.0) == pytest.approx(0.2)
    assert scaled("strength", 0.2, 0.8, curve, 1.0) == pytest.approx(0.8)
    for x in (0.1, 0.5, 0.9):
        assert scaled("strength", 0.0, 1.0, "log", scaled("strength", 0.0, 1.0, "exp", x)) == pytest.approx(x)


def test_a_knob_whose_range_leaves_out_the_parameters_value_picks_it_up_at_its_nearest_end():
    """Strength at 0 and a knob ranged 0.2-0.8: turned to its bottom, it takes over (soft takeover meets a value it
    cannot reach at its nearest end), where it never could and the knob did nothing all show."""
    ctl, router = rig("{cc: 7, param: strength, range: [0.2, 0.8]}", strength=0.0)
    router.handle(cc(7, 0))
    assert ctl.state.strength == pytest.approx(0.2)
    router.handle(cc(7, 127))
    assert ctl.state.strength == pytest.approx(0.8)


def test_a_reversed_knob_picks_its_parameter_up_where_it_meets_it():
    """A knob ranged 1 to 0 (turned up, strength goes down) at the parameter's value takes over there, as one ranged
    0 to 1 does, where only sweeping it across the value did."""
    ctl, router = rig("{cc: 7, param: strength, range: [1.0, 0.0]}", strength=0.5)
    router.handle(cc(7, 64))
    assert ctl.state.strength == pytest.approx(1.0 - 64 / 127)
    router.handle(cc(7, 127))
    assert ctl.state.strength == pytest.approx(0.0)


def test_a_14_bit_knobs_two_halves_are_answered_in_one_line(fake_midi_backend):
    """Each move of a 14-bit fader comes as two messages: the throttle keys their answers by the knob, so a move
    is one line on the terminal, where each half was a control of its own and every move said two."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.5)
    said = []
    midi = MidiInput("nanokontrol", router.handle, said.append)
    for message in (cc(1, 64), cc(33, 5)):
        midi._act(message)
    assert ctl.state.strength == pytest.approx((64 << 7 | 5) / 16383)
    assert len(said) == 1 and said[0].startswith("strength")


def test_an_error_from_a_knob_comes_after_the_count_of_its_answers_held_back(fake_midi_backend):
    """A knob's answers held back in a sweep, then an error from it: the count of those answers is said first,
    so the error is the last word on the knob, where the count came only later, after it."""
    replies = iter([Turned.of("strength 0.1"), Turned.of("strength 0.2"), Turned.of("strength 0.3"),
                    "error: strength refused during a replay"])
    said = []
    midi = MidiInput("nanokontrol", lambda msg: next(replies), said.append)
    for value in range(4):
        midi._act(cc(7, value))
    assert said[0] == "strength 0.1" and said[-1] == "error: strength refused during a replay"
    assert len(said) == 3 and "2 more like it" in said[1] and "strength 0.3" in said[1]


def _state(strength: float) -> SimpleNamespace:
    """A state as a late mirror sends it: every knob parameter at 0 but `strength`."""
    return SimpleNamespace(**{**{param: 0.0 for param in PARAMS}, "strength": strength, "blend": None})


def test_a_late_states_trail_gives_each_change_since_the_mark_once():
    """Soft takeover weighs the values a late state took since it last looked: each change once (a state that
    repeats a value adds none), and none from before the mark."""
    trail = StateTrail()
    for strength in (0.1, 0.1, 0.2):
        trail.heard(_state(strength))
    assert trail.since("strength", 0) == ([0.1, 0.2], 3)
    newest, mark = trail.since("strength", None)
    assert newest == [0.2]
    trail.heard(_state(0.3))
    assert trail.since("strength", mark) == ([0.3], 4)
