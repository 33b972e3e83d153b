"""The control log's file (--log-controls), opened before the outputs with its lock taken: an older log in it is
kept until the show goes on air (ControlLog replaces it then)."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from typing import TextIO

from vcam import filelock
from vcam.errors import VcamError


@dataclass(frozen=True)
class LogFile:
    out: TextIO
    older: str | None  # the file's whole path, where it holds an older log still (replaced on air: ControlLog)


def open_log(path: str | None) -> LogFile | None:
    """Opened before the outputs: nothing to undo when the path is wrong. An older log in the file is not emptied
    here: the show's first block replaces it (ControlLog), and a start refused after this leaves it whole."""
    if not path:
        return None
    if os.path.isdir(path):
        raise VcamError(f"cannot write the control log {path}: it is a folder",
                        f"give --log-controls a file, like {os.path.join(path, 'show.jsonl')}")
    try:
        out = open(path, "w", encoding="utf-8", opener=_log_opener)
    except OSError as e:
        raise VcamError(f"cannot write the control log {path} ({e.strerror or e})",
                        "give --log-controls a path in a folder that exists and can be written") from None
    return LogFile(out, os.path.abspath(path) if _holds_older(out.fileno()) else None)


def _log_opener(path: str, flags: int) -> int:
    """Opens a control log, not emptied, with its lock taken (held until the log is closed): a second show on the
    same file emptied the first's log under it. A pipe or a terminal (/dev/stdout), which many may write, is not
    locked. A plain file is opened to be read too: deleted during the show (its folder cleaned up), it is read back
    from the descriptor at the end (ControlLog.end), where it was lost."""
    fd = _open_readable(path, flags & ~os.O_TRUNC)
    try:
        if filelock.take(fd) is False:
            raise VcamError(f"cannot write the control log {path}: another show is writing it now",
                            "give this show's --log-controls a file of its own, or stop the other show first")
    except BaseException:
        os.close(fd)
        raise
    return fd


def _open_readable(path: str, flags: int) -> int:
    """`path` opened with `flags`, for reading and writing where it is (or will be) a plain file. A pipe is opened
    as asked: this process reading it too would keep it open when its reader leaves, and fill it."""
    if os.path.exists(path) and not os.path.isfile(path):
        return os.open(path, flags, 0o666)
    try:
        # the access mode's bits by name: os.O_ACCMODE is POSIX's only, and vcam runs on Windows too
        return os.open(path, (flags & ~(os.O_RDONLY | os.O_WRONLY | os.O_RDWR)) | os.O_RDWR, 0o666)
    except PermissionError:  # a file this user may write and not read: logged, not written back if deleted
        return os.open(path, flags, 0o666)


def _holds_older(fd: int) -> bool:
    """Whether the file under `fd` is a plain file with something in it: an older log, to be kept until the show
    goes on air."""
    held = os.fstat(fd)
    return stat.S_ISREG(held.st_mode) and held.st_size > 0
