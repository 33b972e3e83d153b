"""OSC over UDP (python-osc): control surfaces (TouchOSC), TouchDesigner and Resolume steer the show, and labels on a
tablet show what is on air.

In: `/vcam/<command> args…` is the typed line `<command> args…` (`/vcam/preset "neon city"`, `/vcam/blend 1 2
0.5`, `/vcam/next`), `/vcam/cmd "LINE"` a whole typed line (a cue program's); a map (oscmap.py) binds any other
address to a parameter or a command. A message that fits nothing is said on the terminal, once per address every
few seconds however many come (an address nothing listens at: once, while it keeps coming), and the input goes on.
A reply is said each time for a press (a button, /vcam/preset, /vcam/go), and held back the same way for what
comes in streams (a fader, /vcam/strength): see OscRouter.swept. A stream's values may be merged (the latest
wins); presses never are: each acts, in the order they came. A bundle acts at its time tag, as OSC 1.0 has it: at
once where it says so (1) or its time has passed, later where it is to come (a cue program's timed changes), up
to MAX_AHEAD_S ahead; one timed further ahead is refused, said once.
Quit is not taken over OSC (a stray tap would end the show): it is typed at vcam's console (commands.typed_only).
Out (`--osc-reply [HOST:]PORT`): the state, on every change and once a second (oscreply.py).
"""
from __future__ import annotations

import errno
import heapq
import itertools
import math
import shlex
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from vcam.control.commands import NO_ARGS, TYPED_ONLY, USAGE, CommandError, parse, typed_only
from vcam.control.faders import PARAMS, Takeovers
from vcam.control.media import Refused
from vcam.control.oscmap import OscButton, OscFader, OscMap
from vcam.control.throttle import ErrorThrottle
from vcam.errors import VcamError
from vcam.loopback import is_loopback
from vcam.words import nearest

BUILTIN = "/vcam/"
CMD = "cmd"  # /vcam/cmd "preset 3 @bar": a whole typed line, as a cue program (QLab) sends one
DEFAULT_HOST = "127.0.0.1"
ON = 0.5  # a button's value at or above which it counts as pressed (TouchOSC sends 1 then 0)
MAX_DATAGRAM = 65536
POLL_S = 0.25  # how soon the input's thread sees that the show is stopping
# Addresses whose bad messages are counted apart at once (an address's count ends a few seconds after its last
# line); past these, all others share one count (a sender spraying random addresses must not grow the counts
# without end)
MAX_KEYS = 8
# The built-in commands that set a value a fader may sweep: their replies are held back like a fader's. The tempo
# too, which a patch (TouchDesigner) may send on every frame.
SWEPT = (*PARAMS, "bpm")
REPLY = "reply"  # a key's last part that counts an address's replies apart from its errors
# One message per address per this long is acted on; a newer one in between replaces the one held back, and goes
# when the time is up (a fader's last position is never lost). A surface sending faster, or a flood, then costs
# the show at most 50 commands a second per address, not a queue of thousands.
MIN_GAP_S = 0.02
MAX_HELD = 256  # addresses held back at once; more in the same instant are dropped (said once, counted)
# Presses are never merged (a double tap that wifi hands on in one burst is two presses): one address may send this
# many at once, then one per MIN_GAP_S; past that a runaway sender's presses are dropped (said), not queued.
PRESS_BURST = 16
REMIND_S = 30.0  # an address nothing listens at is said once, and again only after this long without it
MAX_TOLD = 256  # addresses remembered as said; past it the least recently heard is forgotten (and said again)
# Senders each with soft takeover of their own (two tablets); past it the least recently heard is forgotten
MAX_SURFACES = 16
REST_S = 0.5  # a fader moved this recently is in the operator's hand: its position is not sent back to it
# A bundle timed further ahead than this is refused, not kept: a sender whose clock is off by minutes (or a patch
# that sends a whole show's changes at once) would have them act long after anyone remembers sending them
MAX_AHEAD_S = 10.0
MAX_TIMED = 1024  # messages of bundles waiting for their time at once; past it, a bundle's are dropped (said)
# A bundle kept waiting longer than this is said, once for each sender: a cue program means it, but a tablet whose
# clock is ahead of this machine's stamps its own "now", and every control of it would land late by as much, unsaid
SAID_AHEAD_S = 1.0
TYPE_TAGS = set("ihfdsbrmtTFN[]")  # what python-osc reads; it logs a warning of its own for anything else


