"""`vcam serve`'s network output: generated frames to WebSocket clients, their commands to the controller.

Plain WebSocket over HTTP, so it works through `ssh -L` and through the HTTP port proxies of GPU clouds. It
listens on 127.0.0.1 unless told otherwise; on any other address a token is required.
"""
from __future__ import annotations

import errno
import hmac
import itertools
import logging
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qs, urlparse

import numpy as np

from vcam.control.media import Refused
from vcam.control.throttle import ErrorThrottle, words_of
from vcam.remote import protocol as proto
from vcam.remote.intake import Dropped, Intake, Uploads
from vcam.remote.rate import ByteRate
from vcam.loopback import is_loopback
from vcam.remote.addresses import is_wildcard, machine_addresses, url_host
from vcam.errors import VcamError
from vcam.live.mailbox import Mailbox

TOKEN_ENV = proto.TOKEN_ENV
INTERNAL_ERROR = 1011  # RFC 6455's close code for a server that cannot go on serving a client
UNREAD = proto.UNREAD


@dataclass
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = proto.DEFAULT_PORT
    token: str | None = None
    quality: int = proto.DEFAULT_QUALITY
    # A client whose connection takes no data for this long stopped reading (a laptop asleep, a stuck
    # program): it is disconnected so its queue and threads go; vcam cam reconnects by itself.
    stall_timeout: float = 20.0
    # Each client costs threads and up to FRAMES_WAITING frames in memory, and gets every frame sent: a
    # program that connects in a loop could otherwise exhaust the machine under the show.
    max_clients: int = 16
    # A client that answers no ping for its timeout (a laptop asleep, a tunnel stalled) is disconnected too.
    keepalive: proto.Keepalive = proto.Keepalive()


def _peer(connection) -> str:
    """host:port of the other end, or "?" once its socket is gone (a client that closed as soon as it connected)."""
    try:
        host, port = connection.remote_address[:2]
    except (OSError, TypeError, ValueError):
        return "?"
    return f"{host}:{port}"


