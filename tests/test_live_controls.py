"""Controls on a running tiny stream: hot reload, piped stdin, control logs replayed exactly."""
import contextlib
import io
import json
import os
import threading

import numpy as np
import pytest
import torch

from helpers import FAST, TINY_SHOW, Pipe, free_port, in_thread, map_reads, wait_for
from vcam.cli import main
from vcam.live.run import RunOptions, run

# Runs of the tiny model share the session's engine (the same fixed-seed network) instead of building their own.
pytestmark = pytest.mark.usefixtures("shared_tiny")

SHOW = TINY_SHOW



@pytest.fixture
def show_file(tmp_path):
    path = tmp_path / "show.yaml"
    path.write_text(SHOW)
    return path


@contextlib.contextmanager
def on_air(show_file, **options):
    """The show run on the tiny model in a thread, with `options` as its other RunOptions: yields the Pipe its typed
    commands come from and the status text it writes. On leaving, it is told to quit and must end without an error.
    Its --duration is only a backstop for a quit that never comes: a short one, counted on the camera's clock, was
    reached on a busy machine before the test's steps were done."""
    pipe, status = Pipe(), io.StringIO()
    thread, errors = in_thread(run, RunOptions(show=str(show_file), model="tiny", outs=["null"], commands=pipe.reader,
                                               status_out=status, duration=600, **options))
    try:
        yield pipe, status
    finally:
        pipe.send("quit")
        thread.join(120)
    assert not thread.is_alive(), "the show did not end at its quit"
    assert not errors, errors


def test_hot_reload_applies_good_edits_and_keeps_the_last_good_show(show_file, capture):
    blocks, streams = capture
    with on_air(show_file) as (pipe, status):
        assert wait_for(lambda: len(blocks) >= 2)
        # a good edit: a new preset appears and can be selected without restarting the stream
        show_file.write_text(SHOW + "  - {name: desert, prompt: sand dunes under a red sky}\n")
        assert wait_for(lambda: "reloaded" in status.getvalue(), 60)
        pipe.send("preset desert")
        assert wait_for(lambda: "preset 4 'desert'" in status.getvalue(), 60)
        desert = streams[0].engine.text.encode("sand dunes under a red sky")
        assert wait_for(lambda: torch.allclose(streams[0]._target, desert), 60)  # taken by the stream at a block
        # a bad edit is reported with its line, and the last good show stays live
        show_file.write_text(SHOW + "  - {name: broken, promt: oops}\n")
        assert wait_for(lambda: "not reloaded" in status.getvalue(), 60)
        assert f"{show_file}:7:" in status.getvalue()
        pipe.send("preset desert")
    assert len(streams) == 1  # one stream all along
    assert status.getvalue().count("preset 4 'desert'") == 2
    assert torch.allclose(streams[0]._target, streams[0].engine.text.encode("sand dunes under a red sky"))


def test_a_reload_applies_the_defaults_transition_and_says_what_waits_for_the_next_start(show_file, capture):
    blocks, streams = capture
    with on_air(show_file, fps=FAST) as (pipe, status):
        assert wait_for(lambda: len(blocks) >= 1)
        show_file.write_text(SHOW.replace("{seed: 3, transition: 2}", "{steps: 2, seed: 9, transition: 0, bias: 0.5}")
                             .replace("112x64", "128x64"))
        assert wait_for(lambda: "reloaded" in status.getvalue(), 60)
        pipe.send("preset ocean")
        assert wait_for(lambda: "preset 2 'ocean'" in status.getvalue(), 60)
        assert wait_for(lambda: streams[0].settings.transition == 0, 60)  # from the block after the reload
    text = status.getvalue()
    # the tiny model plays at its own size whatever the show's: the saved size is not promised for the next start
    assert (f"reloaded {show_file}: 3 presets; transition 0 for later changes; at the next start: defaults "
            "seed/steps/bias; output size: the tiny model (played at its own size unless --size is given) overrides "
            "it at the next start") in text
    assert "preset 2 'ocean' (over" not in text  # over the reloaded defaults' 0 blocks, not the start's 2
    assert (streams[0].settings.seed, streams[0].steps) == (3, 4)  # as the show started


