"""Edges of how `vcam cam` checks its server's address, looks it up and dials it, and of the messages both ends
read, that mutation testing found no test for: each test fails where the code is changed in the way its docstring
says."""
import errno
import json
import re
import selectors
import socket
import threading
from types import SimpleNamespace

import numpy as np

import pytest

from vcam.control.media import Refused
from vcam.control.throttle import ErrorThrottle
from vcam.jpeg import SOF
from vcam.remote import answers, dial as dial_module
from vcam.remote import protocol as proto
from vcam.remote.dial import Lookup, dial
from vcam.remote.urls import check_url, dialled
from vcam.sizes import MAX_SIDE

# --- dialling, on a network and a clock of the test's own ------------------------------------------------------


class _Address:
    """A socket being connected to one address: it connects (`answers`: "yes"), is refused ("refused") once the
    clock reaches `at`, or never answers (None)."""

    def __init__(self, answers: str | None = None, at: float = 0.0):
        self.answers, self.at, self.closed = answers, at, False
        self.blocking = False

    def getsockopt(self, level, option) -> int:
        return errno.ECONNREFUSED if self.answers == "refused" else 0

    def setblocking(self, flag: bool) -> None:
        self.blocking = flag

    def close(self) -> None:
        self.closed = True


class _Network:
    """Stands in for the clock, the sockets and the selector dial uses: time passes only as dial waits, and each
    start and wait is recorded with the time it came at."""

    def __init__(self, monkeypatch, addresses: dict):
        self.now, self.addresses = 0.0, addresses
        self.started: list[tuple[str, float]] = []
        self.waits: list[float] = []
        monkeypatch.setattr(dial_module, "time", SimpleNamespace(monotonic=lambda: self.now))
        monkeypatch.setattr(dial_module, "selectors", SimpleNamespace(DefaultSelector=lambda: self,
                                                                      EVENT_WRITE=selectors.EVENT_WRITE))
        monkeypatch.setattr(dial_module, "_start", self._start)
        self.watched: list[_Address] = []

    def _start(self, info):
        self.started.append((info, self.now))
        address = self.addresses[info]
        if address == "fails":
            return None, OSError(errno.EAFNOSUPPORT, "Address family not supported by protocol")
        return address, None

    def register(self, sock, events) -> None:
        self.watched.append(sock)

    def unregister(self, sock) -> None:
        self.watched.remove(sock)

    def select(self, wait):
        assert len(self.waits) < 1000, "dial waits on and on"
        self.waits.append(wait)
        due = [sock for sock in self.watched if sock.answers is not None and sock.at <= self.now + wait]
        self.now = max([self.now + (0 if due else wait), *(sock.at for sock in due)])
        return [(SimpleNamespace(fileobj=sock), selectors.EVENT_WRITE) for sock in due]

    def close(self) -> None:
        pass

    def at(self, info) -> float:
        return next(t for started, t in self.started if started == info)


def test_addresses_that_never_answer_are_started_a_stagger_apart_and_the_try_ends_at_its_bound(monkeypatch):
    """Each next address waits its stagger (next_at = now + stagger turned next_at = now started all at once, the
    order of preference lost); the try gives up at its bound, not past it (now >= deadline given a second more, or
    the wait for the next start not cut at the deadline)."""
    net = _Network(monkeypatch, {"a": _Address(), "b": _Address(), "c": _Address()})
    with pytest.raises(TimeoutError, match="no address answered in 0.6 s"):
        dial(["a", "b", "c"], 0.6, stagger=0.25)
    assert [net.at(info) for info in "abc"] == [0.0, 0.25, 0.5]
    assert net.now == pytest.approx(0.6)
    assert all(address.closed for address in net.addresses.values())
    net = _Network(monkeypatch, {"a": _Address(), "b": _Address()})
    with pytest.raises(TimeoutError):
        dial(["a", "b"], 0.5, stagger=30.0)
    assert max(net.waits) == pytest.approx(0.5) and net.now == pytest.approx(0.5)


