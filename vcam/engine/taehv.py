"""TAEHV's decoder for Wan 2.1 latents (madebyollin/taehv, weights `taew2_1`): a tiny stand-in for the Wan VAE's
decoder, much cheaper per frame and less faithful. Only the decoder: vcam keeps the full VAE's encoder for the
context frame and video input.

The network is 2-D convolutions over frames. Time enters in two ways only:
- a memory block sees, beside each frame's features, the features its own input had one frame earlier (zeros
  before a stream's first frame), so a stream that keeps each memory block's last input frame between calls
  decodes exactly what one call over the whole sequence gives;
- a time-grow layer turns each frame into `stride` frames by a 1x1 convolution to stride × channels, the channel
  groups in order being the new frames. Stage strides (1, 2, 2) make 4 frames of every latent; the first 3 frames
  of a stream are a warm-up that the reference drops, which lines the rest up with the Wan VAE's frames (its first
  latent gives 1 frame, every later one 4).

Latents are the normalised ones the transformer works on (no VAE mean/std); frames come out in [-1, 1] like the
VAE's. The published file numbers its layers as one flat sequence (`decoder.<i>.…`, see `published_names`);
modules here have names instead.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from vcam.engine.configs import TAEHVConfig

STAGES = 3
MEMORY_BLOCKS = 3  # per stage


def _conv3(n_in: int, n_out: int, bias: bool = True) -> nn.Conv2d:
    return nn.Conv2d(n_in, n_out, 3, padding=1, bias=bias)


class MemoryBlock(nn.Module):
    """relu(x + f([x, x one frame earlier])): a residual block that sees the previous frame's input too."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv1 = _conv3(2 * channels, channels)
        self.conv2 = _conv3(channels, channels)
        self.conv3 = _conv3(channels, channels)

    def forward(self, x: Tensor, past: Tensor) -> Tensor:
        h = F.relu(self.conv1(torch.cat([x, past], dim=1)))
        h = F.relu(self.conv2(h))
        return F.relu(self.conv3(h) + x)


class Stage(nn.Module):
    """Memory blocks, then twice the size, `stride` times the frames, and the next stage's width."""

    def __init__(self, width: int, next_width: int, stride: int):
        super().__init__()
        self.stride = stride
        self.memory = nn.ModuleList(MemoryBlock(width) for _ in range(MEMORY_BLOCKS))
        self.grow = nn.Conv2d(width, width * stride, 1, bias=False)
        self.narrow = _conv3(width, next_width, bias=False)


class TAEHVDecoder(nn.Module):
    """The decoder. `forward` takes latents [B, T, C, h, w] (time before channels, as frames are handled here) and
    the memory blocks' previous input frames (`initial_state` for a stream's start), and returns frames
    [B, T·frames_per_latent, 3, 8h, 8w] in [0, 1] (the warm-up frames included) and the state to pass next."""

    def __init__(self, cfg: TAEHVConfig = TAEHVConfig()):
        super().__init__()
        self.cfg = cfg
        w = cfg.widths
        self.head_in = _conv3(cfg.latent_channels, w[0])
        self.stages = nn.ModuleList(Stage(w[i], w[i + 1], cfg.time_strides[i]) for i in range(STAGES))
        self.head_out = _conv3(w[STAGES], 3)

    @property
    def dtype(self) -> torch.dtype:
        return self.head_in.weight.dtype

    def memory_shapes(self, h: int, w: int) -> list[tuple[int, int, int]]:
        """(channels, height, width) of each memory block's kept frame, in the order of the state list."""
        shapes = []
        for i, stage in enumerate(self.stages):
            shapes += [(self.cfg.widths[i], h << i, w << i)] * len(stage.memory)
        return shapes

    def initial_state(self, batch: int, h: int, w: int, device=None) -> list[Tensor]:
        """What a stream starts from: no previous frame, i.e. zeros."""
        device = device if device is not None else self.head_in.weight.device
        return [torch.zeros(batch, *s, device=device, dtype=self.dtype) for s in self.memory_shapes(h, w)]

    def forward(self, z: Tensor, state: list[Tensor]) -> tuple[Tensor, list[Tensor]]:
        b, t = z.shape[:2]
        x = self.head_in(torch.tanh(z.flatten(0, 1) / 3) * 3)  # the soft clamp the network was trained behind
        x = F.relu(x)
        kept: list[Tensor] = []
        for stage in self.stages:
            for block in stage.memory:
                frames = x.unflatten(0, (b, t))
                past = torch.cat([state[len(kept)][:, None], frames[:, :-1]], dim=1).flatten(0, 1)
                kept.append(frames[:, -1].clone())  # a copy: a view would keep the whole block's tensor alive
                x = block(x, past)
            x = stage.grow(F.interpolate(x, scale_factor=2.0, mode="nearest"))
            # [b·t, stride·c, H, W] -> [b·t·stride, c, H, W]: channel group j is the frame j of that frame's stride
            t *= stage.stride
            x = stage.narrow(x.reshape(b * t, -1, *x.shape[-2:]))
        x = self.head_out(F.relu(x))
        return x.unflatten(0, (b, t)).clamp(0.0, 1.0), kept


