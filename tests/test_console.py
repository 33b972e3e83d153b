"""Typed commands: a failing command leaves the console working; a background job is not stopped by reading."""
import io
import os
import pty
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import wait_for
from vcam.control.console import Console

ROOT = Path(__file__).resolve().parent.parent


def started_reading(fd: int) -> tuple[Console, list[str], list[str]]:
    """A console started on the file descriptor `fd` (a pipe's or a terminal's end), the lines it handed on and
    what it said."""
    handled, said = [], []
    console = Console(lambda line, source: handled.append(line), said.append, os.fdopen(fd, "rb", buffering=0))
    console.start()
    return console, handled, said


def read_to_the_end(data: bytes) -> tuple[Console, list[str], list[str]]:
    """started_reading's three, once the console has read a pipe holding `data`, its writer closed, to the end."""
    r, w = os.pipe()
    os.write(w, data)
    os.close(w)
    console, handled, said = started_reading(r)
    console._thread.join(60)
    return console, handled, said


def test_a_failing_command_is_said_and_the_next_line_still_works():
    said, handled = [], []

    def handle(line, source):
        handled.append(line)
        if line == "freeze":
            raise OSError(28, "No space left on device")
        return f"ok {line}"

    console = Console(handle, said.append, io.BytesIO(b"freeze\npreset 2\n"))
    console.start()
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["freeze", "preset 2"]
    assert "No space left on device" in said[0] and "'freeze'" in said[0]
    assert said[1] == "ok preset 2"


def test_a_command_that_breaks_on_a_bug_says_where_and_typing_goes_on():
    """A typed command that broke on a bug in vcam (here a remote command's message that cannot be made) was said
    with its type and text only: a report of it had no place to start from."""
    said = []

    def handle(line, source):
        if line == "seed 7":
            raise TypeError("Object of type float32 is not JSON serializable")
        return f"ok {line}"

    console = Console(handle, said.append, io.BytesIO(b"seed 7\npreset 2\n"))
    console.start()
    console._thread.join(60)
    assert said[0].startswith("error: 'seed 7' failed (TypeError: Object of type float32 is not JSON serializable "
                              "(at vcam/control/console.py:"), said
    assert said[1] == "ok preset 2"


# A console in a job of its own on a terminal: started in the background, then brought to the foreground.
# It marks (the file named by its argument) when its console has looked at the terminal from the background twice:
# it went round its wait once, where a read would have had the kernel stop the job.
PROGRAM = """
import sys, threading
from pathlib import Path
from vcam.control import console
from vcam.control.console import Console
looks, in_foreground = [], console._in_foreground
def watched(fd):
    answer = in_foreground(fd)
    looks.append(answer)
    if looks.count(False) == 2:
        Path(sys.argv[1]).touch()
    return answer
console._in_foreground = watched
got = threading.Event()
def handle(line, source):
    print("got", line, flush=True)
    got.set()
Console(handle, print).start()
print("started", flush=True)
sys.exit(0 if got.wait(120) else 3)
"""


