"""vcam midi learn: the port it listens on by default, and controls whose messages no map can read."""
import mido
import pytest


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


def learned_by_count(count, control, values):
    """What `vcam midi learn --count COUNT` on the fake nanoKONTROL2 prints for `values` sent on CC `control`, once
    the count has ended it."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control.midilearn import learn

    nano = "Fake nanoKONTROL2 MIDI 1"
    said, out, stop = [], [], threading.Event()
    thread, errors = in_thread(learn, "nano", out.append, said.append, count, stop, 0.02)
    try:
        assert wait_for(lambda: f"MIDI: listening on {nano}" in said, 30), said
        for value in values:
            fake_midi.send(nano, cc(control, value))
        thread.join(30)
        ended = not thread.is_alive()  # by --count
    finally:
        stop.set()
    thread.join(30)
    assert ended and errors == []
    return out


def test_learn_listens_on_the_controller_not_on_alsas_midi_through(monkeypatch):
    from vcam.control import midilearn

    said = []
    monkeypatch.setattr(midilearn, "input_names", lambda: ["Midi Through:Midi Through Port-0 14:0",
                                                           "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0"])
    assert midilearn.default_port(said.append) == "nanoKONTROL2:nanoKONTROL2 MIDI 1" and said == []
    monkeypatch.setattr(midilearn, "input_names", lambda: ["Midi Through:Midi Through Port-0 14:0"])
    assert midilearn.default_port(said.append) == "Midi Through:Midi Through Port-0"  # nothing else: at least that


@pytest.mark.parametrize("loopback", ["Midi Through:Midi Through Port-0 14:0", "IAC Driver Bus 1", "loopMIDI Port"])
def test_learn_with_a_loopback_port_alone_says_no_controller_is_plugged_in(monkeypatch, loopback):
    """macOS's IAC bus with no controller was listened to without a word (Linux's Midi Through alone was said), and
    listed before a controller it was listened to instead of the controller."""
    from vcam.control import midilearn

    said = []
    monkeypatch.setattr(midilearn, "input_names", lambda: [loopback])
    midilearn.default_port(said.append)
    assert said == [f"no MIDI controller is plugged in: listening on {loopback}, which passes on only what another "
                    "program sends it; plug the controller in and run vcam midi learn again, or run vcam midi learn "
                    "--midi NAME (part of its name) to wait for it"]
    monkeypatch.setattr(midilearn, "input_names", lambda: [loopback, "MIDI Mix"])
    assert midilearn.default_port(said.append) == "MIDI Mix" and len(said) == 1


def test_learn_without_a_name_and_without_any_input_says_to_plug_the_controller_in(monkeypatch):
    """It said "no MIDI input matches ''", of a name nobody gave, and to pass part of one of no names to --midi."""
    from vcam.control import midilearn
    from vcam.errors import VcamError

    monkeypatch.setattr(midilearn, "input_names", lambda: [])
    with pytest.raises(VcamError) as refused:
        midilearn.default_port(print)
    assert refused.value.message == "no MIDI input here: is the controller plugged in?"
    assert refused.value.fix == ("plug it in and run vcam midi learn again, or run vcam midi learn --midi NAME (part "
                                 "of its name) to wait for it")


def test_learn_gives_an_nrpn_controls_line_instead_of_offering_its_ccs():
    """An NRPN knob sends CC 99 and 98 (its number) then 6 and 38 (its value): learn offered `cc: 6, param: blend`,
    which every NRPN control of the controller would move, and guessed at 99 and 98; then said no map could read
    it. It is one knob of 14 bits, said as the nrpn it is."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = []
    for value in range(0, 40, 4):
        for control, v in ((99, 1), (98, 2), (6, value), (38, 127 - value)):
            lines += learner.feed(cc(control, v, channel=2), value / 100)
    lines += learner.due()
    assert len(lines) == 1 and lines[0].endswith("- {nrpn: 130, param: blend, channel: 3}    # an NRPN knob or fader "
                                                 "(CC 99/98 its number, CC 6/38 its value)"), lines
    # on a channel where no parameter was picked, CC 6 is a knob like any other
    assert learner.feed(cc(6, 5, channel=0), 1.0) == [] and learner.feed(cc(6, 9, channel=0), 1.1) != []


