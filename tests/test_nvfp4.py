"""The NVFP4 path (`--quant nvfp4`): who refuses it and why, and torchao's NVFP4 quantization run on the CPU.

torchao quantizes weights and activations to NVFP4 in plain PyTorch, which runs here; it multiplies them only
through torch._scaled_mm's FP4 kernel (cuBLASLt on a Blackwell card), which the CPU lacks. So the quantization
tests lift torchao's capability check (and ours) and stand in for that one product with its definition: both
operands dequantized (FP4 values times their FP8 block scales times the tensor scale) and multiplied in float32,
which is what the card's block-scaled product computes up to the order of its float32 sums. Everything else
(which Linears are replaced, what is stored, the activations' quantization, the frames) is torchao's own."""
import math
import sys

import pytest
import torch
from torch import nn

import vcam
from helpers import psnr
from vcam.engine.configs import get_spec
from vcam.engine.memory import estimate_vram
from vcam.engine.model import CausalWanModel, init_random_
from vcam.engine.quant import nvfp4_fits, nvfp4_unsupported, quantize_nvfp4, require_nvfp4
from vcam.errors import VcamError, install_fix

CUDA = torch.device("cuda")


@pytest.fixture
def card(monkeypatch):
    """Pretend this machine has a CUDA card of the given capability, its PyTorch built with `cuda`."""
    def set_card(capability: tuple[int, int], cuda: str | None = "12.8", hip: str | None = None):
        monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
        monkeypatch.setattr(torch.version, "cuda", cuda)
        monkeypatch.setattr(torch.version, "hip", hip)

    return set_card


# --- refused, and why, on every kind of device ----------------------------------------------------------------

def test_a_cpu_is_refused():
    why = nvfp4_unsupported(torch.device("cpu"))
    assert why is not None and "Blackwell" in why
    with pytest.raises(VcamError) as err:
        vcam.load("tiny", progress=False, speed=vcam.SpeedOptions(quant="nvfp4"))
    assert err.value.message == why and "run without --quant" in err.value.fix


@pytest.mark.parametrize("capability, name", [((9, 0), "Hopper"), ((8, 9), "Ada")])
def test_hopper_and_ada_are_refused_and_pointed_to_fp8(card, capability, name):
    pytest.importorskip("torchao")
    card(capability)
    why = nvfp4_unsupported(CUDA)
    assert why.endswith(f"this GPU has {capability[0]}.{capability[1]}") and "10.0" in why
    with pytest.raises(VcamError) as err:
        require_nvfp4(CUDA)
    assert "--quant fp8 runs on this card" in err.value.fix


def test_an_older_card_is_refused_without_offering_fp8(card):
    card((8, 6))  # an RTX 3090: neither FP8 nor FP4
    with pytest.raises(VcamError) as err:
        require_nvfp4(CUDA)
    assert "8.6" in err.value.message and "fp8" not in err.value.fix and "run without --quant" in err.value.fix


@pytest.mark.parametrize("capability", [(10, 0), (10, 3), (12, 0)])  # B200, B300, RTX PRO 6000 / RTX 5090
def test_blackwell_cards_pass_with_cuda_12_8_and_torchao(card, capability):
    pytest.importorskip("torchao")
    card(capability, cuda="12.8")
    assert nvfp4_unsupported(CUDA) is None
    card(capability, cuda="13.0")
    assert nvfp4_unsupported(CUDA) is None
    require_nvfp4(CUDA)
    with pytest.raises(VcamError, match="made from bf16 weights"):
        require_nvfp4(CUDA, torch.float16)


def test_a_pytorch_built_with_older_cuda_is_refused(card):
    card((12, 0), cuda="12.6")
    assert nvfp4_unsupported(CUDA) == "NVFP4 needs PyTorch built with CUDA 12.8 or newer; this one has CUDA 12.6"


