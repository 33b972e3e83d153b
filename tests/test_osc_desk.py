"""A lighting desk or a tablet's editor set to another range than vcam's: fader values past 0 to 1, a flood of
messages that fills the port before a button, and the other ways a surface is played wrong."""
import socket
import threading

import pytest
from pythonosc.udp_client import SimpleUDPClient

from helpers import wait_for
import test_osc
from test_osc import Spy
from vcam.control.media import MediaFolders
from vcam.control.oscinput import OscInput
from vcam.control.oscmap import OscFader, OscMap
from vcam.control.oscrouter import OscRouter, Unfit

rig = test_osc.rig  # an OSC input on a free port, stopped after the test

STRENGTH = OscMap(faders=(OscFader("/1/fader2", "strength", 0.0, 1.0),))
XY = OscMap(faders=(OscFader("/3/xy", "blend", 0.0, 1.0), OscFader("/3/xy", "strength", 0.0, 1.0, arg=1)))


@pytest.mark.parametrize("value", [64, 127, 1.5, -0.5])
def test_a_fader_value_past_0_to_1_is_refused_and_names_the_range(value):
    ctl = Spy(strength=0.3)
    with pytest.raises(Unfit) as e:
        OscRouter(STRENGTH, ctl).handle("/1/fader2", [value], "10.0.0.7:9000")
    assert "past a fader's 0 to 1" in str(e.value)
    assert ("MIDI" in str(e.value)) == (value in (64, 127)), str(e.value)  # a 1.5 is no MIDI range
    assert ctl.state.strength == 0.3 and ctl.applied == []  # not put at full (or nothing) from a desk's first step


@pytest.mark.parametrize("value,expected", [(0, 0.0), (1, 1.0), (0.25, 0.25), (1.0000001, 1.0)])
def test_a_fader_value_within_0_to_1_moves_it_as_an_int_or_a_float(value, expected):
    ctl = Spy(strength=expected)  # where the show is: soft takeover picks the fader up at once
    OscRouter(STRENGTH, ctl).handle("/1/fader2", [value], "10.0.0.7:9000")
    assert ctl.state.strength == pytest.approx(expected)


def test_an_xy_pad_with_one_value_past_the_range_moves_neither_parameter():
    ctl = Spy(strength=0.5)
    with pytest.raises(Unfit, match="value 2 is 64"):
        OscRouter(XY, ctl).handle("/3/xy", [0.0, 64], "10.0.0.7:9000")
    assert ctl.applied == [] and ctl.state.strength == 0.5


def test_the_input_asks_for_a_bigger_buffer_than_a_sockets_default():
    fresh = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    osc = OscInput("127.0.0.1", 0, lambda a, v, s: [], lambda s: None)
    try:
        osc.start()
        default = fresh.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        assert osc._sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) > default
    finally:
        osc.stop()
        fresh.close()


def test_a_button_pressed_after_a_flood_that_came_while_the_input_was_busy_is_not_lost():
    busy, handled = threading.Event(), []

    def handle(address, values, sender):
        busy.wait(60)  # the show busy while the flood comes: the datagrams wait in the system's buffer
        handled.append(address)
        return []

    osc = OscInput("127.0.0.1", 0, handle, lambda s: None, swept=lambda a: a != "/2/push1")
    try:
        osc.start()
        sender = SimpleUDPClient("127.0.0.1", osc.port)
        for i in range(400):
            sender.send_message("/1/fader2", i / 400)
        sender.send_message("/2/push1", 1.0)
        busy.set()
        assert wait_for(lambda: "/2/push1" in handled, 60), "the press after the flood was lost"
    finally:
        busy.set()
        osc.stop()


def test_a_message_with_a_type_tag_osc_has_not_is_said_with_its_address_and_tags(rig):
    r = rig()
    r.send_raw(b"/vcam/seed\x00\x00,q\x00\x00\x00\x00\x00\x05")
    r.send("/vcam/seed", 42)  # read after it: one thread reads in order
    (line,) = [s for s in r.said if "type tags" in s]
    assert "/vcam/seed" in line and "',q'" in line and "not an OSC message" not in line
    assert r.ctl.state.seed == 42  # the input goes on


def test_a_datagram_that_is_no_osc_at_all_is_still_said_as_such(rig):
    r = rig()
    r.send_raw(b"hello")
    r.send("/vcam/seed", 42)
    assert any("5 bytes from 127.0.0.1 that are not an OSC message" in s for s in r.said)


def test_a_button_sending_true_to_the_preset_address_is_told_to_send_a_preset_and_picks_none(rig):
    """OSC's T (a button set to send true/false) was read as the number 1: every press went to preset 1."""
    r = rig(ctl=Spy())
    r.send("/vcam/next")  # away from the first preset, so that a jump back to it shows
    r.send("/vcam/preset", True)
    r.send("/vcam/preset", False)  # the button's release
    r.send("/vcam/next")  # the input goes on
    assert [c for c, _ in r.ctl.applied] == ["next", "next"] and r.ctl.state.preset == 2
    said = [line for line in r.said if "/vcam/preset" in line]
    assert len(said) == 1, r.said
    assert "True" in said[0] and "preset NAME|NUMBER" in said[0] and "/vcam/preset 3" in said[0], said


