"""Where a stream's VAE work runs: on a second CUDA stream, so that it overlaps the next block's transformer work,
or in line with everything else (the caller's CUDA stream, or a CPU, where work runs as it is issued).

Tensors that cross between the lanes are handed over with `record_stream`, so the caching allocator does not reuse
their memory while the other lane may still read it.
"""
from __future__ import annotations

from contextlib import nullcontext

import torch
from torch import Tensor


def on_device(device: torch.device):
    """Context in which `device` is the current CUDA device. Streams, events and graph captures made without a
    device name the current one, which is cuda:0 in any thread that never set it; a model on cuda:1 needs its
    own there."""
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


class Lane:
    def __init__(self, device: torch.device, separate: bool):
        self.cuda = device.type == "cuda"
        self._stream = torch.cuda.Stream(device) if self.cuda and separate else None

    @property
    def separate(self) -> bool:
        return self._stream is not None

    def __call__(self):
        """Context in which work goes to this lane."""
        return torch.cuda.stream(self._stream) if self._stream is not None else nullcontext()

    def mark(self) -> "torch.cuda.Event | None":
        """A point in the current stream's work that another lane can wait for (None where work is in line)."""
        if not self.cuda:
            return None
        event = torch.cuda.Event()
        event.record()
        return event

    def wait(self, mark: "torch.cuda.Event | None") -> None:
        """The current stream waits (on the GPU, not the host) until `mark` has passed."""
        if mark is not None and self._stream is not None:
            torch.cuda.current_stream().wait_event(mark)

    def hand_over(self, tensor: Tensor) -> Tensor:
        """`tensor`, made on another lane, is used by the current stream from now on."""
        if self._stream is not None:
            tensor.record_stream(torch.cuda.current_stream())
        return tensor


class HostFrames:
    """Frames on their way to the host: a pinned buffer filled asynchronously on CUDA, or the array itself."""

    def __init__(self, frames: Tensor):
        if frames.device.type == "cuda":
            self._host = torch.empty(frames.shape, dtype=frames.dtype, pin_memory=True)
            self._host.copy_(frames, non_blocking=True)
            self._done = torch.cuda.Event(blocking=True)  # the generator thread sleeps, not spins, while it waits
            self._done.record()
        else:
            self._host, self._done = frames, None

    def numpy(self):
        """Waits for the copy (only this block's, not the GPU's other work) and returns the array."""
        if self._done is not None:
            self._done.synchronize()
        return self._host.numpy()
