"""A bounded hand-over between threads where the sender never waits: when full, the oldest item goes."""
from __future__ import annotations

import threading
from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")


class Mailbox(Generic[T]):
    def __init__(self, size: int):
        self._items: deque[T] = deque(maxlen=size)
        self._cond = threading.Condition()
        self._closed = False
        self._drain = True
        self.dropped = 0

    def put(self, item: T) -> None:
        with self._cond:
            if len(self._items) == self._items.maxlen:
                self.dropped += 1
            self._items.append(item)
            self._cond.notify()

    def __len__(self) -> int:
        """The items waiting now."""
        with self._cond:
            return len(self._items)

    def get(self) -> T | None:
        """The next item, waiting for one; None once closed (after the rest, if closed with drain)."""
        with self._cond:
            while not self._items and not self._closed:
                self._cond.wait()
            if self._items and (self._drain or not self._closed):
                return self._items.popleft()
            return None

    def clear(self) -> int:
        """Throws away every waiting item (not counted in `dropped`); returns how many there were."""
        with self._cond:
            n = len(self._items)
            self._items.clear()
            return n

    def close(self, drain: bool = True) -> int:
        """No more items: `get` hands out those waiting (with `drain`), then None. Returns how many waiting items
        will never be handed out (0 with `drain`)."""
        with self._cond:
            self._closed = True
            self._drain = drain
            self._cond.notify_all()
            return 0 if drain else len(self._items)
