"""The fixes vcam's messages give work as typed: each `vcam SUBCOMMAND ...` line a message suggests names options that
subcommand has, with values its parser takes, and paths in quotes where a shell would split them; each typed command
a message suggests is one the console takes; each flag `--help` names is one the command it names has. A renamed
flag, or a message that says `--weights my weights`, fails here rather than in front of an operator."""
import argparse
import ast
import contextlib
import io
import re
import shlex
from pathlib import Path

import numpy as np
import pytest

import vcam
from vcam.cli import main
from vcam.cmdline.parser import _options, _subcommands, build_parser
from vcam.control import commands
from vcam.control.log import _not_a_log
from vcam.control.oscmap import load_map
from vcam.control.show import parse_show
from vcam.control.yamlproblems import ConfigError
from vcam.engine.memory import _flags, _smaller_sizes
from vcam.engine.weight_files import from_folder
from vcam.errors import VcamError, WeightsError
from vcam.live.pacer import Pacer, PacerSettings, block_outlasts_cap
from vcam.live.parts import midi_setup
from vcam.live.replaystart import replayed
from vcam.live.settings import RunOptions

TOP = build_parser()
OPERATORS = "();<>|&"  # a shell's, which end a command line
FIELD = "\x00"  # an f-string's field in its text: what it holds is not known, and ends a flag it follows
COMMANDS = {c.prog: c for c in _subcommands(TOP)}
# Words after a command that end it: the sentence going on ("vcam serve runs there with that --port")
PROSE = {"and", "or", "with", "to", "for", "then", "on", "in", "writes", "wrote", "was", "runs", "sends", "shares",
         "needs", "takes", "saved", "clients", "uses", "plays", "defaults", "would", "watch", "stream", "prints"}
# Flags of other programs that messages name (ffmpeg, docker, v4l2-ctl, pip), and those vcam's parser answers when
# typed (`--input` is said to be --in): none of them vcam's own
OTHER_PROGRAMS = {"--list-devices", "--device", "--input", "--output", "--outputs", "--framerate", "--frame-rate",
                  "--resolution", "--show", "--show-file",
                  "--force-reinstall", "--no-deps"}


