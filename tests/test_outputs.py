"""Output specs, fitting frames into an output, worker threads, the preview window's errors."""
import errno
import os
import re
import threading

import numpy as np
import pytest

from helpers import wait_for
from vcam.errors import VcamError
from vcam.live.frames import card, fit
from vcam.live.outputs import OutputSpec, OutputWorker, parse_spec, report_outputs
from vcam.live.outputs.worker import LIVE_SKIPS_WORTH_SAYING
from vcam.words import quoted


@pytest.mark.parametrize("text,expected", [
    ("vcam", OutputSpec("vcam")),
    ("vcam:/dev/video10", OutputSpec("vcam", "/dev/video10")),
    ("file:show.mp4", OutputSpec("file", "show.mp4")),
    ("file:C:/shows/a.mp4@1280x720", OutputSpec("file", "C:/shows/a.mp4", 1280, 720)),
    ("window@640x360", OutputSpec("window", None, 640, 360)),
    ("null", OutputSpec("null")),
    ("file:show.mp4@1280X720", OutputSpec("file", "show.mp4", 1280, 720)),  # as --size 1280X720 is taken
    (" file:show.mp4 ", OutputSpec("file", "show.mp4")),  # spaces pasted round it, not the file's name
])
def test_specs(text, expected):
    assert parse_spec(text) == expected


@pytest.mark.parametrize("text", ["file:show.mp4@1280x72O", "vcam:/dev/video10@720p",
                                  "window@640×360", "file:show.mp4@1280x720x2", "file:show.mp4@",
                                  "file:show.mp4@hd", "vcam@"])
def test_a_mistyped_size_is_refused_not_taken_into_the_name(text):
    """file:show.mp4@1280x72O recorded into a file of that name, at the show's size."""
    # give @WIDTHxHEIGHT, or the size as meant (`window@640×360`: did you mean window@640x360?)
    with pytest.raises(ValueError, match="is not a size; (give @WIDTHxHEIGHT, e.g. |did you mean )"):
        parse_spec(text)


@pytest.mark.parametrize("text,meant", [("file: a.mp4", "file:a.mp4"), ("file:  a.mp4@640x360", "file:a.mp4@640x360"),
                                        ("vcam: /dev/video10", "vcam:/dev/video10")])
def test_a_space_after_the_colon_is_refused_with_the_output_meant(text, meant):
    """`--out "file: a.mp4"` recorded to a file named " a.mp4"; refused, naming the output meant."""
    with pytest.raises(ValueError, match=f"a space after the colon is read as part of the name; did you mean {meant}"):
        parse_spec(text)


def test_a_file_output_of_spaces_alone_needs_a_path_not_a_form_refused_in_turn():
    with pytest.raises(ValueError, match=r"needs a path: file:PATH.mp4"):
        parse_spec("file: @640x360")


@pytest.mark.parametrize("text,target", [("file:takes@2/show.mp4", "takes@2/show.mp4"),
                                         ("file:show@2x.mp4", "show@2x.mp4"), ("file:me@home", "me@home")])
def test_an_at_sign_in_a_path_is_kept(text, target):
    assert parse_spec(text) == OutputSpec("file", target)


