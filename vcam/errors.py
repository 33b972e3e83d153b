"""Errors a user can act on: each says what went wrong and what to do about it."""
from __future__ import annotations

import os

from vcam.words import name_said

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the folder that holds the package
_PACKAGE = os.path.join(_ROOT, "vcam") + os.sep

# Fixes said alike wherever the problem is found (a show's check, the image a show loads, a map file)
READ_FIX = "let the user running vcam read it (chmod a+r FILE)"
IMAGE_FIX = "convert it to PNG or JPEG"
# The fix for a file of 0 bytes: converting it, or saying it is no image, could not help
EMPTY_FIX = "its copy, download or export did not finish, or it is still being written: give it once it is whole"


def install_fix(extra: str, what: str = "") -> str:
    """pip's line that adds the optional part `extra` (a pyproject extra) to this install: into the source folder
    vcam runs from (the README's editable install), or from PyPI where vcam is an installed package (a laptop's
    `pip install vcam`), which has no folder to run `pip install -e .` in. `what` names the packages it brings."""
    if from_checkout():
        return f'pip install -e ".[{extra}]"  ({what or "in the vcam folder"})'
    return f'pip install "vcam[{extra}]"' + (f"  ({what})" if what else "")


def reinstall_line() -> str:
    """pip's line that installs vcam again with what every install brings: the source folder's editable install, or
    the package from PyPI."""
    if from_checkout():
        return "pip install -e .  (in the vcam folder)"
    return "pip install vcam"  # pip installs what an installed package requires and lacks


def from_checkout() -> bool:
    """Whether vcam runs from a source folder (the README's editable install) rather than as an installed package."""
    # read at each call, not _ROOT: the tests stand in a PyPI install by moving __file__ into a site-packages
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return os.path.isfile(os.path.join(here, "pyproject.toml"))


class LoadStopped(Exception):
    """The show stopped (`quit`, Ctrl-C) before its model was loaded: the load ends at its next step, unsaid."""


class VcamError(Exception):
    """Base of every error vcam reports to the user as one clear message (the CLI prints it and exits 2)."""

    def __init__(self, message: str, fix: str = ""):
        self.message = message
        self.fix = fix
        super().__init__(f"{message}\n  fix: {fix}" if fix else message)


class FileNamingError(VcamError):
    """An error whose text names a file or a device as it was given (an input, a fallback image). A name holding a
    terminal's escape ("\\x1b[2J" cleared the screen as the error was said) or a line break (one named to look like
    a line of vcam's own) is said escaped, as repr() writes it: here, once, as the error is made, since every place
    that says an error (the CLI's error lines, a command's reply, a line said on air, a status message) says its
    text as it is."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(name_said(message), name_said(fix))


def one_line(error: BaseException) -> str:
    """An error as a running show says it on one line: a VcamError's fix after its message; one that is most likely
    a bug in vcam, or that has no text of its own, with its type (and a bug's place: described)."""
    if isinstance(error, VcamError):
        return f"{error.message}; {error.fix}" if error.fix else error.message
    if isinstance(error, BUG_TYPES) or not _flat(error):
        return described(error)
    return _flat(error)


# What vcam's own code raises when it is wrong, not when a device, a file or a peer fails: said bare, a KeyError's
# "'x'" or an AttributeError's "'NoneType' object has no attribute ..." read as the device's or the file's fault
BUG_TYPES = (AttributeError, AssertionError, LookupError, NameError, NotImplementedError, TypeError,
             ZeroDivisionError)


def _flat(error: BaseException) -> str:
    """An error's text on one line: a library's text can run over several (OpenCV's, torch's, yaml's), which a line
    of vcam's own said with "\\n" escapes between its parts; set out over lines, its runs of spaces go too (OpenCV
    indents), while a text of one line keeps them, as a file's name it holds may have two."""
    text = str(error)
    return " ".join(text.split()) if "\n" in text or "\r" in text else text.strip()


def described(error: BaseException) -> str:
    """An error caught by a handler that keeps the show going, on one line: its type and text, and for a bug in vcam
    (bug_place) the line of vcam's code it broke at, so that a report of it has something to go on."""
    said = _flat(error)
    text = f"{error.__class__.__name__}: {said}" if said else error.__class__.__name__
    place = bug_place(error)
    return f"{text} (at {place}: a bug in vcam, please report this line)" if place else text


def bug_place(error: BaseException) -> str | None:
    """Where vcam's own code broke, for an error that is most likely a bug in vcam: one of BUG_TYPES as Python itself
    raises it (a library's own subclass, as PyAV's DecoderNotFoundError, a LookupError, names a device's or a file's
    fault), raised in a frame that is not a library's (mido or yaml raising a KeyError on their input are not vcam's
    bug). None for any other error."""
    if not isinstance(error, BUG_TYPES) or error.__class__.__module__ != "builtins" or _raised_in_library(error):
        return None
    return raised_at(error)


def _raised_in_library(error: BaseException) -> bool:
    """The innermost frame of the error's traceback is a library's: the standard library's, an installed package's,
    or a compiled one's (Cython, as PyAV's, names its frames by a relative path). A C function has no frame: what it
    raised is at the line of vcam's that called it."""
    import sysconfig

    tb = error.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    name = tb.tb_frame.f_code.co_filename
    if not os.path.isabs(name):
        return True
    name = os.path.abspath(name)
    if name.startswith(_PACKAGE):
        return False
    paths = sysconfig.get_paths()
    libraries = {os.path.abspath(paths[key]) + os.sep for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return any(name.startswith(folder) for folder in libraries)


def raised_by_vcam(e: BaseException) -> bool:
    """Whether `e` was raised by vcam's own code (a check of the user's input) rather than inside a library."""
    tb = e.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(_PACKAGE)


def raised_at(error: BaseException) -> str | None:
    """`vcam/live/pacer.py:123 in tick`: the innermost line of vcam's own code in the error's traceback; None where
    it went through none (raised by a library that vcam called from no frame of its own)."""
    place, tb = None, error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if os.path.abspath(code.co_filename).startswith(_PACKAGE):
            path = os.path.relpath(code.co_filename, _ROOT).replace(os.sep, "/")
            place = f"{path}:{tb.tb_lineno} in {code.co_name}"
        tb = tb.tb_next
    return place


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
