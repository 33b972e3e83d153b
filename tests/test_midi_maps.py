"""MIDI map files with a mistake: each said once, with its line and its fix."""
import pytest

from helpers import map_reads, map_refusal


@pytest.mark.parametrize("entry, said", [
    ("- cc 16 blend", ":2: MIDI map control 1 must be a mapping of key: value lines: {cc: 16, param: blend} (a knob)"),
    ("- {cc: 16, comand: next}", ":2: MIDI map control 1: unknown key 'comand'; known keys: cc, note, program, param"),
    ("- {CC: 16, param: blend}", ":2: MIDI map control 1: key 'CC' is not read as 'cc'; write it cc: (lower case"),
    ("- {cc: 16, param: strength, range: 1}", ":2: MIDI map control 1 range must be [low, high], e.g. [0, 1]"),
    ("- {cc: 16, param: transition, range: {low: 0}}",
     ":2: MIDI map control 1 range must be [low, high], e.g. [0, 32]"),
    ("- {cc: 16, param: blend, between: forest}", ":2: MIDI map control 1 between must list two presets, e.g. [neon"),
    # given with --midi-map, apart from any show: its knob would blend a preset with itself
    ("- {cc: 16, param: blend, between: [3, 3]}", ":2: MIDI map control 1 between names preset 3 twice; a blend"),
    ("- {cc: 16, param: strength, between: [a, b]}", ":2: MIDI map control 1: between is only for param: blend"),
    # a note by its name, as a pad's manual or a DAW shows it: said with its number in both ways of counting octaves
    ("- {note: C4, command: next}", ":2: MIDI map control 1 note: C4 is a note's name; write its number: 60 (where "
     "middle C is C4) or 72 (where middle C is C3, as Ableton and Yamaha name it)"),
    ("- {note: F#-1, command: next}", ":2: MIDI map control 1 note: F#-1 is a note's name; write its number: 6 "),
    ("- {note: B9, command: next}", ":2: MIDI map control 1 note: B9 is past MIDI's notes; write the note's number"),
    # an octave past MIDI's, or none at all: said as a note's name too, not as a bare 'whole number'
    ("- {note: C10, command: next}", ":2: MIDI map control 1 note: C10 is past MIDI's notes; write the note's number"),
    ("- {note: C#, command: next}", ":2: MIDI map control 1 note: C# is a note's name without its octave; write the "
     "number of the one meant: C#4 is 61 (where middle C is C4) or 73 (where middle C is C3), 12 apart"),
    ("- {note: '010', command: next}", ":2: MIDI map control 1 note must be a whole number from 0 to 127; write it "
     "without quotes: 10"),
    ("- {cc: 1:30, command: next}", ":2: MIDI map control 1 cc 1:30 reads as 90 (YAML takes digits with ':' as base "
     "60, like minutes:seconds); write the number itself in digits"),
    # a tag the value is not: said once, where the note's name check said it first as a bare 'value:'
    ("- {note: !!int abc, command: next}", ":2: MIDI map control 1 note: 'abc' is not a valid !!int; remove the tag"),
    # a leading 0, as a manual's table pads numbers: YAML 1.1 read it as octal, CC 8 where CC 10 was meant
    ("- {cc: 010, command: next}", ":2: MIDI map control 1 cc 010 reads as 8 (YAML takes a number with a leading 0 "
     "as octal); write cc: 10"),
])
def test_a_map_files_mistake_is_said_once_with_its_line_and_its_fix(tmp_path, entry, said):
    """Each of these was said twice over: the mistake, then what the entry lacked because of it ('give exactly one
    of cc, note or program' for a misspelt cc), which sent the operator after the wrong fix."""
    path, problem = map_refusal(tmp_path, entry)
    assert problem.startswith(f"{path}{said}"), problem


def test_a_map_file_may_not_quit_the_show(tmp_path):
    """A stray press of a pad mapped to quit ended a show on air: a map refuses it as it loads, with its line and
    what to give instead; quit is the console's (or Ctrl-C's)."""
    from vcam.control.midimap import load_map
    from vcam.control.yamlproblems import ConfigError

    path = tmp_path / "map.yaml"
    path.write_text("controls:\n  - {cc: 41, command: next}\n  - {note: 36, command: QUIT}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    assert err.value.problems == [f"{path}:3: MIDI map control 2 command: quit is not taken from a control or a cue: "
                                  "the show ends where vcam runs (quit typed there, or Ctrl-C); blackout hides the "
                                  "picture"]


def test_a_shows_midi_section_may_not_quit_the_show():
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: x}\nmidi:\n  controls:\n    - {cc: 41, command: quit}\n",
                   "show.yaml")
    assert len(err.value.problems) == 1 and err.value.problems[0].startswith(
        "show.yaml:5: midi control 1 command: quit is not taken from a control or a cue"), err.value.problems


SHOW = """\
presets:
  - {name: city, prompt: a}
  - {name: ocean, prompt: b}
  - {name: forest, prompt: c}
"""


@pytest.mark.parametrize("entry, said", [
    ("{cc: 0, param: blend, between: [1, City]}", "line 3: knob cc 0 between names preset 1 ('city') twice, as 1 and "
                                                  "'City'; a blend moves between two different presets: name another "
                                                  "at one end, e.g. [city, ocean]"),
    ("{cc: 41, command: blend forest 3 0.5}", "line 3: button blend forest 3 0.5: blend mixes two different presets: "
                                              "'forest' is preset 3, named twice"),
    ("{cc: 0, param: blend, between: [city, oceann]}", "line 3: knob cc 0 between: no preset named 'oceann'"),
])
def test_a_midi_map_given_at_the_start_is_checked_against_the_show_as_its_own_map_file_is(tmp_path, entry, said):
    """`--midi-map FILE` with a knob between one preset by number and by name loaded, and moved that preset alone
    at every turn, where the same file named in the show's midi: section was refused."""
    from vcam.control.midimap import map_named
    from vcam.control.midirefs import missing_presets
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "map.yaml").write_text(f"controls:\n  - {{cc: 1, param: strength}}\n  - {entry}\n")
    _, mapping = map_named(str(tmp_path / "map.yaml"))
    show = tmp_path / "show.yaml"
    show.write_text(SHOW)
    problems = missing_presets(load_show(show), mapping)
    assert len(problems) == 1 and problems[0].startswith(said), problems
    show.write_text(SHOW + "midi:\n  map: map.yaml\n")  # the same file named in the show: refused at the same line
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert len(err.value.problems) == 1 and err.value.problems[0].startswith(f"{tmp_path / 'map.yaml'}:3: "), \
        err.value.problems


