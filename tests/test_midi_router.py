"""MIDI routing: soft takeover against a local controller and against a remote one whose state comes back late."""
import threading
from collections import deque

import mido
import pytest

from helpers import RecordingProducer
from vcam.remote.controller import RemoteController
from vcam.control.commands import parse
from vcam.control.controller import Controller, ShowState
from vcam.control.midi import UNHEARD, MidiRouter, Unheard
from vcam.control.midilearn import learn_line
from vcam.control.midimap import Button, Knob, MidiMap, find_map_file, load_map
from vcam.control.show import parse_show

SHOW = """\
presets:
  - {name: city, prompt: a neon city}
  - {name: ocean, prompt: ocean waves}
  - {name: forest, prompt: a misty forest}
"""


def server_controller(**state) -> Controller:
    show = parse_show(SHOW, "show.yaml")
    st = ShowState(prompts=show.presets[0].prompts, preset=0, **state)
    return Controller(show, st, RecordingProducer(), threading.Event(), lambda s: None)


def nanokontrol2():
    return load_map(find_map_file("nanokontrol2", None))


def cc(control, value, channel=0):
    return mido.Message("control_change", control=control, value=value, channel=channel)


class LaggyLink:
    """A server reached over a network: each command is applied there at once, and the state it answers with
    reaches the client `lag` knob messages later."""

    def __init__(self, lag: int):
        self.server = server_controller()
        self.lag = lag
        self.sent: list[str] = []
        self.in_flight: deque[dict] = deque()
        self.remote = RemoteController(self.send)
        self.remote.update(self.server.snapshot())

    def send(self, line: str) -> bool:
        self.sent.append(line)
        self.server.handle_line(line, "net")
        self.in_flight.append(self.server.snapshot())
        return True

    def deliver(self, keep: int) -> None:
        while len(self.in_flight) > keep:
            self.remote.update(self.in_flight.popleft())

    def sweep(self, router: MidiRouter, values) -> None:
        """Fader 1 moved through `values`, each state answer arriving `lag` messages late, then all of them."""
        for v in values:
            router.handle(cc(0, v))
            self.deliver(keep=self.lag)
        self.deliver(keep=0)

    def blends(self) -> list[float]:
        return [parse(line).args[2] for line in self.sent if line.startswith("blend")]


def test_remote_fader_follows_despite_late_state():
    link = LaggyLink(lag=4)
    router = MidiRouter(nanokontrol2(), link.remote)
    link.sweep(router, range(0, 128, 2))
    assert len(link.blends()) >= 60
    assert link.blends()[-1] >= 0.95
    assert link.server.state.blend[2] >= 0.95


def test_remote_fader_keeps_blending_the_same_two_presets():
    link = LaggyLink(lag=0)
    router = MidiRouter(nanokontrol2(), link.remote)
    link.sweep(router, range(0, 128, 2))
    pairs = {tuple(parse(line).args[:2]) for line in link.sent}
    assert pairs == {("city", "ocean")}
    assert link.server.state.blend[:2] == (0, 1)


def test_an_outside_change_still_releases_a_remote_knob():
    link = LaggyLink(lag=2)
    router = MidiRouter(nanokontrol2(), link.remote)
    link.sweep(router, range(0, 64, 2))
    link.server.handle_line("blend city ocean 0.9", "stdin")  # another operator
    link.remote.update(link.server.snapshot())
    before = len(link.sent)
    router.handle(cc(0, 66))
    router.handle(cc(0, 70))
    assert len(link.sent) == before and link.server.state.blend[2] == 0.9


@pytest.mark.parametrize("change", ["preset 2", "transition 2"])
def test_an_outside_change_to_a_value_the_remote_knob_passed_releases_it(change):
    """A fader swept up from 0 while the server's answers lag, then a preset chosen (no blend: the fader's parameter
    is back at 0, where the sweep began): the client took 0 for the first answer to its own sweep, kept the fader,
    and its next move blended the new preset into the next one. Each state heard is weighed in turn."""
    link = LaggyLink(lag=4)  # a quick move: no answer is back before it ends
    router = MidiRouter(nanokontrol2(), link.remote)
    control, start, param = (0, 0, "blend") if change.startswith("preset") else (16, 16, "transition")
    if param == "transition":
        link.server.handle_line("transition 2", "stdin")
        link.remote.update(link.server.snapshot())
    for v in range(start, start + 24, 8):
        router.handle(cc(control, v))
        link.deliver(keep=link.lag)
    link.server.handle_line(change, "stdin")  # the server's operator, while the sweep's answers are on their way
    link.in_flight.append(link.server.snapshot())
    link.deliver(keep=0)
    before = link.server.snapshot()[param]
    router.handle(cc(control, start + 28))
    assert link.server.snapshot()[param] == before  # let go: it meets the parameter again first


