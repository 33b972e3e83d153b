"""vcam render: a show's control log made again offline, every generated frame once, at the show's frame rate."""
import contextlib
import errno
import io
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator

import numpy as np
import pytest

from helpers import (FAST, TINY_SHOW, held_openings, held_reloads, live_show, pyav_clip, reloads_ready_as, slow_reloads,
                     stopped_as_called, stopped_at_line, write_clip)
from vcam.control.actions import SetSeed
from vcam.cli import main
from vcam import progress as progress_module
from vcam.live.inputs import clip as clip_module
from vcam.live.render import RenderOptions, render
from vcam.engine.speed import ATTENTION_QUANTS, DECODERS, QUANTS
from vcam.live.run import RunOptions

# Runs of the tiny model share the session's engine (the same fixed-seed network) instead of building their own.
pytestmark = pytest.mark.usefixtures("shared_tiny")

SHOW = TINY_SHOW
HEADER = {"model": "tiny", "seed": 3, "prompts": {"a neon city at night": 1.0}, "steps": 4, "transition": 2,
          "size": [112, 64], "pin_first_latent": False, "input": "none", "input_fit": "crop", "strength": 0.6,
          "fps": 24.0, "quant": "none"}


class Keeper:
    """An output that keeps every frame it is sent, as sent (no codec in the way)."""

    name = "keeper"

    def __init__(self):
        self.frames, self.ticks, self.closed = [], [], False

    def send(self, frame, tick):
        self.frames.append(np.array(frame))
        self.ticks.append(tick)

    def close(self):
        self.closed = True


def mp4_frames(path) -> tuple[int, float, float]:
    """(frames decoded, the stream's frame rate, the file's duration in seconds), read back with PyAV."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        count = sum(1 for _ in container.decode(stream))
        return count, float(stream.average_rate), container.duration / av.time_base


def write_log(path, *entries) -> str:
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    return str(path)


@pytest.fixture
def show_file(tmp_path):
    path = tmp_path / "show.yaml"
    path.write_text(SHOW)
    return path


def test_a_render_writes_every_frame_the_live_show_generated_once_at_its_frame_rate(show_file, tmp_path, capture):
    blocks, _ = capture
    log, video = tmp_path / "show.jsonl", tmp_path / "show.mp4"
    live = live_show(RunOptions(show=str(show_file), model="tiny", outs=["null"], fps=FAST, log_controls=str(log)),
                     blocks, [(2, "preset 2"), (4, "seed 9"), (5, "blend city forest 0.5"), (7, "steps 2")], 9)
    header = json.loads(log.read_text().splitlines()[0])["vcam"]
    assert header["fps"] == FAST and header["quant"] == "none"
    end = json.loads(log.read_text().splitlines()[-1])["end"]["blocks"]
    assert end == len(blocks)

    keeper, status = Keeper(), io.StringIO()
    result = render(RenderOptions(log=str(log), outs=[f"file:{video}"], status_out=status), extra=[keeper])
    assert (result.blocks, result.frames, result.interrupted) == (end, len(live), False)
    assert len(keeper.frames) == len(live) and keeper.ticks == list(range(len(live)))
    assert all(np.array_equal(a, b) for a, b in zip(keeper.frames, live))  # the show's pixels, each once
    count, rate, duration = mp4_frames(video)
    assert (count, rate) == (len(live), FAST)
    assert duration == pytest.approx(len(live) / FAST, abs=0.5 / FAST)
    said = status.getvalue()
    assert f"{video}: {len(live)} frames" in said and "differ" not in said and "live input" not in said


def test_a_show_on_a_clip_renders_exactly(tmp_path, capture):
    blocks, _ = capture
    a = write_clip(tmp_path / "a.avi", count=30, size=(96, 64), levels=[30, 90, 150, 210])
    b = write_clip(tmp_path / "b.avi", count=30, size=(96, 64), levels=[240, 10])
    log = tmp_path / "clip.jsonl"
    live = live_show(RunOptions(model="tiny", prompt="a neon city", input=f"file:{a}", strength=0.5,
                                outs=["null"], fps=FAST, log_controls=str(log)),
                     blocks, [(2, "strength 0.9"), (3, f"input file:{b}")], 5)
    keeper = Keeper()
    render(RenderOptions(log=str(log), outs=["null"], status_out=io.StringIO()), extra=[keeper])
    assert len(keeper.frames) == len(live)
    assert all(np.array_equal(x, y) for x, y in zip(keeper.frames, live))


def _render_a_clip_exported_again(tmp_path, let_go, status, said_by=None, out: str = "null"):
    """Renders 6 blocks of a show playing an 8-frame clip into `out`, exported again as a 3-frame one after the
    first block; what `status` holds after each block goes into `said_by`; `let_go` (the held reloads') is set at
    the end. Returns what render returned."""
    clip = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    log = write_log(tmp_path / "c.jsonl", {"vcam": {**HEADER, "input": f"file:{clip}"}}, {"end": {"blocks": 6}})

    def on_block(done: int) -> None:
        if said_by is not None:
            said_by.append(status.getvalue())
        if done == 1:
            os.replace(pyav_clip(tmp_path / "new.mp4", 10, count=3), clip)

    try:
        return render(RenderOptions(log=log, outs=[out], status_out=status), on_block=on_block)
    finally:
        let_go.set()


def test_a_clip_exported_again_during_a_render_comes_in_at_the_block_after_it_opens_however_slow(tmp_path,
                                                                                                monkeypatch):
    """The show takes a clip exported again at the first block after it opened beside it, which depends on the
    machine's speed; a render waits for it at the block after the one it started opening in."""
    status, said_by = io.StringIO(), []
    _render_a_clip_exported_again(tmp_path, held_reloads(monkeypatch), status, said_by)
    # seen changed in block 2, held still in block 3 (opened there), taken in block 4
    assert ["reloaded: 3 frames" in text for text in said_by] == [False] * 3 + [True] * 3


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_render_waiting_for_a_clip_exported_again_says_so_on_lines_of_their_own(tmp_path, monkeypatch):
    """A render waiting for a clip exported again said nothing for up to 5 minutes, a frozen render to the operator;
    and what the clip said was written on the end of the progress line on a terminal. Here the render's first wait
    runs out at once, as if its few seconds had passed."""
    monkeypatch.setenv("TERM", "xterm")  # a terminal that takes the escape that wipes the line
    let_go, waits = slow_reloads(monkeypatch)
    # each block's line drawn: on a machine whose blocks take less than a redraw's time, the line under the clip's
    # was an earlier block's
    monkeypatch.setattr(progress_module, "REDRAW_S", 0.0)
    status = Terminal()
    _render_a_clip_exported_again(tmp_path, let_go, status)
    said = status.getvalue()
    assert sum(waits[:-1]) == clip_module.OFFLINE_SAY_S  # waited that long, then let go by the last one
    waiting = ("\r\033[Kvcam: clip loop.mp4 was exported again: the render waits for the new file to open and "
               "decode up to the render's frame, up to 5 min (Ctrl-C stops the render here)\nrendering: block 3/6")
    assert said.count(waiting) == 1, said
    assert said.count("\r\033[Kvcam: clip loop.mp4 reloaded: 3 frames at 10 fps\nrendering: block 3/6") == 1, said


def test_ctrl_c_while_a_render_waits_for_a_clip_exported_again_stops_it_after_that_block(tmp_path, monkeypatch):
    """Ctrl-C while a render waited for a clip exported again only marked it to stop after the block, which it did
    once the wait was over: up to 5 minutes later. Here the file's opening is held, each wait of the render runs
    out at once as if its time had passed, and Ctrl-C comes once the wait is said: the render stops after that
    block without waiting out its bound, the file holding every frame made, the clip as it was in the last block."""
    let_go, _ = held_openings(monkeypatch)
    status, waits, pressed = io.StringIO(), [], []

    class CtrlCOnceSaid(threading.Event):
        def wait(self, timeout=None):
            if "the render waits for the new file" in status.getvalue() and not pressed:
                pressed.append(sum(waits))
                os.kill(os.getpid(), signal.SIGINT)  # the render's thread is the one waiting, as at a terminal
            waits.append(timeout)
            return self.is_set()  # the opening is held: not set by then

    reloads_ready_as(monkeypatch, CtrlCOnceSaid)
    video = tmp_path / "part.mp4"
    result = _render_a_clip_exported_again(tmp_path, let_go, status, out=f"file:{video}")
    said = status.getvalue()
    assert pressed == [clip_module.OFFLINE_SAY_S], said
    assert sum(waits) < clip_module.OFFLINE_WAIT_S and "did not open" not in said, said  # not waited out
    assert sum(waits) <= clip_module.OFFLINE_SAY_S + clip_module.STOP_LOOK_S  # ended within a look after Ctrl-C
    # waited for in block 4, which is made with the clip as it was and kept
    assert (result.blocks, result.total, result.frames, result.interrupted) == (4, 6, 6 + 3 * 12, True)
    assert mp4_frames(video)[0] == result.frames
    assert "stopped after block 4 of 6" in said and f"{video}: {result.frames} frames" in said
    assert said.count("(Ctrl-C stops the render here)") == 1 and "reloaded" not in said


def test_a_render_at_other_steps_and_size_makes_the_same_number_of_frames(tmp_path, capture):
    _, streams = capture
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER},
                    {"t": 1, "block": 1, "command": "steps 3", "source": "stdin", "apply": {"op": "steps", "steps": 3}},
                    {"t": 2, "block": 2, "command": "prompt a forest", "source": "stdin",
                     "apply": {"op": "prompt", "prompts": {"a forest": 1.0}, "transition": 2}},
                    {"end": {"blocks": 3}})
    video, status = tmp_path / "fine.mp4", io.StringIO()
    keeper = Keeper()
    result = render(RenderOptions(log=log, outs=[f"file:{video}"], size=(128, 80), steps=2, status_out=status),
                    extra=[keeper])
    assert result.frames == 6 + 12 + 12 and not result.interrupted
    assert keeper.frames[0].shape == (80, 128, 3)
    assert streams[-1].steps == 2  # the log's `steps 3` is rendered at --steps too
    count, rate, duration = mp4_frames(video)
    assert (count, rate) == (30, 24.0) and duration == pytest.approx(30 / 24, abs=0.5 / 24)
    said = status.getvalue()
    assert "size 128x80 (the show: 112x64)" in said and "steps 2 (the show: 4)" in said and "differ" in said
    assert "--steps 2: the show's 1 change of steps is rendered at 2 steps too" in said


