"""The show's tempo: its sources and their priority, tap tempo, MIDI clock (test backend and JACK), Ableton Link
(a stand-in, and two real sessions in a network namespace), and the commands that set it."""
import io
import json
import random
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import mido
import pytest

from helpers import RecordingProducer, wait_for
import test_midi_jack
from vcam.control.actions import Origin, SetTempo, from_dict
from vcam.control.commands import MIN_BPM, parse
from vcam.control.controller import Controller, ShowState
from vcam.control.abletonlink import LinkSession
from vcam.control.log import ControlLog, read_replay
from vcam.control.midi import MidiRouter
from vcam.control.midiinput import MidiInput
from vcam.control.midiclock import WINDOW_S, MidiClock
from vcam.control.midimap import MidiMap
from vcam.control.protocol import Shown
from vcam.control.tempo import PHASE_TOLD, QUIET_S, TAP_BREAK_S, TAPS_NEEDED, Tempo, beat_words

PORT = "Fake nanoKONTROL2 MIDI 1"


class FakeClock:
    def __init__(self, now: float = 100.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def fake_tempo(**kwargs) -> tuple[Tempo, FakeClock]:
    clock = FakeClock()
    return Tempo(clock=clock, **kwargs), clock


# --- the grid ----------------------------------------------------------------------------------------------------

def test_no_tempo_until_a_source_gives_one():
    tempo, _ = fake_tempo()
    assert tempo.bpm is None and tempo.source is None and tempo.beat() is None
    assert tempo.describe() is None and tempo.next_boundary(1) is None and tempo.time_of(4) is None
    assert tempo.next_boundary_beat(1) is None


def test_the_grid_counts_beats_and_bars_from_its_anchor():
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, "bpm", anchor=(100.0, 0.0))
    clock.now = 100.0 + 8.25  # 16.5 beats: the 17th beat, the first of bar 5
    assert tempo.beat() == pytest.approx(16.5)
    assert tempo.describe() == "120.0 bpm beat 1 bar 5 (bpm)"
    assert tempo.time_of(20) == pytest.approx(110.0)
    assert tempo.next_boundary(1) == pytest.approx(108.5)
    assert tempo.next_boundary(4) == pytest.approx(110.0)  # the next bar
    assert tempo.next_boundary(4, t=110.0) == pytest.approx(112.0)  # strictly after: not the one at t
    assert tempo.next_boundary(0.5, t=108.5) == pytest.approx(108.75)
    assert tempo.next_boundary_beat(4) == pytest.approx(20.0)  # the same boundary, as the beat it falls on
    assert tempo.next_boundary_beat(4, t=110.0) == pytest.approx(24.0)
    with pytest.raises(ValueError):
        tempo.next_boundary(0)
    with pytest.raises(ValueError):
        tempo.next_boundary_beat(0)


def test_a_tempo_by_hand_goes_on_counting_the_beats_of_the_grid_in_use():
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, "bpm")
    clock.now += 10  # 20 beats
    tempo.set_bpm(60, "bpm")
    assert tempo.beat() == pytest.approx(20)
    clock.now += 2
    assert tempo.beat() == pytest.approx(22)


@pytest.mark.parametrize("bad", [0, -5, float("nan"), float("inf"), True, "120"])
def test_a_tempo_is_a_positive_number(bad):
    tempo, _ = fake_tempo()
    with pytest.raises(ValueError):
        tempo.set_bpm(bad, "bpm")
    with pytest.raises(ValueError, match="unknown tempo source"):
        tempo.set_bpm(120, "metronome")


def test_a_count_in_before_beat_0_is_said_as_one_and_the_first_bar_after_it_as_bar_1():
    """A Link session's count-in (beat -1.5) was said "beat 3 bar 0"; a screen change on its bar "beat 1 bar 0"."""
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, "link", anchor=(clock.now, -1.5))
    assert tempo.describe() == "120.0 bpm count-in, 2 beats to bar 1 (link)"
    clock.now += 0.5  # beat -0.5
    assert tempo.describe() == "120.0 bpm count-in, 1 beat to bar 1 (link)"
    clock.now += 0.5  # beat 0: the song's first
    assert tempo.describe() == "120.0 bpm beat 1 bar 1 (link)"
    tempo.set_bpm(120, "link", anchor=(clock.now, -6.0))  # a count-in of two bars
    assert tempo.describe() == "120.0 bpm count-in, 6 beats to bar 1 (link)"
    ctl = Controller(None, ShowState(prompts={"a": 1.0}), RecordingProducer(), threading.Event(), lambda m: None,
                     land=lambda spec: None, tempo=tempo, clock=tempo.clock)
    ctl.handle_line("freeze @bar", "stdin")  # the next bar: beat -4, within the count-in
    assert ctl.screen_waits.waiting() == "freeze on the count-in, 4 beats to bar 1"
    ctl.close()


@pytest.mark.parametrize("beat, words", [(0, "beat 1 bar 1"), (7, "beat 4 bar 2"), (16.5, "beat 1.5 bar 5"),
                                         (-1, "count-in, 1 beat to bar 1"), (-2.5, "count-in, 2.5 beats to bar 1"),
                                         (4_000_000.0, "beat 1 bar 1000001")])  # was bar 1e+06
def test_beats_in_words(beat, words):
    assert beat_words(beat, 4) == words


def test_bars_of_three():
    tempo, clock = fake_tempo(beats_per_bar=3)
    tempo.set_bpm(60, "bpm", anchor=(clock.now, 0.0))
    clock.now += 7.5
    assert tempo.describe() == "60.0 bpm beat 2 bar 3 (bpm)"


# --- sources and their priority ----------------------------------------------------------------------------------

def test_the_clocks_lead_and_a_silent_one_lets_the_next_apply():
    tempo, clock = fake_tempo()
    tempo.set_bpm(100, "bpm")
    assert tempo.source == "bpm"
    tempo.set_bpm(128, "link", (clock.now, 0.0))
    assert (tempo.source, tempo.bpm) == ("link", 128)
    tempo.set_bpm(140, "midi clock", (clock.now, 0.0))
    assert (tempo.source, tempo.bpm) == ("midi clock", 140)
    tempo.set_bpm(110, "bpm")  # by hand while the MIDI clock runs: kept for later
    assert tempo.source == "midi clock"

    clock.now += QUIET_S - 0.1
    tempo.set_bpm(128, "link", (clock.now, 0.0))  # Link goes on speaking, the MIDI clock does not
    assert tempo.source == "midi clock"
    clock.now += 0.2
    assert (tempo.source, tempo.bpm) == ("link", 128)
    clock.now += QUIET_S + 0.1
    assert (tempo.source, tempo.bpm) == ("bpm", 110)  # both clocks silent: the tempo by hand
    tempo.set_bpm(141, "midi clock", (clock.now, 0.0))
    assert (tempo.source, tempo.bpm) == ("midi clock", 141)  # the clock speaks again: it leads again


def test_a_silent_clock_with_nothing_else_keeps_its_last_grid():
    tempo, clock = fake_tempo()
    tempo.set_bpm(150, "midi clock", (clock.now, 0.0))
    clock.now += 10
    assert (tempo.source, tempo.bpm) == ("midi clock", 150)
    assert tempo.beat() == pytest.approx(25)
    assert tempo.describe().endswith("(midi clock, silent)")


def test_the_operators_tempo_is_the_latest_of_osc_tap_and_bpm():
    tempo, clock = fake_tempo()
    tempo.set_bpm(90, "osc")
    tempo.set_bpm(100, "bpm")
    assert (tempo.source, tempo.bpm) == ("bpm", 100)
    for _ in range(4):
        tempo.tap()
        clock.now += 0.5
    assert (tempo.source, tempo.bpm) == ("tap", pytest.approx(120))
    tempo.set_bpm(95, "osc")
    assert (tempo.source, tempo.bpm) == ("osc", 95)
    clock.now += 60  # held: no silence limit for a tempo set by hand
    assert tempo.source == "osc"


def test_listeners_hear_of_changes_not_of_a_clocks_wobble():
    tempo, clock = fake_tempo()
    told = []
    tempo.listen(lambda: told.append((tempo.source, round(tempo.bpm, 2), tempo.running)))
    tempo.set_bpm(120, "midi clock", (clock.now, 0.0))
    tempo.set_bpm(120.01, "midi clock", (clock.now, 0.0))
    tempo.set_bpm(120.02, "midi clock", (clock.now, 0.0))
    assert told == [("midi clock", 120, True)]
    tempo.set_bpm(120.1, "midi clock", (clock.now, 0.0))  # a tenth of a bpm is a change the status line shows
    assert told[1:] == [("midi clock", 120.1, True)]
    del told[1:]
    tempo.set_bpm(121, "midi clock", (clock.now, 0.0))
    tempo.set_bpm(121, "midi clock", (clock.now, 0.0), running=False)
    tempo.set_bpm(100, "bpm")
    assert told[1:] == [("midi clock", 121, True), ("midi clock", 121, False)]
    clock.now += QUIET_S + 0.1
    assert tempo.bpm == 100  # whoever asks first notices the silence, and the listeners hear of it
    assert told[-1] == ("bpm", 100, True)


def test_watchers_hear_of_every_move_of_the_grid_that_applies_with_its_cause():
    tempo, clock = fake_tempo()
    heard = []
    tempo.watch(lambda source, grid, cause: heard.append((source, grid.bpm, round(grid.beat_at(clock.now), 3),
                                                          grid.running, cause)))
    tempo.set_bpm(120, "midi clock", (clock.now, 0.0))
    tempo.set_bpm(120.01, "midi clock", (clock.now, 0.01))  # a wobble: under TOLD_BPM and PHASE_TOLD
    tempo.set_bpm(120, "midi clock", (clock.now, 0.5))  # a jump of the phase (a resync)
    tempo.set_bpm(120, "midi clock", (clock.now, 0.5), running=False)
    tempo.set_bpm(90, "bpm", cause="bpm 90")  # shadowed by the clock: no move
    assert heard == [("midi clock", 120, 0.0, True, None), ("midi clock", 120, 0.5, True, None),
                     ("midi clock", 120, 0.5, False, None)]
    clock.now += QUIET_S + 0.1
    assert tempo.bpm == 90  # the silent clock is noticed by whoever asks first: the hand's grid applies
    assert heard[-1] == ("bpm", 90, 0.5 + 2.1 * 90 / 60, True, None)  # on from the beat the clock stopped at
    tempo.set_bpm(90.04, "bpm", cause="bpm 90.04")  # under TOLD_BPM, the same beat: no move
    tempo.set_bpm(96, "osc", cause="/vcam/bpm 96")
    assert heard[-1] == ("osc", 96, 3.65, True, "/vcam/bpm 96") and len(heard) == 5


