"""`vcam bench`: the real streaming loop on random weights, timed stage by stage, against the card's own limits.

Random weights have the real model's shapes, so the FLOPs and memory traffic are the real ones; nothing is
downloaded. On a CPU it runs `tiny` (for catching regressions, not for speed claims).
"""
from __future__ import annotations

import gc
import json
import re
import signal
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from vcam.bench.split import Split, profile_block
from vcam.engine.configs import ModelSpec, WanConfig, get_spec
from vcam.engine.device import on_device
from vcam.engine.speed import SpeedOptions
from vcam.engine.memory import GIB, SHARED_CARD_GIB, estimate_vram, held_by_others, out_of_memory_said_as_error
from vcam.engine.stream import LATENTS_PER_BLOCK
from vcam.errors import VcamError
from vcam.inspec import DEFAULT_STRENGTH
from vcam.live.signals import StoppedLoading
from vcam.words import counted

TEXT_TOKENS = 512
# Block 0 has no context: the steady state (and the context's kernels, compiled or chosen) starts at block 1, so the
# warm-up runs both whatever --warmup asks.
MIN_WARMUP = 2


@dataclass
class BenchSettings:
    model: str = "krea-14b"
    width: int | None = None
    height: int | None = None
    steps: int = 4
    blocks: int = 8
    warmup: int = 3
    dtype: str | None = None  # None: bf16 on a GPU (a CPU runs float32 whatever is asked)
    speed: SpeedOptions = SpeedOptions()
    device: str | None = None
    input: bool = False  # video in: a synthetic moving clip restyled at the default strength (the encode timed)
    bias: float = 1.0  # Krea's attention bias (below 1: the later blocks' attention runs by segments)
    split: bool = False  # profile one more block: GEMM / attention / everything else of a pass (vcam.bench.split)
    split_trace: str | None = None  # with split: that block's profile written here too, a gzipped Chrome trace

    @property
    def warmup_blocks(self) -> int:
        """The blocks the warm-up runs: `warmup`, and never fewer than MIN_WARMUP."""
        return max(MIN_WARMUP, self.warmup)


def warmup_said(settings: BenchSettings) -> str:
    """The line said as the warm-up begins."""
    # more blocks than asked, said with why: `--warmup 1` said as 2 blocks read as a slip of vcam's
    raised = (f"; --warmup {settings.warmup} runs {settings.warmup_blocks}: the first has no context, so the steady "
              "state starts at the second" if settings.warmup_blocks != settings.warmup else "")
    return (f"warming up ({counted(settings.warmup_blocks, 'block')}{', compiling' if settings.speed.compile else ''}"
            f"{raised}) …")


