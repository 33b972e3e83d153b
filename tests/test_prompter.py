"""The one thread that encodes prompts ahead: hand-overs in order, preloads in the background."""
import threading

import pytest

from helpers import RecordingProducer, wait_for
from vcam.control.actions import Origin, SetPrompts, SetSeed
from vcam.control.prompter import Prompter


class SlowEncoder:
    """Encodes once let through; remembers what it encoded."""

    def __init__(self, fail=()):
        self.done = []
        self.go = threading.Event()
        self.started = threading.Event()
        self.fail = set(fail)

    def encode(self, text):
        self.started.set()
        assert self.go.wait(60), "the test never let the encode through"
        if text in self.fail:
            raise RuntimeError("out of memory (pretend)")
        self.done.append(text)


@pytest.fixture
def rig():
    made = []

    def make(encoder):
        producer, said = RecordingProducer(), []
        prompter = Prompter(producer, encoder, said.append)
        made.append(prompter)
        return prompter, producer, said

    yield make
    for p in made:
        p.stop(60)


def test_a_later_command_never_overtakes_an_earlier_one_being_encoded(rig):
    enc = SlowEncoder()
    prompter, producer, _ = rig(lambda: enc)
    prompter.hand_over(SetPrompts({"a new prompt": 1.0}, 2), origin=Origin("prompt a new prompt", "stdin"))
    prompter.hand_over(SetSeed(5))  # nothing to encode, but it comes after
    assert enc.started.wait(60)
    assert not wait_for(lambda: producer.given, 0.3)
    enc.go.set()
    assert wait_for(lambda: SetSeed(5) in producer.actions, 60)  # the last one handed over: all are
    assert producer.actions == [SetPrompts({"a new prompt": 1.0}, 2), SetSeed(5)]
    assert enc.done == ["a new prompt"]  # encoded before it was handed over


def test_prompts_faster_than_their_encode_do_not_queue_up_and_the_newest_goes(rig):
    """A flood of prompts (an OSC patch, a paste of many lines) while one is being encoded: one waits, the newest."""
    enc = SlowEncoder()
    prompter, producer, _ = rig(lambda: enc)
    prompter.hand_over(SetPrompts({"first": 1.0}, 2))
    assert enc.started.wait(60)  # being encoded
    for i in range(1000):
        prompter.hand_over(SetPrompts({f"flood {i}": 1.0}, 2))
    assert len(prompter._hand_overs) == 1
    prompter.hand_over(SetSeed(5))
    prompter.hand_over(SetPrompts({"after the seed": 1.0}, 2))  # not merged across another change: order kept
    enc.go.set()
    assert wait_for(lambda: SetPrompts({"after the seed": 1.0}, 2) in producer.actions, 60)  # the last one
    assert producer.actions == [SetPrompts({"first": 1.0}, 2), SetPrompts({"flood 999": 1.0}, 2), SetSeed(5),
                            SetPrompts({"after the seed": 1.0}, 2)]


def test_hand_overs_go_before_waiting_preloads(rig):
    enc = SlowEncoder()
    prompter, producer, _ = rig(lambda: enc)
    prompter.preload(["preset one", "preset two", "preset three"])
    assert enc.started.wait(60)  # the first preload is being encoded
    prompter.hand_over(SetPrompts({"typed": 1.0}, 0))
    enc.go.set()
    assert wait_for(lambda: len(enc.done) == 4, 60)
    assert enc.done[:2] == ["preset one", "typed"] and producer.actions == [SetPrompts({"typed": 1.0}, 0)]


def test_nothing_is_encoded_before_the_engine_exists(rig):
    enc, engine = SlowEncoder(), []
    enc.go.set()
    prompter, producer, _ = rig(lambda: engine[0] if engine else None)
    prompter.preload(["a preset"])
    prompter.hand_over(SetPrompts({"typed while loading": 1.0}, 0))
    assert wait_for(lambda: producer.given, 60)  # handed over unencoded: the generator encodes it when it applies
    assert producer.actions == [SetPrompts({"typed while loading": 1.0}, 0)] and enc.done == []
    engine.append(enc)  # the model has loaded: the preload goes ahead
    assert wait_for(lambda: enc.done == ["a preset"], 60)


