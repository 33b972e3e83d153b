"""Frames held to a slow link's pace: a vcam cam says what it got, and vcam serve keeps no more on the way than its
link carries in about a second, where the buffers on the way (an ssh tunnel's window) took them all at once and
the camera fell further behind the show every minute."""
from __future__ import annotations

import json
import threading
import time

import numpy as np

from helpers import wait_for
from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote import protocol as proto
from vcam.remote.answers import answer
from vcam.remote.controller import RemoteController
from vcam.remote.inflight import ACK_WINDOW_S, GIVE_UP_S, PROBE_S, RATE_S, STALE_S, InFlight
from vcam.remote.link import Link
from vcam.remote.served import ServedClient

FPS, FRAME_BYTES = 30, 3300  # the tiny model's 112x64 stream
LINK_BYTES_S = 30_000  # a link that carries a quarter of it


def _lateness(acks: bool, seconds: float = 60.0) -> list[float]:
    """How late each frame reaches the camera over the slow link behind buffers that take anything at once: the
    server sends a frame whenever the in-flight rule lets it (the newest made; the older ones wait and go in its
    queue), the link carries LINK_BYTES_S, and the camera says each frame it got where `acks`."""
    flight, step = InFlight(), 1 / FPS
    buffered: list[tuple[int, float]] = []  # (seq, made at) in the buffers on the way
    carried, late, seq = 0.0, [], 0
    for tick in range(int(seconds * FPS)):
        now = tick * step
        seq += 1
        if flight.may_send(now):
            flight.sent(seq, FRAME_BYTES, now)
            buffered.append((seq, now))
        carried += LINK_BYTES_S * step
        while buffered and carried >= FRAME_BYTES:
            carried -= FRAME_BYTES
            got, made = buffered.pop(0)
            late.append(now - made)
            if acks:
                flight.got(got, now)
    return late


def test_a_camera_that_says_what_it_got_stays_about_a_second_behind_on_a_slow_link():
    late = _lateness(acks=True)
    assert max(late[-100:]) <= ACK_WINDOW_S + 2 / FPS, max(late[-100:])
    assert len(late) >= 0.9 * 60 * LINK_BYTES_S / FRAME_BYTES  # the link is used, not starved


def test_a_camera_that_says_nothing_gets_every_frame_at_once_as_before():
    late = _lateness(acks=False)
    assert late[-1] > 30.0  # the buffers take all: what a vcam cam from before gets, as it always did


def _after_pause(after_bytes_s: float, rtt: float = 0.2) -> list[tuple[float, float]]:
    """A stream of 30 kB frames at 30 fps over a link of 1 MB/s with a round trip of `rtt`, paused from 10 s to 15 s
    (a freeze, a show between scenes), the link carrying `after_bytes_s` after it, stepped by the millisecond: when
    each frame reached the camera, and how long it was on the way (the delay the buffers add, which the window
    bounds)."""
    flight, step, size = InFlight(), 0.001, 30_000
    queue: list[int] = []
    link: list[list] = []  # [seq, sent at, bytes still to carry]
    answers: list[tuple[float, int]] = []  # (when the server reads it, seq)
    arrived: list[tuple[float, float]] = []  # (when, how long it was on the way)
    seq, made_at = 0, 0.0
    for tick in range(25_000):
        now = tick * step
        if now >= made_at - 1e-9:
            made_at += 1 / 30
            if not 10.0 <= now < 15.0:
                seq += 1
                queue.append(seq)
        while answers and answers[0][0] <= now + 1e-9:
            flight.got(answers.pop(0)[1], now)
        while queue and flight.may_send(now):
            flight.sent(queue[0], size, now)
            link.append([queue.pop(0), now, float(size)])
        budget = (1_000_000 if now < 15.0 else after_bytes_s) * step
        while link and budget > 0:
            carried = min(budget, link[0][2])
            link[0][2] -= carried
            budget -= carried
            if link[0][2] <= 1e-6:
                got, sent, _ = link.pop(0)
                arrived.append((now + rtt / 2, now + rtt / 2 - sent))
                answers.append((now + rtt, got))
    return arrived


