"""`vcam bench --tune` saves the fastest speed options per card; `vcam run` and `vcam serve` pick them up."""
import dataclasses
import errno
import gc
import io
import itertools
import json
import os
import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest
import torch

from vcam.bench import tuning
from vcam.bench.bench import BenchSettings
from vcam.cli import build_parser, main
from vcam.live.run import RunOptions, run
from vcam.live.signals import StoppedLoading
from vcam.engine.speed import SpeedFlags, SpeedOptions
from vcam.bench.tuning import TuningKey, candidates, choose_speed, live_choice, lookup, tune, tuning_path

TINY = BenchSettings(model="tiny", steps=1, blocks=1, warmup=2, device="cpu")
TORCH = torch.__version__


def timing_recorded(monkeypatch) -> list:
    """The bench stood in by one that records each candidate it is asked to time, each at 3 frames/s."""
    timed = []
    monkeypatch.setattr(tuning, "bench", lambda settings, log=print: timed.append(settings) or SimpleNamespace(
        frames_per_second=3.0))
    return timed


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    return tmp_path


def cpu_key(**changes) -> TuningKey:
    fields = dict(device="cpu", torch=TORCH, model="tiny", width=112, height=64, steps=1, dtype="float32",
                  quant="none")
    return TuningKey(**{**fields, **changes})


def fake_bench(rates: dict[str, float | BaseException]):
    """A bench that answers at once: frames/s by the options' describe(), or raises what it is given."""
    def run_one(settings, log=print):
        rate = rates[settings.speed.describe()]
        if isinstance(rate, BaseException):
            raise rate
        return SimpleNamespace(frames_per_second=rate)

    return run_one


def test_where_the_file_lives(monkeypatch, tmp_path):
    assert tuning_path() == tmp_path / "tuning.json"
    monkeypatch.delenv("VCAM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert tuning_path() == tmp_path / "xdg" / "vcam" / "tuning.json"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert tuning_path() == tmp_path / "home" / ".cache" / "vcam" / "tuning.json"
    # a relative one is ignored, as the XDG spec says: `vcam bench --tune` saved where it was started, and a show
    # started from another folder did not find it
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert tuning_path() == tmp_path / "home" / ".cache" / "vcam" / "tuning.json"
    monkeypatch.setenv("XDG_CACHE_HOME", "~/xdg")
    assert tuning_path() == tmp_path / "home" / "xdg" / "vcam" / "tuning.json"


@pytest.mark.parametrize("quant", ["none", "fp8"])
def test_candidates_keep_the_quant_and_the_exact_paths(quant):
    on_cuda = candidates("cuda", quant)
    assert 1 < len(on_cuda) <= 10 and len(set(on_cuda)) == len(on_cuda)
    assert on_cuda[0] == SpeedOptions.live_defaults(on_gpu=True, quant=quant) == SpeedOptions(compile=True,
                                                                                               quant=quant)
    assert SpeedOptions(quant=quant) in on_cuda  # the eager baseline is measured too
    assert all(c.quant == quant and c.fuse for c in on_cuda)
    assert {c.attention for c in on_cuda} >= {"auto", "cudnn", "flash", "efficient"}
    assert any(c.compile for c in on_cuda) and not all(c.compile for c in on_cuda)
    on_cpu = candidates("cpu", quant)
    assert on_cpu[0] == SpeedOptions(quant=quant) and len(set(on_cpu)) == len(on_cpu)
    assert all(c.quant == quant and not c.compile for c in on_cpu)
    assert {(c.fuse, c.attention) for c in on_cpu} == {(True, "auto"), (True, "math"), (False, "auto"),
                                                       (False, "math")}


def test_a_relative_cache_dir_is_made_whole_and_said_once(monkeypatch, tmp_path, capsys):
    """A relative VCAM_CACHE_DIR put the tuning wherever vcam started: a show started elsewhere did not find what
    `vcam bench --tune` saved, with no word why. It is said once, with the whole path to set."""
    from vcam.engine import cachedir

    monkeypatch.setattr(cachedir, "_said", set())
    (tmp_path / "a").mkdir()
    monkeypatch.chdir(tmp_path / "a")
    monkeypatch.setenv("VCAM_CACHE_DIR", "cache")
    assert tuning_path() == tmp_path / "a" / "cache" / "tuning.json"
    assert tuning_path() == tmp_path / "a" / "cache" / "tuning.json"
    said = capsys.readouterr().err.splitlines()
    assert len(said) == 1 and "VCAM_CACHE_DIR=cache is relative" in said[0] and str(tmp_path / "a" / "cache") in said[0]


def test_real_tune_on_tiny_saves_every_candidate_and_the_fastest(cache_dir):
    result = tune(TINY, log=lambda s: None)
    assert result.saved and result.path == cache_dir / "tuning.json"
    assert [t.options for t in result.trials] == candidates("cpu", "none")
    assert all(t.frames_per_second > 0 for t in result.trials)
    fastest = max(t.frames_per_second for t in result.trials)
    first = result.trials[0].frames_per_second  # kept unless beaten by more than timing noise
    assert result.best.frames_per_second == fastest or (
        result.best is result.trials[0] and fastest < tuning.MEANINGFUL_GAIN * first)
    entry = json.loads(result.path.read_text())["entries"][cpu_key().text()]
    assert entry["options"] == result.best.options.to_dict()
    assert len(entry["candidates"]) == 4 and entry["date"][:4].isdigit()
    # the defaults kept within timing noise of a faster row are marked as kept, not as the fastest
    mark = "<- fastest" if result.best.frames_per_second == fastest else "<- kept: no other is faster by more than"
    assert mark in result.table() and str(result.path) in result.table()
    options, _ = lookup("cpu", "tiny", 112, 64, 1, "float32", "none")
    assert options == result.best.options


def test_the_fastest_wins_and_a_failing_candidate_is_recorded(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench({
        "eager": 5.0, "attention math": 7.5, "no fuse": RuntimeError("no kernel for this card\nmore text"),
        "no fuse, attention math": 6.0}))
    result = tune(TINY, log=lambda s: None)
    assert result.best.options == SpeedOptions(attention="math")
    failed = [t for t in result.trials if t.error]
    assert len(failed) == 1 and failed[0].error == "RuntimeError: no kernel for this card\nmore text"
    assert "failed" in result.table() and "no kernel for this card" in result.table()
    entry = json.loads((cache_dir / "tuning.json").read_text())["entries"][cpu_key().text()]
    assert entry["frames_per_second"] == 7.5
    assert {c.get("error") for c in entry["candidates"]} == {None, "RuntimeError: no kernel for this card\nmore text"}
    data = json.loads(result.to_json())
    assert data["saved"] and data["best"]["options"]["attention"] == "math" and len(data["candidates"]) == 4


def test_nothing_is_saved_when_every_candidate_fails(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): ValueError("broken")
                                                     for c in candidates("cpu", "none")}))
    result = tune(TINY, log=lambda s: None)
    assert result.best is None and not result.saved and not (cache_dir / "tuning.json").exists()
    assert "nothing saved" in result.table()


def test_the_budget_stops_new_candidates_after_one_ran(monkeypatch):
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 1.0 + i for i, c in
                                                     enumerate(candidates("cpu", "none"))}))
    ticks = iter(range(0, 1000, 20))  # each call of the clock: 20 s later
    result = tune(TINY, log=lambda s: None, budget_s=45, clock=lambda: next(ticks))
    assert [t.skipped for t in result.trials] == [False, False, True, True]
    assert result.best.options == candidates("cpu", "none")[1] and "not tried" in result.table()
    # each untried row said "(the time budget was spent, or tuning stopped: see above)": said once, with its reason
    table = result.table()
    assert table.count("not tried") == 3 and table.count("the time budget") == 1
    assert "\n2 candidates not tried: the time budget (--tune-budget 45) was spent\n" in table


def test_tuning_keeps_other_entries_and_replaces_its_own(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 9.0, "attention math": 1.0, "no fuse": 1.0,
                                                     "no fuse, attention math": 1.0}))
    tune(TINY, log=lambda s: None)
    tune(BenchSettings(**{**TINY.__dict__, "steps": 2}), log=lambda s: None)
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 1.0, "attention math": 1.0, "no fuse": 9.0,
                                                     "no fuse, attention math": 1.0}))
    tune(TINY, log=lambda s: None)
    entries = json.loads((cache_dir / "tuning.json").read_text())["entries"]
    assert len(entries) == 2 and not [p for p in os.listdir(cache_dir) if p.endswith(".tmp")]
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none")[0] == SpeedOptions(fuse=False)
    assert lookup("cpu", "tiny", 112, 64, 2, "float32", "none")[0] == SpeedOptions()


def test_two_tunes_ending_together_each_keep_their_entry(monkeypatch, cache_dir):
    """A second card's tune saving while the first one writes must not read the file before the first is done."""
    import threading

    path = cache_dir / "tuning.json"
    first_writing, let_first_finish = threading.Event(), threading.Event()
    write = tuning._write_entries

    def slow_write(p, entries, written=None):
        if "first" in entries:
            first_writing.set()
            assert let_first_finish.wait(60)
        write(p, entries, written)

    monkeypatch.setattr(tuning, "_write_entries", slow_write)
    first = threading.Thread(target=tuning._save_entry, args=(path, "first", {"n": 1}, print))
    second = threading.Thread(target=tuning._save_entry, args=(path, "second", {"n": 2}, print))
    first.start()
    assert first_writing.wait(60)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the lock, not reading the file the first is about to replace
    let_first_finish.set()
    first.join(60), second.join(60)
    assert not first.is_alive() and not second.is_alive()
    assert set(json.loads(path.read_text())["entries"]) == {"first", "second"}


def test_lookup_misses_on_other_settings(monkeypatch):
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 1.0, "attention math": 2.0, "no fuse": 1.0,
                                                     "no fuse, attention math": 1.0}))
    tune(TINY, log=lambda s: None)
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None
    for other in [dict(width=224, height=128), dict(model="krea-14b"), dict(quant="fp8"), dict(steps=4),
                  dict(dtype="bfloat16"), dict(device_name="NVIDIA H100 80GB HBM3")]:
        args = {**dict(device_name="cpu", model="tiny", width=112, height=64, steps=1, dtype="float32",
                       quant="none"), **other}
        assert lookup(**args) is None, other
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none", torch_version="1.0") is None


KEY = cpu_key().text()


@pytest.mark.parametrize("content", [
    "{not json",
    "[1, 2]",
    '{"version": 1}',
    json.dumps({"entries": {KEY: {"options": {"fuse": "yes"}}}}),
    json.dumps({"entries": {KEY: {"options": {"attention": "warp"}}}}),
    json.dumps({"entries": {KEY: "compile"}}),
    b"\xff\xfe binary",
])
def test_a_damaged_file_warns_once_and_is_ignored(cache_dir, content):
    path = cache_dir / "tuning.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    warnings = []
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none", warn=warnings.append) is None
    assert len(warnings) == 1 and str(path) in warnings[0] and "vcam bench --tune" in warnings[0]
    choice = choose_speed(cpu_key(), {}, warn=warnings.append)
    assert choice.options == SpeedOptions() and len(warnings) == 2


def test_an_unreadable_file_warns_and_tuning_replaces_it(cache_dir, monkeypatch):
    (cache_dir / "tuning.json").mkdir()  # reading it fails with an OSError
    warnings = []
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none", warn=warnings.append) is None
    assert len(warnings) == 1 and "cannot read" in warnings[0]
    (cache_dir / "tuning.json").rmdir()
    (cache_dir / "tuning.json").write_text("{broken")
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    logged = []
    assert tune(TINY, log=logged.append).saved
    assert any("replacing the unreadable tuning file" in line for line in logged)
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None


def test_tuning_keeps_an_unreadable_file_it_replaces_under_a_free_name(cache_dir, monkeypatch):
    """A stray comma in a hand-edited file: the tune that replaces it keeps it as tuning.json.bak (numbered where
    that is taken), so the other cards' entries can be mended, and says where."""
    path = cache_dir / "tuning.json"
    damaged = '{"version": 1, "entries": {"other card": {"options": {}},}}'
    path.write_text(damaged)
    (cache_dir / "tuning.json.bak").write_text("an earlier copy")
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    logged = []
    assert tune(TINY, log=logged.append).saved
    kept = cache_dir / "tuning.json.bak.1"
    assert kept.read_text() == damaged and (cache_dir / "tuning.json.bak").read_text() == "an earlier copy"
    assert any("replacing the unreadable tuning file" in line and str(kept) in line for line in logged)
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None


def test_an_unreadable_file_is_moved_aside_where_no_second_name_can_be_made(cache_dir, monkeypatch):
    """A disk without hard links (or another user's file): the damaged file is renamed aside instead."""
    path = cache_dir / "tuning.json"
    path.write_text("{broken")

    def no_links(src, dst, **kw):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(tuning.os, "link", no_links)
    logged = []
    tuning._write_entry(path, "key", {"options": {}}, logged.append)
    assert (cache_dir / "tuning.json.bak").read_text() == "{broken"
    assert json.loads(path.read_text())["entries"] == {"key": {"options": {}}}
    assert str(cache_dir / "tuning.json.bak") in logged[0]


def test_a_hand_edited_quant_is_never_chosen(cache_dir):
    entry = {"options": {"quant": "fp8", "compile": True}, "date": "2026-01-02T03:04:05", "frames_per_second": 2.0}
    (cache_dir / "tuning.json").write_text(json.dumps({"version": 1, "entries": {KEY: entry}}))
    options, _ = lookup("cpu", "tiny", 112, 64, 1, "float32", "none")
    assert options == SpeedOptions(compile=True)

