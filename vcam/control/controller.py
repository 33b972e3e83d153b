"""The one place where commands take effect, whichever way they came in (stdin, MIDI, the network).

A command changes the show state here and becomes actions (vcam.control.actions): what changes the stream is
handed to the producer, which applies it at the next block boundary and logs it then; what changes the picture
(freeze, blackout) is read by the outputs' side from the state at once.

A change put on the beat (`next @bar`, or the show's `quantize:`) goes into the block whose first frame reaches the
camera nearest the tempo's boundary (`land`, vcam.live.quantize), chosen again as each block starts until it is the
next one (vcam.control.onbeat); a freeze or blackout on the beat is set when the tempo reaches the boundary's beat.
Either follows the grid that holds then (a tap, a MIDI clock or Link may move it meanwhile).
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property

from vcam.blendname import blend_on_air
from vcam.control.actions import (SCREEN_MODES, Action, Origin, Quit, Reset, SetInput, SetPrompts, SetScreen,
                                  SetBias, SetSeed, SetSteps, SetStrength, SetTransition)
from vcam.control.commands import (NO_TEMPO, TAKEN_ANYWHERE, TYPED_ONLY, UNTIMED, WITH_A_SHOW_FILE, Command,
                                   CommandError, blend_spaced, choices_asked, help_text, joined_commands, joined_hint,
                                   lands_on, name_typed, no_show_file, parse, parse_quantize, preset_choices,
                                   presets_found, setting_now, timing_glued, typed_only)
from vcam.control.sources import TYPED, by_a_cue, by_vcam_cam, given_as, read_as_typed, typed_by_hand
from vcam.control.cues import CueList
from vcam.control.cuesheet import cue_index
from vcam.control.linesource import from_network
from vcam.control.log import ControlLog
from vcam.control.media import MediaFolders
from vcam.control.offers import Offers
from vcam.control.onbeat import OnTheBeat
from vcam.control.prompter import Prompter
from vcam.control.replies import Note, Reply
from vcam.control.screenwait import ScreenWaits
from vcam.control.protocol import CameraScreen, Producer, Shown
from vcam.control.show import Show
from vcam.control.showedit import Dropped, Playing, ShowEdit, in_words
from vcam.control.teller import Teller
from vcam.control.tempo import TAPS_NEEDED, Tempo, by_hand_meets
from vcam.bias import DEFAULT_BIAS, check_bias
from vcam.errors import VcamError
from vcam.inspec import (DEFAULT_STRENGTH, HIDDEN_BY_STRENGTH, InputSpec, check_strength, input_example, input_help,
                         missing_fix, parse_input, respaced_fix, typed_fix)
from vcam.words import clipped, counted, level_in_status, level_said, name_said, quoted


@dataclass
class ShowState:
    """What the operator has set; read by the status line and the outputs' side."""

    prompts: dict[str, float]
    preset: int | None = None  # index into the show's presets, None for a typed prompt
    seed: int = 0
    steps: int = 4
    transition: int = 4
    screen: str = "live"  # live, freeze or blackout
    blend: tuple[int, int, float] | None = None  # presets A, B (indices) and the position
    input: str = "none"  # the input restyled, in vcam.inspec's canonical form
    strength: float = DEFAULT_STRENGTH
    bias: float = DEFAULT_BIAS  # Krea's attention bias on the past frames (1: off)


# a Link peer, not --link alone: with --link and no other peer in the session, "or --link" told to give what was given.
# One wording for the line said once, the quantize reply and the note in a reply to a command given its own @
# How the reply to a change at once says when it lands (Reply.at_once: _from_next_block); one that waits for a
# boundary (or behind an earlier change of its kind) says its block instead (_landing_said)
NEXT_BLOCK = " from the next block"
_UNSET = object()  # a command's landing block not asked for yet
# A change on the beat asked before the show is on air goes into its first block
NOT_ON_AIR = "not on air yet: it lands as the show goes on air"
# ... and one asked on air before the first blocks are timed (how far ahead of the camera vcam works), which lands
# at once
NOT_TIMED = "the first blocks on air are still being timed"

@dataclass
class _Gathered:
    """A command's actions as it is made, handed over together once it is (vcam.control.onbeat)."""

    spec: str | None  # what it is quantised to; None: at once
    # the block it lands on as planned once its first action is given (a command refused before that, such as a
    # missing preset, lands nowhere)
    at: int | None | object = _UNSET
    actions: list[tuple[Action, Origin]] = field(default_factory=list)
    waits: int | None = None  # once handed over: the block it waits for behind an earlier change of its kind


