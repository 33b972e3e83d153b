"""Frame helpers shared by the outputs: fitting into an output size, cross-fades, title cards."""
from __future__ import annotations

import os
import threading
import zlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from vcam import jpeg
from vcam.errors import EMPTY_FIX, IMAGE_FIX, READ_FIX, FileNamingError
from vcam.inspec import HEIC_FIX, HEIC_WHY, alike_fix, is_heic
from vcam.words import shell_word

if TYPE_CHECKING:
    import av


class Repeated:
    """`work` on a frame, its result kept for the same array given again: the camera's ticks repeat a frame between
    generated ones and for all of a stall or a freeze, and what each output makes of it need not be made anew."""

    def __init__(self, work: Callable[[np.ndarray], np.ndarray]):
        self._work = work
        self._last: tuple[np.ndarray, np.ndarray] | None = None
        self.made = 0  # frames worked on (a repeated one is not)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        if self._last is None or self._last[0] is not frame:
            self._last = (frame, self._work(frame))
            self.made += 1
        return self._last[1]

# OpenCV's log levels (cv::utils::logging::LogLevel, the same numbers in every 4.x and 5.x)
LOG_SILENT, LOG_ERROR = 0, 2


def cv2_logging(cv2: ModuleType) -> ModuleType:
    """Where this OpenCV keeps setLogLevel and getLogLevel: cv2.utils.logging from 4.13 (pyproject's floor, and
    every 5.x), the cv2 module itself in 4.11 and 4.12, which an install made before the floor rose may still have."""
    return getattr(cv2.utils, "logging", cv2)


def quiet_cv2():
    """The cv2 module, its own warnings and FFmpeg's lines on the terminal lowered: a damaged clip would print a raw
    FFmpeg line per bad packet and a missing image an OpenCV warning, where vcam says what failed in one line of its
    own. OpenCV's errors still come out, for the rest of the process: a camera's own (a device gone, busy) are what
    the operator reads. A level set in the environment is kept, to look into a file that does not open."""
    # FFmpeg's level is read once, when OpenCV first opens a file through FFmpeg: set before any clip is opened
    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")  # AV_LOG_QUIET
    import cv2

    if "OPENCV_LOG_LEVEL" not in os.environ:
        with _silencing:
            if _silenced[0] == 0:  # not under another thread's silenced read: it restores the level as it ends
                cv2_logging(cv2).setLogLevel(LOG_ERROR)
    return cv2


_silencing = threading.Lock()  # the level is the process's: one decode restores it, not each of two at once
_silenced = [0, None]  # decodes silenced now, and the level to restore when the last ends


def imread_quiet(path: str, flags: int) -> np.ndarray | None:
    """cv2.imread with OpenCV's lines silenced for that read alone: a damaged PNG printed libpng's error ("IHDR
    chunk shall be first") above vcam's own line. Silenced process-wide, it hid a camera's errors for the rest of
    the show."""
    cv2 = quiet_cv2()
    if "OPENCV_LOG_LEVEL" in os.environ:  # a level chosen to look into a file: its lines are wanted
        return cv2.imread(path, flags)
    with _silencing:
        if _silenced[0] == 0:
            _silenced[1] = cv2_logging(cv2).setLogLevel(LOG_SILENT)
        _silenced[0] += 1
    try:
        return cv2.imread(path, flags)
    finally:
        with _silencing:
            _silenced[0] -= 1
            if _silenced[0] == 0:
                cv2_logging(cv2).setLogLevel(_silenced[1])


