"""Edges of `vcam cam`'s side of the link (the commands it holds for the server, the camera's screen, the link and
its ends, the upload, the mirrored controller) that mutation testing found no test for: each test fails where the
code is changed in the way its docstring says."""
import io
import json
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from websockets.exceptions import InvalidMessage

from fake_capture import FakeDevice, HandedFrames
from fake_link import connected as _connected, unstarted_link as _link
from helpers import Pipe, free_port, in_thread, loopback_port, wait_for, ws_served
from vcam.control.protocol import Shown
from vcam.inspec import parse_input
from vcam.remote import protocol as proto
from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote.client import CamOptions, _no_frame_text, cam_screen, run_cam
from vcam.remote.controller import RemoteController
from vcam.remote.link import Link
from vcam.remote.camscreen import CamScreen
from vcam.remote.pending import Unanswered, Waiting
from vcam.remote.reasons import CLOSED_UNANSWERED, unreachable
from vcam.remote import uploader as uploader_module
from vcam.remote.uploader import CvCapture, RateGate, Uploader, _unopenable


# --- the commands held for the server ---------------------------------------------------------------------------


def test_presses_pushed_out_of_the_unanswered_then_all_answered_are_not_named_at_a_drop():
    """Past MOST presses unanswered the oldest are counted; once the server has answered past the last of them,
    none is missing: where that count was not cleared (`_pushed_out = 0` dropped), a drop after the server had
    answered every command said 'the server had not answered ... and 2 more' of presses it had carried out."""
    sent = Unanswered()
    for k in range(Unanswered.MOST + 2):
        sent.sent(f"preset {k}", 0.0)
    for _ in range(Unanswered.MOST + 2):
        sent.answered()
    assert sent.take() == ([], [], 0)



def test_five_late_presses_name_four_and_count_the_fifth():
    """Past four, the presses not sent are counted: where only a sixth was (`> 4` turned `> 5`), the fifth went
    unnamed and uncounted, as if four were all that was not sent."""
    now = [0.0]
    said: list[str] = []
    waiting = Waiting(said.append, lambda: now[0])
    for k in range(5):
        waiting.add(f"preset {k}")
    now[0] = 60.0
    assert waiting.take() == []
    assert said == ["not sent, preset 0, preset 1, preset 2, preset 3 and 1 more: given more than 10 s before the "
                    "server was back"]


# --- the server's messages --------------------------------------------------------------------------------------


def test_each_line_typed_at_the_console_gets_its_error_at_once_where_a_knobs_sweep_is_counted():
    """Two lines typed one after the other that the same error answers (a value out of range, then another): the
    second answer was held back and said seconds later as "1 more like it", as for a fader's sweep."""
    said: list[str] = []
    link = _link(said)

    def error(value: str) -> str:
        return json.dumps({"type": "reply", "text": f"error: strength {value} is out of range (0 to 1)", "state": {}})

    wire = _connected(link)
    said.clear()  # "connected to ..."
    for value in ("2", "1.5"):
        assert link.send_line(f"strength {value}", typed=True)
        link._receive(error(value))
    assert said == ["error: strength 2 is out of range (0 to 1)", "error: strength 1.5 is out of range (0 to 1)"]
    for value in ("3", "4", "5"):  # a knob's: not typed
        assert link.send_line(f"strength {value}")
        link._receive(error(value))
    assert said[2:] == ["error: strength 3 is out of range (0 to 1)"], said  # then counted, not said again
    commands = [json.loads(m) for m in wire.sent if '"command"' in m]
    assert [c.get("typed", False) for c in commands] == [True, True, False, False, False]


def test_a_line_typed_while_the_link_is_down_keeps_its_mark_when_it_is_sent_on_reconnecting():
    """Typed while disconnected, a line went without its mark once the server was back: its failure was then
    counted with a knob's sweep ("1 more like it") where a line typed when connected was said at once."""
    said: list[str] = []
    link = _link(said)
    assert not link.send_line("preset 2", typed=True)
    assert not link.send_line("strength 0.3")  # a knob's
    assert not link.send_line("seed 4", typed=True)
    wire = _connected(link)
    commands = [json.loads(m) for m in wire.sent if '"command"' in m]
    assert [(c["line"], c.get("typed", False)) for c in commands] == [("preset 2", True), ("strength 0.3", False),
                                                                     ("seed 4", True)]
    assert [link._unanswered.answered() for _ in commands] == [True, False, True]


def test_a_typed_knob_line_the_server_had_not_answered_when_the_link_dropped_is_sent_again_marked():
    link = _link()
    _connected(link)
    assert link.send_line("strength 0.3", typed=True)
    assert link.send_line("seed 4")
    link._connection_lost()
    wire = _connected(link)
    commands = [json.loads(m) for m in wire.sent if '"command"' in m]
    assert [(c["line"], c.get("typed", False)) for c in commands] == [("strength 0.3", True), ("seed 4", False)]


def test_a_knobs_value_waiting_carries_the_mark_of_whoever_set_it_last():
    """A knob's value replaces its value waiting: the mark goes with the value kept, not the first one given."""
    waiting = Waiting([].append, lambda: 0.0)
    waiting.add("strength 0.2", typed=True)
    waiting.add("strength 0.4")  # the knob turned after the typed line
    waiting.add("seed 3")
    waiting.add("seed 5", typed=True)
    waiting.add("preset p1", typed=True)
    assert waiting.take(marked=True) == [("strength 0.4", False), ("seed 5", True), ("preset p1", True)]


