"""v4l2loopback's writer bookkeeping, modelled at the system-call layer (open, ioctl, write, close).

Read from v4l2loopback.c at v0.12.7 (what Debian 12 and Ubuntu 24.04 ship) and v0.13.2. The camera's reset talks to
a `Machine` through its `calls`; `LoopbackBackend` is a pyvirtualcam backend that writes into the same machine the
way pyvirtualcam 0.15's own v4l2loopback backend does (virtual_output.h), so a test can run vcam's camera against a
device that behaves like the real driver. Of the V4L2 core's own argument checks one is kept: G_FMT and S_FMT on
the output fail with EINVAL while the device's stored caps (the latest QUERYCAP's answer, with exclusive_caps=1)
name neither capture nor output (check_fmt). The others are left out: none of them marks a handle or gives output
back. Beside the devices, a machine shows what the kernel shows vcam about them: the module's
version file (sysfs) and, in a directory laid out like /proc, each program's open handles with their open flags;
in a directory laid out like /sys, each virtual node's attributes and the module's parameters.
"""
from __future__ import annotations

import errno
import os
import re
import struct
import sys
import types
from dataclasses import dataclass, field

import numpy as np

# Written out here, apart from vcam's own arithmetic, so that a wrong number there fails the tests.
VIDIOC_QUERYCAP = 0x80685600  # _IOR('V', 0, struct v4l2_capability): 104 bytes
VIDIOC_G_FMT = 0xC0D05604  # _IOWR('V', 4, struct v4l2_format): 208 bytes on 64 bits
VIDIOC_S_FMT = 0xC0D05605  # _IOWR('V', 5, struct v4l2_format)
VIDIOC_STREAMON = 0x40045612  # _IOW('V', 18, int)
VIDIOC_STREAMOFF = 0x40045613  # _IOW('V', 19, int)
NAMES = {VIDIOC_QUERYCAP: "QUERYCAP", VIDIOC_G_FMT: "G_FMT", VIDIOC_S_FMT: "S_FMT", VIDIOC_STREAMON: "STREAMON",
         VIDIOC_STREAMOFF: "STREAMOFF"}
CAPTURE, OUTPUT = 1, 2  # enum v4l2_buf_type
CAP_VIDEO_CAPTURE, CAP_VIDEO_OUTPUT = 0x1, 0x2
CAP_READWRITE, CAP_STREAMING, CAP_DEVICE_CAPS = 0x01000000, 0x04000000, 0x80000000
UNNEGOTIATED, READER, WRITER = 0, 1, 2  # enum opener_type
BITS = {b"YU12": 12, b"NV12": 12, b"YUYV": 16, b"UYVY": 16, b"GREY": 8}  # V4L2 pixel formats pyvirtualcam sets
PIX = struct.Struct("IIII4sIII")  # struct v4l2_format's type, its union's 8-alignment, then v4l2_pix_format's start
BUFFERS = 2  # max_buffers' default


@dataclass
class PixFormat:
    """What a device's format holds that a writer's frames must match: their size and layout."""

    width: int = 0
    height: int = 0
    pixelformat: bytes = b"YU12"

    @property
    def sizeimage(self) -> int:
        return self.width * self.height * BITS.get(self.pixelformat, 16) // 8


@dataclass
class Opener:
    """One open file of a device (struct v4l2_loopback_opener), the program that opened it and its open flags."""

    program: str
    flags: int = os.O_RDWR
    type: int = UNNEGOTIATED


