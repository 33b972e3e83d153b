"""scripts/gpu_check.py's own machinery, on the CPU: a step that fails is said in the table and the next one runs, a
step that would pass the deadline is skipped with a line, a step still running past it is cut short with the table
printed, and the output ends with the tables, which are also written beside the JSON. The rows that need a card
(FP8's and INT8 attention's PSNR) run here with stand-ins for the kernels, so their arithmetic runs before a card's
minutes are spent on it (tests/test_speed_paths.py runs the whole script's --smoke version, marked slow)."""
from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from helpers import script_module
from test_int8_attention import FakeSage

ROOT = Path(__file__).resolve().parent.parent
gpu_check = script_module("gpu_check")
HEADER = {"device": "cpu", "torch": torch.__version__, "diffusers": "0", "torchao": "0", "transformers": "0",
          "sageattention": "not installed"}


def tiny_engine():
    """A tiny engine of its own: the FP8 and INT8 rows change theirs."""
    from vcam.engine.configs import get_spec
    from vcam.engine.load import random_engine
    from vcam.engine.speed import SpeedOptions

    return random_engine(get_spec("tiny"), torch.device("cpu"), torch.float32, SpeedOptions())


def fake_row(fps: float = 8.2) -> SimpleNamespace:
    """What bench_line reads of a BenchResult."""
    return SimpleNamespace(stages_ms={"recompute": 220.0, "pass 1": 262.0, "vae decode": 178.0, "context": 18.0},
                           peak_vram_gb=39.2, estimated_vram_gb=38.5, frames_per_second=fps, ms_per_block=1464.0,
                           efficiency=0.62, warmup_s=95.0, split=None)


def test_a_failing_step_is_said_in_the_table_and_the_next_one_runs(tmp_path, capsys):
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time() + 600)

    def broken():
        raise RuntimeError("CUDA error: an illegal memory access was encountered")

    assert run.step("kernels", broken) == {"error": "RuntimeError: CUDA error: an illegal memory access was "
                                                    "encountered"}
    assert run.step("vae_dtypes", lambda: {"fp16": "fine"}) == {"fp16": "fine"}
    run.print_table()
    printed = capsys.readouterr()
    out = printed.out
    assert "Traceback" in printed.err  # the whole error is in the log, its line in the table
    assert "| kernels | {'error': 'RuntimeError: CUDA error: an illegal memory access was encountered'} |" in out
    assert "| vae_dtypes | {'fp16': 'fine'} |" in out
    assert json.loads((tmp_path / "r.json").read_text())["vae_dtypes"] == {"fp16": "fine"}


def test_a_step_that_would_pass_the_deadline_is_skipped_with_a_line(tmp_path, capsys):
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time() + 20)
    ran = []
    assert run.step("card", lambda: ran.append("card") or {"ok": 1}, need_s=15) == {"ok": 1}
    assert run.step("bf16_vs_fp32", lambda: ran.append("fp32"), need_s=40) is None
    engine = run.step("build bf16", lambda: ran.append("build"), need_s=30)
    run.bench_row("832x480 bf16", None, engine)  # its build skipped: so is the row, for the same reason
    run.bench_row("832x480 bf16 flash", None, {"error": "OutOfMemoryError: ..."})
    assert ran == ["card"]
    out = capsys.readouterr().out
    assert "-- bf16_vs_fp32: skipped, 20 s left before the deadline and it needs about 40 s" in out
    assert "-- bench 832x480 bf16: skipped, deadline (its build was skipped)" in out
    assert "-- bench 832x480 bf16 flash: skipped, its build failed" in out
    run.print_table()
    out = capsys.readouterr().out
    assert out.rstrip().endswith("skipped for time: bf16_vs_fp32, build bf16, bench 832x480 bf16")
    assert "| 832x480 bf16 flash | {'skipped': 'its build failed'} |" in out


