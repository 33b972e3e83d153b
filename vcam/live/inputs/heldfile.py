"""A file a network line names, opened within the shared folder it was checked in, and held open for its decoders.

media.admit resolves a network line's path and checks that it lies in a shared folder; the clip or image is opened
later, by name, and opened again on a loop or a save. A name made a link out of the folder in between (by whoever
may write there) would open a file outside it. Here each name below the folder is opened with O_NOFOLLOW from the
folder's own descriptor, so no link is followed, and the decoders are handed the descriptor held (Linux's
/proc/self/fd/N), which names that file whatever its name leads to later. Where the system has no such look-up by
descriptor, the file opened is checked to be the one its resolved name within the folder is.
"""
from __future__ import annotations

import errno
import os
import stat

from vcam.storednames import lies_within

# Each name below the shared folder looked up from its folder's descriptor, a link refused (Linux, the BSDs, macOS)
_BY_DESCRIPTOR = os.open in os.supports_dir_fd and hasattr(os, "O_NOFOLLOW") and hasattr(os, "O_DIRECTORY")
_FD_PATHS = "/proc/self/fd"  # a descriptor named as a path, for a decoder that opens by name (FFmpeg, OpenCV)


class HeldFile:
    """The regular file `path` (resolved, as admitted) opened within `folder` (resolved, shared); OSError where no
    such file lies there now (a link put in its place, a folder, a pipe). `path`: the name its decoders open it by,
    which stays that file until close."""

    def __init__(self, path: str, folder: str):
        self.fd = _open_within(path, folder)
        by_fd = os.path.join(_FD_PATHS, str(self.fd))
        self.path = by_fd if _BY_DESCRIPTOR and os.path.exists(by_fd) else path

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __enter__(self) -> HeldFile:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _open_within(path: str, folder: str) -> int:
    if not lies_within(path, folder) or path == folder:
        raise OSError(errno.ENOENT, "not in the shared folder", path)
    names = os.path.relpath(path, folder).split(os.sep)
    fd = _walked(names, folder) if _BY_DESCRIPTOR else _checked(path, folder)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a pipe would hold the open; a folder is no clip
            raise OSError(errno.ENOENT, "not a file", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _walked(names: list[str], folder: str) -> int:
    """The file `names` leads to below `folder`, each name opened from the one before it, none a link."""
    at = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for name in names[:-1]:
            below = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=at)
            os.close(at)
            at = below
        # non-blocking: a pipe put in its place must not hold the open (refused as no file after)
        return os.open(names[-1], os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0), dir_fd=at)
    finally:
        os.close(at)


def _checked(path: str, folder: str) -> int:
    """`path` opened, where what it resolves to after the open lies in `folder` and is the file opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        real = os.path.realpath(path)
        opened, named = os.fstat(fd), os.stat(real)
        if not lies_within(real, folder) or (opened.st_dev, opened.st_ino) != (named.st_dev, named.st_ino):
            raise OSError(errno.ENOENT, "not in the shared folder", path)
    except BaseException:
        os.close(fd)
        raise
    return fd