def test_an_outside_change_still_releases_a_local_knob():
    ctl = server_controller()
    router = MidiRouter(nanokontrol2(), ctl)
    for v in (0, 10, 20, 30):
        router.handle(cc(16, v))  # knob 1: transition 0..16
    assert ctl.state.transition == round(30 / 127 * 16)
    ctl.handle_line("transition 12", "stdin")
    router.handle(cc(16, 40))
    assert ctl.state.transition == 12


def sweep(router, control, values):
    return [router.handle(cc(control, v)) for v in values]


@pytest.mark.parametrize("command,control,end,at_100", [("transition 20", 16, 16, 13), ("steps 12", 17, 8, 7)])
def test_a_value_beyond_the_knobs_range_is_picked_up_at_its_nearest_end(command, control, end, at_100):
    ctl = server_controller()
    ctl.handle_line(command, "stdin")
    param, before = command.split()[0], int(command.split()[1])
    router = MidiRouter(nanokontrol2(), ctl)  # knob 1: transition 0..16; knob 2: steps 1..8
    sweep(router, control, range(0, 110))
    assert getattr(ctl.state, param) == before  # short of the knob's end
    sweep(router, control, [127])
    assert getattr(ctl.state, param) == end
    sweep(router, control, [100])
    assert getattr(ctl.state, param) == at_100  # and follows from then on


def test_a_value_below_a_reversed_knobs_range_is_picked_up_at_its_low_end():
    ctl = server_controller(transition=1)
    router = MidiRouter(MidiMap(knobs=(Knob(5, "transition", 16, 4),)), ctl)
    sweep(router, 5, range(0, 110))
    assert ctl.state.transition == 1
    sweep(router, 5, [127, 64])
    assert ctl.state.transition == round(16 - 64 / 127 * 12)


def test_the_seed_knob_does_not_jump_at_the_first_touch():
    ctl = server_controller(seed=42)
    router = MidiRouter(nanokontrol2(), ctl)  # knob 3: seed 0..127
    sweep(router, 18, [127, 100, 60])
    assert ctl.state.seed == 42
    sweep(router, 18, [41, 30])  # passing 42 picks it up
    assert ctl.state.seed == 30


@pytest.mark.parametrize("text", ["channel: 10\ncontrols:\n  - {program: presets}\n",
                                  "controls:\n  - {program: presets, channel: 10}\n"])
def test_program_change_listens_only_on_its_channel(tmp_path, text):
    path = tmp_path / "map.yaml"
    path.write_text(text)
    ctl = server_controller()
    router = MidiRouter(load_map(path), ctl)
    said = router.handle(mido.Message("program_change", program=2, channel=0))
    assert isinstance(said, Unheard) and "came on channel 1, but the map listens for it on channel 10" in said
    assert router.handle(mido.Message("program_change", program=2, channel=0)) is UNHEARD
    assert ctl.state.preset == 0
    assert "forest" in router.handle(mido.Message("program_change", program=2, channel=9))
    assert ctl.state.preset == 2


def test_a_program_change_past_the_shows_presets_is_said_with_the_program_it_came_as():
    """A DAW counting programs from 1 sent 7 for the show's seventh preset: "no preset 8" did not say why 8."""
    ctl = server_controller()
    router = MidiRouter(MidiMap(program_channels=(None,)), ctl)
    presets = len(ctl.show.presets)
    said = router.handle(mido.Message("program_change", program=presets, channel=0))
    assert said == (f"error: MIDI program change {presets} selects preset {presets + 1} (program N, counted from 0 as "
                    f"MIDI sends it, selects preset N+1): no preset {presets + 1}: this show has presets 1 to "
                    f"{presets}"), said
    assert ctl.state.preset == 0


