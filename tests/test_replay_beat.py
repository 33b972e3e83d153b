"""A show on the beat, logged and replayed under a fake clock: the real tempo, quantizer, controller, control log
and pacer around a stand-in generator on a simulated timeline. A replay puts each change after the same generated
frame as the show did, and its beat grid falls on the same pictures, whatever the replay's loading time or speed;
a log from before the beat phase was kept still replays, its changes at their blocks."""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import script_module
from vcam.control.actions import SetPrompts, SetSeed
from vcam.control.controller import Controller, ShowState
from vcam.control.log import ControlLog, read_replay
from vcam.control.protocol import Shown
from vcam.control.show import parse_show
from vcam.control.tempo import Tempo
from vcam.live.pacer import Pacer, PacerSettings
from vcam.live.producer import Timetable
from vcam.live.quantize import Quantizer
from vcam.live.screen import Screen

SHOW = """\
presets:
  - {name: city, prompt: a neon city at night}
  - {name: ocean, prompt: ocean waves}
"""
BURST = 12  # frames a block
FPS = 32.0  # camera ticks 1/32 s apart and blocks of 7/8 s: times exact in binary, so a replay that loads 4 s longer
# has every tick and every frame exactly 4 s later (at 30 fps rounding moves a frame by a tick here and there)
POLL_S = 0.01  # how often the stand-in generator looks whether the pacer is still full


FakeTime = script_module("quantize_bench").FakeTime  # a clock, and a sleep that runs the events due meanwhile


class FakeGenerator:
    """vcam's generator on the fake timeline: loads for `load_s`, then applies what is due before each block (at its
    block, else the next), tells its listeners, takes `block_s` to make a block and pushes it numbered; waits while
    the pacer is full. A frame's pixels say its block, its index and the prompt and seed it was made with."""

    def __init__(self, ft: FakeTime, pacer: Pacer, block_s: float, load_s: float, limit: int | None = None):
        self.ft, self.pacer, self.block_s, self.limit = ft, pacer, block_s, limit
        self.table = Timetable()
        self.blocks = self.submitted = 0
        self.starting: list = []
        self.listeners: list = []
        self._applied: list = []
        self.prompt, self.seed = "start", 1
        self.made: list[tuple[str, int]] = []  # each block's prompt and seed
        ft.at(load_s, self._poll)

    def submit(self, action, at_block=None, origin=None) -> None:
        self.table.add(self.submitted if at_block is None else at_block, action, origin)

    def on_applied(self, listener) -> None:
        self._applied.append(listener)

    def _poll(self) -> None:
        if self.limit is not None and self.blocks >= self.limit:
            return
        if self.pacer.full():
            self.ft.at(self.ft.now + POLL_S, self._poll)
            return
        block = self.submitted
        for listener in self.starting:
            listener(block)
        for action, origin in self.table.due(block):
            if isinstance(action, SetPrompts):
                self.prompt = next(iter(action.prompts))
            elif isinstance(action, SetSeed):
                self.seed = action.seed
            for listener in self._applied:
                listener(action, block, origin)
        self.made.append((self.prompt, self.seed))
        self.ft.at(self.ft.now + self.block_s, lambda: self._made(block))

    def _made(self, block: int) -> None:
        self.submitted += 1
        frames = [np.full((2, 2, 3), (block + 1, i + 1, self.seed), np.uint8) for i in range(BURST)]
        self.pacer.push(frames, block)
        for listener in self.listeners:
            listener(frames)
        self.blocks += 1
        self._poll()


def frame_id(frame: np.ndarray) -> tuple[int, int] | None:
    """(block, index) of a frame made by FakeGenerator; None for black."""
    b, i, _ = (int(v) for v in frame[0, 0])
    return (b - 1, i - 1) if b else None


