"""The folders whose files a command from the network may name (`--media DIR`, else the show file's folder).

A vcam cam client or an OSC sender steers the show from another machine: `input file:PATH` from there must not
open whatever this process can read (a key, a log, another user's clip), nor tell which paths exist. The
console, MIDI, and what the show file itself names (presets, cues, OSC and MIDI maps) are the operator's own and
name any file, as before. The network hears back of its paths as it spelled them, never of this machine's folders:
the input on air is told to it as it lies in the folder it shares (`shown`), whoever put it there; the operator
hears of a refusal with the folders named.
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from vcam.control.commands import Command, CommandError, at_timing
from vcam.control.fullwidth import FULL_WIDTH_TIMING, path_in_quotes
from vcam.errors import VcamError
from vcam.homefolder import home_folder
from vcam.inspec import ALIKE_SAID, InputSpec, parse_input
from vcam.storednames import lies_within, twin_named
from vcam.words import name_said, width_folded

FLAG = "--media DIR"
# A capture device on Linux, where device paths are used at all; a udev link (/dev/v4l/by-id/…) resolves to one.
_DEVICE = re.compile(r"/dev/video\d+")


class Refused(CommandError):
    """A line from the network that names what this show does not share. `str()`: the reply for its sender, which
    names no folder of this machine; `detail`: the operator's account, which does (on their own terminal)."""

    def __init__(self, reply: str, detail: str):
        super().__init__(reply)
        self.detail = detail


