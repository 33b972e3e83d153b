import pytest
import torch

from vcam.engine.text import HFTokenizer, PieceTokenizer, TextEncoder, build_umt5, pieces
from vcam.engine.configs import get_spec


class CountingModel(torch.nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner, self.calls = inner, 0

    def forward(self, **kw):
        self.calls += 1
        self.last_tokens = kw["input_ids"].shape[1]
        return self.inner(**kw)


def make_encoder():
    cfg = get_spec("tiny").text
    model = CountingModel(build_umt5(cfg, seed=2))
    return TextEncoder(model, PieceTokenizer(cfg.vocab_size), cfg.max_length, "cpu", torch.float32), model


def test_embeddings_are_zero_past_the_prompt():
    enc, _ = make_encoder()
    emb = enc.encode("héllo, world")  # héllo | , | world + end of sequence = 4 tokens
    assert emb.shape == (1, 512, 32)
    assert emb[0, :4].abs().sum(-1).min() > 0
    assert emb[0, 4:].abs().sum() == 0


def test_a_prompt_seen_before_costs_nothing():
    enc, model = make_encoder()
    a = enc.encode("a neon city")
    b = enc.encode("  a   neon city ")  # same prompt after whitespace folding
    assert model.calls == 1 and torch.equal(b, a)
    enc.encode("a forest")
    assert model.calls == 2 and enc.cached("a forest")


def test_cache_is_bounded_by_the_bytes_its_embeddings_take():
    enc, model = make_encoder()
    enc.encode("one")  # one | end of sequence: 2 tokens of 32 float32s
    entry = enc.cached_bytes
    assert entry == 2 * 32 * 4
    enc.cache_bytes = 2 * entry  # two such prompts fit, a third does not
    for p in ["two", "three"]:
        enc.encode(p)
    assert not enc.cached("one") and enc.cached("two") and enc.cached("three")
    assert enc.cached_bytes == 2 * entry


def test_the_cache_drops_the_least_recently_used_first():
    enc, model = make_encoder()
    enc.encode("one")
    enc.cache_bytes = 2 * enc.cached_bytes
    enc.encode("two")
    enc.encode("one")  # used again: "two" is now the oldest
    enc.encode("three")
    assert enc.cached("one") and not enc.cached("two") and enc.cached("three")
    calls = model.calls
    enc.encode("one")
    assert model.calls == calls  # still free


def test_a_long_prompt_takes_the_room_of_many_short_ones():
    # 256 prompts of the full 512 tokens are 1 GiB of host memory at krea-14b's size: a count bounds nothing
    enc, model = make_encoder()
    for i in range(4):
        enc.encode(f"short {i}")  # short | i | end of sequence: 3 tokens
    enc.cache_bytes = enc.cached_bytes
    long_prompt = "a b c d e f g h"  # 8 words + end of sequence: 9 tokens, the room of 3 short prompts
    enc.encode(long_prompt)
    assert enc.cached(long_prompt) and enc.cached("short 3")
    assert not any(enc.cached(f"short {i}") for i in range(3))
    assert enc.cached_bytes == enc.cache_bytes


def test_a_prompt_over_the_whole_budget_is_still_kept_until_the_next():
    enc, model = make_encoder()
    enc.cache_bytes = 1
    enc.encode("a neon city")
    enc.encode("a neon city")
    assert model.calls == 1 and enc.cached("a neon city")
    enc.encode("a forest")
    assert not enc.cached("a neon city") and enc.cached("a forest")


def test_the_cache_keeps_only_each_prompts_own_tokens_in_host_memory():
    # A long show of new prompts fills the cache: 256 padded embeddings are 1 GiB at krea-14b's size, on the card
    # where the encoder runs there, and the memory plan counts none of it.
    enc, _ = make_encoder()
    prompts = [f"prompt {i}" for i in range(20)]
    for p in prompts:
        enc.encode(p)
    kept = list(enc._cache.values())
    assert all(t.device.type == "cpu" for t in kept)
    assert sum(t.shape[1] for t in kept) == 20 * 3  # prompt | i | end of sequence: not 20 x 512 slots
    emb = enc.encode(prompts[3])
    assert emb.shape == (1, 512, 32) and emb[0, 3:].abs().sum() == 0
    emb.add_(1.0)  # a caller's change to what it was given
    assert enc.encode(prompts[3])[0, 20:].abs().sum() == 0  # is not the cache's


def test_different_prompts_differ():
    enc, _ = make_encoder()
    assert not torch.allclose(enc.encode("a cat"), enc.encode("a dog"))


def test_long_prompts_are_truncated_to_512_tokens():
    enc, _ = make_encoder()
    assert enc.encode("x " * 5000).shape == (1, 512, 32)
    ids, mask = enc.tokenizer("x " * 5000, 512)
    assert mask.sum() == 512 and ids[0, -1] == PieceTokenizer.eos_id


def test_hf_tokenizer_pads_and_truncates(weights_folder):
    tok = HFTokenizer(str(weights_folder / "tokenizer"))
    ids, mask = tok("w1 w2 w3", 16)
    assert ids.shape == mask.shape == (1, 16)
    assert mask.sum() == 3


def test_only_the_prompts_own_tokens_are_encoded_with_the_same_result():
    enc, model = make_encoder()
    emb = enc.encode("a lighthouse in a storm")
    length = 5 + 1  # its words and the end of sequence
    assert model.last_tokens == length  # not the 512 padded slots
    ids, mask = enc.tokenizer("a lighthouse in a storm", 512)
    with torch.no_grad():
        padded = model.inner(input_ids=ids, attention_mask=mask).last_hidden_state
    assert torch.allclose(emb[:, :length], padded[:, :length], atol=1e-5)
    assert emb[0, length:].abs().sum() == 0


def test_moving_the_encoder_waits_for_an_encoding_in_progress():
    import threading
    import time

    enc, model = make_encoder()
    started, release = threading.Event(), threading.Event()
    inner_forward = model.forward

    def slow(**kw):
        started.set()
        assert release.wait(60)
        return inner_forward(**kw)

    model.forward = slow
    encoding = threading.Thread(target=enc.encode, args=("a slow prompt",))
    encoding.start()
    assert started.wait(60)
    mover = threading.Thread(target=enc.move_to, args=("cpu",))
    mover.start()
    time.sleep(0.3)
    assert mover.is_alive()  # never half-way through someone's encoding
    release.set()
    encoding.join(60)
    mover.join(60)
    assert not mover.is_alive() and enc.cached("a slow prompt")


def test_prompts_are_cleaned_as_the_wan_pipeline_cleans_them():
    from vcam.engine.text import clean_prompt

    assert clean_prompt("cats &amp;amp; dogs") == "cats & dogs"  # entities, unescaped twice
    assert clean_prompt("\u201cneon\u201d  city\n") == '"neon" city'  # a Mac's smart quotes
    assert clean_prompt("caf\u00c3\u00a9 at dusk") == "caf\u00e9 at dusk"  # UTF-8 read as Latin-1
    enc, model = make_encoder()
    same = enc.encode("a \u201cneon\u201d city")
    assert model.calls == 1 and torch.equal(enc.encode('a "neon" city'), same) and model.calls == 1


def test_every_prompt_the_encoder_reads_as_nothing_is_refused_before_it_reaches_the_stream():
    """The stream refuses a prompt that clean_prompt leaves empty at its block, after a command that named it was
    answered and logged; vcam.control.commands.blank_prompt, which refuses it where it is given, finds blank exactly
    the prompts clean_prompt empties: one rule (vcam.prompttext), where the two were kept apart and blank_prompt
    found more (a zero-width space, which clean_prompt kept and the real tokenizer read)."""
    from vcam.control.commands import blank_prompt
    from vcam.engine.text import clean_prompt

    chars = [chr(c) for c in [*range(0x3000), *range(0xfe00, 0x10000), 0x1d173, 0xe0001, 0xe0020]
             if not 0xd800 <= c < 0xe000]
    texts = chars + [f"&#{ord(c)};" for c in chars] + [
        "&amp;amp;nbsp;", "&amp;amp;amp;#8203;", "&NBSP;", "&nbsp;&ensp;&thinsp;", "\x1b[31m", "\x1b[1;32m\x1b[0m",
        "&#27;[0m", "\u00c2\u00a0", "\u00e2\u20ac\u0192", "\ufffc \ufeff", "\r\n\t\x0b\x0c"]
    told_apart = [t for t in texts if (not clean_prompt(t)) != blank_prompt(t)]
    assert told_apart == []


# Characters that print nothing, which a page or a chat copies into a prompt: zero-width space, word joiner, byte
# order mark, soft hyphen, left-to-right mark
INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u200e"]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_a_prompt_with_a_character_that_prints_nothing_is_one_prompt_wherever_it_is_given(mark):
    """Typed (and sent by MIDI or OSC, which go through the same parser) the character was dropped; written in a
    show file or replayed from a log it was kept: what looks like one prompt was two cache entries, two encodes,
    and two sets of tokens."""
    from vcam.control.actions import from_dict
    from vcam.control.commands import parse
    from vcam.control.show import parse_show

    written = f"a neon{mark} city at night"
    show = parse_show(f"presets:\n  - name: city\n    prompt: \"{written}\"\n", "show.yaml")
    logged = from_dict({"op": "prompt", "prompts": {written: 1.0}, "transition": 0})
    texts = [*show.presets[0].prompts, *logged.prompts, parse(f"prompt {written}").args[0]]
    assert texts[:2] == [written, written] and texts[2] == "a neon city at night"
    enc, model = make_encoder()
    embeddings = [enc.encode(text) for text in texts]
    assert model.calls == 1 and all(torch.equal(e, embeddings[0]) for e in embeddings)


def test_a_joiner_inside_a_word_is_read_as_typing_keeps_it():
    from vcam.engine.text import clean_prompt

    assert clean_prompt("a \U0001f469\u200d\U0001f3a4 on stage\u200b") == "a \U0001f469\u200d\U0001f3a4 on stage"


@pytest.mark.parametrize("text", ["a \U0001fa77 heart", "\U0001fae8", "verse \u06dd\u0661\u0662", "year \u0600\u0661"])
def test_a_character_that_prints_though_python_cannot_tell_is_kept_wherever_the_prompt_is_given(text):
    """An emoji newer than this Python's Unicode (🩷, 🫨: unassigned here) and the sign round an Arabic verse's or
    year's number print, but Python calls them not printable: a show's or a log's prompt lost them to the text
    encoder, and one of them alone was refused as printing nothing."""
    from vcam.control.commands import blank_prompt, parse
    from vcam.engine.text import clean_prompt

    assert not text.isprintable()  # what makes it a case: Python's own answer is no
    assert clean_prompt(text) == text
    assert parse(f"prompt {text}").args[0] == text and not blank_prompt(text)
    assert clean_prompt("a\ufdd0 b\ufffe") == "a b"  # a noncharacter still prints nothing


def test_without_ftfy_loading_is_refused_at_once_with_the_fix(monkeypatch):
    import sys

    import pytest

    import vcam
    from vcam.errors import VcamError

    monkeypatch.setitem(sys.modules, "ftfy", None)  # not installed
    with pytest.raises(VcamError, match="ftfy") as err:
        vcam.load("tiny", progress=False)
    assert "pip install" in err.value.fix


def test_a_prompt_longer_than_the_encoder_reads_is_said_once_with_where_it_is_cut():
    enc, _ = make_encoder()
    said = []
    enc.on_cut = said.append
    enc.encode("a " * 511)  # 511 words and the end of sequence: every slot, nothing cut
    enc.encode("a short prompt")
    assert said == []
    long = " ".join(f"word{i}" for i in range(600))  # 600 words: past 512 tokens whatever the tokenizer
    enc.encode(long)
    enc.encode(long)  # cached: said already
    assert len(said) == 1, said
    # word0 is "word" and "0": 511 tokens end in the middle of word255
    assert "512 tokens" in said[0] and "word254 word'" in said[0] and "256 of its 600 words" in said[0], said[0]


# A prompt as a show has them: 150 words, 945 bytes, 185 tokens here (UMT5's tokenizer: somewhat more)
SCENE = ("A lone lighthouse keeper climbs the spiral stairs at dusk, lantern swinging, while storm clouds gather over "
         "a restless grey sea. Waves crash against black rocks below, throwing white spray high into the wind. "
         "Inside, brass instruments gleam under a flickering oil lamp; maps of forgotten coastlines cover the "
         "curved stone walls. Through the salt-streaked window, a small fishing boat fights the swell, its red "
         "hull rising and falling as lightning splits the horizon. The keeper lights the great lens, and a slow "
         "beam sweeps across the water, catching gulls in flight and rain in silver threads. Cinematic, moody, "
         "volumetric light, film grain, muted teal and amber palette, shallow depth of field, 35mm anamorphic "
         "lens, slow dolly in, highly detailed, atmospheric haze, dramatic shadows, painterly textures, quiet "
         "tension, the sense of a long night ahead, wooden floorboards creaking, rope coiled by the door, a "
         "kettle steaming on the iron stove.")


def test_a_150_word_prompt_that_the_real_encoder_reads_whole_is_read_whole_and_not_said_cut():
    """A token a byte cut it at its 511th byte on the tiny model, and said so, where UMT5 reads all of it."""
    assert len(SCENE.split()) == 150 and len(SCENE.encode()) > 511
    enc, model = make_encoder()
    said = []
    enc.on_cut = said.append
    enc.encode(SCENE)
    assert said == [] and model.last_tokens < 512
    assert enc.tokenizer.cut(SCENE, 512) is None


def test_the_tiny_tokenizer_splits_where_a_sentencepiece_token_must_end():
    """Never fewer splits than the real tokenizer has: a token a word at least, punctuation and digits apart from
    letters, 16 characters at most; so its count is one the real count is at least."""
    def split(text: str) -> list[str]:
        return [text[a:b] for a, b in pieces(text)]

    assert split("a neon city at night, rain.") == ["a", "neon", "city", "at", "night", ",", "rain", "."]
    assert split("35mm f/1.4 héllo") == ["35", "mm", "f", "/1.4", "héllo"]
    assert split("x" * 40) == ["x" * 16, "x" * 16, "x" * 8]
    assert split("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # a vowel sign stays with its letter
    tok = PieceTokenizer(512)
    ids, mask = tok("night midnight night", 8)
    assert ids[0, 0] == ids[0, 2] != ids[0, 1] and mask.sum() == 4
    # the same ids in every run (a render of a log makes its show's pictures again): fixed numbers, which Python's
    # hash() of the piece, seeded afresh in each process, would not give; comparing two calls in one run could not
    assert tok("a neon city", 8)[0].tolist() == [[237, 401, 359, PieceTokenizer.eos_id, 0, 0, 0, 0]]


def test_the_hf_tokenizer_says_what_of_a_long_prompt_it_keeps(weights_folder):
    tok = HFTokenizer(str(weights_folder / "tokenizer"))
    assert tok.cut("w1 w2 w3", 16) is None
    assert tok.cut(" ".join(f"w{i}" for i in range(40)), 16) == " ".join(f"w{i}" for i in range(16))


def test_a_prompt_cut_short_is_said_as_the_show_starts():
    from types import SimpleNamespace

    from vcam.engine.speed import SpeedOptions
    from vcam.live.streamopen import stream_opener

    long = " ".join(f"word{i}" for i in range(600))
    cfg = SimpleNamespace(width=64, height=32, prompts={long: 1.0}, seed=0, steps=1, transition=0,
                          pin_first_latent=False, bias=1.0, strength=0.5, adapt=False)
    inputs = SimpleNamespace(resize=lambda w, h: None)
    said = []
    stream_opener(SimpleNamespace(weights=None), "tiny", cfg, SimpleNamespace(options=SpeedOptions(compile=False)),
                  [], inputs, said.append)(lambda message: None)
    assert len(said) == 1 and "is longer than the text encoder's 512 tokens" in said[0], said


def test_a_prompt_cut_short_is_said_as_it_was_written():
    """Its first words were said as repr() writes them: the joiner of 👩‍🎤 escaped, a backslash doubled."""
    from vcam.engine.text import cut_note

    prompt = "\U0001F469\u200d\U0001F3A4 on a stage, C:\\ lit " + " ".join(f"word{i}" for i in range(600))
    note = cut_note(prompt, " ".join(prompt.split()[:500]), 512)
    assert note.startswith("prompt '\U0001F469\u200d\U0001F3A4 on a stage, C:\\ lit word0 word1 word…' is longer"), note


def test_the_prompts_held_stay_cached_past_the_budget_while_others_come_and_go():
    enc, model = make_encoder()
    enc.hold(["one", "  two "])
    enc.cache_bytes = 1
    for p in ["one", "two", "three", "four"]:
        enc.encode(p)
    assert enc.cached("one") and enc.cached("two") and not enc.cached("three") and enc.cached("four")
    calls = model.calls
    enc.encode("two")
    assert model.calls == calls


def test_a_show_with_more_prompts_than_the_cache_holds_keeps_them_all_once_the_encoder_leaves_the_gpu(monkeypatch):
    """On a card short of memory the show's prompts are encoded before the text encoder moves to the CPU, where
    each would take seconds on air: none is dropped for the next, however long they are together."""
    import dataclasses
    from types import SimpleNamespace

    import vcam.engine.load as load_module
    from vcam.engine.speed import SpeedOptions
    from vcam.live.streamopen import stream_opener

    def small_cache(*a, **kw):
        engine = dataclasses.replace(shared(*a, **kw), offload_text_after_start=True)
        engine.text.cache_bytes = 1  # under one prompt: as krea-14b's 256 MiB is under 64 prompts of 512 tokens
        return engine

    shared = load_module.load
    monkeypatch.setattr(load_module, "load", small_cache)
    monkeypatch.setattr(load_module.Engine, "offload_text", lambda self: None)
    presets = ["a neon city", "a forest", "the sea at dawn"]
    cfg = SimpleNamespace(width=64, height=32, prompts={"a desert": 1.0}, seed=0, steps=1, transition=0,
                          pin_first_latent=False, bias=1.0, strength=0.5, adapt=False)
    stream = stream_opener(SimpleNamespace(weights=None), "tiny", cfg,
                           SimpleNamespace(options=SpeedOptions(compile=False)), presets,
                           SimpleNamespace(resize=lambda w, h: None), lambda line: None)(lambda message: None)
    assert all(stream.engine.text.cached(p) for p in presets + ["a desert"])


def test_vcam_check_says_cut_the_prompts_the_run_says_cut_as_the_encoder_reads_them(tmp_path):
    """`vcam check` counted a prompt as written, the run as the encoder reads it (entities unescaped, what prints
    nothing dropped): `rain&amp;fog` 150 times was said cut at check, and read whole on air."""
    import re

    from vcam.cmdline.check import _cut_prompts
    from vcam.control.show import load_show

    prompts = ["rain&amp;fog " * 150, "fog, " * 380, "a&amp;b " * 200, SCENE, "&lt;neon&gt; city"]
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n" + "".join(f"  - {{name: p{i}, prompt: '{p}'}}\n" for i, p in enumerate(prompts)))
    enc, _ = make_encoder()
    said: list[str] = []
    enc.on_cut = said.append
    run = []
    for p in load_show(show).presets:
        said.clear()
        enc.encode(next(iter(p.prompts)))
        run += [f"  preset {int(p.name[1:]) + 1} '{p.name}': {note}" for note in said]

    def verdict(line: str) -> tuple[str, ...]:  # the preset, the prompt, and the last words read
        return re.fullmatch(r"(  preset \d+ '\w+'): prompt '(.*)' is longer than .* up to '…(.*)' \(.*", line).groups()

    assert [verdict(line) for line in _cut_prompts(load_show(show))] == [verdict(line) for line in run]
    assert [line.split(":")[0] for line in run] == ["  preset 2 'p1'", "  preset 3 'p2'"], run


def test_vcam_check_says_cut_a_long_prompt_a_cue_or_a_button_puts_on_air(tmp_path, capsys):
    """`vcam check` counted the presets' prompts alone: a cue's or a MIDI or OSC button's `prompt TEXT` past the
    encoder's tokens passed the check, and was cut on air without a word before the show."""
    from vcam.cli import main

    long = "fog, " * 380
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: city, prompt: a neon city}\n"
                    f"cues:\n  - {{name: open, do: preset 1}}\n  - {{name: haze, do: ['prompt {long}']}}\n"
                    f"midi:\n  controls:\n    - {{note: 36, command: 'prompt {long}'}}\n"
                    "    - {note: 37, command: 'prompt a short one'}\n"
                    f"osc:\n  controls:\n    - {{address: /1/push1, command: 'prompt {long}'}}\n")
    assert main(["check", str(show)]) == 0
    cut = [line.split(": prompt")[0] for line in capsys.readouterr().out.splitlines() if "is longer than" in line]
    assert cut == ["  cue 2 'haze'", "  midi note 36", "  osc /1/push1"]