@dataclass
class Played:
    """What a run's camera did: each tick's (generated frame, frame shown, screen), and the beat at each generated
    frame as it came on screen."""

    ticks: list[tuple] = field(default_factory=list)
    beats: dict[tuple[int, int], float | None] = field(default_factory=dict)
    made: list[tuple[str, int]] = field(default_factory=list)
    blocks: int = 0
    said: list[str] = field(default_factory=list)

    def screen_changes(self) -> list[tuple[str, tuple[int, int]]]:
        """Each change of what the camera shows (live, freeze, blackout), with the generated frame of the tick just
        before it: the frame after which it was made."""
        changes, mode = [], "live"
        for k, (_, _, screen) in enumerate(self.ticks):
            if screen != mode:
                changes.append((screen, self.ticks[k - 1][0]))
                mode = screen
        return changes

    def frozen(self) -> list[tuple[int, int]]:
        return sorted({shown for _, shown, screen in self.ticks if screen == "freeze"})


def note(played: Played, frame: np.ndarray, out: np.ndarray) -> None:
    """What a tick showed: the generated frame on the camera, the picture out of the screen, and the screen's mode."""
    mode = "blackout" if not out.any() else "freeze" if out is not frame else "live"
    played.ticks.append((frame_id(frame), frame_id(out), mode))


def camera(ft: FakeTime, pacer: Pacer, screen: Screen, tempo: Tempo, played: Played, stop: threading.Event) -> None:
    """Runs the pacer on the fake timeline until `stop`, through the screen, noting what each tick showed."""
    pacer.on_frame_shown(lambda shown: played.beats.setdefault((shown.block, shown.index), tempo.beat(shown.since)))
    pacer.run(lambda frame, tick: note(played, frame, screen.apply(frame, pacer.showing())), stop, sleep=ft.sleep)


def show(path, block_s: float = 0.875, load_s: float = 3.0, end_s: float = 20.0) -> Played:
    """The show: tapped in while loading, a change on the bar, freeze, live, a new bpm, blackout; logged to `path`."""
    ft, stop, played = FakeTime(), threading.Event(), Played()
    pacer = Pacer(PacerSettings(fps=FPS, producer_waits=True), clock=ft.clock)
    tempo = Tempo(clock=ft.clock)
    gen = FakeGenerator(ft, pacer, block_s, load_s)
    quantizer = Quantizer(pacer, tempo, clock=ft.clock)
    quantizer.attach(gen)
    log = ControlLog(open(path, "w"), {"seed": 1})
    log.showing = pacer.showing
    pacer.on_frame_shown(log.frame_shown)
    state = ShowState(prompts={"start": 1.0})
    screen = Screen(state)  # as the show's camera's: the controller sets the screen through it
    ctl = Controller(parse_show(SHOW, "show.yaml"), state, gen, stop, played.said.append, log, tempo=tempo,
                     land=quantizer.land, clock=ft.clock, screen=screen)
    commands = [(1.13 + 0.5 * k, "tap") for k in range(4)] + [
        (6.31, "next @bar"), (9.71, "freeze"), (11.23, "live"), (12.47, "bpm 100"), (15.02, "seed 9 @beat"),
        (17.35, "blackout")]
    replies = {}
    for t, line in commands:
        ft.at(t, lambda line=line: replies.setdefault(line, ctl.handle_line(line, "stdin")))
    ft.at(end_s, stop.set)
    camera(ft, pacer, screen, tempo, played, stop)
    log.end(gen.blocks)
    assert "block" in replies["next @bar"] and "block" in replies["seed 9 @beat"]  # both were put on a boundary
    played.made, played.blocks = gen.made[:gen.blocks], gen.blocks
    return played


def replay(path, block_s: float, load_s: float) -> Played:
    """`vcam run --replay` of the log on the fake timeline, until every block is made and played."""
    ft, stop, played = FakeTime(), threading.Event(), Played()
    pacer = Pacer(PacerSettings(fps=FPS, producer_waits=True), clock=ft.clock)
    tempo = Tempo(clock=ft.clock)
    logged = read_replay(str(path))
    gen = FakeGenerator(ft, pacer, block_s, load_s, limit=logged.end_block)
    state = ShowState(prompts={"start": 1.0})
    logged.schedule(gen, state, tempo, pacer.on_frame_shown, played.said.append)

    def done() -> None:
        if gen.blocks >= logged.end_block and pacer.waiting() == 0:
            ft.at(ft.now + 0.5, stop.set)
        else:
            ft.at(ft.now + 0.1, done)

    ft.at(0.0, done)
    camera(ft, pacer, Screen(state), tempo, played, stop)
    played.made, played.blocks = gen.made[:gen.blocks], gen.blocks
    return played