# The terminal's session leader, like an interactive shell: starts PROGRAM as a background job (`… &`), checks it
# is not stopped, then hands it the terminal (`fg`).
SHELL = """
import fcntl, os, subprocess, sys, termios, time
from pathlib import Path
fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # the pty becomes this session's terminal, this process its foreground
looked = Path(sys.argv[2])
job = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(looked)], process_group=0)
def state():
    return Path(f"/proc/{job.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]  # R, S, or T: stopped
deadline = time.monotonic() + 120  # until the console has looked from the background, however busy the machine
while time.monotonic() < deadline and not looked.exists() and not state().startswith("T"):
    time.sleep(0.05)
print("state", state(), "looked" if looked.exists() else "never looked", flush=True)
if state().startswith("T") or not looked.exists():
    job.kill()
    sys.exit(4)
os.tcsetpgrp(0, job.pid)
print("foreground", flush=True)
sys.exit(job.wait(timeout=120))
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads a process's state from /proc")
def test_a_background_job_waits_for_the_foreground_instead_of_being_stopped(tmp_path):
    master, slave = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    shell = subprocess.Popen([sys.executable, "-c", SHELL, PROGRAM, str(tmp_path / "looked")],
                             stdin=slave, stdout=slave, stderr=slave, start_new_session=True, env=env)
    os.close(slave)
    output, typed = b"", False
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and shell.poll() is None:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                output += os.read(master, 4096)
            except OSError:  # the terminal closed with the last process on it
                break
        if b"foreground" in output and not typed:  # the job has the terminal now
            os.write(master, b"preset 2\n")
            typed = True
    try:
        code = shell.wait(timeout=60)
    finally:
        shell.kill()
        os.close(master)
    text = output.decode(errors="replace")
    assert code == 0, text
    assert "got preset 2" in text


def test_without_job_control_a_terminal_is_read_like_a_pipe(monkeypatch):
    """Windows has no os.tcgetpgrp and cannot select on a terminal: typed commands must still arrive there."""
    master, slave = pty.openpty()
    monkeypatch.delattr(os, "tcgetpgrp")
    monkeypatch.setattr(select, "select", lambda *a: (_ for _ in ()).throw(OSError("not a socket")))
    console, handled, said = started_reading(slave)
    os.write(master, b"preset 2\n")
    wait_for(lambda: handled, timeout=60)
    os.close(master)
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["preset 2"]


def test_a_windows_console_is_read_in_its_own_code_page(monkeypatch):
    import vcam.control.console

    master, slave = pty.openpty()
    monkeypatch.setattr(os, "device_encoding", lambda fd: "cp850")
    assert vcam.control.console._encoding_of(slave, windows=True) == "cp850"
    assert vcam.control.console._encoding_of(slave, windows=False) == "utf-8"
    monkeypatch.setattr(vcam.control.console, "_encoding_of", lambda fd: "cp850")  # as on a Windows console
    console, handled, said = started_reading(slave)
    os.write(master, "prompt café\n".encode("cp850"))
    wait_for(lambda: handled, timeout=60)
    os.close(master)
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["prompt café"]


# --- a line longer than any command -------------------------------------------------------------------------------

def test_lines_are_split_across_chunks_and_an_overlong_one_is_refused_once():
    from vcam.control.console import TOO_LONG, split_lines

    chunks = [b"pre", b"set 1\nsta", b"tus\r\n", b"x" * 7, b"x" * 7 + b"\nnext", b"\n", b"12345678", b"9\nlast"]
    # 9 bytes at most, the end of the line included: preset 1 is just that long
    assert list(split_lines(chunks, 9)) == [b"preset 1\n", b"status\r\n", TOO_LONG, b"next\n", TOO_LONG, b"last"]
    assert list(split_lines([b"1234567\n", b"abcdefgh", b"\n"], 8)) == [b"1234567\n", TOO_LONG]
    assert list(split_lines([b"a\nb\n\nc"], 8)) == [b"a\n", b"b\n", b"\n", b"c"]


def test_an_overlong_line_in_memory_is_refused_and_the_next_line_works():
    from vcam.control.console import PIPE_EOF, TOO_LONG_REPLY

    handled, said = [], []
    console = Console(lambda line, source: handled.append(line), said.append,
                      io.BytesIO(b"x" * 100_000 + b"\npreset 2\n"))
    console.start()
    console._thread.join(60)
    assert handled == ["preset 2"]
    assert said == [TOO_LONG_REPLY, PIPE_EOF]


def test_a_huge_piped_line_is_refused_as_it_passes_the_limit_and_never_held():
    """16 MB on one line used to be gathered whole, re-split on every read (minutes, memory growing)."""
    import threading
    import tracemalloc

    from vcam.control.console import LINE_BYTES, PIPE_EOF, TOO_LONG_REPLY

    refused, next_line = threading.Event(), threading.Event()
    handled, said = [], []

    def handle(line, source):
        handled.append(line)
        next_line.set()

    def reply(text):
        said.append(text)
        refused.set()

    head = b"x" * (LINE_BYTES + 1)
    rest = memoryview(b"x" * (16 << 20) + b"\npreset 2\n")
    r, w = os.pipe()
    tracemalloc.start()
    console = Console(handle, reply, os.fdopen(r, "rb", buffering=0))
    try:
        console.start()
        os.write(w, head)  # the line has passed the limit but is not over: it is answered now, not at its end
        assert refused.wait(60), "no answer to a line past the limit"
        while rest:
            rest = rest[os.write(w, rest[:1 << 16]):]
        assert next_line.wait(60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        os.close(w)
    console._thread.join(60)
    assert said == [TOO_LONG_REPLY, PIPE_EOF] and handled == ["preset 2"]
    assert peak < 1 << 20, f"{peak} bytes held while reading a 16 MB line"


def test_a_stream_with_no_line_end_is_given_up_once_it_passes_the_bound():
    from vcam.control.console import NO_LINE_END, TOO_LONG, split_lines

    assert list(split_lines([b"ab\n", b"x" * 5, b"x" * 5, b"\nnever"], 4, 8)) == [b"ab\n", TOO_LONG, NO_LINE_END]
    # the bound is a line's, not the stream's: each line end starts the count again
    assert list(split_lines([b"x" * 7 + b"\n", b"x" * 7 + b"\r", b"ok\n"], 4, 8)) == [TOO_LONG, TOO_LONG, b"ok\n"]


class Zeros(io.RawIOBase):
    """NUL bytes without a line end, as `< /dev/zero` reads, that end after `total` bytes; counts what was read."""

    def __init__(self, total: int):
        self.left = total
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        self.read_bytes += n
        return n


def test_an_endless_stream_without_line_ends_is_given_up_with_one_line_not_read_all_show():
    """`vcam run < /dev/zero` kept a core busy reading and dropping NUL bytes for the whole show."""
    from vcam.control.console import NO_LINE_END_BYTES, TOO_LONG_REPLY

    handled, said = [], []
    source = Zeros(4 * NO_LINE_END_BYTES)
    console = Console(lambda line, src: handled.append(line), said.append, source)
    console.start()
    console._thread.join(120)
    assert not console._thread.is_alive()
    assert handled == [] and said[0] == TOO_LONG_REPLY
    assert said[1:] == [f"stdin sent {NO_LINE_END_BYTES >> 20} MiB with no line end: it is not a commands file "
                        "(/dev/zero, a binary stream?); typed commands are off; Ctrl-C ends the show"]
    assert source.read_bytes <= NO_LINE_END_BYTES + (1 << 16), f"read {source.read_bytes} bytes before giving up"


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_on_stdin_is_given_up_and_the_reading_ends():
    said = []
    source = open("/dev/zero", "rb", buffering=0)
    try:
        console = Console(lambda line, src: None, said.append, source)
        console.start()
        console._thread.join(120)
        assert not console._thread.is_alive(), "still reading /dev/zero"
    finally:
        source.close()  # a reading left running ends on the closed file
    assert len(said) == 2 and "typed commands are off" in said[1]


# --- line ends ----------------------------------------------------------------------------------------------------

def test_a_lone_cr_ends_a_line_and_a_crlf_split_across_chunks_ends_only_one():
    from vcam.control.console import TOO_LONG, split_lines

    chunks = [b"preset 1\rsta", b"tus\r", b"", b"\nnext\r\n", b"\r", b"last\r"]
    assert list(split_lines(chunks, 16)) == [b"preset 1\r", b"status\r", b"next\r\n", b"\r", b"last\r"]
    assert list(split_lines([b"a\r\r\nb"], 16)) == [b"a\r", b"\r\n", b"b"]
    # a line dropped as too long that ends in a \r: its \n in the next read is no empty line of its own
    assert list(split_lines([b"x" * 7 + b"\r", b"\nok\n"], 4)) == [TOO_LONG, b"ok\n"]


def test_a_line_ending_in_cr_is_handed_on_before_the_next_chunk_is_read():
    """A line is not held back waiting to see whether a \\n follows its \\r."""
    from vcam.control.console import split_lines

    def typed():
        yield b"preset 2\r"
        raise AssertionError("the next chunk was asked for before the line was handed on")

    assert next(split_lines(typed(), 16)) == b"preset 2\r"


def _read_whole(path) -> tuple[list[str], list[str]]:
    """The commands a console read from the file at `path` to its end, and what it said."""
    handled, said = [], []
    with open(path, "rb", buffering=0) as source:
        console = Console(lambda line, src: handled.append(line), said.append, source)
        console.start()
        console._thread.join(60)
    assert not console._thread.is_alive()
    return handled, said


def test_a_commands_file_with_old_mac_line_ends_is_read_line_by_line(tmp_path):
    """A file whose lines end in a lone \\r was read as one line, an unknown command made of all of them."""
    from vcam.control.console import FILE_EOF

    path = tmp_path / "commands.txt"
    path.write_bytes(b"preset 2\rstatus\r\nseed 7\r")
    assert _read_whole(path) == (["preset 2", "status", "seed 7"], [FILE_EOF])

# --- the end of input ---------------------------------------------------------------------------------------------

def test_a_line_with_an_arrow_key_is_said_to_need_typing_not_run():
    """An arrow key (history, on most shells) arrives as an escape sequence; it was answered as an unknown command
    `[A`."""
    master, slave = pty.openpty()
    console, handled, said = started_reading(slave)
    try:
        os.write(master, b"\x1b[A\npreset\x1b[D 2\nstatus\n")
        assert wait_for(lambda: handled == ["status"], timeout=10), handled
    finally:
        os.close(master)
    console._thread.join(10)
    assert len(said) == 3 and all("arrow keys are not supported here; type the command" in s for s in said[:2])


@pytest.mark.parametrize("typed, reply", [
    (b"\x1b[H", "KEY"), (b"pre\x1b[3~set 2", "KEY"), (b"\x1bOP", "KEY"), (b"\x1b", "KEY"),
    (b"\x1b[31mprompt red sky\x1b[0m", "COLOUR"), (b"\x1bOA", "ESCAPE"), (b"\x1b[1;5D", "ESCAPE"),
])
def test_a_key_or_a_colour_code_that_sends_an_escape_is_said_as_what_it_is(typed, reply):
    """Home, Delete, F1 or a pasted colour code were each answered "arrow keys are not supported here"."""
    from vcam.control import console as module

    handled, said = [], []
    Console(lambda line, source: handled.append(line), said.append, io.BytesIO(typed + b"\nstatus\n"))._run()
    assert said[0] == getattr(module, f"{reply}_REPLY") and handled == ["status"], said


def test_ctrl_d_on_a_terminal_is_said_once_and_typing_goes_on_until_the_terminal_closes():
    """Ctrl-D used to end the console for the rest of the show, silently: `preset 3` and `status` went unanswered.
    A terminal that hangs up reads empty for ever: that ends the reading, said once, rather than a loop."""
    from vcam.control.console import TERMINAL_EOF, TERMINAL_GONE

    master, slave = pty.openpty()
    console, handled, said = started_reading(slave)
    try:
        os.write(master, b"preset 2\n")
        assert wait_for(lambda: handled == ["preset 2"], timeout=60), handled
        os.write(master, b"\x04")  # Ctrl-D at the start of a line: that read ends empty
        assert wait_for(lambda: said, timeout=60)
        os.write(master, b"preset 3\n\x04\x04status\n")  # twice more: said only the first time
        assert wait_for(lambda: len(handled) == 3, timeout=60), handled
        assert said == [TERMINAL_EOF]
    finally:
        os.close(master)
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["preset 2", "preset 3", "status"]
    assert said == [TERMINAL_EOF, TERMINAL_GONE]


def test_the_end_of_piped_input_is_said_once_and_ends_the_reading():
    from vcam.control.console import PIPE_EOF

    console, handled, said = read_to_the_end(b"preset 2\nstatus")  # the last line without its end is a command too
    assert not console._thread.is_alive()
    assert handled == ["preset 2", "status"]
    assert said == [PIPE_EOF]


def test_the_end_of_piped_input_after_a_quit_is_not_said():
    """`printf 'preset 2\\nquit\\n' | vcam run`: "stopping" was followed by "end of piped input: no more typed
    commands; Ctrl-C ends the show", as if the show went on."""
    import threading

    stop = threading.Event()
    r, w = os.pipe()
    os.write(w, b"preset 2\nquit\n")
    os.close(w)
    handled, said = [], []

    def handle(line, source):
        handled.append(line)
        if line == "quit":
            stop.set()
            return "stopping"
        return None

    console = Console(handle, said.append, os.fdopen(r, "rb", buffering=0), stopping=stop.is_set)
    console.start()
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["preset 2", "quit"] and said == ["stopping"]


