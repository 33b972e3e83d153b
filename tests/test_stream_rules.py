"""The first blocks of a Stream held to the streaming rules of Krea's released code (github.com/krea-ai/realtime-video).

Every rule here is written from Krea's code, cited where it is defined, and checked on the tiny model by watching
vcam at its boundaries only: the transformer's forward (input latents, timesteps, RoPE frame start, KV-cache
offset, text K/V object and the flow it returns), its RoPE table lookup, the text K/V builder, the VAE frame
encoder, the streaming decoder (and the VAE decoder it drives), and the Gaussian noise drawn with `torch.randn`.
Nothing below derives a value from vcam's own schedule or context code.

Krea sources (file: function):
  release_server.py (commit 54e011d): GenerationSession.generate_block_internal, recompute_kv_cache,
      process_webcam_frames, get_clean_context_frames, init_models, interpolate_prompt_embeds, ws_session
  v2v.py: get_denoising_schedule, encode_video_latent
  wan/modules/causal_model.py: CausalWanSelfAttention.forward, causal_rope_apply
  utils/wan_wrapper.py: WanDiffusionWrapper._convert_flow_pred_to_x0
  utils/scheduler.py: FlowMatchScheduler.set_timesteps / add_noise (Self-Forcing's, which Krea imports)
  demo_utils/vae_block3.py: VAEDecoderWrapper.forward, Resample.forward (Self-Forcing's streaming Wan VAE)
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest
import torch

PROMPT = "a lighthouse on a cliff at dusk, waves breaking below"
OTHER_PROMPT = "a crowded night market lit by paper lanterns"

# release_server.py GenerationSession.__init__ / GenerateParams: kv_cache_num_frames = 3, num_frame_per_block = 3,
# frame_context_cache = deque(maxlen=1 + (kv_cache_num_frames - 1) * 4) of decoded RGB frames.
KV_CACHE_NUM_FRAMES = 3
FRAMES_PER_BLOCK = 3
FRAME_CONTEXT_CACHE = 1 + (KV_CACHE_NUM_FRAMES - 1) * 4  # 9
# release_server.py GenerateParams.timestep_shift = 5.0; init_models builds the scheduler with it, and
# load_transformer gives the wrapper's own scheduler (the one _convert_flow_pred_to_x0 reads) config.timestep_shift,
# 5.0 in configs/self_forcing_server_14b.yaml.
SHIFT = 5.0
# ws_session: a new prompt is blended in with session.interpolate_prompt_embeds(models, prompt, 4).
KREA_INTERPOLATION_STEPS = 4
BLOCKS = 5


# --- Krea's timestep tables, written from its code -----------------------------------------------------------------
def krea_scheduler_tables() -> tuple[torch.Tensor, torch.Tensor]:
    """FlowMatchScheduler(shift=5, sigma_min=0, extra_one_step=True).set_timesteps(1000): sigmas, timesteps."""
    sigmas = torch.linspace(1.0, 0.0, 1000 + 1)[:-1]  # extra_one_step: linspace(sigma_start, sigma_min, n + 1)[:-1]
    sigmas = SHIFT * sigmas / (1 + (SHIFT - 1) * sigmas)
    return sigmas, sigmas * 1000


def krea_denoising_steps(steps: int, strength: float = 1.0) -> torch.Tensor:
    """release_server.py init_models: zero_padded_timesteps = cat(scheduler.timesteps, [0]);
    v2v.py get_denoising_schedule: linspace(strength * 1000, 0, steps).to(long), then timesteps[1000 - that]."""
    _, timesteps = krea_scheduler_tables()
    padded = torch.cat((timesteps, torch.tensor([0.0])))
    index = torch.linspace(strength * 1000, 0, steps, dtype=torch.float32).to(torch.long)
    return padded[1000 - index]


def krea_sigma(t: float) -> float:
    """The sigma Krea pairs with timestep t, both to turn a flow into x0 (wan_wrapper.py _convert_flow_pred_to_x0)
    and to re-noise x0 (scheduler.py add_noise): sigmas[argmin |timesteps - t|]. For t = 0 that is the table's
    smallest sigma, not 0 (the table has no t = 0 entry)."""
    sigmas, timesteps = krea_scheduler_tables()
    return float(sigmas[torch.argmin((timesteps - t).abs())])


# --- watching a stream at its boundaries --------------------------------------------------------------------------
@dataclass
class Pass:
    x: torch.Tensor
    t: torch.Tensor
    text: object
    frame_start: int
    cache_start: int
    flow: torch.Tensor
    rope: list[tuple[int, int]] = field(default_factory=list)  # (first frame position, frames) looked up

    @property
    def positions(self) -> list[int]:
        assert len(self.rope) == 1, "one RoPE lookup per pass"
        start, frames = self.rope[0]
        return list(range(start, start + frames))


@dataclass
class Block:
    passes: list[Pass] = field(default_factory=list)
    encodes: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)  # (RGB frame in, latent out)
    decodes: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)  # (latents in, RGB out)
    vae_calls: list[tuple[int, int]] = field(default_factory=list)  # (latent frames in, RGB frames out)
    inputs: list[tuple[torch.Tensor, torch.Tensor]] = field(default_factory=list)  # video input: (RGB in, latents)
    noise: list[torch.Tensor] = field(default_factory=list)
    frames: np.ndarray | None = None

    @property
    def latents(self) -> torch.Tensor:
        """The block's latents as they went to the decoder."""
        return torch.cat([lat for lat, _ in self.decodes], dim=2)

    @property
    def rgb(self) -> torch.Tensor:
        """Every frame decoded from the block, [1, 3, n, H, W] in [-1, 1]."""
        return torch.cat([rgb for _, rgb in self.decodes], dim=2)


