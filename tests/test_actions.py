"""Actions as data: their log form, applying them, the actions each command makes, replaying a log of them."""
import ast
import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import RecordingProducer, wait_for
from vcam.control.actions import (STREAM_ACTIONS, Origin, Quit, Reset, SetInput, SetPrompts, SetScreen, SetSeed,
                                  SetSteps, SetStrength, SetTempo, SetTransition, apply, from_dict)
from vcam.control.controller import Controller, ShowState
from vcam.control.log import ControlLog, read_replay
from vcam.control.protocol import Shown
from vcam.control.show import parse_show
from vcam.live.screen import Screen

ALL = [SetPrompts({"a city": 0.25, "the sea": 0.75}, 3), SetSeed(2**40), SetSteps(2), SetTransition(0), Reset(),
       SetStrength(0.35), SetStrength(1.0), SetInput("file:/clips/walk.mp4"), SetInput("camera:1"), SetInput("none"),
       SetScreen("freeze"), SetScreen("blackout"), SetScreen("live"), Quit(), SetTempo(128.0), SetTempo(87.5, -3.25),
       SetTempo(600.0, 16.0, running=False)]


@pytest.mark.parametrize("action", ALL, ids=lambda a: type(a).__name__)
def test_every_action_survives_its_dict_form_and_json(action):
    assert from_dict(action.to_dict()) == action
    assert from_dict(json.loads(json.dumps(action.to_dict()))) == action


def test_the_dict_form_is_the_one_logs_have_always_had():
    assert SetPrompts({"x": 1.0}, 2).to_dict() == {"op": "prompt", "prompts": {"x": 1.0}, "transition": 2}
    assert SetSeed(7).to_dict() == {"op": "seed", "seed": 7}
    assert SetSteps(3).to_dict() == {"op": "steps", "steps": 3}
    assert SetTransition(5).to_dict() == {"op": "transition", "blocks": 5}
    assert Reset().to_dict() == {"op": "reset"}
    assert SetScreen("freeze").to_dict() == {"op": "screen", "mode": "freeze"}
    assert Quit().to_dict() == {"op": "quit"}
    assert SetStrength(0.4).to_dict() == {"op": "strength", "strength": 0.4}
    assert SetInput("file:clip.mp4").to_dict() == {"op": "input", "spec": "file:clip.mp4"}


def test_strength_and_input_are_stream_actions_and_their_logged_forms_are_read_back():
    assert SetStrength in STREAM_ACTIONS and SetInput in STREAM_ACTIONS
    assert from_dict({"op": "strength", "strength": 1}) == SetStrength(1.0)
    assert from_dict({"op": "input", "spec": "Camera:0"}) == SetInput("camera:0")  # kept in the canonical form


