"""In-between camera frames by optical flow (`--smooth flow`).

At a few generated frames per second a camera at 30 shows each one for several ticks; repeating it stutters and a
cross-fade blurs two pictures into each other. Here the motion between two generated frames is estimated once per
pair (OpenCV's DIS optical flow, both ways), both frames are warped to a few moments between them and blended by the
time weight, and every tick between them shows the in-between frame of its moment (a cross-fade of the two nearest).

All of it is done on a worker thread as frames arrive, a few pairs ahead of the one on screen (the pacer buffers a
burst or more ahead of the camera), so the camera's clock never waits for it: a pair whose in-between frames are not
ready when it comes on screen is cross-faded instead, and counted. How many in-between frames a pair gets follows
the ticks it stays on screen and the running cost of the flows and warps; a pair whose flows alone would not be
ready in time is left to the cross-fade, the cost measured again now and then.
"""
from __future__ import annotations

import math
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from vcam.errors import bug_place, described
from vcam.live.frames import Repeated, crossfade
from vcam.terminal import row_cleared

SAID_FAILURES = 3  # kinds of failed flow said on air, each once: more would be a flood of its own
SMOOTH_MODES = ("fade", "flow")  # --smooth alone is "fade"
MAX_PHASES = 7  # in-between frames warped per pair at most: at 4 generated frames/s into 30, one for every tick
DEFAULT_TICKS = 4.0  # ticks a generated frame stays on screen, guessed before the production rate is known
BUDGET = 0.7  # of the time a pair is on screen, what its flows and warps may take on the worker's thread
PROBE_EVERY = 8  # while pairs are skipped as too slow, every this many is made anyway, to measure the cost again

# (a, b) -> (flow a→b, flow b→a), each [h, w, 2] float32 in pixels of the frames' own size
FlowFunction = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def smooth_mode(smooth: str | bool | None) -> str | None:
    """The smoothing asked for: None (repeat frames), "fade" or "flow". `True` is the old flag: a cross-fade."""
    if smooth is True:
        return "fade"
    if not smooth:
        return None
    if smooth not in SMOOTH_MODES:
        raise ValueError(f"unknown smoothing {smooth!r}: use {' or '.join(SMOOTH_MODES)}")
    return smooth


@dataclass
class FlowSettings:
    # DIS's preset: ultrafast, fast or medium. Both fast ones estimate the flow on a grid a quarter of the frame's
    # size already; at 832×480 on a moving texture, "fast" cost twice "ultrafast" for a few % less error.
    preset: str = "ultrafast"
    # The frames are shrunk by this first (for a slow CPU): at 0.5 the error at 832×480 about doubled.
    scale: float = 1.0
    lookahead: int = 4  # pairs made ahead, the one on screen counted (each keeps up to MAX_PHASES in-between frames)