class _Client:
    """One connection and its own sender thread.

    Text messages (the state, replies) and frames wait apart, and text goes first: the client makes a freeze or
    a blackout when the frame the state names comes on its camera, so the state must be there before that frame,
    not behind a burst of frames. Text is never dropped; frames are (the oldest go when the client falls behind,
    as a late frame is worth less than a fresh one).
    """

    FRAMES_WAITING = 48  # 4 blocks
    # A frame that waited this long is dropped where a newer one waits: over a link slower than the stream (a hotel's
    # wifi), the queue stayed full and every frame went out 4 blocks (4 s) after it was made, for good, where vcam
    # cam's own catch-up (the pacer's catch_up_after) keeps its picture no more than 2 s behind.
    FRAME_WAIT_S = 2.0
    # A client refused the input asks again by itself every few seconds (vcam cam: every 5) for as long as another
    # one sends: said at once, then counted once a minute, not a line for every ask.
    ASKS_SAID_S = 60.0
    REPLIES_WAITING = 64  # past this, the reader of this client waits: one that sends without reading slows only itself
    # What one client was refused is watched apart for this many things at once; past them, the rest share one count:
    # a client sending line after line of its own words (a patch gone wrong, a fuzzer) must not grow the watch, nor
    # the server's terminal, by a line for each.
    REFUSALS_WATCHED = 8

    def __init__(self, ws, role: str, name: str, clock: Callable[[], float] = time.monotonic):
        self.ws = ws
        self._clock = clock
        self.role = role
        self.name = name
        self.bytes = 0
        self.dropped = 0  # frames
        self.latency: float | None = None  # end-to-end, as the client last reported it
        # what this client was refused, said on the server's terminal: one line every few seconds for each thing
        # refused (by its words: a knob's sweep is one thing), however often it asks for it
        self.refusals = ErrorThrottle(most=self.REFUSALS_WATCHED, others="its other refusals")
        self.asks_refused = ErrorThrottle(self.ASKS_SAID_S)  # the input, by reason
        self._cond = threading.Condition()
        self._texts: deque[str] = deque()  # in order: a reply carries the state too, and the newest must win
        self._latest: dict[str, str] = {}  # by kind, the message of that kind waiting in _texts (offer_latest)
        self._frames: deque[tuple[float, bytes]] = deque(maxlen=self.FRAMES_WAITING)  # (offered at, frame)
        self._closed = False
        self._sending_since: float | None = None
        self._thread = threading.Thread(target=self._send_loop, name=f"send-{name}", daemon=True)
        self._thread.start()

    def offer(self, message: bytes | str) -> None:
        """A frame (bytes) or a text message (str: a reply, never dropped)."""
        with self._cond:
            if isinstance(message, bytes):
                if len(self._frames) == self._frames.maxlen:
                    self.dropped += 1
                self._frames.append((self._clock(), message))
            else:
                # Replies answer this client's own messages, so waiting here only slows that client down.
                while len(self._texts) >= self.REPLIES_WAITING and not self._closed:
                    self._cond.wait()
                self._texts.append(message)
            self._cond.notify_all()

    def offer_state(self, message: str) -> None:
        """The show's state; never waits. Only the newest matters, so it replaces one still waiting."""
        self.offer_latest("state", message)

    def offer_latest(self, kind: str, message: str) -> None:
        """A text message of which only the newest of its kind matters (the state, the input rate); never waits."""
        with self._cond:
            waiting = self._latest.get(kind)
            if waiting is not None:
                self._texts.remove(waiting)
            self._latest[kind] = message
            self._texts.append(message)
            self._cond.notify_all()

    def held_back(self, now: float | None = None) -> list[str]:
        """The counts of its refusals held back whose window has passed (all of them, without `now`)."""
        return [*self.refusals.held_back(now), *self.asks_refused.held_back(now)]

    def sending_for(self, now: float) -> float:
        """How long the send in progress has been blocked (0 when none is)."""
        started = self._sending_since
        return 0.0 if started is None else now - started

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def cut(self) -> None:
        """Closes, and shuts the socket down under a sender blocked in a write (a client that stopped reading)."""
        self.close()
        proto.cut(self.ws)

    def _next(self) -> bytes | str | None:
        with self._cond:
            while not (self._texts or self._frames) and not self._closed:
                self._cond.wait()
            if self._closed:
                return None
            # the send is in progress from the moment its message leaves the queue, in one step: a stop waiting
            # for the last state (sent_texts) finds it queued or being sent, never in between
            self._sending_since = time.monotonic()
            if self._texts:
                message = self._texts.popleft()
                for kind in [k for k, m in self._latest.items() if m is message]:
                    del self._latest[kind]
                self._cond.notify_all()  # a reply may be waiting for room
                return message
            now = self._clock()
            while len(self._frames) > 1 and now - self._frames[0][0] > self.FRAME_WAIT_S:
                self._frames.popleft()
                self.dropped += 1
            return self._frames.popleft()[1]

    def sent_texts(self, deadline: float) -> bool:
        """Waits until the text messages waiting (the last state) are on the wire, or `deadline` (time.monotonic())
        has passed, or the client closed; whether they went."""
        with self._cond:
            while (self._texts or self._sending_since is not None) and not self._closed:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return not self._texts

    def _send_loop(self) -> None:
        while (message := self._next()) is not None:  # it marks the send in progress
            try:
                self.ws.send(message)
                self.bytes += len(message)
            except Exception:  # the connection is gone; its handler cleans up
                self.close()
                return
            finally:
                with self._cond:
                    self._sending_since = None
                    self._cond.notify_all()  # a stop may be waiting for the last state to go


