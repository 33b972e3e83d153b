from functools import lru_cache

import pytest
import torch

from vcam.engine.schedule import denoising_passes, renoise_sigma


def test_four_steps_at_shift_five():
    passes = denoising_passes(4, shift=5.0)
    assert [round(p.t, 1) for p in passes] == [1000.0, 908.8, 714.0, 0.0]
    assert passes[0].sigma == 1.0
    # the last pass sees t=0 but still converts its flow with the grid's smallest sigma
    assert 0.0049 < passes[-1].sigma < 0.0050


def test_renoise_levels_follow_the_next_pass():
    passes = denoising_passes(4)
    assert [round(renoise_sigma(passes, i), 4) for i in range(3)] == [0.9088, 0.714, 0.005]
    # the same sigma the last pass converts its flow with: a t = 0 pass sees a trace of fresh noise
    assert renoise_sigma(passes, 2) == passes[-1].sigma > 0


@pytest.mark.parametrize("steps", [1, 2, 3, 6, 8])
def test_timesteps_decrease(steps):
    ts = [p.t for p in denoising_passes(steps)]
    assert len(ts) == steps and ts[0] == 1000.0
    assert all(a > b for a, b in zip(ts, ts[1:]))


def test_bad_steps_are_refused():
    with pytest.raises(ValueError, match="at least 1"):
        denoising_passes(0)


@pytest.mark.parametrize("strength,expected", [
    (1.0, [1000, 909, 714, 0]),
    (0.8, [952, 851, 644, 0]),
    (0.5, [833, 714, 499, 0]),
    (0.3, [682, 556, 357, 0]),
])
def test_strength_gives_krea_video_to_video_timesteps(strength, expected):
    ts = [p.t for p in denoising_passes(4, shift=5.0, strength=strength)]
    assert all(abs(t - e) <= 1.0 for t, e in zip(ts, expected)), ts
    assert len(ts) == 4 and ts[-1] == 0.0


def test_strength_zero_makes_every_pass_at_t_zero():
    passes = denoising_passes(4, strength=0.0)
    assert [p.t for p in passes] == [0.0] * 4
    assert all(p.sigma == passes[-1].sigma > 0 for p in passes)


def test_a_strength_just_under_a_grid_point_lands_on_it():
    # a strength computed as 0.7 - 0.4 is 0.29999999999999993: its first pass is still the grid's point 300
    assert denoising_passes(1, strength=0.7 - 0.4)[0].t == denoising_passes(1, strength=0.3)[0].t


@pytest.mark.parametrize("bad", [-0.1, 1.01, float("nan")])
def test_a_strength_outside_0_to_1_is_refused(bad):
    with pytest.raises(ValueError, match="strength"):
        denoising_passes(4, strength=bad)


# --- Krea's rule, written here from its description, every step count and strength ---------------------------------
@lru_cache(maxsize=1)
def krea_table() -> tuple[torch.Tensor, torch.Tensor]:
    """utils/scheduler.py FlowMatchScheduler(shift=5, sigma_min=0, extra_one_step=True).set_timesteps(1000), float32
    as torch makes it: sigmas over linspace(1, 0, 1001) without its last point, shifted by 5 s / (1 + 4 s); the
    timesteps are 1000 times them. release_server.py init_models pads the timesteps with a final 0."""
    sigmas = torch.linspace(1.0, 0.0, 1001, dtype=torch.float32)[:1000]
    sigmas = 5.0 * sigmas / (1.0 + 4.0 * sigmas)
    timesteps = 1000.0 * sigmas
    return sigmas, torch.cat((timesteps, torch.zeros(1)))


def krea_passes(steps: int, strength: float) -> tuple[list[float], list[float]]:
    """v2v.py get_denoising_schedule: grid points linspace(strength·1000, 0, steps) in float32, truncated to integers,
    looked up at 1000 − point in the padded timesteps; each t's sigma is the table's at the nearest timestep
    (wan_wrapper.py _convert_flow_pred_to_x0, scheduler.py add_noise), the smallest one for t = 0."""
    sigmas, padded = krea_table()
    points = torch.linspace(strength * 1000, 0, steps, dtype=torch.float32).long()
    ts = padded[1000 - points]
    return ts.tolist(), [float(sigmas[(padded[:1000] - t).abs().argmin()]) for t in ts]


@pytest.mark.parametrize("strength", [k / 100 for k in range(101)], ids=lambda s: f"{s:.2f}")
@pytest.mark.parametrize("steps", range(1, 9))
def test_timesteps_and_sigmas_follow_kreas_rule(steps, strength):
    passes = denoising_passes(steps, shift=5.0, strength=strength)
    ts, sigmas = krea_passes(steps, strength)
    # neighbouring grid points are at least 0.2 apart in t: 1e-3 tells a wrong point from float32's rounding
    assert [p.t for p in passes] == pytest.approx(ts, abs=1e-3)
    assert [p.sigma for p in passes] == pytest.approx(sigmas, abs=1e-6)
