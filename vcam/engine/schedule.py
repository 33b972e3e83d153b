"""The shifted flow-matching timesteps of the few-step denoising loop."""
from __future__ import annotations

from dataclasses import dataclass

import torch

GRID = 1000  # the training schedule's number of timesteps


@dataclass(frozen=True)
class Pass:
    """One denoising pass: the timestep the model sees, and the sigma that turns its flow into x0."""

    t: float
    sigma: float


def shifted_sigma(s: float, shift: float) -> float:
    return shift * s / (1.0 + (shift - 1.0) * s)


def denoising_passes(steps: int, shift: float = 5.0, strength: float = 1.0) -> list[Pass]:
    """Passes for `steps` steps: s runs over linspace(strength, 0, steps) on the 1000-step grid, shifted.

    4 steps at shift 5 give t ≈ 1000, 908.8, 714.0, 0. The last pass sees t = 0; its sigma is the grid's smallest
    non-zero one (as a lookup in the training table gives), so it still refines a little. A strength under 1 starts
    lower, as Krea's video-to-video does (0.5: t ≈ 833, 714, 499, 0); at 0 every pass is at t = 0.
    """
    if steps < 1:
        raise ValueError(f"steps must be at least 1 (got {steps})")
    if not 0.0 <= strength <= 1.0:  # also refuses NaN
        raise ValueError(f"strength must be in [0, 1] (got {strength})")
    top = round(strength * GRID, 6)  # (0.7 - 0.4) * 1000 is 299.99999999999994: the grid point meant is 300
    # Krea's float32 linspace, truncated: from 15 steps on its rounding puts some middle points one grid point below
    # the exact quotient (15 steps at 0.51: 254, not 255), and the model's schedule is Krea's
    grid_points = torch.linspace(top, 0, steps, dtype=torch.float32, device="cpu").long().tolist()
    passes = []
    for g in grid_points:
        sigma = shifted_sigma(g / GRID, shift)
        passes.append(Pass(t=GRID * sigma, sigma=sigma if g > 0 else shifted_sigma(1 / GRID, shift)))
    return passes


def renoise_sigma(passes: list[Pass], i: int) -> float:
    """The noise level to re-noise x0 to before pass i+1: that pass's sigma. A pass at t = 0 still gets the grid's
    smallest sigma of noise, as the model was distilled with (the training table's lookup of t = 0)."""
    return passes[i + 1].sigma
