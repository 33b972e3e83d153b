"""The line meant, offered in a refusal where the show has what a mistyped line names: `cue 5` is go 5, `scene 2`
preset 2, `next cue` go and the next cue's number, `go ocean` preset ocean (of a show with a preset ocean).

The parser knows no show: it offered go alone for `cue 5`, which fires the next cue, not cue 5. An offer here is
made only where the line offered is taken typed back from the same source, at the same timing (`next cue @bar`:
go 1 @bar; without it, the offer fires at once), and never a go to a cue's own line, which fires no cue.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Protocol

from vcam.control.commands import (COMMENT_START, COMMENT_WHERE, NOT_IN_CUES, READ_AS, Command, CommandError, parse,
                                   shown_typed, split_timing, takes_nothing_said, unknown_said)
from vcam.control.cues import CueList
from vcam.control.cuesheet import cue_index
from vcam.control.replies import Missing
from vcam.control.sources import by_a_cue
from vcam.words import quoted, width_folded

# the kind of thing each command names, as a refusal says it
_KIND = MappingProxyType({"go": "cue", "preset": "preset"})


class Named(Protocol):
    """A preset as offers read it: its name."""

    @property
    def name(self) -> str: ...


class Presets(Protocol):
    """A show's presets as offers read them (vcam.control.show.Show; at vcam cam, the server's as it said them)."""

    @property
    def presets(self) -> Sequence[Named]: ...  # in order

    def find(self, ref: str | int) -> int: ...  # KeyError(replies.Missing), saying why, where none is

    def named(self, name: str) -> int | None: ...


@dataclass(frozen=True)
class Offers:
    """What a show offers in place of a line it refuses. `show`, `cues`: the show and its cue list as they stand
    (a reload swaps them); `takes`: whether the show would take a command now, seen without running it."""

    show: Callable[[], Presets | None]
    cues: Callable[[], CueList | None]
    takes: Callable[[Command], bool]

    def instead(self, e: CommandError, source: str, console: bool) -> str | None:
        """The refusal `e` with the line meant where the show has what it names (`cue 5`: go 5; `fire drop`: go
        drop; `scene 2`: preset 2; `next cue`: go and the next cue's number; `next preset`: next; `next 2`: preset
        2), and that line is taken typed back from `source`; None for any other line, whose own refusal stands. A
        comment after the words (`next cue @bar # x`) is read as a command's is: the line is offered without it."""
        word, rest = e.said
        name, rest = width_folded(word).lower(), rest.strip()
        if not rest and name in READ_AS and e.unknown is not None and by_a_cue(source) \
                and READ_AS[name][0] in NOT_IN_CUES:  # `do: [cue]`: go, offered elsewhere, fires no cue from a cue
            return unknown_said(shown_typed(word), READ_AS[name][1])
        if not rest:
            return None
        if name in READ_AS and e.unknown is not None:
            command = READ_AS[name][0]
            cues = self.cues()
            if command == "go" and (cues is None or not cues.cues):
                # go N would be answered that there is no cue list: the hint that go fires one sent them there
                return unknown_said(shown_typed(word), " (this show has no cues to fire)")
            # `cue dorp ＠ｂａｒ`: read in ASCII, its timing is read as one, and the name's typo offered on it
            offer = self._first(lambda words: self.taken_line(f"{command} {width_folded(words)}", source, console),
                                rest, console)
            return unknown_said(shown_typed(word), f" (did you mean {offer}?)") if offer else None
        if name not in ("next", "prev") or e.unknown is not None:
            return None
        offer = self._first(lambda words: self._stepped(name, words, source, console), width_folded(rest).lower(),
                            console)
        return takes_nothing_said(name, f" (did you mean {offer}?)") if offer else None

    @staticmethod
    def _first(offer: Callable[[str], str | None], rest: str, console: bool) -> str | None:
        """The line `offer` makes of the words `rest`, else of those words without a comment after them, cut at each
        # after a blank from the last back (a name may hold a # of its own: `drop #2 @bar # x` is go drop #2 @bar, not
        go drop); only a line at the timing typed before the cut (`go drop`, played at once, is no offer for it)."""
        # where a comment starts as a command reads one, but at their start, which begins a name (`#2`)
        cuts = [found.start() for found in COMMENT_START.finditer(rest) if found.start() > 0]
        for words in [rest] + [rest[:cut].rstrip() for cut in reversed(cuts)]:
            dropped = rest[len(words):]
            if not words or "@" in dropped or "＠" in dropped:  # a timing in what is cut off may be the one meant
                continue
            if (made := offer(words)) is not None:
                return made if _timing(made, console) == split_timing("go", width_folded(words))[1] else None
        return None

    def _stepped(self, name: str, what: str, source: str, console: bool) -> str | None:
        """The line meant by next or prev (`name`) with the words `what` after it, where one is taken."""
        # `next cue @bar`: the timing typed is the line offered's (without it, the offer fires at once)
        what, timing = split_timing(name, what)
        at = f" @{timing}" if timing is not None else ""
        cues = self.cues()
        if what == "preset":  # `next preset`: next alone is the next preset
            return self.taken_line(name + at, source, console)
        if what == "cue" and name == "next" and cues is not None:
            # the next cue by its number, which fires that one typed back whenever it is (go alone, the one next then)
            return self.taken_line(f"go {cues.position + 1}{at}", source, console)
        if what.isdecimal():  # `next 2`: next takes no count; preset 2 where the show has one
            return self.taken_line(f"preset {what}{at}", source, console)
        return None

    def taken_line(self, line: str, source: str, console: bool) -> str | None:
        """`line` as a command the show takes now from `source`, written as it reads back; else the one its refusal
        offers, where that is taken at the same timing (`go 5 # x`: go 5; `go dorp @bar`: go drop @bar); None where
        neither is. A cue's own line fires no cue."""
        try:
            cmd = parse(line, console=console)
        except CommandError as e:
            offered, cmd, why = e.offer, None, str(e)
        else:
            if cmd is None or by_a_cue(source) and cmd.name in NOT_IN_CUES:
                return None
            if self.takes(cmd):
                return str(cmd)
            why = self._not_found(cmd)
            offered = (why.hint.meant or None) if isinstance(why, Missing) else None
        if COMMENT_WHERE in why:
            # the words before a # (`preset city` for `city #2`) name another cue or preset than the words typed: the
            # comment is cut where the line has one (_first)
            return None
        try:
            meant = parse(offered, console=console) if offered else None
        except CommandError:
            return None
        if meant is None or by_a_cue(source) and meant.name in NOT_IN_CUES:
            return None
        if cmd is not None and meant.name == cmd.name and meant.at is None:
            # a name's typo offered bare (`go drop` for `go dorp @bar`): played at once, not on the bar asked for
            meant = Command(meant.name, meant.args, at=cmd.at)
        # a timing the offer may not keep (the line refused, its timing unread) is offered nothing: played otherwise
        if cmd is None and ("@" in line or "＠" in line) or meant.at != (cmd.at if cmd is not None else None) \
                or not self.takes(meant):
            return None
        return str(meant)

    def _not_found(self, cmd: Command) -> Missing | str:
        """Why the show has no preset or cue `cmd` names, with the line it offers; empty for any other command."""
        cues, show = self.cues(), self.show()
        if cmd.name == "go" and cmd.args and cues is not None:
            index = cue_index(cues.cues, cmd.args[0])
            return index if isinstance(index, str) else ""
        if cmd.name == "preset" and show is not None:
            try:
                show.find(cmd.args[0])
            except KeyError as e:
                return e.args[0]
        return ""

    def named_otherwise(self, cmd: Command, missing: Missing, source: str, console: bool) -> str | None:
        """The refusal (`missing`, the show's) of a go or a preset to a name no cue or preset has, nor one near it,
        that names the other kind (`go ocean` of a preset ocean, `preset drop` of a cue drop), offering the line that
        plays it at the command's timing; of `go cue 5`, offering go 5. None for any other, and for a go offered to
        a cue's own line, which fires no cue."""
        name = cmd.args[0]
        if not isinstance(name, str) or missing.hint.meant:
            return None
        other = "preset" if cmd.name == "go" else "go"
        if other == "go" and by_a_cue(source):
            return None
        if (index := self._found(other, name)) is not None:
            # a name a preset or a cue has is short (a show's names are 100 characters at most): said whole
            line = Command(other, (self._names(other)[index],), at=cmd.at)
            return (f"no {_KIND[cmd.name]} named {quoted(name)}: that is {_KIND[other]} {index + 1}: did you "
                    f"mean {line}?{missing.listed}")
        word, ref = (name.split(None, 1) + [""])[:2]
        if cmd.name == "go" and width_folded(word).lower() == "cue" and ref.strip():  # `go cue 5`: cue said twice
            timing = f" @{cmd.at}" if cmd.at else ""
            if (offer := self.taken_line(f"go {ref}{timing}", source, console)) is not None:
                return f"no cue named {quoted(name)}: did you mean {offer}?{missing.listed}"
        return None

    def _found(self, kind: str, name: str) -> int | None:
        """The preset (`kind` preset) or cue (go) named `name`: its index; None where none is."""
        show, cues = self.show(), self.cues()
        if kind == "preset":
            return show.named(name) if show is not None else None
        index = cue_index(cues.cues, name) if cues is not None else None
        return index if isinstance(index, int) else None

    def _names(self, kind: str) -> list[str]:
        """The names of the show's presets (`kind` preset) or cues (go), in order."""
        show, cues = self.show(), self.cues()
        if kind == "preset":
            return [p.name for p in show.presets] if show is not None else []
        return [c.name for c in cues.cues] if cues is not None else []


def _timing(line: str, console: bool) -> str | None:
    """The timing of `line`, a command as it reads back."""
    try:
        cmd = parse(line, console=console)
    except CommandError:
        return None
    return cmd.at if cmd is not None else None
