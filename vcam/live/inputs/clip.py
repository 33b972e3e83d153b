"""A clip (`file:`) and a still image (`image:`) as the stream's input.

A clip plays at its own speed on the show's timeline, counted in frames, not by the clock: the show's input frame
n is the clip's frame at time n / show_fps, looped, so a 60 fps clip in a 30 fps show gives every other frame and
a 10 fps one each frame three times, and a replay of the control log or a render gets the same frames. A clip at
the show's rate (within RATE_MATCH) gives frame n mod length, one for one. It is decoded as it plays (never loaded
whole): read on from where the last read stopped, reopened from the start when a block goes back (a failed block
retried, a loop). The frames of the last couple of blocks are kept, so a retried block reads nothing again.
A clip with an alpha channel is decoded by PyAV, OpenCV dropping the alpha, and shows over black as an image does.
"""
from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from fractions import Fraction
from functools import partial

import numpy as np

from vcam.errors import EMPTY_FIX, READ_FIX, bug_place, described
from vcam.inspec import (HEIC_CLIP_FIX, HEIC_CLIP_WHY, KIND_ENDINGS, alike_fix, is_heic, missing_fix, spaced_fix,
                         visible_files)
from vcam.outspec import rate_said
from vcam.storednames import as_stored_within
from vcam.words import name_listed, name_said, shell_word
from vcam.live.frames import (DAMAGED_IMAGE_FIX, HEADER_CHUNKS, PNG_MAGIC, WEBP_ANIMATION, HeadFirst, ImageError,
                              fallback_refusal, fit, is_png, is_webp, jpeg_header, over_black_bgr,
                              png_chunk_before_data, png_chunks, quiet_cv2, read_shown, moving_video, shows_as_decoded,
                              undecoded_fix, undecoded_why, webp_chunks, webp_flags)
from vcam.live.inputs.clip_reload import Reload
from vcam.live.mp4boxes import children
from vcam.live.inputs.source import InputError, Say, repeat

# Clips up to this size (other than MOV/MP4) have their packets read through as they open, to count their frames
# (~0.1 s for 100 MB): a larger one is counted by its duration, as OpenCV does
COUNT_PACKETS_BYTES = 1 << 30
NOT_INTERLACED = (0, 1)  # FFmpeg's field orders AV_FIELD_UNKNOWN (VP9 says none) and AV_FIELD_PROGRESSIVE
KEEP = 24  # decoded frames kept: two blocks, enough for the retry of a failed block
SHOW_FPS = 30.0  # the show's frame rate where none is given (ShowSettings.fps's default)
# A clip this close to the show's rate plays one frame per show frame: a 29.97 fps clip in a 30 fps show would
# otherwise repeat a frame every 33 s, a hitch for a difference of speed nobody sees.
RATE_MATCH = 0.01
# What a clip opened again takes over from the one it was opened beside (ClipSource._adopt)
DECODING = ("_cap", "_alpha", "length", "rate", "step", "_next", "_failed", "_dead_from", "_kept", "_last")
# libvpx's decoders, which read the alpha a WebM carries beside the picture
VPX_ALPHA = {"vp8": "libvpx", "vp9": "libvpx-vp9"}
CONVERT = "ffmpeg -i {path} -c:v libx264 -pix_fmt yuv420p clip.mp4"
# The longest a render waits for a clip's file exported again to open and decode up to the render's frame: minutes
# for a long 1080p clip far into a show, where a FIFO or a stalled network share never opens and held the render
# for good. Past it the render plays on the clip as it was, as the show did while the file did not open.
OFFLINE_WAIT_S = 300.0
# A render that has waited this long for such a file says that it waits, and how long at most: up to minutes with
# no word, the render looked frozen.
OFFLINE_SAY_S = 5.0
# How often a render waiting for such a file looks whether it was asked to stop (Ctrl-C): the stop is set by a
# signal handler in the very thread that waits, where setting an event that thread waits on could deadlock it, so
# the wait is cut into slices of this long (a power of two: the bounds above are whole numbers of them).
STOP_LOOK_S = 0.25


def _check_file(path: str, what: str, kind: str) -> str:
    path = os.path.expanduser(path)
    if os.path.islink(path) and not os.path.exists(path):  # `ls` lists it: "no such file" read as a wrong path
        target = os.path.join(os.path.dirname(path), os.readlink(path))
        raise InputError(f"{what} {path} is a link to {target}, which is not there",
                         "mount the drive it is on, or link to where the file now is")
    if os.path.isdir(path):  # `--in file:clips`: said as a path to check, where the path was right
        raise InputError(f"{what} {path} is a folder, not a file", _one_file_in(path, kind))
    if os.path.exists(path) and not os.path.isfile(path):  # the path is right: checking it was no fix
        raise InputError(f"{what} {path} is a named pipe or a device, not a file", f"give a file: {kind}:PATH")
    listings: dict[str, list[os.DirEntry]] = {}  # its folder read once, for the Mac's name and the names alike
    # held to its folder: a network path was held only as admitted. The name a Mac stored it under: played as it is
    if (stored := as_stored_within(path, listings)) is not None:
        return _check_file(stored, what, kind)
    if not os.path.isfile(path):
        raise InputError(f"{what} {path}: no such file",
                         spaced_fix(path, kind) or alike_fix(path, kind, listings) or missing_fix(kind))
    if not os.access(path, os.R_OK):  # else said as damaged (a clip) or as no image, with a fix that would not help
        raise InputError(f"{what} {path} cannot be read (permission denied)", READ_FIX)
    if os.path.getsize(path) == 0:  # else said as damaged (a clip), or as not an image, with a fix that cannot help
        raise InputError(f"{what} {path} is empty (0 bytes)", EMPTY_FIX)
    return path


def _one_file_in(folder: str, kind: str) -> str:
    """The fix for a folder given as a clip or an image (`kind`): one file in it, with the first few it holds, in
    shell words as it is typed (`My Clips`); where it holds none, a file elsewhere, as one in it cannot be named."""
    noun, article = ("clip", "a") if kind == "file" else ("image", "an")
    try:
        # the kind's own first (a clip's for file:, a picture's for image:): a folder of photos given as file:
        # listed the first three by name, whatever they were
        names = sorted(visible_files(folder), key=lambda name: (not name.lower().endswith(KIND_ENDINGS[kind]), name))
    except OSError:  # not listed (no permission to read it): a file in it may still be named
        names = None
    if names == []:
        return f"the folder holds no file: name {article} {noun} file, {kind}:PATH"
    holds = f" (it holds {', '.join(map(name_listed, names[:3]))}{', ...' if len(names) > 3 else ''})" if names else ""
    if not _pastable(folder):
        return f"name one {noun} in it, {kind}:PATH{holds}; {_unpasted('input line')}"
    named = os.path.join(folder, "NAME")
    return f"name one {noun} in it: {shell_word(f'{kind}:{named}')}{holds}"


