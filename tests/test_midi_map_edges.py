"""A MIDI map's edges: the first and last numbers a cc, note, nrpn or channel takes, a note's name at MIDI's ends,
a 14-bit pair's halves, and which entry a control on a channel drives. Each is what a controller's manual or a
map's line makes the operator expect."""
import pytest

from helpers import map_refusal
from vcam.control.midimap import Button, Knob, MidiMap, load_map, note_named


def loaded(tmp_path, *entries: str) -> MidiMap:
    path = tmp_path / "map.yaml"
    path.write_text("controls:\n" + "".join(f"  - {e}\n" for e in entries))
    return load_map(path)


@pytest.mark.parametrize("name, said", [
    ("G9", "G9 is a note's name; write its number: 127 (where middle C is C4)"),  # MIDI's last note, one way
    ("C-1", "C-1 is a note's name; write its number: 0 (where middle C is C4) or 12 (where middle C is C3"),
    ("E♭3", "E♭3 is a note's name; write its number: 51 (where middle C is C4) or 63"),
    ("F♯3", "F♯3 is a note's name; write its number: 54 (where middle C is C4) or 66"),
    ("B3", "B3 is a note's name; write its number: 59 (where middle C is C4) or 71"),
])
def test_a_note_named_at_midis_ends_or_with_a_flat_sign_is_said_with_its_number(name, said):
    assert note_named(name).startswith(said)


def test_a_note_named_one_past_midis_last_is_said_to_be_past_midis_notes():
    assert note_named("G#9") == "G#9 is past MIDI's notes; write the note's number, from 0 to 127"
    assert "or" not in note_named("G9").partition("write its number:")[2]  # 139, the other way, is past them


@pytest.mark.parametrize("entry", ["{cc: 0, param: blend}", "{cc: 127, command: next}", "{note: 0, command: next}",
                                   "{note: 127, command: next}", "{nrpn: 0, param: blend}",
                                   "{nrpn: 16383, param: blend}"])
def test_the_first_and_last_numbers_midi_sends_bind(tmp_path, entry):
    mapping = loaded(tmp_path, entry)
    assert len(mapping.knobs) + len(mapping.buttons) == 1


@pytest.mark.parametrize("entry, said", [
    ("{cc: 128, command: next}", "cc 128 is out of range (0 to 127)"),
    ("{note: 128, command: next}", "note 128 is out of range (0 to 127)"),
    ("{nrpn: 16384, param: blend}", "nrpn 16384 is out of range (0 to 16383)"),
    ("{cc: 16, param: blend, channel: 17}", "channel 17 is out of range (1 to 16)"),
    ("{cc: 16, param: blend, channel: 0}", "channel 0 is out of range (1 to 16)"),
])
def test_a_number_one_past_what_midi_sends_is_refused(tmp_path, entry, said):
    assert said in map_refusal(tmp_path, f"- {entry}")[1]


@pytest.mark.parametrize("written", ["any", "Omni", "1-16", "1 - 16", "'*'", "null", "", "all"])
def test_a_channel_written_as_every_channel_is_told_to_be_left_out(tmp_path, written):
    """The map's comments say channel's default is any: `channel: any` was told only that it must be a number."""
    problem = map_refusal(tmp_path, f"- {{cc: 16, param: blend, channel: {written}}}")[1]
    assert problem.endswith("channel must be a whole number from 1 to 16; for every channel, leave channel out (it is "
                            "the default)"), problem
    # a light is sent on one channel: left out, it is the button's
    lit = map_refusal(tmp_path, f"- {{cc: 16, command: next, light: {{velocity: 127, channel: {written}}}}}")[1]
    assert lit.endswith("light channel must be a whole number from 1 to 16; leave it out: the button's channel "
                        "(channel 1 for a button on any)"), lit


def test_a_control_written_on_every_channel_under_a_maps_own_channel_is_told_to_take_the_maps_off(tmp_path):
    """Under `channel: 10` for the whole map, an entry told to leave its channel out for every channel got channel
    10."""
    from vcam.control.midimap import load_map
    from vcam.control.yamlproblems import ConfigError

    path = tmp_path / "map.yaml"
    path.write_text("channel: 10\ncontrols:\n  - {cc: 16, param: blend, channel: any}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert err.value.problems == [f"{path}:3: MIDI map control 1 channel must be a whole number from 1 to 16; left "
                                  "out, it is the map's channel: 10, which applies to controls without their own; for "
                                  "every channel, take channel: 10 off the map"]


