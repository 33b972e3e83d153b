"""Hot reload of the show file (its prompts are encoded ahead by vcam.control.prompter).

What a reload changes on air is the controller's (Controller.replace_show): the presets, the cues, the maps, the
defaults that govern later changes (transition, quantize, fallback), and the tempo where the edit changed its bpm
(as `bpm N` sets it); of the preset on air, only what the edit changed in it (what the operator moved live stays).
What the show only starts with (its output, the defaults' seed, steps, input, strength, bias and input_fit, the
MIDI port) waits for the next start, and the reload's line says which of those the file now gives otherwise than the
show started with; where the command line gives one of them (--seed, --size, --midi …), or the first preset gives
its own seed, input, strength or bias, that wins at the next start, and the line says so rather than promise the
file's value.
The map files the show runs with (its sections' `map:`, and those --midi-map and --osc-map give) are watched with
it: a save of one reloads the show as a save of the show file does. vcam's shipped maps are not watched.
"""
from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import stat
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from vcam import filelock
from vcam.control import midimap, oscmap
from vcam.control.show import Show, load_show
from vcam.control.yamlcheck import Reader, key_nodes
from vcam.control.yamlfiles import read_file
from vcam.control.yamlproblems import PROBLEM_AT, ConfigError
from vcam.errors import VcamError, described, one_line
from vcam.words import clipped, counted

# Read once, as the show starts: (section, key) as the show file spells them
AT_START = (("output", "size"), ("output", "fps"), ("output", "fit"), ("output", "out"), ("defaults", "seed"),
            ("defaults", "steps"), ("defaults", "input"), ("defaults", "strength"), ("defaults", "bias"),
            ("defaults", "input_fit"), ("midi", "port"))


def waiting_for_start(old: Show, new: Show, overridden: Mapping[tuple[str, str], str] | None = None) -> str:
    """The keys an edit changed that apply only at the next start, in the show file's words ("output size/fps,
    defaults seed"); "" when there are none. Those `overridden` (what the command line gives over them) are left
    out: the next start does not take them from the file either (overridden_at_start says so)."""
    changed: dict[str, list[str]] = {}
    for section, key in _changed_at_start(old, new):
        if (section, key) not in (overridden or {}):
            changed.setdefault(section, []).append(key)
    return ", ".join(f"{section} {'/'.join(keys)}" for section, keys in changed.items())


def overridden_at_start(old: Show, new: Show, overridden: Mapping[tuple[str, str], str]) -> list[str]:
    """The keys an edit changed that the command line gives over the file (`overridden`: by (section, key), what
    gives it, "--seed 7"), each in words: "defaults seed: --seed 7 overrides it at the next start"."""
    return [f"{section} {key}: {overridden[section, key]} overrides it at the next start"
            for section, key in _changed_at_start(old, new) if (section, key) in overridden]


# the defaults the show's first preset gives over, where the show starts on it (vcam.live.settings.resolve)
FIRST_PRESET_OVER = ("seed", "input", "strength", "bias")


def first_preset_over(show: Show) -> dict[tuple[str, str], str]:
    """The defaults of AT_START that `show`'s first preset gives its own of, which it starts with: by (section,
    key), "preset 1's seed"."""
    first = show.presets[0] if show.presets else None
    return {("defaults", key): f"preset 1's {key}" for key in FIRST_PRESET_OVER
            if first is not None and getattr(first, key) is not None}


def _changed_at_start(old: Show, new: Show) -> list[tuple[str, str]]:
    def value(show: Show, section: str, key: str):
        return show.midi_port if section == "midi" else getattr(getattr(show, section), key)

    return [(section, key) for section, key in AT_START if value(old, section, key) != value(new, section, key)]


@dataclass
class GivenMap:
    """A map the command line gives (--midi-map, --osc-map), read again as the show reloads: `mapping` is the one
    in force, which a reload that loads replaces. `path`: its file as given, as the show's lines name it; `file`:
    the one read and watched (`path` from the folder the show started in), not watched where it is a shipped map."""
    flag: str
    ref: str
    path: str
    read: Callable[[Path], object]
    mapping: object
    file: str = ""

    def __post_init__(self) -> None:
        self.file = self.file or from_start(self.path)

    def read_again(self) -> object:
        try:
            return self.read(Path(self.file))
        except ConfigError as e:
            raise named_as(e, self.file, self.path) from None


