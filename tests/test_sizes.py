"""The frame-size rule (positive multiples of 16) lives in one place; the command line, show files, `vcam run`
and streams all say it in its words."""
import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vcam.argtypes import frame_size
from vcam.cli import build_parser
from vcam.control.show import parse_show
from vcam.control.yamlproblems import ConfigError
from vcam.sizes import check_size
from vcam.live.run import RunOptions, run

RULE = "both must be positive multiples of 16 (e.g. 832x480, 576x320, 480x832"


@pytest.mark.parametrize("w,h", [(832, 480), (576, 320), (480, 832), (16, 16)])
def test_sizes_the_model_makes_pass_everywhere(w, h):
    check_size(w, h)
    assert frame_size(f"{w}x{h}") == (w, h)
    show = parse_show(f"output:\n  size: {w}x{h}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert show.output.size == (w, h)


@pytest.mark.parametrize("w,h,nearest", [(830, 480, "832x480"), (832, 0, "832x16"),
                                         (1920, 1080, "1920x1088")])
def test_every_place_refuses_other_sizes_with_the_same_words(w, h, nearest, capsys):
    with pytest.raises(ValueError) as by_rule:
        check_size(w, h)
    said = str(by_rule.value)
    assert said.startswith(f"size {w}x{h}: {RULE}") and said.endswith(f"the nearest is {nearest})")
    with pytest.raises(argparse.ArgumentTypeError) as on_cli:
        frame_size(f"{w}x{h}")
    assert str(on_cli.value) == said
    with pytest.raises(ConfigError) as in_show:
        parse_show(f"output:\n  size: {w}x{h}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert any(p.startswith("show.yaml:2") and said in p for p in in_show.value.problems), in_show.value.problems
    with pytest.raises(ValueError) as in_run:  # a size from Python or a control log: refused before loading
        run(RunOptions(model="tiny", size=(w, h), outs=["null"], stdin=False))
    assert str(in_run.value) == said


@pytest.mark.parametrize("w,h,fix", [
    (-832, 480, "did you mean 832x480?"), (832, -480, "did you mean 832x480?"), (-16, -320, "did you mean 16x320?"),
    (-830, 480, "give both as positive multiples of 16 (e.g. 832x480, 576x320, 480x832)"),
    (-9999, 480, "give both as positive multiples of 16 (e.g. 832x480, 576x320, 480x832)")])
def test_a_negative_size_is_refused_as_negative_everywhere(w, h, fix):
    """--size=-832x480 was told "the nearest is 16x480", a size no one meant: the minus sign is the slip."""
    said = f"size {w}x{h}: a side cannot be negative; {fix}"
    with pytest.raises(ValueError) as by_rule:
        check_size(w, h)
    assert str(by_rule.value) == said
    with pytest.raises(argparse.ArgumentTypeError) as on_cli:
        frame_size(f"{w}x{h}")
    assert str(on_cli.value) == said
    with pytest.raises(ConfigError) as in_show:
        parse_show(f"output:\n  size: {w}x{h}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert any(said in p for p in in_show.value.problems), in_show.value.problems
    with pytest.raises(ValueError) as in_run:
        run(RunOptions(model="tiny", size=(w, h), outs=["null"], stdin=False))
    assert str(in_run.value) == said


@pytest.mark.parametrize("written", ["-0x0", "-0x480", "832x-0", "-00x480"])
def test_a_minus_before_a_zero_side_is_said_as_the_slip_on_the_command_line_and_in_a_show(written):
    """-0 reads as 0: `size: '-0x0'` was said as "size 0x0: … the nearest is 16x16", the sign the slip was in gone."""
    shown = written.replace("00", "0")
    said = (f"size {shown}: a side cannot be negative; give both as positive multiples of 16 (e.g. 832x480, "
            "576x320, 480x832)")
    with pytest.raises(argparse.ArgumentTypeError) as on_cli:
        frame_size(written)
    assert str(on_cli.value) == said
    with pytest.raises(ConfigError) as in_show:
        parse_show(f"output:\n  size: '{written}'\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert in_show.value.problems == [f"show.yaml:2: output {said}"]


@pytest.mark.parametrize("w,h", [(99999, 99999), (8320, 4800), (1936, 1088), (832, 1936)])
def test_a_size_past_the_largest_is_refused_everywhere_saying_the_largest(w, h):
    # a mistyped extra zero would sit loading for ever (or run out of memory) rather than be refused
    with pytest.raises(ValueError) as by_rule:
        check_size(w, h)
    said = str(by_rule.value)
    assert said == (f"size {w}x{h}: each side must be at most 1920 (the largest accepted is 1920x1920; the model's "
                    "own is 832x480)")
    with pytest.raises(argparse.ArgumentTypeError, match="at most 1920"):
        frame_size(f"{w}x{h}")
    with pytest.raises(ConfigError) as in_show:
        parse_show(f"output:\n  size: {w}x{h}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert any(said in p for p in in_show.value.problems)
    with pytest.raises(ValueError, match="at most 1920"):
        run(RunOptions(model="tiny", size=(w, h), outs=["null"], stdin=False))
    check_size(1920, 1920)


@pytest.mark.parametrize("written,hint", [
    ("832×480", "did you mean 832x480?"), ("576*320", "did you mean 576x320?"), ("480p", "did you mean 832x480?"),
    ("830×480", "and as 830x480 it is refused: size 830x480: " + RULE)])
def test_a_show_offers_the_size_meant_in_another_form_as_the_command_line_does(written, hint):
    """The README writes sizes as 832×480: --size 832×480 was asked "did you mean 832x480?", while the same size in
    a show file was told only that it must be WIDTHxHEIGHT, like 832x480."""
    with pytest.raises(argparse.ArgumentTypeError) as on_cli:
        frame_size(written)
    assert hint in str(on_cli.value)
    with pytest.raises(ConfigError) as in_show:
        parse_show(f"output:\n  size: {written}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert any(p.startswith("show.yaml:2") and hint in p for p in in_show.value.problems), in_show.value.problems


@pytest.mark.parametrize("written", ["²p", "٤٨٠p"])
def test_a_height_in_digits_that_are_not_ascii_is_refused_as_not_a_size(written):
    """isdigit() took "²p" as a height named as video names it, and int() then raised: --size crashed and a show's
    check said "invalid literal for int()" in place of its problems, the others in the file dropped."""
    with pytest.raises(argparse.ArgumentTypeError, match=f"^{written!r} is not WIDTHxHEIGHT \\(e.g. 832x480\\)$"):
        frame_size(written)
    with pytest.raises(ConfigError) as in_show:
        parse_show(f"output:\n  size: {written}\n  fps: 999\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    problems = in_show.value.problems
    assert any(p.startswith("show.yaml:2") and "output size must be WIDTHxHEIGHT" in p for p in problems), problems
    assert any(p.startswith("show.yaml:3") and "fps" in p for p in problems), problems


def test_a_size_in_full_width_digits_is_offered_in_plain_digits():
    """８３２×４８０ was offered as "did you mean ８３２x４８０?": a size the operator cannot tell from the one typed."""
    with pytest.raises(argparse.ArgumentTypeError, match="did you mean 832x480\\?$"):
        frame_size("８３２×４８０")
    with pytest.raises(ConfigError) as in_show:
        parse_show("output:\n  size: ８３２×４８０\npresets:\n  - {name: a, prompt: b}\n", "show.yaml")
    assert any("did you mean 832x480?" in p for p in in_show.value.problems), in_show.value.problems


@pytest.mark.parametrize("written", ["８３２x４８０", "8_32x480", "832x4_80", "８３２X４８０"])
def test_a_size_in_digits_only_int_reads_is_refused_and_offered_in_plain_digits(written):
    """int()'s rules took full-width digits and underscores: `--size 8_32x480` ran at 832x480 without a word, and
    so did `--out window@８３２x４８０`, sizes no other tool reads as such."""
    from vcam.argtypes import output_size
    from vcam.outspec import parse_spec

    for parse in (frame_size, output_size):
        with pytest.raises(argparse.ArgumentTypeError, match=f"^{written!r} is not WIDTHxHEIGHT; did you mean "
                                                             "832x480\\?$"):
            parse(written)
    with pytest.raises(ValueError, match="is not a size; did you mean window@832x480\\?$"):
        parse_spec(f"window@{written}")
    with pytest.raises(ConfigError) as in_show:
        parse_show(f"output:\n  size: '{written}'\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
    assert in_show.value.problems == [f"show.yaml:2: output size {written!r} is not WIDTHxHEIGHT; did you mean "
                                      "832x480?"]
    assert frame_size(" 832 x 480 ") == (832, 480) and parse_spec("window@832X480").width == 832  # as before


def test_the_size_rule_imports_nothing_else_of_vcams():
    """vcam.sizes says it is plain arithmetic, for the camera's side: reading "480p" reached into vcam.bench for the
    list of sizes."""
    code = ("import sys; from vcam.sizes import check_size, not_a_size; print(not_a_size('480p', check_size)); "
            "print(sorted(m for m in sys.modules if m == 'torch' or m.startswith('vcam')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["'480p' is not WIDTHxHEIGHT; did you mean 832x480?", "['vcam', 'vcam.sizes']"]


def test_the_command_line_says_the_rule_for_run_serve_and_bench(capsys):
    for command in ("run", "serve", "bench"):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--size", "100x64"])
        assert f"size 100x64: {RULE}" in capsys.readouterr().err


def test_size_0x0_on_the_command_line_is_said_to_be_left_out_as_a_shows_is(capsys):
    """`--size 0x0` was sent to "the nearest is 16x16", where a show's size: 0x0 is said to be no size."""
    for command, size in (("run", "0x0"), ("render", "0x0"), ("bench", "0x0"), ("run", "+0x0"), ("run", "0 x 0")):
        with pytest.raises(SystemExit):
            build_parser().parse_args([command, "--size", size])
        assert capsys.readouterr().err.endswith("argument --size: size 0x0 is no size; leave --size out for its "
                                                "default, or give one, as in --size 832x480\n")


def test_a_stream_says_the_rule_too(tiny_engine):
    with pytest.raises(ValueError, match="size 100x64: both must be positive multiples of 16"):
        tiny_engine.stream("x", width=100, height=64)


# A text, and the width and height both the command line and a show read it as (None: it is not WIDTHxHEIGHT)
READINGS = [("832x480", (832, 480)), ("480X832", (480, 832)), ("+576x320", (576, 320)), ("100x64", (100, 64)),
            ("-832x480", (-832, 480)), ("0x480", (0, 480)), ("832×480", None), ("832*480", None),
            ("832x480x2", None), ("832", None), ("x480", None), ("", None), ("0x1A0", None), ("8 32x480", None),
            ("8_32x480", None), ("８３２x４８０", None)]


@pytest.mark.parametrize("text, read", READINGS)
def test_the_command_line_and_a_show_read_a_size_alike(text, read):
    """--size and a show's size: read WIDTHxHEIGHT alike: the same numbers where the text is one, refused where it
    is not; the show's also unquoted where YAML reads it as a text or (0x480, 0x1A0) as a hex number."""
    from vcam.argtypes import width_height

    if read is None:
        with pytest.raises(argparse.ArgumentTypeError, match="is not WIDTHxHEIGHT"):
            width_height(text)
    else:
        assert width_height(text) == read
    for form in [f"'{text}'"] + ([text] if re.fullmatch(r"[-+\w]+", text) else []):
        try:
            shown = parse_show(f"output:\n  size: {form}\npresets:\n  - {{name: a, prompt: b}}\n", "show.yaml")
            said = shown.output.size
        except ConfigError as e:
            said = e.problems[0]
        if read is None:
            assert "WIDTHxHEIGHT" in said, (form, said)
        elif _made(*read):
            assert said == read, form
        else:  # the rule's message, of the numbers read
            assert f"output size {read[0]}x{read[1]}: " in said, (form, said)


def _made(w: int, h: int) -> bool:
    try:
        check_size(w, h)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("w, h", [(16, 16), (7680, 4320), (14, 16), (16, 14), (7682, 4320), (7680, 4322)])
def test_vcam_cams_size_and_an_outputs_size_take_one_range(w, h):
    """The output size range was written twice, in argtypes and outspec: one edited alone would let `vcam cam
    --size` take a size `--out …@WxH` refuses. Both ask vcam.sizes."""
    from vcam.argtypes import output_size
    from vcam.outspec import parse_spec
    from vcam.sizes import output_in_range

    def taken(check) -> bool:
        try:
            check()
        except (ValueError, argparse.ArgumentTypeError):
            return False
        return True

    assert taken(lambda: output_size(f"{w}x{h}")) == taken(lambda: parse_spec(f"null@{w}x{h}")) \
        == output_in_range(w, h) == (16 <= w <= 7680 and 16 <= h <= 4320)


@pytest.mark.parametrize("written, said", [
    ("0x0", "size 0x0 is no size; leave --size out for its default (832x480), or give one, as in --size 1280x720"),
    ("-0x0", "size -0x0: a side cannot be negative; give an even size from 16x16 to 7680x4320 (e.g. 1920x1080, "
             "1280x720)"),
    ("-1280x720", "size -1280x720: a side cannot be negative; did you mean 1280x720?"),
    ("480p", "'480p' is not WIDTHxHEIGHT; did you mean 832x480?"),
    ("720p", "'720p' is not WIDTHxHEIGHT; did you mean 1280x720?"), ("1080p", "did you mean 1920x1080?"),
    ("4k", "'4k' is not WIDTHxHEIGHT (e.g. 1280x720)")])
def test_vcam_cams_size_is_said_as_vcam_runs_is(written, said, capsys):
    """`vcam cam --size 0x0` was told to give even sides from 16x16 (vcam run's: no size, leave --size out), and a
    minus was said as an odd size; a camera's 720p, which no size of the model's is, was offered nothing, as vcam
    run's --size, whose sizes are the model's, offers nothing."""
    with pytest.raises(SystemExit):
        build_parser().parse_args(["cam", "ws://127.0.0.1:8765", f"--size={written}"])
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith("vcam cam: error: argument --size: ") and last.endswith(said)
