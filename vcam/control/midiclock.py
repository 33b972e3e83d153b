"""MIDI clock in (24 ticks a quarter note, start/stop/continue, song position), the show's tempo out.

The bpm comes from a straight-line fit of the ticks' arrival times over the last WINDOW_S seconds, not from the
last interval: ticks reach vcam late by a varying amount (a loaded machine; JACK hands MIDI over once per period,
21 ms at 1024 frames, longer than a tick at 128 bpm), and over seconds that wobble averages out to under 0.1 %
where the interval between two ticks can be 100 % off. Ticks delayed far beyond the rest (a stall) are left out of
the fit. A tempo change shows as the last ticks leaving the line on one side for a beat: the window then starts
again from the last beat, so a new tempo is taken within a second or two rather than after WINDOW_S. A ramp (a DJ
easing from 120 to 140 bpm) bends the ticks off any line, whose slope is then the tempo of the window's middle, 5 %
behind: ticks that clearly bend over 3 s are read by a parabola through the last 2 s, its slope at the last tick.

The limit: arrival times handed over once per period of P seconds cannot tell tempos apart whose ticks arrive in
the same periods for the whole window, so near a tick interval of a multiple of P the error can reach about
P / WINDOW_S (0.36 % for JACK at 1024 frames, 48 kHz; ALSA and smaller periods do far better).
"""
from __future__ import annotations

import math
import statistics
import threading
from collections import deque
from collections.abc import Callable
from typing import NamedTuple

from vcam.control.commands import MAX_CLOCK_BPM, MIN_CLOCK_BPM
from vcam.control.tempo import QUIET_S, TAPS_NEEDED, Grid, Tempo, beat_words, silent

TICKS_PER_BEAT = 24
WINDOW_S = 6.0  # ticks of the last 6 s make the estimate
MIN_TICKS = TICKS_PER_BEAT  # a beat's worth before the first estimate
MAX_TICKS = 2048
FIT_EVERY = 6  # ticks between estimates (a 16th note): the tempo is told at least that often
GAP_S = 1.0  # ticks that stop this long (a clock paused without a stop) start the estimate afresh
STALL_S = 0.1  # ticks that stop this long (and 3 ticks' time) were held up: those that then come bunched
# together (closer than a quarter tick) are counted but not timed. JACK's periods (up to 85 ms) are no stall.
TICKS_PER_SONGPOS = 6  # song position pointers count 16th notes
TRIM = 3.0  # ticks further off the line than 3 robust deviations are left out of the fit
FLOOR_S = 1e-4  # ... and never for less than 0.1 ms (a perfect clock has no deviation at all)
BEND = 20.0  # the ticks bend off a line (a tempo ramp) where they bend this many times more than jitter makes them
# (12 read the beat of 118 bpm against JACK periods as a bend, 3 % off; at 20 no steady clock from 56 to 200 bpm is)
RAMP_WINDOW_S = 2.0  # ... and the tempo is then read from the ticks of the last 2 s
BEND_SPAN_S = 3.0  # ... over at least 3 s of ticks: a JACK period's beat against the ticks bends a shorter window
RAMP_LEAD = 0.1  # ... and its tempo at the last tick within 10 % of the last beat's: a ramp's is within 8 % (180
# to 90 bpm in 4 s), where a parabola bent by a step from 90 to 180 bpm reads 360
TRIM_ROUNDS = 3  # a stall's ticks tilt the first fit: trimmed against the refitted line again
RECENT = 12  # the last ticks, half a beat: late (or early) against the line together, the tempo changed ...
CHANGE_FLOOR_S = 5e-4  # ... when they are more than 0.5 ms off beyond the usual spread, and that holds for a
# beat of arrival times (a stall's late ticks arrive at once and pass)
KEPT_AFTER_CHANGE = TICKS_PER_BEAT  # the ticks the estimate starts again from
PLAUSIBLE_BPM = (MIN_CLOCK_BPM, MAX_CLOCK_BPM)  # an estimate outside is a burst of held-up ticks, not taken
# Ticks that come faster than this are no tempo (a MIDI loop feeding a port back into itself, a device gone wrong):
# a fit of up to MAX_TICKS points every FIT_EVERY ticks, at thousands of ticks a second, held the port's thread (and
# every knob and button behind it) for longer than the ticks took to come. Twice the fastest tempo's rate, over the
# last FLOOD_TICKS (half a beat): a flood's first ticks tilt the line into a tempo that is told, and the whole
# window's average, held down by the clock heard before the flood, let 700 of them through after two beats of clock
# (832 bpm told for 128) and 2000 after a whole window of it. Half a beat of ticks up to 270 bpm, bunched by JACK's
# periods (up to 85 ms) or held up just short of a stall (STALL_S), spans more than that.
FLOOD_TICKS_PER_S = 2 * MAX_CLOCK_BPM * TICKS_PER_BEAT / 60
FLOOD_TICKS = TICKS_PER_BEAT // 2
# A clock that takes the tempo over and falls silent more than FLAP_CHANGES times within FLAP_S (a loose cable, a DAW
# started and stopped while rehearsing) is said to come and go once; its changes then go unsaid until one comes
# FLAP_S after the last, or a line for each dropout would scroll the terminal for as long as it goes on
FLAP_CHANGES = 4
FLAP_S = 60.0


