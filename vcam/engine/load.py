"""Building a ready-to-stream engine from a named model: transformer, VAE and text encoder on one device."""
from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from dataclasses import dataclass, replace
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from vcam.engine.attention import int8_attention_unsupported, require_int8_attention
from vcam.engine.compiling import compile_engine
from vcam.engine.configs import ModelSpec, get_spec
from vcam.engine.model import CausalWanModel, Rope, attention_backends, attention_unsupported, init_random_
from vcam.engine.quant import (fp8_unsupported, nvfp4_unsupported, quantize_fp8, quantize_nvfp4, require_fp8,
                               require_nvfp4)
from vcam.engine.speed import SpeedOptions
from vcam.engine.stream import Prompt, Stream, StreamSettings
from vcam.engine.text import HFTokenizer, PieceTokenizer, TextEncoder, build_umt5, text_repair
from vcam.engine.taehv import TAEHVDecoder, TAEHVStreamingDecoder, build_taehv
from vcam.engine.shardsread import ShardsRead
from vcam.engine.taehv_weights import find_taehv, load_taehv
from vcam.engine.vae import StreamingDecoder, build_vae, vae_dtype
from vcam.engine import hub
from vcam.engine import weights as W
from vcam.engine.weight_files import from_folder
from vcam.engine.memory import GIB, check_host_ram, memory_plan, out_of_memory_said_as_error
from vcam.errors import LoadStopped, VcamError
from vcam.progress import ByteProgress, row_cleared
from vcam.words import size_text

# Seeds of the random-weight models' parts: fixed, so `tiny` is the same network everywhere.
TRANSFORMER_SEED, VAE_SEED, TEXT_SEED, TAEHV_SEED = 0, 1, 2, 3


@dataclass
class Engine:
    """The loaded networks of one model. Make streams from it with `stream()`."""

    spec: ModelSpec
    model: CausalWanModel
    vae: Any  # diffusers AutoencoderKLWan
    text: TextEncoder
    device: torch.device
    offload_text_after_start: bool = False  # the memory plan's advice: call offload_text() before streaming
    speed: SpeedOptions = SpeedOptions()
    width: int = 0  # what streams default to (0: the model's size); `load` may adapt it to the card's memory
    height: int = 0
    # TAEHV's tiny decoder, with `speed.decoder == "taehv"`; the VAE stays, its encoder making the context latent
    # from a recent frame and encoding a video input
    taehv: TAEHVDecoder | None = None

    @property
    def dtype(self) -> torch.dtype:
        return self.model.dtype

    def streaming_decoder(self):
        """A fresh streaming decoder of the kind the speed options name (vae.StreamingDecoder's contract)."""
        if self.speed.decoder == "taehv":
            if self.taehv is None:
                raise ValueError("this engine was built without TAEHV's decoder: load it with decoder='taehv'")
            return TAEHVStreamingDecoder(self.taehv)
        return StreamingDecoder(self.vae)

    def offload_text(self) -> None:
        """Moves the text encoder to the CPU (waiting for an encoding in progress)."""
        self.text.move_to("cpu")
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def stream(
        self,
        prompt: Prompt,
        *,
        seed: int = 0,
        width: int | None = None,
        height: int | None = None,
        steps: int = 4,
        transition: int = 4,
        pin_first_latent: bool = False,
        input=None,
        strength: float | None = None,
        bias: float | None = None,
    ) -> Stream:
        """A new stream of `prompt` (text, or {text: weight} blend) at width×height (default: the engine's size,
        the model's unless `load` adapted it to the card). `input` restyles a video (see `Stream.set_input`: a
        numpy clip or image, fitted with crop, or a frame source) at `strength` (default DEFAULT_STRENGTH); `bias` is
        Krea's attention bias (see `Stream.bias`; default 1, off)."""
        settings = StreamSettings(
            width=width or self.width or self.spec.width,
            height=height or self.height or self.spec.height,
            seed=seed,
            steps=steps,
            transition=transition,
            pin_first_latent=pin_first_latent,
            **({} if strength is None else {"strength": strength}),
            **({} if bias is None else {"bias": bias}),
        )
        # the stream's KV cache is the largest allocation after the weights: another program may have taken the
        # memory it was planned in while the model loaded
        with out_of_memory_said_as_error(self.device, self.speed.quant,
                                         f"while starting the stream at {settings.width}x{settings.height}"):
            stream = Stream(self, prompt, settings)
        if input is not None:
            stream.set_input(input)
        return stream


