"""Operator-facing wording pinned at its edges: counts, cut lines, quoted names, words for a shell, and what the
standard streams and typed commands say when they end or break."""
import errno
import os
import shlex
import subprocess
import sys
import types
from pathlib import Path

import pytest

from vcam.words import (anywhere_part, anywhere_word, as_typed, clipped, counted, nearest, quoted, shell_word,
                        starts_a_character)


@pytest.mark.parametrize("n,said", [(0, "0 presets"), (1, "1 preset"), (2, "2 presets")])
def test_a_count_is_plural_for_none_and_for_many(n, said):
    assert counted(n, "preset") == said


def test_of_two_words_as_near_to_a_typo_the_preferred_is_taken_as_near_is_measured_for_the_order():
    # 'dabdbb' is as near to 'ddab' as to 'ddcb' measured from the known word (as the close matches are ordered),
    # not measured from the typo: the preference must decide between them
    assert nearest("dabdbb", ["ddab", "ddcb"], prefer=["ddab"]) == "ddab"
    assert nearest("dabdbb", ["ddab", "ddcb"]) == "ddcb"


def test_a_line_exactly_as_long_as_the_room_is_kept_whole():
    assert clipped("abc", 3) == "abc"
    assert clipped("abcd", 3) == "ab…"


def test_a_line_whose_only_start_of_a_character_is_its_first_is_cut_to_the_ellipsis_alone():
    # 👩‍🎤 is one singer: the woman alone would say something else
    assert clipped("👩\u200d🎤 sings", 3) == "…"


def test_a_skin_tone_after_a_letter_is_drawn_on_its_own_and_may_be_cut_before():
    assert starts_a_character("a\U0001f3fd", 1)
    assert not starts_a_character("\U0001f44d\U0001f3fd", 1)  # 👍🏽: the tone is drawn on the thumb
    assert clipped("a\U0001f3fdbcd", 2) == "a…"


def test_flags_at_the_start_of_a_line_pair_from_its_first_character():
    assert clipped("🇫🇷🇩🇪 tour", 3) == "🇫🇷…"
    assert clipped("🇫🇷🇩🇪 tour", 2) == "…"


def test_a_network_path_keeps_its_two_backslashes_as_typed():
    assert quoted("\\\\server\\takes") == "'\\\\server\\takes'"


def test_a_tab_inside_a_quoted_path_is_kept_not_made_a_space():
    from vcam.control.commands import parse

    assert as_typed("a\tb") == "a\tb"
    assert parse('input "file:/clips/a\tb.mp4"').args == ("file:/clips/a\tb.mp4",)


def test_a_word_with_a_quote_and_an_exclamation_mark_is_not_put_in_double_quotes_where_bash_expands_it():
    assert shell_word("it's !nice", windows=False) == shlex.quote("it's !nice")
    assert shell_word("it's nice", windows=False) == '"it\'s nice"'


def test_an_empty_name_is_not_promised_as_a_word_for_another_machine():
    assert anywhere_word("") is None


@pytest.mark.parametrize("text", [".50", "1.50", "+1", "@home"])
def test_a_name_powershell_would_read_as_a_number_or_a_splat_is_written_in_double_quotes(text):
    assert anywhere_word(text) == f'"{text}"'


def test_a_part_of_a_name_as_long_as_the_shortest_allowed_is_given():
    assert anywhere_part("abc") == "abc"
    assert anywhere_part("ab") is None


def test_a_part_of_a_name_is_given_without_the_spaces_round_it():
    assert anywhere_part('Port "x" nanoKONTROL') == "nanoKONTROL"


# --- stderr that breaks, standard streams closed at the start, the exit's last words

def _quiet_over_a_pipe_whose_reader_left():
    """A QuietWhenGone over a line-buffered pipe whose reader is gone: the write of a whole line itself fails."""
    from vcam.stdio import QuietWhenGone

    r, w = os.pipe()
    os.close(r)
    return QuietWhenGone(open(w, "w", buffering=1), w), w


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="reads where a descriptor points")
def test_a_line_whose_own_write_fails_points_stderr_at_the_null_device_at_once():
    stream, fd = _quiet_over_a_pipe_whose_reader_left()
    try:
        assert stream.write("vcam: on air\n") == len("vcam: on air\n")  # a caller writing until done is done
        assert stream.gone and os.readlink(f"/proc/self/fd/{fd}") == os.devnull
    finally:
        stream.close()


def test_a_write_or_a_terminal_question_to_a_closed_stderr_neither_raises_nor_says_terminal():
    """A stream closed under the show (ValueError: I/O operation on closed file): dropped, and no status line is
    drawn as on a terminal."""
    from vcam.stdio import QuietWhenGone

    fd = os.open(os.devnull, os.O_WRONLY)
    inner = open(os.dup(fd), "w")
    stream = QuietWhenGone(inner, fd)
    inner.close()
    try:
        assert stream.write("vcam: on air\n") == len("vcam: on air\n")
        assert stream.gone and not stream.isatty()
    finally:
        os.close(fd)


def _run_python(code: str, shell_redirects: str = "") -> subprocess.CompletedProcess:
    """`code` run by this Python in a process of its own, its standard streams first changed by `shell_redirects`
    (`2>&-`: stderr closed at the start), from the tree under test."""
    root = str(Path(__file__).resolve().parent.parent)
    # buffered as a show's stdout is into a pipe or a file, so that what an exit leaves unflushed is lost
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "PYTHONPATH": root}
    return subprocess.run(["sh", "-c", f'exec "$0" -c "$1" {shell_redirects}', sys.executable, code],
                          capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL)


