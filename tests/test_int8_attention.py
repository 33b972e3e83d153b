"""--attention-quant int8 (SageAttention 1.0.6's INT8 Q·K kernel): refused where it cannot run; when chosen, the
self-attention of the unbiased passes goes through `sageattn` with the layout and arguments it expects, the
cross-attention and the biased passes stay on the exact paths, and the KV cache is left as the plain pass leaves it;
never a default, never a tuning candidate. The kernel itself needs a card: here a stand-in `sageattention` module
records each call and computes exact SDPA (scripts/gpu_check.py's int8_attention row measures the real one)."""
import importlib.machinery
import sys
import types

import pytest
import torch
import torch.nn.functional as F

from vcam.engine.attention import KeyBias, int8_attention_unsupported, require_int8_attention
from vcam.engine.configs import WanConfig
from vcam.engine.model import CausalWanModel, KVCache, init_random_
from vcam.engine.speed import SpeedOptions
from vcam.errors import VcamError

EXACT_SDPA = F.scaled_dot_product_attention  # the stand-in's own, whatever a test records of the model's calls
CFG = WanConfig(dim=128, ffn_dim=128, num_heads=2, num_layers=2, freq_dim=32, text_dim=32)  # heads of 64


class FakeSage:
    """A `sageattention` module whose `sageattn` records its arguments and computes exact SDPA. Like the real one
    it subtracts K's mean in place when asked to smooth K (`smooth_k`, its default): a caller handing it a view of
    the KV cache with smoothing on would change the cache, as the real kernel would."""

    def __init__(self):
        self.calls = []
        self.module = types.ModuleType("sageattention")
        # a spec, as an imported module has: diffusers asks importlib.util.find_spec("sageattention") when first
        # imported, which refuses a module in sys.modules without one
        self.module.__spec__ = importlib.machinery.ModuleSpec("sageattention", None)
        self.module.sageattn = self.sageattn

    def sageattn(self, q, k, v, tensor_layout="HND", is_causal=False, sm_scale=None, smooth_k=True, **kwargs):
        self.calls.append({"q": tuple(q.shape), "k": tuple(k.shape), "v": tuple(v.shape), "dtype": q.dtype,
                           "layout": tensor_layout, "causal": is_causal, "smooth_k": smooth_k, "kwargs": kwargs,
                           "last_dim_contiguous": q.stride(-1) == k.stride(-1) == v.stride(-1) == 1})
        if smooth_k:
            k -= k.mean(dim=2, keepdim=True)
        return EXACT_SDPA(q, k, v, scale=sm_scale)


@pytest.fixture
def sage(monkeypatch):
    fake = FakeSage()
    monkeypatch.setitem(sys.modules, "sageattention", fake.module)
    return fake


def setup(seed=0, h=8, w=12):
    model = init_random_(CausalWanModel(CFG), seed).eval()
    gen = torch.Generator().manual_seed(seed)
    context = torch.randn(1, 16, 3, h, w, generator=gen)
    x = torch.randn(1, 16, 3, h, w, generator=gen)
    text = model.text_kv(torch.randn(1, 20, 32, generator=gen))
    return model, context, x, text, model.tokens_per_frame(h, w)


@torch.no_grad()
def block_pass(model, context, x, text, tokens, **kwargs):
    """A stream's later block: the context recomputed at frames 0..2, then one denoising pass at 3..5; the output
    and the cache it leaves."""
    cache = KVCache(CFG, 1, 6 * tokens, torch.float32, "cpu")
    model(context, torch.zeros(1, 3), text, cache=cache)
    out = model(x, torch.full((1, 3), 700.0), text, frame_start=3, cache=cache, cache_start=3 * tokens, **kwargs)
    return out, cache


