"""The frame-size rule and the sizes an output may have, in one place: the command line, show files, a show's
settings and streams all ask here. Plain arithmetic on numbers and text, importing nothing else of vcam's (nor
torch), so that the camera's side can check a size without the engine."""
from __future__ import annotations

import re
from collections.abc import Callable

PATCH = 16  # pixels per side of a transformer token: the VAE's 8× times the 2×2 patch
# The model was trained at 832x480: a side past 1920 (over twice its own) is a mistyped extra zero rather than a
# show, which would otherwise sit loading or run out of memory instead of being refused.
MAX_SIDE = 1920
# The sizes a show runs at when given none (vcam.bench.live_size), and what "480p" is read as. Landscape, the
# model's own 832x480 first and the model's aspect (about 26:15) kept as closely as multiples of 16 allow. Nothing
# above 832x480: the model was trained at that size.
LIVE_SIZES: tuple[tuple[int, int], ...] = (
    (832, 480), (768, 448), (704, 400), (640, 368), (576, 320), (512, 288), (480, 272), (416, 240))


# An output's size (vcam cam's camera, an output's @WIDTHxHEIGHT): scaled to from the generated frames, anything
# from a thumbnail to 8K UHD
MIN_OUTPUT_SIDE = 16
MAX_OUTPUT = (7680, 4320)
OUTPUT_RANGE = f"{MIN_OUTPUT_SIDE}x{MIN_OUTPUT_SIDE} to {MAX_OUTPUT[0]}x{MAX_OUTPUT[1]}"


def output_in_range(width: int, height: int) -> bool:
    """Whether width×height is within the sizes an output may have (OUTPUT_RANGE): the one place that says so, for
    vcam cam's --size and an output's @WIDTHxHEIGHT alike."""
    return MIN_OUTPUT_SIDE <= width <= MAX_OUTPUT[0] and MIN_OUTPUT_SIDE <= height <= MAX_OUTPUT[1]


def check_output_size(width: int, height: int) -> None:
    """Raises ValueError unless width×height is a size an output may have (vcam cam's camera): even, as cameras' and
    recordings' pixel formats need, within OUTPUT_RANGE; said as check_size says a frame size."""
    if width < 0 or height < 0:
        raise ValueError(_negative(f"{width}x{height}", width, height, check_output_size))
    if not output_in_range(width, height) or width % 2 or height % 2:
        nearest = "x".join(str(min(top, max(MIN_OUTPUT_SIDE, round(v / 2) * 2)))
                           for v, top in zip((width, height), MAX_OUTPUT))
        # an even size out of range is told the range alone: "both must be even" of 8000x4000 named no fault
        rule = " is out of range" if width % 2 == height % 2 == 0 else ": both must be even"
        raise ValueError(f"size {width}x{height}{rule}, from {OUTPUT_RANGE} (e.g. 1920x1080, 1280x720; the nearest "
                         f"is {nearest})")


def check_size(width: int, height: int) -> None:
    """Raises ValueError unless width×height is a frame size the model can make: the one place that says so, for
    the command line, show files, `vcam run` and streams alike."""
    if width < 0 or height < 0:  # not "the nearest is 16x480", as for -832x480: the sign is the slip
        raise ValueError(_negative(f"{width}x{height}", width, height, check_size))
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValueError(f"size {width}x{height}: each side must be at most {MAX_SIDE} (the largest accepted is "
                         f"{MAX_SIDE}x{MAX_SIDE}; the model's own is 832x480)")
    if width <= 0 or height <= 0 or width % PATCH or height % PATCH:
        nearest = "x".join(str(max(PATCH, round(v / PATCH) * PATCH)) for v in (width, height))
        raise ValueError(f"size {width}x{height}: both must be positive multiples of {PATCH} "
                         f"(e.g. 832x480, 576x320, 480x832; the nearest is {nearest})")


def checked_size(text: str, check: Callable[[int, int], None] = check_size) -> tuple[int, int]:
    """`text` read as WIDTHxHEIGHT (width_height) and checked (`check`: check_size, or check_output_size), a side
    written with a minus said as such: -0 reads as 0, and `-0x0` was said as 0x0 with the multiples-of-16 rule,
    the sign the slip was in gone."""
    width, height = width_height(text)
    sides = _SIZE.fullmatch(text).groups()
    if any(side.startswith("-") for side in sides):
        written = "x".join(f"{'-' if side.startswith('-') else ''}{abs(int(side))}" for side in sides)
        raise ValueError(_negative(written, width, height, check))
    check(width, height)
    return width, height


def _negative(written: str, width: int, height: int, check: Callable[[int, int], None]) -> str:
    return f"size {written}: a side cannot be negative; {_unsigned(width, height, check)}"