def test_rocm_is_refused_whatever_its_capability_says(card):
    card((12, 0), cuda=None, hip="6.4")  # ROCm reports its gfx generation as the capability
    assert "ROCm" in nvfp4_unsupported(CUDA)


def test_missing_or_old_torchao_is_named(card, monkeypatch):
    card((12, 0))
    monkeypatch.setitem(sys.modules, "torchao", None)  # not installed: importing it raises ImportError
    # the fp8 extra's line, which keeps pyproject's floor on torchao; a bare `pip install torchao` did not
    assert nvfp4_unsupported(CUDA) == f"NVFP4 needs torchao: {install_fix('fp8')}"
    monkeypatch.delitem(sys.modules, "torchao")
    pytest.importorskip("torchao")
    monkeypatch.setitem(sys.modules, "torchao.prototype.mx_formats", None)  # a torchao without NVFP4's config
    assert nvfp4_unsupported(CUDA).startswith("NVFP4 needs torchao 0.18 or newer (this is ")


def test_an_old_torchao_is_said_with_a_pip_line_a_shell_runs_as_written(card, monkeypatch):
    """It named no line: the user was left to find the version, and a bare torchao>=0.18 typed into a shell installs
    torchao of any version into a file named =0.18."""
    import shlex

    Requirement = pytest.importorskip("packaging.requirements").Requirement
    pytest.importorskip("torchao")
    card((12, 0))
    monkeypatch.setitem(sys.modules, "torchao.prototype.mx_formats", None)  # a torchao without NVFP4's config
    line = nvfp4_unsupported(CUDA).split(": ", 1)[1]
    prog, command, wanted = shlex.split(line, comments=False)
    assert (prog, command) == ("pip", "install") and not any(c in line.replace(f'"{wanted}"', "") for c in "<>|&;")
    needed = Requirement(wanted)
    assert needed.name == "torchao" and "0.17.9" not in needed.specifier and "0.18.0" in needed.specifier


def test_missing_torchao_is_named_for_fp8_with_the_extra_that_brings_it(card, monkeypatch):
    from vcam.engine.quant import fp8_unsupported

    card((9, 0))
    monkeypatch.setitem(sys.modules, "torchao", None)
    assert fp8_unsupported(CUDA) == f"FP8 needs torchao: {install_fix('fp8')}"


def test_a_pytorch_without_fp4_is_refused(card, monkeypatch):
    card((10, 0))
    monkeypatch.delattr(torch, "float4_e2m1fn_x2")
    assert "PyTorch 2.8 or newer" in nvfp4_unsupported(CUDA)


@pytest.mark.parametrize("lacking", ["cuda", "pytorch", "torchao", "old torchao"])
def test_a_blackwell_card_with_old_software_is_told_to_update_it_not_that_nvfp4_is_for_blackwell(card, monkeypatch,
                                                                                                  lacking):
    """The fix ended "--quant nvfp4 is for Blackwell cards only", said to the owner of one: what lacks is software."""
    card((12, 0), cuda="12.6" if lacking == "cuda" else "12.8")
    if lacking == "pytorch":
        monkeypatch.delattr(torch, "float4_e2m1fn_x2", raising=False)
    elif lacking == "torchao":
        monkeypatch.setitem(sys.modules, "torchao", None)
    else:
        pytest.importorskip("torchao")
        monkeypatch.setitem(sys.modules, "torchao.prototype.mx_formats", None)
    if lacking != "pytorch" and not hasattr(torch, "float4_e2m1fn_x2"):
        pytest.skip("this PyTorch has no FP4 type, which is refused first")
    with pytest.raises(VcamError) as err:
        require_nvfp4(CUDA)
    assert "Blackwell" not in err.value.fix and "this card runs --quant nvfp4 once that is installed" in err.value.fix
    # FP8 needs torchao too: without it, bf16 is what runs until then
    assert ("run without --quant (bf16)" if lacking == "torchao" else "--quant fp8 runs on this card") in err.value.fix


