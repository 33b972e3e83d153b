"""A long show with commands flowing: does vcam's memory stay flat?

Runs `vcam run SHOW --model tiny --size WxH --out null` with a command on its stdin every few seconds (presets,
new prompts, seeds, blends cycling), reads the process's resident memory (RSS) and thread count from /proc 4 times a
second, prints a row every 30 s (the lowest and highest RSS since the last row, the threads), and a verdict
judged by the lowest RSS of each window after a minute of warm-up: a leak raises even the lowest point of a
window, while the memory a block uses while it is made only makes peaks. scripts/soak.sh is the way to call it.

Exit code: 0 flat, 1 growing, 2 the show could not be run (or judged).
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOAD_TIMEOUT_S = 900.0  # building the tiny model and its first block at a large size, on a loaded CPU
EXIT_TIMEOUT_S = 120.0  # after `quit`: the block in progress ends first (tens of seconds at 832x480 on a CPU)
POLL_S = 0.25  # /proc is read this often: a row's lowest RSS is the trough between two blocks, not a chance point


@dataclass(frozen=True)
class Sample:
    t: float  # when its readings began, in seconds since the show went on air (negative: still loading)
    rss_mb: float  # the lowest RSS read since the previous sample
    threads: int  # the most threads read since the previous sample
    rss_high: float | None = None  # the highest RSS read since the previous sample


class Interval:
    """/proc readings gathered into one sample."""

    def __init__(self):
        self.low = self.high = None
        self.threads = 0

    def add(self, rss_mb: float, threads: int) -> None:
        self.low = rss_mb if self.low is None else min(self.low, rss_mb)
        self.high = rss_mb if self.high is None else max(self.high, rss_mb)
        self.threads = max(self.threads, threads)

    def take(self, t: float) -> Sample | None:
        """The sample of the readings so far (None without any), and a fresh start."""
        if self.low is None:
            return None
        s = Sample(t, self.low, self.threads, self.high)
        self.__init__()
        return s


@dataclass(frozen=True)
class Window:
    start: float  # seconds since on air
    min_rss: float
    max_rss: float
    min_threads: int
    max_threads: int


@dataclass(frozen=True)
class Verdict:
    growing: bool
    text: str


def windows(samples: Sequence[Sample], window_s: float, warmup_s: float = 0.0) -> list[Window]:
    """The samples from `warmup_s` seconds on air on, grouped into consecutive windows of `window_s` seconds (a
    last, partial window counts when it holds at least half a window of time, else it joins the one before)."""
    groups: dict[int, list[Sample]] = {}
    for s in samples:
        if s.t >= warmup_s:
            groups.setdefault(int((s.t - warmup_s) // window_s), []).append(s)
    keys = sorted(groups)
    if len(keys) > 1:
        last = keys[-1]
        if groups[last][-1].t - warmup_s - last * window_s < window_s / 2:
            groups[keys[-2]].extend(groups.pop(last))
    return [Window(warmup_s + k * window_s, min(s.rss_mb for s in g), max(s.rss_high or s.rss_mb for s in g),
                   min(s.threads for s in g), max(s.threads for s in g)) for k, g in sorted(groups.items())]


def verdict(samples: Sequence[Sample], window_s: float, margin_mb: float, margin_ratio: float = 0.1,
            warmup_s: float = 0.0) -> Verdict:
    """Flat or growing, by the windowed minimum of RSS after the warm-up (the first blocks fill the allocator and
    the caches): growing when the last window's lowest RSS is above the first's by more than `margin_mb` or
    `margin_ratio` of it, whichever is larger; or when the last window never has as few threads as the first ever
    had. ValueError with fewer than two windows."""
    ws = windows(samples, window_s, warmup_s)
    if len(ws) < 2:
        raise ValueError(f"fewer than two windows of {window_s / 60:g} min on air after the warm-up: run longer, "
                         "or pass a shorter --window")
    first, last = ws[0], ws[-1]
    allowed = max(margin_mb, margin_ratio * first.min_rss)
    rise = last.min_rss - first.min_rss
    mins = " -> ".join(f"{w.min_rss:.0f}" for w in ws)
    reasons = []
    if rise > allowed:
        reasons.append(f"RSS window minimums {mins} MB: +{rise:.0f} MB, more than the {allowed:.0f} MB allowed")
    if last.min_threads > first.max_threads:
        reasons.append(f"threads {first.max_threads} -> {last.min_threads}")
    if reasons:
        return Verdict(True, "GROWING: " + "; ".join(reasons))
    return Verdict(False, f"flat: RSS window minimums {mins} MB ({rise:+.0f} MB, {allowed:.0f} MB allowed); "
                          f"threads {first.min_threads}-{max(w.max_threads for w in ws)}")


def commands(presets: int = 5) -> Iterator[str]:
    """What an operator does in a long show, endlessly: presets, new prompts (each new, so the text encoder's cache
    fills), seeds, blends, transitions, steps and a status query."""
    n = 0
    while True:
        n += 1
        a = n % presets + 1
        yield from (f"preset {a}",
                    f"prompt a red fox crossing a snowy field at dawn, take {n}",
                    f"seed {n}",
                    "next",
                    f"blend {a} {(a % presets) + 1} {n % 10 / 10:.1f}",
                    f"transition {2 + n % 4}",
                    "prev",
                    f"steps {3 + n % 2}",
                    "status")


def read_proc(pid: int) -> tuple[float, int]:
    """(resident memory in MB, threads) of a running process, from /proc/PID/status."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.split()
    return int(fields["VmRSS"][0]) / 1024, int(fields["Threads"][0])


