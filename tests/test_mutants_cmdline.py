"""Edges of the `vcam` command line (its options' values, --out and --in, what each command says and exits with)
that no test held: each test fails where the code is changed in the way its docstring says."""
import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import sysconfig
from types import SimpleNamespace

import pytest

from vcam import argtypes, errors
from vcam.cmdline.errorlines import (internal_error, missing_extra, said_as_json, say_error, stdout_gone,
                                     stdout_to_null)
from vcam.control.yamlproblems import ConfigError
from vcam.errors import VcamError, bug_place, described, install_fix, one_line
from vcam.inspec import (InputSpec, MeantError, check_strength, missing_fix, missing_said, parse_input, typed_fix,
                         unescaped)
from vcam.outspec import OutputSpec, check_recording_name, fraction_fps, parse_spec, rate_said, rate_text

# --- sizes ------------------------------------------------------------------------------------------------------


def test_a_size_with_a_capital_x_is_taken_as_with_a_small_one():
    """`--size 832X480` (as a spec sheet writes it) is 832x480: the text not lowered before it is split at `x`
    refused it as "not WIDTHxHEIGHT"."""
    assert argtypes.frame_size("832X480") == (832, 480)
    assert argtypes.output_size("1280X720") == (1280, 720)


@pytest.mark.parametrize("text, w, h", [("16x16", 16, 16), ("7680x4320", 7680, 4320), ("7680x16", 7680, 16)])
def test_an_output_size_at_either_end_of_its_range_is_taken(text, w, h):
    """vcam cam's --size takes 16x16 to 7680x4320: `16 <= w` turned `<` (or `w <= 7680` turned `<`) refused the
    ends of the range the error itself names."""
    assert argtypes.output_size(text) == (w, h)


@pytest.mark.parametrize("text, nearest, rule", [
    ("640x361", "640x360", ": both must be even"), ("641x360", "640x360", ": both must be even"),
    ("14x16", "16x16", " is out of range"), ("7682x4320", "7680x4320", " is out of range"),
    ("1920x4322", "1920x4320", " is out of range"), ("8000x4000", "7680x4000", " is out of range"),
    ("7681x4320", "7680x4320", ": both must be even")])
def test_an_output_size_odd_or_out_of_range_is_refused_naming_what_was_given(text, nearest, rule):
    """An odd height (`or h % 2` dropped) would reach the camera's pixel format, which needs even sides; the size
    given is named before the rule (the f-string's `{text}: ` dropped said the rule alone). An even size out of
    range is told the range: 8000x4000 was told "both must be even", which both are."""
    with pytest.raises(argparse.ArgumentTypeError) as e:
        argtypes.output_size(text)
    assert str(e.value) == (f"size {text}{rule}, from 16x16 to 7680x4320 (e.g. 1920x1080, 1280x720; the nearest is "
                            f"{nearest})")


def test_vcam_cams_size_0x0_names_the_default_the_camera_opens_at(monkeypatch):
    """The default was typed out again in the message, where vcam.remote.client.DEFAULT_SIZE is what opens."""
    from vcam.remote import client

    monkeypatch.setattr(client, "DEFAULT_SIZE", (640, 368))
    with pytest.raises(argparse.ArgumentTypeError, match=r"leave --size out for its default \(640x368\)"):
        argtypes.output_size("0x0")


def test_a_generated_size_the_model_cannot_make_is_refused_with_the_rule():
    """--size for a show is checked as the model needs it (multiples of 16): the check dropped let 833x480 through
    to fail only once the model had loaded."""
    with pytest.raises(argparse.ArgumentTypeError, match="multiples of 16"):
        argtypes.frame_size("840x480")


# --- vcam serve's --host ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, said", [
    ("[::1]:8765", "'[::1]:8765' holds a port: give --host ::1 --port 8765"),
    ("0.0.0.0:8765", "'0.0.0.0:8765' holds a port: give --host 0.0.0.0 --port 8765"),
    (":8765", "':8765' holds a port: give --host 127.0.0.1 --port 8765"),
    # isdigit() took the ², and --port then refused what it was told to give
    ("gpu-box:87²", "'gpu-box:87²' holds a port: give --host gpu-box --port PORT (1 to 65535)"),
    ("[::1]:87²", "'[::1]:87²' holds a port: give --host ::1 --port PORT (1 to 65535)"),
    ("[::1", "'[::1' is no address: an IPv6 one in brackets ends with them"),
    ("[::1]x", "'[::1]x' is no address: an IPv6 one in brackets ends with them"),
    ("[::1]:ssh", "'[::1]:ssh' is no address: an IPv6 one in brackets ends with them"),
    ("  ", "give an address of this machine: 127.0.0.1"),
])
def test_a_listen_address_with_a_port_or_broken_brackets_says_what_to_give(text, said):
    """A port copied in with the address is said as the two flags (a name after the colon is no port) (`:8765`
    alone as the loopback's, not 0.0.0.0's); an unclosed bracket or text after it, and a blank address, are refused
    rather than looked up as a name."""
    with pytest.raises(argparse.ArgumentTypeError) as e:
        argtypes.listen_host(text)
    assert str(e.value).startswith(said)


@pytest.mark.parametrize("text, said", [
    ("ws://0.0.0.0", "give --host 0.0.0.0"),
    ("ws://0.0.0.0:8765", "give --host 0.0.0.0 --port 8765"),
    ("wss://[::1]:9000/", "give --host ::1 --port 9000"),
    ("http://gpu-box:8765/?role=watch", "give --host gpu-box --port 8765")])
def test_a_listen_address_written_as_vcam_cam_s_says_the_flags(text, said):
    """`vcam serve --host ws://0.0.0.0`, vcam cam's address pasted, was told to set a token, then, with one, that it
    "cannot listen on [ws://0.0.0.0]:8765 (Name or service not known)"."""
    with pytest.raises(argparse.ArgumentTypeError) as e:
        argtypes.listen_host(text)
    assert str(e.value) == f"{text!r} is an address vcam cam connects to; --host takes this machine's address " \
                           f"alone: {said}"


@pytest.mark.parametrize("text, said, flags", [
    ("ws://vj:s3cret@0.0.0.0:8765/?token=t0ken", "ws://vj:***@0.0.0.0:8765/?token=***",
     ": give --host 0.0.0.0 --port 8765"),
    ("ws://0.0.0.0:8765#x", "ws://0.0.0.0:8765#x", ": give --host 0.0.0.0 --port 8765"),
    ("ws://::1:8765", "ws://::1:8765", ": give --host ::1 --port 8765"),
    ("ws://gpu-box:99999", "ws://gpu-box:99999", ", --port its port"),
    ("ws://gpu-box:0", "ws://gpu-box:0", ", --port its port"),
    ("ws://u:p/w@gpu-box:8765", "ws://u:***@gpu-box:8765", ", --port its port")])
def test_a_listen_address_written_as_vcam_cam_s_hides_its_secrets_and_offers_only_good_flags(text, said, flags):
    """It was echoed in full, password and token, and offered flags --host or --port refused in turn (--host
    0.0.0.0:8765#x, --port 99999, --port 0, --host ::1:8765, --host u:p)."""
    with pytest.raises(argparse.ArgumentTypeError) as e:
        argtypes.listen_host(text)
    assert str(e.value) == f"{said!r} is an address vcam cam connects to; --host takes this machine's address " \
                           f"alone{flags}"


@pytest.mark.parametrize("text, host", [("ws://[fe80::1%25eth0]:8765", "fe80::1%eth0"),
                                        ("[fe80::1%25eth0]:8765", "fe80::1%eth0"),
                                        ("ws://[fe80::1%eth0]:8765", "fe80::1%eth0"),
                                        ("ws://-h:8765", None), ("-h:8765", None), ("gpu-box:8765", "gpu-box")])
def test_the_listen_flags_offered_are_read_back_as_the_host_meant(text, host):
    """The --host offered was typed back to a different end: fe80::1%25eth0 (a URL's zone) is looked up as zone
    25eth0, which fails, and --host -h is read as -h, vcam serve's help."""
    from vcam.cmdline.parser import build_parser

    with pytest.raises(argparse.ArgumentTypeError) as e:
        argtypes.listen_host(text)
    flags = re.search(r"give (--host \S+ --port \d+)", str(e.value))
    if host is None:  # no host starts with a -: no line is offered with one
        assert flags is None or "ADDRESS" in flags.group(1), str(e.value)
        return
    args = build_parser().parse_args(["serve", *flags.group(1).split()])
    assert (args.host, args.port) == (host, 8765), str(e.value)


