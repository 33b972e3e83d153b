"""TAEHV's published Wan 2.1 weights (`taew2_1.safetensors`): where they are, fetching them, loading them.

The author publishes them on GitHub only (madebyollin/taehv); the copies on the Hugging Face hub are other people's
and at least one holds an older version of the file. So vcam downloads the file from GitHub at a pinned commit and
checks it against that commit's own record of it (its git blob hash): the bytes are the author's, and they cannot
change under a show. It is kept in vcam's cache folder; a `--weights` folder that holds the file is used first.

Finding and checking the file needs no torch (`check_taehv` runs before a show opens anything); loading it does.
"""
from __future__ import annotations

import errno
import hashlib
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

from vcam import filelock
from vcam.engine.cachedir import cache_dir
from vcam.engine.configs import TAEHVConfig
from vcam.engine.weight_files import safetensors_problem
from vcam.errors import WeightsError
from vcam.homefolder import home_expanded
from vcam.progress import row_cleared
from vcam.words import few

if TYPE_CHECKING:
    import torch

    from vcam.engine.taehv import TAEHVDecoder

TAEHV_FILE = "taew2_1.safetensors"
TAEHV_REPO = "madebyollin/taehv"
TAEHV_COMMIT = "1f14a568f24bf8811e0a0ac601613e04fc1581e8"
TAEHV_URL = f"https://github.com/{TAEHV_REPO}/raw/{TAEHV_COMMIT}/safetensors/{TAEHV_FILE}"
# The file's git blob id at that commit (sha1 of "blob <size>\0" + its bytes), from the repository's own tree.
TAEHV_BLOB = "ec1a2be453a250aa406e912bb630c34463ba0b2f"
# A partial download whose lock no process holds, last written this long ago, was left by a run that was killed
# (SIGKILL, a power cut): one younger may be another run's, made a moment before it locked it. Where there are no
# locks, only the time tells, and a download's writes come seconds apart at most (each read waits up to 60 s).
LOCKED_STALE_S = 5.0
STALE_PART_S = 60.0


def cached_path() -> Path:
    return cache_dir() / "taehv" / TAEHV_FILE


def git_blob_id(path: Path) -> str:
    """The id git gives this file's contents: what the pinned commit's tree records for it."""
    h = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_taehv(weights: str | os.PathLike | None = None, *, download: bool = True) -> Path:
    """The weight file: in the `weights` folder if it holds one, else in vcam's cache, downloaded there (with a
    progress bar) when missing. WeightsError saying where to put it when it can be neither found nor fetched."""
    found = _found(weights)
    if found is not None:
        return found
    if not download or _offline():
        raise _not_found(weights)
    path = cached_path()
    _download(TAEHV_URL, path)
    return path


def check_taehv(decoder: str | None, weights: str | os.PathLike | None, *, at_random: bool) -> None:
    """Refuses now what loading the model would refuse about TAEHV's file, minutes later and after a show's
    outputs opened: a damaged or truncated file, or no file where none can be downloaded. Nothing is downloaded
    here: a missing file that can be is fetched as the model loads, as it always was."""
    if decoder != "taehv" or at_random:
        return  # the VAE decodes, or the model (TAEHV's decoder too) is built from random weights
    found = _found(weights)
    if found is None:
        if _offline():
            raise _not_found(weights)
        return
    unusable = _unusable(found)
    if unusable is not None:
        raise unusable


def _found(weights: str | os.PathLike | None) -> Path | None:
    """The file to load without downloading: the `weights` folder's (checked as it loads), else a whole one in the
    cache (a partial one there is downloaded again), else None."""
    if weights is not None:
        local = home_expanded(weights) / TAEHV_FILE  # no home: as written, a folder not there
        if local.is_file():
            return local
    path = cached_path()
    if path.is_file() and safetensors_problem(path) is None:
        return path
    return None


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes")