def tuned_rates(*args, **query) -> dict:
    """The frames/s alone of the rates the tuning file gives a show."""
    return {size: rate.frames_per_second for size, rate in tuning.measured_rates(*args, **query).items()}


def save_entry(cache_dir, key: TuningKey, options: SpeedOptions, fps: float = 7.9):
    entry = {"options": options.to_dict(), "date": "2026-11-27T10:00:00", "frames_per_second": fps}
    (cache_dir / "tuning.json").write_text(json.dumps({"version": 1, "entries": {key.text(): entry}}))


NO_FLAGS = SpeedFlags()


def test_choice_tuned_flags_and_no_tuning(cache_dir):
    card = cpu_key(device="NVIDIA H100 80GB HBM3", dtype="bfloat16", model="krea-14b", width=832, height=480)
    save_entry(cache_dir, card, SpeedOptions(compile=True, attention="cudnn"))
    tuned = choose_speed(card, NO_FLAGS)
    assert tuned.source == "tuned" and tuned.options == SpeedOptions(compile=True, attention="cudnn")
    assert tuned.message == "speed: tuned on 2026-11-27 (compile, attention cudnn: 7.9 frames/s in bench)"
    by_hand = choose_speed(card, SpeedFlags(attention="flash"))  # the defaults plus the flag, not the tuning
    assert by_hand.source == "flags" and by_hand.options == SpeedOptions(compile=True, attention="flash")
    eager = choose_speed(card, SpeedFlags(compile=False))
    assert eager.options == SpeedOptions() and eager.message == "speed: eager (as given)"
    untuned = choose_speed(card, NO_FLAGS, use_tuning=False)
    assert untuned.options == SpeedOptions(compile=True)
    assert untuned.message == "speed: compile (the defaults, --no-tuning)"
    other = choose_speed(cpu_key(device="NVIDIA H100 80GB HBM3", model="krea-14b", quant="fp8"), NO_FLAGS)
    assert other.source == "defaults" and other.options == SpeedOptions(compile=True, quant="fp8")
    assert "vcam bench --tune" in other.message  # a card without tuning gets the hint
    fp8_by_hand = choose_speed(cpu_key(quant="fp8"), SpeedFlags(compile=True))
    assert fp8_by_hand.options == SpeedOptions(compile=True, quant="fp8")
    assert "FP8 is no faster" not in fp8_by_hand.message
    fp8_eager = choose_speed(cpu_key(device="NVIDIA H100 80GB HBM3", quant="fp8"), SpeedFlags(compile=False))
    assert fp8_eager.options == SpeedOptions(quant="fp8") and "FP8 is no faster than bf16 without compiling" in \
        fp8_eager.message
    assert choose_speed(cpu_key(), NO_FLAGS).message is None  # the CPU needs no hint
    with pytest.raises(ValueError, match="not a speed flag"):
        SpeedFlags.from_dict({"fuse": False})


def test_run_resolves_its_speed_from_its_options(cache_dir):
    save_entry(cache_dir, cpu_key(), SpeedOptions(fuse=False, attention="math"))
    warn = []
    def choice(steps=1, flags=NO_FLAGS, use_tuning=True):
        return live_choice("tiny", 112, 64, steps, None, flags, use_tuning=use_tuning, warn=warn.append)

    assert choice().options == SpeedOptions(fuse=False, attention="math")
    assert choice(use_tuning=False).options == SpeedOptions()
    assert choice(flags=SpeedFlags(attention="math")).options == SpeedOptions(attention="math")
    assert choice(steps=4).source == "defaults"  # other steps
    assert not warn


def test_the_live_flags_parse(monkeypatch):
    for command in ("run", "serve"):
        args = build_parser().parse_args([command])
        assert (args.compile, args.attention, args.tuning) == (None, None, True)
        assert build_parser().parse_args([command, "--no-compile"]).compile is False
        args = build_parser().parse_args([command, "--compile", "--attention", "cudnn", "--no-tuning"])
        assert (args.compile, args.attention, args.tuning) == (True, "cudnn", False)


def test_a_show_runs_with_the_tuned_options(cache_dir, monkeypatch):
    import vcam.engine.load

    save_entry(cache_dir, cpu_key(steps=2), SpeedOptions(attention="math"))
    used = []
    real_load = vcam.engine.load.load
    monkeypatch.setattr(vcam.engine.load, "load", lambda *a, **k: used.append(k["speed"]) or real_load(*a, **k))
    out = io.StringIO()
    assert run(RunOptions(model="tiny", steps=2, outs=["null"], duration=0.5, stdin=False, status_out=out)) == 0
    assert used == [SpeedOptions(attention="math")]
    assert "speed: tuned on 2026-11-27 (attention math" in out.getvalue()


def test_tune_refuses_speed_flags_it_would_ignore(capsys):
    assert main(["bench", "--tune", "--model", "tiny", "--compile"]) == 2
    assert "--compile" in capsys.readouterr().err
    assert main(["bench", "--model", "tiny", "--tune-budget", "5"]) == 2
    assert main(["bench", "--tune", "--model", "tiny", "--no-compile"]) == 2
    assert "--no-compile" in capsys.readouterr().err


def test_bench_compiles_by_default_where_a_show_would(monkeypatch):
    """Plain `vcam bench` times what `vcam run` runs: compiled for a real model on a GPU, eager for tiny."""
    import torch

    import vcam.bench.bench
    import vcam.cmdline.bench
    from vcam.bench.bench import BenchSettings, BenchTarget

    def target(model):
        return lambda settings, log: BenchTarget(torch.device("cuda"), "NVIDIA H100 80GB HBM3", model,
                                                 torch.bfloat16, 832, 480)

    monkeypatch.setattr(vcam.bench.bench, "bench_target", target("krea-14b"))
    assert vcam.cmdline.bench._live_compile(BenchSettings())
    monkeypatch.setattr(vcam.bench.bench, "bench_target", target("tiny"))
    assert not vcam.cmdline.bench._live_compile(BenchSettings(model="tiny"))
    ran = []
    monkeypatch.setattr(vcam.bench.bench, "bench", lambda settings, log: ran.append(settings) or (_ for _ in ()).throw(
        KeyboardInterrupt))
    monkeypatch.setattr(vcam.bench.bench, "bench_target", target("krea-14b"))
    for flags, compiled in (([], True), (["--no-compile"], False), (["--compile"], True)):
        main(["bench", *flags])
        assert ran.pop().speed.compile is compiled, flags


def test_bench_tune_json_through_the_command(cache_dir, capsys):
    code = main(["bench", "--tune", "--json", "--model", "tiny", "--blocks", "1", "--warmup", "2", "--steps", "1"])
    out = capsys.readouterr()
    assert code == 0, out.err
    data = json.loads(out.out)
    assert data["saved"] and data["path"] == str(cache_dir / "tuning.json")
    assert data["key"]["model"] == "tiny" and data["key"]["dtype"] == "float32" and len(data["candidates"]) == 4
    fastest = max(c["frames_per_second"] for c in data["candidates"])
    first = data["candidates"][0]["frames_per_second"]  # kept unless beaten by more than timing noise
    assert data["best"]["frames_per_second"] in ({fastest} if fastest >= tuning.MEANINGFUL_GAIN * first
                                                 else {fastest, first})
    assert KEY in json.loads((cache_dir / "tuning.json").read_text())["entries"]


def test_a_candidate_within_timing_noise_of_the_defaults_does_not_replace_them(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": 5.1, "no fuse": 4.0,
                                                     "no fuse, attention math": 4.0}))
    assert tune(TINY, log=lambda s: None).best.options == SpeedOptions()  # 2 % is noise, not a reason
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": 5.3, "no fuse": 4.0,
                                                     "no fuse, attention math": 4.0}))
    assert tune(TINY, log=lambda s: None).best.options == SpeedOptions(attention="math")


def test_where_compiling_fails_eager_is_the_reference_for_the_noise_rule():
    from vcam.bench.tuning import Trial, _fastest

    compiled, cudnn = SpeedOptions(compile=True), SpeedOptions(compile=True, attention="cudnn")
    eager, eager_cudnn = SpeedOptions(), SpeedOptions(attention="cudnn")
    trials = [Trial(compiled, None, "BackendCompilerFailed"), Trial(cudnn, None, "BackendCompilerFailed"),
              Trial(eager, 5.79), Trial(eager_cudnn, 5.80)]
    assert _fastest(trials).options == eager  # 0.2 % is noise
    trials[3] = Trial(eager_cudnn, 6.5)
    assert _fastest(trials).options == eager_cudnn
    assert _fastest([Trial(compiled, 8.2), Trial(cudnn, 8.3), Trial(eager, 5.8)]).options == compiled


def test_live_defaults_compile_only_a_real_model_on_a_gpu():
    card = dict(device="NVIDIA H100 80GB HBM3", dtype="bfloat16", width=832, height=480)
    assert choose_speed(cpu_key(model="krea-14b", **card), NO_FLAGS).options.compile
    assert not choose_speed(cpu_key(model="tiny", **card), NO_FLAGS).options.compile  # random weights: tests


def test_ctrl_c_keeps_what_was_measured(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": 8.0,
                                                     "no fuse": KeyboardInterrupt(), "no fuse, attention math": 9.0}))
    result = tune(TINY, log=lambda s: None)
    assert [t.skipped for t in result.trials] == [False, False, False, True]
    assert result.saved and result.best.options == SpeedOptions(attention="math")
    assert "\n1 candidate not tried: tuning was stopped (Ctrl-C)\n" in result.table()


def test_a_sigterm_as_a_candidate_runs_keeps_what_was_measured(monkeypatch, cache_dir, capsys):
    """A SIGTERM as a candidate warmed up or was timed ended the tuning at once without a word, nothing saved, where
    a Ctrl-C there keeps what was measured."""
    import signal

    measured = fake_bench({"eager": 5.0, "no fuse": 9.0, "no fuse, attention math": 9.0})

    def run_one(settings, log=print):
        if settings.speed.describe() != "attention math":
            return measured(settings, log)
        # its default would end pytest too: a SIGTERM taken by nothing is the fault
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "a SIGTERM here would end the tuning unsaid"
        signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(tuning, "bench", run_one)
    code = main(["bench", "--tune", "--model", "tiny", "--device", "cpu"])
    table = capsys.readouterr().out.splitlines()
    assert code == 143
    assert "         -  attention math: stopped (SIGTERM) before its timing finished" in table, table
    assert "2 candidates not tried: tuning was stopped (SIGTERM)" in table
    assert json.loads((cache_dir / "tuning.json").read_text(encoding="utf-8"))  # eager's 5 frames/s, saved


def test_a_cpu_tune_says_its_options_are_used_on_this_cpu_and_a_cards_on_this_card(monkeypatch):
    """After a CPU tune the summary said "on this card", on a machine with none."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    result = tune(TINY, log=lambda s: None)
    assert result.table().endswith("vcam run and vcam serve use eager on this CPU at these settings")
    result.key = dataclasses.replace(result.key, device="NVIDIA H200")
    assert result.table().endswith("vcam run and vcam serve use eager on this card at these settings")


def test_the_candidate_ctrl_c_stopped_is_said_as_stopped_not_as_not_tried(monkeypatch, cache_dir):
    """It was listed as "not tried", and counted with the ones after it, though it had been warming up."""
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": KeyboardInterrupt(),
                                                     "no fuse": 9.0, "no fuse, attention math": 9.0}))
    result = tune(TINY, log=lambda s: None)
    table = result.table().splitlines()
    assert "         -  attention math: stopped (Ctrl-C) before its timing finished" in table, table
    assert table.count("         -  no fuse: not tried") == 1
    assert "2 candidates not tried: tuning was stopped (Ctrl-C)" in table
    data = json.loads(result.to_json())
    assert [c.get("stopped", False) for c in data["candidates"]] == [False, True, False, False]
    assert [c.get("skipped", False) for c in data["candidates"]] == [False, False, True, True]
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": 6.0, "no fuse": 4.0,
                                                     "no fuse, attention math": KeyboardInterrupt()}))
    last = tune(TINY, log=lambda s: None)  # stopped in the last: none left untried
    data = json.loads(last.to_json())
    assert data["interrupted"] is True and data["untried"] is None and "not tried" not in last.table()


def test_a_sigterm_in_a_candidates_split_is_said_as_sigterm(monkeypatch, cache_dir):
    """bench() raises StoppedAfterTiming on a stop during its profiler split: a SIGTERM there was said as Ctrl-C."""
    import signal
    from vcam.bench.bench import StoppedAfterTiming

    monkeypatch.setattr(tuning, "bench", fake_bench({
        "eager": 5.0, "attention math": StoppedAfterTiming(None, signal.SIGTERM), "no fuse": 9.0,
        "no fuse, attention math": 9.0}))
    result = tune(dataclasses.replace(TINY, split=True), log=lambda s: None)
    assert result.stop_sig == signal.SIGTERM
    table = result.table().splitlines()
    assert "         -  attention math: stopped (SIGTERM) before its timing finished" in table, table
    assert "2 candidates not tried: tuning was stopped (SIGTERM)" in table


def test_plain_bench_stopped_by_ctrl_c_says_so(monkeypatch, capsys):
    """It left with exit code 130 and not a word."""
    import vcam.bench.bench as bench_module

    def interrupted(settings, log=print):
        log("warming up (3 blocks) …")
        raise KeyboardInterrupt

    monkeypatch.setattr(bench_module, "bench", interrupted)
    assert main(["bench", "--model", "tiny", "--device", "cpu"]) == 130
    err = capsys.readouterr().err
    assert "vcam: stopped (Ctrl-C) before the timing finished: no result" in err and "--blocks N" in err
    assert main(["bench", "--model", "tiny", "--device", "cpu", "--json"]) == 130
    assert json.loads(capsys.readouterr().out) == {"error": "stopped (Ctrl-C) before the timing finished: no result"}


@pytest.mark.parametrize("json_out", [False, True])
def test_ctrl_c_while_pytorch_loads_says_one_line_and_json_stays_json(monkeypatch, capsys, json_out):
    """It left with exit code 130 and not a word, where `vcam run` says "loading stopped (Ctrl-C)"."""
    import signal
    from contextlib import contextmanager

    import vcam.cmdline.bench

    held = vcam.cmdline.bench.stops_held

    @contextmanager
    def pressed_while_loading(left):
        with held(left) as came:
            signal.raise_signal(signal.SIGINT)
            yield came

    monkeypatch.setattr(vcam.cmdline.bench, "stops_held", pressed_while_loading)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        code = main(["bench", "--model", "tiny", "--device", "cpu"] + (["--json"] if json_out else []))
    finally:
        signal.signal(signal.SIGINT, previous)
    out = capsys.readouterr()
    assert code == 130
    assert out.err == "vcam: loading stopped (Ctrl-C) before the timing began: no result\n"
    if json_out:  # as stderr says it: not "stopped (Ctrl-C) before the timing finished", of a timing never begun
        assert json.loads(out.out) == {"error": "loading stopped (Ctrl-C) before the timing began: no result"}
    else:
        assert out.out == ""


@pytest.mark.parametrize("json_out", [False, True])
def test_ctrl_c_while_bench_checks_its_command_line_is_said_as_loading_stopped(monkeypatch, capsys, json_out):
    """A Ctrl-C as the command line was checked, before PyTorch's import, left with exit code 130 and not a word,
    and --json's object said a timing had been stopped, of a timing never begun."""
    import vcam.engine.configs

    def pressed(model):
        raise KeyboardInterrupt

    monkeypatch.setattr(vcam.engine.configs, "get_spec", pressed)
    code = main(["bench", "--model", "tiny", "--device", "cpu"] + (["--json"] if json_out else []))
    out = capsys.readouterr()
    assert code == 130
    assert out.err == "vcam: loading stopped (Ctrl-C) before the timing began: no result\n"
    if json_out:
        assert json.loads(out.out) == {"error": "loading stopped (Ctrl-C) before the timing began: no result"}
    else:
        assert out.out == ""


