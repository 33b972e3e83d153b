"""Edges of the speed choice a show makes for itself (the size and precision for --target-fps, the tuning entries it
trusts, the speed model's rows) and of the profiler split of a pass that no other test held: each test fails where
the code is changed in the way its docstring says."""
import json
from types import SimpleNamespace

import pytest
import torch

from vcam.bench.live_size import LIVE_SIZES, Rate, choose_size, sizes_for
from vcam.bench.split import STAGE_MARK

ALL_FIT = lambda w, h, q: True  # noqa: E731


def _picked(choice):
    return choice.width, choice.height, choice.quant


# --- the size chooser -------------------------------------------------------------------------------------------


def test_a_square_model_keeps_the_landscape_sizes():
    """Only a portrait model (taller than wide) gets the sizes turned: `h > w` turned `h >= w` turned them for a
    square one too."""
    assert sizes_for((480, 480)) == list(LIVE_SIZES)
    assert sizes_for((832, 480)) == list(LIVE_SIZES)


def test_a_rate_exactly_at_the_target_keeps_the_size():
    """The target is reached by a rate equal to it: `>=` turned `>` passed the model's own size over for a smaller
    one at exactly 10.0 frames/s against --target-fps 10."""
    rate_of = lambda w, h, q: Rate(10.0 * 832 * 480 / (w * h), False)  # noqa: E731
    choice = choose_size(rate_of, 10.0, LIVE_SIZES, ALL_FIT)
    assert _picked(choice) == (832, 480, "none") and choice.met
    assert choice.message.startswith("size 832x480 bf16: predicted 10.0 frames/s on this card (target 10)")



def test_the_why_line_names_the_size_where_bf16_exactly_keeps_the_target():
    """bf16 keeps a target it reaches exactly: `>=` turned `>` in the line's reason said "bf16 keeps it only at"
    the next size down (or "reaches it at no size") where bf16 reaches 10.0 at 704x400."""
    bf16 = {(832, 480): 8.0, (768, 448): 9.0, (704, 400): 10.0}
    rate_of = lambda w, h, q: Rate(12.0 if q == "fp8" else bf16.get((w, h), 11.0), False)  # noqa: E731
    choice = choose_size(rate_of, 10.0, LIVE_SIZES, ALL_FIT)
    assert _picked(choice) == (832, 480, "fp8")
    assert "bf16 keeps it only at 704x400, and FP8 changes the picture slightly" in choice.message

# --- tuned rates the size choice trusts -------------------------------------------------------------------------


def _entry(**changes) -> dict:
    """An entry for krea-14b at 832x480 bf16 on an H200 as `vcam bench --tune` writes it, with `changes`."""
    from vcam.engine.speed import SpeedOptions

    return {"device": "NVIDIA H200", "torch": torch.__version__, "model": "krea-14b", "width": 832, "height": 480,
            "steps": 4, "dtype": "bfloat16", "quant": "none", "options": SpeedOptions(compile=True).to_dict(),
            "date": "2026-12-02T10:00:00", "frames_per_second": 14.0, **changes}


def _rates(tmp_path, *entries, **query) -> dict:
    from vcam.bench.tuning import measured_rates

    path = tmp_path / "tuning.json"
    path.write_text(json.dumps({"version": 1, "entries": {str(i): e for i, e in enumerate(entries)}}))
    return {size: rate.frames_per_second for size, rate in measured_rates("NVIDIA H200", "krea-14b", 4, path=path,
                                                                           **query).items()}


@pytest.mark.parametrize("other", [{"model": "tiny"}, {"dtype": "float32"}])
def test_a_tuned_rate_of_another_model_or_dtype_does_not_size_the_show(tmp_path, other):
    """A tiny model's 14 frames/s (or a float32 run's) is nothing krea-14b in bf16 runs at: read as the show's own
    (the entry's model or dtype taken for the show's), it chose 832x480 in bf16 on a card that cannot keep it."""
    assert _rates(tmp_path, _entry(**other)) == {}
    assert _rates(tmp_path, _entry(**other), _entry(width=704, height=400, frames_per_second=11.0)) \
        == {(704, 400, "none"): 11.0}


