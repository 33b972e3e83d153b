"""Checkpoint loading, file checks, the hub path (against a local hub cache), GPU and VRAM messages."""
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import torch

import vcam
from fixtures import save_krea_checkpoint
from vcam.engine.configs import KREA_FILE, KREA_REPO, WAN_REPO, get_spec
from vcam.errors import NoGPUError, NotEnoughVRAMError, WeightsError, install_fix
from vcam.engine.model import CausalWanModel
from vcam.engine.memory import GIB, estimate_vram, plan_memory
from vcam.engine.weight_files import from_folder
from vcam.engine.hub import from_hub
from vcam.engine.weights import check_cuda, load_checkpoint
from vcam.words import size_text


def test_krea_layout_checkpoint_loads_with_every_key(weights_folder):
    from vcam.engine.load import _random_engine

    with torch.device("meta"):
        model = CausalWanModel(get_spec("tiny").transformer)
    load_checkpoint(model, weights_folder / KREA_FILE, torch.device("cpu"), torch.float32, progress=False)
    expected = _random_engine(get_spec("tiny"), torch.device("cpu"), torch.float32).model.state_dict()
    got = model.state_dict()
    assert set(got) == set(expected)
    for name in expected:
        assert torch.equal(got[name], expected[name]), name


def test_loading_the_vae_and_text_encoder_says_their_size_and_draws_no_bar_of_the_libraries(weights_folder,
                                                                                             capfd):
    """transformers drew its own bar of tensors with carriage returns: one garbled line in a log, a second bar
    beside vcam's status line on a terminal. Its setting (and diffusers') is as it was after the load."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    said = []
    transformers_logging.enable_progress_bar()
    diffusers_logging.disable_progress_bar()  # a setting of the user's own, kept
    try:
        vcam.load("tiny", weights=weights_folder, progress=False, report=said.append)
        assert transformers_logging.is_progress_bar_enabled() and not diffusers_logging.is_progress_bar_enabled()
    finally:
        diffusers_logging.enable_progress_bar()
    out, err = capfd.readouterr()
    assert "\r" not in out + err and "Loading" not in out + err
    for name, folder in (("text encoder", "text_encoder"), ("VAE", "vae")):
        size = sum(f.stat().st_size for f in (weights_folder / folder).glob("*.safetensors"))
        assert f"loading {name} from {weights_folder / folder} ({size_text(size)})" in said, said


def test_engine_from_folder_streams_like_the_random_one(weights_folder, tiny_engine):
    loaded = vcam.load("tiny", weights=weights_folder, progress=False)
    assert loaded.dtype == torch.float32
    x = torch.randn(1, 16, 3, 8, 14)
    text = torch.randn(1, 512, 32)
    with torch.no_grad():
        a = loaded.model(x, torch.full((1, 3), 500.0), loaded.model.text_kv(text))
        b = tiny_engine.model(x, torch.full((1, 3), 500.0), tiny_engine.model.text_kv(text))
    assert torch.equal(a, b)
    frames = loaded.stream("w1 w2", seed=3).next_block()
    assert frames.shape == (6, 64, 112, 3)


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_missing_and_unexpected_keys_are_listed(tmp_path):
    from vcam.engine.load import _random_engine

    path = tmp_path / KREA_FILE
    unfused = _random_engine(get_spec("tiny"), torch.device("cpu"), torch.float32).model  # Krea's names
    save_krea_checkpoint(unfused, path, drop=("blocks.1.ffn.2.weight", "head.modulation"),
                         extra={"model.blocks.9.extra.weight": torch.zeros(2)})
    with torch.device("meta"):
        model = CausalWanModel(get_spec("tiny").transformer)
    with pytest.raises(WeightsError) as err:
        load_checkpoint(model, path, torch.device("cpu"), torch.float32, progress=False)
    text = str(err.value)
    assert "2 missing keys" in text and "blocks.1.ffn.2.weight" in text and "head.modulation" in text
    assert "1 unexpected keys" in text and "blocks.9.extra.weight" in text


def test_wrong_shapes_are_reported(tmp_path):
    big = CausalWanModel(get_spec("tiny").transformer.__class__(dim=32, ffn_dim=64, num_heads=2, num_layers=2,
                                                                freq_dim=32, text_dim=32))
    path = tmp_path / KREA_FILE
    save_krea_checkpoint(big, path)
    with torch.device("meta"):
        model = CausalWanModel(get_spec("tiny").transformer)
    with pytest.raises(WeightsError, match="has shape"):
        load_checkpoint(model, path, torch.device("cpu"), torch.float32, progress=False)


def test_a_checkpoint_that_does_not_fit_tiny_is_not_sent_for_again(tmp_path, weights_folder):
    """tiny given a folder of another model's weights (krea-14b's) was told to use krea-realtime-video-14b, the
    file it had just refused."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    big = CausalWanModel(get_spec("tiny").transformer.__class__(dim=32, ffn_dim=64, num_heads=2, num_layers=2,
                                                                freq_dim=32, text_dim=32))
    save_krea_checkpoint(big, folder / KREA_FILE)
    with pytest.raises(WeightsError) as err:
        vcam.load("tiny", weights=folder, progress=False)
    assert "has shape" in err.value.message
    assert err.value.fix.startswith("tiny takes only its own weights (krea-14b's do not fit it): leave out --weights")
    assert "use krea-realtime-video-14b" not in err.value.fix


def test_truncated_checkpoint_gives_a_clear_error(tmp_path, weights_folder):
    folder = copy_folder(weights_folder, tmp_path / "w")
    ckpt = folder / KREA_FILE
    data = ckpt.read_bytes()
    ckpt.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError) as err:
        vcam.load("tiny", weights=folder, progress=False)
    assert "truncated" in str(err.value) and KREA_FILE in str(err.value)
    assert err.value.fix.startswith(f"copy complete files into {folder}: tiny's own weights")  # tiny has no download
    assert "tiny builds random weights and needs no files" in err.value.fix and "download" not in err.value.fix


def test_garbage_checkpoint_gives_a_clear_error(tmp_path, weights_folder):
    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / KREA_FILE).write_bytes(b"\xff" * 64)
    with pytest.raises(WeightsError, match="damaged"):
        vcam.load("tiny", weights=folder, progress=False)


@pytest.mark.parametrize("header", [b"[1, 2, 3]", b'"text"', b'{"w": {"dtype": "F32"}}', b'{"w": {"data_offsets": 7}}',
                                    b'{"w": {"data_offsets": ["a", "b"]}}'])