def from_start(path: str) -> str:
    """`path` from the folder the show starts in: a relative one was read from the working folder as it is at a
    save, which a stick pulled and plugged back in leaves the old one. Its `..` kept: after a link, the system takes
    it from where the link leads; `./` and `//` dropped, as the file's reader drops them from the path its lines
    name, which the show's lines then name as given."""
    try:
        return str(Path(os.getcwd()) / path)
    except FileNotFoundError:  # the folder already gone: read as given, as a file missing until it is back
        return str(Path(path))


def named_as(e: ConfigError, file: str, shown: str) -> ConfigError:
    """`e`, its lines that name `file` naming it `shown` (show.yaml:4: ...), as the show's lines name it."""
    return ConfigError([shown + p[len(file):] if p.startswith(file + ":") else p for p in e.problems], e.what)


def shipped(path: str) -> bool:
    """Whether `path` is one of vcam's shipped maps, which no operator edits during a show."""
    try:
        folder = Path(path).resolve().parent
    except FileNotFoundError:  # relative, the working folder gone: not a shipped one, whose path is whole
        return False
    return any(folder == Path(d).resolve() for d in (midimap.MAPS_DIR, oscmap.MAPS_DIR))


NOT_A_FILE = ("not a file",)  # a watched path that is a named pipe, a socket or a device


def _stamp(path: str) -> tuple | None:
    """What a look finds of `path`: its times, size and inode; None where it is gone; NOT_A_FILE; or
    (_UNREADABLE, why) where it cannot be asked (a failing share)."""
    try:
        st = os.stat(path)
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
            return NOT_A_FILE  # a named pipe read waits for a writer: the watcher stopped there for the show's rest
        return st.st_mtime_ns, st.st_size, st.st_ino  # the inode: editors that save by renaming a new file
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as e:  # a share or a stick that fails (EIO, ESTALE), a folder made private: it is still there
        return _UNREADABLE, e.strerror or e.__class__.__name__


_UNREADABLE = "cannot be read"


def _unreadable(stamp: tuple | None) -> bool:
    return isinstance(stamp, tuple) and stamp[:1] == (_UNREADABLE,)


# A network share's or a FAT stick's file times tick in whole seconds (FAT's in two): a second save within the tick
# of the first, of the same size, leaves the file's stamp as the first left it, and was never read. A file's content
# is compared as well for this long after its stamp last changed, on the watcher's clock.
FRESH_S = 3.0


def _digest(path: str) -> bytes | None:
    """The digest of the file at `path`; None where it is no file. Opened without waiting: a named pipe made there
    since its stat would hold the watcher until a writer came."""
    fd = filelock.open_regular(path)
    if fd is None:  # gone since its stat, a folder, or a pipe
        return None
    try:
        with os.fdopen(fd, "rb", closefd=False) as f:
            return hashlib.blake2b(f.read(), digest_size=16).digest()
    except OSError:  # a share gone as it was stat'ed or read: the stamp tells the rest
        return None
    finally:
        os.close(fd)


def named_maps(path: str) -> tuple[str, ...]:
    """The map files a show file names (`map:` under midi: and osc:), found as loading it finds them, from its
    text alone: a save that does not load, over a problem in a map it names anew, is fixed by a save of that map,
    which must be watched then. () where the text cannot be read as YAML (the show file is then what to fix)."""
    try:
        top = key_nodes(Reader(path).compose(read_file(Path(path))))
    except ConfigError:
        return ()
    base = Path(path).resolve().parent
    refs = ((key_nodes(top.get(key)).get("map"), kind) for key, kind in (("midi", midimap), ("osc", oscmap)))
    found = (kind.find_map_file(ref.value.strip(), base) for ref, kind in refs
             if isinstance(getattr(ref, "value", None), str) and ref.value.strip())
    return tuple(str(f) for f in found if f is not None)


