"""A local show's run as the operator meets it: what its start opens and in which order, what a Ctrl-C or a stop
does to what it opened, and the lines it chooses to say (vcam.live.run); then the generator thread, the heap's trim
and the flow smoother underneath it."""
import io
from types import SimpleNamespace

import pytest

from vcam.live.status import StatusLine


def _start_that_fails(monkeypatch, error: BaseException) -> list:
    """`play` whose start past the input's opening raises `error`; the list of the input's closes."""
    from vcam.live import run

    closed: list = []
    monkeypatch.setattr(run, "_prepare", lambda opts, before, open_early: SimpleNamespace(
        opts=opts, cfg=None, status=StatusLine(io.StringIO()), early=None))
    monkeypatch.setattr(run, "_open_input", lambda opts, cfg, say: SimpleNamespace(close=lambda: closed.append(1)))

    def fails(*args):
        raise error

    monkeypatch.setattr(run, "_play", fails)
    return closed


def test_a_ctrl_c_while_the_show_starts_lets_the_camera_go(monkeypatch):
    """A Ctrl-C before the show's own handlers are in place (the model loading) is a KeyboardInterrupt: the camera
    opened first is let go as for any failed start, so a caller in its own process (vcam serve, a script) finds it
    free again."""
    from vcam.live import run
    from vcam.live.settings import RunOptions

    closed = _start_that_fails(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run.play(RunOptions())
    assert closed == [1]


def test_the_start_holds_a_ctrl_c_while_it_imports_the_model_code(monkeypatch):
    """PyTorch's import (the first of the model's code) runs Python from C++, where a Ctrl-C aborted the process:
    the start holds a Ctrl-C for its length, and chooses the model only after it."""
    import contextlib

    import vcam.engine.load
    from vcam.live import run
    from vcam.live.settings import RunOptions

    events = []

    @contextlib.contextmanager
    def held(left):
        events.append("held")
        yield []  # no stop came
        events.append("let go")

    real = vcam.engine.load.choose_model
    monkeypatch.setattr(run, "stops_held", held)
    monkeypatch.setattr(vcam.engine.load, "choose_model", lambda *a, **kw: events.append("model") or real(*a, **kw))
    run._prepare(RunOptions(outs=["null"], model="tiny", status_out=io.StringIO()))
    assert events == ["held", "let go", "model"]


def test_the_heap_trim_asks_the_c_library_to_keep_no_padding(monkeypatch):
    """malloc_trim's argument is the memory kept at the top of the heap: 0 hands back every free page there."""
    from vcam.live import heap

    asked = []
    library = SimpleNamespace(malloc_trim=lambda pad: asked.append(pad) or 1)
    monkeypatch.setattr(heap.sys, "platform", "linux")
    monkeypatch.setattr(heap.ctypes, "CDLL", lambda name: library)
    trim = heap.malloc_trim()
    assert trim() == 1 and asked == [0]


def test_an_older_error_back_within_a_minute_of_another_failure_line_is_held_back_not_summed_up():
    """Blocks failing in a row with two errors by turns: a line about failed blocks said 20 s ago holds back the
    summary of the first error too, so the terminal gets at most one such line a minute."""
    from vcam.live.producer import FailureNews

    now = [0.0]
    news = FailureNews(lambda: now[0])
    boom, shape = ("RuntimeError", "boom", False), ("ValueError", "bad shape", False)
    assert news.failed(boom) == "new"
    now[0] = 50.0
    assert news.failed(shape) == "new"
    now[0] = 70.0
    assert news.failed(boom) is None  # its own line is 70 s old, the last line 20 s
    now[0] = 111.0
    assert news.failed(boom) == "again" and news.took_unsaid() == 1


@pytest.mark.parametrize("seconds, said", [(9.96, "10.0 s"), (10, "10 s"), (59.6, "1 min 00 s"), (3600, "1 h 00 min")])
def test_a_stretch_of_time_is_said_in_tenths_below_ten_seconds_and_in_whole_units_from_there(seconds, said):
    from vcam.live.producer import _how_long

    assert _how_long(seconds) == said


class _FullPacer:
    """Stands in for the pacer: says it is full the first `full_for` times it is asked, and writes down each
    question and each block handed to it."""

    def __init__(self, full_for: int):
        self.full_for, self.events = full_for, []

    def full(self) -> bool:
        full = self.full_for > 0
        self.full_for -= 1
        self.events.append(f"full {full}")
        return full

    def push(self, frames, block) -> None:
        self.events.append(f"push {block}")

    def waiting(self) -> float:
        return 0.0


def test_the_generator_makes_no_block_while_the_pacer_is_full():
    """A model faster than the camera (tiny on a CPU, small frames) waits for room: a block made into a full pacer
    would push out frames not yet played."""
    from helpers import wait_for
    from test_generator import FakeStream
    from vcam.live.producer import Generator

    pacer = _FullPacer(full_for=3)
    gen = Generator(lambda report: FakeStream(), pacer, lambda line: None)
    gen.start()
    try:
        assert wait_for(lambda: gen.blocks >= 1, 60)
    finally:
        assert gen.stop(timeout=60)
    assert pacer.events[:5] == ["full True", "full True", "full True", "full False", "push 0"]


def test_a_stream_gone_eager_on_air_is_logged_as_a_reset_before_the_block_it_starts():
    """Going on eager after a recompile failed starts the stream over: the control log has it as a reset there, or
    a replay or a render of the log, which never fails that way, goes on from the old stream and makes another show."""
    from helpers import wait_for
    from test_generator import FakeStream, start
    from vcam.control.actions import Reset

    class CompileFailsOnce(FakeStream):
        def fall_back_to_eager(self, e):
            return "compiling failed on this machine: going on eager (pretend)"

    stream, log, told = CompileFailsOnce(fail_at={3}), [], []
    gen = start(stream, log, lambda g: g.on_applied(lambda action, block, origin: told.append(
        (type(action), block, origin.source))))
    try:
        assert wait_for(lambda: gen.blocks >= 4, 60)
    finally:
        gen.stop()
    assert told == [(Reset, 2, "generator")] and log == ["compiling failed on this machine: going on eager (pretend)"]


def test_failed_blocks_a_summary_counted_are_not_counted_again_by_the_next_failure_line(monkeypatch):
    """Blocks failing for a minute are summed up with their retries; a failure minutes after generation came back
    is said alone, not as following failed blocks that the summary already told of."""
    import numpy as np

    import vcam.live.producer
    from helpers import wait_for
    from test_generator import FakeStream, start

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.0001)
    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_MAX_S", 0.001)
    now = [0.0]

    class FailsTwice(FakeStream):
        """Block k is made at 5k s on the show's clock; blocks 2 to 14 fail, and block 40."""

        def next_block(self):
            now[0] += 5.0
            self.made += 1
            if 2 <= self.made <= 14 or self.made == 40:
                raise RuntimeError("boom")
            return np.full((12, 4, 4, 3), self.made % 256, np.uint8)

    log, stream = [], FailsTwice()
    gen = start(stream, log, clock=lambda: now[0])
    try:
        assert wait_for(lambda: stream.made > 41, 60), log
    finally:
        gen.stop()
    failed = [line for line in log if "boom" in line]
    assert failed == ["generation failed (RuntimeError: boom); holding the last frame, retry 1",
                      "generation still failing (RuntimeError: boom); 13 retries over 1 min 00 s, holding the last "
                      "frame",
                      "generation failed (RuntimeError: boom); holding the last frame, retry 1"], log


