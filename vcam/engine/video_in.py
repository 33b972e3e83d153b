"""A stream's video input on the engine's side: what a frame source is, numpy arrays as sources, and the check and
conversion of the frames a source gives.

A frame source is any object with `frames(start, count) -> uint8 [count, H, W, 3]`, already fitted to the stream's
size, for a block whose input begins at frame `start` of the source (the frames the stream has taken from it since
it was set); optionally `status() -> str | None` for the status line, `close()`, and `restart()`, which a live
source has: called where the stream's input encoder starts fresh, so that the block's frames are spread over what
arrives from then on, not over the minutes of a model load or of blocks at strength 1.0 that took none. The live
side's camera, clip, image and upload sources (vcam.live.inputs) are such objects; `ArrayClip` makes one of a numpy
array.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np
import torch
from torch import Tensor

from vcam.inspec import INPUT_FITS


@runtime_checkable
class FrameSource(Protocol):
    def frames(self, start: int, count: int) -> np.ndarray: ...


class ArrayClip:
    """A numpy clip [n, h, w, 3] (looped: frame i of a request is frame (start + i) mod n, so a replay gets the same
    frames) or image [h, w, 3] (every frame), uint8 RGB of any size, fitted once to width×height."""

    def __init__(self, frames: np.ndarray, width: int, height: int, fit: str = "crop"):
        from vcam.live.frames import fit as fit_frame  # numpy and cv2 only

        if fit not in INPUT_FITS:
            raise ValueError(f"unknown fit {fit!r}: use {', '.join(INPUT_FITS)}")
        if not isinstance(frames, np.ndarray) or frames.ndim not in (3, 4) or frames.shape[-1] != 3 \
                or 0 in frames.shape:
            shape = getattr(frames, "shape", None)
            raise ValueError(f"input frames must be a numpy array [n, h, w, 3] (a clip) or [h, w, 3] (an image) of "
                             f"RGB, not {type(frames).__name__} of shape {shape}")
        if frames.dtype != np.uint8:
            raise ValueError(f"input frames must be uint8 RGB (0..255), not {frames.dtype}: "
                             "scale them to 0..255 and convert with .astype(np.uint8)")
        clip = frames[None] if frames.ndim == 3 else frames
        self._frames = np.stack([fit_frame(np.ascontiguousarray(f), width, height, fit) for f in clip])

    def __len__(self) -> int:
        return len(self._frames)

    def frames(self, start: int, count: int) -> np.ndarray:
        return self._frames[(start + np.arange(count)) % len(self._frames)]


def as_source(value, width: int, height: int, fit: str = "crop") -> FrameSource | None:
    """What `Stream.set_input` was given as a frame source: None (text only), a source as it is, or a numpy array
    as an ArrayClip."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return ArrayClip(value, width, height, fit)
    if not callable(getattr(value, "frames", None)):
        raise TypeError("an input is None (text only), a numpy array of uint8 RGB frames [n, h, w, 3] or an image "
                        f"[h, w, 3], or a frame source with frames(start, count); not {type(value).__name__}")
    return value


def check_frames(frames, count: int, width: int, height: int) -> None:
    """ValueError unless `frames` is what the stream asked of its source: uint8 [count, height, width, 3]."""
    shape = getattr(frames, "shape", None)
    if not isinstance(frames, np.ndarray) or len(shape) != 4 or shape[-1] != 3:
        raise ValueError(f"the input source gave {type(frames).__name__} of shape {shape}, not RGB frames "
                         f"[{count}, {height}, {width}, 3]")
    if shape[1:3] != (height, width):
        raise ValueError(f"the input source gave {shape[2]}x{shape[1]} frames for the stream's {width}x{height}: it "
                         f"must fit its frames to the stream's size (vcam.live.frames.fit)")
    if shape[0] != count:
        raise ValueError(f"the input source gave {shape[0]} frames where the stream asked for {count}")
    if frames.dtype != np.uint8:
        raise ValueError(f"the input source gave {frames.dtype} frames, not uint8 RGB")


def to_rgb(frames: np.ndarray, device: torch.device) -> Tensor:
    """uint8 frames [n, H, W, 3] as the VAE's video [1, 3, n, H, W] in [-1, 1], converted on `device` (a quarter of
    the bytes cross to it)."""
    frames = np.ascontiguousarray(frames)
    if not frames.flags.writeable:  # e.g. np.frombuffer over received bytes: torch warns on the operator's terminal
        frames = frames.copy()
    x = torch.from_numpy(frames).to(device)
    return (x.permute(3, 0, 1, 2)[None].float() / 127.5 - 1.0)