class ShowWatcher:
    """Polls the show file and the map files it runs with; a valid edit is applied, an invalid one reported while
    the last good show stays.

    `on_show` applies a loaded show with the command line's maps (`given`) by flag, read again where saved, to check
    the show against and put in force; it returns what it changed on air in words (or nothing), said on the reload's
    line with what waits for the next start (what the show started with and a save has changed since); `show` is the
    one running. `overridden`: the keys of AT_START the command line gives over the file, by what gives them
    ("--seed 7"), said as overriding a save that changes them, as are the defaults the first preset gives its own
    of where the show starts `on_first_preset`. A save that leaves the show as it runs (a comment,
    the layout) is said so and not applied."""

    what = "the show file's watch"  # as the show's end names it where its stop fails

    def __init__(self, path: str, on_show: Callable[[Show, dict[str, object]], Sequence[str] | None],
                 say: Callable[[str], None], interval: float = 0.5, show: Show | None = None,
                 given: Sequence[GivenMap] = (), overridden: Mapping[tuple[str, str], str] | None = None,
                 on_first_preset: bool = True, clock: Callable[[], float] = time.monotonic):
        self.path = path  # as given, as the show's lines name it
        self.file = from_start(path)  # what is read and watched
        self.on_show = on_show
        self.say = say
        self.interval = interval
        self.show = show  # the last good show
        # the show as it started: what it only starts with (AT_START) stays as this one had it, whatever saves since
        self.started = show
        self.given = list(given)
        self.overridden = dict(overridden or {})  # AT_START's keys the command line gives: what gives each
        self.on_first_preset = on_first_preset  # the show starts on its first preset (no --prompt)
        self._failing: str | None = None  # what the last save's reload said was wrong, until a save loads
        self._unread: set[str | None] = set()  # the given maps' files saved since their last load
        self._watched: tuple[tuple[str, ...] | None, list[str]] = (None, [])  # for the show's map files
        self._named: tuple[str, ...] = ()  # the maps a show file that did not load names, watched until one does
        self._broke: str | None = None  # what the last look that raised said, until a look goes through
        self._clock = clock
        self._content: dict[str, tuple] = {}  # by path: its stamp, its content's digest, when the stamp last changed
        self._stamps = self._seen = self._read_stamps()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="show-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(2.0)

    def watched(self) -> list[str]:
        """The show file, then the map files the running show reads, shipped maps left out."""
        maps = (*(self.show.map_files if self.show is not None else ()), *self._named)
        if self._watched[0] != maps:  # worked out as the show's maps change, not at each look: a shipped map's
            # test resolves every folder of its path, many times the one stat a look is to cost
            files = [self.file, *maps, *(g.file for g in self.given)]
            self._watched = (maps, [f for f in dict.fromkeys(files) if f == self.file or not shipped(f)])
        return self._watched[1]

    def _read_stamps(self) -> dict:
        # a few stats a look, and whole reads only for FRESH_S after a change: cheap
        return {path: self._with_content(path, _stamp(path)) for path in self.watched()}

    def _with_content(self, path: str, stamp):
        """A file's stamp, with its content's digest: read again at each look for FRESH_S after the stamp last
        changed, where a save within the file time's tick shows in the content alone; kept as last read after."""
        if stamp is None or stamp is NOT_A_FILE or _unreadable(stamp):
            return stamp
        last, digest, since = self._content.get(path, (None, None, None))
        now = self._clock()
        if last != stamp or since is None:
            since = now
        if now - since <= FRESH_S and (read := _digest(path)) is not None:  # a read that failed tells nothing
            if read != digest:  # changed in its content alone: read on until it holds still for a look
                since = now
            digest = read
        self._content[path] = (stamp, digest, since)
        return (*stamp, digest)

    def _run(self) -> None:
        self._guarded(self.saved_since_load)
        while not self._stop.wait(self.interval):
            self._guarded(self.poll)

    def _guarded(self, look: Callable[[], None]) -> None:
        """One look at the files, whatever it meets: an error out of it ended this thread, and no later save of
        the show was read for the rest of it. Said once while it repeats."""
        try:
            look()
        except Exception as e:  # noqa: BLE001 - the watcher must outlive any one look
            # on one line, between the status lines: a VcamError's text has its fix on a line of its own
            text = f"{e.__class__.__name__}: {one_line(e)}" if isinstance(e, VcamError) else described(e)
            said = (f"show file watcher: {' '.join(text.split())}; the last good show stays live, and saves are "
                    "still read")
            if said != self._broke:
                self.say(said)
            self._broke = said
        else:
            self._broke = None

    def saved_since_load(self) -> None:
        """A save made after the running show was read and before this watcher took its first look (while the model
        loads, minutes on a GPU) is in the stamps it started from, so no look sees it change: the show file read
        now is reloaded where it differs from the show running (said as any save is). Once, as it starts."""
        if self.show is None:
            return
        # taken before the file is read: a save the reload reads is not seen by the next looks as one more (said
        # again as a save that changed nothing), and one made while it reads still is
        stamps = self._read_stamps()
        if stamps.get(self.file) is NOT_A_FILE:  # made one while the model loaded: reading it waits for a writer
            self._not_a_file(self.path)
            return
        try:
            if self._load() == self.show:
                return
        except ConfigError:  # broken since: said by the reload, as a save that does not load is
            pass
        self._reload([self.file], stamps)
        self._stamps = self._seen = stamps

    def poll(self) -> None:
        """One look at the files. A change is loaded once it has held from one look to the next: an editor that
        writes the file in pieces must not put half a show on air."""
        stamps = self._read_stamps()
        if stamps != self._seen:
            self._seen = stamps
            return
        # a file watched since the last reload (a map it named anew) counts from now, not as a save
        changed = [path for path, stamp in stamps.items() if stamp != self._stamps.get(path, stamp)]
        # what a file that was gone (said deleted or renamed) or could not be read (a failing share) is again
        back = {path: "back" if self._stamps[path] is None else "readable again" for path in changed
                if path in self._stamps and (self._stamps[path] is None or _unreadable(self._stamps[path]))}
        self._stamps = stamps
        if not changed:
            return
        gone = [path for path in changed if stamps[path] is None]
        for path in map(self._shown, gone):  # once: its stamp stays None until it is back
            self.say(f"{linked(path)} was deleted or renamed: the last good show stays live, and a save of {path} is "
                     "read again")
        for path in changed:
            if stamps[path] is NOT_A_FILE:
                self._not_a_file(self._shown(path))
            elif _unreadable(stamps[path]):  # was said deleted or renamed: a file on a failing share is neither
                self.say(f"{linked(self._shown(path))} cannot be read ({stamps[path][1]}): the last good show stays "
                         "live, and the file is read again once it can be")
        saved = [path for path in changed if stamps[path] not in (None, NOT_A_FILE) and not _unreadable(stamps[path])]
        if saved:
            self._reload(saved, stamps, back)

    def _not_a_file(self, path: str) -> None:
        self.say(f"{path} is now a named pipe or a device, not a file: the last good show stays live; save the file "
                 "there again to reload it")

    def _reload(self, saved: list[str], stamps: dict, back: Mapping[str, str] | None = None) -> None:
        """The show read again after a save of the files `saved`, and of the command line's maps those saved (one
        not saved stays as read: each is read once a save). `stamps`: the files as the look before the read found
        them; one written since, as it was read, is not applied (the next looks read it once it holds still).
        `back`: those that were gone (said deleted or renamed) or could not be read, with what they are again ("back",
        "readable again")."""
        said = self.file if self.file in saved else saved[0]
        shown = self._shown(said)  # as the show's lines name it
        head = f"map file {linked(shown)}" if said != self.file else \
            f"show file {linked(shown)}" if os.path.islink(self.file) else "show file"
        # a map whose last save did not load is read again too: the show's next save does not make it fixed
        self._unread.update(g.file for g in self.given if g.file in saved)
        if _stamp(self.file) is NOT_A_FILE:
            # a map saved while the show file is a named pipe: reading the show waited for a writer, and this
            # watcher with it, for the rest of the show
            self.say(f"{head} not reloaded: {self.path} is a named pipe or a device, not a file; save the show file "
                     "there again to reload both")
            return
        try:
            show = self._load()
            maps = {g.flag: g.read_again() if g.file in self._unread else g.mapping for g in self.given}
            if self._read_stamps() != stamps:  # an editor began its next save as this one was read: what was read
                return  # may be its first half, valid YAML, and would go on air
            if show == self.show and maps == {g.flag: g.mapping for g in self.given}:  # a save that changed
                # nothing the show reads (a comment): said as such, where "reloaded: N presets" read as a change
                self._loaded(show, maps, unchanged(shown, (back or {}).get(said, "")))
                return
            applied = self.on_show(show, maps)
        except ConfigError as e:  # a broken file, or one that does not fit what the show runs with (--midi-map)
            if self._read_stamps() == stamps:  # else the half of a save begun as it was read: said broken, then
                self._not_reloaded(head, e)     # "fixed" a second later, where the next looks read it whole
            return
        except Exception as e:  # noqa: BLE001 - the last good show stays live, and the file is watched on: an
            # error applying it ended this thread, and no later save was ever loaded
            self._failed(head, f"{head} not reloaded ({e.__class__.__name__}: {e}); the last good show stays "
                               "live", 1)
            return
        # against the show as it runs, not the last save: an edit undone waits for nothing, and one made a save
        # ago still waits
        over = {**(first_preset_over(show) if self.on_first_preset else {}), **self.overridden}  # the flag first
        later = waiting_for_start(self.started, show, over) if self.started else ""
        kept = overridden_at_start(self.started, show, over) if self.started else []
        self._loaded(show, maps, reloaded(self.path, show, applied or (), later, None if said == self.file else shown,
                                          kept))

    def _loaded(self, show: Show, maps: dict[str, object], line: str) -> None:
        """A save that loaded: `show` and `maps` are the ones in force (where a save only moved lines, they compare
        equal to the last, and a later check names the lines the controls are on now), and `line` is said, then
        the notes of the show and of the command line's maps that the last good ones did not have: what reads but
        does nothing as written, said at the start, went unsaid when a save on air brought it. They are compared
        without their line numbers: a save that only moved a line (a comment added above it) said its note again."""
        before = [_unlined(n) for n in self._notes()]
        self.show = show
        self._unread.clear()
        self._named = ()
        for g in self.given:
            g.mapping = maps[g.flag]
        self.say(f"fixed: {line}" if self._failing is not None else line)
        self._failing = None
        for note in self._notes():
            if _unlined(note) in before:
                before.remove(_unlined(note))  # one said already for each: a second alike is new
            else:
                self.say(note)

    def _notes(self) -> list[str]:
        """The notes of the last good show and of the command line's maps in force, each file named as the show's
        lines name it (show.yaml:4: ...), as a save's problems are."""
        files = [(self.file, self.path), *((g.file, g.path) for g in self.given)]
        notes = [*(self.show.notes if self.show is not None else ()),
                 *(n for g in self.given for n in getattr(g.mapping, "notes", ()))]
        return [next((shown + n[len(file):] for file, shown in files if n.startswith(file + ":")), n) for n in notes]

    def _not_reloaded(self, head: str, e: ConfigError) -> None:
        self._failed(head, f"{head} not reloaded, the last good show stays live:\n  " + "\n  ".join(e.problems),
                     len(e.problems))

    def _failed(self, head: str, said: str, problems: int) -> None:
        """A save that does not load: said whole, except where the save before it failed alike (each save of a
        file still being fixed repeated the same lines), which is said in one line."""
        if said == self._failing:
            same = "the same problem" if problems == 1 else f"the same {problems} problems"
            self.say(f"{head} still not reloaded: {same} as at the last save; the last good show stays live")
        else:
            self.say(said)
        self._failing = said
        self._named = named_maps(self.file)

    def _shown(self, path: str) -> str:
        """A watched file as the show's lines name it: the show file and the maps of the command line as given."""
        return self.path if path == self.file else next((g.path for g in self.given if g.file == path), path)

    def _load(self) -> Show:
        """The show file read again, named as it was given (show.yaml:4: ...): as the running show was loaded, which
        it is compared with: its path as load_show records the one given (./show.yaml as show.yaml), else the two
        never compare equal."""
        try:
            return dataclasses.replace(load_show(self.file), path=str(Path(self.path)))
        except ConfigError as e:
            raise named_as(e, self.file, self.path) from None


