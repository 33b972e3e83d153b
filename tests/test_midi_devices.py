"""The shipped maps against the controllers they are for, as those leave the factory: every control a map binds is
one the controller sends (its CC or note, on channel 1), and each button or pad pressed and let go as the controller
sends it (CC 127 then 0, or a note on then its release: a note off, or a note on at velocity 0) acts once, each knob
and fader swept end to end reaches its range's end."""
import threading

import mido
import pytest

from helpers import RecordingProducer
from vcam.control.controller import Controller, ShowState
from vcam.control.midi import MidiRouter
from vcam.control.midimap import find_map_file, load_map
from vcam.control.show import parse_show

# Factory layouts, channel 1 (Korg's and Akai's published MIDI charts).
NANOKONTROL2 = {
    "knobs": set(range(0, 8)) | set(range(16, 24)),  # faders, knobs
    "button ccs": set(range(32, 40)) | set(range(48, 56)) | set(range(64, 72)) | {41, 42, 43, 44, 45, 46}
    | {58, 59, 60, 61, 62},  # S, M, R; transport; track and marker
    "button notes": set(),
}
MIDIMIX = {
    "knobs": {16, 17, 18, 20, 21, 22, 24, 25, 26, 28, 29, 30, 46, 47, 48, 50, 51, 52, 54, 55, 56, 58, 59, 60}
    | {19, 23, 27, 31, 49, 53, 57, 61, 62},  # knobs, faders and the master fader
    "button ccs": set(),
    "button notes": set(range(1, 25, 3)) | set(range(3, 25, 3)) | {25, 26, 27},  # mute, rec arm; bank, solo
}
APC_MINI_MK2 = {
    "knobs": set(range(48, 57)),  # 8 faders and the master
    "button ccs": set(),
    "button notes": set(range(0, 64)) | set(range(100, 108)) | set(range(112, 120)),  # pads, track, scene
}
DEVICES = {"nanokontrol2": NANOKONTROL2, "midimix": MIDIMIX, "apc-mini-mk2": APC_MINI_MK2}

SHOW = "presets:\n" + "".join(f"  - {{name: p{n}, prompt: scene {n}}}\n" for n in range(1, 17))


class Recording:
    """A show's controller that notes the commands and parameter moves it is given."""

    def __init__(self):
        show = parse_show(SHOW, "show.yaml")
        self.real = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                               threading.Event(), lambda s: None)
        self.applied: list[str] = []
        self.moved: list[tuple[str, float]] = []

    def __getattr__(self, name):
        return getattr(self.real, name)

    def apply(self, cmd, source, **kwargs):
        self.applied.append(str(cmd))
        return "done"

    def set_param(self, param, value, source, between=None):
        self.moved.append((param, value))
        return self.real.set_param(param, value, source, between=between)


def shipped(name):
    return load_map(find_map_file(name, None))


@pytest.mark.parametrize("name", DEVICES)
def test_every_control_a_shipped_map_binds_is_one_its_controller_sends_on_channel_1(name):
    mapping, device = shipped(name), DEVICES[name]
    for knob in mapping.knobs:
        assert knob.cc in device["knobs"] and knob.channel == 0, knob
    for button in mapping.buttons:
        sent = device["button ccs"] if button.cc is not None else device["button notes"]
        assert (button.cc if button.cc is not None else button.note) in sent and button.channel == 0, button


def _presses(button, release: str) -> list:
    if button.cc is not None:
        return [mido.Message("control_change", control=button.cc, value=v) for v in (127, 0)]
    off = (mido.Message("note_off", note=button.note, velocity=64) if release == "note_off" else
           mido.Message("note_on", note=button.note, velocity=0))
    return [mido.Message("note_on", note=button.note, velocity=127), off]


@pytest.mark.parametrize("release", ["note_off", "velocity 0"])
@pytest.mark.parametrize("name", DEVICES)
def test_each_button_of_a_shipped_map_pressed_twice_as_its_controller_sends_it_acts_twice(name, release):
    mapping, controller = shipped(name), Recording()
    router = MidiRouter(mapping, controller)
    for button in mapping.buttons:
        for msg in _presses(button, release) * 2:
            router.handle(msg)
        assert controller.applied == [str(button.command)] * 2, button
        controller.applied.clear()


@pytest.mark.parametrize("name", DEVICES)
def test_each_knob_of_a_shipped_map_swept_up_then_down_reaches_both_ends_of_its_range(name):
    mapping, controller = shipped(name), Recording()
    router = MidiRouter(mapping, controller)
    for knob in mapping.knobs:
        for value in [*range(128), *range(127, -1, -1)]:
            router.handle(mido.Message("control_change", control=knob.cc, value=value))
        values = [v for p, v in controller.moved if p == knob.param]
        assert values and max(values) == pytest.approx(knob.hi) and values[-1] == pytest.approx(knob.lo), knob
        controller.moved.clear()
