"""scripts/split_trace.py: a profiled block's kernels placed again from its Chrome trace, by launch and by the
profiler's link, on a trace laid out as PyTorch's profiler writes one on a GPU."""
import gzip
import json

import pytest

from helpers import script_module
from vcam.bench.split import ATTENTION, GEMM, OTHER, STAGE_MARK

split_trace = script_module("split_trace")


def host(cat, name, ts, dur, ext, tid=1):
    return {"ph": "X", "cat": cat, "name": name, "pid": 1, "tid": tid, "ts": ts, "dur": dur,
            "args": {"External id": ext}}


def launch(name, ts, corr, ext, cat="cuda_runtime"):
    return {"ph": "X", "cat": cat, "name": name, "pid": 1, "tid": 1, "ts": ts, "dur": 2,
            "args": {"External id": ext, "correlation": corr}}


def kernel(name, ts, dur, corr, ext, cat="kernel"):
    return {"ph": "X", "cat": cat, "name": name, "pid": 0, "tid": 7, "ts": ts, "dur": dur,
            "args": {"External id": ext, "correlation": corr, "stream": 7}}


def block_trace():
    """Two passes, 100 µs of host time each. Pass 1 launches a GEMM and (in its math attention op) a matrix
    product; pass 2 launches a cuDNN attention kernel and, through the driver's call, a Triton kernel that the
    profiler links to an op of pass 1 (External id 3), as a split that holds more than its pass would read."""
    return [
        host("user_annotation", STAGE_MARK + "pass 1", 0, 100, 1),
        host("cpu_op", "aten::addmm", 10, 20, 2),
        launch("cudaLaunchKernel", 15, 100, 2),
        host("cpu_op", "aten::_scaled_dot_product_attention_math", 40, 30, 3),
        host("cpu_op", "aten::bmm", 45, 10, 4),
        launch("cudaLaunchKernel", 50, 101, 4),
        host("user_annotation", STAGE_MARK + "pass 2", 100, 100, 5),
        host("cpu_op", "aten::_scaled_dot_product_cudnn_attention", 110, 20, 6),
        launch("cudaLaunchKernel", 115, 102, 6),
        launch("cuLaunchKernel", 150, 103, 3, cat="cuda_driver"),
        launch("cudaMemsetAsync", 250, 104, 0),  # after every mark: in no stage
        kernel("sm90_xmma_gemm_bf16bf16", 1000, 40, 100, 2),
        kernel("sm90_xmma_gemm_bf16bf16", 1040, 30, 101, 4),
        kernel("cudnn_generated_fort_native_sdpa_sm90_flash_fprop", 1070, 20, 102, 6),
        kernel("triton_poi_fused_add_mul_0", 1090, 10, 103, 3),
        kernel("Memset (Device)", 1100, 5, 104, 0, cat="gpu_memset"),
    ]


def test_kernels_are_placed_by_their_launch_and_by_the_profilers_link():
    placed = split_trace.place(block_trace())
    by_launch, by_link = placed[split_trace.BY_LAUNCH], placed[split_trace.BY_LINK]
    # the math attention's matrix product is attention, being inside an attention op
    assert by_launch["pass 1"] == pytest.approx({GEMM: 0.04, ATTENTION: 0.03, OTHER: 0.0})
    assert by_launch["pass 2"] == pytest.approx({GEMM: 0.0, ATTENTION: 0.02, OTHER: 0.01})
    assert by_launch[None] == pytest.approx({GEMM: 0.0, ATTENTION: 0.0, OTHER: 0.005})
    # the link puts the Triton kernel in pass 1, where its launch says pass 2
    assert by_link["pass 1"] == pytest.approx({GEMM: 0.04, ATTENTION: 0.03, OTHER: 0.01})
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
    got = split_trace.open_ranges(events, [(1, 14), (1, 25), (1, 45), (1, 200), (2, 5), (None, 0)])
    assert got == [("outer", "a", "b"), ("outer", "a"), ("outer", "c"), (), ("elsewhere",), ()]


def test_a_range_holds_the_moments_from_its_start_up_to_but_not_its_end():
    """Ranges are half-open: a launch at the moment one stage's mark ends and the next one's begins is the next
    stage's (the ended one cannot hold it), and an op of no length holds nothing."""
    events = [host("user_annotation", STAGE_MARK + "recompute", 0, 100, 1),
              host("user_annotation", STAGE_MARK + "pass 1", 100, 100, 2),
              host("cpu_op", "aten::empty", 150, 0, 3)]
    got = split_trace.open_ranges(events, [(1, 100), (1, 150), (1, 200), (1, 0)])
    assert got == [(STAGE_MARK + "pass 1",), (STAGE_MARK + "pass 1",), (), (STAGE_MARK + "recompute",)]
    trace = events + [launch("cudaLaunchKernel", 100, 7, 2), kernel("sm90_xmma_gemm_bf16bf16", 500, 40, 7, 2)]
    assert split_trace.place(trace)[split_trace.BY_LAUNCH] == {"pass 1": pytest.approx({GEMM: 0.04, ATTENTION: 0.0,
                                                                                       OTHER: 0.0})}
