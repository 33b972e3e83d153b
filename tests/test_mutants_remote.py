"""Edges of the link of `vcam cam`, its upload, and `vcam serve`'s side of the connection that no test pinned: each
test fails where the code is changed in the way its docstring says."""
import json
import socket
import threading
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from fake_capture import WEBCAM, FakeDevice, HandedFrames
from helpers import in_thread, loopback_port, wait_for, write_clip, ws_served
from test_mutants_link import _asking, _connected, _link
from test_remote_clocks import DELAY_S, Show
from test_remote_failures import _a_picture, _damaged
from vcam.inspec import parse_input
from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote import protocol as proto
from vcam.remote import link as link_module
from vcam.remote import uploader as uploader_module
from vcam.remote.admission import peer
from vcam.remote.answers import answer
from vcam.remote.controller import RemoteController
from vcam.remote.intake import ConsumptionRate, Intake
from vcam.remote.link import Link
from vcam.remote.server import FrameServer, ServeSettings, _what_cameras_do
from vcam.remote.uploader import CvCapture, RateGate, Uploader


def _camera(monkeypatch, device: FakeDevice) -> CvCapture:
    """--send camera:0, opened on `device`, settling in a mode for a few reads at most."""
    monkeypatch.setattr(uploader_module, "open_device", lambda target, flag: device.open(target))
    return CvCapture(parse_input("camera:0"), settle_s=0.05)


# --- the link -----------------------------------------------------------------------------------------------------


def _started_link(url: str, said: list, open_s: float = Link.OPEN_S) -> Link:
    link = Link(url, None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link.OPEN_S = open_s
    link.start()
    return link


def test_an_assertion_failing_after_the_server_let_the_camera_in_is_said_at_once(monkeypatch):
    """Only a try that fails with the library's AssertionError before the server let the camera in is its handshake
    race, passed over in silence; one after (the server's first message could not be taken) is said on the first
    try, where counted as a race it went unsaid for four tries."""
    def unreadable(ws, seconds):
        raise AssertionError("no state")

    monkeypatch.setattr(link_module, "first_message", unreadable)
    said: list[str] = []
    with ws_served(lambda ws: ws.recv()) as url:
        link = _started_link(url, said)
        try:
            assert wait_for(lambda: link.tries >= 1, 60)
            assert said and said[0].startswith("the server cannot be used"), said
        finally:
            link.stop()


def test_a_quit_during_the_handshake_with_a_server_that_never_answers_ends_the_link_at_once():
    """Something took the connection and never answers the WebSocket handshake: a quit shuts the socket being
    opened, and the link's thread ends within the stop, where it waited for the handshake's own bound."""
    asked = threading.Event()
    hold = threading.Event()

    def silent(conn):
        conn.recv(65536)  # the handshake's request, never answered
        asked.set()
        hold.wait(60)

    with loopback_port(silent) as url:
        link = _started_link(url, [], open_s=60.0)
        try:
            assert asked.wait(60)
            link.stop()
            assert not link._thread.is_alive()
        finally:
            hold.set()
            link.stop()


def test_a_token_refusal_is_forgotten_once_a_later_try_fails_otherwise():
    """The server, restarted with another token, refused the camera; then it went away: the status line says the
    server cannot be reached ("RECONNECTING"), not still "TOKEN REFUSED" from a server no longer there."""
    tries = []

    def refuses_then_gone(conn):
        tries.append(conn.recv(65536))
        if len(tries) == 1:
            conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n")

    said: list[str] = []
    with loopback_port(refuses_then_gone) as url:
        link = Link(url, "old", Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
        link.ever_connected = True  # let in before, in this run
        link.start()
        try:
            assert wait_for(lambda: link.tries >= 2, 60), said
            assert any(line.startswith("the server now refuses the token") for line in said), said
            assert not link.token_refused
        finally:
            link.stop()


class _Bound:
    """An uploader as the link starts it: what it is bound to is kept."""

    def bind(self, send, offset) -> None:
        self.offset = offset

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def disconnected(self) -> None:
        pass


def test_the_upload_stamps_its_frames_with_the_offset_the_link_measured(monkeypatch):
    """The camera's clock is 34188 s off the server's: the upload is bound to the link's measure of it, where
    bound to none its frames were stamped hours old (or new) on the server, and its input showed stalled."""
    show = Show(monkeypatch)
    show.ping()
    upload = _Bound()
    show.link.uploader = upload
    show.link.start()
    show.link.stop()
    assert upload.offset() == show.link.offset == pytest.approx(812.0 - 35_000.0, abs=0.01)


def test_each_try_forgets_the_last_servers_clock(monkeypatch):
    """After a drop, the next server may be another one (or the same, rebooted) counting its clock from another
    start: each try forgets the last one's offset, so the new server's first frames, before its pong, leave the
    latency as it was, where they were read against the old offset as days of latency."""
    show = Show(monkeypatch)
    show.ping()
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)
    show.link.start()
    try:
        assert wait_for(lambda: show.link.tries >= 1, 60)
    finally:
        show.link.stop()
    show.server.mono = 3.0  # a server just booted
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)


