"""`vcam cam` on a link that stays up while its frames stop coming: a server stopped or stalled, a tunnel that
stalls short of the keepalive's timeout; and a connection accepted whose handshake never comes."""
from __future__ import annotations

import json
import time

import numpy as np
import pytest

from vcam.live.pacer import Pacer, PacerSettings, PacerStats
from vcam.remote import protocol as proto
from vcam.remote.answers import answer
from vcam.remote.blockgaps import BlockGaps
from vcam.remote.controller import RemoteController
from vcam.remote.feed import STALLS_APART_S, LinkFeed
from vcam.remote.link import Link


def _connected(said: list[str]) -> tuple[Link, LinkFeed, list[float]]:
    """A link whose server let it in and sent frames, and its feed on a fake clock."""
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)
    link.connected, link.frames = True, 30
    now = [100.0]
    return link, LinkFeed(link, clock=lambda: now[0]), now


def test_frames_that_stop_on_a_link_that_stays_up_are_said_and_shown_as_stalled():
    """A vcam serve stopped for 20 s (SIGSTOP, a machine swapping) kept the connection up under the keepalive's
    timeout: the camera held its last frame while its status line read LIVE and nothing was said."""
    said: list[str] = []
    link, feed, now = _connected(said)
    flowing, stalled = PacerStats(pushed=30), PacerStats(pushed=30, stalled=True)
    feed.poll(flowing)
    assert said == [] and feed.status(flowing, 30.0, []).startswith("LIVE |")
    for _ in range(3):  # said once, however many ticks the stall lasts
        now[0] += 1.0
        feed.poll(stalled)
    assert feed.status(stalled, 30.0, []).startswith("STALLED |")
    assert said == ["no frame from the server for 5 s, though the link is up (its generation stalled, or the network "
                    "or tunnel stalls; its terminal says which): holding the last frame, waiting"], said
    link.frames += 16
    feed.poll(flowing)
    assert said[1:] == ["frames come from the server again"], said
    assert feed.status(flowing, 30.0, []).startswith("LIVE |")


@pytest.mark.parametrize("mode, shown", [("blackout", "the camera stays black (blackout)"),
                                         ("freeze", "the camera holds its frozen frame")])
def test_a_stall_and_a_drop_under_a_blackout_or_a_freeze_say_what_the_camera_shows(mode, shown):
    """Blacked out, the camera stays black whatever the stream does: a stall, and the server's stop, were said as
    "holding the last frame", the very picture the operator had hidden."""
    from websockets.frames import Close

    from vcam.remote.camscreen import CamScreen

    said: list[str] = []
    link, feed, now = _connected(said)
    link.screen = CamScreen()
    link.screen.heard({"screen": mode})
    feed.poll(PacerStats(pushed=30))
    now[0] += 6.0
    feed.poll(PacerStats(pushed=30, stalled=True, fallback=True))
    assert said == ["no frame from the server for 5 s, though the link is up (its generation stalled, or the network "
                    f"or tunnel stalls; its terminal says which): {shown}, waiting"], said
    link._closed(Close(proto.GOING_AWAY, proto.STOPPED), False)
    assert said[1:] == [f"{proto.STOPPED}; {shown}, reconnecting"], said
    link.screen.heard({"screen": "live"})
    link._closed(Close(proto.GOING_AWAY, proto.STOPPED), False)
    assert said[2:] == [f"{proto.STOPPED}; holding the last frame, reconnecting"], said


def test_stalls_that_keep_coming_back_are_said_once_as_such():
    """A server whose every block takes longer than the camera waits stalls between each: one line for them all,
    and a stall long after the last is said again."""
    said: list[str] = []
    _, feed, now = _connected(said)
    flowing, stalled = PacerStats(pushed=30), PacerStats(pushed=30, stalled=True, fallback=True)
    for _ in range(5):
        feed.poll(stalled)
        now[0] += 6.0
        feed.poll(flowing)
        now[0] += 1.0
    assert said == [
        "no frame from the server for 5 s, though the link is up (its generation stalled, or the network or tunnel "
        "stalls; its terminal says which): showing the fallback image, waiting",
        "frames come from the server again",
        "frames from the server keep stopping for seconds at a time (a server slower than the camera waits for, or a "
        "link that keeps stalling); the status line shows STALLED while they do, showing the fallback image"], said
    now[0] += STALLS_APART_S
    feed.poll(stalled)
    assert said[-1].startswith("no frame from the server for 5 s"), said


