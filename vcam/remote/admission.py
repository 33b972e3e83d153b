"""Who `vcam serve` lets in: the checks made on each handshake before a client is served, and the count of those
let in against max_clients.

Apart from the server because each refusal is a decision of its own (a web page, a wrong token, a full server, a
show ending), said on the server's terminal and answered in plain HTTP the caller can read.
"""
from __future__ import annotations

import hmac
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlparse

from vcam.control.throttle import ErrorThrottle
from vcam.remote import protocol as proto
from vcam.remote.addresses import url_host


def peer(connection) -> str:
    """host:port of the other end, or "?" once its socket is gone (a client that closed as soon as it connected).
    An IPv6 host in brackets, as an address is written (`::1:52822` read as one address); an IPv4 client of a
    `--host ::` socket by its IPv4 address, not the mapped one (::ffff:192.0.2.7)."""
    try:
        host, port = connection.remote_address[:2]
    except (OSError, TypeError, ValueError):
        return "?"
    host = str(host).removeprefix("::ffff:") if "." in str(host) else str(host)
    return f"{url_host(host)}:{port}"


class Admission:
    """The handshake's checks (the library's `process_request`) and the handshakes let in whose handler has not
    started yet. `lock` is the server's, held while its clients change: from let in to served is one step under
    it (`take`), so that the count never dips between the two. `served()` is the number of clients served, with
    the lock held."""

    FULL_SAID_S = 60.0

    def __init__(self, settings, say: Callable[[str], None], lock: threading.Lock, stopped: threading.Event,
                 served: Callable[[], int]):
        self.settings = settings
        self.say = say
        self._lock = lock
        self._stopped = stopped
        self._served = served
        # Connections let in by check whose handler has not started yet, with their peer. They count against
        # max_clients from the moment they are let in: counting only the clients that were served would let every
        # handshake in flight pass the same count (16 allowed, 23 got in).
        self._admitted: dict[Any, str] = {}
        # a client refused as the server is full: said at once, then counted once a minute, not a line for each of
        # a crowd connecting at once, or of a program connecting in a loop
        self._full = ErrorThrottle(self.FULL_SAID_S)

    def held_back(self, now: float | None = None) -> list[str]:
        """The count of the clients refused as the server was full not said yet, once its window has passed (all,
        without `now`)."""
        return self._full.held_back(now)

    def check(self, connection, request):
        """None lets the handshake go on; else the HTTP answer that refuses it, said on the terminal too."""
        url = urlparse(request.path)
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(HTTPStatus.OK, "vcam server: connect with vcam cam ws://HOST:PORT\n")
        if self._stopped.is_set():  # its goodbye was said: one let in now would be served by nothing
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, f"{proto.ENDING}\n")
        origin = request.headers.get("Origin")
        if origin is not None:
            # Browsers send an Origin with every WebSocket handshake and vcam cam never does. Without this, a
            # script on any web page open on the laptop could steer the show through the loopback port of an
            # SSH tunnel, where no token is asked for.
            self.say(f"refused a connection from a web page ({origin[:80]}): only vcam cam may connect")
            return connection.respond(
                HTTPStatus.FORBIDDEN,
                f"refused: this connection comes from a web page ({origin[:80]}); a page could steer the show, so "
                "vcam serve accepts only vcam cam, which sends no Origin header: vcam cam ws://HOST:PORT\n")
        if self.settings.token:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            given = given or parse_qs(url.query).get("token", [""])[0]
            if not hmac.compare_digest(given.encode(), self.settings.token.encode()):
                host = peer(connection).rpartition(":")[0] or "?"
                self.say(f"refused a client from {host}: {'wrong' if given else 'missing'} token")
                return connection.respond(HTTPStatus.UNAUTHORIZED, "wrong or missing token\n")
        n = self.admit(connection)
        if n is not None:
            if line := self._full.admit(("full",), f"refused a client: {n} connected already, at most "
                                                   f"{self.settings.max_clients}", time.monotonic()):
                self.say(line)
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE,
                                      f"too many clients ({n} connected, at most {self.settings.max_clients}): "
                                      "close one, then connect again\n")
        return None

    def admit(self, connection) -> int | None:
        """Counts the connection against max_clients, in the same step as the check; the count when it is full."""
        who = peer(connection)
        with self._lock:
            # a handshake that failed after it was let in never reaches the handler; its socket is closed by then
            for gone in [c for c in self._admitted if c.socket.fileno() == -1]:
                del self._admitted[gone]
            n = self._places()
            if n >= self.settings.max_clients:
                return n
            self._admitted[connection] = who
            return None

    def places_taken(self) -> int:
        """What counts against max_clients: the clients served, and the handshakes let in whose handler has not
        started yet."""
        with self._lock:
            return self._places()

    def _places(self) -> int:  # with the lock held
        return self._served() + len(self._admitted)

    def let_in(self) -> list:
        """The connections let in whose handler has not started yet (with the lock held)."""
        return list(self._admitted)

    def take(self, ws) -> str | None:
        """The peer of a connection let in, which its handler now serves (with the lock held); None where it was
        not let in here."""
        return self._admitted.pop(ws, None)
