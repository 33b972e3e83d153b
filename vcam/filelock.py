"""Whole-file locks that keep two shows from writing one file (a recording, a control log): the second would truncate
the first's under it. POSIX flock; where there are none (Windows, whose open files refuse a second writer
themselves; a file system without locks) every file counts as free."""
from __future__ import annotations

import os
import stat

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def lock(fd: int) -> bool:
    """Takes the lock on the file under `fd` for as long as that descriptor stays open; False when another open of
    the file holds it."""
    return try_lock(fd) is not False


def try_lock(fd: int) -> bool | None:
    """lock(fd), where no lock is told apart: None where this system or the file's file system has none to take
    (some network or FUSE mounts), so that nothing can be told of another open of the file."""
    if fcntl is None:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks: written to all the same
        return None
    return True


def available() -> bool:
    """Whether this system has the locks at all."""
    return fcntl is not None


def take(fd: int) -> bool | None:
    """The lock on the file under `fd` where it is a plain file: True taken (or none to take on this system), False
    held by another open of the file; None for anything else (/dev/null, a named pipe, a terminal), which many may
    write and which keeps nothing to protect."""
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        return None
    return lock(fd)


def written_now(path: str) -> bool:
    """Whether a show holds the lock on the plain file at `path` now (a control log it is still writing); False
    where it cannot be told (no such file, no locks here)."""
    if fcntl is None:
        return False
    fd = open_regular(path)  # not blocking: a render given a named pipe hung here
    if fd is None:
        return False
    try:
        # shared: only a writer's lock refuses it, where an exclusive one taken to look was refused by another
        # render looking at the same moment, which was then told that a show was writing the log
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:  # a file system without locks: it cannot be told
        return False
    finally:
        os.close(fd)  # lets the lock just taken go
    return False


def open_regular(path: str) -> int | None:
    """A read-only descriptor on the plain file at `path`, for the caller to close; None where there is none (no such
    file, a folder, a named pipe, a device). Opened without blocking: a named pipe opened for reading waits for a
    writer, and held whatever opened it until one came."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # Windows has none, and no named pipes there
    except OSError:
        return None
    try:
        regular = stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        regular = False
    except BaseException:  # a Ctrl-C: the descriptor is closed all the same
        os.close(fd)
        raise
    if not regular:
        os.close(fd)
        return None
    return fd