def _interface() -> str:
    """A network interface of this machine whose name, written after %25, names none."""
    import socket

    def looked_up(host):
        try:
            return bool(socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST))
        except OSError:
            return False

    names = [name for _, name in socket.if_nameindex()] if hasattr(socket, "if_nameindex") else []
    found = [n for n in names if looked_up(f"fe80::1%{n}") and not looked_up(f"fe80::1%25{n}")]
    if not found:
        pytest.skip("no network interface that an IPv6 address's zone names here")
    return found[0]


@pytest.mark.parametrize("form", ["fe80::1%25{}", "[fe80::1%25{}]", " fe80::1%25{} "])
def test_a_listen_address_with_its_zone_written_as_a_url_writes_it_offers_the_form_this_machine_binds(form):
    """--host fe80::1%25eth0 (RFC 6874's form, copied from an address) was taken, then failed its lookup as zone
    25eth0 once the model had loaded; told at once, with the form that binds, which is then taken."""
    name = _interface()
    with pytest.raises(argparse.ArgumentTypeError) as e:
        argtypes.listen_host(form.format(name))
    said = str(e.value)
    assert f"zone for one named 25{name}, which this machine has not" in said, said
    assert said.endswith(f"give --host fe80::1%{name}"), said
    assert argtypes.listen_host(f"fe80::1%{name}") == f"fe80::1%{name}"


@pytest.mark.parametrize("text", ["fe80::1%25", "fe80::1%2501", "fe80::1%25no-such-if"])
def test_a_listen_address_whose_zone_is_looked_up_as_written_or_names_nothing_either_way_is_taken(text):
    """An index 25 (fe80::1%25) is a zone this machine reads as written, and one whose bare form names no zone
    either is left to the lookup that binds: neither is refused here."""
    assert argtypes.listen_host(text) == text


@pytest.mark.parametrize("text, host", [("[::1]", "::1"), ("::1", "::1"), ("[::]", "::"), (" 0.0.0.0 ", "0.0.0.0"),
                                        ("fe80::1", "fe80::1"), ("gpu-box", "gpu-box")])
def test_a_listen_address_is_taken_without_its_brackets(text, host):
    """[::1] as a URL writes it is the address ::1 (`host = inner` dropped kept the brackets, no address a socket
    binds); an IPv6 address with colons and no port is no host:port."""
    assert argtypes.listen_host(text) == host


# --- numbers within limits --------------------------------------------------------------------------------------


@pytest.mark.parametrize("parse, text, said", [
    (argtypes.within(int, 1, 65535), "0", "0 must be at least 1 and at most 65535"),
    (argtypes.within(int, 1, 65535), "65536", "65536 must be at least 1 and at most 65535"),
    (argtypes.within(int, 1), "0", "0 must be at least 1"),
    (argtypes.positive(float), "0", "0 must be more than 0"),
    (argtypes.positive(float), "-2.5", "-2.5 must be more than 0"),
    (argtypes.within(float, 0), "inf", "inf is not a finite number: give one at least 0"),
    (argtypes.within(float, 0.1, 240), "nan", "nan is not a finite number: give one at least 0.1 and at most 240"),
    (argtypes.within(int, 0), "1.5", "'1.5' is not a whole number"),
    (argtypes.within(float, 0), "fast", "'fast' is not a number"),
    (argtypes.target_fps, "240.5", "240.5 must be at least 0.1 and at most 240"),
    (argtypes.target_fps, "0.05", "0.05 must be at least 0.1 and at most 240"),
])
def test_a_number_out_of_its_limits_says_them(parse, text, said):
    """Each limit said as it is: `at least` for a bound that is allowed, `more than` for one that is not, no `at
    most` where there is no top; a whole number asked for as one."""
    with pytest.raises(argparse.ArgumentTypeError) as e:
        parse(text)
    assert str(e.value) == said


@pytest.mark.parametrize("parse, text, value", [
    (argtypes.within(int, 1, 65535), "1", 1), (argtypes.within(int, 1, 65535), "65535", 65535),
    (argtypes.within(int, 0), "0", 0), (argtypes.positive(float), "0.001", 0.001),
    (argtypes.target_fps, "0.1", 0.1), (argtypes.target_fps, "240", 240.0),
])
def test_a_number_at_its_limits_is_taken(parse, text, value):
    """`value < lo` turned `<=` (or `value > hi` turned `>=`) refused the very limits the error names."""
    assert parse(text) == value


def test_a_frame_rate_is_a_number_or_a_fraction_each_in_its_limits():
    """--fps 30000/1001 is NTSC's rate and 240 the top (a fraction read as a plain number, `"/" not in` turned
    `in`, refused the first; a plain number read as a fraction refused 30)."""
    assert argtypes.frame_rate("30") == 30.0
    assert argtypes.frame_rate("240") == 240.0
    assert argtypes.frame_rate("30000/1001") == pytest.approx(29.97003)
    with pytest.raises(argparse.ArgumentTypeError, match="0.5 must be at least 1 and at most 240"):
        argtypes.frame_rate("0.5")


# --- lengths of time --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, seconds", [("2:03:04", 7384.0), ("0:59", 59.0), ("1.5m", 90.0), ("0.5H", 1800.0),
                                           (" 45S ", 45.0), ("0:0:1", 1.0)])
def test_a_duration_adds_its_hours_minutes_and_seconds(text, seconds):
    """1:00:00 alone could not tell `60 ** i` from `60 * i` (both 3600 there): 2:03:04 is 7384 s; a unit is taken
    in capitals and with spaces around, and 59 is a second's largest count."""
    assert argtypes.duration(text) == seconds


@pytest.mark.parametrize("text", ["1:2:3:4", "-1:30", "-0.1:30", "1:-30", "1:60", "0:00", "infs", "0s", "1e400s",
                                  ":", "m"])
def test_a_duration_that_is_no_length_of_time_is_refused(text):
    """Four parts, a negative part anywhere, 60 of a minute's seconds, nothing at all, or an infinite length are no
    show's length (each check's bound moved or dropped let one through: `--duration inf` then ran for ever)."""
    with pytest.raises(argparse.ArgumentTypeError):
        argtypes.duration(text)


# --- inputs, prompts, paths, ports ------------------------------------------------------------------------------


def test_an_input_path_is_made_whole_with_the_home_folder(monkeypatch, tmp_path):
    """A file's or image's path is kept whole, `~` made the home folder, so that a control log's replay finds it
    from any folder (an image's was kept as typed where only file: was made whole)."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert argtypes.input_source("image:~/still.png") == f"image:{tmp_path}/still.png"
    assert argtypes.input_source("file:clip.mp4") == f"file:{tmp_path}/clip.mp4"
    assert argtypes.input_source("camera:2") == "camera:2"


@pytest.mark.parametrize("parse", [argtypes.prompt, argtypes.fallback_image, argtypes.midi_port,
                                   argtypes.midi_input, argtypes.cam_midi_port])
def test_a_value_of_spaces_alone_is_refused_as_empty(parse):
    """A value of spaces (a variable holding one) is no prompt, no image and no port: only `not text` checked let it
    through, to fail after the model had loaded or to open no input."""
    with pytest.raises(argparse.ArgumentTypeError):
        parse("   ")


def test_a_path_flag_expands_the_home_folder(monkeypatch, tmp_path):
    """`--log-controls=~/show.jsonl` and `--fallback=~/still.png` reach vcam with `~` unexpanded by the shell."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert argtypes.user_path("~/show.jsonl") == f"{tmp_path}/show.jsonl"
    assert argtypes.fallback_image("~/still.png") == f"{tmp_path}/still.png"


def test_an_empty_midi_port_names_none_only_where_none_is_taken():
    """vcam run's --midi says `none` takes even the show's input away; vcam midi learn needs an input and offers
    none."""
    assert "none for no input (not even the show's)" in _refused(argtypes.midi_port, "")
    assert "none" not in _refused(argtypes.midi_input, "")
    assert "none for no input, or leave" in _refused(argtypes.cam_midi_port, "")


