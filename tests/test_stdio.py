"""stderr that outlives its reader: a show's messages never take the show down."""
import contextlib
import os

import pytest

from vcam import stdio
from vcam.stdio import QuietWhenGone


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="reads where a descriptor points from /proc")
def test_a_write_to_a_pipe_whose_reader_left_is_dropped_and_the_next_ones_too():
    r, w = os.pipe()
    os.close(r)  # `vcam run … 2>&1 | head -2` once head has its lines
    stream = QuietWhenGone(os.fdopen(w, "w"), w)
    assert stream.write("vcam: building tiny\n") == len("vcam: building tiny\n")
    stream.flush()  # EPIPE: now the null device
    assert stream.gone
    stream.write("vcam: on air\n")
    stream.flush()
    assert os.readlink(f"/proc/self/fd/{w}") == os.devnull
    assert not stream.isatty()
    stream.close()


def test_a_working_stream_is_left_as_it_is(tmp_path):
    path = tmp_path / "err.txt"
    with open(path, "w") as f:
        stream = QuietWhenGone(f, f.fileno())
        stream.write("vcam: on air\n")
        stream.flush()
        assert not stream.gone and stream.name == str(path)
    assert path.read_text() == "vcam: on air\n"


CTRL_C_AT_EXIT = """
import atexit, os, signal, sys, time
sys.argv = ["vcam", "models"]
def exit_hook():  # as torch's own: a moment of work while the interpreter ends, when Ctrl-C comes
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(2)
atexit.register(exit_hook)
from vcam.cli import main
sys.exit(main())
"""


def test_ctrl_c_while_vcam_exits_leaves_at_once_with_130_and_no_traceback():
    """It printed 'Exception ignored in atexit callback' with a KeyboardInterrupt traceback, and exited 0."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", CTRL_C_AT_EXIT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 130 and "Traceback" not in done.stderr, done.stderr
    assert "krea-14b" in done.stdout  # the command's own output came out first


def test_a_ctrl_c_while_pytorch_loads_waits_for_the_import_and_is_raised_after_it():
    """A KeyboardInterrupt raised while PyTorch's import ran Python from C++ aborted the process (exit code 134)."""
    import signal
    import threading

    from vcam.live.signals import ctrl_c_held

    assert threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        reached = []
        with pytest.raises(KeyboardInterrupt):
            with ctrl_c_held():
                os.kill(os.getpid(), signal.SIGINT)
                for _ in range(1000):  # the handler runs between bytecodes: many chances to raise here
                    reached.append(1)
        assert len(reached) == 1000  # nothing was raised inside
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        with ctrl_c_held():  # no Ctrl-C: nothing raised
            pass
    finally:
        signal.signal(signal.SIGINT, previous)



@pytest.fixture
def own_stop_handlers():
    """SIGINT, SIGTERM and SIGHUP as a fresh interpreter has them (the ones stops_held holds), put back after."""
    import signal

    own = {signal.SIGINT: signal.default_int_handler, signal.SIGTERM: signal.SIG_DFL, signal.SIGHUP: signal.SIG_DFL}
    previous = {sig: signal.signal(sig, handler) for sig, handler in own.items()}
    yield own
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def test_stops_held_holds_a_ctrl_c_to_the_end_and_puts_the_handlers_back(own_stop_handlers):
    """A KeyboardInterrupt raised inside PyTorch's import could abort the process (exit code 134); a handler not the
    interpreter's own (nohup's, vcam's) is left as it is."""
    import signal

    from vcam.live.signals import StoppedLoading, stops_held

    theirs = []
    signal.signal(signal.SIGHUP, lambda sig, frame: theirs.append(sig))
    reached = []
    with pytest.raises(StoppedLoading) as stopped:
        with stops_held(lambda sig: pytest.fail("a Ctrl-C is raised on the way out, not left on")) as came:
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(1000):  # the handler runs between bytecodes: many chances to raise in here
                reached.append(1)
            assert came == [signal.SIGINT]
            os.kill(os.getpid(), signal.SIGHUP)
    assert stopped.value.sig == signal.SIGINT and len(reached) == 1000
    assert theirs == [signal.SIGHUP]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with stops_held(lambda sig: pytest.fail("no stop came")) as came:  # no stop: nothing raised
        pass
    assert came == []


