"""How long `vcam cam` goes without a block from the server before it reads the stream as stalled: the usual gap
between the blocks it gets, learned from them, times STALL_GAPS, and never under the pacer's own wait (5 s). `vcam
serve` learns its own the same way, from the blocks it publishes, and tells a camera as it connects (protocol.py:
"block_s"), so that the first gap is waited for too.

A server that makes a block every 12 s (`vcam serve --fps 1`, a card slower than the stream) read STALLED, and said
that its frames stopped, between each of its blocks; one whose blocks come every second still reads it after 5 s.
"""
from __future__ import annotations

import threading
from collections import deque

GAPS_KEPT = 5  # the last gaps between blocks the usual one is read from
STALL_GAPS = 2.0  # this many usual gaps without a block is a stall
# The most it waits, however slow the blocks came: a server whose blocks come a minute apart is a stalled one
MOST_S = 60.0


class BlockGaps:
    """The gaps between the blocks received on a connection; the gap spanning a drop is none of them (a server that
    restarts loads its model for minutes before its first block)."""

    def __init__(self, least_s: float):
        self.least_s = least_s
        self._gaps: deque[float] = deque(maxlen=GAPS_KEPT)
        self._last: float | None = None
        self._lock = threading.Lock()  # on vcam serve, blocks come on the show's thread, a camera asks on its own

    def block(self, now: float) -> None:
        """A block came at `now`."""
        with self._lock:
            if self._last is not None:
                self._gaps.append(now - self._last)
            self._last = now

    def told(self, gap: float) -> None:
        """The server's own usual gap, told as the connection opened: taken as one gap seen."""
        if 0.0 < gap < float("inf"):
            with self._lock:
                self._gaps.append(gap)

    def ended(self) -> None:
        """The connection ended: the next block begins no gap. The gaps learned stay: most often the same server
        comes back, at the same pace."""
        self._last = None

    def usual(self) -> float | None:
        """The usual gap: the middle one of the last few (the shorter of the middle two), so that stalls among them
        (a gap of a minute, then blocks every second again) do not make the next one wait as long until they are
        most of the gaps; the only one where one is known. The second longest was taken before: two stalls a few
        blocks apart made it, and the third was read only after twice their length."""
        with self._lock:
            gaps = sorted(self._gaps)
        return gaps[(len(gaps) - 1) // 2] if gaps else None

    def stall_after(self) -> float:
        """Seconds without a block after which the stream reads as stalled."""
        usual = self.usual()
        return self.least_s if usual is None else min(MOST_S, max(self.least_s, STALL_GAPS * usual))
