"""A VJ's hour with a MIDI controller: ports by name (two alike, renumbered by ALSA, written in another script), the
controller unplugged and back, a fader's flood of values, clock beside the knobs, a key's release."""
import threading
import unicodedata

import mido
import pytest

import fake_midi
from helpers import free_port, wait_for
from test_midi_router import server_controller as controller
from vcam.control.commands import parse
from vcam.control.controller import ShowState
from vcam.control import midi as midi_module
from vcam.control.midi import MidiRouter, find_port, matching, readable
from vcam.control.midiinput import MidiInput
from vcam.control.midiclock import MidiClock
from vcam.control.midimap import Button, Knob, MidiMap
from vcam.control.tempo import Tempo

NANO = "Fake nanoKONTROL2 MIDI 1"


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


class Looks:
    """The port watch's listing, counted, so that a test can wait for the watch to have looked again."""

    def __init__(self, real):
        self.real, self.api = real, None
        self.count = 0
        self._changed = threading.Condition()

    def names(self):
        names = self.real.names()
        with self._changed:
            self.count += 1
            self._changed.notify_all()
        return names

    def close(self):
        self.real.close()

    def wait(self, more: int) -> bool:
        with self._changed:
            target = self.count + more
            return self._changed.wait_for(lambda: self.count >= target, 60)


def watched(wanted: str, said: list, on_message=lambda msg: None, **kwargs) -> tuple[MidiInput, Looks]:
    midi = MidiInput(wanted, on_message, said.append, poll=0.02, **kwargs)
    midi._lister = looks = Looks(midi._lister)
    midi.start()
    return midi, looks


# --- ports by name ------------------------------------------------------------------------------------------------

def test_a_name_given_whole_picks_that_port_over_one_whose_name_holds_it():
    """'Launch Control' named the XL too, listed first: the operator could not pick the plain one but by ALSA's
    numbers, which change at each plug-in."""
    names = ["Launch Control XL:Launch Control XL MIDI 1 20:0", "Launch Control:Launch Control MIDI 1 24:0"]
    assert find_port("launch control", names) == names[1]
    assert find_port("Launch Control:Launch Control MIDI 1", names) == names[1]
    assert find_port("XL", names) == names[0] and find_port("launch", names) == names[0]
    assert matching("launchpad", names) == []


@pytest.mark.parametrize("garbled, name, typed", [
    # macOS: UTF-8 read as Mac Roman
    ("IACdriver \u201e\u00c9\u00ea\u201e\u00c7\u03c01", "IACdriver \u30d0\u30b91", "\u30d0\u30b9"),
    # Windows: as Latin-1
    ("loopMIDI Port \u00e6\u0097\u00a5\u00e6\u009c\u00ac\u00e8\u00aa\u009e 2", "loopMIDI Port \u65e5\u672c\u8a9e 2",
     "\u65e5\u672c\u8a9e"),
])
def test_a_port_name_python_rtmidi_misread_is_found_by_the_name_its_maker_gave(garbled, name, typed):
    assert garbled.encode("latin-1" if "loop" in garbled else "mac_roman").decode("utf-8") == name  # as listed
    assert readable(garbled) == name
    assert find_port(typed, ["Midi Through:Midi Through Port-0 14:0", garbled]) == garbled  # opened as listed


def test_a_port_name_in_another_script_is_matched_whatever_its_unicode_form_or_case():
    decomposed = unicodedata.normalize("NFD", "Contrôleur Ünïque MIDI 1")
    assert find_port("contrôleur ünïque", [decomposed]) == decomposed  # typed composed, listed decomposed
    assert readable(decomposed) == decomposed and readable("Contrôleur") == "Contrôleur"  # not misread: kept
    assert find_port("STRASSE", ["Straße MIDI 1"]) == "Straße MIDI 1"


@pytest.mark.parametrize("copied, listed", [
    ("nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0", "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0"),
    ("nanoKONTROL2 MIDI 1 20:0", "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0"),  # the port part, as ALSA's tools show it
    ("a2j:nanoKONTROL2 [20] (capture): nanoKONTROL2 MIDI 1", "a2j:nanoKONTROL2 [24] (capture): nanoKONTROL2 MIDI 1"),
])
def test_a_name_copied_with_alsas_numbers_still_names_the_controller_once_they_have_changed(copied, listed):
    """A show's port: copied from `vcam devices` named no input after a replug or a reboot (ALSA numbers the client
    anew), and vcam waited for a controller that was right there, through every replug."""
    names = ["Midi Through:Midi Through Port-0 14:0", listed]
    assert find_port(copied, names) == listed
    assert find_port(copied, names[:1]) is None  # Midi Through is no nanoKONTROL2, whatever its numbers
    assert find_port(" 20:0", ["Fake MIDImix", listed]) is None  # numbers alone name nothing
    second = listed.replace("24", "28")
    assert find_port(copied.replace("20", "28"), [listed, second]) == second  # numbers that still hold win


def test_a_name_copied_with_alsas_numbers_keeps_its_port_number_when_the_client_is_numbered_anew():
    """A controller with two ports of one name (20:0 and 20:1): the second, copied from `vcam devices`, found the
    first once ALSA numbered the client 24, though 24:1 was listed too. Only the client number changes."""
    copied = "USB MIDI Interface:USB MIDI Interface MIDI 1 20:1"
    first, second = copied.replace("20:1", "24:0"), copied.replace("20:1", "24:1")
    assert find_port(copied, [first, second]) == second
    assert find_port(copied.replace("20:1", "20:0"), [first, second]) == first
    assert matching(copied, [first, second]) == [second, first]
    assert find_port(copied, [first]) == first  # that port number gone: the name still holds


def test_a_port_with_a_twin_of_its_name_comes_back_on_its_own_port_number(fake_midi_backend):
    """Unplugged and back under another client number, both ports at once: the one in use came back as the other."""
    twin = "USB MIDI Interface:USB MIDI Interface MIDI 1 20:{}"
    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.update({twin.format(0), twin.format(1)})
    said = []
    midi, _ = watched(twin.format(1), said)
    try:
        assert midi.port_name == twin.format(1)
        with fake_midi.LOCK:  # both ports go and come back renumbered between two looks
            fake_midi.PRESENT.clear()
            fake_midi.OPEN[:] = []
            fake_midi.PRESENT.update({twin.replace("20", "24").format(0), twin.replace("20", "24").format(1)})
        assert wait_for(lambda: any("is back" in s for s in said), 60), said
        assert midi.port_name == twin.replace("20", "24").format(1)
    finally:
        midi.stop()


def test_a_port_copied_before_a_replug_is_opened_at_the_start(fake_midi_backend):
    listed = "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0"
    fake_midi.PRESENT.add(listed)
    said = []
    midi, _ = watched("nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0", said)
    try:
        assert midi.port_name == listed and said == [f"MIDI: listening on {listed}"]
    finally:
        midi.stop()


def test_two_controllers_of_one_make_are_said_and_the_first_is_opened(fake_midi_backend):
    fake_midi.PRESENT.add(NANO + " #2")
    said = []
    midi, _ = watched("nanokontrol", said)
    try:
        assert midi.port_name == NANO
        assert said[0] == f"MIDI: listening on {NANO}"
        assert said[1].startswith(f"MIDI: 'nanokontrol' also names '{NANO} #2'; listening on '{NANO}' only")
    finally:
        midi.stop()


def test_a_part_of_a_name_that_names_midi_through_and_a_controller_opens_the_controller(fake_midi_backend):
    """`--midi midi` named ALSA's Midi Through, listed first, and a controller: Midi Through was opened, and no knob
    did anything. The controller is what is meant, under ALSA's names and a2j's alike."""
    through = "Midi Through:Midi Through Port-0 14:0"
    a2j_through = "a2j:Midi Through [14] (capture): Midi Through Port-0"
    a2j_nano = "a2j:nanoKONTROL2 [20] (capture): nanoKONTROL2 MIDI 1"
    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.update({through, NANO})
    assert find_port("midi", [through, NANO]) == NANO and matching("midi", [through, NANO]) == [NANO]
    assert matching("midi", [a2j_through, a2j_nano]) == [a2j_nano]
    assert find_port("midi through", [through, NANO]) == through  # named: opened
    assert find_port("through", [through, NANO]) == through
    said = []
    midi, _ = watched("midi", said)
    try:
        assert midi.port_name == NANO
        assert said == [f"MIDI: listening on {NANO}"], said  # Midi Through is not one it names: nothing to say
    finally:
        midi.stop()


