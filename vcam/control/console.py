"""Typed commands on stdin (a terminal or a pipe): `echo "preset 2" | vcam run show.yaml` works too.

The reader thread is a daemon: a blocking read cannot be interrupted, and the end of input does not end the
show; stopping vcam simply leaves the thread behind. The end of input is said once: on a terminal, Ctrl-D ends no
more than the read it came in, and typing goes on; a pipe's end is the last of its commands.

A line longer than any command is refused as soon as it passes the limit, and the rest of it is read and dropped
without being kept: whatever is piped in, the console holds at most one line's worth and reads in linear time. A
stream with no line end in NO_LINE_END_BYTES (`< /dev/zero`, a binary stream) is not a commands file: the console
says so and stops reading, where it kept a core busy reading it for the whole show; so does one whose lines are
not text, NOT_TEXT_LINES in a row (`< /dev/urandom`), unless it is a terminal.

A line ends with \n, \r\n or a lone \r (a commands file saved with old Mac line ends).
"""
from __future__ import annotations

import codecs
import itertools
import os
import re
import select
import stat
import sys
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import BinaryIO

from vcam.control.commands import MAX_LINE
from vcam.control.sources import TYPED
from vcam.errors import described

FOREGROUND_POLL_S = 0.5
# How soon the removal of a named pipe on stdin, read past its first writer, is noticed (nothing signals it).
FIFO_GONE_POLL_S = 0.5
READ_SIZE = 4096
# The longest line kept, its end included: MAX_LINE characters of up to 4 bytes each in UTF-8, and \r\n.
LINE_BYTES = 4 * MAX_LINE + 2
# Far past any line a commands file holds (a 16 MB line is still only refused, and the next one read), yet read in
# well under a second.
NO_LINE_END_BYTES = 64 << 20
_LINE_END = re.compile(rb"\r\n?|\n")


class TooLong:
    """Stands for a line that passed LINE_BYTES: it is answered once and the rest of it dropped."""


TOO_LONG = TooLong()


class NoLineEnd:
    """Stands for a stream that passed the give-up size with no line end: the last item split_lines yields."""


NO_LINE_END = NoLineEnd()
NO_LINE_END_REPLY = (f"stdin sent {NO_LINE_END_BYTES >> 20} MiB with no line end: it is not a commands file "
                     "(/dev/zero, a binary stream?); typed commands are off; Ctrl-C ends the show")
# Lines in a row that are not text in stdin's encoding, after which a stdin that is no terminal is given up: a binary
# stream (`< /dev/urandom`, a video piped in by mistake) answered one line at a time flooded the terminal all show.
# A terminal is read on: its typist sees each answer, and may set its encoding right.
NOT_TEXT_LINES = 10
NOT_TEXT_REPLY = (f"stdin sent {NOT_TEXT_LINES} lines in a row that are not text: it is not a commands file "
                  "(/dev/urandom, a binary stream?); typed commands are off; Ctrl-C ends the show")
TOO_LONG_REPLY = (f"error: line too long (over {LINE_BYTES} bytes; a command is at most {MAX_LINE} characters); "
                  "skipped to its end")
TERMINAL_EOF = "end of input: typed commands are still read; Ctrl-C or `quit` ends the show"
PIPE_EOF = "end of piped input: no more typed commands; Ctrl-C ends the show"
FILE_EOF = "end of the commands file on stdin: no more typed commands; Ctrl-C ends the show"
NULL_STDIN = "stdin is the null device (</dev/null): no typed commands; Ctrl-C ends the show"
OTHER_EOF = "end of input on stdin: no more typed commands; Ctrl-C ends the show"


def fifo_reopened(path: str) -> str:
    """Said once, as the first writer of a named pipe on stdin (`vcam run … < cmds`, mkfifo cmds) closes it: each
    `echo CMD > cmds` is a writer of its own, and a later one is read as the first was."""
    return f"the writer of {path} closed it: commands written to it again are read; Ctrl-C or quit ends the show"


NO_STDIN = "no stdin (it was closed when vcam started): no typed commands; Ctrl-C ends the show"
TERMINAL_GONE = "the terminal closed: no more typed commands; Ctrl-C ends the show"
# Said once, to the first line read after `quit`, Ctrl-C or --duration's end: the commands piped or typed after it
# were applied to a show already closing, each answered as if it went on air, a thousand lines burying the end's
# report of the recordings.
STOPPING_REPLY = "the show is stopping: typed commands are no longer taken (Ctrl-C leaves at once)"
# After two ends of input in a row on a terminal, the next read waits this long: a terminal that hung up reads as an
# end of input every time, and is then read twice a second rather than in a busy loop.
EOF_PAUSE_S = 0.5
# The lines are read from the file descriptor (for the job control below), not through readline, so the terminal
# has no line editing: an arrow key or Home arrives as an escape sequence (`\x1b[A`) in the line.
ESCAPE_REPLY = "arrow keys are not supported here; type the command (Backspace corrects it)"
# Other keys that send one (Home `\x1b[H`, Delete `\x1b[3~`, F1 `\x1bOP`, Escape alone), and a terminal's colour code
# pasted with a line copied from coloured output (`\x1b[31m`): each answered as what it is, not as an arrow key.
KEY_REPLY = ("keys such as Home, End, Delete, Escape or F1 are not supported here; type the command (Backspace "
             "corrects it)")