def test_a_map_button_past_the_shows_presets_names_its_control_and_map_line():
    """A map file's row of preset buttons is longer than most shows: a press past the end answered "no preset 5",
    which did not say which of the controller's buttons sent it, nor where it is bound."""
    ctl = server_controller()
    router = MidiRouter(nanokontrol2(), ctl)
    said = router.handle(cc(36, 127))
    assert said == ("error: MIDI cc 36 (preset 5, nanokontrol2.yaml line 14): no preset 5: this show has presets 1 "
                    "to 3"), said
    assert router.handle(cc(36, 0)) is None and ctl.state.preset == 0
    pad = MidiRouter(MidiMap(buttons=(Button(parse("preset 9"), note=7),)), ctl)  # a show's own: no file to name
    assert pad.handle(mido.Message("note_on", note=7, velocity=100)) == ("error: MIDI note 7 (preset 9): no preset 9: "
                                                                        "this show has presets 1 to 3")
    router.handle(cc(33, 127))  # one the show has: taken as before
    assert ctl.state.preset == 1


def test_program_change_on_any_channel_without_one_given():
    ctl = server_controller()
    router = MidiRouter(MidiMap(program_channels=(None,)), ctl)
    router.handle(mido.Message("program_change", program=1, channel=5))
    assert ctl.state.preset == 1


def test_learn_gives_the_program_change_channel():
    assert "channel: 10" in learn_line(mido.Message("program_change", program=3, channel=9))


def test_a_failing_fader_says_so_once_per_sweep_not_once_per_message():
    import mido

    from vcam.control.midiinput import MidiInput
    from vcam.control.throttle import ErrorThrottle

    def fail(msg):
        raise KeyError("no preset named 'oceann'")

    said = []
    midi = MidiInput("nanokontrol", fail, said.append)
    for value in range(0, 128, 2):  # one sweep of fader 1
        midi._act(mido.Message("control_change", control=0, value=value))
    midi._act(mido.Message("control_change", control=16, value=5))  # another knob still speaks up
    assert len(said) == 2 and "oceann" in said[0] and "control=16" in said[1]

    midi.stop()  # the rest of the sweep is counted once it is over, not lost
    assert len(said) == 3 and said[2].startswith("63 more like it, the last: ") and "oceann" in said[2]
    assert "value=126" in said[2]  # where the fader came to rest, not where the sweep began

    throttle = ErrorThrottle(every=2.0)
    assert throttle.admit(("cc", 0, 1), "error: x", 0.0) == "error: x"
    assert [throttle.admit(("cc", 0, 1), "error: x", t) for t in (0.5, 1.0, 1.5)] == [None] * 3
    assert throttle.held_back(1.9) == [] and throttle.admit(("cc", 0, 1), "error: y", 1.95) is None
    assert throttle.held_back(2.0) == ["4 more like it, the last: error: y"] and throttle.held_back(2.0) == []
    assert throttle.admit(("cc", 0, 1), "error: x", 2.1) == "error: x"


@pytest.mark.parametrize("start, server_blend", [(2, None), (4, None), (0, 0.02)])
def test_remote_fader_follows_from_wherever_it_is_picked_up(start, server_blend):
    """Until the server's first answer arrives, the client's state still shows the value the knob was picked up
    against; that is not a change by someone else."""
    link = LaggyLink(lag=4)
    if server_blend is not None:
        link.server.handle_line(f"blend city ocean {server_blend}", "stdin")
        link.remote.update(link.server.snapshot())
    router = MidiRouter(nanokontrol2(), link.remote)
    link.sweep(router, range(start, 128, 2))
    assert len(link.blends()) >= (128 - start) // 2 - 4
    assert link.server.state.blend[2] >= 0.95


def test_the_error_throttle_can_be_read_while_errors_come_in():
    """MIDI's callback thread admits errors while the port watcher reads the counts held back."""
    import sys
    import time

    from vcam.control.throttle import ErrorThrottle

    throttle, stop, errors = ErrorThrottle(every=2.0), threading.Event(), []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can

    def admit():
        i = 0
        while not stop.is_set():
            control = ("cc", 0, i)
            throttle.admit(control, "error: x", time.monotonic())
            throttle.admit(control, "error: x", time.monotonic())
            i += 1

    def read():
        try:
            while not stop.is_set():
                throttle.held_back(time.monotonic())
        except Exception as e:  # noqa: BLE001 - what the test looks for
            errors.append(repr(e))

    threads = [threading.Thread(target=admit), threading.Thread(target=read)]
    try:
        for t in threads:
            t.start()
        stop.wait(2.0)
    finally:
        stop.set()
        for t in threads:
            t.join()
        sys.setswitchinterval(switch)
    assert errors == []


