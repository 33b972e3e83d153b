"""The shows and maps vcam ships, used from any install: a shipped show named by its name (`vcam run club`, which a
pip install needs: it has no presets/ folder), a file there winning over it, an unknown name answered with the
shipped names; and vcam's own presets found through its package, never a top-level presets/ another package put
into site-packages."""
import os
import shlex
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from vcam.cli import main
from vcam.control import shipped
from vcam.control.show import load_show
from vcam.control.shipped import presets_dir, shipped_shows, show_file
from vcam.control.yamlproblems import ConfigError
from vcam.live.showreads import show_reads

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT_SHOWS = sorted(p.stem for p in (ROOT / "presets").glob("*.yaml"))


def test_the_shipped_shows_are_the_checkouts_presets():
    assert presets_dir() == ROOT / "presets"
    assert shipped_shows() == CHECKOUT_SHOWS and "club" in CHECKOUT_SHOWS


@pytest.mark.parametrize("typed", ["club", "club.yaml", "club.yml"])
def test_a_shipped_shows_name_is_its_file_where_no_file_of_it_is_here(typed, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert show_file(typed) == str(ROOT / "presets" / "club.yaml")
    assert main(["check", typed]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{ROOT / 'presets' / 'club.yaml'}: show {load_show(ROOT / 'presets' / 'club.yaml').name!r}")
    assert out.rstrip().endswith("ok")


@pytest.mark.parametrize("command", [["run"], ["run", "--link"], ["run", "--prompt", "cats"], ["serve", "--no-stdin"]])
def test_run_and_serve_play_a_shipped_show_named_by_its_name(command, tmp_path, monkeypatch):
    """`--link club` and `--prompt cats club` too: the name is the show, no value of --link nor word of the
    prompt (which a name that is no file was taken for)."""
    monkeypatch.chdir(tmp_path)
    given = []

    def play(opts, attach):
        given.append(opts.show)
        return SimpleNamespace(error=None, busy=False, code=0)

    monkeypatch.setattr("vcam.live.run.play", play)
    monkeypatch.setattr("vcam.remote.attach.attachment", lambda settings: object())
    assert main([*command, "ambient"]) == 0
    assert given == [str(ROOT / "presets" / "ambient.yaml")]


@pytest.mark.parametrize("local", ["club", "club.yaml"])
def test_a_file_here_wins_over_the_shipped_show_of_its_name(local, tmp_path, monkeypatch, capsys):
    """A copy of a shipped show, edited, is the one meant (`vcam run club` with club.yaml here)."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / local).write_text("name: my club\npresets:\n  - {name: a, prompt: b}\n")
    assert show_file("club") == local
    assert main(["check", "club"]) == 0
    assert capsys.readouterr().out.startswith(f"{local}: show 'my club', 1 preset")


def test_a_folder_of_a_shipped_shows_name_is_said_as_a_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "club").mkdir()
    assert main(["check", "club"]) == 2
    assert "club: the show file is a folder" in capsys.readouterr().err


def test_a_name_that_is_neither_lists_the_shipped_shows(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "nothing-like-it"]) == 2
    err = capsys.readouterr().err
    assert f"nothing-like-it: the show file does not exist; check the path, or give the name of a show vcam ships: " \
           f"{', '.join(CHECKOUT_SHOWS)}" in err


def test_an_empty_show_name_is_said_as_empty_with_what_to_give(tmp_path, monkeypatch, capsys):
    """`vcam check "$SHOW"` with the variable unset said ": the show file does not exist", a name and a fix with
    nothing to check (vcam run and serve refuse it as their argument: tests/test_mutants_play.py)."""
    monkeypatch.chdir(tmp_path)
    assert main(["check", ""]) == 2
    err = capsys.readouterr().err
    assert "the show file's name is empty ('': an unset variable in a script?); give the path of a show file, or " \
           f"the name of a show vcam ships: {', '.join(CHECKOUT_SHOWS)}" in err, err
    assert ": the show file does not exist" not in err


@pytest.mark.parametrize("typed, fix", [
    ("clbu", "did you mean club, a show vcam ships?"),
    ("Ambient.yaml", "did you mean ambient, a show vcam ships?"),
    # README's checkout path on a pip install, which has no presets/ folder
    (os.path.join("presets", "club.yaml"), "did you mean club, a show vcam ships? (its name alone, without a folder)"),
])
def test_a_shipped_show_mistyped_or_given_a_folder_is_named(typed, fix, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as err:
        show_file(typed)
    assert err.value.problems == [f"{typed}: the show file does not exist; {fix}"]


def test_a_file_near_the_name_here_is_named_before_a_shipped_show(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clubb.yaml").write_text("presets: []\n")
    with pytest.raises(ConfigError) as err:
        show_file("clbub.yaml")
    assert err.value.problems == ["clbub.yaml: the show file does not exist; did you mean clubb.yaml?"]


@pytest.mark.parametrize("typed, meant", [("set", "set.yaml"), ("gig", "gig.yml"), ("Set", "set.yaml")])
def test_a_short_show_name_typed_without_its_ending_names_the_file_here(typed, meant, tmp_path, monkeypatch):
    """`vcam run set` beside set.yaml: a name too short for a near match was told only to check the path."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / meant).write_text("presets: []\n")
    with pytest.raises(ConfigError) as err:
        show_file(typed)
    assert err.value.problems == [f"{typed}: the show file does not exist; did you mean {meant}?"
                                  + (" (file names are case-sensitive)" if typed != typed.lower() else "")]


def test_a_show_path_from_the_home_folder_left_unexpanded_is_read_from_there(tmp_path, monkeypatch):
    """`SHOW="~/shows/gig.yaml"; vcam run "$SHOW"`: the shell leaves a quoted ~ alone, as it does in a service's
    command line; it was told the show file does not exist, where --midi-map and --fallback read ~ as home."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "home" / "shows").mkdir(parents=True)
    (tmp_path / "home" / "shows" / "gig.yaml").write_text("presets: []\n")
    assert show_file("~/shows/gig.yaml") == str(tmp_path / "home" / "shows" / "gig.yaml")
    (tmp_path / "~" / "shows").mkdir(parents=True)  # a folder named ~ here is what such a path names
    (tmp_path / "~" / "shows" / "gig.yaml").write_text("presets: []\n")
    assert show_file("~/shows/gig.yaml") == "~/shows/gig.yaml"


@pytest.mark.parametrize("name", CHECKOUT_SHOWS)
def test_every_file_a_shipped_show_reads_ships_with_it(name):
    """A shipped show naming a clip, an image or a map file beside it in the checkout reads it from the package's
    presets/ when installed: only files under presets/ go into the wheel."""
    path = show_file(name)
    outside = [(what, f) for what, f in show_reads(path, load_show(path))
               if not Path(f).resolve().is_relative_to(presets_dir())]
    assert outside == []


def _laid_out(root: Path, *folders: str) -> Path:
    """`root` holding vcam/control (where shipped.py finds vcam from) and `folders` of presets, each with a show
    and a MIDI map; the control folder's shipped.py path, to stand in for the module's own."""
    root = root.resolve()
    (root / "vcam" / "control").mkdir(parents=True)
    for folder in folders:
        (root / folder / "midi").mkdir(parents=True)
        (root / folder / f"{folder.replace('/', '-')}.yaml").write_text("presets: []\n")
        (root / folder / "midi" / "nanokontrol2.yaml").write_text("controls: []\n")
    return root / "vcam" / "control" / "shipped.py"


def test_a_wheels_presets_are_vcams_own_not_a_top_level_presets_folder(tmp_path, monkeypatch):
    """site-packages/presets (another package's) was looked at first and shadowed vcam's maps."""
    tmp_path = tmp_path.resolve()  # as presets_dir finds the module's file
    monkeypatch.setattr(shipped, "__file__", str(_laid_out(tmp_path, "presets", "vcam/presets")))
    assert presets_dir() == tmp_path / "vcam" / "presets"
    assert shipped.maps_dir("midi") == tmp_path / "vcam" / "presets" / "midi"
    assert shipped_shows() == ["vcam-presets"]


def test_a_top_level_presets_folder_is_not_vcams_even_where_the_wheel_lacks_its_own(tmp_path, monkeypatch):
    monkeypatch.setattr(shipped, "__file__", str(_laid_out(tmp_path, "presets")))
    assert shipped_shows() == []
    assert not shipped.maps_dir("midi").is_dir()


def test_a_checkouts_presets_sit_beside_the_package(tmp_path, monkeypatch):
    """An editable install or PYTHONPATH: vcam/ and presets/ side by side, told by the checkout's pyproject.toml."""
    tmp_path = tmp_path.resolve()
    monkeypatch.setattr(shipped, "__file__", str(_laid_out(tmp_path, "presets")))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert presets_dir() == tmp_path / "presets"
    assert shipped_shows() == ["presets"]
    assert (shipped.maps_dir("midi") / "nanokontrol2.yaml").is_file()


@pytest.mark.parametrize("argv, fix", [
    # a show file given, before --prompt or after its words: the shipped name is one of the prompt's words
    (["run", "--prompt", "neon", "club", "show.yaml"], "--prompt 'neon club' show.yaml"),
    (["run", "show.yaml", "--prompt", "neon", "club"], "--prompt 'neon club'"),
    (["serve", "club", "--prompt", "dark", "ambient"], "--prompt 'dark ambient'"),
    # among other words: the words, and the show they may have ended on
    (["run", "--prompt", "a", "neon", "club"], "--prompt 'a neon club' (or --prompt 'a neon' club, to play club, a "
                                               "show vcam ships)"),
])
def test_a_shipped_shows_name_among_a_prompts_words_is_said_as_one_of_them(argv, fix, tmp_path, monkeypatch,
                                                                            capsys):
    """The name counted as the show wherever it stood, and the rest was refused as no argument ("vcam run takes one
    SHOW.yaml", "--prompt takes one value"), where the fix to quote the prompt was said before."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").write_text("presets: []\n")
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    assert capsys.readouterr().err.rstrip().splitlines()[-1] == \
        f"vcam {argv[0]}: error: argument --prompt: a prompt of several words goes in quotes: {fix}"


@pytest.mark.parametrize("argv, smooth", [(["--smooth", "club"], "fade"), (["--smooth", "flow", "club"], "flow")])
def test_smooth_alone_before_a_shipped_shows_name_is_the_cross_fade(argv, smooth, tmp_path, monkeypatch):
    """`--smooth club` was refused as an unknown mode ("invalid choice: 'club'"), where `--smooth club.yaml` was
    the cross-fade on that show."""
    from vcam.cli import build_parser

    monkeypatch.chdir(tmp_path)
    args = build_parser().parse_args(["run", *argv])
    assert (args.smooth, args.show) == (smooth, "club")


def test_smooth_before_a_shipped_shows_name_in_vcam_cam_is_still_an_unknown_mode(capsys):
    """vcam cam plays no show: the word is said where it stands, as a mode --smooth has not."""
    with pytest.raises(SystemExit):
        main(["cam", "ws://127.0.0.1:8765", "--smooth", "club"])
    assert "argument --smooth: invalid choice: 'club'" in capsys.readouterr().err


def test_a_home_show_mistyped_is_offered_the_home_folders_file_not_one_in_a_folder_named_tilde(tmp_path,
                                                                                                monkeypatch):
    """`vcam run "~/shows/gigg.yaml"`: the near name was looked for in ./~/shows, a folder named ~ here (made by a
    script that quoted ~), and offered a file there that the run would not have read as meant."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "home" / "shows").mkdir(parents=True)
    (tmp_path / "home" / "shows" / "gig.yaml").write_text("presets: []\n")
    (tmp_path / "~" / "shows").mkdir(parents=True)
    (tmp_path / "~" / "shows" / "gigs.yaml").write_text("presets: []\n")
    with pytest.raises(ConfigError) as err:
        show_file("~/shows/gigg.yaml")
    assert err.value.problems == [f"~/shows/gigg.yaml: the show file does not exist; did you mean "
                                  f"{tmp_path / 'home' / 'shows' / 'gig.yaml'}?"]


@pytest.mark.parametrize("backup, kind", [("show.yaml~", "an editor's backup"), ("show.yaml.~3~", "an editor's backup"),
                                          ("show.yaml.bak", "a backup copy (.bak)"),
                                          ("show.yaml.orig", "a backup copy (.orig)")])
def test_a_shows_backup_beside_it_is_refused_with_the_show_file_offered(backup, kind, tmp_path, monkeypatch):
    """`vcam run show.yaml~` (tab completion's other offer) played the older copy without a word, and the edits
    saved to show.yaml never reached the show."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "shows").mkdir()
    (tmp_path / "shows" / "show.yaml").write_text("presets: [{name: a, prompt: edited}]\n")
    (tmp_path / "shows" / backup).write_text("presets: [{name: a, prompt: b}]\n")
    typed = os.path.join("shows", backup)
    with pytest.raises(ConfigError) as err:
        show_file(typed)
    real = os.path.join("shows", "show.yaml")
    assert err.value.problems == [
        f"{typed}: this is {kind} of {real}, an older copy that edits to {real} do not reach; did you mean {real}? "
        f"To play the backup itself, copy it to a show file of its own: cp {shlex.quote(typed)} "
        f"{os.path.join('shows', 'show-backup.yaml')}"]


@pytest.mark.parametrize("kind, what", [("midi", "a MIDI map file"), ("osc", "an OSC map file")])
def test_a_maps_backup_beside_it_is_refused_as_a_shows_is(kind, what, tmp_path, monkeypatch):
    """`--midi-map nano.yaml~` (tab completion's other offer) used the older map without a word, where the show's
    own backup is refused: the knob edited in nano.yaml did its old job on air."""
    from vcam.control.midimap import map_named as midi_named
    from vcam.control.oscmap import map_named as osc_named

    monkeypatch.chdir(tmp_path)
    shipped_map = presets_dir() / kind / ("nanokontrol2.yaml" if kind == "midi" else "touchosc-simple.yaml")
    (tmp_path / "nano.yaml~").write_text(shipped_map.read_text())
    (tmp_path / "nano.yaml").write_text(shipped_map.read_text() + "# edited\n")
    map_named = midi_named if kind == "midi" else osc_named
    with pytest.raises(ValueError) as err:
        map_named("nano.yaml~")
    assert str(err.value) == (f"nano.yaml~: this is an editor's backup of nano.yaml, an older copy that edits to "
                              f"nano.yaml do not reach; did you mean nano.yaml? To use the backup itself, copy it to "
                              f"{what} of its own: cp 'nano.yaml~' nano-backup.yaml")
    (tmp_path / "nano.yaml").write_text(shipped_map.read_text())  # the same bytes: no edit missed
    assert map_named("nano.yaml~")[0] == Path("nano.yaml~")


@pytest.mark.parametrize("kind, what", [("midi", "a MIDI map file"), ("osc", "an OSC map file")])
def test_a_maps_backup_a_show_names_is_refused_as_the_command_lines_is(kind, what, tmp_path):
    """A show's `map: nano.yaml~` read the older map without a word, where `--midi-map nano.yaml~` is refused: the
    knob edited in nano.yaml did its old job on air. The fix is said as the show's line to write."""
    shipped_map = presets_dir() / kind / ("nanokontrol2.yaml" if kind == "midi" else "touchosc-simple.yaml")
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "nano.yaml~").write_text(shipped_map.read_text())
    (tmp_path / "maps" / "nano.yaml").write_text(shipped_map.read_text() + "# edited\n")
    show = tmp_path / "show.yaml"
    show.write_text(f"presets: [{{name: a, prompt: b}}]\n{kind}: {{map: maps/nano.yaml~}}\n")
    with pytest.raises(ConfigError) as err:
        load_show(show)
    maps = tmp_path.resolve() / "maps"
    assert err.value.problems == [
        f"{show}:2: {maps / 'nano.yaml~'}: this is an editor's backup of {maps / 'nano.yaml'}, an older copy that "
        f"edits to {maps / 'nano.yaml'} do not reach; did you mean map: maps/nano.yaml? To use the backup itself, "
        f"copy it to {what} of its own: cp {shlex.quote(str(maps / 'nano.yaml~'))} {maps / 'nano-backup.yaml'}, and "
        "write map: maps/nano-backup.yaml"]
    (tmp_path / "maps" / "nano.yaml").write_text(shipped_map.read_text())  # the same bytes: no edit missed
    assert load_show(show).map_files == (str(maps / "nano.yaml~"),)


@pytest.mark.parametrize("name", ["gig.yaml~", "gig.yaml.bak", "notes.txt~"])
def test_a_backup_whose_show_file_is_gone_or_no_show_is_played_as_given(name, tmp_path, monkeypatch):
    """The show file deleted or renamed, its backup is the show left: played, not refused for a file not there."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("presets: [{name: a, prompt: b}]\n")
    (tmp_path / "notes.txt").write_text("")
    assert show_file(name) == name


def test_the_cp_line_for_a_backup_names_a_copy_no_file_has(tmp_path, monkeypatch):
    """The cp line offered show-backup.yaml whether or not a file of that name was there: pasted, it wrote over
    the copy made of an earlier backup."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").write_text("presets: [{name: a, prompt: b}]\n")
    (tmp_path / "show.yaml.bak").write_text("presets: [{name: a, prompt: older}]\n")
    for taken in ("show-backup.yaml", "show-backup-2.yaml"):
        (tmp_path / taken).write_text("presets: [{name: kept, prompt: mine}]\n")
    with pytest.raises(ConfigError) as err:
        show_file("show.yaml.bak")
    assert err.value.problems[0].endswith("cp show.yaml.bak show-backup-3.yaml")


def test_a_backup_the_same_as_its_show_file_is_played_as_given(tmp_path, monkeypatch):
    """A backup no edit has reached yet (saved once, unchanged since) was refused as "an older copy that edits do
    not reach", which it is not: the two are one show."""
    monkeypatch.chdir(tmp_path)
    for name in ("show.yaml", "show.yaml.bak"):
        (tmp_path / name).write_text("presets: [{name: a, prompt: b}]\n")
    assert show_file("show.yaml.bak") == "show.yaml.bak"


def test_a_backup_with_a_space_in_its_name_is_said_with_its_names_quoted_alike(tmp_path, monkeypatch):
    """`my show.yaml.orig`: the show file was named bare twice (`of my show.yaml`, two words to read) and quoted
    once, in the same line."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my show.yaml").write_text("presets: [{name: a, prompt: edited}]\n")
    (tmp_path / "my show.yaml.orig").write_text("presets: [{name: a, prompt: b}]\n")
    with pytest.raises(ConfigError) as err:
        show_file("my show.yaml.orig")
    assert err.value.problems == [
        "my show.yaml.orig: this is a backup copy (.orig) of 'my show.yaml', an older copy that edits to "
        "'my show.yaml' do not reach; did you mean 'my show.yaml'? To play the backup itself, copy it to a show file "
        "of its own: cp 'my show.yaml.orig' 'my show-backup.yaml'"]


def test_a_show_named_like_a_backup_in_its_middle_is_played(tmp_path, monkeypatch):
    """notes.bak.yaml is a show of its own, whatever notes.yaml beside it holds: a backup's mark ends its name."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.yaml").write_text("presets: [{name: a, prompt: edited}]\n")
    (tmp_path / "notes.bak.yaml").write_text("presets: [{name: a, prompt: b}]\n")
    assert show_file("notes.bak.yaml") == "notes.bak.yaml"


def test_a_backup_whose_show_file_is_a_folder_is_played(tmp_path, monkeypatch):
    """show.yaml a folder (a tool's output named after the show): no show file the backup is an older copy of."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "show.yaml").mkdir()
    (tmp_path / "show.yaml.bak").write_text("presets: [{name: a, prompt: b}]\n")
    assert show_file("show.yaml.bak") == "show.yaml.bak"