def test_a_part_of_a_name_that_names_only_midi_through_waits_for_the_controller(fake_midi_backend):
    """`--midi midi` with only Midi Through there opened it, and the controller plugged in later was never looked
    for: the show waits for the controller, Midi Through listed among the inputs there are."""
    through = "Midi Through:Midi Through Port-0 14:0"
    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.add(through)
    assert find_port("midi", [through]) is None
    said = []
    midi, _ = watched("midi", said)
    try:
        assert midi.port_name is None
        assert said == [f"waiting for MIDI input 'midi' (inputs now: {through}); plug it in"], said
        fake_midi.plug(NANO)
        assert wait_for(lambda: f"MIDI: listening on {NANO}" in said, 60), said
        assert midi.port_name == NANO
    finally:
        midi.stop()


# --- unplugged and back -------------------------------------------------------------------------------------------

def test_a_controller_unplugged_and_back_is_said_once_each_way(fake_midi_backend):
    said = []
    midi, looks = watched("nanokontrol", said)
    try:
        fake_midi.unplug(NANO)
        assert wait_for(lambda: any("unplugged" in s for s in said), 60)
        fake_midi.plug(NANO)
        assert wait_for(lambda: any("is back" in s for s in said), 60)
        assert looks.wait(3)
        assert said == [f"MIDI: listening on {NANO}",
                        f"MIDI controller {NANO} unplugged; waiting for it (the show goes on)",
                        f"MIDI controller {NANO} is back"]
    finally:
        midi.stop()


def test_an_unplugged_controller_is_waited_for_not_swapped_for_another_of_its_make(fake_midi_backend):
    """Two nanoKONTROL2s (or a nanoKONTROL2 and a nanoKEY2 with --midi nano): the one in use unplugged, vcam took
    the other, already there, said it was back, and stayed on it when the first came back."""
    other = NANO + " #2"
    fake_midi.PRESENT.add(other)
    said, heard = [], []
    midi, looks = watched("nanokontrol", said, lambda msg: heard.append(msg.control) and None)
    try:
        fake_midi.unplug(NANO)
        assert wait_for(lambda: any("unplugged" in s for s in said), 60)
        assert looks.wait(5)
        assert midi.port is None and not any("is back" in s for s in said)
        fake_midi.plug(NANO)
        assert wait_for(lambda: any("is back" in s for s in said), 60)
        assert midi.port_name == NANO and said[-1] == f"MIDI controller {NANO} is back"
        fake_midi.send(NANO, cc(41, 127))
        assert wait_for(lambda: heard == [41], 60)
    finally:
        midi.stop()


def test_a_controller_alsa_numbers_anew_is_found_again_even_when_its_numbers_picked_it(fake_midi_backend):
    """Two alike, the second picked by its client number: plugged back, ALSA gave it another, and vcam waited for
    the old one for the rest of the show."""
    first, second = "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0", "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0"
    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.update({first, second})
    said = []
    midi, looks = watched("24:0", said)
    try:
        assert midi.port_name == second
        fake_midi.unplug(second)
        assert wait_for(lambda: any("unplugged" in s for s in said), 60)
        fake_midi.plug(second.replace("24:0", "28:0"))
        assert wait_for(lambda: any("is back" in s for s in said), 60)
        assert midi.port_name == second.replace("24:0", "28:0")
    finally:
        midi.stop()


def test_a_controller_unplugged_and_back_within_one_look_is_reopened(fake_midi_backend):
    """Back under another ALSA number before the watch looked again: a port there at the look that found the old one
    gone is still this controller, not another that was there all along."""
    old, new = "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0", "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0"
    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.add(old)
    said = []
    midi, looks = watched("nanokontrol2", said)
    try:
        assert looks.wait(1)
        with fake_midi.LOCK:  # both at once, between two looks
            fake_midi.PRESENT.discard(old)
            fake_midi.OPEN[:] = []
            fake_midi.PRESENT.add(new)
        assert wait_for(lambda: any("is back" in s for s in said), 60)
        assert midi.port_name == new
    finally:
        midi.stop()


class Waits(threading.Event):
    """The port watch's stop event, which keeps each wait's timeout: how long the watch let pass between looks."""

    def __init__(self):
        super().__init__()
        self.timeouts: list[float | None] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.timeouts.append(timeout)
        return super().wait(timeout)


def test_a_controller_unplugged_and_back_under_its_name_as_fast_as_usb_allows_is_heard_again(fake_midi_backend):
    """A cable that slipped out and straight back in: the controller came back under the same name before the next
    look, a second later, so the watch never saw it gone, kept its dead port, and no knob acted for the rest of the
    show. An open port is looked for within USB's attach debounce (100 ms), the least time a device plugged back in
    takes to be heard of, so the watch sees every replug; and no more than 20 times a second, as a listing through
    mido (every backend but rtmidi's) opens two MIDI clients of its own."""
    said, heard = [], []
    midi = MidiInput("nanokontrol", lambda msg: heard.append(msg.control) and None, said.append)  # the show's poll
    midi._lister = looks = Looks(midi._lister)
    midi._stop = waits = Waits()
    midi.start()
    try:
        assert looks.wait(3)  # each wait so far with the port open
        assert all(0.05 <= t < 0.1 for t in waits.timeouts), waits.timeouts
        fake_midi.unplug(NANO)
        assert looks.wait(1)  # the watch looked while the controller was out of its socket
        fake_midi.plug(NANO)
        assert wait_for(lambda: any("is back" in s for s in said), 60), said
        fake_midi.send(NANO, cc(16, 5))
        assert wait_for(lambda: heard == [16], 60), heard
    finally:
        midi.stop()


def test_knobs_are_picked_up_again_after_a_reconnect():
    """Unplugged, a knob may be moved (or a spare unit plugged in): its first move after must not jump the
    parameter to wherever it stands."""
    ctl = controller(transition=0)
    router = MidiRouter(MidiMap(knobs=(Knob(16, "transition", 0, 16),)), ctl)
    for value in (0, 8, 16, 24):  # picked up at 0, moved on
        router.handle(cc(16, value))
    assert ctl.state.transition == 3
    router.forget_buttons()  # as MidiInput's on_reconnect calls it
    router.handle(cc(16, 127))
    assert ctl.state.transition == 3
    router.handle(cc(16, 24))  # where the parameter stands: picked up again
    router.handle(cc(16, 16))
    assert ctl.state.transition == 2


# --- a fader's flood ----------------------------------------------------------------------------------------------

def test_a_fader_sweep_says_one_line_and_a_count_not_a_line_a_step(fake_midi_backend):
    ctl = controller()
    said = []
    router = MidiRouter(MidiMap(knobs=(Knob(0, "blend", 0, 1),)), ctl)
    midi, _ = watched("nanokontrol", said, router.handle)
    try:
        for value in range(128):
            fake_midi.send(NANO, cc(0, value))
        assert wait_for(lambda: ctl.state.blend is not None and ctl.state.blend[2] == 1.0, 60)
        fake_midi.send(NANO, mido.Message("note_on", note=1))  # unmapped: nothing to say
    finally:
        midi.stop()
    blends = [s for s in said if "blend" in s]
    assert len(blends) == 2, said
    assert blends[1].endswith("more like it, the last: blend 'city' / 'ocean' at 1.00 (over 4 blocks)")


def test_a_faders_count_held_back_is_said_before_a_press_that_came_after_it(fake_midi_backend):
    """A fader swept, then a preset pressed: the count naming the fader's last blend came after the preset's line, so
    the console read as if that blend were on air over the new preset."""
    ctl = controller()
    said = []
    router = MidiRouter(MidiMap(knobs=(Knob(0, "blend", 0, 1),), buttons=(Button(parse("preset 3"), note=36),)),
                        ctl)
    midi, _ = watched("nanokontrol", said, router.handle)
    try:
        for value in range(0, 128, 8):
            fake_midi.send(NANO, cc(0, value))
        assert wait_for(lambda: ctl.state.blend is not None and ctl.state.blend[2] == 120 / 127, 60)
        fake_midi.send(NANO, mido.Message("note_on", note=36, velocity=100))
        assert wait_for(lambda: any(s.startswith("preset 3") for s in said), 60), said
    finally:
        midi.stop()
    told = [s for s in said if "blend" in s or s.startswith("preset 3")]
    assert "more like it, the last: blend 'city' / 'ocean' at 0.94" in told[1], told
    assert told[2].startswith("preset 3") and len(told) == 3, told


def test_a_faders_count_held_back_is_said_before_the_unplug_that_came_after_it(fake_midi_backend):
    """A fader swept, then the cable pulled: the count naming the fader's last blend came after "unplugged", as if
    the controller had moved the blend once gone."""
    ctl = controller()
    said = []
    router = MidiRouter(MidiMap(knobs=(Knob(0, "blend", 0, 1),)), ctl)
    midi, _ = watched("nanokontrol", said, router.handle)
    try:
        for value in range(0, 128, 8):
            fake_midi.send(NANO, cc(0, value))
        assert wait_for(lambda: ctl.state.blend is not None and ctl.state.blend[2] == 120 / 127, 60)
        fake_midi.unplug(NANO)
        assert wait_for(lambda: any("unplugged" in s for s in said), 60), said
    finally:
        midi.stop()
    told = [s for s in said if "blend" in s or "unplugged" in s]
    assert "more like it, the last: blend 'city' / 'ocean' at 0.94" in told[1] and "unplugged" in told[2], told


