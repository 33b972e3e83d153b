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
from vcam.control.show import Show, load_show
from vcam.control.tempo import Tempo
from vcam.live.settings import RunOptions, resolve

ROOT = Path(__file__).resolve().parent.parent
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


@pytest.mark.parametrize("path", STARTERS, ids=lambda p: p.name)
def test_starting_shows_say_how_to_run_them(path):
    text = path.read_text(encoding="utf-8")
    assert f"vcam run presets/{path.name}" in text
    assert "--model tiny" in text  # a way to try it on a machine without a GPU


def test_readme_lists_every_show_in_presets():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `presets/([\w.-]+\.yaml)` \|", readme, re.MULTILINE))
    assert listed == {p.name for p in SHOWS}
