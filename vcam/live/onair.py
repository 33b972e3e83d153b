"""On air: the one live loop behind `vcam run` and `vcam cam`.

A feed (the local model, or frames received from a `vcam serve`) pushes blocks into the pacer; the pacer's thread
emits one frame per camera tick through the screen (freeze, blackout) to every output's worker. The console and the
MIDI input send typed and played commands to whoever applies them. This module owns the order in which all of it
opens and closes, the status line, Ctrl-C, and the report at the end.
"""
from __future__ import annotations

import math
import os
import signal
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import BinaryIO, Protocol

import numpy as np

from vcam.errors import one_line
from vcam.live.frames import card
from vcam.live.interp import FlowStats
from vcam.live.outputs import (OutputSpec, OutputWorker, close_workers, leave_workers, open_outputs, report_outputs,
                               show_ender)
from vcam.live.pacer import BLOCK_FRAMES, Pacer, PacerSettings, PacerStats, block_outlasts_cap
from vcam.live.screen import Screen
from vcam.live.signals import StopEvent, StopSignals, stop_on_signals, stop_said
from vcam.live.status import StatusLine, TickCounter
from vcam.outspec import rate_said
from vcam.stdio import LEFT_AT_ONCE
from vcam.words import counted

POLL_S = 0.25  # how often the loop looks at the feed, the outputs and the clock
LEAVE_S = 1.0  # leaving at once (Ctrl-C again): how long the outputs get to close after the frame in hand


@dataclass
class AirSettings:
    """What the loop needs to know, resolved before anything opens."""

    outs: Sequence[OutputSpec]
    width: int
    height: int
    fps: float = 30.0
    fit: str = "letterbox"
    smooth: str | None = None  # between generated frames: None repeats them, "fade" or "flow"
    max_latency: float = 4.0
    # frames in a block of the feed, where known at the start (the local model's); None: not known (a server's, said
    # as its blocks come: vcam.remote.blocks)
    block_frames: int | None = BLOCK_FRAMES
    duration: float | None = None
    fallback: np.ndarray | None = None
    card: str = "loading..."  # the second line of the card shown until the first frames arrive
    stdin: bool = True
    commands: BinaryIO | None = field(default=None, repr=False)  # typed commands (default: stdin)
    # set as the console starts reading them: lines typed after the show are the show's, not the shell's
    commands_read: threading.Event | None = field(default=None, repr=False)
    # the show is also served (vcam serve): the server is an output too, so no output here is all the show has
    served: bool = False


class FeedFailed(Exception):
    """The feed broke after the show went on air: the loop ends with its message and exit code 1."""

    def __init__(self, error: Exception):
        super().__init__(str(error))
        self.error = error


class Feed(Protocol):
    """Where the frames come from. --duration counts from the first frame on air, whatever the feed: a model loads
    for minutes first, a server still loading sends none, and a recording of the loading card is not the show."""

    def start(self) -> None:
        """Begins pushing blocks into the pacer from threads of its own."""

    def poll(self, stats: PacerStats) -> bool:
        """Called every POLL_S on the main thread: True once the feed has ended by itself (a replay played out).
        Raises FeedFailed for a failure on air; any other exception means the show could not start."""

    def status(self, stats: PacerStats, out_fps: float, failed: list[str]) -> str:
        """The status line's text."""

    def stop(self) -> None:
        """Stops its threads, waiting briefly; called once, after the pacer has stopped. A thread that does not
        stop in time is not waited for (the command line leaves without it: see live/run.py)."""


