"""Weights folders damaged as users damage them (a config or tokenizer file cut short, a folder where a file goes, a
file this user cannot read, parts of another model), each said as vcam's own error with what to do, before the
minutes of loading where the files show it, and never a library's traceback or a model left partly random."""
import builtins
import json
import logging
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

import vcam
from test_weights import fake_hub
from test_weights_hub import online_hub, sizes
from vcam.engine import hub
from vcam.engine.configs import KREA_FILE, get_spec
from vcam.engine.weight_files import from_folder
from vcam.errors import READ_FIX, WeightsError


def copy_folder(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize("part", ["vae", "text_encoder"])
@pytest.mark.parametrize("text", ["", '{"_class_name": "AutoencoderKLWan", ', "[]"])
def test_a_config_cut_short_is_named_before_loading(tmp_path, weights_folder, part, text):
    """A config.json cut short stopped the run with "OSError: It looks like the config file ... is not a valid JSON
    file" (set VCAM_DEBUG=1 ...), after the checkpoint had been read."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / part / "config.json").write_text(text)
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert str(folder / part / "config.json") in err.value.message
    assert err.value.fix.startswith(f"copy complete files into {folder}")


@pytest.mark.parametrize("damage", ["empty tokenizer.json", "no tokenizer files"])
def test_a_damaged_tokenizer_is_named_before_loading(tmp_path, weights_folder, damage):
    """An empty tokenizer.json stopped the run with "JSONDecodeError: Expecting value", and a tokenizer folder with
    neither tokenizer.json nor spiece.model with transformers' many lines on converting a slow tokenizer, both once
    the whole model had loaded."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    tokenizer = folder / "tokenizer"
    if damage == "empty tokenizer.json":
        (tokenizer / "tokenizer.json").write_text("")
        expected = f"{tokenizer / 'tokenizer.json'} (empty)"
    else:
        shutil.rmtree(tokenizer)
        tokenizer.mkdir()
        (tokenizer / "README.md").write_text("the tokenizer")
        expected = f"{tokenizer} (neither tokenizer.json nor spiece.model in it)"
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert expected in err.value.message


def test_a_damaged_json_file_the_tokenizer_never_reads_stops_nothing(tmp_path, weights_folder):
    """Every *.json of the tokenizer folder was checked: a damaged note of the uploader's beside the tokenizer's own
    files refused a folder that loads."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / "tokenizer" / "notes.json").write_text("{cut sh")
    assert from_folder(folder).tokenizer == folder / "tokenizer"
    (folder / "tokenizer" / "tokenizer_config.json").write_text("")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert "tokenizer_config.json (empty)" in err.value.message and "notes.json" not in err.value.message


def test_a_folder_where_the_checkpoint_goes_is_said_as_such(tmp_path, weights_folder):
    """A folder named like the checkpoint was told "holds krea-realtime-video-14b.safetensors but no
    krea-realtime-video-14b.safetensors: ... rename it"."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / KREA_FILE).unlink()
    (folder / KREA_FILE).mkdir()
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert f"{folder / KREA_FILE} (a folder, not the file)" in err.value.message
    assert "rename it" not in err.value.fix


def refuse_reading(monkeypatch, path: Path) -> None:
    """`path` as a file this user may not read (the tests run as root, whom chmod does not stop)."""
    real_open = builtins.open

    def guarded(file, *args, **kwargs):
        if Path(file) == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded)


@pytest.mark.parametrize("part", [KREA_FILE, "vae/config.json"])
def test_a_file_this_user_cannot_read_is_said_with_the_read_fix_not_as_damaged(tmp_path, weights_folder,
                                                                                 monkeypatch, part):
    """A checkpoint this user may not read was called a "damaged header (PermissionError)", to be copied or
    downloaded again, which changes nothing."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    refuse_reading(monkeypatch, folder / part)
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert f"{folder / part} (cannot be read by this user)" in err.value.message
    assert "damaged" not in err.value.message and err.value.fix == READ_FIX


def test_an_unreadable_file_beside_a_missing_one_gets_both_fixes(tmp_path, weights_folder, monkeypatch):
    folder = copy_folder(weights_folder, tmp_path / "w")
    refuse_reading(monkeypatch, folder / KREA_FILE)
    shutil.rmtree(folder / "vae")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert err.value.fix.startswith(f"copy complete files into {folder}") and READ_FIX in err.value.fix


def test_a_whole_folder_still_loads(weights_folder):
    """The checks refuse nothing the libraries read: a tokenizer's own JSON files, configs, shards."""
    paths = from_folder(weights_folder)
    assert json.loads((paths.vae / "config.json").read_text())
    assert vcam.load("tiny", weights=weights_folder, progress=False).spec.name == "tiny"


