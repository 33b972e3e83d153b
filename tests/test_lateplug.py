"""A MIDI controller plugged in after the show started: waited for by the input's own watch, said once beside the
inputs there are, opened when it comes; MIDI missing altogether is still refused at the start."""
import threading

import mido
import pytest

import fake_midi
from helpers import wait_for
from vcam.control import lateplug, midiinput as midi_module
from vcam.control.lateplug import require_midi, require_midi_for
from vcam.control.midi import waiting_line
from vcam.control.midiinput import MidiInput
from vcam.errors import VcamError

LATE = "Fake Launchpad Mini"


@pytest.fixture
def looks(fake_midi_backend, monkeypatch):
    """How many times the port list was read, for a test to know the wait has looked a few times."""
    count, listed = [0], fake_midi.get_devices

    def get_devices(**kwargs):
        count[0] += 1
        return listed(**kwargs)

    monkeypatch.setattr(fake_midi, "get_devices", get_devices)
    yield lambda: count[0]
    fake_midi.unplug(LATE)


def waiting(said, wanted="launchpad", **kwargs) -> MidiInput:
    got = []
    midi = MidiInput(wanted, got.append, said.append, poll=0.02, **kwargs)
    midi.got = got
    midi.start()
    return midi


def test_a_controller_there_at_the_start_is_opened_at_once_without_a_wait(fake_midi_backend):
    said = []
    midi = waiting(said, "nanokontrol2")
    try:
        assert midi.port is not None and midi.port_name == "Fake nanoKONTROL2 MIDI 1"
        assert said == ["MIDI: listening on Fake nanoKONTROL2 MIDI 1"]
    finally:
        midi.stop()


def test_a_controller_plugged_in_later_is_waited_for_said_once_and_opened_when_it_comes(looks):
    said = []
    midi = waiting(said)
    try:
        assert said == ["waiting for MIDI input 'launchpad' (inputs now: Fake MIDImix, Fake nanoKONTROL2 MIDI 1); "
                        "plug it in"]
        at = looks()
        assert wait_for(lambda: looks() >= at + 3)  # looked again and again: said once all the same
        assert len(said) == 1 and midi.port is None
        fake_midi.plug(LATE)
        assert wait_for(lambda: f"MIDI: listening on {LATE}" in said, 30), said
        assert said[1:] == [f"MIDI input {LATE} connected", f"MIDI: listening on {LATE}"]
        fake_midi.send(LATE, mido.Message("note_on", note=36, velocity=100))
        assert wait_for(lambda: midi.got, 30) and midi.got[0].note == 36
        # from here on the input's own watch follows it
        fake_midi.unplug(LATE)
        assert wait_for(lambda: any("unplugged" in s for s in said), 30)
        fake_midi.plug(LATE)
        assert wait_for(lambda: any("is back" in s for s in said), 30)
    finally:
        midi.stop()


def test_the_shows_own_port_says_where_it_came_from(fake_midi_backend):
    said = []
    midi = waiting(said, where="show.yaml")
    midi.stop()
    assert said == ["waiting for MIDI input 'launchpad' (the midi: port of show.yaml; inputs now: Fake MIDImix, Fake "
                    "nanoKONTROL2 MIDI 1); plug it in"]
    assert waiting_line("nano", []) == "waiting for MIDI input 'nano' (inputs now: none); plug it in"


def test_a_controller_that_comes_but_does_not_open_yet_is_said_once_and_tried_until_it_opens(looks, monkeypatch):
    refusals, opened = [3], fake_midi.Input._open

    def open_later(self, **kwargs):
        if self.name == LATE and refusals[0]:
            refusals[0] -= 1
            raise OSError("port busy")
        return opened(self, **kwargs)

    monkeypatch.setattr(fake_midi.Input, "_open", open_later)
    said = []
    midi = waiting(said)
    try:
        fake_midi.plug(LATE)
        assert wait_for(lambda: f"MIDI: listening on {LATE}" in said, 30), said
        assert said[1:] == [f"MIDI input {LATE} connected",
                            f"MIDI input {LATE} could not be opened (port busy); trying again until it opens",
                            f"MIDI: listening on {LATE}"]
    finally:
        midi.stop()


def test_a_controller_gone_again_before_it_opened_is_said_so_and_waited_for_again(looks, monkeypatch):
    """Listed at one look and gone by the open (a hub that flickers): the input's own refusal was said, the inputs
    listed over several lines with a fix about how to write --midi, where nothing was written wrong."""
    opened, flickered = fake_midi.Input._open, []

    def flickering(self, **kwargs):
        if self.name == LATE and not flickered:  # the first open: gone since the look that listed it
            flickered.append(self.name)
            fake_midi.unplug(LATE)
        return opened(self, **kwargs)

    monkeypatch.setattr(fake_midi.Input, "_open", flickering)
    said = []
    midi = waiting(said)
    try:
        fake_midi.plug(LATE)
        assert wait_for(lambda: any("went away" in s for s in said), 30), said
        fake_midi.plug(LATE)
        assert wait_for(lambda: f"MIDI: listening on {LATE}" in said, 30), said
        assert said[1:] == [f"MIDI input {LATE} connected",
                            f"MIDI input {LATE} went away before it could be opened; waiting for it again",
                            f"MIDI input {LATE} connected", f"MIDI: listening on {LATE}"]
    finally:
        midi.stop()


