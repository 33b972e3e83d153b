"""Hot reload of the show file (its prompts are encoded ahead by vcam.control.prompter)."""
from __future__ import annotations

import os
import threading
from collections.abc import Callable

from vcam.control.show import Show, load_show
from vcam.control.yamlcheck import ConfigError


class ShowWatcher:
    """Polls the show file; a valid edit is applied, an invalid one reported while the last good show stays."""

    def __init__(self, path: str, on_show: Callable[[Show], None], say: Callable[[str], None],
                 interval: float = 0.5):
        self.path = path
        self.on_show = on_show
        self.say = say
        self.interval = interval
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
        except ConfigError as e:
            self._not_reloaded(e)
            return
        except Exception as e:  # whatever it is, the last good show stays live
            self.say(f"show file not reloaded ({e.__class__.__name__}: {e}); the last good show stays live")
            return
        try:
            self.on_show(show)
        except ConfigError as e:  # it does not fit what the show runs with (a MIDI map given on the command line)
            self._not_reloaded(e)
            return
        self.say(f"reloaded {self.path}: {len(show.presets)} presets")

    def _not_reloaded(self, e: ConfigError) -> None:
        self.say("show file not reloaded, the last good show stays live:\n  " + "\n  ".join(e.problems))
