"""Typed commands on stdin (a terminal or a pipe): `echo "preset 2" | vcam run show.yaml` works too.

The reader thread is a daemon: a blocking read cannot be interrupted, and the end of input does not end the
show; stopping vcam simply leaves the thread behind.
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from typing import BinaryIO


class Console:
    def __init__(self, handle_line: Callable[[str, str], str | None], reply: Callable[[str], None],
                 source: BinaryIO | None = None):
        self.handle_line = handle_line
        self.reply = reply
        self.source = source if source is not None else sys.stdin.buffer
        self.lines = 0
        self._thread = threading.Thread(target=self._run, name="console", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            for raw in self.source:
                self.lines += 1
                answer = self.handle_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"), "stdin")
                if answer:
                    self.reply(answer)
        except (OSError, ValueError):
            return  # stdin closed under us: the show goes on without it
