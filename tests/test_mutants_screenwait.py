"""A screen change on the beat waiting for its boundary (vcam.control.screenwait): the show's end, what the status
and `quantize off` say of the changes waiting. Each test fails where the code is changed in the way its docstring
says."""
import threading

from helpers import wait_for
from test_quantize import tempo_at
from vcam.control.actions import Origin
from vcam.control.screenwait import ScreenWait, ScreenWaits


def _waits(stop: threading.Event | None = None) -> tuple[ScreenWaits, list[str]]:
    """Screen waits on a fake clock standing at 0 s (120 bpm, beat 0 at 0 s): no boundary comes while a test looks."""
    now = [0.0]
    screen: list[str] = []
    waits = ScreenWaits(threading.Lock(), tempo_at(clock=lambda: now[0]), lambda: now[0],
                        lambda mode, origin: screen.append(mode), lambda: None, lambda line: None,
                        stop or threading.Event())
    return waits, screen


def _wait(mode: str, beat: float) -> ScreenWait:
    return ScreenWait(mode, Origin(f"{mode} @bar", "stdin"), beat, 4.0)


def test_the_shows_stop_drops_a_screen_change_waiting_and_ends_its_thread():
    """The show stopping (its stop event, before any close) ends the wait: nothing is set and none is said to wait,
    where the thread went on waiting for the boundary after the show had stopped."""
    stop = threading.Event()
    waits, screen = _waits(stop)
    try:
        with waits.lock:
            assert waits.ask("freeze", Origin("freeze @bar", "stdin"), "bar", None) == (True, [])
        stop.set()
        waits.wake.set()
        assert wait_for(lambda: not waits.thread.is_alive(), 60)
        with waits.lock:
            assert screen == [] and waits.waiting() is None
    finally:
        waits.close()


def test_a_screen_change_dropped_at_the_shows_end_is_no_longer_said_to_wait():
    """Closed while a change waits: the status says none waits, where it still named the change dropped."""
    waits, screen = _waits()
    with waits.lock:
        waits.ask("blackout", Origin("blackout @bar", "stdin"), "bar", None)
    waits.close()
    assert wait_for(lambda: not waits.thread.is_alive(), 60)
    with waits.lock:
        assert waits.waiting() is None and screen == []


def test_a_change_waiting_for_beat_0_is_on_beat_1_of_bar_1_not_the_count_in():
    """Beat 0 is the first beat of bar 1: only a beat before it is said as the count-in's."""
    waits, _ = _waits()
    waits.waits = [_wait("freeze", 0.0)]
    assert not waits.waiting().startswith("freeze on the ")
    waits.waits = [_wait("freeze", -2.0)]
    assert waits.waiting().startswith("freeze on the ")


def test_quantize_off_names_each_mode_set_once():
    """Two freezes waiting on two bars are both set, in order, and the reply names `freeze` once."""
    waits, screen = _waits()
    waits.waits = [_wait("freeze", 4.0), _wait("blackout", 6.0), _wait("freeze", 8.0)]
    assert waits.release() == "freeze, blackout"
    assert screen == ["freeze", "blackout", "freeze"]


def test_a_change_on_the_next_bar_replaces_one_waiting_for_an_earlier_beat():
    """`freeze @beat` then `blackout @bar`, both typed within the bar: only the blackout waits (the later command
    wins), where the freeze was kept to land first as if it were a bar cue's own."""
    waits, screen = _waits()
    try:
        with waits.lock:
            waits.ask("freeze", Origin("freeze @beat", "stdin"), "beat", None)
            waits.ask("blackout", Origin("blackout @bar", "stdin"), "bar", None)
            assert [w.mode for w in waits.waits] == ["blackout"]
            assert waits.waiting() == "blackout on beat 1 bar 2"
    finally:
        waits.close()
    assert wait_for(lambda: not waits.thread.is_alive(), 60)
    assert screen == []
