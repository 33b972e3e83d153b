"""A show's or map's file read as text, or why it cannot be: past MAX_BYTES, not UTF-8 (UTF-16 or UTF-32 saved by
an editor, NUL bytes of a file not written whole), a vim swap file, a video or an image, a folder, a name mistyped;
and a character YAML refuses, said at its own line and column."""
from __future__ import annotations

from pathlib import Path

import yaml

from vcam.control.yamlproblems import ConfigError
from vcam.errors import READ_FIX
from vcam.words import name_listed, nearest, shell_word


MAX_BYTES = 1_000_000  # the example show is 2 kB; 200 presets with long prompts, 60 kB


def _code(e: yaml.reader.ReaderError) -> int:
    return e.character if isinstance(e.character, int) else ord(e.character)  # PyYAML gives the code point


def unreadable_at(e: yaml.reader.ReaderError, text: str) -> int:
    """Where in `text` the character YAML refused is: libyaml's position counts UTF-8 bytes, not characters, so
    after an é or an emoji it points further on (a line or a column too far); the first of that character is the
    one refused, as every character before it was taken. For a NUL, where the run of them (the part not written)
    starts, where there is one: a stray NUL before it is not where the file stops being text."""
    code = _code(e)
    if code == 0 and _utf32(text.encode("utf-8", "surrogatepass")):
        return 0  # the whole file is UTF-32, not its line with a character past U+00FF
    at = text.find(NUL_RUN) if code == 0 and NUL_RUN in text else text.find(chr(code))
    return at if at >= 0 else max(e.position, 0)


def unreadable_character(e: yaml.reader.ReaderError, text: str, at: int) -> str:
    """A character YAML takes nowhere (at `at` in `text`), said with its fix where PyYAML's own message ran over
    two lines and named no fix: the NUL bytes of UTF-16 saved without its byte order mark (PowerShell, some
    Windows editors), or one control character (a paste from a terminal or a word processor)."""
    code = _code(e)
    column = at - text.rfind("\n", 0, at)
    if code == 0 and _utf32(text.encode("utf-8", "surrogatepass")):
        return _utf32_said(text.startswith("\0"))
    if code == 0 and NUL_RUN in text:
        length = len(text[at:]) - len(text[at:].lstrip("\0"))
        # zeros to the end: its end not written yet; a run with text after it: that many bytes not written
        run = f"NUL bytes (0) from column {column} on" if at + length == len(text) else \
            f"{length} NUL bytes (0) from column {column}"
        return f"{run}, where text should be: {NOT_WHOLE}"
    if code == 0 and _utf16_unmarked(text):
        return _utf16_said(text.startswith("\0"))
    return (f"a control character (U+{code:04X}, column {column}) that YAML does not allow; delete it (a paste from "
            "a terminal or a word processor can bring one)")


# UTF-16 text has no three NUL bytes in a row (but for U+0000, no text): a run of them is a file not written whole
# (zeros where a network share or a crash left its end unwritten), not UTF-16
NUL_RUN = "\0" * 4
NOT_WHOLE = ("the file is not written whole (a save still under way on a network share, or one a crash cut short); "
             "save it again from the editor")


def _utf16_unmarked(data: str | bytes) -> bool:
    """Whether `data` reads as UTF-16 saved without its byte order mark: at least a quarter NUL (a text file has
    none; UTF-16's ASCII is half NUL, its accents and emoji fewer), and no run of them."""
    nul, run = ("\0", NUL_RUN) if isinstance(data, str) else (b"\0", NUL_RUN.encode())
    return data.count(nul) * 4 >= len(data) and run not in data


