"""vcam serve and vcam cam over real loopback sockets: what each says of the other's odd messages, of a client
gone, and of its own stop."""
from __future__ import annotations

import contextlib
import json
import socket
import threading

import pytest
from websockets.exceptions import InvalidMessage

from helpers import loopback_port, said_by_link, wait_for
from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote import listen as listen_module
from vcam.remote import protocol as proto
from vcam.remote.controller import RemoteController
from vcam.remote.link import Link

SIZE = (64, 48)


class Recorder:
    def __init__(self):
        self.frames = []

    def push(self, frame, at=None):
        self.frames.append(frame)


def _then_wait(ws) -> None:
    with contextlib.suppress(Exception):
        while True:  # until the camera closes it (its ping and the like come meanwhile)
            ws.recv(timeout=60)


def test_a_server_text_over_what_vcam_cam_reads_is_said_once_and_the_connection_goes_on():
    big = json.dumps({"type": "state", "presets": ["x" * 1000] * (proto.MAX_SERVER_TEXT // 1000 + 1)})

    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        ws.send(big)
        ws.send(big)  # the second is counted, not said again
        ws.send(proto.text("reply", text="after the big one"))
        _then_wait(ws)

    said = said_by_link(handler, "after the big one")
    dropped = [m for m in said if "dropped a message of" in m]
    assert len(dropped) == 1, said
    assert f"{len(big):,} characters from the server, over the {proto.MAX_SERVER_TEXT:,}" in dropped[0]
    assert "presets" in dropped[0] and "install the same vcam" in dropped[0]
    assert said.index(dropped[0]) < said.index("after the big one")
    assert sum(m.startswith("connected to") for m in said) == 1, said  # the same connection brought the reply


@pytest.mark.parametrize("text", [["a", "b"], {"line": "x"}, 7])
def test_a_reply_whose_text_is_no_string_is_said_in_one_line_not_printed_as_python(text):
    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        ws.send(json.dumps({"type": "reply", "text": text}))
        ws.send(proto.text("reply", text="a reply that reads"))
        _then_wait(ws)

    said = said_by_link(handler, "a reply that reads")
    assert not any(m == str(text) for m in said), said
    refused = [m for m in said if "a reply whose text is a" in m]
    assert len(refused) == 1 and f"is a {type(text).__name__}, not a string" in refused[0], said
    assert "install the same vcam on both machines" in refused[0]


def test_a_dropped_sender_is_said_disconnected_before_the_input_is_said_free(local_servers):
    from websockets.sync.client import connect

    server = local_servers(uploads=Recorder(), input_size=SIZE)
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30, close_timeout=1) as ws:
        ws.send(proto.text("send"))
        while json.loads(ws.recv(timeout=30))["type"] != "send_ok":
            pass
        ws.send(b"VCI1 but not a frame")  # its sender is broken: disconnected
        with contextlib.suppress(Exception):
            while True:
                ws.recv(timeout=30)
    assert wait_for(lambda: any("free" in m for m in server.said), 30)
    gone = next(i for i, m in enumerate(server.said) if "was disconnected" in m)
    free = next(i for i, m in enumerate(server.said) if "the input it sent is free" in m)
    assert gone < free, server.said
    assert not any("left; the input is free" in m for m in server.said)


def test_counts_held_back_are_said_once_at_a_clean_stop(local_servers):
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    server = local_servers(max_clients=1)
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30) as ws:
        ws.recv(timeout=30)
        for _ in range(4):
            with pytest.raises(InvalidStatus):
                connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30)
        server.stop()
    counts = [m for m in server.said if m.startswith("3 more like it: refused a client")]
    assert counts == ["3 more like it: refused a client: 1 connected already, at most 1"], server.said
    server.stop()  # a second stop says nothing more
    assert [m for m in server.said if "more like it" in m] == counts


