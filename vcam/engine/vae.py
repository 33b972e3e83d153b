"""Streaming decode and encode with diffusers' Wan VAE, keeping the causal-conv caches across blocks.

`AutoencoderKLWan.decode()` and `encode()` clear their feature caches on every call, so a stream that decodes (or
encodes an input video) block after block calls the decoder (encoder) itself with a cache of its own: the result
equals one `decode()` (`encode()`) of the whole sequence.
"""
from __future__ import annotations

import torch
from torch import Tensor

from vcam.engine.configs import VAEConfig


def build_vae(cfg: VAEConfig):
    """An AutoencoderKLWan of the given shape (random weights; real weights come from `from_pretrained`)."""
    from diffusers import AutoencoderKLWan

    return AutoencoderKLWan(
        base_dim=cfg.base_dim,
        z_dim=cfg.z_dim,
        dim_mult=list(cfg.dim_mult),
        num_res_blocks=cfg.num_res_blocks,
        temperal_downsample=list(cfg.temporal_downsample),
    )


def vae_dtype(compute_dtype: torch.dtype) -> torch.dtype:
    """The VAE's dtype for a transformer computing in `compute_dtype`. With bfloat16 it is float16: as fast on
    every card with bfloat16 kernels, eight times finer steps (in bfloat16 a decoded frame is off by up to 4 levels of
    255 against float32), and the range Krea's own release runs the Wan VAE in."""
    return torch.float16 if compute_dtype == torch.bfloat16 else compute_dtype


def _conv_count(module) -> int:
    from diffusers.models.autoencoders.autoencoder_kl_wan import WanCausalConv3d

    return sum(isinstance(m, WanCausalConv3d) for m in module.modules())


class LatentScale:
    """The VAE's per-channel latent normalisation: the transformer works on (z − mean) / std."""

    def __init__(self, vae, device, dtype=torch.float32):
        shape = (1, -1, 1, 1, 1)
        self.mean = torch.tensor(vae.config.latents_mean, device=device, dtype=dtype).view(shape)
        self.std = torch.tensor(vae.config.latents_std, device=device, dtype=dtype).view(shape)

    def to_vae(self, latents: Tensor) -> Tensor:
        return latents * self.std + self.mean

    def from_vae(self, z: Tensor) -> Tensor:
        return (z - self.mean) / self.std


class StreamingDecoder:
    """Decodes normalised latents [B, 16, n, h, w] block by block into RGB in [-1, 1] [B, 3, frames, H, W].

    The first latent of a stream gives 1 frame, every later latent 4.
    """

    def __init__(self, vae):
        self.vae = vae
        self.scale = LatentScale(vae, next(vae.parameters()).device)
        self._num_convs = _conv_count(vae.decoder)
        self.reset()

    def reset(self) -> None:
        self._cache: list = [None] * self._num_convs
        self._first = True

    def state(self) -> None:
        """No snapshot: holding the old causal cache while a decode makes the new one would cost as much again
        (1.8 GB at 832x480), so a block that fails after a decode leaves this decoder moved on (a brief glitch)."""
        return None

    def restore(self, state: None) -> None:
        pass

    @torch.no_grad()
    def decode(self, latents: Tensor) -> Tensor:
        dtype = next(self.vae.parameters()).dtype
        x = self.vae.post_quant_conv(self.scale.to_vae(latents.float()).to(dtype))
        outs = []
        # Latent by latent through diffusers' decoder, whose first temporal upsample keeps the features of the last
        # two latents, [x_{i-1}, x_i], for its time convolution, as the upstream Wan 2.1 VAE does (and the whole
        # decode() equals). Deliberately not Krea's release: its demo_utils/vae_block3.py Resample, which swapped
        # the "Rep" marker for a zero cache, keeps [x_i, x_i] from the third latent on (torch.where against the
        # cache's last frame copies x_i over it once that frame is non-zero), which looks like a slip there.
        for i in range(x.shape[2]):
            outs.append(
                self.vae.decoder(x[:, :, i : i + 1], feat_cache=self._cache, feat_idx=[0], first_chunk=self._first)
            )
            self._first = False
        return torch.cat(outs, dim=2).clamp_(-1.0, 1.0)


class FrameEncoder:
    """Encodes one RGB frame [B, 3, H, W] in [-1, 1] into one normalised latent [B, 16, 1, h, w] (its mean)."""

    def __init__(self, vae):
        self.vae = vae
        self.scale = LatentScale(vae, next(vae.parameters()).device)
        self._num_convs = _conv_count(vae.encoder)

    @torch.no_grad()
    def encode(self, frame: Tensor) -> Tensor:
        dtype = next(self.vae.parameters()).dtype
        cache: list = [None] * self._num_convs
        h = self.vae.encoder(frame[:, :, None].to(dtype), feat_cache=cache, feat_idx=[0])
        mean = self.vae.quant_conv(h)[:, : self.vae.config.z_dim]
        return self.scale.from_vae(mean.float())


class StreamingEncoder:
    """Encodes RGB video [B, 3, n, H, W] in [-1, 1] block by block into normalised latent means [B, 16, k, h, w],
    keeping the encoder's causal cache between calls (Krea's video-to-video input).

    As `AutoencoderKLWan.encode` does for a whole clip, the first frame of a sequence is encoded alone and every
    later 4 frames together: a fresh encoder takes 1 + 4k frames (1 + k latents), a warm one 4k frames (k latents).
    Cache entries are replaced, never written in place, so `state()` is a cheap snapshot for a block that fails,
    and a call that fails leaves the encoder as it was.
    """

    def __init__(self, vae):
        self.vae = vae
        self.scale = LatentScale(vae, next(vae.parameters()).device)
        self._num_convs = _conv_count(vae.encoder)
        self.reset()

    def reset(self) -> None:
        """The next call starts a new sequence (its first frame encoded alone)."""
        self._cache: list = [None] * self._num_convs
        self._fresh = True

    @property
    def fresh(self) -> bool:
        """Whether the next call starts a new sequence: then it takes 1 + 4k frames, else 4k."""
        return self._fresh

    def state(self) -> tuple:
        return list(self._cache), self._fresh

    def restore(self, state: tuple) -> None:
        cache, self._fresh = state
        self._cache = list(cache)

    @torch.no_grad()
    def encode(self, rgb: Tensor) -> Tensor:
        n = rgb.shape[2]
        if self._fresh and (n < 1 or n % 4 != 1):
            raise ValueError(f"a fresh VAE encoder takes 1 + 4k frames (the first alone, then 4 per latent), not {n}: "
                             "give 9 (or 13) frames to a block that starts the encoder")
        if not self._fresh and (n < 4 or n % 4 != 0):
            raise ValueError(f"a VAE encoder that has started takes 4k frames (4 per latent), not {n}: "
                             "give 12 frames for every block after the first")
        dtype = next(self.vae.parameters()).dtype
        x = rgb.to(dtype)
        bounds = [0, 1] if self._fresh else [0]
        bounds += range(bounds[-1] + 4, n + 1, 4)
        cache = list(self._cache)  # kept only once the whole call succeeds
        outs = [self.vae.encoder(x[:, :, a:b], feat_cache=cache, feat_idx=[0]) for a, b in zip(bounds, bounds[1:])]
        self._cache, self._fresh = cache, False
        mean = self.vae.quant_conv(torch.cat(outs, dim=2))[:, : self.vae.config.z_dim]
        return self.scale.from_vae(mean.float())
