"""The on-air loop that vcam run and vcam cam share, with a feed of our own."""
import io
import os
import re
import signal
import sys
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import Capture
from vcam.live import onair, outputs
from vcam.control.protocol import Shown
from vcam.live.onair import AirSettings, FeedFailed, OnAir
from vcam.live.pacer import Pacer, PacerSettings
from vcam.live.screen import Screen
from vcam.live.status import StatusLine

W, H = 32, 16


class Feed:
    """Pushes a block on every poll once `go` is set; after `blocks` of them it ends, or fails when told to."""

    def __init__(self, pacer, fail_with=None, blocks=4):
        self.pacer, self.fail_with, self.blocks = pacer, fail_with, blocks
        self.go, self.pushed, self.calls = threading.Event(), 0, []

    def start(self):
        self.calls.append("start")

    def poll(self, stats):
        if self.pushed >= self.blocks:
            if self.fail_with is not None:
                raise FeedFailed(self.fail_with)
            return True
        if self.go.is_set():
            self.pacer.push(np.full((4, H, W, 3), 200, np.uint8))
            self.pushed += 1
        return False

    def status(self, stats, out_fps, failed):
        return "FAKE" + (f" FAILED {failed}" if failed else "")

    def stop(self):
        self.calls.append("stop")


def air_for(outs, status=None, **settings):
    specs = [outputs.parse_spec(o) for o in outs]
    return OnAir(AirSettings(outs=specs, width=W, height=H, fps=60, stdin=False, **settings),
                 StatusLine(status or io.StringIO()))


def test_recordings_hold_the_show_and_live_outputs_the_card_too(captured):
    air = air_for(["null", "file:show.mp4"])
    parts_seen = []

    class CardFirst(Feed):
        def poll(self, stats):
            if captured[0].frames:  # the card reached the live output: now the show's frames come
                self.go.set()
            return super().poll(stats)

    feed = CardFirst(air.pacer)

    class Part:
        def start(self):
            parts_seen.append("part start")

        def stop(self):
            parts_seen.append("part stop")

    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), [Part()]) == 0
    live, recording = captured
    assert recording.frames and all(f.mean() == 200 for f in recording.frames)
    assert live.frames and live.frames[0].mean() != 200  # the loading card came first
    assert parts_seen == ["part start", "part stop"] and feed.calls == ["start", "stop"]


def test_a_failure_on_air_ends_the_show_with_exit_code_1_and_its_message(captured):
    status = io.StringIO()
    air = air_for(["file:show.mp4"], status=status)
    feed = Feed(air.pacer, fail_with=RuntimeError("the card fell off"))
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 1
    assert "the show stopped (RuntimeError: the card fell off)" in status.getvalue()
    assert captured[0].frames  # what was recorded is kept
    assert feed.calls == ["start", "stop"]


def test_a_feed_that_cannot_start_raises_and_still_closes_everything(captured):
    air = air_for(["null"])

    class Broken(Feed):
        def poll(self, stats):
            raise ValueError("no such model")

    feed = Broken(air.pacer)
    with pytest.raises(ValueError, match="no such model"):
        air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"))
    assert feed.calls == ["start", "stop"]  # closed; no waiting for a block that never began