def _logger(progress: bool, report: Callable[[str], None] | None) -> Callable[[str], None]:
    """Says each step of a load as it begins: on stderr with `progress`, and to `report`."""
    def log(message: str) -> None:
        if progress:
            # one write, its line end in it: print writes the end apart, and a line another thread wrote between
            # the two (the console's, at a show's start) ran on after this one's text, an empty line below
            print(f"{row_cleared(sys.stderr)}vcam: {message}\n", end="", file=sys.stderr,
                  flush=True)  # print: no stderr (pythonw) is no crash
        if report is not None:
            report(message)

    return log


def _stoppable(log: Callable[[str], None], stopped: Callable[[], bool] | None) -> Callable[[str], None]:
    """`log` for a load's steps, each of which first ends the load (LoadStopped) where `stopped` says so: a `quit`
    typed as a show started was answered "stopping", then "building tiny (random weights)"."""
    if stopped is None:
        return log

    def step(message: str) -> None:
        if stopped():
            raise LoadStopped()
        log(message)

    return step


def default_device(spec: ModelSpec) -> torch.device:
    if spec.needs_cuda:
        return W.check_cuda(spec)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load(
    model: str = "tiny",
    *,
    weights: str | os.PathLike | None = None,
    device: str | torch.device | None = None,
    dtype: torch.dtype | None = None,
    width: int | None = None,
    height: int | None = None,
    progress: bool = True,
    report: Callable[[str], None] | None = None,
    speed: SpeedOptions | None = None,
    adapt: bool = False,
    stopped: Callable[[], bool] | None = None,
) -> Engine:
    """Loads a named model ('krea-14b' or 'tiny') and returns an Engine.

    Weights come from `weights` (a folder laid out like the hub repos) or, for models that have them, the
    Hugging Face hub. `tiny` without `weights` is random from fixed seeds and needs no files. Errors that a user
    can fix (no GPU, too little VRAM, missing or damaged files) raise a `VcamError` subclass saying how.
    `progress` prints steps and progress bars on stderr; `report` is also called with each step's text.
    `speed` picks the speed paths (see `vcam.engine.speed.SpeedOptions`; default: fused q/k/v, eager, SDPA's choice).
    With `adapt`, a card too small for width×height gets a size and quantization that fit (said in the log);
    `engine.width`/`engine.height` are the size its streams default to. `stopped`: asked before each step;
    where it says so, the load ends there with LoadStopped (a show stopped while its model loads).
    """
    speed = speed or SpeedOptions()
    text_repair()  # a missing package is said now, not after minutes of loading
    log = _stoppable(_logger(progress, report), stopped)
    spec = get_spec(model)
    device = torch.device(device) if device is not None else default_device(spec)
    if spec.needs_cuda and device.type != "cuda":
        W.check_cuda(spec)
        raise W.NoGPUError(f"{spec.name} runs only on a CUDA device (asked for {device})", "leave out --device")
    dtype = dtype or (torch.bfloat16 if device.type == "cuda" else torch.float32)
    if speed.quant == "fp8":
        require_fp8(device, dtype)  # before minutes of loading
    elif speed.quant == "nvfp4":
        require_nvfp4(device, dtype)
    if speed.attention_quant == "int8":
        require_int8_attention(device, spec.transformer.head_dim)
    if (why := attention_unsupported(device, speed.attention)) is not None:
        raise VcamError(why, "leave out --attention (PyTorch chooses), or give flash or math, which run on a CPU too")
    text_device, offload = device, False
    width, height = width or spec.width, height or spec.height
    if device.type == "cuda":
        plan, free = memory_plan(spec, device, width, height, dtype, speed, adapt)
        if plan.adapted is not None:
            width, height, quant = plan.adapted
            speed = replace(speed, quant=quant)
        log(f"{spec.name} at {width}x{height} needs about {plan.estimate.total / GIB:.1f} GiB of GPU memory "
            f"({plan.estimate.describe()}); {free / GIB:.1f} GiB free: {plan.note}")
        # before minutes of loading: the kernel would kill the show without a word once the encoder moved there
        check_host_ram(spec, plan, width, height, free, dtype, speed, fp8_possible=fp8_unsupported(device) is None)
        text_device = device if plan.text_on_gpu else torch.device("cpu")
        offload = plan.offload_text_after_start

    # A card that the plan said would hold the model can still run out while it loads: another program took memory
    # meanwhile, or the card keeps more aside than the plan counts.
    with out_of_memory_said_as_error(device, speed.quant, f"while loading {spec.name} at {width}x{height}"):
        engine = _built(spec, weights, device, dtype, speed, text_device, offload, progress, report, log)
    return _sized(engine, width, height)


