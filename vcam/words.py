"""Words as an operator reads them: counts ("1 preset", "2 presets"), sizes ("40.0 kB"), and the known word a
mistyped one was meant to be."""
from __future__ import annotations

import difflib
import math
import os
import re
import shlex
import unicodedata
from collections.abc import Callable, Iterable


def counted(n: int, noun: str) -> str:
    """`n` and the noun, plural unless there is exactly one (nouns here take a plain -s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# The units a size is said in, largest first, each with the least figure the next unit down would say before the
# size is said in it: a gigabyte, a tenth of a megabyte, a tenth of a kilobyte. That figure is compared as rounded,
# so 999.96 MB is "1.0 GB", not "1000.0 MB", and 99.96 kB is "0.1 MB".
UNITS = (("GB", 1e9, 1000.0), ("MB", 1e6, 100.0), ("kB", 1e3, 100.0), ("bytes", 1.0, 0.0))


def size_unit(n: float) -> tuple[str, float]:
    """The unit `n` bytes are said in: GB from a gigabyte, MB from a tenth of a megabyte, kB from a tenth of a
    kilobyte, whole bytes below, nothing at all included (a 40 kB file read "0.0 MB", a 10-byte one "0.0 kB", a full
    disk "0.0 GB" free)."""
    for (name, scale, least), (_, below_scale, _) in zip(UNITS, UNITS[1:]):
        if _rounded(n, below_scale) >= least:
            return name, scale
    return UNITS[-1][:2]


def _rounded(n: float, scale: float) -> float:
    """`n` bytes in a unit of `scale` bytes, rounded as size_figure writes them: to a tenth, bytes whole (round() rounds
    the binary value as format() does, so the two agree)."""
    return round(n) if scale == 1.0 else round(n / scale, 1)


def size_figure(n: float, unit: tuple[str, float]) -> str:
    """`n` bytes as a figure in `unit`: to a tenth, bytes whole."""
    return f"{n:.0f}" if unit[1] == 1.0 else f"{n / unit[1]:.1f}"


def size_in(n: float, unit: tuple[str, float]) -> str:
    """`n` bytes with their unit: "40.0 kB", "10 bytes", "1 byte"."""
    return counted(round(n), "byte") if unit[1] == 1.0 else f"{size_figure(n, unit)} {unit[0]}"


def size_text(n: float) -> str:
    """28.6 GB, 150.0 MB, 40.0 kB, 10 bytes: a size as vcam says it, the same in every line: a download's, as the
    line announcing it and its progress line both say it, room on a disk, a file replaced."""
    return size_in(n, size_unit(n))


def listed(words: list[str], last: str = "and") -> str:
    """`a`, `a and b`, `a, b and c` (or with `last` for the last join: `a, b or c`)."""
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def few(names: list[str], n: int) -> str:
    """The first `n` of `names`, joined, and how many more there are: a long list named in one line."""
    more = f", … {len(names) - n} more" if len(names) > n else ""
    return ", ".join(names[:n]) + more


def number_said(value: float) -> str:
    """`value` as a message says it: short (`1e+09`, `0.5`), but in full where the short form would round it onto
    another number, such as a bound it passed (`bpm 300.0000001 is out of range (20 to 300)`, not `bpm 300`)."""
    short = f"{value:g}"
    return short if float(short) == value else repr(value)


def plain(value: float) -> str:
    """`value` as a file would have it written: a whole number in digits (`1000000`, where `:g` says `1e+06`, which
    the operator did not write and may take for another number), else as number_said has it."""
    if math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return number_said(value)


# The most significant digits a level written by hand has (typed, or in a show file): a knob's fraction of its 127
# or 16383 steps, over any range, takes 12 or more to be written whole (13 all but at a rare few), so a value that
# takes at most this many was written so, and reads back so
TYPED_DIGITS = 10


def level_said(value: float) -> str:
    """A level (a strength, a bias) as a reply reads it: as typed where it was typed (0.3, 0.7535, 4e-07, 0.12345678:
    at most TYPED_DIGITS significant digits), and a knob's fraction (12345/16383) in three decimals, 0.754, not
    0.753525, with more where three would round it onto 0 or 1: "strength 0" read as text and input both gone where
    a knob was just off it."""
    short = f"{value:g}"
    if float(short) == value:
        return short
    if _significant_digits(written := repr(value)) <= TYPED_DIGITS:  # `:g` keeps six: 0.12345678 read 0.123
        return written
    for places in range(3, 16):
        if round(value, places) not in (0.0, 1.0):
            return f"{value:.{places}f}".rstrip("0").rstrip(".")
    return repr(value)


def _significant_digits(written: str) -> int:
    """How many significant digits a float's repr ('0.12345678', '1.5e-07', 'inf') writes."""
    mantissa = written.lstrip("-").partition("e")[0]
    digits = mantissa.replace(".", "").lstrip("0")
    if "." in mantissa:
        digits = digits.rstrip("0")
    return len(digits) if digits.isdigit() or not digits else len(written)


