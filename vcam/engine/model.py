"""The causal Wan transformer that Krea Realtime 14B runs, with an explicit KV cache.

Parameter names follow the original Wan code, so Krea's checkpoint loads as it is (after its `model.` prefix is
stripped). Everything a streaming pass needs is passed in explicitly: the per-frame timesteps, the cached
cross-attention keys/values of the prompt, the RoPE frame offset and the self-attention KV cache.

The residual stream, the modulation and the time embedding are kept in float32 (as upstream Wan does under
autocast); matrix work runs in the weights' dtype (bf16 on CUDA). Krea's release runs all of it in bf16 (its
autocast lines are commented out), so its frames differ from ours by bf16 rounding only.
"""
from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vcam.engine.attention import KeyBias, biased_attention, int8_attention, sdpa_choice
from vcam.engine.configs import WanConfig

# Small parameters that steer every token; keeping them in float32 costs nothing and keeps modulation exact.
FLOAT32_PARAMS = ("modulation", "time_embedding", "norm3")


def param_dtype(name: str, dtype: torch.dtype) -> torch.dtype:
    """The dtype parameter `name` is kept in when the model computes in `dtype`."""
    return torch.float32 if any(part in name for part in FLOAT32_PARAMS) else dtype


@dataclass
class TextKV:
    """Cross-attention keys and values of one text embedding, for every layer: [layers, B, tokens, heads, head_dim]."""

    k: Tensor
    v: Tensor


class KVCache:
    """Self-attention keys/values of every layer, written in place so shapes stay static.

    Positions are token offsets: a pass over `L` tokens with `cache_start=s` writes `[s, s+L)` and attends to
    `[0, s+L)`.
    """

    def __init__(self, cfg: WanConfig, batch: int, capacity: int, dtype: torch.dtype, device: torch.device | str):
        shape = (cfg.num_layers, batch, capacity, cfg.num_heads, cfg.head_dim)
        self.k = torch.zeros(shape, dtype=dtype, device=device)
        self.v = torch.zeros(shape, dtype=dtype, device=device)

    @property
    def capacity(self) -> int:
        return self.k.shape[2]


