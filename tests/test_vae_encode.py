"""Streaming VAE encode with a kept cache equals one encode of the whole clip; the first block takes 1 + 4k frames."""
import pytest
import torch

from vcam.engine.configs import VAEConfig
from vcam.engine.vae import LatentScale, StreamingEncoder, build_vae


@pytest.fixture(scope="module")
def vae():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return build_vae(VAEConfig(base_dim=4, dim_mult=(1, 2, 2, 2), num_res_blocks=1)).eval()


def clip(n, seed=0):
    return torch.rand(1, 3, n, 48, 80, generator=torch.Generator().manual_seed(seed)) * 2 - 1


def whole_clip_mean(vae, rgb):
    with torch.no_grad():
        return LatentScale(vae, "cpu").from_vae(vae.encode(rgb).latent_dist.mean)


@pytest.mark.parametrize("splits", [(9, 12, 12), (9, 12), (5, 4, 12, 8), (1, 4, 4, 4), (33,)])
def test_blockwise_encode_equals_one_encode_of_the_whole_clip(vae, splits):
    n = sum(splits)
    rgb = clip(n, seed=n)
    expected = whole_clip_mean(vae, rgb)
    encoder = StreamingEncoder(vae)
    parts, start = [], 0
    for k in splits:
        assert encoder.fresh == (start == 0)
        parts.append(encoder.encode(rgb[:, :, start:start + k]))
        start += k
    got = torch.cat(parts, dim=2)
    assert [p.shape[2] for p in parts] == [(k - (i == 0)) // 4 + (i == 0) for i, k in enumerate(splits)]
    assert got.shape == expected.shape == (1, 16, 1 + (n - 1) // 4, 6, 10)
    assert (got - expected).abs().max().item() <= 1e-6


def test_without_the_kept_cache_the_result_differs(vae):
    rgb = clip(21)
    expected = whole_clip_mean(vae, rgb)
    encoder = StreamingEncoder(vae)
    encoder.encode(rgb[:, :, :9])
    encoder.reset()
    assert encoder.fresh
    fresh = encoder.encode(rgb[:, :, 8:21])  # 13 frames from a fresh cache: a new clip starting at frame 8
    assert not torch.allclose(fresh[:, :, 1:], expected[:, :, 3:], atol=1e-3)


def test_a_fresh_encoder_takes_1_plus_4k_frames_and_a_warm_one_4k(vae):
    encoder = StreamingEncoder(vae)
    with pytest.raises(ValueError, match=r"fresh VAE encoder takes 1 \+ 4k frames.*not 12.*give 9"):
        encoder.encode(clip(12))
    assert encoder.fresh  # refused before anything moved on
    assert encoder.encode(clip(9)).shape[2] == 3
    with pytest.raises(ValueError, match=r"takes 4k frames.*not 9.*give 12"):
        encoder.encode(clip(9))
    assert encoder.encode(clip(12)).shape[2] == 3


def test_a_failed_encode_leaves_the_encoder_as_it_was(vae):
    rgb = clip(21)
    expected = whole_clip_mean(vae, rgb)
    encoder = StreamingEncoder(vae)
    first = encoder.encode(rgb[:, :, :9])
    calls = {"n": 0}

    def fail_on_the_second_chunk(module, args):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("out of memory (pretend)")

    hook = vae.encoder.register_forward_pre_hook(fail_on_the_second_chunk)
    try:
        with pytest.raises(RuntimeError):
            encoder.encode(rgb[:, :, 9:])
    finally:
        hook.remove()
    second = encoder.encode(rgb[:, :, 9:])
    assert (torch.cat([first, second], dim=2) - expected).abs().max().item() <= 1e-6


def test_state_and_restore_rewind_the_encoder(vae):
    rgb = clip(21)
    encoder = StreamingEncoder(vae)
    encoder.encode(rgb[:, :, :9])
    saved = encoder.state()
    a = encoder.encode(rgb[:, :, 9:])
    encoder.restore(saved)
    assert torch.equal(encoder.encode(rgb[:, :, 9:]), a)


def test_a_float16_vae_encodes_close_to_float32(vae):
    import copy

    rgb = clip(9)
    exact = StreamingEncoder(vae).encode(rgb)
    half = StreamingEncoder(copy.deepcopy(vae).to(torch.float16)).encode(rgb)
    assert half.dtype == torch.float32 and torch.isfinite(half).all()
    assert 0 < (half - exact).abs().max().item() < 0.05
