"""vcam midi learn: the port it listens on by default, and controls whose messages no map can read."""
import mido


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


def test_learn_listens_on_the_controller_not_on_alsas_midi_through(monkeypatch):
    from vcam.control import midilearn

    monkeypatch.setattr(midilearn, "input_names", lambda: ["Midi Through:Midi Through Port-0 14:0",
                                                           "nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0"])
    assert midilearn.default_port() == "nanoKONTROL2:nanoKONTROL2 MIDI 1"
    monkeypatch.setattr(midilearn, "input_names", lambda: ["Midi Through:Midi Through Port-0 14:0"])
    assert midilearn.default_port() == "Midi Through:Midi Through Port-0"  # nothing else: at least that


def test_learn_says_a_control_sending_nrpn_cannot_be_mapped_instead_of_offering_its_ccs():
    """An NRPN knob sends CC 99 and 98 (its number) then 6 and 38 (its value): learn offered `cc: 6, param: blend`,
    which every NRPN control of the controller would move, and guessed at 99 and 98."""
    from vcam.control.midilearn import Learner

    learner = Learner()
    lines = []
    for value in range(0, 40, 4):
        for control, v in ((99, 1), (98, 2), (6, value), (38, 127 - value)):
            lines += learner.feed(cc(control, v, channel=2), value / 100)
    lines += learner.due()
    assert len(lines) == 1 and "# NRPN (CC 99/98 pick a parameter, CC 6/38 carry its value)" in lines[0], lines
    assert "set this control to send a CC or a note" in lines[0]
    # on a channel where no parameter was picked, CC 6 is a knob like any other
    assert learner.feed(cc(6, 5, channel=0), 1.0) == [] and learner.feed(cc(6, 9, channel=0), 1.1) != []


def test_learn_waits_for_a_controller_plugged_in_after_it_started(fake_midi_backend):
    """`vcam midi learn --midi launchpad` before the Launchpad was plugged in was refused, where a show waits."""
    import threading

    import fake_midi
    from helpers import in_thread, wait_for
    from vcam.control.midilearn import learn

    late, said, out, stop = "Fake Launchpad Mini", [], [], threading.Event()
    try:
        thread, errors = in_thread(learn, "launchpad", out.append, said.append, None, stop, 0.02)
        assert wait_for(lambda: any(s.startswith("waiting for MIDI input 'launchpad'") for s in said))
        fake_midi.plug(late)
        assert wait_for(lambda: f"MIDI: listening on {late}" in said, 30), said
        for value in (10, 14, 18, 22):
            fake_midi.send(late, cc(16, value))
        assert wait_for(lambda: any("cc: 16" in line for line in out), 30), (out, said)
    finally:
        stop.set()
        fake_midi.unplug(late)
    thread.join(30)
    assert not thread.is_alive() and errors == []
