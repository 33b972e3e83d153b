"""Prints the "choosing a GPU" table (markdown) of BENCHMARKS.md, or with --short the README's: frames/s predicted by
vcam's speed model (vcam.bench.predict) for every card in vcam.bench.cards, at 832x480 and 576x320, bf16 and FP8,
what `vcam run` would pick at its default target, and the H200's measured rows beside its predictions. With
--write it rewrites both docs' tables in place, between their gpu-table markers (tests/test_gpu_table.py holds the
docs to what this prints).

    PYTHONPATH=. python scripts/gpu_table.py [--short] [--target-fps 10]
    PYTHONPATH=. python scripts/gpu_table.py --write
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from vcam.argtypes import target_fps
from vcam.bench.cards import CARDS
from vcam.bench.live_size import LIVE_SIZES, QUANT_NAMES, Rate, choose_size
from vcam.bench.predict import FIT_DAY, H200, H200_ROWS, MeasuredRow, fits_card, needed_gib, predict
from vcam.live.settings import DEFAULT_TARGET_FPS

ROOT = Path(__file__).resolve().parent.parent
# Markdown comments, invisible where the docs are rendered, around each doc's table and the notes under it
BEGIN, END = "<!-- gpu-table:begin -->", "<!-- gpu-table:end -->"
DOCS = {"README.md": True, "BENCHMARKS.md": False}  # each doc and whether its table is the short one
WRITE_COMMAND = "PYTHONPATH=. python scripts/gpu_table.py --write"

COLUMNS = ((832, 480, "none"), (832, 480, "fp8"), (576, 320, "none"), (576, 320, "fp8"))


def cell(card, width: int, height: int, quant: str) -> str:
    """Predicted frames/s; in parentheses where the model does not fit the card's memory; - without FP8."""
    p = predict(card, width, height, quant)
    if p is None:
        return "–"
    text = f"{p.frames_per_second:.1f}"
    return text if fits_card(card, width, height, quant) else f"({text})"


def pick(card, target: float) -> str:
    def rate_of(w, h, q):
        p = predict(card, w, h, q)
        return Rate(p.frames_per_second, False) if p else None

    choice = choose_size(rate_of, target, LIVE_SIZES, lambda w, h, q: fits_card(card, w, h, q))
    if choice is None:
        return "does not fit"
    text = f"{choice.width}x{choice.height} {QUANT_NAMES[choice.quant]}, {choice.rate.frames_per_second:.1f}"
    return text if choice.met else f"{text} (below {target:g})"


def fitted_row(w: int, h: int, q: str) -> MeasuredRow:
    """The H200's measured row the speed model was fitted on (or tested by) for this column."""
    return next(r for r in H200_ROWS if (r.width, r.height, r.quant, r.day, r.overlap, r.held_out, r.decoder)
                == (w, h, q, FIT_DAY, False, False, "vae"))


def measured_h200() -> str:
    """The H200's measured compiled rows in the table's column order."""
    return " / ".join(f"{fitted_row(*c).frames_per_second:.2f}" for c in COLUMNS)