def moving_clip(width: int, height: int, frames: int = 24) -> np.ndarray:
    """A synthetic input video for `bench --in`: colour bands sliding sideways and a bright square crossing them,
    uint8 RGB [frames, height, width, 3] at the stream's size; looped, every block's 12 frames differ."""
    t, y, x = np.meshgrid(np.arange(frames), np.arange(height), np.arange(width), indexing="ij", sparse=True)
    phase = 2 * np.pi * (x / max(width, 1) + t / frames)
    clip = np.empty((frames, height, width, 3), np.uint8)
    for c in range(3):
        clip[..., c] = (127.5 + 100 * np.sin(phase + 2 * c) + 20 * np.cos(2 * np.pi * y / max(height, 1))).astype(
            np.uint8)
    side = max(2, min(width, height) // 4)
    for k in range(frames):
        left = (k * (width - side)) // max(frames - 1, 1)
        clip[k, (height - side) // 2:(height + side) // 2, left:left + side] = 235
    return clip


class StageTimer:
    """Times named stages of a block. On CUDA it records events (no host sync inside the block) and reads them
    once the block is done; on a CPU it reads the clock."""

    def __init__(self, device: torch.device):
        self.cuda = device.type == "cuda"
        self._marks: list[tuple[str, object, object]] = []
        self.totals: dict[str, float] = defaultdict(float)
        self.counts: dict[str, int] = defaultdict(int)

    @contextmanager
    def stage(self, name: str):
        if self.cuda:
            start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            start.record()
            yield
            end.record()
            self._marks.append((name, start, end))
        else:
            t0 = time.perf_counter()
            yield
            self._marks.append((name, t0, time.perf_counter()))

    def collect(self) -> None:
        """Adds the stages' times (ms) to the totals; call once a block is done (its frames are on the host, so
        waiting for its last events costs nothing)."""
        if self.cuda and self._marks:
            self._marks[-1][2].synchronize()
        for name, a, b in self._marks:
            self.totals[name] += a.elapsed_time(b) if self.cuda else (b - a) * 1000.0
            self.counts[name] += 1
        self._marks.clear()

    def averages(self) -> dict[str, float]:
        """Mean ms per stage, in the order the stages first ran."""
        return {name: self.totals[name] / self.counts[name] for name in self.totals}

    def reset(self) -> None:
        self._marks.clear()
        self.totals.clear()
        self.counts.clear()


def linear_params_per_token(cfg: WanConfig) -> int:
    """Weights each token passes through in one transformer pass (cross-attention K/V are per prompt)."""
    d = cfg.dim
    per_layer = 4 * d * d + 2 * d * d + 2 * d * cfg.ffn_dim  # self q,k,v,o; cross q,o; FFN
    head = d * cfg.out_channels * cfg.patch_size[0] * cfg.patch_size[1] * cfg.patch_size[2]
    patch = cfg.in_channels * d * cfg.patch_size[0] * cfg.patch_size[1] * cfg.patch_size[2]
    return cfg.num_layers * per_layer + head + patch


def flops_per_block(cfg: WanConfig, width: int, height: int, steps: int) -> dict[str, float]:
    """Matrix and attention FLOPs of one steady-state block (recompute + `steps` denoising passes)."""
    tokens = (height // 16) * (width // 16)
    q = LATENTS_PER_BLOCK * tokens
    matmul = 2.0 * linear_params_per_token(cfg) * q * (steps + 1)
    attn_layer = lambda keys: 4.0 * q * keys * cfg.dim  # QKᵀ and AV
    attention = cfg.num_layers * (attn_layer(q) + steps * attn_layer(2 * q) + (steps + 1) * attn_layer(TEXT_TOKENS))
    return {"matmul": matmul, "attention": attention, "total": matmul + attention}


def matmul_rate(device: torch.device, dtype: torch.dtype) -> float:
    """Measured FLOP/s of a large square matrix product on this device (what the card really sustains)."""
    n = 8192 if device.type == "cuda" else 1024
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    for _ in range(3):
        a @ b
    reps = 20 if device.type == "cuda" else 3
    if device.type == "cuda":
        torch.cuda.synchronize()
    t0 = time.perf_counter()
    for _ in range(reps):
        a @ b
    if device.type == "cuda":
        torch.cuda.synchronize()
    return 2.0 * n**3 * reps / (time.perf_counter() - t0)


@dataclass
class BenchResult:
    device: str
    model: str
    width: int
    height: int
    steps: int
    dtype: str
    compile: bool
    fuse: bool
    attention: str
    quant: str
    blocks: int
    frames_per_second: float
    ms_per_block: float
    stages_ms: dict[str, float] = field(default_factory=dict)
    peak_vram_gb: float | None = None
    estimated_vram_gb: float = 0.0  # vcam's own estimate for these settings, text encoder off the GPU
    matmul_tflops: float = 0.0
    model_tflop_per_block: float = 0.0
    achieved_tflops: float = 0.0
    efficiency: float = 0.0  # achieved / measured matmul rate
    ceiling_fps: float = 0.0  # the frame rate if every FLOP ran at the measured matmul rate
    others_vram_gb: float | None = None  # card memory held by other processes when timing began
    warmup_s: float = 0.0  # the untimed first blocks: compiling and kernel choice happen there
    input_strength: float | None = None  # with a video input (`--in`): its strength; None: text only
    bias: float = 1.0  # the attention bias the blocks were made at
    decoder: str = "vae"  # what decoded the latents: the Wan VAE's decoder, or TAEHV's tiny one
    split: Split | None = None  # with BenchSettings.split: where a pass's time went
    compile_mode: str = "default"  # torch.compile's mode for the blocks (SpeedOptions.compile_mode)
    attention_quant: str = "none"  # "int8": the self-attention through SageAttention's INT8 kernel
    # the PyTorch the blocks ran on, as --tune's key names it: a new one changes the kernels, so a number without it
    # could not be compared with another machine's or a later run's
    torch: str = field(default_factory=lambda: torch.__version__)

    def table(self) -> str:
        compiled = "off" if not self.compile else "on" if self.compile_mode == "default" else self.compile_mode
        lines = [
            f"vcam bench: {self.model} {self.width}x{self.height}, {counted(self.steps, 'step')}, {self.dtype}, "
            f"compile {compiled}, fused qkv {'on' if self.fuse else 'off'}, "
            f"attention {self.attention}, quant {self.quant}, on {self.device}"
            + (f", video in at strength {self.input_strength:g}" if self.input_strength is not None else "")
            + (f", attention bias {self.bias:g}" if self.bias != 1.0 else "")
            + (f", decoder {self.decoder}" if self.decoder != "vae" else "")
            + (f", attention quant {self.attention_quant}" if self.attention_quant != "none" else ""),
            f"  frames/s             {self.frames_per_second:8.2f}   "
            f"(12 frames per block, {counted(self.blocks, 'block')} timed)",
            f"  ms per block         {self.ms_per_block:8.1f}",
        ]
        for name, ms in self.stages_ms.items():
            lines.append(f"    {name:18s} {ms:8.1f}")
        if self.warmup_s:
            lines.append(f"  warm-up              {self.warmup_s:8.1f} s    (untimed, before the blocks above"
                         f"{'; compiling' if self.compile else ''})")
        if self.peak_vram_gb is not None:
            lines.append(f"  peak VRAM            {self.peak_vram_gb:8.1f} GiB  "
                         f"(estimate {self.estimated_vram_gb:.1f} GiB without the text encoder and headroom)")
        percent = 100 * self.efficiency
        lines += [
            f"  model work           {_flop(self.model_tflop_per_block)} per block",
            f"  achieved             {_flop(self.achieved_tflops)}/s",
            f"  measured matmul      {_flop(self.matmul_tflops)}/s  -> efficiency {percent:.{int(percent < 1)}f} %, "
            f"ceiling {self.ceiling_fps:.2f} frames/s before the VAE",
        ]
        if self.others_vram_gb is not None and self.others_vram_gb >= SHARED_CARD_GIB:
            lines.append(f"  (other processes held {self.others_vram_gb:.1f} GiB of this card: it was probably not "
                         "idle, so these numbers may be low)")
        if self.split is not None:
            lines.append(self.split.table())
        if self.quant != "none":  # the rate is timed on the dtype's matrices; FP8's peak is about 2x, FP4's 4x
            lines.append(f"  (efficiency and ceiling are against the {self.dtype} matrix rate, not "
                         f"{self.quant.upper()}'s)")
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2)


def _flop(tflop: float) -> str:
    """A FLOP count (or rate) in TFLOP, in GFLOP where under a tenth of one: the tiny model's read 0.00 TFLOP."""
    return f"{tflop:8.2f} TFLOP" if tflop >= 0.1 or tflop == 0 else f"{1000 * tflop:8.2f} GFLOP"


DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": torch.float32}


@dataclass(frozen=True)
class BenchTarget:
    """What a benchmark of some settings really runs: the device, model, dtype and size after the defaults and the
    CPU fallback (a tuning entry is keyed by these, not by what was typed)."""

    device: torch.device
    device_name: str  # torch.cuda.get_device_name, or "cpu"
    model: str
    dtype: torch.dtype
    width: int
    height: int

    @property
    def dtype_name(self) -> str:
        return str(self.dtype).removeprefix("torch.")


def _bench_device(name: str | None) -> torch.device:
    """The device asked for (else CUDA where there is one); VcamError saying what to do where it cannot run."""
    if name is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name.strip().lower())  # "CPU", "Cuda:1": torch takes only lower case
    except RuntimeError:
        # a card's number alone, as nvidia-smi lists it and other tools take it: ASCII digits, as isdigit() took "²"
        # and "١" too, which no tool takes as a card (torch.device("cuda:²") is refused in turn)
        if re.fullmatch(r"[0-9]+", name.strip()):
            meant = f"cuda:{int(name.strip())}"
            # offered only where it would run: on a CPU-only install, or past the last card, cuda:N is refused too
            if problem := _cuda_problem(torch.device(meant)):
                why, fix = problem
                raise VcamError(f"--device {name!r} is not a device, and as {meant} (a card's number alone) it "
                                f"cannot run: {why}", fix) from None
            raise VcamError(f"--device {name!r} is not a device; did you mean {meant}?", f"give {meant}") from None
        raise VcamError(f"--device {name!r} is not a device", "give cuda, cuda:1 or cpu") from None
    if device.type == "cpu":
        if device.index:  # torch takes cpu:7 and runs on the one CPU device, so a typo went unnoticed
            raise VcamError(f"--device {name}: the CPU is one device and takes no index", "give cpu")
        return torch.device("cpu")  # cpu:0 is that one device: said as cpu, as --device cpu is
    if device.type != "cuda":  # mps, xpu, meta…: the model's kernels and the timing are CUDA's or the CPU's
        raise VcamError(f"--device {name}: vcam bench runs on a CUDA device (NVIDIA, or AMD through ROCm) or the "
                        f"CPU, not on {device.type}", "give cuda, cuda:1 or cpu")
    if problem := _cuda_problem(device):
        why, fix = problem
        raise VcamError(f"--device {name}: {why}", fix)
    return device


def _cuda_problem(device: torch.device) -> tuple[str, str] | None:
    """Why the CUDA device `device` cannot run here, and the fix; None where it can."""
    if torch.version.cuda is None and torch.version.hip is None:  # ROCm's PyTorch names AMD cards "cuda" too
        return ("this PyTorch was built without CUDA (a CPU-only install)",
                "install PyTorch with CUDA (pytorch.org gives the command for this machine), or give --device cpu")
    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    if count == 0:
        return "no CUDA device is visible", "check nvidia-smi and CUDA_VISIBLE_DEVICES, or give --device cpu"
    if device.index is not None and device.index >= count:
        return (f"this machine has {count} CUDA device{'s' if count > 1 else ''}",
                f"give one of cuda:0 to cuda:{count - 1}" if count > 1 else "give cuda (cuda:0)")
    return None


def bench_target(settings: BenchSettings, log=print) -> BenchTarget:
    dtype = settings.dtype or "bf16"
    if dtype not in DTYPES:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(DTYPES)}")
    device = _bench_device(settings.device)
    if device.type != "cuda" and settings.dtype not in (None, "fp32"):
        log(f"--dtype {settings.dtype} is not used on the {device.type.upper()}: it runs float32")
    model = settings.model
    if device.type == "cpu" and get_spec(model).needs_cuda:
        # "no CUDA device" only where none was found: --device cpu on a machine with one asked for the CPU
        why = f"--device {settings.device}" if settings.device is not None else "no CUDA device"
        log(f"{why}: benchmarking tiny instead of {model} (for regressions, not for speed claims)")
        model = "tiny"
    spec: ModelSpec = get_spec(model)
    return BenchTarget(
        device=device, device_name=torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        model=model, dtype=DTYPES[dtype] if device.type == "cuda" else torch.float32,
        width=settings.width or spec.width, height=settings.height or spec.height)