def level_in_status(value: float) -> str:
    """A level as the status line has it, two decimals, but never 0.00 or 1.00 for a value off 0 or 1 (a strength
    of 0.9999 is not all input, nor a bias of 0.999 off)."""
    two = f"{value:.2f}"
    return two if float(two) not in (0.0, 1.0) or float(two) == value else level_said(value)


_UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()


# the minus signs a keyboard, a word processor or an input method types before a number (`-three`, `−three`); int()
# and float() read only the first
MINUS_SIGNS = "-−–‒—－"


def spelled_number(text: str) -> int | None:
    """The whole number `text` spells in English words, from zero to ninety-nine (`three`, `twenty-five`, `forty
    two`), negative after a minus sign (`-three`: -3, which a command's range then refuses, not 3), as an operator
    says a setting; None for any other text (`twenty-`, a hyphen joining nothing)."""
    text = text.strip().lower()
    sign = -1 if text[:1] in MINUS_SIGNS else 1
    words = (text[1:] if sign < 0 else text).split()
    if sign < 0 and text[1:2].isspace():  # `- three` is no number written
        return None
    if len(words) == 1 and words[0].count("-") == 1:  # `twenty-five`; not `twenty-`, whose hyphen joins nothing
        words = words[0].split("-")
    if len(words) == 1 and words[0] in _UNITS:
        return sign * _UNITS.index(words[0])
    if words and words[0] in _TENS and (len(words) == 1 or len(words) == 2 and words[1] in _UNITS[1:10]):
        return sign * (20 + 10 * _TENS.index(words[0]) + (_UNITS.index(words[1]) if len(words) == 2 else 0))
    return None


def nearest(word: str, known: Iterable[str], cutoff: float = 0.6, prefer: Iterable[str] = ()) -> str | None:
    """The one of `known` that `word` was likely meant to be (`prst` → `preset`), or None where none is near: a typo
    answered with the word meant, not only with the whole list. Of words as near as each other, one in `prefer`
    is the one meant (`ext`, as near to next as to exit)."""
    known = list(known)
    swapped = [w for w in known if _swapped_pair(word, w)]
    if len(swapped) == 1:  # two letters typed the wrong way round, the commonest slip: --prot is --port, not --prompt
        return swapped[0]
    closest = equally_near(word, known, cutoff)
    if not closest:
        return None
    preferred = set(prefer)
    return next((w for w in closest if w in preferred), closest[0])


def equally_near(word: str, known: Iterable[str], cutoff: float = 0.6) -> list[str]:
    """The words of `known` nearest `word`, all as near as each other, nearest first as difflib orders them; empty
    where none is near."""
    known = list(known)
    close = difflib.get_close_matches(word, known, n=max(len(known), 1), cutoff=cutoff)
    return [w for w in close if _closeness(word, w) == _closeness(word, close[0])] if close else []


def _swapped_pair(word: str, other: str) -> bool:
    """Whether `word` is `other` with two letters side by side swapped (`prot`, `port`)."""
    if len(word) != len(other) or word == other:
        return False
    differ = [i for i, (a, b) in enumerate(zip(word, other)) if a != b]
    return (len(differ) == 2 and differ[1] == differ[0] + 1 and word[differ[0]] == other[differ[1]]
            and word[differ[1]] == other[differ[0]])


