"""Frames that arrive on their own clock (a camera's capture thread, a laptop's uploads) handed to a stream that
takes them a block at a time: each block gets its frames spread evenly over what arrived since the last block.

Memory stays bounded however slowly the stream takes: past `cap` frames waiting, every other one is dropped and
from then on only every other arrival is kept (then every fourth, …), so what waits is always an even sample of
everything that arrived since the last block, and the newest frame is always kept besides.

Nothing new since the last block: the newest frame is given again, `count` times. Replaying older frames would
make the input jump back in time on every such block (a camera slower than the blocks would stutter); holding
the newest keeps it still, as a frozen camera looks. The status line says so once the newest frame is older than
`stall_after_s`.

Before the first frame: `frames()` waits up to `first_wait_s` for it (a camera or an upload that was just opened
sends its first frame within that), then gives black frames and the status says it waits for the first frame, so
the show never blocks on an input that does not come.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

import numpy as np

from vcam.live.frames import fit as fit_frame

# What waits for the next block, at most: a block of 12 spread over 48 frames is 1.6 s of a 30 fps camera before
# the thinning starts, which then keeps the spread over the whole time since the last block.
CAP = 48
STALL_AFTER_S = 1.0
FIRST_WAIT_S = 1.0


def spread(available: int, count: int) -> list[int]:
    """`count` indices into `available` frames, evenly spaced and ending at the newest (the last index); with
    fewer frames than asked, each repeats evenly. 30 → 12: 2, 4, 7, 9, …, 27, 29."""
    return [((i + 1) * available + count - 1) // count - 1 for i in range(count)]


class LiveFrames:
    """Thread-safe: `push` from any thread (a capture thread, the server's loop), `frames` from the stream's.

    `width`, `height`, `fit`: the stream's size and how to fit the input to it (set later with `fit_to` when the
    one who makes it does not know the stream's size). `name` is how the status line calls it ("net", "camera:0").
    `clock` gives the times `push(at=…)` and `age()` use."""

    def __init__(self, width: int | None = None, height: int | None = None, fit: str = "crop", *,
                 name: str = "net", clock: Callable[[], float] = time.monotonic,
                 stall_after_s: float = STALL_AFTER_S, first_wait_s: float = FIRST_WAIT_S, cap: int = CAP):
        if cap < 2:
            raise ValueError("LiveFrames needs a cap of at least 2 frames")
        self.name = name
        self.clock = clock
        self.stall_after_s = stall_after_s
        self.first_wait_s = first_wait_s
        self.cap = cap
        self._size = (width, height) if width and height else None
        self._fit = fit
        self._cond = threading.Condition()
        self._pending: list[np.ndarray] = []  # every `_stride`-th arrival since the last block
        self._stride = 1
        self._arrived = 0  # arrivals since the last block
        self._newest: np.ndarray | None = None
        self._newest_at = 0.0
        self.pushed = 0  # every frame ever pushed
        self.reused = 0  # blocks that got the newest frame again, nothing new having arrived

    def fit_to(self, width: int, height: int, fit: str = "crop") -> None:
        """The stream's size: frames pushed from now on are fitted on arrival; those already here when taken."""
        with self._cond:
            self._size, self._fit = (width, height), fit

    def restart(self) -> None:
        """Forgets the frames waiting for a block: the next block is spread over what arrives from now on (or is
        the newest frame, held, when nothing does). For uploads taken up again after a while on another input."""
        with self._cond:
            self._pending, self._stride, self._arrived = [], 1, 0

    def _fitted(self, frame: np.ndarray) -> np.ndarray:
        size, mode = self._size, self._fit
        return frame if size is None else fit_frame(frame, size[0], size[1], mode)

    def push(self, frame: np.ndarray, at: float | None = None) -> None:
        """One RGB uint8 frame [h, w, 3] of any size, arrived at `at` (the clock's now by default)."""
        if not (isinstance(frame, np.ndarray) and frame.dtype == np.uint8 and frame.ndim == 3
                and frame.shape[2] == 3 and frame.shape[0] > 0 and frame.shape[1] > 0):
            raise ValueError(f"an input frame must be RGB uint8 [h, w, 3], not {getattr(frame, 'shape', frame)!r}")
        fitted = self._fitted(frame)
        if fitted is frame:  # kept past this call: a copy, so the pusher may reuse its buffer
            fitted = frame.copy()
        with self._cond:
            if self._arrived % self._stride == 0:
                self._pending.append(fitted)
                if len(self._pending) > self.cap:
                    self._pending = self._pending[::2]
                    self._stride *= 2
            self._arrived += 1
            self._newest = fitted
            self._newest_at = self.clock() if at is None else at
            self.pushed += 1
            self._cond.notify_all()

    def frames(self, start: int, count: int) -> np.ndarray:
        """`count` frames [count, H, W, 3] spread evenly over what arrived since the last call, the newest last;
        `start` is ignored (live frames come by the clock, not by position)."""
        if count < 1:
            raise ValueError(f"a block takes at least one input frame, not {count}")
        with self._cond:
            if self._newest is None and self.first_wait_s > 0:
                self._cond.wait_for(lambda: self._newest is not None, timeout=self.first_wait_s)
            if self._newest is None:
                return self._black(count)
            if self._arrived:
                candidates = self._pending
                if (self._arrived - 1) % self._stride:  # the newest was not kept in the even sample
                    candidates = candidates + [self._newest]
            else:
                candidates = [self._newest]
                self.reused += 1
            self._pending, self._stride, self._arrived = [], 1, 0
            # no size given: the newest frame's (frames pushed before a fit_to are fitted here)
            width, height = self._size or (self._newest.shape[1], self._newest.shape[0])
            mode = self._fit
        return np.stack([fit_frame(candidates[i], width, height, mode) for i in spread(len(candidates), count)])

    def _black(self, count: int) -> np.ndarray:
        if self._size is None:
            raise ValueError(f"input {self.name} has no frame yet and no size to make black ones: call fit_to")
        width, height = self._size
        return np.zeros((count, height, width, 3), dtype=np.uint8)

    def age(self) -> float | None:
        """Seconds since the newest frame arrived; None before the first."""
        with self._cond:
            return None if self._newest is None else max(0.0, self.clock() - self._newest_at)

    @property
    def stalled(self) -> bool:
        age = self.age()
        return age is not None and age > self.stall_after_s

    def status(self) -> str:
        """"in camera:0 0.08 s old", "in camera:0 stalled 3.2 s: reusing the last frames", or that it waits."""
        age = self.age()
        if age is None:
            return f"in {self.name}: waiting for the first input frame"
        if age > self.stall_after_s:
            return f"in {self.name} stalled {age:.1f} s: reusing the last frames"
        return f"in {self.name} {age:.2f} s old"
