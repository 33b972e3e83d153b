"""The network link under the probes that found its holes: a crowd connecting at once, clients that connect and
close at once, a wrong token, a server that sends nothing yet. A server in this process, without a model."""
import contextlib
import errno
import io
import json
import logging
import os
import re
import shutil
import socket
import struct
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import Pipe, failing_state, loopback_port, said_by_link, wait_for, ws_served
from vcam.cli import main
from vcam.remote import protocol as proto
from vcam.remote import answers as answers_module
from vcam.remote import listen as listen_module
from vcam.remote import server as server_module
from vcam.remote.addresses import machine_addresses
from vcam.live.pacer import Pacer, PacerSettings, PacerStats
from vcam.remote.client import CamOptions, run_cam
from vcam.remote.controller import RemoteController
from vcam.remote.feed import LinkFeed
from vcam.remote.link import Link
from vcam.remote.pending import Waiting
from vcam.remote.attach import attachment
from vcam.remote.served import ServedClient
from vcam.remote.server import FrameServer

HANDSHAKE = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


def url_of(server):
    return f"ws://127.0.0.1:{server.port}"


def first_text(ws):
    from json import loads

    return loads(ws.recv(timeout=30))


def test_the_client_cap_holds_under_concurrent_connects(local_servers, monkeypatch):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    # The threads that serve accepted connections start only once every handshake has been answered, as on a
    # loaded machine: the cap must hold by what the handshakes themselves count.
    release = threading.Event()
    handler = FrameServer._handler
    monkeypatch.setattr(FrameServer, "_handler", lambda self, ws: (release.wait(60), handler(self, ws))[1])
    server = local_servers(max_clients=3)
    n = 30
    barrier = threading.Barrier(n)
    opened, refused, lock = [], [], threading.Lock()

    with contextlib.ExitStack() as stack:
        def one():
            barrier.wait(60)
            try:
                ws = connect(url_of(server), proxy=None, open_timeout=60, close_timeout=1)
            except InvalidStatus as e:
                refused.append(e.response)
                return
            with lock:
                opened.append(stack.enter_context(ws))

        threads = [threading.Thread(target=one, daemon=True) for _ in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(90)
        release.set()
        assert (len(opened), len(refused)) == (3, n - 3)
        assert all(r.status_code == 503 and b"too many clients" in r.body and b"at most 3" in r.body
                   for r in refused)
        assert wait_for(lambda: len(server.clients) == 3, 30)
        assert all(first_text(ws)["type"] == "state" for ws in opened)  # those let in are served
    assert wait_for(lambda: not server.clients, 30)
    with connect(url_of(server), proxy=None, open_timeout=30) as again:  # their places are free again
        assert first_text(again)["type"] == "state"


def test_clients_that_connect_and_close_at_once_cause_no_traceback_and_take_no_place(local_servers, caplog):
    from websockets.sync.client import connect

    caplog.set_level(logging.INFO)
    server = local_servers(max_clients=2)
    cycles = 100
    for i in range(cycles):
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
            s.sendall(HANDSHAKE)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += s.recv(1024)
            assert b" 101 " in answer, (i, answer)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # closes with a reset
        # Each one's place is given back: waited for, because on a loaded machine back-to-back cycles outrun the
        # threads that give places back, and the next connect would rightly be refused as one too many.
        assert wait_for(lambda: server.places_taken() == 0, 60), (i, server.places_taken())
    with connect(url_of(server), proxy=None, open_timeout=30) as ws:  # none of them kept a place
        assert first_text(ws)["type"] == "state"
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not failures, caplog.text[:3000]
    assert not any("Traceback" in m or "Errno" in m for m in server.said)
    assert len(server.said) <= 1 + cycles + 2  # at most a line for each (and two for the client above)


@pytest.mark.parametrize("token", [None, "wrong"])
def test_vcam_cam_exits_2_with_the_reason_when_the_server_refuses_its_token(local_servers, capsys, monkeypatch,
                                                                              token):
    monkeypatch.delenv("VCAM_TOKEN", raising=False)
    server = local_servers(token="s3cret")
    argv = ["cam", url_of(server), "--out", "null", "--no-stdin", "--duration", "5"]
    argv += ["--token", token] if token else []
    result = []
    thread = threading.Thread(target=lambda: result.append(main(argv)), daemon=True)
    thread.start()
    thread.join(60)
    err = capsys.readouterr().err
    assert result == [2], err
    assert ("refused the token" if token else "asks for a token") in err
    assert "fix:" in err and "--token TOKEN" in err
    assert any(("wrong" if token else "missing") + " token" in m for m in server.said)


class TtyText(io.StringIO):
    def isatty(self):  # every status line update is kept
        return True


def start_cam(opts):
    result = []
    thread = threading.Thread(target=lambda: result.append(run_cam(opts)), daemon=True)
    thread.start()
    return thread, result


def test_vcam_cam_counts_its_duration_from_the_first_frame(local_server, camera):
    status, typed = TtyText(), Pipe()
    opts = CamOptions(url=url_of(local_server), outs=["vcam"], size=(112, 64), duration=1.0,
                      commands=typed.reader, status_out=status)
    thread, result = start_cam(opts)
    try:
        assert wait_for(lambda: len(local_server.clients) == 1, 60)
        thread.join(3.0)  # three times --duration, and no frame yet (a server still loading its model)
        assert thread.is_alive(), status.getvalue()
        assert "WAITING FOR THE FIRST FRAME" in status.getvalue()
        block = np.full((12, 64, 112, 3), 90, dtype=np.uint8)
        deadline = time.monotonic() + 60
        while thread.is_alive() and time.monotonic() < deadline:
            local_server.publish(block)
            thread.join(0.25)
    finally:
        typed.send("quit")
        thread.join(30)
    assert result == [0], status.getvalue()
    frames = camera.opened[-1].frames
    assert abs(frames[-1].reshape(64, 112, 3).mean() - 90) < 4  # the show was on the camera when it ended


def _silent_and_unreachable(server):
    """(url, what the status says, why no frame came) for a server that sends no frame and for a closed port."""
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"ws://127.0.0.1:{s.getsockname()[1]}"
    return [(url_of(server), "connected to", "still loading"),
            (closed, "cannot reach the server: nothing listens on 127.0.0.1 port",
             "could not be reached (nothing listens on 127.0.0.1 port")]


def test_vcam_cam_that_never_got_a_frame_says_so_and_exits_1(local_server, tmp_path):
    for url, cue, why in _silent_and_unreachable(local_server):
        status, typed = io.StringIO(), Pipe()
        opts = CamOptions(url=url, outs=["null", f"file:{tmp_path / 'show.mp4'}"], size=(112, 64), duration=1.0,
                          commands=typed.reader, status_out=status)
        thread, result = start_cam(opts)
        try:
            assert wait_for(lambda: cue in status.getvalue(), 60), status.getvalue()
        finally:
            typed.send("quit")
            thread.join(60)
        text = status.getvalue()
        assert result == [1], text
        assert f"no frame came from {url}" in text and why in text and "; nothing was recorded;" in text


def test_vcam_cam_keeps_its_camera_when_a_restarted_server_refuses_its_token(local_servers, camera, monkeypatch):
    # a server restarted mid-show with another token: the OBS machine's camera must not close
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.05)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.2)
    first = local_servers(token="first-s3cret")
    port = first.port
    status, typed = TtyText(), Pipe()
    opts = CamOptions(url=url_of(first), token="first-s3cret", outs=["vcam"], size=(112, 64), commands=typed.reader,
                      status_out=status)
    thread, result = start_cam(opts)
    block = np.full((12, 64, 112, 3), 90, dtype=np.uint8)

    def showing_the_block():
        frames = camera.opened[-1].frames if camera.opened else []
        return bool(frames) and abs(frames[-1].reshape(64, 112, 3).mean() - 90) < 4

    try:
        assert wait_for(lambda: len(first.clients) == 1, 60)
        deadline = time.monotonic() + 60
        while not showing_the_block() and time.monotonic() < deadline:
            first.publish(block)
            time.sleep(0.1)
        assert showing_the_block(), status.getvalue()
        first.stop()
        second = local_servers(port=port, token="second-s3cret")
        assert wait_for(lambda: sum("wrong token" in m for m in second.said) >= 3, 60), status.getvalue()
        assert thread.is_alive(), status.getvalue()  # refused three times, and still running
        cam = camera.opened[-1]
        shown = len(cam.frames)
        assert wait_for(lambda: len(cam.frames) > shown + 10, 60) and showing_the_block()  # holding the last frame
        assert not cam.closed
        text = status.getvalue()
        assert text.count("now refuses the token it accepted before") == 1, text  # said once
        assert "restarted with another --token" in text and f"vcam cam {url_of(first)} --token TOKEN" in text
        assert "s3cret" not in text  # a show's terminal is often on screen
        assert wait_for(lambda: "TOKEN REFUSED, RETRYING" in status.getvalue(), 60)
        second.stop()
        local_servers(port=port, token="first-s3cret")  # back with the token it had: the client gets back on
        assert wait_for(lambda: status.getvalue().count("connected to") == 2, 60), status.getvalue()
    finally:
        typed.send("quit")
        thread.join(60)
    assert result == [0], status.getvalue()


def test_a_client_with_a_duration_gives_up_after_a_bounded_wait_for_its_first_frame():
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), print)
    now = [1000.0]
    none, some = PacerStats(), PacerStats(pushed=12)
    for duration, gives_up_after in [(30.0, 600.0), (900.0, 900.0)]:  # the longer of --duration and the wait
        feed = LinkFeed(link, duration, first_frame_wait=600.0, clock=lambda: now[0])
        start = now[0]
        now[0] = start + gives_up_after - 1
        assert not feed.poll(none) and not feed.gave_up
        assert not LinkFeed(link, duration, 600.0, clock=lambda: start).poll(some)  # on air: not this rule's
        now[0] = start + gives_up_after
        assert not feed.poll(some)  # a first frame came: --duration counts from it (the on-air loop's rule)
        assert feed.poll(none) and feed.gave_up
    feed = LinkFeed(link, None, first_frame_wait=600.0, clock=lambda: now[0])
    now[0] += 10 ** 6
    assert not feed.poll(none)  # without --duration: until quit, as before


def test_vcam_cam_with_a_duration_and_no_frame_ends_by_itself(local_server, tmp_path):
    for url, cue, why in _silent_and_unreachable(local_server):
        status = io.StringIO()
        # nothing is typed: a recording scheduled against a server that sends nothing must end by itself
        opts = CamOptions(url=url, outs=["null", f"file:{tmp_path / 'show.mp4'}"], size=(112, 64), duration=0.5,
                          first_frame_wait=1.5, stdin=False, status_out=status)
        thread, result = start_cam(opts)
        thread.join(90)
        text = status.getvalue()
        assert result == [1], text
        assert cue in text and why in text and "; nothing was recorded;" in text
        assert f"no frame came from {url} in 1.5 s (with --duration, a client waits for its first frame" in text


def test_serve_on_every_address_advertises_a_command_that_works_elsewhere(local_servers, monkeypatch):
    monkeypatch.setattr(listen_module, "machine_addresses", lambda ipv6=False: ["10.1.2.3", "192.168.5.6"])
    server = local_servers(host="0.0.0.0", token="s3cret")
    said = "\n".join(server.said)
    port = server.port
    assert f"vcam cam ws://10.1.2.3:{port} --token TOKEN" in said
    assert "192.168.5.6" in said and "port mapping" in said
    assert "ws://0.0.0.0" not in said
    assert "s3cret" not in said  # a show's terminal is often on screen

    monkeypatch.setattr(listen_module, "machine_addresses", lambda ipv6=False: [])  # none: the provider's address
    server = local_servers(host="0.0.0.0", token="s3cret")
    said = "\n".join(server.said)
    assert "ws://0.0.0.0" not in said and "port mapping" in said and "ws://ADDRESS:PORT --token TOKEN" in said