def test_the_first_frames_after_a_pause_go_at_the_pace_the_link_had_before_it():
    """The rate fell to nothing over the pause, and the frames after it went one at a time under the smallest
    window, each waiting for the answer to the one before: 5 frames of 30 in the first second over a 200 ms round
    trip."""
    first = sum(1 for at, _ in _after_pause(1_000_000) if 15.0 <= at < 16.0)
    assert first >= 24, first


def test_a_link_that_slowed_during_a_pause_is_held_to_its_new_pace_again():
    """The rate kept over the pause gives way to what the link carries after it: the delay stays bounded."""
    on_way = max(on_way for at, on_way in _after_pause(250_000) if at >= 22.0)
    assert on_way <= ACK_WINDOW_S + 2 * 30_000 / 250_000, on_way


def test_a_link_that_became_far_slower_during_a_pause_brings_no_frame_more_than_a_few_seconds_late():
    """The rate kept over the pause let a second's worth of it on the way at once: over a link 33 times slower
    after it, the frames reached the camera up to 28 s late for half a minute (10 s late 10 s after the pause, and
    later with each frame). Now only what that rate carries in PROBE_S goes before the first frame's answer tells
    what the link carries: N times slower, about N × PROBE_S late at most."""
    arrived = [(at, on_way) for at, on_way in _after_pause(30_000) if at >= 15.0]
    assert max(on_way for _, on_way in arrived) <= 33 * PROBE_S + 1.0 + 0.2, arrived  # and a frame's own second
    assert max(on_way for at, on_way in arrived if at >= 20.0) <= 1.2 + 1 / 30, arrived
    assert len(arrived) >= 7, arrived  # the link is used: a frame carried at a time, a round trip between them


def test_an_unchanged_link_is_checked_by_one_round_trip_after_a_pause_and_keeps_its_rate():
    """Only what the rate kept carries in PROBE_S goes before the first frame's answer after a pause; that answer,
    as quick as the ones before it, leaves the rate as it was, and the rest go at once."""
    flight, size, trip = InFlight(), 30_000, 7 / 30
    for seq in range(60):  # 900 kB/s carried, each frame said got 0.23 s after it went
        flight.sent(seq, size, seq / 30)
        if seq >= 7:
            flight.got(seq - 7, seq / 30)
    flight.got(59, 59 / 30 + trip)
    rate, resumed, seq = flight.rate(), 59 / 30 + trip + STALE_S + 3.0, 60
    while flight.may_send(resumed):
        flight.sent(seq, size, resumed)
        seq += 1
    assert 1 < seq - 60 <= rate * PROBE_S / size, (seq, rate)
    flight.got(60, resumed + trip)
    assert flight.rate() >= 0.9 * rate and flight.may_send(resumed + trip), flight.rate()


def test_a_camera_that_stops_saying_what_it_got_is_not_left_without_frames():
    flight = InFlight()
    flight.got(0, 0.0)
    flight.sent(1, FRAME_BYTES * 10, 0.0)
    assert not flight.may_send(1.0)
    assert flight.may_send(GIVE_UP_S + 0.1)


def test_a_camera_that_never_says_what_it_got_costs_the_server_no_more_memory_by_the_hour():
    """A vcam cam from before (or any client that only reads frames) was kept a record of every frame ever sent
    to it: hundreds of megabytes a day for each one watching."""
    flight, step = InFlight(), 1 / FPS
    for seq in range(int(3600 * FPS)):
        flight.sent(seq, FRAME_BYTES, seq * step)
        assert flight.may_send(seq * step)
    assert len(flight._on_way) <= (GIVE_UP_S + 1) * FPS, len(flight._on_way)