def test_a_card_older_than_blackwell_is_still_told_nvfp4_is_for_blackwell_cards(card):
    pytest.importorskip("torchao")
    card((9, 0))
    with pytest.raises(VcamError) as err:
        require_nvfp4(CUDA)
    assert err.value.fix.endswith("--quant nvfp4 is for Blackwell cards only") and "once" not in err.value.fix


@pytest.mark.parametrize("command", [["bench", "--model", "tiny", "--device", "cpu", "--blocks", "1"],
                                     ["run", "--model", "tiny", "--out", "null", "--duration", "1", "--no-stdin"]])
def test_the_command_line_refuses_it_in_one_message(capsys, command):
    from vcam.cli import main

    assert main(command + ["--quant", "nvfp4"]) == 2
    err = capsys.readouterr().err
    assert "NVFP4 needs an NVIDIA Blackwell GPU" in err and "run without --quant" in err
    assert "Traceback" not in err and "VCAM_DEBUG" not in err


def test_nvfp4_is_a_choice_only_when_asked():
    """Listed where --quant is, never a live default nor a tuning candidate of its own."""
    from vcam.bench.tuning import candidates
    from vcam.engine.speed import QUANTS, SpeedOptions

    assert "nvfp4" in QUANTS
    assert SpeedOptions.live_defaults(on_gpu=True).quant == "none"
    assert {o.quant for o in candidates("cuda", "none")} == {"none"}
    assert {o.quant for o in candidates("cuda", "nvfp4")} == {"nvfp4"}


# --- torchao's NVFP4 on the CPU ------------------------------------------------------------------------------

def reference_fp4_product(a, b, aten_op, bias=None):
    """What the card's block-scaled FP4 product gives: both operands at their quantized values, multiplied in
    float32, the bias added, in the activations' dtype."""
    out = a.dequantize(torch.float32) @ b.dequantize(torch.float32)
    if bias is not None:
        out = out + bias.float()
    return out.to(a.orig_dtype)


@pytest.fixture
def nvfp4_on_cpu(monkeypatch):
    pytest.importorskip("torchao")
    import torchao.prototype.mx_formats.inference_workflow as workflow
    import torchao.prototype.mx_formats.nvfp4_tensor as nvfp4_tensor

    import vcam.engine.quant

    monkeypatch.setattr(workflow, "is_sm_at_least_100", lambda: True)
    monkeypatch.setattr(nvfp4_tensor, "_addmm_nvfp4_dispatch", reference_fp4_product)
    monkeypatch.setattr(vcam.engine.quant, "nvfp4_unsupported", lambda device: None)


def stored_bytes(t: torch.Tensor) -> int:
    if type(t).__name__ == "NVFP4Tensor":  # FP4 values (two a byte), FP8 block scales, a float32 tensor scale
        parts = [t.qdata, t.scale] + [s for s in (t.per_tensor_scale, t.act_per_tensor_scale) if s is not None]
        return sum(p.numel() * p.element_size() for p in parts)
    return t.numel() * t.element_size()


def sqnr_db(reference: torch.Tensor, got: torch.Tensor) -> float:
    reference, got = reference.float(), got.float()
    return 20 * math.log10(reference.norm() / (got - reference).norm())


def test_one_linear_in_nvfp4_is_as_close_as_4_bits_allow(nvfp4_on_cpu):
    """A Gaussian Linear: torchao's NVFP4 keeps about 20.4 dB of a Gaussian tensor (e2m1's 8 magnitudes under an
    FP8 scale per 16 values; measured on 640x1728 and 5120x4096). Weight and activations are quantized apart, so
    their errors add in power: about 20.4 - 3 = 17.4 dB for the product. Bounds 16-19 dB: nearer would mean
    something was not quantized (bf16 alone keeps over 40 dB), farther a lost scale."""
    torch.manual_seed(0)
    linear = nn.Linear(640, 1728, bias=False).to(torch.bfloat16)
    x = torch.randn(256, 640, dtype=torch.bfloat16)
    with torch.no_grad():
        exact = x.float() @ linear.weight.float().t()
        quantize_nvfp4(nn.Sequential(linear), torch.device("cpu"))
        assert type(linear.weight).__name__ == "NVFP4Tensor"
        assert linear.weight.act_quant_kwargs is not None  # activations too, not weight-only
        got = linear(x)
    assert got.dtype == torch.bfloat16 and got.shape == exact.shape
    assert 16.0 < sqnr_db(exact, got) < 19.0


