"""Pieces of a block timed apart on one card, to tell which speed work is worth building (`gpu_check.py --study`):

- `layer`: one transformer layer of krea-14b in bf16 at 832x480 as a denoising pass runs it (4680 tokens over 9360
  keys), eager and compiled four ways (inductor's default; with its coordinate-descent tuning; with multi-kernel,
  which also builds one-pass kernels for the model's 5120-wide norms and keeps the faster; with those one-pass
  kernels only): ms per layer, its split into GEMM / attention / the rest with the largest of the rest, and how
  far each build's output is from the default build's (`autotune`: the default against max-autotune);
- `gelu`: the FFN's first Linear and its GELU, compiled (a cuBLAS GEMM, then inductor's GELU over its output)
  against cuBLASLt's GELU epilogue (`torch._addmm_activation`), which never writes the pre-GELU activations: ms
  and each one's distance from a float32 reference;
- `vae`: the streaming VAE decode at 832x480 (float16, 3 latents a block), eager and compiled, in PyTorch's
  default memory layout and in channels-last (NDHWC), and compiled with cuDNN's autotuning: ms per block, the
  largest kernels of one block, and the distance of each from the eager decode.

A compiled decode took 179 ms of a 1456 ms block at 832x480 bf16 on an H200, 40.7 TFLOP of convolutions at a
quarter of the card's rate; the passes spent 12-14 % between their GEMMs, most of it in two kernels a layer (a
residual add, a LayerNorm and a modulation: 205 and 166 us for about 290 MB each, 1.4-1.7 TB/s) that loop twice
over each 5120-wide row (scripts/split_trace.py on that run's trace). On a CPU (--smoke) the same code runs
the tiny model's shapes in float32: its times mean nothing.
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vcam.bench.split import ATTENTION, GEMM, OTHER, kernel_kind, timed_events  # noqa: E402
from vcam.bench.trace_kernels import kernels, read_trace  # noqa: E402
from vcam.engine.compiling import allow_recompiles  # noqa: E402
from vcam.engine.configs import get_spec  # noqa: E402
from vcam.engine.model import Block, Rope, init_random_, param_dtype, rope_pairs  # noqa: E402

STUDIES = ("vae", "layer", "gelu", "autotune")  # autotune: the layer under max-autotune, last (its GEMM tuning)
LAYER_BUILDS = {  # name: (torch.compile mode, inductor settings while it compiles); eager: not compiled
    "eager": (None, {}),
    "compiled": ("default", {}),
    "coordinate-descent": ("default", {"coordinate_descent_tuning": True}),
    # inductor loops twice over a reduction's rows longer than 1024 (the model's are 5120 wide: its norms); with
    # multi-kernel it also builds the one-pass (persistent) kernel up to 16384 and keeps the faster at the first call
    "multi-kernel": ("default", {"triton.multi_kernel": 1}),
    "persistent": ("default", {"persistent rows": 8192}),  # one pass over rows up to 8192, no choosing
    "max-autotune": ("max-autotune-no-cudagraphs", {}),
}


def shapes(device: torch.device) -> tuple:
    """(model spec, (width, height), dtype): krea-14b at 832x480 in bf16 on a card, tiny in float32 on a CPU."""
    if device.type == "cuda":
        return get_spec("krea-14b"), (832, 480), torch.bfloat16
    spec = get_spec("tiny")
    return spec, (spec.width, spec.height), torch.float32


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def device_ms(fn: Callable[[], object], device: torch.device, reps: int = 10) -> float:
    """Median milliseconds of `fn` over `reps` calls after one untimed call, each call ended on the device."""
    fn()
    times = []
    for _ in range(reps):
        sync(device)
        t0 = time.perf_counter()
        fn()
        sync(device)
        times.append(1000.0 * (time.perf_counter() - t0))
    return statistics.median(times)


def profiled(fn: Callable[[], object], device: torch.device) -> list[tuple[str, float]]:
    """(name, ms) of every kernel one call of `fn` ran (on a CPU: every op's self time)."""
    from torch.profiler import ProfilerActivity, profile

    cuda = device.type == "cuda"
    sync(device)
    with profile(activities=[ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if cuda else [])) as prof:
        fn()
        sync(device)
    if not cuda:
        return [(t.name, t.ms) for t in timed_events(prof.events())[0]]
    with tempfile.TemporaryDirectory(prefix="vcam-study-") as folder:
        raw = Path(folder) / "trace.json"
        prof.export_chrome_trace(str(raw))
        return [(k["name"], k.get("dur", 0.0) / 1000.0) for k in kernels(read_trace(raw))]


def kernel_summary(timed: list[tuple[str, float]], top: int = 6) -> dict:
    """Device ms by part (GEMM, which counts convolutions; attention; the rest) and the largest kernels of the rest,
    each kernel's calls summed."""
    parts = dict.fromkeys((GEMM, ATTENTION, OTHER), 0.0)
    rest: dict[str, list] = {}
    for name, ms in timed:
        kind = kernel_kind(name)
        parts[kind] += ms
        if kind == OTHER:
            entry = rest.setdefault(name, [0, 0.0])
            entry[0] += 1
            entry[1] += ms
    total = sum(parts.values()) or 1.0
    largest = sorted(rest.items(), key=lambda kv: -kv[1][1])[:top]
    return {**{f"{k} ms": round(v, 3) for k, v in parts.items()},
            "rest %": round(100.0 * parts[OTHER] / total, 1),
            "largest of the rest": [f"{n[:90]} x{c} {ms:.3f} ms" for n, (c, ms) in largest]}


def levels(a: torch.Tensor, b: torch.Tensor) -> dict:
    d = (a.float() - b.float()).abs()
    return {"max": round(d.max().item(), 5), "mean": round(d.mean().item(), 6)}


def random_layer(cfg, device: torch.device, dtype: torch.dtype) -> Block:
    """Layer 0 of a random model of `cfg` as the engine runs it: matrices in `dtype` (modulation and norm3 float32),
    q, k and v fused."""
    with torch.device("meta"):
        block = Block(cfg)
    block = init_random_(block.to_empty(device=device), 0, prefix="blocks.0.").eval()
    for name, p in block.named_parameters():
        p.data = p.data.to(param_dtype(name, dtype))
    block.self_attn.fuse()
    return block


def layer_inputs(cfg, size: tuple[int, int], device: torch.device, dtype: torch.dtype) -> tuple:
    """A denoising pass's arguments for one layer: 3 latent frames of tokens after 3 frames of cached keys."""
    w, h = size
    gh, gw = h // 8 // cfg.patch_size[1], w // 8 // cfg.patch_size[2]
    frames, tokens = 3, (h // 8 // cfg.patch_size[1]) * (w // 8 // cfg.patch_size[2])
    gen = torch.Generator(device=device).manual_seed(5)

    def randn(*shape, dt=dtype, scale=1.0):
        return scale * torch.randn(*shape, generator=gen, device=device, dtype=torch.float32).to(dt)

    heads, hd = cfg.num_heads, cfg.head_dim
    x = randn(1, frames * tokens, cfg.dim, dt=torch.float32)
    e0 = randn(1, frames, 6, cfg.dim, dt=torch.float32, scale=0.1)
    text_k, text_v = randn(1, 512, heads, hd), randn(1, 512, heads, hd)
    rope = rope_pairs(*Rope(hd, cfg.rope_max_positions).to(device).tables(frames, frames, gh, gw))
    cache = (randn(1, 2 * frames * tokens, heads, hd), randn(1, 2 * frames * tokens, heads, hd))
    return x, e0, text_k, text_v, rope, cache, frames * tokens, None


def _inductor_settings(settings: dict) -> ExitStack:
    """Inductor's settings for a build; "persistent rows" is vcam's own: reductions over rows up to that long in one
    pass (PersistentRows), built afresh (inductor's caches key on its settings, not on its choices)."""
    stack = ExitStack()
    settings = dict(settings)
    rows = settings.pop("persistent rows", None)
    if settings or rows:
        import torch._inductor.config as inductor

        stack.enter_context(inductor.patch(**settings, **({"fx_graph_cache": False} if rows else {})))
    if rows:
        import torch._functorch.config as functorch
        from torch._inductor.virtualized import V

        stack.enter_context(functorch.patch(enable_autograd_cache=False))
        stack.enter_context(V.set_choices_handler(persistent_rows(rows)))
    return stack


def persistent_rows(longest: int):
    """Inductor's choices, but a reduction along rows (its INNER kind) up to `longest` long is made persistent: each
    row read once into registers, where inductor's own limit (1024) has rows of 5120 read twice, the second time
    to normalise and write them. A study's experiment, not an engine option."""
    from torch._inductor.choices import InductorChoices
    from torch._inductor.runtime.hints import ReductionHint
    from torch._inductor.virtualized import V

    class PersistentRows(InductorChoices):
        @staticmethod
        def should_use_persistent_reduction(features, cooperative_reduction) -> bool:
            if (not cooperative_reduction and features.get_reduction_hint() == ReductionHint.INNER
                    and V.graph.sizevars.statically_known_leq(features.reduction_numel, longest)):
                return True
            return InductorChoices.should_use_persistent_reduction(features, cooperative_reduction)

    return PersistentRows()


LAYER_STUDY = ("eager", "compiled", "coordinate-descent", "multi-kernel", "persistent")


def layer_study(device: torch.device, builds: tuple[str, ...] = LAYER_STUDY,
                progress: Callable[[dict], None] | None = None) -> dict:
    """One layer, built each of `builds` ways (LAYER_BUILDS), each from a reset torch.compile; `progress` is given
    the rows so far after each build."""
    spec, size, dtype = shapes(device)
    cfg = spec.transformer
    block = random_layer(cfg, device, dtype)
    args = layer_inputs(cfg, size, device, dtype)
    result: dict = {"shape": f"{args[0].shape[1]} tokens over {args[5][0].shape[1]} keys, {cfg.dim} wide, {dtype}"}
    outputs = {}
    with torch.no_grad():
        for name in builds:
            try:  # a build inductor cannot make (a setting this torch lacks) is said, and the next one runs
                result[name] = _layer_row(block, args, name, outputs, device)
            except Exception as e:  # noqa: BLE001
                result[name] = {"error": f"{e.__class__.__name__}: {str(e)[:300]}"}
            if progress is not None:
                progress(dict(result))
    torch._dynamo.reset()
    return result


def _layer_row(block: Block, args: tuple, name: str, outputs: dict, device: torch.device) -> dict:
    mode, settings = LAYER_BUILDS[name]
    torch._dynamo.reset()
    fn = block if mode is None else torch.compile(block, dynamic=False, mode=mode)
    t0 = time.perf_counter()
    with _inductor_settings(settings):  # inductor reads them while it compiles, at the first call
        outputs[name] = fn(*args).clone()
        sync(device)
    row = {"first call s": round(time.perf_counter() - t0, 1), "ms": round(device_ms(lambda: fn(*args), device), 3)}
    row.update(kernel_summary(profiled(lambda: fn(*args), device)))
    ref = outputs.get("compiled", outputs.get("eager"))
    row["against " + ("compiled" if "compiled" in outputs else "eager")] = levels(outputs[name], ref)
    return row


def gelu_epilogue(device: torch.device) -> dict:
    """The FFN's first Linear with its tanh GELU at 832x480 (4680 tokens, 5120 -> 13824): compiled as the engine
    runs it, and in one cuBLASLt call with the GELU as the GEMM's epilogue (on a CPU torch._addmm_activation
    applies the erf GELU after the product: its distance there says nothing)."""
    spec, _, dtype = shapes(device)
    cfg = spec.transformer
    tokens = 4680 if device.type == "cuda" else 96
    torch.manual_seed(0)
    lin = torch.nn.Linear(cfg.dim, cfg.ffn_dim).to(device, dtype)
    x = torch.randn(tokens, cfg.dim, device=device).to(dtype)
    with torch.no_grad():
        ref = F.gelu(F.linear(x.float(), lin.weight.float(), lin.bias.float()), approximate="tanh")
        torch._dynamo.reset()
        compiled = torch.compile(lambda t: F.gelu(lin(t), approximate="tanh"), dynamic=False)
        fused = lambda t: torch._addmm_activation(lin.bias, t, lin.weight.t(), use_gelu=True)  # noqa: E731
        result = {}
        for name, fn in (("compiled", compiled), ("epilogue", fused)):
            try:  # one that this torch cannot run is said, and the other's row kept
                row = {"ms": round(device_ms(lambda: fn(x), device, reps=20), 4), "against float32": levels(fn(x), ref)}
                row.update(kernel_summary(profiled(lambda: fn(x), device), top=3))
            except Exception as e:  # noqa: BLE001
                row = {"error": f"{e.__class__.__name__}: {str(e)[:300]}"}
            result[name] = row
    torch._dynamo.reset()
    return result


VAE_BUILDS = (  # (name, compiled, channels-last, cuDNN autotuning)
    ("eager", False, False, False),
    ("eager channels-last", False, True, False),
    ("compiled", True, False, False),
    ("compiled channels-last", True, True, False),
    ("compiled channels-last cudnn-benchmark", True, True, True),
)


def lay_out(module: torch.nn.Module, memory_format: torch.memory_format) -> None:
    """Every 3-D convolution's weight in `memory_format`: a convolution's output takes its weight's layout, and the
    norms, activations, pads and concatenations after it keep their input's."""
    for m in module.modules():
        if isinstance(m, torch.nn.Conv3d):
            m.weight.data = m.weight.data.contiguous(memory_format=memory_format)


def vae_study(device: torch.device, blocks: int = 5, warm: int = 2,
              progress: Callable[[dict], None] | None = None) -> dict:
    """The streaming decode of the same `blocks` blocks of 3 random latents, built each VAE_BUILDS way on one VAE of
    the real shape (random weights): ms per block after `warm` blocks (the compiled builds compile in them), the
    kernels of one more block, and each build's frames against the eager ones (in levels of 255)."""
    from vcam.engine.vae import build_vae, vae_dtype

    spec, (w, h), dtype = shapes(device)
    f = spec.vae.spatial_factor
    torch.manual_seed(1)
    vae = build_vae(spec.vae).to(device, vae_dtype(dtype)).eval()
    gen = torch.Generator(device=device).manual_seed(2)
    latents = [torch.randn(1, 16, 3, h // f, w // f, generator=gen, device=device) for _ in range(blocks + 1)]
    allow_recompiles()
    result: dict = {"shape": f"{w}x{h}, 3 latents a block, {vae_dtype(dtype)}"}
    eager_frames: list | None = None
    try:
        for name, compiled, channels_last, benchmark in VAE_BUILDS:
            try:  # a build that fails (a layout this torch cannot compile) is said, and the next one runs
                row, frames = _vae_row(vae, latents, blocks, warm, device, compiled, channels_last, benchmark)
                if name == "eager":
                    eager_frames = frames
                elif eager_frames is not None:  # the eager decode's frames only: no other build is the reference
                    d = torch.cat([(a - b).abs().flatten() for a, b in zip(frames, eager_frames)]) * 127.5
                    row["levels against eager"] = {"max": round(d.max().item(), 3),
                                                   "mean": round(d.mean().item(), 4)}
                result[name] = row
            except Exception as e:  # noqa: BLE001
                result[name] = {"error": f"{e.__class__.__name__}: {str(e)[:300]}"}
            if progress is not None:
                progress(dict(result))
    finally:
        vae.decoder._compiled_call_impl = None
        torch._dynamo.reset()
    return result


def _vae_row(vae, latents: list, blocks: int, warm: int, device: torch.device, compiled: bool, channels_last: bool,
             benchmark: bool) -> tuple[dict, list]:
    """One VAE_BUILDS build's row and its frames (float32, on the CPU), from a reset torch.compile."""
    from vcam.engine.vae import StreamingDecoder

    torch._dynamo.reset()
    lay_out(vae, torch.channels_last_3d if channels_last else torch.contiguous_format)
    vae.decoder._compiled_call_impl = None
    if compiled:
        vae.decoder.compile(dynamic=False)
    decoder = StreamingDecoder(vae)
    frames, times = [], []
    with torch.backends.cudnn.flags(enabled=True, benchmark=benchmark):
        for lat in latents[:blocks]:
            sync(device)
            t0 = time.perf_counter()
            frames.append(decoder.decode(lat))
            sync(device)
            times.append(1000.0 * (time.perf_counter() - t0))
        row = {"ms": round(statistics.median(times[warm:]), 2), "first blocks ms": [round(t) for t in times[:warm]]}
        row.update(kernel_summary(profiled(lambda: decoder.decode(latents[blocks]), device), top=8))
    return row, [fr.float().cpu() for fr in frames]


def study_steps(run, device: torch.device, names: list[str]) -> None:
    """`gpu_check.py --study`: the studies named, in STUDIES' order, each a step of the run (skipped for time as
    gpu_check's steps are). A study of several builds saves each row as it is made: one cut short by the hard
    stop keeps the builds it finished (a build compiles for a minute, and the card is lent once)."""
    def saved(label: str) -> Callable[[dict], None]:
        return lambda rows: run.partial(label, rows)

    steps = {"vae": (lambda: vae_study(device, progress=saved("study vae")), 200),
             "layer": (lambda: layer_study(device, progress=saved("study layer")), 220),
             "gelu": (lambda: gelu_epilogue(device), 30),
             "autotune": (lambda: layer_study(device, ("compiled", "max-autotune"), progress=saved("study autotune")),
                          200)}
    for name in STUDIES:
        if name in names:
            fn, need_s = steps[name]
            run.step(f"study {name}", fn, need_s=need_s)
