"""The profiler split of a pass (`vcam bench --split`): the kernel names it sorts, and the whole split on a CPU."""
import json
import signal
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch

from trace_events import block_trace
from vcam.bench.bench import BenchSettings, bench
from vcam.bench.split import (ATTENTION, GEMM, OTHER, PARTS, STAGE_MARK, Split, StageMarks, StageSplit, Timed,
                              kernel_kind, profile_block, split_timed, timed_kernels)
from vcam.bench.trace_kernels import read_trace

# Kernel names the H200 runs printed (benchmarks/2026-11-28-*), and what cuBLAS, cuBLASLt, CUTLASS, cuDNN, ATen and
# inductor call theirs.
NAMES = {
    GEMM: [
        "nvjet_sm90_qqtst_128x128_128x6_2x1_v_bz_ovscale_bias_TNT",  # cuBLASLt FP8, in gpu_check's fp8_linear
        "nvjet_tst_256x128_64x4_1x2_h_bz_coopA_NNT",
        "sm90_xmma_gemm_bf16bf16_bf16f32_f32_tn_n_tilesize128x256x64_warpgroupsize2x1x1_execute_segment_k_off_kernel"
        "__5x_cublas",
        "ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_stages_64x3_tn",
        "void cutlass::Kernel2<cutlass_80_tensorop_bf16_s16816gemm_relu_bf16_64x64_32x6_tn_align8>"
        "(cutlass_80_tensorop_bf16_s16816gemm_relu_bf16_64x64_32x6_tn_align8::Params)",
        "void cutlass::device_kernel<at::cuda::detail::enable_3x_kernel_for_sm9x<cutlass::gemm::kernel::"
        "GemmUniversal<cute::tuple<int, int, int>>>>(Params)",  # ATen's row-wise scaled FP8 GEMM
        "void splitKreduce_kernel<32, 16, int, float, __nv_bfloat16, float, __nv_bfloat16, true, false, false>"
        "(cublasSplitKParams<float>, float const*, __nv_bfloat16 const*, __nv_bfloat16*)",
        "void gemv2T_kernel_val<int, int, __nv_bfloat16, __nv_bfloat16, float, 128, 16, 4, 4, false, false>",
        # the patch embedding's convolution, in the H200 run's kernel list
        "sm90_xmma_fprop_implicit_gemm_bf16bf16_bf16f32_f32_nhwckrsc_nhwc_tilesize128x256x64_warpgroupsize2x1x1_g1_"
        "execute_segment_k_off_kernel__5x_cudnn",
        "void cudnn::cnn::conv2d_grouped_direct_kernel<false, true, false, false, 0, 0, int, float>",
        "triton_tem_fused_mm_0", "triton_tem_fused_addmm_gelu_3", "triton_tem_fused__scaled_mm_1",
        "triton_tem_fused_convolution_0", "extern_mm", "extern_addmm",
        "aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::linear", "aten::matmul", "aten::_scaled_mm",
        "aten::conv3d", "aten::convolution", "aten::_convolution", "aten::mkldnn_convolution",
        "mkldnn::_linear_pointwise",
    ],
    ATTENTION: [
        "cudnn_generated_fort_native_sdpa_sm90_flash_fprop_wgmma_f16_knob_7_64x128x128_4x1x1_cga1x1x1_kernel0_0",
        "void pytorch_flash::flash_fwd_kernel<Flash_fwd_kernel_traits<128, 128, 64, 4, false, false, "
        "cutlass::bfloat16_t, Flash_kernel_traits<128, 128, 64, 4, cutlass::bfloat16_t> >, false, false, false, "
        "false, true, true, false, false>(pytorch_flash::Flash_fwd_params)",
        "fmha_cutlassF_bf16_aligned_64x128_rf_sm80(PyTorchMemEffAttention::AttentionKernel<cutlass::bfloat16_t, "
        "cutlass::arch::Sm80, true, 64, 128, 128, true, true>::Params)",
        "void flash::flash_fwd_splitkv_kernel<Flash_fwd_kernel_traits<128, 64, 128, 4>>(flash::Flash_fwd_params)",
        "triton_tem_fused_flex_attention_0",
        "aten::scaled_dot_product_attention", "aten::_scaled_dot_product_flash_attention_for_cpu",
        "aten::_scaled_dot_product_cudnn_attention", "aten::_scaled_dot_product_efficient_attention",
        "aten::_efficient_attention_forward", "aten::_flash_attention_forward",
    ],
    OTHER: [
        # in the H200 run's lists: ATen's elementwise, copy and reduction kernels, cuDNN's layout transposes
        "void at::native::elementwise_kernel<128, 2, at::native::gpu_kernel_impl_nocast<at::native::BinaryFunctor>>",
        "void at::native::unrolled_elementwise_kernel<at::native::direct_copy_kernel_cuda(at::TensorIteratorBase&)>",
        "void at::native::vectorized_elementwise_kernel<4, at::native::float8_copy_kernel_cuda>",
        "void at::native::reduce_kernel<512, 1, at::native::ReduceOp<c10::BFloat16, at::native::MaxOps<float>>>",
        "void cudnn::engines_precompiled::nchwToNhwcKernel<__nv_bfloat16, __nv_bfloat16, float, false, true, "
        "(cudnnKernelDataType_t)0>(cudnn::engines_precompiled::nchw2nhwc_params_t<float>, __nv_bfloat16 const*)",
        "void at::native::(anonymous namespace)::vectorized_layer_norm_kernel<float, float, false>(int, float)",
        "void at::native::(anonymous namespace)::CatArrayBatchedCopy<at::native::(anonymous namespace)::OpaqueType"
        "<4u>, unsigned int, 4, 64, 64>",
        "void at::native::(anonymous namespace)::convert_to_bf16_kernel<float>",
        # inductor's pointwise and reduction kernels, even where their name lists a GEMM or attention op
        "triton_poi_fused_addmm_gelu_0", "triton_red_fused__to_copy_add_mean_mul_pow_rsqrt_1",
        "triton_per_fused_native_layer_norm_2", "triton_poi_fused__scaled_dot_product_cudnn_attention_3",
        "Memcpy DtoD (Device -> Device)", "Memset (Device)",
        "aten::copy_", "aten::add", "aten::mul", "aten::addcmul", "aten::cummax", "aten::native_layer_norm",
        "aten::rms_norm", "aten::cat", "aten::_convert_indices_from_coo_to_csr",
        "## Call CompiledFxGraph fq7xzd2 ##", "Torch-Compiled Region: 0/0", "CompiledFunction",
    ],
}


