"""`vcam serve`'s network output: generated frames to WebSocket clients, their commands to the controller.

Plain WebSocket over HTTP, so it works through `ssh -L` and through the HTTP port proxies of GPU clouds. It
listens on 127.0.0.1 unless told otherwise; on any other address a token is required. The server holds the
clients and their life, from served to gone; who is let in (admission.py), what one client is sent (served.py),
the frames' encoding (encoding.py), the answers to a client's messages (answers.py), the close frames
(goodbye.py), why the library ended a connection (endings.py) and where it listens (listen.py) are modules of
their own; attach.py ties a server to a local show.
"""
from __future__ import annotations

import inspect
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import numpy as np

from vcam.errors import VcamError, bug_place, described
from vcam.loopback import is_loopback
from vcam.remote import protocol as proto
from vcam.remote.addresses import url_host
from vcam.remote.admission import Admission
from vcam.remote.answers import answer, refused_input, sender_of
from vcam.remote.blockgaps import BlockGaps
from vcam.remote.encoding import BlockEncoder
from vcam.remote.endings import LibraryLog, ended
from vcam.remote.goodbye import drop, say_goodbye, say_goodbye_to
from vcam.remote.intake import Dropped, Intake, Uploads
from vcam.remote.listen import (Listener, advertise, capped_by_files, listen_fix, listen_options, listen_reason,
                                tunnel_command)
from vcam.remote.rate import ByteRate
from vcam.remote.served import ServedClient
from vcam.remote.urls import said_url

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
    # Each client costs threads and up to ServedClient.FRAMES_WAITING frames in memory, and gets every frame sent: a
    # program that connects in a loop could otherwise exhaust the machine under the show.
    max_clients: int = 16
    # A client that answers no ping for its timeout (a laptop asleep, a tunnel stalled) is disconnected too.
    keepalive: proto.Keepalive = proto.Keepalive()


def _what_cameras_do(state: str) -> str:
    """What a vcam cam does with a state past what it reads: one its connection still takes it drops, and goes on;
    one past the connection's own limit (the bytes it sends) ends the connection, on every state sent."""
    if len(state.encode()) > proto.MAX_RECEIVED:
        return "cameras cannot take it: each one is disconnected by it as it connects, and tries again, over and over"
    return "cameras drop it and miss the show's changes"


def shut_down(server) -> None:
    """Closes the library's server and what it holds open with the show's end as the reason. websockets before 17
    takes no reason (pyproject allows 15): its shutdown closes with a bare going-away, where that call raised and
    vcam serve's end failed."""
    if "reason" in inspect.signature(server.shutdown).parameters:
        server.shutdown(code=proto.GOING_AWAY, reason=proto.STOPPED)
    else:
        server.shutdown()


