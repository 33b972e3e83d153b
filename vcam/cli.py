"""The `vcam` command and its subcommands: a parser for each (what its flags' values may be is vcam.argtypes) and
a cmd_ function that runs it."""
from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from dataclasses import replace

from vcam import argtypes
from vcam.control.commands import MAX_SEED, lands_on
from vcam.errors import VcamError
from vcam.words import counted
from vcam.inspec import DEFAULT_STRENGTH, INPUT_FITS
from vcam.engine.speed import (ATTENTION, ATTENTION_QUANTS, COMPILE_MODES, DECODERS, QUANTS, SpeedFlags, SpeedOptions,
                               unused_compile_mode)
from vcam.control.yamlcheck import ConfigError


# as vcam.control.midi.find_port picks the input, and its MidiInput waits for one not plugged in yet
MIDI_PORT_HELP = ("by its name or a part of it, the whole name before a part (vcam devices lists them); one not "
                  "plugged in yet is waited for, and opened when it comes")


def _add_osc_args(r: argparse.ArgumentParser, show: bool = True) -> None:
    """The OSC options; `show`: the command plays a show file, whose osc: section is the default map (vcam cam has
    none)."""
    maps = "--osc-map or the show's osc: section" if show else "--osc-map"
    r.add_argument("--osc", metavar="[HOST:]PORT", type=argtypes.osc_address(False),
                   help="listen for OSC on this UDP port (127.0.0.1 unless a host is given; 0.0.0.0: from the "
                        f"network): /vcam/<command> args, and the addresses of {maps}")
    r.add_argument("--osc-map", metavar="MAP", type=argtypes.user_path,
                   help="touchosc-simple or an OSC map file (default: " +
                        ("the show's osc: section)" if show else "none, the /vcam/<command> addresses only)"))
    r.add_argument("--osc-reply", metavar="[HOST:]PORT", type=argtypes.osc_address(True),
                   help="send the show's state there over OSC on every change and once a second (labels on a "
                        "tablet: /vcam/preset, /vcam/blend, /vcam/bpm, /vcam/beat, /vcam/fps, /vcam/status, and "
                        "where the map's faders stand); a PORT alone: to that port of each machine that sends OSC "
                        "to --osc (a tablet whose address changes, two tablets)")


def _add_smooth_arg(r: argparse.ArgumentParser) -> None:
    from vcam.live.interp import SMOOTH_MODES

    r.add_argument("--smooth", nargs="?", const="fade", choices=SMOOTH_MODES, metavar="fade|flow",
                   help="fill the camera's frames between generated ones: fade (cross-fade, what --smooth alone "
                        "does) or flow (in-between frames by optical flow on this machine's CPU; see BENCHMARKS.md)")


def _smooth_alone(argv: list[str]) -> list[str]:
    """`--smooth` followed by a show file or a URL (the flag before its mode became optional) stays the
    cross-fade: only a plain word after it is read as its mode, so `--smooth blur` is still refused."""
    out = list(argv)
    for i, arg in enumerate(out[:-1]):
        nxt = out[i + 1]
        if arg == "--smooth" and not nxt.startswith("-") and not re.fullmatch(r"[A-Za-z]+", nxt):
            out[i] = "--smooth=fade"
    return out


class _Parser(argparse.ArgumentParser):
    def parse_known_args(self, args=None, namespace=None):
        return super().parse_known_args(_smooth_alone(sys.argv[1:] if args is None else list(args)), namespace)


ATTENTION_QUANT_HELP = ("int8: the self-attention through SageAttention 1.0.6's INT8 Q·K kernel (CUDA, Ampere or "
                        "newer; pip install sageattention==1.0.6): changes the picture, by how much is not yet "
                        "measured on a card (BENCHMARKS.md); passes with --bias below 1 stay exact (default none)")
DECODER_HELP = ("taehv: TAEHV's tiny decoder instead of the Wan VAE's: faster, less faithful (its weights, tens of "
                "MB, come from github.com/madebyollin/taehv once) (vae)")
_COMPILE_MODE_HELP = ("how torch.compile builds the transformer's kernels: default, or max-autotune-no-cudagraphs "
                      "(autotuned Triton GEMMs with what follows them fused; a longer first warm-up)")