def test_a_new_connection_answers_only_its_own_commands():
    """A press counted on the last connection after its loss was said (a write that finished late) is no command
    of the new one: where the count was not cleared as the new one began, the server's answers were matched one
    command off, and its next drop named a press it never had."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    link._connection_lost()
    link._unanswered.sent("preset 9", 0.0)  # the late write's count
    _connected(link)
    assert link.send_line("preset 2")
    link._connection_lost()
    lost = [line for line in said if "had not answered" in line]
    assert len(lost) == 1 and lost[0].startswith("the server had not answered preset 2 when"), said


def test_a_connection_that_holds_after_two_that_dropped_as_they_opened_is_said():
    """Two connections dropped as they opened, so the third's 'connected to' waits until it holds: then it is said,
    with the two counted, where only three or more were and the camera never said it was connected."""
    now = [100.0]
    said: list[str] = []
    link = _link(said, clock=lambda: now[0])
    for _ in range(2):
        _connected(link)
        link._say_lost("the server closed the connection")
        link._connection_lost()
    _connected(link)
    now[0] += Link.HELD_S
    assert link._holds()
    assert said[-1] == "connected to ws://127.0.0.1:9: the connection holds now, after 2 that dropped as they opened"


# --- the upload's camera ----------------------------------------------------------------------------------------


def test_a_camera_of_one_size_asked_for_another_mode_says_what_it_gives_once(monkeypatch):
    """A loopback device gives its one size at any mode asked: the second ask has nothing new to say. Where the line
    was not compared with the one said (or not kept), each server size said the same line again."""
    device = FakeDevice(size=(1920, 1080))
    cap = _camera(monkeypatch, device)
    try:
        assert cap.fit_mode(832, 480) == "camera:0 gives 1920×1080"
        assert cap.fit_mode(416, 240) is None
        assert len(device.opened) == 1 and not device.opened[0].released
    finally:
        cap.close()


def test_a_camera_that_gives_nothing_in_any_mode_is_let_go_as_the_mode_is_asked(monkeypatch):
    """A camera that stops giving frames as the server's mode is asked (and in its own mode again) is closed: the
    next read fails, and it is reopened as one unplugged. Where it was kept, the device stayed held by a capture
    that gives nothing."""
    device = FakeDevice(modes=WEBCAM)
    cap = _camera(monkeypatch, device)
    try:
        device.gives_frames = False
        assert cap.fit_mode(832, 480) is None
        assert device.open_captures() == 0
        assert cap.read() is None
    finally:
        cap.close()


def test_a_camera_that_does_not_open_again_is_opened_once_and_not_asked_for_a_mode(monkeypatch):
    """Unplugged after the server's size was known: each reopen try opens the device once and asks it nothing.
    Where a capture that did not open was asked for the mode anyway, each try opened the device a second time; where
    it was not released, OpenCV's handle was left to the garbage collector."""
    device = FakeDevice(modes=WEBCAM)
    cap = _camera(monkeypatch, device)
    try:
        assert cap.fit_mode(832, 480)
        device.plugged = False
        before = len(device.opened)
        assert not cap.reopen()
        assert len(device.opened) == before + 1 and device.opened[-1].asked == []
        assert device.opened[-1].released
    finally:
        cap.close()


