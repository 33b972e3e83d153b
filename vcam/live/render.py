"""`vcam render LOG`: a show made again from its control log, offline, as fast as the model goes.

The log is read and checked whole first; then the engine loads with the settings the show started with (or a
larger size, more steps, another model or precision for a finer final render), the stream applies every logged
change before the block the show applied it before (the generator's own timetable), and every frame it makes is
written once, in order, to each file at the show's frame rate: no pacer, no loading card, no frames repeated
while the model was slow. With the same model, size, steps and precision the frames are those the show generated.

What a render cannot make again: a live input (a camera, a laptop's uploads) is gone once the show is over, so
the blocks that restyled one render text only (said at the start); a clip or an image is read again by block
position and renders exactly. The screen's freeze and blackout are applied to the frames after the one the
camera showed when they came (a freeze holds that one), as the audience saw them; in a log from before vcam kept
that frame, from the block they were logged at.
"""
from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from vcam import filelock
from vcam.control.actions import STREAM_ACTIONS, Action, SetInput, SetScreen, SetSteps, apply, prompts_of
from vcam.control.log import AtFrame, Replay, replay_to_make
from vcam.errors import NonFiniteBlockError, VcamError, one_line
from vcam.inspec import parse_input
from vcam.live.frames import fit
from vcam.live.inputs import InputSwitch, check_logged_inputs
from vcam.live.outputs.base import Output, open_output, said_by
from vcam.live.outputs.paths import check_outputs, given_output
from vcam.live.outputs.recording import Recording, check_path
from vcam.live.outputs.diskerrors import disk_refusal
from vcam.live.producer import Timetable, seed_after_non_finite
from vcam.progress import Progress, clock_time
from vcam.live.screen import Screen
from vcam.live.settings import (RunOptions, ShowSettings, as_logged, check_logged_quant, logged_model, resolve,
                                unlike_the_show, unnamed_model)
from vcam.live.signals import (StopEvent, StoppedLoading, StopSignals, stop_code, stop_on_signals, stop_said,
                               stop_signal, stops_held, stops_raised)
from vcam.outspec import parse_spec, rate_said
from vcam.targets import replaced_file
from vcam.words import counted, shell_word

if TYPE_CHECKING:
    from vcam.bench.tuning import SpeedChoice

RENDERABLE = ("file", "null")  # outputs that take every frame at any speed


@dataclass
class RenderOptions:
    """What `vcam render` was given; None means "as the show had it"."""

    log: str
    outs: list[str]
    model: str | None = None
    weights: str | None = None
    size: tuple[int, int] | None = None
    steps: int | None = None  # every block's steps, the show's changes of steps included
    quant: str | None = None
    decoder: str | None = None
    attention_quant: str | None = None
    fps: float | None = None
    fit: str | None = None
    blocks: int | None = None  # render only the first N blocks (a log without its end line needs it)
    tuning: bool = True
    status_out: object = None  # where progress and messages go (default: stderr)


@dataclass(frozen=True)
class Rendered:
    blocks: int  # blocks rendered
    total: int  # blocks the log asked for
    frames: int  # frames made (each output holds them all, unless it failed)
    fps: float
    interrupted: bool  # stopped by Ctrl-C (or SIGTERM): what was rendered is kept
    seconds: float  # how long rendering took, loading not counted
    stopped: tuple[str, ...] = ()  # files stopped short (disk full or lost) while the render went on to the others
    stopped_by: int = signal.SIGINT  # where `interrupted`: the signal that stopped it

    @property
    def stop_code(self) -> int:
        """The exit code of a render stopped short (`interrupted`): the signal's, as a shell gives it (130 for
        Ctrl-C, 143 for SIGTERM), since its files are incomplete."""
        return stop_code(self.stopped_by)


@dataclass(frozen=True)
class _Plan:
    """Everything checked before anything opens: a mistake here costs a second, not a model load."""

    replay: Replay
    model: str
    cfg: ShowSettings
    speed: SpeedChoice
    total: int
    fixed_steps: bool  # --steps given: the show's changes of steps are rendered at it too
    run_opts: RunOptions


