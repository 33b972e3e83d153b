"""A screen change on the beat (`freeze @bar`), held until the tempo reaches its boundary's beat.

The screen acts on the camera directly, not through the stream: a change on the beat is set when the tempo that
holds then reaches the boundary's beat (a tap, a MIDI clock or Link may move the grid meanwhile), as the cue list's
bar cues do. The changes waiting wait in one thread; a later change replaces them, but one aimed past the next
boundary (a bar cue fired more than a bar ahead, at a fast tempo) leaves those that land before it to land first:
the cue before it, on its own bar, is still to come. The controller's lock is the one the wait looks and sets the
screen under, as a command sets it.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ContextManager

from vcam.control.actions import Origin
from vcam.control.commands import quantum_beats
from vcam.control.tempo import Tempo, beat_words

Replaced = tuple[Origin, str]  # a screen change that waited and was replaced: its origin and its beat in words

# While a screen change waits for its beat, the tempo is looked at again at least this often: a move of the grid
# wakes the wait at once (Tempo.watch), this catches what no one has asked the tempo about yet (a clock gone silent).
SCREEN_RECHECK_S = 1.0


@dataclass
class ScreenWait:
    """A screen change waiting for its boundary: the beat it falls on, a multiple of `beats`. Kept as a beat, not a
    clock time, so that it comes when the tempo that holds then reaches that beat (a tap or a MIDI clock may move the
    grid meanwhile), as the cue list's bar cues do."""

    mode: str
    origin: Origin
    beat: float
    beats: float
    # beats it was aimed beyond the next boundary as it was asked (a bar cue fired ahead of its bar): that far ahead
    # is no sign of a count that went back
    beyond: float = 0.0