@pytest.mark.parametrize("kind,name", [(kind, name) for kind, names in NAMES.items() for name in names])
def test_kernel_names_are_sorted_into_their_part(kind, name):
    assert kernel_kind(name) == kind


def test_what_runs_inside_an_attention_op_is_attention():
    """The math fallback of SDPA is matrix products and a softmax: they count as attention, not GEMM."""
    inside = ("vcam stage: pass 1", "aten::scaled_dot_product_attention", "aten::_scaled_dot_product_attention_math")
    assert kernel_kind("aten::bmm", inside) == ATTENTION
    assert kernel_kind("ampere_bf16_s16816gemm_bf16_128x128_ldg8_f2f_stages_64x3_tn", inside) == ATTENTION
    assert kernel_kind("aten::bmm", ("vcam stage: pass 1", "aten::matmul")) == GEMM
    assert kernel_kind("aten::add", ("vcam stage: scaled_dot_product notes",)) == OTHER  # a mark, not an op


def test_sageattentions_kernels_count_as_attention_inside_vcams_mark():
    """SageAttention launches its Triton kernels from Python, under no ATen attention op: the mark int8_attention
    sets is what makes them attention (their names alone say nothing of it)."""
    inside = ("vcam stage: pass 1", "sageattention::sageattn")
    for name in ("_attn_fwd", "quant_per_block_int8_kernel", "aten::sub"):
        assert kernel_kind(name) == OTHER
        assert kernel_kind(name, inside) == ATTENTION


def test_int8_attention_runs_under_its_profiler_mark(monkeypatch):
    import sys
    import types

    import torch

    from vcam.engine.attention import int8_attention

    def sageattn(q, k, v, **kwargs):
        return torch.nn.functional.scaled_dot_product_attention(q, k, v)

    monkeypatch.setitem(sys.modules, "sageattention", types.SimpleNamespace(sageattn=sageattn))
    q, k, v = (torch.randn(1, 2, 8, 16) for _ in range(3))
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        int8_attention(q, k, v)
    names = [e.name for e in prof.events()]
    assert "sageattention::sageattn" in names