def test_an_address_that_fails_or_is_refused_lets_the_next_start_at_once(monkeypatch):
    """An address whose socket cannot be made (IPv6 turned off), or that is refused, starts the next at once: given
    its stagger after a failure, each one held the camera's try a quarter second more."""
    refused = _Address("refused", at=0.1)
    net = _Network(monkeypatch, {"v6": "fails", "a": refused, "b": _Address("yes", at=0.15)})
    won = dial(["v6", "a", "b"], 5.0, stagger=0.25)
    assert won is net.addresses["b"] and won.blocking and not won.closed
    assert [net.at(info) for info in ("v6", "a", "b")] == [0.0, 0.0, 0.1]
    assert refused.closed, "a refused address's socket is left open"


def test_the_first_address_to_connect_wins_and_the_others_started_are_closed(monkeypatch):
    net = _Network(monkeypatch, {"slow": _Address(), "fast": _Address("yes", at=0.3)})
    assert dial(["slow", "fast"], 5.0, stagger=0.25) is net.addresses["fast"]
    assert net.addresses["slow"].closed and not net.addresses["fast"].closed


def test_a_name_with_no_address_is_said_as_such_not_as_a_timeout():
    """dial of no address at all raises the error it starts with: turned into another, the camera said a host with
    no address as one that did not answer."""
    with pytest.raises(OSError, match="the host name has no address") as raised:
        dial([], 5.0)
    assert not isinstance(raised.value, TimeoutError)


# --- dialling real sockets ------------------------------------------------------------------------------------


def _made_sockets(monkeypatch) -> list[socket.socket]:
    made, real = [], socket.socket

    def recording(*args, **kwargs):
        sock = real(*args, **kwargs)
        made.append(sock)
        return sock

    monkeypatch.setattr(socket, "socket", recording)
    return made


def test_an_address_whose_connection_fails_as_it_starts_leaves_no_socket_open(monkeypatch):
    """A socket whose connect failed at once was closed before the next address was tried: left open, each try
    of a camera that cannot reach its server kept a file descriptor until the process ran out of them."""
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        made = _made_sockets(monkeypatch)
        bad = (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("255.255.255.255", port))  # unreachable at once
        with dial([bad, (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))], 5.0) as sock:
            assert sock.getpeername() == ("127.0.0.1", port)
    assert len(made) == 2 and made[0].fileno() == -1


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="connects over a Unix socket")
def test_a_connection_made_as_it_starts_is_taken(tmp_path):
    """Some connections are made at once, not in progress (connect_ex 0: a Unix socket, loopback on some systems):
    0 left out of the codes that are no failure, such an address was refused with 'Success'."""
    path = str(tmp_path / "serve.sock")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening:
        listening.bind(path)
        listening.listen(1)
        with dial([(socket.AF_UNIX, socket.SOCK_STREAM, 0, "", path)], 5.0) as sock:
            assert sock.getpeername() == path


# --- the lookup -------------------------------------------------------------------------------------------------


def test_a_lookup_for_another_port_of_the_same_host_is_a_new_one():
    """The lookup still running is reused only for the same host and port: reused for another port, it answered
    addresses that carry the first port."""
    release = threading.Event()

    def resolve(host, port, type):
        release.wait(30)
        return [(socket.AF_INET, type, 6, "", ("127.0.0.1", port))]

    lookup = Lookup(resolve)
    with pytest.raises(socket.gaierror):
        lookup.addresses("gpu.example", 8765, 0.01)
    release.set()
    assert lookup.addresses("gpu.example", 9000, 30.0)[0][4] == ("127.0.0.1", 9000)


def test_a_lookup_that_fails_other_than_by_the_network_raises_its_error():
    """A name the system's lookup cannot even encode (a label over 63 characters) fails with a UnicodeError, not an
    OSError: it is raised, not handed on as the name's addresses to be dialled."""
    def resolve(host, port, type):
        raise UnicodeError("label empty or too long")

    with pytest.raises(UnicodeError):
        Lookup(resolve).addresses("gpu.example", 8765, 30.0)


# --- the server's address ---------------------------------------------------------------------------------------


def test_an_address_ending_in_a_colon_goes_to_vcam_serves_port():
    """ws://gpu-box: (a port left off after its colon) is taken: the colon kept, it was dialled as gpu-box::8765,
    which no library reads."""
    check_url("ws://gpu-box:")
    assert dialled("ws://gpu-box:/?role=watch") == "ws://gpu-box:8765/?role=watch"


