"""What the command line says when it stops: a usage error is one line (and its fix); only an error raised inside a
library, which vcam did not foresee, points at VCAM_DEBUG."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vcam.cli import main


def _refused(argv: list[str], capsys) -> str:
    """What `vcam ARGV` wrote to stderr, having stopped with 2, the exit of a usage error."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    return capsys.readouterr().err


def _last_line(argv: list[str], capsys) -> str:
    """The last line `vcam ARGV` wrote, having stopped with a usage error: argparse's "vcam CMD: error: …"."""
    return _refused(argv, capsys).rstrip().splitlines()[-1]


def test_vcam_alone_lists_the_commands_and_a_first_one_to_try(capsys):
    """`vcam` alone said only "the following arguments are required: command"."""
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "check               validate a show file" in err
    assert err.rstrip().endswith("vcam: give a command; to start: vcam run --model tiny --out file:show.mp4 "
                                 "--duration 10")


def test_an_unknown_model_is_a_usage_error_without_the_debug_hint(capsys):
    assert main(["run", "--model", "nope", "--out", "null", "--duration", "1", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    assert "unknown model 'nope'" in err and "krea-14b, tiny" in err
    assert "VCAM_DEBUG" not in err and "did you mean" not in err


@pytest.mark.parametrize("typed", ["TINY", "Tiny", "tinny", "krea14b"])
def test_a_model_name_in_capitals_or_mistyped_is_answered_with_the_one_meant(capsys, typed):
    assert main(["run", "--model", typed, "--out", "null", "--duration", "1", "--no-stdin"]) == 2
    meant = "krea-14b" if typed.startswith("krea") else "tiny"
    assert f"unknown model {typed!r}; did you mean {meant}? choose one of: krea-14b, tiny" in capsys.readouterr().err


def test_a_path_that_cannot_be_opened_names_the_path_without_the_debug_hint(tmp_path, capsys, monkeypatch):
    def refuse(*a, **k):
        raise FileNotFoundError(2, "No such file or directory", str(tmp_path / "gone.png"))

    monkeypatch.setattr("vcam.cli.cmd_check", refuse)
    assert main(["check", "x.yaml"]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'gone.png'}: No such file or directory" in err and "VCAM_DEBUG" not in err


def test_an_error_inside_a_library_points_at_the_traceback(capsys, monkeypatch):
    def fail(*a, **k):
        import json
        json.loads("{")  # raises inside the standard library, not in vcam's own checks

    monkeypatch.setattr("vcam.cli.cmd_check", fail)
    assert main(["check", "x.yaml"]) == 2
    err = capsys.readouterr().err
    assert "JSONDecodeError" in err and "VCAM_DEBUG=1" in err


@pytest.mark.parametrize("command", [["run", "--model", "tiny", "--out", "null", "--duration", "1", "--no-stdin"],
                                     ["bench", "--model", "tiny"]])
def test_the_camera_only_install_says_what_to_install(command):
    # torch made unimportable, as on the light install: the engine commands name the extra that brings it
    code = ("import sys; sys.modules['torch'] = None\n"
            f"from vcam.cli import main; sys.exit(main({command!r}))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 2, done.stderr
    assert "camera-only install" in done.stderr and 'pip install -e ".[engine]"' in done.stderr
    assert "Traceback" not in done.stderr and "VCAM_DEBUG" not in done.stderr


def installed_from_pypi(monkeypatch, tmp_path):
    """vcam as `pip install vcam` puts it: a package in site-packages, with no source folder around it."""
    import vcam.errors

    monkeypatch.setattr(vcam.errors, "__file__", str(tmp_path / "site-packages" / "vcam" / "errors.py"))


def test_a_pypi_install_is_told_the_pypi_extra_not_an_editable_install(tmp_path):
    """A laptop's plain `pip install vcam` has no vcam folder: `pip install -e ".[engine]"` there fails."""
    # a fresh interpreter, as the user's: in this one the engine's modules, loaded by earlier tests, hold torch
    # already, and the run stops later inside transformers' lazy imports instead of at `import torch`
    code = ("import sys; sys.modules['torch'] = None\n"
            "import vcam.errors; vcam.errors.__file__ = sys.argv[1]\n"
            "from vcam.cli import main\n"
            "sys.exit(main(['run', '--model', 'tiny', '--out', 'null', '--duration', '1', '--no-stdin']))")
    pypi_errors = tmp_path / "site-packages" / "vcam" / "errors.py"  # as installed_from_pypi puts it
    done = subprocess.run([sys.executable, "-c", code, str(pypi_errors)], capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 2, done.stderr
    assert 'fix: pip install "vcam[engine]"' in done.stderr and "-e" not in done.stderr


def test_a_pypi_install_without_midi_is_told_the_pypi_extra(monkeypatch, tmp_path):
    from vcam.control.midi import load_mido
    from vcam.errors import VcamError

    installed_from_pypi(monkeypatch, tmp_path)
    monkeypatch.setitem(sys.modules, "mido", None)
    with pytest.raises(VcamError) as err:
        load_mido()
    assert err.value.fix.startswith('pip install "vcam[midi]"')


def test_a_source_install_is_told_the_editable_extra():
    from vcam.errors import install_fix

    assert install_fix("osc") == 'pip install -e ".[osc]"  (in the vcam folder)'


def test_bench_json_on_the_camera_only_install_names_the_extra_as_stderr_does():
    """The JSON object named the raw import error where stderr said which extra to install."""
    import json

    code = ("import sys; sys.modules['torch'] = None\n"
            "from vcam.cli import main; sys.exit(main(['bench', '--model', 'tiny', '--json']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 2, done.stderr
    said = json.loads(done.stdout)
    assert "camera-only install" in said["error"] and said["fix"].startswith('pip install -e ".[engine]"')
    assert f"vcam: error: {said['error']}" in done.stderr and f"fix: {said['fix']}" in done.stderr


def test_bench_json_says_an_unknown_model_as_stderr_does(capsys):
    """The JSON object said "ValueError: unknown model 'nope'…" where stderr said vcam's own line alone."""
    import json

    assert main(["bench", "--model", "nope", "--json"]) == 2
    done = capsys.readouterr()
    said = json.loads(done.out)
    assert said == {"error": "unknown model 'nope'; choose one of: krea-14b, tiny"}
    assert done.err == f"vcam: error: {said['error']}\n"


@pytest.mark.parametrize("args", [["--json"], ["--js"], ["--json=yes"], ["--jsonx"], ["-j"], ["--"],
                                  ["--model", "tiny"]])
def test_a_ctrl_c_before_bench_begins_gives_json_where_a_refusal_would(capsys, args):
    """vcam bench's --json, as a refused command line and a Ctrl-C before the command began each read it: one
    reading (vcam.cmdline.parser.asks_json), so that neither gives a JSON object where the other gives none."""
    from vcam.cmdline.bench import stopped_at_start
    from vcam.cmdline.parser import _bench_json_error, asks_json

    _bench_json_error(args, "refused")
    refused = capsys.readouterr().out != ""
    assert stopped_at_start(["bench", *args]) == 130
    assert (capsys.readouterr().out != "") == refused == asks_json(args)


def test_the_entrys_own_bench_json_reading_and_words_are_vcams():
    """vcam/__main__.py says a Ctrl-C before vcam's modules load without importing them: its copy of the words and
    of the --json reading must stay those of vcam.cmdline.bench and vcam.cmdline.parser."""
    import signal

    from vcam.cmdline.bench import LOADING_STOPPED
    from vcam.cmdline.parser import asks_json

    before = signal.getsignal(signal.SIGINT)
    try:
        import vcam.__main__ as entry  # which installs its Ctrl-C handler as it loads
    finally:
        signal.signal(signal.SIGINT, before)
    assert entry._BENCH_STOPPED == LOADING_STOPPED
    forms = [[], ["--"], ["-"], ["--json"], ["--js"], ["--j"], ["-j"], ["--json=yes"], ["--jsonx"], ["--", "--json"],
             ["--model", "tiny", "--json"], ["--model", "tiny"], ["--json", "--model=tiny"], ["--jso=1"]]
    for args in forms:
        assert entry._bench_json(["bench", *args]) == asks_json(args), args
        assert not entry._bench_json(["cam", *args]), args


def test_without_an_alsa_sequencer_rtmidi_is_not_asked(tmp_path):
    from types import SimpleNamespace

    from vcam.control.midi import _alsa_missing

    def mido(api):
        return SimpleNamespace(backend=SimpleNamespace(name="mido.backends.rtmidi", api=api))

    gone, there = str(tmp_path / "seq"), str(tmp_path)
    assert _alsa_missing(mido(None), gone) and _alsa_missing(mido("LINUX_ALSA"), gone)
    assert not _alsa_missing(mido(None), there)  # the sequencer exists: ALSA is asked
    assert not _alsa_missing(mido("UNIX_JACK"), gone)  # JACK needs no sequencer
    assert not _alsa_missing(SimpleNamespace(backend=SimpleNamespace(name="tests.fake_midi", api=None)), gone)


def test_vcam_devices_without_midi_says_why_and_offers_no_option_it_lacks(capsys, monkeypatch):
    import mido

    def must_not_list():
        raise AssertionError("rtmidi was asked: ALSA's C library prints its own raw line on the terminal")

    monkeypatch.setattr("vcam.control.midi._alsa_missing", lambda m: True)
    monkeypatch.setattr(mido, "get_input_names", must_not_list)
    assert main(["devices"]) == 0
    out = capsys.readouterr().out
    assert "MIDI inputs: unavailable" in out and "/dev/snd/seq" in out and "--midi" not in out
    assert "\n  fix: on Linux MIDI needs the ALSA sequencer" in out  # the fix on a line of its own, as the cameras'


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize("args,fragment", [
    (["--strength", "1.5"], "argument --strength: strength must be from 0 (keep the input) to 1 (text only), not 1.5"),
    (["--strength", "lots"], "argument --strength: 'lots' is not a number from 0 to 1"),
    (["--strength", "nan"], "argument --strength: strength must be from 0"),
    (["--in", "dvd"], "argument --in: unknown input 'dvd': use none, camera"),
    (["--in", "image:"], "argument --in: input 'image:' needs a path"),
    (["--in", "/clips/My Clips/a.mp4"], "argument --in: video file /clips/My Clips/a.mp4: no such file: check the "
     "path, then give it with its kind: --in file:PATH"),
    (["--in", "cam:1"], "argument --in: 'cam' is no kind of input: did you mean --in camera:1?"),
    (["--in-fit", "zoom"], "argument --in-fit: invalid choice: 'zoom'"),
])
def test_a_bad_input_option_is_one_usage_line(command, args, fragment, capsys):
    err = _refused([command, *args], capsys)
    assert f"vcam {command}: error: {fragment}" in err and "Traceback" not in err


@pytest.mark.parametrize("flag, typed, meant", [("strength", "0,5", "0.5"), ("strength", "50%", "0.5"),
                                                 ("bias", "0,3", "0.3"), ("strength", "lots", None)])
def test_a_number_written_with_a_decimal_comma_is_refused_alike_as_a_flag_and_typed(flag, typed, meant, capsys):
    """`--strength 0,5` was refused as not a number, where `strength 0,5` typed at the console offered 0.5: both now
    offer it, and neither reads it as a number it might not be."""
    from vcam.control.commands import CommandError, parse

    with pytest.raises(SystemExit):
        main(["run", f"--{flag}", typed])
    err = capsys.readouterr().err
    with pytest.raises(CommandError) as console:
        parse(f"{flag} {typed}")
    offer = f" (did you mean {meant}?)"
    for said in (err, str(console.value)):
        assert (offer in said) == (meant is not None) and repr(typed) in said, said
    assert f"argument --{flag}: {typed!r} is not a number" in err


@pytest.mark.parametrize("argv", [["run", "--log-controls", ""], ["run", "--replay", ""], ["run", "--midi-map", " "],
                                  ["serve", "--osc-map", ""], ["cam", "ws://x", "--midi-map", ""]])
def test_an_empty_path_is_refused_not_taken_as_the_option_left_out(argv, capsys):
    """`--log-controls "$LOG"` with the variable unset wrote no log, and `--replay "$LOG"` played a live show, without
    a word."""
    from vcam.cmdline.parser import build_parser

    with pytest.raises(SystemExit) as ended:  # read only: where it were taken, nothing starts
        build_parser().parse_args(argv)
    assert ended.value.code == 2
    assert f"argument {argv[-2]}: the path is empty (an unset variable in a script?)" in capsys.readouterr().err


def test_an_empty_media_folder_is_refused_naming_the_folder_vcam_runs_in(capsys):
    """`--media ""` shared the folder vcam runs in; told to leave the option out, the operator would share the show
    file's folder instead."""
    from vcam.cmdline.parser import build_parser

    with pytest.raises(SystemExit) as ended:
        build_parser().parse_args(["run", "--media", ""])
    err = capsys.readouterr().err
    assert ended.value.code == 2 and "argument --media: the folder is empty" in err
    assert ". for the one vcam runs in" in err and "leave the option out" not in err


@pytest.mark.parametrize("argv, said", [
    (["render", "--out", "null", ""], "argument LOG.jsonl: the path is empty (an unset variable in a script?): give "
                                      "the .jsonl file vcam run --log-controls wrote"),
    (["cam", "ws://x", "--send", ""], "argument --send: an empty source sends nothing"),
])
def test_an_empty_log_to_render_or_source_to_send_is_refused_as_empty(argv, said, capsys):
    """vcam render said "control log  does not exist" of an empty name, and `vcam cam --send ""` sent nothing without
    a word."""
    from vcam.cmdline.parser import build_parser

    with pytest.raises(SystemExit) as ended:  # read only: nothing starts either way
        build_parser().parse_args(argv)
    assert ended.value.code == 2 and said in capsys.readouterr().err


@pytest.mark.parametrize("argv, offer", [
    (["run", "--fps", "29,97"], "'29,97' is not a number (did you mean 29.97?)"),
    (["run", "--max-latency", "2,5"], "'2,5' is not a number (did you mean 2.5?)"),
    (["run", "--target-fps", "10,5"], "'10,5' is not a number (did you mean 10.5?)"),
    (["run", "--duration", "1,5"], "'1,5' is not a length of time (did you mean 1.5?)"),
    (["run", "--seed", "1e3"], "'1e3' is not a whole number (did you mean 1000?)"),
    (["serve", "--port", "8,765"], "'8,765' is not a whole number (did you mean 8765?)"),
    (["run", "--duration", "3,600"], "'3,600' is not a length of time (did you mean 3600 or 3.6?)"),
    (["run", "--fps", "29,970"], "'29,970' is not a number (did you mean 29.97?)"),
])
def test_every_number_flag_offers_the_number_a_decimal_comma_or_a_float_meant(argv, offer, capsys):
    """`--fps 29,97` and `--max-latency 2,5` were only "not a number", where `--strength 0,5` offered 0.5, and
    `--seed 1e3` only "not a whole number", where a typed `seed 1e3` offered 1000."""
    with pytest.raises(SystemExit):
        main(argv)
    assert offer in capsys.readouterr().err


def test_a_whole_number_flag_given_thousands_of_digit_groups_is_refused_as_no_whole_number(capsys):
    """`--steps 100,100,...` past Python's 4300 digits raised from inside the offer, and argparse printed its own
    "invalid parse value" line in place of the flag's."""
    with pytest.raises(SystemExit):
        main(["run", "--steps", ",".join(["100"] * 1500)])
    err = capsys.readouterr().err
    assert "argument --steps: '100,100,100," in err and "is not a whole number" in err and "invalid" not in err


@pytest.mark.parametrize("argv", [["run", "--fps", "0,5"], ["run", "--fps", "fast"], ["run", "--steps", "1.5"],
                                  ["run", "--max-latency", "0,0"]])
def test_a_number_flag_offers_nothing_that_it_would_refuse(argv, capsys):
    """0.5 frames/s is below the least --fps, and 1.5 steps no whole number: offering them sends the operator on to
    another refusal."""
    with pytest.raises(SystemExit):
        main(argv)
    assert "did you mean" not in capsys.readouterr().err


@pytest.mark.parametrize("given, kind, name", [("clip.mp4", "file", "clip.mp4"), ("still.png", "image", "still.png"),
                                               ("clip:take.mp4", "file", "take.mp4")])
def test_a_path_without_its_kind_says_at_once_whether_it_is_there(given, kind, name, tmp_path, monkeypatch, capsys):
    """`--in /abs/missing.mp4` was answered "did you mean --in file:/abs/missing.mp4?", and that, typed, with "no
    such file": a path missing as well is said missing at once, in the same words absolute or relative."""
    monkeypatch.chdir(tmp_path)
    what = {"file": "video file", "image": "image"}[kind]
    whole = tmp_path / name

    def said(typed):
        line = _last_line(["run", "--model", "tiny", "--in", typed], capsys)
        return line.removeprefix("vcam run: error: argument --in: ")

    assert said(given) == (f"{what} {whole}: no such file (a --in path is relative to the folder vcam was started "
                           f"in): check the path, then give it with its kind: --in {kind}:PATH")
    assert said(str(whole)) == (f"{what} {whole}: no such file: check the path, then give it with its kind: --in "
                                f"{kind}:PATH")
    # one named alike is there: offered, where the line given named the file not there, which typed failed again
    alike = whole.with_suffix(".MOV" if kind == "file" else ".jpg")
    alike.write_bytes(b"")
    assert said(given) == (f"{what} {whole}: no such file (a --in path is relative to the folder vcam was started "
                           f"in); its folder holds {alike.name}, named alike: check the name's case and its ending, "
                           f"then give it with its kind: --in {kind}:PATH")
    alike.unlink()
    whole.write_bytes(b"")  # there: only its kind is missing
    assert said(name) == f"a path needs its kind first: did you mean --in {kind}:{name}?"


def test_a_path_without_its_kind_that_a_mac_stored_decomposed_is_offered_with_its_kind(tmp_path, monkeypatch,
                                                                                        capsys):
    """`--in clé.mp4`, stored as cle and an accent (NFD) by a Mac's copy, was said to be no such file."""
    import unicodedata

    monkeypatch.chdir(tmp_path)
    (tmp_path / unicodedata.normalize("NFD", "clé.mp4")).write_bytes(b"clip")
    typed = unicodedata.normalize("NFC", "clé.mp4")
    line = _last_line(["run", "--model", "tiny", "--in", typed], capsys)
    assert line == f"vcam run: error: argument --in: a path needs its kind first: did you mean --in 'file:{typed}'?"


def test_a_path_without_its_kind_named_but_for_its_spaces_offers_the_one_there(tmp_path, monkeypatch, capsys):
    """`--in my_clips/take1.mp4` with `my clips/take 1.mp4` there: told to check the path and to give it with its
    kind, the path as given: the one there is offered with its kind, and parses."""
    import shlex

    from vcam.argtypes import input_source

    monkeypatch.chdir(tmp_path)
    (tmp_path / "my clips").mkdir()
    (tmp_path / "my clips" / "take 1.mp4").write_bytes(b"clip")
    line = _last_line(["run", "--model", "tiny", "--in", "my_clips/take1.mp4"], capsys)
    assert line == (f"vcam run: error: argument --in: video file {tmp_path}/my_clips/take1.mp4: no such file; my "
                    "clips/take 1.mp4 is there, named alike but for spaces, underscores or case: did you mean --in "
                    "'file:my clips/take 1.mp4'?")
    assert input_source(shlex.split(line.rsplit("did you mean ", 1)[1].rstrip("?"))[1]) == \
        f"file:{tmp_path}/my clips/take 1.mp4"


@pytest.mark.parametrize("command", ["run", "serve"])
def test_the_input_options_reach_the_run(command, monkeypatch, tmp_path):
    from vcam.live.run import Ended

    got = []
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: got.append(opts) or
                        Ended(0, False))
    monkeypatch.chdir(tmp_path)
    assert main([command, "--in", "FILE:clips/walk.mp4", "--in-fit", "letterbox", "--strength", "0.25"]) == 0
    # a clip named on the command line is the working folder's, kept whole for the control log
    assert (got[0].input, got[0].input_fit, got[0].strength) == (f"file:{tmp_path / 'clips' / 'walk.mp4'}",
                                                                  "letterbox", 0.25)
    assert main([command, "--in", "camera:2"]) == 0
    assert (got[1].input, got[1].input_fit, got[1].strength) == ("camera:2", None, None)  # not given: the show's


@pytest.mark.parametrize("option", ["--osc-map", "--midi-map"])
def test_a_map_file_with_errors_is_named_as_a_map_not_as_the_show(option, tmp_path, capsys, fake_midi_backend):
    bad = tmp_path / "map.yaml"
    bad.write_text("controls:\n  - {bogus: 1}\n")
    opens = ["--osc", "127.0.0.1:9"] if option == "--osc-map" else ["--midi", "nano"]
    assert main(["run", "--model", "tiny", "--out", "null", "--duration", "1", "--no-stdin", *opens,
                 option, str(bad)]) == 2
    err = capsys.readouterr().err
    kind = "OSC" if option == "--osc-map" else "MIDI"
    assert f"vcam: error in the {kind} map file:\n  {bad}:2: " in err and "show file" not in err


@pytest.mark.parametrize("command", [["run"], ["serve"], ["cam", "ws://127.0.0.1:9"], ["midi", "learn"]])
@pytest.mark.parametrize("port", ["", "  "])
def test_an_empty_midi_port_is_refused_rather_than_opening_none(command, port, capsys):
    from vcam.cli import build_parser

    with pytest.raises(SystemExit) as done:  # read only: an accepted line would start a show here
        build_parser().parse_args([*command, "--midi", port])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert "argument --midi: an empty port name opens no input" in err and "vcam devices" in err
    # none opens no input (vcam run and serve: not even the show's port); vcam midi learn needs one
    assert ("none for no input" in err) == (command[0] in ("run", "serve", "cam"))
    assert ("not even the show's" in err) == (command[0] in ("run", "serve"))


@pytest.mark.parametrize("device", ["cuda", "cuda:1"])
def test_bench_on_cuda_with_a_cpu_only_torch_is_one_error_with_its_fix(device, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.version, "cuda", None)  # a CPU-only build, on any machine
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["bench", "--model", "tiny", "--device", device]) == 2
    err = capsys.readouterr().err
    assert f"vcam: error: --device {device}: this PyTorch was built without CUDA" in err and "--device cpu" in err
    assert "Traceback" not in err and "AssertionError" not in err


@pytest.mark.parametrize("device", ["mps", "meta", "xpu"])
def test_bench_on_a_device_other_than_cuda_or_cpu_is_one_error_with_its_fix(device, capsys):
    assert main(["bench", "--model", "tiny", "--device", device, "--blocks", "1", "--warmup", "0"]) == 2
    err = capsys.readouterr().err
    assert err == f"vcam: error: --device {device}: vcam bench runs on a CUDA device (NVIDIA, or AMD through ROCm) " \
        f"or the CPU, not on {device}\n  fix: give cuda, cuda:1 or cpu\n"


def test_bench_says_a_dtype_the_cpu_does_not_run():
    from vcam.bench.bench import BenchSettings, bench_target

    said = []
    target = bench_target(BenchSettings(model="tiny", device="cpu", dtype="fp16"), said.append)
    assert str(target.dtype) == "torch.float32" and said == ["--dtype fp16 is not used on the CPU: it runs float32"]
    said.clear()
    bench_target(BenchSettings(model="tiny", device="cpu"), said.append)  # none asked: nothing to say
    assert said == []


@pytest.mark.parametrize("cards, device, said", [(0, "cuda", "--device cuda: no CUDA device is visible"),
                                                 (1, "cuda:3", "--device cuda:3: this machine has 1 CUDA device"),
                                                 (2, "cuda:2", "--device cuda:2: this machine has 2 CUDA devices")])
def test_bench_names_the_cuda_devices_there_are(cards, device, said, monkeypatch):
    import torch

    from vcam.bench.bench import BenchSettings, bench_target
    from vcam.errors import VcamError

    monkeypatch.setattr(torch.version, "cuda", "12.8")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: cards > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: cards)
    with pytest.raises(VcamError, match=said):
        bench_target(BenchSettings(model="tiny", device=device))


@pytest.mark.parametrize("cards, device, said", [
    (2, "1", "--device '1' is not a device; did you mean cuda:1?\n  fix: give cuda:1\n"),
    (1, "0", "--device '0' is not a device; did you mean cuda:0?\n  fix: give cuda:0\n"),
    (2, " 01", "--device ' 01' is not a device; did you mean cuda:1?\n  fix: give cuda:1\n"),
    (1, "1", "--device '1' is not a device, and as cuda:1 (a card's number alone) it cannot run: this machine has 1 "
             "CUDA device\n  fix: give cuda (cuda:0)\n"),
    (0, "0", "--device '0' is not a device, and as cuda:0 (a card's number alone) it cannot run: no CUDA device is "
             "visible\n  fix: check nvidia-smi and CUDA_VISIBLE_DEVICES, or give --device cpu\n"),
    (None, "1", "--device '1' is not a device, and as cuda:1 (a card's number alone) it cannot run: this PyTorch was "
                "built without CUDA (a CPU-only install)\n  fix: install PyTorch with CUDA (pytorch.org gives the "
                "command for this machine), or give --device cpu\n")],
    ids=["2-cards", "1-card-0", "leading-zero", "1-card-1", "0-cards", "cpu-only-build"])
def test_bench_offers_a_card_given_by_its_number_alone_only_where_it_would_run(cards, device, said, monkeypatch,
                                                                                capsys):
    """--device 1 (a card's number, as nvidia-smi lists it) was answered "did you mean cuda:1?" before the device
    checks: on a CPU-only install, or a machine with one card, cuda:1 was then refused in turn. None: no CUDA build."""
    import torch

    monkeypatch.setattr(torch.version, "cuda", None if cards is None else "12.8")
    monkeypatch.setattr(torch.version, "hip", None)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: bool(cards))
    monkeypatch.setattr(torch.cuda, "device_count", lambda: cards or 0)
    assert main(["bench", "--model", "tiny", "--device", device, "--blocks", "1", "--warmup", "0"]) == 2
    assert capsys.readouterr().err == f"vcam: error: {said}"


@pytest.mark.parametrize("device", ["²", "١", "٣"])
def test_bench_offers_no_cuda_device_for_a_digit_that_is_not_ascii(device, capsys):
    """isdigit() took "²" and the Arabic-Indic "١" as a card's number and offered cuda:², which torch refuses."""
    assert main(["bench", "--model", "tiny", "--device", device, "--blocks", "1", "--warmup", "0"]) == 2
    assert capsys.readouterr().err == f"vcam: error: --device {device!r} is not a device\n" \
        "  fix: give cuda, cuda:1 or cpu\n"


@pytest.mark.parametrize("device", ["cpu:7", "cpu:1"])
def test_bench_refuses_a_cpu_index_rather_than_running_on_the_one_cpu(device, capsys):
    assert main(["bench", "--model", "tiny", "--device", device, "--blocks", "1", "--warmup", "0"]) == 2
    assert capsys.readouterr().err == f"vcam: error: --device {device}: the CPU is one device and takes no index\n" \
        "  fix: give cpu\n"


@pytest.mark.parametrize("device", ["cpu:0", "CPU", " cpu"])
def test_bench_takes_cpu_0_and_capitals_as_the_cpu(device):
    """cpu:0 too is the one CPU, echoed as cpu ("building tiny … on cpu"), where it was kept as typed."""
    from vcam.bench.bench import BenchSettings, bench_target

    target = bench_target(BenchSettings(model="tiny", device=device), print)
    assert target.device.type == "cpu" and str(target.device) == "cpu"


def test_a_path_written_with_an_equals_sign_and_a_tilde_is_in_the_home_folder(tmp_path, monkeypatch):
    """The shell expands `~` only at a word's start: --log-controls=~/show.jsonl reached vcam as written, the clash
    check looked at the home folder and the log was opened in a folder named `~`."""
    from vcam.cli import build_parser

    monkeypatch.setenv("HOME", str(tmp_path))
    args = build_parser().parse_args(["run", "--log-controls=~/show.jsonl", "--replay=~/old.jsonl",
                                      "--fallback=~/a.png",
                                      "--media=~/clips", "--midi-map=~/m.yaml", "--osc-map=~/o.yaml"])
    assert (args.log_controls, args.replay, args.fallback, args.media, args.midi_map, args.osc_map) == (
        str(tmp_path / "show.jsonl"), str(tmp_path / "old.jsonl"), str(tmp_path / "a.png"), [str(tmp_path / "clips")],
        str(tmp_path / "m.yaml"), str(tmp_path / "o.yaml"))
    cam = build_parser().parse_args(["cam", "ws://127.0.0.1:8765", "--fallback=~/b.png", "--midi-map=~/n.yaml"])
    assert (cam.fallback, cam.midi_map) == (str(tmp_path / "b.png"), str(tmp_path / "n.yaml"))
    assert build_parser().parse_args(["run", "--midi-map", "nanokontrol2"]).midi_map == "nanokontrol2"


def test_download_offline_without_taehvs_file_says_so_before_fetching_the_model(tmp_path, capsys, monkeypatch):
    import vcam.engine.hub

    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(vcam.engine.hub, "from_hub", lambda spec, **kw: pytest.fail("the model was fetched first"))
    assert main(["download", "--decoder", "taehv"]) == 2
    err = capsys.readouterr().err
    assert "TAEHV's weights (taew2_1.safetensors) are not in" in err and "Traceback" not in err, err


def test_a_download_stopped_with_ctrl_c_says_what_is_kept(capsys, monkeypatch):
    import vcam.engine.hub

    def stopped(spec, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(vcam.engine.hub, "from_hub", stopped)
    assert main(["download"]) == 130
    err = capsys.readouterr().err
    assert "download stopped; the files it finished are kept: run `vcam download` again to fetch the rest" in err



@pytest.fixture
def stop_handlers():
    """SIGTERM's and SIGHUP's handlers put back after a test whose command sets them (this process goes on)."""
    import signal

    kept = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    yield
    for sig, handler in kept.items():
        signal.signal(sig, handler)


def test_a_sigterm_while_taehvs_file_downloads_stops_it_as_the_models_download(capsys, monkeypatch, stop_handlers):
    """`vcam download --decoder taehv` fetched TAEHV's file with SIGTERM's and SIGHUP's defaults back: `docker stop`
    or a dropped SSH session ended it without a word, its partial file left in the cache."""
    import signal

    import vcam.engine.hub
    import vcam.engine.taehv_weights
    from vcam.engine.weight_files import layout

    monkeypatch.setattr(vcam.engine.taehv_weights, "check_taehv", lambda *args, **kw: None)
    monkeypatch.setattr(vcam.engine.hub, "from_hub", lambda spec, **kw: layout(Path("krea"), Path("wan")))

    def find_taehv():
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            pytest.fail("TAEHV's file is fetched with SIGTERM's default: it would end the process without a word")
        signal.raise_signal(signal.SIGTERM)
        pytest.fail("SIGTERM did not stop the download")

    monkeypatch.setattr(vcam.engine.taehv_weights, "find_taehv", find_taehv)
    assert main(["download", "--decoder", "taehv"]) == 143
    err = capsys.readouterr().err
    assert "vcam: download stopped; the files it finished are kept" in err and "Traceback" not in err, err


def test_a_second_stop_while_a_stopped_download_leaves_is_ignored(monkeypatch, stop_handlers):
    """SIGHUP then SIGTERM (an SSH session dropped, then its shell's children stopped), or docker's SIGTERM twice:
    the second came as SIGTERM's default was back, before the partial file in transfer was removed, and ended the
    process with the file left (tens of GB, never resumed)."""
    import signal

    import vcam.engine.hub
    from vcam.live.signals import StoppedLoading

    def stopped(spec, **kw):
        monkeypatch.setitem(vcam.engine.hub._TRANSFERS, object(), ("krea/krea-realtime-video", Path("blobs")))
        raise StoppedLoading(signal.SIGHUP)

    monkeypatch.setattr(vcam.engine.hub, "from_hub", stopped)
    assert main(["download"]) == 129  # the process itself then leaves at once (cli.main: leave_mid_download)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN and signal.getsignal(signal.SIGHUP) is signal.SIG_IGN


SECOND_STOPS = """
import os, signal, sys
from pathlib import Path
import vcam.engine.hub as hub

blobs = Path(sys.argv[1])
partial = open(blobs / "0123abcd.1a2b3c4d.incomplete", "wb")  # huggingface_hub 2.x's, in transfer in this process
partial.write(b"x" * 1000)
partial.flush()
hub._TRANSFERS[object()] = ("krea/krea-realtime-video", blobs)
remove = hub._remove

def stopped_again(path):  # SIGTERM and SIGHUP as the partial file is about to go, their defaults back
    os.kill(os.getpid(), signal.SIGTERM)
    os.kill(os.getpid(), signal.SIGHUP)
    return remove(path)

hub._remove = stopped_again
hub.leave_mid_download(129)
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="the partial file in transfer is told by /proc")
def test_a_second_stop_sent_while_a_stopped_download_leaves_still_has_its_partial_file_removed(tmp_path):
    """The signals themselves, sent to a process leaving mid-download, not only its handlers looked at."""
    blobs = tmp_path / "blobs"
    blobs.mkdir()
    done = subprocess.run([sys.executable, "-c", SECOND_STOPS, str(blobs)], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert done.returncode == 129, (done.returncode, done.stderr)
    assert not list(blobs.iterdir()) and "in transfer removed" in done.stderr, done.stderr


def test_a_download_stopped_by_sighup_with_its_terminal_gone_leaves_without_a_traceback(monkeypatch, stop_handlers):
    """The SSH session that sent SIGHUP took the terminal with it: "download stopped" failed with EIO and came out as
    vcam's internal error."""
    import errno
    import signal

    import vcam.engine.hub
    from vcam.live.signals import StoppedLoading

    class Gone:
        def write(self, text):
            raise OSError(errno.EIO, "Input/output error")

        def flush(self):
            raise OSError(errno.EIO, "Input/output error")

    def stopped(spec, **kw):
        raise StoppedLoading(signal.SIGHUP)

    monkeypatch.setattr(vcam.engine.hub, "from_hub", stopped)
    monkeypatch.setattr(sys, "stderr", Gone())
    assert main(["download"]) == 129


@pytest.mark.parametrize("argv,fragment", [
    (["run", "--steps", "0"], "argument --steps: 0 must be at least 1 and at most 50"),
    (["render", "x.jsonl", "--out", "null", "--steps", "51"], "argument --steps: 51 must be at least 1 and at most 50"),
    (["bench", "--steps", "many"], "argument --steps: 'many' is not a whole number"),
    (["serve", "--quality", "5"], "argument --quality: 5 must be at least 10 and at most 100"),
    (["run", "--duration", "inf"], "argument --duration: inf is not a finite number: give one more than 0"),
    (["run", "--fps", "nan"], "argument --fps: nan is not a finite number: give one at least 1 and at most 240"),
    (["run", "--fps", "1/2"], "argument --fps: 1/2 is 0.5 frames/s: it must be at least 1 and at most 240"),
    (["cam", "ws://h", "--fps", "30000/0"],
     "argument --fps: '30000/0' is not a frame rate: give a number (29.97) or a fraction of two (30000/1001)"),
    # as --fps inf and --fps 1e400 are said, not "inf/1 is inf frames/s" nor "1e400/1e400 is nan frames/s"
    (["run", "--fps", "nan/1"], "argument --fps: nan/1 is not a finite number: give one at least 1 and at most 240"),
    (["render", "x.jsonl", "--fps", "1e400/1e400"],
     "argument --fps: 1e400/1e400 is not a finite number: give one at least 1 and at most 240"),
    (["cam", "ws://h", "--fps", "30/1e400"],
     "argument --fps: 30/1e400 is not a finite number: give one at least 1 and at most 240"),
])
def test_a_number_out_of_range_says_its_limits_in_one_line(argv, fragment, capsys):
    # not argparse's list of the 50 allowed step counts, nor "inf must be more than 0"
    err = _refused(argv, capsys)
    assert f"vcam {argv[0]}: error: {fragment}" in err and "choose from" not in err


@pytest.mark.parametrize("command", ["run", "cam", "render"])
def test_a_frame_rate_written_as_ffmpeg_writes_ntsc_reaches_the_show(command, monkeypatch):
    """`--fps 30000/1001` (ffmpeg's and v4l2's 29.97) was refused as "not a number", with nothing said to give."""
    from types import SimpleNamespace

    from vcam.live.run import Ended

    got = []
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: got.append(opts) or Ended(0, False))
    monkeypatch.setattr("vcam.remote.client.run_cam", lambda opts: got.append(opts) or 0)
    rendered = SimpleNamespace(interrupted=False, stopped=False)
    monkeypatch.setattr("vcam.live.render.render", lambda opts: got.append(opts) or rendered)
    target = {"run": [], "cam": ["ws://127.0.0.1:1"], "render": ["show.jsonl", "--out", "null"]}[command]
    assert main([command, *target, "--fps", "30000/1001"]) == 0
    assert got[0].fps == 30000 / 1001


@pytest.mark.parametrize("typed", ["30000/1001", "29.97", "30", "24000/1001", "100/3", "59.94", "60000/1001",
                                   "123.4567", "12.345678", "1000/7", "2.5", "1.0000001"])
def test_a_frame_rate_is_echoed_as_it_was_typed(typed):
    """A show's fps given over by --fps 30000/1001 was echoed as --fps 29.97, another rate than the one running;
    --fps 123.4567, with more digits than {:g} keeps, as --fps 1234567/10000."""
    from vcam.argtypes import frame_rate
    from vcam.outspec import rate_text

    assert rate_text(frame_rate(typed)) == typed


def test_ctrl_c_while_the_options_are_read_ends_with_130_and_no_traceback(monkeypatch):
    # building the parser imports numpy (for --smooth): a Ctrl-C right after Enter came out as a long traceback
    def interrupted():
        raise KeyboardInterrupt

    monkeypatch.setattr("vcam.cli.build_parser", interrupted)
    assert main(["run", "--model", "tiny"]) == 130


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize("prompt", ["", "   "])
def test_an_empty_prompt_is_refused_before_anything_loads(command, prompt, capsys, monkeypatch):
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: pytest.fail("the show started"))
    err = _refused([command, "--model", "tiny", "--prompt", prompt], capsys)
    assert f"vcam {command}: error: argument --prompt: the prompt is empty" in err


