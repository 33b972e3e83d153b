"""What `--in`, a show's `input:` and the `input` command may say: the video a stream restyles. Plain data, no
frames, so the show file's checks and the command parser need nothing of the capture code (vcam.live.inputs).

    none                  text only (the default)
    camera                the first capture device; camera:N (an index) or camera:/dev/videoN (a path)
    file:clip.mp4         a clip, looped, at its own speed on the show's frames (counted, not by wall clock)
    image:photo.png       one still image, the input of every block
    net                   the frames a `vcam cam --send …` client uploads to `vcam serve`
"""
from __future__ import annotations

import os
import re
import shlex
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from vcam.outspec import VIDEO_EXTENSIONS
from vcam.storednames import as_stored, entries_in, missing_names
from vcam.words import clipped, name_said, nearest, number_said, shell_word

INPUT_KINDS = ("none", "camera", "file", "image", "net")
INPUT_FITS = ("crop", "letterbox", "stretch")
DEFAULT_INPUT_FIT = "crop"
# How much of the input survives: 1.0 replaces it by noise (text only), 0.0 keeps it as it is. Krea's demo lets
# the operator pick it (its slider starts at 0.8, whose first pass sees the input at 5 % under 95 % noise); this
# middle value keeps a camera's shapes and lets the prompt restyle them.
DEFAULT_STRENGTH = 0.6
# The note a reply to an input put on air has where strength 1 (text only) leaves nothing of it in the picture
HIDDEN_BY_STRENGTH = f"strength 1 is text only: lower it (strength {DEFAULT_STRENGTH:g}) to restyle the input"
# What `input` typed alone is told an input is, before a line to type
INPUT_SAID = "an input is the video the prompt restyles (a camera, a clip, a picture; input none: text only)"
USAGE = "use none, camera, camera:N, camera:/dev/videoN, file:PATH, image:PATH or net"
# The option that gives the input at start-up; the `input` command takes the same SRC while the show runs
FLAG = "--in"
# What a POSIX shell's escapes put a backslash before in a path (macOS Terminal and iTerm drop a file as
# `/Users/me/My\ Clips/loop\ \(2\).mp4`, a shell's tab completion writes `my\ loop.mp4`): punctuation only, so
# that a backslash before a letter or a digit (`clips\a.mp4`) stays. Not `~` (`\~` is no home folder).
SHELL_ESCAPED = frozenset(" !\"#$%&'()*+,:;<=>?@[]^`{|}")
# A path as Windows writes it, whose backslashes are its separators: a drive (`C:\`, `C:/`) or a share (`\\host`)
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")  # rtsp://host/cam, https://…: no file vcam could open
_WINDOWS_PATH = re.compile(r"^([A-Za-z]:[\\/]|\\\\)")
# Only to word the fix for a path given without its kind: vcam itself goes by the kind written (and then by what
# OpenCV decodes), never by a name's ending
# Other words for a kind, as one may write it before a path or an index
_OTHER_WORDS = {"cam": "camera", "webcam": "camera", "device": "camera", "clip": "file", "video": "file",
                "movie": "file", "photo": "image", "picture": "image", "still": "image", "img": "image"}
# One list for both readings of `camera x` (a space for the colon): _spaced_kind takes it as the kind's word, and
# _misnamed then says a camera is an index or a device, where `input camera` was offered, dropping the x
_CAMERA_WORDS = ("camera", "cam", "webcam")
_STILL_ENDINGS = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff")


@dataclass(frozen=True)
class InputSpec:
    kind: str
    target: str = ""  # camera: "" (the first), an index or a device path; file and image: a path

    def __str__(self) -> str:
        if self.target[:1].isspace() or unquoted(self.target) != self.target:  # read back, a space after the colon
            return f"{self.kind}:./{self.target}"  # is dropped, and quotes round the path: a name that has them
        return self.kind + (f":{self.target}" if self.target else "")

    @property
    def live(self) -> bool:
        """Frames that arrive on their own clock (a camera, an upload), as opposed to a clip or an image."""
        return self.kind in ("camera", "net")

    def relative_to(self, folder: str) -> InputSpec:
        """A file or image path given in a show file is read relative to the show's folder."""
        if self.kind in ("file", "image") and not os.path.isabs(os.path.expanduser(self.target)):
            return InputSpec(self.kind, os.path.join(folder, self.target))
        return self


