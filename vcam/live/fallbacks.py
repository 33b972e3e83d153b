"""Fallback images, each decoded and fitted once.

Selecting a preset sets its fallback image (the stall's picture), on the controller's thread with its lock held:
decoding a large JPEG there held every press for tens of milliseconds, and a reload did the same. The show's
images are decoded ahead (at the start, and by the show watcher's thread before a reload applies); a press then
finds its image here. An image edited since is decoded again; one deleted since (its folder cleaned up, the show's
folder moved) is shown as it was decoded, as the last good show stays live when its file goes; so is one saved
over with what does not decode (an editor's save caught half-written, a broken export), said once per save.
"""
from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

import numpy as np

from vcam.errors import IMAGE_FIX, one_line
from vcam.live.frames import DAMAGED_IMAGE_FIX, load_image
from vcam.live.inputs.clip import animated_frames
from vcam.storednames import as_stored
from vcam.words import name_said


class FallbackImages:
    """`get(path)` is the image at `path` fitted to width×height (ImageError, a ValueError, when it cannot be
    read, and was not decoded before it went); the `keep` most recently used stay decoded. `show`: whether a show
    file may name them (load_image's)."""

    def __init__(self, width: int, height: int, keep: int = 32, show: bool = True):
        self.width, self.height, self.keep, self.show = width, height, keep, show
        self._images: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self._last: dict[str, tuple] = {}  # a path's last decoded file, for when it is gone
        self._lock = threading.Lock()  # a press (controller) and a reload's warm-up (watcher) may meet here
        self._said_broken: set[tuple] = set()  # the saves that did not decode, said once each
        # the saves that did not decode, with why: each press decoded a broken save again, on the controller's thread
        self._broken: OrderedDict[tuple, ValueError] = OrderedDict()
        # an animation's frame count learned as it is decoded (None: a still), kept with its image: a press that
        # finds the image kept says it without opening the file again
        self._animated: dict[tuple, int | None] = {}
        self._said_animated: set[tuple] = set()  # said once per file: every press of its preset said it again

    def get(self, path: str, say: Callable[[str], None] | None = None) -> np.ndarray:
        """The image at `path`; where its file was saved over with what does not decode, the one decoded before
        (said with `say`, once per save), as a press otherwise left the previous preset's image on the stall. An
        animation is said with `say` too, once per file: its first frame alone showed, without a word."""
        image = self._get(path, say)
        if say is not None:
            self._say_animated(path, say)
        return image

    def _say_animated(self, path: str, say: Callable[[str], None]) -> None:
        key = _key(path)
        with self._lock:
            frames = self._animated.get(key)
            if frames is None or key in self._said_animated:
                return
            self._said_animated.add(key)
        count = f" ({frames} frames)" if frames > 1 else ""
        say(f"fallback {name_said(os.path.basename(path))} is animated{count}: a fallback is one still picture, so "
            "only its first frame shows while the stream stalls")

    def _get(self, path: str, say: Callable[[str], None] | None) -> np.ndarray:
        key = _key(path)
        gone = key is None and not os.path.lexists(_on_disk(path))  # its folder read outside the lock
        with self._lock:
            if gone:  # gone since: every press said "not found", where the
                key = self._last.get(os.path.abspath(path))  # show had it decoded all along
            if key is not None and key in self._images:
                self._images.move_to_end(key)
                return self._images[key]
            # by the path as named too: the error names it, and two names may link one file
            broken = self._broken.get((os.path.abspath(path), key)) if key is not None else None
        if broken is not None:
            return self._before(path, key, broken, say)
        try:
            # outside the lock: the other thread need not wait
            found = _on_disk(path)
            image = load_image(found, self.width, self.height, self.show)
            animated = animated_frames(found)
        except ValueError as e:
            if key is not None:
                with self._lock:
                    self._broken[(os.path.abspath(path), key)] = e
                    while len(self._broken) > self.keep:
                        self._broken.popitem(last=False)
            return self._before(path, key, e, say)
        if key is not None:
            with self._lock:
                self._images[key] = image
                self._animated[key] = animated
                self._last[os.path.abspath(path)] = key
                while len(self._images) > self.keep:
                    self._animated.pop(self._images.popitem(last=False)[0], None)
                self._said_broken.discard(_link_key(path))  # a link read again: its target gone again is said
        return image

    def _before(self, path: str, key: tuple | None, error: ValueError, say: Callable[[str], None] | None):
        """The image decoded from an earlier save of `path` (raising `error` where there is none)."""
        link = _link_key(path) if key is None else None  # its folder read outside the lock
        with self._lock:
            last = self._last.get(os.path.abspath(path))
            if last is None or last not in self._images:
                # without the traceback it has: raised again at each press, the kept error grew by every one's frames
                raise error.with_traceback(None)
            self._images.move_to_end(last)
            # marked only as it is said: a reload's warm-up, which says nothing, meets a broken save first
            said_as = key if key is not None else link  # a link to a file gone: said once per target
            first = say is not None and said_as not in self._said_broken
            if first and said_as is not None:
                self._said_broken.add(said_as)
            image = self._images[last]
        if first:
            say(_kept_line(path, error))
        return image

    def warm(self, paths: Iterable[str]) -> None:
        """Decodes each of `paths` ahead; one that cannot be read is said when it is used, not here."""
        for path in dict.fromkeys(paths):
            try:
                self.get(path)
            except ValueError:
                pass


def _kept_line(path: str, error: ValueError) -> str:
    """What an image that no longer reads says, its last good picture kept: a save that does not decode (likely
    caught half-written) is to be saved again whole; one too large, or a folder now, keeps its own fix."""
    why, fix = getattr(error, "message", None) or one_line(error), getattr(error, "fix", None)
    if fix in (IMAGE_FIX, DAMAGED_IMAGE_FIX):
        name = name_said(os.path.basename(path))  # as the error says it (FileNamingError)
        return f"{why}: the fallback image as it was before this save stays until {name} is saved again whole, as a " \
               "PNG or JPEG"
    return f"{why}: the fallback image as it was before stays" + (f"; {fix}" if fix else "")


def _key(path: str) -> tuple | None:
    """The file as it is now (None where it is gone: load_image says so); its change time too: a save refused for
    its permissions reads once `chmod` has made it readable, which leaves the modification time as it was."""
    path = _on_disk(path)
    try:
        st = os.stat(path)
    except OSError:
        return None
    return os.path.realpath(path), st.st_mtime_ns, st.st_ctime_ns, st.st_size


def _link_key(path: str) -> tuple | None:
    """A link whose file is gone, as the target it names (None for anything else): every press said it again."""
    try:
        return os.path.abspath(path), os.readlink(_on_disk(path))
    except OSError:
        return None


def _on_disk(path: str) -> str:
    """`path`, or where it is not there, the file a Mac stored under another Unicode form of its name (NFD), as an
    input's file is found: `--fallback café.png` typed was not found, where `--in café.mp4` beside it was."""
    return as_stored(path) or path
