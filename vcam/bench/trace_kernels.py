"""A profiled block's GPU kernels read from its Chrome trace (what torch.profiler exports), each with the host ranges
(stage marks and ops) open when it was launched: how the split (vcam.bench.split) places a kernel on CUDA.

A kernel is placed by its launch: the runtime or driver call that shares its correlation id, and the ranges open
on that thread at that moment. A stage's kernels are launched while its mark is open, so this cannot misplace one.
The profiler's event tree (FunctionEvent.kernels under cpu_parent, which the split read before) did: on an H200 it
put 496 ms of kernels in a compiled pass 1 timed at 262, where this placed 261.5 (2026-12-04); the trace's own
links (External id) agreed with the launches there.
"""
from __future__ import annotations

import gzip
import json
from collections import defaultdict
from pathlib import Path

DEVICE_CATS = {"kernel", "gpu_memcpy", "gpu_memset"}  # a mark's span on the device ("gpu_user_annotation") is not
LAUNCH_CATS = {"cuda_runtime", "cuda_driver"}  # inductor's Triton kernels go through the driver's launch call
HOST_CATS = {"cpu_op", "user_annotation"}


def read_trace(path: Path) -> list[dict]:
    """The complete events ("ph": "X") of a Chrome trace, gzipped or not."""
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


def kernels(events: list[dict]) -> list[dict]:
    return [e for e in events if e.get("cat") in DEVICE_CATS]


def by_launch(events: list[dict]) -> list[tuple[str, float, tuple[str, ...]]]:
    """Each kernel as (name, ms, the ranges open at its launch): a kernel whose launch is not in the trace gets
    none (it counts in no stage)."""
    launches = {e["args"]["correlation"]: e for e in events
                if e.get("cat") in LAUNCH_CATS and "correlation" in e.get("args", {})}
    return _placed(events, lambda k: launches.get(k.get("args", {}).get("correlation")))


def by_link(events: list[dict]) -> list[tuple[str, float, tuple[str, ...]]]:
    """Each kernel as (name, ms, the ranges open at the start of the op the profiler linked it to)."""
    linked_ops = {e["args"]["External id"]: e for e in events
                  if e.get("cat") in HOST_CATS and "External id" in e.get("args", {})}
    return _placed(events, lambda k: linked_ops.get(k.get("args", {}).get("External id")))


def _placed(events: list[dict], host_event_of) -> list[tuple[str, float, tuple[str, ...]]]:
    found = [(k, host_event_of(k)) for k in kernels(events)]
    # a kernel with no host event found is asked about a thread no range is on: it gets no ranges
    within = open_ranges(events, [(e["tid"], e["ts"]) if e else (None, 0) for _, e in found])
    return [(k["name"], k.get("dur", 0) / 1000.0, w) for (k, _), w in zip(found, within)]