def test_an_address_given_without_its_scheme_but_with_its_slashes_names_the_one_to_give():
    """//gpu-box:9000 (ws: left off) was said with only the general form: the ws:// to give was ws:////gpu-box."""
    with pytest.raises(ValueError, match="is not a server address; use ws://gpu-box:9000$"):
        check_url("//gpu-box:9000")


@pytest.mark.parametrize("host", ["gpu\u00a0box", "gpu\u2003box"])
def test_a_host_holding_a_space_other_than_the_ascii_one_is_refused(host):
    """A no-break space (pasted from a chat or a document) is a space too: only ' ' checked, the address was looked
    up every few seconds, never found."""
    with pytest.raises(ValueError, match="holds a space, which no host name does"):
        check_url(f"ws://{host}:8765")


@pytest.mark.parametrize("host, fragment", [
    ("gpu..box", "'gpu..box' has an empty part between its dots"),
    (".gpu-box", "'.gpu-box' has an empty part between its dots"),
    ("gpu.box..", "has an empty part between its dots"),
    ("a" * 64 + ".example", "its part 'aaaaaaaaaaaaaaaaaaaaaaaa…' is 64 characters, at most 63"),
    ("\u00fc" * 60 + ".example", "characters in the xn-- form it is looked up by, at most 63"),
    ("gpu\x80box", "is no host name the lookup can take (Invalid character"),
])
def test_a_host_with_an_empty_or_overlong_part_is_refused_before_anything_opens(host, fragment):
    """A double dot (a typo), a dot at the start, or a part over 63 characters cannot even be encoded for the lookup:
    taken, every try of vcam cam failed with Python's own "UnicodeError: encoding with 'idna' codec failed" until
    --duration. The line names the part at fault (a part of 60 letters is over 63 in the form it is looked up by)."""
    with pytest.raises(ValueError, match=re.escape(fragment)):
        check_url(f"ws://{host}:8765")


@pytest.mark.parametrize("host, said", [("10.0.0.1.", "an address takes no final dot (10.0.0.1)"),
                                       ("127.1.", "an address takes no final dot (127.1)"),
                                       ("999.1.1.1.", "four numbers from 0 to 255")])
def test_an_ipv4_address_with_a_final_dot_is_refused_before_anything_opens(host, said):
    """The lookup takes 10.0.0.1. for a name, and finds none, every few seconds until --duration."""
    with pytest.raises(ValueError, match=re.escape(f"{host} is no IPv4 address: {said}")):
        check_url(f"ws://{host}:8765")


def test_a_user_name_without_a_password_is_refused_before_anything_opens():
    """The websockets library refuses such an address ("username provided without password") at every try."""
    with pytest.raises(ValueError, match=re.escape("'ws://vj@gpu-box:8765': a user name (vj@) goes with a password")):
        check_url("ws://vj@gpu-box:8765")
    check_url("wss://vj:secret@gpu-box:8765")


@pytest.mark.parametrize("host", ["a" * 63 + ".example", "gpu.box.", "[fe80::1%eth0]", "b\u00fccher.example",
                                  "my_gpu", "_srv._tcp.example", "GPU-BOX", "[::1]"])
def test_host_names_the_lookup_takes_are_let_through(host):
    """A full name's final dot, an IPv6 zone, an international name and the underscores of container names."""
    check_url(f"wss://{host}:8765")


# --- the token and the keepalive --------------------------------------------------------------------------------


def test_a_token_given_with_the_flag_is_used_over_the_environments():
    """--token is the one given for this run: VCAM_TOKEN read first, a server started with another --token than the
    shell's refused every camera."""
    assert proto.given_token(" flag-token ", {proto.TOKEN_ENV: "shell-token"}) == "flag-token"
    assert proto.given_token(None, {proto.TOKEN_ENV: "shell-token"}) == "shell-token"


def test_the_keepalive_gives_the_library_each_of_its_bounds_as_it_was_set():
    assert proto.Keepalive(every=5.0, timeout=7.0, close=3.0).options() == {
        "ping_interval": 5.0, "ping_timeout": 7.0, "close_timeout": 3.0}


# --- the server's answers ---------------------------------------------------------------------------------------


def _strict(message: str) -> dict:
    """A message as a strict JSON reader reads it: Infinity and NaN are no JSON."""
    def refuse(constant):
        raise ValueError(f"{constant} is no JSON")

    return json.loads(message, parse_constant=refuse)


