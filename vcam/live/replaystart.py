"""A replay's start (--replay LOG): the control log read and checked whole, what a replay does not do said, and
the clips and images the log switches to opened, all before anything opens."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from vcam.control.actions import Action, SetInput
from vcam.control.log import Replay, replay_to_make
from vcam.control.protocol import AppliedListener, NotAppliedListener
from vcam.errors import VcamError
from vcam.inspec import parse_input
from vcam.live.inputs import check_logged_inputs
from vcam.live.settings import RunOptions
from vcam.words import counted, shell_word


def replayed(opts: RunOptions, say: Callable[[str], None]) -> Replay | None:
    """The control log to replay, read and checked whole, or None. What a replay does not do is said here, before
    anything opens: it takes no typed commands (the console is not started, and would answer nothing), and its own
    changes are not logged again, so --log-controls with it is refused rather than writing a log that does not
    make the show again."""
    if not opts.replay:
        return None
    if opts.log_controls:
        raise VcamError(f"--log-controls {opts.log_controls} with --replay {opts.replay}: a replay's changes come "
                        f"from its log and are not logged again, so {opts.log_controls} would hold a header and an "
                        "end line, not the show",
                        f"leave out --log-controls: {opts.replay} itself makes this show again (vcam run --replay "
                        f"{shell_word(opts.replay)}, or vcam render {shell_word(opts.replay)} for a video file)")
    replay = replay_to_make(opts.replay, "replay", say)
    if opts.serve:
        say("commands from the network are not taken while a control log is replayed: clients watch it")
    if replay.end_block is None:
        _say_endless(opts.replay, replay, opts.duration, say)
    if opts.stdin:
        ends = (f"it ends after the log's {counted(replay.end_block, 'block')}, Ctrl-C ends it sooner"
                if replay.end_block is not None else "Ctrl-C ends it")
        say(f"typed commands are not read while a control log is replayed (the log's commands are the show's); "
            f"{ends}")
    return replay


def _say_endless(path: str, replay: Replay, duration: float | None, say: Callable[[str], None]) -> None:
    """A log without its end line plays on past its last change until stopped: said, where a replay of a show that
    was killed ran on with no word of why, as vcam render names the same log's missing end."""
    from vcam import filelock

    blocks = [block for block, _ in replay.actions] + [change.block for change in replay.at_frames]
    last = f"its last change (block {max(blocks)})" if blocks else "its start (it logs no change)"
    why = ("is still being written by the show on air" if filelock.written_now(path)
           else "has no end line (the show did not end cleanly)")
    until = (f"until --duration's {duration:g} s on air" if duration is not None
             else "until Ctrl-C; --duration SECONDS stops it")
    say(f"{path} {why}: the replay goes on past {last} {until}")


def check_replayed_inputs(path: str, replay: Replay, start: str) -> None:
    """The clips and images a replayed log switches to open before the model loads, as vcam render checks them: one
    gone since the show was said only at its block, as a change not applied, and the replay went on unlike the log.
    `start`: the input the replay starts with, checked too where it is the log's (one the header names, gone, was
    said with --in's fix, a path relative to the folder vcam was started in, where no --in was given)."""
    end = replay.end_block
    logged_start = [("the show's input", start)] if start == replay.header.get("input") else []
    check_logged_inputs(path, logged_start + [(f"the input at block {block}", a.spec) for block, a in replay.actions
                                              if isinstance(a, SetInput) and (end is None or block < end)])


class AppliesActions(Protocol):
    """What applies a replayed log's actions (the generator), as InputsAhead hears of them."""

    def on_applied(self, listener: AppliedListener) -> None: ...

    def on_not_applied(self, listener: NotAppliedListener) -> None: ...


class InputsAhead:
    """Opens the clips and images a replayed log switches to ahead of their blocks, one at a time on a thread of its
    own, through `check` (InputSwitch.check, which keeps each opened for the stream): the stream's thread opened
    them itself between two blocks, as no typed input is, and a large photo held the show's frames for seconds.
    The next is opened once the one before it went on air (or was refused): one opened copy waits at a time. One due
    at a block the stream is already applying is left to the stream, which opens it there.
    `producer`: what applies the log's actions (its on_applied and on_not_applied)."""

    # The longest stop() waits for a clip or image being opened (an 11000x11000 photo: 9 s): a decode left running
    # as the process ends aborted it ("terminate called without an active exception")
    STOP_WAIT_S = 30.0

    def __init__(self, replay: Replay, check: Callable[[str], object], producer: AppliesActions,
                 say: Callable[[str], None] = lambda line: None) -> None:
        end = replay.end_block
        logged = [(block, a) for block, a in replay.actions if isinstance(a, SetInput) and (end is None or block < end)]
        # Each input's place among the log's: the stream drops a held one (a camera still busy) once a later one is
        # due, telling neither, so a later one heard counts as hearing all before it; waiting for the dropped one
        # itself left every clip and image after it unopened.
        self._index = {id(a): i for i, (_, a) in enumerate(logged)}
        self._inputs = [(i, block, a) for i, (block, a) in enumerate(logged)
                        if parse_input(a.spec).kind in ("file", "image")]  # a camera is opened where it goes on
        self._check, self.say = check, say
        self._heard_max = -1  # the place of the latest of the log's inputs the stream has put on air or refused
        # The latest block the stream has applied a change before: an input due there is being opened by the stream
        # itself (several logged within one block), and one opened here too was a spare copy
        self._heard_block = -1
        self._changed = threading.Condition()
        self._stopped = False
        producer.on_applied(lambda action, block, *rest: self._hear(action, block))
        producer.on_not_applied(lambda action, *rest: self._hear(action))
        self._thread = threading.Thread(target=self._run, name="vcam-replay-inputs", daemon=True)
        self._thread.start()

    def _hear(self, action: Action, block: int | None = None) -> None:
        index = self._index.get(id(action)) if isinstance(action, SetInput) else None
        with self._changed:  # on the stream's thread: it must not wait
            if block is not None:
                self._heard_block = max(self._heard_block, block)
            if index is not None:
                self._heard_max = max(self._heard_max, index)
                self._changed.notify_all()

    def _run(self) -> None:
        for index, block, action in self._inputs:
            with self._changed:
                if self._stopped:
                    return
                # on air already (it came within the one before's block), passed, or due at the block being applied
                late = self._heard_max >= index or self._heard_block >= block
            if not late:
                try:
                    self._check(action.spec)
                except Exception:  # noqa: BLE001 - a file gone since the start: said at its block, as it was
                    pass
            with self._changed:
                self._changed.wait_for(lambda: self._stopped or self._heard_max >= index)

    def stop(self, timeout: float = STOP_WAIT_S) -> None:
        """Ends the thread, waiting for a clip or image it is opening; one opened meanwhile is closed with the
        switch (kept for the stream, or closed at once where the switch was closed first)."""
        with self._changed:
            self._stopped = True
            self._changed.notify_all()
        self._thread.join(timeout)
        if self._thread.is_alive():
            self.say(f"the replay's next clip or image was still being opened after {timeout:g} s: the show ends "
                     "without waiting for it")
