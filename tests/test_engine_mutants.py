"""Engine behaviours that a mutation pass found unwatched, each held to a plain reference written here from the
model's facts (Krea's video-to-video noising, the prompt blend's rule), never to vcam's own code run twice."""
import numpy as np
import torch

from test_stream_rules import OTHER_PROMPT, PROMPT, recompute_and_denoise, watch_stream

THIRD_PROMPT = "a snowy pine forest under a green aurora"


# --- video to video at strength 0 ----------------------------------------------------------------------------------
def test_at_strength_0_every_pass_starts_from_the_input_latents_themselves(tiny_engine):
    # Krea: noisy_input = latents·(1 − σ0) + ε·σ0 with σ0 = the first timestep / 1000; strength 0 puts that timestep
    # at 0, so the block starts from its input latents, no noise mixed in (the pass's own sigma is the grid's
    # smallest, not 0: using it would mix in noise).
    rng = np.random.default_rng(5)
    clip = rng.integers(0, 256, size=(24, tiny_engine.spec.height, tiny_engine.spec.width, 3), dtype=np.uint8)
    log, _ = watch_stream(tiny_engine, 2, input=clip, strength=0.0)
    for block in log:
        _, passes = recompute_and_denoise(block)
        (_, latents), = block.inputs
        assert torch.equal(passes[0].x, latents)


# --- prompt changes -------------------------------------------------------------------------------------------------
def block_embeddings(log, sources) -> list[torch.Tensor]:
    return [sources[id(recompute_and_denoise(block)[1][0].text)] for block in log]


def test_a_change_during_a_transition_blends_from_the_embedding_on_screen(tiny_engine):
    # Two blocks into PROMPT -> OTHER_PROMPT (weights 1/4, 2/4) a third prompt arrives: its blend starts from what
    # the last block used, lerp(old, other, 1/2), not from OTHER_PROMPT (a jump the operator never asked for).
    def changes(b, stream):
        if b == 1:
            stream.set_prompt(OTHER_PROMPT, transition=4)
        if b == 3:
            stream.set_prompt(THIRD_PROMPT, transition=4)

    log, sources = watch_stream(tiny_engine, 4, before_block=changes)
    old, other, third = (tiny_engine.text.encode(p) for p in (PROMPT, OTHER_PROMPT, THIRD_PROMPT))
    on_screen = torch.lerp(old, other, 0.5)
    expected = [old, torch.lerp(old, other, 0.25), on_screen, torch.lerp(on_screen, third, 0.25)]
    for b, (got, want) in enumerate(zip(block_embeddings(log, sources), expected)):
        torch.testing.assert_close(got, want, atol=1e-5, rtol=0, msg=lambda m: f"block {b}: {m}")


def test_a_reset_during_a_transition_starts_on_the_new_prompt(tiny_engine):
    def change_then_reset(b, stream):
        if b == 1:
            stream.set_prompt(OTHER_PROMPT, transition=4)
        if b == 2:
            stream.reset()

    log, sources = watch_stream(tiny_engine, 3, before_block=change_then_reset)
    other = tiny_engine.text.encode(OTHER_PROMPT)
    for b, got in enumerate(block_embeddings(log, sources)[2:], start=2):
        torch.testing.assert_close(got, other, atol=1e-6, rtol=0, msg=lambda m: f"block {b}: {m}")
    assert recompute_and_denoise(log[2])[0] is None  # the reset's block is a first block: no recompute


def test_a_clip_plays_on_under_a_text_only_first_block_by_the_9_frames_it_would_have_encoded(tiny_engine):
    # Block 0 encodes 9 frames (Krea: 9 into 3 latents from a fresh encoder), every later block 12. A first block
    # made text only (strength 1) still moves the clip by its 9, so the encoder, starting fresh in block 1 on 13
    # frames (the first only priming it), reads frames 9..21.
    rng = np.random.default_rng(6)
    clip = rng.integers(0, 256, size=(40, tiny_engine.spec.height, tiny_engine.spec.width, 3), dtype=np.uint8)

    def text_only_first(b, stream):
        stream.strength = 1.0 if b == 0 else 0.5

    log, _ = watch_stream(tiny_engine, 2, input=clip, strength=1.0, before_block=text_only_first)
    assert log[0].inputs == []
    (rgb, _), = log[1].inputs
    expected = torch.from_numpy(clip[9:22]).permute(3, 0, 1, 2)[None].double() / 127.5 - 1.0
    torch.testing.assert_close(rgb.double(), expected, atol=1e-6, rtol=0)
