"""The addresses `vcam serve` tells clients to use, when it listens on every interface (0.0.0.0 or ::).

No extra dependency: the standard library cannot list interfaces portably, but it can ask the routing table which
local address would reach a remote one (a UDP connect sends nothing), and the resolver which addresses the host
name has.
"""
from __future__ import annotations

import ipaddress
import socket

WILDCARDS = ("0.0.0.0", "::", "")
# Never contacted: connect() on a UDP socket only picks a route. The first is TEST-NET-1 (documentation only, so it
# takes the default route); the second, private, can find an interface a default route does not.
_PROBES = ("192.0.2.1", "10.255.255.255")


def is_wildcard(host: str) -> bool:
    return host in WILDCARDS


def machine_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, the default route's first; [] when none is found."""
    found: list[str] = []
    for target in _PROBES:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.connect((target, 9))
                found.append(s.getsockname()[0])
        except OSError:  # no route to it (no network at all)
            pass
    try:
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    except OSError:  # the host name does not resolve
        pass
    return [a for i, a in enumerate(found) if a not in found[:i] and _usable(a)]


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def url_host(address: str) -> str:
    """An address as it goes into ws://HOST:PORT (IPv6 in brackets)."""
    return f"[{address}]" if ":" in address else address
