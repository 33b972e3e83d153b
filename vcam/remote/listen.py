"""Where `vcam serve` listens: the socket's options for the host given, what to do when the socket cannot be had,
the vcam cam command it advertises for the OBS machine, and the socket's accepts kept going through a flood.

Apart from the server because each depends on the machine's addresses and families alone (IPv6 or not, a tunnel
or every address), not on any client.
"""
from __future__ import annotations

import contextlib
import errno
import os
import socket
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from vcam.control.throttle import ErrorThrottle
from vcam.loopback import is_loopback
from vcam.portholders import holder_finder
from vcam.remote import protocol as proto
from vcam.remote.addresses import is_wildcard, machine_addresses, url_host


def tunnel_command(host: str, port: int) -> str:
    """The SSH tunnel the OBS machine opens to reach a server listening on loopback `host`: its far end is the
    address listened on (::1 is not 127.0.0.1), its near end the same port on the OBS machine."""
    return f"ssh -N -L {port}:{url_host(host)}:{port} USER@THIS-MACHINE"


def advertise(host: str, port: int, token: str | None) -> list[str]:
    """Where the server listens, and a vcam cam command for the OBS machine that can work from there."""
    auth = " (token required)" if token else ""
    cam_token = " --token TOKEN" if token else ""
    # the token itself is not printed: a show's terminal is often on screen
    which = " (TOKEN: the one vcam serve was given)" if token else ""
    if is_loopback(host):  # the tunnel's far end is the address listened on: ::1 is not 127.0.0.1
        return [f"serving on ws://{url_host(host)}:{port}{auth}; on the OBS machine, with a tunnel open "
                f"({tunnel_command(host, port)}): "
                f"vcam cam ws://127.0.0.1:{port}{cam_token}{which}"]
    if not is_wildcard(host):
        return [f"serving on ws://{url_host(host)}:{port}{auth}; on the OBS machine: "
                f"vcam cam ws://{url_host(host)}:{port}{cam_token}{which}"]
    if host == "::" and not socket.has_dualstack_ipv6():  # a socket that takes no IPv4 (listen_options)
        addresses = machine_addresses(ipv6=True, ipv4=False)
    else:
        addresses = machine_addresses(ipv6=":" in host)
    lines = [f"serving on port {port} of every address of this machine{auth}"]
    if addresses:
        others = f"; this machine's addresses: {', '.join(addresses)}" if len(addresses) > 1 else ""
        lines.append(f"on the OBS machine: vcam cam ws://{url_host(addresses[0])}:{port}{cam_token}{which}{others}")
        which = ""
    lines.append(f"through a cloud provider's port mapping or HTTP proxy, use the address it shows for port "
                 f"{port}: vcam cam ws://ADDRESS:PORT{cam_token} (wss://ADDRESS for an HTTP proxy){which}")
    return lines


def listen_options(host: str) -> dict[str, Any]:
    """socket.create_server's options for `host`: an IPv6 address needs AF_INET6 (its default, AF_INET, refused
    `--host ::` with "Address family for hostname not supported", so a cloud container with IPv6 alone could not
    serve at all); `::` takes IPv4 clients too, where the system can."""
    if ":" not in host:
        return {}
    return {"family": socket.AF_INET6, "dualstack_ipv6": host == "::" and socket.has_dualstack_ipv6()}


def listen_fix(e: OSError, host: str, port: int) -> str:
    """What to do when the socket cannot be had: the port in use is one case of several."""
    # a --host that is not this machine's; a name that does not resolve has the resolver's code (EAI_*, negative)
    if isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL or (e.errno or 0) < 0:
        mine = machine_addresses()
        return (f"--host takes an address of this machine: 127.0.0.1 (reached through an SSH tunnel), 0.0.0.0 (every "
                f"address, with --token; :: for IPv6 too){', or one of ' + ', '.join(mine) if mine else ''}")
    if e.errno == errno.EAFNOSUPPORT:  # an IPv6 --host where the kernel has IPv6 off: no --port would do
        return ("this machine has IPv6 turned off: --host 0.0.0.0 listens on every IPv4 address (with --token), "
                "127.0.0.1 on IPv4's loopback (reached through an SSH tunnel)")
    if e.errno == errno.EACCES and port < 1024:
        return f"ports below 1024 need root: pick --port 1024 or above (the default is {proto.DEFAULT_PORT})"
    if e.errno == errno.EADDRINUSE:
        return (f"pick another --port (and give vcam cam and the ssh -L tunnel the same), or stop the program that "
                f"listens there: {holder_finder(port, 'tcp')} names it")
    return "pick another --port, or stop the program that uses this one"


