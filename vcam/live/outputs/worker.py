"""A worker thread per output, so that a slow one never holds up the rest; opening, closing and reporting them
together."""
from __future__ import annotations

import enum
import sys
import threading
import time
from collections.abc import Callable

import numpy as np

from vcam.errors import NoDisplayError, VcamError, one_line
from vcam.live.frames import Repeated, fit
from vcam.live.mailbox import Mailbox
from vcam.live.outputs.base import Output, open_output, said_by
from vcam.live.outputs.diskerrors import disk_refusal
from vcam.outspec import FITS, OutputSpec
from vcam.words import counted, shell_word


LIVE_SKIPS_WORTH_SAYING = 30  # frames a camera or window skips before vcam says it cannot keep up
FINISHING_WORTH_SAYING = 30  # frames a recording has still to write at the close before vcam says it waits for them
DROP_WARNING_EVERY = 30.0  # seconds between two warnings about the same output dropping frames
FINISH_TIMEOUT = 10.0  # past the close deadline: for the frame in hand and closing the output (a file's last fragment)
RECORDING_QUEUE_SECONDS = 4  # a recording falling behind catches up on this much before it drops frames
# ... or on this many bytes of camera frames, whichever is fewer: at 240 fps and 1920x1080, four seconds are 6 GB,
# which a slow disk would otherwise take from the machine's memory
RECORDING_QUEUE_BYTES = 512 * 1024 * 1024
RECORDING_QUEUE_MIN = 2  # frames: one in hand, one waiting, however large


class NoDisplay(enum.Enum):
    """What an output whose display turns out, at its first frame, to be one it cannot draw on (a preview window's
    display that never answered) does: it is one setting, as a window is either beside other outputs or alone."""

    FAILS = "fails"  # as any output failing: said, stopped, the exit code 1
    LEAVES_OUT = "leaves out"  # beside other outputs: left out in one line, as at the start, the show goes on
    ENDS_SHOW = "ends show"  # alone: the show ends on it, as a display refusing at the start refuses the show


def _to_stderr(text: str) -> None:
    print(f"vcam: {text}", file=sys.stderr, flush=True)


