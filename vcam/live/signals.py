"""Ctrl-C, SIGTERM, a closed terminal (SIGHUP) and Windows' Ctrl-Break (SIGBREAK) as a stop request, so that
outputs are closed and recordings finalised on the way out; Ctrl-C again to leave at once."""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from contextlib import ExitStack, contextmanager
from collections.abc import Callable, Iterator

from vcam.stdio import flush_standard_streams, stop_signals


class StopEvent(threading.Event):
    """A threading.Event whose lock is re-entrant: what a stop handler sets. A handler runs in the main thread
    between any two of its bytecodes, also while that thread holds the Event's lock (inside `wait`, which a show's
    loop calls four times a second): `threading.Event.set()` there waits on a lock its own thread holds, forever,
    a show frozen by its Ctrl-C. Here that thread takes its lock again. A handler landing between a `wait`'s look
    at the flag and its sleep cannot wake that sleep, so a wait sleeps in slices of WAKE_S at most. Its state is
    its own (threading.Event's inner lock and flag are unused)."""

    WAKE_S = 0.25

    def __init__(self) -> None:
        super().__init__()
        self._reentrant = threading.Condition(threading.RLock())
        self._stopped = False
        self._waking = False

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {'set' if self._stopped else 'unset'}>"

    def is_set(self) -> bool:
        return self._stopped

    def set(self) -> None:
        with self._reentrant:
            self._stopped = True
            if self._waking:  # a handler inside this thread's own notify_all: that one wakes every waiter
                return
            self._waking = True
            try:
                self._reentrant.notify_all()
            finally:
                self._waking = False

    def clear(self) -> None:
        with self._reentrant:
            self._stopped = False

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._reentrant:
            while not self._stopped:
                left = self.WAKE_S if deadline is None else min(self.WAKE_S, deadline - time.monotonic())
                if left <= 0:
                    break
                self._reentrant.wait(left)
            return self._stopped


