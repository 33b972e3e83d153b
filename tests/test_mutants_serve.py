"""Edges of `vcam serve`'s serving side (who it lets in, where it listens, what each client is sent and when) that
no other test pinned: each test fails where the code is changed in the way its docstring says."""
import errno
import socket
import threading
import time

import pytest
from types import SimpleNamespace

from helpers import wait_for
from vcam.remote import listen as listen_module
from vcam.remote import protocol as proto
from vcam.remote.admission import Admission
from vcam.remote.inflight import GIVE_UP_S, STALE_S, InFlight
from vcam.remote.listen import Listener, advertise, capped_by_files, listen_fix, turn_away
from vcam.remote.served import ServedClient


# --- who is let in -------------------------------------------------------------------------------------------------


class _Connection:
    def __init__(self, address=("192.0.2.7", 52822)):
        self.remote_address = address
        self.socket = SimpleNamespace(fileno=lambda: 5)

    def respond(self, status, body):
        return SimpleNamespace(status=status, body=body)


def _admission(token=None, max_clients=16) -> tuple[Admission, list[str]]:
    said: list[str] = []
    settings = SimpleNamespace(token=token, max_clients=max_clients)
    return Admission(settings, said.append, threading.Lock(), threading.Event(), served=lambda: 0), said


def _handshake(**headers):
    return SimpleNamespace(path="/", headers={"Upgrade": "websocket", **headers})


def test_a_token_in_the_header_with_spaces_round_it_is_the_token():
    """A header written by hand (curl, a proxy's rule) may carry the token with a space more after "Bearer" or a
    space after it: without the strip that takes them off, the right token was refused as wrong."""
    admission, said = _admission(token="s3cret")
    assert admission.check(_Connection(), _handshake(Authorization="Bearer  s3cret ")) is None
    assert said == []


def test_a_connection_let_in_is_one_the_stop_gives_a_close_frame_until_its_handler_takes_it():
    """The stop shuts down every connection still in its handshake but those let in (their handler is about to say
    goodbye): let_in() turned empty cut such a camera, which then said the connection was lost, not the show ended."""
    admission, _ = _admission()
    ws = _Connection()
    assert admission.check(ws, _handshake()) is None
    assert admission.let_in() == [ws]
    assert admission.take(ws) == "192.0.2.7:52822"
    assert admission.let_in() == []


# --- where it listens ----------------------------------------------------------------------------------------------


def _addresses(monkeypatch, found):
    asked = []

    def addresses(ipv6=False, ipv4=True):
        asked.append(ipv6)
        return [a for a in found if ipv6 or ":" not in a]

    monkeypatch.setattr(listen_module, "machine_addresses", addresses)
    return asked


def test_serve_on_every_ipv4_address_names_no_ipv6_address_its_socket_does_not_take(monkeypatch):
    """--host 0.0.0.0 listens on IPv4 alone: asking for the machine's IPv6 addresses too (ipv6=":" in host turned
    True) advertised a vcam cam command for an address nothing listens on."""
    asked = _addresses(monkeypatch, ["2001:db8::5", "10.1.2.3"])
    lines = advertise("0.0.0.0", 8765, "s3cret")
    assert asked == [False]
    assert "vcam cam ws://10.1.2.3:8765 --token TOKEN" in lines[1] and "2001:db8" not in "\n".join(lines)


def test_a_machine_with_one_address_is_not_said_to_have_a_list_of_them(monkeypatch):
    """The other addresses are named only where there are others (len > 1 turned > 0 added "this machine's
    addresses: 10.1.2.3" after the command that names it already)."""
    _addresses(monkeypatch, ["10.1.2.3"])
    lines = advertise("0.0.0.0", 8765, None)
    assert lines[1] == "on the OBS machine: vcam cam ws://10.1.2.3:8765"


def test_what_token_to_give_is_said_once_in_the_advertised_commands(monkeypatch):
    """"(TOKEN: the one vcam serve was given)" follows the first command that names TOKEN, not each of them: with
    `which` not emptied after the machine's address, the cloud provider's line said it again."""
    _addresses(monkeypatch, ["10.1.2.3"])
    said = "\n".join(advertise("0.0.0.0", 8765, "s3cret"))
    assert said.count("(TOKEN: the one vcam serve was given)") == 1
    _addresses(monkeypatch, [])  # no address of its own: the provider's line says it
    lines = advertise("0.0.0.0", 8765, "s3cret")
    assert lines[-1].endswith("(TOKEN: the one vcam serve was given)")


def test_a_host_no_name_server_knows_is_said_as_such_where_the_resolvers_codes_are_positive():
    """macOS's and Windows' resolver codes (EAI_NONAME: 8, 11001) are positive, unlike Linux's: without the
    gaierror check a misspelled --host there was told to pick another --port."""
    fix = listen_fix(socket.gaierror(8, "nodename nor servname provided, or not known"), "vcam-gpu.lan", 8765)
    assert fix.startswith("--host takes an address of this machine")