def test_piped_commands_change_the_stream_and_replay_exactly(show_file, tmp_path, capture):
    blocks, streams = capture
    log = tmp_path / "controls.jsonl"
    # a live run driven by typed commands, switched once it is on air and stopped a few blocks later
    with on_air(show_file, fps=FAST, log_controls=str(log)) as (pipe, _):
        assert wait_for(lambda: len(blocks) >= 2)
        switched_at = len(blocks)
        pipe.send("preset 2")
        assert wait_for(lambda: len(blocks) >= switched_at + 4)
    entries = [json.loads(x) for x in log.read_text().splitlines()]
    switch = next(e for e in entries if e.get("command") == "preset 2")
    end = entries[-1]["end"]["blocks"]
    k = switch["block"]
    assert 0 < k < end - 2
    blocks.clear()

    # replaying the log reproduces the run; without its commands, the frames differ from block k on
    run(RunOptions(model="tiny", replay=str(log), outs=["null"], fps=FAST, stdin=False))
    replayed = list(blocks)
    stream = streams[-1]
    bare = tmp_path / "bare.jsonl"
    bare.write_text("\n".join(json.dumps(e) for e in entries if "command" not in e) + "\n")
    blocks.clear()
    run(RunOptions(model="tiny", replay=str(bare), outs=["null"], fps=FAST, stdin=False))
    unchanged = list(blocks)
    assert len(replayed) == len(unchanged) == end
    assert all(np.array_equal(a, b) for a, b in zip(replayed[:k], unchanged[:k]))
    assert all(np.abs(a.astype(int) - b.astype(int)).mean() > 0.5 for a, b in zip(replayed[k + 1:], unchanged[k + 1:]))
    # once the transition is over, the stream is conditioned exactly as a run started on preset 2
    assert stream.transition_remaining == 0
    fresh = stream.engine.stream("ocean waves at noon", seed=7, width=112, height=64)
    assert torch.equal(stream._kv.k, fresh._kv.k) and torch.equal(stream._kv.v, fresh._kv.v)


def test_replay_equals_the_live_run(show_file, tmp_path, capture):
    """Exact: a change is numbered by the block it was applied before."""
    blocks, _ = capture
    log = tmp_path / "controls.jsonl"
    with on_air(show_file, fps=FAST, log_controls=str(log)) as (pipe, _):
        assert wait_for(lambda: len(blocks) >= 3)
        pipe.send("seed 11")
        assert wait_for(lambda: len(blocks) >= 6)
        pipe.send("blend city forest 0.5")
        pipe.send("steps 2")
        assert wait_for(lambda: len(blocks) >= 9)
        pipe.send("reset")
        assert wait_for(lambda: len(blocks) >= 12)
    live = list(blocks)
    blocks.clear()
    run(RunOptions(model="tiny", replay=str(log), outs=["null"], fps=FAST, stdin=False))
    assert len(blocks) == len(live)
    assert all(np.array_equal(a, b) for a, b in zip(blocks, live))


def test_a_block_handed_on_before_the_quit_is_counted_in_the_logs_end_while_its_listeners_still_run(
        show_file, tmp_path, capture, monkeypatch):
    """The log's end counted the blocks once each block's listeners had run: a quit while the last block on air was
    still with them ended the log a block short, and its replay made one block fewer than the show."""
    from vcam.control.log import ControlLog
    from vcam.live import producer as producer_module

    blocks, _ = capture
    log, ended = tmp_path / "controls.jsonl", threading.Event()
    end = ControlLog.end
    monkeypatch.setattr(ControlLog, "end", lambda self, count: (end(self, count), ended.set())[0])
    init = producer_module.Generator.__init__

    def held_at_the_third(self, *args, **kwargs):  # the first listener: held at block 3 until the log has ended
        init(self, *args, **kwargs)
        self.listeners.insert(0, lambda frames: len(blocks) == 3 and ended.wait(60))

    monkeypatch.setattr(producer_module.Generator, "__init__", held_at_the_third)
    with on_air(show_file, fps=FAST, log_controls=str(log)):
        assert wait_for(lambda: len(blocks) >= 3, 120)
    assert json.loads(log.read_text().splitlines()[-1])["end"]["blocks"] == len(blocks) == 3