def test_a_camera_that_keeps_up_costs_the_server_no_more_memory_by_the_hour():
    """Each frame said got before the next went (a fast link, one frame at a time): what it got was only ever
    trimmed where the rate was asked, which it never is while none is on the way."""
    flight, step = InFlight(), 1 / FPS
    for seq in range(int(3600 * FPS)):
        assert flight.may_send(seq * step)
        flight.sent(seq, FRAME_BYTES, seq * step)
        flight.got(seq, seq * step + step / 2)
    assert len(flight._got) <= (RATE_S + 1) * FPS, len(flight._got)


def test_the_server_holds_frames_for_a_camera_that_says_what_it_got_and_sends_on_as_it_does():
    """Through the server's own answer to "got": past the window, the next frame waits for the camera."""

    class Buffers:  # the socket and the tunnel: they take every write at once
        def __init__(self):
            self.sent = []

        def send(self, message):
            self.sent.append(message)

    now = [0.0]
    wire = Buffers()
    client = ServedClient(wire, "control", "laptop", clock=lambda: now[0])
    server = type("Server", (), {})()
    try:
        assert json.loads(answer(server, json.dumps({"type": "ping", "t": 1.0}), client))["acks"] is True
        assert answer(server, json.dumps({"type": "got", "seq": 0}), client) is None
        frame = bytes(20_000)  # over the first window alone
        for seq in (1, 2):
            client.offer(proto.HEADER.pack(proto.MAGIC, seq, 0, 0, 12, 0.0, 64, 64) + frame)
        assert wait_for(lambda: len(wire.sent) == 1, 60)
        client.offer(proto.text("reply", text="x"))  # text goes by the held frame
        assert wait_for(lambda: len(wire.sent) == 2, 60)
        assert proto.frame_seq(wire.sent[0]) == 1 and wire.sent[1].startswith("{"), wire.sent
        answer(server, json.dumps({"type": "got", "seq": 1}), client)
        assert wait_for(lambda: len(wire.sent) == 3, 60)
        assert proto.frame_seq(wire.sent[2]) == 2
    finally:
        client.close()


def _link(said: list[str]) -> tuple[Link, list]:
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    sent: list = []
    link._ws = type("Ws", (), {"send": lambda self, message: sent.append(message)})()
    link.connected = True
    return link, sent


def _frame(seq: int) -> bytes:
    return proto.encode_frame(np.zeros((16, 16, 3), np.uint8), proto.FrameHeader(seq, 0, seq, 12, time.time(), 16, 16))


def test_vcam_cam_says_each_frame_it_got_to_a_server_that_asks_and_nothing_to_one_from_before():
    """A server from before answers a message it does not know with an error: only one whose pong says it takes
    them is told."""
    link, sent = _link([])
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0}))
    link._receive(_frame(5))
    assert sent == []
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    link._receive(_frame(6))
    assert [json.loads(m) for m in sent] == [{"type": "got", "seq": 6}]


def test_a_got_held_up_by_an_upload_in_progress_goes_by_itself_a_moment_later():
    """Else the server, holding the next frames for it, would wait for good."""
    link, sent = _link([])
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    with link._send_lock:  # an upload's write in progress
        link._receive(_frame(7))
    assert sent == []
    link._due.start()
    try:
        assert wait_for(lambda: sent, 60)
    finally:
        link._stop.set()
    assert json.loads(sent[0]) == {"type": "got", "seq": 7}


class _Wire:
    """A connection whose write of `held` (an upload's frame, or a got) holds until `release` is set."""

    def __init__(self, held):
        self.held, self.sent = held, []
        self.writing, self.release = threading.Event(), threading.Event()

    def send(self, message):
        if message == self.held:
            self.writing.set()
            assert self.release.wait(60)
        self.sent.append(message)


