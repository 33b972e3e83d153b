"""The weights' download as a rented GPU machine meets it: a small root disk, a cut-short download, a log for a
terminal, no network, the hub's refusals, a read-only shared cache, a --weights folder laid out otherwise."""
import functools
import io
import json
import os
import threading
import shutil
import signal
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import huggingface_hub
import pytest
import torch

import vcam.engine.hub as W
import vcam.engine.weights
from test_weights import copy_folder, fake_hub, fill_hub_cache
from vcam.engine.configs import KREA_FILE, KREA_REPO, WAN_REPO, get_spec
from vcam.engine.model import CausalWanModel
from vcam.engine.weight_files import from_folder, link_named, safetensors_problem
from vcam.engine.hub import from_hub
from vcam.engine.weights import load_checkpoint
from vcam.errors import WeightsError
from vcam.progress import ByteProgress
from vcam.terminal import row_cleared, stopped_line_start
from vcam.words import size_text

KREA_BYTES, WAN_BYTES = 28_600_000_000, 23_000_000_000


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def online_hub(monkeypatch):
    """As where the hub can be reached: huggingface_hub's offline switch off, whatever the environment says."""
    from huggingface_hub import constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)


def sizes(repo, **kw):
    """The hub's dry run for an empty cache: every file to download, at the real files' sizes."""
    if repo == KREA_REPO:
        return [SimpleNamespace(filename=KREA_FILE, file_size=KREA_BYTES, will_download=True)]
    return [SimpleNamespace(filename="text_encoder/model-00001-of-00005.safetensors", file_size=WAN_BYTES,
                            will_download=True)]


def never(repo, **kw):
    raise AssertionError(f"{repo} was downloaded")


def test_a_disk_too_small_is_said_before_downloading_with_how_much_where_and_how_to_move(tmp_path, monkeypatch):
    online_hub(monkeypatch)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 20_000_000_000)  # a 30 GB root disk, partly used
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == f"the weights need 51.6 GB more in {tmp_path / 'hub'}, and its disk has 20.0 GB free"
    assert "HF_HOME" in err.value.fix and "/workspace" in err.value.fix and "--weights DIR" in err.value.fix
    assert "has room" not in err.value.fix and "HF_HUB_CACHE" not in err.value.fix  # no such volume here
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert "point HF_HUB_CACHE (set here, it outranks HF_HOME)" in err.value.fix


def test_a_disk_with_room_for_the_files_but_not_the_spare_says_why(tmp_path, monkeypatch):
    """Room for the files but not the 1 GB kept spare: "need 51.6 GB, 52.0 GB free" read as refused for nothing."""
    online_hub(monkeypatch)
    need = KREA_BYTES + WAN_BYTES
    monkeypatch.setattr(W, "_free_bytes", lambda path: need + 400_000_000)
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == (f"the weights need 51.6 GB more in {tmp_path / 'hub'}, and its disk has 52.0 GB "
                                 "free, which leaves less than the 1.0 GB kept spare")
    monkeypatch.setattr(W, "_free_bytes", lambda path: need + W.DISK_MARGIN)  # exactly enough: fetched
    assert_fetched(monkeypatch, sizes, tmp_path / "hub")


def test_a_disk_short_of_less_than_a_gigabyte_says_it_in_megabytes(tmp_path, monkeypatch):
    """Sizes under a gigabyte read as the download lines say them: 250 MB free was "0.3 GB", and a full disk
    "0.0 GB"."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 250_000_000)
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == f"the weights need 51.6 GB more in {tmp_path / 'hub'}, and its disk has 250.0 MB free"
    monkeypatch.setattr(W, "_free_bytes", lambda path: 0)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == f"the weights need 51.6 GB more in {tmp_path / 'hub'}, and its disk has 0 bytes free"


def test_a_repo_folder_linked_to_another_volume_is_sized_on_that_volume(tmp_path, monkeypatch):
    """The checkpoint's repo folder linked onto a large volume (room made by hand on a small root disk): its 28.6 GB
    land there, and the root disk needs room for the rest only, where the whole 51.6 GB was asked of it."""
    online_hub(monkeypatch)
    big, hub = tmp_path / "big", tmp_path / "hub"
    (big / "blobs").mkdir(parents=True)
    hub.mkdir()
    (hub / ("models--" + KREA_REPO.replace("/", "--"))).symlink_to(big)

    def on_big(path):
        return path.resolve().is_relative_to(big.resolve())

    monkeypatch.setattr(W, "_device", lambda path: 2 if on_big(path) else 1)
    free = {True: 100 * 10**9, False: 25 * 10**9}
    monkeypatch.setattr(W, "_free_bytes", lambda path: free[on_big(path)])
    assert_fetched(monkeypatch, sizes, hub)
    free[True] = 20 * 10**9  # the large volume full: named, not the cache
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(hub))
    blobs = hub / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    assert err.value.message == f"the weights need 28.6 GB more in {blobs}, and its disk has 20.0 GB free"


def test_the_older_name_of_the_cache_variable_is_named_where_it_is_the_one_set(tmp_path, monkeypatch):
    """huggingface_hub still places its cache by HUGGINGFACE_HUB_CACHE, which older docker images set: there, the
    advice to point HF_HOME elsewhere changed nothing."""
    online_hub(monkeypatch)
    monkeypatch.delenv("HF_HUB_CACHE", raising=False)
    monkeypatch.setenv("HUGGINGFACE_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setattr(W, "_free_bytes", lambda path: 20_000_000_000)
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert "point HUGGINGFACE_HUB_CACHE (set here, it outranks HF_HOME)" in err.value.fix


def test_a_volume_with_room_is_named_with_the_line_to_use_it(tmp_path, monkeypatch):
    """A rented machine's big volume (RunPod's /workspace) is named, on its own disk, when the cache's disk is full."""
    online_hub(monkeypatch)
    volume = tmp_path / "workspace"
    volume.mkdir()
    monkeypatch.setattr(W, "VOLUMES", (str(tmp_path / "absent"), str(volume)))
    monkeypatch.setattr(W, "_free_bytes", lambda path: 500 * 10**9 if path == volume else 20 * 10**9)
    same_disk = tmp_path.stat().st_dev
    real_stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda self, **kw: SimpleNamespace(st_dev=same_disk + 1, st_mode=0o40755)
                        if self == volume else real_stat(self, **kw))
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.fix.startswith(f"{volume} has room: `export HF_HOME={volume / 'hf'}` and run again")


def hub_blobs(monkeypatch, blobs: dict[str, str]):
    """The hub's answer to which blob each file is (its LFS sha256), as the cache names the blobs."""
    from huggingface_hub import HfApi
    from huggingface_hub.hf_api import RepoFile

    def get_paths_info(self, repo_id, paths, revision=None, **kw):
        assert revision == "c" * 40
        sizes = {KREA_FILE: KREA_BYTES, "text_encoder/model-00001-of-00005.safetensors": WAN_BYTES}
        return [RepoFile(path=p, size=sizes[p], oid="git" + p, lfs={"size": sizes[p], "oid": blobs[p],
                                                                     "pointerSize": 134}) for p in paths]

    monkeypatch.setattr(HfApi, "get_paths_info", get_paths_info)


def downloaded(root) -> str:
    """A stand-in download's snapshot folder at `root`: a file in each part the layout looks for, empty."""
    for part in ("text_encoder", "tokenizer", "vae"):
        (root / part).mkdir(parents=True, exist_ok=True)
        (root / part / "x").write_text("")
    (root / KREA_FILE).write_text("")
    return str(root)


def assert_fetched(monkeypatch, dry, hub) -> None:
    """The disk check passes (with the dry run `dry` answering the sizes) and the download itself starts: with the
    checkpoint's repo, where a stand-in stops it."""
    fetched = []

    def online(repo, **kw):
        fetched.append(repo)
        raise OSError("stop here")

    fake_hub(monkeypatch, online, dry=dry)
    with pytest.raises(WeightsError, match="stop here"):
        from_hub(get_spec("krea-14b"), cache_dir=str(hub))
    assert fetched == [KREA_REPO]


def sizes_at(repo, **kw):
    return [SimpleNamespace(commit_hash="c" * 40, **vars(f)) for f in sizes(repo)]


def partial_blob(tmp_path, name: str, size: int):
    blobs = tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    blobs.mkdir(parents=True, exist_ok=True)
    with open(blobs / f"{name}.incomplete", "wb") as f:
        f.truncate(size)  # sparse


def test_a_partial_download_counts_towards_the_room_it_needs(tmp_path, monkeypatch):
    """A download cut short resumes from its .incomplete files (huggingface_hub 1.x): only what is left needs room."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: True)
    hub_blobs(monkeypatch, {KREA_FILE: "0123abcd"})
    partial_blob(tmp_path, "0123abcd", 20_000_000_000)  # 20 GB of the checkpoint already fetched
    monkeypatch.setattr(W, "_free_bytes", lambda path: 40_000_000_000)
    assert_fetched(monkeypatch, sizes_at, tmp_path / "hub")


def test_a_partial_file_of_another_blob_does_not_count_towards_the_room(tmp_path, monkeypatch):
    """A partial file of an earlier revision of the checkpoint is not resumed (the new one is another blob), nor one
    huggingface_hub 2.x left under a name of its own when its process was killed: counted, they passed a disk that
    then filled up 20 GB into the download. They are named as room to win back."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: True)  # huggingface_hub 1.x, which resumes BLOB.incomplete
    hub_blobs(monkeypatch, {KREA_FILE: "0123abcd"})
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    partial_blob(tmp_path, "99998888", 20_000_000_000)
    partial_blob(tmp_path, "0123abcd.1a2b3c4d", 5_000_000_000)  # huggingface_hub 2.x's name: never resumed
    partial_blob(tmp_path, "0123abcd", 1_000_000_000)
    blobs = tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    for partial in blobs.iterdir():
        aged(partial, 2 * 3600)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 40_000_000_000)
    fake_hub(monkeypatch, never, dry=sizes_at)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == f"the weights need 50.6 GB more in {tmp_path / 'hub'}, and its disk has 40.0 GB free"
    # the partial files that are never resumed take room deleting them wins back
    assert err.value.fix.startswith(
        f"25.0 GB of partial files in the hub cache {tmp_path / 'hub'}, none written for 2 h, are not gone on from by "
        "this download; they may be another download's (running in another container, or on another machine sharing "
        "this cache), or an older huggingface_hub's (1.x and 0.x go on from BLOB.incomplete): where none is, delete "
        f"them (`rm -- {blobs / '0123abcd.1a2b3c4d.incomplete'} {blobs / '99998888.incomplete'}`); if that is not "
        "room enough, point HF_HOME"), err.value.fix
    assert len(list(blobs.iterdir())) == 3


def test_no_partial_file_counts_towards_the_room_under_a_hub_that_never_resumes_one(tmp_path, monkeypatch):
    """huggingface_hub 2.x starts every file afresh under a name of its own: a BLOB.incomplete an older one left was
    counted as resumed, and the disk check let a download start that filled the disk. Nor is the hub asked which
    blob each file is: nothing it says would change the count."""
    from huggingface_hub import HfApi

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: False)
    asked = []
    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, *args, **kw: asked.append(args) or [])
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    partial_blob(tmp_path, "0123abcd", 20_000_000_000)
    aged(tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs" / "0123abcd.incomplete", 3600)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 40_000_000_000)
    fake_hub(monkeypatch, never, dry=sizes_at)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == f"the weights need 51.6 GB more in {tmp_path / 'hub'}, and its disk has 40.0 GB free"
    assert err.value.fix.startswith(f"20.0 GB of partial files in the hub cache {tmp_path / 'hub'}, none written for "
                                    "60 min, are not gone on from by this download")
    assert not asked


def test_a_hub_silent_on_which_blob_each_file_is_holds_the_download_only_a_while(tmp_path, monkeypatch):
    """Under huggingface_hub 1.x a partial file it resumes has the hub asked which blob each file is, a question it
    sets no time limit on: a hub that took it and never answered held the download for ever. Past PATHS_INFO_S the
    partial file is taken as the download's and the download starts."""
    from huggingface_hub import HfApi

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: True)
    monkeypatch.setattr(W, "PATHS_INFO_S", 0.2)
    release = threading.Event()
    asked = threading.Event()

    def silent(self, *args, **kw):
        asked.set()
        release.wait(60)
        return []

    monkeypatch.setattr(HfApi, "get_paths_info", silent)
    partial_blob(tmp_path, "0123abcd", 20_000_000_000)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 40_000_000_000)
    try:
        assert_fetched(monkeypatch, sizes_at, tmp_path / "hub")  # 20 GB of it resumed: 40 GB free is room enough
    finally:
        release.set()
    assert asked.is_set()


def test_the_download_shows_a_line_every_few_seconds_in_a_log(tmp_path, monkeypatch):
    """huggingface_hub's bars are silent where stderr is no terminal (docker logs, nohup): the log had nothing for
    the tens of minutes of a download. Now a line every 5 s, with bytes, percent and time left."""
    online_hub(monkeypatch)
    clock = Clock()
    monkeypatch.setattr(W, "ByteProgress", functools.partial(ByteProgress, clock=clock))
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)

    def online(repo, **kw):
        bars = kw["tqdm_class"]
        received = bars(total=0, unit="B", desc="Downloading bytes")  # the hub's two byte bars: only one counts
        written = bars(total=0, unit="B", desc="Reconstructing (incomplete total...)")
        total = KREA_BYTES if repo == KREA_REPO else WAN_BYTES
        for _ in range(100):  # 1 % a second
            clock.now += 1.0
            received.update(total // 100)
            written.update(total // 100)
        written.close()
        return downloaded(tmp_path / repo)

    fake_hub(monkeypatch, online, dry=sizes)
    out = io.StringIO()
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith(f"vcam: downloading {KREA_REPO}")]
    assert 19 <= len(lines) <= 22, lines
    assert "\r" not in out.getvalue()
    assert lines[10].startswith(f"vcam: downloading {KREA_REPO}: 14.6 of 28.6 GB (51%), 286 MB/s, 0:49 left")
    assert lines[-1].startswith(f"vcam: downloading {KREA_REPO}: 28.6 of 28.6 GB (100%)")
    assert f"fetching {WAN_REPO}" in out.getvalue() and "23.0 GB" in out.getvalue()


class Began(Exception):
    """The download itself was reached."""


def began(repo, **kw):
    raise Began(repo)


def test_a_hub_that_does_not_answer_is_said_every_few_seconds_with_what_to_check(tmp_path, monkeypatch):
    """huggingface_hub asks the hub about a repo with no time limit: behind a network that swallows packets (a
    firewall, a stalled proxy) `vcam download` showed nothing at all for minutes. A line says it is still waiting."""
    from helpers import wait_for

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "QUIET_S", 0.01)
    out = io.StringIO()

    def silent_for_a_while(repo, **kw):  # answers once two lines have said the wait
        assert wait_for(lambda: out.getvalue().count("has not answered") >= 2, 120), out.getvalue()
        return []

    fake_hub(monkeypatch, began, dry=silent_for_a_while)
    with pytest.raises(Began):
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    waits = [line for line in out.getvalue().splitlines() if "has not answered" in line]
    assert waits[0].startswith(f"vcam: the Hugging Face hub has not answered about {KREA_REPO} in "), waits
    assert waits[0].endswith(" s; still waiting (Ctrl-C stops: check the network, and behind a proxy set "
                             "HTTPS_PROXY)"), waits
    assert not [t for t in threading.enumerate() if t.name == "vcam-hub-wait"]  # the note ends with the wait