class Part(Protocol):
    """Anything else that runs during the show (a MIDI input, a show watcher, a server)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


class OnAir:
    """Runs a show: `run()` opens the outputs (a card at once), starts the parts, the pacer, the feed and the
    console, loops until --duration, `quit`, Ctrl-C, SIGTERM or the feed's end, then closes everything in order
    and returns the exit code. The pacer exists from the start, for the feed to be built around it. Ctrl-C while
    it closes leaves at once (`left_at_once`, exit code 130), with threads of the show possibly still running.

    `producer_waits`: the feed waits while the pacer is full (the local model; see PacerSettings)."""

    def __init__(self, settings: AirSettings, status: StatusLine, producer_waits: bool = False):
        self.settings = settings
        self.status = status
        self.stop = StopEvent()  # a `quit` sets it too, and Ctrl-C from its handler (vcam.live.signals)
        self.ticks = TickCounter()
        self.screen: Screen | None = None
        self.feed: Feed | None = None
        s = settings
        self.pacer = Pacer(PacerSettings(fps=s.fps, smooth=s.smooth, max_latency=s.max_latency,
                                         producer_waits=producer_waits, block_frames=s.block_frames))
        self.pacer.set_card(card(s.width, s.height, ["vcam", s.card]))
        self.pacer.set_fallback(s.fallback)
        self.workers: list[OutputWorker] = []
        self.left_at_once = False
        self.stopped_by: int | None = None  # the signal that stopped the show (None: it ended otherwise)
        # --duration counted from the first frame on air in camera ticks, not by the clock of the loop that checks
        # it: a recording of 5 s at 30 fps holds 150 frames however busy the machine is
        self._end_tick: int | float | None = None
        self._over = threading.Event()
        self._said_on_air = False
        self._flow_in_duration: FlowStats | None = None  # the flow's figures at the last tick --duration records

    @property
    def reached_air(self) -> bool:
        """Whether a frame of the show (not the loading card) reached the outputs."""
        return self._said_on_air

    def set_card(self, text: str) -> None:
        """Rewrites the card's second line (the loading progress)."""
        self.pacer.set_card(card(self.settings.width, self.settings.height, ["vcam", text[:60]]))

    def run(self, feed: Feed, handle_line: Callable[[str, str], str | None], screen_state,
            parts: Sequence[Part] = (), screen: Screen | None = None, stops_before: Sequence[int] = ()) -> int:
        """`handle_line` takes the console's lines; `screen_state.screen` says live, freeze or blackout; `screen`:
        the camera's screen over `screen_state`, made by the caller where its controller sets the mode through it
        (Screen.set), else made here. `stops_before`: the signals that came before the show's handlers (StopsBefore's
        `came`, read once these are in): the first stops the show as it starts."""
        s = self.settings
        self.feed, self.screen = feed, screen if screen is not None else Screen(screen_state)
        # From before the outputs open: a SIGTERM as they opened (a file's encoder loading, a window waiting for its
        # display) ended the process at once, exit code 143 and no word, where a moment later it stopped the show
        with stop_on_signals(self.stop) as signals:
            if stops_before:
                signals.handle(stops_before[0], None)
            pacer_thread = threading.Thread(target=self.pacer.run, args=(self._emit, self.stop), name="pacer",
                                            daemon=True)
            started: list[Part] = []
            try:
                # a Ctrl-C again as they open leaves at once, said, as later (it escaped with exit code 130, no word)
                self.workers = open_outputs(list(s.outs), s.width, s.height, s.fps, s.fit, say=self.status.message,
                                            served=s.served)
                for w in self.workers:
                    self.status.message(f"output {w.output.name} at {w.size[0]}x{w.size[1]}, {rate_said(s.fps)} fps")
                if s.block_frames is not None and (slow := block_outlasts_cap(s.fps, s.max_latency,
                                                                              s.block_frames)):
                    self.status.message(slow)
                try:
                    failure = self._start_and_loop(feed, handle_line, parts, started, pacer_thread)
                except KeyboardInterrupt:
                    raise
                except BaseException:  # the show could not start: what did start is stopped, then it is raised
                    self._close(started, pacer_thread, signals)
                    report_outputs(self.workers, self.status.message)
                    raise
                close_failed = self._close(started, pacer_thread, signals)
                code = self._report(signals.first is not None)  # also when the show ends with an error
            except KeyboardInterrupt:  # Ctrl-C again while stopping, or after the show ended otherwise
                return self._leave_at_once(again=signals.first == signal.SIGINT)
            finally:
                self.stopped_by = signals.first
        if (ended := show_ender(self.workers)) is not None:
            # an output that was all the show had, found unable to show it in the poll before the show ended by itself
            # (a replay played out, --duration, a quit): unsaid until here, the show's end, as the loop raises it
            if failure is None:
                raise ended
            self.status.message(_failure_text(ended))
        if failure is not None:  # the show was on air: it ended early (exit 1), its recordings are complete
            self.status.message(_failure_text(failure.error))
            return 1
        if close_failed is not None and not code:  # said as it failed; the show itself and its outputs ended well
            self.status.message(f"exiting with code 1: stopping {close_failed[0]} failed (the reason is above)")
            return 1
        return code

    def _start_and_loop(self, feed: Feed, handle_line: Callable[[str, str], str | None], parts: Sequence[Part],
                        started: list[Part], pacer_thread: threading.Thread) -> FeedFailed | None:
        """Starts the parts (into `started`), the pacer, the feed and the console, and loops until the show ends;
        a failure on air is returned. Stopped as the outputs opened, nothing starts: the stop is the show's end (it
        went on to start its parts and the feed, "building tiny" after "stopping on SIGTERM …")."""
        if self.stop.is_set():
            return None
        for part in parts:  # first: a busy port or a missing controller is said before the model
            part.start()
            started.append(part)
        pacer_thread.start()
        feed.start()
        if self.settings.stdin:
            from vcam.control.console import Console

            Console(handle_line, self.status.message, self.settings.commands, stopping=self._stopping).start()
            if self.settings.commands_read is not None:
                self.settings.commands_read.set()
        try:
            self._loop()
        except FeedFailed as e:
            return e
        return None

    def _loop(self) -> None:
        while not self.stop.wait(POLL_S):
            stats = self.pacer.stats
            if self.feed.poll(stats):
                return
            if (ended := show_ender(self.workers)) is not None:
                # nothing is left to show the show on: refused as at the start (its message and fix, exit code 2), a
                # display that never answers being the one that refuses it there
                raise ended
            if self.status.due():  # a log's line, every 10 s, was built 4 times a second and thrown away
                failed = [w.output.name for w in self.workers if w.error is not None]
                self.status.update(self.feed.status(stats, self.ticks.fps(), failed))
            if self._over.is_set():
                return

    def _emit(self, frame: np.ndarray, tick: int) -> None:
        self.ticks.next()  # the output frame rate on the status line
        last = self.pacer.last_tick()
        frame = self.screen.apply(frame, last.showing, covered=last.covered, on_air=last.on_air)
        on_air = last.on_air  # this tick's: a block pushed since the tick made the card is not in `frame`
        if on_air and self._past_duration(tick):
            on_air = False  # the show's time is up: recordings end here, the loop closes the rest
        elif on_air and self.settings.duration is not None and (flow := self.pacer.flow_stats) is not None:
            # the camera ticks on past the duration until the loop closes the show: the end's flow line counted
            # those ticks too ("253 camera frames by flow" beside "recorded 240 frames")
            self._flow_in_duration = replace(flow)
        if on_air and not self._said_on_air:
            # said before the outputs get the frame: a recording that fails on it is said after, not as a fault of
            # the start (a feed without the method says it from its poll)
            self._said_on_air = True
            if (said := getattr(self.feed, "went_on_air", None)) is not None:
                self._say_closing(said)  # a terminal gone must not keep the first frame from the outputs
        for w in self.workers:
            if w.every_frame and not on_air:  # recordings hold the show, not the loading card
                continue
            w.offer(frame, tick, last.on_air)  # past --duration a live output still shows the show

    def _past_duration(self, tick: int) -> bool:
        """Whether --duration, counted in camera ticks from the first tick on air, has run out at `tick` (then the
        loop is told to end)."""
        s = self.settings
        if s.duration is None:
            return False
        if self._end_tick is None:
            ticks = s.duration * s.fps
            # a length no float counts in ticks (--duration 1e308) failed every camera tick: nothing was recorded
            self._end_tick = tick + max(1, round(ticks)) if math.isfinite(ticks) else math.inf
        if tick < self._end_tick:
            return False
        self._over.set()
        return True

    def _stopping(self) -> bool:
        """Whether the show is ending: stopped, or its --duration over, which the pacer's thread sees up to a poll
        before the main thread stops the show (a line typed between the two was applied after the recordings
        ended)."""
        return self.stop.is_set() or self._over.is_set()

    def _close(self, started: list[Part], pacer_thread: threading.Thread,
               signals: StopSignals) -> tuple[str, Exception] | None:
        """Stops the parts, the pacer, the feed, then closes the outputs: each step runs whatever the steps before
        it raised (a part that failed to stop must not leave a recording without its end, nor the feed running),
        each failure said in one line (with VCAM_DEBUG its traceback too); the first is returned with what failed.
        A KeyboardInterrupt (Ctrl-C again) is not caught: it leaves at once."""
        self.stop.set()
        self._say_closing(self.status.end)
        if signals.first == signal.SIGINT:  # said at once: closing can take seconds (a block, a recording's queue)
            self._say_closing(self.status.message, "stopping … (Ctrl-C again to leave at once)")
        elif signals.first is not None:  # docker stop, systemd, kill, a closed terminal: the log says why it ended
            self._say_closing(self.status.message, f"stopping on {stop_said(signals.first)} …")
        steps: list[tuple[str, Callable[[], None]]] = [(_part_name(p), p.stop) for p in reversed(started)]
        steps += [("the camera's pacer", lambda: self._end_pacer(pacer_thread)),
                  ("the feed", self.feed.stop),
                  # last: returns once every recording's file is complete
                  ("the outputs", lambda: close_workers(self.workers, say=self.status.message))]
        first: tuple[str, Exception] | None = None
        said: set[str] = set()
        for what, step in steps:
            try:
                step()
            except Exception as e:
                # once: the server closes the controller first, and the show's step for it may fail alike after it
                if (why := one_line(e)) not in said:
                    said.add(why)
                    self._say_closing(self.status.message,
                                      f"stopping {what} failed: {why}; the rest of the show was still closed")
                    if os.environ.get("VCAM_DEBUG"):  # the one line replaced the traceback the command line showed
                        self._say_closing(traceback.print_exception, type(e), e, e.__traceback__)
                first = first or (what, e)
        return first

    def _report(self, stopped: bool) -> int:
        """The end's lines on the outputs (report_outputs), and its exit code. `stopped`: by a signal, whose
        `stopping …` line waits for an end: where no output has a line of its own there (none recording, none
        failed: `--out null`), each says what it was sent, or the show ended without a word after `stopping …`."""
        said: list[str] = []

        def say(text: str) -> None:
            said.append(text)
            self.status.message(text)

        code = report_outputs(self.workers, say)
        if stopped and not said:
            for w in self.workers:
                if w.left_out is None and w.ended_show is None:  # those were said as they were left out
                    # its count alone: a frame skipped where it is never behind (null) is no slowness of its own
                    frames = getattr(w.output, "frames", None)
                    sent = frames if isinstance(frames, int) else w.sent
                    self._say_closing(self.status.message, f"output {w.output.name}: {counted(sent, 'frame')} sent")
        return code

    @staticmethod
    def _say_closing(say: Callable[..., None], *args) -> None:
        """A line said as the show closes: a terminal gone (its window closed, the SIGHUP that ends the show) must
        not keep the steps after it from closing the recordings."""
        try:
            say(*args)
        except (OSError, ValueError):  # ValueError: stderr closed
            pass

    def _end_pacer(self, pacer_thread: threading.Thread) -> None:
        if pacer_thread.ident is not None:
            pacer_thread.join(2.0)
        self._report_flow()
        if errors := self.pacer.stats.errors:  # said as they came at most once a minute: the count is here
            self.status.message(f"{counted(errors, 'camera tick')} failed in all; the camera went on after each")

    def _report_flow(self) -> None:
        """With --smooth flow: what its in-between frames were and cost (flow_report), with --duration up to the
        last tick it records."""
        fs = self._flow_in_duration or self.pacer.flow_stats
        if fs is not None and (line := flow_report(fs)):
            self.status.message(line)

    def _leave_at_once(self, again: bool) -> int:
        """Without waiting for the feed, the parts or a recording's queue: the outputs get LEAVE_S to close after
        the frame in hand, so a recording usually ends complete, and keeps its written fragments if not. `again`:
        a Ctrl-C had stopped the show; the first one after --duration, `quit` or SIGTERM was said as "again" too."""
        self.left_at_once = True
        self.stop.set()
        self.status.end()
        leave_workers(self.workers, LEAVE_S)
        for w in self.workers:
            if w.every_frame:
                self.status.message(w.summary())
        when = "again" if again else "as the show closed"
        self.status.message(f"left at once (Ctrl-C {when}); exit code {LEFT_AT_ONCE}")
        return LEFT_AT_ONCE


