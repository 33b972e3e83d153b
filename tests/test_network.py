"""vcam serve (tiny model) and vcam cam, on loopback only."""
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from types import SimpleNamespace

import mido
import numpy as np
import pytest

import fake_midi
from helpers import Pipe, failing_state, free_port, in_thread, wait_for, ws_served
from vcam.cli import main
from vcam.live.outputs.camera import VirtualCamera
from vcam.live.run import RunOptions, run
from vcam.remote import client as client_module
from vcam.remote import protocol as proto
from vcam.remote.client import CamOptions, run_cam
from vcam.remote.pending import Waiting
from vcam.remote.attach import attachment
from vcam.control.mapfiles import SHOW_WORDS
from vcam.remote.served import ServedClient
from vcam.remote.server import FrameServer, ServeSettings

SHOW = """\
defaults: {seed: 3, transition: 1}
output: {size: 112x64}
presets:
  - {name: city, prompt: a neon city at night}
  - {name: ocean, prompt: ocean waves at noon}
  - {name: forest, prompt: a misty forest}
"""


class TtyText(io.StringIO):
    """A status output that says it is a terminal, so that every status line update is kept (not one in 10 s)."""

    def isatty(self):
        return True


class Server:
    """`vcam serve SHOW --model tiny` in this process, on the session's tiny engine, stopped by a typed quit."""

    def __init__(self, tmp_path, port, host="127.0.0.1", token=None, size=None):
        self.show = tmp_path / "show.yaml"
        self.show.write_text(SHOW)
        self.log = tmp_path / f"controls-{port}-{time.monotonic_ns()}.jsonl"
        self.port = port
        self.status = TtyText()
        self.pipe = Pipe()
        self.thread, self.errors = in_thread(run, RunOptions(
            show=str(self.show), model="tiny", serve=True, size=size, log_controls=str(self.log),
            commands=self.pipe.reader, status_out=self.status), attachment(ServeSettings(host=host, port=port,
                                                                                        token=token)))

    def said(self):
        return self.status.getvalue()

    def wait_on_air(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "on air" in self.said():
                return
            if not self.thread.is_alive():
                pytest.fail(f"server exited ({self.errors}):\n" + self.said())
            time.sleep(0.05)
        pytest.fail("server never went on air:\n" + self.said())

    def running(self):
        return self.thread.is_alive()

    def commands(self):
        if not self.log.exists():
            return []
        return [json.loads(x) for x in self.log.read_text().splitlines() if '"command"' in x]

    def stop(self):
        if self.thread.is_alive():
            self.pipe.send("quit")
            self.thread.join(120)
        assert not self.thread.is_alive(), "the server did not stop:\n" + self.said()
        assert not self.errors, self.errors


class ServerProcess(Server):
    """`vcam serve` as a process of its own: for a server that dies outright (SIGKILL)."""

    def __init__(self, tmp_path, port):
        self.show = tmp_path / "show.yaml"
        self.show.write_text(SHOW)
        self.log = tmp_path / f"controls-{port}-{time.monotonic_ns()}.jsonl"
        self.port = port
        self.stderr = tmp_path / f"serve-{port}-{time.monotonic_ns()}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "vcam", "serve", str(self.show), "--model", "tiny", "--port", str(port),
             "--no-stdin", "--log-controls", str(self.log)],
            stderr=open(self.stderr, "w"), stdin=subprocess.DEVNULL)
        self.thread = self

    def is_alive(self):
        return self.proc.poll() is None

    errors = ()

    def said(self):
        return self.stderr.read_text()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(60)


@pytest.fixture
def server_factory(tmp_path, shared_tiny):
    servers = []

    def make(port=None, process=False, **settings):
        s = (ServerProcess if process else Server)(tmp_path, port or free_port(), **settings)
        servers.append(s)
        return s

    yield make
    for s in servers:
        s.stop()


def test_camera_gets_the_stream_and_commands_reach_the_server(server_factory, camera, monkeypatch):
    ticks = []
    send = VirtualCamera.send
    monkeypatch.setattr(VirtualCamera, "send", lambda self, frame, tick: (ticks.append(tick), send(self, frame, tick)))
    server = server_factory()
    server.wait_on_air()
    pipe, status = Pipe(), io.StringIO()
    mido.set_backend("fake_midi", load=True)
    try:
        opts = CamOptions(url=f"ws://127.0.0.1:{server.port}", outs=["vcam"], size=(112, 64), duration=60,
                          commands=pipe.reader, status_out=status, midi="nano", midi_map="nanokontrol2")
        thread, errors = in_thread(run_cam, opts)
        assert wait_for(lambda: "connected to" in status.getvalue())
        pipe.send("preset 2")
        assert wait_for(lambda: any(c["command"] == "preset 2" for c in server.commands()), 60)
        fake_midi.send("Fake nanoKONTROL2 MIDI 1", mido.Message("control_change", control=34, value=127))
        assert wait_for(lambda: any(c["command"] == "preset 3" for c in server.commands()), 60)
        assert wait_for(lambda: len(ticks) > 60, 120)
        pipe.send("quit")  # the client stops itself
        thread.join(60)
        assert not thread.is_alive()
    finally:
        mido.set_backend(None)
    assert not errors, errors
    assert all(c["source"].startswith("net ") for c in server.commands())
    cam = camera.opened[-1]
    # opened at the camera's rate, fed the pacer's frames in tick order (the rate itself: test_pacer.py, on a
    # fake clock)
    assert cam.fps == 30.0 and len(ticks) == len(cam.frames) > 45 and all(a < b for a, b in zip(ticks, ticks[1:]))
    frames = [f.reshape(64, 112, 3) for f in cam.frames]
    assert np.abs(frames[-1].astype(int) - frames[-45].astype(int)).mean() > 1.0  # a moving stream


@pytest.mark.slow  # a server process killed outright
def test_client_holds_the_last_frame_and_reconnects(server_factory, camera, monkeypatch):
    pacers, cam_screen = [], client_module.cam_screen
    monkeypatch.setattr(client_module, "cam_screen", lambda pacer: (pacers.append(pacer), cam_screen(pacer))[1])
    port = free_port()
    server = server_factory(port, process=True)
    server.wait_on_air()
    status = io.StringIO()
    typed = Pipe()
    # no duration: the camera must still run when the restarted server is back, however long that takes on a loaded
    # machine; it quits when told, below
    opts = CamOptions(url=f"ws://127.0.0.1:{port}", outs=["vcam"], size=(112, 64), commands=typed.reader,
                      status_out=status)
    thread, errors = in_thread(run_cam, opts)
    cam = None
    try:
        assert wait_for(lambda: camera.opened and len(camera.opened[-1].frames) > 60, 120)
        cam = camera.opened[-1]
        server.proc.kill()
        server.proc.wait(60)
        assert wait_for(lambda: "connection to the server lost" in status.getvalue(), 60)
        # past the pacer's stall time (it says when), and a second of ticks after it: the camera holds its last frame
        assert wait_for(lambda: pacers[-1].stats.stalled, 60)
        stalled_at = len(cam.frames)
        assert wait_for(lambda: len(cam.frames) >= stalled_at + 30, 60)
        during = len(cam.frames)
        held = cam.frames[-30:]
        assert all(np.array_equal(held[0], f) for f in held)
        server2 = server_factory(port, process=True)
        server2.wait_on_air(300)  # a process that loads the model again: slow on a loaded machine
        assert wait_for(lambda: status.getvalue().count("connected to") >= 2, 60)
        assert wait_for(lambda: not np.array_equal(cam.frames[-1], held[0]), 60)
        assert len(cam.frames) > during  # the camera never stopped
    finally:
        typed.send("quit")
        thread.join(60)
    assert not thread.is_alive() and not errors, errors


def test_a_token_refused_off_loopback_names_the_tunnel_of_the_port_given(capsys, monkeypatch):
    """The tunnel offered in place of a token was ssh -L 8765:127.0.0.1:8765 whatever --port was given: typed as
    shown, it led to no server."""
    monkeypatch.delenv("VCAM_TOKEN", raising=False)
    port = free_port()
    assert main(["serve", "--model", "tiny", "--host", "0.0.0.0", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"SSH tunnel (ssh -N -L {port}:127.0.0.1:{port} USER@THIS-MACHINE, as vcam serve's first line" in err, err


def test_token_required_off_loopback(server_factory, capsys, monkeypatch):
    monkeypatch.delenv("VCAM_TOKEN", raising=False)
    assert main(["serve", "--model", "tiny", "--host", "0.0.0.0", "--port", str(free_port())]) == 2
    err = capsys.readouterr().err
    assert "--token" in err and "building tiny" not in err

    server = server_factory(None, host="0.0.0.0", token="s3cret", size=(112, 64))
    server.wait_on_air()
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = f"ws://127.0.0.1:{server.port}"
    for headers in (None, {"Authorization": "Bearer wrong"}):
        with pytest.raises(InvalidStatus) as err:
            connect(url, additional_headers=headers, proxy=None, open_timeout=30)
        assert err.value.response.status_code == 401
    with connect(url, additional_headers={"Authorization": "Bearer s3cret"}, proxy=None, open_timeout=30) as ws:
        assert wait_for(lambda: isinstance(ws.recv(timeout=30), bytes), 60)
    log = server.said()
    assert "missing token" in log and "wrong token" in log


def test_malformed_messages_get_errors_and_disturb_nothing(server_factory):
    from websockets.sync.client import connect

    server = server_factory()
    server.wait_on_air()
    url = f"ws://127.0.0.1:{server.port}"
    # these clients read only what they look for, so the frames they leave unread fill the socket and a close
    # handshake could not get through: they close without waiting for it
    with connect(url, proxy=None, close_timeout=0.5) as bad, \
            connect(url + "/?role=watch", proxy=None, close_timeout=0.5) as watcher:
        def next_text(ws):
            while True:
                m = ws.recv(timeout=30)
                if isinstance(m, str) and json.loads(m)["type"] != "state":
                    return json.loads(m)

        for garbage in ["not json", "[1, 2]", '{"no": "type"}', '{"type": "dance"}',
                        '{"type": "command", "line": 5}', '{"type": "command", "line": "preset 99"}',
                        '{"type": "command", "line": "input image:/etc/passwd"}',
                        "x" * 10000]:  # a binary message gets its client disconnected: test_uploads.py
            bad.send(garbage)
            answer = next_text(bad)
            if garbage == '{"type": "command", "line": "preset 99"}':
                assert answer["type"] == "reply" and "no preset 99" in answer["text"]
            elif "passwd" in garbage:  # files only in the show's folder (tests/test_media_folders.py)
                assert answer["type"] == "reply" and "only in the folders this show shares" in answer["text"] \
                    and "--media DIR" in answer["text"]
            else:
                assert answer["type"] == "error", (garbage, answer)
        watcher.send(json.dumps({"type": "command", "line": "preset 2"}))
        assert "only watches" in next_text(watcher)["message"]
        # the operator hears of both refusals, with the client's address and the folder the show shares
        folder = str(server.show.parent.resolve())
        bad_at, watcher_at = ("client {}:{}".format(*ws.local_address[:2]) for ws in (bad, watcher))
        assert f"{bad_at} was refused input image:/etc/passwd: /etc/passwd is outside the folders shared with the " \
            f"network ({folder}; --media DIR shares others)" in server.said()
        assert f"{watcher_at} was refused a command: it only watches (role=watch)" in server.said()
        # a change made by one client reaches every client's mirror of the state
        bad.send(json.dumps({"type": "command", "line": "blackout"}))
        deadline = time.monotonic() + 60
        screen = None
        while screen != "blackout" and time.monotonic() < deadline:
            m = watcher.recv(timeout=30)
            if isinstance(m, str) and json.loads(m)["type"] == "state":
                screen = json.loads(m)["screen"]
        assert screen == "blackout"
        # the other client still receives frames, and the stream goes on
        got = 0
        deadline = time.monotonic() + 120
        while got < 24 and time.monotonic() < deadline:
            if isinstance(watcher.recv(timeout=30), bytes):
                got += 1
        assert got >= 24
    assert server.running()


def test_a_client_gets_frames_numbered_as_the_servers_camera_and_a_freeze_with_its_frame(server_factory,
                                                                                         monkeypatch):
    """The (block, index) a frame goes out with is the number the server's own camera gave it, blocks made before
    the client came included, so that the frame a freeze names (`screen_at`: the one the server's camera had on, as
    its control log says too) is the same picture on the client's camera."""
    from websockets.sync.client import connect

    from vcam.live.pacer import Pacer

    pushed, sent = {}, {}  # the server camera's frames by their block; the frames sent out by their number
    push, encode = Pacer.push, proto.encode_frame
    monkeypatch.setattr(Pacer, "push", lambda self, frames, block=None, indices=None: (
        pushed.__setitem__(block, np.array(frames)), push(self, frames, block, indices))[1])
    monkeypatch.setattr(proto, "encode_frame", lambda frame, header, quality: (
        sent.__setitem__((header.block, header.index), frame.copy()), encode(frame, header, quality))[1])
    server = server_factory()
    server.wait_on_air()
    assert wait_for(lambda: len(pushed) >= 2, 30)  # blocks nobody watched
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, max_size=2**24, close_timeout=0.5) as ws:
        got = 0
        while got < 24:
            got += isinstance(ws.recv(timeout=30), bytes)
        ws.send(proto.text("command", line="freeze"))
        reply = {}
        while reply.get("type") != "reply":
            m = ws.recv(timeout=30)
            reply = json.loads(m) if isinstance(m, str) else {}
    assert len(sent) >= 24 and all(np.array_equal(frame, pushed[block][index])
                                   for (block, index), frame in sent.items())
    state = reply["state"]
    assert state["screen"] == "freeze" and state["screen_at"] is not None
    # logged by the command before it replied, with the very frame the reply names (both are what the camera's
    # screen said as it was set: no tick between them can move one and not the other)
    assert [c["shown"] for c in server.commands() if c["command"] == "freeze"] == [state["screen_at"]]


@pytest.mark.slow  # frames 13 times the size of the others' on a CPU: seconds per block
def test_bytes_per_frame_at_the_default_quality(server_factory):
    from websockets.sync.client import connect

    server = server_factory(None, size=(416, 240))
    server.wait_on_air(180)
    sizes = []
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, max_size=2**24, close_timeout=0.5) as ws:
        while len(sizes) < 24:
            m = ws.recv(timeout=60)
            if isinstance(m, bytes):
                header, frame = proto.decode_frame(m)
                assert frame.shape == (240, 416, 3)
                sizes.append(len(m))
    per_frame = sum(sizes) / len(sizes)
    print(f"\nbytes per frame (tiny model, 416x240, JPEG quality {proto.DEFAULT_QUALITY}): {per_frame:.0f}; "
          f"at 12 frames/s: {per_frame * 12 * 8 / 1e6:.2f} Mbit/s")
    # random-weight frames are close to noise, the hardest case for JPEG: still well under 1 byte per pixel
    assert per_frame < 416 * 240


@pytest.mark.slow  # a fresh process, where torch cannot be imported
def test_cam_runs_without_torch(tmp_path):
    code = ("import sys; sys.modules['torch'] = None\n"
            "from vcam.cli import main\n"
            "sys.exit(main(['cam', 'ws://127.0.0.1:9', '--out', 'null', '--duration', '2', '--no-stdin']))\n")
    log = tmp_path / "cam.log"
    with open(log, "w") as err:
        proc = subprocess.Popen([sys.executable, "-c", code], stderr=err, stdin=subprocess.DEVNULL)
    try:
        # --duration counts from the first frame, which never comes: it waits for one (for up to
        # FIRST_FRAME_WAIT_S, far longer than this test) until told to stop
        assert wait_for(lambda: "cannot reach the server" in log.read_text(), 120), log.read_text()
        proc.terminate()  # a service's stop before any frame: the user's stop, not a failure, as vcam run's is
        assert proc.wait(60) == 0, log.read_text()
    finally:
        proc.kill()
    assert "stopped (SIGTERM) before any frame came from ws://127.0.0.1:9: it could not be reached" in log.read_text()