def _ipv6_loopback() -> bool:
    try:
        with socket.create_server(("::1", 0), family=socket.AF_INET6):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_serve_on_every_ipv6_address_listens_and_names_an_ipv6_address_to_use(local_servers, monkeypatch):
    """--host :: (every address, IPv6 too: a cloud container may have IPv6 alone) was refused with "Address family
    for hostname not supported": the listening socket was made for IPv4 whatever the host."""
    asked = []

    def addresses(ipv6=False):
        asked.append(ipv6)
        return ["2001:db8::5"]

    monkeypatch.setattr(listen_module, "machine_addresses", addresses)
    server = local_servers(host="::", token="s3cret")
    advert = "\n".join(server.said)
    assert asked == [True] and f"vcam cam ws://[2001:db8::5]:{server.port} --token TOKEN" in advert, advert
    for host in ("[::1]", *(["127.0.0.1"] if socket.has_dualstack_ipv6() else [])):
        said: list[str] = []
        link = Link(f"ws://{host}:{server.port}", "s3cret", Pacer(PacerSettings()),
                    RemoteController(lambda line: True), said.append)
        link.start()
        try:
            assert wait_for(lambda: link.connected, 30), said
            # the client named as an address is written: `::1:52822` read as one address, and an IPv4 client
            # came as ::ffff:127.0.0.1
            named = re.escape(f"client {host}:") + r"\d+ connected"
            assert wait_for(lambda: any(re.match(named, line) for line in server.said), 30), server.said
        finally:
            link.stop()
    assert not [line for line in server.said if "::ffff:" in line or line.startswith("client ::")], server.said
    one = local_servers(host="::1")  # IPv6's loopback: the tunnel leads there, not to IPv4's
    assert one.said == [f"serving on ws://[::1]:{one.port}; on the OBS machine, with a tunnel open (ssh -N -L "
                        f"{one.port}:[::1]:{one.port} USER@THIS-MACHINE): vcam cam ws://127.0.0.1:{one.port}"]


def test_the_machine_addresses_are_usable_from_elsewhere(monkeypatch):
    import ipaddress

    for a in machine_addresses(ipv6=True):
        ip = ipaddress.ip_address(a)
        assert not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)

    def unreachable(*args):
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "gethostbyname_ex", unreachable)
    monkeypatch.setattr(socket, "getaddrinfo", unreachable)
    assert machine_addresses() == [] and machine_addresses(ipv6=True) == []


@contextlib.contextmanager
def web_server(answers, status=200, headers=(), tls=None):
    """An HTTP/1.1 server on a free loopback port that answers every request with `status` (200: a notebook, a
    page) and `headers`, counting the requests in `answers`; yields its ws:// address (wss:// with `tls`, an
    ssl.SSLContext)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Page(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            answers.append(self.path)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", "5")
            self.end_headers()
            self.wfile.write(b"hello")

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"{'wss' if tls else 'ws'}://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_web_server_on_the_port_is_said_once_with_the_port_to_check(monkeypatch, tmp_path):
    """It was said on every try, every 5 s for as long as the client ran, as 'is ws://… a vcam server?', and the end
    said the server could not be reached, where something had answered."""
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.01)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.02)
    answers, said = [], []
    with web_server(answers) as url:
        link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
        link.start()
        try:
            assert wait_for(lambda: len(answers) >= 4, 60)
        finally:
            link.stop()
        port = url.rsplit(":", 1)[1]
        assert said == [f"127.0.0.1 port {port} answered HTTP 200, as a web server does: vcam serve does not listen "
                        "there; check the port in the address (vcam serve's first line names it) (through an HTTP "
                        "proxy, the address starts with wss://); retrying"]
        status = io.StringIO()
        opts = CamOptions(url=url, outs=["null"], size=(112, 64), duration=0.5, first_frame_wait=0.5, stdin=False,
                          status_out=status)
        assert run_cam(opts) == 1
    end = status.getvalue().splitlines()[-1]
    assert f"): 127.0.0.1 port {port} answered HTTP 200, as a web server does" in end and "reached" not in end


LOG_IN = "open any web page in a browser and log in to the network first"


def test_a_networks_login_page_answering_in_the_servers_place_is_said_as_such(monkeypatch):
    """A hotel's or a café's wifi before its login sends every request to its page: that was "cannot reach the
    server: InvalidURI: http://… isn't a valid URI: scheme isn't ws or wss", or "answered HTTP 511, as a web
    server does: vcam serve does not listen there", where the network wanted a login."""
    portal = "http://portal.example/login?from=vcam"
    said, url = _said_when_sent_on(monkeypatch, 302, portal)
    assert said == [f"cannot reach the server: 127.0.0.1 port {url.rsplit(':', 1)[1]} sends this client to the web "
                    f"page {portal}: on a hotel, café or train network, {LOG_IN}; else vcam serve does not listen "
                    "there (its first line names its port); the camera shows its 'connecting' card, reconnecting"]
    answers = []
    with web_server(answers, status=511) as url:
        said = _said_by_link(url, lambda: len(answers) >= 3)
    assert said == [f"the network this machine is on asks for a login (HTTP 511) before it reaches 127.0.0.1: "
                    f"{LOG_IN}; retrying"]


@pytest.mark.skipif(shutil.which("openssl") is None, reason="makes its certificate with the openssl command")
def test_a_certificate_not_trusted_is_not_said_to_be_a_port_without_tls(tmp_path, monkeypatch):
    """A page that answers wss:// in the server's place (a network's login page, a filtering proxy) shows a
    certificate this machine does not trust: that was said as "does not speak TLS: the address starts with ws://",
    which cannot work either."""
    import ssl
    import subprocess

    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.01)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.02)
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=portal.example"], check=True, capture_output=True)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    accepted = []
    with web_server([], tls=tls) as url:
        tls.set_servername_callback(lambda *args: accepted.append(1))
        said = _said_by_link(url, lambda: len(accepted) >= 3)
    assert len(said) == 1 and said[0].startswith(
        f"cannot reach the server: 127.0.0.1 port {url.rsplit(':', 1)[1]} answered with a certificate this machine "
        "does not trust (self-signed certificate): on a hotel, café or train network, its login page may answer in "
        f"the server's place ({LOG_IN}); else check"), said


@contextlib.contextmanager
def other_program(banner: bytes | None, accepted):
    """A loopback port where another program listens (an SSH server): it sends `banner` to every connection and
    closes it once the client has spoken; with no banner (an ssh -L tunnel whose far end has no server) it closes
    each at once. Counts them in `accepted`. Yields its ws:// address."""
    def answer(conn: socket.socket) -> None:
        accepted.append(1)
        if banner is None:
            return
        conn.sendall(banner)
        with contextlib.suppress(OSError):
            conn.recv(1024)

    with loopback_port(answer) as url:
        yield url


def test_a_port_where_another_program_listens_is_said_without_the_librarys_traceback(monkeypatch, caplog):
    """It was 'InvalidMessage: did not receive a valid HTTP response', and one try in four printed the websockets
    library's 'unexpected internal error' with its traceback (its reader thread met the socket closed under it)."""
    monkeypatch.delenv("VCAM_DEBUG", raising=False)
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.001)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.001)
    caplog.set_level(logging.DEBUG)
    accepted, said = [], []
    with other_program(b"SSH-2.0-OpenSSH_8.9\r\n", accepted) as url:
        clear = (f"cannot reach the server: 127.0.0.1 port {url.rsplit(':', 1)[1]} answers, but not in HTTP as vcam "
                 "serve does: another program listens there; check the port")
        # the library's race hides the banner from a try now and then, from most on a busy machine: thirty tries at
        # least, and on until one has read it
        _said_by_link(url, lambda: len(accepted) >= 30 and any(m.startswith(clear) for m in said), said)
    # a try that saw only the close (the library's race, now and then) may say the unclear line first; never more
    assert said[-1].startswith(clear) and len(said) <= 2, said
    assert len(said) == 1 or "accepted the connection and closed it without an answer" in said[0], said
    assert not [r for r in caplog.records if r.name.startswith("websockets")], caplog.text[:2000]


def _said_when_sent_on(monkeypatch, status: int, location: str) -> tuple[list[str], str]:
    """What a vcam cam's link says, over three quick tries (the test's from then on), of a web server that answers
    each with a redirect (`status`) to `location`; and the server's address."""
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.01)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.02)
    answers: list[int] = []
    with web_server(answers, status=status, headers=[("Location", location)]) as url:
        return _said_by_link(url, lambda: len(answers) >= 3), url


def _said_by_link(url: str, enough: Callable[[], bool], said: list[str] | None = None) -> list[str]:
    """What a vcam cam's link says while it tries `url` until `enough()` (into `said`, where given)."""
    said = [] if said is None else said
    link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link.start()
    try:
        assert wait_for(enough, 60)
    finally:
        link.stop()
    return said


def test_a_tunnel_whose_far_end_has_no_server_is_said_as_such(monkeypatch):
    """An ssh -L tunnel whose GPU machine runs no vcam serve accepts the connection and closes it at once: that was
    said as "another program listens there", sending the operator to look for a program that is not there."""
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.001)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.001)
    accepted = []
    with other_program(None, accepted) as url:
        said = _said_by_link(url, lambda: len(accepted) >= 20)
    assert len(said) == 1 and "accepted the connection and closed it without an answer: through an ssh -L tunnel, " \
        "vcam serve is not running on the GPU machine" in said[0], said


def test_the_librarys_own_race_is_not_said_for_what_answered(monkeypatch):
    """The websockets library fails one try in a few with an AssertionError of its own where the other end closes
    during its handshake; said as the run's one line ("AssertionError"), it hid what the next tries found."""
    from websockets.exceptions import InvalidMessage

    import vcam.remote.link
    import websockets.sync.client

    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.001)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.001)
    tries = []

    def connect(*args, **kwargs):
        tries.append(1)
        if len(tries) <= 2 or len(tries) > 6:
            raise AssertionError
        try:
            raise ValueError("invalid HTTP status line: SSH-2.0-OpenSSH_8.9")
        except ValueError as e:
            raise InvalidMessage("did not receive a valid HTTP response") from e

    monkeypatch.setattr(websockets.sync.client, "connect", connect)
    monkeypatch.setattr(Link, "_open_socket", lambda self: None)  # the stand-in connects to nothing
    said = _said_by_link("ws://127.0.0.1:9", lambda: len(tries) >= 12)
    assert len(said) == 1 and "port 9 answers, but not in HTTP as vcam serve does" in said[0], said
    tries.clear()
    monkeypatch.setattr(vcam.remote.link, "LIBRARY_RACES_SAID", 2)  # the race said first, then what answered
    said = _said_by_link("ws://127.0.0.1:9", lambda: len(tries) >= 12)
    # the clear line, once said, is not taken back by the races after it
    assert len(said) == 2 and "closed it without an answer" in said[0] and "not in HTTP" in said[1], said
    tries.clear()
    monkeypatch.setattr(websockets.sync.client, "connect", lambda *a, **k: tries.append(1) or _raise(AssertionError()))
    said = _said_by_link("ws://127.0.0.1:9", lambda: len(tries) >= 6)
    assert len(said) == 1 and "accepted the connection and closed it without an answer" in said[0], said  # every time


def _raise(error: Exception):
    raise error