def test_an_answer_tells_whether_its_command_was_typed_in_the_order_sent():
    sent = Unanswered()
    sent.sent("preset 1", 0.0, typed=True)
    sent.sent("strength 0.5", 0.0)
    sent.sent("seed 3", 0.0, typed=True)
    assert [sent.answered(), sent.answered(), sent.answered(), sent.answered()] == [True, False, True, False]
    number = sent.sent("seed 4", 0.0, typed=True)
    sent.withdraw(number)  # its write failed: it waits, and an answer to another is not taken for its
    sent.sent("seed 5", 0.0)
    assert sent.answered() is False


def test_the_state_a_reply_carries_is_mirrored_on_the_camera():
    """The server answers a command with its state after it: the controller here (MIDI soft takeover, `status`)
    and the camera's screen take it, where dropped they waited for the next state, which may not come for long."""
    screen = CamScreen()
    link = _link(screen=screen)
    link._receive(json.dumps({"type": "reply", "text": "", "state": {"seed": 42, "screen": "blackout"}}))
    assert link.remote.state.seed == 42
    assert screen.screen == "blackout"


# --- the link ---------------------------------------------------------------------------------------------------


def test_a_latency_of_zero_is_sent_to_the_server():
    """A link as fast as the clocks can tell measures 0.0 s: a measure, sent like any other. Where only a latency
    above 0 was (`0.0 <= latency` turned `<`), the server's status line kept the last one it had."""
    link = _link()
    wire = _connected(link)
    link.send_stats(0.0)
    assert [json.loads(m) for m in wire.sent if '"stats"' in m] == [{"type": "stats", "latency": 0.0}]


class _UploadCalls:
    """An uploader as the link sees it: what it is told is kept."""

    def __init__(self):
        self.calls: list[str] = []

    def bind(self, send, offset) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def connected(self) -> None:
        self.calls.append("connected")

    def disconnected(self) -> None:
        self.calls.append("disconnected")

    def answer(self, data) -> None:
        pass


def test_the_upload_is_told_each_connection_that_ends():
    """The uploader hears of a drop: its status goes off and its queued frames go, rather than the status line
    saying it sends while the link is down and frames of before the drop going up on the next connection."""
    links: list[Link] = []

    def handler(ws):
        ws.send(proto.text("state", screen="live"))
        wait_for(lambda: links[0].connected, 60)  # then the server drops it

    upload = _UploadCalls()
    with ws_served(handler) as url:
        links.append(Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), lambda line: None,
                          uploader=upload))
        links[0].start()
        try:
            assert wait_for(lambda: "disconnected" in upload.calls[upload.calls.index("connected"):]
                            if "connected" in upload.calls else False, 60), upload.calls
        finally:
            links[0].stop()


def _half_block(block: int, frames: int = 6, count: int = 12) -> list[bytes]:
    return [proto.encode_frame(np.zeros((48, 64, 3), np.uint8), proto.FrameHeader(i, block, i, count, 0.0, 64, 48))
            for i in range(frames)]


class _Pushes(Pacer):
    """A pacer that keeps the number of each block pushed to it."""

    def __init__(self):
        super().__init__(PacerSettings())
        self.blocks: list = []

    def push(self, frames, block=None, indices=None) -> None:
        self.blocks.append(block)
        super().push(frames, block, indices)


def test_five_presses_unanswered_at_a_drop_name_four_and_count_the_fifth():
    said: list[str] = []
    link = _link(said)
    _connected(link)
    for k in range(5):
        assert link.send_line(f"preset {k}")
    link._connection_lost()
    assert [line for line in said if "had not answered" in line] == [
        "the server had not answered preset 0, preset 1, preset 2, preset 3 and 1 more when the link dropped: it may "
        "not have got them; not sent again, as it may have been carried out (give it again if not)"]


def test_a_connection_that_lasted_exactly_held_s_held():
    """HELD_S is how long a connection lasts to have held (the tries' backoff starts over after it): one of exactly
    that long did, where `<` turned `<=` took it for one that dropped as it opened."""
    now = [100.0]
    link = _link(clock=lambda: now[0])
    _connected(link)
    now[0] += Link.HELD_S - 0.5
    assert not link._holds()
    now[0] += 0.5
    assert link._holds()


def test_a_server_that_then_cannot_be_reached_at_all_is_said_after_one_that_could_not_be_used():
    """Let in, but no state came ('cannot be used'); then the port refuses: that is new, and said. Where the unusable
    line was not marked as one that tells nothing of reaching the server, the refusals after it went unsaid."""
    said: list[str] = []
    link = _link(said)
    link._opened = True
    reported = link._closed(None, False, TimeoutError())
    assert said and said[-1].startswith("the server cannot be used"), said
    link._opened = False
    link._closed(None, reported, ConnectionRefusedError(111, "Connection refused"))
    assert said[-1].startswith("cannot reach the server"), said