@pytest.mark.parametrize("json_out", [False, True])
@pytest.mark.parametrize("step", ["bench_target", "_check_room", "TuningKey.of"])
@pytest.mark.parametrize("stop, code, said", [(KeyboardInterrupt(), 130, "Ctrl-C"),
                                              (StoppedLoading(signal.SIGTERM), 143, "SIGTERM")])
def test_a_stop_while_tuning_is_set_up_says_no_candidate_ran(monkeypatch, capsys, cache_dir, step, json_out, stop,
                                                              code, said):
    """Ctrl-C while --tune read the card (bench_target, its room) or made the tuning's key left with exit code 130
    and not a word, and --json's object said the timing had not finished. A SIGTERM there (as stops_raised raises
    it) was said as a Ctrl-C, or not at all."""
    def pressed(*args, **kwargs):
        raise stop

    owner, _, name = step.rpartition(".")
    monkeypatch.setattr(tuning.TuningKey if owner else tuning, name, pressed)
    got = main(["bench", "--model", "tiny", "--device", "cpu", "--tune"] + (["--json"] if json_out else []))
    out = capsys.readouterr()
    assert got == code
    assert out.err.endswith(f"vcam: stopped ({said}) before any candidate ran\n"), out.err
    assert "candidate 1/" not in out.err + out.out
    if json_out:  # as a tune's result says its stop: a tool read `interrupted` and no `stopped_by` here
        assert json.loads(out.out) == {"error": f"stopped ({said}) before any candidate ran", "stopped_by": said}
    else:
        assert out.out == ""


def test_a_tuning_file_that_cannot_be_written_still_gives_the_table(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))

    def refuse(path, entries, written=None):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(tuning, "_write_entries", refuse)
    logged = []
    result = tune(TINY, log=logged.append)
    assert not result.saved and result.best is not None and "not saved" in result.table()
    assert any("could not save" in line for line in logged)


def test_the_command_says_why_nothing_was_saved_only_as_it_was(monkeypatch, capsys):
    """Ctrl-C before any candidate finished, or a file that cannot be written, ended in "every candidate failed,
    so nothing was saved" (exit 2): nothing had failed."""
    argv = ["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): KeyboardInterrupt()
                                                     for c in candidates("cpu", "none")}))
    assert main(argv) == 130
    out = capsys.readouterr()
    assert "stopped before any candidate finished: nothing saved" in out.out and "failed" not in out.err, out

    def refuse(path, entries, written=None):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    monkeypatch.setattr(tuning, "_write_entries", refuse)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "measured but could not be saved to" in err and "VCAM_CACHE_DIR" in err and "every candidate" not in err

    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): ValueError("broken")
                                                     for c in candidates("cpu", "none")}))
    assert main(argv) == 2
    assert "every candidate failed" in capsys.readouterr().err


def test_ctrl_c_while_another_tune_saves_is_said_as_stopped_not_as_a_folder_to_make_writable(cache_dir, monkeypatch,
                                                                                              capsys):
    """Ctrl-C while another tune's save held the tuning file's lock ended in "could not be saved ... make the folder
    writable" (exit 2): the folder was writable, and the user had stopped the run."""
    def held(path):
        raise KeyboardInterrupt  # pressed while waiting for the lock

    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    monkeypatch.setattr(tuning, "_locked", held)
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]) == 130
    out = capsys.readouterr()
    assert (f"vcam: stopped (Ctrl-C) before the tuning was saved to {cache_dir / 'tuning.json'}: the table below is "
            "all there is\n") in out.out, out.out
    assert out.err == ""  # no error, and no fix for a folder that was writable
    assert out.out.splitlines()[-1] == f"not saved to {cache_dir / 'tuning.json'} (see above)", out.out
    assert not (cache_dir / "tuning.json").exists()


def test_a_show_on_a_small_card_looks_up_the_size_it_will_really_run(cache_dir, monkeypatch):
    """Where the memory plan shrinks the size (nothing asked), the tuning for the shrunk size is the one used."""
    import vcam.engine.memory

    save_entry(cache_dir, cpu_key(), SpeedOptions(fuse=False, attention="math"))  # tuned at 112x64
    monkeypatch.setattr(vcam.engine.memory, "planned_settings",
                        lambda model, w, h, quant, adapt, speed=None: (112, 64, quant) if adapt else (w, h, quant))
    assert live_choice("tiny", 224, 128, 1, None, NO_FLAGS, warn=print, adapt=True).source == "tuned"
    assert live_choice("tiny", 224, 128, 1, None, NO_FLAGS, warn=print, adapt=False).source == "defaults"


def test_the_plan_read_before_loading_is_the_one_load_makes(monkeypatch):
    import torch

    import vcam.engine.memory
    from vcam.engine.memory import planned_settings

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (8, 9))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (22.5 * 2**30, 24 * 2**30))  # 24 GB card
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: None)  # an Ada card with torchao
    assert planned_settings("krea-14b", 832, 480, "none", adapt=True) == (576, 320, "fp8")
    assert planned_settings("krea-14b", 832, 480, "none", adapt=False) == (832, 480, "none")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (10 * 2**30, 12 * 2**30))
    assert planned_settings("krea-14b", 832, 480, "none", adapt=True) == (832, 480, "none")  # load will refuse


def test_a_tuning_file_saved_with_the_retired_options_still_loads(cache_dir):
    """Files saved when the overlap and CUDA graphs were candidates: those keys are ignored, the rest is used."""
    entry = {"options": {"fuse": True, "compile": True, "attention": "cudnn", "quant": "none", "overlap": True,
                         "graphs": False},
             "date": "2026-11-28T10:00:00", "frames_per_second": 8.3,
             "candidates": [{"options": {"compile": True, "overlap": True}, "frames_per_second": 8.3}]}
    (cache_dir / "tuning.json").write_text(json.dumps({"version": 1, "entries": {KEY: entry}}))
    warnings = []
    options, _ = lookup("cpu", "tiny", 112, 64, 1, "float32", "none", warn=warnings.append)
    assert options == SpeedOptions(compile=True, attention="cudnn") and not warnings
    choice = choose_speed(cpu_key(), NO_FLAGS, warn=warnings.append)
    assert choice.source == "tuned" and choice.options == SpeedOptions(compile=True, attention="cudnn")
    assert "overlap" not in choice.message and not warnings


def test_speed_flags_given_by_hand_replace_only_their_own_options():
    base = SpeedOptions(fuse=False, compile=True, attention="cudnn", quant="fp8")
    assert not SpeedFlags() and SpeedFlags().given() == {} and SpeedFlags().over(base) == base
    assert SpeedFlags(compile=False).over(base) == SpeedOptions(fuse=False, attention="cudnn", quant="fp8")
    both = SpeedFlags(compile=False, attention="math")
    assert both and both.given() == {"compile": False, "attention": "math"}
    assert both.over(base) == SpeedOptions(fuse=False, compile=False, attention="math", quant="fp8")
    assert SpeedFlags.from_dict({"compile": None, "attention": "flash"}) == SpeedFlags(attention="flash")
    with pytest.raises(ValueError, match="unknown attention backend 'warp'"):
        SpeedFlags(attention="warp")
    with pytest.raises(ValueError, match="not a speed flag: overlap; the flags are compile, attention"):
        SpeedFlags.from_dict({"overlap": True})


def test_the_command_line_hands_one_set_of_speed_options_to_run_and_bench(monkeypatch):
    """`vcam run` carries the flags as one SpeedFlags, `vcam bench` one SpeedOptions: no field copied by hand."""
    import vcam.bench.bench
    import vcam.live.run

    seen = []
    monkeypatch.setattr(vcam.live.run, "play",
                        lambda opts, attach=None: seen.append(opts) or vcam.live.run.Ended(0, False))
    assert main(["run", "--model", "tiny", "--attention", "math", "--quant", "none"]) == 0
    assert seen[-1].speed == SpeedFlags(attention="math") and seen[-1].quant == "none"
    assert main(["serve", "--no-compile"]) == 0 and seen[-1].speed == SpeedFlags(compile=False)
    monkeypatch.setattr(vcam.bench.bench, "bench", lambda settings, log: seen.append(settings) or (
        _ for _ in ()).throw(KeyboardInterrupt))
    main(["bench", "--model", "tiny", "--no-fuse", "--attention", "math", "--no-compile"])
    assert seen[-1].speed == SpeedOptions(fuse=False, attention="math")
    for retired in ("--overlap", "--cuda-graphs"):
        for command in ("run", "serve", "bench"):
            with pytest.raises(SystemExit):
                build_parser().parse_args([command, retired])


def test_the_live_side_and_the_speed_options_import_no_torch():
    """`vcam run` asks for the speed choice only once it runs; importing it (and the options) loads no torch."""
    script = ("import sys, vcam.live.run, vcam.engine.speed, vcam.engine.configs\n"
              "print('torch' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# --- video in: `vcam bench --tune --in` times a VAE encode per block, so its entries are its own ---

VIDEO_IN = BenchSettings(**{**TINY.__dict__, "input": True})


def test_video_in_is_part_of_the_key_and_named_only_when_on():
    assert TuningKey.of(TINY) == cpu_key() and not cpu_key().video_in
    assert TuningKey.of(VIDEO_IN) == cpu_key(video_in=True)
    # the text-only name is the one files saved before video in was in the key
    assert cpu_key().text() == f"cpu | torch {TORCH} | tiny | 112x64 | 1 steps | float32 | quant none"
    assert cpu_key(video_in=True).text() == cpu_key().text() + " | video in"
    both = cpu_key(decoder="taehv", attention_quant="int8", video_in=True).text()
    assert both == cpu_key().text() + " | decoder taehv | attention quant int8 | video in"


def test_tune_with_video_in_saves_its_own_entry_and_never_overwrites_text_only(monkeypatch, cache_dir):
    timed = []

    def bench_by_input(settings, log=print):
        timed.append(settings.input)
        winner = "no fuse" if settings.input else "attention math"
        return SimpleNamespace(frames_per_second=9.0 if settings.speed.describe() == winner else 1.0)

    monkeypatch.setattr(tuning, "bench", bench_by_input)
    text_only = tune(TINY, log=lambda s: None)
    video_in = tune(VIDEO_IN, log=lambda s: None)
    assert timed == [False] * 4 + [True] * 4  # each candidate timed with the input it is saved under
    assert "video in" not in text_only.table().splitlines()[0] and ", video in, on cpu" in video_in.table()
    assert json.loads(video_in.to_json())["key"]["video_in"] is True
    tune(TINY, log=lambda s: None)  # tuning text only again replaces only its own entry
    entries = json.loads((cache_dir / "tuning.json").read_text())["entries"]
    assert set(entries) == {cpu_key().text(), cpu_key(video_in=True).text()}
    assert entries[cpu_key(video_in=True).text()]["video_in"] is True
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none")[0] == SpeedOptions(attention="math")
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none", video_in=True)[0] == SpeedOptions(fuse=False)


def test_bench_tune_in_through_the_command_saves_a_video_in_entry(monkeypatch, cache_dir, capsys):
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 2.0 for c in candidates("cpu", "none")}))
    assert main(["bench", "--tune", "--in", "--model", "tiny", "--steps", "1"]) == 0
    assert "video in" in capsys.readouterr().out
    entries = json.loads((cache_dir / "tuning.json").read_text())["entries"]
    assert list(entries) == [cpu_key(video_in=True).text()]


