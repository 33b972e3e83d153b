"""The speed model (vcam.bench.predict) against the H200's measured rows, and the card table it reads."""
import pytest

from vcam.bench.cards import CARDS, GIB, card_from_measurement, card_named
from vcam.bench.predict import (FIT_DAY, H200, H200_ROWS, TAEHV_DECODE_WORK, WAN_VAE_ENCODE_WORK, WAN_VAE_WORK,
                                 count_taehv_work, count_vae_work, fit, fitted, fits_card, needed_gib, predict)
from vcam.engine.configs import VAEConfig, get_spec

# The model predicts the plain loop; the rows timed with the (retired) overlap ran up to 2.3 % slower than it at
# 832x480 (8.02 against 8.20 frames/s), so they are held to a looser bound than the plain rows. The held-out rows
# are sizes the fit never read (704x400 bf16, the largest bf16 keeps 10 frames/s at on an H200, and 768x448 FP8,
# what vcam run picks on an H100 SXM): the model's own error, +1.8 % and -1.3 % when they were first measured.
PLAIN_TOLERANCE = 0.01
OVERLAP_TOLERANCE = 0.03
HELD_OUT_TOLERANCE = 0.025


def _row_id(r):
    kind = "overlap" if r.overlap else "held-out" if r.held_out else "plain"
    return f"{r.width}x{r.height}-{r.quant}-{r.decoder}-{kind}-{r.day}"


@pytest.mark.parametrize("row", H200_ROWS, ids=_row_id)
def test_the_model_gives_back_every_measured_h200_row(row):
    """TAEHV's row among them: its decoder's efficiency is fitted on it, its transformer (FP8) is not."""
    p = predict(H200, row.width, row.height, row.quant, decoder=row.decoder)
    tolerance = OVERLAP_TOLERANCE if row.overlap else HELD_OUT_TOLERANCE if row.held_out else PLAIN_TOLERANCE
    assert p.frames_per_second == pytest.approx(row.frames_per_second, rel=tolerance)


def test_the_held_out_sizes_are_ones_the_fit_never_read():
    """Each held-out row tests the model only if the fit cannot have seen it: remove every held-out row and
    the fit is the same."""
    held = [r for r in H200_ROWS if r.held_out]
    assert {(r.width, r.height) for r in held} == {(704, 400), (768, 448)}
    assert fit(tuple(r for r in H200_ROWS if not r.held_out)) == fitted()


@pytest.mark.parametrize("quant", ["none", "fp8"])
def test_the_fitted_rows_stages_are_the_measured_ones(quant):
    """The 832x480 rows the fit leans on: each stage, not only their sum (FP8's recompute is not fitted: it
    follows from bf16's attention and the traffic between the products, with FP8's product rate)."""
    row = next(r for r in H200_ROWS if (r.width, r.height, r.quant, r.day, r.overlap, r.decoder)
               == (832, 480, quant, FIT_DAY, False, "vae"))
    p = predict(H200, 832, 480, quant)
    # FP8's recompute is the one stage not fitted on its own measurement (158 against 160 ms)
    assert (p.recompute_ms, p.pass_ms, p.vae_ms) == pytest.approx((row.recompute_ms, row.pass_ms, row.vae_ms),
                                                                 rel=PLAIN_TOLERANCE if quant == "none" else 0.015)


def test_the_fitted_efficiencies_are_physical():
    """Every rate the fit found is a fraction of its datasheet figure, and the products run faster than
    attention: a fit that had to go past the card's peak would mean the model counts the work wrongly."""
    f = fitted()
    assert 0 < f.attention < f.matmul["none"] <= 1 and 0 < f.matmul["fp8"] <= 1 and 0 < f.vae <= 1 and 0 < f.taehv <= 1
    assert f.between_bytes_per_token > 0 and f.fixed_pass_s > 0


@pytest.mark.parametrize("constant,count", [
    (WAN_VAE_WORK, lambda: count_vae_work(VAEConfig(), 832, 480)),
    (WAN_VAE_ENCODE_WORK, lambda: count_vae_work(VAEConfig(), 832, 480, decode=False)),
    (TAEHV_DECODE_WORK, lambda: count_taehv_work(get_spec("krea-14b"), 832, 480)),
], ids=["vae", "vae encode", "taehv decode"])
def test_the_work_constants_are_what_the_decoders_count(constant, count):
    counted = count()
    assert counted.flop_per_pixel == pytest.approx(constant.flop_per_pixel, rel=0.005)
    assert counted.bytes_per_pixel == pytest.approx(constant.bytes_per_pixel, rel=0.005)


