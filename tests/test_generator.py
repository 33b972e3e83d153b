"""The generator thread keeps the show going through bad changes and failing blocks."""
import contextlib
import sys
import threading
import time

import numpy as np
import pytest
import torch

from helpers import wait_for
from vcam.control.actions import SetSeed, SetSteps
from vcam.live.producer import Generator, Timetable
from vcam.live.pacer import Pacer, PacerSettings


class FakeStream:
    device = torch.device("cpu")

    def __init__(self, fail_at=()):
        self.made = 0
        self.steps = 4
        self.fail_at = set(fail_at)
        self.resets = 0

    def next_block(self):
        self.made += 1
        if self.made in self.fail_at:
            raise RuntimeError("CUDA out of memory (pretend)")
        time.sleep(0.01)
        return np.full((12, 4, 4, 3), self.made % 256, np.uint8)

    def reset(self):
        self.resets += 1

    def fall_back_to_eager(self, e):
        return None  # never compiled

    def set_seed(self, seed):
        raise OSError("disk full while reading the noise table (pretend)")


def start(stream, log, before_start=lambda gen: None, clock=time.monotonic):
    """A generator on `stream`, running; `before_start(gen)` is called before its first block. Its stop waits for
    the generator's thread, so none is left making blocks in the next test."""
    pacer = Pacer(PacerSettings(fps=1000.0))  # a fast camera, so the generator is never held back
    stop = threading.Event()
    threading.Thread(target=pacer.run, args=(lambda f, tick: None, stop), daemon=True).start()
    gen = Generator(lambda report: stream, pacer, log.append, clock=clock)
    original_stop = gen.stop

    def stop_both(timeout=60.0):
        stopped = original_stop(timeout)
        stop.set()
        assert stopped, "the generator did not stop"

    gen.stop = stop_both
    before_start(gen)
    gen.start()
    return gen


def test_a_failing_control_is_reported_and_the_show_goes_on():
    log = []
    gen = start(FakeStream(), log)
    try:
        assert wait_for(lambda: gen.blocks >= 2, 60)

        gen.submit(SetSeed(3))  # this stream cannot take it
        before = gen.blocks
        assert wait_for(lambda: gen.blocks >= before + 3, 60)
        assert gen.state == "running" and any("control not applied" in m for m in log)
    finally:
        gen.stop()


def test_a_control_that_runs_out_of_gpu_memory_is_said_in_one_line(monkeypatch):
    """A prompt encoded on the card that ran out of memory printed PyTorch's whole paragraph on the status line."""
    from vcam.control.actions import SetPrompts

    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(1.5 * 2**30), 24 * 2**30))
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 22 * 2**30)  # the show's own

    class ShortOfMemory(FakeStream):
        device = torch.device("cuda")

        def set_prompt(self, prompt, transition=None):
            raise torch.cuda.OutOfMemoryError(OUT_OF_MEMORY)

    log = []
    gen = start(ShortOfMemory(), log)
    try:
        assert wait_for(lambda: gen.blocks >= 2, 60)
        gen.submit(SetPrompts({"a forest": 1.0}, 0))
        before = gen.blocks
        assert wait_for(lambda: gen.blocks >= before + 3, 60)
    finally:
        gen.stop()
    said = [m for m in log if m.startswith("control not applied")]
    assert said == ["control not applied: the GPU ran out of memory (tried to allocate 2.00 GiB; 22.5 of 24 GiB of "
                    "the card in use now)"], said


def test_a_listener_that_fails_is_reported_and_the_change_stays_applied():
    log, told = [], []
    stream = FakeStream()
    gen = start(stream, log)

    def full_disk(action, block, origin):
        raise OSError("disk full while logging")

    gen.on_applied(full_disk)
    gen.on_applied(lambda action, block, origin: told.append((action, origin)))
    try:
        gen.submit(SetSteps(2), origin="steps 2 from stdin")
        assert wait_for(lambda: told, 60)
        assert stream.steps == 2 and told == [(SetSteps(2), "steps 2 from stdin")]
        assert any("applied but not passed on" in m and "disk full" in m for m in log)
        assert gen.state == "running"
    finally:
        gen.stop()


def test_a_listener_that_breaks_at_every_change_is_said_once_with_where_not_for_each_change():
    """A listener that broke on a bug said "control applied but not passed on" for every change applied: a knob
    swept through a hundred values made a hundred lines. Said once now (counted after), with where it broke."""
    log, told = [], []
    stream = FakeStream()
    gen = start(stream, log, clock=lambda: 0.0)

    def broken(action, block, origin):
        raise TypeError("'NoneType' object is not callable")

    gen.on_applied(broken)
    gen.on_applied(lambda action, block, origin: told.append(action))
    try:
        for steps in range(1, 6):
            gen.submit(SetSteps(steps), origin=f"steps {steps} from midi")
        assert wait_for(lambda: len(told) == 5, 60)
    finally:
        gen.stop()
    untold = [m for m in log if "not passed on" in m]
    assert untold[0].startswith("control applied but not passed on (TypeError: 'NoneType' object is not callable "
                                "(at vcam/live/producer.py:"), untold
    assert len(untold) <= 2 and all("more like it" in m for m in untold[1:]), untold  # and the count at the end


