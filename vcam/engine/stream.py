"""The block-streaming loop: prompt embeddings in, an endless sequence of RGB frames out, one block at a time.

Per block (3 latent frames): refill the KV cache from the context (the stream's first latent, or a re-encoding of
a recent frame, plus the last 2 latents) at RoPE frames 0..2 and t = 0; denoise the new block at frames 3..5 in
`steps` passes, re-noising x0 between passes; decode with the kept VAE cache. Positions never grow.

With a video input (Krea's video-to-video), the block's input frames are encoded with a kept encoder cache and
noised to the first pass's level, `strength` choosing how far; the passes then start there. The context stays the
model's own latents, as in text mode.
"""
from __future__ import annotations

import math
from collections import deque
from contextlib import nullcontext
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union
import warnings

import numpy as np
import torch
from torch import Tensor

from vcam.bias import DEFAULT_BIAS, KREA_BIAS, check_bias
from vcam.errors import NonFiniteBlockError, NonFinitePromptError
from vcam.engine import compiling
from vcam.engine.attention import KeyBias
from vcam.sizes import check_size
from vcam.engine.device import on_device, to_host_with_scalar
from vcam.engine.memory import out_of_memory_said_as_error
from vcam.engine.model import KVCache, TextKV
from vcam.engine.text import clean_prompt
from vcam.engine.schedule import GRID, denoising_passes, renoise_sigma
from vcam.engine.vae import FrameEncoder, StreamingEncoder
from vcam.engine.video_in import FrameSource, as_source, check_frames, to_rgb
from vcam.inspec import DEFAULT_INPUT_FIT, DEFAULT_STRENGTH, check_strength
from vcam.words import clipped, quoted

if TYPE_CHECKING:
    from vcam.engine.load import Engine

Prompt = Union[str, Mapping[str, float]]


class _NoTimer:
    def stage(self, name: str):
        return nullcontext()


NO_TIMER = _NoTimer()

LATENTS_PER_BLOCK = 3
CONTEXT_LATENTS = 3
FRAMES_PER_LATENT = 4  # the VAE's temporal factor; the stream's first latent gives 1 frame
DROPPED_FIRST_FRAMES = 3  # of block 0, as the reference does
RGB_HISTORY = 1 + (CONTEXT_LATENTS - 1) * FRAMES_PER_LATENT
# Input frames per block: 9 (3 latents) where the input encoder starts fresh, 12 after.
FIRST_INPUT_FRAMES = 1 + (LATENTS_PER_BLOCK - 1) * FRAMES_PER_LATENT
INPUT_FRAMES = LATENTS_PER_BLOCK * FRAMES_PER_LATENT
# Where the encoder starts fresh in a later block (a new source, strength back under 1), whose latents each stand for
# 4 frames: a fresh encoder's first latent holds one frame alone, which only the stream's first latent does; that
# frame primes the encoder and its latent is dropped.
RESTART_INPUT_FRAMES = 1 + INPUT_FRAMES


@dataclass
class StreamSettings:
    """Everything that shapes a stream; the live controls change `seed`, `steps`, `transition`, `strength` and `bias`
    as it runs."""

    width: int
    height: int
    seed: int = 0
    steps: int = 4  # Krea's published speed is at 4 (its server defaults to 5, "use 4 for performance")
    transition: int = 4  # blocks over which a prompt change is interpolated
    shift: float = 5.0
    pin_first_latent: bool = False  # keep the stream's first latent as context instead of re-encoding a frame
    strength: float = DEFAULT_STRENGTH  # with a video input: 0 keeps it, 1 replaces it by noise (text only)
    bias: float = DEFAULT_BIAS  # Krea's attention bias on the context's past latents, in (0, 1]; 1 = off

    def validate(self) -> None:
        check_size(self.width, self.height)
        if not 1 <= self.steps <= 50:
            raise ValueError(f"steps must be between 1 and 50 (got {self.steps})")
        if self.transition < 0:
            raise ValueError(f"transition must be 0 or more blocks (got {self.transition})")
        self.strength = check_strength(self.strength)
        self.bias = check_bias(self.bias)


