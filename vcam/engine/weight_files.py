"""The model's weight files, found and checked without torch: a show checks its --weights folder before anything
opens (a camera, a recording), minutes before the model loads (engine/weights.py, which reads them).

A local folder (`--weights DIR`) holds what the two hub repos hold, merged:
    DIR/krea-realtime-video-14b.safetensors
    DIR/text_encoder/…  DIR/tokenizer/…  DIR/vae/…
"""
from __future__ import annotations

import json
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from vcam.engine.configs import KREA_FILE, WAN_REPO, ModelSpec
from vcam.errors import READ_FIX, WeightsError
from vcam.homefolder import home_expanded
from vcam.words import nearest, shell_word

# What the tokenizer is read from (transformers' AutoTokenizer): the fast tokenizer's file, or the SentencePiece
# model it can be made from.
TOKENIZER_FILES = ("tokenizer.json", "spiece.model")
UNREADABLE = "cannot be read by this user"
# What `git clone` of a hub repo leaves where git-lfs is not installed: a few lines naming the file, not the file.
LFS_START = b"version https://git-lfs"
LFS_POINTER = "a Git LFS pointer, not the weights: the repo was cloned without git-lfs; run `git lfs pull` in the clone"


# The VAE and text encoder as Wan's own repo (Wan-AI/Wan2.1-T2V-14B, not its -Diffusers one) holds them: a folder
# filled from the wrong one of the two.
WAN_OWN_FILES = ("Wan2.1_VAE.pth", "models_t5_umt5-xxl-enc-bf16.pth")


class FileProblem(str):
    """Why a file is unusable, as a message says it; `cut_short`: it holds less than it should (a copy or a
    download stopped early, a full disk), which huggingface_hub fetches again itself where it finds it so."""

    cut_short: bool

    def __new__(cls, said: str, cut_short: bool = False) -> FileProblem:
        problem = super().__new__(cls, said)
        problem.cut_short = cut_short
        return problem


@dataclass(frozen=True)
class WeightPaths:
    transformer: Path
    text_encoder: Path
    tokenizer: Path
    vae: Path


def layout(krea: Path, wan: Path) -> WeightPaths:
    """Where the files are when the Krea checkpoint is in `krea` and Wan's text encoder, tokenizer and VAE in `wan`
    (one folder for both in a --weights folder)."""
    return WeightPaths(krea / KREA_FILE, wan / "text_encoder", wan / "tokenizer", wan / "vae")


def from_folder(folder: str | os.PathLike, spec: ModelSpec | None = None) -> WeightPaths:
    """The weights in a local folder laid out like the hub repos (checked, see `check_files`), for the model `spec`
    (krea-14b when not given)."""
    if not str(folder).strip():  # `--weights "$WEIGHTS"` with the variable unset: not the current folder
        raise WeightsError("--weights was given an empty path",
                           f"pass the folder that holds {KREA_FILE}, or leave out --weights to download the weights "
                           "from the Hugging Face hub")
    root = home_expanded(folder)  # a quoted ~ with no home to read it as: as written, not found
    _check_name_lengths(root)
    if root.is_file():  # the checkpoint itself, most likely: the other parts sit beside it
        raise WeightsError(f"weights folder {root} is a file: --weights takes the folder that holds {KREA_FILE} "
                           "and the text_encoder/, tokenizer/ and vae/ folders",
                           f"pass its folder instead: --weights {shell_word(str(root.parent))}")
    if not root.is_dir():
        meant = _folder_meant(root)
        fix = "pass the folder that holds " + KREA_FILE
        if meant is not None:
            case = " (folder names are case-sensitive)" if str(meant).lower() == str(root).lower() else ""
            fix = f"did you mean --weights {shell_word(str(meant))}?{case} Otherwise {fix}"
        raise WeightsError(f"weights folder {root} does not exist", fix)
    paths = layout(root, root)
    # nothing is downloaded into a folder given by hand: "run again to download them" would not refill it
    fix = (f"copy complete files into {root}: {KREA_FILE} and the text_encoder/, tokenizer/ and vae/ folders of "
           "Wan-AI/Wan2.1-T2V-14B-Diffusers; or leave out --weights to download them from the Hugging Face hub")
    if spec is not None and spec.random_weights:
        # krea-14b's files, which that fix sends for, do not fit this model's shapes, and there is nothing to download
        fix = (f"copy complete files into {root}: {spec.name}'s own weights, laid out as krea-14b's ({KREA_FILE} and "
               f"the text_encoder/, tokenizer/ and vae/ folders); or leave out --weights: {spec.name} builds random "
               "weights and needs no files")
    # a hub cache's own fix replaces the copying one: its files are complete where they are
    hint = _hub_cache_hint(root)
    if hint is None and (hint := _layout_hint(root)) is not None:
        hint = f"{hint}; {fix}"
    check_files(paths, hint or fix)
    return paths