def load_pythonosc():
    """The module that reads and writes OSC packets; ModuleNotFoundError naming `pythonosc` where the `osc` extra
    is not installed (the command line turns it into the install command)."""
    import pythonosc.osc_packet
    import pythonosc.udp_client

    return pythonosc


def parse_address(text: str, need_host: bool = False) -> tuple[str, int]:
    """`[HOST:]PORT` (an IPv6 host in brackets) → (host, port); the host is 127.0.0.1 when left out. ValueError
    saying how it is written."""
    host, sep, port = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    example = "HOST:PORT, e.g. 192.168.1.20:9000" if need_host else "PORT or HOST:PORT, e.g. 8000 or 0.0.0.0:8000"
    if (sep and not host) or (need_host and not host) or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{text!r} is not an OSC address: give {example} (ports 1 to 65535)")
    return host or DEFAULT_HOST, int(port)


def parse_reply(text: str) -> tuple[str | None, int]:
    """`--osc-reply`'s `[HOST:]PORT` → (host, port); host None for a port alone: the state goes to that port of
    each machine that sends OSC here. ValueError saying how it is written."""
    try:
        if text.strip().isdigit():
            return None, parse_address(text)[1]
        return parse_address(text, need_host=True)
    except ValueError:
        raise ValueError(f"{text!r} is not an OSC address: give PORT or HOST:PORT, e.g. 9000 (to whoever sends) or "
                         "192.168.1.20:9000 (ports 1 to 65535)") from None


class Unfit(Exception):
    """A message that fits no address or not the values its address takes; `key` groups the lines said about it.
    `once`: nothing listens at its address, which is said once while messages keep coming there (a tablet's
    accelerometer streams all show long), not every few seconds."""

    def __init__(self, message: str, key: tuple, once: bool = False):
        super().__init__(message)
        self.key = key
        self.once = once


@dataclass
class _Surface:
    """What the router keeps of one sender (a tablet): its faders' soft takeover and its buttons' last values. Two
    tablets with the same layout send the same addresses; each picks up a fader by itself."""

    takeovers: Takeovers
    buttons: dict[str, float] = field(default_factory=dict)