def linked(path: str) -> str:
    """`path`, and the file it links to where it is a symbolic link ("show.yaml (-> /sets/tour.yaml)"): the file
    the operator edits may be known by its own name, and a link moved to another set edits another file."""
    return f"{path} (-> {os.path.realpath(path)})" if os.path.islink(path) else path


def unchanged(path: str, again: str = "") -> str:
    """The line for a save that changed nothing in the show: nothing is applied. `again`: what the file is again,
    as the show runs it, which no one saved: "back" (its folder moved away, or the file itself), "readable again"
    (a share that failed)."""
    if again:
        return f"{path} is {again}, as the show runs it: nothing applied"
    return f"{path} saved with no change to the show: nothing applied"


def reloaded(path: str, show: Show, applied: Sequence[str], later: str, saved: str | None = None,
             kept: Sequence[str] = ()) -> str:
    """The reload's line: the show, what the edit changed on air, what waits for the next start, and what the
    command line overrides there (`kept`, overridden_at_start's words); `saved`: the map file whose save reloaded
    it."""
    line = f"reloaded {path}{f' ({saved} saved)' if saved else ''}: {counted(len(show.presets), 'preset')}"
    if applied:
        line += "".join(f"; {item}" for item in applied)  # an item may hold commas of its own
    if later:
        line += f"; at the next start: {later}"
    return line + "".join(f"; {item}" for item in kept)


