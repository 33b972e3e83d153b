"""MIDI controllers (mido + python-rtmidi): knobs to parameters with soft takeover, buttons to commands.

An unplugged controller is reported and reopened when it comes back; the show goes on meanwhile.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable

from vcam.errors import VcamError
from vcam.control.faders import Takeovers
from vcam.control.midimap import Knob, MidiMap
from vcam.control.throttle import ErrorThrottle

PRESSED = 64  # a CC value at or above which a button counts as pressed
NO_MIDI = "none"  # --midi none: no input, not even a show's own (a controller missing at the venue)
CLOCK_MESSAGES = ("clock", "start", "stop", "continue", "songpos")  # the tempo's, not the map's


def load_mido():
    """The mido module; a VcamError with the install command where MIDI support is not installed (the light
    install for a machine that only shows frames has none)."""
    try:
        import mido
    except ImportError:
        raise VcamError("MIDI support is not installed", 'pip install -e ".[midi]"  (mido and python-rtmidi)') \
            from None
    return mido


NO_MIDI_FIX = ("on Linux MIDI needs the ALSA sequencer, /dev/snd/seq: load it (sudo modprobe snd-seq), or in a "
               "container pass the sound devices in (docker run --device /dev/snd); for JACK set "
               "MIDO_BACKEND=mido.backends.rtmidi/UNIX_JACK")


def _alsa_missing(mido, sequencer: str = "/dev/snd/seq") -> bool:
    """Whether rtmidi would go to ALSA on a machine without its sequencer: it fails, and ALSA's C library first
    prints a raw "ALSA lib ... failed" line on the terminal, which vcam cannot catch."""
    return (sys.platform.startswith("linux") and mido.backend.name == "mido.backends.rtmidi"
            and mido.backend.api in (None, "LINUX_ALSA") and not os.path.exists(sequencer))


def _unavailable(e: Exception) -> VcamError:
    return VcamError(f"MIDI is not available on this machine ({e.__class__.__name__}: {e})", NO_MIDI_FIX)


def input_names() -> list[str]:
    """MIDI input port names; VcamError saying why when MIDI is not available at all."""
    mido = load_mido()
    if _alsa_missing(mido):
        raise VcamError("MIDI is not available on this machine (it has no ALSA sequencer: /dev/snd/seq)",
                        NO_MIDI_FIX)
    try:
        return list(mido.get_input_names())
    except (OSError, RuntimeError, ImportError) as e:
        raise _unavailable(e) from None


class PortLister:
    """Input port names for the unplug watch, through one client kept for the whole show.

    mido's get_input_names() opens two new rtmidi clients (an input and an output) for each listing; on JACK each
    new client makes the server reorder its graph, and MIDI in flight to the port vcam listens on is lost (2-7 of
    64 CCs in a second). rtmidi's port list is asked afresh on every call, so one client sees unplugs and replugs.
    Other backends list without a client of their own and are asked through mido."""

    def __init__(self, api: str | None = None):
        self.api = api  # the rtmidi API of the open port, where mido was not told one (ALSA or JACK)
        self._client = None

    def names(self) -> list[str]:
        """As input_names(): VcamError when MIDI is not available."""
        mido = load_mido()
        if mido.backend.name != "mido.backends.rtmidi":
            return input_names()
        try:
            if self._client is None:
                import rtmidi

                api = getattr(rtmidi, f"API_{mido.backend.api or self.api}", rtmidi.API_UNSPECIFIED)
                self._client = rtmidi.MidiIn(rtapi=api, name="vcam port watch")
            return list(self._client.get_ports())
        except (OSError, RuntimeError, ImportError) as e:
            self.close()  # the next listing starts a new client (the MIDI system may come back)
            raise _unavailable(e) from None

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.delete()
            except (OSError, RuntimeError):
                pass
            self._client = None


def find_port(wanted: str, names: list[str]) -> str | None:
    """The first port whose name contains `wanted` (case-insensitive)."""
    for name in names:
        if wanted.lower() in name.lower():
            return name
    return None


def require_port(wanted: str) -> str:
    """The input asked for with --midi; VcamError naming the inputs there are, or why there are none."""
    try:
        names = input_names()
    except VcamError as e:
        raise VcamError(e.message, f"{e.fix}; or run without --midi") from None
    port = find_port(wanted, names)
    if port is None:
        listed = "\n    ".join(names) if names else "(none: is the controller plugged in?)"
        raise VcamError(f"no MIDI input matches {wanted!r}; inputs here:\n    {listed}",
                        "pass part of one of these names to --midi (vcam devices lists them)")
    return port


class MidiRouter:
    """Turns MIDI messages into commands and parameter changes through a MidiMap, with soft takeover; MIDI clock
    (clock, start, stop, continue, song position) goes to `clock` (a vcam.control.midiclock.MidiClock), if any."""

    def __init__(self, mapping: MidiMap, controller, say: Callable[[str], None] = lambda s: None, clock=None):
        self.mapping = mapping
        self.controller = controller
        self.say = say
        self.clock = clock
        self._takeovers = Takeovers(controller, "midi")  # each knob by its cc on its channel
        self._button_prev: dict[tuple, int] = {}
        self._lock = threading.Lock()

    def handle(self, msg) -> str | None:
        """Returns the controller's reply (or None when the message maps to nothing)."""
        if msg.type in CLOCK_MESSAGES:  # up to 120 a second: no reply, and not behind a knob's command
            if self.clock is not None:
                self.clock.handle(msg)
            return None
        with self._lock:
            channel = getattr(msg, "channel", None)
            if msg.type == "control_change":
                entry = self.mapping.control(channel, cc=msg.control)
                if isinstance(entry, Knob):
                    takeover = self._takeovers.of((channel, msg.control))
                    return takeover.turn(entry, entry.value(msg.value))
                if entry is not None:
                    key = ("cc", channel, msg.control)
                    prev = self._button_prev.get(key, 0)
                    # A button sends the same value on every press: seen again, it was pressed again and its
                    # release was lost. A knob used as a button fires once as it passes the middle.
                    pressed = msg.value >= PRESSED and (prev < PRESSED or msg.value == prev)
                    self._button_prev[key] = msg.value
                    return self.controller.apply(entry.command, "midi") if pressed else None
            elif msg.type == "note_on" and msg.velocity > 0:
                entry = self.mapping.control(channel, note=msg.note)
                if entry is not None:
                    return self.controller.apply(entry.command, "midi")
            elif msg.type == "program_change" and self.mapping.program_listens(channel):
                from vcam.control.commands import Command

                return self.controller.apply(Command("preset", (msg.program + 1,)), "midi")
            return None

    def forget_buttons(self) -> None:
        """After a reconnect: releases sent while unplugged were lost, so no button counts as held."""
        with self._lock:
            self._button_prev.clear()


