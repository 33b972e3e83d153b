"""What `--out` and a show's output section may say: output specs and fit modes. Plain data, no frames, so the
show file's checks (vcam.control) need nothing of the live outputs."""
from __future__ import annotations

import fractions
import math
import os
import re
from dataclasses import dataclass

from vcam.errors import VcamError
from vcam.sizes import OUTPUT_RANGE, VIDEO_SIZES, other_separator, output_in_range
from vcam.words import nearest, quoted, shell_word

KINDS = ("vcam", "file", "window", "null")
FITS = ("letterbox", "crop", "stretch")
MIN_FPS, MAX_FPS = 1, 240  # a camera's frame rate: --fps, a show's output fps


def fraction_fps(text: str) -> float:
    """A frame rate written as a fraction, as ffmpeg and v4l2 write NTSC's 29.97 (30000/1001), which --fps and a
    show's output fps refused as "not a number"; ValueError with what to give where it is none, or out of range."""
    num, _, den = text.partition("/")
    try:
        parts = float(num), float(den)
        value = parts[0] / parts[1]
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"{text!r} is not a frame rate: give a number (29.97) or a fraction of two (30000/1001)") \
            from None
    if not all(math.isfinite(v) for v in (*parts, value)):  # said as --fps inf or 1e400 is, not "is nan frames/s"
        raise ValueError(f"{text} is not a finite number: give one at least {MIN_FPS} and at most {MAX_FPS}")
    if not MIN_FPS <= value <= MAX_FPS:
        raise ValueError(f"{text} is {value:g} frames/s: it must be at least {MIN_FPS} and at most {MAX_FPS}")
    return value


def rate_text(fps: float) -> str:
    """A frame rate as the operator would type it back: 29.97 or 123.4567 as such, and a fraction that no short
    decimal is (30000/1001, given as --fps or a show's fps) as that fraction, not the 29.97 it only rounds to."""
    if float(short := f"{fps:g}") == fps:
        return short
    decimal = repr(fps)  # the shortest that reads back as the same rate: 123.4567, 29.97002997002997
    exact = fractions.Fraction(fps).limit_denominator(1_000_000)
    fraction = f"{exact.numerator}/{exact.denominator}"
    # a decimal typed with more digits than {:g} keeps is shorter than its fraction (1234567/10000)
    return fraction if exact.numerator / exact.denominator == fps and len(fraction) < len(decimal) else decimal


def rate_said(fps: float) -> str:
    """A frame rate as a line says it: NTSC's rates (N/1001, given as 60000/1001) as they are known, 59.94, 29.97
    and 23.976, not {:g}'s six digits (59.9401); any other as {:g} says it."""
    ntsc = fps * 1.001
    if math.isfinite(ntsc) and abs(ntsc - round(ntsc)) < 1e-6 and round(ntsc) > 0:  # a peer's NaN is said, not raised
        return f"{round(fps, 3):g}"
    return f"{fps:g}"


@dataclass(frozen=True)
class OutputSpec:
    kind: str
    target: str | None = None
    width: int | None = None
    height: int | None = None

    def __str__(self) -> str:
        s = self.kind + (f":{self.target}" if self.target else "")
        return s + (f"@{self.width}x{self.height}" if self.width else "")