def map_changed(old, new) -> str:
    """What a save changed in a MIDI or OSC map in force (`old`, `new`: MidiMap, OscMap, None for none), in a few
    words for the reload's line ("cc 16 now transition, cc 17 added"); "" where no control acts otherwise (a
    comment, lines moved, a name). Past a few changes only their counts are said ("3 controls added, 3 removed"): one
    line."""
    before, after = _controls(old), _controls(new)
    changes = _rechanneled([(name, _change(before.get(name), after.get(name))) for name in {**before, **after}
                            if before.get(name) != after.get(name)], before, after)
    if len(changes) <= 3:
        return ", ".join(f"{name} {words}" for name, (_, words) in changes)
    # by what each is, then by kind: a control moved to another cc (or channel) is one removed and one added
    said = []
    for noun in ("control", "program change", "ignore pattern"):
        kinds = [(n, kind) for kind in ("changed", "added", "removed")
                 if (n := sum(k == kind and _noun(name) == noun for name, (k, _) in changes))]
        said += [f"{counted(n, noun) if i == 0 else n} {kind}" for i, (n, kind) in enumerate(kinds)]
    return ", ".join(said)


def _noun(name: str) -> str:
    """What a map's entry named `name` (_controls) is, counted as such: `ignore:` patterns and `program: presets`
    are no controls."""
    return "ignore pattern" if name.startswith("ignore ") else \
        "program change" if name.startswith("program change") else "control"


