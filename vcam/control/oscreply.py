"""The show's state sent over OSC (`--osc-reply [HOST:]PORT`), for labels on a tablet: what is on air, the blend, the
tempo, the frame rate and the status line's text, the screen (live, freeze, blackout) and the quantize, where each
fader of the map stands (a tablet's faders follow a preset change, so there is nothing to pick up), and whether
each toggle of the map is on (a freeze typed at the console lights the tablet's freeze toggle; a live puts it
out), so that a toggle's light says the show's state and its next tap changes it. Sent on every change and once a
second (a tablet that comes later, or a datagram lost on Wi-Fi, is caught up). `/vcam/help` sent is answered there
too: `/vcam/help TEXT`, the list the console prints, to the sender that asked, once a second at most.

`HOST:PORT` sends to one address; `PORT` alone to that port of each machine that sends OSC here, as it sends: a
tablet whose address changed mid-show (DHCP) is found again at its next touch, and two tablets both get the state.
"""
from __future__ import annotations

import math
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from vcam.control.actions import SCREEN_MODES
from vcam.control.oscports import shown_host, written
from vcam.control.throttle import ErrorThrottle
from vcam.errors import VcamError
from vcam.loopback import is_loopback

EVERY_S = 1.0
# A sweep changes the state 50 times a second per fader; a tablet on Wi-Fi needs the newest state, not each one:
# one state (a dozen datagrams and more) every this long at most
MIN_GAP_S = 0.04
MAX_TARGETS = 8  # machines that sent OSC and get the state; past it the least recently heard is dropped
# help's answer is a hundred times the size of its question, and UDP's sender can be forged: one answer a host per
# this long at most (the newest asked for), so that vcam cannot be made to flood a machine with them
ANSWER_GAP_S = 1.0
DROP_S = 10.0  # a sender whose replies have failed this long is dropped (its address moved on), until it sends


def state_messages(snapshot: dict, tempo=None, fps: float | None = None, faders=None,
                   moving: Callable[[str], bool] = lambda address: False) -> list[tuple[str, list]]:
    """(address, values) for a controller's snapshot (Controller.snapshot, or what vcam cam mirrors of it).
    `faders`: a map (oscmap.OscMap) whose faders are sent where they stand, but for those `moving` (in the
    operator's hand)."""
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
    out += mode_messages(snapshot)
    return out + (fader_messages(snapshot, faders, moving) + toggle_messages(snapshot, faders)
                  if faders is not None else [])


def mode_messages(snapshot: dict) -> list[tuple[str, list]]:
    """The screen's mode and the quantize, as labels (/vcam/screen "freeze"), and each screen mode's built-in
    address on (1) or off (0), for a tablet whose buttons send /vcam/freeze, /vcam/blackout, /vcam/live."""
    out = []
    screen = snapshot.get("screen")
    if isinstance(screen, str):
        out.append(("/vcam/screen", [screen]))
        out += [(f"/vcam/{mode}", [1.0 if screen == mode else 0.0]) for mode in SCREEN_MODES]
    quantize = snapshot.get("quantize")
    if isinstance(quantize, str):  # a server from before sends none
        out.append(("/vcam/quantize", [quantize]))
    return out


def toggle_messages(snapshot: dict, mapping) -> list[tuple[str, list]]:
    """Each toggle of the map (a button with a release: on, then off) whose command sets a mode the snapshot holds,
    1 where the show is in that mode, else 0: a toggle's light then says the show's state, however it got there
    (typed, a cue, another tablet). A push's light says it is pressed, and is left alone; so is a toggle at an
    address a fader of the map sends its position to."""
    faded = {f.address for f in mapping.faders}
    out = []
    for b in mapping.buttons:
        on = lit(b.command, snapshot) if b.release is not None and b.address not in faded else None
        if on is not None:
            out.append((b.address, [1.0 if on else 0.0]))
    return out


def lit(command, snapshot: dict) -> bool | None:
    """Whether the show is in the mode `command` sets (freeze, blackout, live; quantize X), as the snapshot has it;
    None for a command that sets no mode that lasts, or one the snapshot does not hold."""
    if command.name in SCREEN_MODES:
        key, value = "screen", command.name
    elif command.name == "quantize":
        key, value = "quantize", command.args[0]
    else:
        return None
    held = snapshot.get(key)
    return held == value if isinstance(held, str) else None


