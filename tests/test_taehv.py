"""TAEHV's tiny decoder: block by block with kept state equals one decode of the whole sequence, its frames line
up with the VAE path's, and it loads the published file layout (and nothing else)."""

import os
import sys
import time

import pytest
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from vcam.engine.configs import TAEHVConfig, get_spec
from vcam.engine.taehv import TAEHVStreamingDecoder, build_taehv, published_names
from vcam.engine.taehv_weights import load_taehv
from vcam.errors import WeightsError
from helpers import decode_in_parts
from live_bytes import LiveBytes

SMALL = TAEHVConfig(widths=(8, 8, 4, 4))


@pytest.fixture(scope="module")
def decoder():
    return build_taehv(SMALL, seed=0)


def whole(decoder, latents):
    """One decode of the whole sequence, as the reference does it: all frames at once from empty memory, the
    warm-up frames dropped."""
    return TAEHVStreamingDecoder(decoder, latents_per_call=latents.shape[2]).decode(latents)


@pytest.mark.parametrize("splits", [(3, 3, 3), (1, 2, 3, 1), (7,), (2, 5)])
def test_blockwise_decode_equals_full_decode(decoder, splits):
    n = sum(splits)
    latents = torch.randn(1, 16, n, 5, 7, generator=torch.Generator().manual_seed(n))
    expected = whole(decoder, latents)
    stream = TAEHVStreamingDecoder(decoder)
    got = decode_in_parts(stream, latents, splits)
    assert got.shape == expected.shape == (1, 3, 1 + 4 * (n - 1), 40, 56)
    assert torch.allclose(got, expected, atol=1e-5, rtol=0)


def test_without_kept_state_the_result_differs(decoder):
    latents = torch.randn(1, 16, 6, 5, 7)
    expected = whole(decoder, latents)
    first, second = TAEHVStreamingDecoder(decoder), TAEHVStreamingDecoder(decoder)
    first.decode(latents[:, :, :3])
    fresh = second.decode(latents[:, :, 3:])
    assert fresh.shape[2] == 9  # a fresh decoder starts a new video: its warm-up frames are dropped
    assert not torch.allclose(fresh, expected[:, :, -9:], atol=1e-3)


def test_reset_starts_a_new_sequence(decoder):
    latents = torch.randn(1, 16, 3, 5, 7)
    stream = TAEHVStreamingDecoder(decoder)
    a = stream.decode(latents)
    stream.decode(latents)
    stream.reset()
    assert torch.equal(stream.decode(latents), a)


