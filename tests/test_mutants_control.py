"""Edges of vcam's control modules (the prompter, OSC bundles timed ahead) that mutation testing found no test for:
each test fails where the code is changed in the way its docstring says."""
from helpers import RecordingProducer, wait_for
from test_osc_tablet import WALL, Paced, bundle
from vcam.control.actions import SetPrompts
from vcam.control.oscinput import POLL_S
from vcam.control.oscrouter import MAX_SURFACES
from vcam.control.prompter import Prompter


def test_a_prompt_typed_while_the_model_loads_is_handed_over_without_an_error_line():
    """Catches the early return for a model still loading (`encoder is None`) dropped: each prompt typed while it
    loaded was said as 'could not encode … NoneType has no attribute encode', an error that was none."""
    producer, said = RecordingProducer(), []
    prompter = Prompter(producer, lambda: None, said.append)
    try:
        prompter.hand_over(SetPrompts({"typed while loading": 1.0}, 0))
        prompter.preload(["a preset"])
        assert wait_for(lambda: producer.given, 60)
        assert producer.actions == [SetPrompts({"typed while loading": 1.0}, 0)]
    finally:
        prompter.stop(60)
    assert said == []


def test_the_input_wakes_for_a_bundle_due_sooner_than_its_poll():
    """Catches `due_in` answering None (no bundle waits): the input's loop slept its whole poll, and a cue
    program's bundle timed 50 ms ahead acted up to a quarter second late."""
    p = Paced()
    p.arrive(bundle(("/2/push3", 1.0), at=WALL + 0.05))
    assert p.handled == []
    wait = p.input._wait_s(p.clock.t)
    assert 0.04 < wait <= 0.05 + 1e-6 < POLL_S
    p.later(0.051)  # its time, past any rounding of the time tag
    assert [a for a, _ in p.handled] == ["/2/push3"]


def test_senders_whose_bundles_wait_are_said_for_at_most_max_surfaces_hosts():
    """Catches `>= MAX_SURFACES` turned to `>`: one host more than the cap was said and kept, so senders spraying
    from many addresses grew the set past its bound."""
    p = Paced()
    for i in range(MAX_SURFACES + 1):
        p.input._datagram(bundle(("/2/push1", 1.0), at=WALL + 4.0), (f"10.0.0.{i + 1}", 9000))
    assert len(p.said) == MAX_SURFACES
    assert not any("10.0.0.17:" in line for line in p.said)
    assert len(p.input.timed._ahead_said) == MAX_SURFACES
