"""Name mapping between our original-Wan parameter names and diffusers' WanTransformer3DModel."""
from __future__ import annotations

import re

_RULES = [
    (r"^text_embedding\.0\.", "condition_embedder.text_embedder.linear_1."),
    (r"^text_embedding\.2\.", "condition_embedder.text_embedder.linear_2."),
    (r"^time_embedding\.0\.", "condition_embedder.time_embedder.linear_1."),
    (r"^time_embedding\.2\.", "condition_embedder.time_embedder.linear_2."),
    (r"^time_projection\.1\.", "condition_embedder.time_proj."),
    (r"\.self_attn\.o\.", ".attn1.to_out.0."),
    (r"\.cross_attn\.o\.", ".attn2.to_out.0."),
    (r"\.self_attn\.([qkv])\.", r".attn1.to_\1."),
    (r"\.cross_attn\.([qkv])\.", r".attn2.to_\1."),
    (r"\.self_attn\.norm_", ".attn1.norm_"),
    (r"\.cross_attn\.norm_", ".attn2.norm_"),
    (r"\.norm3\.", ".norm2."),
    (r"\.ffn\.0\.", ".ffn.net.0.proj."),
    (r"\.ffn\.2\.", ".ffn.net.2."),
    (r"^blocks\.(\d+)\.modulation$", r"blocks.\1.scale_shift_table"),
    (r"^head\.head\.", "proj_out."),
    (r"^head\.modulation$", "scale_shift_table"),
]


def to_diffusers_name(name: str) -> str:
    for pattern, repl in _RULES:
        name = re.sub(pattern, repl, name)
    return name


def to_diffusers_state_dict(state: dict) -> dict:
    return {to_diffusers_name(k): v for k, v in state.items()}