def entries(path) -> list[dict]:
    return [json.loads(line) for line in open(path)][1:-1]


def test_a_replay_makes_the_same_blocks_and_puts_screen_changes_after_the_same_frames(tmp_path):
    path = tmp_path / "show.jsonl"
    original = show(path)
    ops = [(e["apply"]["op"], "shown" in e) for e in entries(path)]
    # the changes of the stream at their blocks; the screen's and the tempo's with the frame on screen then
    assert ("prompt", False) in ops and ("seed", False) in ops
    assert {op for op, shown in ops if shown} == {"screen", "tempo"}
    assert [m for m, _ in original.screen_changes()] == ["freeze", "live", "blackout"]
    for block_s, load_s in [(0.875, 7.0), (0.4, 1.0), (1.7, 2.0)]:  # loading longer, a faster card, a slower one
        again = replay(path, block_s, load_s)
        assert again.made == original.made  # the change on the bar and the one on the beat: the same blocks
        assert again.screen_changes() == original.screen_changes()
        assert again.frozen() == original.frozen() and len(original.frozen()) == 1
        assert again.said == []


def test_the_replayed_beat_falls_on_the_same_pictures(tmp_path):
    path = tmp_path / "show.jsonl"
    original = show(path)
    tempos = [e for e in entries(path) if e["apply"]["op"] == "tempo"]
    # tapped while loading: logged then, and placed again on the first frame; the bpm later, on its frame
    assert [("shown" in e, e["apply"]["bpm"]) for e in tempos] == [(False, 120.0), (True, 120.0), (True, 100.0)]
    assert tempos[1]["shown"] == [0, 0]
    # the same speed, 4 s more loading: every frame comes on screen 4 s later, and on the same beat; not compared:
    # the frame on screen while the bpm changed (the show's camera saw it come on under the old grid), and the last
    # blocks (the show made more behind them, which moved the pacer's pace)
    again = replay(path, 0.875, 7.0)
    changed = {tuple(e["shown"]) for e in tempos[2:]}
    common = [f for f in sorted(set(original.beats) & set(again.beats)) if f[0] < original.blocks - 2
              and f not in changed]
    assert len(common) > 10 * BURST
    assert all(again.beats[f] == pytest.approx(original.beats[f], abs=1e-3) for f in common)
    # at another speed the beat is placed again where the log placed it: on the first frame, and on the bpm's
    # frame (the beat of the new grid when that frame came on)
    faster = replay(path, 0.4, 1.0)
    assert faster.beats[(0, 0)] == pytest.approx(original.beats[(0, 0)], abs=1e-3)
    for e in tempos[1:]:
        assert faster.beats[tuple(e["shown"])] == pytest.approx(e["apply"]["beat"], abs=1e-3)


def test_a_log_without_the_beat_phase_replays_its_blocks_and_says_so_once(tmp_path):
    path = tmp_path / "show.jsonl"
    original = show(path)
    lines = [json.loads(line) for line in open(path)]
    old = tmp_path / "old.jsonl"  # as vcam wrote it before: no frame on screen, no beat
    with open(old, "w") as f:
        for line in lines:
            line.pop("shown", None)
            if "apply" in line:
                line["apply"].pop("beat", None)
            f.write(json.dumps(line) + "\n")
    again = replay(old, 0.875, 7.0)
    assert again.made == original.made
    assert len(again.said) == 1 and "keeps no beat phase" in again.said[0]
    assert [m for m, _ in again.screen_changes()] == ["freeze", "live", "blackout"]  # at their blocks, as before
    assert again.frozen() != original.frozen()  # by block, the camera held another picture than the show's
    # without the phase the replay's beat is its own: it misses the show's by more than a camera frame somewhere
    common = sorted(set(original.beats) & set(again.beats))
    assert max(abs(again.beats[f] - original.beats[f]) for f in common) > 0.1