def _built(spec: ModelSpec, weights: str | os.PathLike | None, device: torch.device, dtype: torch.dtype,
           speed: SpeedOptions, text_device: torch.device, offload: bool, progress: bool,
           report: Callable[[str], None] | None, log: Callable[[str], None]) -> Engine:
    """The engine `load` planned: random weights, or the weights' files read onto their devices."""
    if spec.builds_at_random(weights):
        log(f"building {spec.name} (random weights)")
        return _tune(_random_engine(spec, device, dtype), speed)
    paths = from_folder(weights, spec) if weights is not None else _from_hub(spec, log)
    taehv_file = find_taehv(weights) if speed.decoder == "taehv" else None  # a missing file is said now

    log(f"loading transformer from {paths.transformer}")
    with torch.device("meta"):
        transformer = CausalWanModel(spec.transformer)
    # Fusing and FP8/NVFP4 are applied block by block as the file is read, so the bf16 model never has to fit.
    # Krea's own file, which the default fix sends for, is what a random-weights model (tiny) cannot take
    mismatch_fix = (f"{spec.name} takes only its own weights (krea-14b's do not fit it): leave out --weights, and "
                    f"{spec.name} builds random ones; a krea-14b folder runs with --model krea-14b on a CUDA GPU") \
        if spec.random_weights else None
    W.load_checkpoint(transformer, paths.transformer, device, dtype, progress=progress, report=report,
                      on_block=_prepare_block(speed, device), mismatch_fix=mismatch_fix)
    transformer.rope = Rope(spec.transformer.head_dim, spec.transformer.rope_max_positions).to(device)
    transformer.eval()

    from diffusers import AutoencoderKLWan
    from transformers import UMT5EncoderModel

    log(f"loading VAE from {paths.vae}{_sized_as(paths.vae)}")
    with torch.device("meta"):
        W.check_part(paths.vae, AutoencoderKLWan.from_config(AutoencoderKLWan.load_config(paths.vae)))
    with _library_bars_off():
        vae = AutoencoderKLWan.from_pretrained(paths.vae, torch_dtype=vae_dtype(dtype)).to(device).eval()
    taehv = _taehv_from_file(spec, taehv_file, device, dtype, log) if taehv_file is not None else None
    log(f"loading text encoder from {paths.text_encoder}{_sized_as(paths.text_encoder)}")
    # Straight onto its device, shard by shard: not a whole bf16 copy in host RAM first (it is 11 GB). Loaded
    # last, so that nothing else shares its memory and moving it to the CPU (the memory plan's offload) frees all.
    # its bar off, transformers said nothing for the minute or more of its 11.4 GB: the bytes it reads tell
    line = ByteProgress("loading text encoder", 0, sys.stderr) if progress else None
    with ShardsRead(paths.text_encoder, line, report), _library_bars_off(), _library_warnings_off():
        # its own shape check off: a mismatch is said below with the missing weights, not as its RuntimeError
        umt5, info = UMT5EncoderModel.from_pretrained(paths.text_encoder, dtype=dtype, output_loading_info=True,
                                                      ignore_mismatched_sizes=True, device_map={"": str(text_device)})
    # transformers loads weights the files lack (a shard of another model) as random ones, and goes on
    if info["missing_keys"] or info["mismatched_keys"]:
        other = W.with_shapes(paths.text_encoder, sorted(info["mismatched_keys"]), umt5)
        raise W.part_mismatch(paths.text_encoder, sorted(info["missing_keys"]), other)
    umt5.eval()
    text = TextEncoder(umt5, HFTokenizer(str(paths.tokenizer)), spec.text.max_length, device, dtype)
    engine = Engine(spec, transformer, vae, text, device, offload_text_after_start=offload, taehv=taehv)
    return _tune(engine, speed, blocks_ready=True)


def _from_hub(spec: ModelSpec, log: Callable[[str], None]):
    """The weights from the hub cache, fetched first where it lacks them, which is said then only: a show started
    from a whole cache (no network, on a stage) was told at every start that the weights were being fetched."""
    paths = hub.cached(spec)
    if paths is not None:
        return paths
    log(f"fetching weights from the Hugging Face hub (first run: up to about {hub.HUB_DOWNLOAD_GB} GB, with a "
        "progress line)")
    return hub.from_hub(spec)


