"""The frame-size rule, in one place: the command line, show files, a show's settings and streams all ask here.
Plain arithmetic, so that the camera's side can check a size without the engine."""
from __future__ import annotations

PATCH = 16  # pixels per side of a transformer token: the VAE's 8× times the 2×2 patch
# The model was trained at 832x480: a side past 1920 (over twice its own) is a mistyped extra zero rather than a
# show, which would otherwise sit loading or run out of memory instead of being refused.
MAX_SIDE = 1920


def check_size(width: int, height: int) -> None:
    """Raises ValueError unless width×height is a frame size the model can make: the one place that says so, for
    the command line, show files, `vcam run` and streams alike."""
    if width < 0 or height < 0:  # not "the nearest is 16x480", as for -832x480: the sign is the slip
        raise ValueError(f"size {width}x{height}: a side cannot be negative; {_unsigned(width, height)}")
    if width > MAX_SIDE or height > MAX_SIDE:
        raise ValueError(f"size {width}x{height}: each side must be at most {MAX_SIDE} (the largest accepted is "
                         f"{MAX_SIDE}x{MAX_SIDE}; the model's own is 832x480)")
    if width <= 0 or height <= 0 or width % PATCH or height % PATCH:
        nearest = "x".join(str(max(PATCH, round(v / PATCH) * PATCH)) for v in (width, height))
        raise ValueError(f"size {width}x{height}: both must be positive multiples of {PATCH} "
                         f"(e.g. 832x480, 576x320, 480x832; the nearest is {nearest})")


def _unsigned(width: int, height: int) -> str:
    """The fix for a size given with a minus sign: the size without it where that is one, else the rule."""
    meant = abs(width), abs(height)
    try:
        check_size(*meant)
    except ValueError:
        return f"give both as positive multiples of {PATCH} (e.g. 832x480, 576x320, 480x832)"
    return f"did you mean {meant[0]}x{meant[1]}?"