@pytest.mark.parametrize("lateness", ["exact", "jack periods"])
def test_a_steady_midi_clock_moves_the_watched_grid_rarely_and_never_far(lateness):
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    moves = []
    tempo.watch(lambda source, grid, cause: moves.append(grid))
    worst = 0.0
    start = clock.now
    for t in tick_times(128, 60.0, lateness, seed=1):
        clock.now = start + t
        midi_clock.handle(mido.Message("clock"), clock.now)
        if moves:
            worst = max(worst, abs(moves[-1].beat_at(clock.now) - tempo.beat(clock.now)))
    assert len(moves) <= (1 if lateness == "exact" else 20)  # a log line each: a few a minute at most
    assert worst <= PHASE_TOLD + 1e-9  # the last grid heard of never strays further from the clock's


def _clock_for(midi_clock: MidiClock, clock, seconds: float, transport: bool = False) -> None:
    """`seconds` of MIDI clock at 128 bpm from now on the fake clock; `transport`: a stop and a start each second."""
    start = clock.now
    for i, t in enumerate(tick_times(128, seconds, "exact", seed=1)):
        clock.now = start + t
        if transport and i % 48 == 0:
            midi_clock.handle(mido.Message("stop" if i % 96 else "start"), clock.now)
        midi_clock.handle(mido.Message("clock"), clock.now)


def test_the_operator_is_told_when_the_midi_clock_takes_the_tempo_and_when_it_falls_silent():
    tempo, clock = fake_tempo()
    said = []
    midi_clock = MidiClock(tempo, say=said.append)
    tempo.set_bpm(124, "bpm")  # the show's bpm: before any clock, nothing to say
    _clock_for(midi_clock, clock, 3.0)
    assert said == ["MIDI clock: the tempo follows it (128.0 bpm)"]
    clock.now += QUIET_S + 0.5  # the cable pulled: the show's bpm applies again, noticed by the next look
    assert tempo.source == "bpm"
    assert said[1:] == [f"MIDI clock: silent for {QUIET_S:g} s; the tempo comes from bpm (124.0 bpm) until the clock "
                        "is heard again"]
    tempo.describe()
    assert len(said) == 2  # said once


def test_followers_hear_of_the_operators_tempo_only():
    tempo, clock = fake_tempo()
    heard = []
    tempo.follow(lambda bpm, source: heard.append((bpm, source)))
    tempo.set_bpm(128, "link", (clock.now, 0))
    tempo.set_bpm(140, "midi clock", (clock.now, 0))
    tempo.set_bpm(100, "bpm")
    tempo.set_bpm(101, "osc")
    assert heard == [(100, "bpm"), (101, "osc")]


# --- tap tempo ---------------------------------------------------------------------------------------------------

def _fitted_bpm(times: list[float]) -> float:
    """The tempo of the least-squares line through taps on successive beats (beat n at times[n])."""
    n = len(times)
    mean_t, mean_i = sum(times) / n, (n - 1) / 2
    slope = sum((i - mean_i) * (t - mean_t) for i, t in enumerate(times)) / sum((i - mean_i) ** 2 for i in range(n))
    return 60.0 / slope


def test_four_taps_give_the_tempo_fitted_through_them_and_put_the_first_on_a_bar():
    tempo, clock = fake_tempo()
    got = []
    for interval in (0.5, 0.52, 0.48, 0.5):  # wobbly taps, 2.0 s over 4 intervals in all...
        got.append(tempo.tap())
        clock.now += interval
    got.append(tempo.tap())
    assert got[:3] == [None, None, None]
    assert got[3] == pytest.approx(_fitted_bpm([0, 0.5, 1.02, 1.5])) == pytest.approx(60 / 0.502)
    assert got[4] == pytest.approx(120)  # ... 120 bpm, the late third tap evened out by the two after it
    assert tempo.source == "tap" and tempo.bpm == pytest.approx(120)
    # the taps are beats 0..4, through their middle: the last one falls on (about) beat 4, bar 2
    assert tempo.beat() == pytest.approx(4, abs=0.05)
    clock.now += 0.1
    assert tempo.describe() == "120.0 bpm beat 1 bar 2 (tap)"


def test_a_pause_starts_a_new_series_of_taps():
    tempo, clock = fake_tempo()
    for _ in range(3):
        tempo.tap()
        clock.now += 0.5
    assert tempo.taps == 3
    clock.now += TAP_BREAK_S  # 0.5 s more than a pause since the last tap
    assert tempo.taps == 0
    assert tempo.tap() is None and tempo.taps == 1
    for _ in range(3):
        clock.now += 0.4
        bpm = tempo.tap()
    assert bpm == pytest.approx(150)


def test_a_new_series_starts_on_the_nearest_bar_of_the_grid_in_use():
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, "bpm", (clock.now, 0.0))
    clock.now += 4.1  # beat 8.2: the nearest bar starts on beat 8
    for _ in range(4):
        tempo.tap()
        clock.now += 0.5
    assert tempo.beat(clock.now - 0.5) == pytest.approx(8 + 3)


def test_a_tap_off_the_beat_of_the_series_starts_it_over():
    """A pad's double press, then steady taps at 120: the series held the quick gap in its average, so the tempo
    read 300, 231, 200 … bpm and came near 120 only after 16 taps or a pause of 2 s."""
    tempo, clock = fake_tempo()
    got = []
    for gap in (0.5, 0.5, 0.5, 0.04, 0.46, 0.5, 0.5, 0.5):  # a double press after the 4th tap
        got.append(tempo.tap())
        clock.now += gap
    got.append(tempo.tap())
    assert got[3] == pytest.approx(120)
    assert got[4:7] == [None, None, None] and tempo.taps_broke_off is False  # it broke off at the 5th (the double)
    assert got[7] == pytest.approx(60 * 3 / 1.5, rel=0.03) and got[8] == pytest.approx(120, rel=0.03)
    # a skipped beat starts over too; wobbly taps (within half again of the fitted beat) do not
    clock.now += 1.0
    assert tempo.tap() is None and tempo.taps == 1 and tempo.taps_broke_off
    for gap in (0.5, 0.65, 0.45, 0.6):
        clock.now += gap
        bpm = tempo.tap()
    assert tempo.taps == 5 and bpm == pytest.approx(60 * 4 / 2.2)


def test_the_slowest_tempo_the_bpm_command_takes_can_be_tapped():
    tempo, clock = fake_tempo()
    gap = 60.0 / MIN_BPM  # 3 s: a pause of 2 s started every tap over, and 20-30 bpm could not be tapped
    for _ in range(3):
        assert tempo.tap() is None
        clock.now += gap
    assert tempo.tap() == pytest.approx(MIN_BPM)
    clock.now += gap + 0.01  # a longer pause: the next tap starts over
    assert tempo.tap() is None and tempo.taps == 1


def test_taps_outside_the_bpm_range_are_refused():
    tempo, clock = fake_tempo()
    for _ in range(3):
        tempo.tap()
        clock.now += 0.1  # 600 bpm
    with pytest.raises(ValueError, match="the taps come at 600 bpm, outside 20-300: tap once a beat "
                                         r"\(a pause of 3 s starts the taps over\)"):
        tempo.tap()
    assert tempo.bpm is None


def test_a_double_press_on_the_third_tap_starts_the_series_over():
    tempo, clock = fake_tempo()
    tempo.tap()
    clock.now += 0.5
    tempo.tap()
    clock.now += 0.04  # the pad bounced: one gap is enough to know it is no beat
    tempo.tap()
    assert tempo.taps_broke_off and tempo.taps == 1


def test_the_tapped_tempo_is_the_last_sixteen_taps_and_their_beats_go_on_counting():
    """Eight taps at 120, then twenty at 125 (within the series' beat): the tempo is the last 16 taps' alone, and
    the last tap, the series' 28th, falls on beat 27."""
    tempo, clock = fake_tempo()
    for gap in [0.5] * 8 + [0.48] * 20:
        tempo.tap()
        clock.now += gap
    clock.now -= 0.48
    assert tempo.taps == 28 and tempo.bpm == pytest.approx(125)
    assert tempo.beat() == pytest.approx(27)


def test_jittery_taps_give_the_tempo_of_all_of_them_not_of_the_first_and_last():
    """Twelve taps at 128 bpm, each up to 80 ms off its beat, the first late and the last early: the tempo read
    131.5, from the first and last taps alone; every tap counts, and the jitter evens out."""
    tempo, clock = fake_tempo()
    jitter_ms = [70, -42, 2, -59, -75, -55, 22, -40, 27, 34, 9, -69]
    times = [i * 60 / 128 + ms / 1000 for i, ms in enumerate(jitter_ms)]
    for t in times:
        clock.now = t
        bpm = tempo.tap()
    assert tempo.taps == 12 and bpm == pytest.approx(_fitted_bpm(times)) == pytest.approx(128.2238, abs=1e-3), bpm
    # the grid goes through the middle of the taps: the last one falls within its jitter of beat 11
    assert tempo.beat(times[-1] + 0.08) == pytest.approx(11, abs=0.1)


def test_a_new_series_starts_on_the_nearest_bar_when_it_is_the_next_one():
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, "bpm", (clock.now, 0.0))
    clock.now += 3.9  # beat 7.8: the nearest bar starts on beat 8, the one it is in on beat 4
    for _ in range(4):
        tempo.tap()
        clock.now += 0.5
    assert tempo.beat(clock.now - 0.5) == pytest.approx(8 + 3)


def test_with_every_clock_silent_the_last_one_heard_applies():
    tempo, clock = fake_tempo()
    tempo.set_bpm(128, "midi clock", (clock.now, 0.0))
    clock.now += 1.0
    tempo.set_bpm(122, "link", (clock.now, 0.0))
    clock.now += QUIET_S + 1.0
    assert (tempo.source, tempo.bpm) == ("link", 122)