@pytest.mark.parametrize("address", ["/vcam/seed", "/vcam/steps", "/vcam/prompt", "/vcam/preset", "/vcam/blend"])
def test_a_true_or_false_sent_where_a_command_takes_a_value_changes_nothing(address):
    ctl = Spy()
    with pytest.raises(Unfit, match="a button's"):
        OscRouter(None, ctl).handle(address, [True], "10.0.0.7:9000")
    assert ctl.lines == [] and OscRouter(None, ctl).handle(address, [False], "10.0.0.7:9000") == []
    assert ctl.lines == []


@pytest.mark.parametrize("values", [[True], ["seed", True], ["preset", False]])
def test_a_true_or_false_sent_as_a_command_line_is_refused_saying_to_send_text(values):
    """`/vcam/cmd T` became the line `1`, answered as an unknown command '1'."""
    ctl = Spy()
    with pytest.raises(Unfit) as e:
        OscRouter(None, ctl).handle("/vcam/cmd", values, "10.0.0.7:9000")
    assert "which is no command: set the button to send the command line as text, e.g. /vcam/cmd" in str(e.value)
    assert ("True (OSC's T" in str(e.value)) == (True in values) and ctl.lines == []


def test_a_false_alone_sent_as_a_command_line_is_a_release_that_does_nothing():
    ctl = Spy()
    assert OscRouter(None, ctl).handle("/vcam/cmd", [False], "10.0.0.7:9000") == [] and ctl.lines == []


def test_a_text_t_sent_to_the_preset_address_is_refused_naming_the_presets():
    ctl = Spy()
    reply = OscRouter(None, ctl).handle("/vcam/preset", ["T"], "10.0.0.7:9000")
    assert ctl.state.preset == 0 and reply[0].startswith("error") and "city, neon city, forest" in reply[0], reply


def _sharing(folder) -> Spy:
    ctl = Spy()
    ctl.media = MediaFolders.chosen([str(folder)], None)
    return ctl


@pytest.mark.parametrize("values", [["image:a", "b.png"], ["image:", "{folder}/a b.png"]])
def test_an_input_split_into_values_whose_joined_path_is_no_file_is_told_to_send_one_value(tmp_path, values):
    """A file name holding two spaces, split by the sender into values, was joined with one and named a file that
    is not there."""
    (tmp_path / "a  b.png").write_bytes(b"")
    ctl = _sharing(tmp_path)
    values = [v.format(folder=tmp_path) for v in values]
    with pytest.raises(Unfit, match="send the input as one text value") as e:
        OscRouter(None, ctl).handle("/vcam/input", values, "10.0.0.7:9000")
    assert "joined with a space" in str(e.value) and ctl.lines == [], str(e.value)


def test_an_input_split_at_the_one_space_of_a_file_that_is_there_is_taken(tmp_path):
    """QLab's network cue sends `/vcam/input image:a b.png` as two values: joined, they name the file."""
    (tmp_path / "a b.png").write_bytes(b"")
    ctl = _sharing(tmp_path)
    reply = OscRouter(None, ctl).handle("/vcam/input", ["image:a", "b.png"], "10.0.0.7:9000")
    assert ctl.lines == [("input image:a b.png", "osc")] and not reply[0].startswith("error"), reply


@pytest.mark.parametrize("values", [["image:", "{folder}/a.png"], ["image:", "a.png"], ["image:", "a  b.png"]])
def test_an_input_sent_as_its_kind_and_its_path_apart_is_taken(tmp_path, values):
    """`/vcam/input "image:" "/abs/a.png"` was joined as `image: /abs/a.png`, a path starting with a space, and
    refused as no file."""
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "a  b.png").write_bytes(b"")
    ctl = _sharing(tmp_path)
    values = [v.format(folder=tmp_path) for v in values]
    reply = OscRouter(None, ctl).handle("/vcam/input", values, "10.0.0.7:9000")
    assert ctl.lines == [("input " + " ".join(values), "osc")] and not reply[0].startswith("error"), reply


@pytest.mark.parametrize("values", [["file:clip.mp4", "@bar"], ["file:my", "clip.mp4", "@off"],
                                    ['file:"my', 'clip.mp4"']])
def test_an_input_split_into_values_with_a_timing_or_quotes_is_taken_as_the_controller_reads_it(tmp_path, values):
    """A network cue's words arrive as values: a timing after the path, or quotes around it, are not the path,
    so the file that is there is not refused as missing."""
    (tmp_path / "clip.mp4").write_bytes(b"")
    (tmp_path / "my clip.mp4").write_bytes(b"")
    ctl = _sharing(tmp_path)
    reply = OscRouter(None, ctl).handle("/vcam/input", values, "10.0.0.7:9000")
    assert ctl.lines == [("input " + " ".join(values), "osc")] and not reply[0].startswith("error"), reply


@pytest.mark.parametrize("args", [[1, 3, True], ["neon", False, 0.5]])
def test_a_true_or_false_among_a_commands_values_is_refused_not_read_as_a_number(args):
    ctl = Spy()
    with pytest.raises(Unfit, match="got (True|False).*which is no value"):
        OscRouter(None, ctl).handle("/vcam/blend", args, "10.0.0.7:9000")
    assert ctl.lines == []