def test_a_process_started_with_stdin_closed_says_there_are_no_typed_commands(monkeypatch):
    """`vcam run … <&-` (sys.stdin is None) raised AttributeError from the show's start, a traceback."""
    from vcam.control.console import NO_STDIN

    monkeypatch.setattr(sys, "stdin", None)
    said = []
    console = Console(lambda line, source: None, said.append)
    console.start()
    console._thread.join(10)
    assert said == [NO_STDIN]


def test_a_line_that_is_not_utf8_is_said_to_be_so_and_the_next_line_works():
    """A line of bytes that are not UTF-8 (`\\xff\\xfe`) was answered as an unknown command of two replacement
    characters."""
    console, handled, said = read_to_the_end(b"\xff\xfe\nprompt caf\xe9\npreset 2\n")
    assert handled == ["preset 2"]
    assert said[:2] == ["error: line 1 is not UTF-8 text (byte 0xff); skipped: set the terminal, or save the "
                        "commands file, in UTF-8",
                        "error: line 2 is not UTF-8 text (byte 0xe9); skipped: set the terminal, or save the "
                        "commands file, in UTF-8"]


def test_a_binary_stream_on_stdin_is_given_up_after_lines_in_a_row_that_are_not_text():
    """`< /dev/urandom` was answered with one "not UTF-8" line for each of its lines, all show long."""
    from vcam.control.console import NOT_TEXT_LINES, NOT_TEXT_REPLY

    binary = b"".join(b"\xff\x00\x9c%d\n\n" % i for i in range(NOT_TEXT_LINES * 3))
    console, handled, said = read_to_the_end(binary + b"preset 2\n")
    assert not console._thread.is_alive()
    assert "preset 2" not in handled and said[-1] == NOT_TEXT_REPLY and len(said) == NOT_TEXT_LINES + 1, said
    assert "typed commands are off" in NOT_TEXT_REPLY