def test_learn_gives_a_7_bit_nrpn_its_bits_and_says_an_rpn_is_no_knob():
    """An NRPN whose value comes on CC 6 alone tops out at 127 of 16383 read as 14 bits: its line says bits: 7. An
    RPN (101/100) is an instrument's setting: said once, with no line to paste."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = []
    for value in (10, 20, 30):
        for control, v in ((99, 0), (98, 7), (6, value)):
            lines += learner.feed(cc(control, v), 0.0)
    for value in (10, 20):
        for control, v in ((101, 0), (100, 0), (6, value)):
            lines += learner.feed(cc(control, v), 0.0)
    lines += learner.due()
    assert len(lines) == 2 and "- {nrpn: 7, bits: 7, param: blend, channel: 1}" in lines[0], lines
    assert "# RPN (CC 101/100 pick an instrument setting" in lines[1], lines


def test_learn_says_an_nrpn_stepped_with_data_increment_is_not_read_once_with_what_to_set():
    """An encoder that steps its NRPN with CC 96/97 was learnt as nothing at all."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = []
    for control, v in ((99, 1), (98, 2), (96, 0), (96, 0), (97, 0), (99, 1), (98, 2), (96, 0)):
        lines += learner.feed(cc(control, v, channel=2), 0.0)
    lines += learner.due()
    assert len(lines) == 1 and lines[0].endswith("# NRPN 130 on channel 3 steps with CC 96/97 (data increment/"
                                                 "decrement), which a map does not read; set this control to send "
                                                 "its value (CC 6/38) in the controller's editor and move it again"), \
        lines


def test_learn_gives_a_14_bit_cc_pair_one_line_and_leaves_a_button_under_a_fader_alone():
    """A 14-bit fader sends its coarse half on CC 1 and its fine half on CC 33 straight after: learn said two knobs,
    the second of which jumps through every step of the first. A nanoKONTROL2's S button (CC 32) pressed straight
    after its fader (CC 0) moved is still a button."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = []
    for raw in range(8000, 8400, 37):
        lines += learner.feed(cc(1, raw >> 7), 0.0) + learner.feed(cc(33, raw & 127), 0.0)
    lines += learner.due()
    assert len(lines) == 1 and "- {cc: 1, bits: 14, param: blend, channel: 1}    # a 14-bit knob or fader (coarse " \
                               "on CC 1, fine on CC 33)" in lines[0], lines
    lines = []
    for raw in range(8200, 8300, 9):  # moved slowly: the coarse half repeats, as a button's value does
        lines += learner.feed(cc(3, raw >> 7), 0.5) + learner.feed(cc(35, raw & 127), 0.5)
    lines += learner.due()
    assert len(lines) == 1 and "- {cc: 3, bits: 14, param: blend, channel: 1}" in lines[0], lines
    lines = []
    for i in range(3):
        lines += learner.feed(cc(0, 10 + i), 1.0) + learner.feed(cc(32, 127), 1.0) + learner.feed(cc(32, 0), 1.0)
    assert any("- {cc: 32, command: next, channel: 1}" in line for line in lines), lines
    assert any("- {cc: 0, param: blend, channel: 1}" in line for line in lines), lines
    assert not any("bits" in line for line in lines), lines


def test_learn_waits_for_a_controller_plugged_in_after_it_started(fake_midi_backend):
    """`vcam midi learn --midi launchpad` before the Launchpad was plugged in was refused, where a show waits."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control.midilearn import learn

    late, said, out, stop = "Fake Launchpad Mini", [], [], threading.Event()
    try:
        thread, errors = in_thread(learn, "launchpad", out.append, said.append, None, stop, 0.02)
        assert wait_for(lambda: any(s.startswith("waiting for MIDI input 'launchpad'") for s in said))
        fake_midi.plug(late)
        assert wait_for(lambda: f"MIDI: listening on {late}" in said, 30), said
        for value in (10, 14, 18, 22):
            fake_midi.send(late, cc(16, value))
        assert wait_for(lambda: any("cc: 16" in line for line in out), 30), (out, said)
    finally:
        stop.set()
        fake_midi.unplug(late)
    thread.join(30)
    assert not thread.is_alive() and errors == []


