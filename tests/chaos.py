"""A seeded chaos run against vcam serve's network side: one FrameServer in this process, one camera that behaves
(it reads every frame, in order), and clients that misbehave on a schedule drawn from a seed: cut mid-handshake,
mid-message or mid-upload, garbage and oversized frames, readers that stop reading, two clients asking for the
input at once, commands flooding while another camera reconnects, uploads while the operator switches the input, and
the server's stop while all of it goes on. A failure names its seed; test_remote_chaos.run(local_servers, seed)
replays it.

Each misbehaving client records how it ended (`Ending`); test_remote_chaos.check holds the run to its invariants.
"""
from __future__ import annotations

import json
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from vcam.remote import protocol as proto

HANDSHAKE = (b"GET /?role=control HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
# The stream's size (width, height); its frames are noise, so that each is tens of kB and a reader that stops
# fills the server's socket buffer in a second, as a real stream does
SIZE = (160, 96)
INPUTS = ("camera", "clip", "none")  # what the operator switches the show's input to while a client uploads
WAIT_S = 30.0  # generous: a loaded machine is slow, never wrong
SMALL_BUFFER = 4096  # a slow reader's receive buffer: the server's writes block soon after it stops reading


@dataclass
class Ending:
    """How one misbehaving client ended: the close frame it got (code, reason), or how its socket ended."""
    action: str
    code: int | None = None
    reason: str = ""
    how: str = ""  # "closed", "reset", "eof", "cut by us", "refused", "timeout"


class Show:
    """Publishes numbered blocks of small frames until stopped; its state names its input, which the operator
    switches (`switch_input`) and the uploads' sender takes (`on_sender`, as vcam serve's SenderSwitch)."""

    def __init__(self, server, every_s: float = 0.03):
        self.server = server
        self.every_s = every_s
        self.blocks = 0
        self.input = "camera"
        self.sender_events: list[bool] = []  # on_sender's calls, in order
        server.state = lambda: {"screen": "live", "input": self.input}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chaos-show", daemon=True)
        noise = np.random.default_rng(0)
        self._noise = noise.integers(0, 256, (4, SIZE[1], SIZE[0], 3), np.uint8)

    def start(self) -> None:
        self._thread.start()

    def switch_input(self, rng: random.Random) -> None:
        """The operator types `input X`: the state goes out to every client."""
        self.input = rng.choice(INPUTS)
        self.server.broadcast_state()

    def on_sender(self, started: bool) -> None:
        self.sender_events.append(started)
        self.input = "net" if started else "camera"

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(WAIT_S)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.server.publish(self._noise, self.blocks)
            self.blocks += 1


class Watcher:
    """The camera that behaves: reads everything, and holds that its frames come in order (by seq, and by block
    and index within the stream), and how its connection ended."""

    def __init__(self, url: str):
        self.url = url
        self.frames = 0
        self.out_of_order: list[tuple] = []
        self.ending: tuple | None = None
        self._last: tuple[int, int, int] = (-1, -1, -1)
        self._cond = threading.Condition()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, name="chaos-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()
        assert self._ready.wait(WAIT_S), "the well-behaved camera could not connect"

    def more_frames(self, n: int = 1, timeout: float = WAIT_S) -> bool:
        """Whether `n` more frames come within `timeout`."""
        with self._cond:
            target = self.frames + n
            return self._cond.wait_for(lambda: self.frames >= target or self.ending is not None, timeout) \
                and self.frames >= target

    def join(self, timeout: float = WAIT_S) -> bool:
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        from websockets.exceptions import ConnectionClosed
        from websockets.sync.client import connect

        try:
            with connect(self.url, proxy=None, max_size=proto.MAX_RECEIVED, close_timeout=2, open_timeout=WAIT_S,
                         ping_interval=None) as ws:
                self._ready.set()
                ws.send(proto.text("ping"))  # its pong says whether the server takes acks, as vcam cam's link asks
                acks = False
                while True:
                    message = ws.recv(timeout=WAIT_S)
                    if isinstance(message, bytes):
                        self._frame(message)
                        if acks:  # as vcam cam does: the server paces its frames to them (inflight.py)
                            ws.send(proto.text("got", seq=proto.frame_seq(message)))
                    elif json.loads(message).get("type") == "pong":
                        acks = json.loads(message).get("acks") is True
        except ConnectionClosed as e:
            got = e.rcvd
            self._end((got.code, got.reason) if got is not None else ("no close frame", str(e)))
        except Exception as e:  # noqa: BLE001 - anything else is how it ended, checked by the run
            self._end(("failed", f"{e.__class__.__name__}: {e}"))
        finally:
            self._ready.set()

    def _frame(self, message: bytes) -> None:
        header = proto.HEADER.unpack_from(message)
        seq, block, index = header[1], header[2], header[3]
        key = (seq, block, index)
        with self._cond:
            if not (seq > self._last[0] and (block, index) > self._last[1:]):
                self.out_of_order.append((self._last, key))
            self._last = key
            self.frames += 1
            self._cond.notify_all()

    def _end(self, ending: tuple) -> None:
        with self._cond:
            self.ending = ending
            self._cond.notify_all()


# --- raw sockets: what no library sends -----------------------------------------------------------------------
def raw_socket(port: int, buffer: int | None = None) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if buffer is not None:  # before connect, so the window the server sees is small from the start
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, buffer)
    s.settimeout(WAIT_S)
    s.connect(("127.0.0.1", port))
    return s


