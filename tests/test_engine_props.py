"""Properties of the engine, each held to a plain reference written here: the segmented attention against a masked
softmax over seeded random cases; the KV cache against one built from nothing; a restarted stream against a fresh
one; a live bias against the block it lands in; video input of odd lengths and sizes; the timesteps at every step
count against Krea's float32 rule."""
import math
import random
import warnings

import numpy as np
import pytest
import torch

from vcam.engine.attention import KeyBias, biased_attention
from vcam.engine.configs import WanConfig
from vcam.engine.model import CausalWanModel, KVCache, init_random_
from vcam.engine.schedule import denoising_passes
from vcam.engine.video_in import ArrayClip, check_frames, to_rgb

CFG = WanConfig(dim=64, ffn_dim=128, num_heads=2, num_layers=2, freq_dim=32, text_dim=32)


# --- the segmented attention ------------------------------------------------------------------------------------
def masked_softmax(q, k, v, start, end, bias):
    """Scores + log(bias) on keys [start, end), softmax, @ V: in float64, from the inputs as given."""
    q, k, v = (x.double() for x in (q, k, v))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    scores[..., start:end] += math.log(bias)
    return torch.softmax(scores, dim=-1) @ v


def attention_cases(n, seed):
    """Seeded random shapes, spans (empty ones, ones past the keys, all the keys) and biases (1, tiny, any)."""
    rng = random.Random(seed)
    for _ in range(n):
        lk = rng.randint(1, 70)
        start = rng.choice([0, rng.randint(0, lk), lk, lk + rng.randint(1, 5)])
        end = rng.choice([start, rng.randint(start, max(start, lk) + 3), lk])
        end = max(start, end)
        bias = rng.choice([1.0, 0.3, 1e-6, 1e-30, rng.uniform(0.01, 1.0)])
        yield rng.randint(1, 40), lk, start, end, bias, rng.choice([8, 16]), rng.choice(["math", "flash"])


def qkv(lq, lk, d, dtype, seed):
    gen = torch.Generator().manual_seed(seed)
    q, k = (2 * torch.randn(1, 2, n, d, generator=gen) for n in (lq, lk))  # 2×: a peaky softmax
    v = torch.randn(1, 2, lk, d, generator=gen)
    return q.to(dtype), k.to(dtype), v.to(dtype)


@pytest.mark.parametrize("dtype, atol", [(torch.float32, 3e-5), (torch.bfloat16, 3e-2)])
def test_segmented_attention_is_a_masked_softmax_for_random_spans_biases_and_dtypes(dtype, atol):
    for i, (lq, lk, start, end, bias, d, kernel) in enumerate(attention_cases(60, seed=int(atol * 1e5))):
        q, k, v = qkv(lq, lk, d, dtype, seed=i)
        log_bias = torch.tensor(math.log(bias), dtype=torch.float32)
        got = biased_attention(q, k, v, start, end, log_bias, kernel)
        case = (lq, lk, start, end, bias, d, kernel)
        assert got.dtype == dtype and got.shape == q.shape, case
        # the reference sees the inputs as rounded to `dtype`: what is left is the kernels' and the merge's rounding
        torch.testing.assert_close(got.double(), masked_softmax(q, k, v, start, end, bias), atol=atol, rtol=atol,
                                   msg=lambda m: f"{case}: {m}")


@pytest.mark.parametrize("kernel", ["math", "flash"])
def test_a_bias_on_every_key_or_on_none_changes_nothing(kernel):
    """Weighting every key alike cancels in the softmax; an empty span (the past of a stream's first block) weighs
    nothing."""
    q, k, v = qkv(9, 21, 16, torch.float32, seed=3)
    plain = masked_softmax(q, k, v, 0, 0, 1.0)
    for start, end in ((0, 21), (0, 40), (7, 7), (21, 30)):
        got = biased_attention(q, k, v, start, end, torch.tensor(math.log(0.2)), kernel)
        torch.testing.assert_close(got.double(), plain, atol=3e-5, rtol=3e-5)


def test_a_key_bias_takes_any_span_of_offsets_empty_ones_too():
    for start, end in ((0, 0), (7, 7), (0, 9), (3, 40)):
        assert (KeyBias(start, end, 0.3).start, KeyBias(start, end, 0.3).end) == (start, end)
    for start, end in ((5, 4), (-1, 3)):
        with pytest.raises(ValueError, match=f"biased keys \\[{start}, {end}\\) is not a span of offsets"):
            KeyBias(start, end, 0.3)


