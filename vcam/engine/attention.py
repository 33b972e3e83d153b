"""Self-attention with Krea's bias on a span of keys, exact and without a mask.

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

from dataclasses import dataclass

import torch
from torch import Tensor

from vcam.bias import check_bias

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
