"""FP8 weights and activations (torchao) for the transformer blocks' matrices: about half the memory and up to
twice the matrix rate on Ada, Hopper and Blackwell cards."""
from __future__ import annotations

import torch
from torch import nn

from vcam.errors import VcamError


def fp8_unsupported(device: torch.device) -> str | None:
    """Why FP8 cannot run here, or None when it can."""
    if device.type != "cuda":
        return "FP8 needs an NVIDIA GPU"
    major, minor = torch.cuda.get_device_capability(device)
    if (major, minor) < (8, 9):
        return f"FP8 needs compute capability 8.9 or newer (Ada, Hopper, Blackwell); this GPU has {major}.{minor}"
    try:
        import torchao  # noqa: F401
    except ImportError:
        return "FP8 needs torchao: pip install torchao"
    return None


def require_fp8(device: torch.device) -> None:
    why = fp8_unsupported(device)
    if why is not None:
        raise VcamError(why, "run without --quant fp8 (bf16), or on a card that supports it")


def quantize_fp8(blocks: nn.Module, device: torch.device) -> nn.Module:
    """Every Linear inside `blocks` (the transformer's blocks, or one of them) to FP8 (e4m3) weights with
    per-row scales and dynamically scaled FP8 activations. Embeddings, modulation and the head stay as they are."""
    require_fp8(device)
    from torchao.quantization import Float8DynamicActivationFloat8WeightConfig, quantize_
    from torchao.quantization.granularity import PerRow

    quantize_(blocks, Float8DynamicActivationFloat8WeightConfig(granularity=PerRow()),
              filter_fn=lambda module, name: isinstance(module, nn.Linear))
    return blocks