class ClockFit:
    """Arrival times of numbered ticks in, seconds per tick (and the fitted line) out."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self.ticks: deque[tuple[int, float]] = deque(maxlen=MAX_TICKS)
        self.changes = 0  # tempo changes seen (the window started again)
        self._drift_since: float | None = None  # when the last ticks came off the line, on the side of _drift_late
        self._drift_late = False
        self._ramping = False  # the last estimate was read off the bend of a ramp
        self._spread = 0.0
        self._last = 0.0  # when the last tick came
        self._held = False  # ticks come bunched after a stall

    def add(self, index: int, t: float) -> None:
        ticks = self.ticks
        if ticks:
            step, gap = self._last_interval(), t - self._last
            if gap > max(GAP_S, 8 * step):
                ticks.clear()
                self._held = False
            elif gap > max(STALL_S, 3 * step):
                self._held = True
            elif gap >= step / 4:
                self._held = False
        self._last = t
        if self._held:
            return
        ticks.append((index, t))
        while len(ticks) > MIN_TICKS and t - ticks[0][1] > self.window_s:
            ticks.popleft()

    def _last_interval(self) -> float:
        ticks = self.ticks
        if len(ticks) < 2:
            return 0.0
        return (ticks[-1][1] - ticks[0][1]) / (ticks[-1][0] - ticks[0][0])

    def line(self) -> tuple[float, float, float] | None:
        """(seconds per tick, index, time): the tempo at the last tick, and where the fit puts that tick; None
        before MIN_TICKS ticks, and for a flood of ticks (FLOOD_TICKS_PER_S). A tempo change found here starts the
        window again from the last beat's ticks."""
        if self._flooded():  # left behind: the clock that follows is read afresh, as after a pause
            self.ticks.clear()
            return None
        fitted = self._robust_fit()
        if fitted is not None and self._changed(fitted[0]):
            for _ in range(len(self.ticks) - KEPT_AFTER_CHANGE):
                self.ticks.popleft()
            self.changes += 1
            fitted = self._robust_fit()
        if fitted is None:
            return None
        line, points = fitted
        if _bends(points):
            self._ramping = True
            fit = _ramp(points)
        elif self._ramping:
            fit = self._ramp_ended()
        else:
            fit = line
        last = self.ticks[-1][0]
        slope = fit.slope_at(last)
        return (slope, last, fit.at(last)) if slope > 0 else None

    def _flooded(self) -> bool:
        """Whether the window's last FLOOD_TICKS ticks came faster on average than any tempo's (FLOOD_TICKS_PER_S)."""
        ticks = self.ticks
        if len(ticks) < FLOOD_TICKS:
            return False
        span = ticks[-1][1] - ticks[-FLOOD_TICKS][1]
        return span <= 0 or (FLOOD_TICKS - 1) / span > FLOOD_TICKS_PER_S

    def _robust_fit(self) -> tuple[Fit, list[tuple[int, float]]] | None:
        """The line through the ticks, and the ticks it was fitted to (those far off it left out)."""
        points = list(self.ticks)
        if len(points) < MIN_TICKS:
            return None
        fit = _fit(points)
        for _ in range(TRIM_ROUNDS):
            residuals = _residuals(points, fit)
            self._spread = 1.4826 * statistics.median(abs(r) for r in residuals)  # robust to a stall's ticks
            limit = max(TRIM * self._spread, FLOOR_S)
            kept = [p for p, r in zip(points, residuals) if abs(r) <= limit]
            if len(kept) < MIN_TICKS // 2:
                break
            fit = _fit(kept)
            done, points = len(kept) == len(points), kept
            if done:
                break
        return fit, points

    def _ramp_ended(self) -> Fit:
        """The window's ticks no longer bend clearly, but its line still holds the ramp's: a tempo up to a percent
        off and a beat placed a thirtieth of one away from where the parabola had it. The window starts again from
        the ticks of the last RAMP_WINDOW_S, those the parabola was read from, whose line goes on from it."""
        self._ramping = False
        since = self.ticks[-1][1] - RAMP_WINDOW_S
        while len(self.ticks) > MIN_TICKS and self.ticks[0][1] < since:
            self.ticks.popleft()
        fitted = self._robust_fit()
        assert fitted is not None  # MIN_TICKS ticks are kept
        return fitted[0]

    def _changed(self, fit: Fit) -> bool:
        recent = list(self.ticks)[-RECENT:]
        off = statistics.median(_residuals(recent, fit))
        now = recent[-1][1]
        if abs(off) <= TRIM * self._spread + CHANGE_FLOOR_S:
            self._drift_since = None
            return False
        late = off > 0
        if self._drift_since is None or late != self._drift_late:
            self._drift_since, self._drift_late = now, late
        if now - self._drift_since < fit.slope_at(recent[-1][0]) * TICKS_PER_BEAT:
            return False
        self._drift_since = None
        return True