def test_a_nan_blocks_first_retry_starts_over_at_once_without_the_failed_blocks_wait(tiny_engine, monkeypatch):
    """The stream starts over from fresh noise on the next seed: nothing is gained by waiting, and the camera holds
    its last frame the while. (Waits made long here: one taken would outlast the test's own.)"""
    import vcam.live.producer
    from helpers import wait_for
    from test_generator import start

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 1000.0)
    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_MAX_S", 1000.0)
    real, attempts = tiny_engine.model.forward, []
    monkeypatch.setattr(tiny_engine.model, "forward", lambda *a, **k: real(*a, **k) * (
        float("nan") if attempts == [0, 1] else 1.0))  # block 1's first try only
    monkeypatch.setattr("vcam.engine.device.free_cached_memory", lambda device: None)
    log = []
    gen = start(tiny_engine.stream("a red fox in the snow", seed=1), log, lambda g: g.starting.append(attempts.append))
    try:
        assert wait_for(lambda: gen.blocks >= 3, 60), log
    finally:
        gen.stop()
    assert attempts[:3] == [0, 1, 1] and sum("NaN" in line for line in log) == 1


@pytest.mark.usefixtures("shared_tiny")
def test_a_preset_without_a_fallback_goes_back_to_the_one_the_command_line_gives(tmp_path, monkeypatch):
    """`--fallback stall.png` with a show whose presets name none: a preset pressed keeps the command line's image
    for the stalls to come, not the last frame."""
    import cv2
    import numpy as np

    from helpers import TINY_SHOW
    from vcam.live.pacer import Pacer
    from vcam.live.run import RunOptions, run

    cv2.imwrite(str(tmp_path / "stall.png"), np.full((64, 112, 3), 90, np.uint8))
    show = tmp_path / "show.yaml"
    show.write_text(TINY_SHOW)
    shown, real = [], Pacer.set_fallback
    monkeypatch.setattr(Pacer, "set_fallback", lambda self, frame: shown.append(frame is not None) or real(self, frame))
    status = io.StringIO()
    assert run(RunOptions(show=str(show), model="tiny", outs=["null"], duration=0.5,
                          fallback=str(tmp_path / "stall.png"), commands=io.BytesIO(b"preset ocean\n"),
                          status_out=status)) == 0, status.getvalue()
    assert shown and all(shown), status.getvalue()


