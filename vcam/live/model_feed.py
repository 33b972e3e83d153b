"""The feed of a local show: the model on this machine, through the producer thread, with what the operator sees of
it (loading progress on the card, "on air", stalls, VRAM on the status line)."""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from vcam.errors import VcamError
from vcam.live.pacer import PacerStats
from vcam.live.onair import FeedFailed
from vcam.live.producer import Generator
from vcam.live.status import format_status, with_screen


class NeverOnAir(VcamError):
    """The model loaded, and no block came in time: the show gives up with exit code 2. Raised while the show's
    producer is still inside that block, which `vcam.live.run` waits for or leaves (never the interpreter's exit)."""

# A stall within this long of the last one's end is the same slowness (a block takes longer than the pacer's stall
# limit, Pacer.stall_limit: a big size on a CPU), said once rather than at every block.
STALLS_APART_S = 60.0
PRODUCER_STOP_S = 2.0  # how long the end waits for a block in progress (a GPU's ends by then; a big one on a CPU not)
# On a CPU a block takes seconds (the tiny model's too, mostly in the VAE decode), and its frames are thrown away: the
# end waits only for a producer between blocks (its wait for room in the pacer is 10 ms), where a Ctrl-C waited 2 s.
CPU_STOP_S = 0.1
# --duration counts from the first frame on air (loading takes minutes). With --duration, a show whose model has
# loaded but that has made no block gives up after the longer of --duration and this, as vcam cam does waiting for a
# server's first frame: a size too big for the machine would otherwise keep a scheduled show on the loading card
# for ever. Counted from the end of loading, so a first download or compile is never cut short.
FIRST_BLOCK_WAIT_S = 600.0
# A gap this long between two of the show's polls (4 a second), over which the camera's thread made under a tick a
# second (it makes its frame rate's), is the process itself stopped (a SIGSTOP, Ctrl-Z, a paused container), every
# thread with it: the stalls it leaves are not the generator's slowness. The loop alone held up (a status line
# written to a stalled terminal) is not: the camera ticked on meanwhile.
PAUSED_S = 10.0
# The stalls that begin this soon after such a pause are the pause's (the frames waiting were dropped as too old,
# the rate measured across it): said as stalls, never as generation that keeps stalling.
AFTER_PAUSE_S = 30.0
# The card's memory on the status line is read from the driver at most this often, not at each of the terminal's 4
# redraws a second: a call into CUDA on the main thread, beside the generator's launches, for a number that moves
# with blocks, not ticks.
VRAM_EVERY_S = 1.0