class Pressed:
    """A controller that records the commands the buttons send."""

    def __init__(self):
        self.commands: list[str] = []

    def apply(self, command, origin):
        self.commands.append(command.name)
        return "ok"


def test_a_lost_button_release_does_not_latch_the_button():
    """A release lost on the way (JACK dropped it, the controller was unplugged mid-press) must not make the next
    press of that button count as still held."""
    from vcam.control.midimap import Button

    pressed = Pressed()
    router = MidiRouter(MidiMap(buttons=(Button(parse("next"), cc=41),)), pressed)
    for value in (127, 0, 127, 127, 0, 127):  # the release after the second press never came
        router.handle(cc(41, value))
    assert pressed.commands == ["next"] * 4


def test_a_button_the_controller_toggles_acts_on_every_press_where_its_entry_says_toggle(tmp_path):
    """A button set to toggle on the controller sends 127 on one press and 0 on the next: read as press and release,
    it acted on every other press. `toggle: true` on its entry makes each message a press."""
    path = tmp_path / "map.yaml"
    path.write_text("controls:\n  - {cc: 41, command: next, toggle: true}\n  - {cc: 42, command: freeze}\n")
    mapping = load_map(path)
    assert [b.toggle for b in mapping.buttons] == [True, False]
    pressed = Pressed()
    router = MidiRouter(mapping, pressed)
    for value in (127, 0, 127, 0, 0):  # four presses, then one whose 127 was lost
        router.handle(cc(41, value))
    assert pressed.commands == ["next"] * 5
    for value in (127, 0, 127, 0):  # a momentary button beside it: two presses
        router.handle(cc(42, value))
    assert pressed.commands == ["next"] * 5 + ["freeze"] * 2


def test_a_knob_used_as_a_button_fires_once_as_it_passes_the_middle():
    from vcam.control.midimap import Button

    pressed = Pressed()
    router = MidiRouter(MidiMap(buttons=(Button(parse("next"), cc=16),)), pressed)
    for value in (10, 40, 63, 64, 70, 90, 127, 100, 50, 20, 80):
        router.handle(cc(16, value))
    assert pressed.commands == ["next"] * 2


def test_learn_tells_buttons_from_knobs_and_guesses_a_control_that_sent_once():
    from vcam.control.midilearn import QUIET, Learner

    learner = Learner()
    assert learner.feed(cc(41, 127), 0.0) == []  # a button, or a knob at its end: not clear yet
    [button] = learner.feed(cc(41, 0), 0.1)
    assert "{cc: 41, command: next, channel: 1}" in button
    assert learner.feed(cc(41, 127), 0.2) == [] and learner.feed(cc(41, 127), 0.3) == []  # said once
    assert learner.feed(cc(42, 127), 0.0) == [] and "command: next" in learner.feed(cc(42, 127), 0.1)[0]
    assert learner.feed(cc(16, 40), 1.0) == []
    assert learner.due(1.0 + QUIET / 2) == []
    [guess] = learner.due(1.0 + QUIET)  # a knob nudged by one step: its guess once it rests
    assert "{cc: 16, param: blend, channel: 1}" in guess and "knob?" in guess
    assert learner.due(9.0) == [] and learner.feed(cc(16, 41), 9.0) != []  # now clear: said as a knob
    [single] = learner.feed(cc(17, 127), 10.0) or learner.due()
    assert "{cc: 17, command: next, channel: 1}" in single and "button?" in single


def test_learn_says_each_control_once_while_another_still_moves():
    """A control still moving (a knob turned a step at a time beside another, a button held while a knob turns) was
    guessed as soon as the other's line came, then said again once it had shown what it is."""
    from vcam.control.midilearn import Learner

    for msgs in ([cc(16, 40), cc(17, 50), cc(17, 51), cc(16, 41)],
                 [cc(41, 127), cc(17, 50), cc(17, 51), cc(17, 52), cc(41, 0)]):
        learner = Learner()
        said = [line for t, msg in enumerate(msgs) for line in learner.feed(msg, t * 0.05)] + learner.due()
        controls = [line.split("{cc: ")[1].split(",")[0] for line in said]
        assert sorted(controls) == sorted(set(controls)) and len(controls) == 2, said
        assert not any("?" in line.split("#")[1] for line in said), said


