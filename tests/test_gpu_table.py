"""scripts/gpu_table.py against the docs: the "Choosing a GPU" tables in README.md and BENCHMARKS.md are what the
script prints now, so a change to the speed model (vcam.bench.predict) or the card table (vcam.bench.cards) that
moves a number fails here instead of leaving the docs stale; and its --write rewrites them between the markers."""
from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("gpu_table", ROOT / "scripts" / "gpu_table.py")
gpu_table = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("gpu_table", gpu_table)
_spec.loader.exec_module(gpu_table)


def _no_machine(*args, **kwargs):
    raise AssertionError("the GPU table asked this machine's GPU: the docs' table must come from the card table")


@pytest.fixture(scope="module")
def tables():
    """Each doc's table and notes as the script makes them, computed once. The table's inputs are the card table,
    the H200's measured rows and vcam's memory estimate, the same on every machine: here it is made as on one
    without a GPU, where asking a card's name or memory fails, and with no tuning file (conftest's own_cache_dir
    keeps the user's out of every test)."""
    import torch

    with pytest.MonkeyPatch.context() as m:
        m.setattr(torch.cuda, "is_available", lambda: False)  # libraries ask at import; the table must not need to
        for name in ("get_device_name", "get_device_properties", "mem_get_info", "device_count"):
            m.setattr(torch.cuda, name, _no_machine)
        return {name: gpu_table.table_text(short) for name, short in gpu_table.DOCS.items()}


@pytest.mark.parametrize("name", list(gpu_table.DOCS))
def test_the_docs_table_is_what_the_script_prints_now(tables, name):
    written = gpu_table.table_in((ROOT / name).read_text(encoding="utf-8"), name)
    assert written == tables[name], (
        f"{name}'s GPU table (between {gpu_table.BEGIN} and {gpu_table.END}) is not what scripts/gpu_table.py "
        f"prints now: the speed model or the card table changed. Rewrite the docs' tables with\n\n"
        f"    {gpu_table.WRITE_COMMAND}\n\nand check the prose around them, which quotes some of their numbers.")


def test_the_readme_has_the_short_table_and_benchmarks_the_full_one(tables):
    assert "(measured) |" in tables["README.md"] and "FP32 guess" not in tables["README.md"]
    assert "FP32 guess" in tables["BENCHMARKS.md"]
    for text in tables.values():
        assert f"`vcam run` picks (target {gpu_table.DEFAULT_TARGET_FPS:g})" in text
        assert text.count("\n| ") == len(gpu_table.CARDS)  # a row per card under the header


def _docs_copy(tmp_path: Path) -> Path:
    for name in gpu_table.DOCS:
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def test_write_rewrites_a_stale_table_and_nothing_else(tables, tmp_path, capsys):
    root = _docs_copy(tmp_path)
    readme = (root / "README.md").read_text(encoding="utf-8")
    stale = gpu_table.with_table(readme, "| card | old |\n|---|---|\n| H200 | 1.0 |", "README.md")
    (root / "README.md").write_text(stale, encoding="utf-8")

    gpu_table.main(["--write"], root=root)
    assert capsys.readouterr().out.splitlines() == ["README.md: rewritten", "BENCHMARKS.md: already up to date"]
    rewritten = (root / "README.md").read_text(encoding="utf-8")
    assert gpu_table.table_in(rewritten, "README.md") == tables["README.md"]
    begin, end = rewritten.index(gpu_table.BEGIN), rewritten.index(gpu_table.END)
    assert rewritten[:begin] == stale[:stale.index(gpu_table.BEGIN)]
    assert rewritten[end:] == stale[stale.index(gpu_table.END):]
    # a blank line either side of the table, so markdown renders it as a table, not as part of a comment or paragraph
    assert f"{gpu_table.BEGIN}\n\n| card |" in rewritten and f".\n\n{gpu_table.END}" in rewritten

    gpu_table.main(["--write"], root=root)  # a second write finds nothing to do
    assert capsys.readouterr().out.splitlines() == ["README.md: already up to date",
                                                    "BENCHMARKS.md: already up to date"]
    assert (root / "README.md").read_text(encoding="utf-8") == rewritten


