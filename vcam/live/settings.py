"""The settings of a local show, resolved once before anything opens: the command line over a replayed log's
starting settings over the show file over the defaults. A pure function of its inputs, so it is tested without
opening anything."""
from __future__ import annotations

import threading
from dataclasses import dataclass, field

from vcam.bias import DEFAULT_BIAS, check_bias
from vcam.errors import VcamError
from vcam.control.show import Show
from vcam.engine.speed import ATTENTION_QUANTS, DECODERS, QUANTS, SpeedFlags
from vcam.inspec import DEFAULT_INPUT_FIT, DEFAULT_STRENGTH, INPUT_FITS, check_strength, parse_input
from vcam.sizes import check_size
from vcam.outspec import OutputSpec, parse_spec
from vcam.words import clipped, quoted

DEFAULT_TARGET_FPS = 10.0  # generated frames/s a show's size is chosen to keep when --target-fps is not given
DEFAULT_PROMPT = ("A slow cinematic drift through a neon-lit city street at night, rain on the asphalt reflecting "
                  "pink and blue signs, light fog")


@dataclass
class RunOptions:
    """What the command line gave for one run; None means "from the show file, else the default"."""

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
    input: str | None = None  # --in: what to restyle (vcam.inspec), None: the show's, else text only
    input_fit: str | None = None  # --in-fit: crop, letterbox or stretch
    strength: float | None = None  # --strength: 0 (keep the input) to 1 (text only)
    bias: float | None = None  # --bias: Krea's attention bias, above 0 to 1 (off)
    smooth: str | None = None  # --smooth: "fade" or "flow" between generated frames, None repeats them
    duration: float | None = None
    max_latency: float = 4.0
    fallback: str | None = None
    pin_first_latent: bool = False
    quant: str | None = None  # None: not given ("none", or FP8 where only that fits the card)
    decoder: str | None = None  # --decoder: "taehv" (TAEHV's tiny decoder: faster, less faithful); None: a
    # replay's header's, else "vae"
    target_fps: float | None = None  # --target-fps: generated frames/s the size (and precision) are chosen to keep
    # (None: DEFAULT_TARGET_FPS; given and not used, it is said why)
    # --attention-quant: "int8" runs SageAttention's INT8 self-attention (inexact); None: a replay's header's, else
    # "none"
    attention_quant: str | None = None
    speed: SpeedFlags = SpeedFlags()  # the speed options by hand; none given: the tuning file, else the defaults
    tuning: bool = True  # use the options `vcam bench --tune` saved for this card
    stdin: bool = True
    midi: str | None = None
    midi_map: str | None = None
    osc: str | None = None  # --osc [HOST:]PORT: listen for OSC there
    osc_reply: str | None = None  # --osc-reply HOST:PORT: the state goes there
    osc_map: str | None = None  # --osc-map: over the show's osc: section
    media: list[str] | None = None  # --media: folders the network's commands may name files in (None: the show's)
    link: bool = False  # --link: join the Ableton Link session on the local network for the tempo
    log_controls: str | None = None
    replay: str | None = None
    serve: bool = False  # the camera is on another machine (vcam serve): no local output unless asked
    commands: object = field(default=None, repr=False)  # a binary stream of typed commands (default: stdin)
    commands_read: threading.Event | None = field(default=None, repr=False)  # set as the console starts reading
    status_out: object = field(default=None, repr=False)