@pytest.mark.parametrize("sig, code, said", [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 0, "SIGTERM"),
                                             (signal.SIGHUP, 0, "SIGHUP")])
def test_a_stop_while_the_server_still_loads_is_the_operator_s_stop(sig, code, said):
    """A stop on a camera whose server was connected but had sent no frame yet (its model loading) exited 1 and
    said "no frame came ...; exiting with code 1", a failure, where it was the operator's own stop (Ctrl-C) or the
    service manager's (SIGTERM: the show's own code, 0, as vcam run's while its model loads)."""
    def loading(ws):  # connected, no frame yet: the stop comes
        os.kill(os.getpid(), sig)
        for _ in ws:
            pass

    status = io.StringIO()
    with ws_served(loading) as url:
        exit_code = run_cam(CamOptions(url=url, outs=["null"], size=(112, 64), stdin=False, status_out=status))
    text = status.getvalue()
    assert exit_code == code, text
    last = text.rstrip().splitlines()[-1]
    assert last.startswith(f"vcam: stopped ({said}) before any frame came from {url}: "), text
    assert last.endswith("; exit code 130") if code else "exit code" not in last, text
    assert "exiting with code 1" not in text, text


def test_cam_rejects_a_bad_address(capsys):
    assert main(["cam", "tcp://x", "--out", "null"]) == 2
    assert "ws://HOST:PORT" in capsys.readouterr().err


@pytest.mark.parametrize("url, meant", [("127.0.0.1:8765", "ws://127.0.0.1:8765"), ("gpu-box", "ws://gpu-box"),
                                        ("http://gpu-box:9000", "ws://gpu-box:9000"),
                                        ("https://proxy.example/vcam", "wss://proxy.example/vcam"),
                                        ("WS://[::1]:8765", "ws://[::1]:8765")])
def test_cam_refuses_an_address_without_ws_and_names_the_one_to_give(url, meant, capsys):
    """A bare host:port or a browser's http:// address was refused with only the general form to follow."""
    assert main(["cam", url, "--out", "null"]) == 2
    assert f"use {meant}" in capsys.readouterr().err


@pytest.mark.parametrize("url, meant", [("wss//proxy.example/vcam", "wss://proxy.example/vcam"),
                                        ("ws//gpu-box:8765", "ws://gpu-box:8765"),
                                        ("ws/gpu-box:8765", "ws://gpu-box:8765"),
                                        ("https:/proxy.example", "wss://proxy.example")])
def test_cam_offers_the_address_meant_where_the_scheme_lost_its_colon_or_a_slash(url, meant, capsys):
    """wss//proxy.example/vcam was offered as ws://wss//proxy.example/vcam: typed back, it dialled a host named wss
    (a password's @ alone was read as the scheme mistyped)."""
    assert main(["cam", url, "--out", "null"]) == 2
    assert capsys.readouterr().err.splitlines()[0].endswith(f"is not a server address; use {meant}")


def test_cam_names_no_address_to_give_where_none_would_do():
    from vcam.remote.urls import check_url

    for url in ("", "http://", "127.0.0.1:99999"):
        with pytest.raises(ValueError, match=r"not a server address; it looks like ws://HOST:PORT"):
            check_url(url)


@pytest.mark.parametrize("url, said", [("ws://127.0.0.1:99999", "the port must be a number from 1 to 65535"),
                                       ("ws://127.0.0.1:8765x", "the port must be a number from 1 to 65535"),
                                       ("ws://127.0.0.1:0", "the port must be a number from 1 to 65535"),
                                       ("ws://", "names no host"), ("ws://:8765", "names no host"),
                                       ("ws://999.1.1.1:8765", "999.1.1.1 is no IPv4 address: four numbers from 0"),
                                       ("ws://10.0.0.1.5", "10.0.0.1.5 is no IPv4 address"),
                                       ("ws://gpu box:8765", "'gpu box' holds a space")])
def test_cam_refuses_an_address_no_server_can_have_before_it_tries(url, said):
    """Tried, it would fail the same way every few seconds (a ValueError of the socket's) until --duration."""
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError, match=said):
        check_url(url)
    for fine in ("ws://127.0.0.1:8765", "wss://proxy.example/vcam?role=watch", "ws://[::1]:8765", "ws://gpu-box",
                 "ws://127.1:8765", "ws://gpu-1.example.:8765"):  # 127.1: 127.0.0.1 to the lookup
        check_url(fine)


@pytest.mark.parametrize("url, said", [
    ("ws://127.0.0.1;8765", "'ws://127.0.0.1;8765': no host name holds a semicolon (a : typed without shift?); use "
                            "ws://127.0.0.1:8765"),
    ("ws://vj:s3cret@gpu.box;8765/?token=s3cret", "'ws://vj:***@gpu.box;8765/?token=***': no host name holds a "
     "semicolon (a : typed without shift?); type vcam cam 'ws://vj:***@gpu.box:8765/' --token TOKEN (with the "
     "password where *** stands)"),
    ("ws://gpu;box", "'ws://gpu;box': no host name holds a semicolon; it looks like ws://HOST:PORT (default port "
                     "8765)"),
    # a token in a form vcam serve never reads (%3D, fullwidth, TOKEN=) was offered as *** to put back there
    ("ws://h;8765/?token%3DSEC", "'ws://h;8765/?token%3D***': no host name holds a semicolon (a : typed without "
                                 "shift?); type vcam cam ws://h:8765/ --token TOKEN"),
    ("ws://h;8765/\uff1f\uff54\uff4f\uff4b\uff45\uff4e\uff1dSEC",
     "'ws://h;8765/\uff1f\uff54\uff4f\uff4b\uff45\uff4e\uff1d***': no host name holds a semicolon (a : typed "
     "without shift?); type vcam cam ws://h:8765/ --token TOKEN"),
    ("ws://h;8765/?TOKEN=SEC", "'ws://h;8765/?TOKEN=***': no host name holds a semicolon (a : typed without "
                               "shift?); type vcam cam ws://h:8765/ --token TOKEN"),
    # ws://h: was offered, its port still missing
    ("ws://h;", "'ws://h;': no host name holds a semicolon; no port follows it: it looks like ws://HOST:PORT "
                "(default port 8765)"),
    # the fullwidth one was looked up as a host every few seconds
    ("ws://h\uff1b8765", "'ws://h\uff1b8765': no host name holds a semicolon (a : typed without shift?); use "
                         "ws://h:8765"),
    # typed without ws:// or from a browser, offered no address
    ("h;8765", "'h;8765' is not a server address; use ws://h:8765"),
    ("http://h;8765", "'http://h;8765' is not a server address; use ws://h:8765")])
def test_a_semicolon_typed_for_the_ports_colon_is_refused_with_the_address_meant(url, said):
    """ws://127.0.0.1;8765 was looked up as a host named 127.0.0.1;8765, every few seconds until --duration, each
    time said as no host of that name: the typo was left to be found."""
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value) == said
    check_url("ws://gpu.box:8765/a;b")  # in the path, it is the server's to read


def test_cam_refuses_an_ipv6_address_cut_short_with_the_form_to_use():
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError, match=r"not a server address .*an IPv6 host in brackets: ws://\[::1\]:8765"):
        check_url("ws://[::1")  # urlsplit's own ValueError was said as an internal error


@pytest.mark.parametrize("url, stray, meant", [("ws://[::1]x:80", "x", "ws://[::1]:80"),
                                               ("ws://a[::1]:8765", "a", "ws://[::1]:8765"),
                                               ("ws://[::1]]", "]", "ws://[::1]"),
                                               ("wss://vj:pw@[::1]x:443/vcam?role=watch", "x",
                                                "wss://vj:pw@[::1]:443/vcam?role=watch")])
def test_cam_refuses_what_stands_beside_an_ipv6_address_brackets_with_the_form_to_use(url, stray, meant):
    """urlsplit reads the host between the brackets and drops the rest: ws://[::1]x:80 was taken and dialled ::1."""
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError, match=re.escape(f"{stray!r} stands beside the IPv6 address's brackets")) as e:
        check_url(url)
    said = meant.replace(":pw@", ":***@")  # its password never said (test_cam_never_says_the_password_of_an_address)
    assert str(e.value).endswith(f"use {said}" + (" (with the password where *** stands)" if said != meant else ""))
    check_url(meant)  # the address named is taken


@pytest.mark.parametrize("url", ["ws://[::1]:abc", "ws://[::1]:-1", "ws://[::1]:80x",
                                 "ws://[::1]:80:90", "ws://[::1]:70000"])
def test_a_bracketed_address_with_a_port_that_is_no_port_is_told_of_its_port(url):
    """A port past the brackets that is no number (a space pasted after it, a letter) was told to be text beside the
    brackets, and the fix offered dropped the port: followed, it dialled 8765."""
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError) as e:
        check_url(url)
    assert "the port must be a number from 1 to 65535" in str(e.value) and "beside" not in str(e.value), e.value


def test_text_beside_the_brackets_is_told_with_the_port_as_typed():
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError) as e:
        check_url("ws://[::1]x:70000")
    assert str(e.value).endswith("use ws://[::1]:70000")


@pytest.mark.parametrize("url, meant", [("ws://::1:8765", "ws://[::1]:8765"),
                                        ("ws://fe80::1:8765", "ws://[fe80::1]:8765"),
                                        ("ws://2001:db8::5", "ws://[2001:db8::5]"),
                                        ("wss://::1/vcam?role=watch", "wss://[::1]/vcam?role=watch"),
                                        ("::1:8765", "ws://[::1]:8765"), ("http://::1", "ws://[::1]"),
                                        ("ws://::1:18765", "ws://[::1]:18765"),
                                        ("ws://fe80::1:10000", "ws://[fe80::1]:10000"),
                                        ("ws://::ffff:1.2.3.4:8765", "ws://[::ffff:1.2.3.4]:8765"),
                                        ("ws://::1:0", "ws://[::1:0]")])
def test_cam_names_the_bracketed_form_of_an_ipv6_address_given_without_brackets(url, meant):
    """Read as host:port, ws://::1:8765 named no host and ws://2001:db8::5 a port that is none; a bare one had only
    the general form to follow."""
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError, match=re.escape(f"use {meant}")):
        check_url(url)
    check_url(meant)  # the address named is taken


def test_a_server_that_cannot_be_reached_is_said_with_what_to_check():
    import socket

    from vcam.remote.reasons import unreachable

    assert unreachable("ws://gpu-box:9000", socket.gaierror(-2, "Name or service not known")) == (
        "this machine finds no host named gpu-box: check the spelling, or on a local network give its IP address")
    refused = unreachable("ws://127.0.0.1:9000", ConnectionRefusedError(111, "Connection refused"))
    assert refused.startswith("nothing listens on 127.0.0.1 port 9000: check that vcam serve runs there")
    assert "port 8765 does not answer" in unreachable("ws://10.0.0.5", TimeoutError("timed out"))


def test_an_ipv6_zone_written_as_a_web_address_writes_it_is_told_with_the_form_that_is_looked_up():
    """ws://[fe80::1%25eth0]:8765, RFC 6874's form, is looked up with a zone named 25eth0, which no machine has: it
    was told "check the spelling" of a host spelt as the standard has it, and never reached."""
    import socket

    from vcam.remote.reasons import unreachable
    from vcam.remote.urls import check_url

    url = "ws://vj:p%25w@[fe80::1%25eth0]:8765"
    said = unreachable(url, socket.gaierror(-2, "Name or service not known"))
    fixed = "ws://vj:p%25w@[fe80::1%eth0]:8765"
    assert said.endswith("write it with a bare %: ws://vj:***@[fe80::1%eth0]:8765"), said
    assert "zone for one named 25eth0" in said and "p%25w" not in said, said
    check_url(fixed)  # the form offered is taken, and dialled with its zone as the system names it


@pytest.mark.parametrize("url", ["ws://[fe80::1%25]:8765", "ws://vj:pw@[fe80::1%25]"])
def test_an_ipv6_zone_left_empty_after_its_25_is_offered_no_address_vcam_cam_refuses(url):
    """ws://[fe80::1%25]:8765, its zone left empty, was offered ws://[fe80::1%]:8765, which vcam cam refuses."""
    import socket

    from vcam.remote.reasons import unreachable

    said = unreachable(url, socket.gaierror(-2, "Name or service not known"))
    assert "%]" not in said and "bare %" not in said, said
    assert said.startswith("this machine finds no host named [fe80::1%25]: check the spelling"), said


def untrusted(code, message):
    import ssl

    error = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: {message}")
    error.verify_code, error.verify_message = code, message
    return error


@pytest.mark.parametrize("platform,certificates", [("darwin", False), ("darwin", True), ("linux", False)])
def test_a_macos_python_without_certificates_is_told_to_install_them(monkeypatch, tmp_path, platform, certificates):
    """python.org's Python on macOS has no certificate authorities until its Install Certificates.command runs:
    every wss:// proxy address failed as a certificate this machine does not trust, said as a hotel network's
    login page or a wrong address."""
    import ssl

    from vcam.remote.reasons import unreachable

    cafile = tmp_path / "cert.pem"
    if certificates:
        cafile.write_text("-----BEGIN CERTIFICATE-----\n")
    paths = ssl.DefaultVerifyPaths(str(cafile), None, str(cafile), str(cafile), "SSL_CERT_DIR", str(tmp_path / "no"))
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: paths)
    monkeypatch.setattr(sys, "platform", platform)
    said = unreachable("wss://abc-8765.proxy.example", untrusted(20, "unable to get local issuer certificate"))
    told = "Install Certificates.command" in said
    assert told == (platform == "darwin" and not certificates), said
    if not told:
        assert "a certificate this machine does not trust" in said


def test_a_chain_sent_with_its_root_to_a_macos_python_without_certificates_is_told_to_install_them(monkeypatch,
                                                                                                     tmp_path):
    """A server that sends its root certificate too fails as "self-signed certificate in certificate chain" (19)
    where there are no certificates at all: it was said as a login page or a wrong address."""
    import ssl

    from vcam.remote.reasons import unreachable

    missing = str(tmp_path / "cert.pem")
    paths = ssl.DefaultVerifyPaths(missing, None, missing, missing, "SSL_CERT_DIR", str(tmp_path / "no"))
    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: paths)
    monkeypatch.setattr(sys, "platform", "darwin")
    said = unreachable("wss://abc-8765.proxy.example", untrusted(19, "self-signed certificate in certificate chain"))
    assert "Install Certificates.command" in said


def test_a_certificate_folder_that_cannot_be_read_is_said_as_an_untrusted_certificate(monkeypatch, tmp_path):
    """A certificate folder this user may not list raised out of the line that says why the server is not reached."""
    import ssl

    from vcam.remote.reasons import unreachable

    missing = str(tmp_path / "cert.pem")
    paths = ssl.DefaultVerifyPaths(missing, str(tmp_path), missing, missing, "SSL_CERT_DIR", str(tmp_path))

    def refused(path):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(ssl, "get_default_verify_paths", lambda: paths)
    monkeypatch.setattr(sys, "platform", "darwin")
    monkeypatch.setattr("vcam.remote.reasons.os.listdir", refused)
    said = unreachable("wss://abc-8765.proxy.example", untrusted(20, "unable to get local issuer certificate"))
    assert "a certificate this machine does not trust" in said


