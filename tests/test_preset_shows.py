"""The show files in presets/: each loads and passes `vcam check`, each of its presets and cues is taken by a running
show's controller without an error, and README's table lists exactly the shows there are."""
import re
import threading
from pathlib import Path

import pytest

from helpers import RecordingProducer
from vcam.cli import main
from vcam.control.commands import quantum_beats
from vcam.control.controller import Controller, ShowState
from vcam.control.cues import CueList
from vcam.control.show import Show, load_show, parse_show
from vcam.control.yamlproblems import ConfigError
from vcam.control.tempo import Tempo
from vcam.live.settings import RunOptions, resolve

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "presets" / "example.yaml"
SHOWS = sorted((ROOT / "presets").glob("*.yaml"))
# The shows a new user starts from; example.yaml is the annotated reference of the format
STARTERS = [p for p in SHOWS if p.name != "example.yaml"]
# Krea's model follows long, concrete prompts; under this it tends to drift, and the text encoder reads 512 tokens
MIN_WORDS, MAX_WORDS = 40, 200


class Clock:
    def __init__(self, t: float = 1000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def controller(show: Show, said: list[str]) -> Controller:
    """The controller a run of `show` starts with (its starting state as vcam run resolves it), with a tempo, the
    show's cue list, and changes on the beat landing on the next block once a tempo exists."""
    clock = Clock()
    tempo = Tempo(clock=clock)
    producer = RecordingProducer()
    cfg = resolve(RunOptions(show=show.path), show, {}, (112, 64), own_size_only=True)
    state = ShowState(prompts=dict(cfg.prompts), preset=cfg.preset, seed=cfg.seed, steps=cfg.steps,
                      transition=cfg.transition, input=cfg.input, strength=cfg.strength, bias=cfg.bias)

    def land(spec: str) -> int | None:
        boundary = tempo.next_boundary(quantum_beats(spec, tempo.beats_per_bar))
        return None if boundary is None else producer.blocks + 1

    ctl = Controller(show, state, producer, threading.Event(), said.append, tempo=tempo, land=land, clock=clock)
    ctl.cues = CueList(show.cues, ctl.handle_line, said.append, clock=clock, tempo=tempo)
    return ctl


def test_the_starting_shows_are_there():
    assert {p.name for p in STARTERS} >= {"club.yaml", "restyle-camera.yaml", "ambient.yaml"}


@pytest.mark.parametrize("path", SHOWS, ids=lambda p: p.name)
def test_each_show_loads_and_passes_vcam_check(path, capsys):
    show = load_show(path)
    assert show.presets and all(sum(p.prompts.values()) > 0 for p in show.presets)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("ok") and f"{len(show.presets)} presets" in out


@pytest.mark.parametrize("path", SHOWS, ids=lambda p: p.name)
def test_vcam_check_tells_each_preset_s_prompt_apart_in_100_columns(path, capsys):
    """restyle-camera.yaml's prompts all open with the webcam's picture: cut to their first 50 characters, its six
    presets read alike."""
    show = load_show(path)
    assert main(["check", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    presets = [line for line in lines[:len(show.presets) + 8] if re.match(r" +\d+\. ", line)][:len(show.presets)]
    assert all(len(line) <= 100 for line in presets), presets
    prompts = [re.sub(r"(, (seed|transition|input|strength|bias) \S+)+$", "", line.split(": ", 1)[1])
               for line in presets]
    assert len(set(prompts)) == len({tuple(p.prompts.items()) for p in show.presets}), prompts


@pytest.mark.parametrize("path", SHOWS, ids=lambda p: p.name)
def test_every_preset_and_cue_is_taken_without_an_error(path):
    show = load_show(path)
    said: list[str] = []
    ctl = controller(show, said)
    for number in range(1, len(show.presets) + 1):
        answer = ctl.handle_line(f"preset {number}", "stdin")
        assert answer and not answer.startswith("error"), (number, answer)
    for _ in show.cues:
        answer = ctl.cues.go()
        assert answer.startswith("cue ") and "error" not in answer, answer
    assert ctl.cues.position == len(show.cues)
    assert not [line for line in said if "error" in line], said


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.name)
def test_a_show_whose_changes_wait_for_the_beat_starts_with_a_tempo_of_its_own(path):
    """Its defaults give the tempo: a cue that sets one sets it again whenever `back` fires it, over a tempo
    tapped since."""
    show = load_show(path)
    if show.defaults.quantize == "off":
        return
    ctl = controller(show, [])
    assert show.defaults.bpm is not None and ctl.tempo.bpm == show.defaults.bpm
    assert not [line for cue in show.cues for line in cue.do if line.startswith("bpm")]


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.name)
def test_starting_shows_write_prompts_the_way_the_model_wants(path):
    show = load_show(path)
    for preset in show.presets:
        for text in preset.prompts:
            assert MIN_WORDS <= len(text.split()) <= MAX_WORDS, (preset.name, len(text.split()))


@pytest.mark.parametrize("path", SHOWS, ids=lambda p: p.name)
def test_shipped_shows_say_how_to_play_them_by_name_and_as_a_copy(path, tmp_path, monkeypatch):
    """Their header's lines named presets/NAME.yaml, which is only there in a checkout's own folder; installed with
    pip a show plays by its name alone, in any folder, and a copy of it in the current folder is played instead."""
    from vcam.control.shipped import show_file

    text = path.read_text(encoding="utf-8")
    header = text[:text.index("\n\n")]
    commands = re.findall(r"^#   vcam (?:run|check) (\S+)", header, re.MULTILINE)
    assert commands and set(commands) == {path.stem}, commands
    monkeypatch.chdir(tmp_path)
    assert Path(show_file(path.stem)) == path  # the name finds this file from another folder
    assert f"`vcam check {path.stem}` prints" in header  # where the file is, to copy it
    copy = "my-show.yaml" if path.stem == "example" else f"{path.stem}.yaml"
    assert f"into your folder as {copy}" in header
    assert "presets/" not in header
    assert "--model tiny" in header  # a way to try it on a machine without a GPU


def test_readme_lists_every_show_in_presets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `presets/([\w.-]+\.yaml)` \|", readme, re.MULTILINE))
    assert listed == {p.name for p in SHOWS}


# Where show.py reads each kind of mapping, as (the section of example.yaml that documents it, a show with a key
# no version will take written there): the keys come from the reader's own "known keys" list, so a key added to
# the format fails here until example.yaml names it
PRESET = "presets:\n  - {name: a, prompt: b}\n"
SECTIONS = {
    "show": ("", "zzz: 1\n" + PRESET),
    "defaults": ("defaults", "defaults: {zzz: 1}\n" + PRESET),
    "output": ("output", "output: {zzz: 1}\n" + PRESET),
    "preset": ("presets", "presets:\n  - {name: a, prompt: b, zzz: 1}\n"),
    "weighted prompt": ("presets", "presets:\n  - {name: a, prompts: [{text: b, zzz: 1}]}\n"),
    "cue": ("cues", PRESET + "cues:\n  - {do: next, zzz: 1}\n"),
    "cue at": ("cues", PRESET + "cues:\n  - {do: next, at: {zzz: 1}}\n"),
    "midi": ("midi", PRESET + "midi: {zzz: 1}\n"),
    "midi control": ("midi", PRESET + "midi: {controls: [{zzz: 1}]}\n"),
    "osc": ("osc", PRESET + "osc: {zzz: 1}\n"),
    "osc control": ("osc", PRESET + "osc: {controls: [{address: /a, zzz: 1}]}\n"),
}


def known_keys(text: str) -> list[str]:
    """The keys show.py lists as known where `text` gives the unknown key zzz."""
    with pytest.raises(ConfigError) as err:
        parse_show(text, "show.yaml")
    (problem,) = [p for p in err.value.problems if "unknown key 'zzz'" in p]
    return re.search(r"known keys: (.*)$", problem).group(1).split(", ")


def example_sections() -> dict[str, str]:
    """example.yaml's text under each top-level key, comments included, by key ("": the keys at the top level,
    given or commented out)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    parts = re.split(r"^([a-z_]+):", text, flags=re.MULTILINE)
    sections = {key: body for key, body in zip(parts[1::2], parts[2::2])}
    sections[""] = "\n".join(re.findall(r"^#? ?[a-z_]+:", text, re.MULTILINE))
    return sections


def names_key(text: str, key: str) -> bool:
    """Whether `text` writes `key:` as a YAML key, given or in a comment: at a line's start (after a # or a -), or
    in a {…} mapping; not a word that happens to end a sentence in a colon."""
    return re.search(rf"(?:^[ \t]*(?:#[ \t]*)?(?:-[ \t]+)?|[{{,][ \t]*){re.escape(key)}:", text, re.MULTILINE) \
        is not None


@pytest.mark.parametrize("what", SECTIONS)
def test_the_example_names_every_key_the_format_takes(what):
    """example.yaml is the reference a new user reads first: each key a show file takes is written there, in the
    section it belongs to, given or commented out, with what it does."""
    section, show = SECTIONS[what]
    keys = known_keys(show)
    assert keys and "zzz" not in keys
    text = example_sections()[section]
    assert [key for key in keys if not names_key(text, key)] == [], f"example.yaml's {section or 'top level'}"


def test_the_key_check_sees_a_key_left_out():
    text = example_sections()["defaults"]
    assert names_key(text, "bpm") and names_key(text, "fallback") and names_key("  {cc: 1, range: [0, 1]}", "range")
    assert not names_key(text.replace("bpm:", "tempo:"), "bpm")
    assert not names_key("the tempo as in defaults: here", "defaults")


# example.yaml's commented-out entries that stand alone (a map's controls, a pad, program change): what a new user
# uncomments, one at a time
COMMENTED_ENTRIES = re.findall(r"^([ \t]*)# (- \{.*\})", EXAMPLE.read_text(encoding="utf-8"), re.MULTILINE)


@pytest.mark.parametrize("indent,entry", COMMENTED_ENTRIES, ids=[e for _, e in COMMENTED_ENTRIES])
def test_an_entry_the_example_leaves_commented_out_loads_once_uncommented(indent, entry):
    """The example's header says to remove the # to use a commented key: each such control, uncommented, loads,
    and takes none of the buttons the show had (a 14-bit knob's fine half on a map's button replaced it)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    before = load_show(EXAMPLE)
    after = parse_show(text.replace(f"{indent}# {entry}", f"{indent}{entry}", 1), str(EXAMPLE))
    def acting(show: Show) -> set:
        return {(b.cc, b.note, b.channel, str(b.command)) for b in show.midi.acting()[1]}

    assert acting(before) <= acting(after)


def test_the_example_gives_each_knob_parameter_its_own_range():
    """A knob's range: must lie within its parameter's own, which differs from the typed command's (steps 1 to 50
    typed, 1 to 8 on a knob): the example names each, as a map's range is checked against it."""
    from vcam.control.faders import PARAMS

    text = re.sub(r"\s*#\s*", " ", example_sections()["midi"])
    for param, (lo, hi, _) in PARAMS.items():
        assert f"{param} ({lo:.10g} to {hi:.10g})" in text, param
