"""The speed options of an engine and its streams: what `vcam bench` compares and `vcam run` uses.

Every option except `quant`, `attention_quant` and `decoder` gives the same frames as the plain path (within
rounding); `quant="fp8"` changes the picture a little and is therefore never chosen on a user's behalf;
`quant="nvfp4"` changes it more; `attention_quant="int8"` (SageAttention's INT8 Q·K) changes it by an amount still
to be measured on a card (BENCHMARKS.md), so it is never chosen either.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace

ATTENTION = ("auto", "flash", "cudnn", "efficient", "math")
QUANTS = ("none", "fp8", "nvfp4")
DECODERS = ("vae", "taehv")  # the Wan VAE's decoder, or TAEHV's tiny one (vcam.engine.taehv)
# How inductor builds the compiled kernels: "default" (cuBLAS for the GEMMs, Triton for what lies between them), or
# autotuned Triton GEMM templates with epilogues fused, CUDA graphs left out (the blocks write the KV cache in
# place, and retired CUDA graphs gained nothing here). Ignored unless compiling.
COMPILE_MODES = ("default", "max-autotune-no-cudagraphs")

# The self-attention's precision: "none" is SDPA as the model computes everything else; "int8" is SageAttention
# 1.0.6's kernel (INT8 Q·K per block, fp16 P·V), kept apart from `attention` (exact SDPA kernel families only)
ATTENTION_QUANTS = ("none", "int8")


def _check_attention(attention: str) -> None:
    if attention not in ATTENTION:
        raise ValueError(f"unknown attention backend {attention!r}; choose one of {', '.join(ATTENTION)}")


def _check_compile_mode(mode: str) -> None:
    if mode not in COMPILE_MODES:
        raise ValueError(f"unknown compile mode {mode!r}; choose one of {', '.join(COMPILE_MODES)}")


@dataclass(frozen=True)
class SpeedOptions:
    fuse: bool = True  # one q/k/v projection instead of three
    compile: bool = False  # torch.compile the transformer blocks and the VAE decoder (before going on air)
    attention: str = "auto"  # restrict SDPA to one kernel family ("auto": PyTorch chooses)
    # "fp8": torchao FP8 matrices (CUDA 8.9+; changes the picture slightly); "nvfp4": 4-bit NVFP4 (CUDA 10.0+)
    quant: str = "none"
    decoder: str = "vae"  # "taehv": the tiny decoder, faster and less faithful, so like quant never chosen for you
    compile_mode: str = "default"  # torch.compile's mode for the transformer blocks (COMPILE_MODES)
    # "int8": the denoise/recompute self-attention through SageAttention's INT8 Q·K kernel (CUDA; inexact, like quant)
    attention_quant: str = "none"

    def __post_init__(self) -> None:
        _check_attention(self.attention)
        _check_compile_mode(self.compile_mode)
        if self.attention_quant not in ATTENTION_QUANTS:
            raise ValueError(f"unknown attention quantization {self.attention_quant!r}; choose one of "
                             f"{', '.join(ATTENTION_QUANTS)}")
        if self.quant not in QUANTS:
            raise ValueError(f"unknown quantization {self.quant!r}; choose one of {', '.join(QUANTS)}")
        if self.decoder not in DECODERS:
            raise ValueError(f"unknown decoder {self.decoder!r}; choose one of {', '.join(DECODERS)}")

    def describe(self) -> str:
        """One line naming what differs from eager PyTorch, e.g. 'compile, attention cudnn'."""
        default = SpeedOptions()
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name) or (f.name == "compile_mode" and not self.compile):
                continue
            if isinstance(value, bool):
                parts.append(f.name if value else f"no {f.name}")
            else:
                parts.append(f"{f.name} {value}")
        return ", ".join(parts) or "eager"  # nothing beyond PyTorch as it comes

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def live_defaults(cls, on_gpu: bool, quant: str = "none", random_weights: bool = False) -> "SpeedOptions":
        """What a show runs when nothing was tuned or given: compiled on a GPU, as measured fastest (BENCHMARKS.md:
        on an H200 at 832x480, compiling took bf16 from 5.8 to 8.2 frames/s and FP8 from 5.7 to 10.5, while forced
        attention kernels gained nothing). On a CPU, or for a model of random weights (tiny, for tests), compiling
        takes longer than the show."""
        return cls(compile=on_gpu and not random_weights, quant=quant)

    @classmethod
    def from_dict(cls, data: Mapping) -> "SpeedOptions":
        """From a dict such as a tuning file holds; unknown keys are ignored (a file saved before an option was
        retired still loads), bad values raise ValueError."""
        defaults = cls()
        known = {f.name for f in fields(cls)}
        kwargs = {}
        for key, value in data.items():
            if key not in known:
                continue
            default = getattr(defaults, key)
            if type(value) is not type(default):
                raise ValueError(f"speed option {key} must be of type {type(default).__name__}, not {value!r}")
            kwargs[key] = value
        return cls(**kwargs)


def unused_compile_mode(mode: str | None, compiled: bool) -> str | None:
    """The line that says a --compile-mode changes nothing because nothing compiles (off by default on a CPU and for
    a model of random weights): a speed flag this machine does not use is said, not refused, so that a show still
    starts. None where the mode is used, or not given, or torch.compile's default anyway. (--no-compile with a
    mode says two opposite things: the command line refuses that.)"""
    if mode in (None, "default") or compiled:
        return None
    return (f"--compile-mode {mode} is not used: nothing is compiled (the default on a CPU and for a model of random "
            "weights; --compile compiles)")


@dataclass(frozen=True)
class SpeedFlags:
    """The speed options given by hand for a show (`vcam run --compile --attention cudnn`); None: not given.
    Each gives the plain path's frames. Quantization (of the matrices or of the attention) and the decoder are not
    among them: they change the picture, so they are chosen apart and key the tuning."""

    compile: bool | None = None
    attention: str | None = None
    compile_mode: str | None = None

    def __post_init__(self) -> None:
        if self.attention is not None:
            _check_attention(self.attention)
        if self.compile_mode is not None:
            _check_compile_mode(self.compile_mode)
            if self.compile is False and self.compile_mode != "default":
                raise ValueError(f"compile mode {self.compile_mode} needs compiling; leave out --no-compile")

    def given(self) -> dict:
        """The flags that were given, by name."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    def __bool__(self) -> bool:
        return bool(self.given())

    def over(self, base: SpeedOptions) -> SpeedOptions:
        """`base` with the given flags in its place."""
        return replace(base, **self.given())

    @classmethod
    def from_dict(cls, data: Mapping) -> "SpeedFlags":
        """From {name: value or None}; a name that is not a flag raises ValueError naming the flags."""
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ValueError(f"not a speed flag: {', '.join(unknown)}; the flags are {', '.join(names)}")
        return cls(**data)
