"""The message filter a MIDI input keeps messages by while vcam starts (`acted_on`) and the router agree: a message
kept then is one the router acts on once the show is on air, and one it drops is one the router would not act on."""
import threading

import mido
import pytest

from helpers import RecordingProducer
from vcam.control.commands import parse
from vcam.control.controller import Controller, ShowState
from vcam.control.midi import MidiRouter, acted_on
from vcam.control.show import parse_show

SHOW = """\
presets:
  - {name: city, prompt: a neon city}
  - {name: ocean, prompt: ocean waves}
midi:
  controls:
    - {cc: 7, param: strength}
    - {cc: 1, bits: 14, param: blend}
    - {nrpn: 300, param: bias, channel: 4}
    - {cc: 20, command: next}
    - {note: 36, command: prev}
    - {cc: 21, command: next, channel: 3}
    - {program: presets, channel: 6}
"""


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


def note(kind, number, velocity, channel=0):
    return mido.Message(kind, note=number, velocity=velocity, channel=channel)


def program(number, channel):
    return mido.Message("program_change", program=number, channel=channel)


# Each row: the messages sent before (a 14-bit knob's coarse half, an NRPN's number), then the one weighed;
# channels as mido counts them, from 0 (the map's `channel: 4` is mido's 3)
MESSAGES = [
    ((), cc(7, 0)), ((), cc(7, 0, channel=1)), ((), cc(8, 0)),  # a knob on any channel, an unmapped cc
    ((), cc(1, 0)), ((cc(1, 0),), cc(33, 5)), ((), cc(1, 0, channel=4)),  # a 14-bit knob's coarse, then fine half
    ((), cc(20, 127)), ((), cc(21, 127, channel=2)), ((), cc(21, 127)),  # buttons on CCs, one on channel 3 only
    ((), note("note_on", 36, 100)), ((), note("note_on", 36, 0)), ((), note("note_off", 36, 0)),
    ((), note("note_on", 37, 100)), ((), note("note_on", 36, 100, channel=9)),
    ((), program(1, 5)), ((), program(1, 0)),  # a program change on the channel the map reads, and on another
    ((cc(99, 2, channel=3), cc(98, 44, channel=3)), cc(6, 0, channel=3)),  # NRPN 300's value, on its channel
    ((cc(99, 2, channel=3), cc(98, 44, channel=3), cc(6, 0, channel=3)), cc(38, 3, channel=3)),
    ((cc(99, 2), cc(98, 44)), cc(6, 0)),  # NRPN 300 on a channel no NRPN knob listens on
    ((cc(101, 0), cc(100, 0)), cc(6, 2)),  # an RPN's value (a keyboard's pitch-bend range) where no NRPN knob is
]

# Kept while vcam starts though the router does not act on them: a 14-bit knob's fine half before any coarse half, a
# CC button let go (value 0), an RPN's value on an NRPN knob's channel, and NRPN data increment and decrement
KEPT_NOT_ACTED = [((), cc(33, 0)), ((cc(20, 127),), cc(20, 0)),
                  ((cc(101, 0, channel=3), cc(100, 0, channel=3)), cc(6, 2, channel=3)),
                  ((), cc(96, 1, channel=3)), ((), cc(97, 1, channel=3))]


def acting_router():
    """A router on the show's map, and the list its controller records each command and change it is given in."""
    show = parse_show(SHOW, "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0, strength=0.0, bias=0.05),
                     RecordingProducer(tell_at_once=True), threading.Event(), lambda s: None)
    acted = []
    apply, set_param = ctl.apply, ctl.set_param
    ctl.apply = lambda *a, **k: (acted.append(a), apply(*a, **k))[1]
    ctl.set_param = lambda *a, **k: (acted.append(a), set_param(*a, **k))[1]
    return show.midi, MidiRouter(show.midi, ctl), acted


def acts(before, msg) -> tuple[bool, bool]:
    """Whether `msg` is kept while vcam starts (`acted_on`), and whether the router, given `before` first, acts on
    it: a command run or a parameter set."""
    mapping, router, acted = acting_router()
    for m in before:
        router.handle(m)
    del acted[:]
    router.handle(msg)
    return acted_on(msg, mapping), bool(acted)


@pytest.mark.parametrize("before, msg", MESSAGES, ids=[str(m) for _, m in MESSAGES])
def test_a_message_is_kept_while_vcam_starts_where_the_router_acts_on_it(before, msg):
    kept, acted = acts(before, msg)
    assert kept == acted


@pytest.mark.parametrize("before, msg", KEPT_NOT_ACTED, ids=[str(m) for _, m in KEPT_NOT_ACTED])
def test_some_controller_messages_are_kept_while_vcam_starts_though_the_router_does_not_act_on_them(before, msg):
    assert acts(before, msg) == (True, False)


def _entries():
    from vcam.control.midimap import Button, Knob

    return {"any-channel knob": Knob(1, "strength", 0, 1), "channel-3 knob": Knob(2, "strength", 0, 1, channel=2),
            "tap pad": Button(parse("tap"), note=30), "next on channel 1": Button(parse("next"), cc=5, channel=0)}


# (message, the entry it is on, kept while vcam starts, a tap press): written out, not worked out the lookup's way
MEETS = [(cc(1, 64), "any-channel knob", True, False), (cc(1, 64, channel=5), "any-channel knob", True, False),
         (cc(2, 64, channel=2), "channel-3 knob", True, False), (cc(2, 64), None, False, False),
         (note("note_on", 30, 100, channel=3), "tap pad", True, True), (note("note_on", 30, 0), "tap pad", False, True),
         (note("note_off", 30, 0), "tap pad", False, True), (cc(5, 127), "next on channel 1", True, False),
         (cc(5, 127, channel=1), None, False, False), (note("note_on", 31, 100), None, False, False),
         (cc(30, 127), None, False, False), (program(1, 0), None, False, False)]


@pytest.mark.parametrize("msg, on, kept, tap", MEETS, ids=[str(m[0]) for m in MEETS])
def test_the_kept_messages_the_router_and_a_kept_tap_meet_a_message_with_the_same_entry(msg, on, kept, tap):
    """acted_on, the router and tap_press each looked up the entry a message is on, three ways alike."""
    from vcam.control.midi import _entry_for
    from vcam.control.midimap import Button, Knob, MidiMap

    entries = _entries()
    mapping = MidiMap(knobs=tuple(e for e in entries.values() if isinstance(e, Knob)),
                      buttons=tuple(e for e in entries.values() if isinstance(e, Button)))
    assert _entry_for(msg, mapping) is (entries[on] if on is not None else None)
    assert acted_on(msg, mapping) == kept
    assert (MidiRouter(mapping, None).tap_press(msg) is not None) == tap