class ScreenWaits:
    """The screen change waiting for its boundary, and the thread that sets it then (through `set_screen`, under
    `lock`; the listeners told after through `tell`). `stop`: the show's end, as `close` is."""

    def __init__(self, lock: ContextManager, tempo: Tempo | None, clock: Callable[[], float],
                 set_screen: Callable[[str, Origin], None], tell: Callable[[], None], say: Callable[[str], None],
                 stop: threading.Event):
        self.lock = lock
        self.tempo = tempo
        self.clock = clock
        self.set_screen = set_screen
        self.tell = tell
        self.say = say
        self.stop = stop
        self.waits: list[ScreenWait] = []  # the changes waiting, in the order they land: the first lands next
        self.dropped: list[ScreenWait] = []  # those still waiting as the show stopped, never set
        self.wake = threading.Event()  # a change replaced, the show's end, or a move of the tempo's grid
        self.thread: threading.Thread | None = None
        # whether that thread still looks for a change to wait for: cleared under the lock as it decides to end, so
        # a change set after that starts another one, however long the ending thread stays alive
        self._waiter = False
        self._closed = False
        if tempo is not None:  # a waiting screen change looks at the new grid (quick: the watch holds its lock)
            tempo.watch(lambda source, grid, cause: self.wake.set())

    def ask(self, mode: str, origin: Origin, spec: str | None, aim: float | None) -> tuple[bool, list[Replaced]]:
        """Screen `mode` on the boundary of `spec` (None: at once), the first at or after the beat `aim` where one
        is given, replacing the changes still waiting (one aimed past the next boundary: those on or after its beat;
        called with the lock held). Whether it waits (else it is set now: no `spec`, or a stopped tempo: no
        boundary comes), and the changes of another mode it replaced, never to be set, each with its beat in
        words, for its reply to say: a `freeze @bar` dropped by a `blackout` went unsaid, its freeze never made."""
        at = self._boundary(spec, aim) if spec is not None else None
        new = None if at is None else ScreenWait(mode, origin, *at)
        # aimed past the next boundary: those landing before it are other cues' own bars, not changes it replaces
        kept = [w for w in self.waits if w.beat < new.beat] if new is not None and new.beyond > 0 else []
        replaced = [(w.origin, beat_words(w.beat, self.tempo.beats_per_bar)) for w in self.waits
                    if not any(w is k for k in kept) and w.mode != mode]
        self.waits = [*kept, new] if new is not None else []
        self.wake.set()
        if at is None:
            self.set_screen(mode, origin)
            return False, replaced
        if not self._waiter:
            self._waiter = True
            self.thread = threading.Thread(target=self._waits, name="screen on the beat", daemon=True)
            self.thread.start()
        return True, replaced

    def waiting(self) -> str | None:
        """The changes waiting and their beats, as the tempo's status counts them ("freeze on beat 1 bar 18"); None
        where none waits (called with the lock held)."""
        return ", ".join(self._when(w) for w in self.waits) or None

    def _next(self) -> ScreenWait | None:
        """The change that lands next, None where none waits (called with the lock held)."""
        return self.waits[0] if self.waits else None

    def _when(self, pending: ScreenWait) -> str:
        """A change and its beat: "freeze on beat 1 bar 18" ("… on the count-in, 4 beats to bar 1" before beat 0)."""
        words = beat_words(pending.beat, self.tempo.beats_per_bar)
        return f"{pending.mode} on {'the ' if pending.beat < 0 else ''}{words}"

    def release(self) -> str | None:
        """The changes waiting are set now, in the order they would have landed (called with the lock held); their
        modes, None where none waited."""
        waits, self.waits = self.waits, []
        if not waits:
            return None
        self.wake.set()  # its thread finds none waiting and ends
        for wait in waits:
            self.set_screen(wait.mode, wait.origin)
        return ", ".join(dict.fromkeys(w.mode for w in waits))

    def unplayed(self) -> list[tuple[Origin, str]]:
        """The changes still waiting (or dropped as the show stopped), each with its beat in words ("beat 1 bar
        18"), in the order they would land (called with the lock held)."""
        return [(w.origin, beat_words(w.beat, self.tempo.beats_per_bar)) for w in self.dropped + self.waits]

    def close(self) -> None:
        """The show ends: a change still waiting is dropped, and its thread ends."""
        self._closed = True
        self.wake.set()

    def _boundary(self, spec: str, aim: float | None) -> tuple[float, float, float] | None:
        """The beat of the next boundary of `spec` (the first at or after `aim`, where that is later), the grid's
        step in beats and how far beyond the next boundary that is; None while the tempo is stopped (no boundary
        is coming: at once)."""
        beats = quantum_beats(spec, self.tempo.beats_per_bar)
        beat = self.tempo.next_boundary_beat(beats, self.clock())
        if beat is None:
            return None
        # a bar cue fired ahead of its bar, at a fast tempo, fires before the bar ahead of it: the boundary it means
        # is its own bar's (aim), not the first one to come
        aimed = math.ceil(aim / beats - 1e-9) * beats if aim is not None else beat
        return (aimed, beats, aimed - beat) if aimed > beat else (beat, beats, 0.0)

    def _waits(self) -> None:
        """Sets the waiting screen change at its boundary, unless the show ends first or another change replaces
        it; ends when none waits. One that fails (a camera's screen that raises) is said, and the next change asked
        on the beat gets a thread of its own."""
        try:
            self._wait_loop()
        except Exception as e:
            with self.lock:
                self._waiter = False
            self.say(f"a screen change on the beat failed: {e.__class__.__name__}: {e}")

    def _ending(self) -> bool:
        return self._closed or self.stop.is_set()

    def _wait_loop(self) -> None:
        while True:
            with self.lock:
                pending = self._next()
                if pending is None or self._ending():
                    self.dropped += self.waits  # for the show's end to name
                    self.waits = []
                    self._waiter = False
                    return
                self.wake.clear()
            left = self.until(pending)
            if left > 0.0:
                self.wake.wait(min(left, SCREEN_RECHECK_S))
                continue  # replaced, the show ends, the tempo moved or its time came: look again
            with self.lock:
                if self._next() is not pending or self._ending():
                    continue
                self.waits.pop(0)  # the next one waits now
                stopped = self._stopped()  # due because no boundary is coming: said, not set silently
                self.set_screen(pending.mode, pending.origin)
            if stopped:
                self.say(f"the tempo stopped: {self._when(pending)} is set now, as no boundary is coming")
            self.tell()

    def _stopped(self) -> bool:
        """Whether the tempo stands still (or went): no boundary is coming."""
        got = self.tempo.grid()
        return got is None or not got[1].running

    def until(self, pending: ScreenWait) -> float:
        """Seconds until the waiting change's beat on the grid that holds now; 0: due. A grid whose count went back
        (a MIDI start, a source with its own count) puts it on its own next boundary; a stopped one makes it at once,
        as a change asked then is."""
        got = self.tempo.grid()
        now = self.clock()
        grid = got[1] if got is not None else None
        if grid is None or not grid.running:
            return 0.0
        if pending.beat - grid.beat_at(now) > pending.beats + pending.beyond:
            pending.beat, pending.beyond = grid.next_multiple(pending.beats, now), 0.0
        return max(0.0, grid.time_of(pending.beat) - now)
