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


@pytest.mark.parametrize("bad", [{}, {"a": -1.0}, {"a": 0.0}, "   "])
def test_bad_prompts_are_refused(tiny_engine, bad):
    s = tiny_engine.stream("a cat")
    with pytest.raises(ValueError):
        s.set_prompt(bad)


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


def _with_overlap(engine):
    from dataclasses import replace

    from vcam.engine.speed import SpeedOptions

    return replace(engine, speed=SpeedOptions(overlap=True))


def test_a_block_kept_in_flight_changes_nothing_in_the_frames(tiny_engine):
    """Pipelined (submit block k+1, then collect block k), with a prompt change issued before block 3, gives the
    frames of the plain loop with the change before block 3; re-encoded context frames included (blocks ≥ 2)."""
    serial = tiny_engine.stream("a neon city", seed=2)
    expected = []
    for k in range(6):
        if k == 3:
            serial.set_prompt("a forest in fog", transition=2)
        expected.append(serial.next_block())

    piped = _with_overlap(tiny_engine).stream("a neon city", seed=2)
    assert piped.depth == 2
    got, submitted = [], 0
    while len(got) < 6:
        while piped.in_flight < 2:
            if submitted == 3:
                piped.set_prompt("a forest in fog", transition=2)
            piped.submit()
            submitted += 1
        got.append(piped.collect())
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))
    assert piped.in_flight == 1 and piped.block_index == 7


def test_blocks_in_flight_at_a_reset_are_still_delivered(tiny_engine):
    plain = tiny_engine.stream("a lighthouse", seed=3)
    expected = blocks(plain, 3)
    s = _with_overlap(tiny_engine).stream("a lighthouse", seed=3)
    s.submit()
    s.submit()
    s.reset()
    assert s.in_flight == 2 and s.block_index == 0
    s.submit()
    got = [s.collect() for _ in range(3)]
    assert all(np.array_equal(a, b) for a, b in zip(got, [expected[0], expected[1], expected[0]]))
    assert s.in_flight == 0
    with pytest.raises(RuntimeError, match="submit"):
        s.collect()


def test_graphed_passes_keep_their_buffers_in_step_with_the_stream(tiny_engine):
    """CUDA graphs replay fixed buffers; emulated on the CPU, the same bookkeeping must give the plain frames
    through a prompt transition (text K/V change every block, and the recompute uses the previous block's)."""
    from vcam.engine.graphs import GraphedPasses

    def run(graphed):
        s = tiny_engine.stream("a neon city", seed=6)
        if graphed:
            s._passes = GraphedPasses(tiny_engine.model, s._cache, emulate=True)
        out = []
        for k in range(6):
            if k == 2:
                s.set_prompt("a forest in fog", transition=3)
            if k == 4:
                s.steps = 2
            out.append(s.next_block())
        return out, s

    plain, _ = run(False)
    graphed, stream = run(True)
    assert all(np.array_equal(a, b) for a, b in zip(graphed, plain))
    assert stream._passes.captures == 2  # one per kind of pass: at offset 0, and after the context


def test_graphs_are_refused_off_cuda():
    import vcam
    from vcam.errors import VcamError

    with pytest.raises(VcamError, match="CUDA graphs"):
        vcam.load("tiny", progress=False, speed=vcam.SpeedOptions(graphs=True))


def test_a_warmed_up_stream_starts_like_a_fresh_one(tiny_engine):
    fresh = blocks(tiny_engine.stream("a lighthouse", seed=8), 3)
    warmed = tiny_engine.stream("a lighthouse", seed=8)
    warmed.warm_up()
    assert warmed.block_index == 0
    assert all(np.array_equal(a, b) for a, b in zip(blocks(warmed, 3), fresh))


def _run_failing_once(engine, where, fail_at, blocks=4):
    """Blocks of a stream whose decoder or transformer raises once, on call number `fail_at`; retried at once."""
    s = engine.stream("a neon city", seed=4)
    calls = {"n": 0}
    real = s._decoder.decode if where == "decode" else s._passes

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == fail_at:
            raise RuntimeError("CUDA out of memory (pretend)")
        return real(*args, **kwargs)

    if where == "decode":
        s._decoder.decode = flaky
    else:
        s._passes = flaky
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
    third pass; decode call 2 is the second half of block 0's decode."""
    plain = _run_failing_once(tiny_engine, where, None)
    assert all(np.array_equal(a, b) for a, b in zip(_run_failing_once(tiny_engine, where, fail_at), plain))


def test_a_failed_decode_later_on_only_glitches(tiny_engine):
    plain = _run_failing_once(tiny_engine, "decode", None)
    got = _run_failing_once(tiny_engine, "decode", 6)  # the second half of block 2's decode
    assert [b.shape for b in got] == [b.shape for b in plain]
    assert all(np.array_equal(a, b) for a, b in zip(got[:2], plain[:2]))
