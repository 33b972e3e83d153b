"""`vcam run` end to end with the tiny model: camera rate, recordings (also after SIGINT and SIGKILL), fan-out."""
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import memory_camera
from helpers import FAST, TINY_SHOW, stopped_as_called, stopped_at_line, wait_for
from vcam.cli import main
from vcam.control.log import read_replay
from vcam.control.show import load_show
from vcam.errors import VcamError
from vcam.live import outputs as outputs_module
from vcam.live.outputs.camera import VirtualCamera
from vcam.live.outputs.recording import cut_partial_fragment, frames_held
from vcam.live.run import RunOptions, run

FPS = 30.0

# Runs of the tiny model share the session's engine (the same fixed-seed network) instead of building their own.
pytestmark = pytest.mark.usefixtures("shared_tiny")


def read_mp4(path):
    import cv2

    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    return frames


def recorded_ticks(path) -> list[int]:
    """Each frame's timestamp in a recording, in camera ticks from its first frame."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        ticks = [packet.pts * stream.time_base * Fraction(FPS) for packet in container.demux(stream)
                 if packet.pts is not None]
    assert all(t.denominator == 1 for t in ticks), ticks  # on the camera's ticks, none between
    return sorted(int(t) for t in ticks)


def test_camera_gets_frames_of_the_right_size_one_per_tick(monkeypatch):
    """The camera is opened at the show's rate and gets the pacer's frames in tick order; the rate the pacer keeps
    is tested on a fake clock (test_pacer.py), where a busy machine cannot change it."""
    ticks = []
    send = VirtualCamera.send
    monkeypatch.setattr(VirtualCamera, "send", lambda self, frame, tick: (ticks.append(tick), send(self, frame, tick)))
    backend = memory_camera.install()
    try:
        run(RunOptions(model="tiny", outs=["vcam@160x96"], fps=FPS, duration=3.0, size=(112, 64)))
    finally:
        memory_camera.uninstall()
    cam = backend.opened[-1]
    assert cam.closed and (cam.width, cam.height) == (160, 96) and cam.fps == FPS
    assert all(f.size == 160 * 96 * 3 for f in cam.frames)
    assert len(ticks) == len(cam.frames) > 40 and all(a < b for a, b in zip(ticks, ticks[1:]))
    # the loading card came first, then the stream, whose frames change
    first = cam.frames[0].reshape(96, 160, 3)
    assert first[0, 0].tolist() == [0, 0, 0] and first[48, 2].tolist() == [16, 16, 16]  # letterboxed card
    last, earlier = cam.frames[-1].astype(int), cam.frames[-40].astype(int)
    assert np.abs(last - earlier).mean() > 1.0


class CapturingOutput:
    instances = []

    def __init__(self):
        self.name = f"capture{len(CapturingOutput.instances)}"
        self.frames = {}
        CapturingOutput.instances.append(self)

    def send(self, frame, tick):
        self.frames[tick] = frame.copy()

    def close(self):
        pass


def test_two_outputs_get_the_same_frames(monkeypatch, tmp_path):
    """Each tick's frame goes to every output. Both capture as recordings do, every frame kept: a live output keeps
    the newest few, and which ticks it lost to a busy machine made the two differ."""
    CapturingOutput.instances = []
    monkeypatch.setitem(outputs_module.OPENERS, "file", lambda spec, w, h, fps: CapturingOutput())
    run(RunOptions(model="tiny", outs=[f"file:{tmp_path}/a.mp4", f"file:{tmp_path}/b.mp4"], fps=FPS, duration=2.0))
    a, b = CapturingOutput.instances
    ticks = sorted(a.frames)
    assert ticks == sorted(b.frames) and 0 < len(ticks) and ticks[-1] - ticks[0] < 2 * FPS, (ticks, sorted(b.frames))
    assert all(np.array_equal(a.frames[t], b.frames[t]) for t in ticks)


class FullDisk(CapturingOutput):
    def send(self, frame, tick):
        raise OSError(28, "No space left on device")


def test_a_failed_output_is_shown_and_reported_and_the_exit_code_says_so(monkeypatch):
    CapturingOutput.instances = []
    monkeypatch.setitem(outputs_module.OPENERS, "null", lambda spec, w, h, fps: FullDisk())
    status = io.StringIO()
    status.isatty = lambda: True  # every status line update is kept
    code = run(RunOptions(model="tiny", outs=["null"], fps=FPS, duration=1.0, status_out=status,
                          stdin=False))
    text = status.getvalue()
    assert code != 0
    assert "FAILED capture0" in text  # on the status line while the show went on
    assert "on air" in text  # the failure did not stop the show
    closing = text[text.rindex("on air"):]
    assert "output capture0: 0 frames sent; FAILED and stopped: [Errno 28] No space left on device" in closing
    assert "exiting with code 1: output capture0 failed" in closing


def vcam_cmd(*args):
    return [sys.executable, "-m", "vcam", "run", "--model", "tiny", *args]


@pytest.mark.slow  # a fresh process: the import chatter a user would see stays off
def test_recording_of_five_seconds(tmp_path):
    out = tmp_path / "show.mp4"
    proc = subprocess.run(vcam_cmd("--out", f"file:{out}", "--duration", "5"), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    frames = read_mp4(out)
    # 5 s counted in camera ticks from the first on air: the frames' timestamps (in ticks) never pass them. A
    # count of frames near 150 was a wall-clock bound: a busy machine's late camera skips ticks, leaving gaps.
    ticks = recorded_ticks(out)
    assert ticks[0] == 0 and all(a < b for a, b in zip(ticks, ticks[1:])) and ticks[-1] < 5 * FPS, ticks
    assert len(frames) == len(ticks) and f"recorded {len(frames)} frames" in proc.stderr, proc.stderr
    assert frames[0].shape == (64, 112, 3)
    assert np.abs(frames[-1].astype(int) - frames[len(frames) // 2].astype(int)).mean() > 1.0
    assert "recorded" in proc.stderr
    assert "Failed to load" not in proc.stderr and "torchao" not in proc.stderr  # import chatter stays off


def start_and_wait_on_air(args, timeout=120):
    proc = subprocess.Popen(vcam_cmd(*args), stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        lines.append(line)
        if "on air" in line:
            return proc, lines
    proc.kill()
    pytest.fail("never went on air:\n" + "".join(lines))


@pytest.mark.slow  # a signal to a process of its own
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_finalises_the_recording(tmp_path, sig):
    out = tmp_path / "show.mp4"
    proc, _ = start_and_wait_on_air(["--out", f"file:{out}"])
    held = wait_for_whole_fragments(proc, out, 2 * FPS)
    proc.send_signal(sig)
    rest = proc.stderr.read()
    assert proc.wait(timeout=30) == 0, rest
    # Stopping waits on no deadline (a block in progress, an output still busy): said if it did. A wall-clock
    # bound would fail on a busy machine, where the same stop took 7 s.
    assert not any(w in rest for w in ("waiting for the block", "still busy after", "did not end within")), rest
    frames = read_mp4(out)
    # finalised: what the file held at the signal is kept, the frames since end in a whole last fragment (every
    # frame it holds plays), and the end says how many
    assert len(frames) >= held and frames_held(str(out)) == len(frames)
    assert f"recorded {len(frames)} frames" in rest, rest
    # why the show ended, in the log a container or a service keeps (a Ctrl-C's line invites another)
    assert ("stopping on SIGTERM …" in rest) == (sig == signal.SIGTERM), rest


@pytest.mark.slow  # a process of its own, whose stderr goes away
@pytest.mark.parametrize("stderr", ["reader gone", "closed"])
def test_a_show_whose_stderr_goes_away_goes_on_and_completes_its_recording(tmp_path, stderr):
    """`vcam run … 2>&1 | head -2`, or a terminal hung up: the first message that could not be written raised
    (BrokenPipeError in the model's loading thread) and the show ended with nothing recorded, exit code 1;
    with stderr closed (2>&-) the status line's write raised AttributeError."""
    out = tmp_path / "show.mp4"
    cmd = vcam_cmd("--out", f"file:{out}", "--duration", "3", "--no-stdin")
    if stderr == "closed":
        proc = subprocess.Popen(["sh", "-c", 'exec "$@" 2>&-', "sh", *cmd])
    else:
        proc = subprocess.Popen(cmd, stderr=subprocess.PIPE)
        proc.stderr.readline()
        proc.stderr.close()
    assert proc.wait(timeout=300) == 0
    # completed: finalised (every frame in a whole fragment), on the camera's ticks within the 3 s. A
    # count of 90 frames was a wall-clock bound: a busy machine's late camera skips ticks, leaving gaps.
    frames, ticks = read_mp4(out), recorded_ticks(out)
    assert ticks[0] == 0 and all(a < b for a, b in zip(ticks, ticks[1:])) and FPS <= ticks[-1] < 3 * FPS, ticks
    assert len(frames) == len(ticks) == frames_held(str(out)), (len(frames), ticks)


def frames_in_whole_fragments(path, scratch) -> int:
    """The frames in the whole fragments of a recording still being written, read from a copy cut back to its last
    whole fragment (the live file is left alone)."""
    if not path.exists():
        return 0
    shutil.copyfile(path, scratch)
    cut_partial_fragment(str(scratch))
    return frames_held(str(scratch)) or 0


def wait_for_whole_fragments(proc, path, frames: float, timeout: float = 120) -> int:
    """Waits until the recording at `path` holds at least `frames` frames in whole fragments (a fragment a second:
    a busy machine takes longer, the file holds the same); the frames it holds then."""
    scratch = path.with_name("copy-" + path.name)
    held = wait_for(lambda: proc.poll() is None and frames_in_whole_fragments(path, scratch) >= frames, timeout)
    assert held, f"the recording held {frames_in_whole_fragments(path, scratch)} frames, exit code {proc.poll()}"
    return frames_in_whole_fragments(path, scratch)


SLOW_SIZE = "448x256"  # a block takes seconds on a CPU (most of it the VAE decode): a show ends during one


def read_until(proc, lines, text):
    """Reads the process's stderr up to the line holding `text` (or its end); whether it came."""
    for line in proc.stderr:
        lines.append(line)
        if text in line:
            return True
    return False


@pytest.mark.slow  # a process of its own, at a size where a block takes seconds
def test_ctrl_c_again_leaves_at_once_with_exit_code_130_and_a_readable_recording(tmp_path):
    """It aborted (exit 134, 'terminate called without an active exception'): the interpreter ended while the
    producer thread was inside the model."""
    out = tmp_path / "show.mp4"
    proc, lines = start_and_wait_on_air(["--size", SLOW_SIZE, "--out", f"file:{out}"], timeout=300)
    assert wait_for(out.exists, 120)  # the show reached the recording
    proc.send_signal(signal.SIGINT)
    invited = read_until(proc, lines, "Ctrl-C again to leave at once")
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    code = proc.wait(timeout=60)
    text = "".join(lines) + rest
    assert invited and code == 130, text
    assert "terminate called" not in text and "left at once" in rest
    assert len(read_mp4(out)) >= 1


@pytest.mark.slow  # a process of its own, at a size where a block takes seconds
@pytest.mark.parametrize("end", ["duration", "SIGTERM"])
def test_a_normal_end_during_a_long_block_says_nothing_unusual(tmp_path, end):
    """It waited for the block in progress, said so with an invitation to press Ctrl-C, and on a loaded machine
    gave up after 60 s."""
    out = tmp_path / "show.mp4"
    args = ["--size", SLOW_SIZE, "--out", f"file:{out}"] + (["--duration", "2"] if end == "duration" else [])
    proc, lines = start_and_wait_on_air(args, timeout=300)
    if end == "SIGTERM":
        assert wait_for(out.exists, 120)
        proc.send_signal(signal.SIGTERM)
    rest = proc.stderr.read()
    code = proc.wait(timeout=60)
    assert code == 0, rest
    unusual = ("waiting for the block", "did not end", "Ctrl-C again", "terminate called", "exiting anyway")
    assert not any(w in rest for w in unusual), rest
    assert "recorded" in rest and len(read_mp4(out)) >= 1


@pytest.mark.slow  # a process of its own, at a size where the first block takes seconds
@pytest.mark.parametrize("sig, code, said", [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 0, "SIGTERM")])
def test_a_show_stopped_while_its_model_loads_says_it_never_went_on_air(tmp_path, sig, code, said):
    """The line a user or a service's log sees when the show is stopped before its first frame, and the exit code:
    Ctrl-C's is an interrupted command's, so `&&` goes no further; SIGTERM's, a service's stop, the show's own."""
    out = tmp_path / "show.mp4"
    # sent as the model loads, the outputs open
    building, exit_code, before, rest = stopped_at_line(vcam_cmd("--size", SLOW_SIZE, "--out", f"file:{out}",
                                                                 "--no-stdin"), "building tiny", sig)
    text = before + rest
    assert building and exit_code == code, text
    line = f"loading stopped ({said}): the show never went on air, so nothing of it was recorded"
    assert (line + (f"; exit code {code}" if code else "")) in rest, text
    assert "on air:" not in text and "Traceback" not in text and not out.exists(), text


# Runs `vcam ARGS` with the signals argv[1] (TERM or INT,INT) sent to itself as the output of kind argv[2] (file,
# null) is about to open: a stop at that instant, whatever the machine's speed.
_STOP_AS_OUTPUTS_OPEN = """\
import os, signal, sys
import vcam.live.outputs.worker as worker
sigs = [getattr(signal, name) for name in sys.argv[1].split(",")]
at = sys.argv[2]
sys.argv = [sys.argv[0], *sys.argv[3:]]
real = worker.open_output


def opening(spec, *args, **kwargs):
    if spec.kind == at:
        print("sent", file=sys.stderr, flush=True)
        for sig in sigs:
            os.kill(os.getpid(), sig)
    return real(spec, *args, **kwargs)


worker.open_output = opening
from vcam.__main__ import run
sys.exit(run())
"""