def _streams(path: str) -> tuple[int, int] | None:
    """(video streams, audio streams) FFmpeg finds in the file (PyAV), None where it cannot open it at all."""
    import av

    try:
        with av.open(path) as container:
            return len(moving_video(container)), len(container.streams.audio)
    except Exception:  # av.FFmpegError, or an OSError for a file that went away meanwhile
        return None


def _shows(path: str) -> bool:
    """Whether image: reads the picture at `path`: its end marker may be missing from its last bytes and the
    picture still whole (a phone's trailer after a JPEG's end), which is no damage. Read small, so a huge JPEG is
    read reduced; one too large to decode is no damage either (image: says so with its own fix)."""
    try:
        return read_shown(path, (16, 16, "crop")) is not None
    except ImageError:
        return True


def _undecodable(file: HeadFirst) -> InputError:
    """Why OpenCV gave no frame of the file (its header: _header), and the fix for that: converting a sound file or
    a recording still being written would not help, so those are told apart from a codec OpenCV does not read."""
    path = file.path
    convert = _conversion(path)
    if file.head is not None and is_heic(file.head):  # an iPhone's photo: was told damaged or still being recorded,
        # with the fix for a recording; it is a still, which image: does not show either until it is converted
        return InputError(f"cannot decode {path} as a video: {HEIC_CLIP_WHY}", HEIC_CLIP_FIX)
    if _text(file):  # a show file or a control log named where a clip goes: converting it would not help
        return InputError(f"{path} is a text file, not a video", "give a video file (file:PATH) or a picture "
                          "(image:PATH)")
    if _picture(file):  # one FFmpeg's decoders refuse (a 20000x20000 JPEG): converting it would not help
        shown = f"with {shell_word(f'image:{path}')}" if _pastable(path) else \
            f"as an image, image:PATH; {_unpasted('input line')}"
        if undecoded_fix(path, "") == DAMAGED_IMAGE_FIX and not _shows(path):  # image: would refuse it too
            return InputError(f"cannot decode {path}: it is a still picture, damaged or cut short (a copy or an "
                              "export that did not finish)", f"copy or export it again, then show it {shown}")
        return InputError(f"cannot decode {path} as a video: it is a still picture", f"show it {shown}")
    streams = _streams(path)
    if streams is not None and streams[0] == 0 and streams[1] > 0:
        return InputError(f"cannot decode {path} as a video: it has no video stream (sound only?)",
                          "give a video file; a still picture is image:PATH")
    if (streams is None or streams == (0, 0)) and not _video_header(file):  # a PDF, a zip, subtitles
        return InputError(f"cannot decode {path} as a video: it does not start as a video file does (a document, an "
                          "archive, subtitles?)", "give a video file (file:PATH) or a picture (image:PATH); a video "
                          "in a format this FFmpeg does not know: " + convert)
    if streams is None or streams == (0, 0):  # a cut-short MP4 may open with a data stream and nothing else
        return InputError(f"cannot decode {path} as a video: it is damaged, cut short or still being recorded",
                          "a recording (OBS, a phone) reads once it is stopped: stop it, or record to MKV, which "
                          "reads while it grows; otherwise " + convert)
    return InputError(f"cannot decode {path} as a video", convert)


def _conversion(path: str) -> str:
    """The fix converting a clip, with the command to paste as said, but for a name holding a control character."""
    if _pastable(path):
        return "convert it to H.264 in an MP4: " + CONVERT.format(path=shell_word(path))
    return f"convert it to H.264 in an MP4 with ffmpeg's -c:v libx264 -pix_fmt yuv420p; {_unpasted('command')}"


def _pastable(path: str) -> bool:
    """Whether a line naming `path` pastes as said: a control character in it (a tab, an ESC) is said escaped, as
    every name is, and would be pasted as a backslash and a letter, naming no file."""
    return name_said(path) == path


def _unpasted(what: str) -> str:
    """Why a fix gives no `what` (a command, an input line) to paste for a name _pastable refuses."""
    return f"no {what} for it is said to paste, as its name holds a control character that a pasted line would not keep"


# The first bytes of a video container, or of video bare: MP4 and MOV's first boxes, Matroska/WebM, Ogg, FLV, ASF,
# MXF, MPEG's start codes (a program stream, H.264 or MPEG-2 bare), Y4M, IVF, NUT, RealMedia, DV
_VIDEO_MAGIC = (b"\x1a\x45\xdf\xa3", b"OggS", b"FLV", b"\x30\x26\xb2\x75", b"\x06\x0e\x2b\x34", b"\x00\x00\x01",
                b"\x00\x00\x00\x01", b"YUV4MPEG2", b"DKIF", b"nut/multimedia container", b".RMF", b"\x1f\x07\x00")
TS_PACKET, M2TS_PACKET = 188, 192
_MOV_BOXES = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot", b"uuid", b"junk", b"styp", b"sidx")


def _video_header(file: HeadFirst) -> bool:
    """Whether the file starts as a video does (_VIDEO_MAGIC, an MP4/MOV box, an AVI, an MPEG-TS or M2TS packet) or
    as nothing yet (zeros), so that one FFmpeg cannot open is said as damaged or still being recorded, and another (a
    PDF, a zip, subtitles) as no video file: the fix for a recording cut short would not help it. True where it
    cannot be read. `file`: its header (_header)."""
    if file.head is None:
        return True
    head = file.head[:2 * M2TS_PACKET]  # zeros past two packets do not make a file unwritten
    avi = head[:4] == b"RIFF" and head[8:12] in (b"AVI ", b"AVIX")
    # a TS packet's sync byte, and the next one's where the file is that long; M2TS puts 4 bytes before each packet
    transport = any(head[at:at + 1] == b"G" and head[at + size:at + size + 1] in (b"", b"G")
                    for at, size in ((0, TS_PACKET), (4, M2TS_PACKET)))
    unwritten = not head.strip(b"\0")  # space a copy or a download set aside, still to be filled
    return head.startswith(_VIDEO_MAGIC) or head[4:8] in _MOV_BOXES or avi or transport or unwritten


# Files of text a show keeps beside its clips (a show file, a map, a control log), by their names' endings
_TEXT_ENDINGS = (".yaml", ".yml", ".json", ".jsonl", ".txt", ".md", ".csv")


def _text(file: HeadFirst) -> bool:
    """Whether the file (its header: _header) is named as a text file and its first bytes read as UTF-8 text."""
    head = file.head
    if not file.path.lower().endswith(_TEXT_ENDINGS) or head is None:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        return e.start >= len(head) - 3  # a character cut at the end of what was read
    return b"\0" not in head


