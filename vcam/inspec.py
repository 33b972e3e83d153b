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
from dataclasses import dataclass

INPUT_KINDS = ("none", "camera", "file", "image", "net")
INPUT_FITS = ("crop", "letterbox", "stretch")
DEFAULT_INPUT_FIT = "crop"
# How much of the input survives: 1.0 replaces it by noise (text only), 0.0 keeps it as it is. Krea's demo lets
# the operator pick it; this middle value keeps a camera's shapes and lets the prompt restyle them.
DEFAULT_STRENGTH = 0.6
USAGE = "use none, camera, camera:N, camera:/dev/videoN, file:PATH, image:PATH or net"
# The option that gives the input at start-up; the `input` command takes the same SRC while the show runs
FLAG = "--in"


@dataclass(frozen=True)
class InputSpec:
    kind: str
    target: str = ""  # camera: "" (the first), an index or a device path; file and image: a path

    def __str__(self) -> str:
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
    """The fix for a file or image (`kind`) that is not there, as a show file or --in names it."""
    return f"check the path; {kind}: paths in a show file are relative to the show file"


def typed_fix(fix: str, written: InputSpec) -> str:
    """The fix for an input that did not open, as said for the `input` command (`written`: its input as given): the
    command where the fix names the flag (`input camera:N`, not `--in camera:N`), and a path given relative is
    read from the folder vcam was started in (the controller makes it whole there), not the show file's."""
    fix = fix.replace(f"{FLAG} ", "input ")
    if written.kind not in ("file", "image") or fix != missing_fix(written.kind):
        return fix
    if os.path.isabs(os.path.expanduser(written.target)):
        return "check the path"
    return f"check the path; a typed {written.kind}: path is relative to the folder vcam was started in, not to " \
           "the show file"


def parse_input(text: str) -> InputSpec:
    """`file:clip.mp4` → InputSpec('file', 'clip.mp4'); ValueError saying the forms."""
    text = text.strip()
    kind, sep, target = text.partition(":")
    kind = kind.lower()
    if kind not in INPUT_KINDS:
        raise ValueError(f"unknown input {text!r}: {USAGE}")
    if kind in ("none", "net") and sep:
        raise ValueError(f"input {text!r} takes nothing after '{kind}': {USAGE}")
    if kind in ("file", "image") and not target:
        raise ValueError(f"input {text!r} needs a path: {kind}:PATH")
    if kind == "camera" and sep and not target:
        raise ValueError(f"input {text!r} needs a device after 'camera:' (camera:0 or camera:/dev/video0)")
    if kind == "camera" and target and not (target.isascii() and target.isdigit()) and not target.startswith("/"):
        raise ValueError(f"camera {target!r} is neither an index (camera:0) nor a device path (camera:/dev/video0)")
    return InputSpec(kind, target)


def check_strength(value: float) -> float:
    """A strength in [0, 1]; ValueError otherwise."""
    value = float(value)
    if not 0.0 <= value <= 1.0:  # also refuses NaN
        raise ValueError(f"strength must be from 0 (keep the input) to 1 (text only), not {value:g}")
    return value
