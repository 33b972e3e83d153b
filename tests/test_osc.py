"""OSC over loopback UDP, sent with python-osc's own client: the built-in addresses, a TouchOSC map with soft
takeover, messages that fit nothing, state replies, and vcam cam's --osc."""
import io
import socket
import threading

import pytest
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_server import ThreadingOSCUDPServer
from pythonosc.udp_client import SimpleUDPClient

from helpers import Pipe, RecordingProducer, free_port, wait_for
from vcam.control.commands import USAGE, parse
from vcam.control.controller import Controller, ShowState
from vcam.control.media import MediaFolders
from vcam.control.osc import osc_parts
from vcam.remote.camquit import CAM_WORDS
from vcam.control.oscinput import MAX_KEYS, OscInput
from vcam.control.oscmap import OscButton, OscFader, OscMap, find_map_file, load_map, map_named
from vcam.control.oscports import parse_address
from vcam.control.oscrouter import OscRouter, Unfit
from vcam.control.show import load_show, parse_show
from vcam.control.yamlproblems import ConfigError
from vcam.errors import VcamError

SHOW = """\
presets:
  - {name: city, prompt: a neon city at night}
  - {name: neon city, prompt: a neon city in the rain}
  - {name: forest, prompt: a misty forest}
"""


class Spy(Controller):
    """The show's controller, keeping every line and command that reaches it."""

    def __init__(self, show_text=SHOW, **state):
        show = parse_show(show_text, "show.yaml")
        super().__init__(show, ShowState(prompts=show.presets[0].prompts, preset=0, **state), RecordingProducer(),
                         threading.Event(), lambda s: None)
        self.lines, self.applied = [], []

    def handle_line(self, line, source, **how):
        self.lines.append((line, source))
        return super().handle_line(line, source, **how)

    def apply(self, cmd, source, **how):
        self.applied.append((str(cmd), source))
        return super().apply(cmd, source, **how)