def table(samples: Sequence[Sample]) -> str:
    rows = [f"{'time':>8} {'lowest RSS':>11} {'highest RSS':>12} {'threads':>8}   (RSS in MB, since the row before)"]
    for s in samples:
        when = f"{s.t / 60:.1f}m" if s.t >= 0 else "loading"
        rows.append(f"{when:>8} {s.rss_mb:11.0f} {s.rss_high or s.rss_mb:12.0f} {s.threads:8d}")
    return "\n".join(rows)


def window_table(ws: Sequence[Window], window_s: float) -> str:
    rows = [f"  window ({window_s / 60:.3g} min)  lowest RSS  highest RSS  threads"]
    for w in ws:
        rows.append(f"  {w.start / 60:5.1f} -{(w.start + window_s) / 60:5.1f} min {w.min_rss:11.0f} {w.max_rss:12.0f} "
                    f"{w.min_threads:6d}-{w.max_threads}")
    return "\n".join(rows)


class Show:
    """The vcam process: commands in on a pipe, its stderr teed to a log file, 'on air' noticed."""

    def __init__(self, argv: list[str], log_path: Path):
        self.log = open(log_path, "w", encoding="utf-8", errors="replace")
        self.proc = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=self.log,
                                     stderr=subprocess.PIPE, start_new_session=True)
        self.on_air = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", errors="replace")
            self.log.write(line)
            self.log.flush()
            if "on air:" in line:
                self.on_air.set()

    def send(self, line: str) -> bool:
        try:
            self.proc.stdin.write((line + "\n").encode())
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError):
            return False

    def end(self) -> int:
        """`quit`, then SIGTERM, then SIGKILL, each after a generous wait; the exit code."""
        self.send("quit")
        for sig, wait in ((None, EXIT_TIMEOUT_S), (signal.SIGTERM, 30.0), (signal.SIGKILL, 30.0)):
            if sig is not None and self.proc.poll() is None:
                os.killpg(self.proc.pid, sig)
            try:
                code = self.proc.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue
        else:
            code = -1
        self._reader.join(10)
        self.log.close()
        return code