def test_an_address_not_of_this_machine_is_answered_with_the_ones_that_are(monkeypatch):
    monkeypatch.setattr(listen_module, "machine_addresses", lambda ipv6=False: ["10.1.2.3", "192.168.5.6"])
    fix = listen_fix(OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"), "10.9.9.9", 8765)
    assert fix.endswith(", or one of 10.1.2.3, 192.168.5.6")


def test_a_port_refused_from_1024_up_is_not_said_to_need_root():
    """Ports below 1024 need root; 1024 does not (port < 1024 turned <= told the user to run as root or pick
    1024 or above, which it was)."""
    refused = OSError(errno.EACCES, "Permission denied")
    assert "need root" in listen_fix(refused, "127.0.0.1", 1023)
    assert "need root" not in listen_fix(refused, "127.0.0.1", 1024)


def test_a_low_port_already_in_use_is_said_as_in_use_not_as_needing_root():
    """Only a refusal (EACCES) of a port below 1024 is root's: without that check, port 80 taken by a web server
    (vcam serve run as root) was said to need root, not to be in use."""
    fix = listen_fix(OSError(errno.EADDRINUSE, "Address already in use"), "0.0.0.0", 80)
    assert "need root" not in fix and "stop the program that listens there" in fix


class _Taken:
    """A connection accept() hands over."""

    def __init__(self):
        self.closed = False
        self.shut = False

    def shutdown(self, how):
        self.shut = True

    def fileno(self):
        return -1 if self.closed else 7

    def close(self):
        self.closed = True


class _ListeningSocket:
    """A listening socket whose accept() gives what `comes` holds in turn: an error to raise, or a connection."""

    def __init__(self, *comes):
        self.comes = list(comes)

    def settimeout(self, seconds):
        pass

    def accept(self):
        come = self.comes.pop(0)
        if isinstance(come, BaseException):
            raise come
        return come, ("192.0.2.7", 52822)


@pytest.mark.parametrize("error", [TimeoutError(), OSError(errno.ECONNABORTED, "Software caused connection abort"),
                                   OSError(errno.EPROTO, "Protocol error")])
def test_an_accept_that_timed_out_or_whose_caller_left_takes_the_next_connection(error):
    """accept() waits RETRY_S at most, and a caller may leave before it is taken: neither ends the library's accept
    loop (continue turned raise, or the caller's errors left out of those taken again, left vcam serve deaf, the
    show going on with no camera able to connect), and neither is said."""
    said: list[str] = []
    taken = _Taken()
    listener = Listener(_ListeningSocket(error, taken), 4, said.append)
    assert listener.accept()[0] is taken
    assert said == [] and listener.open_now() == 1


def test_a_machine_short_of_files_is_left_a_moment_before_the_next_try(monkeypatch):
    """The connection that could not be taken still waits: tried again at once, it fails again, the accept loop
    spinning on a core while the show runs."""
    slept: list[float] = []
    monkeypatch.setattr(listen_module.time, "sleep", slept.append)
    said: list[str] = []
    taken = _Taken()
    listener = Listener(_ListeningSocket(OSError(errno.EMFILE, "Too many open files"), taken), 4, said.append)
    assert listener.accept()[0] is taken
    assert slept == [Listener.RETRY_S] and len(said) == 1 and "ulimit -n" in said[0]


def test_a_connection_that_comes_once_the_stop_began_is_closed_and_ends_the_accepts():
    """Taken after the stop read the connections to cut, its handshake would hold the stop up to the library's
    10 s: it is closed at once, and the library's accept loop told to end."""
    late = _Taken()
    listener = Listener(_ListeningSocket(late), 4, lambda line: None)
    listener.cut_unfinished(set())
    with pytest.raises(OSError) as raised:
        listener.accept()
    assert raised.value.errno == errno.EBADF and late.closed and listener.open_now() == 0


def test_the_stop_cuts_the_handshakes_not_finished_and_leaves_the_clients_their_close_frame():
    """A connection past its handshake (`keep`) gets its close frame saying the show ended; shut down with the
    handshakes (the keep check left out), its vcam cam said the connection was lost."""
    client, handshake = _Taken(), _Taken()
    listener = Listener(_ListeningSocket(client, handshake), 4, lambda line: None)
    listener.accept()
    listener.accept()
    listener.cut_unfinished({client})
    assert handshake.shut and not client.shut


def test_a_file_limit_that_holds_exactly_max_clients_says_no_fewer_clients(monkeypatch):
    """Connections capped to 16 by the open-file limit, with --max-clients 16: every client still fits, so the line
    says the connections' cap alone (allowed < max_clients turned <= added "so at most 16 clients, not 16")."""
    monkeypatch.setattr(listen_module, "open_file_limit", lambda: (32 + 3 * 16, 0))
    allowed, line = capped_by_files(64, 16)
    assert allowed == 16 and line is not None and "clients" not in line
    monkeypatch.setattr(listen_module, "open_file_limit", lambda: (32 + 3 * 15, 0))
    assert "; so at most 15 clients, not 16;" in capped_by_files(64, 16)[1]


def test_the_open_file_limit_to_raise_to_is_the_power_of_two_that_holds_the_connections(monkeypatch):
    """8192 files hold 7968 open, the 32 kept and 64 connections of 3 exactly: the line asks for 8192, not twice
    that ((needed - 1).bit_length() turned needed.bit_length())."""
    monkeypatch.setattr(listen_module, "open_file_limit", lambda: (8000, 8192 - 32 - 3 * 64))
    line = capped_by_files(64, 16)[1]
    assert line.endswith("run ulimit -n 8192 before vcam serve to raise it")


def test_a_connection_turned_away_is_answered_and_closed():
    """Each one of a flood past the cap is closed once answered: left open, each held a file, and a flood brought
    the process to the open-file limit the cap is there to keep it from."""
    caller, turned = socket.socketpair()
    with caller:
        caller.settimeout(30)
        caller.sendall(b"GET / HTTP/1.1\r\nHost: vcam\r\n\r\n")
        turn_away(turned, 64, 5.0)
        answer = b""
        while chunk := caller.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 503") and turned.fileno() == -1


def test_the_stop_keeps_a_connection_let_in_but_not_served_yet_from_its_cut():
    """A camera let in as the stop began is between its handshake and its handler, which says the show ended: its
    socket is among those the stop's cut passes over (the let-in ones left out, it was cut and said connection
    lost)."""
    from vcam.remote.server import FrameServer, ServeSettings

    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, lambda line: None)
    server._server = SimpleNamespace(connections=[])
    ws = _Connection()
    ws.socket = _Taken()
    assert server.admission.check(ws, _handshake()) is None
    assert server._past_handshake() == {ws.socket}