def test_the_osc_reply_address_says_a_port_alone_goes_to_whoever_sends():
    """--osc-reply and --osc are read each by its own rule (swapped, --osc-reply's error named --osc's forms)."""
    assert "to whoever sends" in _refused(argtypes.osc_address(True), "tablet")
    assert "e.g. 8000 or 0.0.0.0:8000" in _refused(argtypes.osc_address(False), "tablet")
    assert argtypes.osc_address(True)("9000") == "9000"


@pytest.mark.parametrize("text, said", [("0,5", "did you mean 0.5?"), ("0,0", "did you mean 0?"),
                                        ("1.5", "strength must be from 0"), ("0", None), ("1", None)])
def test_a_strength_is_from_0_to_1_both_taken(text, said):
    """0 (keep the input) and 1 (text only) are strengths; a decimal comma is answered with the number meant, 0
    included (offered only above 0, `0,0` was offered nothing)."""
    if said is None:
        assert argtypes.strength(text) == float(text)
    else:
        assert said in _refused(argtypes.strength, text)


@pytest.mark.parametrize("text, said", [("0", "bias must"), ("0,3", "'0,3' is not a number above 0 and at most 1"),
                                        ("1.5", "bias must")])
def test_a_bias_out_of_range_says_the_rule_and_one_not_a_number_says_the_number_meant(text, said):
    """A bias out of (0, 1] is said in check_bias's words; text that is no number in the flag's own."""
    assert said in _refused(argtypes.bias, text)


def _refused(parse, text: str) -> str:
    with pytest.raises(argparse.ArgumentTypeError) as e:
        parse(text)
    return str(e.value)


# --- --out ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, value", [("1/1", 1.0), ("240/1", 240.0), ("30000/1001", 30000 / 1001)])
def test_a_fraction_frame_rate_at_its_limits_is_taken(text, value):
    """1 and 240 frames/s are within the range the error names (`MIN_FPS <=` or `<= MAX_FPS` made strict refused
    them); numerator over denominator, not the other way round."""
    assert fraction_fps(text) == value


@pytest.mark.parametrize("text, said", [("1/2", "1/2 is 0.5 frames/s: it must be at least 1 and at most 240"),
                                        ("241/1", "241/1 is 241 frames/s"), ("30/0", "'30/0' is not a frame rate")])
def test_a_fraction_frame_rate_out_of_range_says_its_value(text, said):
    with pytest.raises(ValueError) as e:
        fraction_fps(text)
    assert str(e.value).startswith(said)


@pytest.mark.parametrize("fps, said", [(30.0, "30"), (29.97, "29.97"), (123.4567, "123.4567"),
                                       (30000 / 1001, "30000/1001"), (24000 / 1001, "24000/1001"),
                                       (0.1 + 0.2, "0.30000000000000004")])
def test_a_frame_rate_is_said_back_as_typed(fps, said):
    """NTSC's rates as their fraction (shorter than their decimal, and exact), a short decimal as itself, and a rate
    no small fraction is exactly in full: `0.1 + 0.2` is not 3/10, which only rounds to it."""
    assert rate_text(fps) == said


@pytest.mark.parametrize("fps, said", [(60000 / 1001, "59.94"), (30000 / 1001, "29.97"), (24000 / 1001, "23.976"),
                                       (120000 / 1001, "119.88"), (59.94, "59.94"), (30.0, "30"), (12.5, "12.5"),
                                       (123.4567, "123.457"), (15000 / 1001, "14.985"), (float("nan"), "nan"),
                                       (float("inf"), "inf")])
def test_a_frame_rate_is_said_in_a_line_as_it_is_known(fps, said):
    """NTSC's rates as everyone writes them (59.94, not 59.9401); others as short as before."""
    assert rate_said(fps) == said


@pytest.mark.parametrize("spec, said", [(OutputSpec("window"), "window"), (OutputSpec("vcam"), "vcam"),
                                        (OutputSpec("vcam", "/dev/video2", 640, 360), "vcam:/dev/video2@640x360"),
                                        (OutputSpec("file", "a.mp4"), "file:a.mp4")])
def test_an_output_is_said_as_it_is_written(spec, said):
    """A kind without a target has no colon after it; a size is WIDTHxHEIGHT, in that order."""
    assert str(spec) == said


@pytest.mark.parametrize("text, spec", [
    (" file:show.mp4 ", OutputSpec("file", "show.mp4")),
    ("file:take@640x480.mp4", OutputSpec("file", "take@640x480.mp4")),
    ("file:show@2x.mp4", OutputSpec("file", "show@2x.mp4")),
    ("vcam@16x16", OutputSpec("vcam", None, 16, 16)),
    ("null@7680x4320", OutputSpec("null", None, 7680, 4320)),
    ("vcam", OutputSpec("vcam")),
])
def test_an_output_is_read_with_its_size_only_at_its_end(text, spec):
    """A size is only `@WxH` at the end of the spec (a name holding `@640x480` before its extension, unanchored,
    lost it); the spaces around a copied name are not part of it; both ends of the size range are taken."""
    assert parse_spec(text) == spec


def test_an_output_size_out_of_range_is_told_one_within_it():
    """`--out file:x.mp4@2x2` was told the range with nothing to write instead."""
    with pytest.raises(ValueError) as err:
        parse_spec("file:x.mp4@2x2")
    assert str(err.value) == ("output size 2x2 is out of range (16x16 to 7680x4320); give one within it, e.g. "
                              "file:x.mp4@1280x720, or leave @2x2 out for the show's size")


@pytest.mark.parametrize("text, said", [
    ("window@832×480", "output 'window@832×480': '@832×480' is not a size; did you mean window@832x480?"),
    ("file:show.mp4@1280*720", "'@1280*720' is not a size; did you mean file:show.mp4@1280x720?"),
    ("file:my show.mp4@640×360", "did you mean 'file:my show.mp4@640x360'?"),  # as pasted into a shell
    ("vcam@99999×480", "'@99999×480' is not a size; give @WIDTHxHEIGHT, e.g. vcam@1280x720"),  # none in range
])
def test_an_output_size_in_another_form_is_offered_as_written_with_an_x(text, said):
    """`--out window@832×480` said only "give @WIDTHxHEIGHT, e.g. window@1280x720", where `--size 832×480` offers
    832x480."""
    with pytest.raises(ValueError) as refused:
        parse_spec(text)
    assert said in str(refused.value)


@pytest.mark.parametrize("text, said", [
    ("file:show.mp4 @832×480", "did you mean file:show.mp4@832x480?"),
    ("file:show.mp4 @ 832x480", "did you mean file:show.mp4@832x480?"),
    ("window@ 832x480", "did you mean window@832x480?"),
    ("file: a.mp4@832×480", "did you mean file:a.mp4@832x480?"),
    ("file:show.mp4 @720p", "did you mean file:show.mp4@1280x720?"),
    ("@832×480", "use vcam, vcam:DEVICE, file:PATH.mp4, window or null, optionally followed by @WIDTHxHEIGHT"),
    ("file:@832×480", "use vcam, vcam:DEVICE, file:PATH.mp4, window or null, optionally followed by @WIDTHxHEIGHT"),
])
def test_a_mistyped_output_size_is_offered_only_an_output_then_taken(text, said):
    """The fix was built from the output as typed: `file:show.mp4 @832×480` was offered 'file:show.mp4 @832x480',
    refused in turn for its space, `@832×480` the @832x480 refused as an unknown output, `file:@832×480` the
    file:@832x480 that needs a path."""
    with pytest.raises(ValueError) as refused:
        parse_spec(text)
    message = str(refused.value)
    assert message.endswith(said), message
    offered = re.search(r"(?:did you mean |e\.g\. )(.+?)\??$", message)
    if offered:
        parse_spec(shlex.split(offered.group(1))[0])


@pytest.mark.parametrize("text, meant", [("window@+832x480", "window@832x480"), ("window@-832x480", "window@832x480"),
                                         ("file:x.mp4@832x+480", "file:x.mp4@832x480"),
                                         # a recording and the camera take even sizes only: offered the one their
                                         # refusal as they open offers, not one refused in turn
                                         ("file:x.mp4@+833x480", "file:x.mp4@832x480"),
                                         ("vcam@833×481", "vcam@832x480"), ("window@+833x481", "window@833x481")])
def test_an_output_size_with_a_sign_is_offered_without_it(text, meant):
    """`--out window@+832x480` was refused as an unknown output with the forms, its size unsaid, where
    `--size -832x480` offers 832x480."""
    with pytest.raises(ValueError) as refused:
        parse_spec(text)
    assert str(refused.value).endswith(f"is not a size; did you mean {meant}?"), str(refused.value)
    parse_spec(meant)


