"""The live loop's assembly as the operator meets it: what the start and the end say, which parts start and stop
on a failure, what Ctrl-C and the stop signals do, and the exit codes (vcam.live.onair, signals, parts, run)."""
import io
import os
import signal
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from vcam.live import outputs
from vcam.live.onair import AirSettings, OnAir
from vcam.live.status import StatusLine

W, H = 32, 16
LIVE = SimpleNamespace(screen="live")


class Capture:
    def __init__(self, name):
        self.name, self.frames, self.closed = name, [], False

    def send(self, frame, tick):
        self.frames.append(frame.copy())

    def close(self):
        self.closed = True


@pytest.fixture
def captured(monkeypatch):
    made = []

    def opener(spec, w, h, fps):
        made.append(Capture(str(spec)))
        return made[-1]

    monkeypatch.setitem(outputs.OPENERS, "null", opener)
    monkeypatch.setitem(outputs.OPENERS, "file", opener)
    return made


class Feed:
    """Pushes a block on each poll; ends after `blocks` of them."""

    duration_from = "air"

    def __init__(self, pacer, blocks=4):
        self.pacer, self.blocks, self.pushed, self.calls = pacer, blocks, 0, []

    def start(self):
        self.calls.append("start")

    def poll(self, stats):
        if self.pushed >= self.blocks:
            return True
        self.pacer.push(np.full((4, H, W, 3), 200, np.uint8))
        self.pushed += 1
        return False

    def status(self, stats, out_fps, failed):
        return ""

    def stop(self):
        self.calls.append("stop")


def _air(outs, status, **settings) -> OnAir:
    specs = [outputs.parse_spec(o) for o in outs]
    settings.setdefault("stdin", False)
    return OnAir(AirSettings(outs=specs, width=W, height=H, fps=60, **settings), StatusLine(status))


def _no_handler_left():
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_each_output_is_named_at_the_start_with_its_size_and_rate(captured):
    status = io.StringIO()
    air = _air(["null", "file:show.mp4"], status)
    assert air.run(Feed(air.pacer), lambda line, source: None, LIVE) == 0
    said = status.getvalue()
    assert f"output null at {W}x{H}, 60 fps" in said and f"output file:show.mp4 at {W}x{H}, 60 fps" in said


def test_ctrl_c_after_quit_leaves_at_once_without_stopping_the_feed_or_the_parts(captured):
    """A `quit` (or --duration) has the show stopping: a Ctrl-C then, even before the loop has seen the stop,
    leaves at once (exit 130), not after the parts and the feed are waited for."""
    status = io.StringIO()
    air = _air(["file:show.mp4"], status)
    stopped = []

    class QuitThenCtrlC(Feed):
        def poll(self, stats):
            if self.pushed == 2:
                air.stop.set()  # as `quit` typed does
                os.kill(os.getpid(), signal.SIGINT)  # lands here, in the main thread, at once
            return super().poll(stats)

    class Part:
        def start(self):
            pass

        def stop(self):
            stopped.append(True)

    feed = QuitThenCtrlC(air.pacer, blocks=1000)
    assert air.run(feed, lambda line, source: None, LIVE, [Part()]) == 130
    assert air.left_at_once and feed.calls == ["start"] and stopped == []
    assert "left at once (Ctrl-C again); exit code 130" in status.getvalue()
    assert captured[0].closed
    _no_handler_left()


def test_a_show_that_cannot_start_still_says_what_its_recording_holds(captured):
    """The outputs opened before the feed failed: the end says the recording is empty, as any end does."""
    status = io.StringIO()
    air = _air(["file:show.mp4"], status)

    class Broken(Feed):
        def poll(self, stats):
            raise ValueError("no such model")

    with pytest.raises(ValueError, match="no such model"):
        air.run(Broken(air.pacer), lambda line, source: None, LIVE)
    assert "nothing recorded to file:show.mp4" in status.getvalue()


def test_a_quit_typed_as_the_last_line_is_not_followed_by_no_more_typed_commands(captured):
    """`printf 'quit\\n' | vcam run`: the end of the piped commands comes as the show stops, which says enough."""
    status = io.StringIO()
    air = _air(["null"], status, stdin=True, commands=io.BytesIO(b"quit\n"))
    lines = []

    def handle_line(line, source):
        lines.append(line)
        air.stop.set()  # what the controller does for `quit`
        return None

    before = set(threading.enumerate())
    assert air.run(Feed(air.pacer, blocks=10 ** 6), handle_line, LIVE) == 0
    for t in set(threading.enumerate()) - before:
        if t.name == "console":
            t.join(30)
    assert lines == ["quit"]
    assert "no more typed commands" not in status.getvalue()