def test_a_recording_in_the_home_folder_is_found_there(monkeypatch, tmp_path):
    """No shell expands the `~` of `--out file:~/show.mp4`: vcam does, instead of making a folder named `~`."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert parse_spec("file:~/takes/show.mp4@640x360") == OutputSpec("file", f"{tmp_path}/takes/show.mp4", 640, 360)


@pytest.mark.parametrize("text", ["hdmi", "file", "file:", "window:x", "vcam@0x0", "null@99999x2", ""])
def test_bad_specs(text):
    with pytest.raises(ValueError):
        parse_spec(text)


@pytest.mark.parametrize("text,meant", [
    ("show.mp4", "file:show.mp4"), ("takes/show.MP4@640x360", "file:takes/show.MP4@640x360"),
    ("/dev/video10", "vcam:/dev/video10"), ("fiel:show.mp4", "file:show.mp4"), ("windows", "window"),
    ("camera", "vcam"), ("webcam:/dev/video3", "vcam:/dev/video3"), ("Null", "null"),
    ("C:\\takes\\show.mp4", "file:C:\\takes\\show.mp4"),
    ("d:/takes/show.mp4@640x360", "file:d:/takes/show.mp4@640x360"),
    ("C:show.mp4", "file:C:show.mp4"), ("C://x.mp4", "file:C://x.mp4"), ("C:/x.mp4", "file:C:/x.mp4"),
    ("v:/dev/video2@640x360", "vcam:/dev/video2@640x360"),  # a slip of the keys before a device, not a drive
    ("C:/dev/videos/show.mp4", "file:C:/dev/videos/show.mp4"), ("/dev/videos/show.mp4", "file:/dev/videos/show.mp4"),
])
def test_an_output_written_another_way_is_answered_with_the_one_meant(text, meant):
    """`--out show.mp4`, `--out fiel:show.mp4` and `--out C:\\takes\\show.mp4` (its colon a drive's) were answered with
    the list of outputs alone; `C:show.mp4` (a path on drive C:) was too, and `C://x.mp4` was told vcam sends no
    network stream."""
    with pytest.raises(ValueError) as raised:
        parse_spec(text)
    assert str(raised.value).startswith(f"unknown output {quoted(text)}: did you mean {meant}? (use vcam, vcam:DEVICE")


@pytest.mark.parametrize("text", ["C:\\takes\\show.mp4", "window:C:\\takes", "file:C:\\takes\\show.mp4@hd"])
def test_a_windows_path_is_said_back_as_it_was_typed(text):
    """The path was said back with its backslashes doubled, beside the one meant written with single ones:
    `unknown output 'C:\\\\takes\\\\show.mp4': did you mean file:C:\\takes\\show.mp4?`."""
    with pytest.raises(ValueError) as raised:
        parse_spec(text)
    assert f"output '{text}'" in str(raised.value) and "\\\\" not in str(raised.value)


def test_a_stream_address_given_as_an_output_says_where_streaming_is_done():
    with pytest.raises(ValueError) as raised:
        parse_spec("rtmp://live.example.com/app/KEY")
    assert "vcam sends no network stream; give --out vcam and stream its camera from OBS" in str(raised.value)
    with pytest.raises(ValueError, match=r"^unknown output 'hdmi': use vcam, vcam:DEVICE"):  # nothing near it
        parse_spec("hdmi")


@pytest.mark.parametrize("text", ["n:x", "C:show.avi", "q:takes"])
def test_a_letter_and_a_colon_before_no_path_is_no_drive(text):
    """Only a recording's name or a path after a drive letter is taken for one: `n:x` is answered with the list
    of outputs, as it was before drive letters were read, not with `file:n:x`."""
    with pytest.raises(ValueError, match=rf"^unknown output '{text}': use vcam, vcam:DEVICE"):
        parse_spec(text)


def test_letterbox_keeps_everything_and_adds_bars():
    frame = np.full((48, 96, 3), 200, np.uint8)  # 2:1 into 1:1
    out = fit(frame, 64, 64, "letterbox")
    assert out.shape == (64, 64, 3)
    assert out[0, 32].tolist() == [0, 0, 0] and out[32, 32].tolist() == [200, 200, 200]


def test_crop_fills_the_frame():
    frame = np.zeros((48, 96, 3), np.uint8)
    frame[:, 40:56] = 255  # a bright band in the middle survives the crop
    out = fit(frame, 64, 64, "crop")
    assert out.shape == (64, 64, 3)
    assert out[0, 32].tolist() == [255, 255, 255] and out[0, 0].tolist() == [0, 0, 0]


def test_a_crop_into_a_larger_output_of_another_shape_makes_no_picture_larger_than_the_output(monkeypatch):
    """832x480 cropped into a vertical 2160x3840 camera was resized whole to 6656x3840 first, three quarters of it
    then cut away: several times the work of the output's own pixels, and the camera could not keep up."""
    import cv2

    sizes = []
    resize = cv2.resize
    monkeypatch.setattr(cv2, "resize", lambda src, dsize, **kw: sizes.append(dsize) or resize(src, dsize, **kw))
    frame = np.zeros((48, 96, 3), np.uint8)
    frame[:, 42:54] = 255  # a bright band in the middle, between the dark sides the crop keeps of it
    out = fit(frame, 36, 64, "crop")
    assert out.shape == (64, 36, 3) and all(w * h <= 36 * 64 for w, h in sizes), sizes
    assert out[:, 18].min() == 255 and out[:, 0].max() == 0 and out[:, -1].max() == 0
    whole = resize(frame, (128, 64), interpolation=cv2.INTER_LINEAR)  # the whole, then the cut: the same picture
    assert np.abs(out.astype(int) - whole[:, 46:82]).max() <= 1
    noise = np.random.default_rng(0).integers(0, 256, (48, 96, 3), dtype=np.uint8)
    whole = resize(noise, (128, 64), interpolation=cv2.INTER_LINEAR)
    assert np.abs(fit(noise, 36, 64, "crop").astype(int) - whole[:, 46:82]).max() <= 1


def test_a_crop_into_a_larger_output_on_opencv_4_is_the_resize_and_the_cut(monkeypatch):
    """OpenCV 4's warpAffine is slower than the resize and the cut, differs by up to 8 levels, and refuses a side of
    32767 pixels: there, the crop is made as before, to the pixel."""
    import cv2

    monkeypatch.setattr(cv2, "__version__", "4.13.0")
    noise = np.random.default_rng(1).integers(0, 256, (480, 832, 3), dtype=np.uint8)
    whole = cv2.resize(noise, (1920, 1108), interpolation=cv2.INTER_LINEAR)  # 832x480 scaled by 1920/832
    assert np.array_equal(fit(noise, 1920, 1080, "crop"), whole[14:1094])


def test_stretch_and_same_size():
    frame = np.zeros((48, 96, 3), np.uint8)
    assert fit(frame, 64, 64, "stretch").shape == (64, 64, 3)
    assert fit(frame, 96, 48) is frame


def test_card_has_text():
    img = card(320, 180, ["vcam", "loading..."])
    assert img.shape == (180, 320, 3) and img.max() > 200 and img[0, 0].tolist() == [16, 16, 16]


class GatedOutput:
    """An output busy with a frame until the test lets it through (a window being created, a slow disk): as slow
    as the test needs, on any machine. Every frame it was given is in `ticks`, in order."""
    name = "gated"

    def __init__(self, open_at_start=False):
        self.ticks, self.closed = [], False
        self.sending, self.gate = threading.Event(), threading.Event()
        if open_at_start:
            self.gate.set()

    def send(self, frame, tick):
        self.sending.set()
        assert self.gate.wait(60), "the test never let the frame through"
        self.ticks.append(tick)

    def close(self):
        self.closed = True


def test_a_slow_output_does_not_hold_up_the_others():
    slow, fast = GatedOutput(), GatedOutput(open_at_start=True)
    ws, wf = OutputWorker(slow, 8, 8, queue=1), OutputWorker(fast, 8, 8, queue=1)
    frame = np.zeros((8, 8, 3), np.uint8)
    ws.offer(frame, 0)
    assert slow.sending.wait(60)  # the slow output is busy with frame 0 until let through
    wf.offer(frame, 0)
    for tick in range(1, 30):
        assert wait_for(lambda: fast.ticks[-1:] == [tick - 1], 60), fast.ticks
        ws.offer(frame, tick)  # never waits for the slow output, or this would hang until its gate timed out
        wf.offer(frame, tick)
    assert slow.ticks == []  # it is still busy with its first frame: the fast one got all of them meanwhile
    slow.gate.set()
    ws.close(60), wf.close(60)
    assert fast.ticks == list(range(30)) and wf.dropped == 0
    assert slow.ticks == [0, 29] and ws.dropped == 28  # it got the newest frame; those between were skipped


def test_a_failing_output_is_stopped_and_reported(capsys):
    class Broken:
        name = "broken"

        def send(self, frame, tick):
            raise OSError("device unplugged")

        def close(self):
            pass

    w = OutputWorker(Broken(), 8, 8)
    w.offer(np.zeros((8, 8, 3), np.uint8), 0)
    w.close()
    assert isinstance(w.error, OSError)
    assert "output broken failed" in capsys.readouterr().err


def test_window_without_a_display(monkeypatch):
    from vcam.live.outputs.preview import PreviewWindow

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(VcamError) as err:
        PreviewWindow(64, 64)
    assert "display" in str(err.value)


def test_a_window_with_no_display_is_left_out_in_one_line_and_the_show_goes_on(monkeypatch, tmp_path):
    """The preview is the operator's: a show started over ssh or by a service, with the camera and a recording,
    was refused whole for the window it could not draw."""
    from vcam.live.outputs import close_workers, open_outputs

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    said = []
    workers = open_outputs([parse_spec("window"), parse_spec(f"file:{tmp_path / 'take.mp4'}")], 64, 48, 30,
                           "letterbox", say=said.append)
    try:
        assert [w.output.name for w in workers] == [f"file:{tmp_path / 'take.mp4'}"]
        assert len(said) == 1 and said[0].startswith("no preview window: no display for the preview window"), said
        assert said[0].endswith("; the show goes on without it") and "drop --out window" in said[0]
    finally:
        close_workers(workers)


@pytest.mark.parametrize("outs", [["window"], ["window", "window@32x24"], ["window", "null"]])
def test_a_window_with_no_display_and_nothing_else_to_show_on_is_still_the_shows_error(monkeypatch, outs):
    """Two windows, or a window and null, were both left out: the show went on showing nothing."""
    from vcam.live.outputs import open_outputs

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(VcamError, match="no display"):
        open_outputs([parse_spec(text) for text in outs], 64, 48, 30, "letterbox", say=print)


@pytest.mark.parametrize("outs", [["window"], ["window", "null"]])
def test_a_served_show_goes_on_without_a_window_it_cannot_open(monkeypatch, outs):
    """Under vcam serve the clients are the show's audience: a lone window with no display refused the whole show
    at its start, though the served show had viewers."""
    from vcam.live.outputs import close_workers, open_outputs

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    said = []
    workers = open_outputs([parse_spec(text) for text in outs], 64, 48, 30, "letterbox", say=said.append,
                           served=True)
    close_workers(workers)
    assert [w.output.name for w in workers] == [text for text in outs if text != "window"]
    assert len(said) == 1 and said[0].startswith("no preview window: no display"), said


# An OpenCV whose window, on a display it cannot connect to, aborts the process as the Qt build of opencv-python does
# (seen with opencv-python 4.10 and DISPLAY=:99, nothing there: "qt.qpa.xcb: could not connect to display :99",
# then SIGABRT); on any other display it opens.
ABORTING_CV2 = """
import os, sys
def namedWindow(*args):
    if os.environ.get("DISPLAY") == ":4711":
        sys.stderr.write("qt.qpa.xcb: could not connect to display :4711\\nAvailable platform plugins are: xcb.\\n")
        sys.stderr.flush()
        os.abort()
def waitKey(*args):
    return -1
def destroyAllWindows():
    pass
"""


@pytest.mark.parametrize("display, opens", [(":4711", False), (":0", True)])
def test_a_window_on_a_display_that_cannot_be_drawn_on_is_refused_before_it_aborts_the_show(
        monkeypatch, tmp_path, display, opens):
    """DISPLAY set, nothing there (a stale ssh session, a service): OpenCV's Qt aborted the whole process at the first
    frame, the camera and an unfinished recording with it."""
    import platform

    from vcam.live.outputs import preview

    (tmp_path / "cv2").mkdir()
    (tmp_path / "cv2" / "__init__.py").write_text(ABORTING_CV2)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(preview, "_has_gui", lambda cv2: True)
    # the probe's answer awaited in the show's start however long a busy machine takes to start it: past the
    # usual wait, an abort would be told only at the first frame, and the window taken for one that opens
    monkeypatch.setattr(preview, "PROBE_OPEN_WAIT", 60.0)
    if opens:
        assert preview.PreviewWindow(64, 64).name == "window"
        return
    with pytest.raises(VcamError) as err:
        preview.PreviewWindow(64, 64)
    assert err.value.message == ("the preview window cannot be drawn on display :4711 (qt.qpa.xcb: could not connect "
                                 "to display :4711)")
    assert "drop --out window" in err.value.fix


# An OpenCV whose window, on display :4712, waits for an X server that does not answer, until the file named by
# VCAM_TEST_ANSWER exists (an X server that answers late); it then says so in the file VCAM_TEST_ANSWERED. Its
# process id is in VCAM_TEST_ANSWERED.pid.
SLOW_CV2 = """
import os, time
def namedWindow(*args):
    if os.environ.get("DISPLAY") == ":4712":
        # made whole in one step: seen before its number was written, the tests killed the probe unseen, and read
        # an empty file for its number
        with open(os.environ["VCAM_TEST_ANSWERED"] + ".pid.part", "w") as f:
            f.write(str(os.getpid()))
        os.replace(os.environ["VCAM_TEST_ANSWERED"] + ".pid.part", os.environ["VCAM_TEST_ANSWERED"] + ".pid")
        while not os.path.exists(os.environ["VCAM_TEST_ANSWER"]):
            time.sleep(0.01)
        open(os.environ["VCAM_TEST_ANSWERED"], "w").close()
def waitKey(*args):
    return -1
def destroyAllWindows():
    pass
"""


class _DrawnCv2:
    """The show's own OpenCV, drawing nowhere: what it was asked to draw is kept."""

    # OpenCV's own values: Qt's toolbar and status bar are left out by WINDOW_GUI_NORMAL alone
    WINDOW_NORMAL, WINDOW_AUTOSIZE, WINDOW_KEEPRATIO, WINDOW_FREERATIO = 0x0, 0x1, 0x0, 0x100
    WINDOW_GUI_NORMAL, WINDOW_GUI_EXPANDED, COLOR_RGB2BGR = 0x10, 0x0, 4
    WND_PROP_VISIBLE = 4
    error = RuntimeError  # cv2.error's place

    def __init__(self):
        self.drawn = []
        self.flags = []
        self.destroyed = 0
        self.visible = [1.0]  # what getWindowProperty answers in turn; the last one from then on

    def getWindowProperty(self, title, prop):
        answer = self.visible[0] if len(self.visible) == 1 else self.visible.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    def namedWindow(self, title, flags):
        self.drawn.append("window")
        self.flags.append(flags)

    def resizeWindow(self, title, width, height):
        pass

    def cvtColor(self, frame, code):
        return frame

    def imshow(self, title, frame):
        self.drawn.append(frame.shape)

    def waitKey(self, delay):
        return -1

    def destroyWindow(self, title):
        self.destroyed += 1


@pytest.fixture
def slow_display(monkeypatch, tmp_path):
    """Display :4712, whose probe waits until tmp_path/answer exists; the show's OpenCV is a _DrawnCv2."""
    import platform
    import sys

    from vcam.live.outputs import preview

    (tmp_path / "cv2").mkdir()
    (tmp_path / "cv2" / "__init__.py").write_text(SLOW_CV2)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("DISPLAY", ":4712")
    monkeypatch.setenv("VCAM_TEST_ANSWER", str(tmp_path / "answer"))
    monkeypatch.setenv("VCAM_TEST_ANSWERED", str(tmp_path / "answered"))
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(preview, "_has_gui", lambda cv2: True)
    drawn = _DrawnCv2()
    monkeypatch.setitem(sys.modules, "cv2", drawn)
    monkeypatch.setattr(preview, "PROBE_OPEN_WAIT", 0.2, raising=False)
    return preview, drawn, tmp_path


def test_a_display_slow_to_answer_does_not_hold_up_the_shows_start_and_the_window_draws_once_it_answers(
        slow_display):
    """The show's outputs open before the camera's first frame: a display that had not answered held the camera
    (and the loading card) back for the probe's 20 s, and the window then opened without its answer."""
    preview, drawn, tmp_path = slow_display
    window = preview.PreviewWindow(64, 48)  # returns while the display has not answered
    try:
        (tmp_path / "answer").touch()
        window.send(np.zeros((48, 64, 3), np.uint8), 0)  # waits for the answer, on the window's own thread
        assert (tmp_path / "answered").exists() and drawn.drawn == ["window", (48, 64, 3)]
    finally:
        window.close()


def test_the_preview_window_shows_the_picture_alone_resizable_and_in_its_shape(slow_display):
    """OpenCV's Qt build (pip's opencv-python on Linux) put its toolbar and status bar inside the window's size: the
    picture was drawn a fifth smaller at 640x360, and not at all at the tiny model's 112x64."""
    preview, drawn, tmp_path = slow_display
    (tmp_path / "answer").touch()
    window = preview.PreviewWindow(112, 64)
    try:
        window.send(np.zeros((64, 112, 3), np.uint8), 0)
    finally:
        window.close()
    [flags] = drawn.flags
    assert flags & drawn.WINDOW_GUI_NORMAL  # no toolbar, no status bar
    assert not flags & (drawn.WINDOW_AUTOSIZE | drawn.WINDOW_FREERATIO)  # resizable, the picture kept in its shape


@pytest.mark.parametrize("gone", [0.0, -1.0, RuntimeError("NULL window")])
def test_a_preview_window_its_user_closed_stays_closed_and_the_show_goes_on(slow_display, gone):
    """Its title bar's close took the window away until the next new frame, which drew it again: it could not be
    closed while the show ran. Closed, it is neither drawn again nor destroyed a second time, and no error is said."""
    preview, drawn, tmp_path = slow_display
    (tmp_path / "answer").touch()
    drawn.visible = [-1.0, 1.0, 1.0, gone]  # being mapped, on screen, closed
    window = preview.PreviewWindow(64, 48)
    try:
        for tick in range(8):
            window.send(np.full((48, 64, 3), tick, np.uint8), tick)
    finally:
        window.close()
    assert drawn.drawn == ["window"] + [(48, 64, 3)] * 4 and drawn.destroyed == 0
    assert window.frames == 3 and "closed on air by its user" in window.note  # the end says so, and what it drew


@pytest.mark.parametrize("unknown", [-1.0, float("nan")])
def test_a_window_whose_opencv_never_says_it_is_on_screen_is_drawn_all_along(slow_display, unknown):
    """An OpenCV build that answers -1 (not known) for a window's visibility, or NaN (GTK's while the window is
    there): the window is not taken for closed."""
    preview, drawn, tmp_path = slow_display
    (tmp_path / "answer").touch()
    drawn.visible = [unknown]
    window = preview.PreviewWindow(64, 48)
    try:
        for tick in range(5):
            window.send(np.full((48, 64, 3), tick, np.uint8), tick)
    finally:
        window.close()
    assert drawn.drawn == ["window"] + [(48, 64, 3)] * 5 and drawn.destroyed == 1


def test_a_display_that_never_answers_stops_the_window_before_it_draws(slow_display, monkeypatch):
    """The window was opened anyway once the probe gave up: its thread then hung in OpenCV, and the show's end
    waited for it and said it stuck."""
    preview, drawn, tmp_path = slow_display
    window = preview.PreviewWindow(64, 48)
    try:
        # the probe is seen waiting on the display before its time runs out: on a busy machine its interpreter
        # could still be starting at 0.5 s, and then there was no waiting probe to look for
        assert wait_for((tmp_path / "answered.pid").exists, 60)
        monkeypatch.setattr(preview, "PROBE_TIMEOUT", 0.5)
        with pytest.raises(VcamError) as err:
            window.send(np.zeros((48, 64, 3), np.uint8), 0)
        assert err.value.message == "the preview window cannot be drawn on display :4712 (nothing answered there " \
                                    "in 0.5 s)"
        assert "drop --out window" in err.value.fix and drawn.drawn == []
    finally:
        window.close()
    with pytest.raises(ProcessLookupError):  # the probe is not left waiting on the display
        os.kill(int((tmp_path / "answered.pid").read_text()), 0)


# A Qt Widgets library as OpenCV's Qt build loads one: its application object aborts on display :4711 as Qt's does
# where it cannot connect, and is made without a word on any other
FAKE_QT = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
void make(void *self, int *argc, char **argv, int flags) __asm__("_ZN14QtOpenCVPython12QApplicationC1ERiPPci");
void make(void *self, int *argc, char **argv, int flags) {
    const char *display = getenv("DISPLAY");
    if (display && strcmp(display, ":4711") == 0) {
        fprintf(stderr, "qt.qpa.xcb: could not connect to display :4711\nAvailable platform plugins are: xcb.\n");
        fflush(stderr);
        abort();
    }
}
"""
# An OpenCV with that Qt loaded, whose first window makes Qt's application object, and whose window, where one
# is drawn, is kept in the file VCAM_TEST_DRAWN
QT_CV2 = """
import ctypes, os
qt = ctypes.CDLL(os.path.join(os.path.dirname(__file__), "libQt5Widgets.so"))
def namedWindow(*args):
    app, argc = ctypes.create_string_buffer(64), ctypes.c_int(1)
    qt["_ZN14QtOpenCVPython12QApplicationC1ERiPPci"](app, ctypes.byref(argc), None, 0)
    open(os.environ["VCAM_TEST_DRAWN"], "w").close()
def waitKey(*args):
    return -1
def destroyAllWindows():
    pass
"""


@pytest.mark.parametrize("display, opens", [(":4711", False), (":0", True)])
def test_the_probe_draws_no_window_on_a_display_that_answers_and_still_catches_one_that_aborts(
        monkeypatch, tmp_path, display, opens):
    """The probe opened and closed a window of its own: a small window flashed on the operator's desktop each time
    the preview opened."""
    import platform
    import shutil
    import subprocess

    from vcam.live.outputs import preview

    if shutil.which("cc") is None:
        pytest.skip("no C compiler to build a Qt library with")
    (tmp_path / "cv2").mkdir()
    (tmp_path / "qt.c").write_text(FAKE_QT)
    built = subprocess.run(["cc", "-shared", "-fPIC", "-o", str(tmp_path / "cv2" / "libQt5Widgets.so"),
                            str(tmp_path / "qt.c")], capture_output=True, text=True, timeout=120)
    if built.returncode != 0:  # a compiler without C's headers (no libc6-dev) builds nothing
        pytest.skip(f"the C compiler could not build a Qt library here: {built.stderr.strip()[-200:]}")
    (tmp_path / "cv2" / "__init__.py").write_text(QT_CV2)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    monkeypatch.setenv("DISPLAY", display)
    monkeypatch.setenv("VCAM_TEST_DRAWN", str(tmp_path / "drawn"))
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setattr(preview, "_has_gui", lambda cv2: True)
    # the probe's answer awaited in the show's start however long a busy machine takes to start it: past the
    # usual wait, an abort would be told only at the first frame, and the window taken for one that opens
    monkeypatch.setattr(preview, "PROBE_OPEN_WAIT", 60.0)
    if opens:
        assert preview.PreviewWindow(64, 64).name == "window"
    else:
        with pytest.raises(VcamError) as err:
            preview.PreviewWindow(64, 64)
        assert err.value.message == ("the preview window cannot be drawn on display :4711 (qt.qpa.xcb: could not "
                                     "connect to display :4711)")
    assert not (tmp_path / "drawn").exists()


def _probe_ended(tmp_path) -> bool:
    """Whether the probe of the slow display (its process id in tmp_path/answered.pid) is gone; where it is not,
    the display answers, so that it ends."""
    try:
        os.kill(int((tmp_path / "answered.pid").read_text()), 0)
    except ProcessLookupError:
        return True
    (tmp_path / "answer").touch()
    return False


def test_ctrl_c_while_the_shows_start_waits_for_the_display_stops_the_probe(slow_display, monkeypatch):
    """Ctrl-C in the wait left the probe waiting on the display, long after vcam had ended."""
    import _thread

    preview, drawn, tmp_path = slow_display
    monkeypatch.setattr(preview, "PROBE_OPEN_WAIT", 60.0)
    pressed = threading.Thread(target=lambda: wait_for((tmp_path / "answered.pid").exists) and _thread.interrupt_main())
    pressed.start()
    with pytest.raises(KeyboardInterrupt):
        try:
            preview.PreviewWindow(64, 48)
        finally:
            pressed.join()
    assert _probe_ended(tmp_path)


def test_closing_a_window_that_waits_for_the_display_stops_the_probe_and_draws_nothing(slow_display, monkeypatch):
    """The window's wait went on to its end after the show had closed it, the probe with it, and a second Ctrl-C
    then left the probe behind."""
    preview, drawn, tmp_path = slow_display
    monkeypatch.setattr(preview, "PROBE_TIMEOUT", 60.0)
    window = preview.PreviewWindow(64, 48)
    failed = []
    sending = threading.Thread(target=lambda: _sent(window, failed))
    sending.start()
    assert wait_for((tmp_path / "answered.pid").exists)
    window.close()
    sending.join(10)
    try:
        assert not sending.is_alive() and failed == [] and drawn.drawn == []
    finally:
        assert _probe_ended(tmp_path)
        sending.join()


def test_the_shows_end_while_a_window_waits_for_the_display_stops_the_probe_and_is_not_held_up(slow_display,
                                                                                                monkeypatch):
    """The window is closed on its own thread once its send returns: quitting while it waited for a display that
    hangs held the show's end for the close timeout and 10 s more, said the window was stuck, and left the probe
    waiting on the display."""
    from vcam.live.outputs import worker

    preview, drawn, tmp_path = slow_display
    monkeypatch.setattr(preview, "PROBE_TIMEOUT", 600.0)
    monkeypatch.setattr(worker, "FINISH_TIMEOUT", 1.0)  # where the wait is not ended, the test ends sooner
    said = []
    w = worker.OutputWorker(preview.PreviewWindow(64, 48), 64, 48, say=said.append)
    w.offer(np.zeros((48, 64, 3), np.uint8), 0)
    assert wait_for((tmp_path / "answered.pid").exists)
    w.offer(np.zeros((48, 64, 3), np.uint8), 1)
    try:
        worker.close_workers([w], timeout=10.0)
        assert said == [] and not w.failed and drawn.drawn == []
    finally:
        assert _probe_ended(tmp_path)


def test_a_display_that_never_answers_is_left_out_in_one_line_as_one_that_refuses_and_the_show_goes_on(
        slow_display, monkeypatch, tmp_path):
    """With a recording too, a display that never answered said its failure three times (as it came, in the end's
    line of the window, and as the exit code's reason) and made the show exit 1, where one that refuses at once is
    said in one line and the show goes on, exit 0."""
    from vcam.live.outputs import close_workers, open_outputs

    preview, drawn, _ = slow_display
    monkeypatch.setattr(preview, "PROBE_TIMEOUT", 0.5)
    said = []
    take = tmp_path / "take.mp4"
    workers = open_outputs([parse_spec("window"), parse_spec(f"file:{take}")], 64, 48, 30, "letterbox",
                           say=said.append)
    try:
        window = workers[0]
        for tick in range(3):
            for w in workers:
                w.offer(np.zeros((48, 64, 3), np.uint8), tick)
        assert wait_for(lambda: said, 60)
        for tick in range(3, 6):  # the show goes on, the recording with it
            for w in workers:
                w.offer(np.zeros((48, 64, 3), np.uint8), tick)
    finally:
        close_workers(workers)
    code = report_outputs(workers, said.append)
    assert said[0] == ("no preview window: the preview window cannot be drawn on display :4712 (nothing answered "
                       "there in 0.5 s); run where that desktop is on and this user may draw on it (ssh -X, or "
                       "DISPLAY=:0 on the machine's own desktop), or drop --out window; the show goes on without it")
    assert said[1:] == [f"recorded 6 frames to {take}"] and code == 0  # nothing more of the window, exit 0
    assert not window.failed and drawn.drawn == []


def test_the_frames_a_window_skips_while_its_display_is_slow_to_answer_are_not_said_as_slowness(slow_display,
                                                                                                 monkeypatch):
    """A display that answered after some seconds: the frames the window skipped meanwhile were said on air as
    'output window cannot keep up: N frames skipped (a smaller size is faster: ...)', and again at the end."""
    from vcam.live.outputs import worker

    preview, drawn, tmp_path = slow_display
    monkeypatch.setattr(preview, "PROBE_TIMEOUT", 600.0)
    waiting = threading.Event()

    class Watched(preview.PreviewWindow):
        def send(self, frame, tick):
            waiting.set()
            super().send(frame, tick)

    said = []
    w = worker.OutputWorker(Watched(64, 48), 64, 48, say=said.append)
    try:
        w.offer(np.zeros((48, 64, 3), np.uint8), 0)
        assert waiting.wait(60)
        for tick in range(1, 2 * LIVE_SKIPS_WORTH_SAYING):
            w.offer(np.zeros((48, 64, 3), np.uint8), tick)
        (tmp_path / "answer").touch()
        assert wait_for(lambda: len(drawn.drawn) >= 3, 60)  # the window, its first frame and the newest one
        w.offer(np.zeros((48, 64, 3), np.uint8), 2 * LIVE_SKIPS_WORTH_SAYING)
        w.close(10)
    finally:
        assert _probe_ended(tmp_path)
    assert w.dropped >= LIVE_SKIPS_WORTH_SAYING and said == []
    assert report_outputs([w], said.append) == 0 and said == []


def _sent(window, failed: list) -> None:
    try:
        window.send(np.zeros((48, 64, 3), np.uint8), 0)
    except Exception as e:
        failed.append(e)


# vcam with a window waiting for display :4712 on the window's thread, ending once the probe has started
ENDING = """
import os, threading, numpy as np
from helpers import wait_for
from vcam.live.outputs import preview
preview.PROBE_OPEN_WAIT = 0.2
preview._has_gui = lambda cv2: True
window = preview.PreviewWindow(64, 48)
threading.Thread(target=window.send, args=(np.zeros((48, 64, 3), np.uint8), 0), daemon=True).start()
assert wait_for(lambda: os.path.exists(os.environ["VCAM_TEST_ANSWERED"] + ".pid"))
"""


def test_vcam_ending_while_a_window_waits_for_the_display_stops_the_probe(slow_display):
    """A second Ctrl-C ended vcam with the window's thread still waiting: the probe went on waiting on the display
    for as long as it hung."""
    import subprocess
    import sys

    preview, drawn, tmp_path = slow_display
    tests = os.path.dirname(os.path.abspath(__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([os.environ["PYTHONPATH"], tests, os.getcwd()])}
    subprocess.run([sys.executable, "-c", ENDING], env=env, check=True, timeout=60)
    assert _probe_ended(tmp_path)


def test_window_with_headless_opencv(monkeypatch):
    """pip installs opencv-python beside the headless build, both over the same cv2 folder: the fix removes the
    headless one (and a window build installed over it, whose files that removal would break) before installing."""
    import platform
    import shlex

    import vcam.live.outputs.preview as preview

    monkeypatch.setattr(preview, "_has_gui", lambda cv2: False)  # the headless build, whichever this machine has
    monkeypatch.setattr(platform, "system", lambda: "Linux")
    monkeypatch.setenv("DISPLAY", ":99")
    with pytest.raises(VcamError) as err:
        preview.PreviewWindow(64, 64)
    line = err.value.fix.split(", or ")[0]
    first, then = (shlex.split(part) for part in line.split(" && "))
    assert first[:3] == ["pip", "uninstall", "-y"] and {"opencv-python-headless", "opencv-python"} <= set(first)
    assert then == ["pip", "install", "opencv-python"]


def test_a_recording_that_falls_behind_is_still_closed_and_says_what_it_dropped():
    slow, said = GatedOutput(), []

    def say(text):
        said.append(text)
        if "still busy" in text:  # past the close deadline: it finishes the frame in hand
            slow.gate.set()

    w = OutputWorker(slow, 8, 8, queue=120, every_frame=True, say=say)
    frame = np.zeros((8, 8, 3), np.uint8)
    w.offer(frame, 0)
    assert slow.sending.wait(60)
    for tick in range(1, 100):
        w.offer(frame, tick)
    w.close(timeout=1)
    assert slow.closed and not w.stuck  # the file would be complete
    assert slow.ticks == [0]
    assert w.dropped == 99  # every frame is either written or counted
    assert any(f"dropping the {w.dropped} frame" in s for s in said), said
    summary = w.summary()
    assert "recorded 1 frame " in summary and f"{w.dropped} frames dropped" in summary


@pytest.mark.parametrize("fps, size", [(240, (1920, 1080)), (120, (3840, 2160)), (30, (64, 48))])
def test_a_recording_falling_behind_holds_at_most_its_memory_budget_of_frames(tmp_path, fps, size):
    """A recording queued 4 s of camera frames however large: at 240 fps and 1920x1080 a slow disk held 6 GB."""
    from vcam.live.outputs import close_workers, open_outputs
    from vcam.live.outputs.worker import RECORDING_QUEUE_BYTES

    workers = open_outputs([parse_spec(f"file:{tmp_path / 'take.mp4'}@64x48")], *size, fps, "letterbox",
                           say=lambda text: None)
    try:
        held = workers[0]._mailbox._items.maxlen
        assert held * size[0] * size[1] * 3 <= RECORDING_QUEUE_BYTES
        assert held == fps * 4 or held * size[0] * size[1] * 3 > RECORDING_QUEUE_BYTES * 0.9  # the budget, used
    finally:
        close_workers(workers)


def test_dropping_frames_is_reported_at_once_then_rate_limited():
    now = [0.0]
    slow, said = GatedOutput(), []
    w = OutputWorker(slow, 640, 360, queue=2, every_frame=True, say=said.append, clock=lambda: now[0])
    frame = np.zeros((8, 8, 3), np.uint8)
    w.offer(frame, 0)
    assert slow.sending.wait(60)
    for tick in range(1, 20):
        w.offer(frame, tick)
    slow.gate.set()
    assert wait_for(lambda: len(slow.ticks) == 3, 60), slow.ticks  # 0, and the two the queue kept
    warnings = [s for s in said if "cannot keep up" in s]
    assert len(warnings) == 1 and "@320x180" in warnings[0]  # once, with a size that would keep up
    assert "17 frames" in warnings[0]
    slow.gate.clear(), slow.sending.clear()
    w.offer(frame, 20)
    assert slow.sending.wait(60)  # busy with frame 20
    now[0] = 31.0  # a while later, still dropping: reported again with the new total
    for tick in range(21, 40):
        w.offer(frame, tick)
    slow.gate.set()
    w.close(60)
    warnings = [s for s in said if "cannot keep up" in s]
    counts = [int(re.search(r"(\d+) frames?", s).group(1)) for s in warnings]
    assert len(warnings) == 2 and counts == [17, 34] and w.dropped == 34


def test_a_camera_skipping_a_few_frames_while_it_opens_is_not_reported():
    slow, said = GatedOutput(), []
    w = OutputWorker(slow, 64, 64, queue=2, say=said.append)  # a live output: the newest frame matters
    frame = np.zeros((8, 8, 3), np.uint8)
    w.offer(frame, 0)
    assert slow.sending.wait(60)  # a slow first frame (a window being created) makes it skip a few
    for tick in range(1, 8):
        w.offer(frame, tick)
    slow.gate.set()
    for tick in range(8, 20):
        assert wait_for(lambda: slow.ticks[-1:] == [tick - 1], 60), slow.ticks
        w.offer(frame, tick)
    w.close(60)
    assert w.dropped == 5 and slow.ticks == [0, 6, 7, *range(8, 20)]
    assert not [s for s in said if "cannot keep up" in s], said
    # one that keeps skipping is reported
    busy, said = GatedOutput(), []
    w = OutputWorker(busy, 64, 64, queue=2, say=said.append)
    w.offer(frame, 0)
    assert busy.sending.wait(60)
    for tick in range(1, 80):
        w.offer(frame, tick)
    busy.gate.set()
    w.close(60)
    assert w.dropped == 77 and [s for s in said if "cannot keep up" in s], said


def test_frames_skipped_while_the_loading_card_shows_are_not_said_as_falling_behind():
    """As the model loaded, the process was busy and the camera skipped loading cards: "output gated cannot keep up:
    N frames skipped" was said before the show began, and again at its end. Skips on air are still said, counted
    from then."""
    slow, said = GatedOutput(), []
    w = OutputWorker(slow, 64, 64, queue=2, say=said.append)
    frame = np.zeros((8, 8, 3), np.uint8)
    w.offer(frame, 0, on_air=False)
    assert slow.sending.wait(60)
    for tick in range(1, 80):  # the loading card, skipped while the camera was busy
        w.offer(frame, tick, on_air=False)
    slow.gate.set()
    assert wait_for(lambda: slow.ticks[-1:] == [79], 60), slow.ticks
    assert w.dropped == 77 and not [s for s in said if "cannot keep up" in s], said
    slow.gate.clear(), slow.sending.clear()
    w.offer(frame, 80)  # on air
    assert slow.sending.wait(60)
    for tick in range(81, 120):
        w.offer(frame, tick)
    slow.gate.set()
    w.close(60)
    warnings = [s for s in said if "cannot keep up" in s]
    assert len(warnings) == 1 and "37 frames skipped" in warnings[0], said
    assert w.slow_drops == 37


def test_a_show_that_never_went_on_air_says_no_loading_card_skips_at_its_end():
    """The model failed to load (or Ctrl-C as it loaded): the end said "77 frames dropped (it could not keep up)" of
    a camera that only skipped loading cards while the process was busy."""
    slow = GatedOutput()
    w = OutputWorker(slow, 64, 64, queue=2, say=lambda line: None)
    frame = np.zeros((8, 8, 3), np.uint8)
    w.offer(frame, 0, on_air=False)
    assert slow.sending.wait(60)
    for tick in range(1, 80):
        w.offer(frame, tick, on_air=False)
    slow.gate.set()
    w.close(60)
    assert w.dropped == 77 and w.slow_drops == 0
    assert "could not keep up" not in w.summary(), w.summary()


@pytest.mark.skipif(os.name == "nt", reason="a POSIX link")
def test_a_recording_through_a_file_or_a_dead_link_is_not_offered_mkdir(tmp_path):
    """`--out file:d/afile/x.mp4`, afile a file, or through a folder's link to a USB stick not mounted, was offered
    `mkdir -p`, which failed there as "File exists"."""
    from vcam.live.outputs.recording import check_path

    (tmp_path / "afile").write_bytes(b"")
    (tmp_path / "stick").symlink_to(tmp_path / "unmounted")
    with pytest.raises(VcamError) as err:
        check_path(str(tmp_path / "afile" / "sub" / "x.mp4"))
    assert err.value.message == (f"cannot record to {tmp_path / 'afile' / 'sub' / 'x.mp4'}: "
                                 f"{tmp_path / 'afile'} is a file, not a folder")
    assert "mkdir" not in err.value.fix
    with pytest.raises(VcamError) as err:
        check_path(str(tmp_path / "stick" / "x.mp4"))
    assert err.value.message == (f"cannot record to {tmp_path / 'stick' / 'x.mp4'}: {tmp_path / 'stick'} is a link to "
                              f"{tmp_path / 'unmounted'}, which is not there")
    assert "mkdir" not in err.value.fix and "mount" in err.value.fix


def test_no_window_on_macos_where_it_would_abort_the_show(monkeypatch):
    import platform

    from vcam.live.outputs.preview import PreviewWindow

    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    with pytest.raises(VcamError) as err:
        PreviewWindow(64, 64)
    assert "macOS" in err.value.message and "OBS" in err.value.fix


def test_the_null_output_never_says_it_cannot_keep_up():
    """Frames it skips come in bursts (late ticks caught up, a process starved by the model on the CPU): a smaller
    size would not help, and a slow show said so again and again. A slow camera is still reported (above)."""
    from vcam.live.outputs import NullOutput

    class Starved(NullOutput):  # its thread gets no time until the test says (a model busy on the CPU)
        def __init__(self):
            super().__init__()
            self.gated = GatedOutput()

        def send(self, frame, tick):
            self.gated.send(frame, tick)
            super().send(frame, tick)

    said, null = [], Starved()
    w = OutputWorker(null, 64, 64, queue=3, say=said.append)
    frame = np.zeros((64, 64, 3), np.uint8)
    w.offer(frame, 0)
    assert null.gated.sending.wait(60)
    for tick in range(1, 60):  # ticks that come late, all at once
        w.offer(frame, tick)
    null.gated.gate.set()
    w.close(60)
    assert null.frames == 4 and w.dropped == 56
    assert w.dropped >= LIVE_SKIPS_WORTH_SAYING  # it did skip frames
    assert not [s for s in said if "cannot keep up" in s], said
    assert report_outputs([w], said.append) == 0 and not [s for s in said if "dropped" in s], said


# --- the files a show writes --------------------------------------------------------------------------------------

def test_a_written_file_that_is_read_or_written_twice_is_refused_whatever_its_spelling(tmp_path, monkeypatch):
    from vcam.live.outputs.paths import Written, refuse_clashes

    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").write_text("presets: []\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "show.yaml")
    with pytest.raises(VcamError) as err:  # a relative path and a link to the same file
        refuse_clashes([Written("--out file:link.yaml", "link.yaml", "give --out another file")],
                       [("the show file", str(tmp_path / "show.yaml"))])
    assert err.value.message == f"--out file:link.yaml would write over the show file ({tmp_path / 'show.yaml'})"
    assert err.value.fix == "give --out another file"
    with pytest.raises(VcamError) as err:
        refuse_clashes([Written("--out file:a.mp4", "a.mp4", "give --out another file"),
                        Written("--log-controls ./a.mp4", "./a.mp4", "give --log-controls another file")], [])
    assert "--out file:a.mp4 and --log-controls ./a.mp4 would write the same file" in err.value.message
    assert "--log-controls another file" in err.value.fix
    refuse_clashes([Written("--out file:a.mp4", "a.mp4", "")], [("the show file", "show.yaml")])  # no clash


def test_a_read_file_its_words_name_already_is_said_once(tmp_path, monkeypatch):
    """`would write over the input (file:/x/show.mp4) (/x/show.mp4)` said the path twice; one typed otherwise is
    still said as the file it leads to."""
    from vcam.live.outputs.paths import Written, refuse_clashes

    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.mp4").write_bytes(b"")
    show = str(tmp_path / "show.mp4")
    for what in (f"the input (file:{show})", f"the clip --send file:{show} uploads"):
        with pytest.raises(VcamError) as err:
            refuse_clashes([Written("--out file:show.mp4", "show.mp4", "give --out another file")], [(what, show)])
        assert err.value.message == f"--out file:show.mp4 would write over {what}"
    with pytest.raises(VcamError) as err:
        refuse_clashes([Written("--out file:show.mp4", "show.mp4", "")], [("the input (file:show.mp4)", show)])
    assert err.value.message == f"--out file:show.mp4 would write over the input (file:show.mp4) ({show})"


def test_two_names_of_one_file_are_refused_as_one_file(tmp_path, monkeypatch):
    """A hard link (or a name in another case on a disk that ignores case) names the file another output writes:
    both recordings were opened, the second failed on air as "another show is recording into it now", and the end
    said the older file there was kept while the first take had replaced it."""
    from vcam.live.outputs.paths import Written, refuse_clashes

    monkeypatch.chdir(tmp_path)
    (tmp_path / "take.mp4").write_bytes(b"older take")
    os.link(tmp_path / "take.mp4", tmp_path / "again.mp4")
    with pytest.raises(VcamError) as err:
        refuse_clashes([Written("--out file:take.mp4", "take.mp4", "give --out another file"),
                        Written("--out file:again.mp4", "again.mp4", "give --out another file")], [])
    assert err.value.message == (f"--out file:take.mp4 and --out file:again.mp4 would write the same file "
                                 f"({tmp_path / 'take.mp4'} and {tmp_path / 'again.mp4'} are one file)")
    with pytest.raises(VcamError) as err:  # a file the show reads, linked under the recording's name
        refuse_clashes([Written("--out file:again.mp4", "again.mp4", "give --out another file")],
                       [("the clip", str(tmp_path / "take.mp4"))])
    assert err.value.message.startswith("--out file:again.mp4 would write over the clip")
    (tmp_path / "other.mp4").write_bytes(b"older take")  # the same bytes in another file: two files
    refuse_clashes([Written("--out file:take.mp4", "take.mp4", ""), Written("--out file:other.mp4", "other.mp4", "")],
                   [])


def test_two_files_on_a_disk_that_numbers_no_file_are_two_files(tmp_path, monkeypatch):
    """A file system whose files all have inode 0 (os.stat: st_ino identifies a file only where it is not 0, as on
    some network shares on Windows): two takes there were refused as one file."""
    from vcam.live.outputs import paths

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.mp4").write_bytes(b"older take")
    (tmp_path / "b.mp4").write_bytes(b"another take")
    real = os.stat

    def unnumbered(path, *args, **kwargs):
        st = real(path, *args, **kwargs)
        return os.stat_result((st.st_mode, 0, 0, *tuple(st)[3:]))

    monkeypatch.setattr(paths.os, "stat", unnumbered)
    paths.refuse_clashes([paths.Written("--out file:a.mp4", "a.mp4", ""),
                          paths.Written("--out file:b.mp4", "b.mp4", "")], [])
    with pytest.raises(VcamError):  # one name twice is still one file
        paths.refuse_clashes([paths.Written("--out file:a.mp4", "a.mp4", ""),
                              paths.Written("--out file:./a.mp4", "./a.mp4", "")], [])


def test_one_check_refuses_a_clash_before_a_bad_file_then_a_shared_camera_then_says_what_is_replaced(tmp_path,
                                                                                                      monkeypatch):
    from vcam.live.outputs.paths import Written, check_outputs
    from vcam.outspec import parse_spec

    monkeypatch.chdir(tmp_path)
    (tmp_path / "take.mp4").write_bytes(b"x" * 300)

    def check(outs: list[str], reads: list[tuple[str, str]] = ()) -> list[str]:
        specs = [parse_spec(text) for text in outs]
        said: list[str] = []
        check_outputs(specs, [Written(f"--out {s}", s.target, "give --out another file") for s in specs
                              if s.kind == "file"], reads, said.append)
        return said

    with pytest.raises(VcamError, match="would write over the show file"):  # said over the wrong extension
        check(["file:show.avi"], [("the show file", "show.avi")])
    with pytest.raises(VcamError, match="vcam records MP4 video"):
        check(["file:show.avi"])
    with pytest.raises(VcamError, match="would both write to the camera /dev/video10"):
        check(["file:take.mp4", "vcam:/dev/video10", "vcam:/dev/video10@640x360"])
    assert check(["file:take.mp4", "vcam:/dev/video10", "vcam:/dev/video11"]) == [
        f"will replace {tmp_path / 'take.mp4'} (0.3 kB) at the first frame recorded; Ctrl-C before then keeps it"]


def test_two_outputs_on_one_camera_are_named_where_each_came_from_with_the_fix_there():
    """A show file's out: entries were said as --out VALUE, which the operator had not given."""
    from vcam.live.outputs.paths import Written, check_outputs
    from vcam.outspec import parse_spec

    specs = [parse_spec("vcam:/dev/video10"), parse_spec("vcam:/dev/video10@640x360")]
    with pytest.raises(VcamError) as err:
        check_outputs(specs, [], [])
    assert err.value.message == ("--out vcam:/dev/video10 and --out vcam:/dev/video10@640x360 would both write to "
                                 "the camera /dev/video10")
    assert err.value.fix.startswith("give --out another device: a camera device takes one stream")

    def in_show(spec):
        return Written(f"the output {spec} of show.yaml", spec.target, "change the output's out: path in show.yaml")

    with pytest.raises(VcamError) as err:
        check_outputs(specs, [], [], named=in_show)
    assert err.value.message == ("the output vcam:/dev/video10 of show.yaml and the output vcam:/dev/video10@640x360 "
                                 "of show.yaml would both write to the camera /dev/video10")
    assert err.value.fix.startswith("change the output's out: path in show.yaml: a camera device takes one stream")


def test_replacing_an_older_file_is_said_with_its_whole_path_and_size(tmp_path, monkeypatch):
    """Said as what will happen: a recording's file is replaced at its first frame, a log's as the show goes on
    air."""
    from vcam.live.outputs.paths import will_replace

    monkeypatch.chdir(tmp_path)
    (tmp_path / "take.mp4").write_bytes(b"x" * 3_400_000)
    (tmp_path / "log.jsonl").write_bytes(b"x" * 2_000)
    assert will_replace("take.mp4") == (f"will replace {tmp_path / 'take.mp4'} (3.4 MB) at the first frame "
                                        "recorded; Ctrl-C before then keeps it")
    assert will_replace("log.jsonl", "as the show goes on air") == (
        f"will replace {tmp_path / 'log.jsonl'} (2.0 kB) as the show goes on air; Ctrl-C before then keeps it")
    assert will_replace("new.mp4") is None and will_replace(str(tmp_path)) is None


@pytest.mark.parametrize("size, said", [(99_960, "0.1 MB"), (99_949, "99.9 kB"), (100, "0.1 kB"), (10, "10 bytes"),
                                        (0, "0 bytes")])
def test_an_older_files_size_is_said_as_a_download_size_is(tmp_path, size, said):
    """A file just under a tenth of a megabyte read "100.0 kB" where a download of its size reads "0.1 MB"."""
    from vcam.live.outputs.paths import will_replace

    (tmp_path / "take.mp4").write_bytes(b"x" * size)
    assert will_replace(str(tmp_path / "take.mp4")) == (f"will replace {tmp_path / 'take.mp4'} ({said}) at the first "
                                                        "frame recorded; Ctrl-C before then keeps it")


# What the start says of a recording to /dev/stdout, with stdout sent where the test says, and whether the take's
# end would say an older file there is kept
SAID_OF_STDOUT = """
import sys
from vcam.live.outputs.paths import will_replace
from vcam.live.outputs.recording import Recording
rec = Recording("/dev/stdout", 64, 48, 30.0)
print(repr(will_replace("/dev/stdout")), rec.kept_older, file=sys.stderr)
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="/dev/stdout names a descriptor through Linux's /proc")
@pytest.mark.parametrize("held", [b"", b"x" * 300])
def test_a_recording_to_stdout_sent_to_a_file_names_that_file_where_it_holds_something(tmp_path, held):
    """`--out file:/dev/stdout > take.mp4` said "will replace /dev/stdout (0 bytes)": the shell had made the file
    new, nothing was left to replace, and the file written was take.mp4. Sent with >> onto an older take, that take
    is replaced, and said by its own name."""
    import subprocess
    import sys

    take = tmp_path / "take.mp4"
    take.write_bytes(held)
    with open(take, "ab") as out:
        done = subprocess.run([sys.executable, "-c", SAID_OF_STDOUT], stdout=out, stderr=subprocess.PIPE, text=True,
                              check=True, timeout=60)
    if not held:
        assert done.stderr.strip() == "None False"
    else:
        assert done.stderr.strip() == (f"'will replace {take} (0.3 kB, where /dev/stdout leads) at the first frame "
                                       "recorded; Ctrl-C before then keeps it' True")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="/dev/stdout names a descriptor through Linux's /proc")
def test_a_recording_to_stdout_sent_to_a_pipe_says_nothing_is_replaced(tmp_path):
    """A pipe (`| ffplay -`) is written into, never replaced."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", SAID_OF_STDOUT], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=True, timeout=60)
    assert done.stderr.strip() == "None False"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="a descriptor's name leads through Linux's /proc")