def test_a_token_refused_again_after_the_camera_got_back_in_is_said_again():
    """The server was restarted with another token (said once, the camera keeps trying), then with the old one again
    (the camera is back in), then once more with another: the new refusal is said too, and the status line's
    'token refused' is cleared while the camera was in. Where getting in did not clear them, the second refusal went
    unsaid."""
    said: list[str] = []
    link = _link(said)
    link.token = "old"
    _connected(link)
    link._connection_lost()
    link._refusal(401, b"")
    _connected(link)
    assert not link.token_refused
    link._connection_lost()
    link._refusal(401, b"")
    assert len([line for line in said if line.startswith("the server now refuses the token it accepted")]) == 2, said


@pytest.mark.parametrize("tail", ["", "/?token=s3cret"])
def test_a_camera_refused_for_its_token_ends_its_link_told_whether_a_token_was_given(tail):
    """vcam cam started without the token the server asks: a mistake in its command line, which it ends on (run_cam
    says how to give the token). Where the refusal did not end the link, it asked again every few seconds for ever.
    A token given in the address (?token=, which vcam serve reads as it reads --token) and refused was told "asks
    for a token and none was given": the operator hunted for a missing flag where the token itself was wrong."""
    from vcam.remote.client import _refusal

    def handle(conn):
        conn.recv(65536)
        conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")

    with loopback_port(handle) as url:
        url += tail
        link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), lambda line: None)
        link.start()
        try:
            assert wait_for(lambda: not link._thread.is_alive(), 60)
        finally:
            link.stop()
    if not tail:
        assert link.refused == "missing token"
        return
    error = _refusal(SimpleNamespace(url=url), link.refused)
    said = f"{error.message} {error.fix}"
    assert "refused the token given" in error.message and "none was given" not in said, said
    assert "--token TOKEN" in error.fix and "s3cret" not in said, said


@pytest.mark.parametrize("tail", ["/é?to%6Ben=abc", "/?to%6Ben=abc", "/é?token=ab%20c", "/?token=%C3%A9", "/é?token=x"])
def test_the_token_a_camera_is_said_to_give_is_the_one_its_request_carries(tail):
    """The token was read from the address as typed: one holding a non-ASCII letter is sent with each % written %25,
    so /é?to%6Ben=abc, which carries no token to vcam serve (refused as missing), was told "refused the token
    given"."""
    from urllib.parse import parse_qs, urlparse

    from vcam.remote.client import _refusal
    from vcam.remote.urls import query_token

    requests = []

    def handle(conn):
        requests.append(conn.recv(65536).split(b" ")[1].decode())
        conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")

    with loopback_port(handle) as url:
        url += tail
        link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), lambda line: None)
        link.start()
        try:
            assert wait_for(lambda: not link._thread.is_alive(), 60)
        finally:
            link.stop()
    carried = parse_qs(urlparse(requests[0]).query).get("token", [""])[0]  # as vcam serve reads it
    assert query_token(url) == carried, requests
    assert link.refused == ("wrong token" if carried else "missing token")
    error = _refusal(SimpleNamespace(url=url), link.refused)
    assert ("refused the token given" in error.message) == bool(carried), error.message


def test_drops_held_back_are_counted_once_a_connection_holds():
    """Connections that drop as they open are said once, then counted; the count comes when a connection holds,
    before the line that says it holds, where dropped it never came (the window is a minute: no later drop flushed
    it)."""
    now = [100.0]
    said: list[str] = []
    link = _link(said, clock=lambda: now[0])
    for _ in range(4):
        _connected(link)
        link._say_lost("the server closed the connection")
        link._connection_lost()
    _connected(link)
    before = len(said)
    now[0] += Link.HELD_S
    assert link._holds()
    assert len(said[before:]) == 2 and said[before].startswith("2 more like it"), said[before:]
    assert said[-1] == "connected to ws://127.0.0.1:9: the connection holds now, after 4 that dropped as they opened"


def test_a_block_cut_short_by_a_drop_goes_on_screen_at_the_drop():
    """The server dropped the camera halfway through block 3: its six frames go on screen then, not kept back for
    a next connection that may bring no frame for long (a server loading its model), or never."""
    links: list[Link] = []
    connections = []  # counted here: the camera may have read the state, and counted itself connected, already

    def handler(ws):
        connections.append(ws)
        ws.send(proto.text("state", screen="live"))
        if len(connections) > 1:  # a later connection: it brings no frame
            try:
                while True:
                    ws.recv(timeout=60)
            except Exception:  # noqa: BLE001 - the camera's close ends it
                return
        for message in _half_block(3):
            ws.send(message)
        wait_for(lambda: links[0].frames == 6, 60)  # read by the camera: then dropped

    pacer, said = _Pushes(), []
    with ws_served(handler) as url:
        links.append(Link(url, None, pacer, RemoteController(lambda line: True), said.append))
        links[0].start()
        try:
            assert wait_for(lambda: 3 in pacer.blocks, 60), (pacer.blocks, said)
        finally:
            links[0].stop()


def test_the_bytes_of_each_frame_received_are_counted_for_the_status_line():
    """The status line's download rate reads them: where not counted it said 0 B/s while the picture came."""
    link = _link()
    message = _half_block(3, frames=1)[0]
    link._receive(message)
    assert (link.bytes, link.frames) == (len(message), 1)


