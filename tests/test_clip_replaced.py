"""A clip exported again over itself while it plays: the show takes the new one, once the file holds still."""
import os
import subprocess
import sys
import threading
from contextlib import contextmanager

import av
import numpy as np
import pytest

from helpers import alpha_clip, held_openings, held_reloads, pyav_clip, reloads_ready_as, slow_reloads, with_junk
from vcam.live.inputs import ClipSource
from vcam.live.inputs import clip as clip_module
from vcam.live.inputs import clip_reload
from vcam.live.inputs.switch import InputSwitch

W, H = 32, 24


def levels(block: np.ndarray) -> list[int]:
    """Which frames of pyav_clip's clip a block holds (frame i is a flat 10·i)."""
    return [round(float(f.mean()) / 10) for f in block]


def _moved_in(new: str, path: str) -> None:
    """`new` put in under the name `path` as an export does: written beside it, renamed over it."""
    os.replace(new, path)


def test_a_clip_exported_again_longer_plays_all_its_frames(tmp_path):
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=5)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        assert levels(clip.frames(0, 5)) == [0, 1, 2, 3, 4]
        _moved_in(pyav_clip(tmp_path / "new.mp4", 10, count=9), path)
        clip.frames(5, 4)  # the block it is seen changed in
        clip.frames(9, 9)  # held still: opened beside the show
        assert clip.reload.ready.wait(30)
        assert levels(clip.frames(18, 9)) == list(range(9)) and clip.length == 9
    finally:
        clip.close()


def test_a_clip_exported_again_shorter_loops_over_its_frames_without_holding_one(tmp_path):
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "new.mp4", 10, count=3), path)
        clip.frames(4, 4)
        clip.frames(8, 4)
        assert clip.reload.ready.wait(30)
        assert levels(clip.frames(12, 6)) == [0, 1, 2, 0, 1, 2]
    finally:
        clip.close()


@pytest.mark.parametrize("before, after", [("alpha", "plain"), ("plain", "alpha")])
def test_a_clip_replaced_by_one_with_or_without_alpha_is_read_as_it_now_is(tmp_path, before, after):
    """A WebM with alpha needs libvpx's decoder: a plain H.264 clip fed to it gave no frame, the show held one."""
    def made(name: str, kind: str) -> str:
        if kind == "alpha":  # the white square over black
            return alpha_clip(tmp_path / f"{name}.webm", "libvpx-vp9", "yuva420p", count=4)
        return pyav_clip(tmp_path / f"{name}.webm", 10, count=4, codec="libvpx-vp9", size=(W, H))

    path = made("loop", before)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        clip.frames(0, 4)
        _moved_in(made("new", after), path)
        clip.frames(4, 4)
        clip.frames(8, 4)
        assert clip.reload.ready.wait(30)
        block = clip.frames(12, 4)
        if after == "plain":
            assert levels(block) == [0, 1, 2, 3]
        else:
            assert all(tuple(f[1, 1]) == (0, 0, 0) and min(f[12, 16]) > 245 for f in block)
    finally:
        clip.close()


def test_a_file_that_changes_every_block_is_not_opened_until_it_holds_still(tmp_path, monkeypatch):
    """A recording growing, or an export being written: opening it each block would count its packets each time
    and find a half-written file."""
    path = pyav_clip(tmp_path / "rec.mp4", 10, count=5)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    opened: list = []
    real = av.open
    monkeypatch.setattr(av, "open", lambda *a, **k: opened.append(a[0]) or real(*a, **k))
    try:
        for start in range(0, 20, 5):
            with open(path, "ab") as grown:
                grown.write(b"\0" * 64)
            assert levels(clip.frames(start, 5)) == [0, 1, 2, 3, 4]
        assert opened == []
        assert levels(clip.frames(20, 5)) == [0, 1, 2, 3, 4]
        assert clip.reload.ready.wait(30) and len(opened) == 1  # held still: read again once
        clip.frames(25, 5)
        clip.frames(30, 5)
        assert len(opened) == 1 and clip.reload is None
    finally:
        clip.close()


def test_a_clip_replaced_by_a_file_that_does_not_decode_plays_on_as_it_was(tmp_path):
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=4)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        clip.frames(0, 4)
        (tmp_path / "new.mp4").write_bytes(b"not a video")
        _moved_in(str(tmp_path / "new.mp4"), path)
        for start in (4, 8, 12):
            assert levels(clip.frames(start, 4)) == [0, 1, 2, 3]  # the frames it had
    finally:
        clip.close()


