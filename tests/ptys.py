"""A pseudo-terminal that commands are typed on, as an operator's: stdin reads it and a stream writes to it."""
from __future__ import annotations

import contextlib
import os
import select
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TextIO

import pytest


@dataclass
class TypedOnPty:
    """`leader`: the terminal's side of it, where what is shown is read; `out`: a stream to its screen; `resize`:
    sets its rows (its columns kept)."""

    leader: int
    out: TextIO
    resize: Callable[[int], None]

    def line_shown(self, timeout_s: float = 60.0) -> bytes:
        """What the terminal shows up to the end of the next line (the pty's line discipline gives `\\r\\n`); a
        line that never ends fails the test after `timeout_s` rather than hanging it."""
        self.out.flush()
        shown = b""
        while not shown.endswith(b"\n"):
            readable, _, _ = select.select([self.leader], [], [], timeout_s)
            if not readable:
                pytest.fail(f"no end of line shown on the terminal in {timeout_s:.0f} s, only {shown!r}")
            shown += os.read(self.leader, 4096)
        return shown


@contextlib.contextmanager
def typed_on_pty(monkeypatch: pytest.MonkeyPatch, rows: int = 24, columns: int = 80) -> Iterator[TypedOnPty]:
    """A pseudo-terminal `columns` x `rows` that is stdin and `out` both, TERM one that takes VT100 escapes; every
    end of it closed after."""
    if sys.platform == "win32":
        pytest.skip("no pseudo-terminals")
    import fcntl
    import struct
    import termios

    leader, follower = os.openpty()

    def resize(rows: int) -> None:
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))

    out = stdin = None
    try:
        resize(rows)
        out = os.fdopen(follower, "w", encoding="utf-8")
        stdin = os.fdopen(os.dup(follower), "r", encoding="utf-8")
        monkeypatch.setenv("TERM", "xterm-256color")
        monkeypatch.setattr(sys, "stdin", stdin)
        yield TypedOnPty(leader, out, resize)
    finally:
        # each end closed, a setup that raised half way included
        if stdin is not None:
            stdin.close()
        if out is not None:
            out.close()
        else:
            os.close(follower)
        os.close(leader)