@pytest.mark.parametrize("held", [b"", b"x" * 300])
def test_a_link_to_a_link_to_stdout_names_the_file_stdout_was_sent_to(tmp_path, held):
    """`--out file:take.mp4` with take.mp4 a link to /dev/stdout (itself a link to /proc/self/fd/1): only the first
    link was read, so the start said "will replace take.mp4 (0 bytes)" of the file `>` had just made empty."""
    from vcam.live.outputs.paths import will_replace

    sent = tmp_path / "sent.mp4"
    sent.write_bytes(held)
    fd = os.open(sent, os.O_WRONLY | os.O_APPEND)
    try:
        stdout = tmp_path / "stdout"  # as /dev/stdout is: a name for the descriptor
        stdout.symlink_to(f"/proc/self/fd/{fd}")
        (tmp_path / "links").mkdir()
        (tmp_path / "links" / "out").symlink_to("../stdout")  # relative, from the folder the link is in
        take = tmp_path / "take.mp4"
        take.symlink_to(tmp_path / "links" / "out")
        said = will_replace(str(take))
    finally:
        os.close(fd)
    assert said == (None if not held else f"will replace {sent} (0.3 kB, where {take} leads) at the first frame "
                                          "recorded; Ctrl-C before then keeps it")


def test_a_loop_of_links_names_no_descriptor_and_no_file_to_replace(tmp_path):
    """Links are followed one by one towards /proc: a loop of them is given up on, as the system gives it up, not
    followed for ever (a guard: it holds no user-facing change)."""
    from vcam.targets import names_a_descriptor, replaced_file

    (tmp_path / "a.mp4").symlink_to(tmp_path / "b.mp4")
    (tmp_path / "b.mp4").symlink_to(tmp_path / "a.mp4")
    assert not names_a_descriptor(str(tmp_path / "a.mp4")) and replaced_file(str(tmp_path / "a.mp4")) is None


