"""scripts/kernel_study.py (`gpu_check.py --study`) on the CPU, with the tiny model: what it times is the engine's
own layer and decoder, its layouts change nothing but the layout, and its summary adds up. The card's numbers come
from a lent GPU; these runs only catch mistakes before its minutes are spent."""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from helpers import script_module

ROOT = Path(__file__).resolve().parent.parent
study = script_module("kernel_study")
gpu_check = script_module("gpu_check")
CPU = torch.device("cpu")


def test_the_studied_layer_is_the_engines_layer_zero():
    """Its weights are those a random engine's first block gets (the names seed them), q, k and v fused."""
    from vcam.engine.configs import get_spec
    from vcam.engine.model import CausalWanModel, init_random_

    cfg = get_spec("tiny").transformer
    model = init_random_(CausalWanModel(cfg), 0).cast(torch.bfloat16).fuse_qkv()
    layer = study.random_layer(cfg, CPU, torch.bfloat16)
    theirs = dict(model.blocks[0].named_parameters())
    ours = dict(layer.named_parameters())
    assert ours.keys() == theirs.keys() and "self_attn.qkv.weight" in ours
    for name, p in ours.items():
        assert p.dtype == theirs[name].dtype and torch.equal(p, theirs[name]), name
    assert ours["modulation"].dtype == torch.float32