def slow_blocks(block_s: float):
    """What happens to the generator at its moment: its blocks take `block_s` from then on (a card that slows)."""
    def happen(gen: FakeGenerator) -> None:
        gen.block_s = block_s
    return happen


def landed(path, events, end_s: float = 16.0, said: list[str] | None = None) -> tuple[float, float, list, int]:
    """A show of 0.875 s blocks at 120 bpm from 1 s, `events` (a line to type, or a happening) at their moments,
    logged to `path`: the seconds from the boundary of `next @8`'s grid nearest the moment its change's first frame
    came on the camera (on the grid that holds then), that grid's beat length, the blocks the status line measured
    a change on, and the block the change went into. `said`: takes the replies to the lines typed and the lines the
    show says."""
    said = [] if said is None else said
    ft, stop = FakeTime(), threading.Event()
    pacer = Pacer(PacerSettings(fps=FPS, producer_waits=True), clock=ft.clock)
    tempo = Tempo(clock=ft.clock)
    gen = FakeGenerator(ft, pacer, 0.875, 1.0)
    quantizer = Quantizer(pacer, tempo, clock=ft.clock)
    quantizer.attach(gen)
    log = ControlLog(open(path, "w"), {"seed": 1})
    ctl = Controller(parse_show(SHOW, "show.yaml"), ShowState(prompts={"start": 1.0}), gen, stop, said.append,
                     log, tempo=tempo, land=quantizer.land, clock=ft.clock)
    firsts: dict[int, float] = {}
    measured = []
    pacer.on_frame_shown(lambda shown: firsts.setdefault(shown.block, shown.since))
    pacer.on_frame_shown(lambda shown: quantizer.last in measured or measured.append(quantizer.last))
    for t, event in [(1.0, "bpm 120"), *events]:
        ft.at(t, (lambda e=event: e(gen)) if callable(event)
              else (lambda line=event: said.append(ctl.handle_line(line, "stdin"))))
    ft.at(end_s, stop.set)
    pacer.run(lambda frame, tick: None, stop, sleep=ft.sleep)
    log.end(gen.blocks)
    block = next(b for b, (prompt, _) in enumerate(gen.made) if prompt != "start")
    beat = tempo.beat(firsts[block])
    beat_s = 60.0 / tempo.bpm
    return (beat - round(beat / 8) * 8) * beat_s, beat_s, [m.block for m in measured if m is not None], block


@pytest.mark.parametrize("meanwhile", [[(5.3, "bpm 60")], [(5.3, "bpm 150")],
                                       [(5.2, slow_blocks(2.5)), (7.0, slow_blocks(0.875))]],
                         ids=["slower tempo", "faster tempo", "generator fallen behind"])
def test_a_change_on_the_beat_lands_on_the_boundary_of_the_grid_that_holds_when_its_block_is_made(tmp_path, meanwhile):
    """`next @8` typed 4 s before its boundary, then the tempo changed or the generator fell behind (blocks
    slower than the frames waiting could cover): the change kept the block chosen as it was typed, which reached the
    camera 3.9 s before the boundary of the slower tempo, 0.55 s after the faster one's, 1.1 s after the boundary
    behind the slow blocks. Chosen again as each block starts, it reaches the camera within half a block's worth
    of a boundary (the nearest a block can come, 0.44 s here, and a camera frame or two of prediction), and its
    replay makes it on the same block."""
    path = tmp_path / "show.jsonl"
    steady, _, measured, planned = landed(path, [(5.05, "next @8")])
    assert abs(steady) <= 0.875 / 2 + 2 / FPS and measured == [planned]
    offset, beat_s, measured, block = landed(path, [(5.05, "next @8"), *meanwhile])
    assert block != planned and abs(offset) <= 0.875 / 2 + 2 / FPS, (block, offset)
    assert measured == [block]  # the status line measured the block the change went into, and no other
    again = replay(path, 0.4, 1.0)
    assert next(b for b, (prompt, _) in enumerate(again.made) if prompt != "start") == block