@pytest.mark.slow  # a process of its own
def test_a_sigterm_as_the_outputs_open_stops_the_show_as_one_while_the_model_loads(tmp_path):
    """SIGTERM as the outputs opened ended vcam run at once (exit code 143 and no word in the service's log); then,
    once said, the show still started its parts and the model ("building tiny" after "stopping on SIGTERM …")."""
    harness = tmp_path / "stop_as_outputs_open.py"
    harness.write_text(_STOP_AS_OUTPUTS_OPEN, encoding="utf-8")
    out = tmp_path / "show.mp4"
    done = subprocess.run([sys.executable, str(harness), "SIGTERM", "file", *vcam_cmd(
        "--size", SLOW_SIZE, "--out", f"file:{out}", "--no-stdin")[3:]], capture_output=True, text=True, timeout=300)
    text = done.stderr
    assert "sent" in text and done.returncode == 0, text
    assert "stopping on SIGTERM …" in text and "Traceback" not in text, text
    assert "building tiny" not in text, text
    assert text.rstrip().splitlines()[-1] == \
        "vcam: loading stopped (SIGTERM): the show never went on air, so nothing of it was recorded", text


@pytest.mark.slow  # a process of its own
def test_ctrl_c_again_as_the_outputs_open_leaves_at_once_said_with_the_opened_ones_closed(tmp_path):
    """A second Ctrl-C as the outputs opened escaped with exit code 130 and no word, leaving the recording already
    opened unclosed."""
    harness = tmp_path / "stop_as_outputs_open.py"
    harness.write_text(_STOP_AS_OUTPUTS_OPEN, encoding="utf-8")
    out = tmp_path / "show.mp4"
    done = subprocess.run([sys.executable, str(harness), "SIGINT,SIGINT", "null", *vcam_cmd(
        "--out", f"file:{out}", "--out", "null", "--no-stdin")[3:]], capture_output=True, text=True, timeout=300)
    text = done.stderr
    assert "sent" in text and done.returncode == 130, text
    assert text.rstrip().splitlines()[-1] == "vcam: left at once (Ctrl-C again); exit code 130", text
    assert "Traceback" not in text and "building tiny" not in text, text


def _stopped_as_the_log_ends(tmp_path, sigs: str) -> tuple[subprocess.CompletedProcess, Path, Path]:
    """A 1 s show recorded and logged, sent `sigs` as its control log's end line is written: a stop after the show
    has ended, its recordings closed."""
    out, log = tmp_path / "show.mp4", tmp_path / "show.jsonl"
    done = stopped_as_called(tmp_path, "vcam.control.log:ControlLog.end", sigs, vcam_cmd(
        "--out", f"file:{out}", "--duration", "1", "--log-controls", str(log), "--no-stdin")[3:])
    return done, out, log


@pytest.mark.slow  # a process of its own
@pytest.mark.parametrize("sigs", ["SIGTERM,SIGTERM", "SIGHUP,SIGTERM"])
def test_stops_after_the_show_has_ended_leave_its_control_log_whole(tmp_path, sigs):
    """Two stops after the show had ended (a service's stop sent twice as the control log closed) left at once,
    said as "stopped (SIGTERM) again while loading" with exit code 143, and the log lacked its end line."""
    done, out, log = _stopped_as_the_log_ends(tmp_path, sigs)
    text = done.stderr
    assert "sent" in text and done.returncode == 0, text
    assert "while loading" not in text and "Traceback" not in text, text
    assert read_replay(str(log)).end_block is not None, log.read_text()
    ticks = recorded_ticks(out)  # PyAV reads the recording back whole: 1 s of the show's ticks
    assert ticks and ticks[-1] < 30, (ticks, text)


@pytest.mark.slow  # a process of its own
def test_ctrl_c_after_the_show_has_ended_leaves_said_with_its_control_log_whole(tmp_path):
    """Ctrl-C after the show had ended (its recording closed, the control log's end line being written) aborted
    the process (exit code 134, "terminate called without an active exception", the interpreter ending with the
    show's thread inside the model), the log without its end line."""
    done, out, log = _stopped_as_the_log_ends(tmp_path, "SIGINT")
    text = done.stderr
    assert "sent" in text and done.returncode == 130, text
    assert text.rstrip().splitlines()[-1] == "vcam: left at once (Ctrl-C as the show closed); exit code 130", text
    assert "terminate called" not in text and "Traceback" not in text, text
    assert read_replay(str(log)).end_block is not None, log.read_text()
    ticks = recorded_ticks(out)
    assert ticks and ticks[-1] < 30, (ticks, text)


@pytest.mark.slow  # a process of its own
def test_a_first_ctrl_c_as_the_show_closes_after_its_duration_is_not_said_as_again(tmp_path):
    """A first Ctrl-C as a --duration show closed its outputs left at once said as "left at once (Ctrl-C again)",
    though nothing had been pressed before it."""
    done = stopped_as_called(tmp_path, "vcam.live.onair:close_workers", "SIGINT", vcam_cmd(
        "--out", "null", "--duration", "1", "--no-stdin")[3:])
    text = done.stderr
    assert "sent" in text and done.returncode == 130, text
    assert text.rstrip().splitlines()[-1] == "vcam: left at once (Ctrl-C as the show closed); exit code 130", text


@pytest.mark.slow  # a process of its own
@pytest.mark.parametrize("where", ["vcam.engine.load:choose_model", "vcam.live.streamopen:stream_opener"])
def test_ctrl_c_between_pytorch_s_import_and_the_show_s_start_is_said_as_loading_stopped(tmp_path, where):
    """Ctrl-C as the model was chosen or the show's parts were made (PyTorch imported, the show's own handlers not
    in yet) left with exit code 130 and no word, where SIGTERM there was said."""
    out = tmp_path / "show.mp4"
    done = stopped_as_called(tmp_path, where, "SIGINT", vcam_cmd("--out", f"file:{out}", "--no-stdin")[3:])
    text = done.stderr
    assert "sent" in text and done.returncode == 130, text
    assert text.rstrip().splitlines()[-1] == ("vcam: loading stopped (Ctrl-C): the show never went on air, so "
                                              "nothing of it was recorded; exit code 130"), text
    assert "Traceback" not in text and not out.exists(), text


@pytest.mark.slow  # a process of its own
@pytest.mark.parametrize("sig, code, said", [("SIGINT", 130, "(Ctrl-C): {}; exit code 130"),
                                             ("SIGTERM", 0, "(SIGTERM): {}")])
@pytest.mark.parametrize("failing", ["bogus:x", "vcam:{tmp}/no-such-device"])
def test_a_stop_held_before_the_show_wins_over_the_setup_that_failed_after_it(tmp_path, sig, code, said, failing):
    """A stop as the model was chosen, then a show that could not be set up (a mistyped output, a camera device
    that is not there): the error was said with exit code 2, the stop the user asked for lost."""
    out = tmp_path / "show.mp4"
    done = stopped_as_called(tmp_path, "vcam.engine.load:choose_model", sig, vcam_cmd(
        "--out", f"file:{out}", "--out", failing.format(tmp=tmp_path), "--no-stdin")[3:])
    text = done.stderr
    assert "sent" in text and done.returncode == code, text
    assert text.rstrip().splitlines()[-1] == "vcam: loading stopped " + said.format(
        "the show never went on air, so nothing of it was recorded"), text
    assert "error" not in text and not out.exists(), text


def test_a_stop_before_the_model_is_known_counts_a_file_output_whatever_the_order_of_the_outputs():
    """The outputs were picked again beside `resolve`, all refused at the first mistyped one: `--out nul --out
    file:show.mp4` stopped as PyTorch loaded left out "so nothing of it was recorded", the other order said it."""
    from vcam.live.run import _records

    for outs in (["file:show.mp4", "nul"], ["nul", "file:show.mp4"]):
        assert _records(RunOptions(outs=outs), None), outs
    assert not _records(RunOptions(outs=["null", "vcam"]), None)
    assert not _records(RunOptions(serve=True), None)  # a served show records nothing here unless asked


# Runs `vcam ARGS` with the signals argv[1] (TERM or INT,TERM) sent to itself as PyTorch's import begins: a stop at
# that instant.
_STOP_AS_TORCH_LOADS = """\
import os, signal, sys
sigs = [getattr(signal, name) for name in sys.argv[1].split(",")]
sys.argv = [sys.argv[0], *sys.argv[2:]]


class StopAtTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch":
            sys.meta_path.remove(self)
            print("sent", file=sys.stderr, flush=True)
            for sig in sigs:
                os.kill(os.getpid(), sig)
            for _ in range(100000):  # the handlers run between bytecodes: one that leaves at once leaves in here
                pass
            print("the import went on", file=sys.stderr, flush=True)
        return None


sys.meta_path.insert(0, StopAtTorch())
from vcam.__main__ import run
sys.exit(run())
"""


# Runs `vcam ARGS` with the signals argv[1] (TERM or TERM,TERM) sent to itself as the show's input is set up: after
# PyTorch's import, before the show's own handlers.
_STOP_AS_THE_INPUT_OPENS = """\
import os, signal, sys
import vcam.live.run as run
sigs = [getattr(signal, name) for name in sys.argv[1].split(",")]
sys.argv = [sys.argv[0], *sys.argv[2:]]
real = run._open_input


def opening(*args, **kwargs):
    print("sent", file=sys.stderr, flush=True)
    for sig in sigs:
        os.kill(os.getpid(), sig)
    return real(*args, **kwargs)


run._open_input = opening
from vcam.__main__ import run as main
sys.exit(main())
"""


@pytest.mark.slow  # a process of its own
@pytest.mark.parametrize("sigs, code, last", [
    ("SIGTERM", 0, "vcam: loading stopped (SIGTERM): the show never went on air, so nothing of it was recorded"),
    ("SIGHUP", 0, "vcam: loading stopped (SIGHUP): the show never went on air, so nothing of it was recorded"),
    ("SIGTERM,SIGTERM", 143, "vcam: stopped (SIGTERM) again while loading: left at once; exit code 143")])
def test_a_stop_after_pytorch_is_imported_and_before_the_show_starts_is_said(tmp_path, sigs, code, last):
    """SIGTERM (docker stop) or SIGHUP between PyTorch's import and the show's start (the model chosen, MIDI and the
    input set up) ended vcam run at once with no word, where a moment earlier or later the same stop was said."""
    harness = tmp_path / "stop_as_the_input_opens.py"
    harness.write_text(_STOP_AS_THE_INPUT_OPENS, encoding="utf-8")
    out = tmp_path / "show.mp4"
    done = subprocess.run([sys.executable, str(harness), sigs, "run", "--model", "tiny", "--out", f"file:{out}",
                           "--no-stdin"], capture_output=True, text=True, timeout=300)
    text = done.stderr
    assert "sent" in text and done.returncode == code, text
    assert text.rstrip().splitlines()[-1] == last, text
    assert "building tiny" not in text and "Traceback" not in text and not out.exists(), text


@pytest.mark.slow  # a process of its own, stopped as PyTorch loads
@pytest.mark.parametrize("sig, code, said", [("SIGTERM", 0, "SIGTERM"), ("SIGHUP", 0, "SIGHUP"),
                                             ("SIGINT", 130, "Ctrl-C")])
def test_a_stop_while_pytorch_is_imported_says_the_loading_stop_line(tmp_path, sig, code, said):
    """SIGTERM (docker stop, systemd) in the seconds PyTorch is imported ended the show with exit code 143 and no
    word, SIGHUP with 129, and Ctrl-C with 130 and no word, where a moment later each said "loading stopped". Then
    SIGTERM and SIGHUP waited for the whole import, which can outlast docker stop's 10 s before its SIGKILL: nothing
    is open yet, so they leave at once; Ctrl-C waits (raised inside the import, it could abort the process)."""
    harness = tmp_path / "stop_at_torch.py"
    harness.write_text(_STOP_AS_TORCH_LOADS, encoding="utf-8")
    out = tmp_path / "show.mp4"
    done = subprocess.run([sys.executable, str(harness), sig, "run", "--model", "tiny", "--out", f"file:{out}",
                           "--no-stdin"], capture_output=True, text=True, timeout=300)
    assert "sent" in done.stderr, done.stderr
    assert done.returncode == code, done.stderr
    last = done.stderr.rstrip().splitlines()[-1]
    assert last.startswith(f"vcam: loading stopped ({said}): the show never went on air, so nothing of it was "
                           "recorded"), done.stderr  # its output was a file
    assert "Traceback" not in done.stderr and not out.exists(), done.stderr
    assert ("the import went on" in done.stderr) == (sig == "SIGINT"), done.stderr


@pytest.mark.slow  # a process of its own, stopped as PyTorch loads
@pytest.mark.parametrize("sigs, code, said", [("SIGINT,SIGTERM", 143, "SIGTERM"), ("SIGINT,SIGINT", 130, "Ctrl-C")])
def test_a_second_stop_while_pytorch_is_imported_leaves_at_once(tmp_path, sigs, code, said):
    """A stop after a Ctrl-C as PyTorch loaded waited for the whole import (a cold one can outlast docker stop's
    10 s, which then killed the process: exit code 137 and no word); nothing is open yet, so it leaves at once."""
    harness = tmp_path / "stop_at_torch.py"
    harness.write_text(_STOP_AS_TORCH_LOADS, encoding="utf-8")
    out = tmp_path / "show.mp4"
    done = subprocess.run([sys.executable, str(harness), sigs, "run", "--model", "tiny", "--out", f"file:{out}",
                           "--no-stdin"], capture_output=True, text=True, timeout=300)
    assert "sent" in done.stderr and done.returncode == code, done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == \
        f"vcam: stopped ({said}) again while loading: left at once; exit code {code}", done.stderr
    assert "loading stopped" not in done.stderr and not out.exists(), done.stderr
    assert "the import went on" not in done.stderr, done.stderr


@pytest.mark.slow  # a process of its own, stopped as PyTorch loads
@pytest.mark.parametrize("sig, code, said", [("SIGTERM", 143, "SIGTERM"), ("SIGHUP", 129, "SIGHUP"),
                                             ("SIGINT", 130, "Ctrl-C")])
def test_a_render_stopped_while_pytorch_is_imported_says_so(tmp_path, sig, code, said):
    """vcam render stopped by SIGTERM as PyTorch loaded ended with exit code 143 and no word (Ctrl-C: 130, no word);
    a moment later the same stop said what was rendered. Then SIGTERM and SIGHUP waited for the whole import: they
    leave at once."""
    harness = tmp_path / "stop_at_torch.py"
    harness.write_text(_STOP_AS_TORCH_LOADS, encoding="utf-8")
    log = tmp_path / "show.jsonl"
    log.write_text('{"vcam": {"model": "tiny", "seed": 3, "prompts": {"a": 1.0}, "steps": 4, "size": [112, 64], '
                   '"fps": 24.0}}\n{"end": {"blocks": 4}}\n', encoding="utf-8")
    out = tmp_path / "show.mp4"
    done = subprocess.run([sys.executable, str(harness), sig, "render", str(log), "--out", f"file:{out}"],
                          capture_output=True, text=True, timeout=300)
    assert "sent" in done.stderr and done.returncode == code, done.stderr
    assert done.stderr.rstrip().splitlines()[-1] == \
        f"vcam: stopped before the first of 4 blocks ({said}; exit code {code}): nothing was rendered", done.stderr
    assert not out.exists(), done.stderr
    assert ("the import went on" in done.stderr) == (sig == "SIGINT"), done.stderr