def _run_blocks(stream, n: int, timer: StageTimer) -> int:
    """Makes `n` blocks as the live loop does; returns how many frames they held."""
    frames = 0
    for _ in range(n):
        frames += len(stream.next_block())
        timer.collect()
    return frames


def bench_engine(settings: BenchSettings, log=print):
    """The engine `bench` times for these settings: random weights built on the device."""
    from vcam.engine.load import load, random_engine

    target = bench_target(settings, lambda message: None)  # `bench` says it already
    spec = get_spec(target.model)
    if spec.random_weights:
        return load(target.model, device=target.device, dtype=target.dtype, progress=False, speed=settings.speed)
    check_fits(spec, target, settings)
    log(f"building {target.model} with random weights on {target.device} …")
    return random_engine(spec, target.device, target.dtype, settings.speed)


def check_fits(spec: ModelSpec, target: "BenchTarget", settings: BenchSettings) -> None:
    """Says before building, not with an out-of-memory error after, when these settings cannot fit the card: the
    memory plan `vcam.load` makes, which names what would fit. Nothing on a CPU, nor for a model of random weights
    (`load` plans its own memory)."""
    from vcam.engine.memory import memory_plan

    if target.device.type != "cuda" or spec.random_weights:
        return
    memory_plan(spec, target.device, target.width, target.height, target.dtype, settings.speed, adapt=False)