@pytest.mark.parametrize("how", ["keyboard interrupt", "sigint"])
def test_ctrl_c_keeps_what_was_rendered_in_a_readable_file(tmp_path, how):
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video, status = tmp_path / "part.mp4", io.StringIO()

    def on_block(done):
        if done == 2:
            if how == "sigint":  # Ctrl-C: the render stops after the block in progress
                os.kill(os.getpid(), signal.SIGINT)
            else:  # a second Ctrl-C, which interrupts at once
                raise KeyboardInterrupt

    result = render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status), on_block=on_block)
    assert (result.blocks, result.frames, result.interrupted) == (2, 18, True)
    assert mp4_frames(video)[0] == 18
    assert "stopped after block 2 of 4" in status.getvalue() and f"{video}: 18 frames" in status.getvalue()


@pytest.mark.slow  # a signal to a process of its own
@pytest.mark.parametrize("sig, code, said", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")])
def test_a_render_stopped_by_a_signal_says_it_is_incomplete_and_exits_with_the_signal_s_code(tmp_path, sig, code,
                                                                                                said):
    """`vcam render` stopped by SIGTERM (a service's stop, `timeout`) exited 130, Ctrl-C's code, and said only
    "stopped after block N of M": a script took an incomplete video for an interrupted terminal command."""
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 100000}})
    video = tmp_path / "part.mp4"
    # sent once a block is in the file; a render that never stops would be read for 100000 blocks
    came, exit_code, before, rest = stopped_at_line([sys.executable, "-m", "vcam", "render", log, "--out",
                                                     f"file:{video}"], "rendering: block", sig)
    text = before + rest
    assert came and exit_code == code, text
    stopped = next((line for line in rest.splitlines() if "stopped after block" in line), "")
    assert f"of 100000 ({said}; exit code {code}): the render is incomplete" in stopped, text
    assert mp4_frames(video)[0] >= 6 and f"{video}: {mp4_frames(video)[0]} frames" in rest, text


@pytest.mark.slow  # a process of its own, stopped as its model loads
@pytest.mark.parametrize("sig, code", [("SIGTERM", 143), ("SIGHUP", 129)])
def test_a_render_stopped_by_sigterm_while_its_model_loads_says_so(tmp_path, sig, code):
    """SIGTERM (a service's stop, `timeout`) or SIGHUP while the model loaded ended vcam render at once with no
    word, where Ctrl-C there was said."""
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video = tmp_path / "part.mp4"
    # as the model's load begins: the outputs open, PyTorch imported
    done = stopped_as_called(tmp_path, "vcam.live.streamopen:stream_opener", sig,
                             ["render", log, "--out", f"file:{video}"])
    assert "sent" in done.stderr and done.returncode == code, done.stderr
    assert f"stopped before the first of 4 blocks ({sig}; exit code {code}): nothing was rendered" in done.stderr, \
        done.stderr
    assert "Traceback" not in done.stderr and not video.exists(), done.stderr


_BEFORE_LOAD = ["vcam.engine.load:choose_model", "vcam.live.render:_open_outputs"]
_AFTER_LOAD = ["vcam.live.render:Progress", "vcam.live.render:Timetable"]


@pytest.mark.slow  # a process of its own, stopped after PyTorch's import, before the first block begins
@pytest.mark.parametrize("where, sigs, code, said", [
    *[(where, sig, code, said) for where in _BEFORE_LOAD
      for sig, code, said in [("SIGTERM", 143, "SIGTERM"), ("SIGHUP", 129, "SIGHUP"), ("SIGINT", 130, "Ctrl-C")]],
    *[(where, sig, code, said) for where in _AFTER_LOAD
      for sig, code, said in [("SIGTERM", 143, "SIGTERM"), ("SIGHUP", 129, "SIGHUP"),
                              ("SIGINT,SIGINT", 130, "Ctrl-C")]]])
def test_a_render_stopped_before_its_first_block_says_so(tmp_path, where, sigs, code, said):
    """SIGTERM or SIGHUP once PyTorch was imported (the model and speed chosen, the outputs opening, or the model
    loaded, before the render's own handlers were in) ended vcam render at once with no word; Ctrl-C there (two
    once the model was loaded) left with 130 and no word."""
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video = tmp_path / "take.mp4"
    video.write_bytes(b"an older take")
    done = stopped_as_called(tmp_path, where, sigs, ["render", log, "--out", f"file:{video}"])
    assert "sent" in done.stderr and done.returncode == code, done.stderr
    assert f"stopped before the first of 4 blocks ({said}; exit code {code}): nothing was rendered" in done.stderr, \
        done.stderr
    assert "Traceback" not in done.stderr and video.read_bytes() == b"an older take", done.stderr


def test_a_render_of_one_block_stopped_before_it_says_its_one_block(tmp_path, monkeypatch):
    """A one-block render stopped as its model loaded said "stopped before the first of 1 blocks"."""
    from vcam.live import streamopen

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C as the model loads

    monkeypatch.setattr(streamopen, "stream_opener", stopped)
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 1}})
    status = io.StringIO()
    result = render(RenderOptions(log=log, outs=["null"], status_out=status))
    assert result.interrupted and result.blocks == 0, status.getvalue()
    assert "vcam: stopped before its one block (Ctrl-C; exit code 130): nothing was rendered" in status.getvalue(), \
        status.getvalue()


def test_ctrl_c_while_the_model_loads_is_said_and_the_older_file_kept(tmp_path, monkeypatch):
    """Ctrl-C during the model's load ended the render in silence (exit 130), after the start had said the older
    file would be replaced; and a file stopped before its first frame was "nothing written", its older take unsaid."""
    import vcam.live.streamopen

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video, status = tmp_path / "take.mp4", io.StringIO()
    video.write_bytes(b"an older take")

    def loading(*args):
        def interrupted(say):
            raise KeyboardInterrupt

        return interrupted

    monkeypatch.setattr(vcam.live.streamopen, "stream_opener", loading)
    result = render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status))
    assert (result.blocks, result.frames, result.interrupted) == (0, 0, True)
    said = status.getvalue()
    assert "will replace" in said and "stopped before the first of 4 blocks" in said, said
    assert f"{video}: nothing written (the older file there is kept as it was)" in said
    assert video.read_bytes() == b"an older take"


def test_ctrl_c_while_the_first_block_is_made_keeps_the_older_file_as_the_start_said(tmp_path, monkeypatch):
    """The start says `will replace ... at the first frame recorded; Ctrl-C before then keeps it`: a Ctrl-C while the
    first block was made (minutes where the model compiles) let that block finish into the file, replacing it."""
    from types import SimpleNamespace

    import vcam.live.streamopen

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video, status = tmp_path / "take.mp4", io.StringIO()
    video.write_bytes(b"an older take")

    class CtrlCInFirstBlock:
        settings = SimpleNamespace(width=112, height=64)

        def next_block(self):
            os.kill(os.getpid(), signal.SIGINT)  # the operator's Ctrl-C, while the block is made
            return np.zeros((4, 64, 112, 3), np.uint8)

    monkeypatch.setattr(vcam.live.streamopen, "stream_opener", lambda *args: lambda say: CtrlCInFirstBlock())
    result = render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status))
    assert (result.blocks, result.frames, result.interrupted) == (0, 0, True)
    said = status.getvalue()
    assert f"{video}: nothing written (the older file there is kept as it was)" in said, said
    assert video.read_bytes() == b"an older take"


def test_a_model_that_fails_to_load_says_the_older_file_is_kept(tmp_path, monkeypatch):
    """The start said the older file would be replaced; a load that failed ended with its error alone."""
    import vcam.live.streamopen
    from vcam.errors import VcamError

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video, status = tmp_path / "take.mp4", io.StringIO()
    video.write_bytes(b"an older take")

    def loading(*args):
        def fails(say):
            raise VcamError("the model could not be loaded", "try again")

        return fails

    monkeypatch.setattr(vcam.live.streamopen, "stream_opener", loading)
    with pytest.raises(VcamError, match="could not be loaded"):
        render(RenderOptions(log=log, outs=[f"file:{video}", "null"], status_out=status))
    said = status.getvalue()
    assert said.index("will replace") < said.index(f"{video}: nothing written (the older file there is kept as it "
                                                   "was)"), said
    assert video.read_bytes() == b"an older take"


def test_an_output_that_does_not_open_says_the_older_files_are_kept(tmp_path, monkeypatch):
    from vcam.errors import VcamError
    from vcam.live.outputs import OPENERS

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    first, second, status = tmp_path / "a.mp4", tmp_path / "b.mp4", io.StringIO()
    first.write_bytes(b"an older take")
    second.write_bytes(b"another older take")

    def unplugged(spec, width, height, fps):
        raise VcamError("the output is unplugged", "plug it in")

    monkeypatch.setitem(OPENERS, "null", unplugged)
    with pytest.raises(VcamError, match="unplugged"):
        render(RenderOptions(log=log, outs=[f"file:{first}", "null", f"file:{second}"], status_out=status))
    said = status.getvalue()
    for path in (first, second):
        assert f"{path}: nothing written (the older file there is kept as it was)" in said, said
    assert first.read_bytes() == b"an older take" and second.read_bytes() == b"another older take"


