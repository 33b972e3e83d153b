"""The show's tempo: one beat grid (bpm and phase), from the first of its sources that applies.

Sources, highest first: the MIDI clock on the --midi input, Ableton Link (--link), OSC /vcam/bpm, the `tap` command
and `bpm N`. The two clocks apply while they speak: one silent for QUIET_S (a stopped DAW that stops sending clock,
an unplugged cable) lets the next one apply, and applies again when it speaks again; a Link session whose last other
peer leaves does so at once (hush), as it says. The operator's tempo (OSC, tap, bpm) holds until another replaces
it: the three share one place and the latest wins, so a tap after a typed `bpm` is not shadowed by it. With nothing
else left, a silent clock's last grid still applies (the beat goes on at its last tempo).

Each source has its own grid; switching sources may move the beat count to the new source's (a DAW's bar 1 is
its own). A tempo set by hand without a phase continues the beat count of the grid in use.

A replayed control log sets the grid the show had (source "replay", in the operator's place; vcam.control.log).
Watchers (the control log) hear of every move of the grid that applies: another source, start or stop, another
bpm, or a beat moved by more than PHASE_TOLD from where the grid they last heard of puts it.
"""
from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from vcam.control.commands import MAX_BPM, MIN_BPM

SOURCES = ("midi clock", "link", "osc", "tap", "bpm", "replay")  # priority order: the first that applies wins
CLOCKS = ("midi clock", "link")  # sources that speak continually, and go quiet
QUIET_S = 2.0  # a clock silent this long lets the next source apply
# a pause longer than this between taps starts a new series: the slowest beat the bpm command takes (3 s at 20 bpm),
# as a shorter one made every tap of a slow tempo (25 bpm, 2.4 s apart) the first of a series that never gave one
TAP_BREAK_S = 60.0 / MIN_BPM
TAPS_NEEDED = 4
TAPS_KEPT = 16  # the tapped tempo is fitted through at most the last 16 taps
# A gap this many times longer or shorter than the beat fitted through the series' taps is no beat of it (a skipped
# beat, a pad's double press, a new tempo): it starts a new series, or the taps before it would hold the tempo wrong
# for 16 taps.
TAP_OFF_BEAT = 1.5
TAP_HANDS = 8  # the sources whose tap series are kept apart (the console, a pad, a tablet, each client)
TOLD_BPM = 0.05  # listeners hear of a bpm that moved at least this much (a clock's estimate wavers a little)
# watchers hear of a beat this far (in beats) from where the grid they last heard of puts it: 10 ms at 120 bpm,
# under a camera frame; a MIDI clock's fitted line wavers about that much where ticks come late in bunches (JACK's
# periods), so a steady clock moves the grid a few times a minute at most, and a punctual one once
PHASE_TOLD = 0.02


@dataclass(frozen=True)
class Grid:
    """One source's beat grid: `beat` falls at clock time `at`; a stopped grid stays at `beat`."""

    bpm: float
    at: float
    beat: float
    running: bool
    seen: float  # when the source last spoke
    # the clock said it stopped speaking (Tempo.hush): silent from then, its `seen` kept, so that of two silent
    # clocks the one heard last still goes on
    hushed: bool = False

    def beat_at(self, t: float) -> float:
        return self.beat + (t - self.at) * self.bpm / 60.0 if self.running else self.beat

    def time_of(self, beat: float) -> float | None:
        return self.at + (beat - self.beat) * 60.0 / self.bpm if self.running else None

    def next_multiple(self, beats: float, t: float) -> float | None:
        """The next multiple of `beats` (a beat number) falling strictly after clock time t; None while stopped."""
        if not self.running:
            return None
        n = math.floor(self.beat_at(t) / beats) + 1
        while self.time_of(n * beats) <= t:  # rounding at a boundary itself
            n += 1
        return n * beats


def silent(source: str, grid: Grid, now: float) -> bool:
    """Whether `source` is a clock that has not spoken for QUIET_S (its `grid` last seen then), or said it stopped."""
    return source in CLOCKS and (grid.hushed or now - grid.seen > QUIET_S)