def missing_fix(kind: str) -> str:
    """The fix for a file or image (`kind`) that is not there, as a show file or --in names it: a show file's are
    found before this (with their own fix), so this is said mostly of --in's, which were said to be relative to the
    show file where they are read from the folder vcam was started in."""
    return (f"check the path; a {FLAG} {kind}: path is relative to the folder vcam was started in, one in a show "
            "file to the show file's folder")


# The endings a file of each kind is named with, where one named alike is offered: a picture's for image: and a
# fallback, a video's for file:, a sound file's for neither (each is refused as the other kind)
_PICTURE_ENDINGS = (*_STILL_ENDINGS, ".gif")
KIND_ENDINGS = {"image": _PICTURE_ENDINGS, "file": (".mp4", *VIDEO_EXTENSIONS)}
# An iPhone's photo is named IMG_1.HEIC: offered for `image:IMG_1.jpg` (the name a converted copy gets), with the
# fix its own check gives, not as an input to type (it does not show)
_HEIC_ENDINGS = (".heic", ".heif")
_PHOTO_ENDINGS = (*_STILL_ENDINGS, *_HEIC_ENDINGS)  # read as an image: a still, or a photo said with its fix
_MEDIA_ENDINGS = (*_PICTURE_ENDINGS, *_HEIC_ENDINGS, ".mp4", *VIDEO_EXTENSIONS, ".mp3", ".wav", ".m4a", ".aac",
                  ".flac", ".opus")
# Why a HEIC photo does not show, and the fix: OpenCV reads no HEIC, and the fix for any other picture (to convert
# it, or to give a video as file:) named no tool that reads one
HEIC_WHY = "it is a HEIC photo (an iPhone's), which OpenCV does not decode"


def _heic_converted(name: str, out: str) -> str:
    """The fix for a HEIC photo: the commands that convert `name` to `out`, a JPEG, on a Mac and on Linux."""
    return f"convert it to JPEG or PNG: sips -s format jpeg {name} --out {out} on a Mac, heif-convert {name} {out} " \
           "on Linux"


HEIC_FIX = _heic_converted("IN.heic", "OUT.jpg")
# A HEIC named as a clip (file:): the run refuses it as a still, and a check of the show says so in the same words
HEIC_CLIP_WHY = "it is a HEIC photo (an iPhone's), a still picture"
HEIC_CLIP_FIX = f"{HEIC_FIX}; then show the JPEG with image:PATH"
# The first bytes a HEIC's file type box lies within, read to tell one by its content, whatever it is named
HEIC_HEAD_BYTES = 4096

# The brands of a HEIF still whose picture is HEVC coded (heic, heix: a photo; heim, heis: layered): not AVIF's
# (avif, avis), which OpenCV reads, nor an image sequence's (hevc, hevx), which an MP4 may name among its own
_HEIC_BRANDS = (b"heic", b"heix", b"heim", b"heis")


def is_heic(head: bytes) -> bool:
    """Whether the file's first bytes `head` start a HEIC: an ISO file type box naming a HEVC picture's brand, as
    the major one or among the compatible ones (a camera may put mif1 first), whatever the file is named."""
    if head[4:8] != b"ftyp":
        return False
    end = min(int.from_bytes(head[:4], "big"), len(head))
    return any(head[at:at + 4] in _HEIC_BRANDS for at in (8, *range(16, end - 3, 4)))


def heic_fix(name: str) -> str:
    """HEIC_FIX for the photo `name`, converted beside it to the JPEG of its name: the commands as they are run."""
    return _heic_converted(shlex.quote(name), shlex.quote(os.path.splitext(name)[0] + ".jpg"))


