"""The README against the code: the defaults, ranges, names and lists it states are read from its text and compared
with the values the code uses, so that neither can change without the other."""
import argparse
import re
from pathlib import Path

import pytest

from vcam.cmdline.parser import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FLAT = re.sub(r"\s+", " ", README)  # a phrase may be wrapped over two lines


def section(heading: str) -> str:
    """The README's text under `heading` (a line of its own), up to the next heading of that level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    start = README.index("\n" + heading + "\n") + len(heading) + 2
    end = re.search(rf"^#{{1,{level}}} ", README[start:], re.MULTILINE)
    return README[start:start + end.start()] if end else README[start:]


def subcommands(parser: argparse.ArgumentParser, prefix: str = "vcam") -> dict[str, argparse.ArgumentParser]:
    """Every innermost subcommand by its whole name (`vcam midi learn`, not `vcam midi`)."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.update(subcommands(sub, f"{prefix} {name}") or {f"{prefix} {name}": sub})
    return found


def test_all_commands_section_names_every_subcommand():
    """"## All commands" names each subcommand the parser has, and none it lacks."""
    text = section("## All commands")
    named = set(re.findall(r"`(vcam (?:midi )?[a-z]+)", text)) - {"vcam COMMAND"}
    assert named == set(subcommands(build_parser()))


def test_every_option_of_every_subcommand_is_in_the_readme():
    """A flag added to a subcommand is named somewhere in the README (where its part of the show is told)."""
    missing = [f"{name} {option}" for name, sub in subcommands(build_parser()).items()
               for action in sub._actions for option in action.option_strings
               if option.startswith("--") and option != "--help"
               and not re.search(re.escape(option) + r"(?![\w-])", README)]
    assert not missing, "options the README never names: " + ", ".join(missing)


def test_commands_table_lists_every_typed_command():
    """The **Commands** table has a row naming each command the console takes (its `help` list), and no other."""
    from vcam.control.commands import USAGE

    table = README[README.index("| command | |"):]
    table = table[:table.index("\n\n")]
    named = {word for row in table.splitlines()[2:]
             for word in re.findall(r"`([a-z]+)", re.split(r"(?<!\\)\|", row)[1])}
    assert named == set(USAGE)


def test_run_defaults_are_the_readmes():
    """--steps, --transition, --fps, --fit, --strength, --in-fit and --target-fps as the README gives them."""
    from vcam.inspec import DEFAULT_STRENGTH, INPUT_FITS
    from vcam.live.settings import DEFAULT_TARGET_FPS, RunOptions, resolve

    settings = resolve(RunOptions(), None, {}, (112, 64))
    assert f"`--steps` ({settings.steps})" in FLAT
    assert f"`--transition` (blocks over which a prompt change blends in, {settings.transition})" in FLAT
    assert f"a steady `--fps` ({settings.fps:g};" in FLAT
    fit = next(a for a in subcommands(build_parser())["vcam run"]._actions if a.dest == "fit")
    assert f"`--fit {'|'.join(fit.choices)}`" in FLAT and settings.fit == fit.choices[0]
    assert f"`--strength X` is {DEFAULT_STRENGTH:g} by default" in FLAT
    assert f"`--in-fit {'|'.join(INPUT_FITS)}` ({INPUT_FITS[0]} by default)" in FLAT
    assert f"`--target-fps N` generated frames a second ({DEFAULT_TARGET_FPS:g})" in FLAT


def test_serve_and_cam_defaults_are_the_readmes():
    """vcam serve's address and port, and vcam cam's output size, as the README says them."""
    from vcam.remote.client import DEFAULT_SIZE

    serve = subcommands(build_parser())["vcam serve"]
    host, port = (serve.get_default(name) for name in ("host", "port"))
    assert f"listens on {host}:{port} (--port for another)" in FLAT
    assert f"`ws://HOST` without a port goes to {port} too" in FLAT
    width, height = DEFAULT_SIZE
    assert f"at `--size`, {width}×{height} unless given" in FLAT
    cam = subcommands(build_parser())["vcam cam"]
    assert f"(default {width}x{height})" in next(a.help for a in cam._actions if a.dest == "size")