def test_a_hub_that_answers_at_once_says_no_waiting_line_and_leaves_no_thread(tmp_path, monkeypatch):
    online_hub(monkeypatch)
    out = io.StringIO()
    interrupted = []

    def ctrl_c_in_the_second_wait(repo, **kw):
        if interrupted:
            raise KeyboardInterrupt
        interrupted.append(repo)
        return []

    fake_hub(monkeypatch, began, dry=lambda repo, **kw: [])
    with pytest.raises(Began):
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    fake_hub(monkeypatch, began, dry=ctrl_c_in_the_second_wait)
    with pytest.raises((Began, KeyboardInterrupt)):
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    assert "has not answered" not in out.getvalue()
    assert not [t for t in threading.enumerate() if t.name == "vcam-hub-wait"]


def test_loading_the_checkpoint_shows_gigabytes_read_in_a_log(weights_folder, monkeypatch):
    """The load was a tqdm bar that a log never showed: minutes of silence for 28.6 GB."""
    clock = Clock()
    lines = io.StringIO()
    monkeypatch.setattr(vcam.engine.weights, "ByteProgress", functools.partial(ByteProgress, clock=clock, every_s=5.0))
    with torch.device("meta"):
        model = CausalWanModel(get_spec("tiny").transformer)
    import safetensors

    opened = safetensors.safe_open

    class Slow:  # each tensor read takes a second of the fake clock
        def __init__(self, *a, **kw):
            self.f = opened(*a, **kw)

        def __enter__(self):
            self.inner = self.f.__enter__()
            return self

        def __exit__(self, *exc):
            return self.f.__exit__(*exc)

        def keys(self):
            return self.inner.keys()

        def get_tensor(self, name):
            clock.now += 1.0
            return self.inner.get_tensor(name)

    monkeypatch.setattr(safetensors, "safe_open", Slow)
    load_checkpoint(model, weights_folder / KREA_FILE, torch.device("cpu"), torch.float32, out=lines)
    said = lines.getvalue().splitlines()
    keys = len(model.state_dict())
    assert all(line.startswith(f"vcam: loading {KREA_FILE}: ") for line in said)
    assert keys // 5 <= len(said) <= keys // 5 + 2 and "(100%)" in said[-1]
    assert "left" in said[len(said) // 2]


def test_a_truncated_checkpoint_in_the_hub_cache_names_the_file_it_links_to_and_vcam_download(
        tmp_path, weights_folder, monkeypatch):
    """The hub's snapshot links to a blob: deleting the link alone has the hub link the same damaged blob again."""
    online_hub(monkeypatch)
    fill_hub_cache(tmp_path / "hub", weights_folder)
    link = next((tmp_path / "hub").rglob(KREA_FILE))
    blob = link.parent.parent.parent / "blobs" / "ab12"
    blob.parent.mkdir()
    data = link.read_bytes()
    blob.write_bytes(data[: len(data) // 2])  # a copy cut short (a full disk, a crash of a copying tool)
    link.unlink()
    link.symlink_to(blob)
    fake_hub(monkeypatch, lambda repo, **kw: W._hub_cache(kw["cache_dir"]).joinpath(
        "models--" + repo.replace("/", "--"), "snapshots", "0"))
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert f"{link} -> {blob} (truncated" in err.value.message
    assert "`vcam download` again" in err.value.fix and "both sides of each `->`" in err.value.fix
    with torch.device("meta"):
        model = CausalWanModel(get_spec("tiny").transformer)
    with pytest.raises(WeightsError) as err:
        load_checkpoint(model, link, torch.device("cpu"), torch.float32, progress=False)
    assert "is damaged (truncated" in err.value.message and "`vcam download` again" in err.value.fix


@pytest.mark.parametrize("cut", [True, False])
def test_a_checkpoint_in_a_xet_store_layout_names_the_shared_store_file_only_where_it_is_damaged_at_full_size(
        cut, tmp_path, weights_folder, monkeypatch):
    """huggingface_hub 2.4 links the repo's blob into a store of files all repos share (`<cache>/blobs/ab/<hash>`).
    A store file cut short was named as the one "each one links to", to be deleted by hand, where the repo's blob
    entry (a link) is what holds the download back. One damaged at its full size (its first bytes zeroed) is linked
    again as it is once the link and the repo's blob are deleted: the same error came back each time. It is named as
    well."""
    online_hub(monkeypatch)
    fill_hub_cache(tmp_path / "hub", weights_folder)
    link = next((tmp_path / "hub").rglob(KREA_FILE))
    store = tmp_path / "hub" / "blobs" / "ab" / ("ab" + "c" * 62)
    store.parent.mkdir(parents=True)
    data = link.read_bytes()
    # cut short, or the header's length zeroed with the size right
    store.write_bytes(data[: len(data) // 2] if cut else bytes(8) + data[8:])
    blob = link.parent.parent.parent / "blobs" / ("e" * 64)
    blob.parent.mkdir()
    blob.symlink_to(os.path.relpath(store, blob.parent))
    link.unlink()
    link.symlink_to(os.path.relpath(blob, link.parent))
    fake_hub(monkeypatch, lambda repo, **kw: W._hub_cache(kw["cache_dir"]).joinpath(
        "models--" + repo.replace("/", "--"), "snapshots", "0"))
    named = f"{link} -> {blob}" if cut else f"{link} -> {blob} -> {store}"
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    if cut:
        assert f"{named} (truncated" in err.value.message and str(store) not in err.value.message
    else:
        assert f"{named} (damaged" in err.value.message
    assert "both sides of each `->`" in err.value.fix
    with torch.device("meta"):
        model = CausalWanModel(get_spec("tiny").transformer)
    with pytest.raises(WeightsError) as err:
        load_checkpoint(model, link, torch.device("cpu"), torch.float32, progress=False)
    assert f"checkpoint {named} is damaged{' (truncated' if cut else ''}" in err.value.message
    assert "both sides of each `->`" in err.value.fix


@pytest.mark.parametrize("cut", [True, False])
def test_a_checkpoint_found_cut_short_as_it_is_read_names_the_shared_store_file_only_where_it_is_whole_sized(
        cut, tmp_path, weights_folder, monkeypatch):
    """A store file found cut short midway through the read (a copy still being made, a disk filled under it) was
    named with the store's side too, to be deleted by hand, where the hub fetches it again itself: the reason was not
    passed along. One whose read fails at its full size names the store file, as the check before the read does."""
    import safetensors

    fill_hub_cache(tmp_path / "hub", weights_folder)
    link = next((tmp_path / "hub").rglob(KREA_FILE))
    store = tmp_path / "hub" / "blobs" / "ab" / ("ab" + "c" * 62)
    store.parent.mkdir(parents=True)
    data = link.read_bytes()
    store.write_bytes(data)
    blob = link.parent.parent.parent / "blobs" / ("e" * 64)
    blob.parent.mkdir()
    blob.symlink_to(os.path.relpath(store, blob.parent))
    link.unlink()
    link.symlink_to(os.path.relpath(blob, link.parent))
    opened = safetensors.safe_open

    def cut_as_read(*args, **kwargs):  # whole as the check looks, then cut short under the read (or failing)
        if cut:
            store.write_bytes(data[: len(data) // 2])
        else:
            raise OSError(5, "Input/output error")
        return opened(*args, **kwargs)

    monkeypatch.setattr(safetensors, "safe_open", cut_as_read)
    with torch.device("meta"):
        model = CausalWanModel(get_spec("tiny").transformer)
    with pytest.raises(WeightsError) as err:
        load_checkpoint(model, link, torch.device("cpu"), torch.float32, progress=False)
    if cut:
        assert f"checkpoint {link} -> {blob} is damaged (truncated: " in err.value.message, err.value.message
        assert str(store) not in err.value.message
    else:
        assert f"checkpoint {link} -> {blob} -> {store} is damaged (" in err.value.message, err.value.message


def test_a_file_problem_says_whether_it_is_cut_short_by_its_kind_not_its_wording(tmp_path):
    """Cut short was told by how the reason began ("truncated", "only ", "empty"): a reason worded otherwise (a
    damaged header that begins "only") was taken for one, and the store file left out."""
    from vcam.engine.weight_files import FileProblem

    store = tmp_path / "store"
    store.write_bytes(b"x")
    blob = tmp_path / "blob"
    blob.symlink_to(store)
    link = tmp_path / "link"
    link.symlink_to(blob)
    assert link_named(link, FileProblem("truncated: 1 of 2 bytes", cut_short=True)) == f"{link} -> {blob}"
    assert link_named(link, FileProblem("only a damaged header")) == f"{link} -> {blob} -> {store}"
    assert link_named(link, "truncated, as said by another") == f"{link} -> {blob} -> {store}"


def test_a_damaged_file_linked_from_a_weights_folder_that_is_a_link_names_the_file_it_links_to(tmp_path):
    """A --weights folder that is itself a link (/data/w -> /mnt/disk/models/w) holding a link `../store/x`: `..`
    climbs out of the real folder, and reading it as text beside the link named /data/store/x, another file."""
    real = tmp_path / "disk" / "models" / "w"
    real.mkdir(parents=True)
    store = tmp_path / "disk" / "models" / "store" / KREA_FILE
    store.parent.mkdir()
    store.write_bytes(bytes(64))
    (tmp_path / "data").mkdir()
    folder = tmp_path / "data" / "w"
    folder.symlink_to(real)
    (tmp_path / "data" / "store").mkdir()
    (tmp_path / "data" / "store" / KREA_FILE).write_bytes(b"another file")  # where the text alone points
    (real / KREA_FILE).symlink_to(Path("..") / "store" / KREA_FILE)
    why = safetensors_problem(folder / KREA_FILE)
    assert why and link_named(folder / KREA_FILE, why) == f"{folder / KREA_FILE} -> {store}"


def test_offline_with_the_weights_cached_never_asks_the_hub(tmp_path, weights_folder, monkeypatch):
    from huggingface_hub import HfApi

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(HfApi, "repo_info", never)
    monkeypatch.setattr(HfApi, "list_repo_tree", never)
    fill_hub_cache(tmp_path / "hub", weights_folder)
    assert from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub")).transformer.is_file()


def test_offline_with_the_weights_absent_says_one_line(tmp_path, monkeypatch):
    """HF_HUB_OFFLINE set after huggingface_hub was imported (as a test, or a program that embeds vcam, does) went
    to the network all the same; now it is read where vcam asks."""
    from huggingface_hub import HfApi, constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(HfApi, "repo_info", never)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == f"HF_HUB_OFFLINE is set and the hub cache {tmp_path / 'hub'} lacks {KREA_REPO}"
    assert "unset HF_HUB_OFFLINE" in err.value.fix and "--weights DIR" in err.value.fix


def http_error(kind, status: int, text: str):
    """One of huggingface_hub's HTTP errors, made without its constructor (whose HTTP library differs between
    versions)."""
    error = kind.__new__(kind)
    OSError.__init__(error, text)
    error.response = SimpleNamespace(status_code=status, headers={})
    return error


def refusing_hub(monkeypatch, error):
    """The real snapshot_download, its first question to the hub answered with `error`."""
    from huggingface_hub import HfApi

    def repo_info(self, *args, **kwargs):
        raise error

    online_hub(monkeypatch)
    monkeypatch.setattr(HfApi, "repo_info", repo_info)


@pytest.mark.parametrize("case", ["gated", "bad token", "no token", "rate limit", "revision", "hub down"])
def test_the_hubs_refusals_are_one_line_each_with_the_fix(tmp_path, monkeypatch, case):
    """huggingface_hub reports a 429 or a 5xx as "cannot find the snapshot folder on the local disk, check your
    internet connection", under which the hub's answer hid: said as a network failure. Each is said as itself."""
    from huggingface_hub.errors import (GatedRepoError, HfHubHTTPError, RepositoryNotFoundError,
                                        RevisionNotFoundError)

    kind, status, message, fix = {
        "gated": (GatedRepoError, 403, "is gated", "hf auth login"),
        "bad token": (HfHubHTTPError, 401, "with this machine's token", "unset HF_TOKEN"),
        "no token": (RepositoryNotFoundError, 401, "private, renamed or gone", "hf auth login"),
        "rate limit": (HfHubHTTPError, 429, "rate-limiting this machine (429)", "wait a few minutes"),
        "revision": (RevisionNotFoundError, 404, "no such revision", "main branch"),
        "hub down": (HfHubHTTPError, 503, "hub failed (503)", "wait a little"),
    }[case]
    refusing_hub(monkeypatch, http_error(kind, status, f"{status} Client Error for url: https://huggingface.co/x"))
    monkeypatch.setattr(W, "_token", lambda: case == "bad token")
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert KREA_REPO in err.value.message and message in err.value.message, err.value.message
    assert fix in err.value.fix and "\n" not in err.value.message
    # huggingface_hub 2.x drops a partial file on failure: the fix promises only what every version keeps
    assert "resume" not in err.value.fix


def test_a_read_only_cache_that_holds_everything_loads(tmp_path, weights_folder, monkeypatch):
    online_hub(monkeypatch)
    fill_hub_cache(tmp_path / "hub", weights_folder)
    monkeypatch.setattr(W, "_writable", lambda path: False)
    fake_hub(monkeypatch, never, dry=never)
    assert from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub")).transformer.is_file()


def test_a_read_only_cache_that_lacks_files_says_so_before_downloading(tmp_path, weights_folder, monkeypatch):
    online_hub(monkeypatch)
    fill_hub_cache(tmp_path / "hub", weights_folder, with_vae=False)
    monkeypatch.setattr(W, "_writable", lambda path: False)

    def dry(repo, **kw):
        return [] if repo == KREA_REPO else [SimpleNamespace(filename="vae/config.json", file_size=700,
                                                             will_download=True)]

    fake_hub(monkeypatch, never, dry=dry)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == (f"the hub cache {tmp_path / 'hub'} is read-only and lacks 1 of the model's files "
                                 f"({WAN_REPO}: vae/config.json)")
    assert "HF_HUB_CACHE" in err.value.fix


def xet_cache(monkeypatch, folder: Path, on: bool = True) -> None:
    """huggingface_hub's Xet downloads working in `folder` (HF_XET_CACHE), or, with `on` False, not used."""
    from huggingface_hub import constants
    from huggingface_hub.utils import _runtime

    monkeypatch.setattr(constants, "HF_XET_CACHE", str(folder))
    monkeypatch.setattr(_runtime, "is_xet_available", lambda: on)


def test_a_read_only_xet_cache_is_said_before_downloading_where_xet_downloads(tmp_path, monkeypatch):
    """hf_xet makes a folder for the hub's endpoint in its cache before a download and fails with a bare "I/O error"
    where it cannot: HF_HOME read-only (a docker image's) with HF_HUB_CACHE on a writable volume."""
    online_hub(monkeypatch)
    xet = tmp_path / "home" / "xet"
    xet_cache(monkeypatch, xet)
    monkeypatch.setattr(W, "_writable", lambda path: not path.is_relative_to(tmp_path / "home"))
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message.startswith(f"huggingface_hub's Xet cache {xet} is read-only")
    assert "HF_XET_CACHE" in err.value.fix and "HF_HUB_DISABLE_XET=1" in err.value.fix
    xet_cache(monkeypatch, xet, on=False)  # downloads without Xet never write there
    assert_fetched(monkeypatch, sizes, tmp_path / "hub")


def test_only_the_hub_caches_disk_needs_room_for_the_files_not_the_xet_caches(tmp_path, monkeypatch):
    """The files' bytes go to the hub cache's blobs folder: hf_xet's chunk cache is off, so a Xet cache on a small
    disk of its own does not stop a download that fits in the hub cache."""
    online_hub(monkeypatch)
    xet = tmp_path / "small" / "xet"
    xet.mkdir(parents=True)
    xet_cache(monkeypatch, xet)
    monkeypatch.setattr(W, "_device", lambda path: 2 if path.is_relative_to(tmp_path / "small") else 1)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 0 if path.is_relative_to(tmp_path / "small") else 10**12)
    assert_fetched(monkeypatch, sizes, tmp_path / "hub")


def test_a_write_refused_during_the_download_is_said_as_a_read_only_cache(tmp_path, monkeypatch):
    online_hub(monkeypatch)

    def online(repo, **kw):
        raise PermissionError(13, "Permission denied", str(tmp_path / "hub" / "blobs" / "x.lock"))

    fake_hub(monkeypatch, online)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert "is read-only" in err.value.message and "check the network" not in err.value.fix


def test_a_diffusers_folder_is_said_as_such(tmp_path, weights_folder):
    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / "transformer").mkdir()
    (folder / KREA_FILE).rename(folder / "transformer" / "diffusion_pytorch_model.safetensors")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert "diffusers' layout" in err.value.fix and KREA_FILE in err.value.fix


def test_the_files_of_wans_own_repo_in_place_of_its_diffusers_folders_are_said_as_such(tmp_path, weights_folder):
    """Wan-AI/Wan2.1-T2V-14B (Wan's own repo: Wan2.1_VAE.pth, models_t5_umt5-xxl-enc-bf16.pth, google/) downloaded
    beside Krea's checkpoint in place of the -Diffusers repo's folders was told only that the folders are missing."""
    folder = tmp_path / "w"
    folder.mkdir()
    shutil.copy(weights_folder / KREA_FILE, folder / KREA_FILE)
    for name in ("Wan2.1_VAE.pth", "models_t5_umt5-xxl-enc-bf16.pth"):
        (folder / name).write_bytes(b"\0" * 100)
    shutil.copytree(weights_folder / "tokenizer", folder / "google" / "umt5-xxl")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert err.value.fix.startswith(f"{folder} holds Wan2.1_VAE.pth and models_t5_umt5-xxl-enc-bf16.pth, the files "
                                    "of Wan's own repo (Wan-AI/Wan2.1-T2V-14B), which vcam does not read: put the "
                                    f"text_encoder/, tokenizer/ and vae/ folders of {WAN_REPO} beside {KREA_FILE}"), \
        err.value.fix


@pytest.mark.parametrize("given, variable, cache", [
    ("hf", "HF_HUB_CACHE", "hf/hub"), ("hf/hub", "HF_HUB_CACHE", "hf/hub"),
    ("hf/hub/models--krea--krea-realtime-video", "HF_HUB_CACHE", "hf/hub"),
    ("hf/hub/models--krea--krea-realtime-video/snapshots/0", "HF_HUB_CACHE", "hf/hub"),
    ("hf/hub/models--Wan-AI--Wan2.1-T2V-14B-Diffusers/snapshots/0", "HF_HUB_CACHE", "hf/hub")])
def test_a_hub_cache_given_as_the_weights_folder_is_said_with_the_variable_that_reads_it(
        tmp_path, weights_folder, given, variable, cache):
    """--weights given the hub cache `vcam download` filled (HF_HOME, its hub/, a repo's folder or snapshot in it) was
    told only that every file is missing, or to copy the files in: the cache is read by naming it, not by --weights.
    HF_HUB_CACHE names it in every case: it outranks HF_HOME, which a shell may have set elsewhere."""
    fill_hub_cache(tmp_path / "hf" / "hub", weights_folder)
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path / given)
    assert err.value.fix.startswith(f"{tmp_path / given} is "), err.value.fix
    assert err.value.fix.endswith(f"a Hugging Face hub cache, which vcam reads itself: leave out --weights and run "
                                  f"with {variable}={tmp_path / cache} set"), err.value.fix  # not told to copy files


def test_a_renamed_checkpoint_and_a_folder_one_level_up_are_pointed_at(tmp_path, weights_folder):
    folder = copy_folder(weights_folder, tmp_path / "w")
    (folder / KREA_FILE).rename(folder / "krea.safetensors")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert f"holds krea.safetensors but no {KREA_FILE}" in err.value.fix and "rename it" in err.value.fix
    shutil.move(folder / "krea.safetensors", folder / KREA_FILE)
    with pytest.raises(WeightsError) as err:
        from_folder(tmp_path)
    assert f"pass --weights {folder}" in err.value.fix


@pytest.mark.parametrize("part", ["vae", "text_encoder", "tokenizer"])
def test_a_part_of_the_weights_folder_given_as_it_points_one_level_up(tmp_path, weights_folder, part):
    """--weights DIR/vae (or DIR/text_encoder, with its model-*.safetensors) was told to rename the part's own
    weights to Krea's checkpoint, were it that."""
    folder = copy_folder(weights_folder, tmp_path / "my weights")
    with pytest.raises(WeightsError) as err:
        from_folder(folder / part)
    assert err.value.fix.startswith(f"{folder / part} is the {part}/ folder of the weights folder {folder}: pass "
                                    f"--weights '{folder}'"), err.value.fix
    assert "rename" not in err.value.fix


def test_a_folder_without_the_vae_names_it(tmp_path, weights_folder):
    folder = copy_folder(weights_folder, tmp_path / "w")
    shutil.rmtree(folder / "vae")
    with pytest.raises(WeightsError) as err:
        from_folder(folder)
    assert str(Path(folder / "vae" / "config.json")) in err.value.message and "tokenizer" not in err.value.message


def test_no_network_with_the_weights_absent_says_one_line(tmp_path, monkeypatch):
    """No route to the hub (a firewalled machine) and nothing cached: the real snapshot_download's connection error,
    through the dry run and the download, as one line."""
    import importlib

    from huggingface_hub import _snapshot_download as snap

    # the HTTP library this huggingface_hub uses (both may be installed): an error of the other one it never catches
    name = next((n for n in ("httpx2", "httpx") if hasattr(snap, n)), None)
    if name is None:
        pytest.skip("huggingface_hub here uses neither httpx nor httpx2")
    refusing_hub(monkeypatch, importlib.import_module(name).ConnectError("[Errno -3] Temporary failure in name "
                                                                          "resolution"))
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == (f"could not reach the Hugging Face hub for {KREA_REPO}, and the hub cache "
                                 f"{tmp_path / 'hub'} lacks it")
    assert "check the network" in err.value.fix and "--weights DIR" in err.value.fix
    assert "HF_HUB_OFFLINE" not in err.value.fix  # it is not set: the fix named it to unset all the same


REPO_FILES = {KREA_REPO: {KREA_FILE: KREA_BYTES},
              WAN_REPO: {"text_encoder/model.safetensors": WAN_BYTES, "tokenizer/spiece.model": 4_500_000,
                         "vae/Wan2.1_VAE.pth": 500_000_000}}


def test_a_disk_full_under_the_hubs_own_bars_says_the_download_did_not_complete_and_the_room_it_takes(
        tmp_path, monkeypatch):
    """On a terminal huggingface_hub draws its own bars, which count the bytes received: a bar stood at 100 % above
    "downloading … failed: the disk holding … is full", read as a download done but for a last step, with no word of
    the room to make."""
    online_hub(monkeypatch)
    free = [10**12]
    monkeypatch.setattr(W, "_free_bytes", lambda path: free[0])

    def online(repo, **kw):
        free[0] = 4096  # the disk filled under the download (another program's files, a recording)
        raise OSError(28, "No space left on device")

    fake_hub(monkeypatch, online, dry=sizes)
    out = io.StringIO()
    out.isatty = lambda: True
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    message, fix = err.value.message, err.value.fix
    assert message.startswith(f"the download of {KREA_REPO} did not complete: the disk holding "), message
    # no word of a bar, which a log or a run with bars off never drew; the room measured once the hub dropped its
    # partial file, said as free now
    assert message.endswith(f"is full, {size_text(4096)} free now") and "100 %" not in message, message
    assert f"{size_text(KREA_BYTES)} of {KREA_REPO}'s files still to fetch" in fix and fix.startswith("free space"), fix
    assert "(finished files are kept)" in fix


def real_snapshot_download(monkeypatch, tmp_path, chunks: int = 100):
    """huggingface_hub's own snapshot_download (its dry run, its threads, its byte bars made with vcam's tqdm
    class), the hub's answers and each file's transfer faked: every file arrives in `chunks` updates of its bar."""
    import inspect

    from huggingface_hub import HfApi
    from huggingface_hub import _snapshot_download as snap

    if "_AggregatedTqdm" not in inspect.getsource(snap):
        pytest.skip("this huggingface_hub gives a tqdm class no byte bars (the disk is measured instead)")
    from huggingface_hub.file_download import DryRunFileInfo
    from huggingface_hub.hf_api import RepoFile

    online_hub(monkeypatch)
    monkeypatch.setattr(HfApi, "repo_info", lambda self, repo_id, **kw: SimpleNamespace(sha="a" * 40))
    monkeypatch.setattr(HfApi, "list_repo_tree", lambda self, repo_id, **kw: iter(
        [RepoFile(path=name, size=size, oid="b" * 40) for name, size in REPO_FILES[repo_id].items()]))
    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, repo_id, paths, **kw: [
        RepoFile(path=name, size=REPO_FILES[repo_id][name], oid="b" * 40) for name in paths])

    def hf_hub_download(repo_id, filename, cache_dir=None, revision=None, tqdm_class=None, dry_run=False, **kw):
        size = REPO_FILES[repo_id][filename]
        path = Path(cache_dir) / ("models--" + repo_id.replace("/", "--")) / "snapshots" / revision / filename
        if dry_run:
            return DryRunFileInfo(commit_hash=revision, file_size=size, filename=filename, local_path=str(path),
                                  is_cached=False, will_download=True)
        with tqdm_class(total=size, initial=0, unit="B", unit_scale=True, desc=filename) as bar:
            for _ in range(chunks):
                bar.update(size // chunks)
                bar.update_transfer(size // chunks)
                bar.set_postfix_str("1 MB/s")
            bar.update(size % chunks)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
        return str(path)

    monkeypatch.setattr(snap, "hf_hub_download", hf_hub_download)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)


def test_the_hubs_own_snapshot_download_drives_the_line_to_its_end(tmp_path, monkeypatch):
    """The tqdm class as huggingface_hub itself makes and feeds its bars (bar_format, unit_scale, initial,
    set_description, totals grown file by file from 8 threads): every byte counted, the last line at 100 %, once."""
    clock = Clock()
    monkeypatch.setattr(W, "ByteProgress", functools.partial(ByteProgress, clock=clock))
    real_snapshot_download(monkeypatch, tmp_path, chunks=20_000)
    out = io.StringIO()
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads switch often, as 8 downloads on a busy machine do
    try:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    finally:
        sys.setswitchinterval(switch)
    for repo, total in ((KREA_REPO, KREA_BYTES), (WAN_REPO, sum(REPO_FILES[WAN_REPO].values()))):
        lines = [line for line in out.getvalue().splitlines() if line.startswith(f"vcam: downloading {repo}")]
        assert lines[-1] == f"vcam: downloading {repo}: {size_text(total)[:-3]} of {size_text(total)} (100%)", lines
        assert [line for line in lines if "(100%)" in line] == lines[-1:]


def test_the_fetching_line_and_the_progress_line_say_a_small_total_alike(tmp_path, monkeypatch):
    """Under a gigabyte the fetching line said "(…, 0.1 GB)" and the progress line below it "of 150.0 MB"; a 40 kB
    repo "(…, 0.0 GB)" and "0.0 of 0.0 MB"."""
    real_snapshot_download(monkeypatch, tmp_path, chunks=4)
    monkeypatch.setitem(REPO_FILES, KREA_REPO, {KREA_FILE: 150_000_000})
    monkeypatch.setitem(REPO_FILES, WAN_REPO, {"text_encoder/model.safetensors": 30_000,
                                               "tokenizer/spiece.model": 5_000, "vae/Wan2.1_VAE.pth": 5_000})
    out = io.StringIO()
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    lines = out.getvalue().splitlines()
    for repo, total in ((KREA_REPO, "150.0 MB"), (WAN_REPO, "40.0 kB")):
        assert any(line.startswith(f"vcam: fetching {repo} (") and f", {total}) into" in line for line in lines), lines
        said = [line for line in lines if line.startswith(f"vcam: downloading {repo}")]
        assert said[-1].startswith(f"vcam: downloading {repo}: {total[:-3]} of {total} (100%)"), said


def test_a_total_unknown_or_passed_gives_a_line_every_few_seconds_not_one_per_update(tmp_path, monkeypatch):
    """Without the hub's dry run (offline at first, an older huggingface_hub) the line's total is what the hub's
    bar has grown to so far; past it every update was a line of its own, thousands a minute in a log."""
    clock = Clock()
    monkeypatch.setattr(W, "ByteProgress", functools.partial(ByteProgress, clock=clock))
    out = io.StringIO()
    line = W.ByteProgress("downloading x", 0, out)
    progress = W.DownloadLine(line, tmp_path / "blobs")
    bars = W._line_bars(progress)
    first = bars(total=1000, unit="B", desc="Reconstructing (incomplete total...)")
    for _ in range(1000):
        first.update(10)  # ten times what its total said
    assert len(out.getvalue().splitlines()) == 2  # the first line and the one at the total
    clock.now += 5.0
    first.update(10)
    assert len(out.getvalue().splitlines()) == 3
    plain = ByteProgress("loading x", 0, out, clock=clock, tty=False)
    for _ in range(1000):
        plain.update(10)
    assert len(out.getvalue().splitlines()) == 4


def test_a_small_download_line_says_none_done_in_the_totals_unit(tmp_path, monkeypatch):
    """A small download measured on disk before its first byte said "0.0 GB of 0.6 MB"; 5 MB of the checkpoint stay
    "5.0 MB of 28.6 GB" (in GB, the first 100 MB of a slow download read 0.0 for a minute and more)."""
    clock = Clock()
    monkeypatch.setattr(W, "ByteProgress", functools.partial(ByteProgress, clock=clock, tty=False))
    out = io.StringIO()
    W.DownloadLine(W.ByteProgress("downloading x", 600_000, out), tmp_path / "blobs").measure()
    assert out.getvalue() == "vcam: downloading x: 0.0 of 0.6 MB (0%)\n"
    out = io.StringIO()
    W.DownloadLine(W.ByteProgress("downloading y", 0, out), tmp_path / "blobs").add(5_000_000, KREA_BYTES)
    assert out.getvalue().startswith("vcam: downloading y: 5.0 MB of 28.6 GB (0%)"), out.getvalue()


def test_a_hub_that_feeds_no_byte_bars_still_gives_lines_from_the_disk(tmp_path, monkeypatch):
    """huggingface_hub 1.0 and older hand a custom tqdm class only the count of files, and a 28.6 GB checkpoint is one
    file: the log showed nothing until the end. The blobs folder's growth is measured instead."""
    import threading

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "ByteProgress", functools.partial(ByteProgress, every_s=0.01))
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)
    seen = threading.Event()

    class Log(io.StringIO):
        def write(self, text):
            if "downloading" in text and "14.3 of 28.6 GB (50%)" in text:
                seen.set()
            return super().write(text)

    def online(repo, **kw):
        files = kw["tqdm_class"](total=1, desc="Fetching 1 files")  # no unit: a count of files
        blobs = tmp_path / "hub" / ("models--" + repo.replace("/", "--")) / "blobs"
        blobs.mkdir(parents=True, exist_ok=True)
        if repo == KREA_REPO:
            with open(blobs / "0123abcd.incomplete", "wb") as f:
                f.truncate(KREA_BYTES // 2)
            assert seen.wait(10), "no line with the bytes on disk"
        files.update(1)
        return downloaded(tmp_path / repo)

    # a partial file a killed download left under huggingface_hub 2.x's own name, never resumed: not bytes done
    partial_blob(tmp_path, "dead0000.1a2b3c4d", 20_000_000_000)
    hub_blobs(monkeypatch, {KREA_FILE: "0123abcd", "text_encoder/model-00001-of-00005.safetensors": "4567cdef"})
    fake_hub(monkeypatch, online, dry=sizes_at)
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=Log())


@pytest.mark.parametrize("value, offline", [("1", True), ("true", True), ("YES", True), ("0", False),
                                            ("false", False), ("", False)])
def test_hf_hub_offline_is_read_as_huggingface_hub_reads_it(monkeypatch, value, offline):
    """Set after huggingface_hub was imported, HF_HUB_OFFLINE=0 or empty still means online, as the hub reads it."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", value)
    assert W._offline() is offline


def hub_lock(hub: Path, repo: str) -> Path:
    """A lock file huggingface_hub takes in the cache while it fetches one of `repo`'s files."""
    locks = hub / ".locks" / ("models--" + repo.replace("/", "--"))
    locks.mkdir(parents=True, exist_ok=True)
    return locks / "0123abcd.lock"


def test_a_second_download_into_the_same_cache_is_said_before_it_waits_or_checks_the_disk(tmp_path, monkeypatch):
    """While one download runs, a second (another terminal, a show's first start) waited with no word on the hub's
    lock of each file, or was refused for room, told to delete the first one's growing files as ones cut short."""
    from filelock import FileLock

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    fake_hub(monkeypatch, never, dry=sizes)
    hub = tmp_path / "hub"
    with FileLock(str(hub_lock(hub, WAN_REPO))):  # the other download, fetching a file of Wan's repo
        with pytest.raises(WeightsError) as err:
            from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=io.StringIO())
    text = str(err.value)
    assert f"another download of {WAN_REPO} into the hub cache {hub} is running now" in text, text
    assert "let it finish, then run again" in err.value.fix


def test_a_lock_file_left_by_a_finished_download_does_not_stop_the_next(tmp_path, monkeypatch):
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub_lock(tmp_path / "hub", KREA_REPO).write_text("")  # huggingface_hub leaves its lock files behind
    assert_fetched(monkeypatch, sizes, tmp_path / "hub")


def test_another_vcam_looking_at_the_locks_at_the_same_moment_is_no_download_and_the_look_lets_go(tmp_path,
                                                                                                  monkeypatch):
    """Two shows starting at once each looked at the hub's locks: a look that held one as a download does would
    have been taken by the other for a download running, and one left held would stop this process's own."""
    import fcntl

    from filelock import FileLock

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    lock = hub_lock(tmp_path / "hub", KREA_REPO)
    lock.write_text("")
    fd = os.open(lock, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # the other vcam's look, at this moment
        assert_fetched(monkeypatch, sizes, tmp_path / "hub")
    finally:
        os.close(fd)
    taken = FileLock(str(lock))
    taken.acquire(timeout=0)  # nothing of the look is held: huggingface_hub takes it at once
    taken.release()


def test_the_hubs_dry_run_draws_no_bars(tmp_path, monkeypatch, capsys):
    """Asking the sizes drew "[dry-run] Fetching 1 files" bars on stderr, in a log as lines of carriage returns."""
    real_snapshot_download(monkeypatch, tmp_path, chunks=1)
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=io.StringIO())
    assert "dry-run" not in capsys.readouterr().err


@pytest.mark.parametrize("variable", ["HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"])
@pytest.mark.parametrize("when", ["before", "during"])
def test_a_read_only_cache_placed_by_a_variable_over_hf_home_names_only_that_variable(tmp_path, monkeypatch,
                                                                                      variable, when):
    """With HF_HUB_CACHE set, the fix offered HF_HOME too, which it outranks: pointing HF_HOME elsewhere changed
    nothing, and the next run said the same."""
    online_hub(monkeypatch)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(variable, str(tmp_path / "hub"))
    if when == "before":
        monkeypatch.setattr(W, "_writable", lambda path: False)
        fake_hub(monkeypatch, never, dry=sizes)
    else:
        def online(repo, **kw):
            raise PermissionError(13, "Permission denied", str(tmp_path / "hub" / "blobs" / "x.lock"))

        fake_hub(monkeypatch, online)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=io.StringIO())
    assert "is read-only" in err.value.message
    assert f"point {variable} (set here, it outranks HF_HOME) at a writable folder" in err.value.fix, err.value.fix
    assert "(or HF_HOME)" not in err.value.fix


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_with_the_hubs_bars_turned_off_gets_vcams_line(tmp_path, monkeypatch):
    """HF_HUB_DISABLE_PROGRESS_BARS=1 (set in many docker images) left a terminal with nothing to see for the tens
    of minutes of a download: the hub's bars are off there, and vcam drew its own only for a log."""
    import importlib

    monkeypatch.setattr(importlib.import_module("huggingface_hub.utils.tqdm"), "HF_HUB_DISABLE_PROGRESS_BARS", True)
    real_snapshot_download(monkeypatch, tmp_path, chunks=10)
    out = Terminal()
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    lines = out.getvalue().split("\n")  # a bar's redraws are one line, its carriage returns within
    assert lines[1].startswith(f"\r\x1b[Kdownloading {KREA_REPO}: ") and "28.6 of 28.6 GB (100%)" in lines[1], lines
    # on a line of its own, not after the bar
    assert lines[2].startswith(f"{row_cleared(out)}vcam: fetching {WAN_REPO} "), lines