def test_a_file_from_before_video_in_was_keyed_reads_as_text_only(cache_dir):
    entry = {"device": "cpu", "torch": TORCH, "model": "tiny", "width": 112, "height": 64, "steps": 1,
             "dtype": "float32", "quant": "none", "decoder": "vae", "attention_quant": "none",
             "options": {"attention": "math"}, "date": "2026-11-28T10:00:00", "frames_per_second": 6.0}
    (cache_dir / "tuning.json").write_text(json.dumps({"version": 1, "entries": {KEY: entry}}))
    warnings = []
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none", warn=warnings.append)[0] == \
        SpeedOptions(attention="math")
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none", warn=warnings.append, video_in=True) is None
    assert tuned_rates("cpu", "tiny", 1, "float32") == {(112, 64, "none"): 6.0}
    assert tuned_rates("cpu", "tiny", 1, "float32", video_in=True) == {}
    assert not warnings


def test_a_video_in_show_takes_its_own_tuning_else_the_text_only_ones_options(cache_dir):
    card = cpu_key(device="NVIDIA H100 80GB HBM3", dtype="bfloat16", model="krea-14b", width=832, height=480)
    with_input = dataclasses.replace(card, video_in=True)
    save_entry(cache_dir, card, SpeedOptions(compile=True, attention="cudnn"))
    fallback = choose_speed(with_input, NO_FLAGS)
    assert fallback.source == "tuned" and fallback.options == SpeedOptions(compile=True, attention="cudnn")
    assert fallback.message == ("speed: tuned on 2026-11-27 without video in (compile, attention cudnn: 7.9 "
                                "frames/s in bench)")
    entries = json.loads((cache_dir / "tuning.json").read_text())["entries"]
    entries[with_input.text()] = {"options": SpeedOptions(compile=True).to_dict(), "date": "2026-11-29T10:00:00",
                                  "frames_per_second": 6.1}
    (cache_dir / "tuning.json").write_text(json.dumps({"version": 1, "entries": entries}))
    own = choose_speed(with_input, NO_FLAGS)
    assert own.options == SpeedOptions(compile=True)
    assert own.message == "speed: tuned on 2026-11-29 with video in (compile: 6.1 frames/s in bench)"
    text_only = choose_speed(card, NO_FLAGS)  # never the video-in entry, and worded as before
    assert text_only.message == "speed: tuned on 2026-11-27 (compile, attention cudnn: 7.9 frames/s in bench)"


def test_a_damaged_file_is_said_once_to_a_video_in_show(cache_dir):
    for content in ("{not json", json.dumps({"entries": {KEY: "compile"}})):  # the file, or the fallback's entry
        (cache_dir / "tuning.json").write_text(content)
        warnings = []
        choice = choose_speed(cpu_key(video_in=True), NO_FLAGS, warn=warnings.append)
        assert choice.source == "defaults" and len(warnings) == 1 and "is not used" in warnings[0]


def test_a_show_with_an_input_looks_up_the_video_in_tuning(cache_dir):
    save_entry(cache_dir, cpu_key(video_in=True), SpeedOptions(fuse=False))
    assert live_choice("tiny", 112, 64, 1, None, NO_FLAGS, video_in=True).options == SpeedOptions(fuse=False)
    assert live_choice("tiny", 112, 64, 1, None, NO_FLAGS).source == "defaults"


@pytest.mark.parametrize("blocked", ["file", "read-only", "folder"])
def test_a_tuning_file_that_could_not_be_saved_is_refused_before_any_candidate_runs(monkeypatch, tmp_path, capsys,
                                                                                    blocked):
    """Where the folder could not be written (a file in its place, no permission) or a folder stood where the file
    goes, every candidate was timed, minutes on a card, and only then was the result not saved (a folder in the
    file's place told to make a writable folder writable)."""
    folder = tmp_path
    if blocked == "file":
        folder = tmp_path / "cache"
        folder.write_text("not a folder\n")
        said = ("point VCAM_CACHE_DIR at a folder",)
    elif blocked == "folder":
        (folder / "tuning.json").mkdir()
        said = ": a folder stands where the file goes", f"move {folder / 'tuning.json'} out of the way"
    else:
        said = (f"make {folder} writable",)

        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(tuning.tempfile, "mkstemp", refuse)
    monkeypatch.setenv("VCAM_CACHE_DIR", str(folder))
    timed = []
    monkeypatch.setattr(tuning, "bench", lambda settings, log=print: timed.append(settings))
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]) == 2
    err = capsys.readouterr().err
    assert not timed
    assert all(words in err for words in (f"cannot save the tuning to {folder / 'tuning.json'}", *said)), err
    assert ("writable" in err) == (blocked == "read-only"), err


@pytest.mark.parametrize("folder", ["/proc/vcam-cache", "/proc/vcam-cache/tuning", "/sys/vcam-cache"])
def test_a_cache_folder_that_cannot_be_made_is_refused_with_another_folder_as_the_fix(folder, monkeypatch, capsys):
    """VCAM_CACHE_DIR=/proc/x was told to "make /proc/x writable": no folder can be made there, so the fix is
    another folder."""
    top = "/" + folder.split("/")[1]
    if not os.path.isdir(top) or os.path.exists(folder):
        pytest.skip(f"needs {top}, where no folder can be made")
    monkeypatch.setenv("VCAM_CACHE_DIR", folder)
    timed = timing_recorded(monkeypatch)
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]) == 2
    err = capsys.readouterr().err
    assert not timed and f"cannot save the tuning to {folder}/tuning.json: the folder {top}/vcam-cache cannot be " \
        "made there" in err, err
    assert "fix: set VCAM_CACHE_DIR to another folder" in err and "writable," not in err, err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, whose every write finds the disk full")
def test_a_full_disk_under_the_tuning_file_is_refused_before_any_candidate_runs_with_room_as_the_fix(
        monkeypatch, tmp_path, capsys):
    """A full disk still makes an empty file, so the folder passed as writable: every candidate was timed, minutes on
    a card, and the file could not be saved, with the fix to make a writable folder writable."""
    def on_a_full_disk(*args, **kwargs):  # the probe's name made, its bytes refused
        probe = tmp_path / ".tuning-probe"
        probe.write_text("")
        return os.open("/dev/full", os.O_WRONLY), str(probe)

    monkeypatch.setattr(tuning.tempfile, "mkstemp", on_a_full_disk)
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    timed = []
    monkeypatch.setattr(tuning, "bench", lambda settings, log=print: timed.append(settings))
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]) == 2
    err = capsys.readouterr().err
    assert not timed and not (tmp_path / ".tuning-probe").exists()
    assert f"cannot save the tuning to {tmp_path / 'tuning.json'} (No space left on device)" in err, err
    assert f"fix: free space on the disk of {tmp_path}, or set VCAM_CACHE_DIR" in err and "writable" not in err, err


def test_a_tuning_that_found_the_disk_full_at_the_end_is_told_to_free_space_not_to_make_it_writable(monkeypatch,
                                                                                                    capsys):
    """A disk that filled while the candidates ran (the probe passed) was told to make the folder writable."""
    def full(path, entries, written=None):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    monkeypatch.setattr(tuning, "_write_entries", full)
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]) == 2
    err = capsys.readouterr().err
    assert "measured but could not be saved to" in err and "fix: free space on the disk of" in err, err
    assert "writable" not in err, err


def write_measured_entry(cache_dir, **changes) -> None:
    """The file with one entry for cpu_key() as bench writes it, with `changes` made by hand."""
    entry = {"options": SpeedOptions(fuse=False).to_dict(), "date": "2026-11-27T10:00:00", "frames_per_second": 7.9,
             "device": "cpu", "torch": TORCH, "model": "tiny", "width": 112, "height": 64, "steps": 1,
             "dtype": "float32", **changes}
    (cache_dir / "tuning.json").write_text(json.dumps({"version": 1, "entries": {KEY: entry}}))


@pytest.mark.parametrize("damage", [{"frames_per_second": float("inf")}, {"frames_per_second": float("nan")},
                                    {"frames_per_second": 1e308}, {"frames_per_second": -7.9},
                                    {"frames_per_second": True}, {"date": 20261127}, {"date": ["2026-11-27"]}])
def test_an_entry_whose_rate_or_date_bench_never_writes_is_ignored_and_said_once(cache_dir, damage):
    """An infinite, NaN, absurd or negative rate (JSON takes Infinity and NaN) went on air as 'inf frames/s in
    bench' or a 309-digit number, and the live size trusted the infinite and the absurd; a date that is not text
    was said as it came."""
    write_measured_entry(cache_dir, **damage)
    warnings = []
    choice = choose_speed(cpu_key(), NO_FLAGS, warn=warnings.append)
    assert choice.source == "defaults" and len(warnings) == 1, warnings
    assert f"its entry for {KEY} is damaged" in warnings[0] and "vcam bench --tune" in warnings[0]
    assert tuned_rates("cpu", "tiny", 1, "float32") == {}


def test_an_entry_as_bench_writes_it_is_trusted(cache_dir):
    write_measured_entry(cache_dir)
    warnings = []
    choice = choose_speed(cpu_key(), NO_FLAGS, warn=warnings.append)
    assert choice.source == "tuned" and not warnings
    assert "tuned on 2026-11-27" in choice.message and choice.message.endswith(": 7.9 frames/s in bench)"), \
        choice.message  # no note: an entry naming no vcam was said as tuned with an earlier one
    assert tuned_rates("cpu", "tiny", 1, "float32") == {(112, 64, "none"): 7.9}


def test_a_tuning_file_that_is_a_link_or_in_a_folder_not_yet_made_is_tuned_and_saved(monkeypatch, tmp_path):
    """The check before tuning refuses only what the writer could not save: a folder it makes, a link it renames
    over (to a folder too: the link is replaced, not its target)."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    (tmp_path / "elsewhere").mkdir()
    for where, make in [("new/sub", None), ("link", "elsewhere/tuning.json"), ("folder-link", "elsewhere")]:
        folder = tmp_path / where
        if make is not None:
            folder.mkdir()
            (folder / "tuning.json").symlink_to(tmp_path / make)
        monkeypatch.setenv("VCAM_CACHE_DIR", str(folder))
        assert tune(TINY, log=lambda line: None).saved, where
        assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None, where


def test_ctrl_c_after_a_candidate_saves_it_and_the_command_exits_130(monkeypatch, cache_dir, capsys):
    """It exited 0, so `vcam bench --tune && vcam run` went on air after the operator stopped it, and the JSON
    gave no sign that Ctrl-C had cut the candidates it listed as skipped."""
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": 8.0,
                                                     "no fuse": KeyboardInterrupt(), "no fuse, attention math": 9.0}))
    argv = ["bench", "--tune", "--json", "--model", "tiny", "--device", "cpu", "--steps", "1", "--blocks", "1"]
    assert main(argv) == 130
    data = json.loads(capsys.readouterr().out)
    assert data["saved"] and data["interrupted"] is True and "Ctrl-C" in data["untried"]
    assert data["stopped_by"] == "Ctrl-C"
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert main(argv) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["interrupted"] is False and data["untried"] is None and data["stopped_by"] is None


def test_an_empty_file_is_said_as_empty(cache_dir):
    """It was said as "not valid JSON (Expecting value, line 1)"."""
    (cache_dir / "tuning.json").write_text("\n")
    warnings = []
    assert choose_speed(cpu_key(), NO_FLAGS, warn=warnings.append).source == "defaults"
    assert len(warnings) == 1 and "is not used: empty;" in warnings[0] and "JSON" not in warnings[0]


@pytest.mark.parametrize("version, said", [(2, "written by a newer vcam (layout 2; this one reads 1)"),
                                           ("1", "not a vcam tuning file (version '1')"),
                                           (True, "not a vcam tuning file (version True)")])
def test_a_file_of_another_layout_is_not_read_as_this_one(cache_dir, version, said):
    """A newer layout's entries were read and trusted as this one's: its options and rates can mean otherwise."""
    write_measured_entry(cache_dir)
    data = json.loads((cache_dir / "tuning.json").read_text())
    (cache_dir / "tuning.json").write_text(json.dumps({**data, "version": version}))
    warnings = []
    assert choose_speed(cpu_key(), NO_FLAGS, warn=warnings.append).source == "defaults"
    assert len(warnings) == 1 and said in warnings[0], warnings
    assert tuned_rates("cpu", "tiny", 1, "float32") == {}


@pytest.mark.parametrize("options", [{"fuse": "yes"}, {"attention": "warp"}, "no fuse", None])
def test_a_rate_whose_options_the_show_refuses_does_not_choose_its_size(cache_dir, options):
    """The show ran the defaults (the entry refused as damaged) at the size that the entry's rate, measured with
    other options, had chosen."""
    write_measured_entry(cache_dir, options=options)
    warnings = []
    assert choose_speed(cpu_key(), NO_FLAGS, warn=warnings.append).source == "defaults" and len(warnings) == 1
    assert tuned_rates("cpu", "tiny", 1, "float32") == {}


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_tuning_keeps_the_files_permissions_or_gives_a_new_one_the_umasks(monkeypatch, cache_dir):
    """The file was rewritten 0600 (mkstemp's): a show run by another user sharing the cache folder could no longer
    read the tuning it had read before."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    path = cache_dir / "tuning.json"
    old = os.umask(0o022)
    try:
        assert tune(TINY, log=lambda line: None).saved
        assert path.stat().st_mode & 0o777 == 0o644
        path.chmod(0o640)
        assert tune(TINY, log=lambda line: None).saved
        assert path.stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def test_the_table_marks_a_row_kept_within_timing_noise_as_kept_not_fastest(monkeypatch, cache_dir):
    """The defaults' 5.0 was marked "<- fastest" above a 5.1 in the same table."""
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": 5.1, "no fuse": 4.0,
                                                     "no fuse, attention math": 4.0}))
    table = tune(TINY, log=lambda s: None).table()
    assert "<- fastest" not in table and "5.00  eager   <- kept: no other is faster by more than 3 %" in table
    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": 5.3, "no fuse": 4.0,
                                                     "no fuse, attention math": 4.0}))
    table = tune(TINY, log=lambda s: None).table()
    assert "5.30  attention math   <- fastest" in table and "kept" not in table