def test_a_layers_inputs_are_a_denoising_pass_after_three_cached_frames():
    from vcam.engine.configs import get_spec

    spec = get_spec("tiny")
    x, e0, text_k, _, (cos, _), (ck, cv), cache_start, mask = study.layer_inputs(
        spec.transformer, (spec.width, spec.height), CPU, torch.float32)
    tokens = (spec.height // 16) * (spec.width // 16)
    assert x.shape == (1, 3 * tokens, spec.transformer.dim) and x.dtype == torch.float32
    assert e0.shape == (1, 3, 6, spec.transformer.dim) and cos.shape[0] == 3 * tokens
    assert ck.shape[1] == cv.shape[1] == 6 * tokens and cache_start == 3 * tokens and mask is None


def test_channels_last_lays_out_only_the_convolutions_weights_and_changes_no_value():
    from vcam.engine.configs import get_spec
    from vcam.engine.vae import build_vae

    torch.manual_seed(0)
    vae = build_vae(get_spec("tiny").vae).eval()
    before = {n: (p.clone(), p.stride()) for n, p in vae.named_parameters()}
    study.lay_out(vae, torch.channels_last_3d)
    convs = {n + ".weight" for n, m in vae.named_modules() if isinstance(m, torch.nn.Conv3d)}
    assert any(before[n][0][0, 0].numel() > 1 for n in convs)  # a 1x1x1 kernel is laid out the same either way
    for n, p in vae.named_parameters():
        assert torch.equal(p, before[n][0])
        if n in convs:
            assert p.is_contiguous(memory_format=torch.channels_last_3d), n
            assert p.is_contiguous() == (p[0, 0].numel() == 1 or p.shape[1] == 1), n
        else:
            assert p.stride() == before[n][1], n
    study.lay_out(vae, torch.contiguous_format)
    assert all(p.is_contiguous() for p in vae.parameters())


def test_the_vae_study_decodes_the_same_frames_in_either_layout(monkeypatch):
    """Its eager builds (the compiled ones take minutes on a CPU: the slow smoke run has them): the channels-last
    decode gives the frames of the default layout's, and each build is timed and profiled."""
    monkeypatch.setattr(study, "VAE_BUILDS", study.VAE_BUILDS[:2])
    result = study.vae_study(CPU, blocks=2, warm=1)
    assert result["eager"]["ms"] > 0 and result["eager channels-last"]["ms"] > 0
    assert result["eager channels-last"]["levels against eager"]["max"] < 1e-3
    assert result["eager"]["GEMM ms"] > 0 and result["eager"]["largest of the rest"]


def test_a_vae_build_that_fails_is_said_and_the_next_is_measured_against_the_eager_decode(monkeypatch):
    """A build that raises (a layout this torch cannot compile) costs its own row only: the run has one try."""
    builds = (("eager", False, False, False), ("eager channels-last", False, True, False),
              ("eager again", False, False, False))
    monkeypatch.setattr(study, "VAE_BUILDS", builds)
    laid_out = study.lay_out

    def refuse_channels_last(module, memory_format):
        if memory_format == torch.channels_last_3d:
            raise RuntimeError("no channels-last here")
        laid_out(module, memory_format)

    monkeypatch.setattr(study, "lay_out", refuse_channels_last)
    result = study.vae_study(CPU, blocks=2, warm=1)
    assert result["eager channels-last"] == {"error": "RuntimeError: no channels-last here"}
    assert result["eager again"]["levels against eager"]["max"] == 0.0 and result["eager again"]["ms"] > 0


def test_a_gelu_path_this_torch_cannot_run_costs_its_own_row_only(monkeypatch):
    def refused(*args, **kwargs):
        raise RuntimeError("no epilogue here")

    monkeypatch.setattr(torch, "_addmm_activation", refused)
    result = study.gelu_epilogue(CPU)
    assert result["epilogue"] == {"error": "RuntimeError: no epilogue here"}
    assert result["compiled"]["ms"] > 0 and result["compiled"]["against float32"]["max"] < 1e-4


def test_the_summary_splits_kernels_by_kind_and_sums_each_of_the_rest_over_its_calls():
    timed = [("sm90_xmma_gemm_bf16", 2.0), ("triton_red_fused_add_native_layer_norm_0", 0.5),
             ("pytorch_flash::flash_fwd_kernel", 1.0), ("triton_red_fused_add_native_layer_norm_0", 0.25),
             ("triton_poi_fused_gelu_1", 0.25)]
    s = study.kernel_summary(timed, top=1)
    assert (s["GEMM ms"], s["attention ms"], s["everything else ms"]) == (2.0, 1.0, 1.0)
    assert s["rest %"] == 25.0
    assert s["largest of the rest"] == ["triton_red_fused_add_native_layer_norm_0 x2 0.750 ms"]


def test_persistent_rows_takes_the_models_5120_wide_norms_in_one_pass_and_leaves_the_rest_to_inductor():
    from types import SimpleNamespace

    from torch._inductor.runtime.hints import ReductionHint
    from torch._inductor.virtualized import V

    choices = study.persistent_rows(8192)
    sizes = SimpleNamespace(statically_known_leq=lambda a, b: a <= b, optimization_hint=lambda n: n)

    def rows(n, hint=ReductionHint.INNER):
        return SimpleNamespace(get_reduction_hint=lambda: hint, reduction_numel=n, numel=4680)

    with V.set_graph_handler(SimpleNamespace(sizevars=sizes)):
        assert choices.should_use_persistent_reduction(rows(5120), False)
        assert not choices.should_use_persistent_reduction(rows(16384), False)  # past it: inductor's 1024
        assert choices.should_use_persistent_reduction(rows(512), False)  # inductor's own
        assert not choices.should_use_persistent_reduction(rows(5120), True)  # cooperative: inductor decides


def test_an_unknown_study_is_refused_before_anything_runs(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", "--smoke", "--study", "vae,layers"])
    with pytest.raises(SystemExit) as e:
        gpu_check.main()
    err = capsys.readouterr()
    assert e.value.code == 2 and "no study layers; the studies are vae, layer, gelu, autotune" in err.err


def test_the_studies_run_in_their_order_as_steps_of_the_run(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(study, "layer_study",
                        lambda device, builds=("eager",), progress=None: ran.append(("layer", builds)) or {})
    monkeypatch.setattr(study, "gelu_epilogue", lambda device: ran.append("gelu") or {})
    run = gpu_check.Run(str(tmp_path / "r.json"), {"device": "cpu"}, deadline=time.time() + 6000)
    study.study_steps(run, CPU, ["autotune", "gelu"])
    assert ran == ["gelu", ("layer", ("compiled", "max-autotune"))]
    assert set(json.loads((tmp_path / "r.json").read_text())) >= {"study gelu", "study autotune"}


class Stopped(BaseException):
    """Where the hard stop would end the process: past every step's own error handling, as os._exit is."""


def test_a_study_cut_short_by_the_hard_stop_keeps_the_builds_it_finished(tmp_path, monkeypatch):
    run = gpu_check.Run(str(tmp_path / "r.json"), {"device": "cpu"}, deadline=time.time() + 6000)

    def stopped_after_eager(device, builds=study.LAYER_STUDY, progress=None):
        progress({"shape": "tiny", "eager": {"ms": 1.5}})
        run.stop(45)  # the watchdog, while the next build compiles

    def exit_(code):
        raise Stopped(code)

    monkeypatch.setattr(study, "layer_study", stopped_after_eager)
    monkeypatch.setattr(gpu_check.os, "_exit", exit_)
    with pytest.raises(Stopped):
        study.study_steps(run, CPU, ["layer"])
    run.partial("study layer", {"shape": "tiny"})  # the study's thread, after the stop wrote its last file
    saved = json.loads((tmp_path / "r.json").read_text())["study layer"]
    assert saved["eager"] == {"ms": 1.5} and saved["error"].startswith("stopped: still running 45 s")


def test_each_layer_build_is_handed_on_as_it_is_made():
    seen = []
    result = study.layer_study(CPU, ("eager", "no such build"), progress=seen.append)
    assert [set(rows) for rows in seen] == [{"shape", "eager"}, {"shape", "eager", "no such build"}]
    assert seen[-1] == result and "error" in result["no such build"]


@pytest.mark.slow  # compiles a tiny layer three ways on the CPU, in a process of its own
def test_the_layer_and_gelu_studies_run_in_their_smoke_version(tmp_path):
    done = subprocess.run([sys.executable, "scripts/gpu_check.py", "--smoke", "--study", "layer,gelu", "--out",
                           str(tmp_path / "s.json")], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "s.json").read_text())
    layer = data["study layer"]
    assert set(layer) == {"shape", *study.LAYER_STUDY}, layer
    assert not any("error" in row for row in layer.values() if isinstance(row, dict)), layer
    # the compiled builds are the eager layer's arithmetic: far under a float32 step of its O(1) values
    assert layer["compiled"]["against compiled"]["max"] == 0.0
    for build in ("coordinate-descent", "multi-kernel", "persistent"):
        assert layer[build]["against compiled"]["max"] < 1e-4, build
    assert data["study gelu"]["compiled"]["against float32"]["max"] < 1e-5
    assert done.stdout.rstrip().splitlines()[-1].startswith("| study gelu | ")