class FakeClock:
    """The input's clock, moved by hand: how long apart messages came, without waiting that long."""

    def __init__(self, t: float = 100.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


class Rig:
    """An OscInput on a free loopback port, routing to a Spy; `send` waits until the input has handled the
    message (every message, fitting or not, is counted as it is handled)."""

    def __init__(self, mapping=None, ctl=None, clock=None, wall=None):
        self.ctl = ctl or Spy()
        self.router = OscRouter(mapping, self.ctl)
        self.said, self.handled = [], []
        self.input = OscInput("127.0.0.1", 0, self._handle, self.said.append, swept=self.router.swept,
                              **({"clock": clock} if clock else {}), **({"wall": wall} if wall else {}))
        self.input.start()
        self.client = SimpleUDPClient("127.0.0.1", self.input.port)
        self.raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

    def _handle(self, address, values, sender):
        try:
            return self.router.handle(address, values, sender)
        finally:
            self.handled.append((address, values))

    def send(self, address, *values):
        before = len(self.handled)
        self.client.send_message(address, list(values))
        assert wait_for(lambda: any(a == address for a, _ in self.handled[before:]), 60), \
            f"{address} {values} was not handled"

    def send_raw(self, data: bytes):
        """A datagram that may not be OSC: waited for by a message sent after it (one thread reads in order)."""
        self.raw.sendto(data, ("127.0.0.1", self.input.port))

    def stop(self):
        self.input.stop()
        self.raw.close()


@pytest.fixture
def rig():
    rigs = []

    def make(mapping=None, ctl=None, clock=None, wall=None):
        r = Rig(mapping, ctl, clock, wall)
        rigs.append(r)
        return r

    yield make
    for r in rigs:
        r.stop()


# every command of the vocabulary, as OSC sends it → the line that reaches the controller
BUILTIN = [
    ("/vcam/prompt", ["a red fox in snow"], "prompt a red fox in snow"),
    ("/vcam/preset", [3], "preset 3"),
    ("/vcam/preset", ["neon city"], "preset neon city"),
    ("/vcam/next", [], "next"),
    ("/vcam/prev", [1.0], "prev"),  # a push button's press
    ("/vcam/blend", [1, 3, 0.5], "blend 1 3 0.5"),
    ("/vcam/blend", ["neon city", "forest", 0.25], 'blend "neon city" forest 0.25'),
    ("/vcam/seed", [42], "seed 42"),
    ("/vcam/seed", [7.0], "seed 7"),  # a whole number sent as a float
    ("/vcam/transition", [8], "transition 8"),
    ("/vcam/steps", [2], "steps 2"),
    ("/vcam/strength", [0.6], "strength 0.6"),  # a 32-bit float: not 0.6000000238418579
    ("/vcam/bias", [0.3], "bias 0.3"),
    ("/vcam/input", ["none"], "input none"),
    ("/vcam/freeze", [], "freeze"),
    ("/vcam/blackout", [True], "blackout"),
    ("/vcam/live", [], "live"),
    ("/vcam/reset", [], "reset"),
    ("/vcam/go", [], "go"),
    ("/vcam/back", [], "back"),
    ("/vcam/bpm", [128.0], "bpm 128"),
    ("/vcam/tap", [1], "tap"),
    ("/vcam/quantize", ["bar"], "quantize bar"),
    ("/vcam/preset", [2, "@bar"], "preset 2 @bar"),
    ("/vcam/status", [], "status"),
    ("/vcam/help", [], "help"),
    ("/vcam/quit", [], "quit"),
]


def test_the_table_covers_every_command():
    assert {line.split()[0] for _, _, line in BUILTIN} == set(USAGE)


def test_every_builtin_address_reaches_the_controller_as_its_command(rig):
    r = rig()
    for address, values, line in BUILTIN:
        if line == "quit":  # refused before it (test_quit_over_osc_is_refused_and_the_show_goes_on)
            continue
        r.send(address, *values)
        assert r.ctl.lines[-1] == (line, "osc"), (address, values)
    said = "\n".join(r.said)
    # one reply line per address every 2 s (a sweeping fader would scroll the terminal): the first is said
    assert "preset 3 'forest'" in said and "blend 'city' / 'forest' at 0.50" in said
    assert r.ctl.state.seed == 7 and r.ctl.state.transition == 8 and r.ctl.state.steps == 2


@pytest.mark.parametrize("names", [("bob's", "forest"), ("@home", "forest"), ("neon city", "sunset @ beach")])
def test_a_blend_sent_with_names_that_a_shell_reads_otherwise_reaches_the_controller_as_those_names(names):
    # only a name with a space was quoted: `bob's` left a quote open, and `@home` first read as a timing
    spy = Spy(SHOW + "".join(f"  - {{name: '{n}', prompt: x}}\n" for n in ("bob''s", "@home", "sunset @ beach")))
    OscRouter(None, spy).handle("/vcam/blend", [*names, 0.5], "127.0.0.1:9000")
    line, _ = spy.lines[-1]
    assert parse(line).args == (*names, 0.5), line
    assert spy.applied[-1][0] == line


def test_builtin_addresses_change_the_show(rig):
    r = rig()
    r.send("/vcam/preset", "forest")
    assert r.ctl.state.preset == 2
    r.send("/vcam/next")
    assert r.ctl.state.preset == 0
    r.send("/vcam/freeze")
    assert r.ctl.state.screen == "freeze"
    r.send("/vcam/blend", "city", "neon city", 0.75)
    assert r.ctl.state.blend == (0, 1, 0.75)


@pytest.mark.parametrize("address,values", [("/vcam/quit", []), ("/vcam/quit", [1.0]), ("/vcam/cmd", ["quit"]),
                                            ("/vcam/cmd", ["QUIT"])])
def test_quit_over_osc_is_refused_and_the_show_goes_on(rig, address, values):
    """A stray tap on a tablet's button at /vcam/quit, or a cue program's line, ended the show on air."""
    r = rig()
    r.send(address, *values)
    r.send("/vcam/next")  # the show still takes commands
    assert not r.ctl.stop.is_set() and r.ctl.state.preset == 1
    assert ("quit", "osc") not in r.ctl.lines  # refused before it reached the controller
    refused = [line for line in r.said if "quit is not taken from OSC" in line]
    assert len(refused) == 1 and "the show goes on" in refused[0] and "blackout" in refused[0], r.said


@pytest.mark.parametrize("address,values", [("/vcam/quit", []), ("/vcam/cmd", ["quit"])])
def test_quit_over_osc_at_vcam_cam_is_told_where_the_camera_ends(address, values):
    """At vcam cam, /vcam/quit was told "the show ends where vcam runs": read there as the server's machine, where
    a quit typed would end the show for every camera, while the console that ends this camera is vcam cam's own."""
    from types import SimpleNamespace

    from vcam.remote.client import _osc_parts
    from vcam.remote.controller import RemoteController

    sent: list[str] = []
    said: list[str] = []
    remote = RemoteController(lambda line: sent.append(line) or True)
    opts = SimpleNamespace(osc="9000", osc_reply=None, osc_map=None)
    parts = _osc_parts(opts, remote, SimpleNamespace(), said.append)  # as vcam cam makes them
    replies = parts[0].handle(address, values, "10.0.0.7:9000")
    assert sent == [] and len(replies) == 1, replies
    assert "this vcam cam ends where it runs (quit typed at its console" in replies[0], replies
    assert "the server's show goes on" in replies[0] and "where vcam runs" not in replies[0], replies
    assert replies[0].endswith("; this camera goes on"), replies  # said once, not "the show goes on" again
    # blackout, sent on to the server, hides its show from every viewer: "hides the picture" read as this camera's
    assert "blackout would hide that show from every viewer" in replies[0], replies


@pytest.mark.parametrize("word", ["exit", "stop", "quti"])
def test_a_word_for_ending_sent_over_osc_or_the_network_is_not_pointed_at_quit_which_they_are_refused(rig, word):
    """`exit` from a tablet was answered "did you mean quit?", and quit sent next was refused."""
    r = rig()
    r.send("/vcam/cmd", word)
    said = [line for line in r.said if "unknown command" in line]
    assert len(said) == 1 and "did you mean quit" not in said[0], r.said
    assert word == "quti" or "blackout" in said[0]
    reply = Spy().handle_line(word, "net cam", network=True)
    assert reply.startswith("error: unknown command") and "did you mean quit" not in reply
    assert "did you mean quit" in Spy().handle_line(word, "stdin")  # the console, which may quit, is pointed there


def test_a_network_line_to_quit_is_refused_by_the_controller_itself():
    """The same rule where every network sender meets (a vcam cam client's line, an OSC sender's): only the console
    quits."""
    ctl = Spy()
    reply = ctl.handle_line("quit", "net cam", network=True)
    assert reply == ("error: quit is not taken from the network: the show ends where vcam runs (quit typed there, or "
                     "Ctrl-C); blackout hides the picture") and not ctl.stop.is_set()
    assert ctl.handle_line("quit", "stdin") == "stopping" and ctl.stop.is_set()


def test_a_push_button_on_a_builtin_address_fires_on_the_1_only(rig):
    r = rig()
    for value in (1.0, 0.0, 1.0, 0.0):
        r.send("/vcam/next", value)
    assert [c for c, _ in r.ctl.applied] == ["next", "next"]
    assert r.ctl.state.preset == 2


def touchosc():
    return load_map(find_map_file("touchosc-simple", None))


@pytest.mark.parametrize("address", ["/vcam/{next,prev}", "/1/fader[1-2]", "/1/*", "/vcam/nex?"])
def test_an_address_pattern_sent_is_said_to_be_one_and_acts_on_nothing(address):
    """A program that sends OSC's patterns (Max, Pd) to reach several controls at once was told that nothing
    listens at /1/fader[1-2] while /1/fader1 is bound, or that there is no command '{next,prev}'."""
    ctl = Spy()
    with pytest.raises(Unfit) as e:
        OscRouter(touchosc(), ctl).handle(address, [1.0], "10.0.0.9:9000")
    assert str(e.value).startswith(f"{address} is an OSC address pattern, which vcam does not expand: send to each ")
    assert e.value.once and ctl.lines == [] and ctl.applied == []


def test_the_shipped_touchosc_map_covers_the_simple_layout():
    m = touchosc()
    assert {f.param for f in m.faders} >= {"blend", "strength", "transition", "steps"}
    commands = {str(b.command) for b in m.buttons}
    assert {"preset 1", "preset 8", "next", "prev", "freeze", "live", "go", "tap"} <= commands
    for address in ["/1/fader1", "/1/toggle4", "/2/push1", "/2/push16", "/2/toggle1", "/3/toggle1", "/4/toggle4"]:
        assert any(m.bound(address)), address
    assert [f.arg for f in m.bound("/3/xy")[0]] == [0, 1]
    assert m.ignores("/1") and m.ignores("/4/multitoggle/3/2") and not m.ignores("/5/fader1")
    assert m.ignores("/accxyz") and m.ignores("/ping")  # TouchOSC's accelerometer and ping, sent all show long


def test_a_touchosc_fader_is_picked_up_where_the_show_is(rig):
    r = rig(touchosc(), Spy(transition=4))  # /1/fader3: transition 0..16
    for x in (0.9, 0.5):  # 14 then 8: neither meets 4
        r.send("/1/fader3", x)
    assert r.ctl.state.transition == 4 and not r.ctl.applied
    r.send("/1/fader3", 0.26)  # 4: picked up
    r.send("/1/fader3", 0.75)
    assert r.ctl.state.transition == 12 and r.ctl.applied[-1] == ("transition 12", "osc")
    r.ctl.handle_line("transition 2", "stdin")  # someone else moves it: the fader lets go
    r.send("/1/fader3", 0.6)
    assert r.ctl.state.transition == 2
    r.send("/1/fader3", 0.0)  # crossing 2 picks it up again
    assert r.ctl.state.transition == 0


def test_a_fader_given_another_range_or_parameter_by_a_reload_is_picked_up_anew():
    """A reloaded map that gives a picked-up fader another range or parameter: the fader's place means another
    value now, and its first message must not jump the parameter there (as a MIDI knob's did)."""
    ctl = Spy(transition=4)
    maps = [OscMap(faders=(OscFader("/f", "transition", 0, 16),))]
    router = OscRouter(lambda: maps[-1], ctl)
    router.handle("/f", [0.25], "10.0.0.9:9000")  # 4: picked up
    router.handle("/f", [0.5], "10.0.0.9:9000")
    assert ctl.state.transition == 8
    maps.append(OscMap(faders=(OscFader("/f", "transition", 0, 32),)))  # as a reload puts the saved map in force
    router.handle("/f", [0.55], "10.0.0.9:9000")  # about 18 on the new range
    assert ctl.state.transition == 8
    router.handle("/f", [0.25], "10.0.0.9:9000")  # crossing 8 picks it up
    assert ctl.state.transition == 8
    router.handle("/f", [0.3], "10.0.0.9:9000")
    assert ctl.state.transition == 10
    maps.append(OscMap(faders=(OscFader("/f", "steps", 1, 8),)))  # another parameter at the address
    router.handle("/f", [1.0], "10.0.0.9:9000")  # 8 steps: far from the show's
    assert ctl.state.steps != 8
    maps.append(OscMap(faders=(OscFader("/f", "transition", 0, 32, curve="exp"),)))  # another curve
    router.handle("/f", [0.9], "10.0.0.9:9000")  # about 21: a jump from 10
    assert ctl.state.transition == 10
    router.handle("/f", [0.1], "10.0.0.9:9000")  # crossing 10 picks it up: about 1
    maps.append(OscMap(faders=(OscFader("/f", "steps", 1, 8),)))
    router.handle("/f", [0.95], "10.0.0.9:9000")  # moved under the steps mapping, not picked up there
    maps.append(maps[-2])  # back to the mapping it was picked up with: the fader stands elsewhere now
    router.handle("/f", [0.9], "10.0.0.9:9000")
    assert ctl.state.transition == 1


def test_a_touchosc_xy_pad_drives_two_parameters(rig):
    r = rig(touchosc(), Spy())
    r.send("/3/xy", 0.0, 1.0)  # blend starts at 0 and strength at its default: x is picked up at once
    r.send("/3/xy", 0.5, 1.0)
    assert r.ctl.state.blend == (0, 1, 0.5)


def test_an_xy_pad_sent_one_value_is_told_it_needs_two(rig):
    """The count in the answer is the values the fader reads up to: one for the pad's x, two for its y."""
    r = rig(touchosc())
    r.send("/3/xy", 0.5)
    said = "\n".join(r.said)
    assert "/3/xy: expected 2 values, got 1" in said and "expected 2 value," not in said


def test_a_touchosc_push_fires_once_and_a_toggle_turns_back(rig):
    r = rig(touchosc())
    r.send("/2/push3", 1.0)
    r.send("/2/push3", 0.0)
    assert [c for c, _ in r.ctl.applied] == ["preset 3"] and r.ctl.state.preset == 2
    r.send("/2/push10", 1.0)  # next
    r.send("/2/push10", 1.0)  # its release was lost: pressed again
    r.send("/2/push10", 0.0)
    assert [c for c, _ in r.ctl.applied][1:] == ["next", "next"]
    r.send("/1/toggle1", 1.0)
    assert r.ctl.state.screen == "freeze"
    r.send("/1/toggle1", 0.0)
    assert r.ctl.state.screen == "live"
    r.send("/1")  # TouchOSC's page change: nothing said, nothing done
    assert not any("/1" in s for s in r.said) and len(r.ctl.applied) == 5


def test_bad_messages_are_said_once_each_and_the_input_goes_on(rig, caplog):
    r = rig(touchosc())
    r.send("/vcam/seed", "abc")  # the parser's answer
    r.send("/vcam/steps", b"\x01\x02")  # a blob
    r.send("/1/fader1", "high")  # a fader sent text
    r.send("/1/fader2")  # a fader sent nothing
    r.send("/vcam/fly", 1)  # no such command
    r.send("/vcam/fly", 1)  # again, within 2 s: counted, not said
    r.send("/nothing/here", 1.0)  # no such address
    r.send_raw(b"hello")  # not OSC at all
    r.send_raw(b"/vcam/next\x00\x00,X\x00\x00")  # a type tag python-osc does not know
    r.send_raw(b"#bundle\x00" + b"\x00" * 8 + b"\x00\x00\x00\x40oops")  # a bundle cut short
    r.send("/vcam/preset", 2)  # and after all of that, the input still works
    assert r.ctl.state.preset == 1
    said = "\n".join(r.said)
    assert "seed needs a whole number, not 'abc'" in said and "(OSC /vcam/seed)" in said
    assert "/vcam/steps: blob values are not understood" in said
    assert "/1/fader1: value 1 must be a number (0 to 1), not text" in said
    assert "/1/fader2: expected 1 value, got 0" in said
    assert "there is no command 'fly'" in said and "nothing listens at /nothing/here" in said
    garbage = [s for s in r.said if "not an OSC message" in s]
    assert len(garbage) == 1 and "5 bytes from 127.0.0.1" in garbage[0]  # the next two held back (2 s)
    assert len([s for s in r.said if "/vcam/fly" in s]) == 1
    r.stop()  # what was held back is counted as the input stops
    assert "2 more like it, the last: OSC: 24 bytes" in "\n".join(r.said)  # the cut bundle: the last said of
    assert r.said[-1] == "OSC: more messages nothing listened at: 1 to /vcam/fly"  # said once, then counted
    assert not [rec for rec in caplog.records if rec.levelname == "WARNING"]  # python-osc said nothing itself


def test_a_flood_of_bad_messages_says_a_line_not_a_thousand(rig):
    r = rig()
    for i in range(100):
        r.client.send_message(f"/flood/{i}", [1.0])
    r.send("/vcam/preset", 3)
    assert r.ctl.state.preset == 2
    r.stop()
    flood = len([a for a, _ in r.handled if a.startswith("/flood/")])  # UDP may drop some of a burst
    lines = [s for s in r.said if "/flood/" in s]
    # the first few addresses a line each (a sender with a typo or two is told which), then one for all others
    assert flood > MAX_KEYS + 1 and len(lines) == MAX_KEYS + 2
    last = next(a for a, _ in reversed(r.handled) if a.startswith("/flood/"))
    assert lines[-1] == (f"{flood - MAX_KEYS - 1} more from other addresses, the last: OSC: nothing listens at "
                         f"{last}: the built-in addresses are /vcam/<command> (/vcam/preset 3, /vcam/next, …), "
                         "others need an osc: map, whose ignore: list drops an address unsaid (said once while it "
                         "keeps coming)")


def test_a_press_is_said_each_time_and_a_sweep_ends_on_its_last_value(rig):
    clock = FakeClock()
    r = rig(clock=clock)
    for n in (2, 3, 1):  # a tablet's preset buttons, half a second apart
        r.send("/vcam/preset", n)
        clock.t += 0.5
    assert [s for s in r.said if s.startswith("preset")] == [
        "preset 2 'neon city' (over 4 blocks)", "preset 3 'forest' (over 4 blocks)", "preset 1 'city' (over 4 blocks)"]
    for i in range(41):  # a fader straight on /vcam/strength, swept in 1.2 s
        r.send("/vcam/strength", i / 40)
        clock.t += 0.03
    r.stop()
    sweep = [s for s in r.said if "strength" in s]
    kept = "kept for an input: none is on air now (put one on with input SRC)"
    assert sweep == [f"strength 0, {kept}", f"40 more like it, the last: strength 1, {kept}"]
    assert r.said[-1] == sweep[-1] and r.ctl.state.strength == 1.0


def test_an_error_amid_a_sweep_is_said_in_its_place_and_the_last_word_is_the_latest(rig):
    clock = FakeClock()
    r = rig(clock=clock)
    for value in (5, 6, -1, 7):  # a seed fader on /vcam/seed that once sends a value out of range
        r.send("/vcam/seed", value)
        clock.t += 0.5
    r.stop()
    assert [s.split(" from")[0].split(";")[0] for s in r.said if "seed" in s] == [
        "seed 5", "1 more like it, the last: seed 6", "error: seed -1 is out of range (0 to 9223372036854775807)",
        "1 more like it, the last: seed 7"]
    assert r.ctl.state.seed == 7


def test_errors_at_new_addresses_are_said_once_the_old_ones_have_had_their_time(rig):
    """TouchOSC's page changes (unmapped here) fill the addresses counted apart; a few seconds later, each new
    error is said in its own words, not counted under the page changes'."""
    clock = FakeClock()
    r = rig(clock=clock)
    for page in range(MAX_KEYS + 1):
        r.send(f"/layout/page{page}")
    clock.t += 3.0
    r.send("/vcam/preset", 99)
    r.send("/vcam/seed", -1)
    r.send("/vcam/blend", 1, 2, 5.0)
    r.stop()
    errors = [s for s in r.said if s.startswith("error")]
    assert len(errors) == 3 and all(e.startswith(f"error: {said}") for e, said in zip(
        errors, ("no preset 99:", "seed -1 is out of range", "blend position 5 is outside 0 to 1")))
    assert not [s for s in r.said if "more" in s]  # nothing was held back: every line said was its own


@pytest.fixture
def tablet():
    """An OSC listener on a free loopback port standing for a tablet: what it heard (address, values), and its
    port. Its server handles each datagram on a thread of its own."""
    got = []
    dispatcher = Dispatcher()
    dispatcher.set_default_handler(lambda address, *values: got.append((address, list(values))))
    server = ThreadingOSCUDPServer(("127.0.0.1", 0), dispatcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield got, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_state_replies_reach_a_tablet_on_every_change(tablet):
    got, reply_port = tablet

    class Tempo:
        bpm, listeners = 128.0, []

        def beat(self):
            return 17.5

        def listen(self, fn):
            self.listeners.append(fn)

    ctl, tempo = Spy(), Tempo()
    (replies,) = osc_parts(None, f"127.0.0.1:{reply_port}", None, ctl.show, ctl, lambda s: None,
                           tempo=tempo, fps=lambda: 11.5)
    replies.every_s = 3600  # only changes are sent after the first state
    replies.start()
    try:
        def last(address):
            return next((v for a, v in reversed(got) if a == address), None)

        # the tablet's server handles each datagram on a thread of its own: they are awaited, in any order
        first = {"/vcam/preset": [1, "city"], "/vcam/preset/name": ["city"], "/vcam/bpm": [128.0],
                 "/vcam/beat": [17.5], "/vcam/fps": [11.5], "/vcam/blend": [0.0]}
        assert wait_for(lambda: all(last(a) == v for a, v in first.items()), 60), got
        ctl.handle_line("blend 2 3 0.25", "stdin")  # the controller's listener
        assert wait_for(lambda: last("/vcam/blend") == [0.25] and last("/vcam/preset") == [2, "neon city"]
                        and "blend 'neon city' / 'forest'" in last("/vcam/status")[0], 10), got
        tempo.bpm = 140.0
        tempo.listeners[0]()  # the tempo's listener
        assert wait_for(lambda: last("/vcam/bpm") == [140.0], 60)
    finally:
        replies.stop()


def test_without_a_tempo_or_frame_rate_those_are_left_out():
    from vcam.control.oscreply import state_messages

    addresses = [a for a, _ in state_messages({"preset": None, "presets": ["a"], "status": "x"})]
    assert addresses == ["/vcam/preset", "/vcam/preset/number", "/vcam/preset/name", "/vcam/blend", "/vcam/status"]


def test_listening_off_loopback_says_anyone_can_steer_once(rig):
    said = []
    inp = OscInput("0.0.0.0", 0, lambda a, v, s: [], said.append)
    inp.start()
    inp.stop()
    assert len([s for s in said if "anyone on the network" in s]) == 1


def test_a_port_in_use_is_one_clear_error():
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        with pytest.raises(VcamError) as e:
            OscInput("127.0.0.1", taken.getsockname()[1], lambda a, v, s: [], lambda s: None).start()
    finally:
        taken.close()
    assert "cannot listen for OSC on 127.0.0.1:" in e.value.message and "--osc" in e.value.fix
    assert "another --osc port" in e.value.fix


@pytest.mark.parametrize("platform, finder", [("linux", "sudo ss -lunp 'sport = :{}'"),
                                              ("darwin", "sudo lsof -nP -iUDP:{}"),
                                              ("win32", 'netstat -ano -p udp | findstr /c:":{} "')])
def test_a_port_in_use_names_the_command_that_finds_who_holds_it(monkeypatch, platform, finder):
    """--osc 9000 with the port in use named no way to find the program holding it, nor a port to pick instead."""
    import vcam.control.oscinput as oscinput

    monkeypatch.setattr(oscinput.sys, "platform", platform)
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    port = taken.getsockname()[1]
    try:
        with pytest.raises(VcamError) as e:
            OscInput("127.0.0.1", port, lambda a, v, s: [], lambda s: None).start()
    finally:
        taken.close()
    assert finder.format(port) in e.value.fix and f"--osc {port + 1}" in e.value.fix, e.value.fix


def test_the_windows_command_that_finds_who_holds_a_port_matches_that_port_alone(monkeypatch):
    """findstr :800 found port 8000's line too (and 8001's): the PID read off it was another program's. findstr's
    /c: searches for its text as written, the space after the port included."""
    import re

    import vcam.portholders
    from vcam.portholders import holder_finder

    monkeypatch.setattr(vcam.portholders.sys, "platform", "win32")
    netstat = ["  UDP    0.0.0.0:800            *:*                                    4242",
               "  UDP    0.0.0.0:8000           *:*                                    1717",
               "  UDP    127.0.0.1:8001         *:*                                    1818"]
    searched = re.search(r'findstr /c:"([^"]*)"', holder_finder(800, "udp")).group(1)
    assert [line for line in netstat if searched in line] == [netstat[0]]
    v6 = ["  UDP    [::]:800               *:*                                    4343",
          "  UDP    [::]:8000              *:*                                    1919"]
    offered = dict(re.findall(r'netstat -ano -p (\w+) \| findstr /c:"([^"]*)"', holder_finder(800, "udp")))
    assert [line for line in v6 if offered["udpv6"] in line] == [v6[0]]  # -p udp lists IPv4's sockets alone


def test_a_port_below_1024_without_root_says_root_is_needed_not_that_the_port_is_busy(monkeypatch):
    """--osc 53 as a user was told to stop the program that uses the port: there is none, and no other program's
    stop would have helped."""
    import errno

    def refused(self, where):
        raise PermissionError(errno.EACCES, "Permission denied")

    import vcam.control.oscinput as oscinput

    monkeypatch.setattr(socket.socket, "bind", refused)
    monkeypatch.setattr(oscinput, "_first_unprivileged_port", lambda: 1024)  # a user's, on Linux
    with pytest.raises(VcamError) as e:
        OscInput("127.0.0.1", 53, lambda a, v, s: [], lambda s: None).start()
    assert "cannot listen for OSC on 127.0.0.1:53 (Permission denied)" in e.value.message
    assert "ports below 1024 need root" in e.value.fix and "--osc 8000" in e.value.fix
    assert "stop the program" not in e.value.fix
    with pytest.raises(VcamError) as e:
        OscInput("0.0.0.0", 80, lambda a, v, s: [], lambda s: None).start()
    assert e.value.fix.endswith("e.g. --osc 0.0.0.0:8000")  # the network it was to listen on kept
    monkeypatch.setattr(oscinput, "_first_unprivileged_port", lambda: 0)  # root, a container, Windows: not the port
    with pytest.raises(VcamError) as e:
        OscInput("127.0.0.1", 53, lambda a, v, s: [], lambda s: None).start()
    assert "need root" not in e.value.fix and "stop the program that uses this one" in e.value.fix


def test_the_lowest_port_a_user_may_have_is_read_from_the_system(monkeypatch):
    import os
    import sys

    from vcam.control.oscinput import _first_unprivileged_port

    monkeypatch.setattr(sys, "platform", "win32")
    assert _first_unprivileged_port() == 0
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    assert _first_unprivileged_port() == 0
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert _first_unprivileged_port() in range(0, 65536)


@pytest.mark.skipif(not socket.has_ipv6, reason="no IPv6 here")
def test_an_ipv6_address_listened_on_is_said_in_brackets():
    """`--osc [::1]:8000` was said as listening on ::1:8000, and [::]:8000 as ':::8000', which no one can type back."""
    said = []
    inp = OscInput("::", 0, lambda a, v, s: [], said.append)
    try:
        inp.start()
    except VcamError:
        pytest.skip("IPv6 is turned off on this machine")
    inp.stop()
    assert said[0].startswith(f"OSC: listening on [::]:{inp.port} ")
    assert said[1].startswith(f"OSC on [::]:{inp.port}: anyone on the network")


def test_an_ipv6_address_that_cannot_be_listened_on_is_said_in_brackets():
    """`--osc [2001:db8::7]:8000` (another machine's address, or IPv6 turned off here) was said as 'cannot listen
    for OSC on 2001:db8::7:8000', which reads as no address at all."""
    with pytest.raises(VcamError) as e:
        OscInput("2001:db8::7", 8000, lambda a, v, s: [], lambda s: None).start()
    assert "cannot listen for OSC on [2001:db8::7]:8000 (" in e.value.message


def test_an_address_of_another_machine_is_said_to_be_one_not_a_busy_port():
    """--osc 192.0.2.7:8000 (the tablet's address where this machine's goes) was told to pick another port."""
    with pytest.raises(VcamError) as e:
        OscInput("192.0.2.7", 8000, lambda a, v, s: [], lambda s: None).start()
    assert "192.0.2.7:8000" in e.value.message and "an address of this machine" in e.value.fix
    assert "port" not in e.value.fix


def test_vcam_run_with_a_busy_osc_port_stops_before_the_show(capsys):
    from vcam.cli import main

    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        code = main(["run", "--model", "tiny", "--out", "null", "--duration", "1", "--no-stdin",
                     "--osc", str(taken.getsockname()[1])])
    finally:
        taken.close()
    err = capsys.readouterr().err
    assert code == 2 and "cannot listen for OSC on 127.0.0.1:" in err and "Traceback" not in err


@pytest.mark.parametrize("text,need_host,expected", [("9000", False, ("127.0.0.1", 9000)),
                                                     ("0.0.0.0:8000", False, ("0.0.0.0", 8000)),
                                                     ("[::1]:8000", False, ("::1", 8000)),
                                                     ("tablet.local:9000", True, ("tablet.local", 9000)),
                                                     # typed with an East Asian input method: the port int() reads
                                                     ("８０００", False, ("127.0.0.1", 8000))])
def test_osc_addresses(text, need_host, expected):
    assert parse_address(text, need_host) == expected


@pytest.mark.parametrize("text,need_host", [("9000", True), ("0", False), ("70000", False), ("host:", False),
                                            (":9000", False), ("nine", False), ("²", False), ("0.0.0.0:80²", False)])
def test_bad_osc_addresses_say_how_they_are_written(text, need_host):
    with pytest.raises(ValueError, match="give .*PORT"):
        parse_address(text, need_host)


def test_an_osc_section_in_a_show_overrides_the_map_at_its_addresses():
    show = parse_show(SHOW + "osc:\n  map: touchosc-simple\n  controls:\n"
                             "    - {address: /2/push1, command: preset forest}\n"
                             "    - {address: /bpm, command: bpm 120}\n", "show.yaml")
    faders, buttons = show.osc.bound("/2/push1")
    assert [str(b.command) for b in buttons] == ["preset forest"]
    assert show.osc.bound("/bpm")[1] and show.osc.bound("/1/fader1")[0]


def test_an_osc_section_naming_a_missing_preset_is_rejected_with_its_line(tmp_path, capsys):
    from vcam.cli import main

    path = tmp_path / "show.yaml"
    path.write_text(SHOW + "osc:\n  controls:\n    - {address: /a, param: blend, between: [city, desert]}\n"
                           "    - {address: /b, command: preset 9}\n"
                           "    - {address: /c, command: freeze, release: preset dune}\n")
    with pytest.raises(ConfigError) as e:
        parse_show(path.read_text(), str(path))
    assert e.value.problems == [f"{path}:7: osc: /a between: no preset named 'desert'; presets: city, neon city, "
                                "forest",
                                f"{path}:8: osc: /b command 'preset 9': no preset 9: this show has presets 1 to 3",
                                f"{path}:9: osc: /c release 'preset dune': no preset named 'dune'; presets: city, "
                                "neon city, forest"]
    path.write_text(SHOW + "osc: {map: touchosc-simple}\n")
    assert main(["check", str(path)]) == 0
    assert "osc: TouchOSC Simple: 7 faders, 36 buttons" in capsys.readouterr().out


@pytest.mark.parametrize("between,said", [
    ("[forest, Forest]", "osc control 1 between names 'forest' twice (as 'forest' and 'Forest'); a blend moves "
                         "between two different presets: name another at one end"),
    ("[2, neon city]", "osc: /a between names preset 2 ('neon city') twice, as 2 and 'neon city'; a blend moves "
                       "between two different presets: name another at one end, e.g. [neon city, city]"),
])
def test_an_osc_fader_between_one_preset_twice_is_refused_with_its_line_and_the_fix(between, said):
    """The controller refuses a blend of a preset with itself: such a fader failed on every move, on air."""
    with pytest.raises(ConfigError) as e:
        parse_show(SHOW + f"osc:\n  controls:\n    - {{address: /a, param: blend, between: {between}}}\n", "s.yaml")
    assert e.value.problems == [f"s.yaml:7: {said}"]


def test_a_broken_osc_map_file_leaves_the_shows_own_entries_checked_against_its_presets(tmp_path, capsys):
    """The map file's problems alone were said: the show's own misspelt preset came up only at the next reload."""
    from vcam.cli import main

    (tmp_path / "pad.yaml").write_text("controls:\n  - {address: /x, param: nope}\n")
    path = tmp_path / "show.yaml"
    path.write_text(SHOW + "osc:\n  map: pad.yaml\n  controls:\n"
                           "    - {address: /a, param: blend, between: [city, desert]}\n"
                           "    - {address: /b, command: preset 9}\n")
    assert main(["check", str(path)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "vcam: error in the show file:",
        f"  {path}:8: osc: /a between: no preset named 'desert'; presets: city, neon city, forest",
        f"  {path}:9: osc: /b command 'preset 9': no preset 9: this show has presets 1 to 3",
        f"  {tmp_path / 'pad.yaml'}:2: OSC map control 1 param must be one of blend, transition, steps, seed, "
        "strength, bias (got 'nope')"]


@pytest.mark.parametrize("entry,problem", [
    ("{address: 1/fader1, param: blend}", "address '1/fader1' must start with /: write /1/fader1"),
    # a binding is looked up before vcam's own addresses: /vcam/next bound to a fader stopped going next
    ("{address: /vcam/next, param: strength}", "address '/vcam/next' is one of vcam's own addresses (/vcam/<command>), "
                                               "which needs no map; bind the control to an address of its own"),
    # written without its / too: the hint to write /vcam/cmd was refused once taken
    ("{address: vcam/cmd, command: next}", "address 'vcam/cmd' is one of vcam's own addresses"),
    ("{address: /vcam/Next, command: go}", "address '/vcam/Next' is one of vcam's own addresses"),
    ("{address: /a, param: blend, command: next}", "give either param (a fader) or command (a button)"),
    ("{address: /a, command: fly}", "unknown command 'fly'"),
    ("{address: /a, command: '# next'}", "command: '# next' is a comment, not a command"),
    ("{address: /a, param: blend, arg: 99}", "arg 99 is out of range"),
    ("{address: /a, command: next, range: [0, 1]}", "range is for a fader"),
    ("{address: /a, parm: blend}", "unknown key 'parm'; known keys: address, arg, command, release, param"),
    ("{address: /a, param: blnd}", "param must be one of blend, transition, steps, seed, strength, bias (got 'blnd')"),
    ("{address: /a, param: steps, range: [1]}", "range must be [low, high]"),
    ("{address: /a, param: steps, range: [0, 99]}", "range start 0 is out of range (1 to 8)"),
    ("{address: /a, param: steps, curve: logarithmic}", "curve must be one of linear, exp, log"),
    ("{address: /a, param: steps, between: [a, b]}", "between is only for param: blend"),
    ("{address: /a, param: blend, between: [a]}", "between must list two presets, e.g. [neon city, forest]"),
    ("{address: /a, param: blend, between: [a, A]}", "between names 'a' twice (as 'a' and 'A'); a blend moves between "
                                                     "two different presets: name another at one end"),
    # a name is compared as the show compares its presets' names (commands.name_key): these two are one preset
    ('{address: /a, param: blend, between: [neon city, "Neon\\u00a0City"]}',
     "between names 'neon city' twice (as 'neon city' and 'Neon\\xa0City'); a blend moves between"),
    ('{address: /a, param: blend, between: ["fo\\u200drest", forest]}',
     "between names 'fo\u200drest' twice (as 'fo\u200drest' and 'forest'); a blend moves between"),
    ("{address: /a, param: blend, arg: x}", "arg must be a whole number from 0 to 15"),
    ("{address: '/1/*', param: blend}", "must start with / and hold no spaces or any of # * , ? [ ] { }"),
    ("{address: 5, param: blend}", "is read as a number; quote it: '5'"),
    ("{param: blend}", "'address' is missing"),
    ("{address: /a, param: blend, release: live}", "release is for a button (command:), not a fader"),
    ("{address: /a, command: freeze, release: lve}", "release: unknown command 'lve'"),
    ("{address: /a, command: seed abc}", "seed needs a whole number, not 'abc'"),
    ("{address: /a, address: /b, param: blend}", "key 'address' is given twice; keep one"),
    # a stray tap on the tablet ended the show on air
    ("{address: /a, command: quit}", "command: quit is not taken from a control or a cue: the show ends where vcam "
                                     "runs (quit typed there, or Ctrl-C); blackout hides the picture"),
    ("{address: /a, command: blackout, release: quit}", "release: quit is not taken from a control or a cue"),
])
def test_an_osc_map_file_says_what_is_wrong_on_which_line(tmp_path, entry, problem):
    path = tmp_path / "map.yaml"
    path.write_text(f"name: mine\ncontrols:\n  - {entry}\n")
    with pytest.raises(ConfigError) as e:
        load_map(path)
    assert e.value.problems[0].startswith(f"{path}:3:") and problem in e.value.problems[0]


def test_an_address_under_vcam_that_is_none_of_its_commands_is_still_a_maps_to_bind(tmp_path):
    """Only vcam's commands are its own: a layout made for vcam (/vcam/fader1) was refused whole by the check that
    keeps /vcam/next going next."""
    path = tmp_path / "map.yaml"
    path.write_text("controls:\n  - {address: /vcam/fader1, param: blend}\n  - {address: /vcam/next/2, command: go}\n")
    mapping = load_map(path)
    assert [f.address for f in mapping.faders] == ["/vcam/fader1"]
    assert [b.address for b in mapping.buttons] == ["/vcam/next/2"]


@pytest.mark.parametrize("text,line,problem", [
    ("name: mine\ncontrols:\n  - {address: /a, param: blend}\n  - {address: /a, param: strength}\n", 4,
     "/a is already bound on line 3; keep one"),
    ("controls: []\nignore: [accxyz]\n", 2, "ignore entry 'accxyz' must start with / (an OSC address or pattern)"),
    ("controls: {address: /a, param: blend}\n", 1, "controls must be a list (lines starting with '- ')"),
    ("map: touchosc-simple\ncontrols: []\n", 1, "unknown key 'map'; known keys: name, controls, ignore"),
    # a port or a reply address, as a midi: section names its port: the flag that gives it, not an unknown key
    ("port: 8000\ncontrols: []\n", 1, "OSC map: port: is not read here: the port OSC is heard on is vcam run's: "
     "vcam run SHOW --osc 8000"),
    ("controls: []\nreply: 9001\n", 2, "OSC map: reply: is not read here: the address replies are sent to is vcam "
     "run's: vcam run SHOW --osc-reply 9001"),
    ("controls:\n  - {address: /a, param: blend\n", 2, "not valid YAML"),
    ("controls:\n\t- {address: /a, param: blend}\n", 2, "indent with spaces"),
    ("", 1, "the file is empty; it needs a controls: list"),
    ("presets:\n  - {name: a, prompt: b}\n", 1, "this is a show file (presets:, no controls:), not an OSC map"),
])
def test_a_whole_osc_map_file_says_what_is_wrong_on_which_line(tmp_path, text, line, problem):
    path = tmp_path / "map.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as e:
        load_map(path)
    assert e.value.problems[0].startswith(f"{path}:{line}:") and problem in e.value.problems[0], e.value.problems


def test_a_shows_osc_port_is_told_to_be_given_to_vcam_run():
    """`osc: {port: 9000}`, as the midi: section names its port:, was said as an unknown key with no word of --osc;
    the section's own keys are read as ever beside it."""
    from vcam.control.show import parse_show

    with pytest.raises(ConfigError) as e:
        parse_show("presets:\n  - {name: a, prompt: b}\nosc:\n  port: 8000\n  prot: 1\n  map: touchosc-simple\n",
                   "show.yaml")
    assert e.value.problems == [
        "show.yaml:4: osc: port: is not read here: the port OSC is heard on is vcam run's: vcam run SHOW --osc 8000",
        "show.yaml:5: osc: unknown key 'prot'; known keys: name, map, controls, ignore"]


def test_a_shows_osc_port_written_twice_is_named_once_and_its_second_line_said():
    """port: 8000 and port: 8001 said "port: and port: are not read here", with the second's 8001 offered as the
    one meant: each key is named once, the second line is said as the section's own duplicates are."""
    from vcam.control.show import parse_show

    with pytest.raises(ConfigError) as e:
        parse_show("presets:\n  - {name: a, prompt: b}\nosc:\n  port: 8000\n  port: 8001\n", "show.yaml")
    assert e.value.problems == [
        "show.yaml:4: osc: port: is not read here: the port OSC is heard on is vcam run's: vcam run SHOW --osc "
        "[HOST:]PORT",
        "show.yaml:5: osc: key 'port' is given twice; keep one"]


@pytest.mark.parametrize("section, flags", [
    ("  port: 8000\n  reply: 192.168.1.20:9001\n", {"osc": "8000", "osc_reply": "192.168.1.20:9001"}),
    ("  reply: '[::1]:9001'\n", {"osc": None, "osc_reply": "[::1]:9001"}),
    # a host starting with '-': --osc-reply -x:9 was offered, which vcam run reads as an unknown switch
    ("  reply: '-x:9'\n", {"osc": None, "osc_reply": "-x:9"}),
    ("  port: lots\n", None),
    ("  port: [8000]\n  reply: 9001\n", None),
])
def test_a_shows_osc_port_and_reply_are_offered_as_the_flags_that_take_the_values_written(tmp_path, section, flags):
    """port: 8000 and reply: 192.168.1.20:9001 were told --osc 9000 and --osc-reply 9000, an example's values, each
    in a message of its own: the command offered, pasted, gives vcam run the values written, and one it would
    refuse is offered by its form."""
    import shlex

    from vcam.cmdline.parser import build_parser
    from vcam.control.show import parse_show

    with pytest.raises(ConfigError) as e:
        parse_show(f"presets:\n  - {{name: a, prompt: b}}\nosc:\n{section}", "show.yaml")
    [said] = e.value.problems
    command = said.split("vcam run's: ", 1)[1]
    if flags is None:
        assert "[HOST:]PORT" in command, said
        return
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: b}\n")
    args = build_parser().parse_args(shlex.split(command.replace("SHOW", str(show)))[1:])
    assert {"osc": args.osc, "osc_reply": args.osc_reply} == flags, command


def test_an_osc_map_on_the_command_line_must_fit_the_show(tmp_path):
    path = tmp_path / "map.yaml"
    path.write_text("controls:\n  - {address: /a, command: preset desert}\n")
    ctl = Spy()
    with pytest.raises(VcamError, match="does not fit this show: line 2: /a command 'preset desert'"):
        osc_parts("9000", None, str(path), ctl.show, ctl, lambda s: None)
    with pytest.raises(ValueError, match="OSC map 'nope' not found; shipped maps: touchosc-simple"):
        map_named("nope")


@pytest.mark.parametrize("entry,problem", [
    ("{address: /a, param: blend, between: [3, Forest]}", "/a between names preset 3 ('forest') twice, as 3 and "
                                                          "'Forest'; a blend moves between two different presets"),
    ("{address: /b, command: blend 1 city 0.5}", "/b command blend 1 city 0.5: blend mixes two different presets: "
                                                 "'city' is preset 1, named twice"),
    ("{address: /b, command: freeze, release: 'blend 2 \"neon city\" 0'}", '/b release blend 2 "neon city" 0: blend '
                                                                       "mixes two different presets"),
])
def test_an_osc_map_on_the_command_line_blending_one_preset_with_itself_is_refused_as_the_shows_own_is(
        tmp_path, entry, problem):
    """--osc-map loaded a fader between one preset by number and by name, or a button blending it with itself,
    where the show's osc: section refused them: on air each move or press answered an error."""
    path = tmp_path / "map.yaml"
    path.write_text(f"controls:\n  - {{address: /x, param: strength}}\n  - {entry}\n")
    ctl = Spy()
    with pytest.raises(VcamError) as e:
        osc_parts("9000", None, str(path), ctl.show, ctl, lambda s: None)
    assert f"OSC map {path} does not fit this show: line 3: {problem}" in e.value.message
    show = tmp_path / "show.yaml"
    show.write_text(SHOW + "osc:\n  map: map.yaml\n")
    with pytest.raises(ConfigError) as e:
        load_show(show)
    assert len(e.value.problems) == 1 and e.value.problems[0].startswith(f"{path}:3: osc: {problem}"), \
        e.value.problems


def test_an_osc_map_that_does_not_fit_the_show_is_refused_before_the_control_log_is_made(tmp_path, monkeypatch):
    from vcam.live.run import RunOptions, run

    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").write_text(SHOW)
    (tmp_path / "map.yaml").write_text("controls:\n  - {address: /a, command: preset desert}\n")
    with pytest.raises(VcamError, match="does not fit this show: "):
        run(RunOptions(show="show.yaml", model="tiny", outs=["null"], osc="9000", osc_map="map.yaml",
                       log_controls="log.jsonl", duration=1, stdin=False, status_out=io.StringIO()))
    assert not (tmp_path / "log.jsonl").exists()


def test_a_folder_given_as_a_map_is_said_to_be_a_folder_not_missing(tmp_path):
    from vcam.control import midimap

    (tmp_path / "pad.yaml").write_text("controls: []\n")
    with pytest.raises(ValueError, match=f"OSC map '{tmp_path}' is a folder; name the map's YAML file in it "
                                         r"\(it holds pad.yaml\)"):
        map_named(str(tmp_path))
    with pytest.raises(ValueError, match=f"MIDI map '{tmp_path}' is a folder"):
        midimap.map_named(str(tmp_path))


def test_a_command_address_mistyped_is_one_short_line_naming_the_address_meant():
    """/vcam/prst was answered with every command's name, 400 characters, and none named as the one meant."""
    router = OscRouter(None, Spy())

    def said(address):
        with pytest.raises(Exception) as e:
            router.handle(address, [1.0])
        return str(e.value)

    assert said("/vcam/prst") == "/vcam/prst: there is no command 'prst'; did you mean /vcam/preset?"
    assert said("/vcam/Strenght").endswith("; did you mean /vcam/strength?")
    assert said("/vcam/cm").endswith("; did you mean /vcam/cmd?")
    assert "did you mean /vcam/quit" not in said("/vcam/qit")  # quit is the console's: sent, it is refused
    far = said("/vcam/fly")
    assert far == "/vcam/fly: there is no command 'fly'; /vcam/help lists the commands on this terminal (each at " \
                  "/vcam/<command>)"
    assert all(len(said(f"/vcam/{name}")) < 120 for name in ("fly", "prst", "strenght", "blackou"))
    [listed] = router.handle("/vcam/help", [])  # where that line sends the operator
    assert all(name in listed for name in ("preset", "strength", "blend"))


def test_an_unknown_built_in_address_says_help_answers_the_sender_where_replies_go_back():
    """With --osc-reply, /vcam/help's list goes back to the tablet too; /vcam/fly named this terminal alone, which
    an operator at the tablet may not see."""
    said: list[str] = []
    parts = osc_parts("9000", "9001", None, None, Spy(), said.append)
    with pytest.raises(Unfit) as e:
        parts[0].handle("/vcam/fly", [1.0], "10.0.0.7:5000")
    assert "/vcam/help lists the commands on this terminal and sends them to /vcam/help at vcam's --osc-reply " \
           "port" in str(e.value), e.value


def test_an_unknown_built_in_address_says_help_answers_only_a_sender_that_replies_go_back_to():
    """With --osc-reply 10.0.0.9:9001, /vcam/fly from 10.0.0.7 was told help's list goes back to it: only
    10.0.0.9 is sent answers (another machine's would land on 10.0.0.9's tablet, which did not ask)."""
    said: list[str] = []
    router, replies = osc_parts("9000", "10.0.0.9:9001", None, None, Spy(), said.append)
    replies.start()
    try:
        for sender, answered in (("10.0.0.7:5000", False), ("10.0.0.9:5000", True)):
            with pytest.raises(Unfit) as e:
                router.handle("/vcam/fly", [1.0], sender)
            assert str(e.value).startswith("/vcam/fly: there is no command 'fly'; /vcam/help lists the commands on "
                                           "this terminal"), e.value
            assert ("sends them to /vcam/help" in str(e.value)) is answered, (sender, str(e.value))
    finally:
        replies.stop()


def test_control_characters_in_an_address_reach_the_terminal_escaped(rig):
    """Anyone on the network may send an address: its ESC, carriage return or bell must not steer the terminal."""
    r = rig(touchosc())
    r.send("/a\x1b[2J\rX\x07", 1.0)
    r.send("/vcam/\x1b[31m", 1.0)
    said = "\n".join(r.said)
    assert "nothing listens at /a\\x1b[2J\\rX\\x07:" in said
    assert "OSC: /vcam/\\x1b[31m: there is no command" in said
    assert not any(c in said for c in "\x1b\r\x07")


def test_the_router_follows_the_show_file_as_it_is_reloaded():
    ctl = Spy()
    router = OscRouter(lambda: ctl.show.osc, ctl)
    with pytest.raises(Exception, match="nothing listens at /a"):
        router.handle("/a", [1.0])
    ctl.replace_show(parse_show(SHOW + "osc:\n  controls:\n    - {address: /a, command: next}\n", "show.yaml"))
    assert router.handle("/a", [1.0]) == ["preset 2 'neon city' (over 4 blocks)"]


def test_an_osc_message_names_files_only_in_the_shared_folders_and_a_map_names_any(tmp_path):
    """OSC has no password: the words of a message are the network's, held to --media; a command written in the
    show's osc: section is the operator's."""
    import cv2
    import numpy as np

    shared, outside = tmp_path / "shared", tmp_path / "private"
    shared.mkdir()
    outside.mkdir()
    cv2.imwrite(str(outside / "still.png"), np.zeros((8, 8, 3), np.uint8))  # a map's file is there as it is read
    ctl = Spy(SHOW + f"osc:\n  controls:\n    - {{address: /look, command: 'input image:{outside}/still.png'}}\n")
    ctl.media = MediaFolders.chosen([str(shared)], None)
    router = OscRouter(lambda: ctl.show.osc, ctl)
    # OSC answers no sender: the refusal is the operator's line, naming the sender, the path here and the folders
    [reply] = router.handle("/vcam/input", [f"image:{outside}/still.png"], "10.0.0.9:9000")
    assert reply == (f"error: OSC sender 10.0.0.9:9000 was refused input image:{outside}/still.png: "
                     f"{outside}/still.png is outside the folders shared with the network ({shared}; --media DIR "
                     "shares others)")
    assert ctl.state.input == "none"
    # said as it was sent; the whole path is what opens
    assert router.handle("/vcam/input", ["image:still.png"]) == ["input image:still.png from the next block"]
    assert ctl.state.input == f"image:{shared}/still.png"
    assert router.handle("/look", [1.0]) == [f"input image:{outside}/still.png from the next block"]


def test_a_refused_osc_message_is_said_on_the_terminal_with_its_senders_address(rig, tmp_path):
    from pythonosc.osc_message_builder import OscMessageBuilder

    shared = tmp_path / "shared"
    shared.mkdir()
    ctl = Spy()
    ctl.media = MediaFolders.chosen([str(shared)], None)
    r = rig(ctl=ctl)
    message = OscMessageBuilder("/vcam/input")
    message.add_arg("image:/etc/passwd")
    r.raw.sendto(message.build().dgram, ("127.0.0.1", r.input.port))
    assert wait_for(lambda: any("was refused" in line for line in r.said), 60), r.said
    sender = "127.0.0.1:{}".format(r.raw.getsockname()[1])
    [line] = [line for line in r.said if "was refused" in line]
    assert line == (f"error: OSC sender {sender} was refused input image:/etc/passwd: /etc/passwd is outside the "
                    f"folders shared with the network ({shared}; --media DIR shares others) (OSC /vcam/input)")
    assert ctl.state.input == "none"


def test_vcam_cam_sends_osc_commands_to_the_server_and_its_state_back(local_server, tablet):
    from vcam.remote.client import CamOptions, run_cam

    got, reply_port = tablet
    port = free_port(socket.SOCK_DGRAM)
    status, typed = io.StringIO(), Pipe()
    opts = CamOptions(url=f"ws://127.0.0.1:{local_server.port}", outs=["null"], size=(112, 64),
                      commands=typed.reader, status_out=status, osc=str(port), osc_map="touchosc-simple",
                      osc_reply=f"127.0.0.1:{reply_port}")
    thread = threading.Thread(target=run_cam, args=(opts,), daemon=True)
    thread.start()
    try:
        assert wait_for(lambda: "connected to" in status.getvalue() and "OSC: listening" in status.getvalue(), 60)
        client = SimpleUDPClient("127.0.0.1", port)
        client.send_message("/vcam/preset", ["neon city"])
        assert wait_for(lambda: "preset neon city" in local_server.lines, 30)
        client.send_message("/2/push10", [1.0])  # the TouchOSC map's "next"
        client.send_message("/2/push10", [0.0])
        assert wait_for(lambda: "next" in local_server.lines, 30)
        assert wait_for(lambda: any(a == "/vcam/status" for a, _ in got), 30)  # the state, as vcam cam mirrors it
    finally:
        typed.send("quit")
        thread.join(30)
    assert not thread.is_alive()
    assert local_server.lines.count("next") == 1


def test_without_python_osc_the_command_line_names_the_extra(capsys, monkeypatch):
    import sys

    from vcam.cli import main

    for name in [m for m in sys.modules if m == "pythonosc" or m.startswith("pythonosc.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pythonosc", None)  # as if it were not installed
    code = main(["cam", "ws://127.0.0.1:1", "--out", "null", "--no-stdin", "--osc", "9000"])
    err = capsys.readouterr().err
    assert code == 2
    assert "vcam cam needs OSC support (python-osc)" in err and 'pip install -e ".[osc]"' in err
    assert "Traceback" not in err


class TtyText(io.StringIO):
    def isatty(self):  # every status update kept
        return True


def test_a_running_show_takes_osc_and_reports_its_frame_rate(tmp_path, shared_tiny, tablet):
    """vcam run --osc --osc-reply on the tiny model: an OSC command is applied and logged as such, and the tablet
    hears the frames made per second."""
    import json

    from helpers import in_thread
    from vcam.live.run import RunOptions, run

    got, reply_port = tablet
    port = free_port(socket.SOCK_DGRAM)
    show, log, status, typed = tmp_path / "show.yaml", tmp_path / "controls.jsonl", TtyText(), Pipe()
    show.write_text("output: {size: 112x64}\n" + SHOW)
    thread, errors = in_thread(run, RunOptions(
        show=str(show), model="tiny", outs=["null"], osc=str(port), osc_reply=f"127.0.0.1:{reply_port}",
        log_controls=str(log), commands=typed.reader, status_out=status))
    try:
        assert wait_for(lambda: "on air" in status.getvalue() and "OSC: listening" in status.getvalue(), 120), \
            status.getvalue()[-2000:]
        SimpleUDPClient("127.0.0.1", port).send_message("/vcam/preset", ["forest"])

        def logged():
            lines = [json.loads(x) for x in log.read_text().splitlines() if '"command"' in x]
            return [(c["command"], c["source"]) for c in lines]

        assert wait_for(lambda: ("preset forest", "osc") in logged(), 60), logged()
        assert wait_for(lambda: any(a == "/vcam/fps" and v[0] > 0 for a, v in got), 60)
        assert wait_for(lambda: any(a == "/vcam/preset" and v == [3, "forest"] for a, v in got), 30)
    finally:
        typed.send("quit")
        thread.join(60)
    assert not thread.is_alive() and not errors, errors


def test_vcam_cams_replies_carry_the_servers_tempo_from_its_state():
    """vcam cam keeps no tempo of its own: the bpm and beat come from the server's state it mirrors."""
    from vcam.control.oscreply import state_messages

    sent = dict(state_messages({"preset": "a", "presets": ["a"], "bpm": 128.0, "beat": 3.5}))
    assert sent["/vcam/bpm"] == [128.0] and sent["/vcam/beat"] == [3.5]


def test_a_flood_to_one_address_is_acted_on_at_most_every_gap_and_its_last_value_is_kept(rig):
    """20,000 messages to one address (a runaway patch): the show gets at most one command per MIN_GAP_S, not a
    queue of thousands; the input still answers after it."""
    import time

    from vcam.control.oscinput import MIN_GAP_S

    r = rig()
    started = time.monotonic()
    for i in range(20000):  # more than the socket's buffer holds: the system drops some, as UDP may
        r.client.send_message("/vcam/seed", i)

    def answered() -> bool:  # sent again until it gets through: the flood may fill the socket's buffer a while
        r.client.send_message("/vcam/seed", 99999)
        return r.ctl.state.seed == 99999

    assert wait_for(answered, 60)  # after the flood the input still answers, and the last value stays
    elapsed = time.monotonic() - started
    seeds = [line for line, _ in r.ctl.lines if line.startswith("seed")]
    assert len(seeds) <= 2 + elapsed / MIN_GAP_S  # at most one per gap, whatever arrived
    assert sum("seed" in line for line in r.said) <= 2 + elapsed / 2.0  # its replies: one line every 2 s


def test_an_osc_buttons_file_is_found_next_to_the_file_it_is_written_in_and_a_missing_one_refused_at_its_line(
        tmp_path, monkeypatch):
    """An entry's `input file:REL` was made whole at the press against the folder vcam started in: a show run from
    another folder failed on air. Found as the file is read, as a cue's is: the show's osc: section next to the
    show, a map file's entries (named in the show, or with --osc-map) next to the map; a release too."""
    from vcam.control.osc import read_map

    show_dir, maps, elsewhere = tmp_path / "show", tmp_path / "maps", tmp_path / "elsewhere"
    for folder in (show_dir / "clips", maps / "clips", elsewhere):
        folder.mkdir(parents=True)
    for clip in (show_dir / "clips" / "a.mp4", maps / "clips" / "b.mp4", maps / "clips" / "c.mp4"):
        clip.write_bytes(b"")
    (maps / "pad.yaml").write_text("controls:\n  - {address: /b, command: 'input file:clips/b.mp4', "
                                   "release: 'input file:clips/c.mp4 @bar'}\n")
    show = show_dir / "show.yaml"
    show.write_text(SHOW + "osc:\n  map: ../maps/pad.yaml\n  controls:\n"
                           "    - {address: /a, command: 'input file:clips/a.mp4'}\n")
    monkeypatch.chdir(elsewhere)
    osc = load_show(show).osc
    given = read_map(str(maps / "pad.yaml"), None)  # --osc-map
    assert [(str(b.command), str(b.release)) for b in osc.buttons] == [
        (f"input file:{maps}/clips/b.mp4", f"input file:{maps}/clips/c.mp4 @bar"),
        (f"input file:{show_dir}/clips/a.mp4", "None")]
    assert given.buttons == osc.buttons[:1]
    ctl = Spy()
    assert OscRouter(osc, ctl).handle("/a", [1.0]) == [f"input file:{show_dir}/clips/a.mp4 from the next block"]
    (maps / "clips" / "c.mp4").unlink()
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert err.value.problems == [f"{show_dir}/../maps/pad.yaml:2: OSC map control 1 release: file clips/c.mp4 not "
                                  f"found (looked at {maps}/clips/c.mp4); put it there, or give its path from the "
                                  "folder of the file that names it (or a whole path)"]
    with pytest.raises(ConfigError) as err:
        map_named(str(maps / "pad.yaml"))
    assert err.value.problems[0].startswith(f"{maps / 'pad.yaml'}:2: OSC map control 1 release: file clips/c.mp4 "
                                            "not found")
    # vcam cam's map: its commands go to the server, which finds the files in the folders it shares
    kept = read_map(str(maps / "pad.yaml"), None, words=CAM_WORDS)
    assert (str(kept.buttons[0].command), str(kept.buttons[0].release)) == ("input file:clips/b.mp4",
                                                                            "input file:clips/c.mp4 @bar")


def test_an_osc_maps_reader_takes_its_words_and_say_by_name_and_its_words_hash(tmp_path):
    """`read_map(ref, show, True)` (whole_paths third, as it once was) passed True as `say`, which failed only when
    the map had a note to say; hash() of the words a map is read with raised, a frozen class holding a mapping."""
    from vcam.control.mapfiles import SHOW_WORDS
    from vcam.control.osc import read_map, read_map_file

    (tmp_path / "pad.yaml").write_text("controls:\n  - {address: /n, command: next}\n")
    for reader in (read_map, read_map_file):
        with pytest.raises(TypeError):
            reader(str(tmp_path / "pad.yaml"), None, True)
    assert read_map(str(tmp_path / "pad.yaml"), None, say=[].append, words=CAM_WORDS).buttons[0].address == "/n"
    assert len({CAM_WORDS, SHOW_WORDS, CAM_WORDS}) == 2


@pytest.mark.parametrize("meanwhile", [OscMap(), OscMap(buttons=(OscButton("/f", parse("next")),))],
                         ids=["taken out", "a button"])
def test_a_fader_a_reload_takes_out_and_gives_back_is_picked_up_anew(meanwhile):
    """A save that takes a picked-up fader out of the map (or makes it a button), and one that puts it back as it
    was: the fader was moved meanwhile, and its first message must not jump the parameter to where it was left."""
    ctl = Spy(transition=4)
    fader = OscMap(faders=(OscFader("/f", "transition", 0, 16),))
    maps = [fader]
    router = OscRouter(lambda: maps[-1], ctl)
    router.handle("/f", [0.25], "10.0.0.9:9000")  # 4: picked up
    router.handle("/f", [0.5], "10.0.0.9:9000")
    assert ctl.state.transition == 8
    maps.append(meanwhile)  # as a reload puts the saved map in force
    try:
        router.handle("/f", [0.95], "10.0.0.9:9000")  # moved while it drives nothing of the transition
    except Unfit:
        pass  # nothing listens there now
    maps.append(fader)  # given back as it was
    router.handle("/f", [0.97], "10.0.0.9:9000")  # 15.5: far from 8
    assert ctl.state.transition == 8


def test_a_shipped_map_of_the_other_kind_is_said_as_such_not_as_not_found():
    from vcam.control.midimap import map_named as midi_map_named

    with pytest.raises(ValueError) as err:
        map_named("nanokontrol2")
    assert str(err.value) == ("'nanokontrol2' is a MIDI map shipped with vcam, not an OSC map; give it with --midi-map "
                              "nanokontrol2 (shipped OSC maps: touchosc-simple)")
    with pytest.raises(ValueError, match=r"^'touchosc-simple.yaml' is an OSC map shipped with vcam, not a MIDI map; "
                                         r"give it with --osc-map touchosc-simple.yaml \(shipped MIDI maps: .*midimix"):
        midi_map_named("touchosc-simple.yaml")


def test_a_show_naming_a_shipped_map_of_the_other_kind_is_told_the_section_it_belongs_in(tmp_path):
    path = tmp_path / "show.yaml"
    path.write_text("midi: {map: touchosc-simple}\nosc: {map: nanokontrol2}\npresets:\n  - {name: a, prompt: one}\n")
    with pytest.raises(ConfigError) as err:
        load_show(str(path))
    assert err.value.problems == [
        f"{path}:1: 'touchosc-simple' is an OSC map shipped with vcam, not a MIDI map; give it as map: in the show's "
        "osc: section (shipped MIDI maps: apc-mini-mk2, midimix, nanokontrol2)",
        f"{path}:2: 'nanokontrol2' is a MIDI map shipped with vcam, not an OSC map; give it as map: in the show's "
        "midi: section (shipped OSC maps: touchosc-simple)"]


def test_an_osc_map_files_notes_are_said_as_a_midi_maps_are(tmp_path):
    """--osc-map's file with an &anchor nothing repeats before a command said nothing, at vcam run and vcam cam,
    where --midi-map's file and the show's say it."""
    from vcam.live.parts import read_osc_map
    from vcam.live.settings import RunOptions

    path = tmp_path / "map.yaml"
    path.write_text("controls:\n  - {address: /a, command: &x preset 1}\n")
    note = f"{path}:2: &x preset 1 reads as 'preset 1': &x is a YAML anchor"
    said: list[str] = []
    assert read_osc_map(RunOptions(osc="9000", osc_map=str(path)), None, said.append) is not None
    assert len(said) == 1 and said[0].startswith(note), said
    said.clear()
    ctl = Spy()
    osc_parts("9000", None, str(path), ctl.show, ctl, said.append, words=CAM_WORDS)  # vcam cam's, read there
    assert [s for s in said if s.startswith(note)] == said[:1] and len(said) == 1, said


def test_an_address_the_loaded_map_does_not_bind_is_said_with_the_map_it_was_looked_for_in():
    """An operator who gave --osc-map was told "others need an osc: map", and went looking for a map they had."""
    router = OscRouter(touchosc(), Spy())
    with pytest.raises(Unfit) as refused:
        router.handle("/1/push1", [1.0])
    said = str(refused.value)
    assert "need an osc: map" not in said
    assert said.startswith("nothing listens at /1/push1: the OSC map TouchOSC Simple binds /1/fader1, /1/fader2, ")
    assert "bind it in the map's controls:, or drop it unsaid with its ignore: list" in said


def test_help_over_osc_lists_only_what_osc_takes():
    """/vcam/help listed quit, which a sender's /vcam/quit is refused; the console's help still lists it."""
    from vcam.control.console import TYPED
    from vcam.remote.controller import RemoteController

    def lists_quit(listed):
        assert "preset NAME" in listed and "blackout" in listed
        return any(line.strip().startswith("quit") for line in listed.splitlines())

    spy = Spy()
    for ctl in (spy, RemoteController(lambda line: True)):  # vcam's own --osc, and vcam cam's
        router = OscRouter(None, ctl)
        for address, args in (("/vcam/help", []), ("/vcam/cmd", ["help"])):
            [listed] = router.handle(address, args)
            assert not lists_quit(listed), listed
    assert lists_quit(spy.handle_line("help", TYPED))
    [refused] = OscRouter(None, spy).handle("/vcam/quit", [])
    assert "quit is not taken from OSC" in refused


def test_help_over_osc_at_vcam_cam_says_the_inputs_are_the_server_s():
    """vcam cam's help over OSC listed `input SRC  restyle none, camera…, file:PATH…` as the server's own console
    says it, as if the machine the tablet steers had the camera and files meant."""
    from vcam.remote.controller import RemoteController

    cam = OscRouter(None, RemoteController(lambda line: True))
    [listed], [asked] = cam.handle("/vcam/help", []), cam.handle("/vcam/cmd", ["help input"])
    for said in (listed, asked):
        [line] = [line for line in said.splitlines() if line.strip().startswith("input")]
        assert "restyle the server's none, camera[:N]" in line and "(in the folders it shares)" in line, line
        assert "net (vcam cam --send)" in line, line
    [own] = OscRouter(None, Spy()).handle("/vcam/help", ["input"])  # vcam run's, whose inputs are its own
    assert own.startswith("input SRC - restyle none, camera[:N or :/dev/videoN]"), own


@pytest.mark.parametrize("address, args", [("/vcam/blend", ["\x1b", "b", 0.5]), ("/vcam/preset", ["\x07"]),
                                           ("/vcam/cmd", ["preset \x1b"])])
def test_a_control_character_in_a_value_is_named(address, args):
    """`/vcam/blend "\\x1b" b 0.5` was told its quotes hold no name, `/vcam/preset "\\x07"` that it needs a value."""
    spy = Spy()
    with pytest.raises(Unfit) as e:
        OscRouter(None, spy).handle(address, args)
    assert "holds a control character" in str(e.value) and "\x1b" not in str(e.value), e.value
    assert spy.lines == []


def test_an_error_counted_with_other_addresses_is_said_before_its_address_s_next_good_line(rig):
    """Past MAX_KEYS addresses, a preset button's errors were counted with the other addresses, and the count ("1
    more from other addresses, the last: error: no preset 98") came after the good press that followed them."""
    clock = FakeClock()
    r = rig(clock=clock)
    for page in range(MAX_KEYS):  # TouchOSC's page changes fill the addresses counted apart
        r.send(f"/layout/page{page}")
    for n in (99, 98, 2):
        r.send("/vcam/preset", n)
        clock.t += 0.1
    r.stop()
    said = [s for s in r.said if "preset" in s and "nothing listens" not in s]
    assert said[-1] == "preset 2 'neon city' (over 4 blocks)", said
    assert "the last: error: no preset 98" in said[-2], said


@pytest.mark.parametrize("address, args", [("/vcam/blend", ["\x1c", "b", 0.5]), ("/vcam/preset", ["\x1f"]),
                                           ("/vcam/preset", ["\x85"]), ("/vcam/cmd", ["preset 3\u2028"])])
def test_a_separator_control_character_in_a_value_is_named(address, args):
    """\\x1c-\\x1f, NEL and U+2028 count as space to str.isspace(): `/vcam/blend "\\x1c" b 0.5` was still told its
    quotes hold no name, `/vcam/preset "\\x1f"` that preset needs an argument."""
    spy = Spy()
    with pytest.raises(Unfit) as e:
        OscRouter(None, spy).handle(address, args)
    assert "holds a control character" in str(e.value) and args[0][-1] not in str(e.value), e.value
    assert spy.lines == []


def test_help_to_a_network_line_lists_only_what_the_network_may_give():
    """`help` from `net bob stdin` (typed at vcam cam's console) listed quit, which the server then refused from
    the network; `help quit` over OSC said how to write it, not that OSC may not send it."""
    from vcam.remote.controller import RemoteController

    spy = Spy()
    listed = spy.handle_line("help", "net bob stdin", network=True)
    assert "blackout" in listed and not any(line.strip().startswith("quit") for line in listed.splitlines()), listed
    assert "quit is not taken from the network" in spy.handle_line("quit", "net bob stdin", network=True)
    for ctl in (spy, RemoteController(lambda line: True)):
        for address, args in (("/vcam/help", ["quit"]), ("/vcam/cmd", ["help quit"])):
            [said] = OscRouter(None, ctl).handle(address, args)
            assert said.startswith("quit") and "; not taken from OSC or the network: the show ends where vcam runs" \
                in said, said


def test_a_map_button_that_quits_is_refused_at_vcam_cam_in_the_cameras_words(tmp_path):
    """vcam cam --osc-map with a button on quit was told "the show ends where vcam runs", read there as the
    server's machine: the console that ends this camera is vcam cam's own, and the server's show goes on."""
    from types import SimpleNamespace

    from vcam.control.yamlproblems import ConfigError
    from vcam.remote.client import _osc_parts
    from vcam.remote.controller import RemoteController

    path = tmp_path / "map.yaml"
    path.write_text("controls:\n  - {address: /1/push1, command: quit}\n")
    opts = SimpleNamespace(osc="9000", osc_reply=None, osc_map=str(path))
    with pytest.raises(ConfigError) as e:
        _osc_parts(opts, RemoteController(lambda line: True), SimpleNamespace(), lambda line: None)
    said = str(e.value)
    assert "quit is not taken from a control or a cue: this vcam cam ends where it runs" in said, said
    assert "the server's show goes on" in said and "where vcam runs" not in said, said
    with pytest.raises(ConfigError) as e:  # vcam run's words stay the show's
        osc_parts("9000", None, str(path), None, Spy(), lambda line: None)
    assert "the show ends where vcam runs" in str(e.value)