# The headers of still pictures (JPEG, PNG, WebP, TIFF both ways round)
_PICTURE_MAGIC = (b"\xff\xd8\xff", PNG_MAGIC, b"II*\x00", b"MM\x00*")


def _picture(file: HeadFirst) -> bool:
    """Whether the file's header (_header) is a still picture's (an animated GIF or WebP plays as a clip)."""
    head = file.head
    if head is None:
        return False
    return (head.startswith(_PICTURE_MAGIC) or is_webp(head)) and not _may_be_animated(file)


# The first bytes of a file read once as a clip opens, for every look at its header: as many as the longest look
# takes (_text's; _video_header's two MPEG-TS packets, a picture's magic and flags, are well within them)
HEAD_BYTES = 4096


def _header(path: str) -> HeadFirst:
    """The file read from its first HEAD_BYTES (fewer where it is shorter; None where it cannot be read), read once
    for every look at its header, and on in the file by those that walk past them."""
    try:
        with open(path, "rb") as f:
            return HeadFirst(path, f.read(HEAD_BYTES))
    except OSError:
        return HeadFirst(path, None)


def _read_upright(file: HeadFirst) -> bool:
    """Whether the capture's first frame of the still picture `file` is as image: shows it, by its header: a
    JPEG (a phone's photo) whose EXIF says no turn, a PNG or WebP whose chunks say none and that has no alpha to show
    over black. Decoded again, a 24 MP JPEG cost up to half a second more as the input was put on air, on the
    stream's thread between blocks, and a 48 MP PNG twice its time to open and 300 MB more."""
    size, turn = jpeg_header(file.path, file.head or b"")
    if size is not None:
        return turn in (None, 1)
    return shows_as_decoded(file.path, file.head or b"")


def _capture(path: str):
    return quiet_cv2().VideoCapture(path)


def _packets(container) -> tuple[int, Fraction | None]:
    """The video packets of the clip open in PyAV's `container` that give a frame, counted without decoding, and
    the frame rate their timestamps say (frames over the time from the first to the last); (0, None) where it
    cannot tell. Those an MP4's edit list hides (a trim) give none, nor do those before the first keyframe (a cut
    between keyframes)."""
    try:
        stream = container.streams.video[0]
        times, first_key = [], None  # only the times are kept: the packets of a long ProRes clip fill memory
        for packet in container.demux(stream):
            if first_key is None and packet.is_keyframe:  # a hidden one too: the frames after it decode
                first_key = len(times)
            if packet.size and not packet.is_discard:
                times.append(packet.pts)
        times = times[first_key or 0:]
        span = max(times) - min(times) if len(times) > 1 and None not in times else 0
        rate = Fraction(len(times) - 1) / (span * stream.time_base) if span and stream.time_base else None
        return len(times), rate
    except Exception:  # no video stream, or damaged where OpenCV still reads on
        return 0, None


def _header_rate(stream) -> Fraction | None:
    """The video stream's average frame rate as its header says (FFmpeg's avg_frame_rate: for an MP4 its frames
    over its duration, so a phone's variable rate reads as its average), None where there is none."""
    rate = stream.average_rate
    return Fraction(rate) if rate and rate > 0 else None


def _fragmented(path: str) -> bool:
    """Whether the MP4/MOV at `path` is one whose frames may lie in movie fragments (its moov holds an mvex), or
    whose boxes do not read as whole. A fragmented file with a sidx can list its first fragment in the moov's
    sample table, the rest read only as they are reached: that table would count a 30-frame clip as 5."""
    try:
        with open(path, "rb") as f:
            for kind, body, end in children(f, 0, os.fstat(f.fileno()).st_size):
                if kind == b"moov":
                    inner = list(children(f, body, end))
                    whole = (inner[-1][2] if inner else body) == end
                    return not whole or any(k == b"mvex" for k, _, _ in inner)
    except OSError:
        pass
    return True


def _still(format_name: str, declared: int) -> bool:
    """Whether FFmpeg reads a file as one picture: by its image demuxers (image2, jpeg_pipe, png_pipe...), which
    declare at most one frame. A raw MJPEG stream (an IP camera's .mjpeg recording) starts as a JPEG does, but FFmpeg
    reads it as mjpeg, frame after frame."""
    return (format_name == "image2" or format_name.endswith("_pipe")) and declared <= 1


class Probe:
    """What PyAV reads of a clip as it opens, from one opening of the file: the decoder of its alpha (None: it has
    none), its header's frame rate, and on asking its packets counted. Where PyAV cannot open it, nothing is known
    and OpenCV plays it as it reads it."""

    def __init__(self, path: str):
        import av

        self.alpha: str | None = None
        self.rate: Fraction | None = None
        self.text = False  # FFmpeg took the file for ANSI art: a text file (.txt, .nfo) plays as a black picture
        self.cover_only = False  # a song whose one picture is its cover art, which OpenCV played as a still clip
        self.still = False  # FFmpeg reads the file as one picture (see _still)
        self._container = None
        try:
            self._container = av.open(path)
            self.text = self._container.format.name == "tty"
            streams = self._container.streams
            self.cover_only = bool(streams.audio and streams.video) and not moving_video(self._container)
            stream = self._container.streams.video[0]
            self.alpha, self.rate = _alpha_decoder(stream), _header_rate(stream)
            self.still = _still(self._container.format.name, stream.frames)
        except Exception:  # av.FFmpegError, no video stream, or an OSError for a file that went away meanwhile
            pass

    def indexed(self) -> int:
        """The clip's frame count as its MOV/MP4 sample table gives it, where that table alone settles it: every
        sample listed, none hidden by an edit list, the first a keyframe, all within the file (not cut short),
        as many as the header declares. FFmpeg's MOV demuxer gives one packet per sample of that table, so this is
        the count the packets would give, read without reading the file through or seeking; 0 where it does not
        settle it (another container, a fragmented, trimmed, cut or cut-short file)."""
        try:
            stream = self._container.streams.video[0]
            if "mov" not in self._container.format.name.split(",") or _fragmented(self._container.name):
                return 0
            entries = stream.index_entries
            count = len(entries)
            if count == 0 or count != stream.frames or not entries[0].is_keyframe:
                return 0
            end, size = 0, os.path.getsize(self._container.name)
            for entry in entries:
                if entry.is_discard or entry.size <= 0:
                    return 0
                end = max(end, entry.pos + entry.size)
            return count if end <= size else 0
        except Exception:  # no container, no video stream, or the file gone meanwhile
            return 0

    def worth_counting(self) -> bool:
        """Whether the clip's packets are read through to count its frames where its header's count checked out:
        a container other than MOV/MP4 (whose count is its sample table's), small enough to read at once, and not
        interlaced: H.264 coded as fields (a 1080i broadcast's recording) can give a packet per field, so the clip
        counted twice its frames held its last one for as long as it had played."""
        try:
            return ("mov" not in self._container.format.name.split(",")
                    and os.path.getsize(self._container.name) <= COUNT_PACKETS_BYTES
                    and self._container.streams.video[0].codec_context.field_order in NOT_INTERLACED)
        except Exception:  # no container, no video stream, or the file gone meanwhile
            return False

    def packets(self) -> tuple[int, Fraction | None]:
        """As _packets: the packets read through once (the file is not read again)."""
        return _packets(self._container) if self._container is not None else (0, None)

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None

    def __enter__(self) -> "Probe":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _checked_count(path: str, declared: int | None) -> int:
    """The count the header declares (OpenCV's, read here where None is given) where frame count-1 of the clip
    decodes and none after it (two seeks), else 0."""
    import cv2

    if declared is not None and declared <= 0:
        return 0
    cap = _capture(path)
    try:
        count = int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0) if declared is None else declared
        if count <= 0:
            return 0
        cap.set(cv2.CAP_PROP_POS_FRAMES, count - 1)
        if not cap.grab():
            return 0
        cap.set(cv2.CAP_PROP_POS_FRAMES, count)
        return 0 if cap.grab() else count
    finally:
        cap.release()


