"""`--osc` and `--osc-reply`'s `[HOST:]PORT`, read and checked where the command line is read, before anything
opens.

Apart from the input and the replies: the command line checks these with nothing else of OSC imported.
"""
from __future__ import annotations

DEFAULT_HOST = "127.0.0.1"


def shown_host(host: str) -> str:
    """A host as it is written before `:PORT`: an IPv6 one in brackets."""
    return f"[{host}]" if ":" in host else host


def written(host: str, port: int) -> str:
    """`HOST:PORT` as --osc and --osc-reply take it back: an IPv6 host in brackets ([::1]:8000, where ::1:8000
    reads as no address at all)."""
    return f"{shown_host(host)}:{port}"


def parse_address(text: str, need_host: bool = False) -> tuple[str, int]:
    """`[HOST:]PORT` (an IPv6 host in brackets) → (host, port); the host is 127.0.0.1 when left out. ValueError
    saying how it is written."""
    host, sep, port = text.strip().rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    example = "HOST:PORT, e.g. 192.168.1.20:9000" if need_host else "PORT or HOST:PORT, e.g. 8000 or 0.0.0.0:8000"
    # isdecimal(): isdigit() takes "²", which int() then refuses in its own words; full-width digits int() reads
    if (sep and not host) or (need_host and not host) or not port.isdecimal() or not 1 <= int(port) <= 65535:
        raise ValueError(f"{text!r} is not an OSC address: give {example} (ports 1 to 65535)")
    return host or DEFAULT_HOST, int(port)


def parse_reply(text: str) -> tuple[str | None, int]:
    """`--osc-reply`'s `[HOST:]PORT` → (host, port); host None for a port alone: the state goes to that port of
    each machine that sends OSC here. ValueError saying how it is written."""
    try:
        if text.strip().isdecimal():
            return None, parse_address(text)[1]
        return parse_address(text, need_host=True)
    except ValueError:
        raise ValueError(f"{text!r} is not an OSC address: give PORT or HOST:PORT, e.g. 9000 (to whoever sends) or "
                         "192.168.1.20:9000 (ports 1 to 65535)") from None
