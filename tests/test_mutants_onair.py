"""The live loop's assembly as the operator meets it: what the start and the end say, which parts start and stop
on a failure, what Ctrl-C and the stop signals do, and the exit codes (vcam.live.onair, signals, parts, run)."""
import io
import json
import os
import signal
import sys
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from vcam.live import outputs
from vcam.live.onair import AirSettings, OnAir
from vcam.live.status import StatusLine

W, H = 32, 16
LIVE = SimpleNamespace(screen="live")


class Feed:
    """Pushes a block on each poll; ends after `blocks` of them."""

    def __init__(self, pacer, blocks=4):
        self.pacer, self.blocks, self.pushed, self.calls = pacer, blocks, 0, []

    def start(self):
        self.calls.append("start")

    def poll(self, stats):
        if self.pushed >= self.blocks:
            return True
        self.pacer.push(np.full((4, H, W, 3), 200, np.uint8))
        self.pushed += 1
        return False

    def status(self, stats, out_fps, failed):
        return ""

    def stop(self):
        self.calls.append("stop")


def _air(outs, status, **settings) -> OnAir:
    specs = [outputs.parse_spec(o) for o in outs]
    settings.setdefault("stdin", False)
    return OnAir(AirSettings(outs=specs, width=W, height=H, fps=60, **settings), StatusLine(status))


def _no_handler_left():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_each_output_is_named_at_the_start_with_its_size_and_rate(captured):
    status = io.StringIO()
    air = _air(["null", "file:show.mp4"], status)
    assert air.run(Feed(air.pacer), lambda line, source: None, LIVE) == 0
    said = status.getvalue()
    assert f"output null at {W}x{H}, 60 fps" in said and f"output file:show.mp4 at {W}x{H}, 60 fps" in said


@pytest.mark.parametrize("fps, said", [(60000 / 1001, "59.94"), (30000 / 1001, "29.97"), (24000 / 1001, "23.976"),
                                       (25, "25"), (12.5, "12.5")])
def test_an_output_is_named_with_its_rate_as_known_not_rounded_to_six_digits(captured, fps, said):
    """--fps 60000/1001 was said as 59.9401 fps, a rate no one knows it by."""
    status = io.StringIO()
    air = OnAir(AirSettings(outs=[outputs.parse_spec("null")], width=W, height=H, fps=fps, stdin=False),
                StatusLine(status))
    assert air.run(Feed(air.pacer), lambda line, source: None, LIVE) == 0
    assert f"output null at {W}x{H}, {said} fps\n" in status.getvalue(), status.getvalue()


def test_ctrl_c_after_quit_leaves_at_once_without_stopping_the_feed_or_the_parts(captured):
    """A `quit` (or --duration) has the show stopping: a Ctrl-C then, even before the loop has seen the stop,
    leaves at once (exit 130), not after the parts and the feed are waited for."""
    status = io.StringIO()
    air = _air(["file:show.mp4"], status)
    stopped = []

    class QuitThenCtrlC(Feed):
        def poll(self, stats):
            if self.pushed == 2:
                air.stop.set()  # as `quit` typed does
                os.kill(os.getpid(), signal.SIGINT)  # lands here, in the main thread, at once
            return super().poll(stats)

    class Part:
        def start(self):
            pass

        def stop(self):
            stopped.append(True)

    feed = QuitThenCtrlC(air.pacer, blocks=1000)
    assert air.run(feed, lambda line, source: None, LIVE, [Part()]) == 130
    assert air.left_at_once and feed.calls == ["start"] and stopped == []
    assert "left at once (Ctrl-C as the show closed); exit code 130" in status.getvalue()
    assert captured[0].closed
    _no_handler_left()


def test_a_show_that_cannot_start_still_says_what_its_recording_holds(captured):
    """The outputs opened before the feed failed: the end says the recording is empty, as any end does."""
    status = io.StringIO()
    air = _air(["file:show.mp4"], status)

    class Broken(Feed):
        def poll(self, stats):
            raise ValueError("no such model")

    with pytest.raises(ValueError, match="no such model"):
        air.run(Broken(air.pacer), lambda line, source: None, LIVE)
    assert "nothing recorded to file:show.mp4" in status.getvalue()


