"""Edges of vcam's control modules (the prompter, OSC bundles timed ahead, typed commands, the control log) that
mutation testing found no test for: each test fails where the code is changed in the way its docstring says."""
import io

import pytest

from helpers import RecordingProducer, wait_for
from test_actions import write_log
from test_osc_tablet import AHEAD_SAID, WALL, Paced, bundle, dgram
from test_tempo import fake_tempo
from vcam.control import console, osctimed
from vcam.control.actions import SetPrompts
from vcam.control.console import Console
from vcam.control.log import ControlLog, read_replay
from vcam.control.oscinput import POLL_S
from vcam.control.oscrouter import MAX_SURFACES
from vcam.control.prompter import Prompter
from vcam.control.protocol import Shown
from vcam.live.run import _log_failed


def test_a_prompt_typed_while_the_model_loads_is_handed_over_without_an_error_line():
    """Catches the early return for a model still loading (`encoder is None`) dropped: each prompt typed while it
    loaded was said as 'could not encode … NoneType has no attribute encode', an error that was none."""
    producer, said = RecordingProducer(), []
    prompter = Prompter(producer, lambda: None, said.append)
    try:
        prompter.hand_over(SetPrompts({"typed while loading": 1.0}, 0))
        prompter.preload(["a preset"])
        assert wait_for(lambda: producer.given, 60)
        assert producer.actions == [SetPrompts({"typed while loading": 1.0}, 0)]
    finally:
        prompter.stop(60)
    assert said == []


def test_an_encode_that_outlasts_stop_leaves_the_process_free_to_exit():
    """Catches the prompter's thread made a non-daemon: a text encode stuck on the GPU at quit kept vcam from
    exiting after the show had ended."""
    producer, release = RecordingProducer(), []

    class Stuck:
        def encode(self, text):
            release.append(text)
            assert wait_for(lambda: len(release) > 1, 60)

    prompter = Prompter(producer, Stuck, lambda line: None)
    try:
        prompter.hand_over(SetPrompts({"stuck": 1.0}, 0))
        assert wait_for(lambda: release, 60)
        prompter.stop(0.01)
        assert prompter.alive and prompter._thread.daemon  # still encoding, and the interpreter need not wait for it
    finally:
        release.append("go")  # the encode let go whatever failed: no thread left for the tests after this one
    prompter._thread.join(60)
    assert not prompter.alive


def test_the_input_wakes_for_a_bundle_due_sooner_than_its_poll():
    """Catches `due_in` answering None (no bundle waits): the input's loop slept its whole poll, and a cue
    program's bundle timed 50 ms ahead acted up to a quarter second late."""
    p = Paced()
    p.arrive(bundle(("/2/push3", 1.0), at=WALL + 0.05))
    assert p.handled == []
    wait = p.input._wait_s(p.clock.t)
    assert 0.04 < wait <= 0.05 + 1e-6 < POLL_S
    p.later(0.051)  # its time, past any rounding of the time tag
    assert [a for a, _ in p.handled] == ["/2/push3"]


def test_senders_whose_bundles_wait_are_said_for_at_most_max_surfaces_hosts():
    """Catches `>= MAX_SURFACES` turned to `>`: one host more than the cap was said and kept, so senders spraying
    from many addresses grew the set past its bound."""
    p = Paced()
    for i in range(MAX_SURFACES + 1):
        p.input._datagram(bundle(("/2/push1", 1.0), at=WALL + 4.0), (f"10.0.0.{i + 1}", 9000))
    assert len(p.said) == MAX_SURFACES
    assert not any("10.0.0.17:" in line for line in p.said)
    assert len(p.input.timed._ahead_said) == MAX_SURFACES


def test_a_bundle_exactly_a_second_ahead_is_not_said_to_wait():
    """Catches `> SAID_AHEAD_S` turned to `>=`: a sender's usual latency of a second was said as a clock off."""
    p = Paced()
    p.arrive(bundle(("/2/push1", 1.0), at=WALL + osctimed.SAID_AHEAD_S))
    assert p.said == []
    p.arrive(bundle(("/2/push2", 1.0), at=WALL + osctimed.SAID_AHEAD_S + 0.5))
    assert len(p.said) == 1


def test_a_tablet_that_comes_back_from_another_port_is_not_said_to_wait_again():
    """Catches the host taken as the whole `ip:port` (`rpartition(":")[0] and sender`): a tablet that reconnected
    from a new port was said again each time, where the line is meant once for each sender machine."""
    p = Paced()
    p.input._datagram(bundle(("/2/push1", 1.0), at=WALL + 4.0), ("10.0.0.6", 9000))
    p.input._datagram(bundle(("/2/push2", 1.0), at=WALL + 4.0), ("10.0.0.6", 9001))
    assert p.said == [AHEAD_SAID.format(sender="10.0.0.6:9000", ahead=4.0)]


