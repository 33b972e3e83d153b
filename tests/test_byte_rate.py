"""The status lines' bandwidth (vcam.remote.rate.ByteRate) on a fake clock: its window, its edges."""
import pytest

from vcam.remote.rate import ByteRate


def test_the_rate_is_the_counts_growth_between_two_samples():
    rate = ByteRate()
    assert rate.add(0.0, 0) == 0.0  # one sample: no rate yet
    assert rate.add(10.0, 1000) == pytest.approx(100.0)


def test_two_samples_at_one_time_read_no_rate_rather_than_failing():
    rate = ByteRate()
    rate.add(3.0, 0)
    assert rate.add(3.0, 500) == 0.0


def test_the_oldest_kept_is_the_last_sample_at_least_a_window_back():
    rate = ByteRate(window=5.0)
    rate.add(0.0, 0)
    rate.add(5.0, 0)
    assert rate.add(10.0, 1000) == pytest.approx(200.0)  # from 5 s: exactly a window back, it is kept, 0 s is not
    rate = ByteRate(window=5.0)
    rate.add(0.0, 0)
    rate.add(4.0, 0)
    assert rate.add(6.0, 600) == pytest.approx(100.0)  # 4 s is under a window back: 0 s stays, the window whole


def test_a_new_rate_is_read_within_a_window_of_it():
    rate = ByteRate()
    total = 0
    for k in range(1, 81):  # a status line every 0.25 s: 1 kB/s for 10 s, then 3 kB/s
        total += 250 if k <= 40 else 750
        shown = rate.add(k * 0.25, total)
    assert shown == pytest.approx(3000.0)
