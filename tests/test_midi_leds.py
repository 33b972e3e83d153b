"""A controller's buttons lit as the show is: the pad of the preset on air, the button of the screen mode on, the
others dark, on the controller's output port, whatever changed the show (the console, a pad, a reload)."""
import mido
import pytest

import fake_midi
from helpers import map_refusal, wait_for
from test_midi_router import SHOW
from vcam.control.controller import Controller
from vcam.control.midi import MidiRouter, is_loopback, output_for
from vcam.control.midiinput import routed_input
from vcam.control import midi as midi_module
from vcam.control.midileds import PadLights, lit, wire_lights
from vcam.control.midimap import Button, Light, MidiMap, find_map_file, load_map
from vcam.control.show import parse_show

MIX = "Fake MIDImix"


def note(n, velocity, channel=0):
    return mido.Message("note_on", note=n, velocity=velocity, channel=channel)


def controller() -> Controller:
    from test_midi_router import server_controller

    return server_controller()


def sent(name=MIX) -> list:
    with fake_midi.LOCK:
        return list(fake_midi.SENT.get(name, []))


def last_of(n: int, name=MIX):
    """The last velocity sent to note `n`, None where none was."""
    return next((m.velocity for m in reversed(sent(name)) if m.type == "note_on" and m.note == n), None)


class Show:
    """A show with the MIDImix's shipped map, its input and lights started; stopped at the end of the test."""

    def __init__(self, mapping=None, verbose=False):
        self.said: list[str] = []
        self.controller = controller()
        self.router = MidiRouter(mapping or load_map(find_map_file("midimix", None)), self.controller, self.said.append)
        self.input = routed_input(MIX, self.router, self.said.append)
        self.input.poll = 0.02
        self.lights = wire_lights(self.router, self.controller, self.input, self.said.append, verbose)

    def __enter__(self):
        self.input.start()
        self.lights.start()
        return self

    def __exit__(self, *exc):
        self.lights.stop()
        self.input.stop()
        self.controller.close()


@pytest.fixture
def mix_out(fake_midi_backend):
    fake_midi.OUTPUTS.add(MIX)
    return fake_midi_backend


# --- the map -----------------------------------------------------------------------------------------------------

def test_the_shipped_maps_say_how_their_buttons_light():
    apc = load_map(find_map_file("apc-mini-mk2", None))
    pad = next(b for b in apc.buttons if b.note == 0)
    scene = next(b for b in apc.buttons if b.note == 112)
    assert pad.light == Light(21, 6)  # green at full brightness (channel 7)
    assert scene.light == Light(1, 0)  # a scene button's one colour, on channel 1
    mix = load_map(find_map_file("midimix", None))
    assert {b.light for b in mix.buttons} == {Light(127, None)}
    assert all(b.light is None for b in load_map(find_map_file("nanokontrol2", None)).buttons)


def test_a_shows_own_buttons_light_as_its_map_files_unless_it_says_otherwise():
    built = parse_show(SHOW + "midi:\n  map: midimix\n  controls:\n    - {note: 40, command: freeze}\n", "show.yaml")
    assert next(b for b in built.midi.buttons if b.note == 40).light == Light(127, None)
    own = parse_show(SHOW + "midi:\n  map: midimix\n  light: {velocity: 3, channel: 2}\n"
                     "  controls:\n    - {note: 40, command: freeze}\n", "show.yaml")
    assert next(b for b in own.midi.buttons if b.note == 40).light == Light(3, 1)
    assert next(b for b in own.midi.buttons if b.note == 1).light == Light(127, None)  # the file's own


@pytest.mark.parametrize("entry, said", [
    ("- {note: 1, command: freeze, light: {velocity: 0}}",
     ":2: MIDI map control 1 light velocity 0 is out of range (1 to 127)"),
    ("- {note: 1, command: freeze, light: {channel: 2}}", ":2: MIDI map control 1 light: give the velocity (1-127)"),
    ("- {note: 1, command: freeze, light: {}}", ":2: MIDI map control 1 light: give the velocity (1-127)"),
    ("- {note: 1, command: freeze}\nlight: {}", ":3: MIDI map light: give the velocity (1-127)"),
    ("- {note: 1, command: freeze, light: [127]}", ":2: MIDI map control 1 light must be a mapping of key: value"),
    ("- {note: 1, command: freeze, light: {velocity: 1, colour: red}}",
     ":2: MIDI map control 1 light: unknown key 'colour'"),
    ("- {cc: 1, param: blend, light: {velocity: 1}}",
     ":2: MIDI map control 1: light is for a button (command:), whose LED it lights; a knob or fader has none"),
])
def test_a_light_written_wrong_is_said_at_its_line(tmp_path, entry, said):
    path, problem = map_refusal(tmp_path, entry)
    assert problem.startswith(f"{path}{said}"), problem


