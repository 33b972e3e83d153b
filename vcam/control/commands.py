"""The command vocabulary shared by stdin, MIDI mappings, presets and control logs: one parser for all of them."""
from __future__ import annotations

import functools
import itertools
import math
import re
import shlex
import unicodedata
from contextvars import ContextVar
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from vcam.bias import check_bias
from vcam.control.fullwidth import (FULL_WIDTH_TIMING, a_file_here, input_read_as, kind_in_ascii, path_in_quotes,
                                    quoted_as_typed, signed, timing_in_ascii)
from vcam.control.linesource import (from_network, gone_since_read, in_a_file, line_source, looks_here,
                                     may_name_a_file, names_file_here)
from vcam.control.numberreadings import STOPS, blocks_meant, number_readings, numbers_offered, whole_readings
from vcam.control.replies import Hint
from vcam.control.quotes import (APOSTROPHES, CLOSING_QUOTES, MIXED_CLOSING, MIXED_OPENING, MIXED_PAIRS, MIXED_WORDS,
                                 OPENING_QUOTES, QUOTE_MARKS, TYPOGRAPHIC_PAIR, in_typographic_pair, paired)
from vcam.control.wholenumbers import BASED, based_int, based_meant
from vcam.control.yamlwrite import colon_read, flow_yaml
from vcam.inspec import (BarePathError, InputSpec, MeantError, check_strength, parse_input, split_kind, unescaped,
                         unquoted)
from vcam.prompttext import printed, read_as_encoded
from vcam.words import (JOINERS, as_typed, clipped, equally_near, listed, name_said, nearest, number_said,
                        quoted, shell_word, spelled_number, width_folded)

if TYPE_CHECKING:
    from vcam.control.yamlcheck import Reader

MAX_LINE = 4096
MAX_PROMPT = 2000
MAX_SEED = 2**63 - 1
MAX_TRANSITION = 1000  # blocks; one bound wherever it is given: typed, a show, --transition, a control log

USAGE: dict[str, str] = {
    "prompt": "prompt TEXT            generate TEXT (blends in over the transition)",
    "preset": "preset NAME|NUMBER     switch to a preset of the show (numbers start at 1)",
    "next": "next                   the next preset",
    "prev": "prev                   the previous preset",
    "blend": "blend A B X            mix presets A and B, X from 0 (all A) to 1 (all B)",
    "seed": "seed N                 noise seed, from the next block",
    "transition": "transition N           blocks over which prompt changes blend in (0 = at once)",
    "steps": "steps N                denoising steps per block (1-50)",
    "strength": "strength X             how much of the input survives, 0 (all of it) to 1 (text only)",
    "bias": "bias X                 attention on the last frames, 1 (as trained) down to near 0 (Krea uses 0.3)",
    "input": "input SRC              restyle none, camera[:N or :/dev/videoN], file:PATH, image:PATH or net (uploads)",
    "freeze": "freeze                 hold the picture (generation goes on)",
    "blackout": "blackout               show black",
    "live": "live                   undo freeze or blackout",
    "reset": "reset                  start the stream over from a fresh first block",
    "go": "go [N|NAME]            fire the next cue of the show's cue list, or cue N (by number or name)",
    "back": "back                   step back to the previous cue and fire it",
    "bpm": "bpm N                  set the tempo by hand (20-300 beats a minute)",
    "tap": "tap                    tap the tempo (on every beat, 4 times or more)",
    "quantize": "quantize beat|bar|N|off  changes land on the next beat, bar or N beats, or at once (off)",
    "status": "status                 print the state of the show",
    "help": "help [COMMAND]         this list, or how COMMAND is written",
    "quit": "quit                   stop vcam",
}
NO_ARGS = ("next", "prev", "freeze", "blackout", "live", "reset", "go", "back", "tap", "status", "help", "quit")
# Changes that may be put on the beat with a trailing `@beat`, `@bar`, `@N` (beats) or `@off` (at once, whatever
# the show's quantize says); the others act at once.
UNTIMED = ("bpm", "tap", "quantize", "status", "help", "quit")
MIN_BPM, MAX_BPM = 20.0, 300.0
# what a clock (MIDI clock, Link) may give: wider than what the bpm command takes; a control log keeps either
MIN_CLOCK_BPM, MAX_CLOCK_BPM = 10.0, 1000.0
MAX_QUANTIZE_BEATS = 64.0
# A 64th note: a change lands on a block (a dozen frames), so a finer grid places nothing better; and one of 1e-300
# beats cannot be counted in floats (its next boundary was looked for without end, with the controls locked)
MIN_QUANTIZE_BEATS = 0.0625
# what quantize, @ and a show's quantize: take, as their errors say it
QUANTIZE_FORMS = "beat, bar, a number of beats or off"
# a musician's note value, which a timing takes in beats: `1/2`, `half`, `quarter note`, `8th`
_NOTE_VALUE = re.compile(r"\d\s*/\s*\d|half|quarter|eighth|sixteenth|\d+(?:st|nd|rd|th)\b|whole|triplet|note")
_BARS = re.compile(r"(\d+(?:\.\d+)?|\.\d+) *bars?")  # a timing given as a count of bars: `2 bars`


# Commands only the operator at vcam's own console gives (a typed line; Ctrl-C and SIGTERM end the show too): a map's
# button, a cue, an OSC message or a network client is one stray tap away from ending a show on air. Each with what
# to do instead, said after "quit is not taken from OSC: " by every source that refuses it (typed_only).
TYPED_ONLY: dict[str, str] = {
    "quit": "the show ends where vcam runs (quit typed there, or Ctrl-C); blackout hides the picture",
}


def typed_only(cmd: Command | None, by: str, words: Mapping[str, str] | None = None) -> str | None:
    """Why `by` (a map's or a cue's entry, an OSC sender, the network) cannot give `cmd`; None where it may. The
    one rule for every source that is not the console: files refuse such a command as they load, senders as it
    comes. `words`: what to do instead, by command, where TYPED_ONLY's would mislead (vcam cam's quit ends the
    camera alone, where the server's show goes on)."""
    if cmd is None or cmd.name not in TYPED_ONLY:
        return None
    return f"{cmd.name} is not taken from {by}: {(words or {}).get(cmd.name) or TYPED_ONLY[cmd.name]}"


@dataclass(frozen=True)
class NumberMeant:
    """A command's number refused as typed, offered as the one number it reads as (`50%` as 0.5): `typed`, as the
    message quotes it; `number`, as a line writes it; `said`, the message's words that offer it."""
    typed: str
    number: str
    said: str


class CommandError(ValueError):
    """A line that is not a command; the message says what is wrong and how the command is written. `missing`: the
    command given without the argument it needs (`preset` alone), which a show can name its choices for. `unknown`:
    the word typed where a command's name goes and that names none (`reload`), which what runs may answer better.
    `joined`: the commands the line ran together (joined_commands), each taken alone, for what runs to offer them
    where it would take every one (joined_hint); the message is the line's own refusal. `meant`: the number the
    message offers for one it refused, for a file to offer the line with it in place. `said`: the line's first word
    and what followed it, as typed: what runs, which knows the show, may offer the line meant (`cue 5`: go 5, where
    the show has a cue 5), which the parser cannot. `offer`: the line the message offers in place of this one, as it
    reads back (`go 5 @bar` for `go 5 @bar # x`), for what runs to try; None where it offers none."""

    def __init__(self, message: str, missing: str | None = None, unknown: str | None = None,
                 joined: tuple[Command, ...] = (), meant: NumberMeant | None = None,
                 said: tuple[str, str] = ("", ""), offer: str | None = None):
        super().__init__(message)
        self.missing = missing
        self.unknown = unknown
        self.joined = joined
        self.meant = meant
        self.said = said
        self.offer = offer


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple = ()
    at: str | None = None  # when it lands: "beat", "bar", a number of beats, "off"; None: the show's quantize
    # a whole number as typed in hex or binary (`seed 0x10`): said so wherever the command is, as a show's default
    # is, where `seed 16` was a number never written; the same command as one written in decimal digits
    written: str | None = field(default=None, compare=False, repr=False)
    # an input's path typed in full width where only its ASCII fold names a file: how it was read, for the reply to
    # say (`ｌｏｇｏ．ｐｎｇ read as logo.png`); no part of the command's identity
    read_as: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        if self.name == "prompt":
            text = f"prompt {self.args[0]}"
        elif self.name in ("preset", "go") and self.args:
            text = f"{self.name} {_name_said(self.args[0])}"
        elif self.name == "blend":
            a, b, x = self.args
            text = f"blend {blend_side(a)} {blend_side(b)} {x:g}"
        elif self.name == "input":  # a path with an ` @` of its own in quotes, not read back as a timing
            text = f"input {_quoted_at(self.args[0])}"
        elif self.name in ("strength", "bias", "bpm") and self.written is None:
            text = f"{self.name} {self.args[0]:g}"
        elif self.name == "help" and len(self.args) > 1:  # `help seed steps` asks about seed alone
            text = f"help {', '.join(self.args)}"
        elif self.written is not None:
            text = f"{self.name} {self.written}"
        else:
            text = " ".join([self.name, *map(str, self.args)])
        return text + (f" @{self.at}" if self.at else "")


def usage(name: str, usages: Mapping[str, str] = USAGE) -> str:
    """How command `name` is written, for one line of a message: `seed N - noise seed, from the next block`. The
    help table's entries are padded into columns, which inside a sentence read as a gap; and in parentheses, the
    ones a description holds (`steps N (denoising steps per block (1-50))`) read as nested. `usages`: the table
    the help says them from (vcam cam's names the server's inputs)."""
    form, _, what = usages[name].partition("  ")
    return f"{form} - {what.strip()}" if what.strip() else form


def _not_taken(name: str, leaving_out: tuple[str, ...]) -> str:
    """What `help quit` adds for a sender that may not give it: told only how it is written, it was sent, refused."""
    return f"; not taken from OSC or the network: {TYPED_ONLY[name]}" if name in leaving_out else ""


def help_text(*names: str, leaving_out: tuple[str, ...] = (), usages: Mapping[str, str] = USAGE) -> str:
    """The commands, or how each command of `names` is written (`help blend`; `help seed, steps`: one a line).
    `leaving_out`: commands the whole list leaves out (those a sender that is not the console may not give), and
    that `help quit` says this sender may not give. `usages`: the table they are said from (USAGE's order)."""
    if len(names) == 1:
        timing = "" if names[0] in UNTIMED else "; it may end in @beat, @bar, @N (beats) or @off to land on the beat"
        return f"{usage(names[0], usages)}{timing}{_not_taken(names[0], leaving_out)}"
    if names:  # laid out as the whole list is, the timing said once, after the commands that take one
        timed = [name for name in names if name not in UNTIMED]
        said = f"\n  {listed(timed)} may end in @beat, @bar, @N (beats) or @off to land on the beat" if timed else ""
        return (f"{listed(list(names))}:\n" + "\n".join("  " + usage(name, usages) + _not_taken(name, leaving_out)
                                                        for name in names) + said)
    return ("commands:\n" + "\n".join("  " + line for name, line in usages.items() if name not in leaving_out)
            + "\n  a change may end in @beat, @bar, @N (beats) or @off to land on the beat (or at once)")


