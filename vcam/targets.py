"""Where the name of a file vcam writes (a recording, a control log) leads, and the name a line says it by.

A name for a descriptor this process was given (/dev/stdout, /dev/fd/1, /proc/self/fd/1, or a link to one of them)
says nothing of the file behind it: the shell's `> take.mp4` chose that file. Here in one place for the recording's
start, its end and a render's lines (vcam/live) and the control log's end (vcam/control), which imports no live code.
"""
from __future__ import annotations

import os
import stat
from types import MappingProxyType

# Links followed to find whether a name leads through /proc: Linux's own limit on the links one path goes through
# (a loop of links is given up on there, as the system gives it up with ELOOP)
MOST_LINKS = 40
STANDARD_OUTPUT = "standard output"
_STANDARD = MappingProxyType({1: STANDARD_OUTPUT, 2: "standard error"})


def names_a_descriptor(path: str) -> bool:
    """Whether `path` leads through /proc to a descriptor (/dev/stdout, /dev/fd/1, /proc/self/fd/1, or a link to one
    of them, however many links lead there): its name says nothing of the file behind it. Each link is followed as
    far as /proc, not to the end: the file at the end is a plain file's name."""
    where = os.path.abspath(path)
    for _ in range(MOST_LINKS):
        if where.startswith("/proc/") or os.path.realpath(os.path.dirname(where)).startswith("/proc/"):
            return True
        try:
            target = os.readlink(where)
        except OSError:  # not a link, or no such name: a file's own name
            return False
        # a relative target is read from the folder the link is in, where it really is
        where = os.path.normpath(os.path.join(os.path.realpath(os.path.dirname(where)), target))
    return False


def replaced_file(path: str) -> str | None:
    """The file already there that a recording to `path` replaces, by the name it is said by; None where there is
    none: nothing there, or no file (a pipe, a terminal, /dev/null), which is written into, not replaced. A name for
    a descriptor this process was given (/dev/stdout, /dev/fd/1) leads to what the shell sent it to: that file is
    named, where it holds something (`> take.mp4` made it new, or emptied it: nothing is left to replace)."""
    if not os.path.isfile(path):
        return None
    if not names_a_descriptor(path):
        return os.path.abspath(path)
    real = _file_behind(path)
    try:
        return real if real is not None and os.path.getsize(real) else None
    except OSError:  # gone since: nothing to replace
        return None


def _file_behind(path: str) -> str | None:
    """The plain file a descriptor's name leads to, by its own name; None for a pipe (/proc/…/pipe:[…]), a device or
    a file deleted since (its name then reads "… (deleted)")."""
    real = os.path.realpath(path)
    return real if os.path.isfile(real) else None


def said_name(path: str) -> str:
    """The name a line says the file written at `path` by: a descriptor's name (/dev/stdout) by the file the shell
    sent it to, as the start names the file it replaces (`replaced_file`), or by the device it leads to (/dev/null);
    "standard output" (or "standard error") where stdout's own name leads to a pipe or a terminal. Any other name is
    said as given."""
    if not names_a_descriptor(path):
        return path
    try:
        mode = os.stat(path).st_mode
    except OSError:  # gone since: only the name given is known
        return path
    if stat.S_ISREG(mode):
        return _file_behind(path) or path
    number = _descriptor_number(path)
    if number in _STANDARD and (stat.S_ISFIFO(mode) or os.isatty(number)):
        return _STANDARD[number]
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):  # /dev/null, a terminal another name leads to: its own name
        return os.path.realpath(path)
    return path



def _descriptor_number(path: str) -> int | None:
    """The descriptor of this process the links from `path` lead to (1 for /dev/stdout, /dev/fd/1,
    /proc/self/fd/1, or a link to one of them); None for any other name."""
    where = os.path.abspath(path)
    for _ in range(MOST_LINKS):
        folder = os.path.realpath(os.path.dirname(where))
        if folder == f"/proc/{os.getpid()}/fd":
            name = os.path.basename(where)
            return int(name) if name.isdigit() else None
        try:
            target = os.readlink(where)
        except OSError:
            return None
        where = os.path.normpath(os.path.join(folder, target))
    return None