def render(opts: RenderOptions, extra: Sequence[Output] = (),
           on_block: Callable[[int], None] | None = None) -> Rendered:
    """Renders the log into every --out and into `extra` (outputs of the caller's, sent the frames at the show's
    size). `on_block(blocks_done)` is called after each block. Ctrl-C stops after the block in progress (again:
    at once); the files are closed properly either way and hold every frame made until then. A file whose disk
    fills holds the frames before it and is stopped, the render going on into the others (`Rendered.stopped`)."""
    out = opts.status_out or sys.stderr
    say = _sayer(out)
    progress: Progress | None = None
    failed = False
    stopped_files = _StoppedFiles(say)
    inputs: InputSwitch | None = None
    plan: _Plan | None = None
    # From PyTorch's import to the render's own handlers (that take over with no instant between), SIGTERM and SIGHUP
    # raise (the model's load cannot poll an event): their default ended the render at once, exit code 143 and no word
    raising = ExitStack()
    handlers = ExitStack()  # the render's own, from the model's load to its last block
    try:
        plan = plan_render(opts, say, raising)
        outputs = _open_outputs(plan.cfg)
    except (StoppedLoading, KeyboardInterrupt) as stopped:  # nothing is open: said as a stop while the model loads
        raising.close()
        if plan is None and isinstance(stopped, KeyboardInterrupt):  # the log still read
            raise
        return _stopped_opening(stopped, plan, say)
    except BaseException:
        raising.close()
        if plan is not None:
            _say_kept(plan.cfg, [], say)
        raise
    try:  # from here a stop closes the outputs opened and puts the handlers back
        try:
            # set by the first Ctrl-C: it ends a clip's wait for its file exported again too, which held the stop
            # for minutes
            stop = StopEvent()
            # a clip's lines (exported again, waited for) through the progress line while it shows, as a stopped
            # file's are: said plainly, each was written on the end of that line on a terminal
            inputs = InputSwitch(plan.cfg.width, plan.cfg.height, plan.cfg.input_fit,
                                 lambda text: stopped_files.say(text), fps=plan.cfg.fps, offline=True, stop=stop)
            inputs.open(plan.cfg.input)
            stream, stopped_by = _load(plan, inputs, say), signal.SIGINT
            signals = handlers.enter_context(stop_on_signals(stop, raising))
        except StoppedLoading as stopped:
            stream, stopped_by = None, stopped.sig
        finally:
            raising.close()
        if stream is None:  # stopped while the model loaded: no block was made
            result = Rendered(0, plan.total, 0, plan.cfg.fps, True, 0.0, stopped_by=stopped_by)
        else:
            try:
                _say_rendering(plan, stream, opts.log, say)
                progress = Progress(plan.total, out)
                stopped_files.say = progress.say
                sinks = [(o, size) for o, size in outputs] + [(o, (plan.cfg.width, plan.cfg.height)) for o in extra]
                result = _render_blocks(plan, stream, sinks, _input_opener(inputs), progress, on_block, stopped_files,
                                        signals)
            except KeyboardInterrupt:  # Ctrl-C again before the blocks began: at once, said as a stop before them
                result = Rendered(0, plan.total, 0, plan.cfg.fps, True, 0.0, stopped_by=signal.SIGINT)
    except BaseException:
        failed = True
        raise
    finally:
        handlers.close()
        if progress is not None:
            try:
                progress.done()
            except OSError:  # the terminal is gone: the files must still get their ends (the next write raises it)
                pass
        stopped_files.say = say
        try:  # after a failure, that failure is the render's error: the files' own are said
            _close_all([o for o, _ in outputs if not stopped_files.stopped_at(o)], say if failed else None)
        finally:
            if inputs is not None:
                inputs.close()
            if failed:  # the start said each would be replaced: the error that follows does not say it was not
                _say_kept(plan.cfg, [o for o, _ in outputs], say)
                # what each file holds, said before the error: after a full disk, each holds frames of its own
                _say_files([o for o, _ in outputs], plan.cfg.fps, stopped_files, say, begun_only=True)
    _report(result, [o for o, _ in outputs], stopped_files, say)
    return result


