"""What `vcam serve` and `vcam cam` say to each other over WebSocket (no torch here: the client is light).

Frames are binary messages: a fixed header, then one JPEG. Generated frames go server → client (VCF1); input
frames go client → server (VCI1), from the one client the server accepted as its sender. Everything else is a JSON
text message:
    client → server  {"type": "command", "line": "preset 2", "typed": true} ("typed": a line typed by hand at its
                     console, whose failure on air it is told each time; absent for a knob's)
                     {"type": "ping", "t": <client time>}
                     {"type": "send"} (asks to send the input)   {"type": "send_stop"}
                     {"type": "got", "seq": N} (the newest frame received; not answered)
    server → client  {"type": "reply", "text": "<the command's answer>", "state": {...}}  {"type": "error",
                     "message": "<what was wrong>"} (text, either: a camera says any other value is of no use)
                     {"type": "pong", "t": ..., "server": <server time>, "acks": true, "block_s": S}
                     {"type": "state", ...}
                     {"type": "send_ok", "width": W, "height": H, "fps": F, "fit": "crop"} (again when F changes)
                     {"type": "send_refused", "message": ...}
                     {"type": "notice", "text": ...} (to the one client whose change failed as the show applied it,
                     after the reply to its command; one line)
A client that sends a binary message the server cannot use as its input is disconnected, with the reason in the
close frame: only the sender's frames reach the show, and a broken one must not hold the input. A frame whose JPEG
is whole and of the right size but whose picture data is damaged (CorruptFrame) is skipped instead, by either end,
and said once a minute with a count.

A generated frame's (block, index) is the one the server's own camera gives it, so that a state can name a frame:
its "screen" (live, freeze or blackout) comes with "screen_at": [block, index], the last frame the server's camera
showed before it took that mode (the one a freeze holds; null before any change, when no frame was on, or for a
change a replayed log made). vcam cam makes the change once that frame, or a later one, is on its own camera; a
state without "screen_at" (a server from before) is made on arrival. Its "preset" names the preset on air (null
for a typed prompt or a blend), with "preset_removed": true where the show file was edited to take it out while it
stayed on air (its name is then not in "presets"); a state without "preset_removed" (a server from before) names
no removed preset. Its "blend_knob" names the two presets a blend knob goes between where no blend is on air
(the server's rule: the preset on air and the next, or either side of where a removed one stood; null without two
presets); a client's knob takes the same pair, and one whose state has no "blend_knob" (a server from before)
goes from the preset on air, or from the first where its name is not in "presets". Either end ignores the keys it
does not know, and vcam cam a message of a type it does not know, so old and new ends work together: a server
from before applies a "typed" command as any other, and a camera from before reads no "notice". A pong with
"acks": true is from a server that holds the frames on the way to a client that says what it got to its link's pace
(inflight.py); only to such a server does a client send "got" (a server from before answers it with an error),
and only to a client that sends it does a server hold them. Its "block_s" is the usual gap between the blocks the
server makes (absent before it knows one, and from a server from before): the client waits that long, and more,
before it reads the stream as stalled (blockgaps.py).
"""
from __future__ import annotations

import json
import socket
import struct
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from vcam.errors import VcamError
from vcam.jpeg import bytes_reader, frame_size, segments, size_wanted
from vcam.sizes import MAX_SIDE

