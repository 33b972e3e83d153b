"""Every check that needs a CUDA GPU, in one run, ending in a short table (for BENCHMARKS.md).

    python3 scripts/gpu_check.py              # on the GPU machine: about 7-9 minutes of work on an H200 by the
                                              # 2026-11-28 runs (before the video-in rows, which reuse their
                                              # text rows' builds), so what does not fit before --budget (540 s)
                                              # is skipped
    python3 scripts/gpu_check.py --quick      # the main rows only, for a second try in little time
    python3 scripts/gpu_check.py --compiled   # one Linear in bf16 and FP8, then the compiled rows only
    python3 scripts/gpu_check.py --split      # 832x480 bf16 eager, compiled, compiled with inductor's
                                              # coordinate-descent tuning, compiled max-autotune, each with the
                                              # profiler split of its passes (GEMM / attention / the rest);
                                              # --split compiled,coordinate and --split autotune: in two runs
    python3 scripts/gpu_check.py --study      # pieces of a block timed apart (scripts/kernel_study.py): one layer
                                              # compiled each way, FFN's GELU epilogue, the VAE decode's layouts
    python3 scripts/gpu_check.py --smoke      # the same code on a CPU with the tiny model, to catch mistakes

1. The card measured for a second (vcam.bench.cards.measure_card), against its datasheet row; bf16 against a
   float32 reference: one denoising pass of a full-width, reduced-depth transformer.
2. Which SDPA kernel actually runs for both pass kinds (recompute and denoise); the VAE decode in float16 (as a
   bf16 engine runs it) and bf16 against float32; TAEHV's decoder (--decoder taehv, random weights) against the
   VAE's: ms per block and the difference.
3. The eager bf16 baseline; NVFP4 (Blackwell cards only; elsewhere the reason it is refused) and FP8 against bf16
   (PSNR).
4. The compiled rows, each from its own build (what a show runs: compiled is the live default on a GPU): 832x480
   and 576x320, bf16 and FP8 (and 832x480 NVFP4 on a Blackwell card), each followed by its video-to-video twin on
   the same build (a moving clip restyled at the default strength: the VAE encode added), the first also at
   attention bias 0.3 (the segmented attention every show warms up with); then 832x480 FP8 with TAEHV's decoder,
   last 832x480 with INT8 attention where it runs.
5. Kernels never run on a card before, then an eager variant: INT8 attention (SageAttention 1.0.6: one pass's
   attention timed against SDPA, with its PSNR; elsewhere the reason it is refused), flash attention forced.
Steps run in order of importance and each is skipped when it would not end before the deadline, so the table is
always printed; one that fails is said in the table and the next runs; one still running --grace seconds past the
deadline (hung, or far past its guess) is cut short and the table printed. The output ends with the tables to paste
into BENCHMARKS.md; with --out, the JSON and those tables (the same name, .md) are written after every step, and
beside them the profiled blocks of the 832x480 bf16 rows as Chrome traces (trace-*.json.gz, for
scripts/split_trace.py). Each bench row records how many graphs torch.compile made during it (recompiles
included): a row that reuses a build should make none.
"""
from __future__ import annotations

import argparse
import importlib
import json
import math
import os
import sys
import threading
import time
import traceback
from contextlib import nullcontext
from dataclasses import asdict, replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.bench.bench import BenchSettings, bench, bench_engine, release_engines  # noqa: E402
from vcam.bench.cards import measure_card  # noqa: E402
from vcam.engine.compiling import graphs_compiled  # noqa: E402
from vcam.engine.configs import get_spec  # noqa: E402
from vcam.engine.model import CausalWanModel, KVCache, Rope, init_random_  # noqa: E402
from vcam.engine.speed import COMPILE_MODES, SpeedOptions  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))  # as a script's own folder is, where a test loads this
from kernel_study import STUDIES, study_steps  # noqa: E402


def random_model(cfg, device: torch.device) -> CausalWanModel:
    """A float32 transformer of `cfg` with random weights made on `device` itself, ready to run."""
    with torch.device("meta"):
        model = CausalWanModel(cfg)
    model = init_random_(model.to_empty(device=device), 0).eval()
    model.rope = Rope(cfg.head_dim, cfg.rope_max_positions).to(device)
    return model