def test_the_tiny_models_blocks_in_nvfp4_make_frames_near_bf16(nvfp4_on_cpu, weights_folder):
    def load(**speed):
        return vcam.load("tiny", weights=weights_folder, device="cpu", dtype=torch.bfloat16, progress=False,
                         speed=vcam.SpeedOptions(**speed))

    def frames(engine):
        stream = engine.stream("a lighthouse in a storm", seed=4)
        return [stream.next_block() for _ in range(2)]  # the second runs on the first's KV cache

    bf16 = frames(load())
    engine = load(quant="nvfp4")
    linears = [m for m in engine.model.blocks.modules() if isinstance(m, nn.Linear)]
    assert linears and all(type(m.weight).__name__ == "NVFP4Tensor" for m in linears)
    assert engine.model.blocks[0].self_attn.qkv is not None  # fused first, then quantized
    assert engine.model.head.head.weight.dtype == torch.bfloat16  # the head stays bf16
    nvfp4 = frames(engine)
    assert all(f.shape == b.shape and f.std() > 1.0 for f, b in zip(nvfp4, bf16))
    # Each matrix product keeps about 17 dB (the test above), but it adds to a residual stream kept in bf16,
    # and the frames pass through the bf16 head and VAE: the first block measured 35.7 dB (FP8: 40.8). Later
    # blocks also carry the difference through the KV cache, amplified by the random network, so only the first
    # is held to a figure: above 28 dB (the picture is recognisably the same), below 80 (it is not bf16 itself).
    assert 28.0 < psnr(nvfp4[0], bf16[0]) < 80.0


def test_the_memory_estimate_is_what_torchao_stores(nvfp4_on_cpu):
    spec = get_spec("tiny")
    estimate = estimate_vram(spec, 112, 64, quant="nvfp4").parts["transformer"]
    stored = {}
    for fused in (False, True):
        model = init_random_(CausalWanModel(spec.transformer), 0).cast(torch.bfloat16)
        if fused:
            model.fuse_qkv()
        bf16_bytes = sum(stored_bytes(p) for p in model.parameters())
        quantize_nvfp4(model.blocks, torch.device("cpu"))
        stored[fused] = sum(stored_bytes(p) for p in model.parameters())
        assert stored[fused] < bf16_bytes  # the tiny model's 64-row matrices pad their scales to 128 rows
    assert estimate == stored[False]
    # Fused q/k/v pad one matrix's scales to 128 rows instead of three (tiny's are 64 rows each); krea-14b's
    # 5120 rows are whole tiles, so there fusing saves only two 4-byte tensor scales a block.
    assert 0 < estimate - stored[True] < 0.01 * estimate
    # krea-14b's matrices are whole tiles of 128 rows: its scales add 1/32 of a byte a weight to the half byte
    big = get_spec("krea-14b")
    ratio = (estimate_vram(big, 832, 480, quant="nvfp4").parts["transformer"]
             / estimate_vram(big, 832, 480, quant="none").parts["transformer"])
    assert 0.27 < ratio < 0.30, ratio  # 0.53 / 2 bytes a weight, and the bf16 parts outside the blocks


