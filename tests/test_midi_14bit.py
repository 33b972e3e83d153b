"""14-bit knobs and faders: a CC pair (coarse on CC n, fine on CC n + 32) and an NRPN (CC 99/98 its number, CC 6/38
its value) move a parameter in 16384 steps, picked up with soft takeover, learnt, logged and refused when written
wrong."""
import threading

import mido
import pytest

import fake_midi
from helpers import RecordingProducer, in_thread, map_refusal, wait_for
from vcam.control.controller import Controller, ShowState
from vcam.control.midi import MidiRouter
from vcam.control.midiinput import MidiInput
from vcam.control.midimap import Knob, MidiMap
from vcam.control.show import parse_show

NANO = "Fake nanoKONTROL2 MIDI 1"
SHOW = """\
presets:
  - {name: city, prompt: a neon city}
  - {name: ocean, prompt: ocean waves}
midi:
  controls:
"""


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


def pair(coarse_cc, raw, channel=0):
    """A 14-bit CC pair's two messages for `raw` (0..16383): coarse half first, as controllers send it."""
    return [cc(coarse_cc, raw >> 7, channel), cc(coarse_cc + 32, raw & 127, channel)]


def nrpn(number, raw, channel=0):
    """An NRPN's four messages: its number (CC 99 and 98), then its value (CC 6 and 38)."""
    return [cc(99, number >> 7, channel), cc(98, number & 127, channel), cc(6, raw >> 7, channel),
            cc(38, raw & 127, channel)]


def rig(controls: str, log=None, **state):
    """A show whose midi: section holds `controls` (YAML lines), its controller and a router on its map."""
    show = parse_show(SHOW + "".join(f"    - {c}\n" for c in controls.splitlines()), "show.yaml")
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0, **state),
                     RecordingProducer(tell_at_once=True), threading.Event(), lambda s: None, log)
    return ctl, MidiRouter(show.midi, ctl)


def test_a_14_bit_fader_reaches_its_parameter_with_its_fine_value_through_the_midi_input(fake_midi_backend):
    """A fader that sends 16384 steps moved its parameter in 128 of them (the map knew 7 bits): a blend swept over a
    long fader stepped. Its coarse half on CC 1 and its fine half on CC 33 are one value, 0 to 16383."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    said = []
    midi = MidiInput("nanokontrol", router.handle, said.append, poll=0.02)
    midi.start()
    try:
        for raw in (0, 5, 8195, 12345):
            for msg in pair(1, raw):
                fake_midi.send(NANO, msg)
        assert wait_for(lambda: ctl.state.strength == 12345 / 16383, 60), (ctl.state.strength, said)
    finally:
        midi.stop()
    assert ctl.state.strength != round(12345 / 16383 * 127) / 127  # not a 7-bit step


def test_a_coarse_half_moves_the_knob_and_its_fine_half_refines_that_coarse_half_not_an_older_one():
    """Controllers send both halves, coarse first, for every change. A fine half refines the newest coarse half, so
    a fader swept up through a step boundary never goes a step ahead (the new coarse half with the old fine half,
    near 127) and back; the same coarse half again leaves the knob where it is (taken as the step's start, each
    change within a step went back there and on). A coarse half alone moves the knob (a controller that sends it
    alone, or leaves out a fine half of 0), to both ends."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    seen = []
    for raw in range(0, 16384, 61):  # swept up, coarse then fine
        for msg in pair(1, raw):
            router.handle(msg)
            seen.append(round(ctl.state.strength * 16383))
        assert ctl.state.strength == raw / 16383
    assert seen == sorted(seen), "the sweep went back"
    for raw in (8195, 8200, 8197):  # within one step, either way: straight there
        for msg in pair(1, raw):
            router.handle(msg)
            assert ctl.state.strength in ((raw - 3) / 16383, (raw + 3) / 16383, raw / 16383, 8195 / 16383)
        assert ctl.state.strength == raw / 16383
    router.handle(cc(1, 127))  # the top, coarse alone: the fine half at 0
    assert ctl.state.strength == 127 * 128 / 16383
    router.handle(cc(1, 0))  # the bottom, coarse alone
    assert ctl.state.strength == 0.0
    router.handle(cc(33, 9))  # a fine half alone refines the last coarse half
    assert ctl.state.strength == 9 / 16383