@pytest.mark.parametrize("prompt,said", [
    ("&nbsp;", "'&nbsp;' is blank: the model reads HTML entities"),
    ("\x1b[31m", "is blank: once cleaned for the text encoder"),
    ("x" * 2001, "too long (2001 characters, at most 2000)")])
def test_a_prompt_a_typed_one_would_refuse_is_refused_before_anything_loads(prompt, said, capsys, monkeypatch):
    """As a typed `prompt` is: a blank one was refused only once the model had loaded, not naming --prompt."""
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: pytest.fail("the show started"))
    err = _refused(["run", "--model", "tiny", "--prompt", prompt], capsys)
    assert "vcam run: error: argument --prompt: prompt " in err and said in err


def test_vcam_cam_help_names_no_show_file_and_says_what_each_option_does():
    # vcam cam plays no show: its --osc-map had no show's osc: section to default to
    import argparse

    from vcam.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    helps = {option: a.help for a in commands.choices["cam"]._actions for option in a.option_strings}
    assert "osc: section" not in helps["--osc"] + helps["--osc-map"]
    assert "the /vcam/<command> addresses only" in helps["--osc-map"]
    assert "needs --midi-map" in helps["--midi"] and "--midi" in helps["--midi-map"]
    assert all(helps[option] for option in ("--fps", "--fit", "--max-latency"))


