"""A knob's flood of values behind a busy show, followed to its newest value: an NRPN knob whose controller sends its
number again with every value, two NRPN knobs turned at once, and a controller that leaves out a fine half of 0. The
flood is put in the input's inbox as the port's thread would, then taken out and acted on as the controls' thread
would, all at once: what a show that was busy all along sees."""
import random

import mido
import pytest

from test_midi_14bit import SHOW, cc, nrpn, pair, rig
from vcam.control.midiinput import MidiInput, routed_input
from vcam.control.show import parse_show


def counted(ctl) -> list:
    """The values `ctl` is set to from now on, as (param, value)."""
    applied, set_param = [], ctl.set_param

    def counting(param, value, source, between=None):
        applied.append((param, value))
        return set_param(param, value, source, between=between)

    ctl.set_param = counting
    return applied


def flood(midi: MidiInput, msgs: list) -> list:
    """`msgs` put in while the show is busy, then all that waits acted on; the messages acted on."""
    for msg in msgs:
        midi._deliver(msg)
    acted = []
    while (msg := midi._inbox.get(0)) is not None:
        acted.append(msg)
        midi._act(msg)
    return acted


def fired(ctl) -> list:
    """The commands `ctl` is given from now on, as written (a knob's set_param among them)."""
    given, apply = [], ctl.apply

    def giving(cmd, source, *args, **kwargs):
        given.append(str(cmd))
        return apply(cmd, source, *args, **kwargs)

    ctl.apply = giving
    return given


def listening(router) -> MidiInput:
    """An input on `router` as a show wires it: a map reloaded on the router reaches its inbox."""
    return routed_input("nanokontrol", router, lambda line: None)


def reloaded(router, controls: str) -> None:
    """`router` given the map of a show saved with `controls` (YAML lines), as the show's watcher gives it."""
    router.mapping = parse_show(SHOW + "".join(f"    - {c}\n" for c in controls.splitlines()), "show.yaml").midi


def test_an_nrpn_knob_whose_controller_sends_its_number_with_every_value_floods_to_its_newest_value():
    """Its number (CC 99 and 98) came between each value and the next, taken as a control of its own: every value
    waited in turn, 160 changes 480 messages and more, and the show went through each step behind."""
    ctl, router = rig("{nrpn: 1234, param: strength}", strength=0.0)
    midi = listening(router)
    flood(midi, nrpn(1234, 0) + nrpn(1234, 1))  # moved before: known as a knob, both halves
    applied = counted(ctl)
    acted = flood(midi, [msg for raw in range(100, 16100, 100) for msg in nrpn(1234, raw)])
    assert ctl.state.strength == 16000 / 16383
    assert len(acted) <= 4, acted
    assert len(applied) <= 2, applied


def test_two_nrpn_knobs_turned_at_once_and_one_on_another_channel_each_flood_to_their_own_newest_value():
    """Interleaved on one channel, each value after its own number: a value is never taken for another number's or
    another channel's, and each knob ends where it was left."""
    ctl, router = rig("{nrpn: 1, param: strength, channel: 1}\n{nrpn: 2, param: bias, range: [0.05, 1], channel: 1}\n"
                      "{nrpn: 1, param: transition, range: [0, 12], channel: 2}", strength=0.0, bias=1.0,
                      transition=0)
    midi = listening(router)
    for raw in (0, 1):  # moved before: known as knobs, both halves
        flood(midi, nrpn(1, raw) + nrpn(2, 16383 - raw) + nrpn(1, raw, channel=1))
    applied = counted(ctl)
    msgs = []
    for i in range(1, 121):
        msgs += nrpn(1, i * 100) + nrpn(2, 16383 - i * 100) + nrpn(1, i * 130, channel=1)
    acted = flood(midi, msgs)
    assert ctl.state.strength == 12000 / 16383
    assert ctl.state.bias == pytest.approx(0.05 + 0.95 * (16383 - 12000) / 16383)
    assert ctl.state.transition == round(12 * 15600 / 16383)
    assert len(acted) <= 16, acted
    assert len(applied) <= 8, applied


def _stream(rng: random.Random, halves, changes: int, leave_out_zero: bool) -> list:
    """A knob swept about in `changes` moves, each sent as `halves(raw)` gives it; a fine half of 0 left out where
    `leave_out_zero`, as some controllers do."""
    msgs, raw = [], 0
    for _ in range(changes):
        raw = max(0, min(16383, raw + rng.choice((-300, -128, -1, 0, 1, 127, 128, 129, 300, -129))))
        if rng.random() < 0.2:
            raw &= ~127  # on a step's start: the fine half is 0
        sent = halves(raw)
        if leave_out_zero and raw & 127 == 0:
            sent = [m for m in sent if m.control not in (38, 33)]
        msgs += sent
    return msgs


