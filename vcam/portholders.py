"""The command that names the program holding a port, of this system: shared by the network server (TCP) and the OSC
input (UDP), which must not import the network side, so that both name it alike."""
from __future__ import annotations

import sys
from typing import Literal


def holder_finder(port: int, protocol: Literal["tcp", "udp"]) -> str:
    """The command that names the program holding `port` of `protocol`: Windows and macOS have no ss. The port is
    matched whole, with the space netstat writes after it (findstr :800 finds port 8000's lines too); ss and lsof
    name another user's program to root only, and without sudo named none. Windows' netstat -p tcp lists IPv4's
    sockets alone: a program on [::] (vcam serve --host ::, Node's and Java's default) is listed by -p tcpv6."""
    if sys.platform == "win32":
        found = f'findstr /c:":{port} "'
        return (f"netstat -ano -p {protocol} | {found} (IPv4) or netstat -ano -p {protocol}v6 | {found} (IPv6; the "
                f"last number of its line is the program's PID)")
    if sys.platform == "darwin":
        listening = " -sTCP:LISTEN" if protocol == "tcp" else ""
        return f"sudo lsof -nP -i{protocol.upper()}:{port}{listening}"
    return f"sudo ss -l{protocol[0]}np 'sport = :{port}'"
