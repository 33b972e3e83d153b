"""The real rtmidi path, without a sound card: a JACK dummy server, a virtual controller port, our MIDI input."""
import faulthandler
import json
import os
import shutil
import subprocess
import sys
import threading
import time

import mido
import pytest

from helpers import RecordingProducer, wait_for
from vcam.control.controller import Controller, ShowState
from vcam.control.midi import MidiRouter
from vcam.control.midiinput import MidiInput, PortLister
from vcam.control.show import parse_show

SHOW = """\
presets:
  - {name: a, prompt: one}
  - {name: b, prompt: two}
  - {name: c, prompt: three}
midi:
  controls:
    - {cc: 41, command: next}
    - {note: 36, command: preset 3}
"""
JACK_API = "mido.backends.rtmidi/UNIX_JACK"
HANG_S = 300  # a JACK test still running after this has hung (each of its waits gives a busy machine up to 60 s)
PROBE_CC = 119  # no control of the tests' maps


class Probed:
    """An input's messages, the probes taken out before `then` gets the rest. JACK puts a new connection into its
    graph at a later cycle (later still on a busy machine): what a port sends before it is lost, as what a controller
    sends as it is plugged in. A test that sends right after a port opens or comes back first probes it (through)."""

    def __init__(self, then):
        self.then = then
        self._heard = threading.Event()

    def __call__(self, msg):
        if msg.type == "control_change" and msg.control == PROBE_CC:
            self._heard.set()
            return None
        return self.then(msg)

    def through(self, port, timeout: float = 60) -> bool:
        """Sends probes on `port` until one is heard."""
        self._heard.clear()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            port.send(mido.Message("control_change", control=PROBE_CC, value=0))
            if self._heard.wait(0.5):
                return True
        return False


def jackd_command(jackd: str, name: str) -> list[str]:
    """jackd as the tests run it, on Linux ended (SIGTERM) when this process ends, however it ends: a server left
    behind by a killed test run holds one of JACK's 8 server places for good, and with all of them held every run
    after skips the JACK tests ("Too many servers already active")."""
    # Synchronous (-S): each cycle waits for every client, up to -t ms. Asynchronous, a client held up on a busy
    # machine (no realtime threads here) misses cycles, and the MIDI sent in them is lost; the default 500 ms would
    # drop it from the graph.
    args = [jackd, "--no-realtime", "-S", "-n", name, "-t", "30000", "-d", "dummy", "-r", "48000", "-p", "1024"]
    if not sys.platform.startswith("linux"):
        return args
    # prctl(PR_SET_PDEATHSIG, SIGTERM) holds across exec; the parent's pid is checked after it, in case it has gone
    launcher = ("import ctypes, os, signal, sys; ctypes.CDLL(None).prctl(1, signal.SIGTERM); "
                "os.getppid() == int(sys.argv[1]) or sys.exit(1); os.execv(sys.argv[2], sys.argv[2:])")
    return [sys.executable, "-c", launcher, str(os.getpid()), *args]