class Fit(NamedTuple):
    """Arrival time t of tick i: mt + slope·(i − mi) + curve·(i − mi)², fitted to the ticks (mi: their mean index)."""

    slope: float
    mi: float
    mt: float
    curve: float = 0.0

    def at(self, i: float) -> float:
        x = i - self.mi
        return self.mt + (self.slope + self.curve * x) * x

    def slope_at(self, i: float) -> float:
        return self.slope + 2.0 * self.curve * (i - self.mi)


def _residuals(points: list[tuple[int, float]], fit: Fit) -> list[float]:
    return [t - fit.at(i) for i, t in points]


def _fit(points: list[tuple[int, float]], bend: float | None = None) -> Fit:
    """The straight line through the ticks; with `bend`, the parabola through them where they bend off that line
    `bend` times more than their jitter would make them (0: the parabola)."""
    n = len(points)
    mi = sum(i for i, _ in points) / n
    mt = sum(t for _, t in points) / n
    xs = [i - mi for i, _ in points]
    ys = [t - mt for _, t in points]
    sxx = sum(x * x for x in xs)
    if not sxx:
        return Fit(0.0, mi, mt)
    slope = sum(x * y for x, y in zip(xs, ys)) / sxx
    if bend is None:
        return Fit(slope, mi, mt)
    # the bend: the part of x² that no line holds (orthogonal to 1 and x), so the slope above stays the line's
    m2 = sxx / n
    beta = sum(x ** 3 for x in xs) / sxx
    qs = [x * x - m2 - beta * x for x in xs]
    sqq = sum(q * q for q in qs)
    if not sqq:
        return Fit(slope, mi, mt)
    c = sum(q * y for q, y in zip(qs, ys)) / sqq
    spread = 1.4826 * statistics.median(abs(y - slope * x - c * q) for x, y, q in zip(xs, ys, qs))
    # jitter alone bends the fitted parabola by about spread / √sqq: a clear bend is many times that
    if abs(c) * math.sqrt(sqq) <= bend * max(spread, FLOOR_S):
        return Fit(slope, mi, mt)
    return Fit(slope - c * beta, mi, mt - c * m2, c)


