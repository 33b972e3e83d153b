"""Small tools shared by the tests that drive a running show."""
from __future__ import annotations

import os
import threading
import time


class Pipe:
    """Typed commands for an in-process run or client (the read end stands in for stdin)."""

    def __init__(self):
        r, w = os.pipe()
        self.reader, self.writer = os.fdopen(r, "rb"), os.fdopen(w, "wb")

    def send(self, line: str) -> None:
        self.writer.write((line + "\n").encode())
        self.writer.flush()


def in_thread(fn, *args):
    """Runs fn(*args) in a thread; returns the thread and a list that collects its exception, if any."""
    errors: list[Exception] = []

    def target():
        try:
            fn(*args)
        except Exception as e:  # surfaced by the test
            errors.append(e)

    t = threading.Thread(target=target)
    t.start()
    return t, errors


def wait_for(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def write_clip(path, count: int = 20, size: tuple[int, int] = (64, 48), levels=None, fps: float = 10) -> str:
    """An MJPEG clip whose frame i is a flat grey, 10·i by default (MJPEG decodes it back within a few levels)."""
    import cv2
    import numpy as np

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, size)
    assert writer.isOpened()
    for i in range(count):
        level = levels[i % len(levels)] if levels else 10 * i
        writer.write(np.full((size[1], size[0], 3), level, dtype=np.uint8))
    writer.release()
    return str(path)
