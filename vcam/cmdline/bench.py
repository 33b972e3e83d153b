"""`vcam bench`: the streaming loop timed on random weights, or with --tune every speed option timed and the
fastest saved for this card."""
from __future__ import annotations

import importlib
import signal
import sys
from dataclasses import replace
from pathlib import Path

from vcam.cmdline.errorlines import READER_GONE, missing_extra, said_as_json, stdout_to_null
from vcam.cmdline.parser import asks_json
from vcam.cmdline.play import check_compile_mode
from vcam.engine.speed import SpeedOptions, unused_compile_mode
from vcam.errors import VcamError, raised_by_vcam
from vcam.live.signals import StoppedLoading, stop_code, stop_said, stop_signal, stops_held, stops_raised
from vcam.stdio import LEFT_AT_ONCE


def cmd_bench(args) -> int:
    """The bench; with --json a failure is also a JSON object on stdout, so a tool reading it gets a reason
    rather than nothing (stderr and the exit code stay as without --json)."""
    if not args.json:
        try:
            return _bench(args, print)
        except _Stopped as stopped:
            return stopped.said()
    printed = []

    def out(text: str) -> None:
        printed.append(text)
        try:
            print(text, flush=True)  # flushed here, where the pipe's end is seen, not as Python ends
        except BrokenPipeError:
            stdout_to_null()
            raise _ReaderGone() from None

    try:
        code = _bench(args, out)
    except _ReaderGone:  # its reader took what it wanted (`| head -c0`): nothing to say, as a pipe's writer says
        return READER_GONE
    except _Stopped as stopped:  # in the words stderr has: loading stopped is not a timing stopped
        if not printed:
            said_as_json(stopped.said_as_json())
        return stopped.said()
    except KeyboardInterrupt:  # outside the loading, the timing (the card read for --compile's default included) and
        # tuning's set-up, where no line says it: a tool still reads an object, and the exit code says the rest
        if not printed:
            said_as_json(STOPPED)
        raise
    except Exception as e:
        if not printed:  # a tuning result already printed stays the one object on stdout
            said_as_json(failure(e))
        raise
    return code  # each of _bench's returns printed its result first, an interrupted one included


def loading_stopped(sig: int) -> str:
    """The words of a stop signal while bench loaded, before any block was timed."""
    return f"loading stopped ({stop_said(sig)}) before the timing began: no result"


def timing_stopped(sig: int) -> str:
    """The words of a stop signal once bench loaded, before its timing finished."""
    return f"stopped ({stop_said(sig)}) before the timing finished: no result"


LOADING_STOPPED = loading_stopped(signal.SIGINT)
TIMING_STOPPED = timing_stopped(signal.SIGINT)
STOPPED = {"error": TIMING_STOPPED}


def stopped_at_start(argv: list[str]) -> int:
    """A Ctrl-C before the command began (vcam's modules loading, its line read): `vcam bench --json`'s reader gets
    the object a later stop gives (it got nothing, which is no JSON), said on stderr too; any other command leaves
    without a word, nothing begun. The exit code of a Ctrl-C."""
    if argv[:1] == ["bench"] and asks_json(argv[1:]):
        said_as_json({"error": LOADING_STOPPED})
        _Stopped(LOADING_STOPPED).said()
    return LEFT_AT_ONCE


class _Stopped(Exception):
    """A stop (`sig`) before there was a result: its `words`, which stderr says (with a `hint`) and --json's object
    too; with `named`, that object names the signal as `stopped_by`, as a tune's result does."""

    def __init__(self, words: str, hint: str = "", sig: int = signal.SIGINT, named: bool = False,
                 saved: bool | None = None):
        super().__init__(words)
        self.words, self.hint, self.sig, self.named, self.saved = words, hint, sig, named, saved

    def said_as_json(self) -> dict[str, str | bool]:
        """--json's object for this stop; a tune's says whether its file was saved (`saved`), as its result does."""
        said: dict[str, str | bool] = {"error": self.words}
        if self.named:
            said["stopped_by"] = stop_said(self.sig)
        if self.saved is not None:
            said["saved"] = self.saved
        return said

    def said(self) -> int:
        """Says it on stderr; the exit code of its signal (130 for Ctrl-C, 143 for SIGTERM)."""
        print(f"vcam: {self.words}{self.hint}", file=sys.stderr)
        return stop_code(self.sig)


