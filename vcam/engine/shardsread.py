"""How far a library that reads a folder's safetensors shards itself has come, told by the bytes this process has
read or mapped in: transformers' text encoder load says nothing of its own for a minute or more."""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from vcam.progress import ByteProgress


class ShardsRead:
    """How far a library that reads a folder's safetensors shards itself (transformers' UMT5 text encoder: 11.4 GB
    in five shards, a minute or more with nothing said) has come, told by the bytes this process has read or mapped
    in since the load began (/proc/self/io's rchar, /proc/self/status's RssFile: safetensors maps each shard and
    reads it by touching its pages, which no read count sees). Which shards are open or mapped tells nothing:
    transformers 5 maps every shard before it reads any. Counted as it grows, never back (a shard read is unmapped),
    and held under 100 % until the load returns: other files read or mapped meanwhile count too. Said on `line`
    (None: not said there) and to `report` (a show's status line). `look()` once; `watch()` in a thread of its own
    until `done()`, or as a `with` block, watched within it and done as it ends. Where /proc cannot tell (not Linux),
    the line says the size and the time so far, no percentage; with no shard in the folder, nothing."""

    def __init__(self, folder: Path, line: ByteProgress | None, report: Callable[[str], None] | None = None,
                 what: str = "text encoder"):
        self.total = 0
        for shard in Path(folder).glob("*.safetensors"):
            try:
                self.total += shard.stat().st_size
            except OSError:  # a dangling link: the load itself says which file
                continue
        self.line = line if self.total else None  # no shard: the load itself says what the folder lacks
        self.report = report if self.total else None
        self.what = what
        if self.line is not None:
            self.line.total = self.total
        self._last = _taken_in()
        self._read = 0
        self._percent = -1
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def look(self) -> None:
        """One look at how much has been read; the line moves on where more has."""
        with self._lock:
            now = _taken_in()
            if now is None or self._last is None:
                if self.line is not None:
                    self.line.wait()
                return
            self._read += max(0, now - self._last)
            self._last = now
            read = min(self._read, self.total * 99 // 100)
            if self.line is not None:
                self.line.update(read)
            percent = 100 * read // self.total if self.total else 0
            if self.report is not None and percent > self._percent:
                self._percent = percent
                self.report(f"loading {self.what} {percent}%")

    def watch(self, every_s: float = 0.5) -> None:
        def run() -> None:
            while not self._stop.wait(every_s):
                self.look()

        self._thread = threading.Thread(target=run, name="vcam-shards-read", daemon=True)
        self._thread.start()

    def __enter__(self) -> ShardsRead:
        self.watch()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.done(exc is None)  # a load that raised has not read the whole: its total is not said

    def done(self, whole: bool = True) -> None:
        """Stops the watch; `whole`: the load returned, its total said (not said where it failed)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.line is not None:
            if whole:
                self.line.update(self.total)
            self.line.done()


def _taken_in() -> int | None:
    """Bytes this process has read (rchar) and holds mapped in from files (RssFile) now; None where /proc does not
    say (not Linux). Two small files: cheap to read every half second, where /proc/self/maps lists thousands of
    mappings in a CUDA process."""
    try:
        with open("/proc/self/io", encoding="ascii") as io:
            read = next(int(line.split()[1]) for line in io if line.startswith("rchar:"))
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            mapped = next(int(line.split()[1]) * 1024 for line in status if line.startswith("RssFile:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return None
    return read + mapped