@dataclass(frozen=True)
class ShowSettings:
    outs: tuple[OutputSpec, ...]
    width: int
    height: int
    adapt: bool  # nobody asked for a size or a precision: a card too small gets what fits, and says so
    fps: float
    fit: str
    seed: int
    steps: int
    transition: int
    pin_first_latent: bool
    prompts: dict[str, float]
    preset: int | None  # the show's preset on air at the start, None for a prompt
    fallback: str | None  # an image path
    note: str | None = None  # a setting the show asked for and did not get, said once at the start
    input: str = "none"  # the input restyled at the start, in vcam.inspec's canonical form
    input_fit: str = DEFAULT_INPUT_FIT  # how its frames fit the stream's size
    strength: float = DEFAULT_STRENGTH
    bias: float = DEFAULT_BIAS

    def log_header(self, model: str, show_path: str | None) -> dict:
        """The starting settings as a control log keeps them (what a replay starts from). A log from before the
        frame rate was kept has no fps: its replay and render take --fps, else 30."""
        return {"model": model, "seed": self.seed, "prompts": self.prompts, "steps": self.steps,
                "transition": self.transition, "size": [self.width, self.height],
                "pin_first_latent": self.pin_first_latent, "show": show_path, "input": self.input,
                "input_fit": self.input_fit, "strength": self.strength, "bias": self.bias, "fps": self.fps}


def chosen_outs(given: RunOptions, show: Show | None) -> list[str]:
    """The outputs a show opens, as given: --out, else none for a served show (unless asked), else the show
    file's, else the virtual camera."""
    if given.outs is not None:
        return list(given.outs)
    if given.serve:
        return []
    return list(show.output.out if show and show.output and show.output.out else ["vcam"])


def resolve(given: RunOptions, show: Show | None, start: dict, model_size: tuple[int, int],
            own_size_only: bool = False) -> ShowSettings:
    """`start`: a replayed log's header ({} without one); `model_size`: the model's own frame size. A served show
    (`given.serve`: the camera is on another machine) has no local output unless asked. `own_size_only`: a model
    for trying vcam out on a CPU (tiny), which would make a show file's 832x480 at a frame every few seconds: it
    plays at its own size unless the command line gives one."""
    out_cfg, defaults = (show.output, show.defaults) if show else (None, None)

    def pick(*values, default):
        return next((v for v in values if v is not None), default)

    outs = chosen_outs(given, show)
    start_size = tuple(start["size"]) if "size" in start else None
    show_size = out_cfg.size if out_cfg else None
    note = None
    if own_size_only and show_size is not None and tuple(show_size) != tuple(model_size):
        note = (f"the show asks for {show_size[0]}x{show_size[1]}; this model plays at its own "
                f"{model_size[0]}x{model_size[1]}, which a CPU keeps up with (--size {show_size[0]}x{show_size[1]} "
                "asks for the show's size anyway)")
        show_size = None
    width, height = pick(given.size, start_size, show_size, default=model_size)
    check_size(width, height)
    seed = pick(given.seed, start.get("seed"), defaults.seed if defaults else None, default=0)
    if given.prompt:
        prompts, preset = {given.prompt: 1.0}, None
    elif "prompts" in start:
        prompts, preset = dict(start["prompts"]), None
    elif show:
        prompts, preset = show.presets[0].prompts, 0
        if show.presets[0].seed is not None and given.seed is None:
            seed = show.presets[0].seed
    else:
        prompts, preset = {DEFAULT_PROMPT: 1.0}, None
    source, input_fit, strength = _input_settings(given, show, start, preset)
    return ShowSettings(
        outs=tuple(parse_spec(s) for s in outs), width=width, height=height,
        adapt=given.quant is None and given.size is None and start_size is None and show_size is None,
        fps=pick(given.fps, start.get("fps"), out_cfg.fps if out_cfg else None, default=30.0),
        fit=pick(given.fit, out_cfg.fit if out_cfg else None, default="letterbox"),
        seed=seed,
        steps=pick(given.steps, start.get("steps"), defaults.steps if defaults else None, default=4),
        transition=pick(given.transition, start.get("transition"), defaults.transition if defaults else None,
                        default=4),
        pin_first_latent=bool(start.get("pin_first_latent", given.pin_first_latent)),
        prompts=dict(prompts), preset=preset,
        fallback=given.fallback or (defaults.fallback if defaults else None),
        note=note if given.size is None and start_size is None else None,
        input=source, input_fit=input_fit, strength=strength, bias=_bias(given, show, start, preset),
    )


