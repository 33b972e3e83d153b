"""Loading model weights into the model, and the card they need. Finding them in the Hugging Face hub's cache or
fetching them is engine/hub.py; a folder's layout and the checks of its files, which need no torch, are in
engine/weight_files.py.
"""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

import torch
from torch import nn

from vcam.engine.configs import WAN_REPO, ModelSpec
from vcam.engine.weight_files import link_named, safetensors_problem, weights_in
from vcam.errors import NoGPUError, WeightsError
from vcam.progress import ByteProgress
from vcam.words import few

CHECKPOINT_PREFIX = "model."
# The one file diffusers reads from a model's folder that has no shard index.
DIFFUSERS_FILE = "diffusion_pytorch_model.safetensors"
DAMAGED_FIX = ("delete it (in the hub cache, both sides of each `->`) and run `vcam download` again, or copy a whole "
               "one over it")
BF16_CAPABILITY = (8, 0)


def load_checkpoint(model: nn.Module, path: Path, device: torch.device, dtype: torch.dtype,
                    progress: bool = True, report: Callable[[str], None] | None = None,
                    on_block: Callable[[nn.Module], None] | None = None, out: TextIO | None = None,
                    mismatch_fix: str | None = None) -> None:
    """Loads Krea's checkpoint (original Wan names, `model.` prefix) into `model`, which may live on `meta`.
    `mismatch_fix`: what to do about a checkpoint whose names or shapes are not the model's, where that is not to
    use Krea's own file (a model it does not fit).

    Tensors go straight from the file to `device`, one at a time, so peak memory is one copy of the model.
    With `on_block`, each transformer block is put in place as soon as its tensors are read and handed to
    `on_block` (which may shrink it, e.g. to FP8), so peak memory is the shrunk model plus one block.
    With `progress`, the gigabytes read so far go to `out` (stderr): reading 28.6 GB takes minutes, and a log
    gets a line every few seconds meanwhile.
    """
    from safetensors import SafetensorError, safe_open

    from vcam.engine.model import param_dtype

    why = safetensors_problem(path)
    if why:
        raise WeightsError(f"checkpoint {link_named(path, why)} is damaged ({why})", DAMAGED_FIX)
    expected = {k: v for k, v in model.state_dict().items()}
    try:
        with safe_open(str(path), framework="pt", device="cpu" if device.type == "cpu" else str(device)) as f:
            names = {k.removeprefix(CHECKPOINT_PREFIX): k for k in f.keys()}
            missing = sorted(set(expected) - set(names))
            unexpected = sorted(set(names) - set(expected))
            if missing or unexpected:
                raise WeightsError(_mismatch_message(path, missing, unexpected),
                                   mismatch_fix or "use the krea-realtime-video-14b.safetensors file from "
                                   "krea/krea-realtime-video")
            keys = sorted(expected)  # each block's keys come together: "blocks.1." sorts before "blocks.10"
            bar = ByteProgress(f"loading {path.name}", path.stat().st_size, out or sys.stderr) if progress else None
            read = 0
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
                                       mismatch_fix or "this checkpoint is for another model size; use "
                                       "krea-realtime-video-14b")
                state[k] = t.to(device=device, dtype=param_dtype(k, dtype))
                read += t.nbytes
                if bar:
                    bar.update(read)
            if current is not None:
                _place_block(model, current, state, on_block)
            if bar:
                bar.update(bar.total)  # the file's header is counted in its size, never in a tensor
                bar.done()
    except (SafetensorError, OSError) as e:  # a file cut short or changed under us while it is read
        # looked at again: one cut short since is named as such (its store file, which the hub fetches again itself,
        # left out), and one damaged at its full size with the store file too
        why = safetensors_problem(path)
        raise WeightsError(f"checkpoint {link_named(path, why or '')} is damaged ({why or e})", DAMAGED_FIX) from None
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
    parts = [f"checkpoint {path} does not match the model:"]
    if missing:
        parts.append(f"{len(missing)} missing keys ({few(missing, 5)})")
    if unexpected:
        parts.append(f"{len(unexpected)} unexpected keys ({few(unexpected, 5)})")
    return " ".join(parts)


def check_part(folder: Path, model: nn.Module) -> None:
    """Raises WeightsError where the weights in `folder` (a VAE's) lack tensors `model` (built from the folder's
    config.json, on `meta`) has, or hold them in other shapes: diffusers would leave a missing one on `meta`, to fail
    as the VAE moves to its device with "Cannot copy out of meta tensor", and says a shape with a ValueError."""
    from safetensors import safe_open

    found = {}
    for file in _read_by_library(folder):
        with safe_open(str(file), framework="pt") as f:
            found.update((k, tuple(f.get_slice(k).get_shape())) for k in f.keys())
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    missing = sorted(set(expected) - set(found))
    other = sorted((k, found[k], expected[k]) for k in set(expected) & set(found) if found[k] != expected[k])
    if missing or other:
        raise part_mismatch(folder, missing, other)


def _read_by_library(folder: Path) -> list[Path]:
    """The files diffusers reads: the shards its index names, else its one file by name where it is there; another
    .safetensors kept beside it (a VAE of another model) is never read, so it cannot be what does not fit."""
    single = folder / DIFFUSERS_FILE
    if single.is_file() and not any(folder.glob("*.safetensors.index.json")):
        return [single]
    return weights_in(folder)


def part_mismatch(folder: Path, missing: list[str], other: list[tuple | str]) -> WeightsError:
    """The weights of a text encoder or VAE folder that do not fit its config.json (a shard of another model, a
    config of another size), which would otherwise load as random weights or stop with the library's error. `other`
    holds (name, shape in the file, shape in the model), or the name alone as transformers before 5 gives it."""
    parts = [f"{folder.name} weights in {folder} do not match its config.json:"]
    if missing:
        parts.append(f"{len(missing)} missing ({few(missing, 5)})")
    if other:
        parts.append(f"{len(other)} of another shape ({few([_shapes(entry) for entry in other], 2)})")
    return WeightsError(" ".join(parts),
                        f"its files come from another model or from two downloads: put the {folder.name}/ folder of "
                        f"{WAN_REPO} in its place whole, config.json and weights together (in the hub cache: delete "
                        "its files and the entries of the repo's blobs/ folder they link to, then run `vcam download` "
                        "again)")


def with_shapes(folder: Path, other: list[tuple | str], model: nn.Module) -> list[tuple | str]:
    """`other` with each weight transformers before 5 names alone (4.56 gives no shapes) given its shape in the
    folder's files and in `model` (loaded at its config's sizes), so that the operator sees which size differs."""
    from safetensors import safe_open

    names = {entry for entry in other if isinstance(entry, str)}
    if not names:
        return other
    found = {}
    for file in weights_in(folder):
        with safe_open(str(file), framework="pt") as f:
            found.update((k, tuple(f.get_slice(k).get_shape())) for k in names & set(f.keys()))
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items() if k in names}
    return [(entry, found[entry], expected[entry]) if entry in found and entry in expected else entry
            for entry in other]


def _shapes(entry: tuple | str) -> str:
    if isinstance(entry, str):
        return entry
    name, got, want = entry
    return f"{name}: {tuple(got)} in the file, {tuple(want)} in the model"


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
