"""`vcam run` (and `vcam serve`): a show on this machine's model. Settings are resolved first, outputs open next
(showing a loading card), then the model loads and goes on air.

Data flows one way: controls (stdin, MIDI, show file, replayed log) → controller → producer thread → pacer
(steady ticks) → one worker thread per output (live/onair.py runs that loop, shared with `vcam cam`).

What the start checks is in showreads.py and showwrites.py (the files a show reads, and those it writes), the
control log's file in logfile.py, the parts besides the model (MIDI, OSC, tempo, quantizer, cues) in parts.py, the
show file's watcher in showwatch.py, the size and precision it starts at in startsize.py, a replay's start in
replaystart.py, and the model's stream in streamopen.py; what a consumer attached to the show (vcam serve's server)
does is in attachment.py.
"""
from __future__ import annotations

import datetime
import os
import signal
import stat
import sys
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from vcam.control.console import null_stdin
from vcam.control.controller import Controller, ShowState
from vcam.control.log import ControlLog, Replay
from vcam.control.media import FLAG as MEDIA_FLAG, MediaFolders
from vcam.control.midiinput import EarlyInput
from vcam.control.prompter import Prompter
from vcam.control.show import Show, load_show
from vcam.errors import VcamError, one_line
from vcam.inspec import DEFAULT_STRENGTH, parse_input, respaced_fix
from vcam.live.attachment import Attach, Attachment, attached
from vcam.live.fallbacks import FallbackImages
from vcam.live.heap import HeapTrimmer
from vcam.live.inputs import InputSwitch, LiveFrames
from vcam.live.logfile import LogFile, open_log
from vcam.live.model_feed import PAUSED_S, ModelFeed, NeverOnAir
from vcam.live.pacer import Pacer
from vcam.live.onair import AirSettings, OnAir
from vcam.live.outputs import show_ender
from vcam.live.outputs.paths import OlderTakes
from vcam.live.parts import (MapRead, cue_list, early_midi, make_osc_parts, make_quantizer, make_tempo, midi_setup,
                             read_osc_map)
from vcam.live.producer import Generator
from vcam.live.replaystart import InputsAhead, check_replayed_inputs, replayed
from vcam.live.screen import Screen
from vcam.live.signals import StoppedLoading, StopsBefore, stop_code, stop_said, stops_held
from vcam.live.settings import (RunOptions, ShowSettings, as_logged, check_logged_quant, chosen_outs, logged_model,
                                resolve, unlike_the_show, unnamed_model)
from vcam.live.showreads import fallbacks_of, given_maps
from vcam.live.showwatch import show_watcher
from vcam.live.showwrites import check_written
from vcam.live.startsize import sized
from vcam.live.status import StatusLine
from vcam.live.streamopen import stream_opener
from vcam.outspec import parse_spec
from vcam.stdio import LEFT_AT_ONCE
from vcam.words import counted, name_said

if TYPE_CHECKING:
    from vcam.bench.tuning import SpeedChoice
    from vcam.control.midi import MidiRouter
    from vcam.control.midimap import MidiMap


SETTLE_S = 600.0  # the longest `run` waits for the show's threads to leave the model (a block, a model loading)


def run(opts: RunOptions, attach: Attach | None = None) -> int:
    """Runs a show on this machine's model until it ends; the exit code. `attach` adds a consumer of the show's
    blocks and state that also takes commands (vcam serve's WebSocket server); it is made before anything opens.
    Returns once the show's threads are out of the model, so that the caller's process can end safely."""
    ended = play(opts, attach)
    if ended.busy:
        ended.settle()
    if ended.error is not None:
        raise ended.error
    return ended.code


@dataclass(frozen=True)
class Ended:
    code: int
    # A thread of this show is still inside the model (a long block, a model loading, an encode), or the show was
    # left at once (Ctrl-C again) with its threads still running. The interpreter's exit would abort on such a
    # thread (SIGABRT, 'terminate called without an active exception'): the command line leaves with os._exit.
    busy: bool
    settle: Callable[[], None] = lambda: None  # waits (up to SETTLE_S) for those threads to leave the model
    # Why the show ended without going on air (exit code 2), for the caller to say once it has left the model
    error: VcamError | None = None


