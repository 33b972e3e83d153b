"""Controls that go wrong on air, and the show going on: a MIDI controller plugged back in that does not open yet,
a MIDI system that stops answering, a tablet that leaves the network while OSC replies go to it, an OSC socket
error or a handler that raises, a camera tick that fails, a cue that breaks."""
import errno
import socket
import threading
from types import SimpleNamespace

import mido
import numpy as np
import pytest
from pythonosc.udp_client import SimpleUDPClient

import fake_midi
from helpers import wait_for
from vcam.control import oscinput as oscinput_module
from vcam.control.midiinput import MidiInput
from vcam.control.oscinput import OscInput
from vcam.control.oscreply import OscReplies
from vcam.errors import VcamError

PORT = "Fake nanoKONTROL2 MIDI 1"


# --- MIDI ---------------------------------------------------------------------------------------------------------

def test_a_controller_plugged_back_that_does_not_open_yet_is_tried_again_until_it_does(fake_midi_backend,
                                                                                      monkeypatch):
    """ALSA lists a port a moment before it can be opened."""
    said, heard = [], []
    midi = MidiInput("nanokontrol", lambda msg: heard.append(msg.control) and None, said.append, poll=0.02)
    midi.start()
    try:
        fake_midi.unplug(PORT)
        assert wait_for(lambda: any("unplugged" in s for s in said), 60)
        refusals = []
        real_open = fake_midi.Input._open

        def not_yet(self, **kwargs):
            if len(refusals) < 2:
                refusals.append(self.name)
                raise OSError(f"port {self.name!r} is busy")
            return real_open(self, **kwargs)

        monkeypatch.setattr(fake_midi.Input, "_open", not_yet)
        fake_midi.plug(PORT)
        assert wait_for(lambda: any(s == f"MIDI controller {PORT} is back" for s in said), 60)
        assert refusals == [PORT] * 2
        tried = [s for s in said if "could not be reopened" in s]  # once, not once a look while it goes on
        assert tried == [f"MIDI controller {PORT} could not be reopened (port {PORT!r} is busy); trying again "
                         "until it opens"]
        fake_midi.send(PORT, mido.Message("control_change", control=41, value=127))
        assert wait_for(lambda: heard == [41], 60)  # the reopened port is listened on
    finally:
        midi.stop()


def test_a_bug_handling_a_midi_message_is_said_with_its_type_and_place(fake_midi_backend):
    """A knob's handler that breaks on a bug was said as "error: MIDI control_change …: 'knob 41'": a KeyError's
    bare text, which reads as the controller's fault. The port is still listened on."""
    said, heard = [], []

    def on_message(msg):
        heard.append(msg.value)
        raise KeyError("knob 41")

    midi = MidiInput("nanokontrol", on_message, said.append, poll=0.02)
    midi.start()
    try:
        fake_midi.send(PORT, mido.Message("control_change", control=41, value=1))
        assert wait_for(lambda: any(s.startswith("error: MIDI") for s in said), 60), said
        line = next(s for s in said if s.startswith("error: MIDI"))
        assert "KeyError: 'knob 41' (at vcam/control/midiinput.py:" in line and "a bug in vcam" in line, line
        fake_midi.send(PORT, mido.Message("control_change", control=41, value=2))
        assert wait_for(lambda: heard == [1, 2], 60)
    finally:
        midi.stop()


def test_a_midi_message_that_cannot_be_taken_in_is_said_not_dropped_in_silence(fake_midi_backend, monkeypatch):
    """A message the port's reader could not hand on (a bug in taking it in) was dropped without a word: every
    knob and button went dead for the rest of the show, and nothing said why. Said now, once while it repeats."""
    said = []
    midi = MidiInput("nanokontrol", lambda msg: None, said.append, poll=0.02)
    midi.start()
    try:
        monkeypatch.setattr(midi._inbox, "put", lambda msg: msg.no_such_field)
        for value in range(3):
            fake_midi.send(PORT, mido.Message("control_change", control=41, value=value))
        assert wait_for(lambda: any("could not be taken in" in s for s in said), 60), said
        lost = [s for s in said if "could not be taken in" in s]
        assert len(lost) == 1 and "AttributeError: " in lost[0] and "(at vcam/control/midiinput.py:" in lost[0], lost
    finally:
        midi.stop()


class _Lister:
    """The port watch's listing, which fails while `down` (the MIDI server stopped)."""

    def __init__(self, real):
        self.real, self.down, self.api = real, False, None

    def names(self):
        if self.down:
            raise VcamError("MIDI is not available on this machine (OSError: the MIDI server is gone)", "")
        return self.real.names()

    def close(self):
        self.real.close()