def test_a_quit_typed_as_the_last_line_is_not_followed_by_no_more_typed_commands(captured):
    """`printf 'quit\\n' | vcam run`: the end of the piped commands comes as the show stops, which says enough."""
    status = io.StringIO()
    air = _air(["null"], status, stdin=True, commands=io.BytesIO(b"quit\n"))
    lines = []

    def handle_line(line, source):
        lines.append(line)
        air.stop.set()  # what the controller does for `quit`
        return None

    before = set(threading.enumerate())
    assert air.run(Feed(air.pacer, blocks=10 ** 6), handle_line, LIVE) == 0
    for t in set(threading.enumerate()) - before:
        if t.name == "console":
            t.join(30)
    assert lines == ["quit"]
    assert "no more typed commands" not in status.getvalue()


class FailsToStop:
    def __init__(self, what, why):
        self.what, self.why = what, why

    def start(self):
        pass

    def stop(self):
        raise OSError(self.why)


def test_where_two_steps_fail_to_stop_the_exit_line_names_the_first(captured):
    status = io.StringIO()
    air = _air(["null"], status)

    class FeedFailsToStop(Feed):
        def stop(self):
            super().stop()
            raise RuntimeError("the link would not close")

    code = air.run(FeedFailsToStop(air.pacer), lambda line, source: None, LIVE,
                   [FailsToStop("the MIDI input", "the port went away")])
    said = status.getvalue()
    assert code == 1
    assert "stopping the MIDI input failed: the port went away" in said
    assert "stopping the feed failed: the link would not close" in said
    assert said.splitlines()[-1] == "vcam: exiting with code 1: stopping the MIDI input failed (the reason is above)"


def test_stderr_closed_as_the_show_closes_still_leaves_every_step_run(captured):
    """`2>&-` or a supervisor that closed the stream: each line said from then on raises ValueError."""
    air = None

    class Closed(io.StringIO):
        def write(self, text):
            if air is not None and air.stop.is_set():
                raise ValueError("I/O operation on closed file")
            return super().write(text)

    air = _air(["file:show.mp4"], Closed())
    feed = Feed(air.pacer)
    with pytest.raises(ValueError, match="closed file"):  # the end's report, once everything is closed
        air.run(feed, lambda line, source: None, LIVE, [FailsToStop("the MIDI input", "the port went away")])
    assert feed.calls == ["start", "stop"] and captured[0].closed


def test_a_part_that_cannot_start_leaves_no_word_of_the_camera_that_never_started(captured):
    status = io.StringIO()
    air = _air(["null"], status)

    class Busy:
        def start(self):
            raise OSError("port taken")

        def stop(self):
            pass

    with pytest.raises(OSError, match="port taken"):
        air.run(Feed(air.pacer), lambda line, source: None, LIVE, [Busy()])
    assert "failed" not in status.getvalue(), status.getvalue()


@pytest.mark.parametrize("what", ["", None, 3])
def test_a_part_without_words_of_its_own_is_named_by_its_kind_where_it_fails_to_stop(what):
    from vcam.live.onair import _part_name

    class OscBridge:
        pass

    part = OscBridge()
    part.what = what
    assert _part_name(part) == "OscBridge"


def test_a_show_whose_flow_was_skipped_does_not_say_generation_kept_up():
    from vcam.live.interp import FlowStats
    from vcam.live.onair import flow_report

    line = flow_report(FlowStats(unneeded=2, skipped=3))
    assert line is not None and "keeps up" not in line
    assert "3 pairs of generated frames left to the cross-fade" in line and "CPU is too slow" in line


def test_frames_by_flow_without_a_pair_measured_claim_no_cost():
    from vcam.live.interp import FlowStats
    from vcam.live.onair import flow_report

    line = flow_report(FlowStats(flowed=5, faded=1, pairs=0))
    assert "ms" not in line and "by flow" not in line and "1 camera frame cross-faded" in line


def test_a_vcam_error_on_air_is_said_as_its_message_and_fix_not_as_a_crash(captured):
    from vcam.errors import VcamError
    from vcam.live.onair import FeedFailed

    status = io.StringIO()
    air = _air(["null"], status)

    class Lost(Feed):
        def poll(self, stats):
            if self.pushed >= 2:
                raise FeedFailed(VcamError("the GPU was lost", "restart vcam"))
            return super().poll(stats)

    assert air.run(Lost(air.pacer), lambda line, source: None, LIVE) == 1
    said = status.getvalue()
    assert "vcam: error: the GPU was lost\n  fix: restart vcam" in said
    assert "the show stopped" not in said and "VCAM_DEBUG" not in said