def test_a_wss_address_of_a_plain_port_is_said_to_need_ws():
    import ssl

    from vcam.remote.reasons import unreachable

    said = unreachable("wss://127.0.0.1:8765", ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"))
    assert said.startswith("127.0.0.1 port 8765 does not speak TLS") and "starts with ws://" in said


def test_commands_given_while_not_connected_reach_the_server_without_losing_one_silently(local_server):
    """Twenty were kept and the oldest dropped without a word, though each had been said to be sent: a fader moved
    while the tunnel was down pushed out a seed typed before it."""
    said = []
    remote = RemoteController(lambda line: link.send_line(line))
    link = Link(url_of(local_server), None, Pacer(PacerSettings()), remote, said.append)
    replies = [remote.handle_line("seed 7", "stdin")]
    for i in range(100):  # a sweep of the strength fader, then one of steps
        replies.append(remote.set_param("strength", i / 100, "midi"))
    replies += [remote.set_param("steps", 1 + i % 8, "midi") for i in range(30)]
    replies += [remote.handle_line(f"preset p{i}", "stdin") for i in range(18)]  # a 21st waiting: the oldest goes
    assert [r for r in replies if r] == [
        "not connected: seed 7 will be sent once the server is reached (or the last seed given by then)",
        "not connected: strength 0 @off will be sent once the server is reached (or the last strength given by then)",
        "not connected: steps 1 @off will be sent once the server is reached (or the last steps given by then)",
        *[f"not connected: preset p{i} will be sent if the server is back within 10 s" for i in range(18)]]
    overflow = ("not connected, and 20 commands wait to be sent already: the oldest, seed 7, will not be (nor the "
                "oldest of any given after it; they are counted when the server is back)")
    assert said == [overflow]
    link.start()
    try:
        assert wait_for(lambda: len(local_server.lines) == 20, 60), local_server.lines
    finally:
        link.stop()
    assert local_server.lines == ["strength 0.99 @off", "steps 6 @off", *[f"preset p{i}" for i in range(18)]]
    # the one dropped was said as it went (the rest: the server's "ok" to each command)
    assert [line for line in said if line != "ok"] == [overflow, f"connected to {url_of(local_server)}"]
    assert remote.handle_line("seed 8", "stdin").startswith("not connected")  # said again once disconnected


def test_a_command_that_breaks_as_it_is_written_is_raised_not_kept_as_if_the_server_were_gone(local_server,
                                                                                              monkeypatch):
    """A command whose message broke on a bug in vcam's own code, on a link that is connected, was kept "for the next
    connection" in silence, and the operator read "not connected: … will be sent once the server is reached": the
    bug was taken for the network. It is raised now, for the console to say with its type."""
    said = []
    remote = RemoteController(lambda line: link.send_line(line))
    link = Link(url_of(local_server), None, Pacer(PacerSettings()), remote, said.append)
    link.start()
    try:
        assert wait_for(lambda: link.connected, 60), said
        made = proto.text

        def text(kind, **fields):
            if kind == "command":
                raise TypeError("Object of type float32 is not JSON serializable")
            return made(kind, **fields)

        monkeypatch.setattr(proto, "text", text)
        with pytest.raises(TypeError, match="not JSON serializable"):
            remote.handle_line("seed 7", "stdin")
        monkeypatch.undo()
        remote.handle_line("seed 8", "stdin")  # the link still sends what it can
        assert wait_for(lambda: "seed 8" in local_server.lines, 60), local_server.lines
        assert "seed 7" not in local_server.lines  # not kept and sent later as if the network had held it back
    finally:
        link.stop()


def _waiting(clock):
    said = []
    return Waiting(said.append, clock=lambda: clock[0]), said


def test_a_knobs_last_value_lands_after_a_long_drop_and_a_press_from_minutes_ago_does_not_fire():
    """Every command given while the link was down was sent on reconnecting, however old: a preset pressed two
    minutes before fired the moment the hotel's wifi came back, in the middle of another scene."""
    clock = [0.0]
    waiting, said = _waiting(clock)
    waiting.add("preset storm")  # pressed as the link dropped
    waiting.add("blackout")
    for i in range(50):
        clock[0] += 1.0
        waiting.add(f"strength {i / 50:g} @off")  # the fader swept meanwhile
    waiting.add("seed 3")
    clock[0] = 118.0
    waiting.add("preset calm")  # a press just before the link came back
    clock[0] = 120.0
    assert waiting.take() == ["strength 0.98 @off", "seed 3", "preset calm"]
    assert said == ["not sent, preset storm, blackout: given more than 10 s before the server was back (the last "
                    "value of each knob turned meanwhile is sent)"]
    assert waiting.take() == [] and len(said) == 1  # taken once; nothing more to say


def test_presses_given_within_the_window_are_all_sent_in_order_and_nothing_is_said():
    clock = [0.0]
    waiting, said = _waiting(clock)
    for name in ("freeze", "preset a", "live"):
        waiting.add(name)
        clock[0] += 3.0
    assert waiting.take() == ["freeze", "preset a", "live"] and said == []


def test_presses_pushed_out_past_the_bound_are_said_once_as_they_go_then_counted_in_the_reconnects_line():
    """Each press past the bound was a line of its own: a pad held down on a dead link scrolled the terminal."""
    clock = [0.0]
    waiting, said = _waiting(clock)
    for i in range(Waiting.MOST + 7):
        waiting.add(f"preset p{i}")
    assert len(said) == 1 and said[0].startswith("not connected, and 20 commands wait to be sent already: the oldest, "
                                                 "preset p0, will not be"), said
    clock[0] = 30.0
    assert waiting.take() == []
    assert said[1] == ("not sent, preset p7, preset p8, preset p9, preset p10 and 16 more: given more than 10 s "
                       "before the server was back; 6 more pushed out by later ones while the link was down")
    waiting.add("preset again")  # a new wait names its first drop again
    assert waiting.take() == ["preset again"] and len(said) == 2


def test_a_command_given_as_the_link_connects_is_sent_then_or_kept_never_left_behind():
    """The link took the commands waiting, then opened to sends: one given in between waited for the next
    reconnect. Now the take and the opening are one step under the send lock."""
    said, written = [], []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)

    class Socket:
        def send(self, message):
            written.append(json.loads(message)["line"])

    link.send_line("preset a")  # not connected: kept
    link._ws = Socket()
    assert not link.send_line("preset b")  # let in, but the server's state not read yet: kept too
    link._reached(link._ws)
    assert link.send_line("preset c")
    assert written == ["preset a", "preset b", "preset c"] and said == ["connected to ws://127.0.0.1:9"]


def test_frames_of_another_protocol_version_are_said_once_then_counted():
    """Each was a line of its own: a server of another version would scroll 12 lines a second."""
    said = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    for seq in range(100):
        link._receive(b"VCF2" + struct.pack("<Q", seq) + bytes(40))
    assert said == ["skipped a frame: not a vcam frame; is vcam serve of another version than this vcam cam? install "
                    "the same vcam on both machines"]
    link.say_held_back()
    assert said[1:] == ["99 more like it: " + said[0]]


def test_damaged_frames_claiming_ever_other_sizes_are_said_once_then_counted():
    """Each named the size it claimed, and each size was a line and a window of its own: held by its words, the
    numbers left out, they are one."""
    said = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    for seq in range(100):
        link._receive(proto.HEADER.pack(proto.MAGIC, seq, 0, 0, 12, 0.0, 9000 + seq, 64) + bytes(40))
    most = f"a stream is at most {proto.MAX_SIDE} a side"
    assert said == [f"skipped a frame: damaged frame (it claims 9000x64; {most})"]
    assert link._bad_frames.watching() == 1
    link.say_held_back()
    assert said[1:] == [f"99 more like it, the last: skipped a frame: damaged frame (it claims 9099x64; {most})"]


def test_the_servers_error_answers_to_a_sweep_are_said_once_then_counted_whatever_value_each_names():
    said = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    for n in range(4, 104):
        link._say_reply(f"error: no preset {n}: the show has 3")
    assert said == ["error: no preset 4: the show has 3"]
    link.say_held_back()
    assert said[1:] == ["99 more like it, the last: error: no preset 103: the show has 3"]


class _Replayed:
    """A replayed show's controller, as vcam serve's attachment sees it: the client's lines never reach it."""

    def snapshot(self) -> dict:
        return {"screen": "live"}

    def close(self) -> None:
        pass


def test_a_knob_turned_through_a_served_replay_is_refused_in_one_line_then_counted():
    """Each value the knob sent was a line of its own on the server's terminal, and a window kept for it: keyed by
    the whole line, a long replay's knob grew the watch by a line for every message. By its words, a sweep is one;
    and a client that sends line after line of its own words is watched for a few of them, the rest counted."""
    said = []
    server = attachment(server_module.ServeSettings(port=0))(_Replayed(), said.append, None, "crop", replaying=True)
    client = ServedClient(None, "control", "192.0.2.1:50000")
    try:
        for n in range(1000):
            answers_module.answer(server, json.dumps({"type": "command", "line": f"strength {n / 1000:.3f}"}), client)
        assert said == ["client 192.0.2.1:50000 was refused 'strength 0.000' during a replay"]
        assert client.refusals.watching() == 1
        assert client.held_back() == ["999 more like it, the last: client 192.0.2.1:50000 was refused 'strength 0.999' "
                                      "during a replay"]
    finally:
        client.close()
    said.clear()
    client = ServedClient(None, "control", "192.0.2.1:50001")
    try:
        for n in range(1000):
            word = "".join("abcdefghij"[int(d)] for d in f"{n:03d}")  # no numbers: a thousand sets of words
            answers_module.answer(server, json.dumps({"type": "command", "line": f"go{word}"}), client)
        most = ServedClient.REFUSALS_WATCHED
        assert len(said) == most + 1 and client.refusals.watching() == most + 1  # the first past them opens the count
        assert client.held_back() == [f"{1000 - most - 1} more from its other refusals, the last: client "
                                      "192.0.2.1:50001 was refused 'gojjj' during a replay"]
    finally:
        client.close()


def test_a_server_not_reached_before_any_frame_is_not_said_to_leave_a_last_frame_held(tmp_path):
    """'holding the last frame' was said while the camera showed the card that says it connects: no frame had come."""
    status = io.StringIO()
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        url = f"ws://127.0.0.1:{s.getsockname()[1]}"
    opts = CamOptions(url=url, outs=["null"], size=(112, 64), duration=0.3, first_frame_wait=0.3, stdin=False,
                      status_out=status)
    assert run_cam(opts) == 1
    said = [m for m in status.getvalue().splitlines() if "cannot reach the server" in m]
    assert said and said[0].endswith("the camera shows its 'connecting' card, reconnecting"), status.getvalue()


def _rates_shown(status, grow, polls=48, every=0.25):
    """The Mbit/s figures `status()` shows while `grow(t)` adds a 40 kB block every 1.2 s, as 12 frames come at
    10 frames/s, polled every `every` s: the ones after the first 5 s."""
    import re

    shown = []
    for i in range(polls):
        t = i * every
        grow(t, 40_000 * int(t / 1.2 + 1))
        line = status(t)
        if t >= 5.0:
            shown.append(float(re.search(r"([\d.]+) Mbit/s", line).group(1)))
    return shown


def test_both_status_lines_show_the_links_bandwidth_between_blocks(monkeypatch):
    """Measured over 1 s (vcam cam) or between two status lines (vcam serve), a stream of a block a second read
    0.00 Mbit/s on most lines and several times its rate on the others."""
    from types import SimpleNamespace

    true_rate = 40_000 / 1.2 * 8 / 1e6  # 0.27 Mbit/s
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), lambda m: None)
    now = [0.0]
    feed = LinkFeed(link, clock=lambda: now[0])
    stats = PacerStats()

    def cam_status(t):
        feed.poll(stats)
        return feed.status(stats, 30.0, [])

    def cam_grow(t, total):
        now[0], link.bytes = t, total

    server = FrameServer(server_module.ServeSettings(port=0), lambda line, source: None, dict, lambda m: None)
    client = SimpleNamespace(bytes=0, latency=None)
    server.clients.append(client)
    monkeypatch.setattr(server_module, "time", SimpleNamespace(monotonic=lambda: now[0], time=time.time))

    def serve_grow(t, total):
        now[0], client.bytes = t, total

    for shown in (_rates_shown(cam_status, cam_grow), _rates_shown(lambda t: server.describe(), serve_grow)):
        assert all(abs(rate - true_rate) < 0.3 * true_rate for rate in shown), shown


class Tunnel:
    """A TCP relay on loopback in front of `port`, as an `ssh -L` tunnel is, that can stall: while stalled, bytes
    stop going either way (kept, not lost), as through a tunnel whose machine went to sleep, until `resume`."""

    def __init__(self, port: int):
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.flowing = threading.Event()
        self.flowing.set()
        self.held = threading.Event()  # data from the near end came while stalled, and waits
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, name="tunnel", daemon=True).start()

    def stall(self) -> None:
        self.flowing.clear()

    def resume(self) -> None:
        self.flowing.set()

    def close(self) -> None:
        self.flowing.set()
        for s in [self.listener, *self.sockets]:
            with contextlib.suppress(OSError):
                s.close()

    def _accept(self) -> None:
        while True:
            try:
                near, _ = self.listener.accept()
                far = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                return
            self.sockets += [near, far]
            for src, dst in ((near, far), (far, near)):
                threading.Thread(target=self._pump, args=(src, dst, src is near), name="tunnel-pump",
                                 daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_near: bool) -> None:
        try:
            while data := src.recv(65536):
                if from_near and not self.flowing.is_set():
                    self.held.set()
                self.flowing.wait()
                dst.sendall(data)
            self.flowing.wait()
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            with contextlib.suppress(OSError):
                dst.close()


@pytest.fixture
def tunnel():
    tunnels = []

    def make(port):
        tunnels.append(Tunnel(port))
        return tunnels[-1]

    yield make
    for t in tunnels:
        t.close()