def beat_words(beat: float, beats_per_bar: int) -> str:
    """A beat of the count as the status says it: "beat 3 bar 17" (beat 0 is beat 1 of bar 1). One before beat 0
    (a Link session's count-in, a DAW's pre-roll) is "count-in, 2 beats to bar 1": bar 0 and below would read as
    bars of the song."""
    if beat < 0:
        return f"count-in, {_count(-beat)} beat{'' if beat == -1 else 's'} to bar 1"
    bar, at = divmod(beat, beats_per_bar)
    return f"beat {_count(at + 1)} bar {_count(bar + 1)}"


LINK_TAKES = "the Link session takes it, and its peers follow"


def by_hand_meets(source: str, grid: Grid, link_peers: bool) -> str | None:
    """What a tempo set by hand (bpm, tap, OSC) meets, in words, where `source`'s grid applies after it: a MIDI clock
    sets it aside while it is heard, stopped or running; a Link session with peers (`link_peers`) takes it whichever
    source leads (vcam.control.abletonlink follows every tempo the operator sets), and with it the DJ's and every
    peer's. None where it simply applies."""
    said = []
    if source == "midi clock":
        said.append(f"the {source} leads while it runs" if grid.running else
                    # a DAW stopped but sending clock: the tempo typed does not start the beat
                    f"the {source} leads while it is heard, and it is stopped: the beat stands still until it starts "
                    "or goes quiet")
    if link_peers:  # Link leads only while it has them
        said.append(LINK_TAKES)
    return "; ".join(said) or None


def _count(number: float) -> str:
    """A count as said: whole in all its digits (bar 1000001 of a session days long, not 1e+06), else as :g."""
    return str(int(number)) if number == int(number) else f"{number:g}"


# told (source, grid, cause) of every move of the grid that applies (Tempo.watch)
Watcher = Callable[[str, Grid, object], None]


class TapTempo:
    """Tap times in, a tempo out once TAPS_NEEDED are in: the beat of the line fitted through the kept taps of a
    series (least squares, each tap on the next beat), so that every tap's jitter evens out; the first and last
    alone gave 132 bpm for twelve taps at 128 each up to 80 ms off."""

    def __init__(self, needed: int = TAPS_NEEDED, pause: float = TAP_BREAK_S, kept: int = TAPS_KEPT,
                 off_beat: float = TAP_OFF_BEAT):
        self.needed, self.pause, self.kept, self.off_beat = needed, pause, kept, off_beat
        self.times: list[float] = []
        self.count = 0  # taps in the current series (more than are kept)
        self.first_beat = 0.0  # the beat the series' first tap falls on
        self.broke_off = False  # the last tap started a new series for being off the beat of the one before

    def tap(self, t: float) -> bool:
        """Adds a tap; whether it starts a new series (after a pause, or off the series' beat)."""
        gap = t - self.times[-1] if self.times else 0.0
        self.broke_off = 0 < gap <= self.pause and self._off_beat(gap)
        new = not self.times or not 0 < gap <= self.pause or self.broke_off
        if new:
            self.times = self._starting(gap)
            self.count = len(self.times)
        self.times.append(t)
        del self.times[:-self.kept]
        self.count += 1
        return new

    def _starting(self, gap: float) -> list[float]:
        """The taps a new series starts with, before the one that starts it: none, or the last where a series of one
        gap is broken by a shorter one that is a beat (no pad's double press): that gap was a pause after a stray tap
        (under TAP_BREAK_S, which a slow tempo needs), and the tap after it the first of the new series, as the
        operator tapped it."""
        if self.broke_off and len(self.times) == 2 and 60.0 / MAX_BPM <= gap < self.times[1] - self.times[0]:
            return self.times[-1:]
        return []

    def _off_beat(self, gap: float) -> bool:
        if len(self.times) < 2:
            return False
        beat = self._beat_s()
        return not beat / self.off_beat <= gap <= beat * self.off_beat

    def bpm(self) -> float | None:
        if self.count < self.needed:
            return None
        return 60.0 / self._beat_s()

    def _beat_s(self) -> float:
        """The seconds a beat lasts by the kept taps (two or more): the slope of their least-squares line, which
        goes through their middle (anchor)."""
        n = len(self.times)
        middle_t, middle_i = sum(self.times) / n, (n - 1) / 2
        spread = sum((i - middle_i) ** 2 for i in range(n))
        return sum((i - middle_i) * (t - middle_t) for i, t in enumerate(self.times)) / spread

    def anchor(self) -> tuple[float, float]:
        """(time, beat) through the middle of the kept taps, each on a whole beat counted from the first."""
        n = len(self.times)
        first = self.first_beat + self.count - n
        return sum(self.times) / n, first + (n - 1) / 2