@pytest.mark.parametrize("part", [KREA_FILE, "vae/diffusion_pytorch_model.safetensors"])
def test_a_header_that_is_json_but_no_table_of_tensors_is_named_as_damaged(tmp_path, weights_folder, header, part):
    """A .safetensors file whose header reads as JSON of another shape (damaged bytes, another format under the
    name) stopped the check with a traceback (AttributeError, KeyError) instead of naming the file."""
    import struct

    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / part).write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 64)
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert f"{folder / part} (damaged header: not a table of tensors)" in err.value.message


def test_missing_parts_are_all_named(tmp_path, weights_folder):
    folder = copy_folder(weights_folder, tmp_path / "w")
    shutil.rmtree(folder / "vae")
    (folder / "text_encoder" / "model.safetensors").unlink()
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert "vae" in str(err.value) and "text_encoder" in str(err.value)
    # a folder given with --weights is never downloaded into: "run again to download them" would not refill it
    assert err.value.fix.startswith(f"copy complete files into {folder}") and "run again" not in err.value.fix
    assert "leave out --weights to download them" in err.value.fix


@pytest.mark.parametrize("text", ['{"weight_map": {', '{"metadata": {}}', "[]"])
def test_a_damaged_shard_index_is_named_with_the_rest(tmp_path, weights_folder, text):
    """A text encoder's model.safetensors.index.json cut short (a copy stopped) stopped the run with
    "vcam: error: JSONDecodeError: ..." instead of naming the file."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    index = folder / "text_encoder" / "model.safetensors.index.json"
    index.write_text(text)
    shutil.rmtree(folder / "vae")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert f"{index} (damaged: not a shard index)" in err.value.message
    assert str(folder / "vae" / "config.json") in err.value.message


def test_missing_folder(tmp_path):
    with pytest.raises(WeightsError, match="does not exist"):
        from_folder(tmp_path / "nope")


@pytest.mark.parametrize("typed, meant", [("wieghts", "weights"), ("Weights", "weights"), ("weigths/", "weights")])
def test_a_weights_folder_mistyped_is_answered_with_the_folder_meant(tmp_path, weights_folder, typed, meant):
    """`--weights /workspace/wieghts` was told only that it does not exist, beside the folder meant."""
    shutil.copytree(weights_folder, tmp_path / "volume" / meant)
    (tmp_path / "volume" / "logs").mkdir()
    with pytest.raises(WeightsError) as err:
        from_folder(f"{tmp_path / 'volume'}/{typed}")
    assert err.value.message == f"weights folder {tmp_path / 'volume' / typed.rstrip('/')} does not exist"
    assert err.value.fix.startswith(f"did you mean --weights {tmp_path / 'volume' / meant}? ")


def test_a_mistyped_folder_above_the_weights_is_answered_with_the_path_meant(tmp_path, weights_folder):
    shutil.copytree(weights_folder, tmp_path / "workspace" / "weights")
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path / "worksapce" / "weights")
    assert err.value.fix.startswith(f"did you mean --weights {tmp_path / 'workspace' / 'weights'}? ")


def test_a_missing_folder_with_nothing_near_it_is_told_what_the_folder_holds(tmp_path):
    (tmp_path / "logs").mkdir()
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path / "weights")
    assert err.value.fix == "pass the folder that holds krea-realtime-video-14b.safetensors"


@pytest.mark.parametrize("typed, there", [("weights-v2", "weights-v1"), ("models", "modules"),
                                           ("weights-v1/../weights-v2", "weights-v1")])
def test_a_missing_weights_folder_is_offered_no_folder_that_lacks_the_checkpoint(tmp_path, typed, there):
    """`--weights /w/weights-v2` was asked "did you mean --weights /w/weights-v1?", a folder that merely exists."""
    (tmp_path / there).mkdir()
    with pytest.raises(WeightsError) as err:
        from_folder(f"{tmp_path}/{typed}")
    assert err.value.fix == "pass the folder that holds krea-realtime-video-14b.safetensors"


def test_a_mistyped_case_is_answered_with_the_case_variant_that_holds_the_weights(tmp_path, weights_folder):
    (tmp_path / "WEIGHTS").mkdir()
    (tmp_path / "wEIGHTS").mkdir()
    shutil.copytree(weights_folder, tmp_path / "weights")
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path / "Weights")
    assert err.value.fix.startswith(f"did you mean --weights {tmp_path / 'weights'}? (folder names are case-sensitive)")


def no_home(monkeypatch) -> None:
    """A user with no home folder (HOME unset, no passwd entry: a container run with --user UID)."""
    import pwd

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown)


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_a_folder_in_a_home_there_is_none_of_is_said_not_found(monkeypatch):
    """`--weights "~/w"` (quoted: the shell left its ~) by a user with no home folder ended with an internal error,
    Path's RuntimeError "Could not determine home directory"."""
    no_home(monkeypatch)
    with pytest.raises(WeightsError) as err:
        from_folder("~/w")
    assert err.value.message == "weights folder ~/w does not exist"


def test_the_checkpoint_file_given_for_the_folder_is_said_and_its_folder_named(tmp_path, weights_folder):
    """--weights given the checkpoint itself was told the folder "does not exist", beside the file it names."""
    with pytest.raises(WeightsError) as err:
        from_folder(weights_folder / KREA_FILE)
    assert "does not exist" not in err.value.message and "is a file" in err.value.message
    assert f"--weights {weights_folder}" in err.value.fix


def fill_hub_cache(cache: Path, weights: Path, with_vae: bool = True) -> None:
    """Lays out `weights` as huggingface_hub's cache of the two repos (what a finished download leaves)."""
    def repo_dir(repo):
        snap = cache / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        (snap.parent.parent / "refs").mkdir(parents=True, exist_ok=True)
        (snap.parent.parent / "refs" / "main").write_text("0")
        snap.mkdir(parents=True, exist_ok=True)
        return snap

    shutil.copy(weights / KREA_FILE, repo_dir(KREA_REPO) / KREA_FILE)
    wan = repo_dir(WAN_REPO)
    for part in ("text_encoder", "tokenizer") + (("vae",) if with_vae else ()):
        shutil.copytree(weights / part, wan / part)


