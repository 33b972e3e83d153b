"""The frames `vcam cam` receives, gathered again into the blocks the server made, each pushed whole to the pacer
with its number and its frames' indices, as the server's camera numbers them: a freeze the server names lands on
its own frame here. The pacer reads the stream as stalled after a wait that follows the blocks' own pace
(blockgaps.py).
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from vcam.live.pacer import Pacer, block_outlasts_cap
from vcam.remote.blockgaps import BlockGaps
from vcam.remote.protocol import FrameHeader

# The server's blocks are 12 frames (6 the first): a server that never ends one (its last frame never comes, a count
# that never runs out) has its frames pushed every MAX_BLOCK_FRAMES, not held without bound on the laptop
MAX_BLOCK_FRAMES = 48


class Blocks:
    """The block being received: pushed once its last frame comes, a frame of another block comes (the rest of it
    was lost on the way), or the connection ends."""

    def __init__(self, pacer: Pacer, say: Callable[[str], None] | None = None,
                 out_size: tuple[int, int] | None = None, fit: str = "letterbox"):
        """`say`: told once, as the server's block length becomes known, where one block cannot be shown within
        the latency cap at the camera's rate (pacer.block_outlasts_cap); once, where the link sends the blocks
        in bundles further apart than the cap, each held on screen until the next (Pacer.bundles_held); and once
        for each size of the server's frames smaller than `out_size`, the outputs' (width, height), which scale
        them up as `fit` (vcam cam's --fit) fits them."""
        self.pacer = pacer
        self.fit = fit
        self._say = say
        self.out_size = out_size
        self._size_said: tuple[int, int] | None = None
        self._blocks_seen = 0  # blocks begun on this link
        self._longest = 0  # the most frames a block begun on this link was to have (its header's count)
        self._said_slow = False
        self._said_bundles = False
        self._frames: list[np.ndarray] = []
        self._indices: list[int] = []  # each of _frames' index in its block: some may be lost on the way
        self._number: int | None = None
        self.gaps = BlockGaps(pacer.settings.stall_after)

    def add(self, header: FrameHeader, frame: np.ndarray) -> None:
        """A frame received; the block before it pushed first where this one begins another."""
        if self._number is not None and header.block != self._number and self._frames:
            self._push()
        if header.block != self._number:
            self._began(header)
            self._say_scaled(frame)
        self._number = header.block
        self._frames.append(frame)
        self._indices.append(header.index)
        if len(self._frames) >= MAX_BLOCK_FRAMES:
            self._push()

    def _began(self, header: FrameHeader) -> None:
        """A block begins: from the second seen on, the longest block yet is taken as the server's block length
        and said, once, where it outlasts the latency cap. One block is not enough: the stream's first block is
        shorter (6 frames where the rest are 12), and so is the first after a reset, which the second seen may be
        (a camera that joined a running show, then a reset): taken alone, it hid blocks of 12 that did outlast it."""
        self._blocks_seen += 1
        self._longest = max(self._longest, header.count)
        if self._blocks_seen < 2 or self._said_slow or self._say is None:
            return
        s = self.pacer.settings
        if (slow := block_outlasts_cap(s.fps, s.max_latency, self._longest)) is not None:
            self._said_slow = True
            self._say(slow)

    def _say_scaled(self, frame: np.ndarray) -> None:
        """The server's frames smaller than the outputs (a small model's: 112x64 recorded at vcam cam's default
        832x480), said once for each size: the recording and the camera are scaled up, softer, which nothing said.
        Letterboxed, a frame is scaled up where it is smaller in both sides; cropped or stretched, in either (a
        832x240 frame cropped to 832x480 is doubled)."""
        height, width = frame.shape[:2]
        if self._say is None or self.out_size is None or (width, height) == self._size_said:
            return
        out_w, out_h = self.out_size
        smaller = (width < out_w, height < out_h)
        if all(smaller) if self.fit == "letterbox" else any(smaller):
            self._size_said = (width, height)
            self._say(f"the server makes {width}x{height} frames: scaled up to the outputs' {out_w}x{out_h}, softer "
                      f"(--size {width}x{height} gives them as made)")

    def end_if_last(self, header: FrameHeader) -> None:
        """Pushes the block where `header` is its last frame's."""
        if header.index == header.count - 1 and self._frames:
            self._push()

    def end(self) -> None:
        """The frames of a block cut short by the connection's end go on screen now: the rest of it will not come,
        and kept, they would wait for the next connection's first frame (a restarted server's, numbered anew)."""
        if self._frames:
            # pushed at the drop, not as they came: the wait up to it (a stall until the keepalive gave up) is no
            # gap between the server's blocks, and learned as one it held back the next stall's STALLED
            self._push(gap=False)
        self._number = None
        self.gaps.ended()

    def _push(self, gap: bool = True) -> None:
        self.pacer.push(self._frames, self._number, self._indices)
        self._frames, self._indices = [], []
        if not self._said_bundles and self._say is not None and (line := self.pacer.bundles_held()) is not None:
            self._said_bundles = True
            self._say(line)
        if not gap:
            return
        self.gaps.block(self.pacer.clock())
        # read by the pacer's tick on its own thread: a float, set whole
        self.pacer.settings.stall_after = self.gaps.stall_after()
