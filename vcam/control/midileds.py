"""Pad lights: a controller's buttons lit as the show is, so that a VJ sees on the controller which preset is on air
(and whether the picture is frozen or black). Data goes one way: the show's state in, note-ons (control changes, for
a button on a cc) out, through the controller's output port of the same device as the input opened.

A map says how its buttons are lit (midimap.Light); a map without lights opens no output and sends nothing. Only
what changed is sent, so a fader's sweep, which changes the state dozens of times a second, sends nothing. A send or
an open that fails is said once and the show goes on dark.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from vcam.control.midi import MidiRouter, Untold, is_loopback, load_mido, output_for, readable
from vcam.control.midiinput import EarlyInput, MidiInput, routed_input
from vcam.control.midimap import Button, MidiMap

SCREEN_MODES = ("freeze", "blackout", "live")  # a button for one is lit while the camera's screen is in it
Led = tuple[str, int, int]  # ("note" or "cc", its channel, 0-based, its number)


class Presets(Protocol):
    """What the lights ask of a show (control.show.Show, or vcam cam's view of the server's presets)."""

    def find(self, ref: str | int) -> int:
        """A preset's index by its 1-based number or its name; KeyError where the show has none."""
        ...


OnAir = tuple[Presets | None, int | None, str]  # the show, its preset on air (an index), the screen mode


class Lit(Protocol):
    """What the lights follow (control.controller.Controller, or vcam cam's RemoteController)."""

    listeners: list[Callable[[], None]]  # told after every change of its state

    def on_air(self) -> OnAir:
        ...


class Unlit(Exception):
    """Why a device's buttons are not lit, said once (`always`: also without --log-controls)."""

    def __init__(self, why: str, always: bool = False) -> None:
        super().__init__(why)
        self.always = always


def _is_on(button: Button, show: Presets | None, preset: int | None, screen: str) -> bool:
    cmd = button.command
    if cmd.name == "preset" and cmd.args and show is not None and preset is not None:
        try:
            return show.find(cmd.args[0]) == preset
        except KeyError:  # a preset the show does not have (a reload took it out): nothing of it is on air
            return False
    return cmd.name in SCREEN_MODES and cmd.name == screen


def lit(mapping: MidiMap, show: Presets | None, preset: int | None, screen: str) -> dict[Led, int]:
    """Each lit button's LED and the velocity it is to show (0: dark); two buttons on one LED, the lit one's."""
    out: dict[Led, int] = {}
    for b in mapping.acting()[1]:
        if b.light is None:
            continue
        channel = b.light.channel if b.light.channel is not None else b.channel or 0
        led = ("note", channel, b.note) if b.note is not None else ("cc", channel, b.cc)
        out[led] = max(out.get(led, 0), b.light.velocity if _is_on(b, show, preset, screen) else 0)
    return out


def _message(mido, led: Led, velocity: int):
    kind, channel, number = led
    if kind == "note":
        return mido.Message("note_on", channel=channel, note=number, velocity=velocity)
    return mido.Message("control_change", channel=channel, control=number, value=velocity)


