"""The commands that play a show: `vcam run` and `vcam serve` (a show on this machine's model, served to vcam cam
clients or not), `vcam cam` (a served show in this machine's camera) and `vcam render` (a control log made again
into a video file)."""
from __future__ import annotations

import importlib
import os
import threading

from vcam.cmdline.errorlines import say_error
from vcam.cmdline.typedleft import drop_typed_after_stop
from vcam.engine.speed import SpeedFlags
from vcam.errors import VcamError


def cmd_run(args, attach=None) -> int:
    commands_read = threading.Event()
    try:
        return _run(args, attach, commands_read)
    finally:
        if commands_read.is_set():  # a show read the terminal: what is typed after it is no shell command
            drop_typed_after_stop()


def _run(args, attach, commands_read: threading.Event) -> int:
    from vcam.control.shipped import show_file
    from vcam.live.run import RunOptions, play

    opts = RunOptions(
        # a shipped show's name: its file, as the show's path; "" (`"$SHOW"` unset) is refused, not played as none
        show=show_file(args.show) if args.show is not None else None,
        model=args.model, weights=args.weights, prompt=args.prompt, seed=args.seed,
        steps=args.steps, transition=args.transition, size=args.size, outs=args.out, fps=args.fps, fit=args.fit,
        input=args.input, input_fit=args.input_fit, strength=args.strength, bias=args.bias, smooth=args.smooth,
        duration=args.duration, max_latency=args.max_latency, fallback=args.fallback,
        pin_first_latent=args.pin_first_latent, stdin=args.stdin, midi=args.midi, midi_map=args.midi_map,
        link=args.link, log_controls=args.log_controls, replay=args.replay, serve=attach is not None, quant=args.quant,
        decoder=args.decoder, attention_quant=args.attention_quant,
        speed=_speed_flags(args),
        tuning=args.tuning,
        target_fps=args.target_fps, osc=args.osc, osc_reply=args.osc_reply, osc_map=args.osc_map, media=args.media,
        commands_read=commands_read,
    )
    ended = play(opts, attach)
    if ended.error is not None:
        say_error(ended.error)
    if ended.busy:
        raise LeftInsideABlock(ended)
    return ended.code


class LeftInsideABlock(Exception):
    """A show ended with its producer still inside a block (a CPU's, whose frames are thrown away, or a model still
    loading); outputs are closed and recordings finalised by now. The command line's process leaves at once rather
    than wait for the block or let the interpreter tear it down mid-kernel (cli.main); a caller in a process of its
    own making (a test calling main with its arguments) waits for the block instead: leaving would end its process."""

    def __init__(self, ended) -> None:
        super().__init__(ended.code)
        self.ended = ended


def _speed_flags(args) -> SpeedFlags:
    check_compile_mode(args)
    return SpeedFlags(compile=args.compile, attention=args.attention, compile_mode=args.compile_mode)


def check_compile_mode(args) -> None:
    """--no-compile with a --compile-mode says two opposite things: refused, on run, serve and bench alike. Where
    compiling is only off by default (a CPU, a model of random weights), the mode is said to be unused instead
    (vcam.engine.speed.unused_compile_mode) and the show or bench goes on."""
    if args.compile is False and args.compile_mode not in (None, "default"):
        raise VcamError(f"--compile-mode {args.compile_mode} needs compiling, which --no-compile turns off",
                        "leave out --no-compile, or leave out --compile-mode")


def cmd_render(args) -> int:
    from vcam.live.render import RenderOptions, render

    result = render(RenderOptions(log=args.log, outs=args.out, model=args.model, weights=args.weights,
                                  size=args.size, steps=args.steps, quant=args.quant, decoder=args.decoder,
                                  attention_quant=args.attention_quant, fps=args.fps, fit=args.fit,
                                  blocks=args.blocks, tuning=args.tuning))
    # Stopped short, its files are incomplete: the signal's code (130, 143 for SIGTERM), unlike a show's end by
    # SIGTERM (vcam run's 0). A file stopped by its full disk while the others went on: a script sees it (1).
    return result.stop_code if result.interrupted else 1 if result.stopped else 0


def cmd_serve(args) -> int:

    from vcam.remote.attach import attachment
    from vcam.remote.protocol import given_token
    from vcam.remote.server import ServeSettings

    token = given_token(args.token, os.environ)
    # the server is one more consumer of the show's blocks, and one more way in for commands
    return cmd_run(args, attachment(ServeSettings(host=args.host, port=args.port, token=token, quality=args.quality)))


def cmd_cam(args) -> int:

    from vcam.remote.client import CamOptions, run_cam
    from vcam.remote.protocol import given_token

    # The link's library, imported here so that its absence is said at once with the pip line: on the link's
    # thread it printed a traceback, and the camera waited 10 minutes for frames, then said the server "could not
    # be reached"
    importlib.import_module("websockets.sync.client")
    commands_read = threading.Event()
    try:
        return run_cam(CamOptions(
            url=args.url, token=given_token(args.token, os.environ), outs=args.out or ["vcam"],
            size=args.size, fps=args.fps, fit=args.fit, smooth=args.smooth, duration=args.duration,
            max_latency=args.max_latency, fallback=args.fallback, stdin=args.stdin, midi=args.midi,
            midi_map=args.midi_map, send=args.send, osc=args.osc, osc_reply=args.osc_reply, osc_map=args.osc_map,
            commands_read=commands_read,
        ))
    finally:
        if commands_read.is_set():  # the camera's show read the terminal: as cmd_run's
            drop_typed_after_stop()