def test_a_show_that_ends_while_waiting_stops_the_wait(looks):
    midi = waiting([])
    midi.stop()
    assert not midi._thread.is_alive() and midi.port is None


def test_a_show_that_ends_as_the_controller_opens_leaves_it_closed(looks, monkeypatch):
    opening, release, opened = threading.Event(), threading.Event(), fake_midi.Input._open

    def slow_open(self, **kwargs):
        if self.name == LATE:
            opening.set()
            release.wait(30)
        return opened(self, **kwargs)

    monkeypatch.setattr(fake_midi.Input, "_open", slow_open)
    midi = waiting([])
    fake_midi.plug(LATE)
    assert opening.wait(30)
    stopping = threading.Thread(target=midi.stop, daemon=True)
    stopping.start()
    assert wait_for(midi._stop.is_set)
    release.set()
    stopping.join(30)
    assert not stopping.is_alive() and not midi._thread.is_alive()  # the stop waited for the open
    assert midi.port is None and not any(p.name == LATE for p in fake_midi.OPEN)


def test_a_port_the_watch_opens_after_a_stop_gave_up_waiting_for_it_is_closed(fake_midi_backend, monkeypatch):
    """A MIDI system slow to open a port (JACK on a loaded machine) held the watch in its reopen past the stop's
    wait: the stop closed nothing, and the port the watch opened after it stayed open for good."""
    port, opening, release, opened = "Fake nanoKONTROL2 MIDI 1", threading.Event(), threading.Event(), \
        fake_midi.Input._open
    said = []
    midi = waiting(said, "nanokontrol")
    try:
        fake_midi.unplug(port)
        assert wait_for(lambda: any("unplugged" in s for s in said), 30), said

        def slow_open(self, **kwargs):
            opening.set()
            assert release.wait(30)
            return opened(self, **kwargs)

        monkeypatch.setattr(fake_midi.Input, "_open", slow_open)
        fake_midi.plug(port)
        assert opening.wait(30)
        monkeypatch.setattr(midi_module, "STOP_S", 0.0)  # the stop's wait runs out while the port opens
        midi.stop()
        assert midi._thread.is_alive() and midi.port is None  # still opening
    finally:
        release.set()
    midi._thread.join(30)
    assert not midi._thread.is_alive()
    assert midi.port is None and not any(p.name == port for p in fake_midi.OPEN)
    assert not any("is back" in s for s in said)


def test_a_stop_waits_only_a_moment_for_a_command_still_in_hand(fake_midi_backend, monkeypatch):
    """vcam cam's knob waits for the link's send while an upload is stalled on a dropped Wi-Fi (up to the link's
    keepalive, 20 s): Ctrl-C waited for it as long as for a port's slow open, where that thread touches no port."""
    monkeypatch.setattr(midi_module, "STOP_S", 3600.0)  # a port's open may take long: a command in hand may not
    monkeypatch.setattr(midi_module, "HANDLING_S", 0.05)
    handling, release = threading.Event(), threading.Event()

    def stalled(msg):
        handling.set()
        release.wait(60)

    midi = MidiInput("nanokontrol2", stalled, [].append, poll=0.02)
    midi.start()
    stopping = threading.Thread(target=midi.stop, daemon=True)
    try:
        fake_midi.send("Fake nanoKONTROL2 MIDI 1", mido.Message("control_change", control=16, value=3))
        assert handling.wait(30)
        stopping.start()
        stopping.join(30)
        assert not stopping.is_alive()  # stopped with the command still in hand
        assert midi.port is None and not any(p.name == "Fake nanoKONTROL2 MIDI 1" for p in fake_midi.OPEN)
    finally:
        release.set()
        if stopping.ident is not None:
            stopping.join(30)


def test_midi_not_installed_is_refused_with_the_install_fix(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "mido", None)
    with pytest.raises(VcamError) as refused:
        require_midi()
    assert refused.value.message == "MIDI support is not installed" and ".[midi]" in refused.value.fix


def test_mido_without_python_rtmidi_is_refused_with_the_install_fix_not_alsas(monkeypatch):
    """mido lists ports through python-rtmidi: without it, its error sent the operator to the ALSA sequencer."""
    mido.set_backend("mido.backends.rtmidi", load=False)
    try:
        monkeypatch.setattr(lateplug.importlib.util, "find_spec", lambda name: None)
        with pytest.raises(VcamError) as refused:
            require_midi()
    finally:
        mido.set_backend(None)
    assert "python-rtmidi is missing" in refused.value.message and ".[midi]" in refused.value.fix


def test_midi_missing_says_where_the_port_came_from(monkeypatch):
    """vcam run and vcam cam each wrapped the fix for --midi in a copy of their own."""
    import sys

    monkeypatch.setitem(sys.modules, "mido", None)
    with pytest.raises(VcamError) as option:
        require_midi_for()
    assert option.value.message == "MIDI support is not installed"
    assert option.value.fix.endswith('(mido and python-rtmidi); or run without --midi')
    with pytest.raises(VcamError) as show:
        require_midi_for("show.yaml")
    assert show.value.message == "the midi: port in show.yaml needs MIDI support: MIDI support is not installed"
    assert show.value.fix.endswith(", or remove the port from show.yaml (--midi none plays it without)")