def _window_show(outs, opener, monkeypatch):
    """Runs a show whose window is `opener`'s until it ends by itself (30 s at most): what it ended with (its exit
    code, or the error it raised) and what it said."""
    monkeypatch.setitem(outputs.OPENERS, "window", opener)
    status = io.StringIO()
    air = air_for(outs, status=status)
    feed = Feed(air.pacer, blocks=10 ** 9)
    feed.go.set()
    ended = []

    def run():
        try:
            ended.append(air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")))
        except Exception as e:
            ended.append(e)

    show = threading.Thread(target=run, daemon=True)
    show.start()
    show.join(30)
    running = show.is_alive()
    air.stop.set()
    show.join(30)
    assert not running
    return ended[0], [line for line in status.getvalue().splitlines() if " at 32x16, 60 fps" not in line]


@pytest.mark.parametrize("outs", [["window"], ["window", "null"]])
def test_a_window_alone_whose_display_never_answers_ends_the_show_as_one_refused_at_the_start(captured, monkeypatch,
                                                                                           outs):
    """Found at its first frame (a display that never answered), it said three lines and the show ran on showing
    nothing; then it ended on air (exit code 1), where a display refusing at the start refuses the show (its
    message and fix, once, exit code 2: the command line's for the error raised)."""
    from vcam.errors import NoDisplayError

    hangs = NoDisplayError("the preview window cannot be drawn on display :4712 (nothing answered there in 20 s)",
                           "drop --out window")
    refuses = NoDisplayError("no display for the preview window (DISPLAY is not set)", "drop --out window")

    class Hanging(Capture):
        def send(self, frame, tick):
            raise hangs

    def refusing(spec, w, h, fps):
        raise refuses

    at_start, said_at_start = _window_show(outs, refusing, monkeypatch)
    on_air, said_on_air = _window_show(outs, lambda spec, w, h, fps: Hanging(str(spec)), monkeypatch)
    assert at_start is refuses and on_air is hangs
    assert said_at_start == said_on_air == []  # said once, by the command line, as its error


@pytest.mark.parametrize("fps, said", [(1, True), (30, False)])
def test_a_camera_too_slow_to_show_a_block_within_the_latency_cap_is_said_at_the_start(captured, fps, said):
    """--fps 1 lost most generated frames ('lost 42' in 20 s) with no word of why."""
    status = io.StringIO()
    air = OnAir(AirSettings(outs=[outputs.parse_spec("null")], width=W, height=H, fps=fps, stdin=False),
                StatusLine(status))
    feed = Feed(air.pacer, blocks=0)
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    lines = [line for line in status.getvalue().splitlines() if "--max-latency" in line]
    assert lines == ([f"vcam: at {fps} fps a block of 12 generated frames takes longer than --max-latency 4 s to "
                      "show, so most of its frames will be dropped: give --max-latency 13 (the picture that much "
                      "behind), or --fps 3.25 or more"] if said else [])


def test_a_part_that_cannot_start_is_not_stopped_and_nothing_is_left_running(captured):
    air = air_for(["null"])
    feed = Feed(air.pacer)
    stopped = []

    class Busy:
        def start(self):
            raise OSError("port taken")

        def stop(self):
            stopped.append(True)

    with pytest.raises(OSError, match="port taken"):
        air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), [Busy()])
    assert stopped == [] and feed.calls == ["stop"]


def test_blackout_reaches_every_output(captured):
    air = air_for(["null"])
    feed = Feed(air.pacer)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="blackout")) == 0
    assert captured[0].frames and all(f.max() == 0 for f in captured[0].frames)


def test_the_camera_ticks_through_the_screen_it_is_given_and_a_freeze_set_there_holds_the_frame_named(captured):
    """As vcam run gives the controller's screen: a freeze set through it from another thread (the on-air loop's,
    here) names the frame of the camera's last tick, and the camera holds that very picture from its next tick."""
    air = air_for(["null"])
    state = SimpleNamespace(screen="live")
    screen = Screen(state)
    named = []

    def picture(shown: Shown) -> int:
        return 1 + 4 * shown.block + shown.index

    class Numbered(Feed):
        """Numbered blocks, each frame's pixels its number; a freeze once the camera has shown a few, then more
        blocks, which a live screen would show; the end once the output has a few frames after the freeze."""

        def poll(self, stats):
            shown = air.pacer.showing()
            if not named and shown is not None and shown.block >= 1:
                named.append((screen.set("freeze"), len(captured[0].frames)))
            elif named and len(captured[0].frames) > named[0][1] + 8:
                return True
            if self.pushed < 40:
                self.pacer.push(np.stack([np.full((H, W, 3), 1 + 4 * self.pushed + i, np.uint8)
                                          for i in range(4)]), self.pushed)
                self.pushed += 1
            return False

    assert air.run(Numbered(air.pacer), lambda line, source: None, state, [], screen) == 0
    assert state.screen == "freeze" and named[0][0] is not None
    held = picture(named[0][0])
    frames = [int(f[0, 0, 0]) for f in captured[0].frames if f.min() == f.max()]  # not the loading card
    assert frames[-1] == held and max(frames) == held  # held from the change on; no later frame went out


