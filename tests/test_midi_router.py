"""MIDI routing: soft takeover against a local controller and against a remote one whose state comes back late."""
import threading
from collections import deque

import mido

from vcam.client import RemoteController
from vcam.commands import parse
from vcam.controller import Controller, ShowState
from vcam.midi import MidiRouter
from vcam.midimap import find_map_file, load_map
from vcam.show import parse_show

SHOW = """\
presets:
  - {name: city, prompt: a neon city}
  - {name: ocean, prompt: ocean waves}
  - {name: forest, prompt: a misty forest}
"""


class NullGenerator:
    blocks = 0

    def submit(self, control, at_block=None):
        pass


def server_controller(**state) -> Controller:
    show = parse_show(SHOW, "show.yaml")
    st = ShowState(prompts=show.presets[0].prompts, preset=0, **state)
    return Controller(show, st, NullGenerator(), threading.Event(), lambda s: None)


def nanokontrol2():
    return load_map(find_map_file("nanokontrol2", None))


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


class LaggyLink:
    """A server reached over a network: each command is applied there at once, and the state it answers with
    reaches the client `lag` knob messages later."""

    def __init__(self, lag: int):
        self.server = server_controller()
        self.lag = lag
        self.sent: list[str] = []
        self.in_flight: deque[dict] = deque()
        self.remote = RemoteController(self.send)
        self.remote.update(self.server.snapshot())

    def send(self, line: str) -> bool:
        self.sent.append(line)
        self.server.handle_line(line, "net")
        self.in_flight.append(self.server.snapshot())
        return True

    def deliver(self, keep: int) -> None:
        while len(self.in_flight) > keep:
            self.remote.update(self.in_flight.popleft())

    def blends(self) -> list[float]:
        return [parse(line).args[2] for line in self.sent if line.startswith("blend")]


def test_remote_fader_follows_despite_late_state():
    link = LaggyLink(lag=4)
    router = MidiRouter(nanokontrol2(), link.remote)
    for v in range(0, 128, 2):
        router.handle(cc(0, v))
        link.deliver(keep=link.lag)
    link.deliver(keep=0)
    assert len(link.blends()) >= 60
    assert link.blends()[-1] >= 0.95
    assert link.server.state.blend[2] >= 0.95


def test_remote_fader_keeps_blending_the_same_two_presets():
    link = LaggyLink(lag=0)
    router = MidiRouter(nanokontrol2(), link.remote)
    for v in range(0, 128, 2):
        router.handle(cc(0, v))
        link.deliver(keep=0)
    pairs = {tuple(parse(line).args[:2]) for line in link.sent}
    assert pairs == {("city", "ocean")}
    assert link.server.state.blend[:2] == (0, 1)


def test_an_outside_change_still_releases_a_remote_knob():
    link = LaggyLink(lag=2)
    router = MidiRouter(nanokontrol2(), link.remote)
    for v in range(0, 64, 2):
        router.handle(cc(0, v))
        link.deliver(keep=link.lag)
    link.deliver(keep=0)
    link.server.handle_line("blend city ocean 0.9", "stdin")  # another operator
    link.remote.update(link.server.snapshot())
    before = len(link.sent)
    router.handle(cc(0, 66))
    router.handle(cc(0, 70))
    assert len(link.sent) == before and link.server.state.blend[2] == 0.9


def test_an_outside_change_still_releases_a_local_knob():
    ctl = server_controller()
    router = MidiRouter(nanokontrol2(), ctl)
    for v in (0, 10, 20, 30):
        router.handle(cc(16, v))  # knob 1: transition 0..16
    assert ctl.state.transition == round(30 / 127 * 16)
    ctl.handle_line("transition 12", "stdin")
    router.handle(cc(16, 40))
    assert ctl.state.transition == 12