@pytest.mark.parametrize("markers", ["none", "two", "reversed"])
def test_write_without_one_pair_of_markers_says_so_and_writes_nothing(tmp_path, markers):
    root = _docs_copy(tmp_path)
    before = {name: (root / name).read_text(encoding="utf-8") for name in gpu_table.DOCS}
    doc = before["BENCHMARKS.md"]
    bad = {"none": doc.replace(gpu_table.BEGIN, ""),
           "two": doc + f"\n{gpu_table.BEGIN}\n{gpu_table.END}\n",
           "reversed": doc.replace(gpu_table.BEGIN, "@@").replace(gpu_table.END, gpu_table.BEGIN)
                          .replace("@@", gpu_table.END)}[markers]
    (root / "BENCHMARKS.md").write_text(bad, encoding="utf-8")
    (root / "README.md").write_text(gpu_table.with_table(before["README.md"], "stale", "README.md"), encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")

    with pytest.raises(SystemExit) as e:
        gpu_table.main(["--write"], root=root)
    assert "BENCHMARKS.md needs one <!-- gpu-table:begin --> line, then one <!-- gpu-table:end -->" in str(e.value)
    assert (root / "README.md").read_text(encoding="utf-8") == readme  # no doc half-written
    assert (root / "BENCHMARKS.md").read_text(encoding="utf-8") == bad


def test_write_refuses_the_printing_options(tmp_path, capsys):
    for argv in (["--write", "--short"], ["--write", "--target-fps", "12"]):
        with pytest.raises(SystemExit) as e:
            gpu_table.main(argv, root=tmp_path)
        assert e.value.code == 2 and "drop --short and --target-fps" in capsys.readouterr().err


def test_printing_is_the_table_and_its_notes(tables, capsys):
    gpu_table.main(["--short"])
    assert capsys.readouterr().out == tables["README.md"] + "\n"
    gpu_table.main([])
    assert capsys.readouterr().out == tables["BENCHMARKS.md"] + "\n"
    gpu_table.main(["--target-fps", "20"])
    out = capsys.readouterr().out
    assert "`vcam run` picks (target 20)" in out and "(below 20)" in out


@pytest.mark.parametrize("target", ["nan", "0", "-5", "1e9"])
def test_a_target_vcam_run_refuses_is_refused(target, capsys):
    """It printed a pick "(below nan)" for every card, or the largest size for a target of 0 or below."""
    with pytest.raises(SystemExit) as e:
        gpu_table.main(["--target-fps", target])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "at least 0.1 and at most 240" in err and "picks" not in err


@pytest.mark.parametrize("card", gpu_table.CARDS, ids=lambda c: c.name)
def test_the_readme_pick_is_what_vcam_run_picks_on_that_card(card, monkeypatch):
    """The README's "`vcam run` picks" column against the choice `vcam run` makes on a machine that is that card
    (its name as the driver gives it, its capability, its memory less what the driver takes, no tuning): the table
    is made by the script from the speed model, the show by vcam.bench.live_size from this machine, and either
    could change without the other."""
    import torch

    import vcam.engine.quant
    from vcam.bench.live_size import QUANT_NAMES, live_size
    from vcam.bench.predict import CONTEXT_GIB

    row = next(line for line in gpu_table.table_in((ROOT / "README.md").read_text(encoding="utf-8"), "README.md")
               .splitlines() if line.startswith(f"| {card.name} |") or line.startswith(f"| {card.name} (measured) |"))
    said = row.strip(" |").split(" | ")[-1]
    free = int((card.vram_gib - CONTEXT_GIB) * 2**30)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda device=None: f"NVIDIA {card.device_names[0]}")
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda device=None: card.capability)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device=None: (free, int(card.vram_gib * 2**30)))
    monkeypatch.setattr(torch.cuda, "get_device_properties", lambda device=None: SimpleNamespace(
        total_memory=int(card.vram_gib * 2**30), major=card.capability[0], minor=card.capability[1],
        multi_processor_count=card.multiprocessors))
    monkeypatch.setattr(vcam.engine.quant, "fp8_unsupported",
                        lambda device: None if card.has_fp8 else "no FP8 on this card")
    choice = live_size("krea-14b", 4, gpu_table.DEFAULT_TARGET_FPS, use_tuning=False)
    picked = f"{choice.width}x{choice.height} {QUANT_NAMES[choice.quant]}, {choice.rate.frames_per_second:.1f}"
    assert said == (picked if choice.met else f"{picked} (below {gpu_table.DEFAULT_TARGET_FPS:g})"), choice.message
    assert choice.message.startswith(f"size {choice.width}x{choice.height} {QUANT_NAMES[choice.quant]}: predicted "
                                     f"{choice.rate.frames_per_second:.1f} frames/s on this {card.name}")


def test_help_describes_the_script_in_whole_sentences(capsys):
    """Its description was the docstring's first line, which stops mid-sentence ("frames/s predicted by")."""
    with pytest.raises(SystemExit):
        gpu_table.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "frames/s predicted by vcam's speed model" in text and "at 832x480 and 576x320" in text


def test_the_readme_says_what_vcam_run_picks_on_a_24_gb_card():
    """The FP8 paragraph said a 24 GB card "runs krea-14b at 576×320 in FP8 by the estimate (chosen by itself when no
    --size or --quant is given)", where `vcam run` picks 416×240 there at the default target, as the table says. The
    largest size that fits and the default target are the code's too, not the sentence's own."""
    from vcam.bench.live_size import LIVE_SIZES
    from vcam.bench.predict import fits_card

    text = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    start = text.index("a 24 GB card (RTX 4090, L4)")
    sentence = text[start:text.index(".", start)]
    for name in ("RTX 4090", "L4"):
        card = next(c for c in gpu_table.CARDS if c.name == name)
        largest = max((s for s in LIVE_SIZES if fits_card(card, *s, "fp8")), key=lambda s: s[0] * s[1])
        assert f"up to {largest[0]}×{largest[1]} in FP8" in sentence, (name, largest, sentence)
        size, quant = gpu_table.pick(card, gpu_table.DEFAULT_TARGET_FPS).split(",")[0].split()
        assert f"at {size.replace('x', '×')}" in sentence and f"picks {quant.upper()}" in sentence, sentence
    assert f"default target of {gpu_table.DEFAULT_TARGET_FPS:g} frames/s" in sentence, sentence