def test_failing_blocks_are_retried_then_the_stream_starts_over(monkeypatch):
    import vcam.live.producer

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.01)  # the waits between tries, not 1 + 2 + 4 s
    log = []
    stream = FakeStream(fail_at={3, 4, 5})
    gen = start(stream, log, clock=lambda: 0.0)  # the three tries in the same instant: the same error said once
    try:
        assert wait_for(lambda: gen.blocks >= 4, 30)
    finally:
        gen.stop()
    assert stream.resets == 1 and "generation is back after 3 retries over 0.0 s" in log
    assert [m for m in log if "generation failed" in m] == [
        "generation failed (RuntimeError: CUDA out of memory (pretend)); holding the last frame, retry 1"]


def test_a_bug_making_a_block_is_said_with_the_line_it_broke_at_and_the_show_goes_on(monkeypatch):
    """A block that failed on a bug in vcam's own code was said as any failed block, with nothing to say where it
    broke; the retry goes on as for any failed block."""
    import vcam.live.producer

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.01)
    log, calls = [], []
    stream = FakeStream()
    made = stream.next_block

    def next_block():
        calls.append(1)
        if len(calls) == 3:
            raise AttributeError("'NoneType' object has no attribute 'shape'")
        return made()

    stream.next_block = next_block
    gen = start(stream, log, clock=lambda: 0.0)
    try:
        assert wait_for(lambda: gen.blocks >= 4, 30)
    finally:
        gen.stop()
    failed = [m for m in log if "generation failed" in m]
    assert len(failed) == 1 and failed[0].startswith(
        "generation failed (AttributeError: 'NoneType' object has no attribute 'shape' (at vcam/live/producer.py:")
    assert failed[0].endswith("a bug in vcam, please report this line)); holding the last frame, retry 1"), failed


def test_a_stream_started_over_after_failing_blocks_is_logged_as_a_reset_before_the_block_it_starts(monkeypatch):
    """The show's pictures start over there; a replay or a render of its log, whose blocks do not fail, went on
    from the old stream and made another show from that block on."""
    import io
    import json

    import vcam.live.producer
    from vcam.control.actions import Reset
    from vcam.control.log import ControlLog

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.01)
    stream, out = FakeStream(fail_at={3, 4, 5}), io.StringIO()  # the third block fails three times
    log = ControlLog(out, {})
    gen = start(stream, [])
    gen.on_applied(log.applied)
    try:
        assert wait_for(lambda: gen.blocks >= 4, 30)
    finally:
        gen.stop()
    assert stream.resets == 1
    logged = [json.loads(line) for line in out.getvalue().splitlines()[1:]]
    assert [(e["block"], e["command"], e["source"], e["apply"]) for e in logged] == [
        (2, "reset", "generator", Reset().to_dict())]


def test_a_lost_gpu_ends_the_show_with_one_message_instead_of_endless_retries(monkeypatch):
    import vcam.live.producer

    lost = RuntimeError("CUDA error: an illegal memory access was encountered (pretend)")
    monkeypatch.setattr(vcam.live.producer, "_device_lost", lambda stream, e: e is lost)
    stream = FakeStream()
    real_next_block = stream.next_block

    def next_block():
        if stream.made == 3:
            stream.made += 1
            raise lost
        return real_next_block()

    stream.next_block = next_block
    log = []
    gen = start(stream, log)
    try:
        assert wait_for(lambda: gen.state == "failed", 60)
        assert "cannot recover" in gen.error.message and "restart vcam" in gen.error.fix
        assert not any("generation failed" in m for m in log) and stream.resets == 0
    finally:
        gen.stop()


def _counted(op):
    def compare(self, other):
        CountedBlock.compared += 1
        return getattr(int, op)(self, other)
    return compare


class CountedBlock(int):
    """A block number that counts how often it is compared: the work a timetable does."""

    compared = 0
    __eq__, __lt__, __le__, __gt__, __ge__ = map(_counted, ("__eq__", "__lt__", "__le__", "__gt__", "__ge__"))
    __hash__ = int.__hash__