def test_split_sums_each_stage_and_names_its_largest_other_kernels():
    r, p = (STAGE_MARK + "recompute",), (STAGE_MARK + "pass 1",)
    timed = [Timed("nvjet_tst_x", 5.0, r), Timed("triton_poi_fused_add_0", 1.0, r),
             Timed("triton_poi_fused_add_0", 0.5, r), Timed("Memcpy DtoD (Device -> Device)", 2.0, r),
             Timed("cudnn_generated_fort_native_sdpa_sm90", 3.0, p), Timed("nvjet_tst_x", 4.0, p),
             Timed("triton_red_fused_mean_1", 0.25, p),
             Timed("nvjet_tst_x", 100.0, (STAGE_MARK + "vae decode",)), Timed("aten::add", 7.0, ())]
    recompute, denoise = split_timed(timed, ("recompute", "pass 1"), top=1)
    assert recompute.parts == {GEMM: 5.0, ATTENTION: 0.0, OTHER: 3.5}
    assert recompute.total_ms == 8.5 and recompute.top_other == [("Memcpy DtoD (Device -> Device)", 2.0)]
    assert denoise.parts == {GEMM: 4.0, ATTENTION: 3.0, OTHER: 0.25}
    assert denoise.percent(ATTENTION) == pytest.approx(100 * 3.0 / 7.25)
    (missing,) = split_timed(timed, ("pass 2",))
    assert missing.total_ms == 0 and missing.percent(GEMM) == 0.0


def test_cuda_kernels_are_placed_by_their_launch_from_the_blocks_trace():
    """On CUDA each kernel's time is its own, under the stage whose mark was open at its launch, even where the
    profiler links it to an op of another stage (the Triton kernel launched in pass 2 that the trace ties to an op
    of pass 1); device time launched outside every mark (a memset) counts in the total but in no stage, and a
    mark's own span on the device is not kernel time."""
    span = {"ph": "X", "cat": "gpu_user_annotation", "name": STAGE_MARK + "pass 1", "pid": 0, "tid": 7,
            "ts": 1000, "dur": 70, "args": {"External id": 1}}
    timed, total_ms = timed_kernels(block_trace() + [span])
    assert total_ms == pytest.approx(0.105)
    pass1, pass2 = split_timed(timed, ("pass 1", "pass 2"))
    assert pass1.parts == pytest.approx({GEMM: 0.04, ATTENTION: 0.03, OTHER: 0.0})  # the math attention's bmm
    assert pass2.parts == pytest.approx({GEMM: 0.0, ATTENTION: 0.02, OTHER: 0.01})
    assert pass2.top_other == [("triton_poi_fused_add_mul_0", pytest.approx(0.01))]


@pytest.fixture(scope="module")
def split_of_tiny(tiny_engine):
    stream = tiny_engine.stream("a lighthouse in a storm", seed=4)
    for _ in range(2):  # block 0 has no recompute pass
        stream.next_block()
    timer = stream.timer
    split = profile_block(stream)
    assert stream.timer is timer  # the stream's own timer is back
    return split


def test_split_of_a_tiny_pass_on_the_cpu(split_of_tiny):
    """Each part of the recompute pass and of the first denoising pass sums to its total; the tiny model's
    projections and attention show up as what they are."""
    assert split_of_tiny.device == "cpu"
    assert [s.stage for s in split_of_tiny.stages] == ["recompute", "pass 1"]
    for s in split_of_tiny.stages:
        assert s.total_ms > 0
        assert sum(s.parts.values()) == pytest.approx(s.total_ms)
        assert s.parts[GEMM] > 0 and s.parts[ATTENTION] > 0
        assert all(kernel_kind(name) == OTHER for name, _ in s.top_other)
    assert split_of_tiny.outside_ms > 0  # the VAE decode, the other passes
    table = split_of_tiny.table()
    assert "recompute" in table and "pass 1" in table and all(part in table for part in PARTS)


def test_stage_marks_are_profiler_ranges():
    from torch.profiler import profile

    with profile() as prof:
        with StageMarks().stage("recompute"):
            torch.ones(4).add_(1)
    names = {e.name for e in prof.events()}
    assert STAGE_MARK + "recompute" in names