def test_learn_says_an_unplugged_controller_is_waited_for_without_a_show_going_on(fake_midi_backend):
    """`vcam midi learn` runs no show: its unplug line said "the show goes on"."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control.midilearn import learn

    nano = "Fake nanoKONTROL2 MIDI 1"
    said, out, stop = [], [], threading.Event()
    thread, errors = in_thread(learn, "nano", out.append, said.append, None, stop, 0.02)
    try:
        assert wait_for(lambda: f"MIDI: listening on {nano}" in said, 30), said
        fake_midi.unplug(nano)
        assert wait_for(lambda: any("unplugged" in s for s in said), 30), said
        fake_midi.plug(nano)
        assert wait_for(lambda: f"MIDI controller {nano} is back" in said, 30), said
    finally:
        stop.set()
    thread.join(30)
    assert not thread.is_alive() and errors == []
    [unplugged] = [s for s in said if "unplugged" in s]
    assert unplugged == (f"MIDI controller {nano} unplugged; waiting for it (plug it back in to go on learning; what "
                         "was learnt stays)")


def test_learn_says_once_that_a_pitch_wheel_or_pressure_is_not_read_and_counts_none_of_it(fake_midi_backend):
    """A pitch wheel or a touch strip moved in `vcam midi learn` printed nothing at all, as if the controller were
    dead: it is said once per kind and channel, with what to do; --count still counts controls alone."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control.midilearn import learn

    nano = "Fake nanoKONTROL2 MIDI 1"
    said, out, stop = [], [], threading.Event()
    thread, errors = in_thread(learn, "nano", out.append, said.append, 2, stop, 0.02)
    try:
        assert wait_for(lambda: f"MIDI: listening on {nano}" in said, 30), said
        for pitch in range(-8000, 8000, 1000):
            fake_midi.send(nano, mido.Message("pitchwheel", pitch=pitch, channel=1))
        fake_midi.send(nano, mido.Message("aftertouch", value=30))
        fake_midi.send(nano, mido.Message("aftertouch", value=40))
        for control in (41, 42):
            fake_midi.send(nano, cc(control, 127))
            fake_midi.send(nano, cc(control, 0))
        thread.join(30)
        ended = not thread.is_alive()  # by --count, the wheel and the pressure not counted
    finally:
        stop.set()
    thread.join(30)
    assert ended and errors == []
    notes = [line.split("# ", 1)[1] for line in out if "a map reads" in line]
    assert notes == ["pitch bend on channel 2: a map reads CCs, NRPNs, notes and program changes, not this; set this "
                     "control to send a CC in the controller's editor, or map another",
                     "channel pressure (aftertouch) on channel 1: a map reads CCs, NRPNs, notes and program changes, "
                     "not this; set this control to send a CC in the controller's editor, or map another"], out
    assert any("{cc: 41, command: next, channel: 1}" in line for line in out), out  # a button, counted once


def test_learn_shows_each_message_with_the_channel_the_map_line_beside_it_takes():
    """The message learnt was printed as mido has it, channel=2 beside the line's `channel: 3`: copying the first set
    the map a channel off, and that knob did nothing. Both count from 1, as the controller's settings do."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = learner.feed(cc(16, 10, channel=2), 0.0) + learner.feed(cc(16, 20, channel=2), 0.1)
    lines += learner.feed(mido.Message("note_on", note=36, velocity=100, channel=9), 0.2)
    lines += learner.feed(mido.Message("program_change", program=4, channel=15), 0.3)
    shown = [line.split(" - ")[0].rstrip() for line in lines]
    assert shown == ["control_change channel=3 control=16 value=20", "note_on channel=10 note=36 velocity=100",
                     "program_change channel=16 program=4"], lines
    assert [line.rsplit("channel: ", 1)[1][:2] for line in lines] == ["3}", "10", "16"], lines


def test_learn_says_the_preset_a_program_change_selects_beside_its_number_counted_from_0():
    """`program_change channel=2 program=0` stood beside a map line with no word of which preset it selects: beside a
    channel counted from 1, program 0 read as counted from 1 too, and the operator's preset 1 as program 1."""
    from vcam.control.midilearn import Learner

    for program, preset in ((0, 1), (4, 5), (127, 128)):
        line, = Learner().feed(mido.Message("program_change", program=program, channel=1), 0.0)
        assert line.startswith(f"program_change channel=2 program={program} ")
        assert line.endswith(f"# program change: program={program} selects preset {preset} (program N, counted from 0 "
                             "as MIDI sends it, selects preset N+1)"), line