# --- what one client is sent ---------------------------------------------------------------------------------------


class _HeldSocket:
    """A connection whose writes wait until released: a client that stopped reading."""

    def __init__(self):
        self.gate = threading.Event()
        self.writing = threading.Event()
        self.sent: list = []

    def send(self, message):
        self.writing.set()
        assert self.gate.wait(60), "the test never let the message through"
        self.sent.append(message)


def _behind() -> tuple[ServedClient, _HeldSocket]:
    """A client whose sender is blocked writing its first message, and REPLIES_WAITING replies waiting behind it."""
    ws = _HeldSocket()
    client = ServedClient(ws, "control", "slow")
    client.offer(b"frame in flight")
    assert ws.writing.wait(60)
    for i in range(ServedClient.REPLIES_WAITING):
        client.offer(proto.text("reply", text=f"r{i}"))
    return client, ws


def _offer_in_thread(client: ServedClient, message: str) -> threading.Thread:
    thread = threading.Thread(target=client.offer, args=(message,), daemon=True)
    thread.start()
    return thread


def test_a_reply_past_the_ones_waiting_waits_for_room_and_goes_once_there_is():
    """REPLIES_WAITING is how many wait, not one fewer: the next reply's reader waits (>= turned > let one more in),
    and goes on once the client reads again, its reply sent after the others."""
    client, ws = _behind()
    try:
        late = _offer_in_thread(client, proto.text("reply", text="late"))
        late.join(0.5)
        assert late.is_alive()  # held: the client reads nothing
        ws.gate.set()
        late.join(60)
        assert not late.is_alive()
        assert wait_for(lambda: len(ws.sent) == 1 + ServedClient.REPLIES_WAITING + 1, 60)
        assert ws.sent[-1] == proto.text("reply", text="late")
    finally:
        ws.gate.set()
        client.close()


def test_a_reply_waiting_for_room_is_let_go_when_its_client_is_closed():
    """A client that stopped reading is cut: its handler, waiting to queue a reply, must go on to clean up (without
    the closed check in its wait, it waited for ever and the client's threads with it)."""
    client, ws = _behind()
    try:
        late = _offer_in_thread(client, proto.text("reply", text="late"))
        late.join(0.2)
        client.close()
        late.join(60)
        assert not late.is_alive()
    finally:
        ws.gate.set()
        client.close()


def test_a_reply_whose_state_was_read_before_the_newest_state_is_followed_by_that_newest_one():
    """The newest state offered is the one of the highest read, kept as reads come (read > newest turned < kept the
    first for good): a reply whose state was read between two rounds was then the last state the camera mirrored."""
    ws = _HeldSocket()
    client = ServedClient(ws, "control", "tablet")
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)
        client.offer_state(proto.text("state", strength=0.1), read=1)
        client.offer_state(proto.text("state", strength=0.8), read=3)
        client.offer(proto.text("reply", text="ok", state={"strength": 0.3}), state_read=2)
        ws.gate.set()
        assert wait_for(lambda: len(ws.sent) == 3, 60)
        assert ws.sent[1:] == [proto.text("reply", text="ok", state={"strength": 0.3}),
                               proto.text("state", strength=0.8)]
    finally:
        ws.gate.set()
        client.close()


def test_messages_told_to_a_client_stop_being_queued_at_replies_waiting():
    """The show's messages to a client that reads nothing are dropped once REPLIES_WAITING wait, not one later
    (>= turned >)."""
    ws = _HeldSocket()
    client = ServedClient(ws, "control", "asleep")
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)
        told = [client.tell(proto.text("notice", text=f"n{i}")) for i in range(ServedClient.REPLIES_WAITING + 1)]
        assert told == [True] * ServedClient.REPLIES_WAITING + [False]
    finally:
        ws.gate.set()
        client.close()