def release_engines(device: torch.device, compiled: bool = True) -> None:
    """Frees the engines no longer referenced before another is built: two copies of a 14B model do not fit one
    card. Call after dropping the last reference."""
    if compiled:
        torch._dynamo.reset()  # compiled graphs hold on to the old engine's modules
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()


def memory_of_others(device: torch.device) -> float | None:
    """GiB of `device` held by other processes (a second show, a notebook, a training job), whose kernels would
    share the card with the ones timed; None on a CPU."""
    if device.type != "cuda":
        return None
    return held_by_others(device) / GIB


def warn_if_shared(device: torch.device, log) -> float | None:
    """Says when the card looks busy with other work, which makes timings low and uneven; returns memory_of_others."""
    others = memory_of_others(device)
    if others is not None and others >= SHARED_CARD_GIB:
        log(f"warning: other processes hold {others:.1f} GiB of this card; if they are running, they slow every "
            "number timed here. Close them (nvidia-smi lists them) for numbers worth comparing")
    return others


def _estimate_without_headroom(spec: ModelSpec, width: int, height: int, dtype: torch.dtype,
                               settings: BenchSettings) -> int:
    """vcam's memory estimate less the headroom that plans keep free: what it expects to be allocated, the figure
    to hold the measured peak against."""
    est = estimate_vram(spec, width, height, dtype, text_on_gpu=False, quant=settings.speed.quant,
                        compiled=settings.speed.compile, decoder=settings.speed.decoder, video_in=settings.input)
    return est.total - est.parts.get("headroom", 0)


