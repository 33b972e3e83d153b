"""A show's cue sheet: its cues as the show file writes them (Cue) and the reading of its `cues:` section, every
command checked as a cue may run it. Running the cues at show time (go, back, timed cues) is vcam.control.cues;
this is what it is given.

Apart from show.py (whose docstring shows a cues: section), as midimap.py and oscmap.py are for the midi: and osc:
sections: the cue list has rules of its own (the order of timed cues, a loop's), which a reader of the show's other
keys need not wade through.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from vcam.control.commands import (MAX_CHOICES, MEANT, NOT_IN_CUES, SHOWN_CHARS, USAGE, Command, CommandError,
                                   blend_twice, comment_hint, joined_commands, joined_hint, listed_meant, name_key,
                                   glued_timing_meant, number_like, parse, presets_found, presets_named,
                                   read_command, ref_read, typed_only, wide_timing_meant)
from vcam.control.linesource import found_beside, in_a_file, line_source
from vcam.control.replies import Hint, Missing
from vcam.control.showpaths import whole_command
from vcam.control.yamlcheck import INVALID, Reader, constructed, key_nodes
from vcam.control.yamlwrite import STR_TAG, colon_read, flow_yaml
from vcam.words import clipped, equally_near, nearest, quoted, spelled_number, width_folded

if TYPE_CHECKING:
    from vcam.control.show import Show


@dataclass(frozen=True)
class Cue:
    """One step of a show's cue list: the commands GO (or the cue's time) runs, in order."""

    name: str  # as the show names it, else its first command as the show file writes it
    do: tuple[str, ...]  # command lines in their plain form (paths made whole), each parsed by commands.parse
    at_s: float | None = None  # fires by itself this many seconds after the show goes on air
    at_bar: int | None = None  # fires by itself when the tempo reaches this bar (1: the first)
    wait: float | None = None  # fires by itself this many seconds after the cue before it fired
    loop: bool = False  # the last cue only: after it the list starts over from cue 1 (vcam.control.cues)
    # whether `name` is the show's own (name:), not its first command's: a reload compares the names alone
    named: bool = field(default=False, compare=False)

    def timing(self) -> str:
        """When it fires by itself, in the words of a show file: "at 1:30", "at bar 17", "wait 8s"; "" for GO."""
        if self.at_s is not None:
            return f"at {clock_text(self.at_s)}"
        if self.at_bar is not None:
            return f"at bar {self.at_bar}"
        return f"wait {self.wait:g}s" if self.wait is not None else ""


def cue_said(cue: Cue) -> str:
    """A cue's name, quoted as words.quoted quotes (what would steer the terminal escaped), as a line says it: a
    name the show gives whole, up to its 100 characters, as the VJ chose it; an unnamed cue's, its first line, cut
    as a message cuts a name typed: a pasted prompt's whole filled the status line and every reply. An input's path
    stays whole: the network's renaming of paths (media.MediaFolders.renamed) finds only a whole one in the text,
    and a backslash in it (a path on Windows) stays one."""
    if cue.named or cue.name.split()[:1] == ["input"]:
        return quoted(cue.name)
    return quoted(clipped(cue.name, SHOWN_CHARS + 1))


def clock_text(seconds: float) -> str:
    """90 → "1:30", 90.5 → "1:30.5", 3725 → "1:02:05": a cue's time as a show file writes it."""
    whole = int(seconds)
    fraction = f"{seconds - whole:.3f}".rstrip("0").rstrip(".")[1:]  # ".5", or "" for whole seconds
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return (f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}") + fraction


CUE_KEYS = ("name", "do", "at", "wait", "loop")
CUE_AT_KEYS = ("bar",)  # at: as a mapping, {bar: N}
# A list that loops by itself (a wait: on every cue) takes at least this long to go round: waits that add up to 0
# would fire cue after cue without end
MIN_LOOP_S = 1.0
MAX_CUE_SECONDS = 24 * 3600.0
MAX_BAR = 100_000
CUE_AT = 'at: takes a time ("1:30", minutes:seconds after the show goes on air, or seconds) or {bar: N}'


