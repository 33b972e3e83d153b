"""Edges of what changed most recently: `go N` / `go NAME` on the cue list, an image input saved again on air, a
typed kind with a space after it, stdout's failure at exit, a fallback image's refusals, a line typed while the
link is down, a number cut by commas in a show file, and a map named where the other kind goes. Each test fails
where the code is changed in the way its docstring says."""
import pytest

from test_cues import MANUAL, Rig
from vcam.control.commands import SHOWN_CHARS


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
