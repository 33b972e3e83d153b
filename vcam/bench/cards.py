"""The GPUs vcam knows by name: their vendors' datasheet figures (dense, never the with-sparsity ones), what the
speed model (vcam.bench.predict) works from. A card not listed is measured instead (`measure_card`)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace

import torch

from vcam.engine.memory import out_of_memory_said_as_error
from vcam.engine.quant import fp8_chip_lacks, rocm_arch
from vcam.errors import VcamError

GIB = 1024**3


@dataclass(frozen=True)
class Card:
    """One GPU as its datasheet describes it. Tensor-core rates are dense (datasheets often print twice these,
    "with sparsity", which no model here uses) and, on GeForce cards, with FP32 accumulation (what PyTorch's bf16
    products and torchao's FP8 products run; GeForce datasheets lead with the FP16-accumulate rate, twice it)."""

    name: str
    bf16_tflops: float  # dense bf16/fp16 tensor rate, FP32 accumulation
    fp8_tflops: float | None  # dense FP8 tensor rate; None: no FP8 tensor cores (before compute capability 8.9)
    fp4_tflops: float | None  # dense FP4 tensor rate (Blackwell); None: none
    bandwidth_gbs: float  # memory bandwidth, GB/s (10^9 bytes)
    vram_gib: float  # memory as sold (GPU memory sizes are binary); the driver shows a little less
    capability: tuple[int, int]  # CUDA compute capability
    fp32_tflops: float = 0.0  # non-tensor FP32: only to show what the common FP32-based guess would say
    device_names: tuple[str, ...] = ()  # torch.cuda.get_device_name() of this card, without "NVIDIA "
    measured: bool = False  # figures measured on the card (measure_card), not from a datasheet
    multiprocessors: int = 0  # streaming multiprocessors of the whole chip (what a MIG slice has fewer of)

    @property
    def has_fp8(self) -> bool:
        # the table gives an FP8 rate only to cards with FP8, and card_from_measurement only by quant's rule
        return self.fp8_tflops is not None


CARDS: tuple[Card, ...] = (
    # NVIDIA H100 datasheet (SXM5 column): 1,979 bf16 / 3,958 FP8 TFLOPS "with sparsity"; 3.35 TB/s; 80 GB
    Card("H100 SXM", 989.4, 1978.9, None, 3350, 80, (9, 0), 67, ("H100 80GB HBM3", "H100 SXM5 80GB"),
         multiprocessors=132),
    # NVIDIA H100 datasheet (PCIe column): 1,513 / 3,026 with sparsity; 2.0 TB/s; 80 GB
    Card("H100 PCIe", 756.5, 1513, None, 2000, 80, (9, 0), 51, ("H100 PCIe",), multiprocessors=114),
    # NVIDIA H200 datasheet (SXM): 1,979 bf16 / 3,958 FP8 with sparsity; 4.8 TB/s; 141 GB. The measured card.
    Card("H200", 989.4, 1978.9, None, 4800, 141, (9, 0), 67, ("H200",), multiprocessors=132),
    # NVIDIA HGX B200 datasheet, per GPU: 4.5 PF bf16 / 9 PF FP8 / 18 PF FP4 with sparsity; 7.7 TB/s; 180 GB
    Card("B200", 2250, 4500, 9000, 7700, 180, (10, 0), 75, ("B200",), multiprocessors=148),
    # NVIDIA RTX PRO 6000 Blackwell Workstation Edition datasheet: 4,000 AI TOPS (FP4, with sparsity), 125 TFLOPS
    # FP32, 1,792 GB/s, 96 GB; full-rate FP32 accumulation (a professional card): 504 bf16 / 1,008 FP8 dense
    Card("RTX PRO 6000 Blackwell", 503.8, 1007.6, 2015, 1792, 96, (12, 0), 125.9,
         ("RTX PRO 6000 Blackwell Workstation Edition", "RTX PRO 6000 Blackwell Server Edition"),
         multiprocessors=188),
    # NVIDIA RTX Blackwell architecture whitepaper, GeForce RTX 5090: 209.5 bf16 / 419 FP8 (FP32 accumulate) /
    # 1,676 FP4 dense (3,352 AI TOPS with sparsity); 104.8 TFLOPS FP32; 1,792 GB/s; 32 GB
    Card("RTX 5090", 209.5, 419, 1676, 1792, 32, (12, 0), 104.8, ("GeForce RTX 5090",), multiprocessors=170),
    # NVIDIA Ada Lovelace architecture whitepaper, GeForce RTX 4090: 165.2 bf16 / 330.3 FP8 with FP32 accumulate,
    # dense; 82.6 TFLOPS FP32; 1,008 GB/s; 24 GB
    Card("RTX 4090", 165.2, 330.3, None, 1008, 24, (8, 9), 82.6, ("GeForce RTX 4090",), multiprocessors=128),
    # NVIDIA L40S datasheet: 362.05 bf16 (733 with sparsity), 733 FP8 (1,466 with sparsity); 91.6 TFLOPS FP32;
    # 864 GB/s; 48 GB
    Card("L40S", 362.05, 733, None, 864, 48, (8, 9), 91.6, ("L40S",), multiprocessors=142),
    # NVIDIA A100 datasheet (80GB SXM): 312 bf16 (624 with sparsity), no FP8; 19.5 TFLOPS FP32; 2,039 GB/s
    Card("A100 80GB", 312, None, None, 2039, 80, (8, 0), 19.5, ("A100-SXM4-80GB", "A100 80GB PCIe"),
         multiprocessors=108),
    # NVIDIA L4 datasheet: 242 bf16 / 485 FP8 with sparsity; 30.3 TFLOPS FP32; 300 GB/s; 24 GB
    Card("L4", 121, 242.5, None, 300, 24, (8, 9), 30.3, ("L4",), multiprocessors=58),
)


def card_named(device_name: str) -> Card | None:
    """The table's row for a card as torch names it ("NVIDIA H100 80GB HBM3"), or None. Exact names only: an
    "H100 NVL" or an "RTX PRO 6000 Blackwell Max-Q" runs at other clocks, so it is measured rather than guessed."""
    wanted = device_name.strip().lower().removeprefix("nvidia ").strip()
    return next((c for c in CARDS if wanted in (n.lower() for n in c.device_names)), None)


# A measured card's figures are turned into datasheet-equivalent ones, the terms the speed model is fitted in: on
# the H200 an 8192^3 bf16 product sustained 745-804 of the datasheet's 989 TFLOP/s, and a 256 MiB device-to-device
# copy 87 % of its 4800 GB/s (2026-12-04; BENCHMARKS.md).
MATMUL_OF_DATASHEET = 0.81
COPY_OF_DATASHEET = 0.87


def card_from_measurement(name: str, matmul_tflops: float, copy_gbs: float, vram_gib: float,
                          capability: tuple[int, int], arch: str | None = None) -> Card:
    """A card known only by what it measured. Its FP8 rate is taken as twice bf16's where the card has FP8 (as on
    every card in CARDS with FP8), by the rule the load goes by (`arch`: a ROCm card's gcnArchName, where ROCm
    gives its gfx generation as the capability); FP4 is left unknown."""
    bf16 = matmul_tflops / MATMUL_OF_DATASHEET
    fp8 = None if fp8_chip_lacks(capability, arch) else 2 * bf16
    return Card(name=name, bf16_tflops=bf16, fp8_tflops=fp8, fp4_tflops=None,
                bandwidth_gbs=copy_gbs / COPY_OF_DATASHEET, vram_gib=vram_gib, capability=capability, measured=True)


MEASURING = "measuring this GPU's speed to choose the show's size"
# A show measures the card only where nobody gave a size or a precision (`vcam run`'s and `vcam serve`'s --size and
# --quant, a show file's size, a replay's log): any of them starts it without.
MEASURE_FIX = ("check the card with nvidia-smi (it shows a driver or hardware fault; update the driver where it is "
               "older than PyTorch needs), or start without the measurement by giving --size WxH (832x480 is "
               "krea-14b's own) or --quant")
CAUSE_CHARS = 160  # of a cause's first line: PyTorch's driver messages run on for a paragraph on one line


def measure_card(device: torch.device) -> Card:
    """This CUDA card's figures by a short measurement (about a second): a large bf16 matrix product and a large
    device-to-device copy, each timed after a warm-up. Its failure is a VcamError that says what failed and how to
    start without it."""
    with _measurement_failure_said(device):
        name = driver_name(device)
        props = torch.cuda.get_device_properties(device)
        matmul_tflops, copy_gbs = _matmul_tflops(device), _copy_gbs(device)
        torch.cuda.empty_cache()
    return card_from_measurement(name, matmul_tflops, copy_gbs, props.total_memory / GIB, (props.major, props.minor),
                                 rocm_arch(device))


@contextmanager
def _measurement_failure_said(device: torch.device) -> Iterator[None]:
    """Inside it, the card running out of memory is said as everywhere else (what the card holds, what to do), and
    any other failure (a driver error, a kernel's) as a VcamError with the first line of its cause: it came out as
    a traceback or PyTorch's paragraph, before the show had said a word."""
    try:
        with out_of_memory_said_as_error(device, "none", "while its speed was measured to choose the show's size"):
            yield
    except VcamError:
        raise
    except Exception as e:  # noqa: BLE001 - whatever the card or its driver raised, the start stops here
        cause = ": ".join(x for x in (e.__class__.__name__, first_line(e)) if x)
        raise VcamError(f"{MEASURING} failed ({cause})", MEASURE_FIX) from None


def first_line(error: BaseException) -> str:
    """An error's first line, its first sentence where that line runs on: CUDA errors go on with lines of advice
    about debugging, and the driver's messages with a paragraph of download links."""
    line = next((x.strip() for x in str(error).splitlines() if x.strip()), "")
    if len(line) <= CAUSE_CHARS:
        return line
    end = line.find(". ")
    return line[:end + 1] if 0 < end < CAUSE_CHARS else line[:CAUSE_CHARS].rstrip() + "…"


def _matmul_tflops(device: torch.device, n: int = 8192) -> float:
    a = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=device, dtype=torch.bfloat16)
    return 2.0 * n**3 / _timed(lambda: a @ b, device, reps=10) / 1e12