def test_the_output_ends_with_the_tables_also_written_beside_the_json(tmp_path, capsys):
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time() + 600, started=time.time() - 351)
    run.rows += [("832x480 bf16 compiled", fake_row()), ("576x320 bf16 compiled", SimpleNamespace(split=None))]
    run.results.update({"bench 832x480 bf16 compiled": {}, "bench 576x320 bf16 compiled": {},
                        "kernels": {"recompute": ["x" * 500]}})
    run.print_table()
    lines = capsys.readouterr().out.rstrip("\n").splitlines()
    assert lines[-3:-1] == ["| check | result |", "|---|---|"] and lines[-1].startswith("| kernels | ")
    assert len(lines[-1]) < 260 and lines[-1].endswith("… |")  # long results cut; the JSON has them whole
    assert "| 832x480 bf16 compiled | 8.20 | 1464 | 482 | 196 | 39.2 (38.5) | 62 % | 95 |" in lines
    # a row that cannot be printed says so and costs only itself
    assert any(line.startswith("(could not print: AttributeError") for line in lines)
    assert any(line.startswith("gpu_check on cpu, torch ") and line.endswith("; 351 s") for line in lines)
    written = (tmp_path / "r.md").read_text()
    assert written.rstrip("\n").splitlines()[-1] == lines[-1] and "| settings | frames/s |" in written


