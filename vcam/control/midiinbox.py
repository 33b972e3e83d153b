"""What waits for the controls' thread of a MIDI input: messages in the order they came, where a knob's flood of
values behind a busy show is followed to the newest rather than queued."""
from __future__ import annotations

import threading
from collections import deque

from vcam.control.midimap import PRESSED


def control_of(msg) -> tuple:
    """Which knob, button or key sent `msg`, whatever its value."""
    return (msg.type, getattr(msg, "channel", None), getattr(msg, "control", getattr(msg, "note", None)))


class Inbox:
    """Messages for the controls' thread, in the order they came. A knob's value (a control that answered as one,
    `knobs`) takes the place of the same knob's value still waiting, so long as nothing but knobs came since and
    both are on the same side of PRESSED: a knob turned faster than the show takes its changes (the controller's
    lock held, a remote server slow to answer) is followed to its newest value instead of queueing every step, a
    press keeps its place among them, and a button (one a reloaded map made of a knob) keeps each press. A 14-bit
    knob's halves wait together, in their order: a coarse half takes the place of all that waits of its knob (it
    sets the fine half to 0), a fine half that of the fine half after it, so the newest value is the one reached."""

    def __init__(self):
        self._waiting: deque[list] = deque()  # slots of messages, so that a newer value can take one's place
        self._ready: deque = deque()  # the rest of a slot taken out, given before the next slot
        self._knob_slots: dict[tuple, list] = {}  # a knob's waiting slot, while only knobs came after it
        self._changed = threading.Condition()
        # controls (as control_of) that answered as knobs -> (the knob, as a 14-bit knob's halves share it; the
        # part: "whole", "coarse" or "fine")
        self.knobs: dict[tuple, tuple[tuple, str]] = {}

    def put(self, msg) -> None:
        key = control_of(msg)
        with self._changed:
            # read once: the controls' thread takes a control out as it answers as a button (a reloaded map)
            if (known := self.knobs.get(key)) is not None:
                knob, part = known
                slot = self._knob_slots.get(knob)
                if slot is not None and _takes_place(slot, msg, part):
                    return
                slot = self._knob_slots[knob] = [msg]
            else:
                self._knob_slots.clear()  # a press, a key: what came before it stays before it
                slot = [msg]
            self._waiting.append(slot)
            self._changed.notify()

    def get(self, timeout: float):
        """The next message, or None after `timeout` seconds without one."""
        with self._changed:
            if self._ready:
                return self._ready.popleft()
            if not self._changed.wait_for(lambda: self._waiting, timeout):
                return None
            slot = self._waiting.popleft()
            for knob, waiting in list(self._knob_slots.items()):
                if waiting is slot:
                    del self._knob_slots[knob]
            self._ready.extend(slot[1:])
            return slot[0]


def _takes_place(slot: list, msg, part: str) -> bool:
    """Whether `msg`, a knob's `part`, is put in its knob's waiting `slot` in place of what it makes stale there."""
    same = [m for m in slot if m.control == msg.control]
    if any((m.value >= PRESSED) != (msg.value >= PRESSED) for m in same):
        return False  # a press among them: each keeps its place
    if part == "fine":
        slot[:] = [m for m in slot if m.control != msg.control] + [msg]
    else:
        slot[:] = [msg]
    return True
