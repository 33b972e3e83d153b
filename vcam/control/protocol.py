"""What the controller needs from whatever makes the stream (the generator thread, or a fake in tests)."""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, Protocol

from vcam.control.actions import Action, Origin

# Told each action once it has been applied, with the number of the block it preceded and where it came from
# (None for a replayed one). Called on the producer's thread: it must not block.
AppliedListener = Callable[[Action, int, "Origin | None"], None]
# Told each action that failed as it was applied, with where it came from, the line that says it, and what makes two
# such failures the same (the producer's key for holding back the same again). On the producer's thread: no blocking.
NotAppliedListener = Callable[[Action, "Origin | None", str, tuple], None]


class Producer(Protocol):
    """Read where it has them (the generator does; a stand-in may not): `submitted`, the blocks made so far, counting
    those after a reset; `starting`, a list of callables each told the number of a block as it starts, before its
    controls apply, on the producer's thread (they must not block). A change on the beat waits for its block only
    with `starting` (vcam.control.onbeat); without it, it goes at the block chosen as it is given."""

    @property
    def blocks(self) -> int:
        """Blocks made so far (the block number a change applied now is logged with)."""

    def submit(self, action: Action, at_block: int | None = None, origin: Origin | None = None) -> None:
        """Apply `action` before the next block, or before block number `at_block` (replays)."""

    def on_applied(self, listener: AppliedListener) -> None:
        """Call `listener` after each action is applied."""


class BeatClock(Protocol):
    """The show's tempo as quantised changes need it (vcam.control.tempo.Tempo)."""

    bpm: float | None  # None: no tempo yet
    beats_per_bar: int

    def next_boundary(self, beats: float, t: float | None = None) -> float | None:
        """Clock time of the next multiple of `beats` strictly after t (now when None); None without a tempo."""


class Shown(NamedTuple):
    """A generated frame on the camera: frame `index` (from 0) of block `block`, on screen since clock time
    `since`. Changes the camera side makes at once (freeze, blackout, the tempo) are logged with the frame on screen
    then, so that a replay and a render put them after the same generated frame."""

    block: int
    index: int
    since: float


ShownListener = Callable[[Shown], None]
# Registers a listener told of each generated frame as it comes on the camera (vcam.live.pacer.Pacer.on_frame_shown)
OnFrameShown = Callable[[ShownListener], None]


class CameraScreen(Protocol):
    """The camera's freeze, blackout and live as a command sets them (vcam.live.screen.Screen)."""

    def set(self, mode: str) -> Shown | None:
        """Sets `state.screen` between two camera ticks; the generated frame the change comes after (the last
        tick's: the one a freeze holds), None before any was on the camera."""