def listen_reason(e: OSError) -> str:
    """Why the socket cannot be had, in the system's words: Python's socket.create_server adds '(while attempting
    to bind on address (...))' to them, which said the address twice beside vcam's own line. Cut from the error's
    own words, not looked up again by its number: on Windows a socket's number (WSAEADDRNOTAVAIL, 10049) is none
    the C library has words for ('Unknown error'); a resolver's code (a gaierror's) has words of its own too."""
    if e.errno == errno.EADDRINUSE:
        return "the port is in use: an earlier vcam serve still running, or another program"
    return (e.strerror or str(e)).partition(" (while attempting to bind")[0]


# accept()'s errors of a machine short of something for a while (files, memory), and of a caller gone before it
# was taken: the next connection may be taken; any other (the socket closed by the stop) ends the library's loop
_SHORT_OF = {errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM}
_GONE = {errno.ECONNABORTED, errno.EPROTO}


class Listener:
    """The listening socket as the library's accept loop uses it. That loop ended on any error of accept(), for
    good: a burst of connections past the process's open-file limit (ulimit -n) left vcam serve deaf, the show
    going on with no camera able to connect. Here such an error is said once and the connection tried again, and
    a connection past `most` open at once (handshakes not finished count: each holds a thread and files for 10 s)
    is turned away as it comes, so that a flood of them never brings the process to its limit."""

    RETRY_S = 0.2  # how long a machine short of files is left before the next try
    # how long a connection turned away is given to send its request: a client sends it with the handshake's
    # last packet, and each silent one of a flood holds the accepts back this long, cameras waiting behind
    REQUEST_S = 0.05
    SAID_S = 60.0

    def __init__(self, sock: socket.socket, most: int, say: Callable[[str], None]):
        self._sock = sock
        self.most = most
        self._say = say
        self._closing = False  # the stop began: nothing more is taken (cut_unfinished)
        self._taking = threading.Lock()  # a connection is taken, or the stop reads those taken: one at a time
        self._said = ErrorThrottle(self.SAID_S)
        # the connections handed to the library: counted here, as websockets 15 and 16 count them nowhere
        self._taken: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        # Never an accept() that blocks for good: a close from another thread (the library's stop) does not wake it,
        # and the stop would wait for it for ever. Taken sockets block as before (socket.accept sees to it).
        sock.settimeout(self.RETRY_S)

    def __getattr__(self, name: str) -> Any:  # fileno, getsockname, close, ...: the socket's own
        return getattr(self._sock, name)

    def open_now(self) -> int:
        """The connections taken that the library has not closed yet: its clients and its handshakes."""
        return sum(1 for sock in list(self._taken) if sock.fileno() != -1)

    def accept(self) -> tuple[socket.socket, Any]:
        while True:
            try:
                sock, address = self._sock.accept()  # RETRY_S at most, then again: the stop's close is seen
            except TimeoutError:
                continue
            except OSError as e:  # EBADF once the stop closed the socket
                if e.errno not in _SHORT_OF | _GONE:
                    raise
                if e.errno in _SHORT_OF:
                    self._tell(("short",), f"a connection could not be taken ({e.strerror or e}): waiting for files "
                                           "to free (ulimit -n raises this process's limit)")
                    time.sleep(self.RETRY_S)  # the connection still waits: taken again at once, it fails again
                continue
            with self._taking:  # taken as the stop reads those taken, it would be left for its 10 s
                if self._closing:  # taken now, its handshake would hold the stop up to the library's 10 s
                    sock.close()
                    raise OSError(errno.EBADF, "the server is stopping")  # ends the library's accept loop
                if self.open_now() < self.most:
                    self._taken.add(sock)
                    return sock, address
            turn_away(sock, self.most, self.REQUEST_S)
            self._tell(("full",), f"closed a connection as it came: {self.most} are open already (clients and "
                                  "handshakes not finished)")

    def held_back(self, now: float | None = None) -> list[str]:
        """The counts of the lines held back whose window has passed (all of them, without `now`)."""
        return self._said.held_back(now)

    def cut_unfinished(self, keep: set[socket.socket]) -> None:
        """At the stop: takes no more connections, and shuts down every one taken but `keep` (those past their
        handshake, which get their close frame). The library's stop waits for each handshake to end, and one that
        never sends its request ends only at its 10 s timeout: a flood of them held Ctrl-C that long. Shut down,
        its reader sees the end at once and the library closes it."""
        with self._taking:
            self._closing = True
            taken = list(self._taken)
        for sock in taken:
            if sock in keep or sock.fileno() == -1:
                continue
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def _tell(self, what: tuple, line: str) -> None:
        if said := self._said.admit(what, line, time.monotonic()):
            self._say(said)