class OscRouter:
    """Turns OSC messages into commands and parameter changes: a map's bindings first, then /vcam/<command>.

    `mapping` is a map, or a function giving the one in force (the show's `osc:` section, which a reload of the
    show file replaces). `controller` is the show's Controller or vcam cam's RemoteController."""

    def __init__(self, mapping: OscMap | Callable[[], OscMap | None] | None, controller,
                 clock: Callable[[], float] = time.monotonic):
        self._mapping = mapping if callable(mapping) else (lambda: mapping)
        self.controller = controller
        self.clock = clock
        self._surfaces: dict[str, _Surface] = {}  # by the sender's host, the least recently heard first
        self._moved: dict[str, float] = {}  # a mapped fader's address → when a message last came to it
        self._lock = threading.Lock()

    @property
    def mapping(self) -> OscMap:
        return self._mapping() or OscMap()

    def handle(self, address: str, args: list, sender: str = "?") -> list[str]:
        """The controller's replies (an error starts with "error"), for the terminal; Unfit for a message that fits
        nothing. `sender`: where the message came from (host:port), which a refusal names."""
        with self._lock:
            mapping = self.mapping
            faders, buttons = mapping.bound(address)
            if faders or buttons:
                return [r for r in self._mapped(address, args, faders, buttons, sender) if r]
            if address.startswith(BUILTIN):
                reply = self._builtin(address, address[len(BUILTIN):].lower(), args, sender)
                return [reply] if reply else []
            if mapping.ignores(address):
                return []
        raise Unfit(f"nothing listens at {_shown(address)}: the built-in addresses are {BUILTIN}<command> "
                    f"({BUILTIN}preset 3, {BUILTIN}next, …), others need an osc: map, whose ignore: list drops "
                    "an address unsaid (said once while it keeps coming)", (address,), once=True)

    def moving(self, address: str) -> bool:
        """Whether a mapped fader at `address` is in the operator's hand (a message came to it within REST_S):
        its position is not sent back, which would pull at the finger with the values it sent a moment ago."""
        at = self._moved.get(address)
        return at is not None and self.clock() - at < REST_S

    def swept(self, address: str) -> bool:
        """Whether messages to `address` come in streams: a map's fader there, or the built-in address of a value a
        fader sweeps. Their values may be merged (the latest wins), and their replies are held back as a sweep goes
        on (one line, then a count naming the last); a press (a button, /vcam/preset, /vcam/go, /vcam/cmd) acts
        each time, and its reply is said each time, so what is said last is what is on air. An address nothing acts
        at (ignored, or not known) counts as a stream: merging its messages loses nothing."""
        faders, buttons = self.mapping.bound(address)
        if faders or buttons:
            return bool(faders)
        name = address[len(BUILTIN):].lower() if address.startswith(BUILTIN) else None
        return name not in USAGE and name != CMD or name in SWEPT

    def _builtin(self, address: str, name: str, args: list, sender: str) -> str | None:
        if name == CMD:
            return self._typed(address, args, sender)
        if name not in USAGE:
            raise Unfit(_no_command(address, name), (address,), once=True)
        if name in NO_ARGS and len(args) == 1 and _is_number(args[0]):
            if float(args[0]) < ON:
                return None  # a push button's release
            args = []
        words = [_word(address, a) for a in args]
        if name == "blend":  # its presets are split like a shell's words: a name with a space is quoted
            words = [shlex.quote(w) if any(c.isspace() for c in w) or not w else w for w in words]
        return self._line(" ".join([name, *words]), sender)

    def _typed(self, address: str, args: list, sender: str) -> str | None:
        """/vcam/cmd "preset 3 @bar": the line as typed (QLab's network cue sends `/vcam/cmd preset 3` as two
        values, joined here by a space)."""
        line = " ".join(_word(address, a) for a in args).strip()
        if not line:
            raise Unfit(f"{_shown(address)} takes a command line as text, e.g. {address} \"preset 3 @bar\"",
                        (address,))
        return self._line(line, sender)

    def _line(self, line: str, sender: str) -> str | None:
        try:
            cmd = parse(line)
        except CommandError:
            cmd = None  # the controller says what is wrong with it
        if (why := typed_only(cmd, "OSC")) is not None:
            return f"error: OSC sender {sender}: {why}; the show goes on"
        # the message's own words, from whoever reaches the port: its files stay in the shared folders (a map's
        # commands are the operator's, as written). OSC answers no sender: the refusal is said on this terminal
        # only, as the operator's account (with the folders) and whose message it was.
        try:
            return self.controller.handle_line(line, "osc", network=True)
        except Refused as e:
            return f"error: OSC sender {sender} was refused {e.detail}"

    def _surface(self, sender: str) -> _Surface:
        """The sender's surface, by its host (a tablet sends from one address; the port may change as it
        reconnects), made at its first message."""
        host = sender.rpartition(":")[0] or sender
        surface = self._surfaces.pop(host, None) or _Surface(Takeovers(self.controller, "osc"))
        self._surfaces[host] = surface  # the most recently heard last
        if len(self._surfaces) > MAX_SURFACES:  # a sender spraying from many addresses must not grow it
            del self._surfaces[next(iter(self._surfaces))]
        return surface

    def _mapped(self, address: str, args: list, faders: list[OscFader], buttons: list[OscButton],
                sender: str) -> list:
        replies = []
        surface = self._surface(sender)
        if faders:
            self._moved[address] = self.clock()
        for f in faders:
            x = _number_at(address, args, f.arg)
            takeover = surface.takeovers.of((address, f.arg))
            replies.append(takeover.turn(f, f.value(x)))
        for b in buttons:
            x = _number_at(address, args, 0) if args else 1.0  # a message without a value: a trigger
            prev = surface.buttons.get(address)
            surface.buttons[address] = x
            on = x >= ON
            # A push sends 1 then 0: it fires on the 1. The same value again means the other was lost (UDP); a
            # fader used as a button fires as it passes the middle.
            if prev is None or x == prev or (prev >= ON) != on:
                command = b.command if on else b.release
                if command is not None:
                    replies.append(self.controller.apply(command, "osc"))
        return replies


def _is_number(v) -> bool:
    return isinstance(v, (int, float))  # bool (OSC's T and F) included