def test_a_midi_system_that_stops_answering_is_said_as_the_controller_unplugged_and_it_comes_back(
        fake_midi_backend):
    said = []
    midi = MidiInput("nanokontrol", lambda msg: None, said.append, poll=0.02)
    midi._lister = lister = _Lister(midi._lister)
    midi.start()
    try:
        lister.down = True
        assert wait_for(lambda: f"MIDI controller {PORT} unplugged; waiting for it (the show goes on)" in said, 60)
        assert midi.port is None
        lister.down = False
        assert wait_for(lambda: f"MIDI controller {PORT} is back" in said, 60)
        assert midi.port is not None
    finally:
        midi.stop()


# --- OSC replies --------------------------------------------------------------------------------------------------

class _Socket:
    """The replies' UDP socket, whose sends fail while `error` is set (the tablet left the Wi-Fi: ENETUNREACH)."""

    def __init__(self):
        self.error: OSError | None = None
        self.sent = threading.Event()

    def sendto(self, data, where):
        if self.error is not None:
            raise self.error
        self.sent.set()

    def close(self):
        pass


def test_replies_to_a_tablet_that_left_the_network_are_said_once_and_go_on_when_it_is_back():
    said = []
    snapshot = {"preset": "city", "presets": ["city", "ocean"], "status": "on air"}
    replies = OscReplies("192.168.1.20", 9000, lambda: snapshot, said.append, every_s=0.01)
    client = _Socket()
    client.error = OSError(errno.ENETUNREACH, "Network is unreachable")
    replies._socks[socket.AF_INET] = client  # the one its start would make
    replies.start()
    try:
        failed = "OSC replies to 192.168.1.20:9000 fail (Network is unreachable); trying on"
        assert wait_for(lambda: failed in said, 60)
        sent = replies.sent
        client.error = None
        assert client.sent.wait(60) and wait_for(lambda: replies.sent > sent, 60)
        assert said.count(failed) == 1  # at most twice a minute, however often it failed
    finally:
        replies.stop()


def test_a_state_that_cannot_be_read_skips_one_reply_not_the_rest():
    said, reads = [], []

    def snapshot():
        reads.append(1)
        if len(reads) == 1:
            raise KeyError("preset")  # read in the middle of a reload
        return {"preset": "city", "presets": ["city"]}

    replies = OscReplies("127.0.0.1", 9, snapshot, said.append, every_s=0.01)
    replies.start()
    try:
        assert wait_for(lambda: replies.sent >= 2, 60)
        assert said[1:] == ["OSC replies: the state could not be read (KeyError: 'preset')"]
    finally:
        replies.stop()


