"""The JPEG encoding of the blocks `vcam serve` publishes, on a thread of its own, each frame offered to every
client.

Apart from the server because the show's generator must never wait on it: a block is handed over and the oldest
waiting one goes when encoding falls behind; one frame that cannot be encoded ends no client's picture.
"""
from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from vcam.live.mailbox import Mailbox
from vcam.remote import protocol as proto
from vcam.remote.served import ServedClient


class BlockEncoder:
    """Encodes each block put to it and offers its frames to `watchers()` (the clients served at that moment)."""

    ERRORS_SAID = 3  # frames that could not be encoded said on the terminal; the rest are counted only

    def __init__(self, quality: int, watchers: Callable[[], list[ServedClient]], say: Callable[[str], None]):
        self.quality = quality
        self.watchers = watchers
        self.say = say
        self.bytes_per_frame = 0.0
        self._blocks: Mailbox[tuple[int, np.ndarray]] = Mailbox(4)  # (its number in the show, its frames)
        self._seq = 0
        self._next_block = 0  # the number of a block published without one
        self._errors = 0

    def put(self, frames: np.ndarray, block: int | None = None) -> None:
        """A block to encode, numbered `block` (else the one after the last); never blocks."""
        block = self._next_block if block is None else block
        self._next_block = block + 1
        self._blocks.put((block, frames))

    def close(self) -> None:
        """The blocks still waiting are dropped, and the loop ends."""
        self._blocks.close(drain=False)

    def run(self) -> None:
        """Encodes blocks until closed (a thread's target)."""
        while (item := self._blocks.get()) is not None:
            block, frames = item
            watchers = self.watchers()
            if watchers:
                self._send(block, frames, watchers)

    def _send(self, block: int, frames: np.ndarray, watchers: list[ServedClient]) -> None:
        # the clock pongs are stamped with (answers.py): the camera reads it against their offset, and a step of
        # this machine's wall clock (NTP, a migrated VM) showed an hour's latency there, or none
        sent_at = time.monotonic()
        n = len(frames)
        for i, frame in enumerate(frames):
            h, w = frame.shape[:2]
            header = proto.FrameHeader(self._seq, block, i, n, sent_at, w, h)
            try:
                message = proto.encode_frame(frame, header, self.quality)
            except Exception as e:  # noqa: BLE001 - one unencodable frame must not end every client's picture
                self._errors += 1
                if self._errors <= self.ERRORS_SAID:
                    self.say(f"a frame could not be sent to clients ({e.__class__.__name__}: {e})")
                continue
            self._seq += 1
            self.bytes_per_frame = 0.9 * self.bytes_per_frame + 0.1 * len(message) if self.bytes_per_frame \
                else float(len(message))
            for c in watchers:
                c.offer(message)
