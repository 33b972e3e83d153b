"""What a MIDI or OSC map file turns into, and what a wrong line in one is told: each test pins a behaviour an
operator sees (a message naming the line and its fix, a knob's channel, a name in `vcam check`) that no other test
held to."""
import pytest

from vcam.cli import main
from vcam.control.midimap import load_map, map_named
from vcam.control.show import load_show
from vcam.control.yamlcheck import ConfigError

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
