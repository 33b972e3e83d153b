"""An error as the command line says it on stderr: one line, and the fix under it where there is one."""
from __future__ import annotations

import errno
import json
import os
import select
import sys

from vcam.errors import VcamError, install_fix, reinstall_line


# The optional parts of an install, by the top-level module whose absence shows that one is missing.
EXTRAS = {"torch": "engine", "diffusers": "engine", "transformers": "engine", "safetensors": "engine",
          "huggingface_hub": "engine", "mido": "midi", "rtmidi": "midi", "torchao": "fp8", "pythonosc": "osc",
          "aalink": "link"}
WHAT = {"engine": "the engine (PyTorch and the model code), which the camera-only install leaves out",
        "midi": "MIDI support (mido and python-rtmidi)", "fp8": "FP8 and NVFP4 support (torchao)",
        "osc": "OSC support (python-osc)", "link": "Ableton Link support (aalink)"}


# What every install brings (pyproject's dependencies, its floors too), by top-level module: the requirement pip
# installs it by. One goes missing after a half-done `pip uninstall` (the README's swap of OpenCV builds for the
# preview window).
DEPENDENCIES = {"cv2": "opencv-python-headless>=4.13", "av": "av>=18.1", "pyvirtualcam": "pyvirtualcam>=0.12",
                "yaml": "pyyaml>=6", "websockets": "websockets>=17.1", "numpy": "numpy>=2"}


def missing_extra(command: str, e: ImportError) -> VcamError | None:
    """What `vcam COMMAND` says where `e` shows an optional part of the install (a pyproject extra), or a package
    every install brings, to be missing, and how to install it; None where `e` is no such part's absence. One error
    for stderr and `vcam bench --json`'s object alike. `command` "" where no command was read yet."""
    top = _top(e) if isinstance(e, ModuleNotFoundError) else ""
    if top in DEPENDENCIES:
        return missing_dependency(command, top, e.name)
    if _top(e) == "cv2" and "cannot open shared object file" in str(e):
        return opencv_without_its_libraries(command, e)
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    return VcamError(f"{_vcam(command)} needs {WHAT[extra]} (no module named {e.name!r})",
                     install_fix(extra))


def missing_before_command(e: ImportError) -> VcamError | None:
    """What vcam says where a package every install brings fails to load before a command is read (vcam's own modules
    loading, its options built: pyyaml, numpy); None for any other ImportError, a fault of vcam's own."""
    top = _top(e) if isinstance(e, ModuleNotFoundError) else ""
    return missing_dependency("", top, e.name) if top in DEPENDENCIES else None


def missing_at_start(e: ImportError) -> int:
    """`e`, raised as vcam's modules loaded or its options were built, said as the package missing with pip's line
    (exit 2); raised again where it is no such package's absence, or VCAM_DEBUG asks for the traceback."""
    missing = missing_before_command(e)
    if missing is None or os.environ.get("VCAM_DEBUG"):
        raise e
    say_error(missing)
    return 2


def _top(e: ImportError) -> str:
    """The top-level module of the one `e` failed to load (`cv2` for `cv2.dnn`), "" where `e` names none."""
    return (e.name or "").split(".")[0]


def _vcam(command: str) -> str:
    return f"vcam {command}" if command else "vcam"


def _other_build(top: str) -> str:
    """Either OpenCV build gives cv2: the one installed is the one to mend (two would share its folder)."""
    return " (or opencv-python, where that build is the one installed, for --out window)" if top == "cv2" else ""


def missing_dependency(command: str, top: str, name: str) -> VcamError:
    """A package of vcam's own install that is not there, or (`name` one of its modules) too old or damaged: pip's
    line for it, and the reinstall that brings all."""
    requirement = DEPENDENCIES[top]
    package = requirement.split(">")[0]
    if name != top:  # the package is there, its module is not: pip would answer "already satisfied"
        return VcamError(f"{_vcam(command)} needs {requirement}, and the {package} installed lacks its module "
                         f"{name!r}: it is too old or damaged",
                         # --no-deps: forced alone, it reinstalls (and may upgrade) numpy and the rest as well
                         f'pip install -U --force-reinstall --no-deps "{requirement}"{_other_build(top)}, or install '
                         f'vcam again: {reinstall_line()}')
    if top == "cv2":  # either OpenCV build gives cv2; the one with windows where the preview window is wanted.
        # Forced: with opencv-python installed over the headless build and uninstalled again, cv2's folder is gone
        # while pip still lists the headless build, and a plain install does nothing.
        line = "pip install --force-reinstall opencv-python-headless (or opencv-python, for --out window)"
    else:
        line = f"pip install {package}"
    return VcamError(f"{_vcam(command)} needs {package}, which vcam's install brings, and it is missing "
                     f"(no module named {name!r})", f"{line}, or install vcam again: {reinstall_line()}")