def test_end_of_input_does_not_stop_the_show(show_file, tmp_path, monkeypatch, capsys):
    """`echo "preset 2" | vcam run show.yaml`: the command is applied, and stdin's end leaves the show on air."""
    out = tmp_path / "x.mp4"
    r, w = os.pipe()
    os.write(w, b"preset 2\n")
    os.close(w)
    stdin = os.fdopen(r, "r")
    monkeypatch.setattr("sys.stdin", stdin)
    try:
        code = main(["run", str(show_file), "--model", "tiny", "--out", f"file:{out}", "--duration", "3"])
    finally:
        stdin.close()
    err = capsys.readouterr().err
    assert code == 0, err
    assert "preset 2 'ocean'" in err and "recorded" in err


@pytest.fixture
def routers(monkeypatch):
    """Every MidiRouter a run makes."""
    import vcam.control.midi

    made, original = [], vcam.control.midi.MidiRouter.__init__

    def init(self, *a, **kw):
        original(self, *a, **kw)
        made.append(self)

    monkeypatch.setattr(vcam.control.midi.MidiRouter, "__init__", init)
    return made


MIDI_SHOW = SHOW + "midi: {map: nanokontrol2}\n"


def test_editing_the_show_keeps_the_midi_map_given_on_the_command_line(show_file, capture, fake_midi_backend,
                                                                       routers):
    blocks, _ = capture
    show_file.write_text(MIDI_SHOW)
    with on_air(show_file, fps=FAST, midi="midimix", midi_map="midimix") as (pipe, status):
        assert wait_for(lambda: len(blocks) >= 1)
        assert routers[0].mapping.name == "Akai MIDImix"
        show_file.write_text(MIDI_SHOW.replace("seed: 3", "seed: 4"))
        assert wait_for(lambda: "reloaded" in status.getvalue(), 60)
    assert routers[0].mapping.name == "Akai MIDImix"  # the command line still overrides the show


def test_the_shows_midi_port_is_opened_without_midi_on_the_command_line(show_file, capture, fake_midi_backend,
                                                                        routers):
    import mido

    blocks, _ = capture
    show_file.write_text(SHOW + "midi: {port: nano, map: nanokontrol2}\n")
    with on_air(show_file, fps=FAST) as (pipe, status):
        assert wait_for(lambda: len(blocks) >= 1)
        assert "MIDI: listening on Fake nanoKONTROL2 MIDI 1" in status.getvalue()
        fake_midi_backend.send("Fake nanoKONTROL2 MIDI 1", mido.Message("control_change", control=59, value=127))
        assert wait_for(lambda: "preset 2 'ocean'" in status.getvalue(), 60)  # the map's "next" button
    assert routers[0].mapping.name == "Korg nanoKONTROL2"