def test_the_listeners_of_the_mirrored_state_hear_each_state():
    """OSC replies (--osc-reply) are sent as each state comes: where the listeners were not told, the tablet's
    faders never moved with the show."""
    remote = RemoteController(lambda line: True)
    heard = []
    remote.listeners.append(lambda: heard.append(remote.state.seed))
    remote.update({"seed": 7})
    assert heard == [7]


@pytest.mark.parametrize("blend", [(0, 5, 0.5), (5, 0, 0.5)])
def test_a_blend_naming_a_preset_past_the_shows_list_falls_back_to_the_next_pair(blend):
    """A state's blend whose presets are not both in the list (a reload took one out): a knob turned then blends the
    current preset and the next, where checking only the first of the two (`[:2]` turned `[:1]`) failed the knob
    with an IndexError."""
    remote = RemoteController(lambda line: True)
    remote.update({"presets": ["a", "b"], "preset": "b", "blend": list(blend)})
    assert remote._blend_pair(["a", "b"]) == ("b", "a")


def test_a_blend_knob_on_a_show_of_one_preset_says_it_needs_two():
    """Where one preset was enough (`< 2` turned `< 1`), the knob sent 'blend a a' for the server to refuse."""
    sent: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    remote.update({"presets": ["a"], "preset": "a"})
    assert remote.set_param("blend", 0.5, "midi") == "error: blend needs a show with at least two presets on the server"
    assert sent == []


def test_a_blend_knob_from_a_server_that_names_no_pair_blends_the_current_preset_with_the_next():
    """Of three presets, the one after the current: with two, the next and the one before are the same, and
    `current + 1` turned `current - 1` blended towards the preset before."""
    remote = RemoteController(lambda line: True)
    remote.update({"presets": ["a", "b", "c"], "preset": "a"})
    assert remote._blend_pair(["a", "b", "c"]) == ("a", "b")


def test_frames_that_cannot_be_read_are_counted_a_minute_after_the_first_was_said():
    """A server of another version sends frames this camera cannot read: the first is said, the others counted, and
    the count said once a minute, not every two minutes (BAD_FRAMES_SAID_S doubled)."""
    said: list[str] = []
    link = _link(said)
    for _ in range(3):
        link._receive(b"VCF9 a frame of another protocol")
    assert len(said) == 1, said
    link.say_held_back(time.monotonic() + 61.0)
    assert len(said) == 2 and said[-1].startswith("2 more like it"), said


# --- the camera's screen ----------------------------------------------------------------------------------------


def _restarted_at(old: Shown, blocks: int, stall: threading.Event, on: list) -> CamScreen:
    """A screen that showed the old server's frame `old`, then heard a server that made `blocks` blocks name a
    freeze at (1, 0), before its last change (at `old`): a restart."""
    on[0] = old
    screen = CamScreen(stalled=stall.is_set, showing=lambda: (on[0], None))
    screen.shown(old)
    screen.heard({"screen": "live", "screen_at": [old.block, old.index], "block": old.block})
    screen.heard({"screen": "freeze", "screen_at": [1, 0], "block": blocks})
    return screen


def test_a_restarted_servers_frame_numbered_as_the_old_one_held_ends_the_old_numbering():
    """The camera held the old server's (5, 0) when the new one (at block 5) was heard; the first frame of the new
    numbering is (5, 0) again. The old frame was shown already, so that one is the new server's: where only a frame
    strictly below ended the old numbering (`at <= self._old` turned `<`), none of the new server's frames after it
    did, and a blackout whose frame was lost never came when the stream stalled: the camera stayed live."""
    stall, on = threading.Event(), [None]
    screen = _restarted_at(Shown(5, 0, 0.0), 5, stall, on)
    assert (screen.screen, screen.waiting()) == ("live", 1)  # the held old frame is not read as past (1, 0)
    on[0] = Shown(5, 0, 1.0)
    screen.shown(on[0])
    assert screen.screen == "freeze"
    screen.heard({"screen": "blackout", "screen_at": [5, 4], "block": 5})
    assert (screen.screen, screen.waiting()) == ("freeze", 1)
    stall.set()  # (5, 4) never comes
    assert (screen.screen, screen.waiting()) == ("blackout", 0)


def test_a_restarted_server_at_the_held_frames_block_waits_for_its_own_frames():
    """The new server is at block 5, the camera holds the old (5, 3): its frames (5, 0), (5, 1) may still come, so
    the held frame is not read as past its freeze at (1, 0), nor its blackout at (5, 1). Where a server at exactly
    that block counted as past it (`blocks <= old[0]` turned `<`), both were made at once on the old frame."""
    stall, on = threading.Event(), [None]
    screen = _restarted_at(Shown(5, 3, 0.0), 5, stall, on)
    screen.heard({"screen": "blackout", "screen_at": [5, 1], "block": 5})
    assert (screen.screen, screen.waiting()) == ("live", 2)
    on[0] = Shown(5, 0, 1.0)
    screen.shown(on[0])
    assert (screen.screen, screen.waiting()) == ("freeze", 1)
    on[0] = Shown(5, 1, 1.1)
    screen.shown(on[0])
    assert (screen.screen, screen.waiting()) == ("blackout", 0)


