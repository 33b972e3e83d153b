"""Edges of the output workers, the preview window, file locks and writing a deleted file back that no other test
pinned: each test fails where the code is changed in the way its docstring says."""
from __future__ import annotations

import os
import platform
import stat
import sys
import tempfile
import threading

import numpy as np
import pytest

from helpers import wait_for
from vcam.errors import NoDisplayError, VcamError
from vcam.live.outputs import NoDisplay, OutputWorker, close_workers, open_outputs, parse_spec, report_outputs
from vcam.live.outputs import base
from vcam.live.outputs import preview
from vcam.live.outputs import worker as worker_module

FRAME = np.zeros((8, 8, 3), np.uint8)


class Gated:
    """An output busy with each frame until the test lets it through: `entered` is released as a frame is taken,
    `gate` lets one through. The frames it was given are in `ticks`, in order."""

    def __init__(self, name: str = "gated", every_gate: bool = True):
        self.name, self.ticks, self.closed = name, [], False
        self.entered, self.gate = threading.Semaphore(0), threading.Semaphore(0)
        self.open = threading.Event()  # set: no more waiting at the gate
        if not every_gate:
            self.open.set()

    def send(self, frame, tick):
        self.ticks.append(tick)
        self.entered.release()
        while not self.open.is_set():
            if self.gate.acquire(timeout=0.05):
                return

    def close(self):
        self.closed = True
        self.open.set()


def _ended(*workers: OutputWorker) -> None:
    """No worker thread left running, whatever the test did."""
    for w in workers:
        getattr(w.output, "open", threading.Event()).set()
        w._mailbox.close(drain=False)
        w._thread.join(60)


# --- the output workers ---------------------------------------------------------------------------------------------

def test_frames_skipped_before_a_window_waits_for_its_display_are_still_said_as_slowness():
    """Only the frames skipped while the output waited on its display are excused; `_excused` counting every frame
    dropped so far (not those since that send began) hid the output's own slowness before it from the end's line."""
    out = Gated("window")
    w = OutputWorker(out, 8, 8, queue=2, say=lambda text: None)
    try:
        w.offer(FRAME, 0)
        assert out.entered.acquire(timeout=60)
        for tick in range(1, 41):  # slow on its own: 38 dropped
            w.offer(FRAME, tick)
        out.awaits_display = True  # the next frame waits on the display
        out.gate.release()
        assert out.entered.acquire(timeout=60)  # frame 39 in hand, waiting on the display
        out.awaits_display = False
        for tick in range(41, 45):  # 3 more dropped meanwhile: excused
            w.offer(FRAME, tick)
        out.open.set()
        w.close(60)
    finally:
        _ended(w)
    assert out.ticks == [0, 39, 43, 44] and w.dropped == 41 and w.slow_drops == 38
    assert "38 frames dropped (it could not keep up)" in w.summary()


def _recording_dropping(now: list[float]) -> tuple[OutputWorker, Gated, list[str]]:
    said: list[str] = []
    out = Gated("take.mp4")
    return OutputWorker(out, 8, 8, queue=1, every_frame=True, say=said.append, clock=lambda: now[0]), out, said


def _drop(w: OutputWorker, out: Gated, ticks: range) -> None:
    """Frames offered while the output is busy with the one before: all but the last are dropped; then it takes
    the last."""
    assert out.entered.acquire(timeout=60)
    for tick in ticks:
        w.offer(FRAME, tick)
    out.gate.release()
    assert out.entered.acquire(timeout=60)
    out.gate.release()


def test_a_recording_that_drops_again_within_the_warning_interval_is_said_again_only_after_it():
    """The next warning waits DROP_WARNING_EVERY seconds from the last: with `+` turned to `-` every new drop was
    said at once."""
    now = [0.0]
    w, out, said = _recording_dropping(now)
    try:
        w.offer(FRAME, 0)
        _drop(w, out, range(1, 4))  # 2 dropped at 0 s
        assert wait_for(lambda: len(said) == 1, 60), said
        now[0] = worker_module.DROP_WARNING_EVERY - 1
        w.offer(FRAME, 4)
        _drop(w, out, range(5, 8))  # 2 more before the interval is over: not said yet
        w.offer(FRAME, 8)
        assert out.entered.acquire(timeout=60)  # 7 sent and its drops looked at: 8 in hand
        now[0] = worker_module.DROP_WARNING_EVERY + 1
        for tick in range(9, 11):  # 1 more past it: said as 8 is sent, with the new total
            w.offer(FRAME, tick)
        out.gate.release()
        out.open.set()
        w.close(60)
    finally:
        _ended(w)
    assert [line.split(": ", 1)[1] for line in said] == [
        "2 frames dropped: the recording skips them (a smaller size is faster: take.mp4@16x16)",
        "5 frames dropped: the recording skips them"]