def test_a_connection_without_frames_yet_waits_for_them_unsaid():
    """A server restarted while the camera ran loads its model (minutes for 14B) before its first frame: the
    camera that had frames before says no stall, and its status line says it waits (it read LIVE)."""
    said: list[str] = []
    link, feed, now = _connected(said)
    link._frames_at = link.frames  # connected again: no frame on this connection yet
    stalled = PacerStats(pushed=30, stalled=True)
    feed.poll(stalled)
    assert said == [] and feed.status(stalled, 30.0, []).startswith("CONNECTED, WAITING FOR FRAMES |")
    link.connected = False  # a link that drops says so itself
    link.frames += 1
    feed.poll(stalled)
    assert said == []


def test_a_port_that_takes_the_connection_and_never_answers_is_not_said_to_be_firewalled(monkeypatch):
    """A vcam serve stopped (SIGSTOP, a machine swapping) still has its connections taken by the system, as an ssh -L
    tunnel to a stalled machine does: the camera said the port does not answer and to check a firewall."""
    import socket

    from helpers import wait_for

    monkeypatch.setattr(Link, "OPEN_S", 0.5)
    said: list[str] = []
    with socket.socket() as listener:  # listens, and never accepts: the system completes the connection alone
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        port = listener.getsockname()[1]
        link = Link(f"ws://127.0.0.1:{port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                    said.append)
        link.start()
        try:
            assert wait_for(lambda: said, 60)
        finally:
            link.stop()
    assert said == [f"cannot reach the server: 127.0.0.1 port {port} took the connection but gave no answer in 0.5 s: "
                    "vcam serve there is stalled (a machine under heavy load or asleep, a process stopped), or "
                    "through an ssh -L tunnel, the tunnel or the GPU machine stalled; check vcam serve's terminal "
                    "there; the camera shows its 'connecting' card, reconnecting"], said


def _paced(**settings) -> tuple[Link, list[str], list[float]]:
    """A link whose pacer (more of PacerSettings: `settings`) runs on a fake clock, with a server that holds frames
    to its pace (its pong came)."""
    now, said = [100.0], []
    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings(**settings), clock=lambda: now[0]),
                RemoteController(lambda line: True), said.append)
    link._ws = type("Ws", (), {"send": lambda self, message: None})()
    link.connected = True
    return link, said, now


def _wait(link: Link, now: list[float], seconds: float) -> list[float]:
    """The pacer ticking each second for `seconds` with no block coming: the times at which it read stalled."""
    stalled = []
    for waited in range(1, int(seconds) + 1):
        now[0] += 1.0
        link.pacer.tick()
        if link.pacer.stats.stalled:
            stalled.append(float(waited))
    return stalled


def _blocks(link: Link, now: list[float], gaps: list[float]) -> list[float]:
    """Blocks of 12 frames, the first at once where none came yet, then one after each gap; the times since the
    last block at which the stream read as stalled."""
    stalled = []
    for gap in ([0.0] if link._blocks._number is None else []) + gaps:
        stalled += _wait(link, now, gap)
        _block_of(link, (link._blocks._number or 0) + 1, 12)
    return stalled


def _block_of(link: Link, number: int, count: int) -> None:
    for index in range(count):
        link._receive(proto.encode_frame(np.zeros((16, 16, 3), np.uint8),
                                         proto.FrameHeader(number * 12 + index, number, index, count, time.time(), 16,
                                                           16)))


def _pong(**keys) -> str:
    return json.dumps({"type": "pong", "t": 1.0, "server": 1.0, "acks": True, **keys})