def alike_fix(path: str, kind: str, listings: dict[str, list[os.DirEntry]] | None = None) -> str | None:
    """The fix for a file not there whose folder holds one named alike, of the kind (`kind`: file, image; a
    fallback's is image): with its ending left out or another of the kind's (`logo`, `logo.png` there), or in
    another case alone (`Clip.mp4`, `clip.mp4` there); the names alone, at most three (a network sender is told no
    folder). A name's ending no media file has is part of the name (`take.2` is no take.mp4). None where it holds
    none: "check the path" sent the operator looking at the folder, where the file was. `listings`: the folders
    already read for the same path (storednames.entries_in), not read again."""
    folder, name = os.path.split(path)
    typed = name.casefold()
    stem, ending = os.path.splitext(typed)
    if ending not in _MEDIA_ENDINGS:
        stem = typed
    endings = (*KIND_ENDINGS[kind], *_HEIC_ENDINGS) if kind == "image" else KIND_ENDINGS[kind]

    def alike(other: str) -> bool:
        other_stem, other_ending = os.path.splitext(other.casefold())
        if other_ending in endings:
            return other_stem == stem
        return other_ending not in _MEDIA_ENDINGS and other.casefold() == typed

    try:
        names = sorted(e.name for e in entries_in(folder or os.curdir, listings) if alike(e.name) and e.is_file())
    except OSError:  # the folder is not there or cannot be listed: nothing alike to offer
        return None
    if not names:
        return None
    listed = ", ".join(name_said(n) for n in names[:3]) + (", ..." if len(names) > 3 else "")
    # after the list, which a network sender is not told (ALIKE_SAID): this names no file
    photo = next((n for n in names if n.lower().endswith(_HEIC_ENDINGS)), None)
    heic = "; a HEIC photo does not show: " + heic_fix(photo) if photo is not None else ""
    return f"its folder holds {listed}, {_ALIKE}{heic}"


_ALIKE = "named alike: check the name's case and its ending"


def _respace_key(name: str) -> str:
    return re.sub(r"[\s_]+", "", name.casefold())


def respaced_fix(fix: str, spec: InputSpec, flag: str = FLAG) -> str:
    """`fix` for a file or image (`spec`, as given) not there, where a path named alike but for spaces and underscores
    (or case), in the file's name or its folders' (`my clips/take1.mp4` for `my_clips/take 1.mp4`), is there: that
    one, offered as `flag` gives it (it was told only to check the path). For this machine's command line and console
    only: no folder is looked into for a network sender (alike_fix's names are taken out of its reply outside the
    shared folders)."""
    if spec.kind not in ("file", "image") or fix != missing_fix(spec.kind):
        return fix
    found = _respaced(os.path.expanduser(spec.target))
    if found is None:
        return fix
    return (f"{name_said(found)} is there, named alike but for spaces, underscores or case: did you mean "
            f"{flag} {shell_word(f'{spec.kind}:{found}')}?")


# Folders not there that a path is looked up through, named alike; past them it is said as any path not found (one
# slip of a folder's name is in one or two of them; a path of a thousand looked up one folder a call, to the stack's
# limit)
RESPACED_FOLDERS = 8
RESPACED_PATHS = 8  # paths named alike looked into at once (`my clips/` and `my_clips/` for `myclips/`)


def _respaced(path: str) -> str | None:
    """`path`, a file's not there, with each name in it that is not there replaced by the one its folder holds named
    alike but for spaces and underscores (or case); None where a name has none, or where two such paths are there
    (`take 1.mp4` and `take_1.mp4` for `take1.mp4`: offering one, the other went unsaid), or where the one there has a
    name no line shows as it is (a line break in it). Not one that differs by a space at either end alone:
    `art/ logo.png` is said as any path not found (spaced_fix offers the space after the colon)."""
    walked = missing_names(path, RESPACED_FOLDERS)
    if walked is None:
        return None
    found, names = [walked[0]], walked[1]
    for depth, name in enumerate(reversed(names)):
        file = depth == len(names) - 1
        there = os.path.isfile if file else os.path.isdir
        squeezed, step = _respace_key(name), []
        for parent in found:
            if depth and there(os.path.join(parent, name)):  # a folder's name was the slip, the name in it is right
                step.append(os.path.join(parent, name))
                continue
            try:
                # the names first: a file's type may cost a call to the system for each of a big folder's files
                step += [os.path.join(parent, e.name) for e in os.scandir(parent or os.curdir)
                         if e.name != name.strip() and _respace_key(e.name) == squeezed
                         and (e.is_file() if file else e.is_dir())]
            except OSError:  # the folder cannot be listed
                continue
        if not step or len(step) > RESPACED_PATHS:
            return None
        found = step
    return found[0] if len(found) == 1 and found[0].isprintable() else None


