"""What the commands that play a show (`vcam run`, `vcam serve`, `vcam cam`, `vcam render`) and the commands
around one (`vcam devices`, `vcam midi learn`, `vcam models`, `vcam download`) hand on, print and exit with: each
test fails where the code is changed in the way its docstring says."""
from __future__ import annotations

import dataclasses
import io
import signal
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from ptys import typed_on_pty
from vcam.cli import main
from vcam.cmdline.parser import build_parser
from vcam.cmdline.play import LeftInsideABlock, check_compile_mode, cmd_cam, cmd_render, cmd_run
from vcam.engine.speed import SpeedFlags
from vcam.errors import VcamError
from vcam.live.render import Rendered, RenderOptions
from vcam.remote.client import CamOptions
from vcam.remote.server import ServeSettings

AUTOTUNE = "max-autotune-no-cudagraphs"

# options whose values the command line does not hand on as they are (or that are no option of the command)
NOT_HANDED_AS_GIVEN = {"command", "show", "compile", "attention", "compile_mode"}


def _marked(argv: list[str]) -> SimpleNamespace:
    """The options `argv` reads, each set to a value that names it, so where a value lands shows whose it is."""
    args = vars(build_parser().parse_args(argv))
    return SimpleNamespace(**{name: value if name in NOT_HANDED_AS_GIVEN else f"<{name}>"
                              for name, value in args.items()})


def _option_of(field: str) -> str:
    return "out" if field == "outs" else field  # --out fills the outputs' list


def _handed(opts, skip: set[str]) -> dict[str, object]:
    return {f.name: getattr(opts, f.name) for f in dataclasses.fields(opts) if f.name not in skip}


# --- vcam run and vcam serve ------------------------------------------------------------------------------------


def _captured_play(monkeypatch, ended=None) -> list:
    import vcam.live.run

    seen: list = []

    def play(opts, attach=None):
        seen.append((opts, attach))
        return ended or vcam.live.run.Ended(0, False)

    monkeypatch.setattr(vcam.live.run, "play", play)
    return seen


def test_every_option_of_vcam_run_reaches_the_show_under_its_own_name(monkeypatch):
    """Each option's value is handed to the show as the field of its name: `seed=args.seed` turned `seed=None`
    (or any other option dropped or swapped) gave a show that ignored what was typed, with no word said."""
    seen = _captured_play(monkeypatch)
    args = _marked(["run", "--attention", "cudnn"])
    assert cmd_run(args) == 0
    opts, attach = seen[-1]
    skip = {"show", "serve", "speed", "commands", "status_out", "commands_read"}  # the last: no option
    assert _handed(opts, skip) == {name: f"<{_option_of(name)}>" for name in _handed(opts, skip)}
    assert (opts.show, opts.serve, attach) == (None, False, None)
    assert opts.speed == SpeedFlags(attention="cudnn")
    given = set(vars(args)) - NOT_HANDED_AS_GIVEN
    assert given <= {_option_of(name) for name in _handed(opts, skip)}  # no option read and then left out


def test_the_speed_options_reach_the_show_as_given(monkeypatch):
    """--compile, --attention and --compile-mode each reach the show (any of them dropped to None ran the show
    without what was asked)."""
    seen = _captured_play(monkeypatch)
    assert main(["run", "--model", "tiny", "--compile", "--attention", "cudnn", "--compile-mode", AUTOTUNE]) == 0
    assert seen[-1][0].speed == SpeedFlags(compile=True, attention="cudnn", compile_mode=AUTOTUNE)
    assert main(["run", "--model", "tiny", "--no-compile"]) == 0
    assert seen[-1][0].speed == SpeedFlags(compile=False)