def reset(s: socket.socket) -> None:
    """Closes with a reset, as a laptop whose process was killed or whose wifi went."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def upgraded(port: int, buffer: int | None = None) -> socket.socket:
    """A raw socket past its WebSocket handshake (101)."""
    s = raw_socket(port, buffer)
    s.sendall(HANDSHAKE)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = s.recv(1024)
        if not chunk:
            raise ConnectionError(f"closed during the handshake: {answer!r}")
        answer += chunk
    status = answer.split(b"\r\n")[0]
    if b" 101 " not in status:
        raise ConnectionError(f"refused: {status!r}")
    return s


def masked(opcode: int, payload: bytes, fin: bool = True) -> bytes:
    """One client frame (masked, as RFC 6455 has clients send)."""
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 2**16:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    mask = b"\x01\x02\x03\x04"
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def drained_close(s: socket.socket, timeout: float = WAIT_S) -> tuple[int | None, str, str]:
    """Reads a raw connection until the server ends it, or `timeout`: the close frame's (code, reason) where one
    came, and how it ended ("timeout": the server kept it, and it is left to the caller)."""
    frames = ServerFrames()
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            s.settimeout(left)
            chunk = s.recv(1 << 16)
            if not chunk:
                return None, "", "eof"
            for opcode, payload in frames.feed(chunk):
                if opcode == 0x8:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    return code, payload[2:].decode("utf-8", "replace"), "closed"
    except TimeoutError:
        pass
    except ConnectionResetError:
        return None, "", "reset"
    return None, "", "timeout"


class ServerFrames:
    """The server's (unmasked, unfragmented) frames out of a raw stream, fed in chunks."""

    def __init__(self):
        self._data = b""

    def feed(self, chunk: bytes) -> list[tuple[int, bytes]]:
        self._data += chunk
        out = []
        while (frame := self._one()) is not None:
            out.append(frame)
        return out

    def _one(self) -> tuple[int, bytes] | None:
        data = self._data
        if len(data) < 2:
            return None
        opcode, n, j = data[0] & 0x0F, data[1] & 0x7F, 2
        if n == 126:
            if len(data) < 4:
                return None
            n, j = struct.unpack_from("!H", data, 2)[0], 4
        elif n == 127:
            if len(data) < 10:
                return None
            n, j = struct.unpack_from("!Q", data, 2)[0], 10
        if len(data) < j + n:
            return None
        self._data = data[j + n:]
        return opcode, data[j:j + n]


def ws_client(url: str, **kw):
    from websockets.sync.client import connect

    return connect(url, proxy=None, max_size=proto.MAX_RECEIVED, open_timeout=WAIT_S, close_timeout=2,
                   ping_interval=None, **kw)


def closed_with(ws) -> tuple[int | None, str, str]:
    """Reads a library connection to its end: the close frame the server sent, and how it ended."""
    from websockets.exceptions import ConnectionClosed

    try:
        while True:
            ws.recv(timeout=WAIT_S)
    except ConnectionClosed as e:
        got = e.rcvd
        return (got.code, got.reason, "closed") if got is not None else (None, "", "no close frame")
    except TimeoutError:
        return None, "", "timeout"