def test_learn_says_a_soft_press_will_not_fire_and_what_to_do_without_calling_it_a_button():
    """A pad hit softly (30 then 0) was said a button, as were a knob nudged 1 then 0 and a resent value: the line to
    paste fired by itself. Either could be it: the guess says the pad's hits would not fire, and how to make them."""
    from vcam.control.midilearn import Learner

    for values in ((30, 0), (1, 0), (0, 1, 0, 1, 0), (40, 40), (1, 1, 1)):
        learner = Learner()
        said = [line for t, value in enumerate(values) for line in learner.feed(cc(44, value), t)] + learner.due()
        assert len(said) == 1 and "{cc: 44, param: blend, channel: 1}    # a knob?" in said[0], (values, said)
        assert "fires only on a value of 64 or more: set it to send 127" in said[0], said
    learner = Learner()  # a velocity-sensitive pad's hits, each its own strength: a knob, with the pad's way out
    [knob] = [line for t, value in enumerate((30, 0, 50, 0, 90, 0)) for line in learner.feed(cc(44, value), t)]
    assert "# a knob or fader (30, 0, then 50: if those were a pad's hits, it takes command: next" in knob, knob
    learner = Learner()  # a fader pushed up from 0, and a button: no such word
    said = [line for t, value in enumerate((0, 1, 2, 3)) for line in learner.feed(cc(16, value), t)]
    said += [line for t, value in enumerate((127, 0, 127, 0)) for line in learner.feed(cc(41, value), t)]
    assert len(said) == 2 and not any("64" in line for line in said), said


def test_a_knob_mapped_as_a_button_jittering_near_0_or_resending_a_value_under_64_never_fires():
    """A press is a value of 64 or more: a knob's jitter at 0, a value sent twice, or a light's echo fired again and
    again where any value after a 0 was one."""
    from vcam.control.midimap import Button

    for values in ((0, 1) * 5, (40, 40), (5,), (0, 30, 0, 50, 0)):
        pressed = Pressed()
        router = MidiRouter(MidiMap(buttons=(Button(parse("next"), cc=41),)), pressed)
        for value in values:
            router.handle(cc(41, value))
        assert pressed.commands == [], values


def test_learn_listens_again_on_the_default_input_after_alsa_renumbers_it(monkeypatch):
    from vcam.control import midilearn

    monkeypatch.setattr(midilearn, "input_names", lambda: ["nanoKONTROL2:nanoKONTROL2 MIDI 1 20:0", "Midi Through"])
    assert midilearn.default_port(print) == "nanoKONTROL2:nanoKONTROL2 MIDI 1"


def test_a_map_file_naming_a_map_is_one_error_not_a_recursion(tmp_path):
    """Only a show's midi: section builds on a map file; a map file that named one could name itself."""
    from vcam.control.yamlproblems import ConfigError

    (tmp_path / "self.yaml").write_text("map: self.yaml\ncontrols: []\n")
    with pytest.raises(ConfigError) as err:
        load_map(tmp_path / "self.yaml")
    assert f"{tmp_path / 'self.yaml'}:1: MIDI map: unknown key 'map'" in str(err.value)


def test_a_shows_own_control_replaces_its_map_files_on_the_same_control():
    show = parse_show(SHOW + "midi:\n  map: nanokontrol2\n  controls:\n    - {cc: 16, command: next}\n"
                      "    - {cc: 41, command: blackout}\n    - {cc: 17, command: prev, channel: 2}\n", "show.yaml")
    st = ShowState(prompts=show.presets[0].prompts, preset=0)
    ctl = Controller(show, st, RecordingProducer(), threading.Event(), lambda s: None)
    router = MidiRouter(show.midi, ctl)
    router.handle(cc(16, 127))  # the map's transition knob there
    assert ctl.state.preset == 1 and ctl.state.transition == 4
    router.handle(cc(41, 127))  # the map's `live` there
    assert ctl.state.screen == "blackout"
    router.handle(cc(17, 127, channel=1))  # the show's button on its own channel
    assert ctl.state.preset == 0
    for value in (0, 127):  # the map's steps knob still on the map's channel, taken over as it passes 4
        router.handle(cc(17, value))
    assert ctl.state.steps == 8


