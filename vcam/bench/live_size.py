"""The size and precision a show runs at when it was given neither: the largest standard size that keeps a target
rate of generated frames on this card, in bf16 where that size keeps it in bf16, else in FP8. Rates come from the card's
`vcam bench --tune` entries where they exist, else from the speed model (vcam.bench.predict).

`choose_size` is the rule, a pure function of rates, target, sizes and memory; `live_size` feeds it this machine.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from vcam.sizes import LIVE_SIZES

# The precisions tried at each size, in order: a later one only where the earlier ones miss the target there (each
# changes the picture a little more). Size comes first: a smaller picture than the model's own changes what the
# model makes far more than FP8's rounding does (FP8 keeps about 40 dB against bf16 on the tiny model's block). A
# new quantization (nvfp4) is one more name here, once the speed model prices it.
QUANT_ORDER: tuple[str, ...] = ("none", "fp8")
QUANT_NAMES = {"none": "bf16", "fp8": "fp8"}


@dataclass(frozen=True)
class Rate:
    frames_per_second: float
    measured: bool  # from a `vcam bench --tune` entry; else predicted
    doubt: str = ""  # with a measured rate: why it may not be a whole tune's, and what to do (or "")


@dataclass(frozen=True)
class SizeChoice:
    width: int
    height: int
    quant: str
    rate: Rate
    met: bool  # the rate reaches the target
    message: str


@dataclass(frozen=True)
class OwnSize:
    """No size was chosen: nothing prices this show (the speed model does not, no tuned rate matches it), so it
    keeps the model's own size; `message` says so."""

    message: str


RateOf = Callable[[int, int, str], "Rate | None"]  # (width, height, quant) -> its rate, None: not possible here
Fits = Callable[[int, int, str], bool]


def sizes_for(model_size: tuple[int, int]) -> list[tuple[int, int]]:
    """LIVE_SIZES in the model's orientation (a portrait model gets them turned)."""
    w, h = model_size
    return [(b, a) for a, b in LIVE_SIZES] if h > w else list(LIVE_SIZES)


def choose_size(rate_of: RateOf, target: float, sizes: Sequence[tuple[int, int]], fits: Fits,
                quants: Sequence[str] = QUANT_ORDER, card: str = "this card",
                predicted_from: str = "") -> SizeChoice | None:
    """The largest of `sizes` (largest first) whose rate reaches `target` in any of `quants`, in the first of them
    that reaches it there; where none does, the smallest size that fits, in its fastest precision. None where nothing
    fits at all (the memory plan then says what it would take). `predicted_from` follows a predicted rate in the
    line said (what the prediction stands on, where that is worth saying)."""
    options = {(w, h, q): r for q in quants for w, h in sizes if fits(w, h, q) and (r := rate_of(w, h, q))}
    if not options:
        return None
    for w, h in sizes:
        for q in quants:
            r = options.get((w, h, q))
            if r is not None and r.frames_per_second >= target:
                return SizeChoice(w, h, q, r, True, _said(w, h, q, r, target, sizes, quants, options, card,
                                                          predicted_from, met=True))
    smallest = next((w, h) for w, h in reversed(sizes) if any((w, h, q) in options for q in quants))
    q = max((q for q in quants if (*smallest, q) in options), key=lambda q: options[(*smallest, q)].frames_per_second)
    r = options[(*smallest, q)]
    return SizeChoice(*smallest, q, r, False, _said(*smallest, q, r, target, sizes, quants, options, card,
                                                    predicted_from, met=False))


def _said(w: int, h: int, q: str, r: Rate, target: float, sizes: Sequence[tuple[int, int]],
          quants: Sequence[str], options: dict, card: str, predicted_from: str, met: bool) -> str:
    """The one line that says what was chosen and why."""
    how = "measured" if r.measured else "predicted"
    head = (f"size {w}x{h} {QUANT_NAMES.get(q, q)}: {how} {r.frames_per_second:.1f} frames/s on {card}"
            + (" by vcam bench --tune" if r.measured else predicted_from) + (f" ({r.doubt})" if r.doubt else ""))
    if not met:
        # the smallest with a rate: where only `vcam bench --tune` rates count, smaller sizes may have none
        taken = "so the smallest is taken" if (w, h) == tuple(sizes[-1]) else (
            f"so the smallest with a rate is taken ({sizes[-1][0]}x{sizes[-1][1]} and others have none: "
            "`vcam bench --tune --size WxH` measures one)")
        reaches = "no size reaches it" if (w, h) == tuple(sizes[-1]) else "no measured size reaches it"
        return f"{head}, below the target {target:g}: {reaches}, {taken}; --size, --quant or --target-fps " \
            "choose otherwise"
    # the next size up, the one that just missed in every precision
    larger = next(((a, b) for a, b in reversed(sizes) if a * b > w * h
                   and any((a, b, p) in options for p in quants)), None)
    if larger:
        best = max((options[(*larger, p)] for p in quants if (*larger, p) in options),
                   key=lambda rate: rate.frames_per_second)
        why = f" ({larger[0]}x{larger[1]} would be {best.frames_per_second:.1f} < target {target:g})"
    else:
        why = f" (target {target:g})"
    earlier = quants[:quants.index(q)]
    if earlier:
        kept = next(((a, b) for a, b in sizes if a * b < w * h and any(
            (o := options.get((a, b, p))) and o.frames_per_second >= target for p in earlier)), None)
        names = "/".join(QUANT_NAMES.get(p, p) for p in earlier)
        fits_any = any((a, b, p) in options for a, b in sizes for p in earlier)
        why += (f"; {names} keeps it only at {kept[0]}x{kept[1]}" if kept
                else f"; {names} reaches it at no size" if fits_any else f"; {names} does not fit {card} at any size")
        why += f", and {QUANT_NAMES.get(q, q).upper()} changes the picture slightly"
    return f"{head}{why}; --size, --quant or --target-fps choose otherwise"


