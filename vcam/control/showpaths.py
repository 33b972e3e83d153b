"""The files a show file names (a preset's or a cue's clip and image input, a fallback image, an `input` command of
a MIDI or OSC map's entry), found relative to the folder of the file that names them (the show's, or the map
file's) and checked as `vcam run` will read them: there, readable, and for a still an image OpenCV decodes.

Apart from show.py because a preset, the defaults, a cue (cuesheet.py) and a map's button (midimap.py, oscmap.py)
all name files, found and checked alike; each problem is said at its line when the file is read, not when the show
reaches it on air.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

from yaml.nodes import ScalarNode

from vcam.control.commands import Command, timing_glued
from vcam.control.quotes import CLOSING_QUOTES, OPENING_QUOTES
from vcam.control.yamlcheck import Reader, constructed
from vcam.control.yamlwrite import BOOL_TAG, NULL_TAG
from vcam.errors import EMPTY_FIX, IMAGE_FIX, READ_FIX
from vcam.inspec import (HEIC_CLIP_FIX, HEIC_CLIP_WHY, HEIC_HEAD_BYTES, InputSpec, alike_fix, is_heic, parse_input,
                         spaced_fix)
from vcam.storednames import as_stored
from vcam.words import name_said, shell_word


def read_input(r: Reader, node, what: str, base: Path) -> str | None:
    """An input in its canonical form; a file or image must exist, found relative to the show's folder."""
    if isinstance(node, ScalarNode) and not node.style and node.tag in (BOOL_TAG, NULL_TAG) and node.value:
        # `input: off`, meant as no input, was told to be quoted: 'off' pasted was refused as an unknown input
        read = constructed(node)
        fix = ("for no input write input: none" if read is not True else
               "write the input meant: none, camera, camera:N, file:PATH, image:PATH or net")
        r.error(node, f"{what}: {node.value} reads as {str(read).lower() if read is not None else 'null'} in YAML, "
                      f"which names no input; {fix}")
        return None
    text = r.string(node, what, 1000)
    if text is None:
        return None
    try:
        spec = found_input(r, node, what, parse_input(text), base)
    except ValueError as e:
        r.error(node, f"{what}: {e}")
        return None
    return str(spec) if spec is not None else None


def found_input(r: Reader, node, what: str, written: InputSpec, base: Path) -> InputSpec | None:
    """An input with its file or image found relative to the show's folder and made whole; None after recording
    that the file is missing, or that an image: is no image vcam can read."""
    if written.kind not in ("file", "image"):
        return written
    path = Path(os.path.expanduser(written.relative_to(str(base)).target)).resolve()
    if (stored := as_stored(str(path))) is not None:
        path = Path(stored).resolve()  # the name a Mac stored it under (NFD), typed as the keyboard writes it
    named = f"{written.kind} {written.target}"
    if not _usable(r, node, f"{what}: {named}", path, still=written.kind == "image", kind=written.kind, base=base,
                   not_still=f"{what}: {named}", hint=" (a video is file:PATH)",
                   clip=shell_word(str(InputSpec("file", written.target)))):
        return None
    if written.kind == "file" and _heic_photo(path):  # the check said ok, and the run refused it at the preset
        r.error(node, f"{what}: {named} cannot play as a video: {HEIC_CLIP_WHY} (looked at {path}); {HEIC_CLIP_FIX}")
        return None
    return InputSpec(written.kind, str(path))


def _heic_photo(path: Path) -> bool:
    """Whether the file at `path` is a HEIC photo by its first bytes (an iPhone's, named IMG_1.HEIC or not)."""
    try:
        with open(path, "rb") as f:
            return is_heic(f.read(HEIC_HEAD_BYTES))
    except OSError:  # unreadable: said as the run opens it
        return False