# alike_fix's fix as a text holds it, for a reply to take out where the folder is no one's to list
ALIKE_SAID = re.compile(r"its folder holds .*?, " + re.escape(_ALIKE))


def spaced_fix(path: str, kind: str, base: str | None = None) -> str | None:
    """The fix for a file or image (`kind`) not there whose path, as given, starts with a space and is there
    without it (`input image:\\ logo.png`): the space was read as part of the name. The path offered is the one
    given, without the space (`image:logo.png`, `image:/abs/logo.png`, `image:~/x.png`), never the folder it was
    made whole with: a network sender is not told where the show's files are. `base`: that folder (a show file's
    for its inputs; by default the working folder, which --in and the input command make theirs whole against).
    None where that file is not there either, or where the space is further in than the path as given begins."""
    parts = str(path).split(os.sep)
    spaced = next((i for i, part in enumerate(parts) if part[:1].isspace()), None)
    # `art/ logo.png`: a name that begins with a space, not a space after the colon; offered as `image:logo.png`,
    # it named a file of `base` that is not there either
    if spaced is None or (os.sep.join(parts[:spaced]) or os.sep) != (base or os.getcwd()):
        return None
    first = parts[spaced].strip()
    # ` /abs/logo.png`, made whole as folder/ /abs/logo.png: the space stands alone before a whole path
    given = os.sep.join([first, *parts[spaced + 1:]]) if first else os.sep + os.sep.join(parts[spaced + 1:])
    given = given.rstrip()
    whole = os.path.expanduser(given)
    if not os.path.isabs(whole):
        whole = os.sep.join([*parts[:spaced], given])
    if not given.strip(os.sep) or not os.path.isfile(whole):
        return None
    return f"did you mean {shell_word(f'{kind}:{given}')}? a space after the colon is read as part of the name"


# The camera of the machine one watches from, restyled here: at the start given as --in net to vcam serve. Said on
# air, where --in is no longer given, a vcam run has no input net to take (only a serve does): it restarts as one
SERVE_NET = f"here vcam serve with {FLAG} net"
SERVE_NET_ON_AIR = f"here input net in vcam serve (vcam run takes none: restart it as vcam serve {FLAG} net)"


# The same camera, as a vcam cam that sent the command reads it: its own machine is the one watched from
CAM_SEND = "restart vcam cam with --send camera"


def command_fix(fix: str, network: bool = False) -> str:
    """`fix` as said to an input given by a command on air: `input camera:N` where it names `--in camera:N`.
    `network`: said to a vcam cam, on the machine watched from, where "here … and there …" read the wrong way
    round."""
    fixed = fix.replace(f"{FLAG} ", "input ").replace(SERVE_NET.replace(f"{FLAG} ", "input "), SERVE_NET_ON_AIR)
    return fixed.replace(f"{SERVE_NET_ON_AIR}, and there vcam cam ws://… --send camera", CAM_SEND) if network \
        else fixed


def typed_fix(fix: str, written: InputSpec, network: bool = False) -> str:
    """The fix for an input that did not open, as said for the `input` command (`written`: its input as given): the
    command where the fix names the flag (`input camera:N`, not `--in camera:N`), and a path given relative is
    read from the folder vcam was started in (the controller makes it whole there), not the show file's."""
    if written.kind not in ("file", "image") or fix != missing_fix(written.kind):
        return command_fix(fix, network)
    if os.path.isabs(os.path.expanduser(written.target)):
        return "check the path"
    return f"check the path; a typed {written.kind}: path is relative to the folder vcam was started in, not to " \
           "the show file"


