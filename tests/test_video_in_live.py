"""Video in on a running tiny show: a clip replayed frame for frame, live changes of input and strength, bad inputs
said before the model loads, and a laptop's uploads steering what `vcam serve` makes."""
import io
import json
import subprocess
import sys

import numpy as np
import pytest

import vcam.engine.load
from helpers import FAST, free_port, live_show, wait_for, write_clip
from vcam.cli import main
from vcam.live.run import RunOptions, run

pytestmark = pytest.mark.usefixtures("shared_tiny")



@pytest.fixture
def clips(tmp_path):
    """Two clips unlike each other, and a still."""
    import cv2

    a = write_clip(tmp_path / "a.avi", count=30, size=(96, 64), levels=[30, 90, 150, 210])
    b = write_clip(tmp_path / "b.avi", count=30, size=(96, 64), levels=[240, 10])
    still = tmp_path / "still.png"
    img = np.zeros((64, 96, 3), np.uint8)
    img[:, :48] = 250
    cv2.imwrite(str(still), img)
    return a, b, str(still)


def _changes(log) -> list[dict]:
    """The stream's changes a log holds (not the quit that ended it)."""
    return [e for e in map(json.loads, log.read_text().splitlines()) if "command" in e and e["apply"]["op"] != "quit"]


def test_a_show_on_a_clip_replays_frame_for_frame_and_its_changes_take_effect_at_the_next_block(clips, tmp_path,
                                                                                              capture):
    a, b, still = clips
    blocks, _ = capture
    log = tmp_path / "controls.jsonl"
    live_show(RunOptions(model="tiny", prompt="a neon city", input=f"file:{a}", strength=0.5, outs=["null"],
                         fps=FAST, log_controls=str(log)), blocks,
              [(2, "strength 0.9"), (4, f"input file:{b}"), (6, f"input image:{still}"), (8, "input none")], 10)
    live = list(blocks)
    changes = _changes(log)
    assert [c["apply"]["op"] for c in changes] == ["strength", "input", "input", "input"]
    assert changes[1]["apply"]["spec"] == f"file:{b}"
    header = json.loads(log.read_text().splitlines()[0])["vcam"]
    assert (header["input"], header["strength"], header["input_fit"]) == (f"file:{a}", 0.5, "crop")

    blocks.clear()
    run(RunOptions(model="tiny", replay=str(log), outs=["null"], fps=FAST, stdin=False))
    assert len(blocks) == len(live) and all(np.array_equal(x, y) for x, y in zip(blocks, live))

    # the same start without its commands: equal up to the first change's block, different from there on
    bare = tmp_path / "bare.jsonl"
    bare.write_text("\n".join(x for x in log.read_text().splitlines() if '"command"' not in x) + "\n")
    blocks.clear()
    run(RunOptions(model="tiny", replay=str(bare), outs=["null"], fps=FAST, stdin=False))
    k = changes[0]["block"]
    assert all(np.array_equal(x, y) for x, y in zip(blocks[:k], live[:k]))
    assert not np.array_equal(blocks[k], live[k])


def test_the_input_changes_what_is_made_and_strength_one_is_text_only(clips, tmp_path, capture):
    a, b, _ = clips
    blocks, _ = capture
    made = {}
    for name, given in {"a": dict(input=f"file:{a}"), "b": dict(input=f"file:{b}"), "none": {},
                        "a at 1": dict(input=f"file:{a}", strength=1.0)}.items():
        blocks.clear()
        log = tmp_path / f"{name}.jsonl"
        live_show(RunOptions(model="tiny", prompt="a neon city", seed=5, outs=["null"], fps=FAST,
                             log_controls=str(log), **given), blocks, [], 3)
        made[name] = [x.copy() for x in blocks[:3]]
    assert all(not np.array_equal(x, y) for x, y in zip(made["a"], made["b"]))
    assert all(not np.array_equal(x, y) for x, y in zip(made["a"], made["none"]))
    assert all(np.array_equal(x, y) for x, y in zip(made["a at 1"], made["none"]))


@pytest.mark.parametrize("given, says", [("file:/no/such/clip.mp4", "/no/such/clip.mp4"),
                                         ("image:/no/such/photo.png", "/no/such/photo.png"),
                                         ("camera:/dev/video-none", "no capture device /dev/video-none"),
                                         ("net", "only in vcam serve")])
def test_a_missing_input_is_said_before_the_model_loads(given, says, monkeypatch, capsys):
    loaded = []
    monkeypatch.setattr(vcam.engine.load, "load", lambda *a, **kw: loaded.append(1))
    assert main(["run", "--model", "tiny", "--in", given, "--out", "null", "--no-stdin", "--duration", "1"]) == 2
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert not loaded


class _FpsSeen(Exception):
    pass


