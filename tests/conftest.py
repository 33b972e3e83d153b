import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")


@pytest.fixture(scope="session")
def tiny_engine():
    import vcam

    return vcam.load("tiny", progress=False)


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
    yield fake_midi
    mido.set_backend(None)
