"""The files a show names, found relative to the file that names them and checked as `vcam run` reads them
(vcam.control.showpaths). Each test fails where the code is changed in the way its docstring says."""
import os

import cv2
import numpy as np
import pytest

from vcam.control.show import parse_show
from vcam.control.yamlproblems import ConfigError


def _problems(text: str, show) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_show(text, str(show))
    return err.value.problems


def test_an_input_path_written_with_a_space_first_is_answered_with_the_path_meant(tmp_path):
    """`image:\\ logo.png` names ' logo.png': the file beside the show without the space is offered, where the
    check left the input's kind out and said only where to put the file."""
    cv2.imwrite(str(tmp_path / "logo.png"), np.zeros((8, 8, 3), np.uint8))
    problems = _problems("presets:\n  - {name: a, prompt: b, input: 'image:\\ logo.png'}\n", tmp_path / "show.yaml")
    assert len(problems) == 1 and "did you mean image:logo.png? a space after the colon" in problems[0], problems


def test_a_space_further_in_an_input_path_is_not_answered_with_a_file_of_the_shows_folder(tmp_path):
    """`image:art/ logo.png`, with art/logo.png there: the space is not after the colon, and logo.png beside the
    show is no file meant. It was offered as `image:logo.png`, which is not there either; now the line says where it
    looked and how to name the file."""
    (tmp_path / "art").mkdir()
    cv2.imwrite(str(tmp_path / "art" / "logo.png"), np.zeros((8, 8, 3), np.uint8))
    problems = _problems("presets:\n  - {name: a, prompt: b, input: 'image:art/ logo.png'}\n", tmp_path / "show.yaml")
    assert problems == [f"{tmp_path / 'show.yaml'}:2: preset 'a' input: image art/ logo.png not found (looked at "
                        f"{tmp_path / 'art' / ' logo.png'}); put it there, or give its path from the folder of the "
                        "file that names it (or a whole path)"]


def _png(path) -> None:
    cv2.imwrite(str(path), np.zeros((8, 8, 3), np.uint8))


def test_a_fallback_named_through_a_parent_folder_is_kept_as_its_whole_path(tmp_path):
    """`fallback: ../art/still.png` is kept as the file's own path, with no `..` in it, where it was kept as the
    show's folder joined to the name as written."""
    (tmp_path / "art").mkdir()
    (tmp_path / "shows").mkdir()
    _png(tmp_path / "art" / "still.png")
    show = parse_show("defaults:\n  fallback: ../art/still.png\npresets:\n  - {name: a, prompt: b}\n",
                      str(tmp_path / "shows" / "show.yaml"))
    assert show.defaults.fallback == str(tmp_path / "art" / "still.png")


def test_an_input_that_is_there_but_no_file_is_refused(tmp_path):
    """A named pipe (or a device) named as a clip is no file `vcam run` can play: refused as the show is read, and
    said to be there but no file, where it was said not found (anything that exists passing the check stopped the
    run at the preset, on air)."""
    os.mkfifo(tmp_path / "pipe")
    problems = _problems("presets:\n  - {name: a, prompt: b, input: 'file:pipe'}\n", tmp_path / "show.yaml")
    assert problems == [f"{tmp_path / 'show.yaml'}:2: preset 'a' input: file pipe is not a file (looked at "
                        f"{tmp_path / 'pipe'}: a pipe or a device); name a file"]


def test_an_input_that_cannot_be_read_is_refused_with_the_fix(tmp_path, monkeypatch):
    """A clip the user running vcam may not read is refused at its line with how to allow it (as a chmod 000 does
    for a user; the test runs as any user), where it passed the check and failed on air."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: not (str(p) == str(clip) and mode == os.R_OK)
                        and real_access(p, mode))
    problems = _problems("presets:\n  - {name: a, prompt: b, input: 'file:clip.mp4'}\n", tmp_path / "show.yaml")
    assert len(problems) == 1 and f"file clip.mp4 cannot be read (looked at {clip})" in problems[0], problems


def test_an_image_rewritten_in_place_at_the_same_size_is_checked_again(tmp_path):
    """A show read again checks an image again once it was saved again: where only its inode and size told one
    version from the next, a still overwritten with as many bytes of something else passed as the image it was."""
    still = tmp_path / "still.png"
    _png(still)
    text = "defaults:\n  fallback: still.png\npresets:\n  - {name: a, prompt: b}\n"
    assert parse_show(text, str(tmp_path / "show.yaml")).defaults.fallback == str(still)
    size, before = still.stat().st_size, still.stat().st_mtime_ns
    with open(still, "r+b") as f:  # the same file, the same size
        f.write(b"x" * size)
    os.utime(still, ns=(before + 10**9, before + 10**9))
    problems = _problems(text, tmp_path / "show.yaml")
    assert len(problems) == 1 and "defaults fallback: still.png is not an image vcam can read" in problems[0], problems


def test_a_space_first_in_an_input_path_of_a_show_read_through_a_link_is_answered_with_the_path_meant(tmp_path):
    """The show's folder reached by a link: its input paths are made whole with the link resolved, and the space
    that begins one is still the one after the colon."""
    (tmp_path / "real").mkdir()
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    cv2.imwrite(str(tmp_path / "real" / "logo.png"), np.zeros((8, 8, 3), np.uint8))
    text = "presets:\n  - {name: a, prompt: b, input: 'image:\\ logo.png'}\n"
    problems = _problems(text, tmp_path / "linked" / "show.yaml")
    assert len(problems) == 1 and "did you mean image:logo.png? a space after the colon" in problems[0], problems