class PacedScreen:
    """The camera's screen as vcam cam wires it to its pacer (cam_screen), on a fake clock, ticked by hand."""

    def __init__(self):
        self.now = 0.0
        self.pacer = Pacer(PacerSettings(fps=30.0), clock=lambda: self.now)
        self.screen = cam_screen(self.pacer)

    def push(self, block: int, *indices: int) -> None:
        """The frames (block, index) pushed as one block, as the link pushes what came of it."""
        self.pacer.push([np.zeros((2, 2, 3), np.uint8)] * len(indices), block, list(indices))

    def show(self, block: int, index: int) -> None:
        """Ticks until frame (block, index) came on and was told shown (a second of ticks at most)."""
        for _ in range(30):
            self.tick(1 / 30)
            if self.pacer.showing()[:2] == (block, index):
                return
        raise AssertionError(f"({block}, {index}) never came on; showing {self.pacer.showing()}")

    def tick(self, after: float) -> None:
        self.now += after
        self.pacer.tick()
        self.pacer._tell_shown()


def test_a_restarted_servers_first_frames_shown_here_end_the_old_numbering_whatever_their_number():
    """Every frame of the old server had come on (the last, (5, 0), held) when the new one, at block 5, was heard.
    Its first frames shown here are (5, 3) and (5, 4) (the ones before passed over, dropped or lost): they are the
    new server's though numbered past the held one. Its blackout at (5, 6), lost, is made once the stream stalls;
    where only a frame numbered at or below the held one ended the old numbering, the camera stayed frozen through
    the blackout until the next restart."""
    cam = PacedScreen()
    cam.push(5, 0)
    cam.show(5, 0)
    cam.screen.heard({"screen": "live", "screen_at": [5, 0], "block": 5})
    cam.screen.heard({"screen": "freeze", "screen_at": [1, 0], "block": 5})  # before the last change: restarted
    for index in (3, 4):
        cam.tick(0.4)
        cam.push(5, index)
        cam.show(5, index)
    assert (cam.screen.screen, cam.screen.waiting()) == ("freeze", 0)
    cam.screen.heard({"screen": "blackout", "screen_at": [5, 6], "block": 5})
    assert (cam.screen.screen, cam.screen.waiting()) == ("freeze", 1)
    cam.tick(30.0)  # (5, 6) never comes: the stream stalls
    assert cam.pacer.stats.stalled
    assert (cam.screen.screen, cam.screen.waiting()) == ("blackout", 0)


def test_the_old_servers_frames_still_to_come_at_a_restart_leave_the_old_numbering_on():
    """The old server's (5, 1) and (5, 2) were pushed as its connection ended, (5, 0) on screen, when the new server
    was heard: they come on after, and they are the old server's, so they do not end its numbering, nor make its
    changes (its live at (1, 0) waits too). The stream then stalls (the new server's frames on their way): its
    blackout at (5, 6) still waits for its frame. Where any next frame ended the old numbering, the old (5, 1) did,
    and the stall made the blackout before its frame."""
    cam = PacedScreen()
    cam.push(5, 0)
    cam.show(5, 0)
    cam.screen.heard({"screen": "live", "screen_at": [5, 0], "block": 5})
    cam.push(5, 1, 2)  # the rest of the old block, at the drop
    cam.screen.heard({"screen": "live", "screen_at": [1, 0], "block": 5})  # before the last change: restarted
    cam.screen.heard({"screen": "blackout", "screen_at": [5, 6], "block": 5})
    cam.show(5, 1)
    cam.show(5, 2)
    cam.tick(30.0)
    assert cam.pacer.stats.stalled
    assert (cam.screen.screen, cam.screen.waiting()) == ("live", 2)


def test_the_new_servers_first_frames_shown_after_the_old_ones_still_to_come_end_the_old_numbering():
    """The old server's (5, 1) was still to come as the new one, at block 5, was heard: it comes on, and it is the
    old server's. The new server's first frames shown here are (5, 3) and (5, 4): they end the old numbering though
    numbered past the held one, and its blackout at (5, 6), lost, is made once the stream stalls. Where a frame
    still to come as the restart was heard left the old numbering on for good, the camera stayed frozen through
    the blackout until the next restart."""
    cam = PacedScreen()
    cam.push(5, 0)
    cam.show(5, 0)
    cam.screen.heard({"screen": "live", "screen_at": [5, 0], "block": 5})
    cam.push(5, 1)  # the rest of the old block, at the drop
    cam.screen.heard({"screen": "freeze", "screen_at": [1, 0], "block": 5})  # before the last change: restarted
    cam.show(5, 1)
    for index in (3, 4):
        cam.tick(0.4)
        cam.push(5, index)
        cam.show(5, index)
    assert (cam.screen.screen, cam.screen.waiting()) == ("freeze", 0)
    cam.screen.heard({"screen": "blackout", "screen_at": [5, 6], "block": 5})
    cam.tick(30.0)  # (5, 6) never comes: the stream stalls
    assert cam.pacer.stats.stalled
    assert (cam.screen.screen, cam.screen.waiting()) == ("blackout", 0)