class FrameServer:
    """Generated frames out to every client, their commands in, and the input one client may upload.

    `uploads` (a LiveFrames) receives the decoded input frames of the one client accepted as the sender;
    `on_sender(True)` is called when its first frame is there, `on_sender(False)` when it stops or leaves (see
    Intake). `input_size` (width, height) is the stream's, which the sender's frames must have (else the first
    published block's); `input_fit` is the fit the sender uses to get there.
    """

    QUIET_S = 1.0  # how long a new client may stay silent before it is announced
    DROP_CLOSE_S = 2.0  # a dropped client that does not read gets its socket shut after this
    STOP_CLOSE_S = 1.0  # how long the server's end waits for its clients' closing handshakes

    def __init__(self, settings: ServeSettings, handle_line: Callable[[str, str], str | None],
                 state: Callable[[], dict], say: Callable[[str], None], uploads: Uploads | None = None,
                 on_sender: Callable[[bool], None] | None = None, input_size: tuple[int, int] | None = None,
                 input_fit: str = "crop", close_first: Callable[[], None] | None = None):
        if not is_loopback(settings.host) and not settings.token:
            raise VcamError(
                f"listening on {settings.host} lets anyone who can reach this machine watch and steer the show",
                f"set a token: --token SECRET (or the {TOKEN_ENV} environment variable), and give the same "
                "token to vcam cam; or listen on 127.0.0.1 and use an SSH tunnel (ssh -L 8765:127.0.0.1:8765 ...)",
            )
        self.settings = settings
        self.handle_line = handle_line
        self.state = state
        self.say = say
        self.close_first = close_first
        self.clients: list[_Client] = []
        # Connections let in by _check_request whose handler has not started yet, with their peer. They count
        # against max_clients from the moment they are let in: counting only the clients that were served would
        # let every handshake in flight pass the same count (16 allowed, 23 got in).
        self._admitted: dict[Any, str] = {}
        self.bytes_per_frame = 0.0
        self._gone_bytes = 0  # sent to clients that have left, so the bandwidth figure does not drop
        self._sent = ByteRate()  # to every client, over the last seconds
        self._lock = threading.Lock()
        self._blocks: Mailbox[tuple[int, np.ndarray]] = Mailbox(4)  # (its number in the show, its frames)
        self._seq = 0
        self._next_block = 0  # the number of a block published without one
        self._encode_errors = 0
        self._server = None
        self._stopped = threading.Event()
        # held while a state is made and handed to the clients: a stop waits for the one in progress, so that no
        # state is made (the show's snapshot read) once the server has stopped
        self._telling = threading.Lock()
        self.intake = Intake(uploads, on_sender, say, input_size, input_fit, refused=self._refused_input)

    # --- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> None:
        from websockets.sync.server import serve

        try:
            self._server = serve(self._handler, self.settings.host, self.settings.port,
                                 process_request=self._check_request, max_size=proto.MAX_MESSAGE, compression=None,
                                 logger=_LibraryLog(), **self.settings.keepalive.options(),
                                 **_listen_options(self.settings.host))
        except OSError as e:
            raise VcamError(f"cannot listen on {url_host(self.settings.host)}:{self.settings.port} "
                            f"({e.strerror or e})",
                            _listen_fix(e, self.settings.host, self.settings.port)) from None
        self.port = self._server.socket.getsockname()[1]
        threading.Thread(target=self._server.serve_forever, name="serve", daemon=True).start()
        threading.Thread(target=self._encode_loop, name="encode", daemon=True).start()
        threading.Thread(target=self._watch_loop, name="watch-clients", daemon=True).start()
        for line in self._advertise():
            self.say(line)

    def _advertise(self) -> list[str]:
        """Where the server listens, and a vcam cam command for the OBS machine that can work from there."""
        host, port, token = self.settings.host, self.port, self.settings.token
        auth = " (token required)" if token else ""
        cam_token = " --token TOKEN" if token else ""
        # the token itself is not printed: a show's terminal is often on screen
        which = " (TOKEN: the one vcam serve was given)" if token else ""
        if is_loopback(host):  # the tunnel's far end is the address listened on: ::1 is not 127.0.0.1
            return [f"serving on ws://{url_host(host)}:{port}{auth}; on the OBS machine, with a tunnel open "
                    f"(ssh -N -L {port}:{url_host(host)}:{port} USER@THIS-MACHINE): "
                    f"vcam cam ws://127.0.0.1:{port}{cam_token}{which}"]
        if not is_wildcard(host):
            return [f"serving on ws://{url_host(host)}:{port}{auth}; on the OBS machine: "
                    f"vcam cam ws://{url_host(host)}:{port}{cam_token}{which}"]
        if host == "::" and not socket.has_dualstack_ipv6():  # a socket that takes no IPv4 (_listen_options)
            addresses = machine_addresses(ipv6=True, ipv4=False)
        else:
            addresses = machine_addresses(ipv6=":" in host)
        lines = [f"serving on port {port} of every address of this machine{auth}"]
        if addresses:
            others = f"; this machine's addresses: {', '.join(addresses)}" if len(addresses) > 1 else ""
            lines.append(f"on the OBS machine: vcam cam ws://{url_host(addresses[0])}:{port}{cam_token}{which}{others}")
            which = ""
        lines.append(f"through a cloud provider's port mapping or HTTP proxy, use the address it shows for port "
                     f"{port}: vcam cam ws://ADDRESS:PORT{cam_token} (wss://ADDRESS for an HTTP proxy){which}")
        return lines

    def stop(self) -> None:
        """In order: the show's side first (`close_first`, the controller: no state round starts after it), then the
        state as it is now to every client, and then the close frames, so a change made as the show ended (a last
        blackout) is on every camera; a client that does not read holds none of it past STOP_CLOSE_S."""
        if self._stopped.is_set():
            return
        if self.close_first is not None:
            self.close_first()
        telling = self._telling.acquire(timeout=self.STOP_CLOSE_S)  # a round being told finishes first
        try:
            self._stopped.set()
            with self._lock:
                clients = list(self.clients)
            if telling:
                self._tell_last(clients)
        finally:
            if telling:
                self._telling.release()
        self._blocks.close(drain=False)
        deadline = time.monotonic() + self.STOP_CLOSE_S
        for c in clients:
            c.sent_texts(deadline)
            c.close()  # its sender takes no more frames: the close frame comes next
        self._say_goodbye(clients)
        for c in clients:
            c.cut()
        if self._server is not None:
            # a client let in as the stop began may still be between its handshake and its handler's goodbye: the
            # library closes what is open, and then too with the show's end as the reason, not a bare "going away"
            self._server.shutdown(code=proto.GOING_AWAY, reason=proto.STOPPED)

    # --- frames in ------------------------------------------------------------------------------------------
    def publish(self, frames: np.ndarray, block: int | None = None) -> None:
        """A generated block; never blocks (the oldest waiting block goes when encoding falls behind). `block`: its
        number as the show's own camera numbers it, which its frames carry, so that a client can tell the frame a
        state's `screen_at` names; without it, the one after the last."""
        block = self._next_block if block is None else block
        self._next_block = block + 1
        self.intake.published(frames)
        self._blocks.put((block, frames))

    def _encode_loop(self) -> None:
        while (item := self._blocks.get()) is not None:
            block, frames = item
            with self._lock:
                watchers = list(self.clients)
            if not watchers:
                continue
            sent_at = time.time()
            n = len(frames)
            for i, frame in enumerate(frames):
                h, w = frame.shape[:2]
                header = proto.FrameHeader(self._seq, block, i, n, sent_at, w, h)
                try:
                    message = proto.encode_frame(frame, header, self.settings.quality)
                except Exception as e:  # noqa: BLE001 - one unencodable frame must not end every client's picture
                    self._encode_errors += 1
                    if self._encode_errors <= 3:
                        self.say(f"a frame could not be sent to clients ({e.__class__.__name__}: {e})")
                    continue
                self._seq += 1
                self.bytes_per_frame = 0.9 * self.bytes_per_frame + 0.1 * len(message) if self.bytes_per_frame \
                    else float(len(message))
                for c in watchers:
                    c.offer(message)

    # --- connections ----------------------------------------------------------------------------------------
    def _check_request(self, connection, request):
        url = urlparse(request.path)
        if request.headers.get("Upgrade", "").lower() != "websocket":
            return connection.respond(HTTPStatus.OK, "vcam server: connect with vcam cam ws://HOST:PORT\n")
        if self._stopped.is_set():  # its goodbye was said: one let in now would be served by nothing
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE,
                                      "the show on this server is ending; vcam cam connects again when it is back\n")
        origin = request.headers.get("Origin")
        if origin is not None:
            # Browsers send an Origin with every WebSocket handshake and vcam cam never does. Without this, a
            # script on any web page open on the laptop could steer the show through the loopback port of an
            # SSH tunnel, where no token is asked for.
            self.say(f"refused a connection from a web page ({origin[:80]}): only vcam cam may connect")
            return connection.respond(
                HTTPStatus.FORBIDDEN,
                f"refused: this connection comes from a web page ({origin[:80]}); a page could steer the show, so "
                "vcam serve accepts only vcam cam, which sends no Origin header: vcam cam ws://HOST:PORT\n")
        if self.settings.token:
            given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            given = given or parse_qs(url.query).get("token", [""])[0]
            if not hmac.compare_digest(given.encode(), self.settings.token.encode()):
                peer = _peer(connection).rpartition(":")[0] or "?"
                self.say(f"refused a client from {peer}: {'wrong' if given else 'missing'} token")
                return connection.respond(HTTPStatus.UNAUTHORIZED, "wrong or missing token\n")
        n = self._admit(connection)
        if n is not None:
            self.say(f"refused a client: {n} connected already, at most {self.settings.max_clients}")
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE,
                                      f"too many clients ({n} connected, at most {self.settings.max_clients}): "
                                      "close one, then connect again\n")
        return None

    def _admit(self, connection) -> int | None:
        """Counts the connection against max_clients, in the same step as the check; the count when it is full."""
        peer = _peer(connection)
        with self._lock:
            # a handshake that failed after it was let in never reaches the handler; its socket is closed by then
            for gone in [c for c in self._admitted if c.socket.fileno() == -1]:
                del self._admitted[gone]
            n = self._places()
            if n >= self.settings.max_clients:
                return n
            self._admitted[connection] = peer
            return None

    def places_taken(self) -> int:
        """What counts against max_clients: the clients served, and the handshakes let in whose handler has not
        started yet."""
        with self._lock:
            return self._places()

    def _places(self) -> int:  # with the lock held
        return len(self.clients) + len(self._admitted)

    def _watch_loop(self) -> None:
        # A sender blocked in a write holds the connection's lock, so the library's own keepalive cannot close
        # it either: without this, such a client stays connected, and holds its threads, for ever.
        limit = self.settings.stall_timeout
        while not self._stopped.wait(min(1.0, limit / 4)):
            now = time.monotonic()
            with self._lock:
                stuck = [c for c in self.clients if not c.closed and c.sending_for(now) > limit]
            for c in stuck:
                self.say(f"client {c.name} stopped reading (a write waited {limit:g} s): disconnected it")
                c.cut()
            for line in [*(line for c in self._clients() for line in c.held_back(now)), *self.intake.held_back(now)]:
                self.say(line)

    def _clients(self) -> list[_Client]:
        with self._lock:
            return list(self.clients)

    def _handler(self, ws) -> None:
        from websockets.protocol import State

        url = urlparse(ws.request.path)
        role = parse_qs(url.query).get("role", ["control"])[0]
        if role not in ("control", "watch"):
            role = "watch"
        with self._lock:  # from let in to served in one step, so that the count never dips between the two
            peer = self._admitted.pop(ws, None)
            if peer is None or ws.protocol.state is not State.OPEN:
                return  # closed as soon as it connected (a port scanner, a health check): nothing to serve or say
            # let in before the stop, served after it took the clients it says goodbye to: told as they are
            ending = self._stopped.is_set()
            if not ending:
                client = _Client(ws, role, peer)
                self.clients.append(client)
        if ending:
            self._say_goodbye_to(ws)
            return
        announced = False
        ended: str | None = None  # how it ended, where that is worth more than "left"
        try:
            self._first_state(client)  # in the try: a client its state failed for is closed and removed below
            try:
                # vcam cam speaks at once (a ping): waiting for that, a client that connects and closes at once
                # (a scanner, a health check) makes one line, not two
                first = [ws.recv(timeout=self.QUIET_S)]
            except TimeoutError:
                first = []
            self.say(f"client {peer} connected ({role}); {len(self.clients)} connected")
            announced = True
            for message in itertools.chain(first, ws):
                if isinstance(message, bytes):
                    self.intake.frame(client, message)
                    continue
                answer = self._answer(message, client)
                if answer is not None:
                    client.offer(answer)
        except _Unread as e:  # closed with a reason that names nothing of this machine; its vcam cam connects again
            ended = f"was disconnected: its first state could not be read ({e})"
            self._drop(client, Dropped(INTERNAL_ERROR, UNREAD))
        except Dropped as e:
            ended = f"was disconnected: {e.reason}"
            self._drop(client, e)
        except Exception as e:  # the connection ended: nothing else to do for it
            ended = self._ended(ws, e)
        finally:
            client.close()
            for line in client.held_back():
                self.say(line)
            self.intake.left(client)
            for line in self.intake.held_back():
                self.say(line)
            with self._lock:
                if client in self.clients:
                    self.clients.remove(client)
                    self._gone_bytes += client.bytes
            left = ended or ("left" if announced else "connected and left at once")
            self.say(f"client {peer} {left}; {len(self.clients)} connected")

    def _first_state(self, client: _Client) -> None:
        """The show's state to a client just served, as a state round tells it: none once stopped (the stop told this
        client the last). _Unread where the show's state cannot be read."""
        with self._telling:
            if self._stopped.is_set():
                return
            try:
                message = proto.text("state", **self.state())
            except Exception as e:  # noqa: BLE001 - any failure of the show's snapshot ends this client alone
                raise _Unread(e) from e
            client.offer_state(message)

    def _ended(self, ws, error: Exception) -> str | None:
        """Why the library ended a client's connection, where it was for a message over the size limit or for the
        keepalive (whose own words were "keepalive ping timeout"); None for a plain end."""
        if too_big := _too_big(ws):
            return f"was disconnected: {too_big}"
        stalled = proto.keepalive_ended(error)
        if stalled == "here":
            return (f"stopped answering for {self.settings.keepalive.timeout:g} s (a stalled tunnel, or a machine "
                    "asleep?) and was disconnected; its vcam cam reconnects by itself")
        if stalled == "there":
            return ("heard nothing from this server for too long (a stalled tunnel, or was this machine paused?) and "
                    "left; its vcam cam reconnects by itself")
        return None

    def _say_goodbye(self, clients: list[_Client]) -> None:
        """Each client's close frame says the show ended (its vcam cam says so, not "connection lost"), all at
        once; a client that does not read is not waited for past STOP_CLOSE_S (its socket is cut after)."""
        threads = [threading.Thread(target=self._say_goodbye_to, args=(c.ws,), name=f"bye-{c.name}", daemon=True)
                   for c in clients]
        for t in threads:
            t.start()
        deadline = time.monotonic() + self.STOP_CLOSE_S
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))

    @staticmethod
    def _say_goodbye_to(ws) -> None:
        """A client's close frame saying the show ended."""
        try:
            ws.close(proto.GOING_AWAY, proto.STOPPED)
        except Exception:
            pass

    def _drop(self, client: _Client, e: Dropped) -> None:
        """Closes a client's connection with the reason in the close frame, which its vcam cam prints."""
        # the close waits behind a send in progress: a client that does not read would hold it
        timer = threading.Timer(self.DROP_CLOSE_S, client.cut)
        timer.start()
        try:
            client.ws.close(e.code, e.reason.encode()[:120].decode(errors="ignore"))  # a close reason's limit
        except Exception:
            pass
        finally:
            timer.cancel()

    def _answer(self, message: str, client: _Client) -> str | None:
        try:
            data = proto.parse_text(message)
        except proto.ProtocolError as e:
            return proto.text("error", message=str(e))
        kind = data["type"]
        if kind == "ping":
            return proto.text("pong", t=data.get("t"), server=time.time())
        if kind == "stats":
            latency = data.get("latency")
            if not isinstance(latency, (int, float)) or not 0 <= latency < proto.MAX_LATENCY_S:
                return proto.text("error", message='a stats message needs a "latency" in seconds')
            client.latency = float(latency)
            return proto.text("ok")
        if kind == "command":
            line = data.get("line")
            if not isinstance(line, str):
                return proto.text("error", message='a command message needs a "line" string')
            if client.role != "control":
                self._refused(client, "a command: it only watches (role=watch)")
                return proto.text("error", message="this client only watches (role=watch)")
            try:
                reply = self.handle_line(line, f"net {client.name}")  # the state goes out to all after it
            except Refused as e:  # the client hears what to do, the operator what it asked for here
                self._refused(client, e.detail)
                reply = f"error: {e}"
            return proto.text("reply", text=reply or "", state=self.state())
        if kind == "send":
            return self.intake.ask(client)
        if kind == "send_stop":
            self.intake.stop(client)
            return proto.text("ok")
        return proto.text("error", message=f"unknown message type {kind!r}")

    def _refused(self, client: _Client, what: str) -> None:
        """Says on the server's terminal what a client was refused: it hears only its own reply. Held back by what
        was refused, its numbers left out (a knob turned through a replayed show is refused a line for each value),
        so a count of the ones held back is said with the words of the last."""
        self._say_refused(client, what, client.refusals, ("refused", words_of(what)))

    def _refused_input(self, client: _Client, what: str) -> None:
        """The same for the input (Intake's `refused`): a new reason (another client sends now) is said at once."""
        self._say_refused(client, what, client.asks_refused, (what,))

    def _say_refused(self, client: _Client, what: str, throttle: ErrorThrottle, key: tuple) -> None:
        if line := throttle.admit(key, f"client {client.name} was refused {what}", time.monotonic()):
            self.say(line)

    def broadcast_state(self) -> None:
        """The show's state to every client (they mirror it: screen mode, soft takeover); nothing once stopped."""
        with self._telling:
            if self._stopped.is_set():
                return
            self._tell(self._clients())

    def _tell_last(self, clients: list[_Client]) -> None:
        try:
            self._tell(clients)
        except Exception as e:  # noqa: BLE001 - the stop goes on: the clients still hear that the show ended
            self.say(f"the show's last state could not be sent to clients ({e.__class__.__name__}: {e})")

    def _tell(self, clients: list[_Client]) -> None:
        message = proto.text("state", **self.state())
        for c in clients:
            c.offer_state(message)

    # --- status ---------------------------------------------------------------------------------------------
    def describe(self) -> str:
        """Clients, bandwidth out (Mbit/s over the last seconds), and the clients' end-to-end latency."""
        with self._lock:
            n = len(self.clients)
            sent = sum(c.bytes for c in self.clients) + self._gone_bytes
            latencies = [c.latency for c in self.clients if c.latency is not None]
        rate = self._sent.add(time.monotonic(), sent) * 8 / 1e6
        latency = f"{max(latencies):.1f} s" if latencies else "-"
        upload = self.intake.describe()
        return (f"clients {n} | {rate:5.2f} Mbit/s | {self.bytes_per_frame / 1024:.0f} kB/frame | latency {latency}"
                + (f" | {upload}" if upload else ""))