def test_midi_learn_count_says_which_messages_it_counts():
    # --count 5 waited on forever where a controller sent clock or pitch bend among its messages: those are not counted
    import argparse

    from vcam.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    midi = next(a for a in commands.choices["midi"]._actions if isinstance(a, argparse._SubParsersAction))
    help_text = next(a.help for a in midi.choices["learn"]._actions if "--count" in a.option_strings)
    assert "notes, CCs, program changes" in help_text and "not counted" in help_text


def test_midi_learn_counts_help_says_the_press_a_release_follows_and_each_message_it_leaves_out():
    """--count's help said a CC's 0 is not counted "straight after its own 127": a press of 100 is one as well, and
    the 0 after it counts for nothing; and aftertouch, not counted either, was not named."""
    import argparse

    import mido

    from vcam.cli import build_parser
    from vcam.control.midilearn import Presses, learnable

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    midi = next(a for a in commands.choices["midi"]._actions if isinstance(a, argparse._SubParsersAction))
    help_text = next(a.help for a in midi.choices["learn"]._actions if "--count" in a.option_strings)
    presses = Presses()
    counted = [learnable(m) and not presses.released(m)
               for m in (mido.Message("control_change", control=41, value=100),
                         mido.Message("control_change", control=41, value=0))]
    assert counted == [True, False]
    assert "127" not in help_text and "press of 64 or more" in help_text, help_text
    for message, named in ((mido.Message("aftertouch", value=20), "aftertouch"),
                           (mido.Message("pitchwheel", pitch=99), "pitch bend"),
                           (mido.Message("clock"), "MIDI clock"), (mido.Message("sysex", data=[1]), "sysex"),
                           (mido.Message("note_off", note=36), "a release")):
        assert not learnable(message) and named in help_text.split("not counted")[1], (named, help_text)