def sinusoid(t: Tensor, dim: int) -> Tensor:
    """Timestep embedding, cosines first, as Wan's `sinusoidal_embedding_1d`: [N] -> [N, dim] float32."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class Rope(nn.Module):
    """3-D rotary embedding over (frame, height, width); angle tables are built once, in float64, at init."""

    def __init__(self, head_dim: int, max_positions: int, theta: float = 10000.0):
        super().__init__()
        hw = 2 * (head_dim // 6)
        self.split = (head_dim - 2 * hw, hw, hw)
        tables = []
        for d in self.split:
            inv = 1.0 / theta ** (torch.arange(0, d, 2, dtype=torch.float64) / d)
            tables.append(torch.outer(torch.arange(max_positions, dtype=torch.float64), inv))
        angles = torch.cat(tables, dim=1)  # [max_positions, head_dim / 2]
        self.register_buffer("cos", angles.cos().float(), persistent=False)
        self.register_buffer("sin", angles.sin().float(), persistent=False)

    def tables(self, frame_start: int, frames: int, h: int, w: int) -> tuple[Tensor, Tensor]:
        """cos and sin for every token of `frames` frames of h×w patches starting at `frame_start`: [L, 1, D/2],
        float32 whatever the model computes in (see `rotate`)."""
        out = []
        for full in (self.cos, self.sin):
            ft, fh, fw = full.split([s // 2 for s in self.split], dim=1)
            grid = torch.cat(
                [
                    ft[frame_start : frame_start + frames, None, None].expand(frames, h, w, -1),
                    fh[None, :h, None].expand(frames, h, w, -1),
                    fw[None, None, :w].expand(frames, h, w, -1),
                ],
                dim=-1,
            )
            out.append(grid.reshape(frames * h * w, 1, -1).float())
        return out[0], out[1]


def rope_pairs(cos: Tensor, sin: Tensor) -> tuple[Tensor, Tensor]:
    """`rotate`'s tables from Rope.tables' cos and sin [L, 1, D/2]: each angle's cosine for both members of its
    pair, and its sine with the sign each member takes (−, +): [L, 1, D]."""
    return cos.repeat_interleave(2, dim=-1), torch.stack((-sin, sin), dim=-1).flatten(-2)


def rotate(x: Tensor, cos: Tensor, sin: Tensor, out: Tensor | None = None) -> Tensor:
    """RoPE of x [B, L, H, D] by rope_pairs' float32 tables [L, 1, D], in x's dtype: each interleaved pair (a, b)
    becomes (a·cos − b·sin, b·cos + a·sin), with the products and sums of a pair-by-pair rotation, so eager gives
    the same bits (a negated product added is the product subtracted), but in three whole-tensor operations and no
    stack: inductor fuses them into the norm before, eager runs fewer kernels. With `out` (a KV-cache slot) the
    result is written there, not copied in after.

    The float32 tables widen a bf16 x inside the products, so the rotation is done in float32 and rounded to x's
    dtype once, on the store: as Krea's causal_rope_apply (float64, one rounding) and diffusers (float32) do. In
    bf16 arithmetic a fifth of the rotated values came out a bf16 step off theirs."""
    swapped = x.unflatten(-1, (-1, 2)).flip(-1).flatten(-2)  # (b, a) for each pair (a, b)
    return torch.add(x * cos, swapped * sin, out=torch.empty_like(x) if out is None else out)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: Tensor) -> Tensor:
        return F.rms_norm(x.float(), (x.shape[-1],), eps=self.eps).to(x.dtype) * self.weight


class LayerNorm(nn.LayerNorm):
    """LayerNorm computed in float32 whatever the parameter dtype."""

    def forward(self, x: Tensor) -> Tensor:
        w = self.weight.float() if self.weight is not None else None
        b = self.bias.float() if self.bias is not None else None
        return F.layer_norm(x.float(), self.normalized_shape, w, b, self.eps)


class Attention(nn.Module):
    """Projections shared by both attention kinds: q, k, v, o and RMS norms of q and k across all heads."""

    def __init__(self, cfg: WanConfig):
        super().__init__()
        d = cfg.dim
        self.heads = cfg.num_heads
        self.q, self.k, self.v, self.o = (nn.Linear(d, d) for _ in range(4))
        self.norm_q = RMSNorm(d, cfg.eps)
        self.norm_k = RMSNorm(d, cfg.eps)


class SelfAttention(Attention):
    def __init__(self, cfg: WanConfig):
        super().__init__(cfg)
        self.qkv: nn.Linear | None = None  # q, k and v in one matrix, after `fuse()`
        self.int8 = False  # SageAttention's INT8 kernel for the passes without bias or mask (set_int8_attention)

    def fuse(self) -> None:
        """One matrix product for q, k and v instead of three (same result, fewer kernel launches)."""
        d = self.q.in_features
        fused = nn.Linear(d, 3 * d, device=self.q.weight.device, dtype=self.q.weight.dtype)
        with torch.no_grad():
            fused.weight.copy_(torch.cat([self.q.weight, self.k.weight, self.v.weight]))
            fused.bias.copy_(torch.cat([self.q.bias, self.k.bias, self.v.bias]))
        self.qkv = fused
        del self.q, self.k, self.v

    def forward(
        self,
        x: Tensor,
        rope: tuple[Tensor, Tensor],
        cache: tuple[Tensor, Tensor] | None,
        cache_start: int,
        mask: Tensor | None,
        biased: tuple[int, int, Tensor, str] | None = None,
    ) -> Tensor:
        if self.qkv is not None:
            q, k, v = self.qkv(x).chunk(3, dim=-1)
        else:
            q, k, v = self.q(x), self.k(x), self.v(x)
        q = rotate(self.norm_q(q).unflatten(-1, (self.heads, -1)), *rope)
        k = self.norm_k(k).unflatten(-1, (self.heads, -1))
        v = v.unflatten(-1, (self.heads, -1))
        if cache is not None:
            ck, cv = cache
            end = cache_start + x.shape[1]
            rotate(k, *rope, out=ck[:, cache_start:end])  # the rotated keys land in their slots: no copy
            cv[:, cache_start:end] = v
            k, v = ck[:, :end], cv[:, :end]
        else:
            k = rotate(k, *rope)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        if biased is not None:  # needs each key segment's LSE, which the INT8 kernel does not give: exact
            out = biased_attention(q, k, v, *biased)
        elif self.int8 and mask is None:
            out = int8_attention(q, k, v)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        return self.o(out.transpose(1, 2).flatten(2))


class CrossAttention(Attention):
    def text_kv(self, context: Tensor) -> tuple[Tensor, Tensor]:
        k = self.norm_k(self.k(context)).unflatten(-1, (self.heads, -1))
        v = self.v(context).unflatten(-1, (self.heads, -1))
        return k, v

    def forward(self, x: Tensor, k: Tensor, v: Tensor) -> Tensor:
        q = self.norm_q(self.q(x)).unflatten(-1, (self.heads, -1))
        out = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2))
        return self.o(out.transpose(1, 2).flatten(2))


def _per_frame(x: Tensor, frames: int, scale: Tensor, shift: Tensor | None = None) -> Tensor:
    """x [B, F·S, D] times per-frame scale [B, F, D] (plus shift), broadcast over each frame's tokens."""
    y = x.unflatten(1, (frames, -1)) * scale[:, :, None]
    if shift is not None:
        y = y + shift[:, :, None]
    return y.flatten(1, 2)


