"""How close to the beat do quantised changes reach the camera?

Under a fake clock: the real pacer at the camera's rate, a producer that takes a known time per 12-frame block
(held back while the pacer is full, as vcam's generator is), a steady tempo, and quantised changes asked at random
moments. Each change goes into the block vcam.live.quantize chooses; the moment that block's first frame reaches
the camera, less the boundary aimed at, is its offset. The table gives the offsets' mean and worst in
milliseconds, in camera frames and in blocks, and the best offset any block could have had (the block boundary's
limit).

    python scripts/quantize_bench.py [--changes 40] [--seed 1]

Nothing is timed: the figures come from the simulated clock, the same on any machine.
"""
from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.control.tempo import Tempo  # noqa: E402
from vcam.live.pacer import Pacer, PacerSettings  # noqa: E402
from vcam.live.quantize import Quantizer  # noqa: E402

BURST = 12
WARM_UP_S = 8.0  # before the first change: a few blocks measured
POLL_S = 0.01  # how often the producer looks whether the pacer still is full (the generator's wait)


class FakeTime:
    """A clock, and a sleep that runs the events due meanwhile (the producer's) on the same timeline."""

    def __init__(self):
        self.now = 0.0
        self.events: list[tuple[float, int, object]] = []
        self._order = 0

    def clock(self) -> float:
        return self.now

    def at(self, t: float, fn) -> None:
        self._order += 1
        self.events.append((t, self._order, fn))

    def sleep(self, dt: float) -> None:
        target = self.now + dt
        while True:
            due = [e for e in self.events if e[0] <= target]
            if not due:
                break
            event = min(due)
            self.events.remove(event)
            self.now = max(self.now, event[0])
            event[2]()
        self.now = target


def steady_tempo(bpm: float, clock, phase: float = 0.0) -> Tempo:
    """vcam's tempo, set to `bpm` with beat 0 at clock time `phase`."""
    tempo = Tempo(clock=clock)
    tempo.set_bpm(bpm, "bpm", anchor=(phase, 0.0))
    return tempo