class _ReaderGone(Exception):
    """Stdout's reader closed it as the result was written."""


def failure(error: BaseException) -> dict[str, str]:
    """The JSON object for a bench that failed: vcam's own message and fix (a missing extra's, and a check's
    ValueError, as stderr says them), or the unexpected error's name."""
    if isinstance(error, ImportError):
        error = missing_extra("bench", error) or error
    if isinstance(error, VcamError):
        return {"error": error.message, "fix": error.fix} if error.fix else {"error": error.message}
    if isinstance(error, ValueError) and raised_by_vcam(error):
        return {"error": str(error)}
    return {"error": f"{error.__class__.__name__}: {error}"}


def _bench(args, out) -> int:
    try:
        _refuse_at_once(args)  # before PyTorch's import: a refusal waited its seconds, a cold one's many more
    except KeyboardInterrupt:  # it left with exit code 130 and not a word, or --json's object a timing stopped
        raise _Stopped(LOADING_STOPPED) from None

    def left(sig: int) -> int:  # SIGTERM, SIGHUP: the process leaves from inside the import, its stop said first
        stopped = _Stopped(loading_stopped(sig), sig=sig)
        if args.json:  # where no line is printed yet: the import comes before any
            said_as_json({"error": stopped.words})
        return stopped.said()

    # PyTorch's import: seconds in which a Ctrl-C could abort the process, and SIGTERM ended it without a word
    try:
        with stops_held(left):
            importlib.import_module("vcam.bench.bench")
    except StoppedLoading as stopped:  # Ctrl-C, held to the import's end: said as `vcam run` says its loading stopped
        raise _Stopped(loading_stopped(stopped.sig), sig=stopped.sig) from None

    # SIGTERM, SIGHUP raised as a stop from here to the result's last line: their default ended the command without
    # a word wherever a step's own handling does not reach (the settings built, the tune entered), --json's stdout
    # empty
    written: list[str] = []

    def out_kept(text: str) -> None:
        written.append(text)  # before: a stop as it is written finds the result (some of it) already out
        out(text)

    # Ctrl-C too, where no step's own handling reaches: it left with exit code 130 and not a word, --json's object
    # saying a timing stopped (a tune's without `stopped_by`), where a SIGTERM at the same point is said
    try:
        with stops_raised():
            return _measure(args, out_kept)
    except (StoppedLoading, KeyboardInterrupt) as stopped:
        sig = stop_signal(stopped)
        if written:  # the result stands: "before any candidate ran" or "no result" under it contradicted it
            raise _Stopped(f"stopped ({stop_said(sig)}) after the result was written", sig=sig,
                           named=bool(args.tune)) from None
        if args.tune:
            raise _before_candidates(sig) from None
        raise _Stopped(timing_stopped(sig), sig=sig) from None


def _measure(args, out) -> int:
    from vcam.bench.bench import BenchSettings, StoppedAfterTiming, bench  # imported under stops_held

    width, height = args.size or (None, None)
    log = (lambda msg: print(f"vcam: {msg}", file=sys.stderr)) if args.json else (lambda msg: print(f"vcam: {msg}"))
    speed = SpeedOptions(fuse=args.fuse, compile=bool(args.compile), attention=args.attention, quant=args.quant,
                         decoder=args.decoder, compile_mode=args.compile_mode or "default",
                         attention_quant=args.attention_quant)
    settings = BenchSettings(model=args.model, width=width, height=height, steps=args.steps, blocks=args.blocks,
                             warmup=args.warmup, dtype=args.dtype, speed=speed, device=args.device,
                             input=args.video_in, bias=args.bias, split=args.split)
    if args.tune:
        return _tune(args, settings, log, out)
    try:
        if args.compile is None:
            settings = replace(settings, speed=replace(speed, compile=_live_compile(settings)))
        unused = unused_compile_mode(args.compile_mode, settings.speed.compile)
        if unused:  # said, and left out of the result, which names what ran
            log(unused)
            settings = replace(settings, speed=replace(settings.speed, compile_mode="default"))
        result = bench(settings, log=log)
    except StoppedAfterTiming as stopped:  # the timing was thrown away and said as never finished
        log(f"stopped ({stop_said(stopped.sig)}) during the profiler split: the timing below is whole, the split "
            "left out")
        out(stopped.result.to_json() if args.json else stopped.result.table())
        return stop_code(stopped.sig)
    except KeyboardInterrupt:  # it left with exit code 130 and not a word
        raise _Stopped(TIMING_STOPPED, "; --blocks N and --warmup N make a shorter run") from None
    out(result.to_json() if args.json else result.table())
    return 0