def _stopped_opening(stopped: StoppedLoading | KeyboardInterrupt, plan: _Plan | None,
                     say: Callable[[str], None]) -> Rendered:
    """A render stopped before its outputs were open (those opened are closed), said as a stop while the model
    loads: Ctrl-C as the outputs opened ended with 130 and no word."""
    sig = stop_signal(stopped)
    if plan is None:
        return _stopped_before_blocks(stopped.blocks or 0, 0.0, sig, say)
    _say_kept(plan.cfg, [], say)
    return _stopped_before_blocks(plan.total, plan.cfg.fps, sig, say)


def _say_rendering(plan: _Plan, stream, log: str, say: Callable[[str], None]) -> None:
    say(f"rendering {counted(plan.total, 'block')} of {log}: {plan.model} at {stream.settings.width}x"
        f"{stream.settings.height}, {counted(plan.cfg.steps, 'step')}, {rate_said(plan.cfg.fps)} fps")


def _stopped_before_blocks(total: int, fps: float, sig: int, say: Callable[[str], None]) -> Rendered:
    """The result of a render stopped by `sig` before its first block, said as every such stop is."""
    result = Rendered(0, total, 0, fps, True, 0.0, stopped_by=sig)
    _report(result, [], _StoppedFiles(say), say)
    return result


def _say_kept(cfg: ShowSettings, opened: list[Output], say: Callable[[str], None]) -> None:
    """After a render that failed: each file the start said would be replaced, and that was never begun, is said
    kept, by the name the start said it by (`replaced_file`: /dev/stdout's file, where `>` left an older one).
    `opened`: the outputs made so far, in the order of `cfg.outs` (a file not made yet was not touched)."""
    for i, spec in enumerate(cfg.outs):
        if spec.kind != "file" or not spec.target:
            continue
        output = opened[i] if i < len(opened) else None
        if output is not None and not getattr(output, "kept_older", False):
            continue
        if (older := replaced_file(spec.target)) is not None:
            say(f"{older}: nothing written (the older file there is kept as it was)")


def _load(plan: _Plan, inputs: InputSwitch, say: Callable[[str], None]):
    """The stream the render makes its blocks with; None where Ctrl-C came while the model loaded, which ended the
    render without a word (the start may have said a file would be replaced, and it was not)."""
    from vcam.live.streamopen import stream_opener

    try:
        return stream_opener(plan.run_opts, plan.model, plan.cfg, plan.speed, _prompts(plan), inputs, say)(
            lambda message: None)  # vcam.load says its steps on stderr itself
    except KeyboardInterrupt:
        return None


def _close_all(outputs: list[Output], say: Callable[[str], None] | None = None) -> None:
    """Closes every output, each whatever the others did (a recording whose disk filled as it closed must not leave
    the next file without its end); the first failure is raised once all are closed, or each is said with `say`."""
    failure: Exception | None = None
    for output in outputs:
        try:
            output.close()
        except Exception as e:
            if say is not None:
                say(f"closing {output.name} failed: {one_line(e)}")
            failure = failure or e
    if failure is not None and say is None:
        raise failure