def test_a_self_signed_certificate_on_macos_is_not_said_as_missing_certificates(monkeypatch):
    from vcam.remote.reasons import unreachable

    monkeypatch.setattr(sys, "platform", "darwin")
    said = unreachable("wss://10.0.0.5", untrusted(18, "self-signed certificate"))
    assert "Install Certificates" not in said and "does not trust (self-signed certificate)" in said


@pytest.mark.parametrize("code,message,said_as", [(9, "certificate is not yet valid", "is not valid yet"),
                                                    (10, "certificate has expired", "has expired")])
def test_a_certificate_out_of_date_by_this_machines_clock_says_to_set_the_clock(monkeypatch, code, message, said_as):
    """A laptop whose clock is years off (started after long in a drawer, a dead clock battery, before NTP synced)
    refuses every wss:// server's certificate for its dates: that was said as a network's login page or a wrong
    address, and nothing named the clock."""
    from vcam.remote import reasons

    lost = SimpleNamespace(gmtime=lambda: time.gmtime(0), strftime=time.strftime)  # a machine that lost its clock
    monkeypatch.setattr(reasons, "time", lost)
    said = reasons.unreachable("wss://abc-8765.proxy.example", untrusted(code, message))
    assert f"certificate {said_as} by this machine's clock (1970-01-01 00:00 UTC)" in said, said
    assert "login" not in said and "\n" not in said


def test_status_lines_show_rate_bandwidth_and_latency_on_both_ends(server_factory, camera):
    server = server_factory()
    server.wait_on_air()
    status = TtyText()
    typed = Pipe()
    opts = CamOptions(url=f"ws://127.0.0.1:{server.port}", outs=["vcam"], size=(112, 64), duration=60,
                      commands=typed.reader, status_out=status)
    thread, errors = in_thread(run_cam, opts)

    def lines(text, start):
        return [l for l in text.splitlines() if l.startswith(start)]

    try:
        # every status line is kept on both ends (terminals), so the first ones with a figure will do
        assert wait_for(lambda: any("Mbit/s" in l and "latency" in l for l in lines(status.getvalue(), "LIVE")))
        assert wait_for(lambda: any("clients 1" in l and "Mbit/s" in l and "latency" in l and "latency -" not in l
                                    for l in server.said().splitlines()))
    finally:
        typed.send("quit")  # the client stops itself; nothing is sent
        thread.join(60)
    assert not thread.is_alive() and not errors, errors


# --- the server in this process, without a model --------------------------------------------------------------


class BlockedSocket:
    """A connection whose writes wait until released, like a client that is behind."""

    def __init__(self):
        self.gate = threading.Event()
        self.writing = threading.Event()  # the sender has taken a message and is blocked writing it
        self.sent: list = []

    def send(self, message):
        self.writing.set()
        assert self.gate.wait(60), "the test never let the message through"
        self.sent.append(message)


def test_a_state_message_reaches_a_client_that_is_behind_before_its_waiting_frames():
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: {"screen": "blackout"},
                         lambda message: None)
    ws = BlockedSocket()
    client = ServedClient(ws, "control", "slow")
    server.clients.append(client)
    client.offer(b"frame in flight")
    assert ws.writing.wait(60)  # the sender is now blocked writing it
    server.broadcast_state()
    for i in range(48):  # 4 blocks
        client.offer(b"frame %d" % i)
    ws.gate.set()
    assert wait_for(lambda: len(ws.sent) == 50, 60)  # the frame in flight, the state, 48 frames
    assert json.loads(ws.sent[1]) == {"type": "state", "screen": "blackout"}  # next after the frame in flight
    assert all(isinstance(m, bytes) for m in ws.sent[2:])
    client.close()


def test_replies_are_never_dropped_and_only_the_newest_state_is_sent():
    ws = BlockedSocket()
    client = ServedClient(ws, "control", "slow")
    client.offer(b"frame in flight")
    assert ws.writing.wait(60)
    client.offer_state(proto.text("state", screen="live"))
    client.offer(proto.text("reply", text="first"))
    for i in range(100):  # more frames than wait, so some go
        client.offer(b"frame %d" % i)
    client.offer(proto.text("reply", text="second"))
    client.offer_state(proto.text("state", screen="blackout"))
    ws.gate.set()
    assert wait_for(lambda: len(ws.sent) == 1 + 3 + 48, 60)
    texts = [json.loads(m) for m in ws.sent if isinstance(m, str)]
    assert texts == [{"type": "reply", "text": "first"}, {"type": "reply", "text": "second"},
                     {"type": "state", "screen": "blackout"}]
    assert client.dropped == 100 - 48
    client.close()


def test_a_stop_never_hears_the_last_state_went_while_it_is_between_the_queue_and_the_wire():
    """The sender took the state off its queue and only then said it was sending: a stop that looked in between
    (woken by that very take) found it in neither place, closed the connection, and the state never went."""
    said_sent = []

    class Client(ServedClient):
        def _next(self):
            message = super()._next()
            if isinstance(message, str):  # taken, not written yet: what a stop asking now hears
                said_sent.append(self.sent_texts(time.monotonic()))
            return message

    ws = BlockedSocket()
    ws.gate.set()
    client = Client(ws, "watch", "laptop")
    try:
        client.offer_state(proto.text("state", screen="blackout"))
        assert wait_for(lambda: ws.sent, 60)
        assert said_sent == [False]
        assert client.sent_texts(time.monotonic() + 60)  # written: now it went
    finally:
        client.close()


class MeteredLink:
    """A client's connection that carries one message each time the test lets one through (`carry`)."""

    def __init__(self):
        self.sent, self.begun, self.permits = [], 0, 0
        self.cond = threading.Condition()

    def send(self, message):
        with self.cond:
            self.begun += 1
            self.cond.notify_all()
            while not self.permits:
                self.cond.wait()
            self.permits -= 1
            self.sent.append(message)

    def wait_writing(self, writes):
        """Until the sender is blocked in its `writes`th write."""
        with self.cond:
            assert self.cond.wait_for(lambda: self.begun >= writes, 60)

    def carry(self):
        with self.cond:
            self.permits += 1
            self.cond.notify_all()


def test_a_client_on_a_link_slower_than_the_stream_gets_recent_frames_not_a_full_queue_late():
    """Over a link that carries half the stream (a hotel's wifi), the queue stayed full and every frame went out
    4 blocks after it was made: 4 s behind the show, for good. A frame that waited 2 s while newer ones wait goes."""
    now = [0.0]
    link = MeteredLink()
    client = ServedClient(link, "watch", "hotel", clock=lambda: now[0])
    late = []
    try:
        for block in range(20):  # a block of 12 frames a second
            for i in range(12):
                client.offer(b"%d" % block)
            for _ in range(6):  # the link carries 6 frames a second
                link.wait_writing(len(link.sent) + 1)
                now[0] += 1 / 6
                link.carry()
                assert wait_for(lambda: len(link.sent) == len(late) + 1, 60)
                late.append(now[0] - int(link.sent[-1]))
    finally:
        client.close()
        link.carry()
    assert max(late) <= 2.0 + 1 / 6 + 1e-9, late  # vcam cam's own catch-up, and the frame's carry
    assert max(late[-30:]) >= 1.0  # the link did fall behind: frames went, not all came at once
    assert client.dropped >= 20 * 6 - 48


def test_a_web_page_cannot_connect(local_server):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    url = f"ws://127.0.0.1:{local_server.port}"
    with pytest.raises(InvalidStatus) as err:
        with connect(url, origin="https://evil.example", proxy=None, open_timeout=30) as ws:
            ws.send(proto.text("command", line="prompt pwned"))
    assert err.value.response.status_code == 403
    assert b"web page" in err.value.response.body and b"vcam cam" in err.value.response.body
    assert local_server.lines == []
    assert any("web page" in m for m in local_server.said)
    with connect(url, proxy=None, open_timeout=30) as ws:  # vcam cam sends no Origin
        assert json.loads(ws.recv(timeout=30))["type"] == "state"
        ws.send(proto.text("command", line="preset 2"))
        assert json.loads(ws.recv(timeout=30))["type"] == "reply"
    assert local_server.lines == ["preset 2"]


@pytest.mark.parametrize("text, raised, says", [
    ('{"type": "ping", "t": ' + "[" * 4000 + "]" * 4000 + "}", "nested", "nested"),
    # fits in MAX_TEXT; past Python's 4300 digits
    ('{"type": "got", "seq": ' + "9" * 5000 + "}", "not JSON", "digits"),
], ids=["deeply nested", "a number too long for python"])
def test_json_python_cannot_read_gets_an_error_and_the_connection_stays(local_server, text, raised, says):
    from websockets.sync.client import connect

    with pytest.raises(proto.ProtocolError, match=raised):
        proto.parse_text(text)
    with connect(f"ws://127.0.0.1:{local_server.port}", proxy=None, open_timeout=30) as ws:
        assert json.loads(ws.recv(timeout=30))["type"] == "state"
        ws.send(text)
        answer = json.loads(ws.recv(timeout=30))
        assert answer["type"] == "error" and says in answer["message"]
        ws.send(proto.text("ping", t=1.0))
        assert json.loads(ws.recv(timeout=30))["type"] == "pong"


def test_a_client_that_stops_reading_is_disconnected_and_the_others_go_on(local_servers):
    from websockets.sync.client import connect

    server = local_servers(stall_timeout=1.0)
    stuck = socket.socket()
    stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # fills fast
    stuck.connect(("127.0.0.1", server.port))
    stuck.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    response = b""
    while b"\r\n\r\n" not in response:
        response += stuck.recv(1)
    assert b" 101 " in response  # connected; from now on it reads nothing
    received = []
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30, max_size=2**24) as good:
        def read():
            try:
                for m in good:
                    received.append(m)
            except Exception:
                pass

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        assert wait_for(lambda: len(server.clients) == 2, 60)
        noise = np.random.default_rng(0).integers(0, 256, (12, 480, 832, 3), dtype=np.uint8)  # JPEG's worst case
        deadline = time.monotonic() + 30
        while len(server.clients) == 2 and time.monotonic() < deadline:
            server.publish(noise)  # a few blocks fill the socket buffers; then the sender waits
            time.sleep(0.5)
        assert [c.name for c in server.clients] == [f"127.0.0.1:{good.local_address[1]}"]
        assert any("stopped reading" in m for m in server.said)
        got = sum(isinstance(m, bytes) for m in received)
        server.publish(noise)
        assert wait_for(lambda: sum(isinstance(m, bytes) for m in received) >= got + 12, 60)
        assert server.clients and not server.clients[0].closed
    stuck.close()


def test_connections_past_the_limit_are_refused_with_a_reason(local_servers):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    server = local_servers(max_clients=2)
    url = f"ws://127.0.0.1:{server.port}"
    with connect(url, proxy=None, open_timeout=30), connect(url, proxy=None, open_timeout=30) as second:
        assert wait_for(lambda: len(server.clients) == 2, 60)
        with pytest.raises(InvalidStatus) as err:
            connect(url, proxy=None, open_timeout=30)
        assert err.value.response.status_code == 503 and b"too many clients" in err.value.response.body
        assert json.loads(second.recv(timeout=30))["type"] == "state"  # those connected are served as before
    assert wait_for(lambda: not server.clients, 60)
    with connect(url, proxy=None, open_timeout=30) as again:
        assert json.loads(again.recv(timeout=30))["type"] == "state"


def test_vcam_cam_says_why_a_full_server_refused_it(local_servers):
    from websockets.sync.client import connect

    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link
    from vcam.live.pacer import Pacer, PacerSettings

    server = local_servers(max_clients=1)
    url = f"ws://127.0.0.1:{server.port}"
    said = []
    with connect(url, proxy=None, open_timeout=30):
        assert wait_for(lambda: len(server.clients) == 1, 60)
        link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
        link.start()
        try:
            assert wait_for(lambda: any("503" in m for m in said), 60)
        finally:
            link.stop()
    refusal = next(m for m in said if "503" in m)
    assert "too many clients" in refusal and "is it a vcam server" not in refusal and "a vcam server?" not in refusal


def test_a_stopped_server_tells_its_clients_the_show_ended_and_vcam_cam_says_so(local_servers):
    """vcam cam said "connection to the server lost (ConnectionClosedError)" when vcam serve was stopped on purpose:
    the close frame now says the show ended, and a client that does not read does not hold the stop up."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    server = local_servers()
    url = f"ws://127.0.0.1:{server.port}"
    said = []
    link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link.start()
    try:
        with connect(url, proxy=None, open_timeout=30) as plain:
            assert wait_for(lambda: link.connected and len(server.clients) == 2, 60)
            server.stop()
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    plain.recv(timeout=30)
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, proto.STOPPED)
        ended = "the show on the server ended; the camera shows its 'connecting' card, reconnecting"
        assert wait_for(lambda: any(ended in m for m in said), 10), said
        assert not any("connection to the server lost" in m or "disconnected this client" in m for m in said)
    finally:
        link.stop()


class _Controller:
    """The show's controller as vcam serve's attachment meets it: its state, and what happened to it in order."""

    def __init__(self):
        self.screen = "live"
        self.events = []

    def snapshot(self):
        self.events.append("state read")
        return {"screen": self.screen}

    def close(self):
        self.events.append("closed")

    def handle_line(self, line, source, network=False):
        return "ok"


def test_vcam_serve_closes_the_controller_then_tells_each_camera_the_last_state_then_stops(tmp_path):
    """The show stopped its server before it closed its controller: a state round told in between read the show's
    state for a server that had stopped, and a change made as the show ended (a last blackout, whose round the
    closing controller drops) never reached the cameras. Now the controller is closed first, the state as it is
    then reaches every camera before its close frame, and nothing is read after."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    controller, said = _Controller(), []
    server = attachment(ServeSettings(port=0))(controller, said.append, None, "crop")
    server.start()
    try:
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30) as ws:
            assert json.loads(ws.recv(timeout=30))["screen"] == "live"
            controller.screen = "blackout"  # changed as the show ends
            controller.events.clear()
            server.stop()  # as the show stops its parts: the server's before the controller's
            assert controller.events == ["closed", "state read"]
            texts = []
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    texts.append(json.loads(ws.recv(timeout=30)))
            assert texts[-1] == {"type": "state", "screen": "blackout"}
            assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, proto.STOPPED)
        server.broadcast_state()  # a round told late: the stopped server reads nothing
        assert controller.events == ["closed", "state read"]
    finally:
        server.stop()


def test_a_stop_waits_for_a_hung_state_round_no_longer_than_its_bound(local_servers):
    """The stop waits for a state round in progress, so that nothing is read once stopped; one stuck reading the
    show's state holds it for STOP_CLOSE_S at most, with no Ctrl-C needed."""
    server = local_servers()
    stuck, release = threading.Event(), threading.Event()

    def hanging_state():
        stuck.set()
        release.wait(60)
        return {"screen": "live"}

    server.state, server.STOP_CLOSE_S = hanging_state, 0.2
    try:
        threading.Thread(target=server.broadcast_state, daemon=True).start()
        assert stuck.wait(30)
        stopping = threading.Thread(target=server.stop, daemon=True)
        stopping.start()
        stopping.join(30)
        assert not stopping.is_alive()
    finally:
        release.set()