def _frame_count(path: str, declared: int | None, probe: Probe) -> tuple[int, Fraction | None]:
    """The number of frames the clip has, and their rate where counting them told it: the header's count where it
    checks out (the usual case: the rate is then the header's), by a MOV or MP4's sample table where that settles
    it (no seek: OpenCV's check seeks twice, each seek decoding up to a dozen frames, a second or more to open a
    1080p ProRes clip), else its video packets counted without decoding
    (a variable-rate MKV or WebM, whose header count and rate are its duration times a guessed rate: the packets'
    timestamps give the rate). OpenCV's check of a count seeks by that guessed rate, so it fails on a long
    variable-rate clip whatever the count: the packets are taken as they are, and a frame at the end that does not
    decode holds the last good one. Only where FFmpeg's demuxer finds no packet at all is the clip decoded through
    to count it, which takes as long as the clip has frames."""
    indexed = probe.indexed()
    if indexed and declared in (None, indexed):  # as the header's count checked out: the header's rate
        return indexed, None
    checked = _checked_count(path, declared)
    if checked:
        # OpenCV counts a clip by its duration, so one whose timestamps pause (a recording paused, 120 frames
        # over 5 h) was counted 540,000 frames long and held its last frame for the 5 h, never looping, and one
        # joined after another (timestamps going back) lost its second part; its packets are its frames
        packets = probe.packets()[0] if probe.worth_counting() else 0
        return (packets if not _one_of_an_animation(path, packets) else 0) or checked, None
    packets, rate = probe.packets()
    if packets > 0 and not _one_of_an_animation(path, packets):
        return packets, rate
    cap = _capture(path)
    try:
        count = 0
        while cap.grab():
            count += 1
        return count, None
    finally:
        cap.release()


def _alpha_decoder(stream) -> str | None:
    """The decoder that gives the alpha of the video `stream` (PyAV's) where it has one: "" for the stream's own
    (ProRes 4444, QuickTime Animation, PNG or FFV1 with alpha), libvpx's for a VP8 or VP9 WebM made with alpha
    (FFmpeg's own VP9 decoder leaves the alpha out: it travels beside the picture); None where there is no alpha,
    or no decoder for it."""
    import av

    name, tags = stream.codec_context.name, {k.lower(): v for k, v in stream.metadata.items()}
    components = stream.format.components if stream.format else ()
    if name in VPX_ALPHA and tags.get("alpha_mode") == "1":
        try:
            av.codec.Codec(VPX_ALPHA[name], "r")
        except Exception:  # an FFmpeg built without libvpx: the picture plays, as it did, without its alpha
            return None
        return VPX_ALPHA[name]
    return "" if any(component.is_alpha for component in components) else None


PASSED = object()  # a frame AlphaCapture passed on the way without decoding it


