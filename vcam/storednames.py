"""A path as the disk stores its names, where the typed one differs only in Unicode's form: a Mac writes `é` as
`e` and a combining accent (NFD) in the names of files it copies out, where a keyboard types it as one character
(NFC). Linux's file systems keep names as bytes, so `café.mp4` typed never named the copied café.mp4, and no
fix helped: the one offered looked the same as the one typed."""
from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence

# Folders not there that a path is looked up through (a Mac's copy of `Clips/Café/` has both names in NFD)
STORED_FOLDERS = 8


def same_text(name: str) -> str:
    """`name` in one Unicode form (NFC), so that two spellings of the same text compare equal."""
    return unicodedata.normalize("NFC", name)


def missing_names(path: str, most: int) -> tuple[str, list[str]] | None:
    """The deepest folder of `path` that is there, and the names below it, the last first; None where more than
    `most` folders past it are not there (a path of a thousand folders looked up one a call, to the stack's limit)."""
    names: list[str] = []
    base = path
    while True:
        base, name = os.path.split(base)
        if not name or len(names) > most:
            return None
        names.append(name)
        if not base or os.path.isdir(base):
            return base, names


def decomposed_there(path: str) -> str | None:
    """`path` with each name not there as typed in the form a Mac stores its names in (NFD), where a file or folder
    is there so; else None. One look at the disk a name, no folder listed: for the many paths a typed line's reading
    asks about, where as_stored read a folder of 10,000 clips for each. Name by name, as as_stored reads them: a
    folder copied from a keyboard's name (NFC) may hold a Mac's copy of a file (NFD)."""
    if os.path.lexists(path):
        return None
    walked = missing_names(_trimmed(path), STORED_FOLDERS)
    if walked is None:
        return None
    found, names = walked
    for name in reversed(names):
        stored = os.path.join(found, unicodedata.normalize("NFD", name))
        if not os.path.lexists(stored):
            return None
        found = stored
    return found if found != _trimmed(path) else None


def twin_named(path: str) -> str | None:
    """`path`, not there as typed, with each name not there replaced by its other Unicode form (NFC's, NFD's) where
    that is there, as far as such names are found, the rest as typed; None where none is. One look at the disk a
    form, no folder listed: a network line's name is admitted so, and its folder (10,000 clips) is read once, for
    the names alike its reply offers, as the clip opens."""
    trimmed = _trimmed(path)
    if os.path.lexists(trimmed):
        return None
    walked = missing_names(trimmed, STORED_FOLDERS)
    if walked is None:
        return None
    found, names = walked
    replaced = False
    rest = list(reversed(names))
    for depth, name in enumerate(rest):
        twin = next((os.path.join(found, form) for form in (unicodedata.normalize("NFC", name),
                                                             unicodedata.normalize("NFD", name))
                     if form != name and os.path.lexists(os.path.join(found, form))), None)
        if twin is None:
            return os.path.join(found, *rest[depth:]) + path[len(trimmed):] if replaced else None
        found, replaced = twin, True
    return found + path[len(trimmed):]


def _trimmed(path: str) -> str:
    """`path` without the slashes it ends in (`Dossier-é/`, a folder typed as a shell completes it: its empty last
    name would end the look-up), or `/` itself."""
    return path.rstrip(os.sep + (os.altsep or "")) or path


def entries_in(folder: str, listings: dict[str, list[os.DirEntry]] | None) -> list[os.DirEntry]:
    """What `folder` holds (OSError where it cannot be listed), read once for all of `listings`' look-ups: the
    forms a network line's name is tried in, and the names alike a missing one's fix offers, each read a folder of
    10,000 clips again."""
    if listings is not None and folder in listings:
        return listings[folder]
    entries = list(os.scandir(folder))  # read to its end, which closes it
    if listings is not None:
        listings[folder] = entries
    return entries


def _names_in(folder: str, listings: dict[str, list[os.DirEntry]] | None) -> list[str]:
    return [e.name for e in entries_in(folder, listings)]


def _stored_names(path: str, listings: dict[str, list[os.DirEntry]] | None = None) -> str | None:
    """`path` with each name not there replaced by the one its folder holds that is the same text in another
    Unicode form, as far as such names are found, the rest as typed; None where no name is replaced."""
    trimmed = _trimmed(path)
    if trimmed != path:
        found = _stored_names(trimmed, listings)
        return found + path[len(trimmed):] if found is not None else None
    walked = missing_names(path, STORED_FOLDERS)
    if walked is None:
        return None
    found, names = walked
    replaced = False
    for depth, name in enumerate(reversed(names)):
        if not os.path.lexists(os.path.join(found, name)):
            wanted = same_text(name)
            # a name with no other form (`take1.mp4`) is not looked for: a folder of 10,000 clips read for each
            if wanted == unicodedata.normalize("NFD", name):
                break
            try:
                alike = [n for n in _names_in(found or os.curdir, listings) if same_text(n) == wanted]
            except OSError:  # the folder cannot be listed
                break
            if len(alike) != 1:
                break
            name, replaced = alike[0], True
        found = os.path.join(found, name)
    else:
        return found if replaced else None
    rest = list(reversed(names))[depth:]
    return os.path.join(found, *rest) if replaced else None


class LeadsOut(ValueError):
    """A path that, as the disk stores its names, leads out of the folders it is held to (`real`: where it leads)."""

    def __init__(self, real: str):
        super().__init__(real)
        self.real = real


def as_stored(path: str, within: Sequence[str] | None = None,
              listings: dict[str, list[os.DirEntry]] | None = None) -> str | None:
    """`path`, not there as typed, with each name in it that is not there replaced by the one its folder holds that
    is the same text in another Unicode form; None where it is there as typed, where no such file or folder is
    there, or where a folder holds two (NFC's and NFD's of one name, each a file of its own).

    `within`: resolved folders the path is held to (those shared with the network). LeadsOut where the names found
    as stored, resolved, lead out of all of them, whether a file is there or not: a refusal that depended on it
    would tell which paths exist outside.

    `listings`: the names of each folder read, kept for the look-ups that share it (one line's), not read again."""
    if os.path.lexists(path):
        return None
    found = _stored_names(path, listings)
    if found is None or found == path:
        return None
    if within is not None:
        real = os.path.realpath(found)
        if not any(lies_within(real, folder) for folder in within):
            raise LeadsOut(real)
    return found if os.path.lexists(found) else None


def as_stored_within(path: str, listings: dict[str, list[os.DirEntry]] | None = None) -> str | None:
    """as_stored, where what it names, resolved, lies in the folder it was looked up in (the deepest of `path` that
    is there): a network line's path is held to the shared folders as it is admitted, missing, and a link stored
    under a Mac's form of its name put there since (or before its logged line is replayed) must lead nowhere those
    folders do not. `listings`: as as_stored's."""
    if os.path.lexists(path):  # nothing resolved for a file there: a stalled mount would hold each look-up
        return None
    walked = missing_names(_trimmed(path), STORED_FOLDERS)
    if walked is None:
        return None
    try:
        return as_stored(path, within=(os.path.realpath(walked[0] or os.curdir),), listings=listings)
    except LeadsOut:
        return None


def lies_within(path: str, folder: str) -> bool:
    """`path` is `folder` or lies in it; paths on two drives (Windows) make commonpath raise: it does not."""
    try:
        return os.path.commonpath((path, folder)) == folder
    except ValueError:
        return False
