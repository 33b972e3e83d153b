"""`vcam cam --send SRC`: this machine's camera, or a clip, as the input of the `vcam serve` it watches.

Capture runs in one thread and sending in another, with a small queue between them that drops its oldest frame
when the link is slow: what reaches the server is recent rather than complete. Frames are taken at most at the
rate the server says it consumes, fitted to its stream's size here (the upload carries no pixel the server would
throw away), and JPEG-encoded. No torch.

A camera opens in its own mode (a missing or held one is said before connecting); once the server says its
stream's size (send_ok), it is asked, as the show's own camera input asks (camera.py: MJPG HD for an 832×480
stream, a settle window, its own mode again where the one asked gives nothing), for the mode that holds that size,
and what it gives is said. A server back at another size asks it again only where that needs another mode: a
mode change stops the picture for a moment, and a mode that already holds the stream would only be swapped for an
equal one.

The capture itself (`open_capture`) is kept behind the small `Capture` interface so that it can move to the
show's own input sources.
"""
from __future__ import annotations

import os
import shlex
import threading
import time
import traceback
from collections.abc import Callable
from typing import Protocol

import numpy as np

from vcam.errors import VcamError, described, one_line
from vcam.inspec import USAGE, InputSpec, MeantError, missing_said, parse_input
from vcam.live.frames import quiet_cv2
from vcam.live.inputs.camera import SETTLE_S, capture_mode, device_rgb, mode_line, open_device, settle_mode
from vcam.live.inputs.source import InputError
from vcam.live.mailbox import Mailbox
from vcam.outspec import rate_said
from vcam.remote import protocol as proto
from vcam.storednames import as_stored
from vcam.words import terminal_safe

SEND_USAGE = "--send takes camera, camera:N, camera:/dev/videoN or file:PATH"


class Capture(Protocol):
    """Frames from a camera or a clip. `read` gives the next RGB uint8 frame, waiting for it (a clip paces itself
    to its own frame rate), or None when the source failed; `live` says whether reopening it may help."""

    name: str
    live: bool

    def read(self) -> np.ndarray | None: ...

    def reopen(self) -> bool: ...

    def interrupt(self) -> None: ...

    def fit_mode(self, width: int, height: int) -> str | None: ...

    def close(self) -> None: ...


def parse_send(text: str) -> InputSpec:
    """The --send value: a camera or a clip; ValueError with the forms otherwise, said for --send (a picture, which
    it does not send, is not named as image:, nor the inputs only the server has)."""
    try:
        spec = parse_input(text)
    except MeantError as e:
        if e.meant.kind not in ("camera", "file"):
            raise ValueError(f"cannot send {text!r}: a still image is not sent; {SEND_USAGE}") from None
        said = f"--send {shlex.quote(str(e.meant))}"
        raise ValueError(missing_said(e.meant, "--send") or e.as_said(said)) from None
    except ValueError as e:  # the forms said are --send's, not the server's (none, image:, net)
        said = str(e)
        raise ValueError(said.replace(USAGE, SEND_USAGE) if USAGE in said else f"{said}; {SEND_USAGE}") from None
    if spec.kind not in ("camera", "file"):
        still = "a still image is not sent; " if spec.kind == "image" else ""
        raise ValueError(f"cannot send {text!r}: {still}{SEND_USAGE}")
    path = os.path.expanduser(spec.target)
    if spec.kind == "file" and (stored := as_stored(path)) is not None:
        return InputSpec("file", stored)  # the name a Mac stored it under (NFD), typed as the keyboard writes it
    return spec


