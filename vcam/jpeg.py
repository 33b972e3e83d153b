"""A JPEG's segments walked by their headers, without decoding it: the one walk that finds the size of a picture
file (and its EXIF turn) and of an input frame on the wire."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

# Markers that carry no length (TEM, the restarts, a start and an end of image), and the start-of-frame markers,
# which hold the picture's size (C4, C8 and CC, in their range, are other segments)
STANDALONE = frozenset({0x01, *range(0xD0, 0xDA)})
SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
SOS = 0xDA

# A file's segments walked at most: a handful in any real one, where a damaged file may run on for its length
MAX_STEPS = 1000


def segments(read: Callable[[int, int], bytes], wanted: Callable[[int], int],
             steps: int = MAX_STEPS) -> Iterator[tuple[int, bytes]]:
    """The markers of a JPEG's segments before its scan (SOS), each with the first `wanted(marker)` bytes of its
    body (-1: all of it; 0: none, left unread); a marker with no length comes with none, and fill bytes (FF) between
    segments are passed over as libjpeg and FFmpeg pass them (unlike them, other bytes between segments end the walk
    rather than being skipped to the next marker). `read(at, count)`: `count` bytes from offset `at`,
    fewer where the data ends. Nothing for data that does not start as a JPEG, and none past data cut short or a
    byte that is no marker where one must be; at most `steps` markers and fill bytes."""
    if read(0, 2) != b"\xff\xd8":
        return
    at = 2
    for _ in range(steps):
        head = read(at, 4)
        if len(head) < 4 or head[0] != 0xFF or head[1] == SOS:
            return
        if head[1] == 0xFF:  # a fill byte before the marker
            at += 1
            continue
        if head[1] in STANDALONE:
            yield head[1], b""
            at += 2
            continue
        length = int.from_bytes(head[2:4], "big") - 2
        if length < 0:
            return
        size = wanted(head[1])
        yield head[1], read(at + 4, length if size < 0 else min(size, length)) if size else b""
        at += 4 + length


def size_wanted(marker: int) -> int:
    """What a walk for the size reads of a segment's body: a frame header's precision, height and width."""
    return 5 if marker in SOF else 0


def frame_size(walked: Iterable[tuple[int, bytes]]) -> tuple[int, int] | None:
    """(width, height) from the first start-of-frame segment of `walked` (read with size_wanted); None where there is
    none, or it is cut short."""
    for marker, body in walked:
        if marker in SOF:
            return sof_size(body)
    return None


def sof_size(body: bytes) -> tuple[int, int] | None:
    """(width, height) from a start-of-frame segment's first five bytes (the header gives the height first); None
    where it is cut short."""
    return (int.from_bytes(body[3:5], "big"), int.from_bytes(body[1:3], "big")) if len(body) == 5 else None


def bytes_reader(data) -> Callable[[int, int], bytes]:
    """`read` for `segments` over data held whole (bytes, a memoryview)."""
    return lambda at, count: bytes(data[at:at + count])