def play(opts: RunOptions, attach: Attach | None = None) -> Ended:
    """`run`, also saying whether the show left a thread inside the model, which the command line does not wait
    for."""
    # SIGTERM and SIGHUP from the end of PyTorch's import to the show's own handlers: kept for the show, which stops
    # as it starts (their default ended the process at once without a word)
    before = StopsBefore()
    prep: _Prepared | None = None
    try:
        try:
            prep = _prepare(opts, before, open_early=True)
        except StoppedLoading as stopped:  # said: nothing is open yet
            return Ended(stopped.code, False)
        except Exception:
            if (code := before.stop_wins()) is None:
                raise
            return Ended(code, False)
        opts = prep.opts
        try:
            inputs = _open_input(opts, prep.cfg, prep.status.message)
            try:
                return _play(opts, attach, prep, inputs, before)
            except BaseException:  # the show did not start, or ended in an error: the camera is let go
                inputs.close()
                raise
        except Exception:  # the show never started (its handlers stop it as it starts): nothing is left open
            if (code := before.stop_wins()) is None:
                raise
            return Ended(code, False)
    finally:
        if prep is not None and prep.early is not None:
            prep.early.close()  # where the show took it, its MIDI input closes it
        before.close()


@dataclass(frozen=True)
class _Prepared:
    """What a show is checked against before anything opens: a mistake here costs a second, not a model load."""

    opts: RunOptions  # as given, with a replay's quantization and decoder where none was given
    status: StatusLine
    replay: Replay | None
    show: Show | None
    model: str
    cfg: ShowSettings
    speed: SpeedChoice
    fallback: object  # the fallback frame, or None
    fallbacks: FallbackImages  # the images decoded so far (the fallback among them), for the show to pick from
    midi: tuple[str, MidiMap, Path | None] | None  # the port, its map, and --midi-map's file where it gave the map
    given: list  # the maps the command line gives that are in force (GivenMap), each read once: the MIDI router
    # and the OSC input take theirs, and each reload of the show checks against them
    media: MediaFolders  # the folders whose files the network's commands may name
    early: EarlyInput | None = None  # the MIDI input opened as vcam started, its messages kept for the show


def _own_strength(opts: RunOptions, show: Show | None, start: dict) -> bool:
    """Whether the strength the show starts at is its first preset's own: one giving strength 1 runs the input
    under the text on purpose, as a preset put on later does (Controller._go_to_preset)."""
    return (opts.strength is None and "strength" not in start and show is not None and bool(show.presets)
            and show.presets[0].strength is not None)


def _prepare(opts: RunOptions, before: StopsBefore | None = None, open_early: bool = False) -> _Prepared:
    """The show checked; with `open_early`, its MIDI input opened first (EarlyInput), and closed again where a
    check refuses the show."""
    with ExitStack() as refused:
        prep = _checked(opts, before, refused if open_early else None)
        refused.pop_all()  # the show's MIDI input takes the port over, or play closes it
        return prep


