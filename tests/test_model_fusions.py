"""The transformer's fused forms against the forms they replaced, kept here as they were: the same bits on the CPU.

RoPE is rotated by whole-tensor tables instead of pair by pair, the rotated keys are written straight into their
KV-cache slots, and the attention and FFN outputs meet the float32 gates and residual without a cast of their
own. Each does the same products and sums in the same order, so eager float32 and bf16 results are equal bit for
bit, not merely close. Both rotations work in float32 from float32 tables and round to the compute dtype once.
"""
import pytest
import torch
import torch.nn.functional as F

from vcam.engine.configs import WanConfig
from vcam.engine.model import (Block, CausalWanModel, KVCache, SelfAttention, _per_frame, block_causal_mask,
                               init_random_, rope_pairs, rotate)

CFG = WanConfig(dim=128, ffn_dim=256, num_heads=2, num_layers=2, freq_dim=32, text_dim=32)


def old_apply_rope(x, cos, sin):
    x1, x2 = x.unflatten(-1, (-1, 2)).unbind(-1)
    return torch.stack((x1 * cos - x2 * sin, x1 * sin + x2 * cos), dim=-1).flatten(-2).to(x.dtype)


def old_self_attention(self, x, rope, cache, cache_start, mask, biased=None):
    assert biased is None
    if self.qkv is not None:
        q, k, v = self.qkv(x).chunk(3, dim=-1)
    else:
        q, k, v = self.q(x), self.k(x), self.v(x)
    q = old_apply_rope(self.norm_q(q).unflatten(-1, (self.heads, -1)), *rope)
    k = old_apply_rope(self.norm_k(k).unflatten(-1, (self.heads, -1)), *rope)
    v = v.unflatten(-1, (self.heads, -1))
    if cache is not None:
        ck, cv = cache
        end = cache_start + x.shape[1]
        ck[:, cache_start:end] = k
        cv[:, cache_start:end] = v
        k, v = ck[:, :end], cv[:, :end]
    q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    return self.o(out.transpose(1, 2).flatten(2))


def old_block(self, x, e, text_k, text_v, rope, cache, cache_start, mask, biased=None):
    frames = e.shape[1]
    dtype = self.ffn[0].weight.dtype
    shift1, scale1, gate1, shift2, scale2, gate2 = (self.modulation[None] + e).unbind(2)
    h = _per_frame(self.norm1(x), frames, 1 + scale1, shift1).to(dtype)
    x = x + _per_frame(self.self_attn(h, rope, cache, cache_start, mask, biased).float(), frames, gate1)
    x = x + self.cross_attn(self.norm3(x).to(dtype), text_k, text_v).float()
    h = _per_frame(self.norm2(x), frames, 1 + scale2, shift2).to(dtype)
    return x + _per_frame(self.ffn(h).float(), frames, gate2)


def old_rope_tables(self, frame_start, frames, h, w):
    return self.rope.tables(frame_start, frames, h, w)


@pytest.fixture
def old_forms(monkeypatch):
    """Puts the replaced forms back in place of the fused ones (for the reference run)."""
    def put_back():
        monkeypatch.setattr(SelfAttention, "forward", old_self_attention)
        monkeypatch.setattr(Block, "forward", old_block)
        monkeypatch.setattr(CausalWanModel, "rope_tables", old_rope_tables)
    return put_back


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_rotate_gives_the_pairwise_rotation_bit_for_bit(dtype):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(2, 30, 3, 128, generator=gen).to(dtype)
    angles = torch.rand(30, 1, 64, generator=gen, dtype=torch.float64) * 40
    cos, sin = angles.cos().float(), angles.sin().float()  # the model's tables are float32 in any dtype
    expected = old_apply_rope(x, cos, sin)
    assert expected.dtype == dtype
    assert torch.equal(rotate(x, *rope_pairs(cos, sin)), expected)
    slot = torch.zeros(2, 50, 3, 128, dtype=dtype)
    rotate(x, *rope_pairs(cos, sin), out=slot[:, 10:40])  # a KV-cache slot, batch 2: not contiguous
    assert torch.equal(slot[:, 10:40], expected)
    assert not slot[:, :10].any() and not slot[:, 40:].any()


def _inputs(tokens_per_frame=28):
    gen = torch.Generator().manual_seed(1)
    ctx = torch.randn(1, 16, 3, 8, 14, generator=gen)
    x = torch.randn(1, 16, 3, 8, 14, generator=gen)
    text = torch.randn(1, 40, CFG.text_dim, generator=gen)
    return ctx, x, text


def _stream_pass(model, dtype):
    """The stream's two passes through the KV cache: the context at t = 0, then a block attending to it; the
    output and the cache the block leaves."""
    ctx, x, text = _inputs()
    tokens = model.tokens_per_frame(8, 14)
    kv = model.text_kv(text)
    cache = KVCache(CFG, 1, 6 * tokens, dtype, "cpu")
    with torch.no_grad():
        model(ctx, torch.zeros(1, 3), kv, 0, cache, 0)
        out = model(x, torch.full((1, 3), 750.0), kv, 3, cache, 3 * tokens)
    return out, cache


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
@pytest.mark.parametrize("fused", [True, False])
def test_a_streaming_pass_gives_the_old_bits_and_the_old_cache(old_forms, dtype, fused):
    model = init_random_(CausalWanModel(CFG), 3).eval().cast(dtype)
    if fused:
        model.fuse_qkv()
    out, cache = _stream_pass(model, dtype)
    old_forms()
    model._rope_tables.clear()
    old_out, old_cache = _stream_pass(model, dtype)
    assert out.dtype == old_out.dtype == torch.float32
    assert torch.equal(out, old_out)
    assert torch.equal(cache.k, old_cache.k) and torch.equal(cache.v, old_cache.v)


def test_a_masked_pass_without_a_cache_gives_the_old_bits(old_forms):
    model = init_random_(CausalWanModel(CFG), 4).eval()
    _, x, text = _inputs()
    x = torch.cat([x, x.flip(2)], dim=2)  # 6 frames, two blocks of 3
    mask = block_causal_mask(6, model.tokens_per_frame(8, 14), 3)
    t = torch.tensor([[900.0] * 3 + [300.0] * 3])
    with torch.no_grad():
        out = model(x, t, model.text_kv(text), mask=mask)
        old_forms()
        model._rope_tables.clear()
        assert torch.equal(out, model(x, t, model.text_kv(text), mask=mask))


def test_a_block_writing_its_keys_into_the_cache_compiles_as_one_graph():
    """`out=` into a slot of the cache must not break the compiled block into pieces (tracing only: no kernels)."""
    import torch._dynamo

    model = init_random_(CausalWanModel(CFG), 5).eval().fuse_qkv()
    tokens = model.tokens_per_frame(8, 14)
    cache = KVCache(CFG, 1, 6 * tokens, model.dtype, "cpu")
    x, e = torch.randn(1, 3 * tokens, CFG.dim), torch.randn(1, 3, 6, CFG.dim)
    kv = model.text_kv(torch.randn(1, 40, CFG.text_dim))
    torch._dynamo.reset()
    with torch.no_grad():
        explained = torch._dynamo.explain(model.blocks[0])(x, e, kv.k[0], kv.v[0], model.rope_tables(3, 3, 4, 7),
                                                           (cache.k[0], cache.v[0]), 3 * tokens, None)
    torch._dynamo.reset()
    assert explained.graph_count == 1 and explained.graph_break_count == 0
