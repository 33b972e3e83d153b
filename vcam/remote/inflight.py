"""The frames `vcam serve` has sent one client that its vcam cam has not yet said it got: how many more may go now.

A write returns once the frame is in this machine's socket buffer, and the buffers on the way (the socket's own,
grown to megabytes; an ssh -L tunnel's window, whose sshd reads the server's loopback socket at once) take far more
than a slow link carries in a second: over a link that carried a quarter of the stream, the frames left the
server's queue on time and reached the camera 30 s late, and later with every minute. A camera that says what it
got (protocol.py: "got") gets no more than about ACK_WINDOW_S of what its link has carried lately on the way at
once; the rest wait in the client's queue, where the late ones are dropped for newer ones (served.py).

The link's rate is read from the time it spent carrying: each "got" counts from the later of the one before and its
frame's leaving, so that a pause in the stream (a freeze, a show between scenes) is no time the link carried
nothing. Counted by the clock instead, the rate fell to nothing over a pause, and the first frames after it went one
at a time, under the smallest window; this way the rate measured before the pause holds until frames carried after
it say otherwise.
"""
from __future__ import annotations

from collections import deque

ACK_WINDOW_S = 1.0  # the link's recent rate times this may be on the way: the delay its buffers may add
FIRST_WINDOW_BYTES = 16 * 1024  # the least, before the rate is known: one frame always goes where none is on the way
RATE_S = 2.0  # the link's rate: the bytes the camera got in the last this long of the link's carrying them
GOTS_KEPT = 64  # and over the last this many "got" at most (a fast link's each come a few milliseconds apart)
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
        # (bytes, seconds the link took to carry them) for each "got" lately, and their sums
        self._got: deque[tuple[int, float]] = deque()
        self._got_bytes, self._got_s = 0, 0.0
        self._last_got: float | None = None

    def sent(self, seq: int, size: int, now: float) -> None:
        self._on_way.append((seq, size, now))
        self._bytes += size
        if not self.acking:  # a client that never says what it got would grow this by each frame for good
            while now - self._on_way[0][2] > GIVE_UP_S:
                self._bytes -= self._on_way.popleft()[1]

    def got(self, seq: int, now: float) -> None:
        """The client got every frame up to `seq` (the newest it received)."""
        self.acking = True
        size, began = 0, None
        while self._on_way and self._on_way[0][0] <= seq:
            _, frame, sent = self._on_way.popleft()
            self._bytes -= frame
            size += frame
            began = sent if began is None else began
        if began is not None:
            # carried since the frame before came, or since this one left where the link was idle in between
            self._carried(size, now - max(began, self._last_got if self._last_got is not None else began))
        self._last_got = now

    def _carried(self, size: int, seconds: float) -> None:
        self._got.append((size, seconds))
        self._got_bytes += size
        self._got_s += seconds
        while len(self._got) > 1 and (self._got_s - self._got[0][1] >= RATE_S or len(self._got) > GOTS_KEPT):
            old, took = self._got.popleft()
            self._got_bytes -= old
            self._got_s -= took

    def may_send(self, now: float) -> bool:
        """Whether a frame may go now: always where the client does not say what it got or none is on the way;
        else where the bytes on the way, with one more frame of the last one's size, stay within the link's recent
        rate times ACK_WINDOW_S (without that frame, the window was passed by up to a frame each time)."""
        if not self.acking or not self._on_way:
            return True
        if now - self._on_way[0][2] > GIVE_UP_S:
            self._on_way.clear()
            self._bytes = 0
            return True
        return self._bytes + self._on_way[-1][1] <= max(FIRST_WINDOW_BYTES, self.rate() * ACK_WINDOW_S)

    def rate(self) -> float:
        """Bytes a second the link carried to the client lately, over the time it spent carrying them, a quarter
        second at least: a link just opened, whose first frames came back in no time, is not taken for a fast one."""
        return self._got_bytes / max(self._got_s, 0.25) if self._got else 0.0

    def wait_s(self, now: float) -> float:
        """How long a frame held back may have to wait before GIVE_UP_S lets it go, where no answer comes first."""
        return max(0.0, GIVE_UP_S - (now - self._on_way[0][2])) if self._on_way else 0.0