COLOUR_REPLY = "the line holds a terminal colour code (pasted from coloured text?); type or paste it as plain text"
_ARROW = re.compile(r"\x1b(?:\[[\d;]*|O)[ABCD]")
_COLOUR = re.compile(r"\x1b\[[\d;]*m")
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")  # control bytes but tab, line ends, ESC


class Console:
    def __init__(self, handle_line: Callable[[str, str], str | None], reply: Callable[[str], None],
                 source: BinaryIO | None = None, stopping: Callable[[], bool] = lambda: False):
        self.handle_line = handle_line
        self.reply = reply
        # whether the show is ending (a quit was typed): the end of input after it is no news to anyone
        self.stopping = stopping
        # sys.stdin is None where the process started with its stdin closed (`vcam run … <&-`, some supervisors)
        self.source = source if source is not None else getattr(sys.stdin, "buffer", None)
        self.lines = 0
        self._ended_said = False
        self._thread = threading.Thread(target=self._run, name="console", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        if self.source is None:
            self._say(NO_STDIN)
            return
        fifo_chunks: Generator[bytes, None, None] | None = None
        try:
            fd = _fd_of(self.source)
            terminal = fd is not None and os.isatty(fd)
            # Job control (and select on a terminal) exist on POSIX systems only; on Windows a terminal is read
            # like a pipe, though past its ends of input too.
            job_control = os.name == "posix" and hasattr(os, "tcgetpgrp")
            fifo = None if fd is None or terminal else _named_pipe(fd)
            fifo_chunks = None if fifo is None else _chunks_of_fifo(fd, fifo, self._fifo_ended)
            chunks = (_chunks_of_stream(self.source) if fd is None
                      else fifo_chunks if fifo_chunks is not None
                      else _chunks_of(fd, job_control and terminal, self._ended if terminal else None))
            encoding = "utf-8" if fd is None else _encoding_of(fd)
            if encoding == "utf-8":
                chunks = _utf16_as_utf8(chunks)
            not_text = 0  # lines in a row that are not text (blank ones and those too long count neither way)
            for raw in split_lines(chunks, LINE_BYTES, NO_LINE_END_BYTES):
                if self.stopping():
                    self._say(STOPPING_REPLY)
                    return
                if raw is NO_LINE_END:
                    self._say(NO_LINE_END_REPLY)
                    return
                self.lines += 1
                if raw is TOO_LONG:
                    self._say(TOO_LONG_REPLY)
                elif not self._decoded(raw, encoding):
                    # a line of text in another encoding (a Latin-1 commands file) counts neither way: its commands
                    # that do decode still go; a binary stream's lines hold control bytes, which text has none of
                    not_text += 1 if _BINARY.search(raw) else 0
                    if not_text >= NOT_TEXT_LINES and not terminal:
                        self._say(NOT_TEXT_REPLY)
                        return
                elif raw.strip():
                    not_text = 0
        except (OSError, ValueError) as e:  # stdin closed under us: the show goes on without it
            self._say(f"typed commands: stdin can no longer be read ({e}); no more typed commands; Ctrl-C ends "
                      "the show")
            return
        finally:
            if fifo_chunks is not None:  # the write end it holds: let go as the reading stops, for any reason
                fifo_chunks.close()
        if not self.stopping():  # `printf '…\nquit\n' | vcam run`: "no more typed commands" after "stopping"
            self._say(TERMINAL_GONE if terminal else _end_of(fd))

    def _decoded(self, raw: bytes, encoding: str) -> bool:
        """A line that is not text in `encoding` is said to be so, where it was decoded with replacement
        characters, an unknown command made of them (or a prompt with them in it); whether it was text."""
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as e:
            name = encoding.upper()
            self._say(f"error: line {self.lines} is not {name} text (byte 0x{raw[e.start]:02x}); skipped: set the "
                      f"terminal, or save the commands file, in {name}")
            return False
        self._handle(line.rstrip("\r\n"))
        return True

    def _ended(self) -> None:
        """An end of input on a terminal (Ctrl-D): said the first time, so that typing on is not a surprise."""
        if not self._ended_said:
            self._ended_said = True
            self._say(TERMINAL_EOF)

    def _fifo_ended(self, path: str) -> None:
        """A writer of the named pipe on stdin closed it: said the first time, as each `echo` closes it."""
        if not self._ended_said and not self.stopping():
            self._ended_said = True
            self._say(fifo_reopened(path))

    def _handle(self, line: str) -> None:
        # Outside the reading's try: a command that fails (a full disk under --log-controls) is said, and typing
        # keeps working for the rest of the show.
        if "\x1b" in line:  # said as what it is, where it was an unknown command `[A`
            self._say(ESCAPE_REPLY if _ARROW.search(line) else COLOUR_REPLY if _COLOUR.search(line) else KEY_REPLY)
            return
        try:
            answer = self.handle_line(line, TYPED)
        except Exception as e:  # noqa: BLE001 - the console must outlive any one command
            answer = f"error: {line!r} failed ({described(e)})"
        if answer:
            self._say(answer)

    def _say(self, answer: str) -> None:
        try:
            self.reply(answer)
        except Exception:  # noqa: BLE001 - nowhere left to say it; keep reading
            pass


def _end_of(fd: int | None) -> str:
    """The end of stdin in words of what it is: a pipe's (also an in-memory stream's, commands another program
    hands over), a file's (`< commands.txt`), the null device's (`< /dev/null`, which never held any)."""
    if fd is None:
        return PIPE_EOF
    try:
        st = os.fstat(fd)
        if stat.S_ISCHR(st.st_mode) and st.st_rdev == os.stat(os.devnull).st_rdev:
            return NULL_STDIN
    except OSError:  # closed under us since: what it was no longer matters
        return OTHER_EOF
    return PIPE_EOF if stat.S_ISFIFO(st.st_mode) else FILE_EOF if stat.S_ISREG(st.st_mode) else OTHER_EOF


def null_stdin() -> bool:
    """Whether stdin is the null device (`< /dev/null`): no command will be typed there."""
    return _end_of(_fd_of(sys.stdin)) == NULL_STDIN


def _fd_of(source: BinaryIO) -> int | None:
    try:
        return source.fileno()
    except (AttributeError, OSError, ValueError):  # an in-memory stream
        return None


def _encoding_of(fd: int, windows: bool = os.name == "nt") -> str:
    """What the bytes read from `fd` are in: UTF-8 (pipes, POSIX terminals), except a Windows console, which hands
    over its own code page (cp850, cp1252, …), so that `prompt café` typed there arrives as typed."""
    if windows and os.isatty(fd):
        return os.device_encoding(fd) or "utf-8"
    return "utf-8"


def _utf16_as_utf8(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """The chunks, in UTF-8 where they are UTF-16 text that starts with its byte order mark (a commands file Windows
    PowerShell saved with `>`), whose NULs were dropped and first line refused, so that every line but the first
    went on air. Told apart by its first chunk alone: a terminal's first line is not waited on."""
    chunks = iter(chunks)
    first = next(chunks, b"")
    while 0 < len(first) < 4 and first[0] in b"\xff\xfe":  # a mark alone in its chunk: never UTF-8, no line waits
        if (more := next(chunks, None)) is None:
            break
        first += more
    if not re.match(rb"\xff\xfe[^\x00]\x00|\xfe\xff\x00[^\x00]", first):  # a command's first letter, ASCII
        if first:
            yield first
        yield from chunks
        return
    decoder = codecs.getincrementaldecoder("utf-16")(errors="replace")
    for chunk in itertools.chain((first,), chunks):
        yield decoder.decode(chunk).encode("utf-8")
    yield decoder.decode(b"", final=True).encode("utf-8")


def _in_foreground(fd: int) -> bool:
    try:
        return os.tcgetpgrp(fd) == os.getpgrp()
    except OSError:  # no controlling terminal any more: reading would fail, not stop the process
        return True


def split_lines(chunks: Iterable[bytes], limit: int,
                give_up: int | None = None) -> Iterator[bytes | TooLong | NoLineEnd]:
    """The lines in a stream of chunks, each with its end (\\n, \\r\\n or a lone \\r; the last line may lack it);
    TOO_LONG, once, for a line past `limit` bytes, as soon as it passes it; NO_LINE_END, and nothing more, once a
    line passes `give_up` bytes. Each byte is looked at once: the search for the end of a line starts in the new
    chunk, and a line being dropped is not kept. A line that ends in \\r is handed on at once, not held until the
    next chunk tells whether a \\n follows: that \\n is then skipped."""
    pending = bytearray()
    dropping = False  # inside a line already answered with TOO_LONG
    length = 0  # of the line being read, dropped bytes included
    after_cr = False  # the last chunk ended with a \r: a \n that starts the next one belongs to it
    for chunk in chunks:
        if not chunk:
            continue
        start = 1 if after_cr and chunk[0] == 0x0A else 0
        after_cr = False
        while start < len(chunk):
            end = _LINE_END.search(chunk, start)
            stop = len(chunk) if end is None else end.end()
            length += stop - start
            if give_up is not None and length > give_up:
                yield NO_LINE_END
                return
            if not dropping:
                if len(pending) + stop - start > limit:
                    pending.clear()
                    dropping = True
                    yield TOO_LONG
                else:
                    pending += chunk[start:stop]
            if end is not None:
                after_cr = stop == len(chunk) and chunk[-1] == 0x0D
                if not dropping:
                    yield bytes(pending)
                    pending.clear()
                dropping = False
                length = 0
            start = stop
    if pending:
        yield bytes(pending)


def _named_pipe(fd: int) -> str | None:
    """The path of the named pipe (mkfifo) that `fd` reads, where the system names it (Linux's /proc); None for
    any other stdin, an anonymous pipe among them, whose end no other writer can follow."""
    try:
        if not stat.S_ISFIFO(os.fstat(fd).st_mode):
            return None
        path = os.readlink(f"/proc/self/fd/{fd}")  # an anonymous pipe's is `pipe:[1234]`, no file
    except OSError:
        return None
    return path if _same_file(fd, path) else None


def _chunks_of_fifo(fd: int, path: str, on_end: Callable[[str], None]) -> Generator[bytes, None, None]:
    """What the named pipe at `path` holds, from `fd`: from its first writer, and after that one closed it, from
    each writer that opens it (`echo CMD > cmds` per command), until it is removed or replaced and its last writer
    closes it. At the first writer's end, a write end of the pipe is opened and held, so that the pipe never reads
    as ended again: a writer that comes at any moment after it is read, where reopening the pipe to wait for the
    next writer missed one that came and went just before the open, until a third came. The held end is closed on
    every way out: the end of the reading, and a reader that stops asking (the show stopping, stdin given up)."""
    yield from _chunks_of(fd, False)
    if not _same_file(fd, path):  # removed before its first writer closed it: no writer can open it any more
        return
    try:
        held: int | None = os.open(f"/proc/self/fd/{fd}", os.O_WRONLY | os.O_NONBLOCK)  # this pipe, not a namesake
    except OSError:  # a pipe this user may read but not write (another user's): it has ended, as any pipe's end
        return
    try:
        on_end(path)
        while True:
            # the pipe's removal wakes nothing: it is looked for between reads, and the held end let go once it is
            # gone, so that the read ends once the writers that still have it open close it
            if held is not None and not select.select([fd], [], [], FIFO_GONE_POLL_S)[0]:
                if not _same_file(fd, path):
                    os.close(held)
                    held = None
                continue
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                return
            yield chunk
    finally:
        if held is not None:
            os.close(held)


def _same_file(fd: int, path: str) -> bool:
    """Whether `path` still names the file that `fd` reads (not removed, nor replaced by another)."""
    try:
        st, named = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    return (named.st_dev, named.st_ino) == (st.st_dev, st.st_ino)


def _chunks_of_stream(source: BinaryIO) -> Iterator[bytes]:
    """What an in-memory stream holds, a piece at a time (read1: what is there, without waiting for a full piece)."""
    read = getattr(source, "read1", source.read)
    while chunk := read(READ_SIZE):
        yield chunk


def _chunks_of(fd: int, terminal: bool, on_end: Callable[[], None] | None = None) -> Iterator[bytes]:
    """What is read from the file descriptor itself, until its end. Python's buffered stdin would stay locked by
    this thread's blocked read when vcam exits, and the interpreter aborts on that lock (exit code 134) while a pipe
    is held open. With `on_end` (a terminal, where Ctrl-D ends one read, not the input), an end of input is told to
    it and reading goes on, until the terminal itself is gone (hung up: every read is empty, and it is no longer a
    terminal).

    On a terminal, it is read only while vcam is its foreground job: a background job (`vcam run … &`) that reads
    its terminal is stopped by the kernel, camera and recording with it; vcam waits for `fg` instead."""
    ended = False  # the last read was an end of input
    while True:
        if terminal:
            if not _in_foreground(fd):
                time.sleep(FOREGROUND_POLL_S)
                continue
            # select, unlike read, does not stop a background job: a read starts only once a line is there, and
            # the wait ends often enough to notice being sent to the background (Ctrl-Z, bg).
            ready, _, _ = select.select([fd], [], [], FOREGROUND_POLL_S)
            if not ready or not _in_foreground(fd):
                continue
        chunk = os.read(fd, READ_SIZE)
        if chunk:
            ended = False
            yield chunk
        elif on_end is None or not os.isatty(fd):  # the pipe's writer is done, or the terminal hung up
            return
        else:  # Ctrl-D
            if ended:
                time.sleep(EOF_PAUSE_S)
            ended = True
            on_end()