@pytest.mark.parametrize("t", ["1e400", "-1e400", '"soon"', "true", "null"])
def test_a_ping_whose_time_is_no_finite_number_gets_a_pong_without_it(t):
    """Only a finite number is echoed: 1e400 came back as Infinity, which a camera's JSON reader refuses, and a
    string or true came back as the ping's time, a clock offset of nonsense."""
    pong = _strict(answers.answer(SimpleNamespace(), '{"type": "ping", "t": %s}' % t, None))
    assert pong["type"] == "pong" and pong["t"] is None


def test_a_ping_whose_time_is_a_number_gets_it_back():
    pong = _strict(answers.answer(SimpleNamespace(), '{"type": "ping", "t": 12.5}', None))
    assert pong["t"] == 12.5 and pong["acks"] is True and "block_s" not in pong


def test_a_pong_gives_the_usual_gap_between_blocks_to_the_millisecond():
    """A gap of 1.2345 s was given as 1 s (rounded to whole seconds): a camera read the stream as stalled early."""
    server = SimpleNamespace(block_gaps=SimpleNamespace(usual=lambda: 1.2345))
    pong = _strict(answers.answer(server, '{"type": "ping", "t": 1.0}', None))
    assert pong["block_s"] == pytest.approx(1.2345, abs=0.0006)


@pytest.mark.parametrize("seq", ["true", '"5"', "2.5", "-1", "null"])
def test_a_got_message_without_a_frames_number_is_answered_with_an_error_and_counts_for_no_frame(seq):
    """Only a whole number of 0 or more is a frame's: true was taken as frame 1, 2.5 as a frame between two, and a
    string failed the server's comparison with 0 on the connection's thread."""
    client = SimpleNamespace(acked=[])
    client.got = client.acked.append
    error = _strict(answers.answer(SimpleNamespace(), '{"type": "got", "seq": %s}' % seq, client))
    assert error == {"type": "error", "message": 'a got message needs the "seq" of a frame'}
    assert client.acked == []
    assert answers.answer(SimpleNamespace(), '{"type": "got", "seq": 0}', client) is None and client.acked == [0]


@pytest.mark.parametrize("latency, taken", [("0", 0.0), ("0.25", 0.25), ("3599.5", 3599.5), ("3600", None),
                                            ("-0.001", None), ('"0.5"', None), ("null", None), ("1e400", None)])
def test_a_stats_message_is_taken_from_no_latency_up_to_an_hour(latency, taken):
    """A camera's latency is 0 s or more and under MAX_LATENCY_S: 0 (a camera on the server's own machine) was
    refused, an hour taken, and a string failed the server's comparison with 0 on the connection's thread."""
    client = SimpleNamespace(latency=None)
    said = _strict(answers.answer(SimpleNamespace(), '{"type": "stats", "latency": %s}' % latency, client))
    if taken is None:
        assert said == {"type": "error", "message": 'a stats message needs a "latency" in seconds'}
        assert client.latency is None
    else:
        assert said == {"type": "ok"} and client.latency == taken and isinstance(client.latency, float)


# --- frames -----------------------------------------------------------------------------------------------------


def test_only_a_whole_generated_frames_header_gives_a_frame_number():
    header = proto.HEADER.pack(proto.MAGIC, 41, 3, 2, 12, 1.5, 64, 48)
    assert proto.frame_seq(header + b"jpeg") == 41
    assert proto.frame_seq(header[:-1]) is None  # cut inside its header: no number read past its end
    assert proto.frame_seq(proto.INPUT_HEADER.pack(proto.INPUT_MAGIC, 41, 0.0, 64, 48) + bytes(40)) is None


def _frame(width: int = 64, height: int = 48) -> bytes:
    picture = np.full((48, 64, 3), 120, np.uint8)
    return proto.encode_frame(picture, proto.FrameHeader(41, 3, 2, 12, 1.5, width, height))


def test_a_frame_without_the_generated_frames_magic_is_not_read_as_one():
    """A binary message that is not VCF1 (an input frame's VCI1 sent the wrong way) is no frame, whatever follows."""
    header, rgb = proto.decode_frame(_frame())
    assert (header.seq, header.block, header.index, header.count) == (41, 3, 2, 12) and rgb.shape == (48, 64, 3)
    with pytest.raises(proto.ProtocolError, match=f"^{proto.NOT_A_FRAME}$"):
        proto.decode_frame(proto.INPUT_MAGIC + _frame()[4:])