class Loopback0127:
    """A v4l2loopback 0.12.7 device.

    With exclusive_caps=1 it advertises output only while `ready_for_output`. The format a writer sets holds while
    any handle keeps the device open (keep_format off): a later S_FMT succeeds but leaves it as it is, and a size over
    max_width x max_height is cut down to it, both without an error; buffers allocated at one size cannot be made
    again at another while another handle is open (EINVAL). A handle becomes a writer only by
    VIDIOC_STREAMON on the output, and it is marked before the buffers are allocated, so even a STREAMON that fails
    (EINVAL when no open handle keeps buffers) counts; only a writer's close gives output back. write() takes output
    away without making its handle a writer: after a program that only writes (pyvirtualcam) closes, the device
    refuses output for good. G_FMT and STREAMOFF change nothing.
    """

    driver = b"v4l2 loopback"
    virtual = True  # its nodes sit under /sys/devices/virtual/video4linux
    card_label = "Dummy video device (0x0000)"
    max_openers = 10
    sysfs_version = None  # /sys/module/v4l2loopback/version: MODULE_VERSION came with 0.13

    def __init__(self, exclusive_caps: bool = True, max_width: int = 8192, max_height: int = 8192):
        self.announce_all_caps = not exclusive_caps
        self.max_width, self.max_height = max_width, max_height
        self.ready_for_output = 1
        self.ready_for_capture = 0
        self.buffer_size = 0
        self.imagesize = 0
        self.pix_format = PixFormat()
        self.open_count = 0
        self.frames: list[bytes] = []
        # video_device.device_caps: all at registration, then whatever the latest QUERYCAP (anyone's) answered
        self.device_caps = CAP_VIDEO_CAPTURE | CAP_VIDEO_OUTPUT | CAP_STREAMING | CAP_READWRITE

    def caps(self) -> int:
        caps = CAP_STREAMING | CAP_READWRITE
        if self.announce_all_caps:
            return caps | CAP_VIDEO_CAPTURE | CAP_VIDEO_OUTPUT
        if self.ready_for_capture:
            caps |= CAP_VIDEO_CAPTURE
        if self.ready_for_output:
            caps |= CAP_VIDEO_OUTPUT
        return caps

    def open(self, opener: Opener) -> int:
        if self.open_count >= self.max_openers:
            return -errno.EBUSY
        self.open_count += 1
        return 0

    def allocate_buffers(self) -> int:
        if self.buffer_size == 0:
            return -errno.EINVAL
        if self.imagesize and self.imagesize != self.buffer_size * BUFFERS:
            if not self.may_reallocate():
                return -errno.EINVAL
            self.imagesize = 0
        self.imagesize = self.buffer_size * BUFFERS
        return 0

    def may_reallocate(self) -> bool:
        return self.open_count == 1

    def try_free_buffers(self) -> None:
        if self.open_count == 0:  # keep_format off
            self.ready_for_capture = 0
            self.buffer_size = 0
            self.imagesize = 0

    def g_fmt_out(self, opener: Opener) -> PixFormat | int:
        return self.pix_format

    def fill(self, asked: PixFormat) -> PixFormat:
        width = min(asked.width, self.max_width) or 640
        height = min(asked.height, self.max_height) or 480
        return PixFormat(width, height, asked.pixelformat if asked.pixelformat in BITS else b"YU12")

    def s_fmt_out(self, opener: Opener, asked: PixFormat) -> PixFormat | int:
        if self.ready_for_capture:  # a format is negotiated: try_fmt_out hands it back unchanged
            return self.pix_format
        self.pix_format = self.fill(asked)
        self.buffer_size = -(-self.pix_format.sizeimage // 4096) * 4096
        ret = self.allocate_buffers()
        return ret if ret < 0 else self.pix_format

    def take_output(self) -> int:
        """What STREAMON on the output and write() both start with: output is taken away, and the buffers are
        allocated where the device has none yet."""
        self.ready_for_output = 0
        if not self.ready_for_capture:
            ret = self.allocate_buffers()
            if ret < 0:
                return ret
            self.ready_for_capture = 1
        return 0

    def streamon(self, opener: Opener, buf_type: int) -> int:
        if buf_type == OUTPUT:
            opener.type = WRITER  # before the allocation: a STREAMON that fails still makes a writer
            return self.take_output()
        if buf_type == CAPTURE:
            opener.type = READER
            return 0 if self.ready_for_capture else -errno.EIO
        return -errno.EINVAL

    def streamoff(self, opener: Opener, buf_type: int) -> int:
        return 0

    def write(self, opener: Opener, data: bytes) -> int:
        ret = self.take_output()
        if ret < 0:
            return ret
        self.frames.append(data[: self.buffer_size])
        return min(len(data), self.buffer_size)

    def close(self, opener: Opener) -> None:
        self.open_count -= 1
        self.try_free_buffers()
        if opener.type == WRITER:
            self.ready_for_output = 1

    def format_fixed(self) -> bool:
        """Whether the sysfs format attribute shows the format (attr_show_format), else it is empty."""
        return bool(self.ready_for_capture)


class Loopback013(Loopback0127):
    """A v4l2loopback 0.13.2 device: write() on a fresh handle goes through STREAMON (so a writing program is a
    writer and gives output back on close), STREAMON marks the handle only after the buffers are allocated, writers
    and one streaming reader are counted, and STREAMOFF on the output takes a writer off that count. While a writer
    has been counted (a closed one stays counted) or a reader streams, the format is fixed: an S_FMT that would
    change it fails with EBUSY."""

    sysfs_version = "0.13.2"

    def __init__(self, exclusive_caps: bool = True, max_width: int = 8192, max_height: int = 8192):
        super().__init__(exclusive_caps, max_width, max_height)
        self.active_readers = 0

    def may_reallocate(self) -> bool:
        return self.ready_for_capture + self.active_readers <= 1

    def s_fmt_out(self, opener: Opener, asked: PixFormat) -> PixFormat | int:
        # inner_try_setfmt: a fixed format is handed back; only a writer makes another one (compared as asked,
        # before max_width/max_height cut it down) an EBUSY, so with a streaming reader alone S_FMT succeeds
        if self.ready_for_capture > 0 or self.active_readers > 0:
            changes = (asked.width, asked.height, asked.pixelformat) != (
                self.pix_format.width, self.pix_format.height, self.pix_format.pixelformat)
            return -errno.EBUSY if changes and self.ready_for_capture > 0 else self.pix_format
        return super().s_fmt_out(opener, asked)

    def streamon(self, opener: Opener, buf_type: int) -> int:
        if buf_type == OUTPUT:
            if not self.ready_for_capture:
                ret = self.allocate_buffers()
                if ret < 0:
                    return ret
            opener.type = WRITER
            self.ready_for_output = 0
            self.ready_for_capture += 1
            return 0
        if buf_type == CAPTURE:
            if not self.ready_for_capture:
                return -errno.EIO
            if self.active_readers > 0:
                return -errno.EBUSY
            opener.type = READER
            self.active_readers += 1
            return 0
        return -errno.EINVAL

    def streamoff(self, opener: Opener, buf_type: int) -> int:
        if buf_type == OUTPUT:
            if self.ready_for_capture > 0:
                self.ready_for_capture -= 1
            return 0
        if buf_type == CAPTURE:
            if opener.type == READER:
                opener.type = UNNEGOTIATED
                self.active_readers -= 1
            return 0
        return -errno.EINVAL

    def write(self, opener: Opener, data: bytes) -> int:
        if opener.type == UNNEGOTIATED and self.ready_for_output:
            ret = self.streamon(opener, OUTPUT)
            if ret < 0:
                return ret
        if opener.type != WRITER:
            return -errno.EINVAL
        if not self.ready_for_capture:  # a writer that sent STREAMOFF writes on: counted again
            ret = self.allocate_buffers()
            if ret < 0:
                return ret
            self.ready_for_capture = 1
        self.frames.append(data[: self.buffer_size])
        return min(len(data), self.buffer_size)

    def close(self, opener: Opener) -> None:
        super().close(opener)
        if opener.type == READER:
            self.active_readers -= 1

    def format_fixed(self) -> bool:  # V4L2LOOPBACK_IS_FIXED_FMT, keep_format off
        return self.ready_for_capture > 0 or self.active_readers > 0


class NeverGivesBack(Loopback0127):
    """A build no reset knows: once refused, output stays refused until the module is reloaded."""

    def close(self, opener: Opener) -> None:
        self.open_count -= 1
        self.try_free_buffers()


class Webcam:
    """A real camera (uvcvideo): capture only, and nothing vcam sends changes that."""

    driver = b"uvcvideo"
    virtual = False  # under its USB device in sysfs, not among the virtual nodes
    card_label = "HD Webcam"

    def __init__(self):
        self.frames: list[bytes] = []

    def caps(self) -> int:
        return CAP_VIDEO_CAPTURE | CAP_STREAMING

    def open(self, opener: Opener) -> int:
        return 0

    def g_fmt_out(self, opener: Opener) -> PixFormat | int:
        return -errno.EINVAL

    def s_fmt_out(self, opener: Opener, asked: PixFormat) -> PixFormat | int:
        return -errno.EINVAL

    def streamon(self, opener: Opener, buf_type: int) -> int:
        return 0 if buf_type == CAPTURE else -errno.EINVAL

    streamoff = streamon

    def write(self, opener: Opener, data: bytes) -> int:
        return -errno.EINVAL

    def close(self, opener: Opener) -> None:
        pass


class Akvcam(Webcam):
    """Another virtual camera driver's output device: takes frames, but not v4l2loopback's, and has a virtual node."""

    driver = b"akvcam"
    virtual = True
    card_label = "AkVCam Output"

    def caps(self) -> int:
        return super().caps() | CAP_VIDEO_OUTPUT


class ControlDevice(Webcam):
    """A node that is no video device at all: v4l2loopback's own control device (/dev/v4l2loopback, since 0.13.0;
    0.12.7 has none), whose ioctl answers every V4L2 request with ENOSYS (its `default:` case); /dev/null or a sound
    card likewise answer none (ENOTTY)."""

    driver = b""
    virtual = False  # /sys/devices/virtual/misc, not among the video4linux nodes
    card_label = ""
    video = False  # the machine answers its ioctls with `refusal`
    refusal = errno.ENOSYS


FROM_DEVICES = "the version of its loopback devices"


@dataclass
class Machine:
    """Device nodes and the open files on them, with a log of every ioctl: (program, path, request name, type).

    `program` is who opens a file when none is named: vcam itself by default (this process, which vcam's look into
    /proc skips), or, set to "NAME (pid N)", another running program. With `proc`, every open file shows there as
    /proc does it: PID/comm, PID/fd/FD linking to the device, PID/fdinfo/FD with the octal open flags. With `sysfs`,
    each virtual node shows there as sysfs does it, kept up to date after every call: its name (the card label), and
    for a v4l2loopback node its max_openers and its format (empty unless the format is fixed); and the module's
    max_width and max_height parameters."""

    devices: dict
    proc: str | None = None
    sysfs: str | None = None
    program: str = "vcam"
    version: str | None = FROM_DEVICES  # what /sys/module/v4l2loopback/version holds, None for no such file
    hidden: set = field(default_factory=set)  # programs /proc does not show vcam (another user's)
    denied: set = field(default_factory=set)  # device nodes this user may not open (not in the video group)
    handles: dict = field(default_factory=dict)
    log: list = field(default_factory=list)
    next_fd: int = 1000

    def __post_init__(self):
        self._show_sysfs()

    def _show_sysfs(self) -> None:
        if self.sysfs is None:
            return
        loopbacks = [d for d in self.devices.values() if d.driver == b"v4l2 loopback"]
        if loopbacks:
            params = os.path.join(self.sysfs, "module", "v4l2loopback", "parameters")
            os.makedirs(params, exist_ok=True)
            for name in ("max_width", "max_height"):
                _write(os.path.join(params, name), f"{getattr(loopbacks[0], name)}\n")
        for path, device in self.devices.items():
            if not device.virtual:
                continue
            node = os.path.join(self.sysfs, "devices", "virtual", "video4linux", os.path.basename(path))
            os.makedirs(node, exist_ok=True)
            _write(os.path.join(node, "name"), device.card_label + "\n")
            if device.driver == b"v4l2 loopback":
                fmt = device.pix_format
                _write(os.path.join(node, "max_openers"), f"{device.max_openers}\n")
                _write(os.path.join(node, "format"), f"{fmt.pixelformat.decode()}:{fmt.width}x{fmt.height}@30\n"
                       if device.format_fixed() else "")

    @property
    def calls(self):
        """What vcam's reset takes as its system calls (vcam.live.outputs.v4l2loopback.DeviceCalls)."""
        return types.SimpleNamespace(open=self.open, ioctl=self.ioctl, close=self.close,
                                     module_version=self.module_version,
                                     proc=self.proc or os.path.join(os.sep, "nonexistent", "proc"),
                                     sysfs=self.sysfs or os.path.join(os.sep, "nonexistent", "sys"))

    def module_version(self) -> str | None:
        if self.version != FROM_DEVICES:
            return self.version
        return next((d.sysfs_version for d in self.devices.values() if hasattr(d, "sysfs_version")), None)

    def open(self, path: str, flags: int = os.O_RDWR, program: str | None = None) -> int:
        if path not in self.devices:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        if path in self.denied and program is None:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), path)
        opener = Opener(program or self.program, flags)
        ret = self.devices[path].open(opener)
        if ret < 0:
            raise OSError(-ret, os.strerror(-ret), path)
        fd, self.next_fd = self.next_fd, self.next_fd + 1
        self.handles[fd] = (path, opener)
        self._show(fd, path, opener)
        self._show_sysfs()
        return fd

    def _pid_dir(self, program: str) -> tuple[str, str]:
        named = re.fullmatch(r"(.+) \(pid (\d+)\)", program)
        name, pid = (named[1], named[2]) if named else (program, str(os.getpid()))
        return os.path.join(self.proc, pid), name

    def _show(self, fd: int, path: str, opener: Opener) -> None:
        if self.proc is None or opener.program in self.hidden:
            return
        pid_dir, name = self._pid_dir(opener.program)
        for sub in ("fd", "fdinfo"):
            os.makedirs(os.path.join(pid_dir, sub), exist_ok=True)
        with open(os.path.join(pid_dir, "comm"), "w") as f:
            f.write(name + "\n")
        os.symlink(path, os.path.join(pid_dir, "fd", str(fd)))
        with open(os.path.join(pid_dir, "fdinfo", str(fd)), "w") as f:  # O_LARGEFILE, as on 64 bits
            f.write(f"pos:\t0\nflags:\t0{opener.flags | 0o100000:o}\nmnt_id:\t25\nino:\t{1000 + fd}\n")

    def _hide(self, fd: int, opener: Opener) -> None:
        if self.proc is None or opener.program in self.hidden:
            return
        pid_dir, _ = self._pid_dir(opener.program)
        os.remove(os.path.join(pid_dir, "fd", str(fd)))
        os.remove(os.path.join(pid_dir, "fdinfo", str(fd)))

    def ioctl(self, fd: int, request: int, arg) -> int:
        path, opener = self.handles[fd]
        device = self.devices[path]
        # fcntl.ioctl fills a mutable buffer in place; given bytes it would hand back a copy that vcam never reads
        assert isinstance(arg, bytearray), f"{NAMES.get(request, hex(request))} given {type(arg).__name__}"
        buf_type = struct.unpack_from("I", arg)[0] if request != VIDIOC_QUERYCAP else None
        self.log.append((opener.program, path, NAMES.get(request, hex(request)), buf_type))
        if not getattr(device, "video", True):
            ret = -device.refusal
        elif request == VIDIOC_QUERYCAP:
            assert len(arg) == 104
            caps = device.caps()
            if hasattr(device, "device_caps"):  # v4l2loopback's querycap stores its answer in the video_device
                device.device_caps = caps
            struct.pack_into("16s32s32sIII", arg, 0, device.driver, b"Dummy video device (0x0000)",
                             b"platform:v4l2loopback-000", 0x60100, caps | CAP_DEVICE_CAPS, caps)
            ret = 0
        elif request in (VIDIOC_G_FMT, VIDIOC_S_FMT):
            assert len(arg) == 208
            if buf_type != OUTPUT or not getattr(device, "device_caps", CAP_VIDEO_OUTPUT) & (
                    CAP_VIDEO_CAPTURE | CAP_VIDEO_OUTPUT):  # the V4L2 core's check_fmt, before the driver
                ret = -errno.EINVAL
            elif request == VIDIOC_G_FMT:
                ret = device.g_fmt_out(opener)
            else:
                ret = device.s_fmt_out(opener, PixFormat(*struct.unpack_from("II4s", arg, 8)))
            if isinstance(ret, PixFormat):  # the driver writes the format it has back into the caller's
                PIX.pack_into(arg, 0, OUTPUT, 0, ret.width, ret.height, ret.pixelformat, 1,
                              ret.width * BITS.get(ret.pixelformat, 16) // 8 if ret.pixelformat in (b"YUYV", b"UYVY")
                              else ret.width, ret.sizeimage)
                ret = 0
        elif request in (VIDIOC_STREAMON, VIDIOC_STREAMOFF):
            assert len(arg) == 4
            ret = (device.streamon if request == VIDIOC_STREAMON else device.streamoff)(opener, buf_type)
        else:
            ret = -errno.ENOTTY
        self._show_sysfs()  # a call that fails may still have changed the device (0.12's STREAMON)
        if ret < 0:
            raise OSError(-ret, os.strerror(-ret))
        return 0

    def write(self, fd: int, data: bytes) -> int:
        path, opener = self.handles[fd]
        ret = self.devices[path].write(opener, data)
        self._show_sysfs()
        if ret < 0:
            raise OSError(-ret, os.strerror(-ret))
        return ret

    def close(self, fd: int) -> None:
        path, opener = self.handles.pop(fd)
        self._hide(fd, opener)
        self.devices[path].close(opener)
        self._show_sysfs()

    def sent(self, program: str, path: str) -> list[str]:
        """The ioctls `program` sent to `path`, by name."""
        return [name for who, p, name, _ in self.log if who == program and p == path]

    def advertises_output(self, path: str) -> bool:
        return bool(self.devices[path].caps() & CAP_VIDEO_OUTPUT)

    # Other programs, as the driver sees them.
    def reader(self, path: str, program: str = "obs (pid 4242)", flags: int = os.O_RDWR | os.O_NONBLOCK) -> int:
        """A program that opens the device and streams from it: OBS's video source (read-write, non-blocking, as
        every open in OBS's linux-v4l2 input), a browser, ffmpeg (read-write, blocking)."""
        fd = self.open(path, flags, program)
        try:
            self.ioctl(fd, VIDIOC_STREAMON, bytearray(struct.pack("i", CAPTURE)))
        except OSError:
            pass  # EIO until a writer has started: a reader keeps trying, with the device open
        return fd

    def streaming_writer(self, path: str, width: int = 64, height: int = 48,
                         program: str = "obs (pid 4242)") -> int:
        """A program that writes the way OBS's own virtual camera does (linux-v4l2's v4l2-output.c): opens read-write
        and blocking, S_FMT, STREAMON on the output, frames."""
        fd = self.open(path, os.O_RDWR, program)
        self.ioctl(fd, VIDIOC_S_FMT, format_buffer(width, height, b"YU12"))
        self.ioctl(fd, VIDIOC_STREAMON, bytearray(struct.pack("i", OUTPUT)))
        self.write(fd, bytes(width * height * 3 // 2))
        return fd


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def format_buffer(width: int, height: int, pixelformat: bytes) -> bytearray:
    fmt = bytearray(208)
    struct.pack_into("I", fmt, 0, OUTPUT)
    struct.pack_into("II4s", fmt, 8, width, height, pixelformat)
    return fmt


# pyvirtualcam's fourcc -> (what it writes natively, the V4L2 pixel format it sets): RGB and BGR become I420
NATIVE = {"raw ": ("I420", b"YU12"), "24BG": ("I420", b"YU12"), "I420": ("I420", b"YU12"),
          "NV12": ("NV12", b"NV12"), "YUY2": ("YUY2", b"YUYV"), "UYVY": ("UYVY", b"UYVY"), "J400": ("J400", b"GREY")}


class LoopbackBackend:
    """pyvirtualcam backend doing what pyvirtualcam 0.15's v4l2loopback backend does, against `machine`: open the
    device write-only, QUERYCAP (refuse one without output, or another driver's), S_FMT, one write() per frame (never
    STREAMON), close. A device it refuses is closed again. A scan tries /dev/video0 to 99 in order and skips a
    refusal, but not a device this user may not open: that ends it. A device this process already writes to through
    pyvirtualcam is refused before it is opened, and the driver's answer to S_FMT is not read. A write() that fails
    is printed to stderr, not raised."""

    machine: Machine | None = None
    active: set = set()  # pyvirtualcam's ACTIVE_DEVICES: one per process, emptied by install()

    def __init__(self, *, width, height, fps, fourcc, device, **kw):
        from pyvirtualcam.util import decode_fourcc

        self._fd = None
        if decode_fourcc(fourcc) not in NATIVE:
            raise RuntimeError("Unsupported image format.")
        self._native, pixelformat = NATIVE[decode_fourcc(fourcc)]
        self._size = width * height * BITS[pixelformat] // 8
        if device is not None:
            self._fd = self._try_open(device)
        else:
            for n in range(100):
                try:
                    self._fd = self._try_open(f"/dev/video{n}")
                except ValueError:
                    continue
                device = f"/dev/video{n}"
                break
            else:
                raise RuntimeError("No v4l2 loopback device found at /dev/video[0-99]. Did you run 'modprobe "
                                   "v4l2loopback'? See also pyvirtualcam's documentation.")
        try:
            self.machine.ioctl(self._fd, VIDIOC_S_FMT, format_buffer(width, height, pixelformat))
        except OSError as e:
            self.machine.close(self._fd)
            self._fd = None
            raise RuntimeError(f"Virtual camera device {device} could not be configured: {e.strerror}") from None
        self._device = device
        LoopbackBackend.active.add(device)

    def _try_open(self, device: str) -> int:
        if device in LoopbackBackend.active:
            raise ValueError(f"Device {device} is already in use.")
        try:
            fd = self.machine.open(device, os.O_WRONLY | os.O_SYNC)  # as the machine's current program
        except FileNotFoundError:
            raise ValueError(f"Device {device} does not exist.") from None
        except PermissionError:  # a RuntimeError in pyvirtualcam, so it ends a scan
            raise RuntimeError(f"Could not access {device} due to missing permissions. Did you add your user to the "
                               "'video' group? Run 'usermod -a -G video myusername' and log out and in "
                               "again.") from None
        except OSError as e:
            raise ValueError(f"Device {device} could not be opened: {e.strerror}") from None
        try:
            cap = bytearray(104)
            try:
                self.machine.ioctl(fd, VIDIOC_QUERYCAP, cap)
            except OSError:
                raise ValueError(f"Device capabilities of {device} could not be queried.") from None
            driver, _, _, _, capabilities, _ = struct.unpack_from("16s32s32sIII", cap)
            if not capabilities & CAP_VIDEO_OUTPUT:
                raise ValueError(f"Device {device} is not a video output device.")
            if driver.rstrip(b"\0") != b"v4l2 loopback":
                raise ValueError(f"Device {device} is not a V4L2 device.")
        except ValueError:
            self.machine.close(fd)
            raise
        return fd

    def send(self, frame: np.ndarray) -> None:
        try:
            self.machine.write(self._fd, frame.tobytes()[: self._size])
        except OSError as e:  # pyvirtualcam only prints a failed write ("in case it is temporary"), and goes on
            sys.stderr.write(f"error writing frame: {e.strerror}")

    def close(self) -> None:
        if self._fd is not None:
            self.machine.close(self._fd)
            self._fd = None
            LoopbackBackend.active.discard(self._device)

    def device(self) -> str:
        return self._device

    def native_fourcc(self):
        from pyvirtualcam.util import encode_fourcc

        return encode_fourcc(self._native)


def install(machine: Machine) -> None:
    import pyvirtualcam

    LoopbackBackend.machine = machine
    LoopbackBackend.active = set()
    pyvirtualcam.register_backend("v4l2loopback-model", LoopbackBackend)


def uninstall() -> None:
    from pyvirtualcam.camera import BACKENDS

    BACKENDS.pop("v4l2loopback-model", None)
    LoopbackBackend.machine = None