def _bends(points: list[tuple[int, float]]) -> bool:
    """Whether the window's ticks bend clearly off a line (a ramp): a line's slope is the tempo of the window's
    middle, seconds behind the last tick on a ramp (5 % on 120 to 140 bpm over 8 s). A steady clock keeps the whole
    window's line: no more jitter than it."""
    return points[-1][1] - points[0][1] >= BEND_SPAN_S and _fit(points, bend=BEND).curve != 0.0


def _ramp(points: list[tuple[int, float]]) -> Fit:
    """The tempo now where the ticks bend: the last RAMP_WINDOW_S of them fitted by a parabola (flat where the ramp
    has ended), whose tangent at the last tick is the tempo."""
    since = points[-1][1] - RAMP_WINDOW_S
    recent = [p for p in points if p[1] >= since]
    if len(recent) < MIN_TICKS:
        recent = points[-MIN_TICKS:]
    fit = _fit(recent, bend=0.0)
    beat = _fit(points[-TICKS_PER_BEAT:])
    if abs(fit.slope_at(points[-1][0]) - beat.slope) > RAMP_LEAD * beat.slope:
        return beat  # a step in tempo inside the 2 s (one the change test has yet to see), no ramp
    return fit


def _change_line(state: str, source: str, grid: Grid, beats_per_bar: int, link: bool = False) -> str:
    """What is said as the clock takes the tempo over (`state` live) or falls silent, handing it to `source`; `grid`
    the tempo's now; `link`: Ableton Link is on (--link), whose peers may take the tempo over too."""
    bpm = grid.bpm
    if state == "live":
        return f"MIDI clock: the tempo follows it ({bpm:.1f} bpm)"
    # a DAW closed for the night, a cable pulled for good: what else gives the beat, said alike stopped or running
    others = (f", or another tempo takes over: tap ({TAPS_NEEDED} times or more), bpm N"
              + (", or a peer in the Link session" if link else ""))
    if state == "silent" and not grid.running:  # a DAW stopped: most send no clock while stopped
        where = beat_words(math.floor(grid.beat + 1e-9), beats_per_bar)
        return (f"MIDI clock: stopped, and silent for {QUIET_S:g} s; the beat stays stopped at {where} ({bpm:.1f} "
                f"bpm) until the clock starts or continues{others}")
    if state == "silent":
        return (f"MIDI clock: silent for {QUIET_S:g} s; the beat goes on at its last tempo ({bpm:.1f} bpm) until it "
                f"is heard again{others}")
    return (f"MIDI clock: silent for {QUIET_S:g} s; the tempo comes from {source} ({bpm:.1f} bpm) until the clock is "
            "heard again")