@pytest.mark.parametrize("width, height", [(0, 48), (64, 0), (64, MAX_SIDE + 1), (MAX_SIDE + 1, 48)])
def test_a_frame_claiming_no_picture_or_one_past_the_largest_side_says_the_size_it_claims(width, height):
    with pytest.raises(proto.ProtocolError, match=f"it claims {width}x{height}; a stream is at most {MAX_SIDE} a side"):
        proto.decode_frame(_frame(width, height))


# --- text messages ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("message, said", [
    ('{"type": "ping",', "not JSON (Expecting property name enclosed in double quotes)"),
    ("[" * 5000, "JSON nested too deeply"),
    ('{"type": "ping", "t": ' + "7" * 5000 + "}", "not JSON (exceeds the limit (4300 digits) for integer string "
                                                  "conversion)"),
    ('["ping"]', 'a message is a JSON object with a "type"'),
    ('{"type": 5}', 'a message is a JSON object with a "type"'),
    ('{"kind": "ping"}', 'a message is a JSON object with a "type"'),
])
def test_a_text_message_that_is_no_message_says_what_is_wrong_with_it(message, said):
    """Each is a ProtocolError the sender is told, not an error of Python's that ended its connection: an array
    failed on .get, a nesting past Python's recursion limit or an integer past its digits limit escaped the parse."""
    with pytest.raises(proto.ProtocolError) as raised:
        proto.parse_text(message)
    assert str(raised.value) == said


def test_a_message_of_the_clients_limit_is_read_and_one_past_it_is_said_too_long():
    message = '{"type": "ping", "pad": "%s"}'
    fits = message % ("x" * (proto.MAX_TEXT - len(message % "")))
    assert len(fits) == proto.MAX_TEXT and proto.parse_text(fits)["type"] == "ping"
    with pytest.raises(proto.ProtocolError, match=f"message too long \\({proto.MAX_TEXT + 1} characters, at most "
                                                  f"{proto.MAX_TEXT}\\)"):
        proto.parse_text(fits + " ")
    assert proto.parse_text(fits + " ", limit=proto.MAX_SERVER_TEXT)["type"] == "ping"


class _Show:
    """The server's side of a command: the lines it handled (with their source), what it said on its terminal."""

    def __init__(self, reply: str | None = "seed 3", refuse: Refused | None = None):
        self.handled: list[tuple[str, str]] = []
        self.said: list[str] = []
        self.stopped: list = []
        self.reply, self.refuse = reply, refuse
        self.intake = SimpleNamespace(ask=lambda client: "asked", stop=self.stopped.append)

    def handle_line(self, line: str, source: str) -> str | None:
        self.handled.append((line, source))
        if self.refuse is not None:
            raise self.refuse
        return self.reply

    def state(self) -> dict:
        return {"seed": 3}

    def say(self, line: str) -> None:
        self.said.append(line)


def _asking(role: str = "control") -> SimpleNamespace:
    """A client whose refusals' windows last the whole test: a line held back is held back however slow the machine."""
    return SimpleNamespace(name="laptop", role=role, refusals=ErrorThrottle(1e9, most=8),
                           asks_refused=ErrorThrottle(1e9))


def _command(show: _Show, client, **fields) -> dict:
    return _strict(answers.answer(show, json.dumps({"type": "command", **fields}), client))


def test_a_command_is_applied_under_its_clients_name_and_answered_with_its_reply_and_the_state():
    """Only "typed": true marks a line typed by hand (a truthy "yes" taken for it made a knob's failures said each
    time); a command with no reply is answered with an empty text, not null; the state a caller gives is the one
    sent."""
    show, client = _Show(), _asking()
    assert _command(show, client, line="seed 3") == {"type": "reply", "text": "seed 3", "state": {"seed": 3}}
    _command(show, client, line="seed 4", typed=True)
    _command(show, client, line="seed 5", typed="yes")
    assert show.handled == [("seed 3", "net laptop"), ("seed 4", "net laptop stdin"), ("seed 5", "net laptop")]
    show.reply = None
    said = _strict(answers.answer(show, json.dumps({"type": "command", "line": "freeze"}), client,
                                  state=lambda: {"seed": 9}))
    assert said == {"type": "reply", "text": "", "state": {"seed": 9}}