def test_a_midi_message_that_fails_is_said_with_its_channel_counted_from_1(fake_midi_backend):
    """A knob's command that failed was said with mido's channel (0 for channel 1) where every other line and the
    map count from 1."""
    import fake_midi
    from helpers import wait_for
    from vcam.control.midiinput import MidiInput

    def failing(msg):
        raise RuntimeError("the controller is closed")

    said = []
    midi = MidiInput("nano", failing, said.append, poll=0.02)
    midi.start()
    try:
        fake_midi.send("Fake nanoKONTROL2 MIDI 1", cc(7, 64, channel=0))
        assert wait_for(lambda: any(s.startswith("error: MIDI") for s in said), 30), said
    finally:
        midi.stop()
    assert "error: MIDI control_change channel=1 control=7 value=64: " in [s for s in said if "error" in s][0], said


def test_learn_count_takes_a_buttons_press_and_release_as_one_as_it_does_a_pads(fake_midi_backend):
    """--count 2 with two CC buttons pressed ended on the first button's release, the second never said: its 0
    was counted as a message of a control of its own, where a pad's note off counts for nothing."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control.midilearn import learn

    nano = "Fake nanoKONTROL2 MIDI 1"
    said, out, stop = [], [], threading.Event()
    thread, errors = in_thread(learn, "nano", out.append, said.append, 2, stop, 0.02)
    try:
        assert wait_for(lambda: f"MIDI: listening on {nano}" in said, 30), said
        for control in (41, 42):
            fake_midi.send(nano, cc(control, 127))
            fake_midi.send(nano, cc(control, 0))
        thread.join(30)
        ended = not thread.is_alive()  # by --count
    finally:
        stop.set()
    thread.join(30)
    assert ended and errors == []
    assert [line[line.index("- {"):line.index("}") + 1] for line in out] == [
        "- {cc: 41, command: next, channel: 1}", "- {cc: 42, command: next, channel: 1}"], out


def test_learn_count_never_counts_a_0_straight_after_its_own_press_so_a_toggle_counts_once_per_on_and_off():
    """A nanoKONTROL2 button set to toggle sends 127 at one press and 0 at the next; a momentary one 127 and 0 at
    one press. Either 0 straight after its own 127 is not counted, however late; any other 0 is a press."""
    from vcam.control.midilearn import Presses

    presses = Presses()
    assert not presses.released(cc(41, 127))
    assert presses.released(cc(41, 0))  # a momentary button let go
    assert not presses.released(cc(44, 127))
    assert not presses.released(cc(16, 64))  # another control between: not its own
    assert presses.released(cc(44, 0))  # a toggle's off-press: the pair counts once
    assert not presses.released(cc(42, 0))  # a 0 with no press before it
    # the release is the press's once: a 0 after it is a press again; another channel's 0 is another control's
    assert not presses.released(cc(43, 127))
    assert not presses.released(cc(43, 0, channel=1))
    assert presses.released(cc(43, 0))
    assert not presses.released(cc(43, 0))
    assert not presses.released(cc(45, 127))
    assert not presses.released(cc(45, 30))  # a knob turned down through the middle: its 0 is a move
    assert not presses.released(cc(45, 0))
    assert not presses.released(mido.Message("note_off", note=36))  # a pad's, never counted in the first place


def test_learn_count_takes_a_shift_buttons_release_as_one_with_its_press_and_later_holds_too():
    """A momentary button held as a shift (41 down, 42 tapped, 41 let go two seconds later) had its release counted
    as a press of its own, and so had every later long hold's: --count ended before the user's next control."""
    from vcam.control.midilearn import Presses

    presses = Presses()
    chord = [cc(41, 127), cc(42, 127), cc(42, 0), cc(41, 0)]
    holds = [cc(41, 127), cc(41, 0), cc(41, 127), cc(41, 0)]
    assert [presses.released(msg) for msg in chord + holds] == [False, False, True, True] + [False, True] * 2


def test_learns_rpn_note_names_every_kind_a_map_reads_as_the_wheels_note_does():
    """An RPN's note said a map reads "CCs, NRPNs and notes", leaving out program changes, which a map's
    `program: presets` reads, and the pitch bend's note names."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = [line for control, v in ((101, 0), (100, 0), (6, 2)) for line in learner.feed(cc(control, v), 0.0)]
    lines += learner.feed(mido.Message("pitchwheel", pitch=100), 0.0)
    reads = [line.split("a map reads ", 1)[1].split(";")[0].split(", not this")[0] for line in lines]
    assert len(reads) == 2 and reads[0] == reads[1] == "CCs, NRPNs, notes and program changes", lines