def test_lines_that_are_not_text_between_commands_are_each_said_and_reading_goes_on():
    from vcam.control.console import NOT_TEXT_LINES, PIPE_EOF

    run = b"prompt caf\xe9\n" * (NOT_TEXT_LINES - 1)
    console, handled, said = read_to_the_end(run + b"status\n" + run + b"preset 2\n")
    assert handled == ["status", "preset 2"]
    assert len(said) == 2 * (NOT_TEXT_LINES - 1) + 1 and said[-1] == PIPE_EOF


def test_a_commands_file_in_another_encoding_is_read_on_past_its_accented_lines():
    """A Latin-1 commands file with ten accented prompts in a row was given up as a binary stream, and the commands
    after them never ran: text in another encoding holds no control bytes, a binary stream's lines do."""
    from vcam.control.console import NOT_TEXT_LINES, PIPE_EOF

    accented = "prompt café au lait\n".encode("cp1252") * (NOT_TEXT_LINES + 2)
    console, handled, said = read_to_the_end(accented + b"preset 2\nnext\n")
    assert handled == ["preset 2", "next"] and said[-1] == PIPE_EOF, said


def test_a_terminal_is_read_on_past_lines_that_are_not_text(monkeypatch):
    """A typist sees each answer and may set the encoding right: a terminal is never given up."""
    from vcam.control.console import NOT_TEXT_LINES, NOT_TEXT_REPLY

    master, slave = pty.openpty()
    monkeypatch.delattr(os, "tcgetpgrp")  # read as a terminal without job control, as in the test above
    monkeypatch.setattr(select, "select", lambda *a: (_ for _ in ()).throw(OSError("not a socket")))
    console, handled, said = started_reading(slave)
    os.write(master, b"\xff\x01\x9c\x02\n" * (NOT_TEXT_LINES + 5) + b"preset 2\n")
    wait_for(lambda: handled, timeout=60)
    os.close(master)
    console._thread.join(60)
    assert handled == ["preset 2"] and NOT_TEXT_REPLY not in said
    assert sum("is not UTF-8 text" in line for line in said) == NOT_TEXT_LINES + 5, said