def test_the_keepalive_ending_is_told_apart_by_which_end_closed_first():
    """The library raises the same ConnectionClosedError (code 1011) for its other failures: only its keepalive's
    close, and which end sent it first, say that a machine or a tunnel stopped."""
    from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK
    from websockets.frames import Close

    from vcam.remote.protocol import KEEPALIVE_CLOSE, keepalive_ended

    keepalive, echo = Close(*KEEPALIVE_CLOSE), Close(*KEEPALIVE_CLOSE)
    assert keepalive_ended(ConnectionClosedError(None, keepalive)) == "here"
    assert keepalive_ended(ConnectionClosedError(echo, keepalive, rcvd_then_sent=False)) == "here"
    assert keepalive_ended(ConnectionClosedError(keepalive, None)) == "there"
    assert keepalive_ended(ConnectionClosedError(keepalive, echo, rcvd_then_sent=True)) == "there"
    for other in (ConnectionClosedError(None, Close(1011, "error in fragmented message")),
                  ConnectionClosedError(None, None), ConnectionClosedOK(Close(1001, "bye"), Close(1001, "bye"), True),
                  OSError("reset"), None):
        assert keepalive_ended(other) is None


def _said_with(said, start):
    return next((m for m in said if m.startswith(start)), None)


def test_a_server_that_stops_answering_is_said_in_plain_words_on_both_ends(local_servers, tunnel, caplog):
    """A stalled tunnel or a sleeping GPU machine: vcam cam said "connection to the server lost
    (ConnectionClosedError)", and the server, when it woke, that the client left. Here the camera's pings go
    unanswered through a stalled tunnel; each end says what happened to it."""
    from vcam.remote.protocol import Keepalive

    caplog.set_level(logging.INFO)
    server = local_servers(keepalive=Keepalive(every=60, timeout=60))  # its own pings would come too late
    relay = tunnel(server.port)
    said = []
    link = Link(f"ws://127.0.0.1:{relay.port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                said.append, keepalive=Keepalive(every=0.2, timeout=0.5, close=0.5))
    link.start()
    try:
        assert wait_for(lambda: link.connected and server.clients, 30)
        peer = server.clients[0].name
        relay.stall()
        assert wait_for(lambda: _said_with(said, "the server stopped"), 30), said
        assert _said_with(said, "the server stopped") == (
            "the server stopped answering for 0.5 s (a stalled tunnel, or a machine asleep?); the camera shows its "
            "'connecting' card, reconnecting")
        relay.resume()  # the camera's close reaches the server, which says why this client went
        assert wait_for(lambda: _said_with(server.said, f"client {peer} heard"), 30), server.said
        left = _said_with(server.said, f"client {peer} heard")
        assert left.startswith(f"client {peer} heard nothing from this server for too long (a stalled tunnel, or was "
                               "this machine paused?) and left; its vcam cam reconnects by itself; ") \
            and left.endswith(" connected"), left  # the count: the camera may be back already
        assert wait_for(lambda: said[-1] == f"connected to ws://127.0.0.1:{relay.port}", 30), said  # and it is back
    finally:
        link.stop()
    assert not any("ConnectionClosed" in m or "keepalive" in m for m in said + server.said), (said, server.said)
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not failures, caplog.text[:3000]


def test_a_camera_that_stops_answering_is_said_in_plain_words_on_both_ends(local_servers, tunnel, caplog):
    """A laptop gone to sleep or a stalled tunnel: the server's pings go unanswered. The server printed the
    library's "keepalive ping failed" with its traceback, then that the client left; vcam cam, when it woke, "the
    server disconnected this client: keepalive ping timeout". The server cannot tell such a camera from one that
    quit behind the stalled tunnel, its goodbye lost: its coming back is said as the camera's to make, if it runs."""
    from vcam.remote.protocol import Keepalive

    caplog.set_level(logging.INFO)
    server = local_servers(keepalive=Keepalive(every=0.2, timeout=0.5, close=0.5))
    relay = tunnel(server.port)
    said = []
    link = Link(f"ws://127.0.0.1:{relay.port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                said.append, keepalive=Keepalive(every=60, timeout=60))  # its own pings would come too late
    link.start()
    try:
        assert wait_for(lambda: link.connected and server.clients, 30)
        peer = server.clients[0].name
        relay.stall()
        assert wait_for(lambda: _said_with(server.said, f"client {peer} stopped"), 30), server.said
        assert _said_with(server.said, f"client {peer} stopped") == (
            f"client {peer} stopped answering for 0.5 s (a stalled tunnel, or a machine asleep?) and was "
            "disconnected; its vcam cam, if still running, reconnects by itself; 0 connected")
        relay.resume()  # the server's close reaches the camera, as it would once the laptop wakes
        assert wait_for(lambda: _said_with(said, "the server heard"), 30), said
        assert _said_with(said, "the server heard") == (
            "the server heard nothing from this camera for too long (was this machine asleep, or a tunnel stalled?) "
            "and dropped it; the camera shows its 'connecting' card, reconnecting")
        assert wait_for(lambda: said[-1] == f"connected to ws://127.0.0.1:{relay.port}", 30), said
    finally:
        link.stop()
    assert not any("ConnectionClosed" in m or "keepalive" in m for m in said + server.said), (said, server.said)
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not failures, caplog.text[:3000]


def _stuck_upload(link, relay):
    """An upload too big for the socket buffers of a stalled tunnel, sent in a thread: its write blocks. Returns
    what the send returned (a list that gets its result) once the tunnel holds its start."""
    sent = []
    threading.Thread(target=lambda: sent.append(link._send_message(bytes(2**25))), daemon=True).start()
    assert relay.held.wait(30)
    return sent


def test_a_write_stuck_on_a_dropped_link_is_cut_and_the_camera_reconnects(local_servers, tunnel):
    """A wifi that drops under an upload (--send): the write blocks on a full socket and holds the connection's
    lock, so the library's keepalive could neither ping nor read the server's frames. vcam cam stayed "connected"
    with a frozen picture, its show's loop and its commands waiting behind the write, until TCP gave up many
    minutes later."""
    from vcam.remote.protocol import Keepalive

    server = local_servers(keepalive=Keepalive(every=60, timeout=60))
    relay = tunnel(server.port)
    said = []
    link = Link(f"ws://127.0.0.1:{relay.port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                said.append, keepalive=Keepalive(every=60, timeout=5, close=0.5))
    link.start()
    try:
        assert wait_for(lambda: link.connected and server.clients, 30)
        relay.stall()
        sent = _stuck_upload(link, relay)
        # The show's loop sends these: it goes on, the stats skipped, while the write is stuck. Whether it was still
        # stuck is read in the thread as the send returns (5 s of slack for a loaded machine to run it)
        returned_stuck = []
        stats = threading.Thread(target=lambda: (link.send_stats(1.0), returned_stuck.append(sent == [])), daemon=True)
        stats.start()
        stats.join(30)
        assert not stats.is_alive() and returned_stuck == [True]
        assert wait_for(lambda: sent, 30) and sent == [False]
        assert wait_for(lambda: _said_with(said, "sending to the server"), 30), said
        assert _said_with(said, "sending to the server") == (
            "sending to the server made no progress for 5 s (a dropped wifi, or a stalled tunnel?); the camera "
            "shows its 'connecting' card, reconnecting")
        relay.resume()
        assert wait_for(lambda: said[-1] == f"connected to ws://127.0.0.1:{relay.port}", 30), said
    finally:
        relay.resume()
        link.stop()
    assert not any("ConnectionClosed" in m for m in said), said


def test_vcam_cam_quits_at_once_with_a_write_stuck_on_a_dropped_link(local_servers, tunnel):
    """Its quit closed the connection, which waited for the stuck write's lock: until TCP gave up."""
    from vcam.remote.protocol import Keepalive

    server = local_servers(keepalive=Keepalive(every=60, timeout=60))
    relay = tunnel(server.port)
    link = Link(f"ws://127.0.0.1:{relay.port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                lambda line: None, keepalive=Keepalive(every=60, timeout=60, close=0.5))
    link.start()
    try:
        assert wait_for(lambda: link.connected and server.clients, 30)
        relay.stall()
        sent = _stuck_upload(link, relay)
        stopping = threading.Thread(target=link.stop, daemon=True)
        stopping.start()
        stopping.join(20)
        assert not stopping.is_alive()
        assert wait_for(lambda: sent, 30) and sent == [False]
    finally:
        relay.resume()
        link.stop()


class TimedLink(Link):
    """A link that keeps each wait between its tries, and waits next to none of it: the backoff is read from the
    waits asked for, not from a clock."""

    def __init__(self, url: str, said: list[str], **kwargs):
        super().__init__(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append,
                         **kwargs)
        self.waits: list[float] = []

    def _pause(self, delay: float) -> bool:
        self.waits.append(delay)
        return self._stop.wait(0.001)


@contextlib.contextmanager
def websocket_server(first: Callable[[], bytes | str | None]):
    """A WebSocket server on a free loopback port that is no vcam serve (another version, a proxy): each connection
    gets first() as its first message, then is closed; None closes it with no message at all. Yields its address
    and the connections it took."""
    taken = []

    def handler(ws):
        taken.append(1)
        message = first()
        if message is not None:
            ws.send(message)
            with contextlib.suppress(Exception):
                ws.recv(timeout=30)  # until the client closes it
        else:
            ws.socket.shutdown(socket.SHUT_RDWR)  # no close frame: a proxy that lost what was behind it

    with ws_served(handler) as url:
        yield url, taken


def _tried(link: Link, until: Callable[[], bool]) -> None:
    link.start()
    try:
        assert wait_for(until, 60)
    finally:
        link.stop()


@pytest.mark.parametrize("first, says", [
    (lambda: json.dumps({"type": "hello", "version": 3}), "its first message is not vcam serve's state (a message "
                                                          "of type 'hello'): a vcam serve of another version"),
    (lambda: "<html>502 Bad Gateway</html>", "its first message is not vcam serve's state (a message that is not "
                                             "JSON"),
    (lambda: b"VCF9" + bytes(40), "its first message is not vcam serve's state (a binary message that is not a vcam "
                                  "frame)"),
    (lambda: None, "let this camera in, then closed the connection before the show's state came: a proxy whose vcam "
                   "serve is not running or not on the port it forwards to"),
])
def test_a_server_that_lets_the_camera_in_but_cannot_be_used_is_said_once_and_tried_less_and_less_often(first, says):
    """Each try was 'connected to …' then 'connection to the server lost' or nothing at all, and the next try came
    0.5 s later, for ever: two lines a second on the operator's terminal, none saying what was wrong."""
    said: list[str] = []
    with websocket_server(first) as (url, taken):
        link = TimedLink(url, said)
        _tried(link, lambda: len(link.waits) >= 9)
    port = url.rsplit(":", 1)[1]
    assert len(said) == 1 and said[0].startswith(f"the server cannot be used: 127.0.0.1 port {port} ") and \
        says in said[0] and said[0].endswith("the camera shows its 'connecting' card, trying again every 15 s at most")
    assert link.waits[:9] == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0, 15.0]
    assert not link.ever_connected and link.tries >= 9


def test_a_server_that_sends_nothing_once_it_let_the_camera_in_is_not_waited_for_ever():
    """A proxy that holds the connection open with nothing behind it kept vcam cam 'connected' with no frame and every
    command sent into it, until the keepalive, then the same again."""
    said: list[str] = []
    with websocket_server(lambda: b"") as (url, taken):  # an empty binary message is then followed by nothing
        # its own wait for the first message (15 s): the empty one comes when the server's thread runs, which on a
        # busy machine may be later than the silent server's bound below
        link = TimedLink(url, said)
        _tried(link, lambda: len(link.waits) >= 2)
    assert len(said) == 1 and "its first message is not vcam serve's state (a binary message that is not a vcam " \
        "frame)" in said[0], said

    said.clear()
    from websockets.sync.server import serve

    def silent(ws):  # reads what the camera sends, says nothing
        with contextlib.suppress(Exception):
            for _ in ws:
                pass

    with serve(silent, "127.0.0.1", 0) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        link = TimedLink(f"ws://127.0.0.1:{server.socket.getsockname()[1]}", said)
        link.FIRST_STATE_S = 0.2
        _tried(link, lambda: len(link.waits) >= 2)
        server.shutdown()
    assert len(said) == 1 and "let this camera in, but sent nothing in 0.2 s where vcam serve sends its state at " \
        "once, even while it loads its model: a proxy holding the connection" in said[0], said
    assert not link.connected and not link.ever_connected


def test_a_vcam_serve_whose_state_fails_is_said_once_and_the_camera_says_when_it_finally_connects(local_servers):
    """The server closes a camera whose first state it cannot read with a reason: vcam cam said 'connected' and that
    reason on every try, two lines every 0.5 s until the show file was fixed."""
    server = local_servers()
    broken = failing_state(server)
    said: list[str] = []
    link = TimedLink(url_of(server), said)
    link.start()
    try:
        assert wait_for(lambda: len(link.waits) >= 7, 60)
        status = LinkFeed(link).status(PacerStats(), 0.0, [])
        assert status.startswith(f"SERVER NOT USABLE ({link.tries} tries failed) |"), status
        broken[0] = False
        assert wait_for(lambda: link.connected, 60)
    finally:
        link.stop()
    assert said[0] == (f"the server cannot be used: vcam serve at 127.0.0.1 port {server.port} let this camera in, "
                       "but could not read its show's state: its terminal says why; the camera shows its 'connecting' "
                       "card, trying again every 15 s at most")
    assert len(said) == 2 and re.fullmatch(rf"connected to {url_of(server)} after \d+ tries: its state reads now",
                                           said[1]), said
    assert link.waits[:7] == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0] and link.tries == 0


def test_a_restarting_server_is_tried_again_quickly_and_its_count_shown():
    """Nothing listening (a vcam serve restarting) keeps the quick tries, at most LAST_RETRY_S apart."""
    said: list[str] = []
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        url = f"ws://127.0.0.1:{s.getsockname()[1]}"
    link = TimedLink(url, said)
    _tried(link, lambda: len(link.waits) >= 7)
    assert link.waits[:7] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0] and len(said) == 1
    assert LinkFeed(link).status(PacerStats(), 0.0, []).startswith(f"CONNECTING ({link.tries} tries failed) |")


def test_a_name_server_that_does_not_answer_is_not_said_to_be_a_misspelled_host():
    """On a wifi that dropped, or one that wants its login first, every name fails to resolve with 'temporary
    failure': that was said as 'finds no host named …: check the spelling', sending the operator to a typo."""
    from vcam.remote.reasons import unreachable

    said = unreachable("ws://gpu.example.net:8765", socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name "
                                                                                        "resolution"))
    assert said.startswith("the name gpu.example.net could not be looked up (no name server answered): check that "
                           "this machine is on a network") and "spelling" not in said
    assert "check the spelling" in unreachable("ws://gpu-box:9000", socket.gaierror(socket.EAI_NONAME, "unknown"))