def test_hub_path_uses_the_hub_cache(tmp_path, weights_folder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fill_hub_cache(tmp_path / "hub", weights_folder)
    paths = from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert paths.transformer.name == KREA_FILE and paths.transformer.is_file()
    assert (paths.vae / "config.json").is_file() and (paths.text_encoder / "config.json").is_file()


def test_hub_path_reports_an_incomplete_download(tmp_path, weights_folder, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fill_hub_cache(tmp_path / "hub", weights_folder, with_vae=False)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert "vae" in str(err.value)


def test_offline_a_cache_with_a_file_cut_short_says_no_fetching_line(tmp_path, weights_folder, monkeypatch):
    """HF_HUB_OFFLINE set: "fetching krea/… into …" and "downloading krea/…: 0 bytes" came before the error that
    named the file cut short, as if a download had run."""
    import io

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fill_hub_cache(tmp_path / "hub", weights_folder)
    checkpoint = next((tmp_path / "hub").rglob(KREA_FILE))
    data = checkpoint.read_bytes()
    checkpoint.write_bytes(data[: len(data) // 2])
    out = io.StringIO()
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    assert "truncated" in err.value.message and out.getvalue() == ""


def test_offline_a_cache_with_a_file_cut_short_is_told_to_unset_hf_hub_offline_to_fetch_it(tmp_path, weights_folder,
                                                                                           monkeypatch):
    """"delete the files named … and run `vcam download` again" with HF_HUB_OFFLINE set: the download answered from
    the cache alone, which now lacked the file."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    fill_hub_cache(tmp_path / "hub", weights_folder)
    checkpoint = next((tmp_path / "hub").rglob(KREA_FILE))
    data = checkpoint.read_bytes()
    checkpoint.write_bytes(data[: len(data) // 2])
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.fix.endswith("run `vcam download` again with HF_HUB_OFFLINE unset and a network connection")


def test_hub_path_without_network_or_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "empty"))
    assert KREA_REPO in str(err.value) and "--weights" in err.value.fix


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message of a machine without CUDA")
def test_krea_without_cuda_says_what_to_do():
    with pytest.raises(NoGPUError) as err:
        check_cuda(get_spec("krea-14b"))
    assert "CUDA GPU" in str(err.value) and "--model tiny" in err.value.fix
    with pytest.raises(NoGPUError):
        vcam.load("krea-14b", progress=False)


def test_krea_on_a_card_older_than_ampere_is_refused_with_the_reason(monkeypatch):
    """A Turing card (Quadro RTX 8000: 48 GB, enough for a small size) has no bf16 tensor cores: the model's
    precision would be emulated or refused deep inside loading or compiling."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "Quadro RTX 8000")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (7, 5))
    with pytest.raises(NoGPUError) as err:
        check_cuda(get_spec("krea-14b"))
    assert err.value.message == ("krea-14b runs in bfloat16, which needs an NVIDIA GPU of compute capability 8.0 or "
                                 "newer (Ampere or later); this Quadro RTX 8000 has 7.5")
    assert "Choosing a GPU" in err.value.fix and "--model tiny" in err.value.fix
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 6))  # an RTX 3090, an A40
    assert check_cuda(get_spec("krea-14b")) == torch.device("cuda")


def test_vram_estimate_of_the_real_model():
    est = estimate_vram(get_spec("krea-14b"), 832, 480)
    assert 14.2e9 < est.parts["transformer"] / 2 < 14.4e9  # ~14.3 B parameters in bf16 (the 28.6 GB file)
    assert est.parts["kv cache"] == 40 * 2 * 9360 * 5120 * 2  # layers × K,V × tokens × dim × bf16
    small = estimate_vram(get_spec("krea-14b"), 576, 320)
    assert small.total < est.total
    assert estimate_vram(get_spec("krea-14b"), 832, 480, text_on_gpu=False).total < est.total


def test_the_estimate_holds_against_every_peak_measured_on_a_card():
    """benchmarks/*.json keep what GPU runs measured (vcam bench's peak, random weights, text encoder off the card):
    the estimate for each row's settings stays within 0.75 GiB of it, and the plan's headroom always covers it.
    Rows of the retired CUDA graphs are left out (their buffers and pool are counted no more); the retired overlap
    never had a part of its own in the estimate, so its rows still count."""
    import json
    from pathlib import Path

    from vcam.engine.memory import HEADROOM

    rows = [v for f in sorted((Path(__file__).resolve().parent.parent / "benchmarks").glob("*.json"))
            for k, v in json.loads(f.read_text()).items()
            if k.startswith("bench") and "peak_vram_gb" in v and not v.get("graphs")]
    assert len(rows) >= 10
    spec = get_spec("krea-14b")
    for r in rows:
        est = estimate_vram(spec, r["width"], r["height"], text_on_gpu=False, quant=r["quant"], compiled=r["compile"],
                            video_in=r.get("input_strength") is not None)
        planned = (est.total - HEADROOM) / 2**30
        assert abs(r["peak_vram_gb"] - planned) < 0.75, r
        assert r["peak_vram_gb"] < est.total / 2**30, r
    compiled = estimate_vram(spec, 832, 480, text_on_gpu=False, compiled=True)
    assert compiled.total - estimate_vram(spec, 832, 480, text_on_gpu=False).total == 2**29


@pytest.mark.parametrize("card_gb,expected", [
    (96, "everything"), (80, "everything"), (48, "text encoder moved to the CPU"), (32, "576x320?"), (24, None),
])
def test_memory_mode_for_each_card_size(card_gb, expected):
    spec = get_spec("krea-14b")
    free = (card_gb - 1.5) * GIB  # what a card of this size has free with a desktop or a driver on it
    if expected in ("everything", "text encoder moved to the CPU"):
        plan = plan_memory(spec, 832, 480, free)
        assert plan.note.startswith(expected) and plan.estimate.total <= free
        assert plan.text_on_gpu and plan.offload_text_after_start == (expected != "everything")
        return
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 832, 480, free)
    text = str(err.value)
    assert f"{free / GIB:.1f} GiB free" in text and "text encoder on the CPU" in text
    # bf16 weights alone are 26.6 GiB: below that no size fits, and the message says so rather than guess
    assert "FP8" in err.value.fix or "--size" in err.value.fix


def test_a_smaller_size_is_suggested_when_it_fits():
    spec = get_spec("krea-14b")
    need_small = estimate_vram(spec, 576, 320, text_on_gpu=False).total
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 832, 480, need_small + GIB // 10)
    assert "--size 576x320" in err.value.fix
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 480, 832, need_small + GIB // 10)
    assert "--size 320x576" in err.value.fix  # portrait stays portrait


def test_text_encoder_on_the_cpu_from_the_start_when_even_the_start_does_not_fit():
    spec = get_spec("krea-14b")
    lean = estimate_vram(spec, 832, 480, text_on_gpu=False).total
    full = estimate_vram(spec, 832, 480, text_on_gpu=True)
    at_start = full.total - full.parts["kv cache"]
    if at_start <= lean:
        pytest.skip("with these shapes the start never needs more than the stream")
    plan = plan_memory(spec, 832, 480, (lean + at_start) // 2)
    assert not plan.text_on_gpu and plan.note.startswith("text encoder kept on the CPU")


def test_offloading_the_text_encoder_keeps_encoding(tiny_engine):
    import vcam

    engine = vcam.load("tiny", progress=False)
    before = engine.text.encode("kept")
    engine.offload_text()
    assert next(engine.text.model.parameters()).device.type == "cpu"
    assert engine.text.cached("kept") and torch.equal(engine.text.encode("kept"), before)
    assert engine.text.encode("new one").shape == before.shape


def test_blocks_are_handed_over_one_at_a_time_while_loading(weights_folder):
    """What lets FP8 load on a small card: block i is complete when it is handed over, later blocks are not
    read yet, and a block changed by the hook (here: fused) stays changed."""
    cfg = get_spec("tiny").transformer
    with torch.device("meta"):
        model = CausalWanModel(replace(cfg))
    seen = []

    def on_block(block):
        index = next(i for i, b in enumerate(model.blocks) if b is block)
        later_on_meta = all(p.is_meta for b in model.blocks[index + 1:] for p in b.parameters())
        complete = not any(p.is_meta for p in block.parameters())
        seen.append((index, complete, later_on_meta))
        block.self_attn.fuse()

    load_checkpoint(model, weights_folder / KREA_FILE, torch.device("cpu"), torch.float32, progress=False,
                    on_block=on_block)
    assert seen == [(i, True, True) for i in range(cfg.num_layers)]
    assert not any(p.is_meta for p in model.parameters())
    assert all(b.self_attn.qkv is not None for b in model.blocks)


def test_fp8_is_suggested_for_small_cards_that_run_it():
    spec = get_spec("krea-14b")
    free = 22.5 * GIB  # a 24 GB card
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 832, 480, free, fp8_possible=True)
    assert "--size 576x320 --quant fp8" in err.value.fix and "changes the picture" in err.value.fix
    plan = plan_memory(spec, 576, 320, free, quant="fp8")
    assert plan.estimate.total <= free and not plan.text_on_gpu
    fp8 = estimate_vram(spec, 832, 480, quant="fp8").parts["transformer"]
    bf16 = estimate_vram(spec, 832, 480).parts["transformer"]
    assert 0.48 < fp8 / bf16 < 0.53  # the blocks' matrices are almost all of the weights
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 832, 480, free, fp8_possible=False)
    assert "fp8" not in err.value.fix and "FP8" in err.value.fix  # says which cards could, not a flag to try