def test_a_disk_that_fills_during_a_render_says_what_the_file_keeps_and_what_to_do(tmp_path, monkeypatch):
    """It was "PATH: No space left on device"; and where closing the file failed as well, that failure hid it."""
    import errno

    from vcam.errors import VcamError
    from vcam.live.outputs.recording import Recording

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video, status = tmp_path / "full.mp4", io.StringIO()
    send, close = Recording.send, Recording.close

    def full_at_frame_20(self, frame, tick):
        if tick >= 20:
            raise OSError(errno.ENOSPC, "No space left on device")
        send(self, frame, tick)

    def close_fails_too(self):
        close(self)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Recording, "send", full_at_frame_20)
    monkeypatch.setattr(Recording, "close", close_fails_too)
    with pytest.raises(VcamError) as err:
        render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status))
    assert err.value.message == f"the disk filled while {video} was written, at block 2; it holds 20 frames, which play"
    assert f"df -h {tmp_path}" in err.value.fix and "--blocks 2" in err.value.fix
    assert f"closing file:{video} failed: [Errno 28] No space left on device" in status.getvalue()
    assert mp4_frames(video)[0] == 20


def test_a_block_that_runs_the_gpu_out_of_memory_says_what_to_do_and_keeps_the_frames_before_it(tmp_path,
                                                                                                monkeypatch):
    import torch

    from vcam.engine.stream import Stream
    from vcam.errors import VcamError

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video = tmp_path / "part.mp4"
    next_block = Stream.next_block

    def short_of_memory(self):
        if self.block_index == 2:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 1.50 GiB. GPU 0 has a total "
                                              "capacity of 23.64 GiB of which 1.02 GiB is free. Including "
                                              "non-PyTorch memory, this process has 22.6 GiB memory in use.")
        return next_block(self)

    monkeypatch.setattr(Stream, "next_block", short_of_memory)
    with pytest.raises(VcamError) as err:
        render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=io.StringIO()))
    assert err.value.message == ("block 2 failed: the GPU ran out of memory (tried to allocate 1.50 GiB); the 18 "
                                 "frames made before it are kept")
    assert "close other programs" in err.value.fix and "--size" in err.value.fix and "--blocks 2" in err.value.fix
    assert "run the render again" not in err.value.fix and mp4_frames(video)[0] == 18


def test_a_first_block_that_fails_says_no_frame_was_made_and_no_blocks_0(tmp_path, monkeypatch):
    """It said "the 0 frames made before it are kept" and "--blocks 0 renders up to it", which --blocks refuses."""
    from vcam.engine.stream import Stream
    from vcam.errors import VcamError

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 2}})
    video = tmp_path / "first.mp4"
    video.write_bytes(b"an older render")

    def fails(self):
        raise RuntimeError("boom")

    monkeypatch.setattr(Stream, "next_block", fails)
    status = io.StringIO()
    with pytest.raises(VcamError) as err:
        render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status))
    assert err.value.message == "block 0 failed (RuntimeError: boom); no frame was made"
    assert err.value.fix == "run the render again (VCAM_DEBUG=1 shows the whole error)"
    assert f"{video}: nothing written (the older file there is kept as it was)" in status.getvalue()
    assert video.read_bytes() == b"an older render"


def test_a_live_input_is_said_once_and_renders_text_only(tmp_path):
    log = write_log(tmp_path / "c.jsonl", {"vcam": {**HEADER, "input": "camera:0"}},
                    {"t": 1, "block": 1, "command": "input net", "source": "net",
                     "apply": {"op": "input", "spec": "net"}},
                    {"end": {"blocks": 2}})
    text_only = write_log(tmp_path / "t.jsonl", {"vcam": HEADER}, {"end": {"blocks": 2}})
    status, keeper, plain = io.StringIO(), Keeper(), Keeper()
    render(RenderOptions(log=log, outs=["null"], status_out=status), extra=[keeper])
    render(RenderOptions(log=text_only, outs=["null"], status_out=io.StringIO()), extra=[plain])
    assert status.getvalue().count("live input") == 1 and "the start, block 1" in status.getvalue()
    assert len(keeper.frames) == len(plain.frames) == 18
    assert all(np.array_equal(x, y) for x, y in zip(keeper.frames, plain.frames))


def test_freeze_and_blackout_apply_to_the_rendered_frames(tmp_path):
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER},
                    {"t": 1, "block": 1, "command": "freeze", "source": "stdin",
                     "apply": {"op": "screen", "mode": "freeze"}},
                    {"t": 2, "block": 2, "command": "blackout", "source": "stdin",
                     "apply": {"op": "screen", "mode": "blackout"}},
                    {"end": {"blocks": 3}})
    keeper = Keeper()
    render(RenderOptions(log=log, outs=["null"], status_out=io.StringIO()), extra=[keeper])
    frozen, black = keeper.frames[6:18], keeper.frames[18:]
    assert all(np.array_equal(f, frozen[0]) for f in frozen) and frozen[0].any()
    assert len(black) == 12 and not any(f.any() for f in black)


def test_screen_changes_logged_with_the_frame_on_screen_apply_after_that_frame(tmp_path):
    """A log that keeps the frame on screen: freeze holds that frame, and each change acts from the frame after it
    (a tempo with its frame is the camera's business, and leaves the render alone)."""
    def change(mode, shown):
        return {"t": 1, "block": shown[0] + 1, "shown": shown, "command": mode, "source": "stdin",
                "apply": {"op": "screen", "mode": mode}}

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER},
                    {"t": 0, "block": 1, "shown": [0, 0], "command": "tempo 120.00 bpm", "source": "midi clock",
                     "apply": {"op": "tempo", "bpm": 120.0, "beat": 3.5}},
                    change("freeze", [1, 3]), change("live", [2, 0]), change("blackout", [2, 5]),
                    {"end": {"blocks": 3}})
    plain_log = write_log(tmp_path / "p.jsonl", {"vcam": HEADER}, {"end": {"blocks": 3}})
    keeper, plain = Keeper(), Keeper()
    render(RenderOptions(log=log, outs=["null"], status_out=io.StringIO()), extra=[keeper])
    render(RenderOptions(log=plain_log, outs=["null"], status_out=io.StringIO()), extra=[plain])
    got, want = keeper.frames, plain.frames
    assert len(got) == len(want) == 30  # blocks of 6, 12 and 12 frames: (1, 3) is frame 9, (2, 0) frame 18
    assert all(np.array_equal(a, b) for a, b in zip(got[:10], want[:10]))
    assert all(np.array_equal(f, want[9]) for f in got[10:19])  # held: the frame on screen when freeze came
    assert all(np.array_equal(a, b) for a, b in zip(got[19:24], want[19:24]))
    assert not any(f.any() for f in got[24:])


def test_every_prompt_of_the_log_is_encoded_before_the_text_encoder_leaves_the_gpu(tmp_path, monkeypatch):
    """On a card short of memory the text encoder moves to the CPU once the stream starts: the prompts the log puts
    on air are encoded before, on the GPU, as the show encoded its presets'."""
    import dataclasses

    import vcam.engine.load as load_module
    from vcam.engine.text import TextEncoder

    calls, shared = [], load_module.load
    monkeypatch.setattr(load_module, "load",
                        lambda *a, **kw: dataclasses.replace(shared(*a, **kw), offload_text_after_start=True))
    monkeypatch.setattr(load_module.Engine, "offload_text", lambda self: calls.append("offload"))
    encode = TextEncoder.encode
    monkeypatch.setattr(TextEncoder, "encode", lambda self, text: (calls.append(text), encode(self, text))[1])
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER},
                    {"t": 1, "block": 1, "command": "prompt a forest", "source": "stdin",
                     "apply": {"op": "prompt", "prompts": {"a forest": 1.0}, "transition": 2}},
                    {"end": {"blocks": 2}})
    render(RenderOptions(log=log, outs=["null"], status_out=io.StringIO()))
    assert calls.index("offload") > max(calls.index("a neon city at night"), calls.index("a forest"))


# --- refused before anything renders ------------------------------------------------------------------------------

KNOWN = {"quant": QUANTS, "decoder": DECODERS, "attention_quant": ATTENTION_QUANTS}
ACTION = {"t": 1, "block": 1, "command": "seed 4", "source": "stdin", "apply": {"op": "seed", "seed": 4}}


@pytest.mark.parametrize("lines,line,fragment", [
    ([{"vcam": HEADER}, ACTION, '{"t": 2, "block": 2, "comm', {"end": {"blocks": 3}}], 3,
     "not a control log line (Unterminated string starting at); correct line 3, or delete it to make the show again "
     "without it"),
    # it said to delete that line to use the rest, where nothing would be left
    (['{"vcam": {"model": "tiny", "se'], 1, "the header, the log's first line, is cut short (Unterminated string "
                                            "starting at): the show ended while writing it, before any command was "
                                            "logged, so the log holds nothing to use; run the show again with "
                                            "--log-controls"),
    ([{"vcam": HEADER}, {**ACTION, "apply": {"op": "sed", "seed": 4}}, {"end": {"blocks": 3}}], 2,
     "unknown action 'sed'"),
    # a change a newer vcam logs read as damage, and none of these lines said what to do
    ([{"vcam": HEADER}, {**ACTION, "apply": {"op": "hue", "hue": 4}}, {"end": {"blocks": 3}}], 2,
     "; a log from a newer vcam? make it again with that vcam, or delete line 2 to make the show again without it"),
    ([{"vcam": HEADER}, {**ACTION, "apply": {"op": "seed", "seed": 4, "ramp": 2}}, {"end": {"blocks": 3}}], 2,
     "seed: unknown field ramp; a log from a newer vcam?"),
    ([{"vcam": HEADER}, {**ACTION, "apply": {"op": "steps", "steps": 0}}, {"end": {"blocks": 3}}], 2,
     "; correct line 2, or delete it to make the show again without it"),
    # a list as the op was a TypeError's traceback; no op at all was said to be a newer vcam's action
    ([{"vcam": HEADER}, {**ACTION, "apply": {"op": ["seed"], "seed": 4}}, {"end": {"blocks": 3}}], 2,
     "an action's op must be its name (one of prompt, seed"),
    ([{"vcam": HEADER}, {**ACTION, "apply": {"seed": 4}}, {"end": {"blocks": 3}}], 2,
     "not None; correct line 2, or delete it"),
    ([ACTION, {"end": {"blocks": 3}}], 1, "does not start with its header"),
    ([{"vcam": {**HEADER, "size": [100, 64]}}, {"end": {"blocks": 3}}], 1, "multiples of 16"),
    # weights all 0, or a prompt of no text: said once the model had loaded, naming neither the log nor its line
    ([{"vcam": {**HEADER, "prompts": {"a": 0}}}, {"end": {"blocks": 3}}], 1,
     "header: prompts: the weights add up to 0; one of them must be above 0; correct it on line 1, the settings"),
    ([{"vcam": {**HEADER, "prompts": {" ": 1.0}}}, {"end": {"blocks": 3}}], 1, "a prompt's text must not be empty"),
    ([{"vcam": HEADER}, {**ACTION, "apply": {"op": "prompt", "prompts": {"": 1.0}, "transition": 0}},
      {"end": {"blocks": 3}}], 2, "prompt: a prompt's text must not be empty; correct line 2"),
    ([{"vcam": HEADER}, {"end": {"blocks": 3}}, ACTION], 3, "a line after the end line"),
])
def test_a_damaged_log_is_named_by_its_line_before_anything_renders(tmp_path, capsys, lines, line, fragment):
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines)
                    + ("" if isinstance(lines[-1], str) else "\n"))
    video = tmp_path / "out.mp4"
    assert main(["render", str(path), "--out", f"file:{video}"]) == 2
    err = capsys.readouterr().err
    assert f"vcam: error: {path}:{line}: " in err and fragment in err
    assert "building tiny" not in err and not video.exists()  # nothing loaded, nothing written