def whole_command(r: Reader, node, what: str, cmd: Command, base: Path | None) -> Command | None:
    """`cmd` as it runs: an `input` whose file or image is found relative to `base` (the folder of the file the
    command is written in) and made whole, any other command as it is; None after recording why the file cannot be
    used. Made whole as the file is read: the controller would find a relative one in the folder vcam was started
    in, so a show run from another folder would fail at the press, on air. `base` None: left as written, for a
    command run on another machine (vcam cam's maps), which finds the file there."""
    if cmd.name != "input" or base is None:
        return cmd
    written = parse_input(cmd.args[0])
    # `input file:loop.mp4@bar`: not found as named, where the file is there without the timing run into its name
    if cmd.at is None and (glued := timing_glued(written)) is not None \
            and not os.path.lexists(os.path.expanduser(written.relative_to(str(base)).target)) \
            and os.path.isfile(os.path.expanduser(glued[0].relative_to(str(base)).target)):
        line = f"input {shell_word(str(glued[0]))} @{glued[1]}"
        r.error(node, f"{what}: {written.kind} {written.target} not found, {glued[0].target} is: a timing is set "
                      f"apart by a space: did you mean {line}?")
        return None
    spec = found_input(r, node, what, written, base)
    return None if spec is None else Command("input", (str(spec),), cmd.at)


_NO_IMAGE = ("none", "off", "no", "false", "null", "last", "last frame", "freeze", "hold")  # fallback: words for none


def read_image(r: Reader, node, what: str, base: Path) -> str | None:
    """An image's path made whole (a preset's or the defaults' fallback), found relative to the show's folder; None
    after recording why it cannot be used."""
    written = node.value.strip() if isinstance(node, ScalarNode) else ""
    unset = written == "~" and not node.style  # YAML's null, where '~' quoted is the home folder
    if unset or (written.lower() in _NO_IMAGE and not os.path.lexists(base / written)
                 and alike_fix(str(base / written), "image") is None):
        # `fallback: none`, meant as no image, was looked for as a file named none; `off` unquoted, told to be quoted.
        # Where none.png or hold.jpg is beside the show, that image was likely meant: said as not found, alike
        held = "the defaults' fallback, else the last frame" if what.startswith("preset") else "the last frame"
        r.error(node, f"{what}: {written} is no image; leave fallback: out for a stall to hold {held}")
        return None
    text = r.string(node, what, 1000)
    if text is None:
        return None
    path = (base / os.path.expanduser(text)).resolve()  # ~/ as an input's image: and --fallback take it
    if (stored := as_stored(str(path))) is not None:
        path = Path(stored).resolve()  # the name a Mac stored it under (NFD), typed as the keyboard writes it
    if not _usable(r, node, f"{what}: image {text}", path, still=True, not_still=f"{what}: {text}", fallback=True):
        return None
    return str(path)


def _usable(r: Reader, node, named: str, path: Path, still: bool, not_still: str, hint: str = "",
            kind: str | None = None, base: Path | None = None, fallback: bool = False, clip: str = "") -> bool:
    """Whether the file a show names is there, readable and, for a still, an image vcam can read; else records
    which, `named` (or `not_still`) saying where in the show it was named. `kind`: the input's (file, image), where
    the path is one's, made whole against `base` (spaced_fix offers it without a space that begins it); `fallback`:
    the image is a fallback, which a video or a sound file is said not to be; `clip`: an image: input as the show
    would write it as a clip (file:PATH), offered where it is a video."""
    # os.path's tests, not Path's: those raise OSError for a name over 255 bytes, said without the show's line
    if os.path.isdir(path):
        r.error(node, f"{named} is a folder (looked at {path}); name a file in it")
    elif os.path.exists(path) and not os.path.isfile(path):  # said "not found" of a pipe or a device that is there
        r.error(node, f"{named} is not a file (looked at {path}: a pipe or a device); name a file")
    elif not os.path.isfile(path):
        fix = (kind and base and (spaced_fix(str(path), kind, str(base)) or _quote_fix(path, kind, base))) \
            or alike_fix(str(path), kind or "image") \
            or "put it there, or give its path from the folder of the file that names it (or a whole path)"
        r.error(node, f"{named} not found (looked at {path}); {fix}")
    elif not os.access(path, os.R_OK):
        r.error(node, f"{named} cannot be read (looked at {path}); {READ_FIX}")
    elif still and os.path.getsize(path) == 0:  # said to be no image vcam can read, to be converted; a clip's
        # is said as the run opens it
        r.error(node, f"{named} is empty (0 bytes, looked at {path}); {EMPTY_FIX}")
    elif still and (huge := _too_large(path)) is not None:
        r.error(node, f"{named}: {huge}")
    elif still and not _decodes(path):
        # frames loads numpy: only for a show whose image is refused
        from vcam.live.frames import Refusal, fallback_refusal, undecoded_fix, undecoded_why
        refusal = fallback_refusal(str(path))
        if not fallback and refusal.kind == "sound":  # a video is offered file:, which has no picture of a song
            refusal = Refusal("sound", refusal.why, "give a picture (image:PATH) or a video (file:PATH)")
        elif not fallback and refusal.kind == "video" and clip:  # converting it to a picture was no fix
            refusal = Refusal("video", "it is a video, not a still picture", f"play it as a clip: {clip}")
        elif not fallback:  # an input's other file is said to be file:PATH if a video (the hint)
            refusal = Refusal("", "", undecoded_fix(str(path)))
        fix = refusal.fix
        if heic := undecoded_why(fix, ""):  # said as what it is, which the tools named in the fix read
            r.error(node, f"{not_still} {heic.removeprefix('it ')} (looked at {path}); {fix}")
        elif refusal.kind:  # a video or a sound file: said as one, not to be converted
            r.error(node, f"{not_still} {refusal.why.removeprefix('it ')} (looked at {path}); {fix}")
        else:
            r.error(node, f"{not_still} is not an image vcam can read (looked at {path}); "
                          f"{fix}{hint if fix == IMAGE_FIX else ''}")
    else:
        return True
    return False


