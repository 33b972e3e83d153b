"""Video-to-video with the tiny model: the input changes the frames, deterministically; strength 1.0 is text only;
strength and input changes apply at the next block; the source is asked for 9 frames at the start, 13 where the
encoder restarts, then 12; failures retry."""
import numpy as np
import pytest

W, H = 64, 32  # small: each block is quick on a CPU


def clip(n=40, seed=0, w=W, h=H):
    """A moving picture: a gradient sliding sideways plus a little fixed noise."""
    rng = np.random.default_rng(seed)
    t, y, x = np.meshgrid(np.arange(n), np.arange(h), np.arange(w), indexing="ij")
    x = x + 3 * t + rng.integers(0, 40)
    y = y * (2 + seed)
    base = np.stack([(4 * x) % 256, (3 * y) % 256, (x + y) % 256], axis=-1)
    return np.clip(base + rng.integers(-20, 20, size=(1, h, w, 3)), 0, 255).astype(np.uint8)


def stream(engine, **kwargs):
    return engine.stream("a neon city", seed=kwargs.pop("seed", 3), width=W, height=H, **kwargs)


def blocks(s, n):
    return [s.next_block() for _ in range(n)]


def diff(a, b):
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


class Recorder:
    """A frame source that records what it is asked, over a clip; `fail_at` raises once on that call."""

    def __init__(self, frames, fail_at=None, size=None):
        self.clip, self.calls, self.fail_at, self.size = frames, [], fail_at, size

    def frames(self, start, count):
        self.calls.append((start, count))
        if len(self.calls) == self.fail_at:
            raise OSError("the capture device went away (pretend)")
        out = self.clip[(start + np.arange(count)) % len(self.clip)]
        if self.size is not None:
            out = np.zeros((count, self.size[1], self.size[0], 3), np.uint8)
        return out

    def status(self):
        return f"in test: {len(self.calls)} calls"


class LiveRecorder(Recorder):
    """A live source: it is told to restart (forget what waited) where the stream's encoder starts fresh."""

    def restart(self):
        self.calls.append("restart")


@pytest.fixture(scope="module")
def text_only(tiny_engine):
    return blocks(stream(tiny_engine), 4)


@pytest.fixture(scope="module")
def with_clip(tiny_engine):
    return blocks(stream(tiny_engine, input=clip()), 4)


def test_the_input_shapes_the_frames_and_two_clips_differ(tiny_engine, text_only, with_clip):
    """The tiny model's random VAE passes little of a picture through (inverting a clip moves its latents by about
    0.01), so two clips differ by a level or so, and more as the stream goes on."""
    other = blocks(stream(tiny_engine, input=clip(seed=1)), 4)
    assert [b.shape for b in with_clip] == [(6, H, W, 3)] + [(12, H, W, 3)] * 3
    assert not any(np.array_equal(a, b) for a, b in zip(with_clip, other))
    assert diff(with_clip[2], other[2]) > 0.5 and diff(with_clip[3], other[3]) > 0.5
    assert all(diff(a, b) > 1.0 for a, b in zip(with_clip, text_only))


def test_the_same_clip_and_seed_give_the_same_frames(tiny_engine, with_clip):
    assert same(blocks(stream(tiny_engine, input=clip()), 4), with_clip)
    # a seed of its own: the noise mixed into the input is the stream's, not a fixed one
    assert all(diff(a, b) > 0.5 for a, b in zip(blocks(stream(tiny_engine, input=clip(), seed=4), 4), with_clip))


def test_strength_one_skips_the_encode_and_gives_the_text_only_frames(tiny_engine, text_only):
    source = Recorder(clip(seed=2))
    assert same(blocks(stream(tiny_engine, input=source, strength=1.0), 4), text_only)
    assert source.calls == []  # nothing taken from the source, nothing encoded


def test_a_strength_change_applies_at_the_next_block(tiny_engine, with_clip):
    s = stream(tiny_engine, input=clip())
    first = blocks(s, 2)
    s.strength = 0.3
    changed = s.next_block()
    assert same(first, with_clip[:2])
    assert diff(changed, with_clip[2]) > 1.0
    assert s.strength == 0.3 and s.settings.strength == 0.3


def test_the_source_is_asked_for_9_frames_at_the_start_13_where_the_encoder_restarts_then_12(tiny_engine):
    source = Recorder(clip())
    s = stream(tiny_engine, input=source, strength=0.5)
    blocks(s, 3)
    assert source.calls == [(0, 9), (9, 12), (21, 12)]
    s.strength = 1.0
    s.next_block()  # text only: nothing taken, but the clip plays on by the block's 12 frames
    s.strength = 0.0  # back under 1.0: the encoder starts fresh; 0 keeps the input as it is
    blocks(s, 2)
    assert source.calls[3:] == [(45, 13), (58, 12)]
    s.reset()
    s.next_block()
    other = Recorder(clip(seed=1))
    s.set_input(other)
    s.next_block()
    assert source.calls[5:] == [(0, 9)] and other.calls == [(0, 13)]
    assert s.input_status() == "in test: 1 calls"
    s.set_input(None)
    assert s.input_status() is None
    s.next_block()
    assert other.calls == [(0, 13)]


