import torch

from vcam.text import ByteTokenizer, HFTokenizer, TextEncoder, build_umt5
from vcam.configs import get_spec


class CountingModel(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner, self.calls = inner, 0

    def forward(self, **kw):
        self.calls += 1
        return self.inner(**kw)


def make_encoder():
    cfg = get_spec("tiny").text
    model = CountingModel(build_umt5(cfg, seed=2))
    return TextEncoder(model, ByteTokenizer(cfg.vocab_size), cfg.max_length, "cpu", torch.float32), model


def test_embeddings_are_zero_past_the_prompt():
    enc, _ = make_encoder()
    emb = enc.encode("héllo")  # 6 UTF-8 bytes + end of sequence = 7 tokens
    assert emb.shape == (1, 512, 32)
    assert emb[0, :7].abs().sum(-1).min() > 0
    assert emb[0, 7:].abs().sum() == 0


def test_a_prompt_seen_before_costs_nothing():
    enc, model = make_encoder()
    a = enc.encode("a neon city")
    b = enc.encode("  a   neon city ")  # same prompt after whitespace folding
    assert model.calls == 1 and b is a
    enc.encode("a forest")
    assert model.calls == 2 and enc.cached("a forest")


def test_cache_is_bounded():
    enc, model = make_encoder()
    enc.cache_size = 2
    for p in ["one", "two", "three"]:
        enc.encode(p)
    assert not enc.cached("one") and enc.cached("three")


def test_different_prompts_differ():
    enc, _ = make_encoder()
    assert not torch.allclose(enc.encode("a cat"), enc.encode("a dog"))


def test_long_prompts_are_truncated_to_512_tokens():
    enc, _ = make_encoder()
    assert enc.encode("x" * 5000).shape == (1, 512, 32)


def test_hf_tokenizer_pads_and_truncates(weights_folder):
    tok = HFTokenizer(str(weights_folder / "tokenizer"))
    ids, mask = tok("w1 w2 w3", 16)
    assert ids.shape == mask.shape == (1, 16)
    assert mask.sum() == 3
