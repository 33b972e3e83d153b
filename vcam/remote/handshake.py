"""vcam's own handshake, past the WebSocket one: a vcam serve that lets a camera in sends its state first, at once,
even while its model loads. What comes instead tells a server `vcam cam` cannot use (another program, another vcam
version, a proxy with nothing behind it), and what to say about it.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from vcam.remote import protocol as proto
from vcam.remote.urls import shown_host, url_port
from vcam.words import terminal_safe

# What a vcam serve may send first: anything else is no vcam server of a version this client can read.
SERVER_KINDS = frozenset({"state", "reply", "pong", "error", "ok", "send_ok", "send_refused", "notice"})

# How vcam serve's state begins (protocol.text): one too long to read is still known for what it is
STATE_START = proto.text("state")[:-1]


class Unreadable(Exception):
    """The first message of a server that let this client in is none a vcam serve sends (what it was)."""


class Silent(Unreadable):
    """A server that let this client in sent nothing for Link.FIRST_STATE_S."""


def first_message(ws, timeout: float) -> bytes | str:
    """The server's first message, which a vcam serve makes its state; Unreadable where it is not a vcam
    message at all, or none comes in `timeout` s (Silent)."""
    try:
        message = ws.recv(timeout=timeout)
    except TimeoutError:
        raise Silent() from None
    if isinstance(message, bytes):
        if message[:4] != proto.MAGIC:
            raise Unreadable("a binary message that is not a vcam frame")
        return message
    if len(message) > proto.MAX_SERVER_TEXT and message.startswith(STATE_START):
        return message  # vcam serve's state, too long to read: the link says it dropped it, and takes the frames
    try:
        kind = proto.parse_text(message, proto.MAX_SERVER_TEXT)["type"]
    except proto.ProtocolError as e:
        raise Unreadable(f"a message that is {e}" if str(e).startswith("not ") else str(e)) from None
    if kind not in SERVER_KINDS:
        raise Unreadable(f"a message of type {kind[:40]!r}")
    return message


def unusable(url: str, error: Exception | None, received, waited: float) -> str:
    """Why a server at `url` that let this client in cannot be used: its first message unreadable (or none in
    `waited` s), or the connection closed (`received`: the server's close frame, if any) before the state came."""
    parts = urlsplit(url)
    where = f"{shown_host(parts)} port {url_port(parts)}"
    if isinstance(error, Silent):
        return (f"{where} let this camera in, but sent nothing in {waited:g} s where vcam serve sends "
                "its state at once, even while it loads its model: a proxy holding the connection with nothing "
                "behind it, or a link that stalled as it opened; check that vcam serve runs behind that address")
    if isinstance(error, Unreadable):
        return (f"{where} let this camera in, but its first message is not vcam serve's state ({error}): a vcam "
                "serve of another version than this vcam cam (install the same vcam on both machines), or "
                "another program's WebSocket server (check the port; vcam serve's first line names it)")
    reason = terminal_safe(received.reason) if received is not None else ""
    if reason == proto.UNREAD:
        return (f"vcam serve at {where} let this camera in, but could not read its show's state: its terminal "
                "says why")
    if reason:
        return f"{where} let this camera in, then closed the connection before the show's state came: {reason}"
    return (f"{where} let this camera in, then closed the connection before the show's state came: a proxy "
            "whose vcam serve is not running or not on the port it forwards to, or a vcam serve of another "
            "version; check that vcam serve runs behind that address, with the same vcam as this one")
