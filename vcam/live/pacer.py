"""Steady camera frames from bursty generation.

The model delivers frames in bursts (12 every second or so); a camera wants one frame every 1/fps seconds. The
pacer plays the generated frames at the production rate measured from the blocks' arrivals (blocks that come
together, as from the network after a stall, count as one arrival), nudged by how full its buffer is, and fills
the camera's ticks by repeating frames, or with `smooth`, by cross-fading them ("fade") or by in-between frames made
by optical flow ("flow", vcam.live.interp, computed ahead on a worker thread as frames arrive). It never blocks the
producer: `push` only appends, and frames past the latency cap are dropped, oldest first.

The latency cap holds from the first block on: each frame comes on screen before it is `max_latency` old, played
faster than the production rate where needed (the first block, before any rate is measured; a producer slower
than a block per `max_latency`, whose blocks play within the cap and whose last frame is then held).

A producer that cannot wait and falls far behind (frames held up on the network, then come all at once) is cut to
two blocks before its newest frame (`catch_up_after`): a live picture seconds behind its operator is worse than a
jump. Less than that is the buffer's nudge, played whole, and so are blocks a link sends a few at a time, whose
backlog the gap after them drains.
"""
from __future__ import annotations

import math
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from vcam.control.protocol import Shown, ShownListener
from vcam.control.throttle import ErrorThrottle
from vcam.live.frames import crossfade
from vcam.live.interp import DEFAULT_TICKS, FlowSmoother, smooth_mode
from vcam.terminal import row_cleared
from vcam.outspec import MAX_FPS, rate_said


OUTLIER_RATIO = 1.5  # a burst's rate this far off the estimate (either way) is not averaged in
# A block that comes within this part of the gap before its arrival's first block joins that arrival: a server that
# sends its blocks in pairs (24 frames, then 3 s of nothing) is read over the whole pair
JOIN_GAP = 0.5
# A producer that cannot wait, read as this part of the camera's rate faster than it, has frames passed over
# (_base_step); less is the rate estimate's noise
PASS_OVER_MARGIN = 0.1
RHYTHM_ARRIVALS = 3  # the arrivals before one that say what its link's usual arrival is (Pacer._cut_behind)
# Arrivals whose rates read alone alternate this far either side of their pair's, the fast ones (or the slow) this
# close to each other, are read in pairs (Pacer._reading)
PAIR_RATIO = 1.25
BUNDLE_S = 1.0  # blocks a link lets through back to back, held up together, come within this (_bundled_before_rate)
HELD_UP_MARGIN = 0.1  # blocks held up together read no faster than the rate, less its noise (Pacer._held_up_with)
# A hold after each bundle that a larger --max-latency would shorten by less than this is not worth saying
HOLD_WON_S = 0.5
TICK_ERRORS_SAID_EVERY_S = 60.0  # a camera tick that keeps failing is said once, then once a minute with a count


@dataclass
class _Arrival:
    """Blocks pushed together, read as one: their frames over the time since the arrival before.

    A block that comes before the camera could have shown the arrival's first block, one frame per tick, joins it.
    From the network such blocks were made apart and held up together (a stall, a slow start): they come as fast as
    the link reads and decodes them, which says nothing of the production rate, and read one by one they would set
    a rate of hundreds of frames/s. Decoding takes more than a tick a block at larger sizes, so a window of one tick
    would miss them. From the generator, which pushes each block as it is made, a gap that short only says "faster
    than the camera", and the merged reading still says so: the camera never plays faster than that anyway."""
    closes: float  # a push before this time joins the arrival
    frames: int
    since: float | None  # the last push of the arrival before: this one's frames were made after it
    before: tuple[float | None, int]  # the estimate and its outlier state before this arrival was read in
    began: float  # its first push
    pushes: int = 1  # the blocks pushed into it
    cut_at: int = 0  # its frames when the buffer was last cut behind (Pacer._cut_behind): the ones after are new


# Frames in a block of the models (vcam.engine.stream: 3 latents of 4 frames), which a camera-side module reads
# here rather than from the engine (torch)
BLOCK_FRAMES = 12


def block_outlasts_cap(fps: float, max_latency: float, block_frames: int = BLOCK_FRAMES) -> str | None:
    """The line to say at the start where one block cannot come on screen whole within `max_latency` at `fps`
    (one frame per tick, a tick to spare): most generated frames are then dropped. None where it can."""
    if block_frames <= fps * max_latency - 1:
        return None
    latency = math.ceil((block_frames + 1) / fps * 10) / 10
    rate = math.ceil((block_frames + 1) / max_latency * 100) / 100
    # a latency too short for any camera rate (0.05 s) is offered no rate --fps refuses
    faster = f", or --fps {rate:g} or more" if rate <= MAX_FPS else ""
    return (f"at {rate_said(fps)} fps a block of {block_frames} generated frames takes longer than --max-latency "
            f"{max_latency:g} s to show, so most of its frames will be dropped: give --max-latency {latency:g} (the "
            f"picture that much behind){faster}")