class CvCapture:
    """A camera or a looped clip through OpenCV. A camera is asked for the mode of the server's stream by
    `fit_mode`, and again for it as it reopens."""

    def __init__(self, spec: InputSpec, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, settle_s: float = SETTLE_S):
        self.spec = spec
        self.name = str(spec)
        self.live = spec.kind == "camera"
        self._clock, self._sleep, self._settle_s = clock, sleep, settle_s
        self._cap = None
        self._period = 0.0
        self._due = 0.0
        self._why: InputError | None = None
        self._size: tuple[int, int] | None = None  # the server's stream's, once known: the mode asked is for it
        self._held = None  # the frame read as the camera settled in its mode: the next read's
        self._said: str | None = None  # what the camera gives, as last said
        self._stopping = threading.Event()  # set from another thread (interrupt): a settle under way ends
        if not self.reopen():
            raise self._why or _unopenable(spec)

    def interrupt(self) -> None:
        """Ends a wait for the camera to settle in its mode (up to 2 s, twice where it is opened again), from
        another thread: the program is ending, and the capture thread is joined next."""
        self._stopping.set()

    def _open_device(self, target: str):
        return open_device(target, "--send")

    def fit_mode(self, width: int, height: int) -> str | None:
        """Asks a camera for the mode for a width×height stream, where it is not in the one asked for that already;
        what it gives, to be said, or None where there is nothing new to say (a clip, the same mode, the same
        picture). A camera that then gives nothing is closed: the next read fails, and the camera is reopened as one
        unplugged."""
        asked_before = self._size is not None and capture_mode(*self._size) == capture_mode(width, height)
        self._size = (width, height)
        if not self.live or asked_before:
            return None
        if self._cap is None:  # lost: its reopen asks for the mode
            return None
        cap, self._cap = self._cap, None
        try:
            self._cap, self._held = settle_mode(cap, self._open_device, self.spec.target, self._size,
                                                settle_s=self._settle_s, stopped=self._stopping.is_set)
        except Exception:  # OpenCV's error as it switched or read (unplugged meanwhile): settle_mode released it
            return None
        if self._held is None:
            self.close()
            return None
        line = mode_line(self.name, self._size, self._held)
        if line == self._said:  # a device of one size (v4l2loopback) asked again: nothing new to say
            return None
        self._said = line
        return line

    def _open_camera(self):
        """The camera opened as the show's own camera input opens it (V4L2 on Linux): in its own mode until the
        server's stream's size is known, then in the mode for it, its first frame held for the next read; None where
        it opened but gave no frame in its mode."""
        cap = self._open_device(self.spec.target)
        if self._size is None or not cap.isOpened():
            return cap
        cap, self._held = settle_mode(cap, self._open_device, self.spec.target, self._size, settle_s=self._settle_s,
                                      stopped=self._stopping.is_set)
        if cap is not None and self._held is None:
            cap.release()
        return cap if self._held is not None else None

    def reopen(self) -> bool:
        cv2 = quiet_cv2()  # a damaged clip: vcam's one line, not FFmpeg's for every bad packet

        self.close()
        if self.live:
            try:
                cap = self._open_camera()
            except InputError as e:  # said when the first open fails; a reopen tries again later
                self._why = e
                return False
            except Exception as e:  # OpenCV's own error, while the device is still gone
                camera = self.spec.target or 0
                self._why = InputError(f"--send {self.spec}: cannot open camera {camera} ({one_line(e)})",
                                       _unopenable(self.spec).fix)
                return False
        else:
            cap = cv2.VideoCapture(os.path.expanduser(self.spec.target))
        if cap is None:
            return False
        if not cap.isOpened():
            cap.release()
            return False
        self._cap = cap
        fps = cap.get(cv2.CAP_PROP_FPS)
        # a clip is played at its own rate; a camera's read waits for its next frame by itself
        self._period = 0.0 if self.live else 1.0 / (fps if 1.0 <= fps <= 240.0 else 30.0)
        self._due = self._clock()
        return True

    def read(self) -> np.ndarray | None:
        import cv2

        if self._cap is None:
            return None
        if self._held is not None:
            frame, self._held = self._held, None
            return frame
        if self._period:
            wait = self._due - self._clock()
            if wait > 0:
                self._sleep(wait)
            # late (a slow machine) by more than a frame: start over from now rather than catch up in a burst
            self._due = max(self._due, self._clock() - self._period) + self._period
        try:
            ok, frame = self._cap.read()
            if not ok and not self.live:  # the clip's end: from its start again
                self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, frame = self._cap.read()
        except Exception:  # an unplugged camera can make OpenCV raise as well as return False: a failed read
            return None
        # a grey (infrared) or BGRA camera is a picture too, as it is for the show's own camera input
        return device_rgb(frame) if ok else None

    def close(self) -> None:
        self._held = None
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def _unopenable(spec: InputSpec) -> VcamError:
    if spec.kind == "file":
        path = os.path.expanduser(spec.target)
        if not os.path.exists(path):
            return VcamError(f"--send {spec}: no such file", "give the path of a video clip: --send file:PATH")
        return VcamError(f"--send {spec}: OpenCV cannot read this file as video",
                         "give a video clip (mp4, mov, mkv, webm...) or convert it with ffmpeg")
    which = spec.target or "the first camera (0)"
    return VcamError(f"--send {spec}: cannot open camera {which}",
                     "check that it is plugged in and not used by another program; camera:N picks another "
                     "(vcam devices lists the v4l2 devices on Linux)")


