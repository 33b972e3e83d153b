"""Editing the show file on air: what a save that cannot be read is told as, and what the reload's line says of a
save that loads."""
from __future__ import annotations

import os

import pytest

from test_show import NOT_WHOLE, _problems_of
from vcam.control.actions import SetBias, SetStrength
from vcam.control.show import load_show

SHOW = "presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: waves \U0001f600 by night}\n"


def _told_utf32(path, iconv: str) -> str:
    """How a show file saved as UTF-32 is told, with the iconv that makes it UTF-8."""
    return (f"{path}:1: the file is UTF-32 text, not UTF-8 (three bytes of every four are 0); save it as UTF-8 (in "
            f"the editor's Save As, or: iconv -f {iconv} -t utf-8 FILE > NEW.yaml)")


@pytest.mark.parametrize("encoding, data, iconv", [
    ("utf-32-le", SHOW.encode("utf-32-le"), "utf-32le"),
    ("utf-32-be", SHOW.encode("utf-32-be"), "utf-32be"),
    ("ascii utf-32-le", SHOW.replace("\U0001f600 ", "").encode("utf-32-le"), "utf-32le"),
    ("utf-32 with its mark", SHOW.encode("utf-32"), "utf-32le")], ids=lambda v: v if isinstance(v, str) else "")
def test_a_utf32_show_file_is_told_as_utf32_with_its_fix(tmp_path, encoding, data, iconv):
    """UTF-32 saved by a script: an ASCII letter then an emoji makes a run of four NULs, told as a file not
    written whole (save it again: the same file again); ASCII alone was told UTF-16, with an iconv that garbles it."""
    path = tmp_path / "show.yaml"
    assert _problems_of(path, data) == [_told_utf32(path, iconv)]


def test_a_utf32_file_cut_short_is_still_told_not_written_whole(tmp_path):
    """Zeros after the text are no UTF-32 character: the file is not written whole."""
    path = tmp_path / "show.yaml"
    data = SHOW.replace("\U0001f600 ", "").encode("utf-32-le")
    assert _problems_of(path, data[:40] + bytes(64))[0].endswith(NOT_WHOLE)


@pytest.mark.parametrize("data, iconv", [
    (SHOW.encode("utf-32")[:-1], "utf-32le"), (SHOW.replace("\U0001f600 ", "").encode("utf-32-le")[:-2], "utf-32le"),
    (SHOW.replace("\U0001f600 ", "").replace("night}", "nigh\u0100}").encode("utf-32-le"), "utf-32le")],
    ids=["marked, cut", "ascii, cut", "U+0100"])
def test_a_utf32_file_cut_mid_character_or_with_a_wide_letter_is_told_as_utf32_on_its_first_line(tmp_path, data,
                                                                                                  iconv):
    """A UTF-32 save cut in its last character was told UTF-16, with an iconv that garbles it; one with a letter past
    U+00FF was told on that letter's line, where the whole file is UTF-32."""
    path = tmp_path / "show.yaml"
    assert _problems_of(path, data) == [_told_utf32(path, iconv)]


def test_a_run_of_nuls_in_the_middle_is_told_where_it_starts_and_how_long_it_is(tmp_path):
    """A stray NUL in a prompt, then a block of zeros a share left unwritten: the first NUL's line and column were
    said (line 2, "from column 25 on"), which is neither where the file stops being text nor to its end."""
    path = tmp_path / "show.yaml"
    data = (b"presets:\n  - {name: a, prompt: \"x\0y\"}\n  - {name: b, prompt: y}\n" + bytes(40)
            + b"\n  - {name: c, prompt: z}\n")
    assert _problems_of(path, data) == [
        f"{path}:4: 40 NUL bytes (0) from column 1, where text should be: {NOT_WHOLE}"]
    # to the end of the file: "on", as before
    assert _problems_of(path, b"presets:\n  - {name: a, prompt: x}\n" + bytes(64)) == [
        f"{path}:3: NUL bytes (0) from column 1 on, where text should be: {NOT_WHOLE}"]


def test_a_show_folder_moved_away_and_back_is_said_back_not_saved(tmp_path):
    """The show's folder renamed away (said deleted or renamed), then back as it was: "saved with no change",
    though no one saved it."""
    from vcam.control.reload import ShowWatcher

    folder = tmp_path / "set"
    folder.mkdir()
    path = folder / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: x}\n")
    said: list[str] = []
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(path))
    folder.rename(tmp_path / "away")
    watcher.poll(), watcher.poll()
    (tmp_path / "away").rename(folder)
    watcher.poll(), watcher.poll()
    assert said == [f"{path} was deleted or renamed: the last good show stays live, and a save of {path} is read "
                    "again", f"{path} is back, as the show runs it: nothing applied"], said
    path.write_text("presets:\n  - {name: a, prompt: x}\n# saved\n")
    path.touch()
    watcher.poll(), watcher.poll()
    assert said[-1] == f"{path} saved with no change to the show: nothing applied", said