def _sized_as(folder) -> str:
    """' (11.4 GB)': the weights files in `folder`, for the line that says a load begins (its own bar is off)."""
    try:
        size = sum(f.stat().st_size for f in Path(folder).glob("*.safetensors"))
    except OSError:  # a dangling link in a hub cache: the load itself says which file
        return ""
    return f" ({size_text(size)})" if size else ""


@contextmanager
def _library_bars_off():
    """transformers' and diffusers' own loading bars off for one load, each restored as it was. Theirs is a tqdm
    bar counting tensors, redrawn with a carriage return: in a log (docker logs, nohup) one garbled line, on a
    terminal a second bar beside vcam's status line. vcam says each load's start and size instead."""
    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    libraries = [lib for lib in (transformers_logging, diffusers_logging) if lib.is_progress_bar_enabled()]
    for lib in libraries:
        lib.disable_progress_bar()
    try:
        yield
    finally:
        for lib in libraries:
            lib.enable_progress_bar()


@contextmanager
def _library_warnings_off():
    """transformers' warnings off for one load, its verbosity restored after: its report of weights missing or of
    another shape is a table of many lines, and vcam says them itself, in one error."""
    from transformers.utils import logging as transformers_logging

    if os.environ.get("VCAM_DEBUG"):  # the library's own words, for a report
        yield
        return
    verbosity = transformers_logging.get_verbosity()
    transformers_logging.set_verbosity_error()
    try:
        yield
    finally:
        transformers_logging.set_verbosity(verbosity)


def _taehv_from_file(spec: ModelSpec, path, device: torch.device, dtype: torch.dtype,
                     log: Callable[[str], None]) -> TAEHVDecoder:
    log(f"loading TAEHV's decoder from {path}")
    return load_taehv(path, spec.taehv, device, vae_dtype(dtype))


def _random_taehv(spec: ModelSpec, device: torch.device, dtype: torch.dtype) -> TAEHVDecoder:
    return build_taehv(spec.taehv, TAEHV_SEED).to(device=device, dtype=vae_dtype(dtype))


def _sized(engine: Engine, width: int, height: int) -> Engine:
    engine.width, engine.height = width, height
    return engine


def _prepare_block(speed: SpeedOptions, device: torch.device) -> Callable[[torch.nn.Module], None]:
    def prepare(block: torch.nn.Module) -> None:
        if speed.fuse:
            block.self_attn.fuse()
        if speed.quant == "fp8":
            quantize_fp8(block, device)
        elif speed.quant == "nvfp4":
            quantize_nvfp4(block, device)

    return prepare


def _tune(engine: Engine, speed: SpeedOptions, blocks_ready: bool = False) -> Engine:
    """Applies the speed options; `blocks_ready`: fusing and quantizing were done while loading."""
    if speed.fuse and not blocks_ready:
        engine.model.fuse_qkv()
    if speed.quant == "fp8" and not blocks_ready:
        quantize_fp8(engine.model.blocks, engine.device)
    elif speed.quant == "nvfp4" and not blocks_ready:
        quantize_nvfp4(engine.model.blocks, engine.device)
    if speed.decoder == "taehv" and engine.taehv is None:  # a random-weight engine: a random decoder too
        engine.taehv = _random_taehv(engine.spec, engine.device, engine.dtype)
    set_attention(engine, speed)  # before compiling: the compiled blocks take the INT8 choice as it is
    if speed.compile:
        compile_engine(engine, speed.compile_mode)
    engine.speed = speed
    # Inference only: a tensor made from trainable weights (the first prompt's text K/V, built outside the block
    # loop) would keep an autograd graph alive, and a compiled pass would recompile on air when a later prompt's
    # K/V came without one.
    for part in (engine.model, engine.vae, engine.text.model, engine.taehv):
        if part is not None:
            part.requires_grad_(False)
    return engine


def set_attention(engine: Engine, speed: SpeedOptions) -> None:
    """What of the attention can change on a built engine: SDPA's kernel family and, with
    `attention_quant="int8"`, the self-attention through SageAttention's INT8 kernel (refused where it cannot run).
    A compiled engine recompiles its blocks when the INT8 choice changes."""
    engine.model.attention_backends = attention_backends(speed.attention)
    if speed.attention_quant == "int8":
        require_int8_attention(engine.device, engine.model.cfg.head_dim)
    engine.model.set_int8_attention(speed.attention_quant == "int8")


