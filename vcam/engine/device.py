"""The device a model runs on: making it the current one, telling when it is lost, bringing frames to the host."""
from __future__ import annotations

from contextlib import nullcontext

import numpy as np
import torch
from torch import Tensor


def on_device(device: torch.device):
    """Context in which `device` is the current CUDA device. Events and streams made without a device name the
    current one, which is cuda:0 in any thread that never set it; a model on cuda:1 needs its own there."""
    return torch.cuda.device(device) if device.type == "cuda" else nullcontext()


def device_unusable(device: torch.device) -> bool:
    """Whether `device`'s CUDA context is gone (after an illegal memory access or a device-side assert): every
    later CUDA call fails too, so retrying only repeats the error."""
    if device.type != "cuda":
        return False
    try:
        torch.cuda.synchronize(device)
    except Exception:  # noqa: BLE001 - whatever it raises, the context is gone
        return True
    return False


def to_host(frames: Tensor) -> np.ndarray:
    """`frames` as a host array. On CUDA through a pinned buffer, waited for with a blocking event: the calling
    thread sleeps until the copy is done instead of spinning a core that the pacer and outputs need."""
    if frames.device.type != "cuda":
        return frames.numpy()
    host = torch.empty(frames.shape, dtype=frames.dtype, pin_memory=True)
    host.copy_(frames, non_blocking=True)
    done = torch.cuda.Event(blocking=True)
    done.record()
    done.synchronize()
    return host.numpy()


def to_host_with_scalar(frames: Tensor, value: Tensor) -> tuple[np.ndarray, float]:
    """`frames` as a host array, and `value` (a 0-d tensor) read: on CUDA copied ahead of the frames and waited for
    by their event, so that reading it costs the block no sync of its own."""
    if frames.device.type == "cuda":
        host_value = torch.empty((), dtype=value.dtype, pin_memory=True)
        host_value.copy_(value, non_blocking=True)
        value = host_value
    return to_host(frames), float(value)


def ran_out_of_memory(error: BaseException) -> bool:
    """Whether `error` is the card running out of memory, which a smaller size or other programs closed cures."""
    return isinstance(error, torch.cuda.OutOfMemoryError)


def lost_with(device: torch.device, error: BaseException) -> bool:
    """Whether `error` left `device` unusable (running out of memory does not)."""
    return not ran_out_of_memory(error) and device_unusable(device)


def free_cached_memory(device: torch.device) -> None:
    """Hands the allocator's cached blocks back after a failed block, so the retry starts from a clean card."""
    if device.type == "cuda":
        with torch.cuda.device(device):
            torch.cuda.empty_cache()
