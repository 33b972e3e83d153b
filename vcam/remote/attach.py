"""How `vcam serve` attaches its server to a local show: the clients' commands to the show's controller (none
taken while a control log replays), and a sender's frames put on air and taken off again.

Apart from the server, which knows no controller: these are the few rules where the network meets the show.
"""
from __future__ import annotations

import re
from collections.abc import Callable

from vcam.control.media import Refused
from vcam.control.sources import by_vcam_cam
from vcam.words import clipped, quoted
from vcam.remote.server import FrameServer, ServeSettings


def attachment(settings: ServeSettings) -> Callable[..., FrameServer]:
    """What `vcam serve` attaches to a local show: a server that publishes its blocks and state, takes commands
    through its controller (`handle_line`, `snapshot`), and fills `uploads` with what a `vcam cam --send` client
    sends up, putting it on air while it does. Made before anything opens: a missing token is said first.
    A client's lines come from the network: the files they name stay in the controller's shared folders. While a
    control log is replayed (`replaying`), a client watches it: its commands are refused but for what changes
    nothing (status, help; a quit is refused by the controller, as from any client), and a sender's frames do not
    switch the input (the log says when it is `net`)."""
    def attach(controller, say: Callable[[str], None], uploads, input_fit: str,
               replaying: bool = False) -> FrameServer:
        def from_client(line: str, source: str) -> str | None:
            if replaying and line.lower().split(maxsplit=1)[:1] not in ([], ["status"], ["help"], ["quit"]):
                # a quit goes on to the controller, which refuses it from the network with the reason
                raise Refused("this show replays a control log: its changes are the log's, not taken from the "
                              "network (status and help are)", f"{line.strip()[:80]!r} during a replay")
            return controller.handle_line(line, source, network=True)

        # the controller is closed as the server stops, before it (the show closes it again after, which does
        # nothing): no state round starts then, and the last one reaches the clients before their close frames
        server = FrameServer(settings, from_client, controller.snapshot, say, uploads=uploads,
                             on_sender=None if replaying else SenderSwitch(controller, say), input_fit=input_fit,
                             close_first=controller.close)
        tell_not_applied(controller, server)
        return server

    return attach


def tell_not_applied(controller, server: FrameServer) -> None:
    """A change a client sent that fails as the generator applies it (a prompt the encoder overflows on, a clip
    that does not open) is told to that client, naming the command, in the words the network is told (no folder of
    this machine); a controller or producer that tells none (a stand-in) leaves it to the server's terminal."""
    hear = getattr(getattr(controller, "generator", None), "on_not_applied", None)
    if hear is None:
        return

    def told(action, origin, line: str, key: tuple) -> None:
        if origin is None or not by_vcam_cam(origin.source):
            return
        command = quoted(clipped(controller.told_network(origin.command, action), NAMED_CHARS))
        server.not_applied(origin.source, one_line(f"{command}: {controller.told_network(line, action)}"), key)

    hear(told)


NAMED_CHARS = 60  # of a command named in a client's notice: a prompt may have 2000
# A notice in all: the error in it is the library's own text, which may run to paragraphs (a CUDA error's advice)
NOTICE_CHARS = 600
_BREAKS = re.compile(r"[ \t]*[\r\n]+[ \t]*")  # the spaces round a line break, with it


def one_line(text: str) -> str:
    """A notice as one line of at most NOTICE_CHARS, cut where it is too long (said with an ellipsis): the
    laptop's terminal shows it between its status lines, where a paragraph scrolled them away."""
    return clipped(_BREAKS.sub(" ", text), NOTICE_CHARS)


class SenderSwitch:
    """A sender's first frame puts the uploads on air (`input net`, logged like any command); when it leaves, the
    input that was on air before it comes back (unless the operator chose another one meanwhile). Where that was
    `net` itself (`--in net`, a show's `input: net`, a typed `input net`), the operator chose the network's input:
    it stays, its last frame held as the input until a sender's frames come again, as a stalled camera's is, not
    text only in the middle of a show."""

    def __init__(self, controller, say: Callable[[str], None]):
        self.controller = controller
        self.say = say
        self.before = "none"

    def __call__(self, started: bool) -> None:
        on_air = self.controller.state.input
        if started:
            self.before = on_air
            self.say(f"input from the network: {self.controller.handle_line('input net', 'net')}")
        elif on_air != "net":
            return  # the operator chose another input while it sent
        elif self.before == "net":
            self.say("the network input left: the show goes on with its last frame as the input, waiting for a "
                     "sender (input none: text only)")
        else:
            self.say(f"the network input left: {self.controller.handle_line(f'input {self.before}', 'net')}")