def test_a_clip_back_after_being_gone_a_while_plays_again(tmp_path):
    """Gone for a moment (a network drive dropping out, the file moved away and back), every frame read from the
    top failed and the clip held its last one: back as it was, it plays its frames again."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=40)  # longer than the frames kept: a loop reads from the top
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        for start in range(0, 40, 10):
            clip.frames(start, 10)
        os.replace(path, tmp_path / "away.mp4")
        clip.frames(40, 10)
        clip.frames(50, 10)
        os.replace(tmp_path / "away.mp4", path)
        clip.frames(60, 10)  # the block it is seen back in
        assert levels(clip.frames(80, 10)) == [i % 25 for i in range(0, 10)]  # frame i is level i mod 25
    finally:
        clip.close()


def test_a_bug_reloading_a_clip_is_said_as_vcams_not_as_the_new_file_not_decoding(tmp_path, monkeypatch):
    """A reload that broke on a bug in vcam's own code told the operator the new file "does not decode" and to
    export it again: a good export was blamed, and exporting it again never helped. The clip plays on as it was."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=4)
    said: list[str] = []
    inputs = InputSwitch(W, H, "stretch", said.append, fps=10)
    clip = inputs.open(f"file:{path}")

    def broken(self, clip):
        raise AttributeError("'NoneType' object has no attribute 'step_toward'")

    monkeypatch.setattr(clip_reload.Reload, "_follow", broken)
    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "good.mp4", 10, count=6), path)
        for start in (4, 8, 12):
            assert levels(clip.frames(start, 4)) == [0, 1, 2, 3]
            assert clip.reload is None or clip.reload.ready.wait(30)
        assert len(said) == 1 and "does not decode" not in said[0] and "export it again" not in said[0], said
        assert said[0].startswith("clip loop.mp4 could not be reloaded (AttributeError: 'NoneType' object has no "
                                  "attribute 'step_toward' (at vcam/live/inputs/clip_reload.py:"), said
        assert said[0].endswith("it plays on as it was"), said
    finally:
        clip.close()


def test_a_replacement_that_does_not_decode_is_said_once_and_the_next_good_one_reloaded(tmp_path):
    """Silently playing on as it was, the operator never learnt the export had not taken."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=4)
    said: list[str] = []
    inputs = InputSwitch(W, H, "stretch", said.append, fps=10)
    clip = inputs.open(f"file:{path}")
    try:
        clip.frames(0, 4)
        (tmp_path / "new.mp4").write_bytes(b"not a video")
        _moved_in(str(tmp_path / "new.mp4"), path)
        for start in (4, 8, 12):
            assert levels(clip.frames(start, 4)) == [0, 1, 2, 3]
            assert clip.reload is None or clip.reload.ready.wait(30)  # opened beside the show, said at the next
        assert len(said) == 1 and "\n" not in said[0]
        assert said[0].startswith("clip loop.mp4 was replaced by a file that does not decode")
        assert "plays on as it was" in said[0] and "export it again" in said[0]
        _moved_in(pyav_clip(tmp_path / "good.mp4", 10, count=6), path)
        clip.frames(16, 4)
        clip.frames(20, 4)
        assert clip.reload.ready.wait(30)
        clip.frames(24, 4)
        assert said[1:] == ["clip loop.mp4 reloaded: 6 frames at 10 fps"]
    finally:
        inputs.close()


@contextmanager
def _playing_saying(tmp_path):
    """A clip of 4 frames whose first block has played, and the list it says its lines into."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=4)
    said: list[str] = []
    clip = ClipSource(path, W, H, "stretch", fps=10, say=said.append)
    try:
        clip.frames(0, 4)
        yield clip, path, said
    finally:
        clip.close()


def test_a_clip_gone_is_said_once_and_back_as_it_was_said_back_not_reloaded(tmp_path):
    """Gone, a clip longer than the frames kept stuttered or froze with no word; back, it is not a new file."""
    with _playing_saying(tmp_path) as (clip, path, said):
        os.replace(path, tmp_path / "away.mp4")
        clip.frames(4, 4)
        clip.frames(8, 4)  # still gone: not said again
        assert said == [f"clip loop.mp4 is gone ({path} was deleted or moved, or its drive dropped out): it plays on "
                        "with the frames it kept, the last one held between them; put the file back (or mount its "
                        "drive again), or give another input"]
        os.replace(tmp_path / "away.mp4", path)
        clip.frames(12, 4)
        clip.frames(16, 4)
        assert said[1:] == ["clip loop.mp4 is back: it plays as before"]