def plan_render(opts: RenderOptions, say: Callable[[str], None], raising: ExitStack | None = None) -> _Plan:
    """Reads and checks the whole log, the outputs and the inputs it names; resolves the settings (the command line
    over the log's header) and the speed options; says once what the render will not make as the show did. With
    `raising`, from PyTorch's import on SIGTERM and SIGHUP raise StoppedLoading (stops_raised, entered into it for
    the caller to close once its first block begins)."""
    if opts.weights is not None:  # said first: the folder is the same whatever the log holds
        from vcam.engine.configs import MODELS
        from vcam.engine.weight_files import from_folder

        # a model given is known before the log: tiny's missing files are not told krea-14b's fix
        from_folder(opts.weights, MODELS.get(opts.model or ""))
    replay = replay_to_make(opts.log, "render", say)
    total = _total(replay, opts, say)
    header = replay.header
    _check_outputs(opts.outs)
    # the show's decoder and attention made the show's pictures: each given is said (_differences)
    quant, decoder, attention_quant = as_logged(header, opts.log, opts.quant, opts.decoder, opts.attention_quant)

    # PyTorch's import: seconds in which a Ctrl-C could abort the process, and SIGTERM ended it without a word
    def left(sig: int) -> int:  # SIGTERM: the process leaves at once, said as render() says a stop before a block
        return _stopped_before_blocks(total, 0.0, sig, say).stop_code

    try:
        with stops_held(left):
            from vcam.engine.load import choose_model
        if raising is not None:  # their default, from here to the model's load, ended the render without a word
            raising.enter_context(stops_raised())
        try:
            return _planned(opts, say, replay, total, (quant, decoder, attention_quant), choose_model)
        except KeyboardInterrupt:  # Ctrl-C as the model is chosen: said as later (it ended with 130, no word)
            raise StoppedLoading(signal.SIGINT) from None
    except StoppedLoading as stopped:
        stopped.blocks = total  # said as a stop before the first of them
        raise


def _planned(opts: RenderOptions, say: Callable[[str], None], replay: Replay, total: int,
             precision: tuple[str | None, str, str], choose_model) -> _Plan:
    """plan_render's part once PyTorch is imported: the model, the settings and the speed options."""
    header = replay.header
    quant, decoder, attention_quant = precision
    from vcam.engine.configs import get_spec
    from vcam.engine.speed import SpeedFlags

    model = choose_model(logged_model(header, opts.log, opts.model), say, opts.weights)
    if (unnamed := unnamed_model("rendering", header, opts.log, opts.model, model)) is not None:
        say(unnamed)
    check_logged_quant(opts.log, opts.quant, quant, model, opts.attention_quant, attention_quant)
    spec = get_spec(model)
    from vcam.engine.taehv_weights import check_taehv

    # the log's decoder where none was given
    check_taehv(decoder, opts.weights, at_random=spec.builds_at_random(opts.weights))
    run_opts = RunOptions(model=model, weights=opts.weights, size=opts.size, steps=opts.steps, outs=list(opts.outs),
                          fps=opts.fps, fit=opts.fit, quant=quant, decoder=decoder, attention_quant=attention_quant,
                          replay=opts.log, stdin=False, tuning=opts.tuning)
    cfg = resolve(run_opts, None, header, (spec.width, spec.height), own_size_only=spec.random_weights)
    cfg = _without_live_input(cfg, replay, total, say)
    _check_clips(opts.log, cfg, replay, total)
    _check_written(opts, cfg, replay, total, say)
    for note in _differences(opts, header, model, cfg, quant, decoder, attention_quant, replay, total):
        say(note)
    from vcam.bench.tuning import live_choice

    speed = live_choice(model, cfg.width, cfg.height, cfg.steps, quant, SpeedFlags(), use_tuning=opts.tuning,
                        warn=say, adapt=cfg.adapt, decoder=decoder, attention_quant=attention_quant,
                        video_in=cfg.input != "none")
    if speed.message:
        say(speed.message)
    return _Plan(replay, model, cfg, speed, total, opts.steps is not None, run_opts)


def _total(replay: Replay, opts: RenderOptions, say: Callable[[str], None]) -> int:
    """The blocks to render: where the show ended, or --blocks."""
    end = replay.end_block
    if end is None and opts.blocks is None:
        blocks = [block for block, _ in replay.actions] + [change.block for change in replay.at_frames]
        # a log of no change said "its last change is at block 0"
        last = f"its last change is at block {max(blocks)}" if blocks else "it logs no change after its start"
        if filelock.written_now(opts.log):  # it said the show "did not end cleanly" of a show still on air
            raise VcamError(f"{opts.log} is being written by a show on air now: it has no end line yet",
                            f"render it once that show has ended, or give --blocks N to render its first N blocks "
                            f"({last})")
        raise VcamError(f"{opts.log} has no end line (the show did not end cleanly), so where the show ended is "
                        "not known", f"give --blocks N to render its first N blocks ({last})")
    if opts.blocks is None:
        return end
    if end is not None and opts.blocks > end:
        which = "it is" if end == 1 else f"all {end} are"
        say(f"{opts.log} holds only {counted(end, 'block')}: {which} rendered (--blocks {opts.blocks} asks for more)")
        return end
    return opts.blocks


