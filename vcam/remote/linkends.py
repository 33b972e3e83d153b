"""How the connections of `vcam cam`'s link end, and what is said of each: a drop (with what the camera holds and
the commands it may have lost), a server that cannot be used, a try refused, connections that drop as they open;
and the close at a quit, bounded. The link (link.py) holds the state these read and change.
"""
from __future__ import annotations

import threading
import time

from vcam.remote import protocol as proto
from vcam.remote.camscreen import covering
from vcam.remote.handshake import unusable
from vcam.remote.reasons import CLOSED_UNANSWERED, how_lost, not_vcam, stopped_meanwhile, unreachable
from vcam.remote.urls import cam_command, query_token
from vcam.words import terminal_safe

TOO_BIG = 1009  # RFC 6455's close code for a message over the size the end that closes takes
# What a message over that size is, from vcam serve: a show's state that big (its terminal says so, once), which
# comes again on each connection; else a vcam serve whose messages this vcam cam does not know
TOO_BIG_SAID = (f"the server sent a message over {proto.MAX_RECEIVED // 2**20} MiB, more than vcam cam takes: a "
                "show state that big (vcam serve's terminal says so: fewer or shorter presets in its show file keep "
                "it under), or a vcam serve of another version (install the same vcam on both machines)")
DROPPED = ("dropped as it opened",)  # the throttle's key for the connections that drop as they open