def test_ctrl_c_again_while_the_show_stops_leaves_at_once_with_its_recording_closed(captured):
    """The second Ctrl-C comes while the feed is slow to stop (a block in progress on a CPU): the show is left at
    once, with exit code 130 and a line that says so, its recording closed; not after the feed's wait."""
    status = io.StringIO()
    air = air_for(["file:show.mp4"], status=status)
    never = threading.Event()

    class SlowToStop(Feed):
        def poll(self, stats):
            if self.pushed == 2:
                os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C, once on air
            return super().poll(stats)

        def stop(self):
            super().stop()
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C again, while a block is still in progress
            never.wait(30.0)
            self.calls.append("waited out")

    feed = SlowToStop(air.pacer, blocks=1000)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 130
    assert "waited out" not in feed.calls  # cut short
    said = status.getvalue()
    assert "Ctrl-C again to leave at once" in said and "left at once" in said
    assert air.left_at_once and captured[0].closed and captured[0].frames
    assert "recorded" in said  # what the recording holds is still said
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the handlers are put back


def test_a_duration_records_as_many_frames_as_its_ticks_however_late_the_loop_looks(captured, monkeypatch):
    """--duration counts camera ticks from the first frame on air: 0.5 s at 60 fps is 30 frames in the recording,
    not however many the camera made before the loop, polling on a busy machine, saw the time was up."""
    import vcam.live.onair as onair_module

    monkeypatch.setattr(onair_module, "POLL_S", 0.3)  # a loop that looks late: the recording still stops in time
    air = air_for(["file:show.mp4"], duration=0.5)
    ticks = []
    real_emit = air._emit
    monkeypatch.setattr(air, "_emit", lambda frame, tick: (ticks.append(tick), real_emit(frame, tick)))
    feed = Feed(air.pacer, blocks=10**6)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    [recording] = captured
    assert 0 < len(recording.frames) <= 30
    assert len(ticks) > 30  # the camera went on past the recording's end before the loop closed the show


def test_a_block_that_comes_between_the_cards_tick_and_its_emit_leaves_the_card_out_of_the_recording(captured):
    """The producer pushes its first block while the camera's tick that made the loading card goes out (between
    the pacer's tick and the outputs): that tick showed no frame of the show, so the recording starts at the next
    one, and --duration counts from there (0.1 s at 60 fps: 6 frames of the show)."""
    air = air_for(["file:show.mp4"], duration=0.1)
    state = SimpleNamespace(screen="live")

    class PushedMeanwhile(Screen):
        def apply(self, frame, shown=None, covered=None, on_air=True):
            if not air.pacer.stats.pushed:  # the producer's thread, in this very instant
                air.pacer.push(np.full((4, H, W, 3), 200, np.uint8))
            return super().apply(frame, shown, covered, on_air)

    assert air.run(Feed(air.pacer), lambda line, source: None, state, [], PushedMeanwhile(state)) == 0
    [recording] = captured
    assert [f.mean() for f in recording.frames] == [200.0] * 6


def test_a_freeze_before_the_show_is_on_air_holds_its_first_frame_not_the_loading_card(captured):
    """`freeze` typed while the model loaded held the loading card, and the recordings (which hold the show, not
    the card) recorded it for as long as the freeze lasted, where the log's replay and render hold the first
    generated frame."""
    air = air_for(["null", "file:show.mp4"])
    state = SimpleNamespace(screen="freeze")

    class Counting(Feed):
        def poll(self, stats):
            if captured[0].frames:  # the card reached the live output: now the show's blocks come, each its own
                self.go.set()
            if self.go.is_set() and self.pushed < self.blocks:
                self.pacer.push(np.stack([np.full((H, W, 3), 10 * self.pushed + i, np.uint8) for i in range(4)]))
                self.pushed += 1
                return False
            return super().poll(stats)

    assert air.run(Counting(air.pacer), lambda line, source: None, state) == 0
    live, recording = captured
    assert live.frames[0].min() != live.frames[0].max()  # the card: its text on a plain ground
    assert recording.frames and all(f.min() == f.max() == 0 for f in recording.frames)  # block 0's first frame
    first = next(i for i, f in enumerate(live.frames) if f.min() == f.max())  # the card until the show came
    assert all(f.min() == f.max() == 0 for f in live.frames[first:])  # then the first frame, held