class Block(nn.Module):
    def __init__(self, cfg: WanConfig):
        super().__init__()
        d = cfg.dim
        self.norm1 = LayerNorm(d, cfg.eps, elementwise_affine=False)
        self.self_attn = SelfAttention(cfg)
        self.norm3 = LayerNorm(d, cfg.eps, elementwise_affine=True)
        self.cross_attn = CrossAttention(cfg)
        self.norm2 = LayerNorm(d, cfg.eps, elementwise_affine=False)
        self.ffn = nn.Sequential(nn.Linear(d, cfg.ffn_dim), nn.GELU(approximate="tanh"), nn.Linear(cfg.ffn_dim, d))
        self.modulation = nn.Parameter(torch.randn(1, 6, d) / d**0.5)

    def forward(
        self,
        x: Tensor,
        e: Tensor,
        text_k: Tensor,
        text_v: Tensor,
        rope: tuple[Tensor, Tensor],
        cache: tuple[Tensor, Tensor] | None,
        cache_start: int,
        mask: Tensor | None,
        biased: tuple[int, int, Tensor, str] | None = None,
    ) -> Tensor:
        frames = e.shape[1]
        dtype = self.ffn[0].weight.dtype
        shift1, scale1, gate1, shift2, scale2, gate2 = (self.modulation[None] + e).unbind(2)
        # The attention and FFN outputs (in `dtype`) meet the float32 gates and residual without a cast of their
        # own: type promotion widens them inside the product or sum, exactly as `.float()` first would.
        h = _per_frame(self.norm1(x), frames, 1 + scale1, shift1).to(dtype)
        x = x + _per_frame(self.self_attn(h, rope, cache, cache_start, mask, biased), frames, gate1)
        x = x + self.cross_attn(self.norm3(x).to(dtype), text_k, text_v)
        h = _per_frame(self.norm2(x), frames, 1 + scale2, shift2).to(dtype)
        return x + _per_frame(self.ffn(h), frames, gate2)


class Head(nn.Module):
    def __init__(self, cfg: WanConfig):
        super().__init__()
        d = cfg.dim
        self.norm = LayerNorm(d, cfg.eps, elementwise_affine=False)
        self.head = nn.Linear(d, cfg.out_channels * math.prod(cfg.patch_size))
        self.modulation = nn.Parameter(torch.randn(1, 2, d) / d**0.5)

    def forward(self, x: Tensor, e: Tensor) -> Tensor:
        shift, scale = (self.modulation[None] + e[:, :, None]).unbind(2)
        h = _per_frame(self.norm(x), e.shape[1], 1 + scale, shift)
        return self.head(h.to(self.head.weight.dtype)).float()