def test_size_rule_is_the_readmes():
    from vcam.sizes import MAX_SIDE, PATCH

    assert f"`--size WxH` (any multiple of {PATCH} up to {MAX_SIDE} a side, portrait too)" in FLAT


def test_tempo_and_bias_ranges_are_the_readmes():
    from vcam.control.commands import MAX_BPM, MIN_BPM
    from vcam.control.faders import PARAMS

    assert f"(`bpm: 124`, {MIN_BPM:g} to {MAX_BPM:g}, as the command takes)" in FLAT
    low, high, _ = PARAMS["bias"]
    assert f"a knob with `param: bias`, range {low:g} to {high:g}" in FLAT


def test_shipped_maps_are_the_readmes():
    """The maps --midi-map and --osc-map name are the files presets/midi and presets/osc ship, and the help says
    the same."""
    midi = sorted(p.stem for p in (ROOT / "presets" / "midi").glob("*.yaml"))
    osc = sorted(p.stem for p in (ROOT / "presets" / "osc").glob("*.yaml"))
    said = re.search(r"`--midi-map ([\w|-]+)\|FILE`", FLAT).group(1).split("|")
    assert sorted(said) == midi
    assert re.search(r"`--osc-map ([\w|-]+)\|FILE`", FLAT).group(1).split("|") == osc
    run = subcommands(build_parser())["vcam run"]
    helps = {a.dest: a.help for a in run._actions}
    assert all(name in helps["midi_map"] for name in midi) and all(name in helps["osc_map"] for name in osc)


def _value(where: str):
    import importlib

    module, name = where.split(":")
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize("phrase, value", [
    ("holds {:g} s of frames", lambda: _value("vcam.live.outputs.worker:RECORDING_QUEUE_SECONDS")),
    ("(at most {:g} MB of them", lambda: _value("vcam.live.outputs.worker:RECORDING_QUEUE_BYTES") / 2**20),
    ("a disk with less than {:g} kB free", lambda: _value("vcam.live.outputs.recording:FULL_BELOW") / 1000),
    ("the window waits for it ({:g} s at most", lambda: _value("vcam.live.outputs.preview:PROBE_TIMEOUT")),
    ("Several clients (up to {:g}) may watch at once",
     lambda: _value("vcam.remote.server:ServeSettings")().max_clients),
    ("(a laptop gone to sleep) is disconnected after {:g} s",
     lambda: _value("vcam.remote.server:ServeSettings")().stall_timeout),
    ("more than {:g} % faster", lambda: round((_value("vcam.bench.tuning:MEANINGFUL_GAIN") - 1) * 100)),
    ("`--blocks N` times N blocks (8; at most {:g})", lambda: _value("vcam.cmdline.parser:MAX_BENCH_BLOCKS")),
    ("`--warmup N` untimed ones (3; at most {:g})", lambda: _value("vcam.cmdline.parser:MAX_BENCH_BLOCKS")),
    ("its prompt cut to fit {:g} columns", lambda: _value("vcam.control.presetlines:SUMMARY_COLUMNS")),
    ("each address acts at most every {:g} ms", lambda: _value("vcam.control.oscinput:MIN_GAP_S") * 1000),
    ("past {:g} at once, then 50 a second", lambda: _value("vcam.control.oscinput:PRESS_BURST")),
    ("past 16 at once, then {:g} a second", lambda: 1 / _value("vcam.control.oscinput:MIN_GAP_S")),
    ("(up to {:g}, the least recently heard dropped", lambda: _value("vcam.control.oscreply:MAX_TARGETS")),
    ("one whose sends have failed for {:g} s is dropped", lambda: _value("vcam.control.oscreply:DROP_S")),
    ("at that time for one up to {:g} s ahead", lambda: _value("vcam.control.osctimed:MAX_AHEAD_S")),
    ("tapped on the beat {:g} times or more", lambda: _value("vcam.control.tempo:TAPS_NEEDED")),
    ("A clock that goes quiet for {:g} s hands back", lambda: _value("vcam.control.tempo:QUIET_S")),
    ("MIDI clock on the `--midi` input ({:g} ticks a beat", lambda: _value("vcam.control.midiclock:TICKS_PER_BEAT")),
    ("over {:g} megapixels (a 20000x20000 PNG", lambda: _value("vcam.live.frames:HUGE_PIXELS") / 1e6),
    ("up to {:g} GiB and not interlaced", lambda: _value("vcam.live.inputs.clip:COUNT_PACKETS_BYTES") / 2**30),
    ("within {:g}% of the show's rate", lambda: _value("vcam.live.inputs.clip:RATE_MATCH") * 100),
    ("has not opened within {:g} minutes", lambda: _value("vcam.live.inputs.clip:OFFLINE_WAIT_S") / 60),
])
def test_stated_limits_are_the_codes(phrase, value):
    """Limits a user plans around, each said in the README as the code has it."""
    assert phrase.format(value()) in FLAT