class Held:
    """A controller whose knob commands wait while `go` is clear (its lock held by a reload, a remote server slow to
    answer), recording each value; the strength starts at 0, where a knob on it is picked up at once."""

    def __init__(self):
        self.go = threading.Event()
        self.go.set()
        self.entered = threading.Event()  # a knob's command came (and waits while `go` is clear)
        self.values: list = []
        self.state = ShowState(prompts={"a": 1.0}, strength=0.0)

    def set_param(self, param, value, source, between=None):
        self.entered.set()
        self.go.wait(60)
        self.values.append(value)
        self.state.strength = value
        return f"{param} {value}"

    def apply(self, command, source):
        self.values.append(command.name)
        return command.name


def held_rig(clock=None):
    held = Held()
    router = MidiRouter(MidiMap(knobs=(Knob(16, "strength", 0, 1),), buttons=(Button(parse("next"), note=36),)),
                        held, clock=clock)
    midi, _ = watched("nanokontrol", [], router.handle)
    fake_midi.send(NANO, cc(16, 0))  # the knob moved before: known as one
    assert wait_for(lambda: held.values == [0.0], 60)
    held.go.clear()
    return held, midi


def test_a_flood_while_the_show_is_busy_ends_at_its_newest_value_without_queueing_every_step(fake_midi_backend):
    """The MIDI library's one thread called each command in turn: a knob's hundreds of values waited behind a busy
    controller, and every one of them was then applied (and held up every other message meanwhile)."""
    held, midi = held_rig()
    sent = threading.Event()

    def flood():
        for value in range(1, 128):
            fake_midi.send(NANO, cc(16, value))
        fake_midi.send(NANO, mido.Message("note_on", note=36, velocity=100))  # a press keeps its place
        fake_midi.send(NANO, cc(16, 0))
        sent.set()

    sender = threading.Thread(target=flood, daemon=True)
    try:
        sender.start()
        assert sent.wait(60), "the sender was held up behind the busy controller"
        held.go.set()
        assert wait_for(lambda: held.values[-1:] == [0.0] and len(held.values) > 1, 60)
    finally:
        held.go.set()
        midi.stop()
        sender.join(60)
    assert held.values[-3:] == [1.0, "next", 0.0]
    assert len(held.values) <= 6, held.values


def test_a_replug_while_a_knobs_command_waits_resets_the_knobs_at_once_and_the_commands_land_in_order(
        fake_midi_backend):
    """The router held its lock through each command: a replug's reset of the knobs and buttons, on the port watch,
    waited for a command held up by the show (vcam cam's send behind a stalled upload, a preset behind the
    controller's lock), and a stop then waited up to 30 s for the watch."""
    held, said, reset = Held(), [], threading.Event()
    knob = Knob(16, "strength", 0, 1)
    router = MidiRouter(MidiMap(knobs=(knob,), buttons=(Button(parse("next"), note=36),)), held)

    def replugged():
        router.forget_buttons()
        reset.set()

    midi, _ = watched("nanokontrol", said, router.handle, on_reconnect=replugged)
    try:
        fake_midi.send(NANO, cc(16, 0))  # picked up where the strength stands
        assert wait_for(lambda: held.values == [0.0], 60)
        held.go.clear()
        held.entered.clear()
        fake_midi.send(NANO, cc(16, 127))
        assert held.entered.wait(60)  # its command in hand, held up
        fake_midi.unplug(NANO)
        assert wait_for(lambda: any("unplugged" in s for s in said), 60)
        fake_midi.plug(NANO)
        assert reset.wait(30), "the replug's reset waited for the command in hand"
        assert wait_for(lambda: any("is back" in s for s in said), 60)
        assert held.values == [0.0]  # still in hand
        fake_midi.send(NANO, mido.Message("note_on", note=36, velocity=100))
        fake_midi.send(NANO, cc(16, 0))  # far from where the command in hand leaves the strength: not picked up
        fake_midi.send(NANO, cc(16, 125))  # near it: picked up anew
        held.go.set()
        assert wait_for(lambda: len(held.values) == 4, 60), held.values
    finally:
        held.go.set()
        midi.stop()
    assert held.values == [0.0, 1.0, "next", knob.value(125)]
    assert held.state.strength == knob.value(125)


def test_clock_ticks_are_timed_as_they_come_while_a_knob_waits(fake_midi_backend):
    """Ticks came through the same thread as the knobs: a knob's command held up by the controller held up the
    beat."""
    now = [100.0]
    tempo = Tempo(clock=lambda: now[0])
    held, midi = held_rig(MidiClock(tempo))
    ticked = threading.Event()

    def play():
        fake_midi.send(NANO, cc(16, 5))
        for _ in range(48):
            now[0] += 60 / 120 / 24
            fake_midi.send(NANO, mido.Message("clock"))
        ticked.set()

    player = threading.Thread(target=play, daemon=True)
    try:
        player.start()
        assert ticked.wait(60), "the ticks waited behind the knob"
        assert tempo.bpm == pytest.approx(120)
    finally:
        held.go.set()
        midi.stop()
        player.join(60)


def test_a_note_on_with_velocity_0_is_a_release():
    held = Held()
    router = MidiRouter(MidiMap(buttons=(Button(parse("next"), note=36),)), held)
    for velocity in (100, 0, 90, 0):
        router.handle(mido.Message("note_on", note=36, velocity=velocity))
    router.handle(mido.Message("note_off", note=36))
    assert held.values == ["next", "next"]


@pytest.mark.usefixtures("shared_tiny")
def test_a_midi_section_saved_on_air_reaches_the_inputs_inbox_as_it_is_put_in_force(tmp_path, capture,
                                                                                     fake_midi_backend, monkeypatch):
    """The show's watcher puts the saved map in the router; the input's inbox, which merges a busy show's floods by
    what each control is, must hear of it then, not when a control first answers under it (test_midi_floods)."""
    from helpers import FAST, TINY_SHOW
    from test_live_controls import on_air
    from vcam.control.midiinbox import Inbox

    told, remapped = [], Inbox.remapped
    monkeypatch.setattr(Inbox, "remapped", lambda inbox: told.append(inbox) or remapped(inbox))
    blocks, _ = capture
    show_file = tmp_path / "show.yaml"
    show_file.write_text(TINY_SHOW + "midi: {port: nano, controls: [{cc: 1, bits: 14, param: strength}]}\n")
    with on_air(show_file, fps=FAST) as (pipe, status):
        assert wait_for(lambda: len(blocks) >= 1)
        show_file.write_text(TINY_SHOW + "midi: {port: nano, controls: [{cc: 1, param: strength}, "
                                         "{cc: 33, command: next}]}\n")
        assert wait_for(lambda: "reloaded" in status.getvalue(), 60), status.getvalue()
        assert len(told) == 1


def test_a_controller_sending_on_another_channel_than_the_map_is_told_so_once_and_still_acts_on_nothing(
        fake_midi_backend):
    """A controller set to channel 2 under a map written for channel 1: its knobs and buttons did nothing and nothing
    was said, so a VJ could not tell a wrong channel from a dead cable. The first message on channel 2 says the
    channel it came on and the one the map hears it on, as does a pad the map has on channel 10 touched on channel
    2 (another set of channels); the rest on channel 2 stay unsaid, until one on channel 3."""
    ctl = controller()
    knob = Knob(16, "steps", 1, 8, channel=0)
    pad = Button(parse("blackout"), note=36, channel=9)
    router = MidiRouter(MidiMap(knobs=(knob,), buttons=(Button(parse("next"), cc=41, channel=0), pad)), ctl)
    said = []
    midi, _ = watched("nanokontrol", said, router.handle)
    try:
        for value in (0, 40, 80, 127):
            fake_midi.send(NANO, cc(16, value, channel=1))
        fake_midi.send(NANO, cc(41, 127, channel=1))
        fake_midi.send(NANO, cc(41, 0, channel=1))
        fake_midi.send(NANO, mido.Message("note_on", note=36, velocity=90, channel=1))
        fake_midi.send(NANO, cc(41, 127, channel=2))
        fake_midi.send(NANO, cc(41, 127, channel=0))  # the same button on the map's channel
        assert wait_for(lambda: ctl.state.preset == 1, 60)
        off = [s for s in said if "came on channel" in s]
        assert off == [
            "MIDI: cc 16 came on channel 2, but the map listens for it on channel 1 only, so it does nothing; if it is "
            "meant to act, set the controller to send on channel 1, or give it channel: 2 in the map (or no channel, "
            "to hear every one)",
            "MIDI: note 36 came on channel 2, but the map listens for it on channel 10 only, so it does nothing; if it "
            "is meant to act, set the controller to send on channel 10, or give it channel: 2 in the map (or no "
            "channel, to hear every one)",
            "MIDI: cc 41 came on channel 3, but the map listens for it on channel 1 only, so it does nothing; if it is "
            "meant to act, set the controller to send on channel 1, or give it channel: 3 in the map (or no channel, "
            "to hear every one)"], said
        assert ctl.state.steps == ShowState(prompts=ctl.state.prompts).steps  # the knob on channel 2 moved nothing
    finally:
        midi.stop()