def test_a_camera_back_but_giving_nothing_in_any_mode_is_not_left_held(monkeypatch):
    """Reopened after the server's size was known, the camera opens but gives no frame in the mode asked nor in its
    own: the try fails and the device is let go, where it stayed held by a capture no one would read or release."""
    device = FakeDevice(modes=WEBCAM)
    cap = _camera(monkeypatch, device)
    try:
        assert cap.fit_mode(832, 480)
        device.gives_frames = False
        assert not cap.reopen()
        assert device.open_captures() == 0
    finally:
        cap.close()


class _Clock:
    """A clock that a sleep moves on, with each sleep kept."""

    def __init__(self):
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _clip(tmp_path, fps: float, clock: _Clock) -> CvCapture:
    path = write_clip(tmp_path / "clip.avi", count=10, fps=fps)
    return CvCapture(parse_input(f"file:{path}"), clock=clock, sleep=clock.sleep)


@pytest.mark.parametrize("fps, period", [(10, 0.1), (480, 1 / 30)])
def test_a_sent_clip_is_read_at_its_own_rate_or_30_frames_a_second_past_240(tmp_path, fps, period):
    """A clip is read at its own frame rate: the second read waits one period. A rate past 240 frames/s (a clip's
    header that cannot be right) is read at 30: where the bound was dropped, it was read as fast as it claimed; where
    the wait was dropped, a clip was read as fast as it decodes."""
    clock = _Clock()
    cap = _clip(tmp_path, fps, clock)
    try:
        assert cap.read() is not None and clock.sleeps == []
        assert cap.read() is not None
        assert clock.sleeps == [pytest.approx(period)]
    finally:
        cap.close()


def test_a_sent_clip_read_late_by_a_second_starts_its_beat_over_rather_than_catch_up(tmp_path):
    """The machine stalled for a second between two reads: the frames after it come at the clip's rate again
    after one, not in a burst of the ten frames the second held."""
    clock = _Clock()
    cap = _clip(tmp_path, 10, clock)
    try:
        cap.read()
        clock.now += 1.0
        for _ in range(4):
            assert cap.read() is not None
        assert clock.sleeps == [pytest.approx(0.1)] * 2
    finally:
        cap.close()


def test_a_sent_camera_waits_for_its_frames_by_itself_and_a_failed_read_is_no_clips_end(monkeypatch):
    """A camera's read is paced by the camera: never slept for here. A failed read is the camera lost, not a clip
    at its end to be read again from its start (a second wait on a device that is gone)."""
    clock = _Clock()
    device = FakeDevice()
    monkeypatch.setattr(uploader_module, "open_device", lambda target, flag: device.open(target))
    cap = CvCapture(parse_input("camera:0"), clock=clock, sleep=clock.sleep)
    try:
        assert cap.read() is not None and cap.read() is not None
        assert clock.sleeps == []
        device.plugged = False
        assert cap.read() is None
        assert all(prop != cv2.CAP_PROP_POS_FRAMES for prop, _ in device.opened[0].asked)
    finally:
        cap.close()


def test_a_frame_on_the_rate_gates_beat_goes_through():
    """A frame that comes exactly when the next is due is let through: where `<` turned `<=`, a camera whose
    rate is the server's had every other frame refused, and half the rate went up."""
    gate = RateGate(4.0)  # a period of 0.25 s, exact in binary
    assert gate.allow(0.0)
    assert gate.allow(0.25)
    assert gate.allow(0.5)


def test_an_upload_that_failed_stays_failed_across_a_reconnect():
    """A clip that gave no more frames ended the upload for good: after the link drops and comes back, the status
    line still says it failed and no `send` is asked, where it went back to off and asked again with nothing to
    send."""
    frames, said, sent = HandedFrames(), [], []
    up = Uploader(frames, said.append)
    up.bind(lambda message: sent.append(message) or True, lambda: 0.0)
    up.start()
    try:
        up.connected()
        up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
        frames.frames.put(None)
        assert wait_for(lambda: up.state == "failed", 60), said
        up.disconnected()
        assert up.state == "failed"
        asked = sent.count(proto.text("send"))
        up.connected()
        assert up.state == "failed" and sent.count(proto.text("send")) == asked
    finally:
        up.stop()