# The longest name of one folder or file most file systems take (ext4, XFS, btrfs, NTFS), in bytes
NAME_MAX = 255


def _check_name_lengths(root: Path) -> None:
    """Refuses a path with a part longer than any folder's name can be (a variable pasted twice, a line of text
    pasted in place of a path), which the file system refuses as "File name too long" with no word of which part or
    of the fix."""
    long = [part for part in root.parts if len(os.fsencode(part)) > NAME_MAX]
    if long:
        shown = long[0] if len(long[0]) <= 60 else f"{long[0][:40]}…{long[0][-12:]}"
        raise WeightsError(f"--weights names a folder {shown!r} of {len(os.fsencode(long[0]))} bytes, longer than a "
                           f"folder's name can be ({NAME_MAX} bytes)",
                           f"pass the path of the folder that holds {KREA_FILE} (where it came from a variable, "
                           "check what the variable holds: `echo \"$WEIGHTS\"`, say)")


def _folder_meant(root: Path) -> Path | None:
    """The folder a --weights path that is not there was likely meant to be (`/workspace/wieghts`, `/worksapce/…`,
    `Weights` on Linux): its first part that is not there taken as a slip for a folder beside it that, so mended,
    holds the checkpoint; None where none does. A folder that merely exists is offered for none: weights-v2 not
    there yet is no slip for weights-v1, nor models for modules."""
    path, missing = root, []
    while not path.exists() and path.parent != path:
        missing.append(path.name)
        path = path.parent
    if not missing or not path.is_dir():
        return None
    first, rest = missing[-1], list(reversed(missing[:-1]))
    try:
        names = sorted(p.name for p in path.iterdir() if p.is_dir())  # sorted: one pick among Weights and WEIGHTS
    except OSError:  # a folder that cannot be listed: nothing to offer
        return None
    holding = [n for n in names if path.joinpath(n, *rest, KREA_FILE).is_file()]
    near = next((n for n in holding if n.lower() == first.lower()), None) or nearest(first, holding, cutoff=0.75)
    return None if near is None else path.joinpath(near, *rest)


def _layout_hint(root: Path) -> str | None:
    """What a folder laid out otherwise than vcam reads holds instead, where that is recognisable."""
    wan_own = [name for name in WAN_OWN_FILES if (root / name).is_file()]
    if wan_own and not all((root / part / "config.json").is_file() for part in ("text_encoder", "vae")):
        return (f"{root} holds {' and '.join(wan_own)}, the files of Wan's own repo (Wan-AI/Wan2.1-T2V-14B), which "
                f"vcam does not read: put the text_encoder/, tokenizer/ and vae/ folders of {WAN_REPO} beside "
                f"{KREA_FILE}")
    if (root / KREA_FILE).is_file():
        return None
    if (root.parent / KREA_FILE).is_file():  # DIR/vae: its own weights are no checkpoint to rename
        return (f"{root} is the {root.name}/ folder of the weights folder {root.parent}: pass --weights "
                f"{shell_word(str(root.parent))}")
    nested = sorted(p.parent for p in root.glob(f"*/{KREA_FILE}"))
    if nested:
        return f"{KREA_FILE} is in {nested[0]}: pass --weights {shell_word(str(nested[0]))}"
    if (root / "transformer").is_dir() or (root / "model_index.json").is_file():
        return (f"{root} is in diffusers' layout (a transformer/ folder): vcam reads Krea's one-file checkpoint "
                f"{KREA_FILE} (krea/krea-realtime-video), not a diffusers transformer")
    others = sorted(p.name for p in root.glob("*.safetensors") if p.name != KREA_FILE)
    if others:
        return (f"{root} holds {', '.join(others[:3])} but no {KREA_FILE}: if one is Krea's checkpoint under "
                f"another name, rename it {KREA_FILE}")
    return None


