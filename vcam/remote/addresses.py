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
# takes the default route); the second, private, can find an interface a default route does not. The IPv6 one is
# of the documentation prefix, which takes the default route as well.
_PROBES = ("192.0.2.1", "10.255.255.255")
_PROBE_V6 = "2001:db8::1"


def is_wildcard(host: str) -> bool:
    return host in WILDCARDS


def machine_addresses(ipv6: bool = False, ipv4: bool = True) -> list[str]:
    """This machine's IPv4 addresses other than loopback, the default route's first (most home networks and tunnels
    reach IPv4 alone), then with `ipv6` (a server listening on `::`) its IPv6 ones, other than loopback and
    link-local: a cloud container may have only those; [] when none is found. Without `ipv4` (a socket on `::` that
    takes no IPv4), the IPv6 ones alone."""
    found = [_routed(socket.AF_INET, target) for target in _PROBES] if ipv4 else []
    try:
        found += socket.gethostbyname_ex(socket.gethostname())[2] if ipv4 else []
    except OSError:  # the host name does not resolve
        pass
    if ipv6:
        found.append(_routed(socket.AF_INET6, _PROBE_V6))
        try:
            found += [info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET6)]
        except OSError:  # the host name does not resolve, or has no IPv6 address
            pass
    return [a for i, a in enumerate(found) if a and a not in found[:i] and _usable(a)]


def _routed(family: int, target: str) -> str | None:
    """The local address the routing table would send from to `target`; None without a route."""
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((target, 9))
            return s.getsockname()[0]
    except OSError:  # no route to it (no network at all, or none of this family)
        return None


def _usable(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_unspecified or ip.is_link_local)


def url_host(address: str) -> str:
    """An address as it goes into ws://HOST:PORT (IPv6 in brackets)."""
    return f"[{address}]" if ":" in address else address


def zone_unescaped(host: str) -> str:
    """`host` with an IPv6 zone written as a web address writes it (fe80::1%25eth0, RFC 6874's) written with a bare
    % (fe80::1%eth0), as the system names it: the lookup takes the first form whole, as a zone named 25eth0. Any
    other host is returned as it is: a name (no colon), or one whose %25 ends it (the zone index 25, or an empty
    zone once the 25 is read as the %'s)."""
    before, escaped, zone = host.partition("%25")
    return f"{before}%{zone}" if ":" in host and escaped and zone else host