def test_channel_1_in_a_map_is_the_first_midi_channel(tmp_path):
    mapping = loaded(tmp_path, "{cc: 16, param: blend, channel: 1}", "{cc: 17, command: next, channel: 16}")
    assert isinstance(mapping.control(0, cc=16), Knob) and mapping.control(1, cc=16) is None
    assert isinstance(mapping.control(15, cc=17), Button) and mapping.control(14, cc=17) is None


@pytest.mark.parametrize("entry, fix", [
    ("{cc: 32, bits: 14, param: blend}", ": cc 32 is the fine half of cc 0, so write cc: 0"),
    ("{cc: 63, bits: 14, param: blend}", ": cc 63 is the fine half of cc 31, so write cc: 31"),
    ("{cc: 64, bits: 14, param: blend}", ""),  # no pair's fine half: no cc to write instead
])
def test_a_14_bit_cc_past_the_coarse_halves_is_refused_with_the_coarse_cc_where_there_is_one(tmp_path, entry, fix):
    problem = map_refusal(tmp_path, f"- {entry}")[1]
    assert problem.endswith(f"a 14-bit pair is cc 0-31 (coarse) and cc + 32 (fine){fix}")


def test_cc_31_is_the_last_coarse_half_of_a_14_bit_pair(tmp_path):
    knob = loaded(tmp_path, "{cc: 31, bits: 14, param: blend}").knobs[0]
    assert knob.fine_cc == 63


def test_a_knob_on_a_14_bit_pairs_fine_cc_clashes_with_the_pair(tmp_path):
    problem = map_refusal(tmp_path, "- {cc: 1, bits: 14, param: blend}\n  - {cc: 33, command: next}")[1]
    assert "cc 33 is control 1's already" in problem


def test_a_7_bit_knob_leaves_the_cc_32_up_to_another_control(tmp_path):
    mapping = loaded(tmp_path, "{cc: 1, param: blend}", "{cc: 33, command: next}")
    assert isinstance(mapping.control(None, cc=33), Button)


@pytest.mark.parametrize("entry, said", [
    ("{note: 36, bits: 14, param: blend}", "bits is for a knob's cc or nrpn, not a note"),
    ("{cc: 41, bits: 7, command: next}", "bits is for a knob or fader (param), not a button's command"),
])
def test_bits_on_a_note_or_a_button_is_refused_as_such(tmp_path, entry, said):
    assert said in map_refusal(tmp_path, f"- {entry}")[1]


@pytest.mark.parametrize("entry, said", [
    ("{cc: 41, command: next, toggle: yes please}", "control 1 toggle must be true or false"),
    ("{cc: 16, param: blend, toggle: true}", "control 1: toggle is for a button (command:) on a cc, not a knob or "
                                             "fader"),
    ("{note: 36, command: next, toggle: true}", "control 1: toggle is for a button on a cc; a pad set to toggle sends "
                                                "its note's release on every other press, which no map reads: set the "
                                                "pad to momentary in the controller's editor"),
    ("{program: presets, toggle: true}", "control 1: toggle is for a button (command:) on a cc; remove it here"),
])
def test_toggle_is_refused_where_it_cannot_act(tmp_path, entry, said):
    assert said in map_refusal(tmp_path, f"- {entry}")[1]


def test_toggle_false_is_a_plain_button(tmp_path):
    assert loaded(tmp_path, "{cc: 41, command: next, toggle: false}").buttons[0].toggle is False
    assert loaded(tmp_path, "{note: 36, command: next, toggle: false}").buttons[0].toggle is False


def test_an_entry_with_no_control_is_told_to_give_one(tmp_path):
    assert "give exactly one of cc, note, nrpn or program" in map_refusal(tmp_path, "- {param: blend}")[1]


def test_program_change_takes_only_presets(tmp_path):
    assert "program takes the value 'presets'" in map_refusal(tmp_path, "- {program: scenes}")[1]