@pytest.mark.usefixtures("shared_tiny")
def test_a_midi_port_the_show_file_names_is_waited_for_naming_the_show_file(tmp_path, fake_midi_backend):
    """The port is not plugged in: the line says where its name came from, so the operator knows which file to
    correct for a typo."""
    from helpers import TINY_SHOW
    from vcam.live.run import RunOptions, run

    show = tmp_path / "show.yaml"
    show.write_text(TINY_SHOW + "midi: {port: launchpad, map: nanokontrol2}\n")
    status = io.StringIO()
    assert run(RunOptions(show=str(show), model="tiny", outs=["null"], duration=0.5, stdin=False,
                          status_out=status)) == 0
    assert f"waiting for MIDI input 'launchpad' (the midi: port of {show}; inputs now: " in status.getvalue()


def test_a_stream_that_could_not_start_over_logs_no_reset(monkeypatch):
    """The stream went on from where it was: a reset in the control log would make its replay or render start over
    there, and show other pictures than the show did."""
    import vcam.live.producer
    from helpers import wait_for
    from test_generator import FakeStream, start

    class Stuck(FakeStream):
        def reset(self):
            super().reset()
            raise OSError("device busy")

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.0001)
    stream, log, told = Stuck(fail_at={3, 4, 5}), [], []
    gen = start(stream, log, lambda g: g.on_applied(lambda action, block, origin: told.append(action)))
    try:
        assert wait_for(lambda: gen.blocks >= 4, 60), log
    finally:
        gen.stop()
    assert stream.resets == 1 and told == [] and "could not restart the stream (OSError: device busy)" in log


def test_flow_failures_of_many_kinds_are_said_for_the_first_three_kinds_only(capsys):
    """Each new kind of failed flow is said on air, up to three: a flow breaking a new way at every pair must not
    flood the terminal in turn."""
    from test_flow import _flow_pairs

    kinds = [ValueError, TypeError, KeyError, IndexError, ZeroDivisionError, LookupError]
    calls = []

    def failing(x, y):
        calls.append(1)
        raise kinds[min(len(calls), len(kinds)) - 1](f"pair {len(calls)}")

    smoother = _flow_pairs(failing, 6)
    assert smoother.stats.failed >= 6
    err = [line for line in capsys.readouterr().err.splitlines() if "could not be flowed" in line]
    assert [line.split("(")[1].split(":")[0] for line in err] == ["ValueError", "TypeError", "KeyError"], err