def test_bench_prints_the_split_and_keeps_it_in_its_json(tmp_path):
    trace = tmp_path / "trace-tiny.json.gz"
    result = bench(BenchSettings(model="tiny", blocks=1, warmup=2, split=True, split_trace=str(trace)),
                   log=lambda s: None)
    assert "everything else" in result.table()
    split = json.loads(result.to_json())["split"]
    assert [s["stage"] for s in split["stages"]] == ["recompute", "pass 1"]
    # beside each stage, what the benchmark's own timer measured of it
    assert split["timed_ms"] == {s: result.stages_ms[s] for s in ("recompute", "pass 1")}
    assert f"(timed {result.stages_ms['pass 1']:.1f} ms)" in result.table()
    # the profiled block, whole: the stages' marks and the ops inside them
    names = {e["name"] for e in read_trace(trace)}
    assert {STAGE_MARK + "recompute", STAGE_MARK + "pass 1"} <= names and "aten::linear" in names
    assert not list(tmp_path.glob("*.tmp"))


def _stage_split(stage, ms):
    return StageSplit(stage, ms, {GEMM: ms, ATTENTION: 0.0, OTHER: 0.0})


def test_a_stage_with_more_kernel_time_than_it_took_is_said_to_be_misplaced():
    """An H200's compiled pass 1 once held 459 ms of kernels where the stage was timed at 263 ms (the split read the
    profiler's event tree then): its parts describe more than the pass, and the table says so rather than leave
    the numbers to be believed."""
    split = Split("cuda", [_stage_split("recompute", 189.1), _stage_split("pass 1", 458.8)], 1477, 816,
                  timed_ms={"recompute": 220.8, "pass 1": 263.2})
    lines = split.table().splitlines()
    recompute = lines.index("  recompute: 189.10 ms (timed 220.8 ms)")
    assert "more kernel time" not in " ".join(lines[recompute:recompute + 5])
    at = lines.index("  pass 1: 458.80 ms (timed 263.2 ms)")
    assert "more kernel time than the stage took" in lines[at + 1]
    assert "timed" not in Split("cuda", [_stage_split("pass 1", 10.0)], 20, 5).table()


def test_the_command_line_asks_for_the_split(monkeypatch, capsys):
    import vcam.bench.bench
    from vcam.cli import main

    seen = []
    monkeypatch.setattr(vcam.bench.bench, "bench", lambda settings, log: seen.append(settings) or (
        _ for _ in ()).throw(KeyboardInterrupt))
    main(["bench", "--model", "tiny", "--split"])  # stops at bench (Ctrl-C)
    assert seen[-1].split
    main(["bench", "--model", "tiny"])
    assert not seen[-1].split
    assert main(["bench", "--tune", "--split"]) != 0 and "--split" in capsys.readouterr().err


def test_a_failing_profiler_costs_the_split_not_the_timing(monkeypatch):
    import vcam.bench.bench

    def broken(stream, **kwargs):
        raise RuntimeError("CUPTI_ERROR_INSUFFICIENT_PRIVILEGES")

    monkeypatch.setattr(vcam.bench.bench, "profile_block", broken)
    said = []
    result = bench(BenchSettings(model="tiny", blocks=1, warmup=2, split=True), log=said.append)
    assert result.split is None and result.frames_per_second > 0
    assert any("split failed" in s and "CUPTI" in s for s in said)


class _Profile:
    """torch.profiler.profile on a card, as profile_block uses it: a context whose export writes `events` as a
    Chrome trace, keeping where it was asked to write."""

    def __init__(self, events, paths):
        self.events, self.paths = events, paths

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def export_chrome_trace(self, path):
        self.paths.append(path)
        with open(path, "w") as f:
            json.dump({"schemaVersion": 1, "traceEvents": self.events}, f)


class _CudaStream:
    device = torch.device("cuda")
    timer = None

    def next_block(self):
        pass


@pytest.fixture
def on_a_card(monkeypatch):
    """profile_block's CUDA branch on this CPU: the profiler replaced by one whose export is `block_trace()` (or
    what the test sets), the device's synchronize by nothing."""
    made = SimpleNamespace(events=block_trace(), paths=[])
    monkeypatch.setattr(torch.profiler, "profile", lambda activities: _Profile(made.events, made.paths))
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: None)
    return made


