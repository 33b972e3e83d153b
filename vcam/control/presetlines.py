"""`vcam check`'s list of a show's presets, one line each of at most SUMMARY_COLUMNS: name, prompts and settings,
with an opening that several prompts share said once rather than filling every line.

Apart from show.py, which reads the show: fitting prompts to a line is about how they read, not what they are.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable

from vcam.control.show import Show


# `vcam check` lists a preset on one line of at most SUMMARY_COLUMNS where its name and settings leave the room; a
# prompt gets MIN_PROMPT_COLUMNS at least, and the line shows MIN_DIFFERING characters past the opening it shares
# with another prompt, else that opening is left out: cut at the room alone, prompts that open alike look the same
SUMMARY_COLUMNS = 100
MIN_PROMPT_COLUMNS = 24
MIN_DIFFERING = 24
MIN_LEFT_OUT = 12  # an opening shorter than this ("A ", "The ") is shown: left out, it gains a prompt next to nothing
LEFT_OUT = "…"
CLAUSE_END = re.compile(r"[,.;:!?]\s+")


def preset_lines(show: Show, columns: int = SUMMARY_COLUMNS) -> list[str]:
    """The presets as `vcam check` lists them, one line each (`   3. name: prompt, seed 7`). Where prompts share an
    opening too long for the line to reach what differs (restyle-camera.yaml's all describe the webcam's picture
    first), each shows from where it differs, marked with … at its start, and a line before them says the opening."""
    # a prompt written as a YAML block (prompt: |) holds line breaks, which broke the preset's line in two
    prompts = [[" ".join(text.split()) for text in p.prompts] for p in show.presets]
    shared = shared_openings(text for texts in prompts for text in texts)
    lines: list[str] = []
    openings: list[str] = []
    for i, (p, texts) in enumerate(zip(show.presets, prompts), 1):
        head = f"  {i:2d}. {p.name}: "
        settings = (("seed", p.seed), ("transition", p.transition), ("input", p.input), ("strength", p.strength),
                    ("bias", p.bias))
        extras = "".join(f", {k} {p.written.get(k, v)}" for k, v in settings if v is not None)
        weights = [f" ×{w:g}" if len(p.prompts) > 1 else "" for w in p.prompts.values()]
        room = columns - len(head) - len(extras) - sum(map(len, weights)) - len(" + ") * (len(p.prompts) - 1)
        shown = []
        for text, weight, width in zip(texts, weights, shares([len(t) for t in texts], room)):
            cut = opening_to_skip(text, shared.get(text, 0), width)
            if cut:
                openings.append(text[:cut].rstrip())
            shown.append((LEFT_OUT + clipped(text[cut:], width - 1) if cut else clipped(text, width)) + weight)
        lines.append(head + " + ".join(shown) + extras)
    said = [clipped(f"  shared opening ({LEFT_OUT}): {o}", columns) for o in _shortest_openings(openings)]
    return said + lines


def shares(lengths: list[int], room: int) -> list[int]:
    """The columns each of several texts (a preset's prompts, a cue's commands) gets of `room`: an even share, where
    a shorter one leaves the rest of its share to the others; MIN_PROMPT_COLUMNS at least."""
    widths = [0] * len(lengths)
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    for k, i in enumerate(order):
        share = max(MIN_PROMPT_COLUMNS, room // (len(lengths) - k))
        widths[i] = min(lengths[i], share)
        room -= widths[i]
    return widths


def shared_openings(texts: Iterable[str]) -> dict[str, int]:
    """Each text's longest opening, in characters, that another of the texts opens with too (0 for none)."""
    ordered = sorted(set(texts))
    # in sorted order the text sharing the longest opening with one is beside it
    return {text: max((len(os.path.commonprefix([text, other])) for other in ordered[max(i - 1, 0):i + 2]
                       if other is not text), default=0)
            for i, text in enumerate(ordered)}


def opening_to_skip(text: str, shared: int, width: int) -> int:
    """How many characters of `text` to leave out before showing it in `width` columns, so that what differs from
    the prompt it shares `shared` characters with shows: none where all of it shows or the difference does, else up
    to the end of the shared opening's last clause (", " and the like), or of its last word where that clause ends
    too early for the difference to show."""
    if len(text) <= width or shared <= width - 1 - MIN_DIFFERING:
        return 0
    keep = width - 1 - len(LEFT_OUT) - MIN_DIFFERING  # of the shared opening, what may still show after …
    clauses = [m.end() for m in CLAUSE_END.finditer(text, 0, shared)]
    if clauses and shared - clauses[-1] <= keep:
        cut = clauses[-1]
    else:
        space = text.rfind(" ", 0, shared)
        cut = space + 1 if space >= 0 else shared
    return cut if cut >= MIN_LEFT_OUT else 0


def clipped(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut after a word where one ends late enough, … marking the cut."""
    if len(text) <= width:
        return text
    space = text.rfind(" ", 0, width)
    end = space if space >= width * 2 // 3 else width - len(LEFT_OUT)
    return text[:end].rstrip(" ,;:.") + LEFT_OUT


def _shortest_openings(openings: list[str]) -> list[str]:
    """The openings left out, in order, without those that go on from a shorter one: said once, it names them."""
    unique = list(dict.fromkeys(openings))
    return [o for o in unique if not any(o != other and o.startswith(other) for other in unique)]
