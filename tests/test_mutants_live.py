"""Edges of vcam's live loop that mutation testing found no test for: each test fails where the code is changed in
the way its docstring says."""
import io
import os
from types import SimpleNamespace

import pytest

from vcam.live import status as status_module
from vcam.live.attachment import attached
from vcam.engine.speed import SpeedOptions
from vcam.errors import LoadStopped
from vcam.live.producer import FailureNews
from vcam.live.status import StatusLine, TickCounter, fit_line
from vcam.live.streamopen import first_prompt_fix, stream_opener


def _ticked(times: list[float]) -> TickCounter:
    """A counter that counted a frame at each of `times` (a fake clock)."""
    now = [0.0]
    counter = TickCounter(clock=lambda: now[0])
    for t in times:
        now[0] = t
        counter.next()
    return counter


def test_the_out_rate_on_the_status_line_is_measured_over_the_last_60_frames():
    """A pause 60 frames back still slows the rate shown, one 61 frames back no more (caught: the window kept at
    59 frames, `> 60` made `>= 60`, or the pause left in it)."""
    paused = [0.0] + [100.0 + i for i in range(59)]  # 60 frames: a 100 s pause, then one a second
    assert _ticked(paused).fps() == 59 / 158
    assert _ticked(paused + [159.0]).fps() == 1.0


def test_the_out_rate_is_frames_over_seconds_and_0_before_there_is_a_second_frame_or_time_between_them():
    """30 frames 1/30 s apart are 30 fps; one frame, or two at the same instant, show 0 rather than raising (caught:
    the division turned, or a guard dropped)."""
    assert abs(_ticked([i / 30 for i in range(30)]).fps() - 30.0) < 1e-9
    assert _ticked([5.0]).fps() == 0.0 and _ticked([5.0, 5.0]).fps() == 0.0 and TickCounter().fps() == 0.0


def test_the_ticks_are_numbered_from_0():
    """The pacer numbers the camera's ticks by what `next` returns: the first is 0 (caught: `count - 1` made
    `count + 1`, or the count not kept)."""
    counter = TickCounter(clock=lambda: 0.0)
    assert [counter.next() for _ in range(3)] == [0, 1, 2] and counter.count == 3


def test_an_emoji_made_wide_by_its_variation_selector_is_counted_two_columns_on_the_status_line():
    """A preset named "love \u2764\ufe0f": the selector makes the heart an emoji two columns wide, so a line that
    just fits without it is cut, not wrapped onto a second row (caught: the selector's branch dropped, which counted
    it as an accent, none; the text-style selector counted one; a wide character counted three)."""
    line = "x" * 7 + "\u2764\ufe0f"
    assert fit_line(line, 10) == line
    assert fit_line(line, 9) == "x" * 7 + "\u2026"
    text_style = "x" * 8 + "\u263a\ufe0e"  # the text-style selector draws the smiley narrow: none for it
    assert fit_line(text_style, 10) == text_style
    wide = "x" * 5 + "\u65e5\u672c"  # two CJK characters, two columns each
    assert fit_line(wide, 10) == wide and fit_line(wide, 9) == "x" * 5 + "\u65e5\u2026"


def test_the_gpu_running_out_of_memory_for_another_allocation_is_the_same_error_on_the_terminal():
    """PyTorch names the allocation that failed, in MiB one time and GiB the next: within the minute the second is
    held back and counted, not said in full as a new error (caught: out-of-memory errors keyed by their text)."""
    now = [0.0]
    news = FailureNews(lambda: now[0])
    oom = "CUDA out of memory. Tried to allocate {}. GPU 0 has a total capacity of 79.25 GiB of which {} is free"
    assert news.failed(("OutOfMemoryError", oom.format("20.00 MiB", "3.50 MiB"), True)) == "new"
    now[0] += 1.0
    assert news.failed(("OutOfMemoryError", oom.format("2.00 GiB", "1.10 GiB"), True)) is None
    assert news.took_unsaid() == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        return 2