def missing_said(meant: InputSpec, flag: str = FLAG) -> str | None:
    """A path given without its kind (or by another word for it) that is not there either, as `flag` is given it:
    said not there at once, in the words a file: path not found is said with, with a file named alike in its folder
    where one is, and the form to give it in (`flag` file:PATH). The fix for the kind alone sent the operator back
    with a path that then failed as missing; the path given with its kind, offered, failed alike. None where the
    file is there, or the input is no file's."""
    if meant.kind not in ("file", "image"):
        return None
    path = os.path.expanduser(meant.target)
    whole = os.path.abspath(path)
    if os.path.exists(whole) or as_stored(whole) is not None:  # there, maybe under a Mac's name for it (NFD)
        return None
    what = "video file" if meant.kind == "file" else "image"
    if (found := _respaced(path)) is not None:  # `--in my_clips/take1.mp4` for 'my clips/take 1.mp4'
        return (f"{what} {whole}: no such file; {name_said(found)} is there, named alike but for spaces, underscores "
                f"or case: did you mean {flag} {shell_word(f'{meant.kind}:{found}')}?")
    where = "" if os.path.isabs(path) else f" (a {flag} path is relative to the folder vcam was started in)"
    # the form alone: the path offered with its kind named the file that is not there, and typed, failed again
    form = f"{flag} {meant.kind}:PATH"
    if (alike := alike_fix(whole, meant.kind)) is not None:
        return f"{what} {whole}: no such file{where}; {alike}, then give it with its kind: {form}"
    return f"{what} {whole}: no such file{where}: check the path, then give it with its kind: {form}"


class MeantError(ValueError):
    """An input not written as one, that most likely `meant` another (`why` it is not one): said as each place
    writes it (`as_said`: `input file:…`, `--in 'file:…'`, `--send camera:1`)."""

    def __init__(self, why: str, meant: InputSpec, said: str = ""):
        self.why, self.meant = why, meant
        super().__init__(self.as_said(said or str(meant)))

    def as_said(self, said: str) -> str:
        return f"{self.why}: did you mean {said}?"


class BarePathError(MeantError):
    """A path given without its kind (`/home/me/clip.mp4`, a file dropped on the terminal)."""

    def __init__(self, meant: InputSpec, said: str = ""):
        super().__init__("a path needs its kind first", meant, said)


def unescaped(path: str, windows: bool = os.name == "nt") -> str:
    """`My\\ Clips/loop\\ \\(2\\).mp4` → `My Clips/loop (2).mp4`: a shell's escapes in a path (SHELL_ESCAPED) taken
    out. Not in a Windows path (`windows`: as vcam runs there), whose backslashes separate folders, one of which may
    well be `(old)` or `[2024]`. Taking them out twice changes nothing more, so a canonical form reads back the
    same."""
    if "\\" not in path or windows or _WINDOWS_PATH.match(path):
        return path
    out, i = [], 0
    while i < len(path):
        pair = path[i:i + 2]
        if pair == "\\\\":  # a backslash of the name's own, as a shell writes it (a Mac drops `a\\b.mp4` for `a\b.mp4`)
            # made one where a second reading keeps it as it is (before a letter, a digit, a dot, at the end); kept
            # doubled before what it would escape in turn: `\\(` made `\(` would read back as `(`
            follows = path[i + 2:i + 3]
            out.append(pair if follows == "\\" or follows in SHELL_ESCAPED else "\\")
            i += 2
        elif len(pair) == 2 and pair[0] == "\\" and pair[1] in SHELL_ESCAPED:
            out.append(pair[1])
            i += 2
        else:
            out.append(path[i])
            i += 1
    return "".join(out)