def test_taehvs_show_is_priced_by_the_vaes_encode_and_taehvs_decode():
    """TAEHV's decode took 7.8 ms of the block where the VAE's took 176 (H200, FP8, 832x480): the two shows differ
    by the decode alone, TAEHV's a small fraction of the VAE's at every size, and no other decoder is priced."""
    for w, h in ((832, 480), (576, 320)):
        vae, tiny = predict(H200, w, h, "fp8"), predict(H200, w, h, "fp8", decoder="taehv")
        assert (tiny.recompute_ms, tiny.pass_ms) == (vae.recompute_ms, vae.pass_ms)
        assert tiny.vae_ms < vae.vae_ms / 4
    assert predict(H200, 832, 480, decoder="taehv").frames_per_second == pytest.approx(9.26, abs=0.05)
    assert predict(H200, 832, 480, decoder="other") is None


def test_more_work_or_a_slower_card_is_never_faster():
    for card in CARDS:
        big, small = predict(card, 832, 480), predict(card, 576, 320)
        assert big.frames_per_second < small.frames_per_second
        assert predict(card, 832, 480, steps=2).frames_per_second > big.frames_per_second
        if card.has_fp8:  # FP8 doubles only the products' rate: faster, never twice
            fp8 = predict(card, 832, 480, "fp8").frames_per_second
            assert big.frames_per_second < fp8 < 2 * big.frames_per_second


def test_fp8_is_not_predicted_where_the_card_has_none():
    a100 = next(c for c in CARDS if c.name == "A100 80GB")
    assert not a100.has_fp8 and predict(a100, 832, 480, "fp8") is None
    assert predict(H200, 832, 480, "nvfp4") is None  # not priced until a measured row gives its efficiency


def test_the_fp32_guess_overstates_the_rtx_pro_6000_several_times():
    """The common guess scales the measured card's rate by FP32 TFLOPS; the RTX PRO 6000 has twice the H200's FP32
    but half its tensor rate and 37 % of its bandwidth."""
    pro = next(c for c in CARDS if c.name == "RTX PRO 6000 Blackwell")
    measured = next(r for r in H200_ROWS if not r.overlap).frames_per_second
    guess = measured * pro.fp32_tflops / H200.fp32_tflops
    assert guess / predict(pro, 832, 480).frames_per_second > 3


def test_the_card_table_holds_dense_datasheet_figures():
    for card in CARDS:
        assert card.bf16_tflops > 0 and card.bandwidth_gbs > 0 and card.vram_gib > 0 and card.device_names
        if card.fp8_tflops is not None:  # FP8 is twice bf16 on every card that has it; a sparse figure would break it
            assert card.fp8_tflops == pytest.approx(2 * card.bf16_tflops, rel=0.02)
            assert card.capability >= (8, 9)
        if card.fp4_tflops is not None:  # twice FP8, or four times where GeForce halves FP8 with FP32 accumulation
            assert card.fp4_tflops / card.fp8_tflops == pytest.approx(2, rel=0.01) or \
                card.fp4_tflops / card.fp8_tflops == pytest.approx(4, rel=0.01)
    assert len({c.name for c in CARDS}) == len(CARDS)


def test_cards_are_found_by_the_name_torch_gives_them():
    assert card_named("NVIDIA H100 80GB HBM3").name == "H100 SXM"
    assert card_named("NVIDIA GeForce RTX 4090").name == "RTX 4090"
    assert card_named("NVIDIA H200").name == "H200"
    assert card_named("NVIDIA H200 NVL") is None  # other clocks: measured, not guessed
    assert card_named("NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition") is None


def test_a_measured_card_lands_on_its_datasheet_figures():
    """A card measured as the H200 measures (801 TFLOP/s, 90 % of its bandwidth) is priced like the H200's row."""
    measured = card_from_measurement("H200", 801.5, 0.9 * 4800, 140.4, (9, 0))
    assert measured.measured and measured.has_fp8
    assert predict(measured, 832, 480).frames_per_second == pytest.approx(
        predict(H200, 832, 480).frames_per_second, rel=0.01)
    assert card_from_measurement("A100", 250, 1800, 80, (8, 0)).fp8_tflops is None


def test_the_memory_needed_counts_the_shows_decoder():
    """The size chooser asks what the memory plan counts: TAEHV's small decoder besides the VAE kept for its
    encoder; the VAE's numbers are those the default always had."""
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import estimate_vram

    spec = get_spec("krea-14b")
    for decoder in ("vae", "taehv"):
        plan = estimate_vram(spec, 832, 480, text_on_gpu=False, compiled=True, decoder=decoder)
        assert needed_gib(832, 480, "none", decoder=decoder) == pytest.approx(plan.total / GIB)
    assert needed_gib(832, 480, "none") == needed_gib(832, 480, "none", decoder="vae")
    assert needed_gib(832, 480, "none", decoder="taehv") != needed_gib(832, 480, "none")
    assert fits_card(H200, 832, 480, "none", decoder="taehv")


def test_memory_by_the_estimate():
    rtx4090 = next(c for c in CARDS if c.name == "RTX 4090")
    assert fits_card(H200, 832, 480, "none")
    assert not fits_card(rtx4090, 832, 480, "none") and fits_card(rtx4090, 576, 320, "fp8")
