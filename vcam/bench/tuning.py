"""Per-card tuning: `vcam bench --tune` times the speed options that give the same frames and saves the fastest;
`vcam run` and `vcam serve` then use it by default.

The file is JSON, one entry per (card, torch version, model, size, steps, dtype, quant, decoder, attention quant,
video in): another card or another torch build can change which kernels win, so an entry never carries over to
either. A file from before video in was part of the key reads as text only, which is what those tunes timed.
"""
from __future__ import annotations

import dataclasses
import datetime
import errno
import itertools
import json
import os
import secrets
import signal
import stat
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import torch

from vcam.bench.bench import BenchSettings, BenchTarget, bench, bench_target, check_fits, release_engines
from vcam.bench.cards import tuning_name
from vcam.bench.live_size import Rate
from vcam.engine.cachedir import cache_dir
from vcam.engine.configs import get_spec
from vcam.engine.device import device_unusable
from vcam.engine.speed import SpeedFlags, SpeedOptions, unused_compile_mode
from vcam.errors import VcamError
from vcam.live.signals import StoppedLoading, stop_said, stop_signal, stops_deferred, stops_raised
from vcam.words import counted

FILE_VERSION = 1
RETUNE = "delete it, then run `vcam bench --tune` once to measure this card again"

# After the live defaults (SpeedOptions.live_defaults), which lead since every other row is read against them: most
# promising first, so a --tune-budget that runs out still has measured the likely winners. Fused q/k/v is always on:
# on CUDA it is proven equal and never slower.
_CUDA_CANDIDATES: tuple[dict, ...] = (
    {},
    {"compile": True, "attention": "cudnn"},
    {"compile": True, "attention": "flash"},
    {"attention": "cudnn"},
    {"attention": "efficient"},
    # last: its warm-up autotunes every GEMM shape, minutes of a budget that the rows above measure first
    {"compile": True, "compile_mode": "max-autotune-no-cudagraphs"},
)
# The CPU runs only the tiny model (regressions, not speed claims); compile there takes longer than the whole run.
_CPU_CANDIDATES: tuple[dict, ...] = (
    {"attention": "math"},
    {"fuse": False},
    {"fuse": False, "attention": "math"},
)


def tuning_path() -> Path:
    """$VCAM_CACHE_DIR/tuning.json, else $XDG_CACHE_HOME/vcam/tuning.json, else ~/.cache/vcam/tuning.json."""
    return cache_dir() / "tuning.json"


def _warn_on_stderr(message: str) -> None:
    print(f"vcam: {message}", file=sys.stderr)


@dataclass(frozen=True)
class TuningKey:
    device: str  # the card's name ("NVIDIA H100 80GB HBM3"; a MIG slice's with its figures: cards.tuning_name) or "cpu"
    torch: str
    model: str
    width: int
    height: int
    steps: int
    dtype: str  # as torch names it: "bfloat16", "float32"
    quant: str
    decoder: str = "vae"  # changes the speed, so it keys the entry; named in the text only when not the VAE
    attention_quant: str = "none"  # the same: named in the text only when not "none"
    video_in: bool = False  # `--in`: a VAE encode per block, so a rate of its own; named in the text only when on

    @classmethod
    def of(cls, settings: BenchSettings) -> "TuningKey":
        """The key of what `bench` really runs for these settings (device, model and dtype after the defaults and
        the CPU fallback), so `vcam run` and `vcam bench --tune` find the same entry."""
        target = bench_target(settings, lambda message: None)
        # a MIG slice's entries apart from its whole card's, where its driver gives both one name
        device = tuning_name(target.device) if target.device.type == "cuda" else target.device_name
        return cls(device=device, torch=torch.__version__, model=target.model, width=target.width,
                   height=target.height, steps=settings.steps, dtype=target.dtype_name, quant=settings.speed.quant,
                   decoder=settings.speed.decoder, attention_quant=settings.speed.attention_quant,
                   video_in=settings.input)

    def picture(self) -> dict:
        """The options of the key that change the picture, by name: never chosen for the user, kept as asked."""
        return {"quant": self.quant, "decoder": self.decoder, "attention_quant": self.attention_quant}

    def text(self) -> str:
        """The entry's name in the file: readable, so a user can see what was tuned."""
        # the defaults' entries keep the text they had before these were options: old files still match
        return (f"{self.device} | torch {self.torch} | {self.model} | {self.width}x{self.height} | "
                f"{self.steps} steps | {self.dtype} | quant {self.quant}"
                + (f" | decoder {self.decoder}" if self.decoder != "vae" else "")
                + (f" | attention quant {self.attention_quant}" if self.attention_quant != "none" else "")
                + (" | video in" if self.video_in else ""))


def candidates(device: str | torch.device, quant: str, decoder: str = "vae",
               attention_quant: str = "none") -> list[SpeedOptions]:
    """The options worth timing on this kind of device, all giving the plain path's frames. `quant`, `decoder` and
    `attention_quant` stay as asked: they change the picture, so they are never picked on a user's behalf."""
    cuda = torch.device(device).type == "cuda"
    table = _CUDA_CANDIDATES if cuda else _CPU_CANDIDATES
    picture = {"decoder": decoder, "attention_quant": attention_quant}
    first = dataclasses.replace(SpeedOptions.live_defaults(on_gpu=cuda, quant=quant), **picture)
    rest = [SpeedOptions(quant=quant, **picture, **o) for o in table]
    return [first] + [o for o in rest if o != first]


@dataclass
class Trial:
    options: SpeedOptions
    frames_per_second: float | None = None
    error: str | None = None  # why it failed, as raised
    skipped: bool = False  # not run: the time budget was spent, or tuning stopped (TuneResult.untried says why)
    stopped: bool = False  # started, then stopped by Ctrl-C before its timing finished: not "not tried", as it was
    measured: str = ""  # the date of the stopped tune that timed it, where this one went on from that one's

    def to_dict(self) -> dict:
        data: dict = {"options": self.options.to_dict()}
        if self.frames_per_second is not None:
            data["frames_per_second"] = self.frames_per_second
        if self.measured:
            data["measured"] = self.measured
        if self.error is not None:
            data["error"] = self.error
        if self.skipped:
            data["skipped"] = True
        if self.stopped:
            data["stopped"] = True
        return data


