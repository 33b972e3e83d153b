"""Changes on the beat: the block a quantised change goes into, so that its first frame reaches the camera on the
boundary although vcam makes frames a block or more ahead of what the camera shows.

How far ahead is measured as the show runs: the block in progress (when it started, how long blocks take to make
and how often one starts) and the pacer's buffer (the frames waiting there, played at the production rate, or at
the camera's when generation is faster). The first frame of a quantised change's block is timed as it comes on
screen (Pacer.on_block_shown): the status line says how far from its boundary the last one appeared.

scripts/quantize_bench.py prints how close this comes under a fake clock.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from vcam.control.commands import quantum_beats
from vcam.control.protocol import BeatClock
from vcam.live.pacer import Pacer

NEW = 0.3  # the weight of a block's measurement in the running figures (about the last 3 blocks count)
MAX_BOUNDARIES = 64  # boundaries weighed for one change (@0.5 on 300 bpm against 6 s blocks)
SAID_FRAMES = 2  # a change further than this many camera frames off its boundary has the blocks' spacing said
FAR = 1.5  # a measurement this far off (either way) is a hiccup, unless the next one is off the same way


class Running:
    """A running figure (a block's duration): steady measurements are averaged in; one far off is left out as a
    hiccup, and two in a row far off the same way are a new figure, taken at once (`steps 8`, another size)."""

    def __init__(self):
        self.value: float | None = None
        self._off = 0

    def add(self, x: float) -> None:
        if self.value is None:
            self.value = x
            return
        off = 1 if x > FAR * self.value else -1 if x * FAR < self.value else 0
        if off == 0:
            self.value = (1.0 - NEW) * self.value + NEW * x
        elif off == self._off:
            self.value, off = x, 0
        self._off = off


@dataclass
class Landing:
    """A quantised change: the block it goes into, the boundary aimed at, and once its first frame is on screen,
    how far from the boundary (seconds, + late)."""

    block: int
    boundary: float
    predicted: float  # when its first frame was expected on screen
    first: int  # the first block it could have gone into
    moved: bool = False  # the next boundary was too near: it aims at a later one
    offset: float | None = None
    period: float = 0.0  # seconds between two blocks' first frames on screen as it was planned: the finest step


@dataclass(frozen=True)
class Ahead:
    """How far ahead of the camera the show works, as measured now."""

    first: int  # the first block whose controls are not applied yet
    shown_at: float  # when that block's first frame is expected on screen
    period: float  # seconds between two blocks' first frames on screen


class Quantizer:
    """Thread-safe: the generator, the pacer and the controls' threads all call in."""

    def __init__(self, pacer: Pacer, tempo: BeatClock | None, clock: Callable[[], float] = time.monotonic):
        self.pacer = pacer
        self.tempo = tempo
        self.clock = clock
        self._lock = threading.Lock()
        self._in_progress: tuple[int, float] | None = None  # the block being made and when it started
        self._next = 0  # the first block whose controls are not applied yet
        self._last_start: tuple[int, float] | None = None
        self._period = Running()  # seconds from one block's start to the next's
        self._make = Running()  # seconds from a block's start to its hand-over to the pacer
        self._burst = 0  # frames in a block
        self._landings: dict[int, Landing] = {}
        self.last: Landing | None = None  # the last quantised change whose first frame was shown

    # --- measured as the show runs (the producer's and the pacer's hooks) ------------------------------------
    def attach(self, producer) -> None:
        """Listens to the generator (`starting`, `listeners`) and the pacer (`on_block_shown`)."""
        producer.starting.append(self.block_started)
        producer.listeners.append(self.block_made)
        self.pacer.on_block_shown(self.block_shown)

    def block_started(self, block: int) -> None:
        now = self.clock()
        with self._lock:
            last = self._last_start
            if last is None or block > last[0]:  # a retried block is no new start
                if last is not None:
                    self._period.add((now - last[1]) / (block - last[0]))
                self._last_start = (block, now)
            self._in_progress = (block, now)
            self._next = block + 1

    def block_made(self, frames) -> None:
        now = self.clock()
        with self._lock:
            if self._in_progress is not None:
                self._make.add(now - self._in_progress[1])
                self._in_progress = None
            self._burst = len(frames)

    def block_shown(self, block: int, t: float) -> None:
        with self._lock:
            landing = self._landings.pop(block, None)
            if landing is not None:
                landing.offset = t - landing.boundary
                self.last = landing
            for old in [b for b in self._landings if b < block]:  # never shown (a replaced stream)
                del self._landings[old]

    # --- decisions ----------------------------------------------------------------------------------------
    def ahead(self, now: float | None = None) -> Ahead | None:
        """When the first block that can still take a change is expected to have its first frame on screen; None
        until blocks have been measured.

        It goes on screen once the frames ahead of it have been played: those waiting in the pacer and the block
        in progress, at the rate the pacer plays them (the production rate, or the camera's when generation is
        faster); and not before it is made."""
        now = self.clock() if now is None else now
        waiting = self.pacer.waiting()  # before the lock: the pacer calls block_shown holding its own
        rate = min(self.pacer.stats.production_fps, self.pacer.settings.fps)
        with self._lock:
            period, make = self._period.value, self._make.value
            if period is None or make is None or not rate or self._last_start is None:
                return None
            if self._in_progress is not None:
                ahead = waiting + self._burst + 1  # the block in progress is ahead of it
                start = max(self._in_progress[1] + period, now)
            else:  # between blocks (the generator waits while the pacer is full)
                ahead = waiting + 1
                start = max(self._last_start[1] + period, now)
            return Ahead(self._next, max(now + ahead / rate, start + make + 1 / rate), period)

    def lead(self) -> float:
        """Seconds until a change made now would first show (0 until blocks have been measured): how early a cue
        at a bar fires (vcam.control.cues)."""
        now = self.clock()
        ahead = self.ahead(now)
        return max(0.0, ahead.shown_at - now) if ahead is not None else 0.0

    def plan(self, spec: str, keep: bool = True) -> Landing | None:
        """The block for a change quantised to `spec` ("beat", "bar" or a number of beats), and the boundary it
        aims at; None for at once (no tempo, nothing measured yet). `keep`: the change goes into that block, whose
        first frame on screen the status line then measures against the boundary.

        Blocks reach the camera a block's worth apart, so a change lands on the block whose first frame comes
        nearest its boundary. A boundary nearer than the show works ahead gives way to the first one it can reach
        within half a block's worth; where boundaries come more often than blocks (@beat on slow blocks), the one
        of the next block's worth that a block's first frame meets best is taken, so it shows on a beat."""
        tempo = self.tempo
        bpm = tempo.bpm if tempo is not None else None
        if spec == "off" or not bpm:
            return None
        beats = quantum_beats(spec, tempo.beats_per_bar)
        now = self.clock()
        ahead = self.ahead(now)
        first = tempo.next_boundary(beats, now) if ahead is not None else None
        if first is None:
            return None
        if ahead.shown_at > first + ahead.period / 2:
            first = tempo.next_boundary(beats, ahead.shown_at - ahead.period / 2)
        best: tuple[float, int, float] | None = None  # |predicted offset|, blocks after the first, boundary
        boundary, frame = first, 1.0 / self.pacer.settings.fps
        for _ in range(MAX_BOUNDARIES):
            if boundary is None or boundary >= first + ahead.period:
                break
            later = max(0, round((boundary - ahead.shown_at) / ahead.period))
            miss = abs(ahead.shown_at + later * ahead.period - boundary)
            if best is None or miss < best[0] - frame:  # a later boundary only where it is met clearly better
                best = (miss, later, boundary)
            # asked from half a step on: a time that is itself a boundary may round to just before it
            boundary = tempo.next_boundary(beats, boundary + 30.0 * beats / bpm)
        if best is None:
            return None
        _, later, boundary = best
        landing = Landing(ahead.first + later, boundary, ahead.shown_at + later * ahead.period, ahead.first,
                          moved=boundary != tempo.next_boundary(beats, now), period=ahead.period)
        if keep:
            with self._lock:
                self._landings.setdefault(landing.block, landing)
        return landing

    def lands_at(self, spec: str) -> float | None:
        """The clock time of the boundary a change quantised to `spec` made now would land on, None for at once: a
        typed `go @bar`'s screen changes are aimed there, with its picture (vcam.control.cues)."""
        landing = self.plan(spec, keep=False)
        return landing.boundary if landing is not None else None

    def land(self, spec: str) -> int | None:
        """The controller's `land`: the block number a quantised change lands on as things stand, None for at once.
        The controller asks again as each block starts, and hands the change over once its block is the one after
        the block being made (vcam.control.onbeat): only then is the landing kept for the status line, not the
        blocks it was aimed at before a tempo or the generator moved it."""
        landing = self.plan(spec, keep=False)
        if landing is None:
            return None
        with self._lock:
            made = self._in_progress[0] if self._in_progress is not None else self._next  # the producer's count
            if landing.block <= made + 1:
                self._landings.setdefault(landing.block, landing)
        return landing.block

    def unquantized(self) -> None:
        """Changes land at once from now (`quantize off`): the status line no longer says how far from its boundary
        the last quantised change came, which read as if changes still came on the beat; nor does a change aimed at
        a boundary before it whose block is shown after. The next change given its own @ that reaches the camera
        says it again."""
        with self._lock:
            self.last = None
            self._landings.clear()

    def status(self) -> str | None:
        """For the status line: how far from its boundary the last quantised change reached the camera, and where
        that is more than SAID_FRAMES camera frames, how far apart blocks come: a slow machine's block nearest the
        bar may show a second off it, which read as "on beat -950 ms" alone looked like a fault of the timing. Only
        where the spacing explains it: the block nearest a boundary is at most half the spacing (and a frame) off
        it, so a miss further than that is not the spacing's, and is said alone."""
        last = self.last
        if last is None:
            return None
        said = f"on beat {last.offset * 1000:+.0f} ms"
        frame = 1.0 / self.pacer.settings.fps
        if SAID_FRAMES * frame < abs(last.offset) <= last.period / 2 + frame:
            said += f" (blocks {last.period:.1f} s apart)"
        return said