def test_a_step_still_running_past_the_deadline_is_cut_short_with_the_table_printed(tmp_path):
    script = textwrap.dedent(f"""
        import sys, threading, time
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from helpers import script_module
        gpu_check = script_module("gpu_check")
        run = gpu_check.Run({str(tmp_path / "r.json")!r}, {HEADER!r}, deadline=time.time() + 0.2)
        run.step("card", lambda: {{"ok": 1}}, need_s=0)
        threading.Timer(0.5, run.stop, args=(0.3,)).start()
        run.step("kernels", lambda: threading.Event().wait(120), need_s=0)  # hangs
        print("never here")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 3, done.stderr
    assert "-- hard stop: 0 s past the deadline, kernels still running; ending here" in done.stdout
    assert "never here" not in done.stdout
    assert done.stdout.rstrip().splitlines()[-1] == "| kernels | {'error': 'stopped: still running 0 s past the " \
                                                    "deadline'} |"
    assert json.loads((tmp_path / "r.json").read_text())["card"] == {"ok": 1}


def test_the_hard_stop_after_the_last_table_does_nothing(tmp_path, capsys):
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time())
    run.step("card", lambda: {"ok": 1}, need_s=0)
    run.finish()
    assert capsys.readouterr().out.count("| check | result |") == 1
    run.stop(45)  # the timer fired as the steps ended: no second table, no exit
    run.finish()
    assert capsys.readouterr().out == ""


class Killed(BaseException):
    """The process killed where it was (kill -9, or os._exit from the hard stop's thread)."""


def test_a_run_killed_mid_write_leaves_the_last_whole_tables(tmp_path, monkeypatch):
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time() + 600)
    run.step("card", lambda: {"ok": 1}, need_s=0)
    opened = io.open

    def half_then_killed(file, mode="r", *args, **kwargs):
        f = opened(file, mode, *args, **kwargs)
        if "w" not in mode or not str(file).startswith(str(tmp_path)):
            return f
        write = f.write

        def cut(text):
            write(text[:len(text) // 2])
            f.flush()
            raise Killed

        f.write = cut
        return f

    run.results["kernels"] = {"recompute": ["flash"]}
    monkeypatch.setattr(io, "open", half_then_killed)
    with pytest.raises(Killed):
        run.save()
    monkeypatch.undo()
    assert json.loads((tmp_path / "r.json").read_text())["card"] == {"ok": 1}
    assert (tmp_path / "r.md").read_text().rstrip("\n").splitlines()[-1] == "| card | {'ok': 1} |"


def test_the_hard_stop_ends_the_process_though_the_table_cannot_be_printed(tmp_path, monkeypatch):
    """tee gone: printing raises a broken pipe. The hung step must not keep the process past the machine's limit."""
    class Gone(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    exits = []

    def exit_now(code):
        exits.append(code)
        raise Killed

    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time())
    run.current = "kernels"
    monkeypatch.setattr(sys, "stdout", Gone())
    monkeypatch.setattr(gpu_check.os, "_exit", exit_now)
    with pytest.raises(Killed):
        run.stop(45)
    assert exits == [3]


def test_the_hard_stop_saves_while_a_step_adds_its_result(tmp_path):
    """The step's thread may add a result while the hard stop's thread writes them: the JSON is written whole."""
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time())

    class AddsOneAsItIsWritten:  # stands in for the other thread, between two keys of the dump
        def __str__(self):
            run.results.setdefault("vae_dtypes", {"fp16": "fine"})
            return "added"

    run.results["kernels"] = AddsOneAsItIsWritten()
    run.save()
    assert json.loads((tmp_path / "r.json").read_text())["kernels"] == "added"


def run_gpu_check_sh(tmp_path: Path, python: str, *args: str) -> subprocess.CompletedProcess:
    """scripts/gpu_check.sh with a bash script standing in for the device's python3 (`python`: its body)."""
    fake = tmp_path / "python"
    fake.write_text("#!/usr/bin/env bash\n" + python)
    fake.chmod(0o755)
    env = {"PATH": "/usr/bin:/bin", "PYTHON": str(fake), "OUT": str(tmp_path / "out"), "GPU_CHECK_START": "0"}
    return subprocess.run(["bash", "scripts/gpu_check.sh", *args], capture_output=True, text=True, timeout=60,
                          cwd=ROOT, env=env)


def test_gpu_check_shs_exit_status_comes_through_tee(tmp_path):
    """The hard stop's 3 (or a refusal's 1) is the script's own status, though its output goes through tee."""
    done = run_gpu_check_sh(tmp_path, "case \"$1\" in -c|-m) exit 0;; esac\n"
                                      "echo \"gpu_check.py $*\"; exit 3\n", "--quick")
    assert done.returncode == 3, done.stdout + done.stderr
    assert "gpu_check.py scripts/gpu_check.py --out" in (tmp_path / "out" / "gpu_check.log").read_text()


def test_gpu_check_sh_fails_and_tables_the_attention_bias_tests_that_failed_before_a_full_run(tmp_path):
    """The bias's CUDA tests run under pytest before the bench: their failure is a row of the check table (through
    the environment) and the script's status (4), though every bench step after them ran."""
    done = run_gpu_check_sh(tmp_path, "case \"$1\" in -c) exit 0;; "
                                      "-m) echo '==== 1 failed, 3 passed in 2.0s ===='; exit 1;; esac\n"
                                      "echo \"table row: $GPU_CHECK_BIAS_TESTS\"; exit 0\n")
    log = (tmp_path / "out" / "gpu_check.log").read_text()
    assert done.returncode == 4, log
    assert "table row: pytest exit 1: 1 failed, 3 passed in 2.0s" in log
    assert "the attention bias's CUDA tests: pytest exit 1" in log


def test_a_run_names_the_attention_bias_tests_outcome_in_its_check_table(tmp_path, monkeypatch):
    monkeypatch.setenv("GPU_CHECK_BIAS_TESTS", "4 passed in 3.1s")
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", "--smoke", "--out", str(tmp_path / "r.json"), "--budget", "0"])
    assert gpu_check.main() == 0
    assert "| attention bias CUDA tests | 4 passed in 3.1s |" in (tmp_path / "r.md").read_text()


def test_fp8s_psnr_against_bf16_with_a_stand_in_for_torchao(monkeypatch):
    """The FP8 row's arithmetic, with the weights rounded to bf16 standing in for torchao's FP8."""
    import vcam.engine.quant as quant

    def rounded(blocks, device):
        with torch.no_grad():
            for m in blocks.modules():
                if isinstance(m, torch.nn.Linear):
                    m.weight.copy_(m.weight.to(torch.bfloat16).float())
        return blocks

    monkeypatch.setattr(quant, "fp8_unsupported", lambda device: None)
    monkeypatch.setattr(quant, "quantize_fp8", rounded)
    result = gpu_check.fp8_vs_bf16(tiny_engine())
    assert len(result["psnr_db"]) == 3 and all(20.0 < p < 138.0 for p in result["psnr_db"]), result
    assert all(d >= 0 for d in result["mean_abs_diff"])


def test_int8_attentions_row_with_the_stand_in_gives_the_engine_sdpa_back(monkeypatch):
    import vcam.engine.attention as attention

    sage = FakeSage()
    monkeypatch.setitem(sys.modules, "sageattention", sage.module)
    monkeypatch.setattr(attention, "int8_attention_unsupported", lambda device, head_dim: None)
    engine = tiny_engine()
    result = gpu_check.int8_attention_row(engine, queries=48, keys=96)
    assert result["sdpa_ms"] > 0 and result["int8_ms"] > 0
    assert result["pass_sqnr_db"] > 40  # the stand-in is exact SDPA: only bf16's rounding between them
    assert len(result["psnr_db"]) == 3 and min(result["psnr_db"]) > 40
    assert sage.calls and not any(block.self_attn.int8 for block in engine.model.blocks)


def test_a_kernel_check_that_fails_leaves_its_row_out_and_says_so(capsys):
    def broken():
        raise AttributeError("module 'triton.language' has no attribute 'math'")

    assert gpu_check.runs_here("int8 attention", broken) is False
    assert gpu_check.runs_here("nvfp4", lambda: None) is True
    assert gpu_check.runs_here("nvfp4", lambda: "needs Blackwell") is False
    assert "-- int8 attention: its check failed (AttributeError: module 'triton.language' has no attribute " \
           "'math'); its row is left out" in capsys.readouterr().out


@pytest.mark.skipif(torch.cuda.is_available(), reason="the refusal is for a machine without a card")
def test_without_a_card_only_the_smoke_version_runs(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", "--budget", "1"])
    assert gpu_check.main() == 1
    out = capsys.readouterr().out
    assert "no CUDA device visible" in out and "--smoke runs the CPU version" in out


def test_an_unknown_split_row_is_refused_before_anything_runs(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["gpu_check.py", "--smoke", "--split", "eager,autotun"])
    with pytest.raises(SystemExit) as e:
        gpu_check.main()
    err = capsys.readouterr()
    assert e.value.code == 2 and "no split row autotun; the rows are eager, compiled, coordinate, autotune" in err.err
    assert "| settings |" not in err.out


def test_on_a_blackwell_card_nvfp4s_row_comes_before_taehvs(monkeypatch):
    """NVFP4 has never run on a card; TAEHV's row has: on a card that takes both, 4-bit is the more wanted."""
    monkeypatch.setattr(gpu_check, "runs_here", lambda name, why_not: True)
    labels = [label for label, _, _ in gpu_check.compiled_rows(torch.device("cuda"))]
    assert labels == ["832x480 bf16 compiled", "832x480 fp8 compiled", "832x480 nvfp4 compiled",
                      "832x480 fp8 compiled taehv", "576x320 bf16 compiled", "576x320 fp8 compiled",
                      "832x480 bf16 int8 compiled"]


def test_the_coordinate_descent_row_compiles_with_inductors_tuning_and_only_it(tmp_path, monkeypatch):
    """Its bench (where the engine compiles, at its first call) runs inside inductor's coordinate-descent tuning;
    the compiled row beside it, and whatever runs after, do not."""
    import torch._inductor.config as inductor

    seen = {}
    row = fake_row()
    row.to_json = lambda: json.dumps({"frames_per_second": row.frames_per_second})
    row.table = lambda: "vcam bench: …"

    def bench(settings, log, engine):
        seen[len(seen)] = inductor.coordinate_descent_tuning
        return row

    monkeypatch.setattr(gpu_check, "bench", bench)
    monkeypatch.setattr(gpu_check, "bench_engine", lambda settings: object())
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time() + 6000)
    gpu_check.split_steps(run, torch.device("cpu"), ["coordinate", "compiled"])
    assert seen == {0: False, 1: True}  # SPLIT_ROWS' order: compiled, then coordinate
    assert not inductor.coordinate_descent_tuning
    assert "bench 832x480 bf16 compiled coordinate-descent" in run.results


@pytest.mark.slow  # scripts/gpu_check.py in a process of its own
def test_the_split_rows_run_in_their_smoke_version(tmp_path):
    done = subprocess.run([sys.executable, "scripts/gpu_check.py", "--smoke", "--split", "eager,autotune", "--out",
                           str(tmp_path / "s.json")], capture_output=True, text=True, timeout=900, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    data = json.loads((tmp_path / "s.json").read_text())
    assert data["bench 832x480 bf16 eager"]["split"] is not None and "bench 832x480 bf16 compiled" not in data
    assert "bench 832x480 bf16 compiled max-autotune" in data
    assert "832x480 bf16 eager: where a pass's time goes" in done.stdout
    # the split rows' profiled blocks come back whole, for scripts/split_trace.py
    traces = sorted(p.name for p in tmp_path.glob("trace-*.json.gz"))
    assert traces == ["trace-832x480-bf16-compiled-max-autotune.json.gz", "trace-832x480-bf16-eager.json.gz"]
    assert done.stdout.rstrip().splitlines()[-1].startswith("| build 832x480 bf16 compiled max-autotune | ")


def test_a_bench_row_says_how_many_graphs_torch_compile_made_during_it(tmp_path, monkeypatch, capsys):
    """The decode of every row that reused a compiled build ran slower on an H200 (237 against 180 ms): whether a
    row recompiled anything is what the next run must tell."""
    from torch._dynamo.utils import counters

    row = fake_row()
    row.to_json = lambda: json.dumps({"frames_per_second": row.frames_per_second})
    row.table = lambda: "vcam bench: …"

    def bench(settings, log, engine):
        counters["stats"]["unique_graphs"] += 2  # as two recompiles during the row would count them
        return row

    monkeypatch.setattr(gpu_check, "bench", bench)
    run = gpu_check.Run(str(tmp_path / "r.json"), HEADER, deadline=time.time() + 600)
    run.bench_row("832x480 bf16 compiled bias 0.3", gpu_check.BenchSettings(model="tiny"), object())
    assert run.results["bench 832x480 bf16 compiled bias 0.3"] == {"frames_per_second": 8.2, "graphs_compiled": 2}
    assert "graphs compiled           2" in capsys.readouterr().out


def test_on_a_card_taehvs_fp8_row_follows_the_fp8_row(capsys):
    """TAEHV's decoder took 15 of the VAE's 273 ms a block on an H200: the row that shows what a show gains by it
    comes right after the FP8 row whose transformer kernels it reuses, before the smaller size already measured
    twice (on this CPU the kernels' own checks refuse NVFP4 and INT8 rows, and there is no TAEHV row)."""
    rows = gpu_check.compiled_rows(torch.device("cuda"))
    labels = [label for label, _, _ in rows]
    assert labels[:5] == ["832x480 bf16 compiled", "832x480 fp8 compiled", "832x480 fp8 compiled taehv",
                          "576x320 bf16 compiled", "576x320 fp8 compiled"]
    _, size, speed = rows[2]
    assert size == {} and (speed.compile, speed.quant, speed.decoder) == (True, "fp8", "taehv")
    assert [s.decoder for _, _, s in rows[:5]] == ["vae", "vae", "taehv", "vae", "vae"]
    exact = [label for label in labels[:5] if "taehv" not in label]
    assert [label for label, _, _ in gpu_check.compiled_rows(torch.device("cpu"))] == exact


def test_the_picture_rows_compare_blocks_that_come_out_nan_rather_than_stop(monkeypatch):
    """Random weights can overflow on a card; the rows were made before a show refused NaN blocks, and a refusal
    would cost the FP8, INT8 and NVFP4 rows' PSNR on every such card."""
    import vcam.engine.quant as quant

    engine = tiny_engine()
    real = engine.model.forward
    monkeypatch.setattr(engine.model, "forward", lambda *a, **k: real(*a, **k) * float("nan"))
    monkeypatch.setattr(quant, "fp8_unsupported", lambda device: None)
    monkeypatch.setattr(quant, "quantize_fp8", lambda blocks, device: blocks)
    result = gpu_check.fp8_vs_bf16(engine)
    assert len(result["psnr_db"]) == 3, result