def test_an_empty_light_refuses_the_show_rather_than_dropping_its_button():
    from vcam.control.yamlproblems import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_show(SHOW + "midi:\n  controls:\n    - {note: 40, command: freeze, light: {}}\n"
                   "    - {note: 41, command: live}\n", "show.yaml")
    assert [p for p in err.value.problems if "give the velocity" in p], err.value.problems


def test_only_the_button_of_the_preset_and_the_screen_mode_on_air_is_lit():
    mapping = load_map(find_map_file("midimix", None))
    show = parse_show(SHOW, "show.yaml")
    leds = lit(mapping, show, 1, "freeze")
    assert leds[("note", 0, 4)] == 127  # preset 2
    assert leds[("note", 0, 3)] == 127  # freeze
    assert leds[("note", 0, 1)] == 0 and leds[("note", 0, 6)] == 0  # preset 1, blackout
    assert sum(v > 0 for v in leds.values()) == 2
    assert sum(v > 0 for v in lit(mapping, show, None, "live").values()) == 1  # a typed prompt: live alone


def test_a_preset_button_by_name_is_lit_and_one_the_show_lacks_stays_dark():
    buttons = "- {note: 1, command: preset ocean}\n  - {note: 2, command: preset 9}"
    mapping = load_map_text(buttons + "\nlight: {velocity: 5}")
    leds = lit(mapping, parse_show(SHOW, "show.yaml"), 1, "live")
    assert leds == {("note", 0, 1): 5, ("note", 0, 2): 0}


def load_map_text(text):
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "map.yaml"
        path.write_text(f"controls:\n  {text}\n")
        return load_map(path)


def test_the_output_is_the_same_devices_and_never_another_controllers():
    assert output_for(MIX, [MIX], ["Fake nanoKONTROL2 MIDI 1", MIX]) == MIX
    assert output_for(MIX, [MIX], ["Fake nanoKONTROL2 MIDI 1"]) is None
    alsa, other = "MIDI Mix:MIDI Mix MIDI 1 20:0", "MIDI Mix:MIDI Mix MIDI 1 24:0"
    # the opened unit has no output: another unit of its make is not lit in its place
    assert output_for(alsa, [alsa, other], [other]) is None
    # two of one make: the one whose input was opened, not the first listed
    assert output_for(alsa, [other, alsa], [other, alsa]) == alsa


WIN_INPUTS = ["MIDI Mix 0", "MIDI Mix 1"]


def test_on_windows_the_nth_input_of_a_name_is_lit_on_the_nth_output_of_that_name(monkeypatch):
    """Windows numbers inputs and outputs apart: output 'MIDI Mix 1' is the first unit's where a synth is listed
    first among the outputs."""
    monkeypatch.setattr(midi_module.sys, "platform", "win32")
    outputs = ["Microsoft GS Wavetable Synth 0", "MIDI Mix 1", "MIDI Mix 2"]
    assert output_for("MIDI Mix 1", WIN_INPUTS, outputs) == "MIDI Mix 2"
    assert output_for("MIDI Mix 0", WIN_INPUTS, outputs) == "MIDI Mix 1"
    assert output_for("MIDI Mix 0", ["MIDI Mix 0"], ["Microsoft GS Wavetable Synth 0"]) is None


def win_lights(monkeypatch, fake, outputs, verbose=False):
    """Lights of the MIDImix map opened on Windows' 'MIDI Mix 1', beside a 'MIDI Mix 0', with `outputs` listed."""
    monkeypatch.setattr(midi_module.sys, "platform", "win32")
    fake.PRESENT.update(WIN_INPUTS)
    fake.OUTPUTS.update(outputs)
    said = []
    mapping = load_map(find_map_file("midimix", None))
    lights = PadLights(lambda: mapping, lambda: (None, None, "live"), said.append, verbose)
    lights.opened("MIDI Mix 1")
    lights.update()
    return lights, said


def test_on_windows_the_opened_units_output_is_lit_not_the_one_of_its_name(fake_midi_backend, monkeypatch):
    lights, said = win_lights(monkeypatch, fake_midi_backend, ["Microsoft GS Wavetable Synth 0", "MIDI Mix 1",
                                                               "MIDI Mix 2"])
    lights.stop()
    assert sent("MIDI Mix 2") and not sent("MIDI Mix 1"), said


