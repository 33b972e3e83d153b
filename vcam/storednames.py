"""A path as the disk stores its names, where the typed one differs only in Unicode's form: a Mac writes `é` as
`e` and a combining accent (NFD) in the names of files it copies out, where a keyboard types it as one character
(NFC). Linux's file systems keep names as bytes, so `café.mp4` typed never named the copied café.mp4, and no
fix helped: the one offered looked the same as the one typed."""
from __future__ import annotations

import os
import unicodedata

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


def _stored_names(path: str) -> str | None:
    """`path` with each name not there replaced by the one its folder holds that is the same text in another
    Unicode form, as far as such names are found, the rest as typed; None where no name is replaced."""
    # `Dossier-é/`, a folder typed as a shell completes it: its empty last name would end the look-up
    trimmed = path.rstrip(os.sep + (os.altsep or "")) or path
    if trimmed != path:
        found = _stored_names(trimmed)
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
                alike = [e.name for e in os.scandir(found or os.curdir) if same_text(e.name) == wanted]
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


def stored_path(path: str) -> str | None:
    """`path`, not there as typed, with each name in it that is not there replaced by the one its folder holds that
    is the same text in another Unicode form; None where no such file or folder is there, or where a folder holds
    two (NFC's and NFD's of one name, each a file of its own)."""
    found = _stored_names(path)
    return found if found is not None and found != path and os.path.lexists(found) else None


def stored_prefix(path: str) -> str:
    """`path` with its names as the disk stores them as far as they are found, the rest as typed: resolved, it leads
    where a link among the names found leads, whether the file named in there is or not."""
    return _stored_names(path) or path


def stored_within(path: str) -> str | None:
    """stored_path, where what it names, resolved, lies in the folder it was looked up in (the deepest of `path`
    that is there): a network line's path is held to the shared folders as it is admitted, missing, and a link
    stored under a Mac's form of its name put there since (or before its logged line is replayed) must lead nowhere
    those folders do not."""
    stored = stored_path(path)
    walked = missing_names(path.rstrip(os.sep + (os.altsep or "")) or path, STORED_FOLDERS)
    if stored is None or walked is None:
        return None
    folder = os.path.realpath(walked[0] or os.curdir)
    real = os.path.realpath(stored)
    return stored if real != folder and os.path.commonpath((real, folder)) == folder else None
