"""The files a show names, found relative to the file that names them and checked as `vcam run` reads them
(vcam.control.showpaths). Each test fails where the code is changed in the way its docstring says."""
import cv2
import numpy as np
import pytest

from vcam.control.show import parse_show
from vcam.control.yamlcheck import ConfigError


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