def test_a_server_whose_blocks_come_slowly_but_steadily_never_reads_stalled_and_a_real_stall_still_does():
    """vcam serve --fps 1 makes a block every 12 s: the camera read STALLED, and said its frames had stopped,
    between each of them, as it waited 5 s for any stream."""
    link, said, now = _paced()
    link._receive(_pong(block_s=12.0))  # the server's own pace, told as it let the camera in
    assert _blocks(link, now, [12.0] * 8) == []
    feed = LinkFeed(link, clock=lambda: now[0])
    stalled = _wait(link, now, 2 * 12.0 + 1)
    assert stalled == [2 * 12.0 + 1], stalled
    feed.poll(link.pacer.stats)
    assert said and said[-1].startswith("no frame from the server for 24 s, though the link is up"), said


def test_a_server_from_before_is_waited_for_at_its_pace_once_two_gaps_are_seen():
    """A server that tells no pace: the first gap of 12 s reads stalled once past 5 s, the ones after it not."""
    link, _, now = _paced()
    link._receive(_pong())
    assert _blocks(link, now, [12.0]) == [6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 12.0]
    assert _blocks(link, now, [12.0] * 6) == []


def test_blocks_that_come_every_second_still_read_stalled_after_5_s_even_after_a_stall():
    """One long stall among the gaps seen does not make the next one wait as long."""
    link, _, now = _paced()
    link._receive(_pong(block_s=1.0))
    assert _blocks(link, now, [1.0] * 6) == []
    assert _blocks(link, now, [40.0, 1.0, 1.0])[0] == 6.0
    assert _wait(link, now, 20.0)[0] == 6.0


@pytest.mark.parametrize("fps, max_latency", [(1.0, 13.0), (2.0, 7.0)])
def test_a_server_whose_blocks_come_every_second_reads_stalled_after_5_s_at_a_slow_camera_too(fps, max_latency):
    """The server's blocks come at its pace, not the camera's: at --fps 1 a stall read only after two blocks of the
    camera's time (24 s), its line 'no frame from the server for 24 s' said 19 s late."""
    link, said, now = _paced(fps=fps, max_latency=max_latency)
    link._receive(_pong(block_s=1.0))
    assert _blocks(link, now, [1.0] * 6) == []
    feed = LinkFeed(link, clock=lambda: now[0])
    assert _wait(link, now, 6.0) == [6.0]
    feed.poll(link.pacer.stats)
    assert said and said[-1].startswith("no frame from the server for 5 s, though the link is up"), said


def test_a_gap_spanning_a_reconnect_is_no_gap_between_blocks():
    """A server restarted loads its model for minutes before its first block: that wait is not its pace."""
    gaps = BlockGaps(5.0)
    for t in (0.0, 1.0, 2.0):
        gaps.block(t)
    gaps.ended()
    for t in (300.0, 301.0, 302.0):
        gaps.block(t)
    assert gaps.usual() == 1.0 and gaps.stall_after() == 5.0


def test_vcam_serve_tells_a_camera_its_usual_gap_between_blocks_once_it_knows_one():
    server = type("Server", (), {"block_gaps": BlockGaps(0.0)})()
    client = type("Client", (), {})()
    assert "block_s" not in json.loads(answer(server, json.dumps({"type": "ping", "t": 1.0}), client))
    for t in (0.0, 12.0, 24.5, 36.5):
        server.block_gaps.block(t)
    assert json.loads(answer(server, json.dumps({"type": "ping", "t": 1.0}), client))["block_s"] == 12.0


def _part_of_a_block(link: Link, now: list[float], stalled_for: float) -> None:
    """Half of the next block, then nothing for `stalled_for` s until the connection drops (the keepalive's 20 s)."""
    number = (link._blocks._number or 0) + 1
    for index in range(6):
        header = proto.FrameHeader(number * 12 + index, number, index, 12, time.time(), 16, 16)
        link._receive(proto.encode_frame(np.zeros((16, 16, 3), np.uint8), header))
    _wait(link, now, stalled_for)
    link._connection_ended()