def test_a_camera_that_comes_while_the_server_says_goodbye_is_told_the_show_is_ending(local_servers):
    """It was let in, given the state, and left on a connection nothing served once the server had stopped."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    server = local_servers()
    reading, release = threading.Event(), threading.Event()

    def last_state():  # the stop reads the show's last state: the goodbye is under way
        reading.set()
        release.wait(60)
        return {"screen": "live"}

    server.state = last_state
    stopping = threading.Thread(target=server.stop, daemon=True)
    stopping.start()
    try:
        assert reading.wait(30)
        with pytest.raises(InvalidStatus) as refused:
            connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30)
        assert refused.value.response.status_code == 503
        assert b"the show on this server is ending" in refused.value.response.body
    finally:
        release.set()
        stopping.join(30)


def _stop_as_a_camera_is_let_in(server, go: threading.Event, *held: threading.Event,
                                shaken: threading.Event | None = None):
    """Stops `server` while a camera is let in just before the stop: its handshake waits for `go` (the test's stop
    sets it), so the camera's handler starts during the stop. Sets `shaken` once the camera is connected, and `go`
    and every `held` event once the stop returns (or fails), so no thread is left waiting. What the camera got: its
    first message, or the close frame it was sent."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    admitted = threading.Event()
    admit = server.admission.admit

    def admit_then_wait(connection):  # let in before the stop; its handler starts during the stop
        refused = admit(connection)
        admitted.set()
        assert go.wait(60)
        return refused

    server.admission.admit = admit_then_wait
    got = []

    def camera():
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=60) as ws:
            if shaken is not None:
                shaken.set()
            try:
                got.append(ws.recv(timeout=30))
            except ConnectionClosed as e:
                got.append(e.rcvd)

    thread = threading.Thread(target=camera, daemon=True)
    thread.start()
    try:
        assert admitted.wait(30)
        server.stop()
    finally:
        for event in (go, *held, *(() if shaken is None else (shaken,))):
            event.set()
    thread.join(60)
    assert not thread.is_alive() and len(got) == 1
    return got[0]


def test_a_camera_let_in_as_the_server_stops_is_told_the_show_ended_and_reads_no_state(local_servers):
    """Let in just before the stop and served during its goodbye: the handler added it to the clients after the stop
    had taken their list, read the show's state for it once stopped, and the library's own close at the end gave
    it no reason, so vcam cam said the connection was lost, not that the show ended."""
    server = local_servers()
    reads, go, shaken = [], threading.Event(), threading.Event()

    def state():
        reads.append(threading.current_thread().name)
        if len(reads) == 1:  # the stop's last state: the camera's handshake goes through now
            go.set()
            assert shaken.wait(30)
        return {"screen": "live"}

    server.state = state
    got = _stop_as_a_camera_is_let_in(server, go, shaken=shaken)
    assert (getattr(got, "code", None), getattr(got, "reason", None)) == (proto.GOING_AWAY, proto.STOPPED), got
    assert len(reads) == 1, reads  # the stop's own read: none once stopped
    assert server.clients == []


def test_a_camera_let_in_as_the_server_stops_keeps_its_goodbye_from_the_stops_cut(local_servers, monkeypatch):
    """Its handler saying goodbye, the connection is closing, so out of the library's open ones: the stop took it for
    a handshake not finished and shut its socket before its close frame went out, and vcam cam said the connection
    was lost (now and then, as the two threads ran). Here the goodbye waits, its connection closing, for the cut."""
    import vcam.remote.server as server_module

    server = local_servers()
    go, closing, cut = (threading.Event() for _ in range(3))

    def state():  # the stop's last state: the camera's handshake goes through, and the stop goes on once it closes
        go.set()
        assert closing.wait(30)
        return {"screen": "live"}

    server.state = state
    goodbye = server_module.say_goodbye_to

    def goodbye_held(ws):  # closing (its close frame made, not sent) until the stop has cut what it cuts
        send_close = ws.protocol.send_close

        def closing_then_held(*args):
            send_close(*args)
            closing.set()
            assert cut.wait(30)

        ws.protocol.send_close = closing_then_held
        goodbye(ws)

    monkeypatch.setattr(server_module, "say_goodbye_to", goodbye_held)
    cut_unfinished = server._listener.cut_unfinished

    def cut_then_go(keep):
        cut_unfinished(keep)
        cut.set()

    server._listener.cut_unfinished = cut_then_go
    got = _stop_as_a_camera_is_let_in(server, go, closing, cut)
    assert (getattr(got, "code", None), getattr(got, "reason", None)) == (proto.GOING_AWAY, proto.STOPPED), got
    assert server.clients == []


def test_vcam_serve_stops_with_a_websockets_whose_shutdown_takes_no_reason():
    """pyproject allows websockets 15 and 16, whose Server.shutdown() takes no code or reason: the stop raised
    TypeError there, after every camera had been told goodbye, and vcam serve's end failed."""
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: {"screen": "live"},
                         lambda message: None)
    calls = []

    class Before17:
        def shutdown(self):
            calls.append("bare")

    class Since17:
        def shutdown(self, close_connections=True, code=1001, reason=""):
            calls.append((code, reason))

    server._server = Before17()
    server.stop()
    server2 = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: {"screen": "live"},
                          lambda message: None)
    server2._server = Since17()
    server2.stop()
    assert calls == ["bare", (proto.GOING_AWAY, proto.STOPPED)]


def test_a_camera_whose_first_state_cannot_be_read_is_closed_with_a_reason_and_not_kept(local_servers):
    """The first state was read before the handler's try: a snapshot that raised left the camera among the clients
    for good (every frame still offered to it, a place of max_clients taken) and its connection ended with no
    reason. Now it is closed with one, said on the server, and removed; the next camera is served."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    server = local_servers()
    broken = failing_state(server)
    url = f"ws://127.0.0.1:{server.port}"
    with connect(url, proxy=None, open_timeout=30) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=30)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1011, "the show's state could not be read on the "
                                                                          "server")
    assert wait_for(lambda: server.places_taken() == 0, 30) and server.clients == []
    assert wait_for(lambda: any("was disconnected: its first state could not be read (RuntimeError: the snapshot "
                                "failed); 0 connected" in m for m in server.said), 30), server.said
    broken[0] = False
    with connect(url, proxy=None, open_timeout=30) as again:
        assert json.loads(again.recv(timeout=30)) == {"type": "state", "screen": "live"}
        assert wait_for(lambda: len(server.clients) == 1, 30)


def test_vcam_cam_quitting_while_connected_says_no_loss_of_the_server(local_server):
    """Its own close ends the connection cleanly too: vcam cam said "connection to the server lost; holding the last
    frame, reconnecting" as it quit."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    said = []
    link = Link(f"ws://127.0.0.1:{local_server.port}", None, Pacer(PacerSettings()),
                RemoteController(lambda line: True), said.append)
    link.start()
    try:
        assert wait_for(lambda: link.connected, 60)
    finally:
        link.stop()  # waits for the link's thread, which says why a connection ended
    assert said == [f"connected to ws://127.0.0.1:{local_server.port}"]


def test_a_frame_that_cannot_be_encoded_is_skipped_and_the_stream_goes_on(local_server, monkeypatch):
    from websockets.sync.client import connect

    encode = proto.encode_frame
    calls = []

    def flaky(frame, header, quality):
        calls.append(header.seq)
        if len(calls) == 1:
            raise ValueError("a broken frame")
        return encode(frame, header, quality)

    monkeypatch.setattr(proto, "encode_frame", flaky)
    frames = np.zeros((3, 16, 16, 3), dtype=np.uint8)
    with connect(f"ws://127.0.0.1:{local_server.port}", proxy=None, open_timeout=30) as ws:
        assert json.loads(ws.recv(timeout=30))["type"] == "state"
        assert wait_for(lambda: len(local_server.clients) == 1, 60)
        local_server.publish(frames)
        local_server.publish(frames)  # the encoder lives on after the failure
        got = [ws.recv(timeout=30) for _ in range(5)]
    assert all(isinstance(m, bytes) for m in got)
    assert any("could not be sent" in m and "a broken frame" in m for m in local_server.said)


def test_vcam_cam_reports_a_failed_output_and_exits_with_code_1(local_server, monkeypatch):
    from vcam.live import outputs

    class FullDisk(outputs.NullOutput):
        def send(self, frame, tick):
            raise OSError(28, "No space left on device")

    monkeypatch.setitem(outputs.OPENERS, "null", lambda spec, w, h, fps: FullDisk())
    status, typed = io.StringIO(), Pipe()
    opts = CamOptions(url=f"ws://127.0.0.1:{local_server.port}", outs=["null"], size=(112, 64), duration=60,
                      commands=typed.reader, status_out=status)
    result = []
    thread = threading.Thread(target=lambda: result.append(run_cam(opts)), daemon=True)
    thread.start()
    block = np.full((12, 64, 112, 3), 90, dtype=np.uint8)
    while thread.is_alive() and "failed and is stopped" not in status.getvalue():
        local_server.publish(block)
        thread.join(0.25)
    typed.send("quit")  # the show went on after the failure; now it ends, and reports
    thread.join(60)
    text = status.getvalue()
    assert result == [1], text
    assert "FAILED and stopped: [Errno 28] No space left on device" in text
    assert "exiting with code 1: output null failed" in text


def test_a_busy_port_is_reported_as_such(capsys):
    from vcam.cli import main

    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    port = taken.getsockname()[1]
    try:
        code = main(["serve", "--model", "tiny", "--port", str(port), "--duration", "1",
                     "--no-stdin"])
    finally:
        taken.close()
    err = capsys.readouterr().err
    assert code == 2 and "--port" in err
    # the system's words once, not with Python's "(while attempting to bind on address ('127.0.0.1', N))"
    assert f"cannot listen on 127.0.0.1:{port} (the port is in use: an earlier vcam serve still running" in err
    assert "attempting" not in err and f"sudo ss -ltnp 'sport = :{port}' names it" in err
    assert "thread" not in err


@pytest.mark.parametrize("host", ["192.0.2.1", "no-such-host.invalid"])  # TEST-NET-1, a name that never resolves
def test_a_host_that_is_not_this_machines_is_reported_as_such(capsys, host):
    from vcam.cli import main

    code = main(["serve", "--model", "tiny", "--host", host, "--token", "t", "--port", str(free_port()),
                 "--duration", "1", "--no-stdin"])
    err = capsys.readouterr().err
    assert code == 2 and f"cannot listen on {host}:" in err
    assert "fix: --host takes an address of this machine: 127.0.0.1" in err and "another --port" not in err
    assert "attempting" not in err  # Python's "(while attempting to bind on address (...))" after the resolver's


def test_why_a_socket_cannot_be_had_is_said_in_the_errors_own_words_and_its_finder_is_of_this_system(monkeypatch):
    """Looked up again by its number, a Windows socket error (WSAEADDRNOTAVAIL, 10049) read 'Unknown error'; and a
    port in use named ss, which Windows and macOS have not, to find its program."""
    import errno

    from vcam.remote.listen import listen_fix, listen_reason

    bound = OSError(errno.EADDRNOTAVAIL, "The requested address is not valid in its context (while attempting to "
                                         "bind on address ('192.0.2.9', 8765))")
    assert listen_reason(bound) == "The requested address is not valid in its context"
    in_use = OSError(errno.EADDRINUSE, "Address already in use")
    for platform, finder in (("win32", 'netstat -ano -p tcp | findstr /c:":8765 "'),
                             ("darwin", "sudo lsof -nP -iTCP:8765 -sTCP:LISTEN"),
                             ("linux", "sudo ss -ltnp 'sport = :8765'")):
        monkeypatch.setattr("sys.platform", platform)
        assert finder in listen_fix(in_use, "127.0.0.1", 8765), platform


def test_the_windows_command_that_finds_who_holds_the_servers_port_finds_a_program_on_ipv6_too(monkeypatch):
    """netstat -p tcp lists IPv4's sockets alone: a program holding [::]:8765 (vcam serve --host ::, Node's and
    Java's default) was found by no line of the command offered."""
    import errno
    import re

    from vcam.remote.listen import listen_fix

    monkeypatch.setattr("sys.platform", "win32")
    netstat = {"tcp": ["  TCP    0.0.0.0:80             0.0.0.0:0              LISTENING       4",
                       "  TCP    127.0.0.1:87650        0.0.0.0:0              LISTENING       1717"],
               "tcpv6": ["  TCP    [::]:8765              [::]:0                 LISTENING       4242",
                         "  TCP    [::1]:87651            [::]:0                 LISTENING       1818"]}
    fix = listen_fix(OSError(errno.EADDRINUSE, "Address already in use"), "::", 8765)
    offered = re.findall(r'netstat -ano -p (\w+) \| findstr /c:"([^"]*)"', fix)
    found = [line for protocol, searched in offered for line in netstat.get(protocol, []) if searched in line]
    assert found == [netstat["tcpv6"][0]], fix


def test_the_command_that_finds_who_holds_the_servers_port_matches_that_port_alone_and_names_any_users(monkeypatch):
    """vcam serve --port 800 in use offered findstr :800, which found port 8000's lines too (the PID read off them
    another program's), and ss -ltnp without sudo, which names no program of another user's (a vcam serve of
    another account, a system service)."""
    import errno
    import re

    from vcam.remote.listen import listen_fix

    in_use = OSError(errno.EADDRINUSE, "Address already in use")
    monkeypatch.setattr("sys.platform", "win32")
    netstat = ["  TCP    0.0.0.0:800            0.0.0.0:0              LISTENING       4242",
               "  TCP    0.0.0.0:8000           0.0.0.0:0              LISTENING       1717",
               "  TCP    127.0.0.1:8001         0.0.0.0:0              LISTENING       1818"]
    searched = re.search(r'findstr /c:"([^"]*)"', listen_fix(in_use, "0.0.0.0", 800)).group(1)
    assert [line for line in netstat if searched in line] == [netstat[0]]
    for platform in ("linux", "darwin"):
        monkeypatch.setattr("sys.platform", platform)
        assert "names it" in listen_fix(in_use, "0.0.0.0", 800) and ": sudo " in listen_fix(in_use, "0.0.0.0", 800)


@pytest.mark.parametrize("host, said", [("[::1]:8765", "'[::1]:8765' holds a port: give --host ::1 --port 8765"),
                                        ("0.0.0.0:9000", "'0.0.0.0:9000' holds a port: give --host 0.0.0.0 --port "
                                                         "9000"),
                                        ("[::1", "'[::1' is no address: an IPv6 one in brackets ends with them"),
                                        (" ", "give an address of this machine")])
def test_a_listening_address_written_as_in_a_url_is_refused_with_the_flags_to_give(host, said, capsys):
    """Looked up as a name, '0.0.0.0:9000' failed with the resolver's words, once the model was loading."""
    from vcam.cli import main

    with pytest.raises(SystemExit) as done:
        main(["serve", "--model", "tiny", "--host", host, "--token", "t", "--no-stdin"])
    assert done.value.code == 2
    assert f"vcam serve: error: argument --host: {said}" in capsys.readouterr().err


def test_an_ipv6_listening_address_in_brackets_is_taken_as_the_address(monkeypatch):
    """--host [::1], copied from ws://[::1]:8765, was no loopback address to vcam serve: it asked for a token."""
    import vcam.remote.server as server_module
    from vcam.cli import main

    given = {}
    monkeypatch.setattr(server_module, "ServeSettings", lambda **settings: given.update(settings))
    monkeypatch.setattr("vcam.cmdline.play.cmd_run", lambda args, attach: 0)
    assert main(["serve", "--model", "tiny", "--host", "[::1]", "--no-stdin"]) == 0
    assert given["host"] == "::1" and given["token"] is None