@pytest.mark.slow  # a process killed outright
def test_frames_survive_a_kill(tmp_path):
    out = tmp_path / "show.mp4"
    proc, _ = start_and_wait_on_air(["--out", f"file:{out}"])
    held = wait_for_whole_fragments(proc, out, 2 * FPS)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    # every fragment whole on disk before the kill plays: only the one being written (the last second) is lost
    assert len(read_mp4(out)) >= held


def test_bad_output_spec_is_refused_with_the_forms(capsys):
    assert main(["run", "--model", "tiny", "--out", "hdmi"]) == 2
    assert "file:PATH.mp4" in capsys.readouterr().err


def test_recording_into_a_missing_folder_is_refused(tmp_path, capsys):
    assert main(["run", "--model", "tiny", "--out", f"file:{tmp_path}/nope/x.mp4"]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_a_first_prompt_the_text_encoder_overflows_on_is_said_in_one_line_with_its_fix(monkeypatch, capsys):
    """It was the stream's plain ValueError, said without a fix (and as a traceback with VCAM_DEBUG=1)."""
    from vcam.engine.text import TextEncoder

    encode = TextEncoder.encode
    monkeypatch.setattr(TextEncoder, "encode", lambda self, text: encode(self, text) * float("nan"))
    monkeypatch.setenv("VCAM_DEBUG", "1")
    assert main(["run", "--model", "tiny", "--out", "null", "--duration", "1", "--no-stdin",
                 "--prompt", "a lava flow"]) == 2
    err = capsys.readouterr().err
    assert ("vcam: error: the text encoder's output for the first prompt ('a lava flow') is NaN or infinite (an "
            "overflow), so the stream cannot start on it\n  fix: start on other words: give --prompt TEXT") in err
    assert "Traceback" not in err


class _Writes(io.StringIO):
    """stderr as a log file is: each write kept apart, under a lock, as the show's threads make them."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self.writes.append(text)
        return super().write(text)


def test_every_line_of_a_shows_start_is_written_whole_so_none_runs_on_into_another(monkeypatch, tmp_path):
    """`vcam run … </dev/null` printed "vcam: building tiny (random weights)vcam: stdin is the null device …" on one
    line, then an empty one: the load's step was printed with its line end written apart, and the console's line
    came between the two."""
    err = _Writes()
    monkeypatch.setattr(sys, "stderr", err)
    with open(os.devnull) as null:
        monkeypatch.setattr(sys, "stdin", null)
        assert main(["run", "--model", "tiny", "--out", f"file:{tmp_path}/x.mp4", "--duration", "0.5"]) == 0
    assert "vcam: building tiny (random weights)\n" in err.writes
    assert "vcam: stdin is the null device (</dev/null): no typed commands; Ctrl-C ends the show\n" in err.writes
    assert [w for w in err.writes if w and not w.endswith("\n")] == []


def test_a_quit_typed_as_the_model_starts_loading_ends_the_load_with_no_building_line(monkeypatch, tmp_path, capsys):
    """`printf 'quit\\n' | vcam run --model tiny --out file:h.mp4` said "stopping", then "building tiny (random
    weights)": the load, begun before the quit was read, went on."""
    import vcam.engine.load as load_module
    from vcam.errors import LoadStopped
    from vcam.live.signals import StopEvent

    stopped, loaded, ended = threading.Event(), threading.Event(), []
    stop_set, load = StopEvent.set, load_module.load

    def set_and_tell(self):
        stop_set(self)
        stopped.set()

    def load_once_stopped(*args, **kwargs):  # the load's first step comes after the quit, as on a slow start
        try:
            assert stopped.wait(60.0)
            ended.append(load(*args, **kwargs))
        except LoadStopped as e:
            ended.append(e)
            raise
        finally:
            loaded.set()

    monkeypatch.setattr(StopEvent, "set", set_and_tell)
    monkeypatch.setattr(load_module, "load", load_once_stopped)
    (tmp_path / "commands").write_text("quit\n")
    with open(tmp_path / "commands") as typed:
        monkeypatch.setattr(sys, "stdin", typed)
        assert main(["run", "--model", "tiny", "--out", f"file:{tmp_path}/h.mp4"]) == 0
    assert loaded.wait(60.0)
    err = capsys.readouterr().err
    assert "vcam: stopping\n" in err and "building" not in err
    assert [type(e) for e in ended] == [LoadStopped]


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="a system with /proc")
def test_recording_into_a_folder_no_file_can_be_made_in_is_refused_at_the_start(capsys):
    """/proc passes the folder's permission check as root: the show went on air and failed there with a bare
    "[Errno 2]"."""
    assert main(["run", "--model", "tiny", "--out", "file:/proc/x.mp4", "--duration", "2", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    assert "cannot record to /proc/x.mp4" in err and "Errno" not in err and "building" not in err, err


def test_a_strength_without_an_input_is_said_to_wait_for_one_at_the_start():
    """--strength without --in was kept without a word, as if it changed the pictures."""
    said = prepared_status(strength=0.4, stdin=False)
    assert "--strength 0.4 has no effect without an input: it applies once one is on air" in said
    assert "--strength" not in prepared_status(stdin=False)


def test_an_input_at_strength_1_is_said_to_show_nothing_at_the_start(tmp_path):
    """`--in image:logo.png --strength 1` (1 read as the most of the input, or a show's `strength: 1`) went on air
    text only without a word; the input put on by a typed command at strength 1 says so."""
    import cv2

    logo = tmp_path / "logo.png"
    cv2.imwrite(str(logo), np.zeros((48, 64, 3), np.uint8))
    said = prepared_status(input=f"image:{logo}", strength=1.0, stdin=False)
    assert f"strength 1 is text only: input image:{logo} shows nothing until it is lowered (--strength 0.6" in said
    show = tmp_path / "show.yaml"
    show.write_text("defaults: {input: image:logo.png, strength: 1}\npresets:\n  - {name: a, prompt: b}\n")
    assert "strength 1 is text only" in prepared_status(show=str(show), stdin=False)
    assert "text only" not in prepared_status(input=f"image:{logo}", strength=0.99, stdin=False)
    assert "text only" not in prepared_status(strength=1.0, stdin=False)


def test_a_first_preset_at_its_own_strength_1_and_stdin_on_the_null_device_are_not_told_to_type(tmp_path, monkeypatch):
    """A first preset giving its own strength 1 (the input under the text on purpose, unsaid when put on later) was
    told strength 1 is text only; with stdin on /dev/null it was told to type `strength 0.6`, which it cannot."""
    import cv2

    cv2.imwrite(str(tmp_path / "logo.png"), np.zeros((48, 64, 3), np.uint8))
    show = tmp_path / "show.yaml"
    show.write_text("defaults: {input: image:logo.png}\npresets:\n  - {name: a, prompt: b, strength: 1}\n")
    assert "text only" not in prepared_status(show=str(show), stdin=False)
    assert "text only" in prepared_status(show=str(show), strength=1.0, stdin=False)
    read, write = os.pipe()
    with open(read, "rb") as piped, open(os.devnull, "rb") as null:
        for stdin, typed in ((piped, True), (null, False)):
            monkeypatch.setattr("sys.stdin", stdin)
            said = prepared_status(input=f"image:{tmp_path / 'logo.png'}", strength=1.0)
            assert "strength 1 is text only" in said
            assert ("or strength 0.6 typed" in said) == typed, said
    os.close(write)


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="checks the machine without CUDA")
def test_krea_without_gpu_is_refused_before_anything_opens(tmp_path, capsys):
    out = tmp_path / "x.mp4"
    assert main(["run", "--model", "krea-14b", "--out", f"file:{out}"]) == 2
    err = capsys.readouterr().err
    assert "CUDA GPU" in err and "--model tiny" in err
    assert not out.exists()


def test_a_weights_folder_missing_files_is_refused_before_a_camera_or_a_recording_opens(tmp_path, capsys):
    """The folder was checked as the model loaded: the camera was open by then, and the recording held the loading
    card."""
    (tmp_path / "w").mkdir()
    take = tmp_path / "take.mp4"
    backend = memory_camera.install()
    try:
        assert main(["run", "--model", "tiny", "--weights", str(tmp_path / "w"), "--duration", "5", "--no-stdin",
                     "--out", f"file:{take}", "--out", "vcam"]) == 2
    finally:
        memory_camera.uninstall()
    err = capsys.readouterr().err
    assert "model files missing or incomplete" in err and f"copy complete files into {tmp_path / 'w'}" in err, err
    # krea-14b's files and a download were asked for: tiny fits neither, and builds its own
    assert "tiny's own weights" in err and "tiny builds random weights and needs no files" in err, err
    assert "Hugging Face" not in err and "Wan-AI" not in err
    assert not take.exists() and backend.opened == []


def test_a_weights_folder_on_a_machine_without_cuda_is_not_read_by_tiny(tmp_path, monkeypatch, capsys):
    """With no --model, a machine without CUDA ran tiny, which asked the folder for krea-14b's files, then could
    not take their shapes: the folder is krea-14b's, and that needs the GPU."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    (tmp_path / "w").mkdir()
    assert main(["run", "--weights", str(tmp_path / "w"), "--duration", "5", "--no-stdin", "--out", "null"]) == 2
    err = capsys.readouterr().err
    assert f"--weights {tmp_path / 'w'}: a weights folder is krea-14b's, which needs a CUDA GPU" in err, err
    assert "leave out --weights to try vcam with the tiny model" in err and "model files missing" not in err


@pytest.mark.parametrize("asked", [{}, {"size": (112, 64)}, {"quant": "none"}])
def test_a_size_adapted_to_the_card_streams_into_the_asked_outputs(monkeypatch, asked):
    """Where nobody asked for a size or precision, `vcam.load` may adapt them to a small card; the stream then
    runs at the engine's size and the outputs keep theirs."""
    import vcam.engine.load

    seen, real_load = [], vcam.engine.load.load

    def load(*args, adapt=False, **kwargs):
        seen.append(adapt)
        engine = real_load(*args, **kwargs)
        if adapt:  # what plan_memory does on a card too small (no CUDA here to make it happen)
            engine.width, engine.height = 96, 48
        return engine

    monkeypatch.setattr(vcam.engine.load, "load", load)
    made = []
    original_stream = vcam.engine.load.Engine.stream
    monkeypatch.setattr(vcam.engine.load.Engine, "stream",
                        lambda self, *a, **kw: made.append(original_stream(self, *a, **kw)) or made[-1])
    CapturingOutput.instances = []
    monkeypatch.setitem(outputs_module.OPENERS, "null", lambda spec, w, h, fps: CapturingOutput())
    run(RunOptions(model="tiny", outs=["null"], fps=FPS, duration=1.5, **asked))
    assert seen == [not asked]
    settings = made[0].settings
    assert (settings.width, settings.height) == ((96, 48) if not asked else (112, 64))
    frames = list(CapturingOutput.instances[0].frames.values())
    assert frames and all(f.shape == (64, 112, 3) for f in frames)


@pytest.mark.parametrize("args, fragment", [
    (["run", "--seed", "99999999999999999999999"], "at most 9223372036854775807"),
    (["run", "--seed", "-1"], "at least 0"),
    (["run", "--transition", "-3"], "at least 0"),
    (["run", "--fps", "inf"], "at most 240"),
    (["run", "--fps", "nan"], "at least 1"),
    (["run", "--duration", "nan"], "more than 0"),
    (["run", "--max-latency", "inf"], "more than 0"),
    (["cam", "ws://x:1", "--fps", "0"], "at least 1"),
    (["serve", "--port", "70000"], "at most 65535"),
    (["bench", "--blocks", "0"], "at least 1"),
    # a typo that timed for days (and --tune as many times over): refused as the line is read, before PyTorch loads
    (["bench", "--blocks", "100000"], "argument --blocks: 100000 must be at least 1 and at most 1000"),
    (["bench", "--warmup", "30000"], "argument --warmup: 30000 must be at least 0 and at most 1000"),
    (["bench", "--warmup", "-1"], "at least 0"),
    (["run", "--fps", "fast"], "'fast' is not a number"),
    (["cam", "ws://x:1", "--size", "1921x1080"], "must be even"),
    (["run", "--size", "1920x1080"], "multiples of 16"),
])
def test_values_that_would_fail_later_are_refused_on_the_command_line(args, fragment, capsys):
    """Each of these used to pass: a seed past 64 bits retried for ever, --fps inf killed the camera's thread,
    --duration nan never stopped, --transition -3 failed after the model had loaded."""
    from vcam.cli import build_parser

    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(args)
    assert exit_.value.code == 2 and fragment in capsys.readouterr().err


def test_a_gpu_lost_on_air_ends_the_show_with_exit_code_1_and_a_complete_recording(monkeypatch, tmp_path):
    """Exit code 2 means the show could not start (a usage or setup error); a failure on air is 1."""
    import av

    import vcam.live.producer
    from vcam.engine.stream import Stream

    lost = RuntimeError("CUDA error: an illegal memory access was encountered (pretend)")
    monkeypatch.setattr(vcam.live.producer, "_device_lost", lambda stream, e: e is lost)
    next_block = Stream.next_block

    def failing_next_block(self):
        if self._block >= 6:  # well on air by then
            raise lost
        return next_block(self)

    monkeypatch.setattr(Stream, "next_block", failing_next_block)
    status = io.StringIO()
    path = tmp_path / "show.mp4"
    code = run(RunOptions(model="tiny", outs=[f"file:{path}"], fps=FPS, duration=120.0, status_out=status,
                          stdin=False))
    text = status.getvalue()
    assert code == 1, text
    assert "cannot recover" in text and "fix: restart vcam" in text
    with av.open(str(path)) as f:
        assert sum(1 for _ in f.decode(video=0)) > 0


def test_vcam_cam_takes_any_even_output_size():
    from vcam.cli import build_parser

    assert build_parser().parse_args(["cam", "ws://x:1", "--size", "1920x1080"]).size == (1920, 1080)


def test_a_control_log_that_cannot_be_written_is_refused_before_any_output_opens(tmp_path):
    from vcam.errors import VcamError

    recording = tmp_path / "show.mp4"
    with pytest.raises(VcamError) as err:
        run(RunOptions(model="tiny", outs=[f"file:{recording}"], duration=1.0, stdin=False,
                       log_controls=str(tmp_path / "missing" / "log.jsonl"), status_out=io.StringIO()))
    assert "control log" in err.value.message and "--log-controls" in err.value.fix
    assert not recording.exists()


@pytest.mark.parametrize("name,content,said", [
    ("show.yaml", b"name: my show\npresets: []\n", "(a show file?)"),
    ("take.mp4", b"\x00\x00\x00\x18ftypmp42", "(a recording?)"),
    ("notes.txt", b"notes\n", "(its first line is not a log's header)"),
])
def test_a_control_log_that_would_replace_another_kind_of_file_is_refused_and_the_file_kept(tmp_path, name, content,
                                                                                            said):
    """`vcam run --log-controls show.yaml` replaced the show file with the log, said only as `replacing`."""
    path, recording = tmp_path / name, tmp_path / "new.mp4"
    path.write_bytes(content)
    status = io.StringIO()
    with pytest.raises(VcamError) as err:
        run(RunOptions(model="tiny", outs=[f"file:{recording}"], duration=1.0, stdin=False, log_controls=str(path),
                       status_out=status))
    assert f"--log-controls {path} would replace {path}: it is not a control log {said}" == err.value.message
    assert "--log-controls" in err.value.fix
    assert path.read_bytes() == content and not recording.exists() and "replacing" not in status.getvalue()


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's; Windows refuses a second writer itself")
def test_a_control_log_another_show_writes_is_refused_before_any_output_opens_and_left_whole(tmp_path):
    """Two shows on one --log-controls file: the second truncated the first's log, which lost its header."""
    from vcam.live.logfile import open_log

    path = tmp_path / "show.jsonl"
    first = open_log(str(path)).out
    first.write('{"vcam": {}}\n')
    first.flush()
    recording = tmp_path / "second.mp4"
    with pytest.raises(VcamError) as err:
        run(RunOptions(model="tiny", outs=[f"file:{recording}"], duration=1.0, stdin=False,
                       log_controls=str(path), status_out=io.StringIO()))
    assert "another show is writing it now" in err.value.message and "--log-controls" in err.value.fix
    assert not recording.exists() and path.read_text() == '{"vcam": {}}\n'
    first.close()
    again = open_log(str(path))  # free once the first show closed it; its log is replaced only on air
    again.out.close()
    assert again.older == str(path) and path.read_text() == '{"vcam": {}}\n'


@pytest.mark.skipif(os.name != "posix" or not os.path.isdir("/proc/self/fd"),
                    reason="file locks are POSIX's; counts this process's descriptors in /proc")
def test_a_control_log_refused_as_another_shows_leaves_no_descriptor_open(tmp_path):
    """The descriptor the lock was tried on is closed, not left open for the rest of the process."""
    from vcam.live.logfile import open_log

    path = tmp_path / "show.jsonl"
    path.write_text("an older log\n")
    first = open_log(str(path))
    before = len(os.listdir("/proc/self/fd"))
    with pytest.raises(VcamError) as err:
        open_log(str(path))
    assert "another show is writing it now" in err.value.message and len(os.listdir("/proc/self/fd")) == before
    first.out.close()
    assert path.read_text() == "an older log\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_control_log_into_a_pipe_is_opened_for_writing_only_and_a_file_for_reading_back_too(tmp_path):
    """A plain file is opened to be read too (a log deleted on air is read back at the end); a pipe is not: read by
    vcam as well, it stayed open when its own reader left, and filled."""
    import fcntl
    from vcam.live.logfile import open_log

    pipe = tmp_path / "log.fifo"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    try:
        piped = open_log(str(pipe)).out
        assert fcntl.fcntl(piped.fileno(), fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY
        piped.close()
    finally:
        os.close(reader)
    filed = open_log(str(tmp_path / "show.jsonl")).out
    assert fcntl.fcntl(filed.fileno(), fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDWR
    filed.close()


def test_a_midi_map_without_a_midi_input_is_said_to_be_unused():
    status = io.StringIO()
    assert run(RunOptions(model="tiny", outs=["null"], duration=0.5, stdin=False, midi_map="nanokontrol2",
                          status_out=status)) == 0
    assert "--midi-map is not used" in status.getvalue()


def test_a_normal_end_does_not_wait_for_a_long_block_and_says_nothing_unusual(monkeypatch):
    """A block at a big size on a CPU takes tens of seconds (most of it in the VAE decode): --duration ends the
    show without waiting for it, saying nothing about it; the command line then leaves without the thread."""
    import vcam.live.model_feed
    from vcam.engine.stream import Stream
    from vcam.live.run import play

    monkeypatch.setattr(vcam.live.model_feed, "BLOCK_WAIT_S", 3.0, raising=False)  # the old wait, made short
    monkeypatch.setattr(vcam.live.model_feed, "PRODUCER_STOP_S", 0.1, raising=False)
    next_block, in_long_block, release = Stream.next_block, threading.Event(), threading.Event()

    def long_block_after_the_first(self):
        if self._block >= 1:
            in_long_block.set()
            release.wait(60.0)
        return next_block(self)

    monkeypatch.setattr(Stream, "next_block", long_block_after_the_first)
    status = io.StringIO()
    try:
        ended = play(RunOptions(model="tiny", outs=["null"], duration=0.5, stdin=False, status_out=status))
        assert in_long_block.is_set()
        assert ended.code == 0 and ended.busy, status.getvalue()  # busy: the command line leaves with os._exit
    finally:
        release.set()
        for thread in threading.enumerate():  # this process must not end while the block runs
            if thread.name == "generator":
                thread.join(120.0)
    text = status.getvalue()
    assert not any(w in text for w in ("waiting for the block", "did not end", "Ctrl-C again")), text


def test_a_producer_slower_than_the_stall_limit_is_said_once_not_at_every_block():
    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    now, said = [0.0], []
    feed = ModelFeed(SimpleNamespace(state="running"), said.append, "on air", lambda: None, lambda: "live",
                     clock=lambda: now[0])
    for block in range(20):  # a block every 15 s, against a stall limit of 5 s
        now[0] = block * 15.0
        feed.poll(PacerStats(pushed=12 * (block + 1), production_fps=0.8))
        now[0] += 5.5
        feed.poll(PacerStats(pushed=12 * (block + 1), production_fps=0.8, stalled=True))
    stalls = [s for s in said if "stall" in s]
    assert len(stalls) == 2 and "keeps stalling" in stalls[1] and "0.8 frames/s" in stalls[1], said
    # generation kept up for a while: a stall later on is news again
    now[0] += 600.0
    feed.poll(PacerStats(pushed=1000))
    now[0] += 900.0
    feed.poll(PacerStats(pushed=1000, stalled=True))
    assert said[-1] == "generation stalled: holding the last frame"


def test_a_show_that_gives_up_inside_its_first_block_says_why_and_leaves_with_code_2(shared_tiny, monkeypatch,
                                                                                      capsys):
    """The give-up comes while the producer is inside its first block: the command line says why and leaves with
    code 2 at once (the interpreter's exit would abort on a thread inside the model), and `run` raises it once the
    block is done."""
    import vcam.live.model_feed
    import vcam.stdio
    from vcam.engine.stream import Stream
    from vcam.live.model_feed import NeverOnAir

    monkeypatch.setattr(vcam.live.model_feed, "FIRST_BLOCK_WAIT_S", 0.2)
    inside, release = threading.Event(), threading.Event()

    def stuck_block(self):
        inside.set()
        release.wait(60)
        raise RuntimeError("the block never finished")

    monkeypatch.setattr(Stream, "next_block", stuck_block)
    left = []

    def leave(code):
        left.append(code)
        release.set()  # the block ends, so the producer leaves the model
        raise SystemExit(code)

    # The command line's own process (main without arguments): a test's call with arguments waits for the block
    monkeypatch.setattr(vcam.stdio.os, "_exit", leave)
    monkeypatch.setattr(vcam.stdio, "guard_standard_streams", lambda: None)
    monkeypatch.setattr(vcam.stdio, "leave_at_once_on_ctrl_c", lambda: None)
    monkeypatch.setattr("gc.freeze", lambda: None)
    monkeypatch.setattr("sys.argv", ["vcam", "run", "--model", "tiny", "--out", "null", "--no-stdin", "--duration",
                                     "0.1"])
    with pytest.raises(SystemExit):
        main()
    assert inside.is_set() and left == [2]
    err = capsys.readouterr().err
    assert "vcam: error: no block came within 0.2 s of the model loading" in err and "fix: give a smaller" in err
    release.clear()
    with pytest.raises(NeverOnAir):
        threading.Timer(1.0, release.set).start()
        run(RunOptions(model="tiny", outs=["null"], stdin=False, duration=0.1, status_out=io.StringIO()))


def test_with_a_duration_a_show_that_never_goes_on_air_gives_up_once_its_model_has_loaded():
    from vcam.errors import VcamError
    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    now, said, producer = [0.0], [], SimpleNamespace(state="loading", stream=None)
    feed = ModelFeed(producer, said.append, "on air", lambda: None, lambda: "live", clock=lambda: now[0],
                     duration=5, first_block_wait=600)
    now[0] = 5.0
    feed.poll(PacerStats())
    assert said == ["--duration 5 s counts from the first frame on air: not on air yet"]
    now[0] = 4000.0  # a first download: however long loading takes, it is not cut short
    feed.poll(PacerStats())
    producer.state = "running"  # loaded: from here the first block has the longer of the duration and the wait
    feed.poll(PacerStats())
    now[0] = 4599.0
    feed.poll(PacerStats())
    now[0] = 4600.0
    with pytest.raises(VcamError, match="no block came within 600 s of the model loading") as gave_up:
        feed.poll(PacerStats())
    assert "--size" in gave_up.value.fix and len(said) == 1
    # without --duration a show waits as long as it takes; a show on air is not timed here
    waits = ModelFeed(SimpleNamespace(state="running", stream=None), said.append, "on air", lambda: None,
                      lambda: "live", clock=lambda: now[0])
    on_air = ModelFeed(SimpleNamespace(state="running", stream=None), said.append, "on air", lambda: None,
                       lambda: "live", clock=lambda: now[0], duration=5, first_block_wait=600)
    for later in (0, 10_000):
        now[0] += later
        assert not waits.poll(PacerStats()) and not on_air.poll(PacerStats(pushed=12))


def test_with_a_duration_a_show_whose_blocks_all_fail_gives_up_saying_so_not_that_the_machine_is_slow():
    """Every block NaN (a broken weight file, an overflow in fp8): the give-up told the operator to pick a smaller
    --size, which changes nothing; the failure line said before it says what does."""
    from vcam.errors import VcamError
    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    now, producer = [0.0], SimpleNamespace(state="running", stream=None, failing=True)
    feed = ModelFeed(producer, lambda s: None, "on air", lambda: None, lambda: "live", clock=lambda: now[0],
                     duration=5, first_block_wait=600)
    feed.poll(PacerStats())
    now[0] = 600.0
    with pytest.raises(VcamError, match="never went on air: every block failed") as gave_up:
        feed.poll(PacerStats())
    assert "failure line above" in gave_up.value.fix and "--size" not in gave_up.value.fix


@pytest.mark.parametrize("extra, ends", [(lambda: "", "| VRAM -"),
                                         (lambda: "in clip.avi 3/20", "| in clip.avi 3/20")])
def test_the_status_line_ends_with_what_there_is_to_say_and_no_empty_field(extra, ends):
    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    feed = ModelFeed(SimpleNamespace(state="running", stream=None), lambda s: None, "on air", lambda: None,
                     lambda: "live", extra_status=extra)
    text = feed.status(PacerStats(pushed=12, production_fps=8.0), 30.0, [])
    assert text.endswith(ends), text


def test_a_card_that_stops_answering_leaves_the_status_lines_vram_empty(monkeypatch):
    """The main loop reads the card's memory for the status line; a card whose context is gone fails that read too,
    and the show must end through its producer's report of the lost GPU (exit 1, what to do), not an internal
    error raised from the status line."""
    import torch

    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    now = [0.0]
    feed = ModelFeed(SimpleNamespace(state="running", stream=SimpleNamespace(device=torch.device("cuda"))),
                     lambda s: None, "on air", lambda: None, lambda: "live", clock=lambda: now[0])
    stats = PacerStats(pushed=12, production_fps=8.0)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (2 * 2**30, 24 * 2**30))
    assert feed.status(stats, 30.0, []).endswith("| VRAM 22.0/24 GiB")

    def lost(device=None):
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    monkeypatch.setattr(torch.cuda, "mem_get_info", lost)
    now[0] += 1.0  # the next read (one a second)
    assert feed.status(stats, 30.0, []).endswith("| VRAM -")


# --- a replayed control log ---------------------------------------------------------------------------------------

REPLAY_HEADER = {"model": "tiny", "seed": 3, "prompts": {"a neon city at night": 1.0}, "steps": 4, "transition": 2,
                 "size": [112, 64], "pin_first_latent": False, "input": "none", "input_fit": "crop", "strength": 0.6,
                 "fps": 24.0, "quant": "none"}


def replay_log(tmp_path, blocks: int = 3, **header) -> str:
    """A control log of a show of `blocks` blocks, its header REPLAY_HEADER with `header` changed."""
    import json

    path = tmp_path / "show.jsonl"
    lines = [{"vcam": {**REPLAY_HEADER, **header}}, {"end": {"blocks": blocks}}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    return str(path)


def prepared_status(**given) -> str:
    """What a show says while it is checked, before anything opens."""
    from vcam.live.run import _prepare

    status = io.StringIO()
    _prepare(RunOptions(outs=["null"], status_out=status, **given))
    return status.getvalue()


def test_a_replay_says_that_typed_commands_are_not_read_and_what_ends_it(tmp_path):
    """Typed commands used to go unanswered during a replay, without a word."""
    said = prepared_status(replay=replay_log(tmp_path))
    assert "typed commands are not read while a control log is replayed" in said
    assert "ends after the log's 3 blocks, Ctrl-C ends it sooner" in said
    assert "typed commands" not in prepared_status(replay=replay_log(tmp_path), stdin=False)


def test_a_replay_of_a_log_without_its_end_says_it_plays_on_until_stopped(tmp_path):
    """The log of a killed show replayed on past its blocks without a word, where vcam render names its missing end."""
    log = tmp_path / "killed.jsonl"
    log.write_text(open(replay_log(tmp_path)).read().splitlines()[0] + "\n")
    for stdin in (True, False):
        said = prepared_status(replay=str(log), stdin=stdin)
        assert "killed.jsonl has no end line (the show did not end cleanly)" in said
        assert "goes on past its start (it logs no change) until Ctrl-C; --duration SECONDS stops it" in said
    assert "no end line" not in prepared_status(replay=replay_log(tmp_path))
    said = prepared_status(replay=str(log), duration=30.0)
    assert "goes on past its start (it logs no change) until --duration's 30 s on air" in said and "SECONDS" not in said


def test_a_replay_names_a_change_edited_in_after_the_logs_end(tmp_path):
    """A change at a block past the end line's count was never made, without a word."""
    import json

    log = tmp_path / "edited.jsonl"
    seed = {"t": 1, "block": 7, "command": "seed 4", "source": "stdin", "apply": {"op": "seed", "seed": 4}}
    lines = [{"vcam": REPLAY_HEADER}, {**seed, "block": 3}, seed, {**seed, "block": 9}, {"end": {"blocks": 3}}]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    said = prepared_status(replay=str(log), stdin=False)
    assert f"{log}:3: the change at block 7 (and 1 more after it) comes after the end line's 3 blocks, so it is " \
           "not made; raise the end line's blocks above 9 to make them" in said
    assert "after the end line's" not in prepared_status(replay=replay_log(tmp_path), stdin=False)


def test_a_replay_takes_no_midi_and_no_network_commands_and_says_so(tmp_path, fake_midi_backend):
    """--midi PORT was opened during a replay: a knob turned then made another show than the log's (as --osc, it is
    said and left closed)."""
    from vcam.live.run import _prepare

    said = prepared_status(replay=replay_log(tmp_path), midi="no such port", midi_map="nanokontrol2", stdin=False)
    assert "--midi no such port is not used while a control log is replayed" in said
    # a map alone says the replay is why, not a missing --midi
    said = prepared_status(replay=replay_log(tmp_path), midi_map="nanokontrol2", stdin=False)
    assert "--midi-map nanokontrol2 is not used while a control log is replayed" in said
    assert "without --midi PORT" not in said
    # a show of its own opens the port (waited for: none matches here)
    assert _prepare(RunOptions(outs=["null"], midi="no such port", stdin=False,
                               status_out=io.StringIO())).midi[0] == "no such port"
    served = prepared_status(replay=replay_log(tmp_path), serve=True, stdin=False)
    assert "commands from the network are not taken while a control log is replayed: clients watch it" in served
    assert "network" not in prepared_status(replay=replay_log(tmp_path), stdin=False)


def test_a_replay_at_settings_other_than_its_logs_says_the_pictures_differ(tmp_path):
    """--prompt, --seed and --size over a replayed log's used to go unsaid; vcam render's words say it."""
    log = replay_log(tmp_path)
    said = prepared_status(replay=log, prompt="a forest", seed=9, size=(128, 80), stdin=False)
    assert "replaying with size 128x80 (the show: 112x64), seed 9 (the show: 3), " in said
    assert "prompt 'a forest' (the show: 'a neon city at night')" in said
    assert "the pictures differ from the show's" in said
    assert "differ" not in prepared_status(replay=log, stdin=False)


def test_a_replay_at_another_bias_than_its_logs_says_the_pictures_differ(tmp_path):
    """--bias 0.3 over a log of a show at 1 started the replay at 0.3 without a word, where --seed is said."""
    log = replay_log(tmp_path, blocks=1, bias=1)
    said = prepared_status(replay=log, bias=0.3)
    assert "replaying with bias 0.3 (the show: 1): " in said and "the log's 1 block," in said
    assert "differ" not in prepared_status(replay=log, bias=1.0, stdin=False)  # 1 and 1.0: the same bias


def test_a_replay_of_a_log_from_before_the_bias_at_another_bias_says_the_pictures_differ(tmp_path):
    """A log from before the bias keeps none: its show ran at 1. --bias 0.3 over it was not said, as the header's
    missing bias was taken for one not kept."""
    log = replay_log(tmp_path)
    assert "bias" not in REPLAY_HEADER
    assert "replaying with bias 0.3 (the show: 1): " in prepared_status(replay=log, bias=0.3, stdin=False)
    assert "differ" not in prepared_status(replay=log, stdin=False)  # replayed at 1, as the show ran


def test_a_replay_whose_logged_image_is_gone_is_refused_before_the_model_loads(tmp_path):
    """An image the show switched to, moved since, was said mid-replay as 'control not applied (InputError…)' and
    the replay went on without it (exit 0), unlike the log; vcam render refused it before loading."""
    import json

    gone = tmp_path / "photo.png"
    log = tmp_path / "show.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in (
        {"vcam": REPLAY_HEADER},
        {"t": 1, "block": 1, "command": "preset photo", "source": "cue 3",
         "apply": {"op": "input", "spec": f"image:{gone}"}},
        {"end": {"blocks": 3}})))
    with pytest.raises(VcamError) as refused:
        prepared_status(replay=str(log), stdin=False)
    said = str(refused.value) + refused.value.fix
    assert f"the input at block 1 of {log} (image:{gone})" in said and "no such file" in said
    assert "put the file back at that path" in said and "relative to the show file" not in said


