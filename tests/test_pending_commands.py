"""The commands vcam cam holds for the server (vcam.remote.pending): those waiting for the link, those not answered,
on a fake clock."""
from vcam.remote.pending import Unanswered, Waiting


def waiting(now=None):
    said, clock = [], now if now is not None else [0.0]
    return Waiting(said.append, lambda: clock[0]), said, clock


def test_a_knobs_new_value_lands_after_the_presses_given_before_it():
    w, _, _ = waiting()
    w.add("blend 0.2")
    w.add("preset 1")
    w.add("blend 0.7")
    assert w.take() == ["preset 1", "blend 0.7"]


def test_a_knob_named_in_capitals_is_the_same_knob():
    w, _, _ = waiting()
    w.add("BLEND 0.2")
    w.add("blend 0.7")
    assert w.take() == ["blend 0.7"]


def test_a_value_put_back_never_replaces_a_newer_one_and_a_press_is_never_put_back():
    w, _, _ = waiting()
    w.add("blend 0.8")
    w.put_back("blend 0.5", 0.0)
    w.put_back("preset 2", 0.0)
    assert w.take() == ["blend 0.8"]


def test_a_press_given_exactly_stale_s_before_is_still_sent():
    w, said, clock = waiting()
    w.add("preset 1")
    clock[0] = Waiting.STALE_S
    assert w.take() == ["preset 1"] and said == []


def test_presses_pushed_out_are_counted_when_the_server_is_back_and_each_wait_names_its_first():
    w, said, _ = waiting()
    for k in range(Waiting.MOST + 2):
        w.add(f"preset {k}")
    assert len(said) == 1 and "preset 0" in said[0]  # the first pushed out, named as it goes
    w.take()
    assert "1 more pushed out" in said[-1]
    for k in range(Waiting.MOST + 1):
        w.add(f"preset {k}")
    assert len(said) == 3 and "preset 0" in said[-1]  # the next wait's first is named too


def test_four_late_presses_are_all_named_with_no_more():
    w, said, clock = waiting()
    for k in range(4):
        w.add(f"preset {k}")
    clock[0] = 60.0
    assert w.take() == []
    assert "preset 3" in said[-1] and " more pushed" not in said[-1] and "and 0 more" not in said[-1]


def test_the_in_flight_bound_keeps_64_presses_and_counts_the_rest():
    u = Unanswered()
    for k in range(Unanswered.MOST):
        u.sent(f"preset {k}", 0.0)
    assert u.take() == ([], [f"preset {k}" for k in range(64)], 0)
    for k in range(Unanswered.MOST + 1):
        u.sent(f"preset {k}", 0.0)
    _, presses, more = u.take()
    assert len(presses) == 64 and presses[0] == "preset 1" and more == 1


def test_presses_pushed_out_stay_counted_until_an_answer_passes_them():
    u = Unanswered()
    for k in range(Unanswered.MOST + 2):  # presses 0 and 1 pushed out
        u.sent(f"preset {k}", 0.0)
    u.answered()  # press 0's answer: press 1 is still not answered
    assert u.take()[2] == 2
    assert u.take()[2] == 0  # taken: none kept


def test_a_withdrawn_knob_is_not_in_flight():
    u = Unanswered()
    u.withdraw(u.sent("blend 0.5", 1.0))
    assert u.take() == ([], [], 0)


def test_a_stray_answer_counts_for_no_command_sent_after_it():
    u = Unanswered()
    u.answered()  # an answer to no command
    u.sent("preset 1", 0.0)
    u.sent("preset 2", 0.0)
    u.answered()
    assert u.take()[1] == ["preset 2"]
