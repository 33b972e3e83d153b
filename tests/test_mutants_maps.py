"""What a MIDI or OSC map file turns into, and what a wrong line in one is told: each test pins a behaviour an
operator sees (a message naming the line and its fix, a knob's channel, a name in `vcam check`) that no other test
held to."""
import pytest

from vcam.cli import main
from vcam.control.midimap import load_map, map_named
from vcam.control.show import load_show
from vcam.control.yamlproblems import ConfigError

SHOW = """\
presets:
  - {name: city, prompt: a}
  - {name: ocean, prompt: b}
  - {name: forest, prompt: c}
"""


def _midi_file(tmp_path, *entries: str, head: str = "", name: str = "map.yaml"):
    path = tmp_path / name
    path.write_text(head + "controls:\n" + "".join(f"  - {e}\n" for e in entries))
    return path


def _show(tmp_path, extra: str = ""):
    path = tmp_path / "show.yaml"
    path.write_text(SHOW + extra)
    return path


def _problems(load, *args) -> list[str]:
    with pytest.raises(ConfigError) as err:
        load(*args)
    return err.value.problems


def test_a_14_bit_knob_given_apart_from_the_show_is_named_as_14_bit_where_its_blend_is_no_preset(tmp_path):
    """`--midi-map FILE` whose 14-bit fader blends to a preset the show lacks: the line names the fader as the
    controller's manual does (cc 1, 14-bit), so it is not taken for a plain cc 1 knob."""
    from vcam.control.midirefs import missing_presets

    _, mapping = map_named(str(_midi_file(tmp_path, "{cc: 1, bits: 14, param: blend, between: [city, lake]}")))
    [said] = missing_presets(load_show(_show(tmp_path)), mapping)
    assert said.startswith("line 2: knob cc 1 (14-bit) between: "), said


def test_vcam_check_names_a_midi_section_by_its_own_name_over_its_map_files(tmp_path, capsys):
    """A show's `midi: {name: ..., map: ...}`: the name the operator gave the section is the one `vcam check`
    says, as for an osc: section, not the map file's (every shipped map file has one)."""
    _midi_file(tmp_path, "{cc: 1, param: strength}", head="name: Korg desk\n")
    (tmp_path / "osc.yaml").write_text("name: TouchOSC\ncontrols:\n  - {address: /1/fader1, param: blend}\n")
    show = _show(tmp_path, "midi:\n  name: left desk\n  map: map.yaml\nosc:\n  name: tablet\n  map: osc.yaml\n")
    assert main(["check", str(show)]) == 0
    out = capsys.readouterr().out
    assert "  midi: left desk: 1 knob, 0 buttons" in out and "  osc: tablet: 1 fader, 0 buttons" in out, out
    _show(tmp_path, "midi:\n  map: map.yaml\nosc:\n  map: osc.yaml\n")  # no name of its own: the map file's
    assert main(["check", str(show)]) == 0
    out = capsys.readouterr().out
    assert "  midi: Korg desk: 1 knob" in out and "  osc: TouchOSC: 1 fader" in out, out


def test_a_shows_nrpn_knob_on_a_channel_is_refused_where_its_map_file_has_a_control_on_that_cc_on_any_channel(
        tmp_path):
    """The map file's button on CC 38 listens on every channel, so on the NRPN knob's channel 2 it would never fire
    (CC 38 is the NRPN's value there): refused at the knob's line, naming the file's line."""
    _midi_file(tmp_path, "{cc: 41, command: next}", "{cc: 38, command: preset 2}", name="pads.yaml")
    show = _show(tmp_path, "midi:\n  map: pads.yaml\n  controls:\n    - {nrpn: 1234, param: blend, channel: 2}\n")
    [said] = _problems(load_show, show)
    assert said.startswith(f"{show}:8: midi control 1: nrpn 1234 takes cc 38 on its channel, which is pads.yaml "
                           "line 3's control, in the map file this builds on"), said


def test_a_midi_entry_with_neither_param_nor_command_says_to_give_one(tmp_path):
    """`{cc: 16, channel: 2}`: the entry says which of the two it lacks, not that a knob's param is missing."""
    path = _midi_file(tmp_path, "{cc: 16, channel: 2}")
    assert _problems(load_map, path) == [
        f"{path}:2: MIDI map control 1: give either param (a knob) or command (a button)"]


