"""The numbers a number refused as typed may have meant (`0,5`, `50%`, `120 bpm`, `2,000`, `steps three!`), offered
in a refusal's words: read alike for a typed command, a show's value and a command-line flag."""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from vcam.words import spelled_number

# the units a length is typed in after a transition's number (`2s`, `4 beats`, `1 bar`), each with its word in a
# reply; `m` may be minutes or measures, so none is named for it
_LENGTHS = {**dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "seconds"),
            **dict.fromkeys(("ms", "msec", "msecs", "millis", "millisecond", "milliseconds"), "milliseconds"),
            **dict.fromkeys(("min", "mins", "minute", "minutes"), "minutes"),
            **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hours"), "m": "",
            "beat": "beats", "beats": "beats", "bar": "bars", "bars": "bars", "measure": "measures",
            "measures": "measures", "frame": "frames", "frames": "frames"}


def blocks_meant(text: str) -> str | None:
    """`transition 2 s`, `4 beats`, `1 bar`: a length in another unit than the blocks transition counts, whose number
    would be another length (" (did you mean 2?)" sent a 2-second morph to 2 blocks): said so. None for any other
    text: `2 blocks` (the number is meant), and a word no length is counted in (`2 x`, `2 fps`), which is not said
    to be one."""
    found = re.fullmatch(r"\S+?\s*([^\W\d_]+)", text)
    if _united(text) is None or found is None or (said := _LENGTHS.get(found[1].lower())) is None:
        return None
    return f" (it counts blocks{f', not {said}' if said else ''}: a change blends in over N blocks, each a dozen " \
           "frames or so)"


def number_meant(text: str, fits: Callable[[float], bool] = lambda v: 0.0 <= v <= 1.0, share: bool = True) -> str:
    """`0,5` → " (did you mean 0.5?)": a decimal comma, as many keyboards and locales write one; `50%` → 0.5 where
    the number is a `share` (from 0 to 1); `120 bpm`, `120bpm` → 120, a unit after it. Said only where the number
    meant `fits` the command: not `nan%` as nan, `150%` as a strength of 1.5, or `bpm 1,000` as 1. A comma before
    three digits may group thousands too (`--duration 3,600`, an hour): each reading that fits is said."""
    return numbers_offered(number_readings(text, fits, share))


def number_readings(text: str, fits: Callable[[float], bool] = lambda v: 0.0 <= v <= 1.0,
                    share: bool = True) -> tuple[str, ...]:
    """The numbers number_meant offers for `text`, as it writes them; none for a number it offers none for."""
    if re.fullmatch(r"[1-9]\d{0,2},\d{3}", text):
        return tuple(f"{v:g}" for v in (float(text.replace(",", "")), float(text.replace(",", "."))) if fits(v))
    try:
        if _ENDED.fullmatch(text):
            meant = float(text.rstrip(STOPS))
        elif text.count(",") == 1:
            meant = float(text.replace(",", "."))
        elif re.fullmatch(r"[-+]?\d*。\d+", text):  # `０。５`: the point a Japanese input method types as a full stop
            meant = float(text.replace("。", "."))
        elif share and text.endswith("%"):
            meant = float(text[:-1]) / 100
        elif united := _united(text):
            meant = float(united)
        elif (spelled := spelled_number(text.rstrip(STOPS))) is not None:  # `strength one`, `bpm ninety!`
            meant = float(spelled)
        else:
            return ()
    except ValueError:
        return ()
    said = f"{meant + 0.0:g}"  # `-0%` meant 0, as strength -0 is read
    if float(said) != meant and "," in text and "%" not in text:  # `:g` keeps six digits: 0,123456789012 read 0.123457
        said = repr(meant)
    return (said,) if fits(meant) else ()


# what a hand typing fast puts after a number or a word (`steps 3!`, `strength 0.5.`, `quantize bar.`): no part of it
# (`steps 3…`: a phone or a Mac's smart punctuation makes three dots one character; `steps ３。`, a Japanese or
# Chinese input method's full stop and comma)
STOPS = ".,;:!?…。、"
_ENDED = re.compile(rf"[-+]?(?:\d+\.?\d*|\.\d+)[{re.escape(STOPS)}]+")


def _united(text: str) -> str | None:
    """The number of `2 blocks`, `120bpm`: one with a word after it; None for anything else."""
    found = re.fullmatch(r"([-+]?(?:\d+\.?\d*|\.\d+))\s*([^\W\d_]+)", text)
    # isalpha(): \w takes "²" (4² is no 4 with a unit after it)
    return found[1] if found and found[2].isalpha() else None


def whole_meant(text: str, lo: int, hi: int) -> str:
    """`2,000,000`, `1e3`, `2 blocks` → " (did you mean 2000000?)": a whole number written with a thousands'
    separator, as a float, or with a unit after it; said only from `lo` to `hi` (`seed 1e300` is not answered with
    301 digits). `1.000` and `1,000` are one thousand where the mark groups thousands and one where it is a decimal
    point or comma: both are said. Where only one reading is a whole number that fits, a dot's is not said (the
    other may be the one meant), a comma's thousands are (`12,500`: a comma groups thousands where numbers are
    written in English, and a decimal comma's 12.5 is no whole number); `2.000.000` is only two million."""
    return numbers_offered(whole_readings(text, lo, hi))


def whole_readings(text: str, lo: int, hi: int) -> tuple[str, ...]:
    """The whole numbers whole_meant offers for `text`, as it writes them; none for a number it offers none for."""
    if len(text) > 40:  # no whole number a command or flag takes has as many digits; int() refuses past 4300
        return ()
    if grouped := re.fullmatch(r"\d{1,3}([.,])\d{3}(?:\1\d{3})*", text):  # not `1,5`, a decimal comma
        mark = grouped[1]
        thousands = int(text.replace(mark, ""))
        # two marks or more group thousands only: no float of them (a seed's 19 digits are not one exactly, and
        # hundreds of digits are none at all)
        point = float(text.replace(mark, ".")) if text.count(mark) == 1 else thousands
        if point != thousands and point.is_integer() and lo <= point and thousands <= hi:
            return str(thousands), f"{point:g}"
        # `0,500` groups no thousands: English writes five hundred 500; its comma is a decimal one
        if lo <= thousands <= hi and (point == thousands or mark == "," and text[0] != "0"):
            return str(thousands),
        return ()
    # `7,0`: a decimal comma, as `bias 0,3` is read (a comma with three digits after it was a group, above)
    decimal = text.replace(",", ".") if re.fullmatch(r"\d+,\d+", text) else ""
    ended = text.rstrip(STOPS) if _ENDED.fullmatch(text) else ""  # `steps 3!`
    spelled = spelled_number(text.rstrip(STOPS))  # `steps three`, `steps ten!`
    for candidate in (_united(text) or "", decimal, ended, "" if spelled is None else str(spelled), text):
        try:
            value = float(candidate)
        except ValueError:
            continue
        if value.is_integer() and lo <= value <= hi:
            return str(int(value)),
    return ()


def numbers_offered(readings: Sequence[str]) -> str:
    """The words that offer `readings` after a refused number (" (did you mean 0.5 or 5?)"); "" for none."""
    return f" (did you mean {' or '.join(readings)}?)" if readings else ""
