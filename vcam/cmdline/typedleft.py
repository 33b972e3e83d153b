"""What was typed at the terminal once the show stopped taking commands: the console stops reading at its first line
after "stopping", so the lines after it were left on the terminal, and the shell that started vcam ran them as
shell commands once vcam had exited (`preset 2` answered "command not found", a `quit` typed twice ran as `quit`)."""
from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable
from typing import TextIO

# What a line read but not acted on is told: the console's own reply says the show stopped taking commands
NOT_ACTED_ON = ("{count} typed after the show stopped taking commands {were} not acted on, and not passed on to the "
                "shell either")


def drop_typed_after_stop(stdin: TextIO | None = None, say: Callable[[str], None] | None = None) -> int:
    """Drops what waits to be read on the terminal that is stdin (nothing where stdin is no terminal: a pipe's lines
    belong to no shell), saying how many whole lines it held; their count. Only in the foreground: a background
    job that reads or flushes its controlling terminal is stopped by the kernel."""
    stdin = sys.stdin if stdin is None else stdin
    say = say or (lambda text: print(f"vcam: {text}", file=sys.stderr))
    try:
        fd = stdin.fileno()
        if not os.isatty(fd) or not _in_foreground(fd):
            return 0
        import termios

        pending = b""
        while select.select([fd], [], [], 0)[0]:  # whole lines only: the terminal holds a partial one back
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            pending += chunk
        termios.tcflush(fd, termios.TCIFLUSH)  # and the partial line typed last
    except (AttributeError, ImportError, OSError, ValueError):  # stdin closed or gone, a system without termios
        return 0
    count = sum(1 for line in pending.splitlines() if line.strip())
    if count:
        said = "1 line" if count == 1 else f"{count} lines"
        say(NOT_ACTED_ON.format(count=said, were="was" if count == 1 else "were"))
    return count


def _in_foreground(fd: int) -> bool:
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:  # not this process's controlling terminal: no job control stops a read of it
        return True