def test_a_show_file_that_cannot_be_read_is_said_so_not_deleted(tmp_path, monkeypatch):
    """A show on a network share that fails (an I/O error, a stale handle) was said "deleted or renamed", sending
    the operator to look for a file that is there; once it reads again, it is said readable again (it was said
    back, as a file deleted is)."""
    import errno

    from vcam.control.reload import ShowWatcher

    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - {name: a, prompt: x}\n")
    said: list[str] = []
    watcher = ShowWatcher(str(path), lambda show, maps: None, said.append, show=load_show(path))
    stat = os.stat

    def failing(name, *args, **kwargs):
        if os.fspath(name) == str(path):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(path))
        return stat(name, *args, **kwargs)

    monkeypatch.setattr(os, "stat", failing)
    watcher.poll(), watcher.poll()
    monkeypatch.setattr(os, "stat", stat)
    watcher.poll(), watcher.poll()
    assert said == [f"{path} cannot be read ({os.strerror(errno.EIO)}): the last good show stays live, and the file "
                    "is read again once it can be",
                    f"{path} is readable again, as the show runs it: nothing applied"], said


@pytest.mark.parametrize("edit, said", [
    (("seed: 7, ", ""), "preset 1 'a' on air no longer gives its seed: seed 42 stays on air"),
    (("seed: 7, strength: 0.4, ", ""),
     "preset 1 'a' on air no longer gives its seed or strength: seed 42, strength 0.6 stay on air"),
    (("seed: 7, strength: 0.4, input: none, ", ""), "preset 1 'a' on air no longer gives its seed, input or "
     "strength: seed 42, text only, strength 0.6 stay on air")],
    ids=["seed", "seed and strength", "three"])
def test_a_seed_taken_out_of_the_preset_on_air_is_said_to_stay(edit, said):
    """`seed:` taken out of the preset on air: a preset without one keeps the seed on air, so the old one stayed,
    and the reload's line said nothing of it (the operator took the edit for applied)."""
    import threading

    from helpers import RecordingProducer
    from vcam.control.controller import Controller, ShowState
    from vcam.control.show import parse_show

    text = "presets:\n  - {name: a, seed: 7, strength: 0.4, input: none, prompt: x}\n  - {name: b, prompt: y}\n"
    show = parse_show(text, "show.yaml")
    ctl = Controller(show, ShowState(prompts={"x": 1.0}, preset=0, seed=42, strength=0.6), RecordingProducer(),
                     threading.Event(), lambda s: None)
    assert ctl.replace_show(parse_show(text.replace(*edit), "show.yaml")) == [said]
    assert (ctl.state.seed, ctl.state.strength) == (42, 0.6)
    # an edit elsewhere says nothing of it again
    assert ctl.replace_show(parse_show(text.replace(*edit).replace("b, ", "b, seed: 3, "), "show.yaml")) == []


def _osc(text: str):
    from vcam.control import oscmap
    from vcam.control.yamlcheck import Reader

    r = Reader("map.yaml")
    mapping = oscmap.read_map(r, r.compose(text), "osc", None)
    assert r.problems == []
    return mapping


def _midi(text: str):
    from vcam.control import midimap
    from vcam.control.yamlcheck import Reader

    r = Reader("map.yaml")
    mapping = midimap.read_map(r, r.compose(text), "midi", None)[0]
    assert r.problems == []
    return mapping


FADER = "controls:\n  - {address: /x, param: strength}\n"


@pytest.mark.parametrize("before, after, said", [
    (FADER, FADER + "  - {address: /x, command: next}\n", "/x button next added"),
    (FADER + "  - {address: /x, command: next}\n", FADER + "  - {address: /x, command: prev}\n", "/x button now prev"),
    (FADER + "  - {address: /x, command: next}\n", FADER, "/x button next removed"),
    (FADER + "  - {address: /x, command: next}\n",
     FADER.replace("strength", "seed") + "  - {address: /x, command: next}\n", "/x fader now seed")],
    ids=["added", "changed", "removed", "fader changed"])
def test_a_button_at_a_faders_osc_address_is_said_as_a_button(before, after, said):
    """A button added at a fader's address read "/x now strength and next", as if one control now moved both."""
    from vcam.control.reload import map_changed

    assert map_changed(_osc(before), _osc(after)) == said


