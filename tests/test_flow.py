"""`--smooth flow`: in-between frames by optical flow, on a synthetic moving pattern, in the pacer under a fake
clock, its fallback to the cross-fade, and the option on the command line."""
import threading
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from vcam.cli import main
from vcam.live.frames import crossfade
from vcam.live.interp import DisFlow, FlowSettings, FlowSmoother, FlowStats, affordable, interpolate, phases
from vcam.live.pacer import Pacer, PacerSettings
from vcam.live.run import Ended
from test_pacer import FakeTime

H, W = 192, 320  # DIS sizes its pyramid by the frame's: smaller frames find only small motions
WAIT_S = 60.0  # for the flow's worker thread: generous, the machine is loaded


def blob(shift: float) -> np.ndarray:
    """A smooth coloured blob on a dark ground, its centre moved `shift` pixels right and half that down."""
    ys, xs = np.indices((H, W), dtype=np.float32)
    g = np.exp(-((xs - 80 - shift) ** 2 + (ys - 60 - shift / 2) ** 2) / (2 * 20.0 ** 2))
    return np.stack([40 + 200 * g, 60 + 150 * g * xs / W, 30 + 100 * g], axis=-1).astype(np.uint8)


def texture(h: int, w: int, seed: int) -> np.ndarray:
    """Detail at several scales, as in a picture (noise of one fine scale only gives the flow nothing to follow
    over more than a few pixels)."""
    rng, out = np.random.default_rng(seed), np.zeros((h, w, 3), np.float32)
    for sigma, amplitude in ((1.5, 0.5), (4.0, 1.0), (10.0, 1.5)):
        noise = cv2.GaussianBlur(rng.standard_normal((h, w, 3)).astype(np.float32), (0, 0), sigma)
        out += amplitude * noise / noise.std()
    return np.clip(128 + 30 * out, 0, 255).astype(np.uint8)


SQUARE, GROUND = texture(64, 64, 1), texture(H, W, 2)


def square(shift: float) -> np.ndarray:
    """A textured square over a textured ground, moved `shift` pixels right and half that down (sub-pixel positions
    rendered by a linear warp, as a camera would see them)."""
    move = np.float32([[1, 0, 80 + shift], [0, 1, 48 + shift / 2]])
    top = cv2.warpAffine(SQUARE, move, (W, H), flags=cv2.INTER_LINEAR).astype(np.float32)
    mask = cv2.warpAffine(np.ones((64, 64), np.float32), move, (W, H), flags=cv2.INTER_LINEAR)[..., None]
    return (GROUND * (1 - mask) + top * mask).astype(np.uint8)


def mae(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.abs(x.astype(np.float32) - y.astype(np.float32)).mean())


def fade_residual(frame: np.ndarray, a: np.ndarray, c: np.ndarray) -> float:
    """How far `frame` is from the nearest cross-fade of a and c (its weight fitted by least squares)."""
    d, e = c.astype(np.float32) - a, frame.astype(np.float32) - a
    w = float((d * e).sum() / max(1.0, (d * d).sum()))
    return float(np.abs(crossfade(a, c, min(1.0, max(0.0, w))).astype(np.float32) - frame).max())


@pytest.mark.parametrize("pattern", [blob, square])
@pytest.mark.parametrize("k", [6, 12])
def test_the_interpolated_middle_frame_is_closer_to_the_true_one_than_a_cross_fade(pattern, k):
    a, b, c = pattern(0), pattern(k / 2), pattern(k)
    mid = interpolate(a, c, DisFlow()(a, c), 0.5)
    fade = crossfade(a, c, 0.5)
    assert mae(mid, b) < 0.6 * mae(fade, b), (mae(mid, b), mae(fade, b))


def test_the_pacer_plays_flowed_frames_between_generated_ones():
    """Four generated frames a second into a 30 frames/s camera, the flows awaited before every tick: every tick
    between two generated frames shows a frame that is neither, nor a cross-fade of them."""
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, smooth="flow"), clock=ft.clock)
    made = [square(6 * i) for i in range(8)]

    for k in range(2):
        ft.events.append((k * 1.0, lambda k=k: pacer.push(made[4 * k:4 * k + 4])))
    shown, stop = [], threading.Event()

    def sleep(dt):  # a worker faster than the camera: the flows within reach are ready by the next tick
        ft.sleep(dt)
        assert pacer._flow.wait_idle(WAIT_S)

    def emit(frame, tick):
        shown.append(frame)
        if ft.now >= 2.0:
            stop.set()

    pacer.run(emit, stop, sleep=sleep)
    between = [f for f in shown if not any(np.array_equal(f, m) for m in made)]
    assert len(between) > len(shown) // 2
    fades = [min(fade_residual(f, a, c) for a, c in zip(made, made[1:])) for f in between]
    # warped, not blended in place: some pixel far from any cross-fade (all but those a sliver from either end)
    assert sum(r > 10 for r in fades) >= 0.9 * len(fades)
    assert pacer.flow_stats.flowed == len(between) and pacer.flow_stats.faded == 0
    assert pacer.flow_stats.pairs == 7 and pacer.flow_stats.cost_ms > 0
    assert pacer._flow._thread is None  # run() stopped the worker when it returned