@pytest.mark.parametrize("stdin,said", [
    ("null", "stdin is the null device (</dev/null): no typed commands; Ctrl-C ends the show"),
    ("file", "end of the commands file on stdin: no more typed commands; Ctrl-C ends the show"),
])
def test_the_end_of_stdin_is_said_as_what_stdin_is(tmp_path, stdin, said):
    """`vcam run … </dev/null` said "end of piped input", where there was no pipe."""
    path = os.devnull if stdin == "null" else tmp_path / "commands.txt"
    if stdin == "file":
        path.write_bytes(b"preset 2\n")
    assert _read_whole(path) == ([] if stdin == "null" else ["preset 2"], [said])


def test_lines_after_quit_are_not_applied_and_are_answered_once():
    """`quit` followed by more commands in the same pipe: each was applied to the closing show and answered as if
    it went on air, burying the report of the recordings under their replies."""
    import threading

    from vcam.control.console import STOPPING_REPLY

    stop = threading.Event()
    r, w = os.pipe()
    os.write(w, b"quit\n" + b"preset 2\nprompt a cat\n" * 500)
    os.close(w)
    handled, said = [], []

    def handle(line, source):
        handled.append(line)
        if line == "quit":
            stop.set()
            return "stopping"
        return f"applied {line}"

    console = Console(handle, said.append, os.fdopen(r, "rb", buffering=0), stopping=stop.is_set)
    console.start()
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["quit"] and said == ["stopping", STOPPING_REPLY]


