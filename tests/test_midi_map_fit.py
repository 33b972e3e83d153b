"""A map made for another controller than the one plugged in: said once, and never for a map that fits."""
import dataclasses
from pathlib import Path

import mido
import pytest

from test_midi_router import server_controller
from vcam.control.midi import MidiRouter
from vcam.control.midimap import find_map_file, load_map

NANO = "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0"
MIDIMIX = "MIDI Mix:MIDI Mix MIDI 1 24:0"
APC = "APC mini mk2:APC mini mk2 APC mini mk2 Contr 28:0"
# the CCs each sends in its factory layout (its other buttons and pads send notes)
CCS = {NANO: [*range(0, 8), *range(16, 24), *range(32, 40), *range(48, 56), *range(64, 72), *range(41, 47),
              *range(58, 63)],
       MIDIMIX: [*range(16, 32), *range(46, 63)],
       APC: [*range(48, 57)]}
MAPS = {NANO: "nanokontrol2", MIDIMIX: "midimix", APC: "apc-mini-mk2"}


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


def sweeps(controls, times=2):
    """Each of `controls` swept up and down `times` over, one after the other, as a VJ tries them."""
    return [cc(c, v) for _ in range(times) for c in controls for v in [*range(0, 128, 4), *range(127, 0, -4)]]


def played(mapping, port, msgs):
    router = MidiRouter(mapping, server_controller())
    router.port = lambda: port
    return [str(r) for msg in msgs if (r := router.handle(msg)) and "another controller" in r]


def test_a_map_for_another_controller_is_said_once_with_the_ccs_it_reads_and_those_that_came():
    """The nanoKONTROL2's map on an APC mini mk2: its faders moved nothing, without a word."""
    said = played(load_map(find_map_file("nanokontrol2", None)), APC, sweeps(CCS[APC]))
    assert said == ["MIDI: 321 control changes came from APC mini mk2:APC mini mk2 APC mini mk2 Contr 28:0 on CC "
                    "48-53, and none on a CC the map (Korg nanoKONTROL2) reads (CC 0, 16-19, 32-39, 41-42, 45-46, "
                    "58-59): the map may be for another controller; vcam midi learn --midi 'APC mini mk2:APC mini mk2 "
                    "APC mini mk2 Contr' prints the lines to map this one's controls"], said


@pytest.mark.parametrize("port", [NANO, MIDIMIX, APC])
def test_a_shipped_map_on_its_own_controller_is_never_said_to_be_another_s(port):
    """Played on the controls it does not read alone (a MIDImix's channel faders, its map reading the master), the
    map that fits is the controller's by its name; unnamed (a user's copy), played as a VJ tries a controller, from
    its first fader on, its CCs come."""
    mapping = load_map(find_map_file(MAPS[port], None))
    read = {e.cc for e in mapping.knobs + mapping.buttons}
    assert played(mapping, port, sweeps([c for c in CCS[port] if c not in read], 4)) == []
    assert played(dataclasses.replace(mapping, name=""), port, sweeps(CCS[port], 4)) == []


def test_notes_program_changes_and_nrpn_parts_are_not_counted_as_a_controllers_ccs():
    """An APC's pads (notes) on a map of CCs, a pedal's program changes, an NRPN knob's CC 99/98/6/38: none is a CC
    the map could have read."""
    mapping = dataclasses.replace(load_map(find_map_file("nanokontrol2", None)), name="")
    others = [mido.Message("note_on", note=n % 64, velocity=100) for n in range(300)]
    others += [mido.Message("program_change", program=p % 8) for p in range(100)]
    nrpn = [cc(c, v) for v in range(60) for c, v in ((99, 1), (98, v), (6, v), (38, 0))]
    assert played(mapping, APC, others + sweeps([48, 49, 50, 51, 52]) + nrpn) == []
    assert played(mapping, APC, sweeps([48, 49, 50, 51, 52, 53])) != []  # a sixth fader: said


