"""The `vcam` command and its subcommands."""
from __future__ import annotations

import argparse
import sys

from vcam.errors import VcamError


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT (e.g. 832x480)") from None
    if w <= 0 or h <= 0 or w % 16 or h % 16:
        raise argparse.ArgumentTypeError(f"{text}: width and height must be positive multiples of 16 "
                                         "(e.g. 832x480, 576x320, 480x832)")
    return w, h


def _positive(kind):
    def parse(text: str):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be more than 0")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    from vcam import __version__

    p = argparse.ArgumentParser(prog="vcam", description="Krea Realtime 14B as a live virtual camera.")
    p.add_argument("--version", action="version", version=f"vcam {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("run", help="generate live video into the virtual camera and other outputs",
                       description="Loads the model and streams it into every --out at a steady frame rate.")
    r.add_argument("--model", choices=None, help="krea-14b (CUDA) or tiny (random weights, any machine); "
                                                 "default: krea-14b where a CUDA GPU exists, else tiny")
    r.add_argument("--weights", metavar="DIR", help="a local folder laid out like the hub repos "
                                                    "(default: download from the Hugging Face hub)")
    r.add_argument("--prompt", help="what to generate")
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--steps", type=int, default=4, choices=range(1, 51), metavar="N", help="denoising steps (4)")
    r.add_argument("--transition", type=int, default=4, metavar="BLOCKS",
                   help="blocks over which a prompt change blends in (4)")
    r.add_argument("--size", type=_size, metavar="WxH", help="generated frame size (default 832x480 for krea-14b)")
    r.add_argument("--out", action="append", metavar="OUTPUT",
                   help="vcam, vcam:DEVICE, file:PATH.mp4, window or null, optionally @WxH; repeatable "
                        "(default: vcam)")
    r.add_argument("--fps", type=_positive(float), default=30.0, help="camera frame rate (30)")
    r.add_argument("--fit", choices=("letterbox", "crop", "stretch"), default="letterbox",
                   help="how generated frames fit an output of another shape")
    r.add_argument("--smooth", action="store_true", help="cross-fade between generated frames")
    r.add_argument("--duration", type=_positive(float), metavar="SECONDS", help="stop after this long on air")
    r.add_argument("--max-latency", type=_positive(float), default=4.0, metavar="SECONDS",
                   help="drop the oldest frames past this much delay (4)")
    r.add_argument("--fallback", metavar="IMAGE", help="image shown while generation is stalled "
                                                       "(default: hold the last frame)")
    r.add_argument("--pin-first-latent", action="store_true",
                   help="keep the stream's first latent as context instead of re-encoding recent frames")

    sub.add_parser("models", help="list the model configurations")

    d = sub.add_parser("download", help="download the model weights into the Hugging Face cache")
    d.add_argument("--model", default="krea-14b")
    return p


def cmd_run(args) -> int:
    from vcam.run import RunOptions, run

    opts = RunOptions(
        model=args.model, weights=args.weights, seed=args.seed, steps=args.steps, transition=args.transition,
        size=args.size, outs=args.out or ["vcam"], fps=args.fps, fit=args.fit, smooth=args.smooth,
        duration=args.duration, max_latency=args.max_latency, fallback=args.fallback,
        pin_first_latent=args.pin_first_latent,
    )
    if args.prompt:
        opts.prompt = args.prompt
    return run(opts)


def cmd_models(args) -> int:
    from vcam.configs import MODELS

    for name, spec in MODELS.items():
        where = "random weights" if spec.random_weights else ", ".join(repo for repo, _ in spec.hub_files)
        print(f"{name:10s} {spec.width}x{spec.height}  {spec.description}  [{where}]")
    return 0


def cmd_download(args) -> int:
    from vcam.configs import get_spec
    from vcam.weights import from_hub

    spec = get_spec(args.model)
    if spec.random_weights:
        print(f"{spec.name} has random weights: nothing to download")
        return 0
    paths = from_hub(spec)
    print(f"weights ready: {paths.transformer.parent} and {paths.vae.parent}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler = {"run": cmd_run, "models": cmd_models, "download": cmd_download}[args.command]
    try:
        return handler(args)
    except VcamError as e:
        print(f"vcam: error: {e.message}", file=sys.stderr)
        if e.fix:
            print(f"  fix: {e.fix}", file=sys.stderr)
        return 2
    except ValueError as e:
        print(f"vcam: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