def test_the_bias_weighs_the_span_and_not_its_neighbours():
    """Moving the span by one key changes the output: the bias lands on [start, end), not a key before or after."""
    q, k, v = qkv(6, 30, 16, torch.float32, seed=5)
    got = biased_attention(q, k, v, 10, 20, torch.tensor(math.log(0.1)), "math")
    for start, end in ((9, 20), (11, 20), (10, 19), (10, 21)):
        assert (got.double() - masked_softmax(q, k, v, start, end, 0.1)).abs().max() > 1e-3


# --- the KV cache -----------------------------------------------------------------------------------------------
def block_causal_bias_mask(tokens, bias):
    """The additive mask of context (3 latents) + block (3): the context sees itself only; the block sees all,
    with log(bias) on the context's latents 1 and 2."""
    mask = torch.zeros(6 * tokens, 6 * tokens)
    mask[:3 * tokens, 3 * tokens:] = -math.inf
    mask[3 * tokens:, tokens:3 * tokens] = math.log(bias)
    return mask


@torch.no_grad()
def test_a_rolling_kv_cache_holds_what_one_pass_from_nothing_puts_there():
    """Blocks made as a stream makes them, in one cache kept throughout: its context rolls (the first latent and
    the last two made), the bias changes, each block takes several passes. After every block the cache holds what one
    masked pass over context + block writes into an empty cache, and the last pass gives that pass's block output."""
    h, w = 4, 6
    model = init_random_(CausalWanModel(CFG), 1).eval()
    tokens = model.tokens_per_frame(h, w)
    gen = torch.Generator().manual_seed(1)
    text = model.text_kv(torch.randn(1, 512, 32, generator=gen))
    cache = KVCache(CFG, 1, 6 * tokens, torch.float32, "cpu")
    made = [torch.randn(1, 16, 3, h, w, generator=gen)]
    for block, bias in enumerate((0.3, 1.0, 0.05, 0.7)):
        context = torch.cat([made[0][:, :, :1], made[-1][:, :, -2:]], dim=2)
        model(context, torch.zeros(1, 3), text, cache=cache)
        for t in (900.0, 500.0, 0.0):
            x = torch.randn(1, 16, 3, h, w, generator=gen)
            out = model(x, torch.full((1, 3), t), text, frame_start=3, cache=cache, cache_start=3 * tokens,
                        key_bias=KeyBias(tokens, 3 * tokens, bias))
        fresh = KVCache(CFG, 1, 6 * tokens, torch.float32, "cpu")
        times = torch.tensor([[0.0] * 3 + [t] * 3])
        want = model(torch.cat([context, x], dim=2), times, text, cache=fresh,
                     mask=block_causal_bias_mask(tokens, bias))
        torch.testing.assert_close(cache.k, fresh.k, atol=1e-5, rtol=1e-4, msg=lambda m: f"block {block}: {m}")
        torch.testing.assert_close(cache.v, fresh.v, atol=1e-5, rtol=1e-4, msg=lambda m: f"block {block}: {m}")
        torch.testing.assert_close(out, want[:, :, 3:], atol=1e-5, rtol=1e-4)
        made.append(out)


# --- a stream's journey: input, bias, a prompt change, a reset ----------------------------------------------------
W, H = 64, 32
PROMPT, OTHER = "a neon city", "a quiet forest"


def odd_clip(n=5, w=37, h=23, seed=0):
    return np.random.default_rng(seed).integers(0, 256, size=(n, h, w, 3), dtype=np.uint8)


def new_stream(engine, prompt=PROMPT):
    return engine.stream(prompt, seed=11, width=W, height=H, input=odd_clip(), strength=0.6, bias=0.3)