def test_a_14_bit_knob_is_picked_up_with_soft_takeover_by_its_fine_value():
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.5)
    for msg in pair(1, 16383):  # far from 0.5: not picked up
        router.handle(msg)
    assert ctl.state.strength == 0.5
    for raw in (8300, 8190):  # met at 0.5 (crossed): picked up, then moved by its fine value
        for msg in pair(1, raw):
            router.handle(msg)
    assert ctl.state.strength == 8190 / 16383


def test_an_nrpn_knob_moves_its_parameter_by_its_number_and_14_bit_value():
    """CC 99/98 pick the NRPN, CC 6/38 carry its value: a map could not read it at all (learn said so), and CC 6
    read as a knob of its own would be every NRPN's."""
    ctl, router = rig("{nrpn: 1234, param: strength}\n{nrpn: 5, bits: 7, param: bias, range: [0.05, 1]}\n"
                      "{cc: 7, param: blend}", strength=0.0, bias=1.0)
    for msg in nrpn(1234, 300) + nrpn(1234, 4001):  # picked up near 0, then moved
        router.handle(msg)
    assert ctl.state.strength == 4001 / 16383
    for msg in nrpn(1235, 100) + nrpn(1234 + 128, 100):  # other numbers: no knob of the map's
        router.handle(msg)
    assert ctl.state.strength == 4001 / 16383
    for msg in [cc(101, 0), cc(100, 0), cc(6, 127)]:  # an RPN picked: its data entry is no NRPN knob's
        router.handle(msg)
    assert ctl.state.strength == 4001 / 16383
    # a 7-bit NRPN: its value on CC 6 alone, over 0..127; CC 38 left alone
    for msg in nrpn(5, 127 << 7) + nrpn(5, 120 << 7 | 100):
        router.handle(msg)
    assert ctl.state.bias == pytest.approx(0.05 + 0.95 * 120 / 127)


def test_a_14_bit_knobs_move_is_logged_with_its_fine_value_and_replays_to_it(tmp_path):
    from vcam.control.actions import SetPrompts
    from vcam.control.log import ControlLog, read_replay

    path = tmp_path / "controls.jsonl"
    log = ControlLog(open(path, "w", encoding="utf-8"), {"seed": 1})
    ctl, router = rig("{cc: 1, bits: 14, param: blend, between: [city, ocean]}", log=log)
    for msg in pair(1, 300) + pair(1, 9001):  # picked up near 0, then moved
        router.handle(msg)
    log.end(1)
    x = 9001 / 16383
    assert ctl.state.blend == (0, 1, x)
    replayed = [action for _, action in read_replay(str(path)).actions]
    assert isinstance(replayed[-1], SetPrompts) and replayed[-1].prompts == {"a neon city": 1 - x, "ocean waves": x}


def test_a_14_bit_knobs_halves_flooding_a_busy_show_end_at_the_newest_value(fake_midi_backend):
    """Values waiting behind a busy show are followed to the newest, a 14-bit knob's two halves together: each
    half taken as a knob of its own, a fine half took the place of one waiting before a newer coarse half, and the
    knob went back and forth through every step waiting."""
    from test_midi_show import Held

    held = Held()
    show = parse_show(SHOW + "    - {cc: 1, bits: 14, param: strength}\n", "show.yaml")
    router = MidiRouter(show.midi, held)
    midi = MidiInput("nanokontrol", router.handle, [].append, poll=0.02)
    midi.start()
    try:
        for msg in pair(1, 0):  # moved before: known as a knob, both halves
            fake_midi.send(NANO, msg)
        fake_midi.send(NANO, cc(33, 1))
        assert wait_for(lambda: held.values == [0.0, 1 / 16383], 60)
        held.go.clear()
        fake_midi.send(NANO, cc(33, 2))  # taken in hand: waits for the show
        assert wait_for(held.entered.is_set, 60)
        for raw in [3, *range(200, 16384, 200), 16383]:
            msgs = pair(1, raw)
            for msg in msgs if raw >> 7 else msgs[1:]:  # fine halves alone within the first step
                fake_midi.send(NANO, msg)
        held.go.set()
        assert wait_for(lambda: held.values[-1:] == [1.0], 60), held.values
    finally:
        held.go.set()
        midi.stop()
    assert len(held.values) <= 8, held.values