# what parts the commands of `help seed, steps`, `help seed and steps` or `help seed, steps, and bpm`; not a space
# alone: `help go back` asks about go, the command of the line `go back`
_HELP_LIST = re.compile(r"\s*[,;&/、]\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)


# words after help that ask for no command's help but for help itself, as a panicked operator types them
_PLEAS = frozenset(("me", "please", "pls", "plz", "all", "everything", "list"))


def _help(topic: str) -> Command:
    """`help blend`: how one command is written; the word after help must name one. `help seed, steps`, several
    commands' names, asks how each is written."""
    # `help ?`, `help commands`: a word for help itself asks for the list, which help alone gives (help help, which
    # was offered, says only how help is written); so does a plea (`help me`, `help please`, offered help freeze)
    words = [word for word in re.split(rf"[\s{re.escape(STOPS)}]+", topic.lower()) if word]
    if all(word in _PLEAS or MEANT_COMMAND.get(word) == "help" for word in words):
        return Command("help")
    names = [word.lower() for word in _HELP_LIST.split(topic.rstrip(STOPS)) if word]  # `help seed?`, `help seed,`
    if names and all(name in USAGE for name in names):
        return Command("help", tuple(dict.fromkeys(names)))
    # a list only where each part is one word, a command's name or near one (`help prompt, sed`): `help prompt cats
    # and dogs` and `help input file:a/b.png` ask about their first word, as a command line after help does
    if len(names) > 1 and all(len(name.split()) == 1 for name in names):
        meant = list(dict.fromkeys(name if name in USAGE else _meaning(name)[1] for name in names))
        if all(meant):
            raise CommandError(f"help takes commands' names, not {shown_typed(topic)} (did you mean help "
                               f"{', '.join(meant)}?); help alone lists them")
    name = topic.split()[0].lower() if topic.split() else ""
    if name.rstrip(STOPS) in USAGE:  # `help seed, dogs`: seed's help, not the line `seed N` offered for `seed,`
        name = name.rstrip(STOPS)
    if name not in USAGE or len(topic.split()) > 1:
        if name in USAGE:  # `help preset 2`: a whole command line, whose command is the one asked about
            meant = f" (did you mean help {name}?)"
        elif name.startswith("@"):  # a word the replies use ("on the bar"), not a command
            meant = (" (a timing: a change may end in @beat, @bar, @N (beats) or @off to land on the beat, as in "
                     "next @bar)")
        else:  # `help prset 2`: the help meant, not the command (`preset`, which would set a preset on air)
            meant, one = _meaning(name, rest=topic.split(None, 1)[1] if len(topic.split()) > 1 else "")
            if one is not None:
                meant = f" (did you mean help {one}?)"
        raise CommandError(f"help takes a command's name, not {shown_typed(topic)}{meant}; help alone lists them")
    return Command("help", (name,))


SHOWN_CHARS = 40  # of what was typed, in a message about it: a pasted paragraph is not said back in full


# The argument of the line being read, as folded (width_folded) and as typed: a message quotes the text typed
# (`strength ０，５` is told 'not ０，５', not '0,5', which the operator did not type and cannot find on the line)
_TYPED_REST: ContextVar[tuple[str, str]] = ContextVar("_TYPED_REST", default=("", ""))


def shown_typed(text: str) -> str:
    """What was typed, as a message quotes it: cut to SHOWN_CHARS; a part of a folded argument as it was typed
    (width_folded folds one character for one, so the part is where it was)."""
    return repr(_typed(text))


def _typed(text: str) -> str:
    """`text` as shown_typed quotes it, without the quotes."""
    folded, typed = _TYPED_REST.get()
    if text and (at := folded.find(text)) >= 0:
        text = typed[at:at + len(text)]
    return clipped(text, SHOWN_CHARS + 1)


def _offered(text: str, readings: Sequence[str]) -> tuple[str, NumberMeant | None]:
    """The words that offer the numbers `text` reads as (" (did you mean 0.5?)"), and what is meant where it reads
    as one alone."""
    said = numbers_offered(readings)
    return said, NumberMeant(_typed(text), readings[0], said) if len(readings) == 1 else None


# what a seed is written as in tools that draw one at each run (-1 in many image generators): vcam draws none, told
# so alike where typed and in a show (each was told the range alone)
DRAWN_SEEDS = ("random", "rand", "rnd", "auto", "any", "randomize", "randomise", "-1")
NO_DRAWN_SEED = "vcam draws no random seed (a seed brings its look back each time)"


def _int(text: str, name: str, lo: int, hi: int) -> int:
    # typed -1 stays out of range alone: a fader's sweep sends it too, where no random seed was asked for
    if name == "seed" and text.lower() in DRAWN_SEEDS and text != "-1":
        raise CommandError(f"seed needs a whole number from {lo} to {hi}, not {shown_typed(text)}: {NO_DRAWN_SEED}; "
                           "type any number, as in seed 1234")
    try:
        value = based_int(text)
    except ValueError:
        if (based := based_meant(text, lo, hi)) is not None:
            # bpm takes 120.5 too: only its hex or binary form is whole, so "needs a whole number" would mislead
            wanted = f"a number from {lo} to {hi}" if name == "bpm" else "a whole number"
            raise CommandError(f"{name} needs {wanted}, not {shown_typed(text)}{based}; usage: {usage(name)}") from None
        counted = blocks_meant(text) if name == "transition" else None
        said, meant = _offered(text, whole_readings(text, lo, hi)) if counted is None else (counted, None)
        raise CommandError(f"{name} needs a whole number, not {shown_typed(text)}{said}; usage: {usage(name)}",
                           meant=meant) from None
    if not lo <= value <= hi:
        # `seed -0x10` said as written, with the number it writes, as a show's `seed: -0x10` is: "seed -16" was
        # never typed
        said = f"{clipped(text, SHOWN_CHARS + 1)} ({clipped(str(value), SHOWN_CHARS + 1)})" if BASED.fullmatch(
            text) else value
        raise CommandError(f"{name} {said} is out of range ({lo} to {hi}); usage: {usage(name)}")
    return value


def _float(text: str) -> float:
    """The number `text` writes; ValueError for one that is none, `nan` too (float() reads it): answered as no
    number, not as one out of range."""
    value = float(signed(text))
    if math.isnan(value):
        raise ValueError(f"not a number: {text!r}")
    return value


def _number(text: str, name: str, lo: float, hi: float) -> float:
    try:
        value = _float(text)
    except ValueError:
        said, meant = _offered(text, number_readings(text, lambda v: lo <= v <= hi, hi == 1))
        raise CommandError(f"{name} needs a number from {lo:g} to {hi:g}, not {shown_typed(text)}{said}; usage: "
                           f"{usage(name)}", meant=meant) from None
    if not lo <= value <= hi:
        raise CommandError(f"{name} {number_said(value)} is out of range ({lo:g} to {hi:g}); usage: {usage(name)}")
    return value


def _strength(text: str) -> float:
    value = _number(text, "strength", 0.0, 1.0)
    return check_strength(value)


def _bias(text: str) -> float:
    try:
        return check_bias(_float(text))
    except ValueError as e:
        meant = None
        if "bias must" not in str(e):
            said, meant = _offered(text, number_readings(text, lambda v: 0 < v <= 1))
            e = f"bias needs a number above 0 and at most 1, not {shown_typed(text)}{said}"
        raise CommandError(f"{e}; usage: {usage('bias')}", meant=meant) from None


class TimingError(ValueError):
    """A timing refused (parse_quantize); `meant`: the number of beats its message offers for it, where it offers
    one alone."""

    def __init__(self, message: str, meant: NumberMeant | None = None):
        super().__init__(message)
        self.meant = meant


# a number of beats in plain digits (not `1_0`, which a timing takes too): one a file's line is offered
_PLAIN_BEATS = re.compile(r"[-+]?[\d.]+(?:e[-+]?\d+)?")


def parse_quantize(text: str, after_at: bool = False) -> str:
    """`beat`, `bar`, `off`, or a number of beats (`2`, `0.5`, `8 beats`) in its plain form; TimingError otherwise,
    worded for the `@` that ends a command where `after_at` (no quantize was typed there)."""
    word = text.strip().lower()
    if word in ("beat", "bar", "off"):
        return word
    number = word.removesuffix("beats").removesuffix("beat").strip()
    try:
        beats = _float(number)
    except ValueError:
        what = "after @ comes" if after_at else "quantize takes"
        # `bar.`, `2!`, typed fast: the timing meant, as `steps 3!` is told 3; else `bra`, `beta`: a timing's word
        # mistyped, said as the word meant (not `2 bars`, a count said as beats)
        bare = word.rstrip(STOPS)
        meant = _timing_meant(bare) if bare != word else None
        # `quantize none`: no timing, which off is; not after @, where `@now` may be a prompt's own
        if meant is None and bare in _NO_TIMING and not after_at:
            meant = "off"
        if meant is None and (spelled := spelled_number(bare)) is not None:  # `quantize four`
            meant = _timing_meant(str(spelled))
        if meant is None and bare.isalpha():
            meant = nearest(bare, ("beat", "bar", "off"))
        # `1/2`, `half`, `2 bars`: a musician's note value or a count of bars, said back as beats
        # after @, only for a note value (`@1/2`, `@half`): any other word (`@half.mp4`) may be a prompt's or a path's
        offered = None
        if meant:
            beats = f" (did you mean {'@' if after_at else ''}{meant}?)"
            if not after_at and _PLAIN_BEATS.fullmatch(meant):
                offered = NumberMeant(_typed(text), meant, beats)
        else:
            beats = _bars_meant(word, after_at) or _note_said(word, after_at)
        if not beats and not after_at:
            beats = " (it counts beats: 0.5 is half a beat, 4 a bar of 4/4)"
        elif not beats and _NOTE_VALUE.search(word) and "." not in word:
            beats = " (it counts beats: @0.5 is half a beat, @4 a bar of 4/4)"
        raise TimingError(f"{what} {QUANTIZE_FORMS}, not {shown_typed(text)}{beats}", offered) from None
    if not MIN_QUANTIZE_BEATS <= beats <= MAX_QUANTIZE_BEATS:
        what = "@" if after_at else "quantize "
        raise TimingError(f"{what}{number_said(beats)} beats is out of range ({MIN_QUANTIZE_BEATS:g}, a 64th note, "
                          f"to {MAX_QUANTIZE_BEATS:g})")
    return "beat" if beats == 1.0 else f"{beats:g}"


# the words for "at once" a timing may be given as, which off is (`none` was told it counts beats)
_NO_TIMING = ("none", "no", "never", "false", "null", "nothing", "immediate", "immediately", "now", "instant")


def _timing_meant(text: str) -> str | None:
    """`text`, where it is a timing (parse_quantize); None where it is none."""
    try:
        parse_quantize(text)
    except ValueError:
        return None
    return text


_NOTE_WORDS = {"whole": 4.0, "half": 2.0, "quarter": 1.0, "eighth": 0.5, "8th": 0.5, "sixteenth": 0.25, "16th": 0.25,
               "32nd": 0.125, "64th": 0.0625}


def _note_said(word: str, after_at: bool) -> str:
    """The hint for a timing given as a note value (`1/4`, `quarter`, `1/8 note`), as a DAW's quantize menu writes
    it: the beats that note lasts in 4/4 and the timing that says so (a 1/4 note is 1 beat: beat); "" for any other
    word, or a note no timing takes."""
    # a note's numbers have a few digits: `<400 ones>/4` overflowed a float, and the console's line with it
    found = re.fullmatch(r"(?:(\d{1,4})\s*/\s*(\d{1,4})|([a-z0-9]+))(?:\s*notes?)?", word)
    if found is None:
        return ""
    if found[3] is not None:
        beats, said = _NOTE_WORDS.get(found[3]), found[3]
    else:
        low = int(found[2])
        beats, said = (4 * int(found[1]) / low if low and low & (low - 1) == 0 else None), f"{found[1]}/{found[2]}"
    if beats is None or not MIN_QUANTIZE_BEATS <= beats <= MAX_QUANTIZE_BEATS:
        return ""
    at = "@" if after_at else ""
    command = at or "quantize "
    if found[1] is not None and int(found[2]) == 1 and int(found[1]) != 1:  # `8/1`: whole notes, in no common meter
        return (f" (it counts beats: {said} is {found[1]} whole notes, {beats:g} beats in 4/4: {command}{beats:g}; "
                f"{at}4 is a bar of 4/4)")
    if found[1] is not None and int(found[1]) != 1:  # `3/4`, `4/4`: a meter, not a note value (no "3/4 note")
        bar = "" if beats == 4 else f", a bar of {said} {command}{beats:g}"
        return f" (it counts beats, and {said} is a meter: a bar of 4/4 is {command}bar{bar}; {at}0.5 is half a beat)"
    lasts = "1 beat" if beats == 1 else f"{beats:g} beats"
    timing = "beat" if beats == 1 else f"{beats:g}"
    article = "an" if said.startswith(("8", "eighth", "11", "18")) else "a"
    return (f" (it counts beats: {article} {said} note is {lasts} in 4/4: {command}{timing}; {at}0.5 is half a beat, "
            f"{at}4 a bar of 4/4)")


def _bars_meant(word: str, after_at: bool) -> str:
    """The hint for a timing given as a count of bars (`2 bars`, `1bar`), which @ and quantize take in beats: the
    beats of that many bars of 4/4 (vcam's meter), or the most they take; "" for too few, or any other word.
    `@2 bars` was told only what comes after @, though `@2 beats` is taken."""
    bars = _BARS.fullmatch(word)
    if bars is None:
        return ""
    count = float(bars[1])
    said = "@" if after_at else ""  # a show file's quantize is no command: its number alone
    if count == 1.0:
        return f" (did you mean {said}bar? it counts beats, 4 a bar of 4/4)"
    if count * 4 > MAX_QUANTIZE_BEATS:
        return f" (it counts beats, {said}{MAX_QUANTIZE_BEATS:g} at most: {MAX_QUANTIZE_BEATS / 4:g} bars of 4/4)"
    if count * 4 < MIN_QUANTIZE_BEATS:
        return ""
    return f" (it counts beats: {count:g} bars of 4/4 are {said}{count * 4:g})"


def quantum_beats(spec: str, beats_per_bar: int) -> float:
    """The beats between two boundaries of a quantize form other than off ("bar": a bar's beats)."""
    return float(beats_per_bar) if spec == "bar" else 1.0 if spec == "beat" else float(spec)


def lands_on(spec: str) -> str:
    """Where a change quantised to `spec` (other than off) lands, in words: "on the bar", "on the 0.5-beat grid"."""
    return f"on the {spec}" if spec in ("beat", "bar") else f"on the {spec}-beat grid"


def _quantize(text: str) -> str:
    try:
        return parse_quantize(text)
    except TimingError as e:
        raise CommandError(f"{e}; usage: {usage('quantize')}", meant=e.meant) from None


def _quoted_at(spec: str) -> str:
    """An input as a line writes it: in quotes where its path holds a ` @` or ends in a backslash, which would
    escape the space before a timing, or is in typographic quotes of its own, which would be read as quotes
    (unquoted reads them back)."""
    path = split_kind(spec)[2]
    if " @" not in spec and "\t@" not in spec and not spec.endswith("\\") and in_typographic_pair(path) is None \
            and in_typographic_pair(spec) is None:
        return spec
    return _in_quotes(spec)


def _in_quotes(text: str) -> str:
    """`text` in the quotes unquoted takes out: double, or single where it holds a double one (its own single
    quotes written `'\\''`)."""
    return f'"{text}"' if '"' not in text else "'" + text.replace("'", "'\\''") + "'"


def _name_said(ref: str | int) -> str:
    """A preset as a line writes it: in quotes where reading it back unquoted would change it (a backslash that a
    shell's escape reads, an ` @` read as a timing, an @ it starts with, quotes of its own round it)."""
    name = str(ref)
    if isinstance(ref, int) or not (unescaped(name, windows=False) != name or name.endswith("\\")
                                     or " @" in name or "\t@" in name or name.startswith("@")
                                     or _without_quotes(name) != name):
        return name
    return _in_quotes(name)


def blend_side(ref: str | int) -> str:
    """A blend's preset as its line writes it, for shlex to read back the same (_blend): bare where it may be,
    else in quotes as _in_quotes puts a preset's (`blend "neon city" ocean 0.5`, where shlex.quote's single quotes
    read otherwise than the README and the other replies), in single ones where it holds a backslash, which in
    double quotes escapes. An @ it starts with is quoted: shlex leaves it bare, and a line that starts its
    arguments with one reads as their timing. The one rule for a blend's line, typed back or built from an OSC
    message's values."""
    name = str(ref)
    if shlex.quote(name) == name and not name.startswith("@"):
        return name
    return _in_quotes(name) if "\\" not in name else "'" + name.replace("'", "'\\''") + "'"


# what one types after input for text alone, where input none is meant (`input off`)
_WORDS_FOR_NONE = ("off", "no", "nothing", "text", "text only", "null", "false")


def _input(text: str, at: str | None = None, console: bool = True) -> str:
    """`input "file:my clip.mp4"` or `input file:"my clip.mp4"`: a path with spaces may be quoted, whole or after
    its kind (a file dropped on the terminal comes quoted, or with a shell's backslashes, which parse_input takes
    out). A path without its kind is answered with the command that plays it. `console`: typed here, where a path
    is looked for in the current folder; a show's are found beside it (showpaths.whole_command), not looked for."""
    # `image: "my x.png"`: the space goes, then the quotes, typographic ones too (a path copied from a document);
    # within quotes round the whole, straight or typographic, typographic ones are the path's own (`“file:“x””`
    # took both pairs off, and looked for x)
    typed = text
    # `“ｆｉｌｅ：x.png"`, `“ｆｉｌｅ：x.png”`: a full-width kind within quotes that are straight only once made so, or
    # typographic ones round the whole, is folded there too (else read as a path: did you mean image:ｆｉｌｅ：x.png)
    whole = _without_quotes(text := kind_in_ascii(_one_pair(kind_in_ascii(text), console)))
    whole = kind_in_ascii(whole) if whole != text else whole
    kind, colon, path = split_kind(whole)
    given = kind + colon + (unquoted(path) if whole != text else _without_quotes(path))
    _unclosed_quote(whole, kind, colon, path, at, console)
    if " ".join(given.lower().split()) in _WORDS_FOR_NONE:  # `input off`: no input at all, as none says it
        # the word input said once, in the line offered ("is no input: text only is input none: did you mean input
        # none?" said it three times)
        raise CommandError(f"{quoted(given.strip())} is not a source; text only is none: did you mean input "
                           f"none{_at_said(at)}?")
    try:
        spec = parse_input(given)
    except MeantError as e:  # the line offered keeps its timing: `input loop.mp4 @bar` lands on the bar once fixed
        raise _input_offered(e.why, e.meant, at) from None
    except ValueError as e:
        # `input '’`: quotes round nothing are said as typed, not as '' (their pair made straight, then taken off)
        said = str(e).replace(repr(""), repr(clipped(typed.strip(), 41)), 1) if not given.strip() and typed.strip() \
            else quoted_as_typed(str(e), given, text, typed)
        raise CommandError(f"{said}; usage: {usage('input')}") from None
    if console:
        _mark_ended(spec, at)
    return str(spec)


def _at_said(at: str | None) -> str:
    """` @bar` for a line offered in place of an input's: it keeps the timing given (`input file:x.png" @bar` is
    offered landing on the bar, not at once), nothing where none was."""
    return f" @{at}" if at is not None else ""


def _mark_ended(spec: InputSpec, at: str | None) -> None:
    """CommandError offering the line without it where a comma or another mark of a list or a sentence ends a file's
    or image's path (`input image:pic.jpg,`) that is there without it and not with it: the mark was read as part of
    the name, and the file said not to be there. Looked for in a line typed here only (names_file_here)."""
    if (found := _mark_meant(spec)) is None:
        return
    raise _input_offered(*found, at)


def _input_offered(why: str, meant: InputSpec, at: str | None) -> CommandError:
    """The refusal of an input's line, saying `why`, that offers the input `meant` at the timing typed (`at`)."""
    return CommandError(MeantError(why, meant).as_said(f"input {_quoted_at(str(meant))}{_at_said(at)}"))


def _mark_left_off(why: str, meant: InputSpec, console: bool) -> tuple[str, InputSpec]:
    """`why` and `meant` with a mark ending its path (_mark_meant) left off too, in a line typed here: offered without
    both at once (`file:"it's.png,`), not the line with the mark on, which would only be refused in turn."""
    if console and (found := _mark_meant(meant)) is not None:
        return f"{why}, and {found[0]}", found[1]
    return why, meant


def _mark_meant(spec: InputSpec) -> tuple[str, InputSpec] | None:
    """Why a file's or image's path ending in a mark (_mark_ended) is not the one meant, and the input meant; None
    where it is no such path."""
    kept = spec.target.rstrip(STOPS + " \t")  # `pic.jpg ,`, `"my pic.jpg",`: a space before the mark, quotes too
    bare, mark = unquoted(kept), spec.target[len(kept):]
    # `image:/tmp,`: a folder is no file or image, and the line offered would only be refused in turn
    if spec.kind not in ("file", "image") or bare in ("", spec.target) or names_file_here(spec.target) \
            or not a_file_here(bare):
        return None
    return f"the {mark!r} after {name_said(bare)} is read as part of its name", InputSpec(spec.kind, bare)


def _one_pair(text: str, console: bool = True) -> str:
    """An input's argument typed here with a mixed pair of quotes (MIXED_PAIRS) round the whole of it, or round its
    path after its kind, made straight; as typed where its path names a file so. A show's line and a network one,
    whose file (beside the show, in the shared folders) is not looked for here, are read as written where both
    quotes are curled (`’pic.jpg’`: a file may be named so); one of the two straight is a pair there too, as in a
    blend's names: read as written, its straight quote was refused as opened or closed nowhere, and the line
    offered kept the curled one on."""
    quoted = re.fullmatch(rf"(\s*(?:[A-Za-z]+:\s*)?)([{MIXED_OPENING}])(.*)([{MIXED_CLOSING}])(\s*)", text, re.DOTALL)
    if quoted is None or (pair := MIXED_PAIRS.get((quoted[2], quoted[4]))) is None:
        return text
    written = split_kind(text.strip())[2] if quoted[1] else text.strip()
    # from the network, read as written only where the shared folders hold a file so named (the console took
    # `’x.png’` as x.png, the network refused it); nothing outside them is looked at
    if not console and quoted[2] == quoted[4] and (not line_source().from_afar or may_name_a_file(written)) \
            or pair in quoted[3] and not _apostrophes_only(quoted[3], pair) or names_file_here(written):
        return text
    # `'don't.mp4’`: an apostrophe within is no quote; the name goes in double quotes, which it does not close
    inner = f'"{quoted[3]}"' if pair in quoted[3] else f"{pair}{quoted[3]}{pair}"
    return f"{quoted[1]}{inner}{quoted[5]}"


def _timed_pair_straight(text: str) -> str:
    """An input's argument whose path is in a pair of quotes a phone curled on one side only, before a timing typed in
    full width (`image:‘x.png' ＠ｂａｒ`, `image:'it's.png’ ＠ｂａｒ`), with the pair made straight, as a straight pair is
    read there (in double quotes where an apostrophe is within: `"it's.png"`); as typed for any other, and where the
    path as typed names a file here, or the one within names none. The console and the network read it alike: the
    console had taken the second, the network refused both or read the second as a name with its quotes on."""
    end = FULL_WIDTH_TIMING.search(text)
    pair = re.fullmatch(r"(\s*(?:[A-Za-z]+:\s*)?)(\S)(.*)(\S)(\s*)", text[:end.start()] if end else "", re.DOTALL)
    if pair is None or (quote := MIXED_PAIRS.get((pair[2], pair[4]))) is None \
            or (pair[2] in "'\"") == (pair[4] in "'\"") or names_file_here(text[len(pair[1]):end.start()].strip()):
        return text
    if quote in pair[3]:  # `'don't.mp4’`: an apostrophe within is no quote; the name goes in double quotes
        if not _apostrophes_only(pair[3], quote) or '"' in pair[3]:
            return text
        quote = '"'
    # only where the file is there (from afar, in the shared folders, as media.admit reads it): one that is not is
    # refused as typed, alike whether it is outside them (_shared_or_said)
    source = line_source()
    if not (source.shared(pair[3].strip()) if source.from_afar and source.shared is not None
            else not source.from_afar and a_file_here(pair[3].strip())):
        return text
    return f"{pair[1]}{quote}{pair[3]}{quote}{pair[5]}{text[end.start():]}"


def _apostrophes_only(text: str, pair: str) -> bool:
    """Whether each ' of `text`, quoted in a mixed pair standing for single quotes, is an apostrophe within a word
    (`don't`), and no double quote is there."""
    return pair == "'" and '"' not in text and re.fullmatch(r"(?:[^']|(?<=\w)'(?=\w))*", text) is not None


def _example(kind: str) -> str:
    """A path with a space, for a refusal's example of `kind`'s input."""
    return "my clip.mp4" if kind.lower() == "file" else "my picture.png"


def _unclosed_quote(whole: str, kind: str, colon: str, path: str, at: str | None, console: bool = True) -> None:
    """CommandError offering the line without it where a quote opens the input, or its path after the kind, and
    none closes it (`input file:"loop.mp4`, the end quote forgotten): the quote was read as part of the name, and
    the file was said not to be there. Not where a file is named so in a line typed here (its quote is the name's).
    The line offered keeps the timing (`at`, or one glued to the path); a file or image not there is said so, and no
    line offered."""
    for typed, before in ((whole, ""), (path, kind + colon)):
        opening = typed[:1]
        # closed anywhere further on (`file:'my clips'/a.mp4`, as a shell quotes a part): that one was closed; or
        # by its curled pair before a timing typed in full width (`'x.png’ ＠ｂａｒ`), which media.admit reads off a
        # network line where the shared folders hold x.png (the console, which looks here, had read it; the network
        # refused it)
        if opening not in OPENING_QUOTES or any(close in typed[1:] for close in OPENING_QUOTES[opening]) \
                or line_source().from_afar and (inner := _curled_close_timed(typed)) is not None \
                and _shared_or_said(inner, kind if before else "", typed):
            continue
        # a show's file is found beside the show (found_input), not in the working folder, which differs between runs
        if not (before and console and names_file_here(path)):
            _offer_unquoted(typed[1:].strip(), before, kind, at, console)
        return
    _unopened_quote(kind, colon, path, at, console)


def _curled_close_timed(typed: str) -> str | None:
    """The path within `typed`, an input's path in a pair of quotes a phone curled on one side, before a timing typed
    in full width (`'x.png’ ＠ｂａｒ`, `‘x.png' ＠ｂａｒ`: x.png); None for any other."""
    timing = FULL_WIDTH_TIMING.search(typed)
    if timing is None or typed[:1] not in "'\"‘“":  # `‘x.png' ＠ｂａｒ` too: the phone curled the opening one
        return None
    before = typed[:timing.start()].rstrip()
    return path_in_quotes(before) if MIXED_PAIRS.get((typed[:1], before[-1:])) is not None else None


def _shared_or_said(path: str, kind: str, typed: str) -> bool:
    """True where `path` (of a network line, within a mixed pair of quotes before a full-width timing, `typed`)
    names a file of the shared folders, which media.admit reads off the line; else CommandError saying it is not
    there. Taken whole (`'/etc/passwd’ ＠ｂａｒ`, a link out of them, a typo), quotes and timing were set as a shared
    name; the line once offered kept the curled quote on, refused in turn. Only the shared folders are looked in, so
    the reply is the same whether the path exists outside them or not. False for a blank name (`'’ ＠ｂａｒ`), a
    quote left open as any other: the empty name is the shared folder itself, no file."""
    within, colon, named = split_kind(path)
    if colon and within.strip().lower() in ("file", "image"):  # `'image:x.png’ ＠ｂａｒ`: the kind within the quotes
        kind, path = within.strip(), named
    if not path.strip():
        return False
    kind = kind.strip().lower() or "file"
    if line_source().shares_none:  # as the line in straight quotes is told (media.admit)
        raise CommandError(f"input {kind}:{name_said(path)}: this show shares no folder with the network, so a "
                           f"command from there names no file; to share one, start vcam serve (or vcam run) with "
                           f"--media DIR")
    if may_name_a_file(path):
        return True
    timing = FULL_WIDTH_TIMING.search(typed)
    at = width_folded(timing[1]).lower() if timing is not None else "bar"
    raise CommandError(f"no such file {name_said(path)} in the folders shared with the network: check the name, as "
                       f"in input {kind}:'NAME' @{at}")


def _offer_unquoted(rest: str, before: str, kind: str, at: str | None, console: bool) -> None:
    """CommandError offering the input `before` (its kind and colon, where the quote opened its path) and `rest`, the
    path after the quote left open, with the timing `at`; returns where that is no input either (said as the input
    without its quote is said, when typed)."""
    # `input file:"`, the path not typed yet: here no file named `"` is there (looked for above); from the network
    # media.admit decides, in the shared folders, which may hold one, and a show's line is found beside the show
    if before and not rest and console and looks_here():
        raise CommandError(f"the quote after {before} is not closed and holds no path: give one, as in input "
                           f"{kind.lower()}:\"{_example(kind)}\"")
    why = f"the quote before {name_said(rest)} is not closed"
    try:
        meant = parse_input(before + rest)
    except MeantError as e:  # `input "loop.mp4`: its kind left out too, offered with it
        why, meant = f"{why}, and {e.why}", e.meant
    except ValueError:
        return
    meant, at = _timing_unglued(meant, at)
    why, meant = _mark_left_off(why, meant, console)
    if meant.kind in ("file", "image") and not meant.target.strip(QUOTE_MARKS) \
            and not (console and names_file_here(meant.target)):
        # `input 'file:"` from the network: the line offered, `input file:"`, holds no path but a quote
        raise CommandError(f"{why}: give a path in quotes, as in input {meant.kind}:\"{_example(meant.kind)}\"")
    if meant.kind in ("file", "image") and looks_here(meant.target) and not names_file_here(meant.target):
        # a line offered for it would only be refused in turn
        raise CommandError(f"{why}, and no such file {name_said(meant.target)}: check the path, as in "
                           f"input {meant.kind}:PATH")
    raise _input_offered(why, meant, at)


def _timing_unglued(spec: InputSpec, at: str | None) -> tuple[InputSpec, str | None]:
    """`spec` without a timing glued to its path (`loop.mp4@bar`, loop.mp4 there and loop.mp4@bar not), and the
    timing: the line offered sets it apart, which plays (glued, it is refused as a name not there)."""
    head, glued, tail = spec.target.rpartition("@")
    if at is not None or spec.kind not in ("file", "image") or not glued or not head \
            or names_file_here(spec.target) or at_timing(tail) is None:
        return spec, at
    return InputSpec(spec.kind, head), parse_quantize(tail, after_at=True)


def _unopened_quote(kind: str, colon: str, path: str, at: str | None, console: bool = True) -> None:
    """CommandError offering the line without it where a quote ends the input's path, or the input where it has no
    path (`input none"`), and none opens it (`input file:loop.mp4"`); not where a file is named so. A mark before
    the quote (`file:it's.png,"`) is left out of the line offered too, in a line typed here (_mark_ended). The line
    offered keeps the timing (`at`, or one glued to the path), as _unclosed_quote's does."""
    typed = path if colon else kind
    closing = typed[-1:]
    if closing not in CLOSING_QUOTES or any(opening in typed[:-1] for opening in CLOSING_QUOTES[closing]):
        return
    if colon and names_file_here(path):
        return
    if colon and gone_since_read(path):  # the line offered without the quote would name another file
        raise CommandError(f"no such file {name_said(path)}, there when the show was loaded: put it back, or take "
                           f"the line out of the show")
    rest = typed[:-1].strip()
    try:
        meant = parse_input(kind + colon + rest if colon else rest)
    except ValueError:  # said as the input without its quote is said, when typed
        return
    why = f"the quote after {name_said(rest)} opens nowhere"
    meant, at = _timing_unglued(meant, at)
    raise _input_offered(*_mark_left_off(why, meant, console), at)


def checked_prompt(text: str) -> str:
    """`text` as a prompt, else CommandError: one rule for typed, mapped and command-line prompts."""
    if len(text) > MAX_PROMPT:
        raise CommandError(f"prompt too long ({len(text)} characters, at most {MAX_PROMPT})")
    if blank_prompt(text):
        raise CommandError(f"prompt {blank_said(text)}")
    return text


@functools.lru_cache(maxsize=1024)  # a log replays the same few prompts in thousands of knob-turned blends
def blank_prompt(text: str) -> bool:
    """Whether the text encoder would read `text` as no words (vcam.prompttext's rule, ftfy's repairs or what of
    them can empty a prompt where ftfy is missing: `vcam cam`'s machine): `&nbsp;` is a space and a terminal's
    colour code is nothing. Not a matter of words: `🐱`, `...` or `<3` are read."""
    return not read_as_encoded(text)


def blank_said(text: str) -> str:
    """What is wrong with a prompt `blank_prompt` finds blank, to follow where it was given."""
    if not printed(text).strip():
        why = "its characters print nothing"
    elif "&" in text:
        why = "the model reads HTML entities such as &nbsp; as the characters they stand for, and these print nothing"
    else:  # `ESC[31m`, or a space garbled by a wrong encoding (`â€ƒ`), which ftfy repairs
        why = "once cleaned for the text encoder (colour codes and garbled characters repaired) it prints nothing"
    return f"{quoted(clipped(text, SHOWN_CHARS + 1))} is blank: {why}; give words to generate"


def _blend(text: str) -> tuple:
    """blend A B X: preset names may be quoted when they hold spaces, in straight or typographic quotes."""
    try:  # `'neon city’ ocean 0.5`: a name's quotes, one of them curled, were read as one left open
        parts = shlex.split(_straight_quotes(MIXED_WORDS.sub(paired, text)))
    except ValueError as e:  # shlex's own words ("No closing quotation") name nothing the operator typed
        why = ("the line ends in a backslash: take it out" if "escaped" in str(e) else
               "a quote is not closed: close it, as in blend \"neon city\" ocean 0.5" if text.count('"') % 2 else
               "a quote is not closed: a name with an apostrophe goes in double quotes, as in blend \"bob's dream\" "
               "ocean 0.5, or give the presets' numbers, as in blend 1 2 0.5")
        raise CommandError(f"blend: {why}") from None
    wide = width_folded(parts[-1]) if parts else ""
    # `blend 1 2 0.5 ＠ｂａｒ`, its timing typed in full width
    if len(parts) == 4 and parts[-1].startswith("＠") and at_timing(wide[1:]) is not None:
        # `blend 1 2 0.5, ＠ｂａｒ`: a mark typed before it is left out of the line offered, which must be taken
        head = text[:text.rindex("＠")].rstrip(STOPS + " \t").strip()
        _blend(head)  # refused, the three words are told what is wrong with them
        raise CommandError(f"blend takes two presets and a position, then its timing after an @: did you mean blend "
                           f"{clipped(head, SHOWN_CHARS + 1)} {wide}?")
    if len(parts) > 3:  # `blend neon city ocean 0.5`: the names cannot be told apart
        raise CommandError(f"blend takes two presets and a position, not {len(parts)} words: put a name with spaces "
                           "in quotes, as in blend \"neon city\" ocean 0.5, or give the presets' numbers, as in "
                           "blend 1 2 0.5")
    if len(parts) != 3:
        raise CommandError(f"blend needs two presets and a position; usage: {usage('blend')}")
    try:
        x = _float(parts[2])
    except ValueError:
        # its names are read as written (_AS_WRITTEN), its position as a setting's number is: `５０％` is 50%
        said, meant = _offered(parts[2], number_readings(width_folded(parts[2])))
        shown = shown_typed(_word_typed(text, parts[2]))
        raise CommandError(f"blend position must be a number from 0 to 1, not {shown}{said}", meant=meant) from None
    if not 0.0 <= x <= 1.0:
        raise CommandError(f"blend position {number_said(x)} is outside 0 to 1; usage: {usage('blend')}")
    a, b = (_numbered(_named("blend", part)) for part in parts[:2])  # shlex took out their quotes and escapes
    # a preset with itself is no mix: one of the two was mistyped. Compared as a show compares names: café typed
    # and café copied from a macOS file name (an e and a combining accent) are one preset
    if name_key(str(a)) == name_key(str(b)):
        raise CommandError(f"blend mixes two different presets, not {quoted(clipped(str(a), SHOWN_CHARS + 1))} with "
                           "itself; give two, as in blend 1 2 0.5 (or preset NAME for one)")
    return a, b, x + 0.0  # -0 typed is 0: its reply said "at -0.00"


def _word_typed(text: str, word: str) -> str:
    """The last word of a blend's words `text` as typed (`‘x’`), where it reads as `word` (shlex took its quotes
    out): a refusal quotes what is on the line."""
    words = text.split()
    last = words[-1] if words else ""
    try:
        read = shlex.split(_straight_quotes(MIXED_WORDS.sub(paired, last))) == [word]
    except ValueError:
        return word
    return _folded_as_typed(last) if read and width_folded(last) != last else word


# a pair of quotes round a word, straight or curled, as the line's own quoting: a refusal quotes what is within
_OWN_QUOTES = re.compile(r"""^['"‘’“”„](.*)['"‘’“”]$""", re.S)


def _folded_as_typed(typed: str) -> str:
    """`typed`, a word a full-width fold changed (`ｏｃｅａｎ`, `‘ｏｃｅａｎ’`), as a refusal quotes it: as typed, its own
    quotes off (the refusal's are round it), as the words of a line with no full-width letter are quoted as read."""
    own = _OWN_QUOTES.match(typed)
    return own[1] if own and own[1] else typed


def _straight_quotes(text: str) -> str:
    """`text` with each typographic pair (TYPOGRAPHIC_PAIR) made the straight quotes a line takes."""
    return TYPOGRAPHIC_PAIR.sub(lambda pair: _in_quotes(pair[1] if pair[1] is not None else pair[2]), text)


# a command's name → what its argument text becomes (its args)
_ARGS = {
    "prompt": lambda t: (checked_prompt(t),),
    "preset": lambda t: (_ref("preset", t),),
    "seed": lambda t: (_int(t, "seed", 0, MAX_SEED),),
    "transition": lambda t: (_int(t, "transition", 0, MAX_TRANSITION),),
    "steps": lambda t: (_int(t, "steps", 1, 50),),
    "strength": lambda t: (_strength(t),),
    "bias": lambda t: (_bias(t),),
    "input": lambda t: (_input(t),),
    # `bpm 0x78` read as a show's `bpm: 0x78` is, and told as a seed so written is where it is none (`bpm 0x`)
    "bpm": lambda t: (float(_int(t, "bpm", int(MIN_BPM), int(MAX_BPM))) if BASED.fullmatch(t) or based_meant(
        t, MIN_BPM, MAX_BPM) else _number(t, "bpm", MIN_BPM, MAX_BPM),),
    "quantize": lambda t: (_quantize(t),),
    "blend": _blend,
}


def _ref(command: str, text: str) -> str | int:
    """The preset (`command` is preset) or cue (go) `text` names: by number (1-based, as int) or by name (str). A name
    in quotes, straight or typographic (`“neon city”`, TYPOGRAPHIC_PAIR), is taken as written within them; one without
    reads a shell's escapes as a typed path does (`neon\\ city`, `loop\\ \\(2\\)`: a backslash before a space or
    punctuation), and as blend reads its names. Quotes opened one way and closed the other (`'laser tunnel’`, one
    curled by a phone's keyboard) are a pair, as in a blend's names."""
    if (mixed := MIXED_WORDS.fullmatch(text.strip())) is not None:
        text = paired(mixed)
    name = _without_quotes(text)
    return _numbered(_named(command, unescaped(text, windows=False) if name == text else name))


def ref_read(command: str, text: str) -> str | int | None:
    """The preset (`command` is preset) or cue (go) `text` names, read as the line `command text` reads it (_ref):
    a name in quotes, straight, typographic or a mixed pair (`"misty forest"`, `'the drop’`), without them; None
    for quotes round nothing."""
    try:
        return _ref(command, text)
    except CommandError:
        return None


def _without_quotes(text: str) -> str:
    """What the quotes round the whole of `text` hold: typographic ones (`“dancers”`, `‘dancers’`, `„dancers“`, as a
    phone's keyboard, a word processor or a chat message puts them) or straight ones (unquoted); `text` where none
    are."""
    inner = in_typographic_pair(text)
    return unquoted(text) if inner is None else inner


def _named(command: str, name: str) -> str:
    """A name as typed, without the spaces round it, which a show's names never have (vcam.control.show reads
    them without): `preset " neon"` is the preset neon. CommandError for quotes round nothing."""
    if not name.strip():
        if command == "go":
            raise CommandError("go: the quotes hold no name: give a cue's name or number, as in go 2, or go alone")
        example = "preset ocean or preset 2" if command == "preset" else "blend ocean city 0.5 or blend 1 2 0.5"
        raise CommandError(f"{command}: the quotes hold no name: give a preset's name or number, as in {example}")
    return name.strip()


def _numbered(name: str) -> str | int:
    """A preset's number where `name` is one, in any script's digits as seed reads them (`１`, a full-width digit an
    input method types); else the name. Not `²`: no number int() reads."""
    return int(name) if name.isdecimal() else name


def _split_at(name: str, rest: str) -> tuple[str, str | None]:
    """`preset 3 @bar` → ("3", "bar"): the argument text and when the change lands, where the line ends in an `@`
    after a space (an address such as me@example.com in a prompt is no timing)."""
    cut = _last_at(name, rest, len(rest))
    if cut < 0 and not rest.startswith("@"):
        return rest, None
    head, tail = (rest[:cut], rest[cut + 2:]) if cut >= 0 else ("", rest[1:])
    if name in UNTIMED:
        raise CommandError(f"{name} acts at once: it takes no @{clipped(tail.strip(), SHOWN_CHARS + 1)}")
    if not tail.strip():  # `next @`: the timing left unwritten
        line = " ".join(filter(None, (name, head.strip())))
        raise CommandError(f"the line ends in an @ with no timing after it: give one, as in {line} @bar (beat, bar, "
                           f"a number of beats or off), or leave the @ out")
    try:
        at = parse_quantize(tail, after_at=True)
    except ValueError as e:
        # a prompt's text may hold an @ of its own ("a sign saying @home"): the timing, the last @, lets it through
        keep = (f"; for an @ in the prompt's text, end the line with its timing: {name} {rest.strip()} @off"
                if name == "prompt" else "")
        if name == "input" and any(c in tail for c in "./"):  # `@home.mp4`, not a mistyped `@barr`
            keep = f"; for an @ in a path, put the input in quotes: input {_quoted_at(rest.strip())}"
        if name == "preset" and tail.strip() and (tail[:1].isspace() or len(tail.split()) > 1):  # `sunset @ beach`
            typed = rest.strip()
            # `"it's @ home`: an apostrophe within a name opened with a double quote is the name's own
            apostrophes = "'’" if typed[:1] in "\"“„”" else ""
            if typed[:1] in QUOTE_MARKS and not any(c in QUOTE_MARKS and c not in apostrophes for c in typed[1:]):
                typed = typed[1:].strip()  # a quote opened and left so: the line offered quotes the name whole
            keep = f"; for an @ in a preset's name, put the name in quotes: preset {_name_said(typed)}"
        if name == "blend" and len(tail.split()) > 1 and at_timing(tail.split()[0]) is None:  # `blend a @ b c 0.5`
            keep = "; for an @ in a preset's name, put the name in quotes, as in blend \"sunset @ beach\" ocean 0.5"
        raise CommandError(f"{e}{keep}") from None
    if name != "prompt":  # a prompt's text may end in an @ word of its own, before its timing (`@home @off`)
        _one_timing(name, head.strip(), tail.strip())
    return head.strip(), at


def split_timing(name: str, rest: str) -> tuple[str, str | None]:
    """The words `rest` after command `name` and the timing they end in, read as the command reads them (`cue @bar`
    → ("cue", "bar")); `rest` and None where they end in none, or in one the command refuses."""
    try:
        return _split_at(name, rest)
    except CommandError:
        return rest, None


def wide_timing_meant(command: str, ref: str, count: int,
                      names: Callable[[str | int], bool] | None = None) -> str | None:
    """`２ ＠ｂａｒ`, a number and a timing typed in full width after preset or go (`command`), as a line typed in an
    input method's full-width mode has them: read as a name (a show may name one so), which none is: the line meant
    (`preset 2 @bar`) where the number is one of `count`, or where the words before it, in full width or not,
    `names` one (`laser tunnel ＠ｂａｒ`: preset laser tunnel @bar); None for any other."""
    found = re.fullmatch(r"(\d+)\s+＠(\S+)", ref.strip())
    if found is not None and 1 <= int(found[1]) <= count and at_timing(timing := width_folded(found[2])) is not None:
        return f"{command} {int(found[1])} @{parse_quantize(timing, after_at=True)}"
    found = re.fullmatch(r"(.*\S)\s+＠(\S+)", ref.strip(), re.DOTALL)
    if names is None or found is None or (timing := at_timing(width_folded(found[2]))) is None:
        return None
    for head in dict.fromkeys((found[1], " ".join(width_folded(found[1]).split()))):
        try:
            named = _ref(command, head)
        except CommandError:  # `"" ＠ｂａｒ`: quotes round nothing
            return None
        if not isinstance(named, int) and names(named):
            return clipped(str(Command(command, (named,), at=timing)), SHOWN_CHARS + 1)
    return None


# The most words two presets' names are read from in a blend's line offered with its names in quotes (blend_spaced)
_BLEND_WORDS = 32


def blend_spaced(line: str, named: Callable[[str], bool], console: bool) -> str | None:
    """`blend dancers neon geometry 0.3`: the line with the show's names in quotes, where the words before the
    position name two of its presets (`named`) one way only (and that line is taken); None for any other line."""
    # a line too long to be taken, or of more words than two names hold, is no blend mistyped: each word tried as
    # a cut would cost a look-up as long as the line, and a network sender could stall the controller with one
    if len(line) > MAX_LINE:
        return None
    name, *words = as_typed(line).split()
    timing = [width_folded(words.pop())] if words and words[-1][:1] in "@＠" else []
    if width_folded(name).lower() != "blend" or not 4 <= len(words) <= _BLEND_WORDS + 1:  # the names and a position
        return None
    joined = " ".join(words[:-1])
    spaces = [i for i, ch in enumerate(joined) if ch == " "]
    cuts = [(a, b) for i in spaces if named(a := joined[:i]) and named(b := joined[i + 1:])]
    if len(cuts) != 1:
        return None
    spaced = " ".join(["blend", *map(shell_word, cuts[0]), words[-1], *timing])
    try:
        parse(spaced, console=console)
    except CommandError:  # its position or timing refused too: the refusal says what is wrong
        return None
    return spaced


# what a line typed with two presets after preset may hold between them (`preset city and ocean`): not `or`, which
# asks for one of the two
_MIXING_WORDS = (",", "and", "+", "&", "/", "with")


def two_presets_meant(ref: str, found: Callable[[str | int], int | None]) -> str | None:
    """`preset city ocean`, `preset 2 3`, `preset city, ocean`: the blend of the two presets the words after preset
    name (by name or number, as `preset WORDS` reads each), split one way only, halfway, as `blend` takes them;
    None for any other. `found`: the index of a preset by its number or name as read, None for none."""
    def read(words: str) -> tuple[str | int, int] | None:
        named = ref_read("preset", words)
        return None if named is None or (index := found(named)) is None else (named, index)

    words = re.sub(r"\s*[,、]\s*", " , ", ref).split()  # `city, ocean`: the comma a word between the two
    if not 2 <= len(words) <= _BLEND_WORDS or len(ref) > MAX_LINE:  # no more look-ups than the blend offer's
        return None
    cuts = {(a, b) for i in range(1, len(words)) for after in (i, i + 1)
            if (after == i or words[i].lower() in _MIXING_WORDS) and (a := read(" ".join(words[:i]))) is not None
            and (b := read(" ".join(words[after:]))) is not None and a[1] != b[1]}
    if len(cuts) != 1:
        return None
    (cut,) = cuts
    line = " ".join(["blend", *(shell_word(str(named)) for named, _ in cut), "0.5"])
    try:
        cmd = parse(line, console=False)
    except CommandError:
        return None
    # typed back, the line names the same two presets: a name written with quotes of its own would not
    same = cmd is not None and [found(named) for named in cmd.args[:2]] == [index for _, index in cut]
    return line if same else None


def glued_timing_meant(command: str, ref: str, names: Callable[[str | int], bool]) -> str | None:
    """`ocean@bar`, a name no preset or cue has with a timing glued to its end, read as part of the name where that
    may be one (`sunset@2`): the line meant (`preset ocean @bar`) where the part before it `names` one (a preset,
    after preset; a cue, after go); None for any other."""
    glued = re.fullmatch(r"(.*\S)[@＠](\S+)", ref.strip(), re.DOTALL)
    if glued is None or (timing := at_timing(width_folded(glued[2]))) is None:
        return None
    try:
        head = _ref(command, glued[1])
        # `ocean＠bar` of a show with a preset `ocean@bar`: that one meant, typed in full-width mode, not `ocean`
        whole = _ref(command, width_folded(ref))
    except CommandError:  # `""@bar`: quotes round nothing
        return None
    if names(whole):
        return None
    return clipped(str(Command(command, (head,), at=timing)), SHOWN_CHARS + 1) if names(head) else None


def timing_glued(spec: InputSpec) -> tuple[InputSpec, str] | None:
    """`file:loop.mp4@bar`, `file:'loop.mp4'@bar` → (file:loop.mp4, "bar"): a file's or image's path with a timing
    glued to its end, and its quotes, read as the line with the timing set apart reads them; None for any other."""
    head, _, tail = spec.target.rpartition("@")
    if spec.kind not in ("file", "image") or not head or (timing := at_timing(tail)) is None:
        return None
    if head[:1] in OPENING_QUOTES or head[-1:] in CLOSING_QUOTES:
        try:  # as a show's line reads it: the quotes are a pair, no file looked for under either reading
            meant = parse(f"input {spec.kind}:{head}", console=False)
        except CommandError:
            return None
        if meant is None or meant.name != "input":
            return None
        head = parse_input(meant.args[0]).target
    return InputSpec(spec.kind, head), timing


def at_timing(word: str) -> str | None:
    """The timing `word`, read after an `@`, is in its plain form (`bar`, `0.5`); None where it is none."""
    try:
        return parse_quantize(word, after_at=True)
    except ValueError:
        return None


def _one_timing(name: str, head: str, tail: str) -> None:
    """`preset ocean @bar @beat`: a timing before the timing, which would be read as part of the preset's name (or
    as something after `next`): CommandError saying the two. An @ word that is no timing is left to the command."""
    cut = _last_at(name, head, len(head))
    if cut < 0 and not head.startswith("@"):
        return
    try:
        parse_quantize(head[cut + 2:] if cut >= 0 else head[1:], after_at=True)
    except ValueError:
        return
    first, args = head[cut + 1:] if cut >= 0 else head, head[:cut].strip() if cut >= 0 else ""
    line = " ".join(filter(None, (name, args)))
    raise CommandError(f"two timings given ({first} and @{tail}): give one, as in {line} {first} or {line} @{tail}")


def _last_at(name: str, rest: str, end: int) -> int:
    """Where the last ` @` before `end` is, -1 for none. An input's path may hold one of its own (a file dropped on
    the terminal, `My\\ Clips\\ @home.mp4` or in quotes), and so may a preset's name: one escaped or in the quotes
    is the path's or the name's, not a timing."""
    cut = max(rest.rfind(" @", 0, end), rest.rfind("\t@", 0, end))
    if name == "blend" and cut >= 0:  # its names are read as a shell reads words: quoted or escaped anywhere
        quoted = _shell_quoted(MIXED_WORDS.sub(paired, rest))  # as _blend reads them: `'neon city’` is one name
        return cut if cut not in quoted and cut + 1 not in quoted else _last_at(name, rest, cut)
    if name not in ("input", "preset", "go") or cut < 0:
        return cut
    if cut < _quoted_end(rest) or rest[cut - 1:cut] == "\\" or name != "input" and cut < _name_quoted_end(rest):
        return _last_at(name, rest, cut + 1)
    return cut


def _name_quoted_end(text: str) -> int:
    """Where the quotes round a preset's or a cue's name at the start of `text` close, opened one way and closed the
    other (`'sunset @ beach’`, as _ref reads them) or typographic (`“sunset @ beach”`); 0 where none do."""
    pair = MIXED_WORDS.match(text) or TYPOGRAPHIC_PAIR.match(text)
    return pair.end() - 1 if pair else 0


def _shell_quoted(text: str) -> set[int]:
    """Where `text`, read as shlex reads blend's words, has characters in quotes or escaped by a backslash: their
    places. A quote left open quotes the rest (shlex then refuses the line, saying so)."""
    quoted: set[int] = set()
    quote, i = None, 0
    while i < len(text):
        ch = text[i]
        if quote is None and ch == "\\" or quote == '"' and ch == "\\" and text[i + 1:i + 2] in ('"', "\\"):
            quoted.update((i, i + 1))
            i += 2
            continue
        if quote is None and ch in "\"'":
            quote = ch
        elif ch == quote:
            quote = None
        elif quote is not None:
            quoted.add(i)
        i += 1
    return quoted


def _quoted_end(text: str) -> int:
    """Where the quotes that open an input (`"file:…"`, `file:'…'`) close, 0 where none do. In single quotes,
    `'\\''` is a quote of the name (unquoted)."""
    opened = re.match(r"""([A-Za-z]+:)?(["'])""", text)
    if opened is None:
        return 0
    quote, at = opened.group(2), opened.end()
    while (close := text.find(quote, at)) >= 0 and quote == "'" and text.startswith("'\\''", close):
        at = close + 4
    return max(close, 0)


# Words an operator reaches for that name no command, each with what it is said to mean: the nearest spelling
# would name a command that does the opposite (`unfreeze`: freeze) or something else on air (`black`: back, which
# fires a cue; `resume`: reset, which starts the stream over; `exit`: next). First those that name one command alone,
# with it (`help pause` asks about freeze)
MEANT_COMMAND = {
    **dict.fromkeys(("exit", "end", "close", "bye", "q", "halt"), "quit"),
    **dict.fromkeys(("unfreeze", "unblackout", "unblack", "resume", "play", "unpause"), "live"),
    **dict.fromkeys(("pause", "hold"), "freeze"),
    **dict.fromkeys(("black", "blank", "dark"), "blackout"),
    "cue": "go",
    **dict.fromkeys(("?", "h", "commands", "man"), "help"),
}
MEANT = {
    **{word: f"did you mean {command}?" for word, command in MEANT_COMMAND.items()},
    "stop": "did you mean quit, which ends the show, or freeze, which holds the picture?",
    "tempo": "did you mean bpm N, or tap?",
    **dict.fromkeys(("reload", "load", "refresh"), "the show file is read again by itself each time it is saved"),
    **dict.fromkeys(("presets", "list", "ls"),
                    "did you mean preset NAME|NUMBER? preset alone lists the show's presets"),
    **dict.fromkeys(("mix", "crossfade", "xfade"), "did you mean blend A B X?"),
    "fade": "did you mean transition N (the blocks a change blends over) or blend A B X?",
    **dict.fromkeys(("camera", "cam", "webcam"), "did you mean input camera?"),
}
# Words for the command that fires a cue or picks a preset, said with what it names (`cue 5`, `fire drop`, `scene
# 2`): the parser has no show, so it offers no line (go alone fired the next cue, not cue 5; `scene 2` was offered
# seed); what runs offers the line where the show has what it names (Controller). Never the prompt line: `prompt
# scene ocaen` put the command's words on air. Each word with its command and what the parser says
READ_AS = {"cue": ("go", " (a cue is fired by go followed by its number or name)"),
           "fire": ("go", " (a cue is fired by go followed by its number or name)"),
           "scene": ("preset", " (a preset is put on air by preset followed by its number or name)")}
# MEANT's words for a command that takes nothing after it (quit, live, blackout, …): one with words after it may be
# the first of a prompt's
ARGLESS_MEANT = frozenset(word for word, said in MEANT.items()
                          if not re.search(r"\b[A-Z]+\b|input|show file", said) and word != "cue")  # go takes one
# How a show file is played, where a command needs one: said to a vcam cam client as well, whose show is served
# (vcam run alone sent its operator to start the laptop's own show)
WITH_A_SHOW_FILE = "vcam run SHOW.yaml, or vcam serve SHOW.yaml"
# Said instead to those words where vcam plays no show file (MEANT's answer told them of one)
NO_SHOW_FILE = (f"no show file is playing, so there is none to reload: start vcam with one ({WITH_A_SHOW_FILE}), "
                "and each save of it is read again on air")


def no_show_file(error: CommandError) -> str | None:
    """What to say to `error` where no show file plays: NO_SHOW_FILE for a word that asks to reload one; None for
    any other error (its own message stands)."""
    return NO_SHOW_FILE if error.unknown in ("reload", "load", "refresh") else None


# MEANT's words for a command only the console gives, as a file (a map's button, a cue) is answered: quit, which it
# may not hold, would be refused next
MEANT_IN_FILES = {
    **dict.fromkeys(("exit", "end", "close", "bye", "q", "halt"), "did you mean blackout, which hides the picture? "
                    "the show itself ends where vcam runs: quit typed there, or Ctrl-C"),
    "stop": "did you mean freeze, which holds the picture, or blackout, which hides it? the show itself ends where "
            "vcam runs: quit typed there, or Ctrl-C",
}


def _did_you_mean(name: str, console: bool = True, rest: str = "", typed: str = "") -> str:
    """`prset` → " (did you mean preset?)": what _meaning says."""
    return _meaning(name, console, rest, typed)[0]


def _meant_alone(said: str) -> tuple[str, str | None]:
    """" (did you mean `said`?)", with the command `said` names where it is one alone, for help to ask about."""
    return f" (did you mean {said}?)", said if said in USAGE else None


def _meaning(name: str, console: bool = True, rest: str = "", typed: str = "") -> tuple[str, str | None]:
    """`prset` → (" (did you mean preset?)", "preset"): a typo answered with the command meant, not only with the
    whole list; a word for a command named otherwise (MEANT) with that command. Off the `console`, never a command
    only it gives. A command begun is answered with those it begins (`qu`: quit or quantize); `rest`: what follows the
    word, where only a command that takes an argument is meant (`pre 2`: preset, not prev), or where it is glued
    to its argument (`seed=5`, `preset2`). A command run into a word of letters (`quantizebar`) is answered with
    the two spaced apart where that line parses, else with the command's name (`bpmnan`). `typed`: the word as
    typed, whose argument keeps its case. With the answer, the command it names where it names one alone (`help
    prset` asks about preset: help says help preset); None where it says more or nothing."""
    if not console and name in MEANT_IN_FILES:
        return f" ({MEANT_IN_FILES[name]})", None
    # `cue 5`: what go would fire the show knows, the parser does not; `scene`, `fire`: no spelling near them
    # (seed, freeze) is what either means
    if name in READ_AS and (rest or name not in MEANT):
        said = READ_AS[name][1]
        # `fire in the sky`: words, not a cue's or preset's name, may be a prompt's (its line is not offered: the
        # command's word would go on air with them)
        words = rest.split()
        return (f"{said[:-1]}; a prompt is given as prompt TEXT)" if len(words) > 1 and all(map(str.isalpha, words))
                else said), None
    if name in MEANT:
        return f" ({MEANT[name]})", MEANT_COMMAND.get(name)
    # `qiut` from a file or the network: as near no command it may give (input was offered), and quit is refused;
    # `qiut?`, `qiut.` and `quit?` itself alike, as `exit?` is answered as exit
    if not console and ((bare := _unpunctuated(name)) == "quit" or _quit_slipped(bare)):
        return f" ({MEANT_IN_FILES['exit']})", None
    known = _commands_named(console)
    # a timing glued to the command (`go@bar`, `next@4`): NO_ARGS commands are kept out of the glued argument below
    timed = re.fullmatch(r"([a-z]+)[=:]?@(\S+)", typed or name, re.IGNORECASE)
    if timed and (command := timed[1].lower()) in known and at_timing(timed[2]) is not None:
        return _meant_alone(clipped(_timed_line(command, timed[2].lower(), rest, console), SHOWN_CHARS + 1))
    glued = re.fullmatch(r"([a-z]+)(?:[=:](.*)|([^a-z].*))", typed or name, re.IGNORECASE)
    # go takes a cue as its argument, though none is needed: `go2` is go 2, but `go!` is go, not go !
    takes_one = glued is not None and (glued[1].lower() not in NO_ARGS or (
        glued[1].lower() == "go" and (glued[2] or glued[3] or "").strip().isdigit()))
    if glued and (command := glued[1].lower()) in known and takes_one and (arg := " ".join(
            filter(None, ((glued[2] or glued[3] or "").strip(), rest)))):
        return _meant_alone(_glued_line(command, arg, console))
    if (spaced := _spaced_line(typed or name, known, rest, console)) is not None:
        return _meant_alone(spaced)
    # a command begun (`blac`, `pre 2`): the ones it begins, where an argument follows those that take one; a
    # spelling near another command's (`blac`: back) is not the one meant
    begun = [c for c in known if c.startswith(name) and not (rest and c in NO_ARGS)]
    if 1 <= len(begun) <= 3:
        return _meant_alone(" or ".join((", ".join(begun[:-1]), begun[-1]) if len(begun) > 1 else begun))
    # a command glued to a word it refuses (`bpmnan`, `seedbar`): that command, not the spelling nearest the whole
    # word (`bpmnan` read as help); one of two letters (go) would answer any word it begins (`good`)
    glued_to = next((c for c in sorted(known, key=len, reverse=True) if len(c) > 2 and name.startswith(c)), None)
    if glued_to is not None:
        return _meant_alone(glued_to)
    # a typo of a word MEANT answers (`resum`, `blak`, `unfreez`) is answered as that word is: the nearest command's
    # spelling is the one MEANT keeps it from (reset, back, which fires a cue, freeze); and so is one as near to
    # such a word as to a command (`ext`: exit, not next, which changes the picture on air). Not a longer word
    # that holds one of them (`second`, `weekend`: end; a line of a prompt pasted without prompt before it): a typo
    # adds or drops a letter at most, or stops short (`unpau`; `at`, `to`, starting a pasted line, are no halt or
    # stop), and the word it was near would have ended the show; nor is the command spelled nearest to it
    # (`blacker`: back, which fires a cue) the one meant.
    meant, typo = _nearest_meant(name, known)
    # `bland 1 2 0.5`: as near blank (a word for blackout) as blend, but only blend takes what follows; a command
    # one slip away only (`tep 2` is no typo of steps)
    if rest and meant is not None and (meant not in known or not _parsed(f"{meant} {rest}", console)):
        tied = equally_near(name, [*known, *MEANT])
        taking = [c for c in tied if c in known and _one_slip(name, c) and _parsed(f"{c} {rest}", console)]
        if meant in tied and taking:
            return _meant_alone(taking[0])
    if typo:
        return _meaning(meant, console)
    if meant in MEANT:  # no typo of that word, but perhaps of a command (`reses`: reset; `bam`, nearest webcam: bpm)
        meant = nearest(name, [c for c in known if _one_slip(name, c)])
    return _meant_alone(meant) if meant else ("", None)


def _quit_slipped(name: str) -> bool:
    """Whether `name` is quit mistyped (`qiut`, `qut`, `quitt`): two letters side by side swapped, or a letter within
    it dropped or doubled, and one slip from no command a file or the network may give. A word one letter off
    otherwise is a word of its own (`quite`, `suit`, `quits`), or nearer another command (`quiz`: quantize)."""
    if not _one_slip(name, "quit") or any(_one_slip(name, c) for c in _commands_named(False)):
        return False
    if len(name) == len("quit"):
        return sorted(name) == sorted("quit")  # one slip with the same letters: two swapped
    if len(name) < len("quit"):
        return name[0] == "q" and name[-1] == "t"
    return any(name[i] == name[i - 1] and name[:i] + name[i + 1:] == "quit" for i in range(1, len(name)))


def _unpunctuated(word: str) -> str:
    """`word` without the punctuation it ends in (`qiut?`, `qiut.`, `qiut…`)."""
    end = len(word)
    while end and unicodedata.category(word[end - 1]).startswith("P"):
        end -= 1
    return word[:end]


def _commands_named(console: bool) -> list[str]:
    """The commands a line may name: off the `console`, none that only it gives."""
    return [c for c in USAGE if console or c not in TYPED_ONLY]


def _nearest_meant(name: str, commands: list[str]) -> tuple[str | None, bool]:
    """The spelling nearest `name` of `commands` and the words MEANT answers (of those as near, such a word), and
    whether `name` may be that word of MEANT mistyped."""
    meant = nearest(name, [*commands, *MEANT], prefer=MEANT)
    return meant, meant in MEANT and _a_typo(name, meant)


def _a_typo(name: str, meant: str) -> bool:
    """Whether `name` may be `meant` mistyped: a letter more or less, or `meant` stopped short."""
    return abs(len(name) - len(meant)) <= 1 or meant.startswith(name)


def _one_slip(name: str, word: str) -> bool:
    """Whether `name` is `word` with one letter changed, added or dropped, or two side by side swapped: a typo,
    where a longer word near it (`blacker`: blackout) is another word."""
    if name == word or abs(len(name) - len(word)) > 1:
        return False
    at = next((i for i, (a, b) in enumerate(zip(name, word)) if a != b), min(len(name), len(word)))
    if len(name) == len(word):
        return name[at + 1:] == word[at + 1:] or (name[at + 2:] == word[at + 2:]
                                                  and name[at:at + 2] == word[at:at + 2][::-1])
    longer, shorter = (name, word) if len(name) > len(word) else (word, name)
    return longer[at + 1:] == shorter[at:]


def _prompt_meant(text: str, console: bool) -> str:
    """A line of words that names no command (`a foggy forest at dawn`, or the second line of a prompt pasted over
    several): " (words to generate follow prompt, all on one line: prompt a foggy forest at dawn)"; two words too
    (`dark forest`, `neon city`), but for two that may be a command (_command_in_two). Empty for a word alone, which
    may be a command misspelt, and where the prompt would be refused."""
    words = text.split()
    if len(words) < 2 or len(words) == 2 and _command_in_two(words) or not _parsed(f"prompt {text}", console):
        return ""
    return f" (words to generate follow prompt, all on one line: {clipped(f'prompt {text}', SHOWN_CHARS + 1)})"


def _command_in_two(words: list[str]) -> bool:
    """Whether two words may be a command, misspelt or spelt apart, rather than a prompt: a word and a number (`sed
    5`), a word and a command or a word for one (`the end`), or two that run together make one (`black out`)."""
    second = words[1].lower()
    joined = "".join(words).lower()
    return not any(c.isalpha() for c in second) or any(w in USAGE or w in MEANT for w in (second, joined))


# Commands whose argument is free text (a prompt, a preset's name): any word glued to them parses, so a line made by
# spacing it out says nothing of what was meant (`prompts` is no prompt of "s")
FREE_TEXT = ("prompt", "preset", "blend")


def _spaced_line(word: str, known: list[str], rest: str, console: bool) -> str | None:
    """The line meant by a command glued to a word (`quantizebar`, `inputnone`), spaced out, where the parser takes
    it; None where none does (`bpmfast`: bpm takes no word, and the command's name answers it)."""
    for command in sorted(known, key=len, reverse=True):
        if command in NO_ARGS or command in FREE_TEXT or not word.lower().startswith(command) or word == command:
            continue
        line = " ".join(filter(None, (command, word[len(command):], rest)))
        # `quantizebar @beat`: a timing a command that acts at once takes none of, left out
        for meant in (line, re.sub(r"\s@\S+$", "", line)) if command in UNTIMED else (line,):
            if _parsed(meant, console):
                return clipped(meant, SHOWN_CHARS + 1)
    return None


def _timed_line(command: str, timing: str, rest: str, console: bool) -> str:
    """The line meant by `command@timing rest`, for a hint: the timing after the argument; for a command that acts
    at once (`bpm@bar 5`, `quantize@bar`), the line without it, or with it as the argument. Where the argument is
    missing or refused, the command's form with the timing (`seed N @bar`)."""
    if command in UNTIMED:
        lines = [" ".join(filter(None, (command, rest)))] + ([] if rest else [f"{command} {timing}"])
    else:
        lines = [" ".join(filter(None, (command, rest, "@" + timing)))]
    for line in lines:
        if _parsed(line, console):
            return line
    if command in NO_ARGS:  # `back@bar 5`: what follows it is refused either way
        return command if command in UNTIMED else f"{command} @{timing}"
    return _form(command, None if command in UNTIMED else timing)


def _glued_line(command: str, arg: str, console: bool) -> str:
    """The line meant by `command` glued to `arg` (`seed=5`, `seed5@bar`), for a hint: the line that is taken, or
    where the argument is refused (a value out of range, a word for a number) the command's form."""
    # `seed5@bar`: the timing glued to the argument as well; `bpm=120 @bar`: a timing bpm takes none of
    arg = re.sub(r"(?<=\S)@(\S+)$", lambda at: f" @{at[1]}" if at_timing(at[1]) is not None else at[0], arg)
    timing = re.search(r"\s@(\S+)$", arg)
    at = timing[1].lower() if timing and at_timing(timing[1]) is not None else None
    if command in UNTIMED and at:
        arg, at = arg[:timing.start()].rstrip(), None
    if _parsed(f"{command} {arg}", console):
        return f"{command} {clipped(arg, SHOWN_CHARS + 1)}"
    return _form(command, at)


def _form(command: str, timing: str | None) -> str:
    """How `command` is written (`seed N`), with `timing` after it: a hint where the argument given is refused."""
    form = USAGE[command].partition("  ")[0]
    return f"{form} @{timing}" if timing else form


_NO_JOINERS = dict.fromkeys(map(ord, JOINERS))

# The ways name_key reads two names alike once the quotes round them are read, in the order it reads them; a show
# names each where two of its presets' names differ in it (vcam.control.show)
NAME_FOLDS: dict[str, Callable[[str], str]] = {
    "joiners": lambda name: name.translate(_NO_JOINERS),
    "case": str.lower,
    "spaces": lambda name: " ".join(name.split()),
    "form": lambda name: unicodedata.normalize("NFC", name),
    "apostrophes": lambda name: name.translate(APOSTROPHES),
}


def folded(name: str, but: str | None = None) -> str:
    """`name` read by each way of NAME_FOLDS in turn, but the way `but`."""
    for way, fold in NAME_FOLDS.items():
        if way != but:
            name = fold(name)
    return name


def name_key(name: str) -> str:
    """`name` as names are compared: read as typed, without its joiners (a name typed or copied with one or without
    it is the same name), without the spaces round it and a run of spaces within it read as one (`neon  city`, a
    space typed twice, was offered `neon city` and refused again as typed), in any case, its accents composed (é
    typed is the é of a name copied from a macOS file name, an e and a combining accent), without typographic quotes
    round it: a show's `“Dancers”` is the preset `preset “Dancers”` names, the quotes typed being read as quotes. Its
    apostrophes are the straight one (APOSTROPHES): `bob’s dream` written in the show is typed `bob's dream` at a
    terminal."""
    key = NAME_FOLDS["joiners"](as_typed(name)).strip()
    inner = in_typographic_pair(key)
    return folded((key if inner is None else inner).strip())


def keyed_names(names: Iterable[str]) -> dict[str, int]:
    """Each name's index by its name_key, the first of two that are the same name: one look-up for each of a map's
    controls, not a pass over every name."""
    keyed: dict[str, int] = {}
    for i, name in enumerate(names):
        keyed.setdefault(name_key(name), i)
    return keyed


def preset_index(count: int, keyed: Mapping[str, int], ref: str | int) -> int | None:
    """The index of a preset by its 1-based number, of `count` presets, or by its name, found in `keyed`
    (keyed_names of the presets' names); None where there is none."""
    if isinstance(ref, int):
        return ref - 1 if 1 <= ref <= count else None
    return keyed.get(name_key(ref))


MAX_CHOICES = 12  # the presets `preset` typed alone names, of a longer show


def preset_choices(missing: str | None, names: list[str]) -> str:
    """The show's presets, numbered, to follow the error of `preset` or `blend` typed alone (`missing`): nothing
    else lists them on air. Empty for any other error, or a show without presets."""
    if missing not in ("preset", "blend") or not names:
        return ""
    named = [f"{i + 1} {quoted(name)}" for i, name in enumerate(names[:MAX_CHOICES])]
    more = f", … ({len(names)} in all)" if len(names) > MAX_CHOICES else ""
    return f"; the show's presets: {', '.join(named)}{more}"


def choices_asked(line: str, missing: str | None, names: list[str]) -> str | None:
    """`preset` or `blend` typed alone (`missing`, the argument its refusal says is missing; `line` as typed) asks
    which presets there are: the list and the usage, not an error ("preset needs an argument") that holds it. None
    for any other line, and where there are no presets (`names`) to list."""
    alone = missing == "preset" or missing == "blend" and line.split() == ["blend"]
    listed = preset_choices(missing, names) if alone else ""
    return f"{listed.removeprefix('; ')}; usage: {usage(missing)}" if listed else None


# what ends a sentence typed after a name (`ocean.`, `ocean?`, an input method's `ocean。`): no part of it
_SENTENCE_ENDS = ".?!。？！｡"


def name_typed(line: str, takes: Callable[[Command], bool], console: bool = True) -> str | None:
    """`ocean`, `fire dancers @bar`, `drop`: a preset's or a cue's name typed without preset or go before it,
    answered with the line `preset …` or `go …` that sets it or fires it (a word that names no command was answered
    as a typo: `fire dancers` with freeze, `drop` with prompt, `ocean` with nothing); None where `takes` (the show,
    or what a server said of it) has no such preset or cue, and for a number alone (`2` may be anything). A name
    typed in full width (`ｏｃｅａｎ`) or ended by a sentence's mark (`ocean?`, `ocean。`) is offered as the show names
    it; a command in quotes (`'freeze'`) is that command, not a preset so named, as it is offered where none is."""
    text = line.strip()
    lines = []
    for name in dict.fromkeys((text, width_folded(text), width_folded(text).rstrip(_SENTENCE_ENDS).rstrip())):
        if (bare := _without_quotes(name)) != text and _parsed(bare, console):  # `freeze?`, `＇freeze＇`: the command
            return None
        for command in ("preset", "go") if name else ():
            try:
                cmd = parse(f"{command} {name}", console)
            except CommandError:
                continue
            if cmd is not None and cmd.args and isinstance(cmd.args[0], str) and takes(cmd):  # `@ 1`: a bare go
                lines.append(cmd)
        if lines:
            break
    if not lines:
        return None
    what = " and a ".join("preset" if cmd.name == "preset" else "cue" for cmd in lines)
    return (f"{quoted(clipped(_name_as_typed(text, name, lines[0]), SHOWN_CHARS + 1))} is a {what}, not a command: "
            f"did you mean {' or '.join(clipped(str(cmd), SHOWN_CHARS + 1) for cmd in lines)}?")


def _name_as_typed(text: str, read: str, cmd: Command) -> str:
    """The words of the line `text` that name `cmd`'s preset or cue, as typed where a full-width fold changed them
    (`ｏｃｅａｎ`), else as read (`'ocean'`, `‘ocean’`: the line's own quotes): `read` is `text` as read (folded one
    character for one, a sentence's mark cut off its end), before its timing. A refusal quotes what is on the line;
    the line offered is the one to type."""
    words, _ = split_timing(cmd.name, read)
    typed = text[:len(words)].strip()
    folded = typed and width_folded(typed) != typed and width_folded(typed) == width_folded(words.strip())
    return _folded_as_typed(typed) if folded else str(cmd.args[0])


# what starts a comment line: a #, or the full-width ＃ an input method's full-width mode types for it (read as an
# unknown command '＃', and offered as a prompt)
COMMENT_MARKS = ("#", "＃")


def parse(line: str, console: bool | None = None, network: bool = False) -> Command | None:
    """One line of text → Command; None for a blank line or a # comment; CommandError for anything else. `console`:
    typed at vcam's own console, else written in a file, whose mistakes are answered with commands it may hold;
    left out, a line from the network is none (a typo from afar is not pointed at quit, which it is refused), any
    other line is. `network`: from another machine, so no path of an `input` is looked for here (media.admit reads
    it)."""
    if console is None:
        console = not network
    if network and not line_source().from_afar:
        with from_network():
            return parse(line, console)
    if not console and not line_source().in_a_file:  # the lines made of its parts too (joined_commands, the hints)
        with in_a_file():
            return parse(line, console)
    if len(line) > MAX_LINE:
        raise CommandError(f"line too long ({len(line)} characters, at most {MAX_LINE})")
    text = as_typed(line).strip()
    if not text or text.startswith(COMMENT_MARKS):
        return None
    word, *more = text.split(None, 1)  # a tab after the command's name counts as a space
    # `ｓｅｅｄ ５`: an input method's full-width letters are the command's, as its full-width digits are a number
    name, typed = width_folded(word).lower(), (more[0] if more else "").strip()
    # a setting's whole argument too (`ｓｅｅｄ ５ ＠ｂａｒ`): no name or text is in it that a fold could change
    rest = width_folded(typed) if name in USAGE and name not in _AS_WRITTEN else typed
    if name == "input":
        rest = timing_in_ascii(_timed_pair_straight(rest), at_timing)
    if name not in USAGE:
        joined = joined_commands(text, console)  # `next; freeze`: the first command's name ran into the mark
        if joined and console:  # a file's line keeps its refusal where a cue or a control would refuse a part
            raise CommandError(_run_together(joined), unknown=name, joined=joined)
        raise _unknown(word, name, rest, text, console, joined, typed)
    typed_said = _TYPED_REST.set((rest, typed))
    try:
        return _command(name, rest, console)
    except CommandError as e:
        joined = joined_commands(text, console)  # `seed 5, steps 3`: 5 refused as a seed, two commands typed

        def takes(line: str) -> bool:
            return _parsed(line, console) is not None

        # `seed 5 # the drop`: a comment after the command, read as its argument
        if not (meant := comment_meant(name, rest, takes, console, typed)):
            raise CommandError(str(e), e.missing, e.unknown, joined, e.meant, (word, typed), e.offer) from None
        # the refusal's own "did you mean" (`input camera:# x`) would offer a second, contrary line
        said = meant if "did you mean" in str(e) else f"{e}; {meant}"
        raise CommandError(said, e.missing, e.unknown, joined, said=(word, typed),
                           offer=comment_offer(name, rest, takes)) from None
    finally:
        _TYPED_REST.reset(typed_said)


# a number written in decimal digits: a name no preset or cue has that reads as one (`preset 2.0`, `go ＋２`) is
# answered with how their numbers go; a show writer's quoted one ('010') is told to go without quotes
DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)")


