"""The live status line on stderr: rewritten in place on a terminal, a periodic log line otherwise."""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Sequence
from typing import TextIO


def terminal_columns(out: TextIO) -> int | None:
    """The width of the terminal `out` writes to; None where it cannot say."""
    try:
        return os.get_terminal_size(out.fileno()).columns or None
    except (AttributeError, OSError, ValueError):  # no descriptor (a StringIO), or not a terminal after all
        return None


def fit_line(text: str, columns: int | None) -> str:
    """`text` cut to fit a terminal row of `columns`, leaving its last column free: a line that wraps puts the
    carriage return of the next update on the second row, so the first stays on screen and the terminal fills with
    copies of the status line, one per update."""
    if columns is None or len(text) < columns:
        return text
    return text[:max(1, columns - 2)] + "…"


class StatusLine:
    def __init__(self, out: TextIO = sys.stderr, log_every: float = 10.0, clock=time.monotonic,
                 columns: Callable[[], int | None] | None = None):
        """`columns`: the terminal's width now (default: asked of `out` at each update, so a resized terminal
        is followed)."""
        self.out = out
        self.tty = hasattr(out, "isatty") and out.isatty()
        self.log_every = log_every
        self.clock = clock
        self._columns = columns or (lambda: terminal_columns(out))
        self._last_log = -1e9
        self._width = 0
        self._lock = threading.Lock()

    def update(self, text: str) -> None:
        with self._lock:
            if self.tty:
                columns = self._columns()
                text = fit_line(text, columns)
                # what is left of the last line, as far as this row still reaches on a terminal made narrower
                pad = max(0, min(self._width, columns - 1 if columns else self._width) - len(text))
                self.out.write("\r" + text + " " * pad)
                self._width = len(text)
                self.out.flush()
            elif self.clock() - self._last_log >= self.log_every:
                self._last_log = self.clock()
                self.out.write(text + "\n")
                self.out.flush()

    def message(self, text: str) -> None:
        """A line of its own (a warning, an event), above the status line."""
        with self._lock:
            if self.tty and self._width:
                self.out.write("\r" + " " * self._width + "\r")
                self._width = 0
            self.out.write(f"vcam: {text}\n")
            self.out.flush()

    def end(self) -> None:
        with self._lock:
            if self.tty and self._width:
                self.out.write("\n")
                self.out.flush()
                self._width = 0


def format_status(gen_fps: float, out_fps: float, buffered: float, latency: float,
                  vram_gb: tuple[float, float] | None, preset: str | None, state: str,
                  failed: Sequence[str] = (), lost: int = 0) -> str:
    """`vram_gb`: (used, total) of the card, every process counted: what an operator needs to see coming.
    `failed`: outputs that stopped while the show goes on, kept in view until the end. `lost`: generated frames
    that never came on screen (dropped past the latency cap, or passed over), shown once there is one."""
    vram = f"{vram_gb[0]:.1f}/{vram_gb[1]:.0f} GiB" if vram_gb is not None else "-"
    parts = [
        f"{state}",
        *([f"FAILED {', '.join(failed)}"] if failed else []),
        f"gen {gen_fps:5.1f} fps",
        f"out {out_fps:5.1f} fps",
        f"buffer {buffered:4.0f}",
        f"latency {latency:4.1f} s",
        *([f"lost {lost}"] if lost else []),
        f"VRAM {vram}",
        f"preset {preset or '-'}",
    ]
    return " | ".join(parts)


class TickCounter:
    """Counts the frames emitted and measures the output frame rate over the last 60 of them (the pacer numbers
    the ticks themselves)."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.count = 0
        self._window: list[float] = []

    def next(self) -> int:
        self._window.append(self.clock())
        if len(self._window) > 60:
            self._window.pop(0)
        self.count += 1
        return self.count - 1

    def fps(self) -> float:
        w = self._window
        return (len(w) - 1) / (w[-1] - w[0]) if len(w) > 1 and w[-1] > w[0] else 0.0
