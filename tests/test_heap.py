"""live/heap.py: what a block freed goes back to the system between blocks (a long show's memory stays flat)."""
from __future__ import annotations

import io
import os
import platform
import sys
import threading

import numpy as np
import pytest

from vcam.live import heap
from vcam.live.heap import HeapTrimmer, malloc_trim
from vcam.live.run import RunOptions, run


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS")) / 1024


@pytest.mark.skipif(malloc_trim() is None, reason="a C library without malloc_trim (not glibc)")
def test_trimming_returns_the_freed_holes_of_a_threads_heap():
    """What a block does to the generator's arena, in small: many buffers, most freed, some kept between them
    (so that free() cannot give the top of the heap back by itself). The holes stay resident until trimmed."""
    result: dict[str, float] = {}

    def block():
        buffers = [np.full(48 * 1024, 7, dtype=np.uint8) for _ in range(3000)]  # 144 MB, below the mmap threshold
        kept = buffers[::8]
        del buffers
        result["freed"] = rss_mb()
        malloc_trim()()
        result["trimmed"] = rss_mb()
        del kept

    t = threading.Thread(target=block)  # a thread of its own, as the generator is: its own arena
    t.start()
    t.join(60)
    assert result["freed"] - result["trimmed"] > 60  # about 120 MB of holes


def test_at_most_one_trim_a_second_and_none_without_malloc_trim(monkeypatch):
    calls, now = [], [0.0]
    trimmer = HeapTrimmer(trim=lambda: calls.append(now[0]) or 1, clock=lambda: now[0])
    for t in (0.0, 0.4, 0.9, 1.0, 1.5, 3.0):
        now[0] = t
        trimmer(frames=None)
    assert calls == [0.0, 1.0, 3.0] and trimmer.trims == 3

    monkeypatch.setattr(heap, "malloc_trim", lambda: None)  # macOS, Windows, musl
    quiet = HeapTrimmer()
    quiet(frames=None)
    assert quiet.trims == 0


@pytest.mark.usefixtures("shared_tiny")
def test_a_show_trims_the_heap_between_blocks(monkeypatch):
    trims = []
    monkeypatch.setattr(heap, "malloc_trim", lambda: lambda: trims.append(threading.current_thread().name) or 1)
    status = io.StringIO()
    assert run(RunOptions(model="tiny", outs=["null"], duration=1.0, stdin=False, status_out=status)) == 0
    assert "on air" in status.getvalue()
    assert trims and set(trims) == {"generator"}  # between blocks, on the thread that made them


@pytest.mark.skipif(not (sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"),
                    reason="glibc on Linux only")
def test_glibc_on_linux_has_its_trim():
    # the trimming test above skips where there is none: a check gone wrong would have skipped it unseen
    trim = malloc_trim()
    assert trim is not None and trim() in (0, 1)


@pytest.mark.parametrize("error", [OSError, AttributeError])
def test_a_c_library_without_malloc_trim_leaves_the_heap_alone(monkeypatch, error):
    class Library:  # musl has no malloc_trim; a static build no dynamic symbols
        def __init__(self, name):
            if error is OSError:
                raise OSError("no dynamic symbols")

    monkeypatch.setattr(heap.sys, "platform", "linux")
    monkeypatch.setattr(heap.ctypes, "CDLL", Library)
    assert malloc_trim() is None
    assert HeapTrimmer().trim is None
