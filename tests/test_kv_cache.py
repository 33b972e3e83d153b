"""Blocks generated one after another with the KV cache equal one block-causally masked pass."""
import torch

from vcam.engine.configs import WanConfig
from vcam.engine.model import CausalWanModel, KVCache, block_causal_mask, init_random_

CFG = WanConfig(dim=64, ffn_dim=128, num_heads=2, num_layers=2, freq_dim=32, text_dim=32)


def rel_err(a, b):
    return ((a - b).norm() / b.norm()).item()


def setup(frames, h=8, w=14, seed=0):
    model = init_random_(CausalWanModel(CFG), seed).eval()
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(1, 16, frames, h, w, generator=gen)
    t = torch.rand(1, frames, generator=gen) * 1000
    text = model.text_kv(torch.randn(1, 512, 32, generator=gen))
    return model, x, t, text, model.tokens_per_frame(h, w)


@torch.no_grad()
def test_blockwise_with_cache_equals_masked_full_pass():
    model, x, t, text, tokens = setup(frames=12)
    full = model(x, t, text, mask=block_causal_mask(12, tokens, 3))
    cache = KVCache(CFG, 1, 12 * tokens, torch.float32, "cpu")
    parts = [model(x[:, :, f:f + 3], t[:, f:f + 3], text, frame_start=f, cache=cache, cache_start=f * tokens)
             for f in range(0, 12, 3)]
    assert rel_err(torch.cat(parts, dim=2), full) < 1e-5


@torch.no_grad()
def test_mask_matters():
    """Without the mask the full pass differs, so the equality above is not trivial."""
    model, x, t, text, tokens = setup(frames=6)
    masked = model(x, t, text, mask=block_causal_mask(6, tokens, 3))
    assert rel_err(model(x, t, text), masked) > 1e-3


@torch.no_grad()
def test_recompute_then_block_equals_masked_pass_over_context_and_block():
    """The stream's per-block pattern: context refilled at frames 0..2 (t=0), new block at 3..5 over several
    denoising passes that overwrite their own cache slots."""
    model, x, t, text, tokens = setup(frames=6, seed=3)
    t[:, :3] = 0
    cache = KVCache(CFG, 1, 6 * tokens, torch.float32, "cpu")
    model(torch.randn_like(x[:, :, :3]), torch.zeros(1, 3), text, cache=cache)  # stale content, overwritten below
    model(x[:, :, :3], t[:, :3], text, frame_start=0, cache=cache, cache_start=0)
    for _ in range(3):  # repeated passes over the same block must not accumulate anything
        out = model(x[:, :, 3:], t[:, 3:], text, frame_start=3, cache=cache, cache_start=3 * tokens)
    full = model(x, t, text, mask=block_causal_mask(6, tokens, 3))
    assert rel_err(out, full[:, :, 3:]) < 1e-5
