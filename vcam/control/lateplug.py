"""A MIDI input the show may start without (`vcam run --midi`, a show's `midi: port:`, `vcam cam --midi`).

A controller plugged in after the show started, or behind a USB hub that wakes late, is waited for and opened when
it comes, where the show used to be refused at the start for it. What is there at the start is said, so a name
typed wrong shows beside the inputs there are. Where MIDI itself is missing (mido or python-rtmidi not installed, no
MIDI system), plugging a controller in cannot help: that is still refused at the start, with its fix.
"""
from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable

from vcam.control.midi import MidiInput, PortLister, find_port, input_names, load_mido, readable
from vcam.errors import VcamError

# as load_mido's fix, for the half of MIDI support that mido only finds once it lists the ports
INSTALL_FIX = 'pip install -e ".[midi]"  (mido and python-rtmidi)'


def require_midi() -> list[str]:
    """The MIDI inputs there are now; VcamError with the fix where there can be none on this machine: mido or
    python-rtmidi not installed (mido's own error for the latter would send the operator looking for ALSA), or no
    MIDI system."""
    mido = load_mido()
    if mido.backend.name == "mido.backends.rtmidi" and importlib.util.find_spec("rtmidi") is None:
        raise VcamError("MIDI support is not installed (python-rtmidi is missing)", INSTALL_FIX)
    return input_names()


def require_midi_for(show_path: str | None = None) -> list[str]:
    """require_midi, its fix saying where the port came from: `--midi` (the show can go on without it), or the
    `midi: port:` of the show file at `show_path`."""
    try:
        return require_midi()
    except VcamError as e:
        if show_path is None:
            raise VcamError(e.message, f"{e.fix}; or run without --midi") from None
        raise VcamError(f"the midi: port in {show_path} needs MIDI support: {e.message}",
                        f"{e.fix}, or remove the port from {show_path} (--midi none plays it without)") from None


def waiting_line(wanted: str, names: list[str], where: str | None = None) -> str:
    """What is said while no input matches `wanted`: the inputs there are (a typo shows beside them), and where the
    name came from when it is a show file's (`where`)."""
    listed = ", ".join(map(readable, names)) or "none"
    source = f"the midi: port of {where}; " if where else ""
    return f"waiting for MIDI input {wanted!r} ({source}inputs now: {listed}); plug it in"


class MidiWhenPlugged:
    """A MidiInput on the input `wanted` names best: opened at the start where it is plugged in then (one that is
    there and cannot be opened stops the show, as before), else waited for, looked for every `poll` seconds, and
    opened when it comes. Once open, the MidiInput's own watch follows it (unplugged, back)."""

    def __init__(self, wanted: str, on_message: Callable, say: Callable[[str], None], poll: float = 1.0,
                 on_reconnect: Callable[[], None] | None = None, where: str | None = None):
        self.wanted = wanted
        self.say = say
        self.poll = poll
        self.where = where
        self._make = lambda: MidiInput(wanted, on_message, say, poll=poll, on_reconnect=on_reconnect)
        self.input: MidiInput | None = None
        self._lock = threading.Lock()  # the input, against a stop that comes as the wait opens it
        self._stop = threading.Event()
        self._refused: str | None = None  # why the input that came could not be opened, said once until it opens
        self._thread = threading.Thread(target=self._wait, name="midi wait", daemon=True)

    def start(self) -> None:
        names = input_names()
        if find_port(self.wanted, names) is not None:
            self.input = self._make()
            self.input.start()
            return
        self.say(waiting_line(self.wanted, names, self.where))
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(2.0)
        with self._lock:
            midi = self.input
        if midi is not None:
            midi.stop()

    def _wait(self) -> None:
        lister = PortLister()
        try:
            while not self._stop.wait(self.poll):
                try:
                    names = lister.names()
                except VcamError:  # MIDI went away meanwhile: it may come back, with the controller
                    continue
                finally:
                    # a fresh client at each look, as MidiInput's watch has with no port open: a kept one may have
                    # died with the MIDI server (a restarted JACK) and would list no port ever again
                    lister.close()
                port = find_port(self.wanted, names)
                if port is not None and self._open(port):
                    return
        finally:
            lister.close()

    def _open(self, port: str) -> bool:
        """Opens the input that came; False where it cannot be yet (gone again, or not ready), for the next look."""
        if self._refused is None:
            self.say(f"MIDI input {readable(port)} connected")
        midi = self._make()
        try:
            midi.start()
        except VcamError:
            # listed at the look, gone by the open (a hub that flickers, a port renamed), or MIDI itself went away:
            # its error lists the inputs and tells how to write --midi, which is not what went wrong here
            self.say(f"MIDI input {readable(port)} went away before it could be opened; waiting for it again")
            self._refused = None  # when it comes again, that is said again
            return False
        except (OSError, RuntimeError, ValueError) as e:  # rtmidi's errors
            if str(e) != self._refused:  # said once, not every look it goes on
                self._refused = str(e)
                self.say(f"MIDI input {readable(port)} could not be opened ({e}); trying again until it opens")
            return False
        with self._lock:
            if self._stop.is_set():  # the show ended as it opened
                midi.stop()
                return True
            self.input = midi
        return True
