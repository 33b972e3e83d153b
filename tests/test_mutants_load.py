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


def test_the_checkpoint_given_for_the_folder_is_answered_with_its_folder_alone(weights_folder):
    """The fix names the folder that holds the checkpoint: `root.parent` turned `root` offered `--weights` the same
    file again (a line that still began with the folder's path)."""
    from vcam.engine.configs import KREA_FILE
    from vcam.words import shell_word

    with pytest.raises(WeightsError) as err:
        from_folder(weights_folder / KREA_FILE)
    assert err.value.fix == f"pass its folder instead: --weights {shell_word(str(weights_folder))}"


# --- TAEHV's file -----------------------------------------------------------------------------------------------


def test_taehvs_file_missing_with_the_hub_offline_is_said_and_never_fetched(tmp_path, monkeypatch):
    """HF_HUB_OFFLINE keeps vcam off the network for TAEHV's file too: `not download or _offline()` turned
    `not download` went to GitHub anyway (and, with no network, said "could not download" and "check the network")."""
    from vcam.engine import taehv_weights as tw

    monkeypatch.setenv("VCAM_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(tw, "_download", lambda *a, **k: pytest.fail("downloaded while offline"))
    with pytest.raises(WeightsError) as err:
        tw.find_taehv(None)
    assert err.value.message.endswith("and downloading is off") and "HF_HUB_OFFLINE" in err.value.fix


# --- the card's memory ------------------------------------------------------------------------------------------


def test_a_card_with_exactly_what_everything_needs_free_holds_everything():
    """The plan's figure is what fits: `full.total <= free` turned `<` moved the text encoder to the CPU (a new prompt
    then takes seconds) on a card with exactly that much free."""
    from vcam.engine.configs import get_spec
    from vcam.engine.memory import estimate_vram, plan_memory

    spec = get_spec("krea-14b")
    full = estimate_vram(spec, 832, 480).total
    plan = plan_memory(spec, 832, 480, full)
    assert plan.text_on_gpu and not plan.offload_text_after_start and plan.note == "everything on the GPU"