def test_learn_through_the_midi_input_gives_a_14_bit_pairs_line(fake_midi_backend):
    from vcam.control.midilearn import learn

    out, stop = [], threading.Event()
    thread, errors = in_thread(learn, "nanokontrol", out.append, lambda s: None, None, stop, 0.02)
    try:
        assert wait_for(lambda: fake_midi.OPEN, 30)
        for raw in range(4000, 4400, 23):
            for msg in pair(2, raw, channel=1):
                fake_midi.send(NANO, msg)
        assert wait_for(lambda: out, 30)
    finally:
        stop.set()
    thread.join(30)
    assert not thread.is_alive() and errors == []
    assert len(out) == 1 and "- {cc: 2, bits: 14, param: blend, channel: 2}" in out[0], out


@pytest.mark.parametrize("entries, said", [
    ("- {cc: 40, bits: 14, param: blend}", ":2: MIDI map control 1: cc 40 with bits: 14 has no fine half; a 14-bit "
                                           "pair is cc 0-31 (coarse) and cc + 32 (fine): cc 40 is the fine half of "
                                           "cc 8, so write cc: 8"),
    ("- {cc: 64, bits: 14, param: blend}", ":2: MIDI map control 1: cc 64 with bits: 14 has no fine half; a 14-bit "
                                           "pair is cc 0-31 (coarse) and cc + 32 (fine)"),
    ("- {nrpn: 16384, param: blend}", ":2: MIDI map control 1 nrpn 16384 is out of range (0 to 16383)"),
    ("- {nrpn: -1, param: blend}", ":2: MIDI map control 1 nrpn -1 is out of range (0 to 16383)"),
    ("- {cc: 1, bits: 16, param: blend}", ":2: MIDI map control 1 bits must be 7 or 14"),
    ("- {note: 36, bits: 14, command: next}", ":2: MIDI map control 1: bits is for a knob's cc or nrpn, not a note"),
    ("- {nrpn: 12, command: next}", ":2: MIDI map control 1: an nrpn is for a knob or fader (param), not a button's "
                                    "command"),
    ("- {cc: 1, nrpn: 12, param: blend}", ":2: MIDI map control 1: give exactly one of cc, note, nrpn or program"),
    ("- {cc: 1, bits: 14, param: blend}\n  - {cc: 33, command: next}",
     # where cc 33 comes from was left to guess: a nanoKONTROL2's S button sits on its fader's cc + 32
     ":3: MIDI map control 2: cc 33 is control 1's already, as the fine half of its cc 1 (bits: 14; a controller with "
     "a control of its own on cc 33 sends 7 bits on cc 1: drop bits: 14 there): only one of them would act"),
    ("- {cc: 33, command: next}\n  - {cc: 1, bits: 14, param: blend}",
     ":3: MIDI map control 2: cc 33 (the fine half of cc 1) is control 1's already: only one of them would act"),
    ("- {nrpn: 12, param: blend}\n  - {nrpn: 12, param: strength}",
     ":3: MIDI map control 2: nrpn 12 is control 1's already"),
    ("- {nrpn: 12, param: blend}\n  - {cc: 6, param: strength}",
     ":3: MIDI map control 2: cc 6 carries control 1's NRPN (12): an NRPN takes CC 99 and 98 (its number), CC 6 "
     "and 38 (its value) and CC 96 and 97 (its steps) on its channel; give this control another cc or channel"),
])
def test_a_14_bit_control_written_wrong_is_refused_once_with_its_line(tmp_path, entries, said):
    path, problem = map_refusal(tmp_path, entries)
    assert problem.startswith(f"{path}{said}"), problem


def test_an_nrpn_on_another_channel_leaves_cc_6_to_a_knob_of_its_own(tmp_path):
    from vcam.control.midimap import load_map

    path = tmp_path / "map.yaml"
    path.write_text("controls:\n  - {nrpn: 12, param: blend, channel: 2}\n  - {cc: 6, param: strength, channel: 1}\n")
    mapping = load_map(path)
    ctl, _ = rig("{cc: 9, param: seed}", strength=0.0)
    router = MidiRouter(mapping, ctl)
    for value in (0, 64):
        router.handle(cc(6, value, channel=0))
    assert ctl.state.strength == 64 / 127