def test_a_replay_whose_starting_clip_is_gone_names_the_log_not_a_typed_in(tmp_path):
    """The clip the show started on (the header's input), moved since: the replay said --in's fix, a path relative
    to the folder vcam was started in, to an operator who gave no --in; vcam render named the log."""
    import json

    gone = tmp_path / "clip.mp4"
    log = tmp_path / "show.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in (
        {"vcam": {**REPLAY_HEADER, "input": f"file:{gone}"}}, {"end": {"blocks": 3}})))
    with pytest.raises(VcamError) as refused:
        prepared_status(replay=str(log), stdin=False)
    assert f"the show's input of {log} (file:{gone})" in refused.value.message and "no such file" in str(refused.value)
    assert "put the file back at that path" in refused.value.fix and "--in" not in refused.value.fix


class _Recorded:
    """Stands in for the controller, prompter and fallbacks a show watcher drives: what it was handed."""

    def __init__(self):
        self.shows, self.preloaded = [], []

    def replace_show(self, show):
        self.shows.append(show)
        return []

    def preload(self, texts):
        self.preloaded.append(texts)

    def warm(self, paths):
        pass


@pytest.mark.parametrize("replay", [None, "show.jsonl"])
def test_an_edit_of_the_show_file_during_a_replay_is_said_and_changes_nothing_on_air(tmp_path, replay):
    """A replay given its show file reloaded an edit: a new defaults transition went into the replayed stream, which
    then made another show than the log's."""
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW)
    show, said, fake = load_show(path), [], _Recorded()
    watcher = show_watcher(RunOptions(show=str(path), replay=replay), "tiny", show, fake, fake, None, fake, said.append)
    path.write_text(TINY_SHOW.replace("transition: 2", "transition: 9") + "  - {name: desert, prompt: dunes}\n")
    watcher.poll()  # the change is seen, then loaded once it held from one look to the next
    watcher.poll()
    if replay is None:
        assert len(fake.shows) == 1 and said[-1].startswith(f"reloaded {path}")
        return
    assert fake.shows == []
    assert said == [f"show file not reloaded, the last good show stays live:\n  {path}: not applied while show.jsonl "
                    f"is replayed, which makes the show the log holds; the edit applies when {path} is run without "
                    "--replay"]