@pytest.mark.parametrize("card_gb,fp8,expected", [
    (24, True, (576, 320, "fp8")), (32, True, (832, 480, "fp8")), (36, False, (480, 272, "none")), (32, False, None),
])
def test_a_card_too_small_gets_what_fits_when_nothing_was_asked(card_gb, fp8, expected):
    spec = get_spec("krea-14b")
    free = (card_gb - 1.5) * GIB
    if expected is None:
        with pytest.raises(NotEnoughVRAMError):
            plan_memory(spec, 832, 480, free, fp8_possible=fp8, adapt=True)
        return
    plan = plan_memory(spec, 832, 480, free, fp8_possible=fp8, adapt=True)
    assert plan.adapted == expected and plan.estimate.total <= free and not plan.text_on_gpu
    assert f"running {expected[0]}x{expected[1]}" in plan.note and ("FP8" in plan.note) == (expected[2] == "fp8")
    assert plan_memory(spec, 832, 480, 80 * GIB, adapt=True).adapted is None  # a card that fits is left alone


def fake_hub(monkeypatch, online, dry=None):
    """huggingface_hub.snapshot_download answering from the local cache as usual, `online` for a download and
    `dry` for the dry run before it (by default: nothing to fetch, so no disk check stands in the way)."""
    import huggingface_hub

    real, calls = huggingface_hub.snapshot_download, []

    def snapshot_download(repo, **kw):
        if kw.get("dry_run"):
            calls.append("dry")
            return dry(repo, **kw) if dry else []
        calls.append(kw.get("local_files_only", False))
        return real(repo, **kw) if kw.get("local_files_only") else online(repo, **kw)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    return calls


def test_a_complete_hub_cache_is_used_without_asking_the_hub(tmp_path, weights_folder, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    fill_hub_cache(tmp_path / "hub", weights_folder)

    def online(repo, **kw):
        raise AssertionError("the hub was asked although every file is in the cache")

    calls = fake_hub(monkeypatch, online)
    assert from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub")).transformer.is_file()
    assert calls == [True, True]


def test_a_full_disk_during_the_download_says_where_and_how_much(tmp_path, monkeypatch):
    def online(repo, **kw):
        raise RuntimeError("Data processing error: CAS service error : IO Error: No space left on device (os error 28)")

    fake_hub(monkeypatch, online)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert "is full" in err.value.message and str(tmp_path / "hub") in err.value.message
    assert "52 GB" in err.value.fix and "HF_HOME" in err.value.fix


def test_a_refused_download_points_at_the_token(tmp_path, monkeypatch):
    from huggingface_hub.errors import HfHubHTTPError

    class Response:
        status_code = 401

    def online(repo, **kw):
        # made without its constructor, whose HTTP library differs between huggingface_hub versions
        error = HfHubHTTPError.__new__(HfHubHTTPError)
        OSError.__init__(error, "401 Client Error: Unauthorized for url: https://huggingface.co/api/models/" + repo)
        error.response = Response()
        raise error

    fake_hub(monkeypatch, online)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert "401" in err.value.message and "HF_TOKEN" in err.value.fix


def hub_transport_errors() -> list[type]:
    """The network-failure class of each HTTP library huggingface_hub has used that is installed here (httpx for
    1.x, httpx2 for 2.x; requests', for 0.x, are OSErrors)."""
    import importlib

    kinds = []
    for name in ("httpx2", "httpx"):
        try:
            kinds.append(importlib.import_module(name).RemoteProtocolError)
        except ImportError:
            pass
    return kinds


@pytest.mark.parametrize("kind", hub_transport_errors(), ids=lambda k: k.__module__.split(".")[0])
def test_a_connection_dropped_mid_download_says_to_check_the_network_and_run_again(tmp_path, monkeypatch, kind):
    """What huggingface_hub raises once its own retries of a dropped download are spent is its HTTP library's
    error, no OSError: it reached the command line as a bare traceback, with no word of what to do."""
    def online(repo, **kw):
        raise kind("Server disconnected without sending a response.")

    fake_hub(monkeypatch, online)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert KREA_REPO in err.value.message and "disconnected" in err.value.message
    assert "network" in err.value.fix and "finished files are kept" in err.value.fix


def reference_keys(layers: int) -> set[str]:
    """The original Wan key layout as the model reference lists it (the Krea file, after its `model.` prefix),
    written out here by hand, so that the loader is checked against the real file's names and not its own."""
    keys = {"patch_embedding.weight", "patch_embedding.bias", "head.head.weight", "head.head.bias", "head.modulation"}
    for part in ("text_embedding.0", "text_embedding.2", "time_embedding.0", "time_embedding.2", "time_projection.1"):
        keys |= {f"{part}.weight", f"{part}.bias"}
    for n in range(layers):
        b = f"blocks.{n}"
        for attn in ("self_attn", "cross_attn"):
            keys |= {f"{b}.{attn}.{m}.{p}" for m in "qkvo" for p in ("weight", "bias")}
            keys |= {f"{b}.{attn}.norm_q.weight", f"{b}.{attn}.norm_k.weight"}
        keys |= {f"{b}.norm3.weight", f"{b}.norm3.bias", f"{b}.modulation"}
        keys |= {f"{b}.ffn.{i}.{p}" for i in (0, 2) for p in ("weight", "bias")}
    return keys


def test_the_model_expects_the_real_checkpoints_names_and_shapes():
    cfg = get_spec("krea-14b").transformer
    with torch.device("meta"):
        model = CausalWanModel(cfg)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items() if not k.startswith("rope.")}
    assert set(shapes) == reference_keys(cfg.num_layers)
    assert shapes["patch_embedding.weight"] == (5120, 16, 1, 2, 2)
    assert shapes["text_embedding.0.weight"] == (5120, 4096) and shapes["time_projection.1.weight"] == (30720, 5120)
    assert shapes["blocks.0.modulation"] == (1, 6, 5120) and shapes["head.modulation"] == (1, 2, 5120)
    assert shapes["head.head.weight"] == (64, 5120) and shapes["blocks.39.ffn.0.weight"] == (13824, 5120)
    assert shapes["blocks.0.self_attn.norm_q.weight"] == (5120,)
    assert sum(v.numel() for v in model.parameters()) / 1e9 == pytest.approx(14.3, abs=0.1)


