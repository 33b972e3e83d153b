"""The input `vcam cam --send` uploads to `vcam serve`: one sender at a time (the first that asks), its frames
decoded into the show's uploads (a LiveFrames), and the rate the show consumes told back to it."""
from __future__ import annotations

import collections
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from vcam.control.throttle import ErrorThrottle
from vcam.remote import protocol as proto

# Close codes a dropped client gets (RFC 6455): data of a kind the server cannot use, and a rule broken.
UNUSABLE_DATA = 1003
POLICY = 1008
MAX_AGE_S = 60.0  # a capture time further back than this is a clock gone wrong, not a frame that old


class Uploads(Protocol):
    """Where the sender's frames go (vcam.live.inputs' LiveFrames): `at` is the capture time, time.monotonic()."""

    def push(self, frame: np.ndarray, at: float | None = None) -> None: ...


class Dropped(Exception):
    """The client broke the upload's rules: the server closes its connection with this code and reason."""

    def __init__(self, code: int, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason


class ConsumptionRate:
    """Input frames per second the show takes. A block takes as many input frames as it makes (12; 9 when the
    encoder starts fresh), so it is the frames published per second; START_FPS until two blocks have come."""

    START_FPS = 12.0  # about what a fast card makes at 832x480; the first blocks correct it
    LOW, HIGH = 1.0, 60.0
    PAUSE_S = 10.0  # a longer gap between blocks is a pause (a reload, a stall), not the rate

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.fps = self.START_FPS
        self._clock = clock
        self._last: float | None = None
        self._measured = False

    def block(self, frames: int) -> float:
        now = self._clock()
        if self._last is not None and 0 < now - self._last <= self.PAUSE_S:
            fps = min(self.HIGH, max(self.LOW, frames / (now - self._last)))
            self.fps = 0.7 * self.fps + 0.3 * fps if self._measured else fps
            self._measured = True
        self._last = now
        return self.fps


class Intake:
    """Who sends the input, and what becomes of its frames.

    `on_sender(True)` is called when the accepted sender's first frame is in `uploads` (so the show switches to
    an input that has a frame), `on_sender(False)` when that sender stops or leaves. Both are called in order,
    outside the lock the show's side takes (switching the input back may open a camera, and the producer must not
    wait for that to publish its block), on the thread of the message that caused them. `refused(client, what)`
    hears of each client refused the input, for the server's terminal (the client hears only its send_refused).
    """

    RATE_CHANGE = 0.15  # the sender is told the rate again when it moves by more than this fraction
    CORRUPT_SAID_S = 60.0  # input frames whose picture data is damaged: said once, then counted once a minute

    def __init__(self, uploads: Uploads | None, on_sender: Callable[[bool], None] | None,
                 say: Callable[[str], None], size: tuple[int, int] | None = None, fit: str = "crop",
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.monotonic,
                 refused: Callable[[Any, str], None] | None = None):
        self.uploads = uploads
        self.on_sender = on_sender
        self.say = say
        self.refused = refused or (lambda client, what: None)
        self.size = size  # (width, height) of the stream; else taken from the first block published
        self.fit = fit
        self.rate = ConsumptionRate(clock)
        self.sender: Any = None  # the served client (served.py) that sends, if one does
        # `wall`: the clock of the server's stamps (pongs, frames), that captures are told in: monotonic, as a step
        # of the wall clock made every upload 60 s old (the input said stalled) or new
        self._clock, self._wall = clock, wall
        self._lock = threading.RLock()
        self._telling = threading.Lock()  # on_sender's calls, one at a time, in the order of `_events`
        self._events: collections.deque[bool] = collections.deque()
        self._started = False  # the sender's first frame came (and on_sender(True) was called)
        self._told_fps: float | None = None  # what the sender was last told; None: not accepted yet
        self._last_seq = -1
        self._bytes = 0
        self._newest_at: float | None = None
        self._last_bytes, self._last_time = 0, clock()
        self._corrupt = ErrorThrottle(self.CORRUPT_SAID_S)

    # --- the sender's messages ------------------------------------------------------------------------------
    def ask(self, client) -> str | None:
        """A client asks to send: the answer (send_ok or send_refused), or None while the stream's size is not
        known yet (its send_ok follows with the first block)."""
        with self._lock:
            why = self._refusal(client)
            if why is not None:
                self.refused(client, f"sending the input: {why}")
                return proto.text("send_refused", message=why)
            if self.sender is None:
                self.sender, self._started, self._last_seq, self._told_fps = client, False, -1, None
                self.say(f"client {client.name} sends the input")
            return self._accepted() if self.size is not None else None

    def stop(self, client) -> None:
        with self._lock:
            if self.sender is client:
                self._release("stopped sending the input")
        self._tell_events()

    def left(self, client, ending: bool = False) -> None:
        """`client` is gone; where it was the sender, its input is free for another. `ending`: the show's stop ended
        it, and no other client is coming: the input's release is said by no line."""
        with self._lock:
            if self.sender is client:
                self._release(None if ending else "is gone: the input it sent is free for another client")
        self._tell_events()

    def frame(self, client, data: bytes) -> None:
        """A binary message from `client`: into the uploads if it is the sender's good frame; Dropped otherwise."""
        with self._lock:
            if client is not self.sender:
                raise Dropped(POLICY, 'a binary message from a client that is not the sender (input frames follow '
                                      '{"type": "send"} and its send_ok)')
            size = self.size
            if size is None or self._told_fps is None:
                raise Dropped(POLICY, "an input frame before the server gave the stream's size")
        try:
            header, rgb = proto.decode_input(data, size)  # outside the lock: it takes milliseconds
        except proto.CorruptFrame as e:  # a frame damaged on its way: the next one is likely whole
            if line := self._corrupt.admit((client.name,), f"skipped an input frame from {client.name}: {e}",
                                           self._clock()):
                self.say(line)
            return
        except proto.ProtocolError as e:
            raise Dropped(UNUSABLE_DATA, str(e)) from None
        with self._lock:
            if client is not self.sender:  # it stopped meanwhile
                return
            self._bytes += len(data)
            if header.seq <= self._last_seq:  # the connection keeps order, so only a confused client does this
                return
            self._last_seq = header.seq
            age = min(MAX_AGE_S, max(0.0, self._wall() - header.captured_at))
            at = self._clock() - age
            self.uploads.push(rgb, at)
            self._newest_at = at
            if not self._started:
                self._started = True
                self._events.append(True)
        self._tell_events()

    # --- the show's side ------------------------------------------------------------------------------------
    def published(self, frames: np.ndarray) -> None:
        """A block went out: it measures the rate, and learns the size; never waits (the producer calls it)."""
        with self._lock:
            fps = self.rate.block(len(frames))
            if self.size is None:
                self.size = (frames.shape[2], frames.shape[1])
            told = self._told_fps
            if self.sender is not None and (told is None or abs(fps - told) > self.RATE_CHANGE * told):
                self.sender.offer_latest("input", self._accepted())

    def held_back(self, now: float | None = None) -> list[str]:
        """The counts of damaged input frames skipped whose window has passed (all of them, without `now`)."""
        return self._corrupt.held_back(now)

    def describe(self) -> str | None:
        """Upload KB/s since the last call and the age of the newest input frame, while a client sends."""
        with self._lock:
            sender, sent, newest = self.sender, self._bytes, self._newest_at
        now = self._clock()
        rate = (sent - self._last_bytes) / 1024 / max(1e-3, now - self._last_time)
        self._last_bytes, self._last_time = sent, now
        if sender is None:
            return None
        age = f"{now - newest:.2f} s old" if newest is not None else "no frame yet"
        return f"input from {sender.name} {rate:4.0f} KB/s, {age}"

    # --- with the lock held ---------------------------------------------------------------------------------
    def _refusal(self, client) -> str | None:
        """Why `client` may not send the input now; None when it may."""
        if self.uploads is None:
            return "this server takes no input from clients"
        if client.role != "control":
            return "this client only watches (role=watch)"
        if self.sender is not None and self.sender is not client:
            return f"another client ({self.sender.name}) is sending the input; one at a time"
        return None

    def _accepted(self) -> str:
        self._told_fps = self.rate.fps
        width, height = self.size
        return proto.text("send_ok", width=width, height=height, fps=round(self.rate.fps, 2), fit=self.fit)

    def _release(self, why: str | None) -> None:
        name, started = self.sender.name, self._started
        self.sender, self._started, self._told_fps = None, False, None
        if why is not None:
            self.say(f"client {name} {why}")
        if started:
            self._events.append(False)

    # --- without it -----------------------------------------------------------------------------------------
    def _tell_events(self) -> None:
        with self._telling:
            while self._events:
                started = self._events.popleft()
                if self.on_sender is None:
                    continue
                try:
                    self.on_sender(started)
                except Exception as e:  # noqa: BLE001 - the wiring's failure must not end the sender's connection
                    self.say(f"switching the input {'to' if started else 'from'} the upload failed "
                             f"({e.__class__.__name__}: {e})")
