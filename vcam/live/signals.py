"""Ctrl-C and SIGTERM as a stop request, so that outputs are closed and recordings finalised on the way out; Ctrl-C
again to leave at once."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from collections.abc import Iterator


class StopSignals:
    """What the handlers saw: `first`, the signal that asked for the stop (None: the show ended otherwise)."""

    def __init__(self, stop: threading.Event):
        self.stop = stop
        self.first: int | None = None
        self._left = False

    def handle(self, sig: int, _frame) -> None:
        if sig == signal.SIGINT and self.stop.is_set():
            # Ctrl-C while the show is stopping (a second one, or one after --duration or `quit`): leave at once.
            # Once: more presses must not cut short the little that leaving at once still does.
            if not self._left:
                self._left = True
                raise KeyboardInterrupt
            return
        if self.first is None and not self.stop.is_set():
            self.first = sig
        self.stop.set()


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[StopSignals]:
    """While inside, SIGINT and SIGTERM set `stop`, and a SIGINT once `stop` is set raises KeyboardInterrupt in the
    main thread (only the main thread can install handlers; elsewhere nothing is installed)."""
    signals = StopSignals(stop)
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, signals.handle)
    try:
        yield signals
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