def _stops_the_show_and_puts_its_handler_back(signum: int):
    """Sends `signum` inside `stop_on_signals`: the show's stop is set by it, and the handler before is back after.
    Returns that handler."""
    from vcam.live.signals import StopEvent, stop_on_signals

    before = signal.getsignal(signum)
    stop = StopEvent()
    with stop_on_signals(stop) as signals:
        os.kill(os.getpid(), signum)
        assert stop.wait(10) and signals.first == signum
    assert signal.getsignal(signum) is before
    return before


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP here")
def test_a_closed_terminal_stops_the_show_as_sigterm_does_unless_nohup_ignores_it():
    """SIGHUP's default ended the process at once: the control log lost its end line, a recording its last second."""
    from vcam.live.signals import StopEvent, stop_on_signals

    before = _stops_the_show_and_puts_its_handler_back(signal.SIGHUP)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # under nohup
    try:
        with stop_on_signals(StopEvent()):
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)


def _handled_at_the_call_of(function, signals):
    """A tracer that runs the stop handler where a signal can land: at the call of `function` (a method of
    threading.Condition), once, on the thread it is set on."""
    fired = []

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code is function.__code__ and not fired:
            fired.append(True)
            signals.handle(signal.SIGTERM, None)
        return None

    return tracer, fired


def test_a_signal_landing_inside_stop_wait_neither_freezes_nor_loses_the_stop():
    """The handler runs in the main thread between any two bytecodes, also inside `stop.wait` with the Event's
    lock held (the show's loop waits on it four times a second): a threading.Event's set() there waited forever on
    a lock its own thread held (seen with this test's tracer on a threading.Event). Here it lands at the call that
    sleeps, before the sleeper is on the Condition's list, so no notify can wake it: a wait without a timeout
    must still come back. On a thread of its own so that a freeze fails the test rather than hang it."""
    from vcam.live.signals import StopEvent, StopSignals

    stop = StopEvent()
    tracer, fired = _handled_at_the_call_of(threading.Condition.wait, StopSignals(stop))
    woke = []

    def waits():
        sys.settrace(tracer)
        try:
            woke.append(stop.wait())
        finally:
            sys.settrace(None)

    caught = threading.Thread(target=waits, daemon=True)
    caught.start()
    caught.join(10)
    assert fired and not caught.is_alive() and woke == [True]


def test_a_signal_landing_inside_stop_set_wakes_every_waiter_once():
    """A second stop signal while the main thread's own set() wakes the waiters, landing in the Condition's loop
    after its check for a waiter left and before it takes the first: the handler's set() emptied the list under
    it, and `waiters[0]` raised IndexError out of set() (seen with a set() without the guard)."""
    import inspect

    from vcam.live.signals import StopEvent, StopSignals

    stop = StopEvent()
    woke = []
    waiters = [threading.Thread(target=lambda: woke.append(stop.wait(30))) for _ in range(3)]
    for t in waiters:
        t.start()
    while len(stop._reentrant._waiters) < 3:  # all three asleep on the Condition
        time.sleep(0.01)
    lines, first = inspect.getsourcelines(threading.Condition.notify)
    take = first + next(i for i, line in enumerate(lines) if "waiter = waiters[0]" in line)
    signals, seen = StopSignals(stop), []

    def in_notify(frame, event, arg):
        if event == "line" and frame.f_lineno == take:
            seen.append(take)
            if len(seen) == 2:  # the second waiter's turn: two are left on the list
                signals.handle(signal.SIGTERM, None)
        return in_notify

    before = sys.gettrace()  # a coverage run's tracer, say: given back after
    sys.settrace(lambda frame, event, arg: in_notify if frame.f_code is threading.Condition.notify.__code__
                 else None)
    try:
        stop.set()
    finally:
        sys.settrace(before)
    for t in waiters:
        t.join(30)
    assert len(seen) >= 2 and woke == [True, True, True] and repr(stop) == "<StopEvent: set>"