def _download_said(monkeypatch, tmp_path, capsys) -> str:
    """What `vcam download` says, the hub cache an empty folder."""
    from huggingface_hub import constants

    from vcam.cli import main

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    assert main(["download"]) == 2
    return capsys.readouterr().err


def test_download_offline_names_the_command_that_takes_a_weights_folder(tmp_path, monkeypatch, capsys):
    """`vcam download` offline was told to "pass --weights DIR", which it does not take: `vcam run` does."""
    from huggingface_hub import HfApi, constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(HfApi, "repo_info", never)
    err = _download_said(monkeypatch, tmp_path, capsys)
    assert f"HF_HUB_OFFLINE is set and the hub cache {tmp_path / 'hub'} lacks {KREA_REPO}" in err, err
    assert "give the files' folder to `vcam run --weights DIR` instead" in err and "pass --weights" not in err, err


def test_download_without_a_network_names_the_command_that_takes_a_weights_folder(tmp_path, monkeypatch, capsys):
    import importlib

    from huggingface_hub import _snapshot_download as snap

    name = next((n for n in ("httpx2", "httpx") if hasattr(snap, n)), None)
    if name is None:
        pytest.skip("huggingface_hub here uses neither httpx nor httpx2")
    refusing_hub(monkeypatch, importlib.import_module(name).ConnectError("[Errno -3] Temporary failure in name "
                                                                          "resolution"))
    err = _download_said(monkeypatch, tmp_path, capsys)
    assert "could not reach the Hugging Face hub" in err, err
    assert "download the files elsewhere and give the files' folder to `vcam run --weights DIR`" in err, err


