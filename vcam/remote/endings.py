"""Why the websockets library ended a client's connection, in the server's own words, and the library's log less
what those words replace.

The library ends a connection itself for a message over the size limit and for its keepalive, and logs the
keepalive's end with a traceback: the server's terminal says instead which client stopped answering, and why.
"""
from __future__ import annotations

import logging
import sys

from vcam.remote import protocol as proto


def ended(ws, error: Exception, keepalive: proto.Keepalive) -> str | None:
    """Why the library ended a client's connection, where it was for a message over the size limit or for the
    keepalive (whose own words were "keepalive ping timeout"); None for a plain end."""
    if big := too_big(ws):
        return f"was disconnected: {big}"
    stalled = proto.keepalive_ended(error)
    if stalled == "here":
        # a camera quit behind the stalled tunnel ends this way too, its goodbye lost: it may never come back
        return (f"stopped answering for {keepalive.timeout:g} s (a stalled tunnel, or a machine "
                "asleep?) and was disconnected; its vcam cam, if still running, reconnects by itself")
    if stalled == "there":
        return ("heard nothing from this server for too long (a stalled tunnel, or was this machine paused?) and "
                "left; its vcam cam reconnects by itself")
    return None


def too_big(ws) -> str | None:
    """Why the library closed a connection, when it was for a message over the size limit."""
    sent = getattr(ws.protocol, "close_sent", None)
    if sent is not None and sent.code == 1009:
        return f"a message over {proto.MAX_MESSAGE // 2**20} MiB"
    return None


class LibraryLog(logging.LoggerAdapter):
    """The websockets library's log for the server, as it keeps it ("websockets.server"), less its keepalive's
    "keepalive ping failed" and traceback (the server says in its own words which client stopped answering), and
    less the "opening handshake failed" of websockets 15 and 16 for a connection that ended before its handshake did:
    a port scanner, and each handshake the stop cuts, printed a traceback each on the terminal, where websockets 17
    ends them without a word; and less the "unexpected internal error" of its reader fed data on a connection another
    thread had just closed (a camera gone as its data came), whose EOFError traceback read as the server failing."""

    def __init__(self):
        super().__init__(logging.getLogger("websockets.server"), {})

    def log(self, level, msg, *args, **kwargs) -> None:
        # logged from inside the library's except: the exception it logs is the one being handled
        if kwargs.get("exc_info") is True:
            error = sys.exc_info()[1]
            if proto.keepalive_ended(error) is not None or (msg == "opening handshake failed" and cut_short(error)):
                return
            # the library raises EOFError from its reader only for data fed after the connection's end
            if msg == "unexpected internal error" and isinstance(error, EOFError):
                return
        super().log(level, msg, *args, **kwargs)


def cut_short(error: BaseException | None) -> bool:
    """Whether a handshake failed as its connection ended (the other end gone, or the stop's cut), not for anything
    the server would need to hear of: the library's InvalidMessage or ConnectionClosed caused by an end of stream or
    a socket's error."""
    from websockets.exceptions import ConnectionClosed

    while error is not None:
        if isinstance(error, (EOFError, OSError, ConnectionClosed)):
            return True
        error = error.__cause__
    return False