@pytest.mark.parametrize("entry, halves", [
    ("{cc: 1, bits: 14, param: strength}", lambda raw: pair(1, raw)),
    ("{nrpn: 1234, param: strength}", lambda raw: nrpn(1234, raw)),
], ids=["cc pair", "nrpn"])
@pytest.mark.parametrize("leave_out_zero", [True, False], ids=["fine 0 left out", "both halves"])
def test_a_14_bit_knobs_merged_flood_ends_where_the_messages_one_by_one_would_have_left_it(entry, halves,
                                                                                         leave_out_zero):
    """A controller that leaves out a fine half of 0 sends a step's coarse half alone, and the same coarse half as
    the one before moves nothing (its fine half is on its way, from a controller that sends both): a flood merged to
    its newest coarse half could end on the coarse half the show saw last, which moved nothing, and the knob stayed
    up to a step off where the controller left it."""
    rng = random.Random(7)
    for _ in range(60):
        one_by_one, router = rig(entry, strength=0.0)
        merged, merging = rig(entry, strength=0.0)
        midi = listening(merging)
        start = halves(0) + _stream(rng, halves, rng.randrange(1, 12), leave_out_zero)
        later = _stream(rng, halves, rng.randrange(1, 40), leave_out_zero)
        for msg in start + later:
            router.handle(msg)
        flood(midi, start)
        flood(midi, later)
        assert merged.state.strength == one_by_one.state.strength, [(m.control, m.value) for m in start + later]


@pytest.mark.parametrize("between", [
    mido.Message("aftertouch", value=90),
    mido.Message("polytouch", note=60, value=90),
    mido.Message("pitchwheel", pitch=-2000),
    mido.Message("sysex", data=[0x7E, 0x7F, 0x06, 0x01]),
    mido.Message("active_sensing"),
    mido.Message("note_off", note=60),
    mido.Message("note_on", note=60, velocity=0),
], ids=lambda msg: msg.type + ("0" if getattr(msg, "velocity", None) == 0 else ""))
def test_a_knobs_flood_among_messages_no_control_acts_on_still_ends_at_its_newest_value(between):
    """A held key's aftertouch, a pitch wheel or a keyboard's active sensing between a knob's values went into the
    controls' queue: each parted one value from the next, and a busy show went through every step of the sweep."""
    ctl, router = rig("{cc: 16, param: strength}\n{note: 60, command: next}", strength=0.0)
    midi = listening(router)
    flood(midi, [cc(16, 0)])
    flood(midi, [cc(16, 1)])  # moved before: known as a knob
    applied, given = counted(ctl), fired(ctl)
    acted = flood(midi, [msg for v in range(2, 64) for msg in (cc(16, v), between)])  # all under 64 (PRESSED): one side
    assert ctl.state.strength == 63 / 127
    assert len(acted) == 1, acted
    assert applied == [("strength", 63 / 127)]
    assert "next" not in given  # key 60 released, never pressed


def test_a_coarse_half_alone_back_on_the_step_the_show_saw_last_moves_the_knob_to_that_steps_start():
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    midi = listening(router)
    flood(midi, pair(1, 0) + pair(1, 6 << 7 | 100))
    assert ctl.state.strength == (6 << 7 | 100) / 16383
    flood(midi, pair(1, 7 << 7 | 5) + [cc(1, 6)])  # up a step, and back to the start of the one before
    assert ctl.state.strength == (6 << 7) / 16383


def test_an_nrpn_knob_whose_controller_was_replugged_moves_on_the_number_it_sends_again(fake_midi_backend):
    """The router forgets the NRPN picked as the controller comes back (it may have been swapped): a number sent
    again as it was before the unplug, left out as picked already, left every value after it to no number."""
    ctl, router = rig("{nrpn: 5, param: strength}", strength=0.0)
    midi = MidiInput("nanokontrol", router.handle, lambda line: None, on_reconnect=router.forget_buttons)
    flood(midi, nrpn(5, 0) + nrpn(5, 1))
    midi._reopen("Fake nanoKONTROL2 MIDI 1", ["Fake nanoKONTROL2 MIDI 1"])
    try:
        flood(midi, nrpn(5, 200))
    finally:
        midi._close()
    assert ctl.state.strength == 200 / 16383