def card_rates(predict_rate: RateOf, tuned: dict[tuple[int, int, str], Rate]) -> RateOf:
    """Rates from the card's tuning entries (frames/s `vcam bench --tune` measured at a size and precision, with
    what to doubt about them) where there is one, else from the prediction."""
    def rate_of(width: int, height: int, quant: str) -> Rate | None:
        rate = tuned.get((width, height, quant))
        return predict_rate(width, height, quant) if rate is None else rate

    return rate_of


def unpriced(decoder: str = "vae", compiled: bool = True, video_in: bool = False,
             attention_quant: str = "none") -> str | None:
    """What of a show the speed model does not price, in words (it knows compiled runs decoding with the Wan VAE
    or TAEHV, text only, attention by SDPA); None where it prices it all."""
    from vcam.bench.predict import PRICED_DECODERS

    parts = ([f"the {decoder} decoder"] if decoder not in PRICED_DECODERS else []) \
        + ([] if compiled else ["--no-compile"]) + (["video in (a VAE encode per block)"] if video_in else []) \
        + ([f"{attention_quant.upper()} attention"] if attention_quant != "none" else [])
    return " or ".join(parts) or None


def live_size(model: str, steps: int, target: float, *, use_tuning: bool = True, path=None, decoder: str = "vae",
              compiled: bool = True, video_in: bool = False,
              attention_quant: str = "none") -> SizeChoice | OwnSize | None:
    """The choice for this machine's GPU; None without CUDA (a CPU keeps the model's own size and says nothing)
    or when nothing fits (the memory plan says why). The card's figures come from the card table when its name is
    there, else from a second's measurement (vcam.bench.cards.this_card) where the speed model prices the show; free
    memory from the card itself.
    Where the speed model does not price the show (`unpriced`), only `vcam bench --tune` rates with its decoder
    (uncompiled, its compile; with video in, those of `--tune --in`) count; without any, OwnSize. Rates are never
    mixed across video in: a text-only rate would overstate a show that encodes its input every block."""
    import torch

    if not torch.cuda.is_available():
        return None
    from vcam.bench.cards import card_name, this_card, tuning_name
    from vcam.bench.predict import needed_gib, predict
    from vcam.bench.tuning import measured_rates
    from vcam.engine.configs import get_spec
    from vcam.engine.quant import fp8_unsupported

    device = torch.device("cuda")
    quants = [q for q in QUANT_ORDER if q == "none" or (q == "fp8" and fp8_unsupported(device) is None)]
    free_gib = torch.cuda.mem_get_info(device)[0] / 1024**3
    spec = get_spec(model)
    sizes = sizes_for((spec.width, spec.height))
    fits = lambda w, h, q: needed_gib(w, h, q, model, decoder, compiled) <= free_gib  # noqa: E731
    if not any(fits(w, h, q) for w, h in sizes for q in quants):
        # The memory plan says what it would take. A card missing from the table is not measured for nothing: a
        # card too small for the model wastes the second, and one that other programs fill runs out of memory.
        return None
    not_priced = unpriced(decoder, compiled, video_in, attention_quant)
    # only tuned rates count where the speed model does not price the show: a card missing from the table is not
    # measured for them (a second, and a failure that would stop a start that never needed it)
    card = None if not_priced else this_card(device)

    def predicted(w: int, h: int, q: str) -> Rate | None:
        p = None if card is None else predict(card, w, h, q, steps, model, decoder=decoder)
        return Rate(p.frames_per_second, measured=False) if p else None

    tuned = measured_rates(tuning_name(device), model, steps, path=path, decoder=decoder,
                           attention_quant=attention_quant, compiled=None if compiled else False, video_in=video_in) \
        if use_tuning else {}
    # with video in every rate is one that `--tune --in` measured: the card's name carries that into the line said
    name = f"this {card.name if card else card_name(device)}" + (" with video in" if video_in else "")
    # a card missing from the table is priced by what it measured as the show started; a tuned rate needs no word
    basis = " from its speed measured just now" if card is not None and card.measured else ""
    chosen = choose_size(card_rates(predicted, tuned), target, sizes, fits, quants, card=name, predicted_from=basis)
    if chosen is None and not_priced:  # something fits (above), and nothing prices it
        return OwnSize(f"size {spec.width}x{spec.height}, {model}'s own, not chosen for {target:g} frames/s: the "
                       f"speed model does not price {not_priced}, and no `vcam bench --tune"
                       f"{' --in' if video_in else ''}` rate matches it; --size chooses otherwise")
    return chosen


def unsized_why() -> str:
    """Why live_size chose no size: no CUDA, or a card that holds the model at no size (said with its free memory;
    "no CUDA GPU here, or no size fits" left an RTX 3090's owner to guess which)."""
    import torch

    if not torch.cuda.is_available():
        return "no CUDA GPU here (a CPU keeps the model's own size)"
    free = torch.cuda.mem_get_info(torch.device("cuda"))[0] / 1024**3
    return f"no size fits this GPU's free memory ({free:.1f} GiB; the memory plan says what would)"