def test_vcam_check_counts_the_14_bit_knobs(tmp_path, capsys):
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text(SHOW + "    - {cc: 1, bits: 14, param: blend}\n    - {nrpn: 300, param: strength}\n"
                           "    - {cc: 16, param: seed}\n")
    assert main(["check", str(show)]) == 0
    assert "midi: inline map: 3 knobs (2 of them 14-bit), 0 buttons" in capsys.readouterr().out


def test_a_control_taken_out_of_the_knobs_as_its_message_comes_in_keeps_that_message():
    """The controls' thread takes a control out of the knobs as it answers as a button (a reloaded map made it one)
    while the port's thread puts its next message in: looked up twice, the second look failed and the message (a
    press) was lost."""
    from vcam.control.midiinbox import Inbox

    class TakenOutMeanwhile(dict):
        def __contains__(self, key):  # found, then taken out before it is read
            found = super().__contains__(key)
            self.pop(key, None)
            return found

    inbox = Inbox()
    inbox.knobs = TakenOutMeanwhile({("control_change", 0, 41): (("control_change", 0, 41), "whole")})
    inbox.put(cc(41, 127))
    assert inbox.get(0) == cc(41, 127)


def test_learn_says_a_midimixs_knob_and_the_fader_32_ccs_up_turned_in_turn_are_two_knobs():
    """A MIDImix's knob on CC 30 and its master fader on CC 62 turned one after the other, twice, were said to be one
    14-bit fader (coarse on 30, fine on 62), to be written in place of both lines: a coarse half comes with its fine
    half straight after, not once at the end of a turn of its own."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = []
    for turn in range(2):
        for control in (30, 62):
            for value in range(20 + turn * 40, 50 + turn * 40, 3):
                lines += learner.feed(cc(control, value), 0.0)
    lines += learner.due()
    assert not any("bits" in line for line in lines), lines
    assert any("- {cc: 30, param: blend, channel: 1}" in line for line in lines), lines
    assert any("- {cc: 62, param: blend, channel: 1}" in line for line in lines), lines


@pytest.mark.parametrize("meanwhile", ["{nrpn: 6, param: bias}", "{cc: 7, param: bias}"],
                         ids=["another nrpn", "no nrpn"])
def test_an_nrpn_knob_a_reload_takes_out_and_gives_back_is_picked_up_anew(meanwhile):
    """As a knob on a CC: an NRPN knob taken out of the map by a save and put back as it was was moved meanwhile,
    and its first move jumped the parameter to where it was left, as it stayed picked up."""
    ctl, router = rig("{nrpn: 5, param: strength}", strength=0.0)
    for raw in (100, 4000):  # picked up near 0, then moved
        for msg in nrpn(5, raw):
            router.handle(msg)
    assert ctl.state.strength == 4000 / 16383
    knob = router.mapping
    router.mapping = rig(meanwhile)[1].mapping  # as a reload puts the saved map in force
    for msg in nrpn(5, 16000):  # moved while it drives nothing
        router.handle(msg)
    router.mapping = knob  # given back as it was
    for msg in nrpn(5, 16100):  # far from where it was left
        router.handle(msg)
    assert ctl.state.strength == 4000 / 16383


def test_an_nrpn_knob_stepped_with_data_increment_is_said_once_and_moves_nothing_and_fires_no_button():
    """CC 96/97 step the picked NRPN by a unit the instrument defines: read as a guess they would move a knob of
    16384 steps anywhere from 1/16384 a click to a jump. Unread, they were silent: the knob seemed dead, with no word
    of why or of what to set on the controller."""
    ctl, router = rig("{nrpn: 5, param: strength}", strength=0.0)
    for msg in nrpn(5, 100):
        router.handle(msg)
    said = [router.handle(cc(control, value)) for control, value in ((96, 0), (96, 1), (97, 127), (96, 0))]
    assert said[0] == ("MIDI: nrpn 5 (strength) on channel 1 is stepped with CC 96/97 (data increment/decrement), "
                       "which vcam does not read; set the controller to send this knob's value on CC 6/38 (data entry)")
    assert said[1:] == [None, None, None]
    assert ctl.state.strength == 100 / 16383
    for msg in [cc(99, 0), cc(98, 6), cc(96, 0)]:  # no knob's NRPN: nothing to say
        assert router.handle(msg) is None


def test_data_increment_on_a_channel_without_an_nrpn_knob_is_a_control_of_its_own():
    ctl, router = rig("{nrpn: 5, param: strength, channel: 2}\n{cc: 96, param: bias, range: [0.05, 1], channel: 1}",
                      bias=1.0)
    router.handle(cc(96, 127))
    router.handle(cc(96, 0))
    assert ctl.state.bias == 0.05


def test_a_button_on_data_increment_where_an_nrpn_knob_listens_is_refused(tmp_path):
    """It fired on every click of the NRPN knob's steps."""
    path, problem = map_refusal(tmp_path, "- {nrpn: 5, param: strength}\n  - {cc: 96, command: next}")
    assert problem.startswith(f"{path}:3: MIDI map control 2: cc 96 carries control 1's NRPN (5): "), problem