def read_cues(r: Reader, node, show: Show | None, base: Path) -> tuple[Cue, ...]:
    """The show's cue list; every command parsed, and checked against `show`'s presets when it is given."""
    cues: list[Cue] = []
    latest: dict = {"s": None, "bar": None}  # the latest at: of the cues read so far, and its cue
    entries = r.sequence(node, "cues")
    timed: list[tuple[str, Node]] = []  # the cues with an at:, and its node
    waits: list[float | None] = []  # each cue's wait:
    loop: Node | None = None  # the last cue's loop: true
    for i, item in enumerate(entries):
        if _said_a_command_alone(r, item, i, show) or _said_named_as_key(r, item, i, show):
            waits.append(None)
            continue
        stray = _without_a_command_key(r, item, i, show)
        item = stray if stray is not None else item
        c = r.mapping(item, f"cue {i + 1}", CUE_KEYS, required=() if stray is not None else ("do",), meant=_MEANT_KEYS)
        cname = r.string(c["name"], f"cue {i + 1} name", 100) if "name" in c else None
        if cname is not None:
            _note_a_numbered_name(r, c["name"], i, cname, len(entries))
        what = f"cue {i + 1} {quoted(cname)}" if cname else f"cue {i + 1}"
        items = r.value(c["do"], f"{what} do") if "do" in c else None
        if isinstance(items, SequenceNode):
            lines = r.sequence(c["do"], f"{what} do")
            if not lines:
                r.error(c["do"], f"{what} do: the list is empty; give at least one command")
        else:
            lines = [c["do"]] if "do" in c else []
        texts = [constructed(line) for line in lines]
        kept = _kept_as_written(r, lines, show, base)
        read = [both for j, line in enumerate(lines)
                if (both := _cue_command(r, line, f"{what} do" + (f" {j + 1}" if len(lines) > 1 else ""), show,
                                         base, _around(texts, kept, j))) is not None]  # (as written, as it runs)
        do = [plain for _, plain in read]
        if "at" in c and "wait" in c:
            r.error(c["wait"], f"{what}: give at: or wait:, not both (at: counts from the show's start, wait: "
                               "from the cue before)")
        at_s, at_bar = _cue_at(r, c["at"], what) if "at" in c else (None, None)
        wait = _cue_wait(r, c["wait"], what) if "wait" in c else None
        _refuse_a_moment_gone(r, c.get("at"), what, at_s, at_bar, latest)
        if at_s is not None and (latest["s"] is None or at_s > latest["s"][0]):
            latest["s"] = (at_s, what)
        if at_bar is not None and (latest["bar"] is None or at_bar > latest["bar"][0]):
            latest["bar"] = (at_bar, what)
        looped = _cue_loop(r, c["loop"], what, last=i == len(entries) - 1) if "loop" in c else False
        if looped:
            loop = c["loop"]
        if "at" in c:
            timed.append((what, c["at"]))
        waits.append(wait)
        if len(do) == len(lines) and lines:
            # unnamed: named by its first line as the show file writes it (a clip relative to the show), not
            # as it runs, whose path is whole: the name is shown wherever the cue list is, a client's state too
            cues.append(Cue(cname or read[0][0], tuple(do), at_s, at_bar, wait, looped, named=cname is not None))
    if loop is not None:
        _check_the_loop(r, loop, timed, waits)
    return tuple(cues)


def _note_a_numbered_name(r: Reader, node: Node, i: int, name: str, count: int) -> None:
    """A cue named with a number that is not its own place (`name: '2'` on cue 3, of `count`): `go 2` (typed, a
    button, a cue sheet's call) fires cue 2, and this one is never found by its name; `go 5` of two cues, quoted or
    not, is refused as no cue 5. Said, not refused: the show plays, and its numbers move as cues are added above."""
    try:
        cmd = parse(f"go {name}", console=False)
    except CommandError:
        return
    if cmd is None or not cmd.args or not isinstance(number := cmd.args[0], int) or number == i + 1:
        return
    if 1 <= number <= count:
        reads = f"go {name} fires cue {number} by its place in the list"
    else:  # no cue has that place: said as "fires cue 5", go 5 answered "no cue 5"
        reads = (f"go {name} reads it as a cue number, and this show has " +
                 (f"cues 1 to {count}" if count > 1 else "cue 1") + f", so go {name} is refused")
    r.note(r.path, node.start_mark.line + 1,
           f"cue {i + 1} is named {quoted(name)}, a number: {reads}, never this one by its name; name it with a word "
           "too, as in 'scene " + name.strip() + "'")


