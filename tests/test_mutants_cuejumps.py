"""Edges that mutation testing found no test for: `go N` / `go NAME` on the cue list, an image input saved again on
air, a typed kind with a space after it, stdout's failure at exit, a fallback image's refusals, a line typed while
the link is down, and a number cut by commas in a show file."""
import os
import threading
import time

import pytest

from helpers import wait_for
from test_cues import MANUAL, Rig
from test_inputs import H, W, _decoded, _solid_png
from vcam.control.commands import SHOWN_CHARS
from vcam.live.inputs import ImageSource
from vcam.live.inputs import clip as clip_module


# --- go N / go NAME ----------------------------------------------------------------------------------------------


def test_go_to_the_next_cue_by_number_says_nothing_skipped():
    """Going by number to the cue GO would fire anyway skips nothing: no "(cues 2-1 skipped)"."""
    with Rig(MANUAL) as rig:
        rig.cues.go()
        assert rig.cues.go(cue=2) == "cue 2/3 'swell': did preset ocean; did seed 5"
        assert rig.cues.go(cue="woods") == "cue 3/3 'woods': did preset forest"


def test_go_to_a_cue_on_a_bar_times_its_changes_as_go_on_a_bar_does():
    with Rig(MANUAL) as rig:
        rig.cues.go("bar", cue=2)
        assert rig.ran == [("cue 2", "preset ocean @bar"), ("cue 2", "seed 5 @bar")]


def test_go_to_a_missing_cue_of_a_list_that_is_done_says_so():
    with Rig(MANUAL) as rig:
        for _ in range(3):
            rig.cues.go()
        assert rig.cues.go(cue="nope") == ("error: no cue named 'nope'; the cues: 1 'open', 2 'swell', 3 'woods'; "
                                           "the list is done")
        assert rig.cues.go(cue=9) == "error: no cue 9: this show has cues 1 to 3; the list is done"


def test_go_past_the_only_cue_says_the_show_has_cue_1():
    with Rig("  - {name: solo, do: preset 1}\n") as rig:
        assert rig.cues.go(cue=2) == "error: no cue 2: this show has cue 1; go alone fires the next (cue 1)"


def test_a_cue_named_in_capitals_in_the_show_is_found_typed_in_small_letters():
    with Rig("  - {name: Intro, do: preset 1}\n  - {name: DROP, do: preset 2}\n") as rig:
        assert rig.cues.go(cue="drop") == "cue 2/2 'DROP' (cue 1 skipped): did preset 2"


TWICE = "  - {name: drop, do: preset 1}\n  - {name: calm, do: preset 2}\n  - {name: drop, do: preset 3}\n"


def test_go_to_a_name_two_cues_share_fires_the_first_from_the_next_cue_on():
    with Rig(TWICE) as rig:
        assert rig.cues.go(cue="drop").startswith("cue 1/3 'drop':")  # nothing fired yet: the first
        assert rig.cues.go(cue="drop").startswith("cue 3/3 'drop' (cue 2 skipped):")  # the next one on
        rig.cues.go(cue=2)
        assert rig.cues.go(cue="drop").startswith("cue 3/3 'drop':")  # the next cue itself


def test_go_to_a_name_two_cues_share_when_the_list_is_done_fires_the_first():
    with Rig(TWICE) as rig:
        for _ in range(3):
            rig.cues.go()
        assert rig.cues.go(cue="drop").startswith("cue 1/3 'drop':")


def _many(count: int) -> str:
    return "".join(f"  - {{name: c{n}, do: preset 1}}\n" for n in range(1, count + 1))


def test_a_missing_cue_of_a_long_list_names_twelve_cues_and_how_many_there_are():
    with Rig(_many(13)) as rig:
        reply = rig.cues.go(cue="nope")
    assert "12 'c12', … (13 in all); go alone" in reply and "'c13'" not in reply


def test_a_missing_cue_of_a_list_of_twelve_names_them_all_with_no_count():
    with Rig(_many(12)) as rig:
        reply = rig.cues.go(cue="nope")
    assert "12 'c12'; go alone fires the next (cue 1)" in reply and "in all" not in reply


