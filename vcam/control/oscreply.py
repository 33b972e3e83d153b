"""The show's state sent over OSC (`--osc-reply HOST:PORT`), for labels on a tablet: what is on air, the blend, the
tempo, the frame rate and the status line's text. Sent on every change and once a second (a tablet that comes
later, or a datagram lost on Wi-Fi, is caught up)."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable

from vcam.control.throttle import ErrorThrottle
from vcam.errors import VcamError

EVERY_S = 1.0


def state_messages(snapshot: dict, tempo=None, fps: float | None = None) -> list[tuple[str, list]]:
    """(address, values) for a controller's snapshot (Controller.snapshot, or what vcam cam mirrors of it)."""
    name, presets = snapshot.get("preset"), snapshot.get("presets") or []
    number = presets.index(name) + 1 if name in presets else 0  # 0: a typed prompt, no preset
    blend = snapshot.get("blend")
    out = [("/vcam/preset", [number, name or ""]), ("/vcam/preset/number", [number]),
           ("/vcam/preset/name", [name or ""]),
           ("/vcam/blend", [float(blend[2]) if blend else 0.0]),
           ("/vcam/status", [str(snapshot.get("status") or "")])]
    # the tempo here, else the one the snapshot carries (vcam cam mirrors the server's, which keeps the tempo)
    bpm, beat = (tempo.bpm, tempo.beat()) if tempo is not None else (snapshot.get("bpm"), snapshot.get("beat"))
    if bpm is not None:
        out.append(("/vcam/bpm", [float(bpm)]))
        if beat is not None:
            out.append(("/vcam/beat", [float(beat)]))
    if fps is not None:
        out.append(("/vcam/fps", [round(float(fps), 2)]))
    return out


class OscReplies:
    """Sends `state_messages` to host:port from a thread of its own. `changed` is a listener (the controller's,
    the tempo's): it only wakes the thread, so that a fader's sweep costs the sweeping thread nothing and sends
    the newest state rather than every step."""

    def __init__(self, host: str, port: int, snapshot: Callable[[], dict], say: Callable[[str], None], tempo=None,
                 fps: Callable[[], float | None] | None = None, every_s: float = EVERY_S):
        self.host, self.port = host, port
        self.snapshot = snapshot
        self.say = say
        self.tempo = tempo
        self.fps = fps
        self.every_s = every_s
        self.sent = 0  # states sent
        self._client = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._errors = ErrorThrottle(30.0)  # an unreachable tablet is said twice a minute at most
        self._thread = threading.Thread(target=self._run, name="osc-reply", daemon=True)

    def changed(self) -> None:
        self._wake.set()

    def start(self) -> None:
        from pythonosc.udp_client import SimpleUDPClient

        try:
            self._client = SimpleUDPClient(self.host, self.port)
        except OSError as e:
            raise VcamError(f"cannot send OSC replies to {self.host}:{self.port} ({e.strerror or e})",
                            "give --osc-reply the tablet's address and port, e.g. 192.168.1.20:9000") from None
        self.say(f"OSC: the show's state goes to {self.host}:{self.port} (/vcam/preset, /vcam/status, …)")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.ident is not None:
            self._thread.join(2.0)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self._send()
            self._wake.wait(self.every_s)

    def _send(self) -> None:
        try:
            fps = self.fps() if self.fps is not None else None
            messages = state_messages(self.snapshot(), self.tempo, fps)
        except Exception as e:  # noqa: BLE001 - a state read in the middle of a reload: the next one will do
            self._complain(f"OSC replies: the state could not be read ({e.__class__.__name__}: {e})")
            return
        try:
            for address, values in messages:
                self._client.send_message(address, values)
            self.sent += 1
        except OSError as e:
            self._complain(f"OSC replies to {self.host}:{self.port} fail ({e.strerror or e}); trying on")

    def _complain(self, line: str) -> None:
        said = self._errors.admit(("reply",), line, time.monotonic())
        if said:
            self.say(said)