def test_a_show_that_ends_with_an_error_says_it_and_exits_with_its_code(monkeypatch, capsys):
    """The show's error is said in the command line's two lines (`say_error` dropped, or its `is not None` turned
    `is None`, left the exit code 2 unexplained), and the show's own exit code is the command's."""
    import vcam.live.run

    _captured_play(monkeypatch, vcam.live.run.Ended(2, False, error=VcamError("the camera went away", "plug it in")))
    assert main(["run", "--model", "tiny"]) == 2
    assert capsys.readouterr().err.splitlines() == ["vcam: error: the camera went away", "  fix: plug it in"]
    _captured_play(monkeypatch, vcam.live.run.Ended(3, False))
    assert main(["run", "--model", "tiny"]) == 3
    assert capsys.readouterr().err == ""


def test_a_show_left_inside_a_block_is_raised_with_what_it_ended_with(monkeypatch):
    """Only a show whose producer is still inside a block leaves through LeftInsideABlock, carrying its end (a
    `not` added made every show leave at once; its `ended` dropped lost the exit code)."""
    import vcam.live.run

    busy = vcam.live.run.Ended(4, True)
    _captured_play(monkeypatch, busy)
    with pytest.raises(LeftInsideABlock) as left:
        cmd_run(_marked(["run"]))
    assert left.value.ended is busy and left.value.args == (4,)


@pytest.mark.parametrize("command", ["run", "serve"])
@pytest.mark.parametrize("show", ["", "  "])
def test_an_empty_show_is_refused_not_taken_as_no_show(monkeypatch, capsys, command, show):
    """`vcam run "$SHOW"` with SHOW unset put the default prompt on air without a word (an empty SHOW was no show
    at all); a blank one was said as a file ` ` that does not exist."""
    monkeypatch.setattr("vcam.live.run.play", lambda opts, attach=None: pytest.fail("the show started"))
    with pytest.raises(SystemExit) as done:
        main([command, show, "--model", "tiny"])
    assert done.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f"vcam {command}: error: argument SHOW.yaml: an empty name names no show: give a show file's path or the "
        "name of a show vcam ships, or leave SHOW.yaml out")


@pytest.mark.parametrize("flags", [["--no-compile"], ["--no-compile", "--compile-mode", "default"],
                                   ["--compile-mode", AUTOTUNE], ["--compile", "--compile-mode", AUTOTUNE]])
def test_compile_flags_that_agree_are_taken(flags):
    """Only --no-compile with a mode other than default is refused: `is False` turned `is not True` refused a mode
    given alone, `and` turned `or` refused --no-compile alone, and default dropped from the modes that need no
    compiling refused --no-compile --compile-mode default."""
    check_compile_mode(build_parser().parse_args(["run", *flags]))


def test_no_compile_with_a_compile_mode_names_the_mode(capsys):
    with pytest.raises(VcamError) as e:
        check_compile_mode(build_parser().parse_args(["serve", "--no-compile", "--compile-mode", AUTOTUNE]))
    assert e.value.message == f"--compile-mode {AUTOTUNE} needs compiling, which --no-compile turns off"
    assert e.value.fix == "leave out --no-compile, or leave out --compile-mode"


def test_vcam_serve_hands_its_address_token_and_quality_to_the_server_and_serves_the_show(monkeypatch):
    """--host, --port, --token (stripped) and --quality reach the server's settings, and the show is told it is
    served (the attachment dropped ran a show no client could reach; any of the four dropped served it elsewhere)."""
    import vcam.remote.attach

    seen = _captured_play(monkeypatch)
    settings: list[ServeSettings] = []
    monkeypatch.setattr(vcam.remote.attach, "attachment", lambda s: settings.append(s) or "the server")
    monkeypatch.delenv("VCAM_TOKEN", raising=False)
    assert main(["serve", "--model", "tiny", "--host", "0.0.0.0", "--port", "9100", "--token", " s3cret ",
                 "--quality", "55"]) == 0
    assert settings == [ServeSettings(host="0.0.0.0", port=9100, token="s3cret", quality=55)]
    assert seen[-1][1] == "the server" and seen[-1][0].serve


