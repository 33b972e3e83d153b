"""The feed `vcam cam` puts on air: the blocks its link receives, with the network's side on the status line, and
when to give up on a server that never sends a frame.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from vcam.live.pacer import PacerStats
from vcam.live.status import with_screen
from vcam.remote.camscreen import covering
from vcam.remote.link import Link
from vcam.remote.rate import ByteRate

# With --duration, a client that has had no frame at all gives up after the longer of --duration and this. A
# server started together with the client may load the 14B model from disk (tens of GB of weights, then the
# compile) before its first frame, so less would end a scheduled recording that was about to begin; without any
# bound, a recording scheduled against a server that is down or stuck would run until killed.
FIRST_FRAME_WAIT_S = 600.0
# Stalls that come back within this of the last one's end (a server whose every block takes longer than the camera
# waits) are said once as such, not each time
STALLS_APART_S = 60.0


class LinkFeed:
    """The feed of `vcam cam`: blocks received by the link; the status line shows the network's side."""

    STATS_EVERY_S = 2.0

    def __init__(self, link: Link, duration: float | None = None, first_frame_wait: float = FIRST_FRAME_WAIT_S,
                 clock: Callable[[], float] = time.monotonic):
        self.link = link
        # with --duration, how long it waits for a first frame before it gives up (None: until quit)
        self.gives_up_after = None if duration is None else max(duration, first_frame_wait)
        self.gave_up = False
        self._clock = clock
        self._started = clock()
        self._last_report = 0.0
        self._down, self._up = ByteRate(), ByteRate()
        self._stall_said = False  # a stall of frames on a connection that is up has been said, its end not yet
        self._stalls_said = False  # stalls that keep coming back have been said as such
        self._resumed_at: float | None = None  # when frames last came again after a stall
        self._pushed_before = 0  # the frames on the pacer before this connection's first block came
        self._frames_seen = (0, 0.0)  # the link's frames, and when the feed last saw that count change

    def start(self) -> None:
        self._started = self._clock()
        self.link.start()

    def poll(self, stats: PacerStats) -> bool:
        link, now = self.link, self._clock()
        link.say_held_back(time.monotonic())  # the link's clock, not this feed's
        if not stats.pushed and self.gives_up_after is not None and now - self._started >= self.gives_up_after:
            self.gave_up = True  # run_cam says so
            return True
        self._down.add(now, link.bytes)
        if link.uploader is not None:
            self._up.add(now, link.uploader.bytes_sent)
        if now - self._last_report >= self.STATS_EVERY_S and link.connected and link.frames:
            link.send_stats(link.net_latency + stats.latency)  # so the server's status line shows it too
            self._last_report = now
        self._say_stall(stats, now)
        return link.refused is not None  # the show ends: no frame will ever come

    def _say_stall(self, stats: PacerStats, now: float) -> None:
        """Frames that stop coming on a connection that stays up (a server that stalls or is stopped, a tunnel or a
        network that stalls short of the keepalive's timeout) are said, and their return: the status line read LIVE
        and nothing was said, however long the camera held its last frame. A connection that drops says so itself;
        one that brought no frame yet waits for its first (a server that loads its model), and one whose first block
        is still coming is not stalled yet: the pacer's stall from before the drop, read as this connection's from
        its first frame to its first block, was said as a stall of 5 s and its end a moment later, after a server's
        restart, where the feed looked in between. Its frames that stop before that block is whole (a link or tunnel
        that stalls mid-block) are a stall all the same, once none has come for as long as the pacer waits."""
        link = self.link
        if link.frames != self._frames_seen[0]:
            self._frames_seen = (link.frames, now)
        if not link.connected or not link.frames_this_connection:
            self._stall_said = False
            self._pushed_before = stats.pushed
            return
        if stats.pushed == self._pushed_before and now - self._frames_seen[1] < link.pacer.stall_limit():
            return
        if not stats.stalled:
            if self._stall_said:
                self._stall_said = False
                self._resumed_at = now
                if not self._stalls_said:
                    link.say("frames come from the server again")
            return
        if self._stall_said:
            return
        self._stall_said = True
        shown = covering(link.screen) or ("showing the fallback image" if stats.fallback else "holding the last frame")
        if self._resumed_at is None or now - self._resumed_at >= STALLS_APART_S:
            self._stalls_said = False
            waited = link.pacer.stall_limit()  # the blocks' own pace, 5 s at least (blockgaps.py)
            link.say(f"no frame from the server for {waited:.0f} s, though the link is up (its generation stalled, "
                     f"or the network or tunnel stalls; its terminal says which): {shown}, waiting")
        elif not self._stalls_said:
            self._stalls_said = True
            link.say("frames from the server keep stopping for seconds at a time (a server slower than the "
                          "camera waits for, or a link that keeps stalling); the status line shows STALLED while "
                          f"they do, {shown}")

    def status(self, stats: PacerStats, out_fps: float, failed: list[str]) -> str:
        link = self.link
        if link.connected:
            if not link.frames:
                state = "CONNECTED, WAITING FOR THE FIRST FRAME"
            elif not link.frames_this_connection:
                state = "CONNECTED, WAITING FOR FRAMES"
            else:
                state = with_screen("STALLED" if stats.stalled else "LIVE",
                                    link.screen.mode if link.screen is not None else "live")
        elif link.token_refused:
            state = "TOKEN REFUSED, RETRYING"
        else:
            state = "SERVER NOT USABLE" if link.broken else "RECONNECTING" if link.frames else "CONNECTING"
            # the count of tries tells a server that comes back from one that never will
            state += f" ({link.tries} {'try' if link.tries == 1 else 'tries'} failed)" if link.tries else ""
        # the pacer keeps the rate it learned over a pause, to pace the frames after it, and the link the last
        # connection's latency: shown before this connection's first frame, they read as the link's now, a minute
        # into a reconnect
        this_connection = link.connected and link.frames_this_connection
        latency = f"{link.net_latency + stats.latency:4.1f} s" if this_connection else "-"
        coming = this_connection and not stats.stalled
        return " | ".join([state, *([f"FAILED {', '.join(failed)}"] if failed else []),
                           f"in {stats.production_fps if coming else 0.0:5.1f} fps", f"out {out_fps:5.1f} fps",
                           f"{self._down.rate() * 8 / 1e6:5.2f} Mbit/s", f"latency {latency}",
                           *([f"lost {lost}"] if (lost := stats.dropped + stats.skipped) else []),
                           f"buffer {stats.buffered:3.0f}", *self._upload()])

    def _upload(self) -> list[str]:
        """The upload's part of the status line: its bandwidth and how old the input frames are when sent."""
        up = self.link.uploader
        if up is None:
            return []
        if up.state != "sending":
            return [f"input {up.state.upper()}"]
        age = f"{up.age:4.2f} s old" if up.age is not None else "none sent yet"
        return [f"up {self._up.rate() / 1024:4.0f} KB/s", f"input {age}"]

    def stop(self) -> None:
        try:
            self.link.stop()
        finally:  # what the link held back is said however its stop ended
            self.link.say_held_back()
