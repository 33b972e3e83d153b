"""MP4 recording at the camera's frame rate (H.264 through PyAV).

The file is a fragmented MP4: each fragment is complete on disk once written, so a crash or a kill loses at most
the last second, and ordinary players read what is there. Nothing is created until the first frame arrives,
so a run that fails early leaves no empty file.
"""
from __future__ import annotations

import errno
import importlib
import math
import os
import stat
import struct
from fractions import Fraction

import numpy as np

from vcam import filelock
from vcam.errors import VcamError
from vcam.live.mp4boxes import box, inside
from vcam.live.outputs.diskerrors import FULL, disk_fix, disk_refusal
from vcam.outspec import check_recording_name
from vcam.targets import MOST_LINKS, names_a_descriptor, replaced_file
from vcam.words import counted, shell_word, size_text
from vcam.writeback import write_back


def check_path(path: str, in_use: bool = True, verb: str = "record") -> None:
    """VcamError unless `path` can be recorded to: a file in a folder that exists and can be written, and (with
    `in_use`) not one another show is recording into now. Checked when the show starts: the file itself is made at
    the first frame, on air. `verb` is what a disk's fix says to do elsewhere (record, render), as it says on air."""
    if path == "-":  # standard output's word, said as such before whatever its folder would have said of a file
        check_recording_name(path)
    if os.path.isdir(path):
        raise VcamError(f"cannot record to {path}: it is a folder",
                        f"name a file in it, like {shell_word('file:' + os.path.join(path, 'show.mp4'))}")
    if path.endswith(os.sep) or (os.altsep and path.endswith(os.altsep)):
        # a folder not made yet: its parent exists, and opening the name failed on air as "Is a directory"
        where = os.path.abspath(path)
        bare = path.rstrip(os.sep + (os.altsep or ""))
        if os.path.islink(where):  # a link to a USB stick not mounted: creating the folder would fail, it exists
            raise VcamError(f"cannot record to {path}: {where} is a link to {os.readlink(where)}, which is not there",
                            "mount or plug in what it points to, or name a file in a folder that is there")
        if os.path.exists(where):  # take.mp4/, a slash typed after a file
            raise VcamError(f"cannot record to {path}: it names a folder, and {where} is a file",
                            f"leave out the trailing {path[-1]}: {shell_word('file:' + bare)}")
        raise VcamError(f"cannot record to {path}: it names a folder, and folder {where} does not exist",
                        f"create it and name a file in it, like {shell_word('file:' + os.path.join(bare, 'show.mp4'))}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        _refuse_missing_folder(path, folder)
        # the line to paste, as the folder's name is read by a shell (`~/My Takes`); -p for its own missing parents
        raise VcamError(f"cannot record to {path}: folder {folder} does not exist",
                        f"create it ({make_folder(folder)}) or pick another path")
    # only a file to be made needs its folder written: the take is written in place, through a link to where it
    # leads, so a writable file (or a link to one on another disk) in a folder this user may not write is recorded
    if not os.path.lexists(path) and not os.access(folder, os.W_OK):
        raise VcamError(f"cannot record to {path}: folder {folder} is not writable", "pick another path")
    check_recording_name(path)
    if in_use:
        _refuse_one_being_recorded(path)
    if os.path.islink(path) and not os.path.exists(path):
        _refuse_a_loop_of_links(path)
        _check_link_target(path, verb)
    else:
        _try_making(path, folder, verb)


def _refuse_missing_folder(path: str, folder: str) -> None:
    """VcamError where `folder` cannot be made, its path going through a file or a link that leads nowhere (to a
    USB stick not mounted): `mkdir -p`, offered, failed there as "File exists"."""
    there = folder
    while not os.path.lexists(there) and os.path.dirname(there) != there:
        there = os.path.dirname(there)
    if os.path.isdir(there):
        return
    if os.path.islink(there) and not os.path.exists(there):
        raise VcamError(f"cannot record to {path}: {there} is a link to {os.readlink(there)}, which is not there",
                        "mount or plug in what it points to, or pick another path")
    raise VcamError(f"cannot record to {path}: {there} is a file, not a folder", "pick another path")


def make_folder(folder: str) -> str:
    """The command that makes `folder` and the folders it is in, as it is pasted into this system's shell."""
    if os.name == "nt":  # cmd's mkdir makes the folders a path goes through; it takes no -p
        return f'mkdir "{folder}"'
    return f"mkdir -p {shell_word(folder)}"


def _refuse_a_loop_of_links(path: str) -> None:
    """VcamError where the links `path` leads through come back round (`ln -s b.mp4 a.mp4; ln -s a.mp4 b.mp4`): it
    passed the start and failed on air with a bare "[Errno 40] Too many levels of symbolic links"."""
    try:
        os.stat(path)
    except OSError as e:
        if e.errno != errno.ELOOP:
            return
    else:
        return
    where = os.path.abspath(path)
    chain, seen = [path], {where}
    for _ in range(MOST_LINKS):  # the loop named as far as it comes round, or as far as the system follows links
        try:
            where = os.path.normpath(os.path.join(os.path.dirname(where), os.readlink(where)))
        except OSError:
            break
        chain.append(where)
        if where in seen:
            break
        seen.add(where)
    raise VcamError(f"cannot record to {path}: its links lead round in a loop ({' -> '.join(chain)})",
                    f"remove {shell_word(path)} and name the file to record to, or pick another path")


def _check_link_target(path: str, verb: str) -> None:
    """VcamError unless the file a link that leads nowhere yet (take.mp4 into a USB stick's folder) can be made
    where it leads: with the stick not mounted, the recording failed on air with a bare "[Errno 2]", its take lost."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise VcamError(f"cannot record to {path}: it is a link to {target}, whose folder {folder} does not exist",
                        "mount the disk it is on or create the folder, or pick another path")
    _try_making(target, folder, verb)


# What a file name was refused for, where the folder takes files: a fix of the name, not of the folder
_NAME_REFUSED = {
    errno.ENAMETOOLONG: "give the recording a shorter name (255 bytes at most on most disks)",
    # a USB stick's FAT or exFAT takes no : * ? " < > | in a name (a time of day, 21:30, written into it)
    errno.EINVAL: 'give the recording a name of letters, digits, - and _ (no : * ? " < > |)',
    errno.EILSEQ: "give the recording a name this disk takes (a USB stick's FAT takes only some letters)",
}


def _try_making(path: str, folder: str, verb: str = "record") -> None:
    """VcamError where the file cannot be made or written after all, which the folder's permissions do not tell:
    /proc and /sys (even as root), a read-only mount, a file that refuses writing. It failed on air with a bare
    "[Errno 2]". A file made to find out is removed at once: the recording makes it at its first frame."""
    made = not os.path.lexists(path)
    if not made and not os.path.isfile(path):  # /dev/null, a named pipe: opened as they are, on air
        return
    _refuse_a_full_disk(path, folder, made, verb)
    try:
        fd = os.open(path, os.O_WRONLY | (os.O_CREAT | os.O_EXCL if made else os.O_APPEND), 0o666)
    except FileExistsError:  # made by someone else this instant: what it is is checked when it opens
        return
    except OSError as e:
        if e.errno in _NAME_REFUSED:  # the disk can be written, this name cannot
            raise VcamError(f"cannot record to {path}: the disk in {folder} takes no file of this name "
                            f"({e.strerror})", _NAME_REFUSED[e.errno]) from None
        if (room := disk_refusal(e, path, verb)) is not None and room.filled:
            raise VcamError(f"cannot record to {path}: {room.what} ({e.strerror})", room.fix) from None
        if made:
            raise VcamError(f"cannot record to {path}: no file can be made in {folder} ({e.strerror})",
                            "pick a folder on a disk that can be written") from None
        raise VcamError(f"cannot record to {path}: the file cannot be written ({e.strerror})",
                        "let vcam write it (chmod u+w) or pick another path") from None
    os.close(fd)
    if made:
        os.unlink(path)


# Bytes free under which a disk is full for a recording: the header and first fragments of a small take. Not more:
# vcam run --model tiny --duration 10 records some 350 kB, so a disk with 900 kB free takes a short take at a small
# size, and refusing it would stop a show that works.
FULL_BELOW = 64_000
# The longest an MP4 sample may last, in its track's time-scale units: FFmpeg's MP4 muxer keeps durations in 32 bits
MP4_LONGEST_SAMPLE = 2**31 - 1


def _refuse_a_full_disk(path: str, folder: str, made: bool, verb: str) -> None:
    """VcamError where the disk the recording goes to has (next to) no room, counting the older take it replaces:
    an empty file could still be made there, so the start let it through, and the recording failed at its first
    frame on air, holding none. An older file is asked for its own disk: a link to it (/dev/stdout to a file, a
    take.mp4 linked onto another disk) may lead off the disk of the folder it is named in."""
    try:
        st = os.statvfs(folder if made else path)
        older = None if made else os.stat(path)
    except (OSError, AttributeError):  # no statvfs (Windows): the first frame says it
        return
    if not st.f_blocks:  # a file system that gives no size (some FUSE and network mounts) says nothing of its room
        return
    # root may write the blocks a disk keeps back for it (ext4's 5%), which f_bavail leaves out
    blocks = st.f_bfree if getattr(os, "geteuid", lambda: None)() == 0 else st.f_bavail
    freed = older.st_size if older is not None and older.st_nlink == 1 else 0  # another name keeps a linked file's room
    free = blocks * st.f_frsize + freed
    if free < FULL_BELOW:
        where = path if made else os.path.realpath(path)
        raise VcamError(f"cannot record to {path}: {FULL} ({size_text(free)} free in "
                        f"{os.path.dirname(os.path.abspath(where))})", disk_fix(where, f"{verb} to another disk"))


def _refuse_one_being_recorded(path: str) -> None:
    """VcamError when another show records into `path` now: both writing one file left neither take playable, and
    the first show's end still claimed all its frames. Each recording holds a lock on its file (`_take_file`)."""
    if held_by_another(path):
        raise _busy(path)


def held_by_another(path: str) -> bool:
    """Whether another show writes the plain file at `path` now (a recording, a control log: each holds a lock on
    its file while it writes it)."""
    return filelock.written_now(path)  # a look that a second show looking at the same moment does not refuse


def _take_file(path: str) -> int | None:
    """A descriptor holding the lock on `path` (made if need be) for as long as the recording writes it: taken
    before the encoder truncates the file, so a show that comes second never empties another's take. VcamError
    when another show holds it; None where there are no such locks (Windows, whose open files refuse a second
    writer themselves), and for a file that is no plain one (/dev/null, a named pipe)."""
    if not filelock.available() or _is_pipe(path):
        # a named pipe opened to be locked was a writer its reader saw come and go: the end of its input, at once
        return None
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)  # read too: a take deleted on air is read back from it
    taken = filelock.take(fd)
    if taken is None:  # /dev/null, a named pipe: many may write, nothing to keep whole
        os.close(fd)
        return None
    if not taken:
        os.close(fd)
        raise _busy(path)
    return fd


