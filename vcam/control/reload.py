"""Hot reload of the show file (its prompts are encoded ahead by vcam.control.prompter).

What a reload changes on air is the controller's (Controller.replace_show): the presets, the cues, the maps, the
defaults that govern later changes (transition, quantize, fallback), and the tempo where the edit changed its bpm
(as `bpm N` sets it); of the preset on air, only what the edit changed in it (what the operator moved live stays).
What the show only starts with (its output, the defaults' seed, steps, input, strength, bias and input_fit, the
MIDI port) waits for the next start, and the reload's line says which of those the edit changed.
"""
from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence

from vcam.control.show import Show, load_show
from vcam.control.yamlcheck import ConfigError
from vcam.words import counted

# Read once, as the show starts: (section, key) as the show file spells them
AT_START = (("output", "size"), ("output", "fps"), ("output", "fit"), ("output", "out"), ("defaults", "seed"),
            ("defaults", "steps"), ("defaults", "input"), ("defaults", "strength"), ("defaults", "bias"),
            ("defaults", "input_fit"), ("midi", "port"))


def waiting_for_start(old: Show, new: Show) -> str:
    """The keys an edit changed that apply only at the next start, in the show file's words ("output size/fps,
    defaults seed"); "" when there are none."""
    def value(show: Show, section: str, key: str):
        return show.midi_port if section == "midi" else getattr(getattr(show, section), key)

    changed: dict[str, list[str]] = {}
    for section, key in AT_START:
        if value(old, section, key) != value(new, section, key):
            changed.setdefault(section, []).append(key)
    return ", ".join(f"{section} {'/'.join(keys)}" for section, keys in changed.items())


class ShowWatcher:
    """Polls the show file; a valid edit is applied, an invalid one reported while the last good show stays.

    `on_show` applies a loaded show and returns what it changed on air in words (or nothing), said on the reload's
    line with what waits for the next start; `show` is the one running. A save that leaves the show as it runs (a
    comment, the layout) is said so and not applied."""

    def __init__(self, path: str, on_show: Callable[[Show], Sequence[str] | None], say: Callable[[str], None],
                 interval: float = 0.5, show: Show | None = None):
        self.path = path
        self.on_show = on_show
        self.say = say
        self.interval = interval
        self.show = show  # the last good show
        self._failing: str | None = None  # what the last save's reload said was wrong, until a save loads
        self._stamp = self._seen = self._read_stamp()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="show-watch", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:  # started
            self._thread.join(2.0)

    def _read_stamp(self):
        try:
            st = os.stat(self.path)
            return st.st_mtime_ns, st.st_size, st.st_ino  # the inode: editors that save by renaming a new file
        except OSError:
            return None

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.poll()

    def poll(self) -> None:
        """One look at the file. A change is loaded once it has held from one look to the next: an editor that
        writes the file in pieces must not put half a show on air."""
        stamp = self._read_stamp()
        if stamp != self._seen:
            self._seen = stamp
            return
        if stamp == self._stamp or stamp is None:
            return
        self._stamp = stamp
        try:
            show = load_show(self.path)
            if show == self.show:  # a save that changed nothing the show reads (a comment, the layout)
                self._unchanged()
                return
            applied = self.on_show(show)
        except ConfigError as e:  # a broken file, or one that does not fit what the show runs with (--midi-map)
            self._not_reloaded(e)
            return
        except Exception as e:  # noqa: BLE001 - the last good show stays live, and the file is watched on: an
            # error applying it ended this thread, and no later save was ever loaded
            self._failed(f"show file not reloaded ({e.__class__.__name__}: {e}); the last good show stays live",
                         1)
            return
        old, self.show = self.show, show
        line = reloaded(self.path, show, applied or (), waiting_for_start(old, show) if old else "")
        self.say(f"fixed: {line}" if self._failing is not None else line)
        self._failing = None

    def _unchanged(self) -> None:
        """A save that leaves the show as it runs: said as such, where "reloaded: N presets" read as a change
        applied."""
        line = unchanged(self.path)
        self.say(f"fixed: {line}" if self._failing is not None else line)
        self._failing = None

    def _not_reloaded(self, e: ConfigError) -> None:
        self._failed("show file not reloaded, the last good show stays live:\n  " + "\n  ".join(e.problems),
                     len(e.problems))

    def _failed(self, said: str, problems: int) -> None:
        """A save that does not load: said whole, except where the save before it failed alike (each save of a
        file still being fixed repeated the same lines), which is said in one line."""
        if said == self._failing:
            same = "the same problem" if problems == 1 else f"the same {problems} problems"
            self.say(f"show file still not reloaded: {same} as at the last save; the last good show stays live")
        else:
            self.say(said)
        self._failing = said


def unchanged(path: str) -> str:
    """The line for a save that changed nothing in the show: nothing is applied."""
    return f"{path} saved with no change to the show: nothing applied"


def reloaded(path: str, show: Show, applied: Sequence[str], later: str) -> str:
    """The reload's line: the show, what the edit changed on air, and what waits for the next start."""
    line = f"reloaded {path}: {counted(len(show.presets), 'preset')}"
    if applied:
        line += "".join(f"; {item}" for item in applied)  # an item may hold commas of its own
    if later:
        line += f"; at the next start: {later}"
    return line