def test_a_stop_during_handshakes_never_finished_ends_without_waiting_them_out(local_servers, monkeypatch):
    """The library's stop waited for each handshake to end: one that never sends its request, at its open
    timeout. That timeout made an hour here, the stop must not depend on it."""
    import websockets.sync.server

    serve = websockets.sync.server.serve
    monkeypatch.setattr(websockets.sync.server, "serve", lambda *a, **kw: serve(*a, **kw, open_timeout=3600))
    server = local_servers()
    half_open = [socket.create_connection(("127.0.0.1", server.port), timeout=60) for _ in range(5)]
    half_open[0].sendall(b"GET / HTTP/1.1\r\n")  # one begun, never finished
    assert wait_for(lambda: server._listener.open_now() == 5, 30)
    stopper = threading.Thread(target=server.stop, daemon=True)
    stopper.start()
    stopper.join(60)
    assert not stopper.is_alive()
    for s in half_open:  # each was closed by the server, not left for its timeout
        assert _closed_by_the_other_end(s)
        s.close()
    # websockets 17's stop returns once its handlers have ended; 15 and 16 return at once, their handlers ending
    # just after (the cut is what lets them end): what matters is that each ends, not at its open timeout
    assert wait_for(lambda: server._listener.open_now() == 0, 30)
    assert not getattr(server._server, "handler_threads", ())


def _closed_by_the_other_end(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:  # closed with bytes of ours unread
        return True


def test_files_allow_caps_the_connections_by_the_open_file_limit():
    assert listen_module.files_allow(64, None, 10) == 64
    assert listen_module.files_allow(64, 4096, 10) == 64
    assert listen_module.files_allow(64, 256, 40) == (256 - 40 - listen_module.FILES_KEPT) // 3
    assert listen_module.files_allow(64, 20, 40) == 1


def test_a_low_open_file_limit_caps_the_connections_and_is_said_once(local_servers):
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    _, open_now = listen_module.open_file_limit()
    low = open_now + listen_module.FILES_KEPT + 3 * 10 + 8  # room for about ten connections: the server takes some
    if hard != resource.RLIM_INFINITY and hard < low:
        pytest.skip("this machine's hard limit is below the test's")
    resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))
    try:
        server = local_servers()
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert 1 <= server._listener.most < 64
    capped = [m for m in server.said if "connections open at once, not 64" in m]
    assert len(capped) == 1 and f"may open {low} files (ulimit -n)" in capped[0]
    assert "run ulimit -n 4096 before" in capped[0]
    assert f"at most {server._listener.most} clients, not 16" in capped[0]


def test_a_system_without_the_resource_module_keeps_the_usual_cap(monkeypatch):
    """Windows has no `resource`: no limit to read, and the cap is the server's own."""
    import sys

    monkeypatch.setitem(sys.modules, "resource", None)  # its import fails, as on Windows
    assert listen_module.open_file_limit() == (None, 0)
    assert listen_module.capped_by_files(64, 16) == (64, None)


@pytest.mark.parametrize("soft", ["infinity", 2**62], ids=["unlimited", "very large"])
def test_an_unlimited_or_very_large_open_file_limit_keeps_the_usual_cap(monkeypatch, soft):
    resource = pytest.importorskip("resource")
    soft = resource.RLIM_INFINITY if soft == "infinity" else soft
    monkeypatch.setattr(resource, "getrlimit", lambda which: (soft, resource.RLIM_INFINITY))
    assert listen_module.capped_by_files(64, 16) == (64, None)


def test_open_files_that_cannot_be_counted_are_taken_for_none(monkeypatch):
    """A system with neither /proc nor /dev/fd to list: the limit alone caps the connections."""
    resource = pytest.importorskip("resource")

    def unlisted(folder):
        raise FileNotFoundError(2, "No such file or directory", folder)

    monkeypatch.setattr(resource, "getrlimit", lambda which: (200, resource.RLIM_INFINITY))
    monkeypatch.setattr(listen_module.os, "listdir", unlisted)
    assert listen_module.open_file_limit() == (200, 0)
    most, line = listen_module.capped_by_files(64, 16)
    assert most == (200 - listen_module.FILES_KEPT) // listen_module.FILES_PER_CONNECTION
    assert line is not None and line.startswith(f"at most {most} connections open at once, not 64")


def test_a_cap_under_a_limit_of_4096_already_asks_for_more_than_4096(monkeypatch):
    """Many files open under a limit of 4096: the line asked for ulimit -n 4096, which raised nothing."""
    resource = pytest.importorskip("resource")
    monkeypatch.setattr(resource, "getrlimit", lambda which: (4096, resource.RLIM_INFINITY))
    monkeypatch.setattr(listen_module.os, "listdir", lambda folder: ["fd"] * 4000)
    most, line = listen_module.capped_by_files(64, 16)
    assert most == (4096 - 4000 - listen_module.FILES_KEPT) // listen_module.FILES_PER_CONNECTION
    assert "may open 4096 files (ulimit -n), 4000 are open" in line and "run ulimit -n 8192 before" in line