def test_a_clip_gone_for_a_moment_only_is_not_said(tmp_path):
    """An editor's save that deletes the file and writes it again, or a network drive's blip: gone at one block
    and back at the next, it was said gone and back, two lines for nothing the operator need do."""
    with _playing_saying(tmp_path) as (clip, path, said):
        os.replace(path, tmp_path / "away.mp4")
        clip.frames(4, 4)
        os.replace(tmp_path / "away.mp4", path)
        for start in (8, 12, 16):
            clip.frames(start, 4)
        assert said == []


def test_a_replaced_clip_opens_beside_the_show_which_plays_on_until_it_is_ready(tmp_path, monkeypatch):
    """Opening the new file and decoding it from its top up to the show's frame took seconds for a long 1080p
    clip, in the show's own block. Here the opening is held until the test lets it go: the show's blocks come back
    meanwhile, with the clip as it was, and the new one plays from the block after it is ready."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=40)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    let_go = threading.Event()  # set by the finally if the test ends before it is held
    try:
        clip.frames(0, 40)
        let_go, opened_in = held_openings(monkeypatch)
        _moved_in(pyav_clip(tmp_path / "new.mp4", 20, count=40), path)  # twice as fast: frame 2n of it at n
        assert levels(clip.frames(40, 10)) == list(range(10))  # seen changed
        assert levels(clip.frames(50, 10)) == list(range(10, 20))  # held still: the reload starts, held
        assert levels(clip.frames(60, 10)) == list(range(20, 25)) + list(range(5))  # still held: as it was
        assert opened_in.held.wait(30) and threading.main_thread() not in opened_in
        let_go.set()
        assert clip.reload.ready.wait(30)
        assert levels(clip.frames(70, 5)) == [(2 * p % 40) % 25 for p in range(70, 75)]
        assert clip.length == 40 and clip.step == 2 and threading.main_thread() not in opened_in
    finally:
        let_go.set()
        clip.close()


def test_a_clip_written_again_while_it_reopens_plays_the_newest_file_said_once(tmp_path, monkeypatch):
    """Exported twice in a row: the file opened beside the show after the first export is dropped, and the one
    that holds still after the second is the one taken (and said)."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    said: list[str] = []
    clip = ClipSource(path, W, H, "stretch", fps=10, say=said.append)
    let_go = threading.Event()  # set by the finally if the test ends before it is held
    try:
        clip.frames(0, 8)
        let_go, _ = held_openings(monkeypatch)
        _moved_in(pyav_clip(tmp_path / "second.mp4", 10, count=5), path)
        clip.frames(8, 4)
        clip.frames(12, 4)  # held still: opened beside the show, held
        first_reload = clip.reload
        _moved_in(pyav_clip(tmp_path / "third.mp4", 10, count=3), path)
        assert levels(clip.frames(16, 4)) == [0, 1, 2, 3] and clip.reload is None  # written again: dropped
        clip.frames(20, 4)  # held still again: the newest opened
        assert clip.reload is not first_reload
        let_go.set()
        assert clip.reload.ready.wait(30)
        assert levels(clip.frames(24, 6)) == [0, 1, 2, 0, 1, 2] and clip.length == 3
        assert said == ["clip loop.mp4 reloaded: 3 frames at 10 fps"]
    finally:
        let_go.set()
        clip.close()