def _utf32(data: bytes) -> bool:
    """Whether `data` reads as UTF-32, with its byte order mark or without: in whole units of four bytes, none of
    them 0 (a unit of zeros is a file not written whole), each a code point (at most 0x10FFFF), little- or
    big-endian; a last unit cut short aside. Told before UTF-16 (whose mark starts its little-endian mark) and
    before the runs of NULs (an ASCII letter then an emoji or a CJK character makes one), which it is not."""
    data = data[:len(data) // 4 * 4]  # a save cut mid-character is still UTF-32: its whole units say so
    if not data or any(data[i:i + 4] == bytes(4) for i in range(0, len(data), 4)):
        return False
    return any(not data[high::4].strip(b"\0") and max(data[plane::4]) <= 0x10 for high, plane in ((3, 2), (0, 1)))


def _utf32_said(big_endian: bool) -> str:
    """UTF-32 text, said with the fix: UTF-16's iconv would garble it."""
    return (f"the file is UTF-32 text, not UTF-8 (three bytes of every four are 0); save it as UTF-8 (in the "
            f"editor's Save As, or: iconv -f utf-32{'be' if big_endian else 'le'} -t utf-8 FILE > NEW.yaml)")


def _utf16_said(big_endian: bool) -> str:
    """UTF-16 saved without its byte order mark, said with the fix: ASCII's high byte (0) first, or after it."""
    return (f"the file is UTF-16 text, not UTF-8 (every other byte is 0); save it as UTF-8 (in the editor's Save As, "
            f"or: iconv -f utf-16{'be' if big_endian else 'le'} -t utf-8 FILE > NEW.yaml)")


def read_text(path: Path) -> str:
    """A show's or MIDI map's text, read no further than MAX_BYTES: ConfigError past it; OSError and
    UnicodeDecodeError as reading raises them."""
    with open(path, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ConfigError([f"{path}:{_too_big_message(data)}"])
    if data.startswith(VIM_SWAP):  # its NULs said it was a file not written whole, to save again: no save does
        raise ConfigError([f"{path}:1: this is vim's swap file (what vim keeps of an edit under way), not the file "
                           f"itself: give {_swapped_file(path)}"])
    if _media_kind(data) is not None:  # a video's or an image's bytes may well decode, as far as they are read
        raise UnicodeDecodeError("utf-8", data, 0, 1, "a video or an image, not text")
    return data.decode("utf-8")


VIM_SWAP = b"b0VIM "  # how a vim swap file starts


def _swapped_file(path: Path) -> str:
    """The file whose swap file `path` is (vim names .show.yaml.swp, then .swo, ... beside show.yaml)."""
    name = Path(path).name
    if name.startswith(".") and len(name) > 5 and name[-4:-2] in (".s", ".S"):
        return str(Path(path).with_name(name[1:-4]))
    return "the file vim has open"


def read_file(path: Path, what: str = "the file") -> str:
    """A show's or map's text (read_text); ConfigError saying why where it cannot be read, naming it as `what`."""
    try:
        return read_text(path)
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([_unreadable(path, e, what)]) from None


def _unreadable(path: Path, e: OSError | UnicodeDecodeError, what: str) -> str:
    """'file:line: message' with the fix, for a show or map file that read_text could not read."""
    if isinstance(e, UnicodeDecodeError):
        media = _media_kind(e.object)
        if media is not None:  # `vcam run clip.mp4`: no text to convert, whatever its bytes are
            kind, src = media
            return (f"{path}:1: {what} is {kind}, not a YAML text file; to restyle it give it to vcam run --in "
                    f"{shell_word(f'{src}:{path}')}")
        if _utf32(e.object):
            return f"{path}:1: {_utf32_said(e.object[:1] == bytes(1))}"
        if e.object[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Windows Notepad's "Unicode": latin1 would garble it
            return (f"{path}:1: {what} is UTF-16 text, not UTF-8; save it as UTF-8 (in the editor's Save As, or: "
                    "iconv -f utf-16 -t utf-8 FILE > NEW.yaml)")
        if (run := e.object.find(NUL_RUN.encode())) >= 0:  # UTF-16 or UTF-8 cut short: iconv would garble it
            line = e.object[:run].count(b"\n") + 1
            return f"{path}:{line}: NUL bytes where text should be: {NOT_WHOLE}"
        if _utf16_unmarked(e.object):  # an é or emoji in it: no UTF-8, where ASCII alone decodes (and YAML refuses)
            return f"{path}:1: {_utf16_said(e.object[:1] == bytes(1))}"
        line = e.object[:e.start].count(b"\n") + 1
        return (f"{path}:{line}: {what} is not UTF-8 text (byte 0x{e.object[e.start]:02x}); save it as UTF-8 (in "
                "the editor's Save As, or: iconv -f latin1 -t utf-8 FILE > NEW.yaml)")
    if isinstance(e, FileNotFoundError):
        return f"{path}: {what} does not exist; {near_name(path) or 'check the path'}"
    if isinstance(e, IsADirectoryError):  # no line: a folder has none
        return f"{path}: {what} is a folder; name the YAML file in it{yaml_files_in(path)}"
    if isinstance(e, PermissionError):
        return f"{path}:1: {what} cannot be read (permission denied); {READ_FIX}"
    return f"{path}:1: cannot read {what} ({e.strerror or e})"


def yaml_files_in(folder: Path) -> str:
    """` (it holds a.yaml, b.yaml)`, the first few, where it holds any: the names the operator meant to give."""
    try:
        names = sorted(p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    except OSError:
        return ""
    return f" (it holds {', '.join(map(name_listed, names[:5]))}{', ...' if len(names) > 5 else ''})" if names else ""


def _media_kind(data: bytes) -> tuple[str, str] | None:
    """("a video", "file") or ("an image", "image") for a file whose first bytes say it is one (MP4 and MOV, Matroska
    and WebM, AVI, PNG, JPEG, GIF, WebP), else None."""
    # an MP4's first box is small: its size's high byte is 0, which no text file starts with
    if (data[:1] == b"\0" and data[4:8] == b"ftyp") or data[:4] == b"\x1a\x45\xdf\xa3" or (
            data[:4] == b"RIFF" and data[8:12] == b"AVI "):
        return "a video", "file"
    if data[:8] == b"\x89PNG\r\n\x1a\n" or data[:3] == b"\xff\xd8\xff" or data[:6] in (b"GIF87a", b"GIF89a") or (
            data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return "an image", "image"
    return None


def near_name(path: Path) -> str | None:
    """The fix for a file name mistyped: the file of its folder it was likely meant to be (another case: names are
    case-sensitive on Linux and on a show copied there from a Mac or Windows), or None."""
    try:
        names = [p.name for p in path.parent.iterdir() if p.suffix.lower() in (".yaml", ".yml")]
    except OSError:
        return None
    same = next((n for n in names if n.lower() == path.name.lower()), None)
    # `set` for set.yaml: a name that short is no near match to its file's
    bare = next((n for n in sorted(names) if Path(n).stem.lower() == path.name.lower()), None)
    near = same or bare or nearest(path.name, names, cutoff=0.75)
    if near is None:
        return None
    why = " (file names are case-sensitive)" if same or (bare and Path(bare).stem != path.name) else ""
    return f"did you mean {path.parent / near}?{why}"


def too_big_at(text: str) -> str | None:
    """'line: message' for text over MAX_BYTES in UTF-8, None for text within it."""
    if len(text) <= MAX_BYTES // 4:  # a character is at most 4 bytes: short enough without encoding it
        return None
    data = text.encode("utf-8", errors="surrogatepass")
    return _too_big_message(data) if len(data) > MAX_BYTES else None


def _too_big_message(data: bytes) -> str:
    line = data.count(b"\n", 0, MAX_BYTES) + 1
    return (f"{line}: the file passes {MAX_BYTES / 1e6:g} MB here; a show or MIDI map is written by hand and stays "
            "far smaller: cut it down, or check that this is the file you meant")