@pytest.mark.parametrize("text, said", [
    ("file:x.mp4@833x480", "recording size 833x480 must be even in both directions for H.264; did you mean "
                           "file:x.mp4@832x480?"),
    ("vcam:/dev/video2@832x481", "camera size 832x481 must be even in both directions; did you mean "
                                 "vcam:/dev/video2@832x480?"),
    ("vcam@17x17", "camera size 17x17 must be even in both directions; did you mean vcam@16x16?")])
def test_an_odd_size_for_a_recording_or_the_camera_is_refused_as_the_output_is_read(text, said):
    """`--out file:x.mp4@833x480` was taken, then refused as the recording opened, once the model had loaded
    (minutes for a 14B one), where `@+833x480` was offered 832x480 at once."""
    with pytest.raises(ValueError) as refused:
        parse_spec(text)
    assert str(refused.value) == f"output '{text}': {said}"
    parse_spec(said.rpartition("did you mean ")[2].rstrip("?"))
    assert parse_spec("window@833x481").width == 833  # a window shows any size


@pytest.mark.parametrize("text, meant", [("file:x.mp4@720p", "file:x.mp4@1280x720"),
                                         ("file:x.mp4@1080p", "file:x.mp4@1920x1080"),
                                         ("window@1440P", "window@2560x1440"), ("null@2160p", "null@3840x2160")])
def test_an_outputs_size_named_by_an_hd_height_is_offered_as_its_size(text, meant):
    """`--out file:x.mp4@1080p` was given file:x.mp4@1280x720 as its example: 1080p names one size, 1920x1080."""
    with pytest.raises(ValueError) as refused:
        parse_spec(text)
    assert str(refused.value).endswith(f"is not a size; did you mean {meant}?"), str(refused.value)
    parse_spec(meant)


@pytest.mark.parametrize("text", ["vcam:/dev/video10@480p", "window@480p", "file:show.mp4@480p"])
def test_an_outputs_size_named_as_video_names_it_is_not_offered_the_models(text):
    """`vcam:/dev/video10@480p` was offered @832x480, the model's size: a camera's 480p is 640x480 or 854x480."""
    with pytest.raises(ValueError) as refused:
        parse_spec(text)
    assert str(refused.value).endswith(f"'@480p' is not a size; give @WIDTHxHEIGHT, e.g. {text[:-5]}@1280x720")


@pytest.mark.parametrize("text, meant", [("file:show.mp4 @1280x720", "file:show.mp4@1280x720"),
                                         ("vcam:/dev/video2\t@640x360", "vcam:/dev/video2@640x360"),
                                         ("file:my show.mp4  @640x360", "'file:my show.mp4@640x360'")])
def test_a_space_before_an_outputs_size_is_refused_with_the_output_meant(text, meant):
    """`file:show.mp4 @1280x720` was read as a recording to "show.mp4 ", refused as "not .mp4 " with the fix
    file:show.mp4, its size dropped."""
    with pytest.raises(ValueError, match=f"a space before the @ is read as part of the name; did you mean "
                                         f"{re.escape(meant)}\\?$"):
        parse_spec(text)


def test_an_output_path_expands_the_home_folder(monkeypatch, tmp_path):
    """No shell expands a `~` after `file:`: vcam does."""
    monkeypatch.setenv("HOME", str(tmp_path))
    assert parse_spec("file:~/show.mp4").target == f"{tmp_path}/show.mp4"


@pytest.mark.parametrize("text, said", [
    ("file:show.mp4@hd", "output 'file:show.mp4@hd': '@hd' is not a size; give @WIDTHxHEIGHT, e.g. "
                         "file:show.mp4@1280x720"),
    ("vcam@1280x72O", "'@1280x72O' is not a size"),
    ("vcam@", "'@' is not a size"),
    ("file", "output 'file' needs a path: file:PATH.mp4"),
    ("null:x", "output 'null:x' takes no target"),
    ("null@1920x4322", "output size 1920x4322 is out of range"),
    ("vcam@15x480", "output size 15x480 is out of range"),
    ("C://x.mp4", "did you mean file:C://x.mp4?"),
    ("v:/dev/video2", "did you mean vcam:/dev/video2?"),
    ("D:\\takes\\show", "did you mean file:D:\\takes\\show?"),
    ("show.MP4", "did you mean file:show.MP4?"),
    ("windw", "did you mean window?"),
    ("preview", "did you mean window?"),
    ("vcma:/dev/video2", "did you mean vcam:/dev/video2?"),
    ("fil:take", "did you mean file:take?"),
    ("cam:/dev/video2", "did you mean vcam:/dev/video2?"),
    ("cam@640x360", "did you mean vcam@640x360?"),
    ("video10", "did you mean vcam:/dev/video10?"),
    ("video10@640x360", "did you mean vcam:/dev/video10@640x360?"),
])
def test_an_output_not_written_as_one_says_the_one_meant(text, said):
    """A size mistyped is said as one, with the output it was given with; a path, a device or a kind written
    another way is answered with the output meant (a drive's path, `C://x.mp4`, is no network stream)."""
    with pytest.raises(ValueError) as e:
        parse_spec(text)
    assert said in str(e.value)


def test_a_preview_with_a_target_is_offered_nothing():
    """A window takes no target: `preview:x` is not offered as `window:x`, refused in turn."""
    with pytest.raises(ValueError) as e:
        parse_spec("preview:x")
    assert "did you mean" not in str(e.value)


@pytest.mark.parametrize("name", ["take.mp4", "take.MP4", "takes/take.mp4", "/dev/stdout"])
def test_a_recording_named_mp4_or_streamed_into_a_device_is_taken(name):
    check_recording_name(name)


@pytest.mark.parametrize("name", ["take", "takes/take", "/dev/shm/take"])
def test_a_recording_named_without_an_extension_is_refused_with_its_mp4_name(name):
    with pytest.raises(VcamError, match=f"use file:{name}.mp4"):
        check_recording_name(name)


def test_a_recording_named_as_another_format_is_refused():
    with pytest.raises(VcamError, match="not .avi"):
        check_recording_name("take.avi")


# --- --in -------------------------------------------------------------------------------------------------------


def test_an_input_is_said_as_written_and_live_where_it_keeps_its_own_clock():
    assert str(InputSpec("camera")) == "camera" and str(InputSpec("file", "a.mp4")) == "file:a.mp4"
    assert InputSpec("net").live and InputSpec("camera", "0").live
    assert not InputSpec("file", "a.mp4").live and not InputSpec("image", "a.png").live


def test_a_show_files_input_path_is_read_from_the_show_folder_unless_whole():
    """An image's relative path too is the show folder's; a `~` path is whole already (joined to the folder it
    became /shows/~/a.mp4)."""
    assert InputSpec("image", "a.png").relative_to("/shows") == InputSpec("image", "/shows/a.png")
    assert InputSpec("file", "~/a.mp4").relative_to("/shows") == InputSpec("file", "~/a.mp4")
    assert InputSpec("camera", "0").relative_to("/shows") == InputSpec("camera", "0")


def test_the_fix_for_a_typed_input_names_the_command_and_where_its_path_is_read_from():
    assert typed_fix(missing_fix("file"), InputSpec("file", "a.mp4")).startswith("check the path; a typed file: path")
    assert typed_fix(missing_fix("image"), InputSpec("image", "~/a.png")) == "check the path"
    assert typed_fix(missing_fix("file"), InputSpec("file", "/clips/a.mp4")) == "check the path"
    assert typed_fix("give --in camera:1", InputSpec("camera", "0")) == "give input camera:1"


def test_a_missing_path_given_without_its_kind_is_said_missing_with_the_kind(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "there.mp4").write_bytes(b"")
    assert missing_said(InputSpec("file", "there.mp4")) is None
    assert missing_said(InputSpec("camera", "/dev/video9")) is None
    assert missing_said(InputSpec("file", "gone.mp4")) == (
        f"video file {tmp_path}/gone.mp4: no such file (a --in path is relative to the folder vcam was started in): "
        "check the path, then give it with its kind: --in file:PATH")
    assert missing_said(InputSpec("image", f"{tmp_path}/gone.png"), "--send") == (
        f"image {tmp_path}/gone.png: no such file: check the path, then give it with its kind: --send image:PATH")


