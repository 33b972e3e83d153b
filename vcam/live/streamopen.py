"""The model's stream, opened on the producer's thread: the engine loaded (minutes, its steps on the loading card),
the show's prompts encoded, and the first blocks compiled or warmed up before going on air. vcam run and vcam render
open it alike."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from vcam.errors import LoadStopped, NonFinitePromptError
from vcam.live.inputs import InputSwitch
from vcam.live.settings import RunOptions, ShowSettings

if TYPE_CHECKING:
    from vcam.bench.tuning import SpeedChoice


def stream_opener(opts: RunOptions, model: str, cfg: ShowSettings, speed: SpeedChoice, prompts: list[str],
                   inputs: InputSwitch, say: Callable[[str], None], stopped: Callable[[], bool] = lambda: False):
    """What the producer thread runs first: loads the engine (minutes, with progress on the card) and starts the
    stream on its first input, compiled or warmed up before going on air. `prompts` (the show's presets') are
    encoded with the starting ones before a card short of memory moves the text encoder to the CPU. A prompt longer
    than the text encoder reads is said with `say` when it is first encoded, wherever that happens. `stopped`: the
    show is stopping; the load ends at its next step, or before the stream starts, with LoadStopped."""
    def open_stream(report: Callable[[str], None]):
        import vcam

        engine = vcam.load(model, weights=opts.weights, width=cfg.width, height=cfg.height, report=report,
                           speed=speed.options, adapt=cfg.adapt, stopped=stopped)
        if stopped():  # before the prompts are encoded and the first blocks warm up: seconds, minutes on a card
            raise LoadStopped()
        engine.text.on_cut = say  # before the first prompt is encoded: a prompt cut short is said as it is
        if engine.offload_text_after_start:
            first = list(cfg.prompts) + [text for text in prompts if text not in cfg.prompts]
            report(f"encoding {len(first)} prompts before moving the text encoder to the CPU")
            engine.text.hold(first)  # however many and long: a prompt dropped would take seconds on the CPU
            for text in first:
                engine.text.encode(text)
            engine.offload_text()
        try:
            stream = engine.stream(cfg.prompts, seed=cfg.seed, width=engine.width, height=engine.height,
                                   steps=cfg.steps, transition=cfg.transition, pin_first_latent=cfg.pin_first_latent,
                                   bias=cfg.bias)
        except NonFinitePromptError as e:
            raise NonFinitePromptError(e.message, first_prompt_fix(opts)) from None
        # a card too small for the show's size made the engine smaller: the input follows
        stream.set_input(inputs.resize(engine.width, engine.height), strength=cfg.strength)
        if engine.device.type == "cuda" or speed.options.compile:
            # The first blocks compile and pick kernels: slow, and better off air.
            what = ("compiling for this size before going on air (minutes the first time, then cached)"
                    if speed.options.compile else "warming up")
            say(what)
            report(what)
            stream.warm_up(say=say)
        return stream

    return open_stream


def first_prompt_fix(opts: RunOptions) -> str:
    """What to do about a first prompt the text encoder overflows on: a live show starts on other words; a log made
    again (vcam render, vcam run --replay) starts on its own, which no option changes."""
    if opts.replay:
        return (f"{opts.replay} starts on this prompt: make it again with the model and on the kind of card its show "
                "ran with (--model), where the text encoder read it")
    return "start on other words: give --prompt TEXT, or put another preset of the show first"
