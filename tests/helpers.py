"""Small tools shared by the tests that drive a running show."""
from __future__ import annotations

import os
import threading
import time


class Pipe:
    """Typed commands for an in-process run or client (the read end stands in for stdin)."""

    def __init__(self):
        r, w = os.pipe()
        self.reader, self.writer = os.fdopen(r, "rb"), os.fdopen(w, "wb")

    def send(self, line: str) -> None:
        self.writer.write((line + "\n").encode())
        self.writer.flush()


def in_thread(fn, *args):
    """Runs fn(*args) in a thread; returns the thread and a list that collects its exception, if any."""
    errors: list[Exception] = []

    def target():
        try:
            fn(*args)
        except Exception as e:  # surfaced by the test
            errors.append(e)

    t = threading.Thread(target=target)
    t.start()
    return t, errors


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def assert_steady_rate(times, fps: float) -> None:
    """Frames arrived at `fps`: the typical interval within 5 %, and the whole span within 20 %. A machine busy
    elsewhere may hold the pacer up past half a second once, which it skips rather than bursts; the median shows
    the rate it keeps, the span that it kept it nearly throughout."""
    import numpy as np

    times = np.asarray(times)
    assert len(times) > 10
    typical = float(np.median(np.diff(times)))
    assert abs(typical * fps - 1.0) < 0.05, f"typical interval {typical * 1000:.1f} ms at {fps:g} fps"
    rate = (len(times) - 1) / (times[-1] - times[0])
    assert abs(rate - fps) / fps < 0.2, f"{rate:.1f} frames/s over the whole span at {fps:g} fps"