def reference_decode(cfg: TAEHVConfig, flat: dict, z: torch.Tensor) -> torch.Tensor:
    """The published network written out from its flat layer list (decoder.<i>), every frame at once with each
    memory block's past being its input shifted one frame (zeros first): z [T, C, h, w] -> [4T - 3, 3, H, W] in
    [0, 1]. Independent of the module structure and of the name map under test."""
    def conv(x, i, sub=""):
        w = flat[f"decoder.{i}{sub}.weight"]
        return F.conv2d(x, w, flat.get(f"decoder.{i}{sub}.bias"), padding=w.shape[-1] // 2)

    x = F.relu(conv(torch.tanh(z / 3) * 3, 1))
    i = 3
    for stage in range(3):
        for _ in range(3):
            past = torch.cat([torch.zeros_like(x[:1]), x[:-1]])
            h = F.relu(conv(torch.cat([x, past], 1), i, ".conv.0"))
            h = F.relu(conv(h, i, ".conv.2"))
            x = F.relu(conv(h, i, ".conv.4") + x)
            i += 1
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        c = x.shape[1]
        x = conv(x, i + 1, ".conv").reshape(-1, c, *x.shape[-2:])
        x = conv(x, i + 2)
        i += 3
    x = conv(F.relu(x), i + 1)
    return x.clamp(0, 1)[cfg.warmup_frames:]


def test_equals_the_published_network_written_out(decoder):
    flat = {published_names(SMALL)[k]: v for k, v in decoder.state_dict().items()}
    z = torch.randn(4, 16, 5, 7, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        expected = reference_decode(SMALL, flat, z) * 2 - 1
    got = TAEHVStreamingDecoder(decoder).decode(z.permute(1, 0, 2, 3)[None])
    assert got.shape == (1, 3, 13, 40, 56)
    assert torch.allclose(got[0].transpose(0, 1), expected, atol=1e-5)


def test_the_published_layout_is_the_flat_sequence():
    names = published_names(TAEHVConfig())
    assert names["head_in.weight"] == "decoder.1.weight"
    assert names["stages.0.memory.0.conv1.weight"] == "decoder.3.conv.0.weight"
    assert names["stages.0.memory.2.conv3.bias"] == "decoder.5.conv.4.bias"
    assert names["stages.0.grow.weight"] == "decoder.7.conv.weight"
    assert names["stages.0.narrow.weight"] == "decoder.8.weight"
    assert names["stages.2.grow.weight"] == "decoder.19.conv.weight"
    assert names["head_out.bias"] == "decoder.22.bias"
    assert len(set(names.values())) == len(names)


def test_a_stream_gives_the_vae_paths_frame_counts_and_sizes():
    """The tiny engine with --decoder taehv: 6 frames from block 0 (9 decoded, 3 dropped as the reference does),
    12 from every later block, at the stream's size, uint8 RGB, as with the VAE."""
    import vcam
    from vcam.engine.speed import SpeedOptions

    shapes = {}
    for decoder in ("vae", "taehv"):
        engine = vcam.load("tiny", device="cpu", progress=False, speed=SpeedOptions(decoder=decoder))
        stream = engine.stream("a red fox", seed=1)
        shapes[decoder] = [stream.next_block().shape for _ in range(3)]
        assert (engine.taehv is not None) == (decoder == "taehv")
    spec = get_spec("tiny")
    frames = [(6, spec.height, spec.width, 3)] + [(12, spec.height, spec.width, 3)] * 2
    assert shapes["taehv"] == shapes["vae"] == frames


def write_published_file(path, cfg: TAEHVConfig, seed: int = 0, drop=(), extra=None, encoder: bool = True):
    """A file laid out as taew2_1.safetensors is: the flat decoder keys and the encoder's (which vcam ignores)."""
    flat = {published_names(cfg)[k]: v.half() for k, v in build_taehv(cfg, seed=seed).state_dict().items()}
    if encoder:
        flat.update({"encoder.0.weight": torch.zeros(64, 3, 3, 3, dtype=torch.half),
                     "encoder.0.bias": torch.zeros(64, dtype=torch.half)})
    for k in drop:
        flat.pop(k)
    flat.update(extra or {})
    save_file(flat, str(path))
    return path


def test_loads_the_published_layout(tmp_path):
    path = write_published_file(tmp_path / "taew2_1.safetensors", SMALL, seed=4)
    loaded = load_taehv(path, SMALL, torch.device("cpu"), torch.float32)
    want = build_taehv(SMALL, seed=4)
    for k, v in want.state_dict().items():
        assert torch.equal(loaded.state_dict()[k], v.half().float()), k


@pytest.mark.parametrize("damage", ["missing", "unexpected", "shape", "time grow", "other model", "not safetensors"])
def test_a_wrong_file_is_one_clear_error(tmp_path, damage):
    path = tmp_path / "taew2_1.safetensors"
    if damage == "missing":
        write_published_file(path, SMALL, drop=("decoder.22.bias",))
    elif damage == "unexpected":
        write_published_file(path, SMALL, extra={"decoder.23.weight": torch.zeros(1)})
    elif damage == "shape":
        write_published_file(path, TAEHVConfig(widths=(8, 8, 4, 8)))
    elif damage == "time grow":  # a first stage that makes 2 frames of one: refused, not trimmed (see load_taehv)
        write_published_file(path, TAEHVConfig(widths=SMALL.widths, time_strides=(2, 2, 2)))
    elif damage == "other model":
        save_file({"model.blocks.0.self_attn.q.weight": torch.zeros(2, 2)}, str(path))
    else:
        path.write_bytes(b"not a safetensors file at all")
    with pytest.raises(WeightsError) as e:
        load_taehv(path, SMALL, torch.device("cpu"), torch.float32)
    assert "taew2_1.safetensors" in e.value.fix
    if damage == "missing":
        assert "decoder.22.bias" in e.value.message
    if damage == "time grow":
        assert "decoder.7.conv.weight" in e.value.message
    if damage == "shape":
        assert "shape" in e.value.message


def test_a_weights_folder_with_the_file_loads_it(weights_folder, tmp_path):
    import shutil

    import vcam
    from vcam.engine.speed import SpeedOptions

    folder = tmp_path / "weights"
    shutil.copytree(weights_folder, folder)
    tiny = get_spec("tiny").taehv
    write_published_file(folder / "taew2_1.safetensors", tiny, seed=7)
    engine = vcam.load("tiny", weights=str(folder), device="cpu", progress=False,
                       speed=SpeedOptions(decoder="taehv"))
    want = build_taehv(tiny, seed=7).state_dict()
    assert all(torch.equal(engine.taehv.state_dict()[k], v.half().float()) for k, v in want.items())
    assert engine.stream("a red fox").next_block().shape == (6, 64, 112, 3)


def test_without_the_file_and_offline_the_error_says_where_to_get_it(tmp_path, monkeypatch):
    from vcam.engine.taehv_weights import TAEHV_URL, find_taehv

    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsError) as e:
        find_taehv(tmp_path)
    assert TAEHV_URL in e.value.fix and "taew2_1.safetensors" in e.value.message


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_a_weights_folder_in_a_home_there_is_none_of_is_looked_in_as_written(tmp_path, monkeypatch):
    """A quoted `--weights "~/w"` by a user with no home folder ended with an internal error (Path's RuntimeError)
    before the decoder's file was looked for anywhere."""
    from test_weights import no_home
    from vcam.engine.taehv_weights import find_taehv

    no_home(monkeypatch)
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(WeightsError) as e:
        find_taehv("~/w")
    assert "taew2_1.safetensors" in e.value.message


def test_the_download_is_checked_against_the_pinned_commits_blob(tmp_path):
    from vcam.engine import taehv_weights as tw

    source = write_published_file(tmp_path / "published.safetensors", SMALL)
    target = tmp_path / "cache" / "taew2_1.safetensors"
    tw._download(source.as_uri(), target, expected_blob=tw.git_blob_id(source))
    assert target.read_bytes() == source.read_bytes()
    other = tmp_path / "cache2" / "taew2_1.safetensors"
    with pytest.raises(WeightsError) as e:
        tw._download(source.as_uri(), other, expected_blob="0" * 40)
    assert "not the file published" in e.value.message
    assert not other.exists() and list(other.parent.iterdir()) == []  # no partial file left behind


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, whose every write finds the disk full")
def test_a_full_disk_under_the_download_is_said_as_the_disk_not_the_network(tmp_path, monkeypatch):
    """TAEHV's file written onto a full disk was said as a failed download, with the fix to check the network and
    to copy the file into the very folder that had no room for it."""
    from vcam.engine import taehv_weights as tw

    source = write_published_file(tmp_path / "published.safetensors", SMALL)
    target = tmp_path / "cache" / "taew2_1.safetensors"
    target.parent.mkdir()
    part = target.parent / ".taew2_1.safetensors-x.part"

    def on_a_full_disk(path):
        part.write_bytes(b"")
        return os.open("/dev/full", os.O_WRONLY), str(part)

    monkeypatch.setattr(tw, "_partial_file", on_a_full_disk)
    with pytest.raises(WeightsError) as e:
        tw._download(source.as_uri(), target, expected_blob=tw.git_blob_id(source))
    assert e.value.message == f"could not keep taew2_1.safetensors in {target.parent}: No space left on device"
    assert e.value.fix.startswith(f"free space on the disk of {target.parent}") and "network" not in e.value.fix
    assert not part.exists() and not target.exists()


def test_git_blob_id_is_gits():
    import subprocess
    import tempfile

    with tempfile.NamedTemporaryFile(delete=False) as f:
        f.write(b"vcam\n")
    from pathlib import Path

    from vcam.engine.taehv_weights import git_blob_id
    try:
        expected = subprocess.run(["git", "hash-object", f.name], capture_output=True, text=True).stdout.strip()
    except FileNotFoundError:
        pytest.skip("no git")
    assert git_blob_id(Path(f.name)) == expected


def test_a_tiny_show_runs_on_the_tiny_decoder_and_says_so(tmp_path):
    import io
    import json

    from vcam.live.run import RunOptions, run

    status, log = io.StringIO(), tmp_path / "log.jsonl"
    code = run(RunOptions(model="tiny", outs=["null"], duration=1.0, stdin=False, decoder="taehv",
                          status_out=status, log_controls=str(log)))
    assert code == 0, status.getvalue()
    assert "on air: tiny at 112x64, 4 steps, taehv decoder" in status.getvalue()
    assert json.loads(log.read_text().splitlines()[0])["vcam"]["decoder"] == "taehv"  # vcam render decodes the same way


@pytest.mark.parametrize("command", [["run"], ["serve"], ["bench"], ["download"]])
def test_the_flag_is_on_run_serve_bench_and_download(command):
    from vcam.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(command + ["--decoder", "taehv"]).decoder == "taehv"
    # never the default: a show not given one decodes as its replayed log did, else with the VAE (test_live_size)
    assert parser.parse_args(command).decoder == (None if command[0] in ("run", "serve") else "vae")
    with pytest.raises(SystemExit):
        parser.parse_args(command + ["--decoder", "tiny"])


def test_the_decoder_comparison_runs_on_the_cpu_with_tiny_weights():
    from vcam.bench.decoders import compare_decoders

    r = compare_decoders(torch.device("cpu"), model="tiny", blocks=2)
    d = r.to_dict()
    assert d["weights"] == "random" and d["blocks"] == 2 and (d["width"], d["height"]) == (112, 64)
    assert len(d["vae_ms"]) == len(d["taehv_ms"]) == len(d["psnr_db"]) == 2
    assert all(t > 0 for t in d["vae_ms"] + d["taehv_ms"]) and d["speedup"] > 0
    # two different random networks: their frames differ, by a finite amount
    assert all(0 < m <= 255 for m in d["mean_levels"]) and all(0 < p < 100 for p in d["psnr_db"])


def test_the_same_decoder_on_both_sides_would_show_no_difference(monkeypatch):
    """The measure itself: fed TAEHV for both columns it finds no difference (so a real gap is the decoders')."""
    from vcam.bench import decoders

    monkeypatch.setattr(decoders, "StreamingDecoder", lambda vae: decoders.TAEHVStreamingDecoder(tiny_taehv))
    tiny_taehv = build_taehv(get_spec("tiny").taehv, seed=3)
    d = decoders.compare_decoders(torch.device("cpu"), model="tiny", blocks=2, taehv=tiny_taehv).to_dict()
    assert d["mean_levels"] == [0.0, 0.0] and d["max_levels"] == [0.0, 0.0]


def test_the_tuning_key_names_the_decoder_and_old_entries_still_load(tmp_path, monkeypatch):
    import json

    from vcam.bench.tuning import TuningKey, candidates, choose_speed, lookup
    from vcam.engine.speed import SpeedFlags, SpeedOptions

    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    old = "NVIDIA H100 | torch 2.9 | krea-14b | 832x480 | 4 steps | bfloat16 | quant none"  # written before
    key = TuningKey("NVIDIA H100", "2.9", "krea-14b", 832, 480, 4, "bfloat16", "none")
    assert key.text() == old
    tiny_key = TuningKey("NVIDIA H100", "2.9", "krea-14b", 832, 480, 4, "bfloat16", "none", decoder="taehv")
    assert tiny_key.text() == old + " | decoder taehv"
    entry = {"options": {"compile": True, "attention": "cudnn"}, "date": "2026-11-27", "frames_per_second": 8.0}
    (tmp_path / "tuning.json").write_text(json.dumps({"version": 1, "entries": {old: entry}}))
    options, _ = lookup("NVIDIA H100", "krea-14b", 832, 480, 4, "bfloat16", "none", torch_version="2.9")
    assert options == SpeedOptions(compile=True, attention="cudnn")
    # the VAE's tuning is not the tiny decoder's: that show runs the defaults, with its decoder
    assert lookup("NVIDIA H100", "krea-14b", 832, 480, 4, "bfloat16", "none", torch_version="2.9",
                  decoder="taehv") is None
    choice = choose_speed(tiny_key, SpeedFlags(), path=tmp_path / "tuning.json")
    assert choice.options.decoder == "taehv" and "decoder taehv" in choice.message
    assert {c.decoder for c in candidates("cpu", "none", "taehv")} == {"taehv"}


def test_the_memory_estimate_counts_the_tiny_decoder_instead_of_the_vae_decode():
    from vcam.engine.memory import estimate_vram

    spec = get_spec("krea-14b")
    vae, tiny = (estimate_vram(spec, 832, 480, decoder=d) for d in ("vae", "taehv"))
    assert "taehv" in tiny.parts and "taehv" not in vae.parts
    assert 0 < tiny.parts["taehv"] < vae.parts["vae"]
    assert {k: v for k, v in tiny.parts.items() if k not in ("vae", "taehv")} == \
        {k: v for k, v in vae.parts.items() if k != "vae"}


def test_with_taehv_the_estimate_still_counts_the_vae_encoders_pass():
    """With --decoder taehv the VAE's streaming encoder still encodes a video input every block: the VAE's part
    covers what that encode holds at its peak (measured on the Wan 2.1 VAE's shapes at a small size): what it makes,
    and the previous block's causal caches, kept until the block ends."""
    import dataclasses

    from vcam.engine.configs import VAEConfig
    from vcam.engine.memory import estimate_vram, param_bytes
    from vcam.engine.vae import StreamingEncoder, build_vae

    width, height = 64, 32
    vae = build_vae(VAEConfig()).eval()
    encoder = StreamingEncoder(vae)
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        encoder.encode(torch.rand(1, 3, 9, height, width, generator=gen) * 2 - 1)
        kept = sum(t.untyped_storage().nbytes() for t in encoder.state()[0] if isinstance(t, torch.Tensor))
        rgb = torch.rand(1, 3, 12, height, width, generator=gen) * 2 - 1
        with LiveBytes() as live:
            encoder.encode(rgb)
    spec = dataclasses.replace(get_spec("tiny"), vae=VAEConfig())
    estimate = estimate_vram(spec, width, height, torch.float32, decoder="taehv")
    assert estimate.parts["vae"] - param_bytes(vae, torch.float32) >= live.peak + kept > 0


def test_the_estimate_holds_what_taehvs_decode_of_a_block_holds_at_its_peak():
    """Measured as the VAE encoder's part is, on the published decoder's shapes at a small size: the peak of a warm
    block's decode (one latent at a time, as a stream runs it) and the previous block's memory frames, kept until
    the block ends. The estimate holds them, and is no guess far above them (TAEHV_DECODE_COPIES)."""
    import dataclasses

    from vcam.engine.memory import estimate_vram, param_bytes
    from vcam.engine.taehv import TAEHVDecoder

    width, height = 64, 32
    cfg = TAEHVConfig()
    stream = TAEHVStreamingDecoder(build_taehv(cfg))
    gen = torch.Generator().manual_seed(0)
    stream.decode(torch.randn(1, 16, 3, height // 8, width // 8, generator=gen))  # the stream's first block
    kept = sum(t.untyped_storage().nbytes() for t in stream.state())
    latents = torch.randn(1, 16, 3, height // 8, width // 8, generator=gen)
    with LiveBytes() as live:
        stream.decode(latents)
    spec = dataclasses.replace(get_spec("tiny"), taehv=cfg)
    held = estimate_vram(spec, width, height, torch.float32, decoder="taehv").parts["taehv"] \
        - param_bytes(TAEHVDecoder(cfg), torch.float32)
    assert live.peak + kept <= held <= 1.1 * (live.peak + kept)


def test_video_in_still_encodes_with_the_vae_while_taehv_decodes():
    import vcam
    from vcam.bench.bench import moving_clip
    from vcam.engine.speed import SpeedOptions

    engine = vcam.load("tiny", device="cpu", progress=False, speed=SpeedOptions(decoder="taehv"))
    spec = get_spec("tiny")
    stream = engine.stream("a red fox", seed=1, input=moving_clip(spec.width, spec.height), strength=0.5)
    blocks = [stream.next_block() for _ in range(3)]  # the third re-encodes a decoded frame into the context
    assert [b.shape[0] for b in blocks] == [6, 12, 12]
    assert engine.vae is not None and engine.taehv is not None


@pytest.mark.parametrize("fail_at", [2, 3])
def test_a_block_that_fails_after_its_decode_is_retried_exactly(fail_at):
    """A failure after TAEHV's decode (here in keeping the block's latents and frames, call 2 being block 1's and
    3 block 2's): the retry gives the frames of a stream that never failed, TAEHV's memory rewound with the rest."""
    import numpy as np

    import vcam
    from vcam.engine.speed import SpeedOptions

    engine = vcam.load("tiny", device="cpu", progress=False, speed=SpeedOptions(decoder="taehv"))

    def blocks(fail_at):
        s = engine.stream("a neon city", seed=4)
        real, calls = s._remember, {"n": 0}

        def flaky(*args):
            real(*args)  # the stream has moved on, then the failure comes
            calls["n"] += 1
            if calls["n"] == fail_at:
                raise RuntimeError("CUDA out of memory (pretend)")

        s._remember = flaky
        out = []
        for _ in range(4):
            try:
                out.append(s.next_block())
            except RuntimeError:
                out.append(s.next_block())
        assert fail_at is None or calls["n"] > fail_at
        return out

    plain = blocks(None)
    assert all(np.array_equal(a, b) for a, b in zip(blocks(fail_at), plain, strict=True))


def test_the_check_before_a_show_refuses_what_loading_would_and_downloads_nothing(tmp_path, monkeypatch):
    from vcam.engine import taehv_weights as tw

    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(tw, "_download", lambda *a, **k: pytest.fail("the check downloaded"))
    tw.check_taehv("taehv", None, at_random=False)  # missing, fetched as the model loads
    tw.check_taehv("taehv", tmp_path, at_random=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    tw.check_taehv("vae", tmp_path, at_random=False)  # the VAE decodes: no file needed
    tw.check_taehv("taehv", None, at_random=get_spec("tiny").builds_at_random(None))  # built at random with the model
    with pytest.raises(WeightsError) as e:
        tw.check_taehv("taehv", tmp_path, at_random=False)
    assert e.value.message == (f"TAEHV's weights (taew2_1.safetensors) are not in {tmp_path / 'cache' / 'taehv'}, "
                               f"{tmp_path} holds none and downloading is off")
    assert tw.TAEHV_URL in e.value.fix and "--decoder vae" in e.value.fix
    good = write_published_file(tmp_path / "taew2_1.safetensors", SMALL)
    tw.check_taehv("taehv", tmp_path, at_random=False)  # the folder's file serves offline
    good.write_bytes(good.read_bytes()[:-100])
    with pytest.raises(WeightsError) as e:
        # files load, even tiny's
        tw.check_taehv("taehv", tmp_path, at_random=get_spec("tiny").builds_at_random(tmp_path))
    assert f"TAEHV weights {good} are unusable (truncated" in e.value.message
    assert "--decoder vae" in e.value.fix


def test_a_damaged_cached_file_offline_is_named_as_damaged(tmp_path, monkeypatch):
    from vcam.engine import taehv_weights as tw

    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cached = tw.cached_path()
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"\0" * 5)
    with pytest.raises(WeightsError) as e:
        tw.check_taehv("taehv", None, at_random=False)
    assert e.value.message == f"TAEHV's weights {cached} are unusable (only 5 bytes) and downloading is off"


def test_a_damaged_taehv_file_is_refused_before_a_camera_or_a_recording_opens(tmp_path, weights_folder, capsys):
    """It was found damaged as the model loaded: the camera was open by then, and the recording held the loading
    card."""
    import shutil

    import memory_camera
    from vcam.cli import main

    folder = shutil.copytree(weights_folder, tmp_path / "w")
    damaged = folder / "taew2_1.safetensors"
    damaged.write_bytes(b"not a safetensors file")
    take = tmp_path / "take.mp4"
    backend = memory_camera.install()
    try:
        assert main(["run", "--model", "tiny", "--weights", str(folder), "--decoder", "taehv", "--duration", "5",
                     "--no-stdin", "--out", f"file:{take}", "--out", "vcam"]) == 2
    finally:
        memory_camera.uninstall()
    err = capsys.readouterr().err
    assert f"TAEHV weights {damaged} are unusable" in err and "--decoder vae" in err, err
    assert "loading transformer" not in err
    assert not take.exists() and backend.opened == []


def _part(tmp_path, name: str, age_s: float = 0.0):
    """A partial download left in the cache folder (`name` in place of mkstemp's random part), last written `age_s`
    seconds ago."""
    folder = tmp_path / "cache"
    folder.mkdir(exist_ok=True)
    part = folder / f".taew2_1.safetensors-{name}.part"
    part.write_bytes(b"\0" * 1000)
    then = time.time() - age_s
    os.utime(part, (then, then))
    return part


def _download_into_cache(tmp_path) -> None:
    """The published file downloaded into the cache folder, as a show starting without it downloads it."""
    from vcam.engine import taehv_weights as tw

    source = write_published_file(tmp_path / "published.safetensors", SMALL)
    target = tmp_path / "cache" / "taew2_1.safetensors"
    tw._download(source.as_uri(), target, expected_blob=tw.git_blob_id(source))
    assert target.read_bytes() == source.read_bytes()


def test_a_download_removes_the_partial_files_killed_runs_left_but_not_one_being_downloaded(tmp_path):
    from vcam import filelock
    from vcam.engine import taehv_weights as tw

    killed = _part(tmp_path, "killed", 2 * tw.STALE_PART_S)
    live = _part(tmp_path, "live", 2 * tw.STALE_PART_S)  # a download stalled for a while, by another show running
    fresh = _part(tmp_path, "fresh")
    held = os.open(live, os.O_RDWR)
    try:
        if filelock.available():
            assert filelock.lock(held)
        _download_into_cache(tmp_path)
    finally:
        os.close(held)
    assert not killed.exists() and fresh.exists()  # fresh: another show's, made a moment before it locked it
    assert live.exists() or not filelock.available()


@pytest.mark.skipif(not hasattr(os, "O_ACCMODE"), reason="POSIX file modes")
def test_a_part_another_show_downloads_into_over_nfs_is_kept(tmp_path, monkeypatch):
    """NFS emulates flock with byte-range locks, whose exclusive one needs the file open for writing: the check of a
    part opened read-only failed with EBADF, read as a file system without locks, and another show's download whose
    last write looked a minute old (an NFS server's clock ahead of this one) was deleted under it."""
    import errno
    import fcntl

    from vcam.engine import taehv_weights as tw

    real_flock = fcntl.flock

    def nfs_flock(fd, operation):
        if operation & fcntl.LOCK_EX and os.O_RDONLY == fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        return real_flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", nfs_flock)
    live, killed = (_part(tmp_path, name, 2 * tw.STALE_PART_S) for name in ("live", "killed"))
    held = os.open(live, os.O_RDWR)  # as the other show's mkstemp opened it
    try:
        nfs_flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _download_into_cache(tmp_path)
    finally:
        os.close(held)
    assert live.exists() and not killed.exists()  # a killed run's is removed there all the same


@pytest.mark.parametrize("ahead_s", [3600.0, -3600.0])
def test_a_parts_age_is_read_on_the_file_systems_clock_where_it_has_no_locks(tmp_path, monkeypatch, ahead_s):
    """This machine's clock an hour ahead of the file system's (an NFS server's behind it, or stepped back by its
    NTP) made another show's part, written to a moment before, an hour old: with no locks to tell, it was removed
    under that download. An hour behind, a killed run's part looked young and stayed for good."""
    from types import SimpleNamespace

    from vcam import filelock
    from vcam.engine import taehv_weights as tw

    monkeypatch.setattr(filelock, "try_lock", lambda fd: None)  # a file system without locks
    monkeypatch.setattr(tw, "time", SimpleNamespace(time=lambda: time.time() + ahead_s))
    killed = _part(tmp_path, "killed", 2 * tw.STALE_PART_S)
    fresh = _part(tmp_path, "fresh")
    _download_into_cache(tmp_path)
    assert fresh.exists() and not killed.exists()


def test_a_part_a_run_killed_moments_before_left_is_removed_where_locks_tell_it_is_no_ones(tmp_path):
    """A show killed mid-download (a stalled network, kill -9) and started again at once downloaded the file and
    left the killed run's part for good: written to less than a minute before, it was kept as maybe another show's,
    though no process held its lock."""
    from vcam import filelock
    from vcam.engine import taehv_weights as tw

    if not filelock.available():
        pytest.skip("no file locks here: only a part's age tells")
    assert 2 * tw.LOCKED_STALE_S < tw.STALE_PART_S  # moments before: young enough to be kept without locks
    killed = _part(tmp_path, "killed", 2 * tw.LOCKED_STALE_S)
    fresh = _part(tmp_path, "fresh")
    _download_into_cache(tmp_path)
    assert not killed.exists() and fresh.exists()  # fresh: another show's, made a moment before it locked it