@pytest.mark.parametrize("typed", [".5", " 2.5 ", "+4"])
def test_a_number_no_cue_has_is_told_how_cue_numbers_go(typed):
    with Rig(MANUAL) as rig:
        assert "(a cue's number is a whole number from 1 to 3); the cues:" in rig.cues.go(cue=typed)


@pytest.mark.parametrize("typed", ["2nd", "1 2", "1.5x"])
def test_a_name_that_starts_with_a_number_is_not_told_how_cue_numbers_go(typed):
    with Rig(MANUAL) as rig:
        reply = rig.cues.go(cue=typed)
    assert reply.startswith("error: no cue named") and "whole number" not in reply


def test_a_long_missing_cue_name_is_said_to_its_first_characters():
    long = "x" * 60
    with Rig(MANUAL) as rig:
        reply = rig.cues.go(cue=long)
    assert reply.startswith(f"error: no cue named '{'x' * SHOWN_CHARS}…';")


# --- an image input saved again on air ---------------------------------------------------------------------------


def _first_pixel(frames) -> tuple:
    return tuple(int(v) for v in frames[0, 0, 0])


def test_an_image_left_as_it_is_is_never_read_again_nor_said_reloaded(tmp_path):
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append)
    for start in range(0, 120, 12):
        image.frames(start, 1)
        assert image._decoding is None, start
    assert said == []


def test_an_image_written_in_two_pieces_is_read_once_whole(tmp_path):
    """Half a file seen at one block and the rest at the next is not decoded half written: the save is read once it
    has held still for a block."""
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append)
    whole = tmp_path / "whole.png"
    _solid_png(whole, (255, 0, 0), (50, 30))
    data = whole.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    image.frames(12, 1)
    if image._decoding is not None:  # a decode of the half: let it end before the rest comes
        assert image._decoding.ready.wait(60)
    path.write_bytes(data)
    for start in (24, 36, 48, 60):
        shown = _decoded(image, start)
    assert _first_pixel(shown) == (0, 0, 255) and said == ["image logo.png reloaded"]


def test_an_image_not_followed_keeps_its_first_picture_when_saved_again(tmp_path):
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append, follow=False)
    _solid_png(path, (255, 0, 0))
    for start in range(0, 60, 12):
        assert _first_pixel(image.frames(start, 1)) == (255, 0, 0)
    assert image._decoding is None and said == []


def _unreadable(monkeypatch, path) -> list[bool]:
    """Has `path` refused to be read (as chmod a-r does for any user but root) while the list holds True."""
    real, refused = os.access, [True]

    def access(p, mode, **kwargs):
        return not (refused[0] and os.fspath(p) == str(path)) and real(p, mode, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return refused


def test_an_image_saved_again_unreadable_says_to_let_vcam_read_it_then_a_chmod_puts_it_on_air(tmp_path, monkeypatch):
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append)
    refused = _unreadable(monkeypatch, path)
    _solid_png(path, (255, 0, 0))
    for start in (12, 24, 36):
        assert _first_pixel(_decoded(image, start)) == (255, 0, 0)
    assert said == ["image logo.png was saved again, but it cannot be read (permission denied): the picture stays as "
                    "it was; let the user running vcam read it (chmod a+r FILE)"]
    refused[0] = False
    st = os.stat(path)
    deadline = time.monotonic() + 60
    while os.stat(path).st_ctime_ns == st.st_ctime_ns and time.monotonic() < deadline:  # a coarse clock's next tick
        os.chmod(path, 0o600)
        os.chmod(path, 0o644)  # only the change time moves
    assert (os.stat(path).st_mtime_ns, os.stat(path).st_size) == (st.st_mtime_ns, st.st_size)
    for start in (48, 60, 72):
        shown = _decoded(image, start)
    assert _first_pixel(shown) == (0, 0, 255) and said[1:] == ["image logo.png reloaded"]


def _held_reads(monkeypatch) -> threading.Event:
    """Holds every decode of a save until the event is set; each then reads the file as it is."""
    release, real = threading.Event(), clip_module.read_shown

    def held(*args):
        assert release.wait(60)
        return real(*args)

    monkeypatch.setattr(clip_module, "read_shown", held)
    return release


