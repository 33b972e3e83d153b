"""Errors a user can act on: each says what went wrong and what to do about it."""
from __future__ import annotations


# Fixes said alike wherever the problem is found (a show's check, the image a show loads, a map file)
READ_FIX = "let the user running vcam read it (chmod a+r FILE)"
IMAGE_FIX = "convert it to PNG or JPEG"


def install_fix(extra: str, what: str = "") -> str:
    """pip's line that adds the optional part `extra` (a pyproject extra) to this install: into the source folder
    vcam runs from (the README's editable install), or from PyPI where vcam is an installed package (a laptop's
    `pip install vcam`), which has no folder to run `pip install -e .` in. `what` names the packages it brings."""
    import os

    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if os.path.isfile(os.path.join(here, "pyproject.toml")):
        return f'pip install -e ".[{extra}]"  ({what or "in the vcam folder"})'
    return f'pip install "vcam[{extra}]"' + (f"  ({what})" if what else "")


class VcamError(Exception):
    """Base of every error vcam reports to the user as one clear message (the CLI prints it and exits 2)."""

    def __init__(self, message: str, fix: str = ""):
        self.message = message
        self.fix = fix
        super().__init__(f"{message}\n  fix: {fix}" if fix else message)


def one_line(error: BaseException) -> str:
    """An error as a running show says it on one line: a VcamError's fix after its message."""
    if isinstance(error, VcamError):
        return f"{error.message}; {error.fix}" if error.fix else error.message
    return str(error)


class NonFinitePromptError(VcamError):
    """A stream's first prompt the text encoder overflows on (NaN): the stream cannot start on it. Its fix depends on
    where that prompt came from (a Python call's argument, --prompt or a show, a log being made again), so whoever
    gave it may say it again with its own fix."""


class NoDisplayError(VcamError):
    """A preview window with no display it can draw on: a show with other outputs goes on without it, whether that
    is found as it opens or, where the display never answers, at its first frame."""


class NonFiniteBlockError(RuntimeError):
    """A block whose latents came out NaN or infinite (an overflow: FP8 or extreme settings on a real card). Its
    frames are garbage, and kept as context they would make every later block NaN too: the stream must start over
    (`Stream.reset`), which a running show does at once."""

    def __init__(self):
        super().__init__("the block came out NaN or infinite (an overflow in the model)")


class NoGPUError(VcamError):
    pass


class NotEnoughVRAMError(VcamError):
    pass


class NotEnoughRAMError(VcamError):
    """The machine's own memory (not the GPU's) cannot hold what the memory plan puts on the CPU."""


class WeightsError(VcamError):
    """Weights missing, partial, damaged, or not the checkpoint the model expects."""