def test_a_midi_map_that_does_not_fit_the_show_is_refused_at_the_start(tmp_path, fake_midi_backend):
    from vcam.errors import VcamError
    from vcam.live.run import RunOptions, run

    (tmp_path / "show.yaml").write_text(SHOW)
    (tmp_path / "map.yaml").write_text("controls:\n  - {cc: 0, param: blend, between: [3, Forest]}\n")
    with pytest.raises(VcamError) as err:
        run(RunOptions(show=str(tmp_path / "show.yaml"), model="tiny", outs=["null"], midi="nano",
                       midi_map=str(tmp_path / "map.yaml"), duration=1, stdin=False))
    assert "does not fit this show: line 2: knob cc 0 between names preset 3 ('forest') twice" in \
        err.value.message


def test_a_midi_map_is_read_once_as_vcam_starts_and_the_port_opened_early_is_closed_when_it_is_refused(
        tmp_path, fake_midi_backend, monkeypatch):
    """--midi-map's file was read twice, for the port opened as vcam starts and again for the show: a map saved in
    between made what the port kept and the show's controls two maps."""
    import fake_midi
    from vcam.control import midimap
    from vcam.errors import VcamError
    from vcam.live.run import RunOptions, run

    reads = map_reads(monkeypatch, midimap.MAPS)
    (tmp_path / "show.yaml").write_text(SHOW)
    (tmp_path / "map.yaml").write_text("controls:\n  - {cc: 0, param: blend, between: [3, Forest]}\n")
    with pytest.raises(VcamError, match="does not fit this show"):
        run(RunOptions(show=str(tmp_path / "show.yaml"), model="tiny", outs=["null"], midi="nano",
                       midi_map=str(tmp_path / "map.yaml"), duration=1, stdin=False))
    assert reads == [tmp_path / "map.yaml"]
    assert fake_midi.OPEN == []


def test_no_midi_port_is_opened_nor_watched_as_vcam_starts_where_the_show_wants_none(tmp_path, fake_midi_backend,
                                                                                      monkeypatch):
    import threading

    import fake_midi
    from vcam.live.run import RunOptions, run

    opened = []
    real = fake_midi.Input._open
    monkeypatch.setattr(fake_midi.Input, "_open", lambda self, **kw: opened.append(self.name) or real(self, **kw))
    (tmp_path / "show.yaml").write_text(SHOW)
    with pytest.raises(ValueError, match="unknown model"):  # refused after the port's moment
        run(RunOptions(show=str(tmp_path / "show.yaml"), model="nosuch", outs=["null"], duration=1, stdin=False))
    assert opened == [] and fake_midi.OPEN == []
    assert not [t for t in threading.enumerate() if t.name.startswith("midi")]


def test_a_button_that_blends_one_preset_with_itself_is_refused_at_its_line():
    """`blend 1 city 0.5` with city preset 1: the parser cannot tell, and the press answered an error on air."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_show(SHOW + "midi:\n  controls:\n    - {cc: 41, command: next}\n"
                          "    - {note: 36, command: blend 1 city 0.5}\n", "show.yaml")
    assert err.value.problems == ["show.yaml:8: midi control 2 command blend 1 city 0.5: blend mixes two different "
                                  "presets: 'city' is preset 1, named twice; give two, as in blend 1 2 0.5 (or preset "
                                  "NAME for one)"]


def _still(path):
    """A PNG vcam reads as an image input, with its folders."""
    import cv2
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.zeros((8, 8, 3), np.uint8))


def test_a_buttons_image_is_found_next_to_the_file_it_is_written_in_whatever_folder_vcam_started_in(
        tmp_path, monkeypatch):
    """A pad's `input image:REL` was made whole at the press against the working folder: the show worked from its
    own folder and, run from another, the press failed on air. Found as the file is read, as a cue's is: next to
    the show for its midi: section, next to the map file for a map's (named in the show, or with --midi-map)."""
    import threading

    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState
    from vcam.control.midimap import map_named
    from vcam.control.show import load_show
    from vcam.live.inputs.switch import check_input

    show_dir, maps, elsewhere = tmp_path / "show", tmp_path / "maps", tmp_path / "elsewhere"
    _still(show_dir / "stills" / "a.png")
    _still(maps / "stills" / "b.png")
    elsewhere.mkdir()
    (maps / "pads.yaml").write_text("controls:\n  - {note: 37, command: 'input image:stills/b.png @off'}\n")
    (show_dir / "show.yaml").write_text(SHOW + "midi:\n  map: ../maps/pads.yaml\n  controls:\n"
                                               "    - {note: 36, command: 'input image:stills/a.png'}\n")
    monkeypatch.chdir(elsewhere)
    show = load_show(show_dir / "show.yaml")
    _, given = map_named(str(maps / "pads.yaml"))  # --midi-map
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda text: None, check_input=check_input)
    for button, whole in ((show.midi.control(0, note=36), show_dir / "stills" / "a.png"),
                          (show.midi.control(0, note=37), maps / "stills" / "b.png"),
                          (given.control(0, note=37), maps / "stills" / "b.png")):
        assert ctl.apply(button.command, "midi") == f"input image:{whole} from the next block"  # as the router does
        assert ctl.state.input == f"image:{whole}"
    assert str(given.buttons[0].command) == f"input image:{maps / 'stills' / 'b.png'} @off"  # its timing kept


def test_a_buttons_missing_or_unusable_file_is_refused_as_the_map_is_read_with_its_file_and_line(tmp_path):
    from vcam.control.midimap import load_map, map_named
    from vcam.remote.camquit import CAM_WORDS
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "notes.png").write_text("no image")
    (tmp_path / "pads.yaml").write_text("controls:\n  - {cc: 41, command: next}\n"
                                        "  - {note: 36, command: 'input file:clips/gone.mp4'}\n"
                                        "  - {note: 37, command: 'input image:notes.png'}\n")
    with pytest.raises(ConfigError) as err:
        map_named(str(tmp_path / "pads.yaml"))
    assert err.value.problems == [
        f"{tmp_path / 'pads.yaml'}:3: MIDI map control 2 command: file clips/gone.mp4 not found (looked at "
        f"{tmp_path / 'clips' / 'gone.mp4'}); put it there, or give its path from the folder of the file that names "
        "it (or a whole path)",
        f"{tmp_path / 'pads.yaml'}:4: MIDI map control 3 command: image notes.png is not an image vcam can read "
        f"(looked at {tmp_path / 'notes.png'}); convert it to PNG or JPEG (a video is file:PATH)"]
    (tmp_path / "show.yaml").write_text(SHOW + "midi:\n  controls:\n    - {note: 36, command: 'input file:gone.mp4'}\n")
    with pytest.raises(ConfigError) as err:
        load_show(tmp_path / "show.yaml")
    assert err.value.problems == [f"{tmp_path / 'show.yaml'}:7: midi control 1 command: file gone.mp4 not found "
                                  f"(looked at {tmp_path / 'gone.mp4'}); put it there, or give its path from the "
                                  "folder of the file that names it (or a whole path)"]
    # a map whose commands go to a server (vcam cam) keeps them as written: the server finds them in its folders
    (tmp_path / "cam.yaml").write_text("controls:\n  - {note: 36, command: 'input file:clips/gone.mp4'}\n")
    assert str(load_map(tmp_path / "cam.yaml", CAM_WORDS).buttons[0].command) == "input file:clips/gone.mp4"