@dataclass
class TuneResult:
    key: TuningKey
    trials: list[Trial]
    path: Path
    date: str
    best: Trial | None = None
    saved: bool = False
    blocks: int = 0
    warmup: int = 0
    interrupted: bool = False  # stopped by Ctrl-C (or a candidate by SIGTERM): the candidates after it were not tried
    stop_sig: int = signal.SIGINT  # with `interrupted`, the signal that stopped it (a candidate's SIGTERM, SIGHUP)
    untried: str = ""  # why the skipped candidates were not tried, said once under the table
    save_fix: str = ""  # what to do about a file that could not be written, where it could not
    # the entry saved is marked partial: told from what was saved, as a stop landing once it is written (as the save
    # returns) leaves the entry as it was written
    partial: bool = False

    def stopped_short(self) -> bool:
        """Stopped with candidates left untimed: what was measured is saved, marked so that a later tune at these
        settings times only the rest."""
        return self.interrupted and any(t.skipped or t.stopped for t in self.trials)

    def entry(self) -> dict:
        """What the tuning file keeps for this key."""
        assert self.best is not None
        return {**dataclasses.asdict(self.key), "options": self.best.options.to_dict(),
                "frames_per_second": self.best.frames_per_second, "date": self.date,
                "blocks": self.blocks, "warmup": self.warmup, "candidates": [t.to_dict() for t in self.trials],
                **({"partial": True} if self.stopped_short() else {})}

    def table(self) -> str:
        k = self.key
        lines = [(f"vcam bench --tune: {k.model} {k.width}x{k.height}, {counted(k.steps, 'step')}, {k.dtype}, "
                  f"quant {k.quant}{'' if k.decoder == 'vae' else ', decoder ' + k.decoder}"
                  f"{'' if k.attention_quant == 'none' else ', attention quant ' + k.attention_quant}"
                  f"{', video in' if k.video_in else ''}, on {k.device} "
                  f"(torch {k.torch})"),
                 f"  {'frames/s':>8s}  options"]
        top = max((t.frames_per_second for t in self.trials if t.frames_per_second is not None), default=None)
        # the rows in the noise rule's margin (_fastest): "fastest" on a slower row was not true
        kept = (f"   <- kept: no other is faster by more than {(MEANINGFUL_GAIN - 1) * 100:.0f} % (timing noise)"
                if self.best is not None and top is not None and self.best.frames_per_second < top
                else "   <- fastest")
        for t in self.trials:
            if t.frames_per_second is not None:
                mark = kept if t is self.best else ""
                earlier = f" (measured on {t.measured}, before a stop)" if t.measured else ""
                lines.append(f"  {t.frames_per_second:8.2f}  {t.options.describe()}{earlier}{mark}")
            elif t.stopped:
                # Ctrl-C may come during the timed blocks too, not only the warm-up
                lines.append(f"  {'-':>8s}  {t.options.describe()}: stopped ({stop_said(self.stop_sig)}) before its "
                             "timing finished")
            elif t.skipped:
                lines.append(f"  {'-':>8s}  {t.options.describe()}: not tried")
            else:
                first = (t.error or "").strip().splitlines()[0:1] or ["failed"]
                lines.append(f"  {'failed':>8s}  {t.options.describe()}: {first[0][:120]}")
        if (few := self.few_blocks()) is not None:
            lines.append(few)
        skipped = sum(t.skipped for t in self.trials)
        if skipped:  # once, where every untried row said it (and could not say which of the reasons it was)
            lines.append(f"{counted(skipped, 'candidate')} not tried: {self.untried or 'tuning stopped (see above)'}")
        if self.saved and self.best is not None:
            lines.append(f"saved to {self.path}: vcam run and vcam serve use "
                         f"{self.best.options.describe()} on this {'CPU' if k.device == 'cpu' else 'card'} "
                         "at these settings")
            if self.partial:
                lines.append(f"saved as partial: {PARTIAL_FIX}")
        else:
            lines.append(("stopped before any candidate finished: nothing saved" if self.interrupted
                          else "no candidate finished: nothing saved") if self.best is None
                         else f"not saved to {self.path} (see above)")
        return "\n".join(lines)

    def few_blocks(self) -> str | None:
        """What a pick among candidates timed on too few blocks is worth (`--blocks 1` picked a "fastest" from
        noise, unsaid); None where it is not."""
        if self.blocks >= TRUSTED_BLOCKS or sum(t.frames_per_second is not None for t in self.trials) < 2:
            return None
        return few_blocks_said(self.blocks)

    def to_json(self) -> str:
        return json.dumps({
            "key": dataclasses.asdict(self.key), "path": str(self.path), "saved": self.saved, "date": self.date,
            "partial": self.partial,
            "best": self.best.to_dict() if self.best else None, "blocks": self.blocks, "warmup": self.warmup,
            "candidates": [t.to_dict() for t in self.trials],
            # as the table says under it: a tool saw skipped candidates and a saved file, never that Ctrl-C cut it
            "interrupted": self.interrupted,
            # which stop it was, as the exit code says it (130 for Ctrl-C, 143 for SIGTERM): a service's stop is no
            # operator's Ctrl-C
            "stopped_by": stop_said(self.stop_sig) if self.interrupted else None,
            # a candidate stopped as it ran is no untried one: a Ctrl-C in the last leaves none to say why of
            "untried": (self.untried or None) if any(t.skipped for t in self.trials) else None,
            "warning": self.few_blocks(),
        }, indent=2)


# what a tune stopped with candidates left untimed says of its saved entry
PARTIAL_FIX = ("the candidates not timed are left out of the pick; run the same `vcam bench --tune` again to time "
               "only those")


def few_blocks_said(blocks: int, timed: str = "was timed") -> str:
    """The line for candidates each timed on `blocks` blocks, fewer than TRUSTED_BLOCKS."""
    return (f"each candidate {timed} on {counted(blocks, 'block')}, too few to tell a faster one from timing noise; "
            f"for a pick to keep, tune with --blocks {TRUSTED_BLOCKS} or more (the default is 8)")


# the fix for a tuning file (or its lock) that is another user's: not theirs to change
OTHERS_FIX = "set VCAM_CACHE_DIR to a folder of your own"


class _Unreadable(Exception):
    def __init__(self, why: str, fix: str = RETUNE):
        super().__init__(why)
        self.fix = fix


class _Refused(_Unreadable):
    """A file this user may not read (another user's, kept private): not a damaged one, and not this user's to keep
    aside or replace (its owner's shows read it where it is)."""


class _OthersFile(OSError):
    """A save refused as the tuning file is another user's to keep: `fix` says what to do (not "make the folder
    writable", which it is)."""
    fix = OTHERS_FIX


class _Newer(_Unreadable):
    """A file a newer vcam wrote: not used, and not this vcam's to replace (its tunings are whole for that one)."""


