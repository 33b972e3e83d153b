"""What the server's messages do on `vcam cam`'s side (vcam.remote.inbox): a link never started is handed the
server's messages as its thread would hand them, over a stand-in connection. Each test fails where the code is
changed in the way its docstring says."""
import json

from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote import protocol as proto
from vcam.remote.controller import RemoteController
from vcam.remote.link import Link


class _Wire:
    """A connection that takes every message written."""

    def __init__(self):
        self.sent: list = []

    def send(self, message) -> None:
        self.sent.append(message)


def _link(said: list) -> Link:
    return Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)


def _connected(link: Link) -> _Wire:
    link._ws = wire = _Wire()
    link._reached(wire)
    return wire


def _padded(message: dict, size: int) -> str:
    """`message` as JSON, padded with spaces to `size` characters."""
    text = json.dumps(message)
    return text + " " * (size - len(text))


def test_a_message_of_exactly_the_most_characters_read_is_read():
    """MAX_SERVER_TEXT is the most vcam cam reads: a message that long is taken, where `>` turned `>=` dropped it
    and said the camera's view of the show may lag."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    said.clear()
    link._take(_padded({"type": "reply", "text": "preset p1 on air", "state": {}}, proto.MAX_SERVER_TEXT))
    assert said == ["preset p1 on air"]
    link._take(_padded({"type": "reply", "text": "preset p2 on air", "state": {}}, proto.MAX_SERVER_TEXT + 1))
    assert len(said) == 2 and said[1].startswith(f"dropped a message of {proto.MAX_SERVER_TEXT + 1:,} characters"), said


def test_messages_skipped_for_two_different_failures_are_each_said():
    """Unusable messages are throttled by the kind of their failure: a second kind within the minute is said too,
    where one key for all (the failure's class left out) held it back behind the first."""
    said: list[str] = []
    link = _link(said)
    link._unusable(proto.ProtocolError("not JSON"))
    link._unusable(ValueError("a number out of range"))
    link._unusable(ValueError("another number out of range"))
    assert [line.split(" (")[1].split(")")[0] for line in said] == ["ProtocolError: not JSON",
                                                                   "ValueError: a number out of range"], said