def _said_a_command_alone(r: Reader, item: Node, i: int, show: Show | None) -> bool:
    """Whether cue `i` is a command alone (`- preset neon`, as a newcomer writes a cue list first), said with how a
    cue is written, where "must be a mapping" left the do: to find."""
    # `- prompt neon: rain` unquoted is YAML's key and value: a command alone too, said as unknown key 'prompt neon'
    # and a do: missing
    colon = colon_read(item) if key_nodes(item).keys().isdisjoint(CUE_KEYS) else None
    if not ((isinstance(item, ScalarNode) and item.value.strip()) or (colon is not None and _a_cues_command(colon))):
        return False
    under = _under_do(r, item, show, colon)
    cmd = _cues_command(" ".join((colon if colon is not None else item.value).split()))
    # `- preset b: now` with no such preset: the offer is the shape alone, and why its command would be refused too
    why = _not_in_show(cmd, show) if cmd is not None else None
    r.error(item, f"cue {i + 1} is a command alone; a cue gives it under do: {under} (a name and a time may "
                  "go with it: - {name: NAME, do: COMMAND, wait: 8})"
                  + (f"; {cmd} is refused there too: {why}" if why else ""))
    return True


def _said_named_as_key(r: Reader, item: Node, i: int, show: Show | None) -> bool:
    """Whether cue `i` is written as its name and its command (`- open: preset 1`), said so with the cue meant: YAML
    read it as unknown key 'open' and no do:."""
    if (named := _named_as_key(item, show)) is None:
        return False
    offered = flow_yaml(named)
    r.error(item, f"cue {i + 1} reads as a key {named['name']!r} and its command; a cue gives its name and its "
                  "command under keys of their own: "
                  + (f"- {offered}" if offered else "- {name: NAME, do: COMMAND}"))
    return True


def _without_a_command_key(r: Reader, item: Node, i: int, show: Show | None) -> MappingNode | None:
    """Cue `i` without the command YAML read as a key and its value beside the cue's own keys (`- prompt neon: rain`
    with a wait: under it), said with the do: to write; None where there is none. The rest is still read, so that
    its own mistakes are said in the same run."""
    if (stray := _command_key(item, show)) is None:
        return None
    key, line, why = stray
    offered = flow_yaml(line) if why is None else None
    r.error(key, f"cue {i + 1}: {line} reads as a key and its value (YAML takes ': ' for one), not as a "
                 "command; a cue gives its command under do: "
                 + (f"write it as do: {offered}" if offered else "do: 'COMMAND', each ' in it written twice")
                 + (f"; {line} is refused there too: {why}" if why else ""))
    return MappingNode(item.tag, [pair for pair in item.value if pair[0] is not key], flow_style=item.flow_style)


def _named_as_key(item: Node, show: Show | None) -> dict | None:
    """The cue meant by one written as its name and its command (`- open: preset 1`, `- drop: [next, strength 0.4]`),
    as {name:, do:}, where a cue of `show` runs each command (`- open: preset zz`, offered, was refused in turn);
    None for any other entry."""
    if not isinstance(item, MappingNode) or len(item.value) != 1:
        return None
    key, value = item.value[0]
    if not isinstance(key, ScalarNode) or key.tag != STR_TAG or not _a_cue_name(key.value):
        return None
    lines = value.value if isinstance(value, SequenceNode) else [value]
    if not lines or not all(isinstance(line, ScalarNode) and line.tag == STR_TAG for line in lines):
        return None
    if _a_cues_command(f"{key.value}: {lines[0].value}"):
        return None  # `prompt neon: rain`: a command alone, said so
    cmds = [_cues_command(line.value) for line in lines]
    if not all(cmds) or (show is not None and not all(_runs_in_cue(cmd, show) for cmd in cmds)):
        return None
    do = [line.value for line in lines]
    return {"name": key.value.strip(), "do": do if isinstance(value, SequenceNode) else do[0]}


# keys that name the command slot itself, as other cue tools name it: `- command: next` is a do: misnamed, not a cue
# called "command"
_DO_WORDS = frozenset({"command", "commands", "cmd", "action", "actions", "run", "exec", "execute", "does", "doing",
                       "then", "cue", "cues", "trigger", "send"})

# other tools' words for a cue's own keys: `- delay: next` is a wait: misnamed, `- label: next` a name:, not a cue
# called delay or label
_MEANT_KEYS = {**dict.fromkeys(("delay", "sleep", "duration", "after", "when", "time", "timing", "beat", "beats",
                                "bar", "bars", "pause", "hold"),
                               "wait (seconds after the cue before) or at (a time in the show)"),
               **dict.fromkeys(("label", "title", "id", "cue name"), "name")}