class _Unread(Exception):
    """A client's first state could not be read from the show (the error, as the server's terminal says it)."""

    def __init__(self, error: Exception):
        super().__init__(f"{error.__class__.__name__}: {error}")


class _LibraryLog(logging.LoggerAdapter):
    """The websockets library's log for the server, as it keeps it ("websockets.server"), less its keepalive's
    "keepalive ping failed" and traceback: the server says in its own words which client stopped answering."""

    def __init__(self):
        super().__init__(logging.getLogger("websockets.server"), {})

    def log(self, level, msg, *args, **kwargs) -> None:
        # logged from inside the library's except: the exception it logs is the one being handled
        if kwargs.get("exc_info") is True and proto.keepalive_ended(sys.exc_info()[1]) is not None:
            return
        super().log(level, msg, *args, **kwargs)


def _listen_options(host: str) -> dict[str, Any]:
    """socket.create_server's options for `host`: an IPv6 address needs AF_INET6 (its default, AF_INET, refused
    `--host ::` with "Address family for hostname not supported", so a cloud container with IPv6 alone could not
    serve at all); `::` takes IPv4 clients too, where the system can."""
    if ":" not in host:
        return {}
    return {"family": socket.AF_INET6, "dualstack_ipv6": host == "::" and socket.has_dualstack_ipv6()}


