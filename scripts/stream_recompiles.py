"""Streams one after another on one compiled engine, as a show that starts its stream again runs them: how many
graphs torch.compile made during each, and each stage's time, so a stream that recompiles, or runs part of its
work eager past torch.compile's limit, shows. With TORCH_LOGS=recompiles torch prints each recompile's reason.

    TORCH_LOGS=recompiles python3 scripts/stream_recompiles.py --size 576x320
    python3 scripts/stream_recompiles.py --size 576x320 --recompile-limit 8   # torch's default, as before vcam's 64

Random krea-14b weights on a GPU; the tiny model on a CPU (a smoke run, its times mean nothing). The first stream
ends with a profiled block, as gpu_check's first row on a build does.
"""
from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.bench.bench import BenchSettings, bench, bench_engine  # noqa: E402
from vcam.engine.compiling import graphs_compiled  # noqa: E402
from vcam.engine.speed import SpeedOptions  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default=None, help="WIDTHxHEIGHT (default 576x320 on a GPU, the tiny model's on a CPU)")
    p.add_argument("--quant", default="none", choices=("none", "fp8"))
    p.add_argument("--streams", type=int, default=3)
    p.add_argument("--blocks", type=int, default=4, help="timed blocks per stream, after 3 warm-up blocks")
    p.add_argument("--recompile-limit", type=int, default=None,
                   help="torch.compile's graphs per function, set after vcam's own (64) for this run")
    args = p.parse_args(argv)
    cuda = torch.cuda.is_available()
    size = {}
    if args.size or cuda:
        width, height = (int(n) for n in (args.size or "576x320").lower().split("x"))
        size = dict(width=width, height=height)
    settings = BenchSettings(model="krea-14b" if cuda else "tiny", blocks=args.blocks, warmup=3, split=True, **size,
                             speed=SpeedOptions(compile=True, quant=args.quant if cuda else "none"))
    engine = bench_engine(settings)
    if args.recompile_limit is not None:  # the engine is built and compiles at its first call: this limit holds
        torch._dynamo.config.recompile_limit = args.recompile_limit
    print(f"recompile limit {torch._dynamo.config.recompile_limit}", flush=True)
    for n in range(1, args.streams + 1):
        before, t0 = graphs_compiled(), time.perf_counter()
        r = bench(settings if n == 1 else replace(settings, split=False), log=lambda line: None, engine=engine)
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r.stages_ms.items() if v)
        print(f"stream {n}: {graphs_compiled() - before} graphs compiled, {time.perf_counter() - t0:.0f} s, "
              f"{r.frames_per_second:.2f} frames/s; ms: {stages}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
