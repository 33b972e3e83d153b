"""The size and precision a show starts at: where nobody gave a size or a precision, the largest size that keeps
--target-fps on this card (vcam.bench.live_size prices them), else the one given, with a line saying what set it."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from vcam.control.show import Show
from vcam.live.settings import DEFAULT_TARGET_FPS, RunOptions, ShowSettings


def sized(opts: RunOptions, model: str, cfg: ShowSettings, random_weights: bool, show: Show | None,
          say: Callable[[str], None]) -> tuple[ShowSettings, str | None]:
    """The settings and quantization a show starts at: where nobody gave a size or a precision (`cfg.adapt`), the
    largest size that keeps --target-fps on this card (in bf16 where that size keeps it in bf16, else in FP8), said
    in one line (and one more where the show's presets switch to a video input later, which that rate does not
    price). A model with random weights (tiny, for trying vcam out and for tests) and a machine without CUDA keep the
    model's own size."""
    if not cfg.adapt or random_weights:
        if opts.target_fps is not None:
            say(f"--target-fps {opts.target_fps:g} is not used: {_sized_by(opts, model, random_weights)}")
        return cfg, opts.quant
    from vcam.bench.live_size import SizeChoice, live_size, unsized_why

    chosen = live_size(model, cfg.steps, opts.target_fps or DEFAULT_TARGET_FPS, use_tuning=opts.tuning,
                       decoder=opts.decoder or "vae", compiled=opts.speed.compile is not False,
                       video_in=cfg.input != "none", attention_quant=opts.attention_quant)
    if chosen is None:
        if opts.target_fps is not None:
            say(f"--target-fps {opts.target_fps:g} is not used: {unsized_why()}")
        return cfg, opts.quant
    say(chosen.message)
    if not isinstance(chosen, SizeChoice):  # nothing prices this show: the model's own size
        return cfg, opts.quant
    if cfg.input == "none" and (later := _video_in_presets(show)):
        which = f"preset {later[0]} switches" if len(later) == 1 else f"presets {', '.join(later)} switch"
        say(f"{which} to a video input, which is encoded every block and runs slower than the text-only rate "
            f"{chosen.width}x{chosen.height} was chosen by; to size the show for video in, run "
            "`vcam bench --tune --in` once, then start with --in")
    return replace(cfg, width=chosen.width, height=chosen.height), chosen.quant


def _video_in_presets(show: Show | None) -> list[str]:
    """The names of a show's presets that turn a video input on."""
    return [p.name for p in show.presets if p.input not in (None, "none")] if show else []


def _sized_by(opts: RunOptions, model: str, random_weights: bool) -> str:
    """What set the size instead of --target-fps."""
    if opts.replay:
        return "a replay runs at the size and precision of its log"
    if opts.size:
        return "--size gives the size"
    if opts.quant:
        return "--quant gives the precision, and the size stays the model's own"
    if random_weights:
        return f"{model} has random weights and plays at its own size"
    return "the show file gives the size (output: size:)"