def test_an_osc_map_of_ignored_addresses_alone_given_as_a_midi_map_is_said_to_be_an_osc_map(tmp_path):
    """A file that only lists the addresses a tablet's page changes send (`ignore:`) is an OSC map: given for a MIDI
    map it is said so in one line, with the option it goes to, not as a MIDI map's unknown key."""
    path = tmp_path / "pages.yaml"
    path.write_text("ignore: [/1, /2]\n")
    [said] = _problems(load_map, path)
    assert "this is an OSC map (its controls name address:), not a MIDI map; give it with --osc-map FILE" in said, said


def test_a_map_mixing_midi_and_osc_entries_is_told_entry_by_entry_not_as_the_other_kind(tmp_path):
    """One entry on a cc, one on an address: the file is no OSC map given in the wrong place, so the entry that
    does not fit is said at its line."""
    path = _midi_file(tmp_path, "{cc: 1, param: blend}", "{address: /1/fader1, param: blend}")
    [said] = _problems(load_map, path)
    assert said.startswith(f"{path}:3: MIDI map control 2: unknown key 'address'"), said


def test_a_midi_map_given_apart_says_its_missing_presets_in_line_order_and_leaves_preset_numbers_alone(tmp_path):
    """`--midi-map FILE` checked against the show: each preset named that the show lacks, knob or button, in the
    order of the file's lines; a button's preset number past the show's end (a shipped map's row of 16) is no
    problem, as in a show's own map file."""
    from vcam.control.midirefs import missing_presets

    path = _midi_file(tmp_path, "{cc: 9, command: preset 9}", "{cc: 2, command: preset lake}",
                      "{cc: 1, param: blend, between: [city, lake]}")
    assert missing_presets(load_show(_show(tmp_path)), map_named(str(path))[1]) == [
        "line 3: button 'preset lake': no preset named 'lake'; presets: city, ocean, forest",
        "line 4: knob cc 1 between: no preset named 'lake'; presets: city, ocean, forest"]


def test_a_midi_map_given_apart_says_a_blend_between_one_preset_twice_beside_a_preset_it_lacks(tmp_path):
    """Both problems of `--midi-map FILE` are said at once: a fix of the first does not uncover the second later."""
    from vcam.control.midirefs import missing_presets

    path = _midi_file(tmp_path, "{cc: 1, param: blend, between: [lake, city]}",
                      "{cc: 2, param: blend, between: [1, city]}")
    said = missing_presets(load_show(_show(tmp_path)), map_named(str(path))[1])
    assert [s.split(":")[0] for s in said] == ["line 2", "line 3"], said
    assert "names preset 1 ('city') twice" in said[1], said


@pytest.mark.parametrize("controls, at, said", [
    # a broken button left out of the map: the button after it is still told at its own line
    (["{cc: 41, command: nxt}", "{cc: 42, command: preset lake}", "{cc: 1, param: strength}"], 8,
     "midi control 2 command 'preset lake': no preset named 'lake'"),
    # a broken knob left out of the map: the NRPN knob after it is still told at its own line
    (["{cc: 1, param: strenth}", "{nrpn: 1234, param: blend, between: [city, lake]}"], 8,
     "midi control 2 between: no preset named 'lake'"),
    # a broken button left out, then a pad: found by its note
    (["{cc: 41, command: nxt}", "{note: 36, command: preset lake}"], 8,
     "midi control 2 command 'preset lake': no preset named 'lake'"),
    # two knobs on cc 1 (channels 1 and 2) beside a broken one: which of the two lacks the preset cannot be told
    # from its cc, so it is named by its cc at the midi: section's line, not pinned on the other's line
    (["{cc: 5, param: strenth}", "{cc: 1, param: blend, between: [city, ocean], channel: 1}",
      "{cc: 1, param: blend, between: [city, lake], channel: 2}"], 6, "midi knob cc 1 between: no preset named 'lake'"),
])
def test_a_preset_a_shows_midi_control_lacks_is_said_at_its_line_beside_a_broken_control(tmp_path, controls, at, said):
    """A show's midi: section with one control written wrong (said at its line) and another naming a preset the
    show lacks: the second is said too, at its own line and by its own number, not at the broken one's."""
    show = _show(tmp_path, "midi:\n  controls:\n" + "".join(f"    - {c}\n" for c in controls))
    problems = _problems(load_show, show)
    assert len(problems) == 2 and f"{show}:{at}: {said}; presets: city, ocean, forest" in problems, problems
    assert problems == sorted(problems, key=lambda p: int(p.split(":")[1])), problems  # said in line order