def test_the_midi_option_says_how_the_input_is_picked_and_that_a_late_one_is_waited_for():
    """--midi's help said "by part of its name" after the whole name came to win over a part, and nothing of a
    controller plugged in after the start, which is waited for now rather than refused."""
    import argparse

    from vcam.cli import build_parser

    commands = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    for command in ("run", "serve", "cam"):
        [midi] = [a.help for a in commands.choices[command]._actions if "--midi" in a.option_strings]
        assert "by its name or a part of it, the whole name before a part" in midi, (command, midi)
        assert "one not plugged in yet is waited for" in midi and "by part of its name" not in midi


@pytest.mark.parametrize("argv, said", [
    (["run", "--modle", "tiny"], "vcam run: error: unrecognized arguments: --modle; did you mean --model?"),
    (["run", "--input", "camera"], "vcam run: error: unrecognized arguments: --input; did you mean --in?"),
    (["serve", "--output=file:x.mp4"], "vcam serve: error: unrecognized arguments: --output=file:x.mp4; did you "
                                       "mean --out?"),
    (["midi", "learn", "--cont", "3"], "vcam midi learn: error: unrecognized arguments: --cont 3; did you mean "
                                       "--count?"),
    (["run", "--show", "s.yaml"], "vcam run: error: unrecognized arguments: --show; a show file is given without "
                                  "a flag: vcam run SHOW.yaml"),
    (["cam", "ws://host", "--modle", "x"], "vcam cam: error: unrecognized arguments: --modle x"),
    (["run", "--version"], "vcam run: error: unrecognized arguments: --version; the version is vcam's own: vcam "
                           "--version"),
    # another subcommand's option: "did you mean --seed?" for --send
    (["run", "--send", "camera"], "vcam run: error: unrecognized arguments: --send; --send is an option of vcam cam, "
                                  "not of vcam run"),
    (["run", "--token", "s"], "vcam run: error: unrecognized arguments: --token; --token is an option of vcam serve "
                              "and vcam cam, not of vcam run"),
])
def test_an_unknown_option_is_said_by_its_command_with_the_one_meant(argv, said, capsys):
    """`vcam run --input camera` was answered with `vcam`'s usage and "vcam: error: unrecognized arguments:
    --input", naming neither the command's options nor --in."""
    err = _refused(argv, capsys)
    assert err.rstrip().splitlines()[-1] == said
    assert err.startswith(f"usage: vcam {argv[0]}")