def _check_outputs(outs: list[str]) -> None:
    if not outs:
        raise VcamError("vcam render needs somewhere to write", "add --out file:show.mp4")
    for text in outs:
        spec = parse_spec(text)
        if spec.kind not in RENDERABLE:
            raise VcamError(f"vcam render writes files; --out {text} plays in real time",
                            f"use --out file:PATH.mp4 here; to play the log into {spec.kind} as the show went, "
                            f"run vcam run --replay LOG --out {shell_word(text)}")


def _check_written(opts: RenderOptions, cfg: ShowSettings, replay: Replay, total: int,
                   say: Callable[[str], None]) -> None:
    """Every file is one that can be recorded to, neither the log, a clip the show restyled nor another --out
    (live/outputs/paths.py); each that replaces an older file is said."""
    writes = [given_output(spec) for spec in cfg.outs if spec.kind == "file"]
    clips = [("the show's input", cfg.input)] + [
        (f"the input at block {block}", a.spec) for block, a in _actions(replay, total) if isinstance(a, SetInput)]
    reads = [("the control log", opts.log)] + [
        (f"{what} ({spec})", parse_input(spec).target) for what, spec in clips
        if parse_input(spec).kind in ("file", "image")]
    # a disk's fix says to render elsewhere, as it does once the render has begun
    check_outputs(cfg.outs, writes, reads, say, check_file=lambda spec: check_path(spec.target, verb="render"))


def _actions(replay: Replay, total: int) -> list[tuple[int, Action]]:
    """The logged actions the render reaches (those before its last block)."""
    return [(block, action) for block, action in replay.actions if block < total]


def _without_live_input(cfg: ShowSettings, replay: Replay, total: int, say: Callable[[str], None]) -> ShowSettings:
    """A live input (camera, net) cannot be had again: its blocks render text only, said once here."""
    starts_live = parse_input(cfg.input).live
    blocks = [block for block, a in _actions(replay, total) if isinstance(a, SetInput) and parse_input(a.spec).live]
    if not starts_live and not blocks:
        return cfg
    where = ", ".join(["the start"] * starts_live + [f"block {b}" for b in blocks[:5]]) + \
        (f" and {len(blocks) - 5} more" if len(blocks) > 5 else "")
    say(f"the show restyled a live input (camera or uploads) from {where}: it is not recorded, so those blocks "
        "render text only (a file: or image: input renders exactly)")
    return replace(cfg, input="none") if starts_live else cfg


def _check_clips(log: str, cfg: ShowSettings, replay: Replay, total: int) -> None:
    """Every clip and image the show restyled opens now, not after the model loaded."""
    check_logged_inputs(log, [("the show's input", cfg.input)] + [
        (f"the input at block {block}", a.spec) for block, a in _actions(replay, total) if isinstance(a, SetInput)])


def _differences(opts: RenderOptions, header: dict, model: str, cfg: ShowSettings, quant: str | None,
                 decoder: str, attention_quant: str, replay: Replay, total: int) -> list[str]:
    """What differs from the show, said once: the pictures are not the show's at another size, steps, model,
    precision, decoder or attention; an old log keeps no frame rate."""
    unlike = unlike_the_show("rendering", header, model, cfg, quant, decoder, attention_quant)
    notes = [unlike] if unlike else []
    steps_changes = sum(isinstance(a, SetSteps) for _, a in _actions(replay, total))
    if opts.steps is not None and steps_changes:
        are = "is" if steps_changes == 1 else "are"
        notes.append(f"--steps {opts.steps}: the show's {counted(steps_changes, 'change')} of steps {are} rendered "
                     f"at {counted(opts.steps, 'step')} too")
    if "fps" not in header and opts.fps is None:
        notes.append(f"{opts.log} does not keep the show's frame rate (an older log): rendering at "
                     f"{rate_said(cfg.fps)} fps (--fps sets it)")
    return notes


