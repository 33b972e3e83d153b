"""`vcam cam` on a link that stays up while its frames stop coming: a server stopped or stalled, a tunnel that
stalls short of the keepalive's timeout; and a connection accepted whose handshake never comes."""
from __future__ import annotations

from vcam.live.pacer import Pacer, PacerSettings, PacerStats
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