def test_the_next_boundary_is_strictly_after_a_time_that_rounds_to_just_before_it():
    """At 2.3 s on a grid from 0.3 s at 120 bpm, beat_at reads 3.9999999999999996: the boundary at 2.3 itself is
    not the next one."""
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, "bpm", (0.3, 0.0))
    assert tempo.next_boundary(1, 2.3) == pytest.approx(2.8)
    assert tempo.next_boundary_beat(1, 2.3) == 5

# --- MIDI clock --------------------------------------------------------------------------------------------------

def tick_times(bpm: float, seconds: float, lateness: str, seed: int) -> list[float]:
    """Arrival times of the ticks of `seconds` of MIDI clock at `bpm`, made late as a loaded machine would:
    jittered by up to 3 ms; handed over once per JACK period of 1024 frames at 48 kHz (up to 21 ms late, ticks in
    bunches); or held up by a stall of 200 ms (or 700 ms, over a beat), then all at once."""
    rng = random.Random(seed)
    step = 60 / bpm / 24
    times = [i * step for i in range(int(seconds / step))]
    if lateness == "jitter":
        times = [t + rng.uniform(0, 0.003) for t in times]
    elif lateness == "jack periods":
        period = 1024 / 48000
        times = [(int((t + rng.uniform(0, 0.001)) / period) + 1) * period for t in times]
    elif lateness.startswith("stall"):
        end = 2.7 if lateness == "stall" else 3.2
        times = [max(t, end) if 2.5 <= t < end else t + rng.uniform(0, 0.0005) for t in times]
    return times


def clocked(fake_midi_backend, tempo: Tempo):
    """The show's MIDI path: the input, the router, the clock; `said` collects what it says."""
    said = []
    midi_clock = MidiClock(tempo)
    midi = MidiInput("nanokontrol", MidiRouter(MidiMap(), None, said.append, clock=midi_clock).handle, said.append)
    midi.start()
    return midi, midi_clock, said


@pytest.mark.parametrize("lateness", ["exact", "jitter", "jack periods", "stall", "stall over a beat"])
@pytest.mark.parametrize("bpm", [60, 128, 174])
def test_midi_clock_gives_the_bpm_within_half_a_percent(fake_midi_backend, bpm, lateness):
    tempo, clock = fake_tempo()
    midi, midi_clock, said = clocked(fake_midi_backend, tempo)
    errors = []
    try:
        start = clock.now
        for t in tick_times(bpm, 5.0, lateness, seed=bpm):
            clock.now = start + t
            fake_midi_backend.send(PORT, mido.Message("clock"))
            if t >= 2.0:
                errors.append(abs(tempo.bpm / bpm - 1))
    finally:
        midi.stop()
    assert tempo.source == "midi clock"
    assert max(errors) < (1e-6 if lateness == "exact" else 0.005), f"{max(errors):.4%}"
    assert [s for s in said if not s.startswith("MIDI: listening")] == []  # clock messages say nothing


def send_ticks(fake_midi_backend, clock: FakeClock, bpm: float, count: int, kind: str = "clock") -> None:
    for _ in range(count):
        clock.now += 60 / bpm / 24
        fake_midi_backend.send(PORT, mido.Message(kind))


def test_start_stop_continue_and_song_position(fake_midi_backend):
    tempo, clock = fake_tempo()
    midi, midi_clock, _ = clocked(fake_midi_backend, tempo)
    try:
        send_ticks(fake_midi_backend, clock, 120, 48)  # no start yet: beats from the first tick heard
        assert tempo.bpm == pytest.approx(120) and tempo.running
        assert tempo.beat() == pytest.approx(47 / 24)

        fake_midi_backend.send(PORT, mido.Message("start"))
        send_ticks(fake_midi_backend, clock, 120, 1)
        assert tempo.beat() == pytest.approx(0)  # start: beat 0 on the next tick
        send_ticks(fake_midi_backend, clock, 120, 24 * 5)
        assert tempo.beat() == pytest.approx(5) and tempo.describe() == "120.0 bpm beat 2 bar 2 (midi clock)"

        fake_midi_backend.send(PORT, mido.Message("stop"))
        send_ticks(fake_midi_backend, clock, 120, 30)  # a DAW may go on sending clock while stopped
        assert not tempo.running and tempo.beat() == pytest.approx(5)
        assert tempo.next_boundary(1) is None and tempo.time_of(6) is None
        assert tempo.describe() == "120.0 bpm stopped at beat 2 bar 2 (midi clock)"

        fake_midi_backend.send(PORT, mido.Message("continue"))
        send_ticks(fake_midi_backend, clock, 120, 1)
        assert tempo.running and tempo.beat() == pytest.approx(5 + 1 / 24)
        assert tempo.next_boundary(1) == pytest.approx(clock.now + 23 * 60 / 120 / 24)

        fake_midi_backend.send(PORT, mido.Message("stop"))
        fake_midi_backend.send(PORT, mido.Message("songpos", pos=32))  # 32 sixteenths: bar 3
        assert tempo.describe() == "120.0 bpm stopped at beat 1 bar 3 (midi clock)"
        fake_midi_backend.send(PORT, mido.Message("continue"))
        send_ticks(fake_midi_backend, clock, 120, 1)
        assert tempo.beat() == pytest.approx(8)
    finally:
        midi.stop()


def test_a_start_after_the_clock_paused_restarts_at_beat_0_with_the_last_tempo(fake_midi_backend):
    tempo, clock = fake_tempo()
    midi, midi_clock, _ = clocked(fake_midi_backend, tempo)
    try:
        send_ticks(fake_midi_backend, clock, 90, 96)
        fake_midi_backend.send(PORT, mido.Message("stop"))
        clock.now += 30  # a DAW that sends no clock while stopped
        fake_midi_backend.send(PORT, mido.Message("start"))
        send_ticks(fake_midi_backend, clock, 90, 1)
        assert tempo.source == "midi clock" and tempo.running
        assert tempo.bpm == pytest.approx(90) and tempo.beat() == pytest.approx(0)
    finally:
        midi.stop()


def test_the_clock_follows_a_tempo_change(fake_midi_backend):
    tempo, clock = fake_tempo()
    midi, midi_clock, _ = clocked(fake_midi_backend, tempo)
    try:
        send_ticks(fake_midi_backend, clock, 120, 24 * 12)
        send_ticks(fake_midi_backend, clock, 150, 24 * 6)  # 2.4 s later
        assert tempo.bpm == pytest.approx(150, rel=0.005)
        assert midi_clock.fit.changes == 1  # seen as one change: the window started again from the last beat
    finally:
        midi.stop()


def ramp_ticks(start_bpm: float, end_bpm: float, ramp_s: float, jitter: float | str, seed: int = 7):
    """(arrival time, bpm then) of each tick: 6 s at start_bpm, a ramp to end_bpm over ramp_s, 6 s at end_bpm;
    each tick late by up to `jitter` s, or handed over once per JACK period (1024 frames at 48 kHz)."""
    rng = random.Random(seed)
    t, out = 0.0, []
    period = 1024 / 48000
    while t < 12.0 + ramp_s:
        into = min(max(t - 6.0, 0.0), ramp_s)
        bpm = start_bpm + (end_bpm - start_bpm) * into / ramp_s
        t += 60 / bpm / 24
        late = (int((t + rng.uniform(0, 0.001)) / period) + 1) * period if jitter == "jack periods" else \
            t + rng.uniform(0, jitter)
        out.append((late, bpm))
    return out


@pytest.mark.parametrize("jitter", [0.0, 0.003])
@pytest.mark.parametrize("start_bpm, end_bpm", [(120, 140), (140, 120), (100, 130)])
def test_the_midi_clock_follows_a_tempo_ramp_without_lagging_behind_it(start_bpm, end_bpm, jitter):
    """A line through 6 s of ticks gives the tempo of the window's middle: about 5 % behind a ramp of 120 to 140
    bpm over 8 s for as long as it ramps. Once the ticks clearly bend (over 3 s of ticks, 4 s into the ramp), the
    tempo at the last tick is read off their bend; the ramp's end is taken within 2 s."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    ramp_s = 8.0
    during, after, phase = [], [], []
    for k, (t, bpm) in enumerate(ramp_ticks(start_bpm, end_bpm, ramp_s, jitter)):
        clock.now = 100.0 + t
        midi_clock.handle(mido.Message("clock"), clock.now)
        if 6.0 + 4.5 <= t <= 6.0 + ramp_s:
            during.append(abs(tempo.bpm / bpm - 1))
            if (k + 1) % 6 == 0:  # a 16th: the grid was placed through the fitted curve at this very tick
                phase.append(abs(tempo.beat() - k / 24))
        elif t >= 6.0 + ramp_s + 2.0:
            after.append(abs(tempo.bpm / bpm - 1))
    assert max(during) < 0.01, f"{max(during):.2%} off during the ramp"
    assert sum(during) / len(during) < 0.005
    assert max(phase) < 0.005, f"the beat {max(phase):.4f} off"  # 2.3 ms at 130 bpm
    assert max(after) < 0.004 and sum(after) / len(after) < 0.001, f"{max(after):.3%} off after it"


@pytest.mark.parametrize("start_bpm, end_bpm", [(120, 140), (140, 120), (100, 130)])
def test_a_tempo_ramp_through_jack_periods_is_followed_on_the_whole(start_bpm, end_bpm):
    """Ticks handed over once per JACK period (up to 21 ms late) bend a parabola through 2 s of them by a percent or
    two either way; on the whole it follows the ramp, where the line lags 4 % behind it all along."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    during, after = [], []
    for t, bpm in ramp_ticks(start_bpm, end_bpm, 8.0, "jack periods"):
        clock.now = 100.0 + t
        midi_clock.handle(mido.Message("clock"), clock.now)
        if 6.0 + 4.5 <= t <= 6.0 + 8.0:
            during.append(tempo.bpm / bpm - 1)
        elif t >= 6.0 + 8.0 + 5.0:
            after.append(abs(tempo.bpm / bpm - 1))
    assert abs(sum(during) / len(during)) < 0.006 and max(map(abs, during)) < 0.035
    assert max(after) < 0.005