@pytest.mark.parametrize("damage", [{"height": None}, {"width": "832"}, {"height": 480.0}])
def test_a_tuned_entry_without_a_whole_size_is_passed_over_not_a_crash(tmp_path, damage):
    """A hand-edited entry whose size is missing or not a whole number is no rate for any size: the show starts on
    the others (a missing height read as `entry['height']` stopped `vcam run` with a KeyError)."""
    entry = _entry(**damage)
    if damage.get("height", 0) is None:
        del entry["height"]
    assert _rates(tmp_path, entry, _entry(width=640, height=368, frames_per_second=20.0)) \
        == {(640, 368, "none"): 20.0}


# --- the choice on a pretend H200 -------------------------------------------------------------------------------


@pytest.fixture
def h200(monkeypatch, tmp_path):
    """This machine as an H200 with FP8 and 139 GiB free, and a tuning file of its own."""
    import vcam.engine.quant

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H200")
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=140 * 2**30, major=9, minor=0, multi_processor_count=132))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (139 * 2**30, 140 * 2**30))
    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported", lambda device: None)
    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path))
    return tmp_path / "tuning.json"


def _save(path, entries) -> None:
    path.write_text(json.dumps({"version": 1, "entries": {str(i): e for i, e in enumerate(entries)}}))


def test_a_show_of_other_steps_is_not_sized_by_a_four_step_tuning(h200):
    """A tune at 4 steps times twice the denoising a 2-step show runs: read for the 2-step show (the steps not
    passed on), its 5 frames/s at 832x480 bf16 pushed the show into FP8 where bf16 keeps the target."""
    from vcam.bench.live_size import live_size

    _save(h200, [_entry(frames_per_second=5.0), _entry(quant="fp8", frames_per_second=5.5)])
    choice = live_size("krea-14b", 2, 10.0, path=h200)
    assert _picked(choice) == (832, 480, "none") and not choice.rate.measured, choice.message
    assert _picked(live_size("krea-14b", 4, 10.0, path=h200)) != (832, 480, "none")


def test_a_card_that_holds_the_model_in_fp8_only_gets_a_size_in_fp8(h200, monkeypatch):
    """30 GiB free holds krea-14b in FP8 (29 GiB at 832x480) and in bf16 at no size: a check of what fits that
    counted bf16 alone handed such a card to the memory plan with no size chosen."""
    from vcam.bench.live_size import live_size
    from vcam.bench.predict import needed_gib

    free = 30 * 2**30
    assert needed_gib(832, 480, "fp8") < 30 < needed_gib(416, 240, "none")
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (free, 140 * 2**30))
    choice = live_size("krea-14b", 4, 10.0, path=h200)
    assert _picked(choice) == (832, 480, "fp8"), choice
    assert "bf16 does not fit this H200 at any size" in choice.message


# --- the card table and the speed model -------------------------------------------------------------------------


def test_a_card_name_missing_its_edition_is_measured_not_taken_for_one_in_the_table():
    """Names match whole: "RTX PRO 6000 Blackwell" alone (a Max-Q's or a future edition's name cut short) is part
    of the Workstation Edition's name, and a match on part of a name priced it by that card's clocks."""
    from vcam.bench.cards import card_named

    assert card_named("NVIDIA RTX PRO 6000 Blackwell") is None
    assert card_named("NVIDIA H100") is None
    assert card_named("NVIDIA RTX PRO 6000 Blackwell Server Edition").name == "RTX PRO 6000 Blackwell"