def test_learn_says_a_held_pads_pressure_is_the_pads_own_and_needs_nothing_set():
    """A pad pressed firmly sends its note, then its pressure while held: learn said the pad's line, then that the
    pressure is not read and to set "this control" to send a CC, as if the pad just learnt could not be mapped. A
    pressure with no key held (a touch strip's) is still said so."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = learner.feed(mido.Message("note_on", note=36, velocity=90, channel=9), 0.0)
    for msg in (mido.Message("polytouch", note=36, value=40, channel=9),
                mido.Message("aftertouch", value=30, channel=9), mido.Message("note_off", note=36, channel=9),
                mido.Message("aftertouch", value=30, channel=9)):
        lines += learner.feed(msg, 0.0)
    notes = [line.split("# ", 1)[1] for line in lines]
    assert notes[0].startswith("a pad or key") and len(notes) == 4, lines
    for held in notes[1:3]:
        assert "note 36's line above" in held and "set this control" not in held, held
    assert notes[3].startswith("channel pressure (aftertouch) on channel 10: a map reads") and \
        "set this control to send a CC" in notes[3], notes[3]


def test_learn_without_a_name_beside_two_controllers_says_which_it_learns_from_and_how_to_pick_the_other(monkeypatch):
    """The first was listened to with no word of the second, whose knobs then printed nothing."""
    from vcam.control import midilearn

    said = []
    monkeypatch.setattr(midilearn, "input_names", lambda: ["Midi Through:Midi Through Port-0 14:0", "MIDI Mix 24:0",
                                                           "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0"])
    assert midilearn.default_port(said.append) == "MIDI Mix"
    assert said == ["MIDI: 2 MIDI inputs are plugged in (MIDI Mix 24:0, nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0; one "
                    "controller may have more than one): learning from the first, MIDI Mix 24:0; vcam midi learn "
                    "--midi NAME (part of its name) learns from another"]


@pytest.mark.parametrize("ports", [["APC mini mk2:APC mini mk2 APC mini mk2 Contr 28:0",
                                    "APC mini mk2:APC mini mk2 APC mini mk2 Notes 28:1"],
                                   ["LPX DAW In", "LPX MIDI In"]])
def test_learn_beside_one_controllers_two_ports_says_two_inputs_not_two_controllers(monkeypatch, ports):
    """An APC mini mk2 (its Control and Notes ports) or a Launchpad X (DAW and MIDI ports) alone was said to be 2
    controllers plugged in."""
    from vcam.control import midilearn

    said = []
    monkeypatch.setattr(midilearn, "input_names", lambda: ports)
    midilearn.default_port(said.append)
    assert len(said) == 1 and said[0].startswith("MIDI: 2 MIDI inputs are plugged in (") and \
        "controllers are" not in said[0], said


@pytest.mark.parametrize("beat", [mido.Message("clock"), mido.Message("start"), mido.Message("stop"),
                                  mido.Message("continue"), mido.Message("songpos", pos=16),
                                  mido.Message("active_sensing")])
def test_learn_says_a_fader_pushed_fast_from_0_once_as_a_knob_with_midi_clock_running_between_its_values(beat):
    """A drum machine's clock (24 a beat) or a controller's active sensing came between a fader's 0, 127 and next
    value: the fader was said a button at the beat, then said again a knob."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    msgs = [cc(0, 0), beat, cc(0, 127), beat, beat, cc(0, 120), beat]
    lines = [line for t, msg in enumerate(msgs) for line in learner.feed(msg, t * 0.001)] + learner.due()
    assert len(lines) == 1 and "{cc: 0, param: blend" in lines[0] and "a knob or fader" in lines[0], lines
    # another control touched meanwhile still has the press said a button, before its own line
    learner = Learner()
    msgs = [cc(41, 0), cc(41, 127), beat, mido.Message("note_on", note=36, velocity=100)]
    lines = [line for t, msg in enumerate(msgs) for line in learner.feed(msg, t * 0.001)]
    assert ["command: next" in line and key in line for line, key in zip(lines, ("{cc: 41", "{note: 36"))] == [
        True, True], lines