def test_program_change_on_a_channel_selects_presets_there_alone(tmp_path):
    mapping = loaded(tmp_path, "{program: presets, channel: 10}")
    assert mapping.program_listens(9) and not mapping.program_listens(0) and not mapping.program_listens(None)
    assert loaded(tmp_path, "{program: presets}").program_listens(3)


def test_two_controls_on_one_cc_and_channel_are_refused_and_on_two_channels_both_bind(tmp_path):
    assert "cc 16 is control 1's already" in map_refusal(
        tmp_path, "- {cc: 16, param: blend, channel: 2}\n  - {cc: 16, command: next, channel: 2}")[1]
    mapping = loaded(tmp_path, "{cc: 16, param: blend, channel: 2}", "{cc: 16, command: next, channel: 3}")
    assert isinstance(mapping.control(1, cc=16), Knob) and isinstance(mapping.control(2, cc=16), Button)
    # one on any channel first takes every channel: a second on channel 3 would never act
    assert "cc 16 is control 1's already" in map_refusal(
        tmp_path, "- {cc: 16, param: blend}\n  - {cc: 16, command: next, channel: 3}")[1]


def test_a_control_on_a_channel_is_deaf_to_the_others_and_one_on_any_channel_hears_them_all(tmp_path):
    mapping = loaded(tmp_path, "{cc: 16, param: blend, channel: 2}", "{cc: 17, command: next}")
    assert mapping.control(0, cc=16) is None and mapping.control(None, cc=16) is None
    assert mapping.control(5, cc=17) is not None and mapping.control(None, cc=17) is not None


def test_a_shows_own_control_wins_over_its_map_files_on_the_same_cc():
    from_file = MidiMap("pads", knobs=(Knob(16, "blend", 0.0, 1.0),))
    own = MidiMap("", buttons=(Button(read("next"), cc=16),))
    merged = from_file.merged(own)
    assert isinstance(merged.control(None, cc=16), Button)
    assert merged.name == "pads"
    assert merged.acting() == ((), own.buttons)  # the file's knob can drive nothing: not counted


def test_a_map_files_knob_on_another_channel_than_the_shows_own_still_counts():
    from_file = MidiMap("pads", knobs=(Knob(16, "blend", 0.0, 1.0, channel=1),))
    own = MidiMap("", buttons=(Button(read("next"), cc=16, channel=2),))
    assert from_file.merged(own).acting() == (from_file.knobs, own.buttons)


def test_a_shows_own_nrpn_knob_shadows_its_map_files_on_the_same_nrpn_and_a_pad_its_note():
    from_file = MidiMap("x", knobs=(Knob(None, "blend", 0.0, 1.0, bits=14, nrpn=300),),
                        buttons=(Button(read("next"), note=36),))
    own = MidiMap("", knobs=(Knob(None, "strength", 0.0, 1.0, bits=14, nrpn=300),),
                  buttons=(Button(read("prev"), note=36),))
    assert from_file.merged(own).acting() == (own.knobs, own.buttons)


def read(line: str):
    from vcam.control.commands import parse

    return parse(line)


@pytest.mark.parametrize("cc", [99, 98, 6, 38, 96, 97])
def test_a_control_on_any_cc_an_nrpn_takes_is_refused_where_an_nrpn_knob_listens(tmp_path, cc):
    path, problem = map_refusal(tmp_path, f"- {{nrpn: 5, param: strength}}\n  - {{cc: {cc}, command: next}}")
    assert problem.startswith(f"{path}:3: MIDI map control 2: cc {cc} carries control 1's NRPN (5)"), problem


def test_a_control_on_an_nrpn_cc_on_any_channel_is_refused_where_an_nrpn_knob_listens_on_one(tmp_path):
    """It would be deaf on the NRPN knob's channel: the router reads CC 6 there as the NRPN's value."""
    problem = map_refusal(tmp_path, "- {nrpn: 5, param: strength, channel: 3}\n  - {cc: 6, command: next}")[1]
    assert "cc 6 carries control 1's NRPN (5)" in problem
    mapping = loaded(tmp_path, "{nrpn: 5, param: strength, channel: 3}", "{cc: 6, command: next, channel: 4}")
    assert len(mapping.buttons) == 1


