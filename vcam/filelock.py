"""Whole-file locks that keep two shows from writing one file (a recording, a control log): the second would truncate
the first's under it. POSIX flock; where there are none (Windows, whose open files refuse a second writer
themselves; a file system without locks) every file counts as free."""
from __future__ import annotations

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


def lock(fd: int) -> bool:
    """Takes the lock on the file under `fd` for as long as that descriptor stays open; False when another open of
    the file holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks (some network or FUSE mounts): written to all the same
        return True
    return True


def available() -> bool:
    """Whether this system has the locks at all."""
    return fcntl is not None