@pytest.mark.parametrize("show", ["club", "example", "restyle-camera"])
def test_the_shipped_shows_maps_are_never_said_to_be_another_controllers_on_the_nanokontrol2(show):
    """The shows' maps (the nanoKONTROL2's with the show's own controls) on the controller they are written for."""
    from vcam.control.show import load_show

    mapping = load_show(Path(__file__).parent.parent / "presets" / f"{show}.yaml").midi
    read = {e.cc for e in mapping.knobs + mapping.buttons}
    assert played(mapping, NANO, sweeps([c for c in CCS[NANO] if c not in read], 4)) == []
    assert played(dataclasses.replace(mapping, name=""), NANO, sweeps(CCS[NANO], 4)) == []


def note(n, velocity=100, channel=0):
    return mido.Message("note_on", note=n, velocity=velocity, channel=channel)


def written_map(tmp_path, text):
    path = tmp_path / "mine.yaml"
    path.write_text(text)
    return load_map(path)


def test_a_note_the_map_reads_settles_that_the_map_is_the_controllers(tmp_path):
    """An APC mini mk2's hand-written map, its pads and its master fader: the pads pressed (they act), then six
    channel faders it does not read moved; once a pad the map reads came, the map is this controller's."""
    mapping = written_map(tmp_path, "controls:\n  - {note: 0, command: preset 1}\n  - {note: 1, command: preset 2}\n"
                                    "  - {cc: 56, param: blend}\n")
    assert played(mapping, APC, [note(0), note(1)] + sweeps([48, 49, 50, 51, 52, 53])) == []
    assert played(mapping, APC, [note(30)] + sweeps([48, 49, 50, 51, 52, 53])) != []  # a pad it does not read


def test_a_keyboards_keys_the_map_reads_settle_it_whatever_its_wheels_and_pedals_send(tmp_path):
    """Keys mapped and one knob (CC 74): the mod wheel, volume, pan, expression, sustain and reverb send CCs the map
    does not read, as they do on every keyboard."""
    mapping = written_map(tmp_path, "controls:\n  - {note: 60, command: next}\n  - {cc: 74, param: blend}\n")
    played_so = [note(60)] + sweeps([1, 7, 10, 11, 64, 91])
    assert played(mapping, "Keystation 49:Keystation 49 MIDI 1 20:0", played_so) == []


def test_a_program_change_the_map_reads_settles_it(tmp_path):
    mapping = written_map(tmp_path, "controls:\n  - {program: presets}\n  - {cc: 74, param: blend}\n")
    msgs = [mido.Message("program_change", program=1)] + sweeps([1, 7, 10, 11, 64, 91])
    assert played(mapping, "FCB1010:FCB1010 MIDI 1 20:0", msgs) == []


def test_the_port_the_shows_own_controls_are_written_for_names_their_controller(tmp_path):
    """A show's section with its own controls and port: naming the controller plugged in is that controller's, as
    a map's name: is; one that builds on another controller's map file is not made the plugged-in one's by the
    port: that opens it."""
    from vcam.control.show import parse_show

    own = parse_show("presets:\n  - {name: city, prompt: a city}\nmidi:\n  port: APC mini mk2\n  controls:\n"
                     "    - {cc: 56, param: blend}\n", str(tmp_path / "show.yaml"))
    router = MidiRouter(own.midi, server_controller())
    router.port, router.written_port = lambda: APC, own.midi_port
    assert [r for m in sweeps([48, 49, 50, 51, 52, 53]) if (r := router.handle(m)) and "another" in r] == []
    theirs = parse_show("presets:\n  - {name: city, prompt: a city}\nmidi:\n  port: APC mini mk2\n"
                        "  map: nanokontrol2\n", str(tmp_path / "show.yaml"))
    router = MidiRouter(theirs.midi, server_controller())
    router.port, router.written_port = lambda: APC, theirs.midi_port
    assert [r for m in sweeps([48, 49, 50, 51, 52, 53]) if (r := router.handle(m)) and "another" in r] != []