def test_an_edit_that_takes_the_midi_section_out_takes_its_controls_off_the_controller(tmp_path):
    """The router kept the section's map: its buttons went on acting, where an OSC section taken out takes its
    controls with it."""
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW + "midi: {controls: [{note: 36, command: next}]}\n")
    show, said, fake = load_show(path), [], _Recorded()
    router = SimpleNamespace(mapping=show.midi)
    watcher = show_watcher(RunOptions(show=str(path), midi="pads"), "tiny", show, fake, fake, router, fake, said.append)
    path.write_text(TINY_SHOW)
    watcher.poll()  # the change is seen, then loaded once it held from one look to the next
    watcher.poll()
    assert len(fake.shows) == 1 and said[-1].startswith(f"reloaded {path}"), said
    assert router.mapping.buttons == () and router.mapping.knobs == () and not router.mapping.program_to_preset


def _saved(watcher, path, text=None):
    """A save of `path` (or its removal, text None) seen by `watcher`: a change is loaded once it held from one look
    to the next; each save gets a stamp of its own, within the clock's grain too."""
    if text is None:
        path.unlink()
    else:
        path.write_text(text)
        _saved.count += 1
        os.utime(path, ns=(10**18 + _saved.count,) * 2)
    watcher.poll(), watcher.poll()


_saved.count = 0
PADS = "controls:\n  - {note: 36, command: next}\n"


def _watching_pads(tmp_path):
    """A show whose midi: section names pads.yaml (PADS), its router and its watcher: (show file, map file, what is
    said, the controller and prompter's stand-in, router, watcher)."""
    from vcam.live.showwatch import show_watcher

    path, pads = tmp_path / "show.yaml", tmp_path / "pads.yaml"
    pads.write_text(PADS)
    path.write_text(TINY_SHOW + "midi: {map: pads.yaml}\n")
    show, said, fake = load_show(path), [], _Recorded()
    router = SimpleNamespace(mapping=show.midi)
    watcher = show_watcher(RunOptions(show=str(path), midi="pads"), "tiny", show, fake, fake, router, fake, said.append)
    return path, pads, said, fake, router, watcher


def test_a_save_of_the_map_file_a_show_names_reloads_the_show_and_the_router_takes_its_map(tmp_path):
    """An edit of a map file alone went unnoticed: a button fixed in pads.yaml during soundcheck needed a restart."""
    path, pads, said, fake, router, watcher = _watching_pads(tmp_path)
    assert watcher.watched() == [str(path), str(pads)]
    _saved(watcher, pads, "controls:\n  - {note: 36, command: preset nope}\n")  # a broken save: refused, its line said
    assert said == [f"map file {pads} not reloaded, the last good show stays live:\n  {pads}:2: MIDI map control 1 "
                    "command 'preset nope': no preset named 'nope'; presets: city, ocean, forest"], said
    assert fake.shows == [] and str(router.mapping.buttons[0].command) == "next"  # the last good map stays
    _saved(watcher, pads, "controls:\n  - {note: 36, command: prev}\n")
    assert said[-1] == f"fixed: reloaded {path} ({pads} saved): 3 presets; MIDI map: note 36 now prev", said
    assert len(fake.shows) == 1 and str(router.mapping.buttons[0].command) == "prev"
    _saved(watcher, pads, "# the pads\ncontrols:\n  - {note: 36, command: prev}\n")
    assert said[-1] == f"{pads} saved with no change to the show: nothing applied"
    assert len(fake.shows) == 1
    _saved(watcher, pads, "# the pads\ncontrols:\n  - {note: 36, command: preset nope}\n")
    assert said[-1].startswith(f"map file {pads} not reloaded") and f"{pads}:3: MIDI map control 1" in said[-1], \
        said  # its line now


def test_a_map_file_deleted_during_the_show_is_said_once_and_its_map_stays(tmp_path):
    path, pads, said, fake, router, watcher = _watching_pads(tmp_path)
    _saved(watcher, pads)
    watcher.poll(), watcher.poll()
    assert said == [f"{pads} was deleted or renamed: the last good show stays live, and a save of {pads} is read "
                    "again"]
    assert fake.shows == [] and str(router.mapping.buttons[0].command) == "next"
    _saved(watcher, path, TINY_SHOW + "midi: {map: pads.yaml}\n# saved\n")  # the show saved meanwhile: refused
    assert said[-1].startswith("show file not reloaded") and "pads.yaml" in said[-1] and fake.shows == []
    _saved(watcher, pads, PADS.replace("next", "prev"))  # back
    assert said[-1] == f"fixed: reloaded {path} ({pads} saved): 3 presets; MIDI map: note 36 now prev", said
    assert str(router.mapping.buttons[0].command) == "prev"


def test_a_fix_of_a_map_file_a_show_save_names_anew_reloads_the_show(tmp_path):
    """A show saved with `map: pads.yaml` over a broken pads.yaml is refused naming pads.yaml's line; the fix of
    pads.yaml went unnoticed (the running show names no map), and the show file had to be saved again."""
    from vcam.live.showwatch import show_watcher

    path, pads = tmp_path / "show.yaml", tmp_path / "pads.yaml"
    pads.write_text("controls:\n  - {note: 36, command: preset nope}\n")
    path.write_text(TINY_SHOW)
    show, said, fake = load_show(path), [], _Recorded()
    router = SimpleNamespace(mapping=None)
    watcher = show_watcher(RunOptions(show=str(path), midi="pads"), "tiny", show, fake, fake, router, fake, said.append)
    _saved(watcher, path, TINY_SHOW + "midi: {map: pads.yaml}\n")
    assert said[-1].startswith("show file not reloaded") and f"{pads}:2" in said[-1], said
    assert watcher.watched() == [str(path), str(pads)]
    watcher.poll(), watcher.poll()  # pads.yaml is watched from now: as it was, no save
    assert len(said) == 1 and fake.shows == []
    _saved(watcher, pads, PADS)
    assert said[-1] == f"fixed: reloaded {path} ({pads} saved): 3 presets; MIDI map: note 36 added", said
    assert len(fake.shows) == 1 and str(router.mapping.buttons[0].command) == "next"
    _saved(watcher, path, TINY_SHOW + "midi: {map: gone.yaml}\n")  # a map that is not there: nothing to watch
    assert said[-1].startswith("show file not reloaded") and watcher.watched() == [str(path), str(pads)]


