"""Where a transformer pass spends its time: matrix products, attention, and everything between them.

`vcam bench --split` profiles one more block of the benchmark's stream (after the timed ones, so compiled kernels
are built and the stream is in its steady state) and sorts the device time of its recompute pass and its first
denoising pass into three parts: GEMM (matrix products, and the patch embedding's convolution), attention (the
fused SDPA kernels, and anything run inside an attention op) and everything else (norms, modulation, RoPE, gates,
casts, cache copies), naming the largest kernels of the last.

On CUDA the time is the kernels' own, read from the profiled block's Chrome trace; each kernel belongs to the
stage whose mark was open when it was launched (vcam.bench.trace_kernels). On a CPU it is each op's self time (the
CPU is the device there); compiled C++ code shows as the compiled graph's call, since inductor's CPU kernels are
not ops of their own.
"""
from __future__ import annotations

import gzip
import os
import re
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import torch

from vcam.bench.trace_kernels import by_launch, by_link, read_trace

STAGE_MARK = "vcam stage: "  # the profiler range around each stage of a block
SPLIT_STAGES = ("recompute", "pass 1")  # a block's denoising passes all have the same shapes: one stands for all
GEMM, ATTENTION, OTHER = "GEMM", "attention", "everything else"
PARTS = (GEMM, ATTENTION, OTHER)
TOP = 8  # kernels of "everything else" named per stage
# A stage's kernels cannot take longer than the stage did (one stream, nothing beside it; the profiler's own
# overhead is on the host). An H200's compiled 832x480 pass 1 held 496 ms of kernels where it was timed at 262
# when the split read the profiler's event tree (FunctionEvent.kernels); placed by launch, 261.5 (2026-12-04).
OVER_TIMED = 1.15

# Checked before the GEMM marks: the fused attention kernels are built from CUTLASS and tensor-core parts too
# (`fmha_cutlassF…`, `pytorch_flash::flash_fwd_kernel<…cutlass…>`, cuDNN's `…sdpa…flash_fprop_wgmma…`).
# `sageattn`: SageAttention's kernels, inside the mark vcam.engine.attention.int8_attention sets.
_ATTENTION = re.compile(r"flash|fmha|sdpa|scaled_dot_product|efficient_attention|flex_attention|attention_forward"
                        r"|sageattn")
# cuBLAS (`sm90_xmma_gemm_…`, `ampere_bf16_s16816gemm…`, `splitKreduce_kernel`, `gemv2T_kernel`), cuBLASLt's
# `nvjet_…` (bf16 and FP8), CUTLASS (`cutlass::Kernel2<cutlass_80_tensorop_…gemm…>`), cuDNN convolutions
# (`sm90_xmma_fprop_implicit_gemm_…`, `cudnn::cnn::conv2d_…`), and inductor's name for a cuBLAS choice
# (`extern_mm`).
_GEMM = re.compile(r"gemm|gemv|nvjet|cutlass|cublas|splitkreduce|xmma|wgmma|conv(?!ert)|extern_\w*mm")
# The ATen ops of matrix products and convolutions: the CPU's GEMMs (and, on a GPU, the ops that launch them).
_GEMM_OPS = re.compile(r"(aten|mkldnn|onednn)::(_?addmm\w*|mm|bmm|baddbmm|addbmm|matmul|linear|_scaled_mm|_int_mm"
                       r"|_weight_int\w*mm|\w*conv(?!ert)\w*|_linear_pointwise\w*)")
# Inductor's own Triton kernels: `triton_tem_…` are templates (a GEMM, a convolution or flex attention, with its
# epilogue fused); `triton_poi_/red_/per_…` are pointwise and reduction kernels, whatever aten ops their name
# lists (a `triton_poi_fused_addmm_gelu_0` is the bias and GELU after a cuBLAS GEMM, not the GEMM).
_TRITON = re.compile(r"(?:void )?triton_(\w+?)_")