def test_vcam_run_gives_the_router_the_port_its_shows_own_map_is_written_for(tmp_path, monkeypatch):
    """Where --midi-map gives the map, the show's port: says nothing of it."""
    from types import SimpleNamespace

    from vcam.control import midileds
    from vcam.control.show import parse_show
    from vcam.control.tempo import Tempo
    from vcam.live import run

    monkeypatch.setattr(midileds, "midi_parts", lambda *a, **k: [])
    show = parse_show("presets:\n  - {name: city, prompt: a city}\nmidi:\n  port: APC mini mk2\n  controls:\n"
                      "    - {cc: 56, param: blend}\n", str(tmp_path / "show.yaml"))
    opts = SimpleNamespace(link=False, midi=None, show=str(tmp_path / "show.yaml"), log_controls=None)
    ports = []
    for given in (None, tmp_path / "other.yaml"):
        prep = SimpleNamespace(midi=("APC mini mk2", show.midi, given), show=show)
        ports.append(run._midi_parts(prep, opts, server_controller(), Tempo(), lambda s: None, []).written_port)
    assert ports == ["APC mini mk2", None]


def test_a_panics_channel_mode_messages_are_not_counted_as_a_controllers_ccs():
    """A panic button sends CC 120-127 (all sound off, reset, all notes off…) on all 16 channels: 128 messages on
    8 CCs, not one a control's."""
    mapping = dataclasses.replace(load_map(find_map_file("nanokontrol2", None)), name="")
    panic = [cc(c, 0, channel) for channel in range(16) for c in range(120, 128)]
    assert played(mapping, APC, panic) == []
    assert played(mapping, APC, panic + sweeps([48, 49, 50, 51, 52, 53])) != []  # the faders still said


def test_what_the_map_reads_and_names_is_worked_out_once_for_each_map_not_for_each_control_change(monkeypatch):
    """A show on a controller with fewer than 6 CCs the map does not read counts all night: each of its control
    changes must not go through the map's every entry and the port's name again."""
    from vcam.control import midi

    worked = []
    monkeypatch.setattr(midi, "map_ccs", lambda m, ccs=midi.map_ccs: (worked.append("ccs"), ccs(m))[1])
    monkeypatch.setattr(midi, "names_port", lambda n, p, names=midi.names_port: (worked.append("name"), names(n, p))[1])
    mapping = load_map(find_map_file("nanokontrol2", None))
    router = MidiRouter(mapping, server_controller())
    router.port = lambda: APC
    for msg in sweeps([48, 49]):
        router.handle(msg)
    assert worked == ["ccs", "name"]
    router.mapping = load_map(find_map_file("midimix", None))  # a map saved on air: worked out anew
    for msg in sweeps([48, 49]):
        router.handle(msg)
    assert worked == ["ccs", "name"] * 2


def test_a_map_reloaded_as_the_count_is_done_does_not_empty_the_line_said():
    """The show file saved on air just as the 100th control change is weighed: the line says the count it is for."""
    router = MidiRouter(dataclasses.replace(load_map(find_map_file("nanokontrol2", None)), name=""),
                        server_controller())

    def port():
        if router._fit.done and router.mapping.name != "saved":  # the reload lands on the show watcher's thread
            router.mapping = dataclasses.replace(router.mapping, name="saved")
        return APC

    router.port = port
    said = [str(r) for msg in sweeps([48, 49, 50, 51, 52, 53], 1) if (r := router.handle(msg)) and "another" in r]
    assert len(said) == 1 and said[0].startswith("MIDI: 321 control changes came from APC"), said
    assert "on CC 48-53, and none" in said[0], said


def test_the_learn_command_offered_for_a_port_with_an_apostrophe_pastes_as_written():
    """A controller named by its owner (Dave's Pads) was offered --midi 'Dave'"'"'s Pads:Dave'"'"'s Pads MIDI 1'."""
    mapping = dataclasses.replace(load_map(find_map_file("nanokontrol2", None)), name="")
    said = played(mapping, "Dave's Pads:Dave's Pads MIDI 1 20:0", sweeps([48, 49, 50, 51, 52, 53]))
    assert len(said) == 1 and said[0].endswith(
        """vcam midi learn --midi "Dave's Pads:Dave's Pads MIDI 1" prints the lines to map this one's controls"""), said
