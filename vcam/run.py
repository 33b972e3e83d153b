"""`vcam run`: the main job. Outputs open first (showing a loading card), then the model loads and goes on air.

Data flows one way: generator thread → pacer (steady ticks) → one worker thread per output.
"""
from __future__ import annotations

import signal
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from vcam.frames import card, load_image
from vcam.generator import Generator
from vcam.outputs import open_outputs, parse_spec
from vcam.pacer import Pacer, PacerSettings
from vcam.status import StatusLine, format_status


@dataclass
class RunOptions:
    model: str | None = None
    weights: str | None = None
    prompt: str = "a slow drift through a neon city at night, rain on the streets, cinematic"
    seed: int = 0
    steps: int = 4
    transition: int = 4
    size: tuple[int, int] | None = None
    outs: list[str] = field(default_factory=lambda: ["vcam"])
    fps: float = 30.0
    fit: str = "letterbox"
    smooth: bool = False
    duration: float | None = None
    max_latency: float = 4.0
    fallback: str | None = None
    pin_first_latent: bool = False


def choose_model(requested: str | None, status: StatusLine) -> str:
    """The model to run: as asked, or krea-14b where a CUDA GPU exists and tiny where none does."""
    import torch

    from vcam.configs import get_spec
    from vcam.weights import check_cuda

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


def run(opts: RunOptions) -> int:
    status = StatusLine()
    specs = [parse_spec(s) for s in opts.outs]
    model = choose_model(opts.model, status)
    from vcam.configs import get_spec

    spec = get_spec(model)
    width, height = opts.size or (spec.width, spec.height)
    if width % 16 or height % 16:
        raise ValueError(f"--size {width}x{height}: both must be multiples of 16 (e.g. 832x480, 576x320)")
    fallback = load_image(opts.fallback, width, height) if opts.fallback else None

    workers = open_outputs(specs, width, height, opts.fps, opts.fit)  # before the model: no camera, no wait
    for w in workers:
        status.message(f"output {w.output.name} at {w.size[0]}x{w.size[1]}, {opts.fps:g} fps")

    pacer = Pacer(PacerSettings(fps=opts.fps, smooth=opts.smooth, max_latency=opts.max_latency))
    pacer.set_card(card(width, height, ["vcam", f"loading {model}..."]))
    pacer.set_fallback(fallback)

    def on_loading(message: str) -> None:
        pacer.set_card(card(width, height, ["vcam", message[:60]]))

    def open_stream(report):
        import vcam

        engine = vcam.load(model, weights=opts.weights, width=width, height=height, report=report)
        return engine.stream(opts.prompt, seed=opts.seed, width=width, height=height, steps=opts.steps,
                             transition=opts.transition, pin_first_latent=opts.pin_first_latent)

    stop = threading.Event()
    generator = Generator(open_stream, pacer, status.message, on_loading)
    ticks = _Ticks()
    recordings = [w for w in workers if w.output.name.startswith("file:")]
    live = [w for w in workers if w not in recordings]

    def emit(frame: np.ndarray) -> None:
        tick = ticks.next()
        for w in live:
            w.offer(frame, tick)
        if pacer.stats.pushed:  # recordings hold the show, not the loading card
            for w in recordings:
                w.offer(frame, tick)

    pacer_thread = threading.Thread(target=pacer.run, args=(emit, stop), name="pacer", daemon=True)
    previous = _on_signals(stop)
    try:
        pacer_thread.start()
        generator.start()
        on_air_at = None
        stalled = False
        while not stop.wait(0.25):
            if generator.state == "failed":
                raise generator.error
            if pacer.stats.pushed and on_air_at is None:
                on_air_at = time.monotonic()
                status.message(f"on air: {model} at {width}x{height}, {opts.steps} steps")
            if pacer.stats.stalled != stalled:
                stalled = pacer.stats.stalled
                status.message("generation stalled: holding the last frame" if stalled else "generation resumed")
            status.update(_status_text(pacer, ticks, generator))
            if opts.duration is not None and on_air_at is not None and time.monotonic() - on_air_at >= opts.duration:
                break
    finally:
        stop.set()
        status.end()
        _restore_signals(previous)
        pacer_thread.join(2.0)
        generator.stop(timeout=2.0)
        for w in workers:
            w.close()
        for w in recordings:
            rec = w.output
            if rec.frames:
                status.message(f"recorded {rec.frames} frames to {rec.path}")
    return 0


class _Ticks:
    def __init__(self):
        self.count = 0
        self.started = time.monotonic()
        self._window: list[float] = []

    def next(self) -> int:
        now = time.monotonic()
        self._window.append(now)
        if len(self._window) > 60:
            self._window.pop(0)
        self.count += 1
        return self.count - 1

    def fps(self) -> float:
        w = self._window
        return (len(w) - 1) / (w[-1] - w[0]) if len(w) > 1 and w[-1] > w[0] else 0.0


def _status_text(pacer: Pacer, ticks: _Ticks, generator: Generator) -> str:
    st = pacer.stats
    vram = None
    try:
        import torch

        if torch.cuda.is_available():
            vram = torch.cuda.memory_reserved() / 1024**3
    except ImportError:
        pass
    state = "STALLED" if st.stalled else ("LIVE" if st.pushed else "LOADING")
    return format_status(st.production_fps, ticks.fps(), st.buffered, st.latency, vram, None, state)


def _on_signals(stop: threading.Event):
    previous = {}
    if threading.current_thread() is not threading.main_thread():
        return previous
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, lambda *_: stop.set())
    return previous


def _restore_signals(previous) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)