@pytest.mark.parametrize("path, plain", [
    ("My\\ Clips/loop\\ \\(2\\).mp4", "My Clips/loop (2).mp4"),
    ("a\\\\b.mp4", "a\\b.mp4"),
    ("a\\\\\\(b.mp4", "a\\\\(b.mp4"),
    ("clip\\", "clip\\"),
    ("C:\\shows\\(old)\\a.mp4", "C:\\shows\\(old)\\a.mp4"),
])
def test_a_shells_escapes_are_taken_out_of_a_path_once(path, plain):
    """A name's own backslash before what a shell escapes stays doubled (so the canonical form reads back the
    same); a trailing backslash is kept, not an IndexError; a Windows path's backslashes are its folders'."""
    assert unescaped(path, windows=False) == plain
    assert unescaped(plain, windows=False) == unescaped(unescaped(plain, windows=False), windows=False)


@pytest.mark.parametrize("text, meant", [
    (".hidden_clip", InputSpec("file", ".hidden_clip")),
    ("show.mpeg", InputSpec("file", "show.mpeg")),
    ("/dev/video2", InputSpec("camera", "/dev/video2")),
    ("photo.PNG", InputSpec("image", "photo.PNG")),
    ("cam:0", InputSpec("camera", "0")),
    ("fil:a.mp4", InputSpec("file", "a.mp4")),
    ("clip:My\\ Clips/a.mp4", InputSpec("file", "My Clips/a.mp4")),
    ("video0", InputSpec("camera", "0")),
    ("camera01", InputSpec("camera", "1")),
    ("webcam", InputSpec("camera")),
])
def test_an_input_written_another_way_is_answered_with_the_one_meant(text, meant):
    with pytest.raises(MeantError) as e:
        parse_input(text)
    assert e.value.meant == meant


@pytest.mark.parametrize("text, said", [
    ("", "unknown input ''"),
    ("cam:x", "unknown input 'cam:x'"),
    ("file:file://localhost/home/me/a.mp4", "is a file's address: give its path, as file:/home/me/a.mp4"),
    ("file:file:///C:/clips/a.mp4", "is a file's address: give its path, as file:C:/clips/a.mp4"),
    ("https://host/a.mp4", "download the clip and play it as file:PATH"),
    ("image:https://host/a.png", "download the image and show it as image:PATH"),
    ("net:x", "input 'net:x' takes nothing after 'net'"),
    ("none:x", "takes nothing after 'none'"),
    ("image:", "input 'image:' needs a path: image:PATH"),
    ("camera:", "needs a device after 'camera:'"),
    ("camera:x", "camera 'x' is neither an index"),
    # written with a space for the colon: offered `camera`, the first camera, the name it was given dropped
    ("camera x", "camera 'x' is neither an index (camera:0) nor a device path (camera:/dev/video0)"),
    ("webcam front", "camera 'front' is neither an index"),
])
def test_an_input_that_is_none_says_why(text, said):
    with pytest.raises(ValueError) as e:
        parse_input(text)
    assert not isinstance(e.value, MeantError) or said.startswith("unknown")
    assert said in str(e.value)


@pytest.mark.parametrize("text, spec", [
    (" camera ", InputSpec("camera")), ("camera", InputSpec("camera")), ("FILE:a.mp4", InputSpec("file", "a.mp4")),
    ("camera:/dev/video2", InputSpec("camera", "/dev/video2")), ("image:a\\ b.png", InputSpec("image", "a b.png")),
    ("file:C://clips/a.mp4", InputSpec("file", "C://clips/a.mp4")), ("net", InputSpec("net")),
])
def test_an_input_is_read_as_written(text, spec):
    assert parse_input(text) == spec


def test_a_path_that_is_there_is_no_address_though_it_reads_as_one(monkeypatch, tmp_path):
    """A folder named `http:` holding x is a path: refused as an address, it could not be played at all."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "http:").mkdir()
    (tmp_path / "http:" / "x").write_bytes(b"")
    assert parse_input("file:http://x") == InputSpec("file", "http://x")


@pytest.mark.parametrize("value, ok", [(0.0, True), (1.0, True), (1.01, False), (-0.01, False),
                                       (float("nan"), False)])
def test_a_strength_of_0_or_1_is_one(value, ok):
    if ok:
        assert check_strength(value) == value
    else:
        with pytest.raises(ValueError, match="strength must be from 0"):
            check_strength(value)


# --- the options' defaults and limits ---------------------------------------------------------------------------


def _parsed(argv: list[str]) -> argparse.Namespace:
    from vcam.cmdline.parser import build_parser

    return build_parser().parse_args(argv)


def _usage_error(argv: list[str], capsys) -> str:
    from vcam.cli import main

    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    return capsys.readouterr().err.rstrip().splitlines()[-1]


def test_vcam_serve_listens_on_the_loopback_at_8765_and_sends_quality_80_by_default():
    """As its help says: 127.0.0.1 (0.0.0.0 by default would put the show on the network without a token)."""
    args = _parsed(["serve"])
    assert (args.host, args.port, args.quality, args.token) == ("127.0.0.1", 8765, 80, None)
    assert (args.max_latency, args.stdin, args.tuning) == (4.0, True, True)


@pytest.mark.parametrize("argv, said", [
    (["serve", "--port", "65536"], "argument --port: 65536 must be at least 1 and at most 65535"),
    (["serve", "--quality", "9"], "argument --quality: 9 must be at least 10 and at most 100"),
    (["run", "--steps", "51"], "argument --steps: 51 must be at least 1 and at most 50"),
    (["render", "log.jsonl", "--out", "null", "--steps", "0"], "argument --steps: 0 must be at least 1 and at most 50"),
    (["midi", "learn", "--count", "0"], "argument --count: 0 must be at least 1"),
    (["render", "log.jsonl"], "the following arguments are required: --out"),
    (["bench", "--warmup", "-1"], "argument --warmup: -1 must be at least 0"),
])
def test_an_option_past_its_limits_is_one_usage_line(argv, said, capsys):
    assert said in _usage_error(argv, capsys)


def test_a_seed_steps_and_transition_in_hex_are_taken_as_typed_and_in_a_show():
    """`vcam run --seed 0x10` was refused as no whole number, where a typed `seed 0x10` and a show's `seed: 0x10`
    are 16."""
    from vcam.control.commands import parse
    args = _parsed(["run", "--seed", "0x10", "--transition", "0b11", "--steps", "0x4"])
    assert (args.seed, args.transition, args.steps) == (parse("seed 0x10").args[0], 3, 4) == (16, 3, 4)


def test_a_seed_and_a_transition_of_0_are_taken():
    args = _parsed(["run", "--seed", "0", "--transition", "0", "--steps", "50"])
    assert (args.seed, args.transition, args.steps) == (0, 0, 50)


def test_vcam_cam_defaults_to_30_fps_letterboxed_reading_stdin():
    args = _parsed(["cam", "ws://host"])
    assert (args.fps, args.fit, args.max_latency, args.stdin, args.out) == (30.0, "letterbox", 4.0, True, None)
    assert _parsed(["cam", "ws://host", "--no-stdin"]).stdin is False
    assert _parsed(["run", "--no-stdin"]).stdin is False


def test_vcam_bench_defaults_to_the_real_model_and_its_settings():
    """krea-14b, 4 steps, 8 timed blocks after 3 warm-up ones, fused q/k/v, bias 1 (off), as its help says."""
    args = _parsed(["bench"])
    assert (args.model, args.steps, args.blocks, args.warmup) == ("krea-14b", 4, 8, 3)
    assert (args.fuse, args.bias, args.quant, args.decoder, args.attention) == (True, 1.0, "none", "vae", "auto")
    assert _parsed(["bench", "--no-fuse"]).fuse is False


def test_vcam_download_fetches_the_real_model_and_vcam_render_uses_saved_tuning_by_default():
    assert (_parsed(["download"]).model, _parsed(["download"]).decoder) == ("krea-14b", "vae")
    assert _parsed(["render", "log.jsonl", "--out", "null"]).tuning is True
    assert _parsed(["render", "log.jsonl", "--out", "null", "--no-tuning"]).tuning is False


@pytest.mark.parametrize("argv, smooth", [
    (["run", "--smooth"], "fade"), (["serve", "--smooth", "club"], "fade"), (["run", "--smooth", "show.yaml"], "fade"),
    (["cam", "ws://host", "--smooth", "--no-stdin"], "fade"),
])
def test_smooth_alone_is_the_cross_fade(argv, smooth):
    """--smooth alone (before another flag, or before a show vcam run or serve plays) is the cross-fade, as its
    help says: not flow, which costs the CPU."""
    assert _parsed(argv).smooth == smooth


def test_an_osc_reply_port_alone_is_taken_and_said_in_its_own_words(capsys):
    assert _parsed(["run", "--osc-reply", "9000"]).osc_reply == "9000"
    assert "to whoever sends" in _usage_error(["run", "--osc-reply", "tablet"], capsys)


@pytest.mark.parametrize("argv, said", [
    (["run", "--input", "camera"], "did you mean --in?"),
    (["run", "--versio"], "the version is vcam's own: vcam --version"),
    (["run", "a.yml", "b.yml"], "vcam run takes one SHOW.yaml"),
    (["cam", "ws://host", "--out", "vcam", "null"], "--out takes one OUTPUT: give --out again for each (--out null)"),
    (["run", "--fit", "strech"], "did you mean stretch?"),
])
def test_a_word_vcam_does_not_take_is_answered_with_the_one_meant(argv, said, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("a.yml", "b.yml"):
        (tmp_path / name).write_text("presets:\n  - {name: a, prompt: x}\n")
    assert said in _usage_error(argv, capsys)


def test_bench_json_shortened_says_a_refused_value_as_json_too(capsys):
    """`--js` is --json as argparse takes it shortened: the refusal goes to stdout as JSON as well."""
    import json

    from vcam.cli import main

    with pytest.raises(SystemExit):
        main(["bench", "--js", "--steps", "0"])
    out = capsys.readouterr().out
    assert json.loads(out) == {"error": "argument --steps: 0 must be at least 1 and at most 50"}


# --- vcam check -------------------------------------------------------------------------------------------------

FULL_SHOW = """name: Full show
defaults: {seed: 9, steps: 3, transition: 2, fallback: still.png, input: camera, strength: 0.5, input_fit: crop,
           quantize: bar, bias: 0.8, bpm: 124}