def test_a_restart_heard_as_the_old_servers_last_frame_comes_on_leaves_the_next_frame_to_end_the_old_numbering():
    """The old server's last frame (5, 1) came on at a tick, and the restart was heard before its listeners were
    told (the tick's frame still being emitted): the new server's first frame shown after, (5, 3), ends the old
    numbering, and its blackout at (5, 6), lost, is made once the stream stalls."""
    cam = PacedScreen()
    cam.push(5, 0)
    cam.show(5, 0)
    cam.screen.heard({"screen": "live", "screen_at": [5, 0], "block": 5})
    cam.push(5, 1)
    for _ in range(30):
        cam.now += 1 / 30
        cam.pacer.tick()
        if cam.pacer.showing()[:2] == (5, 1):
            break
    cam.screen.heard({"screen": "freeze", "screen_at": [1, 0], "block": 5})  # restarted, (5, 1) not told yet
    cam.pacer._tell_shown()
    cam.tick(0.4)
    cam.push(5, 3)
    cam.show(5, 3)
    cam.screen.heard({"screen": "blackout", "screen_at": [5, 6], "block": 5})
    cam.tick(30.0)
    assert cam.pacer.stats.stalled
    assert (cam.screen.screen, cam.screen.waiting()) == ("blackout", 0)


def test_a_restarted_servers_change_heard_while_the_old_stream_is_stalled_waits_for_its_frame():
    """The old server's stream stalled on (5, 0); the new server, past that block, blacks out at (6, 3) as its
    first frames are on their way. The stall is the old server's: the blackout waits for the new server's (6, 3),
    its frames before it live. Where the stall made a change while the old numbering was on, the camera blacked
    out at once, over the old picture."""
    cam = PacedScreen()
    cam.push(5, 0)
    cam.show(5, 0)
    cam.screen.heard({"screen": "live", "screen_at": [5, 0], "block": 6})
    cam.tick(30.0)
    assert cam.pacer.stats.stalled
    cam.screen.heard({"screen": "live", "screen_at": [1, 0], "block": 7})  # before the last change: restarted
    cam.screen.heard({"screen": "blackout", "screen_at": [6, 3], "block": 7})
    assert (cam.screen.screen, cam.screen.waiting()) == ("live", 2)  # its live at (1, 0) too: its frames make it
    cam.tick(1.0)
    assert (cam.screen.screen, cam.screen.waiting()) == ("live", 2)
    cam.push(6, *range(12))
    cam.show(6, 2)
    assert (cam.screen.screen, cam.screen.waiting()) == ("live", 1)
    cam.show(6, 3)
    assert (cam.screen.screen, cam.screen.waiting()) == ("blackout", 0)


def test_a_screen_change_naming_a_frame_half_malformed_is_made_at_once():
    """A screen_at whose index is no count (a server of another version, a garbled message) names no frame: the
    change is made on arrival, as a server from before's. Where one good number of the two was enough (`all`
    turned `any`), the blackout waited for a frame (3, -1) that never comes."""
    for at in ([3, -1], [3, "x"], [True, 2]):
        screen = CamScreen()
        screen.heard({"screen": "blackout", "screen_at": at})
        assert (screen.screen, screen.waiting()) == ("blackout", 0), at


def test_a_server_that_has_made_no_block_yet_is_told_restarted():
    """A state of block 0 (a server restarted, its model still loading) says the frame on this camera is the old
    server's: its blackout at (0, 2) waits for its own frame. Where a count of 0 read as no count (`value >= 0`
    turned `>= 1`), the blackout was taken as long past the old (8, 3) and made at once."""
    on = [Shown(8, 3, 0.0)]
    screen = CamScreen(showing=lambda: (on[0], None))
    screen.shown(on[0])
    screen.heard({"screen": "live", "block": 0})
    screen.heard({"screen": "blackout", "screen_at": [0, 2], "block": 0})
    assert (screen.screen, screen.waiting()) == ("live", 1)


# --- the upload -------------------------------------------------------------------------------------------------


def _asking() -> tuple[Uploader, list, list]:
    """An uploader bound to a connection that takes every message, asking to send; not started."""
    said, sent = [], []
    up = Uploader(HandedFrames(), said.append)
    up.bind(lambda message: sent.append(message) or True, lambda: 0.0)
    up.connected()
    return up, said, sent


@pytest.mark.parametrize("width, height, fps", [(8192, 8192, 240.0), (1, 1, 0.1)])
def test_a_send_ok_at_the_edges_of_what_is_sent_starts_the_upload(width, height, fps):
    """8192 pixels a side and 0.1 to 240 frames a second are sent: a bound made strict (`<=` turned `<`) refused a
    server at that edge with 'not sending'."""
    up, said, _ = _asking()
    up.answer({"type": "send_ok", "width": width, "height": height, "fps": fps})
    assert up.state == "sending" and said and said[-1].startswith("sending test:frames as the server's input"), said


@pytest.mark.parametrize("width, height, fps", [(8193, 480, 12.0), (832, 0, 12.0), (832, 480, 241.0),
                                                (832, 480, 0.05)])
def test_a_send_ok_past_what_is_sent_is_said_and_nothing_is_sent(width, height, fps):
    """A size or a rate no camera upload could be (a server of another version, a garbled answer) is said in one
    line and the upload does not start: where that check was dropped, the uploader took 8193x480 and sent."""
    up, said, _ = _asking()
    up.answer({"type": "send_ok", "width": width, "height": height, "fps": fps})
    assert said == [f"the server asked for {width}x{height} at {fps:g} fps: not sending"]
    assert up.state == "asking"