@pytest.mark.parametrize("code", ["ENETUNREACH", "EHOSTUNREACH", "ENETDOWN"])
def test_no_route_to_the_server_is_said_in_plain_words(code):
    """It was 'OSError: [Errno 101] Network is unreachable'."""
    import errno

    from vcam.remote.reasons import unreachable

    said = unreachable("ws://[2001:db8::5]:9000", OSError(getattr(errno, code), "unreachable"))
    assert said.startswith("this machine has no route to [2001:db8::5]: check that it is on a network"), said


def test_an_ipv6_server_is_named_with_its_address_in_brackets():
    """'2001:db8::5 port 9000' read as one address with a ninth group."""
    from vcam.remote.reasons import not_vcam, unreachable

    assert unreachable("ws://[2001:db8::5]:9000", ConnectionRefusedError()).startswith(
        "nothing listens on [2001:db8::5] port 9000")
    assert not_vcam("ws://[::1]:9000", 200).startswith("[::1] port 9000 answered HTTP 200")


@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_proxy_with_nothing_behind_it_is_said_as_such_not_with_its_page(status):
    """A cloud provider's HTTPS proxy whose vcam serve is not running answers 502, 503 or 504 with a page of HTML:
    a 503's page was printed as the server's reason (up to 300 characters of markup), the others were said to be
    'a web server: vcam serve does not listen there', sending the operator to check a port that was right."""
    answers: list[str] = []
    with web_server(answers, status=status, headers=[("Content-Type", "text/html")]) as url:
        said = _said_by_link(url, lambda: len(answers) >= 3)
    assert said == [f"127.0.0.1 port {url.rsplit(':', 1)[1]} answered HTTP {status}, as a proxy does when nothing "
                    "answers behind it: vcam serve is not running on the machine behind that address, is still "
                    "starting, or listens on another port than the one the proxy forwards to (vcam serve's first line "
                    "names its port); retrying"]


def test_a_vcam_servers_own_refusal_is_still_said_in_its_words():
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._refusal(503, b"too many clients (16 connected, at most 16): close one, then connect again\n",
                  {"Content-Type": "text/plain; charset=utf-8"})
    link._refusal(503, b"<html><body>Service Unavailable</body></html>", None)
    assert said[0] == "the server answered HTTP 503: too many clients (16 connected, at most 16): close one, then " \
        "connect again; retrying"
    assert "as a proxy does when nothing answers behind it" in said[1] and "<html>" not in said[1], said


def test_a_message_this_client_cannot_use_is_skipped_and_said_once_not_a_reconnect_each_time(local_server):
    """A state that made the mirror raise (a server of another version) ended the connection: 'connected' and
    'connection to the server lost (KeyError)' every half second, and every frame between lost."""
    said: list[str] = []
    remote = RemoteController(lambda line: True)
    failures = []

    def update(data):
        failures.append(data)
        raise KeyError("blend_knob")

    remote.update = update
    link = Link(url_of(local_server), None, Pacer(PacerSettings()), remote, said.append)
    link.start()
    try:
        assert wait_for(lambda: link.connected and failures, 60)
        for _ in range(3):  # one at a time: the server sends only the newest of the states waiting
            heard = len(failures)
            local_server.broadcast_state()
            assert wait_for(lambda: len(failures) > heard, 60)
        assert link.connected
    finally:
        link.stop()
    assert said == [f"connected to {url_of(local_server)}",
                    "skipped a message from the server that this vcam cam cannot use (KeyError: 'blend_knob'); is "
                    "vcam serve of another version? install the same vcam on both machines"], said


class _Wire:
    """A connection's socket that takes every message written."""

    def __init__(self):
        self.lines: list[str] = []

    def send(self, message):
        self.lines.append(json.loads(message)["line"])


def test_commands_the_server_never_answered_before_the_link_dropped_are_not_lost_without_a_word():
    """A wifi that drops unnoticed takes everything written until the keepalive gives up (up to 40 s): those
    commands were counted as sent and lost without a word. Now a knob's last value is sent again on reconnecting,
    and a press, which may have been carried out, is said and not sent again."""
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._ws = wire = _Wire()
    link._reached(wire)
    for line in ("preset a", "strength 0.2 @off", "freeze", "strength 0.4 @off", "seed 5", "preset b"):
        assert link.send_line(line)
    link._receive(json.dumps({"type": "reply", "text": "", "state": {}}))  # preset a's answer
    link._receive(json.dumps({"type": "reply", "text": "", "state": {}}))  # strength 0.2's
    link._connection_lost()
    assert said[1:] == ["the server had not answered freeze, preset b when the link dropped: it may not have got "
                        "them; not sent again, as it may have been carried out (give it again if not)"]
    assert not link.connected and not link.send_line("steps 2 @off")
    link._reached(wire)
    assert wire.lines[6:] == ["strength 0.4 @off", "seed 5", "steps 2 @off"]  # the knobs' last values, once each


def test_a_knob_turned_as_the_tunnel_stalled_lands_on_the_server_once_the_camera_is_back(local_servers, tunnel):
    from vcam.remote.protocol import Keepalive

    server = local_servers(keepalive=Keepalive(every=60, timeout=60))
    relay = tunnel(server.port)
    said: list[str] = []
    link = Link(f"ws://127.0.0.1:{relay.port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                said.append, keepalive=Keepalive(every=0.2, timeout=0.5, close=0.5))
    link.start()
    try:
        assert wait_for(lambda: link.connected and server.clients, 30)
        # The keepalive may give up on no ping until the knob is turned, however late a busy machine turns it: its
        # pings are waited on without a bound from here, and this one's answer acknowledges any sent before
        ws = link._ws
        ws.ping_timeout = None
        assert ws.ping().wait(30)
        relay.stall()
        assert link.send_line("bias 0.5 @off") and link.send_line("preset p1")  # written, never answered
        ws.ping_timeout = 0.5  # the next ping, stuck in the tunnel, ends the connection
        assert wait_for(lambda: _said_with(said, "the server had not answered"), 30), said
        relay.resume()  # the stalled bytes reach the server after all, on the old connection
        assert wait_for(lambda: len(server.lines) == 3, 30), server.lines
    finally:
        link.stop()
    # the press once; the knob's value again, from the new connection
    assert sorted(server.lines) == ["bias 0.5 @off", "bias 0.5 @off", "preset p1"], server.lines
    assert _said_with(said, "the server had not answered") == (
        "the server had not answered preset p1 when the link dropped: it may not have got it; not sent again, as it "
        "may have been carried out (give it again if not)")


def test_vcam_cam_that_never_got_a_frame_from_a_server_it_could_not_use_says_why_at_the_end(tmp_path):
    status = io.StringIO()
    with websocket_server(lambda: json.dumps({"type": "hello"})) as (url, taken):
        opts = CamOptions(url=url, outs=["null"], size=(112, 64), duration=0.5, first_frame_wait=0.5, stdin=False,
                          status_out=status)
        assert run_cam(opts) == 1
    end = status.getvalue().splitlines()[-1]
    assert f"no frame came from {url}" in end and ": the server could not be used (127.0.0.1 port " in end and \
        "its first message is not vcam serve's state" in end and "reached" not in end, end


@pytest.mark.parametrize("url, dialled, port", [
    ("ws://gpu-box", "ws://gpu-box:8765", 8765),
    ("ws://gpu-box/?role=watch", "ws://gpu-box:8765/?role=watch", 8765),
    ("ws://[2001:db8::5]", "ws://[2001:db8::5]:8765", 8765),
    ("ws://gpu-box:9000", "ws://gpu-box:9000", 9000),
    ("wss://pod-8765.proxy.example", "wss://pod-8765.proxy.example", 443),  # an HTTPS proxy's port
])
def test_an_address_without_a_port_goes_to_vcam_serves_port_as_its_messages_say(monkeypatch, url, dialled, port):
    """ws://HOST was tried on port 80 (the websockets library's default), while every message, and the address's
    own check, named 8765: 'nothing listens on gpu-box port 8765' sent the operator to a server that was there."""
    import websockets.sync.client

    tried: list[str] = []

    def connect(uri, **kwargs):
        tried.append(uri)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(websockets.sync.client, "connect", connect)
    monkeypatch.setattr(Link, "_open_socket", lambda self: None)  # the stand-in connects to nothing
    said = _said_by_link(url, lambda: bool(tried))
    assert tried[0] == dialled and f" port {port}: " in said[0], (tried, said)


def test_a_name_server_that_does_not_answer_holds_no_try_past_its_bound(monkeypatch):
    """The lookup of the server's name had no bound (the library's own, inside its 5 s to connect): a name server
    that stopped answering held each try until the resolver gave up, 20 s or more, with nothing new said."""
    release, looked_up = threading.Event(), []
    system = socket.getaddrinfo

    def stuck(host, *args, **kwargs):
        if host != "gpu.stuck-dns.example":
            return system(host, *args, **kwargs)
        looked_up.append(host)
        release.wait(60)
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", stuck)
    monkeypatch.setattr(Link, "LOOKUP_S", 0.2)
    said: list[str] = []
    link = TimedLink("ws://gpu.stuck-dns.example:8765", said)
    try:
        _tried(link, lambda: len(link.waits) >= 3)
    finally:
        release.set()
    assert looked_up == ["gpu.stuck-dns.example"]  # the lookup still running is waited on again, not started again
    assert len(said) == 1 and said[0].startswith("cannot reach the server: the name gpu.stuck-dns.example could not "
                                                 "be looked up (no name server answered)"), said


class _Writes:
    """A connection's stand-in for the link's writes: each message kept; `fail` makes the commands' writes fail, as
    on a connection that dies under them; `hold` (an Event) holds each write until it is set."""

    def __init__(self, fail: bool = False, hold: threading.Event | None = None):
        self.sent: list[str] = []
        self.fail, self.hold = fail, hold

    def send(self, message) -> None:
        if self.hold is not None:
            self.hold.wait(30)
        if self.fail and '"command"' in message:
            raise ConnectionError("the connection dropped")
        self.sent.append(message)


def test_commands_kept_for_a_connection_that_dies_as_they_are_sent_are_not_lost_without_a_word():
    """The commands given while the link was down were taken from the wait, then written: where the new connection
    died under that write, they were gone, said nowhere, a knob's last value and a press alike."""
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    assert not link.send_line("seed 42") and not link.send_line("freeze")  # not connected: they wait
    with pytest.raises(ConnectionError):
        link._reached(_Writes(fail=True))
    link._connection_lost()
    assert any("the server had not answered freeze when the link dropped" in line for line in said), said
    assert link._waiting.take() == ["seed 42"]  # the knob's value goes with the next connection


def test_a_write_that_ends_after_its_connection_was_counted_lost_does_not_shift_the_next_ones_answers(monkeypatch):
    """A command whose write was stuck as the link dropped was counted unanswered once its write ended, after the
    drop had been dealt with: the next connection's first answer was taken for it, and its own command, answered,
    was said not to be when that connection dropped."""
    monkeypatch.setattr(Link, "STOP_WRITE_WAIT_S", 0.05)
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._reached(_Writes())
    hold = threading.Event()
    link._ws = _Writes(hold=hold)  # the write of this command is stuck
    stuck = threading.Thread(target=link.send_line, args=("blackout",), daemon=True)
    stuck.start()
    assert wait_for(lambda: link._sending_since is not None, 10)
    link._connection_lost()  # the drop, dealt with while that write is stuck
    hold.set()
    stuck.join(10)
    said.clear()
    link._ws = wire = _Writes()
    link._reached(wire)  # the next connection
    assert link.send_line("live")
    link._receive(json.dumps({"type": "reply", "text": "", "state": {}}))  # live's answer
    link._connection_lost()
    assert not any("live" in line for line in said), said


class _SilentConnection:
    """A connection let in that never brings the server's state."""

    protocol = SimpleNamespace(close_rcvd=None)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        return False

    def send(self, message) -> None:
        pass

    def recv(self, timeout=None):
        raise TimeoutError


def test_a_proxy_answering_for_a_server_that_could_not_be_used_gets_the_quick_tries_back(monkeypatch):
    """A server that could not be used, then a proxy's 502 (its vcam serve restarting behind it): the tries stayed
    15 s apart, so the restarted server came back on the camera up to 15 s late, and the status line went on
    saying SERVER NOT USABLE under the proxy's line."""
    import websockets.sync.client
    from websockets.datastructures import Headers
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Response

    tries = []

    def connect(*args, **kwargs):
        tries.append(1)
        if len(tries) <= 3:
            return _SilentConnection()
        raise InvalidStatus(Response(502, "Bad Gateway", Headers({"Content-Type": "text/html"}), b"<html>502</html>"))

    monkeypatch.setattr(websockets.sync.client, "connect", connect)
    monkeypatch.setattr(Link, "_open_socket", lambda self: None)
    said: list[str] = []
    link = TimedLink("ws://127.0.0.1:9", said)
    _tried(link, lambda: len(link.waits) >= 8)
    assert link.waits[:8] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0], said
    assert "the server cannot be used" in said[0] and "answered HTTP 502, as a proxy does" in said[1], said
    assert LinkFeed(link).status(PacerStats(), 0.0, []).startswith("CONNECTING ("), link.broken