def test_a_stop_event_is_an_event_that_wakes_its_waiters():
    from vcam.live.signals import StopEvent

    stop = StopEvent()
    assert isinstance(stop, threading.Event) and not stop.wait(0.01) and not stop.is_set()
    woke = []
    waiter = threading.Thread(target=lambda: woke.append(stop.wait(30)))
    waiter.start()
    stop.set()
    waiter.join(30)
    assert woke == [True] and stop.wait() and stop.is_set()
    stop.clear()
    assert not stop.is_set() and not stop.wait(0)


def test_the_stop_handlers_take_only_a_stop_event():
    from vcam.live.signals import stop_on_signals

    with pytest.raises(TypeError, match="needs a StopEvent, not Event"):
        with stop_on_signals(threading.Event()):
            pass


def test_a_freeze_after_a_blackout_holds_the_picture_under_the_blackout_not_an_earlier_freezes():
    """freeze, blackout, then freeze again: the second freeze holds the frame it came after (the one the log and
    network clients are told of, which went on generating under the blackout); it held the first freeze's picture,
    from however long before."""
    state = SimpleNamespace(screen="live")
    screen = Screen(state)

    def tick(n: int) -> np.ndarray:
        return screen.apply(np.full((H, W, 3), n, np.uint8), Shown(n, 0, float(n)))

    tick(1)
    screen.set("freeze")
    assert tick(2)[0, 0, 0] == 1
    assert screen.set("blackout") == Shown(2, 0, 2.0)
    assert not tick(3).any() and not tick(4).any()
    assert screen.set("freeze") == Shown(4, 0, 4.0)  # named as the frame it comes after
    assert tick(5)[0, 0, 0] == 4 and tick(6)[0, 0, 0] == 4


def test_a_freeze_during_a_stall_holds_the_generated_frame_it_names_not_the_fallback_image():
    """With the fallback image on the camera (a stall), a freeze held that image while the control log, its replay
    and network clients were told the last generated frame, and held that: the camera holds the frame named too."""
    now = [0.0]
    air = air_for(["null"])
    air.pacer = Pacer(PacerSettings(fps=30.0, stall_after=2.0, max_latency=1.0), clock=lambda: now[0])
    air.pacer.set_fallback(np.full((H, W, 3), 99, np.uint8))
    state = SimpleNamespace(screen="live")
    air.screen = Screen(state)
    out = []
    air.workers = [SimpleNamespace(every_frame=False,
                                   offer=lambda frame, tick, on_air: out.append(int(frame[0, 0, 0])))]

    def tick(t: float) -> None:
        now[0] = t
        air._emit(air.pacer.tick(), 0)
        air.pacer._tell_shown()

    air.pacer.push(np.stack([np.full((H, W, 3), 1 + i, np.uint8) for i in range(4)]), 0)
    for k in range(60):
        tick(k / 30.0)
    assert out[-1] == 4  # the block's last frame
    tick(3.0)
    assert out[-1] == 99  # stalled: the fallback image
    named = air.screen.set("freeze")  # what the log and network clients are told
    assert named is not None and (named.block, named.index) == (0, 3)
    tick(3.1)
    tick(3.2)
    assert out[-2:] == [4, 4]  # the frame named, held
    state.screen = "live"
    tick(3.3)
    assert out[-1] == 99  # the stall goes on: the fallback image again


