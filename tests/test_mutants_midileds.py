"""Pad lights where a slip in midileds.py would light a pad wrongly or leave it dark, which test_midi_leds.py does
not reach: two buttons on one LED, a map file's button a show's own replaces, a cc button's brightness, the output
let go on a replug, --log-controls through midi_parts, the input still told of a map saved on air, a change before
the controller opens, and a mangled port name."""
import mido
import pytest

import fake_midi
from helpers import wait_for
from test_midi_leds import MIX, controller, load_map_text, sent
from test_midi_router import SHOW
from vcam.control.midi import MidiRouter
from vcam.control.midiinput import routed_input
from vcam.control.midileds import PadLights, lit, midi_parts, wire_lights
from vcam.control.midimap import find_map_file, load_map
from vcam.control.show import parse_show


@pytest.fixture
def mix_out(fake_midi_backend):
    fake_midi.OUTPUTS.add(MIX)
    return fake_midi_backend


def test_two_buttons_on_one_led_show_the_lit_ones_velocity_whichever_is_listed_last():
    for first, second in (("freeze", "blackout"), ("blackout", "freeze")):
        mapping = load_map_text(f"- {{note: 1, channel: 2, command: {first}, light: {{velocity: 5, channel: 1}}}}\n"
                                f"  - {{note: 1, channel: 3, command: {second}, light: {{velocity: 5, channel: 1}}}}")
        assert lit(mapping, None, None, "freeze") == {("note", 0, 1): 5}, (first, second)


def test_a_map_files_button_a_shows_own_replaces_does_not_light_its_led():
    show = parse_show(SHOW + "midi:\n  map: midimix\n  controls:\n    - {note: 1, command: freeze}\n", "show.yaml")
    leds = lit(show.midi, show, 0, "live")  # preset 1 on air: the map file's button on note 1, now freeze's
    assert leds[("note", 0, 1)] == 0
    assert lit(show.midi, show, 0, "freeze")[("note", 0, 1)] == 127


def test_a_cc_buttons_light_has_the_velocity_its_map_gives(mix_out):
    mapping = load_map_text("- {cc: 41, command: live}\nlight: {velocity: 9}")
    lights = PadLights(lambda: mapping, lambda: (None, None, "live"), lambda s: None)
    lights.opened(MIX)
    lights.stop()
    assert sent() == [mido.Message("control_change", channel=0, control=41, value=9),
                      mido.Message("control_change", channel=0, control=41, value=0)]


def test_the_output_is_let_go_on_a_replug_and_as_the_show_ends(mix_out, monkeypatch):
    """An output left open keeps a Windows controller busy: opened again after a replug, it would stay dark."""
    ports = []
    real = mido.open_output
    monkeypatch.setattr(mido, "open_output", lambda *a, **k: ports.append(real(*a, **k)) or ports[-1])
    mapping = load_map(find_map_file("midimix", None))
    lights = PadLights(lambda: mapping, lambda: (None, None, "freeze"), lambda s: None)
    lights.opened(MIX)
    lights.opened(MIX)  # plugged back in
    assert len(ports) == 2 and ports[0].closed and not ports[1].closed
    lights.stop()
    assert ports[1].closed


def test_log_controls_says_a_controller_without_an_output_through_the_shows_midi_parts(fake_midi_backend):
    said = []
    c = controller()
    parts = midi_parts(MIX, MidiRouter(load_map(find_map_file("midimix", None)), c, said.append), c, said.append,
                       verbose=True)
    try:
        for part in parts:
            part.start()
        assert wait_for(lambda: "MIDI: the buttons of Fake MIDImix are not lit: it has no output port" in said), said
    finally:
        for part in reversed(parts):
            part.stop()
        c.close()


def test_the_input_is_still_told_of_a_map_saved_on_air_once_the_lights_follow_it(fake_midi_backend):
    c = controller()
    router = MidiRouter(load_map(find_map_file("midimix", None)), c, lambda s: None)
    midi_input = routed_input(MIX, router, lambda s: None)
    told = []
    router.on_remap = lambda: told.append("input")  # what routed_input hands the input (its inbox forgets merges)
    wire_lights(router, c, midi_input, lambda s: None)
    router.mapping = load_map(find_map_file("nanokontrol2", None))
    assert told == ["input"]
    c.close()


def test_a_change_before_the_controller_opens_says_nothing_and_the_lights_come_with_it(mix_out):
    said = []
    mapping = load_map(find_map_file("midimix", None))
    lights = PadLights(lambda: mapping, lambda: (None, None, "freeze"), said.append, verbose=True)
    lights.update()  # the show's state changed while its controller is still awaited
    assert said == [] and sent() == []
    lights.opened(MIX)
    lights.stop()
    assert said == [] and [m.velocity for m in sent() if m.note == 3] == [127, 0]


def test_a_controllers_name_is_said_as_its_maker_wrote_it_where_it_has_no_output(fake_midi_backend):
    mangled = "Mélodie Pad".encode("utf-8").decode("mac_roman")  # as python-rtmidi lists it on macOS
    fake_midi.PRESENT.add(mangled)
    said = []
    mapping = load_map(find_map_file("midimix", None))
    lights = PadLights(lambda: mapping, lambda: (None, None, "freeze"), said.append, verbose=True)
    lights.opened(mangled)
    lights.stop()
    assert said == ["MIDI: the buttons of Mélodie Pad are not lit: it has no output port"]