def test_a_control_the_map_has_on_no_channel_at_all_stays_unsaid():
    """Only a control the map has on another channel is said: an unmapped knob moved (a spare fader) says nothing."""
    router = MidiRouter(MidiMap(knobs=(Knob(16, "steps", 1, 8, channel=0),),
                                buttons=(Button(parse("next"), note=36),)), controller())
    assert router.handle(cc(17, 64, channel=1)) == ""
    assert router.handle(mido.Message("note_on", note=37, velocity=90, channel=4)) == ""
    assert "note 36" not in router.handle(mido.Message("note_on", note=36, velocity=90, channel=4))  # on any channel


def test_an_nrpn_knob_turned_on_another_channel_than_the_map_is_told_so_once():
    router = MidiRouter(MidiMap(knobs=(Knob(None, "strength", 0.0, 1.0, channel=0, bits=14, nrpn=1234),)),
                        controller())
    said = [router.handle(cc(control, value, channel=3)) for control, value in ((99, 9), (98, 82), (6, 64), (38, 0))]
    assert said == [
        "MIDI: cc 99 (an NRPN's number or value) came on channel 4, but the map listens for it on channel 1 only, so "
        "it does nothing; if it is meant to act, set the controller to send on channel 1, or give it channel: 4 in "
        "the map (or no channel, to hear every one)", "", "", ""], said


def test_a_keyboards_rpn_on_another_channel_than_an_nrpn_knobs_is_not_said_as_an_nrpn():
    """A keyboard sets its pitch-bend range (RPN 0: cc 101, 100, then data entry on cc 6 and 38) on every channel at
    power-up: no NRPN knob's, and no wrong channel to tell."""
    router = MidiRouter(MidiMap(knobs=(Knob(None, "strength", 0.0, 1.0, channel=0, bits=14, nrpn=1234),)),
                        controller())
    for channel in range(1, 16):
        said = [router.handle(cc(control, value, channel=channel)) for control, value in ((101, 0), (100, 0), (6, 2),
                                                                                           (38, 0))]
        assert said == ["", "", "", ""], (channel, said)
    assert "came on channel 4" in router.handle(cc(99, 9, channel=3))  # an NRPN's number picked there: said


def test_a_control_of_a_shipped_map_on_another_channel_is_told_to_copy_the_map_with_its_line(tmp_path):
    """A show built on a shipped map whose own `channel:` moves only the show's controls: the line names the map's
    file and line, and a copy of it, where the channel is changed."""
    from vcam.control.show import parse_show

    show = parse_show("presets:\n  - {name: a, prompt: x}\nmidi:\n  map: nanokontrol2\n  channel: 2\n",
                      str(tmp_path / "show.yaml"))
    router = MidiRouter(show.midi, controller())
    said = router.handle(cc(0, 64, channel=1))
    assert said.startswith("MIDI: cc 0 came on channel 2, but the map listens for it on channel 1 only "
                           "(nanokontrol2.yaml line "), said
    assert said.endswith("set the controller to send on channel 1, or copy nanokontrol2.yaml beside the show, give it "
                         "channel: 2, and name the copy in the show's map:"), said


def test_a_control_of_a_map_file_of_the_users_on_another_channel_names_its_file_and_line(tmp_path):
    from vcam.control.midimap import load_map

    (tmp_path / "mine.yaml").write_text("channel: 1\ncontrols:\n  - {cc: 7, param: strength}\n")
    router = MidiRouter(load_map(tmp_path / "mine.yaml"), controller())
    said = router.handle(cc(7, 64, channel=4))
    assert "listens for it on channel 1 only (mine.yaml line 3), so it does nothing" in said, said
    assert said.endswith("or give it channel: 5 there (or no channel, to hear every one)"), said


def test_a_map_put_in_force_on_air_says_a_wrong_channel_again():
    """A map saved on air may put the controls on yet another channel: the controller's is said again, once."""
    ctl = controller()
    router = MidiRouter(MidiMap(knobs=(Knob(16, "steps", 1, 8, channel=0),)), ctl)
    assert "came on channel 2" in router.handle(cc(16, 64, channel=1))
    assert router.handle(cc(16, 64, channel=1)) == ""
    router.mapping = MidiMap(knobs=(Knob(16, "steps", 1, 8, channel=2),))
    assert "the map listens for it on channel 3 only" in router.handle(cc(16, 64, channel=1))
    assert router.handle(cc(16, 64, channel=1)) == ""


# The names these controllers have on Ubuntu (ALSA cuts a port's name after 31 characters)
MIDIMIX_ALSA = "MIDI Mix:MIDI Mix MIDI 1 24:0"
APC_ALSA = ["APC mini mk2:APC mini mk2 APC mini mk2 Contr 28:0", "APC mini mk2:APC mini mk2 APC mini mk2 Notes 28:1"]


@pytest.mark.parametrize("typed", ["midimix", "MIDIMix", "midi-mix"])
def test_a_controller_named_as_its_map_is_found_whatever_spaces_its_maker_put_in_its_name(typed):
    """`--midi midimix --midi-map midimix`, with a MIDImix plugged in (listed as 'MIDI Mix'): the show said it was
    waiting for the controller and to plug it in."""
    names = ["Midi Through:Midi Through Port-0 14:0", "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0", MIDIMIX_ALSA]
    assert find_port(typed, names) == MIDIMIX_ALSA
    assert find_port("apc-mini-mk2", APC_ALSA) == APC_ALSA[0]
    assert find_port("mix", ["MIDI Mix", "Remix Pad"]) == "MIDI Mix"  # a plain part still ranks first
    assert find_port("midimix", ["Midi Through:Midi Through Port-0 14:0"]) is None
    # nor Midi Through, named so only once its hyphen is left out: a controller plugged in later is what is meant
    assert find_port("port 0", ["Midi Through:Midi Through Port-0 14:0"]) is None


@pytest.mark.parametrize("typed, port", [("APC mini mk2 Control", 0), ("apc mini mk2 control", 0),
                                         ("APC mini mk2 Notes", 1)])
def test_a_port_named_as_macos_lists_it_is_found_under_the_name_alsa_cut_short(typed, port):
    """A show written on a Mac (`port: APC mini mk2 Control`) played on Ubuntu, where ALSA lists the port as
    '... APC mini mk2 Contr 28:0': the show waited for a controller that was plugged in."""
    assert find_port(typed, APC_ALSA) == APC_ALSA[port]
    assert matching(typed, APC_ALSA) == [APC_ALSA[port]]


def test_a_name_longer_than_a_port_name_alsa_did_not_cut_does_not_name_it():
    """Only a name ALSA cut (31 characters) stands for a longer one: 'Launch Control XL' is not the plain one."""
    assert find_port("Launch Control XL", ["Launch Control:Launch Control MIDI 1 20:0"]) is None
    assert find_port("Launch Control XL", ["Launch Control:Launch Control 20:0"]) is None
    assert find_port("APC mini mk2 Keys", APC_ALSA) is None


def test_on_windows_a_name_is_found_without_the_number_rtmidi_puts_after_every_input(monkeypatch):
    """Windows lists a port with its place among the inputs after it ('nanoKONTROL2 1'), which changes as other
    controllers come and go: the name without it names the controller wherever it is listed."""
    monkeypatch.setattr(midi_module.sys, "platform", "win32")
    names = ["nanoKONTROL2 Studio 0", "nanoKONTROL2 1"]
    assert find_port("nanoKONTROL2", names) == "nanoKONTROL2 1"  # the whole name, before a part of the Studio's
    assert find_port("loopMIDI Port 1", ["loopMIDI Port 0", "loopMIDI Port 1 1"]) == "loopMIDI Port 1 1"
    # the port 'loopMIDI Port 1' listed third, not 'loopMIDI Port' listed second as 'loopMIDI Port 1'
    assert find_port("loopMIDI Port 1", ["MIDI Mix 0", "loopMIDI Port 1", "loopMIDI Port 1 2"]) == "loopMIDI Port 1 2"
    assert find_port("MIDI Mix 1", ["MIDI Mix 0", "MIDI Mix 1"]) == "MIDI Mix 1"  # two of one make: the place tells