@pytest.mark.parametrize("d,fragment", [
    ({"op": "warp"}, "unknown action 'warp'"),
    ({"seed": 3}, "an action's op must be its name (one of prompt, seed, steps"),
    ({"op": ["seed"]}, "op must be its name"),  # a TypeError (unhashable), not a ValueError
    (["op", "seed"], "not list"),
    ({"op": "seed"}, "seed: missing seed"),
    ({"op": "prompt", "prompts": {"x": 1.0}}, "prompt: missing transition"),
    ({"op": "seed", "seed": "7"}, "seed must be a whole number, not '7'"),
    ({"op": "seed", "seed": True}, "seed must be a whole number"),
    ({"op": "steps", "steps": 99}, "steps 99 is out of range (1 to 50)"),
    ({"op": "transition", "blocks": 1.5}, "blocks must be a whole number"),
    ({"op": "prompt", "prompts": "x", "transition": 1}, "prompts must be a non-empty mapping"),
    ({"op": "prompt", "prompts": {"x": "heavy"}, "transition": 1}, "the weight of 'x' must be a number"),
    ({"op": "prompt", "prompts": {"x": -1.0, "y": 2.0}, "transition": 1}, "the weight of 'x' must be 0 or more"),
    ({"op": "prompt", "prompts": {"x": float("nan")}, "transition": 1}, "the weight of 'x' must be 0 or more"),
    # a long prompt is cut where a character starts, said with an ellipsis: not inside 👩‍🎤 (a joiner left escaped)
    ({"op": "prompt", "prompts": {"a" * 38 + "👩\u200d🎤 on stage": -1}, "transition": 1},
     "the weight of '" + "a" * 38 + "…' must be 0 or more"),
    ({"op": "prompt", "prompts": {"x": 0, "y": 0.0}, "transition": 1}, "the weights add up to 0"),
    # json reads 1e999 as infinity: the stream's blend of it is NaN, a broken picture on replay
    ({"op": "prompt", "prompts": {"x": float("inf")}, "transition": 1}, "the weight of 'x' must be a finite number"),
    # json reads 400 digits as an integer past any float: float() of it was an OverflowError, not the log's line
    ({"op": "prompt", "prompts": {"x": 10**400}, "transition": 1}, "the weight of 'x' must be a finite number, not 1"),
    # HTML entities are read as the text encoder reads them: a no-break space alone is a blank prompt
    ({"op": "prompt", "prompts": {"&nbsp;": 1.0}, "transition": 1}, "prompt: '&nbsp;' is blank"),
    ({"op": "prompt", "prompts": {"\x00\ufeff": 1.0}, "transition": 1}, "is blank"),
    # ftfy removes a terminal's colour codes before the encoder reads a prompt: the stream refused it at its block
    ({"op": "prompt", "prompts": {"\x1b[31m": 1.0}, "transition": 1}, "colour codes"),
    ({"op": "screen", "mode": "dim"}, "mode must be one of live, freeze, blackout"),
    ({"op": "reset", "hard": True}, "reset: unknown field hard"),
    ({"op": "strength"}, "strength: missing strength"),
    ({"op": "strength", "strength": "0.5"}, "strength: strength must be a number from 0 to 1, not '0.5'"),
    ({"op": "strength", "strength": True}, "strength must be a number"),
    ({"op": "strength", "strength": 1.5}, "strength: strength must be from 0 (keep the input) to 1"),
    ({"op": "strength", "strength": float("nan")}, "not nan"),
    ({"op": "input"}, "input: missing spec"),
    ({"op": "input", "spec": 3}, "input: spec must be text"),
    ({"op": "input", "spec": "dvd"}, "input: unknown input 'dvd'"),
    ({"op": "input", "spec": "file:"}, "input: input 'file:' needs a path"),
    ({"op": "input", "spec": "net", "fit": "crop"}, "input: unknown field fit"),
])
def test_a_damaged_action_says_what_is_wrong(d, fragment):
    with pytest.raises(ValueError) as err:
        from_dict(d)
    assert fragment in str(err.value)


class FakeStream:
    def __init__(self):
        self.calls = []
        self.steps = 4
        self.settings = SimpleNamespace(transition=4)

    def set_prompt(self, prompts, transition=None):
        self.calls.append(("prompt", prompts, transition))

    def set_seed(self, seed):
        self.calls.append(("seed", seed))

    def reset(self):
        self.calls.append(("reset",))

    def set_input(self, source):
        self.calls.append(("input", source))


def test_apply_changes_the_stream_and_leaves_it_alone_for_the_screen_and_quit():
    s = FakeStream()
    for action in ALL:
        apply(s, action, open_input=lambda spec: f"source for {spec}")
    assert s.calls == [("prompt", {"a city": 0.25, "the sea": 0.75}, 3), ("seed", 2**40), ("reset",),
                       ("input", "source for file:/clips/walk.mp4"), ("input", "source for camera:1"),
                       ("input", "source for none")]
    assert s.steps == 2 and s.settings.transition == 0 and s.strength == 1.0
    with pytest.raises(TypeError):
        apply(s, {"op": "reset"})


def test_without_an_input_opener_only_text_only_can_be_set():
    s = FakeStream()
    apply(s, SetInput("none"))
    assert s.calls == [("input", None)]
    with pytest.raises(ValueError, match="input camera: nothing here opens inputs"):
        apply(s, SetInput("camera"))
    assert s.calls == [("input", None)]


# --- the actions each command makes ------------------------------------------------------------------------------

SHOW = """\
presets:
  - {name: city, prompt: a neon city}
  - {name: ocean, prompt: ocean waves, seed: 7, transition: 2}
"""


