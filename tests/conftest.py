import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # not imported here: the cache folders below are set before vcam brings torch in
    from vcam.control.commands import Command

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

# torch.compile's kernels outlive the test session (the compile tests, in the slow set, take minutes the first time
# and seconds after): a cache of the tests' own, never the user's vcam cache. Set before torch is imported, and
# inherited by the subprocesses the tests start; vcam keeps a TORCHINDUCTOR_CACHE_DIR that was chosen.
TEST_CACHE = Path(os.environ.get("VCAM_TEST_CACHE")
                  or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vcam-tests")
os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(TEST_CACHE / "inductor"))
os.environ.setdefault("TRITON_CACHE_DIR", str(TEST_CACHE / "inductor" / "triton"))


@pytest.fixture(scope="session")
def tiny_engine():
    import vcam

    return vcam.load("tiny", progress=False)


@pytest.fixture
def shared_tiny(tiny_engine, monkeypatch):
    """`vcam.load("tiny")` as a live run calls it (random weights on the CPU, the default speed options) returns
    the session's tiny engine instead of building another: the same fixed-seed network, so the same frames. Each
    call gets an Engine of its own sharing the networks, so the size a run gives it stays the run's. Anything
    else (weights, another device, dtype or speed option) is built as before."""
    import dataclasses

    import vcam.engine.load as load_module
    from vcam.engine.configs import get_spec

    real_load = load_module.load

    def load(model="tiny", **kwargs):
        speed = kwargs.get("speed") or tiny_engine.speed
        if model != "tiny" or speed != tiny_engine.speed or any(
                kwargs.get(k) is not None for k in ("weights", "device", "dtype")):
            return real_load(model, **kwargs)
        spec = get_spec(model)
        say = load_module._logger(kwargs.get("progress", True), kwargs.get("report"))
        load_module._stoppable(say, kwargs.get("stopped"))(
            f"building {spec.name} (random weights)")  # what a build says (or its stop); tests read it
        return dataclasses.replace(tiny_engine, width=kwargs.get("width") or spec.width,
                                   height=kwargs.get("height") or spec.height)

    monkeypatch.setattr(load_module, "load", load)
    return tiny_engine


@pytest.fixture(scope="session")
def weights_folder(tmp_path_factory):
    """A folder laid out like the hub repos, holding the tiny model's weights in Krea's checkpoint layout."""
    from fixtures import make_weights_folder

    return make_weights_folder(tmp_path_factory.mktemp("weights"))


@pytest.fixture
def camera():
    """The in-memory virtual camera backend, registered with pyvirtualcam for one test."""
    import memory_camera

    backend = memory_camera.install()
    yield backend
    memory_camera.uninstall()


@pytest.fixture(autouse=True, scope="session")
def own_cache_dir(tmp_path_factory):
    """Tests never read or write the user's tuning file or compile cache (a tuned "no fuse" would change frames)."""
    before = os.environ.get("VCAM_CACHE_DIR")
    os.environ["VCAM_CACHE_DIR"] = str(tmp_path_factory.mktemp("vcam-cache"))
    yield
    if before is None:
        os.environ.pop("VCAM_CACHE_DIR", None)
    else:
        os.environ["VCAM_CACHE_DIR"] = before


@pytest.fixture
def fake_midi_backend():
    """mido on tests/fake_midi.py, with a nanoKONTROL2 and a MIDImix plugged in."""
    import mido

    import fake_midi

    mido.set_backend("fake_midi", load=True)
    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.update({"Fake nanoKONTROL2 MIDI 1", "Fake MIDImix"})
    fake_midi.OUTPUTS.clear()
    fake_midi.SENT.clear()
    yield fake_midi
    mido.set_backend(None)


class Applied:
    """A controller that keeps the commands its buttons send."""

    def __init__(self) -> None:
        self.commands: list[str] = []

    def apply(self, command: "Command", origin: str) -> str:
        self.commands.append(command.name)
        return f"did {command.name}"


@pytest.fixture
def opened_early(fake_midi_backend):
    """A show's MIDI input opened on the nanoKONTROL2 as vcam starts: `opened_early(*buttons)` gives the router of
    a map of `buttons` on an Applied controller (`.controller`) and the EarlyInput opened with its map; one no
    MidiInput took is closed at the end."""
    from vcam.control.midi import MidiRouter
    from vcam.control.midiinput import EarlyInput
    from vcam.control.midimap import MidiMap

    opened = []

    def open_early(*buttons):
        router = MidiRouter(MidiMap(buttons=buttons), Applied())
        early = EarlyInput()
        early.open("nano", router.mapping)
        opened.append(early)
        return router, early

    yield open_early
    for early in opened:
        early.close()


@pytest.fixture
def local_servers():
    """Starts FrameServers (vcam serve's network side) on free ports, loopback unless told, with a controller that
    records the lines it gets and a list of what each server says. FrameServer's own arguments (uploads,
    on_sender, input_size, input_fit) pass through; the rest are ServeSettings."""
    from vcam.remote.server import FrameServer, ServeSettings

    servers = []
    own = ("uploads", "on_sender", "input_size", "input_fit")

    def make(**settings):
        lines, said = [], []
        intake = {k: settings.pop(k) for k in own if k in settings}
        server = FrameServer(ServeSettings(**{"port": 0, **settings}),
                             lambda line, source: (lines.append(line), "ok")[1], lambda: {"screen": "live"},
                             said.append, **intake)
        server.start()
        server.lines, server.said = lines, said
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def local_server(local_servers):
    return local_servers()


@pytest.fixture
def capture(monkeypatch):
    """Every block the generator pushes, and every stream made."""
    import numpy as np
    import vcam.engine.load
    from vcam.live.pacer import Pacer

    blocks, streams = [], []
    original_push = Pacer.push

    def push(self, frames, block=None):
        blocks.append(np.array(frames))
        return original_push(self, frames, block)

    original_stream = vcam.engine.load.Engine.stream

    def stream(self, *a, **kw):
        s = original_stream(self, *a, **kw)
        streams.append(s)
        return s

    monkeypatch.setattr(Pacer, "push", push)
    monkeypatch.setattr(vcam.engine.load.Engine, "stream", stream)
    return blocks, streams


@pytest.fixture
def captured(monkeypatch):
    """The null: and file: outputs the show opens, each a Capture, in the order opened."""
    from helpers import Capture
    from vcam.live import outputs

    made = []

    def opener(spec, w, h, fps):
        made.append(Capture(str(spec)))
        return made[-1]

    monkeypatch.setitem(outputs.OPENERS, "null", opener)
    monkeypatch.setitem(outputs.OPENERS, "file", opener)
    return made
