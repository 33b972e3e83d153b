"""torch.compile for an engine, and the way back to eager kernels where this machine cannot build them.

Compiling is the default on a GPU (SpeedOptions.live_defaults), so a broken toolchain (no C compiler for Triton,
an old Triton) must cost speed, not the show.
"""
from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import torch

from vcam.engine.cachedir import keep_compiled_kernels

if TYPE_CHECKING:
    from vcam.engine.load import Engine


# How many graphs torch.compile keeps for one function before it runs that function eager for good. Its default, 8,
# is too few for the VAE decoder: on torch 2.11 diffusers' decoder breaks into a graph per causal convolution and
# block (it compares a cached tensor with "Rep"), and those functions meet more than 8 shapes (channels, frames, an
# empty cache) over two streams. On an H200 at 576x320 a second stream's decode then ran partly eager, 114 ms
# against the first's 84, for as long as the process lived; at 64 it took 85 (2026-12-04, BENCHMARKS.md).
RECOMPILE_LIMIT = 64


def allow_recompiles(limit: int = RECOMPILE_LIMIT) -> None:
    """Raises torch.compile's per-function graph limit to `limit`, never lowering one set higher. Process-wide:
    dynamo has no per-module limit."""
    config = torch._dynamo.config
    name = "recompile_limit" if hasattr(config, "recompile_limit") else "cache_size_limit"  # its name before 2.7
    setattr(config, name, max(getattr(config, name), limit))


def graphs_compiled() -> int:
    """How many graphs torch.compile has made in this process so far (recompiles included)."""
    from torch._dynamo.utils import counters

    return int(counters["stats"]["unique_graphs"])


def compile_engine(engine: "Engine", mode: str = "default") -> None:
    """Compiles the transformer blocks (in torch.compile's `mode`, see SpeedOptions.compile_mode) and the VAE
    decoder in place; kernels are built at their first call."""
    keep_compiled_kernels()
    allow_recompiles()
    engine.model.compile_blocks(dynamic=False, mode=mode)
    # The decoder's per-latent calls have a handful of shapes (first chunk, then with its cache filled). It keeps
    # the default mode: the compile mode is for the transformer's GEMMs, and each decoder shape would be autotuned.
    engine.vae.decoder.compile(dynamic=False)
    if engine.taehv is not None:  # one latent per call, its memory zeros at a stream's start: one shape
        engine.taehv.compile(dynamic=False)


def uncompile(engine: "Engine") -> None:
    """Back to eager kernels. Resets torch.compile's state for the whole process: another compiled engine in it
    compiles again on its next call."""
    for module in (*engine.model.blocks, engine.vae.decoder, *([engine.taehv] if engine.taehv is not None else [])):
        module._compiled_call_impl = None  # what nn.Module.compile set; __call__ checks it on every call
    torch._dynamo.reset()
    engine.speed = replace(engine.speed, compile=False, compile_mode="default")


def compile_failed(e: BaseException) -> bool:
    """Whether `e` is torch.compile failing to build kernels on this machine (its backend: no C compiler, no or an
    old Triton), not the model's own error seen while tracing, which eager code would raise as well."""
    from torch._inductor import exc as inductor

    kinds = (torch._dynamo.exc.BackendCompilerFailed,
             *(getattr(inductor, name) for name in ("TritonMissing", "GPUTooOldForTriton") if hasattr(inductor, name)))
    return isinstance(e, kinds)


def root_cause(e: BaseException) -> str:
    """The first line of the innermost error: torch.compile wraps the one that says what is missing. An error in
    inductor's compile workers arrives with the worker's traceback as `details`, whose last line says it."""
    while True:
        inner = getattr(e, "inner_exception", None) or e.__cause__
        if inner is None or inner is e:
            break
        e = inner
    details = [line.strip() for line in str(getattr(e, "details", "") or "").splitlines() if line.strip()]
    if details:
        return details[-1][:200]
    lines = [line for line in str(e).splitlines() if line.strip()]
    return f"{e.__class__.__name__}: {lines[0].strip()[:200]}" if lines else e.__class__.__name__


def fall_back_to_eager(engine: "Engine", e: BaseException) -> str | None:
    """If `e` is compiling failing on this machine: the engine goes back to eager kernels and the line that says
    so is returned; else None and nothing changes."""
    if not (engine.speed.compile and compile_failed(e)):
        return None
    uncompile(engine)
    return (f"compiling failed on this machine ({root_cause(e)}); going on without it, slower "
            "(--no-compile skips the attempt)")