def test_a_map_named_from_the_home_folder_is_found_as_the_shell_would_find_it(tmp_path, monkeypatch):
    """`--midi-map=~/pads.yaml` (the shell leaves a `~` after `=` as it is) and a show's `map: ~/pads.yaml`."""
    from vcam.control.midimap import map_named
    from vcam.control.show import parse_show

    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "pads.yaml").write_text("controls:\n  - {note: 36, command: next}\n")
    path, mapping = map_named("~/pads.yaml")
    assert path == tmp_path / "pads.yaml" and [b.command.name for b in mapping.buttons] == ["next"]
    show = parse_show("presets:\n  - {name: a, prompt: a}\nmidi: {map: ~/pads.yaml}\n", str(tmp_path / "s.yaml"))
    assert [b.command.name for b in show.midi.buttons] == ["next"]


def test_a_map_named_from_a_home_folder_that_is_not_there_is_said_not_found():
    """`--midi-map=~nosuch/pads.yaml`: a user with no home folder here, said not found, where it ended vcam with a
    traceback."""
    from vcam.control.midimap import map_named

    with pytest.raises(ValueError, match="'~nosuch-vcam-user/pads.yaml' not found"):
        map_named("~nosuch-vcam-user/pads.yaml")


def test_a_port_in_a_map_file_is_refused_with_where_it_goes(tmp_path):
    """A map file's `port:` was read and dropped: a show whose map named the controller's port played on with no
    controller open, and said nothing."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "pads.yaml").write_text("name: pads\nport: nanoKONTROL2\ncontrols:\n  - {cc: 41, command: next}\n")
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: pads.yaml\n", str(tmp_path / "show.yaml"))
    assert err.value.problems == [f"{tmp_path / 'pads.yaml'}:2: MIDI map port: a map file opens no input (it maps "
                                  "any controller of its make); give the port in the show's midi: section (port: "
                                  "nanoKONTROL2) or with --midi nanoKONTROL2"]
    show = parse_show("presets:\n  - {name: a, prompt: a}\nmidi:\n  port: nano\n  controls: []\n",
                      str(tmp_path / "show.yaml"))
    assert show.midi_port == "nano"  # a show's own section names its port as before


def test_a_map_files_port_with_spaces_is_given_back_as_the_shell_takes_it(tmp_path):
    """`--midi Launch Control XL` was offered for a map file's port: the shell gives --midi 'Launch' alone, and vcam
    run takes the rest for the show file."""
    from vcam.control.midimap import map_named
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "lcxl.yaml").write_text("port: Launch Control XL\ncontrols:\n  - {cc: 41, command: next}\n")
    with pytest.raises(ConfigError) as err:
        map_named(str(tmp_path / "lcxl.yaml"))
    assert err.value.problems[0].endswith("(port: Launch Control XL) or with --midi 'Launch Control XL'")


@pytest.mark.parametrize("port, section, flag", [
    ("Launchpad: Pro", "port: 'Launchpad: Pro'", "--midi 'Launchpad: Pro'"),
    ("pads # 2", "port: 'pads # 2'", "--midi 'pads # 2'"),
    ('"Pads"', "port: '\"Pads\"'", "--midi '\"Pads\"'"),
    ("Tom's pads", "port: Tom's pads", "--midi \"Tom's pads\""),
    ("-pads-", "port: -pads-", "--midi=-pads-"),
])
def test_a_map_files_port_is_offered_as_a_line_that_loads_and_a_flag_that_pastes(tmp_path, port, section, flag):
    """`port: Launchpad: Pro` (not YAML), `port: pads # 2` (read as pads), `--midi 'Tom'"'"'s pads'` and `--midi -pads-`
    (taken for an option) were offered for a map file's port."""
    import json
    import shlex

    import yaml

    from vcam.cmdline.parser import build_parser
    from vcam.control.midimap import map_named
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "pads.yaml").write_text(f"port: {json.dumps(port)}\ncontrols:\n  - {{cc: 41, command: next}}\n")
    with pytest.raises(ConfigError) as err:
        map_named(str(tmp_path / "pads.yaml"))
    assert err.value.problems[0].endswith(f"(port: {section.removeprefix('port: ')}) or with {flag}")
    assert yaml.safe_load(section) == {"port": port}
    assert build_parser().parse_args(["run", *shlex.split(flag)]).midi == port


@pytest.mark.parametrize("port, offered", [("--", "with --midi=--"), ("none", "with --midi NONE")])
def test_a_map_files_port_named_dashes_or_none_is_offered_a_flag_that_opens_it(tmp_path, port, offered):
    """An input named `--` was offered `--midi=--`, which argparse read as no value at all; one named `none` was
    offered `--midi none`, which opens no input, and `port: none`, which a show's section reads as no input too."""
    import shlex

    from vcam.cmdline.parser import build_parser
    from vcam.control.midi import NO_MIDI, find_port
    from vcam.control.midimap import map_named
    from vcam.control.yamlcheck import ConfigError

    (tmp_path / "pads.yaml").write_text(f"port: '{port}'\ncontrols:\n  - {{cc: 41, command: next}}\n")
    with pytest.raises(ConfigError) as err:
        map_named(str(tmp_path / "pads.yaml"))
    said = err.value.problems[0]
    assert said.endswith(offered) and "(port: none)" not in said
    given = build_parser().parse_args(["run", *shlex.split(offered.removeprefix("with "))]).midi
    assert given != NO_MIDI
    assert find_port(given, ["Midi Through:Midi Through Port-0 14:0", port, "nano-pad 1"]) == port


@pytest.mark.parametrize("given, shipped, said", [
    ("midi", "presets/osc/touchosc-simple.yaml", "this is an OSC map (its controls name address:), not a MIDI map; "
                                                 "give it with --osc-map FILE, or as map: in a show's osc: section"),
    ("osc", "presets/midi/midimix.yaml", "this is a MIDI map (its controls name cc:, note:, nrpn: or program:), not an "
                                         "OSC map; give it with --midi-map FILE, or as map: in a show's midi: section"),
])
def test_a_map_of_the_other_kind_is_said_as_such_in_one_line(given, shipped, said):
    """`--midi-map touchosc-simple.yaml` was answered with 50 lines of unknown keys (address, release, arg, ignore)
    and 'stopped reading after 50 problems'; the OSC map for a MIDI one the same way."""
    from pathlib import Path

    from vcam.control import midimap, oscmap
    from vcam.control.yamlproblems import ConfigError

    path = Path(__file__).resolve().parents[1] / shipped
    with pytest.raises(ConfigError) as err:
        (midimap if given == "midi" else oscmap).map_named(str(path))
    assert len(err.value.problems) == 1, err.value.problems
    assert err.value.problems[0].split(": ", 1)[1] == said