def _word(address: str, v) -> str:
    """One OSC value as the command line writes it."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        # OSC floats are 32-bit: 7 digits say all of one (0.1, not 0.10000000149011612)
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else format(v, ".7g")
    raise Unfit(f"{_shown(address)}: {_kind(v)} values are not understood; send numbers or text", (address,))


def _number_at(address: str, args: list, i: int) -> float:
    if i >= len(args):
        raise Unfit(f"{_shown(address)}: expected {i + 1} value{'s' if i else ''}, got {len(args)}", (address,))
    if not _is_number(args[i]):
        raise Unfit(f"{_shown(address)}: value {i + 1} must be a number (0 to 1), not {_kind(args[i])}",
                    (address,))
    if not math.isfinite(args[i]):  # a NaN fader blended NaN weights and failed the stream a block later
        raise Unfit(f"{_shown(address)}: value {i + 1} must be a number (0 to 1), not {args[i]}", (address,))
    return float(args[i])


def _kind(v) -> str:
    kinds = {str: "text", bytes: "blob", type(None): "nil", list: "array", tuple: "MIDI or RGBA"}
    return next((name for t, name in kinds.items() if isinstance(v, t)), type(v).__name__)


def _no_command(address: str, name: str) -> str:
    """One short line for a built-in address that names no command: the address meant where one is near (as the
    console names the command meant), else where the commands are listed; the whole list ran to 400 characters."""
    said = f"{_shown(address)}: there is no command {name[:40]!r}"
    # a command OSC may not give (quit) is not offered: sent, it would only be refused
    meant = nearest(name, [n for n in (*USAGE, CMD) if n not in TYPED_ONLY])
    if meant is not None:
        return f"{said}; did you mean {BUILTIN}{meant}?"
    return f"{said}; {BUILTIN}help lists the commands on this terminal (each at {BUILTIN}<command>)"


def _shown(address: str) -> str:
    return address if len(address) <= 60 else address[:60] + "…"


class OscInput:
    """Listens on UDP host:port and hands each OSC message to `handle(address, values, sender)` (an OscRouter's;
    `sender`: host:port it came from), on a thread of its own; `start` says where, and raises VcamError when the
    port cannot be had.

    `swept(address)` says whether an address's messages come in streams (OscRouter.swept; without it, all do):
    their values may be merged, the latest winning, and their replies are held back. Any other message is a press,
    acted on each time, after every value held back before it. What is said about one address comes in the order
    it happened: a line said at once comes after the count of the other kind (errors, replies) held back for its
    address. `heard(peer)` is told who sent each packet that is OSC (replies to whoever sends: oscreply.py);
    `own(peer)` says whether a packet is the state replies' own, come back in, which is dropped."""

    def __init__(self, host: str, port: int, handle: Callable[[str, list, str], list[str]],
                 say: Callable[[str], None], throttle_s: float = 2.0,
                 swept: Callable[[str], bool] | None = None, clock: Callable[[], float] = time.monotonic,
                 heard: Callable[[tuple], None] | None = None, own: Callable[[tuple], bool] | None = None,
                 wall: Callable[[], float] = time.time):
        self.host, self.port = host, port
        self.handle = handle
        self.say = say
        self.swept = swept or (lambda address: True)
        self.clock = clock
        self.wall = wall  # what a bundle's time tag is read against (seconds since 1970, as python-osc gives it)
        self.heard = heard
        self.own = own
        self._own_said = False
        # errors keyed by address (or what went wrong), replies by (address, REPLY): one throttle, so that the
        # counts come in the order their last lines came
        self._lines = ErrorThrottle(throttle_s, most=MAX_KEYS, others="other addresses")
        self._acted_at: dict[str, float] = {}  # address → when a message to it was last acted on
        self._held: dict[str, tuple[list, str]] = {}  # address → the newest message held back: values, sender
        self._presses = _Presses()
        # messages of bundles timed ahead: (when by `clock`, order of arrival, address, values, sender), a heap
        self._timed: list[tuple[float, int, str, list, str]] = []
        self._arrivals = itertools.count()
        self._ahead_said: set[str] = set()  # hosts whose bundles were said to wait (up to MAX_SURFACES)
        # addresses nothing listens at, said once: when each was last heard (the least recent first), and the
        # messages to it since it was said (counted at the end)
        self._told: dict[str, float] = {}
        self._untold: dict[str, int] = {}
        self._stop = threading.Event()
        self._sock: socket.socket | None = None
        self._thread = threading.Thread(target=self._run, name="osc", daemon=True)

    def start(self) -> None:
        load_pythonosc()
        self._sock = _bind(self.host, self.port)
        self.port = self._sock.getsockname()[1]  # the one given, or the one the system chose for 0
        self.say(f"OSC: listening on {self.host}:{self.port} ({BUILTIN}<command>, and the map's addresses)")
        if not is_loopback(self.host):
            self.say(f"OSC on {self.host}: anyone on the network who can reach this machine can steer the show "
                     "(OSC has no password); --osc PORT listens on this machine only")
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(2.0)
        if self._sock is not None:
            self._sock.close()
        for line in self._lines.held_back():
            self.say(line)
        if self._untold:
            self.say(_untold_line(self._untold))

    def _run(self) -> None:
        said_at = self.clock()
        while not self._stop.is_set():
            self._sock.settimeout(self._wait_s(self.clock()))
            try:
                data, peer = self._sock.recvfrom(MAX_DATAGRAM)
            except TimeoutError:
                data = None
            except OSError as e:  # an ICMP error on some systems; the socket goes on
                data = None
                self._complain(("socket",), f"OSC: {e.strerror or e}", self.clock())
            if data is not None:
                self._datagram(data, peer)
            now = self.clock()
            self._release_timed(now)
            self._release_held(now)
            if now - said_at >= 1.0:
                said_at = now
                for line in self._lines.held_back(now):
                    self.say(line)

    def _wait_s(self, now: float) -> float:
        """How long the socket is waited on: until a value held back may go, or a bundle's time comes."""
        wait = MIN_GAP_S if self._held else POLL_S
        if self._timed:
            wait = min(wait, self._timed[0][0] - now)
        return max(wait, 0.001)  # 0 would make the socket non-blocking

    def _datagram(self, data: bytes, peer) -> None:
        try:
            if not _readable(data):
                raise ValueError("not OSC")
            messages = _timed_messages(data)
        except Exception:  # noqa: BLE001 - anything may arrive on a UDP port
            self._complain(("garbage",), f"OSC: {len(data)} bytes from {peer[0]} that are not an OSC message; "
                                         "ignored", self.clock())
            return
        now, sender = self.clock(), _sender(peer)
        if self.own is not None and self.own(peer):
            if not self._own_said:  # it comes on every change: said once
                self._own_said = True
                self.say(f"OSC: the show's state comes back in at {self.host}:{self.port}: --osc-reply sends it to "
                         "vcam's own --osc port; what comes back is dropped (give --osc-reply the tablet's receive "
                         "port, e.g. 9000)")
            return
        if self.heard is not None:
            self.heard(peer)
        self._timed_arrive(messages, sender, now)

    def _timed_arrive(self, messages: list[tuple[float | None, object]], sender: str, now: float) -> None:
        """A packet's messages, each at its bundle's time tag: at once (no tag, or one past), later (up to
        MAX_AHEAD_S ahead, in the order they came among those of the same time), or refused (further ahead)."""
        # what came before and is due by now acts first: a packet that comes as a bundle's time passes (the socket
        # handed it on before the loop released what was due) must not act before that bundle
        self._release_timed(now)
        wall = self.wall()
        ahead = [tag - wall if tag is not None else 0.0 for tag, _ in messages]
        far = [a for a in ahead if a > MAX_AHEAD_S]
        if far:
            dropped = "1 message" if len(far) == 1 else f"{len(far)} messages"
            self._complain(("ahead",), f"OSC: a bundle from {sender} is timed {max(far):.0f} s ahead (over "
                                       f"{MAX_AHEAD_S:g} s): {dropped} dropped; sync the sender's and this "
                                       "machine's clocks (NTP), or send it nearer its time", now)
        waiting = [a for a in ahead if 0.0 < a <= MAX_AHEAD_S]
        room = len(self._timed) + len(waiting) <= MAX_TIMED
        if not room:  # a flood of timed bundles must not grow the heap without end
            # a key of its own: said at once, not held back behind a bundle too far ahead said just before
            self._complain(("crowded",), f"OSC: more than {MAX_TIMED} messages wait for their bundles' time; "
                                         f"dropped {len(waiting)} timed ahead from {sender}", now)
        elif waiting and max(waiting) > SAID_AHEAD_S:
            self._say_ahead(sender, max(waiting))
        for (_, msg), a in zip(messages, ahead):
            if a <= 0.0:
                self._arrive(msg.address, list(msg.params), sender, now)
            elif a <= MAX_AHEAD_S and room:
                heapq.heappush(self._timed, (now + a, next(self._arrivals), msg.address, list(msg.params), sender))

    def _say_ahead(self, sender: str, ahead: float) -> None:
        """A bundle kept waiting `ahead` seconds: said once for each sender (by its host), the first time."""
        host = sender.rpartition(":")[0] or sender
        if host in self._ahead_said or len(self._ahead_said) >= MAX_SURFACES:
            return
        self._ahead_said.add(host)
        self.say(f"OSC: a bundle from {sender} is timed {ahead:.1f} s ahead: its controls act then, as OSC has it; "
                 "if not meant, a clock is off: sync the sender's and this machine's (NTP), or have it send bundles "
                 "timed immediately")

    def _release_timed(self, now: float) -> None:
        """The messages whose bundle's time has come arrive, the earliest first."""
        while self._timed and self._timed[0][0] <= now:
            _, _, address, values, sender = heapq.heappop(self._timed)
            self._arrive(address, values, sender, now)

    def _arrive(self, address: str, values: list, sender: str, now: float) -> None:
        if not self.swept(address):
            # a press: what was held back came before it, and acts first (a fader moved, then a preset pressed)
            self._release_held(now, every=True)
            if self._presses.admit(address, now):
                self._act(address, values, sender, now)
            else:
                self._complain((address,), f"OSC: {_shown(address)}: presses faster than {1 / MIN_GAP_S:.0f} a "
                                           "second; some were dropped", now)
        elif address in self._held:  # the newest value waits in the older one's place: the latest wins
            self._held[address] = values, sender
        elif now - self._acted_at.get(address, -math.inf) >= MIN_GAP_S:
            self._act(address, values, sender, now)
        elif len(self._held) < MAX_HELD:
            self._held[address] = values, sender
        else:
            self._complain(("held",), "OSC: messages to too many addresses at once; some were dropped", now)

    def _release_held(self, now: float, every: bool = False) -> None:
        """Acts on the values held back whose address's gap has passed (`every`: all of them), in the order they
        were first held."""
        for address in [a for a in self._held if every or now - self._acted_at.get(a, -math.inf) >= MIN_GAP_S]:
            self._act(address, *self._held.pop(address), now)
        if len(self._acted_at) > 4 * MAX_HELD:  # random addresses must not grow it: the old ones are done
            self._acted_at = {a: t for a, t in self._acted_at.items() if now - t < MIN_GAP_S or a in self._held}

    def _act(self, address: str, values: list, sender: str, now: float) -> None:
        self._acted_at[address] = now
        try:
            replies = self.handle(address, values, sender)
        except Unfit as e:
            if e.once:
                self._unheard(address, f"OSC: {e}", now)
            else:
                self._complain(e.key, f"OSC: {e}", now)
            return
        except Exception as e:  # noqa: BLE001 - a bad message must not end the input
            self._complain((address,), f"error: OSC {_shown(address)}: {e.__class__.__name__}: {e}", now)
            return
        for reply in replies:
            if reply.startswith("error"):
                self._complain((address,), f"{reply} (OSC {_shown(address)})", now)
            elif self.swept(address):
                self._tell(self._lines.admit((address, REPLY), reply, now, bounded=False), (address,))
            else:
                self._tell(reply, (address,))

    def _complain(self, key: tuple, line: str, now: float) -> None:
        self._tell(self._lines.admit(key, line, now), (*key, REPLY))

    def _unheard(self, address: str, line: str, now: float) -> None:
        """A message to an address nothing listens at: said once, and again after REMIND_S without any (a control
        touched again later); in between counted, for the end. A new address goes through the throttle, so that
        a sender spraying random addresses still makes a few lines."""
        last = self._told.pop(address, None)
        if last is not None and now - last < REMIND_S:
            self._told[address] = now
            self._untold[address] = self._untold.get(address, 0) + 1
            return
        said = self._lines.admit((address,), line, now)
        self._tell(said, (address, REPLY))
        if said is None:
            return  # held back (counted with others): said once the throttle lets it
        self._told[address] = now
        if len(self._told) > MAX_TOLD:
            oldest = next(iter(self._told))
            del self._told[oldest]
            self._untold.pop(oldest, None)

    def _tell(self, line: str | None, other: tuple) -> None:
        """Says `line` (None: it is held back), after the count held back under `other`: the lines of the other kind
        about the same address, which came before it."""
        if line is None:
            return
        if earlier := self._lines.flush(other):
            self.say(earlier)
        self.say(line)