def test_a_change_on_the_beat_placed_on_another_block_than_its_reply_named_says_so(tmp_path):
    """Placed again as each block starts, a change went into the block the control log names while its reply had
    named another, without a word: the operator reading the log against the replies found them a block or more
    apart."""
    path = tmp_path / "show.jsonl"
    said: list[str] = []
    _, _, _, planned = landed(path, [(5.05, "next @8")], said=said)
    assert said[1].endswith(f"on the 8-beat grid, block {planned}") and not [s for s in said if "as said" in s], said
    said.clear()
    _, _, _, block = landed(path, [(5.05, "next @8"), (5.2, slow_blocks(2.5)), (7.0, slow_blocks(0.875))], said=said)
    assert said[1].endswith(f"on the 8-beat grid, block {planned}") and block != planned, said
    assert [s for s in said if "as said" in s] == [
        f"next lands on block {block}, not block {planned} as said: the generator's pace or the tempo moved, and "
        f"block {block} now comes nearest the boundary on the 8-beat grid"], said
    assert [b for b, action in read_replay(str(path)).actions if isinstance(action, SetPrompts)] == [block]


def test_the_pacer_tells_each_numbered_frame_once_after_its_tick_and_says_which_is_on_screen():
    ft, stop = FakeTime(), threading.Event()
    pacer = Pacer(PacerSettings(fps=FPS, producer_waits=True), clock=ft.clock)
    told: list[Shown] = []
    emitted: list = []
    pacer.on_frame_shown(lambda shown: told.append((shown, len(emitted), pacer.showing())))
    assert pacer.showing() is None
    for t, block in [(0.05, 4), (0.45, 5)]:
        ft.at(t, lambda block=block: pacer.push([np.full((1, 1, 3), 3 * block + i, np.uint8) for i in range(3)],
                                                block))
    ft.at(0.9, lambda: pacer.push([np.full((1, 1, 3), 99, np.uint8)]))  # not numbered: never told
    ft.at(2.0, stop.set)
    pacer.run(lambda frame, tick: emitted.append(int(frame[0, 0, 0])), stop, sleep=ft.sleep)
    assert [(s.block, s.index) for s, _, _ in told] == [(4, 0), (4, 1), (4, 2), (5, 0), (5, 1), (5, 2)]
    assert emitted[-1] == 99
    for shown, ticks, on_screen in told:  # told after the tick that showed it, before the next
        assert on_screen == shown and emitted[ticks - 1] == 3 * shown.block + shown.index
        assert ticks == 1 or emitted[ticks - 2] != emitted[ticks - 1]
    assert pacer.showing() == told[-1][0]  # the unnumbered frame on screen leaves the last numbered one


class Racing(ShowState):
    """The show's state, where `race` runs on a thread of its own the instant a command's thread has set the screen,
    and that command goes on only once the race is done, at its next step (`step`: it reads the frame on screen or
    writes its log). Whatever the command holds then, the race falls in the window between setting the screen and
    the rest of the command, where a camera's tick or a network client's snapshot can come at any time."""

    race = None  # what runs in the next window
    racing = None  # (the command's thread, the race's end) while a race runs
    failed: list = []

    def __setattr__(self, name, value):
        super().__setattr__(name, value)
        if name == "screen" and self.race is not None:
            race, done = self.race, threading.Event()
            self.race, self.racing = None, (threading.get_ident(), done)
            threading.Thread(target=self._run, args=(race, done), daemon=True).start()

    def _run(self, race, done: threading.Event) -> None:
        try:
            race()
        except Exception as e:  # told to the test, on its own thread
            self.failed.append(e)
        finally:
            done.set()

    def step(self) -> None:
        if self.racing is not None and self.racing[0] == threading.get_ident():
            done, self.racing = self.racing[1], None
            assert done.wait(60), "the race is held by the command it races"


class RacingLog:
    """A log file whose every write is a step of the command writing it (Racing.step)."""

    def __init__(self, path, state: Racing):
        self.out, self.state = open(path, "w"), state
        self.writers: set[int] = set()  # the threads that wrote

    def write(self, text: str) -> int:
        self.writers.add(threading.get_ident())
        self.state.step()
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()

    def close(self) -> None:
        self.out.close()