def test_a_recording_to_a_loop_of_links_is_refused_at_the_start(tmp_path, monkeypatch):
    """`ln -s b.mp4 a.mp4; ln -s a.mp4 b.mp4`, `--out file:a.mp4` passed the start and failed on air with a bare
    "[Errno 40] Too many levels of symbolic links"."""
    from vcam.live.outputs.recording import check_path

    monkeypatch.chdir(tmp_path)
    os.symlink("b.mp4", "a.mp4")
    os.symlink("a.mp4", "b.mp4")
    with pytest.raises(VcamError) as err:
        check_path("a.mp4")
    assert err.value.message == (f"cannot record to a.mp4: its links lead round in a loop (a.mp4 -> {tmp_path}/b.mp4 "
                                 f"-> {tmp_path}/a.mp4)")
    assert err.value.fix == "remove a.mp4 and name the file to record to, or pick another path"


# What the end of a show says of a recording to /dev/stdout (argv[1]: the frames sent), with stdout sent where the
# test says
END_OF_STDOUT = """
import sys
import numpy as np
from vcam.live.outputs.recording import Recording
from vcam.live.outputs.worker import OutputWorker
worker = OutputWorker(Recording("/dev/stdout", 64, 48, 30.0), 64, 48, queue=8, every_frame=True, say=print)
for tick in range(int(sys.argv[1])):
    worker.offer(np.zeros((48, 64, 3), np.uint8), tick)
worker.close()
print(worker.summary(), file=sys.stderr)
"""


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="/dev/stdout names a descriptor through Linux's /proc")
@pytest.mark.parametrize("frames, held, said", [(3, b"", "recorded 3 frames to {take}"),
                                                (0, b"x" * 300, "nothing recorded to {take} (the older file there "
                                                                "is kept as it was)")])