def test_a_stop_held_wins_over_the_import_that_failed_after_it(own_stop_handlers):
    """Ctrl-C and then a failed PyTorch import (a broken install) ended vcam with the import's error, exit code 2,
    where the user had asked it to stop."""
    import signal

    from vcam.live.signals import StoppedLoading, stops_held

    with pytest.raises(StoppedLoading) as stopped:
        with stops_held(lambda sig: pytest.fail("a Ctrl-C is raised on the way out, not left on")):
            os.kill(os.getpid(), signal.SIGINT)
            raise ImportError("libtorch_cpu.so: cannot open shared object file")
    assert stopped.value.sig == signal.SIGINT and isinstance(stopped.value.__cause__, ImportError)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(ImportError):  # no stop: the error is the command's
        with stops_held(lambda sig: pytest.fail("no stop came")):
            raise ImportError("libtorch_cpu.so: cannot open shared object file")


def test_a_stop_deferred_wins_over_the_write_that_failed_after_it(own_stop_handlers):
    """A SIGTERM as the tuning was written, and then the write's OSError (a newer vcam's file found there): the
    error alone came out, exit code 2, the stop lost."""
    import signal

    from vcam.live.signals import StoppedLoading, stops_deferred

    with pytest.raises(StoppedLoading) as stopped:
        with stops_deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            raise OSError("it was written by a newer vcam: not replaced")
    assert stopped.value.sig == signal.SIGTERM and isinstance(stopped.value.__cause__, OSError)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    with pytest.raises(KeyboardInterrupt):
        with stops_deferred():
            os.kill(os.getpid(), signal.SIGINT)
            raise OSError("No space left on device")
    with pytest.raises(OSError):  # no stop: the error is the write's
        with stops_deferred():
            raise OSError("No space left on device")


def test_a_stop_raised_inside_a_del_still_stops(own_stop_handlers):
    """A SIGTERM whose StoppedLoading was raised inside an object's __del__ (regex's, as transformers is imported in
    a tune's first candidate) was printed by Python as ignored, and the tune went on to exit code 0."""
    import signal

    from vcam.live.signals import StoppedLoading, stops_raised

    class Dropped:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):  # the handler runs between bytecodes: here, inside the __del__
                pass

    with pytest.raises(StoppedLoading) as stopped:
        with stops_raised():
            with stops_raised():  # a load's own, inside a tune's: the stop comes out of it
                Dropped()
            pytest.fail("the stop was lost")
    assert stopped.value.sig == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_stop_lost_in_a_del_under_a_failing_command_does_not_stop_the_next(own_stop_handlers):
    """A stop kept from a __del__ while its command failed anyway goes with that command: a later load in the same
    process (a test run's, an on-air reload's) is not stopped by it."""
    import signal

    from vcam.live.signals import stops_raised

    class Dropped:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(1000):
                pass

    with pytest.raises(ValueError):
        with stops_raised():
            Dropped()
            raise ValueError("the command's own error")
    with stops_raised():
        pass  # no stop was sent here


# Two stops while PyTorch would import, with stderr's reader gone (`vcam run … 2>&1 | head`, a closed log pipe)
SECOND_STOP_TO_A_GONE_READER = """
import os, signal
read, write = os.pipe()
os.close(read)
os.dup2(write, 2)
from vcam.live.signals import stops_held
with stops_held(lambda sig: 0):
    os.kill(os.getpid(), signal.SIGINT)  # held to the end
    os.kill(os.getpid(), signal.SIGINT)  # again: leaves at once
    for _ in range(1000):
        pass
"""


def test_a_second_stop_leaves_at_once_with_its_code_when_stderr_s_reader_is_gone():
    """Its line's write raised BrokenPipeError inside the signal handler: the process did not leave, and ended
    with exit code 1 once the error came out of the stop held."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", SECOND_STOP_TO_A_GONE_READER], capture_output=True, timeout=120)
    assert done.returncode == 130


def test_ctrl_c_inside_a_write_to_the_terminal_still_leaves_with_130(monkeypatch):
    """The handler can run inside stderr's own write (a paused terminal, a full pipe): its flush then raises
    RuntimeError ("reentrant call inside <_io.BufferedWriter>"), which came out of an exit hook instead of the
    exit."""
    import signal
    import sys

    import vcam.stdio

    class Writing:
        def flush(self):
            raise RuntimeError("reentrant call inside <_io.BufferedWriter name='<stderr>'>")

    left = []
    monkeypatch.setattr(sys, "stderr", Writing())
    monkeypatch.setattr(vcam.stdio.os, "_exit", left.append)
    vcam.stdio._leave(signal.SIGINT, None)
    assert left == [130]


LEAVE_AFTER_MAIN = """
import gc, sys
sys.argv = ["vcam", "models"]
from vcam.cli import main
code = main()
print("frozen", gc.get_freeze_count(), file=sys.stderr)
sys.exit(code)
"""


def test_the_command_line_leaves_its_objects_to_the_os_rather_than_collect_them_at_exit():
    """The interpreter's exit collected PyTorch's and the model's objects several times over: 1-3 s after a show had
    ended (Ctrl-C of `vcam serve --model tiny` on a CPU). Frozen, the exit's collections pass them over."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LEAVE_AFTER_MAIN], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    frozen = int(done.stderr.rsplit("frozen ", 1)[1].split()[0])
    assert frozen > 1000, done.stderr  # the modules' objects, not a handful made after the command