def _add_live_args(r: argparse.ArgumentParser, default_out: str) -> None:
    """The options `vcam run` and `vcam serve` share."""
    r.add_argument("show", nargs="?", metavar="SHOW.yaml", help="a show file (presets, outputs, MIDI map)")
    r.add_argument("--model", help="krea-14b (CUDA) or tiny (random weights, any machine); "
                                   "default: krea-14b where a CUDA GPU exists, else tiny")
    r.add_argument("--weights", metavar="DIR", help="a local folder laid out like the hub repos "
                                                    "(default: download from the Hugging Face hub)")
    r.add_argument("--prompt", type=argtypes.prompt, help="what to generate (default: the show's first preset)")
    r.add_argument("--seed", type=argtypes.within(int, 0, MAX_SEED))
    r.add_argument("--steps", type=argtypes.within(int, 1, 50), metavar="N", help="denoising steps (4)")
    r.add_argument("--transition", type=argtypes.within(int, 0, 1000), metavar="BLOCKS",
                   help="blocks over which a prompt change blends in (4)")
    r.add_argument("--size", type=argtypes.frame_size, metavar="WxH",
                   help="generated frame size (default: the largest up to 832x480 that keeps --target-fps on this "
                        "GPU; krea-14b's 832x480 without one)")
    r.add_argument("--target-fps", dest="target_fps", type=argtypes.within(float, 0.1, 240), metavar="N",
                   help="with neither --size nor --quant (nor a show's size, nor --replay): generated frames/s the "
                        "size is chosen to keep on this GPU, in bf16 where that size keeps it in bf16, else FP8 (10)")
    r.add_argument("--out", action="append", metavar="OUTPUT",
                   help="vcam, vcam:DEVICE, file:PATH.mp4, window or null, optionally @WxH; repeatable "
                        f"(default: {default_out})")
    r.add_argument("--fps", type=argtypes.within(float, 1, 240), help="camera frame rate (30)")
    r.add_argument("--fit", choices=("letterbox", "crop", "stretch"),
                   help="how generated frames fit an output of another shape (letterbox)")
    _add_smooth_arg(r)
    r.add_argument("--in", dest="input", type=argtypes.input_source, metavar="SRC",
                   help="video to restyle: none (text only), camera, camera:N, camera:/dev/videoN, file:CLIP, "
                        "image:PICTURE or net (what vcam cam --send uploads) (default: the show's input:, else none)")
    r.add_argument("--in-fit", dest="input_fit", choices=INPUT_FITS,
                   help="how the input fits the generated frame size (crop)")
    r.add_argument("--strength", type=argtypes.strength, metavar="X",
                   help=f"how much of the input survives: 0 keeps it all, 1 is text only ({DEFAULT_STRENGTH:g})")
    r.add_argument("--bias", type=argtypes.bias, metavar="X",
                   help="Krea's attention bias on the past frames, above 0 to 1: lower leans less on the frames "
                        "just made, so prompt changes land sooner (Krea runs 0.3) (default: the show's bias:, else "
                        "1, off)")
    r.add_argument("--duration", type=argtypes.positive(float), metavar="SECONDS", help="stop after this long on air")
    r.add_argument("--max-latency", type=argtypes.positive(float), default=4.0, metavar="SECONDS",
                   help="drop the oldest frames past this much delay (4)")
    r.add_argument("--fallback", metavar="IMAGE", type=argtypes.user_path,
                   help="image shown while generation is stalled (default: hold the last frame)")
    r.add_argument("--quant", choices=QUANTS,
                   help="fp8: FP8 matrices through torchao (CUDA compute capability 8.9+; see BENCHMARKS.md); "
                        "nvfp4: 4-bit NVFP4 matrices (Blackwell, 10.0+; untested on a card yet); "
                        "default none, or fp8 where no --size was given and only fp8 fits the card or keeps "
                        "--target-fps at the largest size that keeps it")
    r.add_argument("--decoder", choices=DECODERS, help=DECODER_HELP.removesuffix("(vae)")
                   + "(default: a replayed log's, else vae)")
    # None: a replay's, else none
    r.add_argument("--attention-quant", choices=ATTENTION_QUANTS, help=ATTENTION_QUANT_HELP)
    sp = r.add_argument_group("speed", "by default the options `vcam bench --tune` saved for this card and these "
                                       "settings; any of these flags replaces them (the rest stay at the defaults)")
    sp.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                    help="torch.compile the transformer blocks and the VAE decoder before going on air (the default "
                         "on a GPU: measured fastest; minutes the first time at a size, then cached)")
    sp.add_argument("--attention", choices=ATTENTION, help="restrict attention to one kernel family (auto)")
    sp.add_argument("--compile-mode", choices=COMPILE_MODES, help=_COMPILE_MODE_HELP)
    sp.add_argument("--no-tuning", dest="tuning", action="store_false",
                    help="ignore the saved tuning (defaults, or the flags above)")
    r.add_argument("--pin-first-latent", action="store_true",
                   help="keep the stream's first latent as context instead of re-encoding recent frames")
    r.add_argument("--midi", metavar="PORT", type=argtypes.midi_port,
                   help=f"a MIDI input, {MIDI_PORT_HELP} (vcam run defaults to the show's midi: port; none opens "
                        "no input)")
    r.add_argument("--midi-map", metavar="MAP", type=argtypes.user_path,
                   help="nanokontrol2, midimix, apc-mini-mk2 or a map file (default: the show's midi: section)")
    _add_osc_args(r)
    r.add_argument("--media", action="append", metavar="DIR", type=argtypes.user_path,
                   help="a folder whose clips and images commands from the network (vcam cam clients, --osc) may "
                        "name with input file: or image:; repeatable (default: the show file's folder, else none)")
    r.add_argument("--link", action="store_true",
                   help="take the tempo from the Ableton Link session on the local network (Live, phone apps; "
                        "needs the link extra: pip install -e \".[link]\")")
    r.add_argument("--no-stdin", dest="stdin", action="store_false", help="ignore commands on stdin")
    r.add_argument("--log-controls", metavar="FILE", type=argtypes.user_path,
                   help="write every applied command to FILE (JSON lines); not with --replay, whose log already "
                        "holds them")
    r.add_argument("--replay", metavar="LOG", type=argtypes.user_path,
                   help="replay a control log (same start, same commands, same blocks)")


