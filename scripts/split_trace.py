"""A profiled block's kernels placed in its stages again, from the Chrome trace that `scripts/gpu_check.py` brings
back beside its JSON (trace-*.json.gz, the block `vcam bench --split` profiles), on any machine, no GPU needed.

    python scripts/split_trace.py trace-832x480-bf16-compiled.json.gz

Each kernel is placed twice: by its launch (the runtime or driver call with its correlation id: which stage mark
was open on the launching thread at that moment, and inside which ops), and by the op the profiler linked it to
(its External id), which is how the split itself places it. Where the two disagree the split was misled; the
first cannot be, since a stage's kernels are launched while its mark is open.
"""
from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.bench.split import PARTS, STAGE_MARK, kernel_kind  # noqa: E402

DEVICE_CATS = {"kernel", "gpu_memcpy", "gpu_memset"}
LAUNCH_CATS = {"cuda_runtime", "cuda_driver"}  # inductor's Triton kernels go through the driver's launch call
HOST_CATS = {"cpu_op", "user_annotation"}
BY_LAUNCH, BY_LINK = "by launch", "by the profiler's link"


def load(path: Path) -> list[dict]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        data = json.load(f)
    return [e for e in data.get("traceEvents", []) if e.get("ph") == "X"]


def open_ranges(events: list[dict], moments: list[tuple]) -> list[tuple[str, ...]]:
    """For each (thread, time) in `moments`: the names of the host's ranges (ops and marks) open then on that
    thread, outermost first. One sweep per thread: ranges on a thread nest. A range holds its start and not its
    end: a launch at the moment one mark ends and the next begins is the next one's."""
    by_tid: dict = defaultdict(list)
    for e in events:
        if e.get("cat") in HOST_CATS:
            by_tid[e["tid"]].append((e["ts"], e["ts"] + e.get("dur", 0), e["name"]))
    asked: dict = defaultdict(list)
    for i, (tid, ts) in enumerate(moments):
        asked[tid].append((ts, i))
    out: list[tuple[str, ...]] = [()] * len(moments)
    for tid, queries in asked.items():
        ranges = sorted(by_tid.get(tid, []), key=lambda r: (r[0], -r[1]))  # the enclosing one first
        stack: list[tuple] = []
        nxt = 0
        for ts, i in sorted(queries):
            while nxt < len(ranges) and ranges[nxt][0] <= ts:
                while stack and stack[-1][1] <= ranges[nxt][0]:
                    stack.pop()
                stack.append(ranges[nxt])
                nxt += 1
            while stack and stack[-1][1] <= ts:
                stack.pop()
            out[i] = tuple(name for _, end, name in stack if end > ts)
    return out


def stage_of(within: tuple[str, ...]) -> str | None:
    return next((w.removeprefix(STAGE_MARK) for w in within if w.startswith(STAGE_MARK)), None)


def place(events: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {stage: {part: ms}}} for both ways of placing the kernels (BY_LAUNCH, BY_LINK); kernels placed in
    no stage under the stage None."""
    launches = {e["args"]["correlation"]: e for e in events
                if e.get("cat") in LAUNCH_CATS and "correlation" in e.get("args", {})}
    linked_ops = {e["args"]["External id"]: e for e in events
                  if e.get("cat") in HOST_CATS and "External id" in e.get("args", {})}
    kernels = [k for k in events if k.get("cat") in DEVICE_CATS]
    launched = [launches.get(k.get("args", {}).get("correlation")) for k in kernels]
    ops = [linked_ops.get(k.get("args", {}).get("External id")) for k in kernels]
    # a kernel with no launch or op found is asked about a thread no range is on: it gets no ranges
    at_launch = open_ranges(events, [(e["tid"], e["ts"]) if e else (None, 0) for e in launched])
    at_op = open_ranges(events, [(e["tid"], e["ts"]) if e else (None, 0) for e in ops])
    out: dict = {m: defaultdict(lambda: dict.fromkeys(PARTS, 0.0)) for m in (BY_LAUNCH, BY_LINK)}
    for k, within, linked in zip(kernels, at_launch, at_op):
        ms = k.get("dur", 0) / 1000.0
        kind = kernel_kind(k["name"], within)
        out[BY_LAUNCH][stage_of(within)][kind] += ms
        out[BY_LINK][stage_of(linked)][kind] += ms
    return {m: dict(stages) for m, stages in out.items()}


def table(placed: dict[str, dict[str, dict[str, float]]]) -> str:
    stages = sorted({s for m in placed.values() for s in m}, key=lambda s: (s is None, str(s)))
    head = " | ".join(f"{m}: total, " + ", ".join(PARTS) for m in placed)
    lines = [f"stage | {head}", "|".join(["---"] * (1 + len(placed)))]
    for s in stages:
        cells = []
        for m in placed.values():
            parts = m.get(s, dict.fromkeys(PARTS, 0.0))
            cells.append(f"{sum(parts.values()):.1f}, " + ", ".join(f"{parts[p]:.1f}" for p in PARTS))
        lines.append(f"{s or '(no stage)'} | " + " | ".join(cells))
    return "\n".join(lines) + "\n(ms of kernel time)"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trace", type=Path, help="a trace-*.json.gz that gpu_check brought back")
    args = p.parse_args(argv)
    print(table(place(load(args.trace))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
