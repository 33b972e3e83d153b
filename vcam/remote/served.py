"""One client `vcam serve` serves: its connection, the messages waiting for it, and the thread that sends them.

Apart from the server, so that what one client is sent, and in which order, reads in one place: a slow client holds
only its own queue and thread, never the server or the other clients.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from vcam.control.throttle import ErrorThrottle
from vcam.remote import protocol as proto
from vcam.remote.inflight import InFlight


class ServedClient:
    """One connection and its own sender thread.

    Text messages (the state, replies) and frames wait apart, and text goes first: the client makes a freeze or
    a blackout when the frame the state names comes on its camera, so the state must be there before that frame,
    not behind a burst of frames. Text is never dropped; frames are (the oldest go when the client falls behind,
    as a late frame is worth less than a fresh one).
    """

    FRAMES_WAITING = 48  # 4 blocks
    # A frame that waited this long is dropped where a newer one waits: over a link slower than the stream (a hotel's
    # wifi), the queue stayed full and every frame went out 4 blocks (4 s) after it was made, for good, where vcam
    # cam's own catch-up (the pacer's catch_up_after) keeps no more than 2 s of frames waiting as the next come.
    FRAME_WAIT_S = 2.0
    # A client refused the input asks again by itself every few seconds (vcam cam: every 5) for as long as another
    # one sends: said at once, then counted once a minute, not a line for every ask.
    ASKS_SAID_S = 60.0
    REPLIES_WAITING = 64  # past this, the reader of this client waits: one that sends without reading slows only itself
    # What one client was refused is watched apart for this many things at once; past them, the rest share one count:
    # a client sending line after line of its own words (a patch gone wrong, a fuzzer) must not grow the watch, nor
    # the server's terminal, by a line for each.
    REFUSALS_WATCHED = 8
    # A change it sent that failed on air, said on its own screen: the same again held back this long, then counted,
    # as the server's own line is (vcam.live.producer.SAID_AGAIN_EVERY_S)
    NOT_APPLIED_SAID_S = 60.0

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
        self._not_applied = ErrorThrottle(self.NOT_APPLIED_SAID_S, most=self.REFUSALS_WATCHED,
                                          others="its other changes not applied")
        self._cond = threading.Condition()
        self._texts: deque[str] = deque()  # in order: a reply carries the state too, and the newest must win
        self._latest: dict[str, str] = {}  # by kind, the message of that kind waiting in _texts (offer_latest)
        # told while one of its messages is answered (answering): its change may fail on air before its reply is
        # queued, and the laptop printed the failure, then the reply that reads as the change taken
        self._answering = False
        self._told_meanwhile: list[str] = []
        # a place kept in REPLIES_WAITING for a reply of the message answered, while it is answered: filled by what
        # is told meanwhile, a reply waited for room that only the end of its own answer could make. A reply queued
        # takes it (and counts as a text); a text the client reads gives it back while the answer goes on
        self._reply_room = False
        # the newest state offered, by the number of its read (the server numbers them in the order they are read):
        # a reply whose state was read before it must not be the last this client mirrors
        self._newest_state: tuple[int, str] | None = None
        self._frames: deque[tuple[float, bytes]] = deque(maxlen=self.FRAMES_WAITING)  # (offered at, frame)
        self._in_flight = InFlight()  # the frames its vcam cam has not yet said it got
        self._closed = False
        self._sending_since: float | None = None
        self._thread = threading.Thread(target=self._send_loop, name=f"send-{name}", daemon=True)
        self._thread.start()

    def offer(self, message: bytes | str, state_read: int | None = None) -> None:
        """A frame (bytes) or a text message (str: a reply, never dropped). `state_read`: the number of the read of
        the state a reply carries; a newer state offered before it (another client's change, told between that read
        and now) is put after it, moved where it still waits, else sent again."""
        with self._cond:
            if isinstance(message, bytes):
                if len(self._frames) == self._frames.maxlen:
                    self.dropped += 1
                self._frames.append((self._clock(), message))
            else:
                # Replies answer this client's own messages, so waiting here only slows that client down. The place
                # kept while an answer is made is its replies': what is told meanwhile never fills it, so a reply
                # waits only for texts the client reads, never for the end of its own answer.
                while self._texts_held() - self._reply_room >= self.REPLIES_WAITING and not self._closed:
                    self._cond.wait()
                self._texts.append(message)
                self._reply_room = False  # held as a text now: kept as well, it counted twice against the told ones
                newest = self._newest_state
                if state_read is not None and newest is not None and newest[0] > state_read:
                    self._put_latest("state", newest[1])
            self._cond.notify_all()

    def offer_state(self, message: str, read: int | None = None) -> None:
        """The show's state (`read`: the number of its read); never waits. Only the newest matters, so it replaces
        one still waiting."""
        with self._cond:
            if read is not None and (self._newest_state is None or read > self._newest_state[0]):
                self._newest_state = (read, message)
            self._put_latest("state", message)
            self._cond.notify_all()

    def offer_latest(self, kind: str, message: str) -> None:
        """A text message of which only the newest of its kind matters (the state, the input rate); never waits."""
        with self._cond:
            self._put_latest(kind, message)
            self._cond.notify_all()

    def _put_latest(self, kind: str, message: str) -> None:
        """`message` queued last, in place of the one of its kind still waiting (with the lock held)."""
        waiting = self._latest.get(kind)
        if waiting is not None:
            self._texts.remove(waiting)
        self._latest[kind] = message
        self._texts.append(message)

    def tell(self, message: str) -> bool:
        """A text message told from the show's threads, which never waits: dropped where REPLIES_WAITING wait already
        (a client that does not read, which the server disconnects), or REPLIES_WAITING - 1 while one of its
        messages is answered and no reply of it waits (the last place kept for that reply); whether it was
        queued. While it is
        answered, it goes after that answer."""
        with self._cond:
            if self._closed or self._texts_held() >= self.REPLIES_WAITING:
                return False
            if self._answering:
                self._told_meanwhile.append(message)
                return True
            self._texts.append(message)
            self._cond.notify_all()
            return True

    @contextmanager
    def answering(self) -> Iterator[None]:
        """While the answer to one of its messages is made and queued (on its handler's thread, one at a time): what
        is told meanwhile goes after it."""
        with self._cond:
            self._answering = True
            self._reply_room = True
        try:
            yield
        finally:
            with self._cond:
                self._answering = False
                self._reply_room = False
                if not self._closed:
                    self._texts.extend(self._told_meanwhile)
                self._told_meanwhile.clear()
                self._cond.notify_all()

    def _texts_held(self) -> int:
        """The text messages counted against REPLIES_WAITING (with the lock held): one count for the reader that waits
        and the show that drops. Those queued, those told while it is answered, and the room kept for that answer:
        counted apart, the told ones and the reply queued after them together passed the bound."""
        return len(self._texts) + len(self._told_meanwhile) + self._reply_room

    def messages_held(self) -> int:
        """The messages this client holds (frames, texts, those told while it is answered), for a check of the bound
        made from another thread (the server sends and drops by its own counts, and never reads this): read under
        the lock, as read apart, a sample taken as the told ones joined the queue counted them twice."""
        with self._cond:
            return len(self._frames) + len(self._texts) + len(self._told_meanwhile)

    def not_applied(self, line: str, key: tuple, typed: bool) -> None:
        """A change it sent that failed as the show applied it, told to it as a notice (vcam cam prints it): each
        time where its line was typed by hand (its operator waits for the outcome), else as the server's own line is
        said, the same (`key`) again held back for NOT_APPLIED_SAID_S, then counted (tell_held_back). Never waits."""
        said = line if typed else self._not_applied.admit(key, line, self._clock())
        if said is not None:
            self.tell(proto.text("notice", text=said))

    def tell_held_back(self, now: float | None = None) -> None:
        """The counts of its changes not applied held back whose window has passed (all, without `now`), told to it."""
        for line in self._not_applied.held_back(now):
            self.tell(proto.text("notice", text=line))

    def got(self, seq: int) -> None:
        """Its vcam cam got every frame up to `seq`: more may go (inflight.py)."""
        with self._cond:
            self._in_flight.got(seq, self._clock())
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
            while not (self._texts or self._frames and self._in_flight.may_send(self._clock())) and not self._closed:
                # frames held back for the link's pace wait for the camera to say it got the ones on the way
                self._cond.wait(self._in_flight.wait_s(self._clock()) if self._frames else None)
            if self._closed:
                return None
            # the send is in progress from the moment its message leaves the queue, in one step: a stop waiting
            # for the last state (sent_texts) finds it queued or being sent, never in between
            self._sending_since = time.monotonic()
            if self._texts:
                message = self._texts.popleft()
                # the place read is the next reply's: taken by what is told meanwhile, that reply waited for the told
                # ones to be queued, which only the end of its own answer does
                self._reply_room = self._answering
                for kind in [k for k, m in self._latest.items() if m is message]:
                    del self._latest[kind]
                self._cond.notify_all()  # a reply may be waiting for room
                return message
            now = self._clock()
            while len(self._frames) > 1 and now - self._frames[0][0] > self.FRAME_WAIT_S:
                self._frames.popleft()
                self.dropped += 1
            frame = self._frames.popleft()[1]
            if (seq := proto.frame_seq(frame)) is not None:
                self._in_flight.sent(seq, len(frame), now)
            return frame

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