def number_like(ref: str) -> bool:
    """Whether `ref`, the name a preset or a cue was asked for by and that none is named, reads as a number, typed in
    ASCII or in an input method's full width (`２．０`, `－１`, width_folded): answered with how numbers go."""
    return DECIMAL.fullmatch(width_folded(ref.strip())) is not None


# whose words are names, paths or a prompt's text (a preset may be named `２．０`, a prompt say `meet me ＠ｂａｒ`): none
# of it is folded, not even a number or a timing in it, which could be a name's or a prompt's own (a lone preset's or
# cue's number is read folded only where no name is that as typed: number_like)
_AS_WRITTEN = ("prompt", "preset", "go", "input", "blend")


# where one command of a line run into another begins: its name, after a comma, a semicolon, a shell's && or & (a
# terminal's habit: `next && freeze`) or a space; the comma may be the ideographic one (、), which Japanese and
# Chinese input methods type for a list's comma
_JOINED = re.compile(rf"\s*(?:[,;、]|&&?)\s*|\s+(?=(?:{'|'.join(USAGE)})(?:[\s,;、&]|$))", re.IGNORECASE)
_NAMED = re.compile(rf"(?:{'|'.join(USAGE)})(?:[\s,;、&]|$)", re.IGNORECASE)
# whose words are their own to the end of the line: a prompt's (`prompt rain next to the sea`), a cue's name
# (`go next` is no cue fired and a move, nor `go drop back` one and a step back: either may be a cue's name) and
# help's question (`help go back`)
_TO_THE_END = ("prompt", "go", "help")
# commands offered apart at most: a longer line (`help help help …` pasted) is answered as it was typed
MAX_JOINED = 4
# what no state of the show refuses once parsed: a line offered may name these without a look at the show
TAKEN_ANYWHERE = frozenset({"prompt", "seed", "steps", "transition", "strength", "bias", "quantize", "freeze",
                            "blackout", "live", "reset", "status", "help"})