def _is_pipe(path: str) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except OSError:  # not there yet (the usual case)
        return False


def _open_pipe(path: str):
    """The writing end of the named pipe at `path` (file:PIPE.mp4 for a program reading the take as it is made), or
    None where `path` is no pipe. Opened here without waiting: FFmpeg's own open waited for a reader with the
    interpreter held, and the whole show froze (camera, --duration, Ctrl-C, SIGTERM) until it was killed."""
    if not _is_pipe(path):
        return None
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as e:
        if e.errno != errno.ENXIO:  # ENXIO: no reader has it open
            raise
        raise VcamError(f"cannot record to {path}: no program reads this named pipe",
                        f"start the program that reads it (ffmpeg -i {shell_word(path)} ...) before the show goes on "
                        "air, or record to a file") from None
    os.set_blocking(fd, True)  # a reader that falls behind holds this output only, on its own thread
    return os.fdopen(fd, "wb", buffering=0)


def _busy(path: str) -> VcamError:
    return VcamError(f"cannot record to {path}: another show is recording into it now",
                     "give this one a file of its own (--out file:NAME.mp4), or stop the other show first")


class Recording:
    def __init__(self, path: str, width: int, height: int, fps: float, crf: int = 20, check_in_use: bool = True):
        if width % 2 or height % 2:
            raise VcamError(f"recording size {width}x{height} must be even in both directions for H.264",
                            f"use {shell_word(f'file:{path}@{width - width % 2}x{height - height % 2}')}")
        check_path(path, check_in_use)
        # PyAV's import loads FFmpeg's libraries for about a second with the interpreter held: done now, before the
        # show, not at the first frame on air, where it stalled the camera's ticks (a second missing at the start)
        importlib.import_module("av")
        self.path = os.path.abspath(path)  # said at the end: where a relative path went
        self.verb = "record"  # what a disk's fix at the close says to do elsewhere: a render's file says render
        self.name = f"file:{path}"
        self.size = (width, height)
        self.fps = fps
        self.crf = crf
        self.frames = 0
        self._container = None
        self._stream = None
        self._first_tick: int | None = None
        self._last_pts = -1
        self._last_frame = None  # the last frame encoded (its own copy), shown again across a long gap
        self._most_ticks: int | None = None  # _longest_gap's answer, fixed once the header is written
        # the camera's ticks repeat a frame between generated ones and for all of a stall or a freeze: the array
        # last sent, whose encoder-ready copy (_last_frame) is encoded again as it is, not copied and converted anew
        self._last_array: np.ndarray | None = None
        self.conversions = 0  # frames copied and converted for the encoder (a repeated one is not)
        self._reformatter = None  # kept, as the encoder keeps its own: each frame's own set swscale up anew
        self._rate = Fraction(1)
        self._write_failed = False  # a frame's write raised: the worker said so, and the close need not again
        self._lock: int | None = None
        self._pipe = None  # the writing end of a named pipe recorded into, opened by vcam, not FFmpeg
        self._piped = False  # recorded into a named pipe: kept once _pipe is closed, for a broken pipe at the close
        # a take there already: said to be kept if this one never starts
        self._older = replaced_file(self.path) is not None
        self._opened = False
        self.note: str | None = None  # said at the end after the file's name: what became of a take deleted on air
        self._written_back = False  # self.path is a copy of the take, made as its file was deleted on air

    @property
    def kept_older(self) -> bool:
        """The file held an older take, and this recording never began, so it holds that take still."""
        return self._older and not self._opened

    def _open(self) -> None:
        import av

        self._lock = _take_file(self.path)
        self._opened = True
        try:
            self._pipe = _open_pipe(self.path)
            self._piped = self._pipe is not None
            container = av.open(
                self._pipe or self.path, "w", format="mp4",
                options={"movflags": "frag_keyframe+empty_moov+default_base_moof", "flush_packets": "1"},
            )
            try:
                rate = self._rate = Fraction(self.fps).limit_denominator(1001)
                stream = container.add_stream("libx264", rate=rate)
                stream.width, stream.height = self.size
                stream.pix_fmt = "yuv420p"
                stream.time_base = 1 / rate
                # zerolatency: no frames held back in the encoder, so what was sent is what a crash leaves behind
                stream.options = {"preset": "veryfast", "tune": "zerolatency", "crf": str(self.crf),
                                  "g": str(max(1, round(self.fps)))}
            except BaseException:  # an FFmpeg without libx264: the close has no stream to flush
                container.close()
                raise
        except BaseException:
            self._release()
            raise
        self._container, self._stream = container, stream

    def send(self, frame: np.ndarray, tick: int) -> None:
        import av

        if self._container is None:
            self._open()
            self._first_tick = tick
        pts = tick - self._first_tick
        if pts <= self._last_pts:  # a tick can only be recorded once
            return
        if self._last_frame is not None:
            self._bridge(pts)
        if frame is self._last_array:
            self._encode(self._last_frame, pts)
            return
        self._encode(self._converted(_wrapped(av, frame)), pts)
        self._last_array = frame

    def _converted(self, vf):
        """`vf` in the encoder's own pixel format, converted as its encode would (the same swscale call), so what
        is recorded is the same to the bit."""
        from av.video.reformatter import VideoReformatter

        self.conversions += 1
        if self._reformatter is None:
            self._reformatter = VideoReformatter()
        s = self._stream
        return self._reformatter.reformat(vf, s.width, s.height, s.codec_context.format,
                                          threads=s.codec_context.thread_count)

    def _bridge(self, pts: int) -> None:
        """Shows the last frame again where the ticks skipped would leave a gap no MP4 sample can last: 2^31 units
        of the track's time scale, 20 h at 29.97 fps (a show stopped with Ctrl-Z over a day, or a Windows machine
        asleep: the monotonic clock of Linux and macOS stops in a suspend, so theirs leaves no gap). FFmpeg put the
        next frame one unit after the last, and the rest of the take that much early: it no longer kept real time.
        One frame again per 2.5 to 60 h of the gap, as the time scale is: a gap of a day costs a few frames' writing."""
        if self._most_ticks is None:  # Fraction arithmetic, 30 times a second under the GIL, for a constant
            self._most_ticks = self._longest_gap()
        most = self._most_ticks
        while pts - self._last_pts > most:
            self._encode(self._last_frame, self._last_pts + most)

    def _longest_gap(self) -> int:
        """The most ticks one frame may stay on in the file: the muxer's time base, set once it wrote the header
        (at the first frame: zerolatency holds none back), counts 2^31 - 1 units at most."""
        return max(1, math.floor(MP4_LONGEST_SAMPLE * Fraction(self._stream.time_base) * self._rate))

    def _encode(self, vf, pts: int) -> None:
        vf.pts = pts
        try:
            for packet in self._stream.encode(vf):
                self._container.mux(packet)
        except OSError as e:
            self._write_failed = True
            # what the file holds now, said at once: counted by the frames encoded, a disk that filled before the
            # first fragment was said as a file that plays, and the end then said it held no frame
            if os.path.isfile(self.path):  # not /dev/full or a named pipe, whose reading would take the frames
                self.frames = min(self.frames, frames_held(self.path) or 0)
            raise self._reader_gone(e) or e from None
        self._last_pts, self._last_frame = pts, vf
        self.frames += 1

    def _reader_gone(self, error: OSError) -> VcamError | None:
        """A named pipe's reader that quit or closed it mid-take, said as that: Python's '[Errno 32] Broken pipe'
        named neither the pipe nor what became of its reader."""
        if self._piped and isinstance(error, BrokenPipeError):
            return VcamError("the program reading this pipe went away (it quit or closed the pipe)")
        return None

    def close(self) -> None:
        """Writes the last fragment and closes the file; VcamError when frames that were encoded are not in it.
        FFmpeg does not report a write that fails while the file is closed (a disk that fills with the last
        fragment): the recording lost its end, or all of it, and nothing was said."""
        try:
            self._close()
        except BrokenPipeError as e:  # the last fragment, sent to a pipe's reader that has gone
            raise self._reader_gone(e) or e from None

    def _close(self) -> None:
        if self._container is None:
            return
        encoded, held, seen = self.frames, None, None
        try:
            try:
                for packet in self._stream.encode(None):
                    self._container.mux(packet)
            finally:
                self._container.close()
        except OSError as e:  # the last fragment's write, where FFmpeg says it: said with what it lost, if it lost any
            seen = e
        finally:
            self._container = None
            self._write_back_if_deleted()
            self._follow_if_moved()
            # not /dev/null or a pipe, which keep nothing to count or cut, nor another file that has taken the name
            # of a take moved away (where /proc could not say where to)
            if os.path.isfile(self.path) and self._holds_take(self.path):
                # what the file holds, said at the end: after a full disk, fewer than were encoded (the fragment
                # being written, and the frames muxed for the next one, are not in it: whole fragments are counted)
                held = frames_held(self.path)
                cut_partial_fragment(self.path)
                if held is not None:
                    self.frames = min(self.frames, held)
            self._release()
        if held is not None and held < encoded and not self._write_failed:
            raise self._lost_at_close(encoded - held, seen)
        if seen is not None:
            raise seen

    def _release(self) -> None:
        if self._pipe is not None:  # FFmpeg leaves a file it was given open
            try:
                self._pipe.close()
            except OSError:  # its reader gone: what was written is said already
                pass
            self._pipe = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _lost_at_close(self, lost: int, cause: OSError | None) -> VcamError:
        """The frames the last fragment lost, said with the cause its close reported (`cause`, an OSError); FFmpeg
        reports none for most writes that fail then, and where none is known the likely ones are said."""
        what = f"its last {counted(lost, 'frame')}" if self.frames else f"its {counted(lost, 'frame')}"
        kept = f"the {counted(self.frames, 'frame')} before play" if self.frames else "the file holds no picture"
        lost_here = f"{what} could not be written to {self.path} as it was closed"
        if (room := disk_refusal(cause, self.path, self.verb)) is not None:
            return VcamError(f"{lost_here}: {room.what}; {kept}", room.fix)
        if cause is not None:  # a cause no disk's words name: said in the system's
            return VcamError(f"{lost_here} ({cause.strerror or cause}); {kept}")
        return VcamError(f"{lost_here} (a full disk, or a limit on the file's size); {kept}",
                         disk_fix(self.path, f"{self.verb} to another disk"))

    def _write_back_if_deleted(self) -> None:
        """A take whose file was deleted while it was recorded (a file manager's clean-up, its folder removed) is
        still whole behind the descriptor held: it is written back under its name (its folder made again), beside
        it where another file has taken the name, or where its folder cannot take it in the current folder (then
        the temporary one), rather than lost with the descriptor while the end says it was recorded."""
        if self._lock is None or os.fstat(self._lock).st_nlink > 0:
            return
        if names_a_descriptor(self.path):
            # /dev/stdout's file is the one the shell sent it to, whose name is not known: written back under the
            # descriptor's name it went into /dev (/dev/stdout-recovered, as root), where no one looks for a take
            self.note = "the file it was sent to was deleted while recording: the take is lost with it"
            self.frames = 0
            return
        try:
            name = write_back(self._lock, self.path)
        except OSError as e:
            self.note = f"its file was deleted while recording and could not be written back ({e}): the take is lost"
            self.frames = 0
            return
        self.note = f"its file was deleted while recording: written back to {name}"
        folder = os.path.dirname(self.path)
        if os.path.dirname(name) != folder:  # the head names only where it went: the operator looks in `folder`
            self.note = (f"its file was deleted while recording and {folder} could not take it back: written back "
                         f"to {name} (move it where it belongs)")
        self.path, self._written_back = name, True

    def _follow_if_moved(self) -> None:
        """A take whose file was moved while it was recorded (renamed within its file system: the writes follow the
        file) is said, counted and cut where it is now, not at its old name, where the end said a file that was no
        longer there (or another file that has taken the name). Linux names a descriptor's file in /proc; without
        it the take is said at the name it was given."""
        if self._lock is None:
            return
        try:
            held = os.fstat(self._lock)
            if held.st_nlink == 0 or _same_file(self.path, held):  # deleted (written back), or where it was
                return
            where = os.readlink(f"/proc/self/fd/{self._lock}")
            if not os.path.isabs(where) or not _same_file(where, held):  # not a path this process can open
                return
        except OSError:
            return
        self.note = f"its file was moved while recording, from {self.path}"
        self.path = where

    def _holds_take(self, path: str) -> bool:
        """Whether `path` is the file this recording wrote, or its copy (True where no descriptor was kept to
        tell)."""
        return self._lock is None or self._written_back or _same_file(path, os.fstat(self._lock))