def test_a_card_holds_the_model_only_with_room_for_the_driver_and_the_decoder_it_runs():
    """The table's "fits" leaves CONTEXT_GIB to the CUDA context and the desktop (a card with half a GiB to spare
    by the estimate was said to hold it), and counts the show's decoder (TAEHV's beside the VAE's encoder)."""
    import dataclasses

    from vcam.bench.predict import CONTEXT_GIB, H200, fits_card, needed_gib

    need = needed_gib(832, 480, "fp8")
    tight = dataclasses.replace(H200, vram_gib=need + CONTEXT_GIB / 2)
    roomy = dataclasses.replace(H200, vram_gib=need + CONTEXT_GIB + 1e-6)
    assert not fits_card(tight, 832, 480, "fp8") and fits_card(roomy, 832, 480, "fp8")
    taehv = needed_gib(832, 480, "fp8", decoder="taehv")
    assert taehv > need
    assert not fits_card(roomy, 832, 480, "fp8", decoder="taehv")
    assert fits_card(dataclasses.replace(H200, vram_gib=taehv + CONTEXT_GIB + 1e-6), 832, 480, "fp8", decoder="taehv")


# --- speed options ----------------------------------------------------------------------------------------------


def test_no_compile_given_is_a_flag_given_and_turns_compiling_off():
    """`--no-compile` is a flag given as False: taken as not given (a test of truth, not of None), a show on a GPU
    compiled anyway and said nothing of it."""
    from vcam.engine.speed import SpeedFlags, SpeedOptions

    flags = SpeedFlags(compile=False)
    assert flags and flags.given() == {"compile": False}
    assert flags.over(SpeedOptions.live_defaults(on_gpu=True)) == SpeedOptions(compile=False)


def test_the_live_defaults_keep_the_precision_asked_and_never_compile_a_model_of_random_weights():
    """On a GPU a show compiles, in the precision it asked for; tiny's random weights are never compiled (it takes
    longer than the show)."""
    from vcam.engine.speed import SpeedOptions

    assert SpeedOptions.live_defaults(on_gpu=True, quant="fp8") == SpeedOptions(compile=True, quant="fp8")
    assert not SpeedOptions.live_defaults(on_gpu=True, random_weights=True).compile
    assert not SpeedOptions.live_defaults(on_gpu=False).compile


def test_a_measured_card_of_compute_capability_8_9_is_priced_with_fp8():
    """Ada cards (8.9: an RTX 4080, an L20) have FP8 tensor cores: one missing from the table and measured was
    priced without FP8 (`>=` turned `>`), so its show never got FP8's larger size."""
    from vcam.bench.cards import card_from_measurement

    ada = card_from_measurement("RTX 4080", 100.0, 600.0, 16.0, (8, 9))
    assert ada.has_fp8 and ada.fp8_tflops == pytest.approx(2 * ada.bf16_tflops)
    assert card_from_measurement("RTX 3090", 60.0, 800.0, 24.0, (8, 6)).fp8_tflops is None


@pytest.mark.parametrize("fps, kept", [(0, False), (0.0, False), (100_000.0, True)])
def test_a_tuned_rate_of_zero_is_damage_and_the_largest_believable_rate_is_kept(tmp_path, fps, kept):
    """No bench measures 0 frames/s: taken as a rate (`0 < fps` turned `0 <=`), it priced the model's own size out
    of every show. MAX_FRAMES_PER_SECOND itself is still a rate (`<=` turned `<` refused it)."""
    assert _rates(tmp_path, _entry(frames_per_second=fps)) == ({(832, 480, "none"): fps} if kept else {})


@pytest.mark.parametrize("text, said", [
    ("x" * 160, "x" * 160),  # exactly the limit: whole, no ellipsis
    ("\n\n  disk failed\nmore", "disk failed"),  # blank lines before the first: skipped
    (". " + "y" * 200, ". " + "y" * 158 + "…"),  # a sentence end at the very start is no first sentence
])
def test_a_failed_measurements_cause_is_its_first_line_as_said(text, said):
    from vcam.bench.cards import first_line

    assert first_line(RuntimeError(text)) == said


# --- the profiler split of a pass -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["triton_red_fused_addmm_native_layer_norm_4",
                                  "triton_per_fused__scaled_dot_product_flash_attention_1",
                                  "triton_red_fused_convolution_sum_2"])
def test_inductors_reduction_kernels_are_everything_else_whatever_ops_they_name(name):
    """Only a `triton_tem_` template is a GEMM or attention: a reduction (`red`, `per`) that lists addmm or an
    attention op among what it fused is the norm or softmax around it (only `poi` was taken as such)."""
    from vcam.bench.split import OTHER, kernel_kind

    assert kernel_kind(name) == OTHER