def _copy_gbs(device: torch.device, size: int = 256 * 2**20) -> float:
    """A device-to-device copy of 256 MiB, far beyond any L2 cache: read once and written once."""
    src = torch.empty(size, device=device, dtype=torch.uint8)
    dst = torch.empty_like(src)
    return 2 * size / _timed(lambda: dst.copy_(src), device, reps=20) / 1e9


def _timed(fn, device: torch.device, reps: int) -> float:
    """Seconds per call of `fn` on the card, after warming up."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize(device)
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    torch.cuda.synchronize(device)
    return (time.perf_counter() - t0) / reps


def driver_name(device: torch.device) -> str:
    """The card's name as its driver gives it, without "NVIDIA "."""
    # a card whose driver gives no name is still said as something: "on this  from its speed" before
    return torch.cuda.get_device_name(device).removeprefix("NVIDIA ").strip() or "unnamed CUDA card"


# A MIG slice's driver may give the whole card's name ("NVIDIA H100 80GB HBM3" for a 3g.40gb slice): it is told by
# having less memory or fewer multiprocessors than the row. The driver shows a little less memory than is sold (an
# L40S with ECC on 44.4 of 48 GiB); the smallest slice of a card is a seventh of it, the largest an A100's 7g.80gb
# with 98 of its 108 multiprocessors (0.907), and every whole card shows all of the row's.
SLICE_MEMORY = 0.85
SLICE_MULTIPROCESSORS = 0.95


