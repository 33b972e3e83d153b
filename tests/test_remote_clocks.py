"""The clocks of vcam cam and vcam serve: a wall clock that steps on either machine (NTP at boot or after a long
time offline, a laptop that syncs again, a migrated cloud VM) mid-show changes nothing the camera's status line or
the server's input shows; one slow ping does not skew the offset; the link measures it again while connected.

Each machine's clocks are fakes here, patched into the modules of its own side (answers and encoding the server's,
inbox and link the camera's): in one process a step of the real time.time() would step both ends at once."""
from __future__ import annotations

import json
import math
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from vcam.live.inputs.live_frames import LiveFrames
from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote import answers, clockoffset as clockoffset_module, encoding, inbox, intake, link as link_module
from vcam.remote.clockoffset import ClockOffset, monotonic_tick
from vcam.remote.controller import RemoteController
from vcam.remote.encoding import BlockEncoder
from vcam.remote.intake import Intake
from vcam.remote.link import Link
from vcam.remote.uploader import Uploader

DELAY_S = 0.05  # the network's one way, in these tests


class Machine:
    """One machine's clocks: a monotonic one that only goes on, and a wall clock that also steps."""

    def __init__(self, monotonic: float, wall: float):
        self.mono, self.wall = monotonic, wall

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.wall += seconds

    def time_module(self) -> SimpleNamespace:
        return SimpleNamespace(time=lambda: self.wall, monotonic=lambda: self.mono)


class Show:
    """A server's answers and frames, and a camera's link reading them, each on its own machine's clocks."""

    def __init__(self, monkeypatch):
        self.server = Machine(monotonic=812.0, wall=1.77e9)
        self.camera = Machine(monotonic=35_000.0, wall=1.77e9 + 4.0)  # its clock 4 s off the server's
        for module in (answers, encoding):
            monkeypatch.setattr(module, "time", self.server.time_module())
        for module in (inbox, link_module):
            monkeypatch.setattr(module, "time", self.camera.time_module())
        self.link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                         lambda line: None, clock=lambda: self.camera.mono)
        self.encoder = BlockEncoder(80, lambda: [], lambda line: None)

    def advance(self, seconds: float) -> None:
        self.server.advance(seconds)
        self.camera.advance(seconds)

    def ping(self, there: float = DELAY_S, back: float = DELAY_S) -> None:
        """A ping of the link, answered by the server, the answer read by the link."""
        ping = self.link._ping()
        self.advance(there)
        pong = answers.answer(SimpleNamespace(), ping, None)
        self.advance(back)
        self.link._receive(pong)

    def frame_latency(self) -> float:
        """The latency the camera reads off a frame the server sends now, which takes DELAY_S to come."""
        sent: list[bytes] = []
        watcher = SimpleNamespace(offer=sent.append)
        self.encoder._send(0, np.zeros((1, 16, 16, 3), np.uint8), [watcher])
        self.advance(DELAY_S)
        self.link._receive(sent[0])
        return self.link.net_latency


@pytest.mark.parametrize("side", ["server", "camera"])
@pytest.mark.parametrize("step", [3600.0, -3600.0, 2.0, -2.0])
def test_a_wall_clock_step_on_either_machine_leaves_the_latency_shown(monkeypatch, side, step):
    """The offset was measured once, at the connection, on the wall clocks: a step of either after it showed
    latency 3600.1 s on the status line (and sent it to the server's), or 0.0 s, for the rest of the connection."""
    show = Show(monkeypatch)
    show.ping()
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)
    getattr(show, side).wall += step
    show.advance(1.0)
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)
    show.ping()  # and the pongs after the step agree with the ones before
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)


def test_one_ping_that_waited_leaves_the_offset_of_the_quick_ones(monkeypatch):
    """A pong held 2 s on its way back (behind an upload's frame, a wifi retry) was read as the clocks being 1 s
    apart: every frame's latency was shown 1 s off until the next connection."""
    show = Show(monkeypatch)
    for _ in range(3):
        show.ping()
        show.advance(10.0)
    show.ping(back=2.0)
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)


def test_a_server_of_an_older_vcam_whose_clock_steps_is_read_right_from_its_next_pong(monkeypatch):
    """An older server stamps its pongs and frames with its wall clock: after a step, the pongs from before read
    another clock and are dropped, where the quickest of the last minute's would have held the error a minute."""
    show = Show(monkeypatch)
    server = show.server
    for module in (answers, encoding):  # its wall clock for both, as vcam serve stamped them before
        monkeypatch.setattr(module, "time", SimpleNamespace(time=lambda: server.wall, monotonic=lambda: server.wall))
    for _ in range(3):
        show.ping(back=0.01)  # quicker than those after the step: the minimum would keep them
        show.advance(10.0)
    server.wall += 3600.0
    show.ping()
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)