def _three_blocks(gen) -> None:
    """Runs `gen` until it has made three blocks, then stops it."""
    from helpers import wait_for

    gen.start()
    try:
        assert wait_for(lambda: gen.blocks >= 3, 60)
    finally:
        assert gen.stop(timeout=60)


def _inputs_generator(busy: list, log=None):
    """A generator on a stream that writes down each input set on it, and an opener that finds the inputs `busy`
    busy once (each is taken off the list as it is refused) and the files named `gone*` missing; `log` gets what it
    says."""
    from test_generator import FakeStream
    from vcam.control.actions import InputBusy
    from vcam.live.producer import Generator

    class InputStream(FakeStream):
        def __init__(self):
            super().__init__()
            self.inputs = []

        def set_input(self, source):
            self.inputs.append(source)

    def opener(spec):
        if spec.startswith("gone"):
            raise OSError("no such file")
        if spec in busy:
            busy.remove(spec)  # free from the next block on
            raise InputBusy(spec)
        return f"source {spec}"

    stream = InputStream()
    say = log.append if log is not None else (lambda line: None)
    return Generator(lambda report: stream, _FullPacer(full_for=0), say, open_input=opener), stream


def test_an_input_held_back_by_a_busy_opener_is_dropped_for_a_later_one_of_the_same_block():
    """Two inputs typed within a block, the first busy (a command checking that camera): the later one goes on air
    and stays there; the older one is not put on after it once its camera is free."""
    from vcam.control.actions import SetInput

    busy = ["camera:1"]
    gen, stream = _inputs_generator(busy)
    gen.submit(SetInput("camera:1"))
    gen.submit(SetInput("clip.mp4"))
    _three_blocks(gen)
    assert stream.inputs == ["source clip.mp4"] and not busy


def test_an_input_whose_opener_is_busy_goes_on_air_at_a_later_block():
    """A camera being checked by a command is not waited for: the input on air stays a block longer, and the
    change is tried again, not dropped."""
    from helpers import wait_for
    from vcam.control.actions import SetInput

    busy = ["camera:1"]
    gen, stream = _inputs_generator(busy)
    gen.submit(SetInput("camera:1"))
    gen.start()
    try:
        assert wait_for(lambda: stream.inputs == ["source camera:1"], 60), stream.inputs
    finally:
        assert gen.stop(timeout=60)
    assert not busy and gen.submitted >= 2


@pytest.mark.usefixtures("shared_tiny")
def test_the_status_line_of_a_show_with_cues_says_where_its_cue_list_stands(tmp_path, monkeypatch):
    from helpers import TINY_SHOW
    from vcam.live import run as run_module

    feeds, real = [], run_module.ModelFeed

    def feed(*args, **kwargs):
        feeds.append(real(*args, **kwargs))
        return feeds[-1]

    monkeypatch.setattr(run_module, "ModelFeed", feed)
    show = tmp_path / "show.yaml"
    show.write_text(TINY_SHOW + "cues:\n  - {name: open, do: preset ocean}\n  - {name: woods, do: preset forest}\n")
    status = io.StringIO()
    assert run_module.run(run_module.RunOptions(show=str(show), model="tiny", outs=["null"], duration=0.5,
                                                stdin=False, status_out=status)) == 0, status.getvalue()
    [made] = feeds
    assert made.extra_status().endswith("cue 0/2 next 'open'")


def test_a_change_for_now_applies_after_one_scheduled_for_the_same_block():
    """A change landing on the beat (or a replay's) and one typed for the next block meet before the same block:
    the typed one, the later, is the one that stays."""
    from helpers import wait_for
    from test_generator import FakeStream, start
    from vcam.control.actions import SetSteps

    stream, told = FakeStream(), []

    def before(gen):
        gen.on_applied(lambda action, block, origin: told.append((action.steps, block)))
        gen.submit(SetSteps(2), at_block=0)
        gen.submit(SetSteps(3))

    gen = start(stream, [], before)
    try:
        assert wait_for(lambda: gen.blocks >= 1, 60)
    finally:
        gen.stop()
    assert told == [(2, 0), (3, 0)] and stream.steps == 3