def test_knobs_and_buttons_set_while_vcam_starts_count_once_the_show_is_up(show_file, capture, fake_midi_backend,
                                                                            monkeypatch):
    """The port opened after PyTorch's import and the show's checks (seconds): a knob set meanwhile went nowhere.
    It opens first now, and what came meanwhile is acted on in order: here sent as the show's MIDI is read, after
    the import."""
    import mido

    import vcam.live.run as run_module

    nano = "Fake nanoKONTROL2 MIDI 1"
    real_setup = run_module.midi_setup

    def setup_after_moves(*args, **kwargs):
        for value in range(3, 41):  # knob 3 (seed 0-127) picked up at the show's seed 3, left at 40
            fake_midi_backend.send(nano, mido.Message("control_change", control=18, value=value))
        fake_midi_backend.send(nano, mido.Message("control_change", control=59, value=127))  # next
        fake_midi_backend.send(nano, mido.Message("control_change", control=59, value=0))
        fake_midi_backend.send(nano, mido.Message("clock"))  # a stale tick is no tempo: not kept
        return real_setup(*args, **kwargs)

    monkeypatch.setattr(run_module, "midi_setup", setup_after_moves)
    blocks, _ = capture
    show_file.write_text(SHOW + "midi: {port: nano, map: nanokontrol2}\n")
    with on_air(show_file, fps=FAST) as (pipe, status):
        assert wait_for(lambda: "preset 2 'ocean'" in status.getvalue(), 60)
        pipe.send("status")
        assert wait_for(lambda: "seed 40" in status.getvalue(), 60), status.getvalue()
    assert len([p for p in fake_midi_backend.OPEN if p.name == nano]) == 0  # closed at the end, once


def test_a_port_opened_as_vcam_starts_is_closed_where_the_show_is_refused(show_file, fake_midi_backend,
                                                                            monkeypatch):
    from vcam.control import midiinput

    opened, real_opened = [], midiinput._opened
    monkeypatch.setattr(midiinput, "_opened", lambda name, deliver: opened.append(name) or real_opened(name, deliver))
    show_file.write_text(SHOW + "midi: {port: nano, map: nanokontrol2}\n")
    with pytest.raises(ValueError, match="unknown model"):
        run(RunOptions(show=str(show_file), model="no-such-model", outs=["null"], stdin=False,
                       status_out=io.StringIO()))
    assert opened == ["Fake nanoKONTROL2 MIDI 1"]  # opened before the model was looked up
    assert fake_midi_backend.OPEN == []


def test_ctrl_c_as_the_shows_port_opens_early_is_said_as_loading_stopped(show_file, fake_midi_backend, monkeypatch):
    """Ctrl-C as the port opened, before PyTorch's import, fell outside the stops held while vcam loads: exit code
    130 with no word (a Ctrl-C a moment later was said as the loading stopped)."""
    import signal

    from vcam.control.midiinput import EarlyInput

    real_open = EarlyInput.open

    def ctrl_c_as_it_opens(self, wanted, mapping):
        os.kill(os.getpid(), signal.SIGINT)
        real_open(self, wanted, mapping)

    monkeypatch.setattr(EarlyInput, "open", ctrl_c_as_it_opens)
    show_file.write_text(SHOW + "midi: {port: nano, map: nanokontrol2}\n")
    status = io.StringIO()
    try:
        code = run(RunOptions(show=str(show_file), model="tiny", outs=["null"], stdin=False, status_out=status))
    except KeyboardInterrupt:  # where it escaped: not pytest's own Ctrl-C
        code = "KeyboardInterrupt"
    assert code == 130
    assert status.getvalue().splitlines()[-1].endswith("loading stopped (Ctrl-C): the show never went on air; exit "
                                                       "code 130"), status.getvalue()
    assert fake_midi_backend.OPEN == []


