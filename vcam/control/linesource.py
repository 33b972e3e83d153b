"""Where the line being read came from (typed here, written in a file, sent from another machine) and so where its
paths are looked for: one LineSource, set around the reading of a line and read by whatever reads it."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from vcam.storednames import decomposed_there


@dataclass(frozen=True)
class LineSource:
    """Where a line came from; the default is a line typed at this machine's console."""
    # a line from another machine: whether its path names a file here is not looked at while it is read (the reply
    # would tell its sender which paths exist outside the shared folders); media.admit decides, in those folders
    from_afar: bool = False
    # a line written in a file (a show's, a map's): its paths are found beside the show (showpaths), so whether one
    # names a file is not looked at in the folder vcam was started from, which differs between runs: a show's line
    # read one way started from one folder and another way from the next
    in_a_file: bool = False
    # the folder of the file a line is written in, where its paths are looked for (found_beside): a show's
    # `input ｆｉｌｅ：ｌｏｇｏ．ｐｎｇ` is folded, and its timing read, by what is beside the show, as showpaths finds
    # its files
    beside: str | None = None
    # a line of a file whose commands run on another machine (found_beside(None)): its paths name files there, not
    # here
    elsewhere: bool = False
    # a show's line kept with its paths made whole, read again (read_again): an absolute path names the same file
    # from any folder, so it is looked for though the show's folder is not known then. Only there: any other line
    # read as a file's with no folder (a watcher's, a hint's) may come from another machine, whose paths are not
    # looked for here
    read_again: bool = False
    # a line from another machine read by the server: whether a path names a file in the folders it shares (media),
    # the only ones such a path names; None where they are not known (a vcam cam reads its lines before the server)
    shared: Callable[[str], bool] | None = None
    # a line from another machine read by a server that shares no folder with it: no path of its names a file
    shares_none: bool = False


_SOURCE: ContextVar[LineSource] = ContextVar("LINE_SOURCE", default=LineSource())


def line_source() -> LineSource:
    """Where the line being read came from."""
    return _SOURCE.get()


@contextmanager
def _within(**changes: object) -> Iterator[None]:
    """Within, the line source is the one outside with `changes` made."""
    token = _SOURCE.set(dataclasses.replace(_SOURCE.get(), **changes))
    try:
        yield
    finally:
        _SOURCE.reset(token)


def from_network(shared: Callable[[str], bool] | None = None,
                 shares_none: bool = False) -> AbstractContextManager[None]:
    """Every line read within is from another machine, as parse(network=True) reads one: the lines made of its
    parts too (joined_commands, name_typed). `shared`: whether a path names a file in the folders the network may
    name (media.MediaFolders.names), where known; `shares_none`: there are none."""
    return _within(from_afar=True, shared=shared, shares_none=shares_none)


def in_a_file() -> AbstractContextManager[None]:
    """Within, lines are read as written in a file, as parse(console=False) reads them: a map's preset names,
    checked against the show apart from the commands they were read in, are answered as the file's."""
    return _within(in_a_file=True)


def found_beside(base: Path | str | None) -> AbstractContextManager[None]:
    """Within, lines are read as written in a file (a full-width ＃ is told YAML's comment is a plain #), their
    paths looked for in `base`, the file's folder (None: nowhere, as for a map whose commands run on another
    machine)."""
    return _within(in_a_file=True, beside=str(base) if base is not None else None, elsewhere=base is None)


def read_again() -> AbstractContextManager[None]:
    """Within, the show's own lines, loaded with their paths made whole, are read again (as a cue fires, as the show
    is checked): an absolute path of theirs is looked for."""
    return _within(read_again=True)


def looks_here(path: str | None = None) -> bool:
    """Whether a path of the line being read (`path`, where known) is looked for on this machine: in the working
    folder for one typed here, beside the file for one written in a file whose folder is known (found_beside). For
    one written in a file whose folder is not known, only an absolute `path` of a show's line read again
    (read_again): it names the same file from any folder. Never for one from another machine (from_network), nor
    for one of a file whose commands run on another machine."""
    source = _SOURCE.get()
    if source.from_afar or source.elsewhere:
        return False
    if not source.in_a_file or source.beside is not None:
        return True
    return path is not None and source.read_again and os.path.isabs(os.path.expanduser(path))


def may_name_a_file(path: str) -> bool:
    """Whether `path`, of the line being read, may name a file: one there (names_file_here) for a line of this
    machine; one in the shared folders (`shared`) for a line from another machine, and any path where those are not
    known, nor for a file whose commands run on another machine: a hint must not offer to read its name otherwise
    where the file may be there."""
    source = _SOURCE.get()
    if source.from_afar:
        return source.shared is None or source.shared(path)
    return source.elsewhere or names_file_here(path)


def gone_since_read(path: str) -> bool:
    """Whether `path`, of a show's line read again (read_again), names no file now: the show loaded the line, so
    it named one then (a quote at its end is the name's, not a typo to offer the line without)."""
    return _SOURCE.get().read_again and looks_here(path) and not names_file_here(path)


def names_file_here(path: str) -> bool:
    """Whether `path` names a file on this machine, looked for only where looks_here: a network line's reply must
    tell nothing of what is on the disk outside the shared folders (media.admit reads its paths), and a show's line
    must mean the same whatever folder vcam was started from (it is looked for beside the show)."""
    return found_here(path) is not None


def found_here(path: str) -> str | None:
    """What `path` names on this machine as names_file_here finds it (beside the show for a file's line, under a
    Mac's name for it), for a look at what it is without walking its folders again; None where nothing is."""
    if not looks_here(path):
        return None
    path = os.path.expanduser(path)
    source = _SOURCE.get()
    base = source.beside if source.in_a_file else None
    whole = os.path.join(base, path) if base is not None else path
    if os.path.lexists(whole):
        return whole
    # a Mac's name for it (NFD), typed as the keyboard writes it: the plain form opens it (or says why not), so a
    # quoted or full-width form must be read as the same name, not as a name of its own that names nothing
    return decomposed_there(whole)