def _a_cue_name(key: str) -> bool:
    """Whether `key`, written with a command as its value, can be the cue's name: not a command's name (`- prompt:
    blackout` is a prompt, a colon in it), a cue key written otherwise (`Do:`, `dos:`, `wait 4:`, each said with the
    key meant) or a word for the command itself (`command:`)."""
    words = key.casefold().split()
    if not words or words[0] in USAGE or words[0] in MEANT or words[0] in _DO_WORDS or " ".join(words) in _MEANT_KEYS:
        return False
    return not any(nearest(word, CUE_KEYS, cutoff=0.75) or word in CUE_KEYS for word in (words[0], " ".join(words)))


def _command_key(item: Node, show: Show | None) -> tuple[Node, str, str | None] | None:
    """The key of a cue with no do: that, with its value, is a command YAML read as a key and its value, beside the
    cue's own keys; the key, the command and why a cue of `show` refuses it for its presets (`preset b: now` names
    no preset 'b: now': offered as a do:, it was refused in turn), None where it runs; None where there is none."""
    if not isinstance(item, MappingNode) or "do" in key_nodes(item) or key_nodes(item).keys().isdisjoint(CUE_KEYS):
        return None  # a cue of one such key alone is a command alone, said so above
    for key, value in item.value:
        if isinstance(key, ScalarNode) and key.value not in CUE_KEYS:
            line = colon_read(MappingNode(item.tag, [(key, value)]))
            if line is not None and (cmd := _cues_command(line)):
                return key, line, _not_in_show(cmd, show)
    return None


def _under_do(r: Reader, item: Node, show: Show | None, colon: str | None = None) -> str:
    """The cue to write for a command written alone (`- preset neon`): - {do: preset neon}, quoted where YAML
    needs it (`prompt neon: rain` unquoted is no YAML, and `prompt a, b` a cue of two keys); for one too long to
    offer whole, the shape, the command left as written. `colon`: the line a mapping `item` was written as
    (colon_read), which is never offered as written: it reads as a mapping there too."""
    line = colon if colon is not None else item.value
    command = " ".join(line.split())
    # `- go`: offered only as a cue takes it; `- preset b: now` only where `show` has a preset 'b: now'
    if not (cmd := _cues_command(command)) or (show is not None and not _runs_in_cue(cmd, show)):
        return "- {do: COMMAND}"
    if (cue := flow_yaml({"do": command})) is not None:
        return f"- {cue}"
    written = r.written(item, item) if colon is None else None
    try:  # the command as the file has it, written after `do: `, reads as itself: only the do: is to add
        as_is = written is not None and yaml.safe_load(f"- do: {written}") == [{"do": line}]
    except yaml.YAMLError:
        as_is = False
    if as_is:
        return "write do: after its '- ' (- do: COMMAND)"
    return "write do: after its '- ', the command in 'single quotes', each ' in it written twice (- do: 'COMMAND')"


def _a_cues_command(line: str) -> bool:
    """Whether `line` is a command a cue runs (not go, back, status, a typo or a comment)."""
    return _cues_command(line) is not None


def _cues_command(line: str) -> Command | None:
    """`line` as a cue runs it, read as a show's file has it; None for go, back, status, a typo or a comment. Only
    what an offer is made from: it never raises, as a refusal here would be the whole report's only line."""
    try:
        cmd = parse(line, console=False)
    except CommandError:
        return None
    return cmd if cmd is not None and cmd.name not in NOT_IN_CUES and typed_only(cmd, "a cue") is None else None


def _cue_loop(r: Reader, node, what: str, last: bool) -> bool:
    """A cue's loop: true or false; true only on the last cue (after it the list starts over)."""
    v = r.value(node, f"{what} loop")
    if v is INVALID:
        return False
    if not isinstance(v, bool):
        r.error(node, f"{what} loop must be true or false")
        return False
    if v and not last:
        r.error(node, f"{what}: loop: true goes on the last cue: after it the list starts over from cue 1")
        return False
    return v


def _check_the_loop(r: Reader, node, timed: list[tuple[str, Node]], waits: list[float | None]) -> None:
    """A list that starts over: no cue in it has an at: (its moment comes once, so the second round would stop
    there for GO), and one that goes round by itself (every cue waits) takes a while to."""
    for what, at in timed:
        r.error(at, f"{what}: at: in a cue list that loops (loop: true): its moment comes once, so the second "
                    "round would stop here until GO; time it with wait: (from the cue before) or leave it to GO")
    if waits and all(w is not None for w in waits) and sum(waits) < MIN_LOOP_S:
        r.error(node, f"the cue list loops by itself (every cue has a wait:) and its waits add up to "
                      f"{sum(waits):g} s; give them {MIN_LOOP_S:g} s or more, or it fires cue after cue without a "
                      "pause")