def test_vcam_cam_waits_for_a_controller_plugged_in_after_it_started(local_server, fake_midi_backend):
    """A --midi that matched no input refused vcam cam: a controller plugged in after the start (or behind a USB hub
    that woke late) meant no camera at all. Now it starts, says what it waits for beside the inputs there are, and
    the controller's buttons reach the server once it is plugged in."""
    pipe, status = Pipe(), io.StringIO()
    opts = CamOptions(url=f"ws://127.0.0.1:{local_server.port}", outs=["null"], size=(112, 64), duration=60,
                      commands=pipe.reader, status_out=status, midi="launchpad", midi_map="nanokontrol2")
    thread, errors = in_thread(run_cam, opts)
    try:
        assert wait_for(lambda: "connected to" in status.getvalue(), 60)
        assert ("waiting for MIDI input 'launchpad' (inputs now: Fake MIDImix, Fake nanoKONTROL2 MIDI 1); plug it "
                "in") in status.getvalue()
        fake_midi_backend.plug("Fake Launchpad Mini")
        assert wait_for(lambda: "MIDI: listening on Fake Launchpad Mini" in status.getvalue(), 60)
        assert "MIDI input Fake Launchpad Mini connected" in status.getvalue()
        fake_midi_backend.send("Fake Launchpad Mini", mido.Message("control_change", control=59, value=127))
        assert wait_for(lambda: "next" in local_server.lines, 60)  # the map's "next" button
    finally:
        pipe.send("quit")
        thread.join(60)
        fake_midi_backend.unplug("Fake Launchpad Mini")
    assert not thread.is_alive() and not errors, errors


def test_vcam_cam_without_midi_installed_refuses_midi_before_opening_any_output(camera, monkeypatch):
    from vcam.errors import VcamError

    monkeypatch.setitem(sys.modules, "mido", None)  # not installed: plugging a controller in cannot help
    opts = CamOptions(url="ws://127.0.0.1:1", outs=["vcam"], size=(112, 64), duration=1, stdin=False,
                      midi="launchpad", midi_map="nanokontrol2", status_out=io.StringIO())
    with pytest.raises(VcamError) as refused:
        run_cam(opts)
    assert refused.value.message == "MIDI support is not installed"
    assert 'pip install -e ".[midi]"' in refused.value.fix
    assert camera.opened == []  # no camera left open behind the refusal


def test_vcam_cam_names_the_shipped_maps_when_the_map_name_is_wrong(camera, fake_midi_backend):
    opts = CamOptions(url="ws://127.0.0.1:1", outs=["vcam"], size=(112, 64), duration=1, stdin=False,
                      midi="nano", midi_map="nanokontrl2", status_out=io.StringIO())
    with pytest.raises(ValueError, match=r"MIDI map 'nanokontrl2' not found \(did you mean nanokontrol2\?\); "
                       r"shipped maps: .*nanokontrol2"):
        run_cam(opts)
    assert camera.opened == []


def test_vcam_cam_says_a_midi_map_without_a_midi_port_is_not_used(monkeypatch):
    """As vcam run says it: the map was dropped without a word, and the knobs did nothing."""
    monkeypatch.setattr("vcam.remote.client._run_cam", lambda opts, status, *rest: 0)
    status = io.StringIO()
    assert run_cam(CamOptions(url="ws://127.0.0.1:1", outs=["null"], midi_map="nanokontrol2", stdin=False,
                              status_out=status)) == 0
    assert "--midi-map is not used: no MIDI input is opened without --midi PORT" in status.getvalue()


def test_vcam_cams_maps_may_name_files_only_the_server_has_and_send_them_as_written(tmp_path, monkeypatch,
                                                                                    fake_midi_backend):
    """A show's maps find a button's file next to themselves at load; vcam cam's maps send their commands to the
    server, which finds the file in its own shared folders: a file missing on the laptop is no refusal."""
    import vcam.control.osc as osc

    (tmp_path / "cam.yaml").write_text("controls:\n  - {note: 36, command: input file:clips/loop.mp4}\n")
    (tmp_path / "pad.yaml").write_text("controls:\n  - {address: /loop, command: input file:clips/loop.mp4}\n")
    got = {}

    def started(opts, status, specs, width, height, fallback, midi_map, uploader):
        got["midi"] = midi_map
        got["osc"] = client_module._osc_parts(opts, None, SimpleNamespace(pacer=None), status.message)
        return 0

    def osc_parts(listen, reply, map_ref, show, controller, say, words=SHOW_WORDS, **rest):
        return [osc.read_map(map_ref, show, words=words)]

    monkeypatch.setattr(client_module, "_run_cam", started)
    monkeypatch.setattr(osc, "osc_parts", osc_parts)
    assert run_cam(CamOptions(url="ws://127.0.0.1:1", outs=["null"], midi="nano", stdin=False, osc="9000",
                              midi_map=str(tmp_path / "cam.yaml"), osc_map=str(tmp_path / "pad.yaml"),
                              status_out=io.StringIO())) == 0
    assert [b.command.args for b in got["midi"].buttons] == [("file:clips/loop.mp4",)]
    assert [b.command.args for b in got["osc"][0].buttons] == [("file:clips/loop.mp4",)]


def test_a_midi_map_button_that_quits_is_refused_at_vcam_cam_in_the_cameras_words(tmp_path, fake_midi_backend):
    """vcam cam --midi-map with a button on quit was told "the show ends where vcam runs", read there as the
    server's machine: the console that ends this camera is vcam cam's own, and the server's show goes on."""
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "cam.yaml").write_text("controls:\n  - {note: 36, command: quit}\n")
    with pytest.raises(ConfigError) as e:
        run_cam(CamOptions(url="ws://127.0.0.1:1", outs=["null"], midi="nano", stdin=False,
                           midi_map=str(tmp_path / "cam.yaml"), status_out=io.StringIO()))
    said = str(e.value)
    assert "quit is not taken from a control or a cue: this vcam cam ends where it runs" in said, said
    assert "the server's show goes on" in said and "where vcam runs" not in said, said


def test_vcam_cam_midi_none_opens_no_input_as_vcam_run_does(monkeypatch, capsys):
    """It looked for an input with `none` in its name, and refused the command where none had one."""
    import vcam.control.lateplug

    ran = []
    monkeypatch.setattr("vcam.remote.client._run_cam", lambda opts, status, *rest: ran.append(rest[-2]) or 0)
    monkeypatch.setattr(vcam.control.lateplug, "require_midi", lambda: pytest.fail("looked for MIDI"))
    assert main(["cam", "ws://127.0.0.1:1", "--out", "null", "--no-stdin", "--midi", "none"]) == 0
    assert main(["cam", "ws://127.0.0.1:1", "--out", "null", "--no-stdin", "--midi", "none",
                 "--midi-map", "nanokontrol2"]) == 0
    assert ran == [None, None]  # no map: no MIDI input
    assert "--midi-map is not used: no MIDI input is opened without --midi PORT" in capsys.readouterr().err


def test_a_strength_knob_on_the_laptop_sends_a_fraction_from_where_the_server_is():
    """vcam cam's MIDI: the shipped map's strength knob is picked up at the strength the server reported, and
    sends a fraction (the other parameters are whole numbers)."""
    from vcam.control.midi import MidiRouter
    from vcam.control.midimap import find_map_file, load_map
    from vcam.remote.controller import RemoteController

    sent = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    remote.update({"input": "camera", "strength": 0.75})
    router = MidiRouter(load_map(find_map_file("nanokontrol2", None)), remote)
    router.handle(mido.Message("control_change", control=19, value=20))  # far from 0.75: not taken over yet
    assert sent == []
    for value in (90, 96, 40):
        router.handle(mido.Message("control_change", control=19, value=value))
    assert sent and all(line.startswith("strength ") for line in sent)
    assert 0.3 < float(sent[-1].split()[1]) < 0.32  # 40/127, not rounded to a whole number