class FrameServer:
    """Generated frames out to every client, their commands in, and the input one client may upload.

    `uploads` (a LiveFrames) receives the decoded input frames of the one client accepted as the sender;
    `on_sender(True)` is called when its first frame is there, `on_sender(False)` when it stops or leaves (see
    Intake). `input_size` (width, height) is the stream's, which the sender's frames must have (else the first
    published block's); `input_fit` is the fit the sender uses to get there.
    """

    what = "the server"  # as the show's end names it where its stop fails

    QUIET_S = 1.0  # how long a new client may stay silent before it is announced
    DROP_CLOSE_S = 2.0  # a dropped client that does not read gets its socket shut after this
    STOP_CLOSE_S = 1.0  # how long the server's end waits for its clients' closing handshakes
    # Connections open at once, handshakes included: room for a crowd past max_clients to be told why in plain HTTP,
    # while a flood of them stays far from the open-file limit (ulimit -n, 1024 on many machines)
    MOST_OPEN = 64

    def __init__(self, settings: ServeSettings, handle_line: Callable[[str, str], str | None],
                 state: Callable[[], dict], say: Callable[[str], None], uploads: Uploads | None = None,
                 on_sender: Callable[[bool], None] | None = None, input_size: tuple[int, int] | None = None,
                 input_fit: str = "crop", close_first: Callable[[], None] | None = None):
        if not is_loopback(settings.host) and not settings.token:
            raise VcamError(
                f"listening on {said_url(settings.host)} lets anyone who can reach this machine watch and steer the "
                "show",
                f"set a token: --token SECRET (or the {TOKEN_ENV} environment variable), and give the same "
                "token to vcam cam; or listen on 127.0.0.1 and use an SSH tunnel "
                f"({tunnel_command('127.0.0.1', settings.port)}, as vcam serve's first line says then)",
            )
        self.settings = settings
        self.handle_line = handle_line
        self.state = state
        self.say = say
        self.close_first = close_first
        self.clients: list[ServedClient] = []
        self._gone_bytes = 0  # sent to clients that have left, so the bandwidth figure does not drop
        self._sent = ByteRate()  # to every client, over the last seconds
        self._lock = threading.Lock()
        self._server = None
        self._listener: Listener | None = None  # none until the start, or where it failed
        self._stopped = threading.Event()
        # let in as the stop began and served after it: past their handshake while their handler says goodbye, where
        # the library's list has them no more (closing, not open), so the stop's cut passes over them as it does over
        # the clients; cut, such a camera's close frame was lost and vcam cam said the connection was lost
        self._leaving: set = set()
        # held while a state is made and handed to the clients: a stop waits for the one in progress, so that no
        # state is made (the show's snapshot read) once the server has stopped
        self._telling = threading.Lock()
        # the show's state is read one read at a time, each numbered: a client mirrors a reply's state and the rounds'
        # in the order they reach it, so one whose reply was read before a round it got first is sent the newer after
        self._reads = threading.Lock()
        self._reads_done = 0
        self.admission = Admission(settings, say, self._lock, self._stopped, served=lambda: len(self.clients))
        self.encoder = BlockEncoder(settings.quality, self._clients, say)
        self._state_too_long_said = False
        self.block_gaps = BlockGaps(0.0)  # told to each camera as it connects (answers.py: its pong)
        self.intake = Intake(uploads, on_sender, say, input_size, input_fit,
                             refused=lambda client, what: refused_input(client, what, self.say))

    # --- lifecycle ------------------------------------------------------------------------------------------
    def start(self) -> None:
        from websockets.sync.server import serve

        try:
            self._server = serve(self._handler, self.settings.host, self.settings.port,
                                 process_request=self.admission.check, max_size=proto.MAX_MESSAGE,
                                 compression=None, logger=LibraryLog(), **self.settings.keepalive.options(),
                                 **listen_options(self.settings.host))
        except OSError as e:
            # a --host typed as an address with its password or ?token= (vj:pw@host, host:port/?token=) said them
            where = f"{url_host(said_url(self.settings.host))}:{self.settings.port}"
            raise VcamError(f"cannot listen on {where} ({listen_reason(e)})",
                            listen_fix(e, self.settings.host, self.settings.port)) from None
        self.port = self._server.socket.getsockname()[1]
        most, capped = capped_by_files(max(self.MOST_OPEN, 4 * self.settings.max_clients), self.settings.max_clients)
        if capped is not None:
            self.say(capped)
        self._listener = Listener(self._server.socket, most, self.say)
        self._server.socket = self._listener
        threading.Thread(target=self._server.serve_forever, name="serve", daemon=True).start()
        threading.Thread(target=self.encoder.run, name="encode", daemon=True).start()
        threading.Thread(target=self._watch_loop, name="watch-clients", daemon=True).start()
        for line in advertise(self.settings.host, self.port, self.settings.token):
            self.say(line)

    def stop(self) -> None:
        """In order: the show's side first (`close_first`, the controller: no state round starts after it), then the
        state as it is now to every client, and then the close frames, so a change made as the show ended (a last
        blackout) is on every camera; a client that does not read holds none of it past STOP_CLOSE_S."""
        if self._stopped.is_set():
            return
        failed: Exception | None = None
        try:
            if self.close_first is not None:
                self.close_first()
        except Exception as e:  # raised once the clients and the network are closed: they must not be left open
            failed = e
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
        self.encoder.close()
        deadline = time.monotonic() + self.STOP_CLOSE_S
        for c in clients:
            c.tell_held_back()  # its changes not applied, counted: no watch says them after this
            c.sent_texts(deadline)
            c.close()  # its sender takes no more frames: the close frame comes next
        say_goodbye(clients, self.STOP_CLOSE_S)
        for c in clients:
            c.cut()
        if self._server is not None:
            if self._listener is not None:
                self._listener.cut_unfinished(self._past_handshake())
            # a client let in as the stop began may still be between its handshake and its handler's goodbye: the
            # library closes what is open, and then too with the show's end as the reason, not a bare "going away"
            shut_down(self._server)
        self._say_held_back()
        if failed is not None:
            raise failed

    def _past_handshake(self) -> set:
        """The sockets of the connections past their handshake (and of those let in, about to be): at the stop they
        get their close frame, where one still in its handshake is cut."""
        with self._lock:
            connections = [*self.admission.let_in(), *(c.ws for c in self.clients), *self._leaving]
        connections += list(getattr(self._server, "connections", ()))  # websockets 15 has no such list
        return {getattr(c, "socket", None) for c in connections} - {None}

    def _say_held_back(self) -> None:
        """At the stop, the counts of the lines still held back, once: the watch that says them each minute is gone."""
        for line in self._held_back():
            self.say(line)

    def _held_back(self, now: float | None = None) -> list[str]:
        """The counts of the intake's, the admission's and the listener's lines held back whose window has passed
        (all of them, without `now`)."""
        listener = [] if self._listener is None else self._listener.held_back(now)
        return [*self.intake.held_back(now), *self.admission.held_back(now), *listener]

    # --- frames in ------------------------------------------------------------------------------------------
    def publish(self, frames: np.ndarray, block: int | None = None) -> None:
        """A generated block; never blocks (the oldest waiting block goes when encoding falls behind). `block`: its
        number as the show's own camera numbers it, which its frames carry, so that a client can tell the frame a
        state's `screen_at` names; without it, the one after the last."""
        self.intake.published(frames)
        self.encoder.put(frames, block)
        self.block_gaps.block(time.monotonic())

    # --- connections ----------------------------------------------------------------------------------------
    def places_taken(self) -> int:
        """What counts against max_clients: the clients served, and the handshakes let in whose handler has not
        started yet."""
        return self.admission.places_taken()

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
            for line in [*(line for c in self._clients() for line in c.held_back(now)), *self._held_back(now)]:
                self.say(line)
            for c in self._clients():
                c.tell_held_back(now)

    def _clients(self) -> list[ServedClient]:
        with self._lock:
            return list(self.clients)

    def _handler(self, ws) -> None:
        from websockets.protocol import State

        url = urlparse(ws.request.path)
        role = parse_qs(url.query).get("role", ["control"])[0]
        if role not in ("control", "watch"):
            role = "watch"
        with self._lock:  # from let in to served in one step, so that the count never dips between the two
            peer = self.admission.take(ws)
            if peer is None or ws.protocol.state is not State.OPEN:
                return  # closed as soon as it connected (a port scanner, a health check): nothing to serve or say
            # let in before the stop, served after it took the clients it says goodbye to: told as they are
            ending = self._stopped.is_set()
            if ending:
                self._leaving.add(ws)
            else:
                client = ServedClient(ws, role, peer)
                self.clients.append(client)
        if ending:
            self._say_goodbye_to_late(ws)
            return
        announced = False
        ending_said: str | None = None  # how it ended, where that is worth more than "left"
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
                self._answer(message, client)
        except _Unread as e:  # closed with a reason that names nothing of this machine; its vcam cam connects again
            ending_said = f"was disconnected: its first state could not be read ({e})"
            drop(client, Dropped(INTERNAL_ERROR, UNREAD), self.DROP_CLOSE_S)
        except Dropped as e:
            ending_said = f"was disconnected: {e.reason}"
            drop(client, e, self.DROP_CLOSE_S)
        except Exception as e:  # the connection ended, or vcam's own code broke on a message: said as that
            ending_said = (f"was disconnected: vcam failed on its message ({described(e)})" if bug_place(e) else
                           ended(ws, e, self.settings.keepalive))
        finally:
            # at the stop, the server ended it: "left" read as if each camera had quit
            stopped = "was told the show ended" if self._stopped.is_set() else None
            self._gone(client, ending_said or stopped or ("left" if announced else "connected and left at once"))

    def _say_goodbye_to_late(self, ws) -> None:
        """The show's end to a connection let in as the stop began; kept from the stop's cut until it is said."""
        try:
            say_goodbye_to(ws)
        finally:
            with self._lock:
                self._leaving.discard(ws)

    def _gone(self, client: ServedClient, left: str) -> None:
        """A client's end, said in the order it is read: why it left, then what became of the input it sent (said
        the other way round, "the input is free" came before the reason it was disconnected)."""
        client.close()
        for line in client.held_back():
            self.say(line)
        with self._lock:
            if client in self.clients:
                self.clients.remove(client)
                self._gone_bytes += client.bytes
            n = len(self.clients)
        self.say(f"client {client.name} {left}; {n} connected")
        self.intake.left(client, ending=self._stopped.is_set())  # at the stop, the input is free for no one
        for line in self.intake.held_back():
            self.say(line)

    def _answer(self, message: str, client: ServedClient) -> None:
        """A client's message answered. A command's reply carries the state as it was read after the command; a
        round told between that read and the reply's queueing (another client's knob, a cue) reaches this client
        first, and the older state in the reply then stood on its camera and its knobs' soft takeover until the
        next change: the client puts the newer one after the reply (ServedClient.offer)."""
        reads: list[int] = []  # the number of the state read the reply carries (none: no command, no state)

        def state() -> dict:
            number, snapshot = self._read_state()
            reads.append(number)
            return snapshot

        with client.answering():  # a change of its that fails on air meanwhile is told after the reply
            answered = answer(self, message, client, state)
            if answered is not None:
                client.offer(answered, state_read=reads[-1] if reads else None)

    def _first_state(self, client: ServedClient) -> None:
        """The show's state to a client just served, as a state round tells it: none once stopped (the stop told this
        client the last). _Unread where the show's state cannot be read."""
        with self._telling:
            if self._stopped.is_set():
                return
            try:
                number, message = self._told_state()
            except Exception as e:  # noqa: BLE001 - any failure of the show's snapshot ends this client alone
                raise _Unread(e) from e
            client.offer_state(message, number)

    def _read_state(self) -> tuple[int, dict]:
        """The show's state, and the number of this read in the order of all of them (one at a time)."""
        with self._reads:
            state = self.state()
            self._reads_done += 1
            return self._reads_done, state

    def _told_state(self) -> tuple[int, str]:
        """The show's state as a message, with the number of its read; one past what vcam cam reads is said here once,
        with what each camera does with it (and says), and only this terminal can say which show file made it so."""
        number, state = self._read_state()
        message = proto.text("state", **state)
        if len(message) > proto.MAX_SERVER_TEXT and not self._state_too_long_said:
            self._state_too_long_said = True
            self.say(f"the show's state is {len(message):,} characters, over the {proto.MAX_SERVER_TEXT:,} vcam cam "
                     f"reads: {_what_cameras_do(message)}; fewer or shorter presets in the show file keep it under")
        return number, message

    def broadcast_state(self) -> None:
        """The show's state to every client (they mirror it: screen mode, soft takeover); nothing once stopped."""
        with self._telling:
            if self._stopped.is_set():
                return
            self._tell(self._clients())

    def _tell_last(self, clients: list[ServedClient]) -> None:
        try:
            self._tell(clients)
        except Exception as e:  # noqa: BLE001 - the stop goes on: the clients still hear that the show ended
            self.say(f"the show's last state could not be sent to clients ({e.__class__.__name__}: {e})")

    def _tell(self, clients: list[ServedClient]) -> None:
        number, message = self._told_state()
        for c in clients:
            c.offer_state(message, number)

    def not_applied(self, source: str, line: str, key: tuple) -> None:
        """A change that failed as the show applied it, told to the client that sent it (`source`, as answers.py
        made it), where only the server's terminal said it and its operator saw the picture not change; nothing
        for a change from anywhere else. `key`: what makes two failures the same. Never waits: the generator's
        thread calls it."""
        sender = sender_of(source)
        if sender is None:
            return
        name, typed = sender
        with self._lock:
            client = next((c for c in self.clients if c.name == name and not c.closed), None)
        if client is not None:
            client.not_applied(line, key, typed)

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
        per_frame = self.encoder.bytes_per_frame / 1024
        return (f"clients {n} | {rate:5.2f} Mbit/s | {per_frame:.0f} kB/frame | latency {latency}"
                + (f" | {upload}" if upload else ""))


class _Unread(Exception):
    """A client's first state could not be read from the show (the error, as the server's terminal says it)."""

    def __init__(self, error: Exception):
        super().__init__(f"{error.__class__.__name__}: {error}")

