"""Whether a host a listener binds is this machine only: shared by the network server and the OSC input (which
must not import the network side), so both warn alike when they are reachable from the network."""
from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only (a listener there cannot be reached from the network)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