output: {size: 640x368, fps: 25, fit: crop, out: [null, "file:takes/a.mp4@320x192"]}
presets:
  - {name: a, prompt: x}
  - {name: b, prompt: y}
midi: {map: nanokontrol2, port: nano}
cues:
  - {name: one, do: preset a}
  - {name: two, do: preset b, loop: true}
"""


def _checked(tmp_path, capsys, text: str) -> tuple[int, str, str]:
    import cv2
    import numpy as np

    from vcam.cli import main

    cv2.imwrite(str(tmp_path / "still.png"), np.zeros((16, 16, 3), np.uint8))
    (tmp_path / "takes").mkdir(exist_ok=True)
    (tmp_path / "show.yaml").write_text(text)
    code = main(["check", str(tmp_path / "show.yaml")])
    out, err = capsys.readouterr()
    return code, out, err


def test_vcam_check_says_every_default_the_output_the_midi_port_and_the_cue_loop(tmp_path, capsys):
    """Each part of the summary as the show gives it: its seed (not its steps), what it sets and only that, its
    output's own size, rate, fit and outputs, the MIDI port and program changes, and the list's loop on its last cue."""
    code, out, err = _checked(tmp_path, capsys, FULL_SHOW)
    assert (code, err) == (0, "")
    assert out.splitlines()[3:] == [
        f"  defaults: seed 9, steps 3, transition 2, fallback {tmp_path}/still.png, input camera, strength 0.5, "
        "bias 0.8, input_fit crop, 124 bpm, changes land on the bar",
        f"  output: 640x368, 25 fps, crop, null, file:{tmp_path}/takes/a.mp4@320x192",
        "  midi: Korg nanoKONTROL2: 5 knobs, 14 buttons, program change selects presets, port 'nano'",
        "  cues: 2, looping (go fires the next, back steps back; after the last, cue 1 again)",
        "   1. one: preset a",
        "   2. two: preset b (then cue 1 again)",
        "ok"]


def test_vcam_check_says_a_midi_map_without_a_port_is_opened_with_midi(tmp_path, capsys):
    """The reference show leaves its port: as a comment: run without --midi, its map opens no input."""
    code, out, err = _checked(tmp_path, capsys, "presets:\n  - {name: a, prompt: x}\nmidi: {map: nanokontrol2}\n")
    assert (code, err) == (0, "")
    assert ("  midi: Korg nanoKONTROL2: 5 knobs, 14 buttons, program change selects presets, no port (give --midi "
            "PORT)") in out.splitlines(), out


def test_vcam_check_says_at_its_line_that_a_go_button_does_nothing_in_a_show_without_cues(tmp_path, capsys):
    """Refused, a show that had played no longer started; passed unsaid, each press on air said there were no cues."""
    code, out, err = _checked(tmp_path, capsys, "presets:\n  - {name: a, prompt: x}\nmidi:\n  controls:\n"
                                                "    - {note: 36, command: go}\n")
    assert (code, err) == (0, "")
    assert out.splitlines()[-2:] == [f"{tmp_path / 'show.yaml'}:5: midi control 1 command 'go' does nothing until "
                                     "the show has cues: write them in its cues: list, or give the button another "
                                     "command", "ok"], out


def test_vcam_check_of_a_bare_show_says_the_defaults_and_no_more(tmp_path, capsys):
    code, out, err = _checked(tmp_path, capsys, "presets:\n  - {name: a, prompt: x}\n")
    assert (code, err) == (0, "")
    assert out.splitlines()[2:] == ["  defaults: seed 0, steps 4, transition 4", "ok"]


def test_vcam_check_says_an_output_list_alone_with_the_rate_and_fit_a_show_gets(tmp_path, capsys):
    """An output list with nothing else is still said, at the 30 fps and letterbox vcam run plays it at."""
    code, out, _ = _checked(tmp_path, capsys, "output: {out: [window]}\npresets:\n  - {name: a, prompt: x}\n")
    assert code == 0
    assert "  output: size picked for the card, 30 fps, letterbox, window\n" in out


def test_vcam_check_checks_a_recording_at_its_own_size_and_the_shows_rate(tmp_path, capsys):
    """A recording's @WxH is checked as it will be written (H.264's even sides), not at the show's size; one with no
    rate of the show's is checked at 30 fps."""
    code, _, err = _checked(tmp_path, capsys, FULL_SHOW.replace("@320x192", "@321x193"))
    assert code == 2
    assert (f"{tmp_path}/show.yaml:4: output 'file:takes/a.mp4@321x193': recording size 321x193 must be even in "
            "both directions for H.264; did you mean file:takes/a.mp4@320x192?") in err, err
    code, out, err = _checked(tmp_path, capsys, FULL_SHOW.replace("fps: 25, ", ""))
    assert (code, err) == (0, "") and "  output: 640x368, 30 fps, crop," in out


def test_vcam_check_names_the_camera_a_show_without_an_output_list_plays_to(tmp_path, capsys):
    code, out, _ = _checked(tmp_path, capsys, "output: {fps: 25}\npresets:\n  - {name: a, prompt: x}\n")
    assert code == 0
    assert "  output: size picked for the card, 25 fps, letterbox, vcam\n" in out


def test_a_double_dash_before_the_subcommand_is_said_as_vcams_to_refuse(capsys):
    """`vcam -- run`: `--` is no shortened --help or --version (a start of two characters is taken as one only past
    them)."""
    assert _usage_error(["--", "run"], capsys) == (
        "vcam: error: unrecognized arguments: -- (before the subcommand, vcam takes -h and --version only; vcam "
        "run's options go after it)")


# --- errors said on one line ------------------------------------------------------------------------------------

_FAKE_VCAM = os.path.join(os.path.dirname(os.path.abspath(errors.__file__)), "_not_a_module.py")


def _raised(*frames: tuple[str, str]) -> BaseException:
    """The error `frames` raise: (file name, the line a function of it runs), outermost first; each calls the next,
    the last raises. The file names give each frame its place (vcam's own, a library's)."""
    call = None
    for i, (filename, line) in reversed(list(enumerate(frames))):
        ns = {"call": call, "json": __import__("json")}
        exec(compile(f"def f{i}():\n    {line}\n", filename, "exec"), ns)
        call = ns[f"f{i}"]
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the error is what is under test
        return e
    raise AssertionError("nothing raised")