def test_offline_a_replaced_clip_is_taken_at_the_block_after_it_opens_however_slow_it_is(tmp_path, monkeypatch):
    """A render took the new file at the first block after its thread was ready, which depends on the machine:
    two renders of the same files could differ. Here the opening is held until the block waits for it."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    said: list[str] = []
    inputs = InputSwitch(W, H, "stretch", said.append, fps=10, offline=True)
    clip = inputs.open(f"file:{path}")
    let_go = held_reloads(monkeypatch)
    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "new.mp4", 10, count=3), path)
        assert levels(clip.frames(4, 4)) == [4, 5, 6, 7]  # seen changed
        assert levels(clip.frames(8, 4)) == [0, 1, 2, 3]  # held still: opened beside the render, held
        assert not let_go.is_set()
        assert levels(clip.frames(12, 4)) == [0, 1, 2, 0] and clip.length == 3  # 12 mod 3 = 0
        assert said == ["clip loop.mp4 reloaded: 3 frames at 10 fps"]
    finally:
        let_go.set()
        inputs.close()


WAITING = ("clip loop.mp4 was exported again: the render waits for the new file to open and decode up to the "
           "render's frame, up to 5 min (Ctrl-C stops the render here)")


@contextmanager
def _render_clip_reopening(tmp_path, monkeypatch, stop=None):
    """A render's 8-frame clip exported again as a 3-frame one, played until that file held still and its opening
    began (held through the render's first wait for it): yields the clip's path, the clip, what was said and the
    bound of each wait. `stop`: the render's stop request."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    said: list[str] = []
    inputs = InputSwitch(W, H, "stretch", said.append, fps=10, offline=True, stop=stop)
    clip = inputs.open(f"file:{path}")
    let_go, waits = slow_reloads(monkeypatch)
    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "new.mp4", 10, count=3), path)
        clip.frames(4, 4)  # seen changed
        clip.frames(8, 4)  # held still: opened beside the render, held
        yield path, clip, said, waits
    finally:
        let_go.set()
        inputs.close()


def test_offline_a_replaced_clip_waited_for_a_while_is_said_waited_for(tmp_path, monkeypatch):
    """A render waiting for a clip exported again said nothing for up to OFFLINE_WAIT_S: the operator saw a frozen
    render. Here the render's first wait runs out at once, as if OFFLINE_SAY_S had passed, and only then is the
    opening let go: one line says the render waits, and the clip comes in at the block it was waited for at."""
    with _render_clip_reopening(tmp_path, monkeypatch) as (_, clip, said, waits):
        assert said == []
        assert levels(clip.frames(12, 4)) == [0, 1, 2, 0] and clip.length == 3  # waited for, taken
        assert waits == [clip_module.OFFLINE_SAY_S, clip_module.OFFLINE_WAIT_S - clip_module.OFFLINE_SAY_S]
        assert said == [WAITING, "clip loop.mp4 reloaded: 3 frames at 10 fps"]


def test_offline_a_replaced_clip_is_not_waited_for_once_the_render_is_asked_to_stop(tmp_path, monkeypatch):
    """Ctrl-C (the render's stop request) before the block that waits for a clip exported again: that block waited
    for it all the same, up to minutes, before the render stopped. Here it plays the clip as it was, at once and
    saying nothing (the render stops after it)."""
    stop = threading.Event()
    with _render_clip_reopening(tmp_path, monkeypatch, stop) as (_, clip, said, waits):
        stop.set()
        assert levels(clip.frames(12, 4)) == [4, 5, 6, 7] and clip.length == 8  # not waited for
        assert waits == [] and said == [] and clip.reload is not None


def test_offline_a_replaced_clip_exported_again_while_it_opened_is_not_waited_for(tmp_path, monkeypatch):
    """A render waited (up to minutes, said) for the file that began opening, though another had been exported over
    it since, and took it, only to reload the newer one once it held still; a show drops it unwaited. Here the file
    is exported again while the first opening is held: that one is dropped, and the newer one waited for and taken
    once it holds still."""
    with _render_clip_reopening(tmp_path, monkeypatch) as (path, clip, said, waits):
        _moved_in(pyav_clip(tmp_path / "newer.mp4", 10, count=5), path)
        assert levels(clip.frames(12, 4)) == [4, 5, 6, 7] and clip.reload is None  # not waited for: dropped
        assert waits == [] and said == []
        clip.frames(16, 4)  # held still: opened beside the render, held
        assert levels(clip.frames(20, 4)) == [0, 1, 2, 3] and clip.length == 5  # waited for, taken
        assert said == [WAITING, "clip loop.mp4 reloaded: 5 frames at 10 fps"]