def test_an_input_held_back_is_not_opened_once_a_later_input_came_in_meanwhile():
    """The camera held back is free by the next block, when another input has come: only the later one is opened,
    not the older one for an instant before it."""
    from vcam.control.actions import SetInput

    busy = ["camera:1"]
    gen, stream = _inputs_generator(busy)
    gen.submit(SetInput("camera:1"))
    gen.starting.append(lambda block: block == 1 and gen.submit(SetInput("clip.mp4")))
    _three_blocks(gen)
    assert stream.inputs == ["source clip.mp4"] and not busy


def test_a_shows_control_log_reads_the_frame_on_screen_from_the_pacer_and_replaces_the_older_log_on_air():
    """A tempo's move is logged against the frame the camera shows (the pacer's), its first frame places a grid
    logged while loading, and the show's first block replaces the older log the file held."""
    from vcam.live.run import RunOptions, _control_log

    shown, producer = [], SimpleNamespace(listeners=[])
    pacer = SimpleNamespace(showing=lambda: "frame 7", on_frame_shown=shown.append)
    prep = SimpleNamespace(cfg=SimpleNamespace(log_header=lambda model, show: {"model": model}), model="tiny",
                           speed=SimpleNamespace(options=SimpleNamespace(quant="none")),
                           status=StatusLine(io.StringIO()))
    out = io.StringIO('{"vcam": {"model": "older"}}\n')
    log = _control_log(SimpleNamespace(out=out, older=out.getvalue()), RunOptions(), prep, pacer, producer)
    assert log.on_screen() == "frame 7" and shown == [log.frame_shown]
    assert "older" in out.getvalue()
    for listener in producer.listeners:
        listener(None)
    assert "older" not in out.getvalue() and '"model": "tiny"' in out.getvalue()


def test_a_change_not_applied_is_told_to_those_listening_for_it():
    """vcam serve's clients hear a change of theirs that failed on their own screen, where only this terminal said
    it."""
    from helpers import wait_for
    from test_generator import FakeStream, start
    from vcam.control.actions import SetSeed

    told = []

    def before(gen):
        gen.on_not_applied(lambda action, origin, line, key: told.append((action, line)))
        gen.submit(SetSeed(5))

    gen = start(FakeStream(), [], before)  # its seed cannot be set: the noise table cannot be read
    try:
        assert wait_for(lambda: gen.blocks >= 1, 60)
    finally:
        gen.stop()
    assert told == [(SetSeed(5), "control not applied (OSError: disk full while reading the noise table (pretend))")]


def test_a_replay_of_a_log_naming_no_model_says_which_model_makes_it(tmp_path):
    import json

    from vcam.live.run import RunOptions, _prepare

    header = {"seed": 3, "prompts": {"a neon city at night": 1.0}, "steps": 4, "transition": 2, "size": [112, 64],
              "input": "none", "fps": 24.0, "quant": "none"}
    log = tmp_path / "show.jsonl"
    log.write_text(json.dumps({"vcam": header}) + "\n" + json.dumps({"end": {"blocks": 1}}) + "\n")
    status = io.StringIO()
    prepared = _prepare(RunOptions(replay=str(log), outs=["null"], status_out=status))
    assert (f"{log} does not name the model the show ran (an older log): replaying with {prepared.model}, this "
            "machine's default (--model sets it)") in status.getvalue()


@pytest.mark.usefixtures("shared_tiny")
def test_the_card_on_the_camera_while_the_model_loads_names_the_model(monkeypatch):
    from vcam.live import run as run_module

    cards, real = [], run_module.AirSettings
    monkeypatch.setattr(run_module, "AirSettings", lambda **kw: cards.append(kw["card"]) or real(**kw))
    assert run_module.run(run_module.RunOptions(model="tiny", outs=["null"], duration=0.2, stdin=False,
                                                status_out=io.StringIO())) == 0
    assert cards == ["loading tiny..."]


