"""The generator thread: loads the engine, then makes block after block and hands the frames to the pacer."""
from __future__ import annotations

import heapq
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vcam.control.actions import Action, InputBusy, InputOpener, Origin, Reset, SetInput, SetPrompts, SetSeed, apply
from vcam.control.commands import MAX_SEED
from vcam.control.console import TYPED
from vcam.control.protocol import AppliedListener, NotAppliedListener
from vcam.control.throttle import ErrorThrottle, words_of
from vcam.errors import LoadStopped, NonFiniteBlockError, VcamError, bug_place, described
from vcam.inspec import FLAG, command_fix, missing_fix, split_kind
from vcam.live.inputs.camera import HELD
from vcam.live.pacer import Pacer
from vcam.words import counted

if TYPE_CHECKING:  # vcam.live imports no torch until the model loads
    from vcam.engine.stream import Stream

RETRIES_BEFORE_RESET = 3
RETRY_WAIT_S = 0.5  # after the n-th failed block in a row the generator waits RETRY_WAIT_S * 2**n, at most the max
RETRY_WAIT_MAX_S = 8.0
# A block failing with an error already said is summed up at most this often: retried every RETRY_WAIT_MAX_S, a line
# for each retry buried everything else in the operator's terminal during a show.
SAID_AGAIN_EVERY_S = 60.0

RESTART_LINE = "restarting the stream from a fresh first block, and again at each retry while blocks fail"
NAN_RESTART = "thrown away, the stream starts over from a fresh first block with the current prompt and seed"

Failure = tuple[str, str, bool]  # an error as it is said: its class, its text, whether the GPU ran out of memory


class DeviceLostError(VcamError):
    """The GPU cannot run anything more in this process."""


@dataclass
class FailureNews:
    """What the operator is told of failed blocks: an error not said in the last SAID_AGAIN_EVERY_S in full at once;
    the same error again, blocks failing in a row, summed up at most that often (how many retries, for how long);
    the first block made after failures that were said in one line. Errors are remembered across recoveries, so a
    block that fails now and then (fail, make, fail) is said at most once a minute too, with the failures that went
    unsaid meanwhile. `clock` is the generator's (a test's fake one)."""

    clock: Callable[[], float]
    retries: int = 0  # blocks failed in a row
    since: float = 0.0  # when the first of them failed
    said_at: float = -float("inf")  # when a line about failed blocks was last said
    unsaid: int = 0  # failed blocks no line told of since then
    errors: dict[tuple[str, str], float] = field(default_factory=dict)  # each error, when last said
    lines: set[str] = field(default_factory=set)  # the lines said once while these blocks fail
    run_said: bool = False  # whether a line told of these blocks failing

    def failed(self, failure: Failure) -> str | None:
        """Counts a failed block: "new" where its error is to be said in full, "again" where it is to be summed up,
        None where nothing is to be said."""
        now = self.clock()
        if not self.retries:
            self.since, self.lines, self.run_said = now, set(), False
            # an error not said for a minute is said in full at a run's first failure either way: only the recent
            # are kept, so a show of hours remembers a minute of errors, not every one it met
            self.errors = {k: t for k, t in self.errors.items() if now - t < SAID_AGAIN_EVERY_S}
        self.retries += 1
        key = _error_key(failure)
        recent = now - self.errors.get(key, -float("inf")) < SAID_AGAIN_EVERY_S
        if key not in self.errors or (not recent and self.retries == 1):
            kind = "new"
        elif recent or now - self.said_at < SAID_AGAIN_EVERY_S:
            self.unsaid += 1
            return None
        else:
            kind = "again"
        self.errors[key] = self.said_at = now
        self.run_said = True
        return kind

    def took_unsaid(self) -> int:
        """The failed blocks no line told of before the one being said now (and none since)."""
        n, self.unsaid = self.unsaid, 0
        return n

    def once(self, line: str) -> bool:
        """Whether `line`, said once while blocks keep failing, is still to be said (and counts it as said)."""
        if line in self.lines:
            return False
        self.lines.add(line)
        return True

    def failing_for(self) -> float:
        return self.clock() - self.since

    def recovered(self) -> str | None:
        """The line that says a block was made after failed ones; None where none had failed, or none was said."""
        if not self.retries:
            return None
        line = f"generation is back after {_retries(self.retries)} over {_how_long(self.failing_for())}"
        self.retries = 0
        return line if self.run_said else None