class CausalWanModel(nn.Module):
    """Wan 2.1 transformer run block-causally: per-frame timesteps, RoPE frame offset, explicit KV cache."""

    def __init__(self, cfg: WanConfig):
        super().__init__()
        self.cfg = cfg
        d = cfg.dim
        self.patch_embedding = nn.Conv3d(cfg.in_channels, d, kernel_size=cfg.patch_size, stride=cfg.patch_size)
        self.text_embedding = nn.Sequential(nn.Linear(cfg.text_dim, d), nn.GELU(approximate="tanh"), nn.Linear(d, d))
        self.time_embedding = nn.Sequential(nn.Linear(cfg.freq_dim, d), nn.SiLU(), nn.Linear(d, d))
        self.time_projection = nn.Sequential(nn.SiLU(), nn.Linear(d, 6 * d))
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg.num_layers))
        self.head = Head(cfg)
        self.rope = Rope(cfg.head_dim, cfg.rope_max_positions)
        self.attention_backends: list | None = None  # SDPA kernels to restrict to (None: PyTorch chooses)
        self._rope_tables: dict[tuple, tuple[Tensor, Tensor]] = {}
        self._kernel_choices: dict[tuple, str] = {}

    def fuse_qkv(self) -> "CausalWanModel":
        """Fuses every self-attention's q, k, v projections (call after loading weights)."""
        for block in self.blocks:
            block.self_attn.fuse()
        return self

    def set_int8_attention(self, on: bool) -> "CausalWanModel":
        """Self-attention through SageAttention's INT8 kernel (`attention.int8_attention`, inexact) in every pass
        without a bias or a mask, or back to SDPA; cross-attention always runs SDPA. Set it before compiling."""
        for block in self.blocks:
            block.self_attn.int8 = on
        return self

    def compile_blocks(self, **options) -> "CausalWanModel":
        """torch.compile each transformer block in place (parameter names unchanged)."""
        for block in self.blocks:
            block.compile(**options)
        return self

    def rope_tables(self, frame_start: int, frames: int, h: int, w: int) -> tuple[Tensor, Tensor]:
        """RoPE tables for a pass (`rope_pairs`), float32 in any compute dtype (see `rotate`), built once per shape
        (a stream uses two)."""
        key = (frame_start, frames, h, w, self.rope.cos.device)
        if key not in self._rope_tables:
            self._rope_tables[key] = rope_pairs(*self.rope.tables(frame_start, frames, h, w))
        return self._rope_tables[key]

    @property
    def dtype(self) -> torch.dtype:
        return self.patch_embedding.weight.dtype

    def cast(self, dtype: torch.dtype) -> "CausalWanModel":
        """Matrices to `dtype`; modulation, time embedding and affine norms stay float32."""
        for name, p in self.named_parameters():
            p.data = p.data.to(param_dtype(name, dtype))
        return self

    def text_kv(self, text: Tensor) -> TextKV:
        """Cross-attention K/V of a text embedding [B, tokens, text_dim], computed once per prompt."""
        context = self.text_embedding(text.to(self.dtype))
        ks, vs = zip(*(blk.cross_attn.text_kv(context) for blk in self.blocks))
        return TextKV(torch.stack(ks), torch.stack(vs))

    def tokens_per_frame(self, latent_h: int, latent_w: int) -> int:
        _, ph, pw = self.cfg.patch_size
        return (latent_h // ph) * (latent_w // pw)

    def forward(
        self,
        x: Tensor,
        t: Tensor,
        text: TextKV,
        frame_start: int = 0,
        cache: KVCache | None = None,
        cache_start: int = 0,
        mask: Tensor | None = None,
        key_bias: KeyBias | None = None,
    ) -> Tensor:
        """Flow prediction for latents x [B, C, F, H, W] at per-frame timesteps t [B, F] (0..1000).

        With a cache, this pass's keys/values are written at token offset `cache_start` and attention covers the
        cache up to the end of this pass; without one, attention covers this pass (optionally masked). `key_bias`
        adds log(bias) to the self-attention scores of a span of keys (Krea's attention bias); at bias 1 the pass
        is the plain one, kernel for kernel.
        """
        b, _, frames, lh, lw = x.shape
        pt, ph, pw = self.cfg.patch_size
        gf, gh, gw = frames // pt, lh // ph, lw // pw
        tokens = self.patch_embedding(x.to(self.dtype)).flatten(2).transpose(1, 2).float()

        e = self.time_embedding(sinusoid(t.flatten(), self.cfg.freq_dim)).float()
        e0 = self.time_projection(e.to(self.time_projection[1].weight.dtype)).float()
        e = e.unflatten(0, (b, frames))
        e0 = e0.unflatten(0, (b, frames)).unflatten(2, (6, -1))  # [B, F, 6, D]

        rope = self.rope_tables(frame_start, gf, gh, gw)
        with sdpa_kernels(self.attention_backends):
            biased = None
            if key_bias is not None and key_bias.bias != 1.0:
                if mask is not None:
                    raise ValueError("an attention bias and a mask cannot be combined")
                keys = tokens.shape[1] + (cache_start if cache is not None else 0)
                kernel = self._kernel_choice(b, tokens.shape[1], keys, tokens.device)
                # a tensor, not a float: a new value on air must not recompile the blocks
                log_bias = torch.full((), math.log(key_bias.bias), dtype=torch.float32, device=tokens.device)
                biased = (key_bias.start, key_bias.end, log_bias, kernel)
            for i, block in enumerate(self.blocks):
                layer_cache = (cache.k[i], cache.v[i]) if cache is not None else None
                if biased is None:
                    tokens = block(tokens, e0, text.k[i], text.v[i], rope, layer_cache, cache_start, mask)
                else:
                    tokens = block(tokens, e0, text.k[i], text.v[i], rope, layer_cache, cache_start, mask, biased)

        out = self.head(tokens, e)  # [B, L, C·pt·ph·pw]
        out = out.view(b, gf, gh, gw, pt, ph, pw, -1).permute(0, 7, 1, 4, 2, 5, 3, 6)
        return out.reshape(b, -1, gf * pt, gh * ph, gw * pw)

    def _kernel_choice(self, batch: int, queries: int, keys: int, device: torch.device) -> str:
        """The attention kernel plain SDPA picks for this pass's shapes under the allowed backends (asked once per
        shape, outside the compiled blocks, which only see the answer)."""
        backends = tuple(self.attention_backends) if self.attention_backends is not None else None
        key = (batch, queries, keys, self.dtype, device, backends)
        if key not in self._kernel_choices:
            heads, head_dim = self.cfg.num_heads, self.cfg.head_dim
            q = torch.empty(batch, queries, heads, head_dim, dtype=self.dtype, device=device).transpose(1, 2)
            k = torch.empty(batch, keys, heads, head_dim, dtype=self.dtype, device=device).transpose(1, 2)
            self._kernel_choices[key] = sdpa_choice(q, k, k)
        return self._kernel_choices[key]


def attention_backends(name: str) -> list | None:
    """SDPA kernels for a backend name; "auto" leaves the choice to PyTorch."""
    from torch.nn.attention import SDPBackend

    table = {
        "auto": None,
        "flash": [SDPBackend.FLASH_ATTENTION],
        "cudnn": [SDPBackend.CUDNN_ATTENTION],
        "efficient": [SDPBackend.EFFICIENT_ATTENTION],
        "math": [SDPBackend.MATH],
    }
    if name not in table:
        raise ValueError(f"unknown attention backend {name!r}; choose one of {', '.join(table)}")
    return table[name]


# Kernel families PyTorch has only on CUDA: on a CPU SDPA finds no kernel and every block fails (flash and math run
# on a CPU too).
CUDA_ONLY_ATTENTION = ("cudnn", "efficient")


def attention_unsupported(device: torch.device, name: str) -> str | None:
    """Why attention kernel family `name` cannot run on `device`, or None when it can."""
    if name in CUDA_ONLY_ATTENTION and device.type != "cuda":
        return f"--attention {name} is a CUDA kernel, and this model runs on the {device.type}"
    return None


def sdpa_kernels(backends: list | None):
    if backends is None:
        return nullcontext()
    from torch.nn.attention import sdpa_kernel

    return sdpa_kernel(backends)


def block_causal_mask(frames: int, tokens_per_frame: int, frames_per_block: int, device=None) -> Tensor:
    """Boolean [L, L] mask where a token attends to every token of its own block and all earlier blocks."""
    block = torch.arange(frames, device=device).repeat_interleave(tokens_per_frame) // frames_per_block
    return block[:, None] >= block[None, :]


@torch.no_grad()
def init_random_(model: nn.Module, seed: int, prefix: str = "") -> nn.Module:
    """Deterministic random weights (same seed, same weights on the same device), scaled like a trained net. Each
    weight depends only on its name (`prefix` + its name in `model`), so a model may be filled part by part."""
    for name, p in sorted((prefix + n, p) for n, p in model.named_parameters()):
        gen = torch.Generator(device=p.device).manual_seed(seed + _stable_hash(name))
        if name.endswith("modulation"):
            p.copy_(torch.randn(p.shape, generator=gen, device=p.device, dtype=torch.float32) / p.shape[-1] ** 0.5)
        elif p.ndim >= 2:
            fan_in = p[0].numel()
            p.copy_(torch.randn(p.shape, generator=gen, device=p.device, dtype=torch.float32) / fan_in**0.5)
        elif "norm" in name and name.endswith("weight"):
            p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen, device=p.device, dtype=torch.float32))
        else:
            p.copy_(0.02 * torch.randn(p.shape, generator=gen, device=p.device, dtype=torch.float32))
    return model


def _stable_hash(text: str) -> int:
    """A hash that does not change between runs (Python's str hash does)."""
    h = 0
    for ch in text.encode():
        h = (h * 131 + ch) % 1_000_003
    return h