def _checked(opts: RunOptions, before: StopsBefore | None, closing: ExitStack | None) -> _Prepared:
    """_prepare's checks; the MIDI input opened early where `closing` is given, which closes it where they refuse."""
    early: EarlyInput | None = None
    status = StatusLine(opts.status_out or sys.stderr)
    replay = replayed(opts, status.message)
    start = dict(replay.header) if replay else {}
    quant, decoder, attention_quant = as_logged(start, opts.replay, opts.quant, opts.decoder, opts.attention_quant)
    given_quant, given_attention = opts.quant, opts.attention_quant
    opts = replace(opts, quant=quant, decoder=decoder, attention_quant=attention_quant)
    show: Show | None = load_show(opts.show) if opts.show else None
    for note in show.notes if show is not None and replay is None else ():  # a replay presses no button
        status.message(note)
    media = _media(opts, status.message)
    # read once, for the port opened early and the show alike: a map saved in between made them two maps
    read = MapRead(opts, show)
    def stopped_loading(sig: int) -> int:  # nothing is open yet: said as a stop while the model loads is
        return _stopped_loading(sig, 0, status.message, recorded=_records(opts, show))

    # PyTorch's import: seconds in which a Ctrl-C could abort the process, and SIGTERM ended it without a word
    try:
        with stops_held(stopped_loading):  # the port's open too: a Ctrl-C in it left with exit code 130, unsaid
            if closing is not None and (wanted := early_midi(opts, show, replay is not None, read)):
                # before PyTorch's import and the model's checks: a knob set in those seconds was lost
                early = EarlyInput()
                closing.callback(early.close)
                early.open(*wanted)
            from vcam.engine.load import choose_model
    except StoppedLoading as stopped:
        stopped.code = stopped_loading(stopped.sig)
        raise
    if before is not None:
        before.hold(stopped_loading)

    model = choose_model(logged_model(start, opts.replay, opts.model), status.message, opts.weights)
    if (unnamed := unnamed_model("replaying", start, opts.replay, opts.model, model)) is not None:
        status.message(unnamed)
    from vcam.engine.configs import get_spec

    spec = get_spec(model)
    if opts.weights is not None:  # said now, not after a camera and a recording opened and the card went on air
        from vcam.engine.weight_files import from_folder

        from_folder(opts.weights, spec)
    if opts.replay:
        check_logged_quant(opts.replay, given_quant, quant, model, given_attention, attention_quant)
    from vcam.engine.taehv_weights import check_taehv

    check_taehv(opts.decoder, opts.weights, at_random=spec.builds_at_random(opts.weights))  # not after outputs opened
    cfg = resolve(opts, show, start, (spec.width, spec.height), own_size_only=spec.random_weights)
    if cfg.note:
        status.message(cfg.note)
    if opts.strength is not None and cfg.input == "none":  # kept, unlike an option refused: an input may come on
        status.message(f"--strength {opts.strength:g} has no effect without an input: it applies once one is on "
                       "air (--in SRC, or input SRC typed)")
    if cfg.input != "none" and cfg.strength >= 1.0 and replay is None and not _own_strength(opts, show, start):
        # the input chosen, and nothing of it shown; where no command can be typed, the option alone lowers it
        typed = f", or strength {DEFAULT_STRENGTH:g} typed" if opts.stdin and not null_stdin() else ""
        status.message(f"strength 1 is text only: input {name_said(cfg.input)} shows nothing until it is lowered "
                       f"(--strength {DEFAULT_STRENGTH:g}{typed})")
    cfg, quant = sized(opts, model, cfg, spec.random_weights, show, status.message)
    if replay is not None and (unlike := unlike_the_show("replaying", replay.header, model, cfg, quant, opts.decoder,
                                                         opts.attention_quant)):
        status.message(unlike)
    from vcam.bench.tuning import live_choice

    speed = live_choice(model, cfg.width, cfg.height, cfg.steps, quant, opts.speed, use_tuning=opts.tuning,
                        warn=status.message, adapt=cfg.adapt, decoder=opts.decoder,
                        attention_quant=opts.attention_quant,
                        video_in=cfg.input != "none")  # for the starting steps, size and input
    if speed.message:
        status.message(speed.message)
    fallbacks = FallbackImages(cfg.width, cfg.height)  # a preset without a fallback of its own goes back to it
    fallback = fallbacks.get(cfg.fallback, status.message) if cfg.fallback else None
    if replay is not None:
        check_replayed_inputs(opts.replay, replay, cfg.input)
    midi = midi_setup(opts, show, replay is not None, status.message, read)  # stops here, before anything opens
    osc_map = read_osc_map(opts, show, status.message)
    given, every = given_maps(opts, (midi[2], midi[1]) if midi and midi[2] is not None else None, osc_map)
    check_written(opts, cfg, show, replay, every)  # their buttons' files are among those the show reads
    return _Prepared(opts, status, replay, show, model, cfg, speed, fallback, fallbacks, midi, given, media, early)


def _media(opts: RunOptions, say: Callable[[str], None]) -> MediaFolders:
    """The folders the network's commands may name files in; a --media folder that is missing stops the run here,
    one that shares the home folder or the root is said (a show file kept in the home folder shares all of it)."""
    media = MediaFolders.chosen(opts.media, opts.show)
    if not opts.serve and opts.osc is None:
        if opts.media:
            say("--media is not used: it limits the files named by commands from the network (vcam serve's "
                "clients, --osc), and neither is open")
    elif wide := media.too_wide():
        how = "given with --media" if opts.media else "the show file's folder, shared by default"
        say(f"commands from the network (vcam cam clients, --osc) may name any file under {', '.join(wide)} ({how}, "
            f"the home folder or above it); to share less, give {MEDIA_FLAG} (repeatable) with the folders of the "
            "show's clips and images")
    return media



