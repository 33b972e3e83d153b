"""A profiled block's kernels placed in its stages again, from the Chrome trace that `scripts/gpu_check.py` brings
back beside its JSON (trace-*.json.gz, the block `vcam bench --split` profiles), on any machine, no GPU needed.

    python scripts/split_trace.py trace-832x480-bf16-compiled.json.gz

Each kernel is placed twice: by its launch (the runtime or driver call with its correlation id: which stage mark
was open on the launching thread at that moment, and inside which ops), as the split itself places it, and by the
op the profiler linked it to (its External id). The first cannot be misled, since a stage's kernels are launched
while its mark is open; where the second disagrees, the link was.
"""
from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.bench.split import PARTS, Timed, kernel_kind  # noqa: E402
from vcam.bench.trace_kernels import by_launch, by_link, read_trace  # noqa: E402

BY_LAUNCH, BY_LINK = "by launch", "by the profiler's link"


def place(events: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """{method: {stage: {part: ms}}} for both ways of placing the kernels (BY_LAUNCH, BY_LINK); kernels placed in
    no stage under the stage None."""
    out: dict = {}
    for method, placed in ((BY_LAUNCH, by_launch(events)), (BY_LINK, by_link(events))):
        stages: dict = defaultdict(lambda: dict.fromkeys(PARTS, 0.0))
        for name, ms, within in placed:
            stages[Timed(name, ms, within).stage][kernel_kind(name, within)] += ms
        out[method] = dict(stages)
    return out


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
    print(table(place(read_trace(args.trace))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