GUARDED = """
import os, sys
from vcam.stdio import QuietWhenGone, guard_standard_streams
guard_standard_streams()
guard_standard_streams()
for fd in (0, 1, 2):
    print(fd, os.fstat(fd).st_rdev == os.stat(os.devnull).st_rdev, end=" ")
print(os.read(0, 8), type(sys.stderr).__name__, type(sys.stderr._stream).__name__)
sys.stderr.write("vcam: on air\\n")
sys.stderr.flush()
print("went on")
"""


@pytest.mark.skipif(os.name != "posix", reason="closes descriptors with a POSIX shell")
@pytest.mark.parametrize("closed", ["<&-", "2>&-", "<&- 2>&-"])
def test_a_standard_stream_closed_at_the_start_is_the_null_device_and_the_show_writes_on(closed):
    """`vcam run … <&-` or `2>&-`: the descriptor is the null device (readable for stdin), so a file opened later
    cannot take its number; stderr is a stream that outlives its reader, made once."""
    done = _run_python(GUARDED, closed)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    if "<&-" in closed:
        assert lines[0].startswith("0 True") and "b'' " in lines[0], lines
    if "2>&-" in closed:
        assert " 2 True " in lines[0], lines
    assert lines[0].endswith("QuietWhenGone TextIOWrapper") and lines[1] == "went on", lines


def test_what_was_printed_comes_out_when_the_command_line_leaves_at_once():
    done = _run_python("from vcam.stdio import leave_now\nprint('vcam: recorded 90 frames')\nleave_now(3)")
    assert done.returncode == 3 and done.stdout == "vcam: recorded 90 frames\n", done


# --- typed commands on stdin

def _console_on(data: bytes):
    """A console over a pipe holding `data` then its end, read to that end: what it handed on and said."""

    from vcam.control.console import Console

    r, w = os.pipe()
    handled, said = [], []
    console = Console(lambda line, source: handled.append(line), said.append, os.fdopen(r, "rb", buffering=0))
    console.start()
    os.write(w, data)
    os.close(w)
    console._thread.join(60)
    assert not console._thread.is_alive()
    return handled, said


def test_a_command_of_the_longest_length_in_accented_letters_is_read_not_refused():
    """A command is at most MAX_LINE characters, each of up to 4 bytes: the byte limit must not refuse it."""
    from vcam.control.commands import MAX_LINE

    line = "prompt " + "é" * (MAX_LINE - len("prompt "))
    handled, said = _console_on(line.encode() + b"\n")
    assert handled == [line] and not any("too long" in s for s in said), said


def test_a_line_from_a_windows_made_file_is_handed_on_without_its_carriage_return():
    handled, _ = _console_on(b"preset 2\r\nstatus\r\n")
    assert handled == ["preset 2", "status"]


def test_an_arrow_key_in_application_mode_is_said_to_be_unsupported():
    """A terminal in keypad-transmit mode sends the up arrow as ESC O A, not ESC [ A."""
    from vcam.control.console import ESCAPE_REPLY

    handled, said = _console_on(b"\x1bOA\npreset 2\n")
    assert handled == ["preset 2"] and said[0] == ESCAPE_REPLY


def test_stdin_that_breaks_while_read_is_said_once_and_the_show_goes_on():

    from vcam.control.console import Console

    class Broken:
        def read1(self, size):
            raise OSError(errno.EIO, "Input/output error")

        read = read1

    said = []
    console = Console(lambda line, source: None, said.append, Broken())
    console.start()
    console._thread.join(60)
    assert len(said) == 1 and said[0].startswith("typed commands: stdin can no longer be read ("), said
    assert "Input/output error" in said[0] and said[0].endswith("Ctrl-C ends the show")


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal")
def test_only_a_second_ctrl_d_in_a_row_slows_the_next_read(monkeypatch):
    """A terminal that hung up reads as an end of input every time: after two in a row the reading waits; a single
    Ctrl-D between commands does not hold up the next one."""
    import pty

    from helpers import wait_for
    from vcam.control import console as console_mod
    from vcam.control.console import EOF_PAUSE_S, Console

    paused = []
    monkeypatch.setattr(console_mod, "time", types.SimpleNamespace(sleep=paused.append))
    master, slave = pty.openpty()
    handled = []
    console = Console(lambda line, source: handled.append(line), lambda said: None,
                      os.fdopen(slave, "rb", buffering=0))
    console.start()
    try:
        os.write(master, b"\x04")
        os.write(master, b"preset 2\n")
        assert wait_for(lambda: handled == ["preset 2"], timeout=60), handled
        os.write(master, b"\x04")
        os.write(master, b"status\n")
        assert wait_for(lambda: len(handled) == 2, timeout=60), handled
        assert paused == []
        os.write(master, b"\x04\x04")
        os.write(master, b"seed 1\n")
        assert wait_for(lambda: len(handled) == 3, timeout=60), handled
        assert paused == [EOF_PAUSE_S]
    finally:
        monkeypatch.undo()  # the real pause again, for the reads of a terminal that hung up
        os.close(master)
    console._thread.join(60)
    assert not console._thread.is_alive()