def _play(opts: RunOptions, attach: Attach | None, prep: _Prepared, inputs: InputSwitch,
          stops_before: StopsBefore) -> Ended:
    status, replay, show, model, cfg = prep.status, prep.replay, prep.show, prep.model, prep.cfg
    tempo, tempo_parts = make_tempo(opts, status.message)
    air = OnAir(AirSettings(outs=cfg.outs, width=cfg.width, height=cfg.height, fps=cfg.fps, fit=cfg.fit,
                            smooth=_smoothing(opts, cfg, status.message), max_latency=opts.max_latency,
                            duration=opts.duration, fallback=prep.fallback, card=f"loading {model}...",
                            stdin=opts.stdin and replay is None, commands=opts.commands, served=attach is not None,
                            commands_read=opts.commands_read), status, producer_waits=True)
    state = ShowState(prompts=dict(cfg.prompts), preset=cfg.preset, seed=cfg.seed, steps=cfg.steps,
                      transition=cfg.transition, input=cfg.input, strength=cfg.strength, bias=cfg.bias)
    # a `quit` typed as the show starts ends the load at its next step: it went on "building tiny" after "stopping"
    opener = stream_opener(opts, model, cfg, prep.speed, show.prompts() if show else [], inputs, status.message,
                           stopped=air.stop.is_set)
    producer = Generator(opener, air.pacer, status.message, air.set_card,
                         open_input=inputs.open_now)  # a command checking a camera: tried at the next block
    log_file = open_log(opts.log_controls)
    log = _control_log(log_file, opts, prep, air.pacer, producer) if log_file else None

    fallbacks = prep.fallbacks
    if show is not None:
        fallbacks.warm(fallbacks_of(show))

    def set_fallback(path: str | None) -> None:
        path = path or cfg.fallback
        try:
            air.pacer.set_fallback(fallbacks.get(path, status.message) if path else None)
        except ValueError as e:
            status.message(f"fallback image not used: {one_line(e)}")

    # One thread encodes prompts ahead: a command's before it is handed over, a show's presets in the background.
    prompter = Prompter(producer, lambda: producer.stream.engine.text if producer.stream else None, status.message)
    quantizer = make_quantizer(air, producer, tempo)
    screen = Screen(state)  # the camera's: a screen change is set through it, between two ticks
    controller = Controller(show, state, producer, air.stop, status.message, log, set_fallback, prompter=prompter,
                            check_input=inputs.check, tempo=tempo, land=quantizer.land,
                            unquantized=quantizer.unquantized, media=prep.media, screen=screen,
                            replaying=replay is not None)
    controller.discard_input = inputs.discard
    # the OSC input reads its map in force, which a reload replaces
    given_osc = next((g for g in prep.given if g.flag == "--osc-map"), None)
    try:
        extra = attached(attach, controller, producer, status.message, inputs, replay is not None)
        osc = make_osc_parts(opts, show, controller, air, given_osc, status.message)
    except Exception:  # refused (a server off loopback without a token): nothing opened stays open
        prompter.stop()
        if log is not None:
            log.end(0)
        raise
    # Last: after the attachment has the block. What the block freed goes back to the system, or a long show's
    # resident memory creeps up (live/heap.py).
    producer.listeners.append(HeapTrimmer())
    parts: list = [_Started(prompter.stop, "the prompt encoder"), _Started(controller.close, "the controller"),
                   *([extra] if extra else []), *tempo_parts]
    router = None
    if prep.midi is not None:
        router = _midi_parts(prep, opts, controller, tempo, status.message, parts)
    parts += osc
    if show is not None:
        parts.append(show_watcher(opts, model, show, controller, prompter, router, fallbacks, status.message,
                                  prep.given))
    cues = cue_list(show, controller, producer, replay is not None, status.message, tempo, quantizer.lead,
                    opts.duration, quantizer.lands_at)
    if cues is not None:
        parts.append(cues)
    if replay is not None:  # its clips and images opened off the stream's thread, as a typed input's are
        ahead = InputsAhead(replay, inputs.check, producer, status.message)
        parts.append(_Started(ahead.stop, "the replay's inputs"))
    parts.append(OlderTakes(cfg.outs, status.message, log))  # last: said once every other part started
    if replay is not None:
        producer.limit = replay.end_block
        replay.schedule(producer, state, tempo, air.pacer.on_frame_shown, status.message, controller.replayed)
    decoder = f", {opts.decoder} decoder" if opts.decoder != "vae" else ""  # the VAE's goes without saying
    int8 = ", INT8 attention" if opts.attention_quant == "int8" else ""  # inexact: said wherever the show is named
    on_air = f"on air: {model} at {cfg.width}x{cfg.height}, {counted(cfg.steps, 'step')}{decoder}{int8}"
    feed = ModelFeed(producer, status.message, on_air,
                     controller.on_air_named, lambda: state.screen,
                     _extra_status(inputs, extra, tempo.describe, cues.describe if cues else None, quantizer.status),
                     duration=opts.duration, paused_after=PAUSED_S, columns=status.columns)
    return _on_air(air, feed, controller, screen, parts, producer, prompter, log, inputs, stops_before)