@pytest.mark.parametrize("entry, said", [
    ("{program: presets, command: next}", "control 1: command is not read on a program entry, which takes only "
                                          "channel beside program: presets (program N selects preset N+1)"),
    ("{program: presets, param: blend, range: [0, 1], channel: 2}", "control 1: param and range are not read on a "
                                                                     "program entry"),
    ("{program: presets, param: blend, range: [0, 1], curve: exp}", "control 1: param, range and curve are not read "
                                                                    "on a program entry"),
])
def test_a_program_entry_with_a_key_it_does_not_read_is_refused_naming_the_key(tmp_path, entry, said):
    """`{program: presets, command: next}` loaded as a program entry alone, its command dropped unsaid: the button
    the operator meant never sent next."""
    assert said in map_refusal(tmp_path, f"- {entry}")[1]


@pytest.mark.parametrize("entry, said", [
    ("{cc: 41, command: next, range: [0, 12]}", "control 2: range is not read on a button (command:), which takes "
                                                "only cc or note, command, channel and toggle: delete range: [0, 12] "
                                                "from this entry"),
    ("{note: 36, command: preset 1, curve: exp, between: [1, 2]}", "control 2: curve and between are not read on "
                                                                   "a button (command:), which takes only cc or note, "
                                                                   "command, channel and toggle: delete curve: exp and "
                                                                   "between: [1, 2] from this entry"),
])
def test_a_button_entry_with_a_knobs_key_is_refused_at_its_line_saying_what_to_delete(tmp_path, entry, said):
    """A button's range, curve or between was dropped unsaid: the operator took the button to be shaped by them."""
    path, problem = map_refusal(tmp_path, f"- {{cc: 16, param: blend}}\n  - {entry}")
    assert problem == f"{path}:3: MIDI map {said}", problem


def test_a_button_entry_written_over_several_lines_is_told_each_key_to_delete(tmp_path):
    path, problem = map_refusal(tmp_path, "- cc: 41\n    command: next\n    range: [0, 12]\n    curve: exp")
    assert problem.startswith(f"{path}:4: ") and problem.endswith("delete range: [0, 12] and curve: exp from this "
                                                                  "entry"), problem


def test_a_button_entrys_knob_key_with_its_value_below_it_is_told_at_the_keys_line_with_its_values_lines(tmp_path):
    """`between:` with its presets on the lines below: told at the value's first item, and "delete between:" left
    those items behind as broken YAML."""
    path, problem = map_refusal(tmp_path, "- cc: 42\n    command: next\n    between:\n      - a\n      - c")
    assert problem.startswith(f"{path}:4: ") and "delete between: with the lines of its value from" in problem, problem


@pytest.mark.parametrize("entry, said", [
    ("{cc: 0, param: Blend}", "param must be one of blend, transition, steps, seed, strength, bias (got 'Blend'); "
                              "write it as blend"),
    ("{cc: 0, param: blend, curve: Linear}",
     "curve must be one of linear, exp, log (got 'Linear'); write it as linear"),
    ("{cc: 0, param: strenght}", "(got 'strenght'); did you mean strength?"),
])
def test_a_param_or_curve_written_capitalised_or_misspelt_is_told_the_word_meant(tmp_path, entry, said):
    """A param written as a controller's UI names it (Blend) was told only the list, as if the word were unknown."""
    assert map_refusal(tmp_path, f"- {entry}")[1].endswith(said)


def test_a_seed_knobs_range_is_said_in_the_digits_a_map_is_written_in(tmp_path):
    """A seed knob's bound was said as 1e+06, which no map has written and an operator may read as 1 or 106."""
    assert map_refusal(tmp_path, "- {cc: 18, param: seed, range: 100}")[1].endswith(
        "range must be [low, high], e.g. [0, 1000000]")
    assert map_refusal(tmp_path, "- {cc: 18, param: seed, range: [0, 2000000]}")[1].endswith(
        "range end 2000000 is out of range (0 to 1000000)")


