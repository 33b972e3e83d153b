"""The speed model: frames/s of krea-14b on any card, from the card's datasheet figures (vcam.bench.cards) and the
stage times measured on an H200 (BENCHMARKS.md), compiled, as `vcam run` runs by default.

Each stage of a block is its work over the card's rate for that kind of work, at an efficiency fitted on the H200:

- a transformer pass (the recompute, and each denoising pass): its matrix products (`flops_per_block`) at the
  matrix rate of the precision (bf16, or FP8's own rate), its attention at the bf16 rate (attention stays bf16
  under FP8), the traffic of what runs between the products (norms, modulation, RoPE, gates, cache copies) at the
  memory bandwidth, and a fixed share per pass that no size amortises (kernels too small to fill the card);
- the VAE (the block's decode, and the context's one-frame encode): its convolutions at the bf16 rate plus the
  traffic of its other operations at the bandwidth, both at one efficiency: the decoder is partly
  bandwidth-bound, more so on cards with little bandwidth for their compute. With TAEHV's decoder
  (`--decoder taehv`), the VAE's one-frame encode at that efficiency plus TAEHV's decode at its own, fitted on
  the one TAEHV row measured. That efficiency (0.21) is not TAEHV's alone: the encode is priced at 10.9 ms where
  the row's context took 18.4, and the 7.6 ms between land on the decode (7.8 measured, 15.3 priced). Exact at
  832x480 on the H200 by construction; the encode does not shrink with the pixels as the model has it (18 to 13
  ms from 832x480 to 576x320 on the VAE's rows), so at smaller sizes a TAEHV show is priced about 1 % fast.

The fit is closed-form, from the H200 rows below (`fit`); `tests/test_predict.py` holds it to every measured
compiled row. It knows nothing of one architecture's kernels against another's: on other cards it is an
estimate, which `vcam bench --tune` replaces with a measurement.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import torch

from vcam.bench.bench import flops_per_block
from vcam.bench.cards import CARDS, GIB, Card
from vcam.engine.configs import ModelSpec, TAEHVConfig, VAEConfig, get_spec
from vcam.engine.stream import LATENTS_PER_BLOCK

FRAMES_PER_LATENT = 4
H200 = next(c for c in CARDS if c.name == "H200")

# What the speed model prices a quantization's matrix products by: the card's datasheet rate for it. nvfp4 would be
# one more entry here (the card's fp4 rate) once a measured row gives its efficiency.
QUANT_RATE = {"none": "bf16_tflops", "fp8": "fp8_tflops"}


@dataclass(frozen=True)
class MeasuredRow:
    """A compiled row of BENCHMARKS.md's H200 tables (random krea-14b weights, 4 steps), stages in ms."""

    width: int
    height: int
    quant: str
    frames_per_second: float
    recompute_ms: float
    pass_ms: float  # the mean of the four denoising passes
    vae_ms: float  # decode + context
    matmul_tflops: float  # the 8192^3 bf16 product timed after the row
    overlap: bool  # timed with the (retired) overlap: VAE on a second stream, the stages slowed by sharing the card
    day: str = "2026-11-28"
    held_out: bool = False  # a size the fit was never given: what tests the model
    decoder: str = "vae"  # taehv: vae_ms is TAEHV's decode + the VAE's context encode


FIT_DAY = "2026-12-04"  # the fit reads that day's plain rows, no overlap: one machine for the Wan VAE's (one
# build of the code), another lease's for TAEHV's decoder alone

H200_ROWS: tuple[MeasuredRow, ...] = (
    MeasuredRow(832, 480, "none", 8.196, 219.57, 261.66, 178.40 + 17.98, 801.5, overlap=False),
    MeasuredRow(832, 480, "none", 8.018, 288.80, 267.77, 240.63 + 135.40, 753.7, overlap=True),
    MeasuredRow(832, 480, "fp8", 10.488, 220.01, 199.06, 214.51 + 131.15, 775.0, overlap=True),
    MeasuredRow(576, 320, "none", 18.866, 131.92, 111.25, 110.41 + 58.08, 745.6, overlap=True),
    MeasuredRow(576, 320, "fp8", 24.949, 100.37, 80.72, 97.88 + 56.75, 803.7, overlap=True),
    # scripts/gpu_check.sh (the compiled rows) and two sizes vcam run picks, by `vcam bench`'s code
    MeasuredRow(832, 480, "none", 8.172, 220.76, 262.12, 180.20 + 17.58, 788.8, overlap=False, day=FIT_DAY),
    MeasuredRow(832, 480, "fp8", 10.386, 159.99, 199.48, 178.43 + 17.66, 790.5, overlap=False, day=FIT_DAY),
    MeasuredRow(576, 320, "none", 19.019, 96.32, 109.02, 84.50 + 12.66, 788.0, overlap=False, day=FIT_DAY),
    MeasuredRow(576, 320, "fp8", 24.751, 70.78, 79.55, 82.32 + 12.36, 791.8, overlap=False, day=FIT_DAY),
    MeasuredRow(704, 400, "none", 12.02, 151.0, 174.45, 134.5 + 13.5, 776.6, overlap=False, day=FIT_DAY,
                held_out=True),
    MeasuredRow(768, 448, "fp8", 12.66, 136.1, 159.35, 156.9 + 16.4, 761.9, overlap=False, day=FIT_DAY,
                held_out=True),
    # gpu_check.sh --compiled on a second lease: TAEHV's decoder, what its efficiency is fitted on
    MeasuredRow(832, 480, "fp8", 12.294, 155.74, 198.07, 7.78 + 18.44, 735.8, overlap=False, day=FIT_DAY,
                decoder="taehv"),
)