@pytest.mark.parametrize("typed, names", [("loopMIDI Port 2", ["loopMIDI Port 0", "loopMIDI Port 1 1"]),
                                          ("MPK mini 3", ["MPK mini 0"]), ("MIDI Mix 3", ["MIDI Mix 2 0"])])
def test_on_windows_a_typed_name_ending_in_a_number_does_not_name_another_port(typed, names, monkeypatch):
    """A number at the end of a typed name is the port's own: `--midi 'loopMIDI Port 2'` with that port missing
    opened 'loopMIDI Port', and 'MPK mini 3' an MPK mini mk2; the port named is waited for."""
    monkeypatch.setattr(midi_module.sys, "platform", "win32")
    assert find_port(typed, names) is None
    monkeypatch.setattr(midi_module.sys, "platform", "darwin")  # macOS's numbers are the ports' own
    assert find_port("IAC Driver Bus 1", ["IAC Driver Bus 2"]) is None


def test_on_windows_the_input_midi_learn_listens_on_by_default_is_the_first(monkeypatch):
    """'loopMIDI Port 1 0' (the port 'loopMIDI Port 1') listed before 'loopMIDI Port 1' (the port 'loopMIDI Port'):
    `vcam midi learn` without --midi listened on the second."""
    from vcam.control import midilearn

    monkeypatch.setattr(midi_module.sys, "platform", "win32")
    names = ["loopMIDI Port 1 0", "loopMIDI Port 1"]
    monkeypatch.setattr(midilearn, "input_names", lambda: names)
    assert find_port(midilearn.default_port(lambda said: None), names) == "loopMIDI Port 1 0"


def test_on_windows_the_controller_listened_to_is_found_again_when_its_number_changes(fake_midi_backend, monkeypatch):
    """Another controller unplugged moves the one listened to from 'MIDI Mix 1' to 'MIDI Mix 0': the show said it
    was unplugged and waited for it for ever, as it was there all along under its new number."""
    monkeypatch.setattr(midi_module.sys, "platform", "win32")
    fake_midi.PRESENT.clear()
    fake_midi.PRESENT.update({"nanoKONTROL2 0", "MIDI Mix 1"})
    said, heard = [], []
    midi, looks = watched("MIDI Mix 1", said, heard.append)
    try:
        assert midi.port_name == "MIDI Mix 1"
        with fake_midi.LOCK:  # the nanoKONTROL2 goes: Windows numbers the MIDImix anew
            fake_midi.PRESENT.clear()
            fake_midi.OPEN[:] = []
            fake_midi.PRESENT.add("MIDI Mix 0")
        assert wait_for(lambda: any("is back" in s for s in said), 60), said
        assert midi.port_name == "MIDI Mix 0"
        fake_midi.send("MIDI Mix 0", cc(62, 100))
        assert wait_for(lambda: heard, 60)
    finally:
        midi.stop()


def test_a_squeezed_name_that_is_a_whole_name_ranks_before_one_found_inside_a_longer_name():
    """`--midi launchcontrol` with a Launch Control XL listed before a Launch Control opened the XL."""
    names = ["Launch Control XL:Launch Control XL MIDI 1 20:0", "Launch Control:Launch Control MIDI 1 24:0"]
    assert find_port("launchcontrol", names) == names[1]
    assert find_port("launchcontrolxl", names) == names[0]


def test_a_squeezed_name_does_not_run_the_port_number_into_alsas_numbers():
    """'MIDI Mix MIDI 1 20:0' squeezed read 'midimixmidi120:0': `--midi 'MIDI 12'` opened the MIDI Mix."""
    names = ["Midi Through:Midi Through Port-0 14:0", "MIDI Mix:MIDI Mix MIDI 1 20:0"]
    assert find_port("MIDI 12", names) is None
    assert find_port("midi1", names) == names[1]


def test_on_windows_a_squeezed_name_does_not_run_the_ports_name_into_its_place(monkeypatch):
    monkeypatch.setattr(midi_module.sys, "platform", "win32")
    assert find_port("midi12", ["MIDI 1 2"]) is None  # the port 'MIDI 1', listed third
    assert find_port("midi1", ["MIDI 1 2"]) == "MIDI 1 2"


def test_two_ports_alsa_cut_to_one_name_are_both_said_with_how_to_name_the_other():
    """Both ports listed as 'Launchkey MK4 49 Launchkey MK4 ' (31 characters): the show opened the first and said
    to give more of the name, which tells them apart no more."""
    from vcam.control.midi import others_named

    names = ["Launchkey MK4 49:Launchkey MK4 49 Launchkey MK4  44:0",
             "Launchkey MK4 49:Launchkey MK4 49 Launchkey MK4  44:1"]
    port = find_port("Launchkey MK4 49 DAW In", names)
    said = others_named("Launchkey MK4 49 DAW In", port, names)
    assert port == names[0] and repr(names[1]) in said and "its numbers too" in said
    assert find_port(names[1], names) == names[1]
    assert "give more of the name" in others_named("nano", "nanoKONTROL2 MIDI 1", ["nanoKONTROL2 MIDI 1",
                                                                                    "nanoKONTROL Studio MIDI 1"])


APC_MAC = ["APC mini mk2 Control", "APC mini mk2 Notes"]
APC_WINDOWS = ["APC mini mk2 0", "MIDIIN2 (APC mini mk2) 1"]


@pytest.mark.parametrize("names", [APC_ALSA, APC_MAC, APC_WINDOWS])
def test_an_apc_opened_on_its_control_port_says_once_where_its_pads_in_note_mode_send(fake_midi_backend, names):
    """An APC mini mk2 switched to Note or Drum mode sends its pads on its Notes port, which vcam does not open: the
    pads did nothing, unsaid. Said once as the port opens, and not as another controller that --midi apc names."""
    fake_midi.PRESENT.update(names)
    said: list[str] = []
    midi, _ = watched("apc", said)
    try:
        assert said[0] == f"MIDI: listening on {names[0]}"
        assert said[1:] == [f"MIDI: the APC mini mk2's pads in Note or Drum mode send on its Notes port, {names[1]}, "
                            "which vcam does not read (it reads the Control port, where the faders and the pads in "
                            "Session mode send): keep the APC in Session mode, its default, for the map's pads"]
    finally:
        midi.stop()


def test_an_apc_notes_port_is_said_only_beside_its_own_control_port():
    from vcam.control.midi import notes_port

    assert notes_port(APC_ALSA[0], APC_ALSA) == APC_ALSA[1]
    assert notes_port(APC_ALSA[1], APC_ALSA) is None  # opened on the Notes port itself
    other = "APC mini mk2:APC mini mk2 APC mini mk2 Notes 32:1"  # a second APC's
    assert notes_port(APC_ALSA[0], [APC_ALSA[0], other]) is None
    assert notes_port(MIDIMIX_ALSA, [MIDIMIX_ALSA, *APC_ALSA]) is None


def test_a_pads_pressure_reaches_learn_after_the_pads_own_note_however_busy_the_controls_thread(fake_midi_backend):
    """A pad's note waited for the controls' thread while its pressure, told on the port's reader, overtook it: vcam
    midi learn said the pressure first, as of no key held, and told to set the pad to send a CC."""
    go = threading.Event()
    came = []

    def heard(msg) -> None:
        go.wait(60)  # the controls' thread busy with the note while the pressure comes
        came.append(msg.type)

    said = []
    midi, _ = watched("nanokontrol", said, heard, unheeded=lambda msg: came.append(msg.type))
    try:
        fake_midi.send(NANO, mido.Message("note_on", note=11, velocity=127))
        fake_midi.send(NANO, mido.Message("polytouch", note=11, value=40))
        go.set()
        assert wait_for(lambda: len(came) == 2, 60)
        assert came == ["note_on", "polytouch"]
    finally:
        go.set()
        midi.stop()


def test_a_port_name_typed_wrong_is_waited_for_with_the_controller_it_is_near():
    """`--midi nanokontrl` waited for a controller that was plugged in all along, the inputs listed to spot it in."""
    from vcam.control.midi import waiting_line

    names = ["Midi Through:Midi Through Port-0 14:0", "MIDImix:MIDImix MIDI 1 24:0",
             "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0"]
    assert waiting_line("nanokontrl", names) == (
        "waiting for MIDI input 'nanokontrl' (inputs now: Midi Through:Midi Through Port-0 14:0, MIDImix:MIDImix MIDI "
        "1 24:0, nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0); plug it in, or did you mean 'nanoKONTROL2'?")
    assert waiting_line("mdimix", names).endswith("plug it in, or did you mean 'MIDImix'?")
    for other in ("nanokey", "launchpad", "thru"):  # another controller, not plugged in yet: no guess
        assert waiting_line(other, names).endswith("); plug it in"), other