@pytest.mark.parametrize("argv,said", [
    (["--model", "tiny", "run"], "vcam: error: --model is vcam run's option: it goes after run (vcam run --model …)"),
    (["--unknown", "run"], "vcam: error: unrecognized arguments: --unknown (before the subcommand, vcam takes -h "
                           "and --version only; vcam run's options go after it)"),
    (["--cc", "3", "midi", "learn"], "vcam: error: unrecognized arguments: --cc 3 (before the subcommand, vcam "
                                     "takes -h and --version only; vcam midi learn's options go after it)"),
    (["--model", "tiny"], "vcam: error: --model is an option of a subcommand: it goes after its name (vcam run "
                          "--model …)"),
    (["--out", "cam", "run", "--model", "tiny"], "vcam: error: --out is vcam run's option: it goes after run (vcam "
                                                 "run --out …)"),  # cam is --out's value, not the subcommand
    # no subcommand at all: argparse took the option's value for it ("invalid choice: '3'")
    (["--count", "3"], "vcam: error: --count is an option of a subcommand: it goes after its name (vcam midi learn "
                       "--count …)"),
    (["--dur=10"], "vcam: error: --dur is an option of a subcommand: it goes after its name (vcam run --duration …)"),
    (["--cc", "3"], "vcam: error: unrecognized arguments: --cc 3 (before a subcommand, vcam takes -h and --version "
                    "only; give the subcommand first, then its options: vcam --help lists the subcommands)"),
    (["--co", "3"], "vcam: error: unrecognized arguments: --co 3 (before a subcommand, vcam takes -h and --version "
                    "only; give the subcommand first, then its options: vcam --help lists the subcommands)"),
    (["--modle", "tiny"], "vcam: error: unrecognized arguments: --modle tiny (before a subcommand, vcam takes -h and "
                          "--version only; did you mean vcam run --model?)"),
])
def test_an_option_before_the_subcommand_is_said_so_by_vcam(argv, said, capsys):
    """`vcam --unknown run` was answered "vcam run: error: unrecognized arguments: --unknown", as if run had been
    given it, and `vcam --model tiny run` as if run did not know --model."""
    err = _refused(argv, capsys)
    assert err.rstrip().splitlines()[-1] == said and err.startswith("usage: vcam ")