class _Presses:
    """How many presses each address may still make at once: PRESS_BURST, filling up again at one per MIN_GAP_S.
    A runaway sender's presses past that are dropped, not queued: it costs the show 50 commands a second at most."""

    def __init__(self):
        self._left: dict[str, tuple[float, float]] = {}  # address → presses left, when last counted

    def admit(self, address: str, now: float) -> bool:
        left, at = self._left.get(address, (PRESS_BURST, now))
        left = min(PRESS_BURST, left + (now - at) / MIN_GAP_S)
        admitted = left >= 1
        self._left[address] = (left - 1 if admitted else left, now)
        if len(self._left) > 4 * MAX_HELD:  # random addresses must not grow it: a full one is as good as none
            self._left = {a: (n, t) for a, (n, t) in self._left.items()
                          if n + (now - t) / MIN_GAP_S < PRESS_BURST}
        return admitted


def _untold_line(untold: dict[str, int]) -> str:
    """The messages to addresses nothing listens at that were not said, the most first."""
    most = sorted(untold.items(), key=lambda item: -item[1])
    named = ", ".join(f"{n} to {_shown(a)}" for a, n in most[:5])
    more = f", and to {len(most) - 5} other addresses" if len(most) > 5 else ""
    return f"OSC: more messages nothing listened at: {named}{more}"