def run_soak(args: argparse.Namespace) -> int:
    if args.log:
        log_path = Path(args.log)
    else:
        with tempfile.NamedTemporaryFile(prefix="vcam-soak-", suffix=".log", delete=False) as f:
            log_path = Path(f.name)
    argv = [args.python, "-m", "vcam", "run", args.show, "--model", args.model, "--size", args.size,
            "--out", args.out]
    print(f"soak: {' '.join(argv[1:])}", flush=True)
    print(f"soak: {args.minutes:g} min on air, a command every {args.every:g} s, a row every "
          f"{args.sample_every:g} s (RSS read every {POLL_S:g} s); vcam's output: {log_path}", flush=True)
    show = Show(argv, log_path)
    print(table([]), flush=True)  # the header; a row follows every sample
    samples: list[Sample] = []
    interval = Interval()
    started = time.monotonic()
    on_air_at: float | None = None
    next_sample = started + args.sample_every
    next_command = next_poll = since = started  # since: when the readings of the next row began
    cycle = commands()
    sent = 0
    try:
        while show.proc.poll() is None:
            now = time.monotonic()
            if on_air_at is None and show.on_air.is_set():
                if (s := interval.take(-1.0)) is not None:  # the loading rows end here
                    print(table([s]).splitlines()[1], flush=True)
                on_air_at = since = now
                next_sample = now + args.sample_every
                print(f"soak: on air after {now - started:.0f} s", flush=True)
            if on_air_at is None and now - started > LOAD_TIMEOUT_S:
                print(f"soak: not on air after {LOAD_TIMEOUT_S:g} s; giving up", flush=True)
                break
            if now >= next_poll:
                next_poll += POLL_S
                try:
                    interval.add(*read_proc(show.proc.pid))
                except (OSError, KeyError, IndexError):
                    continue  # it just ended: the loop's test says so
            if now >= next_sample:
                next_sample += args.sample_every
                s = interval.take(since - on_air_at if on_air_at is not None else -1.0)
                since = now
                if s is not None:
                    samples.append(s)
                    print(table([s]).splitlines()[1], flush=True)
            if on_air_at is not None and now - on_air_at >= args.minutes * 60:
                break
            if on_air_at is not None and now >= next_command:
                next_command += args.every
                sent += show.send(next(cycle))
            due = min(next_poll, next_sample, next_command if on_air_at is not None else next_poll)
            time.sleep(min(0.5, max(0.0, due - time.monotonic())))  # and 'on air' is noticed within half a second
    finally:
        died = show.proc.poll()
        code = show.end()
    print(f"soak: {sent} commands sent; vcam exited with code {code}", flush=True)
    if died is not None:
        print(f"soak: vcam ended before the soak did; the end of its output ({log_path}):", flush=True)
        print("".join(log_path.read_text(errors="replace").splitlines(True)[-15:]), flush=True)
        return 2
    window_s = args.window * 60
    try:
        v = verdict(samples, window_s, args.margin, warmup_s=args.warmup * 60)
    except ValueError as e:
        print(f"\nsoak: no verdict: {e}", flush=True)
        return 2
    print(f"\nafter {args.warmup:g} min of warm-up:")
    print(window_table(windows(samples, window_s, args.warmup * 60), window_s))
    print(f"\nverdict: {v.text}", flush=True)
    return 1 if v.growing else 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="scripts/soak.sh", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--minutes", type=float, default=30.0, help="time on air, loading not counted (30)")
    p.add_argument("--size", default="832x480", help="generated frame size (832x480)")
    p.add_argument("--every", type=float, default=2.0, help="seconds between two commands (2)")
    p.add_argument("--sample-every", type=float, default=30.0,
                   help="seconds between two rows of the curve (30); /proc is read 4 times a second")
    p.add_argument("--warmup", type=float, default=1.0,
                   help="minutes on air left out of the verdict while the first blocks fill the allocator (1)")
    p.add_argument("--window", type=float, default=None,
                   help="minutes per window of the verdict (5, or a third of the judged time when shorter)")
    p.add_argument("--margin", type=float, default=64.0,
                   help="MB the last window's minimum may exceed the first's (64, or 10%% of it if larger)")
    p.add_argument("--model", default="tiny")
    p.add_argument("--show", default="presets/example.yaml", help="show file, relative to the repository")
    p.add_argument("--out", default="null", help="vcam's --out (null)")
    p.add_argument("--log", help="where vcam's output goes (default: a temporary file)")
    p.add_argument("--python", default=sys.executable, help="the Python that runs vcam (this one)")
    args = p.parse_args(argv)
    if args.warmup < 0 or args.minutes <= args.warmup:
        p.error("--minutes must be more than --warmup, and --warmup 0 or more")
    if args.window is None:
        args.window = min(5.0, (args.minutes - args.warmup) / 3)
    if args.every <= 0 or args.sample_every <= 0 or args.window <= 0:
        p.error("--every, --sample-every and --window must be more than 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    if not Path("/proc/self/status").exists():
        print("soak: needs /proc (Linux)", file=sys.stderr)
        return 2
    return run_soak(parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