def parse_spec(text: str) -> OutputSpec:
    """`file:show.mp4@1280x720` → OutputSpec('file', 'show.mp4', 1280, 720); ValueError saying the forms."""
    usage = "use vcam, vcam:DEVICE, file:PATH.mp4, window or null, optionally followed by @WIDTHxHEIGHT"
    # a space copied in with the name (`--out "file:show.mp4 "`) was kept in it: "not .mp4 " and a fix to the same
    # file; as --in reads its input
    text = text.strip()
    # a capital X too, as --size takes it: `--size 832X480` ran while `@832X480` was refused
    size = re.search(r"@([0-9]+)[xX]([0-9]+)$", text)  # ASCII: ８３２ is offered as 832 (_size_meant)
    head, _, tail = text.rpartition("@")
    if not size and "@" in text and _looks_like_a_size(head, tail):
        # a size mistyped (@1280x72O, @720p, @hd, a bare @) would otherwise become part of the file's or device's
        # name, or be read as its extension (show.mp4@hd, refused as "not .mp4@hd" with an ffmpeg line)
        # from the output trimmed, and only one taken: `file:show.mp4 @832×480` was offered 'file:show.mp4 @832x480',
        # refused in turn for its space, and `@832×480` the @832x480 that names no output
        output = _trimmed(head)
        meant = _size_meant(tail, output.partition(":")[0])
        if meant and _taken(f"{output}@{meant}"):
            raise ValueError(f"output {quoted(text)}: {quoted('@' + tail)} is not a size; did you mean "
                             f"{shell_word(f'{output}@{meant}')}?")
        example = f"{output}@1280x720"
        said = f"give @WIDTHxHEIGHT, e.g. {shell_word(example)}" if _taken(example) else usage
        raise ValueError(f"output {quoted(text)}: {quoted('@' + tail)} is not a size; {said}")
    body = text[: size.start()] if size else text
    kind, _, target = body.partition(":")
    if kind not in KINDS:
        # rtmp://, srt://, udp://; not C://x.mp4, its one letter a Windows drive's
        if re.match(r"[A-Za-z][A-Za-z0-9+.-]+://", body):
            raise ValueError(f"unknown output {quoted(text)}: vcam sends no network stream; give --out vcam and stream "
                             "its camera from OBS (or record with file:PATH.mp4)")
        meant = _meant(body)
        said = f"did you mean {meant + text[len(body):]}? ({usage})" if meant else usage
        raise ValueError(f"unknown output {quoted(text)}: {said}")
    if kind == "file" and not target.strip():  # `file: @640x360`: no name, whatever spaces stand for it
        raise ValueError(f"output {quoted(text)} needs a path: file:PATH.mp4")
    if kind in ("window", "null") and target:
        raise ValueError(f"output {quoted(text)} takes no target: {usage}")
    if target[:1].isspace():
        # `file: a.mp4` recorded to " a.mp4", a name no one lists; refused with the output meant before a file is made
        meant = f"{kind}:{target.strip()}{text[len(body):]}"
        raise ValueError(f"output {quoted(text)}: a space after the colon is read as part of the name; "
                         f"did you mean {shell_word(meant)}?")
    if size and body != body.rstrip():
        # `file:show.mp4 @1280x720` recorded to "show.mp4 ", refused as "not .mp4 " with a fix that dropped the size
        meant = f"{body.rstrip()}{text[len(body):]}"
        raise ValueError(f"output {quoted(text)}: a space before the @ is read as part of the name; "
                         f"did you mean {shell_word(meant)}?")
    w, h = (int(size.group(1)), int(size.group(2))) if size else (None, None)
    if size and not output_in_range(w, h):
        raise ValueError(f"output size {w}x{h} is out of range ({OUTPUT_RANGE}); give one within it, e.g. "
                         f"{body.strip()}@1280x720, or leave @{w}x{h} out for the show's size")
    if size and kind in _EVEN_KINDS and (w % 2 or h % 2):
        # refused here, as `@+833x480` is: accepted, it was refused as the output opened, seconds into the start
        what = "recording size" if kind == "file" else "camera size"
        even = f"{body}@{w - w % 2}x{h - h % 2}"
        said = f"did you mean {shell_word(even)}?" if _taken(even) else "give an even WIDTHxHEIGHT"
        raise ValueError(f"output {quoted(text)}: {what} {w}x{h} must be even in both directions"
                         f"{' for H.264' if kind == 'file' else ''}; {said}")
    if kind == "file":
        target = os.path.expanduser(target)  # no shell expands a `~` after `file:`
    return OutputSpec(kind, target or None, w, h)


def _trimmed(output: str) -> str:
    """An output without the spaces around its colon and before its @ (`file: show.mp4 `), which parse_spec
    refuses as part of the name."""
    kind, colon, target = output.partition(":")
    return f"{kind.strip()}{colon}{target.strip()}"


# The outputs whose pixel formats share colour between pixel pairs: an odd size is refused as they open (camera.py,
# recording.py), seconds into the start
_EVEN_KINDS = ("vcam", "file")


def _size_meant(tail: str, kind: str = "") -> str | None:
    """_written_size_meant, made even for an output of `kind` that needs it: `file:x.mp4@+833x480` was offered
    file:x.mp4@833x480, which the recording then refused."""
    meant = _written_size_meant(tail)
    if meant is None or kind not in _EVEN_KINDS:
        return meant
    width, height = (int(side) for side in meant.split("x"))
    return f"{width - width % 2}x{height - height % 2}"  # as the output's own refusal offers it