MAGIC = b"VCF1"
# magic, seq, block, index in block, frames in block, server time of sending (the clock its pongs give), width, height
HEADER = struct.Struct("<4sQIHHdHH")
MAX_TEXT = 8192
# A text message of the server, read by vcam cam: as long as the connection takes. Its state names every preset of
# the show (120 presets of long names passed MAX_TEXT: every camera took the server for one of another version).
MAX_SERVER_TEXT = 2**22
INPUT_MAGIC = b"VCI1"
# magic, seq, capture time in the server's clock (its pongs' "server": time.monotonic() there), width, height
INPUT_HEADER = struct.Struct("<4sQdHH")
# The largest message the server reads: an input frame is a JPEG of the stream's size, which stays well under
# this even for noise at 1280x720 (about 1.5 bytes a pixel at quality 80).
MAX_MESSAGE = 2**22
MAX_RECEIVED = 2**24  # the largest message vcam cam reads: a frame at MAX_SIDE a side of noise, with room
DEFAULT_PORT = 8765
# A camera's stats report a latency under this (seconds): more is a clock that jumped, not a link that lags
MAX_LATENCY_S = 3600.0
DEFAULT_QUALITY = 80
TOKEN_ENV = "VCAM_TOKEN"  # where both ends read the token when --token is not given
GOING_AWAY = 1001  # RFC 6455's close code for a server going down
STOPPED = "the show on the server ended"  # the close reason each client gets when vcam serve stops
# vcam serve's HTTP 503 to a camera that comes as it stops
ENDING = "the show on this server is ending; vcam cam connects again when it is back"
UNREAD = "the show's state could not be read on the server"  # the close's reason where a client's first state failed
# The close frame the websockets library's keepalive sends when a ping's pong does not come in time (the other end
# asleep or stopped, or a tunnel stalled). Its code, 1011 (internal error), is the library's other failures' too:
# the reason, which travels in the frame, is what tells the keepalive's apart.
KEEPALIVE_CLOSE = (1011, "keepalive ping timeout")


def given_token(flag: str | None, env: Mapping[str, str]) -> str | None:
    """The token `--token` (`flag`) or VCAM_TOKEN gives, without the spaces and line ends round it (a value pasted
    with a space, a file read with its line end); None where neither gives one. The server strips the token a
    client sends: one given with them on both ends was refused on every try. VcamError for a token the HTTP header
    that carries it cannot hold (a €, a line break inside): vcam cam failed on it at every try, until --duration."""
    token = (flag or env.get(TOKEN_ENV) or "").strip()
    bad = next((c for c in token if c != "\t" and not (" " <= c <= "~" or "\x80" <= c <= "\xff")), None)
    if bad is not None:
        raise VcamError(f"the token (--token or {TOKEN_ENV}) holds {bad!r}, which the HTTP header that carries it "
                        "cannot hold", "pick a token of letters, digits and ASCII punctuation (openssl rand -hex 16 "
                        "makes one), and give the same to vcam serve and vcam cam")
    return token or None


@dataclass(frozen=True)
class Keepalive:
    """Both ends ping the other every `every` s and drop the connection when a pong takes over `timeout` s;
    `close` is how long the closing handshake of a connection that failed is waited for."""

    every: float = 20.0
    timeout: float = 20.0
    close: float = 10.0

    def options(self) -> dict[str, float]:
        """As the websockets library's connect() and serve() take them."""
        return {"ping_interval": self.every, "ping_timeout": self.timeout, "close_timeout": self.close}


def cut(ws) -> None:
    """Shuts a connection's socket down under a write blocked on it (a peer that stopped reading, a dropped wifi):
    the write fails, and the connection ends, where its close would wait for that write's lock."""
    try:
        ws.socket.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass


def keepalive_ended(error: BaseException | None) -> str | None:
    """Which end's keepalive ended a connection, from the ConnectionClosed the library raised: "here" where this
    end's pings went unanswered (it sent the keepalive's close first), "there" where the other end's did (its close
    came first); None for any other end."""
    sent, received = getattr(error, "sent", None), getattr(error, "rcvd", None)
    sent_first = sent is not None and (received is None or not getattr(error, "rcvd_then_sent", False))
    first = sent if sent_first else received
    if first is None or (first.code, first.reason) != KEEPALIVE_CLOSE:
        return None
    return "here" if sent_first else "there"


NOT_A_FRAME = "not a vcam frame"


class ProtocolError(ValueError):
    pass


CORRUPT = "damaged frame (whole, but its picture data is corrupt)"


class CorruptFrame(ProtocolError):
    """A frame whose header and JPEG are whole and of the right size, but whose picture data does not decode: it
    is skipped, where a frame of another kind says its sender is broken."""


@dataclass(frozen=True)
class FrameHeader:
    seq: int
    block: int
    index: int
    count: int
    sent_at: float
    width: int
    height: int