def opencv_without_its_libraries(command: str, e: ImportError) -> VcamError:
    """OpenCV's windowed build (opencv-python, the README's step for the preview window, or another package's
    requirement) on a machine without a desktop's libraries: a cloud container lacks libGL, and every command that
    reads or writes a frame fails to import cv2."""
    library = str(e).split(":")[0]
    return VcamError(f"{_vcam(command)} cannot load OpenCV: the system library {library} is missing (the windowed "
                     f"build, opencv-python, needs a desktop's libraries)",
                     "where no preview window is wanted (a container, a server), use the headless build: "
                     "pip uninstall -y opencv-python opencv-python-headless && pip install opencv-python-headless; "
                     "for the window, install the libraries (Debian/Ubuntu: sudo apt install libgl1 libglib2.0-0)")


def internal_error(e: BaseException) -> None:
    print(f"vcam: error: {e.__class__.__name__}: {e}", file=sys.stderr)
    print("  (set VCAM_DEBUG=1 for the full traceback)", file=sys.stderr)


def say_error(e: VcamError) -> None:
    print(f"vcam: error: {e.message}", file=sys.stderr)
    if e.fix:
        print(f"  fix: {e.fix}", file=sys.stderr)


def said_as_json(error: dict[str, str]) -> None:
    """A failure's JSON object on stdout (`vcam bench --json`); nothing where stdout's reader is gone (a pipe it
    closed): the failed write was raised in place of the failure, whose line on stderr became an internal error's."""
    try:
        print(json.dumps(error), flush=True)
    except (OSError, ValueError):
        stdout_to_null()


# Stdout's reader closed it before a command's output was all written (`vcam models | head -c0`): nothing is said
# (as a pipe's writer says nothing), and the exit code is the one Python's documentation gives for a broken pipe
# (signal module, "Note on SIGPIPE"), as the output did not reach its reader whole
READER_GONE = 1


def stdout_gone() -> bool:
    """Whether stdout is a pipe whose reader has closed it: what a BrokenPipeError came from, where it was stdout's
    and not another pipe's (a socket's, an encoder's)."""
    try:
        sys.stdout.flush()  # what the failed write left in the buffer is written again: it fails the same way
    except BrokenPipeError:
        return True
    except (OSError, ValueError):
        return False
    try:  # an empty buffer: the pipe itself says it has no reader (POLLERR); no poll on Windows
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _, events in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no descriptor under it (a test's capture)
        return False


# What a write to a file or disk with no room left raises: no room on the disk, over the user's quota, over the
# file size the system allows
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def stdout_failure(e: OSError) -> VcamError | None:
    """What to say where `e` is stdout's own failure (`vcam models > /dev/full`, a redirect onto a full disk): the
    output's, with its fix, where it was said as an internal error; None where `e` is not stdout's."""
    failed = getattr(sys.stdout, "failed", None)  # remembered by vcam.stdio.RemembersFailure, in the command line's
    if not isinstance(failed, OSError) or e.filename is not None or e.errno != failed.errno:
        return None
    return output_lost()


def output_lost() -> VcamError | None:
    """What to say where a write to stdout failed in this process, though nothing raised it (argparse drops the
    failure of its help's write, and exited 0 having written nothing); None where none failed."""
    failed = getattr(sys.stdout, "failed", None)
    if not isinstance(failed, OSError) or isinstance(failed, BrokenPipeError):  # a reader gone is no failure to say
        return None
    reason = failed.strerror or str(failed)
    if failed.errno in NO_ROOM:
        return VcamError(f"could not write the output to stdout: {reason}",
                         "free space where stdout goes, or send it to another disk (`> FILE` there)")
    return VcamError(f"could not write the output to stdout: {reason}")


def stdout_to_null() -> None:
    """Stdout pointed at the null device, where a write failed: what is left in its buffer drains there, where it
    was tried again as Python ends and said as an ignored BrokenPipeError."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, sys.stdout.fileno())
        finally:
            os.close(null)
    except (OSError, ValueError):  # no descriptor under it (a test's capture)
        pass