def test_a_failed_encode_is_said_and_the_change_still_goes(rig):
    enc = SlowEncoder(fail={"too big"})
    enc.go.set()
    prompter, producer, said = rig(lambda: enc)
    prompter.hand_over(SetPrompts({"too big": 1.0}, 0))
    prompter.preload(["too big"])
    assert wait_for(lambda: len(said) == 2, 60)
    assert producer.actions == [SetPrompts({"too big": 1.0}, 0)]
    assert "could not encode 'too big' before handing it over" in said[0] and "ahead" in said[1]


def test_stop_ends_the_thread_with_preloads_waiting_for_the_engine(rig):
    prompter, _, _ = rig(lambda: None)
    prompter.preload(["never encoded"])
    prompter.stop(60)
    assert not prompter._thread.is_alive()


class RefusingProducer(RecordingProducer):
    """Refuses the changes whose seed is in `refused` (its submit raises), takes the others."""

    def __init__(self, refused):
        super().__init__()
        self.refused = set(refused)

    def submit(self, action, at_block=None, origin=None):
        if isinstance(action, SetSeed) and action.seed in self.refused:
            raise RuntimeError("the generator is gone (pretend)")
        super().submit(action, at_block, origin)


def test_a_change_the_producer_refuses_is_said_once_and_later_changes_still_go():
    """Its thread died, and every later prompt change was lost without a word while the show went on."""
    now = [0.0]
    producer, said = RefusingProducer(refused={1, 2, 3}), []
    prompter = Prompter(producer, lambda: None, said.append, clock=lambda: now[0])
    try:
        prompter.hand_over(SetSeed(1), origin=Origin("seed 1", "stdin"))
        prompter.hand_over(SetSeed(2))  # refused too, within the window: held back
        prompter.hand_over(SetPrompts({"after it": 1.0}, 0))
        assert wait_for(lambda: producer.given, 60)
        assert prompter.alive and producer.actions == [SetPrompts({"after it": 1.0}, 0)]
        assert said == ["a change ('seed 1') was not handed over (RuntimeError: the generator is gone (pretend)); "
                        "it is lost, later changes still go"]
        now[0] += 60.0
        prompter.hand_over(SetSeed(3))
        prompter.hand_over(SetSeed(4))
        assert wait_for(lambda: SetSeed(4) in producer.actions, 60)
        assert len(said) == 2 and said[1].endswith("(and 1 more like it)")
    finally:
        prompter.stop(60)


def test_changes_lost_while_their_line_was_held_back_are_counted_once_its_window_passes_or_the_show_ends():
    """A second change lost within the minute was held back and said only with a third lost after it: one that
    never came left the operator told of the first loss alone."""
    now = [0.0]
    producer, said = RefusingProducer(refused={1, 2, 3, 4}), []
    prompter = Prompter(producer, lambda: None, said.append, clock=lambda: now[0])
    try:
        prompter.hand_over(SetSeed(1), origin=Origin("seed 1", "stdin"))
        prompter.hand_over(SetSeed(2), origin=Origin("seed 2", "stdin"))
        prompter.hand_over(SetSeed(5))
        assert wait_for(lambda: producer.given, 60)
        assert len(said) == 1
        now[0] += 60.0
        prompter.hand_over(SetSeed(6))  # handed over: the window of the held line has passed, its count is said
        assert wait_for(lambda: len(said) == 2, 60), said
        assert said[1:] == ["1 more like it, the last: a change ('seed 2') was not handed over (RuntimeError: the "
                            "generator is gone (pretend)); it is lost, later changes still go"]
        prompter.hand_over(SetSeed(3))
        prompter.hand_over(SetSeed(4))
        prompter.hand_over(SetSeed(7))
        assert wait_for(lambda: SetSeed(7) in producer.actions, 60)
        assert len(said) == 3  # the loss of seed 3 said, seed 4's held back within the minute
    finally:
        prompter.stop(60)
    assert said[3:] == ["1 more like it: a change was not handed over (RuntimeError: the generator is gone (pretend)); "
                        "it is lost, later changes still go"]  # the show ends: said then
