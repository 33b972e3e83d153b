"""Low-precision matrices (torchao) for the transformer blocks: FP8 weights and activations (about half the memory
and up to twice the matrix rate on Ada, Hopper and Blackwell cards) and NVFP4 (about a quarter of the memory, for
Blackwell cards only)."""
from __future__ import annotations

import importlib

import torch
from torch import nn

from vcam.errors import VcamError, install_fix


# The AMD architectures torchao's FP8 quantisation accepts: MI300 (gfx94x), MI350 (gfx95x, in a torchao that knows
# it). ROCm reports a card's gfx generation as its compute capability (an MI250X's gfx90a as 9.0, a Radeon RX 7900's
# gfx1100 as 11.0), so NVIDIA's 8.9 floor let cards without FP8 through to a failure at load; a Radeon RX 9000
# (gfx120x) has FP8 products, which torchao refuses all the same.
ROCM_FP8_ARCHS = ("gfx94", "gfx95")


def fp8_chip_lacks(capability: tuple[int, int], arch: str | None) -> str | None:
    """Why a chip has no FP8 that torchao runs, or None where it has: on ROCm (`arch`, its gcnArchName, given) by
    the architecture, elsewhere by NVIDIA's compute capability 8.9. The one rule the load, the size choice and a
    measured card's figures all go by."""
    if arch is not None:
        arch = arch.split(":")[0]
        if not arch.startswith(ROCM_FP8_ARCHS):
            return (f"FP8 needs an AMD Instinct MI300 or newer (gfx942, gfx950) on ROCm; this GPU is "
                    f"{arch or 'of an unknown architecture'}")
    elif capability < (8, 9):
        return (f"FP8 needs compute capability 8.9 or newer (Ada, Hopper, Blackwell); this GPU has "
                f"{capability[0]}.{capability[1]}")
    return None


def rocm_arch(device: torch.device) -> str | None:
    """A ROCm card's architecture (gcnArchName: "gfx942:sramecc+:xnack-"), "" where it gives none; None off ROCm."""
    if torch.version.hip is None:
        return None
    return getattr(torch.cuda.get_device_properties(device), "gcnArchName", "") or ""


def fp8_unsupported(device: torch.device) -> str | None:
    """Why FP8 cannot run here, or None when it can."""
    if device.type != "cuda":
        return "FP8 needs an NVIDIA GPU (compute capability 8.9 or newer) or an AMD Instinct MI300 or newer"
    arch = rocm_arch(device)
    why = fp8_chip_lacks(torch.cuda.get_device_capability(device) if arch is None else (0, 0), arch)
    if why is not None:
        return why
    try:
        importlib.import_module("torchao")
    except ImportError:
        return f"FP8 needs torchao: {install_fix('fp8')}"  # the extra: torchao at the version vcam needs
    if arch and arch.startswith("gfx95") and not hasattr(importlib.import_module("torchao.utils"), "is_MI350"):
        return f"FP8 on an MI350 needs a newer torchao than this one: {install_fix('fp8')} (pip install -U torchao)"
    return None


def require_fp8(device: torch.device, dtype: torch.dtype = torch.bfloat16) -> None:
    why = fp8_unsupported(device)
    if why is not None:
        raise VcamError(why, _fp8_fix(device, why))
    if dtype != torch.bfloat16:  # torchao's per-row FP8 scales bf16 weights only
        raise VcamError(f"FP8 is made from bf16 weights, not {str(dtype).removeprefix('torch.')}",
                        "leave the dtype at bf16 with --quant fp8")


def _fp8_fix(device: torch.device, why: str) -> str:
    """What to do where FP8 cannot run: on a CPU there is no bf16 to fall back to, and no card to name ("a card that
    supports it" said nothing of which); on an FP8 card without torchao, no other card either."""
    if device.type == "cpu":
        return ("run without --quant fp8 (a CPU runs the model in float32); FP8 is for NVIDIA cards of compute "
                "capability 8.9 or newer (Ada, Hopper, Blackwell: an RTX 4090, L40S or H100)")
    if "torchao" in why:
        return "install it as said, or run without --quant fp8 (bf16)"
    return "run without --quant fp8 (bf16), or on a card that supports it"


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


# NVFP4 (torchao 0.18, `NVFP4DynamicActivationNVFP4WeightConfig`): weights and activations in 4-bit e2m1, in
# blocks of 16 values along the reduction dimension, each block with an FP8 (e4m3) scale and the whole tensor with
# a float32 one. torchao refuses it below compute capability 10.0 and multiplies through torch._scaled_mm, which
# hands FP4 to cuBLASLt's block-scaled matmul: a PyTorch built with CUDA 12.8 or newer. Quantizing itself is plain
# PyTorch and runs anywhere (the tests do it on the CPU); only that product needs the card.
NVFP4_MIN_CAPABILITY = (10, 0)  # B200/GB200 are 10.0, B300 10.3, RTX PRO 6000 Blackwell and RTX 5090 12.0
NVFP4_MIN_CUDA = (12, 8)
NVFP4_BLOCK = 16
# The torchao release NVFP4's config came with, above the fp8 extra's floor: its install line names it as pyproject
# names that one (torchao>=0.14), in double quotes, where a shell would take a bare >= for a redirection
NVFP4_TORCHAO = "0.18"


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("+")[0].split(".")[:2] if part.isdigit())