def test_a_press_given_before_a_faders_sweep_on_a_link_that_dropped_unnoticed_is_still_named():
    """Every command written was kept, 256 at most: a fader ridden for a few seconds over a wifi that had dropped
    unnoticed pushed out the press given before it, which was then never said to be unanswered."""
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._ws = wire = _Writes()
    link._reached(wire)
    assert link.send_line("freeze")
    assert all(link.send_line(f"strength {i / 1000:.3f}") for i in range(1000))
    link._connection_lost()
    assert said[1:] == ["the server had not answered freeze when the link dropped: it may not have got it; not sent "
                        "again, as it may have been carried out (give it again if not)"], said
    assert link._waiting.take() == ["strength 0.999"]


@pytest.mark.parametrize("answers, named, again", [
    (0, "freeze", ["seed 2", "strength 0.5"]),  # seed 1's value is not sent again: seed 2 came after it
    (1, "freeze", ["seed 2", "strength 0.5"]),
    (2, None, ["seed 2", "strength 0.5"]),
    (3, None, ["strength 0.5"]),
    (4, None, []),
    (9, None, []),  # answers to no command (an error for another message) count none
])
def test_the_answers_that_came_tell_which_commands_a_dropped_link_took(answers, named, again):
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._ws = wire = _Writes()
    link._reached(wire)
    for line in ("seed 1", "freeze", "seed 2", "strength 0.5"):
        assert link.send_line(line)
    for _ in range(answers):
        link._receive(json.dumps({"type": "reply", "text": "", "state": {}}))
    link._connection_lost()
    presses = [line for line in said if "had not answered" in line]
    assert presses == ([f"the server had not answered {named} when the link dropped: it may not have got "
                        f"{'them' if ',' in named else 'it'}; not sent again, as it may have been carried out (give "
                        "it again if not)"] if named else []), said
    assert link._waiting.take() == again


