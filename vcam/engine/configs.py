"""Named model configurations: the real Krea Realtime 14B and a tiny random one with the same code path."""
from __future__ import annotations

from dataclasses import dataclass, field

from vcam.words import nearest


@dataclass(frozen=True)
class WanConfig:
    """Shape of the causal Wan transformer (defaults: Wan 2.1 T2V 14B, which Krea Realtime 14B keeps)."""

    dim: int = 5120
    ffn_dim: int = 13824
    num_heads: int = 40
    num_layers: int = 40
    freq_dim: int = 256
    text_dim: int = 4096
    in_channels: int = 16
    out_channels: int = 16
    patch_size: tuple[int, int, int] = (1, 2, 2)
    eps: float = 1e-6
    rope_max_positions: int = 1024

    @property
    def head_dim(self) -> int:
        return self.dim // self.num_heads


@dataclass(frozen=True)
class VAEConfig:
    """Arguments of diffusers' AutoencoderKLWan (defaults: the Wan 2.1 VAE)."""

    base_dim: int = 96
    z_dim: int = 16
    dim_mult: tuple[int, ...] = (1, 2, 4, 4)
    num_res_blocks: int = 2
    temporal_downsample: tuple[bool, ...] = (False, True, True)
    spatial_factor: int = 8


@dataclass(frozen=True)
class TAEHVConfig:
    """Shape of TAEHV's decoder (vcam.engine.taehv; defaults: the published taew2_1). `widths` are the three
    stages' channels and the last convolution's; `time_strides` how many frames each stage makes of one."""

    latent_channels: int = 16
    widths: tuple[int, int, int, int] = (256, 128, 64, 64)
    time_strides: tuple[int, int, int] = (1, 2, 2)

    @property
    def frames_per_latent(self) -> int:
        n = 1
        for s in self.time_strides:
            n *= s
        return n

    @property
    def warmup_frames(self) -> int:
        """Frames a stream's decode starts with and drops (so its first latent gives 1 frame, as the VAE's does)."""
        return self.frames_per_latent - 1


@dataclass(frozen=True)
class TextConfig:
    """UMT5 encoder shape; `None` for the real one, which comes with its own config file."""

    vocab_size: int = 256384
    d_model: int = 4096
    d_kv: int = 64
    d_ff: int = 10240
    num_layers: int = 24
    num_heads: int = 64
    max_length: int = 512


@dataclass(frozen=True)
class ModelSpec:
    """Everything needed to build one named model: networks, default frame size, where weights come from."""

    name: str
    transformer: WanConfig
    vae: VAEConfig
    text: TextConfig
    width: int
    height: int
    random_weights: bool
    needs_cuda: bool
    # (repo id, files) pairs on the Hugging Face hub; empty for random-weight models.
    hub_files: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())
    description: str = ""
    taehv: TAEHVConfig = TAEHVConfig()  # the tiny decoder `--decoder taehv` runs instead of the VAE's

    def builds_at_random(self, weights: object | None) -> bool:
        """Whether loading makes every network (TAEHV's decoder too) from random weights rather than reading files:
        a random-weights model given no `--weights` folder."""
        return weights is None and self.random_weights


KREA_REPO = "krea/krea-realtime-video"
KREA_FILE = "krea-realtime-video-14b.safetensors"
WAN_REPO = "Wan-AI/Wan2.1-T2V-14B-Diffusers"

MODELS: dict[str, ModelSpec] = {
    "krea-14b": ModelSpec(
        name="krea-14b",
        transformer=WanConfig(),
        vae=VAEConfig(),
        text=TextConfig(),
        width=832,
        height=480,
        random_weights=False,
        needs_cuda=True,
        hub_files=(
            (KREA_REPO, (KREA_FILE,)),
            (WAN_REPO, ("text_encoder/*", "tokenizer/*", "vae/*")),
        ),
        description="Krea Realtime 14B (bf16, CUDA)",
    ),
    "tiny": ModelSpec(
        name="tiny",
        transformer=WanConfig(
            dim=64, ffn_dim=128, num_heads=2, num_layers=2, freq_dim=32, text_dim=32
        ),
        vae=VAEConfig(base_dim=2, dim_mult=(1, 2, 2, 2), num_res_blocks=1),
        text=TextConfig(vocab_size=512, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_heads=4, max_length=512),
        width=112,
        height=64,
        random_weights=True,
        needs_cuda=False,
        description="random weights from a fixed seed, no download, runs on a CPU",
        # the published layout at a sixteenth of the width (random too): the same code path, in milliseconds
        taehv=TAEHVConfig(widths=(16, 8, 8, 8)),
    ),
}


def get_spec(name: str) -> ModelSpec:
    """The named model spec, or a ValueError that lists the known names."""
    try:
        return MODELS[name]
    except KeyError:
        meant = nearest(name.lower(), MODELS)
        hint = f"did you mean {meant}? " if meant else ""
        raise ValueError(f"unknown model {name!r}; {hint}choose one of: {', '.join(MODELS)}") from None