# --- where it cannot run ----------------------------------------------------------------------------------------
def test_refused_on_the_cpu():
    assert "needs an NVIDIA GPU" in int8_attention_unsupported(torch.device("cpu"), 128)
    with pytest.raises(VcamError, match="NVIDIA GPU") as e:
        require_int8_attention(torch.device("cpu"), 128)
    assert "run without --attention-quant int8" in str(e.value)


@pytest.fixture
def a_hopper(monkeypatch):
    """A CUDA device of compute capability 9.0, as far as the checks can tell (no card is touched)."""
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (9, 0))
    monkeypatch.setattr(torch.version, "hip", None)
    return torch.device("cuda")


def test_refused_for_a_head_size_its_kernels_lack(a_hopper, sage):
    why = int8_attention_unsupported(a_hopper, 32)  # the tiny model's heads
    assert "supports heads of 64, 96, 128" in why and "this model's are 32" in why
    assert int8_attention_unsupported(a_hopper, 128) is None  # krea-14b's heads, with the package there


def test_refused_without_the_package_naming_the_version_to_install(a_hopper, monkeypatch):
    monkeypatch.setitem(sys.modules, "sageattention", None)  # `import sageattention` raises ImportError
    why = int8_attention_unsupported(a_hopper, 128)
    assert "pip install sageattention==1.0.6" in why


def test_refused_before_ampere(a_hopper, sage, monkeypatch):
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (7, 5))
    assert "compute capability 8.0 or newer; this GPU has 7.5" in int8_attention_unsupported(a_hopper, 128)


def test_loading_with_int8_on_the_cpu_is_one_clear_error(sage):
    import vcam

    with pytest.raises(VcamError, match="INT8 attention .*needs an NVIDIA GPU"):
        vcam.load("tiny", progress=False, speed=SpeedOptions(attention_quant="int8"))


def test_the_bench_command_refuses_it_on_the_cpu_in_one_line(capsys):
    from vcam.cli import main

    assert main(["bench", "--model", "tiny", "--blocks", "1", "--warmup", "0", "--attention-quant", "int8"]) == 2
    err = capsys.readouterr().err
    assert "needs an NVIDIA GPU" in err and "Traceback" not in err


def test_an_unknown_value_is_refused():
    with pytest.raises(ValueError, match="unknown attention quantization 'fp8'; choose one of none, int8"):
        SpeedOptions(attention_quant="fp8")