def _words(text: str) -> list[str]:
    """`text`'s shell words from its start, as far as a shell could read them (prose may hold a lone apostrophe);
    a shell's operators (& ; | ( ) < >) as words of their own, as a shell splits them."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    words = []
    try:
        for word in lexer:
            words.append(word)
    except ValueError:  # an unclosed quote: the prose after the command
        pass
    return words


def _command(prog: str, words: list[str]) -> list[str]:
    """The arguments of `prog` at the start of `words`, up to where the sentence goes on: an option's value, the
    positional places the command has, then prose; a shell's operator ends it, as does a word ending in , . : ? or
    a backquote."""
    parser = COMMANDS[prog]
    valued = {o for a in parser._actions if a.nargs is None for o in a.option_strings}
    places = sum(1 for a in parser._actions if not a.option_strings)
    taken, wants_value = [], False
    for word in words:
        if not word.strip(OPERATORS) or (not wants_value and word in PROSE):  # `(add --log-controls ...)`
            break
        end = word[-1:] in (",", "`", ":", "?") or (word.endswith(".") and not word.endswith(".."))
        word = word.rstrip(",.`:?") if end else word
        if wants_value:
            wants_value = False
        elif word.startswith("-"):  # one it lacks is taken to have a value, which is said with it
            wants_value = "=" not in word and (word in valued or word not in _options(parser))
        elif places:
            places -= 1
        else:
            break
        taken.append(word)
        if end:
            break
    return taken


def command_lines(text: str) -> list[tuple[str, list[str]]]:
    """Every `vcam SUBCOMMAND ...` a message suggests, as (the subcommand, its arguments as shell words)."""
    found = []
    names = "|".join(sorted((p.split(" ", 1)[1] for p in COMMANDS), key=len, reverse=True))
    for m in re.finditer(rf"(?<![\w/-])vcam ({names})(?![\w-])", text):
        prog = f"vcam {m.group(1)}"
        found.append((prog, _command(prog, _words(text[m.end():]))))
    return found


def refused(prog: str, args: list[str]) -> str:
    """What `prog`'s parser says of `args` (its own arguments filled in where the message left them out), or ""
    where it takes them."""
    argv = prog.split()[1:] + args
    if prog == "vcam render" and "--out" not in args:
        argv += ["--out", "null"]
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            TOP.parse_args(argv)
    except SystemExit:
        return err.getvalue().strip().splitlines()[-1]
    return ""


def message_strings() -> list[tuple[str, int, str]]:
    """Every string in vcam's source but docstrings, as (file, line, text), an f-string's fields as FIELD."""
    root = Path(vcam.__file__).parent
    out = []
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body \
                    and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant):
                skip.add(id(node.body[0].value))
            if isinstance(node, ast.JoinedStr):
                skip.update(id(v) for v in node.values)
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.append((str(path.relative_to(root.parent)), node.lineno, node.value))
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value if isinstance(v, ast.Constant) else FIELD for v in node.values)
                out.append((str(path.relative_to(root.parent)), node.lineno, text))
    return out


def test_every_vcam_command_in_the_source_names_options_its_subcommand_has():
    """A message's `vcam run --replay LOG`, `vcam bench --tune --in`: each flag is that subcommand's."""
    checked, wrong = 0, []
    for path, line, text in message_strings():
        for prog, args in command_lines(text):
            checked += 1
            own = _options(COMMANDS[prog])
            wrong += [f"{path}:{line}: {prog} {flag}" for flag in (a.split("=", 1)[0].split(FIELD)[0] for a in args)
                      if flag.startswith("--") and flag != "--" and flag not in own]
    assert checked > 40  # the scan found the commands: it checks something
    assert wrong == []


def test_every_flag_a_message_names_is_one_vcam_has():
    """A flag renamed on the command line and left in a message (`--outputs`) is a fix that no longer works."""
    known = set().union(*(_options(c) for c in COMMANDS.values())) | _options(TOP) | OTHER_PROGRAMS
    wrong = [f"{path}:{line}: {flag}" for path, line, text in message_strings()
             for flag in re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text) if flag not in known]
    assert wrong == []


def test_a_renamed_flag_in_a_message_is_found():
    """The scans above fail where a message names a flag its subcommand lacks."""
    [(prog, args)] = command_lines("give the log: vcam render show.jsonl --output file:a.mp4, or stop")
    assert (prog, args) == ("vcam render", ["show.jsonl", "--output", "file:a.mp4"])
    assert "--output" not in _options(COMMANDS[prog])
    assert "unrecognized arguments" in refused(prog, args)
    assert "invalid choice" in refused("vcam run", ["--quant", "fp4"])


def suggests(text: str, prog: str, args: list[str]) -> bool:
    """Whether `text` suggests `prog` with `args`, which its parser takes (a message may name `prog` in prose
    too: "the lines vcam run --log-controls writes")."""
    assert refused(prog, args) == "", text
    return args in [a for p, a in command_lines(text) if p == prog]


def test_the_first_command_vcam_alone_suggests_parses(capsys):
    assert main([]) == 2
    assert suggests(capsys.readouterr().err, "vcam run", ["--model", "tiny", "--out", "file:show.mp4",
                                                          "--duration", "10"])


def test_a_show_file_given_as_a_log_is_said_with_its_path_in_quotes():
    assert suggests(_not_a_log("my show.yaml"), "vcam run", ["my show.yaml"])


def test_a_control_log_given_as_a_show_is_said_with_commands_that_replay_and_render_it(tmp_path):
    log = str(tmp_path / "take one.jsonl")
    with pytest.raises(ConfigError) as e:
        parse_show('{"vcam": {"model": "tiny"}}\n{"block": 0}\n', log)
    said = str(e.value)
    assert suggests(said, "vcam run", ["--replay", log])
    assert suggests(said, "vcam render", [log, "--out", "file:OUT.mp4"])


def test_a_log_replayed_and_logged_at_once_is_said_with_the_replay_as_typed(tmp_path):
    log = str(tmp_path / "take one.jsonl")
    with pytest.raises(VcamError) as e:
        replayed(RunOptions(replay=log, log_controls=str(tmp_path / "again.jsonl")), lambda line: None)
    assert suggests(e.value.fix, "vcam run", ["--replay", log])
    assert suggests(e.value.fix, "vcam render", [log])


def test_a_show_file_given_as_a_map_is_said_with_its_path_in_quotes(tmp_path):
    show = tmp_path / "my show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: a neon city}\n")
    with pytest.raises(ConfigError) as e:
        load_map(show)
    assert suggests(str(e.value), "vcam run", [str(show)])


def test_a_clip_given_as_a_show_is_said_as_the_input_flag_that_takes_it(tmp_path, capsys):
    clip = tmp_path / "my clip.mp4"
    clip.write_bytes(b"\0\0\0\x18ftypisom" + bytes(range(128, 256)))
    assert main(["check", str(clip)]) == 2
    assert suggests(capsys.readouterr().err, "vcam run", ["--in", f"file:{clip}"])


def test_a_weights_file_given_as_the_folder_is_said_with_the_folder_in_quotes(tmp_path):
    folder = tmp_path / "my weights"
    folder.mkdir()
    (folder / "krea.safetensors").write_bytes(b"")
    with pytest.raises(WeightsError) as e:
        from_folder(folder / "krea.safetensors")
    fix = e.value.fix.split(": ", 1)[1]
    assert refused("vcam run", shlex.split(fix)) == ""
    assert shlex.split(fix) == ["--weights", str(folder)]


def test_the_show_midi_port_a_server_leaves_is_said_as_the_camera_command_that_opens_it():
    show = parse_show("presets:\n  - {name: a, prompt: a neon city}\nmidi: {port: nanoKONTROL2 MIDI 1, "
                      "map: nanokontrol2}\n", "show.yaml")
    said = []
    midi_setup(RunOptions(serve=True), show, False, said.append)
    [line] = [s for s in said if "vcam cam" in s]
    assert suggests(line.replace("vcam cam …", "vcam cam ws://gpu:8765"), "vcam cam",
                    ["ws://gpu:8765", "--midi", "nanoKONTROL2 MIDI 1", "--midi-map", "MAP"])


@pytest.mark.parametrize("asked", [(832, 480), (480, 832)])
def test_the_smaller_sizes_a_full_card_is_offered_are_sizes_vcam_takes(asked):
    for w, h in _smaller_sizes(*asked):
        assert refused("vcam run", _flags((*asked, "none"), (w, h, "fp8")).split()) == ""


@pytest.mark.parametrize("fps,latency", [(1, 4.0), (30, 0.2), (30000 / 1001, 0.3)])
def test_the_latency_and_rate_a_slow_camera_is_offered_parse(fps, latency):
    said = block_outlasts_cap(fps, latency)
    [(latency, rate)] = re.findall(r"give --max-latency (\S+) .*, or --fps (\S+) or more$", said)
    assert refused("vcam run", ["--max-latency", latency]) == refused("vcam run", ["--fps", rate]) == ""


@pytest.mark.parametrize("fps,latency", [(30, 0.01), (240, 0.05), (1, 0.01)])
def test_a_latency_too_short_for_any_camera_rate_is_offered_only_a_latency_that_parses(fps, latency):
    """--max-latency 0.01 was told "or --fps 1300 or more", a rate --fps refuses (240 at most)."""
    said = block_outlasts_cap(fps, latency)
    offered = re.findall(r"(--max-latency|--fps) (\d\S*)", said.split(": give ", 1)[1])
    assert [flag for flag, _ in offered] == ["--max-latency"]
    assert all(refused("vcam run", [flag, value]) == "" for flag, value in offered)


def test_the_latency_a_link_that_bundles_blocks_is_offered_parses():
    now = [0.0]
    pacer = Pacer(PacerSettings(), clock=lambda: now[0])
    for k in range(20):  # blocks of 12 at 8 frames/s, sent four at a time
        now[0] = 6.0 * (k // 4 + 1) + 0.02 * (k % 4)
        pacer.push([np.zeros((2, 2, 3), np.uint8)] * 12)
    [latency] = re.findall(r"give --max-latency (\S+) to hold it", pacer.bundles_held() or "")
    assert refused("vcam cam", ["ws://gpu:8765", "--max-latency", latency]) == ""


def test_the_commands_the_console_suggests_for_words_it_lacks_are_its_own():
    """`pause` is answered "did you mean freeze?": each command a MEANT answer names is in the vocabulary, and one
    without a placeholder parses as written."""
    for answer in [*commands.MEANT.values(), *commands.MEANT_IN_FILES.values()]:
        for meant in re.findall(r"did you mean ([^?]+)\?", answer):
            for line in re.split(r", or |, | or ", re.sub(r" \([^)]*\)", "", meant)):
                if line.startswith("which "):  # what the command before does (quit, which ends the show)
                    continue
                assert line.split()[0] in commands.USAGE, answer
                if not re.search(r"\b[A-Z]+\b", line):
                    commands.parse(line)


def _help_flags(parser: argparse.ArgumentParser) -> list[tuple[str, str]]:
    """Each flag `parser`'s --help names, with the subcommand it names it of (`vcam bench --tune` in vcam run's)."""
    text = re.sub(r"\s+", " ", parser.format_help())
    names = "|".join(p.split(" ", 1)[1] for p in COMMANDS)
    found = []
    for m in re.finditer(r"(?<![\w-])--[a-z][a-z0-9-]*", text):
        # named right before it, past other flags of that command (`vcam run --log-controls FILE`)
        before = re.search(rf"vcam ({names})(?: --?[\w-]+| [A-Z][A-Z.]*)* $", text[max(0, m.start() - 80):m.start()])
        found.append((f"vcam {before.group(1)}" if before else parser.prog, m.group(0)))
    return found


def test_every_flag_a_help_names_is_an_option_of_the_command_it_names():
    """Its own, or the one named before it (`vcam bench --tune` in vcam run's); one it names alone (`the models
    --model takes` in vcam models') is another subcommand's."""
    every = set().union(*(_options(c) for c in COMMANDS.values()))
    wrong = [f"{parser.prog}: {prog} {flag}" for parser in [TOP, *COMMANDS.values()]
             for prog, flag in _help_flags(parser)
             if flag not in (_options(COMMANDS[prog]) if prog in COMMANDS else _options(TOP)) and
             (prog != parser.prog or flag not in every)]
    assert wrong == []


@pytest.mark.parametrize("columns", ["60", "70", "80", "100"])
def test_help_is_wrapped_at_spaces_so_a_flag_is_never_cut_at_its_hyphen(monkeypatch, columns):
    """`vcam cam --help` on an 80-column terminal wrapped `--midi-map` as `--midi-` and `map` on the next line."""
    monkeypatch.setenv("COLUMNS", columns)
    for parser in [TOP, *_subcommands(build_parser())]:
        assert not re.search(r"\w-\n", parser.format_help()), parser.prog


def test_every_extra_an_install_fix_names_is_one_the_package_has():
    """`pip install -e ".[midi]"` installs nothing where the extra is named otherwise in pyproject.toml: pip only
    warns that the package has no such extra."""
    import tomllib

    from vcam.cmdline.errorlines import EXTRAS, WHAT

    pyproject = Path(vcam.__file__).parent.parent / "pyproject.toml"
    extras = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    named = set(EXTRAS.values()) | set(WHAT)
    source = "\n".join(p.read_text(encoding="utf-8") for p in Path(vcam.__file__).parent.rglob("*.py"))
    named |= set(re.findall(r"""install_fix\(["'](\w+)["']""", source))
    assert {"engine", "midi"} <= named and named <= set(extras)


@pytest.mark.parametrize("why", ["missing token", "bad token"])
def test_a_token_refusal_gives_the_camera_command_with_the_address_as_typed(why):
    """An address holding a shell's & (a proxy's query) was said bare: the shell ran the command up to it."""
    from vcam.remote.client import CamOptions, _refusal

    url = "wss://proxy.example/vcam?room=a&b=1"
    assert suggests(_refusal(CamOptions(url=url), why).fix, "vcam cam", [url, "--token", "TOKEN"])


@pytest.mark.parametrize("host,token", [("127.0.0.1", "s"), ("::1", None), ("192.168.1.5", "s"), ("0.0.0.0", "s")])
def test_the_camera_commands_a_server_starts_with_parse(host, token):
    from vcam.remote.listen import advertise

    lines = [args for line in advertise(host, 8765, token) for prog, args in command_lines(line) if prog == "vcam cam"]
    assert lines
    for args in lines:
        assert refused("vcam cam", args) == ""
        assert ("--token" in args) == bool(token)


@pytest.mark.parametrize("windows", [False, True])
def test_the_show_midi_port_is_quoted_for_the_camera_machine_whichever_system_the_server_runs(monkeypatch, windows):
    """The line is typed on the camera's machine, often Windows (OBS's camera) while the server is Linux: single
    quotes, which cmd.exe keeps as part of the name, were chosen by the server's system."""
    import vcam.words

    monkeypatch.setattr(vcam.words.shell_word, "__defaults__", (windows,))  # the server's system
    show = parse_show("presets:\n  - {name: a, prompt: a neon city}\nmidi: {port: nanoKONTROL2 MIDI 1, "
                      "map: nanokontrol2}\n", "show.yaml")
    said = []
    midi_setup(RunOptions(serve=True), show, False, said.append)
    assert '--midi "nanoKONTROL2 MIDI 1" ' in "".join(said)


def test_a_live_output_given_to_render_is_said_as_the_run_command_that_plays_it():
    """`vcam render LOG --out 'vcam:OBS Virtual Camera'` is pointed to vcam run with that --out, as typed."""
    from vcam.live.render import _check_outputs

    with pytest.raises(VcamError) as e:
        _check_outputs(["vcam:OBS Virtual Camera"])
    assert suggests(e.value.fix, "vcam run", ["--replay", "LOG", "--out", "vcam:OBS Virtual Camera"])


@pytest.mark.parametrize("columns", ["1", "12", "16", "20"])
def test_help_on_a_narrow_terminal_keeps_each_flag_whole(monkeypatch, columns):
    """Below about 16 columns a flag longer than the help's width (--log-controls) was cut inside itself, not at a
    hyphen: it runs past the edge instead, whole."""
    def flags(parser: argparse.ArgumentParser) -> list[str]:
        return re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", parser.format_help())

    monkeypatch.setenv("COLUMNS", "300")
    wide = {p.prog: flags(p) for p in [TOP, *_subcommands(TOP)]}
    monkeypatch.setenv("COLUMNS", columns)
    assert {p.prog: flags(p) for p in [TOP, *_subcommands(TOP)]} == wide


@pytest.mark.parametrize("name, word", [("MIDI", "MIDI"), ("MIDI 1", '"MIDI 1"'), ("it's 1", '"it\'s 1"'),
                                        ("a,b", '"a,b"'), ("@home", '"@home"'), ("a&b", '"a&b"'),
                                        ("1.50", '"1.50"'), ("0x10", '"0x10"'), ("1kb", '"1kb"'), ("MIDI-1", "MIDI-1")])
def test_a_name_for_another_machine_is_written_as_sh_cmd_and_powershell_all_take_it(name, word):
    """PowerShell splits a bare a,b at its comma, reads a bare @home as a variable and a bare 1.50 as the number 1.5:
    those go in double quotes, which none of the three reads into where the name holds no $ ` \\ ! " or %."""
    from vcam.words import anywhere_word

    assert anywhere_word(name) == word and shlex.split(word) == [name]


@pytest.mark.parametrize("name", ["100%", "%PATH%", "MIDI %USERNAME% 1", "a $HOME b", "a`b", "wow!", 'say "hi"',
                                  "say \u201chi\u201d", "a\tb"])
def test_a_name_no_one_form_keeps_in_every_shell_is_not_promised_as_one(name):
    """cmd.exe expands %PATH% bare and inside double quotes alike, which sh and PowerShell keep: "100%" was given
    bare, as this system's shell took it, and the line named another port on a Windows camera machine."""
    from vcam.words import anywhere_word

    assert anywhere_word(name) is None


def test_a_show_midi_port_with_a_percent_is_given_to_the_camera_machine_by_a_part_of_its_name():
    from vcam.control.midi import find_port

    port = "Launch%Control XL 0"
    show = parse_show(f"presets:\n  - {{name: a, prompt: a neon city}}\nmidi: {{port: '{port}', "
                      "map: nanokontrol2}\n", "show.yaml")
    said = []
    midi_setup(RunOptions(serve=True), show, False, said.append)
    line = re.search(r"run vcam cam … (.*?) \(", "".join(said))[1]
    assert shlex.split(line) == ["--midi", "Control XL 0", "--midi-map", "MAP"] and "%" not in line
    assert "part of its name" in "".join(said) and "read its %" in "".join(said)
    assert find_port("Control XL 0", ["Launch Control", port]) == port  # --midi finds the port by that part


@pytest.mark.parametrize("port", ["Launch%Control XL 0", "MIDI %1", "Port%1 nanoKEY"])
def test_the_part_of_a_port_name_given_to_the_camera_machine_opens_that_port_not_midi_through(port):
    """MIDI %1 was given as --midi MIDI, which on a Linux camera machine opened Midi Through, listed first."""
    from vcam.control.midi import ALWAYS_THERE, find_port

    show = parse_show(f"presets:\n  - {{name: a, prompt: a neon city}}\nmidi: {{port: '{port}', "
                      "map: nanokontrol2}\n", "show.yaml")
    said = []
    midi_setup(RunOptions(serve=True), show, False, said.append)
    [midi, wanted, *_] = shlex.split(re.search(r"run vcam cam … (.*?) \(", "".join(said))[1])
    assert midi == "--midi" and find_port(wanted, [*ALWAYS_THERE, port]) == port, said


def test_every_modprobe_line_that_makes_several_devices_gives_each_its_exclusive_caps():
    """v4l2loopback's exclusive_caps takes one value per device: `devices=2 video_nr=10,11 exclusive_caps=1` leaves
    the second without it, and Chrome, Zoom and OBS's browser source never list that camera."""
    readme = Path(vcam.__file__).parent.parent / "README.md"
    texts = [text for _, _, text in message_strings()] + [readme.read_text(encoding="utf-8")]
    wrong, seen = [], 0
    for text in texts:
        for m in re.finditer(r"devices=(\d+) video_nr=([\d,]+)", text):
            seen += 1
            rest = re.split(r"[\n`)]", text[m.end():], maxsplit=1)[0]  # the rest of that modprobe line
            caps = re.search(r"exclusive_caps=([\d,]+)", rest)
            counts = {int(m.group(1)), len(m.group(2).split(",")), len(caps.group(1).split(",")) if caps else 0}
            if len(counts) > 1:
                wrong.append(m.group(0) + rest)
    assert seen >= 5  # the module's load line and the fixes for a device of vcam's own, here and in README
    assert wrong == []


def test_the_prompt_help_says_what_plays_with_neither_a_prompt_nor_a_show():
    """`vcam run --model tiny` alone plays a prompt of vcam's own, which --prompt's help names."""
    from vcam.live.settings import DEFAULT_PROMPT, resolve

    cfg = resolve(RunOptions(), None, {}, (112, 64), own_size_only=True)
    assert dict(cfg.prompts) == {DEFAULT_PROMPT: 1.0}
    text = re.sub(r"\s+", " ", COMMANDS["vcam run"].format_help())
    said = re.search(r"--prompt PROMPT (.*?) --seed", text).group(1)
    assert "with no show" in said and "neon-lit city street at night" in said
    assert "neon-lit city street at night" in DEFAULT_PROMPT