@dataclass(frozen=True)
class MediaFolders:
    """Resolved folders (no symlink, no `..` left); none: the network may name no file."""

    folders: tuple[str, ...] = ()

    @classmethod
    def chosen(cls, given: Sequence[str] | None, show: str | None) -> MediaFolders:
        """`--media` as given (each must be a folder), else the show file's folder, else none."""
        if not given:
            return cls((os.path.dirname(os.path.realpath(show)),)) if show else cls()
        folders = []
        for folder in given:
            real = os.path.realpath(os.path.expanduser(folder))
            if os.path.isfile(real):  # a clip or an image named where its folder goes
                raise VcamError(f"--media {folder}: a file, not a folder",
                                f"give the folder it is in (--media {os.path.dirname(real)}); the network may then "
                                "name every clip and image in it")
            if not os.path.isdir(real):
                raise VcamError(f"--media {folder}: no such folder",
                                "give a folder whose clips and images the network may name (repeatable)")
            folders.append(real)
        return cls(tuple(dict.fromkeys(folders)))

    def admit(self, cmd: Command) -> Command:
        """The command as the network may give it: a file or image path made whole and resolved (a relative one
        is read in the first folder), so that what is opened later is what was checked; Refused naming the fix
        for a path outside the folders, or a camera path that is no capture device. Only paths within the folders
        are looked for (a full-width path's ASCII fold, one before a full-width timing, which parse leaves to this
        from the network): a refusal or a missing file tells nothing about the paths outside."""
        if cmd.name != "input":
            return cmd
        spec = parse_input(cmd.args[0])
        if spec.kind == "camera" and spec.target.startswith("/"):
            real = os.path.realpath(spec.target)
            if not _DEVICE.fullmatch(real):
                said = name_said(str(spec))
                raise Refused(f"input {said}: from the network a camera is named by its index (camera:0) or its "
                              "capture device (camera:/dev/video0)", f"input {said}: {name_said(real)} is no capture "
                              "device")
            return cmd
        if spec.kind not in ("file", "image"):
            return cmd
        real = self._resolve(spec.target)
        read_as, at = cmd.read_as, cmd.at
        # only a shared path is looked for: whether one outside exists must not change the reply
        if real is not None and not self._found(real) and \
                (other := self._read_otherwise(spec.target, at)):
            real, at, read_as = other
        if real is not None and self._shares(real) and not os.path.lexists(real):
            real = self._stored(real) or real
        if real is None or not self._shares(real):
            raise Refused(self._refusal(spec), self._account(spec, real))
        return Command("input", (str(InputSpec(spec.kind, real)),), at=at, read_as=read_as)

    def _read_otherwise(self, target: str, at: str | None) -> tuple[str, str | None, str] | None:
        """The shared file a network line's path not found as written names (resolved, with its timing and how it
        was read), where one does: its full-width ASCII fold, or the path before a full-width timing, in its
        quotes or not; None where none does."""
        # `ｌｏｇｏ．ｐｎｇ`, typed in full-width mode (parse left it as typed): the shared file its ASCII fold
        # names; `ｌｏｇｏ．ｐｎｇ ＠ｂａｒ`, typed after an ASCII kind: the file before its full-width timing
        timing = FULL_WIDTH_TIMING.search(target) if at is None else None
        said = at_timing(width_folded(timing[1])) if timing is not None else None
        before = target[:timing.start()] if said is not None else None
        # `'x.png' ＠ｂａｒ`: the path in its quotes, as the console reads it (fullwidth.timing_in_ascii)
        quoted = path_in_quotes(before) if before is not None and before.strip() != path_in_quotes(before) else None
        # `'it\'s.png'`, its quote within escaped: the console reads the backslash as the name's, which names no
        # file, so the network line is no more taken without its quotes than the console's
        quoted = None if quoted is not None and before.strip()[0] in quoted else quoted
        # each path tried, with the part of the line it was read from (told where the two differ)
        attempts = ((width_folded(target), target, at, self._resolve), (before, before, said, self._resolve),
                    (width_folded(before or ""), before, said, self._resolve),
                    (quoted, quoted, said, self._resolve_shared),
                    # `‘sub／x.png' ＠ｂａｒ`: in its quotes and folded, as the console reads it; the quotes were read
                    # off for sub/x.png (names), and the name as typed, quotes and timing on, was set as the input
                    (width_folded(quoted or ""), quoted, said, self._resolve_shared))
        # the quotes dropped, a path may name any folder (`'/etc/passwd' ＠ｂａｒ`): resolved only where, as
        # written, it lies in a shared one, so nothing outside is looked at, and a link from outside is no way in
        tried: set[str] = set()  # one path tried again (`café.png` folded is itself) finds no more
        for path, typed, when, resolve in attempts:
            if not path or (other := resolve(path)) is None or not self._shares(other) or other in tried:
                continue
            tried.add(other)
            if not os.path.lexists(other) and (stored := self._stored(other)) is not None:
                other = stored  # where it leads out of the folders, refused as the plain form is
            if not self._shares(other) or os.path.lexists(other):
                return other, when, f"{typed} read as {path}" if path != typed else ""
        return None

    def _stored(self, real: str) -> str | None:
        """The shared path `real`, not there, resolved as the disk stores its names (`café.png` typed, café.png
        stored by a Mac, NFD, or the other way round), where a file is there so; where those names lead out of the
        shared folders, where they lead, to be refused whether a file is there or not; else None. No folder listed:
        the clip's opening reads it, for the names alike (a missing name's folder was read twice a line)."""
        stored = twin_named(real)
        if stored is None:
            return None
        resolved = os.path.realpath(stored)
        return resolved if not self._shares(resolved) or os.path.lexists(stored) else None

    def _found(self, real: str) -> bool:
        """Whether the resolved path `real` is a shared one that exists."""
        return self._shares(real) and os.path.lexists(real)

    def shown(self, spec: str) -> str:
        """An input as the network is told of it (the state, `status`): a file or image by its path within the
        shared folder it lies in, else by its name alone (the operator's console names any file, and its folder is
        this machine's own); any other input as it is."""
        parsed = parse_input(spec)
        if parsed.kind not in ("file", "image"):
            return spec
        path = os.path.abspath(os.path.expanduser(parsed.target))
        # as set, then resolved: a clip reached through a link into a shared folder is named within it too
        for candidate in dict.fromkeys((path, os.path.realpath(path))):
            for folder in self.folders:
                if lies_within(candidate, folder):
                    return str(InputSpec(parsed.kind, os.path.relpath(candidate, folder)))
        return str(InputSpec(parsed.kind, os.path.basename(path)))

    def _shared(self, target: str) -> bool:
        """Whether the file `target` lies in a shared folder, as set or resolved (as `shown` finds it)."""
        path = os.path.abspath(os.path.expanduser(target))
        return any(lies_within(candidate, folder) for candidate in (path, os.path.realpath(path))
                   for folder in self.folders)

    def too_wide(self) -> list[str]:
        """The folders that share all of the user's home folder (it, or one above it) or the filesystem's root."""
        home = home_folder()  # None, not the current folder's "~" (which is any folder), where there is none
        home = os.path.realpath(home) if home is not None else None
        return [folder for folder in self.folders
                if os.path.dirname(folder) == folder or (home is not None and lies_within(home, folder))]

    def _resolve(self, path: str) -> str | None:
        """The path made whole and resolved; None for a relative one where no folder is shared to read it in."""
        path = os.path.expanduser(path)
        if not os.path.isabs(path):
            if not self.folders:
                return None
            path = os.path.join(self.folders[0], path)
        return os.path.realpath(path)

    def holds(self, path: str) -> bool:
        """Whether `path`, resolved as admit resolves it, lies in a shared folder: only such a path of a network
        line is looked for."""
        real = self._resolve(path)
        return real is not None and self._shares(real)

    def names(self, path: str) -> bool:
        """Whether `path`, or its ASCII fold, resolved as admit resolves it, names a file in a shared folder as the
        disk stores it, or as its other Unicode form (a Mac's NFD) does, as admit finds it; not a folder (the empty
        name is the first shared one)."""
        return any(self._holds_file(each) for each in dict.fromkeys((path, width_folded(path))))

    def _holds_file(self, path: str) -> bool:
        real = self._resolve_shared(path)
        if real is not None and not os.path.lexists(real):
            real = self._stored(real)  # where it leads out of the folders, it is not found there
        return real is not None and self._found(real) and not os.path.isdir(real)

    def _resolve_shared(self, path: str) -> str | None:
        """The path resolved only where, made whole, it already lies in a shared folder; else None, and nothing on
        the disk looked at: each network line asks this of its path (`/etc/passwd@bar`), and a stat outside the
        folders is a question about files the network may not name."""
        if not self.folders:
            return None
        whole = os.path.expanduser(path)
        whole = os.path.abspath(whole if os.path.isabs(whole) else os.path.join(self.folders[0], whole))
        return self._resolve(whole) if self._shares(whole) else None

    def _shares(self, real: str) -> bool:
        return any(lies_within(real, folder) for folder in self.folders)

    def _account(self, spec: InputSpec, real: str | None) -> str:
        """The operator's account of a refused path, a control character in it escaped as in any reply."""
        said = name_said(str(spec))
        if not self.folders:
            return f"input {said}: no folder is shared with the network ({FLAG} shares one)"
        return (f"input {said}: {name_said(str(real))} is outside the folders shared with the network "
                f"({', '.join(self.folders)}; {FLAG} shares others)")

    def _refusal(self, spec: InputSpec) -> str:
        said = name_said(str(spec))  # a tab in the sender's path escaped, as the reply to `input` says it
        if not self.folders:
            return (f"input {said}: this show shares no folder with the network, so a command from there names no "
                    f"file; to share one, start vcam serve (or vcam run) with {FLAG}")
        # the folders themselves are not named: an OSC sender needs no password, and the operator knows them
        return (f"input {said}: a command from the network names files only in the folders this show shares (a "
                f"name relative to the first); to "
                f"share another folder, start vcam serve (or vcam run) with {FLAG} (repeatable)")

    def told(self, reply: str, asked: Command, admitted: Command, inputs: Iterable[str]) -> str:
        """A reply to a network line as its sender hears it: the path `admit` made of the line's own put back as
        the sender spelled it (`as_asked`), and every other file or image of `inputs` that it names (what the show
        and its cues name, what is on air: a preset's clip that does not open, a cue's `input file:…`) named as
        the network is told of it (`renamed`)."""
        return self.renamed(reply, inputs, as_asked(asked, admitted))

    def renamed(self, text: str, inputs: Iterable[str], spelled: Mapping[str, str] | None = None) -> str:
        """Any text for the network (a reply, the status line with its cue names): every file or image path of
        `inputs` found in it named as the network is told of it (`shown`), and each path of `spelled` by the
        spelling it maps to. One pass, so no path is renamed twice. The text must hold the paths as they are (a
        repr() doubles a backslash, and every path on Windows has some), or as a reply or an input's error says
        them, a control character escaped (terminal_safe), or within a shell word's single quotes (a fix's command):
        found so too, and renamed in the same form (_forms)."""
        names: dict[str, str] = {}
        unshared: set[str] = set()  # the forms of the paths found that lie outside the folders shared
        for spec in inputs:
            parsed = parse_input(spec)
            if parsed.kind not in ("file", "image"):
                continue
            found = [form for form in _forms(parsed.target, parsed.target) if form in text]
            if found and not self._shared(parsed.target):  # a file not there, outside: its folder's names unsaid
                unshared.update(found)
            if found:  # told only then: shown resolves the path, on every reply, for every input of the show
                theirs = _forms(parsed.target, parse_input(self.shown(spec)).target)
                for ours in found:
                    names.setdefault(ours, theirs[ours])
        for ours, theirs in (spelled or {}).items():  # spelled whole by the sender: left as it is
            names.update(_forms(ours, theirs))
        text = _alike_unsaid(text, unshared, set(names) - unshared)
        names = {ours: theirs for ours, theirs in names.items() if ours != theirs}
        if not names:
            return text
        paths = re.compile("|".join(re.escape(path) for path in sorted(names, key=len, reverse=True)))
        return paths.sub(lambda found: names[found.group(0)], text)