def test_a_run_offline_is_told_to_pass_its_weights_folder(tmp_path, monkeypatch):
    from huggingface_hub import HfApi, constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(HfApi, "repo_info", never)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.fix.endswith("or pass the files' folder with --weights DIR"), err.value.fix


class _BeforeTheDownload(Exception):
    pass


@pytest.mark.parametrize("name, value, hub", [("HF_HOME", "hf", "hf/hub"), ("HF_HUB_CACHE", "models", "models"),
                                              ("HOME", ".", ".cache/huggingface/hub")])
def test_a_relative_hub_cache_is_said_where_it_really_is_before_a_download(name, value, hub, tmp_path, monkeypatch):
    """HF_HOME=hf (or HF_HUB_CACHE=models, or HOME=. with neither) put the cache in whatever folder vcam started in,
    with no word: started from another, the weights were downloaded again, tens of GB, there. The download says the
    absolute folder first."""
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, value)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", hub)  # as huggingface_hub reads it at import
    monkeypatch.setattr(W, "_check_folder", lambda where: (_ for _ in ()).throw(_BeforeTheDownload()))
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with pytest.raises(_BeforeTheDownload):
        from_hub(get_spec("krea-14b"), out=out)
    told = "HF_HOME" if name == "HOME" else name
    assert out.getvalue() == (f"vcam: the hub cache is {tmp_path / hub}: {name}={value} is a relative path, found "
                              "from the folder vcam starts in (started elsewhere, the weights are looked for there); "
                              f"set {told} to an absolute path to keep one cache\n")


def test_a_hub_cache_found_or_absolute_or_set_empty_says_no_relative_path(tmp_path, weights_folder, monkeypatch):
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HF_HOME", "hf")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", "hf/hub")
    fill_hub_cache(tmp_path / "hf/hub", weights_folder)
    out = io.StringIO()
    assert from_hub(get_spec("krea-14b"), out=out).transformer.is_file() and out.getvalue() == ""  # found: no fetch
    monkeypatch.setenv("HF_HUB_CACHE", "")  # set but empty: _check_set's own refusal, with its fix, alone
    monkeypatch.setattr(constants, "HF_HUB_CACHE", "")
    out = io.StringIO()
    with pytest.raises(WeightsError):
        from_hub(get_spec("krea-14b"), out=out)
    assert "relative path" not in out.getvalue()


def test_an_empty_xdg_cache_home_deciding_the_hub_cache_is_refused_before_a_download(tmp_path, monkeypatch):
    """XDG_CACHE_HOME set to nothing, with no HF_ variable over it, makes huggingface_hub's cache huggingface/hub in
    whatever folder vcam starts in: the download said nothing of it and landed there, tens of GB."""
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", "huggingface/hub")  # as huggingface_hub reads it at import
    monkeypatch.setattr(W, "_check_folder", lambda where: (_ for _ in ()).throw(_BeforeTheDownload()))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=io.StringIO())
    assert err.value.message == (f"XDG_CACHE_HOME is set but empty, so the hub cache would be "
                                 f"{tmp_path / 'huggingface/hub'} (in the current folder)"), err.value.message
    assert err.value.fix.startswith("unset XDG_CACHE_HOME "), err.value.fix