class LinkEnds:
    """The part of the link (link.py) that says how its connections end."""

    def _connection_lost(self) -> None:
        """Sends stop. The commands the server had not answered may never have reached it: a knob's last value
        waits to be sent again (setting it twice does no harm); a press is said, not sent again, as it may have
        been carried out already."""
        took = self._send_lock.acquire(timeout=self.STOP_WRITE_WAIT_S)  # a send in progress ends first
        try:
            self.connected = False
            knobs, presses, more = self._unanswered.take()
        finally:
            if took:
                self._send_lock.release()
        for line, at, typed in knobs:
            self._waiting.put_back(line, at, typed)
        if (presses or more) and not self._stop.is_set():
            n = len(presses) + more
            named = ", ".join(presses[:4]) + (f" and {n - 4} more" if n > 4 else "")
            self.say(f"the server had not answered {named} when the link dropped: it may not have got "
                     f"{'them' if n > 1 else 'it'}; not sent again, as it may have been carried out "
                     "(give it again if not)")

    def _dropped_at_once(self) -> bool:
        """Whether the connection that ended had the server's state and dropped before it held, the second such in a
        row or later: a server or a link that drops every camera as it comes, not one that restarted."""
        if not self.connected or self._holds():
            return False
        with self._holding_lock:
            self._drops += 1
            return self._drops > 1

    def _say_lost(self, why: str) -> None:
        """Says how a connection ended; for connections that drop as they open, once a minute with a count."""
        if not self._dropped_at_once():
            self.say(f"{why}; {self._holding()}, reconnecting")
            return
        line = (f"the server drops this camera each time right after letting it in (the last time: {why}): a vcam "
                "serve that fails on each camera (its terminal says why), or a proxy or tunnel that keeps dropping; "
                f"{self._holding()}, trying again every {self.LAST_RETRY_S:g} s at most")
        if said := self._drop_lines.admit(DROPPED, line, time.monotonic()):
            self.say(said)

    def _closed(self, received, reported: bool, error: Exception | None = None, sent=None) -> bool:
        """Says why the connection ended (once for a run of failed tries, each time the server gave a reason);
        `received`: the close frame the server sent, if any. Returns whether the loss has been said. Nothing is said
        where this client ended it (stop(): vcam cam quitting), whose close the server's frame only answers."""
        if self._stop.is_set():
            return True
        going_away = received is not None and received.code == proto.GOING_AWAY
        self.server_stopped = self.server_stopped or going_away
        if sent is None and error is not None:  # the close frame this client began the close with
            sent = own_close(getattr(error, "sent", None), getattr(error, "rcvd_then_sent", None))
        too_big = sent is not None and sent.code == TOO_BIG
        if self._opened and not self.connected and not going_away:
            self.server_stopped = False  # a server that let this client in runs again: a later cut try is not its stop
            # let in, but no state came: one too big to take comes again on each try (vcam serve says it too)
            self._say_broken(TOO_BIG_SAID if too_big else unusable(self.url, error, received, self.FIRST_STATE_S))
            return True
        stalled = proto.keepalive_ended(error)
        reason = terminal_safe(received.reason) if received is not None and received.reason else None
        if self._send_stalled and received is None:
            self._send_stalled = False
            self._say_lost(f"sending to the server made no progress for {self.keepalive.timeout:g} s (a dropped "
                           "wifi, or a stalled tunnel?)")
        elif stalled == "here":  # the library's words were "keepalive ping timeout"
            self._say_lost(f"the server stopped answering for {self.keepalive.timeout:g} s (a stalled tunnel, or a "
                           "machine asleep?)")
        elif stalled == "there":  # its close frame's reason was the library's "keepalive ping timeout"
            self._say_lost("the server heard nothing from this camera for too long (was this machine asleep, or a "
                           "tunnel stalled?) and dropped it")
        elif too_big:  # the library's words named its limit, not the server
            self._say_lost(TOO_BIG_SAID)
        elif reason and going_away:  # vcam serve stopped: it may come back
            self._say_lost(reason)
        elif reason:  # the server said why (this client broke a rule): always worth a line
            self._say_lost(f"the server disconnected this client: {reason}")
        elif not self.connected and (error is not None or going_away):
            line = unreachable(self.url, error) if error is not None else CLOSED_UNANSWERED
            unclear = CLOSED_UNANSWERED in line
            if unclear and self.server_stopped:  # its stop cut this try short
                line = stopped_meanwhile(self.url)
            # the try right after the stop was heard is the one it may have cut: through a tunnel, each later try is
            # cut the same way once vcam serve is gone, and was said as stopping until another answer came
            self.server_stopped = False
            # nothing answers there now where something did (a refusal, a web server): the end's line and the
            # terminal say this, not the answer, nor a failure from before that answer
            superseded = not unclear and self.answered is not None
            if superseded:
                self.answered = None
            # said once for a run of failed tries; again where a later try tells what answered, where the line said
            # could only tell that the connection was closed (the library's race hides what came before the close)
            if not reported or superseded or (self._unclear and line != self.unreachable):
                self.unreachable, self._unclear, self.broken = line, unclear, None
                self.say(f"cannot reach the server: {line}; {self._holding()}, reconnecting")
        elif not reported:
            self._say_lost(f"connection to the server lost{how_lost(error)}")
        return True

    def _say_broken(self, line: str) -> None:
        """Said once for a run of tries that each find the server unusable in the same way (the status line counts
        the tries), again when the way changes."""
        self.unreachable, self._unclear = line, True  # a later try that finds no server at all is said too
        if line != self.broken:
            self.broken = line
            self.say(f"the server cannot be used: {line}; {self._holding()}, trying again every "
                     f"{self.BROKEN_RETRY_S:g} s at most")

    def _holding(self) -> str:
        """What the camera shows while no frame comes: the last one, then the fallback image once the stream has
        stalled, where one is set; before any frame, the card; under a blackout or a freeze, that (the camera shows
        no frame of the stream then)."""
        if not self.frames:  # nothing came yet: the camera shows the card that says it connects
            return "the camera shows its 'connecting' card"
        if (covered := covering(self.screen)) is not None:
            return covered
        return "holding the last frame" + (" (then the fallback image)" if self.pacer.stats.fallback else "")

    def _refusal(self, code: int, body: bytes | None, headers=None) -> bool:
        """Says why the server refused this try; True when the client must end (it can never get in)."""
        # It answers in another way now: a proxy's 502 while the vcam serve behind it restarts is tried as often as
        # a port nothing listens on, and the status line no longer calls it not usable
        self.broken = None
        self.server_stopped = False  # a server that answers with a refusal of its own is no longer stopping
        self.token_refused = code == 401 and self.ever_connected
        if code == 401:
            # the server reads a token in the address's ?token= where no --token came: one there was given too
            given = bool(self.token or query_token(self.url))
            why = "wrong token" if given else "missing token"
            if not self.ever_connected:  # a mistake in this command line: the client ends (run_cam says why)
                self.refused = why
                return True
            # Let in before, in this run: the server was restarted with another token. The camera may be in use
            # (OBS), so it goes on showing what it shows and the client keeps trying, as after any drop; said once.
            if not self._token_refusal_said:
                self._token_refusal_said = True
                token = "the token it accepted before" if given else "this client, which has no token,"
                self.say(f"the server now refuses {token} ({why}): was vcam serve restarted with another "
                         f"--token? Meanwhile: {self._holding()}, retrying; to get back on, restart this client with "
                         f"that token: {cam_command(self.url)}")
            return False
        reason = terminal_safe((body or b"").decode("utf-8", errors="replace").strip())
        # only the stop's own answer keeps its memory: another (a proxy's page, a refusal) shows the stop is over
        self.server_stopped = code == 503 and reason == proto.ENDING
        # a vcam server says why it refused and what to do, in plain text; a proxy's own page is HTML
        plain = "<" not in reason and (headers is None or headers.get("Content-Type", "text/plain").startswith(
            "text/plain"))
        if code in (403, 503) and reason and plain:
            # kept for the end's line too: a client turned away all along (too many clients) ended on "it could not
            # be reached", as if nothing had answered
            self.answered = line = f"the server answered HTTP {code}: {reason[:300]}"
        else:
            self.answered = line = not_vcam(self.url, code)
        # tried again every few seconds for as long as it lasts: said once, and again when the answer changes
        if line != self._refusal_said:
            self._refusal_said = line
            self.say(f"{line}; retrying")
        return False

    def _connection_ended(self) -> None:
        """The frames of a block cut short by the connection's end go on screen now (Blocks.end)."""
        self._blocks.end()


def own_close(sent, rcvd_then_sent: bool | None):
    """The close frame this client sent where it began the close (the library's, for a message over its limit);
    None where it only echoed the server's, whose code it repeats: a server's 1009 is a message of this client's
    too big for that server, not one of the server's too big for this client."""
    return None if rcvd_then_sent else sent


def close_within(ws, seconds: float) -> None:
    """Closes a connection, waiting `seconds` at most for the server's answer, then shuts its socket down. A close
    begun already (the link's own after a first message it could not use, the library's after a keepalive that
    went unanswered) waits out its own 10 s whatever close_timeout says by then, and a quit waited with it."""
    ws.close_timeout = seconds
    closing = threading.Thread(target=_close_quietly, args=(ws,), name="link-close", daemon=True)
    closing.start()
    closing.join(seconds)
    if closing.is_alive():
        proto.cut(ws)


def _close_quietly(ws) -> None:
    try:
        ws.close()
    except Exception:  # noqa: BLE001 - a connection that failed as it closed is closed
        pass


def close_received(e: Exception):
    """The close frame the server sent (a vcam server says why it dropped a client, or that it stopped), or None."""
    from websockets.exceptions import ConnectionClosed

    return e.rcvd if isinstance(e, ConnectionClosed) else None
