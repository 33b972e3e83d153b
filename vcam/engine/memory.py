"""The VRAM plan: what a model needs on the card at a size, from its shapes alone, and the mode that fits the free
memory (everything on the GPU, the text encoder moved to the CPU after the start, or there from the start), or
the nearest size and precision that would, said before anything loads."""
from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import torch
from torch import nn

from vcam.engine.configs import ModelSpec, VAEConfig, WanConfig, get_spec
from vcam.engine.quant import fp8_unsupported, nvfp4_fits, nvfp4_weight_bytes
from vcam.engine.speed import SpeedOptions
from vcam.errors import NotEnoughRAMError, NotEnoughVRAMError, VcamError, install_fix

# GPU memory is said in GiB: cards are sold in binary sizes (an "80 GB" card holds 80 GiB) and PyTorch's own
# messages say GiB
GIB = 1024**3


def param_bytes(module: nn.Module, dtype: torch.dtype) -> int:
    return sum(p.numel() for p in module.parameters()) * torch.empty((), dtype=dtype).element_size()


@dataclass(frozen=True)
class VRAMEstimate:
    """Bytes of GPU memory a model needs at one frame size, by part."""

    parts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.parts.values())

    def describe(self) -> str:
        return ", ".join(f"{k} {v / GIB:.1f}" for k, v in self.parts.items()) + f" = {self.total / GIB:.1f} GiB"


HEADROOM = int(1.5 * GIB)
# On an H200 (BENCHMARKS.md) every compiled row peaked 0.2-0.6 GiB above its eager twin, at 832x480 and at 576x320,
# in bf16 and in FP8: inductor's own buffers, not a share of the activations.
COMPILED_EXTRA = int(0.5 * GIB)