def stop_code(sig: int) -> int:
    """The exit code of a command a signal stopped short of its work, as a shell gives one the signal killed:
    130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    return 128 + int(sig)


def stop_said(sig: int) -> str:
    """How a line names the signal that stopped a command: "Ctrl-C", "SIGTERM"."""
    return "Ctrl-C" if sig == signal.SIGINT else signal.Signals(sig).name


CTRL_C = stop_said(signal.SIGINT)


class StopSignals:
    """What the handlers saw: `first`, the signal that asked for the stop (None: the show ended otherwise)."""

    def __init__(self, stop: StopEvent):
        self.stop = stop
        self.first: int | None = None
        self._left = False

    def handle(self, sig: int, _frame) -> None:
        if sig == signal.SIGINT and self.stop.is_set():
            # Ctrl-C while the show is stopping (a second one, or one after --duration or `quit`): leave at once.
            # Once: more presses must not cut short the little that leaving at once still does.
            if not self._left:
                self._left = True
                raise KeyboardInterrupt
            return
        if self.first is None and not self.stop.is_set():
            self.first = sig
        self.stop.set()


@contextmanager
def stop_on_signals(stop: StopEvent, raising: ExitStack | None = None) -> Iterator[StopSignals]:
    """While inside, SIGINT and SIGTERM set `stop`, and a SIGINT once `stop` is set raises KeyboardInterrupt in the
    main thread (only the main thread can install handlers; elsewhere nothing is installed). `stop` is a
    StopEvent: with a plain threading.Event the handler could wait on a lock its own thread holds. `raising`: where
    stops_raised was entered; these take over its handlers and it is closed, the defaults coming back on the way
    out: closed first, it put back a default that ended the process at once, without a word, for a SIGTERM then."""
    if not isinstance(stop, StopEvent):
        raise TypeError(f"stop_on_signals needs a StopEvent, not {type(stop).__name__}")
    signals = StopSignals(stop)
    previous = {}
    try:  # a stop raised as they go in (stops_raised's) leaves none of these behind
        if threading.current_thread() is threading.main_thread():
            for sig in stop_signals():
                # kept before it is replaced: a stop raised as signal.signal returns (by a handler of stops_raised
                # not yet replaced) left this one installed, never put back
                handler = signal.getsignal(sig)
                previous[sig] = signal.SIG_DFL if raising is not None and handler is _raise_stop else handler
                signal.signal(sig, signals.handle)
        if raising is not None:
            raising.close()
        yield signals
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """While inside, a Ctrl-C waits, and is raised as KeyboardInterrupt on the way out. For importing PyTorch: its
    import runs Python from C++ (pybind11), and a KeyboardInterrupt raised there aborted the process ("terminate
    called after throwing an instance of 'pybind11::error_already_set'", exit code 134) about one Ctrl-C in seven
    during its seconds of loading. Outside the main thread, or where SIGINT is not Python's to handle (ignored,
    as under nohup, or taken by a handler of vcam's own), nothing changes."""
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    pressed = []
    signal.signal(signal.SIGINT, lambda sig, frame: pressed.append(sig))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if pressed:
        raise KeyboardInterrupt


@contextmanager
def stops_deferred() -> Iterator[None]:
    """While inside, each stop signal whose handler is the interpreter's own or stops_raised's waits; the first is
    raised on the way out, Ctrl-C as KeyboardInterrupt, the others as StoppedLoading, also past an exception from
    inside, its cause (a write that failed after a SIGTERM ended with that error, exit code 2, the stop lost). For a
    write that must not be cut half way (a SIGTERM's default ended the process in it, without a word). A second stop
    is raised where it lands, the write given up (its own cleanup runs, the first stop raised on the way out): the
    user asked twice, as a second Ctrl-C leaves at once everywhere else. Outside the main thread nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    taken: dict[int, object] = {}

    def wait(sig: int, _frame) -> None:
        came.append(sig)
        if len(came) == 2:  # once: a third must not cut short the cleanup the second set going
            raise _stop(sig)

    # installed inside: a stop raised by a handler not yet taken (an outer stops_raised's) must not leave `wait`
    with _put_back_raising(taken, came, _stop):
        for sig in stop_signals():
            handler = signal.getsignal(sig)
            if handler is _raise_stop or handler is (signal.default_int_handler if sig == signal.SIGINT
                                                     else signal.SIG_DFL):
                taken[sig] = handler  # kept before it is replaced: a stop between the two must not lose it
                signal.signal(sig, wait)
        yield


def _stop(sig: int) -> BaseException:
    return KeyboardInterrupt() if sig == signal.SIGINT else StoppedLoading(sig)


class StoppedLoading(BaseException):
    """A stop signal (`sig`) while a command loaded, before its work began: said as a stop, not as an error. Set on
    the way up: `blocks`, those a render was to make; `code`, the command's exit code once the stop was said. Not an
    Exception, as KeyboardInterrupt is not: torch.compile wraps an Exception from inside its backend (minutes of
    building kernels) as BackendCompilerFailed, which the warm-up takes for a compiler this machine lacks and goes on
    without, and an `except Exception` meant for a load's errors would say the stop as one."""

    def __init__(self, sig: int):
        super().__init__(sig)
        self.sig = sig
        self.blocks: int | None = None
        self.code: int | None = None


def stop_signal(stop: StoppedLoading | KeyboardInterrupt) -> int:
    """The signal a stop came by: the `sig` a StoppedLoading or a bench's StoppedAfterTiming carries (a SIGTERM in
    a tune's split was said as Ctrl-C by a test of the class alone), SIGINT for a plain KeyboardInterrupt (Ctrl-C's)."""
    return getattr(stop, "sig", signal.SIGINT)


@contextmanager
def stops_held(left: Callable[[int], int]) -> Iterator[list[int]]:
    """For a command's first seconds, PyTorch's import, where nothing is open yet: each stop signal whose handler is
    still the interpreter's own (SIGINT's KeyboardInterrupt; SIGTERM's and SIGHUP's default, which ended the process
    at once with exit code 143 and no word, where a moment later the same stop was said) is taken here. SIGTERM and
    SIGHUP leave at once: `left(sig)` says the command's stop line and gives its exit code, and the process ends with
    it; a cold import can outlast docker stop's 10 s, which then killed the process without a word. Ctrl-C waits, as
    ctrl_c_held's does (a KeyboardInterrupt raised inside the import can abort the process, and a caller of vcam's
    functions expects one), and is raised as StoppedLoading on the way out, also past an exception from inside (an
    import that failed after the stop ended the command with that error, exit code 2, where the user had asked it to
    stop). A stop after it leaves at once, said, with its signal's exit code. Yields the list of those that came."""
    came: list[int] = []

    def hold(sig: int, _frame) -> None:
        came.append(sig)
        if len(came) > 1:  # a second stop: nothing is open yet, leaving at once loses nothing
            _leave_again(sig)
        if sig != signal.SIGINT:
            code = stop_code(sig)
            try:
                code = left(sig)
            except (OSError, ValueError, RuntimeError):  # the terminal gone, or the signal came inside its write
                pass
            flush_standard_streams()
            os._exit(code)

    held = _take_defaults(hold, ctrl_c=True)
    with _put_back_raising(held, came, StoppedLoading):
        yield came


@contextmanager
def _put_back_raising(taken: dict[int, object], came: list[int],
                      stop: Callable[[int], BaseException]) -> Iterator[None]:
    """On the way out, the `taken` handlers put back and the first stop that `came` raised as `stop(sig)`, also past
    an exception from inside, as its cause: the user asked to stop, which outranks the error that followed."""
    try:
        yield
    except BaseException as error:
        _put_back(taken)
        if came:
            raise stop(came[0]) from error
        raise
    _put_back(taken)
    if came:
        raise stop(came[0])


def _leave_again(sig: int, when: str = "while loading") -> None:
    flush_standard_streams()
    try:
        os.write(2, f"vcam: stopped ({stop_said(sig)}) again {when}: left at once; exit code "
                    f"{stop_code(sig)}\n".encode())
    except OSError:  # stderr closed, or its reader gone (a pipe): raised in a handler, the process did not leave
        pass
    os._exit(stop_code(sig))


class StopsBefore:
    """Ctrl-C, SIGTERM and SIGHUP whose handler is still the interpreter's own, from `hold` (PyTorch imported) to the
    show's own handlers (OnAir.run's, which takes `came`): the first is kept for the show, which stops as it starts,
    said as a stop while the model loads; SIGTERM's and SIGHUP's default ended the process at once without a word,
    Ctrl-C's KeyboardInterrupt with exit code 130 and no word. A second one leaves at once, said: nothing is on air
    yet, until `show_starts`. Only the main thread holds them."""

    def __init__(self) -> None:
        self.came: list[int] = []
        self._held: dict[int, object] = {}
        self._show: int | None = None  # how many had come at `show_starts`
        self._left: Callable[[int], int] | None = None

    def hold(self, left: Callable[[int], int] | None = None) -> None:
        """From here the stops are held; `left(sig)` says a stop while loading and gives its exit code, for
        `stop_wins`."""
        self._left = left
        self._held.update(_take_defaults(self._came, ctrl_c=True))

    def stop_wins(self) -> int | None:
        """For an error on the way to the show (an output that cannot open, a mistyped one, a busy port): where a
        stop came before the show started, it is said as a stop while loading, the exit code returned, as
        stops_held does for PyTorch's import: the error ended the command with exit code 2 where the user had
        asked it to stop, a held Ctrl-C lost. None where none came, or nothing says it: the error is the command's."""
        before = self.came if self._show is None else self.came[:self._show]
        if not before or self._left is None:
            return None
        return self._left(before[0])

    def show_starts(self) -> None:
        """From here no stop leaves at once: the show's handlers take over in a moment (those that came before
        stop it as it starts), and once they are put back here, the show's close goes on (its control log's end
        line), the stop already under way. Leaving there cut that line, said as "again while loading"; a Ctrl-C
        there, a KeyboardInterrupt, also ended the interpreter with the show's thread inside the model (exit code
        134). A Ctrl-C again leaves at once, as during the show's close."""
        self._show = len(self.came)

    @property
    def ctrl_c(self) -> bool:
        """Whether a Ctrl-C came once the show started (it leaves once the show is closed)."""
        return self._show is not None and signal.SIGINT in self.came[self._show:]

    def _came(self, sig: int, _frame) -> None:
        self.came.append(sig)
        if self._show is None:
            if len(self.came) > 1:
                _leave_again(sig, "while loading")
        elif sig == signal.SIGINT and self.came.count(sig) > 1:
            _leave_again(sig, "as the show closed")

    def close(self) -> None:
        _put_back(self._held)
        self._held = {}


@contextmanager
def stops_raised() -> Iterator[None]:
    """While inside, each stop signal but Ctrl-C whose handler is still the default (SIGTERM, SIGHUP) raises
    StoppedLoading in the main thread, as Ctrl-C raises KeyboardInterrupt: for a load that cannot poll a stop event
    (a model's), where their default ended the process at once without a word. Outside the main thread nothing
    changes. On the way out, a handler taken over meanwhile (stop_on_signals' with `raising`) is left as it is. A
    stop raised where Python cannot raise it on (an object's __del__, run as an import drops it) is raised on the way
    out of the innermost stops_raised: Python printed it as ignored and the command went on, the stop lost."""
    raising: dict[int, object] = {}
    hook = sys.unraisablehook
    lost: list[int] = []  # this stops_raised's own: a stop lost in one command must not stop a later one
    ours = _kept_lost(hook, lost)
    try:  # set up inside: a stop raised as soon as one handler is in must not leave it, or the hook, behind
        _take_defaults(_raise_stop, into=raising)
        if threading.current_thread() is threading.main_thread():  # nested too: the innermost raises what it kept
            sys.unraisablehook = ours
        yield
    finally:
        if sys.unraisablehook is ours:  # one set by another meanwhile (a test runner's) is its to put back
            sys.unraisablehook = hook
        _put_back({sig: handler for sig, handler in raising.items() if signal.getsignal(sig) is _raise_stop})
    if lost:
        raise StoppedLoading(lost[0])


def _kept_lost(hook: Callable, lost: list[int]) -> Callable:
    """`hook`, but a stop _raise_stop raised where Python cannot raise it on is kept in `lost` instead."""
    def unraisable(info) -> None:
        if isinstance(info.exc_value, StoppedLoading):
            lost.append(info.exc_value.sig)
            return
        hook(info)

    return unraisable


def _raise_stop(sig: int, _frame) -> None:
    raise StoppedLoading(sig)


def _take_defaults(handler: Callable[[int, object], None], ctrl_c: bool = False,
                   into: dict[int, object] | None = None) -> dict[int, object]:
    """`handler` on each stop signal but Ctrl-C (with `ctrl_c`, Ctrl-C too) whose handler is still the interpreter's
    own (SIGINT's KeyboardInterrupt, the others' default): one a caller or vcam set stays theirs. In the main thread
    only, the one that can install handlers; elsewhere none. Returns those replaced, for `_put_back`, kept in `into`
    as each is replaced: a stop raised by one just installed leaves the caller those to put back."""
    taken: dict[int, object] = {} if into is None else into
    if threading.current_thread() is not threading.main_thread():
        return taken
    for sig in stop_signals():
        own = signal.default_int_handler if sig == signal.SIGINT else signal.SIG_DFL
        if (ctrl_c or sig != signal.SIGINT) and signal.getsignal(sig) is own:
            taken[sig] = own  # kept before it is replaced: a stop between the two must not lose it
            signal.signal(sig, handler)
    return taken


def _put_back(handlers: dict[int, object]) -> None:
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