@dataclass
class PacerSettings:
    fps: float = 30.0
    # between generated frames: None repeats them, "fade" cross-fades, "flow" interpolates (True: "fade")
    smooth: str | bool | None = None
    max_latency: float = 4.0  # seconds of unplayed frames kept at most; older ones are dropped
    # seconds without new frames after which the stream counts as stalled; for a producer that waits, counted from
    # when its last block has been shown one frame a tick (Pacer.stall_limit)
    stall_after: float = 5.0
    gain: float = 0.15  # how strongly the playback rate follows the buffer level
    # A producer that cannot wait: once more than two blocks wait and those past the first span more than this many
    # seconds of its frames, the oldest are dropped down to two blocks, where an arrival far larger than the ones
    # before brought them (a stall) or as many seconds still waited when the last came; blocks a link sends a few at
    # a time, whose gaps drain them, play whole within `max_latency` (see Pacer._cut_behind).
    catch_up_after: float = 2.0
    # The producer waits while `full()` (the generator does): every frame is shown, one new frame per tick at most.
    # A producer that cannot wait (frames arriving from the network) is caught up instead, by playing up to 1.5
    # frames per tick while the buffer runs high (1.5 times its own rate, where that is faster than the camera's),
    # or its latency would only grow.
    producer_waits: bool = False
    # Frames in the producer's blocks, where known (the local model's, BLOCK_FRAMES): a block is taken to be this
    # long, or as long as the longest pushed, where the last was shorter. The stream's first block is 6 frames: the
    # producer let go with as many waiting as a block of 6 leaves room for brought its second, of 12, on screen past
    # the latency cap (at --fps 1 --max-latency 13, frames were dropped at the start).
    block_frames: int | None = None


@dataclass
class PacerStats:
    pushed: int = 0
    dropped: int = 0  # frames that never came on screen, dropped by the latency cap or cut when far behind
    skipped: int = 0  # frames that never came on screen, passed over by playback faster than the camera's ticks
    ticks: int = 0
    buffered: float = 0.0  # frames not yet played
    production_fps: float = 0.0
    # Seconds between a shown frame's arrival and its coming on screen; while newer frames wait behind it, its age.
    # A last frame held until the next block does not count as late.
    latency: float = 0.0
    stalled: bool = False
    fallback: bool = False  # a fallback image is set: a stall shows it once the frames run out (else the last frame)
    errors: int = 0


class LastTick(NamedTuple):
    """What the last camera tick showed (Pacer.last_tick); set by the tick alone."""

    showing: Shown | None  # the numbered frame it showed, and since when (Pacer.showing)
    # the generated frame under what it showed (the one `showing` names): the one its fallback image stood in for, or
    # the first of the two it blended (--smooth); None where it showed a generated frame as it is, or none
    covered: np.ndarray | None
    # a generated frame has come on screen, at that tick or before (not a push since: the tick that made the
    # loading card showed none)
    on_air: bool


