"""Whether a line offered to write in place of one YAML refused reads on past it, and loads as a safe load does:
an offer refused when written is worse than none."""
from __future__ import annotations

import re

import yaml

from vcam.control import yamlloaders
from vcam.control.yamllines import KEY_LINE, TEXT_KEYS
from vcam.control.yamlloaders import SafeLoader
from vcam.words import nearest


# above this many characters an offer is built from its own lines alone, not with the whole text: built whole, a
# 600 KB show with a bracket left open took seconds more at each check, start and reload
_WHOLE_BUILD_CHARS = 64_000


def offer_loads(lines: list[str], line: int, mended: str, row: int, keys: tuple[str, ...] = (),
                first: int | None = None) -> bool:
    """Whether the text with line `line` written `mended` reads past line `row` (reads_past), its key no misspelling
    of a text's key among `keys`, and, where it then parses to its end, builds as a safe load does: a bracket closed
    after `proompt: [a` was refused next as an unknown key, and as prompt: as a list where a text goes; `defaults:
    {{seed: 3}}` as a mapping keyed by a mapping. In a long text what is built is the lines from `first` (where
    the value mended opens; `line` where None) to `line`, where they read alone."""
    if (key := KEY_LINE.match(mended)) is not None and (word := key[2].strip()) not in keys \
            and nearest(word, keys, cutoff=0.75) in TEXT_KEYS:
        return False
    text = _with_line(lines, line, mended)
    if len(text) <= _WHOLE_BUILD_CHARS:
        ended = _parsed_to_end(text, row)
        return ended is not None and (not ended or _builds(text))
    # from the line of the key the value belongs to: `prompt: !!str` over `[neon, city` is refused as a text tagged
    # on a list, where the list alone builds
    start = _value_key_line(lines, min(line, row if first is None else first))
    opening = lines[start:min(line, row if first is None else first) + 1]
    if any("!" in w or "&" in w for w in opening) or _ALIAS.search(text):
        # a tag or an anchor on the lines that open it (an alias elsewhere may merge or repeat what it anchors):
        # what the value builds to is the whole text's to say
        ended = _parsed_to_end(text, row)
        return ended is not None and (not ended or _builds(text))
    if _parsed_to_end(text, row, stop=max(line, row)) is None:
        return False
    # the lines alone, indented as they are relative to each other
    window = [*lines[start:line], mended]
    indent = min((len(w) - len(w.lstrip(" ")) for w in window if w.strip()), default=0)
    try:
        return yaml.load("\n".join(w[indent:] for w in window), Loader=SafeLoader) is not None
    except yaml.constructor.ConstructorError:
        return False
    except yaml.YAMLError:  # lines that do not read alone (an alias to an anchor above them): the whole text
        return _builds(text)
    except Exception:  # what YAML cannot build (2020-13-45) raises the constructors' own
        return False


# an alias (`*name`) where a value starts
_ALIAS = re.compile(r"(?:^|[\s\[{,])\*[^\s,\[\]{}]")
# a line that opens a value written on the lines under it: `prompt:`, `- `, each with its tags and anchors
_OPENS_BELOW = re.compile(r"(?:-[ \t]++)*+-?(?:[^#:\s-][^#:]*+:)?(?:[ \t]*+[!&]\S*+)*+[ \t]*+(?:#.*)?")


def _value_key_line(lines: list[str], start: int) -> int:
    """The line of the key (or list item) whose value opens on line `start` where it opens on a line of its own
    (`prompt: !!str` over `[neon, city`), else `start`."""
    indent = len(lines[start]) - len(lines[start].lstrip(" "))
    for above in range(start - 1, -1, -1):
        here = lines[above]
        if not here.strip() or here.lstrip().startswith("#"):
            continue
        opens = len(here) - len(here.lstrip(" ")) < indent and _OPENS_BELOW.fullmatch(here.strip(" \t")) is not None
        return above if opens else start
    return start


def _parsed_to_end(text: str, row: int, stop: int | None = None) -> bool | None:
    """Whether `text` parses to its end (True), or to a problem past line `row` (False); None where a problem
    comes at or before it. `stop`: the parse ends, as True, at the first event past that line."""
    problem = _first_problem(text, stop)
    if problem is None:
        return True
    mark = _mark(problem)
    return False if mark is not None and mark.line > row else None


def _builds(text: str) -> bool:
    """Whether `text` builds something as a safe load does."""
    try:
        return yaml.load(text, Loader=SafeLoader) is not None
    except Exception:  # what YAML cannot build (2020-13-45, !!bool maybe) raises the constructors' own
        return False


def reads_past(lines: list[str], line: int, mended: str, row: int) -> bool:
    """Whether the text with line `line` written `mended` parses past line `row` (to its end, or to a problem of
    some later line)."""
    problem = _first_problem(_with_line(lines, line, mended))
    return problem is None or (mark := _mark(problem)) is not None and mark.line > row


def flow_closes(lines: list[str], line: int, mended: str) -> bool:
    """Whether the text with line `line` written `mended` parses past it, what that line opens closed (a complaint
    while parsing a flow that opens on the line: left open, and read on to the file's end or the next entry)."""
    problem = _first_problem(_with_line(lines, line, mended))
    if problem is None:
        return True
    if (mark := _mark(problem)) is None:
        return False
    context = problem.context_mark
    # a quote opened on the line and never closed reads on as the text, to the file's end: nothing closed there
    opened_here = context is not None and context.line == line and ("flow" in (problem.context or "")
                                                                      or "quoted" in (problem.context or ""))
    return mark.line > line and not opened_here


def _with_line(lines: list[str], line: int, mended: str) -> str:
    """The text of `lines` with line `line` written `mended`."""
    return "\n".join([*lines[:line], mended, *lines[line + 1:]])


def _first_problem(text: str, stop: int | None = None) -> yaml.YAMLError | None:
    """YAML's complaint parsing `text` with the loader in force; None where it parses to its end, or with `stop` to
    the first event past that line."""
    try:
        for event in yaml.parse(text, Loader=yamlloaders.Loader):
            if stop is not None and event.start_mark.line > stop:
                break
    except yaml.YAMLError as e:
        return e
    return None


def _mark(problem: yaml.YAMLError) -> yaml.Mark | None:
    """Where YAML said `problem` is (the problem's own mark, else where what it was reading started); None where
    it said nowhere (a character the reader refused)."""
    return (problem.problem_mark or problem.context_mark) if isinstance(problem, yaml.MarkedYAMLError) else None
