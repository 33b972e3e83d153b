"""The boxes an MP4 or MOV file is made of, read by their headers alone: a recording counts its whole fragments
with them, a clip looks for movie fragments before it trusts the sample table."""
from __future__ import annotations

import struct
from collections.abc import Iterator


def box(f, pos: int) -> tuple[int, bytes, int] | None:
    """(size, type, header length) of the MP4 box at `pos`: size 0 runs to the end of its parent, size 1 is read from
    the 64-bit largesize after the type, which makes the header 16 bytes. None when the header is cut short."""
    f.seek(pos)
    head = f.read(16)
    if len(head) < 8:
        return None
    size, kind = struct.unpack(">I4s", head[:8])
    if size != 1:
        return size, kind, 8
    if len(head) < 16:
        return None
    return struct.unpack(">Q", head[8:16])[0], kind, 16


def children(f, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(kind, position of its content, its end) of each box between `start` and `end`, up to the first whose header
    is cut short or that runs past `end`."""
    pos = start
    while pos + 8 <= end:
        found = box(f, pos)
        if found is None:
            return
        size, kind, skip = found
        if size == 0:
            size = end - pos
        if size < skip or pos + size > end:
            return
        yield kind, pos + skip, pos + size
        pos += size


def inside(f, spans: list[tuple[int, int]], kind: bytes) -> list[tuple[int, int]]:
    """The (content start, end) of every `kind` box directly inside each span."""
    return [(start, end) for span in spans for k, start, end in list(children(f, *span)) if k == kind]