def test_the_command_line_leaves_inside_a_block_with_its_code_and_no_traceback_with_stdout_closed(monkeypatch):
    """`vcam run ... >&-` (stdout None): the flush before os._exit raised AttributeError, then the interpreter's exit
    aborted on the producer still inside the model (exit code 134)."""
    import sys

    def leave(code):
        raise SystemExit(code)

    monkeypatch.setattr(stdio.os, "_exit", leave)
    monkeypatch.setattr(sys, "stdout", None)
    with pytest.raises(SystemExit) as left:
        stdio.leave_now(3)
    assert left.value.code == 3


def _left_inside_a_block(monkeypatch) -> list[str]:
    """`vcam run` whose show ends with its producer inside a block; what happened to that block is listed."""
    from vcam.live import run

    done: list[str] = []
    monkeypatch.setattr(run, "play", lambda opts, attach=None: run.Ended(0, True, lambda: done.append("settled")))
    monkeypatch.setattr(run, "RunOptions", lambda **kw: None)
    monkeypatch.setattr("vcam.cmdline.play._speed_flags", lambda args: None)
    def leave(code):
        done.append(f"left with {code}")
        raise SystemExit(code)

    monkeypatch.setattr(stdio.os, "_exit", leave)
    return done


def test_a_show_left_inside_a_block_is_waited_for_by_a_caller_in_its_own_process(monkeypatch):
    """A test calling main with its arguments: the command line's leave-at-once (os._exit) ended pytest's process
    part-way through a run, its exit code 0, the tests after it never run."""
    from vcam.cli import main

    done = _left_inside_a_block(monkeypatch)
    assert main(["run", "--model", "tiny", "--out", "null"]) == 0
    assert done == ["settled"]


def test_the_command_lines_own_process_leaves_a_show_inside_a_block_at_once(monkeypatch):
    from vcam.cli import main

    done = _left_inside_a_block(monkeypatch)
    monkeypatch.setattr("sys.argv", ["vcam", "run", "--model", "tiny", "--out", "null"])
    monkeypatch.setattr(stdio, "guard_standard_streams", lambda: None)
    monkeypatch.setattr(stdio, "leave_at_once_on_ctrl_c", lambda: None)
    monkeypatch.setattr("gc.freeze", lambda: None)
    with pytest.raises(SystemExit):  # os._exit's stand-in, as os._exit, does not return
        main()
    assert done == ["left with 0"]



ACCENTED_SHOW = """name: Café ☕ — nuit
presets:
  - name: 夜の街
    prompt: a café at night, neon → rain…
"""


@pytest.mark.parametrize("encoding", ["ascii", "cp1252"])
def test_a_show_with_accents_and_emoji_is_checked_on_a_console_that_cannot_print_them(tmp_path, encoding):
    """`vcam check` on an ASCII terminal (PYTHONIOENCODING=ascii) or a Windows cp1252 console ended on
    UnicodeEncodeError; its lines now come out, each character the console lacks escaped."""
    import subprocess
    import sys

    show = tmp_path / "café ☕.yaml"
    show.write_text(ACCENTED_SHOW, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": encoding, "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-m", "vcam", "check", str(show)], capture_output=True, timeout=120,
                          env=env)
    out = done.stdout.decode(encoding)
    assert done.returncode == 0, done.stderr.decode(encoding)
    assert "\\u591c\\u306e\\u8857" in out and out.rstrip().endswith("ok")


def test_the_help_comes_out_on_an_ascii_terminal():
    """`vcam run --help` holds a `·` (Q·K): on an ASCII terminal it ended on UnicodeEncodeError."""
    import subprocess
    import sys

    env = {**os.environ, "PYTHONIOENCODING": "ascii", "PYTHONPATH": os.getcwd()}
    done = subprocess.run([sys.executable, "-m", "vcam", "run", "--help"], capture_output=True, timeout=120,
                          env=env)
    assert done.returncode == 0 and b"--duration" in done.stdout, done.stderr.decode("ascii", "replace")


