"""`vcam run`: the main job. Outputs open first (showing a loading card), then the model loads and goes on air.

Data flows one way: controls (stdin, MIDI, show file, replayed log) → controller → generator thread → pacer
(steady ticks) → one worker thread per output.
"""
from __future__ import annotations

import datetime
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from vcam.control.controller import ControlLog, Controller, ShowState, apply_logged
from vcam.engine.configs import check_size
from vcam.engine.speed import SpeedFlags
from vcam.errors import VcamError
from vcam.live.frames import card, load_image
from vcam.live.producer import Generator
from vcam.live.outputs import close_workers, open_outputs, parse_spec, report_outputs
from vcam.live.pacer import Pacer, PacerSettings
from vcam.control.show import Show, load_show, missing_presets
from vcam.live.screen import Screen
from vcam.live.signals import stop_on_signals
from vcam.live.status import StatusLine, TickCounter, format_status
from vcam.control.yamlcheck import ConfigError

DEFAULT_PROMPT = ("A slow cinematic drift through a neon-lit city street at night, rain on the asphalt reflecting "
                  "pink and blue signs, light fog")


@dataclass
class RunOptions:
    """Settings of one run; None means "from the show file, else the default"."""

    show: str | None = None
    model: str | None = None
    weights: str | None = None
    prompt: str | None = None
    seed: int | None = None
    steps: int | None = None
    transition: int | None = None
    size: tuple[int, int] | None = None
    outs: list[str] | None = None
    fps: float | None = None
    fit: str | None = None
    smooth: bool = False
    duration: float | None = None
    max_latency: float = 4.0
    fallback: str | None = None
    pin_first_latent: bool = False
    quant: str | None = None  # None: not given ("none", or FP8 where only that fits the card)
    speed: SpeedFlags = SpeedFlags()  # the speed options by hand; none given: the tuning file, else the defaults
    tuning: bool = True  # use the options `vcam bench --tune` saved for this card
    stdin: bool = True
    midi: str | None = None
    midi_map: str | None = None
    log_controls: str | None = None
    replay: str | None = None
    serve: object = None  # ServeSettings: also send frames to `vcam cam` clients over WebSocket
    commands: object = field(default=None, repr=False)  # a binary stream of typed commands (default: stdin)
    status_out: object = field(default=None, repr=False)


def choose_model(requested: str | None, status: StatusLine) -> str:
    """The model to run: as asked, or krea-14b where a CUDA GPU exists and tiny where none does."""
    import torch

    from vcam.engine.configs import get_spec
    from vcam.engine.weights import check_cuda

    if requested is not None:
        spec = get_spec(requested)
        if spec.needs_cuda:
            check_cuda(spec)
        return requested
    if torch.cuda.is_available():
        return "krea-14b"
    status.message("no CUDA GPU found: running the tiny model (random weights, for trying vcam out); "
                   "on a machine with an NVIDIA GPU vcam runs krea-14b")
    return "tiny"


@dataclass
class Replay:
    header: dict
    entries: list[dict]
    end_block: int | None


def read_replay(path: str) -> Replay:
    """A control log written by --log-controls; ValueError naming the line when it is not one."""
    header, entries, end = None, [], None
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as e:
        raise ValueError(f"cannot read control log {path}: {e}") from None
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{i}: not a control log line ({e.msg})") from None
        if "vcam" in entry:
            header = entry["vcam"]
        elif "end" in entry:
            end = int(entry["end"]["blocks"])
        elif "block" in entry and "apply" in entry:
            entries.append(entry)
        else:
            raise ValueError(f"{path}:{i}: not a control log line")
    if header is None:
        raise ValueError(f"{path}: no header line; is this a log written by vcam run --log-controls?")
    return Replay(header, entries, end)


