"""The block stream of the tiny model: sizes, determinism, seeds, prompt transitions, blends, reset, context."""
import numpy as np
import pytest
import torch


def blocks(stream, n):
    return [stream.next_block() for _ in range(n)]


def diff(a, b):
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def test_block_sizes(tiny_engine):
    s = tiny_engine.stream("a red fox in the snow", seed=1)
    first, second, third = blocks(s, 3)
    assert first.shape == (6, 64, 112, 3) and first.dtype == np.uint8
    assert second.shape == third.shape == (12, 64, 112, 3)
    assert s.block_index == 3


def test_every_models_blocks_are_as_long_as_the_pacer_plans_for():
    """The pacer holds the generator for a whole block of vcam.live.pacer.BLOCK_FRAMES, kept there apart from the
    engine (torch): every model's VAE, and its tiny decoder (--decoder taehv), make that many frames of a block."""
    from vcam.engine.configs import MODELS
    from vcam.engine.stream import FRAMES_PER_LATENT, LATENTS_PER_BLOCK
    from vcam.live.pacer import BLOCK_FRAMES

    assert LATENTS_PER_BLOCK * FRAMES_PER_LATENT == BLOCK_FRAMES
    for spec in MODELS.values():
        assert 2 ** sum(spec.vae.temporal_downsample) == spec.taehv.frames_per_latent == FRAMES_PER_LATENT, spec.name


@pytest.mark.parametrize("w,h", [(64, 112), (96, 48)])
def test_any_size_divisible_by_16_including_portrait(tiny_engine, w, h):
    s = tiny_engine.stream("a lighthouse", width=w, height=h)
    assert blocks(s, 3)[-1].shape == (12, h, w, 3)


def test_sizes_not_divisible_by_16_are_refused(tiny_engine):
    with pytest.raises(ValueError, match="multiples of 16.*the nearest is 96x64"):
        tiny_engine.stream("x", width=100, height=64)