def _quote_fix(path: Path, kind: str, base: Path) -> str | None:
    """The fix for an input whose path, as written, opens with a quote that nothing closes (`input: file:"loop.mp4`,
    the end quote forgotten), or ends in one that none opens, and is there without it: the quote was read as part
    of the name. None otherwise."""
    try:
        written = os.path.relpath(path, base)
    except ValueError:  # Windows: on another drive than the show file, it is written whole
        written = str(path)
    if written[:1] in OPENING_QUOTES and os.path.isfile(os.path.join(base, written[1:])):
        return f"the quote before {name_said(written[1:])} is not closed: write {kind}:{written[1:]}"
    # one at the end alone (`file:loop.mp4"`), said as a typed input's is
    if written[-1:] in CLOSING_QUOTES and os.path.isfile(os.path.join(base, written[:-1])):
        return f"the quote after {name_said(written[:-1])} opens nowhere: write {kind}:{written[:-1]}"
    return None


def _too_large(path: Path) -> str | None:
    """frames.too_large and its fix, read from the header: such an image's check decoded it whole, on air on the
    watcher's thread as a save of the show reloaded it (a 20000x20000 PNG: 14 s and GBs of memory)."""
    from vcam.live.frames import SHRINK_FIX, too_large

    huge = too_large(str(path))
    return None if huge is None else f"{huge}; {SHRINK_FIX}"


def _decodes(path: Path) -> bool:
    """As _decoded, once per version of the file: a show is read twice as it starts (checked, then loaded), and a
    PNG's reduced read decodes it whole (a 20000x20000 one took 14 s each time)."""
    try:
        st = os.stat(path)
    except OSError:
        return _decoded(path)
    return _decoded_version(str(path), st.st_ino, st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _decoded_version(path: str, inode: int, size: int, mtime_ns: int) -> bool:
    return _decoded(Path(path))


def _decoded(path: Path) -> bool:
    """Whether OpenCV decodes the file as a still, as `vcam run` will: a clip or a text file named as an image
    would pass a check that only looks for the file, and stop the run (or the stall's picture) later. Decoded at an
    eighth of its size, which JPEG does without decoding the whole; in full where that cannot be (OpenCV refuses
    to reduce an image under 8 pixels a side, such as a 1x1 PNG for a plain colour, which `vcam run` reads)."""
    # only for a show that names an image; OpenCV's own lines silenced for the read: a damaged image printed
    # OpenCV's warning and libpng's error above vcam's line
    from vcam.live.frames import imread_quiet, quiet_cv2

    cv2 = quiet_cv2()
    try:
        return imread_quiet(str(path), cv2.IMREAD_REDUCED_COLOR_8) is not None
    except cv2.error:
        return imread_quiet(str(path), cv2.IMREAD_COLOR) is not None
