"""Ctrl-C and SIGTERM as a stop request, so that outputs are closed and recordings finalised on the way out."""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


@contextmanager
def stop_on_signals(stop: threading.Event):
    """While inside, SIGINT and SIGTERM set `stop` (only the main thread can install handlers)."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