def test_a_plain_message_while_the_timed_cap_is_full_acts_and_no_drop_is_said(monkeypatch):
    """Catches messages due now counted as waiting (`0.0 <= a`): with the cap full, a fader's plain message was
    said as 'dropped 1 timed ahead' though it acted at once."""
    monkeypatch.setattr(osctimed, "MAX_TIMED", 2)
    p = Paced()
    p.arrive(bundle(("/2/push1", 1.0), ("/2/push2", 1.0), at=WALL + 0.5))
    p.arrive(dgram("/1/fader1", 0.3))
    assert p.said == []
    assert p.handled == [("/1/fader1", [0.3])]


class _Unreadable:
    """Stdin closed under the console: every read raises."""

    def read(self, size=-1):
        raise OSError(9, "Bad file descriptor")

    read1 = read


def test_stdin_that_can_no_longer_be_read_is_said_once_not_also_as_its_end():
    """Catches the return after a failed read dropped: the operator was told both that stdin could no longer be
    read and, after it, that piped input had ended."""
    said = []
    typed = Console(lambda line, source: None, said.append, source=_Unreadable())
    typed.start()
    typed._thread.join(60)
    assert not typed._thread.is_alive()
    assert len(said) == 1 and said[0].startswith("typed commands: stdin can no longer be read")


def test_ctrl_d_pressed_again_and_again_reads_at_a_pause_not_in_a_busy_loop(monkeypatch):
    """Catches the end of input not remembered (`ended = False`): a key held on Ctrl-D (or a terminal that reads
    as ended every time while still a terminal) read in a busy loop, a core spent on it during the show."""
    reads = iter([b"", b"", b"", b"preset 2\n", b"", b"seed 5\n"])
    pauses, ends = [], []
    monkeypatch.setattr(console.os, "read", lambda fd, size: next(reads))
    monkeypatch.setattr(console.os, "isatty", lambda fd: True)
    monkeypatch.setattr(console.time, "sleep", pauses.append)
    chunks = console._chunks_of(99, False, lambda: ends.append(1))
    assert next(chunks) == b"preset 2\n"
    assert len(ends) == 3 and pauses == [console.EOF_PAUSE_S] * 2
    # a line read ends the run of Ctrl-Ds: the next one is said at once, not after a pause (catches `ended = False`
    # dropped after a chunk)
    assert next(chunks) == b"seed 5\n"
    assert len(ends) == 4 and len(pauses) == 2


def test_bundles_that_fill_the_timed_cap_exactly_are_kept(monkeypatch):
    """Catches the cap refusing at `< MAX_TIMED`: a cue program's bundle that filled the cap exactly was dropped."""
    monkeypatch.setattr(osctimed, "MAX_TIMED", 2)
    p = Paced()
    p.arrive(bundle(("/2/push1", 1.0), ("/2/push2", 1.0), at=WALL + 0.5))
    assert p.said == []
    p.later(1)
    assert [a for a, _ in p.handled] == ["/2/push1", "/2/push2"]


def test_a_log_of_a_show_with_seed_0_replays(tmp_path):
    """Catches the header's seed bound raised to 1: `seed 0`, a seed the command line takes, made its show's log
    refused by render and replay."""
    path = write_log(tmp_path / "c.jsonl", {"vcam": {"seed": 0}})
    assert read_replay(path).header == {"seed": 0}


@pytest.mark.parametrize("header,fragment", [
    ({"steps": 51}, "steps must be a whole number from 1 to 50"),  # catches the bound raised to 51
    ({"seed": -1}, "seed must be a whole number from 0"),  # catches the seed's check dropped
    ({"prompts": {"x": "high"}}, "prompts must be a non-empty mapping of text to weight"),  # `or not all` to `and`
    ({"size": [640, "480"]}, "size must be [width, height]"),  # catches `and all(...)` turned to `or`
])
def test_a_log_header_out_of_the_command_lines_bounds_is_refused_by_its_line(tmp_path, header, fragment):
    path = write_log(tmp_path / "c.jsonl", {"vcam": header})
    with pytest.raises(ValueError) as err:
        read_replay(path)
    assert str(err.value).startswith(f"{path}:1: ") and fragment in str(err.value)


class _FullAfterAir(io.StringIO):
    """An older log emptied as the show goes on air; the disk fills after that."""
    name = "show.jsonl"
    full = False

    def write(self, text):
        if self.full:
            raise OSError(28, "No space left on device")
        return super().write(text)


