"""What `vcam serve` may send one client (vcam.remote.inflight.InFlight), frame by frame on made-up times: the
window's edges, the link's rate, the check after a pause."""
import pytest

from vcam.remote.inflight import FIRST_WINDOW_BYTES, GIVE_UP_S, PROBE_S, STALE_S, InFlight


def carried(flight: InFlight, size: int, seconds: float, frames: int, start: float = 0.0, seq: int = 0) -> float:
    """`frames` frames of `size`, each sent as the one before is said got, `seconds` apart: the link's rate is
    size / seconds. Returns the time of the last answer."""
    now = start
    for k in range(frames):
        flight.sent(seq + k, size, now)
        now += seconds
        flight.got(seq + k, now)
    return now


def test_before_the_rate_is_known_the_first_window_is_filled_to_the_byte():
    flight = InFlight()
    flight.got(-1, 0.0)  # a camera that says what it got, nothing on the way yet
    flight.sent(0, FIRST_WINDOW_BYTES // 2, 0.0)
    assert flight.may_send(0.0)  # a second of the same size fills it exactly
    flight.sent(1, FIRST_WINDOW_BYTES // 2, 0.0)
    assert not flight.may_send(0.0)


def test_a_link_slower_than_the_first_window_still_takes_that_much():
    flight = InFlight()
    now = carried(flight, 1000, 1.0, 3)  # 1 kB/s: its window a kilobyte
    flight.sent(3, 4000, now)
    assert flight.may_send(now)  # 8 kB on the way with the next: within the least window


def test_a_frame_said_got_at_once_is_no_fast_link():
    flight = InFlight()
    carried(flight, 30_000, 0.01, 1)
    assert flight.rate() == pytest.approx(30_000 / 0.25)


def test_the_rate_is_the_last_seconds_of_carrying():
    flight = InFlight()
    now = carried(flight, 10_000, 0.01, 50)  # 1 MB/s for 0.5 s
    carried(flight, 10_000, 0.1, 30, start=now, seq=50)  # then 100 kB/s for 3 s
    assert flight.rate() == pytest.approx(100_000)


def test_one_answer_slower_than_the_rates_window_keeps_the_rate():
    flight = InFlight()
    carried(flight, 30_000, 3.0, 1)  # a very slow link: one frame in 3 s
    assert flight.rate() == pytest.approx(10_000)


def test_frames_said_got_together_count_from_the_first_ones_leaving():
    flight = InFlight()
    for k in range(3):
        flight.sent(k, 10_000, 0.1 * k)
    flight.got(2, 0.5)  # 30 kB carried from 0 s to 0.5 s
    assert flight.rate() == pytest.approx(60_000)


def test_the_time_to_wait_for_an_answer_counts_down_from_the_oldest_frame_on_the_way():
    flight = InFlight()
    assert flight.wait_s(0.0) == 0.0
    flight.sent(0, 1000, 1.0)
    flight.sent(1, 1000, 2.0)
    assert flight.wait_s(4.0) == pytest.approx(GIVE_UP_S - 3.0)
    assert flight.wait_s(1.0 + GIVE_UP_S + 5.0) == 0.0


def paused(flight: InFlight) -> float:
    """1 MB/s, a round trip of 10 ms, then a pause past STALE_S: the time after it."""
    return carried(flight, 10_000, 0.01, 100) + STALE_S + 1.0


def test_after_a_pause_only_the_first_frame_goes_until_its_answer():
    flight = InFlight()
    now = paused(flight)
    flight.sent(100, 60_000, now)
    assert not flight.may_send(now)  # another would pass what the rate carries in PROBE_S
    assert 2 * 60_000 > 1_000_000 * PROBE_S
    flight.got(100, now + 0.07)
    assert flight.may_send(now + 0.07)


def test_a_probe_answered_as_quickly_as_ever_keeps_the_rate():
    flight = InFlight()
    now = paused(flight)
    flight.sent(100, 10_000, now)
    flight.got(100, now + 0.01)  # as quick as the quickest round trip: no time carrying at all
    assert flight.rate() == pytest.approx(1_000_000)


def test_a_probe_answered_slowly_scales_the_rate_down_for_good():
    flight = InFlight()
    now = paused(flight)
    flight.sent(100, 10_000, now)
    flight.got(100, now + 0.11)  # 0.1 s carrying 10 kB: the link is ten times slower
    assert flight.rate() == pytest.approx(100_000, rel=0.05)
    carried(flight, 10_000, 0.1, 30, start=now + 0.11, seq=101)  # its rates window later, still 100 kB/s
    assert flight.rate() == pytest.approx(100_000, rel=0.05)


def test_no_probe_while_frames_are_on_the_way():
    flight = InFlight()
    now = carried(flight, 60_000, 0.06, 20)  # 1 MB/s
    flight.sent(20, 60_000, now)
    now += STALE_S + 1.0  # its answer is late, but frames are on the way: no pause
    flight.sent(21, 60_000, now)
    assert flight.may_send(now)  # the whole window: 180 kB of a megabyte, past the probe's 100 kB


def test_a_probe_is_read_less_the_quickest_round_trip_seen_not_the_last():
    flight = InFlight()
    now = carried(flight, 10_000, 0.01, 100)  # 1 MB/s, answers in 10 ms
    now = carried(flight, 10_000, 0.05, 1, start=now, seq=100)  # one answer waited 50 ms
    now += STALE_S + 1.0
    flight.sent(101, 10_000, now)
    flight.got(101, now + 0.05)  # after the pause, as slow: 40 ms carrying 10 kB, the link slower
    assert flight.rate() == pytest.approx(10_000 / 0.04, rel=0.05)


def test_frames_given_up_on_take_their_probe_with_them():
    flight = InFlight()
    now = paused(flight)
    flight.sent(100, 10_000, now)
    now += GIVE_UP_S + 1.0
    assert flight.may_send(now)  # the camera stopped saying: let go
    flight.sent(101, 10_000, now)
    flight.sent(102, 10_000, now)
    assert flight.may_send(now)  # the whole window again, not the probe's