def test_the_end_names_the_file_stdout_was_sent_to(tmp_path, frames, held, said):
    """`--out file:/dev/stdout > take.mp4` ended "recorded 3 frames to /dev/stdout", and a show that never went on
    air said the older take "kept" at /dev/stdout, where the start had named take.mp4."""
    import subprocess
    import sys

    take = tmp_path / "take.mp4"
    take.write_bytes(held)
    with open(take, "ab") as out:
        done = subprocess.run([sys.executable, "-c", END_OF_STDOUT, str(frames)], stdout=out, stderr=subprocess.PIPE,
                              text=True, check=True, timeout=60)
    assert done.stderr.strip() == said.format(take=take)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="/dev/stdout names a descriptor through Linux's /proc")
def test_the_end_of_a_recording_piped_on_says_standard_output():
    """`--out file:/dev/stdout | ffplay -` ended "recorded 3 frames to /dev/stdout": a name for no file."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", END_OF_STDOUT, "3"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          check=True, timeout=60)
    assert done.stderr.decode().strip() == "recorded 3 frames to standard output"
    assert done.stdout.startswith(b"\x00\x00\x00") and b"ftyp" in done.stdout[:16]  # the take, read as it came


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="/dev/stdout names a descriptor through Linux's /proc")
def test_a_recording_to_stdout_sent_to_dev_null_says_dev_null_and_one_to_stderr_says_standard_error():
    """`--out file:/dev/stdout > /dev/null` ended "recorded 3 frames to standard output", and a name for stderr
    piped as stdout was (both pipes) was said "standard output" too."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", END_OF_STDOUT, "3"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=True, timeout=60)
    assert done.stderr.strip() == "recorded 3 frames to /dev/null"
    said = ("import sys\nfrom vcam.targets import said_name\n"
            "print(said_name('/dev/stderr'), said_name('/dev/fd/2'), said_name('/dev/stdout'), sep='|')")
    done = subprocess.run([sys.executable, "-c", said], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          check=True, timeout=60)
    assert done.stdout.strip() == "standard error|standard error|standard output"


def test_a_fix_naming_a_path_with_a_space_can_be_typed_as_said(tmp_path, monkeypatch):
    """`ffmpeg -i my take.mp4 my take.avi` and `use file:my take.mp4@100x76`, pasted as said, split the path in two."""
    from vcam.live.outputs.recording import Recording
    from vcam.outspec import check_recording_name

    monkeypatch.chdir(tmp_path)
    with pytest.raises(VcamError) as err:
        check_recording_name("my take.avi")
    assert err.value.fix == ("use 'file:my take.mp4', then convert it if .avi is needed: "
                             "ffmpeg -i 'my take.mp4' 'my take.avi'")
    with pytest.raises(VcamError) as err:
        Recording("my take.mp4", 101, 77, 30.0)
    assert err.value.fix == "use 'file:my take.mp4@100x76'"
    with pytest.raises(VcamError) as err:
        check_recording_name("take.avi")  # a name a shell takes as it is stays bare
    assert err.value.fix == "use file:take.mp4, then convert it if .avi is needed: ffmpeg -i take.mp4 take.avi"


def test_a_recording_named_minus_is_refused_with_standard_outputs_name(tmp_path, monkeypatch):
    """`--out file:-` made a file named - in the current folder, and a player piped to vcam waited for a stream that
    never came."""
    from vcam.live.outputs.recording import check_path

    monkeypatch.chdir(tmp_path)
    with pytest.raises(VcamError) as err:
        check_path("-")
    assert "file:/dev/stdout" in err.value.fix and "file:show.mp4" in err.value.fix
    assert not (tmp_path / "-").exists()
    with pytest.raises(VcamError, match=r"cannot record to \./-: vcam records MP4 video, and a name without \.mp4"):
        check_path("./-")  # a file named so, said as a path: no standard output, but a name without .mp4
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # a folder this user may not write (root may)
    with pytest.raises(VcamError, match="cannot record to -: vcam takes it for a file named -"):
        check_path("-")  # standard output's line, not "folder … is not writable"


def test_a_show_file_recording_to_minus_is_refused_with_a_file_named_minus_there(tmp_path):
    """`out: [file:-]` passed the show's check where a file named - was there already, which an earlier run made."""
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "-").touch()
    show = tmp_path / "show.yaml"
    show.write_text("output: {out: [file:-]}\npresets:\n  - {name: a, prompt: x}\n")
    with pytest.raises(ConfigError) as err:
        load_show(str(show))
    assert "output file:-: cannot record to -: vcam takes it for a file named -" in err.value.problems[0]


def test_a_show_file_recording_to_a_folder_not_there_yet_is_refused_not_recorded_as_a_file_of_its_name(tmp_path):
    """`out: [file:takes/]` was made whole without its slash: the show recorded into a file named takes, no word."""
    from vcam.control.show import load_show
    from vcam.live.outputs.recording import check_path
    from vcam.outspec import parse_spec

    show = tmp_path / "show.yaml"
    show.write_text("output: {out: [file:takes/]}\npresets:\n  - {name: a, prompt: x}\n")
    (out,) = load_show(str(show)).output.out
    assert out == f"file:{tmp_path / 'takes'}{os.sep}"
    with pytest.raises(VcamError, match="it names a folder, and folder .* does not exist"):
        check_path(parse_spec(out).target)
    show.write_text("output: {out: [file:/]}\npresets:\n  - {name: a, prompt: x}\n")
    assert load_show(str(show)).output.out == ("file:/",)  # the root's slash is there already: not file://


@pytest.mark.skipif(os.name == "nt", reason="a POSIX shell's line")
def test_a_recording_into_a_missing_folder_is_offered_the_line_that_makes_it(tmp_path, monkeypatch):
    """`--out file:~/nope/dir/x.mp4` was told to create the folder, with no line to paste: a folder with a space in
    its name, typed as said, made two."""
    import shlex
    import subprocess

    from vcam.live.outputs.recording import check_path

    monkeypatch.setenv("HOME", str(tmp_path / "My Home"))
    spec = parse_spec("file:~/nope/dir/x.mp4")
    with pytest.raises(VcamError) as err:
        check_path(spec.target)
    folder = tmp_path / "My Home" / "nope" / "dir"
    assert err.value.fix == f"create it (mkdir -p {shlex.quote(str(folder))}) or pick another path"
    line = err.value.fix.split("(", 1)[1].rsplit(")", 1)[0]
    subprocess.run(line, shell=True, check=True)
    check_path(spec.target)  # the folder made, the path is taken


@pytest.mark.parametrize("name, use", [(".mp4", "name the file: file:show.mp4"),
                                       ("takes/.MP4", "name the file: file:takes/show.mp4"),
                                       ("..mp4", "name the file: file:show.mp4"),
                                       (".mp4.", "name the file: file:show.mp4"),
                                       # `.MKV` was offered file:.MKV.mp4
                                       (".MKV", "name the file: file:show.mp4, then convert it if .mkv is needed: "
                                                "ffmpeg -i show.mp4 show.mkv"),
                                       ("takes/.webm", "name the file: file:takes/show.mp4, then convert it if .webm "
                                                       "is needed: ffmpeg -i takes/show.mp4 takes/show.webm")])
def test_a_recording_named_by_its_ending_alone_is_refused_with_a_name_to_give(tmp_path, monkeypatch, name, use):
    """`--out file:.mp4` was refused as "a name without .mp4", with the fix `use file:.mp4.mp4`; `file:..mp4` with
    `use file:..mp4.mp4`, `file:.mp4.` with `use file:.mp4.mp4`."""
    from vcam.live.outputs.recording import check_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "takes").mkdir()
    with pytest.raises(VcamError) as err:
        check_path(name)
    assert err.value.message.startswith(f"cannot record to {name}: ") and "without .mp4" not in err.value.message
    assert err.value.fix == use


@pytest.mark.parametrize("name, use", [("show", "use file:show.mp4"), ("takes/show", "use file:takes/show.mp4"),
                                       ("my take", "use 'file:my take.mp4'"), (".show", "use file:.show.mp4")])
def test_a_recording_named_without_an_extension_is_refused_with_its_mp4_name(tmp_path, monkeypatch, name, use):
    """`--out file:show` recorded an MP4 named `show`, which players and editors do not open as a video, where
    `--out file:show.avi` was refused with file:show.mp4."""
    from vcam.live.outputs.recording import check_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "takes").mkdir()
    with pytest.raises(VcamError) as err:
        check_path(name)
    assert str(err.value).startswith(f"cannot record to {name}: vcam records MP4 video, and a name without .mp4")
    assert err.value.fix == use and not (tmp_path / name).exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/null"), reason="named pipes, /dev/null")
def test_a_device_or_a_named_pipe_without_an_extension_is_recorded_into(tmp_path):
    """What a program reads the recording from as it is made has no extension: /dev/stdout (`| ffplay -`), a pipe."""
    from vcam.live.outputs.recording import check_path
    from vcam.outspec import check_recording_name

    os.mkfifo(tmp_path / "feed")
    check_path(str(tmp_path / "feed"))
    check_path("/dev/null")
    check_recording_name("/dev/stdout")


def test_a_show_file_recording_to_a_name_without_an_extension_is_refused_at_its_line(tmp_path):
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    show = tmp_path / "show.yaml"
    show.write_text("output: {out: [file:take]}\npresets:\n  - {name: a, prompt: x}\n")
    with pytest.raises(ConfigError) as err:
        load_show(str(show))
    assert "output file:take: cannot record to take: vcam records MP4 video" in err.value.problems[0]
    assert "use file:take.mp4" in err.value.problems[0]


@pytest.mark.parametrize("name, hint", [("take.txt", ""), ("club.yaml", "vcam run club.yaml"),
                                        ("show.jsonl", "vcam run --log-controls"), ("take.png", ""),
                                        ("take.wav", ""), ("take.zip", "")])
def test_a_recording_named_as_no_video_is_fixed_without_a_conversion_that_cannot_run(name, hint):
    """`--out file:club.yaml` was answered with `ffmpeg -i club.mp4 club.yaml`, which no ffmpeg can do (nor to an
    image without -frames:v 1, audio from an MP4 without sound, or an archive); a show file named there is likely the
    show to play."""
    from vcam.outspec import check_recording_name

    with pytest.raises(VcamError) as err:
        check_recording_name(name)
    stem, _, ext = name.rpartition(".")
    assert err.value.fix.startswith(f"use file:{stem}.mp4 (.{ext} is not a video format)"), err.value.fix
    assert "ffmpeg" not in err.value.fix and hint in err.value.fix


@pytest.mark.parametrize("name, use", [("take.mp4.", "use file:take.mp4 "), ("take.mp4.bak", "use file:take.mp4 "),
                                       ("show.MP4.txt", "use file:show.MP4 "),
                                       ("take.mp4.mkv", "use file:take.mp4, then convert it if .mkv is needed: "
                                                        "ffmpeg -i take.mp4 take.mp4.mkv")])
def test_a_recording_named_mp4_and_more_is_told_its_mp4_name_not_one_with_mp4_twice(name, use):
    """`--out file:take.mp4.` (a full stop typed after the name) was told to use file:take.mp4.mp4."""
    from vcam.outspec import check_recording_name

    with pytest.raises(VcamError) as err:
        check_recording_name(name)
    assert err.value.fix.startswith(use), err.value.fix
    assert ".mp4.mp4" not in err.value.fix.lower()


@pytest.mark.parametrize("name", ["take.h264", "take.hevc", "take.yuv", "take.mjpeg", "take.MKV", "take.qt"])
def test_a_recording_named_as_a_video_ffmpeg_writes_is_told_the_conversion(name):
    """Video formats past a short list (.h264, .yuv) were told they are no video format, where ffmpeg converts the
    MP4 into them."""
    from vcam.outspec import check_recording_name

    with pytest.raises(VcamError) as err:
        check_recording_name(name)
    stem, _, ext = name.rpartition(".")
    assert err.value.fix == f"use file:{stem}.mp4, then convert it if .{ext} is needed: ffmpeg -i {stem}.mp4 {name}"


def test_a_recording_into_a_folder_is_refused_with_a_file_to_name(tmp_path):
    from vcam.live.outputs.recording import Recording

    with pytest.raises(VcamError) as err:
        Recording(str(tmp_path), 64, 48, 30.0)
    assert "is a folder" in err.value.message and f"file:{tmp_path / 'show.mp4'}" in err.value.fix


def test_a_recording_named_as_a_folder_not_there_yet_is_told_to_name_a_file_in_it(tmp_path, monkeypatch):
    """`--out file:takes/`, the folder not made yet, said "no file can be made in FOLDER (Is a directory)", fix "pick
    a folder on a disk that can be written", of a folder that takes files."""
    from vcam.live.outputs.recording import check_path

    monkeypatch.chdir(tmp_path)
    name = "takes" + os.sep
    with pytest.raises(VcamError) as err:
        check_path(name)
    assert err.value.message == f"cannot record to {name}: it names a folder, and folder {tmp_path / 'takes'} " \
        "does not exist"
    assert err.value.fix == f"create it and name a file in it, like file:{os.path.join('takes', 'show.mp4')}"
    assert not list(tmp_path.iterdir())
    (tmp_path / "take.mp4").write_bytes(b"older")
    with pytest.raises(VcamError) as err:  # a slash typed after a file's name
        check_path("take.mp4" + os.sep)
    assert err.value.message == f"cannot record to take.mp4{os.sep}: it names a folder, and {tmp_path / 'take.mp4'} " \
        "is a file"
    assert err.value.fix == f"leave out the trailing {os.sep}: file:take.mp4"
    assert (tmp_path / "take.mp4").read_bytes() == b"older"
    with pytest.raises(VcamError) as err:  # the slash typed twice: the fix must not be refused again
        check_path("take.mp4" + os.sep * 2)
    assert err.value.fix == f"leave out the trailing {os.sep}: file:take.mp4"
    with pytest.raises(VcamError) as err:
        check_path("takes" + os.sep * 2)
    assert err.value.fix == f"create it and name a file in it, like file:{os.path.join('takes', 'show.mp4')}"


@pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt", reason="a link to a folder, as POSIX makes it")
def test_a_recording_into_a_link_to_a_folder_not_there_says_what_it_points_to_not_to_create_it(tmp_path,
                                                                                              monkeypatch):
    """`file:stick/` where stick links to a USB stick not mounted: "create it" could not be done (it exists)."""
    from vcam.live.outputs.recording import check_path

    monkeypatch.chdir(tmp_path)
    (tmp_path / "stick").symlink_to(tmp_path / "media" / "usb")
    with pytest.raises(VcamError) as err:
        check_path("stick" + os.sep)
    assert err.value.message == (f"cannot record to stick{os.sep}: {tmp_path / 'stick'} is a link to "
                                 f"{tmp_path / 'media' / 'usb'}, which is not there")
    assert err.value.fix.startswith("mount or plug in what it points to")