def test_an_install_fix_names_the_editable_extra_in_the_source_folder_and_the_pypi_one_elsewhere(monkeypatch, tmp_path):
    assert install_fix("midi") == 'pip install -e ".[midi]"  (in the vcam folder)'
    assert install_fix("midi", "mido") == 'pip install -e ".[midi]"  (mido)'
    monkeypatch.setattr(errors, "__file__", str(tmp_path / "site-packages" / "vcam" / "errors.py"))
    assert install_fix("midi") == 'pip install "vcam[midi]"'
    assert install_fix("midi", "mido") == 'pip install "vcam[midi]"  (mido)'


def test_an_error_with_a_fix_is_said_with_it_and_one_without_alone():
    assert str(VcamError("m", "f")) == "m\n  fix: f" and str(VcamError("m")) == "m"
    assert one_line(VcamError("m", "f")) == "m; f" and one_line(VcamError("m")) == "m"


def test_an_error_without_text_or_a_lookup_error_is_said_with_its_type():
    """A KeyError's bare "'x'" reads as a device's or a file's fault; a RuntimeError with no text said nothing."""
    assert one_line(RuntimeError()) == "RuntimeError"
    assert one_line(KeyError("x")) == "KeyError: 'x'"
    assert one_line(RuntimeError("two\n  lines")) == "two lines"  # a library's text set out over lines, on one
    assert described(RuntimeError("two\n  lines")) == "RuntimeError: two lines"


def test_a_bug_in_vcam_is_said_at_its_innermost_line_of_vcams_code():
    e = _raised((_FAKE_VCAM, "call()"), (_FAKE_VCAM, "raise TypeError('bad')"))
    assert bug_place(e) == "vcam/_not_a_module.py:2 in f1"
    assert described(e) == "TypeError: bad (at vcam/_not_a_module.py:2 in f1: a bug in vcam, please report this line)"


@pytest.mark.parametrize("library", ["av/container.pyx", os.path.join(sysconfig.get_paths()["purelib"], "lib.py"),
                                     os.path.join(sysconfig.get_paths()["stdlib"], "lib.py")])
def test_an_error_raised_inside_a_library_is_no_bug_of_vcams(library):
    """Raised in a compiled library's frame (a relative name), an installed package's or the standard library's,
    a TypeError called from vcam is the library's to say: no place in vcam is named."""
    e = _raised((_FAKE_VCAM, "call()"), (library, "raise TypeError('bad input')"))
    assert bug_place(e) is None
    assert described(e) == "TypeError: bad input"


def test_a_librarys_own_lookup_error_raised_in_vcam_is_no_bug():
    class NotFound(LookupError):
        pass

    e = _raised((_FAKE_VCAM, "raise call"))
    assert bug_place(e) is not None
    try:
        exec(compile("raise NotFound('codec')\n", _FAKE_VCAM, "exec"), {"NotFound": NotFound})
    except NotFound as raised:
        NotFound.__module__ = "av.error"
        assert bug_place(raised) is None


# --- what the command line says and exits with ------------------------------------------------------------------


def test_a_missing_optional_part_is_named_by_its_top_module_and_a_plain_import_error_is_not():
    said = missing_extra("devices", ModuleNotFoundError("no", name="rtmidi._rtmidi"))
    assert said.message == ("vcam devices needs MIDI support (mido and python-rtmidi) (no module named "
                            "'rtmidi._rtmidi')")
    assert missing_extra("devices", ImportError("cannot import name x", name="mido")) is None


def test_an_error_without_a_fix_is_one_line_and_an_internal_one_points_at_the_traceback(capsys):
    say_error(VcamError("m"))
    assert capsys.readouterr().err == "vcam: error: m\n"
    internal_error(RuntimeError("x"))
    assert capsys.readouterr().err == "vcam: error: RuntimeError: x\n  (set VCAM_DEBUG=1 for the full traceback)\n"


class _GoneStdout:
    def write(self, text):
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self):
        raise BrokenPipeError(32, "Broken pipe")

    def fileno(self):
        raise ValueError("no descriptor")


def test_a_json_failure_to_a_reader_that_is_gone_is_said_to_none(monkeypatch):
    monkeypatch.setattr(sys, "stdout", _GoneStdout())
    said_as_json({"error": "x"})  # no BrokenPipeError out of it
    assert stdout_gone()


def test_stdout_is_gone_only_where_its_pipe_has_no_reader(monkeypatch):
    read, write = os.pipe()
    out = os.fdopen(write, "w")
    try:
        monkeypatch.setattr(sys, "stdout", out)
        assert not stdout_gone()  # a reader is there: the pipe can be written
        os.close(read)
        read = None
        assert stdout_gone()
    finally:
        out.close()
        if read is not None:
            os.close(read)


def test_stdout_pointed_at_the_null_device_leaves_its_pipe(monkeypatch):
    """What is left to write drains into the null device, not into the pipe (whose reader is gone)."""
    read, write = os.pipe()
    out = os.fdopen(write, "w")
    try:
        monkeypatch.setattr(sys, "stdout", out)
        stdout_to_null()
        os.write(out.fileno(), b"x")
        assert os.read(read, 10) == b""  # the pipe's only writer is gone: it ends
    finally:
        out.close()
        os.close(read)


@pytest.mark.parametrize("raised, code, said", [
    (BrokenPipeError(32, "Broken pipe"), 2, "vcam: error: BrokenPipeError: [Errno 32] Broken pipe"),
    (OSError(5, "I/O error"), 2, "vcam: error: OSError: [Errno 5] I/O error"),
    (FileNotFoundError(2, "No such file or directory", "show.yaml"), 2, "vcam: error: show.yaml: No such file"),
    (ImportError("cannot import name x"), 2, "vcam: error: ImportError: cannot import name x"),
    (KeyboardInterrupt(), 130, None),
    (ConfigError(["show.yaml:3: bad"], "show.yaml"), 2, "vcam: error in show.yaml:\n  show.yaml:3: bad"),
    (VcamError("m"), 2, "vcam: error: m"),
])
def test_what_a_command_raises_is_one_clear_error_and_its_exit_code(raised, code, said, monkeypatch, capsys):
    """A broken pipe that is not stdout's (a socket's, an encoder's) is an error, not a reader gone; an OSError
    with no file is said with its type; Ctrl-C in a command exits 130."""
    import vcam.cli as cli

    def command(args):
        raise raised

    monkeypatch.delenv("VCAM_DEBUG", raising=False)
    monkeypatch.setattr(cli, "stdout_gone", lambda: False)
    monkeypatch.setattr(cli, "cmd_models", command)
    assert cli.main(["models"]) == code
    if said is not None:
        assert capsys.readouterr().err.startswith(said)


def test_a_broken_pipe_on_stdout_exits_1_without_a_word(monkeypatch, capsys):
    import vcam.cli as cli

    def command(args):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cli, "stdout_gone", lambda: True)
    monkeypatch.setattr(cli, "stdout_to_null", lambda: None)
    monkeypatch.setattr(cli, "cmd_models", command)
    assert cli.main(["models"]) == 1
    assert capsys.readouterr().err == ""


def test_a_value_error_inside_a_library_is_said_with_its_type_and_one_of_vcams_bare(monkeypatch, capsys):
    import vcam.cli as cli

    monkeypatch.delenv("VCAM_DEBUG", raising=False)
    inside = _raised((_FAKE_VCAM, "call()"), (os.path.join(sysconfig.get_paths()["stdlib"], "lib.py"),
                                              "raise ValueError('bad')"))
    own = _raised((_FAKE_VCAM, "raise ValueError('give a number')"))
    assert not cli.raised_by_vcam(inside) and cli.raised_by_vcam(own)
    for raised, said in ((inside, "vcam: error: ValueError: bad\n"), (own, "vcam: error: give a number\n")):
        monkeypatch.setattr(cli, "cmd_models", lambda args, e=raised: (_ for _ in ()).throw(e))
        assert cli.main(["models"]) == 2
        assert capsys.readouterr().err.startswith(said)


def test_a_missing_optional_part_is_said_for_the_command_that_needs_it(monkeypatch, capsys):
    import vcam.cli as cli

    def command(args):
        raise ModuleNotFoundError("no", name="mido")

    monkeypatch.delenv("VCAM_DEBUG", raising=False)
    monkeypatch.setattr(cli, "cmd_devices", command)
    assert cli.main(["devices"]) == 2
    assert capsys.readouterr().err.startswith("vcam: error: vcam devices needs MIDI support")