def test_a_controller_plugged_in_after_the_show_started_is_opened_when_it_comes(show_file, capture,
                                                                             fake_midi_backend):
    """A show's port or --midi that matched no input refused the show: a controller plugged in after the start, or
    behind a USB hub that woke late, meant no show at all. Now the show starts, says what it waits for beside the
    inputs there are (a typo shows), and the controller works once it is plugged in."""
    import mido

    blocks, _ = capture
    show_file.write_text(SHOW + "midi: {port: launchpad, map: nanokontrol2}\n")
    try:
        with on_air(show_file, fps=FAST) as (pipe, status):
            assert wait_for(lambda: len(blocks) >= 1)
            assert (f"waiting for MIDI input 'launchpad' (the midi: port of {show_file}; inputs now: Fake MIDImix, "
                    "Fake nanoKONTROL2 MIDI 1); plug it in") in status.getvalue()
            fake_midi_backend.plug("Fake Launchpad Mini")
            assert wait_for(lambda: "MIDI: listening on Fake Launchpad Mini" in status.getvalue(), 60)
            assert "MIDI input Fake Launchpad Mini connected" in status.getvalue()
            fake_midi_backend.send("Fake Launchpad Mini", mido.Message("control_change", control=59, value=127))
            assert wait_for(lambda: "preset 2 'ocean'" in status.getvalue(), 60)  # the map's "next" button
    finally:
        fake_midi_backend.unplug("Fake Launchpad Mini")
    assert status.getvalue().count("waiting for MIDI input") == 1


def test_a_midi_port_that_matches_no_input_yet_is_waited_for_whether_the_show_or_midi_names_it(show_file,
                                                                                              fake_midi_backend):
    from vcam.live.run import _prepare

    show_file.write_text(SHOW + "midi: {port: launchpad, map: nanokontrol2}\n")
    for given in ({}, {"midi": "launchpad", "midi_map": "nanokontrol2"}):
        prepared = _prepare(RunOptions(show=str(show_file), model="tiny", outs=["null"], stdin=False,
                                       status_out=io.StringIO(), **given))
        assert prepared.midi[0] == "launchpad"  # opened once it comes, not refused
    # at a venue without that controller, --midi none plays the show without one, and says so
    said = io.StringIO()
    assert run(RunOptions(show=str(show_file), model="tiny", outs=["null"], midi="none", duration=0.5, stdin=False,
                          status_out=said)) == 0
    assert "--midi none: the show's MIDI port 'launchpad' is not opened" in said.getvalue()
    assert "waiting for MIDI input" not in said.getvalue()


def test_the_start_of_a_show_without_cues_says_its_go_button_does_nothing_until_it_has_them(show_file):
    """vcam check says it; the run's start too, as the show plays (an edit on air may add the cues)."""
    from vcam.live.run import _prepare

    show_file.write_text(SHOW + "midi:\n  controls:\n    - {note: 36, command: back}\n")
    status = io.StringIO()
    _prepare(RunOptions(show=str(show_file), model="tiny", outs=["null"], stdin=False, status_out=status))
    line = (f"{show_file}:{SHOW.count(chr(10)) + 3}: midi control 1 command 'back' does nothing until the show has "
            "cues: write them in its cues: list, or give the button another command")
    assert f"vcam: {line}" in status.getvalue().splitlines(), status.getvalue()


def test_a_midi_port_without_midi_installed_is_still_refused_before_the_show(show_file, monkeypatch):
    """Plugging the controller in cannot help there: the install fix is said at the start, as before."""
    import sys

    from vcam.errors import VcamError

    monkeypatch.setitem(sys.modules, "mido", None)  # not installed
    show_file.write_text(SHOW + "midi: {port: launchpad, map: nanokontrol2}\n")
    with pytest.raises(VcamError) as from_show:
        run(RunOptions(show=str(show_file), model="tiny", outs=["null"], duration=1, stdin=False,
                       status_out=io.StringIO()))
    assert f"the midi: port in {show_file} needs MIDI support" in from_show.value.message
    assert 'pip install -e ".[midi]"' in from_show.value.fix and "--midi none" in from_show.value.fix
    with pytest.raises(VcamError) as from_option:
        run(RunOptions(model="tiny", outs=["null"], midi="launchpad", midi_map="nanokontrol2", duration=1,
                       stdin=False, status_out=io.StringIO()))
    assert from_option.value.message == "MIDI support is not installed"
    assert 'pip install -e ".[midi]"' in from_option.value.fix