def test_more_ctrl_c_after_the_one_that_leaves_at_once_do_not_cut_it_short():
    from vcam.live.signals import StopEvent, StopSignals

    signals = StopSignals(StopEvent())
    signals.handle(signal.SIGINT, None)  # the first: a stop
    assert signals.stop.is_set() and signals.first == signal.SIGINT
    with pytest.raises(KeyboardInterrupt):
        signals.handle(signal.SIGINT, None)  # again: leave at once
    try:
        for _ in range(2):  # pressed on while leaving: nothing more
            signals.handle(signal.SIGINT, None)
    except KeyboardInterrupt:
        pytest.fail("a later Ctrl-C interrupted the leaving")


def test_a_signal_after_quit_is_not_said_to_be_why_the_show_ended():
    """`quit` was typed (or --duration ran out); a SIGTERM as it closes must not have the log blame the signal."""
    from vcam.live.signals import StopEvent, StopSignals

    stop = StopEvent()
    signals = StopSignals(stop)
    stop.set()  # quit
    signals.handle(signal.SIGTERM, None)
    assert signals.first is None and stop.is_set()


@pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="stands in for SIGBREAK")
def test_a_ctrl_break_ignored_by_whoever_started_vcam_stays_ignored(monkeypatch):
    from vcam.live.signals import StopEvent, stop_on_signals

    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGUSR1, raising=False)
    before = signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    try:
        with stop_on_signals(StopEvent()):
            assert signal.getsignal(signal.SIGUSR1) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGUSR1, before)


def _in_a_thread(fn):
    """Runs `fn` on a thread of its own: what it returned, or raised."""
    done = []

    def run():
        try:
            done.append(("returned", fn()))
        except BaseException as e:  # handed back to the test
            done.append(("raised", e))

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(60)
    assert not t.is_alive()
    return done[0]


def test_a_show_run_off_the_main_thread_takes_no_signal_handlers():
    """A show run from a thread of its caller (an embedding program, a test): only the main thread may install
    handlers, and the show goes on without them."""
    from vcam.live.signals import StopEvent, stop_on_signals

    def show():
        with stop_on_signals(StopEvent()) as signals:
            return signals.first, signal.getsignal(signal.SIGINT)

    assert _in_a_thread(show) == ("returned", (None, signal.default_int_handler))


def test_holding_ctrl_c_off_the_main_thread_or_where_sigint_is_ignored_changes_nothing():
    from vcam.live.signals import ctrl_c_held

    def held():
        with ctrl_c_held():
            return "imported"

    assert _in_a_thread(held) == ("returned", "imported")
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)  # `vcam run … &` from a script: Ctrl-C is not for it
    try:
        with ctrl_c_held():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_stop_landing_just_before_a_long_wait_sleeps_still_wakes_it_soon():
    """The handler sets the stop between the wait's look at the flag and its sleep, where no notify can wake it:
    a wait of an hour still comes back within a slice, not at its end."""
    from vcam.live.signals import StopEvent, StopSignals

    stop = StopEvent()
    signals, fired, woke = StopSignals(stop), [], []

    def tracer(frame, event, arg):
        if event == "call" and frame.f_code is threading.Condition.wait.__code__ and not fired:
            fired.append(True)
            signals.handle(signal.SIGTERM, None)
        return None

    def waits():
        sys.settrace(tracer)
        try:
            woke.append(stop.wait(3600))
        finally:
            sys.settrace(None)

    waiter = threading.Thread(target=waits, daemon=True)
    waiter.start()
    try:
        waiter.join(60)
        assert fired and not waiter.is_alive() and woke == [True]
    finally:
        stop.set()  # a sleeper left by a failure wakes at this notify
        waiter.join(60)


SHOW_WITH_PORT = "presets:\n  - {name: a, prompt: a neon city}\nmidi: {port: launchpad, map: nanokontrol2}\n"


def test_a_replay_of_a_show_with_a_midi_port_opens_no_midi_input_and_says_nothing_of_midi_none():
    """A knob turned during a replay would make another show than the log's."""
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    show = parse_show(SHOW_WITH_PORT, "show.yaml")
    assert midi_setup_read(RunOptions(show="show.yaml"), show, True, said.append) is None
    # nor that the show's map is not used for want of a port: the show has one, and no replay opens it
    assert said == [], said