class MidiClock:
    """Turns MIDI realtime messages into the tempo's "midi clock" source. Before any start, ticks count from the
    first one heard (beat 0); `start` puts beat 0 on the next tick, `continue` goes on from where `stop` froze the
    beat, a song position pointer moves it (while stopped, as a DAW sends it)."""

    def __init__(self, tempo: Tempo, window_s: float = WINDOW_S, say: Callable[[str], None] | None = None,
                 link: bool = False) -> None:
        self.tempo = tempo
        self.link = link  # Ableton Link is on: named where the stopped clock's tempo may be taken over
        self.fit = ClockFit(window_s)
        self._state: str | None = None  # the clock's part in the tempo when last heard: live, silent or other
        self._say = say
        self._state_lock = threading.Lock()  # not _lock: the tempo tells its listeners from within handle()
        self._changes: deque[float] = deque()  # when it took over or fell silent, over the last FLAP_S
        self._muted = False  # it came and went, and was said to: its changes go unsaid until it holds
        if say is not None:
            tempo.listen(self._heard)
        self.running = True
        self._index = 0  # ticks heard, for the fit (goes on through stops)
        self._position = -1  # song position of the last tick, in ticks (the next one is beat 0)
        self._resume = False  # the next tick restarts the beat (after start or continue)
        self._bpm: float | None = None
        self._lock = threading.Lock()

    def handle(self, msg, t: float | None = None) -> bool:
        """Takes a mido message that arrived at clock time `t` (the tempo's clock now without one); whether it
        was a clock message (others are left to the caller)."""
        kind = msg.type
        if kind not in ("clock", "start", "stop", "continue", "songpos"):
            return False
        with self._lock:
            t = self.tempo.clock() if t is None else t
            if kind == "clock":
                self._tick(t)
            elif kind == "start":
                self.running, self._position, self._resume = True, -1, True
            elif kind == "continue":
                self.running, self._resume = True, True
            elif kind == "stop":
                self.running = False
                self._tell(t, self._position / TICKS_PER_BEAT)
            else:  # songpos: the next tick plays there
                self._position = msg.pos * TICKS_PER_SONGPOS - 1
                if not self.running:
                    self._tell(t, msg.pos * TICKS_PER_SONGPOS / TICKS_PER_BEAT)
        return True

    @property
    def bpm(self) -> float | None:
        """The estimate (None before a beat's worth of ticks)."""
        return self._bpm

    def _tick(self, t: float) -> None:
        self._index += 1
        self.fit.add(self._index, t)
        if self.running:
            self._position += 1
        beat = self._position / TICKS_PER_BEAT
        if self._resume:  # the beat restarts on this very tick
            self._resume = False
            self._estimate()
            self._tell(t, beat)
        elif self._index % FIT_EVERY == 0:
            line = self._estimate()
            if line is not None:  # the grid through the fitted line: no single tick's lateness moves the beat
                slope, mi, mt = line
                self._tell(mt + slope * (self._index - mi) if self.running else t, beat)

    def _estimate(self) -> tuple[float, float, float] | None:
        line = self.fit.line()
        if line is None:
            return None
        bpm = 60.0 / (TICKS_PER_BEAT * line[0])
        if not PLAUSIBLE_BPM[0] <= bpm <= PLAUSIBLE_BPM[1]:
            return None
        self._bpm = bpm
        return line

    def _heard(self) -> None:
        """Says when the clock takes the tempo over and when it falls silent and hands it on (a pulled cable, a DAW
        that stops sending clock), or keeps the beat going at its last tempo where nothing else gives one: the status
        line's source alone left the beat jumping to a show's `bpm:` unsaid, where Link says as much of its last
        peer leaving."""
        got = self.tempo.grid()
        now = self.tempo.clock()
        if got is None:
            return
        source, grid = got
        state = "other" if source != "midi clock" else "silent" if silent(source, grid, now) else "live"
        with self._state_lock:
            was, self._state = self._state, state
            if state == was or not (state == "live" or was == "live"):
                return  # no change, or none of the clock's (a tempo before any clock, or set while it was silent)
            line = self._flapping(now)
            if line is None and self._muted:
                return
        self._say(line or _change_line(state, source, grid, self.tempo.beats_per_bar, self.link))

    def _flapping(self, now: float) -> str | None:
        """Counts a change at `now` (holding _state_lock); the line that says the clock comes and goes, the first time
        it changes more than FLAP_CHANGES times in FLAP_S. A change FLAP_S after the one before is said again."""
        changes = self._changes
        if changes and now - changes[-1] >= FLAP_S:
            self._muted = False
        changes.append(now)
        while now - changes[0] >= FLAP_S:
            changes.popleft()
        if self._muted or len(changes) <= FLAP_CHANGES:
            return None
        self._muted = True
        return (f"MIDI clock: came and went {len(changes)} times in {FLAP_S:g} s: check its cable and the DAW's clock "
                f"out (said no more until it holds for {FLAP_S:g} s; the status line shows the tempo's source)")

    def _tell(self, t: float, beat: float) -> None:
        if self._bpm is not None:
            self.tempo.set_bpm(self._bpm, "midi clock", (t, beat), running=self.running)
