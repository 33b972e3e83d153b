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


def stored_path(path: str) -> str | None:
    """`path`, not there as typed, with each name in it that is not there replaced by the one its folder holds that
    is the same text in another Unicode form; None where no such file or folder is there, or where a folder holds
    two (NFC's and NFD's of one name, each a file of its own)."""
    names: list[str] = []
    base = path
    while True:  # up to the deepest folder there
        base, name = os.path.split(base)
        if not name or len(names) > STORED_FOLDERS:
            return None
        names.append(name)
        if not base or os.path.isdir(base):
            break
    found = base
    for name in reversed(names):
        if not os.path.lexists(os.path.join(found, name)):
            wanted = same_text(name)
            try:
                alike = [e.name for e in os.scandir(found or os.curdir) if same_text(e.name) == wanted]
            except OSError:  # the folder cannot be listed
                return None
            if len(alike) != 1:
                return None
            name = alike[0]
        found = os.path.join(found, name)
    return found if found != path and os.path.lexists(found) else None
