"""The show file's watch on air (vcam/live/showwatch.py) and the files a show reads and writes (showreads.py,
showwrites.py): edges mutation testing found no test for."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from helpers import TINY_SHOW
from test_run import _saved

from vcam.control.show import load_show
from vcam.live.settings import RunOptions


class _Fake:
    """Stands in for the controller, prompter and fallbacks a show watcher drives: the shows it was handed."""

    def __init__(self):
        self.shows = []

    def replace_show(self, show):
        self.shows.append(show)
        return []

    def preload(self, texts):
        pass

    def warm(self, paths):
        pass


PAD = "controls:\n  - {address: /sea, command: preset ocean}\n"


def _osc_watched(tmp_path, show_text=TINY_SHOW):
    from vcam.control.oscmap import load_map
    from vcam.live.showreads import given_maps
    from vcam.live.showwatch import show_watcher

    path, pad = tmp_path / "show.yaml", tmp_path / "pad.yaml"
    pad.write_text(PAD)
    path.write_text(show_text)
    said, fake = [], _Fake()
    opts = RunOptions(show=str(path), osc="127.0.0.1:9", osc_map=str(pad))
    given, _ = given_maps(opts, None, (pad, load_map(pad)))
    watcher = show_watcher(opts, "tiny", load_show(path), fake, fake, None, fake, said.append, given)
    return watcher, path, pad, said, fake


def test_a_show_save_that_drops_a_preset_the_osc_map_plays_is_refused_naming_the_maps_line(tmp_path):
    """--osc-map's /sea plays 'ocean': a save that renames it would leave the tablet's button answering 'no such
    preset' on air; it is refused, and the show on air stays."""
    watcher, path, pad, said, fake = _osc_watched(tmp_path)
    _saved(watcher, path, TINY_SHOW.replace("name: ocean", "name: sea"))
    assert fake.shows == [], said
    assert said[-1].startswith("show file not reloaded, the last good show stays live:"), said
    assert f"{path}: --osc-map {pad}: line 2: " in said[-1] and "ocean" in said[-1], said


def test_a_save_of_the_osc_section_the_command_lines_osc_map_replaces_says_the_map_is_used(tmp_path):
    """As for --midi-map: an edit of the show's osc: section changes nothing on air, and the line says so."""
    osc = "osc: {controls: [{address: /a, command: next}]}\n"
    watcher, path, pad, said, fake = _osc_watched(tmp_path, TINY_SHOW + osc)
    _saved(watcher, path, TINY_SHOW + osc.replace("next", "prev"))
    assert said == [f"reloaded {path}: 3 presets; osc: section as saved: --osc-map {pad} is used over it"], said
    _saved(watcher, path, (TINY_SHOW + osc.replace("next", "prev")).replace("forest", "woods"))  # osc: as it was
    assert said[-1] == f"reloaded {path}: 3 presets", said


@pytest.mark.parametrize("opts, edit, said", [
    (RunOptions(fit="crop"), ("112x64}", "112x64, fit: stretch}"), "output fit: --fit crop overrides it"),
    (RunOptions(input="camera:1"), ("seed: 3", "seed: 3, input: camera:2"),
     "defaults input: --in camera:1 overrides it"),
    (RunOptions(serve=True), ("112x64}", "112x64, out: [window]}"),
     "output out: vcam serve (no output unless --out) overrides it"),
    (RunOptions(serve=True), ("presets:", "midi: {port: pads}\npresets:"),
     "midi port: vcam serve (the camera's machine opens a port) overrides it"),
    (RunOptions(midi="pads"), ("presets:", "midi: {port: other}\npresets:"), "midi port: --midi pads overrides it"),
])
def test_a_reload_names_what_the_command_line_or_vcam_serve_gives_over_a_start_setting(tmp_path, opts, edit, said):
    """The start settings a save changes that the command line (or vcam serve) gives anyway are said as overridden,
    not as waiting for the next start, where the file's value would not apply then either."""
    from dataclasses import replace

    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW)
    lines, fake = [], _Fake()
    opts = replace(opts, show=str(path), model="krea-14b")
    watcher = show_watcher(opts, "krea-14b", load_show(path), fake, fake, None, fake, lines.append)
    _saved(watcher, path, TINY_SHOW.replace(*edit))
    assert lines == [f"reloaded {path}: 3 presets; {said} at the next start"], lines


