"""Finding, checking and loading model weights: from the Hugging Face hub (its cache and progress bars) or a folder
(its layout and the checks of its files, which need no torch, are in engine/weight_files.py).
"""
from __future__ import annotations

import fnmatch
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn

from vcam.engine.configs import KREA_REPO, WAN_REPO, ModelSpec
from vcam.engine.weight_files import WeightPaths, check_files, layout, safetensors_problem
from vcam.errors import NoGPUError, WeightsError

CHECKPOINT_PREFIX = "model."
BF16_CAPABILITY = (8, 0)


# The Krea checkpoint (28.6 GB), Wan's text encoder (11.4 GB in bf16, 22.7 GB if its shards are float32 as one
# report says), tokenizer and VAE: the larger figure, since it sizes a disk.
HUB_DOWNLOAD_GB = 52


def from_hub(spec: ModelSpec, cache_dir: str | None = None) -> WeightPaths:
    """Finds the files of `spec` in the hub cache, or downloads what is missing with huggingface_hub's progress
    bars. A complete cache is used without asking the hub anything, so a show starts with no network; one that
    lacks a file or holds a partial one (a download cut short) is completed from the hub."""
    cached = _in_cache(spec, cache_dir)
    if cached is not None:
        return cached
    roots = {repo: _fetch(repo, patterns, cache_dir) for repo, patterns in spec.hub_files}
    paths = layout(roots[KREA_REPO], roots[WAN_REPO])
    check_files(paths)
    return paths


def _in_cache(spec: ModelSpec, cache_dir: str | None) -> WeightPaths | None:
    """The weights as the hub cache holds them, if every file is there and whole."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import LocalEntryNotFoundError

    try:
        roots = {repo: Path(snapshot_download(repo, allow_patterns=list(patterns), cache_dir=cache_dir,
                                              local_files_only=True)) for repo, patterns in spec.hub_files}
        paths = layout(roots[KREA_REPO], roots[WAN_REPO])
        check_files(paths)
    except (LocalEntryNotFoundError, WeightsError):
        return None
    return paths


def _missing(root: Path, patterns: tuple[str, ...]) -> list[str]:
    files = [str(f.relative_to(root)) for f in root.rglob("*") if f.is_file()]
    return [p for p in patterns if not any(fnmatch.fnmatch(f, p) for f in files)]


def _fetch(repo: str, patterns: tuple[str, ...], cache_dir: str | None) -> Path:
    from huggingface_hub import constants, snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    print(f"vcam: fetching {repo} ({', '.join(patterns)}) …", file=sys.stderr, flush=True)
    where = cache_dir or constants.HF_HUB_CACHE
    try:
        root = Path(snapshot_download(repo, allow_patterns=list(patterns), cache_dir=cache_dir))
    except LocalEntryNotFoundError as e:
        raise WeightsError(
            f"could not download {repo}, and it is not in the local hub cache ({e})",
            "check the network connection (or unset HF_HUB_OFFLINE), or download the files elsewhere "
            "and pass the folder with --weights DIR",
        ) from None
    except (HfHubHTTPError, OSError, RuntimeError, *_transport_errors()) as e:
        text = str(e) or e.__class__.__name__
        if "No space left" in text or "os error 28" in text or getattr(e, "errno", None) == 28:
            raise WeightsError(f"downloading {repo} failed: the disk holding {where} is full",
                               f"free space there (the weights take about {HUB_DOWNLOAD_GB} GB in all) or point "
                               "HF_HOME at a larger disk, then run again (finished files are kept)") from None
        status = getattr(getattr(e, "response", None), "status_code", None)
        if status in (401, 403):
            raise WeightsError(f"the hub refused {repo} ({status}): {(text.splitlines() or [''])[0]}",
                               "the repos are public, so a stale token is the likely cause: unset HF_TOKEN or log "
                               "in again with `hf auth login`, then run again") from None
        if isinstance(e, RuntimeError) and not isinstance(e, HfHubHTTPError):
            raise
        raise WeightsError(f"downloading {repo} failed: {text}",
                           "check the network, then run again (finished files are kept)") from None
    missing = _missing(root, patterns)
    if missing:
        raise WeightsError(f"{repo} in the hub cache lacks {', '.join(missing)}",
                           "run again with a network connection to complete the download")
    return root


def _transport_errors() -> tuple[type[BaseException], ...]:
    """Network failures as huggingface_hub's HTTP library raises them once its own retries of a dropped or stalled
    download are spent: httpx's (huggingface_hub 1.x) and httpx2's (2.x) are no OSErrors, as requests' (0.x) were."""
    kinds = []
    for name in ("httpx2", "httpx"):
        try:
            kinds.append(importlib.import_module(name).TransportError)
        except (ImportError, AttributeError):
            pass
    return tuple(kinds)