def test_learn_says_a_press_from_0_and_a_guess_while_midi_clock_keeps_coming(fake_midi_backend, monkeypatch):
    """A drum machine's clock never left the inbox quiet: a button pressed from 0 and a knob nudged once were said
    only once the clock stopped."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control import midilearn

    monkeypatch.setattr(midilearn, "QUIET", 0.05)
    nano = "Fake nanoKONTROL2 MIDI 1"
    said, out, stop, beats = [], [], threading.Event(), threading.Event()
    thread, errors = in_thread(midilearn.learn, "nano", out.append, said.append, None, stop, 0.02)

    def clock():
        while not beats.wait(0.005):  # 24 a beat at 120 bpm is one each 21 ms: the inbox is never left quiet
            fake_midi.send(nano, mido.Message("clock"))

    clocked = threading.Thread(target=clock)
    try:
        assert wait_for(lambda: f"MIDI: listening on {nano}" in said, 30), said
        clocked.start()
        for msg in (cc(41, 0), cc(41, 127), cc(16, 40)):
            fake_midi.send(nano, msg)
        assert wait_for(lambda: len(out) >= 2, 10) and clocked.is_alive(), out
    finally:
        beats.set()
        stop.set()
    thread.join(30)
    clocked.join(30)
    assert not thread.is_alive() and errors == []
    assert "{cc: 41, command: next" in out[0] and "# a button (" in out[0], out
    assert "{cc: 16, param: blend" in out[1] and "a knob? one value (40)" in out[1], out


def test_learn_count_running_out_on_a_fader_pushed_fast_from_0_waits_for_its_next_value(fake_midi_backend):
    """--count 2 ended on a fader's 0 and 127 (pushed fast from the bottom) and said it a button, its next value
    never read; a button's press from 0 with nothing after it is still said a button."""
    for values, said_as in (((0, 127, 120, 90), "{cc: 0, param: blend, channel: 1}    # a knob or fader"),
                            ((0, 127), "{cc: 0, command: next, channel: 1}    # a button")):
        out = learned_by_count(2, 0, values)
        assert len(out) == 1 and said_as in out[0], out