def _sender(peer) -> str:
    """host:port of a datagram's sender (an IPv6 host in brackets)."""
    host, port = peer[:2]
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind(host: str, port: int) -> socket.socket:
    here = "give --osc an address of this machine (127.0.0.1, 0.0.0.0 or one of its own)"
    try:
        family, _, _, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        sock = socket.socket(family, socket.SOCK_DGRAM)
    except OSError as e:
        raise VcamError(f"cannot listen for OSC on {host}:{port} ({e.strerror or e})", here) from None
    try:
        sock.bind(where)
    except OSError as e:
        sock.close()
        # an address of another machine (the tablet's, given where its own goes in --osc-reply) is no busy port
        fix = here if e.errno == errno.EADDRNOTAVAIL else \
            "pick another --osc port, or stop the program that uses this one"
        raise VcamError(f"cannot listen for OSC on {host}:{port} ({e.strerror or e})", fix) from None
    sock.settimeout(POLL_S)
    return sock


def _timed_messages(data: bytes) -> list[tuple[float | None, object]]:
    """The messages of a packet, each with the time tag it is to act at (seconds since 1970; None: at once), in the
    order they were written. Read here rather than by python-osc's OscPacket, which puts its own clock's now in
    place of a tag past or immediate, and sorts."""
    from pythonosc.osc_bundle import OscBundle
    from pythonosc.osc_message import OscMessage

    if OscBundle.dgram_is_bundle(data):
        return list(_in_bundle(OscBundle(data), None))
    if not OscMessage.dgram_is_message(data):
        raise ValueError("not an OSC message or bundle")
    return [(None, OscMessage(data))]