def fader_messages(snapshot: dict, faders, moving: Callable[[str], bool]) -> list[tuple[str, list]]:
    """Each of the map's fader addresses with where its faders stand (an XY pad's two values in one message), as
    soft takeover sees the parameter: the blend's position, 0 where no blend is on. An address some of whose
    values no fader names is left out (what to send for the others is not known)."""
    at: dict[str, dict[int, float]] = {}
    for f in faders.faders:
        value = _param(snapshot, f.param)
        if value is not None:
            at.setdefault(f.address, {})[f.arg] = round(f.position(value), 6)
    return [(address, [args[i] for i in range(len(args))]) for address, args in at.items()
            if sorted(args) == list(range(len(args))) and not moving(address)]


def _param(snapshot: dict, param: str) -> float | None:
    """A parameter's value in the snapshot; None where it holds none (vcam cam before the server's first state)."""
    if param == "blend":
        if "blend" not in snapshot:
            return None
        blend = snapshot["blend"]
        value = blend[2] if blend else 0.0
    else:
        value = snapshot.get(param)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


@dataclass
class _Target:
    """Where the state goes: `where` the socket address (a name there is looked up on each send, so
    tablet.local follows the tablet), `failing_since` when its sends began to fail (None: they do not)."""

    host: str
    where: tuple
    family: int
    failing_since: float | None = None


