"""What a show says when an output goes wrong at its end: a recording whose disk fills as it is closed, an output
that fails to close, one that never comes back from a frame; a render closes every file whatever one of them did."""
import contextlib
import errno
import os
import signal
import subprocess
import sys
import threading

import numpy as np
import pytest
from helpers import wait_for

from vcam.errors import VcamError
from vcam.live.outputs import OutputWorker, report_outputs
from vcam.live.outputs import worker as worker_module

FRAME = np.zeros((8, 8, 3), np.uint8)

# A recording whose file may grow to LIMIT bytes (as a disk with that much room left): a write past it fails with
# EFBIG, as one on a full disk fails with ENOSPC. Noise, so that every fragment has a size of its own.
RECORD_UNTIL_THE_LIMIT = """
import resource, signal, sys
import numpy as np
from vcam.live.outputs import OutputWorker, report_outputs
from vcam.live.outputs.recording import Recording

path, limit, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if limit:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
said = []
w = OutputWorker(Recording(path, 64, 48, 30), 64, 48, queue=count + 1, every_frame=True, say=said.append)
noise = np.random.default_rng(0)
for tick in range(count):
    w.offer(noise.integers(0, 255, (48, 64, 3), dtype=np.uint8), tick)
w.close(60)
code = report_outputs([w], said.append)
print("\\n".join(said))
print("exit", code)
"""