def test_same_seed_and_prompt_give_the_same_frames(tiny_engine):
    a = blocks(tiny_engine.stream("a neon city", seed=5), 4)
    b = blocks(tiny_engine.stream("a neon city", seed=5), 4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_another_seed_or_prompt_gives_other_frames(tiny_engine):
    base = blocks(tiny_engine.stream("a neon city", seed=5), 2)
    other_seed = blocks(tiny_engine.stream("a neon city", seed=6), 2)
    other_prompt = blocks(tiny_engine.stream("a quiet forest", seed=5), 2)
    for other in (other_seed, other_prompt):
        assert all(diff(x, y) > 0.5 for x, y in zip(base, other))


def test_frames_change_over_time(tiny_engine):
    b = blocks(tiny_engine.stream("waves", seed=2), 3)
    assert diff(b[1], b[2]) > 1.0


def test_new_seed_applies_from_the_next_block(tiny_engine):
    a = tiny_engine.stream("a neon city", seed=5)
    b = tiny_engine.stream("a neon city", seed=5)
    a_blocks = blocks(a, 2)
    b_blocks = blocks(b, 2)
    b.set_seed(99)
    assert all(np.array_equal(x, y) for x, y in zip(a_blocks, b_blocks))  # nothing changed before the call
    assert diff(a.next_block(), b.next_block()) > 1.0
    assert b.settings.seed == 99


def test_reset_starts_over(tiny_engine):
    s = tiny_engine.stream("a neon city", seed=5)
    first = blocks(s, 3)
    s.reset()
    assert s.block_index == 0
    again = blocks(s, 3)
    assert all(np.array_equal(x, y) for x, y in zip(first, again))


def test_prompt_change_moves_over_the_transition_blocks(tiny_engine):
    start, end, n = "a neon city at night", "a sunny beach", 4
    s = tiny_engine.stream(start, seed=1, transition=n)
    blocks(s, 2)
    e_start, e_end = tiny_engine.text.encode(start), tiny_engine.text.encode(end)
    s.set_prompt(end)
    for k in range(1, n + 1):
        s.next_block()
        expected = torch.lerp(e_start, e_end, k / n)
        assert torch.allclose(s._current_embedding(), expected, atol=1e-6)
        assert s.transition_remaining == n - k
    # the cross-attention K/V in use are those of the final prompt once the transition is over
    assert torch.allclose(s._kv.k, tiny_engine.model.text_kv(e_end).k, atol=1e-6)


def test_prompt_change_is_gradual_in_the_frames(tiny_engine):
    start, end = "a neon city at night", "a sunny beach"

    def run(transition, switch):
        s = tiny_engine.stream(start, seed=1)
        out = blocks(s, 2)
        if switch:
            s.set_prompt(end, transition=transition)
        return out + blocks(s, 1)

    stay, gradual, at_once = run(4, True), run(4, True), run(0, True)
    no_change = run(4, False)
    # the first block after a gradual change lies between "no change" and "changed at once"
    d_stay = diff(gradual[2], no_change[2])
    d_once = diff(gradual[2], at_once[2])
    assert 0 < d_stay < diff(at_once[2], no_change[2])
    assert d_once > 0
    assert np.array_equal(stay[2], gradual[2])  # and it is deterministic


def test_weighted_blend(tiny_engine):
    s = tiny_engine.stream({"a cat": 3.0, "a dog": 1.0}, seed=1)
    expected = 0.75 * tiny_engine.text.encode("a cat") + 0.25 * tiny_engine.text.encode("a dog")
    assert torch.allclose(s._current_embedding(), expected, atol=1e-6)
    only_cat = blocks(tiny_engine.stream({"a cat": 1.0, "a dog": 0.0}, seed=1), 2)
    cat = blocks(tiny_engine.stream("a cat", seed=1), 2)
    assert all(diff(x, y) < 0.01 for x, y in zip(only_cat, cat))


@pytest.mark.parametrize("bad", [{}, {"a": -1.0}, {"a": 0.0}, "   ", "&nbsp;", "\x00", {"a": float("inf")},
                                 {"a": float("nan")}])
def test_bad_prompts_are_refused(tiny_engine, bad):
    s = tiny_engine.stream("a cat")
    with pytest.raises(ValueError):
        s.set_prompt(bad)


def test_a_blend_of_huge_weights_is_the_blend_of_their_ratio(tiny_engine):
    """Weights that add up past a float's range (1e308 twice, from a hand-written log) made every weight 0: a
    prompt of nothing on air, where the picture should be the even blend."""
    huge = tiny_engine.stream({"a cat": 1e308, "a dog": 1e308}, seed=1)
    even = tiny_engine.stream({"a cat": 1.0, "a dog": 1.0}, seed=1)
    assert torch.allclose(huge._current_embedding(), even._current_embedding(), atol=1e-6)


@pytest.mark.parametrize("weights", [{"a": 0.1, "b": 0.9}, {"a": 0.3, "b": 0.3, "c": 0.4}, {"a": 2, "b": 3},
                                     {"a": 0.7, "b": 0.2, "c": 0.1}, {"a": 0.0, "b": 0.5}, {"a": 1.0}])
def test_a_blend_is_weighed_to_the_last_bit_as_before(tiny_engine, weights):
    """A logged show replays to the picture it gave: each weight over the weights' sum, to the last bit (dividing by
    the largest weight first gave 0.8999999999999999 for 0.9 of 0.1 and 0.9)."""
    from vcam.engine.stream import _normalise_prompt

    total = sum(weights.values())
    assert _normalise_prompt(weights) == {text: w / total for text, w in weights.items()}
    s = tiny_engine.stream(weights, seed=1)
    by_hand = torch.stack([tiny_engine.text.encode(text) * (w / total) for text, w in weights.items()]).sum(0)
    assert torch.equal(s._current_embedding(), by_hand)


def test_steps_change_the_output(tiny_engine):
    a = tiny_engine.stream("a cat", seed=1)
    b = tiny_engine.stream("a cat", seed=1)
    b.steps = 2
    assert diff(a.next_block(), b.next_block()) > 0.5
    with pytest.raises(ValueError):
        b.steps = 0


def test_first_frame_re_encoding_versus_pinning(tiny_engine):
    reenc = tiny_engine.stream("a cat", seed=1)
    pinned = tiny_engine.stream("a cat", seed=1, pin_first_latent=True)
    r, p = blocks(reenc, 4), blocks(pinned, 4)
    # identical until the context's first latent is replaced (block 2 on)
    assert np.array_equal(r[0], p[0]) and np.array_equal(r[1], p[1])
    assert diff(r[2], p[2]) > 0.1
    # the re-encoded latent is the encoding of the frame just before the two kept latents
    assert len(reenc._history) == 9


def test_a_warmed_up_stream_starts_like_a_fresh_one(tiny_engine):
    fresh = blocks(tiny_engine.stream("a lighthouse", seed=8), 3)
    warmed = tiny_engine.stream("a lighthouse", seed=8)
    warmed.warm_up()
    assert warmed.block_index == 0
    assert all(np.array_equal(a, b) for a, b in zip(blocks(warmed, 3), fresh))


def _run_failing_once(engine, where, fail_at, blocks=4):
    """Blocks of a stream whose VAE decoder (called once per latent) or transformer raises once, on call number
    `fail_at`; retried at once."""
    s = engine.stream("a neon city", seed=4)
    calls = {"n": 0}

    def count_and_fail():
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise RuntimeError("CUDA out of memory (pretend)")

    if where == "decode":
        hook = engine.vae.decoder.register_forward_pre_hook(lambda module, args: count_and_fail())
    else:
        real, hook = s._pass, None

        def flaky(*args, **kwargs):
            count_and_fail()
            return real(*args, **kwargs)

        s._pass = flaky
    try:
        return _blocks_retried(s, blocks, calls, fail_at)
    finally:
        if hook is not None:
            hook.remove()


def _blocks_retried(s, blocks, calls, fail_at):
    out = []
    for k in range(blocks):
        if k == 1:
            s.set_prompt("a forest in fog", transition=3)
        try:
            out.append(s.next_block())
        except RuntimeError:
            out.append(s.next_block())
    assert fail_at is None or calls["n"] >= fail_at  # the failure did happen
    return out


@pytest.mark.parametrize("where,fail_at", [("denoise", 9), ("denoise", 2), ("decode", 2)])
def test_a_failed_block_leaves_the_stream_as_it_was(tiny_engine, where, fail_at):
    """Out of memory halfway through a block (after noise was drawn and the prompt moved on): the retry gives
    exactly the frames of a stream that never failed, in a prompt transition too. Denoise call 9 is block 2's
    third pass; decoder call 2 is the second latent of block 0's decode."""
    plain = _run_failing_once(tiny_engine, where, None)
    assert all(np.array_equal(a, b) for a, b in zip(_run_failing_once(tiny_engine, where, fail_at), plain))


def test_a_failed_decode_later_on_only_glitches(tiny_engine):
    plain = _run_failing_once(tiny_engine, "decode", None)
    got = _run_failing_once(tiny_engine, "decode", 8)  # the second latent of block 2's decode
    assert [b.shape for b in got] == [b.shape for b in plain]
    assert all(np.array_equal(a, b) for a, b in zip(got[:2], plain[:2]))


def _poisoned_at(engine, monkeypatch, blocks):
    """Every transformer pass of the given attempts at a block (counted from 0, retries included) comes out NaN,
    as FP8 or extreme settings make on a real card."""
    real, attempts = engine.model.forward, [-1]

    def forward(*args, **kwargs):
        out = real(*args, **kwargs)
        return out * float("nan") if attempts[0] in blocks else out

    monkeypatch.setattr(engine.model, "forward", forward)
    return attempts


def test_a_block_that_comes_out_nan_is_refused_and_a_reset_makes_the_stream_whole_again(tiny_engine, monkeypatch):
    """A NaN block went out black and stayed in the context, so every later block was black too, said nowhere:
    now it raises NonFiniteBlockError, the stream as it was, and after a reset the frames are a fresh stream's."""
    from vcam.errors import NonFiniteBlockError

    attempts = _poisoned_at(tiny_engine, monkeypatch, {2})
    s = tiny_engine.stream("a red fox in the snow", seed=1)
    made = []
    for _ in range(4):
        attempts[0] += 1
        try:
            made.append(s.next_block())
        except NonFiniteBlockError:
            assert s.block_index == 2
            s.reset()
    fresh = tiny_engine.stream("a red fox in the snow", seed=1)
    assert len(made) == 3 and s.block_index == 1
    assert np.array_equal(made[2], fresh.next_block()) and np.array_equal(s.next_block(), fresh.next_block())


def test_a_nan_block_while_warming_up_leaves_it_to_the_show(tiny_engine, monkeypatch):
    attempts = _poisoned_at(tiny_engine, monkeypatch, {-1})  # every warm-up block; the show's are counted on
    s = tiny_engine.stream("a lighthouse", seed=3)
    s.warm_up()
    attempts[0] = 0
    fresh = tiny_engine.stream("a lighthouse", seed=3)
    assert s.block_index == 0 and np.array_equal(s.next_block(), fresh.next_block())


def test_a_warm_up_whose_blocks_come_out_nan_still_meets_every_later_shape(tiny_engine, monkeypatch):
    """Refused, a NaN warm-up block was made again as the first block three times over, so the recompute and the
    later passes' shapes were first met, and compiled, on air."""
    from vcam.engine.stream import Stream

    _poisoned_at(tiny_engine, monkeypatch, {-1})
    real, met = Stream._denoise, []
    monkeypatch.setattr(Stream, "_denoise", lambda self, kv: met.append(self.block_index) or real(self, kv))
    s = tiny_engine.stream("a lighthouse", seed=3)
    s.warm_up()
    assert met == [0, 1, 2, 3] and s.block_index == 0 and s.refuse_non_finite


def test_latents_of_minus_infinity_are_refused_as_nan_ones_are(tiny_engine, monkeypatch):
    """The check is one reduction, the largest magnitude: -inf is as far from finite as +inf."""
    from vcam.errors import NonFiniteBlockError

    real = tiny_engine.model.forward
    # a flow of +inf everywhere: every pass's x0 = x - sigma * flow is -inf, never NaN
    monkeypatch.setattr(tiny_engine.model, "forward", lambda *a, **k: torch.full_like(real(*a, **k), float("inf")))
    s = tiny_engine.stream("a lighthouse", seed=3)
    with pytest.raises(NonFiniteBlockError):
        s.next_block()
    assert s.block_index == 0