def test_messages_told_while_a_client_is_answered_are_bounded_too():
    """What is told while a client's message is answered waits apart until the answer is queued, and counts against
    REPLIES_WAITING: left out of the count, a show saying line after line during one answer grew it without
    bound."""
    ws = _HeldSocket()
    client = ServedClient(ws, "control", "tablet")
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)
        with client.answering():
            told = [client.tell(proto.text("notice", text=f"n{i}")) for i in range(ServedClient.REPLIES_WAITING + 5)]
        assert told.count(True) == ServedClient.REPLIES_WAITING - 1  # one room kept for the answer's reply
    finally:
        ws.gate.set()
        client.close()


def test_a_second_reply_of_one_answer_never_waits_for_that_answer_to_end():
    """The place kept for an answer's reply went to its first: told full after it, a second reply of the same answer
    waited for the told ones to be queued, which only the end of that answer (on the same thread) does: it hung
    until the client closed. It waits for the client to read, and goes then, the answer still made."""
    ws = _HeldSocket()
    client = ServedClient(ws, "control", "tablet")
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)
        with client.answering():
            client.offer(proto.text("reply", text="one"))
            told = [client.tell(proto.text("notice", text=f"n{i}")) for i in range(ServedClient.REPLIES_WAITING + 5)]
            assert client.messages_held() == ServedClient.REPLIES_WAITING
            second = _offer_in_thread(client, proto.text("reply", text="two"))
            ws.gate.set()
            second.join(60)
            assert not second.is_alive()
            assert client.messages_held() <= ServedClient.REPLIES_WAITING
        assert told.count(True) + 1 == ServedClient.REPLIES_WAITING
    finally:
        ws.gate.set()
        client.close()


def test_a_reply_queued_during_its_answer_leaves_the_told_ones_the_whole_bound():
    """The place kept for an answer's reply stayed kept once the reply was queued, the reply counted twice: the show's
    messages told meanwhile were dropped one before the bound."""
    ws = _HeldSocket()
    client = ServedClient(ws, "control", "tablet")
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)
        with client.answering():
            client.offer(proto.text("reply", text="one"))
            told = [client.tell(proto.text("notice", text=f"n{i}")) for i in range(ServedClient.REPLIES_WAITING + 5)]
        assert told.count(True) + 1 == ServedClient.REPLIES_WAITING
        assert client.messages_held() == ServedClient.REPLIES_WAITING
    finally:
        ws.gate.set()
        client.close()


def test_a_reply_and_what_is_told_while_it_is_made_are_one_count_bounded_by_replies_waiting():
    """The reader waited on the replies queued alone while the show's messages were dropped on those and the ones
    told meanwhile: told up to the bound during an answer, the reply went in past it (a crowd held 140 messages
    where 114 is the most). The reply goes at once all the same: the room it waits for is kept for it."""
    ws = _HeldSocket()
    client = ServedClient(ws, "control", "tablet")
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)
        with client.answering():
            told = [client.tell(proto.text("notice", text=f"n{i}")) for i in range(ServedClient.REPLIES_WAITING + 5)]
            reply = _offer_in_thread(client, proto.text("reply", text="ok"))
            reply.join(60)
            assert not reply.is_alive()  # never waits on the told ones, which go only once it is queued
        assert told.count(True) + 1 == ServedClient.REPLIES_WAITING
        assert client.messages_held() == ServedClient.REPLIES_WAITING
        ws.gate.set()
        assert wait_for(lambda: len(ws.sent) == 1 + ServedClient.REPLIES_WAITING, 60)
        assert ws.sent[1] == proto.text("reply", text="ok") and ws.sent[2] == proto.text("notice", text="n0")
    finally:
        ws.gate.set()
        client.close()


def test_a_notice_told_during_one_answer_is_sent_once_not_again_after_the_next():
    """What was told meanwhile goes once, after its answer: left in its list (its clear left out), every later
    answer sent it again, and counted it against REPLIES_WAITING for good."""
    ws = _HeldSocket()
    ws.gate.set()
    client = ServedClient(ws, "control", "tablet")
    try:
        with client.answering():
            client.tell(proto.text("notice", text="not applied"))
            client.offer(proto.text("reply", text="first"))
        with client.answering():
            client.offer(proto.text("reply", text="second"))
        assert client.sent_texts(time.monotonic() + 60)
        assert ws.sent == [proto.text("reply", text="first"), proto.text("notice", text="not applied"),
                           proto.text("reply", text="second")]
    finally:
        client.close()


def test_the_count_of_a_clients_refused_asks_for_the_input_is_said_with_its_other_counts():
    """A client refused the input asks again every few seconds: said once, then counted; that count is among what
    the server says of it (held_back), where it was left out and never said."""
    client = ServedClient(_HeldSocket(), "control", "10.0.0.2:5000")
    try:
        for t in range(3):
            client.asks_refused.admit(("busy",), "10.0.0.2:5000 refused the input: another client sends", float(t))
        assert [line for line in client.held_back() if "refused the input" in line]
    finally:
        client.close()