def full_table(target: float) -> str:
    plain = fitted_row(832, 480, "none")
    lines = ["| card | dense bf16 / FP8 TFLOP/s | GB/s | GiB | 832×480 bf16 | 832×480 FP8 | 576×320 bf16 | "
             f"576×320 FP8 | `vcam run` picks (target {target:g}) | FP32 guess, 832×480 bf16 |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for card in CARDS:
        fp8 = f"{card.fp8_tflops:g}" if card.fp8_tflops else "–"
        guess = plain.frames_per_second * card.fp32_tflops / H200.fp32_tflops
        name = f"**{card.name}** (measured: {measured_h200()})" if card is H200 else card.name
        lines.append(f"| {name} | {card.bf16_tflops:g} / {fp8} | {card.bandwidth_gbs:g} | {card.vram_gib:g} | "
                     + " | ".join(cell(card, *c) for c in COLUMNS) + f" | {pick(card, target)} | {guess:.1f} |")
    return "\n".join(lines)


def short_table(target: float) -> str:
    lines = [f"| card | 832×480 bf16 | 832×480 FP8 | 576×320 bf16 | 576×320 FP8 | "
             f"`vcam run` picks (target {target:g}) |",
             "|---|---|---|---|---|---|"]
    for card in CARDS:
        # the measured card shows what it measured; its predictions are in the full table
        cells = measured_h200().split(" / ") if card is H200 else [cell(card, *c) for c in COLUMNS]
        name = f"{card.name} (measured)" if card is H200 else card.name
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {pick(card, target)} |")
    return "\n".join(lines)


def memory_note() -> str:
    need = {(w, h, q): needed_gib(w, h, q) for w, h, q in COLUMNS}
    return ("In parentheses: does not fit the card's memory by vcam's estimate (text encoder on the CPU, compiled, "
            "room for a video input, 1.5 GiB of headroom and 1 GiB for the driver): " + ", ".join(
                f"{w}×{h} {QUANT_NAMES[q]} needs {gib:.1f} GiB" for (w, h, q), gib in need.items()) + ".")


def table_text(short: bool, target: float = DEFAULT_TARGET_FPS) -> str:
    """What the script prints: the table and the notes under it."""
    lines = [short_table(target) if short else full_table(target), ""]
    if short:
        lines.append("The H200 row is what it measured; every other row is a prediction.")
    lines.append(memory_note())
    return "\n".join(lines)


def _markers(doc: str, name: str) -> tuple[int, int]:
    """Where the text between the markers starts and ends; ValueError unless there is one pair, in order."""
    begins, ends = doc.count(BEGIN), doc.count(END)
    if begins != 1 or ends != 1 or doc.index(BEGIN) > doc.index(END):
        found = "the end first" if (begins, ends) == (1, 1) else f"{begins} begin and {ends} end markers"
        raise ValueError(f"{name} needs one {BEGIN} line, then one {END} line, around its GPU table; found {found}")
    return doc.index(BEGIN) + len(BEGIN), doc.index(END)


def table_in(doc: str, name: str) -> str:
    """The doc's table and notes as written between its markers, without the blank lines around them."""
    start, end = _markers(doc, name)
    return doc[start:end].strip("\n")


def with_table(doc: str, text: str, name: str) -> str:
    """The doc with `text` between its markers (a blank line either side, so the table renders as one)."""
    start, end = _markers(doc, name)
    return doc[:start] + "\n\n" + text + "\n\n" + doc[end:]


def write_docs(root: Path = ROOT, target: float = DEFAULT_TARGET_FPS) -> dict[str, bool]:
    """Rewrites each doc's table under `root`; whether each one changed. Nothing is written unless every doc has
    its markers."""
    docs = {name: (root / name).read_text(encoding="utf-8") for name in DOCS}
    new = {name: with_table(doc, table_text(DOCS[name], target), name) for name, doc in docs.items()}
    for name in DOCS:
        if new[name] != docs[name]:
            (root / name).write_text(new[name], encoding="utf-8")
    return {name: new[name] != docs[name] for name in DOCS}


def main(argv: list[str] | None = None, root: Path = ROOT) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])  # the first paragraph: whole sentences
    parser.add_argument("--short", action="store_true", help="the README's table")
    # vcam run's limits: nan, 0 or 1e9 printed "(below nan)" or the largest size as a pick for every card
    parser.add_argument("--target-fps", type=target_fps, default=None,
                        help=f"default {DEFAULT_TARGET_FPS:g}, vcam run's")
    parser.add_argument("--write", action="store_true",
                        help=f"rewrite the tables in {' and '.join(DOCS)} between their {BEGIN} markers")
    args = parser.parse_args(argv)
    if args.write:
        if args.short or args.target_fps is not None:
            parser.error("--write rewrites both docs' tables, at vcam run's default target: drop --short and "
                         "--target-fps")
        try:
            changed = write_docs(root)
        except ValueError as e:
            sys.exit(f"gpu_table.py: {e}")
        for name, was in changed.items():
            print(f"{name}: {'rewritten' if was else 'already up to date'}")
        return
    print(table_text(args.short, DEFAULT_TARGET_FPS if args.target_fps is None else args.target_fps))


if __name__ == "__main__":
    main()
