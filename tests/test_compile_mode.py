"""Inductor's compile mode as a speed option: it reaches torch.compile, tunes last on CUDA, and old files still load."""
import json

import pytest
import torch

import vcam
from vcam.bench.tuning import candidates, lookup
from vcam.cli import main
from vcam.engine.compiling import RECOMPILE_LIMIT, allow_recompiles, compile_engine, uncompile
from vcam.engine.speed import SpeedFlags, SpeedOptions

AUTOTUNE = "max-autotune-no-cudagraphs"


@pytest.fixture
def compile_calls(monkeypatch):
    """torch.compile replaced by a recorder that compiles nothing (nn.Module.compile looks it up at each call)."""
    calls = []

    def fake_compile(fn, *args, **kwargs):
        calls.append((getattr(fn, "__self__", None), kwargs))
        return fn

    monkeypatch.setattr(torch, "compile", fake_compile)
    return calls


@pytest.mark.parametrize("mode", ["default", AUTOTUNE])
def test_the_mode_reaches_torch_compile_for_the_blocks(compile_calls, mode):
    engine = vcam.load("tiny", progress=False, speed=SpeedOptions(compile=True, compile_mode=mode))
    blocks = [kwargs for module, kwargs in compile_calls if module in list(engine.model.blocks)]
    assert len(blocks) == len(engine.model.blocks)
    assert all(kwargs == {"dynamic": False, "mode": mode} for kwargs in blocks)
    (decoder,) = [kwargs for module, kwargs in compile_calls if module is engine.vae.decoder]
    assert decoder == {"dynamic": False}  # its many convolution shapes are not autotuned
    uncompile(engine)
    assert engine.speed == SpeedOptions()  # back to eager, the mode with it


def test_compile_engine_gives_its_mode_to_the_blocks_only(compile_calls):
    engine = vcam.load("tiny", progress=False)
    compile_engine(engine, AUTOTUNE)
    assert {kwargs.get("mode") for _, kwargs in compile_calls} == {AUTOTUNE, None}


def test_compiling_an_engine_lets_a_function_keep_more_graphs_than_dynamos_default(compile_calls):
    """The decoder's functions meet more shapes than dynamo's default 8 over two streams (an H200's second stream
    then decoded partly eager); a higher limit someone set stays. (dynamo's own patch: its config is no plain
    module for monkeypatch.)"""
    config = torch._dynamo.config
    with config.patch(recompile_limit=8):
        compile_engine(vcam.load("tiny", progress=False))
        assert config.recompile_limit == RECOMPILE_LIMIT > 8
    with config.patch(recompile_limit=500):
        allow_recompiles()
        assert config.recompile_limit == 500


@pytest.mark.parametrize("raised", [False, True])
def test_past_the_limit_a_function_runs_eager_and_the_raised_limit_keeps_compiling(raised):
    """What the limit does, on this torch: a function compiled with dynamic=False and called at 12 shapes gets a
    graph for each only under the raised limit; under the default it stops at 8 and runs eager after."""
    from torch._dynamo.utils import counters

    def double(x):
        return x * 2

    with torch._dynamo.config.patch(recompile_limit=8):
        if raised:
            allow_recompiles()
        torch._dynamo.reset()
        compiled = torch.compile(double, backend="eager", dynamic=False)
        before = counters["stats"]["unique_graphs"]
        for n in range(1, 13):
            assert torch.equal(compiled(torch.ones(n)), torch.full((n,), 2.0))
        assert counters["stats"]["unique_graphs"] - before == (12 if raised else 8)
        torch._dynamo.reset()


def test_the_mode_is_named_only_when_compiling():
    assert SpeedOptions(compile=True, compile_mode=AUTOTUNE).describe() == f"compile, compile_mode {AUTOTUNE}"
    assert SpeedOptions(compile_mode=AUTOTUNE).describe() == "eager"
    assert SpeedOptions(compile=True).describe() == "compile"
    with pytest.raises(ValueError, match="unknown compile mode 'reduce-overhead'"):
        SpeedOptions(compile=True, compile_mode="reduce-overhead")
    with pytest.raises(ValueError, match="needs compiling"):
        SpeedFlags(compile=False, compile_mode=AUTOTUNE)
    assert SpeedFlags(compile_mode=AUTOTUNE).over(SpeedOptions(compile=True)) == SpeedOptions(
        compile=True, compile_mode=AUTOTUNE)


def test_autotuning_is_the_last_cuda_candidate_and_never_a_cpu_one():
    on_cuda = candidates("cuda", "none")
    assert on_cuda[-1] == SpeedOptions(compile=True, compile_mode=AUTOTUNE)
    assert [c for c in on_cuda if c.compile_mode != "default"] == on_cuda[-1:]
    assert all(c.compile_mode == "default" for c in candidates("cpu", "none"))


def test_old_tuning_files_still_load_and_new_ones_keep_the_mode(tmp_path):
    path = tmp_path / "tuning.json"
    key = "cpu | torch {} | tiny | 112x64 | 1 steps | float32 | quant none".format(torch.__version__)

    def saved(options: dict) -> SpeedOptions | None:
        path.write_text(json.dumps({"version": 1, "entries": {key: {"options": options}}}))
        warnings = []
        found = lookup("cpu", "tiny", 112, 64, 1, "float32", "none", path=path, warn=warnings.append)
        assert not warnings
        return found[0]

    # saved before the option existed: the default mode
    assert saved({"fuse": True, "compile": True, "attention": "cudnn", "quant": "none"}) == SpeedOptions(
        compile=True, attention="cudnn")
    assert saved(SpeedOptions(compile=True, compile_mode=AUTOTUNE).to_dict()).compile_mode == AUTOTUNE
    path.write_text(json.dumps({"version": 1, "entries": {key: {"options": {"compile_mode": "fastest"}}}}))
    warnings = []
    assert lookup("cpu", "tiny", 112, 64, 1, "float32", "none", path=path, warn=warnings.append) is None
    assert "unknown compile mode 'fastest'" in warnings[0]


