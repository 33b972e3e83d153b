"""The lines held back per control (MIDI knobs, OSC addresses, a server's refusals): what is said last about a
control is the latest line about it, and the controls of a while ago make room for new ones."""
from vcam.control.throttle import ErrorThrottle, words_of


def test_a_count_names_the_last_line_held_back_not_the_first():
    throttle = ErrorThrottle(every=2.0)
    assert throttle.admit(("/fader",), "blend 0.1", 0.0) == "blend 0.1"
    assert [throttle.admit(("/fader",), f"blend 0.{i}", i / 10) for i in (2, 3, 4)] == [None] * 3
    assert throttle.held_back(2.0) == ["3 more like it, the last: blend 0.4"]
    assert throttle.admit(("/knob",), "error: x", 3.0) == "error: x"
    assert throttle.admit(("/knob",), "error: x", 3.5) is None
    assert throttle.held_back() == ["1 more like it: error: x"]  # the same words: said once


def test_a_count_held_back_is_said_before_a_later_line_and_its_window_goes_on():
    throttle = ErrorThrottle(every=2.0)
    throttle.admit(("seed", "reply"), "seed 5", 0.0)
    assert throttle.admit(("seed", "reply"), "seed 6", 0.5) is None
    assert throttle.flush(("seed", "reply")) == "1 more like it, the last: seed 6"
    assert throttle.flush(("seed", "reply")) is None and throttle.flush(("never",)) is None
    assert throttle.admit(("seed", "reply"), "seed 7", 1.0) is None  # still within the window begun at 0
    assert throttle.held_back(2.0) == ["1 more like it, the last: seed 7"]


def test_counts_come_in_the_order_of_their_last_lines():
    """A count that is due brings along those whose last line came before its own: whatever window each began,
    the line said last about a thing is the latest."""
    throttle = ErrorThrottle(every=2.0)
    throttle.admit(("a",), "a 1", 0.0)
    throttle.admit(("b",), "b 1", 0.5)
    throttle.admit(("b",), "b 2", 1.0)  # b's window ends at 2.5
    throttle.admit(("a",), "a 2", 1.5)  # a's at 2.0
    assert throttle.held_back(2.0) == ["1 more like it, the last: b 2", "1 more like it, the last: a 2"]
    assert throttle.admit(("b",), "b 3", 2.2) is None  # b's window goes on: its count waits for its end
    assert throttle.held_back(2.4) == [] and throttle.held_back(2.5) == ["1 more like it, the last: b 3"]


def test_controls_whose_window_has_passed_make_room_and_others_are_said_in_their_own_words():
    throttle = ErrorThrottle(every=2.0, most=2, others="other addresses")
    assert throttle.admit(("/page1",), "nothing at /page1", 0.0) == "nothing at /page1"
    assert throttle.admit(("/page2",), "nothing at /page2", 0.1) == "nothing at /page2"
    assert throttle.admit(("/page3",), "nothing at /page3", 0.2) == "nothing at /page3"  # the first of OTHERS
    assert throttle.admit(("/seed",), "error: seed -1", 0.3) is None  # counted with the others: no room now
    assert throttle.held_back(2.2) == ["1 more from other addresses, the last: error: seed -1"]
    # the pages' windows are over with nothing held: forgotten, and new addresses are counted apart again
    assert throttle.admit(("/preset",), "error: no preset 99", 3.0) == "error: no preset 99"
    assert throttle.admit(("/seed",), "error: seed -1", 3.1) == "error: seed -1"
    assert throttle.admit(("/blend",), "error: blend 5", 3.2) == "error: blend 5"  # OTHERS' own window is over
    assert throttle.admit(("/blend2",), "error: blend 6", 3.3) is None
    assert throttle.held_back() == ["1 more from other addresses, the last: error: blend 6"]


def test_controls_outside_the_bound_are_never_counted_with_the_others():
    throttle = ErrorThrottle(every=2.0, most=1)
    throttle.admit(("/a",), "x", 0.0)
    assert throttle.admit(("/fader", "reply"), "blend 0.5", 0.1, bounded=False) == "blend 0.5"
    assert throttle.admit(("/b",), "y", 0.2) == "y"  # under OTHERS: the fader took no room
    assert throttle.admit(("/fader", "reply"), "blend 0.6", 0.3, bounded=False) is None
    assert throttle.held_back() == ["1 more like it, the last: blend 0.6"]


def test_a_lines_words_leave_its_numbers_out_and_the_throttle_says_what_it_watches():
    assert words_of("'strength 0.41' during a replay") == words_of("'strength 0.999' during a replay")
    assert words_of("illegal access at 0x7f3ab2c0 in kernel 12") == "illegal access at # in kernel #"
    assert words_of("preset ocean") != words_of("preset city")
    throttle = ErrorThrottle(every=2.0)
    for n in range(50):
        throttle.admit((words_of(f"seed {n} refused"),), f"seed {n} refused", n / 100)
    assert throttle.watching() == 1
    throttle.admit(("other",), "x", 1.0)
    assert throttle.watching() == 2
    throttle.held_back(3.5)  # both windows over: the count said, then both forgotten
    assert throttle.watching() == 0


def test_a_line_a_whole_window_after_the_last_one_said_is_said_with_the_count():
    """One line per control every `every` seconds: at 2 s after the last one said, the next is said, not held for
    another window."""
    throttle = ErrorThrottle(every=2.0)
    assert throttle.admit(("/fader",), "blend 0.1", 0.0) == "blend 0.1"
    assert throttle.admit(("/fader",), "blend 0.2", 1.0) is None
    assert throttle.admit(("/fader",), "blend 0.3", 2.0) == "blend 0.3 (and 1 more like it)"


def test_a_passed_window_with_lines_held_back_keeps_its_place_and_its_count():
    """With room for one control, a window that has passed still holding lines back is not forgotten to make room:
    its count is still to be said."""
    throttle = ErrorThrottle(every=2.0, most=1)
    throttle.admit(("/a",), "a 1", 0.0)
    assert throttle.admit(("/a",), "a 2", 0.5) is None
    assert throttle.admit(("/b",), "b 1", 3.0) == "b 1"  # said, under the others
    assert throttle.admit(("/c",), "c 1", 3.5) is None  # the others' window, begun by /b
    assert throttle.held_back() == ["1 more like it, the last: a 2", "1 more from other controls, the last: c 1"]


def test_the_others_count_names_its_last_line_even_in_the_same_words():
    """The others are many controls: their count names the last line held back, whatever its words."""
    throttle = ErrorThrottle(every=2.0, most=1)
    throttle.admit(("/a",), "a", 0.0)
    assert throttle.admit(("/b",), "x", 0.1) == "x"
    assert throttle.admit(("/c",), "x", 0.2) is None
    assert throttle.held_back() == ["1 more from other controls, the last: x"]


def test_controls_that_are_gone_are_forgotten_with_their_lines_held_back_and_the_rest_kept():
    throttle = ErrorThrottle(every=30.0)
    for host in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        throttle.admit(("reply", host), f"replies to {host} fail", 0.0)
        throttle.admit(("reply", host), f"replies to {host} fail", 1.0)
    throttle.admit(("state",), "the state could not be read", 0.0)
    throttle.forget(lambda control: control[0] == "reply" and control[1] != "10.0.0.2")
    assert throttle.watching() == 2
    assert throttle.held_back() == ["1 more like it: replies to 10.0.0.2 fail"]
    assert throttle.admit(("reply", "10.0.0.1"), "replies to 10.0.0.1 fail", 2.0) == "replies to 10.0.0.1 fail"
