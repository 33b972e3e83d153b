"""14-bit knobs and faders put together from the halves MIDI 1.0 sends them in: a CC pair (the coarse half on CC n,
the fine half on CC n + 32) or an NRPN (its number on CC 99 and 98, its value on data entry, CC 6 and 38).

A coarse half that names a new step moves the knob at once, to that step's start (its fine half at 0, as MIDI 1.0
says a receiver takes it): a controller that sends coarse halves alone, or leaves out a fine half of 0 as the
standard lets it, still moves the knob, and reaches both ends. The same coarse half again moves nothing: controllers
send both halves for every change, and the fine half that follows says where in the step it is (taken to the step's
start first, every change within a step went back there and on again). A fine half refines the last coarse half of
the same knob, never an older fine half with a newer coarse one: put together so, a fader swept up through a step
boundary went a step ahead (the new coarse half with the old fine one, near 127) and back. Swept down across a
boundary, the coarse half lands on its new step's start until its fine half, sent straight after it, lifts it: less
than 1/128 of the range, for the moment between two messages, where waiting for a fine half that may never come would
leave the knob a step behind.

A knob's first fine half, come before any coarse half of it (its first move on a controller that sends the fine
half first), waits for the coarse half straight after it, and the two move the knob as one value: dropped, the coarse
half alone took the knob to its step's start, up to 1/128 of the range off, until it moved again. That first move is
all that is mended for such a controller: later fine halves refine the last coarse half at once, as the usual order's
may come alone (MIDI 1.0 lets a change within a step send its fine half alone), so each step boundary it crosses
still goes briefly to the old step (swept up, near its top) until the new coarse half comes, as MIDI 1.0 reads the
halves. The waiting fine half is the latest message's alone: another fine half takes its place, and any other message
between it and a coarse half, or a map reloaded, drops it, so no stale fine half lands on a later move.
"""
from __future__ import annotations

from dataclasses import dataclass

from vcam.control.midimap import Knob, MidiMap

NRPN_NUMBER = (99, 98)  # coarse, fine
RPN_NUMBER = (101, 100)  # an RPN picked (pitch bend range and such): data entry is not an NRPN knob's meanwhile
DATA = (6, 38)  # coarse, fine
STEPS = (96, 97)  # data increment, decrement: the picked NRPN stepped (Stepped)


@dataclass(frozen=True)
class Moved:
    """A 14-bit knob moved to `value` (0..16383, or 0..127 for an NRPN of 7 bits). `control`: the physical control
    (soft takeover's and the replies' key); `coarse`: whether it came as a coarse half, which the fine one refines."""

    knob: Knob
    control: tuple
    value: int
    coarse: bool


@dataclass(frozen=True)
class Stepped:
    """An NRPN knob stepped with data increment or decrement (CC 96/97), which is not read. MIDI 1.0 steps the
    parameter by one of its units, which the instrument defines (RP-018: the fine half, or the coarse one for some
    parameters), and controllers take the value byte as a count of steps or send it as 0 or 127: for a knob of
    16384 steps, any of these readings would move it by a guess, from 1/16384 of its range a click to a jump. Said
    once, with how to set the controller to send its value; never read as a control of its own where an NRPN knob
    listens, as a button on CC 96 would fire on every click."""

    knob: Knob
    channel: int | None


HALF = "half"  # a message that is part of a 14-bit control and moves nothing by itself (an NRPN's number)


@dataclass(frozen=True)
class Unmapped:
    """An NRPN's value that no knob of the map takes (a save took it out): moved meanwhile, it is to be picked up
    anew when a map gives it back, as a knob on a CC is. `read`: whether the message is an NRPN's alone on its
    channel, where an NRPN knob listens, else read on as a control of its own."""

    control: tuple
    read: bool