def _refuse_a_moment_gone(r: Reader, node, what: str, at_s: float | None, at_bar: int | None,
                          latest: dict) -> None:
    """An at: before one of a cue above it: firing at its moment, it skips that cue, whose own moment then comes
    when the list has passed it, so it never fires by itself (a list ended minutes early). `latest`: the latest
    time and bar of the cues above, with the cue that has it."""
    for mine, key, shown in ((at_s, "s", clock_text), (at_bar, "bar", lambda bar: f"bar {bar}")):
        before = latest[key]
        if mine is not None and before is not None and mine < before[0]:
            r.error(node, f"{what} at {shown(mine)} comes before {before[1]} above it, at {shown(before[0])}, which "
                          "it would skip (a cue whose moment has passed never fires by itself); put the cues in "
                          "the order of their times")


def _kept_as_written(r: Reader, lines: list, show: Show | None, base: Path) -> tuple[list[bool], list[list[str]]]:
    """For each do: line, whether it is written with no anchor, alias or tag (a do: offered would drop the &name a
    later *name repeats), and the lines a do: offered puts in its place: itself where a cue takes it as written, the
    commands it runs together where a cue takes each (`seed 5 steps 3`), none where a cue refuses it."""
    plain = [(w := r.written(line, line)) is not None and w[0] not in "&*!" for line in lines]
    if len(lines) < 2:
        return plain, [[]] * len(lines)
    scratch = r.scratch()  # its problems are said where each line is read
    taken = []
    for line in lines:
        said = len(scratch.problems)
        if _cue_command(scratch, line, "do", show, base, None) is not None and len(scratch.problems) == said:
            taken.append([constructed(line)])
            continue
        text = constructed(line)
        joined = joined_commands(text, console=False) if isinstance(text, str) else ()
        # each at the line's marks: a command refused is said at its line, and a node with none had no line to say
        runs = all(_cue_command(r.scratch(), ScalarNode(STR_TAG, str(cmd), line.start_mark, line.end_mark), "do", show,
                                base, None) for cmd in joined)
        taken.append([str(cmd) for cmd in joined] if runs else [])
    return plain, taken


def _around(texts: list, kept: tuple[list[bool], list[list[str]]], j: int) -> tuple[list[str], list[str]] | None:
    """The do: lines before and after line `j`, kept in a do: offered for it, a line of commands run together too
    split into them (each such line offered one do:, the same, where each was offered its own split alone); None
    where one is no text (a mapping, a number) or one a cue refuses, which a do: offered would keep refused, or
    where a line carries an anchor, alias or tag: said in words."""
    plain, taken = kept
    others = [i for i in range(len(texts)) if i != j]
    if not all(plain) or not all(isinstance(texts[i], str) and taken[i] for i in others):
        return None
    return [t for i in range(j) for t in taken[i]], [t for i in range(j + 1, len(texts)) for t in taken[i]]


def _cue_command(r: Reader, node, what: str, show: Show | None, base: Path,
                 around: tuple[list[str], list[str]] | None = ((), ())) -> tuple[str, str] | None:
    """One command of a cue as written (its paths as the show file spells them) and in its plain form (paths made
    whole), or None after recording why it is no command a cue can run. `around`: the do: lines beside it."""
    with found_beside(base):  # `input ｆｉｌｅ：ｌｏｇｏ．ｐｎｇ ＠ｂａｒ` read by what is beside the show, as its files are found
        if (said := _number_meant_do(node, show, around)) is not None:
            r.error(node, f"{what}: {said}")
            return None
        cmd = read_command(r, node, what, around=around, takes=lambda c: _runs_beside(r, node, what, c, show, base))
        if cmd is None:
            return None
        written = str(cmd)
        if cmd.name in NOT_IN_CUES:
            r.error(node, f"{what}: {cmd.name} is not allowed in a cue: {NOT_IN_CUES[cmd.name]}")
            return None
        cmd = whole_command(r, node, what, cmd, base)  # a clip or still named in a show is found next to it
        if cmd is None:
            return None
        for ref in (presets_named(cmd) if show is not None else ()):
            try:
                show.find(ref)
            except KeyError as e:
                # `preset ocean, seed 5`: no preset of that name, but commands run together, as the console answers them
                joined = joined_hint(joined_commands(written, console=False), lambda c: _runs_in_cue(c, show), "cue",
                                     around)
                r.error(node, f"{what}: {joined}" if joined else f"{what}: {cmd}: {e.args[0]}")
                return None
        if show is not None and (twice := blend_twice(show, cmd)):
            r.error(node, f"{what}: {twice}")
            return None
        return written, str(cmd)