class _Patches:
    """Instance attributes set for the run and removed afterwards (module attributes restored)."""

    def __init__(self):
        self._undo = []

    def instance(self, obj, name, value):
        assert name not in vars(obj)
        vars(obj)[name] = value
        self._undo.append(lambda: vars(obj).pop(name))

    def module(self, mod, name, value):
        old = getattr(mod, name)
        setattr(mod, name, value)
        self._undo.append(lambda: setattr(mod, name, old))

    def undo(self):
        while self._undo:
            self._undo.pop()()


def watch_stream(engine, n_blocks, *, before_block=None, **stream_kwargs):
    """Runs n_blocks of a fresh stream and returns (blocks, embedding of each text K/V object the model built)."""
    model, vae = engine.model, engine.vae
    log: list[Block] = []
    kv_source: dict[int, tuple[object, torch.Tensor]] = {}
    patches = _Patches()
    forward, rope_tables, text_kv, vae_decoder = model.forward, model.rope_tables, model.text_kv, vae.decoder.forward
    randn = torch.randn

    def spy_forward(x, t, text, frame_start=0, cache=None, cache_start=0, mask=None):
        p = Pass(x.detach().clone(), t.detach().clone(), text, frame_start, cache_start, None)
        log[-1].passes.append(p)
        flow = forward(x, t, text, frame_start=frame_start, cache=cache, cache_start=cache_start, mask=mask)
        p.flow = flow.detach().clone()
        return flow

    def spy_rope(frame_start, frames, h, w):
        if log and log[-1].passes:
            log[-1].passes[-1].rope.append((frame_start, frames))
        return rope_tables(frame_start, frames, h, w)

    def spy_text_kv(emb):
        kv = text_kv(emb)
        kv_source[id(kv)] = (kv, emb.detach().clone())  # the object is kept, so its id stays its own
        return kv

    def spy_vae_decoder(x, *args, **kwargs):
        out = vae_decoder(x, *args, **kwargs)
        log[-1].vae_calls.append((x.shape[2], out.shape[2]))
        return out

    def spy_randn(*args, **kwargs):
        out = randn(*args, **kwargs)
        if log and kwargs.get("generator") is not None:
            log[-1].noise.append(out.clone())
        return out

    try:
        patches.instance(model, "forward", spy_forward)
        patches.instance(model, "rope_tables", spy_rope)
        patches.instance(model, "text_kv", spy_text_kv)
        patches.instance(vae.decoder, "forward", spy_vae_decoder)
        patches.module(torch, "randn", spy_randn)
        stream = engine.stream(PROMPT, seed=7, **stream_kwargs)
        encode, decode = stream._encoder.encode, stream._decoder.decode

        def spy_encode(frame):
            latent = encode(frame)
            log[-1].encodes.append((frame.detach().clone(), latent.detach().clone()))
            return latent

        def spy_decode(latents):
            rgb = decode(latents)
            log[-1].decodes.append((latents.detach().clone(), rgb.detach().clone()))
            return rgb

        input_encode = stream._input_encoder.encode

        def spy_input_encode(rgb):
            latents = input_encode(rgb)
            log[-1].inputs.append((rgb.detach().clone(), latents.detach().clone()))
            return latents

        patches.instance(stream._encoder, "encode", spy_encode)
        patches.instance(stream._decoder, "decode", spy_decode)
        patches.instance(stream._input_encoder, "encode", spy_input_encode)
        for b in range(n_blocks):
            if before_block is not None:
                before_block(b, stream)
            log.append(Block())
            log[-1].frames = stream.next_block()
    finally:
        patches.undo()
    return log, {key: emb for key, (_, emb) in kv_source.items()}


