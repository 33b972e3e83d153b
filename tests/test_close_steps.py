"""Closing a show runs every step (the parts, the pacer, the feed, the outputs) whatever an earlier one raised:
the recording is finalised and plays, no thread of the show is left running, each failure is one line."""
import io
import os
import re
import signal
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from vcam.errors import VcamError
from vcam.live import outputs
from vcam.live.onair import AirSettings, FeedFailed, OnAir
from vcam.live.outputs import NullOutput
from vcam.live.status import StatusLine

W, H = 32, 16
BLOCKS = 3
SHOW_S = 4 * BLOCKS / 30  # a --duration that ends the show once every frame pushed is recorded


def _air(out, *outs: str, duration: float | None = SHOW_S) -> OnAir:
    """A show at W x H and 30 fps, without stdin, onto `outs`; its status lines written to `out`."""
    return OnAir(AirSettings(outs=[outputs.parse_spec(o) for o in outs], width=W, height=H, fps=30, stdin=False,
                             duration=duration), StatusLine(out))


class Feed:
    """Pushes a block of 4 frames on each of its first BLOCKS polls."""

    def __init__(self, air, fail_stop=False):
        self.air, self.fail_stop, self.pushed, self.stopped = air, fail_stop, 0, False

    def start(self):
        pass

    def poll(self, stats):
        if self.pushed < BLOCKS:
            self.air.pacer.push(np.full((4, H, W, 3), 40 * (self.pushed + 1), np.uint8))
            self.pushed += 1
        return False  # the show ends at its --duration, once the recording has every frame pushed

    def status(self, stats, out_fps, failed):
        return ""

    def stop(self):
        self.stopped = True
        if self.fail_stop:
            raise RuntimeError("the feed would not stop")


class Worker:
    """A part with a thread of its own, that ends when the part is stopped."""

    def __init__(self):
        self.halt = threading.Event()
        self.thread = threading.Thread(target=self.halt.wait, name="vcam-test-part", daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.halt.set()


class Broken:
    what = "the MIDI input"

    def start(self):
        pass

    def stop(self):
        raise OSError("the port went away")


class EndFailsNull(NullOutput):
    """An output whose end raises as the show closes (before the recording after it is begun)."""

    def end_wait(self):
        raise RuntimeError("the display went away")


def _show(tmp_path, monkeypatch, fails: str):
    status = io.StringIO()
    path = tmp_path / "show.mp4"
    if fails == "outputs":
        monkeypatch.setitem(outputs.OPENERS, "null", lambda spec, w, h, fps: EndFailsNull())
    air = _air(status, "null", f"file:{path}")
    feed = Feed(air, fail_stop=fails == "feed")
    if fails == "pacer":
        monkeypatch.setattr(air, "_report_flow", lambda: (_ for _ in ()).throw(RuntimeError("the flow broke")))
    worker = Worker()
    # stopped in reverse: the broken part first, the one with a thread after it
    parts = [worker] + ([Broken()] if fails == "part" else [])
    before = set(threading.enumerate())
    code = air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), parts)
    air.started_threads = [t for t in threading.enumerate() if t not in before]  # this show's, still alive
    return code, status.getvalue(), path, feed, worker, air


@pytest.mark.parametrize("fails, what", [("part", "the MIDI input"), ("pacer", "the camera's pacer"),
                                         ("feed", "the feed"), ("outputs", "the outputs")])
def test_a_close_step_that_raises_leaves_the_rest_closed_and_the_recording_playable(tmp_path, monkeypatch, fails,
                                                                                     what):
    import av

    code, said, path, feed, worker, air = _show(tmp_path, monkeypatch, fails)
    assert code == 1  # the show ended well: the failure to close decides the exit status, and the end says so
    lines = [line for line in said.splitlines() if f"stopping {what} failed:" in line]
    assert len(lines) == 1 and "the rest of the show was still closed" in lines[0]
    assert said.splitlines()[-1] == f"vcam: exiting with code 1: stopping {what} failed (the reason is above)"
    assert feed.stopped
    worker.thread.join(60)
    assert not worker.thread.is_alive()
    for w in air.workers:
        w._thread.join(60)
    for t in air.started_threads:  # a show's threads end soon after it closes, or never where a step was skipped
        t.join(60)
    assert not [t.name for t in air.started_threads if t.is_alive()]
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    assert len(frames) == 4 * BLOCKS
    assert "recorded 12 frames" in said


class BrokenWithFix(Broken):
    def stop(self):
        raise VcamError("the MIDI port went away", "plug the controller in again")


def test_a_failure_to_stop_with_a_fix_is_said_on_one_line_and_the_shows_error_still_decides(tmp_path):
    """The show fails on air and a part fails to stop: the show's failure is the exit's (1, its message), the part's
    is one line with its fix, and the recording still plays."""
    status = io.StringIO()
    path = tmp_path / "show.mp4"
    air = _air(status, f"file:{path}", duration=None)

    class FailsOnAir(Feed):
        def poll(self, stats):
            if self.pushed >= BLOCKS and air.workers[0].sent >= 4 * BLOCKS:
                raise FeedFailed(RuntimeError("the card fell off"))
            return super().poll(stats)

    feed = FailsOnAir(air)
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), [BrokenWithFix()]) == 1
    said = status.getvalue()
    assert "the show stopped (RuntimeError: the card fell off)" in said
    line, = [s for s in said.splitlines() if "stopping the MIDI input failed" in s]
    assert "plug the controller in again" in line and feed.stopped
    _plays_as_said(path, said)