@pytest.mark.parametrize("line", [None, 5, ["seed 3"]])
def test_a_command_without_a_line_string_is_answered_with_an_error_and_applies_nothing(line):
    show = _Show()
    said = _command(show, _asking(), line=line)
    assert said == {"type": "error", "message": 'a command message needs a "line" string'} and show.handled == []


@pytest.mark.parametrize("role", ["watch", "viewer", "Control"])
def test_a_watcher_may_ask_the_status_and_nothing_else_and_the_operator_hears_of_the_rest(role):
    """Any role but control only watches: one of another name (a typo) steered the show, a line that does not
    parse was handed to the show, and any command at all passed as a status."""
    show, client = _Show(), _asking(role)
    assert _command(show, client, line="status")["type"] == "reply"
    for line in ("seed 3", "sed 3", "status status"):
        assert _command(show, client, line=line) == {"type": "error", "message": answers.WATCH_ONLY}
    assert show.handled == [("status", "net laptop")]
    assert show.said == ["client laptop was refused a command: it only watches (role=watch)"]


def test_a_command_the_show_refuses_tells_the_client_what_to_do_and_the_operator_what_it_asked():
    show = _Show(refuse=Refused("no such file on the server", "the file /home/show/x.png, outside its folders"))
    said = _command(show, _asking(), line="image x.png")
    assert said["type"] == "reply" and said["text"] == "error: no such file on the server"
    assert show.said == ["client laptop was refused the file /home/show/x.png, outside its folders"]


def test_a_clients_refusals_differing_only_in_their_numbers_are_said_once_then_counted():
    """A knob turned through a replayed show is refused a line for each value: keyed by its whole line, each was
    said. The input's refusals are keyed by their whole reason: another sender (cam2 after cam1) is said at once."""
    client, said = _asking(), []
    for value in ("0.41", "0.42"):
        answers.refused(client, f"'strength {value}' during a replay", said.append)
    for sender in ("cam1", "cam1", "cam2"):
        answers.refused_input(client, f"sending the input: another client ({sender}) is sending it", said.append)
    assert said == ["client laptop was refused 'strength 0.41' during a replay",
                    "client laptop was refused sending the input: another client (cam1) is sending it",
                    "client laptop was refused sending the input: another client (cam2) is sending it"]


def test_a_send_is_answered_by_the_intake_and_a_send_stop_stops_it_with_an_ok():
    show, client = _Show(), _asking()
    assert answers.answer(show, '{"type": "send"}', client) == "asked"
    assert _strict(answers.answer(show, '{"type": "send_stop"}', client)) == {"type": "ok"}
    assert show.stopped == [client]


def test_a_message_of_a_type_the_server_does_not_know_is_named_in_its_error():
    said = _strict(answers.answer(_Show(), '{"type": "sned"}', _asking()))
    assert said == {"type": "error", "message": "unknown message type 'sned'"}


@pytest.mark.parametrize("source, sender", [("net laptop", ("laptop", False)), ("net laptop stdin", ("laptop", True)),
                                            ("net mystdin", ("mystdin", False)), ("net", None), ("netbook", None),
                                            ("stdin", None), ("midi", None)])
def test_the_client_a_change_came_from_is_read_back_from_its_source(source, sender):
    """The uploads' own source is `net`, with no client: read as one named '', a failure on air went to no one."""
    assert answers.sender_of(source) == sender
    if sender is not None:
        assert answers.command_source(*sender) == source


def _input(captured_at: float = 2.5) -> bytes:
    return proto.encode_input(np.full((48, 64, 3), 120, np.uint8), 7, captured_at)


def test_an_input_frame_is_read_with_its_width_and_height_as_sent():
    header, rgb = proto.decode_input(_input(), (64, 48))
    assert (header.seq, header.captured_at, header.width, header.height) == (7, 2.5, 64, 48)
    assert rgb.shape == (48, 64, 3)