def estimate_vram(spec: ModelSpec, width: int, height: int, dtype: torch.dtype = torch.bfloat16,
                  text_on_gpu: bool = True, quant: str = "none", compiled: bool = False,
                  decoder: str = "vae", video_in: bool = True) -> VRAMEstimate:
    """What `spec` needs on the GPU at width×height, from its shapes (no weights are touched). With
    `quant="fp8"` the blocks' matrices take 1 byte a weight (plus a float32 scale per row), with `"nvfp4"` half a
    byte (plus an FP8 scale per 16); with `compiled`, what compiled kernels keep besides; with `decoder="taehv"`,
    TAEHV's decoder does the decoding while the VAE stays for its encoder. With `video_in`, the VAE encoder's pass
    over a block of video input: a show plans for it by default, since an operator may switch to a video input at
    any time, and a plan without it would run out of memory on air then (a text-only benchmark leaves it out)."""
    cfg = spec.transformer
    transformer_bytes, vae_bytes = _weight_bytes(cfg, spec.vae, dtype, quant)
    elt = torch.empty((), dtype=dtype).element_size()
    tokens = (height // 16) * (width // 16)
    block_tokens = 3 * tokens
    # The encoder runs before the transformer and the decoder after it, so one's activations are gone when the
    # other's are made: the VAE's part is the larger of the two.
    encode = vae_encode_bytes(spec.vae, width, height, elt) if video_in else 0
    parts = {
        "transformer": transformer_bytes,
        "kv cache": 2 * cfg.num_layers * 2 * block_tokens * cfg.dim * elt,
        "activations": block_tokens * (cfg.ffn_dim * elt * 2 + cfg.dim * 4 * 8),
        # decoding one latent into 4 full-size frames at the last stage's width, with a few live copies
        "vae": vae_bytes + max(8 * 4 * height * width * spec.vae.base_dim * elt, encode),
    }
    if decoder == "taehv":
        # TAEHV decodes, but the VAE's encoder still runs: on a video input every block (on the context frame from
        # block 2 on too, a single frame that the headroom holds)
        parts["vae"] = vae_bytes + encode
        parts["taehv"] = taehv_bytes(spec, width, height, dtype)
    text_kv = 2 * cfg.num_layers * spec.text.max_length * cfg.dim * elt  # one prompt's cross-attention K/V
    # That of the prompt in use, of the previous block's (the context is rebuilt under it) and of a new one while
    # it is made; the same at any frame size.
    parts["prompts"] = 3 * text_kv
    if compiled:
        parts["compiled kernels"] = COMPILED_EXTRA
    # What no part above counts: cuBLAS and attention workspaces, the allocator's fragmentation, the VAE encoder's
    # pass over the context frame. A plan that fits only to the byte runs out of memory on air.
    parts["headroom"] = HEADROOM
    if text_on_gpu:
        parts["text encoder"] = text_encoder_bytes(spec, dtype)
    return VRAMEstimate(parts)


def text_encoder_bytes(spec: ModelSpec, dtype: torch.dtype = torch.bfloat16) -> int:
    """The UMT5 text encoder's weights, from its shapes: on the GPU, or in the machine's memory where the plan puts
    it on the CPU."""
    text = spec.text
    per_layer = 4 * text.d_model * text.num_heads * text.d_kv + 3 * text.d_model * text.d_ff
    return (text.vocab_size * text.d_model + text.num_layers * per_layer) * torch.empty((), dtype=dtype).element_size()


@functools.lru_cache(maxsize=16)
def _weight_bytes(cfg: WanConfig, vae_cfg: VAEConfig, dtype: torch.dtype, quant: str) -> tuple[int, int]:
    """The transformer's and the VAE's weight bytes, counted on meta models (shapes only). Kept per config: the
    memory plan asks again for every size and mode it tries, and building a 14B meta model takes a while."""
    from vcam.engine.model import CausalWanModel
    from vcam.engine.vae import build_vae

    with torch.device("meta"):
        transformer = CausalWanModel(cfg).cast(dtype)  # some small parts stay float32, as when loaded
        vae = build_vae(vae_cfg)
    return _transformer_bytes(transformer, quant), param_bytes(vae, dtype)


# The streaming encoder's peak, in copies of its 4 frames at full size and the first stage's width: the stage's
# input, norms, activations and causal convolutions' concatenations with the cached frames, and the new causal
# caches (about 10 copies, 9.6 measured on the Wan 2.1 VAE's shapes), plus the previous block's caches (3.7), held
# until the block ends so that a failed block can rewind.
VAE_ENCODE_COPIES = 14


def vae_encode_bytes(cfg: VAEConfig, width: int, height: int, elt: int) -> int:
    """The VAE streaming encoder's activations and causal caches while it encodes a block of video input (it takes
    4 frames a call; the context frame's single-frame encode needs less)."""
    return VAE_ENCODE_COPIES * 4 * height * width * cfg.base_dim * cfg.dim_mult[0] * elt


# TAEHV's decode peak, in copies of one latent's 4 frames at full size and the last stage's width: the last stage's
# upsampled input, its time-grow and narrowing convolutions' outputs and the block's frames so far (3.4 measured
# on the published decoder's shapes, at any size and dtype), plus the previous block's memory frames (0.3), held
# until the block ends so that a failed block can rewind.
TAEHV_DECODE_COPIES = 4


def taehv_bytes(spec: ModelSpec, width: int, height: int, dtype: torch.dtype) -> int:
    """TAEHV's decoder: its weights, and what its decode of a block holds at its peak (one latent at a time)."""
    from vcam.engine.taehv import TAEHVDecoder

    cfg = spec.taehv
    with torch.device("meta"):
        weights = param_bytes(TAEHVDecoder(cfg), dtype)
    elt = torch.empty((), dtype=dtype).element_size()
    return weights + TAEHV_DECODE_COPIES * cfg.frames_per_latent * height * width * cfg.widths[2] * elt


def _transformer_bytes(transformer: nn.Module, quant: str) -> int:
    """Bytes of a (meta) transformer's parameters as they are stored; with FP8, every Linear weight inside the
    blocks as one byte a weight plus a float32 scale per row (what torchao's per-row FP8 keeps); with NVFP4, those
    whose shape allows it as half a byte a weight plus an FP8 scale per 16 (`nvfp4_weight_bytes`)."""
    total = sum(p.numel() * p.element_size() for p in transformer.parameters())
    for m in transformer.blocks.modules():
        if not isinstance(m, nn.Linear):
            continue
        w = m.weight
        if quant == "fp8":
            total -= w.numel() * w.element_size() - w.numel() - 4 * w.shape[0]
        elif quant == "nvfp4" and nvfp4_fits(m):
            total -= w.numel() * w.element_size() - nvfp4_weight_bytes(*w.shape)
    return total


@dataclass(frozen=True)
class MemoryPlan:
    """Where the parts go on a card with a given amount of free memory."""

    text_on_gpu: bool  # where the text encoder is loaded
    estimate: VRAMEstimate
    note: str
    offload_text_after_start: bool = False  # moved to the CPU once the show's prompts are encoded
    adapted: tuple[int, int, str] | None = None  # (width, height, quant) chosen instead of the asked ones


SMALLER_SIZES = ((576, 320), (480, 272), (416, 240))


def plan_memory(spec: ModelSpec, width: int, height: int, free: int, dtype: torch.dtype = torch.bfloat16,
                quant: str = "none", fp8_possible: bool = False, adapt: bool = False,
                compiled: bool = False, decoder: str = "vae", total: int | None = None,
                others: int | None = None) -> MemoryPlan:
    """The best mode that fits `free` bytes: everything on the GPU; else the text encoder on the GPU while the
    first prompts are encoded, then moved to the CPU before the stream's KV cache is made; else the text encoder
    on the CPU from the start. When none fits: with `adapt`, the first that fits of FP8 at this size (where the
    card runs FP8), a smaller size, a smaller size in FP8; else NotEnoughVRAMError saying what would fit, and, with
    the card's `total` bytes, whether closing other programs could make room at all (with the bytes held outside
    this process's allocator, `others` (held_by_others), whether closing them would)."""
    def need(w: int, h: int, text_on_gpu: bool, q: str = quant) -> VRAMEstimate:
        return estimate_vram(spec, w, h, dtype, text_on_gpu=text_on_gpu, quant=q, compiled=compiled,
                             decoder=decoder)

    full = need(width, height, True)
    if full.total <= free:
        return MemoryPlan(True, full, "everything on the GPU")
    lean = need(width, height, False)
    at_start = VRAMEstimate({k: v for k, v in full.parts.items() if k != "kv cache"})
    if max(at_start.total, lean.total) <= free:
        peak = at_start if at_start.total > lean.total else lean
        return MemoryPlan(True, peak, "text encoder moved to the CPU once the first prompts are encoded: a new "
                                      "prompt then takes seconds to encode, a show's presets are encoded ahead",
                          offload_text_after_start=True)
    if lean.total <= free:
        return MemoryPlan(False, lean, "text encoder kept on the CPU: a new prompt takes seconds to encode, "
                                       "a show's presets are encoded ahead")
    options = _fitting_options(need, width, height, free, quant, fp8_possible)
    if adapt and options:
        w, h, q = options[0]
        instead = f"{w}x{h}" + (" in FP8" if q != quant else "")
        return MemoryPlan(False, need(w, h, False, q),
                          f"too little memory for {width}x{height}{_in(quant)}: running "
                          f"{instead} instead, text encoder on the CPU (--size and --quant choose yourself)"
                          + ("; FP8 changes the picture slightly" if q != quant else ""), adapted=(w, h, q))
    raise NotEnoughVRAMError(
        f"{spec.name} at {width}x{height} needs about {full.total / GIB:.1f} GiB of GPU memory "
        f"({full.describe()}), or {lean.total / GIB:.1f} GiB with the text encoder on the CPU; "
        f"the GPU has {free / GIB:.1f} GiB free" + (f" of {total / GIB:.1f}" if total else ""),
        _what_fits(need, options, spec, width, height, dtype, quant, fp8_possible, free, total, others))


def _quants(quant: str, fp8_possible: bool) -> list[str]:
    """The precisions a too-small card may use: the asked one, then FP8 where the card runs it (NVFP4, smaller
    still, only when asked for)."""
    return [quant] + (["fp8"] if fp8_possible and quant == "none" else [])


def _in(quant: str) -> str:
    return f" in {quant.upper()}" if quant != "none" else ""


def _fitting_options(need: Callable, width: int, height: int, free: int, quant: str,
                     fp8_possible: bool) -> list[tuple[int, int, str]]:
    """What fits a card too small for the asked settings, best first: FP8 at the asked size, then the largest
    smaller size that fits (in the asked quant, else in FP8)."""
    smaller = _smaller_sizes(width, height)
    quants = _quants(quant, fp8_possible)
    options = []
    if len(quants) > 1 and need(width, height, False, "fp8").total <= free:
        options.append((width, height, "fp8"))
    for q in quants:
        fitting = [(w, h, q) for w, h in smaller if need(w, h, False, q).total <= free]
        if fitting:
            options.append(fitting[0])
            break
    return options


def _smaller_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """SMALLER_SIZES below width x height, largest first, turned upright for a portrait stream."""
    portrait = height > width
    return [(h, w) if portrait else (w, h) for w, h in SMALLER_SIZES if w * h < width * height]


def _flags(asked: tuple[int, int, str], option: tuple[int, int, str]) -> str:
    """The flags that run a show asked for at `asked` (width, height, quant) at `option` instead."""
    (width, height, quant), (w, h, q) = asked, option
    size = [] if (w, h) == (width, height) else [f"--size {w}x{h}"]
    return " ".join(size + (["--quant fp8"] if q != quant else []))


def _what_fits(need: Callable, options: list[tuple[int, int, str]], spec: ModelSpec, width: int, height: int,
               dtype: torch.dtype, quant: str, fp8_possible: bool, free: int, total: int | None = None,
               others: int | None = None) -> str:
    """The fix for a card that is too small: the fitting options as flags, or what it would take; to close other
    programs only where what they hold (`others` bytes besides the `free`) would make room for it: an idle card was
    told so, and one whose programs hold too little to free was told to use a GPU with more memory."""
    def close(needed: int) -> bool:
        return others is None or free + others - CUDA_CONTEXT >= needed

    if options:
        ways = []
        for w, h, q in options:
            ways.append(f"{_flags((width, height, quant), (w, h, q))} (needs about "
                        f"{need(w, h, False, q).total / GIB:.1f} GiB)")
        fix = f"use {' or '.join(ways)}" + (", or close other programs using the GPU (nvidia-smi lists them)"
                                            if close(need(width, height, False).total) else "")
        if any(q != quant for _, _, q in options):
            fix += "; FP8 changes the picture slightly (see BENCHMARKS.md)"
        return fix
    w, h = SMALLER_SIZES[-1]
    quants = _quants(quant, fp8_possible)
    least = min(need(w, h, False, q).total for q in quants)
    mode = f"in {str(dtype).removeprefix('torch.')}" if quants == ["none"] else _in(quants[-1]).strip()
    larger = "" if fp8_possible or quant == "fp8" else " (or one that runs FP8: Ada, Hopper, Blackwell)"
    # to a tenth and up, as the message gives the free memory: "needs 20" beside "has 20.0 free" read as a
    # contradiction
    needs = f"{spec.name} {mode} needs at least about {math.ceil(10 * least / GIB) / 10:.1f} GiB"
    if total is not None and least > total:
        return (f"{needs} even at {w}x{h}, more than this GPU's {total / GIB:.1f} GiB: use a GPU with more "
                f"memory{larger}")
    if not close(least):
        return f"{needs} of free GPU memory even at {w}x{h}: use a GPU with more memory{larger}"
    return (f"{needs} of free GPU memory even at {w}x{h}; close other programs using the GPU (nvidia-smi lists "
            f"them) or use a larger GPU{larger}")


def memory_plan(spec: ModelSpec, device: torch.device, width: int, height: int, dtype: torch.dtype,
                speed: SpeedOptions, adapt: bool) -> tuple[MemoryPlan, int]:
    """Where `spec` goes on this CUDA card and its free bytes; NotEnoughVRAMError naming what would fit."""
    free, total = torch.cuda.mem_get_info(device)
    others = held_by_others(device, free, total)
    no_fp8 = fp8_unsupported(device)
    try:
        plan = plan_memory(spec, width, height, free, dtype, quant=speed.quant, fp8_possible=no_fp8 is None,
                           adapt=adapt, compiled=speed.compile, decoder=speed.decoder, total=total, others=others)
    except NotEnoughVRAMError as e:
        if no_fp8 is None or "torchao" not in no_fp8:
            raise
        # the card could run FP8, this install cannot
        raise NotEnoughVRAMError(e.message, _fix_once_fp8_installed(e.fix, spec, width, height, free, total, dtype,
                                                                    speed, others)) from None
    return plan, free


def _fix_once_fp8_installed(fix: str, spec: ModelSpec, width: int, height: int, free: int, total: int,
                            dtype: torch.dtype, speed: SpeedOptions, others: int | None = None) -> str:
    """The fix for a card that runs FP8 in an install without torchao: what fits in FP8 and torchao to get it, or,
    where even FP8 does not fit the whole card, that alone (the fix planned without FP8 would send a card that
    runs it to one that does, or a card that FP8 fits to a larger one)."""
    torchao = f"FP8 would need about half the weight memory: {install_fix('fp8')}, then try again"
    if speed.quant != "none":
        return f"{fix}; {torchao}"
    try:
        plan_memory(spec, width, height, free, dtype, fp8_possible=True, compiled=speed.compile,
                    decoder=speed.decoder, total=total, others=others)
    except NotEnoughVRAMError as with_fp8:  # always: without adapting, FP8 changes only what the fix offers
        fix = with_fp8.fix
    w, h = SMALLER_SIZES[-1]
    least = estimate_vram(spec, w, h, dtype, text_on_gpu=False, quant="fp8", compiled=speed.compile,
                          decoder=speed.decoder).total
    return fix if least > total else f"{fix}; {torchao}"


# What the show takes of the machine's memory after the check besides a text encoder kept there: the prompt cache
# (up to 256 MiB), the VAE and the transformer's tensors on their way to the card. PyTorch's and CUDA's own are held
# already when it reads the free memory, so not counted again: a margin that refuses a machine that would run is no
# better than none.
HOST_HEADROOM = 1 * GIB


@dataclass(frozen=True)
class HostFree:
    """The machine's free memory in its parts, so the refusal can be matched against `free -g`: MemAvailable (its
    "available" column), the ZFS cache the kernel can take back (not in MemAvailable), free swap, and the room
    under this process's cgroup memory limit where one is set."""
    available: int
    swap: int = 0
    zfs_cache: int = 0
    limit: int | None = None

    @property
    def machine(self) -> int:
        """The machine's free memory, its cgroup limit left out."""
        return self.available + self.zfs_cache + self.swap

    @property
    def total(self) -> int:
        return self.machine if self.limit is None else min(self.machine, self.limit)

    def said(self) -> str:
        """"9.0 GiB is free (8.0 GiB available + 1.0 GiB of swap)", or the container's limit where that is less."""
        if self.limit is not None and self.limit <= self.machine:
            return f"{self.limit / GIB:.1f} GiB is free under this container's memory limit"
        # the sum of the parts as said: each rounded alone, 8.04 + 1.04 was said 9.1 = 8.0 + 1.0
        available, swap = round((self.available + self.zfs_cache) / GIB, 1), round(self.swap / GIB, 1)
        zfs = f", {self.zfs_cache / GIB:.1f} GiB of it ZFS's cache" if self.zfs_cache else ""
        return f"{available + swap:.1f} GiB is free ({available:.1f} GiB available{zfs} + {swap:.1f} GiB of swap)"


def host_ram_free(proc: str = "/proc", mount: str = "/sys/fs/cgroup") -> HostFree | None:
    """The machine's free memory as Linux counts it for a new program (MemAvailable: the page cache it can drop
    counted as free; ZFS's ARC above its floor, which it gives back too but MemAvailable leaves out; free swap,
    which holds what it must without a kill), bounded by the room under this process's cgroup memory limit: a
    rented GPU container reads its host's MemAvailable, hundreds of GiB, and its own limit killed the show. None
    where neither can be read (not Linux, a container hiding /proc). `proc` is /proc's root (tests give a fake)."""
    machine = _mem_available(f"{proc}/meminfo")
    limit = _cgroup_room(f"{proc}/self/cgroup", mount)
    if machine is None:
        return None if limit is None else HostFree(available=limit, limit=limit)
    available, swap = machine
    return HostFree(available, swap, _zfs_reclaimable(f"{proc}/spl/kstat/zfs/arcstats"), limit)


def _mem_available(meminfo: str) -> tuple[int, int] | None:
    """MemAvailable and SwapFree in bytes; None where MemAvailable cannot be read."""
    try:
        with open(meminfo) as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        if "MemAvailable" not in fields:  # a kernel before 3.14
            return None
        available, swap = (int(fields[key].split()[0]) * 1024 if key in fields else 0
                           for key in ("MemAvailable", "SwapFree"))
        return available, swap
    except (OSError, ValueError, IndexError):
        return None


def _zfs_reclaimable(arcstats: str) -> int:
    """The bytes of ZFS's ARC above its floor (size - c_min), which it hands back under memory pressure; 0 without
    ZFS or where its statistics cannot be read."""
    try:
        with open(arcstats) as f:
            stats = {fields[0]: int(fields[2]) for line in f if len(fields := line.split()) == 3
                     and fields[2].isdigit()}
    except (OSError, ValueError):
        return 0
    return max(0, stats.get("size", 0) - stats.get("c_min", 0))


def _cgroup_room(cgroups: str, mount: str) -> int | None:
    """The least room under the memory limits of this process's cgroup and those above it (cgroup v2, or v1's memory
    controller), its page cache counted as free as MemAvailable counts it; None where none sets a limit."""
    rooms = [room for folder in _cgroup_folders(cgroups, mount) if (room := _room_in(folder)) is not None]
    return min(rooms, default=None)


def _cgroup_folders(cgroups: str, mount: str) -> list[Path]:
    """The folders of this process's memory cgroup and those above it, its mount's root included: a container's
    own mount starts at its cgroup, whatever path /proc/self/cgroup names from the host."""
    try:
        with open(cgroups) as f:
            lines = f.read().splitlines()
    except OSError:
        return []
    folders = []
    for line in lines:
        _, controllers, path = (line.split(":", 2) + ["", ""])[:3]
        if controllers and "memory" not in controllers.split(","):
            continue
        root = Path(mount) / ("memory" if controllers else "")
        folder = root / path.lstrip("/")
        folders += [folder, *[up for up in folder.parents if root in up.parents]] + [root]
    return folders


def _room_in(folder: Path) -> int | None:
    """The bytes left under the memory limit of the cgroup at `folder` (v2's memory.max, v1's limit_in_bytes), its
    page cache counted as room; None where it sets none."""
    for limit_file, used_file, stat_prefix in (("memory.max", "memory.current", ""),
                                               ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_")):
        try:
            limit = (folder / limit_file).read_text().strip()
            if limit == "max" or int(limit) >= 1 << 62:  # v1 writes no limit as the largest page-aligned number
                return None
            used = int((folder / used_file).read_text())
            stat = dict(line.split()[:2] for line in (folder / "memory.stat").read_text().splitlines()
                        if len(line.split()) >= 2)
        except (OSError, ValueError):
            continue
        cache = sum(int(stat.get(f"{stat_prefix}{kind}_file", 0)) for kind in ("inactive", "active"))
        return max(0, int(limit) - used + cache)
    return None


def check_host_ram(spec: ModelSpec, plan: MemoryPlan, width: int, height: int, free_vram: int,
                   dtype: torch.dtype = torch.bfloat16, speed: SpeedOptions | None = None, fp8_possible: bool = False,
                   free_ram: Callable[[], HostFree | None] = host_ram_free) -> None:
    """Refuses, before anything loads, a plan that puts the text encoder on the CPU (from the start, or once the
    first prompts are encoded) of a machine whose free memory cannot hold it: the kernel killed the show with no
    word, minutes into loading or on air. Where the free memory cannot be read, nothing is said."""
    if plan.text_on_gpu and not plan.offload_text_after_start:
        return
    free = free_ram()
    need = text_encoder_bytes(spec, dtype) + HOST_HEADROOM
    if free is None or need <= free.total:
        return
    when = "once the first prompts are encoded" if plan.offload_text_after_start else "from the start"
    raise NotEnoughRAMError(
        f"{spec.name}'s text encoder goes to the CPU {when} (too little GPU memory for it) and needs about "
        f"{need / GIB:.1f} GiB of the machine's memory; {free.said()}",
        "close other programs" + _text_on_gpu_instead(spec, width, height, free_vram, dtype, speed or SpeedOptions(),
                                                      fp8_possible)
        + ", or use a machine (or container) with more memory")


def _text_on_gpu_instead(spec: ModelSpec, width: int, height: int, free_vram: int, dtype: torch.dtype,
                         speed: SpeedOptions, fp8_possible: bool) -> str:
    """", start with --quant fp8 (the text encoder then stays on the GPU)" (or --size WxH): the first setting at which
    everything fits the card, so the machine's memory holds no text encoder; "" where none does."""
    for w, h in [(width, height), *_smaller_sizes(width, height)]:
        for q in _quants(speed.quant, fp8_possible):
            if (w, h, q) == (width, height, speed.quant):
                continue
            need = estimate_vram(spec, w, h, dtype, text_on_gpu=True, quant=q, compiled=speed.compile,
                                 decoder=speed.decoder)
            if need.total <= free_vram:
                flags = _flags((width, height, speed.quant), (w, h, q))
                return f", start with {flags} (the text encoder then stays on the GPU)"
    return ""


def planned_settings(model: str, width: int, height: int, quant: str, adapt: bool,
                     speed: SpeedOptions | None = None) -> tuple[int, int, str]:
    """The size and quantization `load(..., adapt=adapt, speed=speed)` will run `model` at on this machine's GPU,
    read before loading (a show looks up its tuned speed options by them). `speed`'s decoder and compiling change
    the memory a show takes; its quant is `quant`. Where nothing has to change, or there is no GPU, or the settings
    cannot fit at all (`load` says so), they are the ones asked."""
    spec = get_spec(model)
    if not adapt or not torch.cuda.is_available():
        return width, height, quant
    speed = replace(speed or SpeedOptions(), quant=quant)
    try:
        plan, _ = memory_plan(spec, torch.device("cuda"), width, height, torch.bfloat16, speed, adapt=True)
    except VcamError:
        return width, height, quant
    return plan.adapted or (width, height, quant)


def card_memory_gb(device: torch.device) -> tuple[float, float]:
    """(used, total) GiB of the card, every process counted: what an operator needs to see coming."""
    free, total = torch.cuda.mem_get_info(device)
    return (total - free) / GIB, total / GIB


def card_use(device: torch.device) -> tuple[float, float] | None:
    """card_memory_gb where it can be read: None on a CPU, or where the card does not answer (a lost context)."""
    if device.type != "cuda":
        return None
    try:
        return card_memory_gb(device)
    except Exception:  # noqa: BLE001 - said without it; the error being reported is the one that matters
        return None


def out_of_memory_said(error: BaseException | str, device: torch.device, doing: str = "") -> str:
    """The card running out of memory (PyTorch's error, or its text), in one line: what was asked for and what the
    card holds now. PyTorch's own message runs to a paragraph, which a show would print at every retry."""
    asked = re.search(r"Tried to allocate ([\d.]+ [KMGT]?i?B)", str(error))
    parts = [f"tried to allocate {asked.group(1)}"] if asked else []
    if (use := card_use(device)) is not None:
        parts.append(f"{use[0]:.1f} of {use[1]:.0f} GiB of the card in use now" + _by_others(device))
    return f"the GPU ran out of memory{' ' + doing if doing else ''}" + (f" ({'; '.join(parts)})" if parts else "")


# What a process's CUDA context holds of the card outside its allocator: this one's is counted with other programs'
# (mem_get_info cannot tell them apart), and closing them frees none of it
CUDA_CONTEXT = int(0.5 * GIB)
# Held outside this process's allocator above which the card is said to be shared with other programs (a second
# show, a notebook, a training job): this process's CUDA context and a desktop stay under it
SHARED_CARD_GIB = 1.5


def held_by_others(device: torch.device, free: int | None = None, total: int | None = None) -> int:
    """Bytes of the CUDA card `device` in use outside this process's allocator: other programs', and this process's
    CUDA context (CUDA_CONTEXT). `free` and `total` as mem_get_info read them, where they were read already."""
    if free is None or total is None:
        free, total = torch.cuda.mem_get_info(device)
    return max(0, total - free - torch.cuda.memory_reserved(device))


def _by_others(device: torch.device) -> str:
    """", N GiB of it by other programs" where other programs hold that much of the card (a second show, a notebook
    started while this one loaded), else ""."""
    try:
        others = held_by_others(device) / GIB
    except Exception:  # noqa: BLE001 - said without it
        return ""
    return f", {others:.1f} GiB of it by other programs" if others >= SHARED_CARD_GIB else ""


@contextmanager
def out_of_memory_said_as_error(device: torch.device, quant: str, doing: str):
    """Inside it, the card running out of memory is raised as NotEnoughVRAMError saying what ran out `doing` what,
    what the card holds now, and the fix: PyTorch's own error reached the command line as an internal error with
    no word of what to do. Where another program took memory meanwhile (while a model loaded), it says how much."""
    try:
        yield
    except torch.cuda.OutOfMemoryError as e:
        raise NotEnoughVRAMError(out_of_memory_said(e, device, doing), out_of_memory_fix(device, quant)) from None


def out_of_memory_fix(device: torch.device, quant: str = "none") -> str:
    """What to do about a card that ran out of memory: room taken back from other programs, a smaller size, and
    FP8 where the card runs it and it is not in use already."""
    fp8 = quant == "none" and device.type == "cuda" and fp8_unsupported(device) is None
    return ("close other programs using the GPU (nvidia-smi lists them), or start again with a smaller --size"
            + (" or with --quant fp8 (about half the weight memory; FP8 changes the picture slightly)" if fp8 else ""))