@pytest.mark.parametrize("section, what", [("midi", "MIDI map"), ("osc", "OSC map")])
def test_a_folder_a_shows_map_names_is_said_to_be_a_folder_with_its_files_not_missing(tmp_path, section, what):
    """`map: maps` beside a folder maps/ was said "not found" (where --midi-map named it a folder): the operator
    went looking for a folder that was right there."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "pads.yaml").write_text("controls: []\n")
    show = tmp_path / "show.yaml"
    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {{name: a, prompt: a}}\n{section}:\n  map: maps\n", str(show))
    assert err.value.problems == [f"{show}:4: {what} 'maps' is a folder; name the map's YAML file in it (it holds "
                                  "pads.yaml)"]


@pytest.mark.parametrize("own, cc", [("{cc: 6, param: strength}", 6), ("{cc: 98, command: next, channel: 2}", 98),
                                     ("{cc: 6, bits: 14, param: strength}", 6), ("{cc: 38, param: strength}", 38)])
def test_a_shows_own_control_on_a_cc_its_map_files_nrpn_knob_carries_is_refused_naming_both(tmp_path, own, cc):
    """Refused only within one list: a show's own cc 6 beside its map file's NRPN knob on the same channel loaded,
    and never acted, as CC 6 was the NRPN's value there."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "pads.yaml").write_text("controls:\n  - {cc: 41, command: next}\n  - {nrpn: 1234, param: blend}\n")
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {{name: a, prompt: a}}\nmidi:\n  map: pads.yaml\n  controls:\n    - {own}\n")
    with pytest.raises(ConfigError) as err:
        parse_show(show.read_text(), str(show))
    assert err.value.problems == [
        f"{show}:6: midi control 1: cc {cc} carries the NRPN (1234) of pads.yaml line 3, the map file this builds on: "
        "an NRPN takes CC 99 and 98 (its number), CC 6 and 38 (its value) and CC 96 and 97 (its steps) on its "
        "channel; give this control another cc or channel"], err.value.problems


def test_a_shows_own_14_bit_fader_whose_fine_half_is_a_map_files_button_is_refused_naming_both(tmp_path):
    """`{cc: 0, bits: 14, param: blend}` in a show built on the nanoKONTROL2 map loaded, and its S1 button (cc 32,
    preset 1) did nothing from then on but nudge the blend, and nothing said so."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    show = tmp_path / "show.yaml"
    head = "presets:\n  - {name: a, prompt: a}\n  - {name: b, prompt: b}\nmidi:\n  map: nanokontrol2\n  controls:\n"
    show.write_text(head + "    - {cc: 0, bits: 14, param: blend}\n")
    with pytest.raises(ConfigError) as err:
        parse_show(show.read_text(), str(show))
    assert err.value.problems == [
        f"{show}:7: midi control 1: cc 32 (the fine half of cc 0) is nanokontrol2.yaml line 10's control, in the map "
        "file this builds on, which would never act again: give this knob another channel, or leave bits out if the "
        "controller sends cc 0 alone"], err.value.problems
    # on another channel than the map's, or on a pair whose fine half the map leaves free, it loads
    show.write_text(head + "    - {cc: 0, bits: 14, param: blend, channel: 2}\n    - {cc: 16, bits: 14, param: bias}\n")
    assert len(parse_show(show.read_text(), str(show)).midi.knobs) == 7
    # the map file's own 14-bit fader on that pair is the same control: the show's own entry replaces it
    (tmp_path / "faders.yaml").write_text("controls:\n  - {cc: 0, bits: 14, param: blend}\n")
    show.write_text(head.replace("nanokontrol2", "faders.yaml") + "    - {cc: 0, bits: 14, param: strength}\n")
    assert parse_show(show.read_text(), str(show)).midi.acting()[0][0].param == "strength"


def test_a_shows_own_cc_6_on_another_channel_than_its_map_files_nrpn_knob_acts(tmp_path):
    from vcam.control.show import parse_show

    (tmp_path / "pads.yaml").write_text("controls:\n  - {nrpn: 1234, param: blend, channel: 2}\n")
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: pads.yaml\n  controls:\n"
                    "    - {cc: 6, param: strength, channel: 1}\n")
    assert len(parse_show(show.read_text(), str(show)).midi.knobs) == 2


@pytest.mark.parametrize("word, meant", [("exit", "blackout"), ("halt", "blackout"), ("stop", "freeze"),
                                         ("quti", None)])
def test_a_map_button_on_a_word_for_quit_is_told_what_a_map_may_hold_not_quit(tmp_path, word, meant):
    """`exit` and `stop` were answered "did you mean quit?", which the map then refuses: the operator went from one
    refusal to the next."""
    path, problem = map_refusal(tmp_path, f"- {{note: 36, command: {word}}}")
    assert problem.startswith(f"{path}:2: MIDI map control 1 command: unknown command {word!r}"), problem
    assert "quit?" not in problem and "mean quit" not in problem, problem
    if meant is not None:
        assert f"did you mean {meant}" in problem and "the show itself ends where vcam runs" in problem, problem


def test_the_console_is_still_told_quit_for_exit():
    from vcam.control.commands import CommandError, parse

    with pytest.raises(CommandError, match="did you mean quit"):
        parse("exit")


@pytest.mark.parametrize("file_control", ["{cc: 38, command: preset 7}", "{cc: 6, bits: 14, param: strength}"])
def test_a_shows_own_nrpn_knob_on_the_channel_of_its_map_files_control_on_an_nrpn_cc_is_refused(tmp_path,
                                                                                               file_control):
    """The other way round: the show's own NRPN knob loaded, and the map file's button on CC 38 beside it never
    fired, as CC 38 was the NRPN's value on that channel."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "pads.yaml").write_text(f"channel: 1\ncontrols:\n  - {{cc: 41, command: next}}\n  - {file_control}\n")
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: pads.yaml\n  controls:\n"
                    "    - {nrpn: 1234, param: blend}\n")
    with pytest.raises(ConfigError) as err:
        parse_show(show.read_text(), str(show))
    cc = 38 if "38" in file_control else 6
    assert err.value.problems == [
        f"{show}:6: midi control 1: nrpn 1234 takes cc {cc} on its channel, which is pads.yaml line 4's control, in "
        "the map file this builds on: an NRPN takes CC 99 and 98 (its number), CC 6 and 38 (its value) and CC 96 "
        "and 97 (its steps) on its channel; give this knob another channel"], err.value.problems
    show.write_text(show.read_text().replace("blend}", "blend, channel: 2}"))
    assert len(parse_show(show.read_text(), str(show)).midi.knobs) >= 1


