"""Whoever watches the show's state is told of its changes on a thread of its own (Controller.listeners).

A listener reads the state (Controller.snapshot: the status text, the presets, the tempo) and hands it on: to every
network client of vcam serve, to an OSC tablet. Changes come from the commands' threads (stdin, MIDI, OSC, the
network, the show file's watcher, a screen change waiting for its beat) and, in a replay, from the producer's and the
camera's threads, where a listener's read would hold up the next block or the next camera tick; a replayed fader's
sweep makes dozens of changes before one block. So a change only wakes this thread, which never makes its caller
wait:

- one round of the listeners at a time, each after the change that woke it: the last read is always of the newest
  state (two threads that each read and handed on a snapshot could hand on the older one last, and a client would
  mirror a screen mode that is gone);
- changes told during a round make one more round after it, not one each: a sweep costs one read per round, and
  clients keep only the newest state anyway.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from vcam.control.throttle import ErrorThrottle


class Teller:
    """Tells each of `listeners()` (the listeners as they are then: one added later is told too) after every change."""

    def __init__(self, listeners: Callable[[], list[Callable[[], None]]], say: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic):
        self.listeners = listeners
        self.say = say
        self.clock = clock
        self._wake = threading.Condition()
        self._due = False  # a change not yet told
        self._closed = False
        self._thread: threading.Thread | None = None
        self._errors = ErrorThrottle(30.0)  # a listener that fails on every change is said twice a minute at most

    def tell(self) -> None:
        """A change: the listeners are told after it, on the teller's thread (started on the first). Never waits
        for them."""
        if not self.listeners():
            return
        with self._wake:
            if self._closed:
                return
            self._due = True
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="state to listeners", daemon=True)
                self._thread.start()
            self._wake.notify()

    def close(self) -> None:
        """The show ends: no more rounds; the one running finishes."""
        with self._wake:
            self._closed = True
            self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._due and not self._closed:
                    self._wake.wait()
                if self._closed:
                    return
                self._due = False
            for listener in list(self.listeners()):
                try:
                    listener()
                except Exception as e:  # one listener that fails must not silence the others or later changes
                    line = self._errors.admit((getattr(listener, "__qualname__", "listener"),),
                                              f"the show's state could not be passed on ({e.__class__.__name__}: "
                                              f"{e}); it is passed on again at the next change", self.clock())
                    if line:
                        self.say(line)