def test_a_served_show_with_a_midi_port_says_where_to_open_it_not_that_midi_none_was_given():
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    show = parse_show(SHOW_WITH_PORT, "show.yaml")
    assert midi_setup_read(RunOptions(show="show.yaml", serve=True), show, False, said.append) is None
    assert len(said) == 1 and "is not opened by vcam serve" in said[0]


def test_a_shows_midi_map_without_a_port_says_no_input_is_opened_and_how_to_give_one():
    """The show's knobs and buttons written, and no port (the reference show leaves it as a comment): run without
    --midi, the controller does nothing on air, and nothing said so."""
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    show = parse_show("presets:\n  - {name: a, prompt: a neon city}\nmidi: {map: nanokontrol2}\n", "show.yaml")
    assert midi_setup_read(RunOptions(show="show.yaml"), show, False, said.append) is None
    [line] = said
    assert "MIDI map (Korg nanoKONTROL2) is not used" in line and "--midi PORT" in line and "port:" in line
    inline = parse_show("presets:\n  - {name: a, prompt: a neon city}\nmidi: {controls: [{cc: 1, command: next}]}\n",
                        "show.yaml")
    midi_setup_read(RunOptions(show="show.yaml"), inline, False, said.append)
    assert said[-1] == ("the show's own MIDI controls are not used: no MIDI input is opened without --midi PORT or a "
                        "port: in the show's midi: section (vcam devices lists the inputs)")
    # a section with a channel or a name alone maps no control: no map of it goes unused
    for section in ("{channel: 10}", "{name: my nano}"):
        bare = parse_show(f"presets:\n  - {{name: a, prompt: a neon city}}\nmidi: {section}\n", "show.yaml")
        assert midi_setup_read(RunOptions(show="show.yaml"), bare, False, said.append) is None
    # said nothing more where the player chose (--midi none), the camera's end opens it (vcam serve), the show
    # has no MIDI section, or a replay plays the log's commands (it opens no input, port or none)
    no_midi = parse_show("presets:\n  - {name: a, prompt: a neon city}\n", "show.yaml")
    replayed = RunOptions(show="show.yaml", replay="show.jsonl")
    for opts, played, replaying in ((RunOptions(show="show.yaml", midi="none"), show, False),
                                    (RunOptions(show="show.yaml", serve=True), show, False),
                                    (RunOptions(show="show.yaml"), no_midi, False), (replayed, show, True),
                                    (replayed, inline, True)):
        assert midi_setup_read(opts, played, replaying, said.append) is None
    assert len(said) == 2, said


def test_a_midi_map_flag_over_a_shows_midi_section_says_the_sections_controls_do_nothing(fake_midi_backend):
    """A section's own controls add to its map: file; --midi-map replaces the whole section, which nothing said as
    the show started, and the show's own knob was dead on air."""
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    show = parse_show("presets:\n  - {name: a, prompt: a neon city}\n"
                      "midi: {map: nanokontrol2, controls: [{cc: 20, param: bias}]}\n", "show.yaml")
    port, mapping, _ = midi_setup_read(RunOptions(show="show.yaml", midi="nano", midi_map="midimix"), show, False,
                                       said.append)
    assert mapping.name == "Akai MIDImix"
    [line] = said
    assert line == ("--midi-map midimix is used over the show's midi: section (Korg nanoKONTROL2), whose controls do "
                    "nothing in this run")
    # the show's own map given again replaces nothing
    plain = parse_show("presets:\n  - {name: a, prompt: a neon city}\nmidi: {map: nanokontrol2}\n", "show.yaml")
    midi_setup_read(RunOptions(show="show.yaml", midi="nano", midi_map="nanokontrol2"), plain, False, said.append)
    # nor does a section that maps nothing: its port (opened with the map), channel or name alone
    for section in ("{port: nano}", "{channel: 10}", "{name: my nano}", "{port: nano, channel: 2, name: x}"):
        bare = parse_show(f"presets:\n  - {{name: a, prompt: a neon city}}\nmidi: {section}\n", "show.yaml")
        port, mapping, _ = midi_setup_read(RunOptions(show="show.yaml", midi_map="nanokontrol2",
                                                      midi=None if "port" in section else "nano"), bare, False,
                                           said.append)
        assert (port, mapping.name) == ("nano", "Korg nanoKONTROL2")
    assert len(said) == 1, said


