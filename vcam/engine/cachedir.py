"""Where vcam keeps what it learns between runs: the tuning file and compiled kernels."""
from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from vcam.homefolder import expand_home, home_expanded, home_folder
from vcam.progress import row_cleared


def cache_dir() -> Path:
    """$VCAM_CACHE_DIR, else $XDG_CACHE_HOME/vcam (where absolute), else ~/.cache/vcam, none of them created here;
    with no home, a folder of this user's own in the temporary one, created here where it is not there yet. A
    leading ~ is the home folder, as huggingface_hub reads HF_HOME: set where no shell expands it (a docker ENV, a
    systemd unit), it would otherwise make a folder named ~ in the current one. A relative $VCAM_CACHE_DIR is made
    whole against the folder vcam started in, and said."""
    if os.environ.get("VCAM_CACHE_DIR"):
        return _chosen(os.environ["VCAM_CACHE_DIR"])
    xdg = expand_home(os.environ.get("XDG_CACHE_HOME") or "")
    if xdg is not None and xdg.is_absolute():  # the XDG spec ignores a relative one: it put the tuning wherever
        return xdg / "vcam"  # vcam started
    home = home_folder()
    return home / ".cache" / "vcam" if home is not None else _homeless()


def _homeless() -> Path:
    """The cache of a user with no home folder, in the temporary one (where PyTorch keeps its kernels then too),
    and said once: `vcam run` ended with "Could not determine home directory" before loading anything. Its folder
    there is taken only where this user owns it alone; the compiled kernels in it are run, and another user who made
    it first could put theirs in it: then a private folder of this run's instead, made once and kept in
    VCAM_CACHE_DIR, so that every later look of the run (and of a process it starts) finds the same one."""
    folder = Path(tempfile.gettempdir()) / f"vcam-cache-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    if hasattr(os, "getuid") and not _ours_alone(folder):
        _say_once(f"vcam: {folder} is not this user's own (another user made it or can write in it, or it is a "
                  "link): it is left alone")
        folder = Path(tempfile.mkdtemp(prefix="vcam-cache-"))
        os.environ["VCAM_CACHE_DIR"] = str(folder)
    _say_once(f"vcam: this user has no home folder (HOME is not set, and the system knows none): the tuning and "
              f"compiled kernels are kept in {folder}, which a restart may wipe; set VCAM_CACHE_DIR (or HOME) to "
              "a folder that is kept")
    return folder


def _ours_alone(folder: Path) -> bool:
    """Whether `folder` is (made now, or already) a folder, not a link, of this user's that no other can write in."""
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        pass
    except OSError:
        return False
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _chosen(value: str) -> Path:
    """$VCAM_CACHE_DIR made whole, and said (once) where it was relative: `vcam bench --tune` saved the tuning where it
    was started, and a show started from another folder did not find it, with no word why. Unlike a relative
    XDG_CACHE_HOME it is not ignored: set for vcam alone, it may be its only writable folder (a volume)."""
    folder = home_expanded(value)  # ~ with no home to read it as: as written
    if folder.is_absolute():
        return folder
    try:
        whole = folder.absolute()
    except OSError:  # the current folder was deleted: nowhere to make it whole against
        return folder
    _say_once(f"vcam: VCAM_CACHE_DIR={value} is relative: the tuning and compiled kernels are kept in {whole}, which a "
              "vcam started in another folder will not find; set VCAM_CACHE_DIR to a whole path (e.g. "
              f"{whole}) to share them")
    return whole


def keep_compiled_kernels() -> Path:
    """Points torch.compile's cache at vcam's cache, unless the user chose another, so the minutes of compiling
    happen once per card and size rather than on every start: PyTorch's default is in /tmp, which rented
    machines wipe. Call before the first compile."""
    try:  # PyTorch writes its default into the environment itself, so a value equal to it was not chosen
        from torch._inductor.runtime.cache_dir_utils import default_cache_dir

        torch_default = default_cache_dir()
    except Exception:  # another PyTorch layout: keep whatever is set
        torch_default = None
    current = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if current is None or current == torch_default:
        ours = cache_dir() / "inductor"
        why = _unwritable(ours)
        if why is not None:  # torch.compile stopped the show with "No such file or directory", once it had loaded
            _say_once(f"vcam: compiled kernels cannot be kept in {ours} ({why}): they go to PyTorch's own folder "
                      f"this time ({current or torch_default}, which a reboot may wipe: then they are compiled "
                      "again); set VCAM_CACHE_DIR to a writable folder to keep them")
            return Path(current or torch_default or ours)
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = current = str(ours)
        # Triton's kernels too: inductor only derives their folder once, from whatever was set first.
        os.environ.setdefault("TRITON_CACHE_DIR", str(Path(current) / "triton"))
    return Path(current)


def _unwritable(folder: Path) -> str | None:
    """Why `folder` cannot be made or written (a read-only home, a cache variable naming a file), else None."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        return e.strerror or str(e)
    return None if os.access(folder, os.W_OK) else "not writable by this user"


_said: set[str] = set()


def _say_once(line: str) -> None:
    """`line` on stderr, once a process: a bench compiles engine after engine."""
    if line not in _said:
        _said.add(line)
        # one write, from a wiped row: no other thread's line lands inside it, nor it after the status line's end
        print(f"{row_cleared(sys.stderr)}{line}\n", end="", file=sys.stderr, flush=True)