def test_the_xet_cache_checked_is_the_folder_hf_xet_uses_for_a_leading_tilde(tmp_path, monkeypatch):
    """huggingface_hub keeps HF_XET_CACHE="~/x" as written; hf_xet (1.8), which alone works there, reads the
    variable itself and takes ~ for the home folder (its log folder appears under $HOME/x as it is imported, none in
    the current folder). vcam's check of that folder looks at the same place, not at a folder named ~."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    xet_cache(monkeypatch, Path("~/x"))
    assert W._xet_cache() == tmp_path / "home" / "x"


@pytest.mark.skipif(sys.platform == "win32", reason="a passwd entry is a POSIX thing")
def test_a_xet_cache_in_a_home_folder_there_is_none_of_is_said_before_downloading(tmp_path, monkeypatch):
    """HF_HUB_CACHE on a volume, HF_HOME unset, in a container run with --user UID (no HOME, no passwd entry):
    huggingface_hub puts the Xet cache at ~/.cache/huggingface/xet, and Path's RuntimeError ("Could not determine
    home directory") ended vcam with an internal error."""
    import pwd

    def unknown(uid):
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    online_hub(monkeypatch)
    monkeypatch.delenv("HOME", raising=False)
    monkeypatch.setattr(pwd, "getpwuid", unknown)
    xet_cache(monkeypatch, Path("~/.cache/huggingface/xet"))
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    fake_hub(monkeypatch, never, dry=sizes)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.message == ("huggingface_hub's Xet cache is in the home folder (~/.cache/huggingface/xet), and "
                                 "this user has none (HOME is not set, and the system knows none)")
    assert "HF_XET_CACHE" in err.value.fix and "HF_HUB_DISABLE_XET=1" in err.value.fix
    xet_cache(monkeypatch, Path("~/.cache/huggingface/xet"), on=False)  # downloads without Xet never work there
    assert_fetched(monkeypatch, sizes, tmp_path / "hub")


@pytest.fixture
def served_hub(tmp_path, weights_folder):
    """The two repos served over HTTP from the tiny model's files, the checkpoint stalling after its first bytes
    (a transfer of tens of GB), the environment that has a vcam download from it into tmp_path/hub, and the blobs
    folder of the checkpoint's repo there."""
    from slow_hub import SlowHub

    krea, wan = tmp_path / "krea", tmp_path / "wan"
    krea.mkdir()
    shutil.copy(weights_folder / KREA_FILE, krea / KREA_FILE)
    for part in ("text_encoder", "tokenizer", "vae"):
        shutil.copytree(weights_folder / part, wan / part)
    hub = SlowHub({KREA_REPO: krea, WAN_REPO: wan})
    hub.stall = (KREA_REPO, KREA_FILE)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(HF_ENDPOINT=hub.url, HF_HUB_CACHE=str(tmp_path / "hub"), HF_HUB_DISABLE_XET="1",
               HF_HUB_DISABLE_PROGRESS_BARS="1", HF_HUB_DISABLE_TELEMETRY="1")
    try:
        yield hub, env, tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    finally:
        hub.close()


@pytest.mark.slow
def download_past_silent_paths_info(env: dict):
    """`vcam download` run in `env` (served_hub's) as its own process; the test fails where it still waits five
    minutes on the hub's paths-info answer."""
    import subprocess

    try:
        return subprocess.run([sys.executable, "-m", "vcam", "download"], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired as e:
        said = e.stderr.decode(errors="replace") if isinstance(e.stderr, bytes) else e.stderr
        pytest.fail(f"the download still waited five minutes on the hub's paths-info answer: {said}")


@pytest.mark.parametrize("left", ["1234abcd.", ""])  # huggingface_hub 2.x's own name for a partial file, 1.x's
def test_a_download_beside_a_stale_partial_file_waits_on_no_paths_info_answer(served_hub, left):
    """A partial file left by a killed download (or another download in the same cache) had the hub asked which blob
    each file is, and a hub that took the question and never answered it held the download for ever: huggingface_hub
    sets no time limit. Under huggingface_hub 2.x no partial file is ever resumed, so nothing is asked."""
    if int(huggingface_hub.__version__.split(".")[0]) < 2 and not left:
        pytest.skip("huggingface_hub 1.x resumes BLOB.incomplete: asked, with a time limit (tested without a hub)")
    hub, env, blobs = served_hub
    hub.paths_info_silent = True
    hub.released.set()  # every file sent whole
    blobs.mkdir(parents=True)
    (blobs / f"{'a' * 64}.{left}incomplete").write_bytes(b"x" * 1000)
    done = download_past_silent_paths_info(env)
    assert done.returncode == 0 and "weights ready" in done.stdout, done.stderr


# A Ctrl-C sent to a process of its own (slow, as every such test), mid-transfer as huggingface_hub 2.x names its
# partial file (BLOB.<8 hex>.incomplete), told open by /proc
def sigint_mid_transfer(test):
    return pytest.mark.slow(pytest.mark.skipif(
        not Path("/proc/self/fd").is_dir() or int(huggingface_hub.__version__.split(".")[0]) < 2,
        reason="told by huggingface_hub 2.x's partial files, held open as /proc shows")(test))


def stopped_mid_transfer(command: list[str], env: dict, blobs: Path, sig: int | None = None):
    """`command` run until its checkpoint's transfer has begun, then sent a Ctrl-C (or `sig`): (exit code, stderr).
    The process is killed where it does not leave within a generous time (a loaded machine is slow)."""
    import signal
    import subprocess
    import time

    proc = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 300
        while not [f for f in blobs.glob("*.incomplete") if f.name.count(".") == 2 and _opened_by(proc.pid, f)]:
            assert proc.poll() is None and time.monotonic() < deadline, "the transfer never began"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT if sig is None else sig)
        try:
            _, err = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
            pytest.fail(f"still waiting for the file in transfer two minutes after Ctrl-C: {err}")
        return proc.returncode, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def stopped_says_first(code: str, env: dict, blobs: Path, first: str) -> None:
    """`python -c CODE`, a vcam command that fetches the weights, stopped by a Ctrl-C mid-transfer: it leaves with
    130, says `first` before it says the download stopped, and leaves no partial file of its own."""
    exit_code, err = stopped_mid_transfer([sys.executable, "-c", code], env, blobs)
    assert exit_code == 130, err
    assert err.index(first) < err.index("vcam: download stopped; "), err
    assert not list(blobs.glob("*.incomplete")), "own partial file left"


def _opened_by(pid: int, path: Path) -> bool:
    """Whether process `pid` holds `path` open: its own partial file, not one of another download's."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(fd) == str(path):
                return True
        except OSError:
            continue
    return False


def others_partials(hub, blobs: Path) -> dict[Path, object]:
    """Partial files of another download into the same cache, held open by this process as that download would:
    one of 2.x (a name of its own) and one of 1.x (resumed by the next download), both of the checkpoint's blob."""
    blobs.mkdir(parents=True, exist_ok=True)
    blob = hub.blob(KREA_REPO, KREA_FILE)
    held = {}
    for name in (f"{blob}.0badcafe.incomplete", f"{blob}.incomplete"):
        (blobs / name).write_bytes(b"another download's bytes")
        held[blobs / name] = open(blobs / name, "rb")
    return held


@sigint_mid_transfer
def test_ctrl_c_mid_download_leaves_at_once_removing_only_its_own_partial_file_and_a_second_run_completes(
        served_hub):
    """huggingface_hub's threads finished each file in transfer before the process could end (the checkpoint: tens of
    minutes). Now it leaves at once, says what became of the file, and touches no other download's partial files."""
    hub, env, blobs = served_hub
    held = others_partials(hub, blobs)
    try:
        code, err = stopped_mid_transfer([sys.executable, "-m", "vcam", "download"], env, blobs)
        assert code == 130, err
        assert "vcam: download stopped; " in err, err
        assert f"of {KREA_FILE} ({KREA_REPO}) in transfer removed" in err, err  # the file cut short, by name
        assert "run the same command again to go on" in err and "Traceback" not in err, err
        assert err.count("download stopped") == 1, err  # said once, where the process leaves
        assert sorted(f.name for f in blobs.iterdir()) == sorted(f.name for f in held), "own partial file left"
        assert all(f.read_bytes() == b"another download's bytes" for f in held)
        hub.released.set()  # the second run's transfer goes through
        import subprocess

        done = subprocess.run([sys.executable, "-m", "vcam", "download"], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0 and "weights ready" in done.stdout, done.stderr
        assert "download stopped" not in done.stderr, done.stderr  # a finished transfer is under way no more
        blob = blobs / hub.blob(KREA_REPO, KREA_FILE)
        assert blob.read_bytes() == hub.files[KREA_REPO][KREA_FILE]
        assert all(f.read_bytes() == b"another download's bytes" for f in held)
    finally:
        for f in held.values():
            f.close()


@sigint_mid_transfer
def test_a_command_that_ends_normally_after_ctrl_c_mid_download_leaves_at_once_all_the_same(served_hub):
    """vcam bench and render catch the Ctrl-C of a model load and end as usual (130): the interpreter's exit then
    waited for the hub's threads to finish the file in transfer. A command doing as they do, in vcam's own process."""
    _, env, blobs = served_hub
    code = ("import sys\n"
            "import vcam.cli, vcam.engine.hub as hub\n"
            "from vcam.engine.configs import get_spec\n"
            "def stopped_as_bench(args):\n"
            "    try:\n"
            "        hub.from_hub(get_spec('krea-14b'))\n"
            "    except KeyboardInterrupt:\n"
            "        print('vcam: stopped (Ctrl-C) before the timing finished', file=sys.stderr)\n"
            "        return 130\n"
            "    return 0\n"
            "vcam.cli.cmd_bench = stopped_as_bench\n"
            "sys.argv = ['vcam', 'bench']\n"
            "sys.exit(vcam.cli.main())\n")
    stopped_says_first(code, env, blobs, "stopped (Ctrl-C) before the timing")


@sigint_mid_transfer
def test_a_show_stopped_while_its_model_is_fetched_says_the_download_stopped_as_it_leaves(served_hub):
    """vcam run fetches the weights on the model's thread; a Ctrl-C stops the show on the main thread, which leaves
    at once (LeftInsideABlock). It said nothing of the download, and left 2.x's partial file, never resumed, behind.
    A command doing as the show does, in vcam's own process."""
    _, env, blobs = served_hub
    code = ("import signal, sys, threading\n"
            "from types import SimpleNamespace\n"
            "import vcam.cli, vcam.engine.hub as hub\n"
            "from vcam.cmdline.play import LeftInsideABlock\n"
            "from vcam.engine.configs import get_spec\n"
            "def show(args):\n"
            "    stop = threading.Event()\n"
            "    signal.signal(signal.SIGINT, lambda sig, frame: stop.set())\n"
            "    threading.Thread(target=hub.from_hub, args=(get_spec('krea-14b'),), daemon=True).start()\n"
            "    stop.wait()\n"
            "    print('vcam: stopping', file=sys.stderr)\n"
            "    raise LeftInsideABlock(SimpleNamespace(code=130))\n"
            "vcam.cli.cmd_run = show\n"
            "sys.argv = ['vcam', 'run']\n"
            "sys.exit(vcam.cli.main())\n")
    stopped_says_first(code, env, blobs, "vcam: stopping")


def test_a_partial_file_the_next_download_resumes_is_kept_and_said_to_go_on(tmp_path):
    """huggingface_hub 1.x and older resume BLOB.incomplete: kept. 2.x's BLOB.<8 hex>.incomplete is never resumed:
    removed. Only those this process holds open: another download's beside them stays."""
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    resumed, own, other = (blobs / f"{'a' * 64}.incomplete", blobs / f"{'b' * 64}.1234abcd.incomplete",
                           blobs / f"{'b' * 64}.0badcafe.incomplete")
    for f in (resumed, own, other):
        f.write_bytes(b"x" * 2_000_000)
    with open(resumed, "ab"), open(own, "ab"):
        said = W._partials_left(KREA_REPO, blobs)
    if W._open_here(blobs) is None:
        assert "are kept in" in said and resumed.exists() and own.exists() and other.exists()
        return
    assert resumed.exists() and other.exists() and not own.exists()
    assert said == ("2.0 MB of krea/krea-realtime-video in transfer kept (the next download goes on from it); "
                    "2.0 MB of krea/krea-realtime-video in transfer removed (huggingface_hub starts a file cut short "
                    "afresh)"), said
    empty = blobs / f"{'c' * 64}.5678abcd.incomplete"  # stopped before its first 10 MB chunk: open and empty
    with open(empty, "ab"):
        said = W._partials_left(KREA_REPO, blobs)
    assert said == ("the part of krea/krea-realtime-video in transfer removed (huggingface_hub starts a file cut short "
                    "afresh)") and not empty.exists(), said


def test_no_download_under_way_leaves_nothing_to_say_and_the_process_goes_on(monkeypatch):
    monkeypatch.setattr("vcam.stdio.leave_now", lambda code: pytest.fail("left although no download runs"))
    assert not W.downloading()
    W.leave_mid_download(130)


def test_a_stop_before_the_first_byte_says_only_what_is_kept_and_leaves_with_the_commands_code(tmp_path, monkeypatch,
                                                                                               capsys):
    """A transfer still asking the hub about its file has no partial file yet: no "0 GB removed" is said."""
    class Left(Exception):
        pass

    def leave_now(code):
        raise Left(code)

    monkeypatch.setattr("vcam.stdio.leave_now", leave_now)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # this process goes on: Ctrl-C stays pytest's
    monkeypatch.setitem(W._TRANSFERS, object(), (KREA_REPO, tmp_path / "blobs"))
    assert W.downloading()
    with pytest.raises(Left) as left:
        W.leave_mid_download(130)
    assert left.value.args == (130,)
    assert capsys.readouterr().err == ("vcam: download stopped; the files it finished are kept: run the same command "
                                       "again to go on\n")


class DrawnOn(io.StringIO):
    """stderr on a terminal."""

    def isatty(self):
        return True


@pytest.mark.parametrize("width, typed, start", [(0, False, "\n"), (0, True, "\n"), (30, False, "\r\x1b[K"),
                                                 (30, True, "\n")])
def test_a_stopped_download_starts_on_a_fresh_row_of_a_terminal(monkeypatch, width, typed, start):
    """A line drawn there (`width`) is wiped, or ended where the row is typed on; where nothing was drawn the row
    holds the terminal's echo of Ctrl-C (`^C`), which the line ran on from. A log gets no empty line (below)."""
    from vcam.terminal import drawn

    class Left(Exception):
        pass

    def leave_now(code):
        raise Left(code)

    err = DrawnOn()
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(W, "_hub_bars_off", lambda: True)  # the hub's own bars draw nothing
    monkeypatch.setattr("vcam.terminal.typed_on", lambda out: typed)
    monkeypatch.setattr("vcam.terminal.terminal_size", lambda out: (80, 24))
    monkeypatch.setattr("vcam.stdio.leave_now", leave_now)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # this process goes on: Ctrl-C stays pytest's
    monkeypatch.setitem(W._TRANSFERS, object(), (KREA_REPO, Path("no-blobs")))
    drawn(err, width)
    with pytest.raises(Left):
        W.leave_mid_download(130)
    assert err.getvalue().startswith(f"{start}vcam: download stopped; "), err.getvalue()


@pytest.mark.parametrize("bars_off, start", [(False, "\r\x1b[K"), (True, "\n")])
def test_a_stopped_download_ends_the_row_the_hubs_own_bars_drew_on(monkeypatch, bars_off, start):
    """huggingface_hub draws its bars on a terminal, with no line end, where vcam's line is not drawn: that row is
    wiped; with its bars off, the row holds the echo of Ctrl-C, ended with a line end."""

    class Left(Exception):
        pass

    def leave_now(code):
        raise Left(code)

    err = DrawnOn()
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(W, "_hub_bars_off", lambda: bars_off)
    monkeypatch.setattr("vcam.terminal.typed_on", lambda out: False)
    monkeypatch.setattr("vcam.stdio.leave_now", leave_now)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # this process goes on: Ctrl-C stays pytest's
    monkeypatch.setitem(W._TRANSFERS, object(), (KREA_REPO, Path("no-blobs")))
    with pytest.raises(Left):
        W.leave_mid_download(130)
    assert err.getvalue().startswith(f"{start}vcam: download stopped; "), err.getvalue()
    assert W.hub_bars_drawn() is not bars_off
    assert stopped_line_start(io.StringIO(), lambda: True) == ""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="the partial files in transfer are told by /proc")
