"""How `vcam cam`'s connections end and what is said of each (vcam.remote.linkends), taken straight at the link's
ends: a link never started, handed a stand-in connection, whose ends are called as its thread would call them. Each
test fails where the code is changed in the way its docstring says."""
from types import SimpleNamespace

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close

from fake_link import connected as _connected, unstarted_link as _link
from vcam.remote import linkends
from vcam.remote.linkends import TOO_BIG, TOO_BIG_SAID, close_received, close_within, own_close
from vcam.remote.pending import Unanswered


def _lost(said: list) -> list:
    return [line for line in said if "had not answered" in line]


def test_four_presses_unanswered_at_a_drop_are_all_named_with_no_count():
    """Four is as many as are named: where the count began at four (`> 4` turned `>= 4`), the line named them all
    and added "and 0 more"."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    for k in range(4):
        assert link.send_line(f"preset {k}")
    link._connection_lost()
    assert _lost(said) == [
        "the server had not answered preset 0, preset 1, preset 2, preset 3 when the link dropped: it may not have "
        "got them; not sent again, as it may have been carried out (give it again if not)"]


def test_presses_pushed_out_of_the_unanswered_are_counted_with_the_ones_kept():
    """Past Unanswered.MOST presses the oldest are only counted: the drop's count is those kept past the four named
    and those pushed out, where it counted the kept ones alone (`+ more` dropped) and said two presses too few."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    for k in range(Unanswered.MOST + 2):
        assert link.send_line(f"preset {k}")
    link._connection_lost()
    assert _lost(said) == [
        f"the server had not answered preset 2, preset 3, preset 4, preset 5 and {Unanswered.MOST + 2 - 4} more when "
        "the link dropped: it may not have got them; not sent again, as it may have been carried out (give it again "
        "if not)"]


def test_one_press_unanswered_is_it_and_two_are_them():
    """One press lost is "it", two "them" (`n > 1` turned `n >= 1` or `n > 2` said the other)."""
    for presses, pronoun in ((1, "it"), (2, "them")):
        said: list[str] = []
        link = _link(said)
        _connected(link)
        for k in range(presses):
            assert link.send_line(f"preset {k}")
        link._connection_lost()
        assert len(_lost(said)) == 1 and f"it may not have got {pronoun};" in _lost(said)[0], said


