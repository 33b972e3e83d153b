"""Edges of the speed choice a show makes for itself (the size and precision for --target-fps, the tuning entries it
trusts, the speed model's rows) that no other test held: each test fails where the code is changed in the way its
docstring says."""
import json

import pytest
import torch

from vcam.bench.live_size import LIVE_SIZES, Rate, choose_size, sizes_for

ALL_FIT = lambda w, h, q: True  # noqa: E731


def _picked(choice):
    return choice.width, choice.height, choice.quant


# --- the size chooser -------------------------------------------------------------------------------------------


def test_a_square_model_keeps_the_landscape_sizes():
    """Only a portrait model (taller than wide) gets the sizes turned: `h > w` turned `h >= w` turned them for a
    square one too."""
    assert sizes_for((480, 480)) == list(LIVE_SIZES)
    assert sizes_for((832, 480)) == list(LIVE_SIZES)


def test_a_rate_exactly_at_the_target_keeps_the_size():
    """The target is reached by a rate equal to it: `>=` turned `>` passed the model's own size over for a smaller
    one at exactly 10.0 frames/s against --target-fps 10."""
    rate_of = lambda w, h, q: Rate(10.0 * 832 * 480 / (w * h), False)  # noqa: E731
    choice = choose_size(rate_of, 10.0, LIVE_SIZES, ALL_FIT)
    assert _picked(choice) == (832, 480, "none") and choice.met
    assert choice.message.startswith("size 832x480 bf16: predicted 10.0 frames/s on this card (target 10)")