def _read_entries(path: Path) -> dict[str, dict]:
    """The file's entries; {} when there is no file; _Unreadable saying why when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except NotADirectoryError:  # deleting the tuning file, which is not there, would cure nothing
        raise _Unreadable("a file stands where its folder goes, on the path of VCAM_CACHE_DIR (or XDG_CACHE_HOME)",
                          "point VCAM_CACHE_DIR at a folder, or move that file out of the way") from None
    except PermissionError as e:
        raise _Refused(f"it cannot be read ({e.strerror or e}): another user's file, kept private?",
                       f"{OTHERS_FIX}, or ask its owner to make it readable (chmod a+r {path})") from None
    except OSError as e:
        raise _Unreadable(f"cannot read it ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise _Unreadable("not text") from None
    if not text.strip():  # said as "not valid JSON (Expecting value, line 1)", which sent the user looking for a typo
        raise _Unreadable("empty")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise _Unreadable(f"not valid JSON ({e.msg}, line {e.lineno})") from None
    if not isinstance(data, dict) or not isinstance(data.get("entries"), dict):
        raise _Unreadable("not a vcam tuning file (no entries)")
    version = data.get("version", FILE_VERSION)
    if isinstance(version, bool) or not isinstance(version, int):
        raise _Unreadable(f"not a vcam tuning file (version {version!r})")
    if version > FILE_VERSION:  # its entries may mean something else: read as this layout, they were trusted as-is
        raise _Newer(f"written by a newer vcam (layout {version}; this one reads {FILE_VERSION})",
                     "run the vcam that wrote it, or delete it and run `vcam bench --tune` once with this one")
    return data["entries"]


def _write_entries(path: Path, entries: dict[str, dict], written: list[Path] | None = None) -> None:
    """Adds `path` to `written` (where given) once the file is replaced, also where a stop lands as the replace
    returns: the file is saved, which the tune then says."""
    # Written beside the target and renamed over it: a show starting meanwhile reads the old file or the new one,
    # never half of one.
    path.parent.mkdir(parents=True, exist_ok=True)
    named: list[str] = []  # the new file's name, kept before it is made: a second stop as it is made leaves none
    replacing = False
    try:
        with _new_file_beside(path, named) as f:
            tmp = named[0]
            _keep_mode(path, tmp)
            json.dump({"version": FILE_VERSION, "entries": entries}, f, indent=2)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        replacing = True
        os.replace(tmp, path)
        if written is not None:
            written.append(path)
    except BaseException:
        if replacing and named and not os.path.lexists(named[0]):  # renamed: a stop landed as os.replace returned
            if written is not None and path not in written:
                written.append(path)
            raise
        for tmp in named:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        raise


def _new_file_beside(path: Path, named: list[str]) -> TextIO:
    """A new file in the tuning file's folder, made as any file is (0666 less the umask), its name put in `named`
    before it is made. mkstemp's is 0600: a show run by another user (a service sharing VCAM_CACHE_DIR) could not read
    it; and the umask cannot be read without being set, for every thread of the process, while it is read."""
    while True:
        tmp = str(path.parent / f".tuning-{secrets.token_hex(8)}.json.tmp")
        named[:] = [tmp]
        try:
            # "x": O_CREAT|O_EXCL. The file object owns the descriptor from inside open(): a stop as it returns drops
            # it, closing it once; none is closed by its number, which another file may have by then
            return open(tmp, "x", encoding="utf-8")
        except FileExistsError:
            named.clear()  # another's: not ours to remove
            continue


def _keep_mode(path: Path, tmp: str) -> None:
    """The old file's permissions on the new one, which replaces it: a file made readable to others stays so."""
    try:
        mode = path.stat().st_mode & 0o777
    except OSError:  # no file yet (or a link to none): the umask's
        return
    os.chmod(tmp, mode)


def lookup(device_name: str, model: str, width: int, height: int, steps: int, dtype: str, quant: str, *,
           torch_version: str | None = None, path: Path | None = None,
           warn: Callable[[str], None] = _warn_on_stderr, decoder: str = "vae",
           attention_quant: str = "none", video_in: bool = False) -> tuple[SpeedOptions, dict] | None:
    """The tuned options and their entry for exactly these settings, or None. A damaged file must not stop a show:
    it is reported through `warn` (with how to fix it) and treated as no tuning."""
    key = TuningKey(device_name, torch_version or torch.__version__, model, width, height, steps, dtype, quant,
                    decoder, attention_quant, video_in)
    found = _find([key], path or tuning_path(), warn)
    return None if found is None else found[:2]


def _find(keys: list[TuningKey], path: Path, warn: Callable[[str], None]
          ) -> tuple[SpeedOptions, dict, TuningKey] | None:
    """The tuned options and entry of the first of `keys` the file holds, and that key; the file read once, so a
    damaged one is said once."""
    try:
        entries = _read_entries(path)
        for key in keys:
            entry = entries.get(key.text())
            if entry is None:
                continue
            try:
                options = _entry_options(entry)
            except ValueError as e:
                raise _Unreadable(f"its entry for {key.text()} {e}") from None
            # these are part of the key, so this only undoes a hand edit: none of them is ever chosen for the user
            return dataclasses.replace(options, **key.picture()), entry, key
    except _Unreadable as e:
        warn(f"tuning file {path} is not used: {e}; running with the default speed options. fix: {e.fix}")
    return None


# Far past what any model here makes on any card, the tiny one included: a rate past it, like one that is not a
# number above 0, is a hand edit or a damaged file, not something bench measured.
MAX_FRAMES_PER_SECOND = 100_000.0


def _rate(entry: dict) -> float | None:
    """The entry's measured frames/s where it is one bench could have measured, else None. JSON takes Infinity and
    NaN, and a hand edit anything."""
    fps = entry.get("frames_per_second")
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 0 < fps <= MAX_FRAMES_PER_SECOND:
        return None  # NaN fails the comparison too
    return float(fps)


def _measured_problem(entry: dict) -> str | None:
    """What is wrong with what the entry says it measured (said as a show starts), where it is not what bench
    writes: a rate that is not frames/s (inf, NaN, negative, 1e308) or a date that is not text. None when fine."""
    if "frames_per_second" in entry and _rate(entry) is None:
        return f"frames_per_second {entry['frames_per_second']!r} is not a rate bench measures"
    if "date" in entry and not isinstance(entry["date"], str):
        return f"date {entry['date']!r} is not a date as bench writes it"
    return None