def test_the_knob_count_says_knob_for_one_and_knobs_for_more():
    one = MidiMap(knobs=(Knob(1, "blend", 0, 1),))
    assert one.knobs_counted == "1 knob"
    two = MidiMap(knobs=(Knob(1, "blend", 0, 1), Knob(2, "strength", 0, 1, bits=14)))
    assert two.knobs_counted == "2 knobs (1 of them 14-bit)"


def test_a_14_bit_knobs_strength_reads_in_three_decimals_its_value_kept_whole():
    """A 14-bit fader on strength answered "strength 0.753525" (six digits of a value nobody set by hand): the reply
    reads three decimals, the value on air is the knob's own, and one just off 0 is not said as 0."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    said = [router.handle(msg) for raw in (0, 5, 12345) for msg in pair(1, raw)]
    assert [str(line).split(",")[0] for line in said if line] == ["strength 0", "strength 0.0003", "strength 0.75",
                                                                 "strength 0.754"]
    assert ctl.state.strength == 12345 / 16383


@pytest.mark.parametrize("typed, read", [
    ("strength 0.3", "strength 0.3"), ("strength 1", "strength 1"), ("strength 0.9999", "strength 0.9999"),
    ("strength 0.12345", "strength 0.12345"), ("strength 0.7535", "strength 0.7535"),
    ("strength 0.0000004", "strength 4e-07"), ("strength 0.9999999", "strength 0.9999999"),
    ("bias 0.7535", "bias 0.7535"), ("strength 0.12345678", "strength 0.12345678"),
    ("bias 0.9876543211", "bias 0.9876543211"), ("strength 1.2345678e-300", "strength 1.2345678e-300")])
def test_a_typed_level_reads_back_as_typed(typed, read):
    """0.12345 read back as 0.123 and 0.7535 as 0.753 (three decimals of a value typed whole), 0.0000004 as 0 and
    0.9999999 as 1: a strength that is neither said as text only, or as all input. One of more than six significant
    digits (0.12345678) read back as a knob's three decimals, 0.123. A tiny one reads with its exponent, as typed,
    not as some 300 zeros."""
    ctl, _ = rig("{cc: 1, param: strength}", strength=0.5)
    ctl.state.input = "clip.mp4"
    assert ctl.handle_line(typed, "stdin") == f"{read} from the next block"


def test_a_knobs_strength_and_bias_read_in_three_decimals_more_where_three_would_say_0_or_1():
    """A 7-bit knob's 77/127 reads 0.606; a 14-bit bias knob one step off its top answered "bias 0.999942" (six
    digits), and a strength a step off 1 read "strength 1"."""
    ctl, router = rig("{cc: 7, param: strength}\n{cc: 1, bits: 14, param: bias, range: [0.05, 1]}\n"
                      "{cc: 2, bits: 14, param: strength}", strength=1.0, bias=1.0)
    said = [str(line) for raw in (16383, 16382) for msg in pair(2, raw) if (line := router.handle(msg))]
    assert said[-1].split(",")[0] == "strength 0.9999", said
    said = [str(line) for raw in (16383, 16382) for msg in pair(1, raw) if (line := router.handle(msg))]
    assert said[-1].split(",")[0] == "bias 0.9999 from the next block", said
    assert str(router.handle(cc(7, 127))).startswith("strength 1")
    assert str(router.handle(cc(7, 77))).startswith("strength 0.606")


@pytest.mark.parametrize("controls, raw, read", [
    ("{cc: 1, bits: 14, param: strength, range: [0.2, 0.8]}", 16350, "strength 0.799"),
    ("{cc: 1, bits: 14, param: strength, curve: log}", 7897, "strength 0.774"),
    ("{cc: 1, bits: 14, param: bias, range: [0.1, 0.9]}", 15026, "bias 0.834")])
def test_a_14_bit_knob_over_a_range_or_a_curve_reads_in_three_decimals(controls, raw, read):
    """A 14-bit knob over [0.2, 0.8] at 16350 read "strength 0.798791430141", twelve digits nobody typed."""
    ctl, router = rig(controls, strength=0.8, bias=0.83)
    said = [str(line) for msg in pair(1, raw) if (line := router.handle(msg))]
    assert said[-1].split(",")[0].removesuffix(" from the next block") == read, said


@pytest.mark.parametrize("level, read", [(0.5, "0.50"), (0.9999, "0.9999"), (0.004, "0.004"), (1.0, "1.00"),
                                         (1.2345678e-300, "1.2345678e-300")])
def test_the_status_line_never_rounds_a_strength_or_bias_off_1_onto_1(level, read):
    """A strength of 0.9999 showed as 1.00 on the status line while its reply said 0.9999."""
    ctl, _ = rig("{cc: 1, param: strength}", strength=level, bias=level)
    ctl.state.input = "clip.mp4"
    status = ctl.describe()
    assert f"| strength {read} |" in status
    assert (f"| bias {read} |" in status) == (level != 1.0), status


def fine_first(coarse_cc, raw, channel=0):
    """A 14-bit CC pair's two messages for `raw`, fine half first, as some controllers send them."""
    return pair(coarse_cc, raw, channel)[::-1]