def _number_meant_do(node, show: Show | None, around: tuple[list[str], list[str]] | None) -> str | None:
    """A do: line refused for a number written otherwise (`blend a b 50%`, "did you mean 0.5?"), said with the whole
    do: to write (`do: blend a b 0.5`), the lines beside it kept, where that do: runs in `show`; None otherwise."""
    if not isinstance(node, ScalarNode) or node.tag != STR_TAG or around is None:
        return None
    try:
        parse(node.value, console=False)
        return None
    except CommandError as e:
        said, meant = str(e), e.meant
    words = node.value.split()
    if meant is None or words.count(meant.typed) != 1:
        return None
    fixed = " ".join(meant.number if word == meant.typed else word for word in words)
    if (cmd := _cues_command(fixed)) is None or (show is not None and not _runs_in_cue(cmd, show)):
        return None
    before, after = around
    do = flow_yaml([*before, fixed, *after] if before or after else fixed)
    if do is None:
        return None
    return said.replace(meant.said, "", 1) + f"; write do: {do}"


def _runs_beside(r: Reader, node, what: str, cmd: Command, show: Show | None, base: Path) -> bool:
    """Whether a cue of `show` runs `cmd`, written in a line with other commands (`seed 5, input file:a.mp4`): its
    input's file found beside the show, its presets in it; said as one refused, the line's commands were not seen."""
    if cmd.name == "input":
        return whole_command(Reader(r.path), node, what, cmd, base) is not None
    return show is not None and _runs_in_cue(cmd, show)


def _not_in_show(cmd: Command, show: Show | None) -> str | None:
    """Why a cue of `show` would refuse `cmd` for the presets it names (`no preset named 'b: now'; presets: a`), as
    its do: is told; None where they are there, or no show is given."""
    if show is None:
        return None
    for ref in presets_named(cmd):
        try:
            show.find(ref)
        except KeyError as e:
            return e.args[0]
    return blend_twice(show, cmd)


def _runs_in_cue(cmd: Command, show: Show) -> bool:
    """Whether a cue of `show` runs `cmd` as it stands (its presets there), seen without running it."""
    return cmd.name not in NOT_IN_CUES and presets_found(show, cmd)


def _cue_at(r: Reader, node, what: str) -> tuple[float | None, int | None]:
    """A cue's at: as (seconds after the show goes on air, None) or (None, bar)."""
    if isinstance(node, MappingNode):
        m = r.mapping(node, f"{what} at", CUE_AT_KEYS, required=("bar",))
        return None, (r.integer(m["bar"], f"{what} at bar", 1, MAX_BAR) if "bar" in m else None)
    v = r.value(node, f"{what} at")
    if v is INVALID:
        return None, None
    seconds = _clock_seconds(v)
    if seconds is None:
        meant = _time_meant(v, "at")
        r.error(node, f"{what}: {CUE_AT}, not {node.value if isinstance(node, ScalarNode) else 'a list'}"
                      + (f"; {meant}" if meant else ""))
    elif not 0 <= seconds <= MAX_CUE_SECONDS:
        r.error(node, f"{what} at {node.value} is out of range (0 to {clock_text(MAX_CUE_SECONDS)})")
        seconds = None
    return seconds, None


def _cue_wait(r: Reader, node, what: str) -> float | None:
    """A cue's wait: seconds, or a time as at: takes one ("0:45", "1:30"). YAML reads a bare 1:30 as 90 itself, but
    0:45, 01:30 and "1:30" as text, which were refused as no number while 1:30 was taken."""
    v = r.value(node, f"{what} wait")
    if v is INVALID:
        return None
    if isinstance(v, str) and ":" in v and (seconds := _clock_seconds(v)) is not None:
        if seconds <= MAX_CUE_SECONDS:
            return seconds
        r.error(node, f"{what} wait {v.strip()} is out of range (0 to {clock_text(MAX_CUE_SECONDS)})")
        return None
    if (meant := _time_meant(v, "wait")) is not None:
        r.error(node, f"{what} wait must be a number of seconds, not {v.strip()}; {meant}")
        return None
    return r.number(node, f"{what} wait", 0, MAX_CUE_SECONDS, clock=True)


# a time's units, in seconds; `m` is a minute here, where a cue's time counts seconds (no measures: the tempo's
# bars are counted by at: {bar: N})
_SECONDS = {**dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1.0),
            **dict.fromkeys(("ms", "msec", "msecs", "millisecond", "milliseconds"), 0.001),
            **dict.fromkeys(("m", "min", "mins", "minute", "minutes"), 60.0),
            **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600.0)}
