"""Prompt text -> UMT5 text embeddings, with a cache keyed by the prompt so that a prompt seen before is free."""
from __future__ import annotations

import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable

import torch
from torch import Tensor

from vcam.engine.configs import TextConfig
from vcam.errors import VcamError, install_fix
from vcam.prompttext import cut_note, pieces, read_as_encoded, surely_cut


def text_repair():
    """The ftfy module; a VcamError saying how to install it where it is missing (an install from before it was
    needed), so a show is refused before minutes of loading, not at its first prompt."""
    try:
        import ftfy
    except ImportError:
        raise VcamError("the ftfy package is missing: prompts are cleaned with it, as the model's were in training",
                        f"{install_fix('engine')} again (or: pip install ftfy)") from None
    return ftfy


def clean_prompt(text: str) -> str:
    """The prompt as the Wan pipeline cleans it before tokenizing (vcam.prompttext's rule, with ftfy: curly quotes,
    mojibake, full-width letters; HTML entities; what prints nothing dropped; whitespace folded), so a prompt gives
    the tokens the model was trained on and the same prompt always gives the same tokens."""
    return read_as_encoded(text, text_repair().fix_text)


class PieceTokenizer:
    """A tokenizer that needs no files (for random-weight models): a token for each span `pieces` finds, its id
    from its text, then end-of-sequence, then padding. The real tokenizer gives a text as many tokens or more (a
    few more in most prompts), so a prompt the real encoder reads whole is read whole here too, and one cut here is
    cut there as well, no later: a random-weight show says a prompt is cut where the real model would surely cut
    it (a token for each byte cut a 150-word prompt, which the real encoder reads whole, at its 511th byte)."""

    pad_id, eos_id, offset = 0, 1, 3

    def __init__(self, vocab_size: int):
        if vocab_size < 2 * self.offset:
            raise ValueError(f"PieceTokenizer needs a vocabulary of at least {2 * self.offset} ids")
        self.ids = vocab_size - self.offset

    def __call__(self, text: str, max_length: int) -> tuple[Tensor, Tensor]:
        ids = [self._id(text, a, b) for a, b in pieces(text)][: max_length - 1] + [self.eos_id]
        mask = [1] * len(ids) + [0] * (max_length - len(ids))
        ids = ids + [self.pad_id] * (max_length - len(ids))
        return torch.tensor([ids]), torch.tensor([mask])

    def _id(self, text: str, start: int, end: int) -> int:
        # a word's first piece is marked as SentencePiece marks it ("▁night" is not the "night" of "midnight"); a
        # checksum, not hash(), which differs between runs
        piece = ("\u2581" if start == 0 or text[start - 1].isspace() else "") + text[start:end]
        return zlib.crc32(piece.encode("utf-8")) % self.ids + self.offset

    def cut(self, text: str, max_length: int) -> str | None:
        """The part of `text` the encoder reads where it is longer than `max_length` tokens; None where it fits."""
        return surely_cut(text, max_length)  # its tokens are the fewest the real tokenizer can give


class HFTokenizer:
    """The real UMT5 tokenizer from a `tokenizer/` folder, padded and truncated to a fixed length."""

    def __init__(self, path: str):
        from transformers import AutoTokenizer

        self.tok = AutoTokenizer.from_pretrained(path)

    def __call__(self, text: str, max_length: int) -> tuple[Tensor, Tensor]:
        out = self.tok(
            [text],
            padding="max_length",
            max_length=max_length,
            truncation=True,
            add_special_tokens=True,
            return_attention_mask=True,
            return_tensors="pt",
        )
        return out.input_ids, out.attention_mask

    def cut(self, text: str, max_length: int) -> str | None:
        """The part of `text` the encoder reads where it is longer than `max_length` tokens; None where it fits."""
        if len(self.tok(text, add_special_tokens=True).input_ids) <= max_length:
            return None
        kept = self.tok(text, max_length=max_length, truncation=True, add_special_tokens=True).input_ids
        return self.tok.decode(kept, skip_special_tokens=True)


def build_umt5(cfg: TextConfig, seed: int):
    """A random UMT5 encoder of the given shape (deterministic for a seed)."""
    from transformers import UMT5Config, UMT5EncoderModel

    config = UMT5Config(
        vocab_size=cfg.vocab_size,
        d_model=cfg.d_model,
        d_kv=cfg.d_kv,
        d_ff=cfg.d_ff,
        num_layers=cfg.num_layers,
        num_heads=cfg.num_heads,
        feed_forward_proj="gated-gelu",
    )
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return UMT5EncoderModel(config).eval()


# 256 MiB of host memory for cached embeddings: 64 prompts of krea-14b's full 512 tokens (512 × 4096 bf16 = 4 MiB
# each), or several hundred of the usual length (a 60-token prompt is 480 KiB), so that a prompt typed during a
# show is encoded once. A count of prompts would not bound it: 256 long ones are 1 GiB.
PROMPT_CACHE_BYTES = 256 * 2**20