def _looks_like_path(text: str) -> bool:
    """Whether an input that names no kind (nor an address, _URL) is a file's path: a folder in it, a home or
    relative start, a drive, or an ending such as .mp4 (`webcam` or `dvd` is a mistyped kind, not a file)."""
    return bool("/" in text or "\\" in text or text.startswith(("~", ".")) or _WINDOWS_PATH.match(text)
                or re.search(r"\.[A-Za-z0-9]{1,5}$", text))


def unquoted(text: str) -> str:
    """`"my clip.mp4"` → `my clip.mp4`: a path in quotes, as a shell or a show file's writer puts one with spaces,
    so the quotes are not kept in it. In single quotes, `'\\''` is a quote of the name, as GNOME Terminal and
    Konsole write one in a file dropped on them (`'/clips/Bob'\\''s loop.mp4'`)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1].replace("'\\''", "'") if text[0] == "'" else text[1:-1]
    return text


def _meant(path: str) -> InputSpec:
    """The input a bare path most likely is, for the fix to name: a device under /dev a camera, a picture's ending
    an image, else a clip. Only said: what then plays is the kind the operator writes."""
    if path.startswith("/dev/"):
        return InputSpec("camera", path)
    # an iPhone's photo too: offered file:, it was told damaged or a HEIC only as a clip; image: says how to convert it
    return InputSpec("image" if path.lower().endswith(_PHOTO_ENDINGS) else "file", path)


def split_kind(text: str) -> tuple[str, str, str]:
    """`image: /tmp/x.png` → ("image", ":", "/tmp/x.png"): an input as written, at its first colon, the spaces
    after a kind (or a word taken for one, _kind_meant: `clip: a.mp4`) dropped: written as one types a key and its
    value, the space is no part of the name (a name that starts with one is no name anyone means), and an OSC
    sender's `image:` and path values join with one. After a bare path's colon (`/clips/take: 2.mp4`, `take: 2.mp4`)
    they stay: they are the name's."""
    kind, sep, target = text.partition(":")
    word = kind.strip()
    return kind, sep, target.lstrip() if word.lower() in INPUT_KINDS or _kind_meant(word, target.lstrip()) else target


def _kind_meant(word: str, target: str) -> str | None:
    """The kind a word that is none before an input's colon is taken for: another word for one (`clip`) or one
    mistyped (`fil`), a camera only before a device (`cam:0`, not `cam:x`, which is no camera vcam opens); None for
    any other word (`take: 2.mp4` is a bare path)."""
    low = word.lower()
    if not target.strip() or not re.fullmatch(r"[a-z]{2,}", low):
        return None
    device = (target.isascii() and target.isdigit()) or target.startswith("/dev/")
    meant = "camera" if device else _OTHER_WORDS.get(low) or nearest(low, ("camera", "file", "image"))
    return meant if meant and (meant == "camera") == device else None


def _spaced_kind(text: str) -> tuple[str, str] | None:
    """`clip /clips/a.mp4` → ("clip", "/clips/a.mp4"): a kind, or another word for one, then a space where its
    colon goes. Another word only before what starts as a path does (a folder, home, a dot, quotes) or a camera's
    index: a file is named so (`Photo 1.png`, `clip 2.mp4`, in a show's folder this one cannot look in); None for
    it, and for any other text."""
    spaced = re.fullmatch(r"([A-Za-z]+)\s+(\S.*)", text)
    if spaced is None:
        return None
    word, rest = spaced.group(1).lower(), spaced.group(2)
    if word in (*_CAMERA_WORDS, "file", "image"):  # the kind's own name: `input file my clip.mp4`
        return spaced.group(1), rest
    if word in _OTHER_WORDS and (rest.startswith(("/", "~", ".", '"', "'")) or (rest.isascii() and rest.isdigit())):
        return spaced.group(1), rest
    return None


def _kind_by_ending(path: str) -> str | None:
    """`image` for a path a picture's ending names, `file` for a video's, else None: the kind offered for a path
    named with another word for a kind, which may be the wrong one (`clip: photo.png`, `photo: loop.mp4`)."""
    low = path.lower()
    if low.endswith(_PHOTO_ENDINGS):  # a HEIC is a photo, said so with its fix as an image
        return "image"
    return "file" if low.endswith((".mp4", *VIDEO_EXTENSIONS)) else None