def test_a_recording_name_the_disk_refuses_is_said_as_the_names_fault_not_the_folders(tmp_path):
    """A name too long (or with a : on a USB stick's FAT) said "no file can be made in FOLDER", fix "pick a folder on
    a disk that can be written", of a folder that takes files."""
    from vcam.live.outputs.recording import check_path

    long = tmp_path / ("take-" * 60 + ".mp4")
    with pytest.raises(VcamError) as err:
        check_path(str(long))
    assert err.value.message.startswith(f"cannot record to {long}: the disk in {tmp_path} takes no file of this name")
    assert err.value.fix.startswith("give the recording a shorter name") and "folder" not in err.value.fix
    assert not list(tmp_path.iterdir())


def test_a_recording_named_by_a_link_to_a_disk_not_there_is_refused_at_the_start(tmp_path, monkeypatch):
    """take.mp4 a link into a USB stick's folder, the stick not mounted: the start let it through, and on air the
    recording failed with a bare "[Errno 2] No such file or directory", the take lost."""
    from vcam.live.outputs.recording import Recording, check_path, frames_held

    monkeypatch.chdir(tmp_path)
    stick = tmp_path / "media" / "stick" / "takes"
    os.symlink(stick / "take.mp4", "take.mp4")
    with pytest.raises(VcamError) as err:
        check_path("take.mp4")
    assert err.value.message == (f"cannot record to take.mp4: it is a link to {stick / 'take.mp4'}, whose folder "
                                 f"{stick} does not exist")
    assert "mount" in err.value.fix and "create" in err.value.fix
    stick.mkdir(parents=True)
    check_path("take.mp4")  # the disk is back: the file is made at the first frame, not now
    assert not list(stick.iterdir()) and os.path.islink("take.mp4")
    rec = Recording("take.mp4", 64, 48, 30.0)
    rec.send(np.zeros((48, 64, 3), np.uint8), 0)
    rec.close()
    assert frames_held(str(stick / "take.mp4")) == 1


def test_a_writable_take_or_a_link_to_one_in_a_folder_this_user_may_not_write_is_recorded(tmp_path, monkeypatch):
    """The take is written in place (through a link, where it leads): a folder this user may not write refused a
    writable older take in it, and a link there to a take on another disk, as if the file had to be made."""
    from vcam.live.outputs import recording

    shelf, disk = tmp_path / "shelf", tmp_path / "disk"
    shelf.mkdir(), disk.mkdir()
    (disk / "take.mp4").write_bytes(b"older")
    os.symlink(disk / "take.mp4", shelf / "linked.mp4")
    (shelf / "older.mp4").write_bytes(b"older")
    real = os.access
    monkeypatch.setattr(recording.os, "access", lambda p, mode: real(p, mode) and not (
        mode & os.W_OK and os.path.realpath(p) == str(shelf)))  # as root is never refused, the folder is faked
    recording.check_path(str(shelf / "linked.mp4"))
    recording.check_path(str(shelf / "older.mp4"))
    with pytest.raises(VcamError) as err:
        recording.check_path(str(shelf / "new.mp4"))  # one to be made there still needs the folder
    assert err.value.message == f"cannot record to {shelf / 'new.mp4'}: folder {shelf} is not writable"


def test_a_recording_on_a_full_disk_is_refused_at_the_start_with_the_disks_fix(tmp_path, monkeypatch):
    import errno

    from vcam.live.outputs import recording

    def full(path, flags, mode=0o777):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(recording.os, "open", full)
    with pytest.raises(VcamError) as err:
        recording._try_making(str(tmp_path / "take.mp4"), str(tmp_path))
    assert err.value.message == f"cannot record to {tmp_path / 'take.mp4'}: the disk is full (No space left on device)"
    assert err.value.fix.startswith(f"free space on its disk (df -h {tmp_path} shows what is left)")


def test_a_recording_on_a_disk_with_no_room_left_is_refused_at_the_start(tmp_path, monkeypatch):
    """An empty file can still be made on a disk that is full: the start let it through, and the recording failed
    at its first frame on air, holding none. An older take it replaces gives its room back."""
    import collections

    from vcam.live.outputs import recording

    free = {"blocks": 10}  # 40,960 bytes
    real = os.statvfs
    fake = collections.namedtuple("statvfs", "f_blocks f_bavail f_bfree f_frsize")
    monkeypatch.setattr(recording.os, "statvfs", lambda p: fake(free.get("size", 10**6), free["blocks"], free["blocks"],
                                                                4096) if p == str(tmp_path) else real(p))
    take = tmp_path / "take.mp4"
    with pytest.raises(VcamError) as err:
        recording.check_path(str(take))
    assert err.value.message == f"cannot record to {take}: the disk is full (41.0 kB free in {tmp_path})"
    assert err.value.fix.startswith(f"free space on its disk (df -h {tmp_path} shows what is left)")
    assert not list(tmp_path.iterdir())
    (tmp_path / "older.mp4").write_bytes(bytes(2_000_000))  # replaced at the first frame: its room is the take's
    recording.check_path(str(tmp_path / "older.mp4"))
    free["blocks"] = 1000  # 4 MB
    recording.check_path(str(tmp_path / "take.mp4"))
    free.update(size=0, blocks=0)  # a mount that gives no size at all (some FUSE ones): nothing known, let through
    recording.check_path(str(tmp_path / "take.mp4"))


@pytest.mark.parametrize("free, said", [(500, "0.5 kB"), (63_999, "64.0 kB"), (50, "50 bytes")])
def test_a_full_disks_room_is_said_as_every_other_size_is(tmp_path, monkeypatch, free, said):
    """The room left on a full disk in the wording of the download and disk lines: 500 bytes read "0 kB free",
    63,999 bytes "63 kB", 50 bytes "0 kB"."""
    import collections

    from vcam.live.outputs import recording

    fake = collections.namedtuple("statvfs", "f_blocks f_bavail f_bfree f_frsize")
    monkeypatch.setattr(recording.os, "statvfs", lambda p: fake(10**6, free, free, 1))
    take = tmp_path / "take.mp4"
    with pytest.raises(VcamError) as err:
        recording.check_path(str(take))
    assert err.value.message == f"cannot record to {take}: the disk is full ({said} free in {tmp_path})"