def _listen_fix(e: OSError, host: str, port: int) -> str:
    """What to do when the socket cannot be had: the port in use is one case of several."""
    # a --host that is not this machine's; a name that does not resolve has the resolver's code (EAI_*, negative)
    if isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL or (e.errno or 0) < 0:
        mine = machine_addresses()
        return (f"--host takes an address of this machine: 127.0.0.1 (reached through an SSH tunnel), 0.0.0.0 (every "
                f"address, with --token; :: for IPv6 too){', or one of ' + ', '.join(mine) if mine else ''}")
    if e.errno == errno.EAFNOSUPPORT:  # an IPv6 --host where the kernel has IPv6 off: no --port would do
        return ("this machine has IPv6 turned off: --host 0.0.0.0 listens on every IPv4 address (with --token), "
                "127.0.0.1 on IPv4's loopback (reached through an SSH tunnel)")
    if e.errno == errno.EACCES and port < 1024:
        return f"ports below 1024 need root: pick --port 1024 or above (the default is {proto.DEFAULT_PORT})"
    return "pick another --port, or stop the program that uses this one"


def _too_big(ws) -> str | None:
    """Why the library closed a connection, when it was for a message over the size limit."""
    sent = getattr(ws.protocol, "close_sent", None)
    if sent is not None and sent.code == 1009:
        return f"a message over {proto.MAX_MESSAGE // 2**20} MiB"
    return None