def test_a_template_kernel_naming_no_product_is_everything_else():
    """A `triton_tem_` kernel is a GEMM where its name says mm or conv (attention where it says attention): one
    naming neither is not claimed for the GEMMs."""
    from vcam.bench.split import GEMM, OTHER, kernel_kind

    assert kernel_kind("triton_tem_fused_0") == OTHER
    assert kernel_kind("triton_tem_fused_bmm_1") == GEMM


def test_atens_own_kernels_are_everything_else_whatever_their_name_holds():
    """ATen's kernels (`at::native::`) are its elementwise, reduction, copy and direct kernels; its GEMMs run in
    cuBLAS. A depthwise convolution's direct kernel (no matrix unit) holds "conv" and was taken for a GEMM by the
    library rules that come after."""
    from vcam.bench.split import OTHER, kernel_kind

    name = "void at::native::(anonymous namespace)::conv_depthwise2d_forward_kernel<1, c10::BFloat16, float, int>"
    assert kernel_kind(name) == OTHER


@pytest.mark.parametrize("name", ["aten::linear_backward", "aten::matmul_backward"])
def test_an_op_whose_name_only_begins_as_a_products_is_not_a_gemm(name):
    """ATen's GEMM ops are matched by their whole name: autograd's `linear_backward` (which launches mm ops of its
    own, counted there) is not one more matrix product."""
    from vcam.bench.split import GEMM, OTHER, kernel_kind

    assert kernel_kind(name) == OTHER
    assert kernel_kind(name.split("_")[0]) == GEMM


def test_a_libraries_convert_kernel_is_no_convolution():
    """"conv" marks a convolution, "convert" a cast: a library's conversion kernel (not ATen's, not Triton's) was
    counted as a GEMM."""
    from vcam.bench.split import GEMM, OTHER, kernel_kind

    assert kernel_kind("void convert_fp32_to_bf16_kernel<128>(float const*, __nv_bfloat16*, int)") == OTHER
    assert kernel_kind("void implicit_convolve_sgemm<float, float, 128, 5, 5, 3, 3, 3, 1, false>") == GEMM


def test_a_stage_within_the_margin_of_its_timing_is_not_said_to_hold_too_much():
    """Kernel time up to OVER_TIMED past the stage's own timing is the two clocks' difference, not misplaced
    kernels: 110 ms of kernels in a stage timed at 100 ms is not flagged; 120 ms is."""
    from vcam.bench.split import ATTENTION, GEMM, OTHER, Split, StageSplit

    def table(kernel_ms):
        stage = StageSplit("pass 1", kernel_ms, {GEMM: kernel_ms, ATTENTION: 0.0, OTHER: 0.0})
        return Split("cuda", [stage], 500, 10, timed_ms={"pass 1": 100.0}).table()

    assert "more kernel time" not in table(110.0)
    assert "more kernel time than the stage took" in table(120.0)


def _cpu_event(name, self_us, is_async=False):
    from torch.autograd import DeviceType

    return SimpleNamespace(name=name, self_cpu_time_total=self_us, device_type=DeviceType.CPU, cpu_parent=None,
                           is_async=is_async)


def test_the_cpu_split_counts_each_ops_own_time_and_nothing_else():
    """A stage's mark holds only Python's time between its ops, an async range overlaps the ops it spans, and an op
    of no time of its own is nothing to name: counted, each made the split hold time no op took (or a 0.00 ms
    row under "everything else")."""
    from vcam.bench.split import STAGE_MARK, Timed, timed_events

    events = [_cpu_event(STAGE_MARK + "pass 1", 3000.0), _cpu_event("aten::mm", 2000.0),
              _cpu_event("aten::add", 0.0), _cpu_event("cuda stream wait", 5000.0, is_async=True)]
    assert timed_events(events) == ([Timed("aten::mm", 2.0)], 2.0)