def run(opts: RunOptions) -> int:
    status = StatusLine(opts.status_out or sys.stderr)
    replay = read_replay(opts.replay) if opts.replay else None
    start = dict(replay.header) if replay else {}
    show: Show | None = load_show(opts.show) if opts.show else None
    out_cfg = show.output if show else None
    defaults = show.defaults if show else None

    def pick(cli, from_start, from_show, default):
        for value in (cli, from_start, from_show):
            if value is not None:
                return value
        return default

    if opts.outs is not None:
        outs = opts.outs
    elif opts.serve is not None:
        outs = []  # the camera is on the client's machine
    else:
        outs = list(out_cfg.out if out_cfg and out_cfg.out else ["vcam"])
    specs = [parse_spec(s) for s in outs]
    model = choose_model(opts.model or start.get("model"), status)
    from vcam.engine.configs import get_spec

    spec = get_spec(model)
    size = pick(opts.size, tuple(start["size"]) if "size" in start else None, out_cfg.size if out_cfg else None,
                (spec.width, spec.height))
    width, height = size
    # Nobody asked for this size or precision: a card too small for them gets what fits, and says so.
    asked_size = opts.size is not None or "size" in start or (out_cfg is not None and out_cfg.size is not None)
    adapt = opts.quant is None and not asked_size
    check_size(width, height)  # from a control log or RunOptions given in Python, it is not checked before
    fps = pick(opts.fps, None, out_cfg.fps if out_cfg else None, 30.0)
    fit = pick(opts.fit, None, out_cfg.fit if out_cfg else None, "letterbox")
    seed = pick(opts.seed, start.get("seed"), defaults.seed if defaults else None, 0)
    steps = pick(opts.steps, start.get("steps"), defaults.steps if defaults else None, 4)
    transition = pick(opts.transition, start.get("transition"), defaults.transition if defaults else None, 4)
    pin = bool(start.get("pin_first_latent", opts.pin_first_latent))
    if opts.prompt:
        prompts, preset = {opts.prompt: 1.0}, None
    elif "prompts" in start:
        prompts, preset = dict(start["prompts"]), None
    elif show:
        prompts, preset = show.presets[0].prompts, 0
        seed = show.presets[0].seed if show.presets[0].seed is not None and opts.seed is None else seed
    else:
        prompts, preset = {DEFAULT_PROMPT: 1.0}, None
    from vcam.bench.tuning import live_choice

    speed = live_choice(model, width, height, steps, opts.quant, opts.speed, use_tuning=opts.tuning,
                        warn=status.message, adapt=adapt)  # for the starting steps and size
    if speed.message:
        status.message(speed.message)
    fallback_path = opts.fallback or (defaults.fallback if defaults else None)
    fallback = load_image(fallback_path, width, height) if fallback_path else None

    midi_port = opts.midi
    if midi_port is None and show is not None and show.midi_port and replay is None:  # a replay takes no input
        if opts.serve is None:
            midi_port = show.midi_port
        else:  # a server is usually a machine without the controller: it belongs to the camera's end
            status.message(f"the show's MIDI port {show.midi_port!r} is not opened by vcam serve: on the camera's "
                           f"machine, run vcam cam … --midi {show.midi_port} --midi-map MAP (the map the show names; "
                           "controls written in the show itself need to be in a map file there), or pass --midi "
                           "to open it on this machine")
    midi_router_map = None
    if midi_port:
        _require_midi_port(midi_port, None if opts.midi else opts.show)  # stops here, before anything opens
        if opts.midi_map:
            from vcam.control.midimap import map_named

            path, midi_router_map = map_named(opts.midi_map)
            if show is not None and (problems := missing_presets(show, midi_router_map)):
                # said now: on air, each fader message would fail
                raise VcamError(f"MIDI map {path} names presets this show lacks: {'; '.join(problems)}",
                                f"correct the names in {path} (or name presets by number there)")
        else:
            midi_router_map = show.midi if show and show.midi else None
        if midi_router_map is None:
            raise ValueError("--midi needs a mapping: --midi-map nanokontrol2 (or midimix, apc-mini-mk2, a file), "
                             "or a show file with a midi: section")
    elif opts.midi_map:
        status.message("--midi-map is not used: no MIDI input is opened without --midi PORT (or a show's midi: port)")

    server = None  # checked before anything opens: listening elsewhere than loopback needs a token
    if opts.serve is not None:
        from vcam.remote.server import FrameServer

        server = FrameServer(opts.serve, lambda line, source: controller.handle_line(line, source),
                             lambda: controller.snapshot(), status.message)

    log_file = None
    if opts.log_controls:  # before the outputs open: nothing to undo when the path is wrong
        try:
            log_file = open(opts.log_controls, "w", encoding="utf-8")
        except OSError as e:
            raise VcamError(f"cannot write the control log {opts.log_controls} ({e.strerror or e})",
                            "give --log-controls a path in a folder that exists and can be written") from None
    workers = open_outputs(specs, width, height, fps, fit, say=status.message)  # before the model: no wait
    for w in workers:
        status.message(f"output {w.output.name} at {w.size[0]}x{w.size[1]}, {fps:g} fps")

    pacer = Pacer(PacerSettings(fps=fps, smooth=opts.smooth, max_latency=opts.max_latency, producer_waits=True))
    pacer.set_card(card(width, height, ["vcam", f"loading {model}..."]))
    pacer.set_fallback(fallback)

    def on_loading(message: str) -> None:
        pacer.set_card(card(width, height, ["vcam", message[:60]]))

    def open_stream(report):
        import vcam

        engine = vcam.load(model, weights=opts.weights, width=width, height=height, report=report,
                           speed=speed.options, adapt=adapt)
        if engine.offload_text_after_start:
            first = list(prompts) + (show.prompts() if show else [])
            report(f"encoding {len(first)} prompts before moving the text encoder to the CPU")
            for text in first:
                engine.text.encode(text)
            engine.offload_text()
        stream = engine.stream(prompts, seed=seed, width=engine.width, height=engine.height, steps=steps,
                               transition=transition, pin_first_latent=pin)
        if engine.device.type == "cuda" or speed.options.compile:
            # The first blocks compile and pick kernels: slow, and better off air.
            what = ("compiling for this size before going on air (minutes the first time, then cached)"
                    if speed.options.compile else "warming up")
            status.message(what)
            report(what)
            stream.warm_up(say=status.message)
        return stream

    stop = threading.Event()
    generator = Generator(open_stream, pacer, status.message, on_loading,
                          listeners=[server.publish] if server else None)
    state = ShowState(prompts=dict(prompts), preset=preset, seed=seed, steps=steps, transition=transition)
    log = ControlLog(log_file, {
        "model": model, "seed": seed, "prompts": prompts, "steps": steps, "transition": transition,
        "size": [width, height], "pin_first_latent": pin, "show": opts.show,
        "started": datetime.datetime.now().isoformat(timespec="seconds"),
    }) if log_file else None

    def set_fallback(path: str | None) -> None:
        path = path or fallback_path
        try:
            pacer.set_fallback(load_image(path, width, height) if path else None)
        except ValueError as e:
            status.message(f"fallback image not used: {e}")

    controller = Controller(show, state, generator, stop, status.message, log, set_fallback,
                            status=lambda: controller.describe(),
                            encoder=lambda: generator.stream.engine.text if generator.stream else None)
    if server is not None:
        controller.listeners.append(server.broadcast_state)
    ticks = TickCounter()
    screen = Screen(state)
    recordings = [w for w in workers if w.every_frame]
    live = [w for w in workers if w not in recordings]

    def emit(frame: np.ndarray, tick: int) -> None:
        ticks.next()  # the output frame rate on the status line
        frame = screen.apply(frame)
        for w in live:
            w.offer(frame, tick)
        if pacer.stats.pushed:  # recordings hold the show, not the loading card
            for w in recordings:
                w.offer(frame, tick)

    preloader = watcher = midi_input = None
    if show is not None:
        from vcam.control.reload import Preloader, ShowWatcher

        preloader = Preloader(lambda: generator.stream.engine.text if generator.stream else None, status.message)
        preloader.add(show.prompts())

        def on_show(new: Show) -> None:
            if opts.midi_map and router is not None and (problems := missing_presets(new, router.mapping)):
                # the map stays (given on the command line), so the show must still fit it
                raise ConfigError([f"{opts.show}: --midi-map {opts.midi_map}: {p}" for p in problems])
            controller.replace_show(new)
            preloader.add(new.prompts())
            if router is not None and new.midi is not None and not opts.midi_map:  # --midi-map overrides the show
                router.mapping = new.midi

        watcher = ShowWatcher(opts.show, on_show, status.message)
    router = None
    if midi_port:
        from vcam.control.midi import MidiInput, MidiRouter

        router = MidiRouter(midi_router_map, controller, status.message)
        midi_input = MidiInput(midi_port, router.handle, status.message, on_reconnect=router.forget_buttons)
    if replay is not None:
        generator.limit = replay.end_block
        for entry in replay.entries:
            generator.submit(_replayed(entry["apply"], state), at_block=int(entry["block"]))

    pacer_thread = threading.Thread(target=pacer.run, args=(emit, stop), name="pacer", daemon=True)
    failure: Exception | None = None
    with stop_on_signals(stop):
        try:
            if server is not None:
                server.start()  # before the model: a busy port is reported at once
            pacer_thread.start()
            generator.start()
            if watcher:
                watcher.start()
            if midi_input:
                midi_input.start()
            if opts.stdin and replay is None:
                from vcam.control.console import Console

                Console(controller.handle_line, status.message, opts.commands).start()
            on_air_at = None
            stalled = False
            while not stop.wait(0.25):
                if generator.state == "failed":
                    if not pacer.stats.pushed or os.environ.get("VCAM_DEBUG"):
                        raise generator.error  # the show could not start: a usage or setup error (exit 2)
                    failure = generator.error
                    break
                if pacer.stats.pushed and on_air_at is None:
                    on_air_at = time.monotonic()
                    status.message(f"on air: {model} at {width}x{height}, {steps} steps")
                if pacer.stats.stalled != stalled:
                    stalled = pacer.stats.stalled
                    status.message("generation stalled: holding the last frame" if stalled else "generation resumed")
                failed = [w.output.name for w in workers if w.error is not None]
                status.update(_status_text(pacer, ticks, controller, failed)
                              + (f" | {server.describe()}" if server else ""))
                if opts.duration is not None and on_air_at is not None and time.monotonic() - on_air_at >= opts.duration:
                    break
                if generator.state == "stopped" and pacer.stats.buffered <= 0:  # a replay played to its end
                    break
        finally:
            stop.set()
            status.end()
            for part in (watcher, midi_input, preloader, server):
                if part is not None:
                    part.stop()
            if pacer_thread.ident is not None:  # started
                pacer_thread.join(2.0)
            generator.stop(timeout=2.0)
            close_workers(workers)  # returns once every recording's file is complete
            if log_file is not None:
                log_file.write(json.dumps({"end": {"blocks": generator.blocks}}) + "\n")
                log_file.close()
            code = report_outputs(workers, status.message)  # also when the show ends with an error
    _wait_for_block_in_progress(generator, status.message)  # the signal handlers are back: Ctrl-C ends the wait
    if failure is not None:  # the show was on air: it ended early (exit 1), its recordings are complete
        if isinstance(failure, VcamError):
            status.message(f"error: {failure}")  # its message, and the fix on a line of its own
        else:
            status.message(f"error: the show stopped ({failure.__class__.__name__}: {failure}); set VCAM_DEBUG=1 "
                           "for the full traceback")
        return 1
    return code