def test_a_line_typed_once_the_show_stops_otherwise_is_not_applied():
    """Stopped by Ctrl-C or --duration's end, not by a typed quit: the line typed next is refused, not applied."""
    import threading

    from vcam.control.console import STOPPING_REPLY

    stop = threading.Event()
    r, w = os.pipe()
    handled, said = [], []
    console = Console(lambda line, source: handled.append(line), said.append, os.fdopen(r, "rb", buffering=0),
                      stopping=stop.is_set)
    console.start()
    try:
        os.write(w, b"preset 1\n")
        assert wait_for(lambda: handled == ["preset 1"], timeout=60)
        stop.set()
        os.write(w, b"preset 2\nfreeze\n")
        console._thread.join(60)
        assert not console._thread.is_alive()
    finally:
        os.close(w)
    assert handled == ["preset 1"] and said == [STOPPING_REPLY]


def test_a_prompt_pasted_over_several_lines_says_a_prompt_is_one_line_and_typing_goes_on():
    """The second line of a prompt pasted over several (`second line of the sky`) was answered "did you mean quit?":
    it holds `end`, a word for quit."""
    from vcam.control.commands import CommandError, parse

    said, handled = [], []

    def handle(line, source):
        try:
            cmd = parse(line)
        except CommandError as e:
            return f"error: {e}"
        handled.append(cmd)
        return None

    console = Console(handle, said.append, io.BytesIO(b"prompt a red sky over the hills,\r\nsecond line of the sky\r\n"
                                                      b"next\r\n"))
    console.start()
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert [c.name for c in handled] == ["prompt", "next"]
    assert said[0] == ("error: unknown command 'second' (words to generate follow prompt, all on one line: prompt "
                       "second line of the sky); type 'help' for the list")
    assert "quit" not in said[0]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_commands_file_is_read_whole_not_from_its_second_line(codec):
    """A commands file saved as UTF-16 with its mark (Windows PowerShell's `>`) had its first line refused as not
    UTF-8 and every other line applied, NULs dropped: the show ran all but the first command."""
    mark = "\ufeff".encode(codec)
    console, handled, said = read_to_the_end(mark + "preset 3\r\nprompt café ☕\r\nnext\r\n".encode(codec))
    assert not console._thread.is_alive()
    assert handled == ["preset 3", "prompt café ☕", "next"]
    assert said == ["end of piped input: no more typed commands; Ctrl-C ends the show"]