def test_frames_are_read_on_while_an_upload_holds_the_connection_and_the_newest_got_follows_its_write():
    """Each frame's got waited up to 50 ms for an upload's write (--send) to let go of the connection: while the
    upload filled the link, the camera read its frames at ~20 a second at most."""
    link, _ = _link([])
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    wire = link._ws = _Wire(b"input frame")
    lock, waited = link._send_lock, []

    class Watched:  # the send lock, telling where the reading thread would wait for it
        def acquire(self, blocking=True, timeout=-1):
            if blocking and threading.current_thread() is threading.main_thread():
                waited.append(timeout)
            return lock.acquire(blocking, timeout)

        def release(self):
            lock.release()

        def __enter__(self):
            self.acquire()

        def __exit__(self, *exc):
            self.release()

    link._send_lock = Watched()
    upload = threading.Thread(target=link._send, args=(b"input frame",))
    upload.start()
    try:
        assert wire.writing.wait(60)
        for seq in range(1, 11):
            link._receive(_frame(seq))
        assert waited == [] and link.frames == 10 and wire.sent == []
    finally:
        wire.release.set()
        upload.join(60)
    assert wire.sent[0] == b"input frame"
    assert [json.loads(m) for m in wire.sent[1:]] == [{"type": "got", "seq": 10}]  # the newest only, at once


def test_a_newer_got_that_comes_while_an_older_one_is_written_is_said_after_it():
    """The watch said an older got while the next frame came: the newer one, which found the connection busy, must
    still go, or the server, holding its next frames for it, sends nothing for 10 s."""
    link, _ = _link([])
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    wire = link._ws = _Wire(proto.text("got", seq=7))
    link._ack_due = 7  # held up by an upload's write: the watch says it
    watch = threading.Thread(target=link._say_got)
    watch.start()
    try:
        assert wire.writing.wait(60)
        link._receive(_frame(8))
    finally:
        wire.release.set()
        watch.join(60)
    assert [json.loads(m) for m in wire.sent] == [{"type": "got", "seq": 7}, {"type": "got", "seq": 8}]


def test_a_frame_whose_picture_is_damaged_is_said_got_all_the_same():
    """It came over the link: where it was the one frame on the way, the server held the next ones for 10 s."""
    said: list[str] = []
    link, sent = _link(said)
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    link._receive(proto.HEADER.pack(proto.MAGIC, 9, 0, 0, 12, time.time(), 16, 16) + b"not a jpeg")
    assert said and said[0].startswith("skipped a frame"), said
    assert [json.loads(m) for m in sent] == [{"type": "got", "seq": 9}]


def test_a_frame_whose_block_fails_on_the_camera_is_said_got_all_the_same():
    """The failure is skipped and said (_take), and the frame came over the link all the same: unsaid, the server
    held the next frames for it 10 s."""
    said: list[str] = []
    link, sent = _link(said)
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))

    def failing(*args, **kwargs):
        raise ValueError("a block the pacer cannot take")

    link.pacer.push = failing
    link._take(proto.encode_frame(np.zeros((16, 16, 3), np.uint8), proto.FrameHeader(3, 0, 0, 1, time.time(), 16, 16)))
    assert said and "ValueError" in said[0], said
    assert [json.loads(m) for m in sent] == [{"type": "got", "seq": 3}]


def test_a_got_goes_on_the_connection_its_frame_came_on_though_the_link_reconnected_meanwhile():
    """The connection was read before the send lock was taken: where the link reconnected in between and a frame
    came on the new one, its got was written to the dead connection and lost, and the server held the next frames
    for it 10 s."""
    link, _ = _link([])
    link._receive(json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True}))
    sent: list = []

    class Dead:  # the connection that ended
        def send(self, message):
            raise ConnectionResetError()

    new = type("Ws", (), {"send": lambda self, message: sent.append(message)})()
    lock = link._send_lock

    class Reconnecting:  # the send lock, taken just as the link comes back and a frame comes on the new connection
        def acquire(self, blocking=True, timeout=-1):
            if link._ws is not new:
                link._ws = new
                with link._ack_lock:
                    link._ack_due = 9
            return lock.acquire(blocking, timeout)

        def release(self):
            lock.release()

    link._ws, link._send_lock, link._ack_due = Dead(), Reconnecting(), 8
    link._say_got()
    assert [json.loads(m) for m in sent] == [{"type": "got", "seq": 9}]