def test_a_link_that_stalls_and_drops_mid_block_teaches_no_gap_between_blocks():
    """A tunnel that flapped (a block, then a stall until the keepalive's drop 20 s later, twice) to a server that
    tells its pace as the camera connects again: blocks that come every second still read STALLED after 5 s. The
    pace told at each reconnect outweighs the drops' waits here even where they are learned as gaps; that the wait
    up to a drop is learned as none is test_mutants_wire's test_a_link_that_keeps_dropping_mid_block_learns_no_gap
    _from_its_drops, with a server that tells no pace."""
    link, _, now = _paced()
    link._receive(_pong(block_s=1.0))
    _blocks(link, now, [1.0] * 6)
    for _ in range(2):
        _part_of_a_block(link, now, 20.0)
        link._receive(_pong(block_s=1.0))  # connected again
        _blocks(link, now, [])  # its first block
    assert _wait(link, now, 10.0)[:1] == [6.0]


def test_stalls_that_keep_coming_back_still_read_stalled_after_5_s():
    """Two stalls two blocks apart, among blocks that come every second, were taken for the server's pace: the next
    stall read STALLED, and showed the fallback image, only after 40 s."""
    link, _, now = _paced()
    link._receive(_pong(block_s=1.0))
    _blocks(link, now, [1.0] * 6 + [20.0, 1.0, 20.0])
    assert _wait(link, now, 10.0)[:1] == [6.0]


def _restarted():
    """A link that played three blocks, held its last frame 20 s while the server restarted, and is back."""
    link, said, now = _paced()
    link._receive(_pong())
    _blocks(link, now, [1.0] * 3)
    feed = LinkFeed(link, clock=lambda: now[0])
    feed.poll(link.pacer.stats)
    link.connected = False  # the server killed: the link drops, the camera holds its last frame
    link._connection_ended()
    assert _wait(link, now, 20)
    feed.poll(link.pacer.stats)
    link.connected, link._frames_at = True, link.frames  # back: the restarted server numbers its blocks from 0
    feed.poll(link.pacer.stats)
    return link, said, now, feed


def test_the_stall_over_a_server_restart_is_not_said_as_one_on_the_new_connection_while_its_first_block_comes():
    """The camera held its last frame while the server restarted, and the pacer read that as a stall: the first
    frame on the new connection made it this connection's, and "no frame from the server for 5 s" was said, then
    "frames come from the server again" as the block came whole (and between the block and the pacer's next tick,
    the stall it ended still read as going on)."""
    link, said, now, feed = _restarted()
    for index in range(12):
        link._receive(proto.encode_frame(np.zeros((16, 16, 3), np.uint8),
                                         proto.FrameHeader(index, 0, index, 12, time.time(), 16, 16)))
        feed.poll(link.pacer.stats)  # each frame of the first block, the last one before the pacer's next tick
    assert said == [], said
    assert _wait(link, now, 6)  # a stall on this connection is said as ever
    feed.poll(link.pacer.stats)
    assert len(said) == 1 and said[0].startswith("no frame from the server for 5 s, though the link is up"), said


def test_frames_that_stop_mid_way_through_the_first_block_after_a_server_restart_are_said_as_a_stall():
    """A stall is the new connection's once its first block is on the pacer: where the frames stopped before that
    block was whole (a tunnel that stalls mid-block), nothing was said however long the camera held its frame."""
    link, said, now, feed = _restarted()
    for index in range(5):  # the rest of the block never comes
        link._receive(proto.encode_frame(np.zeros((16, 16, 3), np.uint8),
                                         proto.FrameHeader(index, 0, index, 12, time.time(), 16, 16)))
        feed.poll(link.pacer.stats)
    for _ in range(4):
        _wait(link, now, 1)
        feed.poll(link.pacer.stats)
    assert said == [], said  # frames came 4 s ago: not yet as long as the pacer waits
    for _ in range(2):
        _wait(link, now, 1)
        feed.poll(link.pacer.stats)
    assert len(said) == 1 and said[0].startswith("no frame from the server for 5 s, though the link is up"), said