def test_the_seed_after_a_nan_block_is_the_next_one_and_wraps_only_past_the_largest():
    from vcam.control.commands import MAX_SEED
    from vcam.live.producer import seed_after_non_finite

    assert [seed_after_non_finite(s) for s in (1, MAX_SEED - 1, MAX_SEED)] == [2, MAX_SEED, 0]


def test_two_inputs_that_fail_alike_are_each_said_for_the_file_they_name():
    """Another file failing with the same error is news (a second clip also missing), not one more of the first."""
    from helpers import wait_for
    from vcam.control.actions import SetInput

    log = []
    gen, stream = _inputs_generator([], log)
    gen.submit(SetInput("gone-a.mp4"))
    gen.submit(SetInput("gone-b.mp4"))
    gen.start()
    try:
        assert wait_for(lambda: gen.blocks >= 1, 60)
    finally:
        assert gen.stop(timeout=60)
    assert log == ["control not applied (OSError: no such file)"] * 2


def test_the_frames_waiting_are_the_pacers():
    """What a replay's end waits on: its last block pushed is played before the show ends."""
    from vcam.live.producer import Generator

    pacer = _FullPacer(full_for=0)
    pacer.waiting = lambda: 12.0
    assert Generator(lambda report: None, pacer, lambda line: None).waiting() == 12.0


def test_the_generator_is_failing_from_its_first_failed_block(monkeypatch):
    """A show that never went on air because its blocks fail says so, not that the machine is slow: the first
    failure counts."""
    import vcam.live.producer
    from helpers import wait_for
    from test_generator import FakeStream, start

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 1000.0)  # the retry waits past the test
    gen = start(FakeStream(fail_at={1}), [])
    try:
        assert wait_for(lambda: gen.failing, 60) and gen.submitted == 0
    finally:
        gen.stop()


def test_a_flow_estimated_on_shrunk_frames_comes_back_at_the_frames_size_and_in_their_pixels():
    """`scale` below 1 (a slow CPU) estimates the motion on smaller frames: the flows still cover every pixel of
    the frames, and a move of 6 pixels reads as 6, not as the 3 it is on the half-size frames."""
    import numpy as np

    from test_flow import H, W, blob
    from vcam.live.interp import DisFlow, FlowSettings

    forward, backward = DisFlow(FlowSettings(scale=0.5))(blob(0), blob(6))
    assert forward.shape == backward.shape == (H, W, 2)
    centre = forward[50:70, 70:90].reshape(-1, 2).mean(axis=0)  # where the blob is
    assert np.allclose(centre, [6, 3], atol=1.5), centre


def test_the_cost_of_an_in_between_frame_is_a_running_mean():
    """As the flows' cost is: one slow warp (a loaded moment) moves it a tenth of the way, so the next pairs still
    get their in-between frames."""
    from test_flow import WAIT_S, blob, still
    from vcam.live.interp import MAX_PHASES, FlowSmoother

    # each pair's start, its flows done, its warps done: 7 warps in 4 ms, then in 14 ms
    times = iter([0.0, 0.010, 0.014, 1.0, 1.010, 1.024])
    smoother = FlowSmoother(flow=still, clock=lambda: next(times))
    made = [blob(i) for i in range(3)]
    try:
        for x, y in zip(made, made[1:]):
            smoother.arrived(x, y, ticks=30.0)  # a second on screen: every in-between frame made
        assert smoother.wait_idle(WAIT_S) and smoother.stats.pairs == 2
        assert smoother.stats.frame_ms == pytest.approx(0.9 * 4.0 / MAX_PHASES + 0.1 * 14.0 / MAX_PHASES)
    finally:
        smoother.close()