def joined_commands(text: str, console: bool = True) -> tuple[Command, ...]:
    """The commands of the line `text` run together (`seed 5, steps 3`, `next; freeze`, `seed 5 steps 3`), where
    each is taken alone; empty for any other line, one of more than MAX_JOINED of them, and one where a command whose
    words run to the end of the line (_TO_THE_END) comes before another. Off the `console` no part is a command only
    the console gives."""
    parts, start = [], 0
    folded = width_folded(text)  # `ｓｅｅｄ ５，ｓｔｅｐｓ ３`, typed in full width, is cut where its folded form is
    for mark in _JOINED.finditer(folded):
        part = text[start:mark.start()]
        if part and _NAMED.match(folded, mark.end()) and folded[start:mark.start()].split()[0].lower() \
                not in _TO_THE_END:
            parts.append(part)
            start = mark.end()
    parts.append(text[start:])
    commands = []
    for part in parts if 1 < len(parts) <= MAX_JOINED else ():
        try:
            cmd = parse(part, console)
        except CommandError:
            return ()
        if cmd is None or not console and typed_only(cmd, "") is not None:
            return ()
        commands.append(cmd)
    return tuple(commands)


def _run_together(commands: Sequence[Command]) -> str:
    """The refusal of a line typed with `commands` run together by a mark after the first one's name (`next; freeze`,
    where what runs would not take each as offered: joined_hint): no mark joins commands, each is typed on its own
    (an unknown command 'next;' was offered next alone)."""
    shown = [clipped(str(cmd), SHOWN_CHARS + 1) for cmd in commands]
    return f"one command at a time: {' and '.join(shown)} are {len(shown)} commands, each typed on its own"


