"""What `vcam cam` says where it could not reach a vcam serve, in the operator's words and with what to check: a
name no resolver knows, a port nothing listens on, a web server, a proxy or a network's login page answering in its
place, a connection that ended without a word.
"""
from __future__ import annotations

import errno
import os
import socket
import ssl
import sys
import time
from http import HTTPStatus
from urllib.parse import urlsplit

from vcam.remote.addresses import zone_unescaped
from vcam.remote.urls import check_url, said_url, shown_host, url_port, userinfo_at
from vcam.words import terminal_safe

CLOSED_UNANSWERED = "accepted the connection and closed it without an answer"
LOG_IN = "open any web page in a browser and log in to the network first"


class HandshakeUnanswered(TimeoutError):
    """The server's port took the connection, but no answer to the handshake came in `seconds`: unlike a port that
    does not answer at all, no firewall is to blame, and the address is right."""

    def __init__(self, seconds: float):
        super().__init__(f"no answer to the handshake in {seconds:g} s")
        self.seconds = seconds


def _bare_zone(url: str, hostname: str | None) -> str | None:
    """`url` with its IPv6 zone written %25eth0 (RFC 6874's form, which the lookup takes whole, as a zone named
    25eth0) written %eth0, as the system names it; None where it has no such zone, or the address that makes is not
    one vcam cam takes (an empty zone: ws://[fe80::1%]:8765)."""
    start = url.find("[", userinfo_at(url) + 1) + 1  # the host's bracket, after a user name and password
    end = url.find("]", start)
    if not hostname or not start or end < 0 or (bare := zone_unescaped(url[start:end])) == url[start:end]:
        return None
    fixed = url[:start] + bare + url[end:]
    try:
        check_url(fixed)
    except ValueError:
        return None
    return fixed


def unreachable(url: str, error: Exception) -> str:
    """Why a try to connect to `url` failed, with what to check: a name no resolver knows, a port nobody listens
    on, no answer at all, or a network that wants a login first (a hotel's or a café's: its page answers in the
    server's place)."""
    from websockets.exceptions import ConnectionClosed, InvalidMessage, InvalidStatus, InvalidURI

    parts = urlsplit(url)
    host = shown_host(parts) if parts.hostname else url
    port = url_port(parts)
    if isinstance(error, socket.gaierror) and error.errno in _NAME_SERVER_UNANSWERED:
        return (f"the name {host} could not be looked up (no name server answered): check that this machine is on a "
                f"network (on a hotel, café or train network, {LOG_IN}), or give the server's IP address")
    if isinstance(error, socket.gaierror) and (fixed := _bare_zone(url, parts.hostname)) is not None:
        zone = terminal_safe(parts.hostname.partition("%25")[2])
        return (f"this machine finds no host named {host}: the lookup takes its zone for one named 25{zone} (%25 is "
                f"how a web address writes a %); write it with a bare %: {said_url(fixed)}")
    if isinstance(error, socket.gaierror):
        return f"this machine finds no host named {host}: check the spelling, or on a local network give its IP address"
    if isinstance(error, OSError) and error.errno in _NO_ROUTE:
        return (f"this machine has no route to {host}: check that it is on a network (a wifi that dropped, a VPN "
                "that went down), and for an IPv6 address that this network has IPv6")
    if isinstance(error, ConnectionRefusedError):
        return (f"nothing listens on {host} port {port}: check that vcam serve runs there with that --port (its "
                "first line names it), or that the ssh -L tunnel is open")
    if isinstance(error, HandshakeUnanswered):  # a SIGSTOPped listener's kernel still takes connections
        return (f"{host} port {port} took the connection but gave no answer in {error.seconds:g} s: vcam serve there "
                "is stalled (a machine under heavy load or asleep, a process stopped), or through an ssh -L tunnel, "
                "the tunnel or the GPU machine stalled; check vcam serve's terminal there")
    if isinstance(error, TimeoutError):
        return f"{host} port {port} does not answer: check the address, and that a firewall lets the port through"
    onward = error.__cause__ if isinstance(error, ValueError) else None
    if isinstance(onward, InvalidStatus) and 300 <= onward.response.status_code < 400:
        # a redirect to another WebSocket address: the library follows none over the socket the link opened itself
        where = onward.response.headers.get("Location", "")[:120]
        return (f"{host} port {port} sends this client on to {where}: give vcam cam that address, or on a hotel, "
                f"café or train network, {LOG_IN}")
    if isinstance(error, InvalidURI) and isinstance(error.__context__, InvalidStatus):
        # a redirect the library cannot follow, to a web page: what a network's login page does to every request
        return (f"{host} port {port} sends this client to the web page {error.uri[:120]}: on a hotel, café or train "
                f"network, {LOG_IN}; else vcam serve does not listen there (its first line names its port)")
    if isinstance(error, ssl.SSLCertVerificationError) and _no_certificates(error):
        return (f"{host} port {port}'s certificate cannot be checked: this Python has no certificates to check it "
                "with (python.org's Python on macOS comes without them): run Install Certificates.command in the "
                "Python folder of Applications, then vcam cam again")
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_code in _OUT_OF_DATE:
        return _out_of_date(f"{host} port {port}", error.verify_code)
    if isinstance(error, ssl.SSLCertVerificationError):
        return (f"{host} port {port} answered with a certificate this machine does not trust "
                f"({error.verify_message or error.reason}): on a hotel, café or train network, its login page may "
                f"answer in the server's place ({LOG_IN}); else check that the address is the one the cloud "
                "provider shows for the port")
    if isinstance(error, ssl.SSLError):
        return (f"{host} port {port} does not speak TLS: wss:// is for an HTTPS proxy's address; through an SSH tunnel "
                f"or to the port itself, the address starts with ws://")
    if isinstance(error, InvalidMessage) and not isinstance(error.__cause__, EOFError):
        return (f"{host} port {port} answers, but not in HTTP as vcam serve does: another program listens there; "
                "check the port in the address (vcam serve's first line names it)")
    if isinstance(error, (InvalidMessage, ConnectionClosed, AssertionError)):  # closed before any answer
        return (f"{host} port {port} {CLOSED_UNANSWERED}: through an ssh -L "
                "tunnel, vcam serve is not running on the GPU machine at the port the tunnel leads to (start it, or "
                "check the tunnel's ports); else another program listens there (vcam serve's first line names its "
                "port)")
    if isinstance(error, InvalidURI):  # its text holds the address in full, its password and token with it
        return f"{said_url(error.uri)} is refused by the connection ({error.msg}): check the address"
    detail = f": {error}" if str(error) else ""
    return f"{error.__class__.__name__}{detail}"