def test_a_clip_that_gives_no_more_frames_says_so_and_frees_the_servers_input():
    """A clip's read failing is its end (a camera's is reopened): said once, the upload FAILED on the status line,
    and send_stop tells the server its input is free."""
    up, said, sent = _asking()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    up.start()
    try:
        up.capture.frames.put(None)
        assert wait_for(lambda: up.state == "failed", 30)
        assert wait_for(lambda: json.dumps({"type": "send_stop"}) in [m for m in sent if isinstance(m, str)], 30)
    finally:
        up.stop()
    assert "test:frames gives no more frames: the server's input stops here" in said, said
    assert not any("reopen" in line for line in said), said


def test_a_refused_upload_asks_again_5_s_after_the_refusal():
    """The refusal's line says 'asking again every 5 s': asked sooner, a server whose input another client holds
    got an ask (and the status line a flip to asking) twice as often as said."""
    now = [0.0]
    sent = []
    up = Uploader(HandedFrames(), lambda line: None, clock=lambda: now[0], wall=lambda: now[0])
    up.bind(lambda message: sent.append(message) or True, lambda: 0.0)
    up.connected()
    up.answer({"type": "send_refused", "message": "another client sends"})
    asks = len(sent)
    now[0] = 4.9
    up._ask_again()
    assert (len(sent), up.state) == (asks, "refused")
    now[0] = 5.0
    up._ask_again()
    assert (sent[asks:], up.state) == ([proto.text("send")], "asking")


def test_a_frame_encoded_as_the_upload_stops_never_follows_send_stop():
    """The upload stopped (a quit, a drop) while a frame was being encoded: send_stop went, and the frame must not
    follow it on the wire, as the server drops a client that sends frames it no longer takes. Where the state was
    not looked at again under the wire's lock, it did."""
    up, _, sent = _asking()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    encode = up._encode

    def stopped_meanwhile(frame, captured):
        message = encode(frame, captured)
        up._end("off")
        return message

    up._encode = stopped_meanwhile
    up.queue.put((np.zeros((16, 16, 3), np.uint8), 0.0))
    up.queue.close()
    up._send_loop()
    assert sent[-1] == proto.text("send_stop") and not any(isinstance(m, bytes) for m in sent), sent
    assert up.frames_sent == 0


def _sent_frames(up: Uploader, sent: list, *levels: int) -> list[int]:
    """Sends a frame of each level through the upload's sending loop (not started); their numbers as sent."""
    for level in levels:
        up.queue.put((np.full((16, 16, 3), level, np.uint8), 0.0))
    before = len(sent)
    up.queue.close()
    up._send_loop()
    up.queue = type(up.queue)(up.QUEUE)  # open again for the next connection
    return [proto.INPUT_HEADER.unpack_from(m)[1] for m in sent[before:] if isinstance(m, bytes)]


def test_an_uploads_frames_are_numbered_from_0_again_on_each_connection():
    """The server counts a sender's frames from its send_ok: where a reconnect's ask left the count where the last
    connection's ended, the first frame of the new connection was numbered 2."""
    up, _, sent = _asking()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    assert _sent_frames(up, sent, 10, 20) == [0, 1]
    up.disconnected()
    up.connected()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    assert _sent_frames(up, sent, 30) == [0]


def test_frames_captured_before_a_drop_are_not_sent_on_the_next_connection():
    """The frames waiting when the link dropped are of before it: where they were kept, the next connection's first
    frames up were seconds old."""
    up, _, sent = _asking()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    up.queue.put((np.full((16, 16, 3), 10, np.uint8), 0.0))
    up.disconnected()
    up.connected()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    assert _sent_frames(up, sent) == []


def test_a_frame_exactly_one_period_late_keeps_the_rate_gates_beat():
    """Late by exactly one frame's period is no gap: the next frame is due on the old beat. Where it counted as a
    gap (`> period` turned `>=`), the beat started over from it and the next frame, on time, was refused."""
    gate = RateGate(4.0)  # a period of 0.25 s, exact in binary
    assert gate.allow(0.0)
    assert gate.allow(0.5)  # due at 0.25: one period late
    assert gate.allow(0.625)  # due at 0.5 on the old beat


def test_at_the_lowest_quality_an_input_frame_over_the_limit_is_skipped_without_a_word(monkeypatch):
    """Quality goes down by 10 to MIN_QUALITY, and no further: a frame still too big there is skipped. Where the
    floor was reached once more (`>` turned `>=`), quality went to 20 and a line said so."""
    monkeypatch.setattr(proto, "MAX_MESSAGE", 16)
    up, said, _ = _asking()
    up.quality = Uploader.MIN_QUALITY
    assert up._encode(np.zeros((16, 16, 3), np.uint8), 0.0) is None
    assert up.quality == Uploader.MIN_QUALITY and said == []


def test_a_camera_reopened_lets_its_old_handle_go_first(monkeypatch):
    """A reopen (the camera unplugged and back) closes the capture it had before opening the device again: where
    the old one was kept open, a V4L2 camera was held twice, and the second open found it busy."""
    device = FakeDevice()
    monkeypatch.setattr(uploader_module, "open_device", lambda target, flag: device.open(target))
    capture = CvCapture(parse_input("camera:0"))
    try:
        assert capture.reopen()
        assert device.open_captures() == 1
    finally:
        capture.close()