def _misnamed(text: str) -> MeantError | None:
    """A kind mistyped or named by another word before its target (`fil:a.mp4`, `clip:a.mp4`, `cam:0`), a camera
    named as its index or device (`camera1`, `0`, `video0`, `webcam`): said as the input meant, where the fix for a
    path (`file:fil:a.mp4`) would keep the typo in the name."""
    kind, sep, target = split_kind(text)  # `clip: a.mp4` meant file:a.mp4, as parse_input reads `file: a.mp4`
    meant = _kind_meant(kind, target) if sep else None
    why = f"{kind!r} is no kind of input"
    spaced = None if meant else _spaced_kind(text)
    if spaced is not None:  # `clip /clips/a.mp4` was offered file:clip /clips/a.mp4, a file no one has
        kind, target = spaced
        meant, why = _kind_meant(kind, target), f"{text!r} is no input"
        if meant is None and kind.lower() in _CAMERA_WORDS and not target.startswith(("/", "#")):
            # `camera x` was offered `input camera`, the first camera, dropping the x the camera was named by (a
            # comment after `camera` is the command's to say)
            raise _no_camera(target)
    if meant in ("file", "image"):  # `photo:loop.mp4` offered image:loop.mp4, itself refused as no image
        meant = _kind_by_ending(unquoted(target)) or meant
    if meant:
        return MeantError(why, InputSpec(meant, target if meant == "camera" else unescaped(unquoted(target))))
    low = kind.lower()
    number = re.fullmatch(r"(?:cam|camera|webcam|video)?(\d*)", low)
    if not sep and low and number:
        index = number.group(1)
        return MeantError(f"{text!r} is no input", InputSpec("camera", str(int(index)) if index else ""))
    return None


def _address(url: str, kind: str, guessed: bool = False) -> ValueError:
    """A URL given as an input: vcam reads files and devices only, so the fix is the file downloaded; a file://
    one's is its path (it is no download). `guessed`: no kind was given (`file:///pics/logo.png`, its `file` the
    scheme's): the one its path's ending names is offered."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme.lower() == "file" and parsed.netloc in ("", "localhost"):
        path = urllib.parse.unquote(parsed.path)
        path = path[1:] if re.match(r"/[A-Za-z]:", path) else path  # file:///C:/clips/a.mp4
        kind = (_kind_by_ending(path) if guessed else None) or kind
        return ValueError(f"{url!r} is a file's address: give its path, as {shlex.quote(f'{kind}:{path}')}")
    what = "the clip and play it" if kind == "file" else "the image and show it"
    return ValueError(f"{url!r} is an address: vcam opens no stream by its URL: download {what} as {kind}:PATH")


def _is_address(target: str) -> bool:
    """Whether a file's or image's path is a URL (else said as no such file, at `rtsp:/host/cam`). `C://clips` is a
    drive, and a path that is there (a folder named `http:`) is a path: refused, it could not be played at all."""
    return bool(_URL.match(target)) and not _WINDOWS_PATH.match(target) and not os.path.lexists(target)


def _no_camera(target: str) -> ValueError:
    """A camera named by what is no index or device path (`camera:x`, `camera front`)."""
    return ValueError(f"camera {target!r} is neither an index (camera:0) nor a device path (camera:/dev/video0)")


def parse_input(text: str) -> InputSpec:
    """`file:clip.mp4` → InputSpec('file', 'clip.mp4'); ValueError saying the forms, BarePathError for a path
    without its kind. A path's shell escapes are taken out (unescaped)."""
    text = text.strip()
    kind, sep, target = split_kind(text)
    kind = kind.lower()
    if kind not in INPUT_KINDS:
        misnamed = _misnamed(text)
        if misnamed is not None:
            raise misnamed
        if _URL.match(text):
            raise _address(text, "file", guessed=True)
        if _looks_like_path(text):
            raise BarePathError(_meant(unescaped(text)))
        # a word sent over the network may run to thousands of characters: said back cut
        raise ValueError(f"unknown input {clipped(text, 41)!r}: {USAGE}")
    # a path in quotes after its kind (`file:"my clip.mp4"` in a show, `--in "image:'a b.png'"`), as the typed
    # command reads it: kept, they named no file. Not a file named with them, which is there (`"x.mp4"`)
    # only a path in quotes is looked for: one without names the same either way (a network line's, which looks
    # for nothing outside the shared folders, is read with no file of this machine looked at)
    if kind in ("file", "image") and unquoted(target) != target and not os.path.lexists(target):
        target = unquoted(target)
    if kind in ("none", "net") and sep:
        raise ValueError(f"input {text!r} takes nothing after '{kind}': {USAGE}")
    if kind in ("file", "image") and not target:
        raise ValueError(f"input {text!r} needs a path: {kind}:PATH")
    if kind in ("file", "image") and _is_address(target):
        raise _address(target, kind)
    if kind == "file" and target.startswith("//"):
        if not os.path.lexists(target):  # `file:///a%20b.mp4`, a file's address pasted whole, was looked for as
            raise _address(f"file:{target}", kind, guessed=True)  # the path /a%20b.mp4
        # the path a file that is there has: kept as typed, it read as an address once the file went (the status,
        # the state sent to every client, raised)
        target = "/" + target.lstrip("/")
    if kind == "camera" and sep and not target:
        raise ValueError(f"input {text!r} needs a device after 'camera:' (camera:0 or camera:/dev/video0)")
    if kind == "camera" and target and not (target.isascii() and target.isdigit()) and not target.startswith("/"):
        raise _no_camera(target)
    return InputSpec(kind, unescaped(target) if kind in ("file", "image") else target)