@pytest.mark.parametrize("width, height", [(0, 480), (832, 8193)])
def test_a_send_ok_of_no_width_or_too_tall_is_said_and_nothing_is_sent(width, height):
    """A width of 0 or a height past 8192 is no stream a camera can be fitted to: said, and the upload does not
    start, where a bound moved took it and sent."""
    up, said, _ = _asking()
    up.answer({"type": "send_ok", "width": width, "height": height, "fps": 12.0})
    assert said == [f"the server asked for {width}x{height} at 12 fps: not sending"]
    assert up.state == "asking"


def test_an_upload_is_fitted_to_the_servers_stream_as_the_server_says():
    """The server's send_ok names its fit: a wide camera letterboxed into a square stream keeps black bands above
    and below, where the fit was ignored and every upload cropped."""
    up, _, sent = _asking()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0, "fit": "letterbox"})
    up.queue.put((np.full((16, 32, 3), 200, np.uint8), 0.0))
    up.queue.close()
    up._send_loop()
    [message] = [m for m in sent if isinstance(m, bytes)]
    _, frame = proto.decode_input(message, (16, 16))
    assert frame[0].max() < 40 and frame[8].min() > 150


def test_a_refusal_after_the_upload_was_let_in_is_said_again():
    """Refused, then let in, then refused again (another camera took the input meanwhile): the second refusal is
    said too, where getting in did not clear the first's mark and it went unsaid."""
    up, said, _ = _asking()
    refused = {"type": "send_refused", "message": "another client sends"}
    up.answer(refused)
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    up.answer(refused)
    assert sum(line.startswith("the server does not take this client's input") for line in said) == 2, said


def test_a_second_send_ok_while_sending_says_nothing_new():
    """A send_ok that comes while the upload is already sending (a server that answers again) changes what is
    sent without a second 'sending ... as the server's input' line."""
    up, said, _ = _asking()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    up.answer({"type": "send_ok", "width": 32, "height": 16, "fps": 12.0})
    assert sum(line.startswith("sending test:frames") for line in said) == 1, said


class _ReadCutByStop(HandedFrames):
    """A capture whose read raises once it is interrupted, as OpenCV may as a capture is let go under it."""

    def __init__(self):
        super().__init__()
        self.reading = threading.Event()
        self._cut = threading.Event()

    def read(self):
        self.reading.set()
        assert self._cut.wait(60)
        raise RuntimeError("capture released")

    def interrupt(self) -> None:
        self._cut.set()


def test_a_capture_that_fails_as_the_upload_stops_says_nothing():
    """vcam cam quitting interrupts a read, which may raise: the show is ending, and no 'its capture failed ... run
    with VCAM_DEBUG=1' line comes after Ctrl-C."""
    capture, said = _ReadCutByStop(), []
    up = Uploader(capture, said.append)
    up.start()
    try:
        assert capture.reading.wait(60)
    finally:
        up.stop()
    assert not up._threads[0].is_alive() and said == []


class _Replugged(HandedFrames):
    """A camera whose frames the test hands in, that can be reopened once it failed."""

    name, live = "camera:0", True

    def reopen(self) -> bool:
        return True

    def interrupt(self) -> None:
        self.frames.put(None)  # the read waiting ends


def test_the_frame_that_finds_a_camera_back_is_the_first_one_sent():
    """The read that finds a replugged camera back gives a picture: it goes up, where it was dropped and the
    server's input waited for the camera's next frame (for a camera that gives one frame a minute, that long)."""
    capture, said, sent = _Replugged(), [], []
    up = Uploader(capture, said.append)
    up.REOPEN_S = 0.01
    up.bind(lambda message: sent.append(message) or True, lambda: 0.0)
    up.connected()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    capture.frames.put(None)
    capture.frames.put(np.full((16, 16, 3), 200, np.uint8))
    up.start()
    try:
        assert wait_for(lambda: up.frames_sent == 1, 60), said
        assert "camera:0 is back" in said
    finally:
        up.stop()