class Tempo:
    """The show's tempo, fed by MIDI, Link, OSC and the console from their own threads. `clock` is the time base of
    every anchor and answer (time.monotonic; tests pass a fake one)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, beats_per_bar: int = 4):
        if beats_per_bar < 1:
            raise ValueError(f"beats_per_bar must be 1 or more, not {beats_per_bar}")
        self.clock = clock
        self.beats_per_bar = beats_per_bar
        self._grids: dict[str, Grid] = {}
        self._taps = TapTempo()  # the series the last tap went into
        # each source taps a series of its own: a pad's and a tablet's taps on one beat, a few ms apart, made one
        # series that every near-double broke off the beat, and no tempo came
        self._tap_series: dict[object, TapTempo] = {}
        self._lock = threading.RLock()
        self._listeners: list[Callable[[], None]] = []
        self._followers: list[Callable[[float, str], None]] = []
        self._told: tuple = (None, None, None, False)  # bpm, source, running, silent: what listeners last heard
        self._watchers: list[Watcher] = []
        self._watched: tuple[str | None, Grid | None] = (None, None)  # the grid watchers last heard of

    # --- feeding it --------------------------------------------------------------------------------------------
    def set_bpm(self, bpm: float, source: str, anchor: tuple[float, float] | None = None,
                running: bool = True, cause: object = None) -> None:
        """A source's tempo; `anchor` = (clock time, beat number) places the beat grid (phase); without one the
        beat count of the grid in use goes on. `running=False`: a stopped transport, the beat stays at the
        anchor's. `cause` (the command that set it) is passed on to the watchers."""
        if source not in SOURCES:
            raise ValueError(f"unknown tempo source {source!r}; known: {', '.join(SOURCES)}")
        if isinstance(bpm, bool) or not isinstance(bpm, (int, float)) or not math.isfinite(bpm) or bpm <= 0:
            raise ValueError(f"a tempo is a positive number of beats a minute, not {bpm!r}")
        with self._lock:
            now = self.clock()
            if anchor is None:
                current = self._current(now)
                anchor = (now, current.beat_at(now) if current else 0.0)
            if source not in CLOCKS:  # the operator's tempo: one place, the latest wins
                for other in SOURCES:
                    if other not in CLOCKS:
                        self._grids.pop(other, None)
            self._grids[source] = Grid(float(bpm), float(anchor[0]), float(anchor[1]), running, now)
            self._watch(now, cause)
            followers = list(self._followers) if source not in CLOCKS + ("replay",) else []  # a log steers no peer
        self._tell()
        for follow in followers:
            follow(float(bpm), source)

    def hush(self, source: str) -> None:
        """A clock that says it has stopped speaking (a Link session whose last peer left) is silent from now, not
        QUIET_S later: the next source applies at once, as the clock says it does; with none, its last grid goes on
        applying, as a silent clock's does."""
        if source not in CLOCKS:
            raise ValueError(f"only a clock falls silent ({', '.join(CLOCKS)}), not {source!r}")
        with self._lock:
            grid = self._grids.get(source)
            if grid is None:
                return
            now = self.clock()
            self._grids[source] = replace(grid, hushed=True)
            self._watch(now, None)
        self._tell()

    def tap(self, t: float | None = None, cause: object = None) -> float | None:
        """One tap (on a beat); the tapped bpm once TAPS_NEEDED taps of a series are in, which then applies. The
        first tap of a series falls on the first beat of a bar (the nearest one of the grid in use). ValueError
        for taps faster or slower than the bpm command allows. `cause` as for set_bpm; its source (the console,
        MIDI, OSC, a client) taps a series of its own."""
        with self._lock:
            t = self.clock() if t is None else t
            taps = self._series(getattr(cause, "source", None))
            if taps.tap(t):
                current = self._current(t)
                bar = self.beats_per_bar
                first = taps.times[0]  # this tap, or the one before it that starts the series with it
                taps.first_beat = round(current.beat_at(first) / bar) * bar if current else 0.0
            bpm = taps.bpm()
            if bpm is None:
                return None
            if not MIN_BPM <= bpm <= MAX_BPM:
                # a rate, said as one: "600 bpm apart" read as a gap between taps
                raise ValueError(f"the taps come at {bpm:.0f} bpm, outside {MIN_BPM:g}-{MAX_BPM:g}: tap once a "
                                 f"beat (a pause of {TAP_BREAK_S:g} s starts the taps over)")
            self.set_bpm(bpm, "tap", taps.anchor(), cause=cause)
            return bpm

    def _series(self, source: object) -> TapTempo:
        """The tap series of `source` (None: a tap of no known source), made the one the taps' replies read
        (called with the lock held); the least recently tapped of more than TAP_HANDS is dropped."""
        taps = self._tap_series.pop(source, None) or TapTempo()
        self._tap_series[source] = taps
        if len(self._tap_series) > TAP_HANDS:
            del self._tap_series[next(iter(self._tap_series))]
        self._taps = taps
        return taps

    @property
    def taps_broke_off(self) -> bool:
        """Whether the last tap started a new series for being off the beat of the taps before it."""
        with self._lock:
            return self._taps.broke_off

    @property
    def taps(self) -> int:
        """Taps in the current series (a pause over TAP_BREAK_S since the last starts a new one)."""
        with self._lock:
            taps = self._taps
            return taps.count if taps.times and self.clock() - taps.times[-1] <= taps.pause else 0

    def listen(self, fn: Callable[[], None]) -> None:
        """`fn` is told when the bpm (by TOLD_BPM or more), the source, running/stopped or a clock's silence (a
        silent clock still applies where no other source does) change."""
        with self._lock:
            self._listeners.append(fn)

    def follow(self, fn: Callable[[float, str], None]) -> None:
        """`fn(bpm, source)` is told of every tempo the operator sets (OSC, tap, bpm): a Link session takes it."""
        with self._lock:
            self._followers.append(fn)

    def watch(self, fn: Watcher) -> None:
        """`fn(source, grid, cause)` is told of every move of the grid that applies (see the module's docstring),
        in order, holding the tempo's lock: it must be quick and must not call back into the tempo. `cause` is
        what set_bpm or tap was given (None for a clock, or for a source that applies as another falls silent)."""
        with self._lock:
            self._watchers.append(fn)

    def held(self) -> "threading.RLock":
        """The tempo's lock, to read its grid and act on it with no move in between (the watchers run under it)."""
        return self._lock

    # --- reading it ----------------------------------------------------------------------------------------------
    def grid(self) -> tuple[str, Grid] | None:
        """The source that applies now and its grid; None without a tempo."""
        source, grid = self._read()
        return (source, grid) if grid is not None else None

    def heard(self, source: str) -> bool:
        """Whether clock `source` speaks now: for "link", whether the Link session has other peers (it is hushed as
        the last one leaves)."""
        with self._lock:
            grid = self._grids.get(source)
            return grid is not None and not silent(source, grid, self.clock())

    @property
    def bpm(self) -> float | None:
        grid = self._read()[1]
        return grid.bpm if grid else None

    @property
    def source(self) -> str | None:
        return self._read()[0]

    @property
    def running(self) -> bool:
        """False with no tempo yet, or a stopped MIDI clock (the beat stands still)."""
        grid = self._read()[1]
        return bool(grid and grid.running)

    def beat(self, t: float | None = None) -> float | None:
        """Beats since the grid's origin at clock time t (now without it)."""
        now, _, grid = self._read_at(t)
        return grid.beat_at(now) if grid else None

    def time_of(self, beat: float) -> float | None:
        """Clock time at which `beat` falls; None without a tempo or while the clock is stopped."""
        grid = self._read()[1]
        return grid.time_of(beat) if grid else None

    def next_boundary(self, beats: float, t: float | None = None) -> float | None:
        """Clock time of the next multiple of `beats` strictly after t (bar: beats = beats_per_bar); None without
        a tempo or while the clock is stopped (no boundary is coming)."""
        got = self._next_boundary(beats, t)
        return got[0].time_of(got[1]) if got is not None else None

    def next_boundary_beat(self, beats: float, t: float | None = None) -> float | None:
        """The beat number of next_boundary's boundary: a change kept as a beat comes when the grid that holds then
        reaches it, wherever a tap or a clock moves the grid meanwhile."""
        got = self._next_boundary(beats, t)
        return got[1] if got is not None else None

    def describe(self) -> str | None:
        """e.g. "128.0 bpm beat 3 bar 17 (midi clock)"; None without a tempo."""
        now, source, grid = self._read_at(None)
        if grid is None:
            return None
        whole = math.floor(grid.beat_at(now) + 1e-9)
        state = "" if grid.running else " stopped at"
        quiet = ", silent" if silent(source, grid, now) else ""
        return f"{grid.bpm:.1f} bpm{state} {beat_words(whole, self.beats_per_bar)} ({source}{quiet})"

    # --- inside ------------------------------------------------------------------------------------------------
    def _next_boundary(self, beats: float, t: float | None) -> tuple[Grid, float] | None:
        """The grid that applies and the beat of its next boundary, read together (one grid for both)."""
        if not beats > 0:
            raise ValueError(f"a boundary is every so many beats, more than 0, not {beats!r}")
        now, _, grid = self._read_at(t)
        beat = grid.next_multiple(beats, now) if grid is not None else None
        return (grid, beat) if beat is not None else None

    def _current(self, now: float) -> Grid | None:
        source = self._source(now)
        return self._grids[source] if source else None

    def _source(self, now: float) -> str | None:
        grids = self._grids
        for source in SOURCES:
            grid = grids.get(source)
            if grid is not None and not silent(source, grid, now):
                return source
        return max(grids, key=lambda s: grids[s].seen) if grids else None  # only silent clocks: the last heard

    def _read(self) -> tuple[str | None, Grid | None]:
        return self._read_at(None)[1:]

    def _read_at(self, t: float | None) -> tuple[float, str | None, Grid | None]:
        with self._lock:
            now = self.clock()
            source = self._source(now)
            grid = self._grids[source] if source else None
        self._tell()  # a clock that fell silent is noticed by whoever asks next
        return (now if t is None else t), source, grid

    def _watch(self, now: float, cause: object) -> None:
        """Tells the watchers of a move of the grid that applies; called holding the lock, so that they hear of
        the moves in the order they happen, each with its own cause."""
        source = self._source(now)
        grid = self._grids[source] if source else None
        if grid is not None and _moved(self._watched, source, grid, now):
            self._watched = (source, grid)
            for watch in self._watchers:
                watch(source, grid, cause)

    def _tell(self) -> None:
        with self._lock:
            now = self.clock()
            self._watch(now, None)  # a clock that fell silent: the next source's grid applies
            source = self._source(now)
            grid = self._grids[source] if source else None
            bpm, told_source, told_running, told_quiet = self._told
            quiet = grid is not None and silent(source, grid, now)
            if grid is None or (source == told_source and grid.running == told_running and quiet == told_quiet
                                and bpm is not None and abs(grid.bpm - bpm) < TOLD_BPM):
                return
            self._told = (grid.bpm, source, grid.running, quiet)
            listeners = list(self._listeners)
        for fn in listeners:
            fn()


def _moved(heard: tuple[str | None, Grid | None], source: str, grid: Grid, now: float) -> bool:
    """Whether `grid` (of `source`) differs from the grid last heard of by the source, start/stop, bpm or phase."""
    old_source, old = heard
    return (old is None or source != old_source or grid.running != old.running or abs(grid.bpm - old.bpm) >= TOLD_BPM
            or abs(grid.beat_at(now) - old.beat_at(now)) > PHASE_TOLD)
