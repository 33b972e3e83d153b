"""Who `vcam serve` lets in, checked on the handshake alone (Admission.check), without a server or a socket: the
token, a web page's Origin, the client cap and a show that is ending, each as the caller and the terminal see it."""
import threading
from http import HTTPStatus
from types import SimpleNamespace

import pytest

from vcam.remote import protocol as proto
from vcam.remote.admission import Admission, peer


class Connection:
    """What Admission reads of a handshake's connection: its peer, its socket, and the answer it is refused with."""

    def __init__(self, address=("192.0.2.7", 52822)):
        self.remote_address = address
        self.socket = SimpleNamespace(fileno=lambda: 5)
        self.closed = False

    def close(self):
        self.closed = True
        self.socket = SimpleNamespace(fileno=lambda: -1)

    def respond(self, status, body):
        return SimpleNamespace(status=status, body=body)


def request(path="/", **headers):
    return SimpleNamespace(path=path, headers={"Upgrade": "websocket", **headers})


class Gate:
    """An Admission as the server builds it, with what it said and the clients it serves."""

    def __init__(self, token=None, max_clients=16):
        self.said: list[str] = []
        self.serving = 0
        self.stopped = threading.Event()
        settings = SimpleNamespace(token=token, max_clients=max_clients)
        self.admission = Admission(settings, self.said.append, threading.Lock(), self.stopped,
                                   served=lambda: self.serving)

    def check(self, req, connection=None):
        return self.admission.check(connection or Connection(), req)


@pytest.mark.parametrize("given", [
    {"Authorization": "Bearer s3cre"},  # a prefix of the token
    {"Authorization": "Bearer s3cret!"},  # the token and more
    {"Authorization": "Bearer S3CRET"},
    {"Authorization": "s3cret-not"},
])
def test_a_token_close_to_the_right_one_is_refused_as_wrong(given):
    gate = Gate(token="s3cret")
    answer = gate.check(request(**given))
    assert answer is not None and answer.status == HTTPStatus.UNAUTHORIZED
    assert gate.said == ["refused a client from 192.0.2.7: wrong token"]
    assert gate.admission.places_taken() == 0


def test_a_client_without_a_token_is_refused_as_missing_one():
    gate = Gate(token="s3cret")
    answer = gate.check(request())
    assert answer.status == HTTPStatus.UNAUTHORIZED
    assert gate.said == ["refused a client from 192.0.2.7: missing token"]


@pytest.mark.parametrize("req", [
    request(Authorization="Bearer s3cret"),
    request(Authorization="s3cret"),  # without the scheme's word, as some clients send it
    request(path="/?token=s3cret"),  # in the URL, for a client that cannot set a header
    request(path="/?role=watch&token=s3cret"),
])
def test_the_right_token_lets_a_client_in_from_a_header_or_the_url(req):
    gate = Gate(token="s3cret")
    assert gate.check(req) is None
    assert gate.said == [] and gate.admission.places_taken() == 1


def test_a_wrong_token_in_the_header_is_refused_even_with_the_right_one_in_the_url():
    gate = Gate(token="s3cret")
    answer = gate.check(request(path="/?token=s3cret", Authorization="Bearer wrong"))
    assert answer.status == HTTPStatus.UNAUTHORIZED


@pytest.mark.parametrize("origin", ["https://evil.example", "null", ""])
def test_a_handshake_with_any_origin_is_refused_as_a_web_page(origin):
    """A browser's sandboxed page sends `Origin: null`, and an empty one is still the header a page sent."""
    gate = Gate()  # no token: the loopback end of an SSH tunnel, where a page's script is the danger
    answer = gate.check(request(Origin=origin))
    assert answer.status == HTTPStatus.FORBIDDEN and "web page" in answer.body
    assert len(gate.said) == 1 and "web page" in gate.said[0]
    assert gate.admission.places_taken() == 0


def test_a_web_page_with_the_right_token_is_still_refused():
    gate = Gate(token="s3cret")
    answer = gate.check(request(Origin="https://evil.example", Authorization="Bearer s3cret"))
    assert answer.status == HTTPStatus.FORBIDDEN


