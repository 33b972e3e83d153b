"""The two decoders side by side: the Wan VAE's and TAEHV's tiny one, on the same latents, block by block as a
stream decodes them. Time per block for each, and how far TAEHV's frames are from the VAE's (levels of 255, PSNR).

The latents are the VAE encoder's of a synthetic moving clip, so with real weights they are latents of a real-
looking video; with random weights (what a benchmark machine without the files has) the times are the real ones
but the difference says nothing about TAEHV's fidelity: two random networks agree on nothing.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch

from vcam.bench.bench import moving_clip
from vcam.engine.configs import get_spec
from vcam.engine.device import on_device
from vcam.engine.stream import FIRST_INPUT_FRAMES, INPUT_FRAMES
from vcam.engine.taehv import TAEHVStreamingDecoder, build_taehv
from vcam.engine.vae import StreamingDecoder, StreamingEncoder, build_vae, vae_dtype
from vcam.engine.video_in import to_rgb


@dataclass
class DecoderComparison:
    width: int
    height: int
    blocks: int
    weights: str  # "random" or "given"
    vae_ms: list[float]  # per block; the first includes the first call's set-up
    taehv_ms: list[float]
    mean_levels: list[float]  # per block: mean |TAEHV - VAE| in levels of 255
    max_levels: list[float]
    psnr_db: list[float]  # per block, TAEHV against the VAE

    @property
    def speedup(self) -> float:
        """The VAE's time per block over TAEHV's, after the first block (steady state)."""
        later = slice(1, None) if self.blocks > 1 else slice(None)
        return float(np.mean(self.vae_ms[later]) / max(np.mean(self.taehv_ms[later]), 1e-9))

    def to_dict(self) -> dict:
        return {**asdict(self), "speedup": round(self.speedup, 2)}


def _timed_decode(decoder, blocks: list[torch.Tensor], device: torch.device) -> tuple[list[np.ndarray], list[float]]:
    frames, times = [], []
    for latents in blocks:
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        t0 = time.perf_counter()
        rgb = decoder.decode(latents)[0]
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        times.append(round(1000.0 * (time.perf_counter() - t0), 2))
        # as the stream turns frames into pixels: float32, rounded, clamped
        frames.append(((rgb.permute(1, 2, 3, 0).float() + 1.0) * 127.5).round_().clamp_(0, 255).cpu().numpy())
    return frames, times


def compare_decoders(device: torch.device, model: str = "krea-14b", width: int | None = None,
                     height: int | None = None, blocks: int = 4, dtype: torch.dtype | None = None,
                     vae=None, taehv=None) -> DecoderComparison:
    """Decodes `blocks` blocks (3 latents each) with both decoders. `vae` and `taehv` are the networks to compare
    (default: random ones of `model`'s shapes, built here); `dtype` the transformer's (the decoders run in
    vae_dtype of it: float16 for bf16)."""
    spec = get_spec(model)
    width, height = width or spec.width, height or spec.height
    dtype = vae_dtype(dtype or (torch.bfloat16 if device.type == "cuda" else torch.float32))
    given = vae is not None and taehv is not None
    with on_device(device), torch.no_grad():
        if vae is None:
            with torch.random.fork_rng(devices=[]):
                torch.manual_seed(1)
                vae = build_vae(spec.vae)
        vae = vae.to(device=device, dtype=dtype).eval()
        taehv = (taehv if taehv is not None else build_taehv(spec.taehv, seed=3)).to(device=device, dtype=dtype)
        clip = moving_clip(width, height, frames=FIRST_INPUT_FRAMES + INPUT_FRAMES * (blocks - 1))
        encoder = StreamingEncoder(vae)
        latents, start = [], 0
        for count in [FIRST_INPUT_FRAMES] + [INPUT_FRAMES] * (blocks - 1):
            latents.append(encoder.encode(to_rgb(clip[start:start + count], device)))
            start += count
        ref, vae_ms = _timed_decode(StreamingDecoder(vae), latents, device)
        got, taehv_ms = _timed_decode(TAEHVStreamingDecoder(taehv), latents, device)
    diffs = [np.abs(a - b) for a, b in zip(got, ref)]
    mse = [float((d ** 2).mean()) for d in diffs]
    return DecoderComparison(
        width=width, height=height, blocks=blocks, weights="given" if given else "random", vae_ms=vae_ms,
        taehv_ms=taehv_ms, mean_levels=[round(float(d.mean()), 2) for d in diffs],
        max_levels=[round(float(d.max()), 1) for d in diffs],
        psnr_db=[round(10 * math.log10(255.0 ** 2 / max(m, 1e-9)), 1) for m in mse])
