"""Streaming VAE decode with a kept cache equals one decode of the whole latent sequence."""
import pytest
import torch

from vcam.engine.configs import VAEConfig
from vcam.engine.vae import FrameEncoder, LatentScale, StreamingDecoder, build_vae, vae_dtype
from helpers import decode_in_parts


@pytest.fixture(scope="module")
def vae():
    with torch.random.fork_rng():
        torch.manual_seed(0)
        return build_vae(VAEConfig(base_dim=4, dim_mult=(1, 2, 2, 2), num_res_blocks=1)).eval()


@pytest.mark.parametrize("splits", [(3, 3, 3), (1, 2, 3, 1), (7,), (2, 5)])
def test_blockwise_decode_equals_full_decode(vae, splits):
    n = sum(splits)
    latents = torch.randn(1, 16, n, 6, 10, generator=torch.Generator().manual_seed(n))
    with torch.no_grad():
        expected = vae.decode(LatentScale(vae, "cpu").to_vae(latents)).sample
    decoder = StreamingDecoder(vae)
    got = decode_in_parts(decoder, latents, splits)
    assert got.shape == expected.shape == (1, 3, 1 + 4 * (n - 1), 48, 80)
    assert torch.allclose(got, expected, atol=1e-6, rtol=0)


def test_without_kept_cache_the_result_differs(vae):
    latents = torch.randn(1, 16, 6, 6, 10)
    with torch.no_grad():
        expected = vae.decode(LatentScale(vae, "cpu").to_vae(latents)).sample
    first, second = StreamingDecoder(vae), StreamingDecoder(vae)
    first.decode(latents[:, :, :3])
    fresh = second.decode(latents[:, :, 3:])  # a new cache: not what the whole sequence gives
    assert fresh.shape[2] == 9  # a fresh cache also treats the first latent as the start of a video
    assert not torch.allclose(fresh, expected[:, :, -9:], atol=1e-3)


def test_reset_starts_a_new_sequence(vae):
    latents = torch.randn(1, 16, 3, 6, 10)
    decoder = StreamingDecoder(vae)
    a = decoder.decode(latents)
    decoder.reset()
    assert torch.equal(decoder.decode(latents), a)


def test_frame_encoder_equals_vae_encode_mean(vae):
    frame = torch.rand(1, 3, 48, 80) * 2 - 1
    with torch.no_grad():
        mean = vae.encode(frame[:, :, None]).latent_dist.mean
    got = FrameEncoder(vae).encode(frame)
    assert got.shape == (1, 16, 1, 6, 10)
    assert torch.allclose(got, LatentScale(vae, "cpu").from_vae(mean), atol=1e-6)


def test_a_bf16_engine_decodes_in_float16_which_is_closer_to_float32(vae):
    import copy

    assert vae_dtype(torch.bfloat16) == torch.float16
    assert vae_dtype(torch.float32) == torch.float32 and vae_dtype(torch.float16) == torch.float16
    latents = torch.randn(1, 16, 4, 6, 10, generator=torch.Generator().manual_seed(3))
    exact = StreamingDecoder(vae).decode(latents)
    error = {}
    for dtype in (torch.float16, torch.bfloat16):
        got = StreamingDecoder(copy.deepcopy(vae).to(dtype)).decode(latents)
        error[dtype] = (got.float() - exact).abs().mean().item()
    assert 0 < error[torch.float16] < error[torch.bfloat16] / 4, error


def test_a_loaded_bf16_engine_has_a_float16_vae(weights_folder):
    import vcam

    engine = vcam.load("tiny", weights=weights_folder, device="cpu", dtype=torch.bfloat16, progress=False)
    assert torch.bfloat16 in {p.dtype for p in engine.model.parameters()}
    assert {p.dtype for p in engine.vae.parameters()} == {torch.float16}
    frames = engine.stream("a lighthouse", seed=0).next_block()
    assert frames.dtype.name == "uint8" and frames.std() > 1.0


def test_the_first_temporal_upsample_keeps_the_last_two_latents_features_as_upstream_wan(vae, monkeypatch):
    """The rule of Wan 2.1's VAE (and diffusers'): the first temporal upsample's time convolution sees, before the
    features x_i of latent i, the cache [x_{i-2}, x_{i-1}] (zeros before x_2), and keeps [x_{i-1}, x_i] for the
    next. Krea's demo_utils/vae_block3.py keeps [x_i, x_i] from the third latent on; vcam follows upstream, which
    test_blockwise_decode_equals_full_decode ties to one whole decode()."""
    from diffusers.models.autoencoders.autoencoder_kl_wan import WanResample

    first = next(m for m in vae.decoder.modules() if isinstance(m, WanResample) and m.mode == "upsample3d")
    calls = []
    time_conv = first.time_conv.forward

    def spy(x, cache_x=None):
        calls.append((x.clone(), None if cache_x is None else cache_x.clone()))
        return time_conv(x, cache_x)

    monkeypatch.setattr(first.time_conv, "forward", spy)
    latents = torch.randn(1, 16, 6, 6, 10, generator=torch.Generator().manual_seed(9))
    decoder = StreamingDecoder(vae)
    for i in range(latents.shape[2]):  # one latent at a time, as a stream hands them over
        decoder.decode(latents[:, :, i:i + 1])
    xs = [x for x, _ in calls]
    assert len(calls) == 5 and all(x.shape[2] == 1 for x in xs)  # latent 1 skips the time convolution
    assert calls[0][1] is None  # latent 2: causal zero padding only
    assert torch.equal(calls[1][1], torch.cat([torch.zeros_like(xs[0]), xs[0]], dim=2))
    for j in range(2, len(calls)):  # latents 4 on
        cache = calls[j][1]
        assert torch.equal(cache, torch.cat([xs[j - 2], xs[j - 1]], dim=2)), f"latent {j + 2}"
        assert not torch.equal(cache, torch.cat([xs[j - 1], xs[j - 1]], dim=2))  # not the release's rule
