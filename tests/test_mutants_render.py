"""Edges of what the camera shows that no test pinned before: the in-between frames of `--smooth flow`, the freeze
and blackout, a fitted frame, the status and progress lines. Each test fails where the code is changed in the way
its docstring says."""
import io
import os

import numpy as np
import pytest

from vcam.live.frames import crossfade
from vcam.live.interp import DisFlow, FlowSettings, FlowSmoother, FlowStats, affordable, smooth_mode

WAIT_S = 60.0  # for the flow's worker thread: generous, the machine is loaded


def _still(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    zero = np.zeros(a.shape[:2] + (2,), np.float32)
    return zero, zero.copy()


def _grey(value: int, h: int = 8, w: int = 8) -> np.ndarray:
    return np.full((h, w, 3), value, np.uint8)


# --- --smooth flow ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("smooth", [False, ""])
def test_no_smoothing_asked_for_repeats_frames_and_is_no_unknown_mode(smooth):
    """`--smooth` off comes as False (or an empty value from a config): `if not smooth` turned `if smooth is None`
    refused it as an unknown smoothing."""
    assert smooth_mode(smooth) is None


class _SmallFlow:
    """Stands in for OpenCV's DIS: a flow of (1, 1) pixel everywhere, at the size of the frames given."""

    def __init__(self):
        self.sizes = []

    def calc(self, x, y, _):
        self.sizes.append(x.shape)
        return np.ones(x.shape[:2] + (2,), np.float32)


def test_a_flow_found_on_shrunk_frames_comes_back_at_full_size_its_vectors_scaled_each_on_its_own_axis():
    """At --flow-scale 0.25 a 120x20 pair is flowed at 30x8 (8 rows at least): one pixel there is 4 pixels across
    and 2.5 down at full size. Not resized back (the shape check dropped), its vectors not scaled, scaled by each
    other's axis, or the frames shrunk to 8x30 instead, the in-between frames were warped by wrong motions."""
    flow = DisFlow(FlowSettings(scale=0.25))
    fake = _SmallFlow()
    flow._dis = fake
    a = np.random.default_rng(1).integers(0, 256, (20, 120, 3), np.uint8)
    forward, backward = flow(a, a[:, ::-1].copy())
    assert fake.sizes == [(8, 30), (8, 30)]
    for f in (forward, backward):
        assert f.shape == (20, 120, 2)
        assert np.allclose(f[..., 0], 4.0) and np.allclose(f[..., 1], 2.5)


def test_before_any_pair_is_measured_every_in_between_frame_wanted_is_made():
    """With no cost measured yet the budget cannot bound anything: `if not stats.pairs` dropped made a pair of
    0.2 ms on screen two frames of its five (the 0.1 ms floor of a warp's cost)."""
    assert affordable(5, 0.2, FlowStats()) == 5


def test_a_warp_measured_faster_than_a_millisecond_counts_at_its_measured_cost():
    """Flows 5 ms and warps 0.5 ms each in a 10 ms budget leave room for all 7 in-between frames; a floor of 1 ms on
    a warp's cost (0.1 turned 1.0) made 5."""
    assert affordable(7, 10.0, FlowStats(pairs=1, cost_ms=5.0, frame_ms=0.5)) == 7


@pytest.mark.parametrize("t, end", [(-0.5, 0), (1.5, 1)])
def test_a_moment_outside_a_pair_shows_its_nearest_end_not_a_picture_beyond_it(t, end):
    """The clamp of t to 0..1 dropped: a tick's moment past a pair's end (a late tick) extrapolated the blend of its
    in-between frames, a picture brighter or darker than either frame."""
    a, b = _grey(40), _grey(200)
    smoother = FlowSmoother(flow=_still)
    try:
        smoother.arrived(a, b, ticks=4.0)
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 1
        assert np.array_equal(smoother.between(a, b, t), (a, b)[end])
    finally:
        smoother.close()


def test_an_in_between_frame_is_the_blend_of_the_two_made_nearest_its_moment():
    """Three in-between frames at 1/4, 2/4, 3/4: the moment 5/8 is halfway between the 2nd and the 3rd, weighted
    towards the later one as the moment moves on."""
    a, b = _grey(0), _grey(160)
    smoother = FlowSmoother(flow=_still)
    try:
        smoother.arrived(a, b, ticks=4.0)
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 1
        assert np.allclose(smoother.between(a, b, 0.625).astype(int), 100, atol=1)
        assert np.allclose(smoother.between(a, b, 0.55).astype(int), 88, atol=1)
        assert np.array_equal(smoother.between(a, b, 0.5), crossfade(a, b, 0.5))
    finally:
        smoother.close()


# --- progress on long waits -------------------------------------------------------------------------------------


class _Clock:
    def __init__(self, t: float = 0.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.mark.parametrize("seconds, said", [(-2.0, "0:00"), (65, "1:05"), (3725, "1:02:05"), (3600, "1:00:00")])
def test_time_left_reads_as_a_clock(seconds, said):
    """An hour and more shows its hours (`if h` turned `if h > 1` said 1:02:05 as 62:05); a time a clock step makes
    negative is 0:00, not -1:59:58 (the floor at 0 dropped)."""
    from vcam.progress import clock_time

    assert clock_time(seconds) == said


@pytest.mark.parametrize("n, said", [(0, "0 bytes"), (1e8, "100.0 MB"), (250_000_000, "250.0 MB"),
                                     (99_999_999, "100.0 MB"), (28.6e9, "28.6 GB")])
def test_room_on_a_disk_is_said_as_a_download_size_is(n, said):
    """The disk's and the hub's sizes in the one wording: under a gigabyte in MB ("0.3 GB" said 250 MB), and
    nothing free as "0 bytes" (it read "0.0 GB")."""
    from vcam.words import size_text

    assert size_text(n) == said


@pytest.mark.parametrize("n, said", [(28.6e9, "28.6 GB"), (999_960_000, "1.0 GB"), (999_949_999, "999.9 MB"),
                                     (150_000_000, "150.0 MB"), (600_000, "0.6 MB"), (99_960, "0.1 MB"),
                                     (99_949, "99.9 kB"), (40_000, "40.0 kB"), (100, "0.1 kB"), (99.6, "0.1 kB"),
                                     (99.4, "99 bytes"), (10, "10 bytes"), (1, "1 byte"), (0.6, "1 byte"),
                                     (0, "0 bytes")])
def test_a_download_size_is_said_in_the_unit_its_rounded_figure_reaches(n, said):
    """A gigabyte and up in GB, a tenth of a megabyte and up in MB, a tenth of a kilobyte and up in kB, less in
    whole bytes, one of them "1 byte": the unit chosen once the figure is rounded (999.96 MB read "1000.0 MB", a 40 kB
    file "0.0 MB")."""
    from vcam.words import size_text

    assert size_text(n) == said


def test_a_progress_line_says_its_total_as_the_fetching_line_does():
    """The total in the unit size_text gives it (the fetching line's): "1000.0 MB" just under a gigabyte, "0.0 of
    0.0 MB" for a 40 kB file; bytes done in another unit than a GB total keep theirs."""
    from vcam.progress import ByteProgress

    def line(total: int, done: int) -> str:
        return ByteProgress("x", total, io.StringIO(), clock=_Clock(), tty=False).text(done)

    assert line(999_960_000, 0) == "x: 0.0 of 1.0 GB (0%)"
    assert line(999_960_000, 500_000_000) == "x: 500.0 MB of 1.0 GB (50%)"
    assert line(40_000, 20_000) == "x: 20.0 of 40.0 kB (50%)"
    assert line(40_000, 0) == "x: 0.0 of 40.0 kB (0%)"
    assert line(28_600_000_000, 99_960_000) == "x: 100.0 MB of 28.6 GB (0%)"
    assert line(28_600_000_000, 40_000) == "x: 40.0 kB of 28.6 GB (0%)"
    assert line(28_600_000_000, 50) == "x: 50 bytes of 28.6 GB (0%)"
    assert line(40, 20) == "x: 20 of 40 bytes (50%)"


def test_a_message_before_any_progress_line_is_written_alone_and_the_end_ends_the_line_once(monkeypatch):
    """On a terminal a message before the first progress line has no line to wipe or draw again below it (`and
    self._line` dropped wrote the wipe first); the end's newline is written once however often the end is called
    (the line not forgotten: a blank line each time)."""
    from vcam.progress import Progress

    monkeypatch.setenv("TERM", "xterm")
    out, clock = io.StringIO(), _Clock()
    progress = Progress(4, out, clock=clock, tty=True)
    progress.say("first")
    assert out.getvalue() == "vcam: first\n"
    clock.t = 1.0
    progress.update(1, 12)
    progress.done()
    progress.done()
    assert out.getvalue().endswith("left\n") and not out.getvalue().endswith("\n\n")
    progress.say("after")
    assert out.getvalue().endswith("left\nvcam: after\n")


def test_the_end_of_a_progress_in_a_log_adds_no_blank_line():
    """Elsewhere than on a terminal each line ends itself: `done` must add nothing (`self.tty and` dropped added
    an empty line to the log)."""
    from vcam.progress import Progress

    out = io.StringIO()
    progress = Progress(2, out, clock=_Clock(), tty=False)
    progress.update(1, 12)
    progress.done()
    assert out.getvalue().count("\n") == 1


def test_a_resumed_download_shows_the_rate_of_this_run_and_the_end_once():
    """A download resumed at 2 GB of 10: the rate counts only the bytes this run fetched, from its first figure
    (not from the bar's making, not from 0), the line reaching the total is shown at once even within the interval
    and never again after it, with no time left, and bytes past the total read as 100 %."""
    from vcam.progress import ByteProgress

    out, clock = io.StringIO(), _Clock()
    bar = ByteProgress("downloading x", 10_000_000_000, out, clock=clock, tty=False, every_s=5.0)
    clock.t = 20.0
    bar.update(2_000_000_000)
    clock.t = 30.0
    bar.update(3_000_000_000)
    assert out.getvalue().splitlines()[-1] == "vcam: downloading x: 3.0 of 10.0 GB (30%), 100 MB/s, 1:10 left"
    clock.t = 31.0
    bar.update(10_000_000_000)
    last = out.getvalue().splitlines()[-1]
    assert last.startswith("vcam: downloading x: 10.0 of 10.0 GB (100%), 727 MB/s") and "left" not in last, last
    for t in (32.0, 33.0):
        clock.t = t
        bar.update(10_000_000_000)
    assert len(out.getvalue().splitlines()) == 3
    clock.t = 40.0
    bar.update(12_000_000_000)
    assert "(100%)" in out.getvalue().splitlines()[-1]


def test_a_negative_total_is_an_unknown_one():
    from vcam.progress import ByteProgress

    bar = ByteProgress("loading x", -1, io.StringIO(), clock=_Clock(), tty=False)
    assert bar.text(5_000_000) == "loading x: 5.0 MB"


def test_bytes_done_in_another_unit_than_the_total_keep_their_unit():
    """5 MB of a 10 GB file: only a figure in the total's unit drops its own (the unit check dropped read it as
    5.0 of 10.0 GB)."""
    from vcam.progress import ByteProgress

    bar = ByteProgress("loading x", 10_000_000_000, io.StringIO(), clock=_Clock(), tty=False)
    assert bar.text(5_000_000) == "loading x: 5.0 MB of 10.0 GB (0%)"


def test_a_total_under_a_gigabyte_is_said_in_megabytes_with_its_bytes_done():
    """None yet of a 0.6 MB file read "0.0 GB of 0.6 MB", and a third of a 150 MB one "50.0 MB of 0.1 GB": under a
    gigabyte both figures are in MB; a larger total keeps its GB, with none done yet in its unit."""
    from vcam.progress import ByteProgress

    small = ByteProgress("downloading x", 600_000, io.StringIO(), clock=_Clock(), tty=False)
    assert small.text(0) == "downloading x: 0.0 of 0.6 MB (0%)"
    assert small.text(300_000) == "downloading x: 0.3 of 0.6 MB (50%)"
    medium = ByteProgress("downloading y", 150_000_000, io.StringIO(), clock=_Clock(), tty=False)
    assert medium.text(50_000_000) == "downloading y: 50.0 of 150.0 MB (33%)"
    assert medium.text(0) == "downloading y: 0.0 of 150.0 MB (0%)"
    large = ByteProgress("downloading z", 28_600_000_000, io.StringIO(), clock=_Clock(), tty=False)
    assert large.text(0) == "downloading z: 0.0 of 28.6 GB (0%)"
    assert large.text(14_600_000_000) == "downloading z: 14.6 of 28.6 GB (51%)"


# --- freeze and blackout ----------------------------------------------------------------------------------------


def _screen():
    from types import SimpleNamespace

    from vcam.live.screen import Screen

    state = SimpleNamespace(screen="live")
    return state, Screen(state)


def test_a_freeze_holds_the_picture_of_the_tick_before_it_and_keeps_holding_it():
    """The frame on screen when the freeze came stays, whatever comes next (re-taken each tick, `if self._frozen is
    None` turned `if True`, the picture moved on a tick behind the stream); back to live and frozen again, the new
    freeze holds the new picture (the old hold kept, `self._frozen = None` dropped, jumped back in time)."""
    state, screen = _screen()
    g = [_grey(v) for v in (10, 20, 30, 40, 50, 60)]
    assert screen.apply(g[0]) is g[0]
    state.screen = "freeze"
    assert screen.apply(g[1]) is g[0] and screen.apply(g[2]) is g[0] and screen.apply(g[3]) is g[0]
    state.screen = "live"
    assert screen.apply(g[4]) is g[4]
    state.screen = "freeze"
    assert screen.apply(g[5]) is g[4]


def test_a_freeze_after_a_blackout_holds_the_frame_it_came_after_not_the_one_before_the_blackout():
    """`self._frozen = None` under the blackout dropped: freeze, blackout, freeze showed the first freeze's
    picture again, minutes old."""
    state, screen = _screen()
    old, later, now = _grey(10), _grey(20), _grey(30)
    screen.apply(old)
    state.screen = "freeze"
    screen.apply(_grey(15))
    state.screen = "blackout"
    screen.apply(later)
    state.screen = "freeze"
    assert screen.apply(now) is later


def test_a_blackout_is_black_at_the_size_of_each_frame():
    """A blackout over a frame of another size (the stream resized, a fallback image) is black at that size, not the
    last blackout's (the shape check dropped), and black, not the cards' dark grey."""
    state, screen = _screen()
    state.screen = "blackout"
    small = screen.apply(_grey(90, 4, 6))
    assert small.shape == (4, 6, 3) and not small.any()
    large = screen.apply(_grey(90, 8, 10))
    assert large.shape == (8, 10, 3) and not large.any()


def test_a_freeze_during_a_stall_holds_the_generated_frame_under_the_fallback_image():
    """Under the fallback image the freeze holds the generated frame it stands in for (`covered`), the one the log
    names: the fallback image held (covered ignored) or the frame under the image not taken for the held one (the
    `else picture` turned `else frame`) showed a picture no replay can make."""
    state, screen = _screen()
    generated, fallback = _grey(10), _grey(200)
    screen.apply(fallback, covered=generated)
    state.screen = "freeze"
    assert screen.apply(fallback, covered=generated) is generated
    state, screen = _screen()  # no tick before it: the frame under this tick's image
    state.screen = "freeze"
    assert screen.apply(fallback, covered=generated) is generated


def test_a_freeze_after_a_size_change_holds_this_ticks_picture_not_the_older_size():
    """The last tick's picture at another size cannot stand in this tick's place (the shape check dropped held a
    frame of the old size, which the outputs cannot take)."""
    state, screen = _screen()
    screen.apply(_grey(10, 4, 6))
    state.screen = "freeze"
    now = _grey(20, 8, 10)
    assert screen.apply(now) is now


def test_a_freeze_on_the_loading_card_takes_hold_on_the_first_generated_frame():
    """The card is no picture of the show: a freeze before the show is on air shows the card, then holds the first
    generated frame, not the card (the card kept as the last picture, or the card frozen at once)."""
    state, screen = _screen()
    card, first, second = _grey(16), _grey(100), _grey(120)
    screen.apply(card, on_air=False)
    state.screen = "freeze"
    assert screen.apply(card, on_air=False) is card
    assert screen.apply(first) is first
    assert screen.apply(second) is first


def test_a_change_of_screen_names_the_generated_frame_of_the_last_tick():
    """`set` says the frame the change comes after, which the log keeps and the clients freeze on (None before
    any frame)."""
    _, screen = _screen()
    assert screen.set("live") is None
    shown = object()
    screen.apply(_grey(10), shown=shown)
    assert screen.set("freeze") is shown


# --- what the operator is told of a local show ------------------------------------------------------------------


def _feed(producer=None, clock=None, **kw):
    from types import SimpleNamespace

    from vcam.live.model_feed import ModelFeed

    said: list[str] = []
    producer = producer or SimpleNamespace(state="running", stream=None)
    feed = ModelFeed(producer, said.append, "on air", lambda: None, kw.pop("screen", lambda: "live"),
                     clock=clock or _Clock(), **kw)
    return feed, said


def test_the_show_is_said_on_air_once():
    """`and not self._on_air` dropped said "on air" again at every poll of the camera's loop."""
    from vcam.live.pacer import PacerStats

    feed, said = _feed()
    feed.poll(PacerStats())
    assert said == []
    for pushed in (4, 8, 12):
        feed.poll(PacerStats(pushed=pushed))
    assert said == ["on air"]


def test_a_failure_before_the_first_frame_is_the_shows_own_error_and_after_it_the_feed_failing(monkeypatch):
    """Before any frame the producer's error is the show's (a usage or setup error, exit 2); after frames went on
    air it ends the show as a feed that failed (exit 1). `not stats.pushed or` dropped turned a setup error into
    a failure of the feed."""
    from types import SimpleNamespace

    from vcam.errors import VcamError
    from vcam.live.onair import FeedFailed
    from vcam.live.pacer import PacerStats

    monkeypatch.delenv("VCAM_DEBUG", raising=False)
    error = VcamError("no such model", "name one vcam knows")
    feed, _ = _feed(SimpleNamespace(state="failed", error=error, stream=None))
    with pytest.raises(VcamError) as raised:
        feed.poll(PacerStats())
    assert raised.value is error
    with pytest.raises(FeedFailed):
        feed.poll(PacerStats(pushed=4))


def test_a_replay_ends_once_its_producer_stopped_and_no_frame_waits():
    from types import SimpleNamespace

    from vcam.live.pacer import PacerStats

    waiting = [1]
    producer = SimpleNamespace(state="running", stream=None, waiting=lambda: waiting[0])
    feed, _ = _feed(producer)
    assert not feed.poll(PacerStats(pushed=4))
    producer.state = "stopped"
    assert not feed.poll(PacerStats(pushed=4))  # the last block still to play
    waiting[0] = 0
    assert feed.poll(PacerStats(pushed=4))


def test_stalls_are_said_then_said_once_as_slowness_until_generation_keeps_up_a_minute():
    """A stall and its end are said; one again within STALLS_APART_S of the end is said once as slowness, with no
    rate where none is known, and its ends are not said; a minute after the last end a stall is said afresh, and
    its end too. (The resume time not kept, `>=` turned `>`, the slowness flag not reset: each changed these.)"""
    from vcam.live.pacer import PacerStats

    clock = _Clock()
    feed, said = _feed(clock=clock)
    for t, stalled in ((0, True), (1, False), (2, True), (3, False), (4, True), (5, False), (65, True), (66, False)):
        clock.t = t
        feed.poll(PacerStats(pushed=4, stalled=stalled))
    assert said[1:] == [
        "generation stalled: holding the last frame", "generation resumed",
        "generation keeps stalling: each block takes longer than the camera can wait; the last frame is held between "
        "blocks (a smaller --size or fewer --steps is faster)",
        "generation stalled: holding the last frame", "generation resumed"], said


def test_slowness_is_said_with_the_rate_blocks_come_at():
    from vcam.live.pacer import PacerStats

    feed, said = _feed()
    for stalled in (True, False, True):
        feed.poll(PacerStats(pushed=4, stalled=stalled, production_fps=0.8))
    assert "the camera can wait (0.8 frames/s); the last frame is held" in said[-1], said


@pytest.mark.parametrize("stalled, pushed, screen, state", [
    (True, 4, "freeze", "STALLED (freeze)"), (False, 4, "blackout", "LIVE (blackout)"), (False, 0, "live", "LOADING"),
    (False, 4, "live", "LIVE |")])
def test_the_status_line_starts_with_the_shows_state_and_the_screens(stalled, pushed, screen, state):
    from vcam.live.pacer import PacerStats

    feed, _ = _feed(screen=lambda: screen)
    text = feed.status(PacerStats(pushed=pushed, stalled=stalled), 30.0, [])
    assert text.startswith(state), text


@pytest.mark.parametrize("device, timeout", [(None, "cpu"), ("cpu", "cpu"), ("cuda", "gpu"), ("mps", "gpu")])
def test_the_end_waits_for_a_block_in_progress_only_on_an_accelerator(device, timeout):
    """A card's block ends within PRODUCER_STOP_S and is waited for, an Apple GPU's too (`!= "cpu"` turned
    `== "cuda"` left it); a CPU's or a loading model's is not."""
    from types import SimpleNamespace

    from vcam.live import model_feed

    waited = []
    stream = None if device is None else SimpleNamespace(device=SimpleNamespace(type=device))
    producer = SimpleNamespace(state="running", stream=stream, stop=lambda timeout: waited.append(timeout))
    feed, _ = _feed(producer)
    feed.stop()
    assert waited == [model_feed.CPU_STOP_S if timeout == "cpu" else model_feed.PRODUCER_STOP_S]


def test_with_a_duration_the_wait_for_air_is_said_once_when_the_duration_has_passed():
    from vcam.live.pacer import PacerStats

    clock = _Clock()
    feed, said = _feed(clock=clock, duration=10.0)
    for t, lines in ((9.0, 0), (10.0, 1), (11.0, 1)):
        clock.t = t
        feed.poll(PacerStats())
        assert len(said) == lines, (t, said)
    assert said == ["--duration 10 s counts from the first frame on air: not on air yet"]


def test_a_model_still_loading_never_gives_up_and_a_loaded_one_gives_up_at_the_wait_to_the_second():
    """The wait counts from the end of loading (a first download can take an hour): `!= "running"` turned
    `== "failed"` gave up on a model still loading; `<` turned `<=` gave up a poll late."""
    from types import SimpleNamespace

    from vcam.live.model_feed import NeverOnAir
    from vcam.live.pacer import PacerStats

    clock = _Clock()
    producer = SimpleNamespace(state="loading", stream=None)
    feed, _ = _feed(producer, clock=clock, duration=10.0, first_block_wait=0.0)
    for t in (0.0, 30.0, 100.0):
        clock.t = t
        feed.poll(PacerStats())
    producer.state = "running"
    feed.poll(PacerStats())
    clock.t = 109.0
    feed.poll(PacerStats())
    clock.t = 110.0
    with pytest.raises(NeverOnAir):
        feed.poll(PacerStats())


# --- a render from a log ----------------------------------------------------------------------------------------


def test_a_logged_screen_change_applies_after_the_frame_on_screen_when_it_came():
    """A freeze logged with frame 2 of block 1 on screen takes hold after that frame is written, in order with the
    others: not a frame early (`<=` turned `<`), nor only at the end of its block, nor before an earlier change."""
    from vcam.control.actions import SetScreen
    from vcam.control.log import AtFrame
    from vcam.live.render import _ScreenChanges, _ScreenState

    state = _ScreenState()
    after = _ScreenChanges([AtFrame(2, (1, 2), SetScreen("live")), AtFrame(1, (1, 1), SetScreen("freeze")),
                            AtFrame(3, (3, 0), SetScreen("blackout"))], state)
    after.frame_done(0, None)
    after.frame_done(1, 0)
    assert state.screen == "live"
    after.frame_done(1, 1)
    assert state.screen == "freeze"
    after.frame_done(1, 2)
    assert state.screen == "live"
    after.frame_done(2, None)  # a block this model made shorter than the show's: its changes are not lost
    after.frame_done(3, 0)
    assert state.screen == "blackout"


def test_a_change_at_a_frame_this_model_never_made_applies_at_the_end_of_its_block():
    from vcam.control.actions import SetScreen
    from vcam.control.log import AtFrame
    from vcam.live.render import _ScreenChanges, _ScreenState

    state = _ScreenState()
    after = _ScreenChanges([AtFrame(0, (0, 9), SetScreen("blackout"))], state)
    after.frame_done(0, 3)
    assert state.screen == "live"
    after.frame_done(0, None)
    assert state.screen == "blackout"


@pytest.mark.parametrize("block, frames, said", [
    (0, 0, ("no frame was made", "")), (3, 1, ("the 1 frame made before it is kept", "; --blocks 3 renders up to it")),
    (4, 48, ("the 48 frames made before it are kept", "; --blocks 4 renders up to it"))])
def test_a_failed_render_says_what_it_keeps_and_how_to_stop_short_of_the_block(block, frames, said):
    from vcam.live.render import _kept_up_to

    assert _kept_up_to(block, frames) == said


def test_the_files_are_said_with_their_frames_and_seconds_and_one_stopped_short_with_where():
    from types import SimpleNamespace

    from vcam.live.render import _StoppedFiles, _say_files

    said: list[str] = []
    whole = SimpleNamespace(name="file", path="/out/a.mp4", frames=48)
    empty = SimpleNamespace(name="file", path="/out/b.mp4", frames=0, kept_older=True)
    full = _StoppedFiles(said.append)
    full._stopped.append((whole, 2, "the disk filled"))
    _say_files([whole, empty], 16.0, full, said.append)
    assert said == ["/out/a.mp4: 48 frames, 3.00 s at 16 fps; STOPPED at block 2: the disk filled",
                    "/out/b.mp4: nothing written (the older file there is kept as it was)"]
    said.clear()
    _say_files([whole, empty], 16.0, _StoppedFiles(said.append), said.append, begun_only=True)
    assert said == ["/out/a.mp4: 48 frames, 3.00 s at 16 fps"]
    said.clear()
    _say_files([SimpleNamespace(name="file", path="/out/c.mp4", frames=0)], 16.0, full, said.append)
    assert said == ["/out/c.mp4: nothing written"]  # no older file there: none is said kept


def test_a_file_never_begun_is_said_kept_by_the_name_the_start_said_it_by(tmp_path):
    """/dev/stdout sent by `>` to a new, empty file was said "/dev/stdout: nothing written (the older file there is
    kept as it was)", where the start had said nothing would be replaced; one sent to an older take names that take."""
    from types import SimpleNamespace

    from vcam.live.render import _say_kept

    said: list[str] = []
    for name, held in (("new.mp4", b""), ("older.mp4", b"an older take")):
        target = tmp_path / name
        target.write_bytes(held)
        fd = os.open(target, os.O_WRONLY)
        try:
            stdout = tmp_path / f"stdout-{name}"  # a name for the descriptor, as /dev/stdout is
            stdout.symlink_to(f"/proc/self/fd/{fd}")
            _say_kept(SimpleNamespace(outs=[SimpleNamespace(kind="file", target=str(stdout))]), [], said.append)
        finally:
            os.close(fd)
    assert said == [f"{tmp_path / 'older.mp4'}: nothing written (the older file there is kept as it was)"]


def test_a_files_line_names_the_file_a_descriptors_name_leads_to(tmp_path):
    """`vcam render LOG --out file:/dev/stdout > take.mp4` ended "/dev/stdout: 48 frames", where the start had named
    take.mp4; a name for a pipe, which is no file, is said as given."""
    from types import SimpleNamespace

    from vcam.live.render import _say_files, _StoppedFiles

    take = tmp_path / "take.mp4"
    take.write_bytes(b"")
    fd = os.open(take, os.O_WRONLY)
    reader, writer = os.pipe()
    said: list[str] = []
    try:
        stdout, piped = tmp_path / "stdout", tmp_path / "piped"  # names for the descriptors, as /dev/stdout is
        stdout.symlink_to(f"/proc/self/fd/{fd}")
        piped.symlink_to(f"/proc/self/fd/{writer}")
        outputs = [SimpleNamespace(name="file", path=str(stdout), frames=48),
                   SimpleNamespace(name="file", path=str(piped), frames=48)]
        _say_files(outputs, 16.0, _StoppedFiles(said.append), said.append)
    finally:
        for each in (fd, reader, writer):
            os.close(each)
    assert said == [f"{take}: 48 frames, 3.00 s at 16 fps", f"{tmp_path / 'piped'}: 48 frames, 3.00 s at 16 fps"]


def test_a_progress_line_before_the_first_block_says_no_rate_or_time_left():
    """No block done yet: no rate, no time left to divide by it (`blocks and` dropped raised ZeroDivisionError)."""
    from vcam.progress import Progress

    clock = _Clock()
    progress = Progress(4, io.StringIO(), clock=clock, tty=False)
    clock.t = 3.0
    assert progress.text(0, 0) == "rendering: block 0/4 (0%), 0 frames"


# --- a frame fitted to an output ------------------------------------------------------------------------------


def test_a_stretched_frame_has_the_outputs_width_and_height():
    """(width, height) given to the resize as (height, width) turned a 10x8 output's frame 8x10."""
    from vcam.live.frames import fit

    assert fit(_grey(90, 4, 6), 10, 8, "stretch").shape == (8, 10, 3)


def test_a_letterboxed_frame_fills_its_width_and_its_bars_are_centred_the_odd_row_below():
    """A 20x10 frame in a 60x41 output is 60x30 between a bar of 5 rows above and 6 below: its scale taken from the
    wrong side made it 40x20, the odd row put above moved the picture a row down."""
    from vcam.live.frames import fit

    out = fit(_grey(200, 10, 20), 60, 41)
    rows = out.any(axis=(1, 2))
    assert out.shape == (41, 60, 3) and rows[5:35].all() and not rows[:5].any() and not rows[35:].any()
    assert out[5:35].all()


def test_a_fitted_side_is_rounded_to_the_nearest_pixel():
    """7x4 into a width of 10 scales by 10/7: 4 rows become 5.7, shown as 6 (truncated, a row short)."""
    from vcam.live.frames import fit

    out = fit(_grey(200, 4, 7), 10, 100)
    assert out.any(axis=(1, 2)).sum() == 6


def test_a_card_centres_its_text():
    from vcam.live.frames import card

    img = card(400, 100, ["x"])
    cols = np.nonzero((img > 100).any(axis=(0, 2)))[0]
    assert abs((cols.min() + cols.max()) / 2 - 200) < 20, cols


def test_a_half_transparent_pixel_of_a_16_bit_alpha_rounds_half_up():
    """1 x 32768/65535 is just over a half: 1, not 0 (the + 0.5 dropped truncated it)."""
    from vcam.live.frames import over_black_bgr

    out = over_black_bgr(np.full((1, 1, 3), 1, np.uint8), np.full((1, 1, 1), 32768, np.uint16))
    assert out.dtype == np.uint8 and (out == 1).all()


def test_an_image_is_letterboxed_and_a_jpegs_size_read_as_width_then_height(tmp_path):
    """A fallback image keeps its shape inside the output (stretched, a wide logo was squashed); a JPEG's header
    gives its height before its width, which the size read swaps."""
    import cv2

    from vcam.live.frames import jpeg_size, load_image

    path = str(tmp_path / "wide.png")
    cv2.imwrite(path, np.full((10, 20, 3), 200, np.uint8))
    rows = load_image(path, 20, 20).any(axis=(1, 2))
    assert not rows[:5].any() and rows[5:15].all() and not rows[15:].any()
    jpeg = str(tmp_path / "wide.jpg")
    cv2.imwrite(jpeg, np.full((10, 30, 3), 200, np.uint8))
    assert jpeg_size(jpeg) == (30, 10)


def test_a_warps_cost_is_the_pairs_warping_time_shared_by_its_in_between_frames():
    """Flows 10 ms, three warps 10 ms together: one warp costs 3.3 ms (not divided, or the flows' cost taken for
    it on the first pair, it read 10 ms and later pairs got fewer in-between frames than time allowed)."""
    now = [0.0]

    def clock() -> float:
        now[0] += 0.010
        return now[0]

    a, b = _grey(10), _grey(90)
    smoother = FlowSmoother(flow=_still, clock=clock)
    try:
        smoother.arrived(a, b, ticks=4.0)
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 1
        assert smoother.stats.cost_ms == pytest.approx(10.0) and smoother.stats.frame_ms == pytest.approx(10.0 / 3)
    finally:
        smoother.close()


def test_at_most_three_kinds_of_flow_failure_are_said(capsys):
    smoother = FlowSmoother(flow=_still)
    for kind in (ValueError, KeyError, OSError, TypeError):
        smoother._failed(kind("broken"))
    assert capsys.readouterr().err.count("could not be flowed") == 3


def test_a_download_slower_than_a_megabyte_a_second_says_its_rate_not_zero():
    """A slow link (a mirror, a throttled proxy) at 400 kB/s read "0 MB/s" beside hours left, as if it had
    stalled."""
    from vcam.progress import ByteProgress

    out, clock = io.StringIO(), _Clock()
    bar = ByteProgress("downloading x", 10_000_000_000, out, clock=clock, tty=False, every_s=5.0)
    bar.update(0)
    clock.t = 10.0
    bar.update(4_000_000)
    assert out.getvalue().splitlines()[-1] == "vcam: downloading x: 4.0 MB of 10.0 GB (0%), 400 kB/s, 6:56:30 left"