def _open_outputs(cfg: ShowSettings) -> list[tuple[Output, tuple[int, int]]]:
    """Every --out at its size (the show's unless it says @WxH); those opened are closed if one fails."""
    opened: list[tuple[Output, tuple[int, int]]] = []
    try:
        for spec in cfg.outs:
            size = (spec.width or cfg.width, spec.height or cfg.height)
            output = open_output(spec, *size, cfg.fps)
            if isinstance(output, Recording):  # its disk's fix at the close says to render elsewhere
                output.verb = "render"
            opened.append((output, size))
    except BaseException:
        for output, _ in opened:
            output.close()
        raise
    return opened


def _input_opener(inputs: InputSwitch) -> Callable[[str], object]:
    """Opens what a logged `input` names; a live input renders text only (said at the start)."""
    def open_input(spec: str):
        return inputs.open("none" if parse_input(spec).live else spec)

    return open_input


class _ScreenState:
    screen = "live"


def _render_blocks(plan: _Plan, stream, sinks: list[tuple[Output, tuple[int, int]]], open_input,
                   progress: Progress, on_block: Callable[[int], None] | None, stopped_files: _StoppedFiles,
                   signals: StopSignals) -> Rendered:
    """The blocks, each after the changes due before it, every frame to every sink once. The first Ctrl-C (or
    SIGTERM) sets `signals.stop`, which stops after the block in progress, except the first, whose frames would
    begin the files; a KeyboardInterrupt (a second Ctrl-C) stops at once. A file whose disk fills is stopped where
    other outputs keep the frames (`stopped_files`); the last one's full disk is the render's error."""
    stop = signals.stop
    table = Timetable()
    for block, action in _actions(plan.replay, plan.total):
        table.add(block, action)
    state = _ScreenState()
    screen = Screen(state)
    after = _ScreenChanges(plan.replay.at_frames, state)
    frames = blocks = 0
    started = time.monotonic()
    try:
        while blocks < plan.total and not stop.is_set():
            for action, _ in table.due(blocks):
                _apply(stream, action, open_input, state, plan.fixed_steps, blocks, progress.say)
            made = _next_block(stream, blocks, frames, progress.say)
            if stop.is_set() and not frames:  # stopped while the first block was made (a model compiling):
                break  # no file is begun, so an older one is kept, as the start said Ctrl-C would
            for index, frame in enumerate(made):
                shown = screen.apply(frame)
                for output, size in sinks:
                    if not stopped_files.stopped_at(output):  # not fitted for a file that is stopped
                        stopped_files.send(output, sinks, fit(shown, *size, plan.cfg.fit), frames, blocks)
                frames += 1
                after.frame_done(blocks, index)
            after.frame_done(blocks, None)  # a frame the show had and this model's block has not
            blocks += 1
            progress.update(blocks, frames)
            if on_block is not None:
                on_block(blocks)
    except KeyboardInterrupt:
        stop.set()
    return Rendered(blocks, plan.total, frames, plan.cfg.fps, blocks < plan.total and stop.is_set(),
                    time.monotonic() - started, tuple(getattr(o, "path", o.name) for o in stopped_files.stopped),
                    stopped_by=signals.first or signal.SIGINT)  # no signal: a KeyboardInterrupt, Ctrl-C's


class _ScreenChanges:
    """The screen's changes logged with the frame on screen then, each made once that frame is written."""

    def __init__(self, changes: list[AtFrame], state: _ScreenState):
        self._waiting = sorted((c for c in changes if isinstance(c.action, SetScreen)), key=lambda c: c.frame)
        self.state = state

    def frame_done(self, block: int, index: int | None) -> None:
        """Frame `index` of `block` is written (None: the block is done)."""
        while self._waiting and (self._waiting[0].frame[0] < block or self._waiting[0].frame[0] == block and (
                index is None or self._waiting[0].frame[1] <= index)):
            self.state.screen = self._waiting.pop(0).action.mode


