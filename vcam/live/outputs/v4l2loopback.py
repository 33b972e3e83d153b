"""V4L2 and v4l2loopback devices on this machine, as vcam's camera output meets them: the driver's ioctls, its
sysfs nodes and module version, the programs that hold a device (from /proc), the reset that gives a device back
after a writer closed, what `vcam devices` says, and what is said when a device cannot be opened. Apart from the
output (camera.py) so that what is known about the driver is read in one place; Linux only where it opens a device."""
from __future__ import annotations

import enum
import glob
import os
import platform
import re
import struct
from dataclasses import dataclass, field
from typing import Callable

from vcam.errors import VcamError
from vcam.live.devicehandles import Holder, device_holders, devices_holders, reads_here, writes_here
from vcam.sizes import OUTPUT_RANGE, output_in_range
from vcam.words import shell_word

MODPROBE = 'sudo modprobe v4l2loopback devices=1 video_nr=10 card_label="vcam" exclusive_caps=1'
RELOAD = f"sudo modprobe -r v4l2loopback && {MODPROBE}"  # where the module has no device to make again


def _ioc(direction: int, number: int, size: int) -> int:
    """linux/ioctl.h's _IOC for a videodev2 ('V') request: direction, argument size, type and number in one word."""
    return direction << 30 | size << 16 | ord("V") << 8 | number


_IOC_WRITE, _IOC_READ = 1, 2
V4L2_BUF_TYPE_VIDEO_OUTPUT = 2
V4L2_CAP_VIDEO_OUTPUT = 0x00000002
# struct v4l2_capability: driver[16], card[32], bus_info[32], then version, capabilities, device_caps, reserved[3]
V4L2_CAPABILITY = struct.Struct("16s32s32sIII12x")
# struct v4l2_format: the buffer type, then a 200-byte union that holds a pointer, so it is 8-aligned on 64 bits
V4L2_FORMAT_SIZE = 4 + 200 + (4 if struct.calcsize("P") == 8 else 0)
VIDIOC_QUERYCAP = _ioc(_IOC_READ, 0, V4L2_CAPABILITY.size)  # 0x80685600
VIDIOC_G_FMT = _ioc(_IOC_READ | _IOC_WRITE, 4, V4L2_FORMAT_SIZE)  # 0xC0D05604 on 64 bits
VIDIOC_STREAMON = _ioc(_IOC_WRITE, 18, struct.calcsize("i"))  # 0x40045612
# struct v4l2_pix_format's width, height and pixelformat open the union
V4L2_PIX_SIZE = struct.Struct("II4s")
# The V4L2 pixel format pyvirtualcam's v4l2loopback backend sets for each of its formats (RGB and BGR go as I420)
V4L2_FOURCC = {"RGB": "YU12", "BGR": "YU12", "I420": "YU12", "NV12": "NV12", "YUYV": "YUYV", "UYVY": "UYVY",
               "GRAY": "GREY"}


def no_device_help(system: str | None = None, device: str | None = None) -> str:
    """How to make a virtual camera on this OS; on Linux, as `device` (/dev/video9) where one named so is not there:
    made as /dev/video10, the device the show was started with was still missing."""
    system = system or platform.system()
    if system == "Linux":
        number = re.fullmatch(r"/dev/video(\d+)", device or "")
        made = str(int(number[1])) if number else "10"  # /dev/video09: the module makes /dev/video9 of video_nr=09
        return (
            "create a v4l2loopback device: install it (Debian/Ubuntu: sudo apt install v4l2loopback-dkms), then run\n"
            f"    {MODPROBE.replace('video_nr=10', f'video_nr={made}')}\n"
            f"  and start vcam with --out vcam:/dev/video{made}. In a container with no camera device (a rented GPU), "
            "run vcam serve there and vcam cam on the machine with OBS, record with --out file:show.mp4, or run "
            "without a camera with --out null"
        )
    if system == "Darwin":  # pyvirtualcam reaches OBS's camera through its system extension on macOS 13 and later
        return ("install OBS Studio (30 or newer), start its Virtual Camera once (allow its system extension in "
                "System Settings, and restart if asked) and stop it again; then run vcam while OBS's own virtual "
                "camera is off")
    return (
        "install OBS Studio (28 or newer), start its Virtual Camera once and stop it again, so the camera is "
        "registered; then run vcam while OBS's own virtual camera is off"
    )


VIDEO_GROUP = "add yourself to the video group: sudo usermod -aG video $USER, then log out and in again"


def _sysfs_node(device: str, sysfs: str) -> str:
    return os.path.join(sysfs, "devices", "virtual", "video4linux", os.path.basename(device))


def video_nodes(sysfs: str = "/sys") -> list[str]:
    """/dev/videoN nodes of drivers with no hardware behind them: v4l2loopback's and others' (akvcam), by number."""
    names = [os.path.basename(os.path.dirname(p)) for p in glob.glob(_sysfs_node("video*", sysfs) + "/name")]
    return ["/dev/" + n for n in sorted(names, key=lambda n: (len(n), n))]


def is_loopback_node(device: str, sysfs: str = "/sys") -> bool:
    """Whether `device` is v4l2loopback's, as sysfs says without opening it: v4l2loopback (0.9 to 0.13) gives each
    of its nodes a max_openers attribute, which other virtual drivers' nodes lack."""
    return os.path.exists(os.path.join(_sysfs_node(device, sysfs), "max_openers"))


def loopback_devices(sysfs: str = "/sys") -> list[str]:
    """/dev/videoN nodes that belong to v4l2loopback (Linux)."""
    return [d for d in video_nodes(sysfs) if is_loopback_node(d, sysfs)]