def test_vcam_serve_takes_its_token_from_the_environment_where_no_flag_gives_one(monkeypatch):
    import vcam.remote.attach

    _captured_play(monkeypatch)
    settings: list[ServeSettings] = []
    monkeypatch.setattr(vcam.remote.attach, "attachment", lambda s: settings.append(s) or "the server")
    monkeypatch.setenv("VCAM_TOKEN", "from-env")
    assert main(["serve", "--model", "tiny"]) == 0
    assert main(["serve", "--model", "tiny", "--token", "from-flag"]) == 0
    assert [s.token for s in settings] == ["from-env", "from-flag"]


# --- vcam cam ---------------------------------------------------------------------------------------------------


def _captured_cam(monkeypatch) -> list[CamOptions]:
    import vcam.remote.client

    seen: list[CamOptions] = []
    monkeypatch.setattr(vcam.remote.client, "run_cam", lambda opts: seen.append(opts) or 7)
    return seen


def test_every_option_of_vcam_cam_reaches_the_camera_under_its_own_name(monkeypatch):
    """`send=args.send` turned `send=None` (or any other option dropped) gave a camera without what was typed; the
    camera's exit code is the command's."""
    seen = _captured_cam(monkeypatch)
    monkeypatch.delenv("VCAM_TOKEN", raising=False)
    args = _marked(["cam", "ws://127.0.0.1:9"])
    assert cmd_cam(args) == 7
    skip = {"token", "commands", "status_out", "first_frame_wait", "commands_read"}
    assert _handed(seen[-1], skip) == {name: f"<{_option_of(name)}>" for name in _handed(seen[-1], skip)}
    assert seen[-1].token == "<token>"
    assert set(vars(args)) - NOT_HANDED_AS_GIVEN <= {_option_of(f.name) for f in dataclasses.fields(CamOptions)}


def test_vcam_cam_without_an_output_shows_in_the_virtual_camera_and_takes_the_environments_token(monkeypatch):
    """No --out is the virtual camera (`or ["vcam"]` dropped handed None on); VCAM_TOKEN is the token where no
    --token is given."""
    seen = _captured_cam(monkeypatch)
    monkeypatch.setenv("VCAM_TOKEN", "from-env")
    assert main(["cam", "ws://127.0.0.1:9"]) == 7
    assert (seen[-1].outs, seen[-1].token) == (["vcam"], "from-env")
    assert main(["cam", "ws://127.0.0.1:9", "--out", "null", "--token", "t"]) == 7
    assert (seen[-1].outs, seen[-1].token) == (["null"], "t")


# --- vcam render ------------------------------------------------------------------------------------------------


def _rendered(monkeypatch, interrupted: bool = False, stopped: tuple[str, ...] = (),
              by: int = signal.SIGINT) -> list[RenderOptions]:
    import vcam.live.render

    seen: list[RenderOptions] = []
    monkeypatch.setattr(vcam.live.render, "render", lambda opts: seen.append(opts) or Rendered(
        2, 4, 18, 24.0, interrupted, 1.0, stopped, stopped_by=by))
    return seen


def test_every_option_of_vcam_render_reaches_the_render_under_its_own_name(monkeypatch):
    """`blocks=args.blocks` turned `blocks=None` (or any other option dropped) rendered what was not asked."""
    seen = _rendered(monkeypatch)
    args = _marked(["render", "show.log", "--out", "null"])
    assert cmd_render(args) == 0
    skip = {"status_out"}
    assert _handed(seen[-1], skip) == {name: f"<{_option_of(name)}>" for name in _handed(seen[-1], skip)}
    assert set(vars(args)) - NOT_HANDED_AS_GIVEN <= {_option_of(f.name) for f in dataclasses.fields(RenderOptions)}


@pytest.mark.parametrize("interrupted, stopped, code", [(False, (), 0), (False, ("a.mp4",), 1), (True, (), 130),
                                                        (True, ("a.mp4",), 130)])