def test_the_usual_open_file_limit_says_nothing(local_servers):
    server = local_servers()
    if server._listener.most < 64:
        pytest.skip("this machine's own open-file limit caps the connections")
    assert not any("ulimit -n" in m for m in server.said)


def _strict(message: str) -> dict:
    """A message read as JSON is written: Infinity and NaN are no JSON."""
    def refuse(constant):
        raise ValueError(f"{constant} is no JSON")

    return json.loads(message, parse_constant=refuse)


@pytest.mark.parametrize("t", [1e400, 10**400, "abc"], ids=["infinity", "400 digits", "text"])
def test_a_ping_of_a_time_that_is_no_finite_number_is_answered_in_json_without_it(local_server, t):
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{local_server.port}", proxy=None, open_timeout=30) as ws:
        ws.recv(timeout=30)
        ws.send(json.dumps({"type": "ping", "t": t}))  # 1e400 goes as Infinity, as Python writes it
        ws.send(proto.text("ping", t=12.5))
        pongs = []
        while len(pongs) < 2:
            message = ws.recv(timeout=30)
            if '"pong"' in message:
                pongs.append(_strict(message))
    assert pongs[0]["t"] is None and pongs[1]["t"] == 12.5


def test_finite_number_takes_an_integer_past_any_float_for_none():
    from vcam.remote.controller import finite_number

    assert not finite_number(10**400) and finite_number(10**300) and not finite_number(float("nan"))


def _uploader(said):
    from types import SimpleNamespace

    from vcam.remote.uploader import Uploader

    return Uploader(SimpleNamespace(name="file:clip.avi", close=lambda: None), said.append)


@pytest.mark.parametrize("message", [None, ["busy"], {"why": "x"}, "  "])
def test_a_send_refused_without_a_text_reason_says_none_was_given_not_python(message):
    said: list[str] = []
    _uploader(said).answer({"type": "send_refused", "message": message})
    assert len(said) == 1 and "input: it gave no reason;" in said[0], said
    assert str(message) not in said[0] or message == "  "


def test_a_send_ok_of_an_infinite_size_is_said_as_an_answer_that_makes_no_sense():
    said: list[str] = []
    _uploader(said).answer(json.loads('{"type": "send_ok", "width": Infinity, "height": 48, "fps": 12}'))
    assert len(said) == 1 and said[0].startswith("the server's answer to sending makes no sense"), said


def test_a_reply_or_error_that_would_steer_the_terminal_is_printed_with_its_controls_escaped():
    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        ws.send(proto.text("reply", text="\x1b[2Jscreen cleared\x07\rover"))
        ws.send(proto.text("error", message="bad\x1b]0;title\x07 error"))
        ws.send(proto.text("reply", text="two\r\nlines\tand 👩\u200d🎤"))
        _then_wait(ws)

    said = said_by_link(handler, "two")
    assert "\\x1b[2Jscreen cleared\\x07\\rover" in said, said
    assert "server: error: bad\\x1b]0;title\\x07 error" in said, said
    assert "two\nlines\tand 👩\u200d🎤" in said, said  # its line breaks, tabs and emoji as they are
    assert not any("\x1b" in m or "\x07" in m or "\r" in m for m in said)


# A prompt as people write it: Hebrew with its right-to-left mark, Japanese with its ideographic space, French with a
# no-break space, an accent typed after its letter, an emoji of Unicode 15 (unassigned in Python 3.11's tables), a
# private-use icon and a right-to-left isolate
PROMPTS = ["שלום\u200f עולם", "日本\u3000語の夜", "« nuit »\u00a0!", "cafe\u0301", "\U0001fae8 shaking",
           "\ue0b0 powerline", "\u2067مرحبا\u2069 hello"]