def as_logged(start: dict, log: str | None, quant: str | None = None, decoder: str | None = None,
              attention_quant: str | None = None) -> tuple[str | None, str, str]:
    """(quant, decoder, attention_quant) of a show made again from a log (`vcam run --replay`, `vcam render`): each
    as given, else as the log's header `start` names it (the show's precision, decoder and attention made its
    pictures), else None (not given), the VAE and plain attention. ValueError naming `log` for a header value
    vcam does not know (the command line's are checked by argparse)."""
    quant = quant or start.get("quant")
    decoder = decoder or start.get("decoder") or "vae"
    attention_quant = attention_quant or start.get("attention_quant") or "none"
    for key, value, known in (("quant", quant, QUANTS), ("decoder", decoder, DECODERS),
                              ("attention_quant", attention_quant, ATTENTION_QUANTS)):
        if value is not None and value not in known:
            raise ValueError(f"{log}: header: {key} must be one of {', '.join(known)}, not {value!r}")
    return quant, decoder, attention_quant


def logged_model(start: dict, log: str | None, model: str | None) -> str | None:
    """The model to make a logged show again with: `model` (--model) where given, else the log's header's. A model
    this vcam does not know in the header is VcamError naming the log and --model: said as `unknown model`, it read
    as a typo of the operator's, who had typed no model at all."""
    if model is not None or "model" not in start:
        return model
    from vcam.engine.configs import MODELS

    if start["model"] not in MODELS:
        raise VcamError(f"{log} was made with the model {start['model']!r} (its header's model), which this vcam "
                        "does not have (a log from a newer vcam?)",
                        f"give --model {' or --model '.join(MODELS)} to make it with one this vcam has (the same "
                        "changes at the same blocks, other pictures), or use the vcam that wrote it")
    return start["model"]


def unnamed_model(doing: str, start: dict, log: str | None, given: str | None, model: str) -> str | None:
    """A log whose header names no model (an older log, one written by hand), made again with `model` that no
    --model chose: said in one line beginning with `doing`, as a log without its frame rate is. It was made with this
    machine's default model without a word, which may not be the model the show ran. None where nothing is to say."""
    if log is None or given is not None or "model" in start:
        return None
    return (f"{log} does not name the model the show ran (an older log): {doing} with {model}, this machine's "
            "default (--model sets it)")


def check_logged_quant(log: str, given: str | None, quant: str | None, model: str,
                       given_attention: str | None = None, attention_quant: str = "none") -> None:
    """A show made again from `log` in the precision or attention its header names (`given`, `given_attention`:
    the --quant and --attention-quant given, None when none was) that this machine cannot run for `model`:
    VcamError naming the log and the option that makes it here, before anything opens (loading would name a
    --quant fp8 nobody gave)."""
    from vcam.engine.load import attention_quant_unsupported, quant_unsupported

    if given is None and quant not in (None, "none") and (why := quant_unsupported(model, quant)) is not None:
        name = quant.upper()
        raise VcamError(f"{log} was made in {name} (its header's quant), which cannot run here: {why}",
                        f"give --quant none to make it without {name} here (the same changes at the same blocks, other "
                        f"pictures), or run it on a card that runs {name}")
    if given_attention is None and (why := attention_quant_unsupported(model, attention_quant)) is not None:
        raise VcamError(f"{log} was made with INT8 attention (its header's attention_quant), which cannot run here: "
                        f"{why}", "give --attention-quant none to make it with the exact attention here (the same "
                                  "changes at the same blocks, other pictures), or run it where SageAttention runs")


_SAID = {"attention_quant": "attention"}  # a header's key as a note names it


