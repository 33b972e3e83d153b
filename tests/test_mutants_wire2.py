"""More edges of `vcam serve`'s network side that mutation testing found no test for (the input's intake, the
camera's dial and its reasons, the server's answers, vcam's own handshake): each test fails where the code is
changed in the way its docstring says."""
import json

import numpy as np
import pytest

from vcam.remote import protocol as proto
from vcam.remote.handshake import Unreadable, first_message, unusable
from vcam.remote.intake import POLICY, ConsumptionRate, Dropped, Intake
from vcam.remote.reasons import HandshakeUnanswered, how_lost, not_vcam, stopped_meanwhile, unreachable

SIZE = (64, 48)


class _Client:
    """A client of the server as the intake sees it; what it is offered is kept."""

    def __init__(self, name: str = "laptop:1", role: str = "control"):
        self.name, self.role, self.offered = name, role, []

    def offer_latest(self, kind, message):
        self.offered.append(json.loads(message))


def _noisy(seq: int, at: float) -> bytes:
    """An input frame a JPEG can't squeeze below a few KB."""
    picture = np.random.default_rng(seq).integers(0, 256, (SIZE[1], SIZE[0], 3), np.uint8)
    return proto.encode_input(picture, seq, at)


def _sending(now: list[float], said: list[str] | None = None) -> tuple[Intake, _Client, list]:
    """An intake of SIZE on the fake clock `now` (wall and monotonic alike), a client sending to it, its uploads."""
    pushed: list = []
    uploads = type("Uploads", (), {"push": lambda self, frame, at=None: pushed.append((frame, at))})()
    intake = Intake(uploads, None, (said if said is not None else []).append, size=SIZE,
                    clock=lambda: now[0], wall=lambda: now[0])
    client = _Client()
    assert json.loads(intake.ask(client))["type"] == "send_ok"
    return intake, client, pushed


# --- the input's intake -----------------------------------------------------------------------------------------

def test_a_server_that_takes_no_input_refuses_a_sender_and_says_why():
    """A vcam serve started without uploads (no network input) accepted a client's send (its `if self.uploads is
    None` made False): the camera sent frames nowhere, its operator never told the server takes none."""
    refused: list = []
    intake = Intake(None, None, lambda line: None, size=SIZE, refused=lambda client, what: refused.append(what))
    answer = json.loads(intake.ask(_Client()))
    assert answer == {"type": "send_refused", "message": "this server takes no input from clients"}
    assert refused == ["sending the input: this server takes no input from clients"]


def test_the_upload_rate_on_the_servers_terminal_is_since_its_last_line():
    """The upload's KB/s is measured since the status line before it: with its bytes and time not kept
    (`self._last_bytes, self._last_time = ...` dropped), a sender that stopped sending still read as uploading."""
    now = [0.0]
    intake, client, _ = _sending(now)
    now[0] = 2.0
    data = _noisy(1, now[0])
    assert len(data) > 2048  # a rate kept since the start would read 1 KB/s (0.5 and up) or more
    intake.frame(client, data)
    first = intake.describe()
    assert first == f"input from laptop:1 {len(data) / 1024 / 2:4.0f} KB/s, 0.00 s old", first
    now[0] = 4.0
    assert intake.describe() == "input from laptop:1    0 KB/s, 2.00 s old"
    now[0] = 4.5  # a line half a second after the last: its bytes over that half second
    data = _noisy(2, now[0])
    intake.frame(client, data)
    assert intake.describe() == f"input from laptop:1 {len(data) / 1024 / 0.5:4.0f} KB/s, 0.00 s old"


def test_two_blocks_at_the_same_instant_measure_no_rate():
    """No time between two blocks is no rate (`0 < gap` made `0 <= gap` divided by it: the producer failed)."""
    now = [0.0]
    rate = ConsumptionRate(clock=lambda: now[0])
    rate.block(12)
    assert rate.block(12) == ConsumptionRate.START_FPS


def test_the_first_rate_measured_is_taken_whole():
    """The first gap between two blocks is the show's rate, taken as it is (the start's 12 fps is a guess): blended
    with the guess (`self._measured` starting True), a sender to a show that takes 24 frames a second was told
    16, its uploads a third short until later blocks corrected it."""
    now = [0.0]
    rate = ConsumptionRate(clock=lambda: now[0])
    rate.block(12)
    now[0] = 0.5
    assert rate.block(12) == 24.0