def test_the_camera_ticks_that_failed_are_counted_at_the_end(captured, capsys):
    """Said at most once a minute as they come, so the end of the show says how many there were."""
    status = io.StringIO()
    air = air_for(["file:show.mp4"], status=status)
    tick, failed = air.pacer.tick, []

    def failing_five():
        if len(failed) < 5:
            failed.append(1)
            raise ValueError("a frame of the wrong shape")
        return tick()

    air.pacer.tick = failing_five
    feed = Feed(air.pacer)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    assert "5 camera ticks failed in all; the camera went on after each" in status.getvalue()
    assert capsys.readouterr().err.count("a camera tick failed (ValueError: a frame of the wrong shape)") == 1


def test_vcam_cams_start_says_nothing_of_blocks_whose_length_it_does_not_know(captured):
    """vcam cam's start took the server's blocks to be the local model's 12 frames (vcam.remote.blocks says them
    once they come)."""
    status = io.StringIO()
    air = OnAir(AirSettings(outs=[outputs.parse_spec("null")], width=W, height=H, fps=1, stdin=False,
                            block_frames=None), StatusLine(status))
    assert air.run(Feed(air.pacer, blocks=0), lambda line, source: None, SimpleNamespace(screen="live")) == 0
    assert "--max-latency" not in status.getvalue()


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="stands in for SIGBREAK")
def test_windows_ctrl_break_stops_the_show_as_sigterm_does(monkeypatch):
    """Ctrl-Break (SIGBREAK, Windows only; SIGUSR1 stands in for it here) ended vcam at once, the control log
    without its end line and a recording without its last second."""
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGUSR1, raising=False)
    _stops_the_show_and_puts_its_handler_back(signal.SIGUSR1)


def test_a_duration_shorter_than_a_camera_tick_still_records_the_first_frame_on_air(captured):
    """0.005 s at 60 fps rounds to no tick: the recording holds one frame, not none."""
    air = air_for(["file:show.mp4"], duration=0.005)
    feed = Feed(air.pacer, blocks=10**6)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    [recording] = captured
    assert len(recording.frames) == 1


def test_a_show_stopped_by_sigterm_says_so_on_its_status_and_ends_cleanly(captured):
    """docker stop, systemd or kill: the log says what ended the show."""
    status = io.StringIO()
    air = air_for(["file:show.mp4"], status=status)

    class Terminated(Feed):
        def poll(self, stats):
            if self.pushed == 2:
                os.kill(os.getpid(), signal.SIGTERM)
            return super().poll(stats)

    feed = Terminated(air.pacer, blocks=1000)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    assert "stopping on SIGTERM" in status.getvalue() and captured[0].closed


def test_the_parts_stop_in_the_reverse_of_their_start_so_one_built_on_another_stops_first(captured):
    air = air_for(["null"])
    feed = Feed(air.pacer)
    feed.go.set()
    calls = []

    class Part:
        def __init__(self, name):
            self.name = name

        def start(self):
            calls.append(f"start {self.name}")

        def stop(self):
            calls.append(f"stop {self.name}")

    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), [Part("midi"), Part("osc")]) == 0
    assert calls == ["start midi", "start osc", "stop osc", "stop midi"]


class CountingFeed(Feed):
    """Ends after `polls` polls; counts the status lines built."""

    def __init__(self, pacer, polls):
        super().__init__(pacer)
        self.polls, self.built = polls, 0

    def poll(self, stats):
        self.polls -= 1
        return self.polls <= 0

    def status(self, stats, out_fps, failed):
        self.built += 1
        return "FAKE"


@pytest.mark.parametrize("tty", [False, True])
def test_the_status_line_is_built_only_when_it_is_shown(monkeypatch, tty):
    """In a log (stderr not a terminal) the line is written every 10 s: it was built, the card's memory read from the
    driver, at each of the loop's 4 polls a second all the same. A terminal shows every one."""
    monkeypatch.setattr(onair, "POLL_S", 0.0)
    out = io.StringIO()
    out.isatty = lambda: tty
    now = [0.0]
    air = OnAir(AirSettings(outs=[], width=W, height=H, stdin=False), StatusLine(out, clock=lambda: now[0]))
    feed = CountingFeed(air.pacer, 40)
    air.feed, air.workers = feed, []
    air._loop()  # 39 polls at one instant, then the end
    assert feed.built == (39 if tty else 1)
    assert out.getvalue().count("FAKE") == (39 if tty else 1)