class Controller:
    # Lets go of what check_input opened for an input that will not be sent after all (a reload's, made moot by a
    # command meanwhile): it stayed open, kept for an open that never came. Set beside check_input where it keeps one.
    discard_input: Callable[[str], object] = staticmethod(lambda spec: None)

    def __init__(self, show: Show | None, state: ShowState, generator: Producer, stop: threading.Event,
                 say: Callable[[str], None], log: ControlLog | None = None,
                 on_fallback: Callable[[str | None], None] | None = None,
                 prompter: Prompter | None = None, check_input: Callable[[str], object] | None = None,
                 cues: CueList | None = None, tempo: Tempo | None = None,
                 land: Callable[[str], int | None] | None = None, unquantized: Callable[[], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 media: MediaFolders | None = None, screen: CameraScreen | None = None, replaying: bool = False):
        self.show = show
        self.state = state
        self.generator = generator
        self.stop = stop
        self.say = say
        self.log = log
        self.on_fallback = on_fallback or (lambda path: None)
        self._lock = threading.Lock()  # stdin, MIDI and the show watcher call in from their own threads
        # The show and which of its presets are on air (state.preset, state.blend: indices into it), set together
        # (with `_lock` held too) and read together by the status and the snapshot (`_picked`), which never wait for
        # a command (one may be writing the log to a slow disk): a reload never has them name one show's presets
        # by another's indices. Nothing else is done under it.
        self._picks = threading.Lock()
        self._dropped: Dropped | None = None  # the preset on air that a reload took out of the show (with the picks)
        # With a prompter, new prompts are encoded off the generator's thread before their action is handed over
        # (in order, so a later command never overtakes an earlier one).
        self.prompter = prompter
        # told after every change of the state (network clients, an OSC tablet): on a thread of their own, so that a
        # listener's read of the state never holds up a command, or a replay's producer or camera (vcam.control.teller)
        self.listeners: list[Callable[[], None]] = []
        self._teller = Teller(lambda: self.listeners, say, clock)
        # Checks a typed input before it is handed over (a missing file or device: an error reply at once, rather
        # than a failure on the generator's thread a block later); raises ValueError or VcamError.
        self.check_input = check_input
        # The show's cue list (go, back); none in a replay, which replays what the cues did, command by command.
        self.cues = cues
        self.tempo = tempo  # the show's tempo: `tap` and `bpm` set it (None: they answer an error)
        # Changes on the beat: `land(spec)` is the block a change quantised to spec goes into (None: at once);
        # the tempo's boundaries (on `clock`, the tempo's) time the screen's changes.
        self.land = land
        # told as `quantize off` (typed or reloaded) lets changes land at once: the status line's "on beat" of the
        # last quantised change goes with it (vcam.live.quantize.Quantizer.unquantized)
        self.unquantized = unquantized or (lambda: None)
        self.clock = clock
        self.media = media or MediaFolders()  # the folders whose files a line from the network may name
        # The camera's screen: a change set through it comes after the frame it names (the one a freeze holds),
        # with which it is logged and told to network clients (`screen_at`), to make it after the same frame.
        # Without one (no camera), the state is set and the frame named is the log's frame on screen then.
        self.screen = screen
        # The last screen change with its frame, one pair: a snapshot never tells a mode with another one's frame.
        # Stored under its lock as the state is set, and read under it with the state: a mode that differs was set
        # by a replayed log (not through here), and is told with no frame.
        self.screen_change: tuple[str, Shown | None] = (state.screen, None)
        self._screen_lock = threading.Lock()
        self.quantize = show.defaults.quantize if show is not None else "off"  # `quantize X` changes it
        # the actions of the command being made (or of a reload's edit), with the lock held (_gathering)
        self._gathered: _Gathered | None = None
        # The input the generator last put on air: one that fails to open at its block leaves that one on air, and
        # the state goes back to it (status named the input refused, and a preset naming it again did not send it)
        self._input_on_air = state.input
        # The last input handed over (the same input typed twice is two), set with state.input under a lock of their
        # own: the generator's revert never undoes a later command, nor waits for a slow one (only for this write)
        self._input_sent: SetInput | None = None
        self._input_lock = threading.Lock()
        for hook, heard in (("on_applied", self._input_applied), ("on_not_applied", self._input_refused)):
            if (listen := getattr(generator, hook, None)) is not None:
                listen(heard)
        # changes on the beat, held until their block is the next one (its prompts encoded ahead meanwhile)
        # once the show stops, a change still waiting lands on no block: where it would land is no news
        self._beat = OnTheBeat(generator, land, prompter, lambda text: None if stop.is_set() else say(text))
        # one screen change at most waits for its boundary, in one thread; a later change replaces it
        self.screen_waits = ScreenWaits(self._lock, tempo, clock, self._set_screen, self._tell, say, stop)
        self._said_no_tempo = False
        if log is not None:  # an action is logged with the block it was applied before
            generator.on_applied(log.applied)
            if tempo is not None:  # every move of the grid, with the blocks made then
                log.follow_tempo(tempo, lambda: generator.blocks)
        if show is not None and show.defaults.bpm is not None and tempo is not None and not replaying:
            # the tempo the show starts at, set as `bpm N` sets it (and logged so): a tap, a MIDI clock or Link takes
            # over from it as from the command's. Not in a replay (`replaying`): the log's tempo entries are the
            # show's, and a log made before the file had its bpm (or had this one) never played at it
            tempo.set_bpm(show.defaults.bpm, "bpm", cause=Origin(str(Command("bpm", (show.defaults.bpm,))), "show"))

    # --- entry points ---------------------------------------------------------------------------------------
    def handle_line(self, line: str, source: str, network: bool = False, aim: float | None = None) -> str | None:
        """Parses and applies one typed line; returns the reply (or the error with the usage). `network`: the
        line came from another machine (a vcam cam client, an OSC sender), so its paths stay in `media` (a line
        that leaves them raises media.Refused, for the caller to tell its sender and the operator apart). `aim`:
        the beat a screen change on the beat lands on at the earliest (a bar cue fired ahead of its bar, whose
        screen changes belong on its bar, not on the bar before it that comes first)."""
        console = read_as_typed(source, network)
        # the show's own lines (a cue's) not among them; a network line's paths name files in the shared folders
        with from_network(self.media.names, not self.media.folders) if network else nullcontext():
            read = self._read_line(line, source, console, network)
        return self.apply(read, source, network=network, aim=aim) if isinstance(read, Command) else read

    def _read_line(self, line: str, source: str, console: bool, network: bool) -> Command | str | None:
        """The command `line` gives, else the reply to it (a refusal), None for none."""
        try:
            cmd = parse(line, console=console)  # a typo from afar is not pointed at quit, which it is refused
        except CommandError as e:
            # `next next`, `tap tap`: a cue's name, of the whole line, before the commands it doubles
            if (e.unknown is not None or e.joined) and (named := name_typed(line, self._takes, not network)):
                return f"error: {named}"
            if (joined := self._run_together(e.joined, source)) is not None:
                return f"error: {joined}"
            if (meant := self._offers.instead(e, source, console)) is not None:
                return f"error: {meant}"
            if self.show is None and (instead := no_show_file(e)) is not None:
                return f"error: {instead}"
            # typed here, a question; from afar or a control, one sending no value (a mistake of its set-up, said as
            # the sender's error): the question asked at vcam cam is answered there
            if source == TYPED and (asked := self._now(e.missing)) is not None:
                return asked
            if source == TYPED and (listed := choices_asked(line, e.missing, self._preset_names())) is not None:
                return listed
            show = self.show
            if show is not None and (spaced := blend_spaced(line, lambda ref: show.named(ref) is not None,
                                                            console)) is not None:
                return f"error: blend takes two presets and a position: a name with spaces goes in quotes: did you " \
                       f"mean {spaced}?"
            return f"error: {e}{self._choices(e.missing)}{self._input_help(e.missing, network)}"
        if cmd is None:
            return None
        # `preset 2, seed 5`: a preset the show has none of, named by commands run together (a go's words are all
        # its cue's name, never split: joined_commands)
        # `preset city & next`, of a preset named next: the blend the refusal offers is what was meant, not two lines
        if cmd.name == "preset" and cmd.args and isinstance(cmd.args[0], str) and not self._takes(cmd) \
                and (self.show is None or self.show.blend_meant(cmd.args[0]) is None) \
                and (joined := self._run_together(joined_commands(line, console), source)) is not None:
            return f"error: {joined}"
        return cmd

    @cached_property
    def _offers(self) -> Offers:
        """The line meant, offered in a refusal: made once, as it reads the show and its cues as they stand at each
        refusal (a reload swaps them) and asks _takes as the show is then. Stateless: two threads that make it at
        once make two alike."""
        return Offers(lambda: self.show, lambda: self.cues, lambda cmd: self._takes(cmd))

    def _run_together(self, commands: tuple[Command, ...], source: str) -> str | None:
        """How to give `commands`, run together on one line from `source` (joined_commands), where this show would
        take each as it stands now; None where it would refuse one: the line's own refusal stands. A line typed by
        hand, here or at vcam cam, is answered with the lines to type, a MIDI control's with how a control sends
        several (given_as)."""
        return joined_hint(commands, self._takes, given_as(source))

    def _takes(self, cmd: Command) -> bool:
        """Whether the command `cmd` would be taken as the show stands now, seen without running it; False where
        that cannot be told beforehand (a bare go or back, which depends on the cue fired last; an input, on the
        files there; a quit)."""
        show = self.show
        if cmd.name in TAKEN_ANYWHERE:
            return True
        if cmd.name in ("tap", "bpm"):
            return self.tempo is not None
        if cmd.name in ("next", "prev", "preset", "blend"):
            if show is None or not show.presets:
                return False
            return presets_found(show, cmd)
        if cmd.name == "go" and cmd.args:
            return self.cues is not None and isinstance(cue_index(self.cues.cues, cmd.args[0]), int)
        return False

    def apply(self, cmd: Command, source: str, at_once: bool = False, network: bool = False,
              aim: float | None = None) -> str:
        """Applies a command; the reply. `at_once`: whatever the show's quantize says (a knob, a reload).
        `network`: held to `media` (media.Refused), and answered with its own paths as the sender spelled them and
        every other file as the network is told of it (`status` too): no reply to it names a folder of this
        machine, whatever the command set going (a preset's or a cue's clip)."""
        if not network:
            return self._apply_any(cmd, source, at_once, aim=aim)
        if (why := typed_only(cmd, "the network")) is not None:  # a stray client's line must not end the show
            return f"error: {why}"
        admitted = self.media.admit(cmd)
        before = self.state.input
        reply = self._apply_any(admitted, source, at_once, network=True, aim=aim)
        return self.media.told(reply, cmd, admitted, self._inputs_named(before))

    def missing_file(self, line: str) -> InputSpec | None:
        """The file or image an `input` line from the network names where no file is, read as `apply` reads it (a
        timing after the path and quotes are not the path; held to `media`, made whole); None for any other line, a
        file that is there, or a line refused on other grounds (handle_line says why)."""
        try:
            cmd = parse(line, console=False, network=True)
            admitted = self.media.admit(cmd) if cmd is not None and cmd.name == "input" else None
            spec = parse_input(admitted.args[0]) if admitted is not None else None
        except (CommandError, ValueError):  # media.Refused too
            return None
        if spec is None or spec.kind not in ("file", "image"):
            return None
        whole = parse_input(_whole_path(str(spec)))
        return None if os.path.isfile(whole.target) else whole

    def _choices(self, missing: str | None) -> str:
        """The show's presets, numbered, for `preset` or `blend` typed alone."""
        return preset_choices(missing, self._preset_names())

    def _preset_names(self) -> list[str]:
        """The names of the show's presets, in order; none without a show."""
        return [p.name for p in self.show.presets] if self.show is not None else []

    def _input_help(self, missing: str | None, network: bool) -> str:
        """input_help with one to type: a clip or an image the show names, else one in the folder vcam was started
        in (where a typed path is read from), else the camera."""
        show = self.show
        named = [p.input for p in (*show.presets, show.defaults) if p.input is not None] if show is not None else []
        return input_help(missing, network, lambda: input_example(named))

    def _now(self, missing: str | None) -> str | None:
        """What `seed`, `bpm`, … typed alone (`missing`) would change, as it is now (setting_now)."""
        st = self.state
        values = {"seed": st.seed, "steps": st.steps, "transition": st.transition, "strength": st.strength,
                  "bias": st.bias, "quantize": self.quantize}
        if self.tempo is not None:
            values["bpm"] = self.tempo.describe()
        return setting_now(missing, values)

    def _inputs_named(self, before: str) -> Iterator[str]:
        """Every input a reply or the status may name: the one on air before the command and after it, and those
        the show's presets, defaults and cues name."""
        yield from (before, self.state.input)
        show = self.show
        if show is not None:
            yield from (p.input for p in (*show.presets, show.defaults) if p.input is not None)
        cues = self.cues.cues if self.cues is not None else show.cues if show is not None else ()
        for cue in cues:
            yield from (_whole_path(spec) for spec in map(_input_of, cue.do) if spec is not None)  # as it opens
            # an unnamed cue's name is its first line as the show writes it: a whole path there (~/…, or through a
            # link) is named as written; one relative to the show names no folder of this machine
            spec = _input_of(cue.name)
            if spec is not None and os.path.isabs(os.path.expanduser(parse_input(spec).target)):
                yield spec

    def _apply_any(self, cmd: Command, source: str, at_once: bool, network: bool = False,
                   aim: float | None = None) -> str:
        if cmd.name not in ("go", "back"):
            return self._locked(lambda: self._apply(cmd, source, at_once, network, aim))
        # outside the lock: the cue's commands come back in through apply, each logged with "cue N" as source
        reply = self._cue(cmd, source, read_as_typed(source, network))
        self._tell()
        return reply

    def _tell(self) -> None:
        """The listeners are told of a change, on the teller's thread; never waits for them."""
        self._teller.tell()

    def _locked(self, change: Callable[[], str]) -> str:
        """`change()` made under the lock, then the listeners told; its KeyError or ValueError is the reply, and no
        one is told."""
        with self._lock:
            try:
                reply = change()
            except (KeyError, ValueError) as e:
                return f"error: {e.args[0] if e.args else e}"
        self._tell()
        return reply

    def preset_name(self) -> str | None:
        """The current preset's name (safe while a reload swaps the show)."""
        show, index, _, _ = self._picked()
        return _name(show, index)

    def on_air_named(self) -> str | tuple[str, str, float] | None:
        """The preset on air by name, or a blend's two presets by name and its position (the status line's), read
        as one with the show (`_picked`): read apart, a reload between the reads named a blend never on air."""
        show, index, blend, _ = self._picked()
        if blend is not None and show is not None:
            return show.presets[blend[0]].name, show.presets[blend[1]].name, blend[2]
        return _name(show, index)

    def on_air(self) -> tuple[Show | None, int | None, str]:
        """The show, its preset on air (an index; None for a typed prompt) and the screen mode, as a controller's
        lights show them."""
        show, index, _, _ = self._picked()
        return show, index, self.state.screen

    def _picked(self) -> tuple[Show | None, int | None, tuple[int, int, float] | None, Dropped | None]:
        """The show, the preset and the blend on air, and the preset a reload took out while it was on air, as
        one."""
        with self._picks:
            return self.show, self.state.preset, self.state.blend, self._dropped

    def _pick(self, preset: int | None, blend: tuple[int, int, float] | None, show: Show | None = None,
              dropped: Dropped | None = None) -> None:
        """Puts preset `preset` or the blend `blend` (of `show`, where a reload brings one) on air in the state, as
        one (called with the lock held); `dropped`: a reload leaves a preset it took out on air (any other pick
        ends that)."""
        with self._picks:
            if show is not None:
                self.show = show
            self.state.preset, self.state.blend = preset, blend
            self._dropped = dropped

    def set_param(self, param: str, value: float, source: str, between: tuple | None = None) -> str | None:
        """A knob moved: turn the parameter value into the command it stands for, at once whatever the show's
        quantize says (a fader that answered a bar later would feel dead)."""
        if param == "blend":
            # the pair is read under the lock the blend is applied under: a reload that reorders the presets in
            # between would otherwise have it blend the presets now at the old places
            return self._locked(lambda: self._blend_knob(value, source, between))
        if param in ("strength", "bias"):
            return self.apply(Command(param, (value,)), source, at_once=True)
        return self.apply(Command(param, (int(value),)), source, at_once=True)

    def _blend_knob(self, value: float, source: str, between: tuple | None) -> str:
        """The blend knob at `value`, between the presets named by `between`, else the pair blended now, else the
        current preset and the next (called with the lock held)."""
        show, st = self.show, self.state
        if show is None or len(show.presets) < 2:
            raise ValueError("blend needs a show with at least two presets")
        if between is not None:
            a, b = show.find(between[0]), show.find(between[1])
        elif st.blend:
            a, b = st.blend[0], st.blend[1]
        else:
            a, b = _knob_pair(show, st.preset, self._dropped)
        return self._apply(Command("blend", (a + 1, b + 1, value)), source, at_once=True)

    def replayed(self, action: Action, shown: Shown | None = None) -> None:
        """A replayed log's change, made (vcam.control.log.Replay.schedule's `on_change`, on the producer's or the
        camera's thread): the state follows the stream, so the status and the snapshot say the log's show, not the
        one it started at, and the listeners hear of it (a served replay's clients, which make its freeze too: after
        `shown`, the frame on the camera as the replay made it, where there is one). They are told on their own
        thread, as for a command: the producer and the camera only set the state (a dozen replayed fader moves
        before one block would otherwise each cost the block a snapshot of the state)."""
        with self._lock:
            if isinstance(action, SetPrompts):  # prompts that are one of the show's presets name it
                self._pick(_preset_with(self.show, action.prompts), None)
            self._take(action)
        if isinstance(action, SetScreen) and shown is not None:
            with self._screen_lock:
                if self.state.screen == action.mode:
                    self.screen_change = (action.mode, shown)
        self._tell()

    def replace_show(self, show: Show) -> list[str]:
        """A reloaded show: presets change, the stream goes on; the current preset (or blend) is kept by name, and
        what the edit changed of it goes on air (vcam.control.showedit.ShowEdit.of says what). Returns what the edit
        changed on air, in words ("preset 2 'ocean' on air: prompt (over 2 blocks)", "transition 0 for later
        changes"), for the reload's line; what the cue list did too (vcam.control.cues.CueList.replace)."""
        checked = self._inputs_checked(show)
        sent: set[str] = set()
        try:  # a reload that fails after the check lets go of what it opened too, or the switch keeps it open
            with self._lock:
                edit = self._edit(show)
                applied = [text for cmd in edit.later if (text := self._reload_default(cmd)) is not None]
                self._pick(edit.preset, edit.blend, show, edit.dropped)
                applied += edit.said
                if edit.edits:
                    applied.append(self._edited(edit, checked))
                    sent = {action.spec for action in edit.edits if isinstance(action, SetInput)}
                if edit.reblend is not None:
                    applied.append(f"{self._apply(edit.reblend, 'reload', at_once=True)} with the new text")
                if edit.new_fallback:  # the stall's picture only: what is on air stays
                    self.on_fallback(edit.fallback)
                    applied.append(f"fallback {os.path.basename(edit.fallback)}" if edit.fallback
                                   else "the fallback image the show started with")
        finally:
            for spec, error in checked.items():  # outside the lock: closing a clip may wait on its file
                if error is None and spec not in sent:
                    self.discard_input(spec)
        if self.cues is not None:  # outside the lock: a timed cue may be waiting for it to run its commands
            told = self.cues.replace(show.cues)
            if told:
                applied.append(told)
        self._tell()  # the preset list changed too
        return applied

    def _edit(self, show: Show) -> ShowEdit:
        """What a reload to `show` changes on air (called with the lock held)."""
        st = self.state
        return ShowEdit.of(self.show, show, Playing(st.preset, st.blend, self._dropped, st.seed, st.input,
                                                    st.strength, st.bias, st.transition))

    def _inputs_checked(self, show: Show) -> dict[str, ValueError | None]:
        """The inputs a reload to `show` would put on air, opened before its lock is taken (the error of each that
        does not open, None for one that does): a large photo or a file on a slow disk held every command and fader
        for as long. A command in the meantime is applied before the reload, whose edit is then found again."""
        with self._lock:
            edit = self._edit(show)
        checked: dict[str, ValueError | None] = {}
        for action in edit.edits:
            if isinstance(action, SetInput) and action.spec not in checked:
                try:
                    self._check_input(action.spec)
                    checked[action.spec] = None
                except ValueError as e:
                    checked[action.spec] = e
        return checked

    def _reload_default(self, cmd: Command) -> str | None:
        """A default that a reload changed, set as its command sets it (called with the lock held); in words, None
        where it sets nothing (a bpm without a tempo)."""
        name, value = cmd.name, cmd.args[0]
        if name == "quantize":
            named = self._requantize(value)
            what = "what waited for the beat lands now" if value == "off" else \
                "what waits for the beat keeps its boundary"
            return f"quantize {value}" + (f", and {what}: {named}" if named else "")
        if name == "bpm" and self.tempo is None:
            return None
        reply = self._apply(cmd, "reload", at_once=True)
        return f"transition {value} for later changes" if name == "transition" else reply

    def _edited(self, edit: ShowEdit, checked: dict[str, ValueError | None]) -> Reply:
        """What a reload's edit changed in the preset on air goes on air, in one block as a command's changes do
        (called with the lock held, the edit's preset picked); what went on air, in words, as one item. An input
        that cannot be opened is said, and the rest goes on air. `checked`: the inputs opened before the lock was
        taken (_inputs_checked); one a command meanwhile brought into the edit is opened here."""
        origin = Origin(str(Command("preset", (edit.preset + 1,))), "reload")
        done: list[str] = []
        with self._gathering(None):
            for action in edit.edits:
                if isinstance(action, SetInput):
                    try:
                        if action.spec not in checked:
                            self._check_input(action.spec)
                        elif (error := checked[action.spec]) is not None:
                            raise error
                    except ValueError as e:  # the input on air stays
                        done.append(f"its input is not used: {e}")
                        continue
                self._take(action)
                self._submit(action, origin)
                done.append(in_words(action))
        name = quoted(self.show.presets[edit.preset].name)
        return Reply(f"preset {edit.preset + 1} {name} on air: {', '.join(done)}", self._unseen_edit(edit))

    def _unseen_edit(self, edit: ShowEdit) -> tuple[str, ...]:
        """The note a reload's line has where its edit put an input on air that the strength on air (1: text only)
        leaves out of the picture, as a typed `input` is told; not where the preset gives strength 1 itself (the
        clip under the text on purpose), nor where the input was not used (state.input unchanged)."""
        put_on = any(isinstance(a, SetInput) and a.spec != "none" and a.spec == self.state.input for a in edit.edits)
        own = self.show.presets[edit.preset].strength
        return self._unseen() if put_on and (own is None or own < 1.0) else ()

    # --- the vocabulary: each command changes the show state and sends actions -----------------------------
    def _cue(self, cmd: Command, source: str, console: bool) -> str:
        if self.cues is None:
            return ("error: there is no cue list here: go and back fire the cues: of a show file "
                    f"({WITH_A_SHOW_FILE}); a replay replays what its cues did")
        if cmd.name == "back":
            return self.cues.back(cmd.at)
        if cmd.args and isinstance(missing := cue_index(self.cues.cues, cmd.args[0]), str) \
                and (offer := self._offers.named_otherwise(cmd, missing, source, console)) is not None:
            return f"error: {offer}"
        return self.cues.go(cmd.at, cmd.args[0] if cmd.args else None)

    def _apply(self, cmd: Command, source: str, at_once: bool = False, network: bool = False,
               aim: float | None = None) -> Reply | str:
        origin = Origin(str(cmd), source)
        name = cmd.name
        if name in ("help", "status", "quit"):
            return self._session(cmd, origin, network)
        if name == "quantize":
            return self._set_quantize(cmd.args[0])
        if name == "live" and self.state.screen == "live" and self.screen_waits.waiting() is None:
            # undoes nothing, now or on the beat: "screen: live on the bar" read as if a freeze had been lifted
            return "screen: already live (nothing is frozen or blacked out)"
        spec, untimed = (None, False) if at_once else self._timing(cmd, origin.source)
        if name in SCREEN_MODES:
            reply = self._screen(name, origin, spec, aim)
            return Reply(reply, _no_tempo_notes("it is set at once", cmd.at)) if untimed else reply
        with self._gathering(spec) as made:
            reply = Reply.of(self._change(cmd, origin, network))
        at, waits = made.at, made.waits
        if waits is not None:
            held = f"it waits for block {waits}, where an earlier change of the same kind lands"
            return _landing_said(reply, Note(f"{lands_on(spec)}: {held}" if spec is not None else held,
                                             again=f"it waits for block {waits} too"))
        if at is None and spec is not None and self.land is not None:
            # asked on the beat, no boundary could be aimed at: the reply says why it lands at once
            return _landing_said(reply, f"{self._no_boundary()}, not {lands_on(spec)}")
        if at is _UNSET or at is None:
            return _landing_said(reply, *_no_tempo_notes(f"it lands{NEXT_BLOCK}", cmd.at)) if untimed else reply
        return _landing_said(reply, lands=f"{lands_on(spec)}, block {at}")

    def _change(self, cmd: Command, origin: Origin, network: bool = False) -> Reply | str:
        name = cmd.name
        if name in ("prompt", "preset", "next", "prev", "blend"):
            return self._choose_prompts(cmd, origin, network)
        if name in ("seed", "transition", "steps", "reset", "bias"):
            return self._set_stream(cmd, origin)
        if name in ("strength", "input"):
            return self._set_input(cmd, origin, network)
        if name in ("tap", "bpm"):
            return self._set_tempo(cmd, origin)
        raise ValueError(f"command {name} is not handled")  # the parser and this table are out of step

    # --- on the beat --------------------------------------------------------------------------------------
    def _timing(self, cmd: Command, source: str) -> tuple[str | None, bool]:
        """What the command's change is quantised to (its @, else the show's quantize), None for at once; and
        whether it lands at once for want of a tempo though given its own @, which its reply says (_no_tempo_notes):
        a second `@bar` was answered as if on time. Without a tempo, the line saying so is said once where no reply
        says it on the console: a change quantised by the show, or one given its @ by a network client."""
        spec = cmd.at if cmd.at is not None else self.quantize
        if spec == "off" or cmd.name in UNTIMED:
            return None, False
        if self.tempo is None or self.tempo.bpm is None:
            own = cmd.at is not None
            if not self._said_no_tempo and not (own and _replied_here(source)):
                self._said_no_tempo = True
                self.say(f"{NO_TEMPO} (until then, changes asked on the beat land at once)")
            return None, own
        self._said_no_tempo = False  # said again if the tempo goes away
        return spec, False

    def _no_boundary(self) -> str:
        """Why a change asked on the beat lands at once, with when it lands: no block made yet (the model loads; it
        goes into the first), a stopped tempo (no boundary is coming), or blocks not timed yet (how far ahead of the
        camera vcam works is measured over its first blocks on air)."""
        if self.generator.blocks == 0:
            return NOT_ON_AIR
        if self.tempo is not None and not self.tempo.running:
            return f"{self._stopped()}: it lands{NEXT_BLOCK}"
        return f"{NOT_TIMED}: it lands{NEXT_BLOCK}"

    def _stopped(self) -> str:
        """A stopped tempo, with its source: "the tempo is stopped (midi clock)"."""
        source = self.tempo.source if self.tempo is not None else None
        return "the tempo is stopped" + (f" ({source})" if source else "")

    def _set_quantize(self, spec: str) -> str:
        """`quantize X` (called with the lock held). Off: nothing waits for the beat any more, so what waits for it
        already (asked with its own @ too) lands now, and the reply names it; another grid governs later changes,
        and one already waiting keeps the boundary it was asked for, which the reply names with its block (or beat)."""
        named = self._requantize(spec)
        if spec == "off":
            return "changes land at once" + (f", and so does what waited for the beat: {named}" if named else "")
        if self.tempo is None or self.tempo.bpm is None:
            missing = f" ({NO_TEMPO})"
        else:  # no boundary comes while it stands still
            missing = f" ({self._stopped()}: until it runs, they land at once)" if not self.tempo.running else ""
        return f"changes land {lands_on(spec)}{missing}" + (f", and what waits for the beat keeps its boundary: "
                                                            f"{named}" if named else "")

    def _requantize(self, spec: str) -> str | None:
        """Changes land on `spec` from now (called with the lock held): off, what waits for the beat lands now, and
        is named (`_release`); another grid, what waits keeps its boundary, and is named with it (`_waiting`)."""
        self.quantize = spec
        if spec != "off":
            return self._waiting()
        self.unquantized()
        return self._release()

    def _waiting(self) -> str | None:
        """What waits for its boundary and when (called with the lock held): the commands by name, as `_release`
        names them, each with the block it lands on as things stand, a screen change with its beat ("seed on block
        40, freeze on beat 1 bar 18"); None where nothing waits."""
        said = [f"{origin.command.split()[0]} on block {block}" for origin, block in self._beat.waiting()]
        screen = self.screen_waits.waiting()
        if screen is not None:
            said.append(screen)
        return ", ".join(dict.fromkeys(said)) or None

    def _release(self) -> str | None:
        """Every change waiting for its boundary lands now (called with the lock held): the stream's in the next
        block, in the order given, a screen change at once. The commands they came from, by name (what a network
        sender may hear: an input's path stays out); None where nothing waited."""
        names = [origin.command.split()[0] for origin in self._beat.release()]
        screen = self.screen_waits.release()
        if screen is not None:
            names.append(screen)
        return ", ".join(dict.fromkeys(names)) or None

    def _screen(self, name: str, origin: Origin, spec: str | None, aim: float | None) -> str:
        """The screen acts on the camera directly: on the beat, it is set when the tempo reaches the boundary's beat
        (vcam.control.screenwait; called with the lock held), at `aim` at the earliest. A later screen change
        replaces those still waiting; one aimed past the next boundary, only those landing on or after its beat."""
        waits, replaced = self.screen_waits.ask(name, origin, spec, aim)
        # within its own reply, in brackets: a cue's reply goes on with its other changes, which "not played: …"
        # seemed to take in
        dropped = " (in place of " + ", and of ".join(f"{_without_beat(was.command)}, which waited for {beat}"
                                                       for was, beat in replaced) + ")" if replaced else ""
        if waits:
            return f"screen: {name} {lands_on(spec)}{dropped}"
        if spec is not None:  # a stopped tempo: no boundary is coming
            return f"screen: {name}{dropped}; {self._stopped()}: it is set at once, not {lands_on(spec)}"
        return f"screen: {name}{dropped}"

    def close(self) -> None:
        """The show ends: a change still waiting for its boundary is dropped and said in one line (it was asked for
        and never reached the camera), the screen's waiting thread ends, and so does the listeners' (the round being
        told finishes)."""
        with self._lock:
            left = [(_without_beat(origin.command), lands_on(spec).removeprefix("on "))
                    for origin, spec in self._beat.unplayed() if spec is not None]
            left += [(_without_beat(origin.command), beat) for origin, beat in self.screen_waits.unplayed()]
            self.screen_waits.close()
        if left:
            self.say("not played: " + ", ".join(f"{what} (was waiting for {when})" for what, when in left))
        self._teller.close()

    def _set_screen(self, name: str, origin: Origin) -> None:
        # set between two camera ticks, with the frame it comes after (the one a freeze holds): logged with it here,
        # after which a replay and a render make it, and told with it to network clients, whose cameras make it there
        with self._screen_lock:
            after = self.screen.set(name) if self.screen is not None else self._set_state(name)
            self.screen_change = (name, after)
        if self.log is not None:
            self.log.record(SetScreen(name), self.generator.blocks, origin, after)

    def _set_state(self, name: str) -> Shown | None:
        """No camera's screen: the state is set, and the frame named is the one on screen now."""
        self.state.screen = name
        return self.log.on_screen() if self.log is not None else None

    def _session(self, cmd: Command, origin: Origin, network: bool) -> str:
        if cmd.name == "help":
            # the list offered OSC's sender quit, which it refuses: a source other than the console is told what it
            # may give, by the rule apply refuses it with (a line from the network, `net NAME stdin` typed at vcam
            # cam's console too)
            console = typed_by_hand(origin.source) and not network
            return help_text(*cmd.args, leaving_out=() if console else tuple(TYPED_ONLY))
        if cmd.name == "status":
            # the state names a change on the beat as given, not yet on air: what still waits is said with it
            waiting = self._waiting()
            return self.describe(network) + (f" | waiting for the beat: {waiting}" if waiting else "")
        if self.stop.is_set():  # a quit typed again while the show closes: not logged twice, nor said as news
            return "already stopping: the outputs are closing (Ctrl-C leaves at once)"
        self._record(Quit(), origin)
        self.stop.set()
        return "stopping"

    def _choose_prompts(self, cmd: Command, origin: Origin, network: bool = False) -> str:
        name, args, st = cmd.name, cmd.args, self.state
        if name == "prompt":
            self._pick(None, None)
            return self._set_prompts({args[0]: 1.0}, st.transition, origin, "prompt set")
        show = self._need_show()
        if name == "blend":
            a, b = show.find(args[0]), show.find(args[1])
            # `blend 1 city` where city is preset 1, which the parser cannot tell (it refuses `blend 1 1`): typed, or
            # from the network. A knob's pair comes as numbers, and a map, a button or a cue naming one preset twice
            # is refused as it loads (commands.blend_twice), --midi-map and --osc-map too
            if a == b and args[0] != args[1]:
                raise ValueError(f"blend mixes two different presets: {quoted(show.presets[a].name)} is preset "
                                 f"{a + 1}, named twice; give two, as in blend 1 2 0.5")
            return self._blend(show, a, b, args[2], origin)
        if name == "preset":
            try:
                index = show.find(args[0])
            except KeyError as e:
                console = read_as_typed(origin.source, network)
                offer = self._offers.named_otherwise(cmd, e.args[0], origin.source, console)
                raise KeyError(offer or e.args[0]) from None
        else:
            step = 1 if name == "next" else -1
            if st.preset is None and self._dropped is not None:  # from where the preset on air stood in the file
                index = self._dropped.neighbour(show, step)
            else:
                index = ((st.preset if st.preset is not None else -step) + step) % len(show.presets)
        return self._go_to_preset(index, origin)

    def _set_stream(self, cmd: Command, origin: Origin) -> Reply | str:
        name, st = cmd.name, self.state
        if name == "reset":
            self._submit(Reset(), origin)
            return "starting over from a fresh first block"
        if name == "bias":
            st.bias = check_bias(cmd.args[0])
            self._submit(SetBias(st.bias), origin)
            return _from_next_block(f"bias {level_said(st.bias)}", " (off)" if st.bias == 1.0 else "")
        n = cmd.args[0]
        if name == "seed":
            st.seed = n
            self._submit(SetSeed(n), origin)
            return _from_next_block(f"seed {n}")
        if name == "transition":
            st.transition = n
            self._submit(SetTransition(n), origin)
            return f"transition {counted(n, 'block')}"
        st.steps = n
        self._submit(SetSteps(n), origin)
        return f"steps {n}"

    def _set_input(self, cmd: Command, origin: Origin, network: bool = False) -> Reply | str:
        st = self.state
        if cmd.name == "strength":
            st.strength = check_strength(cmd.args[0])
            self._submit(SetStrength(st.strength), origin)  # kept by the stream for an input put on later
            if st.input == "none":
                return (f"strength {level_said(st.strength)}, kept for an input: none is on air now (put one on "
                        "with input SRC)")
            return _from_next_block(f"strength {level_said(st.strength)}")
        spec = _whole_path(cmd.args[0])
        # a cue's line is the show file's, its path made whole against its folder as the show was read
        self._check_input(spec, None if by_a_cue(origin.source) else parse_input(cmd.args[0]), network,
                          cam=by_vcam_cam(origin.source))
        self._submit(self._put_input(SetInput(spec)), origin)
        if spec == "none":
            return _from_next_block("text only")
        return _from_next_block(f"input {name_said(spec)}", notes=(*filter(None, [cmd.read_as]), *self._unseen()))

    def _input_applied(self, action: Action, block: int, origin: Origin | None) -> None:
        if isinstance(action, SetInput):
            self._input_on_air = action.spec

    def _input_refused(self, action: Action, origin: Origin | None, line: str, key: tuple) -> None:
        """On the generator's thread, which must not wait for a command: the state's input only, under its own
        lock; the listeners told of it (network clients, an OSC tablet kept naming the input refused)."""
        if not isinstance(action, SetInput):
            return
        with self._input_lock:
            if action is not self._input_sent:  # a later input (the same one typed again, too) stands
                return
            self.state.input = self._input_on_air
        self._tell()

    def _put_input(self, action: SetInput) -> SetInput:
        """The state's input set to `action`'s, as the last handed over (for `_input_refused`); `action`."""
        with self._input_lock:
            self.state.input = action.spec
            self._input_sent = action
        return action

    def _take(self, action: Action) -> None:
        """The state as `action` leaves the stream; an input through `_put_input`, so that a refusal of it puts the
        one on air back."""
        if isinstance(action, SetInput):
            self._put_input(action)
        else:
            _follow(self.state, action)

    def _unseen(self) -> tuple[str, ...]:
        """The note the reply to an input put on air has where the strength on air leaves nothing of it (1: text
        only): unsaid, the operator saw the input said on air and nothing of it in the picture."""
        return (HIDDEN_BY_STRENGTH,) if self.state.strength >= 1.0 else ()

    def _set_tempo(self, cmd: Command, origin: Origin) -> str:
        """`bpm N` (from OSC: the tempo's source "osc") or a tap. The log hears of the grid it moves from the tempo
        (ControlLog.follow_tempo), with this command as its origin; one a clock shadows moves nothing."""
        tempo = self.tempo
        if tempo is None:
            raise ValueError(f"{cmd.name}: there is no tempo here (vcam run and vcam serve keep one)")
        if cmd.name == "bpm":
            bpm = float(cmd.args[0])
            tempo.set_bpm(bpm, "osc" if origin.source == "osc" else "bpm", cause=origin)
            reply = f"tempo {bpm:g} bpm"
        else:
            bpm = tempo.tap(cause=origin)
            if bpm is None:
                taps = tempo.taps
                over = ""
                if tempo.taps_broke_off:  # a series of 2 after it: it kept the tap after a pause (TapTempo._starting)
                    over = (" (off the beat of the taps before it: they start over)" if taps == 1 else
                            " (the tap before the pause is left out: the taps count from the one after it)")
                return f"tap {taps}: {TAPS_NEEDED - taps} more for a tempo{over}"
            reply = f"tapped {bpm:.1f} bpm"
        got = tempo.grid()
        met = by_hand_meets(*got, tempo.heard("link")) if got is not None else None
        return f"{reply} ({met})" if met is not None else reply

    def _check_input(self, spec: str, typed: InputSpec | None = None, network: bool = False,
                     cam: bool = False) -> None:
        """ValueError saying why `spec` cannot be opened (a missing clip, an unplugged camera, net off serve).
        `typed`: the input as the `input` command gave it, whose fix is said as a command gives it (inspec.typed_fix);
        a preset's is said as the show file gives it. `network`: a line from the network, whose fix tells nothing of
        the files outside the shared folders (media). `cam`: a vcam cam's, told as read on its machine."""
        if self.check_input is None:
            return
        try:
            self.check_input(spec)
        except VcamError as e:
            # a name that differs by its spaces is looked for in this machine's folders for its console alone
            said = respaced_fix(e.fix, typed, "input") if typed is not None and not network else e.fix
            fix = typed_fix(said, typed, cam) if typed is not None else _gone_fix(e.fix, spec)
            shared = self.media.holds if network else None
            glued = typed is not None and (_glued_timing(parse_input(spec)) or _glued_after_quotes(typed, shared))
            fix = glued or fix
            raise ValueError(e.message + (f" ({fix})" if fix else "")) from None
        except OSError as e:  # a device that cannot be asked: an answer to the operator, not a dead thread
            raise ValueError(f"input {name_said(spec)}: {e}") from None

    def _blend(self, show: Show, a: int, b: int, x: float, origin: Origin) -> str:
        mix: dict[str, float] = {}
        for weights, share in ((show.presets[a].prompts, 1.0 - x), (show.presets[b].prompts, x)):
            total = sum(weights.values())
            for text, w in weights.items():
                mix[text] = mix.get(text, 0.0) + share * w / total
        self._pick(a if x < 0.5 else b, (a, b, x))
        return self._set_prompts(mix, self.state.transition, origin,
                                 f"{blend_on_air(show.presets[a].name, show.presets[b].name)} at {x:.2f}")

    def _go_to_preset(self, index: int, origin: Origin) -> Reply | str:
        """Puts preset `index` on air; the reply names, after its prompts, what else of it differs from what was
        on air (its seed, input, strength, bias): the status would show them changed, unannounced."""
        preset = self.show.presets[index]
        st = self.state
        self._pick(index, None)
        transition = preset.transition if preset.transition is not None else st.transition
        reply = self._set_prompts(preset.prompts, transition, origin, f"preset {index + 1} {quoted(preset.name)}")
        also: list[str] = []
        unused = ""
        if preset.seed is not None:  # sent whatever the seed on air; said where it differs
            if preset.seed != st.seed:
                also.append(f"seed {preset.seed}")
            st.seed = preset.seed
            self._submit(SetSeed(preset.seed), origin)
        # a preset's input and strength go on air with it; a preset that leaves them out keeps what is there
        if preset.input is not None and preset.input != st.input:
            try:
                self._check_input(preset.input)
            except ValueError as e:  # the rest of the preset goes on air; the input on air stays
                unused = f"; its input is not used: {e}"
            else:
                self._submit(self._put_input(SetInput(preset.input)), origin)
                also.append(f"input {name_said(preset.input)}" if preset.input != "none" else "text only")
        if preset.strength is not None and preset.strength != st.strength:
            st.strength = preset.strength
            self._submit(SetStrength(preset.strength), origin)
            also.append(f"strength {level_said(preset.strength)}")
        if preset.bias is not None and preset.bias != st.bias:
            st.bias = preset.bias
            self._submit(SetBias(preset.bias), origin)
            also.append(f"bias {level_said(preset.bias)}")
        self.on_fallback(preset.fallback or (self.show.defaults.fallback if self.show else None))
        # a preset giving its own strength 1 with its input runs the clip under the text on purpose: not said
        put_on = preset.strength is None and any(item.startswith("input ") for item in also)
        return Reply(reply + "".join(f", {item}" for item in also) + unused, self._unseen() if put_on else ())

    def _set_prompts(self, prompts: dict[str, float], transition: int, origin: Origin, reply: str) -> str:
        self.state.prompts = dict(prompts)
        self._submit(SetPrompts(dict(prompts), transition), origin)
        return reply + (f" (over {counted(transition, 'block')})" if transition else "")

    def _need_show(self) -> Show:
        if self.show is None or not self.show.presets:
            raise ValueError(f"no show loaded: presets need a show file ({WITH_A_SHOW_FILE})")
        return self.show

    def _submit(self, action: Action, origin: Origin) -> None:
        """To the generator, which applies it at the next block (or the block a change on the beat lands on) and
        logs it then (through `log.applied`); through the prompter where there is one, so its prompts are encoded
        first. A command's actions are handed over together once it is made (vcam.control.onbeat: on the beat, they
        wait for their block; a change of a kind that an earlier one still waits with goes with it, so the stream
        ends where the state says: `seed 42 @bar` then `seed 7` is seed 7, not 42 once the bar comes)."""
        made = self._gathered
        # every change is made by a command (_apply) or a reload's edit (_edited), which gather it
        if made is None:
            raise RuntimeError(f"{action} given outside a command: changes are made within _gathering")
        if made.at is _UNSET:
            made.at = self._beat.plan(made.spec)
        made.actions.append((action, origin))

    @contextmanager
    def _gathering(self, spec: str | None) -> Iterator[_Gathered]:
        """Gathers the actions given (`_submit`) while a command is made, quantised to `spec` (None: at once), and
        hands them over together once it is (called with the lock held); what was given before a refusal still
        goes, as it would at once."""
        made = _Gathered(spec)
        outer, self._gathered = self._gathered, made
        try:
            yield made
        finally:
            self._gathered = outer
            planned = None if made.at is _UNSET else made.at
            made.waits = self._beat.take(made.actions, spec, planned)
            if planned is not None and made.actions:  # a block that started meanwhile moved it to the next
                made.at = self._beat.taken_at

    def _record(self, action: Action, origin: Origin) -> None:
        """Logs an action that takes effect at once, outside the generator (quit; the screen's has its frame)."""
        if self.log is not None:
            self.log.record(action, self.generator.blocks, origin)

    def snapshot(self) -> dict:
        """The state as plain data (sent to network clients, which mirror it for soft takeover, and make a change
        of its screen after its frame `screen_at`; and to an OSC tablet): the input as the network is told of it.
        The presets and the blend's indices are read as one (`_picked`): a client's blend knob finds its pair by
        them. A preset on air that a reload took out is named with `preset_removed` (its name is no longer in
        `presets`, so a client that knows no such key takes it for no preset of the show, as before)."""
        st = self.state
        picked = self._picked()  # read once: the status names the preset `preset` does, whatever a reload does
        show, index, blend, dropped = picked
        return {"preset": dropped.preset.name if dropped else _name(show, index), "preset_removed": bool(dropped),
                "presets": [p.name for p in show.presets] if show else [],
                "blend_knob": [show.presets[i].name for i in _knob_pair(show, index, dropped)]
                if show and len(show.presets) >= 2 else None,
                "seed": st.seed, "steps": st.steps,
                "transition": st.transition,
                **self._screen_state(), "quantize": self.quantize,
                "blend": list(blend) if blend else None,
                "input": self.media.shown(st.input), "strength": st.strength, "bias": st.bias,
                "bpm": self.tempo.bpm if self.tempo else None, "beat": self.tempo.beat() if self.tempo else None,
                "block": self.generator.blocks, "status": self._describe(picked, network=True)}

    def _screen_state(self) -> dict:
        """The screen's mode and the frame its change came after, as one: a mode set by a replay's log, not
        through the controller, is told with no frame (made on arrival)."""
        with self._screen_lock:
            mode, at = self.screen_change
            if mode != self.state.screen:
                mode, at = self.state.screen, None
        return {"screen": mode, "screen_at": _frame(at)}

    def told_network(self, text: str, action: Action | None = None) -> str:
        """`text` (a change not applied, for the client that sent it) as the network is told of it: the input
        `action` names, or any the show names, by its path within the folder it lies in, never a folder of this
        machine (an input whose file does not open names its whole path here)."""
        spec = action.spec if isinstance(action, SetInput) else None
        return self.media.renamed(text, [*([spec] if spec else []), *self._inputs_named(self.state.input)])

    def describe(self, network: bool = False) -> str:
        """The status text; `network`: as the network is told of it (media.MediaFolders.renamed, as a reply is), so
        neither the input on air nor a cue's name names a folder of this machine; else in full, as the operator set
        it. The preset or blend on air is read as one with the show (`_picked`), which a reload may swap meanwhile."""
        return self._describe(self._picked(), network)

    def _describe(self, picked: tuple[Show | None, int | None, tuple[int, int, float] | None, Dropped | None],
                  network: bool) -> str:
        """The status text, of the show and the preset or blend on air as `picked` (from `_picked`) has them."""
        st = self.state
        show, index, blend, dropped = picked
        if blend and show:
            a, b, x = blend
            where = f"{blend_on_air(show.presets[a].name, show.presets[b].name)} at {x:.2f}"
        elif (name := _name(show, index)) is not None:
            where = f"preset {index + 1} {quoted(name)}"
        elif dropped is not None:  # its prompts on air belong to no preset of the file any more
            where = f"preset (removed) {quoted(dropped.preset.name)}"
        else:
            where = "prompt " + _mix_shown(list(st.prompts), 80)
        # the strength matters only with an input: text-only shows are not told about it
        restyle = (f" | input {name_said(st.input)} | strength {level_in_status(st.strength)}" if st.input != "none"
                   else "")
        timing = f" | quantize {self.quantize}" if self.quantize != "off" else ""
        bias = f" | bias {level_in_status(st.bias)}" if st.bias != DEFAULT_BIAS else ""  # said only where it is on
        extra = [text for text in (self.tempo.describe() if self.tempo else None,
                                   self.cues.describe() if self.cues is not None else None) if text]
        text = (f"{where} | seed {st.seed} | steps {st.steps} | transition {st.transition}{restyle}{bias} | "
                f"screen {st.screen}{timing} | block {self.generator.blocks}" + "".join(f" | {text}" for text in extra))
        return self.media.renamed(text, self._inputs_named(st.input)) if network else text


def _follow(st: ShowState, action: Action) -> None:
    """The state as an action leaves the stream: a replayed one (its preset and blend: Controller.replayed), a
    reload's edit. An input is not one of them: Controller._take puts it through _put_input."""
    if isinstance(action, SetPrompts):
        st.prompts = dict(action.prompts)
    elif isinstance(action, SetSeed):
        st.seed = action.seed
    elif isinstance(action, SetSteps):
        st.steps = action.steps
    elif isinstance(action, SetTransition):
        st.transition = action.blocks
    elif isinstance(action, SetStrength):
        st.strength = action.value
    elif isinstance(action, SetBias):
        st.bias = action.value


def _from_next_block(done: str, tail: str = "", notes: Sequence[str] = ()) -> Reply:
    """The reply to a change that lands from the next block unless it waits for the beat: "seed 5 from the next
    block", "bias 1 from the next block (off)" (`tail` after the landing); `done` alone where a note or the beat
    says when it lands (_landing_said)."""
    return Reply(done + tail, notes, at_once=f"{done}{NEXT_BLOCK}{tail}")


def _landing_said(reply: Reply, *notes: str, lands: str = "") -> Reply:
    """The reply to a change that lands on a later block, said by `notes` (after the reply's own notes) or `lands`
    (on the beat): what it did without its "from the next block"."""
    return Reply(reply.done, [*reply.notes, *notes], lands)


def _no_tempo_notes(lands: str, at: str) -> tuple[str, str]:
    """The notes of a reply to a change given its own @ (`at`) with no tempo: when it lands instead, and why. Two
    notes, so that a cue of several such lines says why once (vcam.control.cues drops a note said before)."""
    return f"{lands}, not {lands_on(at)}", NO_TEMPO


def _replied_here(source: str) -> bool:
    """Whether the reply to a command from `source` is said on this console: all but a vcam cam client's
    (`net NAME`, vcam.remote.answers.command_source), which goes back to that client alone."""
    return not by_vcam_cam(source)


def _preset_with(show: Show | None, prompts: dict[str, float]) -> int | None:
    """The preset of `show` whose prompts are `prompts`; None for any other (a typed prompt, a blend)."""
    if show is None:
        return None
    return next((i for i, p in enumerate(show.presets) if p.prompts == prompts), None)


def _name(show: Show | None, index: int | None) -> str | None:
    """The name of preset `index` of `show`; None for none."""
    if show is None or index is None or index >= len(show.presets):
        return None
    return show.presets[index].name


def _frame(shown: Shown | None) -> list[int] | None:
    """A frame as the state names it: [block, index in the block]."""
    return [shown.block, shown.index] if shown is not None else None


def _input_of(line: str) -> str | None:
    """The input an `input` line names, as written; None for any other line (or text that is no command)."""
    if not line.lstrip().startswith("input"):
        return None
    try:
        cmd = parse(line)
    except CommandError:  # a cue's lines were checked as the show was read; a cue's own name may be anything
        return None
    return cmd.args[0] if cmd is not None and cmd.name == "input" else None


def _gone_fix(fix: str, spec: str) -> str:
    """The fix for a preset's or a cue's input that did not open, as the show file gives it (made whole against its
    folder): one not there was there as the show was read, so the fix for a path given wrong (relative to which
    folder) would not help."""
    kind = parse_input(spec).kind
    if kind in ("file", "image") and fix == missing_fix(kind):
        return f"it was there as the show file was read: put it back, or name another {kind}: in the show file"
    return fix


def _glued_timing(spec: InputSpec) -> str | None:
    """The fix for a file or image not there whose path ends in a timing (`input file:loop.mp4@bar`) and is there
    without it: the timing was read as part of the name. The path is not said: a network sender hears no folder of
    this machine. None for any other input."""
    head, at, tail = spec.target.rpartition("@")
    if spec.kind not in ("file", "image") or not head or os.path.lexists(spec.target) or not os.path.isfile(head):
        return None
    try:
        parse_quantize(tail, after_at=True)
    except ValueError:
        return None
    return (f"the file is there without '@{tail}': a timing is set apart by a space, as in input {spec.kind}:PATH "
            f"@{tail}")


def _glued_after_quotes(typed: InputSpec, shared: Callable[[str], bool] | None = None) -> str | None:
    """_glued_timing's fix for a typed path in quotes with a timing glued after them (`file:'loop.mp4'@bar`,
    `file:'don't.mp4’@bar`, one quote curled by a phone's keyboard): read as the line set apart reads it, the quotes
    are not the path's. None for any other input. `shared`: for a network line, whether a path lies in the shared
    folders; one outside them is not looked for (`file:'../work/loop.mp4'@bar` after the shared folder: the reply
    would tell the sender which files exist outside)."""
    head, at, tail = typed.target.rpartition("@")
    if typed.kind not in ("file", "image") or head[-1:] not in "'\"’”":
        return None
    # the quotes open the path as typed, or its part after a network line's shared folder, made whole before it
    opened = next((i for i, c in enumerate(head) if c in "'\"‘“" and head[i - 1:i] in ("", "/")), None)
    if opened is None or (glued := timing_glued(InputSpec(typed.kind, head[opened:] + at + tail))) is None:
        return None
    path = head[:opened] + glued[0].target
    if shared is not None and not shared(path):
        return None
    return _glued_timing(parse_input(_whole_path(str(InputSpec(typed.kind, path + at + tail)))))


def _whole_path(text: str) -> str:
    """A typed input with its file or image path made whole against the working folder, so that the log keeps
    one a replay finds again."""
    spec = parse_input(text)
    if spec.kind in ("file", "image"):
        spec = InputSpec(spec.kind, os.path.abspath(os.path.expanduser(spec.target)))
    return str(spec)


def _knob_pair(show: Show, preset: int | None, dropped: Dropped | None) -> tuple[int, int]:
    """The presets the blend knob goes between where no blend is on air (of a show of two or more): the one on air
    (`preset`) and the one `next` goes to (the first and the second for a typed prompt). A preset on air that a
    reload took out (`dropped`) has no place in the show: the knob goes between the presets `prev` and `next` go to
    from where it stood, across its place, rather than from the first preset. vcam cam's knob takes the same pair,
    from the snapshot's "blend_knob": one rule, on the server."""
    n = len(show.presets)
    if preset is None and dropped is not None:
        a, b = dropped.neighbour(show, -1), dropped.neighbour(show, 1)
        return (a, b) if a != b else (a, (a + 1) % n)  # one preset of the old order is left round it
    a = preset or 0
    return a, (a + 1) % n


def _mix_shown(texts: list[str], width: int) -> str:
    """The texts on air joined by " + " within about `width` characters: whole where they fit, else each cut to a
    share (said so, not mid-word alone), a short one's room left to the others. Cut whole, a mix whose blend a
    reload took apart read as its first text alone. Past 3 texts that do not fit, the rest are counted."""
    if len(whole := " + ".join(texts)) <= width:
        return whole
    shown, more = texts[:3], len(texts) - 3
    tail = f" + {more} more" if more > 0 else ""
    joined = " + ".join(shown)
    if len(joined) + len(tail) <= width:
        return joined + tail
    room = max(24 * len(shown), width - len(tail) - 3 * (len(shown) - 1))
    cut = []
    for k, text in enumerate(sorted(range(len(shown)), key=lambda i: len(shown[i]))):
        share = room // (len(shown) - k)  # the shortest first: what they leave goes to the longer ones
        cut.append((text, clipped(shown[text], share)))
        room -= len(cut[-1][1])
    return " + ".join(text for _, text in sorted(cut)) + tail


def _without_beat(command: str) -> str:
    """A command's text without its `@` boundary ("preset 3 @bar": "preset 3"): the end says what it waited for.
    Only the last ` @` word, where Command's text puts the timing, and only a timing: a prompt's own `@night` and
    its spaces are the text the user gave."""
    head, at, timing = command.rpartition(" @")
    if not (at and head):
        return command
    try:
        parse_quantize(timing, after_at=True)
    except ValueError:
        return command
    return head