def _two_frames_a_second(pacer, ft, a, c):
    """a then c at 0 s and c, c at 1 s: the rate known (2 frames/s), each tick moves 1/15 of a frame."""
    pacer.push([a, c])
    ft.now = 1.0
    pacer.push([c, c])


def test_a_pair_whose_flows_are_late_is_cross_faded_without_holding_the_camera():
    ft = FakeTime()
    release, started = threading.Event(), threading.Event()
    dis = DisFlow()

    def slow(x, y):  # slower than the camera: it returns when the test says so
        started.set()
        release.wait(WAIT_S)
        return dis(x, y)

    smoother = FlowSmoother(flow=slow)
    pacer = Pacer(PacerSettings(fps=30.0, smooth="flow"), clock=ft.clock, smoother=smoother)
    a, c = square(0), square(12)
    try:
        _two_frames_a_second(pacer, ft, a, c)
        assert started.wait(WAIT_S)
        pacer.tick()
        late = pacer.tick()  # returns while the flow is still being computed
        assert not np.array_equal(late, a) and not np.array_equal(late, c)
        assert fade_residual(late, a, c) <= 1
        assert smoother.stats.faded == 2 and smoother.stats.flowed == 0
        release.set()
        assert smoother.wait_idle(WAIT_S)
        flowed = pacer.tick()
        assert fade_residual(flowed, a, c) > 10 and smoother.stats.flowed == 1
    finally:
        release.set()
        pacer.close()


def test_pairs_whose_flow_would_come_too_late_are_cross_faded_and_the_cost_measured_again_now_and_then():
    """A flow that takes 200 ms (by the smoother's clock) for pairs on screen 4 ticks of 1/30 s: only the first pair
    and every 8th after it are flowed, the rest are cross-faded without waiting for a flow."""
    now, calls = [0.0], []
    dis = DisFlow()

    def slow(x, y):
        calls.append(x)
        now[0] += 0.2
        return dis(x, y)

    smoother = FlowSmoother(flow=slow, clock=lambda: now[0])
    made = [blob(i) for i in range(18)]
    try:
        for x, y in zip(made, made[1:]):
            smoother.arrived(x, y, ticks=4.0, tick_s=1 / 30)
        for x in made[:-1]:  # played one after another: the lookahead moves on
            assert smoother.wait_idle(WAIT_S)
            if x is made[1]:
                assert fade_residual(smoother.between(x, made[2], 0.5), x, made[2]) <= 1  # left to the cross-fade
            smoother.gone(x)
        assert [next(i for i, m in enumerate(made) if m is x) for x in calls] == [0, 8, 16]
        assert smoother.stats.skipped == 14 and smoother.stats.pairs == 3 and smoother.stats.cost_ms == \
            pytest.approx(200.0)
    finally:
        smoother.close()


@pytest.mark.parametrize("ticks,wanted", [(1.0, 0), (1.25, 1), (2.0, 1), (5.0, 4), (7.5, 7), (30.0, 7)])
def test_a_pair_wants_an_in_between_frame_per_tick_between_its_frames(ticks, wanted):
    assert phases(ticks) == wanted


def test_the_running_costs_bound_the_in_between_frames():
    stats = FlowStats(pairs=1, cost_ms=20.0, frame_ms=10.0)
    assert affordable(7, 100.0, stats) == 7 and affordable(7, 60.0, stats) == 4 and affordable(7, 25.0, stats) == 0
    assert affordable(7, 1.0, FlowStats()) == 7  # nothing measured yet


