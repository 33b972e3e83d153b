"""scripts/soak.py: the verdict of a soak from synthetic RSS curves (no process is run)."""
from __future__ import annotations

import importlib.util
import itertools
import os
import sys
from pathlib import Path

import pytest

_path = Path(__file__).resolve().parent.parent / "scripts" / "soak.py"
_spec = importlib.util.spec_from_file_location("soak", _path)
soak = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("soak", soak)  # its dataclasses look their module up
_spec.loader.exec_module(soak)

MIN = 60.0


def curve(rss_at, minutes: float = 30, every: float = 30, threads=lambda t: 14, loading: int = 2):
    """Samples every `every` s for `minutes` on air, after a few taken while loading (t < 0, left out)."""
    pre = [soak.Sample(-1.0, 300.0, 5) for _ in range(loading)]
    n = int(minutes * MIN / every) + 1
    return pre + [soak.Sample(i * every, float(rss_at(i * every)), threads(i * every)) for i in range(n)]


def sawtooth(base: float, peak: float, period: float = 90):
    """Allocations in flight: peaks come and go, the floor stays."""
    return lambda t: base + (peak - base) * ((t % period) / period)


def test_a_flat_curve_with_peaks_is_flat():
    v = soak.verdict(curve(sawtooth(700, 1300)), 5 * MIN, margin_mb=64)
    assert not v.growing
    assert v.text.startswith("flat")


def test_a_rising_floor_is_growing():
    # the reported soak: the windowed minimum climbed 712 -> 899 -> 977 -> 1004 -> 1090 -> 1139 MB
    mins = [712, 899, 977, 1004, 1090, 1139]
    rising = lambda t: mins[min(5, int(t // (5 * MIN)))] + (200 if int(t // 30) % 3 else 0)
    v = soak.verdict(curve(rising), 5 * MIN, margin_mb=64)
    assert v.growing
    assert "712 -> 899 -> 977 -> 1004 -> 1090 -> 1139" in v.text


def test_a_slow_leak_past_the_margin_is_growing_and_noise_within_it_is_not():
    assert soak.verdict(curve(lambda t: 500 + t / MIN * 4), 5 * MIN, margin_mb=64).growing  # +100 MB in 25 min
    wobble = lambda t: 500 + 40 * ((t // 30) % 2)  # the 112x64 soak: minimums within 486-540
    assert not soak.verdict(curve(wobble), 5 * MIN, margin_mb=64).growing


def test_the_margin_is_a_share_of_a_large_process():
    # 1,500 MB -> 1,600 MB: within 10 % of the first minimum, past 64 MB
    step = lambda t: 1500 if t < 15 * MIN else 1600
    assert not soak.verdict(curve(step), 5 * MIN, margin_mb=64).growing
    assert soak.verdict(curve(step), 5 * MIN, margin_mb=64, margin_ratio=0.05).growing


def test_growing_threads_are_growing():
    v = soak.verdict(curve(lambda t: 600, threads=lambda t: 14 + int(t // (5 * MIN))), 5 * MIN, margin_mb=64)
    assert v.growing and "threads 14 -> 19" in v.text


def test_loading_samples_are_left_out_and_a_short_tail_joins_the_last_window():
    samples = curve(lambda t: 600, minutes=10.5)  # 0-5, 5-10 and half a minute: two windows
    ws = soak.windows(samples, 5 * MIN)
    assert [w.start for w in ws] == [0, 5 * MIN]
    assert all(w.min_rss == 600 for w in ws)  # the loading samples (300 MB) are not in the first window


def test_the_warm_up_is_left_out():
    # trimmed between blocks: the first trough is lower (the caches are still empty), then level
    settling = lambda t: 505 if t < MIN else 560 + 10 * ((t // 30) % 2)
    assert soak.verdict(curve(settling, minutes=10), 3 * MIN, margin_mb=40).growing
    v = soak.verdict(curve(settling, minutes=10), 3 * MIN, margin_mb=40, warmup_s=MIN)
    assert not v.growing
    assert [w.start for w in soak.windows(curve(settling, minutes=10), 3 * MIN, MIN)] == [MIN, 4 * MIN, 7 * MIN]


def test_too_short_to_judge():
    with pytest.raises(ValueError, match="fewer than two windows"):
        soak.verdict(curve(lambda t: 600, minutes=4), 5 * MIN, margin_mb=64)


def test_a_row_holds_the_lowest_and_highest_reading_and_windows_span_them():
    interval = soak.Interval()
    assert interval.take(0.0) is None
    for rss, threads in ((900, 11), (650, 12), (1250, 11)):  # a block's peak, then the trough after it
        interval.add(rss, threads)
    row = interval.take(30.0)
    assert (row.t, row.rss_mb, row.rss_high, row.threads) == (30.0, 650, 1250, 12)
    assert interval.take(60.0) is None  # a fresh start
    w = soak.windows([row, soak.Sample(60.0, 700, 11, 800)], 5 * MIN)[0]
    assert (w.min_rss, w.max_rss, w.min_threads, w.max_threads) == (650, 1250, 11, 12)


def test_commands_cycle_through_what_an_operator_does():
    from vcam.control.commands import parse

    lines = list(itertools.islice(soak.commands(presets=5), 40))
    for line in lines:
        assert parse(line) is not None, line  # every line is a command vcam takes
    names = {line.split()[0] for line in lines}
    assert {"preset", "prompt", "seed", "next", "blend"} <= names
    prompts = [line for line in lines if line.startswith("prompt")]
    assert len(set(prompts)) == len(prompts)  # new prompts, not one cached text


def test_read_proc_reads_this_process():
    rss, threads = soak.read_proc(os.getpid())
    assert rss > 10 and threads >= 1


def test_options_default_to_the_reported_soak_and_shrink_the_window_of_a_short_run():
    args = soak.parse_args([])
    assert (args.minutes, args.size, args.every, args.sample_every, args.window, args.warmup) == \
        (30, "832x480", 2, 30, 5, 1)
    assert soak.parse_args(["--minutes", "4"]).window == 1  # three windows after the warm-up
    with pytest.raises(SystemExit):
        soak.parse_args(["--minutes", "1"])  # nothing left to judge after the warm-up


@pytest.mark.slow  # a vcam process of its own for half a minute on air
def test_the_script_runs_a_short_show_and_prints_the_curve_and_a_verdict(tmp_path):
    import subprocess

    root = _path.parent.parent
    log = tmp_path / "vcam.log"
    out = subprocess.run(["bash", "scripts/soak.sh", "--minutes", "0.5", "--size", "112x64", "--every", "0.5",
                          "--sample-every", "2", "--warmup", "0.1", "--window", "0.1", "--log", str(log)], cwd=root,
                         env={**os.environ, "PYTHON": sys.executable}, capture_output=True, text=True, timeout=600)
    assert out.returncode in (0, 1), out.stdout + out.stderr  # flat or growing: judged, not failed
    assert "lowest RSS" in out.stdout and "\nverdict: " in out.stdout
    assert "vcam exited with code 0" in out.stdout
    assert "prompt set" in log.read_text()  # the commands reached the show