def test_on_windows_outputs_that_cannot_be_told_apart_light_nothing_and_say_why_once(fake_midi_backend, monkeypatch):
    lights, said = win_lights(monkeypatch, fake_midi_backend, ["MIDI Mix 0"])
    lights.opened("MIDI Mix 1")  # opened again (a replug): said again, once
    lights.stop()
    assert fake_midi_backend.SENT == {}
    assert said == ["MIDI: the buttons of MIDI Mix 1 are not lit: the inputs list 2 ports and the outputs 1 port named "
                    "'MIDI Mix', so which output is its own cannot be told; plug in one controller of that name at a "
                    "time for its lights"] * 2


@pytest.mark.parametrize("name, loop", [
    ("Midi Through:Midi Through Port-0 14:0", True), ("IAC Driver Bus 1", True), ("loopMIDI Port 1", True),
    ("LoopBe Internal MIDI 0", True), ("a2j:Midi Through [14] (capture): Midi Through Port-0", True),
    ("MIDI Mix:MIDI Mix MIDI 1 20:0", False), ("APC mini mk2 Control", False), (MIX, False),
    ("Gestionnaire IAC Bus 1", True), ("Passthrough Pedal", False), ("Breakthrough:Breakthrough MIDI 1 20:0", False),
    ("Iachetti Pad", False)])
def test_a_loopback_port_is_told_from_a_controller(name, loop):
    assert is_loopback(name) is loop


@pytest.mark.parametrize("verbose", [False, True])
def test_a_loopback_input_gets_no_lights_which_would_come_back_as_presses(fake_midi_backend, verbose):
    port = "IAC Driver Bus 1"
    fake_midi_backend.PRESENT.add(port)
    fake_midi_backend.OUTPUTS.add(port)
    said = []
    mapping = load_map(find_map_file("midimix", None))
    lights = PadLights(lambda: mapping, lambda: (None, None, "freeze"), said.append, verbose)
    lights.opened(port)
    lights.update()
    lights.stop()
    assert fake_midi_backend.SENT == {}
    assert said == (["MIDI: the buttons of IAC Driver Bus 1 are not lit: it is a loopback port, which would hand each "
                     "light back to vcam as a press"] if verbose else [])


def test_a_send_that_fails_as_the_show_ends_promises_no_return(mix_out):
    said = []
    mapping = load_map(find_map_file("midimix", None))
    lights = PadLights(lambda: mapping, lambda: (None, None, "freeze"), said.append)
    lights.opened(MIX)
    assert last_of(3) == 127  # freeze lit
    fake_midi.OUTPUTS.discard(MIX)  # unplugged as the show ends
    lights.stop()
    assert said == ["MIDI: the lights of Fake MIDImix could not be darkened as the show ends: sending to it failed "
                    "(OSError: port 'Fake MIDImix' is gone)"]


def test_a_light_goes_on_the_buttons_own_channel_and_a_cc_buttons_by_its_cc(mix_out):
    mapping = load_map_text("- {note: 1, command: freeze, channel: 2}\n  - {cc: 41, command: live}\n"
                            "  - {note: 2, command: blackout, channel: 2, light: {velocity: 9, channel: 5}}\n"
                            "light: {velocity: 127}")
    assert lit(mapping, None, None, "live") == {("note", 1, 1): 0, ("cc", 0, 41): 127, ("note", 4, 2): 0}
    c = controller()
    lights = PadLights(lambda: mapping, c.on_air, lambda s: None)
    lights.opened(MIX)
    assert [m for m in sent() if m.type == "control_change"] == [
        mido.Message("control_change", channel=0, control=41, value=127)]
    lights.stop()
    c.close()


# --- on the controller ---------------------------------------------------------------------------------------------

def test_the_preset_on_air_is_lit_as_the_show_starts_and_moves_with_every_change(mix_out):
    with Show() as show:
        assert wait_for(lambda: last_of(1) == 127)  # preset 1 on air
        assert last_of(4) == 0 and last_of(3) == 0  # preset 2 and freeze dark
        show.controller.handle_line("preset 2", "stdin")  # the console
        assert wait_for(lambda: last_of(4) == 127 and last_of(1) == 0)
        fake_midi.send(MIX, note(7, 127))  # a pad: preset 3
        assert wait_for(lambda: last_of(7) == 127 and last_of(4) == 0)
        show.controller.handle_line("freeze", "stdin")
        assert wait_for(lambda: last_of(3) == 127)
        show.controller.handle_line("blackout", "osc")  # another source: the freeze button goes dark
        assert wait_for(lambda: last_of(6) == 127 and last_of(3) == 0)
    assert [m for m in sent() if m.type != "note_on"] == []


