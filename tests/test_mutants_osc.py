"""Edges of vcam's OSC modules (the router, the UDP input, the state replies, the media folders, the teller) that
mutation testing found no test for: each test fails where the code is changed in the way its docstring says."""
import socket
import threading

import pytest

from helpers import wait_for
from test_osc import SHOW, FakeClock, Spy, touchosc
from test_osc_tablet import Paced, dgram
from vcam.control.media import MediaFolders
from vcam.control.oscinput import MIN_GAP_S, OscInput
from vcam.control.oscreply import OscReplies
from vcam.control.oscrouter import MAX_SURFACES, REST_S, OscRouter, shown
from vcam.control.teller import Teller
from vcam.errors import VcamError


def _joined_patiently(thread: threading.Thread) -> list:
    """Records each join of `thread` and gives it a loaded machine's time: `stop` joins for 2 s, which a busy CI
    box can miss, and what these tests check is that it joins at all."""
    joins, join = [], thread.join
    thread.join = lambda timeout=None: (joins.append(timeout), join(60))[1]
    return joins


def test_an_osc_input_stopped_waits_for_its_thread_and_one_never_started_stops_quietly():
    """Catches `stop`'s join turned around (`ident is None`): a show whose OSC port was busy failed at its end
    joining a thread never started, and a running input's thread outlived the show's end, still saying lines."""
    taken = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    taken.bind(("127.0.0.1", 0))
    try:
        busy = OscInput("127.0.0.1", taken.getsockname()[1], lambda a, v, s: [], lambda line: None)
        with pytest.raises(VcamError):
            busy.start()
        busy.stop()  # the show's end stops what it made, started or not
    finally:
        taken.close()
    running = OscInput("127.0.0.1", 0, lambda a, v, s: [], lambda line: None)
    joins = _joined_patiently(running._thread)
    running.start()
    running.stop()
    assert joins and not running._thread.is_alive()


def test_a_tablet_on_ipv6_is_heard_and_named_in_brackets():
    """Catches the sender built from three parts of the peer (an IPv6 one has four): every message from a tablet
    reached over IPv6 failed before its command, and the tablet steered nothing."""
    handled = []
    inp = OscInput("::", 0, lambda a, v, s: handled.append((a, s)) or [], lambda line: None)
    inp._datagram(dgram("/vcam/next"), ("fe80::1", 9000, 0, 3))
    inp._release_held(0.0)
    assert handled == [("/vcam/next", "[fe80::1]:9000")]


def test_a_fader_left_alone_for_its_rest_is_sent_back_to_the_tablet_again():
    """Catches the rest counted inclusively (`<= REST_S`): a fader let go exactly REST_S ago was still taken as
    in the hand, one state longer than its takeover's own window (`_touched` keeps a touch while `< REST_S`)."""
    clock = FakeClock()
    router = OscRouter(touchosc(), Spy(SHOW), clock=clock)
    router.handle("/1/fader2", [0.5], "127.0.0.1:5000")
    assert router.moving("/1/fader2") and router.moving("/1/fader2", "127.0.0.1")
    clock.t += REST_S
    assert not router.moving("/1/fader2")


def test_changes_told_during_a_round_make_one_more_round_and_then_the_teller_rests():
    """Catches the change not marked told at a round's start (`_due = False` dropped): the teller went round its
    listeners without end, re-sending the same state to every client and tablet as fast as it could."""
    told, first_in, go = [], threading.Event(), threading.Event()

    def listener():
        told.append(len(told) + 1)
        if len(told) == 1:
            first_in.set()
            assert go.wait(60)

    teller = Teller(lambda: [listener], lambda line: None)
    try:
        teller.tell()
        assert first_in.wait(60)
        for _ in range(3):  # a sweep's changes during the round
            teller.tell()
        go.set()
        assert wait_for(lambda: len(told) >= 2, 60)
    finally:  # a failed wait leaves no round blocked, nor the teller's thread waiting for more
        go.set()
        teller.close()
    teller._thread.join(60)
    assert told == [1, 2]


def test_a_path_inside_another_named_path_is_renamed_whole_for_the_network(tmp_path):
    """Catches the paths matched shortest first (`reverse=False`): a clip in a folder that is itself named (an
    image input `/x/clip`) was told to the network as `clip/take.mp4`, half renamed, not as `take.mp4`."""
    shared = tmp_path / "shared"
    shared.mkdir()
    media = MediaFolders.chosen([str(shared)], None)
    outside = tmp_path / "x" / "clip"
    text = f"input file:{outside}/take.mp4 did not open"
    assert media.renamed(text, [f"image:{outside}", f"file:{outside}/take.mp4"]) == "input file:take.mp4 did not open"


