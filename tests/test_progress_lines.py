"""A download's or a checkpoint read's progress line on a terminal: a stderr that is full for a moment, a line
written beside it on a terminal that says no width."""
import io
import os

import pytest

from vcam.progress import ByteProgress
from vcam.terminal import row_cleared


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


class FullForAMoment(io.StringIO):
    """A non-blocking stderr (a terminal or pipe another program set so): its next `full` writes find it full."""

    full = 0

    def isatty(self):
        return True

    def write(self, text):
        if self.full:
            self.full -= 1
            raise BlockingIOError(11, "Resource temporarily unavailable", 0)
        return super().write(text)


@pytest.fixture
def full_for_a_moment(monkeypatch) -> tuple[FullForAMoment, Clock]:
    """A terminal's stderr that takes escapes, not full yet (set `full`), and the clock its line is timed by."""
    monkeypatch.setenv("TERM", "xterm")
    return FullForAMoment(), Clock()


def test_a_stderr_full_for_a_moment_skips_one_update_not_every_later_one(full_for_a_moment):
    """One BlockingIOError marked the terminal gone: the line said nothing more for the rest of a 30-minute
    download."""
    out, clock = full_for_a_moment
    bar = ByteProgress("downloading krea/krea-realtime-video", 10_000_000_000, out, clock=clock)
    bar.update(0)
    out.full = 1
    clock.t += 10
    bar.update(1_000_000_000)
    assert "1.0 of 10.0 GB" not in out.getvalue()  # that one is skipped
    clock.t += 10
    bar.update(2_000_000_000)
    assert "2.0 of 10.0 GB (20%)" in out.getvalue(), out.getvalue()


def test_the_line_that_reaches_the_total_comes_after_a_moment_stderr_was_full(full_for_a_moment):
    """The 100 % line is said once: skipped for a full stderr, it was never said."""
    out, clock = full_for_a_moment
    bar = ByteProgress("downloading x", 10_000_000, out, clock=clock)
    bar.update(0)
    out.full = 1
    clock.t += 1
    bar.update(10_000_000)
    bar.update(10_000_000)
    assert out.getvalue().count("(100%)") == 1, out.getvalue()


def test_the_line_that_reaches_the_total_is_said_at_the_end_where_no_update_follows(full_for_a_moment):
    """A checkpoint read and a download end with the update that reaches the total, then `done`: that line
    skipped for a full stderr, the line ended at 50 %."""
    out, clock = full_for_a_moment
    bar = ByteProgress("reading x", 10_000_000, out, clock=clock)
    bar.update(0)
    clock.t += 1
    bar.update(5_000_000)
    out.full = 1
    clock.t += 1
    bar.update(10_000_000)
    bar.done()
    assert out.getvalue().endswith("(100%), 5 MB/s\n"), out.getvalue()


def dumb_terminal(monkeypatch) -> io.StringIO:
    """A terminal that takes no escapes (TERM=dumb) and reports its size as 0 0 (a serial console, a container's)."""
    out = io.StringIO()
    out.isatty = lambda: True
    out.fileno = lambda: 2
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setattr(os, "get_terminal_size", lambda fd=None: os.terminal_size((0, 0)))
    return out


def test_a_line_written_beside_a_progress_line_wipes_it_where_the_terminal_says_no_width(monkeypatch):
    """Only the status line told how wide it was drawn: a load's step written after a download's line on a dumb
    terminal got a bare carriage return, and the download line's tail stayed on screen after it."""
    out, clock = dumb_terminal(monkeypatch), Clock()
    bar = ByteProgress("downloading krea/krea-realtime-video", 10_000_000_000, out, clock=clock)
    bar.update(0)
    shown = out.getvalue().split("\r")[-1]
    assert shown.startswith("downloading krea") and row_cleared(out) == "\r" + " " * len(shown) + "\r"
    bar.done()  # the line ended: the next one starts on a row of its own
    assert row_cleared(out) == ""