def _closeness(word: str, other: str) -> float:
    """How near `word` is to `other`, as difflib's close matches are ordered."""
    matcher = difflib.SequenceMatcher(None, other, word)
    return matcher.ratio()


def clipped(text: str, length: int) -> str:
    """`text` cut to at most `length` characters, the cut said with an ellipsis, and made where a character starts
    that is drawn on its own: not between a letter and the accent typed after it (`e` and U+0301 read as `e`, the
    text's `é` gone unsaid), nor inside an emoji a zero-width joiner, a variation selector or tag characters build."""
    if len(text) <= length:
        return text
    cut = length - 1
    while cut > 0 and not starts_a_character(text, cut):
        cut -= 1
    return text[:cut] + "…"


def starts_a_character(text: str, at: int) -> bool:
    """Whether a cut before `text[at]` leaves both sides drawn as they were (see `clipped`): not before a mark
    written after its letter (an accent; a Thai or Hindi vowel sign, which a cut dropped), a variation selector, a
    skin tone after its emoji, nor inside an emoji built with a joiner or tag characters, or a flag's pair."""
    ch = text[at]
    # a mark: accents (every character with a combining class is one) and variation selectors too
    return not (unicodedata.category(ch).startswith("M") or "\u200d" in text[max(0, at - 1):at + 1]
                or TAGS[0] <= ch <= TAGS[1]
                or SKIN_TONES[0] <= ch <= SKIN_TONES[1] and at > 0 and unicodedata.category(text[at - 1]) == "So"
                or _second_of_a_flag(text, at))


def _second_of_a_flag(text: str, at: int) -> bool:
    """Whether `text[at]` is the second of a flag's two regional indicators (🇫 and 🇷, France's), as they pair from
    the first of a run."""
    if not REGIONS[0] <= text[at] <= REGIONS[1]:
        return False
    before = at
    while before > 0 and REGIONS[0] <= text[before - 1] <= REGIONS[1]:
        before -= 1
    return (at - before) % 2 == 1


def quoted(text: str) -> str:
    """`text` in quotes, printed as it was typed: repr() wrote a preset's name `👩‍🎤` as '👩\\u200d🎤', its
    zero-width joiner escaped, and doubled every backslash. Only a character that prints nothing and draws nothing
    with its neighbours (`drawn`: a line break, an escape that would steer the terminal) is escaped, as repr()
    escapes it; the quotes are the ones repr() picks, double round a name that holds a single one, and single round
    one that holds both, the single one inside escaped (`'it\\'s "x"'`) so the name is seen to go on past it.
    A backslash stays single (a Windows path reads as typed) except in a run just before an escape or the closing
    quote, doubled as repr() doubles it: `a\\` + a line break is 'a\\\\\\n', not 'a\\\\n' read as a line break."""
    quote, said = quoted_parts(text)
    return quote + "".join(said) + quote


def quoted_parts(text: str) -> tuple[str, list[str]]:
    """The quote `quoted` puts round `text`, and each of its characters as shown inside them: a name cut where a
    character starts is shown as its whole is (a prefix quoted again doubled a backslash the cut left last)."""
    quote = '"' if "'" in text and '"' not in text else "'"
    said = [f"\\{ch}" if ch == quote else ch if ch.isprintable() or drawn(text, at) else repr(ch)[1:-1]
            for at, ch in enumerate(text)]
    for at in range(len(said) - 1, -1, -1):  # from the end, so a run before an escape is doubled whole
        after = said[at + 1] if at + 1 < len(said) else quote
        if said[at] == "\\" and (after.startswith("\\") and after != "\\" or after == quote):
            said[at] = "\\\\"
    return quote, said


# Zero-width joiner and non-joiner: printing nothing, they still change what is drawn between two characters (the
# woman and the microphone of 👩‍🎤 drawn as one singer; Persian and Indic words written as their writers spell them)
JOINERS = "\u200d\u200c"
# Emoji tag characters: after a black flag they spell the region whose flag is drawn (🏴 and g, b, e, n, g, then
# the cancel tag: England's flag), and print nothing of their own
TAGS = ("\U000e0020", "\U000e007f")
# Skin tones, drawn on the emoji before them; regional indicators, drawn two by two as a flag
SKIN_TONES = ("\U0001f3fb", "\U0001f3ff")
REGIONS = ("\U0001f1e6", "\U0001f1ff")