_BARS = ("bar", "bars", "measure", "measures", "beat", "beats")


def _time_meant(v, key: str) -> str | None:
    """What a cue's `key` (at, wait) given as a number with a unit after it (`90s`, `1m`, `2 min`, `4 bars`) is told,
    after its ';': the line to write in seconds, where `1m` was offered as 1 and a minute fired after a second;
    `at: bar 17` as {bar: 17}. None for any other value."""
    if not isinstance(v, str):
        return None
    text = v.strip().lower()
    if re.fullmatch(r"(?:(?:\d+\.?\d*|\.\d+)\s*[a-z]+\s*){2,}", text):
        # `1m30s`, `2 min 15 sec`: a time in several units, told no more than the form at: takes
        parts = re.findall(r"(\d+\.?\d*|\.\d+)\s*([a-z]+)", text)
        if not all(unit in _SECONDS for _, unit in parts):
            return None
        seconds = sum(float(number) * _SECONDS[unit] for number, unit in parts)
        if seconds > MAX_CUE_SECONDS:
            return f"{v.strip()} is past the longest a cue takes ({clock_text(MAX_CUE_SECONDS)})"
        return f"write {key}: {seconds:g}"
    if found := re.fullmatch(r"(\d+\.?\d*|\.\d+)\s*([^\W\d_]+)", text):
        number, unit = found[1], found[2]
    elif found := re.fullmatch(r"(bar|measure)\s*(\d+)", text):  # `bar 17`, as a DAW names one
        unit, number = found[1], found[2]
    else:
        return None
    if unit in _BARS:
        bar = float(number)
        if key == "at" and unit not in ("beat", "beats") and bar.is_integer() and 1 <= bar <= MAX_BAR:
            return f"write at: {{bar: {int(bar)}}}"
        # at: says its {bar: N} form already
        return "a cue on a bar of the tempo is given at: {bar: N}" if key == "wait" else None
    if unit not in _SECONDS:  # `2x`: no time, whose number was offered as seconds
        return 'write a number of seconds, or a time as "1:30"' if key == "wait" else None
    seconds = float(number) * _SECONDS[unit]
    if seconds > MAX_CUE_SECONDS:
        return f"{v.strip()} is past the longest a cue takes ({clock_text(MAX_CUE_SECONDS)})"
    return f"write {key}: {seconds:g}"