@pytest.mark.parametrize("before, after, said", [
    (FADER, FADER.replace("}", ", range: [0.2, 0.8], curve: exp}"), "/x range now 0.2 to 0.8 and curve now exp"),
    ("controls:\n  - {cc: 16, param: transition}\n  - {cc: 20, command: next}\n",
     "controls:\n  - {cc: 16, param: transition, bits: 14}\n  - {cc: 20, command: next, toggle: true}\n",
     "cc 16 now 14-bit, cc 20 now a toggle"),
    ("controls:\n  - {address: /b, command: next}\n",
     "controls:\n  - {address: /b, command: next, release: 'prompt " + "a very long prompt " * 5 + "'}\n",
     "/b release now prompt a very long prompt a very long pr…"),
    ("light: {velocity: 127}\ncontrols:\n  - {note: 1, command: freeze}\n  - {note: 3, command: live}\n",
     "controls:\n  - {note: 1, command: freeze, light: {velocity: 5, channel: 7}}\n  - {note: 3, command: live}\n",
     "note 1 light now velocity 5 on channel 7, note 3 no light now")],
    ids=["osc range and curve", "midi bits and toggle", "long release", "midi light"])
def test_a_control_whose_range_curve_or_bits_alone_changed_says_what_changed(before, after, said):
    """A save that changed only a fader's range and curve, or a knob's bits, read "changed", the operator left to
    guess what the save did to the control under the hand."""
    from vcam.control.reload import map_changed

    read = _osc if "address" in before else _midi
    assert map_changed(read(before), read(after)) == said


def test_ignore_patterns_and_program_changes_are_not_counted_as_controls():
    """Four `ignore:` patterns added read "4 controls added", and `program: presets` entries counted as controls."""
    from vcam.control.reload import map_changed

    assert map_changed(_osc(FADER), _osc(FADER + "ignore: [/1, /2, /3, /4]\n")) == "4 ignore patterns added"
    knob = "controls:\n  - {cc: 16, param: transition}\n"
    programs = "".join(f"  - {{program: presets, channel: {ch}}}\n" for ch in (1, 2, 3))
    assert map_changed(_midi(knob), _midi(knob + "  - {cc: 20, command: next}\n" + programs)) == \
        "1 control added, 3 program changes added"


def test_a_map_summary_that_fails_after_the_new_show_went_on_air_says_the_show_was_reloaded(tmp_path, monkeypatch):
    """An error telling what a save changed in the maps, raised once the new show was on air, was said "show file
    not reloaded; the last good show stays live", and the next save was compared with the show no longer on air."""
    from types import SimpleNamespace

    from helpers import TINY_SHOW
    from test_run import _saved

    from vcam.control import reload
    from vcam.live.settings import RunOptions
    from vcam.live.showwatch import show_watcher

    def broken(old, new):
        raise RuntimeError("no summary")

    monkeypatch.setattr(reload, "map_changed", broken)
    path = tmp_path / "show.yaml"
    path.write_text(TINY_SHOW + "midi: {controls: [{note: 36, command: next}]}\n")
    show, said, shows = load_show(path), [], []
    fake = SimpleNamespace(replace_show=lambda new: shows.append(new) or [], preload=lambda texts: None,
                           warm=lambda paths: None)
    router = SimpleNamespace(mapping=show.midi)
    watcher = show_watcher(RunOptions(show=str(path), midi="pads"), "tiny", show, fake, fake, router, fake, said.append)
    edited = TINY_SHOW + "midi: {controls: [{note: 36, command: prev}]}\n"
    _saved(watcher, path, edited)
    assert said == [f"reloaded {path}: 3 presets; what the save changed in the maps cannot be said (RuntimeError: "
                    "no summary)"], said
    assert len(shows) == 1 and watcher.show == shows[0] == load_show(path)
    _saved(watcher, path, edited + "# a comment\n")  # compared with the show on air: nothing to apply
    assert said[-1] == f"{path} saved with no change to the show: nothing applied" and len(shows) == 1, said


def test_a_show_file_that_is_a_link_is_named_with_the_file_it_links_to(tmp_path):
    """The show run as show.yaml, a link to the set's file: a save that did not load, and the set's file renamed,
    named the link alone, not the file the operator has open."""
    real = tmp_path / "sets" / "tour.yaml"
    real.parent.mkdir()
    link = tmp_path / "show.yaml"
    link.symlink_to(real)
    said, save = _watched(real, "presets:\n  - {name: a, prompt: x}\n", link)
    named = f"{link} (-> {os.path.realpath(real)})"
    save("presets:\n  - {name: a, prompt: x, seed: x}\n")
    assert said[-1].startswith(f"show file {named} not reloaded, the last good show stays live:\n  {link}:2:"), said
    real.rename(real.with_name("old.yaml"))
    save(None)
    assert said[-1] == (f"{named} was deleted or renamed: the last good show stays live, and a save of {link} is read "
                        "again"), said


def _watched(path, text: str, watched=None):
    """The show file `text` written at `path` and watched (as `watched`, a link to it, where given): what the
    watcher says, and a save of new text (None: no save, a look), seen as one save within the clock's grain too."""
    from vcam.control.reload import ShowWatcher

    path.write_text(text)
    said: list[str] = []
    watcher = ShowWatcher(str(watched or path), lambda show, maps: None, said.append, show=load_show(path))

    def save(new: str | None) -> None:
        if new is not None:
            path.write_text(new)
            os.utime(path, ns=(10**18 + len(said),) * 2)
        watcher.poll(), watcher.poll()

    return said, save