@pytest.mark.parametrize("typed, plugged, meant", [
    ("midimixx", "MIDI Mix:MIDI Mix MIDI 1 24:0", "MIDI Mix"),
    ("MIDIMIXX", "MIDI Mix:MIDI Mix MIDI 1 24:0", "MIDI Mix"),
    ("midi  mixx", "MIDI Mix:MIDI Mix MIDI 1 24:0", "MIDI Mix"),
    ("MIDI Mixx MIDI 1 20:0", "MIDI Mix:MIDI Mix MIDI 1 24:0", "MIDI Mix MIDI 1"),
    ("nanokontrl2:nanoKONTROL2 MIDI 1 20:0", "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0",
     "nanoKONTROL2:nanoKONTROL2 MIDI 1"),
    ("NanoKontrl 2", "nanoKONTROL2:nanoKONTROL2 MIDI 1 24:0", "nanoKONTROL2")])
def test_a_port_name_slip_in_case_spaces_short_words_or_alsa_numbers_is_waited_for_with_the_name_meant(typed, plugged,
                                                                                                         meant):
    """`midimixx` for a 'MIDI Mix' (words too short to guess from), a slip beside ALSA's numbers of another boot, or
    one in case and spaces, was waited for without a word of the controller plugged in all along."""
    from vcam.control.midi import find_port, waiting_line

    names = ["Midi Through:Midi Through Port-0 14:0", plugged]
    assert waiting_line(typed, names).endswith(f"); plug it in, or did you mean {meant!r}?")
    assert find_port(meant, names) == plugged


@pytest.mark.parametrize("typed, plugged", [("nanokontrol2", "nanoKONTROL Studio:nanoKONTROL Studio MIDI 1 20:0"),
                                            ("nanokontrl2", "nanoKONTROL Studio:nanoKONTROL Studio MIDI 1 20:0"),
                                            ("keystep37", "KeyStep Pro:KeyStep Pro MIDI 1 20:0"),
                                            ("minilab3", "Arturia MiniLab mkII:Arturia MiniLab mkII MIDI 1 20:0"),
                                            ("launchpad x", "Launchpad Mini:Launchpad Mini MIDI 1 20:0")])
def test_a_port_name_of_another_model_of_the_controller_plugged_in_is_waited_for_with_no_guess(typed, plugged):
    """--midi nanokontrol2 beside a nanoKONTROL Studio asked "did you mean 'nanoKONTROL'?": the show's own
    controller, not plugged in yet, said to be a slip for another model of its make."""
    from vcam.control.midi import waiting_line

    assert waiting_line(typed, ["Midi Through:Midi Through Port-0 14:0", plugged]).endswith("); plug it in")


# --- the port opened as vcam starts ---------------------------------------------------------------------------------
KNOB_16 = MidiMap(knobs=(Knob(16, "transition", 0, 16),))  # the show's map: what the port opened early keeps


def taking_over_early(monkeypatch, values) -> tuple[MidiInput, list[int], list[str]]:
    """A MidiInput started on the port opened as vcam started (keeping the newest 4 messages), knob 16 having sent
    `values` meanwhile; with the values it hears and the lines it says."""
    from vcam.control import midiinput

    monkeypatch.setattr(midiinput, "EARLY_KEPT", 4)
    early = midiinput.EarlyInput()
    early.open("nano", KNOB_16)
    for value in values:
        fake_midi.send(NANO, cc(16, value))
    heard, said = [], []
    midi = MidiInput("nano", lambda msg: heard.append(msg.value) and None, said.append, poll=0.02)
    midi.early = early
    midi.start()
    return midi, heard, said


def test_a_port_opened_early_past_what_it_keeps_says_the_oldest_dropped_and_keeps_the_knobs_last_position(
        fake_midi_backend, monkeypatch):
    midi, heard, said = taking_over_early(monkeypatch, range(10, 16))
    try:
        assert wait_for(lambda: heard and heard[-1] == 15)
        assert set(heard) <= {12, 13, 14, 15}
        assert said[:2] == [f"MIDI: listening on {NANO}", "MIDI: the oldest 2 messages sent while vcam started were "
                            "dropped (vcam keeps the newest 4 while it starts): press again any button pressed then"]
        fake_midi.send(NANO, cc(16, 20))  # the port taken over, the input hears what comes next
        assert wait_for(lambda: heard[-1] == 20)
    finally:
        midi.stop()
    assert [p for p in fake_midi.OPEN if p.name == NANO] == []


def test_a_port_opened_early_that_is_not_the_one_the_show_opens_is_closed(fake_midi_backend):
    from vcam.control.midiinput import EarlyInput

    early = EarlyInput()
    early.open("midimix", KNOB_16)
    fake_midi.send("Fake MIDImix", cc(16, 40))
    heard, said = [], []
    midi = MidiInput("nano", lambda msg: heard.append(msg) and None, said.append, poll=0.02)
    midi.early = early
    midi.start()
    try:
        assert [p.name for p in fake_midi.OPEN] == [NANO]
    finally:
        midi.stop()
    assert heard == [] and fake_midi.OPEN == []


def test_a_port_that_cannot_be_opened_early_for_an_error_of_rtmidi_s_own_is_left_to_the_shows_input(
        fake_midi_backend, monkeypatch):
    """rtmidi's base RtMidiError (a system error, a driver's) escaped the early open, before the show's checks, as
    a traceback: the show's input opens the port itself and says what went wrong."""
    rtmidi = pytest.importorskip("rtmidi")
    from vcam.control import midiinput

    def refused(name, deliver):
        raise rtmidi.RtMidiError("MidiInAlsa::openPort: error creating ALSA sequencer port")

    monkeypatch.setattr(midiinput, "_opened", refused)
    early = midiinput.EarlyInput()
    early.open("nano", KNOB_16)
    assert early.name is None
    monkeypatch.undo()
    heard, said = [], []
    midi = MidiInput("nano", lambda msg: heard.append(msg.value) and None, said.append, poll=0.02)
    midi.early = early
    midi.start()
    try:
        fake_midi.send(NANO, cc(16, 30))
        assert wait_for(lambda: heard == [30])
    finally:
        midi.stop()


@pytest.mark.parametrize("command", [["run", "--model", "tiny", "--out", "null", "--midi", "nano", "--duration", "1",
                                      "--no-stdin"],
                                     ["midi", "learn", "--midi", "nano", "--count", "1"]])
def test_a_controller_there_at_the_start_that_rtmidi_cannot_open_is_said_in_one_line_with_what_to_do(
        fake_midi_backend, shared_tiny, monkeypatch, capsys, command):
    """rtmidi's base RtMidiError from the open as vcam started (a port another program holds) was no OSError: vcam
    run and vcam midi learn ended with a traceback and exit 1."""
    rtmidi = pytest.importorskip("rtmidi")
    from vcam.cli import main

    def refused(self, **kwargs):
        raise rtmidi.RtMidiError("MidiInAlsa::openPort: error creating ALSA sequencer port")

    monkeypatch.setattr(fake_midi.Input, "_open", refused)
    assert main(command) == 2
    err = capsys.readouterr().err
    assert f"MIDI input {NANO} could not be opened (MidiInAlsa::openPort: error creating ALSA sequencer port)" in err
    assert "close any other program using the controller" in err and "Traceback" not in err
    assert fake_midi.OPEN == [] and not [t for t in threading.enumerate() if t.name.startswith("midi")]


FIRST_OPEN_COMMANDS = {
    "run": ["run", "--model", "tiny", "--out", "null", "--midi", "nano", "--duration", "1", "--no-stdin"],
    "serve": ["serve", "--model", "tiny", "--midi", "nano", "--duration", "1", "--no-stdin", "--port", "PORT"],
    "cam": ["cam", "ws://127.0.0.1:1", "--out", "null", "--no-stdin", "--midi", "nano", "--midi-map", "nanokontrol2",
            "--duration", "1"],
    "learn": ["midi", "learn", "--midi", "nano", "--count", "1"]}


def _first_open_refused(monkeypatch, capsys, command: str, leaves: bool) -> str:
    """What vcam `command` says where the first open of the nanoKONTROL2 raises mido's "unknown port", the port
    listed still or (`leaves`) gone as it was opened; asserted to end with 2, leaving no port or thread open."""
    from vcam.cli import main

    def unknown(self, **kwargs):
        if leaves:
            fake_midi.PRESENT.discard(self.name)
        raise OSError(f"unknown port {self.name!r}")

    monkeypatch.setattr(fake_midi.Input, "_open", unknown)
    assert main([str(free_port()) if word == "PORT" else word for word in FIRST_OPEN_COMMANDS[command]]) == 2
    assert fake_midi.OPEN == [] and not [t for t in threading.enumerate() if t.name.startswith("midi")]
    return capsys.readouterr().err


