"""Krea's attention bias, the number and its rule, in one place: the command line, show files, the live commands and
streams all ask here. Plain arithmetic, so the control side can check a value without the engine.

During a block's denoising passes the keys of the context's past latents (not its first latent, not the block
itself) get log(bias) added to their attention scores: below 1 the new block leans less on the frames just made,
so errors carried from block to block fade and a prompt change lands sooner. 1 leaves attention as it is.
"""
from __future__ import annotations

import math

from vcam.words import number_said

DEFAULT_BIAS = 1.0  # attention as the model was trained; Krea's pipeline and Daydream Scope run 0.3
KREA_BIAS = 0.3


def check_bias(value: float) -> float:
    """A bias above 0 and at most 1; ValueError otherwise."""
    value = float(value)
    if not (0.0 < value <= 1.0) or not math.isfinite(value):  # also refuses NaN
        raise ValueError(f"bias must be above 0 and at most 1 (1 = off, Krea's own runs use {KREA_BIAS:g}), "
                         f"not {number_said(value)}")
    return value