def kernel_kind(name: str, within: Sequence[str] = ()) -> str:
    """GEMM, ATTENTION or OTHER for a kernel or op called `name`, launched inside the ops `within` (outermost first):
    anything inside an attention op is attention (the math fallback's matrix products and softmax included)."""
    if any(_ATTENTION.search(outer.lower()) for outer in within if "::" in outer):
        return ATTENTION
    low = name.lower()
    triton = _TRITON.match(low)
    if triton:
        if triton.group(1) != "tem":
            return OTHER
        if "attention" in low:
            return ATTENTION
        return GEMM if re.search(r"mm|conv", low) else OTHER
    if _ATTENTION.search(low):
        return ATTENTION
    if "at::native::" in low:  # ATen's own elementwise, reduction and copy kernels (its GEMMs are cuBLAS's)
        return OTHER
    if re.match(r"(aten|prims|mkldnn|onednn|quantized)::", low):  # an op, by its namespace
        return GEMM if _GEMM_OPS.fullmatch(low) else OTHER
    return GEMM if _GEMM.search(low) else OTHER


@dataclass(frozen=True)
class Timed:
    """One stretch of device time: a kernel (CUDA) or an op's self time (CPU), with the ops it ran inside."""

    name: str
    ms: float
    within: tuple[str, ...] = ()  # enclosing ops and marks, outermost first

    @property
    def stage(self) -> str | None:
        return next((w.removeprefix(STAGE_MARK) for w in self.within if w.startswith(STAGE_MARK)), None)


@dataclass
class StageSplit:
    stage: str
    total_ms: float
    parts: dict[str, float]  # GEMM, ATTENTION, OTHER: ms, summing to total_ms
    top_other: list[tuple[str, float]] = field(default_factory=list)  # the largest of OTHER, by name

    def percent(self, part: str) -> float:
        return 100.0 * self.parts[part] / self.total_ms if self.total_ms else 0.0


@dataclass
class Split:
    device: str  # "cuda" or "cpu"
    stages: list[StageSplit]
    wall_ms: float  # the whole profiled block, under the profiler
    outside_ms: float  # device time of the block not in the stages split (VAE, text, other passes)
    timed_ms: dict[str, float] = field(default_factory=dict)  # each stage as the benchmark's own timer measured it

    def table(self) -> str:
        what = "kernel time" if self.device == "cuda" else "CPU op self time"
        lines = [f"where a pass's time goes ({what}, one profiled block of {self.wall_ms:.0f} ms):"]
        for s in self.stages:
            timed = self.timed_ms.get(s.stage)
            lines.append(f"  {s.stage}: {s.total_ms:.2f} ms" + (f" (timed {timed:.1f} ms)" if timed else ""))
            if timed and s.total_ms > OVER_TIMED * timed:
                lines.append("    more kernel time than the stage took: its parts hold more than its own kernels")
            for part in PARTS:
                lines.append(f"    {part:16s} {s.parts[part]:9.2f} ms {s.percent(part):5.1f} %")
            for name, ms in s.top_other:
                share = 100.0 * ms / s.total_ms if s.total_ms else 0.0
                lines.append(f"      {ms:8.2f} ms {share:5.1f} %  {_short(name)}")
        lines.append(f"  outside these stages: {self.outside_ms:.1f} ms (the rest of the block"
                     + (", and any kernel whose launch the trace lacks)" if self.device == "cuda" else ")"))
        return "\n".join(lines)


def _short(name: str, width: int = 100) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def split_timed(timed: Iterable[Timed], stages: Sequence[str] = SPLIT_STAGES, top: int = TOP) -> list[StageSplit]:
    """The split of each stage in `stages` (in that order; a stage with no time gets zeros)."""
    parts: dict[str, dict[str, float]] = {s: dict.fromkeys(PARTS, 0.0) for s in stages}
    others: dict[str, dict[str, float]] = {s: defaultdict(float) for s in stages}
    for t in timed:
        stage = t.stage
        if stage not in parts:
            continue
        kind = kernel_kind(t.name, t.within)
        parts[stage][kind] += t.ms
        if kind == OTHER:
            others[stage][t.name] += t.ms
    return [StageSplit(s, sum(parts[s].values()), parts[s],
                       sorted(others[s].items(), key=lambda item: -item[1])[:top]) for s in stages]