def encode_frame(frame: np.ndarray, header: FrameHeader, quality: int = DEFAULT_QUALITY) -> bytes:
    """RGB uint8 [H, W, 3] → header + JPEG."""
    import cv2

    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ProtocolError("JPEG encoding failed")
    h = header
    return HEADER.pack(MAGIC, h.seq, h.block, h.index, h.count, h.sent_at, h.width, h.height) + jpeg.tobytes()


def frame_seq(data: bytes) -> int | None:
    """The number of a generated frame, read from its header alone; None for anything else."""
    if len(data) < HEADER.size or data[:4] != MAGIC:
        return None
    return HEADER.unpack_from(data)[1]


def decode_frame(data: bytes) -> tuple[FrameHeader, np.ndarray]:
    """A frame from vcam serve → its header and RGB frame; ProtocolError saying what is wrong (CorruptFrame where
    only its picture data is). The JPEG's own size is read before it is decoded (as an input frame's): a few bytes
    can claim a picture of gigabytes."""
    if len(data) < HEADER.size or data[:4] != MAGIC:
        raise ProtocolError(NOT_A_FRAME)
    magic, seq, block, index, count, sent_at, width, height = HEADER.unpack_from(data)
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        raise ProtocolError(f"damaged frame (it claims {width}x{height}; a stream is at most {MAX_SIDE} a side)")
    rgb = _decoded(memoryview(data)[HEADER.size:], (width, height))
    if rgb is None:
        raise ProtocolError("damaged frame")
    return FrameHeader(seq, block, index, count, sent_at, width, height), rgb


def text(kind: str, **fields) -> str:
    """A text message. Its characters as they are, not escaped (ensure_ascii): a prompt of 2000 characters, as a
    command may give, of a language written outside ASCII took 6 characters each and passed MAX_TEXT, refused by
    the server as 'message too long'. A frame's text is UTF-8 on the wire, and a server from before reads it.
    Escaped where it must be: a name of bytes other than UTF-8 (a file named in Latin-1, from the command line or
    a folder) holds a lone surrogate, which no UTF-8 carries; unescaped, its send failed and cut the client off."""
    message = json.dumps({"type": kind, **fields}, ensure_ascii=False)
    try:
        message.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps({"type": kind, **fields})
    return message


def parse_text(message: str, limit: int = MAX_TEXT) -> dict:
    """A JSON object with a string "type"; ProtocolError otherwise. `limit`: MAX_TEXT for a client's messages,
    MAX_SERVER_TEXT for the server's."""
    if len(message) > limit:
        raise ProtocolError(f"message too long ({len(message)} characters, at most {limit})")
    try:
        data = json.loads(message)
    except json.JSONDecodeError as e:
        raise ProtocolError(f"not JSON ({e.msg})") from None
    except RecursionError:  # a few thousand brackets fit in MAX_TEXT and would end the connection
        raise ProtocolError("JSON nested too deeply") from None
    except ValueError as e:  # Python reads no integer of over 4300 digits: it ended the connection without a word
        raise ProtocolError(f"not JSON ({str(e).split(':')[0].lower()})") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError('a message is a JSON object with a "type"')
    return data


@dataclass(frozen=True)
class InputHeader:
    seq: int
    captured_at: float  # the server's clock (its pongs' "server") when the frame was captured
    width: int
    height: int


