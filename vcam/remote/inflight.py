"""The frames `vcam serve` has sent one client that its vcam cam has not yet said it got: how many more may go now.

A write returns once the frame is in this machine's socket buffer, and the buffers on the way (the socket's own,
grown to megabytes; an ssh -L tunnel's window, whose sshd reads the server's loopback socket at once) take far more
than a slow link carries in a second: over a link that carried a quarter of the stream, the frames left the
server's queue on time and reached the camera 30 s late, and later with every minute. A camera that says what it
got (protocol.py: "got") gets no more than about ACK_WINDOW_S of what its link has carried lately on the way at
once; the rest wait in the client's queue, where the late ones are dropped for newer ones (served.py).
"""
from __future__ import annotations

from collections import deque

ACK_WINDOW_S = 1.0  # the link's recent rate times this may be on the way: the delay its buffers may add
FIRST_WINDOW_BYTES = 16 * 1024  # the least, before the rate is known: one frame always goes where none is on the way
RATE_S = 2.0  # the link's rate: the bytes the camera got in this long
# A frame sent this long ago and never said got (a camera that stopped saying): the ones on the way are let go, so a
# camera that no longer says what it got is not left without frames
GIVE_UP_S = 10.0


class InFlight:
    """The frames on the way to one client, and whether another may go. A client that never says what it got (a
    vcam cam from before this) is sent every frame as soon as the socket takes it, as before."""

    def __init__(self):
        self.acking = False  # the client has said what it got: its frames are held to its link's pace
        self._on_way: deque[tuple[int, int, float]] = deque()  # (seq, bytes, sent at)
        self._bytes = 0
        self._got: deque[tuple[float, int]] = deque()  # (when, bytes) the client said it got, in the last RATE_S
        self._first_sent: float | None = None

    def sent(self, seq: int, size: int, now: float) -> None:
        self._on_way.append((seq, size, now))
        self._bytes += size
        if self._first_sent is None:
            self._first_sent = now
        if not self.acking:  # a client that never says what it got would grow this by each frame for good
            while now - self._on_way[0][2] > GIVE_UP_S:
                self._bytes -= self._on_way.popleft()[1]

    def got(self, seq: int, now: float) -> None:
        """The client got every frame up to `seq` (the newest it received)."""
        self.acking = True
        while self._on_way and self._on_way[0][0] <= seq:
            _, size, _ = self._on_way.popleft()
            self._bytes -= size
            self._got.append((now, size))
        self._forget(now)  # here too: rate() is not asked while none is on the way (a link that keeps up)

    def may_send(self, now: float) -> bool:
        """Whether a frame may go now: always where the client does not say what it got or none is on the way;
        else while the bytes on the way are under the link's recent rate times ACK_WINDOW_S."""
        if not self.acking or not self._on_way:
            return True
        if now - self._on_way[0][2] > GIVE_UP_S:
            self._on_way.clear()
            self._bytes = 0
            return True
        return self._bytes < max(FIRST_WINDOW_BYTES, self.rate(now) * ACK_WINDOW_S)

    def rate(self, now: float) -> float:
        """Bytes a second the client got lately; over the time since the first frame went, where that is shorter
        (a link just opened is not taken for a slow one)."""
        self._forget(now)
        if self._first_sent is None:
            return 0.0
        span = min(RATE_S, max(0.25, now - self._first_sent))
        return sum(size for _, size in self._got) / span

    def _forget(self, now: float) -> None:
        while self._got and now - self._got[0][0] > RATE_S:
            self._got.popleft()

    def wait_s(self, now: float) -> float:
        """How long a frame held back may have to wait before GIVE_UP_S lets it go, where no answer comes first."""
        return max(0.0, GIVE_UP_S - (now - self._on_way[0][2])) if self._on_way else 0.0
