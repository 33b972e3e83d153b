"""Engine behaviours that a mutation pass found unwatched, each held to a plain reference written here from the
model's facts (Wan's RoPE tables, Krea's video-to-video noising, the prompt blend's rule), never to vcam's own code
run a second time."""
import numpy as np
import torch

from test_stream_rules import OTHER_PROMPT, PROMPT, recompute_and_denoise, watch_stream

THIRD_PROMPT = "a snowy pine forest under a green aurora"


# --- RoPE tables ------------------------------------------------------------------------------------------------
def wan_rope_cos(head_dim: int, frames: range, h: int, w: int) -> torch.Tensor:
    """Wan's rope_params per axis (theta 10000, head_dim split frame/height/width as d - 4·(d//6), 2·(d//6),
    2·(d//6)); every token's angles, each cosine given to both members of its pair: [L, 1, head_dim]."""
    hw = 2 * (head_dim // 6)
    split = (head_dim - 2 * hw, hw, hw)
    inv = [1.0 / 10000.0 ** (torch.arange(0, d, 2, dtype=torch.float64) / d) for d in split]
    rows = []
    for f in frames:
        for y in range(h):
            for x in range(w):
                rows.append(torch.cat([f * inv[0], y * inv[1], x * inv[2]]))
    return torch.stack(rows).cos().repeat_interleave(2, dim=-1)[:, None]


def test_the_rope_tables_of_a_later_frame_start_are_its_own_after_frame_0s_of_the_same_shape(tiny_engine):
    # A stream asks for two tables of the same shape: the recompute's at frames 0..2 and the passes' at 3..5. A
    # table kept per shape without its frame start would rotate the new block as if it were the context.
    model = tiny_engine.model
    h, w = 3, 5  # a shape no other test asks for, so both tables are built here
    model.rope_tables(0, 3, h, w)
    cos, _ = model.rope_tables(3, 3, h, w)
    expected = wan_rope_cos(model.cfg.head_dim, range(3, 6), h, w)
    torch.testing.assert_close(cos.double(), expected, atol=1e-6, rtol=0)


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