def test_a_midi_flag_without_midi_support_is_refused_as_the_flags_not_the_show_files(monkeypatch):
    from vcam.errors import VcamError
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    monkeypatch.setitem(sys.modules, "mido", None)  # not installed
    with pytest.raises(VcamError) as refused:
        midi_setup_read(RunOptions(show="show.yaml", midi="launchpad"), None, False, lambda s: None)
    assert "show.yaml" not in refused.value.message and "or run without --midi" in refused.value.fix


def test_a_replay_reads_no_osc_map_as_it_opens_no_osc_input(tmp_path):
    """The map of an input a replay does not open is not read: a map file gone since the show is no reason to refuse
    its replay."""
    from vcam.live.parts import read_osc_map
    from vcam.live.settings import RunOptions

    gone = str(tmp_path / "gone.yaml")
    assert read_osc_map(RunOptions(osc="9000", osc_map=gone, replay=str(tmp_path / "show.jsonl")), None) is None
    assert read_osc_map(RunOptions(osc_map=gone), None) is None  # no --osc: no input to map


class _Fakes:
    """What vcam.live.run's end works with, each call written down: the show's loop gives `code` (or raises
    `raises`), its producer is out of the model (`producer_out`) or not, its prompter alive or not."""

    def __init__(self, code=0, raises=None, producer_out=True, prompter_alive=False, left_at_once=False, log=None):
        self.calls, self.said = [], io.StringIO()
        self.code, self.raises, self.producer_out, self.log = code, raises, producer_out, log
        self.air = SimpleNamespace(run=self._air_run, left_at_once=left_at_once, status=StatusLine(self.said),
                                   stopped_by=None, reached_air=True)
        self.producer = SimpleNamespace(blocks=7, handed_on=lambda: 7, stop=self._producer_stop)
        self.prompter = SimpleNamespace(alive=prompter_alive, stop=lambda timeout=2.0: self.calls.append("prompter"))
        self.inputs = SimpleNamespace(close=lambda: self.calls.append("inputs closed"))

    def _air_run(self, *args):
        if self.raises is not None:
            raise self.raises
        return self.code

    def _producer_stop(self, timeout):
        self.calls.append(f"producer stop {timeout:g}")
        return self.producer_out

    def end(self):
        from vcam.live.run import _on_air

        return _on_air(self.air, object(), SimpleNamespace(handle_line=None), SimpleNamespace(state=None), [],
                       self.producer, self.prompter, self.log, self.inputs)


class _Log:
    def __init__(self, failed=False, kept_older=False):
        self.failed, self.kept_older, self.ended = failed, kept_older, []
        self.out = SimpleNamespace(name="show.jsonl")
        self.path = None  # as ControlLog's where its name is not known whole

    def end(self, blocks):
        self.ended.append(blocks)


def test_a_show_that_ends_well_closes_its_input_and_leaves_nothing_to_wait_for():
    fakes = _Fakes(log=_Log())
    ended = fakes.end()
    assert (ended.code, ended.busy, ended.error) == (0, False, None)
    assert "inputs closed" in fakes.calls and fakes.log.ended == [7]  # the log's end line counts the blocks


@pytest.mark.parametrize("busy", [{"producer_out": False}, {"prompter_alive": True}, {"left_at_once": True}])
def test_a_show_that_left_a_thread_running_is_busy_and_its_input_waits_for_the_producer(busy):
    """The command line then leaves with os._exit; a caller in its own process settles first: the input is closed
    only once the producer is out of its block (it may be reading the input)."""
    fakes = _Fakes(**busy)
    ended = fakes.end()
    assert ended.busy and "inputs closed" not in fakes.calls
    fakes.calls.clear()
    ended.settle()
    closed = fakes.producer_out
    assert fakes.calls == ["producer stop 600"] + (["inputs closed"] if closed else []) + ["prompter"]


def test_ctrl_c_just_after_the_show_put_its_handlers_back_leaves_with_130_and_the_log_ended():
    fakes = _Fakes(raises=KeyboardInterrupt(), log=_Log())
    ended = fakes.end()
    assert ended.code == 130 and ended.busy and ended.error is None and fakes.log.ended == [7]


def test_a_show_that_never_went_on_air_ends_with_code_2_and_its_reason_for_the_caller():
    from vcam.live.model_feed import NeverOnAir

    gave_up = NeverOnAir("no block came within 600 s", "try a smaller --size")
    fakes = _Fakes(raises=gave_up, log=_Log())
    ended = fakes.end()
    assert ended.code == 2 and ended.error is gave_up and fakes.log.ended == [7]


