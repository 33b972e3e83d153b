"""Hot reload of the show file, and encoding every preset's prompts ahead so switching costs nothing on air."""
from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable

from vcam.control.show import Show, load_show
from vcam.control.yamlcheck import ConfigError


class Preloader:
    """Encodes prompts in the background once the engine's text encoder exists (`encoder()` returns it)."""

    def __init__(self, encoder: Callable[[], object | None], say: Callable[[str], None]):
        self.encoder = encoder
        self.say = say
        self._todo: queue.Queue[list[str]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="preload", daemon=True)
        self._thread.start()

    def add(self, prompts: list[str]) -> None:
        self._todo.put(prompts)

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                prompts = self._todo.get(timeout=0.2)
            except queue.Empty:
                continue
            while (text := self.encoder()) is None:
                if self._stop.wait(0.2):
                    return
            for p in prompts:
                if self._stop.is_set():
                    return
                try:
                    text.encode(p)
                except Exception as e:  # the prompt is encoded again when used; the show goes on
                    self.say(f"could not encode ahead {p[:40]!r}: {e}")


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