def test_a_recording_that_stops_dropping_is_not_said_again_when_the_interval_has_passed():
    """Only new drops are news: with the count since the last warning turned to the whole count, the same drops were
    said again every DROP_WARNING_EVERY seconds, with nothing new dropped."""
    now = [0.0]
    w, out, said = _recording_dropping(now)
    try:
        w.offer(FRAME, 0)
        _drop(w, out, range(1, 3))
        assert wait_for(lambda: len(said) == 1, 60), said
        out.open.set()
        now[0] = 10 * worker_module.DROP_WARNING_EVERY
        for tick in range(3, 6):
            w.offer(FRAME, tick)
            assert wait_for(lambda: out.ticks[-1:] == [tick], 60)
        w.close(60)
    finally:
        _ended(w)
    assert len(said) == 1 and "1 frame dropped" in said[0]


@pytest.mark.parametrize("every_frame, what", [(True, "dropped: the recording skips them"), (False, "skipped")])
def test_the_warning_says_a_recording_loses_its_frames_and_a_camera_skips_them(every_frame, what):
    """A recording's dropped frames are missing from the take, a camera's are only skipped: with the condition
    turned, each said the other's words."""
    said = []
    out = Gated("out")
    w = OutputWorker(out, 8, 8, queue=1, every_frame=every_frame, say=said.append)
    try:
        w.offer(FRAME, 0)
        _drop(w, out, range(1, worker_module.LIVE_SKIPS_WORTH_SAYING + 2))
        assert wait_for(lambda: said, 60)
        out.open.set()
        w.close(60)
    finally:
        _ended(w)
    assert said[0] == f"output out cannot keep up: {worker_module.LIVE_SKIPS_WORTH_SAYING} frames {what} " \
                      "(a smaller size is faster: out@16x16)"


def test_one_dropped_frame_of_a_recording_and_a_seconds_worth_skipped_by_a_camera_are_worth_saying():
    """The thresholds are inclusive: with `>=` turned to `>`, a recording that lost one frame said nothing of it."""
    recording = OutputWorker(Gated(every_gate=False), 8, 8, every_frame=True)
    camera = OutputWorker(Gated(every_gate=False), 8, 8)
    try:
        assert recording.worth_saying(1) and not recording.worth_saying(0)
        assert camera.worth_saying(worker_module.LIVE_SKIPS_WORTH_SAYING)
        assert not camera.worth_saying(worker_module.LIVE_SKIPS_WORTH_SAYING - 1)
    finally:
        close_workers([recording, camera], 60)


def test_the_close_names_the_recordings_with_a_seconds_worth_still_to_write_and_no_live_output():
    """Catching up is said from FINISHING_WORTH_SAYING frames on, of recordings only: with `>=` turned to `>` a
    recording exactly that far behind was not said; without `every_frame` a camera's queue was named too."""
    said = []
    n = worker_module.FINISHING_WORTH_SAYING
    take, cam = Gated("take.mp4"), Gated("cam")
    recording = OutputWorker(take, 8, 8, queue=n + 5, every_frame=True, say=said.append)
    camera = OutputWorker(cam, 8, 8, queue=n + 5, say=said.append)
    try:
        for w, out in ((recording, take), (camera, cam)):
            w.offer(FRAME, 0)
            assert out.entered.acquire(timeout=60)
            for tick in range(1, n + 1):
                w.offer(FRAME, tick)
        closing = []

        def said_at_close(line):  # the line is said before the close waits: the outputs then catch up
            closing.append(line)
            take.open.set(), cam.open.set()

        close_workers([recording, camera], 60, say=said_at_close)
    finally:
        _ended(recording, camera)
    assert said == [] and closing == [f"finishing take.mp4: {n} frames still to write (up to 60 s, then the rest is "
                                      "dropped; Ctrl-C drops them now)"]
    assert take.ticks == list(range(n + 1))


