"""How `vcam cam`'s connections end and what is said of each (vcam.remote.linkends), taken straight at the link's
ends: a link never started, handed a stand-in connection, whose ends are called as its thread would call them. Each
test fails where the code is changed in the way its docstring says."""
import json
import threading

from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote.controller import RemoteController
from vcam.remote.link import Link
from vcam.remote.linkends import close_within, own_close
from vcam.remote.pending import Unanswered


class _Wire:
    """A connection that takes every message written."""

    def __init__(self):
        self.sent: list = []

    def send(self, message) -> None:
        self.sent.append(message)


def _link(said: list) -> Link:
    return Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True), said.append)


def _connected(link: Link) -> _Wire:
    link._ws = wire = _Wire()
    link._reached(wire)
    return wire


def _lost(said: list) -> list:
    return [line for line in said if "had not answered" in line]


def test_four_presses_unanswered_at_a_drop_are_all_named_with_no_count():
    """Four is as many as are named: where the count began at four (`> 4` turned `>= 4`), the line named them all
    and added "and 0 more"."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    for k in range(4):
        assert link.send_line(f"preset {k}")
    link._connection_lost()
    assert _lost(said) == [
        "the server had not answered preset 0, preset 1, preset 2, preset 3 when the link dropped: it may not have "
        "got them; not sent again, as it may have been carried out (give it again if not)"]


def test_presses_pushed_out_of_the_unanswered_are_counted_with_the_ones_kept():
    """Past Unanswered.MOST presses the oldest are only counted: the drop's count is those kept past the four named
    and those pushed out, where it counted the kept ones alone (`+ more` dropped) and said two presses too few."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    for k in range(Unanswered.MOST + 2):
        assert link.send_line(f"preset {k}")
    link._connection_lost()
    assert _lost(said) == [
        f"the server had not answered preset 2, preset 3, preset 4, preset 5 and {Unanswered.MOST + 2 - 4} more when "
        "the link dropped: it may not have got them; not sent again, as it may have been carried out (give it again "
        "if not)"]


def test_one_press_unanswered_is_it_and_two_are_them():
    """One press lost is "it", two "them" (`n > 1` turned `n >= 1` or `n > 2` said the other)."""
    for presses, pronoun in ((1, "it"), (2, "them")):
        said: list[str] = []
        link = _link(said)
        _connected(link)
        for k in range(presses):
            assert link.send_line(f"preset {k}")
        link._connection_lost()
        assert len(_lost(said)) == 1 and f"it may not have got {pronoun};" in _lost(said)[0], said


def test_a_quit_says_nothing_of_the_presses_not_answered():
    """vcam cam quitting ends the link itself: the presses the server had not answered are not said lost (where the
    stop was not looked at, a quit right after a press printed the drop's warning as it closed)."""
    said: list[str] = []
    link = _link(said)
    _connected(link)
    assert link.send_line("preset 1")
    link._stop.set()
    link._connection_lost()
    assert _lost(said) == [] and not link.connected