def library_lines(monkeypatch) -> list[str]:
    """What transformers logs from now on (its handler writes to the stderr it found at import, out of capfd's reach).
    """
    lines = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())
    logger = logging.getLogger("transformers")
    monkeypatch.setattr(logger, "handlers", [*logger.handlers, handler])  # the handler goes with the test
    return lines


def drop_weight(file: Path, name: str) -> None:
    from safetensors.torch import load_file, save_file

    state = load_file(str(file))
    del state[name]
    save_file(state, str(file))


def test_a_text_encoder_lacking_weights_is_refused_not_run_with_random_ones(tmp_path, weights_folder, monkeypatch):
    """A text encoder shard of another model (weights missing) loaded with those weights random, under transformers'
    table of many lines, and the show went on air with prompts read by a partly random encoder."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    drop_weight(folder / "text_encoder" / "model.safetensors", "encoder.block.1.layer.0.SelfAttention.o.weight")
    said = library_lines(monkeypatch)
    with pytest.raises(WeightsError) as err:
        vcam.load("tiny", weights=folder, progress=False)
    assert f"text_encoder weights in {folder / 'text_encoder'} do not match its config.json" in err.value.message
    assert "1 missing (encoder.block.1.layer.0.SelfAttention.o.weight)" in err.value.message
    assert "text_encoder/ folder of Wan-AI/Wan2.1-T2V-14B-Diffusers" in err.value.fix
    assert not [line for line in said if "LOAD REPORT" in line]  # its table of many lines: said by vcam instead


def test_a_vae_lacking_weights_is_refused_by_name(tmp_path, weights_folder):
    """A VAE lacking a weight stopped the run with "NotImplementedError: Cannot copy out of meta tensor"."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    drop_weight(folder / "vae" / "diffusion_pytorch_model.safetensors", "decoder.conv_in.weight")
    with pytest.raises(WeightsError) as err:
        vcam.load("tiny", weights=folder, progress=False)
    assert f"vae weights in {folder / 'vae'} do not match its config.json: 1 missing (decoder.conv_in.weight)" \
        in err.value.message


