"""The command that names the program holding a port, of this system: shared by the network server (TCP) and the OSC
input (UDP), which must not import the network side, so that both name it alike."""
from __future__ import annotations

import sys


def holder_finder(port: int, protocol: str) -> str:
    """The command that names the program holding `port` of `protocol` ("tcp" or "udp"): Windows and macOS have no
    ss. The port is matched whole, with the space netstat writes after it (findstr :800 finds port 8000's lines
    too); ss and lsof name another user's program to root only, and without sudo named none."""
    if sys.platform == "win32":
        return f'netstat -ano -p {protocol} | findstr /c:":{port} " (its last number is the program\'s PID)'
    if sys.platform == "darwin":
        listening = " -sTCP:LISTEN" if protocol == "tcp" else ""
        return f"sudo lsof -nP -i{protocol.upper()}:{port}{listening}"
    return f"sudo ss -l{protocol[0]}np 'sport = :{port}'"