def test_an_image_saved_again_while_its_last_save_decodes_drops_that_decode(tmp_path, monkeypatch):
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    said = []
    image = ImageSource(str(path), W, H, "stretch", said.append)
    release = _held_reads(monkeypatch)
    _solid_png(path, (255, 0, 0))
    image.frames(12, 1)
    image.frames(24, 1)
    older = image._decoding
    _solid_png(path, (0, 255, 0))
    image.frames(36, 1)
    image.frames(48, 1)
    assert image._decoding is not older
    release.set()
    older._thread.join(60)
    assert not older._thread.is_alive() and older.take(0) is None
    assert wait_for(lambda: _first_pixel(image.frames(60, 1)) == (0, 255, 0), 60)
    assert said == ["image logo.png reloaded"]
    image.close()


def test_an_image_closed_while_a_readable_save_decodes_drops_that_picture(tmp_path, monkeypatch):
    path = tmp_path / "logo.png"
    _solid_png(path, (0, 0, 255))
    image = ImageSource(str(path), W, H, "stretch")
    release = _held_reads(monkeypatch)
    _solid_png(path, (255, 0, 0))
    image.frames(12, 1)
    image.frames(24, 1)
    decoding = image._decoding
    image.close()
    release.set()
    decoding._thread.join(60)
    assert not decoding._thread.is_alive() and decoding.error is None and decoding.take(0) is None


# --- a space after the kind --------------------------------------------------------------------------------------


def test_a_home_path_typed_after_a_space_is_offered_as_typed(tmp_path, monkeypatch):
    from vcam.inspec import spaced_fix

    monkeypatch.setenv("HOME", str(tmp_path))
    _solid_png(tmp_path / "logo.png", (0, 0, 255))
    fix = spaced_fix(os.path.join(str(tmp_path / "show"), " ~/logo.png"), "image", str(tmp_path / "show"))
    assert fix is not None and fix.startswith("did you mean 'image:~/logo.png'? a space after the colon")


def test_a_folder_named_after_a_space_is_offered_nothing(tmp_path):
    from vcam.inspec import spaced_fix

    (tmp_path / "logo.png").mkdir()
    assert spaced_fix(os.path.join(str(tmp_path), " logo.png"), "image", str(tmp_path)) is None


def test_a_name_with_a_space_inside_is_offered_quoted_for_the_shell(tmp_path):
    from vcam.inspec import spaced_fix

    _solid_png(tmp_path / "my logo.png", (0, 0, 255))
    fix = spaced_fix(os.path.join(str(tmp_path), " my logo.png"), "image", str(tmp_path))
    assert fix is not None and fix.startswith("did you mean 'image:my logo.png'? a space")


# --- stdout's failure at the end of a command ----------------------------------------------------------------------


def test_stdout_closed_by_the_command_itself_is_no_failure_at_its_end(monkeypatch):
    import io
    import sys

    from vcam.cli import _stdout_flushed

    class Closed(io.StringIO):
        def flush(self):
            raise ValueError("I/O operation on closed file.")

    monkeypatch.setattr(sys, "stdout", Closed())
    assert _stdout_flushed() is None
    monkeypatch.setattr(sys, "stdout", None)  # no stdout at all (pythonw)
    assert _stdout_flushed() is None



# --- a fallback image's broken saves -------------------------------------------------------------------------------


def test_the_broken_saves_kept_are_the_most_recent_ones(tmp_path, monkeypatch):
    """Of more broken saves than the images kept, the oldest is decoded again at its next press, the newest not."""
    from vcam.live import fallbacks as fallbacks_module
    from vcam.live.fallbacks import FallbackImages

    counted, real = [], fallbacks_module.load_image

    def load(path, width, height, show=True):
        counted.append(os.path.basename(path))
        return real(path, width, height, show)

    monkeypatch.setattr(fallbacks_module, "load_image", load)

    images = FallbackImages(32, 24, keep=2)
    paths = []
    for name in ("a.txt.png", "b.txt.png", "c.txt.png"):
        (tmp_path / name).write_bytes(b"not a png")
        paths.append(str(tmp_path / name))
    for path in paths:
        with pytest.raises(ValueError):
            images.get(path)
    with pytest.raises(ValueError):
        images.get(paths[2])
    assert counted == ["a.txt.png", "b.txt.png", "c.txt.png"]
    with pytest.raises(ValueError):
        images.get(paths[0])
    assert counted[3:] == ["a.txt.png"]


