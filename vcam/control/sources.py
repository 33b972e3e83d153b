"""Where a command came from: the source a line is applied under names it (its origin in the log), and how it is
read and answered follows from it.

A line typed at this console is `stdin` (TYPED); a cue's do: line `cue N`; a vcam cam client's `net NAME`, and
`net NAME stdin` where it was typed at vcam cam's console (vcam.remote.answers.command_source); a MIDI control's
`midi`; an OSC sender's its own name.
"""
from __future__ import annotations

TYPED = "stdin"  # the source a typed command is applied under (its origin in the log)
# a vcam cam client's lines: `net NAME`
_NET = "net "


def typed_by_hand(source: str) -> bool:
    """Whether a line applied under `source` was typed by hand: at this console (TYPED), or at vcam cam's console
    and sent here (`net NAME stdin`, vcam.remote.answers.command_source)."""
    return source == TYPED or source.endswith(f" {TYPED}")


def cue_source(number: int) -> str:
    """The source a line of cue `number`'s do: list is applied under (its origin in the log)."""
    return f"cue {number}"


def by_a_cue(source: str) -> bool:
    """Whether a line applied under `source` is a cue's own (cue_source): read as the show file's, and offered no go,
    which a cue cannot give."""
    return source.startswith("cue ") and source[4:].isdecimal()


def by_vcam_cam(source: str) -> bool:
    """Whether a line applied under `source` came from a vcam cam client (`net NAME`), whose replies go back to that
    client alone."""
    return source.startswith(_NET)


def read_as_typed(source: str, network: bool) -> bool:
    """Whether a line from `source` is read as one typed at a console, which may name what only the console gives
    (quit): not one from the network (a typo from afar is not pointed at quit, which it is refused), nor a cue's,
    which is the show file's and read as vcam check read it (`prompt red sky@bar` is the prompt's text)."""
    return not network and not by_a_cue(source)


def given_as(source: str) -> str:
    """How a line from `source` was given, as joined_hint words its answer: typed by hand (typed_by_hand), by a MIDI
    control, by a cue, else sent (OSC, a program, a client's control)."""
    if typed_by_hand(source):
        return "typed"
    return "control" if source == "midi" else "cue" if by_a_cue(source) else "sent"