def drawn(text: str, at: int) -> bool:
    """Whether the character at `at`, one that prints nothing, changes what its neighbours draw: a joiner between
    two characters that print (at an end or by a space it joins nothing), or a tag character after a character
    that prints or another tag."""
    def prints(c: str) -> bool:
        return c.isprintable() and not c.isspace() or _prints_unknown(c)

    ch = text[at]
    if ch in JOINERS:
        return 0 < at < len(text) - 1 and prints(text[at - 1]) and prints(text[at + 1])
    if TAGS[0] <= ch <= TAGS[1]:
        before = text[at - 1] if at > 0 else " "
        return prints(before) or TAGS[0] <= before <= TAGS[1]
    return False


# Characters Python does not call printable that print all the same: the signs written before Arabic, Syriac and
# Kaithi numbers (Unicode's Prepended_Concatenation_Mark: ؀ over a year, ۝ round a verse's number)
PREPENDED_MARKS = frozenset("\u0600\u0601\u0602\u0603\u0604\u0605\u06dd\u070f\u0890\u0891\u08e2"
                            "\U000110bd\U000110cd")


def _prints_unknown(ch: str) -> bool:
    """Whether `ch` may print though Python cannot tell: a visible format character (PREPENDED_MARKS), or one newer
    than this Python's Unicode (an emoji such as 🩷, added after it, is unassigned here and drawn by the terminal);
    a noncharacter (U+FFFE, U+FDD0) is never drawn."""
    if ch in PREPENDED_MARKS:
        return True
    code = ord(ch)
    return (unicodedata.category(ch) == "Cn" and (code & 0xFFFE) != 0xFFFE and not 0xFDD0 <= code <= 0xFDEF)


def as_typed(text: str) -> str:
    """`text` as a line of it reaches the parser: a space of another kind (a no-break space, as Option-Space types
    on a Mac and pages copy, a line break) is a space, and other characters that print nothing are dropped, but for
    a joiner between two characters that print and an emoji's tag characters (`drawn`). A preset's name is read so
    too (vcam.control.show), or no typed line could name it. A character that may print (`_prints_unknown`) is
    kept."""
    def kept(at: int, ch: str) -> str:
        if ch.isprintable() or ch == "\t" or _prints_unknown(ch):
            return ch
        if ch.isspace():
            return " "
        return ch if drawn(text, at) else ""

    return "".join(kept(at, ch) for at, ch in enumerate(text))


def width_folded(text: str) -> str:
    """`text` with each full-width character (`ｑｕａｎｔｉｚｅ　ｂａｒ`, an input method's full-width mode) made the
    ASCII one it is drawn wide as; every other character as typed: not NFKC's whole folding, which makes a
    ligature's `ﬁre` the word fire, a command's typo, where it was a prompt's word."""
    return "".join(folded if unicodedata.east_asian_width(c) == "F" and len(folded := unicodedata.normalize("NFKC", c))
                   == 1 else c for c in text)  # one for one (not ￣, a space and a macron): joined_commands cuts by it


def shell_word(text: str, windows: bool = os.name == "nt") -> str:
    """`text` as a shell takes it as one word, for a fix to be typed or pasted as said (a path with a space in it:
    `ffmpeg -i my take.mp4` ran on `my`): bare where it may be, in double quotes where it holds a single quote (it's)
    and nothing a shell reads inside double quotes, which shlex.quote would write as 'it'"'"'s'. On Windows in
    double quotes wherever it needs quoting: cmd.exe splits 'vcam:OBS Virtual Camera@416x240' at its spaces and
    keeps the single quotes; PowerShell takes either."""
    if windows and '"' not in text and shlex.quote(text) != text:
        return f'"{text}"'
    if "'" in text and not re.search(r'["$`\\!]', text):
        return f'"{text}"'
    return shlex.quote(text)