def _alike_unsaid(text: str, unshared: set[str], others: set[str]) -> str:
    """`text` with each list of files named alike (ALIKE_SAID) that follows a path of `unshared` (no path of
    `others` after it) said as "check the path": they name files in a folder the network is not shared. One about
    a shared file in the same reply (a cue putting on two presets) stays: all were taken out."""
    if not unshared:
        return text
    # where each path found ends, the longest found there winning (a path that ends another one)
    ends = sorted((found.end(), len(form), form in unshared) for form in unshared | others
                  for found in re.finditer(re.escape(form), text))

    def said(alike: re.Match) -> str:
        before = [outside for end, _, outside in ends if end <= alike.start()]
        return "check the path" if before and before[-1] else alike.group(0)

    return ALIKE_SAID.sub(said, text)


def _forms(ours: str, theirs: str) -> dict[str, str]:
    """Each form a text may hold `ours` in, to the same form of `theirs`: as it is, as a reply says it (name_said), and
    within the single quotes of a shell word (shell_word: an ffmpeg command, `file:PATH/NAME`), where each ' is
    written '"'"' and the path as it is is not found. The first of two forms alike wins."""
    forms: dict[str, str] = {}
    for form in (str, name_said, _in_quotes, lambda path: _in_quotes(name_said(path))):
        forms.setdefault(form(ours), form(theirs))
    return forms


def _in_quotes(path: str) -> str:
    """A path as shlex.quote writes it between its single quotes: each ' closed, given in double quotes, reopened."""
    return path.replace("'", "'\"'\"'")


def as_asked(asked: Command, admitted: Command) -> dict[str, str]:
    """The path `admit` made of a network line's own (if it made one), to the path as the sender spelled it: what
    it hears back (an input on air, a clip that does not open) tells nothing of where the folders are here."""
    if asked.name != "input":
        return {}
    theirs, ours = parse_input(asked.args[0]), parse_input(admitted.args[0])
    target = theirs.target
    if admitted.at != asked.at and (timing := FULL_WIDTH_TIMING.search(target)) is not None:
        target = target[:timing.start()]  # its timing, read off its end by admit, is no part of it
        # `'x.png' ＠ｂａｒ`: the path told without the quotes it was sent in, as the console tells it
        target = unquoted if (unquoted := path_in_quotes(target)) != target.strip() else target
    # a path read in ASCII (admit) is told as read, as the reply's note says it was
    spelled = width_folded(target) if admitted.read_as else target
    return {ours.target: spelled} if ours.kind in ("file", "image") else {}