def _nbytes(t: Tensor) -> int:
    return t.numel() * t.element_size()


class TextEncoder:
    """Encodes prompts into [1, max_length, d_model] embeddings, zero past the prompt's length.

    Results are cached by cleaned prompt text in host memory, only the prompt's own tokens: a padded embedding
    kept on the card would be 4 MiB at krea-14b's 512×4096, which the memory plan does not count. The cache is
    bounded by the bytes of its tensors (`cache_bytes`), least recently used dropped first: a count of prompts
    bounds nothing where each may be a full-length 4 MiB. The prompt on air needs no place in it (the stream keeps
    its own embedding), and the newest prompt and those given to `hold` are always kept. Thread-safe, so that
    prompts can be encoded ahead in the background while the stream runs. `on_cut`, where set, is told a line (on
    the thread that encodes) when a prompt longer than `max_length` tokens is cut, as it is first encoded.
    """

    def __init__(self, model, tokenizer, max_length: int, device, dtype, cache_bytes: int = PROMPT_CACHE_BYTES):
        self.model = model
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.device = torch.device(device)
        self.dtype = dtype
        self.cache_bytes = cache_bytes
        self._cache: OrderedDict[str, Tensor] = OrderedDict()
        self._cached_bytes = 0  # the sum of the cached tensors' sizes, kept with the cache under its lock
        self._held: set[str] = set()  # never dropped: see hold
        self._lock = threading.Lock()  # the cache: held only for lookups and inserts
        self._model_lock = threading.Lock()  # one encoding at a time; a cached prompt never waits for it
        self.on_cut: Callable[[str], None] | None = None

    def hold(self, prompts: Iterable[str]) -> None:
        """Keeps `prompts`, once encoded, whatever the cache's bytes: a show's prompts encoded before the encoder
        moves to the CPU, each of which would take seconds there if dropped for the next."""
        with self._lock:
            self._held.update(clean_prompt(prompt) for prompt in prompts)

    def cached(self, prompt: str) -> bool:
        with self._lock:
            return clean_prompt(prompt) in self._cache

    @torch.no_grad()
    def encode(self, prompt: str) -> Tensor:
        """The prompt's embedding [1, max_length, d_model] on the encoder's device, a new tensor each call."""
        key = clean_prompt(prompt)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
        if found is not None:  # padded and copied to the device outside the lock
            return self._padded(found)
        with self._model_lock:
            with self._lock:  # another thread may have encoded it meanwhile
                found = self._cache.get(key)
            if found is not None:
                return self._padded(found)
            ids, mask = self.tokenizer(key, self.max_length)
            length = int(mask.sum())
            if length == self.max_length and self.on_cut is not None:  # every slot taken: it may be cut
                self._say_cut(key)
            model_device = next(self.model.parameters()).device
            # Only the prompt's own tokens: the padding is masked out of every attention, so it changes nothing
            # but the time (a 20-word prompt in 512 slots is ~8x the work, seconds with the encoder on the CPU).
            hidden = self.model(input_ids=ids[:, :length].to(model_device),
                                attention_mask=mask[:, :length].to(model_device)).last_hidden_state
            kept = hidden.to(device="cpu", dtype=self.dtype)
            with self._lock:
                self._keep(key, kept)
        return self._padded(kept)

    def _keep(self, key: str, kept: Tensor) -> None:
        """Caches `kept` as the most recently used, dropping the least recently used while the cache is over its
        bytes; never one of `hold`'s, nor the one just kept, so that even a budget below one prompt encodes a prompt
        on air once."""
        old = self._cache.pop(key, None)
        if old is not None:
            self._cached_bytes -= _nbytes(old)
        self._cache[key] = kept
        self._cached_bytes += _nbytes(kept)
        for oldest in [k for k in self._cache if k != key and k not in self._held]:
            if self._cached_bytes <= self.cache_bytes:
                break
            self._cached_bytes -= _nbytes(self._cache.pop(oldest))

    @property
    def cached_bytes(self) -> int:
        """The host memory the cached embeddings take, in bytes."""
        with self._lock:
            return self._cached_bytes

    def _padded(self, kept: Tensor) -> Tensor:
        """A cached prompt's tokens, zero past them up to max_length, on the encoder's device."""
        emb = torch.zeros(1, self.max_length, kept.shape[-1], device=self.device, dtype=self.dtype)
        emb[:, :kept.shape[1]] = kept.to(self.device)
        return emb

    def _say_cut(self, prompt: str) -> None:
        kept = self.tokenizer.cut(prompt, self.max_length)
        if kept is not None:
            self.on_cut(cut_note(prompt, kept, self.max_length))

    def move_to(self, device: torch.device | str) -> None:
        """Moves the encoder, never in the middle of an encoding (the cached prompts are in host memory already)."""
        with self._model_lock:
            self.model.to(device)