def test_a_long_replays_timetable_takes_each_block_its_own_changes_without_going_through_the_rest():
    # A replayed 4-hour log puts its whole show in the table at the start (every knob move is a change): each block
    # used to sort and copy all of it, tens of ms a block at 100 000 changes.
    table, n = Timetable(), 2000
    for i in reversed(range(n)):  # and in an order that needs sorting
        table.add(CountedBlock(i // 2), SetSeed(i))
        table.add(CountedBlock(i // 2), SetSteps(1 + i % 50))
    CountedBlock.compared = 0
    got = [table.due(block) for block in range(n // 2 + 1)]
    assert [[a.seed for a, _ in due if isinstance(a, SetSeed)] for due in got[:2]] == [[1, 0], [3, 2]]  # as added
    assert all(len(due) == 4 for due in got[:-1]) and got[-1] == [] and len(table) == 0
    assert CountedBlock.compared < 40 * 2 * n  # about log2(n) each: not n for every block


def test_controls_scheduled_for_a_block_apply_right_before_it():
    log, seen = [], []
    stream = FakeStream()

    def schedule(gen):  # before the first block: however late this thread runs, block 5 is still to come
        gen.on_applied(lambda action, block, origin: seen.append((block, stream.made)))
        gen.submit(SetSteps(2), at_block=5)

    gen = start(stream, log, schedule)
    try:
        assert wait_for(lambda: gen.blocks >= 7, 60)
        assert seen == [(5, 5)] and stream.steps == 2  # blocks 0-4 made, and before block 5
    finally:
        gen.stop()


def test_a_recompile_that_fails_on_air_goes_on_eager_instead_of_freezing():
    """Compiling is the default on a GPU; a shape met only on air recompiles, and where this machine cannot build
    kernels the show must go on, eager, rather than hold its last frame for good."""
    from dataclasses import replace

    import vcam

    def no_compiler(graph, example_inputs):
        raise RuntimeError("Failed to find C compiler")

    engine = vcam.load("tiny", progress=False)
    engine.model.compile_blocks(backend=no_compiler)
    engine.speed = replace(engine.speed, compile=True)
    stream = engine.stream("a lighthouse in a storm", seed=4)  # not warmed up: the first block compiles on air
    log = []
    gen = start(stream, log)
    try:
        assert wait_for(lambda: gen.blocks >= 2, 60)
        assert sum("compiling failed on this machine" in m for m in log) == 1
        assert not any("generation failed" in m for m in log) and engine.speed.compile is False
    finally:
        gen.stop()


def test_an_input_action_is_opened_by_the_generators_opener_and_set_on_the_stream():
    from vcam.control.actions import SetInput

    class InputStream(FakeStream):
        def __init__(self):
            super().__init__()
            self.inputs = []

        def set_input(self, source):
            self.inputs.append(source)

    log, stream, opened = [], InputStream(), []
    pacer = Pacer(PacerSettings(fps=1000.0))
    stop = threading.Event()
    threading.Thread(target=pacer.run, args=(lambda f, tick: None, stop), daemon=True).start()
    gen = Generator(lambda report: stream, pacer, log.append,
                    open_input=lambda spec: opened.append(spec) or f"source {spec}")
    gen.start()
    try:
        gen.submit(SetInput("camera:1"))
        assert wait_for(lambda: stream.inputs == ["source camera:1"], 60), log
        assert opened == ["camera:1"]
    finally:
        stopped = gen.stop(60)
        stop.set()
    assert stopped


# PyTorch's message, as a 24 GB card gives it: a paragraph that names none of vcam's options
OUT_OF_MEMORY = ("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.64 GiB of which "
                 "1.50 GiB is free. Including non-PyTorch memory, this process has 22.10 GiB memory in use. Of the "
                 "allocated memory 20.9 GiB is allocated by PyTorch, and 700.00 MiB is reserved by PyTorch but "
                 "unallocated. If reserved but unallocated memory is large try setting "
                 "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.")


def test_running_out_of_gpu_memory_on_air_says_what_to_do_and_frees_the_block_before_the_retry(monkeypatch):
    """The show holds its last frame through a block that ran out of memory, says in one line what ran out and, at
    the first retry, what to do about it; the failed block's tensors are gone and the allocator's cache handed
    back before the retry."""
    import weakref
    from types import SimpleNamespace

    import vcam.engine.device
    import vcam.engine.memory
    import vcam.live.producer
    from vcam.engine.memory import out_of_memory_fix

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.01)
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: None)  # an Ada card
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(1.5 * 2**30), 24 * 2**30))
    made_by_failed, freed = [], []
    monkeypatch.setattr(vcam.engine.device, "free_cached_memory",
                        lambda device: freed.append([ref() is None for ref in made_by_failed]))

    class ShortOfMemory(FakeStream):
        device = torch.device("cuda")
        engine = SimpleNamespace(speed=SimpleNamespace(quant="none"))

        def next_block(self):
            if self.made in (2, 3):
                self.made += 1
                activations = torch.empty(1024)
                made_by_failed.append(weakref.ref(activations))
                raise torch.cuda.OutOfMemoryError(OUT_OF_MEMORY)
            return super().next_block()

    log = []
    gen = start(ShortOfMemory(), log, clock=lambda: 0.0)
    try:
        assert wait_for(lambda: gen.blocks >= 4, 30)
    finally:
        gen.stop()
    failed = [m for m in log if m.startswith("generation")]  # the second try, a moment later, is not news
    assert len(failed) == 2 and failed[1].startswith("generation is back after 2 retries")
    assert "the GPU ran out of memory (tried to allocate 2.00 GiB; 22.5 of 24 GiB of the card in use" in failed[0]
    assert "expandable_segments" not in failed[0] and "holding the last frame, retry 1" in failed[0]
    fix = failed[0].split("if it goes on: ")[1]
    assert "close other programs" in fix and "nvidia-smi" in fix and "--size" in fix and "--quant fp8" in fix
    assert freed == [[True], [True, True]]
    assert "--quant fp8" not in out_of_memory_fix(torch.device("cuda"), "fp8")  # already in FP8


def test_a_failed_block_and_a_change_not_applied_say_their_error_in_the_same_words():
    from types import SimpleNamespace

    from vcam.live.producer import _failure, _failure_line, _with_error

    stream = SimpleNamespace(device=torch.device("cpu"), engine=SimpleNamespace(speed=SimpleNamespace(quant="none")))
    plain = _failure(RuntimeError("boom"))
    assert _with_error(stream, "control not applied", plain) == "control not applied (RuntimeError: boom)"
    assert _failure_line(stream, plain, 1) == "generation failed (RuntimeError: boom); holding the last frame, retry 1"
    short = _failure(torch.cuda.OutOfMemoryError(OUT_OF_MEMORY))
    said = "the GPU ran out of memory (tried to allocate 2.00 GiB)"  # a card whose use cannot be read
    assert _with_error(stream, "control not applied", short) == f"control not applied: {said}"
    assert _failure_line(stream, short, 2).startswith(f"generation failed: {said}; holding the last frame, retry 2; "
                                                      "if it goes on: close other programs")


def test_a_block_that_keeps_failing_is_said_once_then_summed_up_once_a_minute_until_generation_is_back(monkeypatch):
    """A show whose blocks keep failing printed a line at every retry, and another at every restart of the stream,
    which buried the rest of the operator's terminal. The first failure is said in full, the same error (its numbers
    aside) again at most once a minute with how many retries and for how long, a new error at once, restarts of the
    stream once, and the first block made after them in one line. The show goes on as before: every try is made,
    and the stream starts over at each from the third on."""
    import vcam.live.producer

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.0001)
    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_MAX_S", 0.001)
    now = [0.0]

    class Failing(FakeStream):
        """Each block takes 5 s on the show's clock; blocks 3 to 42 fail with a kernel's error, 43 and 44 with
        another, and the stream cannot be started over."""

        def next_block(self):
            now[0] += 5.0
            if 3 <= self.made + 1 <= 42:
                self.made += 1
                raise RuntimeError(f"CUDA error: unspecified launch failure at step {self.made}")
            if self.made + 1 in (43, 44):
                self.made += 1
                raise ValueError("bad shape")
            return super().next_block()

        def reset(self):
            super().reset()
            raise OSError("device busy")

    log, stream = [], Failing()
    gen = start(stream, log, clock=lambda: now[0])
    try:
        assert wait_for(lambda: gen.blocks >= 4, 60), log
    finally:
        gen.stop()
    assert stream.made >= 46 and stream.resets == 42 - 2  # every try made; a restart at each from the third
    assert log == [
        "generation failed (RuntimeError: CUDA error: unspecified launch failure at step 3); holding the last frame, "
        "retry 1",
        f"{vcam.live.producer.RESTART_LINE}",
        "could not restart the stream (OSError: device busy)",
        # retry 1 failed at 15 s, retry n at 10 + 5n s
        "generation still failing (RuntimeError: CUDA error: unspecified launch failure at step 15); 13 retries over "
        "1 min 00 s, holding the last frame",
        "generation still failing (RuntimeError: CUDA error: unspecified launch failure at step 27); 25 retries over "
        "2 min 00 s, holding the last frame",
        "generation still failing (RuntimeError: CUDA error: unspecified launch failure at step 39); 37 retries over "
        "3 min 00 s, holding the last frame",
        "generation failed (ValueError: bad shape); holding the last frame, retry 41",
        "generation is back after 42 retries over 3 min 30 s"]


def test_a_block_that_fails_now_and_then_is_said_at_most_once_a_minute(monkeypatch):
    """Every other block fails and is made on its retry, for 4 minutes of the show's clock: a failure and a recovery
    line each time were 96 lines; now the error is said once a minute with the failures that went unsaid."""
    import vcam.live.producer

    monkeypatch.setattr(vcam.live.producer, "RETRY_WAIT_S", 0.0001)
    now = [0.0]

    class Flaky(FakeStream):
        def next_block(self):
            now[0] += 2.5
            self.made += 1
            if self.made % 2 == 0 and self.made <= 96:
                raise RuntimeError(f"cuDNN error at step {self.made}")
            return np.full((12, 4, 4, 3), self.made % 256, np.uint8)

    log, stream = [], Flaky()
    gen = start(stream, log, clock=lambda: now[0])
    try:
        assert wait_for(lambda: stream.made > 98, 60), log
    finally:
        gen.stop()
    said = [line for line in log if "cuDNN" in line]
    assert said[0] == "generation failed (RuntimeError: cuDNN error at step 2); holding the last frame, retry 1"
    # a failure every 5 s: said at 5 s, then at the first one a minute or more after each line
    assert said[1:] == [f"generation failed (RuntimeError: cuDNN error at step {n}); holding the last frame, retry 1 "
                        "(and 11 more failed blocks since the last such line)" for n in (26, 50, 74)]
    assert log.count("generation is back after 1 retry over 2.5 s") == 4 and len(log) == 8


def test_failure_news_says_each_error_at_most_once_a_minute_across_recoveries():
    """A block failing now and then (fail, made on the retry, fail) printed a failure and a recovery line each time:
    two lines a block where a card runs at the edge of its memory. An error said in the last minute is counted, not
    said again, and its recovery neither; the next line a minute on tells how many went unsaid."""
    from vcam.live.producer import FailureNews, _how_long

    now = [100.0]
    news = FailureNews(lambda: now[0])
    boom, oom = ("RuntimeError", "boom", False), ("OutOfMemoryError", "Tried to allocate 2.00 GiB", True)
    assert news.recovered() is None  # nothing had failed
    assert news.failed(boom) == "new" and news.once("restart") and not news.once("restart")
    now[0] += 59.9
    assert news.failed(boom) is None
    assert news.failed(oom) == "new"  # another error: at once, and the minute counts from it
    now[0] += 59.9
    assert news.failed(("OutOfMemoryError", "Tried to allocate 4.00 GiB", True)) is None  # the same trouble
    now[0] += 0.1
    assert news.failed(boom) == "again" and news.retries == 5 and news.took_unsaid() == 2
    assert news.recovered() == "generation is back after 5 retries over 2 min 00 s"
    assert news.recovered() is None
    for _ in range(3):  # now and then, within the minute: counted, and no line either way
        now[0] += 10
        assert news.failed(boom) is None and news.once("restart")  # the lines said once go by runs of failures
        assert news.recovered() is None
    now[0] += 30.5
    assert news.failed(boom) == "new" and news.took_unsaid() == 3 and news.took_unsaid() == 0
    assert news.recovered() == "generation is back after 1 retry over 0.0 s"
    now[0] += 1
    assert news.failed(("ValueError", "bad shape", False)) == "new"  # an error not said before: at once
    assert [_how_long(s) for s in (0.43, 12.4, 125, 3725)] == ["0.4 s", "12 s", "2 min 05 s", "1 h 02 min"]


def test_failure_news_of_a_long_show_keeps_a_minute_of_errors_and_takes_addresses_for_numbers():
    """An error naming a device address ("illegal memory access at 0x7f3a…") was a new error at every address, said
    in full each time, and every error ever met was kept for the show's hours. Hex addresses count as numbers, and
    only the errors of the last minute are kept."""
    from vcam.live.producer import FailureNews

    now = [0.0]
    news = FailureNews(lambda: now[0])
    said = []
    for i in range(6 * 60):  # six hours of a block failing now and then, once a minute, at a new address each time
        now[0] += 61 if i % 2 else 20
        said.append(news.failed(("RuntimeError", f"illegal memory access at 0x{0x7f3a0000 + 977 * i:x}", False)))
        news.recovered()
        assert len(news.errors) <= 1
    assert said.count("new") <= 6 * 60 // 2 + 1 and None in said  # those within the minute are counted, not said
    now[0] += 1
    assert news.failed(("ValueError", "bad shape", False)) == "new" and len(news.errors) == 2


class HeldBlock(FakeStream):
    """A block that lasts until the test lets it end: a CPU's VAE decode, which nothing interrupts."""

    def __init__(self):
        super().__init__()
        self.inside = threading.Event()
        self.release = threading.Event()

    def next_block(self):
        self.inside.set()
        self.release.wait(120)
        return super().next_block()


@contextlib.contextmanager
def ending_inside(stream: HeldBlock, monkeypatch):
    """A show whose end is asked for while its producer is inside a held block; yields the generator and the thread
    that runs the end (with a wait for the producer longer than any test's), and lets the block go on leaving."""
    from vcam.live import model_feed

    monkeypatch.setattr(model_feed, "PRODUCER_STOP_S", 600.0)
    gen = Generator(lambda report: stream, Pacer(PacerSettings(fps=1000.0)), lambda line: None)
    feed = model_feed.ModelFeed(gen, lambda line: None, "on air", lambda: None, lambda: "live")
    gen.start()
    try:
        assert stream.inside.wait(60)
        stopping = threading.Thread(target=feed.stop, daemon=True)
        stopping.start()
        yield gen, stopping
    finally:
        stream.release.set()


def test_the_end_of_a_show_on_a_cpu_does_not_wait_for_the_block_in_progress(monkeypatch):
    """Its frames are thrown away: Ctrl-C of `vcam serve --model tiny` waited 2 s for them (the command line leaves
    without that block, live/run.py). A wait as long as the test's own shows that no wait is left at all."""
    with ending_inside(HeldBlock(), monkeypatch) as (gen, stopping):
        stopping.join(60)
        assert not stopping.is_alive(), "the end waited for the block in progress"
        assert not gen.stop(timeout=0)  # still inside the block: the command line leaves without it
    assert gen.stop(timeout=60)
    assert gen.blocks == 0  # the block made after the stop was not handed on


class HeldBlockOnACard(HeldBlock):
    device = torch.device("cuda")  # only its type is read: no card is needed


def test_the_end_of_a_show_on_a_gpu_still_waits_for_the_block_in_progress(monkeypatch):
    """A card's block ends within PRODUCER_STOP_S: the end waits for it, so the process ends without os._exit (its
    exit hooks run); only a CPU's block is left behind."""
    from vcam.live import model_feed

    with ending_inside(HeldBlockOnACard(), monkeypatch) as (gen, stopping):
        stopping.join(20 * model_feed.CPU_STOP_S)  # well past a CPU's wait
        assert stopping.is_alive(), "the end left a card's block in progress behind"
    stopping.join(60)
    assert not stopping.is_alive() and gen.stop(timeout=0)  # out of the model once the end returned
    assert gen.blocks == 0


def test_a_block_that_comes_out_nan_on_air_is_said_once_and_the_show_starts_over_instead_of_going_black(
        tiny_engine, monkeypatch):
    """A NaN block (FP8 or extreme settings on a real card) went on air black, and its latents, kept as context,
    made every later block black too, said nowhere, until vcam was restarted. Now the block is thrown away, the
    last frame held, the stream started over at once with the current prompt on the next seed (the same one would
    make the same blocks up to the same NaN, over and over), said in one line, and the seed and the restart logged
    before the block they start, so that a replay or render of the log makes the show's frames."""
    import io
    import json

    from vcam.control.actions import Reset, SetSeed
    from vcam.control.log import ControlLog

    real, attempts, freed = tiny_engine.model.forward, [], []
    monkeypatch.setattr(tiny_engine.model, "forward", lambda *a, **k: real(*a, **k) * (
        float("nan") if attempts == [0, 1, 2, 3] else 1.0))  # block 3's first try only
    # its memory is kept: handed back, the fresh first block would take it from the driver again, slower
    monkeypatch.setattr("vcam.engine.device.free_cached_memory", freed.append)
    stream = tiny_engine.stream("a red fox in the snow", seed=1)
    log, out, shown = [], io.StringIO(), []
    control_log = ControlLog(out, {})

    def before_start(gen):
        gen.starting.append(attempts.append)
        gen.listeners.append(shown.append)
        gen.on_applied(control_log.applied)

    gen = start(stream, log, before_start)
    try:
        assert wait_for(lambda: gen.blocks >= 6, 60), log
    finally:
        gen.stop()
    assert attempts[:5] == [0, 1, 2, 3, 3] and all(block.any() for block in shown)  # none black
    assert not freed
    nan_lines = [m for m in log if "NaN" in m]
    assert len(nan_lines) == 1 and "starts over from a fresh first block" in nan_lines[0], log
    assert nan_lines[0].endswith("with the current prompt and seed 2"), nan_lines
    assert "generation is back after 1 retry" in log[-1]
    logged = [json.loads(line) for line in out.getvalue().splitlines()[1:]]
    assert [(e["block"], e["command"], e["source"], e["apply"]) for e in logged] == [
        (3, "seed 2", "generator", SetSeed(2).to_dict()), (3, "reset", "generator", Reset().to_dict())]
    fresh = tiny_engine.stream("a red fox in the snow", seed=2)
    assert np.array_equal(shown[3], fresh.next_block()) and np.array_equal(shown[4], fresh.next_block())


def test_a_nan_block_in_fp8_names_the_precision_to_go_back_to():
    from types import SimpleNamespace

    from vcam.live.producer import _started_over_line

    def line(quant):
        return _started_over_line(SimpleNamespace(engine=SimpleNamespace(speed=SimpleNamespace(quant=quant))), "x", 5)

    assert line("fp8").endswith("seed 5; if it keeps happening, start again with --quant none (fp8 overflowed)")
    assert line("fp8").endswith("start again with --quant none (fp8 overflowed)") and "--quant" not in line("none")


def test_a_prompt_the_text_encoder_overflows_on_is_not_applied_and_the_show_stays_on_the_last(tiny_engine,
                                                                                                monkeypatch):
    """Its NaN embedding made every block NaN until the operator changed the prompt again; now the change is said
    as not applied and the blocks go on under the prompt before it."""
    from vcam.control.actions import SetPrompts

    real = tiny_engine.text.encode
    monkeypatch.setattr(tiny_engine.text, "encode", lambda text: real(text) * (float("nan") if "lava" in text else 1))
    stream = tiny_engine.stream("a red fox in the snow", seed=1)
    log = []
    gen = start(stream, log)
    try:
        assert wait_for(lambda: gen.blocks >= 2, 60)
        gen.submit(SetPrompts({"a lava flow": 1.0}, None))
        made = gen.blocks
        assert wait_for(lambda: gen.blocks >= made + 3, 60), log
    finally:
        gen.stop()
    assert [m for m in log if "NaN" in m] == [
        "control not applied (ValueError: the text encoder's output for this prompt is NaN or infinite (an overflow);"
        " try other words)"]


def test_a_first_prompt_the_text_encoder_overflows_on_refuses_the_start_in_one_line_with_the_fix(tiny_engine,
                                                                                                  monkeypatch):
    """A later prompt's NaN is a change not applied; the first prompt's was a plain ValueError out of the stream's
    start, said without a fix (with VCAM_DEBUG=1, a traceback)."""
    import pytest

    from vcam.errors import VcamError

    real = tiny_engine.text.encode
    monkeypatch.setattr(tiny_engine.text, "encode", lambda text: real(text) * (float("nan") if "lava" in text else 1))
    with pytest.raises(VcamError) as err:
        tiny_engine.stream({"a lava flow": 0.5, "a red fox in the snow": 0.5}, seed=1)
    assert err.value.message == ("the text encoder's output for the first prompt ('a lava flow' + 'a red fox in the "
                                 "snow') is NaN or infinite (an overflow), so the stream cannot start on it")
    # a Python caller is told no command line's option
    assert err.value.fix == "start the stream on other words" and "\n" not in err.value.message
    assert tiny_engine.stream("a red fox in the snow", seed=1) is not None  # other words start


def _failing_lava(tiny_engine, monkeypatch):
    real = tiny_engine.text.encode

    def encode(text):
        if "lava" in text:
            raise RuntimeError("CUBLAS_STATUS_EXECUTION_FAILED at 0x7f3a00 (pretend)")
        return real(text)

    monkeypatch.setattr(tiny_engine.text, "encode", encode)


def test_a_text_encoder_that_keeps_raising_is_said_once_then_once_a_minute_not_twice_for_each_prompt(tiny_engine,
                                                                                                     monkeypatch):
    """Each prompt change said two lines, the prompter's and the generator's, for as long as the encoder failed: a
    blend knob turned over a prompt it fails on buried everything else. Now each is said once, then counted."""
    from vcam.control.actions import Origin, SetPrompts
    from vcam.control.prompter import Prompter

    _failing_lava(tiny_engine, monkeypatch)
    now, log, applied = [0.0], [], []
    gen = start(tiny_engine.stream("a red fox in the snow", seed=1), log,
                before_start=lambda g: g.on_applied(lambda action, block, origin: applied.append(action)),
                clock=lambda: now[0])
    prompter = Prompter(gen, lambda: tiny_engine.text, log.append, clock=lambda: now[0])

    def turn(i):  # the knob's blend of the same two prompts, at another weight each time
        prompter.hand_over(SetPrompts({"a lava flow": i / 10, "a red fox in the snow": 1 - i / 10}, 0), None,
                           Origin(f"blend {i}", "midi"))
        prompter.hand_over(SetSeed(i))  # applied after the prompt change, which has failed by then
        assert wait_for(lambda: SetSeed(i) in applied, 60), log

    try:
        for i in range(1, 6):
            turn(i)
        said = [m for m in log if "pretend" in m]
        assert said == ["could not encode 'a lava flow' before handing it over: CUBLAS_STATUS_EXECUTION_FAILED at "
                        "0x7f3a00 (pretend)",
                        "control not applied (RuntimeError: CUBLAS_STATUS_EXECUTION_FAILED at 0x7f3a00 (pretend))"]
        now[0] = 60.0  # a minute on: the generator's held lines are counted at its next block
        assert wait_for(lambda: len([m for m in log if "pretend" in m]) == 3, 60), log
        turn(6)
    finally:
        prompter.stop(60)
        gen.stop()
    assert [m for m in log if "pretend" in m][2:] == [
        "4 more like it: control not applied (RuntimeError: CUBLAS_STATUS_EXECUTION_FAILED at 0x7f3a00 (pretend))",
        "could not encode 'a lava flow' before handing it over: CUBLAS_STATUS_EXECUTION_FAILED at 0x7f3a00 "
        "(pretend) (and 4 more like it)",
        "control not applied (RuntimeError: CUBLAS_STATUS_EXECUTION_FAILED at 0x7f3a00 (pretend))"]


def test_another_prompt_or_a_typed_change_that_fails_as_the_last_did_is_said_at_once(tiny_engine, monkeypatch):
    """Keyed by the error alone, a second prompt that failed as the first had (the same overflow, the same encoder
    error: text that names no prompt) was held back for a minute as one more like the first, and so was the same
    change typed again: its operator saw the show stay where it was without a word. The held ones are said at the
    end of the show."""
    from vcam.control.actions import Origin, SetPrompts
    from vcam.control.prompter import Prompter

    _failing_lava(tiny_engine, monkeypatch)
    log, applied = [], []
    gen = start(tiny_engine.stream("a red fox in the snow", seed=1), log,
                before_start=lambda g: g.on_applied(lambda action, block, origin: applied.append(action)),
                clock=lambda: 0.0)
    prompter = Prompter(gen, lambda: tiny_engine.text, log.append, clock=lambda: 0.0)

    def change(i, text, source):
        prompter.hand_over(SetPrompts({text: 1.0}, 0), None, Origin(f"prompt {text}", source))
        prompter.hand_over(SetSeed(i))
        assert wait_for(lambda: SetSeed(i) in applied, 60), log

    try:
        change(1, "a lava flow", "midi")
        change(2, "a lava lamp", "midi")  # another prompt, the same error
        change(3, "a lava lamp", "midi")  # the same again, by a pad: counted
        change(4, "a lava lamp", "stdin")  # typed: its operator waits for the outcome
        encodes = [m for m in log if m.startswith("could not encode")]
        refused = [m for m in log if m.startswith("control not applied")]
        assert [m.split("'")[1] for m in encodes] == ["a lava flow", "a lava lamp"]
        assert len(refused) == 3
    finally:
        prompter.stop(60)
        gen.stop()
    # the typed one told by the generator's line, the prompter's own is counted with the pad's
    assert [m.split(":")[0] for m in log if "more like it" in m] == ["2 more like it", "1 more like it"], log


def test_a_nan_block_on_air_does_not_start_the_same_blocks_over_up_to_the_same_nan(tiny_engine, monkeypatch):
    """With the seed and the prompt it had, a stream started over made the very blocks it made before, up to the
    very block that came out NaN: a show on one prompt looped those blocks for ever. Here, as an overflow does, the
    NaN comes each time block 3 is made from seed 1's noise."""
    from vcam.engine.stream import Stream

    real_make, seeded, nans = Stream._make_block, [], []

    def make_block(self):
        if self._pending_seed is not None:
            seeded.append(self._pending_seed)
        return real_make(self)

    monkeypatch.setattr(Stream, "_make_block", make_block)
    stream = tiny_engine.stream("a red fox in the snow", seed=1)
    real_forward = tiny_engine.model.forward

    def forward(*a, **k):
        out = real_forward(*a, **k)
        if seeded[-1] == 1 and stream.block_index == 3:
            nans.append(len(seeded))  # which start of the stream made it
            return out * float("nan")
        return out

    monkeypatch.setattr(tiny_engine.model, "forward", forward)
    log = []
    gen = start(stream, log)
    try:
        assert wait_for(lambda: gen.blocks >= 8, 60), log
    finally:
        gen.stop()
    assert seeded[:2] == [1, 2] and stream.settings.seed == 2 and set(nans) == {1}, (seeded, log)


def test_a_load_asked_to_stop_ends_before_its_first_step_unsaid_and_its_producer_ends_without_an_error(capsys):
    """A `quit` typed as a show started was answered "stopping", then the load went on with "building tiny (random
    weights)" (and the producer with it)."""
    import pytest

    import vcam
    from vcam.errors import LoadStopped

    with pytest.raises(LoadStopped):
        vcam.load("tiny", stopped=lambda: True)
    assert capsys.readouterr().err == ""
    reported = []
    gen = Generator(lambda report: vcam.load("tiny", report=reported.append, stopped=lambda: True),
                    Pacer(PacerSettings(fps=30.0)), reported.append)
    gen.start()
    assert gen.stop(timeout=60.0)
    assert gen.state == "stopped" and gen.error is None and reported == []


def test_a_load_without_stderr_says_nothing_and_builds(monkeypatch):
    """Used as a library where there is no stderr (pythonw, a service), a load's step lines went to a None stream:
    AttributeError, no model."""
    from vcam.engine.load import _logger

    monkeypatch.setattr(sys, "stderr", None)
    said = []
    _logger(True, said.append)("building tiny (random weights)")
    assert said == ["building tiny (random weights)"]


@pytest.mark.parametrize("term, start", [("xterm-256color", "\r\x1b[K"), ("dumb", "\r" + " " * 39 + "\r")])
def test_a_load_step_on_a_terminal_starts_on_a_wiped_row_not_after_the_status_line(monkeypatch, term, start):
    """The show's status line is rewritten in place with no line end: a step written after it ran on from its end,
    "LOADING | … | preset -vcam: loading VAE from …"."""
    import io
    import os

    from vcam.engine.load import _logger

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", term)
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((40, 12)))
    terminal = Terminal()
    terminal.fileno = lambda: 2
    monkeypatch.setattr(sys, "stderr", terminal)
    status = "\rLOADING | gen     - fps | out  30.0 fps"
    terminal.write(status)  # as the show's thread draws it
    _logger(True, None)("loading VAE from /w/vae (92.6 kB)")
    assert terminal.getvalue() == f"{status}{start}vcam: loading VAE from /w/vae (92.6 kB)\n"


@pytest.mark.parametrize("rows, start", [(12, ""), (0, "\r\x1b[K")])
def test_a_load_step_beside_a_pinned_status_line_leaves_what_is_typed_as_it_is(monkeypatch, rows, start):
    """Commands typed on the same terminal pin the status line to the last row: the cursor's row is then the one
    typed on, and wiping it erased what the operator was typing ('qu') while the console still read it. A terminal
    that gives no rows has no pinned line: its row is wiped as before."""
    import io
    import os

    from vcam.engine.load import _logger

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(os, "name", "posix")
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((40, rows)))
    terminal = Terminal()
    terminal.fileno = lambda: 2
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(sys, "stdin", Terminal())  # the keys are typed on the terminal the lines are shown on
    terminal.write("qu")  # the echo of what is typed so far
    _logger(True, None)("loading VAE from /w/vae (92.6 kB)")
    assert terminal.getvalue() == f"qu{start}vcam: loading VAE from /w/vae (92.6 kB)\n"