def test_a_note_and_a_cc_written_as_numbers_still_bind():
    from vcam.control.midimap import note_named

    assert note_named(60) is None and note_named("60") is None and note_named("H4") is None
    assert note_named("Bb2").startswith("Bb2 is a note's name; write its number: 46 (where middle C is C4) or 58")



@pytest.mark.parametrize("end, read", [("on", "True"), ("off", "False"), ("1.5", "1.5")])
def test_a_map_given_at_the_start_with_a_knob_between_no_preset_name_or_number_is_refused(tmp_path, end, read):
    """`--midi-map FILE` with `between: [on, ocean]`: YAML reads on as true, which the show's look-up took as preset
    1 (off as preset 0), so the knob blended preset 1 where a preset named on was meant, and no check said so; the
    same file named in the show's midi: section was refused."""
    from vcam.control.midimap import map_named
    from vcam.control.midirefs import missing_presets
    from vcam.control.show import load_show

    (tmp_path / "map.yaml").write_text(f"controls:\n  - {{cc: 0, param: blend, between: [{end}, ocean]}}\n")
    _, mapping = map_named(str(tmp_path / "map.yaml"))
    show = tmp_path / "show.yaml"
    show.write_text(SHOW)
    assert missing_presets(load_show(show), mapping) == [
        f"line 2: knob cc 0 between: {read} is not a preset name or number; quote a name"]


def test_a_midi_map_and_an_osc_map_refuse_a_yaml_yes_for_a_preset_in_the_same_words(tmp_path):
    """One end of a blend read by YAML as true: a MIDI map and an OSC map given apart from the show say it alike,
    with the fix (quote the name)."""
    from vcam.control import midirefs, oscmap
    from vcam.control.midimap import map_named
    from vcam.control.show import load_show

    (tmp_path / "show.yaml").write_text(SHOW)
    show = load_show(tmp_path / "show.yaml")
    (tmp_path / "midi.yaml").write_text("controls:\n  - {cc: 0, param: blend, between: [yes, ocean]}\n")
    (tmp_path / "osc.yaml").write_text("controls:\n  - {address: /f, param: blend, between: [yes, ocean]}\n")
    [midi_said] = midirefs.missing_presets(show, map_named(str(tmp_path / "midi.yaml"))[1])
    [(_, _, osc_said)] = oscmap.missing_presets(show, oscmap.map_named(str(tmp_path / "osc.yaml"))[1])
    wording = "between: True is not a preset name or number; quote a name"
    assert midi_said == f"line 2: knob cc 0 {wording}" and osc_said == f"/f {wording}"


def test_vcam_check_names_a_map_file_without_a_name_by_its_file(tmp_path, capsys):
    """A midi: or osc: section built on a map file with no `name:` is said by that file, not as an inline map."""
    from vcam.cli import main

    (tmp_path / "desk.yaml").write_text("controls:\n  - {cc: 16, param: seed}\n")
    (tmp_path / "pad.yaml").write_text("controls:\n  - {address: /seed, param: seed}\n")
    show = tmp_path / "show.yaml"
    show.write_text("name: s\npresets:\n  - {name: a, prompt: a}\nmidi: {map: desk.yaml}\nosc: {map: pad.yaml}\n")
    assert main(["check", str(show)]) == 0
    out = capsys.readouterr().out
    assert "midi: desk.yaml: 1 knob" in out
    assert "osc: pad.yaml: 1 fader" in out
    assert "inline map" not in out


def test_vcam_check_says_a_midi_section_with_a_port_alone_maps_no_control(tmp_path, capsys):
    """A section holding only `port:` was summed up as an inline map of 0 knobs and 0 buttons, as if its controls
    had been lost, with no word of what the port then does or how to map it."""
    from vcam.cli import main

    show = tmp_path / "show.yaml"
    show.write_text("name: s\npresets:\n  - {name: a, prompt: a}\nmidi:\n  port: nano\n")
    assert main(["check", str(show)]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if "midi:" in line]
    maps = "nanokontrol2 (or midimix, apc-mini-mk2, a file)"
    assert line == (f"  midi: no controls mapped, port 'nano': the input gives the tempo (MIDI clock) only; map its "
                    f"knobs and buttons with map: {maps} or controls: in the midi: "
                    "section")
    show.write_text("name: s\npresets:\n  - {name: a, prompt: a}\nmidi:\n  channel: 10\n")
    assert main(["check", str(show)]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if "midi:" in line]
    assert line == (f"  midi: no controls mapped and no port: the section does nothing; give it port: (a MIDI clock's "
                    f"tempo), and map: {maps} or controls: for a controller's knobs "
                    "and buttons")


@pytest.mark.parametrize("written", ["nanokontrol", "nanokontrol2.yml", "NanoKontrol2.yaml"])
def test_a_shipped_maps_name_cut_short_or_given_another_ending_is_told_the_name_meant(tmp_path, written):
    """`map: nanokontrol` or `nanokontrol2.yml` was told only the list, the name one character off in it."""
    from vcam.control.midimap import map_named
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {{name: a, prompt: a}}\nmidi:\n  map: {written}\n")
    with pytest.raises(ConfigError) as refused:
        load_show(show)
    assert refused.value.problems == [f"{show}:4: MIDI map {written!r} not found (did you mean nanokontrol2?); give a "
                                      "path relative to the show file or one of: apc-mini-mk2, midimix, nanokontrol2"]
    with pytest.raises(ValueError, match=rf"^MIDI map '{written}' not found \(did you mean nanokontrol2\?\); shipped"):
        map_named(written)


def test_a_sections_channel_beside_a_map_and_no_controls_of_its_own_is_noted_with_how_to_move_the_maps(tmp_path):
    """`channel: 2` set beside `map: nanokontrol2` for a controller sending on channel 2 moved nothing (it is the
    section's own controls' channel), and every knob stayed dead, unsaid."""
    from vcam.control.show import load_show

    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: nanokontrol2\n  channel: 2\n")
    assert load_show(show).notes == (
        f"{show}:5: midi channel: 2 applies to the section's own controls, and it has none: those of nanokontrol2.yaml "
        "keep the channels it gives them; to move them, copy nanokontrol2.yaml beside the show, give it channel: 2, "
        "and name the copy in map:",)
    (tmp_path / "desk.yaml").write_text("channel: 1\ncontrols:\n  - {cc: 16, param: blend}\n")
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: desk.yaml\n  channel: 3\n")
    assert load_show(show).notes[0].endswith("those of desk.yaml keep the channels it gives them; to move them, give "
                                             "desk.yaml channel: 3")
    # with controls of its own, the channel is theirs: nothing to note
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: desk.yaml\n  channel: 3\n  controls:\n"
                    "    - {cc: 20, command: next}\n")
    assert load_show(show).notes == ()


