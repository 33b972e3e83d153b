"""Self-attention beyond plain SDPA: Krea's bias on a span of keys (exact, without a mask), and SageAttention's
INT8 kernel (inexact, only when asked for; at the end of this file).

Adding log(bias) to the scores of some keys is the same as weighting their share of the softmax by `bias`. So the
keys are cut into segments (before the span, the span, after it), each segment's attention is computed by the
same fused kernel plain SDPA runs, with its log-sum-exp (LSE), and the parts are merged by their LSEs:

    out = Σ_s exp(lse_s + log w_s − lse_total) · out_s,   lse_total = logsumexp_s(lse_s + log w_s)

No mask is built and no query is padded: the work is that of one plain attention over all the keys, in three
kernel calls instead of one, plus an elementwise merge.

Where the LSE comes from: PyTorch's public SDPA returns only the output, so the kernels it dispatches to are
called directly (the ones SDPA itself would pick for these tensors under the kernels allowed now): on CUDA
`_scaled_dot_product_flash_attention`, `_scaled_dot_product_efficient_attention` or
`_scaled_dot_product_cudnn_attention` (each returns the LSE it computes anyway); on the CPU
`_scaled_dot_product_flash_attention_for_cpu`; anywhere else, and under `--attention math`, a float32 matmul and
logsumexp.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass

import torch
from torch import Tensor

from vcam.bias import check_bias
from vcam.errors import VcamError

# SDPBackend's numbers as `_fused_sdp_choice` gives them; anything else (a backend of another device) runs the math
_KERNELS = {0: "math", 1: "flash", 2: "efficient", 3: "cudnn"}


@dataclass(frozen=True)
class KeyBias:
    """Keys at token offsets [start, end) of a pass's attention (cache offsets with a KV cache) get log(bias) added
    to their scores."""

    start: int
    end: int
    bias: float

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"biased keys [{self.start}, {self.end}) is not a span of offsets")
        check_bias(self.bias)


def sdpa_choice(q: Tensor, k: Tensor, v: Tensor) -> str:
    """The kernel plain SDPA would run for q, k, v [B, H, L, D] under the kernels allowed now (`sdpa_kernel`):
    "flash", "efficient", "cudnn" or "math". Raises as SDPA would where none is allowed."""
    return _KERNELS.get(int(torch.ops.aten._fused_sdp_choice(q, k, v)), "math")


def attention_lse(q: Tensor, k: Tensor, v: Tensor, kernel: str) -> tuple[Tensor, Tensor]:
    """Softmax attention of q [B, H, Lq, D] over k, v [B, H, Lk, D] with scale 1/√D, by `kernel` (see
    `sdpa_choice`): the output [B, H, Lq, D] in q's dtype and the natural-log LSE of the scaled scores
    [B, H, Lq] in float32."""
    lq = q.shape[2]
    if kernel != "math" and q.device.type == "cpu":
        out, lse = torch.ops.aten._scaled_dot_product_flash_attention_for_cpu(q, k, v)
    elif kernel == "flash" and q.is_cuda:
        out, lse = torch.ops.aten._scaled_dot_product_flash_attention(q, k, v)[:2]
    elif kernel == "efficient" and q.is_cuda:
        out, lse = torch.ops.aten._scaled_dot_product_efficient_attention(q, k, v, None, True)[:2]
    elif kernel == "cudnn" and q.is_cuda:
        out, lse = torch.ops.aten._scaled_dot_product_cudnn_attention(q, k, v, None, True)[:2]
    else:
        return _math_attention_lse(q, k, v)
    # the efficient kernel pads its LSE to a multiple of 32 queries; cuDNN's has a trailing dimension of 1
    return out, lse.flatten(2)[..., :lq].float()


def _math_attention_lse(q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
    scores = (q.float() @ k.float().transpose(-2, -1)) * q.shape[-1] ** -0.5
    lse = torch.logsumexp(scores, dim=-1)
    out = torch.exp(scores - lse[..., None]) @ v.float()
    return out.to(q.dtype), lse


def merge_segments(parts: list[tuple[Tensor, Tensor]]) -> Tensor:
    """One attention output from the (output, LSE) of attention over disjoint key segments, each LSE already
    carrying its segment's log weight; in float32, returned in the outputs' dtype."""
    total = torch.logsumexp(torch.stack([lse for _, lse in parts]), dim=0)
    out = sum(torch.exp(lse - total)[..., None] * o.float() for o, lse in parts)
    return out.to(parts[0][0].dtype)


def biased_attention(q: Tensor, k: Tensor, v: Tensor, start: int, end: int, log_bias: Tensor, kernel: str) -> Tensor:
    """SDPA of q [B, H, Lq, D] over k, v [B, H, Lk, D] with `log_bias` (a 0-dim float32 tensor, so that a new
    value recompiles nothing) added to the scores of keys [start, end)."""
    parts = []
    for lo, hi, biased in ((0, start, False), (start, end, True), (end, k.shape[2], False)):
        hi = min(hi, k.shape[2])
        if hi <= lo:
            continue
        out, lse = attention_lse(q, k[:, :, lo:hi], v[:, :, lo:hi], kernel)
        parts.append((out, lse + log_bias if biased else lse))
    return merge_segments(parts)


# --- INT8 attention (--attention-quant int8): SageAttention 1.0.6, an inexact kernel, never a default ---
#
# Its Triton kernels quantize Q (blocks of 128 queries) and K (blocks of 64 keys) to INT8 with one scale per block,
# multiply them on the INT8 tensor cores and do P·V in fp16. On an H200 its picture stayed 53 dB from SDPA's over 3
# blocks (Krea's notes saw SageAttention 2.2 give pure noise there), but it ran 1.7x slower than cuDNN's attention
# (BENCHMARKS.md, 2026-12-04): kept for cards without a fast SDPA, never chosen for a show. It returns no LSE, so
# passes with Krea's attention bias stay on the exact segmented path.
SAGEATTENTION = "sageattention==1.0.6"  # the version these calls were written against (pure Python and Triton)
INT8_HEAD_DIMS = (64, 96, 128)  # the head sizes its kernels are built for
INT8_MIN_CAPABILITY = (8, 0)  # INT8 tensor-core dots in its Triton kernels: Ampere and newer


def int8_attention_unsupported(device: torch.device, head_dim: int) -> str | None:
    """Why SageAttention's INT8 attention cannot run here for heads of `head_dim`, or None when it can (as far as
    can be told without running it)."""
    if device.type != "cuda" or torch.version.hip is not None:
        return "INT8 attention (SageAttention) needs an NVIDIA GPU"
    if head_dim not in INT8_HEAD_DIMS:
        return (f"INT8 attention (SageAttention) supports heads of {', '.join(map(str, INT8_HEAD_DIMS))}; this "
                f"model's are {head_dim}")
    major, minor = torch.cuda.get_device_capability(device)
    if (major, minor) < INT8_MIN_CAPABILITY:
        return f"INT8 attention (SageAttention) needs compute capability 8.0 or newer; this GPU has {major}.{minor}"
    try:  # imported, not only looked for: it imports triton, which a CPU-only PyTorch may lack
        importlib.import_module("sageattention")
    except ImportError:
        return f"INT8 attention needs SageAttention: pip install {SAGEATTENTION}"
    return None


def require_int8_attention(device: torch.device, head_dim: int) -> None:
    why = int8_attention_unsupported(device, head_dim)
    if why is not None:
        raise VcamError(why, "run without --attention-quant int8 (the exact attention)")


@torch.compiler.disable
def int8_attention(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    """Softmax attention of q [B, H, Lq, D] over k, v [B, H, Lk, D] with scale 1/√D through SageAttention's INT8
    Q·K kernel; the output in q's dtype. Kept out of torch.compile's graphs (a graph break each layer): its Triton
    launcher has not been traced by dynamo on a card, and the eager call is what the PSNR was measured on.

    Besides the INT8 error, SageAttention 1.0.6 (read from its kernels) masks the loads of the last, partial block of
    64 keys but not their scores: the padding keys score 0 and enter the softmax's denominator. vcam's key counts
    (4680, 9360) are no multiples of 64, so every output comes out a little smaller (by our reading about 0.5 % over
    9360 keys and up to about 1.2 % over the recompute pass's 4680, whose last block has 56 padding keys; not
    measured); gpu_check's PSNR includes it.

    Named to the profiler as `sageattention::sageattn`, so that `vcam bench --split` counts its Triton kernels (the
    quantisation and the attention) as attention."""
    from sageattention import sageattn

    with torch.profiler.record_function("sageattention::sageattn"):
        # SageAttention smooths K (subtracts its mean over the keys: the softmax is unchanged, the INT8 error
        # smaller) in place when asked to, and k here is a view of the KV cache: so it is smoothed here, anew.
        k = k - k.mean(dim=2, keepdim=True)
        return sageattn(q, k, v, tensor_layout="HND", is_causal=False, smooth_k=False)