def _written_size_meant(tail: str) -> str | None:
    """The WIDTHxHEIGHT a mistyped size after an output's @ was meant as: spaces round it dropped (`@ 832x480`),
    another separator or digits vcam does not read (`@832×480`, `@８３２x４８０`) as --size offers them, a sign
    (`@+832x480`, `@-832x480`) as --size offers the size without it, a recording's height named as video names it
    where that has one size (`@1080p`, which was given 1280x720 as its example). Not `@480p`: the model's 832x480 is
    not what a camera's or a recording's 480p is (640x480, 854x480)."""
    plain = re.fullmatch(r"\s*[+-]?([0-9]+)\s*[xX]\s*[+-]?([0-9]+)\s*", tail)
    if plain:
        return f"{plain.group(1)}x{plain.group(2)}"
    return _HD_NAMES.get(tail.strip().lower()) or other_separator(tail)


# Heights that name one 16:9 size wherever video is named by its height
_HD_NAMES = {f"{h}p": f"{w}x{h}" for w, h in VIDEO_SIZES if h >= 720}


def _taken(text: str) -> bool:
    """Whether parse_spec takes `text`: a fix offered is one that is not refused in turn."""
    try:
        parse_spec(text)
    except ValueError:
        return False
    return True


# Other words for an output's kind, as a newcomer writes them (the camera vcam feeds, the preview, no output)
_OTHER_WORDS = {"camera": "vcam", "cam": "vcam", "webcam": "vcam", "virtualcam": "vcam", "v4l2": "vcam",
                "v4l2loopback": "vcam", "obs": "vcam", "preview": "window", "screen": "window", "display": "window",
                "none": "null", "mp4": "file", "video": "file", "record": "file", "recording": "file"}


def _meant(body: str) -> str | None:
    """The output an unknown one (`body`, its size left out) was likely meant to be: a path without its `file:`, a
    device without its `vcam:`, a kind misspelt or named by another word; None where none is near."""
    drive = re.match(r"[A-Za-z]:(.+)", body)  # no kind is one letter: C:show.mp4, C:/x.mp4, C:\takes are a drive's
    if drive:
        rest = drive.group(1)
        if re.fullmatch(r"/dev/video\d+", rest):  # v:/dev/video2, a device behind a slip of the keys, not a path
            return f"vcam:{rest}"
        if rest[:1] in "/\\" or os.path.splitext(rest)[1].lower() in WRITTEN_EXTENSIONS:
            return f"file:{body}"
        return None  # n:x, C:show.avi: no more a path than anything else
    kind, colon, target = body.partition(":")
    if not colon and re.fullmatch(r"(/dev/)?video\d+", body):  # not /dev/videos/show.mp4, a folder of recordings
        # video10 alone is the device's name as v4l2-ctl and OBS's device list show it
        return f"vcam:/dev/{body.removeprefix('/dev/')}"
    if not colon and os.path.splitext(body)[1].lower() in WRITTEN_EXTENSIONS:
        return f"file:{body}"
    word = _OTHER_WORDS.get(kind.lower()) or nearest(kind.lower(), KINDS, cutoff=0.7)
    if word is None or (word in ("window", "null") and target):
        return None
    return f"{word}:{target}" if target else word


def _looks_like_a_size(head: str, tail: str) -> bool:
    """Whether the text after the last `@` was meant as a size: empty, starting with a digit (after spaces and a
    sign: `window@+832x480` was refused as an unknown output, its size unsaid), or after a name with an extension
    (show.mp4@hd); not a folder or a file (takes@2/show.mp4, show@2x.mp4), nor a name's own @ (me@home)."""
    if re.search(r"[/\\.]", tail):
        return False
    return not tail or tail.lstrip().lstrip("+-")[:1].isdigit() or bool(os.path.splitext(head.rpartition(":")[2])[1])


WRITTEN_EXTENSIONS = (".mp4",)  # what a recording writes: MP4, whatever the name says