def test_a_tune_refuses_a_file_a_newer_vcam_wrote_before_any_candidate_runs(monkeypatch, cache_dir):
    """The tune ran, then replaced the file as a damaged one: every tuning the newer vcam had saved was lost."""
    write_measured_entry(cache_dir)
    path = cache_dir / "tuning.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "version": 2}))
    before = path.read_text()
    ran = []
    monkeypatch.setattr(tuning, "bench", lambda settings, log=print: ran.append(settings) or 3.0)
    with pytest.raises(tuning.VcamError) as e:
        tune(TINY, log=lambda line: None)
    assert "newer vcam" in e.value.message and "VCAM_CACHE_DIR" in e.value.fix
    assert ran == [] and path.read_text() == before


def test_a_file_a_newer_vcam_wrote_during_the_tune_is_not_replaced(monkeypatch, cache_dir):
    path = cache_dir / "tuning.json"

    def newer_meanwhile(settings, log=print):
        path.write_text(json.dumps({"version": 2, "entries": {}}))
        return SimpleNamespace(frames_per_second=3.0)

    monkeypatch.setattr(tuning, "bench", newer_meanwhile)
    said = []
    result = tune(TINY, log=said.append)
    assert not result.saved and json.loads(path.read_text())["version"] == 2
    assert any("newer vcam" in line and "not replaced" in line for line in said)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX's")
def test_a_new_tuning_file_follows_a_strict_umask_and_the_umask_is_never_changed(monkeypatch, cache_dir):
    """Reading the umask meant setting it to 0 for a moment: a file another thread made then was world-writable."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    old = os.umask(0o077)
    try:
        set_to = []
        monkeypatch.setattr(os, "umask", lambda mask: set_to.append(mask) or 0o077)
        assert tune(TINY, log=lambda line: None).saved
        assert (cache_dir / "tuning.json").stat().st_mode & 0o777 == 0o600 and set_to == []
    finally:
        monkeypatch.undo()
        os.umask(old)
    assert not list(cache_dir.glob(".tuning-*"))


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="giving a file to another user takes root")
def test_a_tuning_file_of_another_user_or_behind_a_link_keeps_its_mode(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    real = cache_dir / "real.json"
    write_measured_entry(cache_dir)
    (cache_dir / "tuning.json").rename(real)
    os.chown(real, 12345, 12345)
    real.chmod(0o644)
    (cache_dir / "tuning.json").symlink_to(real)
    old = os.umask(0o077)
    try:
        assert tune(TINY, log=lambda line: None).saved
    finally:
        os.umask(old)
    assert (cache_dir / "tuning.json").stat().st_mode & 0o777 == 0o644
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None


@pytest.mark.parametrize("quant, why", [("fp8", "FP8 needs"), ("nvfp4", "NVFP4 needs")])
def test_tune_refuses_a_quant_the_device_cannot_run_before_any_candidate(quant, why, monkeypatch, capsys):
    """Every candidate failed on the same refusal, said once a candidate, then 'every candidate failed' with 'see
    each candidate's error above' for a fix: never what to do about the precision."""
    monkeypatch.setattr(tuning, "bench", lambda settings, log=print: pytest.fail("a candidate ran"))
    assert main(["bench", "--tune", "--model", "tiny", "--device", "cpu", "--quant", quant]) == 2
    err = capsys.readouterr().err
    assert f"vcam: error: {why}" in err and "fix: run without --quant" in err, err
    assert "candidate" not in err and not tuning_path().exists()


def test_tune_refuses_fp8_from_weights_that_are_not_bf16_before_any_candidate(monkeypatch, capsys):
    """On an FP8 card, `--quant fp8 --dtype fp16` failed in every candidate's load: FP8 is made from bf16 weights."""
    import vcam.engine.quant

    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported", lambda device: None)  # as on an FP8 card
    monkeypatch.setattr(tuning, "bench", lambda settings, log=print: pytest.fail("a candidate ran"))
    assert main(["bench", "--tune", "--model", "tiny", "--device", "cpu", "--quant", "fp8"]) == 2
    err = capsys.readouterr().err
    assert "vcam: error: FP8 is made from bf16 weights, not float32" in err and "candidate" not in err, err


@pytest.fixture
def an_h200(monkeypatch):
    """This machine as one with an FP8 card (nothing runs on it: tune must refuse before any candidate does)."""
    import vcam.engine.quant

    monkeypatch.setattr(torch.version, "cuda", "12.8")
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H200")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: (9, 0))
    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported", lambda device: None)
    monkeypatch.setattr(tuning, "bench", lambda settings, log=print: pytest.fail("a candidate ran"))


def test_tune_refuses_settings_the_card_cannot_hold_before_any_candidate_with_what_would_fit(an_h200, monkeypatch,
                                                                                             capsys):
    """Each candidate was refused in turn on a 24 GiB card, its line cut before the fix, and the run ended in "every
    candidate failed": what would fit was never said."""
    import vcam.engine.memory

    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(23.6 * 2**30), 24 * 2**30))
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 0)
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: None)
    assert main(["bench", "--tune", "--device", "cuda"]) == 2
    err = capsys.readouterr().err
    assert "vcam: error: krea-14b at 832x480 needs about" in err and "fix: use --size 576x320" in err, err
    assert "candidate" not in err and not tuning_path().exists()


def test_a_card_that_holds_the_eager_candidates_but_not_the_compiled_ones_still_tunes(an_h200, monkeypatch,
                                                                                       capsys):
    """The check before the candidates asks room for the least of them, an eager one: the compiled ones' more is
    theirs to fail on, as each is checked (bench_engine), not a refusal of every candidate."""
    import vcam.bench.bench as bench_module
    import vcam.engine.memory
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import estimate_vram

    spec = get_spec("krea-14b")
    eager, compiled = (estimate_vram(spec, 832, 480, torch.bfloat16, text_on_gpu=False, compiled=c).total
                       for c in (False, True))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: ((eager + compiled) // 2, 141 * 2**30))
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=141 * 2**30, multi_processor_count=132))  # a whole H200, as the tuning's key names it
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 0)
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: None)

    def checked(settings, log=print):  # a candidate as bench has it: refused where it does not fit, else timed
        target = bench_module.bench_target(settings, lambda message: None)
        bench_module.check_fits(get_spec(target.model), target, settings)
        return SimpleNamespace(frames_per_second=2.0)

    monkeypatch.setattr(tuning, "bench", checked)
    monkeypatch.setattr(tuning, "device_unusable", lambda device: False)  # a card refused on memory still runs
    assert main(["bench", "--tune", "--device", "cuda"]) == 0
    lines = capsys.readouterr().out.splitlines()
    # and from settings that compile, as a caller of tune() may give them
    compiling = BenchSettings(model="krea-14b", device="cuda", speed=SpeedOptions(compile=True))
    rows = [line for line in tune(compiling, log=lambda message: None).table().splitlines() if line.startswith("  ")]
    assert rows == [line for line in lines if line.startswith("  ")]
    assert "      2.00  eager   <- fastest" in lines and tuning_path().exists(), lines
    failed = [line for line in lines if line.startswith("    failed  ")]
    timed = [line for line in lines if line.startswith("      2.00  ")]
    assert failed and all(line.startswith("    failed  compile") and "needs about" in line for line in failed), lines
    assert len(timed) > 1 and not any("compile" in line for line in timed), lines


def test_tune_on_a_card_refuses_fp8_from_fp16_weights_before_any_candidate(an_h200, capsys):
    assert main(["bench", "--tune", "--model", "tiny", "--device", "cuda", "--dtype", "fp16", "--quant", "fp8"]) == 2
    err = capsys.readouterr().err
    assert "vcam: error: FP8 is made from bf16 weights, not float16" in err and "candidate" not in err, err
    assert "fix: leave the dtype at bf16 with --quant fp8" in err and not tuning_path().exists()


@pytest.mark.parametrize("model, capability, why", [
    ("krea-14b", (9, 0), "needs SageAttention: pip install"), ("krea-14b", (7, 5), "needs compute capability 8.0"),
    ("tiny", (9, 0), "supports heads of 64, 96, 128; this model's are")])
def test_tune_refuses_int8_attention_the_card_cannot_run_before_any_candidate(model, capability, why, an_h200,
                                                                             monkeypatch, capsys):
    """`--attention-quant int8` without SageAttention, or on a card older than Ampere, failed in every candidate's
    load in turn and ended in "every candidate failed", never in what to do about the attention."""
    import importlib

    import vcam.engine.attention

    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: capability)
    real_import = importlib.import_module
    monkeypatch.setattr(vcam.engine.attention.importlib, "import_module", lambda name, *a: (_ for _ in ()).throw(
        ImportError(name)) if name == "sageattention" else real_import(name, *a))
    assert main(["bench", "--tune", "--model", model, "--device", "cuda", "--attention-quant", "int8"]) == 2
    err = capsys.readouterr().err
    assert "vcam: error: INT8 attention" in err and why in err and "candidate" not in err, err
    assert "fix: run without --attention-quant int8" in err and not tuning_path().exists()


def tune_not_ended_by_ctrl_c() -> tuning.TuneResult:
    """tune(TINY), failing the test (not ending the test run) where a Ctrl-C comes out of it."""
    try:
        return tune(TINY, log=lambda s: None)
    except KeyboardInterrupt:
        pytest.fail("the Ctrl-C ended the tune: what it measured was lost")


@pytest.mark.parametrize("stop, name", [(KeyboardInterrupt(), "Ctrl-C"),
                                        (StoppedLoading(signal.SIGTERM), "SIGTERM")])  # as stops_raised raises it
def test_a_stop_as_a_measured_candidate_is_freed_keeps_what_was_measured_and_names_it(monkeypatch, cache_dir, stop,
                                                                                     name):
    """Freeing a compiled 14B engine takes a while on a card; a Ctrl-C then ended the tune with nothing saved, and a
    SIGTERM ended it at once without a word."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 + i
                                                     for i, c in enumerate(candidates("cpu", "none"))}))
    freed = []

    def release(device, compiled=True):
        freed.append(device)
        if len(freed) == 2:
            raise stop

    monkeypatch.setattr(tuning, "release_engines", release)
    result = tune_not_ended_by_ctrl_c()
    assert [t.frames_per_second for t in result.trials] == [3.0, 4.0, None, None]
    assert result.interrupted and result.saved and result.best.options == SpeedOptions(attention="math")
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none")[0] == SpeedOptions(attention="math")
    assert f"2 candidates not tried: tuning was stopped ({name})" in result.table().splitlines()
    assert json.loads(result.to_json())["stopped_by"] == name  # `interrupted` alone could not say which


def test_a_sigterm_as_the_tuning_is_written_wins_over_the_write_failing_after_it(monkeypatch, cache_dir, capsys):
    """A SIGTERM as the file was written, then the write's OSError: "could not be saved", exit code 2, `stopped_by`
    null, where the user had stopped the tune."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))

    def stopped_then_failed(path, entries, written=None):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "a SIGTERM here would end the tune unsaid"
        signal.raise_signal(signal.SIGTERM)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tuning, "_write_entries", stopped_then_failed)
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1", "--json"]) == 143
    out = capsys.readouterr()
    said = json.loads(out.out)
    assert said["stopped_by"] == "SIGTERM" and said["interrupted"] and not said["saved"], out
    assert "could not be saved" not in out.err and "fix:" not in out.err, out.err
    assert not (cache_dir / "tuning.json").exists()


@pytest.mark.parametrize("where", ["as the lock is let go", "as the save returns"])
def test_a_sigterm_just_after_the_tuning_is_written_says_it_saved(where, monkeypatch, cache_dir, capsys):
    """A stop landing after the file was replaced said "before the tuning was saved ... the table below is all there
    is", and --json "saved": false, with the tuning saved on disk."""
    from contextlib import contextmanager

    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    if where == "as the lock is let go":
        locked = tuning._locked

        @contextmanager
        def stopped_on_release(path):
            with locked(path):
                yield
                signal.raise_signal(signal.SIGTERM)

        monkeypatch.setattr(tuning, "_locked", stopped_on_release)
    else:
        save = tuning._save_entry

        def stopped_after(*args):
            save(*args)
            signal.raise_signal(signal.SIGTERM)

        monkeypatch.setattr(tuning, "_save_entry", stopped_after)
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1", "--json"]) == 143
    out = capsys.readouterr()
    said = json.loads(out.out)
    assert said["saved"] and said["stopped_by"] == "SIGTERM", out
    assert f"stopped (SIGTERM) as the tuning was saved to {cache_dir / 'tuning.json'}: saved all the same" in out.err
    assert "before the tuning was saved" not in out.err
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none")[0] == SpeedOptions()