def slice_name(device: torch.device, row: Card) -> str | None:
    """How the line names this card where it is a slice of `row`'s card (a MIG instance), else None."""
    props = torch.cuda.get_device_properties(device)
    gib, sms = props.total_memory / GIB, getattr(props, "multi_processor_count", 0)
    if gib >= SLICE_MEMORY * row.vram_gib and not 0 < sms < SLICE_MULTIPROCESSORS * row.multiprocessors:
        return None
    of = f", {sms} of its {row.multiprocessors} multiprocessors" if sms else ""
    return f"{row.name} slice ({gib:.0f} GiB{of}; not priced as the whole card)"


# MIG gives a slice memory in eighths of the card's (H100 and A100 80GB: 1g.10gb 1/8, 1g.20gb and 2g.20gb 2/8,
# 3g.40gb and 4g.40gb 4/8, 7g.80gb 8/8; H200's 1g.18gb to 7g.141gb alike), shown a little under the nominal size
# (2g.20gb: 19968 MiB, 19.5 GiB). A slice's entries are kept under its share in eighths, which the few MiB a driver
# update shows more or less never change; whole GiB did (19.5 GiB read 20, and 19.49 GiB 19: the tunings no longer
# matched). The multiprocessors, an exact count, tell 1g.20gb from 2g.20gb.
def tuning_name(device: torch.device) -> str:
    """The name this card's `vcam bench --tune` entries are kept under: the driver's name, as always (tuning files
    written before slices were told apart still match), and for a slice of a card in the table (MIG, where its
    driver gives the whole card's name) that name with the slice's share of the card's memory and its
    multiprocessors: a tune on a 1g.10gb slice chose the whole card's size, and the whole card's the slice's."""
    name = torch.cuda.get_device_name(device)
    card = card_named(name)
    if card is None or slice_name(device, card) is None:
        return name
    props = torch.cuda.get_device_properties(device)
    sms = getattr(props, "multi_processor_count", 0)
    eighths = max(1, round(8 * props.total_memory / GIB / card.vram_gib))
    return f"{name} MIG slice, {eighths}/8 of its memory" + (f", {sms} multiprocessors" if sms else "")


def card_name(device: torch.device) -> str:
    """The card's name as the table has it where it is there, else as its driver gives it: without measuring."""
    card = card_named(torch.cuda.get_device_name(device))
    return (slice_name(device, card) or card.name) if card else driver_name(device)


def this_card(device: torch.device) -> Card:
    """The table's row when the card is in it (its datasheet figures are what the speed model was fitted in terms
    of, and reading them costs nothing), else a measurement; a slice of a card in it (MIG) is measured too, and
    named as a slice: the whole card's row made it about twice as fast as it is."""
    card = card_named(torch.cuda.get_device_name(device))
    if card is None:
        return measure_card(device)
    part = slice_name(device, card)
    return card if part is None else replace(measure_card(device), name=part)