def _change(old, new) -> tuple[str, str]:
    """How a control changed: its kind (changed, added, removed), and in words."""
    if old is None:
        return "added", "added"
    if new is None:
        return "removed", "removed"
    if len(old) > 2 or len(new) > 2:  # a fader and a button at one OSC address
        return "changed", _parts_changed(old[1:], new[1:])
    if new[0] != old[0]:
        return "changed", f"now {clipped(new[0], 41)}"
    # the same action with another range, curve or toggle
    return "changed", _detail(old[1], new[1]) if len(old) > 1 else "changed"


def _parts_changed(old: tuple, new: tuple) -> str:
    """What changed of the entries at an OSC address a fader and a button share, each said as what it is ("button
    next added"): "now strength and next" read as one control now moving both."""
    gone, said = [e for e in old if e not in new], []
    for e in (e for e in new if e not in old):
        was = next((g for g in gone if type(g) is type(e)), None)
        if was is None:
            said.append(f"{_part(e)} added")
            continue
        gone.remove(was)
        role, what = _part(e).split(" ", 1)
        said.append(f"{role} now {what}" if _part(was) != _part(e) else f"{role} {_detail(was, e)}")
    return " and ".join(said + [f"{_part(e)} removed" for e in gone])


def _part(e) -> str:
    """An OSC entry as what it is and what it does: "fader strength", "button next"."""
    return f"fader {e.param}" if isinstance(e, oscmap.OscFader) else f"button {clipped(str(e.command), 41)}"