def test_what_a_client_was_sent_is_counted_for_the_servers_bandwidth():
    ws = _HeldSocket()
    ws.gate.set()
    client = ServedClient(ws, "watch", "laptop")
    try:
        client.offer(b"x" * 1000)
        client.offer(proto.text("reply", text="ok"))
        assert wait_for(lambda: client.bytes == 1000 + len(proto.text("reply", text="ok")), 60), client.bytes
    finally:
        client.close()


def test_a_client_whose_connection_failed_under_a_write_is_closed():
    """Closed, it takes no more messages, and the stop waits for none of them to go: left open, the show's messages
    queued for a connection gone, and the stop waited its whole bound for a last state that never went."""
    class Gone:
        def send(self, message):
            raise ConnectionResetError("Connection reset by peer")

    client = ServedClient(Gone(), "watch", "laptop")
    try:
        client.offer(b"frame")
        assert wait_for(lambda: client.closed, 60)
        assert not client.tell(proto.text("notice", text="not applied"))
    finally:
        client.close()


def test_a_closed_client_is_sent_nothing_more_of_what_waited():
    """Its close frame comes next (the stop's goodbye): without the closed check after the wait, the sender sent the
    frames still waiting, and one with nothing waiting died on an empty queue with a traceback."""
    ws = _HeldSocket()
    client = ServedClient(ws, "watch", "laptop")
    client.offer(b"frame in flight")
    assert ws.writing.wait(60)
    client.offer(b"waiting 1")
    client.offer(b"waiting 2")
    client.close()
    ws.gate.set()
    client._thread.join(60)
    assert not client._thread.is_alive() and ws.sent == [b"frame in flight"]


def test_frames_that_all_waited_too_long_leave_the_newest_to_go():
    """Only frames with a newer one behind them are dropped for their age: where every frame waiting is older than
    FRAME_WAIT_S (a slow link as the show paused), the newest still goes, and the sender goes on (dropping them
    all, it died on the empty queue and the camera got no frame again while connected)."""
    now = [0.0]
    ws = _HeldSocket()
    client = ServedClient(ws, "watch", "hotel", clock=lambda: now[0])
    try:
        client.offer(b"frame in flight")
        assert ws.writing.wait(60)
        client.offer(b"old")
        client.offer(b"newest")
        now[0] = ServedClient.FRAME_WAIT_S + 1.0
        ws.gate.set()
        assert wait_for(lambda: len(ws.sent) == 2, 60)
        assert ws.sent == [b"frame in flight", b"newest"] and client.dropped == 1
        client.offer(b"after")
        assert wait_for(lambda: len(ws.sent) == 3, 60)
    finally:
        ws.gate.set()
        client.close()


# --- how many frames may be on the way -----------------------------------------------------------------------------


def _paced(gap: float) -> tuple[InFlight, float]:
    """A link that carried 100 kB/s (its window 100 kB, a probe's 10 kB), idle for `gap` since its last answer."""
    flight, now = InFlight(), 0.0
    for seq in range(30):  # times a float holds exactly: the gap is as given
        flight.sent(seq, 12_500, now)
        now += 0.125
        flight.got(seq, now)
    return flight, now + gap


def _may_go(flight: InFlight, now: float, size: int = 9_000, first_seq: int = 100) -> int:
    """How many frames of `size` go at `now` before the window is full."""
    n = 0
    while flight.may_send(now) and n < 1000:
        flight.sent(first_seq + n, size, now)
        n += 1
    return n


def test_a_stream_whose_blocks_come_a_second_apart_pays_no_check_of_the_links_rate():
    """Only a rate older than STALE_S is checked by a probe: `now - last > STALE_S` turned `> 0` held the first
    frames of every block to a tenth of the window until an answer came back."""
    flight, now = _paced(1.0)
    assert _may_go(flight, now) == 11  # 99 kB on the way with the last


def test_a_rate_exactly_as_old_as_the_stale_bound_is_not_checked_yet():
    flight, now = _paced(STALE_S)
    assert _may_go(flight, now) == 11
    flight, now = _paced(STALE_S + 0.01)  # past it: one frame, then its answer
    assert _may_go(flight, now) == 1


def test_frames_let_go_before_a_camera_first_says_what_it_got_leave_no_bytes_on_the_way():
    """A camera whose first "got" comes after GIVE_UP_S (a slow start) had the frames let go meanwhile still
    counted as on the way, for good (their bytes not taken off): from then on one frame went at a time."""
    flight = InFlight()
    for seq in range(30):  # a frame of 4 kB a second, none said got
        flight.sent(seq, 4_000, float(seq))
    flight.got(29, 30.5)  # its rate under the first window: that window holds
    assert _may_go(flight, 31.0, size=4_000) == 4


def test_frames_given_up_on_leave_no_bytes_on_the_way():
    """A camera that stopped answering for GIVE_UP_S has the frames on the way let go, their bytes with them: left
    counted, the window stayed full once it answered again, and its frames went one at a time for good."""
    flight, now = _paced(0.0)
    assert _may_go(flight, now) == 11  # the window full, and no answer comes
    now += GIVE_UP_S + 0.5
    assert flight.may_send(now)  # given up on
    flight.sent(200, 9_000, now)  # the first after the pause: its answer checks the rate
    now += 0.125
    flight.got(200, now)
    assert _may_go(flight, now, first_seq=300) >= 9  # about the rate kept; left counted, 1