def test_a_log_whose_first_prompt_the_text_encoder_overflows_on_is_refused_with_a_fix_a_render_can_follow(
        tmp_path, capsys, monkeypatch):
    """The fix was a live show's (give --prompt TEXT, or another preset first): vcam render has no --prompt, and
    the log's first prompt is what it makes again."""
    from vcam.engine.text import TextEncoder

    encode = TextEncoder.encode
    monkeypatch.setattr(TextEncoder, "encode",
                        lambda self, text: encode(self, text) * (float("nan") if "lava" in text else 1))
    log = write_log(tmp_path / "show.jsonl", {"vcam": {**HEADER, "prompts": {"a lava flow": 1.0}}},
                    {"end": {"blocks": 2}})
    assert main(["render", log, "--out", "null"]) == 2
    err = capsys.readouterr().err
    assert "vcam: error: the text encoder's output for the first prompt ('a lava flow') is NaN" in err
    assert f"fix: {log} starts on this prompt" in err and "--prompt" not in err


def test_a_log_saved_by_an_editor_with_a_byte_order_mark_and_crlf_line_ends_renders_as_written(tmp_path, capsys):
    """Windows' Notepad starts a saved file with a UTF-8 byte-order mark: the log was refused as "not a control
    log", its first line no longer opening with "{"."""
    lines = [{"vcam": HEADER}, ACTION, {"end": {"blocks": 2}}]
    plain = write_log(tmp_path / "plain.jsonl", *lines)
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(x) + "\r\n" for x in lines).encode())
    from vcam.control.log import read_replay

    assert read_replay(str(edited)) == read_replay(plain)
    assert main(["render", str(edited), "--out", "null"]) == 0
    assert "rendered 2 blocks in" in capsys.readouterr().err


def test_a_render_names_the_change_edited_in_after_the_logs_end_and_renders_the_rest(tmp_path, capsys):
    """A change at block 300 of a 2-block log was left out of the render without a word."""
    log = write_log(tmp_path / "show.jsonl", {"vcam": HEADER}, ACTION, {**ACTION, "block": 300},
                    {"end": {"blocks": 2}})
    assert main(["render", log, "--out", "null"]) == 0
    err = capsys.readouterr().err
    assert f"{log}:3: the change at block 300 comes after the end line's 2 blocks, so it is not made; raise the " \
           "end line's blocks above 300 to make it" in err and "rendered 2 blocks in" in err
    write_log(tmp_path / "show.jsonl", {"vcam": HEADER}, {**ACTION, "block": 2}, {"end": {"blocks": 2}})
    assert main(["render", log, "--out", "null"]) == 0  # one at the count: a change applied as the show stopped
    assert "after the end line's" not in capsys.readouterr().err


def test_a_log_an_editor_saved_as_utf16_renders_as_written(tmp_path, capsys):
    """Notepad's "Unicode" saves UTF-16 with its byte-order mark: the log was refused as "not text"."""
    lines = [{"vcam": HEADER}, ACTION, {"end": {"blocks": 2}}]
    plain = write_log(tmp_path / "plain.jsonl", *lines)
    edited = tmp_path / "edited.jsonl"
    edited.write_bytes("".join(json.dumps(x) + "\r\n" for x in lines).encode("utf-16"))
    from vcam.control.log import read_replay

    assert read_replay(str(edited)) == read_replay(plain)
    assert main(["render", str(edited), "--out", "null"]) == 0
    assert "rendered 2 blocks in" in capsys.readouterr().err


def test_a_log_an_editor_saved_in_latin1_names_the_line_and_says_to_save_it_as_utf8(tmp_path, capsys):
    """A prompt typed with an accent, saved as Windows-1252: it was said to be no control log ("not text")."""
    edited = tmp_path / "edited.jsonl"
    prompt = {"op": "prompt", "prompts": {"une crème brûlée": 1.0}, "transition": 0}
    lines = [{"vcam": HEADER}, ACTION, {"t": 1.0, "block": 1, "command": "prompt", "source": "stdin",
                                        "apply": prompt}, {"end": {"blocks": 2}}]
    edited.write_bytes("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines).encode("cp1252"))
    assert main(["render", str(edited), "--out", "null"]) == 2
    err = capsys.readouterr().err
    assert f"vcam: error: {edited}:3: byte 0xe8 is not UTF-8 text (was the control log saved in another " \
           "encoding, such as Latin-1 or Windows-1252?)" in err and "save it as UTF-8" in err
    assert "not a control log" not in err


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_a_log_saved_as_utf16_without_a_byte_order_mark_reads_as_written(tmp_path, encoding):
    """UTF-16 without its mark (a script's, PowerShell's) was read as UTF-8, a NUL after (or before) each character:
    refused with "correct line 1, or delete it", of a log that was whole."""
    from vcam.control.log import read_replay

    lines = [{"vcam": HEADER}, ACTION, {"end": {"blocks": 2}}]
    plain = write_log(tmp_path / "plain.jsonl", *lines)
    saved = tmp_path / f"{encoding}.jsonl"
    saved.write_bytes("".join(json.dumps(x) + "\r\n" for x in lines).encode(encoding))
    assert read_replay(str(saved)) == read_replay(plain)


def test_a_log_saved_as_utf16_and_cut_short_says_to_save_it_as_utf8(tmp_path):
    """Its half character at the end was said as Latin-1 or Windows-1252 text."""
    from vcam.control.log import read_replay

    lines = [{"vcam": HEADER}, ACTION, {"end": {"blocks": 2}}]
    saved = tmp_path / "cut.jsonl"
    saved.write_bytes("".join(json.dumps(x) + "\n" for x in lines).encode("utf-16-le")[:-1])
    with pytest.raises(ValueError) as e:
        read_replay(str(saved))
    assert str(e.value) == (f"{saved}:3: the control log is saved as UTF-16 and its text is damaged or cut short "
                            "there; open it in an editor and save it as UTF-8, the encoding vcam writes")


@pytest.mark.parametrize("encoding,mark", [("utf-16", b""), ("utf-16-le", b""), ("utf-16-be", b""),
                                           ("utf-32", b""), ("utf-32-be", b"\x00\x00\xfe\xff"),
                                           ("utf-8", b"\xef\xbb\xbf")])
def test_an_older_log_in_any_encoding_a_log_is_read_in_is_one_a_new_log_may_replace(tmp_path, encoding, mark):
    """An older log an editor saved as UTF-16 (or UTF-32) was refused to --log-controls as "not a control log",
    where vcam render read it."""
    from vcam.control.log import read_replay
    from vcam.live.showwrites import _no_log_in

    older = tmp_path / "show.jsonl"
    older.write_bytes(mark + "".join(json.dumps(x) + "\r\n" for x in [{"vcam": HEADER}, ACTION]).encode(encoding))
    assert read_replay(str(older)).actions  # a log, as vcam render reads it
    assert _no_log_in(str(older)) is None
    show = tmp_path / "show.yaml"  # the slip this guards against, in the same encoding
    show.write_bytes(mark + "presets:\n  - {name: city, prompt: a city}\n".encode(encoding))
    assert _no_log_in(str(show)) == "it is not a control log (a show file?)"


@contextlib.contextmanager
def _unblocked_in_time(pipe) -> Iterator[None]:
    """A reader of the named pipe `pipe` that waits in its open, its writer never come (a test gone wrong), is let go
    after 30 s by a writer that comes and goes: the wait ends with nothing read."""
    unblock = threading.Timer(30.0, lambda: os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)))
    unblock.start()
    try:
        yield
    finally:
        unblock.cancel()
        unblock.join()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_named_pipe_nothing_writes_yet_is_said_as_waited_for_and_read_once_written(tmp_path, monkeypatch):
    """`vcam run --replay` (or vcam render) on a mkfifo pipe waited for a writer for ever, without a word."""
    from vcam.control import log as log_module

    monkeypatch.setattr(log_module, "PIPE_QUIET_S", 0.0)
    pipe = tmp_path / "show.jsonl"
    os.mkfifo(pipe)
    text = "".join(json.dumps(x) + "\n" for x in [{"vcam": HEADER}, ACTION, {"end": {"blocks": 2}}]).encode()
    said: list[str] = []
    rest: list[threading.Timer] = []

    def write_it(line: str) -> None:  # the writer comes once the wait is said (the reader is open by then)
        said.append(line)
        fd = os.open(pipe, os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, text[:20])

        def the_rest() -> None:  # a writer that writes in pieces: the log is read up to its close, not cut
            os.write(fd, text[20:])
            os.close(fd)

        rest.append(threading.Timer(0.5, the_rest))
        rest[0].start()

    try:
        with _unblocked_in_time(pipe):
            replay = log_module.replay_to_make(str(pipe), "replay", write_it)
    finally:
        for timer in rest:
            timer.join(60)
    assert said == [f"{pipe} is a named pipe that nothing has written yet: waiting for the control log to be written "
                    "into it, read whole before the show starts (Ctrl-C stops; give the log's .jsonl file itself to "
                    "read it at once)"]
    assert replay.actions == [(1, SetSeed(4))] and replay.end_block == 2


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_named_pipe_whose_writer_closes_without_writing_is_said_as_such(tmp_path, monkeypatch):
    """It was said as a file "empty, no header line", where nothing came through the pipe to read."""
    from vcam.control import log as log_module

    monkeypatch.setattr(log_module, "PIPE_QUIET_S", 0.0)
    pipe = tmp_path / "show.jsonl"
    os.mkfifo(pipe)

    def come_and_go(line: str) -> None:  # a writer that opens the pipe once the reader waits, and closes it at once
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))

    with _unblocked_in_time(pipe), pytest.raises(ValueError) as e:
        log_module.read_replay(str(pipe), come_and_go)
    assert str(e.value).startswith(f"{pipe}: its writer closed this pipe without sending anything"), e.value
    assert "empty, no header" not in str(e.value)