class Pacer:
    """Thread-safe: one producer calls `push`, one thread calls `tick` (or `run`)."""

    def __init__(self, settings: PacerSettings, clock: Callable[[], float] = time.monotonic,
                 smoother: FlowSmoother | None = None):
        """`smoother`: makes the in-between frames with `smooth="flow"` (default: DIS flow, vcam.live.interp)."""
        self.settings = settings
        self.clock = clock
        self._smooth = smooth_mode(settings.smooth)
        self._flow = (smoother or FlowSmoother()) if self._smooth == "flow" else None
        self._lock = threading.Lock()
        # (frame, when it arrived, its block's number on a block's first frame not yet reported shown, else None,
        # (its block, its index in the block) where the producer numbered its blocks, else None)
        self._frames: deque[tuple[np.ndarray, float, int | None, tuple[int, int] | None]] = deque()
        self._pos = 0.0
        self._rate: float | None = None
        self._off = 0  # +1 or -1: the last burst's rate was far above or below the estimate
        self._last_rate = 0.0  # the last burst's rate, left out of the estimate or not
        self._burst = 0
        self._longest = 0  # the longest burst pushed, the last one included
        self._arrival: _Arrival | None = None
        # frames still waiting when the last arrival came: what the gap before it did not drain (see _cut_behind)
        self._backlog = 0.0
        # frames pushed up to the end of the show's first bundle, where the next blocks came before it played out: a
        # frame a tick up to there (_arrive)
        self._late_to = 0
        # the arrivals before the last, as (frames, since, last push): the rhythm it is read against (_cut_behind,
        # _reading)
        self._before: deque[tuple[int, float | None, float]] = deque(maxlen=RHYTHM_ARRIVALS)
        self._last_push: float | None = None
        self._released: float | None = None  # when `full()` last let a waiting producer go on (None: since pushed)
        self._making_s = 0.0  # how long its blocks take to make from there (the slowest of late, see push)
        self._held = False  # `full()` has held the producer back since its last block
        self._outpaces = False  # ... it had before its last block: it makes frames faster than the camera shows them
        self._head_since: float | None = None  # when the frame on screen (the first one kept) came on
        self._first_tick: float | None = None  # the camera's first tick: a link's first frames were made after it
        self._on_air = False  # a generated frame has come on screen
        self._card: np.ndarray | None = None
        self._fallback: np.ndarray | None = None
        self._shown: Callable[[int, float], None] | None = None
        self._on_screen_now: Shown | None = None  # the numbered frame the last tick showed
        self._on_screen_after: int | None = None  # ... and the frames pushed before it
        self._covered: np.ndarray | None = None  # the generated frame under the last tick's fallback image or blend
        self._frame_listeners: list[ShownListener] = []
        # frames that came on screen, for the listeners after the tick's emit, each with the frames pushed before it
        self._came: list[tuple[Shown, int]] = []
        self._telling: int | None = None  # the frames pushed before the one whose listeners are told now (`telling`)
        self.stats = PacerStats()
        self._tick_errors = ErrorThrottle(TICK_ERRORS_SAID_EVERY_S)

    # --- producer side --------------------------------------------------------------------------------------
    def push(self, frames, block: int | None = None, indices: Sequence[int] | None = None) -> None:
        """Append a burst of frames ([n, H, W, 3] or a list of frames); `block`: the number of the block they
        are, for `on_block_shown`, `on_frame_shown` and `showing`; `indices`: each frame's index in that block,
        where some of its frames never came (lost on the network), else 0, 1, …"""
        now = self.clock()
        with self._lock:
            n = len(frames)
            self._arrive(now, n)
            self._last_push = now
            if self._released is not None:  # how long the producer took to make a block, once let go: a slower
                # block is taken at once, a faster one halfway, so a machine's hiccups leave the buffer room to spare
                made, self._released = now - self._released, None
                self._making_s = max(made, (self._making_s + made) / 2)
            self._outpaces, self._held = self._held, False
            # the frames end a stall as they come, not at the next tick: read before it (vcam cam's feed looks every
            # 0.25 s), the stall they ended still read as going on
            self.stats.stalled = False
            self._burst = n
            self._longest = max(self._longest, n)
            for i, f in enumerate(frames):
                if self._flow is not None and self._frames:
                    self._flow.arrived(self._frames[-1][0], f, *self._on_screen())
                index = indices[i] if indices is not None else i
                self._frames.append((f, now, block if i == 0 else None, (block, index) if block is not None else None))
            self.stats.pushed += n
            self._drop_past_cap(now)

    def _arrive(self, now: float, n: int) -> None:
        """Reads `n` frames pushed now into the rate: as a new arrival, or with the blocks they came together with,
        the arrival read again from the estimate it found (a gap after a one-off stall is left out as a hiccup,
        see _measure)."""
        a = self._arrival
        if a is not None and (now < a.closes or self._held_up_with(a, now, n) or self._bundled_before_rate(a, now, n)):
            a.frames += n
            a.pushes += 1
        else:
            if a is not None and self._last_push is not None:
                self._before.append((a.frames, a.since, self._last_push))
            waits = self.settings.producer_waits
            # the show's first arrival, played at _bundle_step: no rate was read from it (nothing came before it)
            bundle = a is not None and a.since is None and a.frames > self._burst and not waits
            a = self._arrival = _Arrival(self._closes(now, n), n, self._last_push, (self._rate, self._off), now)
            self._backlog = max(0.0, len(self._frames) - 1 - self._pos)
            if bundle:
                # the show's first bundle, played at the pace its frames can have been made since the camera's first
                # tick (_bundle_step), still waits as the next blocks come: a server's backlog (a client joining a
                # show, or after a model load), not its pace. Left to the rate's pace and cut as a backlog the gap did
                # not drain, 17 to 20 of its frames were dropped in the show's first seconds.
                self._late_to, self._backlog = self.stats.pushed, 0.0
        self._rate, self._off = a.before
        if a.since is not None and now > a.since:
            self._measure(self._reading(a, now))

    def _reading(self, a: _Arrival, now: float) -> float:
        """The rate arrival `a` reads at `now`: its frames over the time since the arrival before, or where the gaps
        alternate short and long (this and the arrival two before read fast, the one between slow, or the other way
        round), its frames and the last arrival's over both gaps. Pairs whose second block came at exactly half the
        gap before the first (a block 0.5 s late every 3 s) were never joined: their blocks read 12 and 6 frames/s
        for a server at 8, and the slow ones, each left out as a hiccup, left the estimate at 12, the picture held
        28 ticks every pair; blocks bundled four at a time whose last one came apart read 80 and 6.5."""
        alone = a.frames / (now - a.since)
        if self.settings.producer_waits or len(self._before) < 2:
            return alone  # the generator's gaps are its own making, not a link's rhythm
        (frames1, since1, end1), (frames2, since2, end2) = self._before[-2], self._before[-1]
        if since1 is None or since2 is None or end1 <= since1 or end2 <= since2 or now <= since2:
            return alone
        first, last = frames1 / (end1 - since1), frames2 / (end2 - since2)
        pair = (frames2 + a.frames) / (now - since2)
        fast, slow = PAIR_RATIO * pair, pair / PAIR_RATIO
        # and the two alike, a rhythm: not 15 frames/s, a 30 s pause, then 7.5 (read with the pause, 0.8 frames/s),
        # nor a one-off late block between two on time: read 11.9 and 8.0 frames/s either side of it for a server at 8
        # (alike within the outlier's margin), the three read 5.7 with it, taken as the rate: the picture in slow motion
        alike = max(alone, first) <= PAIR_RATIO * min(alone, first)
        if alike and (min(alone, first) > fast > slow > last or max(alone, first) < slow < fast < last):
            return pair
        return alone

    def _bundled_before_rate(self, a: _Arrival, now: float, n: int) -> bool:
        """Whether `n` frames pushed now, from a link, come back to back with arrival `a` begun before any rate: at
        more than twice the camera's pace after the last block (a link letting held-up blocks through as it reads
        them, not a server making them), within a second of its first block. The show's first bundle (four blocks
        0.15 s apart after a 6 s start) closed a tick-frame after its first block: its last block came apart, read
        with the one before it alone said 80 frames/s for a server at 8, and 40 frames on air were passed over at
        that pace. Once a rate is known as an arrival begins, `_held_up_with` reads such blocks; the generator
        pushes each block as it is made. The one-second limit keeps a producer that truly makes frames that fast from
        going unmeasured. A straggler of the show's first bundle joins it too (_straggles)."""
        s = self.settings
        if s.producer_waits or a.before[0] is not None or self._last_push is None or now - a.began >= BUNDLE_S:
            return False
        return now - self._last_push < n / (2.0 * s.fps) or self._straggles(a, now, n)

    def _straggles(self, a: _Arrival, now: float, n: int) -> bool:
        """Whether `n` frames pushed now are the last of the show's first bundle `a` (blocks back to back), come
        apart from it: far sooner than the pace its frames can have been made at since the camera's first tick
        (_bundle_step), as `_held_up_with` reads a block against the rate. Such a last block 0.5 s after the rest,
        read alone, said 24 frames/s for a server at 8, the show's first rate; the next bundle, read at 8, was left
        out as a hiccup, and the picture played fast for two bundles (12 s), frames passed over."""
        start, last = self._first_tick, self._last_push
        if a.since is not None or a.pushes < 2 or start is None or last is None or a.began <= start:
            return False
        together = (last - a.began) / (a.pushes - 1) < self._burst / (2.0 * self.settings.fps)
        pace = a.frames / (a.began - start)
        return together and (now - last) * pace * OUTLIER_RATIO < n

    def _held_up_with(self, a: _Arrival, now: float, n: int) -> bool:
        """Whether `n` frames pushed now come on the heels of arrival `a`, held up with it: so soon after its last
        block that read alone they would be far faster than the rate, and read with it no faster than that. Blocks
        held up by a stall and let through one by one as the link reads them, a block's ticks apart or more, each
        read alone said 24 to 80 frames/s for a server at 8: taken as its rate, the picture played fast with frames
        passed over, and blocks bundled four at a time whose last one came apart from the three had the show read at
        80 frames/s. A producer that speeds up is not joined: read with the arrival, its frames are more than the rate
        made in that time (blocks 0.8 s apart after blocks 2.4 s apart, joined, read the new rate a block late)."""
        if self.settings.producer_waits or not self._rate or self._last_push is None or a.since is None:
            return False  # the generator pushes each block as it is made: nothing of it is held up on the way
        soon = (now - self._last_push) * self._rate * OUTLIER_RATIO < n
        return soon and (a.frames + n) <= (1.0 + HELD_UP_MARGIN) * self._rate * (now - a.since)

    def _closes(self, now: float, n: int) -> float:
        """Until when blocks join an arrival of `n` frames begun now: until the camera could have shown its first
        block, or through the first part of the gap before it where that gap is a pair's lead (read alone, far slower
        than the rate read; not a stall), whichever is later. Blocks sent in pairs (or threes) each read on their
        own alternate a short gap, read as several times the server's rate, with a long one, a far slower rate left
        out as a hiccup: the estimate stuck near the fast one (26.7 frames/s for a server at 8 whose second block of
        12 came 0.45 s after the first). Joined, the pair is its frames over the whole gap from the pair before.
        Blocks evenly spaced never come this early; where jitter makes one, the two are still their frames over
        their whole time, the rate unchanged."""
        closes = now + n / self.settings.fps
        if self._last_push is None or not self._rate:
            # the show's second block: a gap of warming up, not a rhythm (half of a 30 s one joined 15 s of blocks,
            # each read with it, a rate far too slow all that time)
            return closes
        gap = now - self._last_push
        if gap * self._rate <= OUTLIER_RATIO * n:
            # read alone, in line with the rate: on time, not a pair's lead. Blocks sped up threefold (5 to 15
            # frames/s) came within half the last slow gap, each read with it: the new rate a block late
            return closes
        if gap > self.stall_limit():
            # a stall is not the server's rhythm: half of it joined the blocks after it, each read with it, far
            # slower than they came (after a 30 s pause a rate changed meanwhile went unread for 15 s; after a hiccup
            # read as slow, such readings were taken as the rate, 2 s more of slow motion and cuts)
            return closes
        return max(closes, now + JOIN_GAP * gap)

    def _measure(self, inst: float) -> None:
        """Folds one burst's rate into the estimate. One burst far off the estimate is a hiccup (a prompt being
        encoded, a retried block) and is left out: averaged in, it would slow the picture for seconds after.
        Two in a row the same way are a new rate (`steps 8`, another size), taken at once rather than over ten
        bursts of stutter."""
        self._last_rate = inst
        if self._rate is None:
            self._rate = inst
            return
        off = 1 if inst > OUTLIER_RATIO * self._rate else -1 if inst * OUTLIER_RATIO < self._rate else 0
        if off == 0:
            self._rate = 0.75 * self._rate + 0.25 * inst
        elif off == self._off:
            self._rate = inst
            off = 0
        self._off = off

    def _on_screen(self) -> tuple[float, float]:
        """How many camera ticks a frame is expected to stay on screen, and a tick's seconds."""
        s = self.settings
        ticks = s.fps / min(self._rate, s.fps) if self._rate else DEFAULT_TICKS
        return ticks, 1.0 / s.fps

    def full(self) -> bool:
        """A producer faster than the camera should wait: more than a burst and a half unplayed, or (one that waits)
        so many that its next block, made in the time its last took, would come on screen past the latency cap."""
        with self._lock:
            held = self._holds_back()
            self._held = self._held or held
            if not held and self._released is None:
                self._released = self.clock()  # the producer goes on to make its next block from here
            return held

    def _holds_back(self) -> bool:
        return self._burst > 0 and len(self._frames) - 1 - self._pos > self._most_waiting()

    def _most_waiting(self) -> float:
        """The frames that may wait before the producer should: a burst and a half, or (one that waits) fewer, so
        that its next block, made in the time its last took, comes on screen within the latency cap."""
        most = 1.5 * self._burst
        # The next block comes on screen behind the frames still waiting when it is made: past what the camera shows
        # within the latency cap (a tick to spare), its frames would be made only to be dropped, a camera slower than
        # generation losing most of them. A block that cannot be shown within the cap even alone
        # (`block_outlasts_cap`, said at the start) is not waited for: the producer would stall at every block.
        s = self.settings
        shown_in_cap = s.fps * s.max_latency - 1
        block = max(self._longest, s.block_frames or 0)  # the next block: not a short first one
        if s.producer_waits and block <= shown_in_cap:
            # a tick more to spare: the playback rate's nudge moves by parts of a frame
            # never below none waiting, where the producer could only wait for ever: a block that barely fits the
            # cap, made in less than a tick, would leave the show on its first block
            most = min(most, max(0.0, shown_in_cap - 1 - block + s.fps * self._making_s))
        return most

    def bundles_held(self) -> str | None:
        """The line to say where a link sends its blocks several at a time, each bundle further from the last than
        --max-latency: to show every frame within it, the camera plays each bundle faster than it was made, then holds
        its last frame until the next (four at a time every 6 s at a 4 s cap: 2 s a bundle), which a larger cap
        would hold at least HOLD_WON_S less. Read over the link's last RHYTHM_ARRIVALS arrivals, all such bundles;
        else None."""
        with self._lock:
            return self._bundles_held()

    def _bundles_held(self) -> str | None:
        s, block = self.settings, self._longest
        if s.producer_waits or not self._rate or block <= 0 or len(self._before) < RHYTHM_ARRIVALS:
            return None
        if any(since is None or frames <= block for frames, since, _ in self._before):
            return None
        cycles = [last - since for _, since, last in self._before if since is not None]
        cycle = sum(cycles) / len(cycles)
        if max(cycles) > OUTLIER_RATIO * min(cycles):  # bundles far apart from each other are no rhythm
            return None
        frames = sum(frames for frames, _, _ in self._before) / len(self._before)
        # the buffer's nudge plays a bundle faster than the rate whatever the cap, and holds its last frame the rest
        # of the gap: only what the cap adds to that is won back. Triples every 4.5 s at a 4 s cap held 14 ticks and
        # 11 under the --max-latency 5 that was offered, the picture a second further behind for a tenth of a second
        played = self._nudged_s(frames, cycle)
        held, free = cycle - s.max_latency, cycle - played + 1.0 / self._rate
        if held - free < HOLD_WON_S:
            return None
        latency = math.ceil(played + 0.5)
        return (f"the server's blocks come {max(2, round(frames / block))} at a time every {cycle:.1f} s on this "
                f"link, further apart than --max-latency {s.max_latency:g} s: the picture holds {held:.1f} s after "
                f"each bundle; give --max-latency {latency} to hold it {free:.1f} s (the picture up to {latency} s "
                f"behind)")

    def _nudged_s(self, frames: float, most: float) -> float:
        """Seconds the buffer's nudge (_step) takes to play `frames` waiting at once, the cap aside; `most` at most."""
        s = self.settings
        base = self._base_step()
        target = max(1.0, float(self._burst)) * max(1.0, base)
        level, ticks = frames, 0
        while level > 0 and ticks < most * s.fps:
            step = base * min(1.5, max(0.5, 1.0 + s.gain * (level - target) / target))
            level -= max(step, 1.0) if base >= 1.0 else step
            ticks += 1
        return ticks / s.fps

    def stall_limit(self) -> float:
        """Seconds without new frames that make a stall: `stall_after`, for a producer that waits counted from when
        the camera has shown its last block, one frame a tick. A slow camera holds it back until then: below ~2.4 fps
        a 12-frame block stays on screen past 5 s by design. Two blocks' time, taken before, let a generator slower
        than such a camera leave the picture frozen up to a block's time (12 s at --fps 1) at every block, unsaid.
        A producer that cannot wait sends blocks at its own pace, whatever the camera's, which its `stall_after`
        follows (vcam.remote.blockgaps): there the camera's rate would only put a stall off."""
        s = self.settings
        if not s.producer_waits:
            return s.stall_after
        return s.stall_after + self._burst / s.fps

    def on_block_shown(self, listener: Callable[[int, float], None]) -> None:
        """`listener(block, t)` is told the clock time at which a numbered block's first frame came on screen
        (when that frame was dropped or skipped, its block's first frame that was shown); called on the camera's
        thread holding the pacer's lock: it must be quick."""
        self._shown = listener

    def on_frame_shown(self, listener: ShownListener) -> None:
        """`listener(shown)` is told of each numbered frame as it comes on screen (one that never does, dropped or
        skipped, is not told), on the camera's thread right after the tick that showed it was emitted, so a screen
        change made there acts from the next tick on. It must be quick."""
        with self._lock:
            self._frame_listeners.append(listener)

    def showing(self) -> Shown | None:
        """The numbered frame the last tick showed, and since when; None before the first (or without numbers)."""
        with self._lock:
            return self._on_screen_now

    def showing_placed(self) -> tuple[Shown | None, int | None]:
        """`showing`, with the frames pushed before that frame (as `telling` says of it), in one read: whether the
        frame on screen was pushed after some moment, before its listeners are told of it."""
        with self._lock:
            return self._on_screen_now, self._on_screen_after

    def pushed(self) -> int:
        """Frames pushed so far: the frames pushed after now are those `telling` says were pushed after as many."""
        with self._lock:
            return self.stats.pushed

    def telling(self) -> int | None:
        """For an `on_frame_shown` listener, as it is told of a frame: the frames pushed before that one (a frame
        pushed after some moment is one told with `telling() >= pushed()` read then). None outside the listeners."""
        return self._telling

    def last_tick(self) -> LastTick:
        """What the last tick showed, in one read: the camera's emit asks for all of it on every tick."""
        with self._lock:
            return LastTick(self._on_screen_now, self._covered, self._on_air)

    def waiting(self) -> float:
        """Frames not yet played now (`stats.buffered` as of the last tick)."""
        with self._lock:
            return max(0.0, len(self._frames) - 1 - self._pos)

    def set_card(self, frame: np.ndarray | None) -> None:
        """What to show before the first generated frame (e.g. the loading card)."""
        with self._lock:
            self._card = frame

    def set_fallback(self, frame: np.ndarray | None) -> None:
        """What to show while generation is stalled; None holds the last frame."""
        with self._lock:
            self._fallback = frame
            self.stats.fallback = frame is not None

    # --- consumer side --------------------------------------------------------------------------------------
    def tick(self) -> np.ndarray | None:
        """The frame for this camera tick (None only when there is nothing at all to show yet)."""
        now = self.clock()
        with self._lock:
            shown = self._advance(now)
        if isinstance(shown, tuple):  # blended outside the lock: the producer never waits for it
            a, b, t = shown
            return self._flow.between(a, b, t) if self._flow is not None else crossfade(a, b, t)
        return shown

    def _advance(self, now: float) -> np.ndarray | tuple[np.ndarray, np.ndarray, float] | None:
        """Moves playback on by one tick: the frame to show, or the two frames and the weight to blend."""
        st = self.stats
        st.ticks += 1
        if self._first_tick is None:
            self._first_tick = now
        st.stalled = self._last_push is not None and now - self._last_push > self.stall_limit()
        self._covered = None
        if not self._frames:
            return self._card
        self._drop_past_cap(now)
        self._cut_behind(now)
        self._pos = min(self._pos + self._step(now), len(self._frames) - 1.0)
        while self._pos >= 1.0 and len(self._frames) > 1:
            if self._head_since is None:  # passed over before it came on
                st.skipped += 1
            self._pop()
            self._pos -= 1.0
            self._head_since = None
        if self._head_since is None:
            self._head_since = now
            self._came_on(now)
        self._on_air = True
        st.buffered = len(self._frames) - 1 - self._pos
        st.production_fps = self._rate or 0.0
        frame, born = self._frames[0][:2]
        st.latency = (now if st.buffered > 0 else self._head_since) - born
        if st.stalled and self._fallback is not None and st.buffered <= 0:
            self._covered = frame
            return self._fallback
        nxt = self._frames[1][0] if len(self._frames) > 1 else None
        if self._smooth and nxt is not None and self._pos > 0 and nxt.shape == frame.shape:
            # a freeze holds the generated frame, as the log names it and a replay or render holds it, not the blend
            self._covered = frame
            return frame, nxt, self._pos
        return frame

    def _step(self, now: float) -> float:
        """How far this tick moves through the buffer: the production rate, nudged by how full the buffer is, and
        at least what shows every frame before it is past the latency cap.

        The tick that brings the first frame on screen moves only as far as the cap needs: the rate's step is the
        time a frame was on screen, and none was yet. A rate set before that tick (a camera that starts after the
        second block), or the pace of blocks that came together, would otherwise pass the first frame unseen; this
        way the show starts as it does when the camera ticks before, one tick later at most, and the cap still binds.
        A producer that waits has every frame shown: that tick shows the first frame, however late (any step of a
        frame or more would pass it unseen); the ticks after move a frame each at most, and what passes the cap
        meanwhile is dropped, and counted, by _drop_past_cap.

        Before any rate, blocks that came together (one arrival, see _Arrival) are frames already late, held up on
        the way: they play at no more than one frame per tick, none skipped, at the pace their frames can have been
        made since the camera's first tick (_bundle_step), until the next arrival measures the rate. A first block
        alone plays as the cap needs, or from the generator at the pace it was made where that is faster, a frame a
        tick at most."""
        s = self.settings
        step = self._deadline_step(now)
        if not self._on_air:
            return 0.0 if s.producer_waits and step >= 1.0 else step
        if s.producer_waits and self._head_since is None:  # the frame on screen was just dropped past the cap: the
            # next comes on at this tick, not passed over too by the step
            return 0.0
        if self._rate is not None:
            level = len(self._frames) - 1 - self._pos
            base = self._base_step()
            # a burst's worth of ticks waiting: played faster than a frame a tick, a burst of frames was less time on
            # screen than the late blocks of a jittery link (a frame held at 45 frames/s into 30 fps, every second)
            target = max(1.0, float(self._burst)) * max(1.0, base)
            correction = 1.0 + s.gain * (level - target) / target
            step = max(step, base * min(1.5, max(0.5, correction)))
            if base >= 1.0 and not s.producer_waits:
                # frames made faster than the camera shows them: the nudge below a frame a tick held one now and then
                # between the ones passed over, both in the same second (31 frames/s into 30 fps)
                step = max(step, 1.0)
            if self._outpaces and self._most_waiting() < 1.5 * self._burst:
                # held back for the latency cap (a slow camera, a tight cap), below a burst waiting: its blocks came as
                # fast as they were played, so the rate read from them is the playback's own, and the nudge, aimed at
                # a burst, would slow both, a frame held every block or so. Held back for a burst and a half waiting
                # (30 fps and up), the nudge is above its aim and plays a frame a tick as it is.
                step = 1.0
            if self.stats.pushed - len(self._frames) + self._pos < self._late_to - 1:
                step = max(step, 1.0)  # the first bundle, late (_arrive)
        elif self._arrival is not None and self._arrival.frames > self._burst:
            step = max(step, self._bundle_step())
        elif s.producer_waits and self._held:
            # before any rate, a producer held back since its block makes frames faster than the camera shows them: a
            # frame a tick, not the cap's pace (the first block, held to wait for a whole next block within the cap,
            # played in slow motion)
            step = max(step, 1.0)
        elif s.producer_waits and self._making_s > 0:
            # before any rate, the first block alone plays at the pace it was made (from when `full()` let the
            # producer go), a frame a tick at most: at the cap's pace a first block made in 1.1 s held its first frame
            # 0.8 s and spread its six over 1.4 s until the second came, the show's first second in slow motion
            step = max(step, min(1.0, self._burst / (self._making_s * s.fps)))
        # A producer that waits is held back instead: skipping frames would play the show fast.
        return min(step, 1.0 if s.producer_waits else 1.5 * max(1.0, self._base_step()))

    def _bundle_step(self) -> float:
        """Before any rate, the step for the show's first arrival of several blocks from a link: its frames over the
        time since the camera's first tick, the most they can have taken to make, a frame a tick at most. A bundle of
        four blocks after a 6 s start played at a frame a tick (30 frames/s for a server at 8), then froze 4.4 s for
        the next; blocks made before the camera came (the server's, on joining a show) still play a frame a tick. The
        local model's blocks, pushed as made, are not held up: after a minute's model load its first two, 0.2 s apart,
        read 0.4 frames/s and played at the cap's pace, a fast generator's first second in slow motion."""
        a, start = self._arrival, self._first_tick
        if self.settings.producer_waits or a is None or start is None or a.began <= start:
            return 1.0
        return min(1.0, a.frames / (a.began - start) / self.settings.fps)

    def _base_step(self) -> float:
        """Frames a tick at the production rate: one at most for a producer that waits (it is held back instead);
        for one that cannot wait and makes frames faster than the camera shows them, as many as it makes, the ones
        between passed over evenly. Capped at one frame a tick, such a producer (a server at 60 frames/s into a
        30 fps camera) was caught up by the buffer's nudge alone, which held a second of frames at 40 frames/s and
        at 60 piled them until they were cut, a jump of seconds on screen every few seconds."""
        s = self.settings
        rate = self._rate or 0.0
        if s.producer_waits or rate <= s.fps:
            return min(rate, s.fps) / s.fps
        # less the estimate's own noise, which the buffer's nudge takes up: a server at the camera's rate read at 31
        # or 33 frames/s through a jittery link passed frames over, ran the buffer dry and held one, both every second
        return max(1.0, rate / s.fps - PASS_OVER_MARGIN)

    def _deadline_step(self, now: float) -> float:
        """The least step per tick that brings every waiting frame on screen before it is `max_latency` old, a tick
        to spare. A burst's frames arrive together, so its last one is the one that binds."""
        period = 1.0 / self.settings.fps
        step = 0.0
        frames = self._frames
        for j in range(1, len(frames)):
            born = frames[j][1]
            if j + 1 < len(frames) and frames[j + 1][1] == born:
                continue
            ticks_left = max(1.0, (born + self.settings.max_latency - now) / period)
            step = max(step, (j - self._pos) / ticks_left)
        return step

    def _drop_past_cap(self, now: float) -> None:
        """Drops the oldest frames while the one on screen is older than the latency cap, keeping a burst. Only
        frames that never came on screen count as dropped (not a last frame held until the next block)."""
        keep = max(1, self._burst)
        while len(self._frames) > keep and now - self._frames[0][1] > self.settings.max_latency:
            self._drop_first()

    def _cut_behind(self, now: float) -> None:
        """Far behind a producer that cannot wait, drops the oldest frames down to two blocks waiting (counted as
        dropped): a jump, where a live picture would otherwise stay seconds behind its operator. The buffer's nudge
        plays at most half as fast again as the production rate, which takes seconds for each second behind: twelve
        for a 6 s stall of a server at 8 frames/s, whose held blocks come at once.

        Far behind is both more than two blocks waiting (less is a late block with the next: the nudge's, played
        whole) and those past the first spanning more than `catch_up_after` seconds of production (three blocks held
        up 2.4 s at 15 frames/s are 1.6 s: played whole too; a producer that makes blocks fast needs more of them),
        where that is no rhythm the gaps drain: an arrival out of line with the ones before it (blocks held up by a
        stall, which come with the usual gap after them: cut at once), or more than `catch_up_after` seconds of
        frames still waiting as the last arrival came (a backlog the gap before it did not drain). Arrivals alike
        are the link's rhythm: blocks bundled three at a time (a wifi link, 36 frames every 4.5 s at 8 frames/s)
        were cut at every bundle, 27 frames dropped and the picture frozen 0.7 s, a jump and a freeze every 4.5 s.

        The lag on the link itself is not counted: frames dropped here cannot make the next ones come sooner, so only
        the lag waiting in this buffer can be won back."""
        s = self.settings
        if s.producer_waits or not self._rate or not self._on_air:
            return
        block = max(1, self._burst)
        level = len(self._frames) - 1 - self._pos
        # a burst far faster than the estimate, not taken yet (a hiccup until a second says so), spans the frames it
        # brought at its own pace: read at the old one, blocks that sped up from 6 to 24 frames/s were one second
        # of frames read as two and cut, a jump on screen where the nudge would have played them whole
        rate = max(self._rate, self._last_rate) if self._off > 0 else self._rate
        if level <= 2 * block or (level - block) / rate <= s.catch_up_after:
            return
        # frames of the arrival since a cut: a block that joins the blocks held up after it was cut (the next made
        # after a stall, come on their heels) is no more out of line than any, where it was cut again, a second jump
        arrived = self._arrival.frames - self._arrival.cut_at if self._arrival is not None else 0
        usual = max((frames for frames, _, _ in self._before), default=0)
        if arrived <= OUTLIER_RATIO * usual and self._backlog / rate <= s.catch_up_after:
            return
        if self._trickling(now):
            return
        while len(self._frames) - 1 > 2 * block:
            self._drop_first()
        self._backlog = 0.0
        if self._arrival is not None:
            self._arrival.cut_at = self._arrival.frames

    def _trickling(self, now: float) -> bool:
        """Whether the blocks held up together in the last arrival may still be coming in, one by one as the link
        lets them through: a next block now would join it (_held_up_with), and its blocks so far came less than
        twice their own spacing, a tick more, before now. Cut as each came, blocks held up 6 s and let through 0.15
        to 0.5 s apart made three or four jumps of 5 to 12 frames in a second or two; cut once they stop coming,
        one jump, still before the next block made after the stall comes."""
        a, last = self._arrival, self._last_push
        if a is None or last is None or a.pushes < 2 or not self._held_up_with(a, now, self._burst):
            return False
        spacing = (last - a.began) / (a.pushes - 1)
        return now - last < 2.0 * spacing + 1.0 / self.settings.fps

    def _drop_first(self) -> None:
        """Drops the frame on screen or next to come, unseen or not; the next one comes on at this tick."""
        self._pop()
        self._pos = 0.0
        if self._head_since is None:
            self.stats.dropped += 1
        self._head_since = None

    def _pop(self) -> None:
        """Drops the first frame; a block number it still carries (never reported shown) passes to the next."""
        gone, _, block, _ = self._frames.popleft()
        if self._flow is not None:
            self._flow.gone(gone)
        if block is not None and self._frames[0][2] is None:
            frame, born, _, pos = self._frames[0]
            self._frames[0] = (frame, born, block, pos)

    def _came_on(self, now: float) -> None:
        frame, born, block, pos = self._frames[0]
        if pos is not None:
            self._on_screen_now = Shown(pos[0], pos[1], now)
            # the first frame kept: those popped before it were pushed before it
            self._on_screen_after = self.stats.pushed - len(self._frames)
            if self._frame_listeners:
                self._came.append((self._on_screen_now, self._on_screen_after))
        if block is not None:
            self._frames[0] = (frame, born, None, pos)
            if self._shown is not None:
                self._shown(block, now)

    def _tell_shown(self) -> None:
        """The frames that came on screen since the last call, to the `on_frame_shown` listeners (off the lock)."""
        with self._lock:
            came, self._came = self._came, []
            listeners = list(self._frame_listeners)
        try:
            for shown, before in came:
                self._telling = before  # read on this thread alone, by the listeners
                for listener in listeners:
                    listener(shown)
        finally:
            self._telling = None

    def run(
        self,
        emit: Callable[[np.ndarray, int], None],
        stop: threading.Event,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """Calls `emit(frame, tick)` once per camera tick on fixed deadlines until `stop` is set.

        Tick k is due at start + k/fps, so a late tick does not shift the ones after it: a short hiccup is caught
        up. If the loop falls more than half a second behind (a suspended machine), it skips the missed ticks
        instead of bursting; their numbers are skipped too, so a recording timed by tick numbers keeps real time
        (a gap in its timestamps, the last frame held), and whatever is recorded beside it stays in sync.
        """
        period = 1.0 / self.settings.fps
        start = self.clock()
        tick = 0
        while not stop.is_set():
            try:
                frame = self.tick()
                if frame is not None:
                    emit(frame, tick)
                self._tell_shown()
            except Exception as e:  # a bad frame must not stop the camera: report it, keep ticking
                self.stats.errors += 1
                # each error at once, then at most once a minute with a count: 30 a second would bury the terminal
                what = f"a camera tick failed ({e.__class__.__name__}: {e}); the camera goes on"
                line = self._tick_errors.admit((e.__class__.__name__,), what, self.clock())
                if line is not None:
                    # one write, its line end in it: the status line's thread writes between two
                    print(f"{row_cleared(sys.stderr)}vcam: {line}\n", end="", file=sys.stderr, flush=True)
            tick += 1
            now = self.clock()
            if now - (start + tick * period) > 0.5:
                tick = int((now - start) / period)
            deadline = start + tick * period
            if deadline > now:
                sleep(deadline - now)
        self.close()

    def close(self) -> None:
        """Stops the flow's worker thread, if any (`run` does when it returns)."""
        if self._flow is not None:
            self._flow.close()

    @property
    def flow_stats(self):
        """The in-between frames' figures with `smooth="flow"` (vcam.live.interp.FlowStats), else None."""
        return self._flow.stats if self._flow is not None else None