def test_a_faders_sweep_sends_nothing_to_the_lights(mix_out):
    with Show() as show:
        assert wait_for(lambda: last_of(1) == 127)
        assert wait_for(lambda: len(sent()) == 14)  # each of the map's 14 buttons once
        for value in range(0, 128, 8):
            show.controller.set_param("transition", value / 8, "midi")
        show.controller.handle_line("preset 2", "stdin")  # after the sweep: its lights are the last sent
        assert wait_for(lambda: last_of(4) == 127)
        assert len(sent()) == 16  # preset 1 dark, preset 2 lit, nothing for the sweep


def test_the_show_ending_darkens_what_it_lit(mix_out):
    with Show():
        assert wait_for(lambda: last_of(1) == 127)
    assert last_of(1) == 0
    assert all(last_of(m.note) == 0 for m in sent())


def test_a_map_saved_without_lights_darkens_them(mix_out):
    with Show() as show:
        assert wait_for(lambda: last_of(1) == 127)
        show.router.mapping = MidiMap(buttons=tuple(Button(b.command, note=b.note, channel=b.channel)
                                                    for b in show.router.mapping.buttons))
        assert wait_for(lambda: last_of(1) == 0)


def test_a_controller_without_an_output_gets_nothing_and_is_said_only_when_asked(fake_midi_backend):
    with Show() as show:
        show.controller.handle_line("preset 2", "stdin")
        assert wait_for(lambda: show.controller.state.preset == 1)
    assert not [line for line in show.said if "output" in line or "lit" in line], show.said
    with Show(verbose=True) as show:
        show.controller.handle_line("preset 2", "stdin")
        show.controller.handle_line("preset 3", "stdin")
        assert wait_for(lambda: any("no output port" in line for line in show.said))
    assert [line for line in show.said if "no output" in line] == [
        "MIDI: the buttons of Fake MIDImix are not lit: it has no output port"]
    assert fake_midi.SENT == {}


def test_a_map_without_lights_opens_no_output(mix_out, monkeypatch):
    opened = []
    real = mido.open_output
    monkeypatch.setattr(mido, "open_output", lambda *a, **k: opened.append(a) or real(*a, **k))
    with Show(load_map(find_map_file("nanokontrol2", None))) as show:
        show.controller.handle_line("preset 2", "stdin")
        assert wait_for(lambda: show.controller.state.preset == 1)
    assert opened == [] and fake_midi.SENT == {}


def test_an_output_that_fails_is_said_once_and_the_show_goes_on(mix_out):
    with Show() as show:
        assert wait_for(lambda: last_of(1) == 127)
        fake_midi.OUTPUTS.discard(MIX)  # sending fails from now on
        for n in (2, 3, 1, 2):
            assert show.controller.handle_line(f"preset {n}", "stdin").startswith("preset")
        assert wait_for(lambda: any("sending to it failed" in line for line in show.said))
        fake_midi.send(MIX, note(7, 127))
        assert wait_for(lambda: show.controller.state.preset == 2)  # the pads still act
    assert len([line for line in show.said if "lights" in line]) == 1, show.said


def test_an_output_that_cannot_be_opened_is_said_once_and_the_show_goes_on(mix_out, monkeypatch):
    def refused(*a, **k):
        raise OSError("device busy")

    monkeypatch.setattr(mido, "open_output", refused)
    with Show() as show:
        for n in (2, 3):
            show.controller.handle_line(f"preset {n}", "stdin")
        assert wait_for(lambda: any("could not be opened (OSError: device busy)" in line for line in show.said))
        fake_midi.send(MIX, note(1, 127))
        assert wait_for(lambda: show.controller.state.preset == 0)
    assert len([line for line in show.said if "lights" in line]) == 1, show.said


def test_a_controller_plugged_back_in_is_lit_afresh(mix_out):
    with Show() as show:
        assert wait_for(lambda: last_of(1) == 127)
        fake_midi.unplug(MIX)
        assert wait_for(lambda: any("unplugged" in line for line in show.said))
        with fake_midi.LOCK:
            fake_midi.SENT.clear()
        fake_midi.plug(MIX)
        assert wait_for(lambda: any("is back" in line for line in show.said))
        assert wait_for(lambda: last_of(1) == 127)  # dark after its power cycle: sent again


def test_lights_stopped_are_told_nothing_more(mix_out):
    c = controller()
    mapping = load_map(find_map_file("midimix", None))
    lights = PadLights(lambda: mapping, c.on_air, lambda s: None)
    lights.opened(MIX)
    assert last_of(1) == 127
    lights.stop()
    count = len(sent())
    lights.update()
    lights.opened(MIX)
    assert len(sent()) == count
    c.close()