def _entry_options(entry) -> SpeedOptions:
    """The options of an entry a show can use; ValueError saying what makes the show refuse it otherwise (no
    options, options it cannot run, a measure bench does not write)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("options"), dict):
        raise ValueError("has no options")
    try:
        options = SpeedOptions.from_dict(entry["options"])
    except (ValueError, TypeError) as e:
        raise ValueError(f"is damaged ({e})") from None
    if (problem := _measured_problem(entry)) is not None:
        raise ValueError(f"is damaged ({problem})")
    return options


def _error_text(e: BaseException) -> str:
    text = str(e).strip()
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


@dataclass
class _Stop:
    """Why a tune tries no more candidates: by a stop signal (`interrupted`, with `sig`), or by the budget or a
    broken card (`stopped` alone); `untried` says which, once, under the table."""
    stopped: bool = False
    interrupted: bool = False
    sig: int = signal.SIGINT
    untried: str = ""

    def by_signal(self, stop: BaseException, trials: list[Trial], log: Callable[[str], None]) -> None:
        """What a stop anywhere in the loop leaves: the rest not tried, said once (a second press after the first
        one's line says nothing more), the rates measured kept."""
        if not self.interrupted:
            log(_stopped_line(trials))
            self.sig = stop_signal(stop)
            self.untried = self.untried or f"tuning was stopped ({stop_said(self.sig)})"
        self.stopped = self.interrupted = True

    def halt(self, why: str) -> None:
        """No candidate runs after this one, for `why` (the first reason said stays)."""
        self.stopped = True
        self.untried = self.untried or why


def tune(settings: BenchSettings, log: Callable[[str], None] = print, *, budget_s: float | None = None,
         path: Path | None = None, clock: Callable[[], float] = time.monotonic,
         written: list[Path] | None = None, fresh: bool = False) -> TuneResult:
    """Benchmarks every candidate for these settings (in place of their speed options), saves the fastest and
    returns the table. A failing candidate is recorded and skipped. With `budget_s`, no new candidate starts once
    that many seconds have gone by (after at least one has run). The file is added to `written` (where given) once
    it is saved: a stop landing after that, before this returns, leaves it saved, which the caller then says.
    With `fresh` (--retune), every candidate is timed, none kept from a stopped tune at these settings."""
    written = [] if written is None else written
    path = path or tuning_path()
    target, key, options = _candidates_for(settings, path, log)
    if settings.blocks < TRUSTED_BLOCKS and len(options) > 1:  # said before the minutes the candidates take
        log(few_blocks_said(settings.blocks, "is timed"))
    earlier = {} if fresh else _measured_before(path, key, settings, options, log)
    trials: list[Trial] = []
    stop = _Stop()
    try:
        # SIGTERM and SIGHUP raised as Ctrl-C is, in a candidate, as its engine is freed and between candidates
        # (their default ended the tuning without a word, nothing saved); a stop between candidates (as a line is
        # said, as the next one starts) is taken here, where it lost every rate measured
        with stops_raised():
            _time_candidates(settings, target, options, earlier=earlier, trials=trials, stop=stop, log=log,
                             budget_s=budget_s, clock=clock)
    except (KeyboardInterrupt, StoppedLoading) as e:
        stop.by_signal(e, trials, log)
        trials += [Trial(opt, skipped=True) for opt in options[len(trials):]]
    tuned = TuneResult(key=key, trials=trials, path=path, date=datetime.datetime.now().isoformat(timespec="seconds"),
                       best=_fastest(trials), blocks=settings.blocks, warmup=settings.warmup_blocks,
                       interrupted=stop.interrupted, untried=stop.untried, stop_sig=stop.sig)
    if tuned.best is not None:
        _save_tuned(tuned, log, written)
    return tuned


def _time_candidates(settings: BenchSettings, target: BenchTarget, options: list[SpeedOptions], *,
                     earlier: dict[SpeedOptions, Trial], trials: list[Trial], stop: _Stop,
                     log: Callable[[str], None], budget_s: float | None, clock: Callable[[], float]) -> None:
    """Adds a trial to `trials` for each of `options` in turn: timed, kept from `earlier`, or skipped once `stop`
    says so (or the budget is spent)."""
    start = clock()
    timed_here = 0
    for i, opt in enumerate(options, 1):
        if not stop.stopped and (budget_s is not None and clock() - start >= budget_s
                                 and any(t.frames_per_second for t in trials)):
            stop.halt(f"the time budget (--tune-budget {budget_s:g}) was spent")
        if stop.stopped:
            trials.append(Trial(opt, skipped=True))
            continue
        if opt in earlier:
            trials.append(earlier[opt])
            log(f"candidate {i}/{len(options)}: {opt.describe()}: {earlier[opt].frames_per_second:.2f} "
                f"frames/s, measured on {earlier[opt].measured}")
            continue
        timed_here += 1
        log(f"candidate {i}/{len(options)}: {opt.describe()}")
        _time_candidate(_candidate_settings(settings, target, opt, first=timed_here == 1), target, trials, stop, log)


def _time_candidate(settings: BenchSettings, target: BenchTarget, trials: list[Trial], stop: _Stop,
                    log: Callable[[str], None]) -> None:
    """Times the candidate `settings` holds and adds its trial to `trials`, then frees its engine. A stop or a
    failure is recorded in its trial (and `stop`), never raised: what was measured before it counts."""
    opt = settings.speed
    try:
        result = bench(settings, log)
    except (KeyboardInterrupt, StoppedLoading) as e:  # what was measured so far is worth keeping
        stop.by_signal(e, trials, log)
        trials.append(Trial(opt, stopped=True))
    except Exception as e:  # noqa: BLE001 - no kernel for this card, out of memory: the rest count
        trials.append(Trial(opt, error=_error_text(e)))
        log(f"  failed: {_error_text(e).splitlines()[0][:200]}")
        if device_unusable(target.device):
            log("  the GPU cannot run anything more in this process: the rest are not tried")
            stop.halt("the GPU could not run anything more in this process")
    else:
        trials.append(Trial(opt, frames_per_second=result.frames_per_second))
        log(f"  {result.frames_per_second:.2f} frames/s")
    finally:
        try:
            release_engines(target.device, opt.compile)
        except (KeyboardInterrupt, StoppedLoading) as e:  # freeing a compiled card's engine takes a while: what was
            # measured still counts
            stop.by_signal(e, trials, log)
        except Exception as e:  # noqa: BLE001 - a broken device; the measurements so far count
            log(f"  could not free the GPU memory ({_error_text(e).splitlines()[0][:200]})")
            stop.halt("the GPU memory could not be freed")


def _save_tuned(tuned: TuneResult, log: Callable[[str], None], written: list[Path]) -> None:
    """Saves the pick of `tuned` (which has one) to its file, saying in `tuned` whether it was saved, as partial, or
    what to do where it could not be."""
    path = tuned.path
    entry = tuned.entry()
    try:
        with stops_raised():  # SIGTERM, SIGHUP: their default ended the tune without a word, nothing saved
            _save_entry(path, tuned.key.text(), entry, log, written)
    except (KeyboardInterrupt, StoppedLoading) as stop:  # the exit code says the stop; saved or not, a line says
        # which (a Ctrl-C while another tune's save held the lock, or as the file was written, which then failed)
        sig = stop_signal(stop)
        if not tuned.interrupted:
            tuned.interrupted, tuned.stop_sig = True, sig
        log(f"stopped ({stop_said(sig)}) as the tuning was saved to {path}: saved all the same" if written else
            f"stopped ({stop_said(sig)}) before the tuning was saved to {path}: the table below is all there is")
    except OSError as e:  # its own fix where the errno alone does not tell (another user's file)
        tuned.save_fix = getattr(e, "fix", None) or save_fix(path, e.errno)
        log(f"could not save the tuning to {path} ({e}): the table below is all there is")
    tuned.saved = bool(written)
    tuned.partial = tuned.saved and entry.get("partial") is True


def _candidates_for(settings: BenchSettings, path: Path, log: Callable[[str], None]
                    ) -> tuple[BenchTarget, TuningKey, list[SpeedOptions]]:
    """The card and model `settings` run on, their tuning's key and the options to time, once the tuning file
    `path` can be written and the card can run them; StoppedBeforeCandidates for a stop signal meanwhile."""
    # a card's first look starts CUDA, seconds long: a Ctrl-C there left with exit code 130 and not a word, and a
    # SIGTERM (SIGHUP) at once by its default, without one
    try:
        with stops_raised():
            _check_writable(path)
            target = bench_target(settings, log)
            _check_quant(settings.speed.quant, target.device, target.dtype)
            _check_attention_quant(settings.speed.attention_quant, target.device, target.model)
            _check_room(target, settings)
            key = TuningKey.of(settings)
            options = candidates(target.device, settings.speed.quant, settings.speed.decoder,
                                 settings.speed.attention_quant)
    except (KeyboardInterrupt, StoppedLoading) as stop:
        raise StoppedBeforeCandidates(stop_signal(stop)) from None
    return target, key, options


def _measured_before(path: Path, key: TuningKey, settings: BenchSettings, options: list[SpeedOptions],
                     log: Callable[[str], None]) -> dict[SpeedOptions, Trial]:
    """The rates a tune at these settings measured before it was stopped (its entry saved as partial), by the
    candidate they are of: this tune times only the rest. {} where there is no such entry, or where its rates do not
    compare with this tune's (timed on other blocks), which is said."""
    try:
        entry = _read_entries(path).get(key.text())
    except _Unreadable:  # said where the tuning file is read for a show; this tune replaces it
        return {}
    if not isinstance(entry, dict) or entry.get("partial") is not True:
        return {}
    date, timed, kept = entry.get("date"), (entry.get("blocks"), entry.get("warmup")), entry.get("candidates")
    # a hand edit (`"candidates": 5` was a traceback, `"blocks": true` passed as --blocks 1): none of it is trusted
    if not (isinstance(date, str) and date and all(isinstance(n, int) and not isinstance(n, bool) for n in timed)
            and isinstance(kept, list)):
        log(f"the tuning at these settings in {path} is marked as stopped but does not say when, on which blocks "
            "or what it timed: every candidate is timed again")
        return {}
    if timed != (settings.blocks, settings.warmup_blocks):
        log(f"the tuning stopped on {date} timed each candidate on {_blocks_said(*timed)}, this one on "
            f"{_blocks_said(settings.blocks, settings.warmup_blocks)}: its rates do not compare, so every candidate "
            "is timed again")
        return {}
    found: dict[SpeedOptions, Trial] = {}
    for candidate in kept:
        try:
            opt = SpeedOptions.from_dict(candidate["options"])
        except (KeyError, TypeError, ValueError):  # a hand edit: that candidate is timed again
            continue
        if opt in options and (rate := _rate(candidate)) is not None:
            when = candidate.get("measured")
            found[opt] = Trial(opt, frames_per_second=rate, measured=when if isinstance(when, str) and when else date)
    if found:
        log(f"going on from the tuning stopped on {date}: {counted(len(found), 'candidate')} measured then "
            f"{'is' if len(found) == 1 else 'are'} kept, the rest are timed now (to time every one again, add "
            "--retune)")
    return found


def _blocks_said(blocks: int, warmup: int) -> str:
    return f"{counted(blocks, 'block')} after a warm-up of {counted(warmup, 'block')}"


def _candidate_settings(settings: BenchSettings, target: BenchTarget, opt: SpeedOptions, first: bool
                        ) -> BenchSettings:
    """`settings` as the candidate `opt` is benchmarked with, on the card and model `target` resolved them to."""
    # the warm-up's blocks as asked, and after the first candidate as run: `--warmup 1`'s why said once, not per
    # candidate
    return dataclasses.replace(settings, model=target.model, device=str(target.device), width=target.width,
                               height=target.height, speed=opt,
                               warmup=settings.warmup if first else settings.warmup_blocks)


class StoppedBeforeCandidates(KeyboardInterrupt):
    """A stop signal (`sig`: Ctrl-C, SIGTERM, SIGHUP) while tuning was set up (the card read, its room checked, the
    tuning's key made): no candidate ran."""

    def __init__(self, sig: int = signal.SIGINT):
        super().__init__(sig)
        self.sig = sig


def _stopped_line(trials: list[Trial]) -> str:
    """What a Ctrl-C during tuning is said as: saving what was measured, where anything was."""
    if any(t.frames_per_second is not None for t in trials):
        return "  stopped: the candidates measured so far are compared and saved"
    return "  stopped before any candidate finished: nothing to save"


def _check_quant(quant: str, device: torch.device, dtype: torch.dtype) -> None:
    """Refuses a precision the device (with the weights' `dtype`) cannot run before any candidate does: each failed
    on it in turn, and the run ended in "every candidate failed", never in what to do about the precision."""
    from vcam.engine.quant import require_fp8, require_nvfp4

    if quant == "fp8":
        require_fp8(device, dtype)
    elif quant == "nvfp4":
        require_nvfp4(device, dtype)


def _check_attention_quant(attention_quant: str, device: torch.device, model: str) -> None:
    """Refuses INT8 attention the device cannot run (no SageAttention, a card before Ampere) before any candidate
    does, as _check_quant does a precision: each candidate's load failed on it in turn."""
    from vcam.engine.attention import require_int8_attention
    from vcam.engine.configs import get_spec

    if attention_quant == "int8":
        require_int8_attention(device, get_spec(model).transformer.head_dim)


def _check_room(target: BenchTarget, settings: BenchSettings) -> None:
    """Refuses settings the card cannot hold even uncompiled (the least any candidate takes) before any candidate
    runs: each was refused in turn, its line cut before the fix that names what would fit, and the run ended in
    "every candidate failed". The compiled ones' more is theirs to fail on, as bench_engine checks each."""
    check_fits(get_spec(target.model), target,
                dataclasses.replace(settings, speed=dataclasses.replace(settings.speed, compile=False)))


# What the probe of the tuning file's folder writes: more than a file of many tunings takes.
PROBE_BYTES = 64 * 1024
# A write to a disk with no room left for it: none on the disk, none left in the user's quota.
NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def save_fix(path: Path, error: int | None) -> str:
    """What to do about a tuning file that could not be written for `error` (an errno): a full disk is not made
    writable by changing its permissions."""
    if error in NO_ROOM:
        return f"free space on the disk of {path.parent}, or set VCAM_CACHE_DIR to a folder on another disk"
    if error == errno.EPERM and _sticky_others(path):  # the folder is writable: only the other's file is not
        return f"{OTHERS_FIX} ({path} is another user's, in a sticky folder only its owner may replace it in)"
    return f"make {path.parent} writable, or set VCAM_CACHE_DIR to a folder that is"


def _make_folder(path: Path) -> None:
    """Makes the tuning file's folder; VcamError where a folder cannot be made there (VCAM_CACHE_DIR=/proc/x: /proc
    and /sys take none, nor a read-only disk), which was told to "make /proc/x writable", a folder that is not there
    and never can be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):  # a file on the path: said by the caller
        raise
    except OSError as e:
        if e.errno in NO_ROOM:
            raise
        missing = e.filename or path.parent
        fix = (f"create {missing} writable for this user, or set VCAM_CACHE_DIR to a folder this user can write"
               if e.errno == errno.EACCES else
               "set VCAM_CACHE_DIR to another folder, one this user can make or write (e.g. ~/.cache/vcam)")
        raise VcamError(f"cannot save the tuning to {path}: the folder {missing} cannot be made there "
                        f"({e.strerror or e})", fix + ", then tune") from None


def _check_writable(path: Path) -> None:
    """Refuses a tuning file that could not be saved before any candidate runs: on a card, tuning takes minutes that
    a folder nobody can write into would throw away at the end."""
    if path.is_dir() and not path.is_symlink():  # a link is renamed over like a file; a folder cannot be
        raise VcamError(f"cannot save the tuning to {path}: a folder stands where the file goes",
                        f"move {path} out of the way, or set VCAM_CACHE_DIR to another folder, then tune")
    try:
        _make_folder(path)
        # a stop (Ctrl-C, SIGTERM) as mkstemp returned, before the unlink was set to run, left the probe in the
        # cache folder: it waits for the probe to be gone
        with stops_deferred():
            fd, probe = tempfile.mkstemp(dir=path.parent, prefix=".tuning-", suffix=".probe")
            try:  # bytes too, not a name alone: a full disk still makes an empty file
                if os.write(fd, bytes(PROBE_BYTES)) < PROBE_BYTES:
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            finally:
                os.close(fd)
                os.unlink(probe)
    except (FileExistsError, NotADirectoryError):
        raise VcamError(f"cannot save the tuning to {path}: a file stands where its folder goes, on the path of "
                        "VCAM_CACHE_DIR (or XDG_CACHE_HOME)",
                        "point VCAM_CACHE_DIR at a folder, or move that file out of the way, then tune") from None
    except OSError as e:
        raise VcamError(f"cannot save the tuning to {path} ({e.strerror or e})",
                        save_fix(path, e.errno) + ", then tune") from None
    if _sticky_others(path):
        raise VcamError(f"cannot save the tuning to {path}: it is another user's file, in a folder only its owner "
                        f"may replace it in ({path.parent} is sticky, as /tmp is)",
                        f"{OTHERS_FIX}, then tune")
    _check_lock(path)
    try:
        _read_entries(path)
    except _Newer as e:  # replaced at the end as a damaged file would be, every tuning the newer vcam made was lost
        raise VcamError(f"cannot save the tuning to {path}: it was {e}, and replacing it would lose that vcam's "
                        "tunings",
                        "tune with the vcam that wrote it, or set VCAM_CACHE_DIR to another folder for this one") \
            from None
    except _Refused as e:  # taken for a damaged file, it was moved aside at the end: its owner's tunings out of use
        raise VcamError(f"cannot save the tuning to {path}: {e}", e.fix + ", then tune") from None
    except _Unreadable as e:  # damaged: replaced at the end, and said then; unless another user's (_keep_aside)
        if _others(path):
            raise VcamError(f"cannot save the tuning to {path}: it is damaged ({e}) and another user's, not this "
                            "one's to move aside", f"{OTHERS_FIX}, or ask its owner to mend or delete it, then tune") \
                from None


def _check_lock(path: Path) -> None:
    """Refuses a lock file this user cannot open before any candidate runs, as _check_writable does its folder."""
    if sys.platform == "win32":  # no lock taken there (_locked)
        return
    try:
        os.close(_open_lock(path))
    except OSError as e:
        raise VcamError(f"cannot save the tuning to {path}: {e.strerror}", lock_fix(path) + ", then tune") from None


def _save_entry(path: Path, name: str, entry: dict, log: Callable[[str], None],
                written: list[Path] | None = None) -> None:
    """Saves `entry` under `name`, and adds `path` to `written` (where given) once the file is replaced: a stop
    landing after the write (as the lock is let go, or on the way out of here) still finds it saved, where it said
    it was not."""
    # Locked from read to rename: two tunes ending together (one per card of a two-GPU machine) each keep their entry.
    # A Ctrl-C (the second, pressed while the first one's "saved" is written) or a SIGTERM waits for the write, not
    # for the lock: another tune's save stopped with Ctrl-Z holds it for as long as it likes.
    with _locked(path), stops_deferred():
        _write_entry(path, name, entry, log, written)


def _write_entry(path: Path, name: str, entry: dict, log: Callable[[str], None],
                 written: list[Path] | None = None) -> None:
    try:
        entries = _read_entries(path)
    except _Newer as e:  # written there while this tune ran (_check_writable refused it before)
        raise OSError(f"it was {e}: not replaced") from None
    except _Refused as e:  # made unreadable while this tune ran: left where its owner's shows read it
        raise _OthersFile(errno.EACCES, f"{e}; not replaced") from None
    except _Unreadable as e:
        kept = _keep_aside(path)
        log(f"replacing the unreadable tuning file {path} ({e})"
            + (f"; it is kept as {kept}, where its other entries can be mended by hand" if kept else ""))
        entries = {}
    entries[name] = entry
    _write_entries(path, entries, written)


def _keep_aside(path: Path) -> Path | None:
    """Keeps the unreadable tuning file under a free name beside it (tuning.json.bak, else .bak.1, ...): one stray
    comma made the file unreadable, and replacing it dropped every other card's tunings. None when it is gone."""
    for n in itertools.count():
        kept = path.with_name(f"{path.name}.bak" + (f".{n}" if n else ""))
        try:  # a second name: the file stays in place (and keeps its permissions) until the new one replaces it
            os.link(path, kept)
            return kept
        except FileExistsError:
            continue
        except FileNotFoundError:
            return None
        except OSError as e:  # no hard links on this disk, or another user's file: moved aside instead
            _check_own(path, e)
            return _move_aside(path, kept)
    raise AssertionError("unreachable")


def _others(path: Path) -> bool:
    """Whether `path` is another user's file (False where there is none, or no owners: Windows)."""
    try:
        return hasattr(os, "geteuid") and path.stat().st_uid != os.geteuid()
    except OSError:
        return False


def _sticky_others(path: Path) -> bool:
    """Whether `path` is another user's file in a sticky folder (mode 1777, as /tmp) not this user's: only the file's
    owner, the folder's or root may replace it there, so the save's rename over it fails (EPERM)."""
    if not hasattr(os, "geteuid") or os.geteuid() == 0:
        return False
    me = os.geteuid()
    try:
        folder, file = os.stat(path.parent), os.lstat(path)  # the link itself is what the rename replaces
    except OSError:
        return False
    return bool(folder.st_mode & stat.S_ISVTX) and folder.st_uid != me and file.st_uid != me


def _check_own(path: Path, error: OSError) -> None:
    """OSError where `path` is another user's: renamed aside in a folder both may write, it was gone from the place
    its owner's shows read it. The save fails instead, and says why."""
    if _others(path):
        raise _OthersFile(error.errno, "the unreadable file is another user's, not this one's to move aside "
                                       f"({error.strerror or error})") from None


def _move_aside(path: Path, kept: Path) -> Path | None:
    while True:
        try:  # the name is taken first, so that no earlier copy is renamed over
            os.close(os.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            break
        except FileExistsError:
            kept = kept.with_name(f"{kept.name}.1")
    try:
        os.replace(path, kept)
    except FileNotFoundError:
        kept.unlink()
        return None
    except OSError as e:  # the save fails instead: its table is still shown, and the file keeps what it holds
        kept.unlink()
        raise OSError(e.errno, f"the unreadable file could not be kept aside ({e.strerror or e})") from None
    return kept


def lock_path(path: Path) -> Path:
    """The file beside the tuning file whose lock keeps two tunes from saving at once."""
    return path.with_name(path.name + ".lock")


def _open_lock(path: Path) -> int:
    """A descriptor on the tuning file's lock file (made where there is none), for the caller to close; OSError
    naming the lock file where it cannot be opened. Another user's tune made it as the umask has it (0644): opened
    for writing, it refused every other user's save once their tune had run. flock takes an exclusive lock through
    a descriptor opened for reading all the same (NFS, which wants one open for writing, is asked that first)."""
    lock = lock_path(path)
    try:
        try:
            return os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)
        except PermissionError:
            return os.open(lock, os.O_RDONLY)
    except OSError as e:
        raise OSError(e.errno, f"its lock file {lock} cannot be opened ({e.strerror or e})") from None


def lock_fix(path: Path) -> str:
    """What to do about a lock file this user cannot open (another user's, made under a umask like 077)."""
    # not "delete it": a tune may hold it that moment, and in a sticky folder (/tmp) only its owner can
    return f"{OTHERS_FIX}, or ask the owner of {lock_path(path)} to make it readable"


@contextmanager
def _locked(path: Path):
    """Holds an exclusive lock on a file beside `path` (where the OS has flock; elsewhere tunes are not serialised)."""
    try:
        import fcntl
    except ImportError:  # Windows
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = _open_lock(path)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            locked = True
        except OSError:  # a file system without locks (or NFS refusing one on a read-only open): saved all the same
            locked = False
        try:
            yield
        finally:
            if locked:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


MEANINGFUL_GAIN = 1.03  # a candidate must beat the defaults by this much to be chosen over them
# fewer timed blocks than this per candidate: one block's time swings by more than MEANINGFUL_GAIN, so which candidate
# is fastest may be noise (the table, --json and the tune's first line say so)
TRUSTED_BLOCKS = 3


def _fastest(trials: list[Trial]) -> Trial | None:
    """The fastest candidate; the first (what a show runs untuned) unless another is faster by more than timing
    noise, so a close call keeps the path every show takes. Where the first failed (compiling, on a machine that
    cannot), the eager one is the reference instead, under the same rule."""
    ran = [t for t in trials if t.frames_per_second is not None]
    if not ran:
        return None
    best = max(ran, key=lambda t: t.frames_per_second)
    first = trials[0].options
    eager = SpeedOptions(quant=first.quant, decoder=first.decoder, attention_quant=first.attention_quant)
    base = next((t for t in [trials[0]] + [t for t in trials if t.options == eager]
                 if t.frames_per_second is not None), None)
    if base is not None and best.frames_per_second < MEANINGFUL_GAIN * base.frames_per_second:
        return base
    return best


@dataclass(frozen=True)
class SpeedChoice:
    """The options a live show uses, where they came from, and the line that tells the user (None: say nothing)."""

    options: SpeedOptions
    source: str  # "flags", "tuned" or "defaults"
    message: str | None = None
    entry: dict | None = field(default=None, repr=False)


def choose_speed(key: TuningKey, flags: SpeedFlags, *, use_tuning: bool = True,
                 path: Path | None = None, warn: Callable[[str], None] = _warn_on_stderr) -> SpeedChoice:
    """Options given by hand win (over the live defaults, never mixed with a tuning); else the tuning for exactly
    these settings on this card (for a show with video in and no tuning with it, the one without: the same options
    give the same frames, only the rate differs); else the live defaults (SpeedOptions.live_defaults)."""
    defaults = dataclasses.replace(SpeedOptions.live_defaults(on_gpu=key.device != "cpu", quant=key.quant,
                                                              random_weights=get_spec(key.model).random_weights),
                                   **key.picture())
    if flags:
        options = flags.over(defaults)
        notes = ["FP8 is no faster than bf16 without compiling (BENCHMARKS.md)"
                 if options.quant == "fp8" and not options.compile else None,
                 unused_compile_mode(flags.compile_mode, options.compile)]
        note = "".join(f"; {n}" for n in notes if n)
        return SpeedChoice(options, "flags", f"speed: {options.describe()} (as given){note}")
    if use_tuning:
        keys = [key] + ([dataclasses.replace(key, video_in=False)] if key.video_in else [])
        found = _find(keys, path or tuning_path(), warn)
        if found is not None:
            options, entry, tuned = found
            date = str(entry.get("date", "?"))[:10]
            fps = _rate(entry)  # checked in _find: a rate, or none kept
            measured = f": {fps:.1f} frames/s in bench" if fps is not None else ""
            how = "" if not key.video_in else " with video in" if tuned.video_in else " without video in"
            return SpeedChoice(options, "tuned", f"speed: tuned on {date}{how} ({options.describe()}{measured})"
                                                 f"{_doubt_note(entry, tuned)}",
                               entry)
    if key.device == "cpu":  # tiny on a CPU: nothing worth tuning for
        return SpeedChoice(defaults, "defaults")
    said = f"speed: {defaults.describe()} (the defaults"
    if not use_tuning:
        return SpeedChoice(defaults, "defaults", f"{said}, --no-tuning)")
    return SpeedChoice(defaults, "defaults", f"{said}; run `{tune_command(key)}` once to pick the fastest "
                                             "settings for this card)")


def _doubt_note(entry: dict, key: TuningKey) -> str:
    """What a saved pick is worth where it may not be one to keep, said as each show runs it with the one command
    that measures it: a stopped tune's untimed candidates may be faster, and candidates timed on too few blocks
    (`--blocks 1`) cannot be told from timing noise. The tune's own table said so once, then every show ran the pick
    as if it were measured whole."""
    blocks, candidates = entry.get("blocks"), entry.get("candidates")
    listed = candidates if isinstance(candidates, list) else []
    few = (not isinstance(blocks, bool) and isinstance(blocks, int) and 0 < blocks < TRUSTED_BLOCKS
           and sum(isinstance(c, dict) and "frames_per_second" in c for c in listed) >= 2)
    noise = f"timed on {counted(blocks, 'block')} each, too few to tell a faster one from timing noise" if few else ""
    default = BenchSettings()
    if entry.get("partial") is not True:
        return (f"; picked from candidates {noise}: run `{tune_command(key)}` ({default.blocks} blocks each) for a "
                "pick to keep") if few else ""
    untimed = sum(isinstance(c, dict) and (c.get("skipped") is True or c.get("stopped") is True) for c in listed)
    said = f"; from a stopped tune, {counted(untimed, 'candidate') if untimed else 'some candidates'} untimed"
    # the command said keeps the rates measured only where the stopped tune timed on its blocks and warm-up; on
    # others it times every candidate again
    if (blocks, entry.get("warmup")) == (default.blocks, default.warmup_blocks):
        return f"{said}: run `{tune_command(key)}` to time them"
    return (f"{said}{f', the others {noise}' if few else ''}: run `{tune_command(key)}` ({default.blocks} blocks "
            "each) to time every one again")


def tune_command(key: TuningKey) -> str:
    """The `vcam bench --tune` that measures this key, bench's defaults left out: a plain one measures the model's
    own size in bf16, which a show sized into FP8 or given another size never finds."""
    spec = get_spec(key.model)
    flags = [("--model", key.model, key.model == BenchSettings.model),
             ("--size", f"{key.width}x{key.height}", (key.width, key.height) == (spec.width, spec.height)),
             ("--steps", str(key.steps), key.steps == BenchSettings.steps),
             ("--quant", key.quant, key.quant == "none"),
             ("--decoder", key.decoder, key.decoder == "vae"),
             ("--attention-quant", key.attention_quant, key.attention_quant == "none")]
    return " ".join(["vcam bench --tune"] + [f"{flag} {value}" for flag, value, default in flags if not default]
                    + (["--in"] if key.video_in else []))


def live_choice(model: str, width: int, height: int, steps: int, quant: str | None, flags: SpeedFlags, *,
                use_tuning: bool = True, warn: Callable[[str], None] = _warn_on_stderr, adapt: bool = False,
                path: Path | None = None, decoder: str = "vae", attention_quant: str = "none",
                video_in: bool = False) -> SpeedChoice:
    """The speed options of a show: by hand, else tuned for this card at these settings, else the defaults.
    Keyed by the device and dtype `vcam.load` picks (bf16 on CUDA), as `vcam bench --tune` keys what it measured,
    and, with `adapt`, by the size and quantization the memory plan will run on this card (`quant` None: not
    given, so "none" unless only FP8 fits)."""
    from vcam.engine.memory import planned_settings

    # planned as `load` will plan it: with the show's decoder and compiling (the memory either takes), the tuning
    # not yet known, so the defaults under the flags
    planned = flags.over(dataclasses.replace(SpeedOptions.live_defaults(
        on_gpu=torch.cuda.is_available(), random_weights=get_spec(model).random_weights), decoder=decoder))
    width, height, quant = planned_settings(model, width, height, quant or "none", adapt, planned)
    key = TuningKey.of(BenchSettings(model=model, width=width, height=height, steps=steps, input=video_in,
                                     speed=SpeedOptions(quant=quant, decoder=decoder,
                                                        attention_quant=attention_quant)))
    return choose_speed(key, flags, use_tuning=use_tuning, path=path, warn=warn)


def measured_rates(device_name: str, model: str, steps: int, dtype: str = "bfloat16", *,
                   torch_version: str | None = None, path: Path | None = None, decoder: str = "vae",
                   attention_quant: str = "none", compiled: bool | None = None,
                   video_in: bool = False) -> dict[tuple[int, int, str], Rate]:
    """Frames/s that `vcam bench --tune` measured on this card (and torch, model, steps, dtype, decoder, attention
    precision, with or without video in), by (width, height, quant): what the live size choice trusts over a
    prediction, each with what to doubt about it. `compiled` given: only entries whose fastest options compile
    (True) or do not (False). {} when there is no file or it is unreadable."""
    version = torch_version or torch.__version__
    try:
        entries = _read_entries(path or tuning_path())
    except _Unreadable:
        return {}  # lookup() says so when the show looks up its speed options
    rates = {}
    for entry in entries.values():
        try:
            _entry_options(entry)
        except ValueError:  # refused as the show's own would be (lookup): the show would run the defaults instead
            continue
        fps = _rate(entry)
        # an entry from before the decoder (the attention precision, video in) was part of the key decoded with the
        # VAE (attended in SDPA, timed text only)
        same = (entry.get("device"), entry.get("torch"), entry.get("model"), entry.get("steps"), entry.get("dtype"),
                entry.get("decoder", "vae"), entry.get("attention_quant", "none"), entry.get("video_in", False)) \
            == (device_name, version, model, steps, dtype, decoder, attention_quant, video_in)
        if compiled is not None and bool(entry["options"].get("compile")) != compiled:
            continue
        if same and fps is not None and isinstance(entry.get("width"), int) and isinstance(entry.get("height"), int):
            quant = str(entry.get("quant", "none"))
            key = TuningKey(device_name, version, model, entry["width"], entry["height"], steps, dtype, quant,
                            decoder, attention_quant, video_in)
            doubt = _doubt_note(entry, key).removeprefix("; ")
            rates[(entry["width"], entry["height"], quant)] = Rate(fps, measured=True, doubt=doubt)
    return rates