def test_a_sigterm_as_the_fastest_candidate_is_picked_is_said(monkeypatch, cache_dir, capsys):
    """Between candidates (the fastest picked, a candidate's line said) no handler took a SIGTERM: its default ended
    the tune at once without a word."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    fastest = tuning._fastest

    def stopped_as_picked(trials):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "a SIGTERM here would end the tune unsaid"
        signal.raise_signal(signal.SIGTERM)
        return fastest(trials)

    monkeypatch.setattr(tuning, "_fastest", stopped_as_picked)
    assert main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1", "--json"]) == 143
    out = capsys.readouterr()
    assert json.loads(out.out) == {"error": "stopped (SIGTERM) as the tuning went on: nothing saved",
                                   "stopped_by": "SIGTERM", "saved": False}, out
    assert "vcam: stopped (SIGTERM) as the tuning went on: nothing saved\n" in out.err
    assert not (cache_dir / "tuning.json").exists()


def test_a_second_ctrl_c_while_the_tuning_is_saved_still_saves_it(monkeypatch, cache_dir):
    """The first Ctrl-C says the candidates measured are saved; a second one pressed as they were written ended
    the tune with no file and `--json` saying "no result"."""
    import signal

    monkeypatch.setattr(tuning, "bench", fake_bench({"eager": 5.0, "attention math": KeyboardInterrupt(),
                                                     "no fuse": 1.0, "no fuse, attention math": 1.0}))
    write = tuning._write_entries

    def pressed_while_writing(path, entries, written=None):
        signal.raise_signal(signal.SIGINT)
        write(path, entries, written)

    monkeypatch.setattr(tuning, "_write_entries", pressed_while_writing)
    # Python's own Ctrl-C handler, as a terminal's vcam has (under nohup SIGINT is ignored, and this would test nothing)
    monkeypatch.setattr(signal, "getsignal", lambda sig: signal.default_int_handler)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = tune_not_ended_by_ctrl_c()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.saved and result.interrupted and result.best.options == SpeedOptions()
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none")[0] == SpeedOptions()


def test_a_ctrl_c_while_another_tunes_save_holds_the_lock_stops_the_wait(monkeypatch, cache_dir):
    """A Ctrl-C waited for the save, and the save for another tune's lock, held for as long as that tune is stopped
    (Ctrl-Z): no press could end it. The write alone holds a Ctrl-C back."""
    import signal
    from contextlib import contextmanager

    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))

    @contextmanager
    def held_by_another(path):
        signal.raise_signal(signal.SIGINT)  # pressed while waiting for the lock
        yield

    monkeypatch.setattr(tuning, "_locked", held_by_another)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        result = tune_not_ended_by_ctrl_c()
    finally:
        signal.signal(signal.SIGINT, previous)
    assert result.interrupted and not result.saved


def test_ctrl_c_before_any_candidate_finished_does_not_say_it_saves(monkeypatch, cache_dir):
    """The line under the candidate said "the candidates measured so far are compared and saved", and the table
    under it "nothing saved"."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): KeyboardInterrupt()
                                                     for c in candidates("cpu", "none")}))
    logged = []
    result = tune(TINY, log=logged.append)
    assert not result.saved and not any("saved" in line for line in logged), logged
    assert "  stopped before any candidate finished: nothing to save" in logged


# --- a folder two users tune into (a service and its operator sharing VCAM_CACHE_DIR) ---

NOBODY = 65534


@pytest.fixture
def shared_folder(tmp_path, monkeypatch):
    """A cache folder everyone may write, and `as_other(lock_mode)`: a context in which the tuning file's lock file,
    made by this user, is another user's with that mode. As root (whose file permissions refuse nothing) the
    effective user becomes nobody inside it; as anyone else the lock's owner bits get the mode's other bits."""
    import shutil
    import tempfile
    from contextlib import contextmanager

    root = os.geteuid() == 0
    folder = __import__("pathlib").Path(tempfile.mkdtemp()) if root else tmp_path / "shared"
    folder.mkdir(exist_ok=True)
    folder.chmod(0o777)  # not sticky: a tune replaces the other user's tuning.json by renaming over it
    monkeypatch.setenv("VCAM_CACHE_DIR", str(folder))

    @contextmanager
    def as_other(lock_mode: int):
        lock = folder / "tuning.json.lock"
        if not lock.exists():
            lock.touch()
        lock.chmod(lock_mode if root else (lock_mode & 0o7) << 6)
        if not root:
            yield
            return
        os.setegid(NOBODY)
        os.seteuid(NOBODY)
        try:
            yield
        finally:
            os.seteuid(0)
            os.setegid(0)

    yield folder, as_other
    if root:
        shutil.rmtree(folder)