# --- the model's routing ----------------------------------------------------------------------------------------
def test_chosen_the_self_attention_goes_through_sageattn_and_equals_sdpa_through_it(sage):
    """Same frames as the plain pass (the stand-in computes exact SDPA on the smoothed K: only rounding moves),
    one call per layer per pass (so no cross-attention among them), in SageAttention's HND layout and the model's
    dtype, K smoothed by vcam and not by SageAttention in place, and the KV cache left as the plain pass leaves it
    (SageAttention's own smoothing would have shifted it by K's mean)."""
    model, context, x, text, tokens = setup()
    plain, plain_cache = block_pass(model, context, x, text, tokens)
    assert sage.calls == []
    got, cache = block_pass(model.set_int8_attention(True), context, x, text, tokens)
    torch.testing.assert_close(got, plain, atol=1e-5, rtol=1e-4)
    # layer 0's keys and values come before any attention: the same bits; the later layers' within rounding
    assert torch.equal(cache.k[0], plain_cache.k[0]) and torch.equal(cache.v[0], plain_cache.v[0])
    torch.testing.assert_close(cache.k, plain_cache.k, atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(cache.v, plain_cache.v, atol=1e-5, rtol=1e-4)
    heads, d = CFG.num_heads, CFG.head_dim
    recompute = {"q": (1, heads, 3 * tokens, d), "k": (1, heads, 3 * tokens, d), "v": (1, heads, 3 * tokens, d)}
    denoise = {"q": (1, heads, 3 * tokens, d), "k": (1, heads, 6 * tokens, d), "v": (1, heads, 6 * tokens, d)}
    assert [{n: c[n] for n in "qkv"} for c in sage.calls] == [recompute] * CFG.num_layers + [denoise] * CFG.num_layers
    for call in sage.calls:
        assert call["layout"] == "HND" and call["causal"] is False and call["smooth_k"] is False
        assert call["dtype"] == model.dtype and call["last_dim_contiguous"] and call["kwargs"] == {}


def test_the_cross_attention_stays_plain_sdpa(sage, monkeypatch):
    """Every cross-attention (keys: the prompt's 20 tokens) goes to SDPA; no SDPA call sees the self-attention's
    keys."""
    import vcam.engine.model as model_module

    model, context, x, text, tokens = setup(seed=1)
    sdpa_keys = []

    def recording_sdpa(q, k, v, *args, **kwargs):
        sdpa_keys.append(k.shape[2])
        return EXACT_SDPA(q, k, v, *args, **kwargs)

    monkeypatch.setattr(model_module.F, "scaled_dot_product_attention", recording_sdpa)
    block_pass(model.set_int8_attention(True), context, x, text, tokens)
    assert sdpa_keys == [20] * (2 * CFG.num_layers)
    assert len(sage.calls) == 2 * CFG.num_layers


def test_passes_with_an_attention_bias_stay_exact(sage):
    """Krea's bias needs each key segment's LSE, which sageattn does not return: the biased denoising pass runs
    the exact segmented attention (the same output as without INT8); the recompute pass, at no bias, runs INT8."""
    model, context, x, text, tokens = setup(seed=2)
    bias = KeyBias(tokens, 3 * tokens, 0.3)
    want, _ = block_pass(model, context, x, text, tokens, key_bias=bias)
    got, _ = block_pass(model.set_int8_attention(True), context, x, text, tokens, key_bias=bias)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)
    assert [c["k"][2] for c in sage.calls] == [3 * tokens] * CFG.num_layers  # the recompute pass only


def test_a_masked_pass_stays_plain(sage):
    model, context, x, text, tokens = setup(seed=3)
    mask = torch.ones(3 * tokens, 3 * tokens, dtype=torch.bool).tril()
    with torch.no_grad():
        want = model(x, torch.full((1, 3), 500.0), text, mask=mask)
        got = model.set_int8_attention(True)(x, torch.full((1, 3), 500.0), text, mask=mask)
    assert torch.equal(got, want) and sage.calls == []


def test_set_back_off_it_is_the_plain_pass_bit_for_bit(sage):
    model, context, x, text, tokens = setup(seed=4)
    plain, _ = block_pass(model, context, x, text, tokens)
    block_pass(model.set_int8_attention(True), context, x, text, tokens)
    calls = len(sage.calls)
    again, _ = block_pass(model.set_int8_attention(False), context, x, text, tokens)
    assert torch.equal(again, plain) and len(sage.calls) == calls


# --- the engine, the defaults and the tuning ----------------------------------------------------------------
def test_an_engine_asked_for_int8_makes_the_plain_frames_through_it(sage, tiny_engine, monkeypatch):
    """Through load's speed options (the card check waved through: this is the CPU): the stream's self-attention
    goes to sageattn and, as the stand-in is exact, the frames are the plain engine's within a level of rounding."""
    import vcam
    import vcam.engine.load as load_module

    monkeypatch.setattr(load_module, "require_int8_attention", lambda device, head_dim: None)
    engine = vcam.load("tiny", progress=False, speed=SpeedOptions(attention_quant="int8"))
    assert engine.speed.attention_quant == "int8"
    assert all(block.self_attn.int8 for block in engine.model.blocks)
    got = [engine.stream("a neon city", seed=5).next_block() for _ in range(1)][0]
    want = tiny_engine.stream("a neon city", seed=5).next_block()
    assert sage.calls and abs(got.astype(int) - want.astype(int)).max() <= 1