@pytest.fixture(scope="module")
def journey(tiny_engine):
    """3 blocks, a prompt change, 1 block, a reset, 2 blocks; each block's frames, the model calls made in it and
    the KV cache after it."""
    model = tiny_engine.model
    forward = model.forward
    calls = []

    def spy(x, t, text, frame_start=0, cache=None, cache_start=0, mask=None, key_bias=None):
        calls[-1].append(dict(x=x.clone(), t=t.clone(), text=text, frame_start=frame_start, cache_start=cache_start,
                              key_bias=key_bias))
        return forward(x, t, text, frame_start=frame_start, cache=cache, cache_start=cache_start, mask=mask,
                       key_bias=key_bias)

    vars(model)["forward"] = spy
    try:
        s = new_stream(tiny_engine)
        made = []
        for step in ("block", "block", "block", "prompt", "block", "reset", "block", "block"):
            if step == "prompt":
                s.set_prompt(OTHER, transition=3)
            elif step == "reset":
                s.reset()
            else:
                calls.append([])
                frames = s.next_block()
                made.append((frames, calls[-1], s._cache.k.clone(), s._cache.v.clone(), s._tokens))
    finally:
        vars(model).pop("forward")
    return made


@torch.no_grad()
def test_a_streams_kv_cache_after_each_block_is_built_from_that_block_alone(tiny_engine, journey):
    """Through input, bias, a prompt change (the recompute under the text before it) and a reset: the keys a block's
    passes attend to hold exactly what that block's own recompute and last pass write into an empty cache."""
    model = tiny_engine.model
    for n, (_, calls, k, v, tokens) in enumerate(journey):
        fresh = KVCache(model.cfg, 1, k.shape[2], k.dtype, "cpu")
        later = calls[-1]["cache_start"] > 0  # a later block: its recompute came first
        for c in ([calls[0]] if later else []) + [calls[-1]]:
            model(c["x"], c["t"], c["text"], frame_start=c["frame_start"], cache=fresh, cache_start=c["cache_start"],
                  key_bias=c["key_bias"])
        used = calls[-1]["cache_start"] + 3 * tokens  # a first block's passes attend to its own 3 latents only
        assert torch.equal(k[:, :, :used], fresh.k[:, :, :used]), f"block {n}: keys"
        assert torch.equal(v[:, :, :used], fresh.v[:, :, :used]), f"block {n}: values"


def test_a_reset_mid_transition_gives_a_fresh_streams_frames_on_the_new_prompt(tiny_engine, journey):
    """Same seed, same input, same bias: the frames after a reset are those of a stream started on the prompt the
    transition was heading for."""
    fresh = new_stream(tiny_engine, OTHER)
    after = [frames for frames, *_ in journey[4:]]
    for n, frames in enumerate(after):
        assert np.array_equal(frames, fresh.next_block()), f"block {n} after the reset"
    before = [frames for frames, *_ in journey[:3]]
    assert not np.array_equal(before[1], after[1])  # the prompt shows: the equality above says something


def test_a_bias_set_during_a_block_waits_for_the_next_one(tiny_engine, monkeypatch):
    """As a control thread may: the bias set while block 1 denoises leaves that block as it was, and the next
    block is the one a stream changed between the blocks makes."""
    steady = tiny_engine.stream(PROMPT, seed=4, width=W, height=H, bias=0.3)
    want = [steady.next_block(), steady.next_block()]
    steady.bias = 0.05
    want.append(steady.next_block())

    live = tiny_engine.stream(PROMPT, seed=4, width=W, height=H, bias=0.3)
    model, forward, seen = tiny_engine.model, tiny_engine.model.forward, []

    def spy(x, t, text, **kw):
        seen.append(kw.get("key_bias"))
        if live.block_index == 1 and len(seen) == 2:  # block 1's recompute, then its first pass: the knob turns
            live.bias = 0.05
        return forward(x, t, text, **kw)

    got = [live.next_block()]
    seen.clear()
    monkeypatch.setitem(vars(model), "forward", spy)
    got += [live.next_block(), live.next_block()]
    assert live.bias == 0.05 and {kb.bias for kb in seen if kb is not None} == {0.3, 0.05}
    for n, (a, b) in enumerate(zip(got, want)):
        assert np.array_equal(a, b), f"block {n}"


# --- video input ------------------------------------------------------------------------------------------------
def test_an_array_clip_of_any_length_loops_its_frames_from_any_start():
    rng = random.Random(2)
    for n in (1, 2, 3, 5, 7, 13):
        frames = odd_clip(n, w=W, h=H, seed=n)  # already the stream's size: fitting leaves them as they are
        clip = ArrayClip(frames, W, H)
        assert len(clip) == n
        for _ in range(5):
            start, count = rng.randint(0, 40), rng.choice([1, 9, 12, 13])
            got = clip.frames(start, count)
            want = np.stack([frames[(start + i) % n] for i in range(count)])
            assert got.dtype == np.uint8 and np.array_equal(got, want), (n, start, count)