def _error_key(failure: Failure) -> tuple[str, str]:
    """What makes two failures the same error: their class and their text but for its numbers (hex addresses too).
    Running out of memory names the allocation that failed, and another error a step or an address, which differ
    from one try to the next in what is the same trouble each time."""
    name, text, out_of_memory = failure
    return (name, "") if out_of_memory else (name, words_of(text))


def _retries(n: int) -> str:
    return f"{n} retr{'y' if n == 1 else 'ies'}"


def _how_long(seconds: float) -> str:
    """A stretch of time in an operator's words: "0.4 s", "12 s", "2 min 05 s", "1 h 02 min"."""
    if seconds < 10:
        return f"{max(0.0, seconds):.1f} s"
    whole = round(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h} h {m:02d} min"
    return f"{m} min {s:02d} s" if m else f"{s} s"


class Timetable:
    """Changes waiting for the block they go before: a replayed log's, a change on the beat's. Shared by the
    generator and `vcam render`, so that a render applies a log's changes exactly where the show did.

    A heap: a replayed log puts every change of its show here at the start (a knob's moves are a change each, so a
    long show's may be 100 000), and each block takes only those due, where sorting and copying the whole table
    before every block cost the generator tens of ms a block."""

    def __init__(self):
        self._items: list[tuple[int, int, Action, Origin | None]] = []  # (block, order it came in, …)
        self._order = 0

    def add(self, block: int, action: Action, origin: Origin | None = None) -> None:
        self._order += 1  # unique: the heap never compares two actions
        heapq.heappush(self._items, (block, self._order, action, origin))

    def due(self, block: int) -> list[tuple[Action, Origin | None]]:
        """What is due before block number `block` (and any earlier block), in the order of their blocks, then in
        the order they came; taken off the table."""
        due = []
        while self._items and self._items[0][0] <= block:
            _, _, action, origin = heapq.heappop(self._items)
            due.append((action, origin))
        return due

    def __len__(self) -> int:
        return len(self._items)