def test_a_disks_room_is_asked_of_the_disk_the_recording_goes_to_and_counts_what_this_user_may_write(tmp_path,
                                                                                                     monkeypatch):
    """Refused at the start where the take would have been written: a link in a full folder to a file on a disk with
    room (the older take there, or /dev/stdout to a file), root on a disk whose last free blocks are kept for root,
    and a disk with 900 kB free, where the tiny model's 10 s (some 350 kB) fit."""
    import collections

    from vcam.live.outputs import recording

    fake = collections.namedtuple("statvfs", "f_blocks f_bavail f_bfree f_frsize")
    full, roomy = tmp_path / "full", tmp_path / "roomy"
    full.mkdir(), roomy.mkdir()
    disks = {str(full): fake(10**6, 0, 0, 4096), str(roomy): fake(10**6, 10**5, 10**5, 4096)}

    def statvfs(path):  # as the kernel does: the disk of the folder, or of the file a path leads to
        where = os.path.realpath(path)
        return disks[where if os.path.isdir(where) else os.path.dirname(where)]

    monkeypatch.setattr(recording.os, "statvfs", statvfs)
    monkeypatch.setattr(recording.os, "geteuid", lambda: 1000, raising=False)
    (roomy / "take.mp4").write_bytes(b"older take")
    os.symlink(roomy / "take.mp4", full / "take.mp4")
    recording.check_path(str(full / "take.mp4"))
    with pytest.raises(VcamError) as err:  # the take where the link leads has no room there but its own 10 bytes
        disks[str(roomy)] = fake(10**6, 0, 0, 4096)
        recording.check_path(str(full / "take.mp4"))
    assert err.value.message.endswith(f"the disk is full (10 bytes free in {roomy})"), err.value.message
    assert f"df -h {roomy}" in err.value.fix

    disks[str(full)] = fake(10**6, 0, 10**5, 4096)  # 400 MB free, all of them kept back for root
    with pytest.raises(VcamError):
        recording.check_path(str(full / "new.mp4"))
    monkeypatch.setattr(recording.os, "geteuid", lambda: 0, raising=False)
    recording.check_path(str(full / "new.mp4"))

    monkeypatch.setattr(recording.os, "geteuid", lambda: 1000, raising=False)
    disks[str(full)] = fake(10**6, 900_000 // 4096 + 1, 900_000 // 4096 + 1, 4096)
    recording.check_path(str(full / "new.mp4"))
    assert sorted(p.name for p in full.iterdir()) == ["take.mp4"]


def test_a_recording_names_its_whole_path_where_it_was_given_relative(tmp_path, monkeypatch):
    from vcam.live.outputs.recording import Recording

    monkeypatch.chdir(tmp_path)
    rec = Recording("take.mp4", 64, 48, 30.0)
    assert rec.path == str(tmp_path / "take.mp4") and rec.name == "file:take.mp4"
    w = OutputWorker(rec, 64, 48, every_frame=True, say=lambda text: None)
    w.offer(np.zeros((48, 64, 3), np.uint8), 0)
    w.close()
    assert w.summary().startswith(f"recorded 1 frame to {tmp_path / 'take.mp4'}")


LOST = "; {what}: check the disk (dmesg shows why; ls {folder} shows whether it is there) or record to another disk"


@pytest.mark.parametrize("code, fix", [
    (errno.ENOSPC, "; the disk is full: free space on its disk (df -h {folder} shows what is left) or record to "
                   "another disk"),
    (errno.EIO, LOST.format(what="the disk stopped taking writes (an I/O error: a USB stick pulled out, a network "
                                 "share dropped, or a failing disk)", folder="{folder}")),
    (errno.EROFS, LOST.format(what="the disk became read-only (the system does so after a disk error)",
                              folder="{folder}")),
    (errno.ESTALE, LOST.format(what="the network share the file is on was lost (its server gone, or the network "
                                    "down)", folder="{folder}")),
    (errno.ENOTCONN, LOST.format(what="the network share the file is on was lost (its server gone, or the network "
                                      "down)", folder="{folder}"))])
def test_a_recording_whose_disk_refuses_a_frame_on_air_says_so_with_the_fix(tmp_path, code, fix):
    """It was "[Errno 5] Input/output error; the show goes on" (or "[Errno 116] Stale file handle", a network share
    dropped): no word of the disk, nor of what to do."""

    class RefusingDisk:
        name = "file:show.mp4"
        path = str(tmp_path / "show.mp4")
        frames = 3

        def send(self, frame, tick):
            raise OSError(code, os.strerror(code), self.path)

        def close(self):
            pass

    said = []
    w = OutputWorker(RefusingDisk(), 8, 8, queue=4, every_frame=True, say=said.append)
    w.offer(np.zeros((8, 8, 3), np.uint8), 0)
    w.close()
    fix = fix.format(folder=tmp_path)
    assert f"{fix}; the file up to here plays (3 frames); the show goes on" in said[0], said
    assert w.summary().startswith("recorded 3 frames to ") and fix in w.summary()


def test_a_camera_whose_device_fails_is_given_no_disk_advice():
    """A camera's I/O error (its loopback device removed) was said as a disk lost, with "check the disk"."""

    class Camera:
        name = "camera"

        def send(self, frame, tick):
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        def close(self):
            pass

    said = []
    w = OutputWorker(Camera(), 8, 8, queue=4, say=said.append)
    w.offer(np.zeros((8, 8, 3), np.uint8), 0)
    w.close()
    assert said and "disk" not in said[0] and "disk" not in w.summary(), (said, w.summary())


class _LostAfter:
    """A container whose disk is lost once it has taken `good` packets: every write after fails with EIO, and
    nothing written after reaches the file (its close's trailer neither)."""

    def __init__(self, container, path: str, good: int):
        self._container, self._path, self._left, self._size = container, path, good, None

    def mux(self, packet):
        if self._left <= 0:
            if self._size is None:
                self._size = os.path.getsize(self._path)
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        self._left -= 1
        self._container.mux(packet)

    def close(self):
        self._container.close()
        if self._size is not None:
            os.truncate(self._path, self._size)


def test_a_recording_whose_disk_is_lost_mid_take_keeps_its_whole_fragments_and_says_the_folder_of_its_link(
        tmp_path):
    """Its ls fix named the folder of the link the take was recorded through, not of the disk the take is on."""
    import av
    from vcam.live.outputs.recording import Recording

    (tmp_path / "stick").mkdir()
    (tmp_path / "lnk").mkdir()
    (tmp_path / "stick" / "take.mp4").write_bytes(b"")
    (tmp_path / "lnk" / "take.mp4").symlink_to(tmp_path / "stick" / "take.mp4")
    rec = Recording(str(tmp_path / "lnk" / "take.mp4"), 64, 48, 30.0)
    said = []
    w = OutputWorker(rec, 64, 48, queue=100, every_frame=True, say=said.append)
    w.offer(np.zeros((48, 64, 3), np.uint8), 0)
    wait_for(lambda: rec._container is not None)
    rec._container = _LostAfter(rec._container, rec.path, 40)
    for tick in range(1, 70):
        w.offer(np.full((48, 64, 3), tick, np.uint8), tick)
    w.close()
    assert f"ls {tmp_path / 'stick'} shows whether it is there" in w.summary(), w.summary()
    with av.open(str(tmp_path / "stick" / "take.mp4")) as container:
        got = sum(1 for _ in container.decode(video=0))
    assert 0 < got < 70 and w.summary().startswith(f"recorded {got} frames to "), (got, w.summary())


def test_a_disk_lost_under_stdout_sent_to_a_file_names_the_folder_of_that_file(tmp_path):
    """`--out file:/dev/stdout > stick/take.mp4`: its ls fix named /dev, not the stick."""
    import subprocess
    import sys

    (tmp_path / "stick").mkdir()
    said = tmp_path / "said.txt"
    code = ("import errno, sys; from vcam.live.outputs.diskerrors import disk_refusal; "
            f"open({str(said)!r}, 'w').write(disk_refusal(OSError(errno.EIO, 'x'), '/dev/stdout').fix)")
    with open(tmp_path / "stick" / "take.mp4", "wb") as out:
        subprocess.run([sys.executable, "-c", code], stdout=out, check=True)
    assert f"ls {tmp_path / 'stick'} shows whether it is there" in said.read_text()


def test_a_full_disk_under_stdout_sent_to_a_file_names_the_folder_of_that_file(tmp_path):
    """`vcam render … --out /dev/stdout > stick/take.mp4`, the stick full: its fix said `df -h /dev`."""
    import subprocess
    import sys

    (tmp_path / "stick").mkdir()
    said = tmp_path / "said.txt"
    code = ("import errno, sys; from vcam.live.outputs.diskerrors import disk_refusal; "
            f"open({str(said)!r}, 'w').write(disk_refusal(errno.ENOSPC, '/dev/stdout', 'render').fix)")
    with open(tmp_path / "stick" / "take.mp4", "wb") as out:
        subprocess.run([sys.executable, "-c", code], stdout=out, check=True)
    assert said.read_text() == (f"free space on its disk (df -h {tmp_path / 'stick'} shows what is left) or render "
                                "to another disk")


RECORD_PAST_THE_LIMIT = """
import resource, signal, sys
import numpy as np
from vcam.live.outputs.recording import Recording

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), as one on a full disk does
resource.setrlimit(resource.RLIMIT_FSIZE, (12_000, 12_000))
rec = Recording(sys.argv[1], 64, 48, 30)
noise = np.random.default_rng(0)
try:
    for tick in range(300):
        rec.send(noise.integers(0, 255, (48, 64, 3), dtype=np.uint8), tick)
except OSError as e:
    print("stopped at", tick, e.errno)
finally:
    try:
        rec.close()
    except OSError:
        pass
    print("counted", rec.frames, "of", tick)
"""


def test_a_recording_cut_short_by_a_full_disk_ends_at_its_last_whole_fragment(tmp_path):
    """The write that fails leaves part of a fragment at the end: players stop there, but a decoder (PyAV, a script
    reading the recording) raised on it."""
    import subprocess
    import sys

    import av

    path = tmp_path / "show.mp4"
    done = subprocess.run([sys.executable, "-c", RECORD_PAST_THE_LIMIT, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert "stopped at" in done.stdout, done.stdout + done.stderr
    with av.open(str(path)) as container:
        frames = sum(1 for _ in container.decode(video=0))  # raised InvalidDataError at the cut fragment
    assert frames > 0 and path.stat().st_size < 12_000
    counted, sent = map(int, done.stdout.split("counted ")[1].split(" of "))
    assert counted == frames < sent  # the end's summary counts what the file holds, not what was encoded


RECORD_INTO_A_PIPE = """
import fcntl, os, sys, threading
import numpy as np
from vcam.errors import VcamError
from vcam.live.outputs.recording import Recording

pipe, reader = sys.argv[1], sys.argv[2] == "reader"
read = []
if reader:  # a program reading the pipe (ffmpeg -i PIPE), there before the show goes on air
    fd = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # not waiting for the writer: open when the show opens it
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 4096)  # full at once: a reader behind holds the writer up
# noise: each fragment is larger than the pipe holds
frames = np.random.default_rng(0).integers(0, 256, (45, 48, 64, 3), np.uint8)
rec = Recording(pipe, 64, 48, 30.0)
try:
    rec.send(frames[0], 0)  # opens the pipe's writing end; the first frame waits in the encoder
    if reader:  # reads only now: a pipe with no writer yet reads as its end
        os.set_blocking(fd, True)
        thread = threading.Thread(target=lambda: read.append(b"".join(iter(lambda: os.read(fd, 1 << 16), b""))))
        thread.start()
    for tick in range(1, len(frames)):
        rec.send(frames[tick], tick)
    rec.close()
except VcamError as e:
    print("refused:", e.message, "|", e.fix)
if reader:
    thread.join()
    with open(sys.argv[3], "wb") as f:
        f.write(read[0])
print("sent", len(frames), "done")
"""


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
@pytest.mark.parametrize("reader", [True, False], ids=["read", "unread"])
def test_a_recording_into_a_named_pipe_reaches_its_reader_or_says_none_reads_it(tmp_path, reader):
    """file:PIPE.mp4 (mkfifo) for a program that reads the recording as it is made: the lock's open of the pipe
    was a writer that came and went, so the reader saw the end at once; then FFmpeg's own open waited for a reader
    with the interpreter held, and the whole show froze (camera, --duration, Ctrl-C and SIGTERM) until SIGKILL.
    The pipe is written waiting for its reader, who may fall behind (a write that would wait lost the take)."""
    import subprocess
    import sys

    import av

    pipe, got = tmp_path / "my pipe.mp4", tmp_path / "got.mp4"
    os.mkfifo(pipe)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    try:
        done = subprocess.run([sys.executable, "-c", RECORD_INTO_A_PIPE, str(pipe), "reader" if reader else "none",
                               str(got)], capture_output=True, text=True, timeout=60, env=env)
    except subprocess.TimeoutExpired:
        pytest.fail("the recording into the pipe never returned")
    assert done.stdout.endswith("done\n"), done.stdout + done.stderr
    if reader:
        assert "refused" not in done.stdout, done.stdout
        with av.open(str(got)) as container:
            assert sum(1 for _ in container.decode(video=0)) == int(done.stdout.split()[-2])
    else:
        assert f"refused: cannot record to {pipe}: no program reads this named pipe" in done.stdout, done.stdout
        assert f"start the program that reads it (ffmpeg -i '{pipe}' ...)" in done.stdout, done.stdout


def test_a_whole_recording_is_not_cut(tmp_path):
    import av

    from vcam.live.outputs.recording import Recording, cut_partial_fragment

    path = tmp_path / "show.mp4"
    rec = Recording(str(path), 64, 48, 30)
    for tick in range(45):
        rec.send(np.full((48, 64, 3), tick * 5, np.uint8), tick)
    rec.close()
    assert rec.frames == 45
    size = path.stat().st_size
    assert cut_partial_fragment(str(path)) == 0 and path.stat().st_size == size
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 45
    other = tmp_path / "notes.txt"
    other.write_text("not a recording")
    assert cut_partial_fragment(str(other)) == 0 and other.read_text() == "not a recording"


def _mp4_box(kind: bytes, content: bytes, large: bool = False) -> bytes:
    import struct

    if large:  # size 1: the real size follows the type as a 64-bit largesize
        return struct.pack(">I4sQ", 1, kind, 16 + len(content)) + content
    return struct.pack(">I4s", 8 + len(content), kind) + content


def test_boxes_with_a_64_bit_largesize_are_read_and_kept(tmp_path):
    """A box over 4 GiB gives its size in the 64 bits after its type; the frames are counted through it and a whole
    fragment written so is not cut."""
    import struct

    from vcam.live.outputs.recording import cut_partial_fragment, frames_held

    def fragment(frames: int, large: bool) -> bytes:
        trun = _mp4_box(b"trun", struct.pack(">II", 0, frames), large)
        return (_mp4_box(b"moof", _mp4_box(b"traf", trun, large), large)
                + _mp4_box(b"mdat", bytes(frames), large))

    whole = _mp4_box(b"ftyp", b"isom") + _mp4_box(b"moov", b"", large=True) + fragment(3, True) + fragment(4, False)
    path = tmp_path / "large.mp4"
    path.write_bytes(whole)
    assert frames_held(str(path)) == 7
    assert cut_partial_fragment(str(path)) == 0 and path.read_bytes() == whole
    cut_short = fragment(5, True)[:-2]  # a fragment whose media was not all written
    path.write_bytes(whole + cut_short)
    assert cut_partial_fragment(str(path)) == len(cut_short) and path.read_bytes() == whole
    assert frames_held(str(path)) == 7
    path.write_bytes(whole + _mp4_box(b"moof", b"", large=True)[:12])  # a largesize header cut short
    assert cut_partial_fragment(str(path)) == 12 and path.read_bytes() == whole


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's")
def test_a_file_another_show_is_only_looking_at_is_not_said_to_be_recorded_into(tmp_path):
    """Two shows starting at once on one output: each took the file's lock to look, and the second, refused it,
    was told that another show was recording into it."""
    import fcntl

    from vcam.live.outputs.recording import held_by_another

    path = tmp_path / "take.mp4"
    path.write_bytes(b"older take")
    with open(path) as looking:
        fcntl.flock(looking.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)  # as the other show's look holds it
        assert not held_by_another(str(path))
    with open(path, "r+b") as recording:
        fcntl.flock(recording.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a take holds it (_take_file)
        assert held_by_another(str(path))


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's; Windows refuses a second writer itself")
def test_a_second_recording_into_a_file_being_recorded_is_refused_and_leaves_the_first_whole(tmp_path):
    """Two shows on one file: the second truncated the first's take under it, neither played whole, and the first
    still said it had recorded all its frames."""
    import av

    from vcam.live.outputs.recording import Recording

    path = tmp_path / "take.mp4"
    first = Recording(str(path), 64, 48, 30)
    first.send(np.zeros((48, 64, 3), np.uint8), 0)  # the first frame makes the file and takes it
    with pytest.raises(VcamError) as err:  # at the start of the second show
        Recording(str(path), 64, 48, 30)
    assert "another show is recording into it" in err.value.message and "file of its own" in err.value.fix
    Recording(str(path), 64, 48, 30, check_in_use=False)  # vcam check of an edited show, mid-show
    late = Recording(str(tmp_path / "late.mp4"), 64, 48, 30)
    late.path = str(path)  # one that started before the first show made the file: refused at its first frame
    with pytest.raises(VcamError):
        late.send(np.zeros((48, 64, 3), np.uint8), 0)
    for tick in range(1, 45):
        first.send(np.full((48, 64, 3), tick * 5, np.uint8), tick)
    first.close()
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == first.frames == 45
    again = Recording(str(path), 64, 48, 30)  # once closed, the file is free for the next take
    again.send(np.zeros((48, 64, 3), np.uint8), 0)
    again.close()
    assert again.frames == 1


def test_a_recording_that_never_began_says_the_older_take_there_is_kept(tmp_path):
    """The start says `will replace take.mp4`; a show stopped before its first frame left the older take as it was,
    and the end said only `nothing recorded to take.mp4`."""
    from vcam.live.outputs.recording import Recording

    path = tmp_path / "take.mp4"
    path.write_bytes(b"an older take")
    w = OutputWorker(Recording(str(path), 64, 48, 30.0), 64, 48, every_frame=True, say=lambda text: None)
    w.close()
    assert w.summary() == f"nothing recorded to {path} (the older file there is kept as it was)"
    assert path.read_bytes() == b"an older take"
    fresh = OutputWorker(Recording(str(tmp_path / "new.mp4"), 64, 48, 30.0), 64, 48, every_frame=True)
    fresh.close()
    assert fresh.summary() == f"nothing recorded to {tmp_path / 'new.mp4'}"


@pytest.mark.skipif(os.name != "posix", reason="a file deleted while open stays readable on POSIX systems")
@pytest.mark.parametrize("gone", ["file", "folder"])
def test_a_take_deleted_while_recording_is_written_back_whole(tmp_path, gone):
    """Deleted on air, the file's frames went on into the deleted inode and were lost at the close, while the end
    said they were recorded."""
    import shutil

    import av

    from vcam.live.outputs.recording import Recording

    folder = tmp_path / "takes"
    folder.mkdir()
    path = folder / "take.mp4"
    w = OutputWorker(Recording(str(path), 64, 48, 30.0), 64, 48, queue=64, every_frame=True, say=lambda t: None)
    w.offer(np.zeros((48, 64, 3), np.uint8), 0)
    assert wait_for(lambda: w.sent == 1)  # the file is made at the first frame
    shutil.rmtree(folder) if gone == "folder" else path.unlink()
    for tick in range(1, 40):
        w.offer(np.full((48, 64, 3), tick * 5, np.uint8), tick)
    w.close()
    with av.open(str(path)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 40
    assert w.summary() == f"recorded 40 frames to {path}; its file was deleted while recording: written back to {path}"


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="/dev/stdout names a descriptor through Linux's /proc")
def test_a_take_to_a_descriptor_whose_file_is_deleted_is_said_lost_not_written_into_dev(tmp_path):
    """`--out file:/dev/stdout > cap.mp4`, cap.mp4 deleted on air: the take was written back under the descriptor's
    name, to /dev/stdout-recovered as root (a link to /proc/self/fd/N stands for /dev/stdout here)."""
    from vcam.live.outputs.recording import Recording

    cap = tmp_path / "cap.mp4"
    with open(cap, "wb") as shell_sent:
        name = tmp_path / "stdout.mp4"
        name.symlink_to(f"/proc/self/fd/{shell_sent.fileno()}")
        w = OutputWorker(Recording(str(name), 64, 48, 30.0), 64, 48, queue=64, every_frame=True, say=lambda t: None)
        w.offer(np.zeros((48, 64, 3), np.uint8), 0)
        assert wait_for(lambda: w.sent == 1)  # the file is made at the first frame
        cap.unlink()
        for tick in range(1, 3):
            w.offer(np.full((48, 64, 3), tick * 5, np.uint8), tick)
        w.close(60)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stdout.mp4"]
    assert w.summary() == (f"nothing recorded to {name}; the file it was sent to was deleted while recording: the "
                           "take is lost with it")


@pytest.mark.skipif(os.name != "posix", reason="a file deleted while open stays readable on POSIX systems")
def test_a_take_whose_folder_became_a_file_is_written_back_to_the_current_folder(tmp_path, monkeypatch):
    """Its folder deleted and a file made with the folder's name: the end said the take was lost."""
    import shutil

    import av

    from vcam.live.outputs.recording import Recording

    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    folder = tmp_path / "takes"
    folder.mkdir()
    path = folder / "take.mp4"
    w = OutputWorker(Recording(str(path), 64, 48, 30.0), 64, 48, queue=64, every_frame=True, say=lambda t: None)
    w.offer(np.zeros((48, 64, 3), np.uint8), 0)
    assert wait_for(lambda: w.sent == 1)
    shutil.rmtree(folder)
    folder.write_text("a file where the folder was")
    for tick in range(1, 20):
        w.offer(np.full((48, 64, 3), tick * 5, np.uint8), tick)
    w.close()
    kept = here / "take-recovered.mp4"
    with av.open(str(kept)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 20
    assert w.summary() == (f"recorded 20 frames to {kept}; its file was deleted while recording and {folder} could "
                           f"not take it back: written back to {kept} (move it where it belongs)")


def _record_and_move(tmp_path, sent: int = 40):
    """A recording of `sent` frames whose file is moved into another folder after its first frame, an older take
    then copied to its old name."""
    from vcam.live.outputs.recording import Recording

    path, moved = tmp_path / "take.mp4", tmp_path / "kept" / "other.mp4"
    moved.parent.mkdir()
    rec = Recording(str(path), 64, 48, 30)
    rec.send(np.zeros((48, 64, 3), np.uint8), 0)
    os.rename(path, moved)
    path.write_bytes(b"an older take")
    for tick in range(1, sent):
        rec.send(np.full((48, 64, 3), tick * 5, np.uint8), tick)
    return rec, path, moved


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="Linux names a descriptor's file in /proc")
def test_a_take_moved_while_recording_is_said_counted_and_cut_where_it_is_now(tmp_path):
    """The end said the old name, where another file was (or none), and counted and cut that file."""
    import av

    rec, path, moved = _record_and_move(tmp_path)
    w = OutputWorker(rec, 64, 48, every_frame=True)
    w.close()
    assert rec.path == str(moved) and rec.frames == 40
    with av.open(str(moved)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 40
    assert w.summary() == f"recorded 40 frames to {moved}; its file was moved while recording, from {path}"
    assert path.read_bytes() == b"an older take"


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's")
def test_a_take_moved_where_proc_cannot_say_where_leaves_the_file_at_its_old_name_alone(tmp_path, monkeypatch):
    from vcam.live.outputs import recording

    def no_proc(path):
        raise FileNotFoundError(2, "No such file or directory", path)

    monkeypatch.setattr(recording.os, "readlink", no_proc)
    rec, path, moved = _record_and_move(tmp_path)
    rec.close()
    assert rec.path == str(path) and rec.note is None and rec.frames == 40  # said as before, at its old name
    assert path.read_bytes() == b"an older take" and moved.stat().st_size > 0


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_take_recorded_through_a_symbolic_link_is_not_said_to_have_moved(tmp_path):
    from vcam.live.outputs.recording import Recording

    (tmp_path / "real.mp4").write_bytes(b"")
    (tmp_path / "take.mp4").symlink_to(tmp_path / "real.mp4")
    rec = Recording(str(tmp_path / "take.mp4"), 64, 48, 30)
    for tick in range(3):
        rec.send(np.zeros((48, 64, 3), np.uint8), tick)
    rec.close()
    assert rec.path == str(tmp_path / "take.mp4") and rec.note is None and rec.frames == 3


@pytest.mark.skipif(os.name != "posix", reason="file locks are POSIX's")
def test_a_file_system_without_locks_is_recorded_to_all_the_same(tmp_path, monkeypatch):
    import errno

    from vcam import filelock
    from vcam.live.outputs import recording

    def no_locks(fd, how):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(filelock.fcntl, "flock", no_locks)
    rec = recording.Recording(str(tmp_path / "take.mp4"), 64, 48, 30)
    rec.send(np.zeros((48, 64, 3), np.uint8), 0)
    rec.close()
    assert rec.frames == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_the_check_for_another_show_on_a_recording_never_waits_on_a_named_pipe(tmp_path):
    from vcam.live.outputs.recording import check_path

    pipe = tmp_path / "take.mp4"
    os.mkfifo(pipe)
    done = threading.Event()
    checker = threading.Thread(target=lambda: (check_path(str(pipe)), done.set()), daemon=True)
    checker.start()
    assert done.wait(10), "opening the pipe to check it waited for a writer"


@pytest.mark.skipif(not os.path.exists("/dev/null") or os.name != "posix", reason="/dev/null")
def test_two_recordings_into_the_null_device_both_go_on():
    from vcam.live.outputs.recording import Recording

    first, second = Recording("/dev/null", 64, 48, 30), Recording("/dev/null", 64, 48, 30)
    frame = np.zeros((48, 64, 3), np.uint8)
    first.send(frame, 0)
    second.send(frame, 0)  # refused as "another show is recording into it" when the device was locked
    for rec in (first, second):
        rec.close()  # the device keeps nothing: no frame is said lost (it was, as a full disk's)
        assert rec.frames == 1


@pytest.mark.parametrize("name, said, fix", [
    ("take.mp4", "names a file", "use --out file:take.mp4;"),  # not there yet: a recording's name
    ("old.mp4", "names a file", "use --out file:{tmp}/old.mp4;"),
    ("", "names a folder", "use --out file:{tmp}/show.mp4;"),
])
def test_a_camera_named_by_a_file_or_folder_says_to_record_with_file(tmp_path, monkeypatch, name, said, fix):
    """`vcam:take.mp4` typed for `file:take.mp4` was said as a camera that could not be opened, with the paragraph
    that installs v4l2loopback; an existing file was opened to write by the device's reset. It is left as it was."""
    from vcam.live.outputs.camera import VirtualCamera

    monkeypatch.chdir(tmp_path)
    (tmp_path / "old.mp4").write_bytes(b"an older take")
    device = name if name == "take.mp4" else str(tmp_path / name) if name else str(tmp_path)
    with pytest.raises(VcamError) as err:
        VirtualCamera(64, 48, 30, device=device)
    assert err.value.message == f"vcam:{device} {said}, not a camera device"
    assert fix.format(tmp=tmp_path) in err.value.fix and "vcam devices lists them" in err.value.fix
    assert (tmp_path / "old.mp4").read_bytes() == b"an older take" and not (tmp_path / "take.mp4").exists()


def test_a_camera_device_that_is_a_plain_file_says_to_remove_it_not_to_record_over_it(tmp_path, monkeypatch):
    """ffmpeg writing to /dev/video10 while no v4l2loopback device was made leaves a plain file there: it was said
    as a file to record to with --out file:/dev/video10, and as the camera device the fix named."""
    from vcam.live.outputs import camera

    monkeypatch.setattr(camera, "DEVICE_FOLDER", str(tmp_path), raising=False)
    device = tmp_path / "video7"
    device.write_bytes(b"frames ffmpeg wrote")
    with pytest.raises(VcamError) as err:
        camera.VirtualCamera(64, 48, 30, device=str(device))
    assert err.value.message == f"vcam:{device} is a plain file, not a camera device (a program wrote it there " \
                                "while the device was not made)"
    assert err.value.fix.startswith(f"remove it (sudo rm {device}), then make the camera: sudo modprobe v4l2loopback")
    assert "video_nr=7 " in err.value.fix and "file:" not in err.value.fix
    assert device.read_bytes() == b"frames ffmpeg wrote"


def _recorded_while_its_reader_quits(path: str, quit, said: list) -> OutputWorker:
    """A recording into the pipe at `path` whose reader quits (`quit`) once the first frame is written, then is
    offered 199 more; its worker, closed."""
    from vcam.live.outputs.recording import Recording

    worker = OutputWorker(Recording(path, 64, 48, 30), 64, 48, queue=300, every_frame=True, say=said.append)
    frames = np.random.default_rng(0).integers(0, 255, (200, 48, 64, 3), dtype=np.uint8)
    worker.offer(frames[0], 0)
    wait_for(lambda: worker.sent == 1 or worker.failed)
    assert worker.error is None  # the pipe opened: its reader was there
    quit()
    for tick, frame in enumerate(frames[1:], 1):
        worker.offer(frame, tick)
    worker.close(timeout=60)
    return worker


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes")
def test_a_pipes_reader_that_quits_mid_take_is_said_as_that_and_the_show_goes_on(tmp_path):
    """`--out file:PIPE` whose reader quits: said as Python's bare '[Errno 32] Broken pipe' before."""
    pipe = tmp_path / "take.mp4"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # a program reading it as the show goes on air
    said = []
    worker = _recorded_while_its_reader_quits(str(pipe), lambda: os.close(reader), said)
    gone = "the program reading this pipe went away (it quit or closed the pipe)"
    assert said == [f"output file:{pipe} failed and is stopped: {gone}; the show goes on"]
    assert worker.summary().endswith(f"FAILED and stopped: {gone}")


@pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="/dev/fd")
def test_the_reader_of_stdout_piped_to_a_player_that_quits_is_said_as_a_pipes_not_a_named_ones(tmp_path):
    """`--out file:/dev/stdout | ffplay -`: the reader's going was said as 'this named pipe''s, which there is
    none of."""
    reader, writer = os.pipe()
    said = []
    try:
        _recorded_while_its_reader_quits(f"/dev/fd/{writer}", lambda: os.close(reader), said)  # the player quits
    finally:
        os.close(writer)
    assert said == [f"output file:/dev/fd/{writer} failed and is stopped: the program reading this pipe went away "
                    "(it quit or closed the pipe); the show goes on"]


@pytest.mark.parametrize("fps", [30000 / 1001, 30.0])
def test_a_recording_keeps_real_time_across_a_suspend_longer_than_an_mp4_sample_can_last(tmp_path, fps):
    """The pacer skips the ticks of a stalled show (stopped with Ctrl-Z, a Windows machine asleep), so the take keeps
    real time. A gap past 2^31 units of the track's time scale (20 h at 29.97 fps, 39 h at 30: a show left stopped
    over a day) fits no MP4 sample's duration: FFmpeg put the next frame one unit after the last, and all after it
    a day early."""
    import av

    from vcam.live.outputs.recording import Recording, frames_held

    path = str(tmp_path / "take.mp4")
    gap = int(45 * 3600 * fps)  # 45 h asleep
    ticks = list(range(30)) + list(range(gap, gap + 30))
    rec = Recording(path, 64, 48, fps)
    for tick in ticks:
        rec.send(np.full((48, 64, 3), tick % 200, np.uint8), tick)
    rec.close()
    with av.open(path) as c:
        stream = c.streams.video[0]
        times = [float(f.pts * stream.time_base) for f in c.decode(stream)]
    assert times[-1] == pytest.approx(ticks[-1] / fps, abs=0.5 / fps)
    assert times[30 - len(ticks)] == pytest.approx(gap / fps, abs=0.5 / fps)  # the first frame after waking up
    assert times == sorted(times) and frames_held(path) == rec.frames == len(times)


@pytest.mark.parametrize("fps", [30.0, 30000 / 1001, 2.5])
def test_a_gap_one_mp4_sample_can_last_shows_no_frame_again_and_one_tick_more_shows_the_last_once(tmp_path, fps):
    """An MP4 sample lasts 2^31 - 1 units of the time scale FFmpeg's muxer picked for the track (read back from the
    file) at most. A frame that far after the last is not shown again; one a tick further (at 30 and 2.5 fps exactly
    2^31 units, which FFmpeg refused too) shows the last once more in between, and both keep real time."""
    import av

    from vcam.live.outputs.recording import Recording, frames_held

    def take(name: str, gap: int) -> tuple[list[int], int]:
        path = str(tmp_path / name)
        rec = Recording(path, 64, 48, fps)
        for i, tick in enumerate((0, 1, 1 + gap)):
            rec.send(np.full((48, 64, 3), 60 * i, np.uint8), tick)
        rec.close()
        with av.open(path) as c:
            pts = [f.pts for f in c.decode(c.streams.video[0])]
        assert frames_held(path) == rec.frames == len(pts)
        return pts, rec.frames

    probe, _ = take("probe.mp4", 1)
    unit = probe[1] - probe[0]  # the track's units in one camera tick
    longest = (2**31 - 1) // unit
    fits, frames = take("fits.mp4", longest)
    assert frames == 3 and fits[-1] == (1 + longest) * unit
    over, frames = take("over.mp4", longest + 1)
    assert frames == 4 and over[-1] == (2 + longest) * unit
    assert all(0 < b - a <= 2**31 - 1 for a, b in zip(over, over[1:]))


def test_a_slow_obs_camera_is_told_a_smaller_size_it_can_be_given_as_one_word():
    """OBS's camera on Windows and macOS is named `vcam:OBS Virtual Camera`: the size to try was said as
    `vcam:OBS Virtual Camera@32x24`, which a shell splits into three words."""
    started, go = threading.Event(), threading.Event()

    class SlowObs:
        name = "vcam:OBS Virtual Camera"

        def send(self, frame, tick):
            started.set()
            go.wait(60)

        def close(self):
            pass

    said = []
    w = OutputWorker(SlowObs(), 64, 48, say=said.append)
    try:
        w.offer(np.zeros((48, 64, 3), np.uint8), 0)
        assert started.wait(60)
        for tick in range(1, 2 * LIVE_SKIPS_WORTH_SAYING + 2):  # the mailbox holds one: the rest are skipped
            w.offer(np.zeros((48, 64, 3), np.uint8), tick)
        go.set()
        w.close(10)
    finally:
        go.set()
    warning = next(line for line in said if "cannot keep up" in line)
    assert "a smaller size is faster: 'vcam:OBS Virtual Camera@32x24'" in warning


@pytest.mark.parametrize("text,windows,word", [
    ("vcam:OBS Virtual Camera@416x240", True, '"vcam:OBS Virtual Camera@416x240"'),
    ("vcam:OBS Virtual Camera@416x240", False, "'vcam:OBS Virtual Camera@416x240'"),
    (r"file:C:\Users\me\My Videos\take.mp4", True, r'"file:C:\Users\me\My Videos\take.mp4"'),
    ("vcam@416x240", True, "vcam@416x240"),
    ("file:it's.mp4", True, '"file:it\'s.mp4"'),
    ('file:say "hi".mp4', True, "'file:say \"hi\".mp4'"),
])
def test_a_fix_is_one_word_in_the_shell_of_the_system_it_is_said_on(text, windows, word):
    """cmd.exe groups words in double quotes only: 'vcam:OBS Virtual Camera@416x240' was three words there, the
    single quotes kept in the first and last."""
    from vcam.words import shell_word

    assert shell_word(text, windows=windows) == word


def test_an_odd_size_for_obs_camera_is_fixed_with_one_shell_word():
    """`use vcam:OBS Virtual Camera@64x48` was said bare, which a shell splits at its spaces."""
    from vcam.live.outputs.camera import VirtualCamera
    from vcam.words import shell_word

    with pytest.raises(VcamError) as err:
        VirtualCamera(65, 48, 30, device="OBS Virtual Camera")
    assert err.value.fix == f"use {shell_word('vcam:OBS Virtual Camera@64x48')}" and " Virtual" in err.value.fix
    assert err.value.fix != "use vcam:OBS Virtual Camera@64x48"


def test_a_frame_the_ticks_repeat_is_converted_and_drawn_once_in_the_preview_window(slow_display, monkeypatch):
    """Each tick converted its frame to BGR and drew it again, between generated frames and for all of a freeze;
    the window kept showing the same picture. Its events are still taken at every tick."""
    preview, drawn, tmp_path = slow_display
    keys = []
    monkeypatch.setattr(drawn, "waitKey", lambda delay: keys.append(delay) or -1, raising=False)
    converted = []
    monkeypatch.setattr(drawn, "cvtColor", lambda frame, code: converted.append(code) or frame[..., ::-1].copy(),
                        raising=False)
    (tmp_path / "answer").touch()
    window = preview.PreviewWindow(64, 48)
    a, b = np.zeros((48, 64, 3), np.uint8), np.full((48, 64, 3), 9, np.uint8)
    try:
        for tick, frame in enumerate([a, a, a, b, b, a.copy()]):
            window.send(frame, tick)
    finally:
        window.close()
    assert drawn.drawn == ["window"] + [(48, 64, 3)] * 3 and len(converted) == 3 and len(keys) == 6


def test_frames_dropped_at_the_stop_before_going_on_air_are_not_said_as_falling_behind():
    """Stopped while the loading card showed, an output still busy at the close deadline ended with "2 frames
    dropped (it could not keep up)", though it had never been on air: the stop dropped them, said as it did."""
    slow, said = GatedOutput(), []

    def say(line):
        said.append(line)
        if "still busy" in line:  # the frames queued are dropped: now let the frame in hand through
            slow.gate.set()

    w = OutputWorker(slow, 64, 64, queue=2, say=say)
    frame = np.zeros((8, 8, 3), np.uint8)
    w.offer(frame, 0, on_air=False)
    assert slow.sending.wait(60)
    w.offer(frame, 1, on_air=False), w.offer(frame, 2, on_air=False)
    w.close(0)
    assert w.discarded == 2 and any("dropping the 2 frames" in s for s in said), said
    assert w.slow_drops == 0
    assert "could not keep up" not in w.summary(), w.summary()