def test_lights_that_fail_as_the_input_opens_are_said_once_and_the_controls_act(mix_out):
    def broken(name):
        raise RuntimeError("no lights today")

    with Show() as show:
        show.input.on_opened = broken
        fake_midi.unplug(MIX)
        assert wait_for(lambda: any("unplugged" in line for line in show.said))
        fake_midi.plug(MIX)
        assert wait_for(lambda: any("is back" in line for line in show.said))
        fake_midi.unplug(MIX)
        assert wait_for(lambda: sum("unplugged" in line for line in show.said) == 2)
        fake_midi.plug(MIX)
        assert wait_for(lambda: sum("is back" in line for line in show.said) == 2)
        fake_midi.send(MIX, note(4, 127))
        assert wait_for(lambda: show.controller.state.preset == 1)
    assert [line for line in show.said if "could not follow" in line] == [
        "MIDI: the pad lights could not follow Fake MIDImix as it opened (RuntimeError: no lights today); its controls "
        "act as before"]


def test_vcam_cam_lights_its_controller_as_the_server_says_its_show_is(mix_out):
    from vcam.remote.client import cam_midi_parts
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True)
    said = []
    parts = cam_midi_parts(MIX, load_map(find_map_file("midimix", None)), remote, said.append)
    try:
        for part in parts:
            part.start()
        remote.update({"presets": ["neon city", "forest", "ocean"], "preset": "Forest", "screen": "freeze"})
        assert wait_for(lambda: last_of(4) == 127 and last_of(3) == 127), said  # preset 2, freeze
        assert last_of(1) == 0 and last_of(9) == 0
        remote.update({"preset": None, "screen": "live"})  # a typed prompt on air
        assert wait_for(lambda: last_of(4) == 0 and last_of(3) == 0 and last_of(9) == 127)
        remote.update({"preset": "ocean", "preset_removed": True})  # a reload took it out: nothing of it is lit
        assert last_of(7) == 0
    finally:
        for part in reversed(parts):
            part.stop()
    assert all(last_of(m.note) == 0 for m in sent())


def test_vcam_cams_lights_find_a_button_preset_by_its_name_on_the_server():
    from vcam.remote.controller import RemoteController

    remote = RemoteController(lambda line: True)
    remote.update({"presets": ["neon city", "ocean"], "preset": "ocean", "screen": "live"})
    mapping = load_map_text("- {note: 1, command: preset OCEAN}\n  - {note: 2, command: preset 1}\n"
                            "  - {note: 3, command: preset 9}\nlight: {velocity: 5}")
    assert lit(mapping, *remote.on_air()) == {("note", 0, 1): 5, ("note", 0, 2): 0, ("note", 0, 3): 0}


@pytest.mark.parametrize("light", ["off", "false", "0", "no", "None"])
def test_a_light_written_off_is_told_to_be_left_out(tmp_path, light):
    """`light: off` was told to write light: {velocity: 127}, which lights the LED it meant dark."""
    path, problem = map_refusal(tmp_path, f"- {{note: 36, command: next, light: {light}}}")
    assert problem == (f"{path}:2: MIDI map control 1 light: {light} is no light: a button is unlit unless a light: is "
                       "given for it or at the top of its map, so leave light: out")


@pytest.mark.parametrize("light, velocity", [("1", 1), ("127", 127), ("true", 127), ("green", 127), ("300", 127)])
@pytest.mark.parametrize("top", [True, False], ids=["the map's", "a button's"])
def test_a_light_given_as_one_value_is_told_the_form_with_its_velocity(tmp_path, light, velocity, top):
    """`light: 127` was told "must be a mapping of key: value lines", with no word of what to write."""
    from vcam.control.yamlproblems import ConfigError

    entry = "{note: 36, command: next}" if top else f"{{note: 36, command: next, light: {light}}}"
    path = tmp_path / "map.yaml"
    path.write_text((f"light: {light}\n" if top else "") + f"controls:\n  - {entry}\n")
    with pytest.raises(ConfigError) as err:
        load_map(path)
    [problem] = err.value.problems
    what = "MIDI map" if top else "MIDI map control 1"
    assert problem.endswith(f"{what} light takes the velocity that lights the button's LED, 1-127, as light: "
                            f"{{velocity: {velocity}}} (the controller's manual says which; channel: 1-16 beside it "
                            "where the LED is lit on another channel than the button's)"), problem
