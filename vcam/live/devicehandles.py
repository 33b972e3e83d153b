"""Which programs have a device open, and whether as its writer or a reader, read from their handles in /proc:
a camera output looks for the programs holding a loopback device, and a camera input for the show's own output."""
from __future__ import annotations

import glob
import os
import stat
from dataclasses import dataclass

# where the handles of this machine's programs are read; a model of the driver (tests) stands its own in
PROC = "/proc"
# Linux's device number for video4linux nodes (/dev/videoN, v4l2loopback's among them)
V4L2_MAJOR = 81


@dataclass(frozen=True)
class Holder:
    """A program that has a device open, and whether one of its handles on it is a writer's."""

    program: str  # its name, as /proc/PID/comm gives it
    pid: int
    writes: bool

    def __str__(self) -> str:
        return f"{self.program} (pid {self.pid})"


def _writes(program: str, flags: int) -> bool:
    """Whether a handle opened with `flags` is a writer's. Readers (OBS's video source, browsers, ffmpeg) open
    read-write; pyvirtualcam, and so another vcam, opens write-only. OBS's own virtual camera opens read-write too,
    but blocking, where OBS's video source always adds O_NONBLOCK. A writer that opens read-write (ffmpeg's v4l2
    output) looks like a reader."""
    mode = flags & os.O_ACCMODE
    return mode == os.O_WRONLY or (program == "obs" and mode == os.O_RDWR and not flags & os.O_NONBLOCK)


def _open_flags(pid_dir: str, fd: str) -> int | None:
    """The open flags of a handle, from the octal `flags:` line of /proc/PID/fdinfo/FD."""
    try:
        with open(os.path.join(pid_dir, "fdinfo", fd), encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def device_holders(device: str, proc: str = "/proc") -> list[Holder]:
    """The other programs that have `device` open, among those this user may look into. A handle whose flags
    cannot be read does not count as a writer's."""
    return _holders(device, proc, own=False)


def devices_holders(devices: list[str], proc: str = "/proc") -> dict[str, list[Holder]]:
    """device_holders for each of `devices`, from one walk through every program's handles (hundreds of programs on
    a desktop, walked once per device, took a second for eight devices)."""
    return _holders_of(devices, proc, own=False)


def writes_here(device: str, proc: str = "/proc") -> bool:
    """Whether this process writes to `device` (another camera output of the show sends to it)."""
    return any(h.writes for h in _holders(device, proc, own=True))


def is_video_node(device: str) -> bool:
    """Whether `device` is a video4linux node: by its device number where it is there, as a container may name one
    anything (docker run --device /dev/video10:/dev/cam0); by its name (videoN) where it cannot be looked at."""
    try:
        st = os.stat(device)
    except (OSError, ValueError):
        return os.path.basename(os.path.realpath(device)).startswith("video")
    return stat.S_ISCHR(st.st_mode) and os.major(st.st_rdev) == V4L2_MAJOR


def reads_here(device: str, proc: str = "/proc") -> bool:
    """Whether this process has `device` open without writing to it: the show's input camera (camera:/dev/videoN,
    which OpenCV opens read-write and non-blocking) reads it. Video nodes only: a show started with its standard
    input from /dev/null holds that open too."""
    if not is_video_node(device):
        return False
    return any(not h.writes for h in _holders(device, proc, own=True))


def _holders(device: str, proc: str, own: bool) -> list[Holder]:
    """The programs other than this process that have `device` open, or (`own`) this process where it has."""
    return _holders_of([device], proc, own)[device]


def _holders_of(devices: list[str], proc: str, own: bool) -> dict[str, list[Holder]]:
    """_holders for each of `devices`, walking the programs' handles once."""
    found: dict[str, list[Holder]] = {device: [] for device in devices}
    targets: dict[str, list[str]] = {}  # a device's real path: the names it was given by (a link, the node)
    for device in devices:
        try:
            targets.setdefault(os.path.realpath(device), []).append(device)
        except OSError:
            continue
    if not targets:
        return found
    # its own handles are all in its own directory: listing every program's (hundreds on a desktop) was wasted
    fd_dirs = [os.path.join(proc, str(os.getpid()), "fd")] if own else glob.glob(os.path.join(proc, "[0-9]*", "fd"))
    for fd_dir in sorted(fd_dirs):
        pid_dir = os.path.dirname(fd_dir)
        pid = int(os.path.basename(pid_dir))
        if (pid == os.getpid()) != own:
            continue
        try:
            links = os.listdir(fd_dir)
        except OSError:  # another user's process, or gone
            continue
        flags: dict[str, list[int | None]] = {}
        for fd in links:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target in targets:
                flags.setdefault(target, []).append(_open_flags(pid_dir, fd))
        if not flags:
            continue
        try:
            with open(os.path.join(pid_dir, "comm"), encoding="utf-8", errors="replace") as f:
                program = f.read().strip()
        except OSError:  # gone meanwhile
            continue
        for target, held in flags.items():
            holder = Holder(program, pid, any(f is not None and _writes(program, f) for f in held))
            for device in targets[target]:
                found[device].append(holder)
    return found
