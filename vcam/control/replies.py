"""A command's reply in parts. Its text is what every caller reads (the console, OSC, MIDI, a reload's line); the
parts are kept for the cue list, which joins the replies of a cue's lines (vcam.control.cues): it says their
common landing once, and drops a note that a line of the same cue answers, or says it in short (Note)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class Note(str):
    """A note of a reply that a later line of the same cue, noted alike, says in short (`again`) where the note itself
    is dropped as said: "it waits for block 40 too", as a line left with no note read as landing at once."""

    again: str

    def __new__(cls, text: str, again: str) -> Note:
        note = super().__new__(cls, text)
        note.again = again
        return note


class Reply(str):
    """"done; note; ...; lands": what the command did ("input clip.mp4"), notes on it (inspec.HIDDEN_BY_STRENGTH,
    "it waits for block 41, ..."), and the block it lands on where that is on the beat ("on the bar, block 40").
    `at_once` is what it did as said where nothing else says when it lands ("seed 5 from the next block"), said
    instead of `done`; a reply that says its landing otherwise (_landing_said in vcam.control.controller) is made
    anew from `done`, without it."""

    done: str
    notes: tuple[str, ...]
    lands: str
    at_once: str

    def __new__(cls, done: str, notes: Sequence[str] = (), lands: str = "", at_once: str = "") -> Reply:
        if isinstance(notes, str):  # one note given bare would be joined letter by letter
            raise TypeError("Reply's notes are a sequence of notes, not one string")
        reply = super().__new__(cls, "; ".join([at_once or done, *notes, *([lands] if lands else [])]))
        reply.done, reply.notes, reply.lands, reply.at_once = done, tuple(notes), lands, at_once
        return reply

    @classmethod
    def of(cls, text: str) -> Reply:
        """`text` in parts: a reply given as plain text (an error, a screen change) is all done, with no notes."""
        return text if isinstance(text, Reply) else cls(text)

    def without(self, *notes: str) -> Reply:
        """This reply less `notes` (those it has)."""
        return self.noted([n for n in self.notes if n not in notes])

    def noted(self, notes: Sequence[str]) -> Reply:
        """This reply with `notes` in place of its own."""
        return Reply(self.done, notes, self.lands, self.at_once)

    def unlanded(self) -> Reply:
        """This reply less where it lands, said by whoever joins it to others landing there too."""
        return Reply(self.done, self.notes, at_once=self.at_once)


@dataclass(frozen=True)
class Hint:
    """What a refusal of a name says in brackets after it: `meant`, the line, name or number offered ("did you mean
    preset ocean?"), `why` said before it (or alone, where nothing is offered), `after` said after it. Kept apart so
    that a line offered for a refusal (vcam.control.offers) is read from here, never from the words."""

    meant: str = ""
    why: str = ""
    after: str = ""

    def said(self) -> str:
        """The hint's words, without their brackets; empty for no hint."""
        if not self.meant:
            return self.why
        lead = f"{self.why}: " if self.why else ""
        return f"{lead}did you mean {self.meant}?{self.after}"

    def __str__(self) -> str:
        return f" ({said})" if (said := self.said()) else ""


class Missing(str):
    """A refusal of a name or number no preset or cue has ("no preset named 'x' (did you mean 'ocean'?); presets:
    …"), with its `hint` and what it lists after it (`listed`: "; presets: …") kept apart: it is read as text
    everywhere else (a KeyError's, cue_index's)."""

    hint: Hint
    listed: str

    def __new__(cls, text: str, hint: Hint = Hint(), listed: str = "") -> Missing:
        missing = super().__new__(cls, text)
        missing.hint, missing.listed = hint, listed
        return missing