@pytest.mark.skipif(not os.path.exists("/dev/fd"), reason="bash's <(...) names a pipe under /dev/fd")
def test_a_pipe_whose_writer_is_there_is_read_without_a_word(tmp_path):
    """`vcam render <(zcat show.jsonl.gz)`: the pipe is read at once, no wait said."""
    from vcam.control.log import replay_to_make

    read, write = os.pipe()
    try:
        os.write(write, "".join(json.dumps(x) + "\n" for x in [{"vcam": HEADER}, ACTION]).encode())
        os.close(write)
        said: list[str] = []
        replay = replay_to_make(f"/dev/fd/{read}", "render", said.append)
    finally:
        os.close(read)
    assert replay.actions == [(1, SetSeed(4))] and not [line for line in said if "named pipe" in line]


def test_a_log_saved_as_utf32_reads_as_written(tmp_path):
    from vcam.control.log import read_replay

    plain = tmp_path / "plain.jsonl"
    lines = [{"vcam": HEADER}, ACTION, {"end": {"blocks": 2}}]
    plain.write_text("".join(json.dumps(x) + "\n" for x in lines))
    for encoding in ("utf-32", "utf-32-be"):
        saved = tmp_path / f"{encoding}.jsonl"
        text = plain.read_text()
        marked = text.encode(encoding) if encoding == "utf-32" else b"\x00\x00\xfe\xff" + text.encode(encoding)
        saved.write_bytes(marked)
        assert read_replay(str(saved)) == read_replay(str(plain)), encoding


def test_a_screen_change_edited_in_to_show_after_the_logs_end_is_named(tmp_path, capsys):
    log = tmp_path / "edited.jsonl"
    freeze = {"t": 1, "block": 300, "shown": [300, 0], "command": "freeze", "source": "stdin",
              "apply": {"op": "screen", "mode": "freeze"}}
    log.write_text("".join(json.dumps(x) + "\n" for x in [{"vcam": HEADER}, freeze, {"end": {"blocks": 2}}]))
    assert main(["render", str(log), "--out", "null"]) == 0
    assert f"{log}:2: the change at block 300 comes after the end line's 2 blocks" in capsys.readouterr().err


def test_an_older_log_saved_with_a_byte_order_mark_is_one_a_new_log_may_replace(tmp_path):
    from vcam.live.showwrites import _no_log_in

    older = tmp_path / "show.jsonl"
    older.write_bytes(b"\xef\xbb\xbf" + json.dumps({"vcam": HEADER}).encode() + b"\r\n")
    assert _no_log_in(str(older)) is None


@pytest.mark.parametrize("name,fragment", [
    ("gone.jsonl", "gone.jsonl does not exist; check the path (vcam run --log-controls FILE writes one"),
    ("", "is a folder; name the .jsonl file in it that vcam run --log-controls wrote"),
    ("show.mp4", "show.mp4 is not a control log: it is not text (byte 0x9f); give the .jsonl file"),
    ("show.yaml", "show.yaml is not a control log: its first line is not one of the JSON lines vcam run "
                  "--log-controls writes; a show file is played with vcam run"),
    ("notes.txt", "notes.txt is not a control log: its first line is not one of the JSON lines"),
])
def test_a_log_that_cannot_be_read_says_what_to_give_instead(tmp_path, capsys, name, fragment):
    (tmp_path / "show.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42\x9f")
    (tmp_path / "show.yaml").write_text("# my show\nname: x\npresets:\n  - {name: a, prompt: b}\n")
    (tmp_path / "notes.txt").write_text("\nrender this one\n")
    video = tmp_path / "out.mp4"
    assert main(["render", str(tmp_path / name), "--out", f"file:{video}"]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "Errno" not in err and "codec can't decode" not in err, err
    assert not video.exists()


def test_a_log_whose_last_line_is_cut_short_renders_the_lines_before_it_said_by_its_number(tmp_path, capsys):
    """A show killed (or its disk full) while writing a line: the render refused the whole log until that line was
    deleted by hand, and then asked for --blocks."""
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"vcam": HEADER}) + "\n" + json.dumps(ACTION) + '\n{"t": 2, "block": 2, "comm')
    cut = f"vcam: {path}:3: the last line is cut short (the show ended while writing it): left out"
    assert main(["render", str(path), "--out", "null"]) == 2
    err = capsys.readouterr().err
    assert cut in err and "has no end line" in err and "its last change is at block 1" in err, err
    assert main(["render", str(path), "--out", "null", "--blocks", "2"]) == 0
    err = capsys.readouterr().err
    assert err.count(cut) == 1 and err.index(cut) < err.index("building tiny") and "rendered 2 blocks in" in err


@pytest.mark.parametrize("last", ['{"t": 2, "block": 2, "comm', '{"t": 2.', '{"t": 2, "block": 2, "apply": {"op": "se',
                                  '{"t": 2, "block": 2, "apply": {"op": "seed", "seed": 5}', '{"t": 2, "block": tr',
                                  '{"t": 2, "command": "prompt caf\\u00', "\0" * 64, '{"t": 2, "bl' + "\0" * 64])
def test_a_last_line_cut_short_anywhere_is_left_out(tmp_path, last):
    """Cut at any character (or followed by the zeros a crashed disk leaves), the last line is told from one whole."""
    from vcam.control.log import read_replay

    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"vcam": HEADER}) + "\n" + json.dumps(ACTION) + "\n" + last)
    replay = read_replay(str(path))
    assert replay.cut_line == 3 and len(replay.actions) == 1 and replay.end_block is None


@pytest.mark.parametrize("last,said", [
    ('{"t": 2, "block": 2,, "apply": {"op": "seed", "seed": 5}}', "Expecting property name enclosed in double quotes"),
    ('{"end": {"blocks": 3O}}', "Expecting ',' delimiter"),
    ('{"end": {"blocks": 3}}}', "Extra data"),
])
def test_a_last_line_whole_but_mistyped_is_refused_by_its_line_not_left_out_as_cut_short(tmp_path, capsys, last,
                                                                                          said):
    """An editor saves the last line without its newline: one mistyped there was left out as cut short, and the
    render went on without it."""
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"vcam": HEADER}) + "\n" + json.dumps(ACTION) + "\n" + last)
    assert main(["render", str(path), "--out", "null", "--blocks", "2"]) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: not a control log line ({said}" in err and "correct line 3" in err, err
    assert "cut short" not in err and "building tiny" not in err


def test_a_log_without_its_end_or_any_change_says_so_not_a_change_at_block_0(tmp_path, capsys):
    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER})
    assert main(["render", path, "--out", "null"]) == 2
    err = capsys.readouterr().err
    assert "has no end line" in err and "it logs no change after its start" in err and "block 0" not in err, err


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's")
def test_a_log_a_show_on_air_is_writing_says_so_not_that_the_show_did_not_end_cleanly(tmp_path, capsys):
    from vcam import filelock

    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, ACTION)
    with open(path, "a") as writing:  # as the show's ControlLog holds it (vcam.live.logfile)
        assert filelock.take(writing.fileno()) is True
        assert main(["render", path, "--out", "null"]) == 2
    err = capsys.readouterr().err
    assert f"{path} is being written by a show on air now: it has no end line yet" in err
    assert "render it once that show has ended, or give --blocks N" in err and "did not end cleanly" not in err
    assert main(["render", path, "--out", "null"]) == 2  # the show gone: what it left is said as before
    assert "did not end cleanly" in capsys.readouterr().err


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's")
def test_a_last_line_a_show_on_air_is_writing_is_not_said_cut_short_as_the_show_ended(tmp_path, capsys):
    """Read as the show wrote its last line: the render, given --blocks, said that the show had ended."""
    from vcam import filelock

    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"vcam": HEADER}) + "\n" + json.dumps(ACTION) + '\n{"t": 2, "block": 2, "comm')
    with open(path, "a") as writing:  # as the show's ControlLog holds it (vcam.live.logfile)
        assert filelock.take(writing.fileno()) is True
        assert main(["render", str(path), "--out", "null", "--blocks", "2"]) == 0
    err = capsys.readouterr().err
    assert f"{path}:3: the last line is being written by the show on air now: left out" in err, err
    assert "the show ended" not in err and "rendered 2 blocks in" in err


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's")
def test_a_log_another_render_is_looking_at_is_not_said_to_be_on_air(tmp_path):
    """Two renders of one log at once: each took the log's lock to look, and the second, refused it, was told that
    a show was writing the log."""
    import fcntl

    from vcam import filelock

    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, ACTION)
    with open(path) as looking:
        fcntl.flock(looking.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)  # as the other render's look holds it
        assert not filelock.written_now(path)
        with open(path, "a") as writing:
            assert filelock.take(writing.fileno()) is False  # the look still refuses a show's lock, as before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_log_given_through_a_named_pipe_without_its_end_needs_blocks_not_a_hang(tmp_path):
    """Read whole, the pipe was opened again to look for a show writing it, which waited for a writer forever."""
    from vcam import filelock

    pipe = tmp_path / "log.pipe"
    os.mkfifo(pipe)
    said: list[bool] = []
    looked = threading.Event()
    threading.Thread(target=lambda: (said.append(filelock.written_now(str(pipe))), looked.set()), daemon=True).start()
    try:
        assert looked.wait(30), "written_now waited for a writer of the pipe"
    finally:
        if not looked.is_set():  # a writer, which lets the stuck look go
            os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    assert said == [False]