def test_a_duration_too_long_to_count_in_ticks_records_the_show_as_one_without_an_end(captured):
    """--duration 1e308 at the camera's rate is more ticks than a float holds: every camera tick failed on it and
    the recording held nothing."""
    air = air_for(["file:show.mp4"], duration=1e308)
    feed = Feed(air.pacer)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    [recording] = captured
    assert recording.frames and air.pacer.stats.errors == 0


def test_typed_lines_count_as_after_the_stop_once_the_duration_is_over():
    """--duration's end is seen by the pacer's thread a poll before the show stops: a line typed between the two was
    applied after the recordings had ended."""
    air = air_for(["null"])
    assert not air._stopping()
    air._over.set()
    assert air._stopping() and not air.stop.is_set()


def test_a_recording_whose_disk_fills_on_air_is_said_once_and_the_other_outputs_keep_the_show(monkeypatch):
    import errno

    class FillsAfter(Capture):
        """A recording whose disk is full after its third frame: every write after fails with ENOSPC."""

        path = "/shows/take.mp4"
        ticks: list

        def send(self, frame, tick):
            if len(self.frames) >= 3:
                raise OSError(errno.ENOSPC, "No space left on device", self.path)
            super().send(frame, tick)
            self.ticks.append(tick)

    live, take = Capture("null"), FillsAfter("file:/shows/take.mp4")
    take.ticks, live_ticks = [], []
    live_send = live.send
    live.send = lambda frame, tick: (live_ticks.append(tick), live_send(frame, tick))
    monkeypatch.setitem(outputs.OPENERS, "null", lambda spec, w, h, fps: live)
    monkeypatch.setitem(outputs.OPENERS, "file", lambda spec, w, h, fps: take)
    status = io.StringIO()
    air = air_for(["null", "file:/shows/take.mp4"], status=status)

    class UntilLiveGoesOn(Feed):
        def poll(self, stats):  # the show goes on until the live output has had a second more after the failure
            if time.monotonic() > give_up:  # a live output stopped too: the asserts below say so, not a hang
                return True
            return bool(take.ticks) and len([t for t in live_ticks if t > take.ticks[-1]]) > 60

    give_up = time.monotonic() + 300
    feed = UntilLiveGoesOn(air.pacer)
    air.pacer.push(np.full((4, H, W, 3), 200, np.uint8))
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 1
    said = status.getvalue()
    assert said.count("output file:/shows/take.mp4 failed and is stopped") == 1, said
    assert "the disk is full: free space on its disk (df -h /shows" in said and "; the show goes on" in said
    assert len(take.frames) == 3 and take.closed and live.closed
    assert "exiting with code 1: output file:/shows/take.mp4 failed" in said


def test_an_on_air_line_the_terminal_refuses_keeps_no_frame_from_the_outputs(captured):
    """The on-air line is said from the camera's thread as the first frame goes out: a terminal gone (EPIPE) raised
    there, and the first frame of the show never reached the recording."""
    air = air_for(["file:show.mp4"])

    class SaysOnAir(Feed):
        def went_on_air(self):
            raise BrokenPipeError(32, "Broken pipe")

    feed = SaysOnAir(air.pacer, blocks=1)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    assert air.pacer.stats.errors == 0 and captured[0].frames  # no camera tick failed, the first one's frame kept


@pytest.mark.parametrize("on_air", [False, True])
def test_the_show_remembers_the_signal_that_stopped_it_and_whether_it_went_on_air(captured, on_air):
    """A Ctrl-C while the card still shows (the model loading) is told apart from one once blocks are on air: the
    run's end says the first as a stop before anything was recorded."""
    air = air_for(["file:show.mp4"])

    class Loading(Feed):
        def poll(self, stats):
            if on_air and not air.reached_air:
                return super().poll(stats)
            os.kill(os.getpid(), signal.SIGINT)  # the card on air (or the show's first frame): Ctrl-C
            return False

    feed = Loading(air.pacer, blocks=1000)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    assert air.stopped_by == signal.SIGINT and air.reached_air is on_air