def test_a_live_output_keeps_the_three_newest_frames_while_it_is_busy(monkeypatch):
    """open_outputs gives a camera or window a queue of 3: with 1, it skipped to the newest at once and a short
    stall lost frames a camera would have shown."""
    out = Gated("null")
    monkeypatch.setitem(base.OPENERS, "null", lambda spec, w, h, fps: out)
    [w] = open_outputs([parse_spec("null")], 8, 8, 30, "letterbox", say=lambda text: None)
    try:
        w.offer(FRAME, 0)
        assert out.entered.acquire(timeout=60)
        for tick in range(1, 6):
            w.offer(FRAME, tick)
        out.open.set()
        w.close(60)
    finally:
        _ended(w)
    assert out.ticks == [0, 3, 4, 5] and w.dropped == 2


def test_outputs_opened_before_one_that_cannot_open_are_closed_and_their_threads_end(monkeypatch):
    """A later output refused at the start closes those already opened: without it the first output stayed open, its
    thread waiting for frames that never came."""
    first = Gated("null", every_gate=False)
    opened = []

    def opener(spec, w, h, fps):
        opened.append(first)
        return first

    def refused(spec, w, h, fps):
        raise VcamError("cannot open the camera", "load v4l2loopback")

    monkeypatch.setitem(base.OPENERS, "null", opener)
    monkeypatch.setitem(base.OPENERS, "vcam", refused)
    started = []

    class Kept(OutputWorker):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(self)

    monkeypatch.setattr(worker_module, "OutputWorker", Kept)
    try:
        with pytest.raises(VcamError, match="cannot open the camera"):
            open_outputs([parse_spec("null"), parse_spec("vcam")], 8, 8, 30, "letterbox", say=lambda text: None)
        assert opened == [first] and len(started) == 1
        assert first.closed and not started[0]._thread.is_alive()
    finally:
        _ended(*started)


def test_each_output_is_opened_and_fitted_at_its_own_size(monkeypatch):
    """`null@32x24` beside the show's 64x48: opening every output at the show's size ignored the size given."""
    opened = []

    def opener(spec, w, h, fps):
        opened.append((w, h))
        return Gated("null", every_gate=False)

    monkeypatch.setitem(base.OPENERS, "null", opener)
    workers = open_outputs([parse_spec("null@32x24"), parse_spec("null")], 64, 48, 30, "letterbox",
                           say=lambda text: None)
    try:
        for w in workers:
            w.offer(np.zeros((48, 64, 3), np.uint8), 0)
        close_workers(workers, 60)
    finally:
        _ended(*workers)
    assert opened == [(32, 24), (64, 48)] and [w.size for w in workers] == [(32, 24), (64, 48)]


def test_a_recording_still_busy_after_leaving_at_once_says_its_end_may_be_missing():
    """Leaving at once (Ctrl-C again) gives a recording a moment for the frame in hand: one still busy after it is
    said as such, where not marking it closed said a recording stuck mid-frame as if it had ended well."""
    from vcam.live.outputs import leave_workers

    out = Gated("take.mp4")
    w = OutputWorker(out, 8, 8, queue=10, every_frame=True, say=lambda text: None)
    try:
        w.offer(FRAME, 0)
        assert out.entered.acquire(timeout=60)
        w.offer(FRAME, 1)
        leave_workers([w], 0.1)
        assert w.stuck and w.failed
        assert w.summary() == ("nothing recorded to take.mp4; 1 frame left unwritten (the show was stopped before "
                               "it was written); still busy when vcam stopped, so its end may be missing")
    finally:
        _ended(w)


class _LeftOutUnclosable:
    """A window whose display cannot be drawn on, and whose closing then fails."""

    name = "window"

    def send(self, frame, tick):
        raise NoDisplayError("the preview window cannot be drawn on display :9", "run where a desktop is")

    def close(self):
        raise RuntimeError("the window's toolkit broke")