@pytest.mark.parametrize("stall_timeout, looks_every", [(20.0, 1.0), (2.0, 0.5)])
def test_the_server_looks_for_clients_that_stopped_reading_every_second_at_most(stall_timeout, looks_every):
    """A client whose write waited past the stall timeout is cut by the watch, which looks once a second (a quarter of
    that timeout where it is shorter): looking once each timeout, such a client held its threads up to twice as long,
    and the counts held back were said up to 20 s late."""
    from vcam.remote.server import FrameServer, ServeSettings

    server = FrameServer(ServeSettings(port=0, stall_timeout=stall_timeout), lambda line, source: "ok", dict,
                         lambda line: None)
    waited: list[float] = []
    server._stopped = SimpleNamespace(wait=lambda seconds: waited.append(seconds) or len(waited) > 1)
    server._watch_loop()
    assert waited == [looks_every, looks_every]


def test_the_watch_says_and_cuts_a_client_that_stopped_reading_once_not_each_second_until_it_is_gone():
    """A client cut for a write that waited past the stall timeout stays in the list until its handler removes it,
    its write perhaps still not returned: the watch passes over it (closed), where it said "stopped reading" and cut
    it again each second."""
    from vcam.remote.server import FrameServer, ServeSettings

    said: list[str] = []
    server = FrameServer(ServeSettings(port=0, stall_timeout=2.0), lambda line, source: "ok", dict, said.append)
    cut: list[str] = []

    def stuck(name: str, closed: bool):
        return SimpleNamespace(name=name, closed=closed, sending_for=lambda now: 60.0, cut=lambda: cut.append(name),
                               held_back=lambda now: [], tell_held_back=lambda now: None)

    server.clients += [stuck("10.0.0.2:5000", closed=True), stuck("10.0.0.3:5000", closed=False)]
    waited: list[float] = []
    server._stopped = SimpleNamespace(wait=lambda seconds: waited.append(seconds) or len(waited) > 1)
    server._watch_loop()
    assert cut == ["10.0.0.3:5000"]
    assert said == ["client 10.0.0.3:5000 stopped reading (a write waited 2 s): disconnected it"]


def test_the_watch_tells_each_client_its_changes_not_applied_held_back_as_their_minute_passes():
    from vcam.remote.server import FrameServer, ServeSettings

    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, lambda line: None)
    told: list[float] = []
    server.clients.append(SimpleNamespace(name="10.0.0.2:5000", closed=False, sending_for=lambda now: 0.0,
                                          held_back=lambda now: [], tell_held_back=told.append))
    waited: list[float] = []
    server._stopped = SimpleNamespace(wait=lambda seconds: waited.append(seconds) or len(waited) > 1)
    server._watch_loop()
    assert len(told) == 1 and told[0] is not None  # with the time: only the counts whose minute passed


class _Handshake:
    """A connection the library hands the server's handler: let in, open, silent, then closed by its camera."""

    def __init__(self, path: str):
        from websockets.protocol import State

        self.request = SimpleNamespace(path=path)
        self.protocol = SimpleNamespace(state=State.OPEN)
        self.remote_address = ("192.0.2.7", 52822)
        self.socket = _Taken()
        self.sent: list = []

    def respond(self, status, body):
        return SimpleNamespace(status=status, body=body)

    def recv(self, timeout=None):
        raise TimeoutError

    def __iter__(self):
        return iter(())

    def send(self, message):
        self.sent.append(message)


@pytest.mark.parametrize("path", ["/?role=viewer", "/?role=%1b%5b2J%1b%5bH"])
def test_a_client_asking_a_role_vcam_does_not_have_is_served_and_named_as_one_that_watches(path):
    """A role other than control watches, and the terminal names it so: named as asked, a role in the address could
    write escapes to the server's terminal (clear its screen), and "viewer" read as a role vcam has."""
    from vcam.remote.server import FrameServer, ServeSettings

    said: list[str] = []
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, said.append)
    ws = _Handshake(path)
    assert server.admission.check(ws, _handshake()) is None
    server._handler(ws)
    assert said[0] == "client 192.0.2.7:52822 connected (watch); 1 connected", said


def test_a_connection_closed_before_its_handler_began_is_neither_served_nor_said():
    """A port scanner or a health check connects and closes at once: its handler finds it closed and says nothing
    (served all the same, each made two lines on the terminal, "connected" and "connected and left at once")."""
    from websockets.protocol import State

    from vcam.remote.server import FrameServer, ServeSettings

    said: list[str] = []
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, said.append)
    ws = _Handshake("/")
    assert server.admission.check(ws, _handshake()) is None
    ws.protocol.state = State.CLOSED
    server._handler(ws)
    assert said == [] and server.clients == [] and server.places_taken() == 0


