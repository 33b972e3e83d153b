"""What a write its disk refused is said as: the cause, named by the write's errno, and what to do.

One place for these words, whoever meets the refusal: the start's check of a recording's path, a frame written on
air, a render's file, a take's last fragment at its close. Python's "[Errno 28] No space left on device", "[Errno 27]
File too large" or "[Errno 5] Input/output error" named no file and said nothing of what to do.
"""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from types import MappingProxyType

from vcam.words import shell_word

# No room that the write may take: the disk full, or the user's quota used up. Room that can be freed
_FILLED = (errno.ENOSPC, errno.EDQUOT)
# A file that reached the largest size its file system or the shell allows: no space to free, a place to change
_TOO_LARGE = errno.EFBIG
FULL = "the disk is full"
_SHARE_LOST = "the network share the file is on was lost (its server gone, or the network down)"
# A disk that stopped taking writes mid-take: remounted read-only after an error (as ext4 and a USB stick's FAT are),
# or gone (a USB stick pulled out, a network share dropped)
LOST = MappingProxyType({
    errno.EROFS: "the disk became read-only (the system does so after a disk error)",
    errno.EIO: "the disk stopped taking writes (an I/O error: a USB stick pulled out, a network share dropped, or a "
               "failing disk)",
    errno.ESTALE: _SHARE_LOST,
    errno.ENOTCONN: _SHARE_LOST,
})


@dataclass(frozen=True)
class DiskRefusal:
    """A write its disk refused: `what` happened (as a state: "the disk is full"), `fix` what to do, by `errno`."""

    what: str
    fix: str
    errno: int

    @property
    def filled(self) -> bool:
        """The disk or the quota filled: room can be freed, and freeing it is the fix."""
        return self.errno in _FILLED

    @property
    def happened(self) -> str:
        """What happened, said of the moment a write met it: a full disk "filled" then."""
        return "the disk filled" if self.filled else self.what


def disk_refusal(cause: BaseException | int | None, path: str | None, verb: str = "record") -> DiskRefusal | None:
    """What to say where a write to the file at `path` was refused by its disk (`cause`: the OSError, or its errno):
    no room (a full disk or quota), a file at the size its file system allows (a USB stick's FAT32 stops a long show's
    recording at 4 GB), or, where there is a file, its disk lost mid-write. None for any other cause. `verb` is the
    fix's (record, render)."""
    code = cause if isinstance(cause, int) else cause.errno if isinstance(cause, OSError) else None
    if code in _FILLED:
        return DiskRefusal(FULL, disk_fix(path, f"{verb} to another disk"), code)
    if code == _TOO_LARGE:
        return DiskRefusal("the file reached the size this system allows",
                           f"{verb} to a disk whose file system takes larger files (FAT32 stops at 4 GB), or lift the "
                           "shell's limit (ulimit -f)", code)
    # only a file is on a disk: a camera's or a window's I/O error is no disk's
    if code in LOST and path:
        where = f"dmesg shows why; ls {shell_word(_disk_folder(path))} shows whether it is there"
        return DiskRefusal(LOST[code], f"check the disk ({where}) or {verb} to another disk", code)
    return None


def disk_fix(path: str | None, instead: str = "record to another disk") -> str:
    """What to do where the disk under `path` filled (a recording's, a render's)."""
    # the disk the file is on, not the one its name is in: `df -h /dev` for /dev/stdout sent to a file said nothing
    where = f"df -h {shell_word(_disk_folder(path))}" if path else "df -h"
    return f"free space on its disk ({where} shows what is left) or {instead}"


def _disk_folder(path: str) -> str:
    """The folder of the file `path` leads to: a link (take.mp4 linked onto a stick, /dev/stdout sent to a file)
    leads off the disk of the folder it is named in, and that disk is the one to look at. A name that leads to no
    file (/dev/stdout to a pipe: /proc/…/pipe:[…]) is said as given."""
    real = os.path.realpath(path)
    return os.path.dirname(os.path.abspath(path) if real.startswith("/proc/") else real)