def _normalise_prompt(prompt: Prompt) -> dict[str, float]:
    """The blend's weights, each over their sum (a weight alone is 1): worked out as it always was, so that a blend
    gives the very picture it gave before and an old log replays to it; by their ratio to the largest first only
    where the sum passes a float's range (1e308 twice), where each over the sum was 0, a prompt of nothing."""
    weights = {prompt: 1.0} if isinstance(prompt, str) else dict(prompt)
    if not weights:
        raise ValueError("a prompt blend needs at least one prompt")
    if not all(0 <= w < math.inf for w in weights.values()) or max(weights.values()) <= 0:  # NaN fails both
        raise ValueError("prompt weights must be finite, 0 or more, and not all 0")
    if any(not clean_prompt(text) for text in weights):  # `&nbsp;` too: no words once cleaned
        raise ValueError("a prompt must not be empty")
    total = sum(weights.values())
    if total == math.inf:
        top = max(weights.values())
        weights = {text: w / top for text, w in weights.items()}
        total = sum(weights.values())
    return {text: w / total for text, w in weights.items()}


def _overflowed(what: str) -> str:
    """The refusal of a prompt the encoder overflows on, naming it as `what`: a change's and the first prompt's read
    alike."""
    return f"the text encoder's output for {what} is NaN or infinite (an overflow)"


def _finite(emb: Tensor) -> bool:
    return bool(torch.isfinite(emb).all())