@pytest.mark.parametrize("code, ends", [(0, 1), (1, 1), (2, 2), (130, 130)])
def test_a_control_log_that_failed_makes_a_good_end_exit_1_and_keeps_any_other_code(code, ends):
    fakes = _Fakes(code=code, log=_Log(failed=True))
    assert fakes.end().code == ends
    assert "vcam: control log show.jsonl is incomplete: a write failed" in fakes.said.getvalue()


def test_a_control_log_written_well_says_nothing_at_the_end():
    fakes = _Fakes(code=0, log=_Log())
    assert fakes.end().code == 0 and "control log" not in fakes.said.getvalue()


def test_a_show_that_cannot_start_lets_its_input_go(monkeypatch):
    """A camera opened before the model loads is let go when the start fails later (it stayed in use)."""
    from vcam.live import run
    from vcam.live.settings import RunOptions

    closed = []
    monkeypatch.setattr(run, "_prepare", lambda opts, before, open_early: SimpleNamespace(
        opts=opts, cfg=None, status=StatusLine(io.StringIO()), early=None))
    monkeypatch.setattr(run, "_open_input", lambda opts, cfg, say: SimpleNamespace(close=lambda: closed.append(1)))

    def refused(*args):
        raise OSError("address in use")

    monkeypatch.setattr(run, "_play", refused)
    with pytest.raises(OSError, match="address in use"):
        run.play(RunOptions())
    assert closed == [1]


@pytest.mark.parametrize("texts, line", [(["", "client 1", None], "client 1"), ([None, "", ""], "")])
def test_the_status_lines_end_has_no_empty_field(texts, line):
    from vcam.live.run import _extra_status

    inputs = SimpleNamespace(status=lambda: texts[0])
    extra = SimpleNamespace(describe=lambda: texts[1])
    status = _extra_status(inputs, extra, lambda: texts[2], None)
    assert status() == line


def test_a_replay_opens_no_osc_input_and_says_so():
    pytest.importorskip("pythonosc")
    from vcam.live.parts import make_osc_parts
    from vcam.live.settings import RunOptions

    said = []
    controller = SimpleNamespace(tempo=None)
    air = SimpleNamespace(pacer=SimpleNamespace(stats=SimpleNamespace(production_fps=None)))
    parts = make_osc_parts(RunOptions(osc="127.0.0.1:0", replay="show.jsonl"), None, controller, air, None,
                           said.append)
    assert parts == [] and said == ["--osc is not used while a control log is replayed (the log's commands are the "
                                    "show's)"]


def test_a_served_shows_midi_port_that_every_shell_takes_whole_is_named_whole_with_no_note():
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    midi_setup_read(RunOptions(show="show.yaml", serve=True), parse_show(SHOW_WITH_PORT, "show.yaml"), False,
                    said.append)
    [line] = said
    assert "run vcam cam … --midi launchpad --midi-map MAP (" in line
    assert "part of its name" not in line and "quoted" not in line


@pytest.mark.parametrize("port, value", [("-pads-", "-pads-"), ("-my pads", "-my pads"), ("-pads%1", "-pads")])
def test_a_served_shows_midi_port_starting_with_a_dash_is_offered_as_a_flag_vcam_cam_takes(port, value):
    """`vcam cam … --midi -pads-` was offered for a served show's port: refused by vcam cam, -pads- taken for an
    option."""
    import re
    import shlex

    from vcam.cmdline.parser import build_parser
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.settings import RunOptions

    said = []
    show = parse_show(SHOW_WITH_PORT.replace("port: launchpad", f"port: {json.dumps(port)}"), "show.yaml")
    midi_setup_read(RunOptions(show="show.yaml", serve=True), show, False, said.append)
    [line] = said
    flag = re.search(r"run vcam cam … (.*) --midi-map MAP \(", line).group(1)
    assert build_parser().parse_args(["cam", "ws://studio:8765", *shlex.split(flag)]).midi == value, line


def test_the_quantizer_of_a_show_measures_its_producers_blocks():
    """Changes on the beat land by the blocks measured: a quantizer that heard none puts every change at once."""
    from vcam.control.tempo import Tempo
    from vcam.live.parts import make_quantizer

    air = OnAir(AirSettings(outs=[], width=W, height=H, stdin=False), StatusLine(io.StringIO()))
    producer = SimpleNamespace(starting=[], listeners=[])
    quantizer = make_quantizer(air, producer, Tempo())
    assert producer.starting == [quantizer.block_started] and producer.listeners == [quantizer.block_made]