@pytest.mark.parametrize("outs, alone", [(["window"], True), (["window", "null"], True),
                                         (["window", "file:x.mp4"], False)])
def test_an_output_alone_refused_as_the_show_goes_on_air_ends_it_even_as_the_feed_ends(captured, monkeypatch, outs,
                                                                                      alone):
    """The check an output makes as the show goes on air (a camera another program began writing to) refused the
    only output: the show ran on with nothing to show on. A feed that ends in the poll after it (a short replay)
    must not leave the error unsaid either: it is raised at the show's end. Beside a recording the show goes on."""
    from vcam.errors import VcamError

    taken = VcamError("/dev/video10 is taken: obs writes to it", "stop OBS's Virtual Camera")

    class Refusing(Capture):
        def went_on_air(self):
            raise taken

    monkeypatch.setitem(outputs.OPENERS, "window", lambda spec, w, h, fps: Refusing(str(spec)))
    status = io.StringIO()
    air = air_for(outs, status=status)
    feed = Feed(air.pacer, blocks=1)
    feed.go.set()
    if alone:
        with pytest.raises(VcamError) as err:
            air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"))
        assert err.value is taken and "is taken" not in status.getvalue()  # said once, by the command line
    else:
        assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 1
        assert "output window failed and is stopped: /dev/video10 is taken" in status.getvalue()


@pytest.mark.parametrize("sig, said", [(signal.SIGINT, "stopping … (Ctrl-C again"),
                                       (signal.SIGTERM, "stopping on SIGTERM")])
def test_a_show_stopped_with_no_recording_ends_with_the_line_of_its_outputs(captured, sig, said):
    """Ctrl-C with `--out null` said `stopping …` and then nothing: a recording's `recorded … frames` line ends the
    others, and the operator waited for one."""
    status = io.StringIO()
    air = air_for(["null"], status=status)

    class Stopped(Feed):
        def poll(self, stats):
            if self.pushed == 2:
                os.kill(os.getpid(), sig)
            return super().poll(stats)

    feed = Stopped(air.pacer, blocks=1000)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    lines = status.getvalue().splitlines()
    stop = next(at for at, line in enumerate(lines) if said in line)
    assert len(lines[stop + 1:]) == 1 and re.fullmatch(r"vcam: output null: \d+ frames? sent", lines[-1]), lines


def test_a_show_with_no_recording_that_ends_by_itself_says_nothing_more(captured):
    """Without a stop's `stopping …` line (the feed played out, --duration, quit) the show's end is its last line."""
    status = io.StringIO()
    air = air_for(["null"], status=status)
    feed = Feed(air.pacer, blocks=2)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    assert "sent" not in status.getvalue(), status.getvalue()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_show_stopped_says_its_outputs_end_line_as_any_end_says_it(captured, monkeypatch, sig):
    """Stopped by Ctrl-C or SIGTERM, a window its user closed on air was said `output window: 3 frames sent`
    alone: the line that says why it drew no more (said whenever the end names the window) was left out."""
    note = "closed on air by its user: not drawn again this show (--out window opens it at the next run)"

    class ClosedByUser(Capture):
        note = None

        def send(self, frame, tick):
            if len(self.frames) < 3:
                super().send(frame, tick)
            else:
                self.note = note

    monkeypatch.setitem(outputs.OPENERS, "window", lambda spec, w, h, fps: ClosedByUser("window"))
    status = io.StringIO()
    air = air_for(["window"], status=status)

    class Stopped(Feed):
        def poll(self, stats):
            if self.pushed == 3:
                os.kill(os.getpid(), sig)
            return super().poll(stats)

    feed = Stopped(air.pacer, blocks=1000)
    feed.go.set()
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live")) == 0
    last = status.getvalue().splitlines()[-1]
    assert re.fullmatch(rf"vcam: output window: \d+ frames? sent; {re.escape(note)}", last), last