def bench(settings: BenchSettings, log=print, engine=None) -> BenchResult:
    """Builds the engine the settings describe and times it. With `engine` (already built with these settings'
    fuse, compile, quant and dtype), only what can change on a built engine is applied: attention backend and
    precision, size and steps; a series of rows then shares one build."""
    target = bench_target(settings, log)
    spec: ModelSpec = get_spec(target.model)
    doing = f"while benchmarking {target.model} at {target.width}x{target.height}"
    with on_device(target.device), out_of_memory_said_as_error(target.device, settings.speed.quant, doing):
        return _bench(settings, target, spec, log, engine)


def _profiled_split(stream, log, stages_ms: dict[str, float], trace: str | None) -> Split | None:
    """The split of one more block, beside the stages as timed; None, said through `log`, where the profiler fails
    (no CUPTI access, say): the timing already measured must not be lost to it."""
    try:
        split = profile_block(stream, trace=Path(trace) if trace else None, log=log)
        split.timed_ms = {s.stage: stages_ms[s.stage] for s in split.stages if s.stage in stages_ms}
        return split
    except Exception as e:  # noqa: BLE001 - a diagnostic on top of the measured row
        log(f"the profiler split failed ({type(e).__name__}: {str(e).strip()[:200]}); the timing above stands")
        return None