def test_the_link_pings_again_while_connected(monkeypatch):
    """The offset was measured as the connection opened and never again: hours of a show on a clock that drifts or
    steps (an older server's) or a first ping that waited, kept."""
    show = Show(monkeypatch)
    link, written = show.link, []
    link._ws, link.connected = SimpleNamespace(send=written.append), True
    show.advance(link.PING_EVERY_S / 2)
    link._ping_again()
    assert written == []
    show.advance(link.PING_EVERY_S / 2)
    with link._send_lock:  # an upload's frame on its way: the ping does not wait for it
        link._ping_again()
    assert written == []
    link._ping_again()  # _write_due's next round, a second later at most
    assert [json.loads(m) for m in written] == [{"type": "ping", "t": show.camera.mono}]
    link._ping_again()
    assert len(written) == 1


def test_an_upload_is_as_old_as_it_is_after_the_servers_wall_clock_steps(monkeypatch):
    """The camera learned the offset while the server's clock was an hour behind; NTP then put it right: each
    uploaded frame read as 3600 s old, capped at 60, and the server's input showed stalled 60 s, reusing the last
    frames, while frames came live."""
    show = Show(monkeypatch)
    show.server.wall -= 3600.0
    show.ping()
    show.server.wall += 3600.0
    monkeypatch.setattr(intake, "time", show.server.time_module())
    server_clock = show.server.time_module()
    uploads = LiveFrames(16, 16, name="net", first_wait_s=0.0, clock=server_clock.monotonic)
    taken = Intake(uploads, None, lambda line: None, size=(16, 16), clock=server_clock.monotonic,
                   wall=_default(Intake, "wall", server_clock))
    sender = SimpleNamespace(role="control", name="laptop")
    taken.ask(sender)
    camera_clock = show.camera.time_module()
    up = Uploader(SimpleNamespace(), lambda line: None, clock=camera_clock.monotonic,
                  wall=_default(Uploader, "wall", camera_clock))
    up.bind(lambda message: True, lambda: show.link.offset)
    message = up._encode(np.zeros((16, 16, 3), np.uint8), up._wall())
    show.advance(DELAY_S)
    taken.frame(sender, message)
    assert uploads.age() == pytest.approx(DELAY_S, abs=0.005)
    assert not uploads.stalled


def _default(cls, name: str, clocks: SimpleNamespace):
    """The clock `cls` takes by default for `name`, as this machine's fake: the same function of its own clocks."""
    import inspect

    chosen = inspect.signature(cls.__init__).parameters[name].default
    return getattr(clocks, chosen.__name__)


def test_the_offset_keeps_the_quickest_sample_and_drops_samples_of_another_clock():
    clocks = ClockOffset()
    clocks.pong(sent=0.0, server=100.05, now=0.1)  # 100 s ahead, within 0.05
    clocks.pong(sent=10.0, server=111.0, now=12.0)  # held on the way there: reads 101
    assert clocks.offset == pytest.approx(100.0)
    clocks.pong(sent=20.0, server=3720.05, now=20.1)  # the server's clock stepped an hour
    assert clocks.offset == pytest.approx(3700.0)
    clocks.pong(sent=30.0, server=float("nan"), now=30.1)
    clocks.pong(sent=40.0, server=1.0, now=39.0)  # a ping of another clock: its pong came before it went
    assert clocks.offset == pytest.approx(3700.0)


def test_frames_before_a_new_connections_pong_leave_the_latency_as_it_was(monkeypatch):
    """A server started again on another machine (or after a reboot) counts its clock from another start: its
    frames that came before its pong were read against the last server's offset, days of latency on the status
    line, and sent to the server as the camera's."""
    show = Show(monkeypatch)
    show.ping()
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)
    show.link._clocks.restart()  # the link's next connection
    show.server.mono = 3.0  # a server just booted
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)
    show.ping()
    assert show.frame_latency() == pytest.approx(DELAY_S, abs=0.005)


def test_a_step_is_read_from_the_first_quick_pong_after_it_even_past_a_slow_pong_that_fits_both_clocks():
    """An older server's clock stepped 0.5 s (NTP steps past 128 ms), then one pong waited 1.2 s on a wifi: its wide
    bounds held both the old clock and the new, so the quick pongs after it, which agreed with it, never dropped the
    quick ones from before, and the old offset stood as the quickest for a minute, every latency 0.5 s off."""
    clocks = ClockOffset()
    for sent in (0.0, 10.0):
        clocks.pong(sent=sent, server=sent + 100.005, now=sent + 0.01)  # 100 s ahead, trips of 10 ms
    clocks.pong(sent=20.0, server=20.01 + 100.5, now=21.2)  # after the step: there in 10 ms, back in 1.19 s
    clocks.pong(sent=30.0, server=30.01 + 100.5, now=30.02)
    assert clocks.offset == pytest.approx(100.5, abs=0.01)