def test_a_reply_of_text_in_any_script_is_printed_as_sent_and_only_controls_are_escaped():
    """Escaping every character that prints nothing of its own mangled prompts a reply echoes: a no-break space,
    an ideographic space, a right-to-left mark came out as \\xa0, \\u3000, \\u200f."""
    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        for prompt in PROMPTS:
            ws.send(proto.text("reply", text=f"prompt {prompt}"))
        ws.send(proto.text("reply", text="csi\x9b2J del\x7f nul\x00"))
        ws.send('{"type": "reply", "text": "half \\ud800 a pair"}')  # a lone surrogate: no terminal can print it
        ws.send(proto.text("reply", text="the end"))
        _then_wait(ws)

    said = said_by_link(handler, "the end")
    for prompt in PROMPTS:
        assert f"prompt {prompt}" in said, (prompt, said)
    assert "csi\\x9b2J del\\x7f nul\\x00" in said, said
    assert "half \\ud800 a pair" in said, said


def test_a_send_refused_reason_that_would_steer_the_terminal_is_printed_escaped():
    said: list[str] = []
    _uploader(said).answer({"type": "send_refused", "message": "busy\x1b[2J 日本\u3000語"})
    assert len(said) == 1 and "input: busy\\x1b[2J 日本\u3000語;" in said[0], said


def test_a_close_reason_that_would_steer_the_terminal_is_printed_escaped():
    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        ws.recv(timeout=30)  # its first ping: connected
        ws.close(1008, "bad\x1b[2Jcamera")

    said = said_by_link(handler, "disconnected this client")
    assert any(m.startswith("the server disconnected this client: bad\\x1b[2Jcamera") for m in said), said


def test_a_close_before_the_state_with_a_reason_that_would_steer_the_terminal_is_printed_escaped():
    said = said_by_link(lambda ws: ws.close(1008, "no\x07state"), "before the show's state came")
    assert any("before the show's state came: no\\x07state;" in m for m in said), said


def test_a_refusal_in_http_that_would_steer_the_terminal_is_printed_escaped():
    from http import HTTPStatus

    from websockets.sync.server import serve

    def refuse(connection, request):
        return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "full\x1b[2J up\n")

    said: list[str] = []
    with serve(lambda ws: None, "127.0.0.1", 0, process_request=refuse) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        link = Link(f"ws://127.0.0.1:{server.socket.getsockname()[1]}", None, Pacer(PacerSettings()),
                    RemoteController(lambda line: True), said.append)
        link.start()
        try:
            assert wait_for(lambda: any("HTTP 503" in m for m in said), 60), said
        finally:
            link.stop()
            server.shutdown()
    assert any(m.startswith("the server answered HTTP 503: full\\x1b[2J up") for m in said), said


def test_a_server_text_that_is_no_json_is_said_once_where_it_was_skipped_without_a_word():
    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        ws.send("<html>502 Bad Gateway</html>")
        ws.send("<html>502 Bad Gateway</html>")
        ws.send(proto.text("reply", text="still here"))
        _then_wait(ws)

    said = said_by_link(handler, "still here")
    skipped = [m for m in said if m.startswith("skipped a message from the server")]
    assert len(skipped) == 1 and "not JSON" in skipped[0], said


