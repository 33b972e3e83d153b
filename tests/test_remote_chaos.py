"""vcam serve's network side under a seeded schedule of misbehaving clients (tests/chaos.py), with one camera that
behaves: the server keeps serving it in order, every misbehaving client ends with a reason or is dropped alone, a
stalled reader holds a bounded queue, the stop is bounded, and no thread is left once it is over. A failure names
its seed; the slow set sweeps many more."""
import logging
import random
import re
import threading
import time

import pytest

import chaos
from helpers import wait_for
from vcam.remote import protocol as proto
from vcam.remote.served import ServedClient

STALL_S = 1.0  # the server's stall timeout here: a reader stalled past it is cut within the run
# Its keepalive here: a client that stops mid-message (garbage claiming a length it never sends) holds its
# connection until its pings go unanswered; seconds here, where vcam serve's are 20 s each
KEEPALIVE = proto.Keepalive(every=2.0, timeout=2.0, close=1.0)
STOP_BOUND_S = 15.0  # STOP_CLOSE_S and DROP_CLOSE_S are seconds: a stop past this is stuck, not slow
# A close the server gives a misbehaving client must say why: these are the ends the library or vcam gives
NEEDS_A_REASON = ("garbage", "oversized", "stray_binary")


def run(local_servers, seed: int, steps: int = 4, most_at_once: int = 3) -> chaos.Chaos:
    """One seeded run, to its server's stop; what it saw is checked by `check`."""
    rng = random.Random(seed)
    server = local_servers(max_clients=10, stall_timeout=STALL_S, keepalive=KEEPALIVE, uploads=chaos.Uploads(),
                           on_sender=lambda started: show.on_sender(started))
    show = chaos.Show(server)
    show.start()
    watcher = chaos.Watcher(f"ws://127.0.0.1:{server.port}")
    watcher.start()
    run = chaos.Chaos(seed, server, show, watcher, rng)
    run.cam = CamLink(server.port)  # a vcam cam's own link, which types a command after each step
    try:
        steps_then_stop(run, chaos.schedule(rng, steps, most_at_once))
    finally:  # a failed run leaves no link retrying nor show publishing into the tests after it
        run.cam.stop()
        show.stop()
    return run


def steps_then_stop(run: chaos.Chaos, plan: list[list[str]]) -> None:
    seed, server, watcher, cam = run.seed, run.server, run.watcher, run.cam
    for names in plan[:-1]:
        left = chaos.joined(chaos.start_actions(run, names), 2 * chaos.WAIT_S)
        assert not left, f"seed {seed}: misbehaving clients never ended: {left}"
        assert watcher.more_frames(4), f"seed {seed}: the camera that behaves got no frame after {names}"
        assert cam.more_frames(), f"seed {seed}: vcam cam got no frame after {names}: {cam.said}"
        # each misbehaving client gone is gone from the server too, its place given back
        assert wait_for(lambda: server.places_taken() == 2 and len(server.clients) == 2, chaos.WAIT_S), \
            f"seed {seed}: after {names}, {server.places_taken()} places taken, {len(server.clients)} clients"
    threads = chaos.start_actions(run, plan[-1])
    time.sleep(run.rng.uniform(0.0, 0.5))  # the schedule's own moment for the stop, mid-everything
    run.stopping.set()
    began = time.monotonic()
    server.stop()
    run.stop_s = time.monotonic() - began
    run.left = chaos.joined(threads, 2 * chaos.WAIT_S)
    watcher.join()
    run.cam_told = wait_for(lambda: any("ended" in line for line in cam.said), chaos.WAIT_S)


class CamLink:
    """vcam cam's link to the server, as `vcam cam` runs it, less the camera: its frames counted, its lines kept."""

    def __init__(self, port: int):
        from vcam.live.pacer import Pacer, PacerSettings
        from vcam.remote.controller import RemoteController
        from vcam.remote.link import Link

        self.said: list[str] = []
        self.link = Link(f"ws://127.0.0.1:{port}", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                         self.said.append)
        self.link.start()
        assert wait_for(lambda: self.link.frames > 0, chaos.WAIT_S), f"vcam cam got no frame: {self.said}"
        self.commands = 0

    def more_frames(self) -> bool:
        """Whether frames still come, and a command it types still reaches the server."""
        before = self.link.frames
        self.commands += 1
        self.link.send_line(f"preset cam {self.commands}", typed=True)
        return wait_for(lambda: self.link.frames > before, chaos.WAIT_S)

    def stop(self) -> None:
        self.link.stop()