def test_a_host_with_an_ipv6_address_is_reached_over_ipv4_from_a_laptop_with_ipv6_turned_off(monkeypatch):
    """The name's IPv6 address came first, and its socket could not be made where the laptop has IPv6 off: the try
    failed there, its IPv4 address never tried."""
    from vcam.remote.dial import dial

    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        made = socket.socket

        def no_ipv6(family=socket.AF_INET, *args, **kwargs):
            if family == socket.AF_INET6:
                raise OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
            return made(family, *args, **kwargs)

        monkeypatch.setattr(socket, "socket", no_ipv6)
        infos = [(socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2001:db8::5", port, 0, 0)),
                 (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        with dial(infos, 5.0) as sock:
            assert sock.getpeername() == ("127.0.0.1", port)


def test_a_latency_the_server_would_refuse_is_not_sent(monkeypatch):
    """The server answers a stats message whose latency it refuses with an error, which the camera took for the
    answer to the oldest command in flight (a laptop clock that jumps by an hour mid-show)."""
    link = Link("ws://127.0.0.1:1", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                lambda line: None)
    sent = []
    monkeypatch.setattr(link, "_send", lambda message, wait=True: sent.append(json.loads(message)) or True)
    for latency in (proto.MAX_LATENCY_S, 5000.0, -0.5, float("nan"), float("inf")):
        link.send_stats(latency)
    link.send_stats(0.25)
    assert sent == [{"type": "stats", "latency": 0.25}]


@contextlib.contextmanager
def unanswered_port(host: str = "127.0.0.1"):
    """A loopback port that takes no connection and refuses none, as an address a network drops unanswered: its
    queue of one is full and never taken, so a SYN to it goes unanswered."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as listener:
        listener.bind((host, 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        filling = []
        try:
            for _ in range(2):
                sock = socket.socket(family)
                sock.settimeout(0.3)
                with contextlib.suppress(OSError):
                    sock.connect((host, port))
                filling.append(sock)
            yield port
        finally:
            for sock in filling:
                sock.close()


def _info(port: int, host: str = "127.0.0.1") -> tuple:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    return (family, socket.SOCK_STREAM, 6, "", (host, port, 0, 0) if ":" in host else (host, port))


def test_addresses_that_do_not_answer_hold_a_try_no_longer_than_its_one_bound():
    """Each address was tried for the whole 5 s, one after the other: a name with three addresses that do not
    answer held a try for 15 s, the one that answers tried last."""
    from vcam.remote.dial import dial

    with unanswered_port() as dead, socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        started = time.monotonic()
        with dial([_info(dead)] * 3 + [_info(port)], 20.0) as sock:
            assert sock.getpeername() == ("127.0.0.1", port)
        assert time.monotonic() - started < 20.0  # one after the other: 60 s
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            dial([_info(dead)] * 4, 2.0)
        assert time.monotonic() - started < 6.0  # one after the other: 8 s


def test_a_hosts_ipv6_and_ipv4_addresses_are_tried_in_turn():
    from vcam.remote.dial import interleaved

    v6 = [_info(1, "2001:db8::1"), _info(2, "2001:db8::2"), _info(3, "2001:db8::3")]
    v4 = [_info(4), _info(5)]
    assert interleaved(v6 + v4) == [v6[0], v4[0], v6[1], v4[1], v6[2]]
    assert interleaved(v4 + v6) == [v4[0], v6[0], v4[1], v6[1], v6[2]]
    assert interleaved([]) == []


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_an_ipv6_address_that_does_not_answer_lets_the_ipv4_one_connect():
    from vcam.remote.dial import dial

    with unanswered_port("::1") as dead, socket.create_server(("::1", 0), family=socket.AF_INET6) as six:
        with socket.create_server(("127.0.0.1", 0)) as four:
            port4, port6 = four.getsockname()[1], six.getsockname()[1]
            with dial([_info(dead, "::1"), _info(dead, "::1"), _info(port4)], 30.0) as sock:
                assert sock.getpeername() == ("127.0.0.1", port4)
            # refused at once: the next address is tried at once, not a stagger later
            with dial([_info(_closed_port(), "::1"), _info(port6, "::1")], 30.0) as sock:
                assert sock.getpeername()[:2] == ("::1", port6)


def _closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as s:
        return s.getsockname()[1]


def test_a_port_nothing_listens_on_is_said_as_refused_through_the_links_own_dial():
    from vcam.remote.dial import dial
    from vcam.remote.reasons import unreachable

    with pytest.raises(ConnectionRefusedError) as refused:
        dial([_info(_closed_port())], 5.0)
    assert unreachable("ws://127.0.0.1:9", refused.value).startswith("nothing listens on 127.0.0.1 port 9")


def _certificate(tmp_path, name: str):
    """A self-signed certificate for the host `name`, and its key."""
    import subprocess

    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"],
                   check=True, capture_output=True)
    return cert, key


@pytest.mark.skipif(shutil.which("openssl") is None, reason="makes its certificate with the openssl command")
def test_wss_over_the_links_own_socket_checks_the_certificate_for_the_hosts_name(tmp_path, monkeypatch):
    """The link opens the TCP connection itself and hands it to the library: TLS must still go to the host's name
    (SNI) and check the certificate against it, as the library does where it connects by itself."""
    import ssl

    from websockets.sync.server import serve

    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.01)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.02)
    names: list[str] = []

    def handler(ws):
        ws.send(json.dumps({"type": "state", "seed": 7}))
        with contextlib.suppress(Exception):
            for _ in ws:  # until the client closes it
                pass

    for served, trusted in (("localhost", "localhost"), ("other.example", "other.example"),
                            ("localhost", "other.example")):
        cert, key = _certificate(tmp_path, served)
        monkeypatch.setenv("SSL_CERT_FILE", str(_certificate(tmp_path, trusted)[0] if trusted != served else cert))
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(cert, key)
        tls.set_servername_callback(lambda sock, name, context: names.append(name))
        with serve(handler, "127.0.0.1", 0, ssl=tls) as server:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"wss://localhost:{server.socket.getsockname()[1]}"
            said: list[str] = []
            link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
            link.start()
            try:
                assert wait_for(lambda: link.connected or said, 30), said
            finally:
                link.stop()
                server.shutdown()
        assert names and set(names) == {"localhost"}, names  # SNI: the name in the address
        if served == trusted == "localhost":
            assert said == [f"connected to {url}"] and link.remote.state.seed == 7, said
        else:  # a certificate for another name, or one not trusted: refused, said as such
            assert len(said) == 1 and "answered with a certificate this machine does not trust" in said[0], said
            assert not link.ever_connected
        names.clear()


def test_a_redirect_to_another_websocket_address_is_said_with_the_address(monkeypatch):
    """The link opens its socket itself, over which the library follows no redirect: one to a ws:// address was
    said as "ValueError: cannot follow redirect to … with a preexisting socket"."""
    onward = "ws://gpu.example:8765/"
    said, url = _said_when_sent_on(monkeypatch, 301, onward)
    assert said == [f"cannot reach the server: 127.0.0.1 port {url.rsplit(':', 1)[1]} sends this client on to "
                    f"{onward}: give vcam cam that address, or on a hotel, café or train network, {LOG_IN}; the "
                    "camera shows its 'connecting' card, reconnecting"], said


@contextlib.contextmanager
def dropping_server(frames: bool):
    """A vcam serve that lets every camera in, sends its state (and with `frames` a block of one frame), then drops
    it: one that fails on each camera, or a tunnel that flaps. Yields its address and the connections it took."""
    taken = []
    frame = proto.encode_frame(np.zeros((16, 16, 3), np.uint8), proto.FrameHeader(0, 0, 0, 1, time.time(), 16, 16))

    def handler(ws):
        taken.append(1)
        ws.send(json.dumps({"type": "state", "seed": 3}))
        if frames:
            ws.send(frame)
        with contextlib.suppress(Exception):
            ws.recv(timeout=30)  # the camera's first message: then dropped

    with ws_served(handler) as url:
        yield url, taken


def test_a_server_that_drops_each_camera_as_it_comes_is_said_once_with_a_count_and_tried_less_often():
    """Each connection that came reset the wait to half a second, and each said two lines, "connected to" and
    "connection to the server lost": a flood of lines, twice a second, for as long as the server did so."""
    said: list[str] = []
    with dropping_server(frames=False) as (url, taken):
        link = TimedLink(url, said)
        _tried(link, lambda: len(link.waits) >= 8)
    assert link.waits[:8] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0, 5.0], said
    lost = "connection to the server lost; the camera shows its 'connecting' card, reconnecting"
    assert said == [f"connected to {url}", lost, f"connected to {url}",
                    "the server drops this camera each time right after letting it in "
                    "(the last time: connection to the server lost): a vcam serve that fails on each camera (its "
                    "terminal says why), or a proxy or tunnel that keeps dropping; the camera shows its 'connecting' "
                    "card, trying again every 5 s at most"], said
    link.say_held_back()
    assert len(said) == 5 and re.fullmatch(r"\d+ more like it: the server drops this camera each time .*", said[4]) \
        and int(said[4].split()[0]) >= len(link.waits) - 3, said


def test_connections_that_bring_frames_or_last_get_the_quick_tries_back():
    """A connection that held (frames came, or it lasted a while) was a show that ran: its drop is tried again at
    once, as a restarted server is back in seconds."""
    said: list[str] = []
    with dropping_server(frames=True) as (url, taken):
        link = TimedLink(url, said)
        _tried(link, lambda: len(link.waits) >= 4)
    assert link.waits[:4] == [0.5] * 4 and not any("each time" in line for line in said), said
    ticks = iter(range(0, 10**6, 20))  # 20 s between each look at the clock: each connection lasts
    said.clear()
    with dropping_server(frames=False) as (url, taken):
        link = TimedLink(url, said, clock=lambda: next(ticks))
        _tried(link, lambda: len(link.waits) >= 4)
    assert link.waits[:4] == [0.5] * 4 and not any("each time" in line for line in said), said


def test_a_connection_that_holds_after_some_that_dropped_says_so_with_their_count():
    said: list[str] = []
    link = TimedLink("ws://127.0.0.1:9", said)
    link._drops = 3
    link._reached(_Writes())
    assert said == []  # not yet: it may drop as the others did
    link.frames += 12
    assert link._holds()
    assert said == ["connected to ws://127.0.0.1:9: the connection holds now, after 3 that dropped as they opened"]
    assert link._drops == 0


def test_serve_on_every_ipv6_address_names_an_ipv4_address_first_where_the_machine_has_one(local_servers, monkeypatch):
    """Most home networks and tunnels are IPv4 alone: with --host :: (which takes IPv4 too), the command to give is
    the IPv4 address's, the IPv6 ones after it."""
    import vcam.remote.addresses as addresses

    routes = {socket.AF_INET: "10.0.0.5", socket.AF_INET6: "2001:db8::5"}
    monkeypatch.setattr(addresses, "_routed", lambda family, target: routes[family])
    monkeypatch.setattr(socket, "gethostbyname_ex", lambda name: (name, [], ["10.0.0.5", "127.0.1.1"]))
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [(socket.AF_INET6, 1, 6, "", ("2001:db8::6", 0, 0, 0)),
                                                                 (socket.AF_INET6, 1, 6, "", ("fe80::1", 0, 0, 0))])
    found = addresses.machine_addresses(ipv6=True)
    assert found == ["10.0.0.5", "2001:db8::5", "2001:db8::6"]
    assert addresses.machine_addresses() == ["10.0.0.5"]
    assert addresses.machine_addresses(ipv6=True, ipv4=False) == ["2001:db8::5", "2001:db8::6"]
    monkeypatch.undo()
    if not _ipv6_loopback():
        return
    monkeypatch.setattr(listen_module, "machine_addresses", lambda ipv6=False: found if ipv6 else found[:1])
    server = local_servers(host="::", token="s3cret")
    advert = "\n".join(server.said)
    assert (f"on the OBS machine: vcam cam ws://10.0.0.5:{server.port} --token TOKEN (TOKEN: the one vcam serve was "
            "given); this machine's addresses: 10.0.0.5, 2001:db8::5, 2001:db8::6") in advert, advert


@pytest.mark.skipif(not _ipv6_loopback(), reason="this machine has no IPv6 loopback")
def test_serve_on_every_ipv6_address_of_a_system_without_dual_stack_names_no_ipv4_address(local_servers, monkeypatch):
    """Where a socket on :: cannot take IPv4 too, the IPv4 address named first could not be reached."""
    asked = []

    def addresses(ipv6=False, ipv4=True):
        asked.append((ipv6, ipv4))
        return ["2001:db8::5"] if not ipv4 else ["10.0.0.5", "2001:db8::5"]

    monkeypatch.setattr(listen_module, "machine_addresses", addresses)
    monkeypatch.setattr(socket, "has_dualstack_ipv6", lambda: False)
    server = local_servers(host="::", token="s3cret")
    advert = "\n".join(server.said)
    assert asked == [(True, False)] and f"vcam cam ws://[2001:db8::5]:{server.port} --token TOKEN" in advert, advert
    assert "10.0.0.5" not in advert


@contextlib.contextmanager
def stalling_server(answer: str):
    """A port that takes every connection and then stops answering: at once ("none": a TLS or WebSocket handshake
    that stalls), after letting the camera in ("opened": no state comes, nor an answer to a close), or after the
    state ("state": a server that stopped answering mid-show). Yields its port and an Event set once it has done so."""
    import base64
    import hashlib

    done, held = threading.Event(), []
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        with contextlib.suppress(OSError):
            conn, _ = listener.accept()
            held.append(conn)
            if answer != "none":
                request = b""
                while b"\r\n\r\n" not in request:
                    request += conn.recv(4096)
                key = re.search(rb"Sec-WebSocket-Key: *(\S+)", request, re.I).group(1)
                accept = base64.b64encode(hashlib.sha1(key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
                conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                             b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
                if answer == "state":
                    payload = json.dumps({"type": "state", "seed": 5}).encode()
                    conn.sendall(bytes([0x81, len(payload)]) + payload)
            done.set()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1], done
    finally:
        listener.close()
        for conn in held:
            conn.close()


def _quit_link(url: str, lookup=None) -> tuple[Link, list[str]]:
    from vcam.remote.dial import Lookup

    said: list[str] = []
    link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append,
                lookup=lookup or Lookup())
    return link, said


def _stops_at_once(link: Link) -> None:
    started = time.monotonic()
    link.stop()
    assert not link._thread.is_alive(), "the link's thread still runs after stop()"
    assert time.monotonic() - started < 2.5


@pytest.mark.parametrize("scheme, answer", [("wss", "none"), ("ws", "none"), ("ws", "opened"), ("ws", "state")])
def test_a_quit_ends_the_link_at_once_while_a_server_stalls(scheme, answer):
    """Ctrl-C under a TLS or WebSocket handshake that stalled waited for the library's 5 s bound, and on a connection
    whose server stopped answering (before or after its state) for the library's 10 s close timeout."""
    with stalling_server(answer) as (port, done):
        link, said = _quit_link(f"{scheme}://127.0.0.1:{port}")
        link.start()
        assert done.wait(30)
        if answer == "state":
            assert wait_for(lambda: link.connected, 30), said
        elif answer == "opened":
            assert wait_for(lambda: link._opened, 30), said
        _stops_at_once(link)
    assert not [line for line in said if "cannot" in line or "lost" in line], said  # a quit says nothing of it


def test_a_quit_ends_the_link_at_once_while_its_name_server_does_not_answer():
    from vcam.remote.dial import Lookup

    asked, release = threading.Event(), threading.Event()

    def hanging(host, port, type):
        asked.set()
        release.wait(60)
        raise socket.gaierror(socket.EAI_AGAIN, "no answer")

    link, said = _quit_link("ws://gpu.example:8765", Lookup(hanging))
    link.start()
    try:
        assert asked.wait(30)
        _stops_at_once(link)
    finally:
        release.set()
    assert said == []


def test_a_quit_ends_the_link_at_once_while_it_dials_an_address_that_does_not_answer():
    from vcam.remote.dial import Lookup

    with unanswered_port() as dead:
        looked_up = threading.Event()

        def resolve(host, port, type):
            looked_up.set()
            return [_info(dead)]

        link, said = _quit_link(f"ws://gpu.example:{dead}", Lookup(resolve))
        link.start()
        assert looked_up.wait(30)
        _stops_at_once(link)
    assert said == []


def test_a_quit_ends_the_link_at_once_while_it_backs_off(monkeypatch):
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 15.0)
    link, said = _quit_link(f"ws://127.0.0.1:{_closed_port()}")
    link.start()
    assert wait_for(lambda: link.tries >= 1, 30)
    _stops_at_once(link)
    assert len(said) == 1 and "nothing listens on" in said[0], said


def test_a_name_server_slower_than_the_bound_answers_the_next_try_with_one_lookup_at_a_time():
    """A lookup that answered after its try gave up was thrown away and started again: a name server that takes 6 s
    made every try wait 5 s and give up, once the tries were 5 s apart, and the camera never connected."""
    from vcam.remote.dial import Lookup

    asked: list[str] = []
    release = threading.Event()

    def slow(host, port, type):
        asked.append(host)
        release.wait(60)
        return [_info(port)]

    lookup = Lookup(slow)
    for _ in range(3):  # a name server that hangs holds one lookup, whatever the tries
        with pytest.raises(socket.gaierror):
            lookup.addresses("slow.example", 8765, 0.01)
    release.set()
    assert lookup._pending[1].wait(30)  # it answered, after the tries gave up
    assert lookup.addresses("slow.example", 8765, 5.0) == [_info(8765)]
    assert asked == ["slow.example"]
    assert lookup.addresses("slow.example", 8765, 5.0) == [_info(8765)]  # used once: the next try asks anew
    assert asked == ["slow.example"] * 2


class _AnsweredAtOnce(_Writes):
    """A connection whose server's answer to a command is read on the link's thread before the write returns."""

    def __init__(self, link: Link):
        super().__init__()
        self.link = link

    def send(self, message) -> None:
        super().send(message)
        if '"command"' in message:
            self.link._receive(json.dumps({"type": "reply", "text": "", "state": {}}))


def test_an_answer_read_before_its_commands_write_returns_counts_for_that_command():
    """A command was counted as sent once its write returned: an answer read on the link's thread meanwhile counted
    for none, and every answer after it for the command before its own, so a press the server had carried out was
    named as not answered when the link dropped."""
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._ws = wire = _AnsweredAtOnce(link)
    link._reached(wire)
    for line in ("freeze", "preset next", "seed 4"):
        assert link.send_line(line)
    link._connection_lost()
    assert not [line for line in said if "had not answered" in line], said
    assert link._waiting.take() == []


def test_a_command_whose_write_fails_waits_and_is_not_named_as_in_flight():
    said: list[str] = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._ws = wire = _Writes()
    link._reached(wire)
    wire.fail = True
    assert not link.send_line("freeze")
    link._connection_lost()
    assert not [line for line in said if "had not answered" in line], said
    assert link._waiting.take() == ["freeze"]


def test_a_quit_ends_the_link_at_once_while_it_closes_a_connection_the_server_does_not_answer(monkeypatch):
    """A connection whose first message did not come is closed by the link itself, and one whose keepalive went
    unanswered by the library, each waiting 10 s for the server's answer: a quit meanwhile waited out the rest."""
    from websockets.protocol import State

    monkeypatch.setattr(Link, "FIRST_STATE_S", 0.2)
    with stalling_server("opened") as (port, done):
        link, said = _quit_link(f"ws://127.0.0.1:{port}")
        link.start()
        assert done.wait(30)
        assert wait_for(lambda: (ws := link._ws) is not None and ws.protocol.state is State.CLOSING, 30), said
        _stops_at_once(link)


def test_an_osc_port_in_use_is_said_as_such_by_vcam_cam_not_as_the_links_stop():
    """A part of the show that could not start stops the link, which had not started: its stop raised "cannot join
    thread before it is started" in place of the part's own error."""
    from vcam.errors import VcamError

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(VcamError, match="cannot listen for OSC"):
            run_cam(CamOptions(url=f"ws://127.0.0.1:{_closed_port()}", outs=["null"], stdin=False,
                               osc=f"127.0.0.1:{port}", status_out=io.StringIO()))


def test_a_block_a_faulty_server_never_ends_is_pushed_in_parts_not_held_without_bound():
    """Frames of one block whose last never comes (its count a million) were all held on the laptop until another
    block began: memory without bound, and nothing on screen. Every MAX_BLOCK_FRAMES they go to the pacer."""
    from vcam.remote.blocks import MAX_BLOCK_FRAMES, Blocks

    pacer = Pacer(PacerSettings())
    blocks = Blocks(pacer)
    frame = np.zeros((4, 4, 3), np.uint8)
    for i in range(5 * MAX_BLOCK_FRAMES + 3):
        header = proto.FrameHeader(seq=i, block=7, index=i, count=10**6, sent_at=0.0, width=4, height=4)
        blocks.add(header, frame)
        blocks.end_if_last(header)
        assert len(blocks._frames) < MAX_BLOCK_FRAMES
    assert pacer.stats.pushed == 5 * MAX_BLOCK_FRAMES
    # a block of the server's own size is pushed whole at its last frame, as before
    for i in range(12):
        header = proto.FrameHeader(seq=1000 + i, block=8, index=i, count=12, sent_at=0.0, width=4, height=4)
        blocks.add(header, frame)
        blocks.end_if_last(header)
    assert pacer.stats.pushed == 5 * MAX_BLOCK_FRAMES + 3 + 12 and not blocks._frames


def test_a_token_given_with_spaces_or_a_line_end_round_it_is_the_same_token_on_both_ends(monkeypatch):
    """The server strips the token a client sends, not its own: a token given on both ends as ' s3cret' (pasted
    with a space, read from a file with its line end) was refused on every try."""
    import vcam.remote.client as client_module

    given: dict[str, object] = {}
    monkeypatch.setattr(client_module, "run_cam", lambda opts: given.update(cam=opts.token) or 0)
    monkeypatch.setattr(server_module, "ServeSettings", lambda **settings: given.update(serve=settings))
    monkeypatch.setattr("vcam.cmdline.play.cmd_run", lambda args, attach: 0)
    monkeypatch.setenv("VCAM_TOKEN", " s3cret\r\n")
    assert main(["cam", "ws://127.0.0.1:9", "--out", "null"]) == 0
    assert main(["serve", "--model", "tiny", "--token", "s3cret ", "--no-stdin"]) == 0
    assert given == {"cam": "s3cret", "serve": {"host": "127.0.0.1", "port": proto.DEFAULT_PORT, "token": "s3cret",
                                                "quality": proto.DEFAULT_QUALITY}}
    assert proto.given_token(None, {"VCAM_TOKEN": "  "}) is None  # only spaces: no token, as an empty one


@pytest.mark.parametrize("command", [["cam", "ws://127.0.0.1:9", "--out", "null", "--no-stdin"],
                                     ["serve", "--model", "tiny", "--no-stdin", "--duration", "1"]])
@pytest.mark.parametrize("token, said", [("€uro", "'€'"), ("two\nlines", "'\\n'")])
def test_a_token_no_http_header_can_carry_is_refused_at_the_start_on_either_end(command, token, said, capsys):
    """vcam cam failed at every try with the library's 'InvalidHeaderValue: invalid Authorization header', until
    --duration; vcam serve took the token, which no vcam cam could send."""
    assert main([*command, "--token", token]) == 2
    err = capsys.readouterr().err
    assert f"the token (--token or VCAM_TOKEN) holds {said}, which the HTTP header that carries it cannot hold" in err
    assert "fix: pick a token of letters, digits and ASCII punctuation" in err and "output null" not in err


def test_a_connection_the_machine_had_no_file_for_leaves_the_server_listening(local_servers, monkeypatch):
    from websockets.sync.client import connect

    original, failed = socket.socket.accept, threading.Event()

    def accept(sock):  # the listening socket's first accept finds the process at its open-file limit
        if not failed.is_set():
            failed.set()
            raise OSError(errno.EMFILE, "Too many open files")
        return original(sock)

    monkeypatch.setattr(socket.socket, "accept", accept)
    server = local_servers()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30):
        assert failed.wait(30)
    with connect(url_of(server), proxy=None, open_timeout=30) as ws:  # the library's accept loop ended here before
        assert first_text(ws)["type"] == "state"
    short = [m for m in server.said if "could not be taken" in m]
    assert len(short) == 1 and "Too many open files" in short[0] and "ulimit -n" in short[0]


