"""Show files: an ordered list of presets, defaults, output settings and the MIDI mapping, read with line numbers.

    name: My show
    defaults: {seed: 42, steps: 4, transition: 4, fallback: fallback.png}
    output: {size: 832x480, fps: 30, fit: letterbox, out: [vcam]}
    presets:
      - name: neon city
        prompt: a slow drift through a neon city at night
      - name: dusk forest
        prompts: [{text: a forest at dusk, weight: 0.7}, {text: fireflies, weight: 0.3}]
        seed: 7
        transition: 8
    midi: {port: nanoKONTROL2, map: nanokontrol2}
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from yaml.nodes import ScalarNode

from vcam.commands import MAX_SEED
from vcam.frames import FITS
from vcam.midimap import MidiMap, read_map
from vcam.yamlcheck import INVALID, ConfigError, Reader


@dataclass(frozen=True)
class Preset:
    name: str
    prompts: dict[str, float]  # text -> weight
    seed: int | None = None
    transition: int | None = None
    fallback: str | None = None  # image path, resolved against the show file's folder


@dataclass(frozen=True)
class Defaults:
    seed: int = 0
    steps: int = 4
    transition: int = 4
    fallback: str | None = None


@dataclass(frozen=True)
class OutputSettings:
    size: tuple[int, int] | None = None
    fps: float | None = None
    fit: str | None = None
    out: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Show:
    path: str
    name: str
    presets: tuple[Preset, ...]
    defaults: Defaults = field(default_factory=Defaults)
    output: OutputSettings = field(default_factory=OutputSettings)
    midi: MidiMap | None = None
    midi_port: str | None = None

    def find(self, ref: str | int) -> int:
        """Index of a preset by 1-based number or by name (case-insensitive); KeyError saying what exists."""
        if isinstance(ref, int):
            if 1 <= ref <= len(self.presets):
                return ref - 1
            raise KeyError(f"no preset {ref}: this show has presets 1 to {len(self.presets)}")
        for i, p in enumerate(self.presets):
            if p.name.lower() == ref.lower():
                return i
        names = ", ".join(p.name for p in self.presets[:8]) + (", …" if len(self.presets) > 8 else "")
        raise KeyError(f"no preset named {ref!r}; presets: {names}")

    def prompts(self) -> list[str]:
        """Every prompt text of the show, for encoding ahead."""
        return list(dict.fromkeys(text for p in self.presets for text in p.prompts))


NULL_TAG = "tag:yaml.org,2002:null"
SHOW_KEYS = ("name", "defaults", "output", "presets", "midi")
PRESET_KEYS = ("name", "prompt", "prompts", "seed", "transition", "fallback")


def parse_show(text: str, path: str) -> Show:
    """A Show from YAML text; ConfigError listing every problem as file:line: message."""
    r = Reader(path)
    base = Path(path).resolve().parent
    root = r.compose(text)
    if root is None:
        if not r.problems:
            r.error(None, "the show file is empty; it needs at least a presets: list")
        r.raise_if_any()
    top = r.mapping(root, "show", SHOW_KEYS, required=("presets",))
    name = (r.string(top["name"], "show name", 200) if "name" in top else None) or Path(path).stem

    defaults = Defaults()
    if "defaults" in top:
        d = r.mapping(top["defaults"], "defaults", ("seed", "steps", "transition", "fallback"))
        defaults = Defaults(
            seed=r.integer(d["seed"], "defaults seed", 0, MAX_SEED) if "seed" in d else 0,
            steps=r.integer(d["steps"], "defaults steps", 1, 50) if "steps" in d else 4,
            transition=r.integer(d["transition"], "defaults transition", 0, 1000) if "transition" in d else 4,
            fallback=_image(r, d["fallback"], "defaults fallback", base) if "fallback" in d else None,
        )

    output = OutputSettings()
    if "output" in top:
        o = r.mapping(top["output"], "output", ("size", "fps", "fit", "out"))
        output = OutputSettings(
            size=_size(r, o["size"]) if "size" in o else None,
            fps=r.number(o["fps"], "output fps", 1, 240) if "fps" in o else None,
            fit=r.choice(o["fit"], "output fit", FITS) if "fit" in o else None,
            out=_outs(r, o["out"]) if "out" in o else None,
        )

    presets: list[Preset] = []
    seen: dict[str, int] = {}
    for i, node in enumerate(r.sequence(top["presets"], "presets") if "presets" in top else []):
        p = r.mapping(node, f"preset {i + 1}", PRESET_KEYS, required=("name",))
        pname = r.string(p["name"], f"preset {i + 1} name", 100) if "name" in p else None
        what = f"preset {pname!r}" if pname else f"preset {i + 1}"
        if pname:
            if pname.isdigit():
                r.error(p["name"], f"{what}: a name cannot be a plain number (numbers select presets by position)")
            elif pname.lower() in seen:
                r.error(p["name"], f"{what}: the name is already used by preset {seen[pname.lower()]}; "
                                   "names must differ")
            else:
                seen[pname.lower()] = i + 1
        prompts = _prompts(r, node, p, what)
        preset = Preset(
            name=pname or f"preset {i + 1}",
            prompts=prompts or {},
            seed=r.integer(p["seed"], f"{what} seed", 0, MAX_SEED) if "seed" in p else None,
            transition=r.integer(p["transition"], f"{what} transition", 0, 1000) if "transition" in p else None,
            fallback=_image(r, p["fallback"], f"{what} fallback", base) if "fallback" in p else None,
        )
        presets.append(preset)
    if "presets" in top and not presets and not r.problems:
        r.error(top["presets"], "presets is empty; add at least one preset with a name and a prompt")

    midi, port = None, None
    if "midi" in top:
        midi, port = read_map(r, top["midi"], "midi", base)
    r.raise_if_any()
    return Show(path, name, tuple(presets), defaults, output, midi, port)


def load_show(path: str | os.PathLike) -> Show:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{p}:1: the show file does not exist"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{p}:1: cannot read the show file ({e})"]) from None
    return parse_show(text, str(p))


def _prompts(r: Reader, node, p: dict, what: str) -> dict[str, float] | None:
    if ("prompt" in p) == ("prompts" in p):
        r.error(node, f"{what}: give either prompt (one text) or prompts (a weighted list)")
        return None
    if "prompt" in p:
        text = r.string(p["prompt"], f"{what} prompt")
        return {text: 1.0} if text else None
    out: dict[str, float] = {}
    for j, item in enumerate(r.sequence(p["prompts"], f"{what} prompts")):
        e = r.mapping(item, f"{what} prompt {j + 1}", ("text", "weight"), required=("text",))
        text = r.string(e["text"], f"{what} prompt {j + 1} text") if "text" in e else None
        weight = r.number(e["weight"], f"{what} prompt {j + 1} weight", 0, 100) if "weight" in e else 1.0
        if text and weight is not None:
            out[text] = out.get(text, 0.0) + weight
    if out and sum(out.values()) <= 0:
        r.error(p["prompts"], f"{what}: the weights add up to 0; give at least one a weight above 0")
        return None
    if not out and not r.problems:
        r.error(p["prompts"], f"{what}: prompts is empty")
    return out or None


def _size(r: Reader, node) -> tuple[int, int] | None:
    v = r.value(node, "output size")
    if v is INVALID:
        return None
    try:
        w, h = (int(x) for x in str(v).lower().split("x"))
    except ValueError:
        r.error(node, f"output size must be WIDTHxHEIGHT, like 832x480 (got {v!r})")
        return None
    if w <= 0 or h <= 0 or w % 16 or h % 16:
        r.error(node, f"output size {w}x{h}: both must be positive multiples of 16 (832x480, 576x320, 480x832)")
        return None
    return w, h


def _outs(r: Reader, node) -> tuple[str, ...] | None:
    from vcam.outputs import parse_spec

    items = r.sequence(node, "output out")
    outs = []
    for item in items:
        if isinstance(item, ScalarNode) and item.tag == NULL_TAG and item.value.lower() == "null":
            # unquoted, null is YAML's null; the null output is what the writer means
            outs.append("null")
            continue
        text = r.string(item, "output out entry", 500)
        if text is None:
            continue
        try:
            parse_spec(text)
        except ValueError as e:
            r.error(item, str(e))
            continue
        outs.append(text)
    return tuple(outs)


def _image(r: Reader, node, what: str, base: Path) -> str | None:
    text = r.string(node, what, 1000)
    if text is None:
        return None
    path = (base / text).resolve()
    if not path.is_file():
        r.error(node, f"{what}: image {text} not found (looked at {path})")
        return None
    return str(path)