def test_an_edit_of_the_shows_midi_section_reaches_the_router(tmp_path):
    """No --midi-map: the router plays the show's midi: section as saved."""
    from vcam.live.showwatch import show_watcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW + "midi: {controls: [{note: 36, command: next}]}\n")
    show, said, fake = load_show(path), [], _Fake()
    router = SimpleNamespace(mapping=show.midi)
    watcher = show_watcher(RunOptions(show=str(path), midi="pads"), "tiny", show, fake, fake, router, fake, said.append)
    _saved(watcher, path, TINY_SHOW + "midi: {controls: [{note: 36, command: prev}]}\n")
    assert said == [f"reloaded {path}: 3 presets; MIDI map: note 36 now prev"], said
    assert str(router.mapping.buttons[0].command) == "prev"


@pytest.mark.parametrize("first", ["2026", '["vcam", "notes"]', '"vcam notes"'])
def test_a_control_log_over_a_file_whose_first_line_is_json_but_no_log_header_is_refused_and_the_file_kept(
        tmp_path, first):
    """Only a first line that is a log's header ({"vcam": ...}) is an older log --log-controls may replace: a
    notes file that starts with a year, a list or a quoted line is kept."""
    from vcam.live.showwrites import _no_log_in

    notes = tmp_path / "notes.txt"
    notes.write_text(first + "\nthe tour's notes\n")
    assert _no_log_in(str(notes)) == "it is not a control log (its first line is not a log's header)"
    assert _no_log_in(str(tmp_path / "new.jsonl")) is None  # no file yet: a new log


def test_a_save_that_fails_as_it_is_applied_again_is_said_in_one_line_as_the_same_problem(tmp_path):
    """Each save of a show that fails as it is applied (a full disk decoding its images) repeated the error: the
    second is one line, "the same problem", in the singular, and the show on air stays."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW)
    said = []

    def on_show(show, maps):
        raise OSError(28, "No space left on device")

    watcher = ShowWatcher(str(path), on_show, said.append, show=load_show(path))
    _saved(watcher, path, TINY_SHOW.replace("forest", "woods"))
    _saved(watcher, path, TINY_SHOW.replace("forest", "woods"))
    assert said[-1] == ("show file still not reloaded: the same problem as at the last save; the last good show "
                        "stays live"), said
    assert [p.name for p in watcher.show.presets] == ["city", "ocean", "forest"]


def test_the_files_both_maps_in_force_switch_to_are_among_those_the_show_reads(tmp_path):
    """--midi-map and --osc-map both in force: each map file, and the clip each one's button switches to, is a
    file the show reads, which no recording or control log may write over."""
    from vcam.control import midimap, oscmap
    from vcam.live.showreads import given_maps, read_files

    (tmp_path / "pads.mp4").write_bytes(b"")
    (tmp_path / "tablet.mp4").write_bytes(b"")
    pads, tablet = tmp_path / "pads.yaml", tmp_path / "tablet.yaml"
    pads.write_text("controls:\n  - {note: 36, command: 'input file:pads.mp4'}\n")
    tablet.write_text("controls:\n  - {address: /clip, command: 'input file:tablet.mp4'}\n")
    opts = RunOptions(midi="pads", midi_map=str(pads), osc="127.0.0.1:9", osc_map=str(tablet))
    in_force, every = given_maps(opts, (pads, midimap.load_map(pads)), (tablet, oscmap.load_map(tablet)))
    assert [g.flag for g in in_force] == [g.flag for g in every] == ["--midi-map", "--osc-map"]
    reads = {path for _, path in read_files(opts, SimpleNamespace(input="none", fallback=None), None, None, every)}
    assert {str(pads), str(tablet), str(tmp_path / "pads.mp4"), str(tmp_path / "tablet.mp4")} <= reads, reads


def test_a_show_file_watch_stopped_before_it_started_stops_and_one_started_has_ended_once_stopped(tmp_path):
    """A start refused after the watcher was made stops it unstarted; a show's end waits for its thread, which no
    save read after the end may reload into a show that has ended."""
    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW)
    unstarted = ShowWatcher(str(path), lambda show, maps: None, print, show=load_show(path))
    unstarted.stop()
    watcher = ShowWatcher(str(path), lambda show, maps: None, print, show=load_show(path))
    watcher.start()
    watcher.stop()
    assert not watcher._thread.is_alive()


def test_the_clip_a_cue_switches_to_is_a_file_the_show_reads_and_its_other_commands_are_not(tmp_path):
    """A recording over the clip a cue plays later would be read back as the cue's input: it is among the files
    the show reads (named as the cue's), and a cue's preset or strength names no file."""
    from vcam.live.showreads import show_reads

    (tmp_path / "loop.mp4").write_bytes(b"")
    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW + "cues:\n  - {do: 'preset ocean'}\n  - {do: ['strength 0.5', 'input file:loop.mp4']}\n")
    cued = [(what, file) for what, file in show_reads(str(path), load_show(path)) if what.startswith("a cue's")]
    assert [file for _, file in cued] == [str(tmp_path / "loop.mp4")], cued
