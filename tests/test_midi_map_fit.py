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