# commands that each step on from where the last left the show (a preset, a cue, a tap): given twice, they step twice
STEPPING = ("next", "prev", "go", "back", "tap")


def joined_hint(commands: Sequence[Command], takes: Callable[[Command], bool], where: str = "typed",
                around: tuple[Sequence[str], Sequence[str]] | None = ((), ()),
                taken: set[str] | None = None) -> str | None:
    """How to give `commands`, typed as one line (joined_commands), where `takes` each of them (what runs would not
    refuse it); None where it would refuse one, or none were run together: the line's own refusal stands. `where`
    says how each is given: typed (a console, a line typed at vcam cam), sent (by OSC or by a program), cue (a line
    of a show's cue), control (a MIDI or OSC control's command). `around`: a cue's other do: lines before and after
    this one, as written, kept in the do: offered (None where one is no text a line can write back). `taken`: the
    cue names a cue offered to a control is not (in_a_cue)."""
    if not commands or not all(map(takes, commands)):
        return None
    shown = [clipped(str(cmd), SHOWN_CHARS + 1) for cmd in commands]
    if len(set(commands)) == 1 and (where == "typed" or commands[0].name not in STEPPING):
        # `freeze freeze`: one command doubled, a slip (a key held, a line pasted twice), not two to run in turn
        times = "twice" if len(commands) == 2 else f"{len(commands)} times"
        if commands[0].name in STEPPING:
            return f"{shown[0]} typed {times} on one line: type it on a line of its own each time"
        done, do = {"typed": ("typed", "type"), "sent": ("sent", "send")}.get(where, ("written", "write"))
        return f"{shown[0]} {done} {times}: once does it, {do} {shown[0]}"
    if where == "typed":
        return f"one command a line: type {shown[0]}, then {', then '.join(shown[1:])}, each on a line of its own"
    several = f"{' and '.join(shown)} are {len(shown)} commands"
    if where == "control":
        # a control sends a line; a cue's do: runs several, and `go CUE` fires it
        return f"a control sends one command: {several}; {in_a_cue([str(cmd) for cmd in commands], taken)}"
    if where == "cue":  # a cue runs several as its do: list, offered as YAML that reads back as those commands
        # the whole do: is offered, its other lines in place: a do: of this line's commands alone dropped them
        listed = flow_yaml([*around[0], *map(str, commands), *around[1]]) if around is not None else None
        return f"one command each: {several}" + (f"; write do: {listed}" if listed else
                                                 ", each a line of do: in its place")
    return f"one command each: {several}" + (", each sent on its own" if where == "sent" else "")