def _midi_parts(prep: _Prepared, opts: RunOptions, controller: Controller, tempo, say: Callable[[str], None],
                parts: list) -> MidiRouter:
    """The MIDI input and the lights of its controller, added to `parts`; the router that acts on the input."""
    from vcam.control.midi import MidiRouter
    from vcam.control.midiclock import MidiClock
    from vcam.control.midileds import midi_parts

    clock = MidiClock(tempo, say=say, link=opts.link)
    router = MidiRouter(prep.midi[1], controller, say, clock=clock)
    parts += midi_parts(prep.midi[0], router, controller, say, where=None if opts.midi else opts.show,
                        verbose=opts.log_controls is not None, early=prep.early, waits_for_gone=True)
    return router


def _smoothing(opts: RunOptions, cfg: ShowSettings, say: Callable[[str], None]) -> str | None:
    """--smooth where an output here shows the camera's frames; without one (vcam serve, no --out) its blends and
    flows, a third of a core for `flow`, would go nowhere: the clients get the generated frames and smooth their
    own. Nothing else of the show depends on it (which frame is on screen, the log's timing)."""
    if opts.smooth is None or cfg.outs:
        return opts.smooth
    say(f"--smooth {opts.smooth} is not used: no output here shows the camera's frames; vcam cam smooths a served "
        f"show itself (vcam cam URL --smooth {opts.smooth})")
    return None


def _control_log(file: LogFile, opts: RunOptions, prep: _Prepared, pacer: Pacer,
                 producer: Generator) -> ControlLog:
    """The control log, its header the settings the show starts at, the precision included, so that `vcam render`
    makes the same pictures (a card that adapts the size and precision while loading is not told here); the camera
    side's changes are logged with the frame the pacer shows then. An older log in its file is replaced at the
    show's first block."""
    header = {**prep.cfg.log_header(prep.model, opts.show), "quant": prep.speed.options.quant,
              **({"decoder": opts.decoder} if opts.decoder != "vae" else {}),
              **({"attention_quant": opts.attention_quant} if opts.attention_quant != "none" else {}),
              "started": datetime.datetime.now().isoformat(timespec="seconds")}
    log = ControlLog(file.out, header, say=prep.status.message, older=file.older)
    log.showing = pacer.showing
    pacer.on_frame_shown(log.frame_shown)
    producer.listeners.append(lambda frames: log.on_air())
    return log


def _on_air(air: OnAir, feed: ModelFeed, controller: Controller, screen: Screen, parts: list,
            producer: Generator, prompter: Prompter, log: ControlLog | None, inputs: InputSwitch,
            stops_before: StopsBefore | None = None) -> Ended:
    """Runs the show until it ends; the control log's last line says how many blocks it made. The input is closed
    once the producer is out of its block (it may be taking the input's frames, or opening one a command named)."""
    interrupted, error = False, None
    if stops_before is not None:
        stops_before.show_starts()
    try:
        code = air.run(feed, controller.handle_line, screen.state, parts, screen,
                       stops_before.came if stops_before is not None else ())
    except KeyboardInterrupt:  # Ctrl-C in the instant after the show's own handlers were put back: leave at once
        code, interrupted = LEFT_AT_ONCE, True
    except VcamError as e:
        # raised with the producer inside its block: said once the process can end safely. Besides NeverOnAir, the
        # error of an output that was all the show had (a camera taken as it went on air, a window with no display)
        if not isinstance(e, NeverOnAir) and e is not show_ender(air.workers):
            raise
        code, error = 2, e
    finally:
        if log is not None:
            log.end(producer.handed_on())
    if log is not None and log.failed:
        code = _log_failed(log, code, air.status.message)
    if not code and not interrupted and air.stopped_by is not None and not air.reached_air:
        recorded = any(spec.kind == "file" for spec in air.settings.outs)
        code = _stopped_loading(air.stopped_by, code, air.status.message, recorded)
    if code != LEFT_AT_ONCE and not interrupted and stops_before is not None and stops_before.ctrl_c:
        # held from the show's end to here (StopsBefore.show_starts), as a Ctrl-C during its close leaves at once
        code, interrupted = LEFT_AT_ONCE, True
        air.status.message(f"left at once (Ctrl-C as the show closed); exit code {LEFT_AT_ONCE}")

    def settle() -> None:
        if producer.stop(timeout=SETTLE_S):
            inputs.close()
        prompter.stop(timeout=SETTLE_S)

    busy = interrupted or air.left_at_once or not producer.stop(timeout=0) or prompter.alive
    if not busy:
        inputs.close()
    return Ended(code, busy, settle, error)