def test_vcam_check_tells_apart_the_cues_and_buttons_whose_prompts_are_cut(tmp_path, capsys):
    """An unnamed cue was labelled with its whole first line (the long prompt itself, thousands of characters
    before the note); note 36 on two channels were both `midi note 36`, and an OSC button's command and release
    both `osc /1/t`: which to shorten could not be told."""
    from vcam.cli import main
    from vcam.control.commands import SHOWN_CHARS

    long = "fog, " * 380
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: city, prompt: a neon city}\n"
                    f"cues:\n  - {{do: ['prompt {long}']}}\n"
                    f"midi:\n  controls:\n    - {{note: 36, channel: 1, command: 'prompt {long}'}}\n"
                    f"    - {{note: 36, channel: 2, command: 'prompt {long}'}}\n"
                    f"osc:\n  controls:\n    - {{address: /1/t, command: 'prompt {long}', release: 'prompt {long}'}}\n")
    assert main(["check", str(show)]) == 0
    cut = [line.split(": prompt")[0] for line in capsys.readouterr().out.splitlines() if "is longer than" in line]
    cue = f"prompt {long}"[:SHOWN_CHARS] + "…"
    assert cut == [f"  cue 1 '{cue}'", "  midi note 36 ch 1", "  midi note 36 ch 2", "  osc /1/t",
                   "  osc /1/t release"]