def _unknown(word: str, name: str, rest: str, text: str, console: bool, joined: tuple[Command, ...],
             typed: str) -> CommandError:
    """The refusal of the line `text`, whose first word `word` (`name` in lower case, `rest` after it, `typed` as
    typed) is no command: with the command or the prompt it may have meant. `joined`: the commands it ran
    together."""
    if name.startswith("@") and at_timing(name[1:]) is not None:  # a timing put first, or alone
        said = f"{rest} {word}" if rest else f"next {word} or preset 2 {word}"
        return CommandError(f"{shown_typed(word)} is a timing: it ends a command, as in {said}", unknown=name,
                            joined=joined, said=(word, typed))
    hint = _did_you_mean(name, console, rest, width_folded(word))  # `ｓｅｅｄ５` is seed5, glued, as typed
    # `dark forest at night`, `black and white photo`: a prompt typed without prompt, as likely as a word for
    # blackout, whose command alone, followed, would black the show out
    # not a line that ends in a timing (`cue 3 @bar`): a command being typed, which a prompt never ends in
    timed = re.search(r"\s@(\S+)$", text) is not None and at_timing(text.rsplit("@", 1)[1]) is not None
    # a typo of such a word (`by the sea`: bye) as well
    commands = _commands_named(console)
    typo, typo_of_meant = _nearest_meant(name, commands)
    argless = name in ARGLESS_MEANT or typo_of_meant and typo in ARGLESS_MEANT
    # `in the style of …`, `as the sun sets`: two letters begin or resemble a command (input, bias), and start a
    # pasted prompt's line as often
    short = len(name) <= 2 and sum(part.isalpha() for part in rest.split()) >= 2
    # but words that a command begun or near takes are that command's, not a prompt's: `qu bar` (quantize,
    # though qu is as near q, a word for quit), `bl 1 2 0.5`, `pr neon city` (blend, preset), `bland 1 2 0.5`
    # (blend, though bland is as near blank, a word for blackout)
    near = {typo, nearest(name, commands)}
    taken = bool(rest) and any(_parsed(f"{c} {rest}", console) for c in commands if c.startswith(name) or c in near)
    prompted = (_prompt_meant(text, console) if (not hint or (argless or short) and not taken) and not timed
                and not (name in READ_AS and rest) else "")
    if prompted:
        hint = f"{hint[:-1]}{' ' if hint.endswith('?)') else '; '}{prompted[2:]}" if hint else prompted
    return CommandError(unknown_said(shown_typed(word), hint), unknown=name, joined=joined, said=(word, typed))