def test_offline_a_replaced_clip_that_never_opens_is_given_up_said_and_the_render_plays_on(tmp_path, monkeypatch):
    """A render waited for a clip exported again with no bound: a file that never opens (a pipe, a stalled network
    share) held the render for good. Here the opening is held and the render's wait runs out at once, as if its
    bound had passed: the render plays on the clip as it was, says so once, and waits no more."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    said: list[str] = []
    inputs = InputSwitch(W, H, "stretch", said.append, fps=10, offline=True)
    clip = inputs.open(f"file:{path}")
    let_go, _ = held_openings(monkeypatch)
    waits = []

    class RanOut(threading.Event):
        def wait(self, timeout=None):
            waits.append(timeout)
            return self.is_set()  # the opening is held: never set by then

    reloads_ready_as(monkeypatch, RanOut)
    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "new.mp4", 10, count=3), path)
        clip.frames(4, 4)  # seen changed
        clip.frames(8, 4)  # held still: opened beside the render, held
        assert levels(clip.frames(12, 4)) == [4, 5, 6, 7] and clip.reload is None  # waited for, given up
        assert waits == [clip_module.OFFLINE_SAY_S, clip_module.OFFLINE_WAIT_S - clip_module.OFFLINE_SAY_S]
        assert said == [WAITING,
                        f"clip loop.mp4: the file exported again over it did not open (and decode up to the render's "
                        f"frame) within {clip_module.OFFLINE_WAIT_S:g} s: the render goes on with the clip as it was; "
                        f"check that {path} is a video file that reads (not a pipe, not on a stalled share)"]
        assert levels(clip.frames(16, 4)) == [0, 1, 2, 3] and len(waits) == 2 and len(said) == 2
        let_go.set()
        assert clip_reload.stop_all(30)  # the dropped reload ends once its file opens
        assert clip.length == 8
    finally:
        let_go.set()
        inputs.close()


def _stuck_openings(monkeypatch) -> tuple[threading.Event, threading.Event, list]:
    """Holds the opening of a clip file in any thread but the main one until the second event returned is set,
    with no bound (the first is set once one is held); the list gathers the captures those openings made."""
    entered, let_go, opened = threading.Event(), threading.Event(), []
    real_first = clip_module._first

    def stuck_first(*args):
        if threading.current_thread() is threading.main_thread():
            return real_first(*args)
        entered.set()
        let_go.wait()
        made = real_first(*args)
        opened.append(made[0])
        return made

    monkeypatch.setattr(clip_module, "_first", stuck_first)
    return entered, let_go, opened


def test_an_input_switched_away_while_its_clip_reopens_does_not_wait_for_the_file_to_open(tmp_path, monkeypatch):
    """Closing a clip joined its reload still opening the file exported again: switching the input away (or the
    show's end) waited as long as that took, a second for a big MKV, for good on a stalled network share. Here the
    opening is held: the switch returns meanwhile, and once the file opens, the capture it made is released."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    inputs = InputSwitch(W, H, "stretch", fps=10)
    clip = inputs.open(f"file:{path}")
    entered, let_go, opened = _stuck_openings(monkeypatch)
    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "new.mp4", 10, count=3), path)
        clip.frames(4, 4)  # seen changed
        clip.frames(8, 4)  # held still: opened beside the show, held
        assert entered.wait(30)
        switch = threading.Thread(target=inputs.open, args=("none",))
        switch.start()
        switch.join(30)
        assert not switch.is_alive() and inputs.source is None and opened == []
        let_go.set()
        assert clip_reload.stop_all(30)
        assert len(opened) == 1 and not opened[0].isOpened()
    finally:
        let_go.set()
        inputs.close()


def test_the_process_ends_while_a_replaced_clip_still_opens(tmp_path):
    """A reload whose file never opens (a stalled network share) does not keep the process from ending once the
    show closed its clip."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    new = pyav_clip(tmp_path / "new.mp4", 10, count=3)
    code = """if True:
        import os, sys, threading
        from vcam.live.inputs import ClipSource
        from vcam.live.inputs import clip as clip_module

        entered, real_first = threading.Event(), clip_module._first

        def never_opens(*args):
            if threading.current_thread() is not threading.main_thread():
                entered.set()
                threading.Event().wait()
            return real_first(*args)

        clip_module._first = never_opens
        clip = ClipSource(sys.argv[1], 32, 24, "stretch", fps=10)
        clip.frames(0, 4)
        os.replace(sys.argv[2], sys.argv[1])
        clip.frames(4, 4)
        clip.frames(8, 4)
        assert entered.wait(60)
        clip.close()
        print("closed", flush=True)
    """
    done = subprocess.run([sys.executable, "-c", code, path, new], capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, "closed\n"), done.stderr


def _damaged_from(path: str, damaged: str, good: int) -> str:
    """`path` written again as `damaged` with its frames from `good` on bytes that do not decode."""
    return with_junk(path, damaged, lambda n: n >= good)


def test_a_replacement_that_stops_decoding_before_the_shows_frame_is_read_through_beside_the_show(tmp_path,
                                                                                                 monkeypatch):
    """A clip counted longer than it decodes (its last frames damaged) is read up to where it stops twice, from its
    top, before that tail holds its last good frame: the second time was left to the show's block, which waited as
    long as decoding the new clip up to there took."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=40)
    clip = ClipSource(path, W, H, "stretch", fps=10)
    try:
        clip.frames(0, 30)
        new = pyav_clip(tmp_path / "new.mp4", 10, count=20, options={"g": "1"})
        _moved_in(_damaged_from(new, str(tmp_path / "damaged.mp4"), good=10), path)
        clip.frames(30, 2)  # seen changed
        clip.frames(32, 2)  # held still: opened beside the show, aimed at 34, the new clip's frame 14
        assert clip.reload.ready.wait(30) and clip.reload.error is None
        opened_in = []
        real_opened = clip_module._opened
        monkeypatch.setattr(clip_module, "_opened", lambda *a: opened_in.append(threading.current_thread())
                            or real_opened(*a))
        clip.frames(34, 2)
        assert clip.length == 20 and clip.reload is None and opened_in == []
    finally:
        clip.close()