@pytest.fixture
def controller():
    show = parse_show(SHOW, "show.yaml")
    producer, log = RecordingProducer(blocks=3), io.StringIO()
    ctl = Controller(show, ShowState(prompts={"a neon city": 1.0}, preset=0), producer, threading.Event(),
                     lambda s: None, ControlLog(log, {}))
    return ctl, producer, log


@pytest.mark.parametrize("line,expected", [
    ("prompt a red balloon", [SetPrompts({"a red balloon": 1.0}, 4)]),
    ("preset ocean", [SetPrompts({"ocean waves": 1.0}, 2), SetSeed(7)]),
    ("blend city ocean 0.25", [SetPrompts({"a neon city": 0.75, "ocean waves": 0.25}, 4)]),
    ("seed 12", [SetSeed(12)]),
    ("steps 2", [SetSteps(2)]),
    ("transition 0", [SetTransition(0)]),
    ("strength 0.3", [SetStrength(0.3)]),
    ("input camera:1", [SetInput("camera:1")]),
    ("input file:/clips/walk.mp4", [SetInput("file:/clips/walk.mp4")]),
    ("reset", [Reset()]),
    ("freeze", []),
    ("status", []),
])
def test_each_command_hands_over_its_actions(controller, line, expected):
    ctl, producer, _ = controller
    ctl.handle_line(line, "stdin")
    assert producer.actions == expected
    assert all(at is None and origin == Origin(line, "stdin") for _, at, origin in producer.given)


def test_screen_and_quit_take_effect_at_once_and_are_logged_with_the_block(controller):
    ctl, producer, log = controller
    ctl.handle_line("freeze", "midi")
    assert ctl.handle_line("quit", "stdin") == "stopping"
    assert ctl.state.screen == "freeze" and ctl.stop.is_set() and producer.given == []
    # typed again while the show closes: said as what it is, and logged once
    assert ctl.handle_line("quit", "stdin") == "already stopping: the outputs are closing (Ctrl-C leaves at once)"
    entries = [json.loads(x) for x in log.getvalue().splitlines()[1:]]
    assert [(e["apply"], e["block"], e["source"]) for e in entries] == [
        ({"op": "screen", "mode": "freeze"}, 3, "midi"), ({"op": "quit"}, 3, "stdin")]


# --- logs and replays ----------------------------------------------------------------------------------------------

def test_the_log_records_an_applied_action_with_its_command_and_block_but_not_a_replayed_one():
    out = io.StringIO()
    log = ControlLog(out, {"seed": 1})
    log.applied(SetSeed(5), 9, Origin("seed 5", "net alice"))
    log.applied(SetSeed(6), 10, None)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert len(lines) == 2 and lines[1]["block"] == 9 and lines[1]["command"] == "seed 5"
    assert lines[1]["source"] == "net alice" and lines[1]["apply"] == {"op": "seed", "seed": 5}


OLDER_LOG = '{"vcam": {"seed": 7}}\n{"t": 0.0, "block": 3, "command": "seed 8", "source": "stdin", ' \
    '"apply": {"op": "seed", "seed": 8}}\n{"end": {"blocks": 40}}\n'


def test_an_older_log_is_kept_until_the_first_block_then_replaced_and_written_line_by_line(tmp_path):
    """The log's file was emptied as it opened, before the model loaded: a start refused then had lost the older
    show's log. Now its lines wait until the first block; from then on each is in the file as it comes (a crash
    leaves them readable)."""
    path = tmp_path / "show.jsonl"
    path.write_text(OLDER_LOG)
    log = ControlLog(open(path, "r+", encoding="utf-8"), {"seed": 1}, older=str(path))
    log.applied(SetSeed(5), 0, Origin("seed 5", "stdin"))
    assert path.read_text() == OLDER_LOG
    log.on_air()
    log.applied(SetSeed(6), 2, Origin("seed 6", "midi"))
    replay = read_replay(str(path))  # mid-show: everything so far, no end line yet
    assert replay.header == {"seed": 1} and replay.end_block is None
    assert replay.actions == [(0, SetSeed(5)), (2, SetSeed(6))]
    log.on_air()  # every block says so: only the first replaces the file
    log.end(4)
    assert read_replay(str(path)).end_block == 4 and len(path.read_text().splitlines()) == 4