def test_a_fader_value_held_back_goes_as_soon_as_its_gap_has_passed():
    """Catches the held value's gap counted strictly (`> MIN_GAP_S`): the input wakes exactly a gap after the last
    value, found it not yet due, and the fader's newest position waited another whole gap."""
    p = Paced()
    p.clock.t = p.wall.t = 0.0  # times that add up exactly
    p.arrive(dgram("/1/fader1", 0.1))
    p.arrive(dgram("/1/fader1", 0.2), after=MIN_GAP_S / 2)  # within the gap: held back
    p.clock.t = MIN_GAP_S  # as the input's loop wakes for it (_wait_s)
    p._release()
    assert p.handled == [("/1/fader1", [0.1]), ("/1/fader1", [0.2])]


def test_a_long_address_is_said_as_its_first_60_characters():
    """Catches the cut one character off (`address[:61]`): an address anyone on the network sends, past 60
    characters, was said one character longer than the 60 the terminal's line allows for it."""
    long = "/" + "x" * 99
    assert shown(long) == long[:60] + "…" and shown(long[:60]) == long[:60]


def test_as_many_tablets_as_the_cap_each_keep_their_faders_picked_up():
    """Catches the cap on senders counted inclusively (`>= MAX_SURFACES`): the last of MAX_SURFACES tablets pushed
    out the first, whose faders then had to be picked up again though the cap had room for it."""
    router = OscRouter(touchosc(), Spy(SHOW), clock=FakeClock())
    for i in range(MAX_SURFACES):
        router.handle("/1/fader2", [0.5], f"10.0.0.{i + 1}:9000")
    assert list(router._surfaces) == [f"10.0.0.{i + 1}" for i in range(MAX_SURFACES)]


def test_an_osc_input_stopped_frees_its_port():
    """Catches the socket left open at `stop`: vcam's OSC port stayed taken after the show's end, and a show started
    again in the same process (or a test after it) could not listen there."""
    inp = OscInput("127.0.0.1", 0, lambda a, v, s: [], lambda line: None)
    inp.start()
    inp.stop()
    again = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        again.bind(("127.0.0.1", inp.port))
    finally:
        again.close()


def test_osc_replies_stopped_wait_for_their_thread_and_ones_never_started_stop_quietly(monkeypatch):
    """Catches `stop`'s join turned around (`ident is None`): replies whose --osc-reply host could not be looked up
    failed again at the show's end, joining a thread never started, and started ones outlived the show's end."""
    def unknown(*args, **kwargs):  # a lookup of its own: a resolver that times out would take seconds
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", unknown)
    failed = OscReplies("no-such-host.invalid", 9000, dict, lambda line: None)
    with pytest.raises(VcamError):
        failed.start()
    failed.stop()
    running = OscReplies(None, 9000, dict, lambda line: None, every_s=3600)
    joins = _joined_patiently(running._thread)
    running.start()
    running.stop()
    assert joins and not running._thread.is_alive()


def test_a_built_in_push_at_half_way_is_a_press():
    """Catches the push's release counted up to half way (`<= ON`): a TouchOSC button or a fader sending 0.5 to
    /vcam/next did nothing, where a map's button takes 0.5 as pressed."""
    ctl = Spy(SHOW)
    router = OscRouter(None, ctl)
    router.handle("/vcam/next", [0.49], "127.0.0.1:5000")
    router.handle("/vcam/next", [0.5], "127.0.0.1:5000")
    assert ctl.lines == [("next", "osc")]


def test_a_tablet_heard_again_is_said_once_and_its_failures_forgotten():
    """Catches the early return for a sender already known dropped: each message from a tablet said again that
    the state goes to it, a line per fader step on the terminal."""
    said = []
    replies = OscReplies(None, 9000, dict, said.append)
    replies.heard(("192.168.1.20", 5000))
    replies._targets["192.168.1.20"].failing_since = 1.0
    replies.heard(("192.168.1.20", 5001))
    assert said == ["OSC: 192.168.1.20 sends OSC here: the show's state goes to 192.168.1.20:9000"]
    assert replies.targets() == ["192.168.1.20:9000"] and replies._targets["192.168.1.20"].failing_since is None


def test_a_tablet_on_ipv6_link_local_gets_the_state_at_its_scope():
    """Catches the peer's scope read from the wrong part (`peer[4]`): the first message from a tablet on IPv6
    failed in `heard`, and that tablet never got the show's state."""
    replies = OscReplies(None, 9000, dict, lambda line: None)
    replies.heard(("fe80::1", 5000, 0, 3))
    assert replies._targets["fe80::1"].where == ("fe80::1", 9000, 0, 3)