def check_strength(value: float) -> float:
    """A strength in [0, 1]; ValueError otherwise."""
    value = float(value)
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"strength must be from 0 (keep the input) to 1 (text only), not {number_said(value)}")
    return value + 0.0  # -0 typed is 0: replies and the status said "strength -0" and "-0.00"


def input_example(named: Iterable[str]) -> str:
    """An `input` line to type: the first clip or image of the inputs a show `named` that is there, else the first
    clip, then picture, in the working folder, else the camera. A path under the working folder is written relative
    to it, as a typed one is read."""
    for spec in [parse_input(text) for text in named]:
        if spec.kind in ("file", "image") and os.path.isfile(spec.target) and name_said(spec.target) == spec.target \
                and not _empty(spec.target):
            try:
                where = os.path.relpath(spec.target)
            except ValueError:  # on another drive than the working folder (Windows): no relative path leads there
                where = os.pardir
            path = where if not where.startswith(os.pardir) else spec.target
            return f"input {shell_word(f'{spec.kind}:{path}')}"
    try:
        names = sorted(visible_files(os.curdir))
    except OSError:
        names = []
    for kind in ("file", "image"):
        for name in names:
            # pastable as said, and not one refused as empty (a download not finished, a file touched) once typed
            if name.lower().endswith(KIND_ENDINGS[kind]) and name_said(name) == name and not _empty(name):
                return f"input {shell_word(f'{kind}:{name}')} (in the folder vcam was started in)"
    return "input camera"


def _empty(path: str) -> bool:
    try:
        return os.path.getsize(path) == 0
    except OSError:  # gone since it was listed
        return True


def input_help(missing: str | None, network: bool, example: Callable[[], str]) -> str:
    """What `input` typed alone (`missing`) does, with a line to type (`example`, asked only then: it may list a
    folder). The usage alone named the forms, not what an input is for. Not to the network, which is told no file
    of the machine the example is from."""
    if missing != "input" or network:
        return ""
    return f"; {INPUT_SAID}, e.g. {example()}"


def visible_files(folder: str) -> list[str]:
    """The names of the files `folder` holds as a file manager lists them: no folder, no hidden (dot) file. OSError
    where it cannot be listed."""
    return [e.name for e in os.scandir(folder) if e.is_file() and not e.name.startswith(".")]