def test_learn_with_a_port_name_typed_wrong_says_it_is_not_there_with_the_name_meant_and_waits(fake_midi_backend):
    """`vcam midi learn --midi midimixx` said "waiting for MIDI input 'midimixx' ...; plug it in" and then "move a
    knob or press a button", as if it listened, with no word of the MIDI Mix plugged in all along; "move a knob"
    waits for the input to open."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control.midilearn import MOVE, learn

    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.update({"Midi Through:Midi Through Port-0 14:0", "MIDI Mix:MIDI Mix MIDI 1 24:0"})
    said, out, stop = [], [], threading.Event()
    thread, errors = in_thread(learn, "midimixx", out.append, said.append, None, stop, 0.02)
    try:
        assert wait_for(lambda: said, 30)
        assert said == ["waiting for MIDI input 'midimixx', which is not plugged in (inputs now: MIDI Mix:MIDI Mix "
                        "MIDI 1 24:0, Midi Through:Midi Through Port-0 14:0): did you mean 'MIDI Mix'? run vcam midi "
                        "learn --midi 'MIDI Mix'; else plug it in, and learning starts when it comes (Ctrl-C to "
                        "stop)"], said
        fake_midi.plug("MIDImixx")  # plugged in after all: opened, and only then "move a knob"
        assert wait_for(lambda: MOVE in said, 30), said
        assert said[1:] == ["MIDI input MIDImixx connected", "MIDI: listening on MIDImixx", MOVE], said
    finally:
        stop.set()
    thread.join(30)
    assert not thread.is_alive() and errors == []


def test_learn_with_a_port_not_plugged_in_says_so_and_how_to_pick_another(fake_midi_backend):
    from vcam.control.midilearn import learn_waiting_line

    assert learn_waiting_line("launchpad", ["Fake MIDImix"]) == (
        "waiting for MIDI input 'launchpad', which is not plugged in (inputs now: Fake MIDImix): plug it in, and "
        "learning starts when it comes (Ctrl-C to stop), or run vcam midi learn --midi NAME with part of one of those "
        "names")
    # no input at all: no names to pick from
    assert learn_waiting_line("launchpad", []) == (
        "waiting for MIDI input 'launchpad', which is not plugged in (inputs now: none): plug it in, and learning "
        "starts when it comes (Ctrl-C to stop)")


def test_learn_offers_a_name_meant_with_an_apostrophe_as_it_pastes():
    """'Dave's Pads' was offered as --midi 'Dave'"'"'s Pads', as no one types it."""
    from vcam.control.midilearn import learn_waiting_line

    said = learn_waiting_line("daves pad", ["Dave's Pads:Dave's Pads MIDI 1 20:0"])
    assert """run vcam midi learn --midi "Dave's Pads"; else plug it in""" in said, said


@pytest.mark.parametrize("values, said_as", [((64, 66, 70), "{cc: 16, param: blend, channel: 1}    # a knob or fader"),
                                             ((127, 0), "{cc: 16, command: next, channel: 1}    # a button (")])
def test_learn_count_1_says_the_control_for_what_its_next_value_shows_not_a_guess(fake_midi_backend, values, said_as):
    """`vcam midi learn --count 1` ended on a knob's first value and on a button's press, and guessed each from that
    one value ("a knob? one value (64) so far"), though the knob's next step and the button's release came at once."""
    out = learned_by_count(1, 16, values)
    assert len(out) == 1 and said_as in out[0], out


def test_learn_with_midi_none_says_learn_listens_on_an_input_and_how_to_pick_one():
    """`vcam midi learn --midi none` (a show's word for no input) waited for an input named 'none', saying "plug it
    in"; then said the word was vcam run's alone, where vcam serve and vcam cam take it too."""
    from vcam.control.midilearn import learn_waiting_line

    assert learn_waiting_line("None", ["Fake MIDImix"]) == (
        "waiting for MIDI input 'None', which is not plugged in (inputs now: Fake MIDImix): --midi none opens no input "
        "for vcam run, vcam serve or vcam cam, but vcam midi learn listens on one: leave --midi out to learn from the "
        "first controller, or name one (Ctrl-C to stop)")


def test_learn_offers_a_port_meant_that_starts_with_a_dash_as_a_flag_it_takes():
    """"did you mean '-Drum_Pads-'? run vcam midi learn --midi -Drum_Pads-": refused, taken for an option."""
    import re
    import shlex

    from vcam.cmdline.parser import build_parser
    from vcam.control.midilearn import learn_waiting_line

    said = learn_waiting_line("drumpadz", ["-Drum_Pads-"])
    flag = re.search(r"run vcam midi learn (.*); else plug it in", said).group(1)
    assert build_parser().parse_args(["midi", "learn", *shlex.split(flag)]).midi == "-Drum_Pads-", said