def test_a_show_run_by_a_relative_path_reads_the_folder_that_path_names_after_it_is_replaced(tmp_path, monkeypatch):
    """`vcam run show.yaml` from the folder of a USB stick: the stick pulled and plugged back in is mounted at the
    same path, while the show's working folder stays the old one's. Saves there were read from the old folder (not
    one reloaded, nothing said); the show's path names the folder as it was when the show started."""
    from vcam.control.reload import ShowWatcher

    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    monkeypatch.chdir(stick)
    said: list[str] = []
    shows: list = []
    watcher = ShowWatcher("show.yaml", lambda show, maps: shows.append(show), said.append,
                          show=load_show(stick / "show.yaml"))
    stick.rename(tmp_path / "pulled")  # the working folder goes with it, as a stick unmounted keeps it
    watcher.poll(), watcher.poll()
    stick.mkdir()  # plugged back in, and the show saved there
    (stick / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n")
    watcher.poll(), watcher.poll()
    assert said[0] == ("show.yaml was deleted or renamed: the last good show stays live, and a save of show.yaml is "
                       "read again"), said
    assert said[-1] == "reloaded show.yaml: 2 presets", said
    assert [s.presets[-1].name for s in shows] == ["b"]
    (stick / "show.yaml").write_text("presets:\n  - {name: a, prompt: x, seed: x}\n")
    watcher.poll(), watcher.poll()
    assert said[-1].startswith("show file not reloaded, the last good show stays live:\n  show.yaml:2: "), said


def test_a_show_run_by_a_relative_path_is_not_said_reloaded_as_its_watch_starts(tmp_path, monkeypatch):
    """The show file unchanged since the show read it: its first look reloads nothing and says nothing."""
    from vcam.control.reload import ShowWatcher

    (tmp_path / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    monkeypatch.chdir(tmp_path)
    said: list[str] = []
    watcher = ShowWatcher("show.yaml", lambda show, maps: None, said.append, show=load_show("show.yaml"))
    watcher.saved_since_load()
    watcher.poll(), watcher.poll()
    assert said == []


def _watched_with_a_relative_map(folder, monkeypatch):
    """`vcam run show.yaml --midi-map pads.yaml` started in `folder`: the given maps, the lines said and the
    show's watcher."""
    from pathlib import Path

    from vcam.control.midimap import load_map
    from vcam.control.reload import ShowWatcher
    from vcam.live.settings import RunOptions
    from vcam.live.showreads import given_maps

    (folder / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    (folder / "pads.yaml").write_text("controls:\n  - {note: 36, command: next}\n")
    monkeypatch.chdir(folder)
    opts = RunOptions(show="show.yaml", midi="pads", midi_map="pads.yaml")
    given, _ = given_maps(opts, (Path("pads.yaml"), load_map(Path("pads.yaml"))), None)
    said: list[str] = []
    watcher = ShowWatcher("show.yaml", lambda show, maps: None, said.append, show=load_show("show.yaml"),
                          given=given)
    return given, said, watcher


def test_a_midi_map_given_by_a_relative_path_is_read_again_from_the_stick_plugged_back_in(tmp_path, monkeypatch):
    """`vcam run show.yaml --midi-map pads.yaml` from a USB stick's folder: after the stick came back at the same
    path, a save of the map was read from the old folder and never applied."""
    stick = tmp_path / "stick"
    stick.mkdir()
    given, said, watcher = _watched_with_a_relative_map(stick, monkeypatch)
    stick.rename(tmp_path / "pulled")
    watcher.poll(), watcher.poll()
    stick.mkdir()
    (stick / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    (stick / "pads.yaml").write_text("controls:\n  - {note: 36, command: back}\n")
    watcher.poll(), watcher.poll()
    assert [str(b.command) for b in given[0].mapping.buttons] == ["back"], said


def test_a_midi_map_given_by_a_relative_path_is_named_as_given_by_the_reloads_lines(tmp_path, monkeypatch):
    """`--midi-map pads.yaml`: a save of it that fails, then one that loads, then its deletion are said with
    pads.yaml, as the command line gave it (they named it by its whole path from /)."""
    _, said, watcher = _watched_with_a_relative_map(tmp_path, monkeypatch)

    def save(text: str) -> None:
        (tmp_path / "pads.yaml").write_text(text)
        os.utime(tmp_path / "pads.yaml", ns=(10**18 + len(said),) * 2)
        watcher.poll(), watcher.poll()

    save("controls:\n  - {note: 36, command: bogus}\n")
    save("controls:\n  - {note: 36, command: back}\n")
    (tmp_path / "pads.yaml").unlink()
    watcher.poll(), watcher.poll()
    assert said == [
        "map file pads.yaml not reloaded, the last good show stays live:\n  pads.yaml:2: MIDI map control 1 command: "
        "unknown command 'bogus'; type 'help' for the list",
        "fixed: reloaded show.yaml (pads.yaml saved): 1 preset",
        "pads.yaml was deleted or renamed: the last good show stays live, and a save of pads.yaml is read again"]


def test_a_show_and_a_map_given_from_the_dot_folder_are_named_as_given_by_a_broken_saves_lines(tmp_path, monkeypatch):
    """`vcam run ./show.yaml --midi-map ./pads.yaml` (a shell's completion): a save of either that fails was said
    with the file's whole path from /, the `./` of the watched path dropped as the file was read."""
    from pathlib import Path

    from vcam.control.midimap import load_map
    from vcam.control.reload import GivenMap, ShowWatcher

    show, pads = tmp_path / "show.yaml", tmp_path / "pads.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\n")
    pads.write_text("controls:\n  - {note: 36, command: next}\n")
    monkeypatch.chdir(tmp_path)
    said: list[str] = []
    watcher = ShowWatcher("./show.yaml", lambda show, maps: None, said.append, show=load_show("./show.yaml"),
                          given=[GivenMap("--midi-map", "./pads.yaml", "./pads.yaml", load_map,
                                          load_map(Path("./pads.yaml")))])
    for n, (path, text) in enumerate([(pads, "controls:\n  - {note: 36, command: bogus}\n"),
                                      (show, "presets:\n  - {name: a, prompt: x, seed: x}\n")]):
        path.write_text(text)
        os.utime(path, ns=(10**18 + n,) * 2)
        watcher.poll(), watcher.poll()
    assert [line.split("\n  ")[1].split(": ")[0] for line in said] == ["./pads.yaml:2", "./show.yaml:2"], said


def test_a_show_given_from_the_dot_folder_saved_unchanged_is_said_unchanged(tmp_path, monkeypatch):
    """`vcam run ./show.yaml`, the file saved as it was: the show read again was named ./show.yaml and the one on
    air show.yaml, so the two never compared equal and every such save was reloaded and said so."""
    from vcam.control.reload import ShowWatcher

    show = tmp_path / "show.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\n")
    monkeypatch.chdir(tmp_path)
    said: list[str] = []
    shows: list = []
    watcher = ShowWatcher("./show.yaml", lambda show, maps: shows.append(show), said.append,
                          show=load_show("./show.yaml"))
    os.utime(show, ns=(10**18,) * 2)
    watcher.poll(), watcher.poll()
    assert said == ["./show.yaml saved with no change to the show: nothing applied"] and shows == [], said


def test_a_show_and_a_map_given_through_a_link_then_up_a_folder_are_read_where_the_link_leads(tmp_path, monkeypatch):
    """`vcam run link/../show.yaml --midi-map link/../pads.yaml`, link a link to real/sub: the files read are in
    real/, where the system takes `..` after the link; their saves were not read (`..` taken as leaving `link`)."""
    from vcam.control.midimap import load_map
    from vcam.control.reload import GivenMap, ShowWatcher

    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "real" / "sub")
    show, pads = tmp_path / "real" / "show.yaml", tmp_path / "real" / "pads.yaml"
    show.write_text("presets:\n  - {name: a, prompt: x}\n")
    pads.write_text("controls:\n  - {note: 36, command: next}\n")
    monkeypatch.chdir(tmp_path)
    given = [GivenMap("--midi-map", "link/../pads.yaml", "link/../pads.yaml", load_map, load_map(pads))]
    said: list[str] = []
    watcher = ShowWatcher("link/../show.yaml", lambda show, maps: None, said.append,
                          show=load_show("link/../show.yaml"), given=given)
    show.write_text("presets:\n  - {name: a, prompt: x}\n  - {name: b, prompt: y}\n")
    os.utime(show, ns=(10**18,) * 2)
    watcher.poll(), watcher.poll()
    pads.write_text("controls:\n  - {note: 36, command: back}\n")
    os.utime(pads, ns=(10**18,) * 2)
    watcher.poll(), watcher.poll()
    assert said == ["reloaded link/../show.yaml: 2 presets",
                    "reloaded link/../show.yaml (link/../pads.yaml saved): 2 presets"], said
    assert [str(b.command) for b in given[0].mapping.buttons] == ["back"]


def test_a_show_started_in_a_folder_deleted_since_still_starts_its_watch(tmp_path, monkeypatch):
    """The folder `vcam run show.yaml --midi-map pads.yaml` started in deleted as the model loaded: the show goes on,
    its files watched as missing (it ended, the working folder not to be found)."""
    from pathlib import Path

    from vcam.control.midimap import load_map
    from vcam.control.reload import GivenMap, ShowWatcher

    start = tmp_path / "start"
    start.mkdir()
    monkeypatch.chdir(start)
    Path("show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    Path("pads.yaml").write_text("controls:\n  - {note: 36, command: next}\n")
    show, pads = load_show("show.yaml"), load_map(Path("pads.yaml"))
    for name in ("show.yaml", "pads.yaml"):
        (start / name).unlink()
    start.rmdir()
    said: list[str] = []
    watcher = ShowWatcher("show.yaml", lambda show, maps: None, said.append, show=show,
                          given=[GivenMap("--midi-map", "pads.yaml", "pads.yaml", load_map, pads)])
    watcher.poll(), watcher.poll()
    assert said == [] and watcher.watched() == ["show.yaml", "pads.yaml"]


def test_a_show_run_by_a_relative_path_whose_folder_comes_back_as_it_was_is_said_back(tmp_path, monkeypatch):
    """The stick pulled and plugged back in, the show on it as the show runs it: "back", not "saved"."""
    from vcam.control.reload import ShowWatcher

    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    monkeypatch.chdir(stick)
    said: list[str] = []
    watcher = ShowWatcher("show.yaml", lambda show, maps: None, said.append, show=load_show("show.yaml"))
    stick.rename(tmp_path / "pulled")
    watcher.poll(), watcher.poll()
    stick.mkdir()
    (stick / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    watcher.poll(), watcher.poll()
    assert said[-1] == "show.yaml is back, as the show runs it: nothing applied", said


@pytest.mark.parametrize("name, meant", [(".show.yaml.swp", "show.yaml"), (".show.yaml.swo", "show.yaml"),
                                         ("odd-name", None)])
def test_a_vim_swap_file_given_as_the_show_names_the_file_vim_has_open(tmp_path, name, meant):
    """`vcam run .show.yaml.swp` (vim's record of an edit under way, its name completed by the shell): told "not
    written whole, save it again from the editor", which no save of it makes true."""
    path = tmp_path / name
    header = b"b0VIM 9.0\0\0\0\0\x10\0\0" + bytes(200) + b"\0" * 100
    problems = _problems_of(path, header)
    file = f"{tmp_path / meant}" if meant else "the file vim has open"
    assert problems == [f"{path}:1: this is vim's swap file (what vim keeps of an edit under way), not the file "
                        f"itself: give {file}"], problems


@pytest.mark.parametrize("indent, said", [
    ("\u00a0\u00a0\u00a0 ", "a no-break space (U+00A0, column 1)"),
    ("  \u2003 ", "an em space (U+2003, column 3)"),
    ("\ufeff   ", "a zero width no-break space (U+FEFF, column 1)")], ids=["no-break", "em", "byte order mark"])
def test_an_indent_of_spaces_yaml_does_not_take_as_spaces_is_said_at_its_line(tmp_path, indent, said):
    """A preset copied from a web page or a chat: its no-break spaces read as part of the key ("show: unknown key
    '\\xa0\\xa0\\xa0 prompt'", and the preset said to have no prompt), a line's own byte order mark as a broken list."""
    path = tmp_path / "show.yaml"
    data = f"presets:\n  - name: a\n    prompt: x\n  - name: b\n{indent}prompt: y\n".encode()
    assert _problems_of(path, data) == [
        f"{path}:5: {said} in the indentation, which YAML does not take for a space; retype the indentation with "
        "plain spaces (a web page or a chat pastes such spaces)"]


@pytest.mark.parametrize("dash", ["\u2013", "\u2014"])
def test_a_list_item_marked_with_a_typographic_dash_is_said_as_one(tmp_path, dash):
    """"– name: a" (a word processor's autocorrect of "- "): told a ': ' inside a value reads as a new key."""
    path = tmp_path / "show.yaml"
    data = f"presets:\n  - name: a\n    prompt: x\n  {dash} name: b\n    prompt: y\n".encode()
    assert _problems_of(path, data) == [
        f"{path}:4: a dash ({dash}, U+{ord(dash):04X}) where a list item starts with a hyphen (-); type a plain - "
        "(a word processor's autocorrect makes such dashes)"]


@pytest.mark.parametrize("line, number, said", [
    ("  - name:\u00a0b\n    prompt: y\n", 4, "a no-break space (U+00A0, column 10) after name:"),
    ("  - name: b\n    prompt:\u202fy\n", 5, "a narrow no-break space (U+202F, column 12) after prompt:")])
def test_a_no_break_space_after_a_keys_colon_is_said_at_its_line(tmp_path, line, number, said):
    """`name:` and a no-break space (macOS's Option+Space, a web page's): told a ': ' inside a value reads as a new
    key, at the line after it, or that a ':' was missing; the line retyped with a plain space loads."""
    path = tmp_path / "show.yaml"
    text = "presets:\n  - name: a\n    prompt: x\n" + line
    assert _problems_of(path, text.encode()) == [
        f"{path}:{number}: {said}, which YAML does not take for the space a key needs (it read "
        f"{said.rsplit(' ', 1)[1]} and what follows as one text); retype it as a plain space"]
    path.write_text(text.replace("\u00a0", " ").replace("\u202f", " "))
    assert [p.name for p in load_show(path).presets] == ["a", "b"]


def test_a_no_break_space_in_a_list_items_value_with_a_colon_is_offered_the_value_without_it(tmp_path):
    """`- file:\xa0out.mp4` under out: was told to retype the space as a plain one, and `- file: out.mp4` was then
    refused; it is offered file:out.mp4 again, which loads."""
    path = tmp_path / "show.yaml"
    text = "presets: [{name: a, prompt: x}]\noutput:\n  out:\n    - file:\u00a0out.mp4\n"
    assert _problems_of(path, text.encode()) == [
        f"{path}:4: output 'file:\\xa0out.mp4': a space after the colon is read as part of the name; did you mean "
        "file:out.mp4?"]
    path.write_text(text.replace("\u00a0", ""))
    assert len(load_show(path).output.out) == 1


@pytest.mark.parametrize("do", ["  - do:\n      - seed:\u00a05\n", "  - do:\n    - next\n    - seed:\u00a05\n"])
def test_a_no_break_space_after_a_command_word_in_a_do_list_is_offered_the_command(tmp_path, do):
    """`- seed:\xa05` in a cue's do: list was told to retype the space as a plain one, and `- seed: 5` was then
    refused as a mapping; it is told the command is unknown and offered seed 5, which loads."""
    path = tmp_path / "show.yaml"
    text = "presets: [{name: a, prompt: x}]\ncues:\n" + do
    said = _problems_of(path, text.encode())
    assert len(said) == 1 and "unknown command 'seed:' (did you mean seed 5?)" in said[0]
    path.write_text(text.replace("seed:\u00a05", "seed 5"))
    assert len(load_show(path).cues) == 1


def test_a_prompt_whose_text_holds_no_break_spaces_and_dashes_is_read_as_written(tmp_path):
    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - name: a\n    prompt: >-\n      city \u2013 night,\n      \u00a0fog\n")
    assert load_show(path).presets[0].prompts == {"city \u2013 night, \u00a0fog": 1.0}


def test_a_folded_prompt_line_that_starts_with_a_dash_is_the_prompts_own(tmp_path):
    path = tmp_path / "show.yaml"
    path.write_text("presets:\n  - name: a\n    prompt: >-\n      city at night\n      \u2013 rain on glass\n")
    assert load_show(path).presets[0].prompts == {"city at night \u2013 rain on glass": 1.0}


@pytest.mark.parametrize("prompt, read", [
    ("|\n      city\n      \u2013 lighting: soft\n", "city\n\u2013 lighting: soft"),
    ("\"city\n      \u00a0mood: calm\"", "city \u00a0mood: calm"),
    ("'city\n      \u2014 {soft}'", "city \u2014 {soft}"),
    ("city\n      \u2013 {soft}", "city \u2013 {soft}")], ids=["block", "double quoted", "single quoted", "plain"])
def test_a_prompt_line_that_reads_as_a_key_after_an_odd_space_or_dash_is_the_prompts_own(tmp_path, prompt, read):
    """A line inside a prompt is the prompt's text, whatever it starts with: such a show was refused, told to retype
    an indentation or a list item's hyphen that are not there."""
    path = tmp_path / "show.yaml"
    path.write_text(f"presets:\n  - name: a\n    prompt: {prompt}\n  - name: b\n    prompt: y\n")
    assert [p.prompts for p in load_show(path).presets] == [{read: 1.0}, {"y": 1.0}]


@pytest.mark.parametrize("prompt", ["\"city\n      \u00a0mood: calm", "'city\n      \u2013 {soft}"],
                         ids=["double quoted", "single quoted"])
def test_a_prompt_line_inside_a_quote_never_closed_is_said_as_the_quote_left_open(tmp_path, prompt):
    """A quote left open reads to the file's end: its lines after the first were each taken as a line of the show,
    told to retype an indentation or a list item's hyphen, where the fix is the closing quote."""
    path = tmp_path / "show.yaml"
    data = f"presets:\n  - name: a\n    prompt: {prompt}\n  - name: b\n    prompt: y\n".encode()
    assert _problems_of(path, data) == [
        f"{path}:7: not valid YAML (found unexpected end of stream; the quoted text (is its closing quote missing?) "
        "started on line 3); check indentation, quotes and brackets"]


def test_an_odd_indentation_after_a_prompt_of_many_lines_is_still_said(tmp_path):
    """A block prompt's lines are passed over as its own only up to where the block ends: a line of the show after
    it, indented with a no-break space, is still said at its line with the fix (the block taken to run on past its
    end reads it as the prompt's, and the show is told of an unknown key '\\xa0   prompt' and a preset b with no
    prompt)."""
    path = tmp_path / "show.yaml"
    data = "presets:\n  - name: a\n    prompt: |\n      city\n  - name: b\n\u00a0   prompt: y\n".encode()
    assert _problems_of(path, data) == [
        f"{path}:6: a no-break space (U+00A0, column 1) in the indentation, which YAML does not take for a space; "
        "retype the indentation with plain spaces (a web page or a chat pastes such spaces)"]


def test_a_reloads_line_names_an_input_with_a_tab_in_its_files_name_escaped():
    """The reply to `input` says a tab in a file's name escaped; the reload's line printed it raw, read as spaces."""
    from vcam.control.actions import SetInput
    from vcam.control.showedit import in_words

    assert in_words(SetInput("file:/clips/take\t2.mp4")) == "input file:/clips/take\\t2.mp4"
    assert in_words(SetInput("image:/clips/a\x1b[2Jb.png")) == "input image:/clips/a\\x1b[2Jb.png"


@pytest.mark.parametrize("action, said", [(SetStrength(0.9999999), "strength 0.9999999"),
                                           (SetBias(0.12345678), "bias 0.12345678"),
                                           (SetStrength(12345 / 16383), "strength 0.754")])
def test_a_reloads_line_says_a_strength_or_bias_as_the_reply_to_the_command_does(action, said):
    """A show saved with strength 0.9999999 said "strength 1" on its reload's line (all input, where the reply to
    `strength 0.9999999` says it whole), and a bias of 0.12345678 said 0.123457."""
    from vcam.control.showedit import in_words

    assert in_words(action) == said


def test_a_note_a_save_on_air_brings_is_said_once_with_the_file_as_given(tmp_path, monkeypatch):
    """What reads but does nothing as written (a program entry given twice) is said at the start; brought by a save
    of the show or of --midi-map's file on air, it went unsaid."""
    given, said, watcher = _watched_with_a_relative_map(tmp_path, monkeypatch)
    twice = "  - {program: presets}\n  - {program: presets}\n"

    def save(name: str, text: str) -> None:
        (tmp_path / name).write_text(text)
        os.utime(tmp_path / name, ns=(10**18 + len(said),) * 2)
        watcher.poll(), watcher.poll()

    save("show.yaml", "presets:\n  - {name: a, prompt: x}\nmidi:\n  controls:\n" + twice)
    save("show.yaml", "presets:\n  - {name: a, prompt: y}\nmidi:\n  controls:\n" + twice)  # said already
    save("pads.yaml", "controls:\n" + twice)
    noted = [s for s in said if "again" in s]
    assert noted == ["show.yaml:6: midi control 2 is control 1 again (program: presets); it adds nothing: remove one",
                     "pads.yaml:3: MIDI map control 2 is control 1 again (program: presets); it adds nothing: remove "
                     "one"], said


def test_a_note_is_not_said_again_by_a_save_that_only_moves_its_line(tmp_path, monkeypatch):
    """A comment added above a program entry given twice moved its note's line, and the note was said again on
    every such save; one more of them is a note of its own, said."""
    given, said, watcher = _watched_with_a_relative_map(tmp_path, monkeypatch)
    twice = "  - {program: presets}\n  - {program: presets}\n"
    show = "presets:\n  - {name: a, prompt: x}\nmidi:\n  controls:\n" + twice

    def save(name: str, text: str) -> list[str]:
        before = len(said)
        (tmp_path / name).write_text(text)
        os.utime(tmp_path / name, ns=(10**18 + len(said),) * 2)
        watcher.poll(), watcher.poll()
        return [s for s in said[before:] if "again" in s]

    assert save("show.yaml", show) == [
        "show.yaml:6: midi control 2 is control 1 again (program: presets); it adds nothing: remove one"], said
    assert save("pads.yaml", "controls:\n" + twice) == [
        "pads.yaml:3: MIDI map control 2 is control 1 again (program: presets); it adds nothing: remove one"], said
    assert save("show.yaml", "# the set\n" + show) == [], said
    assert save("pads.yaml", "# pads\ncontrols:\n" + twice) == [], said
    assert save("show.yaml", "# the set\n" + show + "  - {program: presets}\n") == [
        "show.yaml:8: midi control 3 is control 1 again (program: presets); it adds nothing: remove one"], said


def test_a_save_with_a_cue_timing_glued_is_told_with_its_line(tmp_path, monkeypatch):
    """A save with `- prompt red sky@bar` as a cue was "not reloaded (CommandError: a timing is set apart...)", with
    no line of the file; it is said as the show file's problem, at its line."""
    from vcam.control.reload import ShowWatcher

    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\n")
    said: list[str] = []
    watcher = ShowWatcher("show.yaml", lambda show, maps: None, said.append, show=load_show(tmp_path / "show.yaml"))
    (tmp_path / "show.yaml").write_text("presets:\n  - {name: a, prompt: x}\ncues:\n  - prompt red sky@bar\n")
    watcher.poll(), watcher.poll()
    assert said[-1].startswith("show file not reloaded, the last good show stays live:\n  show.yaml:4: cue 1"), said