def test_a_show_and_its_render_give_the_clip_the_shows_frame_rate(clips, tmp_path, monkeypatch, capsys):
    """The show's --fps (and a render's, the log's) is the timeline a clip plays on at its own speed."""
    import vcam.live.render
    import vcam.live.run
    from vcam.live.inputs import InputSwitch
    from vcam.live.render import RenderOptions, render

    seen = []

    class Seen(InputSwitch):
        def open(self, spec):
            seen.append(self.fps)
            raise _FpsSeen()

    monkeypatch.setattr(vcam.live.run, "InputSwitch", Seen)
    monkeypatch.setattr(vcam.live.render, "InputSwitch", Seen)
    monkeypatch.setattr(vcam.engine.load, "load", lambda *a, **kw: pytest.fail("loaded"))
    with pytest.raises(_FpsSeen):
        run(RunOptions(model="tiny", input=f"file:{clips[0]}", fps=48.0, outs=["null"], stdin=False))
    header = {"model": "tiny", "seed": 3, "prompts": {"a city": 1.0}, "steps": 4, "transition": 2, "size": [112, 64],
              "pin_first_latent": False, "input": f"file:{clips[0]}", "input_fit": "crop", "strength": 0.6,
              "fps": 24.0, "quant": "none"}
    log = tmp_path / "show.jsonl"
    log.write_text(json.dumps({"vcam": header}) + "\n" + json.dumps({"end": {"blocks": 2}}) + "\n")
    with pytest.raises(_FpsSeen):
        render(RenderOptions(log=str(log), outs=["null"], status_out=io.StringIO()))
    assert seen == [48.0, 24.0]


def test_a_laptop_sending_a_clip_changes_what_the_server_makes(clips, tmp_path, capture):
    """`vcam cam --send file:…` (its own process, no torch) on loopback: the served show switches to its frames
    (`input net`, in the control log) and makes other frames than the same show without them."""
    from test_network import Server

    a, _, _ = clips
    blocks, _ = capture
    server = Server(tmp_path, free_port())
    server.wait_on_air()
    cam = subprocess.Popen([sys.executable, "-m", "vcam", "cam", f"ws://127.0.0.1:{server.port}", "--out", "null",
                            "--no-stdin", "--send", f"file:{a}"], stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                           text=True)
    try:
        assert wait_for(lambda: any(c["apply"] == {"op": "input", "spec": "net"} for c in server.commands()), 120), \
            server.said()
        switched = next(c["block"] for c in server.commands() if c["apply"].get("spec") == "net")
        assert wait_for(lambda: len(blocks) >= switched + 3, 120)
        assert "in net" in server.said()
    finally:
        cam.terminate()
        cam.wait(60)
        server.stop()
    served = list(blocks)
    entries = [json.loads(x) for x in server.log.read_text().splitlines()]
    bare = tmp_path / "bare.jsonl"
    bare.write_text("\n".join(json.dumps(e) for e in entries if "command" not in e) + "\n")
    blocks.clear()
    run(RunOptions(model="tiny", replay=str(bare), outs=["null"], fps=FAST, stdin=False))
    assert all(np.array_equal(x, y) for x, y in zip(blocks[:switched], served[:switched]))
    assert all(not np.array_equal(x, y) for x, y in zip(blocks[switched:switched + 2], served[switched:]))


@pytest.fixture
def fake_camera(monkeypatch):
    """Every camera a run opens is a FakeDevice's."""
    from fake_capture import FakeDevice

    device = FakeDevice(size=(80, 60), bgr=(40, 120, 200))
    monkeypatch.setattr("vcam.live.inputs.camera.open_device", device.open)
    return device


@pytest.mark.parametrize("broken", ["log", "output"])
def test_a_run_that_cannot_start_lets_its_camera_go(fake_camera, tmp_path, monkeypatch, broken):
    from vcam.errors import VcamError
    from vcam.live.outputs import OPENERS

    opts = RunOptions(model="tiny", prompt="a city", input="camera", outs=["null"], stdin=False, duration=1,
                      status_out=io.StringIO())
    if broken == "log":
        opts.log_controls = str(tmp_path / "no" / "such" / "folder" / "log.jsonl")
    else:  # an output that fails as it opens (a recording's missing folder is refused before the camera opens)
        def unplugged(spec, width, height, fps):
            raise VcamError("the output is unplugged", "plug it in")

        monkeypatch.setitem(OPENERS, "null", unplugged)
    with pytest.raises(Exception):
        run(opts)
    assert fake_camera.opened and fake_camera.open_captures() == 0


def test_a_show_on_a_camera_closes_it_once_the_producer_is_out_of_its_block(fake_camera, capture, monkeypatch):
    import threading

    from vcam.live.inputs.camera import CameraSource

    blocks, _ = capture
    producer_alive_at_close = []
    original = CameraSource.close

    def close(self):
        producer_alive_at_close.append(any(t.name == "generator" and t.is_alive() for t in threading.enumerate()))
        original(self)

    monkeypatch.setattr(CameraSource, "close", close)
    live_show(RunOptions(model="tiny", prompt="a city", input="camera", strength=0.5, outs=["null"], fps=FAST),
              blocks, [], 3)
    assert producer_alive_at_close == [False] and fake_camera.open_captures() == 0
