"""How far the server's clock is from this camera's, learned from ping and pong: what a frame's stamp (the server's
clock) is read against for the latency the status line shows, and what an upload's capture time is told in.

Apart from the link because it is arithmetic on samples: each pong bounds the offset to within half its round trip,
so the sample of the shortest round trip among the last few is the best (one ping that waited behind an upload's
frame was the estimate until the next connection, up to its whole delay off). Both ends stamp with their monotonic
clock (time.monotonic()), which no NTP correction, time zone or DST change steps; a server of an older vcam stamps
with its wall clock, whose step makes the next quick pong disagree with the samples before it: they are dropped, and
the estimate is right again from that pong on.
"""
from __future__ import annotations

import collections
import math
import time

SAMPLES = 6  # pongs kept: the last minute's at the link's PING_EVERY_S
STAMP_SLACK_S = 0.001  # the stamps' own rounding, on a clock finer than that


def monotonic_tick() -> float:
    """The step of this machine's monotonic clock: 15.6 ms on Windows, where a pong's trip reads 0 or a whole tick
    and its stamps are off by up to one, a nanosecond elsewhere."""
    return time.get_clock_info("monotonic").resolution


class ClockOffset:
    """The server's clock minus this camera's clock, from the pongs of one connection."""

    def __init__(self, samples: int = SAMPLES, tick: float | None = None):
        """`tick`: the clocks' step (default: this machine's monotonic clock's; the server's is taken to be no
        coarser, as it most often runs the same system)."""
        self.offset = 0.0
        tick = monotonic_tick() if tick is None else tick
        # Read on a clock of ticks, two pongs of the same clocks read offsets up to a tick apart beyond their half
        # trips (a trip read short makes up for the rest of its stamps' rounding): pongs a tick apart, the quick
        # ones on Windows most of all, read as another clock and dropped each other, the offset only the last one's
        self._slack = STAMP_SLACK_S + max(0.0, tick)
        self._samples: collections.deque[tuple[float, float]] = collections.deque(maxlen=samples)  # (trip, offset)

    @property
    def known(self) -> bool:
        """Whether this connection's server has answered a ping: until then the offset is another server's, maybe
        one that counts its monotonic clock from another boot, days apart."""
        return bool(self._samples)

    def restart(self) -> None:
        """A new connection: a server restarted (or another one) counts from another start."""
        self._samples.clear()

    def pong(self, sent: float, server: float, now: float) -> None:
        """A pong to the ping sent at `sent`, stamped `server` by the server, come at `now` (this camera's clock)."""
        trip = now - sent
        if not (math.isfinite(trip) and math.isfinite(server)) or trip < 0:  # a ping of another clock: unusable
            return
        sample = (trip, server - (sent + now) / 2)
        # Those that cannot read the clocks this one reads go: a clock stepped (or drifted) since them. Kept while
        # any one agreed, a slow pong whose wide bounds held the clocks before a step and after it kept the quick
        # ones from before it, whose offset then stood as the quickest for a minute.
        kept = [s for s in self._samples if self._agree(s, sample)]
        self._samples = collections.deque([*kept, sample], maxlen=self._samples.maxlen)
        self.offset = min(self._samples)[1]

    def _agree(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether two samples can read the same clocks: each puts the offset within half its trip, give or take
        the clocks' own steps."""
        return abs(a[1] - b[1]) <= (a[0] + b[0]) / 2 + self._slack