def test_an_upload_stops_while_its_frame_is_stuck_on_a_dead_link():
    """A frame's write blocked on a link that dropped holds the wire: vcam cam's quit waits for it a moment, then
    ends without the send_stop it cannot write (the connection's close frees the server's input), where it waited
    for the write for as long as TCP took to give up."""
    capture, said, sent = HandedFrames(), [], []
    writing, freed = threading.Event(), threading.Event()

    def send(message) -> bool:
        if isinstance(message, bytes):
            writing.set()
            freed.wait(60)
        sent.append(message)
        return True

    up = Uploader(capture, said.append)
    up.STOP_WAIT_S = up.JOIN_S = 0.05
    up.bind(send, lambda: 0.0)
    up.connected()
    up.answer({"type": "send_ok", "width": 16, "height": 16, "fps": 12.0})
    up.start()
    stopping = None
    try:
        capture.frames.put(np.full((16, 16, 3), 90, np.uint8))
        assert writing.wait(60)
        stopping, errors = in_thread(up.stop)
        stopping.join(60)
        assert not stopping.is_alive() and errors == []
        assert proto.text("send_stop") not in sent and up.state == "off"
    finally:
        freed.set()
        capture.frames.put(None)
        if stopping is not None:
            stopping.join(60)
        up.stop()


# --- vcam serve ---------------------------------------------------------------------------------------------------


def test_a_state_one_byte_past_what_a_camera_takes_is_said_to_disconnect_the_cameras():
    """Past the bytes vcam cam's connection takes, every camera is disconnected by the state; at the limit, the
    cameras only drop it. Where the limit was moved, a state past it was said as one the cameras merely drop."""
    assert _what_cameras_do("x" * proto.MAX_RECEIVED) == "cameras drop it and miss the show's changes"
    assert _what_cameras_do("x" * (proto.MAX_RECEIVED + 1)).startswith("cameras cannot take it")


class _Uploads:
    def push(self, frame, at=None) -> None:
        pass


class _Sender:
    name, role = "laptop:1", "control"

    def offer_latest(self, kind, message) -> None:
        pass


def test_damaged_input_frames_not_yet_counted_are_counted_at_the_stop(local_servers):
    """Damaged input frames are said once, then counted once a minute: the count still held back when the show
    ends is said by the stop, where it was lost with the watch that says it each minute."""
    server = local_servers(uploads=_Uploads(), input_size=(112, 64))
    client = _Sender()
    assert '"send_ok"' in server.intake.ask(client)
    for seq in range(3):
        server.intake.frame(client, _damaged(proto.encode_input(_a_picture(), seq, 0.0), proto.INPUT_HEADER.size,
                                             "cut"))
    server.stop()
    assert f"2 more like it: skipped an input frame from laptop:1: {proto.CORRUPT}" in server.said, server.said


def test_a_client_that_leaves_has_its_sending_thread_ended(local_server):
    """A camera that quits ends its connection: the thread that sent to it ends too, where it waited for frames to
    send for ever, one more thread for each camera that came and went."""
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{local_server.port}", proxy=None, open_timeout=30) as ws:
        ws.send(proto.text("ping", t=0.0))
        assert wait_for(lambda: len(local_server.clients) == 1, 60)
        [client] = local_server.clients
    try:
        assert wait_for(lambda: not local_server.clients, 60), local_server.said
        client._thread.join(60)
        assert client.closed and not client._thread.is_alive()
    finally:
        client.close()  # no thread left behind where it was not


@pytest.mark.parametrize("frames, seconds, fps", [(1, 9.0, ConsumptionRate.LOW), (12, 0.01, ConsumptionRate.HIGH)])
def test_the_rate_the_show_consumes_is_held_between_1_and_60_frames_a_second(frames, seconds, fps):
    """Two blocks close together (a burst after a stall) or far apart (a slow card) measure a rate past what a
    sender is asked for: held at 60 or 1, where unbounded a sender was asked for 1200 frames a second, or 0.1."""
    now = [0.0]
    rate = ConsumptionRate(lambda: now[0])
    rate.block(12)
    now[0] += seconds
    assert rate.block(frames) == fps


