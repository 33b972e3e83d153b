"""One thread encodes prompts ahead, off the generator's thread, so a new prompt costs the show no stall.

Two kinds of work, one thread:
- `hand_over(action)`: a command's change; its prompts are encoded, then it is handed to the producer. In the
  order given, whether or not it has prompts: a later `seed` never overtakes an earlier `prompt`.
- `preload(texts)`: every preset's prompts of a loaded show, so that switching later costs nothing. Done only
  while no hand-over waits.
Nothing is encoded before the engine exists (`encoder()` returns None while the model loads): hand-overs go on
unencoded then, and preloads wait. A failed encode is said (the same error again within a minute counted, not said
for each prompt encoded ahead nor each time one prompt is handed over); the producer encodes again when the change
applies. A hand-over the producer refuses (its `submit` raises) is said, that change is lost, and the thread goes on
with the next: a dead prompter would lose every later change without a word while the show plays on.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from vcam.control.actions import Action, Origin, SetPrompts, prompts_of
from vcam.control.protocol import Producer
from vcam.control.throttle import ErrorThrottle, words_of
from vcam.words import clipped, quoted

POLL_S = 0.2  # how often waiting preloads look whether the engine exists yet
FAILURES_SAID_EVERY_S = 30.0  # a producer that refuses every change is said twice a minute at most, then counted
ENCODE_FAILURES_SAID_EVERY_S = 60.0  # a text encoder that raises at every prompt: said once, then once a minute


class Prompter:
    def __init__(self, producer: Producer, encoder: Callable[[], Any | None], say: Callable[[str], None],
                 clock: Callable[[], float] = time.monotonic):
        self.producer = producer
        self.encoder = encoder  # the engine's text encoder (`.encode(text)`), None until the model is loaded
        self.say = say
        self.clock = clock
        self._failures = ErrorThrottle(FAILURES_SAID_EVERY_S)
        self._encode_failures = ErrorThrottle(ENCODE_FAILURES_SAID_EVERY_S)
        self._work = threading.Condition()
        self._hand_overs: deque[tuple[Action, int | None, Origin | None, Producer | None]] = deque()
        self._preloads: deque[str] = deque()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="prompter", daemon=True)
        self._thread.start()

    def hand_over(self, action: Action, at_block: int | None = None, origin: Origin | None = None,
                  to: Producer | None = None) -> None:
        """Encodes the action's prompts, then submits it to the producer (or to `to`: a change on the beat, held
        until its block, vcam.control.onbeat), after every earlier hand-over."""
        with self._work:
            last = self._hand_overs[-1] if self._hand_overs else None
            if last is not None and isinstance(action, SetPrompts) and isinstance(last[0], SetPrompts) \
                    and last[1] == at_block and to is None and last[3] is None:
                # prompts typed (or sent by a surface) faster than they are encoded: the newest replaces the one
                # still waiting for its encode, so a flood never queues up and the show goes to the newest (a held
                # change waits for each of its own)
                self._hand_overs[-1] = (action, at_block, origin, to)
            else:
                self._hand_overs.append((action, at_block, origin, to))
            self._work.notify()

    def preload(self, texts: list[str]) -> None:
        """Encodes `texts` in the background, once the engine exists, whenever no hand-over waits."""
        with self._work:
            self._preloads.extend(texts)
            self._work.notify()

    @property
    def alive(self) -> bool:
        """Whether its thread still runs (an encode outlasted `stop`)."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 2.0) -> None:
        """Ends the thread after the encode in progress; what is still queued is dropped (the show is ending)."""
        with self._work:
            self._stopped = True
            self._work.notify()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
        self._say_counts(None)  # the show ends: changes lost since the last line said are counted now

    def _run(self) -> None:
        while True:
            with self._work:
                job = self._next()
                if job is None:
                    return
            if isinstance(job, str):
                self._encode(job, ahead=True)
                continue
            action, at_block, origin, to = job
            for text in prompts_of(action):
                self._encode(text, ahead=False)
            self._submit(action, at_block, origin, to)
            self._say_counts(self.clock())

    def _submit(self, action: Action, at_block: int | None, origin: Origin | None, to: Producer | None) -> None:
        """Hands the action over; one refused is said (throttled: a producer that refuses them all is not said for
        each), and the thread goes on."""
        try:
            (to or self.producer).submit(action, at_block=at_block, origin=origin)
        except Exception as e:
            asked = f" ({quoted(clipped(origin.command, 41))})" if origin is not None else ""
            line = self._failures.admit((e.__class__.__name__,), f"a change{asked} was not handed over "
                                        f"({e.__class__.__name__}: {e}); it is lost, later changes still go",
                                        self.clock())
            if line:
                self.say(line)

    def _say_counts(self, now: float | None) -> None:
        """The failures held back (changes lost, prompts not encoded), counted once their window has passed (all,
        without `now`): one with no other after it would otherwise never be said."""
        for throttle in (self._failures, self._encode_failures):
            for line in throttle.held_back(now):
                self.say(line)

    def _next(self) -> tuple | str | None:
        """The next job (a hand-over first, else a preload once the engine exists); None once stopped. Called
        holding the condition."""
        while not self._stopped:
            if self._hand_overs:
                return self._hand_overs.popleft()
            if self._preloads and self.encoder() is not None:
                return self._preloads.popleft()
            self._work.wait(POLL_S if self._preloads else None)
        return None

    def _encode(self, text: str, ahead: bool) -> None:
        try:
            encoder = self.encoder()
            if encoder is None:  # the model is still loading: the producer encodes it when the change applies
                return
            encoder.encode(text)
        except Exception as e:  # the show goes on: the prompt is encoded again when it is used
            when = "ahead" if ahead else "before handing it over"
            # the same error again within the minute is held back and counted: for any prompt encoded ahead (a
            # show's preloads), for the same prompt handed over (a blend knob's); another prompt put on air is said
            subject = "" if ahead else text
            line = self._encode_failures.admit((ahead, subject, e.__class__.__name__, words_of(str(e))),
                                               f"could not encode {quoted(clipped(text, 41))} {when}: {e}",
                                               self.clock())
            if line is not None:
                self.say(line)