def test_a_linear_of_a_shape_nvfp4_cannot_hold_stays_as_it_was(nvfp4_on_cpu):
    odd, even = nn.Linear(64, 72).to(torch.bfloat16), nn.Linear(64, 96).to(torch.bfloat16)
    assert not nvfp4_fits(odd) and nvfp4_fits(even)
    quantize_nvfp4(nn.Sequential(odd, nn.GELU(), nn.Linear(72, 64).to(torch.bfloat16), even),
                   torch.device("cpu"))
    assert odd.weight.dtype == torch.bfloat16 and type(odd.weight) is nn.Parameter
    assert type(even.weight).__name__ == "NVFP4Tensor"


def test_the_benchmark_engine_is_quantized_block_by_block(nvfp4_on_cpu):
    from vcam.engine.load import random_engine

    engine = random_engine(get_spec("tiny"), torch.device("cpu"), torch.bfloat16,
                           vcam.SpeedOptions(quant="nvfp4"))
    assert type(engine.model.blocks[-1].ffn[0].weight).__name__ == "NVFP4Tensor"
    stream = engine.stream("a benchmark", seed=1)
    assert stream.next_block().std() > 1.0


def test_a_card_too_small_for_nvfp4_is_told_so_and_never_offered_fp8_instead():
    """RTX 5090 (32 GB): krea-14b fits at 832x480 in NVFP4 with the text encoder on the CPU (21.1 GiB by the
    estimate); a card too small even for that is told what would fit in NVFP4, not pointed to FP8 (larger)."""
    from vcam.engine.memory import GIB, plan_memory
    from vcam.errors import NotEnoughVRAMError

    spec = get_spec("krea-14b")
    plan = plan_memory(spec, 832, 480, 30.5 * GIB, quant="nvfp4", fp8_possible=True)
    assert plan.estimate.total <= 30.5 * GIB and plan.adapted is None
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 832, 480, 18 * GIB, quant="nvfp4", fp8_possible=True)
    assert "--size 576x320 (needs about" in err.value.fix and "fp8" not in err.value.fix.lower()
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 832, 480, 8 * GIB, quant="nvfp4", fp8_possible=True)
    assert "krea-14b in NVFP4 needs at least" in err.value.fix
    plan = plan_memory(spec, 832, 480, 18 * GIB, quant="nvfp4", fp8_possible=True, adapt=True)
    assert plan.adapted == (576, 320, "nvfp4") and "too little memory for 832x480 in NVFP4" in plan.note


def test_gpu_checks_nvfp4_rows_refuse_here_and_compare_with_the_stand_in(nvfp4_on_cpu, monkeypatch):
    """scripts/gpu_check.py's NVFP4 steps, run before a card does: the reason where it cannot run, and with the
    stand-in product the PSNR of 3 blocks against bf16, the engine's bf16 blocks given back afterwards."""
    import importlib.util
    from pathlib import Path

    import vcam.engine.quant
    from vcam.engine.load import random_engine

    path = Path(__file__).resolve().parent.parent / "scripts" / "gpu_check.py"
    spec = importlib.util.spec_from_file_location("gpu_check_nvfp4", path)
    gpu_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu_check)
    engine = random_engine(get_spec("tiny"), torch.device("cpu"), torch.bfloat16, vcam.SpeedOptions())
    before = [engine.stream("a benchmark", seed=3).next_block()]
    result = gpu_check.nvfp4_vs_bf16(engine)
    assert len(result["psnr_db"]) == 3 and 28.0 < result["psnr_db"][0] < 80.0
    assert type(engine.model.blocks[0].ffn[0].weight) is nn.Parameter
    assert (engine.stream("a benchmark", seed=3).next_block() == before[0]).all()
    monkeypatch.undo()  # torchao's and vcam's own checks back: on this CPU the steps say why they cannot run
    assert vcam.engine.quant.nvfp4_unsupported is nvfp4_unsupported
    assert gpu_check.nvfp4_linear(torch.device("cpu")) == {"skipped": nvfp4_unsupported(torch.device("cpu"))}
    assert gpu_check.nvfp4_vs_bf16(engine) == {"skipped": nvfp4_unsupported(torch.device("cpu"))}
