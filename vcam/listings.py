"""The names a folder holds, by a key of each, read again only once the folder has changed.

A name not found is looked for among those of its folder (another Unicode form of it, storednames; one named
alike, inspec.alike_fix), for every line that names it: a network sender naming a missing clip had a shared folder
of 10,000 clips read and each name compared, some 100 ms a line, on the controller's thread.
"""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Mapping

# How recently a folder may have changed for it to be read again at each look-up rather than kept: a folder's time
# is kept to a clock tick (a few ms on Linux, 2 s on FAT), so a file added in the tick the folder was read in
# leaves that time as it was
RECENT_S = 3.0
# Listings kept (of each kind of key), the latest used
KEPT = 16

Keys = Callable[[str], Iterable[str]]


def names_by(folder: str, keys: Keys) -> Mapping[str, tuple[str, ...]]:
    """The names `folder` holds (OSError where it cannot be read), under each key `keys` gives one (a name it
    gives none is left out). `keys`: a module's own function, the same one each call, for its listing to be kept;
    the listing is shared, not to be changed."""
    st = os.stat(folder)
    if abs(time.time() - st.st_mtime) < RECENT_S:
        return _read(folder, keys)
    return _kept(os.path.abspath(folder), (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns), keys)


@functools.lru_cache(maxsize=KEPT)
def _kept(folder: str, stamp: tuple[int, ...], keys: Keys) -> Mapping[str, tuple[str, ...]]:
    """_read, kept for the folder as it was when `stamp` (its identity and times) was read."""
    return _read(folder, keys)


def _read(folder: str, keys: Keys) -> Mapping[str, tuple[str, ...]]:
    listing: dict[str, tuple[str, ...]] = {}
    for entry in os.scandir(folder):  # closed as it runs out
        for key in dict.fromkeys(keys(entry.name)):
            listing[key] = (*listing.get(key, ()), entry.name)
    return listing