@pytest.mark.parametrize("argv", [["--vers", "run"], ["--version", "run"]])
def test_vcams_own_options_before_a_subcommand_still_work_shortened_too(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0 and capsys.readouterr().out.startswith("vcam ")


def _commands(parser, name="vcam"):
    """(`vcam run`, its parser) for every command and subcommand under `parser`."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, p in action.choices.items():
                yield f"{name} {sub}", p
                yield from _commands(p, f"{name} {sub}")


def test_every_command_says_what_it_does_and_every_option_has_its_help():
    """`vcam check --help`, `vcam download --help` said nothing of what they do; --seed, `vcam serve --port` (its
    default 8765 among them) and `vcam cam --no-stdin` had no help."""
    import argparse

    from vcam.cli import build_parser

    bare = []
    for name, parser in _commands(build_parser()):
        if not parser.description:
            bare.append(name)
        bare += [f"{name} {a.option_strings or a.metavar}" for a in parser._actions
                 if not a.help and not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction))]
    assert bare == []
    serve = dict(_commands(build_parser()))["vcam serve"]
    assert "(8765)" in next(a.help for a in serve._actions if "--port" in a.option_strings)


@pytest.mark.parametrize("text, seconds", [("90", 90.0), ("90s", 90.0), ("10m", 600.0), ("1h", 3600.0),
                                           ("1:30", 90.0), ("1:00:00", 3600.0), ("2.5", 2.5)])
def test_a_duration_is_taken_as_a_show_is_timed(text, seconds):
    """`--duration 10m` was refused: "'10m' is not a number"."""
    from vcam.cli import build_parser

    for argv in (["run", "--duration", text], ["cam", "ws://host", "--duration", text]):
        assert build_parser().parse_args(argv).duration == seconds


@pytest.mark.parametrize("text, said", [
    ("ten", "'ten' is not a length of time: give seconds (90), or 90s, 10m, 1h, 1:30"),
    ("1:75", "'1:75' is not a length of time"), ("0m", "0m must be a finite length of time more than 0"),
    ("0", "0 must be more than 0"),
])
def test_a_duration_that_is_no_length_of_time_says_the_forms(text, said, capsys):
    with pytest.raises(SystemExit):
        main(["run", "--duration", text])
    assert f"vcam run: error: argument --duration: {said}" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["run"], ["serve"], ["cam", "ws://host"]])
def test_an_empty_fallback_says_what_to_give(argv, capsys):
    """`--fallback "$IMAGE"` with the variable unset ran with no fallback image, saying nothing."""
    assert _last_line(argv + ["--fallback", ""], capsys) == (
        f"vcam {argv[0]}: error: argument --fallback: an empty path names no image: give the image's path "
        "(--fallback still.png), or leave --fallback out")


@pytest.mark.parametrize("argv, said", [
    (["run", "--size", "480p"], "'480p' is not WIDTHxHEIGHT; did you mean 832x480?"),
    (["cam", "ws://host", "--size", "320p"], "'320p' is not WIDTHxHEIGHT; did you mean 576x320?"),
    (["run", "--size", "720p"], "'720p' is not WIDTHxHEIGHT (e.g. 832x480)"),  # no size of vcam's is 720 high
    (["run", "--size", "576×320"], "'576×320' is not WIDTHxHEIGHT; did you mean 576x320?"),  # a spec sheet's sign
    (["bench", "--size", "832*480"], "'832*480' is not WIDTHxHEIGHT; did you mean 832x480?"),
    (["cam", "ws://host", "--size", "1280:720"], "'1280:720' is not WIDTHxHEIGHT; did you mean 1280x720?"),
])
def test_a_size_named_by_its_height_or_another_sign_is_answered_with_the_size_meant(argv, said, capsys):
    with pytest.raises(SystemExit):
        main(argv)
    assert capsys.readouterr().err.rstrip().splitlines()[-1] == f"vcam {argv[0]}: error: argument --size: {said}"


@pytest.mark.parametrize("out", ["C://takes/show.mp4", "C:show.mp4"])
def test_a_windows_path_given_as_an_output_is_answered_with_its_file_kind(out, capsys):
    """`--out C://takes/show.mp4` was told vcam sends no network stream, and `--out C:show.mp4` got the list of
    outputs alone: a one-letter kind is a drive's."""
    assert main(["run", "--model", "tiny", "--out", out, "--duration", "1", "--no-stdin"]) == 2
    err = capsys.readouterr().err
    assert f"vcam: error: unknown output '{out}': did you mean file:{out}? (use vcam" in err
    assert "network stream" not in err and "Traceback" not in err


@pytest.mark.parametrize("argv, said", [
    (["rn"], "vcam: error: argument command: invalid choice: 'rn'; did you mean run? (choose from 'run', 'serve', "),
    (["Serve"], "vcam: error: argument command: invalid choice: 'Serve'; did you mean serve? (choose from 'run', "),
    (["midi", "lern"], "vcam midi: error: argument learn: invalid choice: 'lern'; did you mean learn? (choose from "
                       "'learn')"),
    # beside learn's option, before or after it: the typo was said as the option misplaced, learn's name left wrong
    (["midi", "lern", "--midi", "nano"], "vcam midi: error: argument learn: invalid choice: 'lern'; did you mean "
                                         "learn?"),
    (["midi", "--midi", "nano", "lern"], "vcam midi: error: argument learn: invalid choice: 'lern'; did you mean "
                                         "learn?"),
    (["run", "--fit", "strech"], "vcam run: error: argument --fit: invalid choice: 'strech'; did you mean stretch? "
                                 "(choose from 'letterbox', 'crop', 'stretch')"),
    (["run", "--smooth", "blur"], "vcam run: error: argument --smooth: invalid choice: 'blur' (choose from 'fade', "
                                  "'flow')"),  # near none: the list alone
])
def test_an_invalid_choice_names_the_one_likely_meant(argv, said, capsys):
    """`vcam rn` and `--fit strech` were answered with the whole list of choices, the typo left to be found."""
    assert _last_line(argv, capsys).startswith(said)


@pytest.mark.parametrize("listing, more", [("devices", []), ("list", []), ("ports", []), ("devices", ["--midi", "x"])])
def test_vcam_midi_asked_for_the_inputs_names_vcam_devices(listing, more, capsys):
    """`vcam midi devices` was told only to choose from 'learn': the inputs' list, vcam devices, went unnamed."""
    assert _last_line(["midi", listing, *more], capsys) == (
        f"vcam midi: error: argument learn: invalid choice: {listing!r}: vcam devices lists the MIDI inputs (and the "
        "virtual cameras); vcam midi takes learn")


@pytest.mark.parametrize("word", ["send", "upload"])
def test_vcam_send_names_vcam_cam_send(word, capsys):
    """`vcam send` was asked whether render was meant: the camera goes up with vcam cam's --send."""
    assert _last_line([word, "ws://127.0.0.1:8765"], capsys) == (
        f"vcam: error: argument command: invalid choice: {word!r}: vcam cam sends this machine's camera or a clip up "
        "to vcam serve: vcam cam ws://HOST:PORT --send camera (or --send file:CLIP)")


@pytest.mark.parametrize("word", ["check", "map", "validate"])
def test_vcam_midi_asked_to_check_a_map_names_vcam_check_and_midi_map(word, capsys):
    """`vcam midi check` was told only to choose from 'learn': how a map file is checked went unnamed."""
    assert _last_line(["midi", word, "map.yaml"], capsys) == (
        f"vcam midi: error: argument learn: invalid choice: {word!r}: a MIDI map is checked with the show that names "
        "it (midi: map: FILE), by vcam check SHOW.yaml, or as vcam run --midi-map FILE starts; vcam midi takes learn")


@pytest.mark.parametrize("argv, flag", [(["midi", "--count", "3"], "--count"), (["midi", "--midi", "nano"], "--midi"),
                                        (["midi", "--midi=nano"], "--midi"), (["midi", "--count", "3", "learn"],
                                                                              "--count")])
def test_vcam_midi_learns_option_given_before_learn_says_where_it_goes(argv, flag, capsys):
    """`vcam midi --count 3` was told "invalid choice: '3' (choose from 'learn')": the option's value was taken for
    the subcommand, and the option itself went unnamed."""
    assert _last_line(argv, capsys) == (f"vcam midi: error: {flag} is vcam midi learn's option: it goes after learn "
                                        f"(vcam midi learn {flag} …)")


def test_vcam_midi_learn_given_the_controllers_name_alone_says_to_give_it_with_midi(capsys):
    """`vcam midi learn nano` was told "unrecognized arguments: nano" alone."""
    assert _last_line(["midi", "learn", "nano kontrol"], capsys) == (
        "vcam midi learn: error: unrecognized arguments: nano kontrol; the input is given with --midi: vcam midi learn "
        "--midi 'nano kontrol'")


def test_vcam_midi_learn_given_a_number_alone_says_to_give_it_with_count(capsys):
    """`vcam midi learn 3` was told to give 3 as the input's name, with --midi."""
    assert _last_line(["midi", "learn", "3"], capsys) == (
        "vcam midi learn: error: unrecognized arguments: 3; the number of messages to learn is given with --count: "
        "vcam midi learn --count 3")


@pytest.mark.parametrize("argv", [["midi"], ["midi", "--help-me"]])
def test_vcam_midi_alone_says_what_to_type(argv, capsys):
    """`vcam midi` alone was told "the following arguments are required: learn", not what to type."""
    assert _last_line(argv, capsys) == (
        "vcam midi: error: give what to do: vcam midi learn prints each control touched on the controller with the "
        "line to paste into a map (vcam midi learn --midi NAME for another input than the first; vcam devices lists "
        "the inputs)")


@pytest.mark.parametrize("argv, said", [
    (["run", "--prompt", "-dark"], "vcam run: error: argument --prompt: expected one argument (a value that starts "
                                   "with - is taken for an option: give it as --prompt=-dark)"),
    (["cam", "ws://host", "--fallback", "-x.png"], "vcam cam: error: argument --fallback: expected one argument (a "
                                                   "value that starts with - is taken for an option: give it as "
                                                   "--fallback=-x.png)"),
    # left out: no dash hint, the form to give
    (["run", "--out", "--dur", "1"], "vcam run: error: argument --out: expected one argument: give --out OUTPUT"),
])
def test_a_value_that_starts_with_a_dash_is_said_how_to_give(argv, said, capsys):
    """`--prompt -dark` was answered "expected one argument", with the value right there on the line."""
    assert _last_line(argv, capsys) == said


def test_a_value_that_starts_with_a_dash_given_with_its_flag_is_taken():
    from vcam.cli import build_parser

    assert build_parser().parse_args(["run", "--prompt=-dark city"]).prompt == "-dark city"


@pytest.mark.parametrize("argv, said", [
    (["run", "--prompt", "a", "neon", "city"], "vcam run: error: argument --prompt: a prompt of several words goes "
                                               "in quotes: --prompt 'a neon city'"),  # "unrecognized arguments: city"
    (["serve", "--prompt", "neon", "city", "--model", "tiny"], "vcam serve: error: argument --prompt: a prompt of "
                                                              "several words goes in quotes: --prompt 'neon city'"),
    (["run", "--prompt=it's", "late"], "vcam run: error: argument --prompt: a prompt of several words goes in "
                                       "quotes: --prompt \"it's late\""),
    (["run", "a.yaml", "b.yaml"], "vcam run: error: unrecognized arguments: b.yaml; vcam run takes one SHOW.yaml"),
    (["cam", "ws://host", "extra"], "vcam cam: error: unrecognized arguments: extra; vcam cam takes one "
                                    "ws://HOST:PORT"),
    # a value given to an option that takes none: "unrecognized arguments: camera", or "yes: the show file does not
    # exist"
    (["bench", "--in", "camera"], "vcam bench: error: unrecognized arguments: camera; --in takes no value in vcam "
                                  "bench"),
    (["run", "--link", "yes"], "vcam run: error: unrecognized arguments: yes; --link takes no value in vcam run"),
])
def test_words_past_the_arguments_say_what_was_meant(argv, said, capsys, tmp_path, monkeypatch):
    """A prompt typed without quotes was answered "unrecognized arguments: city", or with two words "city: the
    show file does not exist"; a second show file, "unrecognized arguments: b.yaml"."""
    monkeypatch.chdir(tmp_path)
    assert _last_line(argv, capsys) == said


def test_a_prompt_of_one_word_before_a_show_file_is_taken(tmp_path):
    from vcam.cli import build_parser

    show = tmp_path / "show"  # no .yaml: a file that is there is the show file
    show.write_text("presets: []\n")
    for name in ("show.yaml", str(show)):
        args = build_parser().parse_args(["run", "--prompt", "cats", name])
        assert (args.prompt, args.show) == ("cats", name)


@pytest.mark.parametrize("argv, said", [
    # a show file mistyped after a switch: "--link takes no value" sent the operator to the wrong word
    (["run", "--link", "missing.yaml"], "missing.yaml: the show file does not exist"),
    (["serve", "--no-stdin", "missing.yml"], "missing.yml: the show file does not exist"),
    # a show file after an unquoted prompt is no word of it: --prompt 'neon city show.yaml' played no show
    (["run", "--prompt", "neon", "city", "show.yaml"], "vcam run: error: argument --prompt: a prompt of several "
                                                       "words goes in quotes: --prompt 'neon city' show.yaml"),
    # --prompt shortened as argparse takes it: "vcam run takes one SHOW.yaml" for the prompt's last word
    (["run", "--prom", "a", "neon", "city"], "vcam run: error: argument --prompt: a prompt of several words goes in "
                                             "quotes: --prompt 'a neon city'"),
    # a subcommand's name begun: the one it begins, not one as near (run)
    (["ren"], "vcam: error: argument command: invalid choice: 'ren'; did you mean render? (choose from "),
    # its own option past `--`: not "an option of vcam serve, …, not of vcam run"
    (["run", "--", "-dash.yaml", "--model", "tiny"], "vcam run: error: unrecognized arguments: --model tiny; --model "
                                                     "comes after --, past which every word is taken for no option: "
                                                     "give it before --"),
])
def test_a_hint_names_the_word_at_fault(argv, said, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    try:
        code = main([*argv, "--no-stdin"] if argv[0] == "serve" else argv)
    except SystemExit as e:
        code = e.code
    assert code == 2
    err = capsys.readouterr().err
    assert said in err and "takes no value" not in err


@pytest.mark.parametrize("argv, said", [
    (["run", "--size", "1001*1001"], "'1001*1001' is not WIDTHxHEIGHT, and as 1001x1001 it is refused: size "
                                     "1001x1001: both must be positive multiples of 16"),
    (["cam", "ws://host", "--size", "1281:720"], "'1281:720' is not WIDTHxHEIGHT, and as 1281x720 it is refused: "
                                                 "size 1281x720: both must be even"),
])
def test_a_size_in_another_form_is_not_offered_where_it_is_refused(argv, said, capsys):
    """`--size 1001*1001` was answered "did you mean 1001x1001?", which, typed, was refused in turn."""
    err = _refused(argv, capsys)
    assert f"vcam {argv[0]}: error: argument --size: {said}" in err and "did you mean" not in err


@pytest.mark.parametrize("argv, said", [
    (["run", "a.yaml", "--out", "file:a.mp4", "file:b.mp4"], "vcam run: error: unrecognized arguments: file:b.mp4; "
     "--out takes one OUTPUT: give --out again for each (--out file:b.mp4)"),
    (["cam", "ws://host", "--out=vcam", "file:a.mp4"], "vcam cam: error: unrecognized arguments: file:a.mp4; "
                                                       "--out takes one OUTPUT: give --out again for each (--out "
                                                       "file:a.mp4)"),
    (["run", "a.yaml", "--fps", "30", "60"], "vcam run: error: unrecognized arguments: 60; --fps takes one value"),
    (["run", "a.yaml", "--osc-map", "a=b", "c"], "vcam run: error: unrecognized arguments: c; --osc-map takes one "
                                                 "MAP"),  # an = in the value makes it no --flag=value
    (["run", "a.yaml", "--link", "b.yaml"], "vcam run: error: unrecognized arguments: b.yaml; vcam run takes one "
                                            "SHOW.yaml"),  # a second show file, not a value of --link
])
def test_a_second_value_is_said_as_the_options(argv, said, capsys):
    """`--out file:a.mp4 file:b.mp4` after a show file was answered "vcam run takes one SHOW.yaml"."""
    assert _last_line(argv, capsys) == said


def test_vcam_models_lines_up_its_descriptions(capsys):
    from vcam.engine.configs import MODELS

    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    starts = {line.index(spec.description) for line, spec in zip(lines, MODELS.values())}
    assert len(lines) == len(MODELS) >= 2 and len(starts) == 1, lines  # 832x480 and 112x64 shifted them apart


@pytest.mark.parametrize("buffered", [True, False])
@pytest.mark.parametrize("command", [["models"], ["devices"]])
def test_a_listing_whose_reader_is_gone_ends_quietly_as_bench_json_does(command, buffered):
    """`vcam models | head -c0`: the listing's write said an internal BrokenPipeError (exit 2), where `vcam bench
    --json` ends quietly with Python's exit code for a broken pipe (1); both do that now."""
    from helpers import vcam_with_stdout_gone

    done = vcam_with_stdout_gone(command, timeout=180, env=child_env(buffered))
    assert done.returncode == 1 and done.stderr == "", done.stderr


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full, whose every write finds the disk full")
@pytest.mark.parametrize("buffered", [True, False])
@pytest.mark.parametrize("command", [["models"], ["devices"], ["check", "example"], ["--help"], ["models", "--help"]])
def test_a_listing_onto_a_full_disk_is_said_as_the_outputs_failure_not_an_internal_error(command, buffered):
    """`vcam models > /dev/full` (a redirect onto a full disk) was said as an internal OSError, with the hint to set
    VCAM_DEBUG for a traceback, and `vcam --help > /dev/full` exited 0 having written nothing; it is the output that
    failed, said with what to do, and the exit code is not 0. Buffered, as stdout into a file is in a shell, the
    failure came only as the interpreter ended: "Exception ignored", a traceback and exit 120."""
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "vcam", *command], stdout=full, stderr=subprocess.PIPE,
                              text=True, timeout=180, env=child_env(buffered))
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert lines[0] == "vcam: error: could not write the output to stdout: No space left on device", lines
    assert len(lines) == 2 and lines[1].startswith("  fix: free space where stdout goes"), lines


