"""The OSC input: a UDP port whose datagrams are read, paced and handed to the router, and what goes wrong said on
the terminal without flooding it.

Apart from the router (what a message does) and the timed bundles (when it does it): this is the socket and the
pace, a stream's values merged one per MIN_GAP_S per address, presses each acted in order up to a burst, and the
lines about an address said in the order they happened.
"""
from __future__ import annotations

import errno
import math
import os
import socket
import sys
import threading
import time
from collections.abc import Callable

from vcam.control.oscpackets import load_pythonosc, readable, timed_messages, unknown_tags
from vcam.control.oscports import DEFAULT_HOST, written
from vcam.control.oscrouter import BUILTIN, Unfit, shown
from vcam.control.osctimed import TimedBundles
from vcam.control.throttle import ErrorThrottle
from vcam.errors import VcamError
from vcam.words import terminal_safe
from vcam.loopback import is_loopback
from vcam.portholders import holder_finder

MAX_DATAGRAM = 65536
RECEIVE_BUFFER = 4 << 20  # bytes of datagrams the system keeps for the input while it is busy (thousands of messages)
POLL_S = 0.25  # how soon the input's thread sees that the show is stopping
# Addresses whose bad messages are counted apart at once (an address's count ends a few seconds after its last
# line); past these, all others share one count (a sender spraying random addresses must not grow the counts
# without end)
MAX_KEYS = 8
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

    what = "the OSC input"  # as the show's end names it where its stop fails

    def __init__(self, host: str, port: int, handle: Callable[[str, list, str], list[str]],
                 say: Callable[[str], None], throttle_s: float = 2.0,
                 swept: Callable[[str], bool] | None = None, clock: Callable[[], float] = time.monotonic,
                 heard: Callable[[tuple], None] | None = None, own: Callable[[tuple], bool] | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        self.host, self.port = host, port
        self.handle = handle
        self.say = say
        self.swept = swept or (lambda address: True)
        self.clock = clock
        self.heard = heard
        self.own = own
        self._own_said = False
        # errors keyed by address (or what went wrong), replies by (address, REPLY): one throttle, so that the
        # counts come in the order their last lines came
        self._lines = ErrorThrottle(throttle_s, most=MAX_KEYS, others="other addresses")
        self._acted_at: dict[str, float] = {}  # address → when a message to it was last acted on
        self._held: dict[str, tuple[list, str]] = {}  # address → the newest message held back: values, sender
        self._presses = _Presses()
        # `wall`: what a bundle's time tag is read against (seconds since 1970, as python-osc gives it)
        self.timed = TimedBundles(self._arrive, self._complain, say, wall)
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
        here = written(self.host, self.port)
        self.say(f"OSC: listening on {here} ({BUILTIN}<command>, and the map's addresses)")
        if not is_loopback(self.host):
            self.say(f"OSC on {here}: anyone on the network who can reach this machine can steer the show "
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
            self.timed.release(now)
            self._release_held(now)
            if now - said_at >= 1.0:
                said_at = now
                for line in self._lines.held_back(now):
                    self.say(line)

    def _wait_s(self, now: float) -> float:
        """How long the socket is waited on: until a value held back may go, or a bundle's time comes."""
        wait = MIN_GAP_S if self._held else POLL_S
        if (due := self.timed.due_in(now)) is not None:
            wait = min(wait, due)
        return max(wait, 0.001)  # 0 would make the socket non-blocking

    def _datagram(self, data: bytes, peer) -> None:
        try:
            if not readable(data):
                raise ValueError("not OSC")
            messages = timed_messages(data)
        except Exception:  # noqa: BLE001 - anything may arrive on a UDP port
            if (odd := unknown_tags(data)) is not None:
                address, tags = odd
                self._complain(("garbage",), f"OSC: a message from {peer[0]} to {shown(address)} has type tags "
                                             f"{terminal_safe(tags[:20])!r}, which vcam does not read; ignored (send "
                                             "int, float, string or blob values)", self.clock())
                return
            self._complain(("garbage",), f"OSC: {len(data)} bytes from {peer[0]} that are not an OSC message; "
                                         "ignored", self.clock())
            return
        now, sender = self.clock(), _sender(peer)
        if self.own is not None and self.own(peer):
            if not self._own_said:  # it comes on every change: said once
                self._own_said = True
                self.say(f"OSC: the show's state comes back in at {written(self.host, self.port)}: --osc-reply "
                         "sends it to vcam's own --osc port; what comes back is dropped (give --osc-reply the tablet's "
                         "receive port, e.g. 9000)")
            return
        if self.heard is not None:
            self.heard(peer)
        self.timed.arrive(messages, sender, now)

    def _arrive(self, address: str, values: list, sender: str, now: float) -> None:
        if not self.swept(address):
            # a press: what was held back came before it, and acts first (a fader moved, then a preset pressed)
            self._release_held(now, every=True)
            # vcam's own addresses are read in any case (/vcam/HeLp is /vcam/help): each spelling must not get a
            # burst of its own (a map's two addresses apart only in case share one, which no hand sends past)
            if self._presses.admit(address.lower(), now):
                self._act(address, values, sender, now)
            else:
                self._complain((address,), f"OSC: {shown(address)}: presses faster than {1 / MIN_GAP_S:.0f} a "
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
            self._complain((address,), f"error: OSC {shown(address)}: {e.__class__.__name__}: {e}", now)
            return
        for reply in replies:
            if reply.startswith("error"):
                self._complain((address,), f"{reply} (OSC {shown(address)})", now)
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
        for earlier in self._lines.flush_with_others(other):
            self.say(earlier)
        self.say(line)


class _Presses:
    """How many presses each address may still make at once: PRESS_BURST, filling up again at one per MIN_GAP_S.
    A runaway sender's presses past that are dropped, not queued: it costs the show 50 commands a second at most."""

    def __init__(self) -> None:
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
    named = ", ".join(f"{n} to {shown(a)}" for a, n in most[:5])
    more = f", and to {len(most) - 5} other addresses" if len(most) > 5 else ""
    return f"OSC: more messages nothing listened at: {named}{more}"


def _sender(peer) -> str:
    """host:port of a datagram's sender (an IPv6 host in brackets)."""
    return written(*peer[:2])


def _first_unprivileged_port() -> int:
    """The lowest port a user may listen on: Linux's own setting (1024 unless changed; 0 in a Docker container). 0
    (no port needs root) for root, and off Linux: Windows refuses a low port for another reason (a range the system
    reserved, another program's exclusive bind), macOS lets any user have one."""
    if not sys.platform.startswith("linux") or os.geteuid() == 0:
        return 0
    try:
        with open("/proc/sys/net/ipv4/ip_unprivileged_port_start") as f:
            return int(f.read())
    except (OSError, ValueError):
        return 1024


def _bind(host: str, port: int) -> socket.socket:
    here = "give --osc an address of this machine (127.0.0.1, 0.0.0.0 or one of its own)"
    try:
        family, _, _, _, where = socket.getaddrinfo(host, port, type=socket.SOCK_DGRAM)[0]
        sock = socket.socket(family, socket.SOCK_DGRAM)
    except OSError as e:
        raise VcamError(f"cannot listen for OSC on {written(host, port)} ({e.strerror or e})", here) from None
    try:
        sock.bind(where)
    except OSError as e:
        sock.close()
        # an address of another machine (the tablet's, given where its own goes in --osc-reply) is no busy port
        fix = here if e.errno == errno.EADDRNOTAVAIL else \
            "pick another --osc port, or stop the program that uses this one"
        if e.errno == errno.EADDRINUSE:
            other = port + 1 if port < 65535 else port - 1
            example = other if host == DEFAULT_HOST else written(host, other)
            fix = (f"pick another --osc port (e.g. --osc {example}, and send there), or stop the program that uses "
                   f"this one (an earlier vcam still running?): {holder_finder(port, 'udp')} names it")
        if e.errno == errno.EACCES and port < (first := _first_unprivileged_port()):  # no program holds it
            example = 8000 if host == DEFAULT_HOST else written(host, 8000)  # the host given kept (0.0.0.0:80)
            fix = f"ports below {first} need root: pick one of {first} or above, e.g. --osc {example}"
        raise VcamError(f"cannot listen for OSC on {written(host, port)} ({e.strerror or e})", fix) from None
    try:
        # a flood (a patch sending every frame, a Wi-Fi burst) overran the system's default buffer (a few hundred
        # messages) while the input was busy, and the button pressed after it was lost unsaid; the system may
        # give less than asked
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    except OSError:
        pass
    sock.settimeout(POLL_S)
    return sock