def _next_block(stream, block: int, frames: int, say: Callable[[str], None]):
    try:
        try:
            return stream.next_block()
        except NonFiniteBlockError:  # as a show does: black from here to the end otherwise; once more fails
            seed = seed_after_non_finite(stream.settings.seed)
            say(f"block {block} came out NaN or infinite (an overflow in the model); thrown away, the stream starts "
                f"over there from a fresh first block with seed {seed}, as a show's does")
            stream.set_seed(seed)
            stream.reset()
            return stream.next_block()
    except Exception as e:  # what was made before it stays in the files, which are closed on the way out
        kept, up_to = _kept_up_to(block, frames)
        if _ran_out_of_memory(e):  # running again would run out again: PyTorch's paragraph named no way out
            from vcam.engine.memory import out_of_memory_fix, out_of_memory_said

            raise VcamError(f"block {block} failed: {out_of_memory_said(e, stream.device)}; {kept}",
                            f"{out_of_memory_fix(stream.device, stream.engine.speed.quant)}{up_to}") from None
        if isinstance(e, NonFiniteBlockError):  # again on a fresh stream and the next seed: running again would too
            quant = stream.engine.speed.quant
            fix = f"give --quant none ({quant} overflowed)" if quant != "none" else \
                "render on the card the show was made on: here a fresh stream on the next seed overflowed too"
            raise VcamError(f"block {block} failed ({e}), twice; {kept}", f"{fix}{up_to}") from None
        raise VcamError(f"block {block} failed ({e.__class__.__name__}: {e}); {kept}",
                        f"run the render again (VCAM_DEBUG=1 shows the whole error){up_to}") from e


def _kept_up_to(block: int, frames: int) -> tuple[str, str]:
    """What a render that failed in block `block` keeps (`frames` made before it), and how a render stops short of
    that block (nothing where the first failed: --blocks takes 1 or more)."""
    if not frames:
        return "no frame was made", ""
    kept = f"the {counted(frames, 'frame')} made before it {'is' if frames == 1 else 'are'} kept"
    return kept, f"; --blocks {block} renders up to it" if block else ""


class _FileStopped(VcamError):
    """A file whose disk refused a frame (full, the file at its size limit, or the disk lost), raised once the file is
    closed and what it holds counted."""

    def __init__(self, output: Output, what: str, held: str, room_fix: str, block: int):
        super().__init__(f"{what} while {said_by(output)} was written, at block {block}; {held}",
                         room_fix + (f"; --blocks {block} renders up to it" if block else ""))
        self.output, self.what, self.room_fix, self.block = output, what, room_fix, block


def _send(output: Output, frame: np.ndarray, frames: int, block: int, say: Callable[[str], None]) -> None:
    """A frame to a file; a disk that refuses it (full, the file at its size limit, or the disk lost) closes the
    file (its partial fragment cut) and raises _FileStopped with the frames it holds and what to do, where it was
    Python's "[Errno 28] No space left on device" or "[Errno 5] Input/output error" with the file's name. `say` gets
    a failure to close it: the refused write is what is said."""
    try:
        output.send(frame, frames)
    except OSError as e:
        path = getattr(output, "path", output.name)
        room = disk_refusal(e, path, "render")
        if room is None:
            raise
        _close_all([output], say)
        held = getattr(output, "frames", frames)  # a recording's, once closed: its whole fragments
        kept = f"it holds {counted(held, 'frame')}, which play" if held else "it holds no frame"
        raise _FileStopped(output, room.happened, kept, room.fix, block) from None


