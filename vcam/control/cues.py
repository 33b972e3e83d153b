"""A show's cue list: `go` fires the next cue, `back` steps back and fires the one before, timed cues fire by
themselves.

Every cue's commands go through the controller like typed ones (`run_line(line, "cue N")`), so the control log
holds what a cue did, command by command, and a replay replays that without a cue list of its own.

Timed cues: `at: "1:30"` counts from the show going on air (`begin()`), `at: {bar: 17}` from the tempo's beat 0
(bar 17 starts at beat (17 - 1)·beats_per_bar: beat 64 in 4/4), `wait: 8` from the cue before it firing. A cue
with `at:` fires when its moment comes, even when cues before it have not gone (the music does not wait for the
operator): the list then stands at it, and the cues skipped are said. A cue the list has already passed (by GO)
does not fire again at its moment; each moment comes once, so `back` past a timed cue does not make it fire by
itself again (it then waits for GO), unless the tempo starts over from its beginning. A `wait:` cue fires only
while it is the next cue: GO before its time fires it at once instead; a cue before it that fired before the show
went on air is counted from going on air.

A list whose last cue says `loop: true` starts over after it: cue 1 is the next again, for GO and for its `wait:`
(counted from the last cue firing), and `back` from cue 1 fires the last. Such a list has no `at:` cue (each moment
comes once: a second round would stop there for GO), which the show file's check refuses.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from vcam.control.commands import UNTIMED, CommandError, parse
from vcam.control.sources import cue_source
from vcam.control.cuesheet import Cue, clock_text, cue_index, cue_said
from vcam.control.linesource import read_again
from vcam.control.replies import Reply
from vcam.errors import described
from vcam.inspec import HIDDEN_BY_STRENGTH
from vcam.words import counted

# While a bar cue is pending, the list looks at the tempo at least this often: a tempo that drifts (MIDI clock)
# moves the bar's clock time without telling anyone.
BAR_RECHECK_S = 1.0
# A beat that goes back by more than this has started over (MIDI start, a new tap): bar cues come round again.
# Less is the grid's phase being corrected, which must not fire a bar cue twice.
RESTART_BEATS = 1.0
STOP_WAIT_S = 2.0


class Tempo(Protocol):
    """What the cue list reads of vcam.control.tempo.Tempo."""

    beats_per_bar: int

    def beat(self, t: float | None = None) -> float | None: ...

    def time_of(self, beat: float) -> float | None: ...

    def listen(self, fn: Callable[[], None]) -> None: ...


class RunLine(Protocol):
    """How the cue list runs a cue's line (the controller's handle_line): `aim` is the beat its screen changes
    land on at the earliest, None where they land as a typed line's would. Its replies keep their parts
    (vcam.control.replies): a reply rebuilt as plain text reads as all done, so the cue would say its landing after
    every line and keep a note that another of its lines answers."""

    def __call__(self, line: str, source: str, *, aim: float | None) -> Reply | str | None: ...


class CueList:
    """The cue list of a running show; a part (start/stop) whose thread fires the timed cues."""

    what = "the cue list"  # as the show's end names it where its stop fails

    def __init__(self, cues: Sequence[Cue], run_line: RunLine, say: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic, tempo: Tempo | None = None,
                 lead: Callable[[], float] | None = None, duration: float | None = None,
                 lands_at: Callable[[str], float | None] | None = None, quantize: Callable[[], str] | None = None):
        self.run_line = run_line
        self.say = say
        self.clock = clock
        self.tempo = tempo
        # How many seconds ahead of the camera the show works (vcam.live.quantize): a bar cue fires that much
        # before its bar, its changes put on that bar (@bar), so that they show on it rather than a block late.
        self.lead = lead or (lambda: 0.0)
        # The clock time a change quantised to a spec lands on, made now (vcam.live.quantize): a typed `go @bar`'s
        # screen changes are aimed at its picture's bar, which at a fast tempo is a bar or more past the next one.
        self.lands_at = lands_at
        # The show's quantize now (the controller's): what a cue's lines with no @ of their own land on, where GO is
        # typed without one or a timed cue fires; their screen changes are aimed at that picture's boundary too.
        self.quantize = quantize
        self.duration = duration  # --duration: the show ends this long after going on air, as `at` times count
        self._cues: tuple[Cue, ...] = tuple(cues)
        # _lock guards the state below and is never held while a cue runs: the controller, which runs the cue's
        # commands under its own lock, asks for describe() under it. _firing puts GO, back and the timer's cues
        # in one order.
        self._lock = threading.Lock()
        self._firing = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._position = 0  # the number of the last cue fired (1-based); 0 before the first
        self._began: float | None = None  # clock time the show went on air; timed cues wait for it
        self._fired_at: float | None = None  # clock time the last cue fired: a wait: counts from it
        # clock time of a reload that made another cue the next one: its wait: counts from then, not from a cue of
        # the list before it (whose time may long have passed: it would fire the moment the file was saved)
        self._reloaded_at: float | None = None
        self._seen_s: float | None = None  # show time up to which `at` times have had their moment
        self._seen_beat: float | None = None  # the tempo's beat at the last look (a beat going back: started over)
        self._seen_reach: float | None = None  # the beat up to which bar cues have had their moment (ahead of it)
        self._said_no_tempo = False
        self._broke: str | None = None  # the line the timer's last look broke with, said once while it repeats
        self.looked_at: float | None = None  # the clock time of the timer's last look (tests wait for it)
        self._thread = threading.Thread(target=self._run, name="cues", daemon=True)

    # --- the part -----------------------------------------------------------------------------------------
    def start(self) -> None:
        if self.tempo is not None:
            self.tempo.listen(self._wake.set)  # a new tempo or a start moves every bar's time
        self._note_bar_cues()
        self._note_late_cues()
        self._thread.start()

    def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._thread.ident is not None:
            self._thread.join(STOP_WAIT_S)

    def begin(self) -> None:
        """The show is on air: `at` times count from now. Called on every block; only the first counts."""
        if self._began is not None:
            return
        with self._lock:
            if self._began is None:
                self._began = self.clock()
        self._wake.set()

    def wake(self) -> None:
        """Look at the clock and the tempo again now (a test's fake clock moved)."""
        self._wake.set()

    # --- the operator ---------------------------------------------------------------------------------------
    @property
    def position(self) -> int:
        """The number of the last cue fired (1-based); 0 before the first."""
        return self._position

    @property
    def cues(self) -> tuple[Cue, ...]:
        return self._cues

    def go(self, at: str | None = None, cue: str | int | None = None) -> str:
        """Fires the next cue, or `cue` (`go 3`, `go drop`: by number, 1-based, or by name) wherever the list
        stands; the reply. `at` (from `go @bar`) times each of its changes that has no @ of its own."""
        with self._firing:
            with self._lock:
                cues, pos = self._cues, self._position
            if not cues:
                return "error: this show has no cues; add a cues: list to the show file"
            nxt = _next_index(cues, pos)
            if cue is not None:
                index = cue_index(cues, cue, nxt)
                if isinstance(index, str):
                    then = f"go alone fires the next (cue {nxt + 1})" if nxt is not None else "the list is done"
                    return f"error: {index}; {then}"
                skipped = f"cue {pos + 1} skipped" if index == pos + 1 else \
                    f"cues {pos + 1}-{index} skipped" if index > pos + 1 else ""
                reply = self._fire(cues, index, skipped, at=at)
            elif nxt is None:
                return (f"error: the cue list is done (cue {pos}/{len(cues)} {cue_said(cues[pos - 1])} was the "
                        "last)" + ("; back steps back" if len(cues) > 1 else ""))
            else:
                reply = self._fire(cues, nxt, at=at)
        self._wake.set()  # a wait: counts from this cue
        return reply

    def back(self, at: str | None = None) -> str:
        """Steps back one cue and fires it; the reply."""
        with self._firing:
            with self._lock:
                cues, pos = self._cues, self._position
            if not cues:
                return "error: this show has no cues; add a cues: list to the show file"
            if pos == 0:
                return "error: no cue has gone yet; go fires cue 1"
            if pos == 1 and len(cues) == 1:
                return f"error: cue 1 {cue_said(cues[0])} is the only cue; there is none before it"
            if pos == 1 and not _loops(cues):
                return f"error: cue 1 {cue_said(cues[0])} is the first; there is none before it (go fires cue 2)"
            # in a list that loops, cue 1 follows the last
            reply = self._fire(cues, (pos - 2) % len(cues), at=at)
        self._wake.set()
        return reply

    def _aim(self, at: str | None) -> float | None:
        """The beat a typed `go @bar` (or `back @beat`, or a cue whose lines land on the show's quantize) aims its
        screen changes at: the boundary its picture lands on; None without a timing, a tempo or a measured show
        (they land on the next boundary, as typed)."""
        spec = at if at is not None or self.quantize is None else self.quantize()
        if spec is None or self.lands_at is None or self.tempo is None:
            return None
        when = self.lands_at(spec)
        beat = self.tempo.beat(when) if when is not None else None
        # a hair before it: the boundary's beat read back from its clock time may come out a hair past it, which
        # the screen wait would round up to the boundary after
        return beat - 1e-6 if beat is not None else None

    def describe(self) -> str | None:
        """"cue 3/12 'drop' next 'verse 2'" (with the next cue's timing, if it has one); None without cues."""
        with self._lock:
            cues, pos = self._cues, self._position
            index = _next_index(cues, pos)
            past = index is not None and self._past(cues[index])
        if not cues:
            return None
        text = f"cue {pos}/{len(cues)}" + (f" {cue_said(cues[pos - 1])}" if pos else "")
        if index is None:
            return text + " (end)"
        nxt = cues[index]
        again = " (from the top)" if index < pos else ""
        return text + f" next {cue_said(nxt)}{again}" + (f" {_when(nxt, past)}" if nxt.timing() else "")

    def _past(self, cue: Cue) -> bool:
        """Whether `cue` has an `at:` time the show has passed (called with _lock held): it no longer fires by itself,
        and waits for GO. A bar's is not said so: a tempo that starts over brings its bars back."""
        return cue.at_s is not None and self._seen_s is not None and self._seen_s >= cue.at_s

    def replace(self, cues: Sequence[Cue]) -> str | None:
        """A reloaded show's cues; what became of the list, in words for the reload's line (None: the edit left it
        as it was). The list stands at the same cue by name (the n-th cue of that name, for names used more than
        once), else at the same number; moments already past do not fire, and nothing fires from a list that is
        gone. A cue firing as the reload comes runs all its commands first (the reload waits for it). A next cue
        with a `wait:` that the edit changed counts it from the reload."""
        new = tuple(cues)
        with self._firing:
            with self._lock:
                old, pos = self._cues, self._position
                waiting = self._timed_ahead()
                self._cues = new
                self._position = position = _same_position(old, pos, new)
                restarted = _next_wait(new, position) is not None and \
                    _next_wait(old, pos) != _next_wait(new, position)
                if restarted:
                    self._reloaded_at = self.clock()
                index = _next_index(new, position)
                past = index is not None and self._past(new[index])  # an at: time an edit put before now
        self._note_bar_cues()
        self._note_late_cues()
        self._wake.set()
        # before the show is on air, a wait counts from going on air whatever the edit
        return _changed(old, pos, waiting, new, position, restarted and self._began is not None, past) \
            if new != old else None

    def _timed_ahead(self) -> list[int]:
        """The cues (0-based) that would still fire by themselves: an `at` time or bar to come, a `wait:` of the
        next cue (called with _lock held)."""
        cues, pos = self._cues, self._position
        ahead = [i for i, c in enumerate(cues) if i >= pos and (
            (c.at_s is not None and (self._seen_s is None or self._seen_s < c.at_s)) or
            (c.at_bar is not None and self.tempo is not None and
             (self._seen_reach is None or self._seen_reach < self._bar_beat(c))))]
        nxt = _next_index(cues, pos)
        if nxt is not None and cues[nxt].wait is not None and nxt not in ahead:
            ahead.insert(0, nxt)
        return ahead

    # --- firing -----------------------------------------------------------------------------------------------
    def _fire(self, cues: tuple[Cue, ...], index: int, why: str = "", at: str | None = None,
              aim: float | None = None) -> str:
        """Runs cue `index` (0-based) of `cues` and makes it the current one; called with _firing held. A list
        reloaded since `cues` was read fires nothing. `aim`: the beat its screen changes land on at the earliest,
        given for a bar cue fired ahead of its bar (its bar's); any other aims at its picture's boundary (_aim)."""
        if aim is None:
            aim = self._aim(at)
        with self._lock:
            if self._cues is not cues:
                return "error: the cue list was just reloaded; nothing fired (go again)"
            cue, count = cues[index], len(cues)
            self._position = index + 1
            self._fired_at = self.clock()
        source = cue_source(index + 1)
        with read_again():  # the show's own lines, their paths made whole as it loaded
            replies = [Reply.of(r) for r in (self.run_line(_timed(line, at), source, aim=aim) for line in cue.do) if r]
        if any(line.split()[:1] == ["strength"] for line in cue.do):  # the cue sets it: "lower it" would contradict
            replies = [r.without(HIDDEN_BY_STRENGTH) for r in replies]
        replies, lands = _landing_once(_notes_once(replies))
        said = "; ".join(replies)
        return (f"cue {index + 1}/{count} {cue_said(cue)}" + (f" ({why})" if why else "") + lands +
                (f": {said}" if said else ""))

    def _run(self) -> None:
        while not self._stopping:
            now = self.clock()
            try:
                self._fire_due(now)
                timeout = self._next_look(self.clock())  # a wait: counts from a cue fired just now
            except Exception as e:  # a cue that breaks must not end the timer: the show and GO go on
                # said once while it repeats: a look that breaks every time said it every second of the show
                if (line := f"cue list: {described(e)}") != self._broke:
                    self.say(line)
                self._broke, timeout = line, BAR_RECHECK_S
            else:
                self._broke = None
            self.looked_at = now
            self._wake.wait(timeout)
            self._wake.clear()

    def _fire_due(self, now: float) -> None:
        with self._firing:
            cues, due = self._due(now)
            for index, why, at, aim in due:
                with self._lock:
                    pos = self._position
                    if self._cues is not cues:  # reloaded meanwhile: the next look sees the new list
                        return
                if index < pos and index != _next_index(cues, pos):  # GO got there first (a loop's next: not)
                    continue
                skipped = f"; cues {pos + 1}-{index} skipped" if index > pos + 1 else \
                    f"; cue {pos + 1} skipped" if index == pos + 1 else ""
                self.say(self._fire(cues, index, why + skipped, at, aim))

    def _due(self, now: float) -> tuple[tuple[Cue, ...], list[tuple[int, str, str | None, float | None]]]:
        """The list, and those of its cues whose moment has come by `now` since the last look, in order, with why,
        when their changes land (a bar cue fired ahead of its bar: on the bar) and the beat they aim at (that bar's:
        at a fast tempo the show works more than a bar ahead, and the next bar to come is the one before it); the
        moments are marked seen, so each comes once."""
        lead = self._lead_beats()
        with self._lock:
            if self._began is None:
                return self._cues, []
            cues, pos = self._cues, self._position
            show_t = now - self._began
            due = {i: (c.timing(), None, None) for i, c in enumerate(cues)
                   if c.at_s is not None and (self._seen_s is None or self._seen_s < c.at_s) and c.at_s <= show_t}
            self._seen_s = show_t
            beat = self._beat()
            if beat is not None:
                low, reach = self._seen_reach, beat + lead
                due.update({i: self._bar_due(c, beat) for i, c in enumerate(cues)
                            if c.at_bar is not None and (low is None or low < self._bar_beat(c)) and
                            self._bar_beat(c) <= reach})
                self._seen_reach = reach if low is None or reach > low else low
            nxt = _next_index(cues, pos)
            if nxt is not None and cues[nxt].wait is not None and now >= self._waited_from() + cues[nxt].wait:
                due[nxt] = (cues[nxt].timing(), None, None)
        return cues, [(i, *due[i]) for i in sorted(due)]

    def _bar_due(self, cue: Cue, beat: float) -> tuple[str, str | None, float | None]:
        """Why a bar cue fires, and where a bar cue fired ahead of its bar (`beat` now) lands its changes: on the bar,
        its screen changes on its own bar's beat."""
        at = self._bar_beat(cue)
        return (cue.timing(), "bar", at) if at > beat else (cue.timing(), None, None)

    def _waited_from(self) -> float:
        """The clock time a `wait:` of the next cue counts from (called with _lock held, on air): the cue before it
        firing, but not before the show went on air; a cue fired on the loading card was not seen yet, and its
        wait would have run out unseen."""
        since = max(self._fired_at, self._began) if self._position and self._fired_at is not None else self._began
        return max(since, self._reloaded_at) if self._reloaded_at is not None else since

    def _lead_beats(self) -> float:
        """How far ahead of the camera the show works, in beats of the tempo (0 without one)."""
        bpm = getattr(self.tempo, "bpm", None)
        if not bpm or not getattr(self.tempo, "running", True):  # a stopped transport: no bar is coming
            return 0.0
        return max(0.0, self.lead()) * bpm / 60.0

    def _beat(self) -> float | None:
        """The tempo's beat now; a beat that started over re-arms the bar cues (called with _lock held)."""
        beat = self.tempo.beat() if self.tempo is not None else None
        if beat is None:
            return None
        if self._seen_beat is not None and beat < self._seen_beat - RESTART_BEATS:
            self._seen_beat = self._seen_reach = None
        if self._seen_reach is None and beat >= RESTART_BEATS:
            self._seen_reach = beat  # a tempo first seen mid-song: bars already past do not fire in a burst
        self._seen_beat = beat
        return beat

    def _bar_beat(self, cue: Cue) -> float:
        return (cue.at_bar - 1) * self.tempo.beats_per_bar

    def _next_look(self, now: float) -> float | None:
        """Seconds until the next cue's moment, at most BAR_RECHECK_S while a bar cue waits; None: until woken."""
        lead = max(0.0, self.lead())
        with self._lock:
            if self._began is None:
                return None
            cues, pos = self._cues, self._position
            times = [self._began + c.at_s for c in cues
                     if c.at_s is not None and (self._seen_s is None or self._seen_s < c.at_s)]
            nxt = _next_index(cues, pos)
            if nxt is not None and cues[nxt].wait is not None:
                times.append(self._waited_from() + cues[nxt].wait)
            if self.tempo is not None:
                bars = [self._bar_beat(c) for c in cues if c.at_bar is not None and
                        (self._seen_reach is None or self._seen_reach < self._bar_beat(c))]
                if bars:
                    at = self.tempo.time_of(min(bars))
                    at = at - lead if at is not None else None
                    times.append(min(at, now + BAR_RECHECK_S) if at is not None else now + BAR_RECHECK_S)
        return max(0.0, min(times) - now) if times else None

    def _note_bar_cues(self) -> None:
        """Said once: without a tempo, bar cues wait for GO."""
        bar = next((c for c in self._cues if c.at_bar is not None), None)
        if bar is None or self.tempo is not None or self._said_no_tempo:
            return
        self._said_no_tempo = True
        self.say(f"cue {self._cues.index(bar) + 1} {cue_said(bar)} is at bar {bar.at_bar}, but this show keeps no "
                 "tempo: bar cues wait for GO")

    def _note_late_cues(self) -> None:
        """Said at the start and at a reload: `at` cues the show ends before (--duration) never fire, and the
        operator would otherwise learn it only from a show that ended without them."""
        if self.duration is None:
            return
        late = [(i, c) for i, c in enumerate(self._cues, 1) if c.at_s is not None and c.at_s >= self.duration]
        if not late:
            return
        which = ", ".join(f"{i} {cue_said(c)} ({c.timing()})" for i, c in late)
        self.say(f"{'cue' if len(late) == 1 else 'cues'} {which} {'comes' if len(late) == 1 else 'come'} after the "
                 f"show ends (--duration {self.duration:g} s, at {clock_text(self.duration)}): "
                 f"{'it does' if len(late) == 1 else 'they do'} not fire; give a longer --duration or an earlier at:")


def _changed(old: tuple[Cue, ...], pos: int, waiting: list[int], new: tuple[Cue, ...], position: int,
             restarted: bool, past: bool = False) -> str:
    """What a reload made of the cue list (`old`, at cue `pos`, its timed cues `waiting` still to fire), now `new`
    at `position`, in words for the reload's line; `past`: the next cue's at: time has passed."""
    if not old:
        return f"cue list added: {counted(len(new), 'cue')}" + _next_words(new, position, restarted, past)
    if not new:
        at = f" at cue {pos}/{len(old)} {cue_said(old[pos - 1])}" if pos else ""
        if not waiting:
            return f"cue list removed{at}"
        which = ", ".join(f"{i + 1} {cue_said(old[i])} ({old[i].timing()})" for i in waiting)
        return (f"cue list removed{at}: {'cue' if len(waiting) == 1 else 'cues'} {which} "
                f"{'does' if len(waiting) == 1 else 'do'} not fire")
    if not pos:
        where = f"{counted(len(new), 'cue')}, none gone yet"
    elif position != pos or new[position - 1].name != old[pos - 1].name:
        where = _moved(old[pos - 1], pos, new, position)
    else:
        where = f"at cue {position}/{len(new)} {cue_said(new[position - 1])}"
    return "cue list changed: " + where + _next_words(new, position, restarted, past)


def _next_words(cues: tuple[Cue, ...], position: int, restarted: bool, past: bool = False) -> str:
    """What GO fires next in a reloaded list standing at `position`, and when it fires by itself (`past`: its at:
    time has passed, so it does not)."""
    index = _next_index(cues, position)
    if index is None:
        return "; it is the last"
    nxt = cues[index]
    timing = _when(nxt, past) + (" from now" if restarted else "")
    said = ", ".join(part for part in (timing, "from the top" if index < position else "") if part)
    return f"; next {cue_said(nxt)}" + (f" ({said})" if said else "")


def _when(cue: Cue, past: bool) -> str:
    """When `cue` fires by itself, "at 1:30"; one whose time the show has passed waits for GO, and is said to: "at
    0:03" alone read as a cue still to come."""
    return f"{cue.timing()}, passed: GO fires it" if past else cue.timing()


def _next_wait(cues: tuple[Cue, ...], position: int) -> tuple[str, float] | None:
    """The next cue's name and `wait:`, where it has one."""
    index = _next_index(cues, position)
    if index is None or cues[index].wait is None:
        return None
    return cues[index].name, cues[index].wait


def _moved(was: Cue, pos: int, new: tuple[Cue, ...], position: int) -> str:
    """Where the current cue (`was`, number `pos`) went in a reloaded list that stands at `position`, in words."""
    cue = f"cue {pos} {cue_said(was)}"
    now = new[position - 1]
    if now.name == was.name:
        return f"{cue} is now cue {position}"
    if position == pos and (now.do, now.at_s, now.at_bar, now.wait) == (was.do, was.at_s, was.at_bar, was.wait):
        return f"{cue} is now named {cue_said(now)}"
    return f"{cue} is gone; the list stands at cue {position}/{len(new)} {cue_said(now)}"


def _timed(line: str, at: str | None) -> str:
    """`line` landing at `at` (from `go @bar`) where it says nothing of its own and can be timed."""
    if at is None:
        return line
    try:  # read as the show file's line it is: `prompt red sky@bar` is a prompt, timed as any other
        cmd = parse(line, console=False)
    except CommandError:
        return line  # said when it runs
    if cmd is None or cmd.at is not None or cmd.name in UNTIMED:
        return line
    return f"{line} @{at}"


def _loops(cues: Sequence[Cue]) -> bool:
    """Whether the list starts over after its last cue (`loop: true` on it)."""
    return bool(cues) and cues[-1].loop


def _landing_once(replies: list[Reply]) -> tuple[list[Reply], str]:
    """A cue's replies, and where they land (" on the bar, block 40") where all of them land there: said once, after
    the cue's name, not after each of its lines. Replies that land apart (one at once, one waiting for its block)
    keep their own."""
    lands = {r.lands for r in replies}
    if len(replies) < 2 or len(lands) > 1 or "" in lands:
        return replies, ""
    return [r.unlanded() for r in replies], f" {replies[0].lands}"


def _notes_once(replies: list[Reply]) -> list[Reply]:
    """A cue's replies, each less the notes an earlier one has said: a cue of three `@bar` lines with no tempo said
    why they land at once three times. A note said again in short (a Note's `again`: "it waits for block 40 too")
    is said so, where the line it is dropped from would read as landing at once."""
    said: set[str] = set()
    kept = []
    for reply in replies:
        notes = [getattr(n, "again", "") if n in said else n for n in reply.notes]
        kept.append(reply.noted([n for n in notes if n]))
        said.update(reply.notes)
    return kept


def _next_index(cues: Sequence[Cue], position: int) -> int | None:
    """The cue (0-based) GO fires next in a list standing at `position`: cue 1 again after the last of a list that
    loops; None at the end of one that does not."""
    if position < len(cues):
        return position
    return 0 if _loops(cues) else None


def _same_position(old: tuple[Cue, ...], pos: int, new: tuple[Cue, ...]) -> int:
    """Where a reloaded list stands: at the n-th cue named as the current one (n counted in the old list), else
    at the same number within the new list."""
    if pos == 0:
        return 0
    name = old[pos - 1].name
    nth = sum(1 for c in old[:pos] if c.name == name)
    seen = 0
    for i, c in enumerate(new):
        seen += c.name == name
        if seen == nth and c.name == name:
            return i + 1
    return min(pos, len(new))
