"""A map's buttons that jump to a cue (`go 3`, `go drop`) checked against the show's cue list as the show is read,
as their presets are: a cue misspelt or past the list would otherwise be refused at each press, on air."""
import pytest

from vcam.control.show import load_show, parse_show
from vcam.control.yamlproblems import ConfigError

SHOW = """\
presets:
  - {name: city, prompt: a}
  - {name: ocean, prompt: b}
cues:
  - {name: intro, do: [preset city]}
  - {name: drop, do: [preset ocean]}
"""


def _refused(text: str) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    return err.value.problems


@pytest.mark.parametrize("command, said", [
    ("go 3", "show.yaml:9: midi control 1 command 'go 3': no cue 3: this show has cues 1 to 2"),
    ("go dorp", "show.yaml:9: midi control 1 command 'go dorp': no cue named 'dorp' (did you mean go 'drop'?); the "
                "cues: 1 'intro', 2 'drop'"),
])
def test_a_shows_own_midi_button_to_a_cue_it_lacks_is_refused_at_its_line(command, said):
    assert _refused(SHOW + f"midi:\n  controls:\n    - {{note: 36, command: {command}}}\n") == [said]


@pytest.mark.parametrize("command", ["go 2", "go DROP", "go", "go intro"])
def test_a_shows_own_midi_button_to_a_cue_it_has_loads(command):
    show = parse_show(SHOW + f"midi:\n  controls:\n    - {{note: 36, command: {command}}}\n", "show.yaml")
    assert str(show.midi.buttons[0].command) == command


def test_a_button_to_a_cue_of_a_show_without_cues_says_to_add_them():
    text = SHOW.split("cues:")[0] + "midi:\n  controls:\n    - {note: 36, command: go drop}\n"
    [said] = _refused(text)
    assert said == ("show.yaml:6: midi control 1 command 'go drop': this show has no cues: write them in its cues: "
                    "list, or give the button another command"), said


@pytest.mark.parametrize("command", ["go", "back"])
def test_a_shows_own_go_or_back_button_without_cues_is_said_at_its_line_and_the_show_plays(command):
    """Each press said the show has no cues, on air, where the check passed it; refused, a show that had played (the
    example show with its cues taken out, cues to be added by an edit on air) no longer started."""
    no_cues = SHOW.split("cues:")[0]
    midi = parse_show(no_cues + f"midi:\n  controls:\n    - {{note: 36, command: {command}}}\n", "show.yaml")
    assert midi.notes == (f"show.yaml:6: midi control 1 command '{command}' does nothing until the show has cues: "
                          "write them in its cues: list, or give the button another command",)
    osc = parse_show(no_cues + f"osc:\n  controls:\n    - {{address: /x/a, command: next, release: {command}}}\n",
                     "show.yaml")
    assert osc.notes == (f"show.yaml:6: osc: /x/a release '{command}' does nothing until the show has cues: write "
                         "them in its cues: list, or give the button another command",)
    # with cues, nothing to say
    assert parse_show(SHOW + f"midi:\n  controls:\n    - {{note: 36, command: {command}}}\n", "show.yaml").notes == ()


def test_a_map_files_go_and_back_buttons_serve_a_show_without_cues(tmp_path):
    (tmp_path / "map.yaml").write_text("controls:\n  - {note: 40, command: go}\n  - {note: 41, command: back}\n")
    show = tmp_path / "show.yaml"
    show.write_text(SHOW.split("cues:")[0] + "midi:\n  map: map.yaml\n")
    loaded = load_show(show)
    assert [str(b.command) for b in loaded.midi.buttons] == ["go", "back"] and loaded.notes == ()


def test_a_broken_cue_leaves_the_buttons_cues_unchecked_rather_than_said_missing():
    text = (SHOW.replace("  - {name: drop, do: [preset ocean]}", "  - {name: drop, do: [preset nowhere]}")
            + "midi:\n  controls:\n    - {note: 36, command: go drop}\n")
    problems = _refused(text)
    assert len(problems) == 1 and "no preset named 'nowhere'" in problems[0], problems


def test_a_cue_number_on_a_map_files_button_is_left_alone_and_a_name_is_checked(tmp_path):
    """A map file lays out a row of cue buttons for shows of any length, as it does preset buttons."""
    (tmp_path / "map.yaml").write_text("controls:\n  - {note: 40, command: go 8}\n  - {note: 41, command: go outro}\n")
    show = tmp_path / "show.yaml"
    show.write_text(SHOW + "midi:\n  map: map.yaml\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert err.value.problems == [f"{tmp_path / 'map.yaml'}:3: MIDI map control 2 command 'go outro': no cue named "
                                  "'outro'; the cues: 1 'intro', 2 'drop'"]