def check_recording_name(path: str) -> None:
    """VcamError when the name says another format (take.avi, take.mkv), or none (take): the file would hold MP4 all
    the same, and a player or editor trusting the name would refuse it or misread it. Not a device (/dev/stdout,
    /dev/null) or a named pipe a program reads from, which have no extension. Text only but for that, so a show
    file's check names the line."""
    if path == "-":  # a shell's word for standard output: it made a file named -, and a player piped to waited
        stdout = "" if os.name == "nt" else "to send it to a program reading standard output (| ffplay -), use " \
            "file:/dev/stdout; "
        raise VcamError("cannot record to -: vcam takes it for a file named -, not standard output",
                        f"{stdout}to record to a file, name it: file:show.mp4")
    folder, name = os.path.split(path)
    ending = f".{name.strip('.').lower()}"
    if name.startswith(".") and ending in (*WRITTEN_EXTENSIONS, *VIDEO_EXTENSIONS):
        # `file:.mp4` (or `..mp4`, `.mp4.`, `.MKV`): the ending alone, read as a hidden file's name, was offered as
        # file:.mp4.mp4 (file:.MKV.mp4)
        mp4 = os.path.join(folder, "show.mp4")
        convert = "" if ending in WRITTEN_EXTENSIONS else \
            f", then convert it if {ending} is needed: ffmpeg -i {shell_word(mp4)} {shell_word(mp4[:-4] + ending)}"
        raise VcamError(f"cannot record to {path}: {name} is an ending with no name before it (a hidden file "
                        "that file managers do not list)", f"name the file: {shell_word(f'file:{mp4}')}{convert}")
    stem, ext = os.path.splitext(path)
    if ext.lower() in WRITTEN_EXTENSIONS:
        return
    if not ext:
        if not _no_file(path):
            # `--out file:show` recorded an MP4 named `show`, which no player opens as a video by its name
            raise VcamError(f"cannot record to {path}: vcam records MP4 video, and a name without .mp4 is not "
                            "opened as one by players and editors", f"use {shell_word(f'file:{path}.mp4')}")
        return
    # take.mp4. (a full stop typed after it), take.mp4.bak: the name is there already, not take.mp4.mp4
    mp4 = stem if os.path.splitext(stem)[1].lower() in WRITTEN_EXTENSIONS else stem + ".mp4"
    use = f"use {shell_word(f'file:{mp4}')}"
    if ext.lower() in VIDEO_EXTENSIONS:
        fix = f"{use}, then convert it if {ext} is needed: ffmpeg -i {shell_word(mp4)} {shell_word(path)}"
    else:  # no video converts to take.yaml or take.txt: an ffmpeg line to one would fail as it was pasted
        fix = f"{use} ({ext} is not a video format)"
        if ext.lower() in (".yaml", ".yml"):  # `--out file:club.yaml`, meaning the show to play
            fix += f"; a show file is played, not recorded to: vcam run {shell_word(path)}"
        elif ext.lower() in (".jsonl", ".json"):
            fix += "; a control log is written by vcam run --log-controls FILE.jsonl"
    raise VcamError(f"cannot record to {path}: vcam records MP4 video (.mp4), not {ext}", fix)


def _no_file(path: str) -> bool:
    """Whether `path` names what a recording streams into rather than a file to keep: a device (/dev/stdout for
    `| ffplay -`, /dev/null) or something there already that is no file (a named pipe); or a folder (takes/), which
    the start's check of the path says as one."""
    device = path.startswith("/dev/") and not path.startswith("/dev/shm/")  # /dev/shm holds files, kept as any
    if device or path.lower() == os.devnull.lower() or path.endswith(("/", os.sep)):
        return True
    return os.path.exists(path) and not os.path.isfile(path)


# Formats ffmpeg writes a video into, where converting the MP4 afterwards is the fix: containers, then raw streams.
# Not an image's (.png: one frame, without -frames:v 1 ffmpeg refuses), nor audio's (the MP4 has no sound)
VIDEO_EXTENSIONS = (".avi", ".mkv", ".mov", ".webm", ".m4v", ".ts", ".mts", ".m2ts", ".flv", ".wmv", ".mpg",
                    ".mpeg", ".ogv", ".ogg", ".3gp", ".3g2", ".mxf", ".gif", ".apng", ".y4m", ".nut", ".asf", ".vob",
                    ".f4v", ".dv", ".qt", ".mk3d", ".h264", ".264", ".hevc", ".h265", ".265", ".m2v", ".mjpeg",
                    ".mjpg", ".yuv")