def test_a_plain_http_request_gets_a_page_saying_how_to_connect_and_takes_no_place():
    gate = Gate(token="s3cret")
    answer = gate.check(SimpleNamespace(path="/", headers={}))
    assert answer.status == HTTPStatus.OK and "vcam cam ws://" in answer.body
    assert gate.said == [] and gate.admission.places_taken() == 0


def test_a_client_coming_as_the_show_ends_is_told_it_is_ending_not_let_in():
    gate = Gate()
    gate.stopped.set()
    answer = gate.check(request())
    assert answer.status == HTTPStatus.SERVICE_UNAVAILABLE and proto.ENDING in answer.body
    assert gate.admission.places_taken() == 0


def test_the_client_cap_lets_in_exactly_max_clients_counting_those_served_and_those_let_in():
    gate = Gate(max_clients=3)
    gate.serving = 1
    assert gate.check(request()) is None
    assert gate.check(request()) is None  # 1 served + 2 let in: full
    answer = gate.check(request())
    assert answer.status == HTTPStatus.SERVICE_UNAVAILABLE
    assert answer.body.startswith("too many clients (3 connected, at most 3)")
    assert gate.said == ["refused a client: 3 connected already, at most 3"]


def test_a_handshake_that_failed_after_it_was_let_in_gives_its_place_back():
    gate = Gate(max_clients=1)
    first = Connection()
    assert gate.check(request(), first) is None
    assert gate.check(request()).status == HTTPStatus.SERVICE_UNAVAILABLE
    first.close()
    assert gate.check(request()) is None


def test_a_connection_let_in_is_handed_to_its_handler_once():
    gate = Gate()
    ws = Connection(("198.51.100.4", 4000))
    assert gate.check(request(), ws) is None
    assert gate.admission.take(ws) == "198.51.100.4:4000"
    gate.serving = 1  # its handler now serves it: counted there, no longer here
    assert gate.admission.take(ws) is None and gate.admission.places_taken() == 1


@pytest.mark.parametrize("address, said", [
    (("::ffff:192.0.2.7", 52822, 0, 0), "192.0.2.7:52822"),  # an IPv4 client of a `--host ::` socket
    (("::1", 52822, 0, 0), "[::1]:52822"),
    (("192.0.2.7", 52822), "192.0.2.7:52822"),
])
def test_a_peer_is_named_by_the_address_it_connected_from(address, said):
    assert peer(Connection(address)) == said


def test_a_refused_ipv6_client_is_named_by_its_whole_address():
    gate = Gate(token="s3cret")
    gate.check(request(), Connection(("2001:db8::7", 52822, 0, 0)))
    assert gate.said == ["refused a client from [2001:db8::7]: missing token"]


def test_an_upgrade_header_written_in_capitals_is_still_a_websocket_handshake():
    gate = Gate()
    assert gate.check(SimpleNamespace(path="/", headers={"Upgrade": "WebSocket"})) is None
    assert gate.admission.places_taken() == 1


class Gone(Connection):
    """A client that closed as soon as it connected: its address can no longer be read."""

    def __init__(self, error):
        super().__init__()
        self.error = error

    @property
    def remote_address(self):
        if self.error is None:
            return None  # the library's answer once its socket is closed
        raise self.error

    @remote_address.setter
    def remote_address(self, _):
        pass


@pytest.mark.parametrize("error", [None, OSError(107, "Transport endpoint is not connected")])
def test_a_client_gone_before_it_was_refused_is_said_as_unknown_not_as_a_traceback(error):
    gate = Gate(token="s3cret")
    assert peer(Gone(error)) == "?"
    assert gate.check(request(), Gone(error)).status == HTTPStatus.UNAUTHORIZED
    assert gate.said == ["refused a client from ?: missing token"]


def test_a_web_pages_long_origin_is_said_on_one_short_line():
    gate = Gate()
    origin = "https://" + "a" * 500 + ".example"
    answer = gate.check(request(Origin=origin))
    assert answer.status == HTTPStatus.FORBIDDEN
    assert len(gate.said) == 1 and origin[:80] in gate.said[0] and len(gate.said[0]) < 200
    assert origin[:81] not in answer.body