def test_a_log_without_its_end_needs_blocks(tmp_path, capsys):
    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, ACTION)
    assert main(["render", path, "--out", f"file:{tmp_path / 'x.mp4'}"]) == 2
    err = capsys.readouterr().err
    assert "has no end line" in err and "--blocks N" in err and "block 1" in err
    assert main(["render", path, "--out", "null", "--blocks", "1"]) == 0
    assert "rendered 1 block in" in capsys.readouterr().err


def test_blocks_past_the_logs_end_says_once_at_the_start_that_all_the_log_holds_is_rendered(tmp_path, capsys):
    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 2}})
    assert main(["render", path, "--out", "null", "--blocks", "100"]) == 0
    err = capsys.readouterr().err
    said = f"vcam: {path} holds only 2 blocks: all 2 are rendered (--blocks 100 asks for more)"
    assert err.count(said) == 1 and err.index(said) < err.index("building tiny"), err
    assert "rendered 2 blocks" in err
    one = write_log(tmp_path / "one.jsonl", {"vcam": HEADER}, {"end": {"blocks": 1}})
    assert main(["render", one, "--out", "null", "--blocks", "100", "--steps", "1"]) == 0
    assert f"vcam: {one} holds only 1 block: it is rendered (--blocks 100 asks for more)" in capsys.readouterr().err


@pytest.mark.parametrize("out", ["vcam", "window"])
def test_a_camera_or_window_is_refused_with_the_reason(tmp_path, capsys, out):
    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 1}})
    assert main(["render", path, "--out", out]) == 2
    err = capsys.readouterr().err
    assert "plays in real time" in err and f"vcam run --replay LOG --out {out}" in err
    assert "building tiny" not in err


def test_a_missing_clip_is_said_before_the_model_loads(tmp_path, capsys):
    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER},
                     {"t": 1, "block": 1, "command": "input file:gone.mp4", "source": "stdin",
                      "apply": {"op": "input", "spec": f"file:{tmp_path / 'gone.mp4'}"}},
                     {"end": {"blocks": 2}})
    assert main(["render", path, "--out", "null"]) == 2
    err = capsys.readouterr().err
    assert "the input at block 1" in err and "no such file" in err and "building tiny" not in err


@pytest.mark.parametrize("key,value", [("quant", "int3"), ("decoder", "jpeg"), ("attention_quant", "int4")])
def test_a_header_value_vcam_does_not_know_is_refused_alike_by_render_and_replay(tmp_path, capsys, key, value):
    """One check serves both ways of making a show again: the same one-line error, before the model loads."""
    path = write_log(tmp_path / "c.jsonl", {"vcam": {**HEADER, key: value}}, {"end": {"blocks": 1}})
    said = []
    for argv in (["render", path, "--out", "null"], ["run", "--replay", path, "--out", "null", "--no-stdin"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "building tiny" not in err and "Traceback" not in err
        said.append(err.strip())
    assert said[0] == said[1] == f"vcam: error: {path}: header: {key} must be one of " \
        f"{', '.join(KNOWN[key])}, not {value!r}"


def test_a_logs_model_this_vcam_does_not_have_names_the_log_and_model_alike_by_render_and_replay(tmp_path, capsys):
    """It said "unknown model 'krea-28b'; did you mean krea-14b?", as if the operator, who typed no model, had
    mistyped one."""
    path = write_log(tmp_path / "c.jsonl", {"vcam": {**HEADER, "model": "krea-28b"}}, {"end": {"blocks": 1}})
    for argv in (["render", path, "--out", "null"], ["run", "--replay", path, "--out", "null", "--no-stdin"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert f"vcam: error: {path} was made with the model 'krea-28b'" in err, err
        assert "fix: give --model krea-14b or --model tiny" in err and "did you mean" not in err
        assert "building tiny" not in err and "Traceback" not in err
    assert main(["render", path, "--out", "null", "--model", "tiny"]) == 0


@pytest.mark.parametrize("quant", ["fp8", "nvfp4"])
def test_a_log_made_in_a_precision_this_machine_lacks_names_the_log_and_quant_none(tmp_path, capsys, monkeypatch,
                                                                                   quant):
    """Loading would say "run without --quant fp8", an option never given: the log's header asked for it."""
    monkeypatch.setattr("vcam.engine.load.quant_unsupported", lambda model, q: f"{q} cannot run on this card")
    path = write_log(tmp_path / "c.jsonl", {"vcam": {**HEADER, "quant": quant}}, {"end": {"blocks": 1}})
    said = []
    for argv in (["render", path, "--out", "null"], ["run", "--replay", path, "--out", "null", "--no-stdin"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "building tiny" not in err and "Traceback" not in err
        said.append(err.strip().splitlines()[-2:])
    assert said[0] == said[1] == [
        f"vcam: error: {path} was made in {quant.upper()} (its header's quant), which cannot run here: {quant} "
        "cannot run on this card",
        f"  fix: give --quant none to make it without {quant.upper()} here (the same changes at the same blocks, "
        f"other pictures), or run it on a card that runs {quant.upper()}"]
    assert main(["render", path, "--out", "null", "--quant", "none"]) == 0


def test_a_log_made_with_int8_attention_renders_here_with_attention_quant_none(tmp_path, capsys):
    """SageAttention runs on NVIDIA cards only, and render had no option to leave it out: such a log could not be
    made again without one. The exact attention is offered, and said to differ from the show."""
    path = write_log(tmp_path / "i.jsonl", {"vcam": {**HEADER, "attention_quant": "int8"}}, {"end": {"blocks": 1}})
    for argv in (["render", path, "--out", "null"], ["run", "--replay", path, "--out", "null", "--no-stdin"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "building tiny" not in err and "Traceback" not in err
        assert f"vcam: error: {path} was made with INT8 attention (its header's attention_quant), which cannot run " \
               "here: INT8 attention (SageAttention) needs an NVIDIA GPU" in err, err
        assert "fix: give --attention-quant none to make it with the exact attention here" in err
    assert main(["render", path, "--out", "null", "--attention-quant", "none"]) == 0
    assert "rendering with attention none (the show: int8): the same changes at the same blocks" \
        in capsys.readouterr().err


# --- the progress line --------------------------------------------------------------------------------------------

class Clock:
    def __init__(self):
        self.t = 100.0

    def __call__(self):
        return self.t


def test_progress_rewrites_one_line_on_a_terminal_and_says_blocks_rate_and_time_left(monkeypatch):
    from vcam.progress import Progress

    monkeypatch.setenv("TERM", "xterm")  # a terminal that takes the escape that wipes the line

    out, clock = io.StringIO(), Clock()
    progress = Progress(10, out, clock=clock, tty=True)
    clock.t += 4
    progress.update(2, 18)  # 18 frames in 4 s; 8 blocks left at 2 s a block
    assert out.getvalue() == "\r\033[Krendering: block 2/10 (20%), 18 frames, 4.5 frames/s, 0:16 left"
    progress.say("a message")  # on a line of its own, the progress line drawn again below it
    assert out.getvalue().endswith("\r\033[Kvcam: a message\nrendering: block 2/10 (20%), 18 frames, 4.5 frames/s, "
                                   "0:16 left")
    progress.done()
    assert out.getvalue().endswith("\n")


def test_progress_elsewhere_writes_a_line_every_few_seconds_and_the_last():
    from vcam.progress import Progress

    out, clock = io.StringIO(), Clock()
    progress = Progress(30, out, clock=clock, tty=False, every_s=5.0)
    for block in range(1, 31):
        clock.t += 1
        progress.update(block, block * 12)
    lines = out.getvalue().splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "vcam: rendering: block 1/30 (3%)", "vcam: rendering: block 6/30 (20%)", "vcam: rendering: block 11/30 (36%)",
        "vcam: rendering: block 16/30 (53%)", "vcam: rendering: block 21/30 (70%)",
        "vcam: rendering: block 26/30 (86%)",
        "vcam: rendering: block 30/30 (100%)"]
    assert "\r" not in out.getvalue() and lines[-1].endswith("0:00 left")


def test_two_outputs_on_one_camera_are_refused_as_cameras_are_not_as_sharing_one(tmp_path, capsys):
    """vcam run refuses two --out on one camera device; vcam render takes no camera at all, and says so first."""
    path = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 1}})
    assert main(["render", path, "--out", "vcam:/dev/video10", "--out", "vcam:/dev/video10@640x360"]) == 2
    err = capsys.readouterr().err
    assert "--out vcam:/dev/video10 plays in real time" in err and "would both write" not in err, err
    assert "building tiny" not in err


# --- the files a render writes ------------------------------------------------------------------------------------

@pytest.mark.parametrize("outs, said", [
    (["file:rr.jsonl"], "--out file:rr.jsonl would write over the control log"),
    (["file:clip.avi"], "--out file:clip.avi would write over the show's input (file:"),
    (["file:a.mp4", "file:./a.mp4@160x96"], "--out file:a.mp4 and --out file:./a.mp4@160x96 would write the same"),
    (["file:."], "is a folder"),
])
def test_a_render_that_would_write_over_what_it_reads_is_refused_before_the_model_loads(tmp_path, monkeypatch,
                                                                                      capsys, outs, said):
    monkeypatch.chdir(tmp_path)
    write_clip(tmp_path / "clip.avi")
    write_log(tmp_path / "rr.jsonl", {"vcam": {**HEADER, "input": f"file:{tmp_path / 'clip.avi'}"}},
              {"end": {"blocks": 2}})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(["render", "rr.jsonl", *[a for out in outs for a in ("--out", out)]]) == 2
    err = capsys.readouterr().err
    assert said in err and "building tiny" not in err, err
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_render_over_an_older_file_says_so_and_names_the_file_whole(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "take.mp4").write_bytes(b"x" * 300_000)
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 1}})
    out = io.StringIO()
    render(RenderOptions(log=log, outs=["file:take.mp4"], status_out=out))
    text = out.getvalue()
    assert f"vcam: will replace {tmp_path / 'take.mp4'} (0.3 MB) at the first frame recorded" in text
    assert f"vcam: {tmp_path / 'take.mp4'}: " in text and " frames, " in text
    assert mp4_frames(tmp_path / "take.mp4")[0] > 0


@pytest.mark.parametrize("command", ["render", "replay"])
def test_a_log_of_a_show_stopped_while_loading_is_refused_before_the_model_loads(tmp_path, capsys, command):
    """Its end line says 0 blocks: the model was loaded (minutes for krea-14b) to write nothing."""
    path = tmp_path / "early.jsonl"
    path.write_text(json.dumps({"vcam": HEADER}) + "\n" + json.dumps({"end": {"blocks": 0}}) + "\n")
    video = tmp_path / "out.mp4"
    args = (["render", str(path)] if command == "render" else ["run", "--replay", str(path), "--no-stdin"])
    assert main(args + ["--out", f"file:{video}"]) == 2
    err = capsys.readouterr().err
    assert f"{path} holds no block: its show was stopped before it went on air, so there is nothing to {command}" \
        in err, err
    assert "building" not in err and not video.exists()


def test_a_weights_folder_missing_files_is_refused_before_the_log_is_read_or_a_file_opens(tmp_path, capsys,
                                                                                         monkeypatch):
    import vcam.live.render

    (tmp_path / "w").mkdir()
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 2}})
    monkeypatch.setattr(vcam.live.render, "replay_to_make", lambda *a: pytest.fail("the log was read first"))
    take = tmp_path / "take.mp4"
    assert main(["render", log, "--weights", str(tmp_path / "w"), "--out", f"file:{take}"]) == 2
    err = capsys.readouterr().err
    assert "model files missing or incomplete" in err and f"copy complete files into {tmp_path / 'w'}" in err, err
    assert not take.exists()