def unlike_the_show(doing: str, header: dict, model: str, cfg: ShowSettings, quant: str | None,
                    decoder: str = "vae", attention_quant: str = "none") -> str | None:
    """A show made again from its log (`vcam render`, `vcam run --replay`) at starting settings other than the
    log's `header` (the show's), said as one line that begins with `doing`; None when it starts as the show did. The
    command line's size, steps, model, precision, decoder, attention, seed, transition, bias or prompt win over the
    log's (a log names its decoder and attention only where they are not the VAE and plain attention; one from
    before the bias ran at 1), and the changes still come at the same blocks, but the pictures are not the show's.
    What else an older log does not keep is not compared."""
    shown = {"size": "x".join(map(str, header["size"])) if "size" in header else None,
             "steps": header.get("steps"), "model": header.get("model"), "quant": header.get("quant"),
             "decoder": header.get("decoder", "vae"), "attention_quant": header.get("attention_quant", "none"),
             "seed": header.get("seed"), "transition": header.get("transition"),
             # a log from before the bias has none: its show ran at 1 (off), as its replay does (_bias)
             "bias": _number_text(header.get("bias", DEFAULT_BIAS)),
             "prompt": _prompts_text(header["prompts"]) if "prompts" in header else None}
    now = {"size": f"{cfg.width}x{cfg.height}", "steps": cfg.steps, "model": model, "quant": quant or "none",
           "decoder": decoder, "attention_quant": attention_quant,
           "seed": cfg.seed, "transition": cfg.transition, "bias": _number_text(cfg.bias),
           "prompt": _prompts_text(cfg.prompts)}
    changed = [f"{_SAID.get(key, key)} {now[key]} (the show: {shown[key]})" for key in shown
               if shown[key] is not None and str(shown[key]) != str(now[key])]
    if not changed:
        return None
    return (f"{doing} with {', '.join(changed)}: the same changes at the same blocks, but the pictures differ from "
            "the show's")


def _number_text(value) -> str | None:
    """A number as a note says it: a header's 1 and the settings' 1.0 are the same bias. None for none."""
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _prompts_text(prompts: dict[str, float], width: int = 40) -> str:
    """Prompts as a one-line note names them: each quoted (cut to `width` characters), with its weight unless 1."""
    def text(prompt: str) -> str:
        return quoted(clipped(prompt, width))  # cut where a character starts: an accent typed after e stays

    return " + ".join(text(p) if w == 1 else f"{text(p)} {w:g}" for p, w in prompts.items())


def _bias(given: RunOptions, show: Show | None, start: dict, preset: int | None) -> float:
    """The attention bias the show starts with: the command line over a replayed log's header over the show (its
    first preset, when that is on air, over its defaults) over 1. A log from before the bias has none in its
    header: its show ran at 1, and so does its replay."""
    first = show.presets[0] if show and preset == 0 else None
    defaults = show.defaults if show else None
    values = (given.bias, start.get("bias", DEFAULT_BIAS) if start else None, first.bias if first else None,
              defaults.bias if defaults else None)
    return check_bias(next((v for v in values if v is not None), DEFAULT_BIAS))


def _input_settings(given: RunOptions, show: Show | None, start: dict, preset: int | None) -> tuple[str, str, float]:
    """The input, its fit and the strength the show starts with: the command line over a replayed log's header
    over the show (its first preset, when that is on air, over its defaults) over text only. A log from before
    video in has no input in its header: its replay starts text only, whatever the show file says now."""
    defaults = show.defaults if show else None
    first = show.presets[0] if show and preset == 0 else None

    def pick(*values, default):
        return next((v for v in values if v is not None), default)

    source = pick(given.input, start.get("input", "none") if start else None, first.input if first else None,
                  defaults.input if defaults else None, default="none")
    input_fit = pick(given.input_fit, start.get("input_fit"), defaults.input_fit if defaults else None,
                     default=DEFAULT_INPUT_FIT)
    if input_fit not in INPUT_FITS:
        raise ValueError(f"input fit {input_fit!r} is not one of {', '.join(INPUT_FITS)}")
    strength = pick(given.strength, start.get("strength"), first.strength if first else None,
                    defaults.strength if defaults else None, default=DEFAULT_STRENGTH)
    return str(parse_input(source)), input_fit, check_strength(strength)