class AlphaCapture:
    """A clip with an alpha channel decoded by PyAV, each frame over black as BGR; read as OpenCV's capture is
    (grab, read, release). OpenCV's capture drops the alpha and shows whatever colour the transparent pixels hold,
    often white. The display matrix is applied, as OpenCV does (a phone's portrait clip comes in upright)."""

    def __init__(self, path: str, decoder: str):
        import av

        self._container = None
        try:
            self._container = av.open(path)
            self._stream = self._container.streams.video[0]
            self._decoder = av.CodecContext.create(decoder, "r") if decoder else None
            self._passing = False
            self._frames = self._decoded()
        except Exception:  # gone or being written again on air: no frame, as OpenCV's capture gives, and the clip
            self.release()  # holds its last one where failing the block would stop the show's picture
            self._frames = iter(())

    def _decoded(self):
        """The clip's frames in order; PASSED for a frame `_passing` asked to pass without decoding it, where its
        codec decodes each packet to its own frame and at once (ProRes: intra-only, no frame threads). A frame
        passed on the way to the one shown (a 60 fps clip in a 30 fps show, a reload's way up to the show's
        frame) cost a whole decode, a good part of a 1080p ProRes 4444 frame's time."""
        from av.codec.context import ThreadType

        decoder = self._decoder or self._stream.codec_context
        at_once = self._decoder is None and decoder.codec.intra_only and not decoder.thread_type & ThreadType.FRAME
        for packet in self._container.demux(self._stream):  # the last one, empty, flushes the decoder
            if self._passing and at_once and packet.size and packet.is_keyframe and not packet.is_discard:
                yield PASSED
                continue
            yield from decoder.decode(packet)

    def _next(self):
        try:
            return next(self._frames, None)
        except Exception:  # a damaged frame: decoding stops here, as OpenCV's grab does
            self._frames = iter(())
            return None

    def isOpened(self) -> bool:
        return self._container is not None

    def grab(self) -> bool:
        self._passing = True
        try:
            return self._next() is not None
        finally:
            self._passing = False

    def read(self) -> tuple[bool, np.ndarray | None]:
        import cv2

        frame = self._next()
        if frame is None:
            return False, None
        rgba = frame.to_ndarray(format="rgba")
        bgr = over_black_bgr(cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGR), rgba[:, :, 3:])
        turns = (getattr(frame, "rotation", 0) or 0) // 90
        return True, np.ascontiguousarray(np.rot90(bgr, turns)) if turns % 4 else bgr

    def release(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None


def _show_rate(fps: float) -> Fraction:
    if not fps > 0 or math.isinf(fps):
        raise ValueError(f"a clip plays in a show of a positive frame rate, not {fps!r}")
    return Fraction(fps).limit_denominator(10000)


def clip_step(clip_rate: Fraction | None, show_fps: float) -> Fraction:
    """Clip frames per show frame: 2 for a 60 fps clip in a 30 fps show, 1 where the rates match (within
    RATE_MATCH) or the clip's rate is unknown."""
    show = _show_rate(show_fps)
    if clip_rate is None or abs(clip_rate / show - 1) <= RATE_MATCH:
        return Fraction(1)
    return clip_rate / show


def _stamp(path: str) -> tuple | None:
    """The file as it is now: changed when it is written again or another is moved in under its name (the inode);
    None where it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_ino, st.st_mtime_ns, st.st_size


def _opened(path: str, alpha: str | None):
    """The capture a clip plays through: OpenCV's, or PyAV's with the decoder of its alpha."""
    return _capture(path) if alpha is None else AlphaCapture(path, alpha)


def _first(path: str, alpha: str | None) -> tuple:
    """(capture, first frame, alpha decoder): the first frame read once, by the capture the clip plays through,
    which stays open to read on; (None, None, None) where it does not decode. Where PyAV cannot decode a clip with
    alpha after all, it plays as OpenCV gives it, as it did before alpha was read."""
    cap = _opened(path, alpha)
    ok, first = cap.read() if cap.isOpened() else (False, None)
    if ok and first is not None:
        return cap, first, alpha
    cap.release()
    return _first(path, None) if alpha is not None else (None, None, None)


class ClipSource:
    """`file:PATH`, looped and fitted to width×height, at its own speed in a show of `fps` frames a second.
    InputError when the file is missing or does not decode. `say`: where a file replaced on air is told of, one
    line each time (reloaded, or not decoding or no thread to open it, and the clip playing on as it was).
    `offline` (a render): a file replaced is taken at the block after the one it is opened in, waiting for it
    there, where a show takes it at the first block after it is ready; that block depends on how fast it opened,
    so two renders of the same files could differ. `stop`: the render's stop request (its first Ctrl-C), which
    ends that wait at once, the block in progress made with the clip as it was."""

    def __init__(self, path: str, width: int, height: int, fit_mode: str = "crop", fps: float = SHOW_FPS,
                 say: Say = lambda text: None, offline: bool = False, stop: threading.Event | None = None):
        self.path = _check_file(path, "video file", "file")
        self.name = os.path.basename(self.path)
        self.say = say
        self.offline = offline
        self.stop = stop
        self.width, self.height, self.fit_mode, self._fps = width, height, fit_mode, fps
        self._stamp = self._seen = _stamp(self.path)  # taken first: a change while it opens is seen later
        self._gone = False  # the file was found gone since it was last opened
        self._said_gone = False  # and that said: "back" is said only after it
        self._cap = None
        self.reload: Reload | None = None  # the file as it now is, being opened beside the clip as it plays
        self._unstarted: tuple | None = None  # the file whose reload could not start a thread, said
        header = _header(self.path)  # read once for every look at it as it opens
        self._load(header)
        self._shown = 0
        if self.length == 1 and (convert := _gif_conversion(header)) is not None:
            say(f"clip {self.name} is animated, but this FFmpeg decodes only its first frame: it shows still; "
                f"convert it to a GIF to play it ({convert})")

    def _load(self, header: HeadFirst) -> None:
        """Opens the file as it is now and reads its first frame; InputError where it does not decode, the clip
        left as it was. `header`: the file's (_header)."""
        import cv2

        with Probe(self.path) as probe:  # the one PyAV opening of the file to learn about it
            if probe.text:
                raise InputError(f"{self.path} is a text file, not a video", "give a video file (file:PATH) or a "
                                 "picture (image:PATH)")
            if probe.cover_only:
                raise InputError(f"cannot play {self.path} as a video: it is a sound file, with no picture to play but "
                                 "its cover art", "give a video file; a still picture is image:PATH")
            cap, first, alpha = _first(self.path, probe.alpha)
            if cap is None:
                raise _undecodable(header)
            declared = None if alpha is not None else int(cap.get(cv2.CAP_PROP_FRAME_COUNT) or 0)
            try:
                # a still picture is one frame: OpenCV's check of its count decoded the whole photo again. Its header
                # alone does not tell: a raw MJPEG stream starts as a JPEG does
                still = _picture(header) and probe.still
                first = self._upright(first, header) if still else first
                length, counted_rate = (1, None) if still else _frame_count(self.path, declared, probe)
            except BaseException:
                cap.release()
                raise
            rate = counted_rate or probe.rate  # the clip's frames a second; None: unknown
        self.close()
        self._cap, self._alpha = cap, alpha  # _alpha None: OpenCV decodes it; else PyAV with this decoder
        self.length, self.rate = max(1, length), rate
        self.step = clip_step(self.rate, self._fps)
        self._next = 1  # the frame the open capture reads next
        self._failed: set[int] = set()  # frames where decoding stopped once: a second time, it stops there always
        self._dead_from = self.length  # the first frame that never decodes (the tail of a clip counted long)
        self._kept: OrderedDict[int, np.ndarray] = OrderedDict()
        self._last = self._keep(0, first)

    def _upright(self, first: np.ndarray, header: HeadFirst) -> np.ndarray:
        """The first frame of a still picture (never a raw MJPEG stream's, which starts as a JPEG does: its first
        frame was read twice, and turned where no other frame is), read as image: reads it: OpenCV's capture leaves
        out its EXIF orientation, so a phone's portrait photo given as file: came in on its side. `header`: as
        _load's."""
        if _read_upright(header):
            return first
        try:
            shown = read_shown(self.path, (self.width, self.height, self.fit_mode))
        except ImageError:  # too large for image: (a huge PNG), which the capture decoded all the same: as it read it
            return first
        return first if shown is None else quiet_cv2().cvtColor(shown, quiet_cv2().COLOR_RGB2BGR)

    def _follow_file(self, position: int) -> None:
        """A clip exported again over itself on air (or another moved in under its name) plays as it is now, its own
        length and rate, once the file has held still for a block: read on as the clip it replaced, it was cut at
        that one's length, or held a frame where it is shorter. While it changes from block to block (being
        written, or a recording growing) nothing is opened: each opening counts its packets, and a half-written
        file would not decode. One that does not decode, or gone, leaves the clip as it was, holding its frame; each
        new file is said once, reloaded or not decoding (an operator who exported again learns whether it took).
        Back after being gone as it was (a network drive's dropout, the file moved away and back), the frames that
        failed while it was gone are read again: failing twice from the top, they would otherwise hold for good.
        The new file is decoded from its top up to the show's frame, not sought: a seek by frame number lands by
        the rate the file's header gives, which a variable rate or an edit list can make the wrong frame. That is
        done beside the show (a Reload, aimed at `position`, where the next block starts), the clip playing on as
        it was until the new one is there: seconds for a long 1080p clip, which held up a block of the show."""
        stamp = _stamp(self.path)
        settled, self._seen = stamp == self._seen, stamp
        if stamp is None:
            # said once gone a whole block (a save that deletes and writes again is no news); unsaid, the clip
            # stuttered or froze with no word, its status line counting on
            if settled and not self._said_gone:
                self._said_gone = True
                self.say(f"clip {self.name} is gone ({self.path} was deleted or moved, or its drive dropped out): it "
                         "plays on with the frames it kept, the last one held between them; put the file back (or "
                         "mount its drive again), or give another input")
            self._gone = True
            return
        if not settled:
            if self.reload is not None and stamp != self._stamp:  # written again as it opened: wait for it
                self._drop_reload()
                self._stamp = None
            return
        if stamp == self._stamp:
            if self._gone:
                self._gone = False
                self._failed.clear()
                self._dead_from = self.length
                if self._said_gone:
                    self._said_gone = False
                    self.say(f"clip {self.name} is back: it plays as before")
            return
        previous, self._stamp, self._gone, self._said_gone = self._stamp, stamp, False, False
        self._drop_reload()
        try:
            self.reload = Reload(self._opened_again, position)
        except RuntimeError as e:  # no thread to be had (the process's limit, or memory): not a show stopper
            self._stamp = previous  # tried again at the next block, where a thread may have ended
            self._no_thread(stamp, e)

    def _no_thread(self, stamp: tuple, e: RuntimeError) -> None:
        """The thread that would open the file as it now is (`stamp`) could not start: said once for that file,
        the clip playing on as it was."""
        if self._unstarted == stamp:
            return
        self._unstarted = stamp
        self.say(f"clip {self.name} was exported again, but no thread could start to open it ({e}): it plays on as "
                 "it was, the new file tried again at each block; vcam's process is at its limit of threads or "
                 "memory (ulimit -u; close other programs)")

    def _opened_again(self) -> "ClipSource":
        """The clip's file as it now is, opened as the clip was (in the reload's thread)."""
        return ClipSource(self.path, self.width, self.height, self.fit_mode, self._fps)

    def _take_reload(self, start: int, count: int) -> None:
        """The reloaded clip in place of this one where it is ready for the block at `start`, said reloaded; said
        not decoding where it failed; else aimed at the next block. Offline, it is waited for at `start`, up to
        OFFLINE_WAIT_S (said past OFFLINE_SAY_S), then dropped (said): the clip plays on as it was; not where its
        file was written again since it began opening, nor once the render is asked to stop (it stops after this
        block, which plays the clip as it was)."""
        reload = self.reload
        if self.offline:
            stamp = _stamp(self.path)
            if stamp is not None and stamp != self._stamp:  # exported over again since: _follow_file drops it, as a
                return  # show does, and the newer file is waited for once it holds still
            reload.aim(start)
            if not self._waited_for(reload):
                if self._stopping():
                    return
                self._drop_reload()
                self.say(f"clip {self.name}: the file exported again over it did not open (and decode up to the "
                         f"render's frame) within {OFFLINE_WAIT_S:g} s: the render goes on with the clip as it was; "
                         f"check that {self.path} is a video file that reads (not a pipe, not on a stalled share)")
                return
        if reload.error is not None:
            e = reload.error
            self._drop_reload()
            # vcam's own code broke: the new file is not to blame. Not a LookupError: FFmpeg's index of a file
            # without a video stream (streams.video[0]) raises one for the file's own fault
            if bug_place(e) and not isinstance(e, LookupError):
                self.say(f"clip {self.name} could not be reloaded ({described(e)}): it plays on as it was")
                return
            why = e.message if isinstance(e, InputError) else f"{type(e).__name__}: {e}"
            self.say(f"clip {self.name} was replaced by a file that does not decode ({why}): it plays on as it "
                     "was; export it again, letting the export finish, or check the file")
            return
        fresh = reload.take(start)
        if fresh is None:
            reload.aim(start + count)
            return
        self.reload = None
        self._adopt(fresh)
        rate = f" at {rate_said(float(self.rate))} fps" if self.rate else ""
        self.say(f"clip {self.name} reloaded: {self.length} frames{rate}")

    def _waited_for(self, reload: Reload) -> bool:
        """Whether `reload` got ready within OFFLINE_WAIT_S; said once it has waited OFFLINE_SAY_S. False at once
        where the render is asked to stop, before or during the wait: the first Ctrl-C, which stops the render
        after the block in progress, otherwise took effect only once the wait was over, up to minutes later."""
        if self._ready_within(reload, OFFLINE_SAY_S):
            return True
        if self._stopping():
            return False
        self.say(f"clip {self.name} was exported again: the render waits for the new file to open and decode up to "
                 f"the render's frame, up to {OFFLINE_WAIT_S / 60:g} min (Ctrl-C stops the render here)")
        return self._ready_within(reload, OFFLINE_WAIT_S - OFFLINE_SAY_S)

    def _stopping(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def _ready_within(self, reload: Reload, wait_s: float) -> bool:
        """Whether `reload` got ready within `wait_s`; where the render can be stopped, waited for in slices of
        STOP_LOOK_S, False as soon as it is asked to stop (counted in slices, not read off a clock: each slice
        waits its whole length unless the reload gets ready)."""
        if self.stop is None:
            return reload.ready.wait(wait_s)
        left = wait_s
        while not reload.ready.is_set():
            if left <= 0 or self.stop.is_set():
                return False
            reload.ready.wait(min(left, STOP_LOOK_S))
            left -= STOP_LOOK_S
        return True

    def _adopt(self, fresh: "ClipSource") -> None:
        """Plays on as `fresh` (the file opened again) decodes, from where it stopped."""
        self.close()
        for name in DECODING:
            setattr(self, name, getattr(fresh, name))
        fresh._cap = None

    def _drop_reload(self) -> None:
        if self.reload is not None:
            self.reload.cancel()
            self.reload = None

    def step_toward(self, position: int) -> bool:
        """One frame decoded (or passed on the way) toward the clip's frame for the show's frame `position`; True
        once it is read, or never will be (Reload's step)."""
        index = self.index(position)
        if index in self._kept or index >= self._dead_from:
            return True
        if self._cap is None or index < self._next:
            self._reopen()
            return False
        if self._next == index:
            self._read(index)
            return True
        if self._cap.grab():
            self._next += 1
            return False
        self._stopped_at(self._next, before=True)
        # stopped there once, it is read again from the top here (twice, it holds for good), not in the show's block
        return index >= self._dead_from

    def _open(self):
        return _opened(self.path, self._alpha)

    def _keep(self, index: int, bgr: np.ndarray) -> np.ndarray:
        import cv2

        frame = fit(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), self.width, self.height, self.fit_mode)
        self._kept[index] = frame
        while len(self._kept) > KEEP:
            self._kept.popitem(last=False)
        return frame

    def _read(self, index: int) -> np.ndarray:
        if index in self._kept:  # the last good one shown, for a frame that does not decode after it
            self._kept.move_to_end(index)
            self._last = self._kept[index]
            return self._last
        if index >= self._dead_from:  # decoding there from the top again would stop at the same frame
            return self._last
        if self._cap is None or index < self._next:
            self._reopen()
        while self._next < index and self._cap.grab():
            self._next += 1
        ok, bgr = self._cap.read() if self._next == index else (False, None)
        if not ok or bgr is None:  # a damaged frame inside the clip: the show goes on with the last good one
            self._stopped_at(self._next, before=self._next < index)
            return self._last
        self._next = index + 1
        self._last = self._keep(index, bgr)
        return self._last

    def _stopped_at(self, frame: int, before: bool) -> None:
        """Decoding stopped at `frame`, `before` the frame asked for (else at it). Once, it is read again from the
        top next time (a damaged frame may decode then). Where it stops at a frame passed on the way a second time,
        the frames from there on show the last good one: reading each from the top again would decode the whole
        clip up to there for every frame shown, to stop there again. A frame that fails only as it is read does
        not stop the frames after it: they are passed on the way."""
        self._cap.release()
        self._cap = None  # where it stopped is unknown: the next read starts again from the top
        if before and frame in self._failed:
            self._dead_from = min(self._dead_from, frame)
        self._failed.add(frame)

    def _reopen(self) -> None:
        if self._cap is not None:
            self._cap.release()
        self._cap, self._next = self._open(), 0

    def index(self, position: int) -> int:
        """The clip's frame for the show's input frame `position`: the one on screen at position / show_fps,
        looped (exact arithmetic, so every replay and render picks the same one)."""
        return math.floor(position * self.step) % self.length

    def frames(self, start: int, count: int) -> np.ndarray:
        """The clip's frames for the show's input frames start + i, i < count: [count, H, W, 3] RGB uint8."""
        if self.reload is not None:
            self._take_reload(start, count)
        self._follow_file(start + count)
        indices = [self.index(start + i) for i in range(count)]
        self._shown = indices[-1] if indices else self._shown
        return np.stack([self._read(k) for k in indices])

    def status(self) -> str:
        return f"in {self.name} {self._shown + 1}/{self.length}"

    def unchanged(self) -> bool:
        """Whether the file is still the one the clip opened (not written again, replaced or gone since)."""
        return self._stamp is not None and _stamp(self.path) == self._stamp

    def unchanged_later(self) -> Callable[[], bool]:
        """`unchanged`, to ask once the clip is closed: it holds the path and the stamp, not the clip's frames."""
        return partial(_same_stamp, self.path, self._stamp, _stamp)

    def close(self) -> None:
        self._drop_reload()  # not waited for: an input switched away on air waited on the file opening
        if self._cap is not None:
            self._cap.release()
            self._cap = None


def animated_frames(path: str) -> int | None:
    """Where the image at `path` is an animation that FFmpeg plays as a clip (a GIF; an animated WebP or PNG where
    this FFmpeg decodes them): its frame count, 1 where its header gives none; None for a still image."""
    if not _may_be_animated(_header(path)):  # a photo is not decoded a second time: `input image:` opens on air
        return None
    import av

    try:
        with av.open(path) as container:
            stream = container.streams.video[0]
            decoded = sum(1 for _, _ in zip(range(2), container.decode(stream)))
            if decoded > 1:
                return stream.frames or 1
    except Exception:  # av.FFmpegError, IndexError (no video in it): OpenCV's capture may read it still
        pass
    return _captured_animation(path)


def _captured_animation(path: str) -> int | None:
    """1 where OpenCV's capture, which file: plays a clip through, gives a second frame of the image at `path`: its
    FFmpeg may decode an animation that PyAV's does not (an animated WebP), said as shown still without a word."""
    cap = _capture(path)
    try:
        return 1 if cap.isOpened() and cap.grab() and cap.grab() else None
    finally:
        cap.release()


def _one_of_an_animation(path: str, packets: int) -> bool:
    """Whether `packets`, FFmpeg's count of the file's video packets, is the one its WebP demuxer gives a whole
    animation (FFmpeg 8.1 still does), which OpenCV's capture plays frame by frame: counted by decoding instead."""
    return packets == 1 and _may_be_animated(_header(path))


def _gif_conversion(file: HeadFirst) -> str | None:
    """The command that converts the file to a GIF where it is an animated WebP or PNG of more than one frame by its
    chunks (a GIF of one frame is a GIF still; a WebP or PNG of one frame has no more to play): one that this FFmpeg
    decodes one frame of, counted so, played still without a word; None for any other file. `file`: its header
    (_header)."""
    head = file.head
    if head is None or head.startswith(b"GIF8") or not _may_be_animated(file) or _frames_said(file) < 2:
        return None
    # ImageMagick reads an APNG as a PNG, its first frame alone, unless told it is one; `convert` is the name both
    # ImageMagick 6 (Ubuntu 24.04's) and 7 answer to, `magick` 7's alone
    return "convert apng:IN.png OUT.gif" if is_png(head) else "convert IN.webp OUT.gif"


def _frames_said(file: HeadFirst) -> int:
    """The frames of an animated WebP (its ANMF chunks) or PNG (its acTL chunk's count), counted up to 2; 2 where its
    chunks cannot be read (it may be more)."""
    try:
        with file as data:
            if is_png(file.head or b""):
                chunks = png_chunks(data.read, HEADER_CHUNKS)
                at = next((at for at, _, kind in chunks if kind in (b"acTL", b"IDAT")), None)
                count = data.read(at + 4, 8) if at is not None else b""
                return int.from_bytes(count[4:], "big") if count[:4] == b"acTL" and len(count) == 8 else 2
            return sum(1 for _ in zip(range(2), (k for _, _, k in webp_chunks(data.read) if k == b"ANMF")))
    except (OSError, ValueError):
        return 2


def _may_be_animated(file: HeadFirst) -> bool:
    """Whether the file's header allows more frames than one: a GIF, a PNG with an animation chunk (acTL) before its
    image data, a WebP with its animation flag. Read from the first bytes, where decoding a 24-megapixel JPEG with
    FFmpeg to find one frame took half a second more, the show's frames held meanwhile. `file`: its header
    (_header)."""
    head = file.head
    if head is None:
        return False
    if head.startswith(b"GIF8"):
        return True
    if is_webp(head):
        return bool((webp_flags(head) or 0) & WEBP_ANIMATION)
    if not is_png(head):
        return False
    # APNG's rule: its animation chunk comes before its first image data; the chunks before it (an ICC profile,
    # text, EXIF) may run past the head, and are read on in the file
    try:
        with file as data:
            return png_chunk_before_data(data.read, b"acTL") is True
    except OSError:
        return False


def _same_stamp(path: str, stamp: tuple | None, stamped: Callable[[str], tuple | None]) -> bool:
    """`stamped`: how the file is stamped, which for an image counts its change time too (_image_stamp)."""
    return stamp is not None and stamped(path) == stamp


def _image_stamp(path: str) -> tuple | None:
    """An image's file as _stamp has it, with its change time: made readable by `chmod`, it is read again."""
    stamp = _stamp(path)
    try:
        return stamp and (*stamp, os.stat(path).st_ctime_ns)
    except OSError:
        return None


def _no_image(path: str) -> InputError:
    """Why the file at `path` does not show as an image: a sound file (a song dropped in) is said as one, where the
    fix offered file:, which has no picture to play from it either; a video as one, with the line that plays it,
    where the fix was to convert it to a picture."""
    kind = fallback_refusal(path).kind
    if kind == "sound":
        return InputError(f"cannot read {path} as an image: it is a sound file, with no picture in it",
                          "give a picture (image:PATH) or a video (file:PATH)")
    if kind == "video":
        played = f"play it as a clip: {shell_word(f'file:{path}')}" if _pastable(path) else \
            f"play it as a clip, file:PATH; {_unpasted('input line')}"
        return InputError(f"cannot read {path} as an image: it is a video", played)
    fix = undecoded_fix(path, "use a PNG, JPEG or WebP image; a video is file:PATH")
    why = undecoded_why(fix, "")
    return InputError(f"cannot read {path} as an image" + (f": {why}" if why else ""), fix)


class _Decoded:
    """An image saved again, decoded in a Reload's thread: it is there at once (step_toward)."""

    def __init__(self, path: str, fitted: tuple):
        frame = read_shown(path, fitted)  # ImageError, too large to decode: said with its own fix
        if frame is None:
            raise ValueError("does not read as an image")
        self.frame = frame

    def step_toward(self, position: int) -> bool:
        return True

    def close(self) -> None:
        pass


class ImageSource:
    """`image:PATH`: one still, fitted to width×height, the input of every frame of every block. An image saved
    again on air (an edited logo) is shown as it now is, as a clip exported again is; not where `follow` is False
    (a render: its blocks would depend on when the save came)."""

    def __init__(self, path: str, width: int, height: int, fit_mode: str = "crop", say: Say = lambda text: None,
                 follow: bool = True):
        self.path = _check_file(path, "image", "image")
        self.name = os.path.basename(self.path)
        self.say, self.follow = say, follow
        self._fitted = (width, height, fit_mode)
        self._stamp = self._seen = _image_stamp(self.path)  # taken first: a save while it is read is seen later
        self._decoding: Reload | None = None  # a save being decoded in its thread
        try:
            frame = read_shown(self.path, self._fitted)
        except ImageError as e:  # too large to decode: an input's error, as any image that cannot be read
            raise InputError(e.message, e.fix) from None
        if frame is None:
            raise _no_image(self.path)
        self.frame = frame
        self._say_animated()

    def _say_animated(self) -> None:
        """Where the image is an animation, that only its first frame shows, and how to play it: otherwise its
        first frame was shown still without a word."""
        if (frames := animated_frames(self.path)) is not None:
            count = f" ({frames} frames)" if frames > 1 else ""
            played = f"{shell_word(f'file:{self.path}')} plays it as a clip" if _pastable(self.path) else \
                f"file:PATH plays it as a clip ({_unpasted('input line')})"
            self.say(f"image {self.name} is animated{count}: only its first frame is used; {played}")
        elif (convert := _gif_conversion(_header(self.path))) is not None:  # file: would show it still as well
            self.say(f"image {self.name} is animated, but this FFmpeg decodes only its first frame: it shows still; "
                     f"convert it to a GIF to play it as a clip ({convert}, then file:OUT.gif)")

    def unchanged(self) -> bool:
        """Whether the file is still the one the image was read from (not saved again, replaced or gone since)."""
        return self._stamp is not None and _image_stamp(self.path) == self._stamp

    def unchanged_later(self) -> Callable[[], bool]:
        """`unchanged`, to ask once the image is closed: it holds the path and the stamp, not the picture."""
        return partial(_same_stamp, self.path, self._stamp, _image_stamp)

    def _follow_file(self) -> None:
        """The file saved again (or another moved in under its name) is read once it has held still from one block
        to the next: an editor writing in pieces, or a JPEG half written (which decodes grey at its foot), is not
        read meanwhile. It is decoded in a thread, the picture as it was shown until then: a large picture took
        seconds, which on the stream's thread held up a block. One that does not read, or gone, leaves the picture
        as it was; each save is said once."""
        self._take_decoded()
        stamp = _image_stamp(self.path)
        settled, self._seen = stamp == self._seen, stamp
        if not settled or stamp == self._stamp:
            return
        self._stamp = stamp
        if self._decoding is not None:  # an older save still decoding: this one replaces it
            self._decoding.cancel()
            self._decoding = None
        if stamp is None:
            self.say(f"image {self.name} is gone ({self.path} was deleted or moved): the picture stays as it was; "
                     "put the file back, or give another input")
        elif os.path.isdir(self.path):
            self.say(f"image {self.name} is a folder now ({self.path}): the picture stays as it was; put the image "
                     "back in its place, or give another input")
        elif not os.access(self.path, os.R_OK):  # a fix about the format would not help; a chmod is seen (ctime)
            self.say(f"image {self.name} was saved again, but it cannot be read (permission denied): the picture "
                     f"stays as it was; {READ_FIX}")
        else:
            self._decoding = Reload(lambda: _Decoded(self.path, self._fitted), 0)

    def _take_decoded(self) -> None:
        """The save decoded in its thread, put on air (or why it could not be, said), once it is done."""
        decoding = self._decoding
        if decoding is None or not decoding.ready.is_set():
            return
        self._decoding = None
        if isinstance(e := decoding.error, ImageError):  # too large to decode: its own fix, not a save again
            self.say(f"image {self.name} was saved again, but {e.message}: the picture stays as it was; {e.fix}")
            return
        if e is not None:
            self.say(f"image {self.name} was saved again but does not read as an image: the picture stays as it "
                     "was; save it again as a PNG, JPEG or WebP")
            return
        decoded = decoding.take(0)
        if decoded is not None:
            self.frame = decoded.frame
            self.say(f"image {self.name} reloaded")

    def frames(self, start: int, count: int) -> np.ndarray:
        if self.follow:
            self._follow_file()
        return repeat(self.frame, count)

    def status(self) -> str:
        return f"in {self.name}"

    def close(self) -> None:
        if self._decoding is not None:  # not waited for: the show's end never waits on a decode
            self._decoding.cancel()
            self._decoding = None