def test_a_peer_whose_address_has_no_host_and_port_is_named_by_a_question_mark():
    """A connection whose address reads as no (host, port) pair (a socket of another family) is named "?", where
    the handshake's check failed on it."""
    assert peer(SimpleNamespace(remote_address="")) == "?"


def _turned_away(port: int) -> bytes:
    """What a connection to a full listener is answered before it is closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def test_connections_turned_away_and_not_yet_counted_are_counted_at_the_stop(local_server):
    """Connections past what may be open at once are turned away, said once, then counted once a minute: the
    count still held back as the show ends is said by the stop, where it was lost."""
    local_server._listener.most = 1
    with socket.create_connection(("127.0.0.1", local_server.port), timeout=60):  # the one open, silent
        assert wait_for(lambda: local_server._listener.open_now() == 1, 60)
        for _ in range(3):
            assert _turned_away(local_server.port).startswith(b"HTTP/1.1 503")
        local_server.stop()
    assert any(line.startswith("2 more like it: closed a connection as it came") for line in local_server.said), \
        local_server.said


def test_damaged_input_frames_not_yet_counted_are_counted_as_their_sender_leaves(local_servers):
    """A sender whose input frames came damaged leaves: the count of those not said yet is said then, where it
    waited for the next minute's round, or for the show's end."""
    from websockets.sync.client import connect

    server = local_servers(uploads=_Uploads(), input_size=(112, 64))
    with connect(f"ws://127.0.0.1:{server.port}", proxy=None, open_timeout=30) as ws:
        ws.send(proto.text("send"))
        assert wait_for(lambda: server.intake.sender is not None, 60)
        name = server.intake.sender.name
        for seq in range(3):
            ws.send(_damaged(proto.encode_input(_a_picture(), seq, 0.0), proto.INPUT_HEADER.size, "cut"))
        assert wait_for(lambda: f"skipped an input frame from {name}: {proto.CORRUPT}" in server.said, 60)
    line = f"2 more like it: skipped an input frame from {name}: {proto.CORRUPT}"
    assert wait_for(lambda: line in server.said, 60), server.said


def test_blocks_exactly_a_pause_apart_measure_the_rate():
    """Up to PAUSE_S between two blocks is the show's rate (a slow card); only a longer gap is a pause. Where exactly
    PAUSE_S was taken for a pause, such a show's sender was asked for the start's 12 frames a second."""
    now = [0.0]
    rate = ConsumptionRate(lambda: now[0])
    rate.block(12)
    now[0] += ConsumptionRate.PAUSE_S
    assert rate.block(12) == pytest.approx(1.2)


class _Pushed:
    """The show's uploads: the capture time each frame was pushed with."""

    def __init__(self):
        self.at: list[float] = []

    def push(self, frame, at=None) -> None:
        self.at.append(at)


@pytest.mark.parametrize("captured, age", [(1000.0 - 120.0, 60.0), (1000.0 + 5.0, 0.0)])
def test_an_input_frame_is_at_most_a_minute_old_and_never_from_the_future(captured, age):
    """A capture stamped two minutes back is a clock gone wrong: taken as a minute old, not older; one stamped in the
    future (the clocks' offset measured off) is taken as new, not as coming seconds from now."""
    uploads, client = _Pushed(), _Sender()
    intake = Intake(uploads, None, lambda line: None, size=(112, 64), clock=lambda: 500.0, wall=lambda: 1000.0)
    assert '"send_ok"' in intake.ask(client)
    intake.frame(client, proto.encode_input(_a_picture(), 0, captured))
    assert uploads.at == [500.0 - age]


def test_a_sender_that_asks_again_is_answered_again():
    """The sender asks again (its send_ok lost to it, or a second ask on the same connection): it is answered with
    the stream's size again, where it was left waiting for an answer that never came."""
    client = _Sender()
    intake = Intake(_Uploads(), None, lambda line: None, size=(112, 64))
    assert '"send_ok"' in intake.ask(client)
    assert '"send_ok"' in intake.ask(client)