BLOCK_WAIT_S = 60.0  # the longest vcam waits at the end for a block in progress (the recordings are closed by then)


def _wait_for_block_in_progress(generator: Generator, say: Callable[[str], None]) -> None:
    """Exiting while the generator thread is inside the model aborts the process (SIGABRT, 'terminate called
    without an active exception'); a block ends within seconds. A model still loading is not waited for."""
    if generator.state != "running" or generator.stop(timeout=0):
        return
    say("waiting for the block in progress to end … (Ctrl-C again to leave at once)")
    if not generator.stop(timeout=BLOCK_WAIT_S):
        say(f"the block in progress did not end within {BLOCK_WAIT_S:g} s; exiting anyway")


def _require_midi_port(port: str, show_path: str | None) -> None:
    """VcamError listing the inputs when none matches `port`; the fix names where the port came from: --midi, or
    the show's `midi: port:` when `show_path` is given."""
    from vcam.control.midi import load_mido, require_port

    try:
        load_mido()
    except VcamError as e:
        if show_path is None:
            raise
        raise VcamError(f"the midi: port in {show_path} needs MIDI support: {e.message}",
                        f"{e.fix}, or remove the port from {show_path}") from None
    try:
        require_port(port)
    except VcamError as e:
        if show_path is None:
            raise
        raise VcamError(f"{e.message}\n  (the port is the midi: port in {show_path})",
                        f"plug the controller in, or set the port in {show_path} to part of an input's name "
                        "(vcam devices lists them) or remove it; --midi PORT picks another input") from None


def _replayed(apply: dict, state: ShowState):
    """A logged operation as a generator control; the replay ends where the log ends, not at its quit."""
    def control(stream, block: int) -> None:
        if apply.get("op") == "screen":
            state.screen = apply["mode"]
        else:
            apply_logged(stream, apply)

    return control


def _status_text(pacer: Pacer, ticks: TickCounter, controller: Controller, failed: list[str]) -> str:
    st = pacer.stats
    vram = None
    try:
        import torch

        if torch.cuda.is_available():
            free, total = torch.cuda.mem_get_info()
            vram = ((total - free) / 1024**3, total / 1024**3)
    except ImportError:
        pass
    show_state = controller.state
    preset = controller.preset_name()
    state = "STALLED" if st.stalled else ("LIVE" if st.pushed else "LOADING")
    if show_state.screen != "live":
        state += f" ({show_state.screen})"
    return format_status(st.production_fps, ticks.fps(), st.buffered, st.latency, vram, preset, state, failed)


