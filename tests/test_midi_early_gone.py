"""Messages kept while vcam started, where the controller left as the show's input first opened it."""
import threading

import mido

import fake_midi
from helpers import wait_for
from vcam.control import midiinput
from vcam.control.commands import parse
from vcam.control.midimap import Button

NANO = "Fake nanoKONTROL2 MIDI 1"
NANO_AGAIN = "Fake nanoKONTROL2 MIDI 2"


def test_messages_kept_for_a_controller_that_left_as_it_first_opened_are_said_not_acted_on(opened_early,
                                                                                           monkeypatch):
    """A button pressed as the show loaded, its controller gone as the show's input first opened it: the input
    waited for it, and the press was dropped without a word (the other early cases say theirs)."""
    router, early = opened_early(Button(parse("next"), note=36))
    held = router.controller
    fake_midi.send(NANO, mido.Message("note_on", note=36, velocity=100))
    fake_midi.unplug(NANO)
    assert wait_for(lambda: early._port is None)  # its watch saw it go
    real, listed = midiinput.input_names, [True]

    def flickering():  # back for a moment under another number (ALSA's renumbering), gone again by its open
        if listed:
            listed.clear()
            return real() + [NANO_AGAIN]
        return real()

    monkeypatch.setattr(midiinput, "input_names", flickering)
    said = []
    midi = midiinput.routed_input("nano", router, said.append, early=early, waits_for_gone=True)
    midi.start()
    try:
        assert [line for line in said if "not acted on" in line] == [
            f"MIDI: 1 message sent on {NANO} while vcam started was not acted on, as it was unplugged before the "
            "show started: press again any button pressed then, once it is back"], said
        assert held.commands == []
    finally:
        midi.stop()
        fake_midi.plug(NANO)
    assert not [p for p in fake_midi.OPEN if p.name == NANO]
    assert not [t for t in threading.enumerate() if t.name.startswith("midi")]