def test_a_save_of_the_command_lines_midi_map_is_checked_against_the_show_and_taken_by_the_router(tmp_path):
    """--midi-map's file was read once: an edit needed a restart, and a show reload checked against the old map."""
    from vcam.control.midimap import load_map
    from vcam.live.showreads import given_maps
    from vcam.live.showwatch import show_watcher

    path, pads = tmp_path / "show.yaml", tmp_path / "pads.yaml"
    pads.write_text(PADS)
    path.write_text(TINY_SHOW)
    show, said, fake = load_show(path), [], _Recorded()
    router = SimpleNamespace(mapping=load_map(pads))
    opts = RunOptions(show=str(path), midi="pads", midi_map=str(pads))
    given, _ = given_maps(opts, (pads, router.mapping), None)
    watcher = show_watcher(opts, "tiny", show, fake, fake, router, fake, said.append, given)
    assert watcher.watched() == [str(path), str(pads)]
    _saved(watcher, pads, "controls:\n  - {note: 36, command: preset sea}\n")  # no such preset in the show
    assert said == [f"map file {pads} not reloaded, the last good show stays live:\n  {path}: --midi-map {pads}: "
                    "line 2: button 'preset sea': no preset named 'sea'; presets: city, ocean, forest"], said
    assert str(router.mapping.buttons[0].command) == "next"
    _saved(watcher, pads, "\n\ncontrols:\n  - {note: 36, command: preset ocean}\n")
    assert said[-1] == (f"fixed: reloaded {path} ({pads} saved): 3 presets; --midi-map {pads} as saved: note 36 "
                        "now preset ocean"), said
    assert str(router.mapping.buttons[0].command) == "preset ocean"
    _saved(watcher, pads, "controls:\n  - {note: 36, command: preset ocean}\n")  # only its lines moved
    assert said[-1] == f"{pads} saved with no change to the show: nothing applied"
    _saved(watcher, path, TINY_SHOW.replace("name: ocean", "name: sea"))  # a show that no longer fits the map
    assert said[-1].startswith("show file not reloaded") and f"--midi-map {pads}: line 2: button 'preset ocean'" \
        in said[-1], said  # the line the button is on now


def test_a_save_that_only_moves_the_lines_of_a_shows_midi_section_has_the_next_refusal_name_the_new_line(tmp_path):
    """The save reads as no change (the controls compare equal); what is said of the section later names the line
    it is on now."""
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW + "midi: {controls: [{note: 36, command: next}]}\n")
    show, said, fake = load_show(path), [], _Recorded()
    router = SimpleNamespace(mapping=show.midi)
    watcher = show_watcher(RunOptions(show=str(path), midi="pads"), "tiny", show, fake, fake, router, fake, said.append)
    _saved(watcher, path, "# moved down\n" + TINY_SHOW + "midi: {controls: [{note: 36, command: next}]}\n")
    assert said == [f"{path} saved with no change to the show: nothing applied"] and fake.shows == []
    _saved(watcher, path, "# moved down\n" + TINY_SHOW + "midi: {controls: [{note: 36, command: preset nope}]}\n")
    assert said[-1].startswith("show file not reloaded") and f"{path}:8:" in said[-1], said  # its line now


def test_a_save_of_the_command_lines_osc_map_reaches_the_osc_input(tmp_path):
    from vcam.control.oscmap import load_map
    from vcam.live.parts import make_osc_parts
    from vcam.live.showreads import given_maps
    from vcam.live.showwatch import show_watcher

    path, pad = tmp_path / "show.yaml", tmp_path / "pad.yaml"
    pad.write_text("controls:\n  - {address: /go, command: next}\n")
    path.write_text(TINY_SHOW)
    show, said, fake = load_show(path), [], _Recorded()
    opts = RunOptions(show=str(path), osc="127.0.0.1:9", osc_map=str(pad))
    (given,) = given_maps(opts, None, (pad, load_map(pad)))[0]
    (osc_input,) = make_osc_parts(opts, show, SimpleNamespace(tempo=None), SimpleNamespace(), given, said.append)
    watcher = show_watcher(opts, "tiny", show, fake, fake, None, fake, said.append, [given])
    _saved(watcher, pad, "controls:\n  - {address: /go, command: prev}\n")
    assert said == [f"reloaded {path} ({pad} saved): 3 presets; --osc-map {pad} as saved: /go now prev"], said
    assert [str(b.command) for b in osc_input.handle.__self__.mapping.buttons] == ["prev"]


KNOBS = "midi: {controls: [{cc: 16, param: strength}, {cc: 18, param: bias}, {note: 36, command: next}]}\n"


@pytest.mark.parametrize("edit, words", [
    (KNOBS.replace("cc: 16, param: strength", "cc: 16, param: transition").replace(
        "{note", "{cc: 17, param: strength}, {note"), "cc 16 now transition, cc 17 added"),
    (KNOBS.replace("{cc: 18, param: bias}, ", ""), "cc 18 removed"),
    (KNOBS.replace("param: bias}", "param: bias, range: [0.1, 0.5]}"), "cc 18 range now 0.1 to 0.5"),  # its range alone
    (KNOBS.replace("{note: 36, command: next}", "{note: 36, command: next, channel: 2}"),
     "note 36 now on channel 2 only"),
    (KNOBS.replace("{note: 36, command: next}", "{program: presets}"), "note 36 removed, program change added"),
    # past a few, counted: a control moved is one removed and one added
    (KNOBS.replace("16", "20").replace("18", "21").replace("36", "37"), "3 controls added, 3 removed"),
    (KNOBS.replace("param: strength", "param: transition").replace("param: bias", "param: strength").replace(
        "next}", "prev}, {cc: 17, param: bias}"), "3 controls changed, 1 added"),
], ids=["remapped-and-added", "removed", "range", "channel", "program", "moved", "counted"])
def test_a_save_that_remaps_the_shows_midi_controls_says_which_on_the_reload_line(tmp_path, edit, words):
    """A save of the midi: section alone was applied, but its line said only "reloaded …: 3 presets": the operator
    could not tell the knob remapped took."""
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW + KNOBS)
    show, said, fake = load_show(path), [], _Recorded()
    router = SimpleNamespace(mapping=show.midi)
    watcher = show_watcher(RunOptions(show=str(path), midi="pads"), "tiny", show, fake, fake, router, fake, said.append)
    _saved(watcher, path, TINY_SHOW + edit)
    assert said == [f"reloaded {path}: 3 presets; MIDI map: {words}"] and router.mapping == load_show(path).midi


def test_a_shows_own_control_over_a_shipped_maps_knob_is_said_as_that_knob_remapped_not_removed(tmp_path):
    """nanokontrol2.yaml's knobs listen on channel 1 and a show's own entry on any: a show taking knob 1 over was
    said "cc 16 ch 1 removed, cc 16 added", which read as a dead knob."""
    from vcam.control.reload import map_changed
    from vcam.control.show import parse_show

    def midi(text: str):
        return parse_show(TINY_SHOW + text, str(tmp_path / "show.yaml")).midi

    shipped = midi("midi: {map: nanokontrol2}\n")
    own = midi("midi: {map: nanokontrol2, controls: [{cc: 16, param: bias}]}\n")
    assert map_changed(shipped, own) == "cc 16 ch 1 now bias on any channel"
    assert map_changed(own, shipped) == "cc 16 now transition on channel 1 only"


def test_a_map_change_names_a_14_bit_knob_by_its_cc_an_nrpn_by_its_number_and_both_controls_on_one_address(tmp_path):
    from vcam.control import midimap, oscmap
    from vcam.control.reload import map_changed

    def read(kind, name, text):
        (tmp_path / name).write_text(text)
        return kind.load_map(tmp_path / name)

    old = read(midimap, "a.yaml", "controls:\n  - {cc: 1, bits: 14, param: blend}\n  - {nrpn: 1234, param: strength}\n")
    new = read(midimap, "b.yaml", "controls:\n  - {cc: 1, param: blend}\n  - {nrpn: 1234, param: bias}\n")
    assert map_changed(old, new) == "cc 1 now 7-bit, nrpn 1234 now bias"
    assert map_changed(old, old) == "" and map_changed(None, None) == ""
    pad = read(oscmap, "p.yaml", "controls:\n  - {address: /x, param: strength}\n  - {address: /x, command: next}\n")
    assert map_changed(pad, None) == "/x removed"
    assert map_changed(None, pad) == "/x added"
    moved = read(oscmap, "q.yaml", "controls:\n  - {address: /x, param: strength}\n  - {address: /x, command: prev}\n")
    assert map_changed(pad, moved) == "/x button now prev"


def test_a_save_of_the_shows_osc_section_says_what_the_osc_input_now_does_and_nothing_without_one(tmp_path):
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    section = "osc: {controls: [{address: /1/fader1, param: strength}, {address: /go, command: next}]}\n"
    path.write_text(TINY_SHOW + section)
    saved = TINY_SHOW + section.replace("next", "prev").replace("strength", "bias").replace("]}", "], ignore: [/1]}")
    for osc, words in (("127.0.0.1:9", "; OSC map: /1/fader1 now bias, /go now prev, ignore /1 added"), (None, "")):
        path.write_text(TINY_SHOW + section)
        show, said, fake = load_show(path), [], _Recorded()
        watcher = show_watcher(RunOptions(show=str(path), osc=osc), "tiny", show, fake, fake, None, fake, said.append)
        _saved(watcher, path, saved)
        assert said == [f"reloaded {path}: 3 presets{words}"], said  # no OSC input: no map acts, none said


def test_a_map_file_saved_broken_then_back_as_it_was_is_said_fixed_with_no_change(tmp_path):
    """The mapping in force stays through the refused save; the save that restores it says it is fixed, and names
    no remapped control, none having changed."""
    path, pads, said, fake, router, watcher = _watching_pads(tmp_path)
    _saved(watcher, pads, PADS.replace("note: 36", "note: 36x"))
    assert said[-1].startswith(f"map file {pads} not reloaded, the last good show stays live:\n  {pads}:2:"), said
    assert str(router.mapping.buttons[0].command) == "next" and router.mapping.buttons[0].note == 36
    _saved(watcher, pads, PADS)
    assert said[-1] == f"fixed: {pads} saved with no change to the show: nothing applied", said
    _saved(watcher, pads, PADS + "  - {cc: 16, param: strength}\n")
    assert said[-1] == f"reloaded {path} ({pads} saved): 3 presets; MIDI map: cc 16 added", said
    assert len(fake.shows) == 1 and router.mapping.knobs[0].cc == 16


@pytest.mark.parametrize("opts, edit, said", [
    (RunOptions(seed=7), ("seed: 3", "seed: 9"), "defaults seed: --seed 7 overrides it at the next start"),
    (RunOptions(size=(64, 32)), ("112x64", "96x64"), "output size: --size 64x32 overrides it at the next start"),
    (RunOptions(model="tiny"), ("112x64", "96x64"),
     "output size: the tiny model (played at its own size unless --size is given) overrides it at the next start"),
    (RunOptions(fps=12), ("112x64}", "112x64, fps: 24}"), "output fps: --fps 12 overrides it at the next start"),
    # typed as a fraction, it was echoed as --fps 29.97, which is another rate
    (RunOptions(fps=30000 / 1001), ("112x64}", "112x64, fps: 24}"),
     "output fps: --fps 30000/1001 overrides it at the next start"),
    (RunOptions(fps=29.97), ("112x64}", "112x64, fps: 24}"), "output fps: --fps 29.97 overrides it at the next start"),
    (RunOptions(steps=2), ("seed: 3", "seed: 3, steps: 6"),
     "defaults steps: --steps 2 overrides it at the next start"),
    (RunOptions(bias=0.5), ("seed: 3", "seed: 3, bias: 0.3"),
     "defaults bias: --bias 0.5 overrides it at the next start"),
    (RunOptions(strength=0.5), ("seed: 3", "seed: 3, strength: 0.3"),
     "defaults strength: --strength 0.5 overrides it at the next start"),
    (RunOptions(input_fit="crop"), ("seed: 3", "seed: 3, input_fit: stretch"),
     "defaults input_fit: --in-fit crop overrides it at the next start"),
    (RunOptions(outs=["vcam"]), ("112x64}", "112x64, out: [window]}"),
     "output out: --out overrides it at the next start"),
    (RunOptions(midi="none"), ("presets:", "midi: {port: pads}\npresets:"),
     "midi port: --midi none overrides it at the next start"),
])
def test_a_reload_says_the_command_line_overrides_what_the_show_only_starts_with(tmp_path, opts, edit, said):
    """--seed 7 given: a save of the show's seed was said to wait for the next start, where --seed gives the seed
    again; the reload says what the operator will see."""
    from dataclasses import replace

    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW)
    show, lines, fake = load_show(path), [], _Recorded()
    # krea-14b where no model is given: the tiny model (chosen without a GPU) plays at its own size whatever the show
    opts = replace(opts, show=str(path), model=opts.model or "krea-14b")
    watcher = show_watcher(opts, opts.model, show, fake, fake, None, fake, lines.append)
    _saved(watcher, path, TINY_SHOW.replace(*edit))
    assert lines == [f"reloaded {path}: 3 presets; {said}"], lines
    plain = show_watcher(RunOptions(show=str(path), model="krea-14b"), "krea-14b", load_show(path), fake, fake, None,
                         fake, lines.append)
    _saved(plain, path, TINY_SHOW)  # no flag: the file's value waits for the next start, as it did
    assert lines[-1].startswith(f"reloaded {path}: 3 presets; at the next start: "), lines


def test_a_reload_speaks_of_the_model_the_show_runs_not_one_chosen_again(tmp_path, monkeypatch):
    """The watcher chose the model again from the command line alone: on a CUDA machine that read krea-14b while
    the show ran the tiny model (a replay of a tiny show's log), and a save of the show's size was said to apply at
    the next start, where the tiny model plays at its own size."""
    import torch

    from vcam.live.showwatch import show_watcher

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW)
    lines, fake = [], _Recorded()
    watcher = show_watcher(RunOptions(show=str(path)), "tiny", load_show(path), fake, fake, None, fake, lines.append)
    _saved(watcher, path, TINY_SHOW.replace("112x64", "96x64"))
    assert lines == [f"reloaded {path}: 3 presets; output size: the tiny model (played at its own size unless --size "
                     "is given) overrides it at the next start"], lines