def test_the_first_chunk_is_handed_on_at_once_whatever_follows():
    """A terminal's first line (`q`, two bytes) is not held back waiting for enough bytes to tell UTF-16 apart."""
    from vcam.control.console import _utf16_as_utf8

    def typed():
        yield b"q\n"
        raise AssertionError("the second chunk was asked for before the first was handed on")

    assert next(_utf16_as_utf8(typed())) == b"q\n"


def test_a_utf16_mark_that_comes_alone_in_its_chunk_is_read_with_what_follows():
    """A writer that wrote the mark, then the lines: the first chunk told nothing, and the file was read as UTF-8."""
    from vcam.control.console import _utf16_as_utf8
    lines = "next\nprompt café\n".encode("utf-16-le")
    assert b"".join(_utf16_as_utf8([b"\xff", b"\xfe", lines])) == "next\nprompt café\n".encode()


def test_bytes_that_only_start_like_a_utf16_mark_are_read_as_utf8():
    from vcam.control.console import _utf16_as_utf8
    assert b"".join(_utf16_as_utf8([b"\xff\xfe\nprompt caf\xe9\n", b"next\n"])) == b"\xff\xfe\nprompt caf\xe9\nnext\n"


def fifo_on_stdin(path: Path) -> tuple[int, int]:
    """A named pipe made at `path`, opened for reading as a shell's `<` opens it once a writer comes, and that
    first writer's end."""
    os.mkfifo(path)
    r = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    w = os.open(path, os.O_WRONLY)
    os.set_blocking(r, True)
    return r, w


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "mkfifo"), reason="Linux's named pipes")
def test_a_named_pipe_on_stdin_is_read_again_by_its_next_writer(tmp_path):
    """`vcam run show.yaml < cmds` (mkfifo cmds), then `echo "preset 2" > cmds` and later `echo next > cmds`: the
    first echo's end ended the typed commands, and every later one went into the pipe unread, without a word. The
    console is held as it tells of the first end until the next echo is written and the pipe removed: the latest a
    reader can be, whatever the thread's timing."""
    from vcam.control.console import PIPE_EOF, fifo_reopened

    path = tmp_path / "cmds"
    r, w = fifo_on_stdin(path)
    handled, said = [], []
    written = threading.Event()

    def say(line: str) -> None:
        said.append(line)
        if line == fifo_reopened(str(path)):
            written.wait(60)

    console = Console(lambda line, source: handled.append(line), say, os.fdopen(r, "rb", buffering=0))
    console.start()
    os.write(w, b"preset 2\n")
    os.close(w)
    try:
        assert wait_for(lambda: said == [fifo_reopened(str(path))], 60), said
        w = os.open(path, os.O_WRONLY | os.O_NONBLOCK)  # the next echo: stdin still reads the pipe, it opens at once
        os.write(w, b"next\n")
        os.unlink(path)  # removed: nothing more can come, and the reading ends once this writer closes it
        os.close(w)
    finally:
        written.set()
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["preset 2", "next"] and said == [fifo_reopened(str(path)), PIPE_EOF]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "mkfifo"), reason="Linux's named pipes")
def test_a_named_pipes_next_writer_right_after_the_first_is_read_without_waiting_for_a_third(tmp_path):
    """`echo "preset 2" > cmds; echo next > cmds`: the second echo, written and closed before vcam opened the pipe
    again, stayed in it unread until a third writer came."""
    from vcam.control.console import PIPE_EOF, fifo_reopened

    path = tmp_path / "cmds"
    r, w = fifo_on_stdin(path)
    handled, said = [], []

    def say(line: str) -> None:
        said.append(line)
        if line == fifo_reopened(str(path)):  # the next echo comes as the first one's end is told
            nxt = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            os.write(nxt, b"next\n")
            os.close(nxt)

    console = Console(lambda line, source: handled.append(line), say, os.fdopen(r, "rb", buffering=0))
    console.start()
    os.write(w, b"preset 2\n")
    os.close(w)
    try:
        assert wait_for(lambda: handled == ["preset 2", "next"], 60), handled
    finally:
        os.unlink(path)  # nothing more can come: the reading ends
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert said == [fifo_reopened(str(path)), PIPE_EOF]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "mkfifo"), reason="Linux's named pipes")
def test_a_named_pipe_this_user_may_not_write_ends_as_a_pipe_does(tmp_path, monkeypatch):
    """Another user's pipe (mode 444), read by vcam: holding a write end of it is refused, and the typed commands
    were said unreadable ("stdin can no longer be read ([Errno 13] Permission denied …)"), which they were not: its
    first writer's end is the end of piped input, as any pipe's. The refusal is made here as the kernel makes it for
    a user who is not the pipe's owner (the tests may run as root, whom no mode refuses)."""
    from vcam.control.console import PIPE_EOF

    real_open = os.open

    def refused(file, flags, *args, **kwargs):
        if str(file).startswith("/proc/self/fd/") and flags & os.O_WRONLY:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    path = tmp_path / "cmds"
    r, w = fifo_on_stdin(path)
    try:
        console, handled, said = started_reading(r)
        os.write(w, b"preset 2\n")
        os.close(w)
        console._thread.join(60)
        assert not console._thread.is_alive()
    finally:
        os.unlink(path)
    assert handled == ["preset 2"] and said == [PIPE_EOF]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "mkfifo"), reason="Linux's named pipes")