class OutputWorker:
    """Feeds one output from its own thread. `offer` never blocks: past `queue` waiting frames the oldest go,
    counted in `dropped` and reported through `say` (at once, then at most every DROP_WARNING_EVERY seconds).

    Cameras and windows want the newest frames (open_outputs gives them a queue of 3); a recording wants every frame
    (`every_frame`, a longer queue). `no_display`: what a display it cannot draw on, found at the first frame (one that
    never answered), does (NoDisplay). LEAVES_OUT: a preview window beside other outputs is left out (`left_out`) as one
    found so at the start is: said in one line, no failure (the end says nothing of it, the exit code is not 1).
    ENDS_SHOW: a window with nothing else to show on keeps the error in `ended_show`, unsaid, for the show to end on (as
    a display refusing at the start refuses the show), rather than running on showing nothing.

    `alone`: nothing else to show on (set by open_outputs). The check an output makes as the show goes on air (a camera
    another program began writing to while the model loaded) then keeps its VcamError in `ended_show` too: at the
    open the same check refuses the show, and an output stopped alone left it running on nothing.
    """

    def __init__(self, output: Output, width: int, height: int, fit_mode: str = "letterbox", queue: int = 2,
                 every_frame: bool = False, say: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic, no_display: NoDisplay = NoDisplay.FAILS):
        if fit_mode not in FITS:
            raise ValueError(f"unknown fit {fit_mode!r}: choose {', '.join(FITS)}")
        self.output = output
        self.size = (width, height)
        self.fit_mode = fit_mode
        self.every_frame = every_frame
        self._say = say or _to_stderr
        self._clock = clock
        self._mailbox: Mailbox[tuple[np.ndarray, int, bool]] = Mailbox(queue)
        self._aired = False  # a frame of the show (not the loading card) has been taken
        self.sent = 0
        self.discarded = 0  # still waiting when the close deadline passed
        self.left_unsent = 0  # of those, still waiting when the show was left at once: none of the output's pace
        self.error: Exception | None = None
        self.no_display = no_display
        self._undrawable: NoDisplayError | None = None  # the display it could not draw on, where not a failure
        self.alone = False
        self._refused_on_air: VcamError | None = None  # its on-air check's refusal, kept for the show to end on
        self.close_error: Exception | None = None
        self._closing = False
        self._warned_drops = 0
        # frames dropped before the send that failed: those skipped while it was in hand (a display that never
        # answered) and after it (offered while it said its failure) are no slowness of the output
        self._dropped_before_failure: int | None = None
        # frames skipped while the output waited for something not its own doing (a window's display slow to
        # answer, `awaits_display`): no slowness either
        self._excused = 0
        self._next_warning = -float("inf")
        self._fit = Repeated(lambda frame: fit(frame, *self.size, self.fit_mode))
        # set once the output is closed, and waited on instead of the thread: Ctrl-C in a Thread.join (Python 3.11,
        # 3.12) marks the thread ended while it still runs, and vcam left without a recording's close, its file empty
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"output-{output.name}", daemon=True)
        self._thread.start()

    @property
    def fits(self) -> int:
        """Frames resized or framed for this output (a repeated one is not)."""
        return self._fit.made

    @property
    def dropped(self) -> int:
        """Frames that never reached the output: overflowed while it was busy, dropped at the close deadline, or left
        as the show was left at once."""
        return self._mailbox.dropped + self.discarded

    @property
    def slow_drops(self) -> int:
        """Frames dropped because the output could not keep up: `dropped`, less those skipped while the send that
        failed was in hand and after it, and those skipped while a window waited for its display's answer."""
        if not self._aired:  # never on air (the model failed to load, Ctrl-C while it loaded): the loading card's
            return 0  # skips, and those dropped at the stop's deadline (said then, as the stop's), are none of its pace
        if self._dropped_before_failure is not None:
            return self._dropped_before_failure - self._excused
        return self.dropped - self.left_unsent - self._excused

    @property
    def left_out(self) -> NoDisplayError | None:
        """Why the output was left out, its display one it cannot draw on (NoDisplay.LEAVES_OUT); None: it was not."""
        return self._undrawable if self.no_display is NoDisplay.LEAVES_OUT else None

    @property
    def ended_show(self) -> VcamError | None:
        """The error the show ends on: its display one it cannot draw on (NoDisplay.ENDS_SHOW), or its on-air check's
        refusal where it was `alone`; None: none."""
        if self._refused_on_air is not None:
            return self._refused_on_air
        return self._undrawable if self.no_display is NoDisplay.ENDS_SHOW else None

    @property
    def stuck(self) -> bool:
        """Closed, but the output is still busy: whatever it was writing may be incomplete."""
        return self._closing and not self._done.is_set()

    @property
    def failed(self) -> bool:
        return self.error is not None or self.close_error is not None or self.stuck

    def offer(self, frame: np.ndarray, tick: int, on_air: bool = True) -> None:
        """`on_air` False: `frame` is the loading card."""
        self._mailbox.put((frame, tick, on_air))

    def _run(self) -> None:
        try:
            self._feed()
        finally:  # closed on the thread that used it (GUI toolkits and encoders want that)
            try:
                self.output.close()
            except Exception as e:
                self.close_error = e
                self._say(f"closing output {self.output.name} failed: {one_line(e)}")
            finally:
                self._done.set()

    def _feed(self) -> None:
        while (item := self._mailbox.get()) is not None:
            frame, tick, on_air = item
            if self.error is not None or self._undrawable is not None or self._refused_on_air is not None:
                continue
            before = self._mailbox.dropped
            waits = getattr(self.output, "awaits_display", False)
            if on_air and not self._aired:
                self._aired = True
                # skipped while the loading card showed (the model loading, the process busy with it): nothing was
                # behind yet, and "cannot keep up" said then read as the camera's slowness
                self._excused = before
                try:
                    if (went_on_air := getattr(self.output, "went_on_air", None)) is not None:
                        went_on_air()
                except Exception as e:  # an output failing must not take the show down with it
                    self._dropped_before_failure = before
                    if self.alone and isinstance(e, VcamError):
                        self._refused_on_air = e  # said once, as the show's end
                    else:
                        self._failed(e)
                    continue
            try:
                self.output.send(self._fit(frame), tick)
                self.sent += 1
            except Exception as e:  # as above
                self._dropped_before_failure = before
                self._failed(e)
                continue
            if waits:
                self._excused += self._mailbox.dropped - before
            self._warn_if_dropping()

    def _failed(self, e: Exception) -> None:
        """An output's failure said and kept: a window with no display left out (or ending the show, said then),
        anything else stops this output while the show goes on."""
        if self.no_display is not NoDisplay.FAILS and isinstance(e, NoDisplayError):
            self._undrawable = e
            if self.no_display is NoDisplay.LEAVES_OUT:
                self._say(_no_window(e))  # ending the show, it is said once, as the show's end
            return
        self.error = e
        self._say(f"output {self.output.name} failed and is stopped: {one_line(e)}{self._fix()}; the show goes on")

    def _warn_if_dropping(self) -> None:
        if not self._aired:  # the loading card: its skips are excused as the show goes on air
            return
        dropped = self._mailbox.dropped - self._excused
        if not self.worth_saying(dropped - self._warned_drops) or self._clock() < self._next_warning:
            return
        first = self._warned_drops == 0
        self._warned_drops, self._next_warning = dropped, self._clock() + DROP_WARNING_EVERY
        what = "dropped: the recording skips them" if self.every_frame else "skipped"
        text = f"output {self.output.name} cannot keep up: {counted(dropped, 'frame')} {what}"
        if first:
            w, h = (max(16, v // 2 // 2 * 2) for v in self.size)
            # as one word: OBS's camera is `vcam:OBS Virtual Camera` (Windows, macOS), a recording's path may hold
            # a space
            text += f" (a smaller size is faster: {shell_word(f'{self.output.name}@{w}x{h}')})"
        self._say(text)

    def close(self, timeout: float = 5.0) -> None:
        """Sends what is queued and closes the output; see `close_workers`."""
        close_workers([self], timeout)

    def worth_saying(self, dropped: int) -> bool:
        """Whether this many dropped frames are news. A recording loses picture with every frame it drops. A camera
        or a window shows the newest frame anyway, and skips a few while it opens (a window being created): only a
        second's worth is worth saying. An output that never falls behind (null) skips frames only when the process
        was starved (a model busy on the CPU) or the pacer caught up late ticks: not worth saying at all."""
        if getattr(self.output, "never_behind", False):
            return False
        return dropped >= (1 if self.every_frame else LIVE_SKIPS_WORTH_SAYING)

    def _begin_close(self) -> None:
        self._closing = True
        self._mailbox.close(drain=True)
        # the output is closed on its own thread once its send returns: a send waiting (a window's display that
        # has not answered) would hold the show's end for the close timeout and more, then be said to be stuck
        if (end_wait := getattr(self.output, "end_wait", None)) is not None:
            end_wait()

    def _finish(self, deadline: float, timeout: float) -> None:
        if self._done.wait(max(0.0, deadline - time.monotonic())):
            return
        left = self._mailbox.clear()
        self.discarded += left
        # with nothing waiting, only the frame in hand holds it: no frame is dropped, as "dropping the 0 frames" said
        dropping = f"dropping the {counted(left, 'frame')} it has not taken yet and " if left else ""
        self._say(f"output {self.output.name} is still busy after {timeout:g} s: {dropping}closing it")
        if not self._done.wait(FINISH_TIMEOUT):
            self._say(f"output {self.output.name} did not close {FINISH_TIMEOUT:g} s later; leaving it "
                      "(what it was writing may be incomplete)")

    def _fix(self) -> str:
        """What to do about the output's error, where vcam can tell: a full disk, or a file at the size its file
        system allows (FAT32's 4 GB), is the likely end of a long recording, and Python's '[Errno 28] No space left
        on device' or '[Errno 27] File too large' does not say the file up to there plays, nor what to do; nor does
        '[Errno 5] Input/output error' of a disk lost mid-take (a USB stick pulled out)."""
        path = getattr(self.output, "path", None)
        room = disk_refusal(self.error, path) if self.error is not None else None
        if room is None:
            return ""
        frames = getattr(self.output, "frames", None)  # a recording's: what its file holds (whole fragments)
        # where the disk filled before the first fragment, the file holds no picture: it does not play
        held = f" ({counted(frames, 'frame')})" if isinstance(frames, int) else ""
        kept = "" if not path else "; the file holds no frame" if frames == 0 else f"; the file up to here plays{held}"
        return f"; {room.what}: {room.fix}{kept}"

    def summary(self) -> str:
        """One line for the end of the show: what reached the output, what was lost, what failed."""
        frames = getattr(self.output, "frames", None)
        written = frames if isinstance(frames, int) else self.sent  # a recording counts what its file holds
        if self.every_frame:
            where = said_by(self.output)  # /dev/stdout by the file the shell sent it to, as the start said
            head = f"recorded {counted(written, 'frame')} to {where}" if written else f"nothing recorded to {where}"
            if not written and getattr(self.output, "kept_older", False):
                head += " (the older file there is kept as it was)"  # the start said it would be replaced
        else:
            head = f"output {self.output.name}: {counted(written, 'frame')} sent"
        notes = [self.output.note] if getattr(self.output, "note", None) else []
        if self.error is not None:
            notes.append(f"FAILED and stopped: {one_line(self.error)}{self._fix()}")
        # the test report_outputs makes of naming an output at all: null is never blamed, nor a window for the
        # few frames it skips as it opens, whichever end says the line (a stop names every output)
        if (slow := self.slow_drops) and (self.failed or self.worth_saying(slow)):
            notes.append(f"{counted(slow, 'frame')} dropped (it could not keep up)")
        if self.left_unsent:  # the show stopped at once, while they waited: no slowness of the output's
            done = "written" if self.every_frame else "sent"
            them = "it was" if self.left_unsent == 1 else "they were"
            notes.append(f"{counted(self.left_unsent, 'frame')} left un{done} (the show was stopped before {them} "
                         f"{done})")
        if self.close_error is not None:
            notes.append(f"closing it FAILED: {one_line(self.close_error)}")
        if self.stuck:
            notes.append("still busy when vcam stopped, so its end may be missing")
        return "; ".join([head, *notes])


def close_workers(workers: list[OutputWorker], timeout: float = 5.0,
                  say: Callable[[str], None] | None = None) -> None:
    """Lets every output send what is queued, all within one `timeout`; past it, frames still waiting are dropped
    (and counted) but each output still finishes the frame in hand and is closed, so a recording's file is
    complete. Only an output that is stuck (FINISH_TIMEOUT more) is left behind, and says so. With `say`,
    recordings that have fallen behind are said first: their catching up is seconds in which nothing else is."""
    failure: Exception | None = None
    for w in workers:  # each output is begun and finished whatever another raised: a recording must get its end
        try:
            w._begin_close()
        except Exception as e:
            failure = failure or e
    if say is not None and (line := _finishing(workers, timeout)):
        say(line)
    deadline = time.monotonic() + timeout
    for w in workers:
        try:
            w._finish(deadline, timeout)
        except Exception as e:
            failure = failure or e
    if failure is not None:  # raised once all are closed
        raise failure


def _finishing(workers: list[OutputWorker], timeout: float) -> str | None:
    """The line for recordings with a second or more of frames still to write as the show closes (None: none)."""
    behind = [w for w in workers if w.every_frame and len(w._mailbox) >= FINISHING_WORTH_SAYING]
    if not behind:
        return None
    waiting = sum(len(w._mailbox) for w in behind)
    return (f"finishing {', '.join(w.output.name for w in behind)}: {counted(waiting, 'frame')} still to write (up to "
            f"{timeout:g} s, then the rest is dropped; Ctrl-C drops them now)")


def leave_workers(workers: list[OutputWorker], timeout: float = 1.0) -> None:
    """Leaving at once: every output drops what is queued and closes after the frame in hand, all within `timeout`
    (a recording then gets its last fragment and is complete). An output still busy after that is left as it is;
    a recording keeps the fragments already written."""
    for w in workers:
        w._closing = True
        left = w._mailbox.close(drain=False)  # counted: the end's line says them left unwritten
        w.discarded += left
        w.left_unsent += left
    deadline = time.monotonic() + timeout
    for w in workers:
        w._done.wait(max(0.0, deadline - time.monotonic()))


def open_outputs(specs: list[OutputSpec], width: int, height: int, fps: float, fit_mode: str,
                 say: Callable[[str], None] | None = None, served: bool = False) -> list[OutputWorker]:
    """Opens every output (closing those already open if one fails) and starts a worker for each; `say` gets
    their warnings (default: stderr). A preview window that cannot open (no display) is said and left out where
    other outputs are given; alone, it is the show's error. `served`: the show also goes out to vcam cam clients,
    so none of these is ever `alone`, and a window that cannot open is left out as beside another output."""
    workers: list[OutputWorker] = []
    kinds: list[str] = []
    # outputs the show can go on on without a window: a served show's clients are its audience too
    others = served or any(s.kind not in ("window", "null") for s in specs)
    try:
        for spec in specs:
            w, h = spec.width or width, spec.height or height
            try:
                out = open_output(spec, w, h, fps)
            except VcamError as e:
                if spec.kind != "window" or not others:
                    raise  # a show with nothing else to go on to (a window, or only windows and null, not served)
                # the preview is the operator's, not the audience's: on a machine with no display (a show started
                # over ssh, or by a service) the camera and the recording went off air with it, before they began
                (say or _to_stderr)(_no_window(e))
                continue
            # recordings keep every frame; live outputs keep only a few, the newest, so they never lag behind
            queue = recording_queue(fps, width, height) if spec.kind == "file" else 3
            # a display that never answers is found at the window's first frame: it is left out then, as here, or,
            # with nothing else to show on, it ends the show as it would have refused it here
            no_display = (NoDisplay.FAILS if spec.kind != "window" else
                          NoDisplay.LEAVES_OUT if others else NoDisplay.ENDS_SHOW)
            workers.append(OutputWorker(out, w, h, fit_mode, queue=queue, every_frame=spec.kind == "file", say=say,
                                        no_display=no_display))
            kinds.append(spec.kind)
    except BaseException:  # also Ctrl-C again as they open: those open are closed, their files left whole
        close_workers(workers)
        raise
    # among those that opened (a window left out at the start shows nothing); no frame has been offered yet
    for w in workers:
        w.alone = not served and not any(o is not w and kind != "null" for o, kind in zip(workers, kinds))
    return workers


def recording_queue(fps: float, width: int, height: int) -> int:
    """The frames a recording may hold while it falls behind: RECORDING_QUEUE_SECONDS of them, within
    RECORDING_QUEUE_BYTES of the camera's frames (what is queued, before each is fitted to the recording's size);
    past that the oldest are dropped, counted and said as any recording's dropped frames are."""
    frame_bytes = max(1, width * height * 3)
    return max(RECORDING_QUEUE_MIN, min(int(fps * RECORDING_QUEUE_SECONDS), RECORDING_QUEUE_BYTES // frame_bytes))


def show_ender(workers: list[OutputWorker]) -> VcamError | None:
    """The error of an output that was all the show had to show on and could not show it (None: none): a preview
    window whose display cannot be drawn on, a camera refused as the show went on air. The show ends on it."""
    return next((w.ended_show for w in workers if w.ended_show is not None), None)


def _no_window(error: VcamError) -> str:
    return f"no preview window: {one_line(error)}; the show goes on without it"


def report_outputs(workers: list[OutputWorker], say: Callable[[str], None]) -> int:
    """The end of a show: a line for every recording and for any output that lost frames or failed; the exit code
    (1 when an output failed, so a script running the show sees it)."""
    for w in workers:
        if (w.left_out is not None or w.ended_show is not None) and not w.failed:
            continue  # said as it was left out, as a window left out at the start is, or as the show's end
        if w.every_frame or w.failed or w.worth_saying(w.slow_drops):
            say(w.summary())
    failed = [w.output.name for w in workers if w.failed]
    if failed:
        say(f"exiting with code 1: output {', '.join(failed)} failed (the reason is above)")
        return 1
    return 0