def test_a_sections_channel_beside_a_map_whose_controls_listen_there_already_is_not_noted(tmp_path):
    """`channel: 1` beside nanokontrol2 (whose controls are on channel 1), or beside a map whose controls hear every
    channel, was noted as moving nothing, where those controls already listen on it."""
    from vcam.control.show import load_show

    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: nanokontrol2\n  channel: 1\n")
    assert load_show(show).notes == ()
    (tmp_path / "any.yaml").write_text("controls:\n  - {cc: 16, param: blend}\n  - {note: 36, command: next}\n")
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: any.yaml\n  channel: 3\n")
    assert load_show(show).notes == ()
    # one of its controls on another channel: that one stays where the map put it
    (tmp_path / "mixed.yaml").write_text("controls:\n  - {cc: 16, param: blend}\n  - {note: 36, command: next, "
                                         "channel: 2}\n")
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: mixed.yaml\n  channel: 3\n")
    assert load_show(show).notes[0].endswith("to move them, give mixed.yaml channel: 3")


def test_vcam_check_and_vcam_run_name_the_shipped_maps_in_one_order(tmp_path, capsys, fake_midi_backend):
    """A section with a port alone: vcam check offered apc-mini-mk2 (or midimix, nanokontrol2), vcam run
    nanokontrol2 (or midimix, apc-mini-mk2), the same maps in two orders."""
    import re

    from vcam.cli import main
    from vcam.control.show import load_show
    from vcam.live.parts import MapRead, midi_setup
    from vcam.live.settings import RunOptions

    show = tmp_path / "show.yaml"
    show.write_text("name: s\npresets:\n  - {name: a, prompt: a}\nmidi:\n  port: nano\n")
    assert main(["check", str(show)]) == 0
    checked = capsys.readouterr().out
    said = []
    opts, played = RunOptions(show=str(show)), load_show(show)
    midi_setup(opts, played, False, said.append, MapRead(opts, played))
    orders = [re.search(r"map:? (\S+) \(or ([^)]*)\)", text).groups() for text in (checked, said[0])]
    assert orders[0] == orders[1], orders


@pytest.mark.parametrize("port", [None, "nano"])
def test_a_show_without_a_midi_port_reads_no_midi_map_and_one_with_a_port_refuses_a_bad_one_before_the_model(
        tmp_path, monkeypatch, fake_midi_backend, port):
    """vcam run handed midi_setup (and early_midi) None for the map read where no port was wanted, where both are
    typed to take a MapRead; the map read is now always one: a --midi-map the show's MIDI does not use (no port)
    is not read for it, and a bad one is still refused as the show is checked (before its model loads) where a
    port is wanted, the port opened early closed again."""
    import io

    import vcam.live.run as run_module
    from vcam.control import midimap
    from vcam.control.yamlproblems import ConfigError
    from vcam.live.parts import MapRead, early_midi, midi_setup
    from vcam.live.settings import RunOptions

    bad = tmp_path / "map.yaml"
    bad.write_text("controls:\n  - {cc: 0, param: bogus}\n")
    reads = map_reads(monkeypatch, midimap.MAPS)
    opts = RunOptions(model="tiny", outs=["null"], stdin=False, status_out=io.StringIO(), midi=port,
                      midi_map=str(bad))
    if port is None:
        read = MapRead(opts, None)
        assert early_midi(opts, None, False, read) is None
        assert midi_setup(opts, None, False, lambda line: None, read) is None
        assert reads == []  # the show's MIDI reads it not: the show is not refused for it
        prep = run_module._prepare(opts, open_early=True)
        assert prep.midi is None and prep.early is None
    else:
        with pytest.raises(ConfigError, match="bogus"):
            run_module._prepare(opts, open_early=True)
        assert reads == [bad]
    assert fake_midi_backend.OPEN == []


def test_a_map_files_duplicate_program_entry_is_said_as_a_shows_own_is(tmp_path, fake_midi_backend):
    """The same program entry twice is noted in a show's midi: section; in a map file the show names, or one given
    with --midi-map, the note was dropped unsaid."""
    from vcam.control.show import load_show
    from vcam.live.parts import MapRead, midi_setup
    from vcam.live.settings import RunOptions

    (tmp_path / "map.yaml").write_text("controls:\n  - {program: presets}\n  - {program: presets}\n")
    noted = (f"{tmp_path / 'map.yaml'}:3: MIDI map control 2 is control 1 again (program: presets); it adds "
             "nothing: remove one")
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\nmidi:\n  map: map.yaml\n")
    assert load_show(show).notes == (noted,)
    show.write_text("presets:\n  - {name: a, prompt: a}\n")
    said = []
    opts, played = RunOptions(show=str(show), midi="nano", midi_map=str(tmp_path / "map.yaml")), load_show(show)
    midi_setup(opts, played, False, said.append, MapRead(opts, played))
    assert said == [noted], said


CONTROLS_OUT_OF_TURN = """\
  - {cc: 6, command: next}
  - {nrpn: 100, param: blend}
  - {cc: 16, command: go nope}
  - {cc: 18, param: blend, between: [a, zz]}
  - {cc: 17, param: bogus}
"""


def test_a_midi_maps_problems_are_said_in_line_order(tmp_path):
    """Found in passes (each entry, then the NRPN's CCs, then the presets and cues named), the problems were said
    a later line before an earlier one; a cue's own problem comes after the midi: section's, as its lines do."""
    from vcam.control.midimap import load_map
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\n  - {name: b, prompt: b}\nmidi:\n  controls:\n"
                    + CONTROLS_OUT_OF_TURN + "cues:\n  - {name: one, do: [preset a, seed x]}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    lines = [int(p.split(":")[1]) for p in err.value.problems]
    assert lines == [6, 9, 10, 12], err.value.problems
    show.write_text(show.read_text().replace("seed x", "seed 1"))  # the cues read: a button's go is checked
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert [int(p.split(":")[1]) for p in err.value.problems] == [6, 8, 9, 10], err.value.problems
    (tmp_path / "map.yaml").write_text("controls:\n" + CONTROLS_OUT_OF_TURN)
    with pytest.raises(ConfigError) as err:
        load_map(tmp_path / "map.yaml")
    assert [int(p.split(":")[1]) for p in err.value.problems] == [2, 6], err.value.problems