def _control_of(msg) -> tuple:
    """Which knob, button or key sent `msg`, whatever its value."""
    return (msg.type, getattr(msg, "channel", None), getattr(msg, "control", getattr(msg, "note", None)))


class MidiInput:
    """Listens on the first input port matching `wanted`; reopens it when it is unplugged and comes back."""

    def __init__(self, wanted: str, on_message: Callable, say: Callable[[str], None], poll: float = 1.0,
                 on_reconnect: Callable[[], None] | None = None):
        self.wanted = wanted
        self.on_message = on_message
        self.on_reconnect = on_reconnect or (lambda: None)
        self.say = say
        self.poll = poll
        self.port = None
        self.port_name: str | None = None
        self._lister = PortLister()
        self._stop = threading.Event()
        self._errors = ErrorThrottle()
        self._thread = threading.Thread(target=self._run, name="midi", daemon=True)

    def start(self) -> None:
        self._open(require_port(self.wanted))
        self._lister.api = getattr(self.port, "api", None)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(2.0)
        self._close()
        self._say_held_back(None)

    def _say_held_back(self, now: float | None) -> None:
        for line in self._errors.held_back(now):
            self.say(line)

    def _open(self, name: str) -> None:
        self.port = load_mido().open_input(name, callback=self._deliver)
        self.port_name = name
        self.say(f"MIDI: listening on {name}")

    def _close(self) -> None:
        if self.port is not None:
            try:
                self.port.close()
            except OSError:
                pass
            self.port = None

    def _deliver(self, msg) -> None:
        try:
            reply = self.on_message(msg)
        except Exception as e:  # a bad message must not kill the MIDI thread
            reply = f"error: MIDI {msg}: {e}"
        if reply and reply.startswith("error"):
            reply = self._errors.admit(_control_of(msg), reply, time.monotonic())
        if reply:
            self.say(reply)

    def _run(self) -> None:
        try:
            self._watch()
        finally:
            self._lister.close()  # here, not in stop(): the client is never deleted while a listing runs

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self._say_held_back(time.monotonic())
            except Exception:  # noqa: BLE001 - a count not said must not stop the watch over the port
                pass
            if self.port is None:
                # Nothing is in flight to a closed port, so a fresh client costs nothing here, and the kept one may
                # have died with the MIDI server (a restarted JACK): it would list no ports ever again.
                self._lister.close()
            try:
                names = self._lister.names()
            except VcamError:
                names = []
            if self.port is not None and self.port_name not in names:
                self._close()
                self.say(f"MIDI controller {self.port_name} unplugged; waiting for it (the show goes on)")
            elif self.port is None:
                found = find_port(self.wanted, names)
                if found is not None:
                    try:
                        self.on_reconnect()
                        self._open(found)
                        self.say(f"MIDI controller {found} is back")
                    except OSError as e:
                        self.say(f"MIDI controller {found} could not be reopened ({e}); trying again")
