"""The user's home folder, which a user may not have: HOME unset and no passwd entry for this user (a container run
with --user UID). pathlib raises RuntimeError then, and os.path leaves `~` as it is, a folder named ~ in the current
one; here the home folder is None instead, for each caller to say what it does without one."""
from __future__ import annotations

import os
from pathlib import Path


def expand_home(path: str | os.PathLike) -> Path | None:
    """`path` with a leading ~ made the home folder, as a shell does; None where it has one and there is no home."""
    try:
        return Path(path).expanduser()
    except RuntimeError:
        return None


def home_expanded(path: str | os.PathLike) -> Path:
    """`path` with `~` or `~user` made the home folder, as the shell would; as written where there is no such user
    (or no home), which is then said not found, where expanduser's RuntimeError ended vcam with a traceback."""
    return expand_home(path) or Path(path)


def home_folder() -> Path | None:
    """This user's home folder; None where there is none."""
    return expand_home("~")