def attachment(settings: ServeSettings) -> Callable[..., FrameServer]:
    """What `vcam serve` attaches to a local show: a server that publishes its blocks and state, takes commands
    through its controller (`handle_line`, `snapshot`), and fills `uploads` with what a `vcam cam --send` client
    sends up, putting it on air while it does. Made before anything opens: a missing token is said first.
    A client's lines come from the network: the files they name stay in the controller's shared folders. While a
    control log is replayed (`replaying`), a client watches it: its commands are refused but for what changes
    nothing (status, help; a quit is refused by the controller, as from any client), and a sender's frames do not
    switch the input (the log says when it is `net`)."""
    def attach(controller, say: Callable[[str], None], uploads, input_fit: str,
               replaying: bool = False) -> FrameServer:
        def from_client(line: str, source: str) -> str | None:
            if replaying and line.lower().split(maxsplit=1)[:1] not in ([], ["status"], ["help"], ["quit"]):
                # a quit goes on to the controller, which refuses it from the network with the reason
                raise Refused("this show replays a control log: its changes are the log's, not taken from the "
                              "network (status and help are)", f"{line.strip()[:80]!r} during a replay")
            return controller.handle_line(line, source, network=True)

        # the controller is closed as the server stops, before it (the show closes it again after, which does
        # nothing): no state round starts then, and the last one reaches the clients before their close frames
        return FrameServer(settings, from_client, controller.snapshot, say, uploads=uploads,
                           on_sender=None if replaying else SenderSwitch(controller, say), input_fit=input_fit,
                           close_first=controller.close)

    return attach


class SenderSwitch:
    """A sender's first frame puts the uploads on air (`input net`, logged like any command); when it leaves, the
    input that was on air before it comes back (unless the operator chose another one meanwhile). Where that was
    `net` itself (`--in net`, a show's `input: net`, a typed `input net`), the operator chose the network's input:
    it stays, its last frame held as the input until a sender's frames come again, as a stalled camera's is, not
    text only in the middle of a show."""

    def __init__(self, controller, say: Callable[[str], None]):
        self.controller = controller
        self.say = say
        self.before = "none"

    def __call__(self, started: bool) -> None:
        on_air = self.controller.state.input
        if started:
            self.before = on_air
            self.say(f"input from the network: {self.controller.handle_line('input net', 'net')}")
        elif on_air != "net":
            return  # the operator chose another input while it sent
        elif self.before == "net":
            self.say("the network input left: the show goes on with its last frame as the input, waiting for a "
                     "sender (input none: text only)")
        else:
            self.say(f"the network input left: {self.controller.handle_line(f'input {self.before}', 'net')}")
