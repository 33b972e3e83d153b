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


def require_fp8(device: torch.device, dtype: torch.dtype = torch.bfloat16) -> None:
    why = fp8_unsupported(device)
    if why is not None:
        raise VcamError(why, "run without --quant fp8 (bf16), or on a card that supports it")
    if dtype != torch.bfloat16:  # torchao's per-row FP8 scales bf16 weights only
        raise VcamError(f"FP8 is made from bf16 weights, not {str(dtype).removeprefix('torch.')}",
                        "leave the dtype at bf16 with --quant fp8")


def quantize_fp8(blocks: nn.Module, device: torch.device) -> nn.Module:
    """Every Linear inside `blocks` (the transformer's blocks, or one of them) to FP8 (e4m3) weights with
    per-row scales and dynamically scaled FP8 activations. Embeddings, modulation and the head stay as they are."""
    linear = next(m for m in blocks.modules() if isinstance(m, nn.Linear))
    require_fp8(device, linear.weight.dtype)
    from torchao.quantization import Float8DynamicActivationFloat8WeightConfig, quantize_
    from torchao.quantization.granularity import PerRow

    # set_inductor_config=False: torchao would otherwise retune torch.compile and matmul precision process-wide.
    quantize_(blocks, Float8DynamicActivationFloat8WeightConfig(granularity=PerRow(), set_inductor_config=False),
              filter_fn=lambda module, name: isinstance(module, nn.Linear))
    return blocks