def _add_run_parser(sub) -> None:
    r = sub.add_parser("run", help="generate live video into the virtual camera and other outputs",
                       description="Loads the model and streams it into every --out at a steady frame rate. "
                                   "Settings given here override the show file's.")
    _add_live_args(r, "vcam")


def _add_serve_parser(sub) -> None:
    s = sub.add_parser("serve", help="generate on this (GPU) machine for vcam cam clients over WebSocket",
                       description="Like vcam run, with a WebSocket output that vcam cam clients watch and "
                                   "steer. Local --out outputs are optional.")
    _add_live_args(s, "none")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (127.0.0.1: reach it through ssh -L; 0.0.0.0 needs --token)")
    s.add_argument("--port", type=argtypes.within(int, 1, 65535), default=8765)
    s.add_argument("--token", default=None, help="a secret clients must give (default: $VCAM_TOKEN)")
    s.add_argument("--quality", type=argtypes.within(int, 10, 100), default=80, metavar="Q",
                   help="JPEG quality of the frames sent (80)")


def _add_cam_parser(sub) -> None:
    cam = sub.add_parser("cam", help="show a vcam serve stream in this machine's virtual camera (no GPU needed)",
                         description="Receives frames from vcam serve, paces them into the local outputs, and "
                                     "sends typed and MIDI commands back. Reconnects by itself.")
    cam.add_argument("url", metavar="ws://HOST:PORT")
    cam.add_argument("--token", default=None, help="the server's token (default: $VCAM_TOKEN)")
    cam.add_argument("--out", action="append", metavar="OUTPUT", help="as for vcam run (default: vcam)")
    cam.add_argument("--size", type=argtypes.output_size, metavar="WxH", help="output size (default 832x480)")
    cam.add_argument("--fps", type=argtypes.within(float, 1, 240), default=30.0, help="camera frame rate (30)")
    cam.add_argument("--fit", choices=("letterbox", "crop", "stretch"), default="letterbox",
                     help="how the server's frames fit an output of another shape (letterbox)")
    _add_smooth_arg(cam)
    cam.add_argument("--duration", type=argtypes.positive(float), metavar="SECONDS",
                     help="stop this long after the first frame received; with no frame at all, give up (exit 1) "
                          "after this long or 10 minutes, whichever is longer")
    cam.add_argument("--max-latency", type=argtypes.positive(float), default=4.0, metavar="SECONDS",
                     help="drop the oldest frames past this much delay (4)")
    cam.add_argument("--fallback", metavar="IMAGE", type=argtypes.user_path,
                     help="image shown while the server is unreachable")
    cam.add_argument("--midi", metavar="PORT", type=argtypes.cam_midi_port,
                     help=f"a MIDI input, {MIDI_PORT_HELP}, whose commands go to the server; needs --midi-map"
                          " (none opens no input)")
    cam.add_argument("--midi-map", metavar="MAP", type=argtypes.user_path,
                     help="nanokontrol2, midimix, apc-mini-mk2 or a map file, for --midi")
    _add_osc_args(cam, show=False)
    cam.add_argument("--no-stdin", dest="stdin", action="store_false")
    cam.add_argument("--send", metavar="SRC",
                     help="send this machine's camera or a clip up as the server's input: camera, camera:N, "
                          "camera:/dev/videoN or file:CLIP (one client at a time; the server's input is net)")