def test_two_controls_of_one_list_on_the_same_cc_or_note_are_an_error_naming_both(tmp_path):
    """The router acts on one entry per message: the second never fired, and vcam check said ok."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    presets = "presets:\n  - {name: a, prompt: a city}\n  - {name: b, prompt: a forest}\n"
    clash = presets + ("midi:\n  controls:\n    - {cc: 16, param: seed}\n    - {note: 16, command: next}\n"
                       "    - {cc: 16, command: blackout}\n")
    with pytest.raises(ConfigError) as err:
        parse_show(clash, str(tmp_path / "show.yaml"))
    assert "midi control 3: cc 16 is control 1's already: only one of them would act" in str(err.value), err.value
    assert "control 2" not in str(err.value)  # a note 16 is another key
    on_channels = presets + ("midi:\n  controls:\n    - {cc: 16, param: seed, channel: 1}\n"
                             "    - {cc: 16, command: blackout, channel: 2}\n")
    assert len(parse_show(on_channels, str(tmp_path / "show.yaml")).midi.knobs) == 1
    any_channel_first = on_channels.replace(", channel: 1}", "}")  # the second, on channel 2, would never act
    with pytest.raises(ConfigError, match="midi control 2: cc 16 is control 1's already"):
        parse_show(any_channel_first, str(tmp_path / "show.yaml"))


def test_a_control_on_one_channel_then_the_same_on_any_channel_both_act(tmp_path):
    """The first acts on its channel and the second on every other: refused as if only one of them would act."""
    text = SHOW + "midi:\n  controls:\n    - {cc: 16, command: next, channel: 1}\n    - {cc: 16, command: blackout}\n"
    show = parse_show(text, str(tmp_path / "show.yaml"))
    ctl = Controller(show, ShowState(prompts=show.presets[0].prompts, preset=0), RecordingProducer(),
                     threading.Event(), lambda s: None)
    router = MidiRouter(show.midi, ctl)
    router.handle(cc(16, 127, channel=0))  # channel 1
    assert ctl.state.preset == 1 and ctl.state.screen == "live"
    router.handle(cc(16, 127, channel=3))
    assert ctl.state.screen == "blackout" and ctl.state.preset == 1


@pytest.mark.parametrize("meanwhile", [MidiMap(), MidiMap(buttons=(Button(parse("next"), cc=16),))],
                         ids=["taken out", "a button"])
def test_a_knob_a_reload_takes_out_and_gives_back_is_picked_up_anew(meanwhile):
    """A save that takes a picked-up knob out of the map (or makes it a button), and one that puts it back as it
    was: the knob was moved meanwhile, and its first move must not jump the parameter to where it was left."""
    ctl = server_controller(transition=4)
    knob = MidiMap(knobs=(Knob(16, "transition", 0, 16),))
    router = MidiRouter(knob, ctl)
    router.handle(cc(16, 32))  # 4: picked up
    router.handle(cc(16, 64))
    assert ctl.state.transition == 8
    router.mapping = meanwhile  # as a reload puts the saved map in force
    router.handle(cc(16, 120))  # moved while it drives nothing of the transition
    router.mapping = knob  # given back as it was
    router.handle(cc(16, 124))  # 15.5: far from 8
    assert ctl.state.transition == 8


def test_a_button_pressed_at_exactly_the_middle_value_fires_and_one_below_it_does_not():
    """Some pads send 64 for a press: the middle, where a button counts as pressed."""
    pressed = Pressed()
    router = MidiRouter(MidiMap(buttons=(Button(parse("next"), cc=41),)), pressed)
    for value in (63, 0, 64, 0):
        router.handle(cc(41, value))
    assert pressed.commands == ["next"]


@pytest.mark.parametrize("button, knob", [
    ("{cc: 16, command: next, channel: 2}", "{cc: 16, param: blend}"),
    ("{cc: 33, command: next, channel: 2}", "{cc: 1, bits: 14, param: blend}"),  # the knob's fine half
])
def test_a_button_on_a_channel_written_above_a_knob_on_any_channel_fires_on_its_channel(tmp_path, button, knob):
    """The map's check lets both be (one on a channel, then one on any channel: both act). The knob took every
    channel, the button's too, and the button never fired."""
    path = tmp_path / "map.yaml"
    path.write_text(f"controls:\n  - {button}\n  - {knob}\n")
    mapping = load_map(path)
    control = mapping.buttons[0].cc
    assert isinstance(mapping.control(1, cc=control), Button)
    assert isinstance(mapping.control(0, cc=control), Knob)
    pressed = Pressed()
    router = MidiRouter(mapping, pressed)
    router.handle(cc(control, 127, channel=1))
    assert pressed.commands == ["next"]


