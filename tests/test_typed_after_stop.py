"""Lines typed at the terminal once vcam serve, cam or run stopped taking commands: the console stops reading at the
first of them, so the rest, and a line half typed, were left on the terminal for the shell that started vcam, which
ran them as shell commands once vcam had exited (a half-typed `rm …` finished there and ran), without a word."""
from __future__ import annotations

import os
import select
import sys

import pytest

from ptys import typed_on_pty
from vcam.cli import main

TOLD = "typed after the show stopped taking commands"


def _typed(pty, typed: bytes) -> None:
    os.write(pty.leader, typed)
    # the terminal's echo, read so that it is not taken for a line left
    select.select([pty.leader], [], [], 10)
    os.read(pty.leader, 4096)


def _show_that_read(pty, typed: bytes, fails: Exception | None = None):
    """A show that read the terminal (its console started), with `typed` typed as it closed; `fails`: raised as it
    ends."""
    def show(opts, *args) -> object:
        opts.commands_read.set()
        _typed(pty, typed)
        if fails is not None:
            raise fails
        from vcam.live.run import Ended

        return Ended(0, False) if hasattr(opts, "show") else 0
    return show


def _left_for_the_shell(pty) -> bytes:
    """The next line the shell would read from the terminal: one ended here shows a partial one left before it."""
    os.write(pty.leader, b"\n")
    select.select([sys.stdin], [], [], 10)
    return os.read(sys.stdin.fileno(), 4096)


def _argv(command: str, monkeypatch, show) -> list[str]:
    if command == "cam":
        monkeypatch.setattr("vcam.remote.client.run_cam", show)
        return ["cam", "ws://127.0.0.1:1", "--out", "null"]
    monkeypatch.setattr("vcam.live.run.play", show)
    return [command, "--model", "tiny"] + ["--out", "null"] * (command == "run")


@pytest.mark.parametrize("command", ["serve", "cam", "run"])
def test_lines_typed_as_the_show_closes_are_dropped_and_said_not_acted_on(monkeypatch, capsys, command):
    with typed_on_pty(monkeypatch) as pty:
        assert main(_argv(command, monkeypatch, _show_that_read(pty, b"preset 2\nfreeze\nrm -rf ~/sho"))) == 0
        left = _left_for_the_shell(pty)
    err = capsys.readouterr().err
    assert f"vcam: 2 lines {TOLD} were not acted on, and not passed on to the shell either, nor was a half-typed " \
           "line after them (it did not run)\n" in err, err
    assert left == b"\n", left  # neither the whole lines nor the half-typed one reach the shell


def test_a_half_typed_line_alone_is_dropped_and_said_in_one_line(monkeypatch, capsys):
    with typed_on_pty(monkeypatch) as pty:
        assert main(_argv("cam", monkeypatch, _show_that_read(pty, b"rm -rf ~/sho"))) == 0
        left = _left_for_the_shell(pty)
    err = capsys.readouterr().err
    assert f"vcam: a half-typed line, {TOLD}, was not passed on to the shell: it did not run\n" in err, err
    assert left == b"\n", left


def test_a_show_that_ends_in_an_error_drops_them_too(monkeypatch, capsys):
    from vcam.errors import VcamError

    with typed_on_pty(monkeypatch) as pty:
        show = _show_that_read(pty, b"freeze\n", fails=VcamError("the server refused the token given", "pass it"))
        assert main(_argv("cam", monkeypatch, show)) == 2
        left = _left_for_the_shell(pty)
    assert f"vcam: 1 line {TOLD} was not acted on" in capsys.readouterr().err and left == b"\n", left


@pytest.mark.parametrize("argv", [["cam", "ws://h;x"], ["serve", "--model", "tiny", "/nonexistent/show.yaml"],
                                  ["run", "--model", "tiny", "--out", "null", "/nonexistent/show.yaml"]])
def test_what_is_typed_ahead_of_a_vcam_that_fails_before_any_show_is_left_for_the_shell(monkeypatch, capsys, argv):
    """A drop on close ate the type-ahead of a vcam refused before any show: that is the shell's, as it was."""
    with typed_on_pty(monkeypatch) as pty:
        _typed(pty, b"ls\nc")
        assert main(argv) == 2
        left = _left_for_the_shell(pty)
    assert TOLD not in capsys.readouterr().err and left == b"ls\n", left


def test_with_no_stdin_nothing_typed_is_touched(monkeypatch, capsys):
    """--no-stdin: vcam reads no commands, and what is typed is the shell's, as it was."""
    def show(opts) -> int:
        assert not opts.stdin
        _typed(pty, b"ls\n")
        return 0

    with typed_on_pty(monkeypatch) as pty:
        monkeypatch.setattr("vcam.remote.client.run_cam", show)
        assert main(["cam", "ws://127.0.0.1:1", "--out", "null", "--no-stdin"]) == 0
        left = _left_for_the_shell(pty)
    assert TOLD not in capsys.readouterr().err and left == b"ls\n", left


def test_a_camera_quit_on_the_terminal_drops_what_is_typed_after_the_quit(monkeypatch, capsys):
    """The whole way: vcam cam's console reads `quit`, the show stops, and what is typed after it is not left for the
    shell."""
    with typed_on_pty(monkeypatch) as pty:
        _typed(pty, b"quit\npreset 2\nfreeze\nrm -rf ~/sho")
        main(["cam", "ws://127.0.0.1:1", "--out", "null"])
        left = _left_for_the_shell(pty)
    # the console, still reading as the drop comes, may take a line of them itself: where each line went is the
    # tests' above; here, that none reaches the shell
    assert left == b"\n", (capsys.readouterr().err, left)


def test_a_pipe_is_left_alone():
    from vcam.cmdline.typedleft import drop_typed_after_stop

    r, w = os.pipe()
    try:
        os.write(w, b"preset 2\n")
        with os.fdopen(os.dup(r), "r") as stdin:
            assert drop_typed_after_stop(stdin, say=pytest.fail) == (0, False)
        assert os.read(r, 100) == b"preset 2\n"
    finally:
        os.close(r)
        os.close(w)
