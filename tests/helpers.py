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
