"""A mido backend module for tests (select it with MIDO_BACKEND=fake_midi or mido.set_backend).

Ports are plain names in PRESENT; `send(name, msg)` delivers a message to every open input of that name. OUTPUTS
names the output ports (none unless a test adds them); what is sent to one is kept in SENT under its name.
FAKE_MIDI_SCRIPT (JSON: [[port, message-as-dict], ...]) is delivered to a port as soon as it is opened, so a
subprocess can be driven too.
"""
from __future__ import annotations

import json
import os
import threading

import mido
from mido import ports

PRESENT: set[str] = {"Fake nanoKONTROL2 MIDI 1", "Fake MIDImix"}
OUTPUTS: set[str] = set()
OPEN: list["Input"] = []
SENT: dict[str, list] = {}
LOCK = threading.Lock()


def get_devices(**kwargs):
    return ([{"name": n, "is_input": True, "is_output": False} for n in sorted(PRESENT)]
            + [{"name": n, "is_input": False, "is_output": True} for n in sorted(OUTPUTS)])


class Output(ports.BaseOutput):
    def _open(self, **kwargs):
        if self.name not in OUTPUTS:
            raise OSError(f"unknown port {self.name!r}")

    def _send(self, msg):
        if self.name not in OUTPUTS:  # unplugged
            raise OSError(f"port {self.name!r} is gone")
        with LOCK:
            SENT.setdefault(self.name, []).append(msg.copy())


class Input(ports.BaseInput):
    def _open(self, callback=None, **kwargs):
        if self.name not in PRESENT:
            raise OSError(f"unknown port {self.name!r}")
        self.callback = callback
        with LOCK:
            OPEN.append(self)
        script = json.loads(os.environ.get("FAKE_MIDI_SCRIPT", "[]"))
        self._pending = [mido.Message.from_dict(data) for port, data in script if port == self.name]
        if callback is not None and self._pending:
            threading.Timer(0.1, self._flush).start()

    def _flush(self):
        while self._pending:
            self._deliver(self._pending.pop(0))

    def _receive(self, block=True):
        return self._pending.pop(0) if self._pending else None

    def _deliver(self, msg):
        if self.callback is not None:
            self.callback(msg)
        else:
            self._pending.append(msg)

    def _close(self):
        with LOCK:
            if self in OPEN:
                OPEN.remove(self)


def send(name: str, msg) -> None:
    with LOCK:
        targets = [p for p in OPEN if p.name == name and not p.closed]
    for port in targets:
        port._deliver(msg)


def unplug(name: str) -> None:
    """The controller is gone: ports opened on it stay open but hear nothing more, as real ones do."""
    with LOCK:
        PRESENT.discard(name)
        OPEN[:] = [p for p in OPEN if p.name != name]


def plug(name: str) -> None:
    PRESENT.add(name)