@pytest.mark.parametrize("command", list(FIRST_OPEN_COMMANDS))
def test_a_controller_whose_first_open_says_unknown_port_is_named_with_what_to_do(
        fake_midi_backend, shared_tiny, monkeypatch, capsys, command):
    """mido's OSError from the first open (a port listed, then refused) ended vcam run, serve, cam and midi learn
    with "vcam: error: OSError: unknown port ...", which said neither which input nor what to do."""
    err = _first_open_refused(monkeypatch, capsys, command, leaves=False)
    assert f"error: MIDI input {NANO} could not be opened (unknown port {NANO!r})" in err
    assert "close any other program using the controller" in err
    assert "OSError" not in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_controller_that_leaves_as_the_show_opens_it_is_waited_for(
        fake_midi_backend, shared_tiny, monkeypatch, capsys, command):
    """vcam run and serve ended with 2 ("went away as it was being opened ... start vcam again") where the
    controller left between the show's port listing and its open, though one gone a moment earlier is waited for and
    a replug during the show is reopened: it is waited for alike, and the show goes on."""
    from vcam.cli import main

    opens = []

    def refused_then_gone(self, **kwargs):
        opens.append(self.name)
        if len(opens) > 1:  # the show's own open: the controller left after the listing (the first, as vcam started,
            fake_midi.PRESENT.discard(self.name)  # was refused while it was there)
        raise OSError(f"unknown port {self.name!r}")

    monkeypatch.setattr(fake_midi.Input, "_open", refused_then_gone)
    assert main([str(free_port()) if word == "PORT" else word for word in FIRST_OPEN_COMMANDS[command]]) == 0
    err = capsys.readouterr().err
    assert opens == [NANO, NANO]
    assert "waiting for MIDI input 'nano' (inputs now: Fake MIDImix); plug it in" in err, err
    assert "went away" not in err and "error:" not in err and "Traceback" not in err
    assert fake_midi.OPEN == [] and not [t for t in threading.enumerate() if t.name.startswith("midi")]


@pytest.mark.parametrize("command", ["cam", "learn"])
def test_a_controller_that_leaves_between_the_listing_and_its_open_is_said_gone(
        fake_midi_backend, monkeypatch, capsys, command):
    """A controller unplugged between the port listing and its open (a loose cable, a hub powering down) was said
    as "vcam: error: OSError: unknown port ...". vcam run and serve open it first as they start, and wait for it
    where it is gone by then."""
    err = _first_open_refused(monkeypatch, capsys, command, leaves=True)
    assert f"error: MIDI input {NANO} went away as it was being opened\n  fix: plug the controller back in" in err
    assert "OSError" not in err and "Traceback" not in err


def test_a_failure_handing_on_the_messages_kept_closes_the_port_and_is_not_said_as_the_port(fake_midi_backend):
    """A failure of vcam's own as the messages kept while vcam started were handed on (a tap button's reading) was
    said as "MIDI input ... could not be opened (...)", with advice to close other programs, and the port taken over
    from the early open was left open."""
    from vcam.control.midiinput import EarlyInput

    early = EarlyInput()
    early.open("nano", KNOB_16)
    fake_midi.send(NANO, cc(16, 50))

    def broken(msg):
        raise ValueError("a fault of vcam's")

    midi = MidiInput("nano", lambda msg: None, lambda line: None, poll=0.02)
    midi.early, midi.tap_press = early, broken
    with pytest.raises(ValueError, match="a fault of vcam's"):
        midi.start()
    assert fake_midi.OPEN == [] and not [t for t in threading.enumerate() if t.name.startswith("midi")]


def test_a_controller_replugged_while_vcam_starts_is_opened_afresh_and_heard(fake_midi_backend):
    """Unplugged and plugged back in as the show loaded, it came back under the same name: the show's input took
    over the port opened early, deaf since the unplug, and never reopened it, the controller dead for the show
    unsaid (before the port opened early, the show opened the one there as it started)."""
    from vcam.control.midiinput import EarlyInput

    early = EarlyInput()
    early.open("nano", KNOB_16)
    fake_midi.send(NANO, cc(16, 50))  # before the unplug: acted on all the same
    first = next(p for p in fake_midi.OPEN if p.name == NANO)
    fake_midi.unplug(NANO)
    assert wait_for(lambda: first.closed)  # a replug takes a USB debounce (100 ms) or more: seen gone meanwhile
    fake_midi.plug(NANO)
    heard, said = [], []
    midi = MidiInput("nano", lambda msg: heard.append(msg.value) and None, said.append, poll=0.02)
    midi.early = early
    midi.start()
    try:
        fake_midi.send(NANO, cc(16, 77))
        assert wait_for(lambda: heard == [50, 77]), heard
        assert said == [f"MIDI: listening on {NANO}"]
    finally:
        midi.stop()
    assert fake_midi.OPEN == []


def test_taps_sent_while_vcam_starts_are_left_out_and_said_after_the_ports_line(opened_early):
    """Four taps on the tap button as the show loaded were handed on within microseconds of each other as it
    started: no tempo (taps that close are no beat), and no word why the taps did nothing."""
    from vcam.control.midiinput import routed_input

    router, early = opened_early(Button(parse("next"), note=36), Button(parse("tap"), note=40),
                                 Button(parse("tap"), cc=45))
    held = router.controller
    def note(number, velocity=100):
        return mido.Message("note_on", note=number, velocity=velocity)

    for pressed in (note(40), note(40, 0), note(36), note(40), cc(45, 127), cc(45, 0), note(40)):
        fake_midi.send(NANO, pressed)
    said = []
    midi = routed_input("nano", router, said.append, early=early)
    midi.start()
    try:
        assert wait_for(lambda: "did next" in said)
        assert said[:2] == [f"MIDI: listening on {NANO}", "MIDI: 4 taps sent while vcam started were not acted on "
                            "(a tap's tempo is its timing, lost while the show loaded): tap the tempo again"]
        fake_midi.send(NANO, note(40))  # once the show is up, a tap is timed as it comes
        assert wait_for(lambda: held.commands == ["next", "tap"]), held.commands
    finally:
        midi.stop()


@pytest.mark.parametrize("end", ["close", "take", "take another"])
def test_the_port_watch_of_an_input_opened_early_has_ended_when_the_input_is_closed_or_taken(fake_midi_backend,
                                                                                               monkeypatch, end):
    """The watch was told to stop and left running: after a show refused (an unknown model, a bad --midi-map), it
    was still looking at the ports as vcam run returned."""
    import time

    from vcam.control import midiinput

    ended = []

    class SlowToClose(midiinput.PortLister):
        def close(self):
            time.sleep(0.05)  # a client's deletion waits on the MIDI system
            ended.append(True)

    monkeypatch.setattr(midiinput, "PortLister", SlowToClose)
    early = midiinput.EarlyInput()
    early.open("nano", KNOB_16)
    if end == "close":
        early.close()
    else:
        port = early.take(NANO if end == "take" else "Fake MIDImix", lambda msg: None)
        if port is not None:
            port.close()
    assert ended == [True]
    assert not [t for t in threading.enumerate() if t.name == "midi early watch"]


def test_an_error_of_rtmidi_s_own_in_the_early_port_watch_leaves_the_port_to_the_shows_input(fake_midi_backend,
                                                                                                monkeypatch):
    """rtmidi's base RtMidiError (not an OSError or a RuntimeError) from a look at the ports ended the early watch
    with a traceback in the middle of the show's loading."""
    rtmidi = pytest.importorskip("rtmidi")
    from vcam.control import midiinput

    looked, raised = threading.Event(), []

    class Failing(midiinput.PortLister):
        def names(self):
            looked.set()
            raise rtmidi.RtMidiError("MidiInAlsa::getPortCount: error")

    monkeypatch.setattr(midiinput, "PortLister", Failing)
    monkeypatch.setattr(threading, "excepthook", raised.append)
    early = midiinput.EarlyInput()
    early.open("nano", KNOB_16)
    assert looked.wait(5)
    port = early.take(NANO, lambda msg: None)
    try:
        assert port is not None and not port.closed
    finally:
        port.close()
    assert raised == []


@pytest.mark.parametrize("values, taps", [(range(128), "1 tap sent while vcam started was"),
                                          ((127, 127), "2 taps sent while vcam started were")])
def test_taps_on_a_cc_sent_while_vcam_starts_are_counted_as_the_router_counts_presses(opened_early, values, taps):
    """Every value from the middle up was counted a tap: a fader swept on the tap button's CC said "64 taps", where
    acting on it presses the button once as it passes the middle (a button sending 127 twice: pressed twice, its
    release lost)."""
    from vcam.control.midiinput import routed_input

    router, early = opened_early(Button(parse("tap"), cc=45), Button(parse("next"), note=36))
    for value in values:
        fake_midi.send(NANO, cc(45, value))
    fake_midi.send(NANO, mido.Message("note_on", note=36, velocity=100))
    said = []
    midi = routed_input("nano", router, said.append, early=early)
    midi.start()
    try:
        assert wait_for(lambda: "did next" in said)
        assert said[1].startswith(f"MIDI: {taps} not acted on"), said
    finally:
        midi.stop()