# What a connection costs in open files (its socket and the library's, on websockets 17: about 3), and the files
# left to the rest of the process (the model's files, the camera, recordings, logs) past those open at the start
FILES_PER_CONNECTION = 3
FILES_KEPT = 32


def files_allow(most: int, soft_limit: int | None, open_now: int) -> int:
    """The connections that may be open at once: `most`, or fewer where the process's open-file limit (ulimit -n,
    `soft_limit`; None for none) with `open_now` files open cannot hold that many (macOS's default is 256). At
    least one: a limit that low is said, and a camera still connects."""
    if soft_limit is None:
        return most
    return max(1, min(most, (soft_limit - open_now - FILES_KEPT) // FILES_PER_CONNECTION))


def open_file_limit() -> tuple[int | None, int]:
    """The process's soft limit on open files (None where it has none, or the system says none: Windows) and the
    files it has open now."""
    try:
        import resource
    except ImportError:
        return None, 0
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return None, 0
    for folder in ("/proc/self/fd", "/dev/fd"):
        with contextlib.suppress(OSError):
            return soft, len(os.listdir(folder))
    return soft, 0


def capped_by_files(most: int, max_clients: int) -> tuple[int, str | None]:
    """The connections open at once this process may take, and the line that says the open-file limit caps them
    (None where it does not)."""
    soft, open_now = open_file_limit()
    allowed = files_allow(most, soft, open_now)
    if allowed >= most:
        return most, None
    fewer = f"; so at most {allowed} clients, not {max_clients}" if allowed < max_clients else ""
    # a limit that holds them all, with the files open now: 4096 said to a process at 4096 already raised nothing
    needed = open_now + FILES_KEPT + FILES_PER_CONNECTION * most
    raise_to = max(4096, 1 << (needed - 1).bit_length())
    return allowed, (f"at most {allowed} connections open at once, not {most}: this process may open {soft} files "
                     f"(ulimit -n), {open_now} are open, and each connection takes {FILES_PER_CONNECTION}{fewer}; "
                     f"run ulimit -n {raise_to} before vcam serve to raise it")


def turn_away(sock: socket.socket, most: int, wait_s: float) -> None:
    """Answers a connection past the cap with an HTTP 503 in plain words, which vcam cam says, and closes it:
    closed without an answer, vcam cam could only take it for a tunnel that leads nowhere. Its request is read
    first, `wait_s` at most: a socket closed with a request unread resets the connection, and the answer with it,
    and an answer before the request is one the library's client can fail on (an assertion of its own)."""
    body = (f"too many connections open at once ({most}, handshakes not finished included): a program may be "
            "flooding vcam serve's port; its terminal counts them\n").encode()
    answer = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
              b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    try:
        sock.settimeout(wait_s)  # a flood's request may never come; a fresh socket's buffer takes the answer whole
        sock.recv(65536)
        sock.sendall(answer)
    except TimeoutError:  # silent: answered all the same
        with contextlib.suppress(OSError):
            sock.sendall(answer)
    except OSError:  # the caller gone already
        pass
    finally:
        sock.close()