def open_capture(text: str) -> Capture:
    """The --send source, opened: a VcamError that says what to do when the file or device cannot be opened."""
    try:
        spec = parse_send(text)
    except ValueError as e:
        raise VcamError(str(e), "e.g. --send camera or --send file:clip.mp4") from None
    return CvCapture(spec)


class RateGate:
    """Lets frames through at most `fps` a second, evenly: the server's rate, whatever the camera gives."""

    def __init__(self, fps: float):
        self.fps = fps
        self._next: float | None = None

    def allow(self, now: float) -> bool:
        period = 1.0 / self.fps
        if self._next is not None and now < self._next:
            return False
        if self._next is None or now - self._next > period:  # after a gap: no burst to catch up
            self._next = now
        self._next += period
        return True


class Uploader:
    """Captures, and sends to the server once it accepted this client as its sender.

    The link binds it (`bind`) and tells it what happens: `connected` (it asks to send), `answer` (the server's
    send_ok / send_refused), `disconnected`. A refused client asks again every RETRY_S, so it takes over once the
    sender stops. The status (`state`, `bytes_sent`, `age`) is for the client's status line.
    """

    QUEUE = 3  # frames between capture and sending: a quarter of a block; the oldest goes when it is full
    RETRY_S = 5.0
    REOPEN_S = 1.0
    MIN_QUALITY = 30
    STOP_WAIT_S = 1.0
    JOIN_S = 3.0  # the wait for each thread as the uploader stops

    def __init__(self, capture: Capture, say: Callable[[str], None], quality: int = proto.DEFAULT_QUALITY,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.monotonic):
        self.capture = capture
        self.say = say
        self.quality = quality
        self.state = "off"  # off (not connected), asking, sending, refused, failed
        self.bytes_sent = 0
        self.frames_sent = 0
        self.age: float | None = None  # how old the newest frame sent was when it had gone (capture to sent)
        self.queue: Mailbox[tuple[np.ndarray, float]] = Mailbox(self.QUEUE)
        self.gate = RateGate(12.0)
        # `wall` stamps captures, which the link's offset turns into the server's clock: the link's own clock
        # (monotonic), as a step of the wall clock since the offset was measured moved every capture by as much
        self._clock, self._wall = clock, wall
        self._send: Callable[[bytes | str], bool] = lambda message: False
        self._offset: Callable[[], float] = lambda: 0.0
        self._lock = threading.Lock()
        # held from the check that this client sends to the end of the send: a frame never follows send_stop on
        # the wire (the server would drop a client that sends frames it no longer takes)
        self._wire = threading.Lock()
        self._size: tuple[int, int] | None = None
        self._fit = "crop"
        self._seq = 0
        self._refusal_said = False
        self._asked_at = 0.0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._guarded, args=(self._capture_loop, "capture"), name="capture",
                                          daemon=True),
                         threading.Thread(target=self._guarded, args=(self._send_loop, "upload"), name="upload",
                                          daemon=True)]

    def bind(self, send: Callable[[bytes | str], bool], offset: Callable[[], float]) -> None:
        """`send` puts a message on the connection (False when there is none); `offset` is server − local time."""
        self._send, self._offset = send, offset

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def stop(self) -> None:
        """Tells the server the input stops, ends the threads and closes the capture; again: nothing. A capture
        thread still in a read after JOIN_S (a V4L2 read in a mode that gives nothing waits ~10 s) closes the
        capture itself as it leaves: OpenCV's capture released while another thread reads it can crash the
        program. Again it returns at once: the link stops it, then vcam cam as it ends, and a read stuck past JOIN_S
        held each stop that long."""
        if self._stop.is_set():
            return
        self._stop.set()
        self.capture.interrupt()  # a camera settling in its mode: the capture thread is out of it at its next read
        self.queue.close(drain=False)
        self._end("off")
        for t in self._threads:
            if t.ident is not None:
                t.join(self.JOIN_S)
        if self._threads[0].ident is None:  # never started: no capture thread to leave the capture to
            self.capture.close()

    # --- what the link says ---------------------------------------------------------------------------------
    def connected(self) -> None:
        with self._lock:
            if self.state == "failed":
                return
            self.state, self._asked_at, self._seq = "asking", self._clock(), 0
        self._send(proto.text("send"))

    def disconnected(self) -> None:
        with self._lock:
            if self.state != "failed":
                self.state = "off"
        self.queue.clear()

    def answer(self, data: dict) -> None:
        """The server's send_ok or send_refused."""
        if self._answered_after_failing(data):
            return
        if data["type"] == "send_refused":
            with self._lock:
                self.state, self._asked_at = "refused", self._clock()
                said, self._refusal_said = self._refusal_said, True
            why = data.get("message")  # the protocol's is text: anything else (None, a list) was printed as Python
            why = terminal_safe(why.strip()) if isinstance(why, str) and why.strip() else "it gave no reason"
            if not said:
                self.say(f"the server does not take this client's input: {why}; showing its "
                         f"video all the same, and asking again every {self.RETRY_S:g} s")
            return
        try:
            width, height, fps = int(data["width"]), int(data["height"]), float(data["fps"])
        except (KeyError, TypeError, ValueError, OverflowError):  # OverflowError: a width of Infinity
            self.say(f"the server's answer to sending makes no sense ({str(data)[:120]}): not sending")
            return
        if not (0 < width <= 8192 and 0 < height <= 8192 and 0.1 <= fps <= 240):
            self.say(f"the server asked for {width}x{height} at {rate_said(fps)} fps: not sending")
            return
        with self._lock:
            first = self.state != "sending"
            if self.state == "failed":
                return
            self.state, self._size, self._refusal_said = "sending", (width, height), False
            self._fit = data.get("fit") if data.get("fit") in ("crop", "letterbox", "stretch") else "crop"
            self.gate.fps = fps
        if first:
            self.say(f"sending {self.capture.name} as the server's input ({width}x{height}, at most {rate_said(fps)} "
                     "frames/s)")

    def _answered_after_failing(self, data: dict) -> bool:
        """An answer to a `send` asked just before a thread broke: the input stays FAILED (a refusal made it REFUSED,
        'asking again' with no thread left to ask), and a place the server gave is handed back with send_stop, where
        it stayed this client's for the connection and no other client could send."""
        with self._lock:
            if self.state != "failed":
                return False
        if data["type"] == "send_ok":  # failed is for good: no frame can follow this send_stop on the wire
            self._send(proto.text("send_stop"))
        return True

    # --- the threads ----------------------------------------------------------------------------------------
    def _guarded(self, loop: Callable[[], None], what: str) -> None:
        """Runs a thread's loop; a bug in it is said in one line and the input marked FAILED on the status line,
        where a traceback was printed and the status went on saying it was sending. The video keeps coming."""
        try:
            loop()
        except Exception as e:
            if self._stop.is_set():  # stopping: what broke no longer matters to the show
                return
            self.say(f"sending {self.capture.name} stopped: its {what} failed ({described(e)}); "
                     "the video goes on; start vcam cam again to send, and if it happens again, "
                     "run with VCAM_DEBUG=1 and keep the message")
            if os.environ.get("VCAM_DEBUG"):
                traceback.print_exc()
            self._end("failed")
            # the other thread leaves too: nothing more is sent, and a camera read for nothing is let go
            self.queue.close(drain=False)
            self.capture.interrupt()

    def _capture_loop(self) -> None:
        try:
            self._capture_until_stopped()
        finally:  # here, after the last read, whenever the loop ends: no other thread closes a capture in use
            self.capture.close()

    def _capture_until_stopped(self) -> None:
        while not self._stop.is_set() and self.state != "failed":
            self._fit_capture()
            frame = self.capture.read()
            if frame is None:
                if self._stop.is_set():  # a read or a settle cut short by the stop: no camera was lost
                    return
                if not self._capture_failed():
                    return
                continue
            self.offer(frame, self._wall())
            self._ask_again()

    def _ask_again(self) -> None:
        """Refused RETRY_S ago: asks again, the place may be free now. Looked at and changed in one step: a
        reconnect's ask answered (send_ok) between the look and this ask was asked again, the sending taken back to
        asking for the server's second answer, its frames numbered from 0 again."""
        with self._lock:
            if self.state != "refused" or self._clock() - self._asked_at < self.RETRY_S:
                return
            self.state, self._asked_at, self._seq = "asking", self._clock(), 0
        self._send(proto.text("send"))

    def _fit_capture(self) -> None:
        """Asks the capture for the mode of the server's stream, once its size is known: here, between two reads,
        as no read may run while a camera switches."""
        with self._lock:
            size = self._size
        if size is not None and (line := self.capture.fit_mode(*size)):
            self.say(line)

    def offer(self, frame: np.ndarray, captured: float) -> bool:
        """A captured frame (RGB, the time of its capture by the link's clock) into the queue, if it is time for one."""
        if self.state != "sending" or not self.gate.allow(self._clock()):
            return False
        self.queue.put((frame, captured))
        return True

    def _capture_failed(self) -> bool:
        """Says so; True when capture may go on (a camera is reopened as soon as it is back)."""
        if not self.capture.live:
            self.say(f"{self.capture.name} gives no more frames: the server's input stops here")
            self._end("failed")
            return False
        self.say(f"{self.capture.name} gives no frames (unplugged?): trying to reopen it every {self.REOPEN_S:g} s")
        while not self._stop.wait(self.REOPEN_S):
            # back once it gives a frame: a device that opens and gives none (still unplugging, or a loopback device
            # nobody writes to) was said back and lost again every REOPEN_S
            if self.capture.reopen() and (frame := self.capture.read()) is not None:
                self.say(f"{self.capture.name} is back")
                self.offer(frame, self._wall())
                return True
        return False

    def _end(self, state: str) -> None:
        """Stops sending (off or failed), telling the server when it was sending."""
        # a send stuck on a dead link must not hold up the end: the connection's close frees the place as well
        wire = self._wire.acquire(timeout=self.STOP_WAIT_S)
        try:
            with self._lock:
                sending, self.state = self.state == "sending", state
            if sending and wire:
                self._send(proto.text("send_stop"))
        finally:
            if wire:
                self._wire.release()

    def _send_loop(self) -> None:
        from vcam.live.frames import fit

        while (item := self.queue.get()) is not None:
            frame, captured = item
            with self._lock:
                size, how, sending = self._size, self._fit, self.state == "sending"
            if not sending or size is None:
                continue
            message = self._encode(fit(frame, size[0], size[1], how), captured)
            if message is None:
                continue
            with self._wire:
                sent = self.state == "sending" and self._send(message)
            if sent:
                self.bytes_sent += len(message)
                self.frames_sent += 1
                self.age = max(0.0, self._wall() - captured)

    def _encode(self, frame: np.ndarray, captured: float) -> bytes | None:
        message = proto.encode_input(frame, self._seq, captured + self._offset(), self.quality)
        if len(message) > proto.MAX_MESSAGE:  # the server would drop this client: less quality, or skip it
            if self.quality > self.MIN_QUALITY:
                self.quality -= 10
                self.say(f"an input frame of {len(message) // 1024} KB is over the server's limit: JPEG quality "
                         f"lowered to {self.quality}")
            return None
        self._seq += 1
        return message