def test_a_connection_that_closes_within_a_moment_of_its_handshake_is_said_in_one_line():
    """The handler waits up to QUIET_S for a client's first message before it says the client connected: a health
    check whose close comes a few milliseconds after its handshake is one line, "connected and left at once", not
    "connected" then "left"."""
    from websockets.exceptions import ConnectionClosedOK
    from websockets.frames import Close

    from vcam.remote.server import FrameServer, ServeSettings

    class Checked(_Handshake):
        def recv(self, timeout=None):
            if timeout is not None and timeout < 0.05:  # its close is on the way, not here yet
                raise TimeoutError
            raise ConnectionClosedOK(Close(1000, ""), Close(1000, ""), True)

        def __iter__(self):
            self.recv()
            return iter(())

    said: list[str] = []
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, said.append)
    ws = Checked("/")
    assert server.admission.check(ws, _handshake()) is None
    server._handler(ws)
    assert said == ["client 192.0.2.7:52822 connected and left at once; 0 connected"], said


def test_the_servers_status_line_counts_the_bytes_of_clients_gone_and_shows_the_worst_latency():
    """Bytes sent to a client that left stay in the total the bandwidth is read from (dropped, the figure fell to
    nothing as a client left); the latency shown is the worst client's; the rate is in megabits."""
    from vcam.remote.server import FrameServer, ServeSettings

    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, lambda line: None)
    totals: list[int] = []
    server._sent = SimpleNamespace(add=lambda now, total: totals.append(total) or 125_000.0)
    clients = [ServedClient(_HeldSocket(), "watch", f"10.0.0.{i}:5000") for i in (2, 3, 4)]
    for client, (sent, latency) in zip(clients, [(1000, 0.4), (2000, 1.2), (500, None)]):
        client.bytes, client.latency = sent, latency
    server.clients += clients
    try:
        server._gone(clients[2], "left")
        line = server.describe()
    finally:
        for client in clients:
            client.close()
    assert totals == [3500]
    assert line.startswith("clients 2 |  1.00 Mbit/s |") and "| latency 1.2 s" in line


def test_the_senders_leaving_at_the_stop_is_not_said_as_its_input_freed_for_another():
    """At the stop no other client is coming: "the input it sent is free for another client" read as if one could
    take it."""
    from vcam.remote.server import FrameServer, ServeSettings

    said: list[str] = []
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, said.append)
    client = ServedClient(_HeldSocket(), "control", "10.0.0.2:5000")
    server.clients.append(client)
    server.intake.sender = client
    server._stopped.set()
    server._gone(client, "was told the show ended")
    assert said == ["client 10.0.0.2:5000 was told the show ended; 0 connected"], said


# --- vcam cam's feed -----------------------------------------------------------------------------------------------


def _link():
    """A link that never connects: the feed's own reading of it is what is tested."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), print)
    link.start = lambda: None
    return link


def test_vcam_cam_waits_for_its_first_frame_from_when_it_starts_not_from_when_it_was_made():
    """--duration's bound on the wait for a first frame counts from the start (a feed made, then started after the
    outputs opened: a camera, a recording's file): counted from its making, it gave up that much sooner."""
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    now = [1000.0]
    feed = LinkFeed(link, 30.0, first_frame_wait=600.0, clock=lambda: now[0])
    now[0] += 100.0
    feed.start()
    now[0] += 599.0
    assert not feed.poll(PacerStats()) and not feed.gave_up
    now[0] += 1.0
    assert feed.poll(PacerStats()) and feed.gave_up


# --- the server's stop ---------------------------------------------------------------------------------------------


class _Camera:
    """A client's connection as the server's stop uses it: what it was sent, its close, and its socket's shutdown."""

    def __init__(self):
        self.sent: list = []
        self.closed_with = None
        self.socket = _Taken()

    def send(self, message):
        self.sent.append(message)

    def close(self, code=1000, reason=""):
        self.closed_with = (code, reason)


def test_the_stop_tells_each_client_its_changes_not_applied_held_back_then_closes_and_cuts_it():
    """At the stop, the count of a client's changes that failed on air and were held back is told to it (no watch
    says it after), before its close frame; and its socket is shut under a write that may still block."""
    from vcam.remote.server import FrameServer, ServeSettings

    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: {"screen": "live"},
                         lambda line: None)
    ws = _Camera()
    client = ServedClient(ws, "control", "10.0.0.2:5000", clock=lambda: 0.0)
    server.clients.append(client)
    line = "'blend 1 2 0.5': control not applied (RuntimeError: boom)"
    for _ in range(3):
        client.not_applied(line, ("blend",), typed=False)  # said once, then held back
    server.stop()
    notices = [m for m in ws.sent if isinstance(m, str) and '"notice"' in m]
    assert notices == [proto.text("notice", text=line), proto.text("notice", text=f"2 more like it: {line}")]
    assert ws.closed_with == (proto.GOING_AWAY, proto.STOPPED) and ws.socket.shut


def test_vcam_cams_status_line_shows_the_bandwidth_of_the_camera_it_sends():
    """The upload's rate is read from the sender's byte count on each poll: left unread, the line said "up 0 KB/s"
    while the camera went out at 100 KB/s."""
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    link.uploader = SimpleNamespace(bytes_sent=0, state="sending", age=0.25)
    now = [100.0]
    feed = LinkFeed(link, clock=lambda: now[0])
    feed.poll(PacerStats())
    now[0], link.uploader.bytes_sent = 102.0, 200 * 1024
    feed.poll(PacerStats())
    assert feed.status(PacerStats(), 12.0, []).endswith("up  100 KB/s | input 0.25 s old")