def test_a_download_stopped_mid_transfer_names_the_file_cut_short(tmp_path, monkeypatch, capsys):
    """"download stopped; 3.1 GB of Wan-AI/Wan2.1-T2V-14B in transfer removed" left the user guessing which of the
    repo's files was cut short: the line names it, as the tree listing huggingface_hub keeps beside the blobs says
    which blob each file is (read from the disk: nothing asked of a hub that may never answer)."""
    class Left(BaseException):
        pass

    def leave_now(code):
        raise Left(code)

    online_hub(monkeypatch)
    monkeypatch.setattr("vcam.stdio.leave_now", leave_now)
    monkeypatch.setattr(signal, "signal", lambda *args: None)  # this process goes on: Ctrl-C stays pytest's
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)

    def online(repo, **kw):  # huggingface_hub 2.x's listing and partial file of the checkpoint, open, as a Ctrl-C comes
        blobs = tmp_path / "hub" / ("models--" + repo.replace("/", "--")) / "blobs"
        blobs.mkdir(parents=True, exist_ok=True)
        (blobs.parent / "trees").mkdir()
        (blobs.parent / "trees" / ("c" * 40 + ".json")).write_text(json.dumps({"format_version": 1, "files": {
            "config.json": {"size": 519, "blob_id": "f00d"},
            KREA_FILE: {"size": KREA_BYTES, "blob_id": "git-hash", "lfs_sha256": "0123abcd", "lfs_size": KREA_BYTES}}}))
        with open(blobs / "0123abcd.1a2b3c4d.incomplete", "wb") as f:
            f.write(b"x" * 3_000_000)
            f.flush()
            W.leave_mid_download(130)

    fake_hub(monkeypatch, online, dry=sizes_at)
    with pytest.raises(Left):
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    err = capsys.readouterr().err
    assert f"download stopped; 3.0 MB of {KREA_FILE} ({KREA_REPO}) in transfer removed (huggingface_hub" in err, err


@pytest.mark.slow
def test_a_download_with_no_partial_file_waits_on_no_paths_info_answer(tmp_path, served_hub):
    """The hub is asked which blob each file is only where partial files are there to be counted: a download into
    an empty cache from a hub that takes that question and never answers it (huggingface_hub sets no time limit)
    waited for ever, where it had finished in a second."""
    hub, env, _ = served_hub
    hub.paths_info_silent = True
    hub.released.set()  # every file sent whole
    done = download_past_silent_paths_info(env)
    assert done.returncode == 0 and "weights ready" in done.stdout, done.stderr


def test_a_read_only_cache_that_lacks_files_says_one_line_not_the_hubs_warnings_first(tmp_path, monkeypatch, capfd,
                                                                                       caplog):
    """huggingface_hub's dry run writes the repo's ref and, on a read-only disk, logs "Ignored error while writing
    commit hash to …" for each repo: two lines of its own before vcam's one error, which says the cache is
    read-only. Looked for in the log records: pytest's logging capture takes them before they reach stderr."""
    from huggingface_hub import _snapshot_download as snap

    real_snapshot_download(monkeypatch, tmp_path)
    monkeypatch.setattr(W, "_writable", lambda path: False)

    def read_only(storage_folder, *args, **kwargs):
        raise OSError(30, "Read-only file system", storage_folder)

    monkeypatch.setattr(snap, "_cache_commit_hash_for_specific_revision", read_only)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=io.StringIO())
    assert err.value.message.startswith(f"the hub cache {tmp_path / 'hub'} is read-only and lacks")
    assert [r.getMessage() for r in caplog.records if "Ignored error while writing commit hash" in r.getMessage()] \
        == []
    said = capfd.readouterr()
    assert said.err + said.out == ""


@pytest.mark.parametrize("name, value, hub, cache", [("HF_HOME", "hf/hub", "hf/hub/hub", "hf/hub"),
                                                     ("HF_HUB_CACHE", "hf", "hf", "hf/hub"),
                                                     ("XDG_CACHE_HOME", "cache/huggingface", "cache/huggingface/"
                                                      "huggingface/hub", "cache/huggingface/hub")])
def test_a_cache_variable_one_level_off_the_cache_that_holds_the_weights_is_said_before_a_download(
        name, value, hub, cache, tmp_path, weights_folder, monkeypatch):
    """HF_HOME set to the hub cache itself (HF_HUB_CACHE's folder), or HF_HUB_CACHE to HF_HOME's: the weights in the
    cache beside were downloaded again, tens of GB, into a folder of their own, filling the volume."""
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv(name, str(tmp_path / value))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / hub))  # as huggingface_hub reads it at import
    fill_hub_cache(tmp_path / cache, weights_folder)
    fake_hub(monkeypatch, never, dry=sizes)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=io.StringIO())
    assert err.value.message == (f"the hub cache is {tmp_path / hub} ({name}={tmp_path / value}), which lacks the "
                                 f"weights; {tmp_path / cache} is a hub cache that holds them")
    assert err.value.fix.startswith(f"`export HF_HUB_CACHE={tmp_path / cache}` and run again")


@sigint_mid_transfer
@pytest.mark.parametrize("sig, code", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_download_stopped_by_sigterm_or_a_closed_terminal_says_so_and_leaves_no_partial_file(served_hub, sig, code):
    """`docker stop`, a job's time limit (SIGTERM) or an SSH session dropped (SIGHUP) ended `vcam download` at once
    without a word, its partial file (up to the checkpoint's 28.6 GB, never resumed) left taking room."""
    import signal

    _, env, blobs = served_hub
    exit_code, err = stopped_mid_transfer([sys.executable, "-m", "vcam", "download"], env, blobs,
                                          getattr(signal, sig))
    assert exit_code == code, err
    assert "vcam: download stopped; " in err and "run the same command again to go on" in err, err
    assert "Traceback" not in err, err
    assert not list(blobs.glob("*.incomplete")), "own partial file left"


@pytest.mark.parametrize("meant_there", [True, False])  # a fresh machine has neither folder yet
@pytest.mark.parametrize("name, end, said", [("HF_HOME", "\r", "a carriage return"), ("HF_HUB_CACHE", " ", "a space")])
def test_a_cache_variable_ending_in_a_space_or_carriage_return_is_said_before_a_download(name, end, said, meant_there,
                                                                                         tmp_path, monkeypatch):
    """HF_HOME=/workspace/hf read from an env file saved with Windows line ends (docker --env-file) or pasted with a
    space after it: the weights were downloaded again, tens of GB, into a folder of that name beside the one meant."""
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    value = f"{tmp_path / 'hf'}{end}"
    if meant_there:
        (tmp_path / "hf").mkdir()
    monkeypatch.setenv(name, value)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", value + ("/hub" if name == "HF_HOME" else ""))
    fake_hub(monkeypatch, never, dry=sizes)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=io.StringIO())
    assert err.value.message == f"{name}={value!r} ends with {said}, which would name a folder of its own"
    assert err.value.fix.startswith(f"set it without (`export {name}={tmp_path / 'hf'}`)")


def test_a_cache_one_level_off_holding_only_part_of_the_weights_lets_the_download_go_on(tmp_path, monkeypatch):
    """HF_HOME=/d1/hf on purpose beside /d1/hub with an empty snapshots folder (a download cancelled there): the
    download was refused, told to use that cache, which holds no weights, with no way past it."""
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    (tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "snapshots").mkdir(parents=True)
    fake_hub(monkeypatch, never, dry=sizes)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 1)  # the download stops at the room it needs, past the check
    out = io.StringIO()
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=out)
    assert err.value.message.startswith(f"the weights need 51.6 GB more in {tmp_path / 'hf' / 'hub'}")
    assert f"{tmp_path / 'hub'} holds part of the weights, not all" in out.getvalue()


def test_a_cache_variable_ending_in_a_space_whose_folder_holds_a_download_lets_it_go_on(tmp_path, monkeypatch):
    """HF_HOME="/d3/hf " whose folder, named with the space, holds a download begun there: it was refused and told
    to use /d3/hf, abandoning the files fetched so far."""
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    value = f"{tmp_path / 'hf'} "
    (tmp_path / "hf").mkdir()
    (Path(value) / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs").mkdir(parents=True)
    monkeypatch.setenv("HF_HOME", value)
    monkeypatch.setattr(constants, "HF_HUB_CACHE", value + "/hub")
    fake_hub(monkeypatch, never, dry=sizes)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 1)  # the download stops at the room it needs, past the check
    out = io.StringIO()
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=out)
    assert err.value.message.startswith(f"the weights need 51.6 GB more in {value}/hub"), err.value.message
    assert f"HF_HOME={value!r} ends with a space; the hub cache is " in out.getvalue()


def test_the_exports_a_cache_variable_is_told_quote_a_path_with_a_space(tmp_path, weights_folder, monkeypatch):
    """`export HF_HOME=/mnt/My Drive` as said set HF_HOME to /mnt/My and ran a command named Drive."""
    from huggingface_hub import constants

    drive = tmp_path / "My Drive"
    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    fake_hub(monkeypatch, never, dry=sizes)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    drive.mkdir()
    monkeypatch.setenv("HF_HOME", f"{drive}\r")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", f"{drive}\r/hub")
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=io.StringIO())
    assert err.value.fix.startswith(f"set it without (`export HF_HOME='{drive}'`)"), err.value.fix
    monkeypatch.setenv("HF_HOME", str(drive / "hub"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(drive / "hub" / "hub"))
    fill_hub_cache(drive / "hub", weights_folder)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=io.StringIO())
    assert err.value.fix.startswith(f"`export HF_HUB_CACHE='{drive / 'hub'}'` and run again"), err.value.fix


def test_a_relative_cache_variable_inside_the_cache_that_holds_the_weights_names_that_cache_whole(
        tmp_path, weights_folder, monkeypatch):
    """HF_HUB_CACHE=sub set inside the hub cache that holds the weights was told `export HF_HUB_CACHE=.`: a cache
    that moves with the folder vcam starts in, the same slip again."""
    from huggingface_hub import constants

    for other in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME", "XDG_CACHE_HOME"):
        monkeypatch.delenv(other, raising=False)
    fill_hub_cache(tmp_path / "hub", weights_folder)
    monkeypatch.chdir(tmp_path / "hub")
    monkeypatch.setenv("HF_HUB_CACHE", "sub")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", "sub")
    fake_hub(monkeypatch, never, dry=sizes)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), out=io.StringIO())
    assert f"; {tmp_path / 'hub'} is a hub cache that holds them" in err.value.message
    assert err.value.fix.startswith(f"`export HF_HUB_CACHE={tmp_path / 'hub'}` and run again"), err.value.fix


