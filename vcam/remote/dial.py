"""The TCP connection a `vcam cam` try opens to its server, each step bounded so that a quit or the next try is never
held: the host's name looked up in a thread of its own, its addresses dialled together a stagger apart (happy
eyeballs, RFC 8305), the first to connect taken.
"""
from __future__ import annotations

import errno
import os
import selectors
import socket
import threading
import time
from collections.abc import Callable


class Stopped(Exception):
    """The link was stopped (vcam cam quits) while a try looked the server's name up or dialled it."""


STOP_POLL_S = 0.05  # how often a lookup or a dial in progress looks whether the link was stopped


def shut(sock: socket.socket | None) -> None:
    """Shuts a connection's socket down, which ends any read or handshake blocked on it."""
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Lookup:
    """A host name's addresses, looked up with a bound, in a thread of its own: the system's resolver has no bound of
    its own. A lookup still running when the next try asks again is waited on again, not started twice: a name
    server that never answers holds one thread, not one more for each try. One that answered after its try gave up
    answers the next try: started again, a name server slower than the bound was never waited for long enough."""

    def __init__(self, resolve: Callable[..., list] | None = None):
        self._resolve = resolve
        self._pending: tuple[tuple[str, int], threading.Event, list] | None = None

    def addresses(self, host: str, port: int, timeout: float, stop: threading.Event | None = None) -> list[tuple]:
        """getaddrinfo's answer for a TCP connection to host:port; socket.gaierror (EAI_AGAIN: no name server
        answered) where it takes over `timeout` s; Stopped as soon as `stop` is set."""
        pending = self._pending
        if pending is None or pending[0] != (host, port):  # none running or unused for it: a new one
            pending = self._pending = ((host, port), threading.Event(), [])
            threading.Thread(target=self._look_up, args=pending, name="lookup", daemon=True).start()
        _, done, answer = pending
        if not _wait(done, timeout, stop):
            raise socket.gaierror(_EAI_AGAIN, f"the lookup of {host} took over {timeout:g} s")
        self._pending = None  # used: the next try looks the name up anew
        if isinstance(answer[0], BaseException):
            raise answer[0]
        return answer[0]

    def _look_up(self, key: tuple[str, int], done: threading.Event, answer: list) -> None:
        resolve = self._resolve or socket.getaddrinfo  # read when called: a test may stand in for the system's
        try:
            answer.append(resolve(key[0], key[1], type=socket.SOCK_STREAM))
        except Exception as e:  # noqa: BLE001 - handed to the try that waits for it
            answer.append(e)
        finally:
            done.set()


_EAI_AGAIN = getattr(socket, "EAI_AGAIN", 11002)  # 11002: Windows' WSATRY_AGAIN


def _wait(done: threading.Event, timeout: float, stop: threading.Event | None) -> bool:
    """Whether `done` is set within `timeout` s; Stopped as soon as `stop` is set."""
    deadline = time.monotonic() + timeout
    while not done.is_set():
        left = deadline - time.monotonic()
        if stop is not None and stop.is_set():
            raise Stopped()
        if left <= 0:
            return False
        done.wait(left if stop is None else min(left, STOP_POLL_S))
    return True


# Happy eyeballs (RFC 8305): the next address is tried this long after the last one started, where that one has not
# connected yet; the ones started go on together, within the try's one deadline
STAGGER_S = 0.25
_IN_PROGRESS = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EAGAIN, 10035}  # 10035: Windows' WSAEWOULDBLOCK


def dial(infos: list[tuple], timeout: float, stagger: float = STAGGER_S,
         stop: threading.Event | None = None) -> socket.socket:
    """A TCP connection to the first of getaddrinfo's `infos` that takes one, all within one `timeout`: each is
    started `stagger` s after the one before it (at once where that one failed), IPv6 and IPv4 in turn, and the
    first to connect wins. Tried one after the other, each for `timeout`, a host whose first addresses do not
    answer (an IPv6 address on a network without IPv6 that drops it unanswered) held a try that many times as long,
    the camera's terminal saying nothing. TimeoutError where none connected in time; else the last one's error;
    Stopped as soon as `stop` is set (vcam cam quits)."""
    order, deadline = interleaved(infos), time.monotonic() + timeout
    error: OSError = OSError("the host name has no address")
    started: list[socket.socket] = []
    chooser = selectors.DefaultSelector()
    won = None
    try:
        next_at = time.monotonic()
        while order or started:
            now = time.monotonic()
            if stop is not None and stop.is_set():
                raise Stopped()
            if now >= deadline:
                raise TimeoutError(f"no address answered in {timeout:g} s") if started else error
            if order and now >= next_at:
                sock, failed = _start(order.pop(0))
                if sock is None:
                    error, next_at = failed, now
                    continue
                started.append(sock)
                chooser.register(sock, selectors.EVENT_WRITE)
                next_at = now + stagger
                continue
            wait = deadline - now if not order else max(0.0, min(deadline, next_at) - now)
            if stop is not None:
                wait = min(wait, STOP_POLL_S)
            for key, _ in chooser.select(wait):
                sock = key.fileobj
                chooser.unregister(sock)
                started.remove(sock)
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code == 0:
                    won = sock
                    won.setblocking(True)
                    return won
                sock.close()
                error, next_at = OSError(code, os.strerror(code)), time.monotonic()
        raise error
    finally:
        for sock in started:
            if sock is not won:
                sock.close()
        chooser.close()


def _start(info: tuple) -> tuple[socket.socket | None, OSError | None]:
    """A connection to one of getaddrinfo's addresses, started and not waited for; or the error that stopped it."""
    family, kind, protocol, _, address = info
    sock = None
    try:
        # made here: a laptop with IPv6 turned off cannot make an IPv6 socket, and goes on to the IPv4 address
        sock = socket.socket(family, kind, protocol)
        sock.setblocking(False)
        code = sock.connect_ex(address)
        if code not in (0, *_IN_PROGRESS):
            raise OSError(code, os.strerror(code))
        return sock, None
    except OSError as e:
        if sock is not None:
            sock.close()
        return None, e


def interleaved(infos: list[tuple]) -> list[tuple]:
    """getaddrinfo's addresses in its order of preference, but the families in turn (RFC 8305): one family's
    addresses that do not answer hold back the other's by a stagger each, not all of theirs."""
    first = infos[0][0] if infos else None
    ones = [i for i in infos if i[0] == first]
    others = [i for i in infos if i[0] != first]
    mixed = [i for pair in zip(ones, others) for i in pair]
    n = min(len(ones), len(others))
    return mixed + ones[n:] + others[n:]
