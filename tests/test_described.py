"""errors.described: which caught errors are said as a bug in vcam, with the line of vcam's code they broke at."""
from __future__ import annotations

import json

import av
import pytest

from vcam.errors import bug_place, described, one_line
from vcam.words import quoted


def _caught(call) -> Exception:
    with pytest.raises(Exception) as raised:
        call()
    return raised.value


def test_a_bug_in_vcams_own_code_is_said_with_its_place():
    error = _caught(lambda: quoted(None))  # a TypeError raised in vcam/words.py itself
    assert bug_place(error) is not None and bug_place(error).startswith("vcam/words.py:"), bug_place(error)
    assert described(error).endswith("a bug in vcam, please report this line)"), described(error)


def test_a_librarys_own_lookup_error_is_no_bug_in_vcam():
    """PyAV's DecoderNotFoundError (a clip or an output whose codec this FFmpeg lacks) is a LookupError: it was
    said as "a bug in vcam, please report this line", blaming vcam for the file's or the install's fault."""
    error = av.error.DecoderNotFoundError(-1, "Decoder not found")
    assert isinstance(error, LookupError)
    with pytest.raises(LookupError) as raised:
        raise error
    assert bug_place(raised.value) is None
    assert "bug" not in described(raised.value) and described(raised.value).startswith("DecoderNotFoundError: ")


def test_a_builtin_error_raised_in_a_librarys_code_is_no_bug_in_vcam():
    """A library raising a KeyError or a TypeError from its own code, on its input (here the standard library's
    json on an object it cannot write), is said with its type but not blamed on vcam."""
    error = _caught(lambda: json.dumps(object()))  # a TypeError raised in json's own frame
    assert bug_place(error) is None and described(error).startswith("TypeError: Object of type object"), \
        described(error)


def test_a_described_error_is_one_line_with_its_type_once():
    error = ValueError("first line\n  second line")
    assert described(error) == "ValueError: first line second line"
    assert one_line(KeyError("knob")) == "KeyError: 'knob'"  # not "'knob'" alone, nor the type twice
    assert one_line(RuntimeError()) == "RuntimeError"


def test_a_devices_error_over_several_lines_is_said_on_one():
    """OpenCV's error text runs over lines ("> " before each part): said as an output's close failing, it broke the
    line it was said in."""
    error = OSError("OpenCV(4.10.0) error: (-2:Unspecified error)\n> device gone:\n>     '/dev/video4'\n")
    assert one_line(error) == "OpenCV(4.10.0) error: (-2:Unspecified error) > device gone: > '/dev/video4'"
    assert one_line(RuntimeError(" \n ")) == "RuntimeError"  # no text of its own but spaces


def test_an_errors_text_on_one_line_keeps_the_spaces_a_files_name_holds():
    from vcam.errors import one_line

    said = one_line(OSError(28, "No space left on device", "/rec/My  Show.mp4"))
    assert "'/rec/My  Show.mp4'" in said, said
    assert one_line(RuntimeError("open failed:\n  > bad channels\n")) == "open failed: > bad channels"