@pytest.mark.parametrize("spec, named", [("camera:2", "cannot open camera 2"),
                                         ("camera", "cannot open camera the first camera (0)")])
def test_a_camera_that_cannot_be_opened_is_named(spec, named):
    """--send camera:2 names camera 2, not the first one (`or` turned `and` named them the other way round)."""
    assert named in _unopenable(parse_input(spec)).message


# --- vcam cam's last line ---------------------------------------------------------------------------------------


def test_a_cam_that_got_frames_but_no_whole_block_says_so_at_its_end():
    """Connected, frames came, but no block whole (the server stopped mid-block): said as such, not as a server that
    sent none or could not be reached."""
    link = SimpleNamespace(ever_connected=True, answered=None, broken=None, unreachable=None, frames=5)
    text = _no_frame_text(CamOptions(url="ws://gpu:8765"), link, SimpleNamespace(gave_up=False), recorded=False)
    assert text == ("no frame came from ws://gpu:8765: connected, but no whole block of frames came; exiting with "
                    "code 1")


def test_a_cam_the_server_turned_away_each_time_ends_on_the_servers_reason():
    """A server that let the camera in never, answering each try with its reason (too many clients), was said at
    the end as one that could not be reached, with no reason at all."""
    link = _link([])
    link._refusal(503, b"too many clients (16 connected, at most 16): close one, then connect again",
                  {"Content-Type": "text/plain"})
    text = _no_frame_text(CamOptions(url="ws://gpu:8765"), link, SimpleNamespace(gave_up=False), recorded=False)
    assert text == ("no frame came from ws://gpu:8765: the server answered HTTP 503: too many clients (16 connected, "
                    "at most 16): close one, then connect again; exiting with code 1")


def test_a_cam_turned_away_then_finding_nothing_listening_ends_on_the_later_reason():
    """Turned away once (too many clients), then vcam serve stopped: every later try found nothing listening, and
    the end's line still named the first refusal, after the status line had said nothing listens."""
    said: list[str] = []
    link = _link(said)
    link._refusal(503, b"too many clients (16 connected, at most 16): close one, then connect again",
                  {"Content-Type": "text/plain"})
    link._closed(None, False, ConnectionRefusedError(111, "Connection refused"))
    text = _no_frame_text(CamOptions(url="ws://gpu:8765"), link, SimpleNamespace(gave_up=False), recorded=False)
    assert "HTTP 503" not in text and link.unreachable is not None and link.unreachable in text, (text, said)


def test_a_cam_that_failed_before_it_was_turned_away_ends_on_what_the_last_tries_found():
    """A first try that timed out (the GPU machine still booting), then a refusal, then vcam serve stopped: the end's
    line named the timeout, older than the refusal, and the terminal never said that nothing listened."""
    said: list[str] = []
    link = _link(said)
    reported = link._closed(None, False, TimeoutError())
    link._refusal(503, b"too many clients (16 connected, at most 16): close one, then connect again",
                  {"Content-Type": "text/plain"})
    link._closed(None, reported, ConnectionRefusedError(111, "Connection refused"))
    text = _no_frame_text(CamOptions(url="ws://gpu:8765"), link, SimpleNamespace(gave_up=False), recorded=False)
    refused = unreachable(link.url, ConnectionRefusedError(111, "Connection refused"))
    assert link.unreachable == refused and refused in text and "HTTP 503" not in text, text
    assert said[-1].startswith(f"cannot reach the server: {refused}"), said


def test_a_cam_turned_away_keeps_the_reason_over_a_try_closed_before_anything_answered():
    """A try the library saw closed with nothing said (its race hides what came first) tells nothing new: the
    server's reason stays the end's line."""
    link = _link([])
    link._refusal(503, b"too many clients (16 connected, at most 16): close one, then connect again",
                  {"Content-Type": "text/plain"})
    closed = InvalidMessage("did not receive a valid HTTP response")
    closed.__cause__ = EOFError("connection closed while reading HTTP status line")
    link._closed(None, False, closed)
    assert CLOSED_UNANSWERED in link.unreachable
    text = _no_frame_text(CamOptions(url="ws://gpu:8765"), link, SimpleNamespace(gave_up=False), recorded=False)
    assert "HTTP 503: too many clients" in text, text


def test_quit_typed_while_the_server_cannot_be_reached_ends_the_cam_without_a_not_connected_line(camera):
    """`quit` is this camera's own: where it read as a command the link could not send, vcam cam said 'not
    connected: quit will be sent if the server is back within 10 s' as it ended."""
    status, typed = io.StringIO(), Pipe()
    opts = CamOptions(url=f"ws://127.0.0.1:{free_port()}", outs=["vcam"], size=(112, 64), commands=typed.reader,
                      status_out=status)
    thread, errors = in_thread(run_cam, opts)
    try:
        assert wait_for(lambda: "cannot reach the server" in status.getvalue(), 60), status.getvalue()
    finally:
        typed.send("quit")
        thread.join(60)
    assert not thread.is_alive() and not errors, errors
    assert "not connected: quit" not in status.getvalue(), status.getvalue()