def test_size_ladder_is_the_readmes():
    """The sizes `vcam run` picks among for --target-fps, largest first, as "The size follows the card" lists them."""
    from vcam.bench.live_size import LIVE_SIZES

    said = [f"{w}×{h}" for w, h in LIVE_SIZES]
    assert f"take the largest of {', '.join(said[:-1])} and {said[-1]} that makes" in FLAT


def test_install_section_is_the_packages():
    """The Python versions and what each extra brings, as pyproject.toml has them."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    low, high = re.fullmatch(r">=3\.(\d+),<3\.(\d+)", project["requires-python"]).groups()
    assert f"Python 3.{low} to 3.{int(high) - 1}." in FLAT
    extras = {name: {re.match(r"[\w-]+", req).group().lower() for req in reqs}
              for name, reqs in project["optional-dependencies"].items()}
    assert f"pip install -e \".[{','.join(extras)}]\"" in FLAT
    said = {"engine": "`engine` brings PyTorch, diffusers and transformers", "fp8": "`fp8` brings torchao",
            "midi": "`midi` brings mido and python-rtmidi", "osc": "`osc` brings python-osc",
            "link": "`link` brings aalink"}
    packages = {"engine": {"torch", "diffusers", "transformers"}, "fp8": {"torchao"},
                "midi": {"mido", "python-rtmidi"}, "osc": {"python-osc"}, "link": {"aalink"}}
    for extra, phrase in said.items():
        assert phrase in FLAT and packages[extra] <= extras[extra], extra
    torchao = next(req for req in project["optional-dependencies"]["fp8"] if req.startswith("torchao"))
    assert f"which brings torchao {torchao.split('>=')[1]} or newer" in FLAT


# Presets the README's map, cue and OSC examples name, for a show to hold them in
EXAMPLE_PRESETS = "presets:\n  - {name: neon city, prompt: a}\n  - {name: ocean, prompt: b}\n" \
                  "  - {name: dusk forest, prompt: c}\n"


def readme_yaml() -> list[str]:
    return re.findall(r"```yaml\n(.*?)```", README, re.S)


def test_readme_show_example_loads(tmp_path):
    """The show file the README gives (its fallback image beside it) is one vcam reads, with what its comments say."""
    from vcam.control.show import load_show

    text = next(block for block in readme_yaml() if block.startswith("name: "))
    import cv2
    import numpy as np

    cv2.imwrite(str(tmp_path / "fallback.png"), np.zeros((48, 64, 3), np.uint8))
    (tmp_path / "show.yaml").write_text(text, encoding="utf-8")
    show = load_show(tmp_path / "show.yaml")
    assert [p.name for p in show.presets] == ["neon city", "dusk forest"]
    assert show.defaults.bpm == 124 and show.presets[1].seed == 7 and show.midi_port == "nano"


@pytest.mark.parametrize("first", ["controls:", "cues:", "osc:\n  map:", "osc:\n  controls:"])
def test_readme_map_cue_and_osc_examples_load(tmp_path, first):
    """Each MIDI map, cue list and OSC section the README shows is valid in a show whose presets it names."""
    from vcam.control.show import load_show

    block = next(b for b in readme_yaml() if b.startswith(first))
    text = EXAMPLE_PRESETS + ("midi:\n" + "".join(f"  {line}\n" for line in block.splitlines())
                              if first == "controls:" else block)
    (tmp_path / "show.yaml").write_text(text, encoding="utf-8")
    show = load_show(tmp_path / "show.yaml")
    assert show.midi is not None or show.cues or show.osc is not None


def test_readme_curves_are_the_codes():
    from vcam.control.faders import CURVES

    assert f"# curve: {', '.join(CURVES[:-1])} or {CURVES[-1]}" in FLAT


def test_duration_forms_are_the_codes():
    """Each length of time the README gives `--duration` is taken, as the length it names."""
    from vcam.argtypes import duration

    forms = re.search(r"`--duration SECONDS` \(or (.*?) for a minute and a half\)", FLAT)[1]
    taken = {form: duration(form.strip('"')) for form in re.findall(r"`([^`]+)`", forms)}
    assert taken == {"10m": 600, "1h": 3600, "1h30m": 5400, '"1h 30m"': 5400, "1:30": 90}


def test_a_stop_while_the_model_loads_is_the_readmes():
    """The line a show stopped while loading says, and its exit codes: Ctrl-C's 130, a service's stop 0."""
    import signal

    from vcam.live.run import _stopped_loading

    said: list[str] = []
    assert _stopped_loading(signal.SIGINT, 0, said.append, recorded=True) == 130
    assert f"(`{said[0]}`): Ctrl-C then exits 130" in FLAT
    assert _stopped_loading(signal.SIGTERM, 0, said.append, recorded=True) == 0
    assert "SIGTERM and SIGHUP, a service's stop, keep exit code 0" in FLAT


def test_a_controller_on_the_wrong_channel_is_said_once_as_the_readme_says():
    """The README promised each control's first message on a wrong channel a line; vcam says it once for the
    controller (a channel setting is the controller's), and the operator waited for lines that never came."""
    import mido

    from test_midi_router import server_controller
    from vcam.control.midi import MidiRouter
    from vcam.control.midimap import load_map

    router = MidiRouter(load_map(ROOT / "presets" / "midi" / "nanokontrol2.yaml"), server_controller())
    said = [router.handle(mido.Message("control_change", control=c, value=5, channel=1)) for c in (16, 17, 41)]
    assert [bool(s) for s in said] == [True, False, False], said
    assert said[0].startswith("MIDI: cc 16 came on channel 2, but the map listens for it on channel 1 only "
                              "(nanokontrol2.yaml line ")
    assert "so it does nothing; if it is meant to act, set the controller to send on channel 1" in said[0]
    assert ("the first control to come on that channel says so, once for the whole controller (not again for each "
            "knob and button that follows it there), with the channel it came on, the one to set the controller to, "
            "and the map's file and line") in FLAT


def test_the_repair_of_a_cached_file_cut_short_is_the_readmes(tmp_path):
    """The README said vcam deletes no file in the hub cache it did not write, while a file held cut short is removed
    to be fetched again: what it removes, and what it never does, as the code does."""
    import io
    import os
    from types import SimpleNamespace

    from vcam.engine import hub

    blobs = tmp_path / "models--a--b" / "blobs"
    store = tmp_path / "blobs" / "ab" / ("ab" * 32)
    snap = tmp_path / "models--a--b" / "snapshots" / "0"
    for folder in (blobs, store.parent, snap):
        folder.mkdir(parents=True)
    store.write_bytes(b"x" * 10)
    (blobs / "e1").symlink_to(os.path.relpath(store, blobs))
    (snap / "short").symlink_to("../../blobs/e1")
    (blobs / "e2").write_bytes(b"x" * 10)
    (snap / "long").symlink_to("../../blobs/e2")

    def cut(name: str, size: int) -> bool:
        info = SimpleNamespace(filename=name, local_path=str(snap / name))
        return hub._cut_short("a/b", info, size, tmp_path, io.StringIO())

    assert not cut("long", 5) and (blobs / "e2").read_bytes() == b"x" * 10
    assert cut("short", 20) and not os.path.lexists(blobs / "e1") and store.read_bytes() == b"x" * 10
    assert "vcam deletes none it did not write" not in FLAT
    assert ("A file the cache holds cut short (smaller than the hub says it is: a full disk, a crash) is removed at "
            "the next download and fetched again, its snapshot link and the repo's blob only (huggingface_hub 2.4's "
            "store of Xet files that all repos share replaces its own); one the same size or larger is never "
            "removed") in FLAT