def _add_bench_parser(sub) -> None:
    b = sub.add_parser("bench", help="time the streaming loop on random weights (tiny on a CPU)",
                       description="Builds the model with random weights on the GPU (no download, same FLOPs), "
                                   "runs warm-up then N blocks of the real loop, and prints frames/s, ms per "
                                   "stage, peak VRAM and efficiency against the card's measured matmul rate. "
                                   "--tune times every speed option that gives the same frames and saves the "
                                   "fastest for this card; vcam run and vcam serve then use it.")
    b.add_argument("--model", default="krea-14b")
    b.add_argument("--size", type=argtypes.frame_size, metavar="WxH", help="frame size (default: the model's)")
    b.add_argument("--steps", type=argtypes.within(int, 1, 50), default=4, metavar="N")
    b.add_argument("--blocks", type=argtypes.within(int, 1), default=8, help="blocks timed (8)")
    b.add_argument("--warmup", type=argtypes.within(int, 0), default=3,
                   help="blocks run first, untimed (3; at least 2: the first has no context, so the steady state "
                        "starts at the second)")
    b.add_argument("--dtype", choices=("bf16", "fp16", "fp32"),
                   help="the transformer's precision on a GPU (bf16); a CPU runs fp32")
    b.add_argument("--compile", action=argparse.BooleanOptionalAction, default=None,
                   help="torch.compile the transformer blocks and the VAE decoder (default: as a show would, so "
                        "on a GPU for a real model)")
    b.add_argument("--no-fuse", dest="fuse", action="store_false", help="separate q, k, v projections")
    b.add_argument("--attention", choices=ATTENTION, default="auto")
    b.add_argument("--compile-mode", choices=COMPILE_MODES, help=_COMPILE_MODE_HELP)
    b.add_argument("--quant", choices=QUANTS, default="none",
                   help="fp8: torchao FP8 matrices (CUDA 8.9+); nvfp4: 4-bit NVFP4 (Blackwell, 10.0+)")
    b.add_argument("--decoder", choices=DECODERS, default="vae", help=DECODER_HELP)
    b.add_argument("--attention-quant", choices=ATTENTION_QUANTS, default="none", help=ATTENTION_QUANT_HELP)
    b.add_argument("--device", help="cuda, cuda:1, cpu (default: cuda where there is one)")
    b.add_argument("--in", dest="video_in", action="store_true",
                   help="video in: restyle a synthetic moving clip at the default strength (times the VAE encode); "
                        "with --tune, saved apart from text only, for shows with an input")
    b.add_argument("--bias", type=argtypes.bias, default=1.0, metavar="X",
                   help="Krea's attention bias (1, off; 0.3 times the segmented attention Krea's setting runs)")
    b.add_argument("--split", action="store_true",
                   help="then profile one more block: the ms of its recompute and first denoising pass in GEMM, "
                        "attention and everything else, naming the largest of the last")
    b.add_argument("--json", action="store_true", help="print the result as JSON")
    b.add_argument("--tune", action="store_true",
                   help="time every speed option that gives the same frames and save the fastest for this card "
                        "(vcam run and vcam serve use it by default)")
    b.add_argument("--tune-budget", type=argtypes.positive(float), metavar="SECONDS",
                   help="with --tune: start no new candidate after this long (the most promising run first)")


def _add_render_parser(sub) -> None:
    r = sub.add_parser("render", help="make a show again from its control log into a video file, every frame once",
                       description="Replays a log written by vcam run --log-controls offline, as fast as the "
                                   "model goes: the same start and the same changes at the same blocks, every "
                                   "generated frame written once at the show's frame rate (no pacing, no repeated "
                                   "frames). With the same model, size and steps the frames are the show's; "
                                   "--size, --steps, --model and --quant make a finer one. To play a log into the "
                                   "camera in real time, use vcam run --replay.")
    r.add_argument("log", metavar="LOG.jsonl", help="a control log (vcam run --log-controls FILE)")
    r.add_argument("--out", action="append", required=True, metavar="OUTPUT",
                   help="file:PATH.mp4 (optionally @WxH) or null; repeatable")
    r.add_argument("--model", help="the model to render with (default: the show's)")
    r.add_argument("--weights", metavar="DIR", help="a local folder laid out like the hub repos")
    r.add_argument("--size", type=argtypes.frame_size, metavar="WxH", help="generated frame size (default: the show's)")
    r.add_argument("--steps", type=argtypes.within(int, 1, 50), metavar="N",
                   help="denoising steps for every block, the show's changes of steps included (default: the "
                        "show's)")
    r.add_argument("--quant", choices=QUANTS, help="precision (default: the show's)")
    r.add_argument("--decoder", choices=DECODERS, help="vae or taehv (default: the show's)")
    r.add_argument("--attention-quant", choices=ATTENTION_QUANTS,
                   help="none (the exact attention) or int8 (default: the show's)")
    r.add_argument("--fps", type=argtypes.within(float, 1, 240),
                   help="frame rate of the files (default: the show's, else 30)")
    r.add_argument("--fit", choices=("letterbox", "crop", "stretch"),
                   help="how frames fit an output given @WxH of another shape (letterbox)")
    r.add_argument("--blocks", type=argtypes.within(int, 1), metavar="N",
                   help="render only the first N blocks (a log without its end line needs it)")
    r.add_argument("--no-tuning", dest="tuning", action="store_false",
                   help="ignore the speed options vcam bench --tune saved")