def _refuse_at_once(args) -> None:
    """VcamError for options that cannot go together, ValueError for a model vcam does not know: what the command
    line alone shows cannot run."""
    from vcam.engine.configs import get_spec  # light: no PyTorch

    get_spec(args.model)
    if not args.tune:
        check_compile_mode(args)
        if args.tune_budget is not None:
            raise VcamError("--tune-budget only applies to a tuning run", "add --tune, or leave out --tune-budget")
        if args.retune:
            raise VcamError("--retune only applies to a tuning run", "add --tune, or leave out --retune")
        return
    if args.bias != 1.0:
        raise VcamError("--bias times one run; --tune picks speed options at bias 1 (a show keeps them at any bias)",
                        "leave out --bias with --tune, or --tune with --bias")
    if args.split:
        raise VcamError("--split profiles one run; --tune times many", "leave out --split with --tune")
    compile_flag = "--compile" if args.compile else "--no-compile"
    by_hand = [flag for flag, given in ((compile_flag, args.compile is not None), ("--no-fuse", not args.fuse),
                                        ("--attention", args.attention != "auto"),
                                        ("--compile-mode", args.compile_mode is not None)) if given]
    if by_hand:
        raise VcamError(f"--tune tries the speed options itself; {', '.join(by_hand)} would be ignored",
                        f"leave out {', '.join(by_hand)} (--quant and --attention-quant stay as given: neither is "
                        "ever chosen for you)")


def _before_candidates(sig: int) -> _Stopped:
    """A stop while tuning was set up, in the words of its signal (every one was said as a Ctrl-C)."""
    return _Stopped(f"stopped ({stop_said(sig)}) before any candidate ran", sig=sig, named=True)


def _live_compile(settings) -> bool:
    """Whether a show at these settings compiles when not told (SpeedOptions.live_defaults)."""
    from vcam.bench.bench import bench_target
    from vcam.engine.configs import get_spec

    target = bench_target(settings, lambda message: None)
    return SpeedOptions.live_defaults(on_gpu=target.device.type == "cuda",
                                      random_weights=get_spec(target.model).random_weights).compile


def _tune(args, settings, log, out) -> int:
    try:
        from vcam.bench.tuning import StoppedBeforeCandidates, tune
    except KeyboardInterrupt:  # a SIGTERM's StoppedLoading is _bench's to say, in the same words
        raise _before_candidates(signal.SIGINT) from None
    result = None
    written: list[Path] = []  # the tuning file once saved: a stop after that, before tune returned, leaves it saved
    try:
        result = tune(settings, log=log, budget_s=args.tune_budget, written=written, fresh=args.retune)
        out(result.to_json() if args.json else result.table())
    except StoppedBeforeCandidates as stop:
        raise _before_candidates(stop.sig) from None
    except (StoppedLoading, KeyboardInterrupt) as stop:  # as the fastest is picked, as the result is said (tune()
        # takes a stop during and between candidates, and as the tuning is saved)
        sig = stop_signal(stop)
        if result is None:
            raise _Stopped(f"stopped ({stop_said(sig)}) as the tuning went on: "
                           + (f"it is saved to {written[0]}" if written else "nothing saved"), sig=sig,
                           named=True, saved=bool(written)) from None
        raise _Stopped(f"stopped ({stop_said(sig)}) as the tuning's result was said"
                       + (f"; it is saved to {written[0]}" if written else ""), sig=sig, named=True,
                       saved=bool(written)) from None
    if result.saved:  # what was measured before a Ctrl-C is saved, but the run was stopped: `&&` and set -e stop too
        return stop_code(result.stop_sig) if result.interrupted else 0
    if result.save_fix:  # measured, but the file could not be written: said above with the reason
        raise VcamError(f"the fastest options were measured but could not be saved to {result.path}",
                        result.save_fix + ", then tune again")
    if result.interrupted:  # Ctrl-C before any candidate finished, or before the save: nothing failed
        return stop_code(result.stop_sig)
    raise VcamError("every candidate failed, so nothing was saved",
                    "see each candidate's error above; `vcam bench` with one of them shows the whole error")