def test_a_port_opened_early_keeps_only_what_the_shows_map_acts_on(opened_early, monkeypatch):
    """A keyboard played on the controller's port as the show loaded pushed a mapped button's press out of what was
    kept, and "the oldest 201 messages … were dropped: press again any button" spoke of keys no control is on."""
    from vcam.control import midiinput

    monkeypatch.setattr(midiinput, "EARLY_KEPT", 100)
    router, early = opened_early(Button(parse("next"), cc=45, channel=0))
    held = router.controller
    fake_midi.send(NANO, cc(45, 127))
    for i in range(300):  # keys, and the button's CC on another channel: no control of the map is on them
        fake_midi.send(NANO, mido.Message("note_on", note=60 + i % 12, velocity=90) if i % 2 else cc(45, 127, 1))
    said = []
    midi = midiinput.routed_input("nano", router, said.append, early=early)
    midi.start()
    try:
        assert wait_for(lambda: held.commands == ["next"]), (held.commands, said)
        assert not [line for line in said if "dropped" in line]
    finally:
        midi.stop()


def test_one_message_dropped_while_vcam_starts_is_said_as_one(fake_midi_backend, monkeypatch):
    """"the oldest 1 message … was dropped (it keeps 4)": a count where one was meant, and no word of what keeps."""
    midi, heard, said = taking_over_early(monkeypatch, range(10, 15))
    try:
        assert wait_for(lambda: heard and heard[-1] == 14)
        assert said[1] == ("MIDI: the oldest message sent while vcam started was dropped (vcam keeps the newest 4 "
                           "while it starts): press again any button pressed then")
    finally:
        midi.stop()


@pytest.mark.parametrize("fails", ["listing", "open"])
def test_an_error_of_rtmidi_s_own_in_the_inputs_port_watch_is_said_and_the_watch_goes_on(fake_midi_backend,
                                                                                          monkeypatch, fails):
    """rtmidi's base RtMidiError (a system's or a driver's error: neither an OSError nor a RuntimeError) from a
    look at the ports, or from opening the controller that came, ended the input's watch with a traceback: the
    controller plugged in after that was never opened, unsaid."""
    rtmidi = pytest.importorskip("rtmidi")
    from vcam.control import midiinput

    raised, failed = [], threading.Event()
    monkeypatch.setattr(threading, "excepthook", raised.append)
    fake_midi.PRESENT.discard(NANO)
    listing, opened = fake_midi.get_devices, midiinput._opened

    def failing_once(real):
        def call(*args, **kwargs):
            if not failed.is_set() and (fails == "open" or NANO in fake_midi.PRESENT):
                failed.set()
                raise rtmidi.RtMidiError("MidiInAlsa: error looking for port name")
            return real(*args, **kwargs)
        return call

    if fails == "listing":
        monkeypatch.setattr(fake_midi, "get_devices", failing_once(listing))
    else:
        monkeypatch.setattr(midiinput, "_opened", failing_once(opened))
    heard, said = [], []
    midi = MidiInput("nano", lambda msg: heard.append(msg.value) and None, said.append, poll=0.02)
    midi.start()
    try:
        fake_midi.plug(NANO)
        assert failed.wait(5)
        assert wait_for(lambda: any(p.name == NANO for p in fake_midi.OPEN), 10), said
        fake_midi.send(NANO, cc(16, 30))
        assert wait_for(lambda: heard == [30]), said
    finally:
        midi.stop()
    assert raised == [] and fake_midi.OPEN == []
    if fails == "open":
        assert said[-2] == (f"MIDI input {NANO} could not be opened (MidiInAlsa: error looking for port name); "
                            "trying again until it opens")


def test_messages_kept_as_vcam_starts_for_a_port_that_comes_back_renamed_are_said_not_acted_on(fake_midi_backend):
    """Windows numbers its inputs anew as they come and go: a controller replugged as the show loaded came back as
    "nanoKONTROL2 2", the show opened that, and what was kept from "nanoKONTROL2 1" was dropped without a word."""
    from vcam.control.midiinput import EarlyInput

    first, second = "nanoKONTROL2 1", "nanoKONTROL2 2"
    fake_midi.PRESENT.clear()
    fake_midi.plug(first)
    early = EarlyInput()
    early.open("nanokontrol2", KNOB_16)
    fake_midi.send(first, cc(16, 50))
    fake_midi.send(first, cc(16, 51))
    port = next(p for p in fake_midi.OPEN if p.name == first)
    fake_midi.unplug(first)
    assert wait_for(lambda: port.closed)
    fake_midi.plug(second)
    heard, said = [], []
    midi = MidiInput("nanokontrol2", lambda msg: heard.append(msg.value) and None, said.append, poll=0.02)
    midi.early = early
    midi.start()
    try:
        fake_midi.send(second, cc(16, 77))
        assert wait_for(lambda: heard == [77]), heard
        assert said == [f"MIDI: listening on {second}", f"MIDI: 2 messages sent on {first} while vcam started were "
                        f"not acted on, as the show listens on {second}: press again any button pressed then"]
    finally:
        midi.stop()
    assert fake_midi.OPEN == []
    assert not [t for t in threading.enumerate() if t.name == "midi early watch"]


@pytest.mark.parametrize("renamed", [False, True])
def test_messages_not_acted_on_as_vcam_starts_are_counted_past_what_it_keeps(fake_midi_backend, monkeypatch, renamed):
    """The messages sent on a controller unplugged as the show loaded (gone at its start, or back under another
    name) were said not acted on up to the 4,096 kept: the oldest, dropped past that, went uncounted."""
    from vcam.control import midiinput

    monkeypatch.setattr(midiinput, "EARLY_KEPT", 4)
    early = midiinput.EarlyInput()
    early.open("nano", KNOB_16)
    for value in range(10, 16):
        fake_midi.send(NANO, cc(16, value))
    port = next(p for p in fake_midi.OPEN if p.name == NANO)
    fake_midi.unplug(NANO)
    assert wait_for(lambda: port.closed)
    if renamed:
        fake_midi.plug("Fake nanoKONTROL2 MIDI 2")
    said = []
    midi = MidiInput("nano", lambda msg: None, said.append, poll=0.02)
    midi.early = early
    midi.start()
    try:
        assert [line for line in said if "not acted on" in line] == [
            f"MIDI: 6 messages sent on {NANO} while vcam started were not acted on, as "
            + ("the show listens on Fake nanoKONTROL2 MIDI 2: press again any button pressed then" if renamed else
               "it was unplugged before the show started: press again any button pressed then, once it is back")]
    finally:
        midi.stop()
    assert fake_midi.OPEN == []


def test_messages_kept_as_vcam_starts_for_a_port_gone_at_the_shows_start_are_said_not_acted_on(fake_midi_backend):
    """A controller unplugged as the show loaded, and not back as it started: what was sent on it meanwhile was
    dropped without a word, where one back under another name is said."""
    from vcam.control.midiinput import EarlyInput

    early = EarlyInput()
    early.open("nano", KNOB_16)
    fake_midi.send(NANO, cc(16, 50))
    fake_midi.send(NANO, cc(16, 51))
    port = next(p for p in fake_midi.OPEN if p.name == NANO)
    fake_midi.unplug(NANO)
    assert wait_for(lambda: port.closed)
    heard, said = [], []
    midi = MidiInput("nano", lambda msg: heard.append(msg.value) and None, said.append, poll=0.02)
    midi.early = early
    midi.start()
    try:
        assert said[0].startswith("waiting for MIDI input 'nano'")
        assert said[1:] == [f"MIDI: 2 messages sent on {NANO} while vcam started were not acted on, as it was "
                            "unplugged before the show started: press again any button pressed then, once it is back"]
        fake_midi.plug(NANO)
        assert wait_for(lambda: any(p.name == NANO for p in fake_midi.OPEN))
        fake_midi.send(NANO, cc(16, 77))
        assert wait_for(lambda: heard == [77]), heard  # what was kept stays unacted on
    finally:
        midi.stop()
    assert fake_midi.OPEN == [] and midi.early is None
    assert not [t for t in threading.enumerate() if t.name == "midi early watch"]


def test_a_midi_backend_mido_refuses_is_not_said_as_midi_missing_from_the_machine(fake_midi_backend, monkeypatch):
    """MIDO_BACKEND=mido.backends.rtmidi/UNIX_JAK (an API mido does not know, its ValueError) was said as "MIDI is
    not available on this machine" with advice to load the ALSA sequencer: mido's own words name the setting."""
    def refused(**kwargs):
        raise ValueError("unknown API UNIX_JAK")

    monkeypatch.setattr(fake_midi, "get_devices", refused)
    with pytest.raises(ValueError, match="unknown API UNIX_JAK"):
        midi_module.input_names()
