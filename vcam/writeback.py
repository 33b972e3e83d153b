"""A file deleted while vcam still writes it (a recording, a control log), written back whole from the descriptor
held: POSIX keeps a deleted file's data until its last descriptor closes, and closing it loses the take."""
from __future__ import annotations

import os
import tempfile


def write_back(fd: int, path: str) -> str:
    """The whole of the deleted file open on `fd` written to `path` (its folder made again), or to PATH-recovered
    beside it where another file has taken the name; where its folder cannot hold it (a file now has the folder's
    name, the disk refuses), to NAME-recovered in the current folder, then in the system's temporary folder.
    Returns the name written; OSError (the first place's) where no place takes it."""
    stem, ext = os.path.splitext(path)
    recovered = f"{os.path.basename(stem)}-recovered{ext}"

    def own_folder() -> tuple[str, ...]:
        if os.path.dirname(path):  # a bare name is in the current folder: makedirs('') raises, and it went -recovered
            # the folder a link names made again (~/takes -> a disk's folder, cleaned up): makedirs on the dangling
            # link itself raises, and the take went to the current folder
            os.makedirs(os.path.realpath(os.path.dirname(path)), exist_ok=True)
        return path, f"{stem}-recovered{ext}"

    first: OSError | None = None
    # each place asked for when it is tried: the current folder may be deleted too (getcwd raises)
    for place in (own_folder, lambda: (os.path.join(os.getcwd(), recovered),),
                  lambda: (os.path.join(tempfile.gettempdir(), recovered),)):
        try:
            return _first_free(fd, place())
        except OSError as e:
            first = first or e
    raise first


def _first_free(fd: int, names: tuple[str, ...]) -> str:
    for name in names:
        try:
            out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            with open(out, "wb") as f:
                offset = 0
                while chunk := os.pread(fd, 1 << 20, offset):
                    f.write(chunk)
                    offset += len(chunk)
        except BaseException:  # a descriptor that cannot be read, a full disk: no empty or cut copy left behind
            os.unlink(name)
            raise
        return name
    raise FileExistsError(f"{' and '.join(names)} exist" if len(names) > 1 else f"{names[0]} exists")