def test_a_knobs_fine_half_sent_before_any_coarse_half_waits_for_it_and_moves_the_knob_with_it(fake_midi_backend):
    """A knob's first move, its fine half sent first: the fine half was dropped (no step known for it) and the coarse
    half took the knob to its step's start, up to 1/128 of the range off where the fader was, and said so, until
    it moved again."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    said = []
    midi = MidiInput("nanokontrol", router.handle, said.append, poll=0.02)
    midi.start()
    try:
        for msg in fine_first(1, 3 << 7 | 100):
            fake_midi.send(NANO, msg)
        assert wait_for(lambda: ctl.state.strength != 0.0, 60), said
        assert ctl.state.strength == (3 << 7 | 100) / 16383, said
    finally:
        midi.stop()
    assert not any(f"strength {(3 << 7) / 16383:.3f}" in line for line in said), said  # the step's start


def test_a_fine_half_held_for_its_coarse_half_is_forgotten_with_the_rest_after_a_reconnect():
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.0)
    router.handle(cc(33, 100))
    router.forget_buttons()  # unplugged and back: the fine half heard before is stale
    router.handle(cc(1, 0))
    assert ctl.state.strength == 0.0
    router.handle(cc(33, 5))  # a later fine half refines the coarse half before it at once
    assert ctl.state.strength == 5 / 16383


@pytest.mark.parametrize("between", [
    cc(7, 50),  # another knob's
    mido.Message("note_on", note=36, velocity=100),
    mido.Message("note_on", note=36, velocity=0),
    "reload",
], ids=["a knob", "a pad", "a note-off", "a map reloaded"])
def test_a_fine_half_held_for_its_coarse_half_is_dropped_once_anything_comes_between(between):
    """A fine half heard before any coarse half waited for good: the knob's next coarse half, however much later,
    another move's, took it up, up to 1/128 of the range off its step's start."""
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.5)
    router.handle(cc(33, 100))
    if isinstance(between, str):  # "reload"
        router.mapping = rig("{cc: 1, bits: 14, param: strength}")[1].mapping
    else:
        router.handle(between)
    router.handle(cc(1, 64))
    assert ctl.state.strength == (64 << 7) / 16383


def test_of_fine_halves_come_one_after_another_before_a_coarse_half_the_last_moves_the_knob_with_it():
    ctl, router = rig("{cc: 1, bits: 14, param: strength}", strength=0.5)
    for msg in (cc(33, 100), cc(33, 5), cc(1, 64)):
        router.handle(msg)
    assert ctl.state.strength == (64 << 7 | 5) / 16383
