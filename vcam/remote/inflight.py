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

That rate is a guess once the link has been idle a while: a link that became 33 times slower during a 5 s pause took
the second's worth of the rate before it at once, and the frames reached the camera up to 28 s late for half a
minute, as nothing can take back what the buffers hold. So after such a pause no more than the rate carries in
PROBE_S goes until the first frame is said got, and its answer tells whether the rate still holds: the time it took,
less the quickest round trip seen, is the time the link took to carry it. Where that says the link is slower, the
rate is scaled down to it before more frames go; where it does not, the rest follow at the rate kept. A link N times
slower than before the pause so gets frames no more than about N × PROBE_S late, for a few seconds; an unchanged one
holds back what the stream made during one round trip, less PROBE_S of it, for that round trip.
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
# A rate whose newest "got" is older than this, where nothing is on the way, is checked by the next frame's answer:
# longer than the gaps between a live stream's blocks (about one a second), which so pay no round trip for it
STALE_S = 2.0
PROBE_S = 0.1  # what that rate carries in this long may go until the answer comes: N times slower, N × this late


class InFlight:
    """The frames on the way to one client, and whether another may go. A client that never says what it got (a
    vcam cam from before this) is sent every frame as soon as the socket takes it, as before."""

    def __init__(self):
        self.acking = False  # the client has said what it got: its frames are held to its link's pace
        self._on_way: deque[tuple[int, int, float]] = deque()  # (seq, bytes, sent at)
        self._bytes = 0
        # (bytes, seconds the link took to carry them) for each "got" lately, and their sums
        self._got: deque[tuple[float, float]] = deque()
        self._got_bytes, self._got_s = 0.0, 0.0
        self._last_got: float | None = None
        self._quickest: float | None = None  # the shortest a frame took to be said got: about the round trip
        self._probe: int | None = None  # the first frame after a pause, whose answer checks the rate, until it comes

    def sent(self, seq: int, size: int, now: float) -> None:
        if self.acking and not self._on_way and self._got and self._last_got is not None \
                and now - self._last_got > STALE_S:
            self._probe = seq
        self._on_way.append((seq, size, now))
        self._bytes += size
        if not self.acking:  # a client that never says what it got would grow this by each frame for good
            while now - self._on_way[0][2] > GIVE_UP_S:
                self._bytes -= self._on_way.popleft()[1]

    def got(self, seq: int, now: float) -> None:
        """The client got every frame up to `seq` (the newest it received)."""
        self.acking = True
        size, began, newest = 0, None, 0.0
        while self._on_way and self._on_way[0][0] <= seq:
            _, frame, newest = self._on_way.popleft()
            self._bytes -= frame
            size += frame
            began = newest if began is None else began
        if began is not None:
            if self._probe is not None and self._probe <= seq:
                self._probe = None
                self._check(size, now - began)
            self._quickest = min(now - newest, self._quickest if self._quickest is not None else now - newest)
            # carried since the frame before came, or since this one left where the link was idle in between
            self._carried(size, now - max(began, self._last_got if self._last_got is not None else began))
        self._last_got = now

    def _check(self, size: int, took: float) -> None:
        """The first frame after a pause (with any said got with it) took `took` to be said got: where the link
        carried it slower than the rate kept, the rate is scaled down to the one it shows, over the same time, so
        that it is weighed as the kept one was and the answers that come next amend it as they did."""
        kept = self.rate()
        if kept <= 0:
            return
        carrying = max(took - (self._quickest or 0.0), size / kept)
        if size / carrying < kept:
            scale = size / carrying / kept
            self._got = deque((got * scale, s) for got, s in self._got)
            self._got_bytes *= scale

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
            self._bytes, self._probe = 0, None
            return True
        window = self.rate() * (PROBE_S if self._probe is not None else ACK_WINDOW_S)
        return self._bytes + self._on_way[-1][1] <= max(FIRST_WINDOW_BYTES, window)

    def rate(self) -> float:
        """Bytes a second the link carried to the client lately, over the time it spent carrying them, a quarter
        second at least: a link just opened, whose first frames came back in no time, is not taken for a fast one."""
        return self._got_bytes / max(self._got_s, 0.25) if self._got else 0.0

    def wait_s(self, now: float) -> float:
        """How long a frame held back may have to wait before GIVE_UP_S lets it go, where no answer comes first."""
        return max(0.0, GIVE_UP_S - (now - self._on_way[0][2])) if self._on_way else 0.0