def test_a_midi_map_naming_presets_the_show_lacks_is_refused_before_the_show(show_file, fake_midi_backend, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text("name: my map\ncontrols:\n  - {cc: 0, param: blend, between: [city, oceann]}\n"
                       "  - {cc: 41, command: preset forest}\n  - {cc: 42, command: preset 9}\n")
    status = io.StringIO()
    from vcam.errors import VcamError

    with pytest.raises(VcamError) as err:
        run(RunOptions(show=str(show_file), model="tiny", outs=["null"], midi="nano", midi_map=str(mapping),
                       duration=1, stdin=False, status_out=status))
    text = str(err.value)
    assert "oceann" in text and str(mapping) in text
    assert "preset 9" not in text  # preset buttons by number fit shows of any length, as in a show's own map
    assert "on air" not in status.getvalue()  # refused before the show
    assert "preset forest" not in text  # a preset the show has


def test_an_edit_that_drops_a_preset_the_command_lines_midi_map_names_is_not_loaded(show_file, capture,
                                                                                    fake_midi_backend, tmp_path):
    blocks, _ = capture
    mapping = tmp_path / "map.yaml"
    mapping.write_text("name: my map\ncontrols:\n  - {cc: 0, param: blend, between: [city, ocean]}\n")
    with on_air(show_file, fps=FAST, midi="nano", midi_map=str(mapping)) as (pipe, status):
        assert wait_for(lambda: len(blocks) >= 1)
        show_file.write_text(SHOW.replace("name: ocean", "name: sea"))
        assert wait_for(lambda: "not reloaded" in status.getvalue(), 60)
        pipe.send("preset ocean")  # the last good show stays live
        assert wait_for(lambda: "'ocean'" in status.getvalue(), 60)
    text = status.getvalue()
    assert "no preset named 'ocean'" in text and "reloaded" not in text.replace("not reloaded", "")


def test_an_edit_that_drops_a_preset_the_command_lines_osc_map_names_is_not_loaded(show_file, capture, tmp_path,
                                                                                   monkeypatch):
    """As with --midi-map: the map stays (given on the command line), so the show must still fit it; the edit was
    loaded, and the fader answered an error on every message. The map is read once, at the start: the OSC input
    and the reloads check against that one."""
    import socket

    from vcam.control import oscmap

    read = map_reads(monkeypatch, oscmap.MAPS)
    blocks, _ = capture
    mapping = tmp_path / "map.yaml"
    mapping.write_text("name: my map\ncontrols:\n  - {address: /fader, param: blend, between: [city, ocean]}\n")
    osc = str(free_port(socket.SOCK_DGRAM))
    with on_air(show_file, fps=FAST, osc=osc, osc_map=str(mapping)) as (pipe, status):
        assert wait_for(lambda: len(blocks) >= 1)
        show_file.write_text(SHOW.replace("name: ocean", "name: sea"))
        assert wait_for(lambda: "reloaded" in status.getvalue(), 60)
        pipe.send("preset ocean")  # the last good show stays live
        assert wait_for(lambda: "'ocean'" in status.getvalue(), 60)
    text = status.getvalue()
    assert f"--osc-map {mapping}: line 3: /fader between: no preset named 'ocean'" in text, text
    assert "not reloaded" in text and "reloaded" not in text.replace("not reloaded", "")
    assert read == [mapping]


def test_a_show_port_without_midi_installed_says_to_install_it_or_drop_the_port(show_file, monkeypatch):
    import sys

    from vcam.errors import VcamError

    monkeypatch.setitem(sys.modules, "mido", None)
    show_file.write_text(SHOW + "midi: {port: nano, map: nanokontrol2}\n")
    with pytest.raises(VcamError) as err:
        run(RunOptions(show=str(show_file), model="tiny", outs=["null"], duration=1, stdin=False,
                       status_out=io.StringIO()))
    assert "needs MIDI support" in err.value.message
    assert 'pip install -e ".[midi]"' in err.value.fix and f"remove the port from {show_file}" in err.value.fix
