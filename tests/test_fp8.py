"""The FP8 path (`--quant fp8`) through torchao itself, on the CPU.

torchao runs its FP8 matrices only on Ada, Hopper and Blackwell cards and says so before quantizing; its CPU
fallback computes the same per-row FP8 arithmetic slowly. These tests lift that one hardware check (and ours) so
that everything vcam does around FP8 runs for real here: quantizing block by block while a checkpoint is read,
fused q/k/v in FP8, streaming, compiling, and the memory estimate against what torchao actually stores."""
import pytest
import torch

import vcam
from helpers import psnr
from vcam.engine.configs import get_spec
from vcam.engine.model import CausalWanModel, init_random_
from vcam.engine.memory import estimate_vram

torchao = pytest.importorskip("torchao", reason="FP8 needs torchao (the fp8 extra)")


@pytest.fixture
def fp8_on_cpu(monkeypatch):
    import torchao.quantization.quant_api as quant_api

    import vcam.engine.memory
    import vcam.engine.quant

    monkeypatch.setattr(quant_api, "_check_hardware_support", lambda granularity: None)
    for module in (vcam.engine.quant, vcam.engine.memory):
        monkeypatch.setattr(module, "fp8_unsupported", lambda device: None)


def stored_bytes(t: torch.Tensor) -> int:
    if hasattr(t, "qdata"):  # torchao's Float8Tensor: FP8 values and their per-row scales
        return t.qdata.numel() * t.qdata.element_size() + t.scale.numel() * t.scale.element_size()
    return t.numel() * t.element_size()


def blocks_of_frames(engine, n=3):
    stream = engine.stream("a lighthouse in a storm", seed=4)
    return [stream.next_block() for _ in range(n)]


def load(folder, **speed):
    return vcam.load("tiny", weights=folder, device="cpu", dtype=torch.bfloat16, progress=False,
                     speed=vcam.SpeedOptions(**speed))


def test_fp8_while_loading_a_checkpoint(fp8_on_cpu, weights_folder):
    bf16 = blocks_of_frames(load(weights_folder))
    engine = load(weights_folder, quant="fp8")
    linears = [m for m in engine.model.blocks.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(type(m.weight).__name__ == "Float8Tensor" for m in linears)
    assert engine.model.blocks[0].self_attn.qkv is not None  # fused first, then quantized
    assert all(m.weight.dtype == torch.bfloat16 for m in (engine.model.head.head,))  # the head stays bf16
    fp8 = blocks_of_frames(engine)
    assert all(f.shape == b.shape and f.std() > 1.0 for f, b in zip(fp8, bf16))
    # The first block carries FP8's own rounding only; later ones also carry it through the KV cache, and the
    # random tiny network amplifies small differences, so only the first is held to a close figure.
    first = psnr(fp8[0], bf16[0])
    assert 30.0 < first < 80.0, first  # close to bf16, and not bf16 itself


def test_the_memory_estimate_is_what_torchao_stores(fp8_on_cpu):
    spec = get_spec("tiny")
    model = init_random_(CausalWanModel(spec.transformer), 0).cast(torch.bfloat16)
    bf16_bytes = sum(stored_bytes(p) for p in model.parameters())
    assert estimate_vram(spec, 112, 64, quant="none").parts["transformer"] == bf16_bytes
    from vcam.engine.quant import quantize_fp8

    quantize_fp8(model.fuse_qkv().blocks, torch.device("cpu"))
    fp8_bytes = sum(stored_bytes(p) for p in model.parameters())
    assert estimate_vram(spec, 112, 64, quant="fp8").parts["transformer"] == fp8_bytes < 0.8 * bf16_bytes


def test_fp8_on_a_random_engine_as_the_benchmark_builds_it(fp8_on_cpu):
    from vcam.engine.load import random_engine

    engine = random_engine(get_spec("tiny"), torch.device("cpu"), torch.bfloat16, vcam.SpeedOptions(quant="fp8"))
    assert type(engine.model.blocks[0].ffn[0].weight).__name__ == "Float8Tensor"
    assert blocks_of_frames(engine, n=2)[-1].std() > 1.0


@pytest.mark.slow  # torch.compile
def test_fp8_compiles_and_keeps_its_frames(fp8_on_cpu, weights_folder):
    """`--quant fp8 --compile`: dynamo traces through torchao's FP8 weights without breaking the graph."""
    import torch._dynamo.utils as dynamo_utils

    eager = blocks_of_frames(load(weights_folder, quant="fp8"), n=1)
    dynamo_utils.counters.clear()
    compiled = blocks_of_frames(load(weights_folder, quant="fp8", compile=True), n=1)
    assert dynamo_utils.counters["stats"]["unique_graphs"] > 0
    assert not dynamo_utils.counters["graph_break"], dict(dynamo_utils.counters["graph_break"])
    assert psnr(compiled[0], eager[0]) > 30.0


def test_the_benchmark_engine_is_quantized_block_by_block(fp8_on_cpu, monkeypatch):
    """As when a checkpoint is read: block i is in FP8 before block i+1 takes memory, so a 24 GB card can bench."""
    import vcam.engine.load
    from vcam.engine.load import random_engine

    made, later_on_meta = [], []

    class Recorded(CausalWanModel):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    real_quantize = vcam.engine.load.quantize_fp8

    def quantize(block, device):
        blocks = list(made[-1].blocks)
        i = next(j for j, b in enumerate(blocks) if b is block)
        later_on_meta.append(all(p.is_meta for b in blocks[i + 1:] for p in b.parameters()))
        return real_quantize(block, device)

    monkeypatch.setattr(vcam.engine.load, "CausalWanModel", Recorded)
    monkeypatch.setattr(vcam.engine.load, "quantize_fp8", quantize)
    spec = get_spec("tiny")
    random_engine(spec, torch.device("cpu"), torch.bfloat16, vcam.SpeedOptions(quant="fp8"))
    assert len(later_on_meta) == spec.transformer.num_layers and all(later_on_meta)