def test_a_quit_says_nothing_of_the_presses_not_answered():
    """vcam cam quitting ends the link itself: the presses the server had not answered are not said lost (where the
    stop was not looked at, a quit right after a press printed the drop's warning as it closed)."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    assert link.send_line("preset 1")
    link._stop.set()
    link._connection_lost()
    assert _lost(said) == [] and not link.connected


# --- the close frame this client sent ---------------------------------------------------------------------------


def test_the_close_this_client_began_is_its_own_and_one_it_only_echoed_is_none():
    """A close frame this client sent first (or with none received) is its own; one sent after the server's only
    echoes that one's code, so it is none of this client's (where `rcvd_then_sent` was not looked at, or taken as
    false only when false, a close with nothing received was lost)."""
    sent = Close(TOO_BIG, "")
    assert own_close(sent, True) is None
    assert own_close(sent, False) is sent
    assert own_close(sent, None) is sent


@pytest.mark.parametrize("echoed", [False, True])
def test_only_a_message_too_big_for_this_client_is_said_as_one_the_server_sent_too_big(echoed):
    """vcam cam's own 1009 close (a message from the server over the size it takes) is said as such; the server's
    1009 that this client only echoed (a message of this client's too big for the server) is not the server's message
    too big for this camera, where the echo was read as this client's own close."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    said.clear()
    too_big = Close(TOO_BIG, "")
    error = ConnectionClosed(too_big, too_big, True) if echoed else ConnectionClosed(None, too_big)
    assert link._closed(error.rcvd, False, error)
    assert len(said) == 1 and (TOO_BIG_SAID in said[0]) is not echoed, said


# --- the close at a quit ----------------------------------------------------------------------------------------


class _Socket:
    def __init__(self):
        self.shut: list = []

    def shutdown(self, how) -> None:
        self.shut.append(how)


class _Closing:
    """A connection whose close returns at once, or (`answered` False) only once its socket is shut down."""

    def __init__(self, answered: bool):
        self.answered = answered
        self.close_timeout = 10.0  # the library's
        self.socket = _Socket()

    def close(self) -> None:
        if not self.answered:
            raise ConnectionError("cut")


def test_a_close_answered_in_time_is_waited_for_with_the_time_given_and_not_cut():
    """The close waits `seconds` for the server's answer, the library's own wait set to that (where it was left at
    its 10 s, a quit waited 10 s on a server that never answered); a close that finished leaves the socket be."""
    ws = _Closing(answered=True)
    close_within(ws, 0.5)
    assert ws.close_timeout == 0.5 and ws.socket.shut == []


class _HungThread:
    """A close thread that never ends within the wait: records the wait it was given."""
    joined: list = []

    def __init__(self, target, args, name, daemon):
        self.daemon = daemon

    def start(self) -> None:
        pass

    def join(self, timeout=None) -> None:
        _HungThread.joined.append(timeout)

    def is_alive(self) -> bool:
        return True


def test_a_close_not_answered_in_time_is_cut_after_the_seconds_given(monkeypatch):
    """A close that the server does not answer within `seconds` is cut (its socket shut down) once those have
    passed, not after longer: a quit waits no more than it says, and does not leave the connection open."""
    _HungThread.joined = []
    monkeypatch.setattr(linkends, "threading", SimpleNamespace(Thread=_HungThread))
    ws = _Closing(answered=False)
    close_within(ws, 0.5)
    assert _HungThread.joined == [0.5] and len(ws.socket.shut) == 1


# --- what is said of a connection that ended ----------------------------------------------------------------------


def test_a_reason_the_server_gave_is_said_over_a_send_that_had_stalled():
    """A send that made no progress, then the server's close with its reason: the reason is said (it tells what to
    do), where the stall was said whatever the server's close frame gave."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    said.clear()
    link._send_stalled = True
    link._closed(Close(1008, "too many commands"), False)
    assert len(said) == 1 and said[0].startswith("the server disconnected this client: too many commands;"), said


def test_a_stalled_send_is_said_for_the_connection_it_stalled_only():
    """The stall is said once, for its connection: the tries after it, refused, are the run of failed tries its line
    began, where the stall was kept and said again for each try that never reached the server."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    said.clear()
    link._send_stalled = True
    reported = link._closed(None, False)
    link._connection_lost()
    for _ in range(2):
        reported = link._closed(None, reported, ConnectionRefusedError(111, "Connection refused"))
    assert len(said) == 1 and said[0].startswith("sending to the server made no progress for 20 s"), said


def test_a_loss_said_already_is_not_said_again():
    """A connection whose loss was said (`reported`) ends with no second line, where any end without a reason or
    an error said "connection to the server lost" once more."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    said.clear()
    assert link._closed(None, True)
    assert said == []
    assert link._closed(None, False)
    assert len(said) == 1 and said[0].startswith("connection to the server lost;"), said


def test_a_token_refused_at_the_first_try_ends_the_client_and_is_not_shown_as_retrying():
    """A 401 before this client was ever let in is a mistake in its command line: the client ends (True), and the
    status line's TOKEN REFUSED, RETRYING (for a server restarted with another token) is not shown for it."""
    link = _link([])
    assert link._refusal(401, b"wrong token") is True
    assert link.refused == "missing token" and not link.token_refused
    _connected(link)
    link._connection_lost()
    assert link._refusal(401, b"wrong token") is False and link.token_refused


def test_a_token_in_the_address_refused_after_a_restart_is_said_as_the_one_accepted_before():
    """A token given in the address's ?token= and refused once the server restarted with another was said as "this
    client, which has no token": the operator was sent looking for a token it had given."""
    from vcam.live.pacer import Pacer, PacerSettings
    from vcam.remote.controller import RemoteController
    from vcam.remote.link import Link

    said: list[str] = []
    link = Link("ws://127.0.0.1:9/?token=s3cret", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                said.append)
    _connected(link)
    link._connection_lost()
    assert link._refusal(401, b"") is False
    refused = [line for line in said if "now refuses" in line]
    assert len(refused) == 1 and "the token it accepted before (wrong token)" in refused[0], said
    assert "s3cret" not in refused[0], refused


def test_a_refusal_with_no_content_type_is_read_as_the_servers_plain_words():
    """vcam serve's refusal says why in plain text; one with no Content-Type at all is read as that, where only one
    that named text/plain was, and the server's words gave way to 'no vcam server answered'."""
    said: list[str] = []
    link = _link(said)
    assert link._refusal(403, b"too many cameras: at most 4", {}) is False
    assert said == ["the server answered HTTP 403: too many cameras: at most 4; retrying"]


def test_the_close_received_is_the_servers_not_this_clients():
    """The close frame read for why the server dropped this client is the one it sent (its reason, or that it
    stopped), not the one this client answered with; an end that was no close has none."""
    theirs, ours = Close(1001, "vcam serve is stopping"), Close(1000, "")
    assert close_received(ConnectionClosed(theirs, ours, True)) is theirs
    assert close_received(ConnectionResetError(104, "Connection reset by peer")) is None