class Halves:
    """The halves heard of a router's 14-bit controls, fed each control change in the order they came. Not
    thread-safe by itself: its router feeds it under a lock of its own."""

    def __init__(self) -> None:
        self._coarse: dict[tuple, int] = {}  # a control -> its last coarse half
        self._held: tuple[tuple, int] | None = None  # (a control, its first fine half) where the last message was it
        self._picked: dict[int | None, list] = {}  # a channel -> ["nrpn" or "rpn", number's coarse, number's fine]

    def feed(self, mapping: MidiMap, channel: int | None, cc: int, value: int) -> Moved | Unmapped | str | None:
        """What CC `cc` at `value` on `channel` does to a 14-bit control of `mapping`: a Moved, HALF where it only
        picks a number (or refines nothing known yet), an Unmapped for an NRPN no knob takes now, None where it is
        no 14-bit control's (a knob or button of its own, read as ever)."""
        held, self._held = self._held, None  # a fine half waits for the coarse half straight after it alone
        if cc in STEPS and mapping.reads_nrpn(channel):
            return self._stepped(mapping, channel)
        if cc in RPN_NUMBER:  # read on as a control of its own where a map names it, as before NRPN came in
            self._picked[channel] = ["rpn", None, None]
            return None
        if cc in NRPN_NUMBER + DATA:  # followed where no NRPN knob listens too, for the one a map takes out
            read = mapping.reads_nrpn(channel)
            moved = self._nrpn(mapping, channel, cc, value, held)
            if isinstance(moved, Unmapped):
                return Unmapped(moved.control, read)
            return moved if read else None
        knob = mapping.control(channel, cc=cc)
        if not isinstance(knob, Knob) or knob.bits != 14 or knob.cc is None:
            return None
        return self._half(knob, (channel, knob.cc), cc == knob.cc, value, held)

    def picks_rpn(self, channel: int | None) -> bool:
        """Whether an RPN's number was picked last on `channel`: its data entry is no NRPN knob's."""
        picked = self._picked.get(channel)
        return picked is not None and picked[0] == "rpn"

    def _nrpn(self, mapping: MidiMap, channel: int | None, cc: int, value: int,
              held: tuple[tuple, int] | None) -> Moved | Unmapped | str:
        picked = self._picked.setdefault(channel, ["nrpn", None, None])
        if cc in NRPN_NUMBER:
            if picked[0] != "nrpn":
                picked[:] = ["nrpn", None, None]
            picked[1 + NRPN_NUMBER.index(cc)] = value
            return HALF
        if picked[0] != "nrpn" or None in picked[1:]:
            return HALF  # data entry for an RPN, or for a number not whole yet: no knob of the map's
        number = picked[1] << 7 | picked[2]
        control = ("nrpn", channel, number)
        knob = mapping.nrpn_knob(channel, number)
        if knob is None:
            return Unmapped(control, True)
        if knob.bits == 7:  # its value on data entry's coarse half alone
            return Moved(knob, control, value, True) if cc == DATA[0] else HALF
        return self._half(knob, control, cc == DATA[0], value, held)

    def _stepped(self, mapping: MidiMap, channel: int | None) -> Stepped | str:
        picked = self._picked.get(channel)
        if picked is None or picked[0] != "nrpn" or None in picked[1:]:
            return HALF
        knob = mapping.nrpn_knob(channel, picked[1] << 7 | picked[2])
        return Stepped(knob, channel) if knob is not None else HALF

    def _half(self, knob: Knob, control: tuple, coarse: bool, value: int,
              held: tuple[tuple, int] | None) -> Moved | str:
        if coarse:
            fine = held[1] if held is not None and held[0] == control else None
            if fine is None and self._coarse.get(control) == value:
                return HALF  # the same step: the fine half sent after it says where in it
            self._coarse[control] = value
            return Moved(knob, control, value << 7 | (fine or 0), True)
        last = self._coarse.get(control)
        if last is None:
            self._held = (control, value)  # which step it refines comes with the coarse half after it
            return HALF
        return Moved(knob, control, last << 7 | value, False)

    def forget(self) -> None:
        """After a reconnect: the halves heard before are stale (the controller may have been moved or swapped)."""
        self._coarse.clear()
        self._picked.clear()
        self._held = None

    def interrupted(self) -> None:
        """A message other than a control change came, or a map was reloaded: a fine half waiting for its coarse
        half is stale, the coarse half that comes next is another move's."""
        self._held = None