def _random_engine(spec: ModelSpec, device: torch.device, dtype: torch.dtype) -> Engine:
    # Built on the CPU from fixed seeds so the weights are the same whatever the device.
    transformer = init_random_(CausalWanModel(spec.transformer), TRANSFORMER_SEED).cast(dtype).to(device).eval()
    umt5 = build_umt5(spec.text, TEXT_SEED).to(device=device, dtype=dtype)
    text = TextEncoder(umt5, PieceTokenizer(spec.text.vocab_size), spec.text.max_length, device, dtype)
    return Engine(spec, transformer, _random_vae(spec, device, dtype), text, device)


def _random_vae(spec: ModelSpec, device: torch.device, dtype: torch.dtype):
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(VAE_SEED)
        vae = build_vae(spec.vae).to(device).eval()
    return vae.to(vae_dtype(dtype)) if dtype != torch.float32 else vae


def random_engine(spec: ModelSpec, device: torch.device, dtype: torch.dtype,
                  speed: SpeedOptions | None = None) -> Engine:
    """Any model with random weights made on `device` itself (the 14B one in seconds on a GPU), for benchmarks:
    the real shapes, so the real FLOPs. The text encoder is a one-layer stand-in of the right width, since
    text encoding is off the hot path."""
    from vcam.engine.configs import TextConfig

    speed = speed or SpeedOptions()
    with torch.device("meta"):
        transformer = CausalWanModel(spec.transformer).cast(dtype)  # never a float32 copy of 14 B weights
    for name, part in transformer.named_children():
        if name != "blocks":
            init_random_(part.to_empty(device=device), TRANSFORMER_SEED, prefix=f"{name}.")
    # Block by block, each made ready (fused, FP8) before the next is placed, as when a checkpoint is read: FP8
    # never needs the bf16 model to fit (a 24 GB card).
    prepare = _prepare_block(speed, device)
    for i, block in enumerate(transformer.blocks):
        init_random_(block.to_empty(device=device), TRANSFORMER_SEED, prefix=f"blocks.{i}.")
        prepare(block)
    transformer.eval()
    transformer.rope = Rope(spec.transformer.head_dim, spec.transformer.rope_max_positions).to(device)
    stand_in = TextConfig(vocab_size=512, d_model=spec.text.d_model, d_kv=64, d_ff=1024, num_layers=1,
                          num_heads=8, max_length=spec.text.max_length)
    umt5 = build_umt5(stand_in, TEXT_SEED).to(device=device, dtype=dtype)
    text = TextEncoder(umt5, PieceTokenizer(stand_in.vocab_size), stand_in.max_length, device, dtype)
    engine = Engine(spec, transformer, _random_vae(spec, device, dtype), text, device)
    return _tune(engine, speed, blocks_ready=True)


def quant_unsupported(model: str, quant: str | None) -> str | None:
    """Why `quant` (fp8, nvfp4) cannot run `model` on the device vcam.load picks for it here, else None."""
    device = default_device(get_spec(model))
    if quant == "fp8":
        return fp8_unsupported(device)
    return nvfp4_unsupported(device) if quant == "nvfp4" else None


def attention_quant_unsupported(model: str, attention_quant: str | None) -> str | None:
    """Why `attention_quant` (int8) cannot run `model` on the device vcam.load picks for it here, else None."""
    if attention_quant != "int8":
        return None
    spec = get_spec(model)
    return int8_attention_unsupported(default_device(spec), spec.transformer.head_dim)


def choose_model(requested: str | None, say: Callable[[str], None], weights: str | os.PathLike | None = None) -> str:
    """The model to run: as asked (VcamError where it needs a GPU this machine lacks), else krea-14b where a CUDA
    GPU exists and tiny where none does, unless a `weights` folder was given (--weights): that holds krea-14b's
    files, which tiny, built at random at a sixteenth of the width, cannot read."""
    from vcam.engine.weights import check_cuda

    if requested is not None:
        spec = get_spec(requested)
        if spec.needs_cuda:
            check_cuda(spec)
        return requested
    if torch.cuda.is_available():
        return "krea-14b"
    if weights is not None:  # tiny would check the folder for krea-14b's files, then fail on their shapes
        raise W.NoGPUError(f"--weights {weights}: a weights folder is krea-14b's, which needs a CUDA GPU, and this "
                           "machine has none",
                           "run on a machine with an NVIDIA GPU, or leave out --weights to try vcam with the tiny "
                           "model (random weights, no files)")
    say("no CUDA GPU found: running the tiny model (random weights, for trying vcam out); on a machine with an "
        "NVIDIA GPU vcam runs krea-14b")
    return "tiny"