class DisFlow:
    """Both flows of a pair by DIS. One instance per thread: OpenCV's DIS object keeps state between calls."""

    PRESETS = {"ultrafast": 0, "fast": 1, "medium": 2}

    def __init__(self, settings: FlowSettings = FlowSettings()):
        import cv2

        self.scale = settings.scale
        self._dis = cv2.DISOpticalFlow_create(self.PRESETS[settings.preset])
        # the pairs come in order: a pair's second frame, made grey last, is the next pair's first
        self._grey = Repeated(lambda frame: self._small(cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)))

    @property
    def greyed(self) -> int:
        """Frames made grey for the flow (the one two pairs share, once)."""
        return self._grey.made

    def __call__(self, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        import cv2

        h, w = a.shape[:2]
        ga, gb = self._grey(a), self._grey(b)
        flows = []
        for x, y in ((ga, gb), (gb, ga)):
            f = self._dis.calc(x, y, None)
            if f.shape[:2] != (h, w):  # back to full size, the vectors scaled with it
                f = cv2.resize(f, (w, h), interpolation=cv2.INTER_LINEAR)
                f *= np.float32(w / x.shape[1]), np.float32(h / x.shape[0])
            flows.append(f)
        return flows[0], flows[1]

    def _small(self, gray: np.ndarray) -> np.ndarray:
        import cv2

        if self.scale >= 1.0:
            return gray
        h, w = gray.shape
        size = (max(8, round(w * self.scale)), max(8, round(h * self.scale)))
        return cv2.resize(gray, size, interpolation=cv2.INTER_AREA)


def pixel_grid(h: int, w: int) -> np.ndarray:
    """[h, w, 2] float32: each pixel's own (x, y), the identity map for cv2.remap."""
    ys, xs = np.indices((h, w), dtype=np.float32)
    return np.ascontiguousarray(np.stack([xs, ys], axis=-1))


def interpolate(a: np.ndarray, b: np.ndarray, flows: tuple[np.ndarray, np.ndarray], t: float,
                grid: np.ndarray | None = None) -> np.ndarray:
    """The frame a fraction `t` of the way from `a` to `b`. Where a pixel of the new frame comes from in `a` and in
    `b` is estimated from both flows (a linear motion model: each flow read at the new pixel, weighted for how far
    it is to either end), both frames are warped there and blended by the time weight."""
    import cv2

    f_ab, f_ba = flows
    grid = pixel_grid(*a.shape[:2]) if grid is None else grid
    to_a = cv2.addWeighted(f_ab, -(1.0 - t) * t, f_ba, t * t, 0.0)
    to_b = cv2.addWeighted(f_ab, (1.0 - t) * (1.0 - t), f_ba, -t * (1.0 - t), 0.0)
    from_a = cv2.remap(a, cv2.add(grid, to_a), None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    from_b = cv2.remap(b, cv2.add(grid, to_b), None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return cv2.addWeighted(from_a, 1.0 - t, from_b, t, 0.0)


@dataclass
class FlowStats:
    pairs: int = 0  # pairs whose in-between frames were made
    cost_ms: float = 0.0  # running mean of one pair's flows (both ways), in ms
    frame_ms: float = 0.0  # running mean of one in-between frame's warp, in ms
    flowed: int = 0  # camera frames blended from a pair's in-between frames
    faded: int = 0  # camera frames cross-faded because their pair's in-between frames were not ready
    unneeded: int = 0  # pairs that wanted no in-between frame: a generated frame lasted about a camera tick
    failed: int = 0  # pairs whose flows could not be computed (cross-faded too)
    skipped: int = 0  # pairs left to the cross-fade: by the running costs their flow would not be ready in time
    first_failure: str = ""  # the first failed pair's error (errors.described), said with the count at the end


def phases(ticks: float) -> int:
    """How many in-between frames a pair on screen for `ticks` camera ticks wants: one per tick between its two
    frames; none where a generated frame lasts a tick (at the camera's rate the cross-fade's weights stay small)."""
    return min(MAX_PHASES, max(0, math.ceil(ticks - 1e-6) - 1))


def affordable(n: int, budget_ms: float, stats: FlowStats) -> int:
    """How many of `n` in-between frames the running costs say are made within `budget_ms`, flows included."""
    if not stats.pairs:
        return n
    return max(0, min(n, int((budget_ms - stats.cost_ms) / max(stats.frame_ms, 0.1))))


class _Pair:
    __slots__ = ("a", "b", "ticks", "budget_ms", "wanted", "frames", "busy", "done")

    def __init__(self, a: np.ndarray, b: np.ndarray, ticks: float, budget_ms: float):
        self.a, self.b = a, b
        self.ticks, self.budget_ms = ticks, budget_ms  # how long it should stay on screen
        self.wanted = phases(ticks)  # on arrival: `between` tells it from a late pair before the worker plans it
        self.frames: list[np.ndarray] | None = None  # a, its in-between frames at even steps, b (None: not made)
        self.busy = False
        self.done = False


class FlowSmoother:
    """Thread-safe. The pacer says which consecutive pairs exist (`arrived`) and which frames left its buffer
    (`gone`), and asks for in-between frames (`between`). A worker thread makes each pair's flows and a few
    in-between frames warped at even steps; the camera's frame is then a cross-fade of the two nearest, which costs
    the camera's thread no more than the plain cross-fade. `flow`: computes a pair's flows (a DisFlow made on the
    worker thread by default); `clock`: what times it."""

    def __init__(self, settings: FlowSettings = FlowSettings(), flow: FlowFunction | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        self.settings = settings
        self._flow = flow
        self._clock = clock  # times the flows and warps
        self._cond = threading.Condition()
        self._pairs: OrderedDict[int, _Pair] = OrderedDict()  # by id(a), in the buffer's order
        self._grids: dict[tuple[int, int], np.ndarray] = {}  # the worker's own
        self._thread: threading.Thread | None = None
        self._skips = 0  # pairs skipped as too slow in a row
        self._failures_said: set[tuple[str, str | None]] = set()  # the kinds of failure said on air (_failed)
        self.stats = FlowStats()

    def arrived(self, a: np.ndarray, b: np.ndarray, ticks: float = DEFAULT_TICKS, tick_s: float = 1 / 30) -> None:
        """`b` was appended to the buffer right after `a`; `a` is expected on screen for `ticks` camera ticks of
        `tick_s` seconds."""
        if a.shape != b.shape:  # the size changed: the pacer shows that pair as it is
            return
        with self._cond:
            self._pairs[id(a)] = _Pair(a, b, ticks, BUDGET * ticks * tick_s * 1000.0)
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="flow", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def gone(self, a: np.ndarray) -> None:
        """`a` left the buffer: its pair's in-between frames are no longer needed."""
        with self._cond:
            pair = self._pairs.get(id(a))
            if pair is not None and pair.a is a:
                del self._pairs[id(a)]
                self._cond.notify_all()  # the lookahead moved on

    def between(self, a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
        """The frame `t` (0..1) of the way from `a` to `b`: from the flow's in-between frames where they are ready,
        else a cross-fade of a and b."""
        with self._cond:
            pair = self._pairs.get(id(a))
            if pair is not None and (pair.a is not a or pair.b is not b):
                pair = None
            frames = pair.frames if pair is not None else None
            if frames is not None:
                self.stats.flowed += 1
            elif pair is None or pair.wanted:  # a pair that wants none is counted once, as unneeded, by _plan
                self.stats.faded += 1
        if frames is None:
            return crossfade(a, b, t)
        pos = min(max(t, 0.0), 1.0) * (len(frames) - 1)
        i = min(int(pos), len(frames) - 2)
        return crossfade(frames[i], frames[i + 1], pos - i)

    def wait_idle(self, timeout: float) -> bool:
        """Waits until every pair within the lookahead is made; False if `timeout` passed first."""
        with self._cond:
            return self._cond.wait_for(lambda: self._next() is None and not self._busy(), timeout)

    def close(self) -> None:
        """Stops the worker (after the pair in hand); a later `arrived` starts a new one."""
        with self._cond:
            thread, self._thread = self._thread, None
            self._cond.notify_all()
        if thread is not None and thread is not threading.current_thread():
            thread.join(5.0)

    def _next(self) -> _Pair | None:
        """The first pair within the lookahead not made and not being made."""
        for i, pair in enumerate(self._pairs.values()):
            if i >= self.settings.lookahead:
                return None
            if not pair.done and not pair.busy:
                return pair
        return None

    def _busy(self) -> bool:
        return any(p.busy for p in self._pairs.values())

    def _work(self) -> None:
        flow = self._flow or DisFlow(self.settings)
        me = threading.current_thread()
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._thread is not me or self._next() is not None)
                if self._thread is not me:
                    return
                pair = self._next()
                n = self._plan(pair)
                pair.busy, pair.done = n > 0, n == 0
                if n == 0:
                    self._cond.notify_all()
                    continue
            made = self._make(flow, pair, n)
            with self._cond:
                pair.busy, pair.done = False, True
                self._count(made)
                if made is not None:
                    pair.frames = made[0]
                self._cond.notify_all()

    def _plan(self, pair: _Pair) -> int:
        """How many in-between frames to make for `pair` (0: leave it to the cross-fade)."""
        wanted = pair.wanted
        if not wanted:
            self.stats.unneeded += 1
            self._skips = 0
            return 0
        n = affordable(wanted, pair.budget_ms, self.stats)
        if not n:
            self._skips += 1
            if self._skips < PROBE_EVERY:
                self.stats.skipped += 1
                return 0
            n = 1
        self._skips = 0
        return n

    def _make(self, flow: FlowFunction, pair: _Pair, n: int) -> tuple[list[np.ndarray], float, float] | None:
        """The pair's frames (a, n in-between, b), the flows' cost and one warp's, in ms; None if it failed."""
        a, b = pair.a, pair.b
        start = self._clock()
        try:
            flows = flow(a, b)
            flowed = self._clock()
            grid = self._grids.get(a.shape[:2])
            if grid is None:
                grid = self._grids[a.shape[:2]] = pixel_grid(*a.shape[:2])
            mids = [interpolate(a, b, flows, i / (n + 1), grid) for i in range(1, n + 1)]
        except Exception as e:  # a pair that cannot be flowed is cross-faded, like a late one
            self._failed(e)
            return None
        return [a, *mids, b], (flowed - start) * 1000.0, (self._clock() - flowed) * 1000.0 / n

    def _failed(self, error: Exception) -> None:
        """A pair that could not be flowed, said at once the first time it fails so (its type and, for a bug, its
        place), the first kept for the end's line: a flow that always fails (a bug) made the show a plain cross-fade
        without a word until the end, which said no cause. Each new kind is said too, up to SAID_FAILURES: one odd
        pair's failure early on must not hide a later one that fails every pair."""
        kind = (error.__class__.__name__, bug_place(error))
        if kind in self._failures_said or len(self._failures_said) >= SAID_FAILURES:
            return
        self._failures_said.add(kind)
        line = described(error)
        self.stats.first_failure = self.stats.first_failure or line
        # one write, its line end in it: the status line's thread writes between two
        print(f"{row_cleared(sys.stderr)}vcam: smooth flow: a pair of frames could not be flowed ({line}); such pairs "
              "are cross-faded, the show goes on\n", end="", file=sys.stderr, flush=True)

    def _count(self, made: tuple[list[np.ndarray], float, float] | None) -> None:
        st = self.stats
        if made is None:
            st.failed += 1
            return
        _, flow_ms, warp_ms = made
        st.pairs += 1
        first = st.pairs == 1
        st.cost_ms = flow_ms if first else 0.9 * st.cost_ms + 0.1 * flow_ms
        st.frame_ms = warp_ms if first else 0.9 * st.frame_ms + 0.1 * warp_ms