def test_a_second_stop_while_a_write_is_deferred_stops_it_at_once(own_stop_handlers):
    """Ctrl-C twice as the tuning file was written: the second waited for the write too, where a second stop
    leaves at once everywhere else."""
    import signal

    from vcam.live.signals import stops_deferred

    went_on = []
    with pytest.raises(KeyboardInterrupt):
        with stops_deferred():
            signal.raise_signal(signal.SIGINT)  # held to the end
            went_on.append("after the first")
            signal.raise_signal(signal.SIGINT)  # again: the write is given up
            went_on.append("after the second")
    assert went_on == ["after the first"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def _stop_at_each_line_before_the_yield(enter, sig: int, code=None) -> int:
    """Runs `with enter(): pass` once for each line the context manager's set-up runs, `sig` raised as that line
    starts where a handler other than the default would take it (the default would end this process); `code`, the
    set-up's own where `enter` wraps it. Returns how many landed."""
    import signal
    import sys

    code = code or enter.__wrapped__.__code__
    landed = 0
    for nth in range(1, 60):
        state = {"lines": 0, "raised": False}

        def tracer(frame, event, _arg, state=state, nth=nth):
            if frame.f_code is not code:
                return None

            def local(frame, event, _arg):
                if event == "line" and not state["raised"]:
                    state["lines"] += 1
                    if state["lines"] == nth and signal.getsignal(sig) is not signal.SIG_DFL:
                        state["raised"] = True
                        signal.raise_signal(sig)
                return local
            return local

        sys.settrace(tracer)
        try:
            with enter():
                sys.settrace(None)
        except BaseException:  # the stop, raised where it landed or on the way out
            pass
        finally:
            sys.settrace(None)
        landed += state["raised"]
        if state["lines"] < nth:  # the set-up ran fewer lines: every one was tried
            return landed
    return landed


def test_a_stop_as_stops_raised_sets_up_leaves_no_handler_behind(own_stop_handlers):
    """A SIGTERM landing as stops_raised installed its handlers, before its `try`, left them and its unraisable hook
    in place after the command returned: a later SIGTERM in the same process raised where none could say it."""
    import signal
    import sys

    from vcam.live.signals import stops_raised

    hook = sys.unraisablehook
    assert _stop_at_each_line_before_the_yield(stops_raised, signal.SIGTERM) > 0
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    if hasattr(signal, "SIGHUP"):
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_DFL
    assert sys.unraisablehook is hook


def test_a_stop_as_stops_deferred_sets_up_leaves_no_handler_behind(own_stop_handlers):
    """A SIGHUP raised by an outer stops_raised's handler as stops_deferred installed its own left SIGTERM's waiting
    handler in place: a later SIGTERM was kept, not acted on."""
    import signal

    from vcam.live.signals import stops_deferred, stops_raised

    if not hasattr(signal, "SIGHUP"):
        pytest.skip("no SIGHUP here")

    def inside_a_load():
        @contextlib.contextmanager
        def both():
            with stops_raised():
                with stops_deferred():
                    yield
        return both()

    assert _stop_at_each_line_before_the_yield(inside_a_load, signal.SIGHUP, stops_deferred.__wrapped__.__code__) > 0
    for sig in (signal.SIGTERM, signal.SIGHUP):
        assert signal.getsignal(sig) is signal.SIG_DFL
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_stop_as_stop_on_signals_installs_a_handler_leaves_none_behind(own_stop_handlers, monkeypatch):
    """A SIGHUP raised by stops_raised's handler just as stop_on_signals had installed its SIGTERM handler, before
    it was kept to put back, left the show's SIGTERM handler in place after the command returned."""
    import signal
    from contextlib import ExitStack

    from vcam.live.signals import StopEvent, StoppedLoading, stop_on_signals, stops_raised

    if not hasattr(signal, "SIGHUP"):
        pytest.skip("no SIGHUP here")
    real = signal.signal

    def landing(sig, handler):
        before = real(sig, handler)
        if sig == signal.SIGTERM and getattr(handler, "__self__", None) is not None:  # the show's own handler
            signal.raise_signal(signal.SIGHUP)  # as the call returns: stops_raised's handler raises it
        return before

    monkeypatch.setattr(signal, "signal", landing)
    with pytest.raises(StoppedLoading):
        with ExitStack() as raising:
            raising.enter_context(stops_raised())
            with stop_on_signals(StopEvent(), raising):
                pytest.fail("the stop came as the handlers went in")
    monkeypatch.undo()
    for sig, handler in own_stop_handlers.items():
        assert signal.getsignal(sig) is handler, signal.Signals(sig).name