def test_the_command_line_carries_the_mode(monkeypatch, capsys):
    import vcam.bench.bench
    import vcam.live.run

    seen = []
    monkeypatch.setattr(vcam.live.run, "play",
                        lambda opts, attach=None: seen.append(opts) or vcam.live.run.Ended(0, False))
    assert main(["run", "--model", "tiny", "--compile-mode", AUTOTUNE]) == 0
    assert seen[-1].speed == SpeedFlags(compile_mode=AUTOTUNE)
    assert main(["run", "--model", "tiny", "--no-compile", "--compile-mode", AUTOTUNE]) != 0
    assert "needs compiling" in capsys.readouterr().err
    monkeypatch.setattr(vcam.bench.bench, "bench", lambda settings, log: seen.append(settings) or (
        _ for _ in ()).throw(KeyboardInterrupt))
    main(["bench", "--model", "tiny", "--compile", "--compile-mode", AUTOTUNE])  # stops at bench (Ctrl-C)
    assert seen[-1].speed == SpeedOptions(compile=True, compile_mode=AUTOTUNE)
    assert main(["bench", "--tune", "--compile-mode", AUTOTUNE]) != 0


UNUSED = f"--compile-mode {AUTOTUNE} is not used: nothing is compiled"


@pytest.mark.parametrize("command", ["run", "serve", "bench"])
def test_no_compile_with_a_compile_mode_is_refused_alike(command, monkeypatch, capsys):
    import vcam.bench.bench
    import vcam.live.run

    monkeypatch.setattr(vcam.live.run, "play", lambda opts, attach=None: pytest.fail("the show started"))
    monkeypatch.setattr(vcam.bench.bench, "bench", lambda settings, log: pytest.fail("the bench ran"))
    assert main([command, "--model", "tiny", "--no-compile", "--compile-mode", AUTOTUNE]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"vcam: error: --compile-mode {AUTOTUNE} needs compiling, which --no-compile turns off",
        "  fix: leave out --no-compile, or leave out --compile-mode"]


@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_compile_mode_where_nothing_compiles_is_said_once_and_the_show_starts(command, monkeypatch, capsys):
    """On this CPU (tiny, compiling off by default) the mode changes nothing: one line says so on the speed line,
    and the show goes on as it would without it."""
    import vcam.live.run

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    seen = []

    def play(opts, attach=None):
        seen.append(vcam.live.run._prepare(opts))
        return vcam.live.run.Ended(0, False)

    monkeypatch.setattr(vcam.live.run, "play", play)
    assert main([command, "--model", "tiny", "--out", "null", "--no-stdin", "--compile-mode", AUTOTUNE]) == 0
    assert not seen[-1].speed.options.compile
    said = [line for line in capsys.readouterr().err.splitlines() if UNUSED in line]
    assert len(said) == 1 and said[0].startswith("vcam: speed: eager (as given); ")
    for flags in (["--compile"], ["--compile-mode", "default"], ["--no-compile", "--compile-mode", "default"]):
        assert main([command, "--model", "tiny", "--out", "null", "--no-stdin", *flags]) == 0
        assert "--compile-mode" not in capsys.readouterr().err, flags


def test_bench_where_nothing_compiles_says_the_mode_is_unused_and_times_eager(monkeypatch, capsys):
    import vcam.bench.bench

    ran = []
    monkeypatch.setattr(vcam.bench.bench, "bench", lambda settings, log: ran.append(settings) or (
        _ for _ in ()).throw(KeyboardInterrupt))
    assert main(["bench", "--model", "tiny", "--device", "cpu", "--compile-mode", AUTOTUNE]) == 130  # at bench
    assert ran[-1].speed == SpeedOptions()  # what runs, and what its result names
    assert capsys.readouterr().out.count(UNUSED) == 1
    main(["bench", "--model", "tiny", "--device", "cpu", "--compile", "--compile-mode", AUTOTUNE])
    assert ran[-1].speed == SpeedOptions(compile=True, compile_mode=AUTOTUNE)
    assert UNUSED not in capsys.readouterr().out


def test_a_sigterm_while_the_warm_up_compiles_stops_the_load_and_is_not_taken_for_a_broken_compiler(monkeypatch):
    """SIGTERM while torch.compile built kernels (minutes, for a big model on a GPU) came out of the backend wrapped
    as BackendCompilerFailed: the warm-up took it for a compiler this machine lacks, went on eager, and vcam render
    rendered the whole log with exit code 0 where the user had stopped it."""
    import os
    import signal

    from vcam.live.signals import StoppedLoading, stops_raised

    real = torch.compile
    built = []

    def stopped_backend(graph, example_inputs):
        built.append(graph)
        os.kill(os.getpid(), signal.SIGTERM)  # docker stop, while the backend is busy making its kernels
        for _ in range(100000):  # the handler runs between bytecodes: it raises in here
            pass
        return graph.forward

    monkeypatch.setattr(torch, "compile", lambda fn, *args, **kwargs: real(fn, backend=stopped_backend))
    engine = vcam.load("tiny", progress=False, speed=SpeedOptions(compile=True))
    stream = engine.stream("a lighthouse in a storm", seed=4)
    said = []
    previous = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        with pytest.raises(StoppedLoading) as stopped:
            with stops_raised():
                stream.warm_up(say=said.append)
    finally:
        signal.signal(signal.SIGTERM, previous)
        uncompile(engine)
    assert stopped.value.sig == signal.SIGTERM and built, said
    assert said == []  # no "compiling failed on this machine"