@pytest.mark.parametrize("start_bpm, end_bpm", [(120, 140), (140, 120), (100, 130)])
def test_the_beat_goes_on_where_the_ramp_put_it_once_the_ticks_no_longer_bend(start_bpm, end_bpm):
    """A ramp over 2 s: the parabola has the end tempo and the beat a second after it. When the window's ticks no
    longer bend clearly, its line (still holding the ramp's ticks) would put the tempo a percent off and the beat a
    thirtieth of one back; the estimate goes on from the parabola's instead."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    after, phase = [], []
    for k, (t, bpm) in enumerate(ramp_ticks(start_bpm, end_bpm, 2.0, 0.0)):
        clock.now = 100.0 + t
        midi_clock.handle(mido.Message("clock"), clock.now)
        if t >= 6.0 + 2.0 + 2.5:
            after.append(abs(tempo.bpm / bpm - 1))
            phase.append(abs(tempo.beat() - k / 24))
    assert max(after) < 0.001, f"{max(after):.3%} off after the ramp"
    assert max(phase) < 0.002, f"the beat {max(phase):.4f} off"


@pytest.mark.parametrize("lateness", [0.0, 0.003, "jack periods"])
@pytest.mark.parametrize("start_bpm, end_bpm", [(90, 180), (180, 90), (120, 150)])
def test_a_step_in_tempo_is_no_ramp_the_parabola_runs_ahead_of(start_bpm, end_bpm, lateness):
    """A DJ's next track, at once: a parabola through 2 s of ticks bent by the step has 90 to 180 bpm reach 360 at
    the last tick. The tempo stays within the step (and 10 % past its end at most), and is the new one within 2 s."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    readings, late = [], []
    for t, bpm in ramp_ticks(start_bpm, end_bpm, 0.01, lateness):
        clock.now = 100.0 + t
        midi_clock.handle(mido.Message("clock"), clock.now)
        if t >= 2.0:
            readings.append(tempo.bpm)
        if t >= 6.0 + 2.0:
            late.append(abs(tempo.bpm / end_bpm - 1))
    low, high = min(start_bpm, end_bpm), max(start_bpm, end_bpm)
    assert low / 1.1 <= min(readings) and max(readings) <= high * 1.1, f"{min(readings):.1f} {max(readings):.1f}"
    assert max(late) < 0.03, f"{max(late):.2%} off"


def test_a_midi_clock_after_a_year_of_uptime_reads_as_one_after_a_minute():
    """The fit centres times and tick numbers before it squares them: time.monotonic() after a year (3e7 s) loses
    nothing against the jitter of a tick."""
    readings = {}
    for start in (100.0, 3.2e7):
        clock = FakeClock(start)
        tempo = Tempo(clock=clock)
        midi_clock = MidiClock(tempo)
        readings[start] = []
        for t, _ in ramp_ticks(120, 140, 8.0, 0.003):
            clock.now = start + t
            midi_clock.handle(mido.Message("clock"), clock.now)
            if tempo.bpm is not None:
                readings[start].append((tempo.bpm, tempo.beat()))
    assert len(readings[100.0]) == len(readings[3.2e7]) > 24 * 20
    for (bpm, beat), (bpm_late, beat_late) in zip(readings[100.0], readings[3.2e7]):
        assert bpm_late == pytest.approx(bpm, abs=1e-4) and beat_late == pytest.approx(beat, abs=1e-4)


@pytest.mark.parametrize("lateness, bpm, seed, limit", [
    ("jitter", 128, 0, 0.0005), ("jack periods", 128, 0, 0.002), ("jack periods", 118, 0, 0.007),
    ("jack periods", 116, 1, 0.011), ("stall", 128, 0, 0.0005)])
def test_a_steady_midi_clock_is_not_read_as_a_ramp(lateness, bpm, seed, limit):
    """Late ticks bend no line and change no tempo: a steady clock's tempo stays the straight line's through the
    whole window, the last WINDOW_S of ticks. At 116 and 118 bpm a tick (21.55, 21.19 ms) is near a JACK period
    (21.33 ms): the line is up to 1 % off over 2 s (about a period over the window), and their beat must not read
    as a bend (2 to 3 % off)."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    errors = []
    for t in tick_times(bpm, 12.0, lateness, seed=seed):
        clock.now = 100.0 + t
        midi_clock.handle(mido.Message("clock"), clock.now)
        if t >= 2.0:
            errors.append(abs(tempo.bpm / bpm - 1))
    assert max(errors) < limit, f"{max(errors):.3%}"
    assert midi_clock.fit.changes == 0
    ticks = midi_clock.fit.ticks  # the last WINDOW_S of them make the estimate, not all since the first
    assert WINDOW_S - 0.1 < ticks[-1][1] - ticks[0][1] <= WINDOW_S


def test_after_a_stall_the_midi_clock_is_timed_again_and_follows_a_new_tempo():
    """The ticks held up by a stall come bunched and are not timed; the ones after them are, from the first that
    comes a usual interval after the one before."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    times = tick_times(120, 4.0, "stall", seed=3)  # held up from 2.5 s to 2.7 s, then all at once
    step = 60 / 140 / 24
    times += [times[-1] + step * (k + 1) for k in range(24 * 10)]  # then 140 bpm for 4 s
    for t in times:
        clock.now = 100.0 + t
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert tempo.bpm == pytest.approx(140, rel=0.002)
    assert len(midi_clock.fit.ticks) > 24 * 4  # timed again: the window holds the ticks since


def test_a_burst_of_ticks_held_up_before_the_port_was_read_sets_no_tempo():
    """Two beats of ticks come 1 ms apart (a queue read at once as the port opens): 2500 bpm is no tempo, and the
    clock's own tempo is taken once it has come a beat at its pace."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    for k in range(48):
        clock.now += 0.001
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert tempo.bpm is None and midi_clock.bpm is None
    clock.now += 1.5  # a long gap: the burst is left behind
    for k in range(48):
        clock.now += 60 / 120 / 24
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert tempo.bpm == pytest.approx(120)


def test_a_flood_of_clock_ticks_is_not_fitted_and_the_clock_after_it_is_read(monkeypatch):
    """A MIDI loop (a port fed back into itself) sends thousands of ticks a second: each sixth was fitted over up to
    2048 ticks, and the port's thread, which hands on the knobs and buttons too, fell further behind every second."""
    from vcam.control import midiclock

    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    for _ in range(48):
        clock.now += 60 / 128 / 24
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert tempo.bpm == pytest.approx(128)
    fits, fit = [], midiclock._fit
    monkeypatch.setattr(midiclock, "_fit", lambda *args, **kwargs: fits.append(1) or fit(*args, **kwargs))
    for _ in range(5000):  # a second of it
        clock.now += 0.0002
        midi_clock.handle(mido.Message("clock"), clock.now)
    before = len(fits)
    for _ in range(5000):
        clock.now += 0.0002
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert len(fits) == before, "a flood of ticks was fitted"
    assert tempo.bpm == pytest.approx(128)  # no tempo made of the flood: the clock's before it stands
    for _ in range(24 * 4):  # the clock after it, 4 beats
        clock.now += 60 / 120 / 24
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert tempo.bpm == pytest.approx(120)