def test_a_reload_says_the_first_presets_own_seed_overrides_the_defaults_one_at_the_next_start(tmp_path):
    """The show starts on its first preset, whose own seed wins over the defaults' (resolve): a save of the
    defaults' seed was said to wait for the next start, which would start on preset 1's."""
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    text = TINY_SHOW.replace("prompt: a neon city at night}", "prompt: a neon city at night, seed: 4}")
    path.write_text(text)
    lines, fake = [], _Recorded()
    watcher = show_watcher(RunOptions(show=str(path)), "tiny", load_show(path), fake, fake, None, fake, lines.append)
    _saved(watcher, path, text.replace("seed: 3", "seed: 9"))
    assert lines == [f"reloaded {path}: 3 presets; defaults seed: preset 1's seed overrides it at the next start"]
    # started on a prompt of the command line's, the defaults' seed is the one it starts with
    path.write_text(text)
    on_prompt = show_watcher(RunOptions(show=str(path), prompt="a cat"), "tiny", load_show(path), fake, fake, None,
                             fake, lines.append)
    _saved(on_prompt, path, text.replace("seed: 3", "seed: 9"))
    assert lines[-1] == f"reloaded {path}: 3 presets; at the next start: defaults seed"


def test_a_reload_that_edits_a_section_the_command_lines_map_replaces_says_the_map_is_used(tmp_path):
    """--midi-map given: an edit of the show's midi: section changes nothing on air, and the line said nothing of
    it, as if the edit were in force."""
    from vcam.control.midimap import load_map
    from vcam.live.showreads import given_maps
    from vcam.live.showwatch import show_watcher

    path, pads = tmp_path / "show.yaml", tmp_path / "pads.yaml"
    pads.write_text(PADS)
    path.write_text(TINY_SHOW + "midi: {controls: [{note: 36, command: next}]}\n")
    show, said, fake = load_show(path), [], _Recorded()
    router = SimpleNamespace(mapping=load_map(pads))
    opts = RunOptions(show=str(path), midi="pads", midi_map=str(pads))
    given, _ = given_maps(opts, (pads, router.mapping), None)
    watcher = show_watcher(opts, "tiny", show, fake, fake, router, fake, said.append, given)
    _saved(watcher, path, TINY_SHOW + "midi: {controls: [{note: 36, command: prev}]}\n")
    assert said == [f"reloaded {path}: 3 presets; midi: section as saved: --midi-map {pads} is used over it"], said
    assert str(router.mapping.buttons[0].command) == "next"


def test_vcams_shipped_maps_are_not_watched(tmp_path):
    from vcam.control.midimap import map_named
    from vcam.live.showreads import given_maps
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW + "midi: {map: nanokontrol2}\n")
    show, fake = load_show(path), _Recorded()
    router = SimpleNamespace(mapping=show.midi)
    opts = RunOptions(show=str(path), midi="pads", midi_map="midimix")
    given, _ = given_maps(opts, map_named("midimix"), None)
    watcher = show_watcher(opts, "tiny", show, fake, fake, router, fake, lambda s: None, given)
    assert show.map_files and watcher.watched() == [str(path)]


def test_a_look_at_the_files_stats_them_and_works_nothing_else_out(tmp_path, monkeypatch):
    """Two looks a second: which files are watched is worked out as the show's maps change, where each look
    resolved every folder of every map file's path to tell a shipped map."""
    from vcam.control import reload
    from vcam.live.showwatch import show_watcher

    path, pads = tmp_path / "show.yaml", tmp_path / "pads.yaml"
    pads.write_text(PADS)
    path.write_text(TINY_SHOW + "midi: {map: pads.yaml}\n")
    show, said, fake = load_show(path), [], _Recorded()
    opts = RunOptions(show=str(path), midi="pads")
    watcher = show_watcher(opts, "tiny", show, fake, fake, SimpleNamespace(mapping=show.midi), fake, said.append)
    told = []
    monkeypatch.setattr(reload, "shipped", lambda f: told.append(f) or False)
    for _ in range(5):
        watcher.poll()
    assert told == [] and watcher.watched() == [str(path), str(pads)]
    _saved(watcher, path, TINY_SHOW.replace("city", "town") + "midi: {map: pads.yaml}\n")  # the same maps
    assert told == [] and len(fake.shows) == 1, said
    _saved(watcher, path, TINY_SHOW)  # its map taken out: no longer watched
    assert watcher.watched() == [str(path)]