@pytest.mark.parametrize("buffered", [True, False])
def test_the_help_whose_reader_is_gone_ends_quietly(buffered):
    """`vcam --help | head -c0`: a reader that took what it wanted is no failure of the help's."""
    from helpers import vcam_with_stdout_gone

    done = vcam_with_stdout_gone(["--help"], timeout=180, env=child_env(buffered))
    assert done.returncode == 0 and done.stderr == "", done.stderr


def child_env(buffered: bool) -> dict[str, str]:
    """A child's environment with stdout buffered as a shell's redirect has it, or unbuffered (PYTHONUNBUFFERED)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    return env if buffered else {**env, "PYTHONUNBUFFERED": "1"}


def test_a_broken_pipe_that_is_not_stdout_is_said_as_an_error(capsys, monkeypatch):
    """Only stdout's reader going is quiet: a broken pipe elsewhere (a socket, an encoder) is still said."""
    def fail(*a, **k):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr("vcam.cli.cmd_check", fail)
    assert main(["check", "x.yaml"]) == 2
    assert "BrokenPipeError" in capsys.readouterr().err


@pytest.mark.parametrize("argv,usage", [
    (["help"], "usage: vcam [-h]"),
    (["help", "run"], "usage: vcam run [-h]"),
    (["help", "midi", "learn"], "usage: vcam midi learn [-h]"),
    (["help", "help"], "usage: vcam [-h]"),
])
def test_vcam_help_prints_the_help_of_the_command_named(argv, usage, capsys):
    """`vcam help` and `vcam help run` were refused as "invalid choice: 'help'"."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0 and capsys.readouterr().out.startswith(usage)


@pytest.mark.parametrize("argv,said", [
    (["models", "all"], "vcam models: error: unrecognized arguments: all; vcam models takes no arguments"),
    (["devices", "--list"], "vcam devices: error: unrecognized arguments: --list; vcam devices takes no arguments"),
    (["cam", "ws://host", "--show", "club"], "vcam cam: error: unrecognized arguments: --show club; vcam cam plays "
                                             "the show vcam serve plays: give the show file to vcam serve (vcam serve "
                                             "SHOW.yaml)"),
])
def test_an_argument_a_command_has_no_place_for_says_where_it_goes(argv, said, capsys):
    """`vcam models all` and `vcam cam URL --show club` said only "unrecognized arguments"."""
    assert _last_line(argv, capsys) == said


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize("flag", ["--steps", "--transition", "--size", "--fps", "--fit", "--in-fit", "--strength",
                                  "--fallback", "--seed", "--bias", "--in"])
def test_the_help_of_a_setting_a_show_file_also_gives_says_the_show_comes_first(command, flag):
    """`--fit (letterbox)` while club.yaml plays crop: each of these flags is read from the show file when left out
    (vcam.live.settings.resolve), so its help names the show's before the built-in default."""
    from vcam.cmdline.parser import build_parser

    parser = dict(_commands(build_parser()))[f"vcam {command}"]
    action = next(a for a in parser._actions if flag in a.option_strings)
    assert "(default: the show's " in action.help and ", else " in action.help