def test_the_import_chatter_of_optional_packages_is_quieted_unless_debugging(monkeypatch):
    import logging

    import vcam.cli as cli

    logger = logging.getLogger(cli.IMPORT_CHATTER[0])
    monkeypatch.setattr(logger, "level", logging.NOTSET)
    monkeypatch.delenv("VCAM_DEBUG", raising=False)
    monkeypatch.setattr(cli, "cmd_models", lambda args: 0)
    assert cli.main(["models"]) == 0
    assert logger.level == logging.ERROR


def test_torchaos_gpu_extension_message_is_kept_only_on_a_cuda_build(monkeypatch):
    import logging

    import vcam.cli as cli

    record = logging.LogRecord("torchao", logging.WARNING, "x", 1, "no extension", None, None)
    monkeypatch.setitem(sys.modules, "torch", SimpleNamespace(version=SimpleNamespace(cuda=None)))
    assert not cli._CPUBuildOnly().filter(record)
    monkeypatch.setitem(sys.modules, "torch", SimpleNamespace(version=SimpleNamespace(cuda="12.4")))
    assert cli._CPUBuildOnly().filter(record)


def test_a_json_failure_is_pushed_out_at_once_so_a_reader_gone_is_found_there(monkeypatch):
    """Left in the buffer, the write failed only as Python ended, said as an ignored BrokenPipeError."""
    import vcam.cmdline.errorlines as errorlines

    class Buffered(_GoneStdout):
        def write(self, text):
            return len(text)

    pointed = []
    monkeypatch.setattr(sys, "stdout", Buffered())
    monkeypatch.setattr(errorlines, "stdout_to_null", lambda: pointed.append(True))
    errorlines.said_as_json({"error": "x"})
    assert pointed == [True]


def test_help_on_a_narrow_terminal_breaks_no_flag_at_its_hyphen(monkeypatch, capsys):
    """`--midi-` ending one line with `map` starting the next is no flag a reader can copy."""
    from vcam.cli import main

    monkeypatch.setenv("COLUMNS", "60")
    with pytest.raises(SystemExit):
        main(["cam", "--help"])
    lines = capsys.readouterr().out.splitlines()
    assert [line for line in lines if line.rstrip()[-2:-1].isalpha() and line.rstrip().endswith("-")] == []


# --- vcam bench -------------------------------------------------------------------------------------------------


def test_a_bench_failure_as_json_gives_vcams_message_and_fix_or_the_errors_type():
    from vcam.cmdline.bench import failure

    assert failure(VcamError("m", "f")) == {"error": "m", "fix": "f"}
    assert failure(VcamError("m")) == {"error": "m"}
    assert failure(RuntimeError("x")) == {"error": "RuntimeError: x"}
    said = failure(ModuleNotFoundError("no", name="torch"))
    assert said["error"].startswith("vcam bench needs the engine") and "pip install" in said["fix"]


@pytest.mark.parametrize("argv, said", [
    (["--tune", "--bias", "0.3"], "vcam: error: --bias times one run; --tune picks speed options at bias 1"),
    (["--tune", "--split"], "vcam: error: --split profiles one run; --tune times many"),
    (["--tune", "--no-fuse", "--compile"], "vcam: error: --tune tries the speed options itself; --compile, --no-fuse "
                                           "would be ignored"),
    (["--tune", "--no-compile", "--compile-mode", "default"], "vcam: error: --tune tries the speed options itself; "
                                                              "--no-compile, --compile-mode would be ignored"),
])
def test_a_tuning_run_refuses_what_it_would_ignore_before_timing_anything(argv, said, capsys, monkeypatch):
    from vcam.cli import main

    monkeypatch.setattr("vcam.bench.tuning.tune", lambda *a, **k: pytest.fail("tuned"))
    assert main(["bench", "--model", "tiny", *argv]) == 2
    assert capsys.readouterr().err.startswith(said)


@pytest.mark.parametrize("argv", [["--tune", "--split"], ["--tune", "--bias", "0.3"], ["--tune", "--no-fuse"],
                                  ["--tune-budget", "5"],
                                  ["--no-compile", "--compile-mode", "max-autotune-no-cudagraphs"]])
def test_bench_refuses_options_that_cannot_go_together_before_importing_pytorch(argv):
    """`vcam bench --tune --split` was refused only once PyTorch was imported: seconds of waiting, more on a cold
    start, for what the command line alone says."""
    script = ("import sys\nfrom vcam.cli import main\n"
              f"code = main({['bench', '--model', 'tiny', *argv]!r})\n"
              "print(code, 'torch' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["2", "False"], done.stdout + done.stderr
    assert done.stderr.startswith("vcam: error: ") and "\n  fix: " in done.stderr


@pytest.mark.parametrize("json_out", [False, True])
def test_bench_refuses_a_model_it_does_not_know_before_importing_pytorch(json_out):
    """`vcam bench --model nope` said "unknown model" only once PyTorch was imported, seconds later."""
    argv = ["bench", "--model", "Tiny", *(["--json"] if json_out else [])]
    script = f"import sys\nfrom vcam.cli import main\ncode = main({argv!r})\nprint(code, 'torch' in sys.modules)\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    words = "unknown model 'Tiny'; did you mean tiny? choose one of: krea-14b, tiny"
    assert done.stdout.split("\n")[-2].split() == ["2", "False"], done.stdout + done.stderr
    assert done.stderr == f"vcam: error: {words}\n"
    if json_out:
        assert json.loads(done.stdout.split("\n")[0]) == {"error": words}


def test_a_tuning_run_refused_says_so_as_json_too(capsys):
    import json

    from vcam.cli import main

    assert main(["bench", "--model", "tiny", "--json", "--tune", "--split"]) == 2
    assert json.loads(capsys.readouterr().out) == {"error": "--split profiles one run; --tune times many",
                                                   "fix": "leave out --split with --tune"}


def test_a_tune_budget_without_tune_is_refused_rather_than_ignored(monkeypatch, capsys):
    from vcam.cli import main

    monkeypatch.setattr("vcam.bench.bench.bench", lambda *a, **k: pytest.fail("timed"))
    assert main(["bench", "--model", "tiny", "--no-compile", "--tune-budget", "5"]) == 2
    assert capsys.readouterr().err.startswith("vcam: error: --tune-budget only applies to a tuning run")


def test_a_bench_stopped_before_its_result_says_so_as_json(monkeypatch, capsys):
    """Ctrl-C while timing exits 130; with --json, stdout still gets an object saying no result came."""
    import json

    from vcam.cli import main

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("vcam.bench.bench.bench", stopped)
    assert main(["bench", "--model", "tiny", "--no-compile", "--json"]) == 130
    assert json.loads(capsys.readouterr().out) == {"error": "stopped (Ctrl-C) before the timing finished: no result"}


@pytest.mark.parametrize("interrupted, code", [(False, 0), (True, 130)])
def test_a_tuning_stopped_after_saving_what_it_measured_still_exits_130(interrupted, code, monkeypatch, capsys):
    """What was measured before a Ctrl-C is saved, but the run was stopped: `&&` and set -e stop too."""
    from vcam.cli import main

    result = SimpleNamespace(saved=True, interrupted=interrupted, best=None, table=lambda: "table",
                             stop_sig=signal.SIGINT)
    monkeypatch.setattr("vcam.bench.tuning.tune", lambda *a, **k: result)
    assert main(["bench", "--model", "tiny", "--tune"]) == code
    assert capsys.readouterr().out == "table\n"


@pytest.mark.parametrize("text, seconds", [("1h 30m", 5400.0), ("2m 30s", 150.0), ("90 s", 90.0),
                                           ("1 h 30 m", 5400.0), ("1h  30m 15s", 5415.0), ("1.5 H", 5400.0)])
def test_a_duration_written_with_spaces_between_its_units_is_taken(text, seconds):
    """`--duration "1h 30m"` was refused as no length of time; each word carries its unit, so nothing is guessed."""
    assert argtypes.duration(text) == seconds


@pytest.mark.parametrize("text", ["1h 30", "1 30", "30 1h", "30m 1h", "1h 30x"])
def test_a_spaced_duration_with_a_word_of_no_unit_or_out_of_order_is_refused(text):
    """A word without its own unit (30 of what?) or units not from the largest down stay refused."""
    with pytest.raises(argparse.ArgumentTypeError):
        argtypes.duration(text)