@pytest.mark.parametrize("fit", ["crop", "letterbox", "stretch"])
@pytest.mark.parametrize("w, h", [(37, 23), (1, 1), (113, 9), (16, 200)])
def test_a_clip_or_image_of_odd_size_is_fitted_to_the_stream(fit, w, h):
    for source in (odd_clip(3, w, h), odd_clip(1, w, h)[0]):
        clip = ArrayClip(source, W, H, fit)
        frames = clip.frames(7, 13)
        check_frames(frames, 13, W, H)  # what the stream asks of a source
        assert np.array_equal(frames[0], frames[len(clip)])  # looped


def test_to_rgb_is_the_vae_layout_in_minus_one_to_one():
    frames = odd_clip(3, W, H)
    rgb = to_rgb(frames, torch.device("cpu"))
    assert rgb.shape == (1, 3, 3, H, W) and rgb.dtype == torch.float32
    want = torch.from_numpy(frames.astype(np.float64) / 127.5 - 1.0)  # [n, H, W, 3]
    torch.testing.assert_close(rgb[0].permute(1, 2, 3, 0).double(), want, atol=1e-6, rtol=0)
    assert rgb.min() >= -1.0 and rgb.max() <= 1.0


def test_to_rgb_takes_read_only_frames_without_a_warning(monkeypatch):
    """A live source may hand frames over bytes it received (np.frombuffer: read-only); PyTorch warns on those (once
    a process, so the test also watches what reaches it)."""
    frames = odd_clip(2, W, H)
    frozen = np.frombuffer(frames.tobytes(), np.uint8).reshape(frames.shape)
    assert not frozen.flags.writeable
    handed, from_numpy = [], torch.from_numpy
    monkeypatch.setattr(torch, "from_numpy", lambda a: handed.append(a.flags.writeable) or from_numpy(a))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rgb = to_rgb(frozen, torch.device("cpu"))
    assert handed == [True]
    torch.testing.assert_close(rgb, to_rgb(frames, torch.device("cpu")), atol=0, rtol=0)


@pytest.mark.parametrize("frames, fragment", [
    (np.zeros((9, H, W), np.uint8), "not RGB frames [9, 32, 64, 3]"),
    ([[0]], "gave list of shape None"),
    (np.zeros((9, H + 1, W, 3), np.uint8), "gave 64x33 frames for the stream's 64x32"),
    (np.zeros((9, H, W - 1, 3), np.uint8), "gave 63x32 frames for the stream's 64x32"),
    (np.zeros((8, H, W, 3), np.uint8), "gave 8 frames where the stream asked for 9"),
    (np.zeros((10, H, W, 3), np.uint8), "gave 10 frames where the stream asked for 9"),
    (np.zeros((9, H, W, 3), np.float32), "gave float32 frames, not uint8"),
])
def test_a_sources_wrong_frames_are_named_by_what_is_wrong(frames, fragment):
    with pytest.raises(ValueError, match=None) as err:
        check_frames(frames, 9, W, H)
    assert fragment in str(err.value)


# --- the timesteps ----------------------------------------------------------------------------------------------
def test_every_step_count_the_controls_allow_follows_kreas_float32_rule():
    """Krea's schedule: grid points linspace(strength·1000, 0, steps) in float32, truncated; the timestep is the
    shift-5 table's at 1000 − point (a 0 past its end). Exact division would put some middle points of 15 steps
    and more one grid point higher (15 steps at 0.51: 255 where Krea's float32 gives 254)."""
    sigmas = torch.linspace(1.0, 0.0, 1001, dtype=torch.float32)[:1000]
    table = torch.cat((1000 * (5 * sigmas / (1 + 4 * sigmas)), torch.zeros(1)))
    wrong = []
    for steps in range(1, 51):
        for k in range(101):
            points = torch.linspace(k / 100 * 1000, 0, steps, dtype=torch.float32).long()
            want = table[1000 - points].tolist()
            got = [p.t for p in denoising_passes(steps, 5.0, k / 100)]
            if got != pytest.approx(want, abs=1e-3):
                wrong.append((steps, k / 100))
    assert not wrong, f"{len(wrong)} (steps, strength) pairs off Krea's rule, as {wrong[:5]}"