def _part_name(part: Part) -> str:
    """How the end names a part that failed to stop: in its own words (`what`: "the MIDI input") where it has them,
    else by its kind."""
    what = getattr(part, "what", None)
    return what if isinstance(what, str) and what else type(part).__name__


def flow_report(fs: FlowStats) -> str | None:
    """The end's line on --smooth flow (None where no camera frame fell between two generated ones): the frames
    made by flow and what they cost, the pairs that wanted none, and why others were cross-faded, with the counts
    that are not zero. A pair of generated frames that lasts a camera tick wants no in-between frame
    (interp.phases): where no pair wanted one, generation kept up with the camera and there is nothing to act on."""
    if not (fs.flowed or fs.faded or fs.unneeded):
        return None
    unneeded = f"no in-between frames were needed for {counted(fs.unneeded, 'pair')} of generated frames"
    # pairs made ahead that never came on screen between ticks (dropped past the latency cap at a slow camera, or
    # lasting a tick once the rate was known) made no camera frame: "0 camera frames by flow" said nothing to act on
    if not (fs.flowed or fs.faded or fs.skipped or fs.failed):
        return f"smooth flow: {unneeded}: generation keeps up with the camera"
    said: list[str] = []
    if fs.flowed and fs.pairs:  # the running costs are of the pairs made: none made, none measured
        said.append(f"{counted(fs.flowed, 'camera frame')} by flow ({fs.cost_ms:.1f} ms of flow per pair of generated "
                    f"frames, {fs.frame_ms:.1f} ms per in-between frame)")
    if fs.unneeded:
        said.append(f"{unneeded} ({_their(fs.unneeded)} frames lasted about a camera tick each)")
    if fs.faded:
        said.append(f"{counted(fs.faded, 'camera frame')} cross-faded as {_their(fs.faded)} in-between frames were "
                    "not ready")
    if fs.skipped:
        said.append(f"{counted(fs.skipped, 'pair')} of generated frames left to the cross-fade as {_their(fs.skipped)} "
                    "flow would not be ready in time: the CPU is too slow or busy for it (--smooth fade cross-fades "
                    "without its cost)")
    if fs.failed:
        first = f"; the first: {fs.first_failure}" if fs.first_failure else ""
        said.append(f"the flow failed on {counted(fs.failed, 'pair')} of generated frames (cross-faded{first})")
    return "smooth flow: " + "; ".join(said)


def _their(n: int) -> str:
    """The possessive for `n` things just counted (words.counted): "1 pair … its flow", "2 pairs … their flow"."""
    return "its" if n == 1 else "their"


def _failure_text(error: Exception) -> str:
    from vcam.errors import VcamError

    if isinstance(error, VcamError):
        return f"error: {error}"  # its message, and the fix on a line of its own
    return (f"error: the show stopped ({error.__class__.__name__}: {error}); set VCAM_DEBUG=1 for the full "
            "traceback")