def test_learn_says_a_fader_pushed_fast_from_0_once_as_a_knob_and_keeps_the_lines_order():
    """A fader at 0 pushed fast to the top sends 0 then 127, a button's shape: it was said a button, and said again a
    knob at its next value. Its verdict waits for that next value, but never past another control's line: one
    touched meanwhile, or a guess coming due, still comes after it, as when it was said at once."""
    from vcam.control.midilearn import QUIET, Learner

    def said(msgs, rest: float | None = None) -> list[str]:
        learner = Learner()
        lines = [line for t, msg in enumerate(msgs) for line in learner.feed(msg, t * 0.01)]
        return lines + (learner.due(rest) if rest is not None else learner.due())

    def kinds(lines: list[str]) -> list[tuple[str, str]]:
        return [(line.split("{cc: ")[1].split(",")[0], "knob" if "param: blend" in line else "button")
                for line in lines]

    assert kinds(said([cc(0, 0), cc(0, 127), cc(0, 126), cc(0, 127)])) == [("0", "knob")]
    assert kinds(said([cc(0, 0), cc(0, 127), cc(0, 90), cc(0, 40), cc(0, 0)])) == [("0", "knob")]
    assert kinds(said([cc(41, 0), cc(41, 127), cc(41, 0)])) == [("41", "button")]
    assert kinds(said([cc(41, 0), cc(41, 127), cc(16, 10), cc(16, 20)])) == [("41", "button"), ("16", "knob")]
    [line] = said([cc(41, 0), cc(41, 127)], rest=0.01 + QUIET)
    assert kinds([line]) == [("41", "button")] and "value=127" in line
    assert said([cc(41, 0), cc(41, 127)], rest=0.01 + QUIET / 2) == []
    # a knob nudged once, then a button pressed from 0: the button's line, then the knob's guess once it rests
    lines = said([cc(16, 40), cc(41, 0), cc(41, 127)], rest=QUIET)
    assert kinds(lines) == [("41", "button"), ("16", "knob")] and "knob?" in lines[1], lines
    assert kinds(said([cc(16, 40), cc(41, 0), cc(41, 127)])) == [("41", "button"), ("16", "knob")]


def test_a_program_change_on_a_map_without_a_program_entry_is_said_once_with_the_entry_to_add():
    """A foot controller's program changes selected nothing, and nothing was said."""
    router = MidiRouter(MidiMap(buttons=(Button(parse("next"), cc=41),)), server_controller())
    said = [r for r in (router.handle(mido.Message("program_change", program=p)) for p in (1, 2)) if r]
    assert said == ["MIDI: a program change came (program=1), which the map does nothing with: to select the show's "
                    "presets with it, add - {program: presets} to the map's controls (program N selects preset N+1)"]
    assert router.controller.state.preset == 0
    nano = MidiRouter(nanokontrol2(), server_controller())  # one that reads them: selects, as before
    nano.handle(mido.Message("program_change", program=1))
    assert nano.controller.state.preset == 1


def test_a_program_change_on_a_shipped_map_without_a_program_entry_says_to_add_it_in_the_shows_midi_section():
    """Said on a shipped map, the line told to add - {program: presets} to the map's controls: vcam's own file, which
    an update rewrites, as the channel line says. (The maps shipped now all have one; the APC's entries stand in.)"""
    apc = load_map(find_map_file("apc-mini-mk2", None))
    router = MidiRouter(MidiMap(apc.name, apc.knobs, apc.buttons), server_controller())
    [line] = [r for r in (router.handle(mido.Message("program_change", program=p)) for p in (1, 2)) if r]
    assert line == ("MIDI: a program change came (program=1), which the map does nothing with: to select the show's "
                    "presets with it, add - {program: presets} to the show's midi: controls: beside its map: "
                    "apc-mini-mk2, not to apc-mini-mk2.yaml, vcam's own, which an update rewrites (program N selects "
                    "preset N+1)"), line