def test_the_help_of_run_out_says_the_shows_outputs_come_first_and_serve_has_none():
    from vcam.cmdline.parser import build_parser

    commands = dict(_commands(build_parser()))
    said = {c: next(a for a in commands[f"vcam {c}"]._actions if "--out" in a.option_strings).help
            for c in ("run", "serve")}
    assert said["run"].endswith("(default: the show's out:, else vcam)") and said["serve"].endswith("(default: none)")


@pytest.mark.parametrize("argv,said", [
    (["run", "-m", "tiny"], "vcam run: error: unrecognized arguments: -m; vcam run's options are written in full: "
                            "--model, --max-latency, --midi, --midi-map or --media?"),
    (["cam", "ws://host", "-d", "10"], "vcam cam: error: unrecognized arguments: -d 10; vcam cam's options are "
                                       "written in full: --duration?"),
    (["check", "-x", "show.yaml"], "vcam check: error: unrecognized arguments: -x; vcam check takes no options"),
    (["bench", "-x"], "vcam bench: error: unrecognized arguments: -x; vcam bench's options are written in full "
                      "(vcam bench --help lists them)"),
])
def test_a_one_letter_option_is_answered_with_the_options_it_may_stand_for(argv, said, capsys):
    """`vcam run -m tiny` said only "unrecognized arguments: -m"."""
    assert _last_line(argv, capsys) == said


@pytest.mark.parametrize("argv,said", [
    (["serve", "--token", ""], "argument --token: the token is empty (an unset variable in a script?)"),
    (["cam", "ws://x", "--token", " "], "argument --token: the token is empty (an unset variable in a script?)"),
    (["run", "--weights", ""], "argument --weights: the path is empty (an unset variable in a script?)"),
    (["render", "show.jsonl", "--out", "null", "--weights", ""], "argument --weights: the path is empty"),
])
def test_an_empty_token_or_weights_folder_is_refused_not_taken_as_left_out(argv, said, capsys):
    """`--token "$SECRET"` unset served with $VCAM_TOKEN or no token at all, without a word; `--weights ""` was said
    as "--weights : a weights folder is krea-14b's"."""
    from vcam.cmdline.parser import build_parser

    with pytest.raises(SystemExit) as ended:
        build_parser().parse_args(argv)
    assert ended.value.code == 2 and said in capsys.readouterr().err


@pytest.mark.parametrize("given,said", [
    ("shows\\my.yaml", "shows\\my.yaml: the show file does not exist; did you mean shows/my.yaml? (folders are "
                       "separated by / here)"),
    ("presets\\club.yaml", "presets\\club.yaml: the show file does not exist; did you mean club, a show vcam ships? "
                           "(its name alone, without a folder)"),
])
@pytest.mark.skipif(os.sep != "/", reason="a backslash separates folders there")
def test_a_show_path_written_with_backslashes_is_answered_with_the_show_meant(given, said, tmp_path, monkeypatch,
                                                                              capsys):
    """`vcam check shows\\my.yaml`, copied from a Windows guide, said only "check the path"."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shows").mkdir()
    (tmp_path / "shows" / "my.yaml").write_text("presets:\n  - name: a\n    prompt: a\n")
    assert main(["check", given]) == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("argv,said", [
    (["run", "--link=yes"], "vcam run: error: argument --link: takes no value ('yes' given): give --link alone"),
    (["bench", "--compile=false"], "vcam bench: error: argument --compile/--no-compile: takes no value ('false' "
                                   "given): give --compile or --no-compile alone"),
])
def test_a_value_given_to_an_option_that_takes_none_says_to_give_it_alone(argv, said, capsys):
    """`--link=yes` was said as argparse's "ignored explicit argument 'yes'", which named no fix."""
    assert _last_line(argv, capsys) == said


@pytest.mark.parametrize("argv,said", [
    (["run", "--out"], "vcam run: error: argument --out: expected one argument: give --out OUTPUT"),
    (["run", "--fit", "--duration", "10"], "vcam run: error: argument --fit: expected one argument: give --fit "
                                           "letterbox|crop|stretch"),
    (["serve", "--port"], "vcam serve: error: argument --port: expected one argument: give --port PORT"),
])
def test_an_option_whose_value_is_left_out_says_the_form_to_give(argv, said, capsys):
    """`vcam run --out` said only "expected one argument"."""
    assert _last_line(argv, capsys) == said


@pytest.mark.parametrize("command", [["run"], ["serve"], ["cam", "ws://127.0.0.1:9"], ["midi", "learn"]])
def test_a_second_midi_controller_given_is_refused_rather_than_the_first_left_deaf(command, capsys):
    """`--midi nano --midi apc`, two controllers plugged in: the show listened on the APC alone and the nanoKONTROL2
    did nothing, unsaid."""
    from vcam.cli import build_parser

    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*command, "--midi", "nano", "--midi", "apc"])
    assert done.value.code == 2
    err = capsys.readouterr().err.rstrip().splitlines()[-1]
    assert "argument --midi: given twice ('nano', then 'apc')" in err and "one MIDI input" in err
    assert build_parser().parse_args([*command, "--midi", "nano", "--midi", "nano"]).midi == "nano"  # the same one
    assert build_parser().parse_args([*command, "--midi", "nano", "--midi", "NANO"]).midi  # case aside, as matched


@pytest.mark.parametrize("command", [["run"], ["serve"], ["cam", "ws://127.0.0.1:9"]])
def test_midi_none_and_a_port_given_together_say_to_give_one_or_the_other(command, capsys):
    """`--midi none --midi nano` said vcam listens to one MIDI input, of none, which is no input."""
    from vcam.cli import build_parser

    with pytest.raises(SystemExit):
        build_parser().parse_args([*command, "--midi", "none", "--midi", "nano"])
    err = capsys.readouterr().err.rstrip().splitlines()[-1]
    assert err.endswith("given twice ('none', then 'nano'): give either none (no input) or the input to listen to")


@pytest.mark.parametrize("command", [["run"], ["serve"], ["cam", "ws://127.0.0.1:9"]])
def test_a_second_midi_map_given_is_refused_rather_than_the_first_dropped(command, capsys):
    from vcam.cli import build_parser

    with pytest.raises(SystemExit) as done:
        build_parser().parse_args([*command, "--midi-map", "nanokontrol2", "--midi-map", "apc-mini-mk2"])
    assert done.value.code == 2
    err = capsys.readouterr().err.rstrip().splitlines()[-1]
    assert err.endswith("argument --midi-map: given twice ('nanokontrol2', then 'apc-mini-mk2'): vcam plays with "
                        "one map; give one")


@pytest.mark.parametrize("flag, value", [("--seed", "0x"), ("--seed", "0xg"), ("--seed", "0X10"), ("--steps", "0b"),
                                         ("--steps", "0B11")])
def test_a_flag_in_hex_or_binary_miswritten_is_told_as_the_command_typed_is(flag, value, capsys):
    """`--seed 0x` was offered 0 (read as 0 with a unit after it), `--seed 0X10` told only that it is no whole number
    and `--steps 0b` given no word of what to write; each is told what the command typed is told."""
    from vcam.control.commands import CommandError, parse

    with pytest.raises(CommandError) as typed:
        parse(f"{flag[2:]} {value}")
    hint = str(typed.value).split(f"not {value!r}")[1].split("; usage:")[0]
    assert hint and "did you mean" not in hint, str(typed.value)
    assert _last_line(["run", flag, value], capsys).endswith(f"{value!r} is not a whole number{hint}")


@pytest.mark.parametrize("argv, log", [(["render", "x.jsonl"], "x.jsonl"), (["render"], "LOG.jsonl"),
                                       (["render", "--fps", "25", "my take.jsonl"], "'my take.jsonl'")])
def test_vcam_render_without_its_out_says_the_form_to_give_it_in(argv, log, capsys):
    """`vcam render show.jsonl` was told "the following arguments are required: --out" and no more: what --out
    takes (file:PATH.mp4, not a camera) was in the help alone. The log is named as given (it was LOG.jsonl, the
    help's placeholder, beside the x.jsonl typed), and so where it was left out too."""
    assert _last_line(argv, capsys).endswith(
        f"--out; give the file to make, as in vcam render {log} --out file:show.mp4")
