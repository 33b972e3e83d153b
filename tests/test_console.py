"""Typed commands: a failing command leaves the console working; a background job is not stopped by reading."""
import io
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vcam.console import Console

ROOT = Path(__file__).resolve().parent.parent


def test_a_failing_command_is_said_and_the_next_line_still_works():
    said, handled = [], []

    def handle(line, source):
        handled.append(line)
        if line == "freeze":
            raise OSError(28, "No space left on device")
        return f"ok {line}"

    console = Console(handle, said.append, io.BytesIO(b"freeze\npreset 2\n"))
    console.start()
    console._thread.join(5)
    assert handled == ["freeze", "preset 2"]
    assert "No space left on device" in said[0] and "'freeze'" in said[0]
    assert said[1] == "ok preset 2"


# A console in a job of its own on a terminal: started in the background, then brought to the foreground.
PROGRAM = """
import sys, threading, time
from vcam.console import Console
got = threading.Event()
def handle(line, source):
    print("got", line, flush=True)
    got.set()
Console(handle, print).start()
print("started", flush=True)
sys.exit(0 if got.wait(20) else 3)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads a process's state from /proc")
def test_a_background_job_waits_for_the_foreground_instead_of_being_stopped():
    pid, master = pty.fork()
    if pid == 0:  # the terminal's session leader, like an interactive shell
        try:
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            job = subprocess.Popen([sys.executable, "-c", PROGRAM], process_group=0, env=env)  # `… &`
            time.sleep(3)  # the job has been reading its terminal from the background for a while
            stopped = Path(f"/proc/{job.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]  # R, S or T
            os.write(1, f"state {stopped or '?'}\n".encode())  # fd 1 is the terminal; sys.stdout is pytest's
            if stopped.startswith("T"):
                job.kill()
                os._exit(4)
            os.tcsetpgrp(0, job.pid)  # `fg`
            os._exit(job.wait(timeout=30))
        except BaseException as e:  # noqa: BLE001 - the forked child must never return into pytest
            os.write(1, f"child failed {e!r}\n".encode())
            os._exit(5)
    output = b""
    typed = False
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        if b"state" in output and not typed:
            time.sleep(1.0)  # the job is the foreground now
            os.write(master, b"preset 2\n")
            typed = True
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "got preset 2" in text