def _record(path, limit: int, count: int) -> str:
    done = subprocess.run([sys.executable, "-c", RECORD_UNTIL_THE_LIMIT, str(path), str(limit), str(count)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _last_fragment_at(path) -> int:
    """Where the last fragment (moof) of a whole recording starts."""
    from vcam.live.mp4boxes import children

    with open(path, "rb") as f:
        return [start for kind, start, _ in children(f, 0, os.path.getsize(path)) if kind == b"moof"][-1]


def test_a_disk_that_fills_as_a_recording_closes_is_said_with_the_fix_and_the_exit_code(tmp_path):
    """FFmpeg reports no write that fails while the file is closed: the recording's last frames were lost, the end
    said 'recorded N frames' and the exit code was 0."""
    whole = tmp_path / "whole.mp4"
    assert _record(whole, 0, 45).splitlines()[-2:] == [f"recorded 45 frames to {whole}", "exit 0"]
    cut = tmp_path / "cut.mp4"
    said = _record(cut, _last_fragment_at(whole) + 8, 45)  # room for every fragment but the one written at the close
    assert "failed and is stopped" not in said  # every frame was taken: the close is what failed
    assert f"closing output file:{cut} failed: its last " in said
    assert f"could not be written to {cut} as it was closed (a full disk, or a limit on the file's size)" in said
    assert f"free space on its disk (df -h {tmp_path} shows what is left) or record to another disk" in said
    lines = said.splitlines()
    assert lines[-3].startswith("recorded ") and "closing it FAILED: its last" in lines[-3]
    assert lines[-2] == f"exiting with code 1: output file:{cut} failed (the reason is above)"
    assert lines[-1] == "exit 1"
    import av

    with av.open(str(cut)) as container:  # what it says it holds plays
        played = sum(1 for _ in container.decode(video=0))
    assert 0 < played < 45 and f"recorded {played} frames to {cut}" in lines[-3]


def test_a_short_recording_lost_whole_at_its_close_says_so(tmp_path):
    said = _record(tmp_path / "take.mp4", 2000, 3)  # the header fits, no fragment does
    assert f"nothing recorded to {tmp_path / 'take.mp4'}; closing it FAILED: its 3 frames could not be written" \
        in said
    assert "the file holds no picture" in said and said.splitlines()[-1] == "exit 1"


def test_a_recording_stopped_by_its_full_disk_on_air_is_said_once_not_again_at_its_close(tmp_path):
    said = _record(tmp_path / "long.mp4", 12_000, 300)
    assert "failed and is stopped" in said and "closing" not in said, said


class _ClosedRefused:
    """A take's container whose close reports the disk's refusal of its last write, the file closed as FFmpeg's is."""

    def __init__(self, container, refused: int):
        self._container, self._refused = container, refused

    def mux(self, packet) -> None:
        self._container.mux(packet)

    def close(self) -> None:
        self._container.close()
        raise OSError(self._refused, os.strerror(self._refused))


@pytest.mark.parametrize("refused, said, fix", [
    (errno.ENOSPC, ": the disk is full; the 7 frames before play", "free space on its disk (df -h {} shows"),
    (errno.EIO, ": the disk stopped taking writes (an I/O error: ", "check the disk (dmesg shows why; ls {} shows"),
    (errno.EPERM, " (Operation not permitted); the 7 frames before play", "")])
def test_frames_lost_as_a_take_closes_are_said_with_the_cause_its_close_reported(tmp_path, monkeypatch, refused,
                                                                                  said, fix):
    """An OSError the close reported came out as it was (a traceback, the frames it lost unsaid); it is said with
    the frames lost and its errno's words."""
    from vcam.live.outputs import recording

    path = tmp_path / "take.mp4"
    rec = recording.Recording(str(path), 64, 48, 30.0)
    for tick in range(10):
        rec.send(np.full((48, 64, 3), tick * 20, np.uint8), tick)
    monkeypatch.setattr(recording, "frames_held", lambda path: 7)
    rec._container = _ClosedRefused(rec._container, refused)
    with pytest.raises(VcamError) as raised:
        rec.close()
    assert raised.value.message.startswith(f"its last 3 frames could not be written to {path} as it was closed{said}")
    assert (raised.value.fix or "").startswith(fix.format(tmp_path))


class _Output:
    name = "vcam:/dev/video10"

    def __init__(self, close_error=None):
        self.close_error = close_error
        self.sending, self.release = threading.Event(), threading.Event()
        self.hang = False

    def send(self, frame, tick):
        if self.hang:
            self.sending.set()
            self.release.wait(60)

    def close(self):
        if self.close_error is not None:
            raise self.close_error


@contextlib.contextmanager
def stuck_in_its_first_frame(**options):
    """A worker with OutputWorker `options` whose output hangs in sending its first frame until the block is left;
    yields it and the list of what it says."""
    out, said = _Output(), []
    out.hang = True
    w = OutputWorker(out, 8, 8, say=said.append, **options)
    try:
        w.offer(FRAME, 0)
        assert out.sending.wait(60)
        yield w, said
    finally:
        out.release.set()


def test_an_output_that_fails_to_close_is_said_at_once_and_in_the_end_and_fails_the_exit_code():
    said = []
    w = OutputWorker(_Output(OSError(19, "No such device")), 8, 8, say=said.append)
    w.offer(FRAME, 0)
    w.close(10)
    assert said == ["closing output vcam:/dev/video10 failed: [Errno 19] No such device"]
    code = report_outputs([w], said.append)
    assert said[1:] == ["output vcam:/dev/video10: 1 frame sent; closing it FAILED: [Errno 19] No such device",
                        "exiting with code 1: output vcam:/dev/video10 failed (the reason is above)"]
    assert code == 1


def test_a_vcam_error_at_a_close_is_said_on_one_line_with_its_fix():
    said = []
    w = OutputWorker(_Output(VcamError("its last 3 frames were lost", "free space")), 8, 8, say=said.append)
    w.close(10)
    assert said == ["closing output vcam:/dev/video10 failed: its last 3 frames were lost; free space"]
    assert w.summary().endswith("closing it FAILED: its last 3 frames were lost; free space")


def test_a_recording_that_has_fallen_behind_is_said_before_the_close_waits_for_it(monkeypatch):
    """A large recording on a slow machine catches up for up to 5 s at the end: those seconds passed without a
    word, between the show's last frame and its end lines."""
    from vcam.live.outputs import close_workers

    monkeypatch.setattr(worker_module, "FINISH_TIMEOUT", 0.2)
    with stuck_in_its_first_frame(queue=100, every_frame=True) as (w, said):
        for tick in range(1, 41):
            w.offer(FRAME, tick)
        close_workers([w], 0.1, say=said.append)
        assert said[0] == ("finishing vcam:/dev/video10: 40 frames still to write (up to 0.1 s, then the rest is "
                           "dropped; Ctrl-C drops them now)"), said
    said = []
    quiet = OutputWorker(_Output(), 8, 8, queue=100, every_frame=True, say=said.append)
    for tick in range(3):
        quiet.offer(FRAME, tick)
    close_workers([quiet], 10, say=said.append)
    assert said == [] and quiet.sent == 3


def test_leaving_at_once_counts_the_frames_it_drops_in_the_end_line():
    """Ctrl-C while recordings caught up at the end: "recorded 31 frames", the 89 thrown away unsaid."""
    from vcam.live.outputs import leave_workers

    with stuck_in_its_first_frame(queue=100, every_frame=True) as (w, _):
        for tick in range(1, 6):
            w.offer(FRAME, tick)
        leave_workers([w], 0.1)
        assert w.dropped == 5 and "; 5 frames left unwritten" in w.summary(), w.summary()


def test_frames_left_as_the_show_is_left_at_once_are_said_as_the_stop_s_not_as_the_output_s_slowness():
    """Ctrl-C during the end's catch-up: the frames still waiting were said "dropped (it could not keep up)", as if
    the recording were too slow, where the show was stopped before they were written. Frames it did drop for its
    pace are said as before, apart."""
    from vcam.live.outputs import leave_workers

    with stuck_in_its_first_frame(queue=5, every_frame=True) as (w, _):
        for tick in range(1, 8):  # 2 more than its queue holds while it is stuck
            w.offer(FRAME, tick)
        leave_workers([w], 0.1)
        assert w.dropped == 7 and w.slow_drops == 2 and w.left_unsent == 5
        assert w.summary() == ("nothing recorded to vcam:/dev/video10; 2 frames dropped (it could not keep up); "
                               "5 frames left unwritten (the show was stopped before they were written); still busy "
                               "when vcam stopped, so its end may be missing")


def test_a_single_frame_left_as_the_show_is_left_at_once_is_said_as_one():
    from vcam.live.outputs import leave_workers

    with stuck_in_its_first_frame(queue=3) as (w, said):
        w.offer(FRAME, 1)
        leave_workers([w], 0.1)
        assert w.slow_drops == 0 and report_outputs([w], said.append) == 1
        assert said[-2] == ("output vcam:/dev/video10: 0 frames sent; 1 frame left unsent (the show was stopped "
                            "before it was sent); still busy when vcam stopped, so its end may be missing")


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="sends Ctrl-C's signal to the main thread")
def test_ctrl_c_while_the_close_waits_for_a_recording_still_waits_for_its_end_when_leaving_at_once():
    """Ctrl-C again while the close waited for a recording that had fallen behind: Python (3.11, 3.12) took the
    recording's thread, interrupted in its join, for one that had ended, so vcam left without its close: "recorded 4
    frames", and a file that held none."""
    from vcam.live.outputs import close_workers, leave_workers

    main = threading.main_thread().ident

    def in_the_join() -> bool:  # the close waits for the output to have closed: Ctrl-C now lands in that wait
        frame = sys._current_frames().get(main)
        waiting = frame is not None and frame.f_code.co_name in ("_wait_for_tstate_lock", "wait")
        while frame is not None:
            if frame.f_code.co_name == "_finish":
                return waiting
            frame = frame.f_back
        return False

    def press_ctrl_c() -> None:
        if wait_for(in_the_join):
            signal.pthread_kill(main, signal.SIGINT)

    with stuck_in_its_first_frame(queue=100, every_frame=True) as (w, _):
        pressing = threading.Thread(target=press_ctrl_c, daemon=True)
        pressing.start()
        with pytest.raises(KeyboardInterrupt):
            close_workers([w], 60)
        pressing.join(60)
        leave_workers([w], 0.1)
        assert w.stuck and "still busy when vcam stopped, so its end may be missing" in w.summary(), w.summary()


def test_an_output_that_never_comes_back_from_a_frame_is_left_and_the_end_says_its_end_may_be_missing(monkeypatch):
    """A window or camera stuck in a frame (a hung driver) must not keep the show from ending."""
    monkeypatch.setattr(worker_module, "FINISH_TIMEOUT", 0.2)
    with stuck_in_its_first_frame(queue=3) as (w, said):
        w.offer(FRAME, 1)
        w.close(0.1)
        assert said == [
            "output vcam:/dev/video10 is still busy after 0.1 s: dropping the 1 frame it has not taken yet and "
            "closing it",
            "output vcam:/dev/video10 did not close 0.2 s later; leaving it (what it was writing may be incomplete)"]
        assert w.stuck and w.dropped == 1
        assert report_outputs([w], said.append) == 1
        assert said[2] == ("output vcam:/dev/video10: 0 frames sent; 1 frame dropped (it could not keep up); still "
                           "busy when vcam stopped, so its end may be missing")


def test_a_render_closes_every_file_when_one_fails_to_close_and_says_that_one(monkeypatch):
    from vcam.live import render as render_module

    class Closing:
        def __init__(self, error=None):
            self.error, self.closed = error, False

        def close(self):
            self.closed = True
            if self.error is not None:
                raise self.error

    lost = VcamError("its last 3 frames could not be written", "free space")
    outputs = [Closing(lost), Closing(), Closing(OSError("second"))]
    with pytest.raises(VcamError) as raised:
        render_module._close_all(outputs)
    assert raised.value is lost and all(o.closed for o in outputs)


def test_a_recording_whose_encoder_cannot_be_made_closes_without_a_second_error(tmp_path, monkeypatch):
    """An FFmpeg without libx264 fails as the recording opens at its first frame; the close at the end then failed
    again on a stream that was never made (AttributeError), and the file's lock stayed held."""
    import av.container

    from vcam.live.outputs.recording import Recording

    def no_x264(self, *args, **kwargs):
        raise ValueError("unknown encoder 'libx264'")

    rec = Recording(str(tmp_path / "take.mp4"), 64, 48, 30)
    monkeypatch.setattr(av.container.OutputContainer, "add_stream", no_x264)
    with pytest.raises(ValueError, match="libx264"):
        rec.send(np.zeros((48, 64, 3), np.uint8), 0)
    rec.close()  # nothing to flush, nothing raised
    assert rec._lock is None and rec.frames == 0


def test_a_recording_that_reaches_the_largest_file_its_disk_takes_says_what_to_do_and_plays(tmp_path):
    """A long show recorded to a USB stick's FAT32 stops at 4 GB (EFBIG, here the shell's limit on a file's size):
    the show said a bare '[Errno 27] File too large', with no word of what to do or of what the file keeps."""
    take = tmp_path / "long.mp4"
    said = _record(take, 12_000, 300)
    stopped = next(line for line in said.splitlines() if "failed and is stopped" in line)
    assert "; the file reached the size this system allows: record to a disk whose file system takes larger " \
           "files (FAT32 stops at 4 GB), or lift the shell's limit (ulimit -f); the file up to here plays" in stopped
    import av

    with av.open(str(take)) as container:
        played = sum(1 for _ in container.decode(video=0))
    assert 0 < played < 300 and f"recorded {played} frames to {take}" in said


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, whose every write fails with ENOSPC")
def test_a_recording_whose_disk_is_full_before_its_first_fragment_does_not_say_it_plays():
    """A disk that fills before the first fragment is written leaves no picture: the show said 'nothing recorded
    ...; the file up to here plays'. /dev/full fails every write with ENOSPC, as a full disk does."""
    from vcam.live.outputs.recording import Recording

    said = []
    w = OutputWorker(Recording("/dev/full", 64, 48, 30), 64, 48, queue=40, every_frame=True, say=said.append)
    for tick in range(35):  # past the first fragment (a second of frames)
        w.offer(np.zeros((48, 64, 3), np.uint8), tick)
    w.close(60)
    stopped = next(line for line in said if "failed and is stopped" in line)
    assert "No space left on device" in stopped and "; the disk is full: free space on its disk" in stopped
    assert "; the file holds no frame; the show goes on" in stopped and "plays" not in stopped
    assert w.summary().startswith("nothing recorded to /dev/full; FAILED") and "plays" not in w.summary()


def test_a_disk_full_before_the_first_fragment_is_said_at_once_as_a_file_holding_no_frame(tmp_path):
    """Room for the file's header, none for its first fragment (a second of frames): the line said on air claimed
    'the file up to here plays', counted by the frames encoded, and the end then said the file holds no frame."""
    take = tmp_path / "take.mp4"
    said = _record(take, 2000, 60)
    stopped = next(line for line in said.splitlines() if "failed and is stopped" in line)
    assert "; the file holds no frame; the show goes on" in stopped and "plays" not in stopped, stopped
    assert f"nothing recorded to {take}; FAILED" in said


def test_a_recording_stopped_on_air_says_how_many_frames_its_file_holds(tmp_path):
    take = tmp_path / "long.mp4"
    said = _record(take, 12_000, 300)
    stopped = next(line for line in said.splitlines() if "failed and is stopped" in line)
    import av

    with av.open(str(take)) as container:
        played = sum(1 for _ in container.decode(video=0))
    assert f"; the file up to here plays ({played} frames); the show goes on" in stopped, stopped


def test_an_output_that_fails_after_waiting_is_said_on_one_line_with_its_fix_and_not_as_slow():
    """A window whose display never answered fails at its first frame: its VcamError was said on two lines, the
    show's 'the show goes on' after the fix, and the frames skipped while it waited were then said as slowness, on air
    and at the end ('511 frames dropped (it could not keep up)', sending the operator after a smaller size)."""
    class Unanswered(_Output):
        name = "window"

        def send(self, frame, tick):
            self.sending.set()
            self.release.wait(60)
            raise VcamError("the preview window cannot be drawn on display :98 (nothing answered there in 20 s)",
                            "drop --out window")

    out, said = Unanswered(), []
    w = OutputWorker(out, 8, 8, say=said.append)
    w.offer(FRAME, 0)
    assert out.sending.wait(60)
    for tick in range(1, 2 * worker_module.LIVE_SKIPS_WORTH_SAYING):
        w.offer(FRAME, tick)
    out.release.set()
    w.close(10)
    assert said == ["output window failed and is stopped: the preview window cannot be drawn on display :98 (nothing "
                    "answered there in 20 s); drop --out window; the show goes on"]
    assert "\n" not in w.summary() and "FAILED and stopped: the preview window cannot be drawn" in w.summary()
    assert w.dropped > 0  # they were skipped, as the mailbox holds three
    assert "could not keep up" not in w.summary()


def test_the_frames_an_output_skips_after_it_failed_are_not_said_as_slowness():
    """The frames skipped after an output had failed (the pacer offering them while its worker was busy saying the
    failure, on a machine the model keeps busy) were said at the end as 'N frames dropped (it could not keep up)'."""
    class Broken(_Output):
        def send(self, frame, tick):
            raise OSError("the device went away")

    saying, go_on, said = threading.Event(), threading.Event(), []

    def say(line):
        said.append(line)
        saying.set()
        go_on.wait(60)  # the worker held after its failure, as a busy machine holds it

    w = OutputWorker(Broken(), 8, 8, say=say)
    w.offer(FRAME, 0)
    assert saying.wait(60)
    for tick in range(1, 2 * worker_module.LIVE_SKIPS_WORTH_SAYING):
        w.offer(FRAME, tick)
    go_on.set()
    w.close(10)
    assert w.dropped > 0  # they were skipped, as the mailbox holds three
    assert "could not keep up" not in w.summary() and "FAILED and stopped: the device went away" in w.summary()


class _NoDisplayHere(_Output):
    name = "window"

    def send(self, frame, tick):
        from vcam.errors import NoDisplayError

        raise NoDisplayError("the preview window cannot be drawn on display :9", "run where a desktop is")


@pytest.mark.parametrize("setting, left_out, ended, failed, lines", [
    ("LEAVES_OUT", True, False, False, ["no preview window: the preview window cannot be drawn on display :9; run "
                                        "where a desktop is; the show goes on without it"]),
    ("ENDS_SHOW", False, True, False, []),  # said once, as the show's end
    ("FAILS", False, False, True, ["output window failed and is stopped: the preview window cannot be drawn on "
                                   "display :9; run where a desktop is; the show goes on"]),
])
def test_what_a_display_that_cannot_be_drawn_on_does_is_one_setting(setting, left_out, ended, failed, lines):
    """`go_without` and `ends_show` were two flags of which at most one could be true: one setting says what the
    worker does, and `left_out` / `ended_show` follow it."""
    from vcam.live.outputs import NoDisplay, show_ender

    said = []
    w = OutputWorker(_NoDisplayHere(), 8, 8, say=said.append, no_display=NoDisplay[setting])
    w.offer(FRAME, 0)
    w.offer(FRAME, 1)  # after the failure: taken and passed over, not sent
    w.close()
    assert (w.left_out is not None, w.ended_show is not None, w.failed) == (left_out, ended, failed)
    assert (show_ender([w]) is not None) == ended and w.sent == 0
    assert said == lines


@pytest.mark.parametrize("kinds, setting, served", [
    (["window", "null"], "ENDS_SHOW", False), (["window", "file:{}"], "LEAVES_OUT", False),
    (["file:{}", "window"], "LEAVES_OUT", False),
    # vcam serve's clients watch the show: a lone window's dead display ended the show they were watching
    (["window"], "LEAVES_OUT", True), (["window", "null"], "LEAVES_OUT", True),
])
def test_a_window_alone_ends_the_show_and_one_beside_another_output_is_left_out(tmp_path, monkeypatch, kinds,
                                                                                  setting, served):
    from vcam.live.outputs import NoDisplay, close_workers, open_outputs, parse_spec
    from vcam.live.outputs import base

    monkeypatch.setitem(base.OPENERS, "window", lambda spec, w, h, fps: _NoDisplayHere())
    specs = [parse_spec(k.format(tmp_path / "take.mp4")) for k in kinds]
    workers = open_outputs(specs, 8, 8, 30, "letterbox", say=lambda text: None, served=served)
    close_workers(workers)
    assert [w.no_display for w in workers] == [NoDisplay[setting] if s.kind == "window" else NoDisplay.FAILS
                                               for s in specs]


def test_a_bug_in_a_recording_is_said_with_its_type_and_place_not_as_the_files_fault(tmp_path, monkeypatch):
    """A recording whose own code breaks on air (here its frame conversion meets an attribute it lacks) was said as
    "output file:… failed and is stopped: 'NoneType' object has no attribute 'reformat'": no type, no place, read as
    the disk's fault. The show goes on without it, and the line says what broke and where."""
    from vcam.live.outputs.recording import Recording

    def broken(self, vf):
        return None.reformat(vf)  # a bug of vcam's, raised in vcam's own recording code

    monkeypatch.setattr(Recording, "_converted", broken)
    said = []
    w = OutputWorker(Recording(str(tmp_path / "take.mp4"), 64, 48, 30), 64, 48, say=said.append)
    for tick in range(3):
        w.offer(np.zeros((48, 64, 3), np.uint8), tick)
    w.close(60)
    stopped = [line for line in said if "failed and is stopped" in line]
    assert len(stopped) == 1, said  # once, not per frame
    assert "AttributeError: 'NoneType' object has no attribute 'reformat' (at vcam/live/outputs/recording.py:" \
           in stopped[0] and "a bug in vcam" in stopped[0] and stopped[0].endswith("; the show goes on"), stopped


def test_an_output_error_with_no_text_is_said_by_its_type_not_as_a_blank():
    """An error raised with no text (a bare RuntimeError()) was said as "failed and is stopped: ; the show goes on"."""
    class Silent(_Output):
        def send(self, frame, tick):
            raise RuntimeError()

    said = []
    w = OutputWorker(Silent(), 8, 8, say=said.append)
    w.offer(FRAME, 0)
    w.close(10)
    assert said == ["output vcam:/dev/video10 failed and is stopped: RuntimeError; the show goes on"]
    assert w.summary().endswith("FAILED and stopped: RuntimeError")


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, whose every write fails with ENOSPC")
def test_a_recording_whose_disk_is_full_from_the_start_fails_after_the_on_air_line():
    """A recording gets its first frame as the show goes on air, and /dev/full fails at once: its line came before
    "on air" (said by the loop's next look, a quarter second later), read as a start-up fault. The show is said to
    be on air first."""
    import io

    from vcam.live.run import RunOptions, run

    status = io.StringIO()
    code = run(RunOptions(model="tiny", outs=["null", "file:/dev/full"], duration=0.5, stdin=False,
                          status_out=status))
    text = status.getvalue()
    assert code == 1 and "vcam: on air: tiny" in text and "output file:/dev/full failed and is stopped" in text, text
    assert text.index("vcam: on air: tiny") < text.index("output file:/dev/full failed"), text


def test_a_renders_file_whose_disk_fills_at_the_close_is_told_to_render_to_another_disk(tmp_path, monkeypatch):
    """A render's frames lost as its file closed on a full disk were told to "record to another disk"."""
    from types import SimpleNamespace

    from vcam.live import render
    from vcam.live.outputs import recording
    from vcam.outspec import parse_spec

    path = tmp_path / "take.mp4"
    cfg = SimpleNamespace(outs=[parse_spec(f"file:{path}")], width=64, height=48, fps=30.0)
    [(rec, _)] = render._open_outputs(cfg)
    for tick in range(10):
        rec.send(np.full((48, 64, 3), tick * 20, np.uint8), tick)
    monkeypatch.setattr(recording, "frames_held", lambda path: 7)
    rec._container = _ClosedRefused(rec._container, errno.ENOSPC)
    with pytest.raises(VcamError) as raised:
        rec.close()
    assert raised.value.fix == f"free space on its disk (df -h {tmp_path} shows what is left) or render to another disk"