def reload_line(extra: str = "", own: str | None = None, sysfs: str = "/sys", proc: str = "/proc") -> str:
    """The line that reloads v4l2loopback making again the devices it has now, by their numbers: removing the module
    removes all of them, and MODPROBE's line made /dev/video10 alone, so a device vcam was given at another number
    (or a second one, OBS's) was gone after it. Each per-device parameter gets one value a device, as the module
    takes them: exclusive_caps=1 alone is the first device's. `own`: the device vcam was given, labelled vcam;
    every other keeps the label it has (OBS finds its own device by its label). `extra`: module-wide parameters
    (max_width=)."""
    devices = loopback_devices()
    if not devices:
        return RELOAD + (f" {extra}" if extra else "")
    ours = os.path.realpath(own) if own else None
    labels = ",".join(_card_label(d, i, "vcam" if ours in (d, os.path.realpath(d)) else None, sysfs)
                      for i, d in enumerate(devices))
    numbers = ",".join(d.removeprefix("/dev/video") for d in devices)
    load = (f"sudo modprobe v4l2loopback devices={len(devices)} video_nr={numbers} card_label={labels} "
            f"exclusive_caps={','.join(['1'] * len(devices))}")
    return f"sudo modprobe -r v4l2loopback && {load}" + (f" {extra}" if extra else "") + _unload_blockers(
        devices, ours, proc)


def _unload_blockers(devices: list[str], ours: str | None, proc: str) -> str:
    """A line after the reload naming the programs that have another of the module's devices open (vcam's own device
    is the caller's to speak of): the kernel does not remove the module while any of its devices is open, so the
    reload fails as typed ("modprobe: FATAL: Module v4l2loopback is in use"). Empty where none has."""
    held = [f"{h} on {d}" for d in devices if ours not in (d, os.path.realpath(d)) for h in device_holders(d, proc)]
    if not held:
        return ""
    return (f"\n    (first close {', '.join(held)}: the module is not removed while a program has one of its devices "
            "open)")


def _card_label(device: str, index: int, label: str | None, sysfs: str) -> str:
    """`device`'s card_label value for the reload line, one word for the shell: `label`, else the one sysfs shows
    (less the piece of a character the module's 31-byte cut left at its end), else the one the module gives the
    `index`th device that names none."""
    if not label:
        shown = (_read_sysfs(os.path.join(_sysfs_node(device, sysfs), "name")) or "").rstrip("\ufffd")
        label = _module_takes(shown) or f"Dummy video device (0x{index:04X})"
    # in double quotes as MODPROBE writes vcam's, where nothing in it is read inside them (bash's ! too)
    return f'"{label}"' if not re.search(r'[$`\\!]', label) else shell_word(label, windows=False)


def _module_takes(label: str) -> str:
    """`label` as card_label keeps it in its place. The module splits card_label at its commas (one kept would shift
    every later device's label by one) and the kernel ends a value at a space outside its double quotes; modprobe
    puts a value with a space in double quotes unless it opens with a quote of its own. So a comma or any space
    becomes a plain space, a double quote a single one, and a leading quote goes."""
    plain = "".join(" " if c.isspace() or not c.isprintable() else c for c in label)
    return plain.replace(",", " ").replace('"', "'").lstrip("'").strip()