@pytest.fixture(autouse=True)
def jack_hang_guard(request):
    """A test on the JACK server that hangs ends the test process after HANG_S, every thread's traceback on stderr,
    rather than holding the run up until CI's own limit: a thread stuck in the MIDI libraries while holding the GIL
    cannot be failed from inside the process."""
    if "jack_server" not in request.fixturenames:
        yield
        return
    with request.getfixturevalue("capsys").disabled():
        stderr = os.dup(2)  # the terminal's, not the capture's, which would go with the process
    faulthandler.dump_traceback_later(HANG_S, exit=True, file=stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()
        os.close(stderr)


@pytest.fixture(scope="module")
def jack_server(tmp_path_factory):
    jackd = shutil.which("jackd")
    if jackd is None:
        pytest.skip("jackd is not installed (Debian: apt-get install jackd2; .ci/run installs it)")
    # a server of the tests' own, never the machine's JACK nor another test run's
    name = f"vcam-test-{os.getpid()}"
    log = tmp_path_factory.mktemp("jackd") / "stderr.txt"  # a file: a pipe nobody reads would fill and block it
    env = dict(os.environ, JACK_NO_AUDIO_RESERVATION="1")
    with log.open("w") as err:
        proc = subprocess.Popen(jackd_command(jackd, name), env=env, stdout=subprocess.DEVNULL, stderr=err)
    server = pytest.MonkeyPatch()
    server.setenv("JACK_DEFAULT_SERVER", name)  # where this process's JACK clients connect
    backend = mido.Backend(JACK_API, load=True)
    deadline = time.monotonic() + 60  # a busy machine starts it slowly; a skip would hide the tests below
    while True:
        try:
            port = backend.open_output("vcam-probe", virtual=True)
            port.close()
            break
        except (OSError, SystemError):
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                server.undo()
                pytest.skip(f"the JACK dummy server did not start: {log.read_text()[-300:]}")
            time.sleep(0.2)
    yield backend
    proc.terminate()
    proc.wait(60)
    server.undo()


def test_rtmidi_through_jack(jack_server):
    show = parse_show(SHOW, "show.yaml")
    state = ShowState(prompts={"one": 1.0}, preset=0)
    ctl = Controller(show, state, RecordingProducer(), threading.Event(), lambda s: None)
    router = MidiRouter(show.midi, ctl)
    controller_port = jack_server.open_output("vcam-test-controller", virtual=True)
    mido.set_backend(JACK_API, load=True)
    said = []
    probed = Probed(router.handle)
    midi = MidiInput("vcam-test-controller", probed, said.append, poll=0.2)
    try:
        midi.start()
        assert "vcam-test-controller" in midi.port_name
        assert probed.through(controller_port)  # connected: what is sent from now on arrives
        controller_port.send(mido.Message("control_change", control=41, value=127))
        controller_port.send(mido.Message("control_change", control=41, value=0))
        assert wait_for(lambda: state.preset == 1, 60), state.preset
        controller_port.send(mido.Message("note_on", note=36, velocity=90))
        assert wait_for(lambda: state.preset == 2, 60), state.preset
    finally:
        midi.stop()
        controller_port.close()
        mido.set_backend(None)


def test_the_input_is_read_without_a_callback_into_python(jack_server, monkeypatch):
    """A callback runs on JACK's own thread and waits there for the GIL, which python-rtmidi holds while a client
    opens or closes (and JACK waits for that very thread): MIDI held up for the server's timeout, then a process
    that hangs or crashes as the port closes. The input is read from RtMidi's queue instead."""
    import rtmidi

    opened, callbacks = [], []

    class Spy(rtmidi.MidiIn):
        def __init__(self, *args, **kwargs):
            opened.append(self)

        def set_callback(self, *args, **kwargs):
            callbacks.append(args)
            return super().set_callback(*args, **kwargs)

    monkeypatch.setattr(rtmidi, "MidiIn", Spy)
    controller_port = jack_server.open_output("vcam-test-queue", virtual=True)
    mido.set_backend(JACK_API, load=True)
    heard = []
    probed = Probed(lambda msg: heard.append(msg.value) and None)
    midi = MidiInput("vcam-test-queue", probed, lambda s: None)
    try:
        midi.start()
        assert probed.through(controller_port)
        for value in range(8):
            controller_port.send(mido.Message("control_change", control=1, value=value))
        assert wait_for(lambda: heard == list(range(8)), 60), heard
    finally:
        midi.stop()
        controller_port.close()
        mido.set_backend(None)
    assert opened and callbacks == []


def test_the_port_watch_opens_no_client_and_loses_no_message(jack_server, monkeypatch):
    """The watch for an unplugged controller lists the ports through one client, not a new one per look (each
    waits for JACK to reorder its graph), and the port it watches loses nothing meanwhile."""
    import rtmidi

    created = []
    for kind in ("MidiIn", "MidiOut"):
        real = getattr(rtmidi, kind)
        monkeypatch.setattr(rtmidi, kind, lambda *a, _real=real, **k: created.append(1) or _real(*a, **k))
    controller_port = jack_server.open_output("vcam-test-burst", virtual=True)
    mido.set_backend(JACK_API, load=True)
    values, last = [], threading.Event()

    def receive(msg):
        if msg.control == 1:
            values.append(msg.value)
        else:
            last.set()

    probed = Probed(receive)
    midi = MidiInput("vcam-test-burst", probed, lambda s: None, poll=0.02)
    try:
        midi.start()
        assert probed.through(controller_port)
        created.clear()
        for i in range(64):  # a fader moved fast, while the watch looks for an unplug many times over
            controller_port.send(mido.Message("control_change", control=1, value=i))
            time.sleep(0.015)
        controller_port.send(mido.Message("control_change", control=2, value=0))
        assert last.wait(60)
    finally:
        midi.stop()
        controller_port.close()
        mido.set_backend(None)
    assert values == list(range(64))
    assert len(created) <= 1  # the watch's own client, opened at its first look


class PortGoneOnce:
    """The watch's rtmidi client, on which a port goes while the first list is read: rtmidi has counted it, and
    then fails on its number."""

    def __init__(self, names: list):
        self.names = names
        self.reads = 0

    def get_ports(self) -> list:
        import rtmidi

        self.reads += 1
        if self.reads == 1:
            raise rtmidi.InvalidPortError("MidiInJack::getPortName: the 'portNumber' argument (1) is invalid.")
        return self.names

    def delete(self) -> None:
        pass


def test_a_port_that_goes_while_the_watch_reads_the_list_does_not_end_the_watch():
    mido.set_backend(JACK_API)
    lister = PortLister()
    lister._client = client = PortGoneOnce(["vcam-test-controller", None])  # None: a port with no name (yet)
    try:
        assert lister.names() == ["vcam-test-controller"] and client.reads == 2
    finally:
        mido.set_backend(None)


class Learning:
    """vcam midi learn run in a thread, stopped where it still listens after a while: a --count that the messages
    sent never reach waits for more for ever, which held the whole test run up with no word of which test."""

    def __init__(self, monkeypatch, argv: list[str]):
        import vcam.control.midilearn
        from vcam.cli import main

        real, self._stop, self._result, self._argv = vcam.control.midilearn.learn, threading.Event(), [], argv
        monkeypatch.setattr(vcam.control.midilearn, "learn", lambda *a, **k: real(*a, stop=self._stop, **k))
        self._thread = threading.Thread(target=lambda: self._result.append(main(argv)), daemon=True)
        self._thread.start()

    def __enter__(self) -> "Learning":
        return self

    def __exit__(self, *exc) -> None:
        """Stops it, where a failed step left it listening."""
        self._stop.set()
        self._thread.join(60)

    def result(self, timeout: float = 60) -> int:
        """What vcam midi learn returned once it ended by itself; a failed test where it had not after `timeout`."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            pytest.fail(f"vcam {' '.join(self._argv)} was still listening after {timeout:g} s: the messages sent "
                        "reach no --count")
        return self._result[0]


def learned(monkeypatch, argv: list[str]) -> int:
    """vcam midi learn's exit status, run to its end (failed where it would listen for ever)."""
    with Learning(monkeypatch, argv) as learning:
        return learning.result()


def test_midi_learn_prints_mapping_lines(fake_midi_backend, monkeypatch, capsys):
    from vcam.cli import main

    monkeypatch.setenv("FAKE_MIDI_SCRIPT", '[["Fake MIDImix", {"type": "control_change", "channel": 0, "control": 19, '
                                           '"value": 64}], ["Fake MIDImix", {"type": "note_on", "channel": 0, '
                                           '"note": 3, "velocity": 127}]]')
    assert learned(monkeypatch, ["midi", "learn", "--midi", "midimix", "--count", "2"]) == 0
    out = capsys.readouterr().out
    assert "{cc: 19, param: blend, channel: 1}" in out and "{note: 3, command: next" in out
    main(["devices"])
    assert "Fake MIDImix" in capsys.readouterr().out


def test_midi_learn_suggests_a_command_for_a_button_and_a_param_for_a_knob(fake_midi_backend, monkeypatch, capsys):
    script = [{"control": 41, "value": 127}, {"control": 41, "value": 0}] + \
             [{"control": 16, "value": v} for v in (10, 12, 13, 15)]
    monkeypatch.setenv("FAKE_MIDI_SCRIPT", json.dumps([["Fake MIDImix", dict(type="control_change", **m)]
                                                       for m in script]))
    # the button's release is its press's, not a message of its own: 5 counted of the 6 sent
    assert learned(monkeypatch, ["midi", "learn", "--midi", "midimix", "--count", "5"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if "cc: 41" in line] == [lines[0]]
    assert "{cc: 41, command: next, channel: 1}" in lines[0] and "a button" in lines[0]
    assert [line for line in lines if "cc: 16" in line] == [lines[1]] and len(lines) == 2
    assert "{cc: 16, param: blend, channel: 1}" in lines[1] and "a knob" in lines[1]


class Stream:
    """A terminal for a command run in a thread: what it wrote so far, and a wait for a given text."""

    def __init__(self):
        self.text = ""
        self._changed = threading.Condition()

    def write(self, s: str) -> int:
        with self._changed:
            self.text += s
            self._changed.notify_all()
        return len(s)

    def flush(self) -> None:
        pass

    def wait_for(self, part: str, timeout: float = 60) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: part in self.text, timeout)


def test_midi_learn_follows_an_unplugged_controller_when_it_comes_back(fake_midi_backend, monkeypatch):
    out, err = Stream(), Stream()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    with Learning(monkeypatch, ["midi", "learn", "--midi", "midimix", "--count", "1"]) as learning:
        assert err.wait_for("listening on Fake MIDImix")
        fake_midi_backend.unplug("Fake MIDImix")
        assert err.wait_for("unplugged"), err.text
        fake_midi_backend.plug("Fake MIDImix")
        assert err.wait_for("is back"), err.text
        fake_midi_backend.send("Fake MIDImix", mido.Message("note_on", note=36, velocity=100))
        assert learning.result() == 0 and "{note: 36, command: next" in out.text


def test_a_midi_port_not_plugged_in_yet_is_waited_for_beside_the_inputs_there_are(fake_midi_backend, shared_tiny,
                                                                                   capsys):
    """It stopped vcam run before it started; now the show starts and the port is opened once it comes (a typo
    shows beside the inputs listed)."""
    from vcam.cli import main

    assert main(["run", "--model", "tiny", "--out", "null", "--midi", "launchpad", "--midi-map", "nanokontrol2",
                 "--duration", "1", "--no-stdin"]) == 0
    err = capsys.readouterr().err
    assert "waiting for MIDI input 'launchpad' (inputs now: Fake MIDImix, Fake nanoKONTROL2 MIDI 1); plug it in" in err


def test_a_controller_with_a_name_in_another_script_unplugged_and_back_through_jack(jack_server):
    """The real port list: a name typed in another case opens it, its going is seen, its return is reopened and
    listened on, and each is said once."""
    name = "Contrôleur Ünï 日本"
    port = jack_server.open_output(name, virtual=True)
    mido.set_backend(JACK_API, load=True)
    said, heard = [], []
    probed = Probed(lambda msg: heard.append(msg.value) and None)
    midi = MidiInput("contrôleur ünï", probed, said.append, poll=0.1)
    try:
        midi.start()
        assert midi.port_name.endswith(name) and said == [f"MIDI: listening on {midi.port_name}"]
        assert probed.through(port)
        port.send(mido.Message("control_change", control=1, value=1))
        assert wait_for(lambda: heard == [1], 60)
        port.close()
        assert wait_for(lambda: any("unplugged" in s for s in said), 60), said
        port = jack_server.open_output(name, virtual=True)
        assert wait_for(lambda: any("is back" in s for s in said), 60), said
        assert probed.through(port)
        port.send(mido.Message("control_change", control=1, value=2))
        assert wait_for(lambda: heard == [1, 2], 60)
        assert [s.split(" ")[-1] for s in said[1:]] == ["on)", "back"], said  # unplugged, back: once each
    finally:
        midi.stop()
        port.close()
        mido.set_backend(None)


def test_a_controller_plugged_in_after_the_start_is_opened_through_jack(jack_server):
    """The port watch that follows an unplugged controller also opens one not there at the start: a fresh JACK
    client at each look finds it, and its MIDI is read as any other's."""
    mido.set_backend(JACK_API, load=True)
    said, heard = [], []
    probed = Probed(lambda msg: heard.append(msg.value) and None)
    midi = MidiInput("vcam-test-late", probed, said.append, poll=0.1)
    port = None
    try:
        midi.start()
        assert said[0].startswith("waiting for MIDI input 'vcam-test-late'") and midi.port is None
        port = jack_server.open_output("vcam-test-late", virtual=True)
        assert wait_for(lambda: any(s.startswith("MIDI: listening on") for s in said), 60), said
        assert said[1].startswith("MIDI input ") and said[1].endswith("vcam-test-late connected"), said
        assert probed.through(port)
        port.send(mido.Message("control_change", control=1, value=5))
        assert wait_for(lambda: heard == [5], 60), heard
    finally:
        midi.stop()
        if port is not None:
            port.close()
        mido.set_backend(None)
    assert midi.port is None and len(said) == 3, said
