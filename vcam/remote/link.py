"""The link of `vcam cam` to its server: one connection at a time, opened again by itself after any drop, saying
why a try failed or a connection ended (linkends.py); frames in to the pacer, the server's state in to the
controller that mirrors it (inbox.py), commands out (held while the link is down: pending.py).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

from vcam.control.throttle import ErrorThrottle
from vcam.live.pacer import Pacer
from vcam.remote import protocol as proto
from vcam.remote.blocks import Blocks
from vcam.remote.camscreen import CamScreen
from vcam.remote.clockoffset import ClockOffset
from vcam.remote.controller import RemoteController
from vcam.remote.dial import Lookup, Stopped, dial, shut
from vcam.remote.handshake import first_message
from vcam.remote.inbox import Inbox
from vcam.remote.linkends import DROPPED, LinkEnds, close_received, close_within, own_close
from vcam.remote.pending import Unanswered, Waiting
from vcam.remote.reasons import HandshakeUnanswered
from vcam.remote.uploader import Uploader
from vcam.remote.urls import dialled, said_url, url_port

# The websockets library fails a try now and then with an AssertionError of its own where the other end closes during
# the handshake: one such try is not said (the next says what answered); this many in a row are.
LIBRARY_RACES_SAID = 5


class Link(Inbox, LinkEnds):
    """The connection to the server: receives frames into the pacer, numbered as the server's camera numbers them,
    and the server's state into `remote` and `screen` (this camera's freeze and blackout); sends commands;
    reconnects."""

    FIRST_RETRY_S, LAST_RETRY_S = 0.5, 5.0  # the wait between tries doubles from the first to the last
    # A server that lets this camera in but whose state cannot be read (another vcam version, a proxy whose vcam
    # serve is down) does not mend in seconds, as a restarting one does: its tries back off to this, said once
    BROKEN_RETRY_S = 15.0
    # Once let in, the server's state comes first; a connection that brings nothing for this long is no vcam serve
    # (a proxy holding it open, a link that went half-open under the handshake). vcam serve listens, and sends its
    # state, from before its model loads: a camera started while it loads (minutes, for 14B) waits for frames only
    FIRST_STATE_S = 15.0
    BAD_FRAMES_SAID_S = 60.0  # frames that cannot be read: said once, then counted once a minute
    STOP_WRITE_WAIT_S = 1.0  # a quit waits this long for a write in progress (one frame), then cuts it
    # A connection that brought frames, or lasted this long, held: the backoff starts again from FIRST_RETRY_S after
    # it. One that drops before (a proxy that accepts and closes, a vcam serve that fails on each camera, a tunnel
    # that flaps) backs off as a refused try does, and from the second in a row is said once a minute with a count
    HELD_S = 10.0
    DROPS_SAID_S = 60.0
    LOOKUP_S = 5.0  # the server's host name looked up for this long at most (_open_socket)
    OPEN_S = 5.0  # its addresses tried for this long in all (dial), then the TLS and WebSocket handshakes as long
    # A quit waits this long for the server to answer its close: one that stopped answering (a dropped wifi, a stalled
    # proxy) held Ctrl-C for the library's close timeout, 10 s
    STOP_CLOSE_S = 0.5
    PING_EVERY_S = 10.0  # the clocks' offset measured again (clockoffset.py keeps the last minute's best)

    def __init__(self, url: str, token: str | None, pacer: Pacer, remote: RemoteController,
                 say: Callable[[str], None], uploader: Uploader | None = None, screen: CamScreen | None = None,
                 keepalive: proto.Keepalive = proto.Keepalive(), clock: Callable[[], float] = time.monotonic,
                 lookup: Lookup | None = None, out_size: tuple[int, int] | None = None, fit: str = "letterbox"):
        self.url = url
        self._lookup = lookup or Lookup()
        self.keepalive = keepalive
        self.uploader = uploader
        self.screen = screen
        self.token = token
        self.pacer = pacer
        self.remote = remote
        self.say = say
        self.connected = False  # the server's first state has come on this connection: commands go
        self.ever_connected = False
        self._opened = False  # this try's handshake succeeded (the server let this client in)
        self.tries = 0  # tries that failed since the server was last reached
        self.broken: str | None = None  # why the server that lets this client in cannot be used, as said
        self.refused: str | None = None  # why the server will never let this client in (a wrong token)
        self.unreachable: str | None = None  # why the last try could not connect, where it never connected
        self._unclear = False  # whether that said only that the connection was closed
        # the server said it was going away (its stop) since this client last reached it: a try it then closes
        # unanswered was cut by that stop, not met by a port where no vcam serve runs
        self.server_stopped = False
        self.answered: str | None = None  # what answered in vcam serve's place (a web server), where it never connected
        self.token_refused = False  # the last try was refused for its token, after this client had been let in
        self._token_refusal_said = False
        self._refusal_said: str | None = None  # the server's last refusal said, not said again until it changes
        self.frames = 0
        self.bytes = 0
        self._clocks = ClockOffset()  # from the pongs to its pings, stamped with `clock` (monotonic, never stepped)
        self._pinged_at = clock()  # the link's first ping, as a connection opens, sets it again
        self._gaps_told = False  # this connection's server told its usual gap between blocks (its first pong)
        self.net_latency = 0.0
        self._ws = None
        self._acking = False  # this connection's server holds frames to its link's pace: each frame got is said
        self._ack_due: int | None = None  # the newest frame got, where saying so had to wait
        self._ack_lock = threading.Lock()  # the link's thread and _write_due both say it
        # a copy of the socket of the connection being opened, which stop() shuts down: the library's TLS and
        # WebSocket handshakes take its socket out of reach until they end, up to OPEN_S later
        self._opening: socket.socket | None = None
        self._opening_lock = threading.Lock()  # stop() shuts it down on its own thread, never once it is closed
        self._send_lock = threading.Lock()  # one send at a time; held from before the write to after it
        self._sending_since: float | None = None  # time.monotonic() when the write in progress began
        self._send_stalled = False  # the watch cut the connection under a write that made no progress
        self._clock = clock
        self._waiting = Waiting(say, clock)  # commands given while disconnected
        # Commands on the wire whose answer has not come: a wifi that drops unnoticed takes what was written until
        # the keepalive gives up
        self._unanswered = Unanswered()
        # the server's error answers, one line per error every few seconds: a fader sends a sweep of messages
        self._errors = ErrorThrottle(most=8, others="other errors")
        # frames it cannot read: each of a stream's, when the server speaks another version of the protocol
        self._bad_frames = ErrorThrottle(self.BAD_FRAMES_SAID_S)
        # connections in a row that dropped before they held (HELD_S), the lines about them, and this one's start
        self._drops = 0
        self._drop_lines = ErrorThrottle(self.DROPS_SAID_S)
        self._held = False
        self._connected_at, self._frames_at = 0.0, 0
        self._holding_lock = threading.Lock()  # the link thread and the watch both ask whether a connection held
        self._stop = threading.Event()
        # the frames received, pushed to the pacer a whole block at a time; `out_size`: the outputs' (width, height),
        # which frames smaller than them are scaled up to as `fit` fits them (said)
        self._blocks = Blocks(pacer, say, out_size, fit)
        self._thread = threading.Thread(target=self._run, name="link", daemon=True)
        self._watch = threading.Thread(target=self._watch_sends, name="link-watch", daemon=True)
        self._due = threading.Thread(target=self._write_due, name="link-due", daemon=True)

    @property
    def offset(self) -> float:
        """The server's clock − this link's clock (both monotonic where both ends are of this vcam)."""
        return self._clocks.offset

    @property
    def frames_this_connection(self) -> int:
        """The frames received since this connection's first state came (0 where none is up)."""
        return self.frames - self._frames_at if self.connected else 0

    def start(self) -> None:
        if self.uploader is not None:
            self.uploader.bind(self._send_message, lambda: self.offset)
            self.uploader.start()
        self._thread.start()
        self._watch.start()
        self._due.start()

    def stop(self) -> None:
        failed: Exception | None = None
        try:
            if self.uploader is not None:
                self.uploader.stop()  # first: it tells the server the input stops
        except Exception as e:  # raised once the link is closed: its threads must not be left running
            failed = e
        self._stop.set()
        with self._opening_lock:
            shut(self._opening)
        ws = self._ws
        if ws is not None:
            # a write stuck on a dead link holds the connection's lock, which the close needs: it would wait for TCP
            # to give up, many minutes, and vcam cam with it
            if not self._send_lock.acquire(timeout=self.STOP_WRITE_WAIT_S):
                proto.cut(ws)
            else:
                self._send_lock.release()
            close_within(ws, self.STOP_CLOSE_S)
        if self._thread.ident is not None:  # else a part of the show failed to start before it: that is said
            self._thread.join(3.0)
        if failed is not None:
            raise failed

    def send_line(self, line: str, typed: bool = False) -> bool:
        """Sends a command; False (and the command kept for the next connection) when not connected. Under the
        send lock, as the commands kept are taken on connecting: one given between the two is never left behind.
        `typed`: by hand at this console, so the server tells each failure of it on air (a server from before
        ignores the mark); one kept for the next connection goes with it."""
        # made before the send's try: a message that breaks (a bug) is raised for the console to say, not kept as if
        # the link were down
        message = _command(line, typed)
        with self._sending():
            ws = self._ws if self.connected else None
            if ws is not None:
                # counted before the write: its answer can come, and be counted on the link's thread, before the
                # write returns here; counted after, that answer was an answer to none, and each answer after it
                # was taken for the one to the command before its own
                number = self._unanswered.sent(line, self._clock(), typed)
                try:
                    self._write(ws, [message])
                    return True
                except Exception:
                    self._unanswered.withdraw(number)  # it waits instead; the link thread notices the dead connection
            self._waiting.add(line, typed)
        return False

    def _send_message(self, message: bytes | str) -> bool:
        return self._send(message)  # False: the link thread notices a dead connection

    def send_stats(self, latency: float) -> None:
        """Skipped while another send is in progress: the show's loop, which calls it, never waits on the network
        (a slow upload would freeze the status line and hold up a quit). A latency the server refuses (a clock that
        jumped by an hour) is not sent: its error would be taken for the answer to a command in flight."""
        if 0.0 <= latency < proto.MAX_LATENCY_S:  # NaN fails it too
            self._send(proto.text("stats", latency=round(latency, 3)), wait=False)

    def _send(self, message: bytes | str, wait: bool = True) -> bool:
        """Puts a message on the connection; False where there is none, it failed, or (without `wait`) another send
        is in progress."""
        ws = self._ws if self.connected else None
        if ws is None or not self._send_lock.acquire(blocking=wait):
            return False
        try:
            self._write(ws, [message])
            return True
        except Exception:
            return False
        finally:
            self._unlock()

    @contextmanager
    def _sending(self):
        """The send lock, held for a write; on its release, the newest frame got that found it held is said."""
        self._send_lock.acquire()
        try:
            yield
        finally:
            self._unlock()

    def _unlock(self) -> None:
        """Releases the send lock, then says the frame got that the link's thread left for the writer (_ack): the
        thread that reads the server's frames never waits for an upload's write."""
        self._send_lock.release()
        if self._ack_due is not None:
            self._say_got()

    def _write(self, ws, messages: list[bytes | str]) -> None:
        """The messages on the connection, timed for the watch; with the send lock held."""
        self._sending_since = time.monotonic()
        try:
            for message in messages:
                ws.send(message)
        finally:
            self._sending_since = None

    def _watch_sends(self) -> None:
        """A write blocked on a full socket holds the connection's lock, so the library's keepalive can neither ping
        nor read what comes in: a wifi that dropped under an upload (--send) kept the link "connected", its picture
        frozen and every command waiting, until TCP gave up many minutes later. A write that makes no progress for
        the keepalive's timeout cuts the connection here, and the link reconnects."""
        limit = self.keepalive.timeout
        while not self._stop.wait(min(1.0, limit / 4)):
            self._holds()  # a connection that brings no message still says it holds once it has lasted HELD_S
            started, ws = self._sending_since, self._ws
            if started is not None and ws is not None and time.monotonic() - started > limit:
                self._send_stalled = True
                proto.cut(ws)

    def _write_due(self) -> None:
        """The writes that time brings: the ping every PING_EVERY_S, and a got left by a lock held by other means
        than _sending (stop, a lost connection). Apart from the watch: a write on a link that dropped with its socket
        full blocks, and written from the watch it blocked the watch itself, which then never cut it."""
        while not self._stop.wait(min(1.0, self.keepalive.timeout / 4)):
            self._ping_again()
            if self._ack_due is not None:
                self._say_got()

    def _ping(self) -> str:
        """A ping stamped with the link's clock: its pong gives the offset to the server's (clockoffset.py)."""
        return proto.text("ping", t=self._clock())

    def _ping_again(self) -> None:
        """A ping every PING_EVERY_S while connected, never waiting for a write in progress (an upload's frame: the
        next round of _write_due tries again): the offset measured once, as the connection opened, held a server's
        clock step (an older vcam's wall clock), or a ping that waited behind a frame, until the next connection."""
        now = self._clock()
        if self.connected and now - self._pinged_at >= self.PING_EVERY_S and self._send(self._ping(), wait=False):
            self._pinged_at = now

    def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidStatus
        from websockets.sync.client import connect

        delay = self.FIRST_RETRY_S
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else None
        lost_reported = False
        races = 0  # tries in a row the library failed with its own AssertionError
        while not self._stop.is_set():
            self._opened = self._held = self._acking = self._gaps_told = False
            self._clocks.restart()
            with self._ack_lock:
                self._ack_due = None
            try:
                with self._connect(connect, headers) as ws:
                    self._ws, self._opened = ws, True
                    if self._stop.is_set():  # stop() came as it opened, and found no connection to close
                        ws.close_timeout = self.STOP_CLOSE_S
                        break
                    with self._sending():
                        # A server that sent its state, then closed (or a message this camera cannot take) before
                        # this ping went, still sent its state: it is read below, then the close is said as a loss,
                        # where a failed ping said it was no vcam server, or one that closed before the state
                        with suppress(ConnectionClosed):
                            self._write(ws, [self._ping()])
                        self._pinged_at = self._clock()
                    first = first_message(ws, self.FIRST_STATE_S)
                    self._reached(ws)
                    lost_reported = False
                    self._take(first)
                    for message in ws:
                        self._take(message)
                        if self._stop.is_set():
                            break
                    else:  # closed cleanly (the server stopped or dropped this client, or stop()): no exception
                        lost_reported = self._closed(ws.protocol.close_rcvd, lost_reported,
                                                     sent=own_close(ws.protocol.close_sent,
                                                                    ws.protocol.close_rcvd_then_sent))
            except InvalidStatus as e:
                if self._refusal(e.response.status_code, e.response.body, e.response.headers):
                    return
            except Exception as e:
                self.token_refused = False
                # the library's own race (its reader meets the socket closed under its handshake) says nothing of
                # what answered: the next try does, unless it happens every time
                races = races + 1 if isinstance(e, AssertionError) and not self._opened else 0
                if not 0 < races < LIBRARY_RACES_SAID:
                    lost_reported = self._closed(close_received(e), lost_reported, e)
            finally:
                self._ws = None
                if self._opened and self._holds():  # else a connection that dropped as it opened backs off too
                    delay = self.FIRST_RETRY_S
                if not self.connected:
                    self.tries += 1
                self._connection_lost()
                self._connection_ended()
                if self.uploader is not None:
                    self.uploader.disconnected()
            if self._pause(delay):
                return
            delay = min(self.BROKEN_RETRY_S if self.broken else self.LAST_RETRY_S, delay * 2)

    def _connect(self, connect: Callable, headers: dict | None):
        """A connection to the server, over a socket this link opened after a lookup with a bound (_open_socket)."""
        sock = self._open_socket()
        try:
            with self._opening_lock:
                self._opening = sock.dup() if sock is not None else None
            if self._stop.is_set():
                raise Stopped()
            try:
                return connect(dialled(self.url), sock=sock, additional_headers=headers, open_timeout=self.OPEN_S,
                               max_size=proto.MAX_RECEIVED, compression=None, proxy=None, logger=_library_log(),
                               **self.keepalive.options())
            except TimeoutError as e:
                if sock is None:
                    raise
                raise HandshakeUnanswered(self.OPEN_S) from e  # the socket connected: something took it, unanswered
        except BaseException:
            if sock is not None:
                sock.close()
            raise
        finally:
            with self._opening_lock:
                if self._opening is not None:
                    self._opening.close()
                self._opening = None

    def _open_socket(self) -> socket.socket | None:
        """A TCP connection to the server's host: its name looked up for LOOKUP_S at most, then its addresses tried
        for OPEN_S in all (dial). The library's own lookup has no bound: a name server that stopped answering (a
        wifi that dropped behind its router, a VPN going down) held each try 20 s or more past its 5 s to connect,
        the camera said nothing new meanwhile, and a server back again was found that much later."""
        parts = urlsplit(self.url)
        infos = self._lookup.addresses(parts.hostname or "", url_port(parts), self.LOOKUP_S, self._stop)
        return dial(infos, self.OPEN_S, stop=self._stop)

    def _pause(self, delay: float) -> bool:
        """Waits `delay` s before the next try; True where the link was stopped meanwhile."""
        return self._stop.wait(delay)

    def _reached(self, ws) -> None:
        """The server's first message reads: it is said (with the tries it took, after a server that could not be
        used), the commands given meanwhile go, and an upload asks to start."""
        from websockets.exceptions import ConnectionClosed

        after = f" after {self.tries} tries: its state reads now" if self.broken else ""
        self.token_refused = self._token_refusal_said = self._send_stalled = self.server_stopped = False
        self._refusal_said = self.broken = None
        self.tries = 0
        with self._holding_lock:
            self._connected_at, self._frames_at = self._clock(), self.frames
            if self._drops < 2:  # else said once it holds (_holds): the connections that drop as they open are counted
                self.say(f"connected to {said_url(self.url)}{after}")
        with self._sending():
            lines = self._waiting.take(marked=True)
            # Before the write: a connection that dies under it leaves them unanswered (a knob's value waits again, a
            # press is named), where they were lost without a word. Cleared first: the answers on this connection are
            # to its own commands, not to one a write stuck on the last connection finished after it was counted lost.
            self._unanswered.take()
            now = self._clock()
            for line, typed in lines:
                self._unanswered.sent(line, now, typed)
            # A server that closed after its state, before this write (a busy machine), was reached all the same: its
            # state is read, and the close said as a loss, where the failed write said it was no vcam server
            with suppress(ConnectionClosed):
                self._write(ws, [_command(line, typed) for line, typed in lines])
            self.connected = self.ever_connected = True
        if self.uploader is not None:
            self.uploader.connected()

    def _holds(self) -> bool:
        """Whether this connection held: it brought frames, or has lasted HELD_S. Said the first time where the ones
        before it dropped as they opened, with their count."""
        with self._holding_lock:
            if self._held or not self.connected:
                return self._held
            if self.frames == self._frames_at and self._clock() - self._connected_at < self.HELD_S:
                return False
            self._held, drops, self._drops = True, self._drops, 0
            held_back = self._drop_lines.flush(DROPPED)
        if held_back:
            self.say(held_back)
        if drops > 1:  # its "connected to" was held back (_reached)
            self.say(f"connected to {said_url(self.url)}: the connection holds now, after {drops} that dropped as they "
                     "opened")
        return True

    def say_held_back(self, now: float | None = None) -> None:
        """Says the counts of the server's error answers, and of the connections that dropped as they opened, held
        back whose window has passed (all without `now`)."""
        for line in [*self._errors.held_back(now), *self._bad_frames.held_back(now), *self._drop_lines.held_back(now)]:
            self.say(line)


def _library_log() -> logging.Logger | None:
    """Where the websockets library logs for the link: nowhere, unless VCAM_DEBUG is set. Its internal errors come
    from connections that failed anyway (a port that speaks another protocol closes the socket under the library's
    reader thread), which the link says in its own words; their tracebacks came under that line."""
    if os.environ.get("VCAM_DEBUG"):
        return None  # the library's own logger
    quiet = logging.Logger("vcam.link")  # in no hierarchy: nothing reaches the root's handlers
    quiet.addHandler(logging.NullHandler())  # else Python's last-resort handler prints its warnings
    return quiet


def _command(line: str, typed: bool) -> str:
    """A command's message; `typed` marks one typed by hand at this console."""
    return proto.text("command", line=line, **({"typed": True} if typed else {}))