def ps_word(text: str) -> str:
    """`text` as one literal word in PowerShell: in single quotes, inside which it reads nothing ($, `, &, ^) but a
    single quote, doubled; it takes the typographic ones for plain ones too."""
    return "'" + re.sub("(['\u2018\u2019\u201a\u201b])", r"\1\1", text) + "'"


# Characters no one form of a word keeps in sh, cmd.exe and PowerShell alike: sh reads $ ` \ (and bash's !) inside
# double quotes, where cmd.exe keeps single quotes as part of the word; PowerShell reads $ and ` inside double
# quotes, and takes a typographic double quote for a plain one; cmd.exe expands %NAME% bare and inside double
# quotes alike, and its ^% is kept as typed by the other two
NOT_ANYWHERE = '"$`\\!%\u201c\u201d\u201e'


def anywhere_word(text: str) -> str | None:
    """`text` as one word in a line typed on another machine, whose system this one does not know (a Windows camera
    machine told by a Linux server): bare where sh, cmd.exe and PowerShell all take it so, else in double quotes
    (PowerShell splits a bare word at a comma, reads a leading @, and reads a bare word that opens with a digit, a
    dot or a + as a number where it can be one: 1.50 as 1.5, 0x10 as 16, 1kb as 1024); None where it holds a
    character of NOT_ANYWHERE, which no one form keeps in all three, or a control character: the caller says
    something else (a part of the name)."""
    if not text or not text.isprintable() or any(c in NOT_ANYWHERE for c in text):
        return None
    if shlex.quote(text) != text or "," in text or text[0] in "@+.0123456789":
        return f'"{text}"'
    return text


def anywhere_part(text: str, shortest: int = 3, fits: Callable[[str], bool] = lambda part: True) -> str | None:
    """The longest stretch of `text` that anywhere_word can write and `fits` takes, as anywhere_word writes it, for a
    name that is matched by a part of it (a MIDI port: --midi nano); None where none is `shortest` characters long,
    which would match too much."""
    cut = "".join(c if c.isprintable() and c not in NOT_ANYWHERE else "\0" for c in text)
    parts = sorted(dict.fromkeys(p.strip() for p in cut.split("\0")), key=len, reverse=True)
    return next((anywhere_word(p) for p in parts if len(p) >= shortest and fits(p)), None)


def name_listed(name: str) -> str:
    """A file's name in a list of them, quoted where bare it would not be read whole: one holding a quote ("odd.mp4
    read as a quote left open), the list's comma or its closing bracket, a tab or a line break (seen as spaces, or
    as the list's end), or starting or ending in a space."""
    bare = not any(ch in name for ch in "'\",)") and name.isprintable() and name == name.strip()
    return name if bare else quoted(name)


def name_said(text: str) -> str:
    """A name (a file's, a device's, an input as typed) or a line naming one as vcam says it: terminal_safe with its
    line breaks and tabs escaped too, so that a name cannot pose as a line of vcam's own, nor a tab be read as
    spaces."""
    return terminal_safe(text, lines=False)


def terminal_safe(text: str, lines: bool = True) -> str:
    """Another machine's text as this terminal prints it: a control character (an escape sequence's ESC, a bell, a
    carriage return that wrote over the start of the line; C1's CSI) escaped as repr() writes it, as is a lone
    surrogate, which no terminal's encoding can print; its line breaks and tabs kept (a reply may be a list of
    lines), unless `lines` is False (a file's name said in a line: one named to look like a line of vcam's own).
    Every other character is kept as sent: a no-break or ideographic space, a right-to-left mark, a character
    newer than this Python's Unicode (an emoji the server's Python knows) steer no terminal, and escaped they
    mangled the prompts and names a reply echoes."""
    if text.isprintable():  # most text: no pass over each character
        return text
    kept = "\n\t" if lines else ""
    if lines:
        text = text.replace("\r\n", "\n")  # a line break as Windows writes it is one
    return "".join(repr(ch)[1:-1] if unicodedata.category(ch) in ("Cc", "Cs") and ch not in kept else ch
                   for ch in text)