def test_a_show_that_cannot_start_raises_its_own_error_not_the_failure_to_stop(tmp_path):
    status = io.StringIO()
    air = _air(status, "null", duration=None)

    class NoModel(Feed):
        def poll(self, stats):
            raise ValueError("no such model")

    feed, worker = NoModel(air), Worker()
    with pytest.raises(ValueError, match="no such model"):
        air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), [worker, Broken()])
    assert "stopping the MIDI input failed: the port went away" in status.getvalue()
    assert feed.stopped
    worker.thread.join(60)
    assert not worker.thread.is_alive()


def test_ctrl_c_again_after_a_failure_to_stop_still_leaves_at_once_with_the_recording_closed(tmp_path):
    status = io.StringIO()
    path = tmp_path / "show.mp4"
    air = _air(status, f"file:{path}", duration=None)
    never = threading.Event()

    class SlowToStop(Feed):
        def poll(self, stats):
            if self.pushed >= BLOCKS and air.workers[0].sent >= 4 * BLOCKS:
                os.kill(os.getpid(), signal.SIGINT)  # the first Ctrl-C, once the recording holds the show
            return super().poll(stats)

        def stop(self):
            super().stop()
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C again, after the part failed to stop
            never.wait(30.0)

    feed = SlowToStop(air)
    assert air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), [Broken()]) == 130
    said = status.getvalue()
    assert "stopping the MIDI input failed" in said and "left at once" in said
    _plays_as_said(path, said)


def _plays_as_said(path, said: str) -> None:
    """The recording opens, holds at least the show's frames, and as many as the end says it recorded."""
    import av

    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    recorded = re.search(r"recorded (\d+) frames", said)
    assert frames >= 4 * BLOCKS and recorded and int(recorded.group(1)) == frames


def test_an_output_that_failed_keeps_its_own_exit_line_beside_a_failure_to_stop(tmp_path, monkeypatch):
    """An output failed on air and a part failed to stop: the exit code is 1 once, said for the output."""
    class Fails(NullOutput):
        def send(self, frame, tick):
            raise OSError("the camera went away")

    monkeypatch.setitem(outputs.OPENERS, "null", lambda spec, w, h, fps: Fails())
    status = io.StringIO()
    air = _air(status, "null")
    assert air.run(Feed(air), lambda line, source: None, SimpleNamespace(screen="live"), [Broken()]) == 1
    exits = [line for line in status.getvalue().splitlines() if "exiting with code" in line]
    assert exits == ["vcam: exiting with code 1: output null failed (the reason is above)"]


@pytest.mark.parametrize("debug", ["1", ""])
def test_vcam_debug_shows_the_traceback_of_a_failure_to_stop(tmp_path, monkeypatch, capsys, debug):
    """The one line replaced the traceback the command line showed for an error: VCAM_DEBUG still shows it."""
    monkeypatch.setenv("VCAM_DEBUG", debug)
    status = io.StringIO()
    air = _air(status, "null")
    assert air.run(Feed(air), lambda line, source: None, SimpleNamespace(screen="live"), [Broken()]) == 1
    err = capsys.readouterr().err
    assert ("Traceback" in err and "OSError: the port went away" in err) == bool(debug)


def test_the_shows_parts_are_named_in_words_where_they_fail_to_stop():
    """What the end says of a part that failed to stop: "stopping the MIDI input failed", not the class's name."""
    from vcam.control.abletonlink import LinkSession
    from vcam.control.cues import CueList
    from vcam.control.midiinput import MidiInput
    from vcam.control.oscinput import OscInput
    from vcam.control.oscreply import OscReplies
    from vcam.control.reload import ShowWatcher
    from vcam.live.onair import _part_name
    from vcam.live.run import _Started
    from vcam.remote.server import FrameServer

    kinds = [LinkSession, CueList, MidiInput, OscInput, OscReplies, ShowWatcher, FrameServer]
    names = [_part_name(kind.__new__(kind)) for kind in kinds] + [_part_name(_Started(lambda: None, "the prompter"))]
    assert all(name.startswith("the ") for name in names), names
    assert len(set(names)) == len(names)


def test_vcam_cams_feed_says_what_its_link_held_back_even_where_the_link_fails_to_stop():
    from vcam.remote.feed import LinkFeed

    class FailingLink:
        held_back_said = False

        def stop(self):
            raise OSError("the webcam went away")

        def say_held_back(self):
            self.held_back_said = True

    link = FailingLink()
    with pytest.raises(OSError, match="webcam went away"):
        LinkFeed(link).stop()
    assert link.held_back_said


def test_a_failure_to_stop_said_alike_twice_is_said_once(tmp_path):
    """vcam serve's server closes the controller before the show's own step for it: a controller that fails to
    close fails alike in both, and is said once."""
    status = io.StringIO()
    air = _air(status, "null")

    class Server(Broken):
        what = "the server"

    assert air.run(Feed(air), lambda line, source: None, SimpleNamespace(screen="live"), [Broken(), Server()]) == 1
    lines = [line for line in status.getvalue().splitlines() if "the port went away" in line]
    assert lines == ["vcam: stopping the server failed: the port went away; the rest of the show was still closed"]


def test_a_terminal_gone_as_the_show_closes_still_leaves_every_step_run_and_the_recording_complete(tmp_path):
    """The terminal closed (SIGHUP): every line said from then on fails; the steps after a failure still run."""
    path = tmp_path / "show.mp4"
    air = None

    class GoneTerminal(io.StringIO):
        def write(self, text):
            if air is not None and air.stop.is_set():
                raise OSError(5, "Input/output error")
            return super().write(text)

    air = _air(GoneTerminal(), f"file:{path}")
    feed = Feed(air)
    with pytest.raises(OSError, match="Input/output error"):  # the end's report, once everything is closed
        air.run(feed, lambda line, source: None, SimpleNamespace(screen="live"), [Broken()])
    assert feed.stopped
    import av

    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 4 * BLOCKS
