"""The process's standard streams, made safe for a show that outlives its terminal.

A show's messages go to stderr, and a write there that fails (the reader of `vcam run … 2>&1 | head` gone, a
terminal hung up under a show left running with `disown`) raised from wherever it happened: the model's loading
thread, the status line, the end-of-show report, so the show ended before its recordings were finalised. The
messages are worth less than the show: once stderr cannot be written, it is pointed at the null device and the
show goes on.
"""
from __future__ import annotations

import codecs
import os
import signal
import sys
import threading
from typing import NoReturn, TextIO

STANDARD_FDS = ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY))


class QuietWhenGone:
    """A text stream that, when a write or flush to `stream` fails, points `fd` (the descriptor under it) at the
    null device and carries on; everything else is `stream`'s."""

    def __init__(self, stream: TextIO, fd: int):
        self._stream = stream
        self._fd = fd
        self.gone = False

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except (OSError, ValueError):
            self._silence()
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except (OSError, ValueError):
            self._silence()

    def _silence(self) -> None:
        if self.gone:
            return
        self.gone = True
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, self._fd)
        finally:
            os.close(null)
        try:  # what the failed write left in the stream's buffer now drains into the null device
            self._stream.flush()
        except (OSError, ValueError):
            pass

    def isatty(self) -> bool:
        try:
            return self._stream.isatty()
        except (OSError, ValueError):
            return False

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


class RemembersFailure:
    """A text stream that remembers the error its last failed write or flush raised (raised all the same): a failure
    of stdout (a full disk, /dev/full) is then said as the output's, not as a fault inside vcam."""

    def __init__(self, stream: TextIO):
        self._stream = stream
        self.failed: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as e:
            self.failed = e
            raise

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as e:
            self.failed = e
            raise

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def guard_standard_streams() -> None:
    """For the command line's process: a standard descriptor closed at the start (`2>&-`, `<&-`) gets the null
    device, so that no file vcam opens later (a recording) takes its number and C libraries' messages into it;
    stderr is wrapped in QuietWhenGone, stdout in RemembersFailure, and stdout writes a character its encoding lacks
    as an escape (`\\xe9`), as stderr does, and both write a file name's undecodable bytes as themselves."""
    for fd, mode in STANDARD_FDS:
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, mode)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
    if sys.stderr is None:  # closed at the start: Python made no stream for it
        sys.stderr = open(2, "w", buffering=1, closefd=False, errors="backslashreplace")  # open until the end
    # A show's name or preset, a MIDI port's or a path's, printed by `vcam check`, `vcam devices` or the help on an
    # ASCII or cp1252 console (PYTHONIOENCODING, a Windows code page), raised UnicodeEncodeError and ended the command
    if _fails_on_unencodable(sys.stdout) and hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors=ESCAPE_OR_BYTES)
    # An error's path given on the command line printed as `caf\\udcc3\\udca9` in the C locale: bytes back there too
    if _escapes_file_name_bytes(sys.stderr) and hasattr(sys.stderr, "reconfigure"):
        sys.stderr.reconfigure(errors=ESCAPE_OR_BYTES)
    if sys.stdout is not None and not isinstance(sys.stdout, RemembersFailure):
        sys.stdout = RemembersFailure(sys.stdout)
    if not isinstance(sys.stderr, QuietWhenGone):
        sys.stderr = QuietWhenGone(sys.stderr, 2)


def _escape_or_bytes(e: UnicodeError) -> tuple[str | bytes, int]:
    """An error handler for writing: a file name's undecodable byte (U+DC80 to U+DCFF, as Python reads argv and file
    names in the C locale) written back as that byte, as "surrogateescape" does; any other character the encoding
    lacks as an escape (`\\xe9`), as "backslashreplace" does. With the latter alone, a path from the command line
    printed as `caf\\udcc3\\udca9` where it had printed right."""
    if not isinstance(e, UnicodeEncodeError):
        raise e
    code = ord(e.object[e.start])
    if 0xDC80 <= code <= 0xDCFF:
        return bytes([code - 0xDC00]), e.start + 1
    return e.object[e.start].encode("ascii", "backslashreplace").decode("ascii"), e.start + 1


ESCAPE_OR_BYTES = "vcam-escape-or-bytes"
codecs.register_error(ESCAPE_OR_BYTES, _escape_or_bytes)


def _fails_on_unencodable(stream) -> bool:
    """Whether writing a character `stream`'s encoding lacks raises: "strict", and "surrogateescape" on an encoding
    other than UTF-8, which passes a file name's undecodable bytes only (Python's stdout in the C locale with its
    UTF-8 mode off, PYTHONUTF8=0: `vcam check` of a show named café ended on UnicodeEncodeError there)."""
    errors = getattr(stream, "errors", None)
    if errors == "surrogateescape":
        return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name != "utf-8"
    return errors == "strict"


def _escapes_file_name_bytes(stream) -> bool:
    """Whether `stream` writes a file name's undecodable bytes as escapes on an encoding other than UTF-8 (Python's
    stderr in the C locale), where they are the bytes of a name the terminal shows right."""
    if getattr(stream, "errors", None) != "backslashreplace":
        return False
    return codecs.lookup(getattr(stream, "encoding", None) or "ascii").name != "utf-8"


def stop_signals() -> list[int]:
    """SIGINT, SIGTERM and, where it exists and is not ignored (nohup), SIGHUP: the terminal the show runs in was
    closed. Its default ended the process at once, leaving the control log without its end line (vcam render then
    needs --blocks) and a recording without its last second."""
    found = [signal.SIGINT, signal.SIGTERM]
    hangup = getattr(signal, "SIGHUP", None)
    if hangup is not None and signal.getsignal(hangup) is not signal.SIG_IGN:
        found.append(hangup)
    # Windows' Ctrl-Break, and how a program there stops a console child it started in a group of its own
    # (os.kill(pid, signal.CTRL_BREAK_EVENT)): its default ended vcam at once, as SIGHUP's did
    brk = getattr(signal, "SIGBREAK", None)
    if brk is not None and signal.getsignal(brk) is not signal.SIG_IGN:
        found.append(brk)
    return found


def ignore_stops() -> None:
    """Every stop signal ignored from here on (in the main thread, the one that can set handlers): for a process
    about to leave at once, whose leaving (a partial file removed, its line said) a second stop must not cut
    short."""
    if threading.current_thread() is threading.main_thread():
        for sig in stop_signals():
            signal.signal(sig, signal.SIG_IGN)


LEFT_AT_ONCE = 130  # the shell's exit code for a command ended by Ctrl-C


def leave_at_once_on_ctrl_c() -> None:
    """For the command line's process once its command is done: a Ctrl-C while the interpreter ends (torch's exit
    hooks take a moment; the second Ctrl-C of a stop often comes then) leaves at once with exit code 130, where a
    KeyboardInterrupt came out of an exit hook as a traceback and the exit code stayed 0."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, _leave)


def _leave(_sig: int, _frame) -> None:
    leave_now(LEFT_AT_ONCE)


def leave_now(code: int) -> NoReturn:
    """Ends the command line's process with `code`, its exit hooks skipped: a thread still inside the model would
    make the interpreter's teardown abort (exit code 134) or wait for it."""
    flush_standard_streams()
    os._exit(code)


def flush_standard_streams() -> None:
    """Before os._exit: what was said comes out, where a stream was closed at the start (`>&-`: None) or since."""
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError, RuntimeError):  # RuntimeError: the signal came inside that stream's own write
            pass
