"""Every check that needs a CUDA GPU, in one run, ending in a short table (for BENCHMARKS.md).

    python3 scripts/gpu_check.py            # on the GPU machine (about 6 minutes on an H100)
    python3 scripts/gpu_check.py --smoke    # the same code on a CPU with the tiny model, to catch mistakes

1. bf16 against a float32 reference: one denoising pass of a full-width, reduced-depth transformer.
2. Which SDPA kernel actually runs for both pass kinds (recompute and denoise).
3. FP8 against bf16 (PSNR); the overlap option and CUDA graphs against the plain loop (pixel difference).
4. The benchmark matrix: 832x480 bf16 (fused), unfused, attention backends, overlap, graphs, compiled, 576x320,
   FP8, and the combinations.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.bench import BenchSettings, bench  # noqa: E402
from vcam.configs import get_spec  # noqa: E402
from vcam.model import CausalWanModel, KVCache, init_random_  # noqa: E402


def bf16_vs_fp32(device: torch.device, layers: int, size: tuple[int, int]) -> dict:
    cfg = replace(get_spec("krea-14b").transformer, num_layers=layers)
    if device.type == "cpu":
        cfg = replace(get_spec("tiny").transformer)
    with torch.device("meta"):
        ref = CausalWanModel(cfg)
    ref = init_random_(ref.to_empty(device=device), 0).eval()
    from vcam.model import Rope

    ref.rope = Rope(cfg.head_dim, cfg.rope_max_positions).to(device)
    with torch.device("meta"):
        low = CausalWanModel(cfg)
    low = low.to_empty(device=device)
    low.load_state_dict(ref.state_dict())
    low.rope = Rope(cfg.head_dim, cfg.rope_max_positions).to(device)
    low.cast(torch.bfloat16 if device.type == "cuda" else torch.float32).fuse_qkv().eval()
    w, h = size
    gen = torch.Generator(device=device).manual_seed(1)
    x = torch.randn(1, 16, 3, h // 8, w // 8, generator=gen, device=device)
    ctx = torch.randn(1, 16, 3, h // 8, w // 8, generator=gen, device=device)
    text = torch.randn(1, 512, cfg.text_dim, generator=gen, device=device)
    tokens = ref.tokens_per_frame(h // 8, w // 8)
    out = {}
    with torch.no_grad():
        results = []
        for model in (ref, low):
            kv = model.text_kv(text)
            cache = KVCache(cfg, 1, 6 * tokens, model.dtype, device)
            model(ctx, torch.zeros(1, 3, device=device), kv, 0, cache, 0)
            results.append(model(x, torch.full((1, 3), 908.8, device=device), kv, 3, cache, 3 * tokens))
        a, b = results
        out["rel_err"] = ((b - a).norm() / a.norm()).item()
        out["layers"] = cfg.num_layers
    del ref, low
    return out


def fp8_vs_bf16(device: torch.device) -> dict:
    """The same random krea-14b and the same seed, 3 blocks in bf16 then 3 in FP8: how far the pictures move."""
    from vcam.engine import random_engine
    from vcam.quant import fp8_unsupported, quantize_fp8

    why = fp8_unsupported(device)
    if why is not None:
        return {"skipped": why}
    engine = random_engine(get_spec("krea-14b"), device, torch.bfloat16)
    stream = engine.stream("a benchmark", seed=3)
    bf16 = [stream.next_block() for _ in range(3)]
    quantize_fp8(engine.model.blocks, device)
    stream.reset()
    fp8 = [stream.next_block() for _ in range(3)]
    diffs = [abs(a.astype("float32") - b.astype("float32")) for a, b in zip(bf16, fp8)]
    mse = [float((d ** 2).mean()) for d in diffs]
    psnr = [10 * __import__("math").log10(255.0 ** 2 / max(m, 1e-9)) for m in mse]
    del engine, stream
    return {"mean_abs_diff": [round(float(d.mean()), 2) for d in diffs], "psnr_db": [round(p, 1) for p in psnr]}


def paths_vs_plain(device: torch.device) -> dict:
    """The overlap option (second CUDA stream) and CUDA graphs against the plain loop: the same random krea-14b
    (8 layers on a GPU, to be quick), same seed, 4 blocks with a prompt change; the largest pixel difference."""
    from dataclasses import replace as swap

    from vcam.engine import random_engine
    from vcam.speed import SpeedOptions

    if device.type == "cuda":
        full = get_spec("krea-14b")
        spec = replace(full, transformer=replace(full.transformer, num_layers=8))
        dtype, size = torch.bfloat16, (832, 480)
    else:
        spec, dtype, size = get_spec("tiny"), torch.float32, (112, 64)
    engine = random_engine(spec, device, dtype)

    def frames(speed: SpeedOptions, graphed: bool = False):
        e = swap(engine, speed=speed)
        s = e.stream("a harbour at dawn", seed=9, width=size[0], height=size[1])
        if graphed and device.type != "cuda":
            from vcam.graphs import GraphedPasses

            s._passes = GraphedPasses(e.model, s._cache, emulate=True)
        out, submitted = [], 0
        depth = 2 if s.overlapped else 1
        while len(out) < 4:
            while s.in_flight < depth:
                if submitted == 2:
                    s.set_prompt("a desert at noon", transition=2)
                s.submit()
                submitted += 1
            out.append(s.collect())
        return out

    plain = frames(SpeedOptions())
    result = {}
    cuda = device.type == "cuda"
    for label, speed in (("overlap", SpeedOptions(overlap=True)),
                         ("graphs", SpeedOptions(graphs=cuda)),
                         ("overlap+graphs", SpeedOptions(overlap=True, graphs=cuda))):
        got = frames(speed, graphed="graphs" in label)
        result[label] = max(int(abs(a.astype("int16") - b.astype("int16")).max()) for a, b in zip(got, plain))
    del engine
    return result


def kernels_used(device: torch.device) -> dict:
    """Names of the attention kernels in one recompute pass and one denoise pass of a 4-layer model."""
    if device.type != "cuda":
        return {"note": "no CUDA"}
    from torch.profiler import ProfilerActivity, profile

    cfg = replace(get_spec("krea-14b").transformer, num_layers=4)
    with torch.device("meta"):
        m = CausalWanModel(cfg)
    m = init_random_(m.to_empty(device=device), 0).cast(torch.bfloat16).fuse_qkv().eval()
    from vcam.model import Rope

    m.rope = Rope(cfg.head_dim, cfg.rope_max_positions).to(device)
    x = torch.randn(1, 16, 3, 60, 104, device=device)
    kv = m.text_kv(torch.randn(1, 512, cfg.text_dim, device=device))
    cache = KVCache(cfg, 1, 6 * 1560, m.dtype, device)
    found = {}
    for name, start in (("recompute", 0), ("denoise", 3)):
        with torch.no_grad(), profile(activities=[ProfilerActivity.CUDA]) as prof:
            m(x, torch.zeros(1, 3, device=device), kv, start, cache, start * 1560)
            torch.cuda.synchronize()
        names = {e.key for e in prof.key_averages()}
        attn = sorted(n for n in names if any(s in n.lower() for s in ("flash", "fmha", "cudnn", "attention",
                                                                        "efficient", "sdpa")))
        found[name] = attn[:4]
    return found


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--smoke", action="store_true", help="run on the CPU with the tiny model")
    p.add_argument("--out", default=None, help="write the results as JSON here too")
    args = p.parse_args()
    device = torch.device("cpu" if args.smoke or not torch.cuda.is_available() else "cuda")
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(f"gpu_check on {name}, torch {torch.__version__}", flush=True)
    results: dict = {"device": name, "torch": torch.__version__}
    t0 = time.time()

    def step(label, fn):
        print(f"-- {label}", flush=True)
        try:
            results[label] = fn()
        except Exception as e:  # one failing check must not hide the others
            traceback.print_exc()
            results[label] = {"error": f"{e.__class__.__name__}: {e}"}
        print(f"   {results[label] if not hasattr(results[label], 'table') else ''}", flush=True)

    step("bf16_vs_fp32", lambda: bf16_vs_fp32(device, 8, (832, 480)))
    step("kernels", lambda: kernels_used(device))
    step("fp8_vs_bf16", lambda: fp8_vs_bf16(device))
    step("paths_vs_plain", lambda: paths_vs_plain(device))
    model = "tiny" if device.type == "cpu" else "krea-14b"
    blocks = 2 if device.type == "cpu" else 6
    matrix = [
        ("832x480 bf16", BenchSettings(model=model, blocks=blocks)),
        ("832x480 bf16 unfused", BenchSettings(model=model, blocks=blocks, fuse=False)),
        ("832x480 bf16 cudnn", BenchSettings(model=model, blocks=blocks, attention="cudnn")),
        ("832x480 bf16 flash", BenchSettings(model=model, blocks=blocks, attention="flash")),
        ("576x320 bf16", BenchSettings(model=model, blocks=blocks, width=576, height=320)),
        ("832x480 fp8", BenchSettings(model=model, blocks=blocks, quant="fp8")),
        ("832x480 bf16 overlap", BenchSettings(model=model, blocks=blocks, overlap=True)),
        ("832x480 bf16 graphs", BenchSettings(model=model, blocks=blocks, graphs=True)),
        ("832x480 bf16 compiled", BenchSettings(model=model, blocks=blocks, compile=True)),
        ("832x480 bf16 compiled+overlap", BenchSettings(model=model, blocks=blocks, compile=True, overlap=True)),
        ("576x320 bf16 compiled+overlap", BenchSettings(model=model, blocks=blocks, compile=True, overlap=True,
                                                        width=576, height=320)),
        ("832x480 fp8 compiled+overlap", BenchSettings(model=model, blocks=blocks, compile=True, overlap=True,
                                                       quant="fp8")),
    ]
    rows = []
    for label, settings in matrix:
        if device.type == "cpu":
            settings.width = settings.height = None
            if settings.attention in ("cudnn", "flash") or settings.quant != "none" or settings.graphs:
                continue
            if settings.compile:
                continue  # minutes of compiling on a CPU; tests/test_speed_paths.py covers the compiled path
        print(f"-- bench {label}", flush=True)
        try:
            r = bench(settings, log=lambda s: print("   " + s, flush=True))
            rows.append((label, r))
            results[f"bench {label}"] = json.loads(r.to_json())
            print(r.table(), flush=True)
        except Exception as e:
            traceback.print_exc()
            results[f"bench {label}"] = {"error": f"{e.__class__.__name__}: {e}"}
        if device.type == "cuda":
            torch.cuda.empty_cache()
    print("\n| settings | frames/s | ms/block | transformer ms | VAE ms | peak VRAM GB | efficiency |")
    print("|---|---|---|---|---|---|---|")
    for label, r in rows:
        transformer = sum(v for k, v in r.stages_ms.items() if k == "recompute" or k.startswith("pass"))
        vram = f"{r.peak_vram_gb:.1f}" if r.peak_vram_gb is not None else "-"
        print(f"| {label} | {r.frames_per_second:.2f} | {r.ms_per_block:.0f} | {transformer:.0f} | "
              f"{r.stages_ms.get('vae decode', 0):.0f} | {vram} | {100 * r.efficiency:.0f} % |")
    print(f"\nbf16 vs fp32: {results.get('bf16_vs_fp32')}")
    print(f"kernels: {results.get('kernels')}")
    print(f"fp8 vs bf16: {results.get('fp8_vs_bf16')}")
    print(f"overlap / graphs vs plain, largest pixel difference: {results.get('paths_vs_plain')}")
    print(f"total {time.time() - t0:.0f} s")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