def test_a_left_out_window_whose_close_fails_is_still_said_at_the_end():
    """A window left out is said once, as it goes; but its close failing is a failure, in the end's lines and the
    exit code: skipping every left-out window whatever else happened left the exit code's 'reason is above' with no
    reason above."""
    said = []
    w = OutputWorker(_LeftOutUnclosable(), 8, 8, say=said.append, no_display=NoDisplay.LEAVES_OUT)
    w.offer(FRAME, 0)
    w.close(60)
    end = []
    assert report_outputs([w], end.append) == 1
    assert end == ["output window: 0 frames sent; closing it FAILED: the window's toolkit broke",
                   "exiting with code 1: output window failed (the reason is above)"]


class Airing:
    """An output that notes what it is given: frames by their tick, and `went_on_air` as "on air"."""

    def __init__(self, refuses: VcamError | None = None):
        self.name, self.got, self.refuses = "airing", [], refuses

    def went_on_air(self):
        self.got.append("on air")
        if self.refuses is not None:
            raise self.refuses

    def send(self, frame, tick):
        self.got.append(tick)

    def close(self):
        pass


def test_an_output_is_told_once_as_the_show_goes_on_air_after_the_loading_card_and_before_the_shows_first_frame():
    """A camera looks at its device again as the show goes on air (another program may have begun writing to it
    while the model loaded): told at the card's first frame, it looked before the program had started."""
    out = Airing()
    w = OutputWorker(out, 8, 8, queue=10, say=lambda text: None)
    try:
        for tick, on_air in [(0, False), (1, False), (2, True), (3, True), (4, False)]:
            w.offer(FRAME, tick, on_air)
        wait_for(lambda: 4 in out.got)
    finally:
        _ended(w)
    assert out.got == [0, 1, "on air", 2, 3, 4]


def test_what_an_output_raises_as_the_show_goes_on_air_fails_it_with_its_message_and_fix():
    said = []
    out = Airing(VcamError("/dev/video10 is taken", "stop OBS's Virtual Camera"))
    w = OutputWorker(out, 8, 8, queue=10, say=said.append)
    try:
        w.offer(FRAME, 0, False)
        w.offer(FRAME, 1, True)
        w.offer(FRAME, 2, True)
        wait_for(lambda: w.error is not None)
    finally:
        _ended(w)
    assert out.got == [0, "on air"] and w.failed
    assert said == ["output airing failed and is stopped: /dev/video10 is taken; stop OBS's Virtual Camera; the show "
                    "goes on"]


# --- the preview window ---------------------------------------------------------------------------------------------

class _Cv2:
    """The show's own OpenCV, drawing nowhere: what it was asked to do is kept."""

    WINDOW_NORMAL, WINDOW_KEEPRATIO, WINDOW_GUI_NORMAL, COLOR_RGB2BGR = 0x0, 0x0, 0x10, 4  # OpenCV's own values
    WND_PROP_VISIBLE = 4
    error = RuntimeError

    def __init__(self):
        self.calls = []

    def getWindowProperty(self, title, prop):
        return 1.0

    def namedWindow(self, title, flags):
        self.calls.append("namedWindow")

    def resizeWindow(self, title, width, height):
        pass

    def cvtColor(self, frame, code):
        return frame

    def imshow(self, title, frame):
        self.calls.append("imshow")

    def waitKey(self, delay):
        return -1

    def destroyWindow(self, title):
        self.calls.append("destroyWindow")


# The probe's OpenCV: its window says the lines of VCAM_TEST_WORDS (| between them) on stderr and ends with
# VCAM_TEST_CODE; or, where VCAM_TEST_ANSWER is set, waits for that file (a display slow to answer), its process
# id first written to VCAM_TEST_ANSWER.pid
PROBE_CV2 = """
import os, sys, time
def namedWindow(*args):
    if os.environ.get("VCAM_TEST_ANSWER"):
        with open(os.environ["VCAM_TEST_ANSWER"] + ".pid", "w") as f:
            f.write(str(os.getpid()))
        while not os.path.exists(os.environ["VCAM_TEST_ANSWER"]):
            time.sleep(0.01)
        return
    words = os.environ.get("VCAM_TEST_WORDS", "")
    if words:
        sys.stderr.write(words.replace("|", "\\n") + "\\n")
        sys.stderr.flush()
    code = int(os.environ.get("VCAM_TEST_CODE", "0"))
    if code:
        os._exit(code)
def waitKey(*args):
    return -1
def destroyAllWindows():
    pass
"""


