"""The network link under the probes that found its holes: a crowd connecting at once, clients that connect and
close at once, a wrong token, a server that sends nothing yet. A server in this process, without a model."""
import contextlib
import logging
import socket
import struct
import threading

import pytest

from helpers import wait_for
from vcam.remote import server as server_module
from vcam.remote.addresses import machine_addresses
from vcam.remote.server import FrameServer, ServeSettings

HANDSHAKE = (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")


@pytest.fixture
def local_servers():
    """Starts FrameServers on free ports (loopback unless told), recording what they say and the lines they get."""
    servers = []

    def make(**settings):
        lines, said = [], []
        server = FrameServer(ServeSettings(port=0, **settings), lambda line, source: (lines.append(line), "ok")[1],
                             lambda: {"screen": "live"}, said.append)
        server.start()
        server.lines, server.said = lines, said
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


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
    for _ in range(cycles):
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
            s.sendall(HANDSHAKE)
            answer = b""
            while b"\r\n\r\n" not in answer:
                answer += s.recv(1024)
            assert b" 101 " in answer
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # closes with a reset
    assert wait_for(lambda: not server.clients, 30)
    with connect(url_of(server), proxy=None, open_timeout=30) as ws:  # none of them kept a place
        assert first_text(ws)["type"] == "state"
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert not failures, caplog.text[:3000]
    assert not any("Traceback" in m or "Errno" in m for m in server.said)
    assert len(server.said) <= 1 + cycles + 2  # at most a line for each (and two for the client above)


def test_serve_on_every_address_advertises_a_command_that_works_elsewhere(local_servers, monkeypatch):
    monkeypatch.setattr(server_module, "machine_addresses", lambda: ["10.1.2.3", "192.168.5.6"])
    server = local_servers(host="0.0.0.0", token="s3cret")
    said = "\n".join(server.said)
    port = server.port
    assert f"vcam cam ws://10.1.2.3:{port} --token TOKEN" in said
    assert "192.168.5.6" in said and "port mapping" in said
    assert "ws://0.0.0.0" not in said
    assert "s3cret" not in said  # a show's terminal is often on screen

    monkeypatch.setattr(server_module, "machine_addresses", lambda: [])  # none found: the provider's address
    server = local_servers(host="0.0.0.0", token="s3cret")
    said = "\n".join(server.said)
    assert "ws://0.0.0.0" not in said and "port mapping" in said and "ws://ADDRESS:PORT --token TOKEN" in said


def test_the_machine_addresses_are_usable_from_elsewhere(monkeypatch):
    import ipaddress

    for a in machine_addresses():
        ip = ipaddress.ip_address(a)
        assert not (ip.is_loopback or ip.is_unspecified)

    def unreachable(*args):
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "gethostbyname_ex", unreachable)
    assert machine_addresses() == []