@pytest.mark.parametrize("busy", [True, False])
def test_run_returns_only_once_the_shows_threads_are_out_of_the_model_and_then_raises_why_it_never_went_on(
        monkeypatch, busy):
    """A caller in its own process (vcam serve, a script) may end as `run` returns: a thread still inside the
    model would abort the interpreter's exit."""
    from vcam.errors import VcamError
    from vcam.live import run
    from vcam.live.settings import RunOptions

    done = []
    monkeypatch.setattr(run, "play", lambda opts, attach=None: run.Ended(0, busy, lambda: done.append("settled")))
    assert run.run(RunOptions()) == 0 and done == (["settled"] if busy else [])
    gave_up = VcamError("the show never went on air", "try a smaller --size")
    monkeypatch.setattr(run, "play", lambda opts, attach=None: run.Ended(2, busy, lambda: done.append("settled"),
                                                                        gave_up))
    done.clear()
    with pytest.raises(VcamError) as raised:
        run.run(RunOptions())
    assert raised.value is gave_up and done == (["settled"] if busy else [])


def test_a_start_refused_as_its_osc_parts_are_made_leaves_no_prompt_encoder_and_the_older_log_whole(
        tmp_path, monkeypatch):
    """Refused after the control log opened and the prompt encoder's thread started (a bad --osc-map, a server
    off loopback without a token): the thread is stopped and the older log is kept as it was."""
    from vcam.errors import VcamError
    from vcam.live import run as run_module

    made = []

    class Kept(run_module.Prompter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    def refused(*args, **kwargs):
        raise VcamError("the OSC map does not fit this show", "correct the map")

    monkeypatch.setattr(run_module, "Prompter", Kept)
    monkeypatch.setattr(run_module, "make_osc_parts", refused)
    monkeypatch.chdir(tmp_path)
    older = '{"vcam": {}}\n' + '{"t": 0.0}\n' * 180
    (tmp_path / "log.jsonl").write_text(older)
    status = io.StringIO()
    try:
        with pytest.raises(VcamError, match="does not fit"):
            run_module.run(run_module.RunOptions(model="tiny", outs=["null"], log_controls="log.jsonl",
                                                 duration=0.5, stdin=False, status_out=status))
        assert len(made) == 1 and not made[0].alive
        assert f"nothing logged to {tmp_path / 'log.jsonl'} (the older log there is kept as it was)" in \
            status.getvalue()
        assert (tmp_path / "log.jsonl").read_text() == older
    finally:
        for prompter in made:
            prompter.stop(timeout=30)


def test_a_replay_reads_no_typed_commands(tmp_path, monkeypatch):
    """As its start says: the log's commands are the show's, a line typed meanwhile would make another."""
    import json

    from vcam.control import console
    from vcam.live.run import RunOptions, run

    started = []
    monkeypatch.setattr(console.Console, "start", lambda self: started.append(self))
    header = {"model": "tiny", "seed": 3, "prompts": {"a neon city at night": 1.0}, "steps": 4, "transition": 2,
              "size": [112, 64], "pin_first_latent": False, "input": "none", "input_fit": "crop", "strength": 0.6,
              "fps": 24.0, "quant": "none"}
    log = tmp_path / "show.jsonl"
    log.write_text(json.dumps({"vcam": header}) + "\n" + json.dumps({"end": {"blocks": 1}}) + "\n")
    status = io.StringIO()
    assert run(RunOptions(replay=str(log), outs=["null"], commands=io.BytesIO(b"seed 5\n"), status_out=status)) == 0
    assert started == [] and "typed commands are not read while a control log is replayed" in status.getvalue()


def test_media_folders_without_a_network_to_take_commands_from_are_said_to_be_unused(tmp_path):
    from vcam.live.run import RunOptions, _media

    said = []
    _media(RunOptions(media=[str(tmp_path)]), said.append)
    assert len(said) == 1 and said[0].startswith("--media is not used: it limits the files named by commands from")
    said.clear()
    _media(RunOptions(media=[str(tmp_path)], osc="9000"), said.append)  # a folder of its own: nothing to say
    assert said == []


def test_a_preset_whose_fallback_image_cannot_be_read_on_air_is_said_and_the_show_goes_on(tmp_path, monkeypatch):
    """Written over since the start (a half-copied file): the press says the image is not used, in one line, and the
    show ends well."""
    import cv2

    from vcam.live import fallbacks
    from vcam.live.frames import ImageError
    from vcam.live.run import RunOptions, run

    cv2.imwrite(str(tmp_path / "stall.png"), np.full((64, 112, 3), 90, np.uint8))  # read well as the show loads

    def unreadable(path, width, height, show=True):
        raise ImageError(f"{os.path.basename(path)} is not an image vcam can read", "convert it to PNG or JPEG")

    monkeypatch.setattr(fallbacks, "load_image", unreadable)  # from the start on
    show = tmp_path / "show.yaml"
    show.write_text("defaults: {seed: 3, transition: 2}\noutput: {size: 112x64}\npresets:\n"
                    "  - {name: city, prompt: a neon city at night}\n"
                    "  - {name: ocean, prompt: ocean waves at noon, fallback: stall.png}\n")
    status = io.StringIO()
    assert run(RunOptions(show=str(show), model="tiny", outs=["null"], duration=0.5,
                          commands=io.BytesIO(b"preset ocean\n"), status_out=status)) == 0
    said = status.getvalue()
    assert "vcam: fallback image not used: stall.png is not an image vcam can read; convert it" in said, said


def test_a_strength_with_an_input_is_taken_without_a_word():
    from vcam.live.run import RunOptions, _prepare

    status = io.StringIO()
    assert _prepare(RunOptions(outs=["null"], input="camera:0", strength=0.5, model="tiny",
                               status_out=status)).cfg.input == "camera:0"  # opened later, by the input switch
    assert "--strength" not in status.getvalue()


def test_smoothing_asked_with_an_output_here_is_kept_without_a_word():
    from vcam.live.run import RunOptions, _smoothing

    said = []
    assert _smoothing(RunOptions(smooth="fade"), SimpleNamespace(outs=("null",)), said.append) == "fade"
    assert said == []
    assert _smoothing(RunOptions(smooth="flow", serve=True), SimpleNamespace(outs=()), said.append) is None
    assert len(said) == 1 and said[0].startswith("--smooth flow is not used: no output here shows")


def test_a_show_size_the_model_does_not_play_at_is_said_at_the_start(tmp_path):
    from vcam.live.run import RunOptions, _prepare

    show = tmp_path / "show.yaml"
    show.write_text("output: {size: 224x128}\npresets:\n  - {name: city, prompt: a neon city at night}\n")
    status = io.StringIO()
    prepared = _prepare(RunOptions(show=str(show), model="tiny", outs=["null"], status_out=status))
    assert (prepared.cfg.width, prepared.cfg.height) == (112, 64)
    assert "vcam: the show asks for 224x128; this model plays at its own 112x64" in status.getvalue()


@pytest.mark.parametrize("midi", ["", None, "nano"])
def test_the_port_opened_as_vcam_starts_is_the_one_the_show_opens(midi, fake_midi_backend):
    """RunOptions(midi="") (a library's) opens no input, but the port opened as vcam started was the show's."""
    from vcam.control.show import parse_show
    from helpers import midi_setup_read
    from vcam.live.parts import midi_port_wanted
    from vcam.live.settings import RunOptions

    show = parse_show(SHOW_WITH_PORT, "show.yaml")
    opts = RunOptions(show="show.yaml", midi=midi)
    setup = midi_setup_read(opts, show, False, lambda line: None)
    assert midi_port_wanted(opts, show, False) == (setup[0] if setup is not None else None)


def test_the_map_the_port_opened_as_vcam_starts_keeps_messages_for_is_the_one_the_show_reads(fake_midi_backend,
                                                                                               tmp_path):
    from vcam.control.midimap import map_named
    from vcam.control.show import parse_show
    from helpers import early_midi_read, midi_setup_read
    from vcam.live.settings import RunOptions

    show = parse_show(SHOW_WITH_PORT, "show.yaml")
    for midi_map in (None, "midimix"):
        opts = RunOptions(show="show.yaml", midi_map=midi_map)
        port, mapping, _ = midi_setup_read(opts, show, False, lambda line: None)
        assert early_midi_read(opts, show, False) == (port, mapping)
    assert mapping == map_named("midimix")[1] != show.midi
    # a map that cannot be read refuses the show, saying why: nothing is opened before
    assert early_midi_read(RunOptions(show="show.yaml", midi_map=str(tmp_path / "missing.yaml")), show, False) is None