@pytest.mark.parametrize("written, said", [
    ("none", "port: none names no MIDI input, so it opens none; to open no input, take port: out of the section, "
             "else give the controller's name (vcam devices lists the inputs)"),
    ("'none'", "port: none names no MIDI input, so it opens none"),
    ("off", "port: off names no MIDI input, so it opens none"),  # was told to quote it: 'off', waited for all show
    ("~", "port: ~ names no MIDI input, so it opens none"),
    ("", "port is empty, so it opens none; to open no input, take port: out of the section"),
])
def test_a_shows_port_written_as_no_port_opens_none_and_is_noted(written, said):
    """`port: none`, as --midi none is written, waited all show for an input named 'none'; off or null were told to
    be quoted, which did the same. Noted, not refused: a show run with --midi PORT each time opens that port."""
    from vcam.control.show import parse_show

    show = parse_show(f"presets: [{{name: a, prompt: a}}]\nmidi:\n  port: {written}\n  map: nanokontrol2\n",
                      "show.yaml")
    assert show.midi_port is None and show.midi.knobs
    assert len(show.notes) == 1 and show.notes[0].startswith(f"show.yaml:3: midi {said}"), show.notes


@pytest.mark.parametrize("order", [("midi", "osc", "cues"), ("cues", "midi", "osc"), ("osc", "cues", "midi")])
def test_a_shows_problems_are_said_in_line_order_whichever_section_comes_first(tmp_path, order):
    """midi:, then osc:, then cues: said 94, 135, 120 (the osc: section's after the cues'), and cues: above midi:
    said 8, 10, 4: each section's problems were said as its pass found them."""
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    sections = {"midi": "midi:\n  controls:\n    - {cc: 16, param: bogus}\n    - {cc: 17, command: preset zz}\n",
                "osc": "osc:\n  controls:\n    - {address: /1/fader1, param: bogus}\n",
                "cues": "cues:\n  - {name: one, do: [preset a, seed x]}\n"}
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\n" + "".join(sections[s] for s in order))
    with pytest.raises(ConfigError) as err:
        load_show(show)
    lines = [int(p.split(":")[1]) for p in err.value.problems]
    assert len(lines) == 4 and lines == sorted(lines), err.value.problems


def test_a_shows_own_problems_and_notes_come_before_those_of_the_map_file_it_names(tmp_path):
    """Found as the midi: section is read, the map file's were said first where the show's own came later in the
    show (its midi: controls, its cues), as if they were the show's first lines to fix."""
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "pads.yaml").write_text("controls:\n  - {cc: 16, parm: blend}\n  - {program: presets}\n"
                                        "  - {program: presets}\n")
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a city}\nmidi:\n  map: pads.yaml\n  controls:\n"
                    "    - {cc: 20, param: blnd}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    assert [p.split(": ", 1)[0] for p in err.value.problems] == [f"{show}:6", f"{tmp_path / 'pads.yaml'}:2"]
    (tmp_path / "pads.yaml").write_text("controls:\n  - {program: presets}\n  - {program: presets}\n")
    show.write_text("presets:\n  - {name: a, prompt: a city}\nmidi:\n  map: pads.yaml\n  port: none\n  controls:\n"
                    "    - {cc: 20, param: blend}\n    - {cc: 20, param: blend}\n")
    assert [n.split(": ", 1)[0] for n in load_show(show).notes] == [f"{show}:5", f"{show}:8",
                                                                     f"{tmp_path / 'pads.yaml'}:3"]


@pytest.mark.parametrize("command, said", [
    ("[next, freeze]", "a control sends one command: next and freeze are 2 commands; for several, add a cue to the "
                       "show's cues:, {name: next and freeze, do: [next, freeze]}, and write command: go next and "
                       "freeze (GO goes on from it)"),
    ("[next]", "a command is written without brackets: command: next"),
    ("[preset, 2]", "a command is written without brackets: command: preset 2"),  # was said 2 commands
    ("[go, 3]", "a command is written without brackets: command: go 3"),
])
def test_a_controls_command_given_as_a_list_is_told_what_to_write(tmp_path, command, said):
    """`command: [next, freeze]` was told only that it "must be non-empty text"."""
    assert map_refusal(tmp_path, f"- {{cc: 16, command: {command}}}")[1].endswith(
        f":2: MIDI map control 1 command: {said}")


@pytest.mark.parametrize("written", ["preset", "Presets", "prompt"])
def test_a_knob_written_to_pick_a_preset_is_told_what_blends_and_what_picks(written):
    """`param: preset` was told only the parameters a knob drives, none of which named what it was meant for."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b}\n  - {name: c, prompt: d}\nmidi:\n  controls:\n"
                   f"    - {{cc: 16, param: {written}}}\nosc:\n  controls:\n    - {{address: /a, param: {written}}}\n",
                   "show.yaml")
    picks = written.lower().rstrip("s")
    both = (f"param: a knob or fader does not pick a {picks}: it blends the one on air into the next (param: blend, "
            "or between: [A, B] for two of them); a button picks one (command: preset 2, or next)")
    assert err.value.problems == [f"show.yaml:6: midi control 1 {both}, and program change N picks preset N+1 "
                                  "(program: presets)", f"show.yaml:9: osc control 1 {both}"]


@pytest.mark.parametrize("command", ["next; freeze", "[next, freeze]", "'seed 5, steps 3'"])
def test_a_controls_several_commands_are_told_as_the_cue_and_line_to_write(tmp_path, command):
    """`command: next; freeze` was told to put them "in a cue and send go with its name", with neither written out:
    the cue and the button's line offered load back as a show whose button fires both."""
    import re

    from vcam.control.show import load_show

    said = map_refusal(tmp_path, f"- {{cc: 16, command: {command}}}")[1]
    found = re.search(r"add a cue to the show's cues:, (\{.*\}), and write command: (go [^(]+?) \(", said)
    assert found, said
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a red city}\n  - {name: b, prompt: a blue sea}\n"
                    f"cues:\n  - {found[1]}\nmidi:\n  controls:\n    - {{cc: 16, command: {found[2]}}}\n")
    loaded = load_show(show)
    assert list(loaded.cues[0].do) == re.split(r"[;,] ", command.strip("[]'"))
    assert str(loaded.midi.buttons[0].command) == found[2]


@pytest.mark.parametrize("entry", ["- {cc: 16, param: blend, channel: 0}", "- {note: 36, command: next, channel: 0}"])
def test_a_channel_written_as_0_is_told_that_a_map_counts_channels_from_1(tmp_path, entry):
    """`channel: 0`, as a MIDI monitor counting from 0 names the first channel, was told only that it is out of range
    (1 to 16), leaving which channel was meant to guess."""
    path, problem = map_refusal(tmp_path, entry)
    assert problem == (f"{path}:2: MIDI map control 1 channel 0 is out of range (1 to 16): a map counts channels "
                       "from 1, as a controller's settings do; the first, which a MIDI monitor counting from 0 calls "
                       "0, is channel: 1")