def tokens_per_frame(engine, x: torch.Tensor) -> int:
    _, ph, pw = engine.model.cfg.patch_size
    return (x.shape[-2] // ph) * (x.shape[-1] // pw)


def recompute_and_denoise(block: Block, steps: int = 4) -> tuple[Pass | None, list[Pass]]:
    """Splits a block's transformer calls: the recompute (at most one, before the denoising) and the passes."""
    if len(block.passes) == steps:
        return None, block.passes
    assert len(block.passes) == steps + 1, f"{len(block.passes)} transformer calls for {steps} steps"
    return block.passes[0], block.passes[1:]


@pytest.fixture(scope="module")
def run(tiny_engine):
    return watch_stream(tiny_engine, BLOCKS)[0]


@pytest.fixture(scope="module")
def changed(tiny_engine):
    """A prompt change issued after block 0, at Krea's interpolation length."""

    def change(b, stream):
        if b == 1:
            stream.set_prompt(OTHER_PROMPT, transition=KREA_INTERPOLATION_STEPS)

    return watch_stream(tiny_engine, KREA_INTERPOLATION_STEPS + 2, before_block=change)


# --- the KV-cache recompute ---------------------------------------------------------------------------------------
def test_block_0_has_no_recompute(run):
    # release_server.py recompute_kv_cache: `if self.block_idx == 0: ... else: return self.current_start_frame`
    # (no resume latents): no transformer call before block 0's denoising passes.
    recompute, passes = recompute_and_denoise(run[0])
    assert recompute is None
    assert all(p.x.shape[2] == FRAMES_PER_BLOCK for p in passes)
    assert run[0].encodes == []


def test_every_later_block_recomputes_the_cache_first(run):
    # generate_block_internal calls recompute_kv_cache (one transformer call over the clean context) before its
    # denoising loop, for every block_idx > 0.
    for block in run[1:]:
        recompute, passes = recompute_and_denoise(block)
        assert recompute is not None
        assert recompute.x.shape[2] == KV_CACHE_NUM_FRAMES
        assert all(p.x.shape[2] == FRAMES_PER_BLOCK for p in passes)


def test_block_1_context_is_the_first_latent_and_the_last_two_latents(run):
    # get_clean_context_frames: with (block_idx - 1) * num_frame_per_block < kv_cache_num_frames (block 1 only)
    # the context is cat(all_latents[:, :1], all_latents[:, 1:current_start][:, -2:]): the stream's first latent
    # and the last 2 generated latents. No VAE encode.
    recompute, _ = recompute_and_denoise(run[1])
    first, previous = run[0].latents[:, :, :1], run[0].latents
    expected = torch.cat([first, previous[:, :, -(KV_CACHE_NUM_FRAMES - 1):]], dim=2)
    assert torch.equal(recompute.x, expected)
    assert run[1].encodes == []


@pytest.mark.parametrize("b", [2, 3, 4])
def test_from_block_2_the_first_context_latent_re_encodes_the_oldest_kept_frame(run, b):
    # get_clean_context_frames, else branch (block_idx >= 2, keep_first_frame off): the first context latent is
    # encode_video_latent(vae_encoder, [None] * 55, frames=self.frame_context_cache[0][0]): a fresh VAE encode of
    # the oldest of the last 9 decoded frames (generate_block_internal extends frame_context_cache with every
    # decoded frame, block 0's three dropped ones included), followed by all_latents[:, 1:][:, -2:].
    recompute, _ = recompute_and_denoise(run[b])
    assert len(run[b].encodes) == 1
    frame_in, latent_out = run[b].encodes[0]
    decoded_so_far = torch.cat([blk.rgb for blk in run[:b]], dim=2)
    oldest_kept = decoded_so_far[:, :, -FRAME_CONTEXT_CACHE]
    assert torch.equal(frame_in, oldest_kept)
    # That is frame 3 of the previous block's 12: the last one of its first latent.
    assert torch.equal(frame_in, run[b - 1].rgb[:, :, 3])
    assert latent_out.shape[2] == 1
    assert torch.equal(recompute.x[:, :, :1], latent_out)
    assert torch.equal(recompute.x[:, :, 1:], run[b - 1].latents[:, :, -(KV_CACHE_NUM_FRAMES - 1):])


def test_the_re_encoded_frame_is_one_the_stream_showed(run):
    # The frame re-encoded before block 2 is block 1's decoded frame 3, which block 1 yields (only block 0 drops
    # frames): the context follows what was on screen.
    frame_in, _ = run[2].encodes[0]
    shown = run[1].frames[3].astype(np.float32)
    as_uint8 = ((frame_in[0].permute(1, 2, 0).float() + 1.0) * 127.5).numpy()
    assert np.abs(as_uint8 - shown).max() <= 1.0


def test_pinned_first_latent_keeps_the_streams_first_latent(tiny_engine):
    # get_clean_context_frames: with params.keep_first_frame the first branch is taken for every block:
    # the stream's first latent stays the first context latent, and nothing is re-encoded.
    log, _ = watch_stream(tiny_engine, 4, pin_first_latent=True)
    first = log[0].latents[:, :, :1]
    for b in (1, 2, 3):
        recompute, _ = recompute_and_denoise(log[b])
        assert log[b].encodes == []
        assert torch.equal(recompute.x[:, :, :1], first)
        assert torch.equal(recompute.x[:, :, 1:], log[b - 1].latents[:, :, 1:])


def test_recompute_runs_at_t0_on_rope_frames_0_to_2_from_cache_slot_0(run, tiny_engine):
    # recompute_kv_cache: context_timestep = ones([1, 3], int64) * 0; the call sets a block mask, so
    # causal_model.py CausalWanSelfAttention.forward takes its `block_mask is not None` branch: plain rope_apply
    # (frames from 0) and kv_cache["k"][:, :local_end_index] = keys, i.e. the cache refilled from slot 0.
    for block in run[1:]:
        recompute, _ = recompute_and_denoise(block)
        assert torch.equal(recompute.t, torch.zeros(1, KV_CACHE_NUM_FRAMES))
        assert recompute.positions == [0, 1, 2]
        assert recompute.frame_start == 0 and recompute.cache_start == 0


def test_new_block_denoises_on_rope_frames_3_to_5_after_the_context(run, tiny_engine):
    # recompute_kv_cache returns model_input_start_frame = min(current_start_frame, kv_cache_num_frames) = 3 for
    # every block after the first; the denoising calls pass current_start = 3 * frame_seq_length, and
    # causal_rope_apply(start_frame = current_start // frame_seqlen) rotates them at frames 3..5, their K/V going
    # to the cache right after the context's. Block 0: current_start 0, frames 0..2.
    for b, block in enumerate(run):
        _, passes = recompute_and_denoise(block)
        tokens = tokens_per_frame(tiny_engine, passes[0].x)
        start = 0 if b == 0 else KV_CACHE_NUM_FRAMES
        for p in passes:
            assert p.positions == [start, start + 1, start + 2]
            assert p.frame_start == start
            assert p.cache_start == start * tokens


# --- the denoising passes -----------------------------------------------------------------------------------------
def test_krea_four_step_table():
    # The values the rules below hold vcam to (from Krea's tables above): t ~ 1000, 908.8, 714.0, 0, and the
    # sigma paired with t = 0 is the table's smallest, 5 * 0.001 / (1 + 4 * 0.001).
    t = krea_denoising_steps(4)
    assert torch.allclose(t, torch.tensor([1000.0, 908.84, 713.98, 0.0]), atol=0.01)
    assert krea_sigma(0.0) == pytest.approx(0.005 / 1.004, rel=1e-4)
    assert krea_sigma(1000.0) == 1.0


def test_denoising_timesteps_for_4_steps(run):
    # generate_block_internal: for each t of denoising_step_list (v2v.py get_denoising_schedule),
    # timestep = ones([1, num_frame_per_block]) * t: the same t for the block's 3 frames.
    expected = krea_denoising_steps(4)
    for block in run:
        _, passes = recompute_and_denoise(block)
        got = torch.stack([p.t for p in passes])  # [4, 1, 3]
        assert got.shape == (4, 1, FRAMES_PER_BLOCK)
        assert torch.allclose(got, expected[:, None, None].expand_as(got), atol=0.01)


@pytest.mark.parametrize("steps", [1, 2, 3, 6])
def test_denoising_timesteps_for_other_step_counts(tiny_engine, steps):
    log, _ = watch_stream(tiny_engine, 1, steps=steps)
    _, passes = recompute_and_denoise(log[0], steps)
    got = torch.tensor([float(p.t[0, 0]) for p in passes])
    assert torch.allclose(got, krea_denoising_steps(steps), atol=0.01)


def test_first_pass_starts_from_pure_noise(run):
    # Text to video (strength 1): noisy_input = self.noise[:, block frames], standard Gaussian noise, unscaled.
    for block in run:
        _, passes = recompute_and_denoise(block)
        # per block Krea draws the block's noise (up front, for all blocks) and one randn per re-noising
        assert len(block.noise) == 4
        assert torch.equal(passes[0].x, block.noise[0])


def test_x0_is_re_noised_to_the_next_passes_sigma(run):
    # generate_block_internal: denoised_pred = x_t - sigma(t) * flow (wan_wrapper.py _convert_flow_pred_to_x0),
    # then noisy_input = scheduler.add_noise(denoised_pred, fresh randn, next_t) = (1 - s) * x0 + s * noise with
    # s = sigma(next_t), the table's sigma for the next timestep, its smallest (not 0) before the t = 0 pass.
    steps = krea_denoising_steps(4)
    for block in run:
        _, passes = recompute_and_denoise(block)
        for i in range(3):
            x0 = passes[i].x - krea_sigma(float(steps[i])) * passes[i].flow
            s = krea_sigma(float(steps[i + 1]))
            expected = (1 - s) * x0 + s * block.noise[i + 1]
            assert torch.allclose(passes[i + 1].x, expected, atol=1e-5), f"re-noise before pass {i + 2}"


def test_block_latents_are_the_last_passes_x0(run):
    # After the last pass (t = 0) denoised_pred, x_t - sigma * flow with the table's smallest sigma, is stored in
    # all_latents and decoded.
    for block in run:
        _, passes = recompute_and_denoise(block)
        last = passes[-1]
        expected = last.x - krea_sigma(0.0) * last.flow
        assert torch.allclose(block.latents, expected, atol=1e-5)
        assert not torch.allclose(block.latents, last.x - 0.0 * last.flow, atol=1e-5)


# --- prompt changes -----------------------------------------------------------------------------------------------
def test_recompute_runs_under_the_previous_blocks_text_kv(changed, tiny_engine):
    # recompute_kv_cache calls the transformer with self.conditional_dict and the crossattn_cache as the previous
    # block left them; generate_block_internal only then resets the cross-attention cache and pops the next
    # interpolated embedding (`if self.interpolated_prompt_embeds: _initialize_crossattn_cache(...)`), which all
    # of this block's passes use.
    log, sources = changed
    for b in range(1, len(log)):
        recompute, passes = recompute_and_denoise(log[b])
        _, previous = recompute_and_denoise(log[b - 1])
        assert recompute.text is previous[-1].text
        assert all(p.text is passes[0].text for p in passes)
    # across the change: block 1's recompute is under the old prompt's K/V ...
    recompute, _ = recompute_and_denoise(log[1])
    assert torch.allclose(sources[id(recompute.text)], tiny_engine.text.encode(PROMPT), atol=1e-6)
    # ... and once the blend is over (its last block is at the new prompt), the next block's recompute and passes
    # are all under the new prompt.
    new = tiny_engine.text.encode(OTHER_PROMPT)
    recompute, passes = recompute_and_denoise(log[KREA_INTERPOLATION_STEPS + 1])
    for p in (recompute, *passes):
        assert torch.allclose(sources[id(p.text)], new, atol=1e-6)


def log_embedding(sources, block: Block) -> torch.Tensor:
    return sources[id(recompute_and_denoise(block)[1][0].text)]


def test_prompt_blend_weights_after_a_change(changed, tiny_engine):
    # A deliberate difference. Krea's interpolate_prompt_embeds(models, new_prompt, 4) lerps with
    # linspace(0, 1, 4), one embedding per block from the next block on: weights 0, 1/3, 2/3, 1, so the first block
    # after a change still shows only the old prompt. vcam moves at once, 1/4, 1/2, 3/4, 1: an operator's change
    # shows a block (about a second on a GPU) sooner, and the new prompt is reached on the same block.
    log, sources = changed
    old, new = tiny_engine.text.encode(PROMPT), tiny_engine.text.encode(OTHER_PROMPT)
    for k in range(KREA_INTERPOLATION_STEPS):
        got = log_embedding(sources, log[1 + k])
        weight = (k + 1) / KREA_INTERPOLATION_STEPS
        assert torch.allclose(got, torch.lerp(old, new, weight), atol=1e-5), f"block {k + 1} after the change"


# --- frames out ---------------------------------------------------------------------------------------------------
def test_the_streams_first_latent_decodes_to_one_frame_every_other_to_four(run):
    # demo_utils/vae_block3.py: VAEDecoderWrapper.forward decodes latent by latent with the session's
    # decode_vae_cache (kept across blocks by generate_block_internal); Resample "upsample3d" skips its time
    # convolution while its cache slot is still empty, so only the stream's very first latent gives 1 frame,
    # every later one (the first latent of later blocks included) 4.
    counts = [(lat_in, out) for block in run for lat_in, out in block.vae_calls]
    assert all(lat_in == 1 for lat_in, _ in counts)
    assert [out for _, out in counts] == [1] + [4] * (len(counts) - 1)
    assert run[0].rgb.shape[2] == 9
    assert all(block.rgb.shape[2] == 12 for block in run[1:])


def test_block_0_yields_its_decoded_frames_after_the_first_3_and_later_blocks_all_12(run):
    # generate_block_internal: `if idx == 0: pixels = pixels[:, 3:]`, after frame_context_cache took all of them.
    for b, block in enumerate(run):
        rgb = block.rgb[0, :, 3:] if b == 0 else block.rgb[0]
        shown = ((rgb.permute(1, 2, 3, 0).float() + 1.0) * 127.5).numpy()
        assert block.frames.shape == (6 if b == 0 else 12, *shown.shape[1:])
        assert np.abs(block.frames.astype(np.float32) - shown).max() <= 1.0


# --- video to video -----------------------------------------------------------------------------------------------
# release_server.py generate_block_internal, webcam branch: latents = process_webcam_frames(models, idx) (9 frames
# into 3 latents from a fresh encoder cache for block 0, then 12 frames into 3 with the cache kept:
# encode_video_latent(..., stream=idx > 0)); denoising_strength_scaled = denoising_step_list[0] / 1000;
# noisy_input = latents * (1 - that) + randn * that; then the same passes as text mode, over the step list that
# GenerationSession.__init__ built with get_denoising_schedule(..., params.strength, ...).
V2V_STRENGTH = 0.5


@pytest.fixture(scope="module")
def restyled(tiny_engine):
    rng = np.random.default_rng(11)
    clip = rng.integers(0, 256, size=(48, tiny_engine.spec.height, tiny_engine.spec.width, 3), dtype=np.uint8)
    return watch_stream(tiny_engine, 4, input=clip, strength=V2V_STRENGTH)[0]


def test_v2v_encodes_9_frames_into_3_latents_for_block_0_then_12_into_3(restyled):
    for b, block in enumerate(restyled):
        assert len(block.inputs) == 1
        rgb, latents = block.inputs[0]
        assert rgb.shape[2] == (9 if b == 0 else 12)
        assert latents.shape[2] == FRAMES_PER_BLOCK


def test_v2v_passes_run_at_the_strengths_timesteps(restyled):
    expected = krea_denoising_steps(4, V2V_STRENGTH)
    assert torch.allclose(expected, torch.tensor([833.33, 713.98, 498.80, 0.0]), atol=0.01)  # 3b's table
    for block in restyled:
        _, passes = recompute_and_denoise(block)
        got = torch.tensor([float(p.t[0, 0]) for p in passes])
        assert torch.allclose(got, expected, atol=0.01)


def test_v2v_block_starts_from_its_encoded_input_noised_to_the_first_timestep(restyled):
    s0 = float(krea_denoising_steps(4, V2V_STRENGTH)[0]) / 1000
    for block in restyled:
        _, passes = recompute_and_denoise(block)
        _, latents = block.inputs[0]
        expected = (1 - s0) * latents + s0 * block.noise[0]
        assert torch.allclose(passes[0].x, expected, atol=1e-5)


def test_v2v_x0_is_re_noised_to_the_next_passes_sigma(restyled):
    steps = krea_denoising_steps(4, V2V_STRENGTH)
    for block in restyled:
        _, passes = recompute_and_denoise(block)
        for i in range(3):
            x0 = passes[i].x - krea_sigma(float(steps[i])) * passes[i].flow
            s = krea_sigma(float(steps[i + 1]))
            assert torch.allclose(passes[i + 1].x, (1 - s) * x0 + s * block.noise[i + 1], atol=1e-5)


def test_v2v_context_is_the_models_own_latents_never_the_input(restyled):
    # recompute_kv_cache reads all_latents (the denoised outputs), whatever the input: the input only enters
    # through the block's noised latents.
    for b in range(1, len(restyled)):
        recompute, _ = recompute_and_denoise(restyled[b])
        previous = restyled[b - 1]
        assert torch.equal(recompute.x[:, :, 1:], previous.latents[:, :, -(KV_CACHE_NUM_FRAMES - 1):])
        assert not torch.allclose(recompute.x[:, :, 1:], previous.inputs[0][1][:, :, 1:], atol=1e-2)


def test_v2v_encoder_restarted_in_a_later_block_drops_its_one_frame_latent(tiny_engine):
    # Ours, not the reference's (its input never restarts): where the encoder starts fresh after block 0 (strength
    # back under 1, a new source), its first latent would hold one frame alone where the model's latents stand for
    # 4 frames each, as only the stream's very first latent does; 13 frames are encoded, the first latent dropped.
    rng = np.random.default_rng(12)
    clip = rng.integers(0, 256, size=(64, tiny_engine.spec.height, tiny_engine.spec.width, 3), dtype=np.uint8)

    def text_only_in_block_1(b, stream):
        stream.strength = 1.0 if b == 1 else V2V_STRENGTH

    run, _ = watch_stream(tiny_engine, 4, input=clip, strength=V2V_STRENGTH, before_block=text_only_in_block_1)
    assert [[rgb.shape[2] for rgb, _ in block.inputs] for block in run] == [[9], [], [13], [12]]
    _, encoded = run[2].inputs[0]
    assert encoded.shape[2] == FRAMES_PER_BLOCK + 1
    s0 = float(krea_denoising_steps(4, V2V_STRENGTH)[0]) / 1000
    _, passes = recompute_and_denoise(run[2])
    assert torch.allclose(passes[0].x, (1 - s0) * encoded[:, :, 1:] + s0 * run[2].noise[0], atol=1e-5)
