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
