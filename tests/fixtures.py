"""Builders of on-disk model files for tests: the tiny model saved in the layout of the real hub repos."""
from __future__ import annotations

from pathlib import Path

import torch

from vcam.engine.configs import KREA_FILE, get_spec
from vcam.engine.load import _random_engine
from vcam.engine.weights import CHECKPOINT_PREFIX


def save_krea_checkpoint(model: torch.nn.Module, path: Path, drop: tuple[str, ...] = (), extra: dict | None = None):
    from safetensors.torch import save_file

    state = {CHECKPOINT_PREFIX + k: v.contiguous() for k, v in model.state_dict().items() if k not in drop}
    state.update(extra or {})
    save_file(state, str(path))


def save_tokenizer(folder: Path, vocab_size: int) -> None:
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = ["<pad>", "</s>", "<unk>"] + [f"w{i}" for i in range(vocab_size - 3)]
    tok = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(str(folder))


def make_weights_folder(root: Path, model: str = "tiny") -> Path:
    """Writes ROOT/krea-realtime-video-14b.safetensors, ROOT/text_encoder, ROOT/tokenizer, ROOT/vae."""
    spec = get_spec(model)
    engine = _random_engine(spec, torch.device("cpu"), torch.float32)
    root.mkdir(parents=True, exist_ok=True)
    save_krea_checkpoint(engine.model, root / KREA_FILE)
    engine.text.model.save_pretrained(str(root / "text_encoder"))
    save_tokenizer(root / "tokenizer", spec.text.vocab_size)
    engine.vae.save_pretrained(str(root / "vae"))
    return root
