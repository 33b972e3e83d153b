"""A vcam cam link to a server that is never started, and the connection handed to it: the test gives it the
server's messages and reads what it wrote."""
from __future__ import annotations

from collections.abc import Callable

from vcam.live.pacer import Pacer, PacerSettings
from vcam.remote.camscreen import CamScreen
from vcam.remote.controller import RemoteController
from vcam.remote.link import Link


class Wire:
    """A connection that takes every message written."""

    def __init__(self):
        self.sent: list = []

    def send(self, message) -> None:
        self.sent.append(message)


def unstarted_link(said: list | None = None, screen: CamScreen | None = None,
                   clock: Callable[[], float] | None = None) -> Link:
    """A link that is never started: the test hands it the server's messages and its connection."""
    return Link("ws://127.0.0.1:9", None, Pacer(PacerSettings()), RemoteController(lambda line: True),
                (said if said is not None else []).append, screen=screen,
                **({"clock": clock} if clock is not None else {}))


def connected(link: Link) -> Wire:
    """`link` connected, on a Wire it writes to."""
    link._ws = wire = Wire()
    link._reached(wire)
    return wire