def test_a_map_reloaded_to_read_cc_6_and_38_as_knobs_of_their_own_where_an_nrpn_knob_was_floods_each_as_its_own():
    """The inbox took CC 6 on a channel an NRPN knob had answered on for that NRPN's value long after a reloaded map
    made it a knob of its own: a flood of it gone off its value and back ended with a fine half of 0 made up for
    the NRPN, which CC 38's own knob took, moving its parameter to 0 with no move of its own."""
    ctl, router = rig("{nrpn: 1, param: strength, channel: 1}", strength=0.0, transition=0)
    midi = listening(router)
    flood(midi, nrpn(1, 0) + nrpn(1, 1))  # moved before: known as an NRPN knob
    router.mapping = parse_show(SHOW + "    - {cc: 6, param: strength, channel: 1}\n"
                                "    - {cc: 38, param: transition, range: [0, 12], channel: 1}\n", "show.yaml").midi
    for msg in [cc(38, 0), cc(38, 127), cc(6, 0), cc(6, 127)]:  # each on its own, as a show not busy takes them
        flood(midi, [msg])
    assert (ctl.state.strength, ctl.state.transition) == (1.0, 12)
    flood(midi, [cc(6, 100), cc(6, 127)])
    assert ctl.state.strength == 1.0
    assert ctl.state.transition == 12


def test_a_button_a_reloaded_map_put_on_cc_99_where_an_nrpn_knob_was_fires_on_the_value_the_nrpn_picked_last():
    """The inbox left out CC 99 at the value the NRPN's number had last (127, as a controller deselects with CC 99
    and 98 at 127 after each value), as picking nothing: the router never saw the press, so never answered as a
    button, and a pad that sends 127 alone was lost at every press."""
    ctl, router = rig("{nrpn: 1, param: strength, channel: 1}", strength=0.0)
    midi = listening(router)
    flood(midi, nrpn(1, 0) + nrpn(1, 1) + [cc(99, 127), cc(98, 127)])  # moved before, then deselected
    router.mapping = parse_show(SHOW + "    - {cc: 99, command: blackout, channel: 1}\n", "show.yaml").midi
    flood(midi, [cc(99, 127)])
    assert ctl.state.screen == "blackout"


def test_presses_of_a_cc_a_reloaded_map_made_a_button_where_a_14_bit_knobs_fine_half_was_each_fire_on_a_busy_show():
    """The inbox went on taking CC 33 for the fine half of the knob on CC 1 until it first answered as a button: a
    busy show, which takes its messages once a few came, had each press merged with its release, the newest fine
    half, and no press ever reached the router to answer as one."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    midi = listening(router)
    flood(midi, pair(1, 0) + pair(1, 200))  # moved before: both halves known as the knob's
    reloaded(router, "{cc: 1, param: strength}\n{cc: 33, command: next}")
    given = fired(ctl)
    flood(midi, [cc(33, 127), cc(33, 0)] * 3)
    assert given.count("next") == 3


def test_a_press_after_a_reload_never_takes_the_place_of_a_knobs_halves_waiting_from_before_it():
    """The messages waiting as the map changes are acted on by the new map; one that came after the change is kept
    apart from them, where it took the place of the fine half waiting from before, and the release then took the
    press's."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    midi = listening(router)
    flood(midi, pair(1, 0) + pair(1, 200))
    for msg in pair(1, 5 << 7 | 3):  # waiting as the map changes, merged by the old one
        midi._deliver(msg)
    reloaded(router, "{cc: 1, param: strength}\n{cc: 33, command: next}")
    given = fired(ctl)
    acted = flood(midi, [cc(33, 127), cc(33, 0)])
    assert [(m.control, m.value) for m in acted] == [(1, 5), (33, 3), (33, 127), (33, 0)]
    assert given.count("next") == 1
    assert ctl.state.strength == 5 / 127  # the coarse half, a 7-bit knob's value now


def test_a_button_and_a_knob_a_reloaded_map_made_a_14_bit_faders_halves_flood_to_where_the_fader_was_left():
    """CC 1 answered as a 7-bit knob and CC 33 as a button; reloaded as a 14-bit fader, the inbox went on merging CC
    1 as a whole knob until it first answered as a coarse half: a flood from a controller that leaves out a fine
    half of 0 was merged to its newest coarse half, the step the router had heard last, which moves nothing, and
    the fader stayed where the step before left it."""
    ctl, router = rig("{cc: 1, param: strength}\n{cc: 33, command: next}", strength=0.0)
    midi = listening(router)
    for msg in [cc(1, 0), cc(1, 1), cc(33, 127), cc(33, 0)]:  # each on its own: known as a knob and a button
        flood(midi, [msg])
    reloaded(router, "{cc: 1, bits: 14, param: strength}")
    flood(midi, pair(1, 5 << 7 | 100) + [cc(1, 6), cc(1, 5)])  # up a step, and back to 5's start, fine 0 left out
    assert ctl.state.strength == (5 << 7) / 16383
    acted = flood(midi, [cc(1, 7), cc(1, 8), cc(1, 9)])  # answered as a coarse half since: merged as one
    assert [(m.control, m.value) for m in acted] == [(1, 9)]
    assert ctl.state.strength == (9 << 7) / 16383