@pytest.mark.parametrize("section, where", [("midi", "midi map"), ("osc", "osc map")])
def test_a_section_naming_two_maps_is_told_it_builds_on_one_and_where_the_others_controls_go(section, where):
    """`map: [nanokontrol2, midimix]` was told only that map "must be non-empty text"."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_show(f"presets:\n  - {{name: a, prompt: a}}\n{section}:\n  map: [first.yaml, second.yaml]\n", "show.yaml")
    assert err.value.problems == [
        f"show.yaml:4: {where} names one map file, which the section's own controls: add to: write map: first.yaml, "
        "and copy the entries wanted from second.yaml into controls:"]


@pytest.mark.parametrize("kind", ["midi", "osc"])
def test_a_map_files_top_key_one_space_in_after_its_controls_is_offered_the_start_of_the_line(tmp_path, kind):
    """` channel: 2` one space in after a block controls: list was offered only the last control's column, which
    made it that control's channel alone; put where it is offered first, it is the whole map's."""
    import re

    from vcam.control import midimap, oscmap
    from vcam.control.yamlproblems import ConfigError

    first, second, top = (("{cc: 1, param: blend}", "cc: 2\n    param: strength", "channel: 2") if kind == "midi" else
                          ("{address: /a, param: blend}", "address: /b\n    param: strength", "ignore: [/c]"))
    load = midimap.load_map if kind == "midi" else oscmap.load_map
    path = tmp_path / "map.yaml"
    text = f"controls:\n  - {first}\n  - {second}\n {top}\n"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load(path)
    [problem] = err.value.problems
    key = top.split(":")[0]
    spaces = re.search(rf"; indent {key}: (\d+) spaces, beside controls: \(line 1\), or ", problem)[1]
    path.write_text(text.replace(f" {top}", " " * int(spaces) + top))
    loaded = load(path)
    if kind == "midi":
        assert [knob.channel for knob in loaded.knobs] == [1, 1]
    else:
        assert loaded.ignore == ("/c",) and len(loaded.faders) == 2


@pytest.mark.parametrize("command", ["[go 2, freeze]", "[back, freeze]", "[status, next]", "[next, quit]"])
def test_a_controls_list_of_commands_a_cue_refuses_is_offered_no_cue(tmp_path, command):
    """`command: [go 2, freeze]` was offered the cue {name: go 2 and freeze, do: [go 2, freeze]}, which a show
    refuses ("go is not allowed in a cue"): the string form `go 2; freeze` was screened, the list was not."""
    from vcam.control.show import load_show
    from vcam.control.yamlproblems import ConfigError

    lines = command.strip("[]").split(", ")
    path, problem = map_refusal(tmp_path, f"- {{cc: 47, command: {command}}}")
    assert problem == (f"{path}:2: MIDI map control 1 command: a control sends one command: {' and '.join(lines)} are "
                       "2 commands, each sent by a control of its own")
    show = tmp_path / "show.yaml"
    show.write_text(f"presets:\n  - {{name: a, prompt: a}}\ncues:\n  - {{name: both, do: {command}}}\n")
    with pytest.raises(ConfigError):
        load_show(show)


def test_cues_offered_to_controls_are_named_apart_from_the_shows_cues_and_each_other(tmp_path):
    """Two controls were both offered a cue named `together`, and one a cue named as a cue of the show: loaded back,
    `go` with that name fired the first cue of it, not the one offered. Each is offered a name of its own."""
    import re

    import yaml

    from vcam.control.cuesheet import cue_index
    from vcam.control.show import load_show, parse_show
    from vcam.control.yamlproblems import ConfigError

    cues = "  - {name: seed 5 and freeze, do: [seed 6]}\n  - {name: together, do: [seed 7]}\n"
    together = "[freeze, 'prompt a city, at night']"  # no name of its commands: offered as `together`
    controls = {45: "[seed 5, freeze]", 46: together, 47: together}
    text = "presets:\n  - {name: a, prompt: a}\ncues:\n" + cues + "midi:\n  controls:\n" + "".join(
        f"    - {{cc: {cc}, command: {command}}}\n" for cc, command in controls.items())
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    offers = [re.search(r"add a cue to the show's cues:, (\{.*\}), and write command: (go [^(]+?) \(", problem)
              for problem in err.value.problems]
    assert all(offers), err.value.problems
    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a}\ncues:\n" + cues + "".join(f"  - {o[1]}\n" for o in offers) +
                    "midi:\n  controls:\n" + "".join(f"    - {{cc: {cc}, command: {o[2]}}}\n"
                                                     for cc, o in zip(controls, offers)))
    loaded = load_show(show)
    for button, command in zip(loaded.midi.buttons, controls.values()):
        assert button.command.name == "go"
        # of cues of one name, go reaches the first: a name taken fired the show's cue, not the one offered
        assert list(loaded.cues[cue_index(loaded.cues, button.command.args[0])].do) == yaml.safe_load(command)


def test_a_midi_map_named_for_a_controller_vcam_ships_none_for_says_how_to_make_one(tmp_path):
    """`--midi-map launchpad` listed the shipped maps alone, leaving the owner of a Launchpad nothing to give."""
    from vcam.control.midimap import map_named
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    learn = ("; for another controller, vcam midi learn prints the line of each control touched, to save as a map "
             "file")
    with pytest.raises(ValueError) as err:
        map_named("launchpad")
    assert str(err.value) == f"MIDI map 'launchpad' not found; shipped maps: apc-mini-mk2, midimix, nanokontrol2{learn}"
    for near in ("nanokontrol", "pads/launchpad.yaml"):  # a slip for a shipped one, or a file's path: as before
        with pytest.raises(ValueError) as err:
            map_named(near)
        assert "vcam midi learn" not in str(err.value)
    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b}\nmidi:\n  map: launchpad\n", str(tmp_path / "show.yaml"))
    assert err.value.problems[0].endswith(learn), err.value.problems


@pytest.mark.parametrize("args, dest", [(["run", "--midi-map=--"], "midi_map"), (["run", "--midi=--"], "midi"),
                                        (["cam", "ws://127.0.0.1:1", "--midi-map=--"], "midi_map"),
                                        (["cam", "ws://127.0.0.1:1", "--midi=--"], "midi"),
                                        (["midi", "learn", "--midi=--"], "midi")])
def test_a_controller_flag_given_dashes_is_handed_on_as_dashes(args, dest):
    """`--midi-map=--` (a map file named --) was handed on as [], a map read as none, unsaid: only --midi read its
    -- back."""
    from vcam.cmdline.parser import build_parser

    assert getattr(build_parser().parse_args(args), dest) == "--"