class Generator:
    """Owns the stream; everything that changes it goes through `submit` and is applied between blocks."""

    def __init__(self, open_stream: Callable[[Callable[[str], None]], Stream], pacer: Pacer,
                 log: Callable[[str], None], on_loading: Callable[[str], None] | None = None,
                 listeners: list[Callable] | None = None, open_input: InputOpener | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self._open_stream = open_stream
        self._open_input = open_input  # opens what an `input` action names (InputSwitch.open_now)
        self._pacer = pacer
        self._log = log
        self._on_loading = on_loading or (lambda msg: None)
        self.listeners = list(listeners or [])  # also given every block (the network output); must not block
        # told the number of each block as it starts, before its controls apply; must not block
        self.starting: list[Callable[[int], None]] = []
        # Changes to the stream as data, applied between blocks: (at_block or None for the next, action, origin).
        self._controls: queue.Queue[tuple[int | None, Action, Origin | None]] = queue.Queue()
        self._scheduled = Timetable()  # changes for a later block: replays, changes on the beat
        # an input whose opener was busy (InputBusy): tried again before the next block, unless a later input
        # replaces it first
        self._held_input: tuple[Action, Origin | None] | None = None
        self._applied: list[AppliedListener] = []  # told (action, block, origin) once applied: the control log
        self._not_applied: list[NotAppliedListener] = []  # told of each change that failed (vcam serve's clients)
        self._stop = threading.Event()
        self._failures = FailureNews(clock)  # what is said of blocks failing in a row
        self._clock = clock
        # a change that fails as the one before did (a text encoder that raises at every prompt): said once, then
        # at most once a minute with a count, as failing blocks are
        self._refused = ErrorThrottle(SAID_AGAIN_EVERY_S)
        self.state = "loading"
        self.error: Exception | None = None
        self.blocks = 0  # blocks whose listeners have run (handed_on: those handed to the pacer)
        # held from the stop's last check to the count of a block handed to the pacer: the end's count (handed_on)
        # then holds every block the pacer got, also one whose listeners still run
        self._handing_on = threading.Lock()
        self._handed_on = 0
        self.submitted = 0  # blocks made, counting those made after the show stopped (not handed to the pacer)
        self.stream: Stream | None = None
        self.limit: int | None = None  # stop after this many blocks (replays end where the log ended)
        self._thread = threading.Thread(target=self._run, name="generator", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def handed_on(self) -> int:
        """The blocks handed to the pacer, where `blocks` may not count the last yet (its listeners still run): a
        control log's end, which a replay makes as many blocks as."""
        with self._handing_on:
            return self._handed_on

    @property
    def failing(self) -> bool:
        """Whether the last block tried failed (and none has been made since)."""
        return self._failures.retries > 0

    def waiting(self) -> float:
        """Frames handed to the pacer and not yet played, now (Pacer.waiting)."""
        return self._pacer.waiting()

    def submit(self, action: Action, at_block: int | None = None, origin: Origin | None = None) -> None:
        """Applies `action` before the next block is submitted, or before block number `at_block` (counting
        every block submitted since the start, resets included), which makes a replayed show exact. `origin`
        (the command and its source) is passed on to the listeners."""
        self._controls.put((at_block, action, origin))

    def on_applied(self, listener: AppliedListener) -> None:
        """`listener(action, block, origin)` is called on this thread after each action is applied, with the
        number of the block it precedes; it must not block."""
        self._applied.append(listener)

    def on_not_applied(self, listener: NotAppliedListener) -> None:
        """`listener(action, origin, line, key)` is called on this thread for each change that failed as it was
        applied, whether or not its line is said here: `line` says it as this terminal does, `key` is what makes two
        such failures the same (to hold back the same again, as this terminal does); it must not block."""
        self._not_applied.append(listener)

    def stop(self, timeout: float = 2.0) -> bool:
        """Asks the loop to stop after the block in progress; waits up to `timeout` seconds. Whether it has
        stopped: a process must not exit while this thread is inside the model, where the interpreter's exit
        aborts it (SIGABRT, 'terminate called without an active exception')."""
        self._stop.set()
        if self._thread.ident is not None:  # started: a show refused before it (a busy port) never starts it
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        try:
            self.stream = self._open_stream(self._on_loading)
        except LoadStopped:  # the show stopped as the model loaded: nothing to report
            self.state = "stopped"
            return
        except Exception as e:  # reported by the main thread, which ends the run with the message
            self.error, self.state = e, "failed"
            return
        self.state = "running"
        try:
            self._loop()
        except Exception as e:  # a bug, not a bad block: the main thread ends the run with the message
            self.error, self.state = e, "failed"
            return
        finally:
            self._say_refused(None)  # the show ends: changes not applied since the last line said are counted now
        self.state = "stopped"

    def _loop(self) -> None:
        while not self._stop.is_set() and (self.limit is None or self.blocks < self.limit):
            # Faster than the camera (tiny on a CPU, small frames): no point making frames that would be dropped.
            while self._pacer.full() and not self._stop.wait(0.01):
                pass
            failed: Failure | None = None
            start_over = False
            block = self.submitted
            for listener in self.starting:
                listener(block)
            try:
                self._apply_controls()
                frames = self.stream.next_block()
                self.submitted += 1
            except Exception as e:  # keep the show on air: hold the last frame, retry, then start over
                if _device_lost(self.stream, e):
                    raise DeviceLostError(
                        f"the GPU hit an error it cannot recover from ({e.__class__.__name__}: {e})",
                        "restart vcam (what was recorded is kept); if it happens again, run with VCAM_DEBUG=1 "
                        "and keep the message") from None
                eager = self.stream.fall_back_to_eager(e)  # a recompile on air that this machine cannot build
                if eager is not None:
                    self._log(eager)
                    self._started_over()
                    continue
                failed = _failure(e)
                # a NaN kept as context would make every later block NaN: the same context gives it again
                start_over = isinstance(e, NonFiniteBlockError)
            if failed is not None:  # out of the except block: its traceback, which holds the failed block's
                # tensors, is gone now
                self._retry_after(failed, start_over)
                continue
            with self._handing_on:
                if self._stop.is_set():  # stopped while this block was made: the run has ended, and its log with it
                    break
                if (back := self._failures.recovered()) is not None:
                    self._log(back)
                self._pacer.push(frames, block)
                self._handed_on += 1
            for listener in self.listeners:
                listener(frames)
            self.blocks += 1

    def _retry_after(self, failed: Failure, start_over: bool) -> None:
        """After a failed block: its memory handed back (not a NaN block's), the failure said as FailureNews has
        it, the stream started over from the RETRIES_BEFORE_RESET-th failure in a row on (at once where
        `start_over`: a block that came out NaN, on the next seed: the same seed and prompt make the same blocks up
        to the same NaN), and a wait that doubles with each (none before a NaN block's first retry, which starts
        from fresh noise)."""
        if not start_over:  # a NaN block ran in the memory it had: handed back, the fresh first block would
            _free_gpu_memory(self.stream)  # take it from the driver again, slower, while the last frame is held
        seed = seed_after_non_finite(self.stream.settings.seed) if start_over else 0
        news = self._failures.failed(failed)
        retries = self._failures.retries
        if news == "new":  # the card's memory as the retry finds it
            unsaid = self._failures.took_unsaid()  # in a row, the retry's number tells them
            line = _failure_line(self.stream, failed, retries, unsaid if retries == 1 else 0)
            self._log(_started_over_line(self.stream, line, seed) if start_over else line)
        elif news == "again":
            self._failures.took_unsaid()  # the summary counts them
            self._log(_still_failing_line(self.stream, failed, retries, self._failures.failing_for()))
        if start_over:
            self._reseed(seed)
            self._reset_stream()
            if retries == 1:
                return
        elif retries >= RETRIES_BEFORE_RESET:
            if self._failures.once(RESTART_LINE):
                self._log(RESTART_LINE)
            self._reset_stream()
        self._stop.wait(min(RETRY_WAIT_MAX_S, RETRY_WAIT_S * 2**retries))

    def _reseed(self, seed: int) -> None:
        """The stream's noise from `seed` on, told to the listeners as a seed change, so the control log has it."""
        action = SetSeed(seed)
        apply(self.stream, action)
        self._tell(action, Origin(f"seed {seed}", "generator"))

    def _reset_stream(self) -> None:
        try:
            self.stream.reset()
        except Exception as e:  # a broken device; the next tries report it
            if self._failures.once(line := f"could not restart the stream ({e.__class__.__name__}: {e})"):
                self._log(line)
            return
        self._started_over()

    def _started_over(self) -> None:
        """The stream started over here, not by a command: told to the listeners as a reset before the block it
        starts, so that the control log has it and a replay or a render of the log starts over there too."""
        self._tell(Reset(), Origin("reset", "generator"))

    def _tell(self, action: Action, origin: Origin | None) -> None:
        for listener in self._applied:
            try:
                listener(action, self.submitted, origin)
            except Exception as e:  # a log that cannot be written must not stop the show either
                # held back and counted as refusals are: one that breaks at every change said one line for each
                line = f"control applied but not passed on ({described(e)})"
                if (said := self._refused.admit(("not passed on", e.__class__.__name__), line, self._clock())):
                    self._log(said)

    def _apply_controls(self) -> None:
        for action, origin in self._due_controls():
            if isinstance(action, SetInput):  # a later input than one held back: the held one is not put on after it
                self._held_input = None
            try:
                apply(self.stream, action, self._open_input)
            except InputBusy:  # the input on air stays a block longer: this thread never waits for a command
                self._held_input = (action, origin)
                continue
            except Exception as e:  # one bad change must not stop the show
                on_air = getattr(self.stream, "has_input", True)  # a stand-in stream without it: said as one
                self._refuse(action, origin, _input_failure(action, e, on_air, origin) or _failure(e))
                continue
            self._tell(action, origin)
        self._say_refused(self._clock())

    def _due_controls(self) -> list[tuple[Action, Origin | None]]:
        """The changes to apply before this block, in order: an input held back by a busy opener first, unless a
        later input is among them (the operator's last input is the one that goes on air)."""
        now: list[tuple[Action, Origin | None]] = []
        while True:
            try:
                at_block, action, origin = self._controls.get_nowait()
            except queue.Empty:
                break
            if at_block is None:
                now.append((action, origin))
            else:
                self._scheduled.add(at_block, action, origin)
        due = self._scheduled.due(self.submitted) + now
        held, self._held_input = self._held_input, None
        if held is not None and not any(isinstance(action, SetInput) for action, _ in due):
            due.insert(0, held)
        return due

    def _refuse(self, action: Action, origin: Origin | None, failed: Failure) -> None:
        """Says a change not applied: an error not said in the last minute for this change at once, the same again
        held back and counted (a text encoder raising at every prompt change said a line for each). A change is its
        kind and what it names (its prompts without their weights, its input): another prompt or file that fails
        with the same error is said at once, not counted as one more like the first. A typed one is always said:
        its operator has just typed it and waits for the outcome."""
        line = _with_error(self.stream, "control not applied", failed)
        key = (action.__class__.__name__, _subject(action), *_error_key(failed))
        self._tell_not_applied(action, origin, line, key)
        if origin is not None and origin.source == TYPED:
            self._log(line)
            return
        said = self._refused.admit(key, line, self._clock())
        if said is not None:
            self._log(said)

    def _tell_not_applied(self, action: Action, origin: Origin | None, line: str, key: tuple) -> None:
        """The listeners told of a change not applied: a client of vcam serve that sent it hears it on its own
        screen, where only this terminal said it."""
        for listener in self._not_applied:
            try:
                listener(action, origin, line, key)
            except Exception as e:  # noqa: BLE001 - a client gone meanwhile must not stop the show
                self._log(f"a change not applied could not be passed on ({e.__class__.__name__}: {e})")

    def _say_refused(self, now: float | None) -> None:
        """The changes not applied while their line was held back, counted once its minute has passed (all, with
        `now` None): a failure with no other after it would otherwise never be said."""
        for line in self._refused.held_back(now):
            self._log(line)


def _subject(action: Action) -> tuple:
    """What a change names, to tell two failing changes of a kind apart: a blend knob turned over two prompts is one
    subject whatever their weights, another prompt or input another."""
    if isinstance(action, SetPrompts):
        return tuple(sorted(action.prompts))
    if isinstance(action, SetInput):
        return (action.spec,)
    return ()


def _device_lost(stream: Stream, error: Exception) -> bool:
    """Whether `error` left the GPU unusable: retrying would only repeat the message while the show holds its
    last frame."""
    from vcam.engine.device import lost_with  # the model is loaded: torch is there already

    return lost_with(stream.device, error)


def _failure(error: Exception) -> Failure:
    """What is said of an error: (its class, its text, whether the GPU ran out of memory). Kept as text, so that
    the error's traceback, which holds the failed block's tensors, can go before the memory is freed."""
    from vcam.engine.device import ran_out_of_memory  # the model is loaded: torch is there already

    place = bug_place(error)  # a bug's report needs where it broke
    text = f"{error} (at {place}: a bug in vcam, please report this line)" if place else str(error)
    return error.__class__.__name__, text, ran_out_of_memory(error)


# A replayed log's camera that does not open here: the log names it, so the fix is where the replay runs or the log
REPLAYED_CAMERA = ("a replay restyles the camera its control log names: replay it where that camera is, or change "
                   "that input in the log to a clip or a picture (file:CLIP.mp4, image:PICTURE)")


def _input_failure(action: Action, error: Exception, on_air: bool = True,
                   origin: Origin | None = None) -> Failure | None:
    """An input that did not open as it came on air, said as its file or device and what to do, without the name
    of the error's class or --in's fix (a path relative to where vcam started), which were said to a typed input
    checked as it was given. It opened then, so a file not there now was there: moved or deleted since. None for
    any other failure. `on_air`: an input is on air (else the text alone is). `origin` None: a replayed log's,
    whose camera no --in or command replaces (the log names it)."""
    if not isinstance(action, SetInput) or not isinstance(error, VcamError):
        return None
    kind = split_kind(action.spec)[0].strip().lower()  # not parsed again: a spec from an older log may not parse
    fix = error.fix
    if kind in ("file", "image") and fix == missing_fix(kind):
        fix = "it was there when the input was given: put it back, or give another input"
    elif f"{FLAG} " in fix:  # the show is on air: --in is given at the start, a command gives the input now
        fix = command_fix(fix) if origin is not None else \
            (f"{HELD}; or " if fix.startswith(HELD) else "") + REPLAYED_CAMERA
    stays = "the input on air stays" if on_air else "text only stays"  # no input was on air to stay
    return "", f"{error.message}{f'; {fix}' if fix else ''}; {stays}", False


def _with_error(stream: Stream, what: str, failed: Failure) -> str:
    """`what` failed (a block, a change), in one line with its error: the card running out of memory (a block, or a
    prompt encoded on the card) is said with what the card holds, without PyTorch's paragraph."""
    name, text, out_of_memory = failed
    if not out_of_memory:
        return f"{what} ({name}: {text})" if name else f"{what} ({text})"
    from vcam.engine.memory import out_of_memory_said

    return f"{what}: {out_of_memory_said(text, stream.device)}"


def _failure_line(stream: Stream, failed: Failure, retry: int, unsaid: int = 0) -> str:
    """The line that says a block failed, with what to do where the GPU ran out of memory: said for the first
    failure in a row, and for each error not said since; with the failed blocks that went unsaid before it."""
    line = f"{_with_error(stream, 'generation failed', failed)}; holding the last frame, retry {retry}"
    if unsaid:
        line += f" (and {counted(unsaid, 'more failed block')} since the last such line)"
    if not failed[2]:
        return line
    from vcam.engine.memory import out_of_memory_fix

    return f"{line}; if it goes on: {out_of_memory_fix(stream.device, stream.engine.speed.quant)}"


def seed_after_non_finite(seed: int) -> int:
    """The seed a stream starts over on after a NaN block: the next one, as the same seed and prompt would make the
    same blocks again, up to the same NaN, over and over."""
    return (seed + 1) % (MAX_SEED + 1)


def _started_over_line(stream: Stream, line: str, seed: int) -> str:
    """A NaN block's failure line: the stream starts over on `seed`, and in a low precision, the way out where it
    recurs."""
    quant = stream.engine.speed.quant
    fix = f"; if it keeps happening, start again with --quant none ({quant} overflowed)" if quant != "none" else ""
    return f"{line}; {NAN_RESTART} {seed}{fix}"


def _still_failing_line(stream: Stream, failed: Failure, retries: int, for_s: float) -> str:
    """The line that sums up blocks failing again with an error said before."""
    return (f"{_with_error(stream, 'generation still failing', failed)}; {_retries(retries)} over "
            f"{_how_long(for_s)}, holding the last frame")


def _free_gpu_memory(stream: Stream) -> None:
    from vcam.engine.device import free_cached_memory

    free_cached_memory(stream.device)
