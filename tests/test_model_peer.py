"""Our causal Wan transformer against diffusers' WanTransformer3DModel, weight for weight."""
import pytest
import torch

from diffusers_peer import to_diffusers_state_dict
from vcam.engine.configs import WanConfig
from vcam.engine.model import CausalWanModel, init_random_


def rel_err(a, b):
    return ((a - b).norm() / b.norm()).item()


def build_pair(cfg: WanConfig, seed: int):
    from diffusers import WanTransformer3DModel

    ours = init_random_(CausalWanModel(cfg), seed).eval()
    peer = WanTransformer3DModel(
        patch_size=cfg.patch_size,
        num_attention_heads=cfg.num_heads,
        attention_head_dim=cfg.head_dim,
        in_channels=cfg.in_channels,
        out_channels=cfg.out_channels,
        text_dim=cfg.text_dim,
        freq_dim=cfg.freq_dim,
        ffn_dim=cfg.ffn_dim,
        num_layers=cfg.num_layers,
        cross_attn_norm=True,
        qk_norm="rms_norm_across_heads",
        eps=cfg.eps,
    ).eval()
    peer.load_state_dict(to_diffusers_state_dict(ours.state_dict()), strict=True)
    return ours, peer


CONFIGS = [
    # (layers, heads, head_dim, frames, latent h, latent w, text tokens)
    (1, 2, 32, 1, 4, 6, 16),
    (2, 4, 16, 3, 8, 14, 512),
    (3, 3, 24, 6, 6, 10, 64),
    (2, 1, 64, 4, 12, 4, 40),
]


@pytest.mark.parametrize("layers,heads,head_dim,frames,h,w,text_len", CONFIGS)
def test_matches_diffusers_one_timestep(layers, heads, head_dim, frames, h, w, text_len):
    cfg = WanConfig(dim=heads * head_dim, ffn_dim=3 * heads * head_dim, num_heads=heads, num_layers=layers,
                    freq_dim=32, text_dim=24)
    ours, peer = build_pair(cfg, seed=layers * 10 + heads)
    gen = torch.Generator().manual_seed(frames)
    x = torch.randn(2, 16, frames, h, w, generator=gen)
    text = torch.randn(2, text_len, 24, generator=gen)
    t = torch.tensor([999.0, 412.5])
    with torch.no_grad():
        expected = peer(x, t, text, return_dict=False)[0]
        got = ours(x, t[:, None].expand(2, frames), ours.text_kv(text))
    assert got.shape == expected.shape
    assert rel_err(got, expected) < 1e-5