def load_checkpoint(model: nn.Module, path: Path, device: torch.device, dtype: torch.dtype,
                    progress: bool = True, report: Callable[[str], None] | None = None,
                    on_block: Callable[[nn.Module], None] | None = None) -> None:
    """Loads Krea's checkpoint (original Wan names, `model.` prefix) into `model`, which may live on `meta`.

    Tensors go straight from the file to `device`, one at a time, so peak memory is one copy of the model.
    With `on_block`, each transformer block is put in place as soon as its tensors are read and handed to
    `on_block` (which may shrink it, e.g. to FP8), so peak memory is the shrunk model plus one block.
    """
    from safetensors import SafetensorError, safe_open

    from vcam.engine.model import param_dtype

    why = safetensors_problem(path)
    if why:
        raise WeightsError(f"checkpoint {path} is unusable ({why})", "delete it and download it again")
    expected = {k: v for k, v in model.state_dict().items()}
    try:
        with safe_open(str(path), framework="pt", device="cpu" if device.type == "cpu" else str(device)) as f:
            names = {k.removeprefix(CHECKPOINT_PREFIX): k for k in f.keys()}
            missing = sorted(set(expected) - set(names))
            unexpected = sorted(set(names) - set(expected))
            if missing or unexpected:
                raise WeightsError(_mismatch_message(path, missing, unexpected),
                                   "use the krea-realtime-video-14b.safetensors file from " "krea/krea-realtime-video")
            keys = sorted(expected)  # each block's keys come together: "blocks.1." sorts before "blocks.10"
            bar = _progress(len(keys), f"loading {path.name}") if progress else None
            state = {}
            step = max(1, len(keys) // 20)
            current = None
            for i, k in enumerate(keys):
                block = _block_index(k) if on_block is not None else None
                if current is not None and block != current:
                    _place_block(model, current, state, on_block)
                current = block
                if report is not None and i % step == 0:
                    report(f"loading transformer {100 * i // len(keys)}%")
                t = f.get_tensor(names[k])
                if t.shape != expected[k].shape:
                    raise WeightsError(f"checkpoint {path}: {k} has shape {tuple(t.shape)}, "
                                       f"the model expects {tuple(expected[k].shape)}",
                                       "this checkpoint is for another model size; use krea-realtime-video-14b")
                state[k] = t.to(device=device, dtype=param_dtype(k, dtype))
                if bar:
                    bar.update(1)
            if current is not None:
                _place_block(model, current, state, on_block)
            if bar:
                bar.close()
    except SafetensorError as e:
        raise WeightsError(f"checkpoint {path} is damaged ({e})", "delete it and download it again") from None
    # Every key was checked against the model above; the blocks placed one by one are not in `state` any more.
    model.load_state_dict(state, strict=on_block is None, assign=True)


def _block_index(key: str) -> int | None:
    parts = key.split(".", 2)
    return int(parts[1]) if parts[0] == "blocks" and len(parts) == 3 and parts[1].isdigit() else None


def _place_block(model: nn.Module, index: int, state: dict, on_block: Callable[[nn.Module], None]) -> None:
    prefix = f"blocks.{index}."
    own = {k.removeprefix(prefix): state.pop(k) for k in [k for k in state if k.startswith(prefix)]}
    block = model.blocks[index]
    block.load_state_dict(own, strict=True, assign=True)
    on_block(block)


def _mismatch_message(path: Path, missing: list[str], unexpected: list[str]) -> str:
    def few(names: list[str]) -> str:
        more = f", … {len(names) - 5} more" if len(names) > 5 else ""
        return ", ".join(names[:5]) + more

    parts = [f"checkpoint {path} does not match the model:"]
    if missing:
        parts.append(f"{len(missing)} missing keys ({few(missing)})")
    if unexpected:
        parts.append(f"{len(unexpected)} unexpected keys ({few(unexpected)})")
    return " ".join(parts)


def _progress(total: int, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="tensor", file=sys.stderr, disable=None)


def check_cuda(spec: ModelSpec) -> torch.device:
    """The CUDA device to run `spec` on, or NoGPUError with what to do."""
    if not torch.cuda.is_available():
        build = "a CPU-only build of PyTorch" if torch.version.cuda is None else "no usable CUDA GPU"
        raise NoGPUError(
            f"{spec.name} needs a CUDA GPU, and this machine has {build}",
            "run with --model tiny to try vcam without a GPU, or install a CUDA build of PyTorch "
            "on a machine with an NVIDIA GPU (see README)",
        )
    if torch.version.hip is None and (cap := torch.cuda.get_device_capability()) < BF16_CAPABILITY:
        # bf16 matrices (the model's precision) need Ampere's tensor cores; older cards emulate or refuse them, and
        # compiling and the fused attention kernels give out there too
        raise NoGPUError(
            f"{spec.name} runs in bfloat16, which needs an NVIDIA GPU of compute capability "
            f"{'.'.join(map(str, BF16_CAPABILITY))} or newer (Ampere or later); this {torch.cuda.get_device_name()} "
            f"has {cap[0]}.{cap[1]}",
            "use a newer card (\"Choosing a GPU\" in BENCHMARKS.md lists cards and their rates), or --model tiny to "
            "try vcam out on this one",
        )
    return torch.device("cuda")