def replies(ws, kind: str, timeout: float = WAIT_S) -> dict | None:
    """The first text message of `kind` (or of an ending kind the run can tell apart), skipping frames."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        message = ws.recv(timeout=left)
        if isinstance(message, str):
            data = json.loads(message)
            if data["type"] in (kind, "send_refused"):
                return data
    return None


@dataclass
class Chaos:
    """One seeded run: its server, show, well-behaved camera, and what each misbehaving client saw."""
    seed: int
    server: object
    show: Show
    watcher: Watcher
    rng: random.Random
    endings: list[Ending] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # a misbehaving client's own unexpected error
    queued: list[int] = field(default_factory=list)  # the most frames and texts any served client held, sampled
    stopping: threading.Event = field(default_factory=threading.Event)  # the server's stop has begun
    cam: object = None  # vcam cam's link, held by the run
    stop_s: float = 0.0  # how long the server's stop took
    left: list[str] = field(default_factory=list)  # misbehaving clients still running after the stop
    cam_told: bool = False  # vcam cam said the show ended
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.server.port}"

    def ended(self, action: str, code: int | None = None, reason: str = "", how: str = "") -> None:
        with self._lock:
            self.endings.append(Ending(action, code, reason, how))

    # --- the misbehaviours: each one client, run on its own thread ---------------------------------------------
    ACTIONS = ("cut_handshake", "cut_mid_message", "garbage", "oversized", "stray_binary", "slow_reader",
               "duplicate_login", "command_flood", "uploader", "send_toggle")

    def cut_handshake(self, rng: random.Random) -> None:
        s = raw_socket(self.port)
        s.sendall(HANDSHAKE[:rng.randrange(1, len(HANDSHAKE))])
        reset(s)
        self.ended("cut_handshake", how="cut by us")

    def cut_mid_message(self, rng: random.Random) -> None:
        s = upgraded(self.port)
        whole = masked(rng.choice((0x1, 0x2)), bytes(rng.randrange(256) for _ in range(rng.randrange(200, 5000))))
        s.sendall(whole[:rng.randrange(2, len(whole) - 1)])
        reset(s)
        self.ended("cut_mid_message", how="cut by us")

    def garbage(self, rng: random.Random) -> None:
        s = upgraded(self.port)
        # reserved bits set: no valid frame starts so, whatever follows
        s.sendall(bytes([0x70 | rng.randrange(16)]) + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))))
        self.ended("garbage", *drained_close(s))
        s.close()

    def oversized(self, rng: random.Random) -> None:
        s = upgraded(self.port)
        # only the header claims it: the server must refuse by the length, not read 4 MB first
        head = bytes([0x82, 0x80 | 127]) + struct.pack("!Q", proto.MAX_MESSAGE + 1 + rng.randrange(1 << 20))
        s.sendall(head + b"\0\0\0\0" + bytes(rng.randrange(1, 4096)))
        self.ended("oversized", *drained_close(s))
        s.close()

    def stray_binary(self, rng: random.Random) -> None:
        with ws_client(self.url) as ws:
            ws.send(bytes(rng.randrange(1, 2000)))
            self.ended("stray_binary", *closed_with(ws))

    def slow_reader(self, rng: random.Random) -> None:
        s = upgraded(self.port, buffer=SMALL_BUFFER)
        times = rng.choice((0.3, 1.5, 4.0))
        self._sample_queues_for(self.server.settings.stall_timeout * times)
        if rng.random() < 0.3:
            reset(s)
            self.ended("slow_reader", how="cut by us")
            return
        # stalled far past the server's timeout, it must have been dropped; else it reads a while, then goes
        code, reason, how = drained_close(s, WAIT_S if times > 3 else rng.uniform(0.1, 1.0))
        self.ended("slow_reader", code, reason, "cut by us" if how == "timeout" and times < 3 else how)
        reset(s)

    def duplicate_login(self, rng: random.Random) -> None:
        """Two connections of one camera (a laptop that reconnected before its old connection was seen to go),
        both asking for the input: one gets it, the other a refusal with a reason."""
        with ws_client(self.url) as a, ws_client(self.url) as b:
            a.send(proto.text("send"))
            b.send(proto.text("send"))
            answers = sorted(filter(None, (replies(a, "send_ok"), replies(b, "send_ok"))), key=lambda d: d["type"])
            kinds = [d["type"] for d in answers]
            if kinds != ["send_ok", "send_refused"] and not self._input_taken(kinds):
                self.failures.append(f"duplicate_login: the two asks got {kinds}")
            for ws in rng.sample((a, b), 2):
                reset(ws.socket)
        self.ended("duplicate_login", how="cut by us")

    def send_toggle(self, rng: random.Random) -> None:
        """Asks for the input and gives it up, over and over, reading nothing, then goes as it asks again."""
        with ws_client(self.url) as ws:
            for _ in range(rng.randrange(1, 30)):
                ws.send(proto.text("send"))
                if rng.random() < 0.7:
                    ws.send(proto.text("send_stop"))
            reset(ws.socket)
        self.ended("send_toggle", how="cut by us")

    def _input_taken(self, kinds: list[str]) -> bool:
        """Both refused: another chaos client (an uploader) holds the input, which is right."""
        return kinds == ["send_refused", "send_refused"]

    def command_flood(self, rng: random.Random) -> None:
        """Commands sent without reading a reply, while another camera reconnects over and over."""
        s = upgraded(self.port, buffer=SMALL_BUFFER)
        again = threading.Thread(target=self._reconnects, args=(rng.randrange(2, 6),), daemon=True)
        again.start()
        try:
            for i in range(rng.randrange(50, 400)):
                s.sendall(masked(0x1, proto.text("command", line=f"preset {i}").encode()))
        except OSError:  # the server cut it for not reading: its reason is read below where it came
            pass
        again.join(WAIT_S)
        code, reason, how = drained_close(s, rng.uniform(0.0, 1.0))  # the replies, a while
        self.ended("command_flood", code, reason, "cut by us" if how == "timeout" else how)
        reset(s)

    def _reconnects(self, times: int) -> None:
        for _ in range(times):
            try:
                with ws_client(self.url) as ws:
                    if replies(ws, "state") is None and not self.stopping.is_set():
                        self.failures.append("a reconnecting camera got no state")
            except Exception as e:  # noqa: BLE001 - a full server's refusal is said, and right; the stop ends it
                if "503" not in str(e) and not self.stopping.is_set():
                    self.failures.append(f"a reconnecting camera failed: {e.__class__.__name__}: {e}")

    def uploader(self, rng: random.Random) -> None:
        """Asks for the input, sends frames at the size it was given while the operator switches the show's input,
        and ends cut mid-frame, or after a while, or at the server's word."""
        s = upgraded(self.port)
        s.sendall(masked(0x1, proto.text("send").encode()))
        size = self._send_ok(s)
        if size is None:
            reset(s)
            self.ended("uploader", how="refused")
            return
        try:
            for seq in range(rng.randrange(5, 40)):
                if rng.random() < 0.2:
                    self.show.switch_input(rng)
                frame = np.full((size[1], size[0], 3), seq % 256, np.uint8)
                data = masked(0x2, proto.encode_input(frame, seq, time.monotonic()))
                if rng.random() < 0.05:  # cut mid-upload
                    s.sendall(data[:rng.randrange(2, len(data) - 1)])
                    reset(s)
                    self.ended("uploader", how="cut by us")
                    return
                s.sendall(data)
        except OSError:  # dropped (its pings unanswered, the stop): its reason is read below
            pass
        code, reason, how = drained_close(s, rng.uniform(0.0, 1.0))  # dropped for a size gone, or still taken
        self.ended("uploader", code, reason, "cut by us" if how == "timeout" else how)
        reset(s)

    def _send_ok(self, s: socket.socket) -> tuple[int, int] | None:
        """Reads a raw connection until its send_ok (the size to send) or send_refused (None)."""
        frames = ServerFrames()
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            chunk = s.recv(1 << 16)
            if not chunk:
                return None
            for opcode, payload in frames.feed(chunk):
                fields = json.loads(payload) if opcode == 0x1 else {}
                if fields.get("type") == "send_ok":
                    return fields["width"], fields["height"]
                if opcode == 0x8 or fields.get("type") == "send_refused":
                    return None
        return None

    # --- sampling ----------------------------------------------------------------------------------------------
    def _sample_queues_for(self, seconds: float) -> None:
        """What every served client holds queued, sampled while a reader is stalled (the most is kept)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.queued.append(max((c.messages_held() for c in self.server._clients()), default=0))
            time.sleep(0.05)


class Uploads:
    """The show's side of the input: counts the frames it gets."""

    def __init__(self):
        self.frames = 0

    def push(self, frame: np.ndarray, at: float | None = None) -> None:
        self.frames += 1


def schedule(rng: random.Random, steps: int, most_at_once: int) -> list[list[str]]:
    """The misbehaviours, step by step: each step's run at once, the last one's cut by the server's stop."""
    return [rng.choices(Chaos.ACTIONS, k=rng.randint(1, most_at_once)) for _ in range(steps)]


def start_actions(chaos: Chaos, names: list[str]) -> list[threading.Thread]:
    threads = []
    for i, name in enumerate(names):
        rng = random.Random(chaos.rng.random())

        def one(name=name, rng=rng):
            try:
                getattr(chaos, name)(rng)
            except Exception as e:  # noqa: BLE001 - as the server stops, any end is its to give; else a failure
                what = f"{e.__class__.__name__}: {e}"
                if chaos.stopping.is_set() or "503" in what:  # a full server's refusal is said, and right
                    chaos.ended(name, how=what)
                else:
                    chaos.failures.append(f"{name}: {what}")

        t = threading.Thread(target=one, name=f"chaos-{name}-{i}", daemon=True)
        t.start()
        threads.append(t)
    return threads


def joined(threads: list[threading.Thread], timeout: float) -> list[str]:
    """The names of the threads still running after `timeout` in all."""
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
    return [t.name for t in threads if t.is_alive()]