def test_a_disk_that_fills_as_the_last_bytes_are_written_says_no_100_percent_before_it(tmp_path, monkeypatch):
    """hf_xet counts the bytes as they arrive and writes them after: the log said "(100%)" and then "the disk
    holding … is full". The total reached is said once the hub has returned, the file kept."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)

    def online(repo, **kw):
        bar = kw["tqdm_class"](total=KREA_BYTES, unit="B", desc="Reconstructing")
        for _ in range(4):
            bar.update(KREA_BYTES // 4)
        raise OSError(28, "No space left on device")

    fake_hub(monkeypatch, online, dry=sizes)
    out = io.StringIO()
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    assert "is full" in err.value.message
    assert f"vcam: downloading {KREA_REPO}: " in out.getvalue() and "(100%)" not in out.getvalue(), out.getvalue()


def test_vcam_download_fetches_again_a_file_the_hub_cache_holds_cut_short(tmp_path, weights_folder, monkeypatch):
    """A checkpoint cut short in the cache (a full disk, a crash): `vcam download` said "fetching …", fetched nothing
    (huggingface_hub takes any file there for a whole one) and ended telling the user to delete it by hand."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub = tmp_path / "hub"
    fill_hub_cache(hub, weights_folder)
    link = next(hub.rglob(KREA_FILE))
    blob = link.parent.parent.parent / "blobs" / "ab12"
    blob.parent.mkdir()
    whole = (weights_folder / KREA_FILE).read_bytes()
    blob.write_bytes(whole[: len(whole) // 2])
    link.unlink()
    link.symlink_to(blob)
    tokenizer = next(hub.rglob("tokenizer/*"))
    kept = tokenizer.read_bytes()

    def dry(repo, **kw):  # as huggingface_hub's: a file there is cached, at its size on disk
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        return [SimpleNamespace(filename=str(f.relative_to(snap)), file_size=f.stat().st_size, local_path=str(f),
                                will_download=False, commit_hash="0") for f in snap.rglob("*") if f.is_file()]

    from huggingface_hub import HfApi

    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, repo, paths, **kw: [
        SimpleNamespace(path=name, size=(weights_folder / name).stat().st_size) for name in paths])

    fetched = []

    def online(repo, **kw):
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        if repo == KREA_REPO and not (snap / KREA_FILE).exists():
            fetched.append(KREA_FILE)
            shutil.copy(weights_folder / KREA_FILE, snap / KREA_FILE)
        return str(snap)

    fake_hub(monkeypatch, online, dry=dry)
    out = io.StringIO()
    paths = from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=out)
    assert fetched == [KREA_FILE] and paths.transformer.read_bytes() == whole and not blob.exists()
    assert f"vcam: {KREA_FILE} ({KREA_REPO}) in the hub cache holds " in out.getvalue(), out.getvalue()
    assert "(cut short): removed, to be fetched again" in out.getvalue()
    assert tokenizer.read_bytes() == kept  # a whole file stays


def cached_dry(hub):
    """huggingface_hub's dry run over `hub`: a file there is cached, at its size on disk."""
    def dry(repo, **kw):
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        return [SimpleNamespace(filename=str(f.relative_to(snap)), file_size=f.stat().st_size, local_path=str(f),
                                will_download=False, commit_hash="0") for f in snap.rglob("*") if f.is_file()]
    return dry


def linked_checkpoint(hub: Path, data: bytes) -> Path:
    """The checkpoint in `hub` as huggingface_hub lays it out: a snapshot link to a blob holding `data`."""
    link = next(hub.rglob(KREA_FILE))
    blob = link.parent.parent.parent / "blobs" / "ab12"
    blob.parent.mkdir(exist_ok=True)
    blob.write_bytes(data)
    link.unlink()
    link.symlink_to(blob)
    return blob


def test_a_cached_file_the_hub_says_smaller_than_it_is_is_kept_whole(tmp_path, weights_folder, monkeypatch):
    """A hub mirror or proxy (HF_ENDPOINT) that gives an LFS file's pointer size, 135 bytes, as its size: the whole
    checkpoint in the cache was taken for one cut short and deleted, 28 GB to fetch again. Only a file smaller than
    the hub's size is cut short."""
    from huggingface_hub import HfApi

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub = tmp_path / "hub"
    fill_hub_cache(hub, weights_folder)
    whole = (weights_folder / KREA_FILE).read_bytes()
    blob = linked_checkpoint(hub, whole)
    tokenizer = next(hub.rglob("tokenizer/*"))
    name = str(tokenizer.relative_to(tokenizer.parent.parent))
    tokenizer.unlink()  # a file to fetch: the cache is not whole, so the hub is asked
    held = cached_dry(hub)
    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, repo, paths, **kw: [
        SimpleNamespace(path=path, size=135, lfs=None) for path in paths])
    fetched = []

    def online(repo, **kw):
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        path = KREA_FILE if repo == KREA_REPO else name
        if not (snap / path).exists():
            fetched.append(path)
            shutil.copy(weights_folder / path, snap / path)
        return str(snap)

    fake_hub(monkeypatch, online, dry=lambda repo, **kw: held(repo) + (
        [SimpleNamespace(filename=name, file_size=100, will_download=True)] if repo == WAN_REPO else []))
    out = io.StringIO()
    paths = from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=out)
    assert blob.read_bytes() == whole and paths.transformer.read_bytes() == whole, "a whole checkpoint deleted"
    assert fetched == [name] and "cut short" not in out.getvalue(), out.getvalue()


def test_a_file_cut_short_is_measured_against_its_lfs_size_not_a_pointer_size_said_as_its_own(
        tmp_path, weights_folder, monkeypatch):
    """Where the hub's paths info gives an LFS file's pointer size as its size, its LFS object's size is the one a
    file in the cache is measured against (a line said "holds 14 kB of its 135 bytes")."""
    from huggingface_hub import HfApi

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub = tmp_path / "hub"
    fill_hub_cache(hub, weights_folder)
    whole = (weights_folder / KREA_FILE).read_bytes()
    blob = linked_checkpoint(hub, whole[: len(whole) // 2])
    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, repo, paths, **kw: [
        SimpleNamespace(path=path, size=135, lfs=SimpleNamespace(size=(weights_folder / path).stat().st_size))
        for path in paths])

    def online(repo, **kw):
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        if not (snap / KREA_FILE).exists():
            shutil.copy(weights_folder / KREA_FILE, snap / KREA_FILE)
        return str(snap)

    fake_hub(monkeypatch, online, dry=cached_dry(hub))
    out = io.StringIO()
    paths = from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=out)
    assert paths.transformer.read_bytes() == whole and not blob.exists()
    assert (f"vcam: {KREA_FILE} ({KREA_REPO}) in the hub cache holds {size_text(len(whole) // 2)} of its "
            f"{size_text(len(whole))} (cut short): removed, to be fetched again") in out.getvalue(), out.getvalue()


def test_a_file_cut_short_in_huggingface_hubs_shared_blob_store_is_fetched_again(tmp_path, weights_folder,
                                                                                    monkeypatch):
    """huggingface_hub 2.4 keeps a Xet file once for all repos, in `<cache>/blobs/ab/<xet hash>`, the repo's blob a
    link to it. Only the snapshot link was removed: huggingface_hub linked the repo's blob again, the same file cut
    short, and fetched nothing, where vcam had said it would. The repo's link goes too (never the store's file,
    which another repo may link to): huggingface_hub then finds the store's file short of its size and fetches it."""
    shared = pytest.importorskip("huggingface_hub.utils._shared_blobs")
    from huggingface_hub import HfApi

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub = tmp_path / "hub"
    fill_hub_cache(hub, weights_folder)
    whole = (weights_folder / KREA_FILE).read_bytes()
    xet = "ab" + "3c" * 31
    repo_blob = linked_checkpoint(hub, whole)
    assert shared.publish_blob_to_shared_store(blob_path=str(repo_blob), xet_hash=xet, cache_dir=hub,
                                               expected_size=len(whole))
    store = shared.shared_blob_path(hub, xet)
    assert repo_blob.is_symlink() and store.is_file() and not store.is_symlink()
    link = next(hub.rglob(KREA_FILE))
    link.unlink()
    link.symlink_to(os.path.relpath(repo_blob, link.parent))
    os.chmod(store, 0o600)
    store.write_bytes(whole[: len(whole) // 3])  # cut short: a full disk, a crash of a copying tool
    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, repo, paths, **kw: [
        SimpleNamespace(path=path, size=(weights_folder / path).stat().st_size) for path in paths])
    fetched = []

    def online(repo, **kw):  # as huggingface_hub 2.4 fetches a Xet file into its cache
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        pointer = snap / KREA_FILE
        if repo == KREA_REPO and not os.path.exists(pointer):
            assert store.stat().st_size == len(whole) // 3, "the shared store's file was removed"
            if not os.path.exists(repo_blob) and not shared.try_link_from_shared_store(
                    blob_path=str(repo_blob), xet_hash=xet, cache_dir=hub, expected_size=len(whole)):
                fetched.append(KREA_FILE)
                repo_blob.write_bytes(whole)
                shared.publish_blob_to_shared_store(blob_path=str(repo_blob), xet_hash=xet, cache_dir=hub,
                                                    expected_size=len(whole))
            pointer.symlink_to(os.path.relpath(repo_blob, pointer.parent))
        return str(snap)

    fake_hub(monkeypatch, online, dry=cached_dry(hub))
    out = io.StringIO()
    paths = from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=out)
    assert fetched == [KREA_FILE] and paths.transformer.read_bytes() == whole and store.read_bytes() == whole
    assert "(cut short): removed, to be fetched again" in out.getvalue(), out.getvalue()


def test_a_file_cut_short_whose_blob_cannot_be_removed_is_not_said_to_be_fetched_again(
        tmp_path, weights_folder, monkeypatch):
    """The snapshot link removed but not the blob it links to (a blobs folder another user owns): huggingface_hub
    links the same cut-short blob again and fetches nothing, where the line said "removed, to be fetched again"."""
    from huggingface_hub import HfApi

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub = tmp_path / "hub"
    fill_hub_cache(hub, weights_folder)
    whole = (weights_folder / KREA_FILE).read_bytes()
    blob = linked_checkpoint(hub, whole[:1000])
    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, repo, paths, **kw: [
        SimpleNamespace(path=path, size=(weights_folder / path).stat().st_size) for path in paths])
    unlink = Path.unlink

    def refused(self, missing_ok=False):
        if self == blob:
            raise PermissionError(13, "Permission denied")
        unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)

    def online(repo, **kw):
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        if not (snap / KREA_FILE).exists():
            (snap / KREA_FILE).symlink_to(blob)  # as huggingface_hub: the blob is there
        return str(snap)

    fake_hub(monkeypatch, online, dry=cached_dry(hub))
    out = io.StringIO()
    with pytest.raises(WeightsError):
        from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=out)
    assert (f"(cut short): it cannot be removed here (delete {blob}, then run `vcam download` again)"
            in out.getvalue()), out.getvalue()
    assert "to be fetched again" not in out.getvalue()


@pytest.mark.slow
def test_vcam_download_from_a_served_hub_repairs_a_checkpoint_cut_short(served_hub):
    """huggingface_hub's own download: its dry run takes the cut-short blob for a whole file; vcam's download fetches
    it again and ends with the weights ready."""
    import subprocess

    hub, env, blobs = served_hub
    hub.stall = None
    done = subprocess.run([sys.executable, "-m", "vcam", "download"], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    blob = blobs / hub.blob(KREA_REPO, KREA_FILE)
    whole = blob.read_bytes()
    blob.write_bytes(whole[: len(whole) // 3])  # cut short: a full disk, a crash of a copying tool
    done = subprocess.run([sys.executable, "-m", "vcam", "download"], env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "weights ready" in done.stdout, done.stderr
    assert "(cut short): removed, to be fetched again" in done.stderr and blob.read_bytes() == whole, done.stderr


def aged(path: Path, seconds: float) -> Path:
    """`path` as last written `seconds` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))
    return path


@pytest.mark.parametrize("cached", [False, True])
def test_partial_files_no_download_wrote_for_minutes_are_named_with_their_delete_command_never_deleted(
        cached, tmp_path, weights_folder, monkeypatch):
    """A download killed mid-file (kill -9, a machine reset) left its partial file, tens of GB that huggingface_hub
    2.x never goes on from, until a disk too small for a download named it. They were then deleted at the next
    download, where they may be another download's: one in another container (its processes out of /proc's sight),
    on another machine sharing the cache, or an older huggingface_hub's BLOB.incomplete, which it goes on from. Now
    those no one wrote for minutes are named with the command that deletes them, and none is deleted."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: False)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub = tmp_path / "hub"
    if cached:
        fill_hub_cache(hub, weights_folder)
    krea_blobs = hub / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    partial_blob(tmp_path, "0123abcd.1a2b3c4d", 3_000_000_000)
    partial_blob(tmp_path, "0123 it's", 1_000_000_000)  # an older huggingface_hub's name, which it goes on from
    killed = [aged(krea_blobs / "0123abcd.1a2b3c4d.incomplete", 3 * 3600), aged(krea_blobs / "0123 it's.incomplete",
                                                                                 5 * 3600)]
    (krea_blobs / "f00d").write_bytes(b"whole")
    wan_blobs = hub / ("models--" + WAN_REPO.replace("/", "--")) / "blobs"
    wan_blobs.mkdir(parents=True, exist_ok=True)
    running = wan_blobs / "beef.5678abcd.incomplete"  # being written now, by a download no process here shows
    running.write_bytes(b"x" * 100)
    out = io.StringIO()
    if not cached:
        fake_hub(monkeypatch, lambda repo, **kw: downloaded(tmp_path / repo), dry=sizes)
        monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)
    from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=out)
    assert [p.stat().st_size for p in killed] == [3_000_000_000, 1_000_000_000], "a partial file deleted"
    assert running.exists() and (krea_blobs / "f00d").read_bytes() == b"whole"
    done = "are not needed here (the cache holds every file whole)" if cached else ("are not gone on from by this "
                                                                                    "download")
    assert (f"vcam: 4.0 GB of partial files in the hub cache {hub}, none written for 3 h, {done}; they may be another "
            "download's (running in another container, or on another machine "
            "sharing this cache), or an older huggingface_hub's (1.x and 0.x go on from BLOB.incomplete): where none "
            f"is, delete them (`rm -- \"{killed[1]}\" {killed[0]}`)\n") in out.getvalue(), out.getvalue()
    assert str(running) not in out.getvalue()


def test_dozens_of_partial_files_are_named_a_few_with_a_command_that_deletes_them_all_and_no_other(
        tmp_path, monkeypatch):
    """A download killed again and again left dozens of partial files, each named in one line too long to read or to
    paste. A few are named, and a `find` deletes them all, not a partial file written since nor a whole blob."""
    import subprocess

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: False)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)
    blobs = tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    for n in range(12):
        partial_blob(tmp_path, f"0123abcd.{n:08x}", 1_000_000)
        aged(blobs / f"0123abcd.{n:08x}.incomplete", 3600 + n)
    partial_blob(tmp_path, "0123abcd.running", 1_000_000)  # a download writing now
    (blobs / "f00d").write_bytes(b"whole")
    aged(blobs / "f00d", 3600)
    fake_hub(monkeypatch, lambda repo, **kw: downloaded(tmp_path / repo), dry=sizes)
    out = io.StringIO()
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    line = next(line for line in out.getvalue().splitlines() if "partial files" in line)
    assert line.count(str(blobs / "0123abcd.")) == 3 and ", … 9 more: `" in line, line
    command = line.split("`")[-2]
    assert command == f"find {blobs} -maxdepth 1 -name '*.incomplete' -mmin +10 -delete", line
    subprocess.run(command, shell=True, check=True)
    assert sorted(f.name for f in blobs.iterdir()) == ["0123abcd.running.incomplete", "f00d"]