def test_a_live_source_restarts_where_the_encoder_starts_so_a_block_never_spans_a_pause(tiny_engine):
    """After the model load, or blocks at strength 1.0 that took nothing, a live source's waiting frames are old:
    the first block that encodes takes what arrives from then on."""
    source = LiveRecorder(clip())
    s = stream(tiny_engine, input=source, strength=0.5)
    blocks(s, 2)
    s.strength = 1.0
    s.next_block()
    s.strength = 0.5
    s.next_block()
    assert source.calls == ["restart", (0, 9), (9, 12), "restart", (33, 13)]


def test_an_image_is_the_input_of_every_block(tiny_engine):
    image = clip(n=1, seed=5, w=90, h=70)[0]  # any size: fitted by crop
    a = blocks(stream(tiny_engine, input=image), 3)
    from vcam.live.frames import fit

    fitted = fit(image, W, H, "crop")
    b = blocks(stream(tiny_engine, input=np.repeat(fitted[None], 5, axis=0)), 3)
    assert same(a, b)
    s = stream(tiny_engine)
    s.set_input(image, fit="stretch")
    assert not any(np.array_equal(x, y) for x, y in zip(blocks(s, 2), a))


@pytest.mark.parametrize("fail_at", [1, 3])
def test_a_source_that_fails_once_leaves_the_stream_as_it_was(tiny_engine, with_clip, fail_at):
    source = Recorder(clip(), fail_at=fail_at)
    s = stream(tiny_engine, input=source)
    got = []
    for _ in range(4):
        try:
            got.append(s.next_block())
        except OSError:
            got.append(s.next_block())
    assert same(got, with_clip)
    assert source.calls[fail_at - 1] == source.calls[fail_at]  # the retry asked for the same frames


def test_a_block_failing_after_its_encode_leaves_the_encoder_as_it_was(tiny_engine, with_clip):
    """Out of memory in a denoising pass after the input was taken and encoded: the retry takes the same frames
    and encodes them from the same cache."""
    s = stream(tiny_engine, input=clip())
    real, calls = s._pass, {"n": 0}

    def flaky(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 11:  # block 2's recompute is call 10: this is its first denoising pass
            raise RuntimeError("CUDA out of memory (pretend)")
        return real(*args, **kwargs)

    s._pass = flaky
    got = []
    for _ in range(4):
        try:
            got.append(s.next_block())
        except RuntimeError:
            got.append(s.next_block())
    assert calls["n"] > 11 and same(got, with_clip)


def test_a_warmed_up_stream_starts_the_clip_again(tiny_engine, with_clip):
    s = stream(tiny_engine, input=clip())
    s.warm_up()
    assert same(blocks(s, 4), with_clip)


def test_a_source_of_the_wrong_size_is_a_clear_error(tiny_engine):
    s = stream(tiny_engine, input=Recorder(clip(), size=(80, 48)))
    with pytest.raises(ValueError, match="80x48 frames for the stream's 64x32"):
        s.next_block()

    class Short(Recorder):
        def frames(self, start, count):
            return super().frames(start, count)[:-1]

    with pytest.raises(ValueError, match="8 frames where the stream asked for 9"):
        stream(tiny_engine, input=Short(clip())).next_block()


def test_bad_inputs_are_refused_and_change_nothing(tiny_engine):
    s = stream(tiny_engine, strength=0.4)
    with pytest.raises(TypeError, match="frame source"):
        s.set_input([1, 2, 3])
    with pytest.raises(ValueError, match="uint8"):
        s.set_input(np.zeros((4, 8, 8, 3), np.float32))
    with pytest.raises(ValueError, match=r"\[n, h, w, 3\]"):
        s.set_input(np.zeros((4, 8, 8), np.uint8))
    with pytest.raises(ValueError, match="unknown fit"):
        s.set_input(clip(), fit="zoom")
    with pytest.raises(ValueError, match="strength must be from 0"):
        s.set_input(clip(), strength=1.5)
    with pytest.raises(ValueError, match="strength must be from 0"):
        s.strength = -0.1
    assert s.strength == 0.4 and s._source is None
    with pytest.raises(ValueError, match="strength"):
        stream(tiny_engine, strength=2.0)