def test_vcam_render_exits_with_ctrl_c_s_code_then_a_files_stop(monkeypatch, interrupted, stopped, code):
    """A render stopped by Ctrl-C exits 130 (as a shell expects of Ctrl-C, whatever else happened), one with a file
    its full disk stopped 1, a whole one 0."""
    _rendered(monkeypatch, interrupted, stopped)
    assert main(["render", "show.log", "--out", "null"]) == code


@pytest.mark.parametrize("by, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_vcam_render_stopped_by_a_service_exits_with_its_signal_s_code(monkeypatch, by, code):
    """A render SIGTERM stopped exited 130, Ctrl-C's code: its files are incomplete, which a service manager or a
    script sees by the signal's own code (a show's end by SIGTERM is vcam run's 0)."""
    _rendered(monkeypatch, True, (), by)
    assert main(["render", "show.log", "--out", "null"]) == code

# --- vcam devices -----------------------------------------------------------------------------------------------


def _devices(monkeypatch, capsys, system: str, names=None, failure: VcamError | None = None) -> list[str]:
    import platform

    import vcam.control.midi
    import vcam.live.outputs.v4l2loopback as loopback

    def input_names():
        if failure is not None:
            raise failure
        return names

    monkeypatch.setattr(vcam.control.midi, "input_names", input_names)
    monkeypatch.setattr(platform, "system", lambda: system)
    monkeypatch.setattr(loopback, "describe_cameras", lambda: ["/dev/video10: vcam", "  free"])
    monkeypatch.setattr(loopback, "no_device_help", lambda: "install OBS Studio")
    assert main(["devices"]) == 0
    return capsys.readouterr().out.splitlines()


def test_vcam_devices_lists_each_midi_input_indented_then_linuxs_cameras(monkeypatch, capsys):
    """Each input on a line of its own, indented under its heading (`print(f"  {n}")` turned `print(n)`), and
    on Linux the cameras as listed (`== "Linux"` turned `!=` gave OBS's setup instead)."""
    assert _devices(monkeypatch, capsys, "Linux", ["nanoKONTROL2", "Launchpad"]) == [
        "MIDI inputs:", "  nanoKONTROL2", "  Launchpad", "/dev/video10: vcam", "  free"]


PLUG_IN = ("  fix: plug the controller in (over USB; one that is class compliant needs no driver) and run vcam devices "
           "again; vcam run --midi NAME (a part of its name) also waits for one plugged in after the show starts")


def test_vcam_devices_without_an_input_asks_whether_one_is_plugged_in_and_says_what_next(monkeypatch, capsys):
    """The question alone left the operator with nothing to do next."""
    assert _devices(monkeypatch, capsys, "Linux", [])[:2] == ["MIDI inputs: none (is a controller plugged in?)",
                                                              PLUG_IN]


def test_vcam_devices_marks_a_loopback_port_and_says_to_plug_a_controller_in_where_there_is_no_other(monkeypatch,
                                                                                                      capsys):
    """ALSA's Midi Through, listed on Linux with no controller plugged in, was listed as an input like any other:
    copied for --midi, no knob ever acted."""
    through = "Midi Through:Midi Through Port-0 14:0"
    assert _devices(monkeypatch, capsys, "Linux", [through])[:3] == [
        "MIDI inputs:", f"  {through}  (a loopback: it passes on what another program sends, no controller)", PLUG_IN]
    assert _devices(monkeypatch, capsys, "Linux", [through, "nanoKONTROL2"])[:3] == [
        "MIDI inputs:", f"  {through}  (a loopback: it passes on what another program sends, no controller)",
        "  nanoKONTROL2"]


DAW_CLOCK = ("  no hardware controller found; an IAC Driver or loopMIDI port can carry a DAW's MIDI clock to a show "
             "(vcam run --midi NAME, a part of its name); for knobs and buttons, plug a controller in and run vcam "
             "devices again")


@pytest.mark.parametrize("system, port", [("Darwin", "IAC Driver Bus 1"), ("Windows", "loopMIDI Port")])
def test_vcam_devices_with_an_iac_or_loopmidi_port_alone_says_it_can_carry_a_daws_clock(monkeypatch, capsys, system,
                                                                                        port):
    """An IAC Driver bus or a loopMIDI port is most often made on purpose, for a DAW's clock: told to plug a
    controller in, as if nothing usable were there, the operator was sent away from the port meant."""
    out = _devices(monkeypatch, capsys, system, [port])
    assert out[:3] == ["MIDI inputs:", f"  {port}  (a loopback: it passes on what another program sends, no "
                                       "controller)", DAW_CLOCK], out


@pytest.mark.parametrize("fix, lines", [("add yourself to the audio group", ["  fix: add yourself to the audio group"]),
                                        (None, [])])
def test_vcam_devices_says_why_midi_is_unavailable_and_its_fix_only_when_there_is_one(monkeypatch, capsys, fix,
                                                                                       lines):
    """The message alone after `unavailable:` (the error's own text added its fix to that line), and a fix line
    only where the error has a fix (`if e.fix` turned `if not e.fix` said `fix: None`)."""
    out = _devices(monkeypatch, capsys, "Linux", failure=VcamError("no sequencer", fix))
    assert out == ["MIDI inputs: unavailable: no sequencer", *lines, "/dev/video10: vcam", "  free"]


@pytest.mark.parametrize("system", ["Windows", "Darwin"])
def test_vcam_devices_elsewhere_than_linux_names_obs_camera_and_its_setup(monkeypatch, capsys, system):
    assert _devices(monkeypatch, capsys, system, ["pad"]) == [
        "MIDI inputs:", "  pad", "virtual camera: OBS Virtual Camera (--out vcam)", "  setup: install OBS Studio"]


def test_vcam_devices_on_windows_lists_an_input_by_the_name_that_stays_its_place_beside_it(monkeypatch, capsys):
    """rtmidi puts each input's place after its name on Windows ('nanoKONTROL2 1'), which changes as other inputs
    come and go: the name copied with it named no input the next day."""
    import vcam.control.midi

    monkeypatch.setattr(vcam.control.midi.sys, "platform", "win32")
    assert _devices(monkeypatch, capsys, "Windows", ["MIDI Mix 0", "loopMIDI Port 1 1"])[:3] == [
        "MIDI inputs:", "  MIDI Mix  (input 0)",
        "  loopMIDI Port 1  (input 1)  (a loopback: it passes on what another program sends, no controller)"]


# --- vcam midi learn --------------------------------------------------------------------------------------------


def _learning(monkeypatch, inputs: tuple[str, ...] = ("nanoKONTROL2",)) -> list[tuple]:
    import vcam.control.midilearn

    seen: list[tuple] = []

    def learn(wanted, out, say, count=None):
        seen.append((wanted, count))
        out("cc 16: volume")
        say("waiting for nanoKONTROL2")

    monkeypatch.setattr(vcam.control.midilearn, "learn", learn)
    monkeypatch.setattr(vcam.control.midilearn, "input_names", lambda: list(inputs))
    return seen


def test_midi_learn_listens_to_the_first_controller_unless_told_which_and_prints_lines_apart_from_what_it_says(
        monkeypatch, capsys):
    """No --midi is the first controller (`or default_port()` dropped listened to none); --midi and --count are
    handed on as given; mapping lines go to stdout, to be saved to a map, what it says to stderr."""
    seen = _learning(monkeypatch)
    assert main(["midi", "learn"]) == 0
    assert main(["midi", "learn", "--midi", "launchpad", "--count", "3"]) == 0
    assert seen == [("nanoKONTROL2", None), ("launchpad", 3)]
    said = capsys.readouterr()
    assert said.out.splitlines() == ["cc 16: volume"] * 2
    assert said.err.splitlines() == ["waiting for nanoKONTROL2"] * 2


def test_midi_learn_on_midi_through_alone_says_no_controller_is_plugged_in(monkeypatch, capsys):
    """A Linux box lists Midi Through with no controller plugged in: learn listened there unsaid, and waited for knobs
    that could not come."""
    seen = _learning(monkeypatch, inputs=("Midi Through:Midi Through Port-0 14:0",))
    assert main(["midi", "learn"]) == 0
    said = capsys.readouterr().err.splitlines()
    assert said[0].startswith("no MIDI controller is plugged in: listening on Midi Through:Midi Through Port-0 14:0,")
    assert len(said) == 2, said
    assert main(["midi", "learn", "--midi", "through"]) == 0  # asked for: nothing to tell
    assert capsys.readouterr().err.splitlines() == ["waiting for nanoKONTROL2"]
    assert seen == [("Midi Through:Midi Through Port-0", None), ("through", None)]


class _Flushes(io.StringIO):
    """A pipe's end as a test sees it: what had been written each time it was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[str] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def test_each_learned_line_is_flushed_as_it_is_printed(monkeypatch):
    """`vcam midi learn | tee map.txt`: a line not flushed (print without flush=True) waited in the pipe's buffer
    until the learning ended, the control touched showing nothing."""
    _learning(monkeypatch)
    out = _Flushes()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["midi", "learn", "--count", "1"]) == 0
    assert out.flushed[:1] == ["cc 16: volume\n"]


# --- vcam models ------------------------------------------------------------------------------------------------


def test_vcam_models_names_each_models_size_description_and_where_its_weights_come_from(capsys):
    """A model's size is width x height (832x480, not 480x832), its weights' repositories all named, and a model
    of random weights said as such (`if spec.random_weights` inverted swapped the two)."""
    assert main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:2] == [
        "krea-14b   832x480   Krea Realtime 14B (bf16, CUDA)  [krea/krea-realtime-video, "
        "Wan-AI/Wan2.1-T2V-14B-Diffusers]",
        "tiny       112x64    random weights from a fixed seed, no download, runs on a CPU  [random weights]"]


# --- vcam download ----------------------------------------------------------------------------------------------


def _downloading(monkeypatch, fetched=None) -> list[str]:
    import vcam.engine.hub
    import vcam.engine.taehv_weights

    done: list[str] = []

    def from_hub(spec, **kw):
        done.append(f"fetched {spec.name}")
        if fetched is not None:
            raise fetched
        return SimpleNamespace(transformer=Path("/w/krea/model.safetensors"), vae=Path("/w/wan/vae/x.safetensors"))

    monkeypatch.setattr(vcam.engine.hub, "from_hub", from_hub)
    monkeypatch.setattr(vcam.engine.taehv_weights, "check_taehv",
                        lambda decoder, weights, *, at_random: done.append(f"checked {decoder} {weights} {at_random}"))
    monkeypatch.setattr(vcam.engine.taehv_weights, "find_taehv", lambda: Path("/w/taehv/taew2_1.safetensors"))
    return done


def test_downloading_a_model_of_random_weights_fetches_nothing_and_succeeds(monkeypatch, capsys):
    done = _downloading(monkeypatch)
    assert main(["download", "--model", "tiny", "--decoder", "taehv"]) == 0
    assert capsys.readouterr().out == "tiny has random weights: nothing to download\n" and done == []


@pytest.mark.parametrize("decoder, taehv", [("vae", []),
                                            ("taehv", ["TAEHV's weights ready: /w/taehv/taew2_1.safetensors"])])
def test_a_download_checks_the_decoder_first_and_says_where_the_weights_are(monkeypatch, capsys, decoder, taehv):
    """The decoder is checked as for a model read from files, before the hub's gigabytes (`at_random=True`, or
    the check dropped, let a missing TAEHV file be found only after them); the folders the weights are in are
    said, and TAEHV's file where it is the decoder."""
    done = _downloading(monkeypatch)
    assert main(["download", "--decoder", decoder]) == 0
    assert done == [f"checked {decoder} None False", "fetched krea-14b"]
    assert capsys.readouterr().out.splitlines() == ["weights ready: /w/krea and /w/wan/vae", *taehv]