# what else an entry that does the same may change, in words (None: the entry has none now)
_DETAILS = (("curve", lambda v: f"curve now {v}"), ("bits", lambda v: f"now {v}-bit"),
            ("between", lambda v: f"between now {v[0]} / {v[1]}" if v else "between no longer set"),
            ("toggle", lambda v: "now a toggle" if v else "no longer a toggle"),
            ("release", lambda v: f"release now {clipped(str(v), 41)}" if v else "no release now"),
            ("light", lambda v: _light_said(v)))


def _light_said(light) -> str:
    if light is None:
        return "no light now"
    return f"light now velocity {light.velocity}" + (f" on channel {light.channel + 1}" if light.channel is not None
                                                     else "")


def _detail(old, new) -> str:
    """What changed in an entry that still does the same (its range, curve, bits, toggle ...), in words; "changed"
    where none of those says it: "changed" alone left the operator to guess what the save did."""
    said = [f"range now {new.lo:g} to {new.hi:g}"] if hasattr(new, "lo") and (old.lo, old.hi) != (new.lo, new.hi) \
        else []
    said += [words(getattr(new, key)) for key, words in _DETAILS if getattr(old, key, None) != getattr(new, key, None)]
    return " and ".join(said) or "changed"  # and, not a comma: the reload's line lists the controls with commas


def _rechanneled(changes: list[tuple[str, tuple[str, str]]], before: dict,
                 after: dict) -> list[tuple[str, tuple[str, str]]]:
    """`changes` with a control removed on one channel and added on any (or the reverse) said as one: a show's own
    `{cc: 16, param: strength}` over a shipped map's knob on channel 1 still acts there, and "cc 16 ch 1 removed,
    cc 16 added" read as a dead knob."""
    removed = [name for name, (kind, _) in changes if kind == "removed"]
    for gone in removed:
        base = gone.split(" ch ")[0]
        come = next((name for name, (kind, _) in changes if kind == "added" and name.split(" ch ")[0] == base
                     and base in (name, gone)), None)
        if come is None:
            continue
        where = "any channel" if come == base else f"channel {come.rsplit(' ', 1)[1]} only"
        what = "" if after[come][0] == before[gone][0] else f"{clipped(after[come][0], 41)} "
        said = (gone, ("changed", f"now {what}on {where}"))
        changes = [said if name == gone else change for change in changes if (name := change[0]) != come]
    return changes


def _controls(mapping) -> dict[str, tuple]:
    """A map's controls that act, by how the operator names them ("cc 16", "note 36 ch 2", "/1/fader1"): what each
    does in words, then the whole entry (its range, curve: said by _detail where only they changed)."""
    if isinstance(mapping, midimap.MidiMap):
        knobs, buttons = mapping.acting()
        found: dict[str, tuple] = {}
        for e in (*knobs, *buttons):  # a show's own first: they win over its map file's (MidiMap.control)
            what = e.param if isinstance(e, midimap.Knob) else str(e.command)
            number = e.named.split(" (")[0] if isinstance(e, midimap.Knob) else \
                f"cc {e.cc}" if e.cc is not None else f"note {e.note}"
            found.setdefault(number + (f" ch {e.channel + 1}" if e.channel is not None else ""), (what, e))
        for ch in mapping.program_channels:
            found.setdefault("program change" + (f" ch {ch + 1}" if ch is not None else ""), ("presets",))
        return found
    if isinstance(mapping, oscmap.OscMap):
        found = {}
        for name, what, e in [*((f.address + (f" arg {f.arg}" if f.arg else ""), f.param, f) for f in mapping.faders),
                              *((b.address, str(b.command), b) for b in mapping.buttons),
                              *((f"ignore {pattern}", "ignored", None) for pattern in mapping.ignore)]:
            # a fader and a button may share an address: both act on it
            was = found.get(name)
            found[name] = (what, e) if was is None else (f"{was[0]} and {what}", *was[1:], e)
        return found
    return {}


# a note's own line (show.yaml:4: ..., as the reader writes it), and one it names
LINE_NUMBER = re.compile(rf"^{PROBLEM_AT.pattern}|\bline \d+")


def _unlined(note: str) -> str:
    """A note without the line numbers in it, which a save that only moves lines changes."""
    return LINE_NUMBER.sub(lambda m: f"{m[1]}: " if m[1] is not None else "line", note)
