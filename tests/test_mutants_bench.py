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



def test_the_why_line_names_the_size_where_bf16_exactly_keeps_the_target():
    """bf16 keeps a target it reaches exactly: `>=` turned `>` in the line's reason said "bf16 keeps it only at"
    the next size down (or "reaches it at no size") where bf16 reaches 10.0 at 704x400."""
    bf16 = {(832, 480): 8.0, (768, 448): 9.0, (704, 400): 10.0}
    rate_of = lambda w, h, q: Rate(12.0 if q == "fp8" else bf16.get((w, h), 11.0), False)  # noqa: E731
    choice = choose_size(rate_of, 10.0, LIVE_SIZES, ALL_FIT)
    assert _picked(choice) == (832, 480, "fp8")
    assert "bf16 keeps it only at 704x400, and FP8 changes the picture slightly" in choice.message

# --- tuned rates the size choice trusts -------------------------------------------------------------------------


def _entry(**changes) -> dict:
    """An entry for krea-14b at 832x480 bf16 on an H200 as `vcam bench --tune` writes it, with `changes`."""
    from vcam.engine.speed import SpeedOptions

    return {"device": "NVIDIA H200", "torch": torch.__version__, "model": "krea-14b", "width": 832, "height": 480,
            "steps": 4, "dtype": "bfloat16", "quant": "none", "options": SpeedOptions(compile=True).to_dict(),
            "date": "2026-12-02T10:00:00", "frames_per_second": 14.0, **changes}


def _rates(tmp_path, *entries, **query) -> dict:
    from vcam.bench.tuning import tuned_rates

    path = tmp_path / "tuning.json"
    path.write_text(json.dumps({"version": 1, "entries": {str(i): e for i, e in enumerate(entries)}}))
    return tuned_rates("NVIDIA H200", "krea-14b", 4, path=path, **query)


@pytest.mark.parametrize("other", [{"model": "tiny"}, {"dtype": "float32"}])
def test_a_tuned_rate_of_another_model_or_dtype_does_not_size_the_show(tmp_path, other):
    """A tiny model's 14 frames/s (or a float32 run's) is nothing krea-14b in bf16 runs at: read as the show's own
    (the entry's model or dtype taken for the show's), it chose 832x480 in bf16 on a card that cannot keep it."""
    assert _rates(tmp_path, _entry(**other)) == {}
    assert _rates(tmp_path, _entry(**other), _entry(width=704, height=400, frames_per_second=11.0)) \
        == {(704, 400, "none"): 11.0}


@pytest.mark.parametrize("damage", [{"height": None}, {"width": "832"}, {"height": 480.0}])
def test_a_tuned_entry_without_a_whole_size_is_passed_over_not_a_crash(tmp_path, damage):
    """A hand-edited entry whose size is missing or not a whole number is no rate for any size: the show starts on
    the others (a missing height read as `entry['height']` stopped `vcam run` with a KeyError)."""
    entry = _entry(**damage)
    if damage.get("height", 0) is None:
        del entry["height"]
    assert _rates(tmp_path, entry, _entry(width=640, height=368, frames_per_second=20.0)) \
        == {(640, 368, "none"): 20.0}