def test_a_log_emptied_on_air_whose_disk_fills_later_is_said_incomplete_not_the_older_show():
    """Catches `kept_older` true once the older log was replaced (`_held is None`): a show whose log filled the
    disk after going on air was said to hold none of the show, the older log kept, where the file holds this
    show's start."""
    said = []
    out = _FullAfterAir('{"vcam": {"seed": 7}}\n{"end": {"blocks": 40}}\n')
    log = ControlLog(out, {"seed": 1}, said.append, older="show.jsonl")
    assert log.kept_older  # not on air yet: the older log is whole
    log.on_air()
    assert not log.kept_older and '"seed": 1' in out.getvalue()
    out.full = True
    log.end(3)
    assert log.failed and not log.kept_older
    assert _log_failed(log, 0, said.append) == 1
    assert said[-1].startswith("control log show.jsonl is incomplete")


@pytest.mark.parametrize("source,logged", [("replay", 0), ("bpm", 1)])
def test_a_grid_set_before_the_log_follows_the_tempo_is_logged_unless_replayed(source, logged):
    """Catches the replay check made on the grid, not its source (`current[1] != "replay"`): a replay whose tempo
    was set before its own log followed it logged that tempo again, as if an operator had set it."""
    tempo, clock = fake_tempo()
    tempo.set_bpm(120, source, (clock.now, 0.0))
    log = ControlLog(io.StringIO(), {"seed": 1})
    log.follow_tempo(tempo, lambda: 0)
    assert log.out.getvalue().count('"op": "tempo"') == logged


def test_a_line_cut_short_in_the_middle_of_a_log_is_refused_by_its_number(tmp_path):
    """Catches a line that stops unfinished taken as cut short wherever it is (`cut_short or _unfinished`): a log
    damaged in its middle replayed without the command on that line, and nothing said."""
    path = tmp_path / "c.jsonl"
    path.write_text('{"vcam": {"seed": 1}}\n{"t": 1, "block": 2, "comm\n{"end": {"blocks": 4}}\n')
    with pytest.raises(ValueError) as err:
        read_replay(str(path))
    assert str(err.value).startswith(f"{path}:2: ") and "not a control log line" in str(err.value)


def test_a_log_path_that_cannot_be_opened_for_another_reason_says_why(tmp_path):
    """Catches the last reason dropped from `_unreadable`: a name too long for the file system was refused with
    the message None."""
    path = str(tmp_path / ("x" * 300 + ".jsonl"))
    with pytest.raises(ValueError) as err:
        read_replay(path)
    assert str(err.value).startswith(f"cannot read control log {path} (") and "long" in str(err.value)


def test_a_control_log_that_follows_no_tempo_takes_each_frame_shown_without_error():
    """Catches the early return for a log that follows no tempo dropped: each frame the camera showed raised in the
    pacer's listener (the log has no tempo to place a grid on)."""
    log = ControlLog(io.StringIO(), {"seed": 1})
    log.frame_shown(Shown(1, 0, 0.0))
    log.frame_shown(Shown(1, 1, 0.04))
    assert not log.failed and log.out.getvalue().count("\n") == 1  # its header, nothing after it


def test_a_terminal_is_read_only_once_a_line_is_there(monkeypatch):
    """Catches the `continue` after a select with nothing ready dropped: the read started at once, and a show sent
    to the background (Ctrl-Z, bg) while waiting in it was stopped by the kernel, camera and recording with it."""
    waits = iter([([], [], []), ([99], [], [])])  # the first wait ends with nothing typed, the second with a line
    selected = []

    def select(r, w, x, timeout):
        selected.append(timeout)
        return next(waits)

    monkeypatch.setattr(console.select, "select", select)
    monkeypatch.setattr(console, "_in_foreground", lambda fd: True)
    monkeypatch.setattr(console.os, "read", lambda fd, size: b"preset 2\n")
    chunks = console._chunks_of(99, True, lambda: None)
    assert next(chunks) == b"preset 2\n"
    assert selected == [console.FOREGROUND_POLL_S] * 2


def test_a_show_in_the_background_waits_for_the_foreground_at_a_pause(monkeypatch):
    """Catches the pause while in the background dropped: `vcam run … &` asked the terminal's foreground in a busy
    loop, a core spent on it for as long as the show ran in the background."""
    foreground = iter([False, False, True, True])
    pauses = []
    monkeypatch.setattr(console, "_in_foreground", lambda fd: next(foreground))
    monkeypatch.setattr(console.time, "sleep", pauses.append)
    monkeypatch.setattr(console.select, "select", lambda r, w, x, timeout: ([99], [], []))
    monkeypatch.setattr(console.os, "read", lambda fd, size: b"preset 2\n")
    assert next(console._chunks_of(99, True, lambda: None)) == b"preset 2\n"
    assert pauses == [console.FOREGROUND_POLL_S] * 2