def test_a_pair_whose_flow_fails_is_cross_faded():
    def broken(x, y):
        raise cv2.error("no flow")

    ft = FakeTime()
    smoother = FlowSmoother(flow=broken)
    pacer = Pacer(PacerSettings(fps=30.0, smooth="flow"), clock=ft.clock, smoother=smoother)
    a, c = blob(0), blob(12)
    try:
        _two_frames_a_second(pacer, ft, a, c)
        assert smoother.wait_idle(WAIT_S)  # tried once each, not again and again
        pacer.tick()
        assert fade_residual(pacer.tick(), a, c) <= 1
        assert smoother.stats.failed >= 1 and smoother.stats.pairs == 0
    finally:
        pacer.close()


def _flow_pairs(flow, pairs: int) -> FlowSmoother:
    """A pacer with --smooth flow given a new pair of frames each second, `pairs` times, each flowed by `flow`; the
    smoother, once the pacer is closed."""
    ft = FakeTime()
    smoother = FlowSmoother(flow=flow)
    pacer = Pacer(PacerSettings(fps=30.0, smooth="flow"), clock=ft.clock, smoother=smoother)
    try:
        for k in range(pairs):
            ft.now = float(k)
            pacer.push([blob(4 * k), blob(4 * k + 2)])
            assert smoother.wait_idle(WAIT_S)
            pacer.tick()
            pacer.tick()
    finally:
        pacer.close()
    return smoother


def test_a_flow_that_breaks_on_a_bug_is_said_once_with_what_broke_and_the_end_names_it(capsys):
    """--smooth flow whose own code broke (a TypeError in vcam's warp) became a plain cross-fade for the whole show
    without a word on air, and the end said only "the flow failed on N pairs", with nothing to report."""
    from vcam.live.onair import flow_report

    def broken(x, y):
        raise TypeError("unsupported operand type(s) for -: 'NoneType' and 'float'")

    smoother = _flow_pairs(broken, 3)
    assert smoother.stats.failed >= 2
    err = [line for line in capsys.readouterr().err.splitlines() if "flow" in line]
    assert len(err) == 1 and err[0].startswith("vcam: smooth flow: a pair of frames could not be flowed (TypeError: "
                                               "unsupported operand") and "(at vcam/live/interp.py:" in err[0], err
    assert err[0].endswith("; such pairs are cross-faded, the show goes on"), err
    said = flow_report(smoother.stats)
    assert said is not None and "(cross-faded; the first: TypeError: unsupported operand" in said, said


def test_a_later_different_flow_failure_is_said_too_not_hidden_by_the_first(capsys):
    """Only the show's first failed flow was said: one odd pair early on (here a ValueError) hid for the rest of the
    show a later failure of another kind that broke every pair. Each kind is said once; the end names the first."""
    from vcam.live.onair import flow_report

    calls = []

    def failing(x, y):
        calls.append(1)
        if len(calls) == 1:
            raise ValueError("odd pair")
        raise TypeError("unsupported operand type(s) for -: 'NoneType' and 'float'")

    smoother = _flow_pairs(failing, 4)
    assert smoother.stats.failed >= 3
    err = [line for line in capsys.readouterr().err.splitlines() if "could not be flowed" in line]
    assert len(err) == 2 and "(ValueError: odd pair)" in err[0] and "(TypeError: unsupported operand" in err[1], err
    said = flow_report(smoother.stats)
    assert said is not None and "the first: ValueError: odd pair" in said, said


def test_played_frames_leave_the_flow_worker_too():
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, smooth="flow", max_latency=1.0), clock=ft.clock)
    try:
        for k in range(6):
            ft.now = k * 0.5
            pacer.push([blob(i) for i in range(4 * k, 4 * k + 4)])
            pacer.tick()
        assert pacer._flow.wait_idle(WAIT_S)
        assert len(pacer._flow._pairs) <= len(pacer._frames)  # none kept for frames gone from the buffer
    finally:
        pacer.close()


def test_smooth_true_is_still_the_cross_fade():
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=30.0, smooth=True), clock=ft.clock)
    a, c = square(0), square(12)
    _two_frames_a_second(pacer, ft, a, c)
    pacer.tick()
    assert fade_residual(pacer.tick(), a, c) <= 1 and pacer.flow_stats is None


@pytest.mark.parametrize("args,mode", [
    ([], None), (["--smooth"], "fade"), (["--smooth", "fade"], "fade"), (["--smooth", "flow"], "flow"),
    (["--smooth=flow"], "flow"),
])
@pytest.mark.parametrize("command", ["run", "serve", "cam"])
def test_the_smooth_modes_reach_the_show(command, args, mode, monkeypatch):
    got = []
    done = Ended(0, False)
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: got.append(opts) or done)
    monkeypatch.setattr("vcam.remote.client.run_cam", lambda opts: got.append(opts) or 0)
    target = ["ws://127.0.0.1:1"] if command == "cam" else []
    assert main([command, *args, *target]) == 0
    assert got[0].smooth == mode