def test_a_download_cut_short_is_completed_from_the_hub(tmp_path, weights_folder, monkeypatch):
    """A snapshot folder that exists but lacks a shard is not taken as complete: the hub is asked for the rest."""
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    fill_hub_cache(tmp_path / "hub", weights_folder)
    shard = next((tmp_path / "hub").rglob("text_encoder/*.safetensors"))
    shard.unlink()

    def online(repo, **kw):  # the download puts the missing file back
        shutil.copy(weights_folder / "text_encoder" / shard.name, shard)
        return str(next((tmp_path / "hub").glob("models--" + repo.replace("/", "--"))) / "snapshots" / "0")

    calls = fake_hub(monkeypatch, online)
    paths = from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert False in calls and (paths.text_encoder / shard.name).is_file()


@pytest.mark.slow
def test_the_estimate_keeps_room_for_what_a_video_input_adds_to_a_block():
    """A show plans for a video input, which an operator may switch on at any time: what a steady block with one
    holds at its peak beyond a text-only block (the VAE encoder's pass over 12 frames and the caches it keeps,
    measured on the Wan 2.1 VAE's shapes at a small size, as a stream runs them) is within what the estimate adds
    for it, and a text-only estimate (a benchmark's) leaves it out."""
    import dataclasses

    from live_bytes import LiveBytes
    from vcam.bench.bench import moving_clip
    from vcam.engine.configs import VAEConfig
    from vcam.engine.load import random_engine
    from vcam.engine.memory import estimate_vram
    from vcam.engine.speed import SpeedOptions

    width, height = 64, 32
    spec = dataclasses.replace(get_spec("tiny"), vae=VAEConfig())
    engine = random_engine(spec, torch.device("cpu"), torch.float32, SpeedOptions())
    peaks = {}
    for video_in in (False, True):
        stream = engine.stream("a test", seed=0, width=width, height=height, steps=1,
                               input=moving_clip(width, height) if video_in else None)
        with torch.no_grad():
            stream.next_block()  # the first block starts the decoder's and the encoder's caches
            with LiveBytes() as live:
                stream.next_block()
        peaks[video_in] = live.peak
    text_only, with_input = (estimate_vram(spec, width, height, torch.float32, video_in=v) for v in (False, True))
    assert peaks[True] > peaks[False]
    assert with_input.total - text_only.total >= peaks[True] - peaks[False]
    assert text_only.parts.keys() == with_input.parts.keys()


def test_running_out_of_memory_while_loading_or_warming_up_says_what_to_do(monkeypatch, capsys):
    """The plan can say a card holds the model and the card still run out while it loads (a program that took
    memory meanwhile) or warms up: that is one message with the fix, not PyTorch's paragraph as an internal error."""
    import vcam.engine.load
    import vcam.engine.stream
    from vcam.bench.bench import BenchSettings, bench
    from vcam.cli import main

    def out_of_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total "
                                          "capacity of 23.64 GiB of which 1.50 GiB is free.")

    engine = vcam.load("tiny", progress=False)
    stream = engine.stream("a lighthouse in a storm")
    monkeypatch.setattr(stream, "next_block", out_of_memory)
    with pytest.raises(NotEnoughVRAMError) as err:
        stream.warm_up()
    assert "the GPU ran out of memory while warming up at 112x64 (tried to allocate 2.00 GiB)" in err.value.message
    assert "close other programs using the GPU" in err.value.fix and "--size" in err.value.fix
    monkeypatch.setattr(vcam.engine.stream.Stream, "next_block", out_of_memory)
    with pytest.raises(NotEnoughVRAMError, match="ran out of memory while benchmarking tiny at 112x64"):
        bench(BenchSettings(model="tiny", blocks=1, warmup=1), log=lambda message: None)
    monkeypatch.setattr(vcam.engine.load, "_random_engine", out_of_memory)
    assert main(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert "vcam: error: the GPU ran out of memory while loading tiny at 112x64" in err
    assert "fix: close other programs using the GPU (nvidia-smi lists them)" in err and "VCAM_DEBUG" not in err


def test_memory_taken_by_another_program_is_said_with_the_card_in_use(monkeypatch):
    from vcam.engine.memory import out_of_memory_fix, out_of_memory_said

    cuda = torch.device("cuda")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (2 * GIB, 24 * GIB))
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 10 * GIB)  # this show's own
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 9))
    said = out_of_memory_said(torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 512.00 MiB."),
                              cuda, "while loading krea-14b at 576x320")
    assert said == ("the GPU ran out of memory while loading krea-14b at 576x320 (tried to allocate 512.00 MiB; "
                    "22.0 of 24 GiB of the card in use now, 12.0 GiB of it by other programs)")
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 21 * GIB)  # a CUDA context, a desktop
    assert "other programs" not in out_of_memory_said("CUDA out of memory.", cuda)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (_ for _ in ()).throw(RuntimeError("lost")))
    assert out_of_memory_said("CUDA out of memory.", cuda) == "the GPU ran out of memory"
    assert "--quant fp8" not in out_of_memory_fix(torch.device("cpu"))


