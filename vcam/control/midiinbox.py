"""What waits for the controls' thread of a MIDI input: messages in the order they came, where a knob's flood of
values behind a busy show is followed to the newest rather than queued."""
from __future__ import annotations

import threading
from collections import deque
from typing import TYPE_CHECKING

from vcam.control.midifine import DATA, NRPN_NUMBER, RPN_NUMBER
from vcam.control.midimap import FINE, PRESSED

if TYPE_CHECKING:
    from mido import Message  # mido is optional: a machine that only shows frames has none


def control_of(msg: Message) -> tuple:
    """Which knob, button or key sent `msg`, whatever its value."""
    return (msg.type, getattr(msg, "channel", None), getattr(msg, "control", getattr(msg, "note", None)))


class Inbox:
    """Messages for the controls' thread, in the order they came. A knob's value (a control that answered as one,
    `knobs`) takes the place of the same knob's value still waiting, so long as nothing but knobs came since and
    both are on the same side of PRESSED: a knob turned faster than the show takes its changes (the controller's
    lock held, a remote server slow to answer) is followed to its newest value instead of queueing every step, a
    press keeps its place among them, and a button (one a reloaded map made of a knob) keeps each press. A 14-bit
    knob's halves wait together, in their order, as the few that end where all of them would have (_Flood); a half
    on the other side of PRESSED is no press (a fine half is there at every other move), so they are merged.

    An NRPN knob's value is known by the number picked before it (CC 99 and 98), followed here as the messages come
    as the router follows it as they are acted on. A number picked again as it was picks nothing, and is left out
    while a value of an NRPN knob of its channel waits: a controller that sends it with every value would otherwise
    part each value from the next. A number that picks another waits in one slot per channel with the numbers
    picked after it, where only the last counts; a knob's values wait after the number that picked them, so each is
    acted on under its own number.

    A message of a control that answered that no control of the map is on it (`unheard`: an unmapped knob moved with
    a mapped one) waits without parting a knob's flood.

    What it knows of the controls it learns from the router's answers, so it is the map's in force when they were
    given: a reloaded map (`remapped`) makes it forget them, and a message that came after the change never takes
    the place of one that came before it."""

    def __init__(self) -> None:
        self._waiting: deque[list] = deque()  # slots of messages, so that a newer value can take one's place
        self._ready: deque = deque()  # the rest of a slot taken out, given before the next slot
        self._floods: dict[tuple, _Flood] = {}  # a knob's waiting slot, while only knobs came after it
        self._picking: dict[int | None, list] = {}  # a channel -> its slot of NRPN numbers picked, while it waits
        self._picked: dict[int | None, list] = {}  # a channel -> ["nrpn" or "rpn", number's coarse, number's fine]
        self._coarse: dict[tuple, int] = {}  # a control (a CC on its channel, an NRPN) -> its last coarse half
        self._changed = threading.Condition()
        # controls (as control_of; an NRPN's value as ("nrpn", channel, number, CC)) that answered as knobs -> (the
        # knob, as a 14-bit knob's halves share it; the part: "whole", "coarse" or "fine")
        self.knobs: dict[tuple, tuple[tuple, str]] = {}
        self._nrpn_channels: set[int | None] = set()  # the channels an NRPN knob answered on
        self.unheard: set[tuple] = set()  # controls (as control_of) that no control of the map is on, as answered
        self._maps = 0  # how many times the map was replaced
        self._taken_under = 0  # ... when the message the controls' thread has in hand was taken out

    def put(self, msg: Message) -> None:
        with self._changed:
            key = self._key(msg)
            if key is None:
                return
            known = self.knobs.get(key)  # read once, as one look that found it and a second that read it lost a press
            start = self._coarse.get(known[0]) if known is not None else None
            self._follow_coarse(msg)
            if known is not None:
                knob, part = known
                flood = self._floods.get(knob)
                if flood is not None and flood.takes(msg, part):
                    return
                slot = self._picking.pop(msg.channel, None) if key[0] == "nrpn" else None
                if slot is None:
                    slot = []
                    self._waiting.append(slot)
                self._floods[knob] = _Flood(slot, start)
                self._floods[knob].takes(msg, part)
            else:
                if key not in self.unheard:  # a press, a key: what came before it stays before it
                    self._floods.clear()
                    self._picking.clear()
                self._waiting.append([msg])
            self._changed.notify()

    def _key(self, msg) -> tuple | None:
        """The key `msg` is known by in `knobs`, the NRPN picked on its channel moved on as it moves it; None for an
        NRPN's number, on a channel an NRPN knob answered on, put in the numbers waiting (or picked already)."""
        key = control_of(msg)
        if msg.type != "control_change":
            return key
        channel, cc, value = msg.channel, msg.control, msg.value
        picked = self._picked.setdefault(channel, ["nrpn", None, None])
        nrpn = channel in self._nrpn_channels
        if cc in RPN_NUMBER:
            picked[:] = ["rpn", None, None]
            return ("rpn", channel, cc) if nrpn else key  # none of the knobs: what came before it stays before it
        if cc in NRPN_NUMBER:
            was = list(picked)
            if picked[0] != "nrpn":
                picked[:] = ["nrpn", None, None]
            picked[1 + NRPN_NUMBER.index(cc)] = value
            if not nrpn:
                return key
            # left out only where a value of an NRPN knob of its channel waits, which it would part from the next: a
            # reloaded map may have made it a button, which the router names by answering as one
            if picked != was or not any(k[0] == "nrpn" and k[1] == channel for k in self._floods):
                self._pick(msg)
            return None
        if cc in DATA and nrpn:
            if picked[0] == "nrpn" and None not in picked[1:]:
                return ("nrpn", channel, picked[1] << 7 | picked[2], cc)
            return ("data", channel, cc)  # an RPN's, or a number not whole yet: none of the knobs
        return key

    def _pick(self, msg) -> None:
        """Puts `msg`, an NRPN's number, in the numbers waiting on its channel: in place of the same half picked
        before it there, as only the last picked counts where no value came between."""
        slot = self._picking.get(msg.channel)
        if slot is None:
            slot = self._picking[msg.channel] = []
            self._waiting.append(slot)
            self._changed.notify()
        slot[:] = [m for m in slot if m.control != msg.control] + [msg]

    def _follow_coarse(self, msg) -> None:
        """Notes `msg` as the last coarse half of its control: any CC (a 14-bit pair's coarse half, for all the inbox
        knows yet), and data entry's for the NRPN picked, on every channel (before an NRPN knob answered there)."""
        if msg.type != "control_change":
            return
        self._coarse[(msg.channel, msg.control)] = msg.value
        picked = self._picked.get(msg.channel)
        if msg.control == DATA[0] and picked is not None and picked[0] == "nrpn" and None not in picked[1:]:
            self._coarse[("nrpn", msg.channel, picked[1] << 7 | picked[2])] = msg.value

    def remapped(self) -> None:
        """The router's map was replaced (a show or map file saved on air): what the controls answered as under the
        old one is forgotten, as a fine half may be a button now and a button a knob's half, and is learnt again as
        they answer under the new one. The messages waiting are acted on by the new map, as they come out; none
        that comes from now on takes the place of one of them, which the old map merged."""
        with self._changed:
            self._maps += 1
            self.knobs.clear()
            self.unheard.clear()
            self._nrpn_channels.clear()
            self._floods.clear()
            self._picking.clear()

    def turned(self, control: tuple, knob: tuple | None, part: str) -> None:
        """`control` (as control_of) answered as a knob: `knob` the physical control of a 14-bit knob's half, or
        None. Both halves of a 14-bit knob are known as the first answers: a fine half that moves a parameter of
        whole numbers nowhere answers nothing, and would part each value from the next. An answer given under a
        map replaced since its message was taken out is the old map's, and is not learnt."""
        with self._changed:
            if self._taken_under == self._maps:
                self._learn(control, knob, part)

    def _learn(self, control: tuple, knob: tuple | None, part: str) -> None:
        if knob is None or knob[0] != "nrpn":
            self._no_nrpn(control)  # a reloaded map made CC 6 or 99 a knob of its own where an NRPN was read
        if knob is None:
            self.knobs[control] = (control, part)
        elif knob[0] == "nrpn":
            self._nrpn_channels.add(knob[1])
            self.knobs[(*knob, DATA[0])], self.knobs[(*knob, DATA[1])] = (knob, "coarse"), (knob, "fine")
        else:
            channel, cc = knob
            self.knobs[("control_change", channel, cc)] = (knob, "coarse")
            self.knobs[("control_change", channel, cc + FINE)] = (knob, "fine")

    def no_control(self, control: tuple) -> None:
        """`control` answered that no control of the map is on it: its messages wait from now on without parting a
        knob's flood (acted on before or after the knob's, they do nothing), until a reloaded map."""
        with self._changed:
            if self._taken_under == self._maps:
                self.unheard.add(control)

    def not_a_knob(self, control: tuple) -> None:
        """`control` answered as something else than a knob (a reloaded map made it a button): its values each keep
        their place from now on. One that carried an NRPN takes every NRPN knob of its channel with it."""
        with self._changed:
            self.knobs.pop(control, None)
            self._no_nrpn(control)

    def _no_nrpn(self, control: tuple) -> None:
        """`control` answered as a control of its own: one that carries an NRPN (CC 99, 98, 6 or 38) says that no
        NRPN knob listens on its channel now, and every NRPN knob known there goes."""
        kind, channel, number = control
        if kind == "control_change" and number in NRPN_NUMBER + DATA and channel in self._nrpn_channels:
            self._nrpn_channels.discard(channel)
            for key in [k for k in self.knobs if k[0] == "nrpn" and k[1] == channel]:
                self.knobs.pop(key, None)

    def forget(self) -> None:
        """After a reconnect: the router forgot the NRPNs picked and the halves heard (the controller may have been
        moved or swapped), and so does the inbox, so that a number sent again is no longer taken as picked."""
        with self._changed:
            self._picked.clear()
            self._coarse.clear()
            self._floods.clear()
            self._picking.clear()

    def get(self, timeout: float) -> Message | None:
        """The next message, or None after `timeout` seconds without one."""
        with self._changed:
            while not self._ready:
                if not self._changed.wait_for(lambda: self._waiting, timeout):
                    return None
                self._take(self._waiting.popleft())
            self._taken_under = self._maps  # what it answers under a map that replaces this one is not learnt
            return self._ready.popleft()

    def _take(self, slot: list) -> None:
        """Takes `slot` out of the waiting, into the messages ready: nothing that comes later is put in it."""
        for knob, flood in list(self._floods.items()):
            if flood.slot is slot:
                del self._floods[knob]
        for channel, waiting in list(self._picking.items()):
            if waiting is slot:
                del self._picking[channel]
        self._ready.extend(slot)