@pytest.mark.parametrize("command,target", [("run", "show.yaml"), ("cam", "ws://127.0.0.1:1")])
def test_smooth_alone_before_the_show_or_url_is_the_cross_fade(command, target, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").write_text("presets: [{name: a, prompt: a}]\n")  # a show named is read before play
    got = []
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: got.append(opts) or
                        Ended(0, False))
    monkeypatch.setattr("vcam.remote.client.run_cam", lambda opts: got.append(opts) or 0)
    assert main([command, "--smooth", target]) == 0
    assert got[0].smooth == "fade" and (got[0].show if command == "run" else got[0].url) == target


@pytest.mark.parametrize("command", ["run", "serve", "cam"])
def test_an_unknown_smoothing_is_one_usage_line(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--smooth", "blur", *(["ws://127.0.0.1:1"] if command == "cam" else [])])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert f"vcam {command}: error: argument --smooth: invalid choice: 'blur' (choose from 'fade', 'flow')" in err
    assert "Traceback" not in err


def test_the_show_says_what_its_in_between_frames_cost(captured):
    import io

    from test_onair import Feed, air_for

    said = io.StringIO()
    air = air_for(["null"], status=said, smooth="flow")
    feed = Feed(air.pacer)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    assert air.pacer.flow_stats.flowed + air.pacer.flow_stats.faded > 0
    assert "smooth flow: " in said.getvalue() and " ms of flow per pair of generated frames" in said.getvalue()


def test_with_a_duration_the_flow_line_counts_the_ticks_recorded_not_those_the_camera_made_after():
    """`--smooth flow --fps 60 --duration 4` ended on "253 camera frames by flow" beside "recorded 240 frames": the
    camera ticks on past the duration until the show closes, and each of those ticks was counted too."""
    import io

    from test_onair import air_for
    from vcam.live.screen import Screen

    said = io.StringIO()
    air = air_for(["file:show.mp4"], status=said, smooth="flow", duration=0.5)
    ft = FakeTime()
    air.pacer = Pacer(PacerSettings(fps=60.0, smooth="flow"), clock=ft.clock)
    air.screen = Screen(SimpleNamespace(screen="live"))
    made = [square(3 * i) for i in range(16)]
    for k in range(4):  # four generated frames a second, for longer than the duration
        ft.events.append((k * 1.0, lambda k=k: air.pacer.push(made[4 * k:4 * k + 4])))
    recorded, stop, after = [], threading.Event(), []

    def sleep(dt):  # the flows within reach are ready by the next tick: every in-between tick is flowed
        ft.sleep(dt)
        assert air.pacer._flow.wait_idle(WAIT_S)

    def emit(frame, tick):
        over = air._over.is_set()
        air._emit(frame, tick)
        if air.pacer.last_tick().on_air and not air._over.is_set():
            recorded.append(frame)
        elif over or air._over.is_set():
            after.append(frame)
            if len(after) > 30:  # the camera goes on past the end, as it does until the loop closes the show
                stop.set()

    air.pacer.run(emit, stop, sleep=sleep)
    assert len(recorded) == 30
    flowed = sum(not any(np.array_equal(f, m) for m in made) for f in recorded)
    assert air.pacer.flow_stats.flowed > flowed > 0  # ticks after the duration's last were flowed too
    air._report_flow()
    assert f"smooth flow: {flowed} camera frames by flow (" in said.getvalue()


def test_the_end_says_only_the_flow_counts_a_vj_can_act_on():
    """`97 camera frames by flow, 97 cross-faded …; 0 pairs left to the cross-fade` read as a CPU too slow, where a
    generated frame lasting a tick wants no in-between frame at all: those pairs are said apart from late ones."""
    from vcam.live.onair import flow_report

    assert flow_report(FlowStats()) is None
    kept_up = flow_report(FlowStats(unneeded=97))
    assert kept_up == ("smooth flow: no in-between frames were needed for 97 pairs of generated frames: generation "
                       "keeps up with the camera")
    mixed = flow_report(FlowStats(pairs=40, cost_ms=12.34, frame_ms=1.26, flowed=97, faded=5, unneeded=30))
    assert mixed == ("smooth flow: 97 camera frames by flow (12.3 ms of flow per pair of generated frames, 1.3 ms per "
                     "in-between frame); no in-between frames were needed for 30 pairs of generated frames (their "
                     "frames lasted about a camera tick each); 5 camera frames cross-faded as their in-between frames "
                     "were not ready")
    slow = flow_report(FlowStats(pairs=3, cost_ms=80.0, frame_ms=9.0, flowed=9, faded=60, skipped=20, failed=1))
    assert "; 20 pairs of generated frames left to the cross-fade as their flow would not be ready in time" in slow
    assert slow.endswith("; the flow failed on 1 pair of generated frames (cross-faded)") and "needed" not in slow
    failing = flow_report(FlowStats(faded=12, failed=4))
    assert failing.startswith("smooth flow: 12 camera frames cross-faded") and " by flow" not in failing
    late = flow_report(FlowStats(faded=3, unneeded=97))  # not kept up: the frames that wanted flow were late
    assert late == ("smooth flow: no in-between frames were needed for 97 pairs of generated frames (their frames "
                    "lasted about a camera tick each); 3 camera frames cross-faded as their in-between frames were "
                    "not ready")
    # at --fps 1 the pairs made ahead of the first block were dropped past the cap: flows made, no frame by them
    unused = flow_report(FlowStats(pairs=5, cost_ms=1.6, frame_ms=1.3, unneeded=16))
    assert unused == ("smooth flow: no in-between frames were needed for 16 pairs of generated frames: generation "
                      "keeps up with the camera")
    one = flow_report(FlowStats(faded=1, unneeded=1, skipped=1))  # "1 camera frame cross-faded as their …"
    assert one == ("smooth flow: no in-between frames were needed for 1 pair of generated frames (its frames lasted "
                   "about a camera tick each); 1 camera frame cross-faded as its in-between frames were not ready; 1 "
                   "pair of generated frames left to the cross-fade as its flow would not be ready in time: the CPU "
                   "is too slow or busy for it (--smooth fade cross-fades without its cost)")


def test_a_pair_whose_frame_lasts_a_tick_is_counted_as_needing_none_not_as_late():
    """Pairs on screen one tick each want no in-between frame: no flow is computed for them, and their ticks'
    cross-fades are not counted as late; a pair on screen 4 ticks whose flow is not ready yet is."""
    release, calls = threading.Event(), []
    dis = DisFlow()

    def slow(x, y):  # returns when the test says so
        calls.append(x)
        release.wait(WAIT_S)
        return dis(x, y)

    smoother = FlowSmoother(FlowSettings(lookahead=4), flow=slow)  # all four pairs planned, none gone
    made = [blob(4 * i) for i in range(5)]
    try:
        for i, (x, y) in enumerate(zip(made, made[1:])):
            smoother.arrived(x, y, ticks=4.0 if i == 3 else 1.0)
        for x, y in zip(made, made[1:]):  # the last pair's flow held back
            assert fade_residual(smoother.between(x, y, 0.5), x, y) <= 1
        assert smoother.stats.faded == 1 and smoother.stats.flowed == 0
        release.set()
        assert smoother.wait_idle(WAIT_S)
        assert smoother.stats.unneeded == 3 and smoother.stats.pairs == 1 and calls == [made[3]]
        assert smoother.stats.skipped == 0 and smoother.stats.failed == 0
    finally:
        release.set()
        smoother.close()


def still(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """No motion: the flows of a pair that only fades."""
    zero = np.zeros((*x.shape[:2], 2), np.float32)
    return zero, zero.copy()


def test_only_the_pairs_within_the_lookahead_are_made_and_the_lookahead_moves_on():
    smoother = FlowSmoother(FlowSettings(lookahead=2), flow=still)
    made = [blob(i) for i in range(6)]
    try:
        for x, y in zip(made, made[1:]):
            smoother.arrived(x, y, ticks=4.0)
        assert smoother.wait_idle(WAIT_S)
        assert smoother.stats.pairs == 2  # not all five: the worker keeps to what will soon be on screen
        smoother.gone(made[0])
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 3
    finally:
        smoother.close()


def test_the_end_of_a_pair_is_its_second_frame():
    a, c = blob(0), blob(12)
    smoother = FlowSmoother(flow=still)
    try:
        smoother.arrived(a, c, ticks=4.0)
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 1
        assert np.array_equal(smoother.between(a, c, 1.0), c) and np.array_equal(smoother.between(a, c, 0.0), a)
    finally:
        smoother.close()


def test_the_flows_cost_is_a_running_mean():
    """One slow pair (a loaded moment) moves the cost a tenth of the way, so it does not leave the next pairs to the
    cross-fade."""
    now = [0.0]

    def timed(cost_s):
        def flow(x, y):
            now[0] += cost_s
            return still(x, y)
        return flow

    costs = iter([0.010, 0.030])
    smoother = FlowSmoother(flow=lambda x, y: timed(next(costs))(x, y), clock=lambda: now[0])
    made = [blob(i) for i in range(3)]
    try:
        for x, y in zip(made, made[1:]):
            smoother.arrived(x, y, ticks=30.0)  # a second on screen: both made, whatever the cost
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 2
        assert smoother.stats.cost_ms == pytest.approx(0.9 * 10.0 + 0.1 * 30.0)
    finally:
        smoother.close()


def test_a_frame_two_pairs_share_is_made_grey_once_and_flows_the_same():
    """The pairs come in order, each one's second frame the next one's first: its grey is made once, and the flows
    are the same to the bit as where each pair's two frames were made grey anew."""
    rng = np.random.default_rng(5)
    frames = [cv2.GaussianBlur(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8), (7, 7), 0) for _ in range(4)]
    kept, fresh = DisFlow(), DisFlow()
    for a, b in zip(frames, frames[1:]):
        got, expected = kept(a, b), fresh(a.copy(), b.copy())  # copies: no frame seen before
        assert all(np.array_equal(g, e) for g, e in zip(got, expected))
    assert kept.greyed == len(frames) and fresh.greyed == 2 * (len(frames) - 1)


def test_the_end_says_flow_failed_on_pairs_whose_frames_never_came_on_screen():
    """A pair whose flow failed and was then dropped past the latency cap faded no camera frame: its failure is
    still said, not 'generation keeps up'."""
    from vcam.live.onair import flow_report

    said = flow_report(FlowStats(unneeded=40, failed=2))
    assert said is not None and "the flow failed on 2 pairs of generated frames" in said
    assert "keeps up" not in said


def test_a_pair_on_screen_a_whole_number_of_ticks_give_or_take_rounding_wants_one_fewer():
    assert phases(30.0 / 10.000000001) == 2  # 3 ticks read as 2.9999999997 or 3.0000000003: two in between
    assert phases(3.0000000003) == 2


def test_with_no_motion_the_in_between_frame_is_the_time_weighted_blend():
    a, b = np.full((8, 8, 3), 40, np.uint8), np.full((8, 8, 3), 200, np.uint8)
    mid = interpolate(a, b, still(a, b), 0.25)
    assert np.allclose(mid, 0.75 * 40 + 0.25 * 200, atol=1)


def test_a_pair_the_smoother_never_saw_or_saw_with_another_end_is_cross_faded():
    a, c, other = blob(0), blob(12), blob(30)
    smoother = FlowSmoother(flow=still)
    try:
        assert np.array_equal(smoother.between(a, c, 0.5), crossfade(a, c, 0.5))  # never told of it
        smoother.arrived(a, c, ticks=4.0)
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 1
        assert np.array_equal(smoother.between(a, other, 0.5), crossfade(a, other, 0.5))
        assert smoother.stats.faded == 2 and smoother.stats.flowed == 0
    finally:
        smoother.close()


def test_a_pair_whose_size_changed_is_left_to_the_pacer_not_flowed():
    smoother = FlowSmoother(flow=still)
    try:
        smoother.arrived(blob(0), np.zeros((H // 2, W // 2, 3), np.uint8), ticks=4.0)
        assert smoother.wait_idle(WAIT_S)
        assert smoother.stats.pairs == 0 and smoother.stats.failed == 0
    finally:
        smoother.close()


class _Terminal:
    """stderr as a terminal, each write kept apart: a line split over two writes can have the status line's thread
    write between them."""

    def __init__(self):
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_a_flow_that_breaks_is_said_in_one_write_that_wipes_the_status_line_first(monkeypatch):
    """It was printed as its text, then its line end apart, over the status line's text left on the row."""
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")

    def broken(x, y):
        raise TypeError("unsupported operand")

    _flow_pairs(broken, 2)
    said = [w for w in terminal.writes if "could not be flowed" in w]
    assert len(said) == 1 and said[0].startswith("\r\x1b[Kvcam: smooth flow: ") and said[0].endswith("goes on\n"), \
        terminal.writes