class OscReplies:
    """Sends `state_messages` from a thread of its own to host:port, or (`host` None) to `port` of each machine
    `heard` tells of (the OSC input's senders). `changed` is a listener (the controller's, the tempo's): it only
    wakes the thread, so that a fader's sweep costs the sweeping thread nothing and sends the newest state rather
    than every step. `faders` gives the map whose faders' positions go too, `moving` which of them not to send
    (`moving(address, host)`: in a hand at that host; without a host, at any)."""

    what = "the OSC replies"  # as the show's end names it where its stop fails

    def __init__(self, host: str | None, port: int, snapshot: Callable[[], dict], say: Callable[[str], None],
                 tempo=None, fps: Callable[[], float | None] | None = None, every_s: float = EVERY_S,
                 faders: Callable[[], object] | None = None, moving: Callable[..., bool] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.host, self.port = host, port
        self.snapshot = snapshot
        self.say = say
        self.tempo = tempo
        self.fps = fps
        self.every_s = every_s
        self.faders = faders
        self.moving = moving or (lambda address, host=None: False)
        self.clock = clock
        self.sent = 0  # states sent
        self._targets: dict[str, _Target] = {}  # by host, the least recently heard first
        self._socks: dict[int, socket.socket] = {}  # one per address family
        self._ports: set[int] = set()  # the ports they send from
        self._itself: set[str] = set()  # hosts at which the state came back in (vcam's own --osc port)
        self._resolved: set[str] = set()  # the addresses HOST stands for
        self._others: set[str] = set()  # other hosts that sent OSC, said to get no state
        self._lock = threading.Lock()  # the input's thread adds senders, this one sends and drops them
        self._answers: dict[str, bytes] = {}  # by host, the newest answer to it not yet sent (this thread sends)
        self._answered: dict[str, float] = {}  # by host, when it was last sent an answer
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._errors = ErrorThrottle(30.0)  # an unreachable tablet is said twice a minute at most
        self._thread = threading.Thread(target=self._run, name="osc-reply", daemon=True)

    def changed(self) -> None:
        self._wake.set()

    def start(self) -> None:
        if self.host is None:
            self.say(f"OSC: the show's state goes to port {self.port} of each machine that sends OSC here "
                     "(/vcam/preset, /vcam/status, …)")
        else:
            try:
                found = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_DGRAM)
                family = found[0][0]
                self._resolved = {where[0] for *_, where in found}
                self._socket(family)
            except OSError as e:
                raise VcamError(f"cannot send OSC replies to {written(self.host, self.port)} ({e.strerror or e})",
                                "give --osc-reply the tablet's address and port, e.g. 192.168.1.20:9000, or the "
                                "port alone: --osc-reply 9000 answers whoever sends") from None
            self._targets[self.host] = _Target(self.host, (self.host, self.port), family)
            self.say(f"OSC: the show's state goes to {written(self.host, self.port)} (/vcam/preset, /vcam/status, …)")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.ident is not None:
            self._thread.join(2.0)
        for sock in self._socks.values():
            sock.close()

    def heard(self, peer: tuple) -> None:
        """A packet of OSC came from `peer` (host, port, …): with no host of its own, the state goes to that host
        from now on (at once, where it is new)."""
        host = peer[0]
        if self.host is not None:
            self._other_sender(host)
            return
        with self._lock:
            if host in self._itself:
                return
            target = self._targets.pop(host, None)
            self._targets[host] = target or _Target(host, _where(peer, self.port), _family(host))
            if target is not None:
                target.failing_since = None
                return
            dropped = next(iter(self._targets)) if len(self._targets) > MAX_TARGETS else None
            if dropped is not None:
                del self._targets[dropped]
        self.say(f"OSC: {shown_host(host)} sends OSC here: the show's state goes to {written(host, self.port)}"
                 + (f" (and no longer to {shown_host(dropped)}, the least recently heard of {MAX_TARGETS + 1})"
                    if dropped else ""))
        self._wake.set()

    def _other_sender(self, host: str) -> None:
        """A machine that is not HOST sends OSC here: said once each (a few at most), for the likely slip of a
        tablet whose address changed since --osc-reply was written."""
        with self._lock:
            if host in self._resolved or host in self._others or len(self._others) >= MAX_TARGETS:
                return
            self._others.add(host)
        self.say(f"OSC: {shown_host(host)} sends OSC here, and the show's state goes to "
                 f"{written(self.host, self.port)} only; --osc-reply {self.port} sends it to whichever machine sends "
                 "(a tablet whose address changed, a second tablet)")

    def answer(self, host: str, address: str, values: list) -> None:
        """One message for the sender at `host` (help's answer), sent to it at the port: with --osc-reply HOST:PORT
        only where the sender is HOST (another machine's would land on HOST's tablet, which did not ask). Sent by
        this thread, at once, or ANSWER_GAP_S after the last one to that host (only the newest goes)."""
        with self._lock:
            if host not in (self._resolved if self.host is not None else self._targets):
                return
            self._answers[host] = _dgram(address, values)
        self._wake.set()

    def reaches(self, host: str) -> bool:
        """Whether a sender at `host` is sent answers (answer's): every sender with --osc-reply PORT, HOST alone
        with --osc-reply HOST:PORT."""
        with self._lock:
            return self.host is None or host in self._resolved

    def own(self, peer: tuple) -> bool:
        """Whether a packet from `peer` is one of these replies come back in (`--osc 8000 --osc-reply 8000`: vcam's
        own input): it is from the port they are sent from, at a host they go to. A host a port alone sent it to
        gets no more (no tablet listens at vcam's own port there)."""
        host = peer[0]
        with self._lock:
            if peer[1] not in self._ports or (host not in self._targets and host not in self._itself
                                              and not is_loopback(host)):
                return False
            if self.host is None:
                self._targets.pop(host, None)
                self._itself.add(host)
        return True

    def targets(self) -> list[str]:
        """host:port of each address the state goes to now."""
        with self._lock:
            return [written(t.host, self.port) for t in self._targets.values()]

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            self._send()
            self._stop.wait(min(MIN_GAP_S, self.every_s))  # the changes meanwhile go as one, the newest
            self._wake.wait(max(min(self.every_s, self._answer_due()) - MIN_GAP_S, 0.0))

    def _answer_due(self) -> float:
        """Seconds until the first answer held back may go (inf: none is held)."""
        now = self.clock()
        with self._lock:
            return min((self._answered.get(host, -math.inf) + ANSWER_GAP_S - now for host in self._answers),
                       default=math.inf)

    def _send(self) -> None:
        """The help answers due, then the state to every address it goes to."""
        self._send_answers(self.clock())
        try:
            fps = self.fps() if self.fps is not None else None
            faders = self.faders() if self.faders is not None else None
            snapshot = self.snapshot()
            with self._lock:
                targets = list(self._targets.values())
            # each tablet's own fader in the hand is not sent back to it; one moved on another tablet is
            sends = [(t, [_dgram(address, values) for address, values in
                          state_messages(snapshot, self.tempo, fps, faders, self._moving_on(t))]) for t in targets]
        except Exception as e:  # noqa: BLE001 - a state read in the middle of a reload: the next one will do
            self._complain(("state",), f"OSC replies: the state could not be read ({e.__class__.__name__}: {e})")
            return
        if any([self._send_to(t, dgrams) for t, dgrams in sends]):
            self.sent += 1
        with self._lock:
            hosts = set(self._targets)
        # a machine the state no longer goes to (dropped, or pushed out by later senders) fails no more: its window
        # kept, every address that ever sent and failed would be held for the rest of the show
        self._errors.forget(lambda key: key[0] == "reply" and key[1] not in hosts)

    def _send_answers(self, now: float) -> None:
        """The help answers held back whose host was last answered ANSWER_GAP_S or more before `now`."""
        with self._lock:
            due = [(host, dgram) for host, dgram in self._answers.items()
                   if now - self._answered.get(host, -math.inf) >= ANSWER_GAP_S]
            for host, _ in due:
                del self._answers[host]
                self._answered[host] = now
            # hosts answered longer ago than the gap are as good as never answered: forged senders must not grow it
            self._answered = {h: at for h, at in self._answered.items() if now - at < ANSWER_GAP_S}
            targets = {host: self._targets.get(self.host if self.host is not None else host) for host, _ in due}
        for host, dgram in due:
            if (target := targets[host]) is not None:
                self._send_to(target, [dgram])

    def _moving_on(self, target: _Target) -> Callable[[str], bool]:
        """Which faders are in a hand at `target`: those it sends (with --osc-reply HOST, whose tablet may send
        from another address than the name's, those any sender sends)."""
        if self.host is not None:
            return self.moving
        return lambda address: self.moving(address, target.host)

    def _send_to(self, target: _Target, dgrams: list[bytes]) -> bool:
        try:
            sock = self._socket(target.family)
            for dgram in dgrams:
                sock.sendto(dgram, target.where)
        except OSError as e:
            self._failed(target, e)
            return False
        target.failing_since = None
        return True

    def _failed(self, target: _Target, e: OSError) -> None:
        now, where = self.clock(), written(target.host, self.port)
        if target.failing_since is None:
            target.failing_since = now
        if self.host is None and now - target.failing_since >= DROP_S:
            with self._lock:
                if self._targets.get(target.host) is target:
                    del self._targets[target.host]
            self.say(f"OSC: the show's state no longer goes to {where}: sending there has failed for "
                     f"{DROP_S:.0f} s ({e.strerror or e}); it goes there again once {shown_host(target.host)} sends "
                     "OSC here")
            return
        self._complain(("reply", target.host), f"OSC replies to {where} fail ({e.strerror or e}); trying on")

    def _socket(self, family: int) -> socket.socket:
        sock = self._socks.get(family)
        if sock is None:
            sock = self._socks[family] = socket.socket(family, socket.SOCK_DGRAM)
            sock.setblocking(False)  # a full buffer fails a send (said), never stalls the replies
            sock.bind(("::", 0) if family == socket.AF_INET6 else ("0.0.0.0", 0))  # its port known before a send
            self._ports.add(sock.getsockname()[1])
        return sock

    def _complain(self, key: tuple, line: str) -> None:
        said = self._errors.admit(key, line, time.monotonic())
        if said:
            self.say(said)


def _dgram(address: str, values: list) -> bytes:
    from pythonosc.osc_message_builder import OscMessageBuilder

    message = OscMessageBuilder(address)
    for v in values:
        message.add_arg(v)
    return message.build().dgram


def _family(host: str) -> int:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _where(peer: tuple, port: int) -> tuple:
    """The socket address of `port` on the sender's host (an IPv6 one keeps its scope: a link-local tablet)."""
    return (peer[0], port, 0, peer[3]) if len(peer) >= 4 else (peer[0], port)