def _same_file(path: str, held: os.stat_result) -> bool:
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)


def frames_held(path: str) -> int | None:
    """The frames a fragmented MP4 holds in its whole fragments: the sample counts of their runs (moof/traf/trun).
    A fragment being written (a file still open, a write that failed) is not counted. None when the file cannot be
    read."""
    try:
        with open(path, "rb") as f:
            end = _whole_end(f)
            runs = [run for moof in inside(f, [(0, end)], b"moof")
                    for traf in inside(f, [moof], b"traf") for run in inside(f, [traf], b"trun")]
            total = 0
            for start, _ in runs:
                f.seek(start + 4)  # past the version and flags
                total += struct.unpack(">I", f.read(4))[0]
            return total
    except (OSError, struct.error):
        return None


def _whole_end(f) -> int:
    """Where the last whole fragment of the fragmented MP4 open in `f` ends (its size where it is no MP4 this class
    wrote): a fragment's header (moof) counts once the media after it is whole."""
    end = os.fstat(f.fileno()).st_size
    first = box(f, 0)
    if first is None or first[1] != b"ftyp":
        return end
    pos = keep = 0
    while pos < end:
        found = box(f, pos)
        if found is None:
            break
        size, kind, skip = found
        if size == 0:
            return end
        if size < skip or pos + size > end:
            break
        pos += size
        if kind != b"moof":
            keep = pos
    return keep


def cut_partial_fragment(path: str) -> int:
    """Cuts a fragmented MP4 back to the end of its last whole fragment; returns the bytes cut. A write that failed
    (a full disk) leaves part of a fragment at the end: players stop there, but decoders such as PyAV's raise on it,
    so a script reading the recording failed. Truncating frees space, so it works on the full disk too."""
    try:
        with open(path, "r+b") as f:
            end = os.fstat(f.fileno()).st_size
            keep = _whole_end(f)  # not an MP4 this class wrote: its size, left alone
            if keep < end:
                f.truncate(keep)
            return end - keep
    except OSError:
        return 0


def _wrapped(av, frame: np.ndarray):
    """`frame` as a PyAV frame for the conversion to the encoder's format. A C-contiguous array is wrapped, not
    copied: `from_ndarray` copies it holding the GIL (0.7 ms at 832x480, 30 times a second, taken from the
    generator's thread that launches the GPU's work). The wrapper lives only until the conversion has made the
    encoder's own frame (yuv420p, never rgb24: the recording keeps that frame, not the array)."""
    if frame.flags.c_contiguous:
        return av.VideoFrame.from_numpy_buffer(frame, format="rgb24")
    return av.VideoFrame.from_ndarray(frame, format="rgb24")
