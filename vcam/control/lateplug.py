"""MIDI support checked before a show that may start without its controller (`vcam run --midi`, a show's
`midi: port:`, `vcam cam --midi`).

A controller plugged in after the show started, or behind a USB hub that wakes late, is waited for by the MIDI
input's own watch (vcam.control.midiinput.MidiInput) and opened when it comes. Where MIDI itself is missing (mido or
python-rtmidi not installed, no MIDI system), plugging a controller in cannot help: that is refused at the start,
with its fix and where the port came from.
"""
from __future__ import annotations

import importlib.util

from vcam.control.midi import input_names, load_mido
from vcam.errors import VcamError, install_fix

# as load_mido's fix, for the half of MIDI support that mido only finds once it lists the ports
INSTALL_FIX = install_fix("midi", "mido and python-rtmidi")


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
