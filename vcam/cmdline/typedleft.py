"""What was typed at the terminal once the show stopped taking commands: the console stops reading at its first line
after "stopping", so the lines after it, and a line half typed, were left on the terminal, and the shell that started
vcam ran them as shell commands once vcam had exited (a half-typed `rm …` finished there and ran). Only after a show:
what is typed ahead of a vcam that fails before any show is the shell's, as it always was."""
from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable
from types import ModuleType
from typing import TextIO

# the console's own test, so that the two never disagree on whether the terminal is read in the foreground
from vcam.control.console import _in_foreground

# What the lines read but not acted on are told: the console's own reply says the show stopped taking commands
NOT_ACTED_ON = ("{count} typed after the show stopped taking commands {were} not acted on, and not passed on to the "
                "shell either")
HALF_TYPED = "a half-typed line"


def drop_typed_after_stop(stdin: TextIO | None = None, say: Callable[[str], None] | None = None) -> tuple[int, bool]:
    """Drops what waits to be read on the terminal that is stdin (nothing where stdin is no terminal: a pipe's lines
    belong to no shell), the line still being typed included, saying so in one line; how many whole lines it held,
    and whether a half-typed one followed. Only in the foreground: a background job that reads or flushes its
    controlling terminal is stopped by the kernel."""
    stdin = sys.stdin if stdin is None else stdin
    say = say or (lambda text: print(f"vcam: {text}", file=sys.stderr))
    try:
        import termios
    except ImportError:  # a system without POSIX terminals (Windows): its console keeps what is typed
        return 0, False
    try:
        fd = stdin.fileno()
        if not os.isatty(fd) or not _in_foreground(fd):
            return 0, False
        pending = _pending(fd, termios)
    except (AttributeError, OSError, ValueError, termios.error):  # stdin closed or gone, or hung up as it was read
        return 0, False
    *whole, last = pending.split(b"\n")
    count = sum(1 for line in whole if line.strip())
    half = bool(last.strip())
    if count:
        one = count == 1
        said = NOT_ACTED_ON.format(count="1 line" if one else f"{count} lines", were="was" if one else "were")
        say(said + f", nor was {HALF_TYPED} after {'it' if one else 'them'} (it did not run)" * half)
    elif half:
        say(f"{HALF_TYPED}, typed after the show stopped taking commands, was not passed on to the shell: it did not "
            "run")
    return count, half


def _pending(fd: int, termios: ModuleType) -> bytes:
    """What waits on the terminal `fd`, a line not yet ended included: the terminal holds such a line back from a
    read until its Enter, so it is read with the line editing off for that instant, then the terminal is put back
    as it was."""
    before = termios.tcgetattr(fd)
    raw = list(before)
    raw[3] &= ~termios.ICANON
    raw[6] = list(raw[6])
    raw[6][termios.VMIN], raw[6][termios.VTIME] = 0, 0
    pending = b""
    termios.tcsetattr(fd, termios.TCSANOW, raw)
    try:
        while select.select([fd], [], [], 0)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            pending += chunk
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, before)
        termios.tcflush(fd, termios.TCIFLUSH)  # and whatever came in between
    return pending