def _not_found(weights: str | os.PathLike | None) -> WeightsError:
    cached = cached_path()
    folder = cached.parent
    damaged = safetensors_problem(cached) if cached.is_file() else None
    where = f"{cached} are unusable ({damaged})" if damaged else f"({TAEHV_FILE}) are not in {folder}"
    return WeightsError(f"TAEHV's weights {where}"
                        + (f", {weights} holds none" if weights is not None else "") + " and downloading is off",
                        f"download {TAEHV_URL} and put it in {folder} or in the --weights folder (or unset "
                        "HF_HUB_OFFLINE to let vcam fetch it), or decode with --decoder vae")


def _unusable(path: Path) -> WeightsError | None:
    """Why the file cannot be loaded, as far as its header tells without reading the weights."""
    why = safetensors_problem(path)
    return None if why is None else WeightsError(f"TAEHV weights {path} are unusable ({why})", _fix(path))


def _fix(path: Path) -> str:
    return (f"use {TAEHV_FILE} from github.com/{TAEHV_REPO} (delete {path} and run again to download it), or "
            "decode with --decoder vae")


def _download(url: str, path: Path, expected_blob: str = TAEHV_BLOB) -> None:
    from tqdm.auto import tqdm

    print(f"{row_cleared(sys.stderr)}vcam: fetching {TAEHV_FILE} from github.com/{TAEHV_REPO} …\n", end="",
          file=sys.stderr, flush=True)
    fd, tmp = _partial_file(path)
    filelock.lock(fd)  # held while it downloads: another show starting now leaves this file alone
    _remove_stale_parts(path.parent, tmp)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=60) as response:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, desc=TAEHV_FILE, unit="B", unit_scale=True, file=sys.stderr,
                      disable=None) as bar:
                for chunk in iter(lambda: response.read(1 << 20), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
        got = git_blob_id(Path(tmp))
        if got != expected_blob:
            raise WeightsError(f"the downloaded {TAEHV_FILE} is not the file published at {TAEHV_REPO} commit "
                               f"{TAEHV_COMMIT[:7]} (git blob {got[:12]}, expected {expected_blob[:12]})",
                               f"run again; if it persists, download {TAEHV_URL} by hand into {path.parent}")
        os.replace(tmp, path)
    except (urllib.error.URLError, OSError) as e:
        if e.errno in (errno.ENOSPC, errno.EDQUOT):  # the disk, not the network: a copy from elsewhere would not fit
            raise WeightsError(f"could not keep {TAEHV_FILE} in {path.parent}: {e.strerror or e}",
                               f"free space on the disk of {path.parent} (the file takes tens of MB), or point "
                               "VCAM_CACHE_DIR at a folder on another disk, then run again") from None
        reason = getattr(e, "reason", None) or e
        raise WeightsError(f"could not download {TAEHV_FILE} from github.com/{TAEHV_REPO} ({reason})",
                           f"check the network, or download {TAEHV_URL} elsewhere and put it in {path.parent} "
                           "(or in the --weights folder)") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _partial_file(path: Path) -> tuple[int, str]:
    """A new file beside `path` to download into, its folder made where missing; WeightsError where the folder
    cannot be made or written (VCAM_CACHE_DIR naming a file, a read-only cache), which the network is not to blame
    for."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return tempfile.mkstemp(dir=path.parent, prefix=f".{TAEHV_FILE}-", suffix=".part")
    except OSError as e:
        raise WeightsError(f"cannot keep {TAEHV_FILE} in {path.parent} ({e.strerror or e}: {e.filename or path})",
                           "point VCAM_CACHE_DIR at a writable folder, or download "
                           f"{TAEHV_URL} elsewhere and put it in the --weights folder") from None


def _remove_stale_parts(folder: Path, own: str) -> None:
    """Partial downloads beside `own` that killed runs left (each run downloads into a new one, and a run killed
    with SIGKILL never removes its own: tens of MB each time). One another run is downloading into now holds its lock,
    or was written to in the last LOCKED_STALE_S seconds (STALE_PART_S where there are no locks), and is kept.

    A part's age is read against `own`'s time of making, both stamped by the file system's clock: against this
    machine's clock, an NFS server's an hour behind it (or stepped back by its NTP) made a part another show wrote to
    a moment before an hour old, and where the file system has no locks it was removed under that download."""
    now = _made_at(own)
    for part in folder.glob(f".{TAEHV_FILE}-*.part"):
        if str(part) == own:
            continue
        try:
            # for writing: NFS emulates flock with byte-range locks, whose exclusive one a read-only open is refused
            # (EBADF), which read as a file system without locks and removed another show's download
            fd = os.open(part, os.O_RDWR)
        except OSError:  # gone meanwhile (its run finished), or another user's
            continue
        try:
            age = now - os.fstat(fd).st_mtime
            taken = filelock.try_lock(fd)  # False: another run holds it, downloading into it now
            if taken is not False and age >= (LOCKED_STALE_S if taken else STALE_PART_S):
                part.unlink()
        except OSError:  # Windows refuses to remove a file another program has open: it is in use
            pass
        finally:
            os.close(fd)


def _made_at(own: str) -> float:
    """When the file system says `own` was made (it was, a moment ago); this machine's clock where it cannot say."""
    try:
        return os.stat(own).st_mtime
    except OSError:
        return time.time()


def load_taehv(path: Path, cfg: TAEHVConfig, device: torch.device, dtype: torch.dtype) -> TAEHVDecoder:
    """The decoder with the file's weights. The file holds TAEHV's encoder too (`encoder.…`, unused here); any other
    difference from the decoder's keys or shapes is one WeightsError naming it."""
    from safetensors import SafetensorError, safe_open

    from vcam.engine.taehv import TAEHVDecoder, published_names

    fix = _fix(path)
    unusable = _unusable(path)
    if unusable is not None:
        raise unusable
    names = published_names(cfg)
    decoder = TAEHVDecoder(cfg)
    expected = decoder.state_dict()
    try:
        with safe_open(str(path), framework="pt", device="cpu") as f:
            keys = set(f.keys())
            ours = {k for k in keys if not k.startswith("encoder.")}
            missing = sorted(set(names.values()) - ours)
            unexpected = sorted(ours - set(names.values()))
            if missing or unexpected:
                raise WeightsError(f"{path} is not TAEHV's Wan 2.1 decoder: " + _few("missing", missing)
                                   + ("; " if missing and unexpected else "") + _few("unexpected", unexpected), fix)
            # No trimming of time-grow weights here, unlike the reference loader's `patch_tgrow_layers`: that step
            # came with its `decoder_time_upscale` option (commit b1bab3a, "lower-resolution decoding") and cuts a
            # stride-2 layer's weight to the last frame's channels for a model built with that time upscaling
            # turned off. It is not for older files: the decoder's time strides have been (1, 2, 2) since the
            # repository's first commit (the Wan VAE's 4 frames a latent), every taew2_1 was loaded by the default
            # model as it is, and the pinned safetensors file (one blob since it was added in 0ad83bb) matches
            # these shapes. vcam always decodes at the full frame rate, so a shape that differs is a wrong file.
            state = {}
            for ours_name, theirs in names.items():
                t = f.get_tensor(theirs)
                if t.shape != expected[ours_name].shape:
                    raise WeightsError(f"{path}: {theirs} has shape {tuple(t.shape)}, the decoder expects "
                                       f"{tuple(expected[ours_name].shape)}", fix)
                state[ours_name] = t
    except SafetensorError as e:
        raise WeightsError(f"TAEHV weights {path} are damaged ({e})", fix) from None
    decoder.load_state_dict(state, strict=True)
    return decoder.to(device=device, dtype=dtype).eval()


def _few(what: str, names: list[str]) -> str:
    if not names:
        return ""
    return f"{len(names)} {what} keys ({few(names, 4)})"