def test_a_client_served_as_the_show_ended_reads_no_state_of_the_stopped_show():
    """A camera let in as the stop began was told the last state by the stop: its own first state is not read from
    the show once it ended, where its snapshot was read after the show's side had closed."""
    reads, offered = [], []
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: reads.append(1) or {},
                          lambda line: None)
    server.stop()
    reads.clear()  # the stop's own last state
    server._first_state(SimpleNamespace(offer_state=lambda message, number: offered.append(message)))
    assert reads == [] and offered == []


def test_a_sender_is_told_a_rate_that_moved_by_more_than_15_percent():
    """The show's rate fell from the start's 12 to 10 frames a second (17 %): the sender is told it, where a
    threshold moved up kept it sending a fifth more frames than the show takes."""
    now, told = [0.0], []
    client = SimpleNamespace(name="laptop:1", role="control", offer_latest=lambda kind, message: told.append(message))
    intake = Intake(_Uploads(), None, lambda line: None, size=(112, 64), clock=lambda: now[0])
    assert '"fps": 12.0' in intake.ask(client)
    block = np.zeros((12, 64, 112, 3), np.uint8)
    intake.published(block)
    now[0] += 1.2
    intake.published(block)
    assert len(told) == 1 and '"fps": 10.0' in told[0], told


def test_the_blocks_the_server_publishes_tell_a_camera_their_usual_gap():
    """A camera's first pong carries the usual gap between the server's blocks, learned from those it publishes, so
    that a server slower than the stall wait is not read as stalled between its first blocks."""
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, lambda line: None)
    try:
        block = np.zeros((12, 48, 64, 3), np.uint8)
        server.publish(block)
        server.publish(block)
        pong = json.loads(answer(server, proto.text("ping", t=0.0), None))
        assert "block_s" in pong, pong
    finally:
        server.stop()


def test_the_status_line_says_the_upload_in_kilobytes_of_1024_and_its_first_frame_awaited():
    """The server's status line: "no frame yet" until the sender's first frame, then its rate in KB/s (of 1024
    bytes) since the last line."""
    now = [0.0]
    client = _Sender()
    intake = Intake(_Uploads(), None, lambda line: None, size=(112, 64), clock=lambda: now[0], wall=lambda: 0.0)
    intake.ask(client)
    assert intake.describe() == "input from laptop:1    0 KB/s, no frame yet"
    message = proto.encode_input(_a_picture(), 0, 0.0)
    intake.frame(client, message)
    now[0] += 0.01
    assert intake.describe() == f"input from laptop:1 {len(message) / 1024 / 0.01:4.0f} KB/s, 0.01 s old"


def test_a_sender_the_show_ends_for_is_not_said_to_leave():
    """At the stop, the sender's input is free for no one: no line says so, where a line "client laptop:1 None" came
    with the show's end."""
    said: list[str] = []
    client = _Sender()
    intake = Intake(_Uploads(), None, said.append, size=(112, 64))
    intake.ask(client)
    intake.left(client, ending=True)
    assert said == ["client laptop:1 sends the input"] and intake.sender is None


def test_a_state_one_character_past_what_a_camera_reads_is_said_once():
    """The show's state one character over what vcam cam reads is said on the server's terminal, once, where a limit
    moved let states a little over it go unsaid while every camera dropped them."""
    said: list[str] = []
    empty = len(proto.text("state", presets=""))
    state = {"presets": "x" * (proto.MAX_SERVER_TEXT + 1 - empty)}
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", lambda: state, said.append)
    try:
        server.broadcast_state()
        server.broadcast_state()
        assert len(proto.text("state", **state)) == proto.MAX_SERVER_TEXT + 1
        assert sum(line.startswith("the show's state is") for line in said) == 1, said
    finally:
        server.stop()


def test_the_servers_status_line_has_no_latency_until_a_client_reports_one():
    """A client that has not reported its latency yet has none: the status line says "-", where it read as a client
    with no latency at all (0.0 s)."""
    server = FrameServer(ServeSettings(port=0), lambda line, source: "ok", dict, lambda line: None)
    try:
        server.clients.append(SimpleNamespace(bytes=0, latency=None))
        assert "| latency - |" in server.describe() + " |", server.describe()
    finally:
        server.clients.clear()
        server.stop()
