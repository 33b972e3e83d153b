"""Edges of how vcam finds, downloads, checks and loads model weights and plans the card's and the machine's memory
that no other test pinned: each test fails where the code is changed in the way its docstring says."""
import pytest

from vcam.engine.weight_files import from_folder
from vcam.errors import WeightsError


# --- a --weights folder ---------------------------------------------------------------------------------------


def test_a_weights_path_of_blanks_is_said_as_empty_not_read_as_a_folder_named_blank(tmp_path, monkeypatch):
    """`--weights " "` (a variable holding a space, a quoted blank in a script) is no folder: `str(folder).strip()`
    turned `str(folder)` looked for a folder named ' ' and said it "does not exist", where the empty path's
    message says what --weights takes."""
    monkeypatch.chdir(tmp_path)
    for blank in (" ", "\t", " \n"):
        with pytest.raises(WeightsError) as err:
            from_folder(blank)
        assert err.value.message == "--weights was given an empty path", blank