def unknown_said(shown: str, hint: str = "") -> str:
    """The refusal of a line whose first word (`shown`, as a message quotes it) names no command, with `hint` (" (did
    you mean go 5?)") after the word."""
    return f"unknown command {shown}{hint}; type 'help' for the list"


def takes_nothing_said(name: str, hint: str = "") -> str:
    """The refusal of words after `name`, a command that takes none, with `hint` (" (did you mean preset 2?)")."""
    return f"{name} takes nothing after it{hint}; usage: {usage(name)}"


def _command(name: str, rest: str, console: bool) -> Command:
    """The command `name` (one of USAGE) with the argument text `rest`; CommandError where it is refused."""
    if name == "help" and rest:  # before the timings: in `help @bar`, the @ word is no timing but what is asked
        return _help(rest)
    rest, at = _split_at(name, rest)
    # at a console only: a show's or a map's prompt that ends in `24@7` is its text, as it loaded before
    if console and name in ("prompt", "preset", "go") and (spaced := _timing_spaced(name, rest, at, console)):
        # `prompt a red sky@bar` went on air at once with "@bar" among its words; `preset 2@bar` named no preset
        own = f", or, for the @ word as the prompt's own text, {name} {clipped(rest, SHOWN_CHARS + 1)} @off" \
            if name == "prompt" else ""
        raise CommandError(f"a timing is set apart by a space: did you mean {spaced}{own}?",
                           offer=None if own else spaced)
    if name == "go" and rest:  # a cue to fire, as a console's GO to a cue: the next one is go alone
        return Command(name, (_ref("go", rest),), at=at)
    if name in NO_ARGS:
        if rest:
            raise CommandError(takes_nothing_said(name))
        return Command(name, at=at)
    if not rest:
        raise CommandError(f"{name} needs an argument; usage: {usage(name)}", missing=name)
    try:  # an input's offered line (a quote left open) keeps its timing
        args = (_input(rest, at, console),) if name == "input" else _ARGS[name](rest)
        return Command(name, args, at=at, written=rest if BASED.fullmatch(rest) else None,
                       read_as=input_read_as(rest, args[0]) if name == "input" else "")
    except CommandError as e:
        if (spaced := _timing_spaced(name, rest, at, console)) is None:
            if name == "input" and (kindless := _kindless_glued(rest, at, console)) is not None:
                raise CommandError(kindless, e.missing, e.unknown) from None
            raise
        raise CommandError(f"a timing is set apart by a space: did you mean {spaced}?", e.missing, e.unknown,
                           offer=spaced) from None


def _timing_spaced(name: str, rest: str, at: str | None, console: bool) -> str | None:
    """`seed 5@bar` → `seed 5 @bar`: the line meant by an argument with a timing glued to its end, where that line
    is taken; None for any other."""
    # a timing may be glued with a full-width ＠ (`ｎｏｎｅ＠２`, `２＠ｂａｒ`, typed in full-width mode), as `none@2`
    # is; not a prompt's, whose text may say `meet me＠ｂａｒ`
    glued = re.fullmatch(r"(.*\S)@(\S+)" if name == "prompt" else r"(.*\S)[@＠](\S+)", rest, re.DOTALL)
    if at is not None or glued is None or name in UNTIMED:
        return None
    head, timing = glued[1], glued[2]
    if name != "prompt":
        head = kind_in_ascii(head) if name == "input" else width_folded(head) if head.isdecimal() else head
        timing = width_folded(timing)
    if at_timing(timing) is None:
        return None
    if name in ("preset", "go") and not head.isdecimal():  # `sunset@2` may be a name: the show knows
        return None
    if name == "prompt" and timing.lower() not in ("bar", "beat", "off"):  # `open 24@7`, `sky@0.5`: its words
        return None
    line = f"{name} {head} @{timing}"
    return clipped(line, SHOWN_CHARS + 1) if _parsed(line, console) else None


def _kindless_glued(rest: str, at: str | None, console: bool) -> str | None:
    """`loop.mp4@bar`, a path typed without its kind and a timing glued to it, answered with the line meant (`input
    file:loop.mp4 @bar`), as `loop.mp4 @bar` is; None for any other input."""
    glued = re.fullmatch(r"(.*\S)[@＠](\S+)", rest, re.DOTALL)
    if at is not None or glued is None or at_timing(timing := width_folded(glued[2])) is None:
        return None
    # a file named `loop.mp4@bar` may be there (from afar: in the shared folders, where known): the @ may be its name's
    if may_name_a_file(unquoted(rest.strip())):
        return None
    try:
        parse_input(glued[1])
    except BarePathError as e:
        line = f"input {_quoted_at(str(e.meant))} @{timing}"
        if _parsed(line, console) is not None:
            return f"a timing is set apart by a space, and {e.why}: did you mean {clipped(line, SHOWN_CHARS + 1)}?"
    except ValueError:
        pass
    return None