class _Flood:
    """One knob's values waiting in one slot, after the NRPN numbers put in it before them (`slot`'s first): as few
    messages as end where all of them would have, given the coarse half the router heard last (`start`).

    The router's halves move the knob on a coarse half that names another step than the last one and on a fine half
    after a coarse one (midifine.py). So the newest coarse half alone may not do: where the flood went off the step
    the router is on and came back to its start (a controller that leaves out a fine half of 0), that coarse half,
    the same as the router's, would move nothing; its fine half of 0, put after it, takes the knob there."""

    def __init__(self, slot: list, start: int | None) -> None:
        self.slot = slot
        self._picks = list(slot)  # the NRPN numbers waiting before it
        self._start = self._step = start
        self._latest = self._coarse = self._fine = None
        self._moved: str | None = None  # what moved it last: "coarse", "fine" or "whole"

    def takes(self, msg, part: str) -> bool:
        """Whether `msg`, the knob's `part`, is put in its slot, with what it makes stale there taken out."""
        if part == "whole" and any((m.value >= PRESSED) != (msg.value >= PRESSED)
                                   for m in self.slot if m.control == msg.control):
            return False  # a press among them: each keeps its place
        self._latest = msg
        if part == "whole":
            self._moved = "whole"
        elif part == "coarse":
            self._coarse = msg
            if msg.value != self._step:
                self._step, self._moved = msg.value, "coarse"
        elif self._step is not None:
            self._fine, self._moved = msg, "fine"
        self.slot[:] = self._picks + self._messages()
        return True

    def _messages(self) -> list:
        if self._moved == "fine":
            return [self._coarse, self._fine] if self._coarse is not None else [self._fine]
        if self._moved == "coarse" and self._step == self._start:
            return [self._coarse, self._coarse.copy(control=self._coarse.control + FINE, value=0)]
        if self._moved == "coarse":
            return [self._coarse]
        return [self._latest]