@pytest.mark.parametrize("part, key", [("vae", "base_dim"), ("text_encoder", "d_ff")])
def test_a_config_of_another_size_is_said_with_the_shapes(tmp_path, weights_folder, part, key):
    """A config.json of another model size stopped the run with transformers' "RuntimeError: You set
    `ignore_mismatched_sizes` to `False`" (and its table), or diffusers' ValueError."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    config = folder / part / "config.json"
    values = json.loads(config.read_text())
    values[key] *= 2
    config.write_text(json.dumps(values))
    with pytest.raises(WeightsError) as err:
        vcam.load("tiny", weights=folder, progress=False)
    assert f"{part} weights in {folder / part} do not match its config.json" in err.value.message
    assert "of another shape" in err.value.message and "in the file" in err.value.message


@pytest.mark.parametrize("variable", [None, "HF_HUB_CACHE"])
def test_a_hub_cache_naming_a_file_is_said_before_the_hub_is_asked(tmp_path, monkeypatch, variable):
    """HF_HOME or HF_HUB_CACHE naming a file (a token saved where the folder goes) failed the download with
    "[Errno 20] Not a directory", said as a network failure: "check the network, then run again"."""
    online_hub(monkeypatch)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    blocker = tmp_path / "hf"
    blocker.write_text("hf_token")
    cache = blocker / "hub" if variable is None else blocker
    if variable:
        monkeypatch.setenv(variable, str(cache))
    monkeypatch.setattr(hub, "_free_bytes", lambda path: 10**12)

    def online(repo, **kw):  # as huggingface_hub fails to make its folders there
        raise NotADirectoryError(20, "Not a directory", str(cache / "models--x"))

    fake_hub(monkeypatch, online, dry=sizes)
    with pytest.raises(WeightsError) as err:
        hub.from_hub(get_spec("krea-14b"), cache_dir=str(cache))
    assert err.value.message == f"the hub cache {cache} cannot be a folder: {blocker} is a file"
    assert f"point {variable or 'HF_HOME'} at a folder" in err.value.fix and "network" not in err.value.fix


@pytest.mark.parametrize("variable, below", [("HF_HUB_CACHE", ""), ("HF_HUB_CACHE", "hub"), ("HF_HOME", ""),
                                             ("XDG_CACHE_HOME", "")])
def test_a_file_the_cache_variable_itself_names_is_not_offered_to_be_moved(tmp_path, monkeypatch, variable, below):
    """HF_HUB_CACHE=/etc/passwd (a path typed wrong) was told "or move the file /etc/passwd out of the way": a file
    the variable names, or whose path it passes through, is the user's own, not a stray in the cache's place."""
    for name in hub.CACHE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    typed = tmp_path / "passwd"
    typed.write_text("root:x:0:0:root:/root:/bin/bash\n")
    value = typed / below if below else typed
    monkeypatch.setenv(variable, str(value))
    below_value = {"HF_HUB_CACHE": ".", "HF_HOME": "hub", "XDG_CACHE_HOME": "huggingface/hub"}[variable]
    with pytest.raises(WeightsError) as err:
        hub._check_folder(value / below_value)  # where huggingface_hub puts the cache, as it reads the variable
    assert f"{typed} is a file" in err.value.message
    assert "move" not in err.value.fix and f"point {'HF_HUB_CACHE' if variable == 'HF_HUB_CACHE' else 'HF_HOME'} " \
        "at a folder" in err.value.fix


@pytest.mark.parametrize("variable, value, where", [("HF_HUB_CACHE", "passwd", "passwd"),
                                                   ("HF_HOME", "passwd", "passwd/hub"),
                                                   ("HF_HUB_CACHE", "./passwd/hub", "passwd/hub")])
def test_a_file_a_relative_cache_variable_names_is_not_offered_to_be_moved(tmp_path, monkeypatch, variable, value,
                                                                           where):
    """HF_HUB_CACHE=passwd run from /etc was still told to move /etc/passwd out of the way: the relative path to the
    file was compared with the variable's whole one."""
    for name in hub.CACHE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n")
    monkeypatch.setenv(variable, value)
    with pytest.raises(WeightsError) as err:
        hub._check_folder(Path(where))  # as huggingface_hub reads the variable: relative to the folder run from
    assert "passwd is a file" in err.value.message
    assert "move" not in err.value.fix and f"point {variable} at a folder" in err.value.fix


def test_a_stray_file_where_the_cache_folder_goes_is_offered_to_be_moved(tmp_path, monkeypatch):
    """A file left at HF_HOME/hub (a token saved where the folder goes) is no path the user typed: moving it is a
    fix."""
    for name in hub.CACHE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    (tmp_path / "hub").write_text("hf_token")
    with pytest.raises(WeightsError) as err:
        hub._check_folder(tmp_path / "hub")
    assert f"or move the file {tmp_path / 'hub'} out of the way" in err.value.fix


def test_a_cache_folder_naming_a_file_is_said_with_the_variable_not_as_a_bare_os_error(tmp_path, monkeypatch):
    """VCAM_CACHE_DIR naming a file stopped a run with --decoder taehv with "vcam: error: FILE/taehv: Not a
    directory" and no fix, as fetching TAEHV's weights began."""
    from vcam.engine import taehv_weights as tw

    blocker = tmp_path / "cache"
    blocker.write_text("")
    monkeypatch.setenv("VCAM_CACHE_DIR", str(blocker))
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(tw.urllib.request, "urlopen", lambda *a, **k: pytest.fail("fetched into no folder"))
    with pytest.raises(WeightsError) as err:
        tw.find_taehv(None)
    assert f"cannot keep {tw.TAEHV_FILE} in {blocker / 'taehv'} (Not a directory" in err.value.message
    assert "point VCAM_CACHE_DIR at a writable folder" in err.value.fix