def test_a_download_stopped_with_ctrl_c_exits_130_saying_on_a_line_of_its_own_what_is_kept(monkeypatch, capsys):
    """Said on stderr, and exiting 130 as a shell expects of Ctrl-C; with no line drawn on the row (a log), no bare
    line end before it, which left an empty line."""
    _downloading(monkeypatch, fetched=KeyboardInterrupt())
    assert main(["download"]) == 130
    said = capsys.readouterr()
    assert said.out == "" and said.err == ("vcam: download stopped; the files it finished are kept: run `vcam "
                                           "download` again to fetch the rest\n")


class Terminal(io.StringIO):
    """stderr on a terminal, each write kept apart."""

    def __init__(self):
        super().__init__()
        self.writes: list[str] = []

    def isatty(self):
        return True

    def write(self, text):
        self.writes.append(text)
        return super().write(text)


def test_a_download_stopped_on_a_terminal_is_said_in_one_write_on_a_wiped_row(monkeypatch):
    """Said in two writes (the text, then its line end) after a bare line end: the progress line's thread, still
    drawing, could put its line between the two, and the Ctrl-C's row kept the bar's text beside the `^C`."""
    _downloading(monkeypatch, fetched=KeyboardInterrupt())
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys, "stderr", Terminal())
    assert main(["download"]) == 130
    assert sys.stderr.writes == ["\r\x1b[Kvcam: download stopped; the files it finished are kept: run `vcam "
                                 "download` again to fetch the rest\n"], sys.stderr.writes


