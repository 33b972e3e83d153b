"""Changes to the stream put on the beat (`next @bar`, the show's quantize), held until the block that takes them.

A change on the beat goes into the block whose first frame reaches the camera nearest the boundary (`land`,
vcam.live.quantize). That block is chosen again as each block starts, and the change is handed to the producer only
once it is the next block to be made: a tempo that moves meanwhile (a tap, `bpm`, a MIDI clock, Link, a count
started over) or a generator that falls behind (a slow block, the frames waiting to be played run down) moves the
change to the block that meets the boundary as it is then, as a screen change on the beat follows the grid that
holds when its beat comes. A command's actions land together, in one block (a preset's prompts and seed), encoded
ahead by the prompter as it is given. A replay asks nothing: the log keeps the block each change was applied before,
where the replay applies it again (vcam.control.log).

The commands' order is kept for each kind of change (the prompts, the seed, …): a change of a kind that an earlier
one still waits with lands with it, after it (`seed 42 @bar` then `seed 7`: the stream ends on 7, as the state
says), and a change that waits is handed over only with or after an earlier one of a kind it shares.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from vcam.control.actions import Action, Origin
from vcam.control.commands import lands_on
from vcam.control.prompter import Prompter
from vcam.control.protocol import Producer

_WAITING = object()  # a held change's block while it is not handed over yet


@dataclass(eq=False)  # each one is itself: two alike are two changes
class _Held:
    """One command's change on the beat (and the later ones that joined it), in the order they were given."""

    spec: str | None  # None: at once, a command's changes kept together
    planned: int  # the block it lands on, as last chosen
    owner: OnTheBeat
    actions: list[tuple[Action, Origin]] = field(default_factory=list)
    kinds: set[type] = field(default_factory=set)
    ready: int = 0  # the actions encoded (by the prompter) and so ready to hand over, from the first
    whole: list[int] = field(default_factory=list)  # where each command's actions end in `actions`
    sent: int = 0  # the actions handed to the producer, from the first
    block: object = _WAITING  # once handed over: the block it went into (None: the next one made)
    said_late: bool = False  # it went into a later block than `block`, which was said
    said: int | None = None  # the block its reply named (`planned` as it was taken)

    def submit(self, action: Action, at_block: int | None = None, origin: Origin | None = None) -> None:
        """The prompter's hand-over: the next of its actions is encoded (the prompter keeps their order)."""
        self.owner._ready(self)