def published_names(cfg: TAEHVConfig = TAEHVConfig()) -> dict[str, str]:
    """Our parameter names -> the published file's (one flat `decoder` sequence: a clamp, the first conv, a ReLU,
    then per stage three memory blocks, an upsample, the time-grow and the narrowing conv, then a ReLU and the
    last conv; a memory block's convs are its sequence's items 0, 2 and 4)."""
    names = {"head_in.weight": "decoder.1.weight", "head_in.bias": "decoder.1.bias"}
    i = 3
    for s in range(STAGES):
        for m in range(MEMORY_BLOCKS):
            for k, item in ((1, 0), (2, 2), (3, 4)):
                for p in ("weight", "bias"):
                    names[f"stages.{s}.memory.{m}.conv{k}.{p}"] = f"decoder.{i}.conv.{item}.{p}"
            i += 1
        i += 1  # the upsample
        names[f"stages.{s}.grow.weight"] = f"decoder.{i}.conv.weight"
        names[f"stages.{s}.narrow.weight"] = f"decoder.{i + 1}.weight"
        i += 2
    i += 1  # the ReLU
    names.update({"head_out.weight": f"decoder.{i}.weight", "head_out.bias": f"decoder.{i}.bias"})
    return names


def init_random_(decoder: TAEHVDecoder, seed: int) -> TAEHVDecoder:
    """Random weights that keep a picture's worth of signal through the network (PyTorch's default init fades it to
    a flat grey by the last stage, which would hide whether the memory is carried): He-normal convolutions, the
    residual branches and the output scaled down so the sum neither grows without bound nor clips, mid-grey
    bias. For tests and benchmarks; nothing like the trained decoder's pictures."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, m in decoder.named_modules():
            if isinstance(m, nn.Conv2d):
                gain = 0.03 if name == "head_out" else 0.4 if name.endswith("conv3") else 1.0
                std = gain * (2.0 / m.weight[0].numel()) ** 0.5
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * std)
                if m.bias is not None:
                    m.bias.zero_()
        decoder.head_out.bias.fill_(0.5)
    return decoder


def build_taehv(cfg: TAEHVConfig, seed: int = 0) -> TAEHVDecoder:
    """A decoder of `cfg` with random weights from `seed` (see `init_random_`), on the CPU."""
    return init_random_(TAEHVDecoder(cfg), seed).eval()


class TAEHVStreamingDecoder:
    """Decodes normalised latents [B, 16, n, h, w] block by block into RGB in [-1, 1] [B, 3, frames, H, W], with
    the same contract as the VAE's `StreamingDecoder`: the first latent of a stream gives 1 frame, every later
    latent 4, and blocks decoded one after another give what one decode of the whole sequence gives.

    `latents_per_call` bounds the frames in flight: the last stage runs at full size, so one latent (4 frames)
    at a time keeps the activations near the VAE's; more is faster on a card with memory to spare, and exact
    either way."""

    def __init__(self, decoder: TAEHVDecoder, latents_per_call: int = 1):
        self.decoder = decoder
        self.latents_per_call = latents_per_call
        self.reset()

    def reset(self) -> None:
        self._state: list[Tensor] | None = None

    def state(self) -> list[Tensor] | None:
        """A snapshot to rewind to when a block fails after its decode: the memory is replaced at the end of each
        decode, never written in place, so the reference is enough (and a decode that fails keeps the old one)."""
        return self._state

    def restore(self, state: list[Tensor] | None) -> None:
        self._state = state

    @torch.no_grad()
    def decode(self, latents: Tensor) -> Tensor:
        z = latents.to(self.decoder.dtype).transpose(1, 2)  # [B, n, C, h, w]
        first = self._state is None
        state = self._state if not first else self.decoder.initial_state(z.shape[0], *z.shape[-2:], z.device)
        outs = []
        for a in range(0, z.shape[1], self.latents_per_call):
            frames, state = self.decoder(z[:, a:a + self.latents_per_call], state)
            outs.append(frames)
        self._state = state
        rgb = torch.cat(outs, dim=1)
        if first:
            rgb = rgb[:, self.decoder.cfg.warmup_frames:]
        return (rgb.transpose(1, 2) * 2.0 - 1.0).clamp_(-1.0, 1.0)