def _unsigned(width: int, height: int, check: Callable[[int, int], None]) -> str:
    """The fix for a size given with a minus sign: the size without it where `check` takes that, else the rule."""
    meant = abs(width), abs(height)
    try:
        check(*meant)
    except ValueError:
        if check is check_output_size:
            return f"give an even size from {OUTPUT_RANGE} (e.g. 1920x1080, 1280x720)"
        return f"give both as positive multiples of {PATCH} (e.g. 832x480, 576x320, 480x832)"
    return f"did you mean {meant[0]}x{meant[1]}?"


_SIZE = re.compile(r"\s*([+-]?[0-9]+)\s*[xX]\s*([+-]?[0-9]+)\s*")


def width_height(text: str) -> tuple[int, int]:
    """`text` read as WIDTHxHEIGHT (832x480, 832X480), the one reading of it for the command line and show files
    alike: the two numbers, not checked (check_size says whether the model makes them); ValueError where it is not
    that form (not_a_size says why)."""
    # ASCII digits: int() took full-width ones (８３２x４８０) and underscores (8_32x480), which no other tool
    # reads as a size; not_a_size offers them in plain digits. A sign stays, for check_size to say.
    size = _SIZE.fullmatch(text)
    if not size:
        raise ValueError(f"{text!r} is not WIDTHxHEIGHT")
    return int(size.group(1)), int(size.group(2))


def no_size(text: str) -> bool:
    """Whether `text` is 0x0, which some tools write for "any size": to vcam no size, which leaving the size out
    asks for. Read as width_height reads a size (`+0x0`, `0 x 0`) or as meant_size offers one (`0×0`): those were
    told to be multiples of 16, the nearest 16x16. A minus in it (-0x0) is a slip of another kind, said by the
    rule."""
    size = _SIZE.fullmatch(text) or _SIZE.fullmatch(meant_size(text) or "")
    return size is not None and all(not side.startswith("-") and int(side) == 0 for side in size.groups())


def not_a_size(text: str, check: Callable[[int, int], None] | None = None, video: bool = False) -> str:
    """Why `text` is not WIDTHxHEIGHT: a size meant in another form is offered where `check` (which raises
    ValueError for a size refused) takes it, else said with why it is refused: `1001*1001` offered as 1001x1001
    sent the operator on to "must be multiples of 16". `video`: an output's size, where a height named as video
    names it that no size the model makes has (720p) is read as video's 16:9 size."""
    meant = meant_size(text, video)
    said = f"; did you mean {meant}?" if meant else f" (e.g. {'1280x720' if video else '832x480'})"
    try:
        if meant and check:
            check(*(int(v) for v in meant.split("x")))
    except ValueError as e:
        said = f", and as {meant} it is refused: {e}"
    return f"{text!r} is not WIDTHxHEIGHT{said}"


def meant_size(text: str, video: bool = False) -> str | None:
    """The WIDTHxHEIGHT a text that is not one was meant as (`832×480`, `480p`), else None; `video`: as
    not_a_size."""
    return _named_size(text, video) or other_separator(text)


# The sizes video names by their height, 16:9: what a camera or a recording called 720p is, where the model makes
# none of that height
VIDEO_SIZES = ((640, 360), (854, 480), (960, 540), (1280, 720), (1920, 1080), (2560, 1440), (3840, 2160))


def _named_size(text: str, video: bool) -> str | None:
    """The size a height named as video names it (480p) is, where vcam's sizes have one of that height alone; with
    `video`, else video's own (720p: 1280x720)."""
    # ASCII digits: isdigit() took "²p", and int() then raised, which took a show's other problems with it
    named = re.fullmatch(r"([0-9]+)p", text.strip().lower())
    if not named:
        return None
    sizes = [f"{w}x{h}" for w, h in LIVE_SIZES if h == int(named.group(1))]
    sizes = sizes or [f"{w}x{h}" for w, h in VIDEO_SIZES if video and h == int(named.group(1))]
    return sizes[0] if len(sizes) == 1 else None


def other_separator(text: str) -> str | None:
    """`640×360` (the multiplication sign a word processor or a spec sheet writes), `640*360`, `640,360`, `640:360`
    (ffmpeg's), `640/360`, and digits vcam does not read (`８３２x４８０`, `8_32x480`): the size in the form vcam
    reads."""
    numbers = re.fullmatch(r"\s*(\d+(?:_\d+)*)\s*[×*,:/xXｘＸ]\s*(\d+(?:_\d+)*)\s*", text)
    # int(): \d takes full-width digits (８３２×４８０, typed with an East Asian input method), offered in plain ones
    meant = f"{int(numbers.group(1))}x{int(numbers.group(2))}" if numbers else None
    return meant if meant != text.strip() else None


for _w, _h in LIVE_SIZES:  # a size added to the list that the model cannot make fails here, at import
    check_size(_w, _h)
