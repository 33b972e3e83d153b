"""Lines typed at the terminal once vcam serve or vcam cam stopped taking commands: the console stops reading at the
first of them, so the rest were left on the terminal for the shell that started vcam, which ran them as shell
commands once vcam had exited, without a word from vcam."""
from __future__ import annotations

import os
import select
import sys

import pytest

from ptys import typed_on_pty
from vcam.cli import main

TOLD = "typed after the show stopped taking commands"


def _typed_as_it_closes(pty, typed: bytes):
    def closing(*args, **kwargs) -> int:
        os.write(pty.leader, typed)
        # the terminal's echo, read so that it is not taken for a line left
        select.select([pty.leader], [], [], 10)
        os.read(pty.leader, 4096)
        return 0
    return closing


def _left_for_the_shell(pty) -> bytes:
    """The next line the shell would read from the terminal: one ended here shows a partial one left before it."""
    os.write(pty.leader, b"\n")
    select.select([sys.stdin], [], [], 10)
    return os.read(sys.stdin.fileno(), 4096)


@pytest.mark.parametrize("command", ["serve", "cam"])
def test_lines_typed_as_the_show_closes_are_dropped_and_said_not_acted_on(monkeypatch, capsys, command):
    with typed_on_pty(monkeypatch) as pty:
        closing = _typed_as_it_closes(pty, b"preset 2\nfreeze\nprom")
        if command == "serve":
            monkeypatch.setattr("vcam.cmdline.play.cmd_run", closing)
            argv = ["serve", "--model", "tiny"]
        else:
            monkeypatch.setattr("vcam.remote.client.run_cam", closing)
            argv = ["cam", "ws://127.0.0.1:1", "--out", "null"]
        assert main(argv) == 0
        left = _left_for_the_shell(pty)
    err = capsys.readouterr().err
    assert f"vcam: 2 lines {TOLD} were not acted on" in err, err
    assert left == b"\n", left  # neither the whole lines nor the partial one reach the shell


def test_with_no_stdin_nothing_typed_is_touched(monkeypatch, capsys):
    """--no-stdin: vcam reads no commands, and what is typed is the shell's, as it was."""
    with typed_on_pty(monkeypatch) as pty:
        monkeypatch.setattr("vcam.remote.client.run_cam", _typed_as_it_closes(pty, b"ls\n"))
        assert main(["cam", "ws://127.0.0.1:1", "--out", "null", "--no-stdin"]) == 0
        left = _left_for_the_shell(pty)
    assert TOLD not in capsys.readouterr().err and left == b"ls\n", left


def test_a_pipe_is_left_alone():
    from vcam.cmdline.typedleft import drop_typed_after_stop

    r, w = os.pipe()
    try:
        os.write(w, b"preset 2\n")
        with os.fdopen(os.dup(r), "r") as stdin:
            assert drop_typed_after_stop(stdin, say=pytest.fail) == 0
        assert os.read(r, 100) == b"preset 2\n"
    finally:
        os.close(r)
        os.close(w)