def test_a_weights_folder_missing_tinys_files_is_told_tinys_fix_not_a_download(tmp_path, capsys):
    (tmp_path / "w").mkdir()
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 2}})
    assert main(["render", log, "--model", "tiny", "--weights", str(tmp_path / "w"),
                 "--out", f"file:{tmp_path / 'take.mp4'}"]) == 2
    err = capsys.readouterr().err
    assert "tiny's own weights" in err and "Hugging Face" not in err and "Wan-AI" not in err, err


def test_the_logs_taehv_decoder_without_its_file_offline_is_refused_before_a_file_opens(tmp_path, capsys,
                                                                                       monkeypatch, weights_folder):
    """The show decoded with TAEHV, so the render does (no --decoder given): its file is looked for before the
    model loads, and nothing is downloaded to find out."""
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    log = write_log(tmp_path / "c.jsonl", {"vcam": {**HEADER, "decoder": "taehv"}}, {"end": {"blocks": 2}})
    take = tmp_path / "take.mp4"
    assert main(["render", log, "--weights", str(weights_folder), "--out", f"file:{take}"]) == 2
    err = capsys.readouterr().err
    assert "TAEHV's weights (taew2_1.safetensors) are not in" in err and "--decoder vae" in err, err
    assert "loading transformer" not in err and not take.exists()


def test_pytorchs_import_is_made_with_ctrl_c_held(tmp_path, monkeypatch):
    """A Ctrl-C while PyTorch's import runs Python from C++ aborted the process (exit code 134) now and then; vcam
    run held it there already, vcam render did not."""
    import contextlib

    from vcam.live import render as render_module

    held = []

    @contextlib.contextmanager
    def recording_hold(left):
        held.append("in")
        yield []  # no stop came
        held.append("out")

    monkeypatch.setattr(render_module, "stops_held", recording_hold)
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 1}})
    render(RenderOptions(log=log, outs=["null"], status_out=io.StringIO()))
    assert held == ["in", "out"]


def test_a_file_past_the_systems_size_limit_is_not_told_to_free_space():
    """EFBIG (a FAT32 disk's 4 GB, a ulimit -f) was given the full disk's fix, freeing space, which cannot help."""
    import errno

    from vcam.errors import VcamError
    from vcam.live.render import _send

    class TooBig:
        name, path = "file:/media/stick/take.mp4", "/media/stick/take.mp4"

        def send(self, frame, tick):
            raise OSError(errno.EFBIG, "File too large")

        def close(self):
            pass

    with pytest.raises(VcamError) as err:
        _send(TooBig(), np.zeros((8, 8, 3), np.uint8), 90, 7, print)
    assert err.value.message.startswith("the file reached the size this system allows while /media/stick/take.mp4")
    assert "FAT32" in err.value.fix and "ulimit -f" in err.value.fix and "--blocks 7" in err.value.fix
    assert "free space" not in err.value.fix


def _full_from(monkeypatch, limits: dict) -> None:
    """Recordings whose disk fills at a tick: {path: first tick refused}, each as a full disk refuses it."""
    import errno

    from vcam.live.outputs.recording import Recording

    send = Recording.send

    def send_until_full(self, frame, tick):
        if tick >= limits.get(self.path, float("inf")):
            raise OSError(errno.ENOSPC, "No space left on device")
        send(self, frame, tick)

    monkeypatch.setattr(Recording, "send", send_until_full)


def test_a_file_whose_disk_fills_stops_alone_and_the_render_goes_on_into_the_others(tmp_path, monkeypatch, capsys):
    """A render into two disks stopped whole at the first one's full disk: the second file lost the rest of the
    show, and neither's frames were said."""
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    stick, other = tmp_path / "stick.mp4", tmp_path / "other.mp4"
    _full_from(monkeypatch, {str(stick): 20})
    assert main(["render", log, "--out", f"file:{stick}", "--out", "null", "--out", f"file:{other}"]) == 1
    said = capsys.readouterr().err
    stopped = next(line for line in said.splitlines() if "the disk filled" in line)
    assert stopped == (f"vcam: the disk filled while {stick} was written, at block 2; it holds 20 frames, which play; "
                       f"the render goes on into {other} without it; free space on its disk (df -h {tmp_path} "
                       "shows what is left) or render to another disk, then render it again")
    assert f"{other}: 42 frames, 1.75 s at 24 fps\n" in said
    assert f"{stick}: 20 frames, 0.83 s at 24 fps; STOPPED at block 2: the disk filled" in said
    assert mp4_frames(stick)[0] == 20 and mp4_frames(other)[0] == 42


def test_the_last_file_whose_disk_fills_stops_the_render_and_each_file_is_said(tmp_path, monkeypatch):
    """Null keeps no frame: a render into one file and null stops at its full disk, as a render into one file
    does; the file stopped before it is said with its frames, and so is the last."""
    from vcam.errors import VcamError

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    first, last = tmp_path / "first.mp4", tmp_path / "last.mp4"
    _full_from(monkeypatch, {str(first): 8, str(last): 31})
    status = io.StringIO()
    with pytest.raises(VcamError) as err:
        render(RenderOptions(log=log, outs=[f"file:{first}", f"file:{last}", "null"], status_out=status))
    assert err.value.message == f"the disk filled while {last} was written, at block 3; it holds 31 frames, which play"
    assert "--blocks 3 renders up to it" in err.value.fix
    said = status.getvalue()
    assert f"the disk filled while {first} was written, at block 1; it holds 8 frames, which play; the render goes " \
           f"on into {last} without it" in said
    assert f"{first}: 8 frames, 0.33 s at 24 fps; STOPPED at block 1: the disk filled" in said
    assert f"{last}: 31 frames, 1.29 s at 24 fps; STOPPED at block 3: the disk filled" in said
    assert "closing" not in said and (mp4_frames(first)[0], mp4_frames(last)[0]) == (8, 31)


@pytest.mark.parametrize("given", [None, "tiny"])
def test_a_log_that_names_no_model_says_which_one_makes_it_again(tmp_path, given):
    """A header without `model` was made again with the machine's default model without a word (krea-14b on a GPU,
    which may not be what the show ran); the command line's --model, or the log's own, leaves nothing to say."""
    from vcam.live.render import plan_render
    from vcam.live.run import _prepare

    header = {k: v for k, v in HEADER.items() if k != "model"}
    log = write_log(tmp_path / "old.jsonl", {"vcam": header}, {"end": {"blocks": 2}})
    said = []
    plan = plan_render(RenderOptions(log=log, outs=["null"], model=given), said.append)
    status = io.StringIO()
    _prepare(RunOptions(replay=log, model=given, outs=["null"], stdin=False, status_out=status))
    unnamed = [line for line in said if "does not name the model" in line]
    replayed = [line for line in status.getvalue().splitlines() if "does not name the model" in line]
    if given is not None:
        assert unnamed == [] and replayed == []
        return
    default = f"{log} does not name the model the show ran (an older log): %s with {plan.model}, this machine's default"
    assert unnamed == [default % "rendering" + " (--model sets it)"]
    assert len(replayed) == 1 and default % "replaying" in replayed[0]
    named = write_log(tmp_path / "new.jsonl", {"vcam": HEADER}, {"end": {"blocks": 2}})
    said.clear()
    plan_render(RenderOptions(log=named, outs=["null"]), said.append)
    assert not any("does not name the model" in line for line in said)


@pytest.mark.skipif(os.name == "nt", reason="no pseudo-terminals")
def test_a_progress_line_wider_than_the_terminal_is_cut_to_its_width(monkeypatch):
    """On a terminal of 40 columns the line wrapped: each redraw's carriage return went to its second row, and the
    terminal filled with copies of its first."""
    import fcntl
    import pty
    import struct
    import termios

    from vcam.progress import ByteProgress

    monkeypatch.setenv("TERM", "xterm")  # the line wiped by the escape, as where tests run without TERM it is not
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    with os.fdopen(leader, "rb", buffering=0) as screen, os.fdopen(follower, "w", encoding="utf-8") as terminal:
        clock = Clock()
        bar = ByteProgress("loading krea-realtime-video-14b.safetensors", 28_600_000_000, terminal, clock=clock)
        clock.t += 10
        bar.update(14_600_000_000)
        written = screen.read(4096).decode("utf-8")
    line = written.split("\033[K")[-1]
    assert line.startswith("loading krea") and line.endswith("…") and len(line) <= 39