def _ancestors(event) -> tuple[str, ...]:
    names = []
    parent = event.cpu_parent
    while parent is not None:
        names.append(parent.name)
        parent = parent.cpu_parent
    return tuple(reversed(names))


def timed_events(events) -> tuple[list[Timed], float]:
    """On a CPU, what the profiler's events say: each op's self time (the CPU is the device there), and their sum
    (ms). The range marks themselves hold only Python's time between ops."""
    from torch.autograd import DeviceType

    timed = []
    total_us = 0.0
    for e in events:
        if getattr(e, "is_async", False):
            continue
        if e.device_type == DeviceType.CPU and not e.name.startswith(STAGE_MARK):
            self_us = e.self_cpu_time_total
            if self_us > 0:
                timed.append(Timed(e.name, self_us / 1000.0, _ancestors(e)))
                total_us += self_us
    return timed, total_us / 1000.0


def timed_kernels(trace_events: list[dict], log=print) -> tuple[list[Timed], float]:
    """On CUDA, from the block's Chrome trace: each kernel's own time inside the ranges open at its launch, and
    the device time in all (ms). A trace without the launches (CUPTI's API records missing) falls back, said, to
    the profiler's links, which agreed with the launches on an H200, rather than split nothing."""
    placed = by_launch(trace_events)
    if placed and not any(within for _, _, within in placed):
        log("the profiled block's trace holds no kernel launches: its kernels are placed by the profiler's links")
        placed = by_link(trace_events)
    timed = [Timed(name, ms, within) for name, ms, within in placed]
    return timed, sum(t.ms for t in timed)


class StageMarks:
    """A stream timer (see StageTimer) that marks each stage as a profiler range instead of timing it."""

    @contextmanager
    def stage(self, name: str):
        with torch.profiler.record_function(STAGE_MARK + name):
            yield

    def collect(self) -> None:
        pass


def profile_block(stream, stages: Sequence[str] = SPLIT_STAGES, top: int = TOP, trace: Path | None = None,
                  log=print) -> Split:
    """Makes the stream's next block under the profiler and splits the device time of its `stages`; with `trace`,
    the profile is also written there as a gzipped Chrome trace (every event, for reading the split again), or
    why not said through `log`: the split stands without it."""
    from torch.profiler import ProfilerActivity, profile

    cuda = stream.device.type == "cuda"
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])
    saved = stream.timer
    stream.timer = StageMarks()
    try:
        if cuda:
            torch.cuda.synchronize(stream.device)
        with profile(activities=activities) as prof:
            t0 = time.perf_counter()
            stream.next_block()  # its frames are on the host when it returns: the device is done
            wall_ms = 1000.0 * (time.perf_counter() - t0)
    finally:
        stream.timer = saved
    with tempfile.TemporaryDirectory(prefix="vcam-trace-") as folder:
        raw = Path(folder) / "trace.json"
        if cuda:  # the kernels are placed from the trace: it is exported whether or not a copy is kept
            prof.export_chrome_trace(str(raw))
            timed, total_ms = timed_kernels(read_trace(raw), log)
        else:
            timed, total_ms = timed_events(prof.events())
        if trace is not None:
            try:
                if not cuda:
                    prof.export_chrome_trace(str(raw))
                gzip_into(raw, trace)
            except Exception as e:  # noqa: BLE001 - a copy for later reading, beside the split
                log(f"the profiled block's trace was not written to {trace} ({type(e).__name__}: {e}); "
                    "the split stands")
    split = split_timed(timed, stages, top)
    return Split("cuda" if cuda else "cpu", split, wall_ms, max(0.0, total_ms - sum(s.total_ms for s in split)))


def gzip_into(raw: Path, path: Path) -> None:
    """`raw` (a Chrome trace) gzipped at `path`, which chrome://tracing and Perfetto open as it is. The
    uncompressed export stays in the system's temporary folder and the trace takes its name only once whole: a
    write that fails, or a run killed during one, leaves no cut trace and no large export beside the other files
    (gpu_check's folder comes back 8 files at most)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f".{path.name}.part")
    try:
        with open(raw, "rb") as src, gzip.open(part, "wb", compresslevel=6) as dst:
            shutil.copyfileobj(src, dst)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