def encode_input(frame: np.ndarray, seq: int, captured_at: float, quality: int = DEFAULT_QUALITY) -> bytes:
    """An input frame, RGB uint8 [H, W, 3] → header + JPEG."""
    import cv2

    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(frame, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ProtocolError("JPEG encoding failed")
    h, w = frame.shape[:2]
    return INPUT_HEADER.pack(INPUT_MAGIC, seq, captured_at, w, h) + jpeg.tobytes()


def decode_input(data: bytes, size: tuple[int, int]) -> tuple[InputHeader, np.ndarray]:
    """An input frame of `size` (width, height) → its header and RGB frame; ProtocolError saying what is wrong
    (CorruptFrame where only its picture data is). The JPEG's own size is read before it is decoded: a few bytes
    can claim a picture of gigabytes."""
    if len(data) < INPUT_HEADER.size or data[:4] != INPUT_MAGIC:
        raise ProtocolError("not an input frame (a binary message must start with the VCI1 header)")
    _, seq, captured_at, width, height = INPUT_HEADER.unpack_from(data)
    if (width, height) != size:
        raise ProtocolError(f"an input frame of {width}x{height}; the stream takes {size[0]}x{size[1]}")
    if not np.isfinite(captured_at):
        raise ProtocolError("an input frame without a capture time")
    rgb = _decoded(memoryview(data)[INPUT_HEADER.size:], size)
    if rgb is None:
        raise ProtocolError("a damaged input frame (not a whole JPEG of the size its header gives)")
    return InputHeader(seq, captured_at, width, height), rgb


def _decoded(jpeg: memoryview, size: tuple[int, int]) -> np.ndarray | None:
    """A whole JPEG of `size` (width, height) as RGB; None where it is another size, cut short or does not decode;
    CorruptFrame where it has the right size and ends whole, but its picture data is damaged. The size is read
    from its header first, so only a picture of the size expected is ever allocated."""
    if jpeg_size(jpeg) != size or bytes(jpeg[-2:]) != b"\xff\xd9":
        return None
    frame = _jpeg_frame(jpeg, size)
    if frame is None or (frame.width, frame.height) != size:
        return None
    return _rgb(frame)


def _jpeg_frame(jpeg: memoryview, size: tuple[int, int]):
    """The JPEG decoded by FFmpeg (PyAV), not by libjpeg: OpenCV's imdecode lets libjpeg print a "Corrupt JPEG
    data" line of its own on the process's stderr for each damaged frame, past any log level, where the link says
    damaged frames once a minute. FFmpeg's decoder, told to fail on damage, raises instead, and prints nothing
    (PyAV keeps FFmpeg's log off; where it was turned on, its lines are caught here)."""
    import av

    ctx = av.CodecContext.create("mjpeg", "r")
    # one thread: a frame comes out of the packet that holds it; max_pixels (with room for the rounding up to whole
    # blocks): no later header in the data makes it allocate a bigger picture
    ctx.thread_count = 1
    ctx.options = {"err_detect": "explode", "max_pixels": str((size[0] + 32) * (size[1] + 32))}
    with av.logging.Capture():
        try:
            frames = [*ctx.decode(av.Packet(bytes(jpeg))), *ctx.decode(None)]
        except av.error.FFmpegError:
            raise CorruptFrame(CORRUPT) from None
    return frames[0] if len(frames) == 1 else None


# FFmpeg's planar full-range YCbCr, each chroma plane upsampled to the picture's size
_YCBCR = {"yuvj420p", "yuvj422p", "yuvj440p", "yuvj444p"}


def _rgb(frame) -> np.ndarray:
    """A decoded JPEG as RGB uint8, as libjpeg makes it: chroma upsampled linearly with its samples centred, and
    JPEG's full-range formula. swscale's own conversion (to_ndarray("rgb24")) lands further from the picture
    sent (its chroma half a pixel off): used only for the rarer kinds (greyscale, CMYK)."""
    import cv2

    if frame.format.name not in _YCBCR:
        return frame.to_ndarray(format="rgb24")
    w, h = frame.width, frame.height
    y, cb, cr = (np.frombuffer(p, np.uint8).reshape(-1, p.line_size)[:p.height, :p.width] for p in frame.planes)

    def full(plane: np.ndarray) -> np.ndarray:
        return plane if plane.shape == (h, w) else cv2.resize(plane, (w, h), interpolation=cv2.INTER_LINEAR)

    return cv2.cvtColor(cv2.merge([y, full(cr), full(cb)]), cv2.COLOR_YCrCb2RGB)


def jpeg_size(data) -> tuple[int, int] | None:
    """(width, height) from a JPEG's start-of-frame segment, without decoding; None when there is none. Markers past
    an end of image are read on, as FFmpeg's decoder does; no step limit but the data's length."""
    return frame_size(segments(bytes_reader(data), size_wanted, steps=len(data)))