def test_a_ping_written_on_a_dropped_link_is_cut_as_any_stuck_write_is():
    """The link's periodic ping went out from the thread that watches writes: on a link that dropped with its
    socket full (an upload's frames), that ping's write blocked in the watch itself, which then never cut it, and
    vcam cam stayed "connected" with a frozen picture until TCP gave up, many minutes later."""
    from vcam.remote.protocol import Keepalive

    cut, written = threading.Event(), threading.Event()

    class Dropped:  # a connection whose socket is full: a write waits until the socket is shut down under it
        socket = SimpleNamespace(shutdown=lambda how: cut.set())

        def send(self, message):
            written.set()
            cut.wait(60)
            raise OSError("the socket was shut down")

    link = Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                lambda line: None, keepalive=Keepalive(every=60, timeout=0.4, close=0.5))
    link._ws, link.connected = Dropped(), True
    link._pinged_at -= link.PING_EVERY_S  # a ping is due
    for thread in _watching_threads(link):
        thread.start()
    try:
        assert written.wait(60)
        assert cut.wait(60)
    finally:
        link._stop.set()
        cut.set()


def _watching_threads(link: Link) -> list[threading.Thread]:
    """The threads of a link that run beside its reader while it is connected."""
    return [t for t in vars(link).values() if isinstance(t, threading.Thread) and t is not link._thread]


class CoarseClocks:
    """A camera and a server whose monotonic clocks step in ticks (Windows: 15.625 ms), the server `ahead` s ahead."""

    def __init__(self, tick=1 / 64, ahead=100.008):
        self.tick, self.ahead = tick, ahead

    def read(self, t):
        return math.floor(t / self.tick) * self.tick

    def pong(self, clocks, at, out=0.001, back=0.001):
        """A ping sent at true time `at`, `out` s on the way there and `back` s on the way back."""
        clocks.pong(sent=self.read(at), server=self.read(at + out + self.ahead), now=self.read(at + out + back))


def test_quick_pongs_a_tick_apart_on_a_coarse_clock_are_the_same_clocks():
    # quick pongs whose stamps fall a tick apart read offsets 15.6 ms apart with trips of 0: taken as another
    # clock, each dropped the ones before, and the offset was only ever the last pong's
    coarse = CoarseClocks()
    clocks = ClockOffset(tick=coarse.tick)
    coarse.pong(clocks, 0.0)  # the server's stamp a tick short: reads 100.0
    first = clocks.offset
    coarse.pong(clocks, 10.01)  # the camera's stamps a tick short: reads 100.0156
    assert clocks.offset == first  # the quicker-or-lower of the two stands: before, the last pong's alone
    coarse.pong(clocks, 20.005)
    assert len(clocks._samples) == 3  # none dropped: the quickest (lowest) of them stands
    assert abs(clocks.offset - coarse.ahead) <= coarse.tick


@pytest.mark.parametrize("step", [0.5, 0.04])
def test_a_step_is_still_read_on_a_coarse_clock(step):
    # an older server's wall clock stepped (NTP steps past 128 ms); one of a few ticks is told from the clocks' own
    # rounding too: the slack is one tick, no more
    coarse = CoarseClocks()
    clocks = ClockOffset(tick=coarse.tick)
    coarse.pong(clocks, 0.0)
    coarse.ahead += step
    coarse.pong(clocks, 10.0)
    assert clocks.offset == pytest.approx(coarse.ahead, abs=coarse.tick)


def test_pongs_whose_bounds_do_not_meet_are_other_clocks_though_their_whole_trips_would():
    # each pong puts the offset within half its trip: 100 +- 0.045, then 100.15 +- 0.05, a step of the server's clock
    clocks = ClockOffset(tick=0.0)
    clocks.pong(sent=0.0, server=100.045, now=0.09)  # the quicker: it would stand, kept
    clocks.pong(sent=10.0, server=110.2, now=10.1)
    assert clocks.offset == pytest.approx(100.15)


def test_quick_pongs_within_a_millisecond_on_a_fine_clock_are_the_same_clocks():
    clocks = ClockOffset(tick=0.0)
    clocks.pong(sent=0.0, server=100.0, now=0.0)
    clocks.pong(sent=10.0, server=110.0005, now=10.0)  # the stamps' rounding: no step
    assert clocks.offset == pytest.approx(100.0)


def test_the_clocks_tick_defaults_to_this_machines_monotonic_clocks(monkeypatch):
    assert 0.0 < monotonic_tick() <= 0.02  # a nanosecond here, 15.6 ms on Windows
    monkeypatch.setattr("vcam.remote.clockoffset.monotonic_tick", lambda: 1 / 64)
    coarse = CoarseClocks()
    clocks = ClockOffset()
    for at in (0.0, 10.01, 20.005):
        coarse.pong(clocks, at)
    assert len(clocks._samples) == 3


def test_the_default_tick_is_read_from_the_monotonic_clock_not_another(monkeypatch):
    # the pongs are stamped with time.monotonic: the wall clock's finer step (Windows: 100 ns where monotonic's is
    # 15.6 ms) would leave the slack a millisecond and quick pongs a tick apart dropping each other
    real = clockoffset_module.time.get_clock_info

    def clock_info(name):
        return SimpleNamespace(resolution=1 / 64) if name == "monotonic" else real(name)

    monkeypatch.setattr(clockoffset_module.time, "get_clock_info", clock_info)
    assert monotonic_tick() == 1 / 64
    coarse = CoarseClocks()
    clocks = ClockOffset()
    for at in (0.0, 10.01, 20.005):
        coarse.pong(clocks, at)
    assert len(clocks._samples) == 3