def test_a_reload_whose_thread_cannot_start_is_not_left_for_the_process_end(tmp_path, monkeypatch):
    """A reload was listed for the process's end before its thread started: one whose thread could not start (no
    threads left) stayed listed, and the end's wait for it raised (a thread not started cannot be joined)."""
    def no_thread(self):
        raise RuntimeError("can't start new thread")

    with monkeypatch.context() as patched:
        patched.setattr(threading.Thread, "start", no_thread)
        with pytest.raises(RuntimeError, match="can't start new thread"):
            clip_module.Reload(lambda: None, 0)
    assert clip_reload.stop_all(30)


def test_a_clip_whose_reload_thread_cannot_start_plays_on_as_it_was_said_once(tmp_path, monkeypatch):
    """A clip exported again while no thread could start (the process at its limit) raised "can't start new
    thread" out of the block's frames. Here no thread starts for two blocks: the clip plays on as it was, said
    once, and nothing is left for the process's end; once threads start again, the new file is taken."""
    path = pyav_clip(tmp_path / "loop.mp4", 10, count=8)
    said: list[str] = []
    clip = ClipSource(path, W, H, "stretch", fps=10, say=said.append)

    def no_thread(self):
        raise RuntimeError("can't start new thread")

    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "new.mp4", 10, count=3), path)
        clip.frames(4, 4)  # seen changed
        with monkeypatch.context() as patched:
            patched.setattr(threading.Thread, "start", no_thread)
            assert levels(clip.frames(8, 4)) == [0, 1, 2, 3]  # held still: its reload could not start
            assert levels(clip.frames(12, 4)) == [4, 5, 6, 7] and clip.reload is None
        assert clip_reload.stop_all(30)  # none listed that never started (joining one raises)
        assert said == ["clip loop.mp4 was exported again, but no thread could start to open it (can't start new "
                        "thread): it plays on as it was, the new file tried again at each block; vcam's process is "
                        "at its limit of threads or memory (ulimit -u; close other programs)"]
        clip.frames(16, 4)  # threads start again: opened beside the show
        assert clip.reload.ready.wait(30)
        assert levels(clip.frames(20, 4)) == [2, 0, 1, 2] and clip.length == 3  # 20 mod 3 = 2
        assert said[1:] == ["clip loop.mp4 reloaded: 3 frames at 10 fps"]
    finally:
        clip.close()


@pytest.mark.parametrize("rate, said", [((24000, 1001), "23.976"), ((120000, 1001), "119.88"), ((25, 1), "25")])
def test_a_reloaded_clip_says_its_rate_as_the_outputs_say_one(tmp_path, rate, said):
    """An NTSC clip's 24000/1001 was said as 23.98 fps and 120000/1001 as 119.9, where an output says 23.976 and
    119.88."""
    from fractions import Fraction

    path = pyav_clip(tmp_path / "loop.mp4", 10, count=4)
    lines: list[str] = []
    clip = ClipSource(path, W, H, "stretch", fps=10, say=lines.append)
    try:
        clip.frames(0, 4)
        _moved_in(pyav_clip(tmp_path / "new.mp4", Fraction(*rate), count=6), path)
        clip.frames(4, 4)
        clip.frames(8, 4)
        assert clip.reload.ready.wait(30)
        clip.frames(12, 4)
        assert lines == [f"clip loop.mp4 reloaded: 6 frames at {said} fps"]
    finally:
        clip.close()