def test_on_a_dumb_terminal_the_progress_line_is_rewritten_with_blanks_not_an_escape(monkeypatch):
    """On TERM=dumb (Emacs' shell) or a Windows console, which take no escapes, each redraw printed `^[[K`."""
    from vcam.progress import Progress

    monkeypatch.setenv("TERM", "dumb")
    out, clock = io.StringIO(), Clock()
    progress = Progress(10, out, clock=clock, tty=True)
    clock.t += 4
    progress.update(2, 18)
    first = "rendering: block 2/10 (20%), 18 frames, 4.5 frames/s, 0:16 left"
    clock.t += 1
    progress.update(3, 27)
    progress.say("a message")
    written = out.getvalue()
    assert "\033" not in written and written.startswith("\r" + first + "\r" + " " * len(first) + "\rrendering: block 3")
    assert "\rvcam: a message\nrendering: block 3/10" in written


def test_a_block_that_comes_out_nan_in_a_render_starts_the_stream_over_there_as_the_show_does(tmp_path,
                                                                                                 monkeypatch):
    """A render that met a NaN block wrote black frames from there to its end, said nowhere; now it says it in one
    line and starts over there, as a show does: what it writes is a render of the log with a reset there."""
    from vcam.engine.stream import Stream

    seed = {"t": 1, "block": 2, "command": "seed 4", "source": "generator", "apply": {"op": "seed", "seed": 4}}
    reset = {"t": 1, "block": 2, "command": "reset", "source": "generator", "apply": {"op": "reset"}}
    restarted = Keeper()
    render(RenderOptions(log=write_log(tmp_path / "r.jsonl", {"vcam": HEADER}, seed, reset, {"end": {"blocks": 4}}),
                         outs=["null"], status_out=io.StringIO()), extra=[restarted])
    next_block, tries = Stream.next_block, []

    def overflowing(self):
        tries.append(self.block_index)
        if tries == [0, 1, 2]:  # block 2's first try: its latents NaN
            real = self.engine.model.forward
            monkeypatch.setattr(self.engine.model, "forward", lambda *a, **k: real(*a, **k) * float("nan"))
            try:
                return next_block(self)
            finally:
                monkeypatch.setattr(self.engine.model, "forward", real)
        return next_block(self)

    monkeypatch.setattr(Stream, "next_block", overflowing)
    keeper, status = Keeper(), io.StringIO()
    render(RenderOptions(log=write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}}),
                         outs=["null"], status_out=status), extra=[keeper])
    assert status.getvalue().count("came out NaN or infinite") == 1 and tries == [0, 1, 2, 0, 1]
    assert "a fresh first block with seed 4" in status.getvalue()  # the header's 3 would make the same NaN again
    assert len(keeper.frames) == len(restarted.frames) == 6 + 12 + 6 + 12  # a first block again at 2
    assert all(np.array_equal(a, b) for a, b in zip(keeper.frames, restarted.frames))


def test_a_render_whose_restarted_stream_comes_out_nan_too_names_the_precision_not_a_rerun(tmp_path, monkeypatch):
    """Said "run the render again", which meets the same NaN on the same seeds (in FP8 --quant none is the way)."""
    from vcam.engine.stream import Stream
    from vcam.errors import NonFiniteBlockError, VcamError

    def overflowing(self):
        if self.block_index == 0 and self.settings.seed == 4:  # the restart's fresh stream too
            raise NonFiniteBlockError()
        if self.block_index == 1:
            raise NonFiniteBlockError()
        return next_block(self)

    next_block = Stream.next_block
    monkeypatch.setattr(Stream, "next_block", overflowing)
    with pytest.raises(VcamError) as failed:
        render(RenderOptions(log=write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 3}}),
                             outs=["null"], status_out=io.StringIO()))
    assert "block 1 failed" in str(failed.value) and "twice" in str(failed.value)
    assert "run the render again" not in failed.value.fix and failed.value.fix.startswith("render on the card")


def test_a_render_refused_for_a_full_disk_is_told_to_render_elsewhere_as_once_it_has_begun(tmp_path, monkeypatch):
    """A render onto a full disk was refused at the start with "... or record to another disk", a disk that filled
    during it with "... or render to another disk": one wording, the render's, from the same place."""
    import collections

    from vcam.errors import VcamError
    from vcam.live.outputs import recording

    fake = collections.namedtuple("statvfs", "f_blocks f_bavail f_bfree f_frsize")
    monkeypatch.setattr(recording.os, "statvfs", lambda path: fake(10**6, 500, 500, 1))
    take = tmp_path / "take.mp4"
    with pytest.raises(VcamError) as refused:
        render(RenderOptions(log=write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 1}}),
                             outs=[f"file:{take}"], status_out=io.StringIO()))
    assert refused.value.message == f"cannot record to {take}: the disk is full (0.5 kB free in {tmp_path})"
    assert refused.value.fix == (f"free space on its disk (df -h {tmp_path} shows what is left) or render to another "
                                 "disk")


class GoneTerminal(io.StringIO):
    """A terminal that goes away (its window closed, an ssh session cut) once `gone` is set: every write fails."""

    gone = False

    def isatty(self):
        return True

    def write(self, text):
        if self.gone:
            raise OSError(5, "Input/output error")
        return super().write(text)


def test_a_terminal_gone_as_a_render_ends_still_leaves_its_recording_complete(tmp_path):
    """The progress line's end cannot be written: the error is the render's, and its file still gets its end."""
    log = write_log(tmp_path / "t.jsonl", {"vcam": HEADER}, {"end": {"blocks": 3}})
    video, status, keeper = tmp_path / "t.mp4", GoneTerminal(), Keeper()

    def on_block(done):
        if done == 3:
            status.gone = True

    with pytest.raises(OSError, match="Input/output error"):
        render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status), extra=[keeper], on_block=on_block)
    made = len(keeper.frames)
    assert made and mp4_frames(video)[0] == made


def test_a_clip_or_image_a_log_names_by_a_relative_path_is_read_from_the_logs_folder(tmp_path, monkeypatch):
    from vcam.control.log import read_replay
    from vcam.control.actions import SetInput

    shows = tmp_path / "shows"
    shows.mkdir()
    log = write_log(shows / "show.jsonl", {"vcam": {"model": "tiny", "input": "image:logo.png"}},
                    {"t": 1.0, "block": 2, "command": "input file:clips/a.mp4", "source": "stdin",
                     "apply": {"op": "input", "spec": "file:clips/a.mp4"}},
                    {"t": 2.0, "block": 3, "command": "input file:/abs/b.mp4", "source": "stdin",
                     "apply": {"op": "input", "spec": "file:/abs/b.mp4"}},
                    {"end": {"blocks": 4}})
    monkeypatch.chdir(tmp_path)  # rendered from another folder than the log's
    replay = read_replay(os.path.relpath(log))
    assert replay.header["input"] == f"image:{shows / 'logo.png'}"
    assert replay.actions == [(2, SetInput(f"file:{shows / 'clips' / 'a.mp4'}")), (3, SetInput("file:/abs/b.mp4"))]


def test_a_sigterm_just_after_the_outputs_open_closes_them_and_says_the_stop(tmp_path, monkeypatch):
    """SIGTERM in the instant between the outputs' opening and the model's load (the input being set up) escaped
    render as an uncaught StoppedLoading: a traceback, the recording left open and SIGTERM's handler not put back."""
    from vcam.live import render as render_module

    real = render_module.InputSwitch

    def stopped_as_made(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # docker stop, just as the outputs have opened
        for _ in range(100000):  # the handler runs between bytecodes: it raises in here
            pass
        return real(*args, **kwargs)

    monkeypatch.setattr(render_module, "InputSwitch", stopped_as_made)
    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video, status = tmp_path / "take.mp4", io.StringIO()
    video.write_bytes(b"an older take")
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        result = render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status))
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        signal.signal(signal.SIGTERM, previous)
    said = status.getvalue()
    assert (result.blocks, result.interrupted, result.stop_code) == (0, True, 143), said
    assert "stopped before the first of 4 blocks (SIGTERM; exit code 143): nothing was rendered" in said, said
    assert f"{video}: nothing written (the older file there is kept as it was)" in said, said
    assert video.read_bytes() == b"an older take"


@pytest.mark.parametrize("code, what", [
    (errno.EIO, "the disk stopped taking writes (an I/O error: a USB stick pulled out, a network share dropped, or a "
                "failing disk)"),
    (errno.EROFS, "the disk became read-only (the system does so after a disk error)"),
    (errno.ESTALE, "the network share the file is on was lost (its server gone, or the network down)")])
def test_a_disk_lost_during_a_render_names_the_file_what_it_keeps_and_what_to_do(tmp_path, monkeypatch, code, what):
    """It was "error: OSError: [Errno 5] Input/output error (set VCAM_DEBUG=1 ...)" ("[Errno 116] Stale file
    handle" for a network share dropped): no file, no fix."""
    from vcam.errors import VcamError
    from vcam.live.outputs.recording import Recording

    log = write_log(tmp_path / "c.jsonl", {"vcam": HEADER}, {"end": {"blocks": 4}})
    video, status = tmp_path / "stick.mp4", io.StringIO()
    send = Recording.send

    def lost_at_frame_20(self, frame, tick):
        if tick >= 20:
            raise OSError(code, os.strerror(code))
        send(self, frame, tick)

    monkeypatch.setattr(Recording, "send", lost_at_frame_20)
    with pytest.raises(VcamError) as err:
        render(RenderOptions(log=log, outs=[f"file:{video}"], status_out=status))
    assert err.value.message == f"{what} while {video} was written, at block 2; it holds 20 frames, which play"
    assert err.value.fix.startswith("check the disk (dmesg shows why") and "render to another disk" in err.value.fix
    assert "--blocks 2" in err.value.fix
    assert mp4_frames(video)[0] == 20
