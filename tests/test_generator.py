"""The generator thread keeps the show going through bad changes and failing blocks."""
import threading
import time

import numpy as np

from helpers import wait_for
from vcam.generator import Generator
from vcam.pacer import Pacer, PacerSettings


class FakeStream:
    def __init__(self, fail_at=()):
        self.made = 0
        self.fail_at = set(fail_at)
        self.resets = 0

    def next_block(self):
        self.made += 1
        if self.made in self.fail_at:
            raise RuntimeError("CUDA out of memory (pretend)")
        time.sleep(0.01)
        return np.zeros((12, 4, 4, 3), np.uint8)

    def reset(self):
        self.resets += 1


def start(stream, log):
    pacer = Pacer(PacerSettings(fps=1000.0))  # a fast camera, so the generator is never held back
    stop = threading.Event()
    threading.Thread(target=pacer.run, args=(lambda f: None, stop), daemon=True).start()
    gen = Generator(lambda report: stream, pacer, log.append)
    original_stop = gen.stop

    def stop_both(timeout=2.0):
        original_stop(timeout)
        stop.set()

    gen.stop = stop_both
    gen.start()
    return gen


def test_a_failing_control_is_reported_and_the_show_goes_on():
    log = []
    gen = start(FakeStream(), log)
    try:
        assert wait_for(lambda: gen.blocks >= 2, 10)

        def bad(stream, block):
            raise OSError("disk full while logging")

        gen.submit(bad)
        before = gen.blocks
        assert wait_for(lambda: gen.blocks >= before + 3, 10)
        assert gen.state == "running" and any("control not applied" in m for m in log)
    finally:
        gen.stop()


def test_failing_blocks_are_retried_then_the_stream_starts_over():
    log = []
    stream = FakeStream(fail_at={3, 4, 5})
    gen = start(stream, log)
    try:
        assert wait_for(lambda: gen.blocks >= 4, 30)
        assert stream.resets == 1 and any("generation resumed" in m for m in log)
        assert sum("generation failed" in m for m in log) == 3
    finally:
        gen.stop()


def test_controls_scheduled_for_a_block_apply_right_before_it():
    log, seen = [], []
    gen = start(FakeStream(), log)
    try:
        gen.submit(lambda s, block: seen.append(block), at_block=5)
        assert wait_for(lambda: gen.blocks >= 7, 10)
        assert seen == [5]
    finally:
        gen.stop()