@pytest.mark.parametrize("size", [(0, 0), (0, 24)])
def test_a_terminal_that_says_it_is_0_columns_wide_gets_the_whole_status_line(monkeypatch, size):
    """A serial console or a pty nobody sized says 0x0: that is no width, and the line is written whole, not cut to
    one character and an ellipsis (caught: a 0x0 size taken as the terminal's, or a size with either part 0)."""
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size(size))
    out = _Terminal()
    StatusLine(out, pinned=False).update("LIVE | gen 12.0 fps | preset storm")
    assert out.getvalue() == "\rLIVE | gen 12.0 fps | preset storm"


class _Client:
    """A stand-in for vcam serve's server: what it was made with, the blocks it was given and the states it sent."""

    def __init__(self, controller, say, uploads, fit, replaying):
        self.made = (controller, uploads, fit, replaying)
        self.blocks: list[tuple[str, int]] = []
        self.states = 0

    def publish(self, frames, block=None):
        self.blocks.append((frames, block))

    def broadcast_state(self):
        self.states += 1


def test_a_served_shows_clients_get_each_block_numbered_as_the_camera_numbers_it_and_each_change_of_state():
    """The frame a screen change names is the same frame on a client's camera only where each block goes out with
    the number of blocks handed to the pacer before it (caught: the block listener or the state listener not wired,
    the attachment not made or not returned); a show with no server has none."""
    producer = SimpleNamespace(listeners=[], blocks=0)
    controller = SimpleNamespace(listeners=[])
    inputs = SimpleNamespace(uploads=object(), fit="crop")
    client = attached(_Client, controller, producer, print, inputs, replaying=True)
    assert isinstance(client, _Client) and client.made == (controller, inputs.uploads, "crop", True)
    for frames in ("first", "second"):
        for listener in producer.listeners:
            listener(frames)
        producer.blocks += 1
    for listener in controller.listeners:
        listener()
    assert client.blocks == [("first", 0), ("second", 1)] and client.states == 1
    assert attached(None, controller, producer, print, inputs, replaying=False) is None


class _Stream:
    def __init__(self):
        self.input, self.warmed = None, False

    def set_input(self, source, strength):
        self.input = (source, strength)

    def warm_up(self, say):
        self.warmed = True


def _opened(monkeypatch, device: str, compile: bool):
    """A stream opened on a fake engine that made the show smaller (a card too small for 832x480): what was said,
    what the loading card showed, the stream."""
    import vcam.engine.load as load_module

    stream = _Stream()
    engine = SimpleNamespace(width=416, height=240, device=SimpleNamespace(type=device), offload_text_after_start=False,
                             text=SimpleNamespace(on_cut=None), stream=lambda prompts, **kw: stream)
    monkeypatch.setattr(load_module, "load", lambda *a, **kw: engine)
    cfg = SimpleNamespace(width=832, height=480, prompts={"a neon city": 1.0}, seed=0, steps=4, transition=4,
                          pin_first_latent=False, bias=1.0, strength=0.6, adapt=True)
    inputs = SimpleNamespace(resize=lambda w, h: f"camera at {w}x{h}")
    said, card = [], []
    opened = stream_opener(SimpleNamespace(weights=None, replay=None), "krea-14b", cfg,
                           SimpleNamespace(options=SpeedOptions(compile=compile)), [], inputs, said.append)(card.append)
    assert opened is stream
    return said, card, stream


@pytest.mark.parametrize("device, compile, line", [("cuda", False, "warming up"), ("cpu", True, "compiling for")])
def test_a_show_on_a_gpu_or_compiled_warms_up_before_going_on_air_and_says_so(monkeypatch, device, compile, line):
    """The first blocks are slow (kernels picked, or compiled): made before going on air, said on the terminal and on
    the loading card; the show's input follows the smaller size the engine took (caught: the warm-up's condition
    turned, its line not said or not on the card, the input left at the show's size or without its strength)."""
    said, card, stream = _opened(monkeypatch, device, compile)
    assert stream.warmed and said[0].startswith(line) and card[-1] == said[0]
    assert stream.input == ("camera at 416x240", 0.6)


def test_a_show_on_a_cpu_uncompiled_goes_on_air_without_a_warm_up(monkeypatch):
    """tiny on a CPU has nothing to pick or compile: no warm-up, and nothing said (caught: `or` made `and` the other
    way, or the condition dropped)."""
    said, card, stream = _opened(monkeypatch, "cpu", False)
    assert not stream.warmed and said == [] and card == []