def test_links_in_two_folders_to_a_name_gone_in_each_are_each_said(tmp_path):
    """Two links that name `logo.png` in their own folders are two targets, each said once."""
    from test_fallbacks import image
    from vcam.live.fallbacks import FallbackImages

    images, said, links = FallbackImages(32, 24), [], []
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        image(tmp_path / folder / "logo.png", 70)
        os.symlink("logo.png", tmp_path / folder / "stall.png")
        links.append(str(tmp_path / folder / "stall.png"))
    images.warm(links)
    for folder in ("one", "two"):
        os.remove(tmp_path / folder / "logo.png")
    for link in links * 2:
        assert int(images.get(link, said.append).max()) == 70
    assert len(said) == 2 and "one" in said[0] and "two" in said[1], said


# --- a line typed while the link is down ---------------------------------------------------------------------------


def test_a_typed_knob_line_pushed_out_leaves_no_mark_on_that_knobs_value_put_back_later():
    from vcam.remote.pending import Waiting

    waiting = Waiting([].append, lambda: 0.0)
    waiting.add("strength 0.2", typed=True)
    for n in range(Waiting.MOST):
        waiting.add(f"preset p{n}")  # the typed line pushed out past MOST
    waiting.put_back("strength 0.5", 0.0)  # turned on a fader, unanswered as the link dropped
    sent = waiting.take(marked=True)
    assert ("strength 0.5", False) in sent and not any(typed for _, typed in sent)


def test_a_typed_mark_does_not_outlast_the_wait_it_was_sent_in():
    from vcam.remote.pending import Unanswered, Waiting

    waiting = Waiting([].append, lambda: 0.0)
    waiting.add("strength 0.2", typed=True)
    assert waiting.take(marked=True) == [("strength 0.2", True)]
    waiting.put_back("strength 0.5", 0.0)
    assert waiting.take(marked=True) == [("strength 0.5", False)]
    unanswered = Unanswered()
    unanswered.sent("strength 0.2", 1.0, typed=True)
    assert unanswered.take() == ([("strength 0.2", 1.0, True)], [], 0)
    unanswered.sent("strength 0.4", 2.0)  # on the next connection, numbered from 0 again
    assert unanswered.take() == ([("strength 0.4", 2.0, False)], [], 0)


# --- a number cut by commas in a show file's braces --------------------------------------------------------------


def test_a_number_cut_into_four_groups_is_told_whole():
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b, seed: 1,000,000,000}\n", "show.yaml")
    assert err.value.problems[0] == ("show.yaml:2: preset 1: unknown key '000'; in {...} a comma separates keys: for "
                                     "1,000,000,000 write seed: 1000000000")


def test_groups_after_a_leading_zero_make_no_one_number():
    """0,123,456 is no thousands grouping: told as 0123456 it would read a number no one wrote."""
    from vcam.control.show import parse_show
    from vcam.control.yamlproblems import ConfigError

    with pytest.raises(ConfigError) as err:
        parse_show("presets:\n  - {name: a, prompt: b, seed: 0,123,456}\n", "show.yaml")
    assert not any("comma separates" in p for p in err.value.problems), err.value.problems


@pytest.mark.parametrize("typed, said", [("#2", "(did you mean go 2? a cue's number is written alone)"),
                                         ("2.", "(did you mean go 2? a cue's number is written alone)"),
                                         ("#9", "; the cues:")])
def test_a_cue_number_written_as_a_list_writes_it_is_answered_with_the_number_alone(typed, said):
    """`go #2` was answered as a comment after go ("did you mean go?"), a line that fires the next cue, not cue 2."""
    with Rig(MANUAL) as rig:
        reply = rig.cues.go(cue=typed)
    assert reply.startswith(f"error: no cue named '{typed}'") and said in reply and "did you mean go?" not in reply