@pytest.fixture
def probed(monkeypatch, tmp_path):
    """A Linux on display :4713 whose probe runs PROBE_CV2, waited for in the show's start however long a busy
    machine takes; the show's own OpenCV is a _Cv2."""
    (tmp_path / "cv2").mkdir()
    (tmp_path / "cv2" / "__init__.py").write_text(PROBE_CV2)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("DISPLAY", ":4713")
    for name in ("VCAM_TEST_ANSWER", "VCAM_TEST_WORDS", "VCAM_TEST_CODE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(preview, "_has_gui", lambda cv2: True)
    monkeypatch.setattr(preview, "PROBE_OPEN_WAIT", 60.0)
    cv2 = _Cv2()
    monkeypatch.setitem(sys.modules, "cv2", cv2)
    return cv2


@pytest.mark.parametrize("words, code, why", [
    ("qt.qpa.plugin: no xinerama on this display|qt.qpa.xcb: could not connect to display :4713|Aborted", 1,
     "qt.qpa.xcb: could not connect to display :4713"),
    ("Gtk-WARNING: cannot open the theme|Gtk-ERROR: cannot open", 1, "Gtk-ERROR: cannot open"),
    ("", 3, "it ended with code 3"),
])
def test_a_probe_that_fails_is_said_by_its_line_about_the_display_else_its_last_line_else_its_code(
        probed, monkeypatch, words, code, why):
    """Qt's 'could not connect to display' line is the reason, even after another line naming the display; with no
    such line the last one is (an error follows its warnings); with no words, the probe's exit code: with any
    'display' line taken, the first line taken, or no fallback, the window was refused for a warning, or for ()."""
    monkeypatch.setenv("VCAM_TEST_WORDS", words)
    monkeypatch.setenv("VCAM_TEST_CODE", str(code))
    with pytest.raises(NoDisplayError) as err:
        preview.PreviewWindow(64, 48)
    assert err.value.message == f"the preview window cannot be drawn on display :4713 ({why})"


def test_a_probe_that_answered_is_not_kept_among_those_stopped_as_vcam_ends(probed):
    """A probe that has ended leaves the set stopped at exit: kept there, every window opened held its probe (and
    its file) until vcam ended."""
    before = set(preview._running)
    window = preview.PreviewWindow(64, 48)
    window.close()
    assert preview._running == before and "namedWindow" not in probed.calls


def test_vcam_ending_while_a_window_waits_for_its_display_draws_no_window(probed, monkeypatch, tmp_path):
    """The probe stopped as vcam ends answers that it was stopped: read as a display that answered, the window's
    thread went on to draw a window as the interpreter went down."""
    answer = tmp_path / "answer"
    monkeypatch.setenv("VCAM_TEST_ANSWER", str(answer))
    monkeypatch.setattr(preview, "PROBE_OPEN_WAIT", 0.2)
    monkeypatch.setattr(preview, "PROBE_TIMEOUT", 600.0)
    window = preview.PreviewWindow(64, 48)
    failed = []
    sending = threading.Thread(target=lambda: _send(window, failed))
    sending.start()
    try:
        assert wait_for((tmp_path / "answer.pid").exists, 60)
        preview._stop_running()  # what vcam's exit runs
        sending.join(60)
        assert not sending.is_alive() and failed == [] and probed.calls == []
    finally:
        answer.touch()  # a probe still waiting ends
        sending.join()
        window.close()


def _send(window, failed: list) -> None:
    try:
        window.send(np.zeros((48, 64, 3), np.uint8), 0)
    except Exception as e:
        failed.append(e)


def test_a_probe_that_cannot_start_leaves_no_file_open_and_the_window_opens(probed, monkeypatch):
    """A probe whose process cannot start (no memory for it) closes the file its words were to go to: without it,
    each such window left a file open for as long as vcam ran."""
    import subprocess

    made = []
    real = tempfile.TemporaryFile

    def kept(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    def refused(*args, **kwargs):
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(tempfile, "TemporaryFile", kept)
    monkeypatch.setattr(subprocess, "Popen", refused)
    window = preview.PreviewWindow(64, 48)
    try:
        window.send(np.zeros((48, 64, 3), np.uint8), 0)
    finally:
        window.close()
    assert len(made) == 1 and made[0].closed and probed.calls[:2] == ["namedWindow", "imshow"]


def test_a_wayland_display_alone_is_a_display(monkeypatch):
    """A Wayland desktop sets WAYLAND_DISPLAY and maybe no DISPLAY: reading DISPLAY only refused the window there."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(preview, "_has_gui", lambda cv2: True)
    monkeypatch.setattr(preview, "_start_probe", lambda: None)
    monkeypatch.setitem(sys.modules, "cv2", _Cv2())
    window = preview.PreviewWindow(64, 48)
    window.close()
    assert window.name == "window"
    assert "display wayland-0 (" in preview._cannot_draw("nothing there").message


@pytest.mark.parametrize("info, gui", [
    ("  GUI:                           QT5\n    QT:                          YES (ver 5.15.0 )\n", True),
    ("  GUI:                           GTK3\n", True),
    ("  GUI:                           NONE\n", False),
    ("  Video I/O:\n    FFMPEG:                      YES\n", False),
])
def test_opencv_has_windows_where_its_build_names_a_gui(info, gui):
    """The build information's GUI line says whether this OpenCV can draw windows: with the test turned, the
    headless build was taken for one that can, and a window build refused."""
    class Built:
        def getBuildInformation(self):
            return "General configuration for OpenCV 4.10.0\n" + info

    assert preview._has_gui(Built()) is gui


@pytest.mark.parametrize("drawn", [True, False])
def test_closing_a_window_destroys_it_only_where_it_was_drawn(monkeypatch, drawn):
    """A window is made at its first frame: with the test turned, closing one never drawn asked OpenCV to destroy a
    window that does not exist, and one drawn stayed on the screen."""
    cv2 = _Cv2()
    monkeypatch.setattr(platform, "system", lambda: "Windows")
    monkeypatch.setattr(preview, "_has_gui", lambda cv2: True)
    monkeypatch.setitem(sys.modules, "cv2", cv2)
    window = preview.PreviewWindow(64, 48)
    if drawn:
        window.send(np.zeros((48, 64, 3), np.uint8), 0)
    window.close()
    assert cv2.calls == (["namedWindow", "imshow", "destroyWindow"] if drawn else [])


# --- writing a deleted file back ------------------------------------------------------------------------------------

def _deleted(path, data: bytes = b"a take" * 100) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    path.unlink()
    return fd


@pytest.mark.skipif(os.name != "posix", reason="a file deleted while open stays readable on POSIX only")
def test_where_every_place_is_taken_the_error_names_both_names_in_the_files_folder(tmp_path, monkeypatch):
    """The take lost is said with why: both its name and NAME-recovered taken, the error names both, where naming
    the first only read as if the -recovered name had not been tried."""
    from vcam.writeback import write_back

    path = tmp_path / "takes" / "show.mp4"
    fd = _deleted(path)
    for taken in (path, tmp_path / "takes" / "show-recovered.mp4", tmp_path / "here" / "show-recovered.mp4",
                  tmp_path / "temp" / "show-recovered.mp4"):
        taken.parent.mkdir(exist_ok=True)
        taken.write_bytes(b"another file")
    monkeypatch.chdir(tmp_path / "here")
    monkeypatch.setattr(tempfile, "gettempdir", lambda: str(tmp_path / "temp"))
    try:
        with pytest.raises(FileExistsError) as err:
            write_back(fd, str(path))
    finally:
        os.close(fd)
    assert str(err.value) == f"{path} and {tmp_path / 'takes' / 'show-recovered.mp4'} exist"
    assert path.read_bytes() == b"another file"


@pytest.mark.skipif(os.name != "posix", reason="a file deleted while open stays readable on POSIX only")
def test_a_file_written_back_may_be_read_as_any_file_the_user_makes(tmp_path):
    """The copy is made with the mode of any new file (0o666 less the umask), as the recording's own file was: made
    owner-only, a take shared from a server's folder could no longer be played by the others."""
    from vcam.writeback import write_back

    mask = os.umask(0o022)
    os.umask(mask)
    path = tmp_path / "show.mp4"
    fd = _deleted(path)
    try:
        assert write_back(fd, str(path)) == str(path)
    finally:
        os.close(fd)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask and path.read_bytes() == b"a take" * 100


# --- file locks -----------------------------------------------------------------------------------------------------

def test_a_file_on_a_file_system_without_locks_is_not_said_to_be_another_shows(tmp_path, monkeypatch):
    """Where the file system has no locks (some network mounts), nothing can be told of another show: the file is
    taken as free. With the answer turned, every recording there was refused as 'another show is recording into
    it', and every control log there said to be on air."""
    import errno

    from vcam import filelock
    from vcam.live.outputs.recording import held_by_another

    if not filelock.available():
        pytest.skip("no file locks on this system")
    path = tmp_path / "take.mp4"
    path.write_bytes(b"an older take")

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(filelock.fcntl, "flock", no_locks)
    assert filelock.written_now(str(path)) is False and not held_by_another(str(path))
    with open(path, "rb+") as f:
        assert filelock.try_lock(f.fileno()) is None and filelock.take(f.fileno()) is True


@pytest.mark.skipif(os.name != "posix", reason="a file deleted while open stays readable on POSIX only")
def test_a_file_system_that_reads_short_still_gets_the_whole_file_written_back(tmp_path, monkeypatch):
    """A network or FUSE file system may answer a read with fewer bytes than asked: the next read starts where that
    one ended. Stepping by the size asked for skipped what it left, and the copy came back cut."""
    from vcam.writeback import write_back

    data = bytes(range(256)) * 40
    path = tmp_path / "show.mp4"
    fd = _deleted(path, data)
    real = os.pread
    monkeypatch.setattr(os, "pread", lambda fd, n, offset: real(fd, min(n, 1000), offset))
    try:
        assert write_back(fd, str(path)) == str(path)
    finally:
        os.close(fd)
    assert path.read_bytes() == data


def test_an_output_busy_past_the_close_with_nothing_waiting_is_not_said_to_drop_frames():
    """A camera or recording still on its last frame as the close timeout ends has no frame waiting: it was said as
    'dropping the 0 frames it has not taken yet', where nothing was dropped."""
    said = []
    out = Gated("vcam:/dev/video10")

    def say(line):  # the close has given up waiting: the frame in hand then comes back
        said.append(line)
        out.open.set()

    w = OutputWorker(out, 8, 8, say=say)
    try:
        w.offer(FRAME, 0)
        assert out.entered.acquire(timeout=60)
        w.close(0.1)
    finally:
        _ended(w)
    assert said == ["output vcam:/dev/video10 is still busy after 0.1 s: closing it"]
    assert out.ticks == [0] and out.closed and not w.failed and w.dropped == 0


def test_a_stopped_show_says_each_output_as_its_end_says_it_a_few_skips_not_blamed():
    """Stopped by Ctrl-C or SIGTERM with no other end line, null was said `0 frames sent; 3 frames dropped (it
    could not keep up)` (null is never behind) and a window's few opening skips were said, where any other end
    leaves them unsaid: the end and the stop say one line of each output."""
    from types import SimpleNamespace

    from vcam.live.onair import OnAir

    class Null(Gated):
        never_behind = True

    outs = [Null("null"), Gated("window")]
    workers = [OutputWorker(out, 8, 8, queue=1, say=lambda text: None) for out in outs]
    try:
        for w, out in zip(workers, outs):
            w.offer(FRAME, 0)
            _drop(w, out, range(1, 5))
            out.open.set()
        close_workers(workers, 60)
    finally:
        _ended(*workers)
    assert all(w.slow_drops == 3 for w in workers)
    ended: list[str] = []
    assert report_outputs(workers, ended.append) == 0 and ended == []
    stopped: list[str] = []
    air = SimpleNamespace(workers=workers, status=SimpleNamespace(message=stopped.append),
                          _say_closing=OnAir._say_closing)
    assert OnAir._report(air, True) == 0
    assert stopped == ["output null: 2 frames sent", "output window: 2 frames sent"], stopped