@pytest.mark.parametrize("fps, max_latency, count, said", [
    (1.0, 4.0, 12, "at 1 fps a block of 12 generated frames takes longer than --max-latency 4 s to show, so most of "
                   "its frames will be dropped: give --max-latency 13 (the picture that much behind), or --fps 3.25 or "
                   "more"),
    (2.0, 4.0, 24, "at 2 fps a block of 24 generated frames takes longer than --max-latency 4 s to show, so most of "
                   "its frames will be dropped: give --max-latency 12.5 (the picture that much behind), or --fps 6.25 "
                   "or more"),
    (2.0, 4.0, 6, None),  # blocks of 6 fit where 12 would not
    (30.0, 4.0, 12, None),
])
def test_vcam_cam_says_a_block_outlasts_the_cap_from_the_block_length_the_server_sends(fps, max_latency, count, said):
    """vcam cam's start line took the server's blocks to be 12 frames: a server with other blocks was told figures
    that did not fit them. It is said once the server's block length is known: its second block (the stream's first
    is shorter), once."""
    link, lines, _ = _paced(fps=fps, max_latency=max_latency)
    _block_of(link, 0, 6)  # the stream's first block: not its length
    assert lines == []
    for number in range(1, 4):
        _block_of(link, number, count)
    assert [line for line in lines if "--max-latency" in line] == ([said] if said else [])


def test_vcam_cam_says_a_block_outlasts_the_cap_once_though_its_second_block_is_a_resets_short_one():
    """A camera that joined a running show whose second block was the first after a reset (6 frames) took the
    server's blocks to be 6, which fit, and never said that its blocks of 12 did not."""
    link, lines, _ = _paced(fps=2.0, max_latency=4.0)
    for number, count in enumerate([12, 6, 12, 12]):
        _block_of(link, number + 5, count)
    assert [line for line in lines if "--max-latency" in line] == [
        "at 2 fps a block of 12 generated frames takes longer than --max-latency 4 s to show, so most of its frames "
        "will be dropped: give --max-latency 6.5 (the picture that much behind), or --fps 3.25 or more"]


@pytest.mark.parametrize("stalled, connected", [(True, True), (False, False), (True, False)])
def test_the_status_line_reads_no_frames_coming_in_while_none_come(stalled, connected):
    """A stalled stream, or a link that dropped and is reconnecting, brings no frame: its status line read the rate
    the frames came at before ("RECONNECTING (11 tries failed) | in  24.7 fps | …  0.00 Mbit/s") for as long as it
    lasted, as if frames still came."""
    link, feed, _ = _connected([])
    link.connected = connected
    stats = PacerStats(pushed=30, production_fps=24.7, stalled=stalled)
    assert "| in   0.0 fps |" in feed.status(stats, 30.0, [])


def test_the_status_line_reads_the_rate_frames_come_in_at_while_they_come():
    link, feed, _ = _connected([])
    assert "| in  24.7 fps |" in feed.status(PacerStats(pushed=30, production_fps=24.7), 30.0, [])


@pytest.mark.parametrize("mode", ["freeze", "blackout"])
def test_the_status_line_says_the_camera_is_frozen_or_black(mode):
    """The laptop's camera held a freeze (or showed black) while its status line read plain LIVE, where the
    server's own read "LIVE (freeze)": the operator at the laptop could not tell a frozen picture from a live one."""
    from vcam.remote.camscreen import CamScreen

    link, feed, _ = _connected([])
    link.screen = CamScreen()
    flowing = PacerStats(pushed=30)
    assert feed.status(flowing, 30.0, []).startswith("LIVE |")
    link.screen.heard({"screen": mode})  # a server that names no frame: made at once
    assert feed.status(flowing, 30.0, []).startswith(f"LIVE ({mode}) |")
    assert feed.status(PacerStats(pushed=30, stalled=True), 30.0, []).startswith(f"STALLED ({mode}) |")
    link.screen.heard({"screen": "live"})
    assert feed.status(flowing, 30.0, []).startswith("LIVE |")