@pytest.mark.parametrize("entry, again, other, named", [
    ("{cc: 41, command: next}", "- cc: 41\n      command: next", "{cc: 41, command: freeze}", "cc 41"),
    ("{note: 36, command: preset 1, channel: 2}", "- {channel: 2, command: preset 1, note: 36}",
     "{note: 36, command: preset 2, channel: 2}", "note 36 on channel 2"),
    ("{cc: 1, bits: 14, param: blend}", "- {param: blend, bits: 14, cc: 1}", "{cc: 1, bits: 14, param: strength}",
     "cc 1"),
])
def test_the_same_cc_or_note_entry_twice_is_noted_as_the_same_program_entry_twice_is(entry, again, other, named):
    """A copy left from an edit does what the first does: a program entry again was noted, a cc or note entry again
    refused the whole show. Written another way (keys in another order, block style) it is the same entry; another
    entry on the same control is still refused."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    head = "presets: [{name: a, prompt: b}]\nmidi:\n  controls:\n"
    show = parse_show(f"{head}    - {entry}\n    {again}\n", "show.yaml")
    assert show.notes == (f"show.yaml:5: midi control 2 is control 1 again ({named}); it adds nothing: remove one",)
    assert len(show.midi.knobs + show.midi.buttons) == 1
    with pytest.raises(ConfigError, match="control 2: .* is control 1's already: only one of them would act"):
        parse_show(f"{head}    - {entry}\n    - {other}\n", "show.yaml")


@pytest.mark.parametrize("first, second", [("{program: presets}", "{program: presets, channel: 2}"),
                                           ("{program: presets, channel: 2}", "{program: presets, channel: 2}")])
def test_a_second_program_entry_on_a_channel_the_first_takes_is_refused(tmp_path, first, second):
    """A `program: presets` given twice was taken unsaid: a copy left from an edit, or one meant for a channel it
    did not get."""
    if first == second:  # said as a note, not refused (a map file's too: test_midi_maps)
        from vcam.control.show import parse_show

        show = parse_show(f"presets: [{{name: a, prompt: b}}]\nmidi:\n  controls:\n    - {first}\n    - {second}\n",
                          "show.yaml")
        assert show.notes == ("show.yaml:5: midi control 2 is control 1 again (program: presets on channel 2); "
                              "it adds nothing: remove one",), show.notes
        assert show.midi.program_channels == (1,)
        return
    problem = map_refusal(tmp_path, f"- {first}\n  - {second}")[1]
    assert problem.endswith("control 2: control 1 selects presets by program change already, on every channel this "
                            "one listens on; remove one, or give them different channels"), problem


def test_program_entries_on_two_channels_both_select_presets(tmp_path):
    mapping = loaded(tmp_path, "{program: presets, channel: 1}", "{program: presets, channel: 2}")
    assert mapping.program_channels == (0, 1)


def test_a_program_entrys_value_is_checked_before_it_is_taken_for_a_second_one(tmp_path):
    """`{program: banks}` after `{program: presets}` was refused as a second program entry, its value unsaid."""
    assert map_refusal(tmp_path, "- {program: presets}\n  - {program: banks}")[1].endswith(
        "control 2: program takes the value 'presets' (program N selects preset N+1)")


@pytest.mark.parametrize("entry, said", [
    ("{cc: 17, param: steps, range: [1.5, 4]}", "range [1.5, 4]: steps takes whole numbers only; write [1, 4]"),
    ("{cc: 16, param: transition, range: [0, 12.5]}",
     "range [0, 12.5]: transition takes whole numbers only; write [0, 13]"),
    ("{cc: 17, param: steps, range: [1, 7.9]}", "range [1, 7.9]: steps takes whole numbers only; write [1, 8]"),
])
def test_a_fraction_in_a_whole_number_knobs_range_is_refused_with_the_whole_numbers_beside_it(tmp_path, entry, said):
    """A steps knob over [1.5, 4] was rounded unsaid: its bottom gave 2 steps, and 1 was out of its reach."""
    assert map_refusal(tmp_path, f"- {entry}")[1].endswith(f"MIDI map control 1 {said}")


def test_a_whole_number_knobs_range_written_with_a_point_zero_is_taken(tmp_path):
    knob = loaded(tmp_path, "{cc: 17, param: steps, range: [1.0, 4.0]}").knobs[0]
    assert (knob.lo, knob.hi) == (1, 4)


@pytest.mark.parametrize("param, end, said", [
    ("strength", "0.5", "range [0.5, 0.5] gives strength 0.5 wherever the control is; give two different ends, or a "
                        "button for the one value: {cc: 16, command: strength 0.5}"),
    ("steps", "3", "range [3, 3] gives steps 3 wherever the control is; give two different ends, or a button for the "
                   "one value: {cc: 16, command: steps 3}"),
    ("blend", "0", "range [0, 0] gives blend 0 wherever the control is; give two different ends"),
])
def test_a_knob_whose_range_has_one_value_at_both_ends_is_refused(tmp_path, param, end, said):
    """A knob over [0.5, 0.5] moved nothing wherever it was turned, unsaid."""
    assert map_refusal(tmp_path, f"- {{cc: 16, param: {param}, range: [{end}, {end}]}}")[1].endswith(
        f"MIDI map control 1 {said}")


@pytest.mark.parametrize("entry", ["{nrpn: 12, param: steps, range: [3, 3]}",
                                   "{nrpn: 12, bits: 7, param: steps, range: [3, 3]}",
                                   "{cc: 1, bits: 14, param: steps, range: [3, 3]}"])
def test_a_knob_on_an_nrpn_or_a_14_bit_pair_with_equal_ends_is_offered_no_button(tmp_path, entry):
    """A button is on a plain cc or a note alone: one offered on an nrpn or with bits: 14 is refused when pasted."""
    said = map_refusal(tmp_path, f"- {entry}")[1]
    assert said.endswith("MIDI map control 1 range [3, 3] gives steps 3 wherever the control is; give two different "
                         "ends"), said


@pytest.mark.parametrize("param", ["strength", "steps", "transition", "seed", "bias", "blend"])
@pytest.mark.parametrize("section, own", [("midi", "cc: 16"), ("midi", "cc: 16, channel: 3"),
                                          ("osc", "address: /1/fader1")])
def test_the_button_offered_for_a_range_with_equal_ends_loads_when_pasted_into_the_show(tmp_path, param, section, own):
    """The offer was {command: steps 3}, which no control names: pasted, it was refused for want of a cc or an
    address."""
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    end = {"strength": "0.5", "bias": "0.5", "blend": "0"}.get(param, "3")
    show = tmp_path / "show.yaml"

    def written(entry: str) -> None:
        show.write_text(f"presets:\n  - {{name: a, prompt: a}}\n  - {{name: b, prompt: b}}\n{section}:\n"
                        f"  controls:\n    - {entry}\n")

    written(f"{{{own}, param: {param}, range: [{end}, {end}]}}" if param != "blend" else
            f"{{{own}, param: blend, between: [a, b], range: [{end}, {end}]}}")
    with pytest.raises(ConfigError) as refused:
        load_show(show)
    said = str(refused.value)
    assert "wherever the control is; give two different ends" in said, said
    if param == "blend":  # no command sets a blend's position
        assert "a button for" not in said
        return
    offer = said[said.index("a button for the one value: ") + len("a button for the one value: "):].splitlines()[0]
    assert offer.startswith(f"{{{own}, command: "), offer
    written(offer)
    load_show(show)


@pytest.mark.parametrize("param, ends", [("steps", "[1, 1.5]"), ("steps", "[7.5, 8]"), ("steps", "[2.5, 2.5]"),
                                         ("steps", "[8, 1.5]"), ("transition", "[0.2, 31.8]"), ("seed", "[3.5, 4]")])
def test_the_whole_range_offered_for_a_fraction_loads_as_a_knob_that_moves(tmp_path, param, ends):
    """[1, 1.5] was told "write 1 or 2" and [7.5, 8] "write 7 or 8": one of each made equal ends, refused in turn."""
    problem = map_refusal(tmp_path, f"- {{cc: 16, param: {param}, range: {ends}}}")[1]
    offer = problem.partition("; write ")[2]
    assert offer.startswith("[") and offer.endswith("]"), problem
    knob = loaded(tmp_path, f"{{cc: 16, param: {param}, range: {offer}}}").knobs[0]
    a, b = (float(v) for v in ends.strip("[]").split(","))
    assert knob.lo != knob.hi and min(knob.lo, knob.hi) <= min(a, b) and max(knob.lo, knob.hi) >= max(a, b)
    assert (knob.lo < knob.hi) == (a < b) or a == b  # a knob turned the other way stays so