def test_a_named_pipe_removed_before_its_writer_closed_it_is_said_ended_not_read_again(tmp_path):
    """`rm cmds` while the echo still held it open: "commands written to it again are read" was said of a pipe no one
    could open any more, just before the end of piped input."""
    from vcam.control.console import PIPE_EOF

    path = tmp_path / "cmds"
    r, w = fifo_on_stdin(path)
    console, handled, said = started_reading(r)
    os.write(w, b"preset 2\n")
    assert wait_for(lambda: handled == ["preset 2"], 60), handled
    os.unlink(path)
    os.close(w)
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert said == [PIPE_EOF]


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir() or not hasattr(os, "mkfifo"), reason="Linux's named pipes")
def test_a_named_pipe_read_past_its_first_writer_is_let_go_as_the_show_stops(tmp_path):
    """The write end held to read each next writer is closed once the reading stops (here, the show stopping),
    where it would keep the pipe open for writing for ever."""
    from vcam.control.console import STOPPING_REPLY, fifo_reopened

    path = tmp_path / "cmds"
    r, w = fifo_on_stdin(path)
    stopping = [False]
    handled, said = [], []
    console = Console(lambda line, source: handled.append(line), said.append, os.fdopen(r, "rb", buffering=0),
                      stopping=lambda: stopping[0])
    console.start()
    os.write(w, b"preset 2\n")
    os.close(w)
    assert wait_for(lambda: said == [fifo_reopened(str(path))], 60), said
    stopping[0] = True
    w = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    os.write(w, b"status\n")
    os.close(w)
    console._thread.join(60)
    assert not console._thread.is_alive()
    assert handled == ["preset 2"] and said == [fifo_reopened(str(path)), STOPPING_REPLY]
    os.set_blocking(r, False)
    assert os.read(r, 1) == b""  # its end: no write end is left open (a held one reads as "nothing yet")
    os.unlink(path)
