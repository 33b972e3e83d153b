"""Handing the memory a block freed back to the system, so that a long show's resident memory stays flat.

A block of the model on a CPU allocates and frees hundreds of MB (activations, decoded frames) on the generator's
thread. glibc's malloc keeps what is freed in that thread's arena for reuse, and big buffers join it once its
mmap threshold has risen (up to 32 MB, after the first big buffers are freed); the holes they leave are reused
only by requests that fit, so the resident memory creeps up over a show although nothing is kept: at 832x480 with
the tiny model on a CPU, the lowest RSS rose from 712 to 1139 MB over 25 minutes while the memory handed out by
malloc stayed level (about 205 MB at each block's end). malloc_trim(0) returns the free pages of every arena to the
system; done between blocks, RSS falls back after every block to the code and the memory in use (630 MB there,
flat; a trim takes 2 ms at 112x64, 40 ms at 832x480). Other C libraries (macOS, Windows, musl) have no such call,
and nothing is done there.
"""
from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Callable

MIN_GAP_S = 1.0  # at most one trim a second: a fast producer (small frames, a GPU) frees little per block


def malloc_trim() -> Callable[[], int] | None:
    """glibc's malloc_trim(0) (1 when memory was returned), or None where the C library has none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the process's own C library, whatever its file is called
    except (OSError, AttributeError):  # musl, or no dynamic symbols
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


class HeapTrimmer:
    """A producer listener (called on the generator's thread after every block): trims the heap, at most once every
    `min_gap_s`. Does nothing where there is no malloc_trim."""

    def __init__(self, trim: Callable[[], int] | None = None, min_gap_s: float = MIN_GAP_S,
                 clock: Callable[[], float] = time.monotonic):
        self.trim = trim if trim is not None else malloc_trim()
        self.min_gap_s = min_gap_s
        self.clock = clock
        self.trims = 0
        self._last: float | None = None

    def __call__(self, frames=None) -> None:
        if self.trim is None:
            return
        now = self.clock()
        if self._last is not None and now - self._last < self.min_gap_s:
            return
        self._last = now
        self.trim()
        self.trims += 1