def test_a_card_smaller_than_the_model_is_not_told_to_close_other_programs(monkeypatch):
    """A 16 GB card (a Tesla T4, an RTX A4000) holds krea-14b at no size even empty: closing programs cannot help,
    and the fix says the card's own size instead. Where other programs hold the memory, closing them is the fix,
    and the memory needed is never rounded down to the free memory the message gives beside it."""
    import re

    from vcam.engine.memory import memory_plan
    from vcam.engine.speed import SpeedOptions

    spec = get_spec("krea-14b")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(14.5 * GIB), 15 * GIB))
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (7, 5))
    with pytest.raises(NotEnoughVRAMError) as err:
        memory_plan(spec, torch.device("cuda"), 832, 480, torch.bfloat16, SpeedOptions(compile=True), adapt=True)
    assert "the GPU has 14.5 GiB free of 15.0" in err.value.message
    assert "close other programs" not in err.value.fix and "more than this GPU's 15.0 GiB" in err.value.fix
    least = estimate_vram(spec, 416, 240, text_on_gpu=False, quant="fp8").total
    free = least - GIB // 50  # an 80 GB card that other programs hold nearly all of
    with pytest.raises(NotEnoughVRAMError) as err:
        plan_memory(spec, 832, 480, free, fp8_possible=True, total=80 * GIB)
    fix = err.value.fix
    assert "close other programs using the GPU (nvidia-smi lists them)" in fix and "more than this GPU" not in fix
    needs = float(re.search(r"needs at least about ([\d.]+) GiB", fix).group(1))
    assert needs > float(f"{free / GIB:.1f}") and f"{free / GIB:.1f} GiB free of 80.0" in err.value.message


def test_running_out_of_memory_as_the_stream_starts_says_what_to_do(monkeypatch, capsys):
    """Between loading and warming up, a show's stream makes its KV cache, the largest allocation after the weights
    (the memory plan moves the text encoder off the card before it): running out there was PyTorch's paragraph as
    an internal error."""
    import vcam.engine.stream
    from vcam.cli import main

    def out_of_memory(*args, **kwargs):
        raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB.")

    monkeypatch.setattr(vcam.engine.stream, "KVCache", out_of_memory)
    assert main(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert "vcam: error: the GPU ran out of memory while starting the stream at 112x64 (tried to allocate 2.00 GiB)" \
        in err, err
    assert "fix: close other programs using the GPU (nvidia-smi lists them)" in err and "VCAM_DEBUG" not in err


def test_an_fp8_card_without_torchao_is_told_to_install_it_not_to_buy_a_larger_gpu(monkeypatch):
    """A 24 GB RTX 4090 (Ada) without the fp8 extra holds krea-14b in bf16 at no size, and in FP8 at 576x320: it was
    told the model needs more than the card and to use a larger GPU or one that runs FP8, which it is."""
    import vcam.engine.memory
    from vcam.engine.memory import memory_plan
    from vcam.engine.speed import SpeedOptions

    spec = get_spec("krea-14b")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(22.5 * GIB), 24 * GIB))
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: "FP8 needs torchao: pip install torchao")
    with pytest.raises(NotEnoughVRAMError) as err:
        memory_plan(spec, torch.device("cuda"), 832, 480, torch.bfloat16, SpeedOptions(), adapt=True)
    fix = err.value.fix
    assert "more than this GPU" not in fix and "one that runs FP8" not in fix, fix
    assert "--size 576x320 --quant fp8" in fix and install_fix("fp8") in fix  # the extra: torchao>=0.14
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(15 * GIB), 16 * GIB))  # an RTX 4080
    with pytest.raises(NotEnoughVRAMError) as err:
        memory_plan(spec, torch.device("cuda"), 832, 480, torch.bfloat16, SpeedOptions(), adapt=True)
    fix = err.value.fix  # not even in FP8: torchao would not help
    assert "in FP8 needs at least" in fix and "more than this GPU's 16.0 GiB" in fix and "torchao" not in fix, fix


def test_a_text_encoder_planned_on_the_cpu_of_a_machine_without_the_memory_is_refused_before_loading():
    from vcam.engine.memory import HOST_HEADROOM, HostFree, check_host_ram, text_encoder_bytes
    from vcam.errors import NotEnoughRAMError

    spec = get_spec("krea-14b")
    free_vram = 46.5 * GIB  # a 48 GB card: the text encoder moves to the CPU once the first prompts are encoded
    plan = plan_memory(spec, 832, 480, free_vram)
    assert plan.offload_text_after_start
    with pytest.raises(NotEnoughRAMError) as err:
        check_host_ram(spec, plan, 832, 480, free_vram, free_ram=lambda: HostFree(4 * GIB))
    assert "4.0 GiB is free (4.0 GiB available + 0.0 GiB of swap)" in err.value.message
    assert f"needs about {(text_encoder_bytes(spec) + HOST_HEADROOM) / GIB:.1f} GiB" in err.value.message
    assert "close other programs" in err.value.fix and "more memory" in err.value.fix
    assert "\n" not in err.value.message + err.value.fix
    # where FP8 leaves room for it on the card, that is offered; where the card cannot run FP8, not
    with pytest.raises(NotEnoughRAMError) as err:
        check_host_ram(spec, plan, 832, 480, free_vram, fp8_possible=True, free_ram=lambda: HostFree(4 * GIB))
    assert "--quant fp8 (the text encoder then stays on the GPU)" in err.value.fix
    with pytest.raises(NotEnoughRAMError) as err:
        check_host_ram(spec, plan, 832, 480, free_vram, fp8_possible=False, free_ram=lambda: HostFree(4 * GIB))
    assert "--quant fp8" not in err.value.fix


def test_the_machines_memory_is_not_checked_where_it_holds_no_text_encoder_or_cannot_be_read():
    from vcam.engine.memory import HostFree, check_host_ram

    spec = get_spec("krea-14b")
    lean = plan_memory(spec, 832, 480, 43 * GIB)
    assert not lean.text_on_gpu
    check_host_ram(spec, lean, 832, 480, 43 * GIB, free_ram=lambda: None)  # not Linux: said nothing, goes on
    check_host_ram(spec, lean, 832, 480, 43 * GIB, free_ram=lambda: HostFree(64 * GIB))
    full = plan_memory(spec, 832, 480, 96 * GIB)
    check_host_ram(spec, full, 832, 480, 96 * GIB, free_ram=lambda: HostFree(GIB))  # all on the card