class PadLights:
    """Lights the buttons of `mapping()` as `on_air()` (the show, its preset on air, the screen mode) says, on the
    output of the device whose input was opened last (`opened`). `verbose`: a device without an output is said."""

    what = "the MIDI pad lights"  # as the show's end names it where its stop fails

    def __init__(self, mapping: Callable[[], MidiMap], on_air: Callable[[], OnAir], say: Callable[[str], None],
                 verbose: bool = False) -> None:
        self.mapping = mapping
        self.on_air = on_air
        self.say = say
        self.verbose = verbose
        self._lock = threading.Lock()  # the input's watch opens, the state's teller and a reload update
        self._input: str | None = None  # the input opened last, whose device's output is lit
        self._port = None
        self._sent: dict[Led, int] = {}
        self._tried = False  # the output was looked for since the input opened (found or not, said once)
        self._stopped = False

    def start(self) -> None:
        pass

    def opened(self, input_name: str) -> None:
        """The input opened (or opened again after an unplug) on `input_name`: its device's output is looked for,
        and every light sent afresh (a controller plugged back in is dark)."""
        with self._lock:
            self._close()
            self._input, self._tried = input_name, False
        self.update()

    def update(self) -> None:
        """Sends what changed since the last update."""
        with self._lock:
            if self._stopped or self._input is None:
                return
            show, preset, screen = self.on_air()
            wanted = lit(self.mapping(), show, preset, screen)
            if not wanted and not any(self._sent.values()):
                return  # a map without lights: no output opened
            if self._port is None and not self._open():
                return
            # a light a reload took out of the map is darkened
            changes = {**{led: 0 for led, v in self._sent.items() if v and led not in wanted}, **wanted}
            self._send({led: v for led, v in changes.items() if self._sent.get(led) != v})

    def stop(self) -> None:
        """The show ends: every light it lit is darkened, and the output closed."""
        with self._lock:
            self._stopped = True
            if self._port is not None:
                self._send({led: 0 for led, v in self._sent.items() if v}, ending=True)
            self._close()

    def _open(self) -> bool:
        if self._tried:
            return False
        self._tried = True
        try:
            self._port = load_mido().open_output(self._output())
        except Unlit as why:
            if self.verbose or why.always:
                self.say(f"MIDI: the buttons of {readable(self._input)} are not lit: {why}")
            return False
        except Exception as e:  # noqa: BLE001 - rtmidi's errors too; lights are not worth the show
            self.say(f"MIDI: the lights of {readable(self._input)} are off: its output could not be opened "
                     f"({e.__class__.__name__}: {e}); the show goes on")
            return False
        return True

    def _output(self) -> str:
        """The name of the output to light; Unlit where there is none to light."""
        if is_loopback(self._input):
            raise Unlit("it is a loopback port, which would hand each light back to vcam as a press")
        mido = load_mido()
        try:
            name = output_for(self._input, list(mido.get_input_names()), list(mido.get_output_names()))
        except Untold as why:
            raise Unlit(str(why), always=True) from None
        if name is None:
            raise Unlit("it has no output port")
        return name

    def _send(self, changes: dict[Led, int], ending: bool = False) -> None:
        """`ending`: the show's last word to the lights, after which nothing brings them back."""
        mido = load_mido()
        for led, velocity in changes.items():
            try:
                self._port.send(_message(mido, led, velocity))
            except Exception as e:  # noqa: BLE001 - an unplugged controller: lit again once it is back
                failed = f"sending to it failed ({e.__class__.__name__}: {e})"
                self.say(f"MIDI: the lights of {readable(self._input)} could not be darkened as the show ends: {failed}"
                         if ending else f"MIDI: the lights of {readable(self._input)} are off: {failed}; they come "
                         "back when it is plugged in again")
                self._close()
                return
            self._sent[led] = velocity

    def _close(self) -> None:
        port, self._port = self._port, None
        self._sent = {}
        if port is not None:
            try:
                port.close()
            except Exception:  # noqa: BLE001 - closing a port of a controller gone
                pass


def wire_lights(router: MidiRouter, controller: Lit, midi_input: MidiInput, say: Callable[[str], None],
                verbose: bool = False) -> PadLights:
    """The lights of the controller `midi_input` opens, following the controller's state (`controller.listeners`,
    told of every change, from any source) and the map `router` has in force (a map saved on air)."""
    lights = PadLights(lambda: router.mapping, controller.on_air, say, verbose)
    controller.listeners.append(lights.update)
    remapped = router.on_remap

    def on_remap() -> None:
        remapped()
        lights.update()

    router.on_remap = on_remap
    midi_input.on_opened = lights.opened
    return lights


def midi_parts(port: str, router: MidiRouter, controller: Lit, say: Callable[[str], None], where: str | None = None,
               verbose: bool = False, early: EarlyInput | None = None, waits_for_gone: bool = False) -> list:
    """The MIDI input on `port`, whose controls `router` acts on, and the lights of its controller, which follow
    `controller`'s state: parts of a show, in the order they start. `early`: the port opened as vcam started;
    `waits_for_gone`: MidiInput's."""
    midi_input = routed_input(port, router, say, where=where, early=early, waits_for_gone=waits_for_gone)
    # after the input among the parts: stopped before it, the lights darken while its controller is still there
    return [midi_input, wire_lights(router, controller, midi_input, say, verbose)]
