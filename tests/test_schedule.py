import pytest

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