def _proc(tmp_path, meminfo: str, arcstats: str | None = None) -> str:
    """A fake /proc root: its meminfo, ZFS's arcstats where given, no cgroup."""
    proc = tmp_path / "proc"
    proc.mkdir(parents=True, exist_ok=True)
    (proc / "meminfo").write_text(meminfo)
    if arcstats is not None:
        (proc / "spl" / "kstat" / "zfs").mkdir(parents=True, exist_ok=True)
        (proc / "spl" / "kstat" / "zfs" / "arcstats").write_text(arcstats)
    return str(proc)


def test_the_free_memory_reading_is_linuxs_memavailable(tmp_path):
    from vcam.engine import memory

    proc = _proc(tmp_path, "MemTotal:       16318480 kB\nMemFree:          512000 kB\nMemAvailable:    8159240 kB\n")
    no_cgroup = str(tmp_path / "no-cgroup")
    assert memory.host_ram_free(proc, no_cgroup).total == 8159240 * 1024
    _proc(tmp_path, "MemTotal:       16318480 kB\n")  # a kernel before 3.14
    assert memory.host_ram_free(proc, no_cgroup) is None


def test_free_swap_counts_as_room_for_the_text_encoder(tmp_path):
    """A machine with 8 GiB free and 16 GiB of swap holds the text encoder (swapped in part, not killed): it was
    refused."""
    from vcam.engine import memory

    proc = _proc(tmp_path, "MemAvailable:    8388608 kB\nSwapTotal:      16777216 kB\nSwapFree:       16777216 kB\n")
    free = memory.host_ram_free(proc, str(tmp_path / "no-cgroup"))
    assert free.total == 24 * GIB
    # said in its parts, so it can be matched against free -g's available column and its swap
    assert free.said() == "24.0 GiB is free (8.0 GiB available + 16.0 GiB of swap)"


def test_the_free_memory_said_is_the_sum_of_its_parts_as_said():
    from vcam.engine.memory import HostFree

    free = HostFree(available=int(8.04 * GIB), swap=int(1.04 * GIB))
    assert free.said() == "9.0 GiB is free (8.0 GiB available + 1.0 GiB of swap)"  # where it said 9.1 = 8.0 + 1.0
    assert HostFree(available=int(8.06 * GIB), swap=int(1.06 * GIB)).said() == \
        "9.2 GiB is free (8.1 GiB available + 1.1 GiB of swap)"


# /proc/spl/kstat/zfs/arcstats as OpenZFS writes it (a header line, then name, type, value)
ARCSTATS = """13 1 0x01 123 33456 4930214321 83401923184
name                            type data
hits                            4    81235123
c_min                           4    {c_min}
c_max                           4    67543253504
size                            4    {size}
"""


def test_zfss_cache_above_its_floor_counts_as_available(tmp_path):
    """A ZFS host with a 40 GiB ARC had it counted as used (MemAvailable leaves it out) and refused a text encoder
    the kernel would have made room for."""
    from vcam.engine import memory

    proc = _proc(tmp_path, "MemAvailable:    4194304 kB\nSwapFree:        2097152 kB\n",
                 ARCSTATS.format(c_min=2 * GIB, size=42 * GIB))
    free = memory.host_ram_free(proc, str(tmp_path / "no-cgroup"))
    assert (free.available, free.zfs_cache, free.swap, free.total) == (4 * GIB, 40 * GIB, 2 * GIB, 46 * GIB)
    assert free.said() == "46.0 GiB is free (44.0 GiB available, 40.0 GiB of it ZFS's cache + 2.0 GiB of swap)"
    spec = get_spec("krea-14b")
    memory.check_host_ram(spec, plan_memory(spec, 832, 480, 43 * GIB), 832, 480, 43 * GIB, free_ram=lambda: free)
    # an ARC at its floor gives nothing back; a damaged file counts as no ZFS
    _proc(tmp_path, "MemAvailable:    4194304 kB\n", ARCSTATS.format(c_min=2 * GIB, size=2 * GIB))
    assert memory.host_ram_free(proc, str(tmp_path / "no-cgroup")).total == 4 * GIB
    _proc(tmp_path, "MemAvailable:    4194304 kB\n", "size 4 lots\n")
    assert memory.host_ram_free(proc, str(tmp_path / "no-cgroup")).total == 4 * GIB


def _cgroup_tree(tmp_path, v2: bool, limit: str, used: int, cache: int, proc: str) -> str:
    """A /sys/fs/cgroup with this process in `/ctr/show` (v2, or v1's memory controller) under a limit set on
    `/ctr`, as a container's; the /proc/self/cgroup naming it."""
    root = tmp_path / "cgroup" / ("" if v2 else "memory")
    names = (("memory.max", "memory.current", "") if v2 else
             ("memory.limit_in_bytes", "memory.usage_in_bytes", "total_"))
    for folder, its_limit in ((root / "ctr", limit), (root / "ctr" / "show", "max" if v2 else str(2**63 - 4096))):
        folder.mkdir(parents=True)
        (folder / names[0]).write_text(its_limit + "\n")
        (folder / names[1]).write_text(f"{used}\n")
        (folder / "memory.stat").write_text(f"anon {used - cache}\n{names[2]}inactive_file {cache // 2}\n"
                                            f"{names[2]}active_file {cache - cache // 2}\n")
    (Path(proc) / "self").mkdir(exist_ok=True)
    (Path(proc) / "self" / "cgroup").write_text("0::/ctr/show\n" if v2 else "4:memory:/ctr/show\n1:cpu:/\n")
    return str(tmp_path / "cgroup")


@pytest.mark.parametrize("v2", [True, False])
def test_a_containers_memory_limit_below_the_hosts_free_memory_is_the_room_it_has(tmp_path, v2):
    """A rented GPU container on a host with 400 GiB free reads that as MemAvailable: its own 16 GiB limit killed
    the show as its text encoder moved to the CPU, where the check had passed it."""
    from vcam.engine import memory
    from vcam.errors import NotEnoughRAMError

    proc = _proc(tmp_path, f"MemAvailable:   {400 * GIB // 1024} kB\n")
    _cgroup_tree(tmp_path, v2, str(16 * GIB), used=9 * GIB, cache=2 * GIB, proc=proc)
    free = memory.host_ram_free(proc, str(tmp_path / "cgroup"))
    assert free.total == (16 - 9 + 2) * GIB  # its page cache is room, as MemAvailable counts it
    spec = get_spec("krea-14b")
    plan = plan_memory(spec, 832, 480, 43 * GIB)
    assert memory.HostFree(available=free.total, limit=free.total).said() == \
        "9.0 GiB is free under this container's memory limit"  # where /proc/meminfo cannot be read
    with pytest.raises(NotEnoughRAMError, match="9.0 GiB is free under this container's memory limit"):
        memory.check_host_ram(spec, plan, 832, 480, 43 * GIB, free_ram=lambda: free)