def test_a_midi_map_given_apart_says_a_cue_it_names_that_the_show_lacks(tmp_path):
    from vcam.control.midimap import map_named
    from vcam.control.midirefs import missing_presets

    (tmp_path / "map.yaml").write_text("controls:\n  - {note: 40, command: go 8}\n  - {note: 41, command: go outro}\n")
    show = tmp_path / "show.yaml"
    show.write_text(SHOW)
    assert missing_presets(load_show(show), map_named(str(tmp_path / "map.yaml"))[1]) == [
        "line 3: button 'go outro': no cue named 'outro'; the cues: 1 'intro', 2 'drop'"]


def test_a_shows_own_osc_button_and_its_release_to_a_cue_it_lacks_are_refused_at_their_line():
    text = SHOW + ("osc:\n  controls:\n    - {address: /x/a, command: go 2, release: go 5}\n"
                   "    - {address: /x/b, command: go dorp}\n")
    assert _refused(text) == ["show.yaml:9: osc: /x/a release 'go 5': no cue 5: this show has cues 1 to 2",
                              "show.yaml:10: osc: /x/b command 'go dorp': no cue named 'dorp' (did you mean go "
                              "'drop'?); the cues: 1 'intro', 2 'drop'"]


def test_an_osc_map_given_apart_leaves_cue_numbers_alone_and_checks_names(tmp_path):
    from vcam.control import oscmap

    (tmp_path / "osc.yaml").write_text("controls:\n  - {address: /a, command: go 9}\n"
                                       "  - {address: /b, command: go x}\n")
    show = tmp_path / "show.yaml"
    show.write_text(SHOW)
    said = oscmap.missing_presets(load_show(show), oscmap.map_named(str(tmp_path / "osc.yaml"))[1])
    assert [(line, problem) for _, line, problem in said] == [
        (3, "/b command 'go x': no cue named 'x'; the cues: 1 'intro', 2 'drop'")]


def test_the_shows_problems_are_said_in_the_order_of_their_lines():
    text = ("presets:\n  - {name: city, prompt: a}\nmidi:\n  controls:\n    - {note: 36, command: preset nowhere}\n"
            "cues:\n  - {name: a, do: [preset elsewhere]}\n")
    assert [p.split(":")[1] for p in _refused(text)] == ["5", "7"]


def test_a_midi_map_given_at_the_start_that_names_a_cue_the_show_lacks_is_refused_with_the_fix(tmp_path,
                                                                                                fake_midi_backend):
    from vcam.errors import VcamError
    from vcam.live.run import RunOptions, run

    (tmp_path / "show.yaml").write_text(SHOW)
    (tmp_path / "map.yaml").write_text("controls:\n  - {note: 41, command: go outro}\n")
    with pytest.raises(VcamError) as err:
        run(RunOptions(show=str(tmp_path / "show.yaml"), model="tiny", outs=["null"], midi="nano",
                       midi_map=str(tmp_path / "map.yaml"), duration=1, stdin=False))
    assert err.value.message.endswith("does not fit this show: line 2: button 'go outro': no cue named 'outro'; the "
                                      "cues: 1 'intro', 2 'drop'"), err.value.message
    assert err.value.fix.startswith("name the show's presets and cues in "), err.value.fix


@pytest.mark.parametrize("section", ["midi:\n  controls:\n    - {note: 36, command: 'preset ocean, seed 5'}\n",
                                     "osc:\n  controls:\n    - {address: /a, command: 'preset ocean; seed 5'}\n"])
def test_a_buttons_commands_run_together_after_a_preset_are_said_as_such(section):
    """A button's `preset ocean, seed 5` was said as no preset named 'ocean, seed 5', where the same line as a cue's
    command is answered as two commands run together, and a control's run together before a preset as well."""
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: neon, prompt: a}\n  - {name: ocean, prompt: b}\n" + section, "show.yaml")
    (problem,) = err.value.problems
    assert problem.startswith("show.yaml:6: ") and problem.endswith(
        "a control sends one command: preset ocean and seed 5 are 2 commands; for several, add a cue to the show's "
        "cues:, {name: preset ocean and seed 5, do: [preset ocean, seed 5]}, and write command: go preset ocean and "
        "seed 5 (GO goes on from it)"), problem