def show_with_races(path, racing: str) -> tuple[Played, list, list]:
    """Freeze, live and blackout typed on this thread, each with a race forced into the window right after its
    screen is set: the camera's tick on another thread ("tick"), a network client's snapshot ("snapshot"), or both;
    the camera plays one generated frame a tick (blocks pushed ahead). Returns what the camera did, the snapshot
    after each command, and each racing snapshot with the one before its command."""
    now, played, blocks = [0.0], Played(), 6
    pacer = Pacer(PacerSettings(fps=FPS, producer_waits=True), clock=lambda: now[0])
    for block in range(blocks):
        now[0] = block * BURST / FPS
        pacer.push([np.full((2, 2, 3), (block + 1, i + 1, 1), np.uint8) for i in range(BURST)], block)
    state = Racing(prompts={"start": 1.0})
    state.failed = []
    out = RacingLog(path, state)
    log = ControlLog(out, {"seed": 1})
    log.showing = pacer.showing
    screen = Screen(state)

    def tick() -> None:  # as the show's camera: the pacer's tick, through the screen with the frame on screen
        now[0] += 1 / FPS
        frame = pacer.tick()
        note(played, frame, screen.apply(frame, pacer.showing()))

    gen = SimpleNamespace(blocks=blocks, submit=lambda *a, **k: None, on_applied=lambda listener: None)
    ctl = Controller(None, state, gen, threading.Event(), played.said.append, log, clock=lambda: now[0],
                     screen=screen)
    after, raced = [], []
    for line in ["freeze", "live", "blackout"]:
        for _ in range(7):
            tick()
        before = ctl.snapshot()

        def race(before=before) -> None:
            if "tick" in racing:
                tick()
            if "snapshot" in racing:
                raced.append((before, ctl.snapshot()))

        state.race = race
        assert ctl.handle_line(line, "stdin") == f"screen: {line}"
        assert state.race is None and state.racing is None  # it ran in the window, and the command waited for it
        after.append(ctl.snapshot())
    for _ in range(7):
        tick()
    log.end(blocks)
    assert not state.failed
    assert out.writers == {threading.get_ident()}  # the commands' thread: a camera's tick writes nothing
    assert len({t[0] for t in played.ticks}) == len(played.ticks)  # a new generated frame each tick
    played.made, played.blocks = [("start", 1)] * blocks, blocks
    return played, after, raced


def pair(snapshot: dict) -> tuple:
    at = snapshot["screen_at"]
    return snapshot["screen"], tuple(at) if at is not None else None


@pytest.mark.parametrize("racing", ["tick", "snapshot", "tick and snapshot"])
def test_a_screen_change_names_the_frame_the_camera_held_though_a_tick_or_a_snapshot_races_it(tmp_path, racing):
    """A camera tick on another thread in the instant after a command's thread set the screen: the camera froze on
    the frame before that tick, and the log, the clients' state (`screen_at`) and the held picture all name that
    one, not the one the tick brought on; blackout and live the same. A snapshot taken in that instant tells the
    mode with its own frame, or the mode before with the frame before: never a new mode with an old frame.
    Replayed, the camera holds and changes after the same frames."""
    path = tmp_path / "show.jsonl"
    original, after, raced = show_with_races(path, racing)
    changes = original.screen_changes()
    assert [m for m, _ in changes] == ["freeze", "live", "blackout"]
    logged = [(e["apply"]["mode"], tuple(e["shown"])) for e in entries(path)]
    assert logged == changes  # each with the generated frame of the tick before the one that showed it
    assert [pair(s) for s in after] == changes  # what network clients are told: the same frames
    assert original.frozen() == [changes[0][1]]  # the freeze held the frame it is logged with
    assert len(raced) == (3 if "snapshot" in racing else 0)
    for (before, during), change in zip(raced, changes):
        assert pair(during) in (pair(before), change)
    again = replay(path, 0.875, 3.0)
    assert again.screen_changes() == changes and again.frozen() == original.frozen()