def test_the_default_is_the_exact_attention(sage, tiny_engine):
    assert SpeedOptions().attention_quant == "none"
    assert SpeedOptions.live_defaults(on_gpu=True).attention_quant == "none"
    assert not any(block.self_attn.int8 for block in tiny_engine.model.blocks)
    tiny_engine.stream("a neon city", seed=5).next_block()
    assert sage.calls == []


def test_tuning_never_picks_it_but_keeps_it_when_asked_and_keys_it():
    from vcam.bench.tuning import TuningKey, candidates, choose_speed
    from vcam.engine.speed import SpeedFlags

    for device in ("cuda", "cpu"):
        assert all(o.attention_quant == "none" for o in candidates(device, "none"))
        assert all(o.attention_quant == "int8" for o in candidates(device, "fp8", attention_quant="int8"))
    plain = TuningKey("NVIDIA H200", "2.11", "krea-14b", 832, 480, 4, "bfloat16", "none")
    int8 = TuningKey("NVIDIA H200", "2.11", "krea-14b", 832, 480, 4, "bfloat16", "none", attention_quant="int8")
    assert plain.text() == "NVIDIA H200 | torch 2.11 | krea-14b | 832x480 | 4 steps | bfloat16 | quant none"
    assert int8.text() == plain.text() + " | attention quant int8"
    by_hand = choose_speed(int8, SpeedFlags(attention="cudnn"), use_tuning=False)
    assert by_hand.options.attention_quant == "int8" and by_hand.options.attention == "cudnn"


def test_a_hand_edited_tuning_entry_cannot_turn_it_on(tmp_path):
    import json

    from vcam.bench.tuning import TuningKey, lookup

    key = TuningKey("NVIDIA H200", "2.11", "krea-14b", 832, 480, 4, "bfloat16", "none")
    path = tmp_path / "tuning.json"
    path.write_text(json.dumps({"version": 1, "entries": {key.text(): {"options": {"attention_quant": "int8"}}}}))
    found = lookup(*[getattr(key, n) for n in ("device", "model", "width", "height", "steps", "dtype", "quant")],
                   torch_version=key.torch, path=path)
    assert found is not None and found[0].attention_quant == "none"


def test_the_flag_on_run_serve_and_bench_and_the_bench_line_naming_it():
    from vcam.bench.bench import BenchResult
    from vcam.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["bench"]).attention_quant == "none"
    for command in ("run", "serve"):  # not given: a replayed log's, else none (live.settings.as_logged)
        assert parser.parse_args([command]).attention_quant is None
    for command in ("run", "serve", "bench"):
        assert parser.parse_args([command, "--attention-quant", "int8"]).attention_quant == "int8"
    result = BenchResult(device="H200", model="krea-14b", width=832, height=480, steps=4, dtype="bfloat16",
                         compile=True, fuse=True, attention="auto", quant="none", blocks=8, frames_per_second=8.0,
                         ms_per_block=1500.0)
    assert "attention quant" not in result.table()
    assert "attention quant int8" in BenchResult(**{**result.__dict__, "attention_quant": "int8"}).table()
    assert "attention_quant int8" in SpeedOptions(attention_quant="int8").describe()


def test_a_tiny_show_on_int8_says_so_on_air_and_in_its_log(sage, tmp_path, monkeypatch):
    import io
    import json

    import vcam.engine.load as load_module
    from vcam.live.run import RunOptions, run

    monkeypatch.setattr(load_module, "require_int8_attention", lambda device, head_dim: None)  # the CPU: waved on
    status, log = io.StringIO(), tmp_path / "log.jsonl"
    code = run(RunOptions(model="tiny", outs=["null"], duration=1.0, stdin=False, attention_quant="int8",
                          status_out=status, log_controls=str(log)))
    assert code == 0, status.getvalue()
    assert "on air: tiny at 112x64, 4 steps, INT8 attention" in status.getvalue()
    assert json.loads(log.read_text().splitlines()[0])["vcam"]["attention_quant"] == "int8"  # vcam render follows
    assert sage.calls