def _hub_cache_hint(root: Path) -> str | None:
    """Where `root` is a Hugging Face hub cache or a part of one (where `vcam download` or `hf download` put the
    files), how to have vcam read it: the cache keeps each repo in a folder of its own, as no --weights folder does."""
    def repos(folder: Path) -> bool:
        return any(folder.glob("models--*"))

    # named by HF_HUB_CACHE even where it is HF_HOME's hub/: that variable outranks HF_HOME, so it works either way
    resolved, where = root.resolve(), "inside "
    if repos(root / "hub"):
        name, cache, where = "HF_HUB_CACHE", resolved / "hub", ""
    elif repos(root):
        name, cache, where = "HF_HUB_CACHE", resolved, ""
    elif resolved.name.startswith("models--"):
        name, cache = "HF_HUB_CACHE", resolved.parent
    elif resolved.parent.name == "snapshots" and resolved.parent.parent.name.startswith("models--"):
        name, cache = "HF_HUB_CACHE", resolved.parent.parent.parent
    else:
        return None
    return (f"{root} is {where}a Hugging Face hub cache, which vcam reads itself: leave out --weights and run with "
            f"{name}={shell_word(str(cache))} set")


def safetensors_problem(path: Path) -> FileProblem | None:
    """Why a .safetensors file is unusable (missing, unreadable, truncated, damaged header), or None if it looks
    whole."""
    if not path.is_file():
        return _not_a_file(path)
    size = path.stat().st_size
    try:
        with open(path, "rb") as f:
            raw = f.read(8)
            if len(raw) < 8:
                return FileProblem(f"only {size} bytes", cut_short=True)
            (n,) = struct.unpack("<Q", raw)
            if n > min(size - 8, 100 * 1024**2):
                pointer = raw + f.read(len(LFS_START) - 8) == LFS_START
                return FileProblem(LFS_POINTER if pointer else "damaged header")
            header = json.loads(f.read(n))
    except PermissionError:  # not damaged: copying or downloading it again would change nothing
        return FileProblem(UNREADABLE)
    # said by the error's class name ("damaged header (UnicodeDecodeError)"), which told a user nothing
    except UnicodeDecodeError:
        return FileProblem("damaged header: its bytes are not text")
    except (ValueError, RecursionError):  # nested too deep to parse (`[` repeated), as flipped bytes can make it
        return FileProblem("damaged header: not valid JSON")
    except OSError as e:
        return FileProblem(f"damaged: reading it failed ({e.strerror or e})")
    end = _data_end(header)
    if end is None:  # JSON, but not a table of tensors: damaged bytes, or another format under the name
        return FileProblem("damaged header: not a table of tensors")
    if 8 + n + end > size:
        return FileProblem(f"truncated: {size} of {8 + n + end} bytes", cut_short=True)
    return None


def _data_end(header) -> int | None:
    """Where the last tensor's bytes end, after the header, by a safetensors header's table; None where it is none."""
    try:
        return max((int(v["data_offsets"][1]) for k, v in header.items() if k != "__metadata__"), default=0)
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return None


def _not_a_file(path: Path) -> FileProblem:
    """Why `path`, which is no file, is not the file it should be: a folder in its place is not "missing"."""
    return FileProblem("a folder, not the file" if path.is_dir() else "missing")


def _json_problem(path: Path) -> FileProblem | None:
    """Why a JSON file the libraries read (a config, the tokenizer's) is unusable, or None: one cut short or empty
    stops the load with a bare JSONDecodeError, minutes in, after the checkpoint was read."""
    if not path.is_file():
        return _not_a_file(path)
    try:
        with open(path, "rb") as f:
            value = json.load(f)
    except PermissionError:
        return FileProblem(UNREADABLE)
    except (OSError, ValueError):
        return FileProblem("damaged: not JSON") if path.stat().st_size else FileProblem("empty", cut_short=True)
    return None if isinstance(value, dict) else FileProblem("damaged: not a JSON object")


# the JSON files transformers' tokenizers read: another one in the folder (a note of the uploader's) is never opened,
# so one that is damaged must not stop a show
TOKENIZER_READS = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json")


def _tokenizer_problems(folder: Path) -> list[str]:
    """The tokenizer folder's missing or damaged files, each as "PATH (why)"."""
    if not folder.is_dir():
        return [f"{folder} (missing)"]
    if not any((folder / name).exists() for name in TOKENIZER_FILES):
        return [f"{folder} (neither {' nor '.join(TOKENIZER_FILES)} in it)"]
    named = ((f, _json_problem(f)) for f in sorted(folder.glob("*.json")) if f.name in TOKENIZER_READS)
    return [f"{link_named(f, why)} ({why})" for f, why in named if why]