def test_a_show_that_never_goes_on_air_leaves_the_older_log_as_it_was_and_says_so(tmp_path):
    path, said = tmp_path / "show.jsonl", []
    path.write_text(OLDER_LOG)
    log = ControlLog(open(path, "r+", encoding="utf-8"), {"seed": 1}, said.append, older=str(path))
    log.applied(SetSeed(5), 0, Origin("seed 5", "stdin"))  # typed while the model loaded
    log.end(0)
    log.on_air()  # a first block the producer finished after the end
    log.applied(SetSeed(6), 1, Origin("seed 6", "midi"))
    assert path.read_text() == OLDER_LOG and not log.failed
    assert said == [f"nothing logged to {path} (the older log there is kept as it was)"]


def test_a_show_ended_as_its_first_block_is_handed_on_ends_its_log_with_that_block(tmp_path):
    """The producer replaces the older log (on_air) before it counts the block: an end that read the count in
    between replaced the older log with one of no block, which vcam render refuses."""
    path, said = tmp_path / "show.jsonl", []
    path.write_text(OLDER_LOG)
    log = ControlLog(open(path, "r+", encoding="utf-8"), {"seed": 1}, said.append, older=str(path))
    log.applied(SetSeed(5), 0, Origin("seed 5", "stdin"))
    log.on_air()  # the producer's listener, on its thread
    log.end(0)  # the count, read before the producer added the block
    replay = read_replay(str(path))
    replay.refuse_if_empty(str(path), "render")
    assert replay.end_block == 1 and replay.actions == [(0, SetSeed(5))] and said == []


def test_an_older_log_that_cannot_be_emptied_on_air_is_left_whole_and_said_once(tmp_path):
    """An append-only file: the show goes on unlogged, and nothing is written over a part of the older log."""
    import errno

    class AppendOnly(io.StringIO):
        def truncate(self, size=None):
            raise OSError(errno.EPERM, "Operation not permitted")

        def close(self):
            if not self.closed:
                self.kept = self.getvalue()
            super().close()

    out, said = AppendOnly(OLDER_LOG), []
    log = ControlLog(out, {"seed": 1}, said.append, older="show.jsonl")
    log.on_air()
    log.applied(SetSeed(6), 1, Origin("seed 6", "midi"))
    log.end(2)
    assert out.kept == OLDER_LOG and log.failed
    assert len(said) == 1 and "cannot be written ([Errno 1] Operation not permitted)" in said[0], said


@pytest.mark.skipif(os.name != "posix", reason="an open file is deleted from under its descriptor on POSIX only")
@pytest.mark.parametrize("taken", [False, True], ids=["name-free", "name-taken"])
def test_a_log_whose_folder_is_deleted_during_the_show_is_written_back_whole_at_the_end(tmp_path, taken):
    """A clean-up that removed the log's folder mid-show lost the whole log with its descriptor, and the end said
    nothing; a file made under its name since is left as it is, the log written beside it."""
    from vcam.live.logfile import open_log

    folder, said = tmp_path / "logs", []
    path = folder / "show.jsonl"
    folder.mkdir()
    log = ControlLog(open_log(str(path)).out, {"seed": 1}, said.append)
    log.on_air()
    log.applied(SetSeed(5), 1, Origin("seed 5", "stdin"))
    shutil.rmtree(folder)
    if taken:
        folder.mkdir()
        path.write_text("another file\n")
    log.applied(SetSeed(6), 2, Origin("seed 6", "midi"))
    log.end(3)
    kept = folder / "show-recovered.jsonl" if taken else path
    replay = read_replay(str(kept))
    assert replay.actions == [(1, SetSeed(5)), (2, SetSeed(6))] and replay.end_block == 3 and not log.failed
    assert said == [f"control log {path} was deleted during the show: written back to {kept}"]
    assert not taken or path.read_text() == "another file\n"


