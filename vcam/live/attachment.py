"""A consumer attached to a show on this machine (vcam serve's WebSocket server): what the show needs of it
(Attachment), the maker the command line hands to `run` (Attach), and its wiring to the show's blocks and state."""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from vcam.control.controller import Controller
    from vcam.live.inputs import InputSwitch
    from vcam.live.producer import Generator


class Attachment(Protocol):
    """A consumer of the show's blocks and state, started and stopped with the show (vcam serve's server)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def publish(self, frames, block: int | None = None) -> None: ...

    def broadcast_state(self) -> None: ...

    def describe(self) -> str: ...


# (controller, say, uploads, input fit, replaying=...) → the attachment
Attach = Callable[..., Attachment]


def attached(attach, controller: Controller, producer: Generator, say: Callable[[str], None],
             inputs: InputSwitch, replaying: bool) -> Attachment | None:
    """The attachment made and wired: it gets every block and every change of state, and fills the switch's
    uploads with the frames a client sends up, fitted as the show's inputs are."""
    if attach is None:
        return None
    extra = attach(controller, say, inputs.uploads, inputs.fit, replaying=replaying)
    # numbered as the pacer numbers it (the blocks handed to it before this one), so that the frame a screen change
    # names in the state is the same frame on a client's camera
    producer.listeners.append(lambda frames: extra.publish(frames, producer.blocks))
    controller.listeners.append(extra.broadcast_state)
    return extra