def test_a_replay_logged_again_is_refused_before_anything_opens(tmp_path, capsys):
    """--log-controls with --replay wrote a header and an end line: the replayed changes are not logged."""
    again = tmp_path / "again.jsonl"
    code = main(["run", "--model", "tiny", "--out", "null", "--no-stdin", "--replay", replay_log(tmp_path),
                 "--log-controls", str(again)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "--log-controls" in err and "not logged again" in err and "vcam render" in err
    assert not again.exists()


def test_a_replay_keeps_the_logs_tempo_not_the_bpm_the_show_file_gives_now(tmp_path, monkeypatch):
    """A show file's `bpm:` was set as the replay started: a log made before the file had it (or had this one) played
    at a tempo the show never had, until the log's first tempo entry."""
    from vcam.live import run as run_module

    show = tmp_path / "show.yaml"
    show.write_text(TINY_SHOW.replace("transition: 2}", "transition: 2, bpm: 124}"))
    tempos, made = [], run_module.Controller

    def controller(*args, **kwargs):
        made_one = made(*args, **kwargs)
        tempos.append(kwargs["tempo"].bpm)  # as the show starts, before any logged entry
        return made_one

    monkeypatch.setattr(run_module, "Controller", controller)
    run(RunOptions(show=str(show), model="tiny", replay=replay_log(tmp_path), outs=["null"], fps=FAST, stdin=False,
                   status_out=io.StringIO()))
    assert tempos == [None]  # the log has no tempo: none, as in the show it was made by


# --- the files a show writes --------------------------------------------------------------------------------------



def files_of(folder) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def show_folder(tmp_path, monkeypatch):
    """A folder to start vcam in, holding a show, a replayable log, a clip, an image and a map."""
    import json

    import cv2
    from helpers import TINY_SHOW, write_clip

    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").write_text(TINY_SHOW)
    (tmp_path / "clips.yaml").write_text(TINY_SHOW.replace("defaults: {", "defaults: {input: file:clip.avi, "))
    (tmp_path / "cc.jsonl").write_text(json.dumps({"vcam": REPLAY_HEADER}) + "\n" + json.dumps({"end": {"blocks": 2}}))
    write_clip(tmp_path / "clip.avi")
    cv2.imwrite(str(tmp_path / "fb.png"), np.full((64, 112, 3), 80, np.uint8))
    (tmp_path / "map.yaml").write_text("controls:\n  - {cc: 1, param: blend}\n")
    (tmp_path / "osc.yaml").write_text("controls:\n  - {address: /1/fader1, param: blend}\n")
    (tmp_path / "mapped.yaml").write_text(TINY_SHOW + "midi: {map: map.yaml}\nosc: {map: osc.yaml}\n")
    (tmp_path / "maps").mkdir()  # a map's button names a clip next to the map, not next to the show
    write_clip(tmp_path / "maps" / "loop.avi")
    (tmp_path / "maps" / "buttons.yaml").write_text("controls:\n  - {note: 36, command: 'input file:loop.avi'}\n")
    (tmp_path / "maps" / "osc.yaml").write_text(
        "controls:\n  - {address: /b, command: 'input image:../fb.png', release: 'input file:loop.avi'}\n")
    (tmp_path / "buttons.yaml").write_text(TINY_SHOW + "midi: {map: maps/buttons.yaml}\n")
    (tmp_path / "oscbuttons.yaml").write_text(TINY_SHOW + "osc: {map: maps/osc.yaml}\n")
    return tmp_path


@pytest.mark.parametrize("args, said", [
    (["show.yaml", "--log-controls", "show.yaml"], "--log-controls show.yaml would write over the show file"),
    (["show.yaml", "--out", "file:show.yaml"], "--out file:show.yaml would write over the show file"),
    (["--replay", "cc.jsonl", "--out", "file:cc.jsonl"], "--out file:cc.jsonl would write over the replayed log"),
    (["--in", "file:clip.avi", "--out", "file:clip.avi"], "--out file:clip.avi would write over the input"),
    (["clips.yaml", "--out", "file:./clip.avi"], "would write over the input (file:"),
    (["--fallback", "fb.png", "--out", "null", "--log-controls", "fb.png"], "would write over the fallback image"),
    (["--midi-map", "map.yaml", "--out", "file:map.yaml"], "would write over the map --midi-map map.yaml"),
    (["mapped.yaml", "--out", "file:map.yaml"], "would write over a map mapped.yaml names"),
    (["mapped.yaml", "--out", "null", "--log-controls", "osc.yaml"], "would write over a map mapped.yaml names"),
    (["buttons.yaml", "--out", "file:maps/loop.avi"], "would write over a MIDI button's input in buttons.yaml"),
    (["oscbuttons.yaml", "--out", "file:maps/loop.avi"], "would write over an OSC button's input in oscbuttons"),
    (["oscbuttons.yaml", "--out", "null", "--log-controls", "fb.png"], "would write over an OSC button's input"),
    (["--midi-map", "maps/buttons.yaml", "--out", "file:maps/loop.avi"],
     "would write over a button of --midi-map maps/buttons.yaml"),
    (["--osc-map", "maps/osc.yaml", "--out", "file:maps/loop.avi"],
     "would write over a button of --osc-map maps/osc.yaml"),
    (["--out", "file:a.mp4", "--out", "file:./a.mp4@160x96"],
     "--out file:a.mp4 and --out file:./a.mp4@160x96 would write the same file"),
    (["--out", "file:a.mp4", "--log-controls", "a.mp4"], "would write the same file"),
])
def test_an_output_that_would_write_over_what_the_show_reads_is_refused_at_start(show_folder, capsys, args, said):
    before = files_of(show_folder)
    assert main(["run", "--model", "tiny", "--duration", "0.5", *args]) == 2
    err = capsys.readouterr().err
    assert said in err and "give --" in err, err
    assert "on air" not in err
    assert files_of(show_folder) == before  # nothing written, nothing replaced


def test_a_show_files_output_over_the_show_file_is_refused_naming_the_show(show_folder):
    from vcam.errors import VcamError

    (show_folder / "self.yaml").write_text(
        (show_folder / "show.yaml").read_text().replace("output: {", "output: {out: ['file:self.yaml'], "))
    with pytest.raises(VcamError) as err:
        run(RunOptions(show="self.yaml", model="tiny", duration=0.5, stdin=False, status_out=io.StringIO()))
    assert f"the output file:{show_folder / 'self.yaml'} of self.yaml would write over the show file" \
        in err.value.message
    assert "self.yaml" in err.value.fix and "--out" in err.value.fix


@pytest.mark.parametrize("flag", ["--out", "--log-controls"])
def test_a_folder_given_as_a_file_to_write_is_refused_at_start(tmp_path, capsys, flag):
    target = f"file:{tmp_path}" if flag == "--out" else str(tmp_path)
    assert main(["run", "--model", "tiny", "--duration", "0.5", flag, target]) == 2
    err = capsys.readouterr().err
    assert "is a folder" in err and str(tmp_path / "show.") in err and "on air" not in err, err


@pytest.mark.parametrize("name", ["take.avi", "take.mkv", "take.MOV"])
def test_a_recording_named_for_another_format_is_refused_before_anything_loads(tmp_path, capsys, name):
    """The file holds MP4 whatever its name says: take.avi was written as MP4, which players trusting the name
    refuse."""
    assert main(["run", "--model", "tiny", "--duration", "0.5", "--out", f"file:{tmp_path / name}"]) == 2
    err = capsys.readouterr().err
    stem = name.rpartition(".")[0]
    assert f"vcam records MP4 video (.mp4), not .{name.rpartition('.')[2]}" in err, err
    assert f"use file:{tmp_path / stem}.mp4" in err and "ffmpeg -i" in err
    assert "building tiny" not in err and "on air" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's; Windows refuses a second writer itself")
def test_a_file_another_show_writes_is_refused_without_first_saying_it_is_replaced(tmp_path):
    """The start said `replacing show.jsonl (2.0 kB)`, then refused that file as another show's."""
    from vcam.live.outputs.recording import Recording
    from vcam.live.logfile import open_log

    log = open_log(str(tmp_path / "show.jsonl")).out
    log.write("x" * 2_000)
    log.flush()
    take = Recording(str(tmp_path / "take.mp4"), 64, 48, 30)
    take.send(np.zeros((48, 64, 3), np.uint8), 0)
    for outs, log_controls, said in (([f"file:{tmp_path / 'take.mp4'}"], None, "another show is recording into it"),
                                     (["null"], str(tmp_path / "show.jsonl"), "another show is writing it now"),
                                     ([f"file:{tmp_path / 'take.mp4'}"], str(tmp_path / "show.jsonl"),
                                      "another show is recording into it")):
        status = io.StringIO()
        with pytest.raises(VcamError, match=said):
            run(RunOptions(model="tiny", outs=outs, log_controls=log_controls, duration=1.0, stdin=False,
                           status_out=status))
        assert "replac" not in status.getvalue(), status.getvalue()
    take.close()
    log.close()
    assert (tmp_path / "show.jsonl").stat().st_size == 2_000 and take.frames == 1


def test_replacing_an_older_recording_and_log_is_said_and_the_recording_named_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "take.mp4").write_bytes(b"x" * 300_000)
    (tmp_path / "log.jsonl").write_text('{"vcam": {}}\n' + '{"t": 0.0}\n' * 180)  # an older log, 2.0 kB
    status = io.StringIO()
    assert run(RunOptions(model="tiny", outs=["file:take.mp4"], log_controls="log.jsonl", duration=0.5, stdin=False,
                          status_out=status)) == 0
    text = status.getvalue()
    log = f"will replace {tmp_path / 'log.jsonl'} (2.0 kB) as the show goes on air; Ctrl-C before then keeps it"
    take = f"will replace {tmp_path / 'take.mp4'} (0.3 MB) at the first frame recorded; Ctrl-C before then keeps it"
    assert -1 < text.find(log) < text.find(take) < text.index("vcam: on air"), text
    assert re.search(rf"recorded \d+ frames to {re.escape(str(tmp_path / 'take.mp4'))}", text), text
    assert (tmp_path / "take.mp4").stat().st_size != 300_000
    logged = read_replay("log.jsonl")
    assert logged.header["model"] == "tiny" and logged.end_block > 0


def older_files(tmp_path) -> dict:
    """An older take and an older control log, as a start that may not happen finds them."""
    (tmp_path / "take.mp4").write_bytes(b"an older take")
    (tmp_path / "log.jsonl").write_text('{"vcam": {}}\n' + '{"t": 0.0}\n' * 180)
    return {p.name: p.read_bytes() for p in tmp_path.iterdir()}


def test_a_start_refused_after_the_check_says_no_file_is_replaced_and_leaves_them(tmp_path, monkeypatch):
    """The check said `replacing take.mp4 (…)` and `replacing log.jsonl (…)`, then a clip that does not open
    refused the start: nothing had been replaced."""
    monkeypatch.chdir(tmp_path)
    before = older_files(tmp_path)
    status = io.StringIO()
    with pytest.raises(VcamError) as err:
        run(RunOptions(model="tiny", outs=["file:take.mp4"], log_controls="log.jsonl", input="file:missing.mp4",
                       duration=0.5, stdin=False, status_out=status))
    assert "missing.mp4" in err.value.message
    assert "replac" not in status.getvalue(), status.getvalue()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_start_refused_once_the_outputs_opened_says_the_take_and_the_log_are_kept(tmp_path, monkeypatch):
    """A busy OSC port refuses the start after the outputs and the log opened: the log had been emptied as it
    opened, its show lost. Neither file is said replaced, both are kept, and the end says so."""
    import socket

    monkeypatch.chdir(tmp_path)
    before = older_files(tmp_path)
    status = io.StringIO()
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        with pytest.raises(VcamError, match="cannot listen for OSC"):
            run(RunOptions(model="tiny", outs=["file:take.mp4"], log_controls="log.jsonl", duration=0.5,
                           stdin=False, osc=f"127.0.0.1:{taken.getsockname()[1]}", status_out=status))
    finally:
        taken.close()
    text = status.getvalue()
    assert "replac" not in text, text
    take = f"nothing recorded to {tmp_path / 'take.mp4'} (the older file there is kept as it was)"
    log = f"nothing logged to {tmp_path / 'log.jsonl'} (the older log there is kept as it was)"
    assert -1 < text.find(take) < text.find(log), text
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_model_that_fails_to_load_leaves_the_take_and_the_log_it_was_to_replace(tmp_path, monkeypatch):
    """Said before the load as what will happen on air; the load failing, the end says both were kept (the log had
    been emptied as it opened)."""
    import vcam.engine.load

    def no_model(*args, **kwargs):
        raise VcamError("the model could not be loaded", "try again")

    monkeypatch.setattr(vcam.engine.load, "load", no_model)
    monkeypatch.chdir(tmp_path)
    before = older_files(tmp_path)
    status = io.StringIO()
    with pytest.raises(VcamError, match="could not be loaded"):
        run(RunOptions(model="tiny", outs=["file:take.mp4"], log_controls="log.jsonl", duration=0.5, stdin=False,
                       status_out=status))
    text = status.getvalue()
    said = [f"will replace {tmp_path / 'log.jsonl'} (2.0 kB) as the show goes on air",
            f"will replace {tmp_path / 'take.mp4'} (13 bytes) at the first frame recorded",
            f"nothing recorded to {tmp_path / 'take.mp4'} (the older file there is kept as it was)",
            f"nothing logged to {tmp_path / 'log.jsonl'} (the older log there is kept as it was)"]
    at = [text.find(line) for line in said]
    assert -1 < at[0] and at == sorted(at), text
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_show_files_recording_is_made_next_to_the_show_file(tmp_path, monkeypatch):
    from helpers import TINY_SHOW

    show_dir, elsewhere = tmp_path / "show", tmp_path / "elsewhere"
    show_dir.mkdir(), elsewhere.mkdir()
    (show_dir / "s.yaml").write_text(TINY_SHOW.replace("output: {", "output: {out: ['file:rec.mp4'], "))
    monkeypatch.chdir(elsewhere)
    status = io.StringIO()
    assert run(RunOptions(show=str(show_dir / "s.yaml"), model="tiny", duration=0.5, stdin=False,
                          status_out=status)) == 0
    assert (show_dir / "rec.mp4").is_file() and not list(elsewhere.iterdir())
    assert re.search(rf"recorded \d+ frames to {re.escape(str(show_dir / 'rec.mp4'))}", status.getvalue())


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full, whose every write finds the disk full")
def test_a_control_log_that_fills_the_disk_is_said_at_the_end_and_the_exit_code_says_so():
    """Said once, without vcam's prefix, as the show started; the show then ended with exit code 0 and nothing at
    its end said the log lacked its later controls and its end line."""
    status = io.StringIO()
    code = run(RunOptions(model="tiny", outs=["null"], log_controls="/dev/full", duration=0.5, stdin=False,
                          status_out=status))
    text = status.getvalue()
    assert "vcam: control log: cannot be written ([Errno 28] No space left on device)" in text
    assert "vcam: control log /dev/full is incomplete" in text and text.index("incomplete") > text.index("on air")
    assert code == 1, text


def test_a_control_log_whose_older_log_cannot_be_emptied_on_air_says_at_the_end_it_holds_none_of_the_show():
    """It said the log was incomplete and that vcam render needs --blocks N for it: rendered, the file, whole, made
    the older show."""
    import errno

    from vcam.control.log import ControlLog
    from vcam.live.run import _log_failed

    class AppendOnly(io.StringIO):
        name = "show.jsonl"

        def truncate(self, size=None):
            raise OSError(errno.EPERM, "Operation not permitted")

    said = []
    log = ControlLog(AppendOnly('{"vcam": {"seed": 7}}\n{"end": {"blocks": 40}}\n'), {"seed": 1}, said.append,
                     older="show.jsonl")
    log.on_air()
    log.end(3)
    assert log.failed and log.kept_older
    assert _log_failed(log, 0, said.append) == 1
    assert said[-1].startswith("control log show.jsonl holds none of this show") and "--blocks" not in said[-1]


def test_a_control_log_whose_disk_was_full_from_its_first_line_is_not_said_to_render_with_blocks(tmp_path):
    """A disk full as the show started left the log empty, and the end said "vcam render needs --blocks N for it":
    vcam render refuses a log without its header line, --blocks or not."""
    import errno

    from vcam.control.log import ControlLog
    from vcam.live.run import _log_failed

    path = tmp_path / "show.jsonl"

    class FullDisk(io.StringIO):
        name = str(path)

        def write(self, text):
            path.touch()  # made, as open() makes it, but nothing fits
            raise OSError(errno.ENOSPC, "No space left on device")

    said = []
    log = ControlLog(FullDisk(), {"seed": 1}, said.append)
    log.on_air()
    log.end(3)
    assert log.failed and path.read_bytes() == b""
    assert _log_failed(log, 0, said.append) == 1
    assert "holds nothing of the show" in said[-1] and "--blocks" not in said[-1]
    with pytest.raises(ValueError, match="no header line"):  # as vcam render finds it
        read_replay(str(path))


def test_an_empty_control_log_named_from_a_current_folder_gone_since_is_still_said_as_empty(tmp_path,
                                                                                             monkeypatch):
    """Its name as typed, relative, could not be found at the end: the old "--blocks N" line came back."""
    import errno

    from vcam.control.log import ControlLog
    from vcam.live.run import _log_failed

    folder = tmp_path / "shows"
    folder.mkdir()
    monkeypatch.chdir(folder)

    class FullDisk(io.StringIO):
        name = "show.jsonl"

        def write(self, text):
            (folder / "show.jsonl").touch()
            raise OSError(errno.ENOSPC, "No space left on device")

    said = []
    log = ControlLog(FullDisk(), {"seed": 1}, said.append)
    log.on_air()
    log.end(3)
    monkeypatch.chdir(tmp_path)  # as if the folder it was named from were gone
    assert _log_failed(log, 0, said.append) == 1
    assert "holds nothing of the show" in said[-1] and "--blocks" not in said[-1]


def test_a_control_log_cut_short_after_its_first_line_is_said_to_render_with_blocks(tmp_path):
    """The header is whole, then the disk filled: vcam render --blocks N makes the show's start from it."""
    import errno

    from vcam.control.log import ControlLog
    from vcam.live.run import _log_failed

    path = tmp_path / "show.jsonl"

    class FillsAfterHeader(io.StringIO):
        name = str(path)

        def write(self, text):
            if path.exists():
                raise OSError(errno.ENOSPC, "No space left on device")
            path.write_text(text)
            return len(text)

    said = []
    log = ControlLog(FillsAfterHeader(), {"seed": 1}, said.append)
    log.on_air()
    log.end(3)
    assert log.failed and _log_failed(log, 0, said.append) == 1
    assert "is incomplete" in said[-1] and "vcam render needs --blocks N" in said[-1]


def test_two_outputs_on_one_camera_device_are_refused_before_anything_opens(capsys):
    """On v4l2loopback 0.12 the second opened as well, and both wrote into the device."""
    assert main(["run", "--model", "tiny", "--duration", "0.5", "--out", "vcam:/dev/video10",
                 "--out", "vcam:/dev/video10@640x360"]) == 2
    err = capsys.readouterr().err
    assert "--out vcam:/dev/video10 and --out vcam:/dev/video10@640x360 would both write to the camera" in err
    assert "output " not in err and "building" not in err


def test_two_outputs_of_a_show_file_on_one_camera_are_named_as_the_show_file_gives_them(tmp_path, capsys):
    """Both were said as --out VALUE, an option the operator had not given: the fix is in the show's out: list."""
    show = tmp_path / "show.yaml"
    show.write_text("output: {out: [vcam:/dev/video10, vcam:/dev/video10@640x360]}\n"
                    "presets:\n  - {name: a, prompt: b}\n")
    assert main(["run", str(show), "--model", "tiny", "--duration", "0.5"]) == 2
    err = capsys.readouterr().err
    assert (f"the output vcam:/dev/video10 of {show} and the output vcam:/dev/video10@640x360 of {show} would both "
            "write to the camera") in err
    assert f"change the output's out: path in {show}" in err and "--out vcam:" not in err and "building" not in err


def test_a_show_of_one_step_says_one_step_on_air_and_in_its_render(tmp_path):
    status, log = io.StringIO(), tmp_path / "log.jsonl"
    assert run(RunOptions(model="tiny", outs=["null"], duration=0.2, stdin=False, steps=1, status_out=status,
                          log_controls=str(log))) == 0, status.getvalue()
    assert "on air: tiny at 112x64, 1 step\n" in status.getvalue()  # "1 steps" before
    from vcam.live.render import RenderOptions, render

    said = io.StringIO()
    render(RenderOptions(log=str(log), outs=["null"], status_out=said))
    assert "tiny at 112x64, 1 step, 30 fps" in said.getvalue(), said.getvalue()


def test_the_cards_memory_is_read_at_most_once_a_second_for_the_status_line(monkeypatch):
    """A terminal redraws the line 4 times a second; each read of the card's memory is a call into CUDA on the main
    thread beside the generator's launches, for a number that moves with blocks."""
    import vcam.engine.memory
    from vcam.live.model_feed import ModelFeed
    from vcam.live.pacer import PacerStats

    reads = []
    monkeypatch.setattr(vcam.engine.memory, "card_use", lambda device: reads.append(device) or (3.0, 80.0))
    now = [0.0]
    producer = SimpleNamespace(state="running", stream=SimpleNamespace(device=SimpleNamespace(type="cuda")))
    feed = ModelFeed(producer, lambda line: None, "on air", lambda: None, lambda: "live", clock=lambda: now[0])
    lines = []
    for poll in range(40):  # 10 s at the loop's 4 polls a second
        now[0] = poll * 0.25
        lines.append(feed.status(PacerStats(pushed=12), 30.0, []))
    assert len(reads) == 10 and all("VRAM 3.0/80 GiB" in line for line in lines)


@pytest.mark.parametrize("smooth", ["fade", "flow"])
def test_a_served_show_without_a_local_output_makes_no_blends_and_no_flows_and_says_so(monkeypatch, smooth):
    """vcam serve with --smooth and no --out blended (and with flow, worked out DIS flows on a thread of its own,
    a third of a core) every tick for no output: the clients get the generated frames and smooth their own."""
    import vcam.live.interp
    import vcam.live.pacer

    made = []
    monkeypatch.setattr(vcam.live.pacer, "crossfade", lambda a, b, t: made.append("fade") or a)
    real_flow = vcam.live.interp.FlowSmoother
    monkeypatch.setattr(vcam.live.pacer, "FlowSmoother", lambda *a, **kw: made.append("flow") or real_flow(*a, **kw))
    status = io.StringIO()
    code = run(RunOptions(model="tiny", serve=True, smooth=smooth, fps=FPS, duration=1.5, size=(112, 64),
                          stdin=False, status_out=status))
    text = status.getvalue()
    assert code == 0 and "on air" in text and made == [], text
    assert f"--smooth {smooth} is not used: no output here shows the camera's frames" in text
    assert f"vcam cam URL --smooth {smooth}" in text


def test_a_replays_image_is_opened_off_the_streams_thread(tmp_path, monkeypatch):
    """--replay opened the logged inputs on the stream's thread, between two blocks: a large photo held the show's
    frames for seconds, where a typed one is opened by its command's check."""
    import json

    import cv2
    import numpy as np

    from vcam.live.inputs import switch as switch_module

    still = str(tmp_path / "still.png")
    cv2.imwrite(still, np.full((64, 112, 3), 90, np.uint8))
    decoded_on, real, opened_ahead = [], switch_module.ImageSource, threading.Event()

    class Counted(real):
        def __init__(self, *args, **kwargs):
            decoded_on.append(threading.current_thread().name)
            super().__init__(*args, **kwargs)
            if threading.current_thread().name == "vcam-replay-inputs":
                opened_ahead.set()

    def open_at_its_block(self, spec, *args, **kwargs):  # not before the thread had its chance (a loaded machine)
        if "still.png" in str(spec):
            opened_ahead.wait(30)
        return real_open(self, spec, *args, **kwargs)

    real_open = switch_module.InputSwitch.open
    monkeypatch.setattr(switch_module, "ImageSource", Counted)
    monkeypatch.setattr(switch_module.InputSwitch, "open", open_at_its_block)
    log = tmp_path / "show.jsonl"
    lines = [{"vcam": REPLAY_HEADER}, {"t": 1, "block": 2, "command": f"input image:{still}", "source": "stdin",
                                       "apply": {"op": "input", "spec": f"image:{still}"}}, {"end": {"blocks": 4}}]
    log.write_text("".join(json.dumps(line) + "\n" for line in lines))
    run(RunOptions(model="tiny", replay=str(log), outs=["null"], fps=FAST, stdin=False, status_out=io.StringIO()))
    assert decoded_on[1:] == ["vcam-replay-inputs"], decoded_on  # the first: the start's check, closed again