def test_the_servers_error_answer_to_each_message_of_a_fader_sweep_is_said_once_then_counted():
    """A served replay refuses every fader message from the laptop (or the server's show lacks a preset the laptop's
    map names): vcam cam said the same error line for each of a sweep's messages, as its own MIDI errors are not."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.feed import LinkFeed
    from vcam.remote.link import Link

    said = []
    link = Link("ws://127.0.0.1:1", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    refused = "error: this show replays a control log: its changes are the log's"
    for _ in range(40):
        link._receive(json.dumps({"type": "reply", "text": refused, "state": {}}))
    link._receive(json.dumps({"type": "reply", "text": "preset 2 'ocean'", "state": {}}))
    assert said == [refused, "preset 2 'ocean'"]
    LinkFeed(link).poll(Pacer(PacerSettings()).stats)  # within the window: still held back
    assert len(said) == 2
    link.say_held_back()  # as vcam cam ends, or once the window has passed
    assert said[2:] == [f"39 more like it: {refused}"]


def _busy_udp_port():
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    return taken


@pytest.mark.parametrize("refusal", ["fallback", "send", "osc"])
def test_a_cam_start_refused_after_its_check_replaces_no_take_and_says_none_replaced(tmp_path, refusal):
    """vcam cam said `will replace take.mp4` at its check, then a missing fallback image, a --send camera that does
    not open or a busy OSC port refused the start: nothing said the older take was kept, and it was."""
    from vcam.errors import VcamError

    take = tmp_path / "take.mp4"
    take.write_bytes(b"older take")
    status, taken = io.StringIO(), _busy_udp_port()
    opts = CamOptions(url="ws://127.0.0.1:1", outs=[f"file:{take}"], size=(112, 64), duration=0.5, stdin=False,
                      status_out=status)
    if refusal == "fallback":
        opts.fallback = str(tmp_path / "missing.png")
    elif refusal == "send":
        opts.send = "camera:/dev/video-vcam-none"
    else:
        opts.osc = f"127.0.0.1:{taken.getsockname()[1]}"
    try:
        with pytest.raises(VcamError) as refused:
            run_cam(opts)
    finally:
        taken.close()
    assert {"fallback": "missing.png", "send": "video-vcam-none", "osc": "cannot listen for OSC"}[refusal] in \
        refused.value.message
    text = status.getvalue()
    assert "replac" not in text, text
    # where the outputs had opened (the OSC port is taken as the parts start), the end says the take is kept
    assert refusal != "osc" or f"nothing recorded to {take} (the older file there is kept as it was)" in text, text
    assert take.read_bytes() == b"older take" and sorted(tmp_path.iterdir()) == [take]


def test_a_cam_that_ends_before_any_frame_says_the_older_take_is_kept(local_server, tmp_path):
    """The server connected and sent no frame (still loading) until --duration's wait for one ran out: the take
    was to be replaced at its first frame, so the end says it was kept, after saying it would be replaced."""
    take = tmp_path / "take.mp4"
    take.write_bytes(b"older take")
    status = io.StringIO()
    assert run_cam(CamOptions(url=f"ws://127.0.0.1:{local_server.port}", outs=[f"file:{take}"], size=(112, 64),
                              duration=0.3, first_frame_wait=0.3, stdin=False, status_out=status)) == 1
    text = status.getvalue()
    said = [f"will replace {take} (10 bytes) at the first frame recorded; Ctrl-C before then keeps it",
            f"nothing recorded to {take} (the older file there is kept as it was)"]
    at = [text.find(line) for line in said]
    assert -1 < at[0] < at[1], text
    # the last line agrees: the file holds the older take's frames, not none
    assert "hold no frame" not in text and "no frame came from" in text and "; nothing was recorded;" in text, text
    assert take.read_bytes() == b"older take"


def test_cam_refuses_two_outputs_on_one_file_before_anything_opens(tmp_path, capsys):
    """vcam run refused them; vcam cam opened both recordings on the same file."""
    from vcam.cli import main

    take = tmp_path / "take.mp4"
    assert main(["cam", "ws://127.0.0.1:9", "--out", f"file:{take}", "--out", f"file:{tmp_path}/./take.mp4@224x128",
                 "--duration", "1", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    assert f"would write the same file ({take})" in err and "output file:" not in err, err
    assert main(["cam", "ws://127.0.0.1:9", "--out", f"file:{tmp_path}", "--no-stdin"]) == 2
    assert "it is a folder" in capsys.readouterr().err
    assert main(["cam", "ws://127.0.0.1:9", "--out", f"file:{tmp_path}/take.mkv", "--no-stdin"]) == 2
    assert "vcam records MP4 video (.mp4), not .mkv" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_cam_refuses_to_record_over_the_clip_it_sends_before_anything_opens(tmp_path, capsys, monkeypatch):
    """--send file:clip.mp4 --out file:clip.mp4 replaced the clip with the recording as it was read and sent."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"the user's only copy")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(client_module, "open_capture", lambda spec: None)  # the check comes before it
    monkeypatch.setattr(client_module, "_run_cam", lambda *args: 0)  # on air: the check let it through
    assert main(["cam", "ws://127.0.0.1:9", "--send", f"file:{clip}", "--out", "file:./clip.mp4", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    assert f"--out file:./clip.mp4 would write over the clip --send file:{clip} uploads\n" in err, err
    assert "output file:" not in err and clip.read_bytes() == b"the user's only copy"

def test_a_camera_started_while_the_server_loads_its_model_connects_and_waits_for_frames(server_factory,
                                                                                          monkeypatch):
    """vcam serve listens, and sends its state, from before its model loads (minutes, for 14B): a vcam cam started
    meanwhile is connected and waits for the first frame, never held to its 15 s for the server's first state and
    said to find a server that cannot be used."""
    import vcam.live.run
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    loading, release = threading.Event(), threading.Event()
    opener = vcam.live.run.stream_opener

    def held(*args, **kwargs):
        open_stream = opener(*args, **kwargs)

        def loads(*a, **k):
            loading.set()
            release.wait(60)
            return open_stream(*a, **k)

        return loads

    monkeypatch.setattr(vcam.live.run, "stream_opener", held)
    server = server_factory()
    try:
        assert loading.wait(60), server.said()
        said: list[str] = []
        link = Link(f"ws://127.0.0.1:{server.port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                    said.append)
        link.start()
        try:
            assert wait_for(lambda: link.connected, 30), said
            assert not link.broken and "on air" not in server.said()
        finally:
            link.stop()
    finally:
        release.set()


def _served(port: int, log, stderr) -> subprocess.Popen:
    """`vcam serve presets/example.yaml --model tiny` as a user starts it, in a process of its own."""
    return subprocess.Popen([sys.executable, "-m", "vcam", "serve", "presets/example.yaml", "--model", "tiny", "--port",
                             str(port), "--no-stdin", "--log-controls", str(log)],
                            stderr=open(stderr, "a"), stdin=subprocess.DEVNULL)


def _still_runs(frames: list[np.ndarray]) -> list[int]:
    """The lengths of the runs of frames that do not change (a held frame), as read back from a recording."""
    runs, n = [], 1
    for a, b in zip(frames, frames[1:]):
        if np.abs(a.astype(int) - b.astype(int)).mean() < 0.5:
            n += 1
        else:
            runs.append(n)
            n = 1
    return runs + [n]


@pytest.mark.slow  # two processes, the server started twice, the show recorded for 30 s or more
def test_vcam_cam_rides_out_a_killed_and_restarted_server_as_a_user_runs_them(tmp_path):
    """`vcam serve` and `vcam cam --out file:…` as two processes, the server killed outright mid-show and started
    again: the camera says each step once, records on (the last frame held meanwhile), and the commands typed while
    the server was down land as the README says (a knob's value always, a press only if given in the last 10 s)."""
    import cv2

    port, log = free_port(), tmp_path / "controls.jsonl"
    serve_err, cam_err = tmp_path / "serve.log", tmp_path / "cam.log"
    recording, url = tmp_path / "show.mp4", f"ws://127.0.0.1:{port}"
    server = _served(port, log, serve_err)
    # no --duration: a server slow to start again (a loaded machine) would outlast it, and the camera would have
    # ended before it could reconnect; the camera is told to quit once all that is checked has been seen
    cam = subprocess.Popen([sys.executable, "-m", "vcam", "cam", url, "--out", f"file:{recording}", "--size",
                            "112x64"], stdin=subprocess.PIPE, stderr=open(cam_err, "w"), text=True)

    def said() -> str:
        return cam_err.read_text().replace("\r", "\n")

    def typed(line: str) -> None:
        cam.stdin.write(line + "\n")
        cam.stdin.flush()

    def landed() -> list[str]:
        lines = log.read_text().splitlines() if log.exists() else []
        return [json.loads(x)["command"] for x in lines if '"command"' in x]

    try:
        assert wait_for(lambda: "connected to" in said() and "on air" in serve_err.read_text(), 120), said()
        # frames on the recording before the kill: the status line (kept every 10 s off a terminal) reads LIVE
        assert wait_for(lambda: "LIVE" in said(), 120), said()
        live_at = time.monotonic()  # the recording began before this
        server.kill()
        server.wait(60)
        down = time.monotonic()
        assert wait_for(lambda: "connection to the server lost" in said(), 30), said()
        typed("preset 2")  # a press given now is stale by the time the server is back
        typed("seed 42")  # a knob: its value lands however long the wait
        time.sleep(Waiting.STALE_S + 0.5)
        server = _served(port, log, serve_err)
        assert wait_for(lambda: "serving on" in serve_err.read_text(), 120)
        typed_at = time.monotonic()
        typed("preset 3")  # given while the server listens: sent if the camera is back within its 10 s
        assert wait_for(lambda: said().count("connected to") == 2, 60), said()
        back = time.monotonic() - down
        assert wait_for(lambda: "not sent, preset 2" in said(), 60), said()
        # The camera took the press in after typed_at and judged it before its judgement was read here: within its
        # 10 s where this is. A machine loaded enough to take longer to reconnect (a 5 s retry, a server slow to
        # start) may see it judged late, which the camera must then say.
        on_time = time.monotonic() - typed_at <= Waiting.STALE_S
        assert wait_for(lambda: "seed 42" in landed() and ("preset 3" in landed() or not on_time), 60), \
            (landed(), said())
        # 30 s of the show at least, from before its first LIVE: the length checked below
        time.sleep(max(0.0, live_at + 30 - time.monotonic()))
        typed("quit")
        assert cam.wait(120) == 0, said()
    finally:
        for proc in (cam, server):
            if proc.poll() is None:
                proc.kill()
                proc.wait(60)
    assert "preset 2" not in landed(), landed()
    late = "preset 3" not in landed()
    assert not (late and on_time), (landed(), said())
    lines = [line.removeprefix("vcam: ") for line in said().splitlines() if line.startswith("vcam:")]
    lines = lines[next(i for i, line in enumerate(lines) if line.startswith("connected to")):]  # before: it loads
    assert lines[:8] == [
        f"connected to {url}",
        "connection to the server lost without a word from it (vcam serve killed or crashed, its machine restarted, "
        "or the network dropped); holding the last frame, reconnecting",
        "not connected: preset 2 will be sent if the server is back within 10 s",
        "not connected: seed 42 will be sent once the server is reached (or the last seed given by then)",
        "not connected: preset 3 will be sent if the server is back within 10 s",
        f"connected to {url}",
        f"not sent, {'preset 2, preset 3' if late else 'preset 2'}: given more than 10 s before the server was back "
        "(the last value of each knob turned meanwhile is sent)",
        "seed 42 from the next block"], lines
    after = ["recorded "] if late else ["preset 3 ", "recorded "]
    # no stall said after the reconnect: the hold over the restart, read by the pacer as a stall, was said as one of
    # the new connection when a poll came between its first frame and its first block (test_remote_stalls.py)
    assert len(lines) >= 8 + len(after) and all(line.startswith(s) for line, s in zip(lines[8:], after)), lines
    capture = cv2.VideoCapture(str(recording))
    frames = []
    while (frame := capture.read())[0]:
        frames.append(frame[1])
    fps = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    held = max(_still_runs(frames))
    # the camera held its last frame while the server was away, and no longer than that (with the stall time and the
    # first block's way to the camera)
    assert Waiting.STALE_S * fps < held < (back + 4.0) * fps, (held, back, fps)
    assert len(frames) >= 25 * fps, len(frames)  # 30 s or more from the first frame, none cut out


def test_vcam_cam_says_a_clip_typed_by_its_path_on_the_laptop_is_looked_for_on_the_server(tmp_path, monkeypatch):
    """A clip dropped on vcam cam's terminal names the laptop's file; the server's answer says only that its shared
    folders hold no such file. The line is sent all the same (the server may hold a file of that path: a NAS
    mounted at the same path on both), so the note says where it is opened, not that it fails, and once for each
    path: a MIDI or OSC button that puts the clip on runs the line at every press."""
    from vcam.remote.controller import RemoteController

    monkeypatch.setenv("HOME", str(tmp_path))
    clip, still = tmp_path / "My Clips" / "loop.mp4", tmp_path / "logo.png"
    clip.parent.mkdir()
    clip.write_bytes(b"x")
    still.write_bytes(b"x")
    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    said = remote.handle_line(f"input file:{str(clip).replace(' ', chr(92) + ' ')}", "stdin")  # dropped
    assert said == (f"{clip} is opened on the server's machine, in a folder vcam serve --media shares, not here "
                    "(vcam cam --send file:PATH sends a clip from here)")
    assert "copy a picture there" in remote.handle_line(f"input image:{still}", "stdin")
    assert len(sent) == 2 and str(clip) in sent[0]
    for _ in range(3):  # a pad held or pressed again: said once
        assert remote.handle_line(f'input file:"{clip}"', "midi") is None
    assert len(sent) == 5
    assert remote.handle_line("input file:~/logo.png", "osc").startswith("~/logo.png is opened on the server's")
    assert remote.handle_line("input file:clips/loop.mp4", "stdin") is None  # a name for the server's folders
    assert remote.handle_line(f"input file:{tmp_path / 'gone.mp4'}", "stdin") is None


def test_vcam_cam_lists_the_servers_presets_for_preset_typed_alone_as_the_servers_console_does():
    """`preset` alone lists the show's presets on the server's console; typed at vcam cam it answered only that it
    needs an argument, though the server's state names them."""
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True)
    assert remote.handle_line("preset", "stdin").endswith("(numbers start at 1)")  # no state heard yet
    remote.update({"presets": ["neon city", "ocean"]})
    assert remote.handle_line("preset", "stdin").startswith("the show's presets: 1 'neon city', 2 'ocean'; usage:")
    assert remote.handle_line("blend @bar", "stdin").endswith("; the show's presets: 1 'neon city', 2 'ocean'")
    assert "the show's presets" not in remote.handle_line("seed", "stdin")


def test_vcam_cam_says_the_servers_seed_for_seed_typed_alone_as_the_servers_console_does():
    """`seed` alone says the seed now on the server's console; at vcam cam it said the usage only, and before the
    server is heard it names no value (this machine's defaults are none of the show's)."""
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True)
    assert remote.handle_line("seed", "stdin").endswith("from the next block")
    remote.update({"seed": 124, "strength": 0.6})
    assert remote.handle_line("seed", "stdin").startswith("seed 124 now; usage: seed N")
    assert remote.handle_line("strength", "stdin").startswith("strength 0.60 now; usage: strength X")


def test_vcam_cam_says_the_servers_quantize_and_tempo_for_them_typed_alone():
    """The server sends its quantize and bpm with its state: `quantize` or `bpm` alone at vcam cam said the usage
    only, where the server's own console says the value."""
    from vcam.control.commands import NO_TEMPO
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True)
    remote.update({"quantize": "bar", "bpm": 128.0})
    assert remote.handle_line("quantize", "stdin").startswith("quantize bar now; usage: quantize beat|bar")
    assert remote.handle_line("bpm", "stdin").startswith("tempo now 128.0 bpm; usage: bpm N")
    remote.update({"bpm": None})
    assert remote.handle_line("bpm", "stdin").startswith(f"{NO_TEMPO}; usage: bpm N")


def test_vcam_cam_says_once_that_input_camera_opens_the_servers_camera_and_how_to_send_this_one():
    """The server's answer to `input camera` names its own /dev/video devices and `ls /dev/video*`, read on the
    laptop as about the laptop's camera."""
    from vcam.remote.controller import RemoteController

    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    assert remote.handle_line("input camera:1", "stdin") == (
        "input camera:1 opens a camera of the server's machine, not of this one; to restyle this machine's camera, "
        "start vcam cam with --send camera")
    assert remote.handle_line("input camera", "midi") is None  # a pad pressed again: said once
    assert sent == ["input camera:1", "input camera"]  # sent all the same: the server may have a camera


def test_vcam_cam_that_sends_its_camera_says_input_net_puts_it_back_not_to_start_with_send():
    """With --send camera already given, `input camera` (meant as this machine's camera) was answered with
    'start vcam cam with --send camera', which this one was: `input net` is what puts its camera back."""
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True, sending=True)
    reply = remote.handle_line("input camera", "stdin")
    assert reply.endswith("this vcam cam sends its --send input up: input net puts it back on air"), reply
    assert "start vcam cam with --send" not in reply


def test_a_watching_client_may_ask_the_status_and_a_refused_command_says_how_to_steer(local_server):
    """A watcher's `status` was refused as a change would be, and every command it typed got one line that only
    said it watches, not how to steer."""
    from websockets.sync.client import connect

    def next_answer(ws):
        while (m := json.loads(ws.recv(timeout=30)))["type"] == "state":
            pass
        return m

    with connect(f"ws://127.0.0.1:{local_server.port}/?role=watch", proxy=None, open_timeout=30) as ws:
        ws.send(proto.text("command", line="status"))
        assert next_answer(ws)["type"] == "reply"
        for line in ("seed 5", "status 2", "sttaus"):  # a change, and what only looks like a status
            ws.send(proto.text("command", line=line))
            answer = next_answer(ws)
            assert answer["type"] == "error" and answer["message"].endswith(
                "to steer the show, connect with no ?role= in the address"), (line, answer)
    # a role the server does not know watches too: the way to steer does not say to take out a ?role=watch it lacks
    with connect(f"ws://127.0.0.1:{local_server.port}/?role=Control", proxy=None, open_timeout=30) as ws:
        ws.send(proto.text("command", line="seed 5"))
        answer = next_answer(ws)
        assert answer["type"] == "error" and "or a role other than control" in answer["message"], answer
        assert "without ?role=watch" not in answer["message"]
    assert local_server.lines == ["status"]


def test_a_show_whose_state_is_longer_than_a_clients_message_is_still_used_by_vcam_cam(local_servers):
    """The state names every preset: a show of 120 presets with long names (vcam check passes it) made a state past
    the 8192 characters a client's message may have, and every vcam cam took the server for another version."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    names = [f"preset {i:03d} " + "with a long descriptive name " * 3 for i in range(120)]
    assert len(proto.text("state", presets=names)) > proto.MAX_TEXT
    said: list[str] = []
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok",
                         lambda: {"screen": "live", "presets": names}, said.append)
    server.start()
    remote = RemoteController(lambda line: True)
    link = Link(f"ws://127.0.0.1:{server.port}", None, Pacer(PacerSettings()), remote, said.append)
    link.start()
    try:
        assert wait_for(lambda: remote.state.presets == names, 30), said
        assert link.connected and not [line for line in said if "cannot be used" in line], said
    finally:
        link.stop()
        server.stop()


def test_a_prompt_written_outside_ascii_reaches_the_server_as_typed(local_server):
    """A prompt of 2000 characters (as many as a command may give) written outside ASCII was escaped 6 characters
    to one, and refused by the server as 'message too long'."""
    from websockets.sync.client import connect

    line = "prompt " + "ü" * 1000 + "雨の街" * 333
    with connect(f"ws://127.0.0.1:{local_server.port}", proxy=None, open_timeout=30) as ws:
        ws.send(proto.text("command", line=line))
        while (answer := json.loads(ws.recv(timeout=30)))["type"] == "state":
            pass
    assert answer["type"] == "reply", answer
    assert local_server.lines == [line]


def test_a_state_naming_a_file_whose_name_is_not_utf8_still_reaches_the_clients():
    """A name of bytes other than UTF-8 (`--in file:` a Latin-1 name, read from the command line) holds a lone
    surrogate, which no WebSocket text can carry unescaped: the state failed to go out, and every client was cut
    off at each state. Escaped, as before, it goes, and reads back as the same name."""
    from websockets.sync.client import connect

    name = "file:caf\udce9.mp4"  # os.fsdecode(b"caf\xe9.mp4")
    assert json.loads(proto.text("reply", text=name).encode("utf-8"))["text"] == name
    server = FrameServer(ServeSettings(port=0), lambda line, source: f"input {name}",
                         lambda: {"screen": "live", "input": name}, lambda line: None)
    server.start()
    try:
        with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30) as ws:
            assert json.loads(ws.recv(timeout=30)) == {"type": "state", "screen": "live", "input": name}
            ws.send(proto.text("command", line="status"))
            while (answer := json.loads(ws.recv(timeout=30)))["type"] == "state":
                pass
            assert answer["type"] == "reply" and answer["text"] == f"input {name}", answer
    finally:
        server.stop()


class _Overtaken(ServedClient):
    """A client whose command's reply is queued only after `meanwhile` ran: another client's change, told to every
    client between the reply's state read and its queueing."""

    def __init__(self, ws, meanwhile):
        super().__init__(ws, "control", "tablet A")
        self.meanwhile = meanwhile

    def offer(self, message, state_read=None):
        while self.meanwhile and isinstance(message, str):
            self.meanwhile.pop()()
            if self.ws.gate.is_set():  # B's state on the wire before A's reply is queued
                assert self.sent_texts(time.monotonic() + 60)
        super().offer(message, state_read)


def _overtaken(gate_open: bool):
    """A server, its show's state, and client A, which B's knob (strength 0.8) overtakes as A sets 0.3."""
    on_air = {"strength": 0.2}

    def handle_line(line, source):
        on_air["strength"] = 0.3
        return "ok"

    server = FrameServer(ServeSettings(port=0), handle_line, lambda: dict(on_air), lambda message: None)
    ws = BlockedSocket()
    if gate_open:
        ws.gate.set()

    def other_client():
        on_air["strength"] = 0.8
        server.broadcast_state()

    client = _Overtaken(ws, [other_client])
    server.clients.append(client)
    return server, ws, client


def _mirrored(ws) -> list[float]:
    """The strengths a client's camera mirrored, in the order it was sent them (a reply carries one too)."""
    texts = [json.loads(m) for m in ws.sent if isinstance(m, str)]
    return [(t["state"] if t["type"] == "reply" else t)["strength"] for t in texts]


def test_a_reply_whose_state_another_clients_change_overtook_is_followed_by_the_newest_state():
    """Client A's command is answered with the state read after it; client B's change, told to every client between
    that read and the reply's queueing, went out first, and A's camera and knobs mirrored the older state last."""
    server, ws, client = _overtaken(gate_open=True)
    try:
        server._answer(proto.text("command", line="strength 0.3"), client)
        assert client.sent_texts(time.monotonic() + 60)
        assert _mirrored(ws) == [0.8, 0.3, 0.8]  # what is on air is what the client mirrors last
    finally:
        client.close()