@pytest.mark.skipif(os.name != "posix", reason="an open file is deleted from under its descriptor on POSIX only")
def test_a_relative_log_whose_current_folder_is_deleted_during_the_show_is_written_back(tmp_path, monkeypatch):
    """--log-controls show.jsonl, the folder vcam was started in removed mid-show: its absolute name was asked for
    at the end, where no current folder was left, and the log was lost without a word."""
    from vcam.live.logfile import open_log

    here, said = tmp_path / "here", []
    here.mkdir()
    monkeypatch.chdir(here)
    log = ControlLog(open_log("show.jsonl").out, {"seed": 1}, said.append)
    log.on_air()
    log.applied(SetSeed(5), 1, Origin("seed 5", "stdin"))
    shutil.rmtree(here)
    log.end(2)
    path = here / "show.jsonl"
    assert said == [f"control log {path} was deleted during the show: written back to {path}"], said
    assert read_replay(str(path)).actions == [(1, SetSeed(5))]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="a descriptor's file is named in Linux's /proc")
def test_a_log_whose_folder_is_renamed_during_the_show_is_said_where_it_went(tmp_path):
    from vcam.live.logfile import open_log

    folder, said = tmp_path / "show", []
    folder.mkdir()
    log = ControlLog(open_log(str(folder / "show.jsonl")).out, {"seed": 1}, said.append)
    log.on_air()
    folder.rename(tmp_path / "show-done")
    log.applied(SetSeed(5), 1, Origin("seed 5", "stdin"))
    log.end(2)
    moved = tmp_path / "show-done" / "show.jsonl"
    assert said == [f"control log {folder / 'show.jsonl'} was moved during the show: it is at {moved}"]
    assert read_replay(str(moved)).actions == [(1, SetSeed(5))] and not (folder / "show.jsonl").exists()


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="a descriptor's file is named in Linux's /proc")
def test_a_log_deleted_on_nfs_is_written_back_not_said_moved_to_the_name_that_goes_as_it_closes(tmp_path):
    """An NFS client keeps a file deleted while open as .nfsXXXX in its folder, removed when it is closed: the end
    said the log was there, then closed it, and it was gone."""
    from vcam.live.logfile import open_log

    path, said = tmp_path / "show.jsonl", []
    log = ControlLog(open_log(str(path)).out, {"seed": 1}, said.append)
    log.on_air()
    log.applied(SetSeed(5), 1, Origin("seed 5", "stdin"))
    path.rename(tmp_path / ".nfs0000000001b2c3d400000001")  # what the client does for `rm show.jsonl`
    log.end(2)
    assert said == [f"control log {path} was deleted during the show: written back to {path}"], said
    assert read_replay(str(path)).actions == [(1, SetSeed(5))]