def test_an_input_frame_cut_inside_its_header_is_refused_as_no_input_frame():
    """Its magic alone passed for a header: the read past its end failed with struct's own error, which cut the
    sender off without the reason a broken frame gets."""
    with pytest.raises(proto.ProtocolError, match="not an input frame"):
        proto.decode_input(_input()[:proto.INPUT_HEADER.size - 1], (64, 48))


@pytest.mark.parametrize("captured_at", [float("nan"), float("inf"), float("-inf")])
def test_an_input_frame_without_a_finite_capture_time_is_refused(captured_at):
    """Refused with its reason: taken, -inf read as a frame as old as the input's frames may be, NaN as one of now."""
    with pytest.raises(proto.ProtocolError, match="an input frame without a capture time"):
        proto.decode_input(_input(captured_at), (64, 48))


def test_an_input_frame_whose_jpeg_names_its_size_then_another_is_refused_as_damaged():
    """Its first start-of-frame says the stream's size, a second the picture's own: the size read ahead agrees, and
    only the decoded picture's own size tells that it is another (unchecked, a 32x24 picture went on to the show
    in a 64x48 stream)."""
    small = proto.encode_input(np.full((24, 32, 3), 120, np.uint8), 7, 2.5)
    jpeg, i = small[proto.INPUT_HEADER.size:], 2
    while jpeg[i + 1] not in SOF:
        i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3])
    claim = bytearray(jpeg[i:i + 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3])])
    claim[5:9] = (48).to_bytes(2, "big") + (64).to_bytes(2, "big")
    crafted = jpeg[:i] + bytes(claim) + jpeg[i:]
    assert proto.jpeg_size(crafted) == (64, 48)
    with pytest.raises(proto.ProtocolError, match="a damaged input frame"):
        proto.decode_input(proto.INPUT_HEADER.pack(proto.INPUT_MAGIC, 7, 2.5, 64, 48) + crafted, (64, 48))


def test_only_data_that_starts_as_a_jpeg_gives_a_jpeg_size():
    """Data whose first marker is not a JPEG's start (FF D8) is no JPEG, whatever segments follow it."""
    jpeg = _input()[proto.INPUT_HEADER.size:]
    assert proto.jpeg_size(jpeg) == (64, 48)
    assert proto.jpeg_size(b"\xff\xd9" + jpeg[2:]) is None
    assert proto.jpeg_size(b"\x00\xd8" + jpeg[2:]) is None


def test_a_jpegs_size_is_read_past_markers_that_carry_no_length_and_not_past_a_byte_that_is_no_marker():
    """A marker with no length (TEM, a restart, an end of image) before the frame's size was read as one with a
    length, and the size never found: a frame that decodes was refused as damaged. A byte that is no marker where one
    must be ends the read."""
    frame = _input()
    header, jpeg = frame[:proto.INPUT_HEADER.size], frame[proto.INPUT_HEADER.size:]
    _, rgb = proto.decode_input(header + jpeg[:2] + b"\xff\x01\xff\xd3\xff\xd9" + jpeg[2:], (64, 48))
    assert rgb.shape == (48, 64, 3)
    assert proto.jpeg_size(jpeg[:2] + b"\x00" + jpeg[2:]) is None


def test_a_jpegs_size_on_the_wire_is_read_past_any_number_of_fill_bytes():
    """FFmpeg's decoder passes over any number of fill bytes before a marker; the walk of a picture file stops after
    a thousand steps, the wire's only at the frame's end."""
    jpeg = _input()[proto.INPUT_HEADER.size:]
    assert proto.jpeg_size(jpeg[:2] + b"\xff" * 5000 + jpeg[2:]) == (64, 48)


@pytest.mark.parametrize("segment", [b"\xff\xcc\x00\x04\x00\x00", b"\xff\xc4\x00\x02", b"\xff\xc8\x00\x02"])
def test_a_jpegs_size_is_read_past_the_segments_of_its_start_of_frame_range_that_give_none(segment):
    """A Huffman table (C4), an arithmetic coding one (CC) or the reserved C8 before the frame's size was read as the
    size: a frame that decodes was refused as damaged."""
    frame = _input()
    header, jpeg = frame[:proto.INPUT_HEADER.size], frame[proto.INPUT_HEADER.size:]
    _, rgb = proto.decode_input(header + jpeg[:2] + segment + jpeg[2:], (64, 48))
    assert rgb.shape == (48, 64, 3)