def test_a_newer_state_still_waiting_behind_an_overtaken_reply_goes_after_it_and_only_once():
    """The same, with B's state still waiting to go when A's reply is queued: it is moved behind the reply rather
    than sent twice."""
    server, ws, client = _overtaken(gate_open=False)
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)  # the sender is blocked writing it: what follows waits
        server._answer(proto.text("command", line="strength 0.3"), client)
        ws.gate.set()
        assert client.sent_texts(time.monotonic() + 60)
        assert _mirrored(ws) == [0.3, 0.8]
    finally:
        client.close()


def test_a_clients_own_command_is_sent_its_state_once_by_the_round_and_once_by_the_reply():
    """One client alone: its own change's round is told before its reply's state is read (both hold the same
    state). The reply then needs nothing after it, where a third copy of the state went with every command, a
    knob's sweep included."""
    on_air = {"strength": 0.2}
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: dict(on_air), lambda m: None)

    def handle_line(line, source):
        on_air["strength"] = 0.3
        server.broadcast_state()  # the teller's round, told at once
        return "ok"

    server.handle_line = handle_line
    ws = BlockedSocket()
    ws.gate.set()
    client = ServedClient(ws, "control", "tablet A")
    server.clients.append(client)
    try:
        for _ in range(3):
            server._answer(proto.text("command", line="strength 0.3"), client)
            assert client.sent_texts(time.monotonic() + 60)
        assert [json.loads(m)["type"] for m in ws.sent] == ["state", "reply"] * 3
    finally:
        client.close()


def _lava_is_nan(tiny_engine, monkeypatch):
    """The text encoder overflows on any prompt with "lava" in it, as FP8 may: the change is accepted, then fails."""
    real = tiny_engine.text.encode
    monkeypatch.setattr(tiny_engine.text, "encode", lambda text: real(text) * (float("nan") if "lava" in text else 1))


def test_a_change_the_server_cannot_apply_is_said_on_the_laptop_that_typed_it_each_time(server_factory, tiny_engine,
                                                                                        monkeypatch):
    """The prompt was accepted (its reply said so), then failed as the generator applied it: only the server's
    terminal said it, and the operator on the laptop saw the picture not change without a word."""
    _lava_is_nan(tiny_engine, monkeypatch)
    server = server_factory()
    server.wait_on_air()
    pipe, status = Pipe(), TtyText()
    opts = CamOptions(url=f"ws://127.0.0.1:{server.port}", outs=["null"], size=(112, 64), duration=120,
                      commands=pipe.reader, status_out=status)
    thread, errors = in_thread(run_cam, opts)

    def told():
        return [line for line in status.getvalue().splitlines() if "not applied" in line]

    try:
        assert wait_for(lambda: "connected to" in status.getvalue(), 60)
        for n in (1, 2):  # typed by hand: said each time, however soon after the last
            pipe.send("prompt a lava flow")
            assert wait_for(lambda: len(told()) == n, 60), told()
    finally:
        pipe.send("quit")
        thread.join(60)
    assert not errors, errors
    assert told()[0].startswith("vcam: server: 'prompt a lava flow': control not applied (ValueError: the text "
                                "encoder's output for this prompt is NaN"), told()
    assert "control not applied" in server.said()  # and on the server's own terminal, as before


def test_a_failing_change_from_a_clients_knob_is_said_to_that_client_alone_once_a_minute(server_factory,
                                                                                         tiny_engine, monkeypatch):
    """A command sent without "typed" (a knob, a pad, or a vcam cam from before) is throttled as the server's own
    line is; one sent typed is said each time; another client hears nothing of it."""
    from websockets.sync.client import connect

    _lava_is_nan(tiny_engine, monkeypatch)
    server = server_factory()
    server.wait_on_air()
    url = f"ws://127.0.0.1:{server.port}"
    got: dict[str, list] = {"a": [], "b": []}

    def read(ws, name):
        try:
            for message in ws:
                if isinstance(message, str):
                    got[name].append(json.loads(message))
        except Exception:  # noqa: BLE001 - closed at the test's end
            pass

    def notices(name):
        return [m["text"] for m in got[name] if m["type"] == "notice"]

    with connect(url, proxy=None, open_timeout=30) as a, connect(url, proxy=None, open_timeout=30) as b:
        for ws, name in ((a, "a"), (b, "b")):
            threading.Thread(target=read, args=(ws, name), daemon=True).start()
        a.send(proto.text("command", line="prompt a lava flow"))
        assert wait_for(lambda: len(notices("a")) == 1, 60), got["a"]
        for _ in range(2):
            a.send(proto.text("command", line="prompt a lava flow"))
        a.send(proto.text("command", line="seed 11"))  # applied after the two, which have failed by then
        assert wait_for(lambda: any(c["command"] == "seed 11" for c in server.commands()), 60)
        a.send(proto.text("command", line="prompt a lava flow", typed=True))
        a.send(proto.text("command", line="seed 12"))
        assert wait_for(lambda: any(c["command"] == "seed 12" for c in server.commands()), 60)
        a.send(proto.text("command", line="status"))  # answered behind every notice told before it
        assert wait_for(lambda: len([m for m in got["a"] if m["type"] == "reply"]) == 7, 60), got["a"]
        assert len(notices("a")) == 2, notices("a")
    assert notices("b") == []
    assert "prompt a lava flow" in notices("a")[0] and "NaN" in notices("a")[0]


class _Sent:
    """A connection that keeps what is sent on it."""

    def __init__(self):
        self.sent: list = []

    def send(self, message):
        self.sent.append(message)


def test_a_clients_knob_failing_on_air_is_told_once_a_minute_with_a_count_and_a_typed_line_each_time():
    now = [0.0]
    ws = _Sent()
    client = ServedClient(ws, "control", "10.0.0.2:5000", clock=lambda: now[0])
    line, key = "'blend 1 2 0.5': control not applied (RuntimeError: boom)", ("SetPrompts", ("a", "b"), "boom")
    try:
        for _ in range(3):
            client.not_applied(line, key, typed=False)
        client.tell_held_back(30.0)  # within the minute: still held, so the count comes after the typed line
        client.not_applied(line, key, typed=True)  # its operator typed it: waits for the outcome
        now[0] = 60.0
        client.tell_held_back(60.0)
        assert client.sent_texts(time.monotonic() + 60), ws.sent  # all of them: none more is waiting
    finally:
        client.close()
    assert [json.loads(m) for m in ws.sent] == [{"type": "notice", "text": line}, {"type": "notice", "text": line},
                                               {"type": "notice", "text": f"2 more like it: {line}"}]


def test_only_a_clients_own_commands_name_it_and_a_line_typed_there_is_marked():
    from vcam.remote.answers import command_source, sender_of

    for name in ("10.0.0.2:5000", "[::1]:5000"):
        assert sender_of(command_source(name, False)) == (name, False)
        assert sender_of(command_source(name, True)) == (name, True)
    for source in ("stdin", "midi", "osc", "cue 3", "net", "reload", "generator"):  # `net`: an upload's own
        assert sender_of(source) is None


def test_vcam_cam_marks_a_line_typed_at_its_console_and_not_a_knobs():
    from vcam.remote.controller import RemoteController

    sent, typed = [], []
    remote = RemoteController(lambda line: sent.append(line) or True,
                              send_typed=lambda line: typed.append(line) or True)
    remote.handle_line("seed 3", "stdin")
    remote.set_param("strength", 0.5, "midi")
    remote.handle_line("preset 2", "osc")
    assert typed == ["seed 3"] and sent == ["strength 0.5 @off", "preset 2"]
    plain = []
    RemoteController(lambda line: plain.append(line) or True).handle_line("seed 4", "stdin")  # a caller without one
    assert plain == ["seed 4"]


def test_vcam_cam_prints_a_notice_and_an_older_one_passes_over_a_type_it_does_not_know():
    """A camera reads a message of a type it does not know as nothing (a vcam cam from before reads a notice so),
    and a notice that is no text is skipped and said, not printed as Python."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    said = []
    link = Link("ws://127.0.0.1:1", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._receive(json.dumps({"type": "a kind from a later vcam", "text": "x"}))
    assert said == []
    link._receive(proto.text("notice", text="'prompt lava': control not applied (ValueError: NaN\x1b[2J)"))
    link._receive(proto.text("notice", text=["not", "text"]))
    assert said[0] == "server: 'prompt lava': control not applied (ValueError: NaN\\x1b[2J)"
    assert len(said) == 2 and said[1].startswith("skipped a message from the server that this vcam cam cannot use "
                                                 "(ProtocolError: a notice whose text is a list, not a string)")


def test_a_change_that_fails_before_its_reply_went_out_is_told_after_the_reply():
    """The generator may apply (and fail) a change between the controller handing it over and the reply being
    queued: the laptop printed the failure, then the reply that read as the change taken, in that order."""
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: {"screen": "live"}, lambda m: None)
    line = "'prompt a lava flow': control not applied (ValueError: NaN)"

    def handle_line(command, source):
        server.not_applied(source, line, ("SetPrompts", ("a lava flow",), "NaN"))  # the generator, meanwhile
        return "prompt a lava flow"

    server.handle_line = handle_line
    ws = BlockedSocket()
    ws.gate.set()
    client = ServedClient(ws, "control", "10.0.0.2:5000")
    server.clients.append(client)
    try:
        server._answer(proto.text("command", line="prompt a lava flow", typed=True), client)
        assert client.sent_texts(time.monotonic() + 60), ws.sent
    finally:
        client.close()
    assert [json.loads(m)["type"] for m in ws.sent] == ["reply", "notice"]
    assert json.loads(ws.sent[1])["text"] == line


def test_a_notice_is_one_bounded_line_whatever_the_error_says():
    """An error's text is the library's: a torch error runs to paragraphs, several lines long; the laptop's terminal
    gets one line of it, with its start, as a reply's error is one line."""
    from types import SimpleNamespace

    from vcam.control.actions import Origin, SetSeed
    from vcam.remote.attach import NOTICE_CHARS, tell_not_applied

    hooks, told = [], []
    controller = SimpleNamespace(generator=SimpleNamespace(on_not_applied=hooks.append),
                                 told_network=lambda text, action=None: text)
    tell_not_applied(controller, SimpleNamespace(not_applied=lambda source, text, key: told.append(text)))
    error = "CUDA error: an illegal memory access\nCUDA kernel errors might be reported later\n" + "x" * 20000
    hooks[0](SetSeed(3), Origin("seed 3", "net 10.0.0.2:5000"), f"control not applied (RuntimeError: {error})",
             ("SetSeed",))
    assert len(told) == 1 and len(told[0]) <= NOTICE_CHARS and "\n" not in told[0], told
    assert told[0].startswith("'seed 3': control not applied (RuntimeError: CUDA error: an illegal memory access")


def test_vcam_cam_says_an_animated_fallback_shows_its_first_frame(tmp_path, monkeypatch):
    """As vcam run says it: a GIF given as vcam cam's --fallback showed its first frame still, without a word."""
    from PIL import Image

    path = str(tmp_path / "loop.gif")
    frames = [Image.new("RGB", (32, 24), (40 * i, 0, 0)) for i in range(1, 4)]
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
    got = []
    monkeypatch.setattr("vcam.remote.client._run_cam", lambda opts, status, specs, w, h, fallback, *rest:
                        got.append(fallback) or 0)
    status = io.StringIO()
    assert run_cam(CamOptions(url="ws://127.0.0.1:1", outs=["null"], size=(32, 24), fallback=path, stdin=False,
                              status_out=status)) == 0
    assert "fallback loop.gif is animated (3 frames): a fallback is one still picture, so only its first frame " \
           "shows while the stream stalls" in status.getvalue()
    assert got[0].shape == (24, 32, 3) and int(got[0][12, 16, 0]) in range(30, 51)


def test_vcam_cam_s_missing_fallback_is_told_to_check_its_flag_alone(tmp_path):
    """vcam cam reads no show, yet a --fallback not there (or a folder) was told to check "the show's fallback:"."""
    from vcam.live.frames import ImageError, load_image

    for given, fix in ((tmp_path / "gone.png", "check the path (--fallback IMAGE)"),
                       (tmp_path, "name an image file in it (--fallback FOLDER/IMAGE.png)")):
        with pytest.raises(ImageError) as raised:
            run_cam(CamOptions(url="ws://127.0.0.1:1", outs=["null"], size=(32, 24), fallback=str(given),
                               stdin=False, status_out=io.StringIO()))
        assert raised.value.fix == fix
    with pytest.raises(ImageError) as raised:  # where a show may have named it
        load_image(str(tmp_path / "gone.png"), 32, 24)
    assert raised.value.fix == "check the path (--fallback IMAGE, or the show's fallback:)"


@pytest.mark.parametrize("sending, example", [
    (False, "input file:NAME.mp4 (a clip in the folder the server shares)"),
    (True, "input net (the camera this vcam cam sends)")])
def test_vcam_cam_says_what_an_input_is_for_input_typed_alone_as_the_servers_console_does(sending, example):
    """`input` alone at vcam cam answered with the usage only, where the server's console says what an input is
    and gives a line to type."""
    from vcam.control.commands import usage
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True, sending=sending)
    assert remote.handle_line("input", "console") == (
        f"error: input needs an argument; usage: {usage('input')}; an input is the video the prompt restyles (a "
        f"camera, a clip, a picture; input none: text only), e.g. {example}")
    assert remote.handle_line("input", "osc", network=True) == f"error: input needs an argument; usage: " \
        f"{usage('input')}"


@pytest.mark.parametrize("url, fixed", [("http://vj:s3cret@gpu.box:8765", "ws://vj:***@gpu.box:8765"),
                                        ("vj:s3cret@gpu.box", "ws://vj:***@gpu.box"),
                                        ("ws://vj:s3cret@::1:8765", "ws://vj:***@[::1]:8765")])
def test_cam_never_says_the_password_of_an_address(url, fixed):
    """`vcam cam http://user:pw@host` offered the fixed address with its password, on a screen a show may film."""
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError) as e:
        check_url(url)
    assert "s3cret" not in str(e.value) and f"use {fixed} (with the password where *** stands)" in str(e.value)


def test_cam_s_connected_line_hides_the_password():
    from fake_link import connected
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    said: list[str] = []
    link = Link("ws://vj:s3cret@127.0.0.1:9/?role=control", None, Pacer(PacerSettings()),
                RemoteController(lambda line: True), said.append)
    connected(link)
    assert said == ["connected to ws://vj:***@127.0.0.1:9/?role=control"], said


def test_cam_s_end_and_token_lines_hide_the_password():
    """Its last line ("no frame came from ws://vj:s3cret@…") and a token's refusal said the password."""
    from types import SimpleNamespace

    from vcam.remote.client import _no_frame_text, _refusal

    opts = SimpleNamespace(url="ws://vj:s3cret@127.0.0.1:1", first_frame_wait=600.0)
    link = SimpleNamespace(ever_connected=False, answered=None, broken=None, unreachable="nothing listens", frames=0)
    said = [_no_frame_text(opts, link, SimpleNamespace(gave_up=False), False),
            _no_frame_text(opts, link, SimpleNamespace(gave_up=False), False, stopped_by=signal.SIGTERM)]
    said += [f"{e.message} {e.fix}" for e in (_refusal(opts, "missing token"), _refusal(opts, "bad token"))]
    assert all("s3cret" not in line and "vj:***@127.0.0.1:1" in line for line in said), said


def _looked_for_here(monkeypatch) -> list[str]:
    """The paths a line's reading looks for on this machine (names_file_here), recorded."""
    from vcam.control import linesource

    looked = []

    def lexists(path: str) -> bool:
        looked.append(path)
        return os.path.lexists(path)

    disk = SimpleNamespace(isabs=os.path.isabs, expanduser=os.path.expanduser, join=os.path.join, lexists=lexists)
    monkeypatch.setattr(linesource, "os", SimpleNamespace(path=disk))
    return looked


