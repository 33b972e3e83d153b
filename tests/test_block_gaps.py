"""The usual gap between a server's blocks (vcam.remote.blockgaps.BlockGaps), on made-up arrival times."""
import pytest

from vcam.remote.blockgaps import MOST_S, BlockGaps


def learned(*times: float, least: float = 5.0) -> BlockGaps:
    gaps = BlockGaps(least)
    for t in times:
        gaps.block(t)
    return gaps


def test_the_usual_gap_is_the_shorter_of_the_middle_two():
    assert learned(0, 1, 2, 32, 62).usual() == 1.0  # 1, 1, 30, 30: two stalls are not yet most of them
    assert learned(0, 1, 6, 11).usual() == 5.0  # 1, 5, 5: the middle one, not the shortest


def test_a_server_that_slows_down_for_good_is_read_at_its_new_pace_once_its_last_gaps_say_so():
    times = [float(k) for k in range(6)]  # five gaps of 1 s, then five of 30: the last five are what is kept
    times += [times[-1] + 30.0 * (k + 1) for k in range(5)]
    assert learned(*times).usual() == 30.0


def test_the_wait_is_never_over_a_minute_however_slow_the_blocks():
    assert learned(0, 90, 180).stall_after() == MOST_S


def test_gaps_spanning_reconnects_are_none_of_the_gaps():
    gaps = BlockGaps(5.0)
    for t in (0.0, 100.0, 200.0):  # a server that drops after each block
        gaps.block(t)
        gaps.ended()
    gaps.block(300.0)
    gaps.block(301.0)
    assert gaps.usual() == 1.0


@pytest.mark.parametrize("told", [0.0, -1.0, float("inf"), float("nan")])
def test_a_usual_gap_told_that_is_no_gap_is_not_taken(told):
    gaps = BlockGaps(5.0)
    gaps.told(told)
    assert gaps.usual() is None
    gaps.block(0.0)
    gaps.block(12.0)
    assert gaps.usual() == 12.0 and gaps.stall_after() == 24.0