def test_a_trace_with_some_launches_is_placed_by_them_and_not_said_to_lack_them(monkeypatch):
    """The profiler's links are the fallback for a trace with no launches at all: a kernel launched outside every
    mark (a memset after the block) is no reason to give up the launches of all the others."""
    import vcam.bench.split as split

    launched = [("nvjet_tst_x", 1.0, (STAGE_MARK + "pass 1",)), ("Memset (Device)", 0.5, ())]
    monkeypatch.setattr(split, "by_launch", lambda events: launched)
    monkeypatch.setattr(split, "by_link", lambda events: [("nvjet_tst_x", 9.0, ())])
    said = []
    timed, total_ms = split.timed_kernels([], log=said.append)
    assert [(t.name, t.ms, t.within) for t in timed] == launched and total_ms == 1.5 and said == []


def test_a_trace_with_no_kernels_is_not_said_to_lack_launches():
    """A block whose trace holds no kernel at all has nothing to place: the fallback to the profiler's links (and
    its line) is for kernels whose launches are missing."""
    from vcam.bench.split import timed_kernels

    said = []
    assert timed_kernels([], log=said.append) == ([], 0) and said == []


def test_a_kernel_name_exactly_as_wide_as_the_table_is_shown_whole():
    """Names are cut to 100 characters with an ellipsis: one of exactly 100 fits whole; one of 101 is cut."""
    from vcam.bench.split import ATTENTION, GEMM, OTHER, Split, StageSplit

    def table(name):
        stage = StageSplit("pass 1", 1.0, {GEMM: 0.0, ATTENTION: 0.0, OTHER: 1.0}, [(name, 1.0)])
        return Split("cuda", [stage], 5, 1).table()

    assert "k" * 100 in table("k" * 100) and "…" not in table("k" * 100)
    assert "k" * 99 + "…" in table("k" * 101) and "k" * 100 not in table("k" * 101)


def test_the_split_table_says_what_time_it_counts_on_each_device():
    """On a CPU the time is each op's self time and there is no trace of launches; on CUDA it is kernel time, and
    a kernel whose launch the trace lacks falls outside the stages."""
    from vcam.bench.split import ATTENTION, GEMM, OTHER, Split, StageSplit

    def table(device):
        stage = StageSplit("pass 1", 1.0, {GEMM: 1.0, ATTENTION: 0.0, OTHER: 0.0})
        return Split(device, [stage], 5, 1).table().splitlines()

    cpu, cuda = table("cpu"), table("cuda")
    assert "(CPU op self time, one profiled block of 5 ms)" in cpu[0] and "kernel" not in cpu[0]
    assert cpu[-1] == "  outside these stages: 1.0 ms (the rest of the block)"
    assert "(kernel time, one profiled block of 5 ms)" in cuda[0]
    assert cuda[-1].endswith("(the rest of the block, and any kernel whose launch the trace lacks)")


class _TraceProfile:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def export_chrome_trace(self, path):
        with open(path, "w") as f:
            json.dump({"traceEvents": []}, f)


def test_time_outside_the_stages_is_never_below_zero(monkeypatch):
    """Every kernel in the stages: the block's total, summed in launch order, came out a hair under the stages'
    sum of parts (0.9299999999999999 against 0.93), and the table said "outside these stages: -0.0 ms"."""
    import vcam.bench.split as split

    mark = (STAGE_MARK + "pass 1",)
    timed = [split.Timed("nvjet_tst_x", 0.19, mark), split.Timed("triton_poi_fused_add_0", 0.3, mark),
             split.Timed("fmha_cutlassF_bf16", 0.18, mark), split.Timed("Memset (Device)", 0.26, mark)]
    monkeypatch.setattr(torch.profiler, "profile", lambda activities: _TraceProfile())
    monkeypatch.setattr(torch.cuda, "synchronize", lambda device=None: None)
    monkeypatch.setattr(split, "timed_kernels", lambda events, log: (timed, sum(t.ms for t in timed)))
    stream = SimpleNamespace(device=torch.device("cuda"), timer=None, next_block=lambda: None)
    result = split.profile_block(stream, stages=("pass 1",))
    assert result.outside_ms == 0.0 and "outside these stages: 0.0 ms" in result.table()