def fit(frame: np.ndarray, width: int, height: int, mode: str = "letterbox") -> np.ndarray:
    """Frame [h, w, 3] uint8 resized into width×height: letterbox (black bars), crop (fill) or stretch."""
    import cv2

    h, w = frame.shape[:2]
    if (w, h) == (width, height):
        return frame
    if mode == "stretch":
        return cv2.resize(frame, (width, height), interpolation=cv2.INTER_AREA if w > width else cv2.INTER_LINEAR)
    scale = min(width / w, height / h) if mode == "letterbox" else max(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    if mode == "crop" and scale > 1 and _warp_is_faster(cv2):
        return _enlarged_crop(frame, width, height, nw, nh)
    resized = cv2.resize(frame, (nw, nh), interpolation=cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR)
    if mode == "crop":
        x, y = (nw - width) // 2, (nh - height) // 2
        return np.ascontiguousarray(resized[y:y + height, x:x + width])
    out = np.zeros((height, width, 3), dtype=np.uint8)
    x, y = (width - nw) // 2, (height - nh) // 2
    out[y:y + nh, x:x + nw] = resized
    return out


def _warp_is_faster(cv2: ModuleType) -> bool:
    """Whether this OpenCV's warpAffine beats a resize and a cut: from 5.0. In 4.x it is several times slower on the
    common 1280x720 into 1920x1080, differs from the resize by up to 8 levels, and refuses a side of 32767 pixels."""
    return int(cv2.__version__.split(".")[0]) >= 5


def _enlarged_crop(frame: np.ndarray, width: int, height: int, nw: int, nh: int) -> np.ndarray:
    """The middle width x height of `frame` enlarged to nw x nh, made alone: 832x480 cropped into a vertical
    2160x3840 was resized whole to 6656x3840 and three quarters of it cut away, several times the work, and the
    camera could not keep up. The same pixels, to a level, as the resize and the cut, on OpenCV 5 (_warp_is_faster)."""
    import cv2

    h, w = frame.shape[:2]
    sx, sy = nw / w, nh / h
    x, y = (nw - width) // 2, (nh - height) // 2
    # where each output pixel is read in `frame`: the resize's pixel centres, shifted by the cut
    to_source = np.float32([[1 / sx, 0, (x + 0.5) / sx - 0.5], [0, 1 / sy, (y + 0.5) / sy - 0.5]])
    return cv2.warpAffine(frame, to_source, (width, height), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE)


def crossfade(a: np.ndarray, b: np.ndarray, weight: float) -> np.ndarray:
    """(1 − weight)·a + weight·b, in uint8."""
    import cv2

    return cv2.addWeighted(a, 1.0 - weight, b, weight, 0.0)


def card(width: int, height: int, lines: list[str]) -> np.ndarray:
    """A dark frame with centred lines of text (the "loading model…" and "stalled" cards)."""
    import cv2

    img = np.full((height, width, 3), 16, dtype=np.uint8)
    scale = max(0.35, min(width, height) / 600)
    thick = max(1, round(scale * 2))
    line_h = int(32 * scale) + 6
    top = height // 2 - line_h * (len(lines) - 1) // 2
    for i, line in enumerate(lines):
        (tw, th), _ = cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, scale, thick)
        org = ((width - tw) // 2, top + i * line_h + th // 2)
        cv2.putText(img, line, org, cv2.FONT_HERSHEY_SIMPLEX, scale, (230, 230, 230), thick, cv2.LINE_AA)
    return img


class ImageError(FileNamingError, ValueError):
    """An image that cannot be shown, its path said as FileNamingError says it; a ValueError too, which a fallback
    changed on air is caught as."""


def over_black_bgr(bgr: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """BGR uint8 over black through its alpha [H, W, 1] (of its own dtype's range), as uint8: each channel
    times alpha / max, rounded half up."""
    if alpha.dtype == np.uint8 and bgr.dtype == np.uint8:
        # OpenCV's product rounds every one of the 256 x 256 pairs as the float sum below does, ~10x as fast:
        # an HD alpha clip's frame otherwise takes a good part of the show's frame time to composite
        import cv2

        weight = cv2.cvtColor(np.ascontiguousarray(alpha[:, :, 0]), cv2.COLOR_GRAY2BGR)
        return cv2.multiply(np.ascontiguousarray(bgr), weight, scale=1 / 255)
    weight = alpha.astype(np.float32) / np.iinfo(alpha.dtype).max
    return (bgr.astype(np.float32) * weight + 0.5).astype(np.uint8)


# A PNG's signature, its first 8 bytes
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# The most chunks a walk of a header reads before what it looks for, or the RIFF block's end: a handful in any real
# file, so a damaged one's walk stops soon
HEADER_CHUNKS = 1000


def is_png(head: bytes) -> bool:
    """Whether the file's first bytes `head` start with a PNG's signature."""
    return head.startswith(PNG_MAGIC)


# The fix for a file that starts as a picture and does not decode: to convert it was no fix for a PNG
DAMAGED_IMAGE_FIX = "it is damaged or cut short (a copy or an export that did not finish): copy or export it again"


def undecoded_why(fix: str, default: str) -> str:
    """Why a file whose fix is `fix` does not show: a HEIC photo is said as one, since the fix names tools that read
    it; `default` for any other file."""
    return HEIC_WHY if fix == HEIC_FIX else default


def undecoded_fix(path: str, fix: str = IMAGE_FIX) -> str:
    """The fix for the image at `path` that OpenCV does not decode: where it starts as a PNG, JPEG or GIF and its
    end marker is missing (IEND, FFD9, the trailer ;), that it is damaged; for a HEIC, how to convert one (HEIC_FIX);
    else `fix` (a format or a kind of one it does not read, such as a 32-bit float TIFF, whole; a clip named as an
    image)."""
    try:
        with open(path, "rb") as f:
            head = f.read(64)
            f.seek(max(0, os.fstat(f.fileno()).st_size - 64))
            tail = f.read().rstrip(b"\0")  # a writer may pad the file after its marker
    except OSError:
        return fix
    if is_heic(head):
        return HEIC_FIX
    if is_png(head):
        cut = b"IEND" not in tail
    elif head.startswith(b"\xff\xd8\xff"):
        cut = b"\xff\xd9" not in tail
    elif head.startswith((b"GIF87a", b"GIF89a")):
        cut = not tail.endswith(b";")
    else:  # WebP, BMP and TIFF end in no marker: one that is whole may be of a kind OpenCV does not read
        cut = False
    return DAMAGED_IMAGE_FIX if cut else fix


def is_webp(head: bytes) -> bool:
    """Whether the file's first bytes `head` are a WebP's: a RIFF block of kind WEBP."""
    return head[:4] == b"RIFF" and head[8:12] == b"WEBP"


def _may_have_alpha(path: str, head: bytes = b"") -> bool:
    """Whether the file's header leaves room for an alpha channel: not a JPEG, a PNG without alpha or a tRNS
    chunk, a WebP whose header says none; True for any other file (its alpha is looked for by decoding it).
    `head`: the file's first bytes where they are read already (HeadFirst)."""
    try:
        with HeadFirst(path, head) as data:
            head = data.read(0, 32)
            if head.startswith(b"\xff\xd8\xff"):
                return False
            if is_png(head):
                return _png_may_have_alpha(data.read, head)
            if is_webp(head):
                return _webp_may_have_alpha(head)
    except OSError:
        pass
    return True


class HeadFirst:
    """A file read by offset: from its first bytes, read already (`head`), where they hold what is asked, else from
    the file, opened at the first read past them and closed on leaving. A walk of a header's chunks or segments
    that ends within the head opens nothing more; one that runs past it (an Exif segment after a large ICC profile)
    is read on in the file, not cut off. `head` None: the file could not be read, and a look at its header finds
    none."""

    def __init__(self, path: str, head: bytes | None = b""):
        self.path, self.head = path, head
        self._file = None

    def read(self, at: int, count: int) -> bytes:
        """`count` bytes from offset `at`, fewer where the file ends; OSError where it cannot be read."""
        if self.head is not None and at + count <= len(self.head):
            return self.head[at:at + count]
        if self._file is None:
            self._file = open(self.path, "rb")
        self._file.seek(at)
        return self._file.read(count)

    def __enter__(self) -> HeadFirst:
        return self

    def __exit__(self, *exc) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def _png_may_have_alpha(read: Callable[[int, int], bytes], head: bytes) -> bool:
    """A colour type with alpha (4, 6), or a tRNS chunk before the image data, which decoders turn into alpha."""
    if len(head) < 26 or head[12:16] != b"IHDR" or head[25] in (4, 6):
        return True
    return png_chunk_before_data(read, b"tRNS") is not False


def png_chunk_before_data(read: Callable[[int, int], bytes], kind: bytes) -> bool | None:
    """Whether the PNG read by `read(at, count)` (HeadFirst.read) has a `kind` chunk before its first image data
    (IDAT), walked chunk by chunk; None where the file ends first, or a thousand chunks come first (a handful in any
    real file)."""
    for _, _, chunk in png_chunks(read, HEADER_CHUNKS):
        if chunk in (kind, b"IDAT"):
            return chunk == kind
    return None


def png_chunks(read: Callable[[int, int], bytes], most: int) -> Iterator[tuple[int, int, bytes]]:
    """The chunks of the PNG read by `read(at, count)` (HeadFirst.read), each as where it starts, the size of its
    data and its kind, up to where the file ends or `most` chunks; its data left unread, to be read where wanted
    (at + 8, past its length and kind; its CRC after it)."""
    at = 8
    for _ in range(most):
        chunk = read(at, 8)
        if len(chunk) < 8:
            return
        size = int.from_bytes(chunk[:4], "big")
        yield at, size, chunk[4:8]
        at += 8 + size + 4  # past its length and kind, its data and its CRC


# The flags of an extended WebP's header (VP8X) that vcam reads: it has alpha, EXIF, an animation
WEBP_ALPHA, WEBP_EXIF, WEBP_ANIMATION = 0x10, 0x08, 0x02


def webp_flags(head: bytes) -> int | None:
    """The flags of the extended WebP header (VP8X) that the file's first bytes `head` start with; None for any other
    file (a simple WebP, lossy or lossless, has none), or one cut short before them."""
    if head[:4] != b"RIFF" or head[8:16] != b"WEBPVP8X" or len(head) < 21:
        return None
    return head[20]


def webp_chunks(read: Callable[[int, int], bytes]) -> Iterator[tuple[int, int, bytes]]:
    """The chunks of the WebP read by `read(at, count)` (HeadFirst.read), each as where it starts, the size of its
    data and its kind (its data left unread, at + 8), up to its RIFF block's end; ValueError where the file ends
    first, or the block holds more than a thousand (a handful in any real file)."""
    end = int.from_bytes(read(4, 4), "little") + 8
    at = 12
    for _ in range(HEADER_CHUNKS):
        if at >= end:
            return
        chunk = read(at, 8)
        if len(chunk) < 8:
            raise ValueError("the file ends before its RIFF block does")
        size = int.from_bytes(chunk[4:8], "little")
        yield at, size, chunk[:4]
        at += 8 + size + (size & 1)  # a chunk of an odd size is padded to an even one
    raise ValueError("a thousand chunks")


def _webp_may_have_alpha(head: bytes) -> bool:
    """A lossy WebP ("VP8 ") has none; a lossless one ("VP8L") says so in a bit, an extended one ("VP8X") in a
    flag: what libwebp reports to OpenCV as has_alpha."""
    kind = head[12:16]
    if kind == b"VP8 ":
        return False
    if kind == b"VP8L" and len(head) >= 25 and head[20] == 0x2F:
        return bool(int.from_bytes(head[21:25], "little") >> 28 & 1)
    if (flags := webp_flags(head)) is not None:
        return bool(flags & WEBP_ALPHA)
    return True


# Above this many pixels a JPEG shown smaller is decoded at an eighth, a quarter or half its size (libjpeg scales
# as it decodes): a 20000x20000 one took 7 s and 2.3 GB decoded whole. Below it a picture decodes whole as before,
# so an ordinary photo shows exactly as it did.
HUGE_PIXELS = 100_000_000


# Above this many pixels an image that cannot be decoded reduced (a PNG, a WebP, a GIF, a BMP, a TIFF) is
# refused before it is decoded: a 20000x20000 PNG, 1 MB on disk, took 7.7 s and 2.4 GB of memory to show, mid-show.
MAX_DECODED_PIXELS = HUGE_PIXELS


def read_shown(path: str, fitted: tuple[int, int, str] | None = None) -> np.ndarray | None:
    """The image at `path` as RGB, as it shows (over black where it has an alpha channel), fitted to `fitted`
    (width, height, fit mode) where given; None where OpenCV decodes nothing; ImageError for one too large to
    decode (too_large). The one read of an image: input, fallback. Fitted before its colours are swapped to RGB
    (the same pixels): a huge picture was copied whole."""
    if (refused := too_large(path)) is not None:
        raise ImageError(refused, SHRINK_FIX)
    cv2 = quiet_cv2()
    flags = _read_flags(path, fitted)
    whole = _read_with_alpha(path) if flags == cv2.IMREAD_COLOR else None
    bgr = _colour_of(whole) if whole is not None else None
    if bgr is None:
        bgr = imread_quiet(path, flags)
        if bgr is None:
            return None
    shown = _over_black(path, bgr, whole)
    return cv2.cvtColor(shown if fitted is None else fit(shown, *fitted), cv2.COLOR_BGR2RGB)


def _read_with_alpha(path: str) -> np.ndarray | None:
    """The PNG or WebP at `path` decoded once with its alpha, where its header leaves room for one and says no EXIF
    turn (which the read with alpha leaves out): its colours are then those of the colour read, which a logo with
    alpha was decoded again for, taking twice as long to load (a 4K one, most of a second). None for any other
    file, read in colour first as before."""
    try:
        with open(path, "rb") as f:
            head = f.read(32)
    except OSError:
        return None
    if not (is_png(head) or is_webp(head)) or not _may_have_alpha(path) or still_orientation(path) != 1:
        return None
    return imread_quiet(path, quiet_cv2().IMREAD_UNCHANGED)


def _colour_of(whole: np.ndarray) -> np.ndarray | None:
    """The colour read (IMREAD_COLOR) of a PNG or WebP, made from its read with alpha `whole`: 8-bit BGR, 16 bits
    cut to their high byte as libpng strips them, grey made BGR. None for a layout that read does not give (floats),
    which is then decoded in colour."""
    if whole.dtype not in (np.uint8, np.uint16) or (whole.ndim != 2 and whole.shape[2:] not in ((3,), (4,))):
        return None
    colour = whole if whole.ndim == 2 else whole[:, :, :3]
    if colour.dtype == np.uint16:
        colour = (colour >> 8).astype(np.uint8)
    return quiet_cv2().cvtColor(colour, quiet_cv2().COLOR_GRAY2BGR) if colour.ndim == 2 else \
        np.ascontiguousarray(colour)


def _read_flags(path: str, fitted: tuple[int, int, str] | None) -> int:
    """IMREAD_COLOR, or for a huge JPEG shown at `fitted` the most reduced read still larger than it is, on its
    shorter side (an EXIF turn may swap its sides); for a long one whose shorter side no reduced read keeps that
    large (a panorama), the least reduced read within MAX_DECODED_PIXELS: decoded whole, a 65000x1600 one took
    more memory than a PNG too large to decode, which is refused."""
    cv2 = quiet_cv2()
    size = jpeg_size(path) if fitted is not None else None
    if size is None or size[0] * size[1] <= HUGE_PIXELS:
        return cv2.IMREAD_COLOR
    reduced = ((8, cv2.IMREAD_REDUCED_COLOR_8), (4, cv2.IMREAD_REDUCED_COLOR_4), (2, cv2.IMREAD_REDUCED_COLOR_2))
    for factor, flag in reduced:
        if min(size) // factor >= max(fitted[:2]):
            return flag
    for factor, flag in ((1, cv2.IMREAD_COLOR), *reversed(reduced)):
        if -(-size[0] // factor) * -(-size[1] // factor) <= MAX_DECODED_PIXELS:
            return flag
    return cv2.IMREAD_REDUCED_COLOR_8  # at most 8192x8192: JPEG's sides end at 65535


SHRINK_FIX = "scale it down (3840 pixels on its long side is plenty), or save it as a JPEG, which is read reduced"


def too_large(path: str) -> str | None:
    """Why the image at `path` is not decoded, as its header gives its size: more than MAX_DECODED_PIXELS pixels in
    a format that decodes whole (a decompression bomb among them); None where it may be read (a JPEG of any size is
    read reduced, and a file whose header says nothing is left to OpenCV, which has its own limit)."""
    size = image_size(path)
    if size is None or size[0] * size[1] <= MAX_DECODED_PIXELS or jpeg_size(path) is not None:
        return None
    return (f"image {path} is {size[0]}x{size[1]} ({size[0] * size[1] / 1e6:.0f} megapixels), too large to decode: "
            f"vcam decodes at most {MAX_DECODED_PIXELS / 1e6:.0f} megapixels (this one would take GBs of memory)")


def image_size(path: str) -> tuple[int, int] | None:
    """An image's width and height from its header, without decoding it (PNG, JPEG, WebP, GIF, BMP, TIFF); None for
    any other file, or one that cannot be read."""
    try:
        with open(path, "rb") as f:
            head = f.read(30)
    except OSError:
        return None
    if is_png(head) and head[12:16] == b"IHDR" and len(head) >= 24:
        return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
    if is_webp(head) and len(head) == 30:
        return _webp_size(head)
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        return int.from_bytes(head[6:8], "little"), int.from_bytes(head[8:10], "little")
    if head[:2] == b"BM" and len(head) >= 26:
        return _bmp_size(head)
    if head[:4] in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return tiff_size(path)
    return jpeg_size(path)


def _bmp_size(head: bytes) -> tuple[int, int]:
    """A BMP's size from its info header: 16 bits a side in an OS/2 one (12 bytes long), 32 in any later one, its
    height negative for rows stored top-down. Read as 32 bits, an OS/2 one of 64x48 was 3145792x1572865, refused."""
    if int.from_bytes(head[14:18], "little") == 12:
        return int.from_bytes(head[18:20], "little"), int.from_bytes(head[20:22], "little")
    return (abs(int.from_bytes(head[18:22], "little", signed=True)),
            abs(int.from_bytes(head[22:26], "little", signed=True)))


def _webp_size(head: bytes) -> tuple[int, int] | None:
    """A WebP's canvas from its first chunk: lossy (VP8), lossless (VP8L) or extended (VP8X)."""
    kind = head[12:16]
    if kind == b"VP8X":
        return int.from_bytes(head[24:27], "little") + 1, int.from_bytes(head[27:30], "little") + 1
    if kind == b"VP8L":
        bits = int.from_bytes(head[21:25], "little")
        return (bits & 0x3FFF) + 1, (bits >> 14 & 0x3FFF) + 1
    if kind == b"VP8 ":
        return int.from_bytes(head[26:28], "little") & 0x3FFF, int.from_bytes(head[28:30], "little") & 0x3FFF
    return None


def tiff_size(path: str) -> tuple[int, int] | None:
    """A TIFF's (or BigTIFF's) width and height from its first page's tags, the page OpenCV reads; None where the
    file ends first or gives neither. A compressed TIFF is as much a decompression bomb as a PNG."""
    try:
        with open(path, "rb") as f:
            head = f.read(16)
            order = "little" if head[:2] == b"II" else "big"
            big = int.from_bytes(head[2:4], order) == 43  # BigTIFF: 8-byte offsets and counts
            f.seek(int.from_bytes(head[8:16] if big else head[4:8], order))
            count = int.from_bytes(f.read(8 if big else 2), order)
            wide = 20 if big else 12  # one tag: its number, type, count and value (or where its value is)
            table = f.read(wide * min(count, 1000))
    except OSError:
        return None
    sides = {}
    for at in range(0, len(table) - wide + 1, wide):
        tag, kind = int.from_bytes(table[at:at + 2], order), int.from_bytes(table[at + 2:at + 4], order)
        value = table[at + wide // 2 + 2:at + wide]
        if tag in (256, 257) and kind in (3, 4, 16):  # ImageWidth, ImageLength: SHORT, LONG or LONG8
            sides[tag] = int.from_bytes(value[:{3: 2, 4: 4, 16: 8}[kind]], order)
    return (sides[256], sides[257]) if len(sides) == 2 else None


def jpeg_size(path: str) -> tuple[int, int] | None:
    """A JPEG's width and height from its start-of-frame segment, without decoding it; None for any other file."""
    return jpeg.frame_size(_jpeg_segments(path, jpeg.size_wanted))


def jpeg_header(path: str, head: bytes = b"") -> tuple[tuple[int, int] | None, int | None]:
    """A JPEG's size, as jpeg_size gives it, and its EXIF orientation, from one walk of its segments; `head`: the
    file's first bytes where they are read already (HeadFirst). The orientation (1 to 8; 1: as stored) comes from its
    APP1 segments: None for any other file, or one that says none; UNSURE where an Exif block is cut short before it
    says (decoded to be sure). Every Exif segment up to the scan, as libjpeg reads them: one with no orientation (a
    tool's, added beside the older one that has it), or one after the frame header, does not end the look."""
    size = turn = None
    sized = False
    for marker, body in _jpeg_segments(path, _header_wanted, head):
        if marker in jpeg.SOF and not sized:
            size, sized = jpeg.sof_size(body), True
        elif marker == 0xE1 and turn is None and body.startswith(b"Exif\0\0"):
            turn = _tiff_orientation(body[6:])
        if sized and turn is not None:
            break
    return size, turn


def _header_wanted(marker: int) -> int:
    """What jpeg_header reads of a segment's body: an APP1 (Exif) one whole, a frame header's size."""
    return -1 if marker == 0xE1 else jpeg.size_wanted(marker)


# Markers past which libjpeg (OpenCV's reader) finds no picture in a file: an end of image, a second start
_NO_IMAGE = (0xD8, 0xD9)


def _jpeg_segments(path: str, wanted: Callable[[int], int], head: bytes = b"") -> Iterator[tuple[int, bytes]]:
    """The file's JPEG segments as jpeg.segments walks them, up to where libjpeg finds no picture; none where it
    cannot be read. From `head` as far as it goes (HeadFirst), then from the file: an Exif segment (a phone's holds
    a thumbnail, up to 64 KB) or an ICC profile may run past any head of a fixed size, and an Exif segment may
    follow the frame header."""
    try:
        with HeadFirst(path, head) as data:
            for marker, body in jpeg.segments(data.read, wanted):
                if marker in _NO_IMAGE:
                    return
                yield marker, body
    except OSError:
        return


# _tiff_orientation where EXIF's TIFF block is cut short before it says whether it turns the picture: in doubt,
# the picture is decoded to be sure
UNSURE = 0


def _tiff_orientation(tiff: bytes) -> int | None:
    """The orientation tag (0x0112) of the first image directory of EXIF's TIFF block, read as OpenCV reads it (its
    value from the first 10 bytes of its entry); None where it has none, or one out of range; UNSURE where the block
    is cut short before it says."""
    order = {b"II": "little", b"MM": "big"}.get(tiff[:2])
    if order is None:
        return None
    if len(tiff) < 8:
        return UNSURE
    at = int.from_bytes(tiff[4:8], order)
    if len(tiff) < at + 2:
        return UNSURE
    count = int.from_bytes(tiff[at:at + 2], order)
    for entry in range(at + 2, at + 2 + 12 * count, 12):
        if len(tiff) < entry + 10:  # an entry's tag, type, count and a SHORT value (its 2 bytes of padding unread)
            return UNSURE
        if int.from_bytes(tiff[entry:entry + 2], order) == 0x0112:
            value = int.from_bytes(tiff[entry + 8:entry + 10], order)
            return value if 1 <= value <= 8 else None
    return None


# The most chunks a PNG's walk reads to its end: a 48 MP one's image data comes in some thousands
PNG_CHUNKS = 100_000


def still_orientation(path: str, head: bytes = b"") -> int | None:
    """The EXIF orientation (1 to 8; 1: as stored) that imread applies to the PNG or WebP at `path`, read from its
    chunks without decoding it, as OpenCV reads them: a PNG's first eXIf chunk before its end (after its image data
    too), a WebP's first EXIF chunk where its extended header says it has one. None for any other file, or one its
    chunks leave in doubt (cut short, an EXIF chunk damaged or not a TIFF block, a WebP's EXIF chunk that imread
    leaves out, which FFmpeg reads): decoded to be sure. `head`: the file's first bytes where they are read already
    (HeadFirst)."""
    try:
        with HeadFirst(path, head) as data:
            start = data.read(0, 21)
            if is_png(start):
                return _png_orientation(data.read)
            if is_webp(start):
                return _webp_orientation(data.read, webp_flags(start))
    except OSError:
        pass
    return None


def _png_orientation(read: Callable[[int, int], bytes]) -> int | None:
    """still_orientation of the PNG read by `read`: libpng keeps the first eXIf chunk whose CRC checks out."""
    for at, size, kind in png_chunks(read, PNG_CHUNKS):
        if kind == b"IEND":
            return 1
        if kind == b"eXIf":
            body, crc = read(at + 8, size), read(at + 8 + size, 4)
            if len(crc) < 4 or zlib.crc32(kind + body) != int.from_bytes(crc, "big"):
                return None  # libpng passes over it with a warning, and may take a later one
            return _exif_orientation(body)
    return None


def _webp_orientation(read: Callable[[int, int], bytes], flags: int | None) -> int | None:
    """still_orientation of the WebP read by `read`, its VP8X flags `flags` (webp_flags): libwebp reads an EXIF chunk
    only where the flags say it has one, wherever it lies. FFmpeg reads one flagged or not, and turns a lossless
    WebP (played through PyAV) by it: one imread leaves out is in doubt, as is a flagged one not there."""
    try:
        exif = next(((at, size) for at, size, kind in webp_chunks(read) if kind == b"EXIF"), None)
    except ValueError:
        return None
    if exif is None:
        return None if flags is not None and flags & WEBP_EXIF else 1
    if flags is None or not flags & WEBP_EXIF:
        return None
    body = read(exif[0] + 8, exif[1])
    return _exif_orientation(body) if len(body) == exif[1] else None


def _exif_orientation(tiff: bytes) -> int | None:
    """The orientation an EXIF chunk's TIFF block gives imread (1: none, where it has no valid one); None where the
    chunk is no TIFF block (an "Exif" header before it, which OpenCV refuses), or one cut short before it says."""
    if tiff[:2] not in (b"II", b"MM"):
        return None
    turn = _tiff_orientation(tiff)
    return None if turn == UNSURE else turn or 1


def shows_as_decoded(path: str, head: bytes = b"") -> bool:
    """Whether the PNG or WebP at `path` shows as any read of its colours gives it: its chunks say no EXIF turn and
    its header rules out an alpha channel (shown over black). `head`: as still_orientation."""
    return still_orientation(path, head) == 1 and not _may_have_alpha(path, head)


def _over_black(path: str, bgr: np.ndarray, whole: np.ndarray | None = None) -> np.ndarray:
    """The image as it shows over black where it has an alpha channel. OpenCV's colour read drops the alpha and
    keeps whatever colour the transparent pixels hold: a white logo on transparent white would be all white.
    `whole`: its read with alpha (IMREAD_UNCHANGED) where it was made already (_read_with_alpha)."""
    cv2 = quiet_cv2()
    if whole is None:
        if not _may_have_alpha(path):  # no alpha to look for: a second decode cost a large photo ~60 % more to
            return bgr                  # load, an opaque 12 MP PNG or WebP about twice as much
        whole = imread_quiet(path, cv2.IMREAD_UNCHANGED)
    if whole is None or whole.ndim != 3 or whole.shape[2] != 4 or whole.dtype not in (np.uint8, np.uint16):
        return bgr  # no alpha (or a float one, an EXR's, whose range is not its type's)
    if not whole[:, :, 3].any():  # an alpha its tool never filled (a screenshot's): shown whole, not all black
        return bgr
    alpha = _turned_as(whole, bgr)
    return bgr if alpha is None else over_black_bgr(bgr, alpha)


# The eight ways an EXIF orientation turns or mirrors a picture, none first
_TURNS = tuple((flip, quarters) for flip in (False, True) for quarters in range(4))


def _turned_as(whole: np.ndarray, bgr: np.ndarray) -> np.ndarray | None:
    """The alpha of `whole` (the read with alpha, which leaves out the EXIF orientation) turned as the colour read
    `bgr` was: the turn that makes its colours those of `bgr`; else, its size the same, as it is. Unturned beside a
    turned picture, it cut a square one where the logo was not. None where no turn fits."""
    colour = whole[:, :, :3] if whole.dtype == np.uint8 else (whole[:, :, :3] >> 8).astype(np.uint8)  # as read

    def turned(a: np.ndarray, flip: bool, quarters: int) -> np.ndarray:
        return np.rot90(a[:, ::-1] if flip else a, -quarters)

    for flip, quarters in _TURNS:  # every 4th row: a 4K picture's whole compare took a sixth of its decode
        if np.array_equal(turned(colour, flip, quarters)[::4], bgr[::4]):
            return turned(whole[:, :, 3:], flip, quarters)
    return whole[:, :, 3:] if whole.shape[:2] == bgr.shape[:2] else None


def load_image(path: str, width: int, height: int, show: bool = True) -> np.ndarray:
    """An image file as an RGB frame fitted to width×height; ImageError naming the file and the fix if it cannot
    be read. `show`: whether a show file may have named it (not at `vcam cam`, which reads none: its fix named the
    show's fallback:)."""
    also = ", or the show's fallback:" if show else ""
    if os.path.isdir(path):
        raise ImageError(f"image {path} is a folder, not an image",
                         f"name an image file in it (--fallback FOLDER/IMAGE.png{also})")
    if os.path.exists(path) and not os.path.isfile(path):  # a device, a pipe
        raise ImageError(f"image {path} is not a file", f"name an image file (--fallback IMAGE{also})")
    if not os.path.isfile(path):
        raise ImageError(f"image {path} not found",
                         alike_fix(path, "image") or f"check the path (--fallback IMAGE{also})")
    if not os.access(path, os.R_OK):  # OpenCV would say only that it could not decode it
        raise ImageError(f"image {path} cannot be read (permission denied)", READ_FIX)
    if os.path.getsize(path) == 0:  # else said as no image OpenCV decodes, to be converted
        raise ImageError(f"image {path} is empty (0 bytes)", EMPTY_FIX)
    rgb = read_shown(path, (width, height, "letterbox"))  # as an image: input shows it: a logo on transparent
    if rgb is None:                                           # white was a white picture
        raise _no_still(path)
    return rgb


def _no_still(path: str) -> ImageError:
    """Why the fallback at `path` does not decode, as fallback_refusal says it."""
    refusal = fallback_refusal(path)
    return ImageError(f"cannot read image {path}: {refusal.why}", refusal.fix)


class Refusal(NamedTuple):
    """Why a fallback does not decode and the fix; `kind` "video" or "sound" where it is a media file of that
    kind, which a check says as one rather than as no image, "" else."""
    kind: str
    why: str
    fix: str


def moving_video(container: av.container.InputContainer) -> list[av.video.stream.VideoStream]:
    """The PyAV `container`'s video streams but its attached pictures: an MP3's cover art (ID3 APIC), or an M4A's,
    is a video stream of one picture, which made a song a video."""
    import av

    cover = av.stream.Disposition.attached_pic
    return [s for s in container.streams.video if not s.disposition & cover]


# FFmpeg's demuxers of formats that hold only video and sound, never a still picture: not MOV/MP4's, which reads a
# HEIC or an AVIF photo as well, nor those of image formats (ico, gif, png_pipe)
_VIDEO_DEMUXERS = {"matroska", "webm", "avi", "flv", "mpegts", "mpeg", "asf", "nut", "ogg", "mxf", "h264", "hevc",
                   "m4v", "yuv4mpegpipe"}
# The brands a HEIF or AVIF still (or its image sequence) is written under (ISO/IEC 23008-12, AV1 image format),
# as its major brand or a compatible one: an MP4 or MOV that names none of them and holds one frame is a clip cut
# to it, told to be converted to a picture where it plays as file:
_STILL_BRANDS = {"mif1", "mif2", "msf1", "miaf", "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs",
                 "avci", "avcs", "jpeg", "jpgs", "j2ki", "j2is", "vvic", "vvis", "evbi", "evbs", "evci", "evcs",
                 "avif", "avis", "avio"}


def _brands(container) -> set[str]:
    """The ISO file's major and compatible brands, lower case, as FFmpeg's metadata holds them (the compatible ones
    run together, four characters each)."""
    compatible = container.metadata.get("compatible_brands", "")
    brands = {compatible[i:i + 4] for i in range(0, len(compatible), 4)} | {container.metadata.get("major_brand", "")}
    return {brand.strip().lower() for brand in brands} - {""}


def _plays(container) -> bool:
    """Whether the PyAV `container` is a video: a format only video comes in, or a video stream of more than one
    frame. An icon (ico) is a video stream per size, of one picture each, and was said to be a video."""
    streams = moving_video(container)
    if not streams:
        return False
    if _VIDEO_DEMUXERS & set(container.format.name.split(",")) or any(s.frames > 1 for s in streams):
        return True
    brands = _brands(container)
    if "mov" in container.format.name.split(",") and brands and not brands & _STILL_BRANDS:
        return True
    seen: dict[int, int] = {}
    try:
        for number, packet in enumerate(container.demux(*streams)):
            if packet.size:
                seen[packet.stream.index] = seen.get(packet.stream.index, 0) + 1
                if seen[packet.stream.index] > 1:
                    return True
            if number >= 64:  # an icon holds a few sizes; a video shows its second frame well before
                break
    except Exception:  # av.FFmpegError: a damaged packet, whose frames so far are what is known
        pass
    return False


def fallback_refusal(path: str) -> Refusal:
    """Why the fallback at `path` that OpenCV does not decode is refused: a video (a loop meant to play through a
    stall) or a sound file is said as one, where the fix was to convert it to PNG or JPEG."""
    import av

    if (fix := undecoded_fix(path)) != IMAGE_FIX:  # a picture cut short, which FFmpeg opens as one all the same
        return Refusal("", undecoded_why(fix, "it is not an image OpenCV decodes"), fix)
    try:
        with av.open(path) as container:
            # text is read as ANSI art (tty), a picture by its own demuxer (png_pipe, image2): no clip
            name = container.format.name
            picture = name in ("tty", "image2") or name.endswith("_pipe")
            video, audio = not picture and _plays(container), len(container.streams.audio)
    except Exception:  # av.FFmpegError: no media file FFmpeg knows, or an OSError for one gone meanwhile
        video = audio = 0
    if video:
        # beside the video, where a show looks for its fallback, and named apart from it: a video saved as
        # clip.png was told to write clip.png, over itself
        still = os.path.splitext(path)[0] + "-frame.png"
        return Refusal("video", "it is a video, and a fallback is one still picture",
                       f"export a frame of it as a picture: ffmpeg -i {shell_word(path)} -frames:v 1 "
                       f"{shell_word(still)}, and give that")
    if audio:
        return Refusal("sound", "it is a sound file, with no picture in it", "give a picture (PNG or JPEG)")
    return Refusal("", "it is not an image OpenCV decodes", fix)