# a show logging to its own stdout, as vcam run --log-controls /dev/stdout does (the name given as argv[1])
LOG_TO_STDOUT = ("import sys; from vcam.control.log import ControlLog; from vcam.live.logfile import open_log\n"
                 "said = []; log = ControlLog(open_log(sys.argv[1]).out, {'seed': 1}, said.append)\n"
                 "log.on_air(); log.end(2); print(said, file=sys.stderr)")


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="/dev/stdout names a descriptor through Linux's /proc")
@pytest.mark.parametrize("given", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_a_log_to_stdout_kept_in_a_deleted_file_is_not_written_back_as_a_log(tmp_path, given):
    """Stdout sent to a file deleted as it was opened (a supervisor's, a test runner's capture): the end said the log
    was deleted during the show and could not be written back, and as root wrote /dev/stdout-recovered."""
    before = os.path.exists("/dev/stdout-recovered")
    with open(tmp_path / "captured", "w+b") as out:
        os.unlink(out.name)
        done = subprocess.run([sys.executable, "-c", LOG_TO_STDOUT, given], stdout=out, stderr=subprocess.PIPE,
                              text=True, timeout=60)
        out.seek(0)
        logged = out.read().decode()
    try:
        assert done.returncode == 0 and done.stderr == "[]\n", done.stderr
        assert '"end": {"blocks": 2}' in logged  # the log went where stdout went
    finally:
        if not before and os.path.exists("/dev/stdout-recovered"):
            os.unlink("/dev/stdout-recovered")  # the fault's own litter, as root


@pytest.mark.skipif(os.name != "posix", reason="an open file is deleted from under its descriptor on POSIX only")
def test_a_deleted_log_that_cannot_be_read_back_is_said_lost_and_leaves_no_empty_copy(tmp_path):
    path, said = tmp_path / "show.jsonl", []
    log = ControlLog(open(path, "w", encoding="utf-8"), {"seed": 1}, said.append)  # write-only: nothing to read
    path.unlink()
    log.end(2)
    assert not path.exists() and len(said) == 1
    assert said[0].startswith(f"control log {path} was deleted during the show and could not be written back (")
    assert "this show's log is lost" in said[0]


def test_a_log_not_deleted_ends_saying_nothing(tmp_path):
    path, said = tmp_path / "show.jsonl", []
    from vcam.live.logfile import open_log

    log = ControlLog(open_log(str(path)).out, {"seed": 1}, said.append)
    log.on_air()
    log.end(2)
    assert said == [] and read_replay(str(path)).end_block == 2


class SlowDisk:
    """A log file whose writes wait until `free` is set (a slow disk), saying when one has begun (`writing`)."""

    def __init__(self):
        self.lines: list[str] = []
        self.free, self.writing = threading.Event(), threading.Event()
        self.free.set()

    def write(self, text: str) -> int:
        self.writing.set()
        assert self.free.wait(60), "the disk was never freed"
        self.lines.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_with_a_camera_a_screen_change_is_logged_by_its_command_with_the_frame_the_screen_set_it_after():
    """The camera's screen says the frame of its last tick as the change is set (the one a freeze holds); the
    command logs it with that frame on its own thread, so a slow disk holds the command, never the camera."""
    disk, state = SlowDisk(), ShowState(prompts={"a": 1.0})
    log = ControlLog(disk, {"seed": 1})
    log.showing = lambda: Shown(9, 9, 0.0)  # not this: the frame on screen when the line is written
    screen = Screen(state)
    ctl = Controller(None, state, RecordingProducer(blocks=2), threading.Event(), lambda text: None, log,
                     screen=screen)
    held, later = np.full((2, 2, 3), 4, np.uint8), np.full((2, 2, 3), 5, np.uint8)
    assert screen.apply(held, Shown(0, 4, 0.0)) is held
    disk.free.clear()
    disk.writing.clear()  # the header is written
    command = threading.Thread(target=ctl.handle_line, args=("freeze", "stdin"))
    command.start()
    assert disk.writing.wait(60)  # the command writes its line, and waits on the disk
    ticked = []
    camera = threading.Thread(target=lambda: ticked.append(screen.apply(later, Shown(0, 5, 0.0))))
    camera.start()
    camera.join(60)
    assert ticked and ticked[0] is held  # the camera ticked on meanwhile, and froze on the frame named
    disk.free.set()
    command.join(60)
    assert not command.is_alive()
    log.end(3)
    lines = [json.loads(x) for x in disk.lines]
    assert [(e["apply"], e["shown"], e["block"], e["source"]) for e in lines[1:-1]] == [
        ({"op": "screen", "mode": "freeze"}, [0, 4], 2, "stdin")]
    assert lines[-1] == {"end": {"blocks": 3}}
    assert (ctl.snapshot()["screen"], ctl.snapshot()["screen_at"]) == ("freeze", [0, 4])


def write_log(path, *entries):
    path.write_text("".join(json.dumps(e) + "\n" for e in entries))
    return str(path)


def test_a_replay_submits_every_action_at_its_block_and_the_screen_follows(tmp_path):
    path = write_log(tmp_path / "c.jsonl", {"vcam": {"seed": 1}},
                     {"t": 1, "block": 4, "command": "seed 3", "source": "stdin", "apply": {"op": "seed", "seed": 3}},
                     {"t": 2, "block": 6, "command": "freeze", "source": "stdin",
                      "apply": {"op": "screen", "mode": "freeze"}},
                     {"t": 3, "block": 8, "command": "quit", "source": "stdin", "apply": {"op": "quit"}},
                     {"end": {"blocks": 9}})
    replay = read_replay(path)
    assert replay.header == {"seed": 1} and replay.end_block == 9

    producer, state = RecordingProducer(blocks=3), ShowState(prompts={})
    replay.schedule(producer, state)
    assert [(a, at) for a, at, _ in producer.given] == [(SetSeed(3), 4), (SetScreen("freeze"), 6)]  # not the quit
    producer.apply_given()  # as the generator tells its listeners once it applied them
    assert state.screen == "freeze"


def test_a_replays_state_follows_the_log_and_its_watchers_hear_each_change(tmp_path):
    """A served replay's clients watch it: they are told each change as the replay makes it (a freeze their cameras
    must make too), and the status says the log's show (its preset, seed, steps), not the one it started at."""
    show = parse_show("presets:\n  - {name: city, prompt: a city}\n  - {name: ocean, prompt: the sea, seed: 7}\n",
                      "show.yaml")
    path = write_log(tmp_path / "c.jsonl", {"vcam": {"seed": 1}},
                     {"block": 2, "command": "preset ocean", "apply": {"op": "prompt", "prompts": {"the sea": 1.0},
                                                                       "transition": 2}},
                     {"block": 2, "command": "preset ocean", "apply": {"op": "seed", "seed": 7}},
                     {"block": 3, "command": "steps 2", "apply": {"op": "steps", "steps": 2}},
                     {"block": 3, "command": "strength 0.3", "apply": {"op": "strength", "strength": 0.3}},
                     {"block": 4, "shown": [3, 1], "command": "freeze", "apply": {"op": "screen", "mode": "freeze"}},
                     {"end": {"blocks": 6}})
    state = ShowState(prompts={"a city": 1.0}, preset=0, seed=1)
    producer, frame_listeners = RecordingProducer(blocks=0), []
    ctl = Controller(show, state, producer, threading.Event(), lambda text: None)
    snapshots = []
    ctl.listeners.append(lambda: snapshots.append(ctl.snapshot()))
    read_replay(path).schedule(producer, state, frames=frame_listeners.append, on_change=ctl.replayed)
    producer.apply_given()
    assert ctl.describe().startswith("preset 2 'ocean' | seed 7 | steps 2 | transition 4 | screen live")
    # told on the listeners' own thread, the last time after the last change
    assert wait_for(lambda: snapshots and snapshots[-1]["strength"] == 0.3)
    assert (state.strength, snapshots[-1]["preset"], snapshots[-1]["seed"]) == (0.3, "ocean", 7)
    frame_listeners[0](Shown(3, 1, 5.0))  # the logged frame comes on the camera: the freeze is made and told
    # with its frame: a client's camera holds the same picture
    assert wait_for(lambda: snapshots[-1]["screen_at"] == [3, 1]) and snapshots[-1]["screen"] == "freeze"
    producer.given.clear()
    producer.submit(SetPrompts({"a city": 0.5, "the sea": 0.5}, 2), at_block=5)  # a blend: no preset of the show
    producer.apply_given()
    assert ctl.describe().startswith("prompt a city + the sea | seed 7")


def test_a_replayed_change_leaves_the_listeners_to_their_own_thread_which_reads_the_newest_state_last():
    """The listeners ran on the producer's thread (and the camera's) for each replayed change: a served replay's
    clients' snapshot of the state, dozens of times before one block for a replayed fader's sweep, held up the
    block; a listener slow for any reason held it up for as long."""
    producer = RecordingProducer(blocks=0)
    state = ShowState(prompts={"a": 1.0})
    ctl = Controller(None, state, producer, threading.Event(), lambda text: None)
    sweep_done = threading.Event()
    calls: list[tuple[str, float]] = []

    def slow_listener() -> None:  # reads the state, then takes until the sweep is over (a client's snapshot)
        calls.append((threading.current_thread().name, state.strength))
        if threading.current_thread().name != "generator":
            sweep_done.wait(60)

    ctl.listeners.append(slow_listener)

    def sweep() -> None:  # a fader's moves, replayed before one block on the producer's thread
        for k in range(1, 51):
            ctl.replayed(SetStrength(k / 100))

    generator = threading.Thread(target=sweep, name="generator")
    generator.start()
    generator.join(60)
    sweep_done.set()
    assert wait_for(lambda: calls and calls[-1][1] == 0.5)  # the last round after the last change
    assert all(name == "state to listeners" for name, _ in calls)  # never on the producer's thread
    assert len(calls) <= 2  # one round at a time: the sweep's changes made during the first make one more


@pytest.mark.parametrize("line,fragment", [
    ({"block": 2, "apply": {"op": "sed", "seed": 3}}, "unknown action 'sed'"),
    ({"block": 2, "apply": {"op": "steps", "steps": "2"}}, "steps must be a whole number"),
    ({"block": "two", "apply": {"op": "reset"}}, "block must be a whole number"),
    ({"end": {"block": 3}}, "block must be a whole number"),
    ({"blocks": 2}, "not a control log line"),
])
def test_a_damaged_log_is_reported_by_its_file_and_line(tmp_path, line, fragment):
    path = write_log(tmp_path / "c.jsonl", {"vcam": {}}, {"block": 1, "apply": {"op": "reset"}}, line)
    with pytest.raises(ValueError) as err:
        read_replay(path)
    assert str(err.value).startswith(f"{path}:3: ") and fragment in str(err.value)


# --- layering ----------------------------------------------------------------------------------------------------

def test_control_imports_neither_the_live_side_nor_torch():
    code = ("import sys, pkgutil, importlib, vcam.control\n"
            "for m in pkgutil.iter_modules(vcam.control.__path__): importlib.import_module('vcam.control.' + m.name)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('vcam.live', 'vcam.engine', 'vcam.remote', "
            "'torch'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("package", ["control", "live"])
def test_no_module_level_torch_import(package):
    folder = pathlib.Path(__file__).parent.parent / "vcam" / package
    for path in folder.rglob("*.py"):
        for node in ast.parse(path.read_text()).body:  # the module's own statements, not its functions'
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "torch" or n.startswith("torch.") for n in names), path


def test_a_replay_reads_input_and_strength_changes_and_an_older_header_without_them(tmp_path):
    path = write_log(tmp_path / "c.jsonl", {"vcam": {"seed": 1, "prompts": {"x": 1.0}}},
                     {"t": 1, "block": 2, "command": "input file:walk.mp4", "source": "stdin",
                      "apply": {"op": "input", "spec": "file:/clips/walk.mp4"}},
                     {"t": 2, "block": 5, "command": "strength 0.3", "source": "midi",
                      "apply": {"op": "strength", "strength": 0.3}})
    replay = read_replay(path)
    assert replay.header == {"seed": 1, "prompts": {"x": 1.0}}  # no input: it starts text only
    assert replay.actions == [(2, SetInput("file:/clips/walk.mp4")), (5, SetStrength(0.3))]


def test_a_header_input_is_read_in_its_canonical_form(tmp_path):
    path = write_log(tmp_path / "c.jsonl", {"vcam": {"input": "Camera:1", "input_fit": "stretch", "strength": 1}})
    assert read_replay(path).header == {"input": "camera:1", "input_fit": "stretch", "strength": 1.0}


@pytest.mark.parametrize("header,fragment", [
    ({"input": "dvd"}, "header: unknown input 'dvd'"),
    ({"input": 3}, "header: input must be text"),
    ({"input_fit": "zoom"}, "header: input_fit must be one of crop, letterbox, stretch"),
    ({"strength": "high"}, "header: strength must be a number from 0 to 1"),
    ({"strength": 2}, "header: strength must be from 0"),
    (["seed", 1], "the header must be a mapping"),
])
def test_a_damaged_header_is_reported_by_its_file_and_line(tmp_path, header, fragment):
    path = write_log(tmp_path / "c.jsonl", {"vcam": header})
    with pytest.raises(ValueError) as err:
        read_replay(path)
    assert str(err.value).startswith(f"{path}:1: ") and fragment in str(err.value)


def test_a_control_applied_after_the_end_line_is_left_out_without_saying_the_log_failed(tmp_path):
    """A CPU's block left in progress at the end (live/model_feed.py) applies its controls once the log has ended:
    their write to the closed file was said as a log that cannot be written, after the show's last line."""
    path, said = tmp_path / "show.jsonl", []
    log = ControlLog(open(path, "w", encoding="utf-8"), {"seed": 1}, said.append)
    log.applied(SetSeed(5), 0, Origin("seed 5", "stdin"))
    log.end(1)
    log.applied(SetSeed(6), 1, Origin("seed 6", "midi"))
    assert said == [] and not log.failed
    assert read_replay(str(path)).end_block == 1 and path.read_text().splitlines()[-1] == '{"end": {"blocks": 1}}'