def nvfp4_unsupported(device: torch.device) -> str | None:
    """Why NVFP4 cannot run here, or None when it can (as far as can be told without running it)."""
    if device.type != "cuda":
        return "NVFP4 needs an NVIDIA Blackwell GPU (compute capability 10.0 or newer)"
    if torch.version.hip is not None:
        return "NVFP4 needs an NVIDIA Blackwell GPU; this PyTorch is built for ROCm"
    major, minor = torch.cuda.get_device_capability(device)
    if (major, minor) < NVFP4_MIN_CAPABILITY:
        return (f"NVFP4 needs a Blackwell GPU (compute capability 10.0 or newer: B200, RTX PRO 6000, RTX 5090); "
                f"this GPU has {major}.{minor}")
    if not hasattr(torch, "float4_e2m1fn_x2"):
        return f"NVFP4 needs PyTorch 2.8 or newer; this is {torch.__version__}"
    if torch.version.cuda is None or _version(torch.version.cuda) < NVFP4_MIN_CUDA:
        return f"NVFP4 needs PyTorch built with CUDA 12.8 or newer; this one has CUDA {torch.version.cuda}"
    try:
        import torchao
    except ImportError:
        return f"NVFP4 needs torchao: {install_fix('fp8')}"
    try:
        import torchao.prototype.mx_formats as mx_formats
    except ImportError:
        mx_formats = None
    if not hasattr(mx_formats, "NVFP4DynamicActivationNVFP4WeightConfig"):  # the config vcam was built against
        return (f"NVFP4 needs torchao {NVFP4_TORCHAO} or newer (this is "
                f"{getattr(torchao, '__version__', 'an unknown version')}): pip install \"torchao>={NVFP4_TORCHAO}\"")
    return None


def _blackwell(device: torch.device) -> bool:
    """Whether `device` is a Blackwell card (an NVIDIA one: ROCm reports its gfx generation as the capability)."""
    return (device.type == "cuda" and torch.version.hip is None
            and torch.cuda.get_device_capability(device) >= NVFP4_MIN_CAPABILITY)


def require_nvfp4(device: torch.device, dtype: torch.dtype = torch.bfloat16) -> None:
    why = nvfp4_unsupported(device)
    if why is not None:
        fp8 = "--quant fp8 runs on this card (FP8, about half the weight memory)" if fp8_unsupported(device) is None \
            else "run without --quant (bf16)" if device.type == "cuda" else "run without --quant (float32 on a CPU)"
        if _blackwell(device):  # the software is what lacks: "for Blackwell cards only" misled on one
            raise VcamError(why, f"this card runs --quant nvfp4 once that is installed; until then {fp8}")
        raise VcamError(why, f"{fp8}; --quant nvfp4 is for Blackwell cards only")
    if dtype != torch.bfloat16:
        raise VcamError(f"NVFP4 is made from bf16 weights, not {str(dtype).removeprefix('torch.')}",
                        "leave the dtype at bf16 with --quant nvfp4")


def nvfp4_fits(linear: nn.Linear) -> bool:
    """Whether torchao can store this Linear's weight in NVFP4: both its dimensions whole blocks of 16."""
    out_features, in_features = linear.weight.shape
    return out_features % NVFP4_BLOCK == 0 and in_features % NVFP4_BLOCK == 0


def nvfp4_config():
    """torchao's config for NVFP4 weights and dynamically quantized NVFP4 activations. Its fused Triton kernel for
    the activations comes from the separate MSLK package; without it torchao's plain PyTorch quantizer does the
    same arithmetic in several kernels (what that costs, eager and compiled, waits for a card: gpu_check)."""
    import importlib

    from torchao.prototype.mx_formats import NVFP4DynamicActivationNVFP4WeightConfig

    return NVFP4DynamicActivationNVFP4WeightConfig(use_triton_kernel=importlib.util.find_spec("mslk") is not None)


def quantize_nvfp4(blocks: nn.Module, device: torch.device) -> nn.Module:
    """Every Linear inside `blocks` (the transformer's blocks, or one of them) whose shape allows it to NVFP4
    weights, its activations quantized to NVFP4 on the fly. Embeddings, modulation and the head stay as they are."""
    linear = next(m for m in blocks.modules() if isinstance(m, nn.Linear))
    require_nvfp4(device, linear.weight.dtype)
    from torchao.quantization import quantize_

    quantize_(blocks, nvfp4_config(), filter_fn=lambda module, name: isinstance(module, nn.Linear)
              and nvfp4_fits(module))
    return blocks


def nvfp4_weight_bytes(out_features: int, in_features: int) -> int:
    """Bytes torchao keeps for one NVFP4 weight: two values a byte; one FP8 scale per 16 values, stored in the
    swizzled layout the matmul reads (rows padded to 128, blocks per row to 4); one float32 scale per tensor."""
    def round_up(n: int, m: int) -> int:
        return -(-n // m) * m

    scales = round_up(out_features, 128) * round_up(in_features // NVFP4_BLOCK, 4)
    return out_features * in_features // 2 + scales + 4