def test_on_a_card_the_split_is_read_from_the_blocks_trace_and_a_copy_kept(on_a_card, tmp_path):
    said = []
    split = profile_block(_CudaStream(), stages=("pass 1", "pass 2"), trace=tmp_path / "trace-row.json.gz",
                          log=said.append)
    pass1, pass2 = split.stages
    assert split.device == "cuda" and said == []
    assert pass1.parts == pytest.approx({GEMM: 0.04, ATTENTION: 0.03, OTHER: 0.0})
    assert pass2.parts == pytest.approx({GEMM: 0.0, ATTENTION: 0.02, OTHER: 0.01})  # by launch, not by link
    assert split.outside_ms == pytest.approx(0.005)  # the memset launched after every mark
    assert read_trace(tmp_path / "trace-row.json.gz") == block_trace()  # the same export, kept whole
    assert all(Path(p).parent != tmp_path for p in on_a_card.paths)  # the large export is written elsewhere


def test_a_trace_without_launches_is_split_by_the_profilers_links_and_said(on_a_card):
    on_a_card.events = [e for e in block_trace() if e["cat"] not in ("cuda_runtime", "cuda_driver")]
    said = []
    (pass1,) = profile_block(_CudaStream(), stages=("pass 1",), log=said.append).stages
    # the Triton kernel launched in pass 2 is linked to pass 1's math attention op
    assert pass1.parts == pytest.approx({GEMM: 0.04, ATTENTION: 0.04, OTHER: 0.0})
    assert said == ["the profiled block's trace holds no kernel launches: its kernels are placed by the "
                    "profiler's links"]


def test_a_trace_cut_short_while_written_leaves_nothing_in_its_folder(on_a_card, tmp_path, monkeypatch):
    """gpu_check writes the traces into the folder whose files come back (8 at most, 16 MiB each): a write that
    fails, or a run killed during one, must leave neither a cut .json.gz that reads as the trace nor the
    uncompressed export there; the split stands."""
    import vcam.bench.split as split_module

    def cut(src, dst):
        dst.write(src.read(100))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(split_module.shutil, "copyfileobj", cut)
    said = []
    split = profile_block(_CudaStream(), trace=tmp_path / "trace-row.json.gz", log=said.append)
    assert list(tmp_path.iterdir()) == [] and split.device == "cuda"
    assert len(said) == 1 and "No space left on device" in said[0] and "the split stands" in said[0]


def test_a_trace_that_cannot_be_written_is_said_and_the_split_stands(tmp_path):
    """The trace is a copy of the profile for reading again later: a folder it cannot go in must not cost the
    row its split."""
    (tmp_path / "a-file").write_text("")
    said = []
    result = bench(BenchSettings(model="tiny", blocks=1, warmup=1, split=True,
                                 split_trace=str(tmp_path / "a-file" / "trace.json.gz")), log=said.append)
    assert result.split is not None and [s.stage for s in result.split.stages] == ["recompute", "pass 1"]
    assert any("trace" in line and "a-file" in line for line in said)


@pytest.mark.parametrize("stop, code, said", [(KeyboardInterrupt, 130, "during the profiler split"),
                                               (signal.SIGTERM, 143, "stopped (SIGTERM) during the profiler split")])
def test_a_stop_in_the_split_keeps_the_timing(stop, code, said, monkeypatch, capsys):
    """A Ctrl-C or a SIGTERM (raised there as vcam.live.signals.stops_raised raises it) while the profiler ran, after
    every block was timed, was said as "stopped (...) before the timing finished: no result", the timing lost."""
    import vcam.bench.bench
    from vcam.cli import main
    from vcam.live.signals import StoppedLoading

    def stopped(stream, **kwargs):
        raise stop() if stop is KeyboardInterrupt else StoppedLoading(stop)

    monkeypatch.setattr(vcam.bench.bench, "profile_block", stopped)
    code_got = main(["bench", "--model", "tiny", "--device", "cpu", "--split", "--json", "--blocks", "1", "--warmup",
                     "2", "--steps", "1"])
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert code_got == code and data["frames_per_second"] > 0 and data["split"] is None and data["blocks"] == 1
    assert said in out.err and "no result" not in out.err