def test_closing_the_flow_smoother_ends_its_worker_at_once():
    """The worker waits for pairs; closing wakes it to leave, rather than the close waiting for it in vain and
    leaving it behind."""
    import threading

    from test_flow import WAIT_S, blob, still
    from vcam.live.interp import FlowSmoother

    before = set(threading.enumerate())
    smoother = FlowSmoother(flow=still)
    smoother.arrived(blob(0), blob(1), ticks=30.0)
    assert smoother.wait_idle(WAIT_S)
    workers = [t for t in threading.enumerate() if t.name == "flow" and t not in before]
    smoother.close()
    assert workers and not any(t.is_alive() for t in workers)


def _ended_after(monkeypatch, stopped_by, reached_air: bool, code: int = 0, outs=("file:show.mp4",)):
    """`_on_air` around a show whose run returned `code`, stopped by the signal `stopped_by` (None: it ended
    otherwise), on air or not, with the outputs `outs`; what it returns and what it said."""
    from vcam.live import run
    from vcam.outspec import parse_spec

    said: list[str] = []
    air = SimpleNamespace(run=lambda *args: code, stopped_by=stopped_by, reached_air=reached_air, left_at_once=False,
                          status=SimpleNamespace(message=said.append),
                          settings=SimpleNamespace(outs=[parse_spec(out) for out in outs]))
    producer = SimpleNamespace(stop=lambda timeout=None: True, handed_on=lambda: 0)
    prompter = SimpleNamespace(alive=False, stop=lambda timeout=None: None)
    inputs = SimpleNamespace(close=lambda: None)
    controller = SimpleNamespace(handle_line=None)
    ended = run._on_air(air, None, controller, SimpleNamespace(state=None), [], producer, prompter, None, inputs)
    return ended, said


def test_a_ctrl_c_while_the_model_loads_ends_with_the_interrupted_code_and_says_nothing_was_recorded(monkeypatch):
    """Stopped before anything went on air: exit code 130 and one line saying so, where it exited 0 as for a show
    played and stopped."""
    import signal

    ended, said = _ended_after(monkeypatch, signal.SIGINT, reached_air=False)
    assert ended.code == 130
    assert said == ["loading stopped (Ctrl-C): the show never went on air, so nothing of it was recorded; exit code "
                    "130"]


def test_a_service_stop_while_the_model_loads_is_said_and_keeps_the_shows_code(monkeypatch):
    import signal

    ended, said = _ended_after(monkeypatch, signal.SIGTERM, reached_air=False)
    assert ended.code == 0
    assert said == ["loading stopped (SIGTERM): the show never went on air, so nothing of it was recorded"]


@pytest.mark.parametrize("outs", [(), ("vcam",), ("vcam", "null")])
def test_a_stop_while_the_model_loads_says_nothing_of_a_recording_where_no_file_was_to_be_made(monkeypatch, outs):
    """vcam serve with no --out, or a camera alone: there was never a recording to make, and the line said there
    was none."""
    import signal

    ended, said = _ended_after(monkeypatch, signal.SIGINT, reached_air=False, outs=outs)
    assert ended.code == 130 and said == ["loading stopped (Ctrl-C): the show never went on air; exit code 130"]
    ended, said = _ended_after(monkeypatch, signal.SIGTERM, reached_air=False, outs=outs)
    assert ended.code == 0 and said == ["loading stopped (SIGTERM): the show never went on air"]


def test_a_stop_while_the_model_loads_says_nothing_was_recorded_where_one_file_of_several_was_to_be_made(monkeypatch):
    import signal

    ended, said = _ended_after(monkeypatch, signal.SIGTERM, reached_air=False, outs=("vcam", "file:a.mp4"))
    assert said == ["loading stopped (SIGTERM): the show never went on air, so nothing of it was recorded"]


@pytest.mark.parametrize("stopped_by, reached_air, code", [(2, True, 0), (None, False, 0), (2, False, 1)])
def test_a_show_stopped_on_air_or_ended_otherwise_keeps_its_code_and_says_nothing_of_loading(monkeypatch, stopped_by,
                                                                                             reached_air, code):
    """Ctrl-C on air, `quit` while loading, or an output that failed (exit 1): no loading line, the code as it was."""
    ended, said = _ended_after(monkeypatch, stopped_by, reached_air, code)
    assert ended.code == code and said == []
