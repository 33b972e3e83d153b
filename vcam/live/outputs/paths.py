"""The files a show writes (its recordings, its control log), checked before anything opens.

A typo that names a file the show reads (the show file, a replayed log, a clip) or that two outputs share would
replace it without a word, so it is refused; recording a take again over an older one is normal, and is said.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from vcam.errors import VcamError
from vcam.live.outputs.recording import check_path, held_by_another
from vcam.outspec import OutputSpec
from vcam.targets import replaced_file
from vcam.words import size_text

if TYPE_CHECKING:
    from vcam.control.log import ControlLog


@dataclass(frozen=True)
class Written:
    """A file the run writes: `what` names it as it was given (`--out file:take.mp4`), `fix` says where to change
    it."""

    what: str
    path: str
    fix: str
    # why a file already at `path` must not be replaced (None: it may be), where only one kind of file may be: a
    # control log replaces an older log, never a show file typed where the log's name goes
    keeps: Callable[[str], str | None] | None = None


# How a check names one of the run's outputs: as it was given, and where to change it.
OutputNamer = Callable[[OutputSpec], Written]


def given_output(spec: OutputSpec) -> Written:
    """An output given with `--out`, as messages name it."""
    other = "file" if spec.kind == "file" else "device"
    return Written(f"--out {spec}", spec.target or "", f"give --out another {other}")


def check_outputs(specs: Sequence[OutputSpec], writes: Sequence[Written], reads: Sequence[tuple[str, str]],
                  say: Callable[[str], None] | None = None,
                  check_file: Callable[[OutputSpec], None] = lambda spec: check_path(spec.target),
                  named: OutputNamer = given_output) -> None:
    """The one check of what a show writes, before anything opens (vcam run, render, cam and check): VcamError when
    a written file (`writes`: the file: outputs among `specs` and any other, like the control log) is one the show
    reads or another written one, when a file: output cannot be recorded to (`check_file`), or when two outputs
    share a camera; then each file that will replace an older one at its first frame is said with `say`
    (`will_replace`; None: said by no one here, as where nothing is written, or where the caller says it later,
    once its start can no longer be refused). `named` names an output of `specs` where it came from (`--out`, else
    a show file's `out:`): the caller's `writes` name its file: outputs with the same. Another show writing one of
    `writes` now, or one that would replace a file of another kind (`Written.keeps`), is refused here too, before
    any replacement is said."""
    refuse_clashes(writes, reads)
    for spec in specs:  # after the clashes: `would write over the show file` says more than a wrong extension
        if spec.kind == "file":
            check_file(spec)
    refuse_shared_cameras(specs, named)
    refuse_written_now(writes, specs)
    refuse_other_kinds(writes)
    if say is not None:  # last: a file refused above is never said to be replaced
        for w in writes:
            if note := will_replace(w.path):
                say(note)


def refuse_clashes(writes: Sequence[Written], reads: Sequence[tuple[str, str]]) -> None:
    """VcamError when a written file is one the run reads (`reads`: (what, path)) or another written one. Paths
    are compared resolved: a relative path, `~` and a symbolic link name the file they lead to; a file already
    there by what it is, so a hard link to it is that file too."""
    read_at: dict[object, tuple[str, str]] = {}
    for what, path in reads:
        where = resolved(path)
        read_at.setdefault(_identity(where), (what, where))
    written_at: dict[object, Written] = {}
    for w in writes:
        where = resolved(w.path)
        key = _identity(where)
        if key in read_at:
            what, other = read_at[key]
            raise VcamError(f"{w.what} would write over {_naming(what, _one_file(other, where))}", w.fix)
        if key in written_at:
            first = written_at[key]
            raise VcamError(f"{first.what} and {w.what} would write the same file "
                            f"({_one_file(resolved(first.path), where)})",
                            f"{w.fix}: each output needs a file of its own")
        written_at[key] = w


def refuse_written_now(writes: Sequence[Written], specs: Sequence[OutputSpec]) -> None:
    """VcamError when another show writes one of `writes` now (a control log): opened, it would be refused the
    same way, after the outputs had opened. The file: outputs among `specs` are left to `check_file`, which
    `vcam check` lets be recorded now."""
    recorded = {resolved(spec.target) for spec in specs if spec.kind == "file" and spec.target}
    for w in writes:
        if resolved(w.path) not in recorded and held_by_another(w.path):
            raise VcamError(f"cannot write {w.what}: another show is writing it now",
                            f"{w.fix}, or stop the other show first")


def refuse_other_kinds(writes: Sequence[Written]) -> None:
    """VcamError where a written file would replace a file of another kind than its own (`Written.keeps`)."""
    for w in writes:
        if w.keeps is not None and os.path.isfile(w.path) and (why := w.keeps(w.path)):
            raise VcamError(f"{w.what} would replace {os.path.abspath(w.path)}: {why}", w.fix)


def refuse_shared_cameras(specs: Sequence[OutputSpec], named: OutputNamer = given_output) -> None:
    """VcamError when two outputs name the same camera device: both would write into it (on v4l2loopback 0.12 the
    second opens as well), and at two sizes its viewers would get either. `named` says where each came from."""
    first: dict[str, OutputSpec] = {}
    for spec in specs:
        if spec.kind != "vcam" or not spec.target:
            continue
        device = resolved(spec.target) if os.sep in spec.target else spec.target
        if device in first:
            second = named(spec)
            raise VcamError(f"{named(first[device]).what} and {second.what} would both write to the camera {device}",
                            f"{second.fix}: a camera device takes one stream (devices=2 video_nr=10,11 "
                            "exclusive_caps=1,1 in the modprobe line makes two, each seen by browsers)")
        first[device] = spec


RECORDED = "at the first frame recorded"  # when a recording's file is replaced
ON_AIR = "as the show goes on air"  # when an older control log is replaced


def will_replace(path: str, when: str = RECORDED) -> str | None:
    """`will replace PATH (3.4 MB) at the first frame recorded; ...` where `path` is a file already, else None. A
    recording opens its file at its first frame, a control log empties its file as the show goes on air (`when`),
    minutes after the start on a model that loads: until then the older file is whole, and a start that fails, or
    Ctrl-C, leaves it so (the end says it is kept). Said before then, while there is still time to keep it."""
    older = _older_file(path)
    return f"will replace {older} {when}; Ctrl-C before then keeps it" if older else None


@dataclass(frozen=True)
class OlderTakes:
    """The older files the show will replace (its control log's, its recordings'), said as the show's last part
    starts: the outputs are open and every other part (a MIDI or OSC port, the server) started. What can still
    keep a file is then the show's own wait for its first frame: the model's load (vcam run), the server's answer
    and first frame (vcam cam: a token refused, a server that sends none), or Ctrl-C meanwhile; the end then says
    the file was kept. Said at the check, a start refused after it (a clip that does not open, a busy port) read as
    a file replaced that never was. vcam run and vcam cam both add it as their last part."""

    outs: Sequence[OutputSpec]
    say: Callable[[str], None]
    log: ControlLog | None = None

    def start(self) -> None:
        if self.log is not None and self.log.older and (note := will_replace(self.log.older, ON_AIR)):
            self.say(note)
        for spec in self.outs:
            if spec.kind == "file" and spec.target and (note := will_replace(spec.target)):
                self.say(note)

    def stop(self) -> None:
        pass


def _older_file(path: str) -> str | None:
    """`PATH (3.4 MB)`, whole, where `path` is a file already (the file a descriptor's name leads to: `FILE (3.4 MB,
    where /dev/stdout leads)`), else None (`replaced_file`)."""
    if (older := replaced_file(path)) is None:
        return None
    try:
        size = os.path.getsize(older)
    except OSError:  # gone since, or unreadable: opening it says why
        return None
    led = "" if older == os.path.abspath(path) else f", where {path} leads"
    return f"{older} ({size_text(size)}{led})"


def resolved(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def _identity(where: str) -> object:
    """What tells two names of one file apart from two files, given its resolved path `where`: its device and inode
    where it is a plain file already, so that a hard link, or a name in another case on a disk that ignores case (a
    USB stick's FAT, macOS), is one file too (the second recording then failed on air, said to be another show's);
    else `where`."""
    try:
        st = os.stat(where)
    except OSError:  # not there yet (the usual case), or not ours to look at: its name says it
        return where
    # a file system that numbers no file (st_ino 0: some network shares on Windows) would make all its files one
    return (st.st_dev, st.st_ino) if stat.S_ISREG(st.st_mode) and st.st_ino else where


def _naming(what: str, file: str) -> str:
    """What is read, followed by the file it is where its words do not name that file already: `the input
    (file:/x/show.mp4)` said the path twice, with ` (/x/show.mp4)` after it."""
    if re.search(rf"(?:^|[\s:(]){re.escape(file)}(?:$|[\s)])", what):
        return what
    return f"{what} ({file})"


def _one_file(first: str, second: str) -> str:
    """The file two names lead to, as said: its path, or both where they differ."""
    return first if first == second else f"{first} and {second} are one file"