def test_an_osc_buttons_release_is_checked_against_the_show_as_its_command_is():
    """A toggle's release (`release: preset lake`, or a blend between one preset twice) would fail on every turn off,
    on air: it is said at the button's line, as its command would be."""
    from vcam.control.commands import parse
    from vcam.control.oscmap import OscButton, OscMap, missing_presets
    from vcam.control.show import parse_show

    mapping = OscMap(buttons=(
        OscButton("/b", parse("freeze"), release=parse("preset lake"), where=("show.yaml", 4)),
        OscButton("/c", parse("preset ocean"), release=parse("blend city 1 0.5"), where=("show.yaml", 5))))
    problems = missing_presets(parse_show(SHOW, "show.yaml"), mapping, "show.yaml")
    assert [(line, said.split(":")[0]) for _, line, said in problems] == [
        (4, "/b release 'preset lake'"), (5, "/c release blend city 1 0.5")], problems
    assert "no preset named 'lake'" in problems[0][2] and "'city' is preset 1, named twice" in problems[1][2]


def test_an_osc_button_with_a_release_written_wrong_is_said_once_and_takes_no_address(tmp_path):
    """`release: lve` is said at its line; the button is left out, so an entry after it at the same address is
    not also told it is bound already (the operator fixes one line, not two)."""
    from vcam.control.oscmap import load_map as load_osc_map

    path = tmp_path / "osc.yaml"
    path.write_text("controls:\n  - {address: /1/toggle1, command: freeze, release: lve}\n"
                    "  - {address: /1/toggle1, command: next}\n")
    [said] = _problems(load_osc_map, path)
    assert said.startswith(f"{path}:2: OSC map control 1 release: unknown command 'lve'"), said


def test_an_osc_address_without_its_slash_and_with_a_space_is_told_both_not_to_add_the_slash_alone(tmp_path):
    """`1/fader 5`: adding the slash alone would still be refused, so the line says both rules at once."""
    from vcam.control.oscmap import load_map as load_osc_map

    path = tmp_path / "osc.yaml"
    path.write_text("controls:\n  - {address: 1/fader 5, param: blend}\n")
    [said] = _problems(load_osc_map, path)
    assert said == (f"{path}:2: OSC map control 1 address '1/fader 5' must start with / and hold no spaces or any "
                    "of # * , ? [ ] { }, e.g. /1/fader1"), said


@pytest.mark.parametrize("end, said", [(False, "False"), (1.5, "1.5")])
def test_an_osc_faders_end_yaml_read_as_no_name_is_said_once_with_the_fix(end, said):
    """`between: [off, forest]` or `[1.5, forest]` in a show's own osc: entry: one line, telling to quote a name
    (not also 'no preset False', nor a crash on a number with a point)."""
    from vcam.control.oscmap import OscFader, OscMap, missing_presets
    from vcam.control.show import parse_show

    mapping = OscMap(faders=(OscFader("/f", "blend", 0.0, 1.0, between=(end, "forest"), where=("show.yaml", 4)),))
    assert missing_presets(parse_show(SHOW, "show.yaml"), mapping, "show.yaml") == [
        ("show.yaml", 4, f"/f between: {said} is not a preset name or number; quote a name")]


def test_a_cc_written_as_a_notes_name_is_told_to_be_a_number_not_a_note(tmp_path):
    """`cc: C4`: a cc has no note names, so the line asks for the cc's number, not for note C4's."""
    path = _midi_file(tmp_path, "{cc: C4, param: blend}")
    assert _problems(load_map, path) == [f"{path}:2: MIDI map control 1 cc must be a whole number from 0 to 127"]
