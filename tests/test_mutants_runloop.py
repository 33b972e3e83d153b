"""A local show's run as the operator meets it: what its start opens and in which order, what a Ctrl-C or a stop
does to what it opened, and the lines it chooses to say (vcam.live.run); then the generator thread, the hand-over
between threads, the heap's trim and the flow smoother underneath it."""
import io
from types import SimpleNamespace

import pytest

from vcam.live.status import StatusLine


def _start_that_fails(monkeypatch, error: BaseException) -> list:
    """`play` whose start past the input's opening raises `error`; the list of the input's closes."""
    from vcam.live import run

    closed: list = []
    monkeypatch.setattr(run, "_prepare", lambda opts: SimpleNamespace(opts=opts, cfg=None,
                                                                      status=StatusLine(io.StringIO())))
    monkeypatch.setattr(run, "_open_input", lambda opts, cfg, say: SimpleNamespace(close=lambda: closed.append(1)))

    def fails(*args):
        raise error

    monkeypatch.setattr(run, "_play", fails)
    return closed


def test_a_ctrl_c_while_the_show_starts_lets_the_camera_go(monkeypatch):
    """A Ctrl-C before the show's own handlers are in place (the model loading) is a KeyboardInterrupt: the camera
    opened first is let go as for any failed start, so a caller in its own process (vcam serve, a script) finds it
    free again."""
    from vcam.live import run
    from vcam.live.settings import RunOptions

    closed = _start_that_fails(monkeypatch, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run.play(RunOptions())
    assert closed == [1]


@pytest.mark.parametrize("given, video_in", [(None, False), ("camera:0", True)])
def test_the_speed_of_a_show_with_an_input_is_chosen_as_tuned_with_video_in(monkeypatch, given, video_in):
    """A show with an input encodes a block of it each block: its speed options are those tuned with video in (an
    input's rate differs), a show without one those tuned without."""
    import vcam.bench.tuning
    from vcam.live.run import RunOptions, _prepare

    asked = []
    real = vcam.bench.tuning.live_choice

    def choice(*args, **kwargs):
        asked.append(kwargs["video_in"])
        return real(*args, **kwargs)

    monkeypatch.setattr(vcam.bench.tuning, "live_choice", choice)
    _prepare(RunOptions(outs=["null"], input=given, model="tiny", status_out=io.StringIO()))
    assert asked == [video_in]


def test_the_start_holds_a_ctrl_c_while_it_imports_the_model_code(monkeypatch):
    """PyTorch's import (the first of the model's code) runs Python from C++, where a Ctrl-C aborted the process:
    the start holds a Ctrl-C for its length, and chooses the model only after it."""
    import contextlib

    import vcam.engine.load
    from vcam.live import run
    from vcam.live.settings import RunOptions

    events = []

    @contextlib.contextmanager
    def held():
        events.append("held")
        yield
        events.append("let go")

    real = vcam.engine.load.choose_model
    monkeypatch.setattr(run, "ctrl_c_held", held)
    monkeypatch.setattr(vcam.engine.load, "choose_model", lambda *a, **kw: events.append("model") or real(*a, **kw))
    run._prepare(RunOptions(outs=["null"], model="tiny", status_out=io.StringIO()))
    assert events == ["held", "let go", "model"]


def test_the_heap_trim_asks_the_c_library_to_keep_no_padding(monkeypatch):
    """malloc_trim's argument is the memory kept at the top of the heap: 0 hands back every free page there."""
    from vcam.live import heap

    asked = []
    library = SimpleNamespace(malloc_trim=lambda pad: asked.append(pad) or 1)
    monkeypatch.setattr(heap.sys, "platform", "linux")
    monkeypatch.setattr(heap.ctypes, "CDLL", lambda name: library)
    trim = heap.malloc_trim()
    assert trim() == 1 and asked == [0]