def _in_bundle(bundle, outer: float | None) -> Iterator[tuple[float | None, object]]:
    """A bundle's messages with its time tag; a bundle inside another acts no sooner than the one around it (OSC
    1.0 has its tag no earlier)."""
    from pythonosc.osc_bundle import OscBundle
    from pythonosc.parsing.osc_types import IMMEDIATELY

    tag = None if bundle.timestamp == IMMEDIATELY else bundle.timestamp
    if outer is not None and (tag is None or tag < outer):
        tag = outer
    for content in bundle:
        if isinstance(content, OscBundle):
            yield from _in_bundle(content, tag)
        else:
            yield tag, content


def _readable(data: bytes) -> bool:
    """Whether python-osc reads `data` without a warning of its own: every type tag one it knows, in a message
    or in each element of a (nested) bundle. Whatever else is wrong, it raises on."""
    if data.startswith(b"#bundle\x00"):
        at = 16
        while at + 4 <= len(data):
            (size,) = struct.unpack(">i", data[at:at + 4])
            if size < 0 or not _readable(data[at + 4:at + 4 + size]):
                return False
            at += 4 + size
        return True
    end = data.find(b"\x00")
    if end < 0:
        return False
    tags_at = (end // 4 + 1) * 4  # the address is padded to a multiple of 4 bytes
    if tags_at >= len(data) or data[tags_at:tags_at + 1] != b",":
        return True  # no type tags: a message without values, or garbage python-osc refuses itself
    tags_end = data.find(b"\x00", tags_at)
    tags = data[tags_at + 1:tags_end if tags_end >= 0 else len(data)]
    return set(tags.decode("latin-1")) <= TYPE_TAGS


def osc_parts(listen: str | None, reply: str | None, map_ref: str | None, show, controller,
              say: Callable[[str], None], tempo=None, fps: Callable[[], float | None] | None = None,
              replaying: bool = False, osc_map: OscMap | None = None, whole_paths: bool = True) -> list:
    """The OSC input (`--osc [HOST:]PORT`) and the state replies (`--osc-reply [HOST:]PORT`) as parts of a show, not
    started yet ([] with neither). Checked here, before anything opens: python-osc is installed, the addresses are
    written right, the map (`--osc-map`, else the show's `osc:` section) exists and names presets the show has.
    `controller` is the show's Controller or vcam cam's RemoteController (commands, state and its listeners);
    `tempo` an object with `bpm` and `beat()`, `fps` the frames made per second, where known. `osc_map`: the map
    `map_ref` names, where it was read already (read_map), so that the file is read once. `whole_paths`: as
    read_map's (False where the commands go to a server, vcam cam's)."""
    if map_ref and listen is None:
        say("--osc-map is not used: no OSC input is opened without --osc [HOST:]PORT")
    if listen is None and reply is None:
        return []
    load_pythonosc()
    router = None
    if listen is not None and replaying:
        say("--osc is not used while a control log is replayed (the log's commands are the show's)")
    elif listen is not None:
        router = OscRouter(_mapping(map_ref, show, controller, osc_map, whole_paths), controller)
    replies = _replies(reply, router, controller, say, tempo, fps, replaying) if reply is not None else None
    parts: list = []
    if router is not None:
        host, port = parse_address(listen)
        if replies is not None and replies.host is not None:
            _say_if_unreachable(host, port, replies.host, say)
        parts.append(OscInput(host, port, router.handle, say, swept=router.swept,
                              heard=replies.heard if replies is not None else None,
                              own=replies.own if replies is not None else None))
    return parts + ([replies] if replies is not None else [])


def _replies(reply: str, router: OscRouter | None, controller, say: Callable[[str], None], tempo,
             fps: Callable[[], float | None] | None, replaying: bool):
    """The state replies `--osc-reply` asks for, told of every change, with the faders of the input's map (where
    there is an input); None where they would go nowhere (a port alone, with no input while a log replays)."""
    from vcam.control.oscreply import OscReplies

    host, port = parse_reply(reply)
    if host is None and router is None and replaying:
        say(f"--osc-reply {reply} is not used while a control log is replayed: it answers OSC senders, and --osc "
            "is not used")
        return None
    if host is None and router is None:
        raise VcamError(f"--osc-reply {reply} sends the state to each machine that sends OSC here, and no OSC "
                        "input is open", "give --osc [HOST:]PORT too, or the tablet's address: --osc-reply "
                                         f"HOST:{port}")
    replies = OscReplies(host, port, controller.snapshot, say, tempo, fps,
                         faders=(lambda: router.mapping) if router is not None else None,
                         moving=router.moving if router is not None else None)
    controller.listeners.append(replies.changed)
    if tempo is not None and hasattr(tempo, "listen"):
        tempo.listen(replies.changed)
    return replies


def _say_if_unreachable(host: str, port: int, reply_host: str, say: Callable[[str], None]) -> None:
    """The input listens on this machine only while the state goes to another: that one's messages (a tablet's)
    cannot reach the input, the likely slip of `--osc 8000 --osc-reply TABLET:9000`."""
    if is_loopback(host) and not is_loopback(reply_host):
        say(f"OSC: listening on {host}:{port}, this machine only, while the state goes to {reply_host}: its "
            f"messages cannot reach vcam; give --osc 0.0.0.0:{port} to take them")


def _mapping(map_ref: str | None, show, controller, osc_map: OscMap | None,
             whole_paths: bool = True) -> OscMap | Callable[[], OscMap | None] | None:
    """The map named on the command line (`osc_map` where it was read already), else the show's `osc:` section as
    the show file has it now."""
    if not map_ref:
        return (lambda: getattr(controller.show, "osc", None)) if show is not None else None
    return osc_map if osc_map is not None else read_map(map_ref, show, whole_paths)


def read_map(map_ref: str, show, whole_paths: bool = True) -> OscMap:
    """The map `--osc-map` names, read and checked: VcamError when it names presets `show` (where given) lacks.
    `whole_paths`: its buttons' `input file:`/`image:` found next to it and made whole (oscmap.read_map); False
    keeps them as written, for a server to find in its shared folders."""
    from vcam.control.oscmap import map_named, missing_presets

    path, mapping = map_named(map_ref, whole_paths)
    if show is not None and (problems := missing_presets(show, mapping)):
        raise VcamError(f"OSC map {path} does not fit this show's presets: "
                        + "; ".join(f"line {line}: {problem}" for _, line, problem in problems),
                        f"correct the names in {path} (or name presets by number there)")
    return mapping