@contextmanager
def _compiling_said(speed: SpeedOptions):
    """Compiling that fails on this machine (no C compiler, no Triton) as one error with its fix. A show goes on
    eager there and says so; a benchmark of the compiled path has nothing to time, and an eager row timed in its
    place would be read as the compiled one."""
    from vcam.engine.compiling import compile_failed, root_cause

    try:
        yield
    except Exception as e:
        if not (speed.compile and compile_failed(e)):
            raise
        why = root_cause(e)
    else:
        return
    raise VcamError(f"compiling failed on this machine ({why}), so the compiled path cannot be timed",
                    "add --no-compile to time the eager path, which a show here falls back to (it says so at the "
                    "start), or install what compiling needs (a C compiler; Triton on a GPU)")


def _bench(settings: BenchSettings, target: BenchTarget, spec: ModelSpec, log, engine) -> BenchResult:
    from vcam.engine.load import set_attention

    device, model, dtype, width, height = target.device, target.model, target.dtype, target.width, target.height
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    if engine is not None:
        engine = replace(engine, speed=settings.speed)
        set_attention(engine, settings.speed)
    else:
        engine = bench_engine(settings, log)
    clip = moving_clip(width, height) if settings.input else None
    stream = engine.stream("a benchmark", seed=0, width=width, height=height, steps=settings.steps, input=clip,
                           strength=DEFAULT_STRENGTH, bias=settings.bias)
    timer = StageTimer(device)
    stream.timer = timer
    stream.refuse_non_finite = False  # the check is timed, but random weights that overflow are still timed blocks
    others = warn_if_shared(device, log)
    log(warmup_said(settings))
    with _compiling_said(settings.speed):
        t0 = time.perf_counter()
        _run_blocks(stream, settings.warmup_blocks, timer)
        warmup_s = time.perf_counter() - t0  # each block waited for its frames: nothing of it runs into the timing
        timer.reset()
        t0 = time.perf_counter()
        frames = _run_blocks(stream, settings.blocks, timer)
        elapsed = time.perf_counter() - t0
    stages = timer.averages()
    # after the timing: the profiler slows it
    try:
        split = _profiled_split(stream, log, stages, settings.split_trace) if settings.split else None
        stopped = None
    except KeyboardInterrupt:  # the timing is done: said as "stopped before the timing finished: no result"
        split, stopped = None, signal.SIGINT
    except StoppedLoading as stop:  # SIGTERM, SIGHUP (vcam bench's stops_raised): the same, the timing thrown away
        split, stopped = None, stop.sig
    work = flops_per_block(spec.transformer, width, height, settings.steps)["total"]
    rate = matmul_rate(device, dtype)
    ms_block = 1000.0 * elapsed / settings.blocks
    achieved = work / (ms_block / 1000.0)
    result = BenchResult(
        device=target.device_name,
        model=model, width=width, height=height, steps=settings.steps, dtype=target.dtype_name,
        **settings.speed.to_dict(), blocks=settings.blocks,
        frames_per_second=frames / elapsed, ms_per_block=ms_block, stages_ms=stages,
        peak_vram_gb=torch.cuda.max_memory_allocated(device) / 1024**3 if device.type == "cuda" else None,
        estimated_vram_gb=_estimate_without_headroom(spec, width, height, dtype, settings) / 1024**3,
        matmul_tflops=rate / 1e12, model_tflop_per_block=work / 1e12, achieved_tflops=achieved / 1e12,
        efficiency=achieved / rate, ceiling_fps=12.0 * rate / work, others_vram_gb=others, warmup_s=warmup_s,
        input_strength=stream.strength if settings.input else None, bias=stream.bias, split=split,
    )
    if stopped is not None:
        raise StoppedAfterTiming(result, stopped)
    return result


class StoppedAfterTiming(KeyboardInterrupt):
    """A stop signal (`sig`: Ctrl-C, SIGTERM) after the blocks were timed (in the profiler's split): the result,
    without the split."""

    def __init__(self, result: BenchResult, sig: int = signal.SIGINT):
        super().__init__()
        self.result, self.sig = result, sig