def test_a_cgroup_without_a_memory_limit_leaves_the_hosts_free_memory(tmp_path):
    from vcam.engine import memory

    for v2, unlimited in ((True, "max"), (False, str(2**63 - 4096))):
        proc = _proc(tmp_path / str(v2), f"MemAvailable:   {64 * GIB // 1024} kB\n")
        mount = _cgroup_tree(tmp_path / str(v2), v2, unlimited, used=9 * GIB, cache=2 * GIB, proc=proc)
        assert memory.host_ram_free(proc, mount).total == 64 * GIB
    # one far above what is free is no bound either
    proc = _proc(tmp_path / "large", f"MemAvailable:   {64 * GIB // 1024} kB\n")
    mount = _cgroup_tree(tmp_path / "large", True, str(512 * GIB), used=9 * GIB, cache=0, proc=proc)
    assert memory.host_ram_free(proc, mount).total == 64 * GIB


def test_a_weights_path_with_a_part_too_long_for_a_folder_name_is_said_with_the_fix(tmp_path):
    """A path pasted twice over, or a line of text in place of it: the file system's "File name too long" came with
    no fix (and from `--weights DIR` on a GPU machine, as an OSError vcam did not expect)."""
    long = "weights-" * 40
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path / long / "x")
    assert "longer than a folder's name can be (255 bytes)" in err.value.message
    assert f"of {len(long)} bytes" in err.value.message and KREA_FILE in err.value.fix


@pytest.mark.skipif(not Path("/proc/self/io").is_file(), reason="the bytes read are told by /proc")
def test_the_text_encoders_load_says_how_far_it_has_come_by_the_bytes_it_reads(tmp_path, monkeypatch):
    """transformers reads the text encoder's 11.4 GB itself, its bar off: a minute or more said nothing, a show
    starting on a stage looked hung. Told by the shard held open or mapped, transformers 5 (which maps every shard
    before it reads any) showed 75 % of four shards at once, and stayed there. A look after each tensor transformers
    reads shows the percentage climb from low; 100 % once it has returned."""
    import io

    import transformers.core_model_loading as loading
    from transformers import UMT5Config, UMT5EncoderModel

    from vcam.engine.shardsread import ShardsRead
    from vcam.progress import ByteProgress

    folder = tmp_path / "text_encoder"
    UMT5EncoderModel(UMT5Config(vocab_size=256, d_model=128, d_ff=512, num_layers=4, num_heads=4, d_kv=32)) \
        .save_pretrained(str(folder), max_shard_size="1200KB")
    assert len(list(folder.glob("*.safetensors"))) == 4
    UMT5EncoderModel.from_pretrained(str(folder), dtype=torch.bfloat16)  # its modules imported: not counted below
    out, said = io.StringIO(), []
    shards = ShardsRead(folder, ByteProgress("loading text encoder", 0, out, clock=lambda: 0.0, every_s=0.0),
                        said.append)
    read = loading._materialize_copy

    def looked(*args, **kwargs):
        tensor = read(*args, **kwargs)
        shards.look()
        return tensor

    monkeypatch.setattr(loading, "_materialize_copy", looked)
    UMT5EncoderModel.from_pretrained(str(folder), dtype=torch.bfloat16)
    percents = [int(text.removeprefix("loading text encoder ").removesuffix("%")) for text in said]
    assert len(percents) >= 3 and percents[0] < 50 and percents[-1] < 100, said
    assert out.getvalue().splitlines()[-1].endswith("(%d%%)" % percents[-1]), out.getvalue()
    shards.done()
    assert out.getvalue().splitlines()[-1] == "vcam: loading text encoder: 4.3 of 4.3 MB (100%)", out.getvalue()


def test_the_text_encoders_load_says_its_size_and_time_where_how_far_cannot_be_told(tmp_path, monkeypatch):
    """No /proc (not Linux): the size and the time so far, not a percentage that never moves."""
    import io

    import vcam.engine.shardsread as shardsread
    from vcam.progress import ByteProgress

    monkeypatch.setattr(shardsread, "_taken_in", lambda: None)
    folder = tmp_path / "text_encoder"
    folder.mkdir()
    (folder / "model-00001-of-00002.safetensors").write_bytes(b"x" * 1_000_000)
    (folder / "model-00002-of-00002.safetensors").write_bytes(b"x" * 2_000_000)
    now = [0.0]
    out, said = io.StringIO(), []
    shards = shardsread.ShardsRead(folder, ByteProgress("loading text encoder", 0, out, clock=lambda: now[0],
                                                        every_s=0.0), said.append)
    now[0] = 65.0
    shards.look()
    assert out.getvalue() == "vcam: loading text encoder: 3.0 MB, 1:05 so far\n" and said == []
    shards.done()
    assert out.getvalue().splitlines()[-1] == "vcam: loading text encoder: 3.0 of 3.0 MB (100%)"


def test_a_text_encoder_folder_with_no_shard_says_no_load_progress(tmp_path):
    """No *.safetensors in the folder (the load itself says what it lacks): "loading text encoder: 0 bytes" read as
    a load of nothing that had worked."""
    import io

    from vcam.engine.shardsread import ShardsRead
    from vcam.progress import ByteProgress

    out, said = io.StringIO(), []
    shards = ShardsRead(tmp_path, ByteProgress("loading text encoder", 0, out, clock=lambda: 0.0, every_s=0.0),
                        said.append)
    shards.look()
    shards.done()
    assert out.getvalue() == "" and said == []


def test_loading_a_weights_folder_says_the_text_encoders_progress(weights_folder, capfd):
    vcam.load("tiny", weights=weights_folder)
    err = capfd.readouterr().err
    assert "vcam: loading text encoder: " in err and "(100%)" in err.split("vcam: loading text encoder: ")[-1], err


def test_the_text_encoders_watch_thread_stops_its_line_quietly_on_a_gone_terminal(tmp_path, monkeypatch):
    """The thread that tells the encoder's load wrote to a terminal hung up: its EIO came out as a thread
    traceback."""
    import threading

    from test_weights_hub import HungUp
    from vcam.engine.shardsread import ShardsRead
    from vcam.progress import ByteProgress

    raised = []
    monkeypatch.setattr(threading, "excepthook", raised.append)
    (tmp_path / "model.safetensors").write_bytes(b"x" * 1000)
    out = HungUp(at="")
    shards = ShardsRead(tmp_path, ByteProgress("loading text encoder", 0, out, every_s=0.0), [].append)
    shards.watch(every_s=0.0)
    assert out.failed.wait(60)
    shards.done()
    assert raised == [] and out.getvalue() == ""