def test_a_tune_saves_beside_a_lock_file_another_user_made(shared_folder, monkeypatch, capsys):
    """The lock file is made as the umask has it (0644): a second user's tune, in a folder both may write, could
    not open it for writing, and after minutes of candidates ended in "could not save the tuning (Permission
    denied)" with the fix to make a writable folder writable."""
    folder, as_other = shared_folder
    argv = ["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert main(argv) == 0  # the first user's
    capsys.readouterr()
    with as_other(0o644):
        code = main([*argv, "--steps", "2"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None  # the first user's entry kept
    assert lookup("cpu", "tiny", 112, 64, 2, "float32", "none") is not None


def test_a_lock_file_another_user_keeps_private_is_refused_before_any_candidate_with_its_name(shared_folder,
                                                                                          monkeypatch, capsys):
    """A lock file this user cannot even read (another user's, under a umask of 077) failed the save only after
    every candidate was timed, saying to make the writable folder writable."""
    folder, as_other = shared_folder
    argv = ["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert main(argv) == 0  # the first user's
    capsys.readouterr()
    timed = timing_recorded(monkeypatch)
    with as_other(0o600):
        code = main([*argv, "--steps", "2"])
    err = capsys.readouterr().err
    lock = folder / "tuning.json.lock"
    assert code == 2 and not timed, err
    assert f"cannot save the tuning to {folder / 'tuning.json'}: its lock file {lock} cannot be opened" in err, err
    # a folder of one's own first: deleting the lock another tune may hold lets two saves race
    assert "fix: set VCAM_CACHE_DIR to a folder of your own" in err and f"delete {lock}" not in err, err
    assert f"ask the owner of {lock} to make it readable" in err and "writable" not in err, err


def test_a_tune_saves_on_a_file_system_without_locks(monkeypatch, cache_dir):
    """flock refused by the file system (some network and FUSE mounts, NFS on a lock file opened for reading only)
    failed the save after every candidate had run: the entry is saved unlocked, as a recording is written."""
    import fcntl

    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_locks)
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert tune(TINY, log=lambda s: None).saved
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none") is not None


def test_a_tuning_file_another_user_keeps_private_is_refused_before_any_candidate_and_never_moved_aside(
        shared_folder, monkeypatch, capsys):
    """Another user's tuning.json this user cannot read was taken for a damaged one: every candidate ran, then the
    save renamed it to tuning.json.bak (the folder writable to both) and that user's tunings were gone from use."""
    folder, as_other = shared_folder
    argv = ["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert main(argv) == 0  # the first user's
    capsys.readouterr()
    saved = folder / "tuning.json"
    before = saved.read_bytes()
    saved.chmod(0o600 if os.geteuid() == 0 else 0)  # theirs alone
    timed = timing_recorded(monkeypatch)
    try:
        with as_other(0o666):  # a lock file this user can open (or one deleted and made anew)
            code = main([*argv, "--steps", "2"])
    finally:
        saved.chmod(0o644)
    err = capsys.readouterr().err
    assert code == 2 and not timed, err
    assert f"cannot save the tuning to {saved}: it cannot be read" in err, err
    assert "fix: set VCAM_CACHE_DIR to a folder of your own" in err, err
    assert saved.read_bytes() == before and not list(folder.glob("tuning.json.bak*")), "the other user's file moved"


def test_a_tuning_file_another_user_keeps_private_is_not_moved_aside_at_the_save(shared_folder, monkeypatch):
    """Made unreadable while the candidates ran (its owner's chmod, after the start's check): the save fails, saying
    so, and leaves the file where its owner's shows read it; an unreadable file is not a damaged one."""
    folder, as_other = shared_folder
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert tune(TINY, log=lambda s: None).saved  # the first user's
    saved = folder / "tuning.json"
    before = saved.read_bytes()
    saved.chmod(0o600 if os.geteuid() == 0 else 0)
    logged = []
    monkeypatch.setattr(tuning, "_check_writable", lambda path: None)  # the file was readable then
    try:
        with as_other(0o666):
            result = tune(dataclasses.replace(TINY, steps=2), log=logged.append)
    finally:
        saved.chmod(0o644)
    assert not result.saved, logged
    assert any(f"could not save the tuning to {saved}" in line and "cannot be read" in line for line in logged), logged
    assert saved.read_bytes() == before and not list(folder.glob("tuning.json.bak*")), "the other user's file moved"


@pytest.mark.skipif(os.geteuid() != 0, reason="another user's file: made as root, tuned as nobody")
@pytest.mark.parametrize("when", ["start", "save"])
def test_a_damaged_tuning_file_of_another_user_is_never_moved_aside(shared_folder, monkeypatch, capsys, when):
    """A damaged tuning.json this user could not hard-link (another user's) was renamed to tuning.json.bak: gone
    from where its owner looks, by someone else's tune. Refused before any candidate; and at the save, where it was
    damaged after the start, the save fails and leaves it."""
    folder, as_other = shared_folder
    saved = folder / "tuning.json"
    saved.write_text('{"version": 1, "entries": {,}}')
    saved.chmod(0o644)
    timed = timing_recorded(monkeypatch)
    if when == "save":
        monkeypatch.setattr(tuning, "_check_writable", lambda path: None)  # mended then, damaged since
    with as_other(0o666):
        code = main(["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"])
    captured = capsys.readouterr()
    err = captured.err
    assert saved.read_text() == '{"version": 1, "entries": {,}}' and not list(folder.glob("tuning.json.bak*")), err
    if when == "start":
        assert code == 2 and not timed, err
        assert f"cannot save the tuning to {saved}: it is damaged (" in err and "another user's" in err, err
        assert "fix: set VCAM_CACHE_DIR to a folder of your own" in err, err
    else:
        said = captured.out + err  # the reason in the log, the fix in the error
        assert timed and "another user's, not this one's to move aside" in said, said
        assert "fix: set VCAM_CACHE_DIR to a folder of your own" in err and "writable" not in err, err


@pytest.mark.skipif(os.geteuid() != 0, reason="another user's file: made as root, tuned as nobody")
def test_another_users_tuning_file_in_a_sticky_folder_is_refused_before_any_candidate(shared_folder, monkeypatch,
                                                                                       capsys):
    """In a folder everyone writes but only owners may replace in (mode 1777, like /tmp), every candidate ran, then
    the save's rename over the other user's readable tuning.json failed with "Operation not permitted", told to make
    the folder writable, which it is."""
    folder, as_other = shared_folder
    argv = ["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert main(argv) == 0  # the first user's, readable to all
    capsys.readouterr()
    saved = folder / "tuning.json"
    before = saved.read_bytes()
    folder.chmod(0o1777)
    timed = timing_recorded(monkeypatch)
    with as_other(0o666):
        code = main([*argv, "--steps", "2"])
    err = capsys.readouterr().err
    assert code == 2 and not timed, err
    assert f"cannot save the tuning to {saved}: it is another user's file" in err, err
    assert "fix: set VCAM_CACHE_DIR to a folder of your own" in err and "writable" not in err, err
    assert saved.read_bytes() == before


@pytest.mark.skipif(os.geteuid() != 0, reason="another user's file: made as root, tuned as nobody")
def test_a_sticky_folder_of_ones_own_or_a_file_of_ones_own_there_is_tuned_into(shared_folder, monkeypatch):
    """Only the folder's owner or the file's may replace it in a sticky folder: either of them tunes as before."""
    folder, as_other = shared_folder
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    folder.chmod(0o1777)
    assert tune(TINY, log=lambda s: None).saved  # root's file, in root's sticky folder
    os.chown(folder, NOBODY, NOBODY)
    with as_other(0o666):  # root's file, in nobody's sticky folder, tuned by nobody
        assert tune(dataclasses.replace(TINY, steps=2), log=lambda s: None).saved
    assert lookup("cpu", "tiny", 112, 64, 2, "float32", "none") is not None


@pytest.mark.skipif(os.geteuid() != 0, reason="another user's file: made as root, tuned as nobody")
def test_a_save_refused_by_a_sticky_folder_says_to_use_a_folder_of_ones_own(shared_folder, monkeypatch, capsys):
    """Another user's tuning.json written in a sticky folder while the candidates ran: the save's rename over it is
    refused, and the fix said to make the folder writable, which it is."""
    folder, as_other = shared_folder
    argv = ["bench", "--tune", "--model", "tiny", "--steps", "1", "--blocks", "1"]
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    assert main(argv) == 0  # the first user's
    capsys.readouterr()
    folder.chmod(0o1777)
    monkeypatch.setattr(tuning, "_check_writable", lambda path: None)  # not there yet at the start
    with as_other(0o666):
        code = main([*argv, "--steps", "2"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "fix: set VCAM_CACHE_DIR to a folder of your own" in err and "writable" not in err, err


@pytest.mark.parametrize("tune_flag, said", [([], "stopped (SIGTERM) before the timing finished: no result"),
                                             (["--tune"], "stopped (SIGTERM) before any candidate ran")])
def test_a_sigterm_as_bench_builds_its_settings_is_said(monkeypatch, capsys, tune_flag, said):
    """Between PyTorch's import and the timing (or tune's own handlers) no handler took a SIGTERM: its default ended
    the command at once without a word, --json's stdout empty."""
    import vcam.cmdline.bench

    def stopped_as_built(**kwargs):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "a SIGTERM here would end the bench unsaid"
        signal.raise_signal(signal.SIGTERM)
        return SpeedOptions(**kwargs)

    monkeypatch.setattr(vcam.cmdline.bench, "SpeedOptions", stopped_as_built)
    code = main(["bench", "--model", "tiny", "--device", "cpu", "--json"] + tune_flag)
    out = capsys.readouterr()
    assert code == 143
    assert out.err.endswith(f"vcam: {said}\n"), out.err
    assert json.loads(out.out)["error"] == said
    if tune_flag:  # a tune's object names its stop, as one stopped in a candidate does; a plain bench's has none
        assert json.loads(out.out)["stopped_by"] == "SIGTERM", out.out


def test_a_sigterm_as_tune_begins_is_said(monkeypatch, capsys):
    """At `_tune`'s entry, before its own handlers, a SIGTERM's default ended the tune without a word."""
    import vcam.cmdline.bench

    tune_cmd = vcam.cmdline.bench._tune

    def stopped_at_entry(*args):
        assert signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL, "a SIGTERM here would end the tune unsaid"
        signal.raise_signal(signal.SIGTERM)
        return tune_cmd(*args)

    monkeypatch.setattr(vcam.cmdline.bench, "_tune", stopped_at_entry)
    assert main(["bench", "--model", "tiny", "--device", "cpu", "--tune"]) == 143
    out = capsys.readouterr()
    assert out.err.endswith("vcam: stopped (SIGTERM) before any candidate ran\n"), out.err
    assert "candidate 1/" not in out.err + out.out


@pytest.mark.parametrize("stop, code, said", [(KeyboardInterrupt(), 130, "Ctrl-C"),
                                              (StoppedLoading(signal.SIGTERM), 143, "SIGTERM")])
def test_a_stop_as_the_tuning_is_imported_says_no_candidate_ran(monkeypatch, capsys, stop, code, said):
    class Importing:
        def __getattr__(self, name):
            raise stop

    monkeypatch.setitem(sys.modules, "vcam.bench.tuning", Importing())
    assert main(["bench", "--model", "tiny", "--device", "cpu", "--tune", "--json"]) == code
    out = capsys.readouterr()
    assert out.err.endswith(f"vcam: stopped ({said}) before any candidate ran\n"), out.err
    assert json.loads(out.out) == {"error": f"stopped ({said}) before any candidate ran", "stopped_by": said}


def test_ctrl_c_twice_as_the_tuning_is_written_gives_the_write_up_and_leaves_no_file_behind(monkeypatch, cache_dir):
    """The second Ctrl-C waited for the write as the first did: the tune went on saving."""
    old = _old_tuning(monkeypatch)

    def pressed_twice(path, tmp):
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(tuning, "_keep_mode", pressed_twice)
    result, logged = _tuned_as_at_a_terminal()
    assert result.interrupted and not result.saved and result.stop_sig == signal.SIGINT
    assert any("stopped (Ctrl-C) before the tuning was saved" in line for line in logged), logged
    assert tuning_path().read_text(encoding="utf-8") == old  # the old tuning, whole: a show still reads it
    assert _left_beside(cache_dir) == ["tuning.json"]


def _pressed_twice_as(monkeypatch, name: str, ours) -> None:
    """os.`name` (or the built-in open, as tuning calls it) does its work and then Ctrl-C lands twice as it returns,
    for a call `ours` picks out."""
    real = open if name == "open" else getattr(os, name)

    def pressed(*args, **kwargs):
        done = real(*args, **kwargs)
        if ours(*args):
            signal.raise_signal(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)
        return done

    if name == "open":
        monkeypatch.setattr(tuning, "open", pressed, raising=False)
    else:
        monkeypatch.setattr(os, name, pressed)


def _tuned_as_at_a_terminal() -> tuple:
    """tune(TINY)'s result and log with Ctrl-C raising KeyboardInterrupt, as at a terminal (the runner's own handler
    put back after)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    logged: list[str] = []
    try:
        return tune(TINY, log=logged.append), logged
    finally:
        signal.signal(signal.SIGINT, previous)


def _left_beside(cache_dir) -> list[str]:
    """The files a tune left in the cache folder, its lock file aside."""
    return sorted(p.name for p in cache_dir.iterdir() if p != tuning.lock_path(tuning_path()))


def _old_tuning(monkeypatch) -> str:
    """A first tune's file, the one a stopped second tune must leave whole; the second's candidates run faster."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 2.0 for c in candidates("cpu", "none")}))
    tune(TINY, log=lambda line: None)
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    return tuning_path().read_text(encoding="utf-8")


def test_ctrl_c_twice_as_the_new_tuning_file_is_made_leaves_no_file_behind(monkeypatch, cache_dir):
    """The second press landing as the temporary file was made (before its name was known to the cleanup) left a
    .tuning-*.json.tmp beside tuning.json for good."""
    old = _old_tuning(monkeypatch)
    _pressed_twice_as(monkeypatch, "open", lambda name, *_: str(name).endswith(".json.tmp"))
    result, logged = _tuned_as_at_a_terminal()
    assert result.interrupted and not result.saved and result.stop_sig == signal.SIGINT
    assert any("stopped (Ctrl-C) before the tuning was saved" in line for line in logged), logged
    assert tuning_path().read_text(encoding="utf-8") == old
    assert _left_beside(cache_dir) == ["tuning.json"]


def test_ctrl_c_twice_as_the_tuning_file_is_replaced_says_it_was_saved(monkeypatch, cache_dir):
    """The second press landing as os.replace returned said "stopped (Ctrl-C) before the tuning was saved" and
    "saved": false, where the new file was in place and vcam run used it."""
    old = _old_tuning(monkeypatch)
    _pressed_twice_as(monkeypatch, "replace", lambda src, *_: str(src).endswith(".json.tmp"))
    result, logged = _tuned_as_at_a_terminal()
    assert result.interrupted and result.saved and result.stop_sig == signal.SIGINT
    assert any("stopped (Ctrl-C) as the tuning was saved" in line for line in logged), logged
    assert not any("before the tuning was saved" in line for line in logged), logged
    assert tuning_path().read_text(encoding="utf-8") != old
    assert _left_beside(cache_dir) == ["tuning.json"]


def test_ctrl_c_twice_in_a_candidate_says_its_stop_once(monkeypatch, cache_dir):
    """The second Ctrl-C, landing as the stopped candidate's engine was freed, said "stopped before any candidate
    finished: nothing to save" a second time."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): KeyboardInterrupt()
                                                     for c in candidates("cpu", "none")}))

    def release(device, compiled=True):
        raise KeyboardInterrupt  # the second press

    monkeypatch.setattr(tuning, "release_engines", release)
    logged = []
    result = tune(TINY, log=logged.append)
    assert result.interrupted and not result.saved
    assert logged.count("  stopped before any candidate finished: nothing to save") == 1, logged


def test_a_sigterm_once_the_bench_result_is_out_does_not_say_there_was_none(monkeypatch, capsys):
    """A SIGTERM as the result was flushed to stdout said "stopped (SIGTERM) before the timing finished: no result"
    under the whole result."""
    import vcam.bench.bench
    from vcam.bench.bench import BenchResult

    monkeypatch.setattr(vcam.bench.bench, "bench", lambda settings, log: _a_bench_result(BenchResult, settings))

    class StoppedAsFlushed(io.StringIO):
        def flush(self):
            if self.getvalue() and not getattr(self, "stopped", False):
                self.stopped = True
                signal.raise_signal(signal.SIGTERM)

    stdout = StoppedAsFlushed()
    monkeypatch.setattr(sys, "stdout", stdout)
    assert main(["bench", "--model", "tiny", "--device", "cpu", "--json"]) == 143
    said = json.loads(stdout.getvalue())  # the result alone: one object
    assert "error" not in said, said
    err = capsys.readouterr().err
    assert "no result" not in err and "vcam: stopped (SIGTERM) after the result was written\n" in err, err


def _a_bench_result(result_type, settings):
    return result_type(device="cpu", model=settings.model, width=112, height=64, steps=1, dtype="float32",
                       compile=False, fuse=True, attention="auto", quant="none", blocks=1, frames_per_second=3.0,
                       ms_per_block=1000.0)


def test_a_tune_says_why_its_warm_up_runs_more_blocks_than_asked_once(monkeypatch, cache_dir):
    """`--warmup 1` under --tune said "--warmup 1 runs 2: the first has no context ..." once per candidate."""
    from vcam.bench import bench as bench_module

    said = []
    rates = fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")})

    def saying(settings, log=print):
        said.append(bench_module.warmup_said(settings))
        assert settings.warmup_blocks == 2
        return rates(settings, log)

    monkeypatch.setattr(tuning, "bench", saying)
    tune(dataclasses.replace(TINY, warmup=1), log=lambda line: None)
    assert len(said) == len(candidates("cpu", "none")) > 1
    assert sum("--warmup 1 runs 2" in line for line in said) == 1, said


def _stop_raiser(stop: str):
    """Raises a Ctrl-C's KeyboardInterrupt, or sends the process a SIGTERM (which vcam bench's handler raises)."""
    def raised() -> None:
        if stop == "Ctrl-C":
            raise KeyboardInterrupt
        signal.raise_signal(signal.SIGTERM)

    return raised


@pytest.mark.parametrize("json_out", [False, True])
@pytest.mark.parametrize("where", ["between candidates", "as the fastest is picked"])
@pytest.mark.parametrize("stop, code", [("Ctrl-C", 130), ("SIGTERM", 143)])
def test_a_ctrl_c_between_tune_candidates_is_said_as_a_sigterm_there_is(monkeypatch, capsys, cache_dir, where,
                                                                         json_out, stop, code):
    """A Ctrl-C between two candidates, or once the last was timed, left as a plain KeyboardInterrupt: exit code 130
    without a line, and --json's object said "before the timing finished" with no `stopped_by`, where a SIGTERM at
    the same point says how far the tune got and names itself. Between candidates, what was measured is saved
    (marked partial): it was lost."""
    raised = _stop_raiser(stop)
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))
    if where == "between candidates":
        real_trial = tuning.Trial

        def trial(options, **kwargs):
            made = real_trial(options, **kwargs)
            if kwargs.get("frames_per_second") is not None and options.describe() == "attention math":
                raised()
            return made

        monkeypatch.setattr(tuning, "Trial", trial)
    else:
        monkeypatch.setattr(tuning, "_fastest", lambda trials: raised())
    got = main(["bench", "--model", "tiny", "--device", "cpu", "--tune", "--steps", "1", "--blocks", "1"]
               + (["--json"] if json_out else []))
    out = capsys.readouterr()
    assert got == code, out
    if where == "between candidates":
        assert f"3 candidates not tried: tuning was stopped ({stop})" in out.out or json_out, out.out
        result = json.loads(out.out) if json_out else None
        assert result is None or (result["partial"] and result["saved"] and result["stopped_by"] == stop), out.out
        assert json.loads((cache_dir / "tuning.json").read_text(encoding="utf-8"))
        return
    words = f"stopped ({stop}) as the tuning went on: nothing saved"
    assert out.err.endswith(f"vcam: {words}\n"), out.err
    if json_out:
        assert json.loads(out.out) == {"error": words, "stopped_by": stop, "saved": False}, out.out
    assert not (cache_dir / "tuning.json").exists()


@pytest.mark.parametrize("json_out", [False, True])
@pytest.mark.parametrize("stop, code", [("Ctrl-C", 130), ("SIGTERM", 143)])
def test_a_ctrl_c_as_bench_builds_its_settings_is_said_as_a_sigterm_there_is(monkeypatch, capsys, json_out, stop,
                                                                              code):
    """A Ctrl-C between PyTorch's import and the timing's own handling left with exit code 130 and not a word."""
    import vcam.bench.bench

    raised = _stop_raiser(stop)

    def built(**kwargs):
        raised()

    monkeypatch.setattr(vcam.bench.bench, "BenchSettings", built)
    got = main(["bench", "--model", "tiny", "--device", "cpu"] + (["--json"] if json_out else []))
    out = capsys.readouterr()
    words = f"stopped ({stop}) before the timing finished: no result"
    assert got == code
    assert out.err.endswith(f"vcam: {words}\n"), out.err
    assert (json.loads(out.out) == {"error": words}) if json_out else out.out == "", out.out


@pytest.mark.parametrize("json_out", [False, True])
@pytest.mark.parametrize("stop, code", [("Ctrl-C", 130), ("SIGTERM", 143)])
def test_a_stop_after_the_tuning_is_saved_before_the_tune_returns_says_it_is_saved(monkeypatch, capsys, cache_dir,
                                                                                  json_out, stop, code):
    """A stop landing once the tuning file was written, before tune() returned its result, was said "nothing saved"
    (and --json's object had no word of the file), though the file was there."""
    raised = _stop_raiser(stop)
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 for c in candidates("cpu", "none")}))

    class StoppedAsSaved(tuning.TuneResult):
        def __setattr__(self, name, value):
            super().__setattr__(name, value)
            if name == "saved" and value:  # the stop lands just after the save is noted
                raised()

    monkeypatch.setattr(tuning, "TuneResult", StoppedAsSaved)
    got = main(["bench", "--model", "tiny", "--device", "cpu", "--tune", "--steps", "1", "--blocks", "1"]
               + (["--json"] if json_out else []))
    out = capsys.readouterr()
    path = cache_dir / "tuning.json"
    words = f"stopped ({stop}) as the tuning went on: it is saved to {path}"
    assert got == code, out
    assert out.err.endswith(f"vcam: {words}\n"), out.err
    if json_out:
        assert json.loads(out.out) == {"error": words, "stopped_by": stop, "saved": True}, out.out
    assert path.exists()


@pytest.mark.parametrize("at", ["open", "fsync", "close"])
def test_a_ctrl_c_as_the_new_tuning_file_is_opened_written_or_closed_closes_its_descriptor_once(monkeypatch, tmp_path,
                                                                                                 at):
    """A Ctrl-C landing as the new file was opened left its descriptor open for the rest of the process; one landing
    as its descriptor was closed closed the same number again, by then another file's (one another thread opened)."""
    made, taken, real_open, real_fsync, real_close = [], [], open, os.fsync, os.close

    def pressed_open(file, *args, **kwargs):
        f = real_open(file, *args, **kwargs)
        if str(file).endswith(".json.tmp"):
            made.append(f.fileno())
            signal.raise_signal(signal.SIGINT)  # the Ctrl-C arrives as the call returns
        return f

    def recording_fsync(fd):
        made.append(fd)
        real_fsync(fd)
        if at == "fsync":
            signal.raise_signal(signal.SIGINT)

    def close_then_another_opens(fd):
        real_close(fd)
        if fd in made and not taken:
            taken.append(os.open(os.devnull, os.O_RDONLY))  # the lowest free number: the one just closed
            signal.raise_signal(signal.SIGINT)

    if at == "open":
        monkeypatch.setattr(tuning, "open", pressed_open, raising=False)
    monkeypatch.setattr(os, "fsync", recording_fsync)
    monkeypatch.setattr(os, "close", close_then_another_opens)
    try:
        tuning._write_entries(tmp_path / "tuning.json", {})
    except KeyboardInterrupt:
        pass
    monkeypatch.undo()
    gc.collect()  # a file object lost on the way closes its descriptor as it is collected
    for fd in taken:
        try:
            os.fstat(fd)  # not closed by the tune
        finally:
            os.close(fd)
    assert made
    with pytest.raises(OSError) as gone:
        os.fstat(made[0])
    assert gone.value.errno == errno.EBADF
    assert [p.name for p in tmp_path.iterdir()] in ([], ["tuning.json"])  # no new file left beside it


def test_a_tune_on_too_few_blocks_says_its_pick_may_be_noise(monkeypatch):
    """`--blocks 1` timed each candidate on one block and named a "fastest" from that, unsaid."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 + i
                                                     for i, c in enumerate(candidates("cpu", "none"))}))
    said = []
    result = tune(TINY, log=said.append)  # --blocks 1
    few = ("each candidate was timed on 1 block, too few to tell a faster one from timing noise; for a pick to keep, "
           "tune with --blocks 3 or more (the default is 8)")
    assert few in result.table().splitlines() and json.loads(result.to_json())["warning"] == few
    assert said[0] == few.replace("was timed", "is timed")  # before the candidates' minutes
    enough = tune(dataclasses.replace(TINY, blocks=3), log=said.append)
    assert "timing noise;" not in enough.table() and json.loads(enough.to_json())["warning"] is None


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_as_the_write_probe_is_made_leaves_no_probe_behind(monkeypatch, cache_dir, sig):
    """A Ctrl-C or SIGTERM landing as mkstemp returned, before its clean-up was set, left a .tuning-XXXX.probe file
    in the cache folder for good; the stop is still raised, once the probe is gone."""
    from vcam.live.signals import stops_raised

    made = tuning.tempfile.mkstemp

    def stopped_as_it_returns(*args, **kwargs):
        opened = made(*args, **kwargs)
        signal.raise_signal(sig)  # Python runs the handler at once, before the caller's next line
        return opened

    monkeypatch.setattr(tuning.tempfile, "mkstemp", stopped_as_it_returns)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises((KeyboardInterrupt, StoppedLoading)) as stop, stops_raised():
            tuning._check_writable(cache_dir / "tuning.json")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert getattr(stop.value, "sig", signal.SIGINT) == sig
    assert list(cache_dir.glob(".tuning-*")) == []


def test_a_show_running_a_pick_tuned_on_too_few_blocks_says_it_may_be_noise(monkeypatch):
    """A `--blocks 1` tune was saved, and each show after it ran its pick as one measured, without a word."""
    monkeypatch.setattr(tuning, "bench", fake_bench({c.describe(): 3.0 + i
                                                     for i, c in enumerate(candidates("cpu", "none"))}))
    assert tune(TINY, log=lambda s: None).saved  # --blocks 1
    noisy = choose_speed(cpu_key(), NO_FLAGS).message
    assert noisy.endswith("; picked from candidates timed on 1 block each, too few to tell a faster one from timing "
                          "noise: run `vcam bench --tune --model tiny --steps 1` (8 blocks each) for a pick to "
                          "keep"), noisy
    assert tune(dataclasses.replace(TINY, blocks=3), log=lambda s: None).saved
    kept = choose_speed(cpu_key(), NO_FLAGS).message
    assert kept.startswith("speed: tuned on ") and "timing noise" not in kept, kept


def stopped_as_said(line: str, stop: BaseException):
    """A log that raises `stop` as the line starting with `line` is said: a stop between two candidates."""
    def log(text):
        if text.startswith(line):
            raise stop

    return log


def tuned_through(settings, log):
    """tune(), where a stop that leaves it (with every rate measured lost) fails the test, not the test run."""
    try:
        return tune(settings, log=log)
    except (KeyboardInterrupt, StoppedLoading) as stop:
        pytest.fail(f"the stop left the tuning, the rates measured lost: {stop!r}")


def saved_entry(cache_dir) -> dict:
    entries = json.loads((cache_dir / "tuning.json").read_text(encoding="utf-8"))["entries"]
    (entry,) = entries.values()
    return entry


RATES = {"eager": 5.0, "attention math": 8.0, "no fuse": 4.0, "no fuse, attention math": 9.0}


@pytest.mark.parametrize("stop, code", [(KeyboardInterrupt(), "Ctrl-C"), (StoppedLoading(signal.SIGTERM), "SIGTERM")])
def test_a_stop_between_candidates_saves_what_was_measured_marked_partial(monkeypatch, cache_dir, stop, code):
    """A Ctrl-C as the next candidate's line was said left the tuning with nothing saved: the rates measured were
    lost, minutes of a card's time."""
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    result = tuned_through(TINY, stopped_as_said("candidate 3/4", stop))
    assert result.interrupted and result.saved and result.partial
    assert [t.frames_per_second for t in result.trials] == [5.0, 8.0, None, None]
    entry = saved_entry(cache_dir)
    assert entry["partial"] is True and entry["options"] == SpeedOptions(attention="math").to_dict()
    table = result.table().splitlines()
    assert f"2 candidates not tried: tuning was stopped ({code})" in table, table
    assert table[-1] == ("saved as partial: the candidates not timed are left out of the pick; run the same "
                         "`vcam bench --tune` again to time only those"), table
    assert json.loads(result.to_json())["partial"] is True


def test_a_later_tune_times_only_the_candidates_a_stopped_one_left(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    first = tuned_through(TINY, stopped_as_said("candidate 3/4", KeyboardInterrupt()))
    timed = timing_recorded(monkeypatch)
    said = []
    second = tune(TINY, log=said.append)
    assert [s.speed.describe() for s in timed] == ["no fuse", "no fuse, attention math"]
    assert timed[0].warmup == TINY.warmup  # the first timed here warms up as asked
    assert f"going on from the tuning stopped on {first.date}: 2 candidates measured then are kept, the rest are " \
           "timed now (to time every one again, add --retune)" in said, said
    assert [t.frames_per_second for t in second.trials] == [5.0, 8.0, 3.0, 3.0]
    assert not second.partial and "partial" not in saved_entry(cache_dir)
    assert f"\n      8.00  attention math (measured on {first.date}, before a stop)   <- fastest\n" in second.table()


def test_retune_times_every_candidate_again_after_a_stopped_tune(monkeypatch, cache_dir, capsys):
    """A tune at the settings of a stopped one always kept the stopped one's rates: the only way to time them all again
    was to tune on other blocks."""
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    tuned_through(TINY, stopped_as_said("candidate 3/4", KeyboardInterrupt()))
    timed = timing_recorded(monkeypatch)
    assert main(["bench", "--tune", "--retune", "--model", "tiny", "--device", "cpu", "--steps", "1", "--blocks", "1",
                 "--warmup", "2"]) == 0
    assert len(timed) == 4
    out = capsys.readouterr().out
    assert "going on from" not in out and "before a stop" not in out, out
    assert [c["frames_per_second"] for c in saved_entry(cache_dir)["candidates"]] == [3.0] * 4
    assert "partial" not in saved_entry(cache_dir)


def test_retune_is_said_in_bench_help_and_refused_without_tune(monkeypatch, capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["bench", "--help"])
    helped = " ".join(capsys.readouterr().out.split())
    assert "--retune with --tune: time every candidate again" in helped, helped
    monkeypatch.setattr(tuning, "bench", lambda *a, **k: pytest.fail("timed"))
    assert main(["bench", "--model", "tiny", "--no-compile", "--retune"]) == 2
    assert capsys.readouterr().err.startswith("vcam: error: --retune only applies to a tuning run")


def test_a_show_running_a_pick_from_a_stopped_tune_says_candidates_were_left_untimed(monkeypatch, cache_dir):
    """A show ran a stopped tune's pick as if every candidate had been timed, not a word of the two left."""
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    tuned_through(TINY, stopped_as_said("candidate 3/4", KeyboardInterrupt()))
    message = choose_speed(cpu_key(), NO_FLAGS).message
    assert message.endswith("; from a stopped tune, 2 candidates untimed, the others timed on 1 block each, too few "
                            "to tell a faster one from timing noise: run `vcam bench --tune --model tiny --steps 1` (8 "
                            "blocks each) to time every one again"), message
    assert message.count("vcam bench --tune") == 1, message


def test_a_stopped_tunes_pick_says_the_command_times_only_the_rest_where_it_does(monkeypatch, cache_dir):
    """A stopped tune on the blocks and warm-up a plain tune runs is gone on from by the command said: only the
    untimed candidates are timed then."""
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    settings = dataclasses.replace(TINY, blocks=BenchSettings.blocks, warmup=BenchSettings.warmup)
    tuned_through(settings, stopped_as_said("candidate 3/4", KeyboardInterrupt()))
    message = choose_speed(cpu_key(), NO_FLAGS).message
    assert message.endswith("; from a stopped tune, 2 candidates untimed: run `vcam bench --tune --model tiny "
                            "--steps 1` to time them"), message
    timed = timing_recorded(monkeypatch)
    tune(settings, log=lambda s: None)
    assert len(timed) == 2


def test_a_stop_as_the_save_returns_says_no_partial_save_it_did_not_make(monkeypatch, cache_dir):
    """A Ctrl-C landing once the entry was written, after a tune whose budget left candidates untried, said "saved as
    partial" of an entry saved whole."""
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    save = tuning._save_entry

    def saved_then_stopped(*args):
        save(*args)
        raise KeyboardInterrupt

    monkeypatch.setattr(tuning, "_save_entry", saved_then_stopped)
    ticks = itertools.count()
    result = tune(TINY, log=lambda s: None, budget_s=0.5, clock=lambda: next(ticks))
    assert result.interrupted and result.saved and "partial" not in saved_entry(cache_dir)
    assert not result.partial and "saved as partial" not in result.table(), result.table()
    assert json.loads(result.to_json())["partial"] is False


@pytest.mark.parametrize("edit", [{"candidates": 5}, {"date": None}, {"date": 7}, {"blocks": True}])
def test_a_hand_edited_partial_entry_is_timed_again_saying_why(monkeypatch, cache_dir, edit):
    """`"candidates": 5` was a traceback out of the tune, no date was "stopped on earlier", `"blocks": true` passed
    as --blocks 1."""
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    tuned_through(dataclasses.replace(TINY, blocks=1), stopped_as_said("candidate 3/4", KeyboardInterrupt()))
    tuning_file = cache_dir / "tuning.json"
    data = json.loads(tuning_file.read_text(encoding="utf-8"))
    (entry,) = data["entries"].values()
    entry.update(edit)
    tuning_file.write_text(json.dumps(data), encoding="utf-8")
    timed = timing_recorded(monkeypatch)
    said = []
    tune(TINY, log=said.append)
    assert len(timed) == 4
    assert [s for s in said if "is marked as stopped" in s] == [
        f"the tuning at these settings in {tuning_file} is marked as stopped but does not say when, on which blocks "
        "or what it timed: every candidate is timed again"], said


def test_a_later_tune_on_other_blocks_says_why_it_times_every_candidate(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    tuned_through(TINY, stopped_as_said("candidate 3/4", KeyboardInterrupt()))
    timed = timing_recorded(monkeypatch)
    said = []
    tune(dataclasses.replace(TINY, blocks=2), log=said.append)
    assert len(timed) == 4
    assert any("timed each candidate on 1 block after a warm-up of 2 blocks, this one on 2 blocks after a warm-up "
               "of 2 blocks: its rates do not compare, so every candidate is timed again" in s for s in said), said


class StoppedAt(io.StringIO):
    """stdout, where a Ctrl-C lands as `line` is printed."""

    def __init__(self, line):
        super().__init__()
        self.line = line

    def write(self, text):
        if self.line in text:
            raise KeyboardInterrupt
        return super().write(text)


def test_ctrl_c_between_candidates_through_the_command_says_the_partial_save(monkeypatch, cache_dir):
    monkeypatch.setattr(tuning, "bench", fake_bench(RATES))
    monkeypatch.setattr(sys, "stdout", StoppedAt("candidate 3/4"))
    assert main(["bench", "--tune", "--model", "tiny", "--device", "cpu"]) == 130
    shown = sys.stdout.getvalue()
    assert "stopped: the candidates measured so far are compared and saved" in shown, shown
    assert "saved as partial: " in shown and saved_entry(cache_dir)["partial"] is True, shown