def test_a_reload_that_changes_no_control_keeps_what_the_inbox_learnt_of_them():
    """A show saved with a new prompt gives the router an equal map: a knob's flood is still merged at once."""
    ctl, router = rig("{cc: 16, param: transition, range: [0, 12]}", transition=0)
    midi = listening(router)
    flood(midi, [cc(16, 0)])
    flood(midi, [cc(16, 1)])
    reloaded(router, "{cc: 16, param: transition, range: [0, 12]}")
    assert len(flood(midi, [cc(16, v) for v in range(2, 60)])) == 1
    assert ctl.state.transition == round(12 * 59 / 127)


def test_a_knobs_answer_given_under_the_old_map_while_a_reload_puts_the_new_one_in_force_is_not_learnt():
    """The show's watcher may replace the map while the controls' thread has a knob's move in hand: its answer, a
    14-bit knob's under the old map, would have the inbox merge CC 33 as its fine half again, under a map that made
    it a button."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    midi = listening(router)
    flood(midi, pair(1, 0))
    set_param = ctl.set_param

    def reloading(*args, **kwargs):  # the save lands as the move is acted on
        ctl.set_param = set_param
        reloaded(router, "{cc: 1, param: strength}\n{cc: 33, command: next}")
        return set_param(*args, **kwargs)

    ctl.set_param = reloading
    flood(midi, [cc(1, 2)])
    given = fired(ctl)
    flood(midi, [cc(33, 127), cc(33, 0)] * 2)
    assert given.count("next") == 2


@pytest.mark.parametrize("between", [cc(20, 0), mido.Message("note_on", note=61, velocity=100),
                                     mido.Message("program_change", program=3)], ids=["cc", "key", "program"])
def test_a_knobs_flood_beside_a_control_the_map_has_nothing_on_still_ends_at_its_newest_value(between):
    """Two knobs turned at once, one of them on no control of the map (a controller with more knobs than the map):
    each of the unmapped one's values parted one of the mapped knob's from the next, and a busy show went through
    every step of the sweep."""
    ctl, router = rig("{cc: 16, param: strength}\n{note: 60, command: next}", strength=0.0)
    midi = listening(router)
    flood(midi, [cc(16, 0), between])
    flood(midi, [cc(16, 1), between])  # both moved before: the knob known as one, the other as on nothing
    applied, given = counted(ctl), fired(ctl)
    msgs = [msg for v in range(2, 64) for msg in (cc(16, v), between.copy(value=v) if between.type == "control_change"
                                                   else between)]
    acted = flood(midi, msgs)
    assert ctl.state.strength == 63 / 127
    assert len([m for m in acted if m.type == "control_change" and m.control == 16]) == 1, acted
    assert applied == [("strength", 63 / 127)]
    assert not [g for g in given if not g.startswith("strength")]  # key 61 and program 4 are on nothing


def test_a_control_on_nothing_that_a_reloaded_map_makes_a_button_keeps_each_press_in_its_place():
    """What the inbox learnt of a control on nothing is the old map's: once a saved show makes it a button, each of
    its presses keeps its place among a knob's values (a press is never moved before the values that came first)."""
    ctl, router = rig("{cc: 16, param: strength}", strength=0.0)
    midi = listening(router)
    flood(midi, [cc(16, 0), cc(20, 0)])
    flood(midi, [cc(16, 1), cc(20, 0)])
    reloaded(router, "{cc: 16, param: strength}\n{cc: 20, command: next}")
    seen = []
    ctl.apply, apply = (lambda cmd, source, *a, **k: seen.append((str(cmd), ctl.state.strength)) or apply(
        cmd, source, *a, **k)), ctl.apply
    flood(midi, [cc(16, 30), cc(20, 127), cc(16, 60)])
    assert [s for s in seen if s[0] == "next"] == [("next", 30 / 127)]
    assert ctl.state.strength == 60 / 127