def test_later_rates_are_smoothed_not_taken_whole():
    """After the first, each gap moves the rate a third of the way (`self._measured = True` dropped took each one
    whole): one slow block made the sender halve its uploads at once."""
    now = [0.0]
    rate = ConsumptionRate(clock=lambda: now[0])
    for now[0] in (0.0, 0.5, 1.5):
        fps = rate.block(12)
    assert abs(fps - (0.7 * 24.0 + 0.3 * 12.0)) < 1e-9, fps


def test_an_input_frame_before_the_stream_has_a_size_drops_the_sender_with_why():
    """A sender whose frames come before the server told it the stream's size (no send_ok yet) broke the rules:
    with that check made False (or its raise dropped) the frame was decoded at no size and the server's line read
    a bug, not this reason."""
    intake = Intake(type("Uploads", (), {"push": lambda self, frame, at=None: None})(), None, lambda line: None)
    client = _Client()
    assert intake.ask(client) is None  # no block yet, so no size: its send_ok waits for the first block
    with pytest.raises(Dropped) as dropped:
        intake.frame(client, _noisy(1, 0.0))
    assert (dropped.value.code, dropped.value.reason) == (
        POLICY, "an input frame before the server gave the stream's size")


def test_a_frame_whose_sender_left_while_it_was_decoded_is_not_taken(monkeypatch):
    """A sender that leaves (or stops) while its frame is decoded: that frame no longer goes into the uploads, and
    is not counted (the sender's test after the decode made False, or its return dropped, pushed it into the
    input of whatever the show switched back to)."""
    now = [0.0]
    intake, client, pushed = _sending(now)
    decode = proto.decode_input

    def decoded_as_it_leaves(data, size):
        intake.left(client)
        return decode(data, size)

    monkeypatch.setattr(proto, "decode_input", decoded_as_it_leaves)
    intake.frame(client, _noisy(1, 0.0))
    assert pushed == [] and intake.describe() is None


# --- vcam's own handshake ---------------------------------------------------------------------------------------

class _Ws:
    """A connection whose server's first message is `message`."""

    def __init__(self, message):
        self.message = message

    def recv(self, timeout=None):
        return self.message


def _first(message):
    """What first_message makes of `message`: the message, or the Unreadable's words."""
    try:
        return first_message(_Ws(message), 1.0)
    except Unreadable as e:
        return f"Unreadable: {e}"


def test_a_show_whose_state_is_longer_than_a_message_may_be_is_let_through_unparsed():
    """A show of many presets sends a state over MAX_SERVER_TEXT: taken as vcam serve's state as it is (its test
    made False, or its `return` dropped), it was parsed, found too long, and the camera said the server was
    another program, never connecting to it."""
    state = proto.text("state")[:-1] + ', "presets": "' + "x" * proto.MAX_SERVER_TEXT + '"}'
    assert _first(state) is state


def test_only_a_long_message_of_type_state_is_let_through_unparsed():
    """A long message whose type merely begins with "state" (STATE_START cut a character short) or any long one
    (the test's `and` made `or`) was let through as the show's state."""
    other = '{"type": "statement", "text": "' + "x" * proto.MAX_SERVER_TEXT + '"}'
    assert _first(other).startswith("Unreadable: "), _first(other)[:80]


def test_a_vcam_frame_as_the_first_message_is_let_through():
    """A vcam serve's frame may come before its state is read: its `return` dropped (it fell through to the text's
    checks), or its magic compared a byte too long, a camera dropped a vcam serve for another program."""
    frame = proto.encode_frame(np.zeros((4, 4, 3), np.uint8), proto.FrameHeader(0, 0, 0, 12, 0.0, 4, 4))
    assert _first(frame) is frame
    assert _first(b"VCF9" + bytes(40)) == "Unreadable: a binary message that is not a vcam frame"


def test_a_first_message_of_another_kind_names_its_type_cut_at_40_characters():
    kind = "k" * 50
    assert _first(json.dumps({"type": kind})) == f"Unreadable: a message of type {'k' * 40!r}"


def test_a_server_that_closed_before_the_state_came_with_a_reason_is_said_with_it():
    """A proxy or vcam serve that closed the connection with a reason before its state: that reason is the one
    the camera's operator reads (the `if reason:` made False, or its `return` dropped, said a proxy's guess)."""
    closed = type("Close", (), {"reason": "the server is shutting down"})()
    assert unusable("ws://example.org:8765", None, closed, 5.0) == (
        "example.org port 8765 let this camera in, then closed the connection before the show's state came: "
        "the server is shutting down")


