"""What `vcam serve` and `vcam cam` say to each other over WebSocket (no torch here: the client is light).

Frames are binary messages: a fixed header, then one JPEG. Everything else is a JSON text message:
    client → server  {"type": "command", "line": "preset 2"}   {"type": "ping", "t": <client time>}
    server → client  {"type": "reply", "text": ...}  {"type": "error", "message": ...}
                     {"type": "pong", "t": ..., "server": <server time>}  {"type": "state", ...}
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass

import numpy as np

MAGIC = b"VCF1"
# magic, seq, block, index in block, frames in block, server time of generation, width, height
HEADER = struct.Struct("<4sQIHHdHH")
MAX_TEXT = 8192
DEFAULT_PORT = 8765
DEFAULT_QUALITY = 80
TOKEN_ENV = "VCAM_TOKEN"  # where both ends read the token when --token is not given


class ProtocolError(ValueError):
    pass


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


def decode_frame(data: bytes) -> tuple[FrameHeader, np.ndarray]:
    import cv2

    if len(data) < HEADER.size or data[:4] != MAGIC:
        raise ProtocolError("not a vcam frame")
    magic, seq, block, index, count, sent_at, width, height = HEADER.unpack_from(data)
    img = cv2.imdecode(np.frombuffer(data, np.uint8, offset=HEADER.size), cv2.IMREAD_COLOR)
    if img is None or img.shape[:2] != (height, width):
        raise ProtocolError("damaged frame")
    return FrameHeader(seq, block, index, count, sent_at, width, height), cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def text(kind: str, **fields) -> str:
    return json.dumps({"type": kind, **fields})


def parse_text(message: str) -> dict:
    """A JSON object with a string "type"; ProtocolError otherwise."""
    if len(message) > MAX_TEXT:
        raise ProtocolError(f"message too long ({len(message)} characters, at most {MAX_TEXT})")
    try:
        data = json.loads(message)
    except json.JSONDecodeError as e:
        raise ProtocolError(f"not JSON ({e.msg})") from None
    except RecursionError:  # a few thousand brackets fit in MAX_TEXT and would end the connection
        raise ProtocolError("JSON nested too deeply") from None
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise ProtocolError('a message is a JSON object with a "type"')
    return data