# --- what vcam bench runs -----------------------------------------------------------------------------------------


def test_bench_on_the_cpu_says_nothing_of_a_dtype_it_runs_anyway():
    """--dtype fp32 is what the CPU runs: saying it "is not used" there was a warning about nothing."""
    from vcam.bench.bench import BenchSettings, bench_target

    said = []
    target = bench_target(BenchSettings(model="tiny", device="cpu", dtype="fp32"), said.append)
    assert str(target.dtype) == "torch.float32" and said == []


@pytest.fixture
def one_card(monkeypatch):
    """This machine as one with a CUDA card (nothing runs on it: only bench's choice of what to run is asked)."""
    monkeypatch.setattr(torch.version, "cuda", "12.8")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: "NVIDIA H200")


def test_bench_on_a_card_runs_the_model_asked_not_tiny(one_card):
    """Only the CPU falls back to tiny for a model that needs CUDA: on a card, krea-14b was swapped for tiny and
    the card's figures were tiny's."""
    from vcam.bench.bench import BenchSettings, bench_target

    said = []
    target = bench_target(BenchSettings(model="krea-14b", device="cuda"), said.append)
    assert (target.model, target.device_name, str(target.dtype)) == ("krea-14b", "NVIDIA H200", "torch.bfloat16")
    assert said == []


def test_bench_runs_the_size_asked():
    """--width and --height each replace the model's own: a --width alone was dropped."""
    from vcam.bench.bench import BenchSettings, bench_target

    target = bench_target(BenchSettings(model="tiny", device="cpu", width=48), lambda message: None)
    assert target.width == 48 and target.height == bench_target(BenchSettings(model="tiny", device="cpu")).height



def test_an_unknown_decoder_is_refused_and_a_tuned_rate_naming_one_sizes_nothing(tmp_path):
    """The decoders are the VAE's and TAEHV's: any other name is refused saying which there are, and a hand-edited
    entry whose options name one is damage the show passes over (its rate was trusted)."""
    from vcam.engine.speed import SpeedOptions

    with pytest.raises(ValueError, match="unknown decoder 'tae'; choose one of vae, taehv"):
        SpeedOptions(decoder="tae")
    options = {**SpeedOptions(compile=True).to_dict(), "decoder": "tae"}
    assert _rates(tmp_path, _entry(options=options), _entry(width=704, height=400, frames_per_second=11.0)) \
        == {(704, 400, "none"): 11.0}

# --- the tuning's choice ------------------------------------------------------------------------------------------


def test_a_candidate_faster_by_exactly_the_meaningful_gain_is_chosen():
    """MEANINGFUL_GAIN is what a candidate must beat the defaults by: 103 frames/s against the defaults' 100 is
    that much and wins; 102.9 is within the noise and keeps the defaults."""
    from vcam.bench.tuning import MEANINGFUL_GAIN, Trial, _fastest
    from vcam.engine.speed import SpeedOptions

    compiled, cudnn = SpeedOptions(compile=True), SpeedOptions(compile=True, attention="cudnn")
    assert MEANINGFUL_GAIN * 100.0 == 103.0
    assert _fastest([Trial(compiled, 100.0), Trial(cudnn, 103.0)]).options == cudnn
    assert _fastest([Trial(compiled, 100.0), Trial(cudnn, 102.9)]).options == compiled


# --- the decoder comparison ---------------------------------------------------------------------------------------


def test_the_decoders_speedup_leaves_out_the_first_blocks_set_up():
    """The first block's time includes each decoder's set-up: the speedup is the steady state's, from the second
    block on (5x here, where the first block counted made it 6.7x); a single block is all there is."""
    from vcam.bench.decoders import DecoderComparison

    def compared(vae_ms, taehv_ms):
        n = len(vae_ms)
        return DecoderComparison(832, 480, n, "random", vae_ms, taehv_ms, [0.0] * n, [0.0] * n, [40.0] * n)

    assert compared([100.0, 10.0, 10.0], [50.0, 2.0, 2.0]).speedup == pytest.approx(5.0)
    assert compared([100.0], [50.0]).speedup == pytest.approx(2.0)