class ModelFeed:
    def __init__(self, producer: Generator, say: Callable[[str], None], on_air_text: str,
                 preset_name: Callable[[], str | tuple[str, str, float] | None], screen: Callable[[], str],
                 extra_status: Callable[[], str] | None = None, clock: Callable[[], float] = time.monotonic,
                 duration: float | None = None, first_block_wait: float | None = None,
                 paused_after: float | None = None, columns: Callable[[], int | None] = lambda: None):
        """`columns`: the width of the terminal the status line is drawn on (None: a log, never cut)."""
        self.producer = producer
        self.say = say
        self.on_air_text = on_air_text
        self.preset_name = preset_name
        self.screen = screen
        self.extra_status = extra_status
        self.columns = columns
        self.clock = clock
        self._on_air = False
        self._on_air_lock = threading.Lock()
        self._stalled = False
        self._resumed_at = -float("inf")
        self._said_slow = False
        self.duration = duration
        wait = FIRST_BLOCK_WAIT_S if first_block_wait is None else first_block_wait
        self.gives_up_after = None if duration is None else max(duration, wait)
        self._started = clock()
        self._loaded_at: float | None = None
        self._said_loading = False
        self._vram_read: tuple[float, tuple[float, float] | None] | None = None  # (when, what) the card last said
        # a gap between polls past which the process was paused (None: polls are not regular, no pause looked for)
        self.paused_after = paused_after
        self._polled_at: tuple[float, int] | None = None  # when the last poll came, and the camera's ticks then
        self._paused_at = -float("inf")

    def start(self) -> None:
        self._started = self.clock()
        self.producer.start()

    def poll(self, stats: PacerStats) -> bool:
        self._look_for_pause(stats.ticks)
        producer = self.producer
        if producer.state == "failed":
            if not stats.pushed or os.environ.get("VCAM_DEBUG"):
                raise producer.error  # the show could not start: a usage or setup error (exit 2)
            raise FeedFailed(producer.error)
        if not stats.pushed and self.duration is not None:
            self._wait_for_air()
        if stats.pushed and not self._on_air:
            self.went_on_air()
        if stats.stalled != self._stalled:
            self._stalled = stats.stalled
            self._say_stall(stats)
        # a replay played to its end: the frames waiting now, read after the state (the last block is pushed before
        # the producer stops), not `stats.buffered`, which is as of the last tick: a last block pushed since then
        # read as played, and the show ended without it (a tick at most after a drained buffer's push)
        return producer.state == "stopped" and producer.waiting() <= 0

    def _look_for_pause(self, ticks: int) -> None:
        """Says a pause of the process itself (the gap since the last poll past `paused_after`, the camera's
        `ticks` stopped with it), and forgets the stalls before it: the one it leaves is not a block too slow."""
        now = self.clock()
        last, self._polled_at = self._polled_at, (now, ticks)
        if self.paused_after is None or last is None:
            return
        gap = now - last[0]
        if gap < self.paused_after or ticks - last[1] >= gap:
            return
        self._paused_at = now
        if not self._said_slow:  # a slowness said before the pause stays said: its stalls stay quiet
            self._resumed_at = -float("inf")
        # stopped (SIGSTOP, Ctrl-Z), a suspended container, or starved of the CPU: the check sees only the gap
        self.say(f"vcam did not run for {gap:.0f} s (the process was stopped, suspended or starved): the stall it "
                 "leaves is not the generator's")

    def went_on_air(self) -> None:
        """Says the show is on air, once: from the pacer's thread as the first frame on air goes to the outputs, or
        from `poll`, whichever comes first. A recording that fails on that frame (a full disk) said so before the
        loop's next look said "on air", and its line read as a fault of the start."""
        with self._on_air_lock:
            if not self._on_air:
                self._on_air = True
                self.say(self.on_air_text)

    def _wait_for_air(self) -> None:
        """Before the first block, with --duration: says once that the duration has not begun, and gives up (the
        show could not start) when no block has come the longer of --duration and FIRST_BLOCK_WAIT_S after the
        model loaded."""
        now = self.clock()
        if not self._said_loading and now - self._started >= self.duration:
            self._said_loading = True
            self.say(f"--duration {self.duration:g} s counts from the first frame on air: not on air yet")
        if self.producer.state != "running":
            return  # loading (a download, a compile), or stopped with no block to play
        if self._loaded_at is None:
            self._loaded_at = now
        if now - self._loaded_at < self.gives_up_after:
            return
        if getattr(self.producer, "failing", False):
            # a broken weight file or an overflow (every block NaN): a smaller size would not help
            raise NeverOnAir(f"no block came within {self.gives_up_after:g} s of the model loading, so the show never "
                             "went on air: every block failed", "do what the failure line above says")
        raise NeverOnAir(f"no block came within {self.gives_up_after:g} s of the model loading, so the show never "
                         "went on air (--duration counts from the first frame on air)",
                         "give a smaller --size (or fewer --steps): this machine is too slow for these blocks")

    def _say_stall(self, stats: PacerStats) -> None:
        """A stall and its end are said; stalls that keep coming back (each block slower than the stall limit)
        are said once as such, then not again until generation has kept up for STALLS_APART_S. Each says what the
        camera shows meanwhile: the fallback image where one is set, else the last frame."""
        now = self.clock()
        if not stats.stalled:
            if not self._said_slow:
                self.say("generation resumed")
            # a stall the pause left is no slowness to count (but a slowness said before it goes on as it was)
            if now - self._paused_at >= AFTER_PAUSE_S or self._said_slow:
                self._resumed_at = now
        elif now - self._resumed_at >= STALLS_APART_S or now - self._paused_at < AFTER_PAUSE_S and not self._said_slow:
            self._said_slow = False
            shown = "showing the fallback image" if stats.fallback else "holding the last frame"
            self.say(f"generation stalled: {shown}")
        elif not self._said_slow:
            self._said_slow = True
            rate = f" ({stats.production_fps:.1f} frames/s)" if stats.production_fps else ""
            held = "the fallback image is shown" if stats.fallback else "the last frame is held"
            self.say(f"generation keeps stalling: each block takes longer than the camera can wait{rate}; {held} "
                     "between blocks (a smaller --size or fewer --steps is faster)")

    def status(self, stats: PacerStats, out_fps: float, failed: list[str]) -> str:
        state = with_screen("STALLED" if stats.stalled else ("LIVE" if stats.pushed else "LOADING"), self.screen())
        # a rate of 0 is none measured yet (one block so far): no rate is read from a single arrival
        text = format_status(stats.production_fps or None, out_fps, stats.buffered, stats.latency, self._vram(),
                             self.preset_name(), state, failed, stats.dropped + stats.skipped, self.columns())
        extra = self.extra_status() if self.extra_status else ""
        return text + (f" | {extra}" if extra else "")

    def _vram(self) -> tuple[float, float] | None:
        stream = self.producer.stream
        if stream is None or stream.device.type != "cuda":
            return None
        from vcam.engine.memory import card_use  # torch is loaded by now: the stream is on the card

        now = self.clock()
        if self._vram_read is not None and now - self._vram_read[0] < VRAM_EVERY_S:
            return self._vram_read[1]
        # None where the card does not answer (its context lost): the producer says so and ends the show, which an
        # error raised here in the main loop would end first, as an internal error
        self._vram_read = (now, card_use(stream.device))
        return self._vram_read[1]

    def stop(self) -> None:
        """Asks the producer to stop between blocks. On a card, a block still in progress after PRODUCER_STOP_S is
        not waited for: the outputs close meanwhile, and the command line then leaves without it (live/run.py). On
        a CPU (or with the model still loading) it is not waited for at all: its frames would be thrown away, and
        its VAE decode, which cannot be interrupted, can take tens of seconds at a big size."""
        stream = self.producer.stream
        on_gpu = stream is not None and stream.device.type != "cpu"
        self.producer.stop(timeout=PRODUCER_STOP_S if on_gpu else CPU_STOP_S)