def link_named(path: Path, why: FileProblem | str = "") -> str:
    """A file and, where it is a link (the hub cache's snapshots link to its blobs), the file it links to: deleting
    the link alone would have the hub link the same damaged file again. Under huggingface_hub 2.4 the repo's blob is
    itself a link into a store of files all repos share (`<cache>/blobs/ab/<hash>`): a file cut short there (`why`:
    only a FileProblem whose `cut_short` is set says so; a plain str never does) the hub fetches again itself, so
    the link is followed one step; one damaged at its full size (its first bytes zeroed) the hub linked again as it
    was, the same error each time, so the store file is named too, a third side of the `->`s (damaged for every repo
    that links to it)."""
    if not path.is_symlink():
        return str(path)
    try:
        blob = _link_target(path)
        if blob.is_symlink() and not (isinstance(why, FileProblem) and why.cut_short):
            return f"{path} -> {blob} -> {_link_target(blob)}"
    except OSError:  # gone since: named alone
        return str(path)
    return f"{path} -> {blob}"


def _link_target(link: Path) -> Path:
    """The file `link` links to, one step: its `..` read as text beside the link, as the hub cache lays its links
    out, but from the folder's real place where that folder is reached through a link (a --weights folder that is
    one), where `..` climbs out of the real folder, not out of the link's."""
    target = os.readlink(link)
    folder = os.path.abspath(link.parent)
    real = os.path.realpath(folder)
    if real == folder:
        return Path(os.path.normpath(link.parent / target))
    where = os.path.join(real, target)  # an absolute target stands alone
    return Path(os.path.realpath(os.path.dirname(where))) / os.path.basename(where)


def _shards(index: Path) -> list[str] | None:
    """The shard files a `*.safetensors.index.json` names, or None where it is not one (a copy cut short, a file
    saved over it), which loading would stop at with a JSON error."""
    try:
        shards = json.loads(index.read_text())["weight_map"].values()
        return sorted({str(s) for s in shards})
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def weights_in(folder: Path) -> list[Path]:
    """The .safetensors files of a text encoder's or VAE's folder: the shards its index names, where it has one."""
    return _weights_named(folder, _index_of(folder))[1]


def _index_of(folder: Path) -> Path | None:
    return next(iter(folder.glob("*.safetensors.index.json")), None)


def _weights_named(folder: Path, index: Path | None) -> tuple[list[str] | None, list[Path]]:
    """The shards `index` names (None where it is damaged or absent) and the files to read: read once, where the
    check read the index a second time for the files (Wan's text encoder's lists ~240 tensors)."""
    shards = _shards(index) if index else None
    return shards, [folder / s for s in shards] if shards else sorted(folder.glob("*.safetensors"))


def check_files(paths: WeightPaths, fix: str = "delete the damaged files and run again to download them (or copy "
                "complete files into the folder)") -> None:
    """Raises WeightsError naming every missing or partial file, with `fix`."""
    problems = []
    why = safetensors_problem(paths.transformer)
    if why:
        problems.append(f"{link_named(paths.transformer, why)} ({why})")
    for folder in (paths.text_encoder, paths.vae):
        why = _json_problem(folder / "config.json")
        if why:
            problems.append(f"{link_named(folder / 'config.json', why)} ({why})")
            continue
        index = _index_of(folder)
        shards, files = _weights_named(folder, index)
        if index and shards is None:
            problems.append(f"{link_named(index)} (damaged: not a shard index)")
            continue
        if not files:
            problems.append(f"{folder} (no .safetensors weights)")
        for f in files:
            why = safetensors_problem(f)
            if why:
                problems.append(f"{link_named(f, why)} ({why})")
    problems += _tokenizer_problems(paths.tokenizer)
    if problems:
        raise WeightsError("model files missing or incomplete:\n    " + "\n    ".join(problems), _fix(problems, fix))


def _fix(problems: list[str], fix: str) -> str:
    """`fix`, or where a file is only unreadable, what makes it readable: copying or downloading it again would
    change nothing."""
    unreadable = [p for p in problems if p.endswith(f"({UNREADABLE})")]
    if len(unreadable) == len(problems):
        return READ_FIX
    return f"{fix}; and {READ_FIX} for the files that cannot be read" if unreadable else fix
