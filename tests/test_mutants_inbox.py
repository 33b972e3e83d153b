"""What the server's messages do on `vcam cam`'s side (vcam.remote.inbox): a link never started is handed the
server's messages as its thread would hand them, over a stand-in connection. Each test fails where the code is
changed in the way its docstring says."""
import json
import time

import numpy as np

from fake_link import Wire as _Wire, connected as _connected, unstarted_link as _link
from vcam.remote import protocol as proto


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


def test_an_error_answers_the_command_it_came_for():
    """The server answers each command with a reply or an error, in order: an error counts as the answer, where
    counting replies alone named the refused press at the next drop as one the server may not have got."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    assert link.send_line("preset nowhere")
    link._take(json.dumps({"type": "error", "message": "no preset named nowhere"}))
    link._connection_lost()
    assert "server: error: no preset named nowhere" in said
    assert [line for line in said if "had not answered" in line] == [], said


def _frame(seq: int) -> bytes:
    return proto.encode_frame(np.zeros((16, 16, 3), np.uint8), proto.FrameHeader(seq, 0, seq, 12, time.time(), 16, 16))


def _gots(wire: _Wire) -> list:
    return [json.loads(m)["seq"] for m in wire.sent if isinstance(m, str) and '"got"' in m]


def test_only_a_pong_whose_acks_is_true_makes_vcam_cam_say_each_frame_it_got():
    """A server tells it holds frames for the camera's answer with `"acks": true`; another value (from a server of
    another version) is not that, where any value Python reads as true made the camera answer each frame."""
    said: list[str] = []
    link = _link(said)
    wire = _connected(link)
    for acks in ("yes", 1, [True]):
        link._take(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": acks}))
        link._take(_frame(5))
    assert _gots(wire) == []
    link._take(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    link._take(_frame(6))
    assert _gots(wire) == [6]


def test_the_servers_usual_gap_is_taken_from_the_first_pong_of_a_connection_only():
    """The server tells its usual gap between blocks in each pong; taken from the first alone, as the later ones
    would fill the gaps learned from the blocks that came with the server's word: where each pong's was taken, a
    server that told 12 s (it began slow) kept the camera waiting 24 s for a stall in blocks that came each second."""
    link = _link([])
    _connected(link)
    gaps = link._blocks.gaps
    link._take(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "block_s": 12.0}))
    for now in (100.0, 101.0, 102.0, 103.0):
        gaps.block(now)
    for _ in range(3):
        link._take(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "block_s": 12.0}))
    assert gaps.usual() == 1.0


class _Uploads:
    """An upload's stand-in: takes the server's answers to its asks."""

    def __init__(self):
        self.answers: list = []

    def answer(self, data: dict) -> None:
        self.answers.append(data["type"])


def test_the_servers_yes_and_no_to_an_upload_both_reach_the_upload():
    """A refusal to an upload's ask (another camera sends already) reaches the upload as the yes does, where one
    left out kept the upload waiting on an answer that had come."""
    link = _link([])
    _connected(link)
    link.uploader = uploads = _Uploads()
    link._take(json.dumps({"type": "send_refused", "reason": "another camera sends"}))
    link._take(json.dumps({"type": "send_ok"}))
    assert uploads.answers == ["send_refused", "send_ok"]


def test_a_notice_of_only_spaces_says_nothing():
    """A notice whose text is blank tells nothing: no line, where a bare "server: " was printed."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    said.clear()
    link._take(json.dumps({"type": "notice", "text": "  \n"}))
    link._take(json.dumps({"type": "notice", "text": "preset 2 failed on air"}))
    assert said == ["server: preset 2 failed on air"]


def test_a_frame_stamped_ahead_of_this_clock_reads_a_latency_of_zero():
    """The clocks' offset is a guess: a frame that seems sent after it came reads no latency, not a negative one
    that took from the pacer's in the status line."""
    link = _link([])
    _connected(link)
    link._take(json.dumps({"type": "pong", "t": link._clock(), "server": link._clock()}))
    assert link._clocks.known
    link._take(proto.encode_frame(np.zeros((16, 16, 3), np.uint8),
                                  proto.FrameHeader(1, 0, 1, 12, link._clock() + link.offset + 3600.0, 16, 16)))
    assert link.net_latency == 0.0


def test_a_reply_with_no_text_says_nothing():
    """A reply that carries only the state (no text) is said in no line, where it was skipped as one whose text is
    no string, with the line that asks to install the same vcam on both machines."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    said.clear()
    link._take(json.dumps({"type": "reply", "state": {}}))
    assert said == []


def test_a_got_due_as_the_connection_is_gone_waits_for_the_next_one():
    """A frame's got that finds no connection to write on (one ending as the next begins) stays due and is said
    once there is one, where it was taken and lost, and the server held its next frames for an answer that never
    came."""
    link = _link([])
    _connected(link)
    link._take(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    link._ws = None  # the connection gone, the link not yet told
    link._take(_frame(7))
    wire = _connected(link)
    link._say_got()
    assert _gots(wire) == [7]