class Producer:
    """vcam's generator on the fake timeline: waits while the pacer is full, tells `starting` the block it starts,
    takes `block_s` (± `jitter`) to make it, pushes it with its number and tells `listeners`."""

    def __init__(self, ft: FakeTime, pacer: Pacer, block_s: float, jitter: float = 0.0, seed: int = 0):
        self.ft, self.pacer, self.block_s, self.jitter = ft, pacer, block_s, jitter
        self.rng = random.Random(seed)
        self.starting: list = []
        self.listeners: list = []
        self.submitted = 0
        self.started: dict[int, float] = {}  # when each block started (its controls applied)

    def start(self) -> None:
        self.ft.at(self.ft.now, self._poll)

    def _poll(self) -> None:
        if self.pacer.full():
            self.ft.at(self.ft.now + POLL_S, self._poll)
            return
        block = self.submitted
        self.started[block] = self.ft.now
        for listener in self.starting:
            listener(block)
        took = self.block_s * (1.0 + self.rng.uniform(-self.jitter, self.jitter))
        self.ft.at(self.ft.now + took, lambda: self._made(block))

    def _made(self, block: int) -> None:
        self.submitted += 1
        frames = [np.full((1, 1, 3), (block % 256, block // 256, i), np.uint8) for i in range(BURST)]
        self.pacer.push(frames, block)
        for listener in self.listeners:
            listener(frames)
        self._poll()


@dataclass
class Case:
    block_s: float
    bpm: float
    spec: str = "beat"
    fps: float = 30.0
    jitter: float = 0.03


@dataclass
class Result:
    case: Case
    offsets: list[float] = field(default_factory=list)  # seconds, + late
    best: list[float] = field(default_factory=list)  # |offset| of the best block from the first possible one
    errors: list[float] = field(default_factory=list)  # when the block's first frame came, less the prediction
    naive: list[float] = field(default_factory=list)  # the change handed over when the boundary comes instead
    moved: int = 0  # aimed at a later boundary: the next one was too near
    skipped: int = 0  # asked before anything was measured (at once)

    @property
    def period(self) -> float:
        """Seconds between blocks' first frames: a block's worth."""
        return max(self.case.block_s, BURST / self.case.fps)


def run_case(case: Case, changes: int = 40, seed: int = 1) -> Result:
    """Runs the show until `changes` quantised changes have reached the camera."""
    rng = random.Random(seed)
    ft = FakeTime()
    pacer = Pacer(PacerSettings(fps=case.fps, producer_waits=True), clock=ft.clock)
    tempo = steady_tempo(case.bpm, ft.clock, phase=rng.uniform(0, 1))
    quantizer = Quantizer(pacer, tempo, clock=ft.clock)
    producer = Producer(ft, pacer, case.block_s, case.jitter, seed)
    quantizer.attach(producer)
    plans, result = [], Result(case)

    def ask() -> None:
        plan = quantizer.plan(case.spec)
        if plan is None:
            result.skipped += 1
        else:
            plans.append(plan)

    t = WARM_UP_S
    for _ in range(changes):
        t += rng.uniform(0.5, 4.0)
        ft.at(t, ask)
    shown: dict[int, float] = {}

    def emit(frame, tick) -> None:
        shown.setdefault(int(frame[0, 0, 0]) + 256 * int(frame[0, 0, 1]), ft.now)

    stop = _Until(ft, t + 12.0 + 4 * 60.0 / case.bpm * 16)
    producer.start()
    pacer.run(emit, stop, sleep=ft.sleep)
    for plan in plans:
        result.offsets.append(shown[plan.block] - plan.boundary)
        result.best.append(min(abs(shown[b] - plan.boundary) for b in shown if b >= plan.first))
        result.errors.append(shown[plan.block] - plan.predicted)
        result.moved += plan.moved
        after = min(b for b, t in producer.started.items() if t >= plan.boundary)
        result.naive.append(shown[after] - plan.boundary)
    return result


def on_beat(result: Result, frames: float = 2.0) -> list[tuple[float, float]]:
    """(best, ours) for the changes some block could have brought within `frames` camera frames of the beat."""
    limit = frames / result.case.fps
    return [(b, abs(o)) for o, b in zip(result.offsets, result.best) if b <= limit]


class _Until:
    """The pacer's stop event, set once the fake clock passes `end`."""

    def __init__(self, ft: FakeTime, end: float):
        self.ft, self.end = ft, end

    def is_set(self) -> bool:
        return self.ft.now >= self.end


CASES = [Case(block_s, bpm, spec) for block_s in (0.3, 0.6, 1.3) for bpm in (90.0, 128.0, 174.0)
         for spec in ("beat", "bar")]


def table(results: list[Result]) -> str:
    head = (f"{'block':>6} {'bpm':>4} {'at':>4} | {'mean':>5} {'worst':>5} ms | {'worst':>5} fr | {'worst':>5} blk | "
            f"{'could':>5} {'worst':>5} fr | {'miss':>4} fr | {'pred':>4} fr | {'moved':>5} | {'naive':>5} ms")
    rows = [head, "-" * len(head)]
    for r in results:
        c = r.case
        worst = max(r.offsets, key=abs)
        mean = sum(abs(o) for o in r.offsets) / len(r.offsets)
        could = on_beat(r)
        could_worst = max((ours for _, ours in could), default=0.0)
        miss = max(abs(o) - b for o, b in zip(r.offsets, r.best))
        pred = max(abs(e) for e in r.errors)
        rows.append(f"{c.block_s:>5.2f}s {c.bpm:>4.0f} {c.spec:>4} | {mean * 1000:>5.0f} {worst * 1000:>+5.0f} ms | "
                    f"{worst * c.fps:>+5.1f} fr | {worst / r.period:>+5.2f} blk | {len(could):>5} "
                    f"{could_worst * c.fps:>5.1f} fr | {miss * c.fps:>4.1f} fr | {pred * c.fps:>4.1f} fr | "
                    f"{r.moved:>5} | {sum(r.naive) / len(r.naive) * 1000:>+5.0f} ms")
    return "\n".join(rows)


LEGEND = """\
offset: when a change's first frame reached the camera, less the boundary it aimed at (+ late); a block's worth:
the time between two blocks' first frames on the camera (the finest a change can be placed).
  mean, worst: of |offset| and the worst offset, in ms, camera frames (fr) and blocks (blk)
  could: changes that some block could have brought within 2 frames of the boundary, and their worst offset
  miss: how much further from the boundary the chosen block came than the best block would have
  pred: the worst error of the predicted moment the block's first frame would reach the camera
  moved: changes aimed at a later boundary, the next one being nearer than vcam works ahead
  naive: the mean offset had each change been handed over when its boundary came (no lookahead)"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, default=40, help="quantised changes per case")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    results = [run_case(case, args.changes, args.seed) for case in CASES]
    print(f"{args.changes} quantised changes per row at random moments; 12-frame blocks, camera at 30 fps")
    print(LEGEND)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