def test_a_show_state_over_what_vcam_cam_reads_is_said_once_on_the_server(local_servers):
    from websockets.sync.client import connect

    server = local_servers()
    big = {"screen": "live", "presets": ["p" * 1000] * (proto.MAX_SERVER_TEXT // 1000 + 1)}
    server.state = lambda: big
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30, max_size=2**24) as ws:
        assert json.loads(ws.recv(timeout=30))["type"] == "state"
        server.broadcast_state()
        assert json.loads(ws.recv(timeout=30))["type"] == "state"
    said = [m for m in server.said if "over the" in m and "vcam cam reads" in m]
    assert len(said) == 1 and said[0].startswith("the show's state is ") and "fewer or shorter presets" in said[0]


def test_a_first_state_over_what_vcam_cam_reads_is_said_dropped_and_the_frames_still_come():
    big = proto.text("state", screen="live", presets=["x" * 1000] * (proto.MAX_SERVER_TEXT // 1000 + 1))

    def handler(ws):
        ws.send(big)
        ws.send(proto.text("reply", text="frames would follow"))
        _then_wait(ws)

    said = said_by_link(handler, "frames would follow")
    assert said[0].startswith("connected to"), said
    assert any(m.startswith("dropped a message of") for m in said), said
    assert not any("not vcam serve's state" in m for m in said), said


@pytest.mark.parametrize("presets, does", [(proto.MAX_SERVER_TEXT // 1000 + 1, "cameras drop it and miss"),
                                            (proto.MAX_RECEIVED // 1000 + 1, "each one is disconnected by it")])
def test_a_state_over_what_vcam_cam_reads_is_said_with_what_cameras_will_do(presets, does):
    """A state over the 16 MiB the camera's connection takes disconnects each camera (and it reconnects), where the
    line said, as for one over the 4 MiB it reads, that cameras drop it."""
    from vcam.remote.server import FrameServer, ServeSettings

    said = []
    state = {"presets": ["x" * 1000] * presets}
    server = FrameServer(ServeSettings(port=0), lambda line, source: None, lambda: state, said.append)
    server._told_state()
    server._told_state()  # said once
    assert len(said) == 1 and does in said[0] and "fewer or shorter presets" in said[0], said
    assert ("drop it" in said[0]) == (presets * 1000 <= proto.MAX_RECEIVED)


def test_a_first_state_over_what_the_cameras_connection_takes_is_said_as_a_state_that_big(monkeypatch):
    """A show's state over 16 MiB (vcam serve says each camera is disconnected by it, over and over): the camera
    said a proxy whose vcam serve is not running, or a vcam serve of another version, and not the state's size."""
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.01)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.01)
    big = json.dumps({"type": "state", "presets": ["x" * 1000] * (proto.MAX_RECEIVED // 1000 + 1)})

    def handler(ws):
        ws.send(big)
        _then_wait(ws)

    said = said_by_link(handler, "cannot be used")
    [line] = [m for m in said if "cannot be used" in m]
    assert f"over {proto.MAX_RECEIVED // 2**20} MiB, more than vcam cam takes: a show state that big" in line, said
    assert "proxy" not in line, said


@contextlib.contextmanager
def stopping_server(tries: list, then: tuple[bytes, ...] = ()):
    """A loopback port where a vcam serve is stopping: the first try is answered with the stop's HTTP 503, the next
    ones with `then`'s answers, each one after those is cut in its handshake, as the stop's listener cuts those not
    past theirs. Yields its ws:// address."""
    answers = (http_answer(503, "Service Unavailable", f"{proto.ENDING}\n"), *then)

    def answer(conn: socket.socket) -> None:
        tries.append(1)
        with contextlib.suppress(OSError):
            conn.recv(65536)  # the handshake's request
            if len(tries) <= len(answers):
                conn.sendall(answers[len(tries) - 1])
            else:
                conn.shutdown(socket.SHUT_RDWR)

    with loopback_port(answer) as url:
        yield url


def _said_until_cut(url: str, tries: list, monkeypatch, cuts: int = 1) -> list[str]:
    """What vcam cam's link says, trying again at once, until five tries and `cuts` it said it cannot reach."""
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.001)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.001)
    said: list[str] = []
    link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link.start()
    try:
        assert wait_for(lambda: len(tries) >= 5 and sum("cannot reach" in m for m in said) >= cuts, 60), (said, tries)
    finally:
        link.stop()
    return said


def test_a_try_the_servers_stop_cuts_in_its_handshake_is_said_as_the_server_stopping(monkeypatch):
    """A camera that comes as vcam serve stops is told the show is ending (503), tries again at once, and the stop,
    still going, cuts that try in its handshake: that was said as "accepted the connection and closed it without
    an answer ... vcam serve is not running", sending the operator to a tunnel that is fine."""
    tries: list = []
    with stopping_server(tries) as url:
        said = _said_until_cut(url, tries, monkeypatch)
    assert said[0].startswith(f"the server answered HTTP 503: {proto.ENDING}"), said
    cut = next(m for m in said if "cannot reach" in m)
    assert "closed it without an answer" not in cut, said
    assert f"vcam serve at 127.0.0.1 port {url.rsplit(':', 1)[1]} is stopping (it told this camera so)" in cut, said


def test_a_cut_try_after_the_one_right_after_the_stop_is_not_said_as_the_server_stopping(monkeypatch):
    """Through a tunnel, once vcam serve is gone each try is cut as its stop cut the first: every one was said as
    the server stopping until another answer came, where the tunnel with nothing behind it is the news."""
    tries: list = []
    with stopping_server(tries) as url:
        said = _said_until_cut(url, tries, monkeypatch, cuts=2)
    first, later = [m for m in said if "cannot reach" in m][:2]
    assert "is stopping (it told this camera so)" in first, said
    assert "is stopping" not in later and "closed it without an answer" in later, said


def http_answer(code: int, words: str, body: str, kind: str = "text/plain") -> bytes:
    data = body.encode()
    return (f"HTTP/1.1 {code} {words}\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Length: {len(data)}\r\n"
            "Connection: close\r\n\r\n").encode() + data


def test_a_cut_try_after_another_answer_is_not_said_as_the_server_stopping(monkeypatch):
    """The server said it was stopping; a later try got a proxy's page (502): the stop is over, and a try cut after
    that was said as vcam serve stopping, which it said long before, where the port's own answer is the news."""
    tries: list = []
    proxy = http_answer(502, "Bad Gateway", "<html><body>502 Bad Gateway</body></html>", "text/html")
    with stopping_server(tries, then=(proxy,)) as url:
        said = _said_until_cut(url, tries, monkeypatch)
    assert said[0].startswith(f"the server answered HTTP 503: {proto.ENDING}"), said
    assert "HTTP 502" in said[1], said
    [cut] = [m for m in said if "cannot reach" in m]
    assert "is stopping" not in cut and "closed it without an answer" in cut, said


def test_a_try_nothing_listens_for_ends_the_memory_of_the_servers_stop():
    """Refused after the server said it was stopping: its stop is over, so a try cut later (a tunnel whose vcam serve
    is gone) is said as the port's own closing, not as vcam serve stopping (which it said long before)."""
    said = []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link._refusal(503, f"{proto.ENDING}\n".encode())
    assert link.server_stopped
    link._closed(None, False, ConnectionRefusedError())
    assert not link.server_stopped
    cut = InvalidMessage("did not receive a valid HTTP response")
    cut.__cause__ = EOFError("connection closed while reading HTTP status line")
    link._closed(None, False, cut)  # said as a new run of failed tries would say it
    assert "closed it without an answer" in said[-1] and "is stopping" not in said[-1], said


def test_a_server_that_lets_the_camera_in_again_ends_the_memory_of_its_stop():
    """Let in after the server said it was stopping, then dropped before its state: that server runs again, and a
    try it cuts later is not its stop."""
    from websockets.exceptions import ConnectionClosedError

    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), lambda _: None)
    link._refusal(503, f"{proto.ENDING}\n".encode())
    link._opened = True
    link._closed(None, False, ConnectionClosedError(None, None))
    assert not link.server_stopped


def test_a_bare_going_away_before_the_state_is_said_as_the_server_stopping(monkeypatch):
    """websockets 15's stop closes a camera let in, before its state, with a bare going-away: that was said as a
    proxy whose vcam serve is not running, or a vcam serve of another version."""
    monkeypatch.setattr(Link, "FIRST_RETRY_S", 0.01)
    monkeypatch.setattr(Link, "LAST_RETRY_S", 0.01)

    def handler(ws):
        ws.close(proto.GOING_AWAY)

    said = said_by_link(handler, "cannot reach")
    assert not any("let this camera in" in m or "without an answer" in m for m in said), said
    assert "is stopping (it told this camera so)" in said[-1], said


def test_a_client_the_stop_closed_is_said_told_the_show_ended_not_left(local_servers):
    from websockets.sync.client import connect

    server = local_servers()
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30) as ws:
        ws.send(proto.text("ping", t=1.0))  # announced at once
        assert wait_for(lambda: any("connected (control)" in m for m in server.said), 30)
        server.stop()
    ended = [m for m in server.said if m.startswith("client 127.0.0.1:") and "connected (control)" not in m]
    assert len(ended) == 1 and ended[0].endswith("was told the show ended; 0 connected"), server.said


def test_a_handshake_cut_short_leaves_no_traceback_but_another_failure_is_logged(caplog):
    """websockets 15 and 16 log "opening handshake failed" with a traceback for a connection that ends before its
    handshake does: each one the stop cuts, and every port scanner, printed one on vcam serve's terminal."""
    from websockets.exceptions import ConnectionClosedError, InvalidMessage

    from vcam.remote.endings import LibraryLog

    def logged(error: Exception) -> list:
        caplog.clear()
        try:
            raise error
        except Exception:
            LibraryLog().error("opening handshake failed", exc_info=True)
        return [r for r in caplog.records if r.getMessage() == "opening handshake failed"]

    eof = InvalidMessage("did not receive a valid HTTP request")
    eof.__cause__ = EOFError("connection closed while reading HTTP request line")
    broken = ConnectionClosedError(None, None)
    broken.__cause__ = BrokenPipeError(32, "Broken pipe")
    with caplog.at_level("ERROR", logger="websockets.server"):
        assert logged(eof) == [] and logged(broken) == []
        assert len(logged(ValueError("a bug of the server's own"))) == 1


def test_a_show_side_that_fails_to_close_still_closes_every_client_and_the_servers_threads(local_servers):
    """vcam serve's stop closes the controller first: where that raises, the clients still get their close frame
    and the server's threads end, then the failure is raised for the show's end to say."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    server = local_servers()

    def broken():
        raise RuntimeError("the controller would not close")

    server.close_first = broken
    names = ("serve", "encode", "watch-clients")
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30) as ws:
        ws.recv(timeout=30)
        threads = [t for t in threading.enumerate() if t.name in names]
        with pytest.raises(RuntimeError, match="would not close"):
            server.stop()
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                ws.recv(timeout=30)
        # the show's close frame, that its vcam cam says as the show's end, not a connection cut
        assert closed.value.rcvd is not None
        assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1001, proto.STOPPED)
    for t in threads:
        t.join(10.0)
    assert threads and not [t.name for t in threads if t.is_alive()]


def test_a_camera_input_that_fails_to_stop_still_ends_vcam_cams_link_and_its_threads():
    """vcam cam's link stops its sender first: where that raises, the connection is still closed and the link's
    threads end, then the failure is raised for the show's end to say."""
    from helpers import ws_served
    from websockets.exceptions import ConnectionClosed

    closed, connected = threading.Event(), threading.Event()

    class Uploader:
        def bind(self, send, offset):
            pass

        def start(self):
            pass

        def connected(self):
            pass

        def disconnected(self):
            pass

        def stop(self):
            raise OSError("the webcam went away")

    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        try:
            while True:
                ws.recv(timeout=60)
        except (ConnectionClosed, TimeoutError):
            closed.set()

    with ws_served(handler) as url:
        def say(text):
            if text.startswith("connected to"):
                connected.set()

        link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), say, uploader=Uploader())
        link.start()
        assert connected.wait(30)
        with pytest.raises(OSError, match="webcam went away"):
            link.stop()
        assert closed.wait(30)
    for t in (link._thread, link._watch, link._due):
        t.join(10.0)
    assert not [t.name for t in (link._thread, link._watch, link._due) if t.is_alive()]


def test_commands_run_together_at_vcam_cam_are_offered_apart_only_where_no_show_refuses_them():
    """vcam cam's own parse answers a line run together before it travels: `seed 5, steps 3` with the lines to type,
    and `seed 5, next` with its refusal (the server's show, which may have no presets, is not known there)."""
    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    assert remote.handle_line("seed 5, steps 3", "stdin") == \
        "error: one command a line: type seed 5, then steps 3, each on a line of its own"
    assert "one command" not in remote.handle_line("seed 5, next", "stdin")
    assert sent == []


def test_an_osc_sender_at_vcam_cam_is_answered_as_the_server_answers_it():
    """An OSC sender at vcam cam was told `one command a line: type seed 5, then steps 3`, a console's wording, where
    the server tells it the commands are each sent on its own; and a control sending no value was answered with the
    seed now, a question typed, where the server calls it the sender's error."""
    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState

    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    remote.update({"seed": 124})
    server = Controller(None, ShowState(prompts={"a": 1.0}), RecordingProducer(), threading.Event(), lambda s: None)
    server.handle_line("seed 124", "stdin")
    for line in ("seed 5, steps 3", "seed 5; freeze", "seed"):
        said = remote.handle_line(line, "osc", network=True)
        assert said.startswith("error") and said == server.handle_line(line, "osc", network=True), (line, said)
    assert remote.handle_line("seed 5, steps 3", "osc", network=True) == \
        "error: one command each: seed 5 and steps 3 are 2 commands, each sent on its own"
    # typed at vcam cam: the lines to type, and the seed now
    assert remote.handle_line("seed 5, steps 3", "stdin").startswith("error: one command a line: type seed 5")
    assert remote.handle_line("seed", "stdin").startswith("seed 124 now")
    assert sent == []