# OpenSSL's X509_V_ERR_CERT_NOT_YET_VALID and X509_V_ERR_CERT_HAS_EXPIRED: read against this machine's clock, which
# a laptop started after a long time off (or with a dead clock battery) has wrong until it syncs
_OUT_OF_DATE = {9: "is not valid yet", 10: "has expired"}


def _out_of_date(where: str, code: int) -> str:
    """A certificate refused for its dates: this machine's clock is the likelier cause (a proxy's certificate is
    renewed by its provider), said with the date it reads, where it was said as a login page or a wrong address."""
    today = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return (f"{where}'s certificate {_OUT_OF_DATE[code]} by this machine's clock ({today}): if that is not now, set "
            "this machine's date and time (or let it sync them: automatic time in its settings), then vcam cam "
            "again; else the server's certificate needs renewing")


# OpenSSL's X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY (no certificate authority here signed the chain) and
# X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN (the server sent its root too, which no authority here vouches for): what any
# server's chain gets where there are none. A self-signed certificate of its own (18) stays the server's doing.
_NO_ISSUER_HERE = (19, 20)


def _no_certificates(error: ssl.SSLCertVerificationError) -> bool:
    """Whether a certificate was refused because this Python has no certificate authorities at all: python.org's
    Python on macOS until its Install Certificates.command is run, which every HTTPS proxy's address then fails."""
    if sys.platform != "darwin" or error.verify_code not in _NO_ISSUER_HERE:
        return False
    paths = ssl.get_default_verify_paths()
    has_file = bool(paths.cafile) and os.path.isfile(paths.cafile)
    try:
        has_folder = bool(paths.capath) and os.path.isdir(paths.capath) and bool(os.listdir(paths.capath))
    except OSError:  # a folder this user may not read: the hint would be a guess, so the usual line is said
        return False
    return not (has_file or has_folder)


def stopped_meanwhile(url: str) -> str:
    """Why a try to `url` was closed unanswered, where the server there had said it was going away (its stop): it
    was still stopping, not a port where no vcam serve runs."""
    parts = urlsplit(url)
    return (f"vcam serve at {shown_host(parts)} port {url_port(parts)} is stopping (it told this camera so) and "
            "closed this try as it went: start it again there, or wait for whoever runs it")


# getaddrinfo's "temporary failure": the resolver could not be asked, which says nothing of the name itself
_NAME_SERVER_UNANSWERED = {getattr(socket, "EAI_AGAIN", None), 11002} - {None}  # 11002: Windows' WSATRY_AGAIN
_NO_ROUTE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN}


def not_vcam(url: str, code: int) -> str:
    """What answered `url` with HTTP `code` where vcam serve answers only the WebSocket handshake (a web server, a
    notebook, a proxy's page), and what to check."""
    parts = urlsplit(url)
    port, host = url_port(parts), shown_host(parts)
    if code == HTTPStatus.NETWORK_AUTHENTICATION_REQUIRED:  # RFC 6585: the network's own login page answered
        return (f"the network this machine is on asks for a login (HTTP 511) before it reaches {host}: "
                f"{LOG_IN}")
    if code in _PROXY_FAILED:  # a proxy (the cloud provider's, a tunnel's) that reached nothing behind it
        return (f"{host} port {port} answered HTTP {code}, as a proxy does when nothing answers behind it: vcam "
                "serve is not running on the machine behind that address, is still starting, or listens on another "
                "port than the one the proxy forwards to (vcam serve's first line names its port)")
    proxy = " (through an HTTP proxy, the address starts with wss://)" if parts.scheme == "ws" else ""
    return (f"{host} port {port} answered HTTP {code}, as a web server does: vcam serve does not listen "
            f"there; check the port in the address (vcam serve's first line names it){proxy}")


_PROXY_FAILED = {HTTPStatus.BAD_GATEWAY, HTTPStatus.SERVICE_UNAVAILABLE, HTTPStatus.GATEWAY_TIMEOUT}


def how_lost(error: Exception | None) -> str:
    """How a connection ended without a reason from the server, as said after "connection to the server lost"."""
    from websockets.exceptions import ConnectionClosed

    if error is None:
        return ""
    if isinstance(error, ConnectionClosed) and error.rcvd is None:  # the library's words were "ConnectionClosedError"
        return (" without a word from it (vcam serve killed or crashed, its machine restarted, or the network "
                "dropped)")
    return f" ({error.__class__.__name__})"