def test_an_osc_reply_address_that_does_not_resolve_stops_the_start_with_the_fix(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    with pytest.raises(VcamError) as raised:
        OscReplies("tablet.local", 9000, dict, lambda s: None).start()
    assert raised.value.message == "cannot send OSC replies to tablet.local:9000 (Name or service not known)"
    assert "192.168.1.20:9000" in raised.value.fix


# --- OSC in -------------------------------------------------------------------------------------------------------

class _FlakySocket:
    """The OSC input's socket, whose first receive fails (an ICMP error reported on it)."""

    def __init__(self, sock):
        self.sock, self.failed = sock, False

    def recvfrom(self, size):
        if not self.failed:
            self.failed = True
            raise OSError(errno.ECONNREFUSED, "Connection refused")
        return self.sock.recvfrom(size)

    def __getattr__(self, name):
        return getattr(self.sock, name)


def test_a_socket_error_and_a_handler_that_raises_are_said_and_the_input_goes_on(monkeypatch):
    real_bind = oscinput_module._bind
    monkeypatch.setattr(oscinput_module, "_bind", lambda host, port: _FlakySocket(real_bind(host, port)))
    said, handled = [], []

    def handle(address, values, sender):
        handled.append(address)
        if address == "/vcam/broken":
            raise KeyError("blend")
        return []

    inp = OscInput("127.0.0.1", 0, handle, said.append)
    inp.start()
    try:
        assert wait_for(lambda: "OSC: Connection refused" in said, 60)
        client = SimpleUDPClient("127.0.0.1", inp.port)
        client.send_message("/vcam/broken", [1.0])
        assert wait_for(lambda: "error: OSC /vcam/broken: KeyError: 'blend'" in said, 60)
        client.send_message("/vcam/next", [])
        assert wait_for(lambda: handled == ["/vcam/broken", "/vcam/next"], 60)  # still listening
    finally:
        inp.stop()


# --- the camera's ticks and the cue list ----------------------------------------------------------------------------

def test_a_failing_camera_tick_is_said_at_once_then_once_a_minute_and_the_camera_keeps_ticking(capsys):
    """It was said three times, then never again: a camera that failed again an hour later went unsaid."""
    from vcam.live.pacer import Pacer, PacerSettings

    now = [0.0]
    pacer = Pacer(PacerSettings(fps=30.0), clock=lambda: now[0])
    pacer.push(np.zeros((2, 8, 8, 3), np.uint8))
    emitted, stop = [], threading.Event()

    def emit(frame, tick):
        emitted.append(tick)
        if len(emitted) >= 30 * 130:  # 130 s of ticks
            stop.set()
        if len(emitted) % 2:  # every other tick: a frame the camera takes, one it does not
            raise ValueError("operands could not be broadcast together")

    def sleep(dt):
        now[0] += dt

    pacer.run(emit, stop, sleep=sleep)
    assert emitted == list(range(30 * 130))  # every tick after a failure was still made
    assert pacer.stats.errors == 30 * 65
    err = capsys.readouterr().err.splitlines()
    line = "vcam: a camera tick failed (ValueError: operands could not be broadcast together); the camera goes on"
    assert err == [line, f"{line} (and 899 more like it)", f"{line} (and 899 more like it)"]  # at 0, 60 and 120 s


def test_a_failing_camera_tick_is_said_in_one_write_that_wipes_the_status_line_first(monkeypatch):
    """It was printed as its text, then its line end apart, after the status line's text on the row: the line ran on
    from it, and the status line's thread could write between the two."""
    from vcam.live.pacer import Pacer, PacerSettings

    writes: list[str] = []
    terminal = SimpleNamespace(write=lambda text: writes.append(text), flush=lambda: None, isatty=lambda: True)
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setenv("TERM", "xterm")
    now = [0.0]
    pacer = Pacer(PacerSettings(fps=30.0), clock=lambda: now[0])
    pacer.push(np.zeros((2, 8, 8, 3), np.uint8))
    stop = threading.Event()

    def emit(frame, tick):
        stop.set()
        raise ValueError("a frame of the wrong shape")

    def sleep(dt):
        now[0] += dt

    pacer.run(emit, stop, sleep=sleep)
    line = "vcam: a camera tick failed (ValueError: a frame of the wrong shape); the camera goes on"
    assert [w for w in writes if w] == [f"\r\x1b[K{line}\n"]  # print's empty end: nothing written between


def test_a_cue_that_breaks_is_said_and_the_cue_timer_goes_on():
    from vcam.control.cues import CueList
    from vcam.control.show import parse_show

    show = parse_show("presets:\n  - {name: a, prompt: a}\n  - {name: b, prompt: b}\n"
                      "cues:\n  - {name: one, at: 0, do: [preset a]}\n  - {name: two, at: 0.05, do: [preset b]}\n",
                      "show.yaml")
    ran, said = [], []

    def handle_line(line, source, *, aim):
        ran.append(line)
        if len(ran) == 1:
            raise RuntimeError("the controller is closing")
        return None

    cues = CueList(show.cues, handle_line, said.append)
    cues.start()
    cues.begin()
    try:
        assert wait_for(lambda: "preset b" in ran, 60)
        assert said[0] == "cue list: RuntimeError: the controller is closing"
    finally:
        cues.stop()


def test_a_cue_timer_that_breaks_at_every_look_says_it_once_not_every_second(monkeypatch):
    """A look that fails every time (the tempo it reads broken) was said at every look, once a second for the rest
    of the show; said once now, with its type and place, and the timer keeps looking."""
    from vcam.control import cues as cues_module
    from vcam.control.cues import CueList
    from vcam.control.show import parse_show

    monkeypatch.setattr(cues_module, "BAR_RECHECK_S", 0.01)
    show = parse_show("presets:\n  - {name: a, prompt: a}\ncues:\n  - {name: one, at: 0, do: [preset a]}\n",
                      "show.yaml")
    said, looks = [], []
    cues = CueList(show.cues, lambda line, source, *, aim: None, said.append)

    def broken(now):
        looks.append(now)
        raise TypeError("unsupported operand type(s) for *: 'NoneType' and 'float'")

    cues._due = broken
    cues.start()
    cues.begin()
    try:
        assert wait_for(lambda: len(looks) >= 5, 60)
    finally:
        cues.stop()
    assert len(said) == 1 and said[0].startswith("cue list: TypeError: unsupported operand") \
        and "(at vcam/control/cues.py:" in said[0], said