@pytest.mark.parametrize("free_gib, total_gib, closing_said, fix", [
    (23.6, 24, False, "use --size 576x320 --quant fp8"), (12.0, 24, True, "or use a larger GPU"),
    (19.5, 20, False, "at 416x240: use a GPU with more memory")])
def test_a_card_too_small_is_told_to_close_other_programs_only_where_they_hold_some_of_it(
        monkeypatch, free_gib, total_gib, closing_said, fix):
    """An idle 24 GiB card too small for krea-14b (bench's fit check, vcam run's memory plan) was told to close
    other programs using the GPU: there were none, and closing nothing makes no room."""
    import vcam.engine.memory
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import memory_plan
    from vcam.engine.speed import SpeedOptions
    from vcam.errors import NotEnoughVRAMError

    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (int(free_gib * 2**30), total_gib * 2**30))
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 0)
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: None)
    with pytest.raises(NotEnoughVRAMError) as refused:
        memory_plan(get_spec("krea-14b"), torch.device("cuda"), 832, 480, torch.bfloat16, SpeedOptions(), adapt=False)
    assert ("close other programs" in refused.value.fix) is closing_said, refused.value.fix
    assert fix in refused.value.fix, refused.value.fix  # what would fit, or what it takes, is said either way


@pytest.mark.parametrize("free_gib, total_gib, closing_said", [
    (19.3, 20.7, True),  # 1.4 GiB held by others, 0.3 GiB short: closing them makes room
    (30.0, 40.0, False),  # 10 GiB held by others, and krea-14b at 832x480 would not fit the 39.5 freed either
    (40.0, 48.0, True)])
def test_closing_other_programs_is_said_where_it_would_make_room_enough(monkeypatch, free_gib, total_gib,
                                                                        closing_said):
    """Whether to close other programs hung on their holding 1.5 GiB, not on whether closing them makes it fit:
    19.3 GiB free of 20.7, 1.4 held by others and 0.3 missing was told to use a GPU with more memory."""
    assert _closing_said(monkeypatch, int(free_gib * 2**30), int(total_gib * 2**30)) is closing_said


@pytest.mark.parametrize("short_by, closing_said", [(0, True), (1, False)])
def test_closing_other_programs_is_said_from_where_the_free_memory_and_theirs_less_a_context_hold_it(
        monkeypatch, short_by, closing_said):
    """Closing them frees what they hold but this process's own CUDA context (about 0.5 GiB, which mem_get_info
    counts with theirs): said where free + others - 0.5 GiB holds the least krea-14b needs, to the byte."""
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import estimate_vram

    least = estimate_vram(get_spec("krea-14b"), 416, 240, torch.bfloat16, text_on_gpu=False, quant="fp8").total
    free = least - int(0.3 * 2**30)
    assert _closing_said(monkeypatch, free, least + int(0.5 * 2**30) - short_by) is closing_said


def _closing_said(monkeypatch, free: int, total: int) -> bool:
    """Whether the fix for krea-14b at 832x480 on a card with `free` of `total` bytes (the rest held by other
    programs) says to close them; the fix is checked to say what it takes either way."""
    import vcam.engine.memory
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import memory_plan
    from vcam.engine.speed import SpeedOptions
    from vcam.errors import NotEnoughVRAMError

    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (free, total))
    monkeypatch.setattr(torch.cuda, "memory_reserved", lambda device=None: 0)
    monkeypatch.setattr(vcam.engine.memory, "fp8_unsupported", lambda device: None)
    with pytest.raises(NotEnoughVRAMError) as refused:
        memory_plan(get_spec("krea-14b"), torch.device("cuda"), 832, 480, torch.bfloat16, SpeedOptions(), adapt=False)
    fix = refused.value.fix
    assert fix.startswith("use --quant fp8") or "needs at least about" in fix, fix
    if "close other programs" in fix:
        assert fix.endswith("close other programs using the GPU (nvidia-smi lists them) or use a larger GPU") \
            or "or close other programs using the GPU (nvidia-smi lists them)" in fix, fix
        return True
    return False