class OnTheBeat:
    """Between the controller and the producer (through the prompter where there is one). Thread-safe: commands come
    from the controls' threads, block starts from the producer's, which never waits here for more than a quick
    look at the hold."""

    def __init__(self, producer: Producer, land: Callable[[str], int | None] | None,
                 prompter: Prompter | None = None, say: Callable[[str], None] = print):
        self.producer = producer
        self.land = land
        self.prompter = prompter
        self.say = say
        self._lock = threading.Lock()
        self._held: list[_Held] = []  # in the order given; a change leaves once all its actions are handed over
        self._landed: dict[type, int] = {}  # by kind of action, the latest block a change on the beat went into
        self._starting = False  # in block_starts: on the producer's thread, before it takes the block's controls
        self._started: int | None = None  # the last block whose start was heard: its controls are taken
        self.taken_at: int | None = None  # the block the last change taken on the beat lands on, as taken
        starting = getattr(producer, "starting", None)  # told the number of each block as it starts
        # a producer that tells no block start (a stand-in) takes each change at the block chosen as it is given
        self._follows = starting is not None
        if starting is not None:
            starting.append(self.block_starts)

    def plan(self, spec: str | None) -> int | None:
        """The block a change quantised to `spec` lands on as things stand (None: at once, also with no `spec`)."""
        return self.land(spec) if spec is not None and self.land is not None else None

    def take(self, actions: list[tuple[Action, Origin]], spec: str | None, planned: int | None) -> int | None:
        """One command's actions: at once (`planned` None), or on the beat of `spec`, at block `planned` as things
        stand. Returns the block the command waits for behind an earlier change of a kind it shares (said in its
        reply), None where it does not."""
        if not actions:
            return None
        with self._lock:
            if planned is None:
                return self._at_once(actions)
            # a block that started since `planned` was chosen has taken its controls: this change goes into the
            # next one, which its reply names (it named the started one, a block before the change and its log)
            if self._follows and self._started is not None and planned <= self._started:
                planned = self._started + 1
            self.taken_at = planned
            kinds = {type(action) for action, _ in actions}
            earlier = self._last_holding(kinds)
            if earlier is not None and (at := _lands_at(earlier)) is not None and at >= planned:
                for action, origin in actions:  # it would land first: it lands with the earlier one, after it
                    self._join(earlier, action, origin)
                self._whole(earlier)
                return at
            held = _Held(spec, planned, self, said=planned)
            self._held.append(held)
            for action, origin in actions:
                self._join(held, action, origin)
            held.whole.append(len(held.actions))
            later = self._to_come(kinds)
            if later is not None and later > planned:  # one handed over already for a later block: with it
                self._hand_over(held, later)
                return later
            # its block is the next one already (none later can come nearer), unless it waits behind an earlier
            # change; or a producer that tells no block start
            free = earlier is None or earlier.block is not _WAITING
            if not self._follows or (free and planned <= self._made() + 1):
                self._hand_over(held, planned)
            return None

    def release(self) -> list[Origin]:
        """Every change still waiting for its boundary goes into the next block (`quantize off`: nothing waits for
        the beat any more), each after an earlier one of a kind it shares, as given. The origins of their actions,
        in the order given; none where nothing waited."""
        with self._lock:
            waiting = [held for held in self._held if held.block is _WAITING]
            for held in waiting:
                self._hand_over(held, None)
        return [origin for held in waiting for _, origin in held.actions]

    def waiting(self) -> list[tuple[Origin, int]]:
        """Every change still waiting for its boundary, as `release` would land it: the origin of each of its
        actions with the block it lands on as chosen last (chosen again as each block starts), in the order given."""
        with self._lock:
            return [(origin, held.planned) for held in self._held if held.block is _WAITING
                    for _, origin in held.actions]

    def unplayed(self) -> list[tuple[Origin, str | None]]:
        """Every change still waiting for its boundary, as the show ends: the origin of each command, with the grid
        it waited for (None: a command's changes kept together, at once), in the order given."""
        with self._lock:
            return list(dict.fromkeys((origin, held.spec) for held in self._held if held.block is _WAITING
                                      for _, origin in held.actions))

    def block_starts(self, block: int) -> None:
        """The producer's `starting` (before the block's controls apply, after the quantizer heard of it): each
        change still waiting is placed again, and handed over when the block after this one is its block (or it
        lands at once: the tempo stopped or went). One that shares a kind with an earlier change still waiting
        waits with it. What was handed over goes to the producer here, each command's actions once all are
        encoded (_forward)."""
        with self._lock:
            self._starting = True
            self._started = block
            try:
                self._place_again(block)
            finally:
                self._starting = False

    # --- inside (with the lock held) ---------------------------------------------------------------------------
    def _place_again(self, block: int) -> None:
        behind: set[type] = set()
        for held in list(self._held):
            if held.block is not _WAITING:  # handed over: what is encoded of it goes now
                self._forward(held)
                continue
            if held.kinds & behind:
                behind |= held.kinds
                continue
            try:
                at = self.plan(held.spec)
            except Exception as e:  # on the producer's thread: the show goes on, the change on the block it had
                self.say(f"a change on the beat could not be placed again ({e.__class__.__name__}: {e}); it "
                         f"lands on block {held.planned}, chosen before")
                self._hand_over(held, held.planned)
                continue
            if at is not None and at > block + 1:
                held.planned = at
                behind |= held.kinds
                continue
            if at is None and held.spec is not None:  # the tempo stopped while it waited: no boundary comes
                self.say(f"the tempo stopped: {_lands(held)} from the next block, not {lands_on(held.spec)}")
            self._hand_over(held, at)
            if at is not None and held.said is not None and held.block != held.said:
                # placed again as the blocks came: the control log has this block, not the one its reply named
                self.say(f"{_lands(held)} on block {held.block}, not block {held.said} as said: the generator's pace "
                         f"or the tempo moved, and block {held.block} now comes nearest the boundary "
                         f"{lands_on(held.spec)}")

    def _at_once(self, actions: list[tuple[Action, Origin]]) -> int | None:
        waits: int | None = None
        joined: list[_Held] = []
        free: list[tuple[Action, Origin]] = []
        for action, origin in actions:
            kind = type(action)
            earlier = self._last_holding({kind})
            if earlier is not None:  # handed over with it, after it
                self._join(earlier, action, origin)
                if earlier not in joined:
                    joined.append(earlier)
                if (at := _lands_at(earlier)) is not None:
                    waits = max(waits or 0, at)
                continue
            at = self._to_come({kind})  # an earlier change of its kind goes into a block still to come: with it
            if at is not None:
                waits = max(waits or 0, at)
            free.append((action, origin))
        for held in joined:
            self._whole(held)
        if len(free) > 1 and self._follows:
            # a command of several changes (a preset's prompts and seed) goes as one, as a block starts: sent one
            # by one from the prompter's thread, the producer could take the prompts into a block and the seed
            # into the next
            together = _Held(None, self._made() + 1, self)
            self._held.append(together)
            for action, origin in free:
                self._join(together, action, origin)
            together.whole.append(len(together.actions))
            self._hand_over(together, self._to_come(together.kinds))
        else:
            for action, origin in free:
                self._send(action, self._to_come({type(action)}), origin)
        return waits

    def _to_come(self, kinds: set[type]) -> int | None:
        """The latest block still to be made that a change of one of `kinds` was handed over for."""
        made = self._made()
        return max((at for kind, at in self._landed.items() if kind in kinds and at > made), default=None)

    def _last_holding(self, kinds: set[type]) -> _Held | None:
        """The latest change not yet handed over whole that has one of `kinds`."""
        return next((held for held in reversed(self._held) if held.kinds & kinds), None)

    def _join(self, held: _Held, action: Action, origin: Origin) -> None:
        held.actions.append((action, origin))
        held.kinds.add(type(action))
        if self.prompter is not None:  # encoded first; the prompter tells `held` when it is (_ready)
            self.prompter.hand_over(action, origin=origin, to=held)
        else:
            held.ready += 1

    def _whole(self, held: _Held) -> None:
        """A command's actions have all joined `held`: they go on together."""
        held.whole.append(len(held.actions))
        self._forward(held)

    def _ready(self, held: _Held) -> None:
        with self._lock:
            held.ready += 1
            self._forward(held)

    def _hand_over(self, held: _Held, block: int | None) -> None:
        """`held` goes into `block` (None: the next one), or with a change of a kind it shares that went into a
        later one (the order given, kept)."""
        later = self._to_come(held.kinds)
        if later is not None and (block is None or later > block):
            block = later
        held.block = block
        if block is not None:
            held.planned = block
            for kind in held.kinds:
                self._landed[kind] = max(block, self._landed.get(kind, block))
        self._forward(held)

    def _forward(self, held: _Held) -> None:
        """The actions of a change handed over that are ready, to the producer, each command's together, once all of
        them are encoded; it leaves the hold once all are handed over. A producer that tells its block starts gets
        them only as a block starts, on its own thread and before it takes the block's controls: actions handed to
        it one by one from another thread could have it take the first of a command's into a block and the rest
        into the next (a preset's prompts on the bar and its seed a block later)."""
        if held.block is _WAITING or (self._follows and not self._starting):
            return
        whole = max((end for end in held.whole if end <= held.ready), default=0)
        late = held.block is not None and self._started is not None and held.block < self._started
        if late and held.sent < whole and not held.said_late:
            # its reply named the block it was handed over for, which started before it was encoded: it goes into
            # this one, where the control log has it (those of its actions already handed over went in as said)
            held.said_late = True
            self.say(f"{_lands(held, held.sent, whole)} on block {self._started}, not block {held.block} as said: "
                     f"its text was still being encoded as block {held.block} started")
        while held.sent < whole:
            action, origin = held.actions[held.sent]
            held.sent += 1
            self.producer.submit(action, at_block=held.block, origin=origin)
        if held.sent == len(held.actions):
            self._held.remove(held)

    def _send(self, action: Action, at: int | None, origin: Origin) -> None:
        """A change at once (or at block `at`): through the prompter where there is one, which encodes it first."""
        if self.prompter is not None:
            self.prompter.hand_over(action, at_block=at, origin=origin)
        else:
            self.producer.submit(action, at_block=at, origin=origin)

    def _made(self) -> int:
        """Blocks the producer has made (the number of the one in progress)."""
        return getattr(self.producer, "submitted", 0)


def _lands(held: _Held, first: int = 0, end: int | None = None) -> str:
    """The commands of `held` (its actions from `first` to `end`) by name, with the verb: "preset lands", "preset,
    seed land"."""
    names = list(dict.fromkeys(origin.command.split()[0] for _, origin in held.actions[first:end]))
    return f"{', '.join(names)} {'lands' if len(names) == 1 else 'land'}"


def _lands_at(held: _Held) -> int | None:
    """The block a change goes into: as chosen last while it waits, else the one it was handed over for (None: the
    next one made)."""
    return held.planned if held.block is _WAITING else held.block