def _read_sysfs(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().strip()
    except OSError:
        return None


def module_limit(sysfs: str = "/sys") -> tuple[int, int] | None:
    """The loaded v4l2loopback's max_width and max_height: a larger format is cut down to them without an error."""
    params = os.path.join(sysfs, "module", "v4l2loopback", "parameters")
    try:
        return tuple(int(_read_sysfs(os.path.join(params, n)) or "") for n in ("max_width", "max_height"))
    except ValueError:
        return None


def module_version(sys_module: str = "/sys/module/v4l2loopback") -> str | None:
    """The loaded v4l2loopback's version as sysfs gives it, or None where it gives none."""
    return _read_sysfs(os.path.join(sys_module, "version"))


def gives_output_back(version: str | None) -> bool:
    """Whether this v4l2loopback gives output back by itself when a writer closes (0.13 and later), so that a device
    refusing output always has a live writer. The module exports its version only since 0.13: none means 0.12 or
    older, and a version that does not parse (a snapshot build's name) is newer."""
    if version is None:
        return False
    numbers = re.match(r"v?(\d+)\.(\d+)", version)
    return numbers is None or (int(numbers[1]), int(numbers[2])) >= (0, 13)


@dataclass(frozen=True)
class DeviceCalls:
    """What the reset reads and calls, apart so that a model of the driver can stand in for the kernel."""

    open: Callable[[str, int], int]
    ioctl: Callable[[int, int, bytearray], object]
    close: Callable[[int], None]
    module_version: Callable[[], str | None] = module_version
    proc: str = "/proc"
    sysfs: str = "/sys"


def system_calls() -> DeviceCalls:
    import fcntl  # Linux only, like the reset: a module-level import would break Windows and macOS

    return DeviceCalls(os.open, fcntl.ioctl, os.close)


class Output(enum.Enum):
    """What a device said about taking frames, asked before and after each reset."""

    TAKES = "takes output"
    REFUSES = "refuses output"  # a v4l2loopback device that does not advertise output
    NOT_LOOPBACK = "is not a v4l2loopback device"  # a real camera, or another driver's device
    UNKNOWN = "could not be opened and asked"  # missing, or not ours to open: pyvirtualcam says why
    IN_USE = "has a writer"  # refuses output because another program writes to it: left alone


def output_state(device: str, calls: DeviceCalls) -> Output:
    """Asks the driver (VIDIOC_QUERYCAP) whether `device` advertises video output now."""
    try:
        fd = calls.open(device, os.O_RDWR | os.O_NONBLOCK)
    except OSError:
        return Output.UNKNOWN
    try:
        cap = bytearray(V4L2_CAPABILITY.size)
        calls.ioctl(fd, VIDIOC_QUERYCAP, cap)
    except OSError:
        return Output.UNKNOWN
    finally:
        calls.close(fd)
    driver, _card, _bus, _version, capabilities, _device_caps = V4L2_CAPABILITY.unpack(cap)
    if driver.split(b"\0", 1)[0] != b"v4l2 loopback":
        return Output.NOT_LOOPBACK
    # pyvirtualcam checks `capabilities`; v4l2loopback sets device_caps to the same bits
    return Output.TAKES if capabilities & V4L2_CAP_VIDEO_OUTPUT else Output.REFUSES


def _stream_on(fd: int, calls: DeviceCalls) -> None:
    # v4l2loopback 0.12.x counts a handle as a writer only once it called STREAMON on the output, and gives output
    # back when a writer closes (a writer that only write()s, as pyvirtualcam does, never gives it back). With no
    # reader holding buffers the call fails with EINVAL, but only after the handle was marked: the close counts.
    calls.ioctl(fd, VIDIOC_STREAMON, bytearray(struct.pack("i", V4L2_BUF_TYPE_VIDEO_OUTPUT)))


def _get_format(fd: int, calls: DeviceCalls) -> bytearray:
    # Up to 0.10 the format calls made a handle a writer, and STREAMON did not.
    fmt = bytearray(V4L2_FORMAT_SIZE)
    struct.pack_into("I", fmt, 0, V4L2_BUF_TYPE_VIDEO_OUTPUT)
    calls.ioctl(fd, VIDIOC_G_FMT, fmt)
    return fmt


@dataclass(frozen=True)
class Format:
    """A device's output format as far as a writer's frames must match it."""

    width: int
    height: int
    fourcc: str  # V4L2's: YU12, NV12, YUYV, UYVY, GREY

    def __str__(self) -> str:
        return f"{self.width}x{self.height} {self.fourcc}"


def device_format(device: str, calls: DeviceCalls) -> Format | None:
    """The output format `device` holds now (VIDIOC_G_FMT), or None where it cannot be asked. pyvirtualcam sets a
    format and never reads back what the driver made of it; v4l2loopback 0.12 keeps the format while any program has
    the device open, and cuts a size over its max_width x max_height down, both without an error."""
    try:
        fd = calls.open(device, os.O_RDWR | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        fmt = _get_format(fd, calls)
    except OSError:
        return None
    finally:
        calls.close(fd)
    width, height, fourcc = V4L2_PIX_SIZE.unpack_from(fmt, V4L2_FORMAT_SIZE - 200)
    return Format(width, height, fourcc.decode("ascii", "replace"))


def release_exclusive_caps(device: str, calls: DeviceCalls | None = None) -> Output:
    """Makes a v4l2loopback device with exclusive_caps=1 accept a new writer after the last one closed.

    v4l2loopback stops advertising output while it has a writer, and 0.12.x (Debian 12, Ubuntu 24.04) never gives
    it back after a writer that only wrote frames: every run after the first is refused. A device that advertises
    output is left untouched, and so is one another program writes to (IN_USE): on 0.13 and later every refusal
    means a live writer, and on 0.12 a holder that opened it write-only (or OBS's virtual camera) is one; a reset
    would hand the camera to a second writer, and both would write into it. Otherwise one handle that becomes a
    writer and closes is tried per driver rule, each checked before the next. No STREAMOFF: 0.13 takes it as a
    writer leaving, whoever sends it. Returns what the device says at the end; failures leave it as it was.
    """
    calls = calls or system_calls()
    state = output_state(device, calls)
    if state is Output.REFUSES and (gives_output_back(calls.module_version())
                                    or any(h.writes for h in device_holders(device, calls.proc))):
        return Output.IN_USE
    for reset in (_stream_on, _get_format):
        if state is not Output.REFUSES:
            break
        try:
            fd = calls.open(device, os.O_RDWR | os.O_NONBLOCK)
        except OSError:
            break
        try:
            reset(fd, calls)
        except OSError:
            pass  # an error here is expected (EINVAL with no reader): the close below is what counts
        finally:
            calls.close(fd)
        state = output_state(device, calls)
    return state


def holders(device: str, proc: str = "/proc") -> list[str]:
    """The other programs (name and pid) that have `device` open, among those this user may look into."""
    return [str(h) for h in device_holders(device, proc)]


def _who(programs: list[Holder]) -> tuple[list[Holder], str]:
    """The writers among the programs that have a device open, and who is named: its writers where it has any
    (instead of its readers), else all of them."""
    writers = [h for h in programs if h.writes]
    return writers, ", ".join(map(str, writers or programs))


def _held_by(programs: list[Holder]) -> str:
    """Who has a device open, writers named before (and instead of) readers."""
    writers, names = _who(programs)
    return f"{'written to by' if writers else 'open in'} {names}"


def _held_format(device: str, calls: DeviceCalls, programs: list[Holder]) -> Format | None:
    """The format a reader or writer holds the device to, None where none does. G_FMT answers with the last format
    even then (0.12 keeps it after the last close), so v4l2loopback's sysfs format attribute, empty unless the format
    is fixed, says whether one is held; where it cannot be read, any program that has it open may hold one."""
    said = _read_sysfs(os.path.join(_sysfs_node(device, calls.sysfs), "format"))
    if not (said if said is not None else programs):
        return None
    held = device_format(device, calls)
    return held if held is not None and held.width and held.height else None


def pass_in(device: str) -> str:
    """The fix for a device the kernel has (/sys shows it) and this /dev lacks: a container started without it."""
    return f"in a container, pass it in: docker run --device {device}"


def _open_error(device: str, calls: DeviceCalls) -> OSError | None:
    """What opening `device` as vcam would (read-write, not blocking) raises, None where it opens."""
    try:
        calls.close(calls.open(device, os.O_RDWR | os.O_NONBLOCK))
    except OSError as e:
        return e
    return None


def _no_node(device: str, calls: DeviceCalls) -> bool:
    """Whether `device` has no node here (where /sys shows it: the host's, seen from a container)."""
    return isinstance(_open_error(device, calls), FileNotFoundError)


def _denied(device: str, calls: DeviceCalls) -> str | None:
    """Why this user cannot open `device` as vcam would, None where it can."""
    e = _open_error(device, calls)
    if e is None:
        return None
    if isinstance(e, PermissionError):
        return f"this user may not open it; {VIDEO_GROUP}"
    if isinstance(e, FileNotFoundError):
        return f"there is no {device} here; {pass_in(device)}"
    return f"cannot be opened ({e.strerror or e})"


def _shut_out(device: str, calls: DeviceCalls) -> bool:
    """Whether this user may not open `device` (not in the video group)."""
    return isinstance(_open_error(device, calls), PermissionError)


def describe_device(device: str, calls: DeviceCalls) -> str:
    """One line on a virtual video node: whose it is, whether this user may open it, who has it open and the format
    held, so that a show can be given a device that takes its frames."""
    label = _read_sysfs(os.path.join(_sysfs_node(device, calls.sysfs), "name"))
    head = f'{device} "{label}"' if label else device
    if not is_loopback_node(device, calls.sysfs):
        return f"{head}: not v4l2loopback (another driver's device), so vcam cannot write to it"
    denied = _denied(device, calls)
    if denied:
        return f"{head}: {denied}"
    programs = device_holders(device, calls.proc)
    said = [_held_by(programs)] if programs else []
    written = any(h.writes for h in programs)
    if (not written and gives_output_back(calls.module_version())
            and output_state(device, calls) is Output.REFUSES):  # on 0.13 only a live writer takes output away
        said.append("written to by a program this user cannot see")
        written = True
    held = _held_format(device, calls, programs)
    if held:
        joint = ": " if _sent_at(held) else ", "  # "holds 64x48 YU12: send …", "holds 64x48 YUYV, which …"
        said.append(f"holds {held}" + ("" if written else joint + _readers_fix(device, held, programs)))
    return f"{head}: {'; '.join(said) or 'free'}"


def _readers_fix(device: str, held: Format, programs: list[Holder]) -> str:
    """What a run does with a device that readers alone hold to `held` (a writer keeps it whatever is sent): send
    at that size in vcam's pixel format; held to another, none of vcam's frames is taken until they close it."""
    if _sent_at(held):
        return f"send that size, --out vcam:{device}@{held.width}x{held.height}"
    who = ", ".join(map(str, programs)) or "the program that has it open"
    return f"which vcam does not send (it {_not_sent(held)}): close {who}, then start vcam"


def _sent_at(held: Format | None) -> bool:
    """Whether vcam may write to a device readers hold to `held`: in vcam's pixel format, at a size an output may have
    (`--out vcam:DEV@33x25`, offered for a reader's odd size, was refused as the next run began)."""
    return held is not None and held.fourcc == V4L2_FOURCC["I420"] and _size_sent(held)


def _size_sent(held: Format) -> bool:
    """Whether `held`'s size is one vcam sends a camera at: even (its pixel formats share colour between pixel
    pairs), within OUTPUT_RANGE."""
    return output_in_range(held.width, held.height) and not held.width % 2 and not held.height % 2


def _not_sent(held: Format) -> str:
    """What vcam sends instead of `held`, which it does not (its pixel format, or its size)."""
    if held.fourcc != V4L2_FOURCC["I420"]:
        return f"sends {V4L2_FOURCC['I420']}"
    return f"sends even sizes, from {OUTPUT_RANGE}"


def describe_cameras(calls: DeviceCalls | None = None) -> list[str]:
    """What `vcam devices` says about virtual cameras on Linux: a heading, then one line per virtual video node, or
    how to make a v4l2loopback device where there is none."""
    calls = calls or system_calls()
    nodes = video_nodes(calls.sysfs)
    lines = [f"  {describe_device(d, calls)}" for d in nodes]
    if any(is_loopback_node(d, calls.sysfs) for d in nodes):
        limit = module_limit(calls.sysfs)
        most = f"; v4l2loopback's max_width x max_height: {limit[0]}x{limit[1]}" if limit else ""
        return [f"virtual cameras (name one with --out vcam:PATH{most}):"] + lines
    if os.path.isdir(os.path.join(calls.sysfs, "module", "v4l2loopback")):  # loaded with devices=0, or all removed
        fix = f"v4l2loopback is loaded but made no device: reload it:\n    {RELOAD}"
    else:
        fix = no_device_help("Linux")
    return (["virtual cameras: no v4l2loopback device" + (", only other drivers':" if lines else "")] + lines
            + [f"  fix: {fix}"])


@dataclass
class Checked:
    """What vcam found and did on Linux before pyvirtualcam opened a device, for a message that is true."""

    calls: DeviceCalls | None = None  # None off Linux, where nothing is checked
    states: dict[str, Output] = field(default_factory=dict)  # devices reset (or found free), by path
    held: dict[str, list[Holder]] = field(default_factory=dict)  # devices left alone: the programs that have them open
    mine: list[str] = field(default_factory=list)  # devices left alone: this show's other camera outputs send to them
    inputs: list[str] = field(default_factory=list)  # devices left alone: this show's input camera reads them

    def device_calls(self) -> DeviceCalls:
        """The calls the devices were checked with, else the system's (where nothing was checked, off Linux)."""
        return self.calls or system_calls()


def prepare(device: str | None) -> Checked:
    """Resets the named device, or each free v4l2loopback device where none is named, before pyvirtualcam opens one;
    what was found is kept for the message said if the device still refuses. A device this process writes to (another
    camera output of the show) is left alone: other programs' handles alone are counted, so it looked free."""
    if platform.system() != "Linux":
        return Checked()
    checked = Checked(system_calls())
    if device:  # named: reset even while OBS or a browser reads it (a restarted show must get it back)
        if reads_here(device, checked.calls.proc):
            raise own_input(device, checked)
        state = release_exclusive_caps(device, checked.calls)
        if state is Output.IN_USE or (state is Output.TAKES and _written_to(device, checked)):
            raise _in_use(device, checked)
        checked.states[device] = state
    else:  # any free one: devices other programs have open (OBS writing to its own camera) are left alone
        for dev in loopback_devices():
            if writes_here(dev, checked.calls.proc):
                checked.mine.append(dev)
                continue
            if reads_here(dev, checked.calls.proc):
                checked.inputs.append(dev)
                continue
            found = device_holders(dev, checked.calls.proc)
            if found:
                checked.held[dev] = found
            else:
                checked.states[dev] = release_exclusive_caps(dev, checked.calls)
    return checked


def _written_to(device: str, checked: Checked) -> bool:
    """Whether another program writes to `device` though it advertises output: with exclusive_caps=0 (a plain
    modprobe) it always does, and pyvirtualcam opens it; 0.12 then mixes both programs' frames, and 0.13 drops each
    of vcam's with a line on stderr, not an error."""
    return any(h.writes for h in device_holders(device, checked.calls.proc))


def past_written(checked: Checked) -> str | None:
    """Where no device is named: the device to name instead of pyvirtualcam's pick (the first one that advertises
    output) when another program writes to that one, which it still advertises with exclusive_caps=0 (OBS's virtual
    camera takes the first free device): the next one that advertises output and no program writes to. None where
    pyvirtualcam's own pick is free of writers; VcamError, before anything is opened, where every such device is
    written to."""
    if checked.calls is None:
        return None
    written = read = None
    for dev in loopback_devices():
        if dev in checked.mine:  # pyvirtualcam's scan passes over the devices this process sends to
            continue
        state = checked.states.get(dev) or output_state(dev, checked.calls)  # held ones were not asked
        if state is not Output.TAKES:
            continue
        if dev in checked.inputs:  # pyvirtualcam's scan would take it: the show's frames would come back as input
            read = read or dev
            continue
        if not any(h.writes for h in checked.held.get(dev, [])):
            return dev if written or read else None
        written = written or dev
    if written:
        raise _in_use(written, checked)
    if read:
        raise own_input(read, checked)
    return None


def own_input(device: str, checked: Checked) -> VcamError:
    """A camera output given the device the show's input camera reads: each of its frames would come back as the
    input of the next, the picture feeding on itself (README's OBS round trip with 10 and 11 swapped)."""
    other = _free_device(device, checked)
    elsewhere = f"name another device for the output: --out vcam:{other}" if other else OWN_DEVICE
    return VcamError(f"{device} is this show's input camera, so vcam would read its own frames back as input",
                     f"{elsewhere}, or take the input from another camera")


def _free_device(device: str, checked: Checked) -> str | None:
    """A device to name in place of `device`: one that takes output once named, that this show neither reads (its
    input camera) nor writes (its other camera outputs), and that no other program writes to (OBS's own Virtual
    Camera): the first other device may be any of those, and be refused in turn. One that a reader holds to a format
    (a browser still open after an earlier writer) is refused at any other size: it comes last, with its size
    (`/dev/video11@1280x720`), and not at all where held to a pixel format vcam does not send."""
    calls = checked.device_calls()
    held_at = None
    devices = loopback_devices()
    holding = devices_holders(devices, calls.proc)  # one walk through the programs' handles, not one per device
    for dev in devices:
        # by its real path: a link (/dev/v4l/by-id/...) names the device itself, which is no other one
        if os.path.realpath(dev) == os.path.realpath(device) or dev in checked.mine:
            continue
        if writes_here(dev, calls.proc) or reads_here(dev, calls.proc):
            continue
        programs = holding[dev]
        if any(h.writes for h in programs):
            continue
        state = checked.states.get(dev) or output_state(dev, calls)
        # one that 0.12 left refusing after its writer closed is reset when named; on 0.13 a refusal is a live writer
        if not (state is Output.TAKES or state is Output.REFUSES and not gives_output_back(calls.module_version())):
            continue
        held = _held_format(dev, calls, programs)
        if held is None:
            return dev
        if held_at is None and _sent_at(held):
            held_at = f"{dev}@{held.width}x{held.height}"
    return held_at


def refuse_a_written_device(device: str, checked: Checked) -> None:
    """After pyvirtualcam's scan opened `device`: one that other programs had open, and one of them writes to (it
    began writing after past_written looked)."""
    if checked.calls is not None and device in checked.held and _written_to(device, checked):
        raise _in_use(device, checked)


def writers(device: str, checked: Checked) -> set[Holder]:
    """The other programs that write to `device` now."""
    return {h for h in device_holders(device, checked.device_calls().proc) if h.writes}


def refuse_a_new_writer(device: str, checked: Checked, before: set[Holder]) -> None:
    """Before vcam's first frame: a device another program began writing to since vcam opened it (`before`: the
    writers then), which it still took while vcam had written nothing."""
    if writers(device, checked) - before:
        raise _in_use(device, checked)


# exclusive_caps takes one value per device: a lone 1 covers only the first, and a browser never lists the second
OWN_DEVICE = ("give vcam a device of its own (vcam devices lists them; devices=2 video_nr=10,11 exclusive_caps=1,1 in "
              "the modprobe line makes two)")


# what another writer does to vcam's frames, said of its device wherever it is refused as taken
_MIXES = "writes to it, so vcam's frames would mix with its own or be lost"


def _in_use(device: str, checked: Checked) -> VcamError:
    """A device another program writes to: taking it as well would make both programs' frames alternate in it (0.12),
    or, while its writer streams, make each of vcam's writes fail (0.13, where pyvirtualcam only prints it)."""
    who, stop, elsewhere = _taken(device, checked)
    return VcamError(f"{device} is taken: {who} {_MIXES}", f"{stop}, or {elsewhere}")


def _taken(device: str, checked: Checked) -> tuple[str, str, str]:
    """Of a device another program writes to: who writes to it, how to stop that, and the device to name instead."""
    calls = checked.device_calls()
    found = device_holders(device, calls.proc)
    writers, names = _who(found)
    if writers:
        who = names + (" (OBS's own Virtual Camera)" if any(h.program == "obs" for h in writers) else "")
    else:  # 0.13 refuses output only while a writer has it open
        who = f"one of {names}" if found else "another program (not one this user can see)"
    stop = ("stop OBS's Virtual Camera (in OBS: Stop Virtual Camera)" if any(h.program == "obs" for h in writers)
            else f"stop {names}" if found else f"stop the program that writes to it (sudo fuser -v {device} names it)")
    other = _free_device(device, checked)
    return who, stop, f"name another device: --out vcam:{other}" if other else OWN_DEVICE


def _refused(device: str, detail: str, checked: Checked) -> VcamError:
    """pyvirtualcam's "not a video output device", said with what the reset found."""
    state = checked.states.get(device)
    if state is Output.NOT_LOOPBACK:
        other = _free_device(device, checked)
        return VcamError(f"{device} is not a v4l2loopback device, so it cannot take vcam's frames ({detail})",
                         "it is a real camera or another driver's device: name a v4l2loopback device, "
                         f"--out vcam:{other} (vcam devices lists them)" if other else
                         OWN_DEVICE if loopback_devices() else no_device_help())
    if state is Output.IN_USE:
        return _in_use(device, checked)
    reload = reload_line(own=device, sysfs=checked.calls.sysfs, proc=checked.calls.proc)
    if state is Output.REFUSES:
        programs = holders(device, checked.calls.proc)
        fix = (f"{', '.join(programs)} {'has' if len(programs) == 1 else 'have'} it open: if "
               f"{'it writes' if len(programs) == 1 else 'one of them writes'} to it, stop that; otherwise the "
               f"module is stuck: close the programs that use it and reload it:\n    {reload}" if programs else
               "no program of yours has it open, so the module is stuck (or another user's program writes to it): "
               f"reload it:\n    {reload}")
        return VcamError(f"{device} still refuses vcam's frames after a reset ({detail})", fix)
    return VcamError(f"{device} cannot take vcam's frames ({detail})",
                     "it is a real camera, or another program writes to it: pick a free v4l2loopback device (vcam "
                     "devices lists them), or close the programs that use it and reload the module:\n    "
                     + reload)


# The node v4l2loopback 0.13 and later adds and removes its cameras through (0.12.7, Debian 12's and Ubuntu 24.04's,
# has none); only root may open it, or the video group where the module's udev rule is installed.
CONTROL_DEVICE = "/dev/v4l2loopback"


def _not_video(device: str, detail: str, checked: Checked) -> VcamError:
    """A named node that is no video device (v4l2loopback's control device, /dev/null, a sound card), with a camera
    to name instead: it was said as no camera that could be opened, with how to install v4l2loopback, loaded
    already where its control device was the one named."""
    found = loopback_devices()
    control = os.path.realpath(device) == CONTROL_DEVICE
    what = "v4l2loopback's control device, not one of its cameras" if control else "not a video device"
    other = _free_device(device, checked) if found else None
    if other:
        fix = f"name a v4l2loopback camera: --out vcam:{other} (vcam devices lists them)"
    elif found:
        fix = OWN_DEVICE
    elif control:
        fix = f"v4l2loopback is loaded but made no camera: reload it:\n    {RELOAD}"
    else:
        fix = no_device_help()
    return VcamError(f"{device} is {what}, so it cannot take vcam's frames ({detail})", fix)


def _none_free(detail: str, checked: Checked) -> VcamError:
    """No device named, v4l2loopback devices exist, and pyvirtualcam opened none of them."""
    found, written, read = [], [], []  # read: (device, the format its readers hold, they)
    for dev, programs in checked.held.items():
        if any(h.writes for h in programs):
            written.append(dev)
            found.append(f"{dev} is {_held_by(programs)}, left alone")
            continue
        # named alone, a device its readers hold to another size refused the next run too, for that size
        held = _held_format(dev, checked.calls, programs)
        read.append((dev, held, programs))
        found.append(f"{dev} is {_held_by(programs)}, left alone" + (f"; it holds {held}" if held else ""))
    nodeless = [dev for dev, state in checked.states.items()
                if state is Output.UNKNOWN and _no_node(dev, checked.calls)]
    found += [f"{dev} is the kernel's, but there is no {dev} here" if dev in nodeless else
              f"{dev} {state.value}" + (" after a reset" if state is Output.REFUSES else "")
              for dev, state in checked.states.items()]
    written += [dev for dev, state in checked.states.items() if state is Output.IN_USE]
    found[:0] = [f"{dev} is this show's camera output already" for dev in checked.mine]
    fixes = ["give each vcam output a device of its own (devices=2 video_nr=10,11 exclusive_caps=1,1 in the modprobe "
             "line makes two), or keep one"] if checked.mine else []
    if read:
        fixes.append(_read_fix(*read[0]))
    if written:
        fixes.append(f"stop the program that writes to {written[0]}, or {OWN_DEVICE}")
    if nodeless:
        fixes.append(pass_in(nodeless[0]))
    if Output.REFUSES in checked.states.values():
        fixes.append("close the programs that use the devices and reload the module:\n    "
                     f"{reload_line(sysfs=checked.calls.sysfs, proc=checked.calls.proc)}")
    if not fixes:
        fixes.append(f"name one: --out vcam:{next(iter(checked.states))}")
    if "No v4l2 loopback device found" not in detail:  # pyvirtualcam's own line would send the user to install it
        found.append(detail)
    return VcamError(f"no v4l2loopback device takes vcam's frames ({'; '.join(found)})", "; or ".join(fixes))


def _read_fix(device: str, held: Format | None, programs: list[Holder]) -> str:
    """The fix for a device only read from, where no device was named: named alone, one its readers hold to another
    size refused the next run too, for that size; one held to a pixel format vcam does not send takes no frame of
    vcam's at any size until its readers close it."""
    if held is not None and not _sent_at(held):
        return _readers_fix(device, held, programs)
    size = f"@{held.width}x{held.height} (the size its readers hold)" if held else ""
    return f"name a device to reset it even while it is open: --out vcam:{device}{size}"


def _no_such_device(device: str, detail: str, found: list[str], checked: Checked) -> VcamError:
    """A named device that is not there while v4l2loopback devices are: a typo, or a device named by its label or
    number, not its path. Installing v4l2loopback (the fix where there is none) would not help. A label is matched
    to its device: `vcam:vcam` (the label MODPROBE gives) means vcam's, not the first (OBS's where it has two).
    Devices this show reads (its input camera) or writes (its other camera outputs) are not offered: they would be
    refused next, and MODPROBE's line labels vcam the device README's OBS round trip takes as input. Where neither
    the number nor a label names one, the device offered is one the show can use (_free_device): the first may be
    OBS's."""
    calls = checked.device_calls()
    usable = [d for d in found if not reads_here(d, calls.proc) and not writes_here(d, calls.proc)]
    by_number = [d for d in usable
                 if device.removeprefix("/dev/").removeprefix("video") == d.removeprefix("/dev/video")]
    labels = {d: _read_sysfs(os.path.join(_sysfs_node(d, calls.sysfs), "name")) or "" for d in found}
    by_label = [d for d in usable if labels[d].casefold() == device.strip().casefold()]
    listed = ", ".join(found)
    if not usable:
        return VcamError(f"there is no device {device} ({detail}); the v4l2loopback devices here are {listed}, "
                         "and this show uses each of them already", OWN_DEVICE)
    matched = (by_number or by_label or [None])[0]
    if matched:
        refused = _matched_refused(matched, f"there is no device {device} ({detail}); the one it names is {matched}"
                                   + ("" if by_number else f" (labelled {labels[matched]})"), checked)
        if refused:
            return refused
    guess = matched or _free_device(device, checked)
    if guess is None:
        # _free_device passes over the devices it cannot open: not held, they are this user's to join the group for
        shut = [d for d in usable if _shut_out(d, calls)]
        if shut:
            others = "; each other one this show does not use is held by another program" if shut != usable else ""
            return VcamError(f"there is no device {device} ({detail}); the v4l2loopback devices here are {listed}, "
                             f"and this user may not open {', '.join(shut)}{others}",
                             f"{VIDEO_GROUP}, then name one by its path: --out vcam:{shut[0]}")
        return VcamError(f"there is no device {device} ({detail}); the v4l2loopback devices here are {listed}, "
                         "and each one this show does not use is held by another program (vcam devices says which)",
                         OWN_DEVICE)
    labelled = f", labelled {labels[guess]}" if not by_number and by_label else ""
    held = _held_format(guess, calls, device_holders(guess, calls.proc)) if matched else None
    size = f"@{held.width}x{held.height}" if held else ""  # _free_device's guess has its size already
    return VcamError(f"there is no device {device} ({detail}); the v4l2loopback devices here are {listed}",
                     f"name one by its path, e.g. --out vcam:{guess}{size}{labelled} (vcam devices lists them)")


def _matched_refused(device: str, head: str, checked: Checked) -> VcamError | None:
    """The device a missing one's number or label names, where named by its path it would be refused too (`head`
    says what was typed and which device that is): another program writes to it (OBS's Virtual Camera), this user
    may not open it, or a reader holds it to a pixel format vcam does not send. None where it takes vcam's frames."""
    calls = checked.device_calls()
    programs = device_holders(device, calls.proc)
    state = checked.states.get(device) or output_state(device, calls)
    # on 0.13 a device that refuses output has a live writer; 0.12 leaves one refusing after its writer closed
    if (any(h.writes for h in programs) or state is Output.IN_USE
            or state is Output.REFUSES and gives_output_back(calls.module_version())):
        who, stop, elsewhere = _taken(device, checked)
        return VcamError(f"{head}, and it is taken: {who} {_MIXES}",
                         f"{stop}, then name it by its path ({device}), or {elsewhere}")
    if state is Output.UNKNOWN and _shut_out(device, calls):
        return VcamError(f"{head}, which this user may not open", f"{VIDEO_GROUP}, then name it by its path: "
                         f"--out vcam:{device}")
    held = _held_format(device, calls, programs)
    if held and not _sent_at(held):
        other = _free_device(device, checked)
        return VcamError(f"{head}, which holds {held}: vcam {_not_sent(held)}, so it takes none of vcam's "
                         "frames", f"close {', '.join(map(str, programs)) or 'the program that has it open'}, then "
                         f"name it by its path ({device}), or "
                         + (f"name another device: --out vcam:{other}" if other else OWN_DEVICE))
    return None


def format_kept(device: str, asked: Format, kept: Format, calls: DeviceCalls, detail: str = "",
                since_open: bool = False) -> VcamError:
    """A device whose format is not the one vcam's frames have: they would come out garbled, or not at all.
    `since_open`: vcam's own format was taken as it opened the device, and another program set this one since (OBS's
    Virtual Camera, started while the model loaded): no module limit or stuck format, so a plain rerun sets vcam's."""
    programs = holders(device, calls.proc)
    names = ", ".join(programs)
    use = f"--out vcam:{device}@{kept.width}x{kept.height}"
    # a size is all vcam can match: held to another pixel format, the device takes none of vcam's frames at any size
    same = kept.fourcc == asked.fourcc
    send = f"send that size ({use}), or " if same and _size_sent(kept) else ""
    if since_open:
        detail = "; ".join(filter(None, ["another program set it while vcam started", detail]))
    if since_open and not programs:
        fix = ("start vcam again: the program that set it has closed the device, and vcam sets its own format as it "
               "opens it" + (f"; or send that size ({use})" if send else ""))
    elif programs:
        fix = (f"{names} {'has' if len(programs) == 1 else 'have'} it open, and v4l2loopback keeps a device's format "
               f"while any program has it open: {send}close {names} and start vcam again")
    elif same and (kept.width < asked.width or kept.height < asked.height):  # another pixel format: no size helps
        # an odd limit (max_width=1279) is no size vcam sends: the even one below it is the most it may
        most = Format(kept.width - kept.width % 2, kept.height - kept.height % 2, kept.fourcc)
        at_most = f"send at most that size (--out vcam:{device}@{most.width}x{most.height}), or " \
            if _size_sent(most) else ""
        # the limits are the module's, for every device: one only as large as vcam's size would cut down the
        # larger format another device was loaded for (a 1080p beside vcam's 2048x1024)
        limit = module_limit(calls.sysfs) or (0, 0)
        room = f"max_width={max(asked.width, limit[0])} max_height={max(asked.height, limit[1])}"
        fix = (f"the module's max_width x max_height is below {asked.width}x{asked.height}: {at_most}reload it with "
               f"room for yours:\n    {reload_line(room, device, calls.sysfs, calls.proc)}")
    else:
        fix = (f"{send}reload the module so that it forgets the format:\n    "
               f"{reload_line(own=device, sysfs=calls.sysfs, proc=calls.proc)}")
    said = f" ({detail})" if detail else ""
    return VcamError(f"{device} holds the format {kept}, not the {asked} vcam sends, so its frames would come out "
                     f"garbled{said}", fix)


def _named(text: str, pattern: str, device: str | None) -> str:
    """The device pyvirtualcam's message names, or the one vcam named."""
    found = re.search(pattern, text)
    return found[1] if found else device or "the camera device"


def _not_configured(text: str, detail: str, asked: Format, device: str | None,
                    calls: DeviceCalls | None) -> VcamError:
    """pyvirtualcam's S_FMT failed: v4l2loopback 0.13 refuses another format while a writer or a reader holds one
    (EBUSY), 0.12 refuses new buffers of another size while another program has the device open (EINVAL)."""
    dev = _named(text, r"device (\S+) could not be configured", device)
    kept = device_format(dev, calls) if calls else None
    if kept is not None and (kept.width, kept.height) != (asked.width, asked.height):
        return format_kept(dev, asked, kept, calls, detail)
    programs = holders(dev, calls.proc) if calls else []
    close = f"close {', '.join(programs)}" if programs else "close the programs that use it"
    # the reload too waits for them: a device held open keeps the module from being removed
    return VcamError(f"{dev} refuses vcam's format {asked} ({detail})",
                     f"{close}, then start vcam again, or reload the module:\n    "
                     + (reload_line(own=dev, sysfs=calls.sysfs, proc=calls.proc) if calls else reload_line(own=dev)))


OBS_BUSY_FIX = ("stop OBS's own Virtual Camera (in OBS: Stop Virtual Camera), or the other vcam that feeds it, then "
                "run vcam again")


def _obs_said(text: str) -> str | None:
    """What pyvirtualcam's OBS backend (Windows, macOS) said, of the lines of all the backends it tried; None where
    it tried none. On Windows Unity Capture's line comes last, and was said in its place."""
    return next((line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("'obs' backend:")),
                None)


def _obs_error(said: str, device: str | None) -> VcamError:
    """OBS Virtual Camera's refusal said as what it means and its fix: a camera another program feeds (OBS's own)
    was said as no camera, with how to install OBS."""
    if "could not be started" in said or "shared_queue_check" in said:  # the camera's shared memory exists already
        return VcamError(f"the OBS virtual camera is busy: another program feeds it ({said})", OBS_BUSY_FIX)
    if "supports only the" in said:  # a Linux device or another name, typed or in a show file written on Linux
        return VcamError(f"vcam:{device} is no camera on this machine: vcam feeds OBS Virtual Camera here ({said})",
                         "use --out vcam (out: [vcam] in a show file)")
    if "Multiple cameras" in said:  # macOS: OBS's one camera is this vcam's already (two vcam outputs)
        return VcamError(f"OBS Virtual Camera is already vcam's camera output in this show ({said})",
                         "keep one vcam output: OBS has one virtual camera")
    if "version is not supported" in said:  # OBS 26 or 27's camera on macOS 12 and older
        return VcamError(f"this OBS virtual camera is too old for vcam ({said})", no_device_help())
    return VcamError(f"no virtual camera could be opened ({said})", no_device_help())


def open_error(error: RuntimeError, device: str | None, checked: Checked, asked: Format) -> VcamError:
    """pyvirtualcam's refusal to open a camera, said as what it means here (with what the reset found) and its fix."""
    text = str(error).strip()
    obs = _obs_said(text)
    if obs is not None:  # pyvirtualcam names each backend it tried: OBS's line is the one to say on Windows and macOS
        return _obs_error(obs, device)
    detail = text.splitlines()[-1] if text else "no backend"
    if "due to missing permissions" in text:  # ends pyvirtualcam's scan at the first such device
        dev = _named(text, r"Could not access (\S+) due to", device)
        if os.path.realpath(dev) == CONTROL_DEVICE:  # joining the video group would only lead to the next refusal
            return _not_video(dev, "this user may not open it", checked)
        other = _free_device(dev, checked) if not device else None
        return VcamError(f"this user may not open {dev} ({detail})",
                         VIDEO_GROUP + (f"; or name the v4l2loopback device: --out vcam:{other}" if other else ""))
    if "not a video output device" in text:
        return _refused(device or "the camera device", detail, checked)
    if "is not a V4L2 device" in text:  # another driver's output device: pyvirtualcam writes to v4l2loopback only
        dev = _named(text, r"Device (\S+) is not a V4L2 device", device)
        checked.states[dev] = Output.NOT_LOOPBACK
        return _refused(dev, detail, checked)
    if "could not be queried" in text:  # no V4L2 device at all: it answers no video request
        return _not_video(_named(text, r"capabilities of (\S+) could not be queried", device), detail, checked)
    if "could not be configured" in text:
        return _not_configured(text, detail, asked, device, checked.calls)
    if "is already in use" in text:  # pyvirtualcam's own count of the devices this process writes to
        return VcamError(f"{device or 'the device'} is already vcam's camera output in this show ({detail})",
                         "give each vcam output a device of its own, or keep one")
    if not device and (checked.held or checked.states or checked.mine):
        return _none_free(detail, checked)
    if device and "does not exist" in text and device in loopback_devices():  # /sys has it: the host's
        return VcamError(f"{device} is a v4l2loopback device of this machine's kernel, but there is no {device} here "
                         f"({detail})", pass_in(device))
    if device and "does not exist" in text and loopback_devices():
        return _no_such_device(device, detail, loopback_devices(), checked)
    where = f" {device}" if device else ""
    return VcamError(f"no virtual camera{where} could be opened ({detail})",
                     no_device_help(device=device if "does not exist" in text else None))