def test_a_watchers_input_line_looks_for_no_file_on_the_servers_machine(tmp_path, monkeypatch):
    """A watcher's line, read to tell a status from a change, was read as a show's line: its absolute path (a
    quote at its end, `input file:/etc/passwd"`) was looked for on the server's disk, as no client's line is."""
    from vcam.control.throttle import ErrorThrottle
    from vcam.remote import answers

    (tmp_path / 'a.png"').write_bytes(b"x")
    looked = _looked_for_here(monkeypatch)
    server = SimpleNamespace(handle_line=lambda line, source: pytest.fail(line), state=dict, say=lambda line: None)
    watcher = SimpleNamespace(name="laptop", role="watch", refusals=ErrorThrottle(1e9), asks_refused=ErrorThrottle(1e9))
    line = f'input file:{tmp_path}/a.png"'
    said = json.loads(answers.answer(server, json.dumps({"type": "command", "line": line}), watcher))
    assert said == {"type": "error", "message": answers.WATCH_ONLY}
    assert looked == []


def test_vcam_cams_hint_to_a_network_line_looks_for_no_file_here(tmp_path, monkeypatch):
    """An OSC sender's `'input file:/tmp/q/a.png"'`, refused, was read again without its quotes for a hint as a
    show's line: its path was looked for on vcam cam's disk, though the server's files are what it names."""
    from vcam.remote.controller import RemoteController

    (tmp_path / 'a.png"').write_bytes(b"x")
    looked = _looked_for_here(monkeypatch)
    sent = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    for line in (f"'input file:{tmp_path}/a.png\"'", f"＂input file:{tmp_path}/a.png\"＂"):
        reply = remote.handle_line(line, "osc", network=True)
        assert reply.startswith("error: unknown command") and "did you mean input?" in reply, reply
    assert sent == [] and looked == []


def test_cam_s_token_fixes_say_where_the_password_goes():
    """The fix for a missing, refused or changed token offered `vcam cam 'ws://vj:***@…' --token TOKEN`, which
    connects with *** as the password if pasted as shown."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.client import _refusal
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    url = "ws://vj:s3cret@127.0.0.1:9"
    fixes = [_refusal(SimpleNamespace(url=url), why).fix for why in ("missing token", "bad token")]
    said: list[str] = []
    link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link.ever_connected = True
    assert link._refusal(401, b"") is False
    offered = "vcam cam 'ws://vj:***@127.0.0.1:9' --token TOKEN (with the password where *** stands)"
    assert all(offered in line for line in fixes + said), fixes + said


@pytest.mark.parametrize("url, said, offered", [
    ("ws://vj:p/s3cret@gpu.box:8765", "ws://vj:***@gpu.box:8765", None),
    ("ws://vj:p?s3cret@gpu.box:8765", "ws://vj:***@gpu.box:8765", None),
    ("ws://vj:12/s3cret@gpu.box:8765", "ws://vj:***@gpu.box:8765", None),
    ("ws:/vj:s3cret@gpu.box", "ws:/vj:***@gpu.box", "ws://vj:***@gpu.box"),
    ("ws//vj:s3cret@gpu.box", "ws//vj:***@gpu.box", "ws://vj:***@gpu.box"),
    ("ws:vj:s3cret@gpu.box", "ws:vj:***@gpu.box", "ws://vj:***@gpu.box")])
def test_cam_hides_the_password_of_an_oddly_typed_address(url, said, offered):
    """A raw / ? or # in the password was echoed whole (one after digits, vj:12/s3cret@, taken for port 12 and
    dialled there); ws:/…, ws//… said the password twice and offered
    ws://ws:/vj:s3cret@…; ws:vj:s3cret@… was offered as ws://ws:***@… (the user lost, the password wrong)."""
    from vcam.remote.urls import check_url, said_url

    with pytest.raises(ValueError) as e:
        check_url(url)
    assert said_url(url) == said and f"{said!r}" in str(e.value) and "s3cret" not in str(e.value), str(e.value)
    if offered:
        assert f"use {offered} (with the password where *** stands)" in str(e.value), str(e.value)
    else:
        assert "write them as %2F, %3F and %23" in str(e.value), str(e.value)


def test_a_token_in_the_address_s_query_is_hidden():
    """vcam serve takes its token as ?token= too: `vcam cam ws://gpu.box:8765/?token=s3cret` said it in full in each
    connecting line, and a refused one was offered again in the line to type beside --token TOKEN."""
    from vcam.remote.client import _refusal
    from vcam.remote.urls import said_url

    url = "ws://gpu.box:8765/?role=watch&token=s3cret"
    assert said_url(url) == "ws://gpu.box:8765/?role=watch&token=***"
    for why in ("missing token", "bad token"):
        fix = _refusal(SimpleNamespace(url=url), why).fix
        assert "vcam cam 'ws://gpu.box:8765/?role=watch' --token TOKEN" in fix and "s3cret" not in fix, fix
    assert said_url("ws://gpu.box:8765/?tokens=a") == "ws://gpu.box:8765/?tokens=a"


@pytest.mark.parametrize("url, said, offered", [
    ("ws://gpu.box:8765/?to%6Ben=s3cret", "ws://gpu.box:8765/?to%6Ben=***", "ws://gpu.box:8765/"),
    ("ws://gpu.box:8765/?%74oken=s3cret&role=watch", "ws://gpu.box:8765/?%74oken=***&role=watch",
     "'ws://gpu.box:8765/?role=watch'"),
    ("ws://gpu.box:8765/#token=s3cret", "ws://gpu.box:8765/#token=***", None),
    ("ws://gpu.box:8765/?x=1#token=s3cret", "ws://gpu.box:8765/?x=1#token=***", None),
    ("ws://gpu.box:8765?to%6Ben=s3cret@b", "ws://gpu.box:***@***", None)])
def test_a_token_named_with_percent_escapes_or_after_a_hash_is_hidden(url, said, offered):
    """vcam serve reads ?to%6Ben= as ?token= (its name decoded), and a #token= (refused, as every #) is the token
    typed in the wrong place: both were said in full, in each connecting line and in the refusal."""
    from vcam.remote.urls import cam_command, check_url, said_url

    assert said_url(url) == said
    try:
        check_url(url)
    except ValueError as e:
        assert "s3cret" not in str(e) and said in str(e), str(e)
    if offered:
        assert cam_command(url) == f"vcam cam {offered} --token TOKEN", cam_command(url)


@pytest.mark.parametrize("url, said", [
    ("ws://gpu.box:8765/?x=a@b", "ws://gpu.box:8765/?x=a@b"),
    ("ws://gpu.box:8765/?role=watch&by=vj@studio", "ws://gpu.box:8765/?role=watch&by=vj@studio"),
    ("ws://vj:s3cret@gpu.box:8765/?x=a@b", "ws://vj:***@gpu.box:8765/?x=a@b")])
def test_an_at_in_the_query_hides_no_host(url, said):
    """Read from the last @, a query's x=a@b was taken for a password: ws://gpu.box:***@b was said of an address
    that vcam cam dialled at gpu.box:8765, the host and port a message is about hidden, a made-up host shown."""
    from vcam.remote.urls import check_url, said_url

    check_url(url)
    assert said_url(url) == said


@pytest.mark.parametrize("url, said", [
    ("ws://vj:ab?c=1@gpu.box:8765", "ws://vj:***@gpu.box:8765"),
    ("ws://vj:12?x=hunter2@127.0.0.1", "ws://vj:***@127.0.0.1")])
def test_a_raw_question_mark_in_a_password_is_no_query(url, said):
    """A user: before a ? before the @ was read as a query's x=a@b: the address was said in full, password and all,
    and ws://vj:12?x=hunter2@… was dialled at host vj, port 12."""
    from vcam.remote.urls import check_url, said_url

    assert said_url(url) == said
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value).startswith(f"{said!r}") and "%3F" in str(e.value), str(e.value)
    assert "ab?c" not in str(e.value) and "hunter2" not in str(e.value)


def test_a_token_is_hidden_only_after_the_host_and_said_a_token():
    """?token= was hidden over the whole address before the password was found: a password holding &token= was
    said as ws://vj:hunter2&token=***, its start shown and the host lost, and a token hidden in an offered address
    was said to be the password."""
    from vcam.remote.urls import check_url, cam_command, said_url

    url = "ws://vj:hunter2&token=b@127.0.0.1:18777"
    check_url(url)
    assert said_url(url) == "ws://vj:***@127.0.0.1:18777"
    assert cam_command(url) == "vcam cam 'ws://vj:***@127.0.0.1:18777' --token TOKEN " \
                               "(with the password where *** stands)"
    assert said_url("ws://vj:s3cret?token=x@gpu.box:8765") == "ws://vj:***@gpu.box:8765"
    with pytest.raises(ValueError) as e:
        check_url("http://gpu.box:8765/?token=s3cret")
    assert str(e.value).endswith("type vcam cam ws://gpu.box:8765/ --token TOKEN"), str(e.value)
    with pytest.raises(ValueError) as e:
        check_url("http://vj:pw@gpu.box:8765/?token=s3cret")
    assert str(e.value).endswith("--token TOKEN (with the password where *** stands)"), str(e.value)
    assert cam_command("ws://gpu.box:8765/p?a=1?token=s3cret") == "vcam cam 'ws://gpu.box:8765/p?a=1' --token TOKEN"


@pytest.mark.parametrize("url", ["ws://gpu.box/?by=vj@studio&cc=ops@studio", "ws://gpu.box/a@b", "ws://gpu.box/%23a@b",
                                 "ws://gpu.box/media/a@b.mp4", "ws://gpu.box/?token=p@ss@word"])
def test_an_at_after_a_host_with_no_password_is_taken(url):
    """With no : before the path there is no password to end, yet an @ after the host was refused as a / ? or # in
    "the user name or password" the address lacks, its host and port hidden."""
    from vcam.remote.urls import check_url, said_url

    check_url(url)
    assert said_url(url) == url.replace("p@ss@word", "***")


@pytest.mark.parametrize("url, said", [("ws://gpu.box:8765/media/a@b.mp4", "ws://gpu.box:***@b.mp4"),
                                       ("ws://vj:12/s3cret@gpu.box:8765", "ws://vj:***@gpu.box:8765")])
def test_an_at_after_a_port_says_both_readings(url, said):
    """host:port/…@… reads as an @ in the path or as a password after a user: the message gave only the second."""
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value).startswith(f"{said!r} reads two ways: an @ after the server's host and port goes as %40")
    assert "write them as %2F, %3F and %23" in str(e.value), str(e.value)


@pytest.mark.parametrize("url, said", [("ws://[::1]:8765/a@b", "ws://[::1]:8765/a@b"),
                                       ("ws://[::1]:8765?x=a@b", "ws://[::1]:8765?x=a@b"),
                                       ("ws://[::1]/a@b", "ws://[::1]/a@b"),
                                       ("ws://vj:pw@[::1]:8765/a@b", "ws://vj:***@[::1]:8765/a@b")])
def test_an_at_after_a_bracketed_host_is_the_paths(url, said):
    """No user name or password holds a raw [: an @ after a bracketed host was read as a password's end, and the
    address (dialled at [::1]:8765) refused and said as ws://[:***@b."""
    from vcam.remote.urls import check_url, said_url

    check_url(url)
    assert said_url(url) == said


@pytest.mark.parametrize("url, said", [("ws://h:8765/@", "ws://h:8765/@"),
                                       ("ws://vj:pw@h:8765/@", "ws://vj:***@h:8765/@")])
def test_an_at_ending_the_address_ends_no_password(url, said):
    """An @ with nothing after it has no host after it to end a password before: ws://h:8765/@ (dialled at h port
    8765) was refused and said as ws://h:***@."""
    from vcam.remote.urls import check_url, said_url

    check_url(url)
    assert said_url(url) == said


@pytest.mark.parametrize("url, said", [("ws://h:8765?token=ab@cd", "ws://h:***@***"),
                                       ("ws://h:8765?token=SECtk/x@y", "ws://h:***@***"),
                                       ("ws://h:8765?token=ab@cd&x=1", "ws://h:***@***&x=1")])
def test_a_token_read_as_a_password_is_hidden_to_its_end(url, said):
    """host:port?token=…@… reads as a user and password too: said that way, the token's end after the @ was shown
    (ws://h:***@cd)."""
    from vcam.remote.urls import check_url, said_url

    assert said_url(url) == said
    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value).startswith(f"{said!r} reads two ways"), str(e.value)


@pytest.mark.parametrize("url, said, offered", [
    ("ws://h:8765/?token=SEC#SECtk", "ws://h:8765/?token=***", "ws://h:8765/"),
    ("ws://vj:SEC?token=SECx@h", "ws://vj:***@h", "'ws://vj:***@h'")])
def test_a_token_is_hidden_to_its_end_and_a_password_with_a_query_in_it_stays_hidden(url, said, offered):
    """A # after ?token= left the token's end shown (?token=***#SECtk), and a ?token= inside a password (no port
    before its ?) was cut off as a query, the line to type again saying the password (vcam cam ws://vj:SEC)."""
    from vcam.remote.urls import cam_command, said_url

    assert said_url(url) == said
    assert cam_command(url).startswith(f"vcam cam {offered} --token TOKEN"), cam_command(url)
    assert "SEC" not in cam_command(url)

@pytest.mark.parametrize("url, said", [("ws://vj:pw@h:8765/a@b", "ws://vj:***@h:8765/a@b"),
                                       ("ws://vj:pw@h/a@b", "ws://vj:***@h/a@b")])
def test_an_at_after_a_full_user_password_host_is_the_paths(url, said):
    """The address is dialled at h with user:password@ before it: read from its last @, it was said as
    ws://vj:***@b, and the line to type again sent the password to host b."""
    from vcam.remote.urls import cam_command, check_url, said_url

    check_url(url)
    assert said_url(url) == said
    assert cam_command(url) == f"vcam cam '{said}' --token TOKEN (with the password where *** stands)"


@pytest.mark.parametrize("url, said", [("ws://gpu.box/#a@b", "ws://gpu.box/#a@b"),
                                       ("ws://vj:SECpw@h:8765/?token=SECtk#x", "ws://vj:***@h:8765/?token=***")])
def test_a_hash_in_the_address_is_refused_before_any_try(url, said):
    """The websockets library refuses an address with a # at each try: it was taken, then refused every few seconds
    with the address in full (its password and token) in each connecting line and the last one."""
    from websockets.exceptions import InvalidURI

    from vcam.remote.reasons import unreachable
    from vcam.remote.urls import check_url

    with pytest.raises(ValueError) as e:
        check_url(url)
    assert str(e.value).startswith(f"{said!r}: a # starts no part of a server's address"), str(e.value)
    assert "as %23" in str(e.value)
    line = unreachable(url, InvalidURI(url, "fragment is not allowed"))
    assert "SEC" not in line and said in line, line
def test_a_colon_in_the_path_before_an_at_may_be_a_password():
    """ws://ws//vj:pw@host (the scheme typed twice) has no : in its host part, and was taken with its password said
    in full and dialled at host ws."""
    from vcam.remote.urls import check_url, said_url

    assert said_url("ws://ws//vj:s3cret@gpu.box") == "ws://ws//vj:***@gpu.box"
    with pytest.raises(ValueError) as e:
        check_url("ws://ws//vj:s3cret@gpu.box")
    assert "s3cret" not in str(e.value) and "%2F" in str(e.value), str(e.value)