def _clock_seconds(v) -> float | None:
    """Seconds from a number or from "m:ss", "h:mm:ss" (YAML reads an unquoted 1:30 as 90 itself)."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return float(v) if v == v else None
    if not isinstance(v, str):
        return None
    parts = v.strip().split(":")
    if len(parts) > 3:
        return None
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        return None
    # "-0:30" is no time, though -0 is not below 0; "inf:00" would put a cue past any show
    if any(p.strip().startswith("-") or not math.isfinite(n) for p, n in zip(parts, numbers)) \
            or any(n >= 60 for n in numbers[1:]):
        return None
    total = 0.0
    for n in numbers:
        total = total * 60 + n
    return total


def _near_cue(cues: tuple[Cue, ...], key: str) -> str | None:
    """The name of the cue `key` (a name_key) was likely meant to name, where one alone is that near (`verse 4`,
    as near `verse 2` as `verse 3`, names neither); else None."""
    keys = {name_key(c.name): c.name for c in reversed(cues)}  # of two of one name, the first
    # `ｄｒｏｐ`, typed in an input method's full-width mode: its letters are the ASCII ones they are drawn as
    typed = " ".join(width_folded(key).split())
    meant, tied = nearest(typed, keys, cutoff=0.8), equally_near(typed, keys, cutoff=0.8)
    return keys[meant] if meant is not None and not (len(tied) > 1 and meant in tied) else None


def cue_index(cues: tuple[Cue, ...], cue: str | int, nxt: int | None = None) -> int | Missing:
    """The cue (0-based) `go CUE` names: by number, or by name (any case; of cues of one name, the first from `nxt`,
    the next one, on); else why there is none, with the cues there are."""
    if isinstance(cue, int):
        if 1 <= cue <= len(cues):
            return cue - 1
        return Missing(f"no cue {cue}: this show has " + (f"cues 1 to {len(cues)}" if len(cues) > 1 else "cue 1"))
    key = name_key(cue)
    named = [i for i, c in enumerate(cues) if name_key(c.name) == key]
    if named:
        return next((i for i in named if nxt is not None and i >= nxt), named[0])
    listed = ", ".join(f"{i + 1} {cue_said(c)}" for i, c in enumerate(cues[:MAX_CHOICES]))
    more = f", … ({len(cues)} in all)" if len(cues) > MAX_CHOICES else ""
    hint = _cue_hint(cues, cue)
    after = f"; the cues: {listed}{more}"
    return Missing(f"no cue named {quoted(clipped(cue, SHOWN_CHARS + 1))}{hint}{after}", hint, after)


def _cue_hint(cues: tuple[Cue, ...], cue: str) -> Hint:
    """What the refusal of `go CUE`, a name no cue has, offers or says in brackets."""
    numbers = f"a cue's number is a whole number from 1 to {len(cues)}"
    hint = Hint(why=numbers) if number_like(cue) else Hint()
    # `go #2` was answered as a comment, with go alone, which fires the next cue, not cue 2
    written = listed_meant(cue, [c.name for c in cues])
    if isinstance(written, str):
        hint = Hint(f"go {quoted(written)}")
    elif written is not None:
        hint = Hint(f"go {written}", after=" a cue's number is written alone") if 1 <= written <= len(cues) \
            else Hint(why=numbers)
    # a show with a cue named with a # ("drop #2") may mean it, mistyped: not sent to the cue before the #
    elif not any("#" in c.name or "＃" in c.name for c in cues) and \
            (said := comment_hint("go", cue, lambda line: _cue_named(cues, line.partition(" ")[2]),
                                  console=not line_source().in_a_file)).said():
        hint = said
    # `go doors.`, `go dorps`: a name mistyped on a show night, answered with the cue meant as a preset's is
    elif not hint.said() and (meant := _near_cue(cues, name_key(cue))) is not None:
        hint = Hint(f"go {quoted(meant)}")
    # `go three`: after the names, a name near it being the one meant (`four` of a show's `Fourth`)
    elif not hint.said() and (spelled := spelled_number(cue)) is not None and 1 <= spelled <= len(cues):
        hint = Hint(f"go {spelled}")
    # a name looked up as it is (by name_key), not by cue_index: `go x@bar@bar…` recursed at each @
    def names(head: str | int) -> bool:
        return (1 <= head <= len(cues)) if isinstance(head, int) else any(name_key(c.name) == name_key(head)
                                                                          for c in cues)

    # `２ ＠ｂａｒ`, `the drop ＠ｂａｒ`, typed in full-width mode
    if (line := wide_timing_meant("go", cue, len(cues), names)) is not None:
        hint = Hint(line)
    # `go drop@bar`, typed in a hurry: the timing read as part of the cue's name
    elif (line := glued_timing_meant("go", cue, names)) is not None:
        hint = Hint(line, why="a timing is set apart by a space")
    return hint


def _cue_named(cues: tuple[Cue, ...], ref: str) -> bool:
    """Whether `ref`, typed after go, names one of `cues` (by number or name; in quotes too, `'the drop’`), read as
    go reads it: a cue named `'quoted'`, quotes and all, is not what `go 'quoted'` fires."""
    if not ref:
        return True  # go: the next
    return (read := ref_read("go", ref)) is not None and isinstance(cue_index(cues, read), int)


def missing_cue(cues: tuple[Cue, ...], cmd: Command, numbers: bool) -> str | None:
    """Why `cmd`, a map's button, would be refused at each press as a `go CUE` that finds no cue of the show; None
    where it finds one, or is no such command. By name always; by number only where `numbers` (the show's own map):
    a map file lays out a row of cue buttons for shows of any length, as it does preset buttons."""
    if cmd.name != "go" or not cmd.args or (isinstance(cmd.args[0], int) and not numbers):
        return None
    if not cues:
        return "this show has no cues: write them in its cues: list, or give the button another command"
    with in_a_file():  # `go drop ＃ x` told YAML's comment is a plain #, as a cue's preset is
        found = cue_index(cues, cmd.args[0])
    return found if isinstance(found, str) else None


def idle_without_cues(cues: tuple[Cue, ...], cmd: Command, numbers: bool) -> str | None:
    """What to say of `cmd`, a button of the show's own map (`numbers`), that steps through the cues (go, back) of a
    show that has none: said, not refused, since the show plays as it did (each press answers that there are no
    cues) and an edit on air may add them. None otherwise: a map file's GO and BACK serve shows with cues and
    without."""
    if cues or not numbers or cmd.name not in ("go", "back") or cmd.args:
        return None
    return "does nothing until the show has cues: write them in its cues: list, or give the button another command"