@pytest.mark.parametrize("bars_off, start", [(False, "\r\x1b[K"), (True, "\n")])
def test_a_download_stopped_ends_the_row_the_hubs_own_bars_drew_on(monkeypatch, bars_off, start):
    """The hub's bars, with no line end, are wiped; with them off the row holds the echo of Ctrl-C, ended."""
    import vcam.engine.hub

    _downloading(monkeypatch, fetched=KeyboardInterrupt())
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setattr("vcam.terminal.typed_on", lambda out: False)
    monkeypatch.setattr(vcam.engine.hub, "_hub_bars_off", lambda: bars_off)
    assert main(["download"]) == 130
    assert sys.stderr.writes == [f"{start}vcam: download stopped; the files it finished are kept: run `vcam "
                                 "download` again to fetch the rest\n"], sys.stderr.writes


def test_a_download_stopped_on_a_real_terminal_is_said_on_a_line_of_its_own(monkeypatch):
    """On a terminal commands could be typed on (stdin one too, 24 rows), the message ran on from the end of the
    hub's bar, left with no line end: "…210MB/s]vcam: download stopped". The row is not wiped there (it may hold
    what is being typed): a line end in the same write ends the bar's line."""
    import vcam.engine.hub

    def from_hub(spec, **kw):
        sys.stderr.write("model.safetensors:  45%|####5     | 4.5G/10.0G [00:21<00:26, 210MB/s]")
        sys.stderr.flush()
        raise KeyboardInterrupt

    _downloading(monkeypatch)
    monkeypatch.setattr(vcam.engine.hub, "from_hub", from_hub)
    with typed_on_pty(monkeypatch, 24) as pty:
        monkeypatch.setattr(sys, "stderr", pty.out)
        assert main(["download"]) == 130
        shown = pty.line_shown()
    assert shown.decode().endswith("210MB/s]\r\nvcam: download stopped; the files it finished are kept: run "
                                   "`vcam download` again to fetch the rest\r\n"), shown
