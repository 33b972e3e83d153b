"""The speed options of an engine and its streams: what `vcam bench` compares and `vcam run` uses.

Every option except `quant` gives the same frames as the plain path (within rounding); `quant="fp8"` changes the
picture a little and is therefore never chosen on a user's behalf.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields

ATTENTION = ("auto", "flash", "cudnn", "efficient", "math")
QUANTS = ("none", "fp8")


@dataclass(frozen=True)
class SpeedOptions:
    fuse: bool = True  # one q/k/v projection instead of three
    compile: bool = False  # torch.compile the transformer blocks and the VAE decoder (before going on air)
    attention: str = "auto"  # restrict SDPA to one kernel family ("auto": PyTorch chooses)
    quant: str = "none"  # "fp8": torchao FP8 matrices (CUDA 8.9+; changes the picture slightly)
    overlap: bool = False  # decode block k on a second CUDA stream while block k+1 is denoised
    graphs: bool = False  # replay the denoising passes as CUDA graphs (CUDA only)

    def __post_init__(self) -> None:
        if self.attention not in ATTENTION:
            raise ValueError(f"unknown attention backend {self.attention!r}; choose one of {', '.join(ATTENTION)}")
        if self.quant not in QUANTS:
            raise ValueError(f"unknown quantization {self.quant!r}; choose one of {', '.join(QUANTS)}")

    def describe(self) -> str:
        """One line naming what differs from eager PyTorch, e.g. 'compile, attention cudnn, overlap'."""
        default = SpeedOptions()
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value == getattr(default, f.name):
                continue
            if isinstance(value, bool):
                parts.append(f.name if value else f"no {f.name}")
            else:
                parts.append(f"{f.name} {value}")
        return ", ".join(parts) or "eager"  # nothing beyond PyTorch as it comes

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def live_defaults(cls, on_gpu: bool, quant: str = "none", random_weights: bool = False,
                      graphs: bool = False) -> "SpeedOptions":
        """What a show runs when nothing was tuned or given: compiled on a GPU, as measured fastest (BENCHMARKS.md:
        on an H200 at 832x480, compiling took bf16 from 5.8 to 8.2 frames/s and FP8 from 5.7 to 10.5, while the
        overlap, CUDA graphs and forced attention kernels gained nothing). On a CPU, or for a model of random
        weights (tiny, for tests), compiling takes longer than the show. With `graphs` asked for, not compiled:
        graphs replay eager kernels."""
        return cls(compile=on_gpu and not random_weights and not graphs, quant=quant, graphs=graphs)

    @classmethod
    def from_dict(cls, data: dict) -> "SpeedOptions":
        """From a dict such as a tuning file holds; unknown keys are ignored, bad values raise ValueError."""
        defaults = cls()
        known = {f.name for f in fields(cls)}
        kwargs = {}
        for key, value in data.items():
            if key not in known:
                continue
            default = getattr(defaults, key)
            if type(value) is not type(default):
                raise ValueError(f"speed option {key} must be a {type(default).__name__}, not {value!r}")
            kwargs[key] = value
        return cls(**kwargs)