# --- why a try failed, in the camera's words --------------------------------------------------------------------

def test_a_port_that_took_the_connection_but_never_answered_the_handshake_is_said_as_stalled():
    """Its own line (its test made False, or its return dropped, said only that the port does not answer, sending
    the operator to check a firewall that is not to blame), with the seconds waited."""
    line = unreachable("ws://gpu.example:8765", HandshakeUnanswered(10.0))
    assert line.startswith("gpu.example port 8765 took the connection but gave no answer in 10 s: vcam serve there "
                           "is stalled"), line


def test_a_server_stopping_as_the_camera_tried_is_said_as_such():
    assert stopped_meanwhile("ws://gpu.example:8765") == (
        "vcam serve at gpu.example port 8765 is stopping (it told this camera so) and closed this try as it went: "
        "start it again there, or wait for whoever runs it")


@pytest.mark.parametrize("code, start", [
    (511, "the network this machine is on asks for a login (HTTP 511) before it reaches gpu.example: "),
    (502, "gpu.example port 8765 answered HTTP 502, as a proxy does when nothing answers behind it: "),
    (404, "gpu.example port 8765 answered HTTP 404, as a web server does: vcam serve does not listen there"),
])
def test_an_http_answer_in_vcam_serves_place_is_said_by_who_gives_it(code, start):
    """A captive portal's 511, a proxy's 502 with nothing behind it, a web server's 404: each its own line (a test
    made False or turned `not in`, or a return dropped, sent the operator to the wrong machine)."""
    line = not_vcam("ws://gpu.example:8765", code)
    assert line.startswith(start), line


def test_a_connection_lost_is_said_with_how():
    """No error: nothing added; a close without a word from the server: said as a kill, a crash or a drop; any
    other error: its type (a test made False or flipped, or a return dropped, added nothing or the wrong words)."""
    from websockets.exceptions import ConnectionClosedError

    assert how_lost(None) == ""
    assert how_lost(ConnectionClosedError(None, None)).startswith(" without a word from it (vcam serve killed")
    assert how_lost(BrokenPipeError()) == " (BrokenPipeError)"


def test_a_login_page_redirect_a_port_that_closes_unanswered_and_any_other_error_are_each_said_as_such():
    """A redirect to a web page (a network's login page), a port that closed before any answer, and an error of
    no known kind: each its own line (a test made False or its `and` an `or`, a return dropped, fell through to
    the next one's words)."""
    from websockets.exceptions import ConnectionClosedError, InvalidStatus, InvalidURI
    from websockets.http11 import Response

    try:
        try:
            raise InvalidStatus(Response(302, "Found", {}))
        except InvalidStatus:
            raise InvalidURI("http://login.hotel.example/", "not a WebSocket URI")
    except InvalidURI as e:
        portal = e
    assert unreachable("ws://gpu.example:8765", portal).startswith(
        "gpu.example port 8765 sends this client to the web page http://login.hotel.example/: ")
    assert unreachable("ws://gpu.example:8765", ConnectionClosedError(None, None)).startswith(
        "gpu.example port 8765 accepted the connection and closed it without an answer: through an ssh -L tunnel")
    assert unreachable("ws://gpu.example:8765", RuntimeError("odd")) == "RuntimeError: odd"
    assert unreachable("ws://gpu.example:8765", RuntimeError()) == "RuntimeError"


def test_a_web_server_on_a_ws_address_is_told_that_a_proxy_wants_wss():
    """Only a ws:// address gets the hint (its `==` made `!=` gave it to a wss:// one, already right)."""
    assert not_vcam("ws://gpu.example:80", 404).endswith(" (through an HTTP proxy, the address starts with wss://)")
    assert not_vcam("wss://gpu.example:443", 404).endswith("(vcam serve's first line names it)")


@pytest.mark.parametrize("code, onward", [(300, True), (399, True), (400, False)])
def test_only_a_3xx_answer_is_said_as_sending_the_camera_on(code, onward):
    """The redirect's range is 300 to 399 (its bounds moved by one, a 300 was said as another error, or a 400,
    the server's refusal, as sending the camera on to an empty address)."""
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Response

    error = ValueError("redirect")
    error.__cause__ = InvalidStatus(Response(code, "", {"Location": "ws://elsewhere.example:8765"}))
    line = unreachable("ws://gpu.example:8765", error)
    assert line.startswith("gpu.example port 8765 sends this client on to ws://elsewhere.example:8765: ") == onward
