"""An in-memory virtual camera backend for pyvirtualcam: records what a real device would receive."""
from __future__ import annotations

import threading
import time

import numpy as np
from pyvirtualcam.util import decode_fourcc


class MemoryCamera:
    """pyvirtualcam backend: __init__(width, height, fps, fourcc, device), send, close, device, native_fourcc."""

    opened: list["MemoryCamera"] = []
    native = None  # fourcc string the backend says it uses natively (None: whatever it is given)
    lock = threading.Lock()

    def __init__(self, *, width, height, fps, fourcc, device, **kw):
        if device is not None and not str(device).startswith("mem"):
            raise RuntimeError(f"no memory camera named {device}")
        self.width, self.height, self.fps = width, height, fps
        self.fourcc = decode_fourcc(fourcc)
        self._device = device or "mem0"
        self.frames: list[np.ndarray] = []
        self.times: list[float] = []
        self.closed = False
        with MemoryCamera.lock:
            MemoryCamera.opened.append(self)

    def send(self, frame: np.ndarray) -> None:
        self.frames.append(frame.copy())
        self.times.append(time.monotonic())

    def close(self) -> None:
        self.closed = True

    def device(self) -> str:
        return self._device

    def native_fourcc(self):
        from pyvirtualcam.util import encode_fourcc

        return encode_fourcc(self.native) if self.native else None


def install(native: str | None = None):
    import pyvirtualcam

    MemoryCamera.opened = []
    MemoryCamera.native = native
    pyvirtualcam.register_backend("memory", MemoryCamera)
    return MemoryCamera


def uninstall():
    from pyvirtualcam.camera import BACKENDS

    BACKENDS.pop("memory", None)