def test_a_flood_after_a_clock_heard_for_a_whole_window_is_found_within_a_beat_of_its_ticks():
    """A clock heard for the 6 s before a flood held the window's average rate down: the flood's first 2000 ticks
    were fitted, each sixth over up to 2048 points, the port's thread behind for that long."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    for _ in range(int(WINDOW_S * 2 + 1) * 24):  # 120 bpm, a window and a beat
        clock.now += 60 / 120 / 24
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert tempo.bpm == pytest.approx(120)
    estimates, fit = [], midi_clock.fit._robust_fit

    def fitting():
        fitted = fit()
        if fitted is not None:  # a line through the window's ticks, not a window too short for one
            estimates.append(len(fitted[1]))
        return fitted

    midi_clock.fit._robust_fit = fitting
    for _ in range(5000):
        clock.now += 0.0002
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert len(estimates) <= 24 // 6, f"{len(estimates)} estimates over the flood's 5000 ticks"
    assert tempo.bpm == pytest.approx(120)


@pytest.mark.parametrize("bpm", [174, 270])
@pytest.mark.parametrize("held", ["jack periods", "held up"])
def test_a_fast_clock_handed_over_in_bunches_is_no_flood(bpm, held):
    """Ticks handed over once per JACK period of 4096 frames (85 ms), or held up by a busy machine just short of a
    stall, come bunched together: read as a flood, the window would be left behind and the tempo told no more."""
    tempo, clock = fake_tempo()
    midi_clock = MidiClock(tempo)
    told, set_bpm = [], tempo.set_bpm
    tempo.set_bpm = lambda *args, **kwargs: told.append(clock.now) or set_bpm(*args, **kwargs)
    step, period = 60 / bpm / 24, 4096 / 48000
    for i in range(1, int(8 / step)):
        t = i * step
        if held == "jack periods":
            clock.now = (int(t / period) + 1) * period
        else:  # 85 ms of each second held up, then handed over at once
            clock.now = int(t) + 0.085 if t % 1 < 0.085 else t
        midi_clock.handle(mido.Message("clock"), clock.now)
    assert midi_clock.bpm == pytest.approx(bpm, rel=0.005)
    assert max(b - a for a, b in zip(told, told[1:])) < 60 / bpm  # told every beat at least


def test_a_silent_midi_clock_lets_the_tempo_by_hand_apply(fake_midi_backend):
    tempo, clock = fake_tempo()
    tempo.set_bpm(100, "bpm")
    midi, midi_clock, _ = clocked(fake_midi_backend, tempo)
    try:
        send_ticks(fake_midi_backend, clock, 130, 48)
        assert tempo.source == "midi clock"
        clock.now += QUIET_S + 0.01
        assert (tempo.source, tempo.bpm) == ("bpm", 100)
    finally:
        midi.stop()


def test_the_router_leaves_clock_messages_alone_without_a_clock():
    router = MidiRouter(MidiMap(), None)
    for kind in ("clock", "start", "stop", "continue"):
        assert router.handle(mido.Message(kind)) is None
    assert router.handle(mido.Message("songpos", pos=3)) is None


JACK_API = test_midi_jack.JACK_API
jack_server = test_midi_jack.jack_server  # the JACK dummy server, started once for this module
jack_hang_guard = test_midi_jack.jack_hang_guard  # a hung JACK test ends the run, with tracebacks


class ScheduledTime:
    """A clock that tells a MIDI clock's ticks the time they were sent at: the k-th at k ticks' time. How the
    estimate copes with ticks come late (JACK's periods, a stall) is tested above on a fake clock; here a busy
    machine, which runs the sender and JACK late, cannot move the estimate off."""

    def __init__(self, bpm: float):
        self.step = 60 / bpm / 24
        self.clock: MidiClock | None = None  # the clock whose ticks are timed

    def __call__(self) -> float:
        return (self.clock._index + 1) * self.step  # asked as a tick arrives, before it is counted


def test_midi_clock_through_jack(jack_server):
    """Three clocks at once (60, 128 and 174 bpm) through rtmidi on a JACK dummy server, paced in real time."""
    rates = (60.0, 128.0, 174.0)
    seconds = 3.0
    outs = [jack_server.open_output(f"vcam-clock-{int(r)}", virtual=True) for r in rates]
    mido.set_backend(JACK_API, load=True)
    times = [ScheduledTime(r) for r in rates]
    tempos = [Tempo(clock=t) for t in times]
    clocks = [MidiClock(t) for t in tempos]
    for t, c in zip(times, clocks):
        t.clock = c
    # poll=60: the port watch does not look for an unplug (with a JACK client of its own) while the clocks run: a
    # new client reorders JACK's graph, and MIDI in flight is held up
    inputs = [MidiInput(f"vcam-clock-{int(r)}", MidiRouter(MidiMap(), None, clock=c).handle, lambda s: None, poll=60)
              for r, c in zip(rates, clocks)]
    counts = [int(seconds * r / 60 * 24) for r in rates]

    def send(port, bpm, count):
        step = 60 / bpm / 24
        port.send(mido.Message("start"))
        begin = time.perf_counter() + 0.05
        for i in range(count):  # on an absolute schedule: a late wake-up is not carried into the next tick
            delay = begin + i * step - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            port.send(mido.Message("clock"))

    try:
        for midi in inputs:
            midi.start()
        senders = [threading.Thread(target=send, args=args) for args in zip(outs, rates, counts)]
        for s in senders:
            s.start()
        for s in senders:
            s.join(120)
        assert wait_for(lambda: all(c.fit.ticks and c._index == n for c, n in zip(clocks, counts)), 120), \
            [(c._index, n) for c, n in zip(clocks, counts)]  # every tick came through, to its own clock
    finally:
        for midi in inputs:
            midi.stop()
        for port in outs:
            port.close()
        mido.set_backend(None)
    errors = [t.bpm / r - 1 for t, r in zip(tempos, rates)]
    assert all(t.source == "midi clock" for t in tempos)
    assert max(abs(e) for e in errors) < 1e-6, errors


# --- Ableton Link ------------------------------------------------------------------------------------------------

class StandInLink:
    """What LinkSession uses of aalink.Link; a test moves the session's peers, tempo and beat."""

    def __init__(self, bpm: float):
        self.session_tempo = bpm
        self.beat = 0.0
        self.num_peers_now = 0
        self.enabled = False
        self.quantum = 1
        self.reads = 0
        self._lock = threading.Lock()

    @property
    def num_peers(self):
        with self._lock:
            self.reads += 1
            return self.num_peers_now

    @property
    def tempo(self):
        return self.session_tempo

    @tempo.setter
    def tempo(self, bpm):
        self.session_tempo = bpm


def link_session(tempo: Tempo, said: list) -> tuple[LinkSession, StandInLink]:
    made = []
    session = LinkSession(tempo, said.append, make_link=lambda bpm: made.append(StandInLink(bpm)) or made[0],
                          poll=0.005)
    session.start()
    return session, made[0]


def polled(link: StandInLink, times: int = 3) -> bool:
    """Waits until the session has read the peers `times` more times."""
    start = link.reads
    return wait_for(lambda: link.reads >= start + times, 60)


def test_link_leads_while_it_has_peers_and_takes_the_operators_tempo():
    tempo, clock = fake_tempo()
    tempo.set_bpm(100, "bpm")
    said = []
    session, link = link_session(tempo, said)
    try:
        assert link.enabled and link.quantum == 4 and link.tempo == 100  # starts at the show's tempo
        assert polled(link) and tempo.source == "bpm"  # alone in the session: the tempo by hand applies

        link.session_tempo, link.beat = 133.0, 37.5
        link.num_peers_now = 1
        assert wait_for(lambda: tempo.source == "link", 60)
        assert tempo.bpm == 133 and tempo.beat() == pytest.approx(37.5)
        assert "Link: 1 other peer in the session" in said

        tempo.set_bpm(90, "bpm")  # by hand: the session takes it, and with it every peer
        assert wait_for(lambda: link.tempo == 90, 60)
        assert wait_for(lambda: tempo.bpm == 90 and tempo.source == "link", 60)

        link.num_peers_now = 0  # the last peer leaves: the tempo by hand applies as that is said, not 2 s later
        assert wait_for(lambda: said[-1].startswith("Link: no other peer left"), 60)
        assert (tempo.source, tempo.bpm) == ("bpm", 90)
        assert said[-1] == "Link: no other peer left; the bpm tempo applies now (90.0 bpm)"
    finally:
        session.stop()
    assert not link.enabled and not session._thread.is_alive()


def test_link_alone_once_its_last_peer_leaves_says_its_beat_goes_on():
    """With no other tempo the session's last grid still applies (a silent clock's): said so, not that the tempo
    comes from a next source there is none of."""
    tempo, clock = fake_tempo()
    said = []
    session, link = link_session(tempo, said)
    try:
        link.session_tempo, link.beat = 133.0, 8.0
        link.num_peers_now = 2
        assert wait_for(lambda: tempo.source == "link", 60)
        link.num_peers_now = 0
        assert wait_for(lambda: said[-1].startswith("Link: no other peer left"), 60)
        assert said[-1] == ("Link: no other peer left; the beat goes on at the session's last tempo (133.0 bpm) until "
                            "a peer joins or a tempo is set")
        assert tempo.source == "link" and tempo.describe().endswith("(link, silent)")  # silent now, as said
        tempo.set_bpm(100, "bpm")  # a tempo set by hand takes over at once
        assert tempo.source == "bpm"
    finally:
        session.stop()


def test_a_hushed_clock_heard_last_goes_on_over_one_silent_longer():
    """The MIDI clock went quiet 3 s ago, then Link led until its last peer left: the session's grid goes on, as it
    did once both had been silent 2 s, not the MIDI clock's older one (hushed, Link's had been made older than it)."""
    tempo, clock = fake_tempo()
    tempo.set_bpm(100, "midi clock", anchor=(clock.now, 0.0))
    clock.now += QUIET_S + 1.0
    tempo.set_bpm(140, "link", anchor=(clock.now, 32.0))
    assert tempo.source == "link"
    tempo.hush("link")
    assert (tempo.source, tempo.bpm) == ("link", 140) and tempo.describe().endswith("(link, silent)")
    clock.now += QUIET_S + 1.0  # both long silent: still the one heard last
    assert (tempo.source, tempo.bpm) == ("link", 140)
    tempo.set_bpm(141, "link", anchor=(clock.now, 40.0))  # a peer joins again: it speaks, no longer silent
    assert tempo.describe() == "141.0 bpm beat 1 bar 11 (link)"


def test_only_a_clock_is_hushed():
    tempo, _ = fake_tempo()
    with pytest.raises(ValueError, match="only a clock falls silent"):
        tempo.hush("bpm")
    tempo.hush("link")  # no grid of its own yet: nothing to do
    assert tempo.source is None


def test_a_link_session_that_cannot_open_says_why_on_start():
    def broken(bpm):
        raise OSError("no network interface")

    session = LinkSession(Tempo(), lambda s: None, make_link=broken)
    with pytest.raises(OSError, match="no network interface"):
        session.start()
    session.stop()


def test_a_link_session_that_breaks_on_air_says_so_once_and_the_show_keeps_its_tempo(monkeypatch):
    """A read of the session that raised once the show was on air (the library, or a bug in following it) ended the
    session's thread without a word: the tempo silently stopped following the other peers for the rest of the
    show. Said once now, with the error and what to do; the show's tempo stays as it was."""
    tempo, clock = fake_tempo()
    tempo.set_bpm(100, "bpm")
    said = []
    session, link = link_session(tempo, said)
    try:
        assert polled(link)

        def broken(self):
            raise AttributeError("'NoneType' object has no attribute 'num_peers'")

        monkeypatch.setattr(StandInLink, "num_peers", property(broken))
        session._thread.join(60)
        assert not session._thread.is_alive()
        stopped = [line for line in said if "stopped" in line]
        assert len(stopped) == 1 and stopped[0].startswith("Link: the session stopped (AttributeError: 'NoneType' "
                                                           "object has no attribute 'num_peers' (at vcam/"), said
        assert stopped[0].endswith("the tempo stays as it is; restart vcam to follow the session again"), said
        assert tempo.bpm == 100
    finally:
        session.stop()


NAMESPACE_SCRIPT = Path(__file__).with_name("link_peers.py")


def network_namespace() -> list[str]:
    """The command prefix that runs a command in a network namespace of its own (only loopback there, brought up
    by the script), or a skip saying why there is none."""
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is not installed")
    reasons = []
    for prefix in (["unshare", "-rn"], ["unshare", "-n"]):
        done = subprocess.run(prefix + ["true"], capture_output=True, text=True, timeout=60)
        if done.returncode == 0:
            return prefix
        reasons.append(f"{' '.join(prefix)}: {done.stderr.strip()}")
    pytest.skip("no network namespace can be made here (" + "; ".join(reasons) + ")")


@pytest.mark.slow
def test_link_between_two_sessions_in_a_network_namespace():
    pytest.importorskip("aalink", reason="the link extra is not installed")
    prefix = network_namespace()
    done = subprocess.run(prefix + [sys.executable, str(NAMESPACE_SCRIPT)], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    source, mine, theirs = got["joined"]  # one session, with one tempo (Link keeps one of the two)
    assert source == "link" and mine == pytest.approx(theirs, abs=0.01) and round(mine) in (90, 120)
    assert got["followed"] == ["link", pytest.approx(133, abs=0.01)]  # the peer changed it
    assert got["peer_took"] == pytest.approx(100, abs=0.01)  # `bpm 100` here: the peer follows
    assert abs(got["beat_gap"]) < 0.05  # the same beat on both sides
    assert got["alone"] == "bpm"  # the peer left: the tempo by hand applies


# --- the controller ----------------------------------------------------------------------------------------------

def controller(tempo: Tempo | None) -> tuple[Controller, io.StringIO]:
    out = io.StringIO()
    log = ControlLog(out, {"seed": 1})
    ctl = Controller(None, ShowState(prompts={"a city": 1.0}), RecordingProducer(blocks=7), threading.Event(),
                     lambda s: None, log, tempo=tempo)
    return ctl, out


def logged(out: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in out.getvalue().splitlines()[1:]]


def test_bpm_and_tap_set_the_tempo_and_are_logged():
    tempo, clock = fake_tempo()
    ctl, out = controller(tempo)
    assert ctl.handle_line("bpm 128", "stdin") == "tempo 128 bpm"
    assert (tempo.source, tempo.bpm) == ("bpm", 128)
    assert ctl.handle_line("bpm 96.5", "osc") == "tempo 96.5 bpm"
    assert (tempo.source, tempo.bpm) == ("osc", 96.5)
    replies = []
    for _ in range(4):
        replies.append(ctl.handle_line("tap", "midi"))
        clock.now += 0.4
    assert replies == ["tap 1: 3 more for a tempo", "tap 2: 2 more for a tempo", "tap 3: 1 more for a tempo",
                       "tapped 150.0 bpm"]
    assert (tempo.source, tempo.bpm) == ("tap", pytest.approx(150))
    entries = logged(out)
    # each with the beat the grid was at (no camera here: when it was set); the taps' grid puts the 4th on beat 3
    assert [(e["command"], e["source"], e["apply"], e["block"]) for e in entries] == [
        ("bpm 128", "stdin", {"op": "tempo", "bpm": 128.0, "beat": 0.0}, 7),
        ("bpm 96.5", "osc", {"op": "tempo", "bpm": 96.5, "beat": 0.0}, 7),
        ("tap", "midi", {"op": "tempo", "bpm": 150.0, "beat": 3.0}, 7)]


def test_a_tempo_by_hand_says_when_a_clock_leads():
    tempo, clock = fake_tempo()
    tempo.set_bpm(140, "midi clock", (clock.now, 0))
    ctl, _ = controller(tempo)
    assert ctl.handle_line("bpm 100", "stdin") == "tempo 100 bpm (the midi clock leads while it runs)"


def test_without_a_tempo_bpm_and_tap_answer_an_error():
    ctl, out = controller(None)
    assert ctl.handle_line("bpm 120", "stdin").startswith("error: bpm: there is no tempo here")
    assert ctl.handle_line("tap", "stdin").startswith("error: tap: there is no tempo here")
    assert logged(out) == []
    assert "bpm" not in ctl.describe() and ctl.snapshot()["bpm"] is None


def test_taps_out_of_range_answer_an_error():
    tempo, clock = fake_tempo()
    ctl, _ = controller(tempo)
    for _ in range(3):
        ctl.handle_line("tap", "stdin")
        clock.now += 0.1
    assert ctl.handle_line("tap", "stdin").startswith("error: the taps come at 600 bpm, outside 20-300")
    clock.now += 0.5  # off the beat of the quick taps: a new series, and the reply says why it counts from 1
    assert ctl.handle_line("tap", "stdin") == ("tap 1: 3 more for a tempo (off the beat of the taps before it: they "
                                               "start over)")
    clock.now += 0.5
    assert ctl.handle_line("tap", "stdin") == "tap 2: 2 more for a tempo"


def test_a_tap_before_a_pause_left_out_is_said_to_be():
    """A lone tap, a pause, taps on the beat: the reply said the taps started over, yet counted 2."""
    tempo, clock = fake_tempo()
    ctl, _ = controller(tempo)
    ctl.handle_line("tap", "stdin")
    clock.now += 2.5
    assert ctl.handle_line("tap", "stdin") == "tap 2: 2 more for a tempo"
    clock.now += 0.5
    assert ctl.handle_line("tap", "stdin") == ("tap 2: 2 more for a tempo (the tap before the pause is left out: the "
                                               "taps count from the one after it)")


def test_describe_and_snapshot_carry_the_tempo():
    tempo, clock = fake_tempo()
    ctl, _ = controller(tempo)
    ctl.handle_line("bpm 120", "stdin")
    clock.now += 2.25
    assert ctl.describe().endswith("| block 7 | 120.0 bpm beat 1 bar 2 (bpm)")
    snap = ctl.snapshot()
    assert snap["bpm"] == 120 and snap["beat"] == pytest.approx(4.5)


def test_a_replay_restores_the_tempo_and_its_beat(tmp_path):
    tempo, clock = fake_tempo()
    ctl, out = controller(tempo)
    ctl.handle_line("bpm 128", "stdin")
    clock.now += 3.0  # 6.4 beats on
    ctl.handle_line("bpm 87.25", "stdin")
    path = tmp_path / "controls.jsonl"
    path.write_text(out.getvalue())
    replay = read_replay(str(path))
    assert [a for _, a in replay.actions] == [SetTempo(128.0, 0.0), SetTempo(87.25, 6.4)]

    replayed, replay_clock = fake_tempo()
    replay_clock.now = 500.0  # another time base: the beat is placed where each tempo is set
    producer = RecordingProducer(blocks=7, tell_at_once=True)  # applied at once, as at its block
    said = []
    replay.schedule(producer, ShowState(prompts={}), replayed, say=said.append)
    assert (replayed.source, replayed.bpm, replayed.beat()) == ("replay", 87.25, pytest.approx(6.4))
    assert said == []  # the log keeps the phase


def test_a_clocks_grid_is_logged_with_the_frame_on_screen_and_replayed_when_that_frame_comes_on(tmp_path):
    tempo, clock = fake_tempo()
    path = tmp_path / "controls.jsonl"
    log = ControlLog(open(path, "w"), {"seed": 1})
    log.showing = lambda: Shown(3, 5, clock.now - 0.25)  # frame 5 of block 3, on screen for 0.25 s
    log.follow_tempo(tempo, lambda: 4)
    tempo.set_bpm(120, "midi clock", (clock.now, 10.0))
    log.end(6)
    (entry,) = [json.loads(line) for line in open(path)][1:-1]
    assert (entry["block"], entry["shown"], entry["source"]) == (4, [3, 5], "midi clock")
    assert entry["apply"] == {"op": "tempo", "bpm": 120.0, "beat": 9.5}  # the beat when frame 5 came on

    replay = read_replay(str(path))
    assert replay.actions == [] and [(c.frame, c.action) for c in replay.at_frames] == [((3, 5), SetTempo(120, 9.5))]
    replayed, replay_clock = fake_tempo()
    again = ControlLog(io.StringIO(), {})  # a replay's own log: the replayed grid is not logged again
    again.follow_tempo(replayed, lambda: 0)
    listeners = []
    replay.schedule(RecordingProducer(), ShowState(prompts={}), replayed, frames=listeners.append)
    (shown,) = listeners
    shown(Shown(3, 4, 700.0))
    assert replayed.bpm is None  # not yet
    replay_clock.now = 800.5
    shown(Shown(3, 5, 800.0))  # frame 5 came on at 800 s
    assert (replayed.source, replayed.bpm, replayed.beat()) == ("replay", 120, pytest.approx(10.5))
    assert again.out.getvalue().count("\n") == 1  # its header only


def test_an_old_log_without_the_beat_still_replays_its_tempo_and_says_so_once(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text("".join(json.dumps(e) + "\n" for e in [
        {"vcam": {"seed": 1}},
        {"t": 1, "block": 2, "command": "bpm 128", "source": "stdin", "apply": {"op": "tempo", "bpm": 128.0}},
        {"t": 2, "block": 3, "command": "bpm 90", "source": "stdin", "apply": {"op": "tempo", "bpm": 90}},
        {"end": {"blocks": 5}}]))
    replay = read_replay(str(path))
    replayed, clock = fake_tempo()
    producer = RecordingProducer(blocks=0)
    said = []
    replay.schedule(producer, ShowState(prompts={}), replayed, say=said.append)
    assert len(said) == 1 and "keeps no beat phase" in said[0]
    assert [(a, at) for a, at, _ in producer.given] == [(SetTempo(128.0), 2), (SetTempo(90.0), 3)]
    producer.apply_given()
    assert (replayed.source, replayed.bpm) == ("replay", 90.0)


@pytest.mark.parametrize("bad", [{"op": "tempo"}, {"op": "tempo", "bpm": 5}, {"op": "tempo", "bpm": "fast"},
                                 {"op": "tempo", "bpm": 120, "beat": "3"}, {"op": "tempo", "bpm": 120, "beat": None},
                                 {"op": "tempo", "bpm": 120, "running": 1}, {"op": "tempo", "bpm": 120, "phase": 3}])
def test_a_logged_tempo_is_checked(bad):
    with pytest.raises(ValueError, match="tempo"):
        from_dict(bad)


def test_the_stream_leaves_the_tempo_action_alone():
    from vcam.control.actions import apply

    apply(object(), SetTempo(120.0))  # nothing on the stream is touched
    assert SetTempo(120.0).to_dict() == {"op": "tempo", "bpm": 120.0}
    assert Origin("bpm 120", "stdin").source == "stdin"


# --- the show's wiring -------------------------------------------------------------------------------------------

def test_the_status_line_shows_the_tempo():
    from vcam.live.run import _extra_status

    class Inputs:
        def status(self):
            return "input camera"

    tempo, clock = fake_tempo()
    status = _extra_status(Inputs(), None, tempo.describe)
    assert status() == "input camera"
    tempo.set_bpm(128, "midi clock", (clock.now - 60 / 128 * 66, 0.0))  # 66 beats ago
    assert status() == "input camera | 128.0 bpm beat 3 bar 17 (midi clock)"


@pytest.mark.parametrize("command", ["run", "serve"])
def test_link_reaches_the_run(command, monkeypatch):
    from vcam.live.run import Ended

    from vcam.cli import main

    got = []
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: got.append(opts) or
                        Ended(0, False))
    assert main([command, "--link"]) == 0 and main([command]) == 0
    assert [opts.link for opts in got] == [True, False]


def test_link_without_aalink_says_what_to_install():
    code = ("import sys; sys.modules['aalink'] = None\n"
            "from vcam.cli import main; sys.exit(main(['run', '--model', 'tiny', '--out', 'null', '--duration', '1', "
            "'--no-stdin', '--link']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 2, done.stderr
    assert "Ableton Link support (aalink)" in done.stderr and 'pip install -e ".[link]"' in done.stderr
    assert "Traceback" not in done.stderr


def test_a_midi_port_without_a_map_carries_the_tempo_only_and_says_so(fake_midi_backend):
    """A DAW's clock port needs no map: `--midi PORT` alone takes its MIDI clock, and says the knobs are unmapped."""
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    port, mapping, _ = midi_setup_read(RunOptions(midi="MIDImix"), None, False, said.append)
    assert port == "MIDImix" and not mapping.knobs and not mapping.buttons
    assert said and "gives the tempo (MIDI clock) only" in said[0] and "--midi-map" in said[0]


def test_a_shows_midi_section_with_a_port_alone_says_its_input_gives_the_tempo_only(fake_midi_backend):
    """`midi: {port: nano}` opened the controller with an empty map, unsaid: its knobs did nothing on air, where the
    same port given as --midi alone said so."""
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    show = parse_show("presets:\n  - {name: a, prompt: a neon city}\nmidi: {port: nano}\n", "show.yaml")
    port, mapping, _ = midi_setup_read(RunOptions(show="show.yaml"), show, False, said.append)
    assert port == "nano" and not mapping.knobs and not mapping.buttons
    assert said == ["MIDI input 'nano' has no map: it gives the tempo (MIDI clock) only; --midi-map nanokontrol2 (or "
                    "midimix, apc-mini-mk2, a file) or controls: or map: in the show's midi: section map its knobs "
                    "and buttons"], said


class FullDisk(io.StringIO):
    """A log file whose writes fail after the header, as on a full disk."""

    def __init__(self):
        super().__init__()
        self.full = False

    def write(self, text):
        if self.full:
            raise OSError(28, "No space left on device")
        return super().write(text)


def test_a_log_that_cannot_be_written_is_said_once_and_the_tempo_goes_on():
    """A clock's move is logged under the tempo's lock: a failing write must not escape into set_bpm (a Link or
    MIDI clock thread would stop taking the tempo)."""
    tempo, clock = fake_tempo()
    said = []
    out = FullDisk()
    log = ControlLog(out, {"seed": 1}, say=said.append)
    log.follow_tempo(tempo, lambda: 0)
    out.full = True
    tempo.set_bpm(120, "midi clock", (clock.now, 0.0))
    tempo.set_bpm(90, "midi clock", (clock.now, 0.0))
    assert tempo.bpm == 90
    assert len(said) == 1 and "No space left on device" in said[0] and "the show goes on" in said[0]
    log.end(3)  # the end line fails too, quietly: said already
    assert len(said) == 1


def test_a_grid_placed_on_the_first_frame_holds_the_tempos_lock():
    """The grid logged while loading is placed again on the first frame under the tempo's lock, so a clock
    thread's newer move cannot be logged between reading the grid and writing it."""
    tempo, clock = fake_tempo()
    out = io.StringIO()
    log = ControlLog(out, {"seed": 1})
    log.follow_tempo(tempo, lambda: 0)
    tempo.set_bpm(120, "bpm")  # while loading: no frame on screen
    held = []
    real_record = log.record
    log.record = lambda *a, **k: (held.append(tempo.held()._is_owned()), real_record(*a, **k))
    log.frame_shown(Shown(0, 0, clock.now))
    assert held == [True]
    assert logged(out)[-1]["shown"] == [0, 0]


def test_a_clock_that_falls_silent_with_no_other_tempo_is_said_to():
    """With no other tempo, a silent clock still applies: nothing changed source, and a pulled cable went unsaid."""
    tempo, clock = fake_tempo()
    said = []
    midi_clock = MidiClock(tempo, say=said.append)
    _clock_for(midi_clock, clock, 3.0)
    clock.now += QUIET_S + 0.5
    assert tempo.source == "midi clock" and tempo.describe().endswith("(midi clock, silent)")
    assert said == ["MIDI clock: the tempo follows it (128.0 bpm)", f"MIDI clock: silent for {QUIET_S:g} s; the "
                    "beat goes on at its last tempo (128.0 bpm) until it is heard again, or another tempo takes over: "
                    f"tap ({TAPS_NEEDED} times or more), bpm N"]
    tempo.set_bpm(120, "bpm")  # the operator's tempo while it is silent: nothing more of the clock to say
    assert tempo.source == "bpm" and len(said) == 2
    _clock_for(midi_clock, clock, 1.0)
    assert said[2:] == ["MIDI clock: the tempo follows it (128.0 bpm)"]


def test_a_clock_stopped_and_then_silent_says_the_beat_stays_stopped_not_that_it_goes_on():
    """A DAW sends stop, then no clock while stopped (as most do): vcam said the beat went on at its last tempo, where
    the beat (and the status line) stayed stopped, so a VJ waited for changes on the beat that never came."""
    tempo, clock = fake_tempo()
    said = []
    midi_clock = MidiClock(tempo, say=said.append)
    _clock_for(midi_clock, clock, 3.0)
    midi_clock.handle(mido.Message("stop"), clock.now)
    stopped = tempo.describe()
    clock.now += QUIET_S + 0.5
    assert tempo.describe() == stopped.replace("(midi clock)", "(midi clock, silent)")
    assert said[1:] == [f"MIDI clock: stopped, and silent for {QUIET_S:g} s; the beat stays stopped at "
                        f"{stopped.split(' stopped at ')[1].split(' (')[0]} (128.0 bpm) until the clock starts or "
                        f"continues, or another tempo takes over: tap ({TAPS_NEEDED} times or more), bpm N"], said
    midi_clock.handle(mido.Message("continue"), clock.now)
    _clock_for(midi_clock, clock, 1.0)
    assert said[2:] == ["MIDI clock: the tempo follows it (128.0 bpm)"] and tempo.running


@pytest.mark.parametrize("link", [False, True])
def test_a_clock_stopped_and_silent_names_what_takes_its_tempo_over_and_those_do(link):
    """A DAW closed after its stop left the beat stopped, and the line said only the clock could start it again: the
    VJ was not told that a tap, `bpm N` or a Link peer (where the show joined Link) takes the tempo over."""
    tempo, clock = fake_tempo()
    said = []
    midi_clock = MidiClock(tempo, say=said.append, link=link)
    _clock_for(midi_clock, clock, 3.0)
    midi_clock.handle(mido.Message("stop"), clock.now)
    clock.now += QUIET_S + 0.5
    assert tempo.describe().endswith("(midi clock, silent)")
    assert said[-1].endswith(f", or another tempo takes over: tap ({TAPS_NEEDED} times or more), bpm N"
                             + (", or a peer in the Link session" if link else "")), said
    assert [c.name for c in (parse("tap"), parse("bpm 100"))] == ["tap", "bpm"]  # the words as the console takes them
    for _ in range(TAPS_NEEDED):
        tempo.tap(clock.now)
        clock.now += 0.5
    assert tempo.source == "tap" and tempo.running and round(tempo.bpm) == 120
    tempo.set_bpm(100, "bpm")
    assert tempo.source == "bpm" and tempo.running


@pytest.mark.parametrize("link", [False, True])
def test_a_clock_silent_while_running_names_what_takes_its_tempo_over_as_a_stopped_one_does(link):
    """A cable pulled while the DAW played said only that the beat went on until the clock was heard again, where the
    same silence after a stop named a tap, `bpm N` and a Link peer: the two lines end alike."""
    ends = []
    for stop in (False, True):
        tempo, clock = fake_tempo()
        said = []
        midi_clock = MidiClock(tempo, say=said.append, link=link)
        _clock_for(midi_clock, clock, 3.0)
        if stop:
            midi_clock.handle(mido.Message("stop"), clock.now)
        clock.now += QUIET_S + 0.5
        assert tempo.describe().endswith("(midi clock, silent)")
        ends.append(said[-1].rpartition(", or another tempo takes over")[1:])
    assert ends[0] == ends[1] == (", or another tempo takes over", f": tap ({TAPS_NEEDED} times or more), bpm N"
                                  + (", or a peer in the Link session" if link else "")), ends


def test_a_clock_that_comes_and_goes_is_said_a_few_times_not_at_every_dropout():
    """A clock that kept dropping out for over 2 s (a loose cable, a DAW started and stopped while rehearsing)
    printed two lines for each dropout, for as long as it went on."""
    tempo, clock = fake_tempo()
    said = []
    midi_clock = MidiClock(tempo, say=said.append)
    tempo.set_bpm(124, "bpm")
    _clock_for(midi_clock, clock, 10.0, transport=True)  # stops and starts each second: the clock stays in charge
    assert said == ["MIDI clock: the tempo follows it (128.0 bpm)"]
    for _ in range(30):  # 3.5 s a round for 105 s: 1 s of clock, then 2.5 s of silence
        clock.now += QUIET_S + 0.5
        tempo.describe()  # the status line notices the silence
        _clock_for(midi_clock, clock, 1.0)
    assert len(said) <= 6
    assert "came and went" in said[-1] and tempo.source == "midi clock"
    clock.now += 120.0  # it holds (silent) for two minutes, then comes back: said again
    tempo.describe()
    _clock_for(midi_clock, clock, 1.0)
    assert said[-1] == "MIDI clock: the tempo follows it (128.0 bpm)"


@pytest.mark.parametrize("before", [1, 3])
def test_a_pause_under_the_tap_break_at_a_fast_tempo_is_no_beat_of_the_taps(before):
    """With the pause raised to 3 s, a 2.5 s pause in taps at 120 bpm is within it: the gap, five beats long, must
    start a new series rather than be averaged into the tempo. After a lone tap, the series went on through the
    pause, broke off at the next gap, and started from the tap after the first: 4 taps gave no tempo, and the 5th
    one put the bar's first beat on the second."""
    tempo, clock = fake_tempo()
    for _ in range(before):
        tempo.tap()
        clock.now += 0.5
    clock.now += 2.0  # 2.5 s since the last tap
    first = clock.now
    got = []
    for _ in range(4):
        got.append(tempo.tap())
        clock.now += 0.5
    assert got[:3] == [None] * 3 and got[3] == pytest.approx(120.0)
    assert tempo.beat(first) == pytest.approx(0.0)  # the first tap after the pause is the bar's first beat


def test_two_hands_tapping_at_once_each_tap_a_series_of_their_own():
    """A MIDI pad and a tablet both tapping the beat, a few ms apart: their taps were one series, each near-double
    broke it off the beat, and no tempo ever came."""
    tempo, clock = fake_tempo()
    pad, tablet = Origin("tap", "midi"), Origin("tap", "osc")
    got = []
    for _ in range(TAPS_NEEDED):
        got.append(tempo.tap(cause=pad))
        clock.now += 0.03
        got.append(tempo.tap(cause=tablet))
        clock.now += 0.47
    assert got[-2] == pytest.approx(120) and got[-1] == pytest.approx(120)
    assert tempo.bpm == pytest.approx(120) and tempo.taps == TAPS_NEEDED


# --- found unchecked by mutating tempo.py: each test fails where the behaviour it names is changed --------------

def test_the_tapped_tempo_is_fitted_through_all_of_the_last_sixteen_taps_not_fewer():
    """Ten gaps of 0.6 s, then ten of 0.5 s: the last 16 taps hold five of the slower gaps, and the tempo is theirs
    (fitted through them, about 113.8), not the last few taps' 120 nor all twenty-one's."""
    tempo, clock = fake_tempo()
    times = []
    for gap in [0.6] * 10 + [0.5] * 10:
        times.append(clock.now)
        tempo.tap()
        clock.now += gap
    times.append(clock.now)
    bpm = tempo.tap()
    assert bpm == pytest.approx(_fitted_bpm(times[-16:])) == pytest.approx(113.81, abs=0.01)
    assert bpm != pytest.approx(_fitted_bpm(times), abs=0.5)


def test_a_tap_nearly_a_beat_late_starts_the_series_over():
    """Taps 0.5 s apart, then one 0.95 s after the last: more than half again the fitted beat, no beat of them."""
    tempo, clock = fake_tempo()
    for _ in range(4):
        tempo.tap()
        clock.now += 0.5
    clock.now += 0.45
    assert tempo.tap() is None and tempo.taps_broke_off and tempo.taps == 1


def test_as_many_hands_as_are_kept_apart_tapping_at_once_each_get_the_tempo():
    """The console, pads and tablets tapping the same beat: each keeps its series, so each gives the tempo."""
    tempo, clock = fake_tempo()
    hands = [Origin("tap", f"client {i}") for i in range(8)]  # the eight sources the tempo keeps apart
    got = []
    for _ in range(TAPS_NEEDED):
        for hand in hands:
            got.append(tempo.tap(cause=hand))
            clock.now += 0.01
        clock.now += 0.42
    assert got[-8:] == [pytest.approx(120)] * 8 and tempo.taps == TAPS_NEEDED


def test_a_ninth_hand_tapping_drops_the_series_tapped_least_lately_not_one_going_on():
    """Hand 0 taps first and goes on tapping; seven others tapped once, then a ninth hand comes: the series dropped
    is one of the seven, so hand 0 and the newcomer each still give the tempo."""
    tempo, clock = fake_tempo()
    steady, newcomer = Origin("tap", "pad"), Origin("tap", "client 8")
    tempo.tap(cause=steady)
    for i in range(1, 8):
        clock.now += 0.01
        tempo.tap(cause=Origin("tap", f"client {i}"))
    start = clock.now - 0.07
    for k in (1, 2):
        clock.now = start + 0.5 * k
        tempo.tap(cause=steady)
    clock.now = start + 1.2
    tempo.tap(cause=newcomer)
    clock.now = start + 1.5
    assert tempo.tap(cause=steady) == pytest.approx(120)
    for k in (1, 2, 3):
        clock.now = start + 1.2 + 0.5 * k
        bpm = tempo.tap(cause=newcomer)
    assert bpm == pytest.approx(120)


def test_a_clocks_beat_moved_by_a_tenth_of_a_beat_is_heard_by_the_watchers():
    """50 ms at 120 bpm, a frame and more: the control log must hear of it, or a replay puts the beat there late."""
    tempo, clock = fake_tempo()
    heard = []
    tempo.watch(lambda source, grid, cause: heard.append(round(grid.beat_at(clock.now), 3)))
    tempo.set_bpm(120, "midi clock", (clock.now, 0.0))
    tempo.set_bpm(120, "midi clock", (clock.now, 0.1))
    assert heard == [0.0, 0.1]


def test_a_tap_well_before_the_beat_starts_the_series_over():
    """Taps 0.5 s apart, then one 0.3 s after the last: shorter than the fitted beat by more than half again."""
    tempo, clock = fake_tempo()
    for _ in range(4):
        tempo.tap()
        clock.now += 0.5
    clock.now -= 0.2
    assert tempo.tap() is None and tempo.taps_broke_off and tempo.taps == 1


def test_a_pause_of_exactly_the_tap_break_after_quick_taps_starts_the_series_over():
    tempo, clock = fake_tempo()
    for _ in range(4):
        tempo.tap()
        clock.now += 0.5
    clock.now += TAP_BREAK_S - 0.5
    assert tempo.tap() is None and tempo.taps == 1


def test_after_a_stray_tap_the_series_starts_on_the_bar_nearest_the_tap_that_began_it():
    """A stray tap, 1.9 s of nothing, then taps 0.5 s apart: the series is the taps after the stray one, and its
    first (beat 5.8 of the grid in use) is the first beat of bar 2 (beat 4), not the next tap's nearest bar."""
    tempo, clock = fake_tempo()
    start = clock.now
    tempo.set_bpm(120, "bpm", (start, 0.0))
    clock.now = start + 1.0
    tempo.tap()  # the stray one
    clock.now = start + 2.9
    first = clock.now
    for _ in range(4):
        tempo.tap()
        clock.now += 0.5
    assert tempo.source == "tap" and tempo.bpm == pytest.approx(120)
    assert tempo.beat(first) == pytest.approx(4.0)


def test_a_bar_of_no_beats_is_refused():
    with pytest.raises(ValueError, match="beats_per_bar must be 1 or more, not 0"):
        Tempo(beats_per_bar=0)


def test_a_replayed_tempo_steers_no_link_peer():
    """A replay sets the tempo the show had; the Link session follows only what an operator sets now."""
    tempo, _ = fake_tempo()
    followed = []
    tempo.follow(lambda bpm, source: followed.append((bpm, source)))
    tempo.set_bpm(128, "replay", (100.0, 0.0))
    tempo.set_bpm(90, "bpm")
    assert followed == [(90.0, "bpm")]


def test_the_status_says_the_beat_a_time_falls_on_where_floats_read_it_a_hair_before():
    """At 2.3 s on a grid from 0.3 s at 120 bpm, beat_at reads 3.9999999999999996: the status says beat 1 of bar 2,
    the beat that has come, not beat 4 of bar 1."""
    tempo, clock = fake_tempo()
    clock.now = 2.3
    tempo.set_bpm(120, "bpm", (0.3, 0.0))
    assert tempo.describe() == "120.0 bpm beat 1 bar 2 (bpm)"


def test_a_tempo_by_hand_with_link_peers_says_the_session_takes_it_not_that_link_shadows_it():
    """With peers in the Link session a typed bpm or a tap becomes the session's tempo (the DJ's too): the reply said
    the link leads, as if the tempo typed were set aside."""
    tempo, clock = fake_tempo()
    ctl, _ = controller(tempo)
    ctl.handle_line("bpm 100", "stdin")
    said: list[str] = []
    session, link = link_session(tempo, said)
    try:
        link.session_tempo, link.num_peers_now = 133.0, 1
        assert wait_for(lambda: tempo.source == "link", 60)
        assert ctl.handle_line("bpm 90", "stdin") == "tempo 90 bpm (the Link session takes it, and its peers follow)"
        assert wait_for(lambda: link.tempo == 90 and tempo.bpm == 90, 60)
        replies = []
        for _ in range(TAPS_NEEDED):
            replies.append(ctl.handle_line("tap", "stdin"))
            clock.now += 0.5
        assert replies[-1] == "tapped 120.0 bpm (the Link session takes it, and its peers follow)"
        assert wait_for(lambda: link.tempo == pytest.approx(120), 60)
    finally:
        session.stop()


def test_a_tempo_by_hand_while_a_stopped_midi_clock_is_heard_says_the_beat_stands_still():
    """A DAW stopped but sending clock leads: a typed bpm moves nothing, and the reply says the beat stands still
    until the clock starts, not that the clock leads "while it runs" (it is not running)."""
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, "midi clock", (clock.now, 5.0), running=False)
    ctl, _ = controller(tempo)
    assert ctl.handle_line("bpm 128", "stdin") == ("tempo 128 bpm (the midi clock leads while it is heard, and it is "
                                                   "stopped: the beat stands still until it starts or goes quiet)")
    assert not tempo.running and tempo.source == "midi clock"


def test_a_tempo_by_hand_while_a_midi_clock_leads_says_the_link_session_takes_it_too():
    """A typed bpm goes to the Link session whichever source leads: with a MIDI clock running and peers in the
    session, the reply said only that the clock leads while the DJ's Link tempo changed to the one typed."""
    tempo, clock = fake_tempo()
    tempo.set_bpm(140, "midi clock", (clock.now, 0.0))
    ctl, _ = controller(tempo)
    said: list[str] = []
    session, link = link_session(tempo, said)
    try:
        assert polled(link)  # alone in the session: no one follows
        assert ctl.handle_line("bpm 90", "stdin") == "tempo 90 bpm (the midi clock leads while it runs)"
        link.session_tempo, link.num_peers_now = 133.0, 1
        assert polled(link) and tempo.source == "midi clock"
        assert ctl.handle_line("bpm 96", "stdin") == ("tempo 96 bpm (the midi clock leads while it runs; the Link "
                                                      "session takes it, and its peers follow)")
        assert wait_for(lambda: link.tempo == 96, 60) and tempo.bpm == 140  # the DJ's tempo moved, the show's not
        link.num_peers_now = 0  # the last peer leaves: no one follows the next
        assert polled(link)
        assert ctl.handle_line("bpm 97", "stdin") == "tempo 97 bpm (the midi clock leads while it runs)"
    finally:
        session.stop()