def test_vcam_cam_reports_its_latency_to_the_server_only_once_frames_came():
    """Connected but with no frame yet (a server loading its model), vcam cam has no latency to report: sent all the
    same, the server's status line showed one for a camera that showed nothing; and the first report after the first
    frame comes at once, not STATS_EVERY_S after the one skipped."""
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    reported: list[float] = []
    link.send_stats = reported.append
    link.connected, link.frames = True, 0
    now = [100.0]
    feed = LinkFeed(link, clock=lambda: now[0])
    feed.poll(PacerStats())
    assert reported == []
    now[0] += 0.5
    link.frames, link.net_latency = 12, 0.25
    feed.poll(PacerStats(latency=0.5))
    assert reported == [0.75]  # the network's part and the camera's own
    now[0] += 0.5
    feed.poll(PacerStats(latency=0.5))
    assert reported == [0.75]  # one report each STATS_EVERY_S, not one each poll
    now[0] += LinkFeed.STATS_EVERY_S
    feed.poll(PacerStats(latency=0.5))
    assert reported == [0.75, 0.75]


def test_vcam_cam_ends_its_show_once_the_server_refused_it_for_good():
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    feed = LinkFeed(link, clock=lambda: 100.0)
    assert not feed.poll(PacerStats())
    link.refused = "wrong or missing token"
    assert feed.poll(PacerStats())


def test_a_stall_long_after_the_ones_that_kept_coming_back_is_said_with_its_end_again():
    """Stalls that keep coming back are said once as such; one long after them is a stall of its own again, said
    with its end (the flag for the ones that came back left set, its end went unsaid, and so did the next run of
    them)."""
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import STALLS_APART_S, LinkFeed

    said: list[str] = []
    link = _link()
    link.say = said.append
    link.connected, link.frames = True, 30
    now = [100.0]
    feed = LinkFeed(link, clock=lambda: now[0])
    flowing, stalled = PacerStats(pushed=30), PacerStats(pushed=30, stalled=True)
    for _ in range(3):
        feed.poll(stalled)
        now[0] += 6.0
        feed.poll(flowing)
        now[0] += 1.0
    assert said[-1].startswith("frames from the server keep stopping"), said
    now[0] += STALLS_APART_S
    feed.poll(stalled)
    now[0] += 6.0
    feed.poll(flowing)
    assert said[-2].startswith("no frame from the server for 5 s") and said[-1] == "frames come from the server again"


@pytest.mark.parametrize("connection, state", [
    (dict(frames=0, tries=0), "CONNECTING"),
    (dict(frames=0, tries=1), "CONNECTING (1 try failed)"),
    (dict(frames=40, tries=2), "RECONNECTING (2 tries failed)"),
    (dict(frames=40, tries=2, token_refused=True), "TOKEN REFUSED, RETRYING"),
])
def test_vcam_cams_status_line_says_where_its_connection_stands_while_it_has_none(connection, state):
    """A camera that never had a frame is connecting, one that had frames reconnecting, with the tries that failed;
    one whose token a restarted server refused says so (not "reconnecting", as if the server were down)."""
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    for name, value in connection.items():
        setattr(link, name, value)
    feed = LinkFeed(link, clock=lambda: 100.0)
    assert feed.status(PacerStats(), 0.0, []).startswith(state + " | ")


def test_vcam_cams_status_line_shows_no_latency_while_it_has_no_connection():
    """The last connection's latency stayed on the status line through a reconnect, read as the link's now."""
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    link.frames, link.tries, link.net_latency = 40, 2, 1.0
    feed = LinkFeed(link, clock=lambda: 100.0)
    line = feed.status(PacerStats(latency=0.5), 0.0, [])
    assert line.startswith("RECONNECTING") and "| latency - |" in line, line
    link.connected = True
    assert "| latency  1.5 s |" in feed.status(PacerStats(latency=0.5), 0.0, [])
    link._frames_at = 40  # connected again, no frame of this connection yet
    line = feed.status(PacerStats(latency=0.5), 0.0, [])
    assert line.startswith("CONNECTED, WAITING FOR FRAMES") and "| latency - |" in line, line


def test_vcam_cams_status_line_shows_the_whole_latency_every_frame_lost_and_an_input_not_sending():
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    link.connected, link.frames, link.net_latency = True, 40, 1.0
    link.uploader = SimpleNamespace(bytes_sent=0, state="paused", age=None)
    feed = LinkFeed(link, clock=lambda: 100.0)
    line = feed.status(PacerStats(latency=0.5, dropped=2, skipped=3), 12.0, [])
    assert "| latency  1.5 s |" in line and "| lost 5 |" in line and line.endswith("| input PAUSED")


def test_vcam_cam_says_what_its_link_held_back_as_the_show_runs_not_only_at_its_end():
    from vcam.live.pacer import PacerStats
    from vcam.remote.feed import LinkFeed

    link = _link()
    asked: list = []
    link.say_held_back = asked.append
    LinkFeed(link, clock=lambda: 100.0).poll(PacerStats())
    assert len(asked) == 1 and asked[0] is not None  # with the time: the counts whose minute passed