@pytest.mark.parametrize("variable, under", [("VCAM_CACHE_DIR", "vc"), ("XDG_CACHE_HOME", "xdg/vcam")])
def test_a_cache_folder_given_with_a_tilde_is_in_the_home_folder(tmp_path, monkeypatch, variable, under):
    """VCAM_CACHE_DIR=~/vc set where no shell expands it (a docker ENV) made a folder named ~ in the current one."""
    from vcam.engine.cachedir import cache_dir

    monkeypatch.delenv("VCAM_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(variable, "~/" + under.split("/")[0])
    assert cache_dir() == tmp_path / under


def test_a_cache_folder_naming_a_file_is_not_told_to_delete_the_tuning_file(tmp_path, monkeypatch):
    """VCAM_CACHE_DIR naming a file was said as "tuning file FILE/tuning.json is not used: cannot read it (Not a
    directory) ... fix: delete it", a file that is not there."""
    from test_tuning import NO_FLAGS, cpu_key

    from vcam.bench.tuning import choose_speed

    blocker = tmp_path / "cache"
    blocker.write_text("")
    monkeypatch.setenv("VCAM_CACHE_DIR", str(blocker))
    warnings = []
    assert choose_speed(cpu_key(), NO_FLAGS, warn=warnings.append).source == "defaults"
    assert len(warnings) == 1 and "fix: point VCAM_CACHE_DIR at a folder" in warnings[0]
    assert "delete it" not in warnings[0]


def test_an_empty_weights_path_is_said_not_read_as_the_current_folder(tmp_path, monkeypatch):
    """`--weights "$WEIGHTS"` with the variable unset checked the current folder, naming "text_encoder/config.json
    (missing)" and the rest, to be copied "into ."."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WeightsError) as err:
        from_folder("")
    assert err.value.message == "--weights was given an empty path" and "leave out --weights" in err.value.fix


def never(repo, **kw):
    raise AssertionError(f"{repo} was downloaded")


@pytest.mark.parametrize("variable, cache", [("HF_HUB_CACHE", "."), ("HF_HOME", "hub")])
def test_a_cache_variable_set_to_nothing_is_said_before_downloading_into_the_current_folder(
        tmp_path, monkeypatch, variable, cache):
    """HF_HUB_CACHE= (docker's -e with no value) had huggingface_hub take the current folder for its cache: the
    download began "into . …", tens of GB beside whatever vcam was run from."""
    from huggingface_hub import constants

    online_hub(monkeypatch)
    monkeypatch.chdir(tmp_path)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, "")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", cache)  # as huggingface_hub reads the variables at its import
    monkeypatch.setattr(hub, "_free_bytes", lambda path: 10**12)
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        hub.from_hub(get_spec("krea-14b"))
    assert err.value.message.startswith(f"{variable} is set but empty, so the hub cache would be {tmp_path}")
    assert err.value.fix.startswith(f"unset {variable}")


def test_a_git_lfs_pointer_in_place_of_the_weights_says_git_lfs_pull(tmp_path, weights_folder):
    """`git clone` of the hub repos without git-lfs leaves a few lines naming each file: said as a "damaged header",
    to be copied again, where `git lfs pull` fetches them."""
    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / KREA_FILE).write_text("version https://git-lfs.github.com/spec/v1\noid sha256:4d7a\nsize 28600000000\n")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert f"{folder / KREA_FILE} (a Git LFS pointer, not the weights" in err.value.message
    assert "git lfs pull" in err.value.message


def test_an_hf_endpoint_without_https_is_said_as_the_address_not_the_network(tmp_path, monkeypatch):
    """HF_ENDPOINT=hf-mirror.com (a mirror typed without https://) was said as "downloading failed: Request URL is
    missing an 'http://' or 'https://' protocol", with "check the network"."""
    import importlib.util

    kinds = [importlib.import_module(name) for name in ("httpx2", "httpx") if importlib.util.find_spec(name)]
    if not kinds:  # huggingface_hub before 1.0 asks with requests, which refuses the address as MissingSchema
        from requests.exceptions import MissingSchema as UnsupportedProtocol
        kinds = [SimpleNamespace(UnsupportedProtocol=UnsupportedProtocol)]
    online_hub(monkeypatch)
    monkeypatch.setenv("HF_ENDPOINT", "hf-mirror.com")

    def refused(repo, **kw):  # as huggingface_hub's HTTP library refuses the address, before any connection
        raise kinds[0].UnsupportedProtocol("Request URL is missing an 'http://' or 'https://' protocol.")

    fake_hub(monkeypatch, never, dry=refused)
    with pytest.raises(WeightsError) as err:
        hub.from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message.startswith("HF_ENDPOINT is set to 'hf-mirror.com', which is no web address")
    assert "https://" in err.value.fix and "network" not in err.value.fix


def shard_text_encoder(folder: Path, keep: str) -> dict:
    """The text encoder rewritten as Wan's is: two shards with an index, `tie_word_embeddings` false in its config (as
    google/umt5-xxl's), and the word embeddings under `keep`: "shared.weight" alone (as transformers saves it), both
    names, or "encoder.embed_tokens.weight" alone. Returns the embeddings written."""
    from safetensors.torch import load_file, save_file

    te = folder / "text_encoder"
    state = load_file(str(te / "model.safetensors"))
    embeddings = state.pop("shared.weight", None)
    embeddings = state.pop("encoder.embed_tokens.weight", embeddings)
    names = ["shared.weight", "encoder.embed_tokens.weight"] if keep == "both" else [keep]
    state.update({name: embeddings.clone() for name in names})
    (te / "model.safetensors").unlink()
    keys = sorted(state)
    shards = {"model-00001-of-00002.safetensors": keys[::2], "model-00002-of-00002.safetensors": keys[1::2]}
    for name, part in shards.items():
        save_file({k: state[k] for k in part}, str(te / name))
    total = sum(t.numel() * t.element_size() for t in state.values())
    index = {"metadata": {"total_size": total}, "weight_map": {k: n for n, part in shards.items() for k in part}}
    (te / "model.safetensors.index.json").write_text(json.dumps(index))
    config = json.loads((te / "config.json").read_text())
    (te / "config.json").write_text(json.dumps({**config, "tie_word_embeddings": False}))
    return {"embeddings": embeddings}


@pytest.mark.parametrize("keep", ["shared.weight", "both", "encoder.embed_tokens.weight"])
def test_a_text_encoder_holding_either_of_its_tied_embeddings_loads(tmp_path, weights_folder, keep):
    """Wan's text encoder (sharded, saved by an older transformers) holds one name of the tied word embeddings: the
    other is no missing weight, and nothing is refused."""
    import torch

    folder = copy_folder(weights_folder, tmp_path / "w")
    written = shard_text_encoder(folder, keep)["embeddings"]
    engine = vcam.load("tiny", weights=folder, progress=False)
    umt5 = engine.text.model
    assert torch.equal(umt5.shared.weight.detach().cpu().float(), written.float())
    assert torch.equal(umt5.encoder.embed_tokens.weight.detach().cpu().float(), written.float())


def test_a_text_encoder_of_another_size_is_said_on_an_older_transformers(tmp_path, weights_folder, monkeypatch):
    """transformers before 5 lists a weight of another shape by its name alone, not with its shapes: that was a
    ValueError ("too many values to unpack") in place of the error naming it, then the name alone, without the
    sizes that tell a config of another model size from a damaged file."""
    from transformers import UMT5EncoderModel

    folder = copy_folder(weights_folder, tmp_path / "w")
    config = folder / "text_encoder" / "config.json"
    values = json.loads(config.read_text())
    config.write_text(json.dumps({**values, "d_ff": 2 * values["d_ff"]}))
    real = UMT5EncoderModel.from_pretrained.__func__

    def names_only(cls, *args, **kwargs):  # as transformers 4.56 reports them
        model, info = real(cls, *args, **kwargs)
        names = [k if isinstance(k, str) else k[0] for k in info["mismatched_keys"]]  # 4.56's own are names
        return model, {**info, "mismatched_keys": sorted(names)}

    monkeypatch.setattr(UMT5EncoderModel, "from_pretrained", classmethod(names_only))
    with pytest.raises(WeightsError) as err:
        vcam.load("tiny", weights=folder, progress=False)
    assert "of another shape (encoder.block.0.layer.1.DenseReluDense" in err.value.message
    d_ff, d_model = values["d_ff"], values["d_model"]
    assert (f"DenseReluDense.wi_0.weight: ({d_ff}, {d_model}) in the file, ({2 * d_ff}, {d_model}) in the model"
            in err.value.message), err.value.message


def test_a_stray_file_beside_the_vae_weights_is_not_taken_for_them(tmp_path, weights_folder):
    """diffusers reads diffusion_pytorch_model.safetensors alone: a file of another VAE kept beside it (keys of the
    same names, other shapes) does not stop a VAE that loads."""
    from safetensors.torch import load_file, save_file

    folder = copy_folder(weights_folder, tmp_path / "w")
    vae = folder / "vae"
    state = load_file(str(vae / "diffusion_pytorch_model.safetensors"))
    save_file({k: v.new_zeros(v.shape[0] + 1, *v.shape[1:]) for k, v in state.items() if v.dim()},
              str(vae / "wan2.2_vae.safetensors"))
    assert vcam.load("tiny", weights=folder, progress=False).spec.name == "tiny"


class Began(Exception):
    pass


def began(repo, **kw):
    raise Began(repo)


@pytest.mark.parametrize("empty, cache", [("HF_HOME", "models"), ("HUGGINGFACE_HUB_CACHE", "models")])
def test_an_empty_variable_outranked_by_a_set_one_does_not_stop_the_download(tmp_path, monkeypatch, empty, cache):
    """HF_HUB_CACHE set (to a relative folder, as a user may) decides the cache whatever HF_HOME holds: an empty
    HF_HOME beside it was refused as though the cache were the current folder."""
    from huggingface_hub import constants

    online_hub(monkeypatch)
    monkeypatch.chdir(tmp_path)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(empty, "")
    monkeypatch.setenv("HF_HUB_CACHE", cache)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", cache)
    monkeypatch.setattr(hub, "_free_bytes", lambda path: 10**12)
    fake_hub(monkeypatch, began, dry=sizes)
    with pytest.raises(Began):
        hub.from_hub(get_spec("krea-14b"))


@pytest.mark.parametrize("form", ["missing", "relative", "symlink", "tilde"])
def test_a_hub_cache_that_is_not_there_yet_or_given_oddly_is_downloaded_into(tmp_path, monkeypatch, form):
    """HF_HOME naming a folder not made yet, a relative one, a link to a folder, or one under ~ is no fault."""
    from huggingface_hub import constants

    online_hub(monkeypatch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "home").mkdir()
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    home = {"missing": str(tmp_path / "new" / "hf"), "relative": "hf", "symlink": str(tmp_path / "link"),
            "tilde": "~/hf"}[form]
    monkeypatch.setenv("HF_HOME", home)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(Path(home).expanduser() / "hub"))
    monkeypatch.setattr(hub, "_free_bytes", lambda path: 10**12)
    fake_hub(monkeypatch, began, dry=sizes)
    with pytest.raises(Began):
        hub.from_hub(get_spec("krea-14b"))


def test_a_read_only_complete_cache_offline_runs(tmp_path, weights_folder, monkeypatch):
    """HF_HUB_CACHE on a complete cache this user cannot write, with HF_HUB_OFFLINE=1: the checks ask nothing of it."""
    from huggingface_hub import constants
    from test_weights import fill_hub_cache

    cache = tmp_path / "hub"
    fill_hub_cache(cache, weights_folder)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(hub, "_writable", lambda path: False)  # root writes anywhere: as a read-only mount says
    fake_hub(monkeypatch, never)
    assert hub.from_hub(get_spec("krea-14b")).transformer.is_file()


def test_a_shard_index_is_read_once_on_load(tmp_path, weights_folder, monkeypatch):
    """The files check read a text encoder's shard index twice: once to see it is one, once for its files."""
    from vcam.engine import weight_files

    folder = copy_folder(weights_folder, tmp_path / "w")
    shard_text_encoder(folder, "shared.weight")
    read = []
    monkeypatch.setattr(weight_files, "_shards", lambda index, real=weight_files._shards: read.append(index) or
                        real(index))
    vcam.load("tiny", weights=folder, progress=False)
    assert [index.name for index in read] == ["model.safetensors.index.json"]