def test_matches_diffusers_per_frame_timesteps():
    cfg = WanConfig(dim=64, ffn_dim=128, num_heads=2, num_layers=2, freq_dim=32, text_dim=32)
    ours, peer = build_pair(cfg, seed=7)
    frames, h, w = 3, 8, 14
    x = torch.randn(1, 16, frames, h, w)
    text = torch.randn(1, 512, 32)
    t = torch.tensor([[1000.0, 714.0, 0.0]])
    per_token = t.repeat_interleave((h // 2) * (w // 2), dim=1)  # diffusers takes one timestep per token
    with torch.no_grad():
        expected = peer(x, per_token, text, return_dict=False)[0]
        got = ours(x, t, ours.text_kv(text))
    assert rel_err(got, expected) < 1e-5


def test_a_wrong_weight_is_noticed():
    """The comparison can fail: one perturbed weight makes the outputs differ."""
    cfg = WanConfig(dim=64, ffn_dim=128, num_heads=2, num_layers=1, freq_dim=32, text_dim=32)
    ours, peer = build_pair(cfg, seed=3)
    with torch.no_grad():
        ours.blocks[0].self_attn.k.weight[0, 0] += 0.5
        x, text, t = torch.randn(1, 16, 2, 4, 4), torch.randn(1, 8, 32), torch.tensor([500.0])
        mine = ours(x, t[:, None].expand(1, 2), ours.text_kv(text))
        assert rel_err(mine, peer(x, t, text, return_dict=False)[0]) > 1e-5


def test_fused_qkv_gives_the_same_output():
    cfg = WanConfig(dim=64, ffn_dim=128, num_heads=2, num_layers=2, freq_dim=32, text_dim=32)
    plain = init_random_(CausalWanModel(cfg), 5).eval()
    fused = init_random_(CausalWanModel(cfg), 5).eval().fuse_qkv()
    assert fused.blocks[0].self_attn.qkv is not None and not hasattr(fused.blocks[0].self_attn, "q")
    x, text, t = torch.randn(1, 16, 3, 8, 14), torch.randn(1, 512, 32), torch.full((1, 3), 700.0)
    with torch.no_grad():
        assert rel_err(fused(x, t, fused.text_kv(text)), plain(x, t, plain.text_kv(text))) < 1e-6


@pytest.mark.parametrize("backend", ["math", "auto"])
def test_attention_backend_choice_gives_the_same_output(backend):
    from vcam.engine.model import attention_backends

    cfg = WanConfig(dim=64, ffn_dim=128, num_heads=2, num_layers=1, freq_dim=32, text_dim=32)
    model = init_random_(CausalWanModel(cfg), 6).eval()
    x, text, t = torch.randn(1, 16, 3, 8, 14), torch.randn(1, 512, 32), torch.full((1, 3), 300.0)
    with torch.no_grad():
        expected = model(x, t, model.text_kv(text))
        model.attention_backends = attention_backends(backend)
        assert rel_err(model(x, t, model.text_kv(text)), expected) < 1e-6
    with pytest.raises(ValueError, match="unknown attention backend"):
        attention_backends("sage")


def test_rope_tables_are_built_once_per_shape():
    cfg = WanConfig(dim=64, ffn_dim=128, num_heads=2, num_layers=1, freq_dim=32, text_dim=32)
    model = init_random_(CausalWanModel(cfg), 7).eval()
    a = model.rope_tables(3, 3, 4, 7)
    assert model.rope_tables(3, 3, 4, 7)[0] is a[0]
    assert a[0].shape == a[1].shape == (3 * 4 * 7, 1, cfg.head_dim)  # rope_pairs
    model.cast(torch.bfloat16)
    assert model.rope_tables(3, 3, 4, 7)[0] is a[0]  # float32 in any compute dtype: the same tables serve
    assert a[0].dtype == a[1].dtype == torch.float32


def krea_rope_reference(x, frame_start, f, h, w):
    """RoPE as Krea's causal_rope_apply (wan/modules/causal_model.py) does it, written from its description: the
    angle tables of rope_params (float64, theta 10000, per axis d - 4·(d // 6), 2·(d // 6), 2·(d // 6) for heads of
    d), x's interleaved pairs as float64 complex numbers times e^{i·angle}, one rounding to x's dtype at the end."""
    d = x.shape[-1]

    def axis(n, dim):
        return torch.outer(torch.arange(n, dtype=torch.float64),
                           1.0 / 10000.0 ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))

    ft, fh, fw = axis(1024, d - 4 * (d // 6)), axis(1024, 2 * (d // 6)), axis(1024, 2 * (d // 6))
    angles = torch.cat([ft[frame_start:frame_start + f, None, None].expand(f, h, w, -1),
                        fh[None, :h, None].expand(f, h, w, -1),
                        fw[None, None, :w].expand(f, h, w, -1)], dim=-1).reshape(f * h * w, 1, -1)
    pairs = torch.view_as_complex(x.double().unflatten(-1, (-1, 2)).contiguous())
    return torch.view_as_real(pairs * torch.polar(torch.ones_like(angles), angles)).flatten(-2).to(x.dtype)


def test_bf16_rope_is_krea_float64_rotation_rounded_once():
    """At the real head size and a real block (3 latents of 30×52 patches at RoPE frames 3..5), the bf16 rotation
    the model does for queries and for the keys it writes into the KV cache lands on Krea's float64 rotation
    rounded once to bf16, but for the rare value a float32 intermediate rounds the other way. Rotating in bf16
    arithmetic (bf16 tables, bf16 products and sums) put about a quarter of the values a bf16 step off."""
    from vcam.engine.model import rotate

    cfg = WanConfig(dim=256, ffn_dim=512, num_heads=2, num_layers=1, freq_dim=32, text_dim=32)
    model = init_random_(CausalWanModel(cfg), 2).eval().cast(torch.bfloat16)
    f, h, w = 3, 30, 52
    x = torch.randn(1, f * h * w, cfg.num_heads, cfg.head_dim, generator=torch.Generator().manual_seed(4))
    x = x.bfloat16()
    expected = krea_rope_reference(x, 3, f, h, w)
    rope = model.rope_tables(3, f, h, w)
    slot = torch.zeros(1, 6 * h * w, cfg.num_heads, cfg.head_dim, dtype=torch.bfloat16)
    rotate(x, *rope, out=slot[:, 3 * h * w:])  # the keys' path: straight into their KV-cache slots
    for got in (rotate(x, *rope), slot[:, 3 * h * w:]):
        assert got.dtype == torch.bfloat16
        assert (got == expected).float().mean().item() > 0.999


def test_a_block_through_the_kv_cache_at_the_real_head_size_matches_one_diffusers_pass():
    """The streaming pattern at the real head size (128: RoPE split 44/42/42 over frames, height, width): the
    context recomputed at t = 0 into the cache at frames 0-2, then the new block at frames 3-5 attending to it,
    equals diffusers' one pass over all six frames, on the block's frames."""
    from vcam.engine.model import KVCache

    cfg = WanConfig(dim=256, ffn_dim=512, num_heads=2, num_layers=1, freq_dim=256, text_dim=64)
    assert cfg.head_dim == 128
    ours, peer = build_pair(cfg, seed=1)
    h, w = 8, 12
    gen = torch.Generator().manual_seed(5)
    x = torch.randn(1, 16, 6, h, w, generator=gen)
    text = torch.randn(1, 64, 64, generator=gen)
    t = torch.tensor([[0.0, 0.0, 0.0, 714.0, 714.0, 714.0]])
    tokens = ours.tokens_per_frame(h, w)
    with torch.no_grad():
        expected = peer(x, t.repeat_interleave(tokens, dim=1), text, return_dict=False)[0]
        kv, cache = ours.text_kv(text), KVCache(cfg, 1, 6 * tokens, torch.float32, "cpu")
        ours(x[:, :, :3], t[:, :3], kv, frame_start=0, cache=cache, cache_start=0)
        got = ours(x[:, :, 3:], t[:, 3:], kv, frame_start=3, cache=cache, cache_start=3 * tokens)
    assert rel_err(got, expected[:, :, 3:]) < 1e-5