@dataclass(frozen=True)
class VAEWork:
    """A decoder's or VAE's work per pixel of the frame size: one block's decode (LATENTS_PER_BLOCK latents, 12
    frames, with a warm cache), the context's encode of one frame, or both (each constant says which). Counted
    operation by operation on the meta device (`count_vae_work`, `count_taehv_work`); convolutions (and the
    mid-block attention) are compute, everything else is traffic."""

    flop_per_pixel: float
    bytes_per_pixel: float


# krea-14b's VAE (the Wan 2.1 VAE) in float16, counted by count_vae_work at 832x480 (tests/test_predict.py recounts it)
WAN_VAE_WORK = VAEWork(flop_per_pixel=1.0860e8, bytes_per_pixel=8.6932e5)
# Its one-frame encode of the context alone (count_vae_work(..., decode=False)), and TAEHV's decode of a block
# (count_taehv_work), likewise
WAN_VAE_ENCODE_WORK = VAEWork(flop_per_pixel=6.8066e6, bytes_per_pixel=4.3840e4)
TAEHV_DECODE_WORK = VAEWork(flop_per_pixel=4.0877e6, bytes_per_pixel=1.8057e4)
PRICED_DECODERS = ("vae", "taehv")  # what _decode_and_context_s prices: a new decoder is unpriced until it does


@dataclass(frozen=True)
class Fit:
    """The fitted efficiencies: each a fraction of the datasheet figure it multiplies."""

    matmul: dict[str, float]  # per quantization: the products' rate over the datasheet's rate for it
    attention: float  # attention's rate over the bf16 datasheet rate
    between_bytes_per_token: float  # bytes moved between the products, per token per layer per pass
    fixed_pass_s: float  # per pass on the H200; scaled by the bf16 rate on other cards
    vae: float  # the VAE's efficiency, on compute and bandwidth alike
    taehv: float  # TAEHV's decoder's, likewise


@dataclass(frozen=True)
class Prediction:
    card: str
    width: int
    height: int
    quant: str
    steps: int
    recompute_ms: float
    pass_ms: float
    vae_ms: float

    @property
    def ms_per_block(self) -> float:
        return self.recompute_ms + self.steps * self.pass_ms + self.vae_ms

    @property
    def frames_per_second(self) -> float:
        return LATENTS_PER_BLOCK * FRAMES_PER_LATENT * 1000.0 / self.ms_per_block


def _pass_flops(spec: ModelSpec, width: int, height: int) -> tuple[float, float, float, float]:
    """(recompute matmul, recompute attention, pass matmul, pass attention) FLOPs: a block with 0 denoising steps
    is the recompute alone, and each step adds one pass."""
    cfg = spec.transformer
    rec, one = flops_per_block(cfg, width, height, 0), flops_per_block(cfg, width, height, 1)
    return rec["matmul"], rec["attention"], one["matmul"] - rec["matmul"], one["attention"] - rec["attention"]