class Stream:
    """An endless video stream from one engine. Not thread-safe: drive it from one thread.

    Controls (`set_prompt`, `set_seed`, `steps`, `set_input`, `strength`, `bias`, `reset`) take effect at the next
    call to `next_block`.
    """

    def __init__(self, engine: "Engine", prompt: Prompt, settings: StreamSettings):
        settings.validate()
        self.engine = engine
        self.settings = settings
        self.device = engine.device
        model = engine.model
        self._lat_h = settings.height // engine.spec.vae.spatial_factor
        self._lat_w = settings.width // engine.spec.vae.spatial_factor
        self._tokens = model.tokens_per_frame(self._lat_h, self._lat_w)
        self._cache = KVCache(
            model.cfg, 1, (CONTEXT_LATENTS + LATENTS_PER_BLOCK) * self._tokens, model.dtype, self.device
        )
        self._decoder = engine.streaming_decoder()  # the VAE's, or TAEHV's with --decoder taehv
        self._encoder = FrameEncoder(engine.vae)
        self._input_encoder = StreamingEncoder(engine.vae)
        self._source: FrameSource | None = None
        self._gen = torch.Generator(device=self.device)
        self._target = self._first_embedding(prompt)
        self._from = self._target
        self._progress = self._span = 0
        self._kv, self._kv_source = model.text_kv(self._target), self._target
        self._kv_prev = self._kv
        self._pending_seed: int | None = None
        self.timer = NO_TIMER  # a StageTimer measures each stage of a block (vcam bench)
        # whether a NaN block raises NonFiniteBlockError; vcam bench times random weights, whose pictures mean nothing
        self.refuse_non_finite = True
        self.reset()

    # --- controls -------------------------------------------------------------------------------------------
    def set_prompt(self, prompt: Prompt, transition: int | None = None) -> None:
        """Move to a prompt (or a weighted blend {text: weight}) over `transition` blocks (default: settings)."""
        target = self._embed(prompt)
        span = self.settings.transition if transition is None else transition
        if span < 0:
            raise ValueError(f"transition must be 0 or more blocks (got {span})")
        self._from = self._current_embedding()
        self._target = target
        self._span, self._progress = span, 0

    def set_seed(self, seed: int) -> None:
        """Noise from this seed from the next block on."""
        self.settings.seed = int(seed)
        self._pending_seed = int(seed)

    @property
    def steps(self) -> int:
        return self.settings.steps

    @steps.setter
    def steps(self, steps: int) -> None:
        if not 1 <= steps <= 50:
            raise ValueError(f"steps must be between 1 and 50 (got {steps})")
        self.settings.steps = steps

    @property
    def strength(self) -> float:
        """How much of the video input survives: 0 keeps it, 1 replaces it by noise (text only, the encode
        skipped); from the next block on. Without an input the stream is text only whatever the strength."""
        return self.settings.strength

    @strength.setter
    def strength(self, value: float) -> None:
        self.settings.strength = check_strength(value)

    @property
    def bias(self) -> float:
        """Krea's attention bias, from the next block on: during the denoising passes the keys of the context's past
        latents (not its first latent, not the block itself) get log(bias) added to their attention scores. 1 is
        attention as trained; lower leans less on the frames just made (Krea runs 0.3), so a prompt change lands
        sooner and errors carried from block to block fade."""
        return self.settings.bias

    @bias.setter
    def bias(self, value: float) -> None:
        self.settings.bias = check_bias(value)

    def set_input(self, source, strength: float | None = None, fit: str = DEFAULT_INPUT_FIT) -> None:
        """Restyle a video from the next block on: `source` is None (text only), a frame source (an object with
        `frames(start, count)` giving uint8 RGB [count, height, width, 3] at the stream's size; see
        vcam.engine.video_in), or a numpy uint8 RGB clip [n, h, w, 3] (looped) or image [h, w, 3] of any size,
        fitted by `fit` (crop, letterbox or stretch). The input encoder starts fresh on it. The stream does not
        close a source it is given: its owner does."""
        if strength is not None:
            strength = check_strength(strength)
        new = as_source(source, self.settings.width, self.settings.height, fit)
        if strength is not None:
            self.settings.strength = strength
        self._source = new
        self._input_pos, self._encoded_last = 0, False

    @property
    def has_input(self) -> bool:
        """Whether an input is on air (else the text alone makes the picture)."""
        return self._source is not None

    def input_status(self) -> str | None:
        """The input source's own line for the status line (a stall, the frames' age), if it has one."""
        status = getattr(self._source, "status", None)
        return status() if callable(status) else None

    def reset(self) -> None:
        """Start over from a fresh first block (same seed, current prompt reached at once, a clip input from its
        first frame)."""
        self._decoder.reset()
        self._input_pos = 0  # frames taken from the input source since it was set
        self._encoded_last = False  # whether the last block encoded input: else the encoder starts fresh
        self._block = 0
        self._first: Tensor | None = None
        self._last: Tensor | None = None
        self._history: deque[Tensor] = deque(maxlen=RGB_HISTORY)
        self._from, self._span, self._progress = self._target, 0, 0
        self._pending_seed = self.settings.seed

    @property
    def block_index(self) -> int:
        """How many blocks this stream has made since the start or the last reset."""
        return self._block

    @property
    def transition_remaining(self) -> int:
        return max(0, self._span - self._progress)

    # --- the loop -------------------------------------------------------------------------------------------
    def warm_up(self, blocks: int = 3, say: Callable[[str], None] | None = None) -> None:
        """Makes the first blocks once and starts over, so that compiling (torch.compile) and choosing kernels
        happen before the first frame goes on air. Three blocks meet every shape: the first block's passes, the
        recompute and later passes, and the re-encoded context frame; one more, with the attention bias on if it
        was off (else off), meets the other kind of later pass, so that turning the bias on air compiles nothing.
        The frames that follow are those of a fresh stream. Where compiling fails on this machine, the engine goes
        back to eager kernels and says so through `say` (else a warning): a slower show beats none. Running out of
        GPU memory here is NotEnoughVRAMError, saying what to do."""
        s = self.settings
        with out_of_memory_said_as_error(self.device, self.engine.speed.quant,
                                         f"while warming up at {s.width}x{s.height}"):
            try:
                self._make_blocks(blocks)
            except Exception as e:
                message = self.fall_back_to_eager(e)
                if message is None:
                    raise
                (say or (lambda m: warnings.warn(m, RuntimeWarning, stacklevel=2)))(message)
                self._make_blocks(blocks)

    def fall_back_to_eager(self, e: BaseException) -> str | None:
        """If `e` is compiling failing on this machine: the engine goes back to eager kernels, this stream starts
        over from a fresh first block, and the line that says so is returned; else None and nothing changes."""
        message = compiling.fall_back_to_eager(self.engine, e)
        if message is not None:
            self.reset()
        return message

    def _make_blocks(self, blocks: int) -> None:
        # A NaN block is kept here: refused, the warm-up would make its first block again and again and meet none of
        # the later shapes, left to compile on air. The reset below clears it; on air the show says it and starts over.
        bias, refuse = self.settings.bias, self.refuse_non_finite
        self.refuse_non_finite = False
        try:
            for _ in range(blocks):
                self.next_block()
            self.settings.bias = KREA_BIAS if bias == 1.0 else 1.0
            self.next_block()
        finally:
            self.settings.bias, self.refuse_non_finite = bias, refuse
        self.reset()

    @torch.no_grad()
    def next_block(self) -> np.ndarray:
        """The next frames, uint8 RGB [n, height, width, 3]: 12 per block (6 for the stream's first block), made
        with the controls as they are now. A block that fails (out of memory, say) leaves the stream as it was, so
        trying again gives the frames it would have given (a clip or image input included; a live one gives what
        it has then); except that a failure in or after a later block's VAE decode leaves the decoder's cache moved
        on (keeping a copy would cost 1.8 GB at 832x480), which shows as a brief glitch; TAEHV's decoder rewinds
        exactly. A block that comes out NaN or infinite raises NonFiniteBlockError, its frames thrown away, and
        starts the decoder afresh (its cache holds the NaN): `reset` then starts the stream over."""
        saved = self._saved_state()
        try:
            with on_device(self.device):
                return self._make_block()
        except BaseException as e:
            self._restore_state(saved)
            if self._block == 0 or isinstance(e, NonFiniteBlockError):
                self._decoder.reset()  # exact: the first block starts from a fresh decoder anyway
            raise

    def _saved_state(self) -> tuple:
        # What a block moves on (the VAE decoder's cache excepted: see StreamingDecoder.state). Tensors are
        # replaced, never written in place, so references are enough (the KV cache is rebuilt from the context by
        # every block).
        return (self._gen.get_state(), self._pending_seed, self._progress, self._kv, self._kv_source,
                self._kv_prev, list(self._history), self._first, self._last, self._input_pos, self._encoded_last,
                self._input_encoder.state(), self._decoder.state())

    def _restore_state(self, saved: tuple) -> None:
        (gen, self._pending_seed, self._progress, self._kv, self._kv_source, self._kv_prev, history, self._first,
         self._last, self._input_pos, self._encoded_last, encoder, decoder) = saved
        self._gen.set_state(gen)
        self._input_encoder.restore(encoder)
        self._decoder.restore(decoder)
        self._history = deque(history, maxlen=RGB_HISTORY)

    def _make_block(self) -> np.ndarray:
        if self._pending_seed is not None:
            self._gen.manual_seed(self._pending_seed)
            self._pending_seed = None
        timer = self.timer
        with timer.stage("text"):
            kv = self._advance_prompt()
        latents = self._denoise(kv)
        # One reduction kernel on the card (the largest magnitude, NaN where any is), read with the frames: a NaN
        # kept as context would blacken every later block. isfinite().all() took two kernels and a mask.
        peak = torch.linalg.vector_norm(latents, math.inf)
        self._kv_prev = kv
        with timer.stage("vae decode"):
            rgb = self._decoder.decode(latents)[0]  # [3, n, H, W] in [-1, 1]
        self._remember(latents, rgb)
        if self._block == 0:
            rgb = rgb[:, DROPPED_FIRST_FRAMES:]
        with timer.stage("host copy"):
            # in float32: in bf16 a quarter of the pixel values would land one level off
            frames = ((rgb.permute(1, 2, 3, 0).float() + 1.0) * 127.5).round_().clamp_(0, 255).to(torch.uint8)
            out, peak_value = to_host_with_scalar(frames, peak)
        if not math.isfinite(peak_value) and self.refuse_non_finite:  # the stream put back, the decoder started afresh
            raise NonFiniteBlockError()
        self._block += 1
        return out

    def _pass(self, x: Tensor, t: Tensor, text: TextKV, frame_start: int, cache_start: int,
              key_bias: KeyBias | None = None) -> Tensor:
        """One transformer pass over the stream's KV cache."""
        if key_bias is None or key_bias.bias == 1.0:  # the plain pass, as it always was
            return self.engine.model(x, t, text, frame_start=frame_start, cache=self._cache, cache_start=cache_start)
        return self.engine.model(x, t, text, frame_start=frame_start, cache=self._cache, cache_start=cache_start,
                                 key_bias=key_bias)

    def _denoise(self, kv: TextKV) -> Tensor:
        model = self.engine.model
        cache_start = frame_start = 0
        key_bias = None  # the first block has no context to lean on
        if self._block > 0:
            with self.timer.stage("context"):  # its own stage: VAE work
                first = self._context_first()
            with self.timer.stage("recompute"):
                context = torch.cat([first, self._last], dim=2)
                t0 = torch.zeros(1, context.shape[2], device=self.device)
                # The context was made under the previous block's prompt; its cache is rebuilt under it too.
                self._pass(context, t0, self._kv_prev, frame_start=0, cache_start=0)
            frame_start, cache_start = CONTEXT_LATENTS, CONTEXT_LATENTS * self._tokens
            # the context's past latents: after its first latent, up to the block's own keys
            key_bias = KeyBias(self._tokens, cache_start, self.settings.bias)
        shape = (1, model.cfg.in_channels, LATENTS_PER_BLOCK, self._lat_h, self._lat_w)
        strength = self.settings.strength if self._source is not None else 1.0
        latents = self._encode_input() if strength < 1.0 else None
        if latents is None and self._source is not None:
            # A clip plays on under a text-only block, as a deck runs under the crossfader: back under strength
            # 1.0 it is where the show's time says. A live source ignores the position.
            self._input_pos += INPUT_FRAMES if self._block > 0 else FIRST_INPUT_FRAMES
        self._encoded_last = latents is not None
        passes = denoising_passes(self.settings.steps, self.settings.shift, 1.0 if latents is None else strength)
        # The same draw with or without an input: at strength 1.0 the frames are exactly the text-only ones.
        x = torch.randn(shape, generator=self._gen, device=self.device)
        if latents is not None:
            s0 = passes[0].t / GRID  # 0 at strength 0: the input as it is (the pass's own sigma is never 0)
            x = (1.0 - s0) * latents + s0 * x
        x0 = x
        for i, p in enumerate(passes):
            with self.timer.stage(f"pass {i + 1}"):
                t = torch.full((1, LATENTS_PER_BLOCK), p.t, device=self.device)
                flow = self._pass(x, t, kv, frame_start=frame_start, cache_start=cache_start, key_bias=key_bias)
                x0 = x - p.sigma * flow
                if i + 1 < len(passes):
                    s = renoise_sigma(passes, i)
                    x = (1.0 - s) * x0 + s * torch.randn(shape, generator=self._gen, device=self.device)
        return x0

    def _encode_input(self) -> Tensor:
        """The block's input latents: 12 frames from the source, 9 in the stream's first block, and 13 (the first
        only priming the encoder) where the encoder starts in a later one (a new source, or the last block skipped
        the encode); frames taken in order from the source's start."""
        with self.timer.stage("vae encode"):
            if not self._encoded_last:
                self._input_encoder.reset()
                restart = getattr(self._source, "restart", None)  # a live source: from now on
                if callable(restart):
                    restart()
            primed = self._input_encoder.fresh and self._block > 0
            count = RESTART_INPUT_FRAMES if primed else FIRST_INPUT_FRAMES if self._input_encoder.fresh \
                else INPUT_FRAMES
            frames = self._source.frames(self._input_pos, count)
            check_frames(frames, count, self.settings.width, self.settings.height)
            latents = self._input_encoder.encode(to_rgb(frames, self.device))
        self._input_pos += count
        return latents[:, :, 1:] if primed else latents

    def _context_first(self) -> Tensor:
        """The first context latent: the stream's own first latent, or (once it is far behind) a re-encoding of
        the oldest frame of the recent RGB history, the frame just before the 2 kept latents."""
        if self.settings.pin_first_latent or self._block < 2:
            return self._first
        return self._encoder.encode(self._history[0][None])

    def _remember(self, latents: Tensor, rgb: Tensor) -> None:
        if self._block == 0:
            self._first = latents[:, :, :1]
        self._last = latents[:, :, -(CONTEXT_LATENTS - 1):]
        for i in range(rgb.shape[1]):
            self._history.append(rgb[:, i])

    # --- prompts --------------------------------------------------------------------------------------------
    def _blended(self, prompt: Prompt) -> Tensor:
        embs = [self.engine.text.encode(text) * w for text, w in _normalise_prompt(prompt).items()]
        return torch.stack(embs).sum(0)

    def _embed(self, prompt: Prompt) -> Tensor:
        emb = self._blended(prompt)
        # read once per prompt change, not per block: taken, it would make every block NaN until the prompt changed
        if not _finite(emb):
            raise ValueError(f"{_overflowed('this prompt')}; try other words")
        return emb

    def _first_embedding(self, prompt: Prompt) -> Tensor:
        """The starting prompt's embedding. One the text encoder overflows on refuses the start in one line with
        its fix (a later one is a change not applied, the stream staying on the prompt before): taken, every block
        would be NaN, each thrown away and the stream started over on it, and the show would never go on air."""
        emb = self._blended(prompt)
        if not _finite(emb):
            texts = [prompt] if isinstance(prompt, str) else list(prompt)
            named = " + ".join(quoted(clipped(text, 41)) for text in texts)
            said = _overflowed(f"the first prompt ({named})")
            raise NonFinitePromptError(f"{said}, so the stream cannot start on it", "start the stream on other words")
        return emb

    def _current_embedding(self) -> Tensor:
        # Weights 1/span .. 1 over the transition's blocks; Krea's linspace(0, 1, span) gives its first block the old
        # prompt alone, a block of delay we leave out (tests/test_stream_rules.py, the blend's weights).
        if self._span == 0 or self._progress >= self._span:
            return self._target
        return torch.lerp(self._from, self._target, self._progress / self._span)

    def _advance_prompt(self) -> TextKV:
        if self._progress < self._span:
            self._progress += 1
        emb = self._current_embedding()
        if emb is not self._kv_source:
            self._kv, self._kv_source = self.engine.model.text_kv(emb), emb
        return self._kv