COMMENT_WHERE = "a # starts a comment only at the start of a line"
# in a show or a map, YAML's own comments start anywhere: one inside a command's quotes is the command's text
COMMENT_IN_QUOTES = "a # inside the quotes is the command's own text: put a comment after the closing quote"
# in a show or a map, a full-width ＃ (an input method's) starts no YAML comment
COMMENT_FULL_WIDTH = ("a full-width ＃ starts no comment, and a plain # starts one only outside the command's quotes, "
                      "brackets or braces")
# in a | or > block, where a plain # is the text's own as well
COMMENT_FULL_WIDTH_IN_BLOCK = "a full-width ＃ starts no comment, nor does a plain # in a | or > block, where it is text"
COMMENT_IN_BLOCK = "a # in a | or > block is the command's own text: put a comment on a line of its own, above the key"


NO_TEMPO = "no tempo yet: tap, bpm N, a MIDI clock or a peer in the Link session (--link) gives one"
# the settings whose command typed alone (`seed`, `bpm`) is a question: what is it now? (the status line says
# neither the seed nor the steps)
SAID_NOW = ("seed", "steps", "transition", "strength", "bias", "quantize", "bpm")


def setting_now(setting: str | None, values: Mapping[str, object]) -> str | None:
    """The answer to `setting` typed alone, a question (what is it now?), not a mistake: its value from `values`
    (the state a server sends its clients, keyed by setting), then how to change it: "seed 124 now; usage: seed N -
    …"; the tempo as `values` says it (its bpm: "tempo now 90.0 bpm"), NO_TEMPO where it is None. None for another
    command, or a value not known (a client before the server's state came, or one of another kind)."""
    if setting not in SAID_NOW or setting not in values:
        return None
    value = values[setting]
    if setting == "bpm":
        said = NO_TEMPO if value is None else f"tempo now {value}" if isinstance(value, str) else \
            f"tempo now {value:.1f} bpm" if finite_number(value) else None
    elif setting == "quantize":
        said = f"quantize {value} now" if isinstance(value, str) else None
    elif not finite_number(value):
        said = None
    else:
        said = f"{setting} {value:.2f} now" if setting in ("strength", "bias") else f"{setting} {value} now"
    return f"{said}; usage: {usage(setting)}" if said else None


def finite_number(value: object) -> bool:
    """Whether a value (of a server's message) is a number to use: not a bool, NaN or infinite."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer past any float (JSON reads 400 digits as one): no number to use
        return False


def listed_meant(ref: str, names: Sequence[str]) -> int | str | None:
    """`#2`, `3,`, `3.`: a number written as a list or a score numbers things, which a preset's or cue's number
    is not: the number meant (unchecked), or, where one of `names` holds a # (`scene #2`), the one name that ends in
    `#2` typed (a number there may mean a name, not the second); None where `ref` is no such number, or may mean
    either."""
    listed = re.fullmatch(r"#\s*(\d+)|(\d+)\s*[,;:.]", ref.strip())
    if listed is None:
        return None
    number = int(listed[1] or listed[2])
    if not any("#" in name for name in names):
        return number
    ending = [name for name in names if re.search(rf"#\s*0*{number}$", name_key(name))]
    return ending[0] if listed[1] and len(ending) == 1 else None


def comment_meant(name: str, text: str, takes: Callable[[str], bool], console: bool = True,
                  typed: str | None = None) -> str:
    """"a # starts a comment only at the start of a line: did you mean preset 2?" for the argument `text` of command
    `name` with a comment after it (`2 # the drop`), where `takes` takes the line without it; empty for any other.
    Not read as a comment itself: a prompt (`neon sign #1`) or a preset's name may hold a #. `typed`: the argument
    as typed, where `text` is its width fold."""
    return comment_hint(name, text, takes, console, typed).said()


def comment_hint(name: str, text: str, takes: Callable[[str], bool], console: bool = True,
                 typed: str | None = None) -> Hint:
    """comment_meant's words in parts: the line offered and why; no hint where it offers none."""
    if (cut := _comment_cut(name, text, takes)) is None or not takes(cut[0]):
        return Hint()
    line, found = cut
    # `next ＃ x`: its argument is read folded, the ＃ typed a #
    mark = typed[found.start(1)] if typed is not None and len(typed) == len(text) else found[1]
    if mark == "＃" and line_source().in_a_file and not line_source().from_afar:
        # YAML reads no comment at a full-width ＃, quoted or not; the line is offered without it, which loads however
        # the command is written: a plain # in braces or brackets comments out their close, in quotes it is text
        return Hint(clipped(line, SHOWN_CHARS + 1), COMMENT_FULL_WIDTH)
    # a line sent from afar holds no YAML quotes: its # is said as a typed line's
    where = COMMENT_WHERE if console or line_source().from_afar else COMMENT_IN_QUOTES
    return Hint(clipped(line, SHOWN_CHARS + 1), where)


# where a comment after a command's words starts: a # after a space, or the full-width ＃ an input method types (one
# at their start too: `next # x` is next)
COMMENT_START = re.compile(r"(?:^|\s)([#＃])")


def _comment_cut(name: str, text: str, takes: Callable[[str], bool]) -> tuple[str, re.Match] | None:
    """The line of command `name` with its argument `text` cut at the first comment in it (COMMENT_START), and
    where that comment starts; None where `text` holds none."""
    found = COMMENT_START.search(text)
    return None if found is None else (_uncommented_line(name, text[:found.start()].strip(), takes), found)


def _uncommented_line(name: str, head: str, takes: Callable[[str], bool]) -> str:
    """The line of command `name` with its words `head`, a comment after them left out."""
    line = " ".join(filter(None, (name, head)))
    if name in ("preset", "go") and not takes(line) and head:
        # `preset "dq" # x` of a preset named `"dq"`, quotes and all: the line that reads its quotes as the name's
        line = f"{name} {_name_said(head)}"
    return line


def comment_offer(name: str, text: str, takes: Callable[[str], bool]) -> str | None:
    """The line comment_meant offers for the argument `text` of command `name`, whole; None where it offers none, or
    says it cut short (it would read back as another)."""
    if (cut := _comment_cut(name, text, takes)) is None:
        return None
    line, _ = cut
    return line if takes(line) and clipped(line, SHOWN_CHARS + 1) == line else None


# Commands a cue cannot run: they are the operator's, not the show's (quit, which no file may give, is refused by
# read_command)
NOT_IN_CUES = {
    "go": "a cue cannot fire cues; give the next cue a wait: to follow this one by itself",
    "back": "a cue cannot step the cue list back",
    "status": "status only answers the operator; a cue changes the show",
    "help": "help only answers the operator; a cue changes the show",
}


def read_command(r: "Reader", node, what: str, control: bool = False,
                 around: tuple[Sequence[str], Sequence[str]] | None = ((), ()),
                 takes: Callable[[Command], bool] | None = None) -> Command | None:
    """The command a show, MIDI map or OSC map entry names, or None after recording in `r` why it is none: the
    one rule for all three, so a `# comment` or a typo is refused alike wherever it is written. `control`: a MIDI or
    OSC control's command, which is one (a cue's line is one of its do:). `around`: a cue's other do: lines
    (joined_hint). `takes`: whether a command of a line run together runs where it is written (a cue's input, its
    file found beside the show; its preset, in the show), for one not taken anywhere."""
    if (line := colon_read(node)) is not None and _parsed(line):
        # `- prompt neon: rain`: YAML's key and value, said as "must be non-empty text" with no word of the quotes
        quoted_line = flow_yaml(line)
        fix = f"write it in quotes: {quoted_line}" if quoted_line else "put the whole command in quotes"
        r.error(node, f"{what}: YAML reads {line} as a key and its value (the ': ' in it); {fix}")
        return None
    typed = " ".join(line.replace(":", " ", 1).split()) if line is not None else ""
    if typed and _parsed(typed):
        # `- seed: 5`, written as a show's keys are: the command as typed has no colon
        r.error(node, f"{what}: a command is written as it is typed, without a colon: {flow_yaml(typed) or typed}")
        return None
    if control and (several := _listed(node, r.cue_names)) is not None:
        r.error(node, f"{what}: {several}")
        return None
    text = r.string(node, what, MAX_LINE, refused=lambda line: _refused_command(line, r.typed_only_words))
    if text is None:
        return None
    try:
        cmd = parse(text, console=False)
    except CommandError as e:
        # the show's presets are not read yet: only a line of commands no show refuses is offered apart, and, a
        # cue's line or a cue offered to a control, none that a cue refuses (`seed 5, status`)
        # next and prev step through whatever presets a show has: `next next`, a cue's two steps, offered as two

        def offered(cmd: Command) -> bool:
            if (cmd.name in TAKEN_ANYWHERE or cmd.name in ("next", "prev")) and cmd.name not in NOT_IN_CUES:
                return True
            return takes is not None and takes(cmd)

        said = joined_hint(e.joined, offered, "control" if control else "cue", around, r.cue_names)
        r.error(node, f"{what}: {said or e}")
        return None
    if cmd is None:
        r.error(node, f"{what}: {text!r} is a comment, not a command")
    elif (why := typed_only(cmd, "a control or a cue", r.typed_only_words)) is not None:
        r.error(node, f"{what}: {why}")
        return None
    return cmd


def _refused_command(line: str, words: Mapping[str, str] | None = None) -> str | None:
    """Why `line` is no command a show's file runs (a cue's, a control's), None where it is one; `words` as
    typed_only's."""
    try:
        cmd = parse(line, console=False)
    except CommandError as e:
        return str(e)
    return f"{line!r} is a comment, not a command" if cmd is None else typed_only(cmd, "a control or a cue", words)


def _listed(node, taken: set[str]) -> str | None:
    """What to write for a control's command given as a YAML list (`command: [next, freeze]`), told only that it
    "must be non-empty text"; None for any other node. A cue is offered only where a cue takes each command (`[go
    2, freeze]` in one was refused); unlike a line run together, each is one command as written (`preset 2`, whose
    preset is checked once the show is read, is no preset named `2, freeze`). `taken`: the cue names the one
    offered is not (in_a_cue)."""
    from yaml.nodes import ScalarNode, SequenceNode

    if not isinstance(node, SequenceNode) or not node.value or not all(isinstance(n, ScalarNode) for n in node.value):
        return None
    lines = [str(n.value).strip() for n in node.value]
    if len(lines) == 1 or (_parsed(" ".join(lines)) and not all(_parsed(line) for line in lines)):
        # `[preset, 2]`: one command's words, which read as two commands
        return f"a command is written without brackets: command: {' '.join(lines)}"
    return sent_apart(lines, taken)


def commands_cut(pieces: Sequence[str], taken: set[str]) -> str | None:
    """What to write for a control's command cut by commas in braces into `pieces` (`{cc: 41, command: next,
    freeze}` reads as command next and a key freeze), where each piece is a command: a control sends one, and how
    to send them all (sent_apart); None where a piece is no command (the words of a prompt, to quote whole)."""
    if len(pieces) < 2 or not all(_parsed(piece) for piece in pieces):
        return None
    return sent_apart(pieces, taken)


def is_command(line: str) -> bool:
    """Whether `line` is a command a show's file could run (parsed, not refused)."""
    return _parsed(line) is not None


def sent_apart(lines: Sequence[str], taken: set[str]) -> str:
    """What a control given the commands `lines` at once is told: it sends one; those a cue takes are offered as a
    cue (in_a_cue), the others each sent by a control of its own. `taken`: as in_a_cue's."""
    several = f"a control sends one command: {' and '.join(lines)} are {len(lines)} commands"
    if not all((cmd := _parsed(line)) and cmd.name not in NOT_IN_CUES and typed_only(cmd, "a cue") is None
               for line in lines):
        return f"{several}, each sent by a control of its own"
    return f"{several}; {in_a_cue(lines, taken)}"


def _parsed(line: str, console: bool = False) -> Command | None:
    """The command `line` parses as, None where it is none (refused, blank or a comment): a hint names only a line
    that works, not one refused next. `console`: as parse's, typed here."""
    try:
        return parse(line, console)
    except CommandError:
        return None


def in_a_cue(lines: Sequence[str], taken: set[str] | None = None) -> str:
    """How a control gives the commands `lines` together: a cue of the show runs them, and the control fires it by
    its name. Both lines are written out: "put them in a cue" alone left the cue's keys and the go line to guess.
    `taken`: the name_key of the show's cue names and of the cues offered before, which the name offered is not (of
    cues of one name `go` fires the first: a second control offered `together` fired the first's); the name
    offered is added to it."""
    name = " and ".join(lines)
    if len(name) > 40 or not re.fullmatch(r"[a-z][\w .-]*", name):
        name = "together"  # a name that `go` reads back whole, and no cue number
    if taken is not None:
        # a number after a name of commands reads as theirs (`seed 5 and steps 3 2`): one taken is named together
        names = itertools.chain((name, "together"), (f"together {n}" for n in itertools.count(2)))
        name = next(one for one in names if name_key(one) not in taken)
        taken.add(name_key(name))
    cue = flow_yaml({"name": name, "do": list(lines)})
    if cue is None:
        return "for several, put them in a cue of the show and write command: go with the cue's name"
    # go NAME also moves the cue list: a GO after it fires the cue after this one
    return f"for several, add a cue to the show's cues:, {cue}, and write command: go {name} (GO goes on from it)"


def preset_twice(show, a: str | int, b: str | int) -> int | None:
    """The preset of `show` (anything with `find`) that both `a` and `b` name, written two ways (`1` and `city`,
    which the parser cannot tell apart), else None; also where either is no preset (said as missing)."""
    if not all(isinstance(ref, (str, int)) and not isinstance(ref, bool) for ref in (a, b)):
        return None
    try:
        i, j = show.find(a), show.find(b)
    except KeyError:
        return None
    return i if i == j else None


def presets_named(cmd: Command) -> tuple:
    """The presets a command names (a button's, or a cue's): `preset A`, or both sides of `blend A B x`."""
    return cmd.args[:1] if cmd.name == "preset" else cmd.args[:2] if cmd.name == "blend" else ()


def blend_twice(show, cmd: Command) -> str | None:
    """What is wrong with `cmd`, a blend of one preset of `show` with itself (`blend 1 city 0.5`), as the controller
    would refuse it on every press; None for any other command."""
    if cmd.name != "blend" or (i := preset_twice(show, cmd.args[0], cmd.args[1])) is None:
        return None
    return (f"{cmd}: blend mixes two different presets: {quoted(show.presets[i].name)} is preset {i + 1}, named twice; "
            "give two, as in blend 1 2 0.5 (or preset NAME for one)")


def presets_found(show, cmd: Command) -> bool:
    """Whether `show` (anything with `find` and `presets`) has every preset `cmd` names, and takes them as named:
    `blend 1 city` where city is preset 1 is refused (blend_twice)."""
    try:
        for ref in presets_named(cmd):
            show.find(ref)
    except KeyError:
        return False
    return blend_twice(show, cmd) is None