def _tokens_layers(spec: ModelSpec, width: int, height: int) -> float:
    """Tokens times layers of one pass: what the traffic between the products scales with."""
    return LATENTS_PER_BLOCK * (height // 16) * (width // 16) * spec.transformer.num_layers


def _vae_s(card: Card, width: int, height: int, fit_vae: float, work: VAEWork = WAN_VAE_WORK) -> float:
    pixels = width * height
    return (work.flop_per_pixel * pixels / (card.bf16_tflops * 1e12)
            + work.bytes_per_pixel * pixels / (card.bandwidth_gbs * 1e9)) / fit_vae


def fit(rows: tuple[MeasuredRow, ...] = H200_ROWS, card: Card = H200, model: str = "krea-14b") -> Fit:
    """The efficiencies, in closed form from FIT_DAY's plain H200 rows: the products at the rate the card measured
    beside the row (an 8192^3 bf16 product); attention's rate and the traffic between the products from the
    recompute and the pass at 832x480 (the same products, twice the keys); the fixed share per pass from the pass
    at 576x320; FP8's rate from its pass at 832x480; the VAE from decode + context at 832x480; TAEHV's decoder from
    its row's decode + context, less the VAE's encode. FP8 at 576x320 and the held-out sizes are left to test it."""
    spec = get_spec(model)
    plain = _row(rows, 832, 480, "none")
    small = _row(rows, 576, 320, "none")
    fp8 = _row(rows, 832, 480, "fp8")
    rate = plain.matmul_tflops * 1e12
    rm, ra, pm, pa = _pass_flops(spec, 832, 480)
    attention = (pa - ra) / ((plain.pass_ms - plain.recompute_ms) / 1e3)  # FLOP/s
    rest = plain.pass_ms / 1e3 - pm / rate - pa / attention  # between the products + fixed, at 832x480
    _, _, sm, sa = _pass_flops(spec, 576, 320)
    rest_small = small.pass_ms / 1e3 - sm / rate - sa / attention
    big, little = _tokens_layers(spec, 832, 480), _tokens_layers(spec, 576, 320)
    per_token_layer_s = (rest - rest_small) / (big - little)
    fixed = rest - per_token_layer_s * big
    fp8_rate = pm / (fp8.pass_ms / 1e3 - pa / attention - rest)
    vae = _vae_s(card, 832, 480, 1.0, _vae_work(spec.vae)) / (plain.vae_ms / 1e3)
    tiny = _row(rows, 832, 480, "fp8", decoder="taehv")
    taehv_s = tiny.vae_ms / 1e3 - _vae_s(card, 832, 480, vae, WAN_VAE_ENCODE_WORK)
    return Fit(matmul={"none": rate / (card.bf16_tflops * 1e12), "fp8": fp8_rate / (card.fp8_tflops * 1e12)},
               attention=attention / (card.bf16_tflops * 1e12),
               between_bytes_per_token=per_token_layer_s * card.bandwidth_gbs * 1e9, fixed_pass_s=fixed,
               vae=vae, taehv=_vae_s(card, 832, 480, 1.0, TAEHV_DECODE_WORK) / taehv_s)


def _row(rows: tuple[MeasuredRow, ...], width: int, height: int, quant: str, decoder: str = "vae") -> MeasuredRow:
    return next(r for r in rows if (r.width, r.height, r.quant, r.day, r.overlap, r.held_out, r.decoder)
                == (width, height, quant, FIT_DAY, False, False, decoder))


def _vae_work(vae: VAEConfig) -> VAEWork:
    if vae != VAEConfig():
        raise ValueError("the speed model knows the Wan 2.1 VAE only (count_vae_work counts another)")
    return WAN_VAE_WORK


@functools.lru_cache(maxsize=1)
def fitted() -> Fit:
    return fit()


def predict(card: Card, width: int, height: int, quant: str = "none", steps: int = 4,
            model: str = "krea-14b", fit_: Fit | None = None, decoder: str = "vae") -> Prediction | None:
    """The stage times and frames/s of `model` compiled on `card` at this size and quantization, decoding with
    `decoder`; None where the card has no rate for the quantization (FP8 before compute capability 8.9) or the
    model does not price it."""
    f = fit_ or fitted()
    peak = getattr(card, QUANT_RATE[quant], None) if quant in QUANT_RATE else None
    if peak is None or quant not in f.matmul or (quant == "fp8" and not card.has_fp8) \
            or decoder not in PRICED_DECODERS:
        return None
    spec = get_spec(model)
    rm, ra, pm, pa = _pass_flops(spec, width, height)
    matmul = peak * 1e12 * f.matmul[quant]
    attention = card.bf16_tflops * 1e12 * f.attention
    between = f.between_bytes_per_token * _tokens_layers(spec, width, height) / (card.bandwidth_gbs * 1e9)
    fixed = f.fixed_pass_s * H200.bf16_tflops / card.bf16_tflops
    return Prediction(card.name, width, height, quant, steps,
                      recompute_ms=1e3 * (rm / matmul + ra / attention + between + fixed),
                      pass_ms=1e3 * (pm / matmul + pa / attention + between + fixed),
                      vae_ms=1e3 * _decode_and_context_s(card, width, height, f, spec, decoder))


def _decode_and_context_s(card: Card, width: int, height: int, f: Fit, spec: ModelSpec, decoder: str) -> float:
    vae_work = _vae_work(spec.vae)  # raises for a VAE the work was not counted on, as for a TAEHV below
    if decoder != "taehv":
        return _vae_s(card, width, height, f.vae, vae_work)
    if spec.taehv != TAEHVConfig():
        raise ValueError("the speed model knows the published TAEHV decoder only (count_taehv_work counts another)")
    # TAEHV decodes; the VAE still encodes the context frame
    return _vae_s(card, width, height, f.vae, WAN_VAE_ENCODE_WORK) + _vae_s(card, width, height, f.taehv,
                                                                           TAEHV_DECODE_WORK)


def needed_gib(width: int, height: int, quant: str, model: str = "krea-14b", decoder: str = "vae",
               compiled: bool = True) -> float:
    """GiB a show needs at this size, text encoder on the CPU: vcam's memory estimate (headroom and a video input
    in), with the show's decoder (TAEHV's decodes while the VAE stays for its encoder) and compiling, as the memory
    plan counts it."""
    from vcam.engine.memory import estimate_vram

    return estimate_vram(get_spec(model), width, height, torch.bfloat16, text_on_gpu=False, quant=quant,
                         compiled=compiled, decoder=decoder).total / GIB


CONTEXT_GIB = 1.0  # what the CUDA context, the driver and a desktop take from a card's memory before vcam loads


def fits_card(card: Card, width: int, height: int, quant: str, model: str = "krea-14b", decoder: str = "vae") -> bool:
    """Whether the model fits the card's memory at these settings (by the estimate, the text encoder on the CPU)."""
    return needed_gib(width, height, quant, model, decoder) <= card.vram_gib - CONTEXT_GIB


def count_vae_work(vae_cfg: VAEConfig, width: int, height: int, decode: bool = True) -> VAEWork:
    """Counts a VAE's work per pixel on the meta device (nothing is computed): a warm decode of one block and a
    one-frame encode, in float16 (with `decode=False` the encode alone). How WAN_VAE_WORK and WAN_VAE_ENCODE_WORK
    were made."""
    from vcam.engine.vae import FrameEncoder, StreamingDecoder, build_vae

    with torch.device("meta"):
        vae = build_vae(vae_cfg).to(torch.float16)
    decoder = StreamingDecoder(vae)
    latents = torch.zeros(1, vae_cfg.z_dim, LATENTS_PER_BLOCK, height // 8, width // 8, device="meta")
    decoder.decode(latents)  # the first block starts the cache; a later one is what a stream runs

    def block() -> None:
        if decode:
            decoder.decode(latents)
        FrameEncoder(vae).encode(torch.zeros(1, 3, height, width, device="meta"))

    return _counted(block, width * height)


def count_taehv_work(spec: ModelSpec, width: int, height: int) -> VAEWork:
    """TAEHV's decode of one block (a warm stream, float16), per pixel, counted on the meta device. How
    TAEHV_DECODE_WORK was made."""
    from vcam.engine.taehv import TAEHVDecoder, TAEHVStreamingDecoder

    with torch.device("meta"):
        decoder = TAEHVStreamingDecoder(TAEHVDecoder(spec.taehv).to(torch.float16))
    latents = torch.zeros(1, spec.vae.z_dim, LATENTS_PER_BLOCK, height // 8, width // 8, device="meta",
                          dtype=torch.float16)
    decoder.decode(latents)  # as a stream runs it: its memory frames filled
    return _counted(lambda: decoder.decode(latents), width * height)


def _counted(run, pixels: int) -> VAEWork:
    """The work `run()` does, per pixel: FLOPs of the ops PyTorch's flop counter knows (convolutions, products,
    attention) and the bytes every other op but a view reads and writes."""
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_leaves
    from torch.utils.flop_counter import flop_registry

    views = {"view", "_unsafe_view", "reshape", "expand", "slice", "select", "permute", "transpose", "t",
             "unsqueeze", "squeeze", "as_strided", "alias", "detach", "split", "split_with_sizes", "unbind"}

    class Count(TorchDispatchMode):
        flop = 0.0
        traffic = 0.0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            kwargs = kwargs or {}
            out = func(*args, **kwargs)
            packet = func.overloadpacket
            if packet in flop_registry:
                self.flop += flop_registry[packet](*args, **kwargs, out_val=out)
            elif packet.__name__ not in views:  # a view moves nothing
                self.traffic += sum(t.numel() * t.element_size() for t in tree_leaves((args, kwargs, out))
                                    if isinstance(t, torch.Tensor))
            return out

    count = Count()
    with count:
        run()
    return VAEWork(count.flop / pixels, count.traffic / pixels)
