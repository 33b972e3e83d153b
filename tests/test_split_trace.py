"""scripts/split_trace.py: a profiled block's kernels placed again from its Chrome trace, by launch and by the
profiler's link, on a trace laid out as PyTorch's profiler writes one on a GPU."""
import gzip
import json

import pytest

from helpers import script_module
from trace_events import block_trace, host, kernel, launch
from vcam.bench.split import ATTENTION, GEMM, OTHER, STAGE_MARK
from vcam.bench.trace_kernels import open_ranges

split_trace = script_module("split_trace")


def test_kernels_are_placed_by_their_launch_and_by_the_profilers_link():
    placed = split_trace.place(block_trace())
    by_launch, by_link = placed[split_trace.BY_LAUNCH], placed[split_trace.BY_LINK]
    # the math attention's matrix product is attention, being inside an attention op
    assert by_launch["pass 1"] == pytest.approx({GEMM: 0.04, ATTENTION: 0.03, OTHER: 0.0})
    assert by_launch["pass 2"] == pytest.approx({GEMM: 0.0, ATTENTION: 0.02, OTHER: 0.01})
    assert by_launch[None] == pytest.approx({GEMM: 0.0, ATTENTION: 0.0, OTHER: 0.005})
    # the link puts the Triton kernel in pass 1's math attention op (so it reads as attention), where its launch
    # says pass 2
    assert by_link["pass 1"] == pytest.approx({GEMM: 0.04, ATTENTION: 0.04, OTHER: 0.0})
    assert by_link["pass 2"] == pytest.approx({GEMM: 0.0, ATTENTION: 0.02, OTHER: 0.0})


def test_the_script_reads_a_gzipped_trace_and_prints_both_placings(tmp_path, capsys):
    path = tmp_path / "trace-832x480-bf16-compiled.json.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        json.dump({"schemaVersion": 1, "traceEvents": block_trace() + [{"ph": "M", "name": "process_name"}]}, f)
    assert split_trace.main([str(path)]) == 0
    out = capsys.readouterr().out
    rows = {line.split(" | ")[0]: line for line in out.splitlines()}
    assert rows["pass 1"] == "pass 1 | 0.1, 0.0, 0.0, 0.0 | 0.1, 0.0, 0.0, 0.0"
    assert "(no stage)" in rows and split_trace.BY_LAUNCH in out and split_trace.BY_LINK in out


def test_ranges_open_at_a_moment_nest_outermost_first():
    events = [host("user_annotation", "outer", 0, 100, 1), host("cpu_op", "a", 10, 20, 2),
              host("cpu_op", "b", 12, 5, 3), host("cpu_op", "c", 40, 10, 4), host("cpu_op", "elsewhere", 0, 99, 5, 2)]
    got = open_ranges(events, [(1, 14), (1, 25), (1, 45), (1, 200), (2, 5), (None, 0)])
    assert got == [("outer", "a", "b"), ("outer", "a"), ("outer", "c"), (), ("elsewhere",), ()]


def test_a_range_holds_the_moments_from_its_start_up_to_but_not_its_end():
    """Ranges are half-open: a launch at the moment one stage's mark ends and the next one's begins is the next
    stage's (the ended one cannot hold it), and an op of no length holds nothing."""
    events = [host("user_annotation", STAGE_MARK + "recompute", 0, 100, 1),
              host("user_annotation", STAGE_MARK + "pass 1", 100, 100, 2),
              host("cpu_op", "aten::empty", 150, 0, 3)]
    got = open_ranges(events, [(1, 100), (1, 150), (1, 200), (1, 0)])
    assert got == [(STAGE_MARK + "pass 1",), (STAGE_MARK + "pass 1",), (), (STAGE_MARK + "recompute",)]
    trace = events + [launch("cudaLaunchKernel", 100, 7, 2), kernel("sm90_xmma_gemm_bf16bf16", 500, 40, 7, 2)]
    assert split_trace.place(trace)[split_trace.BY_LAUNCH] == {"pass 1": pytest.approx({GEMM: 0.04, ATTENTION: 0.0,
                                                                                       OTHER: 0.0})}