def bf16_vs_fp32(device: torch.device, layers: int, size: tuple[int, int]) -> dict:
    cfg = replace(get_spec("krea-14b").transformer, num_layers=layers)
    if device.type == "cpu":
        cfg = replace(get_spec("tiny").transformer)
    ref = random_model(cfg, device)
    low = random_model(cfg, device)  # the same weights: they depend only on the seed and their names
    low.cast(torch.bfloat16 if device.type == "cuda" else torch.float32).fuse_qkv()
    w, h = size
    gen = torch.Generator(device=device).manual_seed(1)
    x = torch.randn(1, 16, 3, h // 8, w // 8, generator=gen, device=device)
    ctx = torch.randn(1, 16, 3, h // 8, w // 8, generator=gen, device=device)
    text = torch.randn(1, 512, cfg.text_dim, generator=gen, device=device)
    tokens = ref.tokens_per_frame(h // 8, w // 8)
    out = {}
    # The reference is float32 throughout: no TF32 in its convolutions or matrix products.
    with torch.no_grad(), torch.backends.cudnn.flags(enabled=True, allow_tf32=False):
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


def three_blocks(engine) -> list:
    """The first 3 blocks of the same prompt and seed. A block that comes out NaN (random weights can overflow) is
    kept, as before a show refused them: these rows compare pictures, and a NaN one is a finding, not a stop."""
    stream = engine.stream("a benchmark", seed=3)
    stream.refuse_non_finite = False
    return [stream.next_block() for _ in range(3)]


def fp8_vs_bf16(engine) -> dict:
    """The same random krea-14b and seed, 3 blocks in bf16, then the engine is quantized in place and makes the
    same 3 blocks in FP8: how far the pictures move (PSNR per block; random weights, not the real model's)."""
    from vcam.engine.quant import fp8_unsupported, quantize_fp8

    why = fp8_unsupported(engine.device)
    if why is not None:
        return {"skipped": why}
    bf16 = three_blocks(engine)
    quantize_fp8(engine.model.blocks, engine.device)
    # A new stream: the old one's text K/V were made by the bf16 cross-attention matrices.
    fp8 = three_blocks(engine)
    diffs = [abs(a.astype("float32") - b.astype("float32")) for a, b in zip(bf16, fp8)]
    mse = [float((d ** 2).mean()) for d in diffs]
    psnr = [10 * math.log10(255.0 ** 2 / max(m, 1e-9)) for m in mse]
    return {"mean_abs_diff": [round(float(d.mean()), 2) for d in diffs], "psnr_db": [round(p, 1) for p in psnr]}


def ms(fn, reps: int = 20) -> float:
    """Milliseconds per call of `fn` on the card, after 3 untimed calls (the first builds kernels: Triton's, cuBLAS's
    choice); by the wall clock where there is no card (the tests' CPU runs of the GPU rows)."""
    for _ in range(3):
        fn()
    if not torch.cuda.is_available():
        t0 = time.perf_counter()
        for _ in range(reps):
            fn()
        return 1000.0 * (time.perf_counter() - t0) / reps
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    end.synchronize()
    return start.elapsed_time(end) / reps


def ffn_linear(device: torch.device) -> torch.nn.Module:
    """One FFN-sized Linear (5120 -> 13824) in bf16, the same weights each call."""
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(5120, 13824)).to(device, torch.bfloat16)


def int8_attention_row(engine, queries: int = 4680, keys: int = 9360) -> dict:
    """`--attention-quant int8` (SageAttention 1.0.6's INT8 Q·K kernel) against SDPA: one 832x480 denoising pass's
    self-attention (4680 queries over 9360 keys, 40 heads of 128, bf16, laid out as the model lays them out), ms
    by each and the SQNR of its output; then, as fp8_vs_bf16 does, the same random krea-14b and seed make 3 blocks
    with SDPA and 3 with INT8 self-attention: PSNR per block. The engine gets SDPA back. Where it cannot run:
    why."""
    from vcam.engine.attention import int8_attention, int8_attention_unsupported

    cfg = engine.model.cfg
    why = int8_attention_unsupported(engine.device, cfg.head_dim)
    if why is not None:
        return {"skipped": why}

    gen = torch.Generator(device=engine.device).manual_seed(4)
    q, k, v = (torch.randn(1, n, cfg.num_heads, cfg.head_dim, generator=gen, device=engine.device,
                           dtype=torch.bfloat16).transpose(1, 2) for n in (queries, keys, keys))
    out: dict = {}
    with torch.no_grad():
        exact = torch.nn.functional.scaled_dot_product_attention(q, k, v)
        out["sdpa_ms"] = round(ms(lambda: torch.nn.functional.scaled_dot_product_attention(q, k, v)), 3)
        out["int8_ms"] = round(ms(lambda: int8_attention(q, k, v)), 3)  # with vcam's smoothing of K
        err = (int8_attention(q, k, v).float() - exact.float()).norm() / exact.float().norm()
        out["pass_sqnr_db"] = round(-20 * math.log10(max(err.item(), 1e-12)), 1)
    bf16 = three_blocks(engine)
    engine.model.set_int8_attention(True)
    try:
        int8 = three_blocks(engine)
    finally:
        engine.model.set_int8_attention(False)
    mse = [float(((a.astype("float32") - b.astype("float32")) ** 2).mean()) for a, b in zip(bf16, int8)]
    out["psnr_db"] = [round(10 * math.log10(255.0 ** 2 / max(m, 1e-9)), 1) for m in mse]
    return out


def vae_dtypes(device: torch.device) -> dict:
    """The streaming VAE decode in float16 (what a bf16 engine runs) and in bf16, against float32: pixel levels off
    (of 255) over 4 latents, and whether float16 stayed finite, on random weights of the real VAE's shape."""
    import copy

    from vcam.engine.vae import StreamingDecoder, build_vae

    spec, (w, h) = (get_spec("krea-14b"), (832, 480)) if device.type == "cuda" else (get_spec("tiny"), (112, 64))
    torch.manual_seed(1)
    vae = build_vae(spec.vae).to(device).eval()
    f = spec.vae.spatial_factor
    latents = torch.randn(1, 16, 4, h // f, w // f, device=device, generator=torch.Generator(device).manual_seed(2))
    with torch.backends.cudnn.flags(enabled=True, allow_tf32=False) if device.type == "cuda" else nullcontext():
        exact = StreamingDecoder(vae).decode(latents).float()
    result = {}
    for name, dtype in (("fp16", torch.float16), ("bf16", torch.bfloat16)):
        got = StreamingDecoder(copy.deepcopy(vae).to(dtype)).decode(latents).float()
        levels = (got - exact).abs() * 127.5
        result[name] = {"finite": bool(torch.isfinite(got).all()), "mean_levels": round(levels.mean().item(), 3),
                        "max_levels": round(levels.max().item(), 2)}
    del vae
    return result


def decoders_row(device: torch.device) -> dict:
    """--decoder taehv against the VAE: ms per block each (832x480, float16, eager) and the frames' difference
    (random weights: the times count, the difference does not; see vcam/bench/decoders.py)."""
    from vcam.bench.decoders import compare_decoders

    return compare_decoders(device, model="krea-14b" if device.type == "cuda" else "tiny").to_dict()


def fp8_linear(device: torch.device) -> dict:
    """One FFN-sized Linear (4680 tokens, 5120 -> 13824) in bf16 and in FP8, eager and compiled: ms for each, and
    the kernels eager FP8 runs, to tell the matrix product from the scaling around it."""
    if device.type != "cuda":
        return {"note": "no CUDA"}
    from torch.profiler import ProfilerActivity, profile

    from vcam.engine.quant import quantize_fp8

    x = torch.randn(4680, 5120, device=device, dtype=torch.bfloat16)
    bf, q8 = ffn_linear(device), quantize_fp8(ffn_linear(device), device)
    out: dict = {}
    with torch.no_grad():
        out["bf16_ms"] = ms(lambda: bf(x))
        out["fp8_eager_ms"] = ms(lambda: q8(x))
        ref = bf(x).float()
        out["fp8_rel_err"] = ((q8(x).float() - ref).norm() / ref.norm()).item()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            q8(x)
            torch.cuda.synchronize()
        out["fp8_eager_kernels"] = [f"{e.key[:80]} {e.device_time_total / 1000:.3f} ms"
                                    for e in sorted(prof.key_averages(), key=lambda e: -e.device_time_total)[:12]]
        compiled = torch.compile(q8)
        out["fp8_compiled_ms"] = ms(lambda: compiled(x))
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def nvfp4_vs_bf16(engine) -> dict:
    """`--quant nvfp4` against bf16 on the same random krea-14b and seed: 3 blocks each, PSNR per block. The NVFP4
    blocks are copies, made one at a time, and the engine gets its bf16 blocks back (the FP8 step follows). On a
    card that cannot run it: why (a Hopper card: compute capability 9.0)."""
    import copy

    from vcam.engine.quant import nvfp4_unsupported, quantize_nvfp4

    why = nvfp4_unsupported(engine.device)
    if why is not None:
        return {"skipped": why}
    bf16 = three_blocks(engine)
    blocks = engine.model.blocks
    engine.model.blocks = torch.nn.ModuleList(quantize_nvfp4(copy.deepcopy(b), engine.device) for b in blocks)
    try:
        nvfp4 = three_blocks(engine)
    finally:
        engine.model.blocks = blocks
    mse = [float(((a.astype("float32") - b.astype("float32")) ** 2).mean()) for a, b in zip(bf16, nvfp4)]
    return {"psnr_db": [round(10 * math.log10(255.0 ** 2 / max(m, 1e-9)), 1) for m in mse]}


def nvfp4_linear(device: torch.device) -> dict:
    """One FFN-sized Linear (4680 tokens, 5120 -> 13824) in bf16 and in NVFP4, eager and compiled: ms for each,
    and the SQNR of NVFP4's output against bf16's (about 17 dB expected on Gaussian data: tests/test_nvfp4.py)."""
    from vcam.engine.quant import nvfp4_unsupported, quantize_nvfp4

    why = nvfp4_unsupported(device)
    if why is not None:
        return {"skipped": why}

    x = torch.randn(4680, 5120, device=device, dtype=torch.bfloat16)
    bf, q4 = ffn_linear(device), quantize_nvfp4(ffn_linear(device), device)
    out: dict = {}
    with torch.no_grad():
        out["bf16_ms"] = ms(lambda: bf(x))
        out["nvfp4_eager_ms"] = ms(lambda: q4(x))
        ref = bf(x).float()
        out["nvfp4_sqnr_db"] = 20 * math.log10(ref.norm() / (q4(x).float() - ref).norm())
        compiled = torch.compile(q4)
        out["nvfp4_compiled_ms"] = ms(lambda: compiled(x))
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def kernels_used(device: torch.device) -> dict:
    """Names of the attention kernels in one recompute pass and one denoise pass of a 4-layer model."""
    if device.type != "cuda":
        return {"note": "no CUDA"}
    from torch.profiler import ProfilerActivity, profile

    cfg = replace(get_spec("krea-14b").transformer, num_layers=4)
    m = random_model(cfg, device).cast(torch.bfloat16).fuse_qkv()
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


class Run:
    """Runs the steps, printing as it goes and saving the results after each one, so a run cut short by a time
    limit still leaves everything it measured. A step that would not end before the deadline is skipped (with
    `need_s`, a generous guess of its time on an H100), so the run ends with its table printed."""

    def __init__(self, out: str | None, header: dict, deadline: float, started: float | None = None):
        self.out = Path(out) if out else None
        self.results = dict(header)
        self.rows: list[tuple[str, object]] = []
        self.deadline = deadline
        self.started = time.time() if started is None else started
        self.current: str | None = None  # the step running now, for the hard stop's line
        self._ending = threading.Lock()  # the last table is printed once: by the end of the steps or the hard stop
        self._ended = False
        self._saving = threading.Lock()  # the hard stop's files are written after a step's, never between them

    def _fits(self, label: str, need_s: float) -> bool:
        left = self.deadline - time.time()
        if left >= need_s:
            return True
        print(f"-- {label}: skipped, {left:.0f} s left before the deadline and it needs about {need_s:.0f} s",
              flush=True)
        self.results[label] = {"skipped": f"deadline ({left:.0f} s left, needs about {need_s:.0f} s)"}
        self.save()
        return False

    def step(self, label: str, fn, need_s: float = 30) -> object:
        if not self._fits(label, need_s):
            return None
        print(f"-- {label}", flush=True)
        t0 = time.time()
        self.current = label
        try:
            value = fn()
        except (Exception, SystemExit) as e:  # one failing check must not hide the others
            traceback.print_exc()
            value = {"error": f"{e.__class__.__name__}: {e}"}
        seconds = round(time.time() - t0, 1)
        shown = value if isinstance(value, (dict, list)) else {"seconds": seconds}  # an engine: its build time
        self.results[label] = shown
        print(f"   {shown}  ({seconds:.0f} s)", flush=True)
        self.save()
        return value

    def bench_row(self, label: str, settings: BenchSettings, engine, need_s: float = 40, within=None) -> None:
        if not built(engine):  # None: its build was skipped for time; a dict: the build's error
            why = "deadline (its build was skipped)" if engine is None else "its build failed"
            print(f"-- bench {label}: skipped, {why}", flush=True)
            self.results[f"bench {label}"] = {"skipped": why}
            self.save()
            return
        if not self._fits(f"bench {label}", need_s):
            return
        print(f"-- bench {label}", flush=True)
        self.current = f"bench {label}"
        if settings.split and self.out is not None and label in TRACED_ROWS:
            settings = replace(settings, split_trace=str(self.out.parent / trace_name(label)))
        try:
            graphs = graphs_compiled()
            with within or nullcontext():
                r = bench(settings, log=lambda s: print("   " + s, flush=True), engine=engine)
            self.rows.append((label, r))
            # a row on a build that ran before should compile nothing: one that does pays for it in its blocks
            compiled_now = graphs_compiled() - graphs
            self.results[f"bench {label}"] = json.loads(r.to_json()) | {"graphs_compiled": compiled_now}
            print(r.table(), f"\n  graphs compiled   {compiled_now:9d}   (by torch.compile during the row)", flush=True)
        except (Exception, SystemExit) as e:
            traceback.print_exc()
            self.results[f"bench {label}"] = {"error": f"{e.__class__.__name__}: {e}"}
        self.save()

    def save(self) -> None:
        """The results as JSON, and the tables beside them (`.md`): both come back even from a run killed later."""
        self.current = None
        self._write()

    def partial(self, label: str, value: dict) -> None:
        """What the step `label` has found so far (a study's rows), saved while it still runs: a hard stop in its
        next part keeps them."""
        with self._ending:  # never between the hard stop's reading of the rows and its last file
            if self._ended:  # that file has the step's rows with the stop's error: not to be written over
                return
            self.results[label] = value
            self._write()

    def _write(self) -> None:
        if self.out is None:
            return
        with self._saving:
            # a copy: the hard stop saves while a step may still add to them (json.dumps with indent goes through
            # a dict in Python code, and one that grows meanwhile raises)
            results = dict(self.results)
            _write_whole(self.out, json.dumps(results, indent=2, default=str))
            _write_whole(self.out.with_suffix(".md"), self.text().lstrip("\n") + "\n")

    def details(self) -> list[str]:
        """The profiler split of each row that has one: long, so it comes before the tables."""
        lines = []
        for label, r in list(self.rows):
            if getattr(r, "split", None) is not None:
                lines.append(f"{label}: {_guarded(r.split.table)}")
        return lines

    def summary(self, total_s: float | None = None) -> list[str]:
        """The tables to paste into BENCHMARKS.md: every bench row (its error or why it was skipped where it did not
        run), then every check, one line each, cut short where long (the JSON has them whole)."""
        total_s = time.time() - self.started if total_s is None else total_s
        results = list(self.results.items())  # a copy: the hard stop prints while a step may still add to it
        header = dict.fromkeys(HEADER_KEYS, "?") | {k: v for k, v in results if k in HEADER_KEYS}
        lines = [f"gpu_check on {header['device']}, torch {header['torch']}, "
                 + ", ".join(f"{k} {header[k]}" for k in HEADER_KEYS[2:]) + f"; {total_s:.0f} s", "",
                 "| settings | frames/s | ms/block | transformer ms | VAE ms (decode + context + encode) "
                 "| peak VRAM GiB (estimate) | efficiency | warm-up s |",
                 "|---|---|---|---|---|---|---|---|"]
        done = dict(list(self.rows))
        for key, value in results:
            if not key.startswith("bench "):
                continue
            label = key.removeprefix("bench ")
            lines.append(_guarded(lambda: bench_line(label, done[label])) if label in done
                         else f"| {label} | {_cell(value)} |")
        lines += ["", "| check | result |", "|---|---|"]
        for key, value in results:
            if key not in HEADER_KEYS and not key.startswith("bench "):
                lines.append(f"| {key} | {_cell(value)} |")
        skipped = [k for k, v in results if isinstance(v, dict) and "deadline" in str(v.get("skipped"))]
        if skipped:
            lines.append(f"\nskipped for time: {', '.join(skipped)}")
        return lines

    def text(self, total_s: float | None = None) -> str:
        return "\n".join(["", *self.details(), "", *self.summary(total_s)])

    def print_table(self, total_s: float | None = None) -> None:
        """Prints the splits, then ends with the tables (also saved beside the JSON by `save`)."""
        self.save()
        print(self.text(total_s), flush=True)

    def finish(self) -> None:
        """The steps are done: the last table, unless the hard stop printed it."""
        with self._ending:
            if not self._ended:
                self._ended = True
                self.print_table()

    def stop(self, grace_s: float) -> None:
        """The hard stop, `grace_s` after the deadline: a step still running (hung, or far past its guess) is said,
        the table printed and saved, and the process ends, before the machine's own limit kills it table and
        all."""
        with self._ending:
            if self._ended:
                return
            self._ended = True
            try:
                step = self.current or "between steps"
                print(f"\n-- hard stop: {grace_s:.0f} s past the deadline, {step} still running; ending here",
                      flush=True)
                if self.current is not None:  # what it saved as it went (Run.partial) is kept beside
                    so_far = self.results.get(self.current)
                    self.results[self.current] = {**(so_far if isinstance(so_far, dict) else {}),
                                                  "error": f"stopped: still running {grace_s:.0f} s past the deadline"}
                self.print_table()
                sys.stdout.flush()
            finally:  # ended even where the table cannot be (tee gone: a broken pipe): a hung step ends nothing
                os._exit(3)


HEADER_KEYS = ("device", "torch", "diffusers", "torchao", "transformers", "sageattention")


def bench_line(label: str, r) -> str:
    transformer = sum(v for k, v in r.stages_ms.items() if k == "recompute" or k.startswith("pass"))
    vae = sum(r.stages_ms.get(k, 0) for k in ("vae decode", "context", "vae encode"))
    vram = f"{r.peak_vram_gb:.1f} ({r.estimated_vram_gb:.1f})" if r.peak_vram_gb is not None else "-"
    return (f"| {label} | {r.frames_per_second:.2f} | {r.ms_per_block:.0f} | {transformer:.0f} | {vae:.0f} | "
            f"{vram} | {100 * r.efficiency:.0f} % | {r.warmup_s:.0f} |")


def _write_whole(path: Path, text: str) -> None:
    """`text` into `path` by a rename: a run killed mid-write (the machine's limit, or the hard stop while a step
    saves) leaves the last whole version, not a cut one."""
    part = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    part.write_text(text)
    os.replace(part, path)


def _cell(value: object, width: int = 240) -> str:
    """A result as one table cell: no newlines or pipes, cut at `width` characters."""
    text = str(value).replace("\n", " ").replace("|", "/")
    return text if len(text) <= width else text[:width - 1] + "…"


def _guarded(make) -> str:
    """What `make()` returns, or the error it raised: one broken row must not cost the rest of the table."""
    try:
        return make()
    except Exception as e:
        return f"(could not print: {e.__class__.__name__}: {e})"


def built(engine) -> bool:
    """Whether a build step gave an engine (not its error, nor nothing for want of time)."""
    return engine is not None and not isinstance(engine, dict)


def release(device: torch.device) -> None:
    try:
        release_engines(device)
    except Exception:  # a CUDA error left by a failed row must not cost the table
        traceback.print_exc()


def _version_of(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--smoke", action="store_true", help="run on the CPU with the tiny model")
    p.add_argument("--out", default=None, help="write the results as JSON here too (after every step)")
    p.add_argument("--quick", action="store_true", help="only the main rows (for a second try in little time)")
    p.add_argument("--compiled", action="store_true",
                   help="one Linear in bf16 and FP8, then only the compiled rows (bf16 and FP8, two sizes)")
    p.add_argument("--split", nargs="?", const=",".join(SPLIT_ROWS), metavar="ROWS",
                   help="only 832x480 bf16 eager, compiled and compiled with max-autotune (or those of them named, "
                        f"comma-separated: {','.join(SPLIT_ROWS)}), each with its profiler split")
    p.add_argument("--study", nargs="?", const=",".join(STUDIES), metavar="NAMES",
                   help="only the studies of pieces of a block (scripts/kernel_study.py), or those named, "
                        f"comma-separated: {','.join(STUDIES)}")
    p.add_argument("--budget", type=float, default=float(os.environ.get("GPU_CHECK_BUDGET_S", 540)),
                   help="seconds from GPU_CHECK_START (else from now) by which the table must be printed")
    p.add_argument("--grace", type=float, default=float(os.environ.get("GPU_CHECK_GRACE_S", 45)),
                   help="seconds past the budget at which a step still running is cut short and the table printed "
                        "(the default leaves 15 s of a 600 s machine call for the table and the files)")
    args = p.parse_args()
    unknown = sorted(set(args.split.split(",")) - set(SPLIT_ROWS)) if args.split else []
    if unknown:  # said before anything runs, not after an empty table
        p.error(f"no split row {', '.join(unknown)}; the rows are {', '.join(SPLIT_ROWS)}")
    unknown = sorted(set(args.study.split(",")) - set(STUDIES)) if args.study else []
    if unknown:
        p.error(f"no study {', '.join(unknown)}; the studies are {', '.join(STUDIES)}")
    try:  # minutes of GPU time must not go to a run that cannot build an engine
        importlib.import_module("diffusers").AutoencoderKLWan
    except Exception as e:
        print(f"gpu_check: diffusers does not import ({e}): run scripts/fetch_gpu_wheels.sh and carry .whl")
        return 1
    if not args.smoke and not torch.cuda.is_available():  # the CPU version is --smoke's; a card's time is not for it
        print(f"gpu_check: no CUDA device visible to torch {torch.__version__} (--smoke runs the CPU version)")
        return 1
    device = torch.device("cpu" if args.smoke else "cuda")
    cuda = device.type == "cuda"
    name = torch.cuda.get_device_name(device) if cuda else "cpu"
    versions = {pkg: _version_of(pkg) for pkg in ("diffusers", "torchao", "transformers", "sageattention")}
    print(f"gpu_check on {name}, torch {torch.__version__}, "
          + ", ".join(f"{k} {v}" for k, v in versions.items()), flush=True)
    started = float(os.environ.get("GPU_CHECK_START", time.time()))
    run = Run(args.out, {"device": name, "torch": torch.__version__, **versions}, deadline=started + args.budget,
              started=started)
    if bias_tests := os.environ.get("GPU_CHECK_BIAS_TESTS"):  # run by gpu_check.sh before this, under pytest
        run.results["attention bias CUDA tests"] = bias_tests
    watchdog = threading.Timer(max(0.0, run.deadline + args.grace - time.time()), run.stop, args=(args.grace,))
    watchdog.daemon = True
    watchdog.start()
    try:
        if args.study:
            study_steps(run, device, args.study.split(","))
        elif args.split:
            split_steps(run, device, args.split.split(","))
        else:
            (compiled_steps if args.compiled else steps)(run, device, args.quick)
    finally:
        watchdog.cancel()
        run.finish()
    return 0


def compiled_rows(device: torch.device) -> list[tuple[str, dict, SpeedOptions]]:
    """The compiled rows as (label, size, speed options), most wanted first: the live default, then FP8 (and NVFP4
    on a Blackwell card), FP8 with TAEHV's decoder, then the smaller size (measured on two H200s already). On a
    CPU the same labels run tiny, eager."""
    cuda = device.type == "cuda"
    bf16, fp8 = SpeedOptions(compile=cuda), SpeedOptions(compile=cuda, quant="fp8" if cuda else "none")
    big = dict(width=576, height=320) if cuda else {}
    rows = [("832x480 bf16 compiled", {}, bf16),
            ("832x480 fp8 compiled", {}, fp8),
            ("576x320 bf16 compiled", big, bf16),
            ("576x320 fp8 compiled", big, fp8)]
    from vcam.engine.attention import int8_attention_unsupported
    from vcam.engine.quant import nvfp4_unsupported

    if cuda:  # the fastest show there is, inexact twice over: TAEHV's decoder took 15 of the VAE's 273 ms eager.
        # After the FP8 row, whose transformer kernels it finds in inductor's cache
        rows.insert(2, ("832x480 fp8 compiled taehv", {}, replace(fp8, decoder="taehv")))
    if cuda and runs_here("nvfp4", lambda: nvfp4_unsupported(device)):  # Blackwell: 4-bit, never measured, so
        rows.insert(2, ("832x480 nvfp4 compiled", {}, SpeedOptions(compile=True, quant="nvfp4")))  # before TAEHV
    head_dim = get_spec("krea-14b").transformer.head_dim
    # last: 1.7x slower than cuDNN's attention on an H200 (2026-12-04), so the least wanted
    if cuda and runs_here("int8 attention", lambda: int8_attention_unsupported(device, head_dim)):
        rows.append(("832x480 bf16 int8 compiled", {}, SpeedOptions(compile=True, attention_quant="int8")))  # last
    return rows


def runs_here(name: str, why_not) -> bool:
    """Whether `why_not()` (a kernel's own check) finds nothing against running it here. The check itself failing
    (an import raising more than ImportError, say) counts as no, said, so the rows around it still run."""
    try:
        return why_not() is None
    except Exception as e:
        print(f"-- {name}: its check failed ({e.__class__.__name__}: {e}); its row is left out", flush=True)
        return False


# The rows whose profiled block comes back whole (a gzipped Chrome trace beside the JSON, a few MB): the split's
# kernels can then be placed again off the card (scripts/split_trace.py). Few, since a call returns 8 files at most.
TRACED_ROWS = ("832x480 bf16", "832x480 bf16 compiled", "832x480 bf16 eager", "832x480 bf16 compiled max-autotune",
               "832x480 bf16 compiled coordinate-descent")


def trace_name(label: str) -> str:
    return "trace-" + label.replace(" ", "-") + ".json.gz"


def base_settings(device: torch.device) -> dict:
    """What every row shares: krea-14b on a GPU (tiny on a CPU), 3 warm-up blocks (the third is the first to
    re-encode a context frame, the encoder's first call), 4 timed, then one profiled for the split (a few seconds;
    not for the video-in rows)."""
    cuda = device.type == "cuda"
    return dict(model="krea-14b" if cuda else "tiny", blocks=4 if cuda else 2, warmup=3, split=True)


def run_compiled(run: Run, device: torch.device, quick: bool) -> None:
    """The compiled rows (the first two with `quick`), each from its own build: a compiled engine's kernels belong
    to its size and options. The row's warm-up holds the compiling, with a cold cache on a fresh machine
    (`warmup_s` in its JSON). Each is followed by its video-to-video row on the same build: the transformer and
    decoder kernels are those compiled already, the encoder runs eager."""
    base = base_settings(device)
    rows = compiled_rows(device)
    for i, (label, size, speed) in enumerate(rows[:2] if quick else rows):
        settings = BenchSettings(**base, **size, speed=speed)
        # SageAttention's kernels compile too, with a graph break at each layer's attention. TAEHV's row is the FP8
        # row's transformer again (its kernels in the compile cache: that row's warm-up took 19 s on an H200) and a
        # small decoder, and its split would say what the FP8 row's did: it fits where 100 s would be skipped
        need_s = 150 if speed.attention_quant != "none" else 60 if speed.decoder == "taehv" else 100
        if speed.decoder == "taehv":
            settings = replace(settings, split=False)
        engine = run.step(f"build {label}", lambda: bench_engine(settings), need_s=30 + need_s)
        run.bench_row(label, settings, engine, need_s=need_s)
        if i == 0:  # Krea's bias, as every show warms up with: the segmented attention, compiled, on the card
            run.bench_row(f"{label} bias 0.3", replace(settings, bias=0.3, split=False), engine, need_s=60)
        if speed.decoder == "vae":  # the encode a video adds is the VAE's whichever decoder runs
            run.bench_row(f"{label} video in", replace(settings, input=True, split=False), engine, need_s=50)
        del engine
        release(device)


def compiled_steps(run: Run, device: torch.device, quick: bool) -> None:
    """`--compiled`: where FP8's time goes in one Linear, then the compiled rows."""
    run.step("fp8_linear", lambda: fp8_linear(device), need_s=40)
    run.step("nvfp4_linear", lambda: nvfp4_linear(device), need_s=40)
    run_compiled(run, device, quick)


SPLIT_ROWS = ("eager", "compiled", "coordinate", "autotune")


def coordinate_descent():
    """Inductor tuning the block sizes of its own pointwise and reduction kernels at their first call. Compiled
    832x480 bf16 on an H200 spent 12 % of a pass between the GEMMs, its two largest kernels (residual add,
    LayerNorm, modulation) at about 30 % of the card's bandwidth: what this row measures is whether tuning them
    is worth an option. Not yet one: an experiment of this script's."""
    import torch._inductor.config

    return torch._inductor.config.patch(coordinate_descent_tuning=True)


def split_steps(run: Run, device: torch.device, names: list[str]) -> None:
    """`--split`: where a pass's time goes before and after each way of compiling, 832x480 bf16, each from its own
    build (release() resets torch.compile between them, so each compiles afresh). Max-autotune last: its warm-up
    autotunes every GEMM shape (its time is the row's `warmup_s`)."""
    cuda = device.type == "cuda"
    autotune = SpeedOptions(compile=cuda, compile_mode=COMPILE_MODES[1] if cuda else "default")
    rows = {"eager": ("832x480 bf16 eager", SpeedOptions(), 40, None),
            "compiled": ("832x480 bf16 compiled", SpeedOptions(compile=cuda), 100, None),
            "coordinate": ("832x480 bf16 compiled coordinate-descent", SpeedOptions(compile=cuda), 200,
                           coordinate_descent),
            "autotune": ("832x480 bf16 compiled max-autotune", autotune, 400, None)}
    for label, speed, need_s, within in (rows[name] for name in SPLIT_ROWS if name in names):
        settings = BenchSettings(**base_settings(device), speed=speed)
        engine = run.step(f"build {label}", lambda: bench_engine(settings), need_s=30 + need_s)
        run.bench_row(label, settings, engine, need_s=need_s, within=within() if within else None)
        del engine
        release(device)


def steps(run: Run, device: torch.device, quick: bool) -> None:
    """In order of what matters most, so that what the deadline cuts is the least needed: correctness, the eager
    baseline, FP8's picture, the compiled rows (what a show runs), then what runs kernels never run on a card
    before (SageAttention's INT8 attention) and the eager variant already measured on an H200 (a forced attention
    kernel): last, since a misbehaving kernel could leave the CUDA context broken for every row after it."""
    if not quick:
        run.step("card", lambda: asdict(measure_card(device)) if device.type == "cuda" else {"skipped": "no CUDA"},
                 need_s=15)  # the second's measurement a card missing from the table gets: against the datasheet
        run.step("bf16_vs_fp32", lambda: bf16_vs_fp32(device, 8, (832, 480)), need_s=40)
        run.step("kernels", lambda: kernels_used(device), need_s=30)
        run.step("vae_dtypes", lambda: vae_dtypes(device), need_s=30)
        run.step("decoders", lambda: decoders_row(device), need_s=40)
        release(device)

    base = base_settings(device)
    engine = run.step("build bf16", lambda: bench_engine(BenchSettings(**base)))
    run.bench_row("832x480 bf16", BenchSettings(**base), engine)
    if not quick and built(engine):
        run.step("nvfp4_vs_bf16", lambda e=engine: nvfp4_vs_bf16(e), need_s=60)  # gives the engine its bf16 back
        run.step("fp8_vs_bf16", lambda e=engine: fp8_vs_bf16(e), need_s=60)  # leaves the engine in FP8
    del engine
    release(device)
    run_compiled(run, device, quick)
    if quick:
        return
    engine = run.step("build bf16 again", lambda: bench_engine(BenchSettings(**base)), need_s=30 + 40)
    if built(engine):
        run.step("int8_attention", lambda e=engine: int8_attention_row(e), need_s=60)  # gives it SDPA back
    run.bench_row("832x480 bf16 flash", BenchSettings(**base, speed=SpeedOptions(attention="flash")), engine)
    del engine
    release(device)


if __name__ == "__main__":
    sys.exit(main())