def _stopped_loading(sig: int, code: int, say: Callable[[str], None], recorded: bool) -> int:
    """A show stopped by a signal before it went on air (the model still loading): said, with nothing of it
    recorded where it had a file to record to (`recorded`), and Ctrl-C's exit code is an interrupted command's, so
    a script does not take it for a show played. Another signal (docker stop, systemd) keeps the show's own code:
    stopping a service is how it is meant to end."""
    interrupted = sig == signal.SIGINT
    files = ", so nothing of it was recorded" if recorded else ""  # vcam serve, a camera alone: nothing to record to
    said = f"; exit code {stop_code(sig)}" if interrupted else ""
    say(f"loading stopped ({stop_said(sig)}): the show never went on air{files}{said}")
    return stop_code(sig) if interrupted else code


def _records(opts: RunOptions, show: Show | None) -> bool:
    """Whether the show has a file to record to, its outputs those `resolve` takes, before the model that `resolve`
    needs is known: a stop then says nothing of it was recorded."""
    return any(_records_to(out) for out in chosen_outs(opts, show))


def _records_to(out: str) -> bool:
    try:
        return parse_spec(out).kind == "file"
    except ValueError:  # said as the show's error once the model is known; a file among the others still counts
        return False


def _log_failed(log: ControlLog, code: int, say: Callable[[str], None]) -> int:
    """The end of a show whose control log could not be written to the end: said again with the others' ends,
    and the exit code 1 (as for a failed output), so a script running the show sees that its log is incomplete."""
    name = getattr(log.out, "name", "the control log")
    if log.kept_older:  # its end lines are the older show's: rendered, it makes that show, not this one
        say(f"control log {name} holds none of this show: it could not be emptied as the show went on air (the "
            "reason is above), so the older log there is kept as it was")
    elif _holds_no_header(log.path or name):  # vcam render refuses such a file, --blocks or not
        say(f"control log {name} holds nothing of the show: a write failed before its first line was whole (the "
            "reason is above), so vcam render cannot make the show from it")
    else:
        say(f"control log {name} is incomplete: a write failed (the reason is above), so it lacks the show's later "
            "controls and its end line (vcam render needs --blocks N for it)")
    return code or 1


def _holds_no_header(path: str) -> bool:
    """Whether the log's file is a plain file that holds no whole first line, the show's header (a disk full as the
    show went on air). False where that cannot be read: a device or a pipe (/dev/full reads without end), a file
    gone."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):  # before opening it: a named pipe's open waits for a writer
            return False
        with open(path, "rb") as f:
            return not f.readline().endswith(b"\n")
    except (OSError, TypeError, ValueError):
        return False


def _open_input(opts: RunOptions, cfg: ShowSettings, say: Callable[[str], None]) -> InputSwitch:
    """The input switch, with the show's first input open before the model loads: a missing clip or camera is
    said in a second, not after minutes of loading. A served show takes what a client sends up (`net`)."""
    # no waiting for a first upload: until a client sends, `--in net` restyles black rather than slowing each block
    uploads = LiveFrames(name="net", first_wait_s=0.0) if opts.serve else None
    inputs = InputSwitch(cfg.width, cfg.height, cfg.input_fit, say, uploads=uploads, fps=cfg.fps)
    try:
        inputs.open(cfg.input)
    except VcamError as e:
        fix = respaced_fix(e.fix, parse_input(cfg.input))
        if fix == e.fix:
            raise
        raise type(e)(e.message, fix) from None  # an InputError still, said as one
    return inputs


def _extra_status(inputs: InputSwitch, extra: Attachment | None,
                  *more: Callable[[], str | None] | None) -> Callable[[], str]:
    """The end of the status line: the input, the attachment, and each of `more` (the cue list) that is given."""
    def status() -> str:
        texts = (inputs.status(), extra.describe() if extra else None, *(fn() for fn in more if fn))
        return " | ".join(text for text in texts if text)

    return status


class _Started:
    """A part that runs from its creation (the prompter's thread, the input's capture), stopped with the show."""

    def __init__(self, stop: Callable[[], None], what: str):
        self.stop = stop
        self.what = what  # as the show's end names it where its stop fails

    def start(self) -> None:
        pass