def check(run: chaos.Chaos, baseline: set) -> None:
    seed = run.seed
    assert not run.failures, f"seed {seed}: {run.failures}"
    assert not run.left, f"seed {seed}: misbehaving clients still running after the stop: {run.left}"
    assert run.stop_s < STOP_BOUND_S, f"seed {seed}: the stop took {run.stop_s:.1f} s"
    assert not run.watcher.out_of_order, f"seed {seed}: frames out of order: {run.watcher.out_of_order[:3]}"
    assert run.watcher.ending == (proto.GOING_AWAY, proto.STOPPED), f"seed {seed}: {run.watcher.ending}"
    assert run.cam_told, f"seed {seed}: vcam cam was not told the show ended: {run.cam.said}"
    assert not any("Traceback" in line for line in run.cam.said), f"seed {seed}: {run.cam.said}"
    # the others' misbehaviour never cost it its connection: it connected once, and held it to the show's end
    assert sum(line.startswith("connected to ") for line in run.cam.said) == 1, f"seed {seed}: {run.cam.said}"
    typed = [line for line in run.server.lines if line.startswith("preset cam ")]
    assert typed == [f"preset cam {i}" for i in range(1, run.cam.commands + 1)], f"seed {seed}: commands {typed}"
    for e in run.endings:
        assert e.how != "timeout", f"seed {seed}: {e.action} was never ended nor dropped"
        if e.action in NEEDS_A_REASON and e.how == "closed":
            assert e.code is not None and e.reason, f"seed {seed}: {e.action} closed without a reason: {e}"
    announced = {line.split()[1] for line in run.server.said if re.match(r"client \S+ connected \(", line)}
    ended = {line.split()[1] for line in run.server.said
             if re.match(r"client \S+ .*; \d+ connected$", line) and not re.match(r"client \S+ connected \(", line)}
    assert announced <= ended, f"seed {seed}: clients never said to have ended: {announced - ended}"
    events = run.show.sender_events  # the input is the upload's from a sender's first frame to its end, each once
    assert events == [True, False] * (len(events) // 2), f"seed {seed}: the sender's input went {events}"
    most = ServedClient.FRAMES_WAITING + ServedClient.REPLIES_WAITING + 2  # the state and the input's rate
    assert max(run.queued, default=0) <= most, f"seed {seed}: a stalled reader held {max(run.queued)} messages"
    assert not any("Traceback" in line for line in run.server.said), f"seed {seed}: {run.server.said}"
    assert wait_for(lambda: not set(threading.enumerate()) - baseline, chaos.WAIT_S), \
        f"seed {seed}: threads left: {sorted(t.name for t in set(threading.enumerate()) - baseline)}"


def library_errors(caplog) -> list[str]:
    """What the library printed on the server's terminal as an error (the misbehaving clients' own logs aside)."""
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and r.name == "websockets.server"]


# Seeds whose schedules take every misbehaviour in turn, and one (1024) where a reader stalls until the server
# drops it and the stop cuts an upload and a flood of commands: seconds together
@pytest.mark.parametrize("seed", [1129, 1161, 1149, 1024])
def test_a_seeded_crowd_of_misbehaving_clients_leaves_the_camera_that_behaves_served(local_servers, caplog, seed):
    caplog.set_level(logging.INFO)
    baseline = set(threading.enumerate())
    check(run(local_servers, seed), baseline)
    assert not library_errors(caplog), f"seed {seed}: {library_errors(caplog)[:3]}"


@pytest.mark.slow  # minutes: many seeds, longer schedules, more at once
@pytest.mark.parametrize("seed", range(100, 160))
def test_a_sweep_of_seeded_crowds(local_servers, caplog, seed):
    caplog.set_level(logging.INFO)
    baseline = set(threading.enumerate())
    check(run(local_servers, seed, steps=6, most_at_once=4), baseline)
    assert not library_errors(caplog), f"seed {seed}: {library_errors(caplog)[:3]}"


def test_a_camera_gone_as_its_data_arrives_prints_no_traceback_on_the_servers_terminal(local_servers, caplog,
                                                                                       monkeypatch):
    """Found by the chaos run (seeds 2005 and 2022 of 4 at once, one time in a hundred or so): where a connection
    was closed on one thread (its write failed on a reset, or the stall watch cut it) just as the library's reader
    got data on it, the reader fed the data to the ended connection, and vcam serve's terminal showed "unexpected
    internal error" and an EOFError traceback for a camera that had simply gone. Here the close is put between the
    reader's read and its feed, as that race does."""
    from websockets.server import ServerProtocol

    caplog.set_level(logging.INFO)
    server = local_servers()
    feed = ServerProtocol.receive_data

    def closed_first(self, data):
        self.receive_eof()  # what the library's close_socket does on another thread
        return feed(self, data)

    with chaos.ws_client(f"ws://127.0.0.1:{server.port}") as ws:
        assert chaos.replies(ws, "state") is not None
        monkeypatch.setattr(ServerProtocol, "receive_data", closed_first)
        ws.send(proto.text("ping"))
        assert chaos.closed_with(ws)[2] != "timeout"
    monkeypatch.setattr(ServerProtocol, "receive_data", feed)
    assert wait_for(lambda: not server.clients, chaos.WAIT_S)
    assert not library_errors(caplog), library_errors(caplog)
    assert any(line.startswith("client ") and " left" in line for line in server.said), server.said  # in its words
    with chaos.ws_client(f"ws://127.0.0.1:{server.port}") as ws:  # and the next camera is served
        assert chaos.replies(ws, "state") is not None