class _ServerOfWebsockets16:
    """The library's Server as websockets 15 and 16 have it (pyproject allows them): no handler_threads."""

    def __init__(self, server):
        self.__dict__["_server"] = server

    def __getattr__(self, name):
        if name == "handler_threads":
            raise AttributeError(name)
        return getattr(self._server, name)

    def __setattr__(self, name, value):
        setattr(self._server, name, value)


@pytest.mark.parametrize("library", ["installed", "websockets 16"])
def test_a_flood_of_handshakes_never_finished_is_turned_away_as_it_comes_and_the_server_takes_clients_after(
        local_servers, monkeypatch, library):
    import websockets.sync.server
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    if library != "installed":
        serve = websockets.sync.server.serve
        monkeypatch.setattr(websockets.sync.server, "serve", lambda *a, **kw: _ServerOfWebsockets16(serve(*a, **kw)))
    monkeypatch.setattr(FrameServer, "MOST_OPEN", 2)
    server = local_servers(max_clients=1)  # four open at most: four times the places, as MOST_OPEN is less
    slow = [socket.create_connection(("127.0.0.1", server.port), timeout=30) for _ in range(4)]
    for s in slow:  # each holds a thread and files for the handshake's 10 s
        s.sendall(b"GET / HTTP/1.1\r\n")
    assert wait_for(lambda: server._listener.open_now() == 4)
    # a camera that comes now is told why in plain words (vcam cam says them), not closed without an answer, which
    # vcam cam could only take for a tunnel that leads nowhere
    with pytest.raises(InvalidStatus) as turned_away:
        connect(url_of(server), proxy=None, open_timeout=30)
    assert turned_away.value.response.status_code == 503
    assert "connections open at once" in turned_away.value.response.body.decode()
    assert any(m.startswith("closed a connection as it came: 4 are open already") for m in server.said)
    for s in slow:
        s.close()
    assert wait_for(lambda: server.places_taken() == 0 and server._listener.open_now() == 0, 60)
    with connect(url_of(server), proxy=None, open_timeout=30) as ws:
        assert first_text(ws)["type"] == "state"


def test_a_listener_that_turned_a_connection_away_still_stops_whatever_its_file_number():
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1100:
        pytest.skip("this machine allows no file number over 1024")
    raised = soft != resource.RLIM_INFINITY and soft < 1100
    if raised:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1100, hard))
    try:
        listening = socket.create_server(("127.0.0.1", 0))
        high = socket.socket(fileno=os.dup2(listening.fileno(), 1090))  # a process holding many files already
        listening.close()
        listener = listen_module.Listener(high, 0, lambda line: None)  # every connection is past the cap
        ended = threading.Event()

        def accept():
            with contextlib.suppress(OSError):
                listener.accept()
            ended.set()

        threading.Thread(target=accept, daemon=True).start()
        with socket.create_connection(high.getsockname(), timeout=30) as c:
            assert c.recv(1024).startswith(b"HTTP/1.1 503")  # turned away: the listener waits for the next
        high.close()  # the library's shutdown
        assert ended.wait(30)  # select() took no file past 1023: the accept blocked, the stop waited for ever
    finally:
        if raised:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_clients_refused_by_a_full_server_are_said_once_then_counted(local_servers):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    server = local_servers(max_clients=1)
    with connect(url_of(server), proxy=None, open_timeout=30) as ws:
        assert first_text(ws)["type"] == "state"
        for _ in range(5):  # a program connecting in a loop
            with pytest.raises(InvalidStatus) as refused:
                connect(url_of(server), proxy=None, open_timeout=30)
            assert refused.value.response.status_code == 503
    full = [m for m in server.said if m.startswith("refused a client")]
    assert full == ["refused a client: 1 connected already, at most 1"]
    assert server.admission.held_back() == ["4 more like it: refused a client: 1 connected already, at most 1"]


def test_a_message_over_what_vcam_cam_takes_is_said_as_such_not_as_a_server_gone():
    def handler(ws):  # a vcam serve of another version: its state, then a message bigger than vcam cam takes
        ws.send(proto.text("state", screen="live"))
        ws.send(proto.MAGIC + bytes(2**24))  # vcam cam takes 16 MiB
        with contextlib.suppress(Exception):
            ws.recv(timeout=60)  # until the camera closes it

    said = said_by_link(handler, "over 16 MiB")
    lost = [m for m in said if "over 16 MiB" in m]
    assert lost[0].startswith("the server sent a message over 16 MiB, more than vcam cam takes: a show state that "
                              "big"), lost
    assert "or a vcam serve of another version (install the same vcam on both machines)" in lost[0], lost
    assert not any("without a word" in m for m in said), said


@pytest.mark.parametrize("then", ["too big", "closes"])
def test_a_state_that_came_before_the_camera_could_ping_is_read_and_the_end_said_as_a_loss(monkeypatch, then):
    from websockets.protocol import State

    def handler(ws):  # a busy machine: the server's state, then its end, all before the camera wrote its ping
        ws.send(proto.text("state", screen="live"))
        if then == "too big":
            ws.send(proto.MAGIC + bytes(2**24))
            with contextlib.suppress(Exception):
                ws.recv(timeout=60)
        else:
            ws.close(1011, "vcam serve broke")

    ping = Link._ping

    def late_ping(link):
        assert wait_for(lambda: link._ws.protocol.state is not State.OPEN, 60)
        return ping(link)

    monkeypatch.setattr(Link, "_ping", late_ping)
    said = said_by_link(handler, "over 16 MiB" if then == "too big" else "vcam serve broke")
    assert said[0].startswith("connected to ws://"), said  # its state read: a vcam serve, which then went
    assert not any("cannot be used" in m or "before the show's state came" in m for m in said), said
    if then == "too big":
        assert said[1].startswith("the server sent a message over 16 MiB"), said


def test_a_state_then_a_close_before_the_commands_kept_went_is_said_as_a_loss(monkeypatch):
    """A command given while the link was down goes as the next connection's state comes: a server that sent its
    state, then closed before that write (a busy machine), was said to be no vcam server, one that closed before
    its state came, after the camera had said it was connected to it."""
    from websockets.protocol import State

    def handler(ws):
        ws.send(proto.text("state", screen="live", seed=7))
        ws.close(1011, "vcam serve broke")

    write = Link._write

    def late_commands(link, ws, messages):
        if any('"command"' in m for m in messages):  # the commands kept: written once the close has come
            assert wait_for(lambda: ws.protocol.state is not State.OPEN, 60)
        return write(link, ws, messages)

    monkeypatch.setattr(Link, "_write", late_commands)
    said: list[str] = []
    with ws_served(handler) as url:
        link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
        assert not link.send_line("seed 42")  # not connected yet: it waits
        link.start()
        try:
            assert wait_for(lambda: any("vcam serve broke" in m for m in said), 60), said
        finally:
            link.stop()
    assert said[0] == f"connected to {url}", said
    assert said[1].startswith("the server disconnected this client: vcam serve broke;"), said
    assert not any("cannot be used" in m or "before the show's state came" in m for m in said), said
    assert link.ever_connected and link.remote.state.seed == 7  # its state was read


def test_a_server_that_closes_for_a_message_too_big_is_not_said_to_have_sent_one():
    def handler(ws):  # a vcam serve of another version that takes less than this camera sends: the close is its
        ws.send(proto.text("state", screen="live"))
        ws.close(1009, "message too big for this server")

    said = said_by_link(handler, "message too big for this server")
    assert not any("over 16 MiB" in m for m in said), said  # this camera echoed the server's 1009: it sent none