class _StoppedFiles:
    """The files a render stopped as their disk refused a frame (full, or lost), while other outputs took the frames
    on: a second file on another disk was lost with the one that stopped, and none said what it held. `say` is where
    each is said."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self._stopped: list[tuple[Output, int, str]] = []  # each with its block and what happened

    @property
    def stopped(self) -> list[Output]:
        return [output for output, _, _ in self._stopped]

    def stopped_at(self, output: Output) -> tuple[int, str] | None:
        """(block, what happened) where `output` was stopped; None where it goes on."""
        return next(((block, what) for o, block, what in self._stopped if o is output), None)

    def send(self, output: Output, sinks: list[tuple[Output, tuple[int, int]]], frame: np.ndarray, frames: int,
             block: int) -> None:
        """`frame` to `output`, unless it was stopped; where its disk refuses it (full, or lost), it is stopped and
        said, and the render goes on where another output keeps the frames (null keeps none); the last one's is the
        error."""
        if self.stopped_at(output):
            return
        try:
            _send(output, frame, frames, block, self.say)
        except _FileStopped as e:
            self._stopped.append((output, block, e.what))
            going_on = [said_by(o) for o, _ in sinks
                        if not self.stopped_at(o) and not getattr(o, "never_behind", False)]
            if not going_on:
                raise
            self.say(f"{e.message}; the render goes on into {', '.join(going_on)} without it; {e.room_fix}, then "
                     "render it again")


def _ran_out_of_memory(error: Exception) -> bool:
    from vcam.engine.device import ran_out_of_memory  # the model is loaded: torch is there already

    return ran_out_of_memory(error)


def _prompts(plan: _Plan) -> list[str]:
    """Every prompt the log puts on air, encoded before a card short of memory moves the text encoder to the CPU."""
    texts = [text for _, a in _actions(plan.replay, plan.total) for text in prompts_of(a)]
    return list(dict.fromkeys(texts))


def _apply(stream, action: Action, open_input, state: _ScreenState, fixed_steps: bool, block: int,
           say: Callable[[str], None]) -> None:
    """One logged change, as the show's generator applied it (a change that fails is said, and the render goes
    on, as the show did); the screen's changes go to the frames, the tempo's and quit leave the render alone."""
    if isinstance(action, SetScreen):
        state.screen = action.mode
        return
    if not isinstance(action, STREAM_ACTIONS) or (fixed_steps and isinstance(action, SetSteps)):
        return
    try:
        apply(stream, action, open_input)
    except Exception as e:
        say(f"the change at block {block} was not applied ({e.__class__.__name__}: {e})")


def _report(result: Rendered, outputs: list[Output], stopped_files: _StoppedFiles, say: Callable[[str], None]) -> None:
    """What each file holds, and how the render went."""
    if not result.interrupted:
        head = f"rendered {counted(result.blocks, 'block')}"
    else:  # a script or a service manager sees the exit code; the operator, that the video ends short of the show
        why = f"({stop_said(result.stopped_by)}; exit code {result.stop_code})"
        if result.blocks:
            head = (f"stopped after block {result.blocks} of {result.total} {why}: the render is incomplete, each "
                    "file holds the blocks before the stop")
        else:
            first = f"the first of {result.total} blocks" if result.total != 1 else "its one block"
            head = f"stopped before {first} {why}: nothing was rendered"
    rate = f" in {clock_time(result.seconds)} ({result.frames / result.seconds:.1f} frames/s)" \
        if result.seconds > 0 and not result.interrupted else ""
    say(f"{head}{rate}")
    _say_files(outputs, result.fps, stopped_files, say, result.frames)


def _say_files(outputs: list[Output], fps: float, stopped_files: _StoppedFiles, say: Callable[[str], None],
               made: int | None = None, begun_only: bool = False) -> None:
    """A line for each file: the frames it holds (`made` where it does not count them), and where it was stopped
    short. `begun_only`: only those that hold frames (after a failure, the others are said kept or not at all)."""
    for output in outputs:
        held = getattr(output, "frames", made)
        if not isinstance(held, int) or begun_only and not held:
            continue
        where = said_by(output)
        kept = " (the older file there is kept as it was)" if getattr(output, "kept_older", False) else ""
        line = (f"{where}: {held} frames, {held / fps:.2f} s at {rate_said(fps)} fps" if held else
                f"{where}: nothing written{kept}")
        if stopped := stopped_files.stopped_at(output):
            line += f"; STOPPED at block {stopped[0]}: {stopped[1]}"
        say(line)


def _sayer(out) -> Callable[[str], None]:
    def say(text: str) -> None:
        print(f"vcam: {text}", file=out, flush=True)

    return say