def _add_midi_parser(sub) -> None:
    m = sub.add_parser("midi", help="MIDI tools")
    msub = m.add_subparsers(dest="midi_command", metavar="learn", required=True)
    learn = msub.add_parser("learn", help="print each incoming control and the mapping line to paste")
    learn.add_argument("--midi", metavar="PORT", type=argtypes.midi_input,
                       help="the input, by its name or a part of it (default: the first)")
    learn.add_argument("--count", type=argtypes.within(int, 1),
                       help="stop after this many messages from controls (notes, CCs, program changes; MIDI clock, "
                            "pitch bend and sysex are not counted)")


def _add_download_parser(sub) -> None:
    d = sub.add_parser("download", help="download the model weights into the Hugging Face cache")
    d.add_argument("--model", default="krea-14b")
    d.add_argument("--decoder", choices=DECODERS, default="vae", help="taehv: TAEHV's weights too (from GitHub)")


def build_parser() -> argparse.ArgumentParser:
    from vcam import __version__

    p = _Parser(prog="vcam", description="Krea Realtime 14B as a live virtual camera.")
    p.add_argument("--version", action="version", version=f"vcam {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    # in this order in `vcam --help`
    _add_run_parser(sub)
    _add_serve_parser(sub)
    _add_cam_parser(sub)
    _add_bench_parser(sub)
    _add_render_parser(sub)
    k = sub.add_parser("check", help="validate a show file and print a summary")
    k.add_argument("show", metavar="SHOW.yaml")
    sub.add_parser("devices", help="list MIDI inputs and virtual camera devices")
    _add_midi_parser(sub)
    sub.add_parser("models", help="list the model configurations")
    _add_download_parser(sub)
    return p


def cmd_run(args, attach=None) -> int:
    from vcam.live.run import RunOptions, play

    opts = RunOptions(
        show=args.show, model=args.model, weights=args.weights, prompt=args.prompt, seed=args.seed,
        steps=args.steps, transition=args.transition, size=args.size, outs=args.out, fps=args.fps, fit=args.fit,
        input=args.input, input_fit=args.input_fit, strength=args.strength, bias=args.bias, smooth=args.smooth,
        duration=args.duration, max_latency=args.max_latency, fallback=args.fallback,
        pin_first_latent=args.pin_first_latent, stdin=args.stdin, midi=args.midi, midi_map=args.midi_map,
        link=args.link, log_controls=args.log_controls, replay=args.replay, serve=attach is not None, quant=args.quant,
        decoder=args.decoder, attention_quant=args.attention_quant,
        speed=_speed_flags(args),
        tuning=args.tuning,
        target_fps=args.target_fps, osc=args.osc, osc_reply=args.osc_reply, osc_map=args.osc_map, media=args.media,
    )
    ended = play(opts, attach)
    if ended.error is not None:
        _say_error(ended.error)
    if ended.busy:
        # Outputs are closed and recordings finalised by now; the show's producer is still inside a block (a long
        # one, or a model still loading): leave at once rather than wait for it or let the interpreter tear it
        # down mid-kernel.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ended.code)
    return ended.code


def _speed_flags(args) -> SpeedFlags:
    _check_compile_mode(args)
    return SpeedFlags(compile=args.compile, attention=args.attention, compile_mode=args.compile_mode)


def _check_compile_mode(args) -> None:
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
    return 130 if result.interrupted else 0


def cmd_serve(args) -> int:

    from vcam.remote.attach import attachment
    from vcam.remote.server import TOKEN_ENV, ServeSettings

    token = args.token or os.environ.get(TOKEN_ENV) or None
    # the server is one more consumer of the show's blocks, and one more way in for commands
    return cmd_run(args, attachment(ServeSettings(host=args.host, port=args.port, token=token, quality=args.quality)))


def cmd_cam(args) -> int:

    from vcam.remote.client import CamOptions, run_cam
    from vcam.remote.server import TOKEN_ENV

    return run_cam(CamOptions(
        url=args.url, token=args.token or os.environ.get(TOKEN_ENV) or None, outs=args.out or ["vcam"],
        size=args.size, fps=args.fps, fit=args.fit, smooth=args.smooth, duration=args.duration,
        max_latency=args.max_latency, fallback=args.fallback, stdin=args.stdin, midi=args.midi,
        midi_map=args.midi_map, send=args.send, osc=args.osc, osc_reply=args.osc_reply, osc_map=args.osc_map,
    ))


def cmd_bench(args) -> int:
    from vcam.live.signals import ctrl_c_held

    with ctrl_c_held():  # PyTorch's import, which a Ctrl-C could abort the process in
        from vcam.bench.bench import BenchSettings, bench

    width, height = args.size or (None, None)
    log = (lambda msg: print(f"vcam: {msg}", file=sys.stderr)) if args.json else (lambda msg: print(f"vcam: {msg}"))
    speed = SpeedOptions(fuse=args.fuse, compile=bool(args.compile), attention=args.attention, quant=args.quant,
                         decoder=args.decoder, compile_mode=args.compile_mode or "default",
                         attention_quant=args.attention_quant)
    settings = BenchSettings(model=args.model, width=width, height=height, steps=args.steps, blocks=args.blocks,
                             warmup=args.warmup, dtype=args.dtype, speed=speed, device=args.device,
                             input=args.video_in, bias=args.bias, split=args.split)
    if args.tune and args.bias != 1.0:
        raise VcamError("--bias times one run; --tune picks speed options at bias 1 (a show keeps them at any bias)",
                        "leave out --bias with --tune, or --tune with --bias")
    if args.tune and args.split:
        raise VcamError("--split profiles one run; --tune times many", "leave out --split with --tune")
    if args.tune:
        return _tune(args, settings, log)
    _check_compile_mode(args)
    if args.compile is None:
        settings = replace(settings, speed=replace(speed, compile=_live_compile(settings)))
    unused = unused_compile_mode(args.compile_mode, settings.speed.compile)
    if unused:  # said, and left out of the result, which names what ran
        log(unused)
        settings = replace(settings, speed=replace(settings.speed, compile_mode="default"))
    if args.tune_budget is not None:
        raise VcamError("--tune-budget only applies to a tuning run", "add --tune, or leave out --tune-budget")
    try:
        result = bench(settings, log=log)
    except KeyboardInterrupt:  # it left with exit code 130 and not a word
        print("vcam: stopped (Ctrl-C) before the timing finished: no result; --blocks N and --warmup N make a "
              "shorter run", file=sys.stderr)
        return 130
    print(result.to_json() if args.json else result.table())
    return 0


def _live_compile(settings) -> bool:
    """Whether a show at these settings compiles when not told (SpeedOptions.live_defaults)."""
    from vcam.bench.bench import bench_target
    from vcam.engine.configs import get_spec

    target = bench_target(settings, lambda message: None)
    return SpeedOptions.live_defaults(on_gpu=target.device.type == "cuda",
                                      random_weights=get_spec(target.model).random_weights).compile


def _tune(args, settings, log) -> int:
    from vcam.bench.tuning import tune

    compile_flag = "--compile" if args.compile else "--no-compile"
    by_hand = [flag for flag, given in ((compile_flag, args.compile is not None), ("--no-fuse", not args.fuse),
                                        ("--attention", args.attention != "auto"),
                                        ("--compile-mode", args.compile_mode is not None)) if given]
    if by_hand:
        raise VcamError(f"--tune tries the speed options itself; {', '.join(by_hand)} would be ignored",
                        f"leave out {', '.join(by_hand)} (--quant and --attention-quant stay as given: neither is "
                        "ever chosen for you)")
    result = tune(settings, log=log, budget_s=args.tune_budget)
    print(result.to_json() if args.json else result.table())
    if result.saved:
        return 0
    if result.best is not None:  # measured, but the file could not be written: said above with the reason
        raise VcamError(f"the fastest options were measured but could not be saved to {result.path}",
                        f"make {result.path.parent} writable, or set VCAM_CACHE_DIR to a folder that is, then tune "
                        "again")
    if result.interrupted:  # Ctrl-C before any candidate finished: nothing failed
        return 130
    raise VcamError("every candidate failed, so nothing was saved",
                    "see each candidate's error above; `vcam bench` with one of them shows the whole error")


def cmd_check(args) -> int:
    from vcam.control.presetlines import preset_lines
    from vcam.control.show import load_show

    show = load_show(args.show)
    _check_recordings(show)
    print(f"{args.show}: show {show.name!r}, {counted(len(show.presets), 'preset')}")
    for line in preset_lines(show):
        print(line)
    d, o = show.defaults, show.output
    print(f"  defaults: seed {d.seed}, steps {d.steps}, transition {d.transition}"
          + (f", fallback {d.fallback}" if d.fallback else "")
          + "".join(f", {k} {v}" for k, v in (("input", d.input), ("strength", d.strength), ("bias", d.bias),
                                              ("input_fit", d.input_fit)) if v is not None)
          + (f", {d.bpm:g} bpm" if d.bpm is not None else "")
          + (f", changes land {lands_on(d.quantize)}" if d.quantize != "off" else ""))
    if any(v is not None for v in (o.size, o.fps, o.fit, o.out)):
        # no size: vcam run picks one for the card (--target-fps), the model's own without CUDA
        size = f"{o.size[0]}x{o.size[1]}" if o.size else "size picked for the card"
        print(f"  output: {size}, {o.fps or 30:g} fps, {o.fit or 'letterbox'}, {', '.join(o.out or ['vcam'])}")
    if show.midi is not None:
        m = show.midi
        knobs, buttons = m.acting()
        print(f"  midi: {m.name or 'inline map'}: {m.knobs_counted}, {counted(len(buttons), 'button')}"
              + (", program change selects presets" if m.program_to_preset else "")
              + (f", port {show.midi_port!r}" if show.midi_port else ""))
    if show.cues:
        loops = show.cues[-1].loop
        print(f"  cues: {len(show.cues)}{', looping' if loops else ''} (go fires the next, back steps back"
              + ("; after the last, cue 1 again)" if loops else ")"))
        for i, c in enumerate(show.cues, 1):
            timing = f" ({c.timing()})" if c.timing() else ""
            print(f"  {i:2d}. {c.name}{timing}: {'; '.join(c.do)}" + (" (then cue 1 again)" if c.loop else ""))
    if show.osc is not None:
        print(f"  osc: {show.osc.describe()}")
    print("ok")
    return 0


def _check_recordings(show) -> None:
    """The show's outputs, checked as `vcam run` checks them before they open (live/outputs/paths.py) and as its
    file: outputs open (their folder exists and can be written; nothing is written): none writes over a file the
    show reads or over another, and no two share a camera; VcamError naming the show and the output."""
    from functools import partial

    from vcam.live.outputs.paths import check_outputs
    from vcam.live.outputs.recording import Recording
    from vcam.live.showreads import show_reads
    from vcam.live.showwrites import show_output_written
    from vcam.outspec import parse_spec

    width, height = show.output.size or (832, 480)  # even, as every size a show can give; @WxH is the output's own

    def check_file(spec) -> None:
        try:
            # a recording the show is making now is no fault of the show file: an edit is checked mid-show
            Recording(spec.target, spec.width or width, spec.height or height, show.output.fps or 30.0,
                      check_in_use=False)
        except VcamError as e:
            raise VcamError(f"{show.path}: output {spec}: {e.message}", e.fix) from None

    specs = [parse_spec(text) for text in show.output.out or ()]
    named = partial(show_output_written, show.path)
    check_outputs(specs, [named(spec) for spec in specs if spec.kind == "file"], show_reads(show.path, show),
                  check_file=check_file, named=named)


def cmd_devices(args) -> int:
    from vcam.live.outputs.v4l2loopback import describe_cameras
    from vcam.control.midi import input_names

    try:
        names = input_names()
        print("MIDI inputs:" if names else "MIDI inputs: none (is a controller plugged in?)")
        for n in names:
            print(f"  {n}")
    except VcamError as e:
        print(f"MIDI inputs: unavailable ({e.message}; fix: {e.fix})" if e.fix else
              f"MIDI inputs: unavailable ({e.message})")
    import platform

    if platform.system() == "Linux":
        for line in describe_cameras():
            print(line)
    else:
        print("virtual camera: OBS Virtual Camera (install OBS 28+ and start its virtual camera once)")
    return 0


def cmd_midi(args) -> int:
    from vcam.control.midilearn import default_port, learn

    learn(args.midi or default_port(), lambda line: print(line, flush=True),
          lambda said: print(said, file=sys.stderr, flush=True), count=args.count)
    return 0


def cmd_models(args) -> int:
    from vcam.engine.configs import MODELS

    for name, spec in MODELS.items():
        where = "random weights" if spec.random_weights else ", ".join(repo for repo, _ in spec.hub_files)
        print(f"{name:10s} {spec.width}x{spec.height}  {spec.description}  [{where}]")
    return 0


def cmd_download(args) -> int:
    from vcam.engine.configs import get_spec
    from vcam.engine.hub import from_hub

    spec = get_spec(args.model)
    if spec.random_weights:
        print(f"{spec.name} has random weights: nothing to download")
        return 0
    from vcam.engine.taehv_weights import check_taehv

    check_taehv(args.decoder, None, at_random=False)  # offline with no file: said before the hub's gigabytes
    try:
        paths = from_hub(spec)
    except KeyboardInterrupt:  # tens of GB in: what is kept matters more than the exit code alone
        print("\nvcam: download stopped; the files it finished are kept: run `vcam download` again to fetch the "
              "rest", file=sys.stderr)
        return 130
    print(f"weights ready: {paths.transformer.parent} and {paths.vae.parent}")
    if args.decoder == "taehv":
        from vcam.engine.taehv_weights import find_taehv

        print(f"TAEHV's weights ready: {find_taehv()}")
    return 0


# Optional packages announce on import what this machine will not use; the operator's terminal keeps to what
# they can act on. VCAM_DEBUG shows it all.
IMPORT_CHATTER = ("torch.utils._pytree", "diffusers.quantizers.torchao.torchao_quantizer")


class _CPUBuildOnly(logging.Filter):
    """torchao's GPU-only extensions fail to load on a CPU build of PyTorch, as they must; on a CUDA build the
    same message means FP8 is broken, and stays."""

    def filter(self, record: logging.LogRecord) -> bool:
        torch = sys.modules.get("torch")  # loaded by torchao, which is what logs; vcam's light side never loads it
        return torch is None or torch.version.cuda is not None


# The optional parts of an install, by the top-level module whose absence shows that one is missing.
EXTRAS = {"torch": "engine", "diffusers": "engine", "transformers": "engine", "safetensors": "engine",
          "huggingface_hub": "engine", "mido": "midi", "rtmidi": "midi", "torchao": "fp8", "pythonosc": "osc",
          "aalink": "link"}
WHAT = {"engine": "the engine (PyTorch and the model code), which the camera-only install leaves out",
        "midi": "MIDI support (mido and python-rtmidi)", "fp8": "FP8 and NVFP4 support (torchao)",
        "osc": "OSC support (python-osc)", "link": "Ableton Link support (aalink)"}


def _missing_extra(e: ImportError) -> str | None:
    """The optional part of the install (the pyproject extra) that `e` shows to be missing."""
    if not isinstance(e, ModuleNotFoundError) or not e.name:
        return None
    return EXTRAS.get(e.name.split(".")[0])


def _raised_by_vcam(e: BaseException) -> bool:
    """Whether `e` was raised by vcam's own code (a check of the user's input) rather than inside a library."""
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    package = os.path.dirname(os.path.abspath(__file__))
    return tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(package + os.sep)


def _internal_error(e: BaseException) -> None:
    print(f"vcam: error: {e.__class__.__name__}: {e}", file=sys.stderr)
    print("  (set VCAM_DEBUG=1 for the full traceback)", file=sys.stderr)


def _say_error(e: VcamError) -> None:
    print(f"vcam: error: {e.message}", file=sys.stderr)
    if e.fix:
        print(f"  fix: {e.fix}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    if argv is None:  # the command line's own process (tests call main with their arguments, in theirs)
        from vcam.stdio import guard_standard_streams, leave_at_once_on_ctrl_c

        guard_standard_streams()
        try:
            return _main(argv)
        finally:
            leave_at_once_on_ctrl_c()
    return _main(argv)


# `vcam` alone: the commands and a first one to try, where argparse said only "the following arguments are
# required: command"
FIRST_STEP = "vcam: give a command; to start: vcam run --model tiny --out file:show.mp4 --duration 10"


def _main(argv: list[str] | None) -> int:
    if not (sys.argv[1:] if argv is None else argv):
        build_parser().print_help(sys.stderr)
        print(f"\n{FIRST_STEP}", file=sys.stderr)
        return 2
    try:
        args = build_parser().parse_args(argv)
    except KeyboardInterrupt:  # Ctrl-C at once after Enter: the options' modules (numpy) are still loading
        return 130
    if not os.environ.get("VCAM_DEBUG"):
        for name in IMPORT_CHATTER:
            logging.getLogger(name).setLevel(logging.ERROR)
        logging.getLogger("torchao").addFilter(_CPUBuildOnly())
    handler = {"run": cmd_run, "models": cmd_models, "download": cmd_download, "check": cmd_check,
               "devices": cmd_devices, "midi": cmd_midi, "serve": cmd_serve, "cam": cmd_cam,
               "bench": cmd_bench, "render": cmd_render}[args.command]
    try:
        return handler(args)
    except VcamError as e:
        _say_error(e)
        return 2
    except ConfigError as e:
        print(f"vcam: error in {e.what}:\n  " + "\n  ".join(e.problems), file=sys.stderr)
        return 2
    except ImportError as e:
        if os.environ.get("VCAM_DEBUG"):
            raise
        extra = _missing_extra(e)
        if extra is None:
            _internal_error(e)
        else:
            print(f"vcam: error: vcam {args.command} needs {WHAT[extra]} (no module named {e.name!r})\n"
                  f"  fix: pip install -e \".[{extra}]\"  (in the vcam folder)", file=sys.stderr)
        return 2
    except (ValueError, OSError, RuntimeError) as e:
        if os.environ.get("VCAM_DEBUG"):
            raise
        if isinstance(e, ValueError) and _raised_by_vcam(e):
            print(f"vcam: error: {e}", file=sys.stderr)  # one of vcam's own checks: the message is the whole story
        elif isinstance(e, OSError) and e.filename and e.strerror:  # a path the user gave, or one made from it
            print(f"vcam: error: {e.filename}: {e.strerror}", file=sys.stderr)
        else:
            _internal_error(e)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
