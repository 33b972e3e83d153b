"""A clip's file, exported again over itself on air, opened and decoded up to the show's frame in a thread while
the clip plays on as it was: decoding a long 1080p clip from its top up to the show's frame takes seconds, which
in the show's own thread held up a block of the show. The show takes the new clip at the first block that starts
where the thread waits, so a block never waits for it."""
from __future__ import annotations

import atexit
import threading
import time
from typing import Callable, Protocol

# The longest the process's end waits, in all, for the reloads still running to stop and close what they opened:
# a big MKV opened in about a second; one on a stalled network share is left to end with the process.
EXIT_WAIT_S = 3.0
_running: set["Reload"] = set()  # the reloads whose thread has not ended, for the process's end
_running_lock = threading.Lock()


class Seekable(Protocol):
    def step_toward(self, position: int) -> bool:
        """One frame of decoding toward the clip's frame for the show's frame `position`; True once it is there."""

    def close(self) -> None: ...


class Reload:
    """`opened()` (the new clip, opened from its file) run in a thread, then stepped toward the show's frame the
    next block starts at (`aim`), one frame at a time so that a cancel stops it between two. `ready` is set while
    it waits there (take it with `take`) or once it failed (`error`)."""

    def __init__(self, opened: Callable[[], Seekable], position: int):
        self._opened = opened
        self._lock = threading.Condition()
        self._position = position  # the show's frame the next block starts at, as last aimed
        self._at: int | None = None  # the position the new clip waits at, decoded up to it
        self._clip: Seekable | None = None
        self._stop = False
        self._taken = False
        self.error: Exception | None = None
        self.ready = threading.Event()
        # cancel() does not join it: it ends on its own once its file opened, closing the clip it opened then, so
        # switching the input away or ending the show never waits on an opening (a big MKV took a second, a file on
        # a stalled network share may never return). A daemon, waited for at the process's end only up to
        # EXIT_WAIT_S (stop_all): one that opened by then has closed its clip, and one still opening does not keep
        # the process from ending; what it holds (the file, decoder memory) goes with the process.
        self._thread = threading.Thread(target=self._run, name="clip reload", daemon=True)
        # started under the lock, then listed: stop_all never sees a thread not started yet (joining one raises),
        # one that could not start is never listed, and one that ends at once waits here to be listed before its
        # own end takes it off again
        with _running_lock:
            self._thread.start()
            _running.add(self)

    def _run(self) -> None:
        try:
            self._open_and_follow()
        finally:
            with _running_lock:
                _running.discard(self)

    def _open_and_follow(self) -> None:
        try:
            clip = self._opened()
        except Exception as e:  # whatever a file written again raises as it opens: said by the show's thread
            with self._lock:
                self.error = e
                self.ready.set()
            return
        try:
            self._follow(clip)
        except Exception as e:  # a decoder failing past what the clip itself holds: the old clip plays on
            with self._lock:
                self.error = e
                self.ready.set()
        finally:
            with self._lock:
                if not self._taken:
                    clip.close()

    def _follow(self, clip: Seekable) -> None:
        with self._lock:
            self._clip = clip
        while True:
            with self._lock:
                if self._stop:
                    return
                position = self._position
            if not clip.step_toward(position):
                continue
            with self._lock:
                if self._stop:
                    return
                if self._position != position:  # the show moved on meanwhile: on toward where it is now
                    continue
                self._at = position
                self.ready.set()
                self._lock.wait_for(lambda: self._stop or self._position != position)

    def aim(self, position: int) -> None:
        """The show's next block starts at `position` (the one after the block being made)."""
        with self._lock:
            if position != self._position:
                self._position, self._at = position, None
                if self.error is None:
                    self.ready.clear()
                self._lock.notify_all()

    def take(self, position: int) -> Seekable | None:
        """The new clip, decoded up to the show's frame `position`, where the thread waits there; else None (it is
        not there yet, or failed). Taken, it is the caller's: the thread ends without touching it."""
        with self._lock:
            # cancelled (stop_all), the thread closes the clip as it ends: not to be taken
            if self._stop or self._at != position or self._clip is None or self.error is not None:
                return None
            self._taken = self._stop = True
            self._lock.notify_all()
            return self._clip

    def cancel(self) -> None:
        """Stops the thread after the frame it decodes, or once the file it opens opened, closing the new clip
        then; returns at once, waiting for neither."""
        with self._lock:
            self._stop = True
            self._lock.notify_all()


def stop_all(wait_s: float | None = None) -> bool:
    """Every reload still running stopped, and waited for up to `wait_s` in all (EXIT_WAIT_S where None: at the
    process's end), one that opens meanwhile closing its clip, one that decodes stopping after its frame; True
    where all ended by then."""
    wait_s = EXIT_WAIT_S if wait_s is None else wait_s
    with _running_lock:
        running = list(_running)
    for reload in running:
        reload.cancel()
    end = time.monotonic() + wait_s
    for reload in running:
        reload._thread.join(max(0.0, end - time.monotonic()))
    return not any(reload._thread.is_alive() for reload in running)


# Before the interpreter winds down: a thread left inside FFmpeg or OpenCV while the process's end tears their
# libraries down risks a crash on the way out; stopped first, each ends between two frames.
atexit.register(stop_all)