def test_dozens_of_partial_files_beside_one_an_older_hub_goes_on_from_are_each_named(tmp_path, monkeypatch):
    """Where a folder also holds a partial file this huggingface_hub (1.x) goes on from, a `find` over the folder
    would delete it too once it has aged (its download killed): each file is named in the command instead."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: True)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)
    hub_blobs(monkeypatch, {KREA_FILE: "0123abcd"})
    blobs = tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    for n in range(5):
        partial_blob(tmp_path, f"0123abcd.{n:08x}", 1_000_000)
        aged(blobs / f"0123abcd.{n:08x}.incomplete", 3600)
    partial_blob(tmp_path, "0123abcd", 1_000_000)  # written now: a `find` run minutes later takes it as well
    fake_hub(monkeypatch, lambda repo, **kw: downloaded(tmp_path / repo), dry=sizes_at)
    out = io.StringIO()
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    line = next(line for line in out.getvalue().splitlines() if "partial files" in line)
    assert "find" not in line and line.count(str(blobs / "0123abcd.")) == 5, line
    assert str(blobs / "0123abcd.incomplete") not in line


def test_a_disk_too_short_says_the_partial_files_written_minutes_ago_as_room_taken_not_to_delete(
        tmp_path, monkeypatch):
    """A disk too small named the partial files nothing wrote for 10 minutes, and said nothing of those written since,
    which may be a download running now: the room they take was not told."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: False)
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        monkeypatch.delenv(name, raising=False)
    blobs = tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    partial_blob(tmp_path, "0123abcd.00000001", 20_000_000_000)
    aged(blobs / "0123abcd.00000001.incomplete", 3600)
    partial_blob(tmp_path, "0123abcd.00000002", 7_000_000_000)  # written now
    monkeypatch.setattr(W, "_free_bytes", lambda path: 40_000_000_000)
    fake_hub(monkeypatch, never, dry=sizes_at)
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"))
    assert err.value.fix.startswith(
        f"20.0 GB of partial files in the hub cache {tmp_path / 'hub'}, none written for 60 min, are not gone on from "
        "by this download"), err.value.fix
    assert (f"; 7.0 GB of partial files in the hub cache {tmp_path / 'hub'} were written within the last 10 min, maybe "
            "by a download running now (in another container, or on another machine sharing this cache); if that is "
            "not room enough, point HF_HOME") in err.value.fix, err.value.fix
    assert "00000002" not in err.value.fix


def test_partial_files_written_minutes_ago_are_not_named(tmp_path, monkeypatch):
    """A partial file written within STALE_AFTER_S may be a download's running now (its writes come every few
    seconds): not named as one to delete."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_hub_resumes", lambda: False)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)
    partial_blob(tmp_path, "0123abcd.1a2b3c4d", 3_000_000_000)
    blobs = tmp_path / "hub" / ("models--" + KREA_REPO.replace("/", "--")) / "blobs"
    aged(blobs / "0123abcd.1a2b3c4d.incomplete", W.STALE_AFTER_S - 60)
    fake_hub(monkeypatch, lambda repo, **kw: downloaded(tmp_path / repo), dry=sizes)
    out = io.StringIO()
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    assert "partial files" not in out.getvalue() and (blobs / "0123abcd.1a2b3c4d.incomplete").exists()


def test_a_repo_the_cache_holds_whole_is_not_said_as_fetched(tmp_path, monkeypatch):
    """The text encoder's repo whole in the cache, the checkpoint's not: the download said "fetching Wan-AI/… into …"
    and then "downloading Wan-AI/…: 0 bytes", which read as a download that had failed."""
    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    monkeypatch.setattr(W, "check_files", lambda paths, fix="": None)
    fake_hub(monkeypatch, lambda repo, **kw: downloaded(tmp_path / repo),
             dry=lambda repo, **kw: sizes(repo) if repo == KREA_REPO else [])
    out = io.StringIO()
    from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    assert f"vcam: fetching {KREA_REPO} " in out.getvalue() and WAN_REPO not in out.getvalue(), out.getvalue()


def test_a_file_cut_short_in_a_read_only_cache_is_said_as_cut_short_not_only_as_lacking(
        tmp_path, weights_folder, monkeypatch):
    """A shared read-only cache holding the checkpoint cut short was said to lack it, which its owner, who sees the
    file there, could not make sense of."""
    from huggingface_hub import HfApi

    online_hub(monkeypatch)
    monkeypatch.setattr(W, "_free_bytes", lambda path: 10**12)
    hub = tmp_path / "hub"
    fill_hub_cache(hub, weights_folder)
    link = next(hub.rglob(KREA_FILE))
    link.write_bytes(link.read_bytes()[:1000])

    def dry(repo, **kw):
        snap = hub / ("models--" + repo.replace("/", "--")) / "snapshots" / "0"
        return [SimpleNamespace(filename=str(f.relative_to(snap)), file_size=f.stat().st_size, local_path=str(f),
                                will_download=False, commit_hash="0") for f in snap.rglob("*") if f.is_file()]

    monkeypatch.setattr(HfApi, "get_paths_info", lambda self, repo, paths, **kw: [
        SimpleNamespace(path=name, size=(weights_folder / name).stat().st_size) for name in paths])
    fake_hub(monkeypatch, never, dry=dry)
    monkeypatch.setattr(W, "_writable", lambda path: False)

    def refused(self, missing_ok=False):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "unlink", refused)
    out = io.StringIO()
    with pytest.raises(WeightsError) as err:
        from_hub(get_spec("krea-14b"), cache_dir=str(hub), out=out)
    assert "is read-only" in err.value.message and link.exists()
    assert f"vcam: {KREA_FILE} ({KREA_REPO}) in the hub cache holds 1.0 kB of its " in out.getvalue(), out.getvalue()
    assert "(cut short): it cannot be removed here" in out.getvalue()


class HungUp(io.StringIO):
    """stderr whose terminal hangs up as a line holding `at` is written: that write and every later one fail with
    EIO, as a closed terminal's do."""

    def __init__(self, at: str):
        super().__init__()
        self.at = at
        self.failed = threading.Event()

    def write(self, text: str) -> int:
        if self.failed.is_set() or self.at in text:
            self.failed.set()
            raise OSError(5, "Input/output error")
        return super().write(text)


def test_a_terminal_that_hangs_up_mid_download_stops_the_line_not_the_download(tmp_path, monkeypatch):
    """The progress line written from the hub's download threads: a terminal gone (SIGHUP ignored, the SSH session
    dropped) made its EIO the transfer's own error, and the download failed."""
    real_snapshot_download(monkeypatch, tmp_path, chunks=50)
    monkeypatch.setattr(W, "ByteProgress", functools.partial(ByteProgress, every_s=0.0))
    out = HungUp(at=f"downloading {WAN_REPO}")
    paths = from_hub(get_spec("krea-14b"), cache_dir=str(tmp_path / "hub"), out=out)
    assert out.failed.is_set() and paths.transformer.name == KREA_FILE
    assert f"downloading {KREA_REPO}: " in out.getvalue() and f"downloading {WAN_REPO}" not in out.getvalue()


def test_the_windows_lines_that_delete_partial_files_are_said_for_each_shell():
    """`del A B` is cmd's; in PowerShell `del` is Remove-Item, which takes one path bare ("A positional parameter
    cannot be found that accepts argument B"), and `cmd /c del "A&B"` run from PowerShell lost its quotes, where cmd
    split the path at the `&`: each shell is given its own line, PowerShell's in single quotes."""
    paths = [Path(r"C:\Users\vj\.cache\huggingface\hub\models--krea--krea-realtime-video\blobs\ab.incomplete"),
             Path(r"D:\R&D ^1\o'brien\hub\models--krea--krea-realtime-video\blobs\cd.incomplete")]
    said = W._delete_said(paths, time.time(), windows=True)
    assert said == (rf"(in PowerShell: `Remove-Item -LiteralPath '{paths[0]}', 'D:\R&D ^1\o''brien\hub\models--krea--"
                    r"krea-realtime-video\blobs\cd.incomplete'`" f'; in cmd: `del "{paths[0]}" "{paths[1]}"`)')
    percent = [Path(r"C:\100%CD%\blobs\ab.incomplete")]  # cmd expands %CD% even inside quotes
    assert W._delete_said(percent, time.time(), windows=True) == rf"(in PowerShell: `Remove-Item -LiteralPath " \
        rf"'{percent[0]}'`)"


def test_many_stale_partial_files_on_windows_are_deleted_by_folder_and_age_in_powershell(tmp_path):
    """Sixty files named each made a `del` line past cmd's 8,191 characters, which cmd cut off: PowerShell is told to
    delete the folder's partial files unwritten for as long as these, and no cmd line is offered."""
    blobs = tmp_path / ("models--krea--krea-realtime-video" + "-" * 60) / "blobs"
    blobs.mkdir(parents=True)
    now = time.time()
    paths = []
    for i in range(60):
        path = blobs / f"{i:064x}.{i:08x}.incomplete"
        path.write_bytes(b"x")
        os.utime(path, (now - 3600, now - 3600))
        paths.append(path)
    said = W._delete_said(sorted(paths), now, windows=True)
    minutes = int(W.STALE_AFTER_S // 60)
    assert said.endswith(f": in PowerShell: `Get-ChildItem -LiteralPath '{blobs}' -File -Filter *.incomplete | "
                         f"Where-Object LastWriteTime -lt (Get-Date).AddMinutes(-{minutes}) | Remove-Item`)"), said
    assert "in cmd" not in said and "del " not in said and ", … 57 more: in PowerShell" in said
    (blobs / f"{99:064x}.incomplete").write_bytes(b"x")  # one nearly as old, which the age would take too
    os.utime(blobs / f"{99:064x}.incomplete", (now - W.STALE_AFTER_S + 30,) * 2)
    said = W._delete_said(sorted(paths), now, windows=True)
    assert said.startswith("(in PowerShell: `Remove-Item -LiteralPath ") and all(f"'{p}'" in said for p in paths)
    assert "in cmd" not in said and f"{99:064x}" not in said


class Writes(io.StringIO):
    """stderr that keeps each write apart: a line split over two writes can have another thread's (the status
    line's redraw) land between its text and its line end."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []
        self.written = threading.Event()

    def write(self, text: str) -> int:
        if text:  # print's empty end, with end=""
            self.writes.append(text)
            self.written.set()
        return super().write(text)


def test_the_hubs_wait_note_from_its_thread_is_one_write(tmp_path, monkeypatch):
    monkeypatch.setattr(W, "QUIET_S", 0.01)
    out = Writes()
    with W._still_waiting(KREA_REPO, out):
        assert out.written.wait(60)
    assert out.writes[0].startswith("vcam: the Hugging Face hub has not answered") and out.writes[0].endswith("\n")


def test_the_tuning_folders_note_and_taehvs_fetching_line_are_one_write_each(tmp_path, monkeypatch):
    from test_taehv import SMALL, write_published_file
    from vcam.engine import cachedir
    from vcam.engine import taehv_weights as tw

    out = Writes()
    monkeypatch.setattr(sys, "stderr", out)
    monkeypatch.setattr(cachedir, "_said", set())
    cachedir._say_once("vcam: VCAM_CACHE_DIR=cache is relative")
    assert out.writes == ["vcam: VCAM_CACHE_DIR=cache is relative\n"]
    source = write_published_file(tmp_path / "published.safetensors", SMALL)
    tw._download(source.as_uri(), tmp_path / "cache" / tw.TAEHV_FILE, expected_blob=tw.git_blob_id(source))
    assert out.writes[1] == f"vcam: fetching {tw.TAEHV_FILE} from github.com/{tw.TAEHV_REPO} …\n"


class WritesToTerminal(Writes):
    """Writes kept apart, on a terminal."""

    def __init__(self):
        super().__init__()
        self.fileno = lambda: 2

    def isatty(self) -> bool:
        return True


def test_the_notes_of_a_download_on_a_terminal_start_on_a_wiped_row(tmp_path, monkeypatch):
    """A show's first start fetches its weights under the LOADING status line, rewritten in place with no line end:
    "… | preset -vcam: the Hugging Face hub has not answered …" ran on from its end; TAEHV's fetching line too."""
    from test_taehv import SMALL, write_published_file
    from vcam.engine import taehv_weights as tw

    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(W, "QUIET_S", 0.01)
    out = WritesToTerminal()
    with W._still_waiting(KREA_REPO, out):
        assert out.written.wait(60)
    assert out.writes[0].startswith("\r\x1b[Kvcam: the Hugging Face hub has not answered about")
    monkeypatch.setattr(sys, "stderr", WritesToTerminal())
    source = write_published_file(tmp_path / "published.safetensors", SMALL)
    tw._download(source.as_uri(), tmp_path / "cache" / tw.TAEHV_FILE, expected_blob=tw.git_blob_id(source))
    assert sys.stderr.writes[0] == f"\r\x1b[Kvcam: fetching {tw.TAEHV_FILE} from github.com/{tw.TAEHV_REPO} …\n"


def test_the_download_fix_names_only_commands_that_take_a_weights_folder():
    """It said "serve, bench and render take it too": bench builds random weights and takes no --weights."""
    import argparse
    import re

    from vcam.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)).choices
    named = [name for name in commands if re.search(rf"\b{re.escape(name)}\b", W.DOWNLOAD_FOLDER_FIX)]
    assert "run" in named and "render" in named
    assert [name for name in named if "--weights" not in commands[name].format_help()] == []