def test_a_show_stopped_as_its_model_finishes_loading_starts_no_stream_and_warms_nothing_up(monkeypatch):
    """A `quit` or Ctrl-C that comes as the load's last step ends: the stream's prompts and warm-up (seconds, minutes
    on a card) are not begun, the open ends in LoadStopped (caught: the check after the load dropped)."""
    import vcam.engine.load as load_module

    stop, begun = [], []
    engine = SimpleNamespace(width=416, height=240, device=SimpleNamespace(type="cuda"), offload_text_after_start=True,
                             text=SimpleNamespace(on_cut=None), stream=lambda prompts, **kw: begun.append("stream"))

    def load(*args, stopped, **kw):
        assert not stopped()  # asked at each of the load's steps: none stopped it
        stop.append(True)  # the stop comes as the load returns
        return engine

    monkeypatch.setattr(load_module, "load", load)
    cfg = SimpleNamespace(width=832, height=480, prompts={"a neon city": 1.0}, seed=0, steps=4, transition=4,
                          pin_first_latent=False, bias=1.0, strength=0.6, adapt=True)
    said, card = [], []
    opener = stream_opener(SimpleNamespace(weights=None, replay=None), "krea-14b", cfg,
                           SimpleNamespace(options=SpeedOptions(compile=True)), ["a forest"],
                           SimpleNamespace(resize=lambda w, h: None), said.append, stopped=lambda: bool(stop))
    with pytest.raises(LoadStopped):
        opener(card.append)
    assert begun == [] and said == [] and card == [] and engine.text.on_cut is None


def test_a_first_prompt_the_encoder_overflows_on_is_fixed_by_other_words_live_and_by_the_model_in_a_replay():
    """A live show starts on other words; a replayed log starts on its own prompt, which no option changes (caught:
    the replay's branch dropped or turned)."""
    assert "--prompt" in first_prompt_fix(SimpleNamespace(replay=None))
    replay = first_prompt_fix(SimpleNamespace(replay="show.log"))
    assert replay.startswith("show.log starts on this prompt") and "--prompt" not in replay


def test_a_pinned_line_gives_the_terminal_back_at_exit_and_an_unpinned_one_leaves_nothing_to_do(monkeypatch):
    """A show that ends on an error must not leave the scroll region set (every later line of the shell would stay
    above the last row): a pinned line registers its end at exit, which gives the region back; a line not pinned
    registers nothing (caught: the registration's condition dropped or turned)."""
    registered = []
    monkeypatch.setattr(status_module.atexit, "register", registered.append)
    out = _Terminal()
    pinned = StatusLine(out, pinned=True, size=lambda: (80, 24))
    StatusLine(_Terminal(), pinned=False, size=lambda: (80, 24))
    assert len(registered) == 1
    pinned.update("LIVE | one")
    registered[0]()
    assert out.getvalue().endswith("\x1b7\x1b[r\x1b[24;1H\x1b[K\x1b8\rLIVE | one\x1b[K\n")


class _Log:
    """A log file as `tail -f` sees it: only what was flushed."""

    def __init__(self):
        self.buffered, self.seen = "", ""

    def write(self, text: str) -> None:
        self.buffered += text

    def flush(self) -> None:
        self.seen, self.buffered = self.seen + self.buffered, ""


def test_the_status_line_in_a_log_reaches_it_as_it_is_written():
    """Without a terminal (stderr sent to a file), each periodic status line is flushed as it is written, so one
    watching the log sees the show now, not a buffer's worth later (caught: the log branch's flush dropped)."""
    log, now = _Log(), [100.0]
    line = StatusLine(log, log_every=10.0, clock=lambda: now[0])
    line.update("LIVE | gen 12.0 fps")
    assert log.seen == "LIVE | gen 12.0 fps\n"


class _BufferedTerminal(_Log):
    def isatty(self) -> bool:
        return True


def test_a_pinned_status_line_reaches_the_terminal_at_each_update():
    """stderr is line-buffered on a terminal, and the pinned line ends in no line break: unflushed, the last row
    stayed as it was until the next message (caught: the pinned write's flush dropped)."""
    out = _BufferedTerminal()
    StatusLine(out, pinned=True, size=lambda: (80, 24)).update("LIVE | two")
    assert out.seen.endswith("\x1b7\x1b[24;1HLIVE | two\x1b[K\x1b8") and out.buffered == ""
